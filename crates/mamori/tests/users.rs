//! `mamori user`: the first admin and scoped users made from the command line, passwords
//! only as Argon2id hashes, API tokens shown once.

mod common;

use common::{mamori, stderr, stdout};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn add(db: &Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["user", "add"])
        .args(args)
        .arg("--password-stdin")
        .env("MAMORI_DB", db)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let out = add(&db, &["root", "--role", "admin"], "a long enough secret");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("admin of every system"));
    let out = add(
        &db,
        &[
            "aiko", "--role", "viewer", "--system", "tax", "--system", "web",
        ],
        "another long secret",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Refused: a short password, a taken name, an unknown role.
    let out = add(&db, &["ken"], "short");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at least 12 characters"));
    let out = add(&db, &["root"], "a long enough secret");
    assert!(
        stderr(&out).contains("already a user root"),
        "{}",
        stderr(&out)
    );
    let out = add(&db, &["ken", "--role", "god"], "a long enough secret");
    assert!(stderr(&out).contains("unknown role 'god'"));

    let list: serde_json::Value =
        serde_json::from_slice(&mamori(&db, &["user", "list", "-f", "json"]).stdout).unwrap();
    let users = list.as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0]["name"], "aiko");
    assert_eq!(users[0]["grants"][1]["system"], "web");
    assert_eq!(users[0]["grants"][1]["role"], "viewer");
    // The store (its file and its write-ahead log) holds the hash, never the password.
    let raw = || {
        let mut b = std::fs::read(&db).unwrap();
        b.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
        b
    };
    let holds = |needle: &[u8]| raw().windows(needle.len()).any(|w| w == needle);
    assert!(holds(b"$argon2id$"), "the hash is stored");
    assert!(!holds(b"another long secret"));

    let out = mamori(&db, &["user", "token", "aiko"]);
    let token = stdout(&out).trim().to_string();
    assert!(token.starts_with("mamori_") && token.len() == 71, "{token}");
    assert!(!holds(token.as_bytes()));

    let out = mamori(&db, &["user", "remove", "aiko"]);
    assert_eq!(out.status.code(), Some(0));
    let out = mamori(&db, &["user", "remove", "aiko"]);
    assert!(stderr(&out).contains("no user aiko"));
}
