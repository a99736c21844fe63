//! `mamori scan` of network services end to end, against a real `openssl s_server` on
//! 127.0.0.1: the same certificate on disk and on the wire meets in one asset; endpoint
//! findings; CycloneDX stays schema-valid; runs and diffs; targets files and scopes.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{cyclonedx_validator, mamori, stderr, stdout};

/// `openssl s_server` serving `site.pem`/`site.key` from `dir`.
fn s_server(dir: &Path, args: &[&str]) -> mamori_testkit::SServer {
    mamori_testkit::s_server(dir, "site.pem", "site.key", args)
}

/// A certificate for www.example.org (`site.pem`, `site.key`) made in `dir`, served by
/// `openssl s_server` with TLS 1.0 and 1.2 and every suite down to SECLEVEL 0.
fn legacy_site(dir: &Path) -> mamori_testkit::SServer {
    mamori_testkit::self_signed(
        dir,
        "rsa:2048",
        "site.pem",
        "site.key",
        "/CN=www.example.org",
        &["-addext", "subjectAltName=DNS:www.example.org"],
    );
    s_server(
        dir,
        &["-no_tls1_1", "-no_tls1_3", "-cipher", "ALL:@SECLEVEL=0"],
    )
}

#[test]
fn tls_service_and_its_certificate_on_disk_in_one_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let etc = d.join("etc");
    std::fs::create_dir(&etc).unwrap();
    let server = legacy_site(&etc);
    let target = format!("tls://localhost:{}", server.port);
    let at = format!("localhost:{}", server.port);
    let db = d.join("m.db");
    // the same scan twice: with the service up, then after it is gone
    let scan = || {
        let out = mamori(
            &db,
            &[
                "scan",
                "-q",
                "--no-vulns",
                "-f",
                "json",
                etc.to_str().unwrap(),
                &target,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let r = scan();
    let ep = &r["endpoints"][0];
    assert_eq!(ep["endpoint"], at.as_str());
    assert_eq!(
        ep["tls"]["versions"],
        serde_json::json!(["TLSv1.0", "TLSv1.2"])
    );
    assert_eq!(ep["tls"]["pq_key_exchange"], false);
    // the certificate: seen in the file and served at the endpoint, one asset
    let certs: Vec<&serde_json::Value> = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "certificate")
        .collect();
    assert_eq!(certs.len(), 1, "{certs:?}");
    let places: Vec<&str> = certs[0]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["location"]["path"].as_str().unwrap())
        .collect();
    assert!(places.contains(&at.as_str()), "{places:?}");
    assert!(places.iter().any(|p| p.ends_with("site.pem")), "{places:?}");
    // findings at the endpoint, each with what to change
    let findings = r["findings"].as_array().unwrap();
    let find = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code && f["location"]["path"] == at.as_str())
            .unwrap_or_else(|| panic!("no {code} at {at}: {findings:?}"))
    };
    let pq = find("pq-key-exchange-not-offered");
    assert!(pq["message"].as_str().unwrap().contains("not offered"));
    assert!(pq["remediation"]
        .as_str()
        .unwrap()
        .contains("X25519MLKEM768"));
    assert_eq!(
        find("protocol-deprecated")["asset_id"],
        format!("proto:tls-1.0@{at}")
    );
    // reached as localhost, the certificate names www.example.org
    assert!(find("cert-hostname-mismatch")["message"]
        .as_str()
        .unwrap()
        .contains("localhost"));

    // CycloneDX stays valid with network evidence
    let cdx = mamori(
        &db,
        &[
            "scan",
            "-q",
            "--no-vulns",
            "--no-store",
            "-f",
            "cyclonedx",
            &target,
        ],
    );
    assert_eq!(cdx.status.code(), Some(0), "{}", stderr(&cdx));
    let bom: serde_json::Value = serde_json::from_slice(&cdx.stdout).unwrap();
    let v = cyclonedx_validator("1.6");
    let errors: Vec<String> = v.iter_errors(&bom).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(cdx.stdout.windows(at.len()).any(|w| w == at.as_bytes()));
    // the service itself, depending on what it speaks
    let svc = &bom["services"][0];
    assert_eq!(svc["endpoints"][0], target.as_str());
    let dep = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == format!("service:{at}"))
        .expect("service dependencies");
    let on = dep["dependsOn"].as_array().unwrap();
    assert!(
        on.iter().any(|d| d == &format!("proto:tls-1.2@{at}")),
        "{on:?}"
    );
    assert!(
        on.iter().any(|d| d.as_str().unwrap().starts_with("cert:")),
        "{on:?}"
    );

    // the run is stored with its endpoints; once the service is gone, the diff says which
    // of its assets went with it
    drop(server);
    scan();
    let diff = mamori(&db, &["diff", "1", "2", "-f", "json"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let dj: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let removed: Vec<&str> = dj["assets_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().or_else(|| a["id"].as_str()).unwrap_or_default())
        .collect();
    assert!(
        removed.contains(&format!("proto:tls-1.0@{at}").as_str()),
        "{dj}"
    );
    // the certificate is still on disk
    assert!(
        !removed.iter().any(|r| r.starts_with("cert:")),
        "{removed:?}"
    );
    let show = mamori(&db, &["show", "2", "-f", "json"]);
    let sj: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(sj["endpoints"][0]["endpoint"], at.as_str());
    assert!(sj["endpoints"][0]["error"]
        .as_str()
        .unwrap()
        .contains("connect"));
}

#[test]
fn targets_file_scope_and_bad_targets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("m.db");
    // a range without a scope is refused before anything is probed
    let out = mamori(&db, &["scan", "--no-store", "tls://127.0.0.0/30:443"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("scope"), "{}", stderr(&out));
    // a targets file line that is wrong is named by line
    std::fs::write(
        d.join("t.txt"),
        "# web\ntls://127.0.0.1:1 sys-a\nbogus://x\n",
    )
    .unwrap();
    let out = mamori(
        &db,
        &[
            "scan",
            "--no-store",
            "--targets",
            d.join("t.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    // a service that refuses: the run goes on and reports it, with the system id
    std::fs::write(d.join("t.txt"), "tls://127.0.0.1:1 sys-a\n").unwrap();
    let out = mamori(
        &db,
        &[
            "scan",
            "--no-store",
            "-f",
            "json",
            "--targets",
            d.join("t.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["endpoints"][0]["system"], "sys-a");
    assert!(r["endpoints"][0]["error"]
        .as_str()
        .unwrap()
        .contains("127.0.0.1:1"));
    // nonsense limits are refused, naming the option
    for (opt, v) in [
        ("--timeout", "inf"),
        ("--timeout", "-1"),
        ("--rate", "0"),
        ("--rate", "NaN"),
    ] {
        let arg = format!("{opt}={v}");
        let out = mamori(&db, &["scan", "--no-store", &arg, "tls://127.0.0.1:1"]);
        assert_eq!(out.status.code(), Some(2), "{opt} {v}");
        assert!(stderr(&out).contains(opt), "{}", stderr(&out));
    }
    let text = mamori(&db, &["scan", "--no-store", "tls://127.0.0.1:1"]);
    assert!(stdout(&text).contains("not surveyed"), "{}", stdout(&text));
}

#[test]
fn with_no_target_the_register_is_scanned_and_findings_name_their_system() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let certs = d.join("portal-certs");
    std::fs::create_dir(&certs).unwrap();
    let server = legacy_site(&certs);
    let wiki = d.join("wiki");
    std::fs::create_dir(&wiki).unwrap();
    std::fs::write(
        wiki.join("app.py"),
        "import hashlib\nh = hashlib.md5(b'x').hexdigest()\n",
    )
    .unwrap();
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        format!(
            "[[system]]\nid = \"portal\"\nname = \"Portal\"\ncriticality = \"critical\"\nconfidentiality_years = 30\ntargets = [\"tls://127.0.0.1:{}\"]\n\n[[system]]\nid = \"wiki\"\nname = \"Wiki\"\ncriticality = \"low\"\n# relative to the register's directory\ntargets = [\"wiki\"]\n",
            server.port
        ),
    )
    .unwrap();
    let db = d.join("m.db");
    let out = mamori(
        &db,
        &[
            "scan",
            "-q",
            "--no-store",
            "--no-vulns",
            "-f",
            "json",
            "--config",
            reg.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["endpoints"][0]["system"], "portal");
    let findings = r["findings"].as_array().unwrap();
    let at = format!("127.0.0.1:{}", server.port);
    for f in findings {
        let want = if f["location"]["path"] == at.as_str() {
            "portal"
        } else {
            "wiki"
        };
        assert_eq!(f["system"], want, "{f}");
    }
    assert!(findings
        .iter()
        .any(|f| f["system"] == "wiki" && f["asset_id"] == "alg:MD5"));
    assert!(findings
        .iter()
        .any(|f| f["system"] == "portal" && f["code"] == "pq-key-exchange-not-offered"));
    // the text summary counts them per system
    let text = mamori(
        &db,
        &[
            "scan",
            "--no-store",
            "--no-vulns",
            "--config",
            reg.to_str().unwrap(),
        ],
    );
    let t = stdout(&text);
    assert!(
        t.contains("By system:") && t.contains("    portal: ") && t.contains("    wiki: "),
        "{t}"
    );
    // a register target that does not exist is named with its system and file
    std::fs::write(
        &reg,
        "[[system]]\nid = \"gone\"\nname = \"Gone\"\ncriticality = \"low\"\ntargets = [\"/nonexistent/x\"]\n",
    )
    .unwrap();
    let bad = mamori(
        &db,
        &["scan", "--no-store", "--config", reg.to_str().unwrap()],
    );
    assert_eq!(bad.status.code(), Some(2));
    let e = stderr(&bad);
    assert!(
        e.contains("gone") && e.contains("/nonexistent/x") && e.contains("mamori.toml"),
        "{e}"
    );
    // and with neither targets nor a register, the error says what to do
    let none = mamori(&db, &["scan", "--no-store"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("mamori init"), "{}", stderr(&none));
}
