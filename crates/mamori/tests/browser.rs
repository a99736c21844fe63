//! The dashboard in a real browser: Debian's headless Chromium driven by Playwright
//! (`playwright-core` from npm, with Chromium as its executable). The steps are in
//! `tests/browser/dashboard.js`; `scripts/test` installs node, npm and playwright-core
//! (into target/npm) and keeps the screenshots in target/screenshots.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{user_with_token, Served};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `playwright-core` is: $MAMORI_NODE_PATH, else target/npm/node_modules.
fn node_path() -> PathBuf {
    if let Ok(p) = std::env::var("MAMORI_NODE_PATH") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/npm/node_modules")
}

#[test]
fn a_person_signs_in_scans_acknowledges_and_reads_the_charts() {
    let modules = node_path();
    assert!(
        modules.join("playwright-core").is_dir(),
        "playwright-core is not in {} — scripts/test installs it (npm install --prefix target/npm playwright-core)",
        modules.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reg = common::two_systems(d, true);
    let db = d.join("m.db");
    let token = user_with_token(&db, "hanako", "analyst", None);
    let s = Served::start(&db, &["--config", reg.to_str().unwrap(), "--tick", "1"]);
    // Wait for the scheduled scan of alpha, so the overview has something to draw.
    let start = std::time::Instant::now();
    loop {
        let r = mamori_testkit::http(
            s.port,
            "GET",
            "/api/v1/runs",
            &[("Authorization", &format!("Bearer {token}"))],
            b"",
        )
        .json();
        if r["total"].as_u64().is_some_and(|n| n > 0) {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "{}", s.log());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let shots = match std::env::var("MAMORI_SCREENSHOTS") {
        Ok(p) => PathBuf::from(p),
        Err(_) => d.join("shots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/dashboard.js"))
        .env("NODE_PATH", &modules)
        .env("BASE", format!("http://127.0.0.1:{}", s.port))
        .env("USER_NAME", "hanako")
        .env("PASSWORD", "correct horse battery staple")
        .env("CHROMIUM", "/usr/bin/chromium")
        .env("SCREENSHOTS", &shots)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Debian's nodejs (scripts/test does)")
        });
    assert!(
        out.status.success(),
        "the browser test failed:\n{}\n{}\nserver:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    let files: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in [
        "dashboard-overview-en",
        "dashboard-run",
        "dashboard-finding",
        "dashboard-findings",
        "dashboard-account",
        "dashboard-overview-ja",
    ] {
        let f = files[name].as_str().unwrap_or_else(|| panic!("no {name}"));
        let png = std::fs::read(f).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}");
    }
}
