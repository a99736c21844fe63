//! CycloneDX (SBOM + VEX) and SPDX 2.3 output of a scan with software components and
//! vulnerabilities: validated against the official CycloneDX 1.6 schema and by the SPDX
//! project's own validator (`pyspdxtools`, from the PyPI package `spdx-tools`).
//!
//! The data is real: purls, Cargo.lock checksums and npm integrity hashes as the registries
//! publish them; RUSTSEC-2020-0071 and PYSEC-2023-74 as they are in the OSV data under
//! ../shared/data/osv (read from there, not copied).
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_model::{
    Component, Cvss, Distro, Hash, Location, Occurrence, ScanResult, Severity, SourcePackage,
    VexStatus, Vulnerability,
};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// One advisory from the OSV data (a zip per ecosystem), as JSON.
fn osv(ecosystem: &str, id: &str) -> Value {
    let f = std::fs::File::open(shared().join("osv").join(ecosystem).join("all.zip"))
        .expect("OSV data in ../shared/data/osv");
    let mut z = zip::ZipArchive::new(f).expect("OSV zip");
    let mut e = z
        .by_name(&format!("{id}.json"))
        .unwrap_or_else(|_| panic!("{id} in the {ecosystem} OSV data"));
    let mut s = String::new();
    e.read_to_string(&mut s).unwrap();
    serde_json::from_str(&s).unwrap()
}

fn occ(path: &str, line: Option<u32>, detector: &str) -> Occurrence {
    let mut l = Location::file(path);
    l.line = line;
    Occurrence {
        location: l,
        detector: detector.into(),
        context: None,
        package: None,
    }
}

fn cvss_from_osv(adv: &Value) -> Option<Cvss> {
    let s = adv["severity"].as_array()?.first()?;
    let vector = s["score"].as_str()?.to_string();
    let version = vector.strip_prefix("CVSS:")?.split('/').next()?.to_string();
    // AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H is 6.2 by the CVSS 3.1 calculator.
    assert_eq!(
        vector, "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "the advisory changed; update the score"
    );
    Some(Cvss {
        version,
        vector,
        score: 6.2,
    })
}

