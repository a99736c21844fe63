//! The software half end to end, as a user runs it: `mamori vulndb import` of the real OSV
//! exports, `mamori scan` of real lockfiles, installed Python distributions and a root file
//! system, VEX, exit codes, CycloneDX/SPDX output, runs and diffs.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, shared, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mamori-fs/tests/fixtures/sbom")
}

fn zips() -> Vec<PathBuf> {
    ["crates.io", "Go", "PyPI"]
        .iter()
        .map(|e| shared().join("osv").join(e).join("all.zip"))
        .collect()
}

/// One vulnerability database for the whole file, imported once through the CLI.
fn vulndb() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("vulndb.sqlite");
        let mut args = vec![
            "--vulndb".to_string(),
            db.display().to_string(),
            "vulndb".into(),
            "import".into(),
        ];
        args.extend(zips().iter().map(|z| z.display().to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = mamori(&dir.path().join("runs.db"), &a);
        assert_eq!(out.status.code(), Some(0), "import: {}", stderr(&out));
        (dir, db)
    });
    p
}

fn run(store: &Path, args: &[&str]) -> std::process::Output {
    let db = vulndb().display().to_string();
    let mut a = vec!["--vulndb", db.as_str()];
    a.extend_from_slice(args);
    mamori(store, &a)
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}{}", stdout(out), stderr(out)))
}

fn vuln<'a>(r: &'a Value, id: &str, purl: &str) -> &'a Value {
    r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id && v["component"] == purl)
        .unwrap_or_else(|| panic!("{id} on {purl} not reported: {}", r["vulnerabilities"]))
}

/// The number of entries in a zip, from its end-of-central-directory record (independent
/// of mamori's importer).
fn zip_entries(p: &Path) -> u64 {
    let b = std::fs::read(p).unwrap();
    let eocd = b
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("end of central directory");
    u64::from(u16::from_le_bytes([b[eocd + 10], b[eocd + 11]]))
}

