//! The binary as a user meets it: CycloneDX validity, runs and diffs, exit codes, bad input,
//! and a scan killed midway.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::path::Path;

fn fixture(d: &Path) {
    openssl(
        d,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=app", "-days", "90",
            "-keyout", "app.key", "-out", "app.pem",
        ],
    );
    tool(
        d,
        "ssh-keygen",
        &["-q", "-t", "ecdsa", "-N", "", "-f", "id_ecdsa"],
        "openssh-client",
    );
    std::fs::copy(
        shared().join("pqc-certificates/bc/MLKEM768-X25519-SHA3-256-1.3.6.1.5.5.7.6.58_ee.der"),
        d.join("hybrid.der"),
    )
    .unwrap();
    std::fs::copy(
        shared().join("pqc-certificates/bc/ml-dsa-44-2.16.840.1.101.3.4.3.17_ta.der"),
        d.join("mldsa.der"),
    )
    .unwrap();
}

/// `mamori --help` says what mamori is today — cryptography and software, vulnerabilities,
/// the migration plan, the findings lifecycle, the server — and names its commands by what
/// they are for; `-h` says it in short, and each listed command answers `--help`.
#[test]
fn help_says_what_mamori_is_and_names_its_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let out = mamori(&db, &["--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = stdout(&out);
    for words in [
        "CBOM",
        "SBOM",
        "vulnerabilities",
        "container images",
        "network services",
        "post-quantum",
        "findings are followed",
        "mamori serve",
        "Inventory — what is there",
        "Post-quantum migration:",
        "Findings followed to their fix:",
        "Monitoring:",
        "Exit codes: 0 clean",
    ] {
        assert!(help.contains(words), "{words}: {help}");
    }
    let commands = [
        "scan", "vulndb", "runs", "show", "diff", "init", "plan", "findings", "serve", "worker",
        "schedule", "user",
    ];
    for c in commands {
        assert!(help.contains(&format!("\n  {c} ")), "{c}: {help}");
        let sub = mamori(&db, &[c, "--help"]);
        assert_eq!(sub.status.code(), Some(0), "{c}: {}", stderr(&sub));
    }
    // The commands run by the server itself stay out of the list.
    assert!(!help.contains("\n  insight") && !help.contains("\n  export"));
    let short = stdout(&mamori(&db, &["-h"]));
    assert!(
        short.contains("CBOM") && short.contains("monitoring server"),
        "{short}"
    );
    assert!(
        short.contains("\n  serve ") && short.contains("\n  findings "),
        "{short}"
    );
    assert!(short.len() < help.len());
}

#[test]
fn cyclonedx_output_is_schema_valid_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    fixture(&d);
    let out_file = dir.path().join("cbom.json");
    let o = mamori(
        &dir.path().join("m.db"),
        &[
            "scan",
            "--format",
            "cyclonedx",
            "-o",
            out_file.to_str().unwrap(),
            d.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bom: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let v = cyclonedx_validator("1.6");
    let errors: Vec<String> = v
        .iter_errors(&bom)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let comps = bom["components"].as_array().unwrap();
    let cert = comps
        .iter()
        .find(|c| c["cryptoProperties"]["assetType"] == "certificate" && c["name"] == "app")
        .expect("app certificate");
    let cp = &cert["cryptoProperties"]["certificateProperties"];
    assert_eq!(cp["subjectName"], "CN=app");
    assert_eq!(cp["signatureAlgorithmRef"], "alg:RSA-PKCS1-1.5-SHA-256");
    // subjectPublicKeyRef names the public key (related-crypto-material), which names its
    // algorithm.
    let pk_ref = cp["subjectPublicKeyRef"].as_str().unwrap();
    assert!(pk_ref.starts_with("key:sha256:"), "{pk_ref}");
    let pk = comps
        .iter()
        .find(|c| c["bom-ref"] == pk_ref)
        .expect("the public key component");
    assert_eq!(
        pk["cryptoProperties"]["relatedCryptoMaterialProperties"]["algorithmRef"],
        "alg:RSA-2048"
    );
    assert!(cert["evidence"]["occurrences"][0]["location"]
        .as_str()
        .unwrap()
        .ends_with("app.pem"));
    assert_eq!(cert["evidence"]["occurrences"][0]["line"], 1);
    // The referenced algorithms exist as components with full properties.
    let rsa = comps
        .iter()
        .find(|c| c["bom-ref"] == "alg:RSA-2048")
        .unwrap();
    let ap = &rsa["cryptoProperties"]["algorithmProperties"];
    assert_eq!(ap["classicalSecurityLevel"], 112);
    assert_eq!(ap["nistQuantumSecurityLevel"], 0);
    assert_eq!(rsa["cryptoProperties"]["oid"], "1.2.840.113549.1.1.1");
    let mlkem = comps
        .iter()
        .find(|c| c["bom-ref"] == "alg:MLKEM768-X25519-SHA3-256")
        .unwrap();
    assert_eq!(
        mlkem["cryptoProperties"]["algorithmProperties"]["primitive"],
        "kem"
    );
    assert_eq!(
        mlkem["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"],
        3
    );
    // the key of app.key (key ids are fingerprints of keys made at test time, so the
    // order of the key components is not fixed: find it by where it was seen)
    let key = comps
        .iter()
        .find(|c| {
            c["cryptoProperties"]["assetType"] == "related-crypto-material"
                && c["evidence"]["occurrences"].as_array().is_some_and(|o| {
                    o.iter().any(|o| {
                        o["location"]
                            .as_str()
                            .is_some_and(|l| l.ends_with("app.key"))
                    })
                })
        })
        .expect("the key component of app.key");
    assert_eq!(
        key["cryptoProperties"]["relatedCryptoMaterialProperties"]["type"],
        "private-key"
    );
    // Dependencies: certificate -> its algorithms.
    let deps = bom["dependencies"].as_array().unwrap();
    let d = deps.iter().find(|d| d["ref"] == cert["bom-ref"]).unwrap();
    assert_eq!(d["dependsOn"].as_array().unwrap().len(), 2);
}

#[test]
fn runs_and_diff_show_what_appeared_and_went_away() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    fixture(&d);
    let db = dir.path().join("m.db");
    let ts = d.to_str().unwrap();
    assert_eq!(mamori(&db, &["scan", "-q", ts]).status.code(), Some(0));
    std::fs::remove_file(d.join("app.pem")).unwrap();
    openssl(&d, &["genrsa", "-out", "legacy.key", "1024"]);
    assert_eq!(mamori(&db, &["scan", "-q", ts]).status.code(), Some(0));
    let runs = mamori(&db, &["runs", "--format", "json"]);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    let diff = mamori(&db, &["diff", "1", "2", "--format", "json"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let names = |k: &str| -> Vec<String> {
        diff[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(
        names("assets_removed").contains(&"app".to_string()),
        "{diff}"
    );
    assert!(
        names("assets_added").contains(&"RSA-1024 private key".to_string()),
        "{diff}"
    );
    let fa: Vec<&str> = diff["findings_added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(fa.contains(&"key-weak"), "{fa:?}");
    // Text output in Japanese.
    let t = mamori(&db, &["--lang", "ja", "diff", "1", "2"]);
    assert!(stdout(&t).contains("消えた資産"), "{}", stdout(&t));
    // A run that does not exist is a clear error with exit code 2.
    let bad = mamori(&db, &["diff", "1", "9"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no run 9"), "{}", stderr(&bad));
    // show re-renders a stored run.
    let s = mamori(&db, &["show", "1", "--format", "json"]);
    let s: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert_eq!(s["run"], 1);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    openssl(&d, &["genrsa", "-out", "weak.key", "1024"]);
    let db = dir.path().join("m.db");
    let ts = d.to_str().unwrap();
    assert_eq!(mamori(&db, &["scan", "-q", ts]).status.code(), Some(0));
    assert_eq!(
        mamori(&db, &["scan", "-q", "--fail-on", "high", ts])
            .status
            .code(),
        Some(1)
    );
    // The same findings, explained in Japanese.
    let ja = mamori(&db, &["--lang", "ja", "scan", "--no-store", ts]);
    let out = stdout(&ja);
    assert!(out.contains("強度不足の鍵 — RSA-1024"), "{out}");
    assert!(out.contains("RSA-1024 の鍵は強度が不足しており"), "{out}");
    assert!(out.contains("対策: 直ちに RSA-3072 以上"), "{out}");
    assert_eq!(
        mamori(&db, &["scan", "-q", "--fail-on", "critical", ts])
            .status
            .code(),
        Some(0)
    );
    let bad = mamori(&db, &["scan", "--fail-on", "urgent", ts]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = mamori(&db, &["scan", "/nonexistent/mamori-target"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent/mamori-target"));
    // A store that is not a database: named in the error, exit 2, the file untouched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let o = mamori(&junk, &["scan", ts]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("junk.db"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&junk).unwrap(), vec![b'x'; 4096]);
}

#[test]
fn bad_input_is_warned_about_and_the_scan_goes_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    openssl(
        &d,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=good", "-keyout",
            "good.key", "-out", "good.pem",
        ],
    );
    let pem = std::fs::read_to_string(d.join("good.pem")).unwrap();
    // Truncated PEM, corrupted base64, DER cut short, garbage with a cert extension.
    std::fs::write(d.join("truncated.pem"), &pem[..pem.len() / 2]).unwrap();
    let corrupt: Vec<String> = pem
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 {
                l.replace(['A', 'B', 'C'], "*")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(d.join("badb64.pem"), corrupt.join("\n")).unwrap();
    let der = std::process::Command::new("openssl")
        .args(["x509", "-in"])
        .arg(d.join("good.pem"))
        .args(["-outform", "DER"])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(d.join("short.crt"), &der[..der.len() / 3]).unwrap();
    std::fs::write(d.join("garbage.cer"), b"\x00\x01not a certificate at all").unwrap();
    std::fs::write(d.join("broken.pub"), "ssh-ed25519 !!!notbase64 user@host\n").unwrap();
    symlink("/nonexistent/target", d.join("dangling")).unwrap();
    symlink(d.join("loop2"), d.join("loop1")).unwrap();
    symlink(d.join("loop1"), d.join("loop2")).unwrap();
    symlink("/etc/ssl", d.join("outside")).unwrap(); // out of the target: not followed
    let fifo = d.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let bad_name = std::ffi::OsStr::new("caf\u{e9}").to_os_string();
    let mut raw = bad_name.into_encoded_bytes();
    raw[3] = 0xe9; // Latin-1 é: not UTF-8
    let bad_path = d.join(unsafe_free_osstr(raw));
    std::fs::write(&bad_path, &pem).unwrap();

    let db = dir.path().join("m.db");
    let r = scan_json(&db, &[&d], &[]);
    let warnings: Vec<(String, String)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_string(),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |file: &str, words: &str| {
        warnings
            .iter()
            .any(|(p, m)| p.ends_with(file) && m.contains(words))
    };
    assert!(has("truncated.pem", "END"), "{warnings:#?}");
    assert!(has("badb64.pem", "base64"), "{warnings:#?}");
    assert!(has("short.crt", "truncated"), "{warnings:#?}");
    assert!(has("garbage.cer", "not a certificate"), "{warnings:#?}");
    assert!(has("broken.pub", "base64"), "{warnings:#?}");
    assert!(has("dangling", "dangling"), "{warnings:#?}");
    assert!(has("loop1", "loop"), "{warnings:#?}");
    assert!(has("fifo", "named pipe"), "{warnings:#?}");
    assert!(
        warnings.iter().any(|(_, m)| m.contains("UTF-8")),
        "{warnings:#?}"
    );
    // Nothing from outside the target was read.
    assert!(!serde_json::to_string(&r)
        .unwrap()
        .contains("/etc/ssl/certs"));
    // The good certificate was found, once, in two places (good.pem and the non-UTF-8 copy).
    let good = asset_at(&r, "certificate", "good.pem");
    assert_eq!(good["occurrences"].as_array().unwrap().len(), 2);
    // The text summary counts the warnings; --verbose lists them.
    let t = mamori(&db, &["scan", "--no-store", d.to_str().unwrap()]);
    assert!(
        stdout(&t).contains(&format!("Warnings: {}", warnings.len())),
        "{}",
        stdout(&t)
    );
    let t = mamori(&db, &["scan", "--no-store", "-v", d.to_str().unwrap()]);
    assert!(
        stdout(&t).contains("dangling symlink to /nonexistent/target"),
        "{}",
        stdout(&t)
    );
}

fn unsafe_free_osstr(raw: Vec<u8>) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(raw)
}

#[test]
fn excludes_skip_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir_all(d.join("vendor")).unwrap();
    openssl(&d, &["genrsa", "-out", "vendor/v.key", "1024"]);
    openssl(&d, &["genrsa", "-out", "mine.key", "2048"]);
    let r = scan_json(&dir.path().join("m.db"), &[&d], &["--exclude", "vendor/"]);
    let keys = assets_of(&r, "key");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["key"]["size"], 2048);
}

/// A scan killed midway leaves the store as it was: the run is written in one transaction
/// at the end.
#[test]
fn killed_scan_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    openssl(&d, &["genrsa", "-out", "k.key", "2048"]);
    let db = dir.path().join("m.db");
    assert_eq!(
        mamori(&db, &["scan", "-q", d.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let before = mamori(&db, &["runs", "--format", "json"]).stdout;
    // A big tree: /usr takes seconds; kill it after 300 ms.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["scan", "-q", "/usr"])
        .env("MAMORI_DB", &db)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let after = mamori(&db, &["runs", "--format", "json"]).stdout;
    if still_running {
        assert_eq!(before, after, "a killed scan changed the store");
    }
    // The store still works.
    assert_eq!(
        mamori(&db, &["scan", "-q", d.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let runs: serde_json::Value =
        serde_json::from_slice(&mamori(&db, &["runs", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        runs.as_array().unwrap().len(),
        if still_running { 2 } else { 3 }
    );
}

/// An OCI image tarball as a user would scan it: two layers, the upper one deleting a file
/// of the lower one (whiteout); made with python3's tarfile, checked by skopeo when present.
#[test]
fn scans_an_oci_image_tarball() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("l1/etc/ssl")).unwrap();
    std::fs::create_dir_all(d.join("l2/etc/ssl")).unwrap();
    openssl(
        &d.join("l1/etc/ssl"),
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kept", "-keyout",
            "kept.key", "-out", "kept.pem",
        ],
    );
    openssl(
        &d.join("l1/etc/ssl"),
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-subj",
            "/CN=deleted",
            "-keyout",
            "old.key",
            "-out",
            "old.pem",
        ],
    );
    std::fs::write(d.join("l2/etc/ssl/.wh.old.pem"), b"").unwrap();
    std::fs::write(d.join("l2/etc/ssl/.wh.old.key"), b"").unwrap();
    let script = r#"
import gzip, hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
def layer(name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(os.path.join(root, name), arcname=".")
    raw = buf.getvalue()
    return gzip.compress(raw), hashlib.sha256(raw).hexdigest()
blobs = {}
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    blobs[h] = data
    return h
layers = [layer("l1"), layer("l2")]
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for _, d in layers]}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + blob(cfg), "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + blob(g), "size": len(g)} for g, _ in layers]}).encode()
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + blob(man), "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "app:1"}}]}).encode()
with tarfile.open(os.path.join(root, "image.tar"), "w") as t:
    for name, data in [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)] + \
            [("blobs/sha256/" + h, b) for h, b in blobs.items()]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
"#;
    tool(
        d,
        "python3",
        &["-c", script, d.to_str().unwrap()],
        "python3",
    );
    let image = d.join("image.tar");
    if let Ok(o) = std::process::Command::new("skopeo")
        .arg("inspect")
        .arg(format!("oci-archive:{}", image.display()))
        .output()
    {
        assert!(
            o.status.success(),
            "skopeo rejects the fixture: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let r = scan_json(&d.join("m.db"), &[&image], &[]);
    let certs = assets_of(&r, "certificate");
    let names: Vec<&str> = certs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec!["kept"],
        "whiteouts must hide the deleted certificate"
    );
    let occ = &certs[0]["occurrences"][0]["location"];
    assert_eq!(occ["path"], "/etc/ssl/kept.pem");
    assert!(
        occ["container"]
            .as_str()
            .unwrap()
            .ends_with("image.tar@app:1"),
        "{occ}"
    );
    assert_eq!(assets_of(&r, "key").len(), 1);
}

/// What the user named is what is read: a symlinked target is followed, nothing outside it
/// is read through an Include, old reports inside the tree are not re-imported, and
/// excludes may be written with the target's path.
#[test]
fn reads_only_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = d.join("t");
    std::fs::create_dir_all(t.join("etc/ssh/sshd_config.d")).unwrap();
    std::fs::create_dir_all(t.join("vendor")).unwrap();
    // Outside the target: a config an Include points at.
    std::fs::write(d.join("outside.conf"), "Ciphers 3des-cbc\n").unwrap();
    std::fs::write(
        t.join("etc/ssh/sshd_config"),
        format!(
            "Include /etc/ssh/sshd_config.d/*.conf\nInclude {}\nKexAlgorithms curve25519-sha256\n",
            d.join("outside.conf").display()
        ),
    )
    .unwrap();
    // The target's own drop-in, reached through the absolute Include (the target is a root fs).
    std::fs::write(
        t.join("etc/ssh/sshd_config.d/legacy.conf"),
        "MACs hmac-md5\n",
    )
    .unwrap();
    openssl(&t, &["genrsa", "-out", "vendor/v.key", "1024"]);
    openssl(&t, &["genrsa", "-out", "app.key", "2048"]);
    // In a root file system an absolute link points inside it: not dangling.
    std::fs::create_dir_all(t.join("etc/nginx/sites-available")).unwrap();
    std::fs::create_dir_all(t.join("etc/nginx/sites-enabled")).unwrap();
    std::fs::write(t.join("etc/nginx/sites-available/default"), "server {}\n").unwrap();
    std::os::unix::fs::symlink(
        "/etc/nginx/sites-available/default",
        t.join("etc/nginx/sites-enabled/default"),
    )
    .unwrap();
    // An armored OpenPGP signature holds no key: neither a key nor a warning.
    std::fs::write(
        t.join("Release.gpg"),
        "-----BEGIN PGP SIGNATURE-----\n\niQIzBAABCgAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n",
    )
    .unwrap();
    let link = d.join("link");
    std::os::unix::fs::symlink(&t, &link).unwrap();
    let db = d.join("m.db");

    let r = scan_json(
        &db,
        &[&link],
        &["--exclude", &format!("{}/vendor/", link.display())],
    );
    let ids: Vec<&str> = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"alg:hmac-md5"),
        "the target's drop-in was not read: {ids:?}"
    );
    assert!(
        !ids.contains(&"alg:3des-cbc"),
        "a file outside the target was read: {ids:?}"
    );
    // The one warning: the Include that points outside the target was not read.
    let w = r["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read Include"),
        "{w:?}"
    );
    let keys = assets_of(&r, "key");
    assert_eq!(
        keys.len(),
        1,
        "the excluded vendor/ key was read: {keys:#?}"
    );
    assert_eq!(keys[0]["key"]["size"], 2048);

    // A CBOM left in the tree is a report, not an input: after the key is gone, so is the asset.
    let bom = t.join("cbom.json");
    let o = mamori(
        &db,
        &[
            "scan",
            "-q",
            "-f",
            "cyclonedx",
            "-o",
            bom.to_str().unwrap(),
            t.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    std::fs::remove_file(t.join("app.key")).unwrap();
    std::fs::remove_dir_all(t.join("vendor")).unwrap();
    let r = scan_json(&db, &[&t], &[]);
    assert!(
        assets_of(&r, "key").is_empty(),
        "keys came back from the old report"
    );
    // Given as a target, the same BOM is read (it recorded both keys).
    let r = scan_json(&db, &[&bom], &[]);
    assert_eq!(assets_of(&r, "key").len(), 2);
}

/// The same tree scanned as `t`, `./t` and by its absolute path gives runs with no diff.
#[test]
fn how_the_target_is_typed_does_not_change_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("t")).unwrap();
    openssl(&d.join("t"), &["genrsa", "-out", "k.key", "1024"]);
    let db = d.join("m.db");
    for target in ["t", "./t", d.join("t").to_str().unwrap()] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_mamori"))
            .args(["scan", "-q", target])
            .env("MAMORI_DB", &db)
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for (a, b) in [("1", "2"), ("2", "3")] {
        let diff: serde_json::Value =
            serde_json::from_slice(&mamori(&db, &["diff", a, b, "--format", "json"]).stdout)
                .unwrap();
        for k in [
            "assets_added",
            "assets_removed",
            "findings_added",
            "findings_removed",
        ] {
            assert!(
                diff[k].as_array().unwrap().is_empty(),
                "{a}->{b} {k}: {}",
                diff[k]
            );
        }
    }
}

/// A root file system with the kernel's /proc mounted inside (as in a chroot or a container
/// root): the walk does not enter it. Needs root for `mount`, as CI and scripts/test have.
#[test]
fn does_not_walk_into_a_mounted_proc() {
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::create_dir_all(root.join("etc/ssl")).unwrap();
    openssl(&root.join("etc/ssl"), &["genrsa", "-out", "k.key", "2048"]);
    let st = std::process::Command::new("mount")
        .args(["-t", "proc", "proc"])
        .arg(root.join("proc"))
        .status()
        .expect("mount runs (package mount)");
    assert!(
        st.success(),
        "mount -t proc failed: this test needs root, as CI has"
    );
    let _guard = Unmount(root.join("proc"));
    let r = scan_json(&dir.path().join("m.db"), &[&root], &[]);
    assert!(
        r["files"].as_u64().unwrap() < 10,
        "walked into /proc: {} files",
        r["files"]
    );
    assert_eq!(assets_of(&r, "key").len(), 1);
}

/// `-o` into a device or a pipe writes into it: the usual `-o /dev/null` must not replace the
/// device with a file (the write-then-rename that protects regular files would).
#[test]
fn output_into_devices_and_pipes_writes_through() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo");
    let d = demo.display().to_string();
    let out = mamori(
        &db,
        &[
            "scan",
            "-q",
            "--no-store",
            "-f",
            "json",
            "-o",
            "/dev/null",
            &d,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");

    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (Debian package coreutils)");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let f = fifo.display().to_string();
    let out = mamori(
        &db,
        &["scan", "-q", "--no-store", "-f", "json", "-o", &f, &d],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(got["mamoriFormat"], 1);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn init_writes_a_register_that_parses_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let file = dir.path().join("mamori.toml");
    let f = file.to_str().unwrap();
    let out = common::mamori(&db, &["init", f]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let r = mamori_plan::register::Register::load(&file).unwrap();
    assert!(!r.systems.is_empty());
    // its policy is a built-in profile
    let policy = r.plan.policy.as_deref().unwrap();
    assert!(
        mamori_plan::policy::Policy::builtin(policy).is_some(),
        "{policy}"
    );
    // a second init refuses, naming the file, and leaves it alone
    std::fs::write(&file, "# mine\n").unwrap();
    let again = common::mamori(&db, &["init", f]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        common::stderr(&again).contains(f),
        "{}",
        common::stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
    let forced = common::mamori(&db, &["init", "--force", f]);
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        mamori_plan::register::EXAMPLE
    );
}