/// The last `fixed` event of the advisory's ranges (`only_versions`: skip git commits).
fn fixed_of(adv: &Value, only_versions: bool) -> Option<String> {
    adv["affected"][0]["ranges"]
        .as_array()?
        .iter()
        .filter(|r| r["type"] != "GIT")
        .flat_map(|r| r["events"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["fixed"].as_str().map(str::to_string))
        .rfind(|f| !only_versions || f.contains('.'))
}

fn aliases(adv: &Value) -> Vec<String> {
    adv["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// A scan result as mamori's detectors and matcher would make it.
pub fn sample() -> ScanResult {
    let mut app = Component::new(
        "pkg:cargo/myapp@0.1.0",
        "myapp",
        Some("0.1.0".into()),
        "crates.io",
    );
    app.dependencies = vec!["pkg:cargo/time@0.1.43".into()];
    app.occurrences = vec![occ("proj/Cargo.lock", None, "sbom.cargo-lock")];

    let mut time = Component::new(
        "pkg:cargo/time@0.1.43",
        "time",
        Some("0.1.43".into()),
        "crates.io",
    );
    time.direct = Some(true);
    time.license = Some("MIT/Apache-2.0".into()); // as time 0.1.43's Cargo.toml declares it
    time.hashes = vec![Hash {
        alg: "SHA-256".into(),
        value: "ca8a50ef2360fbd1eeb0ecd46795a87a19024eb4b53c5dc916ca1fd95fe62438".into(),
    }];
    time.dependencies = vec!["pkg:cargo/libc@0.2.153".into()];
    time.occurrences = vec![occ("proj/Cargo.lock", Some(14), "sbom.cargo-lock")];

    let mut libc = Component::new(
        "pkg:cargo/libc@0.2.153",
        "libc",
        Some("0.2.153".into()),
        "crates.io",
    );
    libc.direct = Some(false);
    libc.license = Some("MIT OR Apache-2.0".into());
    libc.hashes = vec![Hash {
        alg: "SHA-256".into(),
        value: "9c198f91728a82281a64e1f4f9eeb25d82cb32a5de251c6bd1b5154d63a8e7bd".into(),
    }];
    libc.occurrences = vec![occ("proj/Cargo.lock", Some(8), "sbom.cargo-lock")];

    let mut isnum = Component::new(
        "pkg:npm/is-number@7.0.0",
        "is-number",
        Some("7.0.0".into()),
        "npm",
    );
    isnum.dev = true;
    isnum.direct = Some(true);
    isnum.license = Some("MIT".into());
    isnum.hashes = vec![Hash { alg: "SHA-512".into(), value: "e350a27e483a7bc4f2952a5db53a5e2d532abd20445734edb47bc4443ef8d7ea6767c00dbf4d34e0c44be3740a3c394af5c1af369e8d6566540656c65d8c719e".into() }];
    isnum.occurrences = vec![occ("proj/web/package-lock.json", None, "sbom.npm-lock")];

    let mut requests = Component::new(
        "pkg:pypi/requests@2.30.0",
        "requests",
        Some("2.30.0".into()),
        "PyPI",
    );
    requests.license = Some("Apache 2.0".into()); // requests 2.30.0's METADATA `License:`
    requests.occurrences = vec![occ(
        "proj/.venv/lib/python3.11/site-packages/requests-2.30.0.dist-info/METADATA",
        None,
        "sbom.python-dist",
    )];

    let mut log4j = Component::new(
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
        "org.apache.logging.log4j:log4j-core",
        Some("2.17.1".into()),
        "Maven",
    );
    log4j.license = Some("Apache-2.0".into());
    log4j.occurrences = vec![occ(
        "proj/lib/log4j-core-2.17.1.jar",
        None,
        "sbom.java-archive",
    )];

    let mut ssl = Component::new(
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        "libssl3",
        Some("3.0.11-1~deb12u2".into()),
        "Debian",
    );
    ssl.distro = Some("Debian:12".into());
    ssl.source = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.0.11-1~deb12u2".into(),
    });
    ssl.occurrences = vec![occ("rootfs/var/lib/dpkg/status", Some(2210), "sbom.dpkg")];

    let rustsec = osv("crates.io", "RUSTSEC-2020-0071");
    let pysec = osv("PyPI", "PYSEC-2023-74");
    let v1 = Vulnerability {
        system: None,
        systems: Vec::new(),
        id: rustsec["id"].as_str().unwrap().into(),
        aliases: aliases(&rustsec),
        summary: rustsec["summary"].as_str().unwrap().into(),
        severity: Some(Severity::Medium),
        cvss: cvss_from_osv(&rustsec),
        component: time.purl.clone(),
        component_name: "time".into(),
        component_version: "0.1.43".into(),
        fixed: fixed_of(&rustsec, false),
        location: time.occurrences[0].location.clone(),
        suppressed: None,
    };
    let v2 = Vulnerability {
        system: None,
        systems: Vec::new(),
        id: pysec["id"].as_str().unwrap().into(),
        aliases: aliases(&pysec),
        summary: "Requests leaks Proxy-Authorization headers on redirects".into(),
        severity: None,
        cvss: None,
        component: requests.purl.clone(),
        component_name: "requests".into(),
        component_version: "2.30.0".into(),
        fixed: fixed_of(&pysec, true),
        location: requests.occurrences[0].location.clone(),
        suppressed: Some(VexStatus {
            status: "not_affected".into(),
            justification: Some(
                "vulnerable_code_not_in_execute_path: no proxies are configured".into(),
            ),
            source: "proj/vex.openvex.json".into(),
        }),
    };
    ScanResult {
        targets: vec!["proj".into(), "rootfs".into()],
        components: vec![app, time, libc, isnum, requests, log4j, ssl],
        distros: vec![Distro {
            root: "rootfs".into(),
            container: None,
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
            osv_ecosystem: Some("Debian:12".into()),
        }],
        vulnerabilities: vec![v1, v2],
        ..Default::default()
    }
}

/// The official CycloneDX schema of `version`, with the schemas it references (nothing is
/// fetched); as crates/mamori/tests/common/mod.rs does.
fn cyclonedx_validator(version: &str) -> jsonschema::Validator {
    let dir = shared().join("cyclonedx");
    let load = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    let mut opts = jsonschema::options();
    for f in [
        "spdx.schema.json",
        "jsf-0.82.schema.json",
        "cryptography-defs.schema.json",
    ] {
        opts = opts.with_resource(
            format!("http://cyclonedx.org/schema/{f}"),
            jsonschema::Resource::from_contents(load(f)).unwrap(),
        );
    }
    opts.build(&load(&format!("bom-{version}.schema.json")))
        .unwrap_or_else(|e| panic!("CycloneDX {version} schema compiles: {e}"))
}

fn by<'a>(arr: &'a Value, key: &str, val: &str) -> &'a Value {
    arr.as_array()
        .unwrap()
        .iter()
        .find(|c| c[key] == val)
        .unwrap_or_else(|| panic!("no {key} = {val}"))
}

