//! `mamori findings`: findings followed across real scans of a real tree — found, seen
//! again, acknowledged, accepted, fixed when the file is cleaned, reopened when it comes
//! back — with the history of who did what.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, scan_register, stderr, stdout};
use serde_json::Value;
use std::path::Path;

fn scan(db: &Path, dir: &Path) {
    let out = mamori(db, &["scan", "-q", "--no-vulns", dir.to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
}

fn list(db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["findings", "list", "-f", "json"];
    args.extend_from_slice(extra);
    let out = mamori(db, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn by_asset<'a>(l: &'a [Value], asset: &str) -> &'a Value {
    l.iter()
        .find(|t| t["title"].as_str().unwrap().ends_with(&format!(" {asset}")))
        .unwrap_or_else(|| panic!("{asset} in {l:#?}"))
}

#[test]
fn findings_live_from_discovery_to_verified_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let app = d.join("app");
    std::fs::create_dir(&app).unwrap();
    let code = "import hashlib\nfrom Crypto.Cipher import DES\n\ndef h(b):\n    return hashlib.md5(b).hexdigest()\n\ndef enc(k, b):\n    return DES.new(k, DES.MODE_ECB).encrypt(b)\n";
    std::fs::write(app.join("tokens.py"), code).unwrap();
    let db = d.join("m.db");
    scan(&db, &app);
    let l = list(&db, &[]);
    let md5 = by_asset(&l, "MD5")["id"].as_i64().unwrap().to_string();
    let des = by_asset(&l, "DES-ECB")["id"].as_i64().unwrap().to_string();
    assert_eq!(by_asset(&l, "MD5")["status"], "new");
    // A high finding is due in 30 days.
    assert!(by_asset(&l, "MD5")["due"].as_str().unwrap().len() == 10);

    let out = mamori(
        &db,
        &[
            "findings",
            "ack",
            &md5,
            "--as",
            "aiko",
            "--comment",
            "SEC-12",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let in_a_month = mamori_store::lifecycle::add_days(&mamori_store::now_rfc3339(), 30).unwrap();
    let out = mamori(
        &db,
        &[
            "findings",
            "accept",
            &des,
            "--until",
            &in_a_month,
            "--as",
            "kenji",
            "--comment",
            "legacy device, replaced next year",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A date already past is refused, and nothing changes.
    let out = mamori(&db, &["findings", "accept", &md5, "--until", "2001-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must end after today"),
        "{}",
        stderr(&out)
    );
    // Nor forever, nor a day no calendar has.
    for (until, why) in [
        ("9999-12-31", "a year at most"),
        ("2030-02-30", "not a date"),
        ("+999-01-01", "not a date"),
    ] {
        let out = mamori(&db, &["findings", "accept", &md5, "--until", until]);
        assert_eq!(out.status.code(), Some(2), "{until}");
        assert!(stderr(&out).contains(why), "{until}: {}", stderr(&out));
    }

    // Seen again: people's decisions stay.
    scan(&db, &app);
    let l = list(&db, &[]);
    assert_eq!(by_asset(&l, "MD5")["status"], "acknowledged");
    assert_eq!(by_asset(&l, "DES-ECB")["status"], "accepted");
    assert_eq!(
        by_asset(&l, "DES-ECB")["accepted_until"],
        in_a_month.as_str()
    );

    // MD5 leaves the code: fixed by the next scan, out of the default list.
    std::fs::write(
        app.join("tokens.py"),
        code.replace("hashlib.md5(b)", "hashlib.sha256(b)"),
    )
    .unwrap();
    scan(&db, &app);
    assert!(list(&db, &[])
        .iter()
        .all(|t| t["id"].as_i64().unwrap().to_string() != md5));
    let fixed = list(&db, &["--status", "fixed"]);
    assert_eq!(by_asset(&fixed, "MD5")["fixed_run"], 3);
    // A fixed finding is closed to people.
    let out = mamori(&db, &["findings", "ack", &md5]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is fixed (run 3)"),
        "{}",
        stderr(&out)
    );

    // Back again: reopened.
    std::fs::write(app.join("tokens.py"), code).unwrap();
    scan(&db, &app);
    assert_eq!(by_asset(&list(&db, &[]), "MD5")["status"], "reopened");

    // The whole history, who and when.
    let out = mamori(&db, &["findings", "show", &md5, "-f", "json"]);
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<(String, String)> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("created", "mamori"),
        ("acknowledged", "aiko"),
        ("fixed", "mamori"),
        ("reopened", "mamori"),
    ];
    assert_eq!(
        steps,
        want.map(|(a, b)| (a.to_string(), b.to_string())),
        "{h:#}"
    );
    assert_eq!(h["history"][1]["detail"], "SEC-12");
    let text = stdout(&mamori(&db, &["findings", "show", &md5, "--lang", "ja"]));
    assert!(text.contains("修正後に再度検出され再発"), "{text}");

    // Clear errors.
    let out = mamori(&db, &["findings", "show", "999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no finding 999"), "{}", stderr(&out));
    let out = mamori(&db, &["findings", "list", "--status", "closed"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown status 'closed'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn due_dates_follow_the_registers_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("app")).unwrap();
    std::fs::write(
        d.join("app/a.py"),
        "import hashlib\nh = hashlib.md5(b'x').hexdigest()\n",
    )
    .unwrap();
    std::fs::write(
        d.join("strict.toml"),
        "id = \"strict\"\ntitle = \"Strict\"\ntitle_ja = \"厳格\"\ncrqc_year = 2033\nsources = [\"our own\"]\n\n[deadlines]\ncritical = 2029\nhigh = 2030\nmedium = 2031\nlow = 2032\n\n[service_levels]\ncritical = 3\nhigh = 7\nmedium = 30\nlow = 60\n",
    )
    .unwrap();
    std::fs::write(
        d.join("mamori.toml"),
        "[plan]\npolicy = \"strict.toml\"\n\n[[system]]\nid = \"app\"\nname = \"App\"\ncriticality = \"high\"\ntargets = [\"app\"]\n",
    )
    .unwrap();
    let db = d.join("m.db");
    scan_register(&db, &d.join("mamori.toml"));
    let l = list(&db, &[]);
    let md5 = by_asset(&l, "MD5");
    assert_eq!(md5["severity"], "high");
    assert_eq!(md5["system"], "app");
    let first = md5["first_seen"].as_str().unwrap();
    let want = date_plus(first, 7);
    assert_eq!(md5["due"].as_str().unwrap(), want);
}

/// `YYYY-MM-DD` `days` after the date of an RFC 3339 time (computed independently of
/// mamori, with the date command).
fn date_plus(rfc3339: &str, days: u32) -> String {
    let out = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("{} +{days} days", &rfc3339[..10]),
            "+%Y-%m-%d",
        ])
        .output()
        .expect("date (coreutils)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