#[test]
fn vulndb_status_counts_every_advisory_of_the_osv_exports() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &dir.path().join("r.db"),
        &["vulndb", "status", "-f", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let st = json_of(&out);
    let total: u64 = zips().iter().map(|z| zip_entries(z)).sum();
    assert_eq!(st["advisories"].as_u64(), Some(total));
    let ecos: Vec<&str> = st["ecosystems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ecosystem"].as_str().unwrap())
        .collect();
    assert_eq!(ecos, ["Go", "PyPI", "crates.io"]);
    let crates = &st["ecosystems"][2];
    assert_eq!(
        crates["advisories"].as_u64(),
        Some(zip_entries(&zips()[0])),
        "{crates}"
    );
    // Re-importing the same data changes nothing and says so.
    let db = vulndb().display().to_string();
    let z = zips()[0].display().to_string();
    let out = mamori(
        &dir.path().join("r.db"),
        &["--vulndb", &db, "vulndb", "import", &z],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "0 new, 0 updated, {} unchanged",
            zip_entries(&zips()[0])
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn vulndb_query_lists_advisories_with_aliases_severity_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &dir.path().join("r.db"),
        &[
            "vulndb",
            "query",
            "-f",
            "json",
            "pkg:cargo/time@0.1.43",
            "pkg:cargo/time@0.2.23",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let q = json_of(&out);
    let hits = q[0]["vulnerabilities"].as_array().unwrap();
    let t = hits
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2020-0071")
        .expect("time 0.1.43 is affected");
    assert!(t["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "CVE-2020-26235"));
    // CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H scores 6.2 (NVD).
    assert_eq!(t["cvss"]["score"].as_f64(), Some(6.2));
    assert_eq!(t["severity"], "medium");
    assert_eq!(t["fixed"], "0.2.0");
    assert!(q[1]["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["id"] != "RUSTSEC-2020-0071"));
    // A purl that names no package is an error for that purl, exit 2.
    let out = run(&dir.path().join("r.db"), &["vulndb", "query", "not-a-purl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not-a-purl"), "{}", stderr(&out));
}

#[test]
fn scan_matches_lockfiles_and_installed_packages_and_vex_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("r.db");
    let py = fixtures().join("python");
    let cargo = fixtures().join("cargo/v3");
    let (py_s, cargo_s) = (py.display().to_string(), cargo.display().to_string());
    let out = run(
        &store,
        &[
            "scan",
            "-q",
            "-f",
            "json",
            "--fail-on",
            "medium",
            &py_s,
            &cargo_s,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "high and unrated vulnerabilities fail the pipeline"
    );
    let r = json_of(&out);
    // cryptography 38.0.4 from a Debian egg-info: PYSEC-2023-254 (CVE-2023-49083), CVSS 7.5.
    let c = vuln(&r, "PYSEC-2023-254", "pkg:pypi/cryptography@38.0.4");
    assert_eq!(c["severity"], "high");
    assert_eq!(c["cvss"]["score"].as_f64(), Some(7.5));
    assert_eq!(c["fixed"], "41.0.6");
    assert!(c["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("cryptography.egg-info/PKG-INFO"));
    // rand 0.7.3 from a real Cargo.lock (cargo 1.95): RustSec's informational advisory, at its line.
    let rand = vuln(&r, "RUSTSEC-2026-0097", "pkg:cargo/rand@0.7.3");
    assert_eq!(rand["severity"], "info");
    assert_eq!(rand["location"]["line"], 95);
    assert_eq!(r["summary"]["componentsByEcosystem"]["crates.io"], 20);

    // The team's VEX: not affected by the cryptography and setuptools advisories. The
    // statement names the CVE, the finding the PYSEC id: matched through the aliases.
    let vex = dir.path().join("team.openvex.json");
    std::fs::write(
        &vex,
        serde_json::to_vec_pretty(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.org/vex/2026-001",
            "author": "Security team",
            "timestamp": "2026-11-01T00:00:00Z",
            "version": 1,
            "statements": [
                {"vulnerability": {"name": "CVE-2023-49083"},
                 "products": [{"@id": "pkg:pypi/cryptography@38.0.4"}],
                 "status": "not_affected",
                 "justification": "vulnerable_code_not_in_execute_path"},
                {"vulnerability": {"name": "PYSEC-2023-11"},
                 "products": [{"@id": "pkg:pypi/cryptography"}],
                 "status": "fixed"},
                {"vulnerability": {"name": "PYSEC-2022-43012"},
                 "products": [{"@id": "pkg:pypi/setuptools@65.5.0"}],
                 "status": "not_affected",
                 "justification": "vulnerable_code_not_present"}
            ]
        }))
        .unwrap(),
    )
    .unwrap();
    let vex_s = vex.display().to_string();
    let out = run(
        &store,
        &[
            "scan",
            "-q",
            "-f",
            "json",
            "--fail-on",
            "medium",
            "--vex",
            &vex_s,
            &py_s,
            &cargo_s,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "only low and info remain: {}",
        stderr(&out)
    );
    let r = json_of(&out);
    let c = vuln(&r, "PYSEC-2023-254", "pkg:pypi/cryptography@38.0.4");
    assert_eq!(c["suppressed"]["status"], "not_affected");
    assert!(c["suppressed"]["justification"]
        .as_str()
        .unwrap()
        .contains("vulnerable_code_not_in_execute_path"));
    assert_eq!(c["suppressed"]["source"], vex_s);
    assert_eq!(r["summary"]["vulnerabilitiesSuppressed"], 3);
    assert_eq!(r["summary"]["vulnerabilitiesBySeverity"]["high"], 0);
    // `--fail-on low` still fails on pip's LOW advisory.
    let out = run(
        &store,
        &[
            "scan",
            "-q",
            "--no-store",
            "--fail-on",
            "low",
            "--vex",
            &vex_s,
            &py_s,
        ],
    );
    assert_eq!(out.status.code(), Some(1));

    // The terminal summary, in Japanese: components by ecosystem, vulnerabilities by severity.
    let out = run(
        &store,
        &["--lang", "ja", "scan", "--no-store", "--vex", &vex_s, &py_s],
    );
    let text = stdout(&out);
    assert!(text.contains("ソフトウェア部品: 45 件"), "{text}");
    assert!(text.contains("PYSEC-2023-228"), "{text}");
    // The upgrade that removes what is left, in the reader's language.
    assert!(text.contains("pip 23.2.1 → 23.3（脆弱性 1 件）"), "{text}");
    assert!(text.contains("VEX"), "{text}");

    // Broken VEX: a clear error naming the file, before any work, exit 2.
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, b"{\"statements\": [").unwrap();
    let out = run(
        &store,
        &["scan", "--vex", &bad.display().to_string(), &py_s],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.json"), "{}", stderr(&out));
}

#[test]
fn os_packages_carry_the_release_of_their_root_file_system() {
    // A root file system: the real bookworm dpkg status (136 packages) and an os-release.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(
        fixtures().join("dpkg/status"),
        root.join("var/lib/dpkg/status"),
    )
    .unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
         VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
    )
    .unwrap();
    let store = dir.path().join("r.db");
    let out = run(
        &store,
        &["scan", "-q", "-f", "json", &root.display().to_string()],
    );
    let r = json_of(&out);
    let comps = r["components"].as_array().unwrap();
    let debs: Vec<&Value> = comps
        .iter()
        .filter(|c| c["ecosystem"] == "Debian")
        .collect();
    assert_eq!(debs.len(), 136);
    assert!(debs.iter().all(|c| c["distro"] == "Debian:12"));
    let ssl = debs
        .iter()
        .find(|c| c["name"] == "libssl3")
        .expect("libssl3 installed");
    assert_eq!(ssl["source"]["name"], "openssl");
    let purl = ssl["purl"].as_str().unwrap();
    assert!(purl.starts_with("pkg:deb/debian/libssl3@"), "{purl}");
    assert!(purl.contains("distro=debian-12"), "{purl}");
    assert!(purl.contains("upstream=openssl"), "{purl}");
    assert_eq!(r["distros"][0]["osv_ecosystem"], "Debian:12");
    // No Debian advisories here: nothing matched, nothing invented.
    assert!(r["vulnerabilities"].as_array().unwrap().is_empty());

    // SPDX 2.3 and CycloneDX carry the same packages.
    let out = run(&store, &["show", "-f", "spdx"]);
    let spdx = json_of(&out);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    let purls: Vec<&str> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["externalRefs"].as_array().into_iter().flatten())
        .filter(|x| x["referenceType"] == "purl")
        .map(|x| x["referenceLocator"].as_str().unwrap())
        .collect();
    assert!(purls.contains(&purl), "{purl} not in the SPDX document");
    assert_eq!(
        purls.iter().filter(|p| p.starts_with("pkg:deb/")).count(),
        136
    );
}

#[test]
fn cyclonedx_holds_components_dependencies_and_vulnerabilities_and_is_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("r.db");
    let cargo = fixtures().join("cargo/v3").display().to_string();
    let py = fixtures().join("python").display().to_string();
    let out_f = dir.path().join("bom.json");
    let out = run(
        &store,
        &[
            "scan",
            "-q",
            "-f",
            "cyclonedx",
            "-o",
            &out_f.display().to_string(),
            &cargo,
            &py,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bom: Value = serde_json::from_slice(&std::fs::read(&out_f).unwrap()).unwrap();
    let validator = common::cyclonedx_validator("1.6");
    let errors: Vec<String> = validator.iter_errors(&bom).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let comps = bom["components"].as_array().unwrap();
    assert!(comps.iter().any(|c| c["purl"] == "pkg:cargo/rand@0.7.3"));
    // rand 0.7.3's dependencies from the lockfile.
    let deps = bom["dependencies"].as_array().unwrap();
    let rand = deps
        .iter()
        .find(|d| d["ref"] == "pkg:cargo/rand@0.7.3")
        .expect("rand has a dependency entry");
    assert!(rand["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().starts_with("pkg:cargo/rand_core@")));
    let v = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "PYSEC-2023-254")
        .expect("vulnerability in the BOM");
    assert_eq!(v["affects"][0]["ref"], "pkg:pypi/cryptography@38.0.4");
    assert_eq!(v["ratings"][0]["score"].as_f64(), Some(7.5));
}

#[test]
fn runs_and_diffs_follow_components_and_vulnerabilities() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("r.db");
    let tree = dir.path().join("app");
    std::fs::create_dir_all(&tree).unwrap();
    let lock = std::fs::read_to_string(fixtures().join("cargo/v3/Cargo.lock")).unwrap();
    std::fs::write(tree.join("Cargo.lock"), &lock).unwrap();
    let t = tree.display().to_string();
    assert_eq!(run(&store, &["scan", "-q", &t]).status.code(), Some(0));
    // The project upgrades rand: the lockfile no longer has 0.7.3.
    let upgraded: String = {
        let start = lock
            .find("name = \"rand\"\nversion = \"0.7.3\"")
            .expect("rand 0.7.3 stanza");
        let end = lock[start..]
            .find("\n\n")
            .map(|e| start + e + 2)
            .unwrap_or(lock.len());
        format!("{}{}", &lock[..start - "[[package]]\n".len()], &lock[end..])
    };
    std::fs::write(tree.join("Cargo.lock"), upgraded).unwrap();
    assert_eq!(run(&store, &["scan", "-q", &t]).status.code(), Some(0));
    let out = run(&store, &["runs", "-f", "json"]);
    let runs = json_of(&out);
    assert_eq!(
        runs[0]["components"].as_u64().unwrap(),
        runs[1]["components"].as_u64().unwrap() + 1
    );
    assert_eq!(runs[0]["vulnerabilities"], 1);
    assert_eq!(runs[1]["vulnerabilities"], 0);
    let out = run(&store, &["diff", "1", "2", "-f", "json"]);
    let d = json_of(&out);
    assert_eq!(d["components_removed"][0]["purl"], "pkg:cargo/rand@0.7.3");
    assert_eq!(d["vulnerabilities_removed"][0]["id"], "RUSTSEC-2026-0097");
    let out = run(&store, &["diff", "1", "2"]);
    assert!(
        stdout(&out).contains("- pkg:cargo/rand@0.7.3"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn without_a_database_the_sbom_is_made_and_the_report_says_vulnerabilities_were_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cargo = fixtures().join("cargo/v3").display().to_string();
    let missing = dir.path().join("none.sqlite").display().to_string();
    let out = mamori(
        &dir.path().join("r.db"),
        &["--vulndb", &missing, "scan", "--no-store", &cargo],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Software components: 22"), "{text}");
    assert!(text.contains("not checked"), "{text}");
    assert!(text.contains("none.sqlite"), "{text}");
    let out = mamori(
        &dir.path().join("r.db"),
        &["--vulndb", &missing, "vulndb", "status"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mamori vulndb import"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn only_takes_one_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("r.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo");
    let d = demo.display().to_string();
    let both = json_of(&run(
        &store,
        &["scan", "-q", "--no-store", "-f", "json", &d],
    ));
    let sw = json_of(&run(
        &store,
        &[
            "scan",
            "-q",
            "--no-store",
            "-f",
            "json",
            "--only",
            "software",
            &d,
        ],
    ));
    let cr = json_of(&run(
        &store,
        &[
            "scan",
            "-q",
            "--no-store",
            "-f",
            "json",
            "--only",
            "crypto",
            &d,
        ],
    ));
    // The demo's requirements.txt pins five packages; its certificates and keys are crypto.
    assert_eq!(both["components"].as_array().unwrap().len(), 5);
    assert_eq!(sw["components"], both["components"]);
    assert_eq!(sw["vulnerabilities"], both["vulnerabilities"]);
    assert!(sw["assets"].as_array().unwrap().is_empty());
    assert_eq!(cr["assets"], both["assets"]);
    assert!(cr["components"].as_array().unwrap().is_empty());
    assert!(cr["vulnerabilities"].as_array().unwrap().is_empty());
}

/// A scan of the register names each vulnerability's system, and the lifecycle follows
/// vulnerabilities with it.
#[test]
fn vulnerabilities_name_their_system_and_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("r.db");
    let reg = dir.path().join("mamori.toml");
    std::fs::write(
        &reg,
        format!(
            "[[system]]\nid = \"py\"\nname = \"Python app\"\ncriticality = \"medium\"\ntargets = [\"{}\"]\n\n[[system]]\nid = \"rs\"\nname = \"Rust app\"\ncriticality = \"low\"\ntargets = [\"{}\"]\n\n[[system]]\nid = \"py2\"\nname = \"Second Python app\"\ncriticality = \"high\"\ntargets = [\"{}\"]\n",
            fixtures().join("python").display(),
            fixtures().join("cargo/v3").display(),
            dir.path().join("py2").display()
        ),
    )
    .unwrap();
    // A second system pins the same packages: one vulnerability of the run, followed in each.
    let egg = dir.path().join("py2/dist-packages/cryptography.egg-info");
    std::fs::create_dir_all(&egg).unwrap();
    std::fs::copy(
        fixtures().join("python/dist-packages/cryptography.egg-info/PKG-INFO"),
        egg.join("PKG-INFO"),
    )
    .unwrap();
    let out = run(
        &store,
        &[
            "scan",
            "-q",
            "-f",
            "json",
            "--config",
            reg.to_str().unwrap(),
        ],
    );
    let r = json_of(&out);
    let shared = vuln(&r, "PYSEC-2023-254", "pkg:pypi/cryptography@38.0.4");
    let mut places: Vec<&str> = shared["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["system"].as_str().unwrap())
        .collect();
    // Its own system first, with its place.
    assert_eq!(shared["system"], places[0]);
    assert_eq!(shared["systems"][0]["location"], shared["location"]);
    places.sort_unstable();
    assert_eq!(places, ["py", "py2"]);
    let py2 = shared["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["system"] == "py2")
        .unwrap();
    assert!(py2["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("py2/dist-packages/cryptography.egg-info/PKG-INFO"));
    assert_eq!(
        vuln(&r, "RUSTSEC-2026-0097", "pkg:cargo/rand@0.7.3")["system"],
        "rs"
    );
    let out = run(
        &store,
        &["findings", "list", "-f", "json", "--system", "py"],
    );
    let l = json_of(&out);
    let items = l.as_array().unwrap();
    let c = items
        .iter()
        .find(|t| t["key"] == "vuln:PYSEC-2023-254|pkg:pypi/cryptography@38.0.4|py")
        .expect("followed");
    assert_eq!(
        (c["kind"].as_str(), c["status"].as_str()),
        (Some("vulnerability"), Some("new"))
    );
    assert!(items.iter().all(|t| t["system"] == "py"));
    // The same vulnerability is py2's own item, at py2's place.
    let l = json_of(&run(
        &store,
        &["findings", "list", "-f", "json", "--system", "py2"],
    ));
    let c2 = l
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "vuln:PYSEC-2023-254|pkg:pypi/cryptography@38.0.4|py2")
        .expect("followed in py2");
    assert!(c2["location"]
        .as_str()
        .unwrap()
        .contains("py2/dist-packages"));
    assert_ne!(c2["id"], c["id"]);
}