fn props(c: &Value) -> Vec<(String, String)> {
    c["properties"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn cyclonedx_sbom_and_vex_are_schema_valid() {
    let r = sample();
    let bom = mamori_report::cyclonedx(&r, "0.1.0");
    let errors: Vec<String> = cyclonedx_validator("1.6")
        .iter_errors(&bom)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");

    let comps = &bom["components"];
    let time = by(comps, "bom-ref", "pkg:cargo/time@0.1.43");
    assert_eq!(time["type"], "library");
    assert_eq!(time["purl"], "pkg:cargo/time@0.1.43");
    assert_eq!(time["name"], "time");
    assert_eq!(time["version"], "0.1.43");
    // `MIT/Apache-2.0` is not an SPDX expression: kept as a name.
    assert_eq!(time["licenses"][0]["license"]["name"], "MIT/Apache-2.0");
    assert_eq!(time["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        time["hashes"][0]["content"],
        "ca8a50ef2360fbd1eeb0ecd46795a87a19024eb4b53c5dc916ca1fd95fe62438"
    );
    assert_eq!(
        time["evidence"]["occurrences"][0]["location"],
        "proj/Cargo.lock"
    );
    let p = props(time);
    assert!(p.contains(&("mamori:ecosystem".into(), "crates.io".into())));
    assert!(p.contains(&("mamori:direct".into(), "true".into())));
    assert!(p.contains(&("mamori:dev".into(), "false".into())));
    let libc = by(comps, "bom-ref", "pkg:cargo/libc@0.2.153");
    assert_eq!(libc["licenses"][0]["expression"], "MIT OR Apache-2.0");
    let log4j = by(
        comps,
        "bom-ref",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
    );
    assert_eq!(log4j["group"], "org.apache.logging.log4j");
    assert_eq!(log4j["name"], "log4j-core");
    assert_eq!(log4j["licenses"][0]["license"]["id"], "Apache-2.0");
    assert_eq!(
        by(comps, "bom-ref", "pkg:cargo/myapp@0.1.0")["type"],
        "application"
    );
    let isnum = by(comps, "bom-ref", "pkg:npm/is-number@7.0.0");
    assert_eq!(isnum["scope"], "excluded");
    assert!(props(isnum).contains(&("mamori:dev".into(), "true".into())));
    assert_eq!(isnum["hashes"][0]["alg"], "SHA-512");
    let ssl = by(comps, "name", "libssl3");
    assert_eq!(ssl["type"], "library");
    let p = props(ssl);
    assert!(p.contains(&("mamori:distro".into(), "Debian:12".into())));
    assert!(p.contains(&(
        "mamori:source-package".into(),
        "openssl@3.0.11-1~deb12u2".into()
    )));
    let os = by(comps, "bom-ref", "os:Debian:12");
    assert_eq!(os["type"], "operating-system");
    assert_eq!(
        (os["name"].as_str(), os["version"].as_str()),
        (Some("debian"), Some("12"))
    );

    let deps = &bom["dependencies"];
    assert_eq!(
        by(deps, "ref", "pkg:cargo/myapp@0.1.0")["dependsOn"],
        serde_json::json!(["pkg:cargo/time@0.1.43"])
    );
    assert_eq!(
        by(deps, "ref", "pkg:cargo/time@0.1.43")["dependsOn"],
        serde_json::json!(["pkg:cargo/libc@0.2.153"])
    );

    let vulns = &bom["vulnerabilities"];
    assert_eq!(vulns.as_array().unwrap().len(), 2);
    let v = by(vulns, "id", "RUSTSEC-2020-0071");
    assert_eq!(
        v["source"]["url"],
        "https://osv.dev/vulnerability/RUSTSEC-2020-0071"
    );
    let refs: Vec<&str> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["CVE-2020-26235", "GHSA-wcg3-cvx6-7396"]);
    assert_eq!(v["ratings"][0]["method"], "CVSSv31");
    assert_eq!(v["ratings"][0]["score"], 6.2);
    assert_eq!(v["ratings"][0]["severity"], "medium");
    assert_eq!(
        v["ratings"][0]["vector"],
        "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    );
    assert_eq!(v["description"], "Potential segfault in the time crate");
    assert_eq!(v["recommendation"], "Upgrade to 0.2.23");
    assert_eq!(v["affects"][0]["ref"], "pkg:cargo/time@0.1.43");
    assert_eq!(v["affects"][0]["versions"][0]["status"], "affected");
    assert!(v.get("analysis").is_none());
    let v = by(vulns, "id", "PYSEC-2023-74");
    assert_eq!(v["recommendation"], "Upgrade to 2.31.0");
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_reachable");
    assert!(v["analysis"]["detail"]
        .as_str()
        .unwrap()
        .contains("proj/vex.openvex.json"));
    assert_eq!(v["affects"][0]["versions"][0]["status"], "unaffected");
    assert!(v.get("ratings").is_none());
}

/// `pyspdxtools` (PyPI package `spdx-tools`): `$PYSPDXTOOLS`, else on `PATH`, else in the
/// virtual environment scripts/test makes under target/.
fn pyspdxtools() -> PathBuf {
    if let Some(p) = std::env::var_os("PYSPDXTOOLS") {
        return PathBuf::from(p);
    }
    if Command::new("pyspdxtools").arg("--help").output().is_ok() {
        return PathBuf::from("pyspdxtools");
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/spdx-venv/bin/pyspdxtools");
    if venv.exists() {
        return venv;
    }
    panic!(
        "pyspdxtools (the SPDX validator) not found: install it with \
         `python3 -m venv target/spdx-venv && target/spdx-venv/bin/pip install spdx-tools==0.8.5` \
         (scripts/test does; python3-venv is the Debian package for venv), or set PYSPDXTOOLS"
    );
}

#[test]
fn spdx23_passes_the_spdx_validator() {
    let r = sample();
    let doc = mamori_report::spdx23(&r, "0.1.0", "run 1");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("scan.spdx.json");
    std::fs::write(&f, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = Command::new(pyspdxtools())
        .arg("-i")
        .arg(&f)
        .output()
        .expect("pyspdxtools runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "pyspdxtools: {said}"
    );

    // 7 components, 2 targets, 1 operating system.
    let pkgs = &doc["packages"];
    assert_eq!(pkgs.as_array().unwrap().len(), 10);
    let purl_of = |p: &Value| {
        p["externalRefs"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["referenceType"] == "purl"))
            .map(|r| r["referenceLocator"].as_str().unwrap().to_string())
    };
    let find = |purl: &str| {
        pkgs.as_array()
            .unwrap()
            .iter()
            .find(|p| purl_of(p).as_deref() == Some(purl))
            .unwrap_or_else(|| panic!("no package {purl}"))
    };
    let time = find("pkg:cargo/time@0.1.43");
    assert_eq!(time["versionInfo"], "0.1.43");
    assert_eq!(time["checksums"][0]["algorithm"], "SHA256");
    let lic = time["licenseDeclared"].as_str().unwrap();
    assert!(lic.starts_with("LicenseRef-"), "{lic}");
    let extracted = by(&doc["hasExtractedLicensingInfos"], "licenseId", lic);
    assert_eq!(extracted["extractedText"], "MIT/Apache-2.0");
    assert_eq!(
        find("pkg:cargo/libc@0.2.153")["licenseDeclared"],
        "MIT OR Apache-2.0"
    );
    let advisories: Vec<&str> = time["externalRefs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["referenceCategory"] == "SECURITY")
        .map(|r| r["referenceLocator"].as_str().unwrap())
        .collect();
    assert_eq!(
        advisories,
        ["https://osv.dev/vulnerability/RUSTSEC-2020-0071"]
    );
    let ssl = find(
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
    );
    assert_eq!(
        ssl["sourceInfo"],
        "built package from: openssl 3.0.11-1~deb12u2"
    );

    let rel = |a: &Value, t: &str, b: &Value| {
        doc["relationships"].as_array().unwrap().iter().any(|r| {
            r["spdxElementId"] == a["SPDXID"]
                && r["relationshipType"] == t
                && r["relatedSpdxElement"] == b["SPDXID"]
        })
    };
    let app = find("pkg:cargo/myapp@0.1.0");
    assert_eq!(app["primaryPackagePurpose"], "APPLICATION");
    assert!(rel(app, "DEPENDS_ON", time));
    assert!(rel(time, "DEPENDS_ON", find("pkg:cargo/libc@0.2.153")));
    let target = by(pkgs, "name", "proj");
    let rootfs = by(pkgs, "name", "rootfs");
    assert!(rel(target, "CONTAINS", time));
    assert!(rel(rootfs, "CONTAINS", ssl));
    assert!(!rel(target, "CONTAINS", ssl));
    assert!(rel(rootfs, "CONTAINS", by(pkgs, "name", "debian")));
    let describes = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
        .count();
    assert_eq!(describes, 2);

    // Deterministic: the same scan in another order gives the same document.
    let mut shuffled = r.clone();
    shuffled.components.reverse();
    shuffled.targets.reverse();
    let mut again = mamori_report::spdx23(&shuffled, "0.1.0", "run 1");
    again["creationInfo"]["created"] = doc["creationInfo"]["created"].clone();
    assert_eq!(again, doc);
}
