//! Crypto in the files of installed OS packages, end to end, as a user scanning a Debian
//! root file system sees it: a package built by dpkg-deb and installed by dpkg calls MD5
//! and SHA-1 in its own Python modules, the user's own code calls MD5 too. The user's code
//! is the one HIGH finding; the package's crypto is one LOW finding per algorithm; the
//! inventory still lists every place; and the package's finding stays one tracked item
//! when an upgrade moves its code.
//! Tools needed (Debian packages): dpkg.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, stderr, stdout};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run_tool(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} not runnable ({e}): install the Debian package dpkg"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, data: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

/// `mamori-demo` at `version`, built by dpkg-deb; `pad` blank lines before its code.
fn demo_deb(work: &Path, version: &str, pad: usize) -> PathBuf {
    let dir = work.join(format!("deb-{version}"));
    write(
        &dir.join("DEBIAN/control"),
        &format!(
            "Package: mamori-demo\nVersion: {version}\nArchitecture: all\nMaintainer: mamori tests <t@example.org>\nDescription: test package\n"
        ),
    );
    let code = format!(
        "import hashlib\n{}\ndef legacy(b):\n    return hashlib.md5(b).hexdigest()\n\n\ndef fingerprint(b):\n    return hashlib.sha1(b).hexdigest()\n",
        "\n".repeat(pad)
    );
    write(
        &dir.join("usr/lib/python3/dist-packages/mamori_demo/legacy.py"),
        &code,
    );
    // Installed through the root's /lib → usr/lib link.
    write(&dir.join("lib/mamori-demo/tool.py"), &code);
    let out = work.join(format!("mamori-demo_{version}.deb"));
    run_tool(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "--build"])
            .arg(&dir)
            .arg(&out),
    );
    out
}

fn dpkg_install(root: &Path, deb: &Path) {
    run_tool(
        Command::new("dpkg")
            .arg(format!("--root={}", root.display()))
            .args(["--force-script-chrootless", "--log=/dev/null", "-i"])
            .arg(deb),
    );
}

/// A merged-/usr Debian 12 root with `mamori-demo` 1.2-3 installed by dpkg and the user's
/// own `/opt/app/x.py` calling MD5.
fn debian_root(work: &Path) -> PathBuf {
    let root = work.join("rootfs");
    for d in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
        "usr/lib",
        "usr/bin",
    ] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
    std::os::unix::fs::symlink("usr/bin", root.join("bin")).unwrap();
    write(
        &root.join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    );
    dpkg_install(&root, &demo_deb(work, "1.2-3", 0));
    write(
        &root.join("opt/app/x.py"),
        "import hashlib\n\ndef token(b):\n    return hashlib.md5(b).hexdigest()\n",
    );
    root
}

fn scan(db: &Path, root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan", "--no-vulns"];
    args.extend_from_slice(extra);
    let r = root.display().to_string();
    args.push(&r);
    let out = mamori(db, &args);
    // 1: findings at or above --fail-on (high by default).
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

#[test]
fn a_debian_root_shows_the_users_code_and_one_finding_per_package_and_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let root = debian_root(dir.path());
    let db = dir.path().join("m.db");

    // What a person reads.
    let out = scan(&db, &root, &["--lang", "en"]);
    let text = stdout(&out);
    assert!(
        text.contains("Findings: 3  (CRITICAL 0, HIGH 1, MEDIUM 0, LOW 2, INFO 0)"),
        "{text}"
    );
    assert!(
        text.contains("Broken algorithm in an installed package — MD5"),
        "{text}"
    );
    assert!(text.contains("mamori-demo 1.2-3"), "{text}");
    let out = scan(&db, &root, &["--lang", "ja", "-q"]);
    assert!(
        stdout(&out).contains("インストール済みパッケージ mamori-demo 1.2-3"),
        "{}",
        stdout(&out)
    );

    // What a script reads.
    let out = scan(&db, &root, &["--format", "json", "-q"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rs = root.display().to_string();
    let mut got: Vec<(String, String, String, String, u64)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["asset_id"].as_str().unwrap().to_string(),
                f["location"]["path"]
                    .as_str()
                    .unwrap()
                    .strip_prefix(&rs)
                    .unwrap()
                    .to_string(),
                f["other_locations"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let tool = "/usr/lib/mamori-demo/tool.py".to_string();
    assert_eq!(
        got,
        [
            (
                "crypto-broken-algorithm".to_string(),
                "high".to_string(),
                "alg:MD5".to_string(),
                "/opt/app/x.py".to_string(),
                0
            ),
            (
                "package-crypto-broken-algorithm".to_string(),
                "low".to_string(),
                "alg:MD5".to_string(),
                tool.clone(),
                1
            ),
            (
                "package-crypto-broken-algorithm".to_string(),
                "low".to_string(),
                "alg:SHA-1".to_string(),
                tool,
                1
            ),
        ]
    );
    for f in r["findings"].as_array().unwrap() {
        if f["code"].as_str().unwrap().starts_with("package-") {
            assert_eq!(f["package"]["name"], "mamori-demo");
            assert_eq!(f["package"]["version"], "1.2-3");
            assert_eq!(
                f["package"]["purl"],
                "pkg:deb/debian/mamori-demo@1.2-3?arch=all&distro=debian-12"
            );
        }
    }
    // The inventory still lists every place, each with its owner.
    let md5 = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "alg:MD5")
        .unwrap();
    let occ = md5["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 3);
    assert_eq!(
        occ.iter()
            .filter(|o| o["package"]["name"] == "mamori-demo")
            .count(),
        2
    );
    // The CycloneDX inventory too.
    let out = scan(&db, &root, &["--format", "cyclonedx", "-q"]);
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let md5 = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == "alg:MD5")
        .unwrap();
    assert_eq!(md5["evidence"]["occurrences"].as_array().unwrap().len(), 3);
}

#[test]
fn a_package_finding_is_one_tracked_item_across_an_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let root = debian_root(dir.path());
    let db = dir.path().join("m.db");
    scan(&db, &root, &["-q"]);
    // The upgrade moves the MD5 call down three lines.
    dpkg_install(&root, &demo_deb(dir.path(), "1.2-4", 3));
    scan(&db, &root, &["-q"]);
    let out = mamori(
        &db,
        &[
            "findings",
            "list",
            "-f",
            "json",
            "--status",
            "new,open,acknowledged,accepted,fixed,reopened",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let l: Vec<Value> = serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let pkg: Vec<&Value> = l
        .iter()
        .filter(|t| {
            t["title"]
                .as_str()
                .unwrap()
                .starts_with("package-crypto-broken-algorithm")
        })
        .collect();
    assert_eq!(pkg.len(), 2, "MD5 and SHA-1, nothing fixed or new: {l:#?}");
    for t in pkg {
        assert_eq!(t["status"], "open", "{t:#?}");
        assert!(
            t["title"].as_str().unwrap().ends_with("(mamori-demo)"),
            "{t:#?}"
        );
        assert_eq!(t["severity"], "low");
    }
}
