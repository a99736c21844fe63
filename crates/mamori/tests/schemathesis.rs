//! The OpenAPI document against the server that serves it: schemathesis (PyPI) generates
//! requests from `/api/openapi.json` — valid ones, which must be answered as documented,
//! and invalid ones, which must be refused with a 4xx — and fails on any 5xx, any answer
//! its schema does not describe, and any schema-breaking request the server accepts.
//! `scripts/test` installs schemathesis into target/st-venv; $MAMORI_SCHEMATHESIS names
//! another `st`.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{scan_register, user_with_token, Served};
use std::path::{Path, PathBuf};
use std::process::Command;

fn st() -> PathBuf {
    if let Ok(p) = std::env::var("MAMORI_SCHEMATHESIS") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/st-venv/bin/st")
}

#[test]
fn schemathesis_finds_nothing_wrong_with_the_api() {
    let st = st();
    assert!(
        st.exists(),
        "schemathesis is not at {} — scripts/test installs it (python3 -m venv target/st-venv && target/st-venv/bin/pip install schemathesis)",
        st.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reg = common::two_systems(d, false);
    let db = d.join("m.db");
    scan_register(&db, &reg);
    scan_register(&db, &reg);
    let token = user_with_token(&db, "admin", "admin", None);
    // revokeToken would revoke the very token schemathesis sends (its id, 1, is the least
    // the schema allows, which schemathesis tries) and leave every later request a 401:
    // it gets a run of its own, last, with a token of another user.
    let other = user_with_token(&db, "va", "viewer", Some("alpha"));
    // No workers: the scans schemathesis asks for stay queued, the store stays small.
    let s = Served::start(&db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let run = |token: &str, filter: &[&str]| {
        let out = Command::new(&st)
            .arg("--config-file")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis/schemathesis.toml"))
            .args([
                "run",
                &format!("http://127.0.0.1:{}/api/openapi.json", s.port),
            ])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--max-examples", "40", "--seed", "20261126", "--no-color"])
            .args(filter)
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(d)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} ({e})", st.display()));
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "schemathesis found problems:\n{text}\n{}\nserver:\n{}",
            String::from_utf8_lossy(&out.stderr),
            s.log()
        );
        text
    };
    let text = run(&token, &["--exclude-operation-id", "revokeToken"]);
    assert!(
        text.contains("Stateful") && text.contains("passed"),
        "{text}"
    );
    // The token served the whole run.
    let me = mamori_testkit::http(
        s.port,
        "GET",
        "/api/v1/me",
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(me.status, 200, "{}", me.text());
    let text = run(&other, &["--include-operation-id", "revokeToken"]);
    assert!(text.contains("passed"), "{text}");
}
