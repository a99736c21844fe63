//! `every` in the register, `mamori schedule` and `mamori scan --due`: what a cron job
//! running every few minutes relies on — a system is scanned when its time has come, and
//! not again until its interval has passed.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, stderr, stdout};
use serde_json::Value;

#[test]
fn scan_due_scans_only_the_systems_whose_time_has_come() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for s in ["web", "wiki", "ops"] {
        std::fs::create_dir(d.join(s)).unwrap();
        std::fs::write(
            d.join(s).join("a.py"),
            "import hashlib\nhashlib.md5(b'x')\n",
        )
        .unwrap();
    }
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        "[[system]]\nid = \"web\"\nname = \"Web\"\ncriticality = \"high\"\nevery = \"6h\"\ntargets = [\"web\"]\n\n[[system]]\nid = \"wiki\"\nname = \"Wiki\"\ncriticality = \"low\"\nevery = \"1d\"\ntargets = [\"wiki\"]\n\n[[system]]\nid = \"ops\"\nname = \"Ops\"\ncriticality = \"low\"\ntargets = [\"ops\"]\n",
    )
    .unwrap();
    let db = d.join("m.db");
    let r = reg.to_str().unwrap();
    let status = || -> Vec<Value> {
        let out = mamori(&db, &["schedule", "--config", r, "-f", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let s = status();
    assert_eq!(
        (
            s[0]["due"].as_bool(),
            s[1]["due"].as_bool(),
            s[2]["due"].as_bool()
        ),
        (Some(true), Some(true), Some(false))
    );
    // Wiki was scanned by hand just now: only web is due.
    let out = mamori(
        &db,
        &["scan", "-q", "--no-vulns", d.join("wiki").to_str().unwrap()],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let s = status();
    assert_eq!(s[1]["due"], false);
    assert!(s[1]["last"].is_string() && s[1]["next"].is_string());
    let out = mamori(
        &db,
        &[
            "scan",
            "--due",
            "-q",
            "--no-vulns",
            "-f",
            "json",
            "--config",
            r,
        ],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets: Vec<&str> = rep["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 1);
    assert!(targets[0].ends_with("/web"), "{targets:?}");
    assert!(rep["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["system"] == "web"));
    // Nothing is due now; a second run scans nothing and says so.
    let out = mamori(&db, &["scan", "--due", "-q", "--config", r]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("No system is due"),
        "{}",
        stdout(&out)
    );
    let runs: Value = serde_json::from_slice(&mamori(&db, &["runs", "-f", "json"]).stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    // --due takes no targets.
    let out = mamori(&db, &["scan", "--due", d.join("ops").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("takes no targets"));
}

#[test]
fn a_cron_schedule_is_due_at_its_next_time_after_the_last_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("web")).unwrap();
    std::fs::write(d.join("web/a.py"), "import hashlib\nhashlib.md5(b'x')\n").unwrap();
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        "[[system]]\nid = \"web\"\nname = \"Web\"\ncriticality = \"high\"\ncron = \"*/5 * * * *\"\nutc_offset = \"+09:00\"\ntargets = [\"web\"]\n",
    )
    .unwrap();
    let db = d.join("m.db");
    let r = reg.to_str().unwrap();
    let status = || -> Value {
        let out = mamori(&db, &["schedule", "--config", r, "-f", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()[0].clone()
    };
    // Never scanned: due now.
    let s = status();
    assert_eq!(s["due"], true);
    assert_eq!(s["every"], "*/5 * * * * (+09:00)");
    let out = mamori(&db, &["scan", "-q", "--no-vulns", "--due", "--config", r]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    // Next: the first five-minute mark after the scan started.
    let s = status();
    let last = s["last"].as_str().unwrap();
    let next = s["next"].as_str().unwrap();
    let minute: u32 = last[14..16].parse().unwrap();
    let want = (minute / 5 + 1) * 5 % 60;
    assert_eq!(
        next[14..16].parse::<u32>().unwrap(),
        want,
        "{last} → {next}"
    );
    assert_eq!(&next[17..19], "00");
    assert!(next > last);
    // A mistake names the file and the field.
    std::fs::write(
        &reg,
        "[[system]]\nid = \"web\"\nname = \"Web\"\ncriticality = \"high\"\ncron = \"0 25 * * *\"\ntargets = [\"web\"]\n",
    )
    .unwrap();
    let out = mamori(&db, &["schedule", "--config", r]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mamori.toml") && stderr(&out).contains("hour field"),
        "{}",
        stderr(&out)
    );
}
