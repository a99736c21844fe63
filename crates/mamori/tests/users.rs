//! `mamori user`: the first admin and scoped users made from the command line, passwords
//! only as Argon2id hashes, API tokens shown once.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

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

/// `mamori user …` with the password on standard input.
fn with_stdin(db: &Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .env("MAMORI_DB", db)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
    child.wait_with_output().unwrap()
}

fn days_from_now(rfc3339: &str) -> f64 {
    let at = mamori_model::date::parse_rfc3339(rfc3339).unwrap();
    (at - mamori_store::unix_now()) as f64 / 86_400.0
}

#[test]
fn tokens_end_are_listed_and_revoked_and_passwords_are_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let out = add(&db, &["aiko"], "a long enough secret");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    add(&db, &["root", "--role", "admin"], "another long secret");
    // Standard output is the token alone; what it is and when it ends goes beside it.
    let token = |args: &[&str]| {
        let mut a = vec!["user", "token", "aiko"];
        a.extend_from_slice(args);
        let out = mamori(&db, &a);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let t = stdout(&out).trim().to_string();
        assert!(t.starts_with("mamori_") && t.len() == 71, "{t}");
        (t, stderr(&out))
    };
    let (_, said) = token(&[]);
    assert!(said.contains("expires 20"), "{said}");
    token(&["--label", "ci", "--expires-in", "30d"]);
    token(&["--label", "release", "--expires", "2099-03-01"]);
    let (_, said) = token(&["--label", "forever", "--no-expiry"]);
    assert!(said.contains("never expires"), "{said}");
    let list: serde_json::Value =
        serde_json::from_slice(&mamori(&db, &["user", "tokens", "aiko", "-f", "json"]).stdout)
            .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    // By default a token ends after 90 days; never without being asked.
    assert_eq!(list[0]["label"], "api");
    let d = days_from_now(list[0]["expires"].as_str().unwrap());
    assert!((89.9..=90.0).contains(&d), "{d}");
    let d = days_from_now(list[1]["expires"].as_str().unwrap());
    assert!((29.9..=30.0).contains(&d), "{d}");
    assert_eq!(list[2]["expires"], "2099-03-01T00:00:00Z");
    assert_eq!(list[3]["expires"], serde_json::Value::Null);
    for t in list {
        assert_eq!(t["last_used"], serde_json::Value::Null);
        assert_eq!(t["expired"], false);
        assert!(t.get("digest").is_none() && t.get("token").is_none(), "{t}");
    }
    let text = stdout(&mamori(&db, &["user", "tokens", "aiko"]));
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("never expires") && text.contains("never used"));
    assert!(text.contains("expires 2099-03-01T00:00:00Z"), "{text}");
    // Mistakes are refused, and say what to give.
    for (args, says) in [
        (vec!["--expires", "2001-01-01"], "has passed"),
        (vec!["--expires", "next week"], "give a day"),
        (vec!["--expires-in", "soon"], "such as 30d"),
        (vec!["--expires-in", "0d"], "such as 30d"),
        (
            vec!["--expires-in", "30d", "--no-expiry"],
            "cannot be used with",
        ),
        (vec!["--label", ""], "label"),
    ] {
        let mut a = vec!["user", "token", "aiko"];
        a.extend_from_slice(&args);
        let out = mamori(&db, &a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    // One revoked, by its id; another user's id is not theirs to revoke.
    let ci = list[1]["id"].as_i64().unwrap().to_string();
    let out = mamori(&db, &["user", "revoke", "root", &ci]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("no API token {ci} of root")));
    let out = mamori(&db, &["user", "revoke", "aiko", &ci]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("revoked"));
    let text = stdout(&mamori(&db, &["user", "tokens", "aiko"]));
    assert_eq!(text.lines().count(), 3);
    assert!(!text.contains(" ci "), "{text}");
    assert!(stdout(&mamori(&db, &["user", "tokens", "root"])).contains("no API tokens"));
    assert!(stderr(&mamori(&db, &["user", "tokens", "nobody"])).contains("no user nobody"));

    // A password set by the administrator: the old one no longer signs in.
    let out = with_stdin(
        &db,
        &["user", "passwd", "aiko", "--password-stdin"],
        "a brand new secret",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("password of aiko set"),
        "{}",
        stdout(&out)
    );
    let s = mamori_store::Store::open(&db).unwrap();
    assert!(s.login("aiko", "a brand new secret").unwrap().is_some());
    assert!(s.login("aiko", "a long enough secret").unwrap().is_none());
    let out = with_stdin(
        &db,
        &["user", "passwd", "aiko", "--password-stdin"],
        "short",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at least 12 characters"));
    let out = with_stdin(
        &db,
        &["user", "passwd", "nobody", "--password-stdin"],
        "a brand new secret",
    );
    assert!(stderr(&out).contains("no user nobody"), "{}", stderr(&out));
}
