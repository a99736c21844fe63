//! `mamori serve` attacked as an outsider and a hostile insider would attack it (issue 14),
//! on 127.0.0.1 only — the many client addresses some attacks need are other addresses of
//! 127.0.0.0/8 — once on SQLite and once on PostgreSQL. Every attack here once worked, or
//! is the kind that would; each asserts what a user relies on, so any regression fails:
//!
//! - parallel password guesses (thirty at once got thirty checks) and a name guessed from
//!   many addresses;
//! - login CSRF (a cross-site form signing the victim in);
//! - paths spelled with `..`, `.`, trailing slashes and links into another system;
//! - an asset shared by two systems (one system's scan closed the other's finding);
//! - export floods (four exports took 6.4 GiB), per user and in all;
//! - slow headers, slow bodies and idle connections (slowloris);
//! - what a reader of one system learns of others: the trend's runs, the plan's run, a
//!   run's totals, place counts;
//! - the security headers of every page, no inline script or style, text from a link shown
//!   as the server's, Unicode bidirectional overrides, impossible and endless dates, the
//!   API's own errors as JSON, the bearer scheme in any case, the store's file modes.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stderr, user_with_token, Served};
use mamori_testkit::{connect_from, http, http_from, HttpResponse};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

fn get(port: u16, path: &str, token: &str) -> HttpResponse {
    http(
        port,
        "GET",
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    )
}

fn post_json(port: u16, path: &str, token: &str, body: &str) -> HttpResponse {
    http(
        port,
        "POST",
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// `mamori ARGS` in `cwd` with the store at `db`.
fn mamori_in(cwd: &Path, db: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .current_dir(cwd)
        .env("MAMORI_DB", db)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .expect("mamori runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "mamori {args:?}: {}",
        stderr(&out)
    );
}

/// The newest run's id.
fn newest_run(port: u16, admin: &str) -> i64 {
    get(port, "/api/v1/runs?limit=1", admin).json()["items"][0]["id"]
        .as_i64()
        .unwrap()
}

fn run_ids(port: u16, token: &str) -> BTreeSet<i64> {
    get(port, "/api/v1/runs?limit=1000", token).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

/// The organization under attack: systems alpha and beta (the server tests' two), a weak
/// RSA key in both, a link from alpha into beta, a key file in alpha whose name carries a
/// right-to-left override; readers of alpha (va, aa, u1, u2) and of beta (vb).
struct Org {
    d: PathBuf,
    db: PathBuf,
    reg: PathBuf,
    s: Served,
    admin: String,
    va: String,
    aa: String,
    vb: String,
    u1: String,
    u2: String,
    /// Runs: beta alone, then every system, then beta spelled three ways from alpha.
    beta_only: i64,
    all: i64,
    spelled: Vec<i64>,
    /// Beta's findings on the shared key right after the scan of every system.
    beta_after_all: Vec<Value>,
}

const BIDI_NAME: &str = "invoice\u{202E}gpj.pem";

impl Org {
    fn new(d: &Path, db: &Path) -> Org {
        let reg = common::two_systems(d, false);
        common::openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
                "-out",
                "alpha/shared.key",
            ],
        );
        std::fs::copy(d.join("alpha/shared.key"), d.join("beta/shared.key")).unwrap();
        std::fs::copy(d.join("alpha/shared.key"), d.join("alpha").join(BIDI_NAME)).unwrap();
        std::os::unix::fs::symlink("../beta", d.join("alpha/to-beta")).unwrap();
        let admin = user_with_token(db, "admin", "admin", None);
        let va = user_with_token(db, "va", "viewer", Some("alpha"));
        let aa = user_with_token(db, "aa", "analyst", Some("alpha"));
        let vb = user_with_token(db, "vb", "viewer", Some("beta"));
        let u1 = user_with_token(db, "u1", "viewer", Some("alpha"));
        let u2 = user_with_token(db, "u2", "viewer", Some("alpha"));
        user_with_token(db, "race", "viewer", Some("alpha"));
        let s = Served::start(
            db,
            &[
                "--config",
                reg.to_str().unwrap(),
                "--workers",
                "0",
                "--max-exports",
                "1",
            ],
        );
        let r = reg.to_str().unwrap();
        // Beta alone first: its finding on the shared key is beta's.
        mamori_in(
            d,
            db,
            &[
                "scan",
                "-q",
                "--no-vulns",
                "--config",
                r,
                "--system",
                "beta",
            ],
        );
        let beta_only = newest_run(s.port, &admin);
        mamori_in(d, db, &["scan", "-q", "--no-vulns", "--config", r]);
        let all = newest_run(s.port, &admin);
        let beta_after_all: Vec<Value> = key_findings(s.port, &admin)
            .into_iter()
            .filter(|f| f["system"] == "beta")
            .collect();
        // Beta's directory spelled from inside alpha's, through a link of alpha's, and with
        // dots and a trailing slash: each is beta's, never alpha's.
        let mut spelled = Vec::new();
        for (cwd, target) in [
            (d.join("alpha"), "../beta"),
            (d.to_path_buf(), "alpha/to-beta"),
            (d.to_path_buf(), "./alpha/./../beta/"),
        ] {
            mamori_in(&cwd, db, &["scan", "-q", "--no-vulns", target]);
            spelled.push(newest_run(s.port, &admin));
        }
        Org {
            d: d.to_path_buf(),
            db: db.to_path_buf(),
            reg,
            s,
            admin,
            va,
            aa,
            vb,
            u1,
            u2,
            beta_only,
            all,
            spelled,
            beta_after_all,
        }
    }
    fn port(&self) -> u16 {
        self.s.port
    }
}

/// Every attack, against one server on `db`.
fn attack(d: &Path, db: &Path) {
    let org = Org::new(d, db);
    paths_spelled_every_way(&org);
    shared_assets_are_each_systems(&org);
    nothing_of_other_systems_leaks(&org);
    parallel_guesses_get_five_checks(&org);
    login_csrf_is_refused(&org);
    parallel_password_changes_get_five_checks(&org);
    headers_and_markup_of_every_page(&org);
    dates_must_be_real_and_acceptance_ends(&org);
    the_apis_own_errors(&org);
    export_floods_are_bounded(&org);
    slow_clients_are_cut_off(&org);
}

#[test]
fn on_sqlite_the_server_holds_under_attack() {
    let dir = tempfile::tempdir().unwrap();
    // A directory mamori makes itself, to see its mode.
    let db = dir.path().join("state/mamori.db");
    attack(dir.path(), &db);
    store_files_are_private(&db);
}

#[test]
fn on_postgresql_the_server_holds_under_attack() {
    let dir = tempfile::tempdir().unwrap();
    let pg = mamori_testkit::postgres::database();
    attack(dir.path(), pg.path());
}

fn paths_spelled_every_way(o: &Org) {
    let p = o.port();
    let beta_dir = std::fs::canonicalize(o.d.join("beta")).unwrap();
    for id in &o.spelled {
        // Stored as the place it is.
        let r = get(p, &format!("/api/v1/runs/{id}"), &o.admin).json();
        assert_eq!(
            r["run"]["targets"],
            serde_json::json!([beta_dir.display().to_string()]),
            "run {id}"
        );
        // Beta's reader sees it; alpha's reader learns nothing of it, by any route.
        assert_eq!(get(p, &format!("/api/v1/runs/{id}"), &o.vb).status, 200);
        for path in [
            format!("/api/v1/runs/{id}"),
            format!("/api/v1/runs/{id}/assets"),
            format!("/api/v1/runs/{id}/components"),
            format!("/api/v1/runs/{id}/export?format=json"),
            format!("/runs/{id}"),
        ] {
            let r = get(p, &path, &o.va);
            assert_eq!(r.status, 404, "{path}: {}", r.text());
        }
    }
    let visible = run_ids(p, &o.va);
    assert!(visible.contains(&o.all), "{visible:?}");
    for id in o.spelled.iter().chain([&o.beta_only]) {
        assert!(!visible.contains(id), "alpha's reader sees run {id}");
    }
    // Nothing alpha's reader can list names a place in beta.
    for path in ["/api/v1/findings?limit=1000", "/api/v1/systems"] {
        let t = get(p, path, &o.va).text();
        assert!(
            !t.contains("/beta/") && !t.contains("\"beta\""),
            "{path}: {t}"
        );
    }
    let t = get(
        p,
        &format!("/api/v1/runs/{}/assets?limit=1000", o.all),
        &o.va,
    )
    .text();
    assert!(!t.contains("/beta/") && !t.contains("to-beta/"), "{t}");
}

/// The tracked findings about the shared key, by system.
fn key_findings(p: u16, token: &str) -> Vec<Value> {
    get(p, "/api/v1/findings?limit=1000&kind=finding&status=new,open,acknowledged,accepted,fixed,reopened", token).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let l = f["location"].as_str().unwrap_or("");
            l.contains("shared.key") || l.contains("invoice")
        })
        .cloned()
        .collect()
}

fn shared_assets_are_each_systems(o: &Org) {
    let p = o.port();
    let all = key_findings(p, &o.admin);
    let of = |sys: &str| -> Vec<&Value> { all.iter().filter(|f| f["system"] == sys).collect() };
    assert!(!of("alpha").is_empty() && !of("beta").is_empty(), "{all:?}");
    // Beta's finding, made by beta's own scan, is not closed by the scan of every system
    // while the key is still in beta.
    assert!(!o.beta_after_all.is_empty());
    for f in o.beta_after_all.iter().chain(of("beta")) {
        assert_ne!(f["status"], "fixed", "{f}");
        assert!(f["location"].as_str().unwrap().contains("/beta/"), "{f}");
    }
    for f in of("alpha") {
        assert!(f["location"].as_str().unwrap().contains("/alpha/"), "{f}");
    }
    // Each reader sees their system's finding.
    let va: Vec<Value> = key_findings(p, &o.va);
    assert!(
        !va.is_empty() && va.iter().all(|f| f["system"] == "alpha"),
        "{va:?}"
    );
    let vb: Vec<Value> = key_findings(p, &o.vb);
    assert!(
        !vb.is_empty() && vb.iter().all(|f| f["system"] == "beta"),
        "{vb:?}"
    );
    // The run's finding counts the places in alpha only (two files there, one in beta).
    let r = get(
        p,
        &format!("/api/v1/runs/{}/export?format=json", o.all),
        &o.va,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let key_fs: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["asset_id"].as_str().unwrap_or("").starts_with("key:"))
        .collect();
    assert!(!key_fs.is_empty());
    for f in key_fs {
        assert_eq!(f["other_locations"], 1, "{f}");
        assert_eq!(f["system"], "alpha");
    }
    // The key leaves alpha, stays in beta: alpha's findings are fixed, beta's are not.
    for f in ["shared.key", BIDI_NAME] {
        std::fs::rename(o.d.join("alpha").join(f), o.d.join(f)).unwrap();
    }
    let r = o.reg.to_str().unwrap();
    mamori_in(&o.d, &o.db, &["scan", "-q", "--no-vulns", "--config", r]);
    let now = key_findings(p, &o.admin);
    for f in &now {
        match f["system"].as_str() {
            Some("alpha") => assert_eq!(f["status"], "fixed", "{f}"),
            Some("beta") => assert_ne!(f["status"], "fixed", "{f}"),
            _ => {}
        }
    }
    for f in ["shared.key", BIDI_NAME] {
        std::fs::rename(o.d.join(f), o.d.join("alpha").join(f)).unwrap();
    }
    mamori_in(&o.d, &o.db, &["scan", "-q", "--no-vulns", "--config", r]);
    let back = key_findings(p, &o.admin);
    assert!(back
        .iter()
        .any(|f| f["system"] == "alpha" && f["status"] == "reopened"));
}

fn nothing_of_other_systems_leaks(o: &Org) {
    let p = o.port();
    let visible = run_ids(p, &o.va);
    let ov = get(p, "/api/v1/overview", &o.va).json();
    for t in ov["trend"].as_array().unwrap() {
        let run = t["run"].as_i64().unwrap();
        assert!(visible.contains(&run), "the trend shows run {run}: {ov}");
    }
    if let Some(run) = ov["plan_run"].as_i64() {
        assert!(visible.contains(&run), "plan_run {run}");
    }
    // The admin's trend has every run; beta's reader's has beta's.
    let all_trend: BTreeSet<i64> = get(p, "/api/v1/overview", &o.admin).json()["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["run"].as_i64().unwrap())
        .collect();
    assert!(all_trend.contains(&o.beta_only));
    // The overview page says no more than the API.
    let page = get(p, "/", &o.va).text();
    for id in o.spelled.iter().chain([&o.beta_only]) {
        assert!(
            !page.contains(&format!("/runs/{id}\"")),
            "the page links run {id}"
        );
    }
    // A run's totals count every system's files: not shown to a reader of some.
    let whole = get(
        p,
        &format!("/api/v1/runs/{}/export?format=json", o.all),
        &o.admin,
    )
    .json();
    assert!(whole["files"].as_u64().unwrap() > 0);
    let part = get(
        p,
        &format!("/api/v1/runs/{}/export?format=json", o.all),
        &o.va,
    )
    .json();
    assert_eq!(part["files"], 0, "{}", part["files"]);
    assert_eq!(part["bytes"], 0);
    assert!(
        !part.to_string().contains("/beta"),
        "the narrowed export names beta"
    );
}

/// A sign-in from the loopback address `from`.
fn sign_in(
    p: u16,
    from: Ipv4Addr,
    name: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> HttpResponse {
    let body = format!(
        "name={name}&password={}&next=%2F",
        password.replace(' ', "+")
    );
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(extra);
    http_from(from, p, "POST", "/login", &h, body.as_bytes())
}

fn parallel_guesses_get_five_checks(o: &Org) {
    let p = o.port();
    let from = Ipv4Addr::new(127, 0, 0, 10);
    // Thirty wrong passwords at once, then the right one while they are in flight.
    let guesses: Vec<_> = (0..30)
        .map(|i| std::thread::spawn(move || sign_in(p, from, "race", &format!("guess {i}"), &[])))
        .collect();
    std::thread::sleep(Duration::from_millis(150));
    let right = sign_in(p, from, "race", PASSWORD, &[]);
    let codes: Vec<u16> = guesses
        .into_iter()
        .map(|g| g.join().unwrap().status)
        .collect();
    let checked = codes.iter().filter(|c| **c == 401).count();
    let refused = codes.iter().filter(|c| **c == 429).count();
    assert!(checked <= 5, "{checked} guesses were checked: {codes:?}");
    assert_eq!(checked + refused, 30, "{codes:?}");
    assert_eq!(
        right.status, 429,
        "the right password got in with the guesses"
    );
    assert!(right.header("set-cookie").is_none());
    assert!(right.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    // The name stays blocked from any other address.
    let r = sign_in(p, Ipv4Addr::new(127, 0, 0, 11), "race", PASSWORD, &[]);
    assert_eq!(r.status, 429);
    // A 1.9 MB name is refused whole before anything of it is kept or hashed; a long one
    // within the body limit is an ordinary failure.
    let huge = "n".repeat(1_900_000);
    let r = sign_in(p, Ipv4Addr::new(127, 0, 0, 12), &huge, "x", &[]);
    assert_eq!(r.status, 413);
    let long = "n".repeat(60_000);
    let r = sign_in(p, Ipv4Addr::new(127, 0, 0, 12), &long, "x", &[]);
    assert_eq!(r.status, 401);
    // Other people still sign in.
    let r = sign_in(p, Ipv4Addr::new(127, 0, 0, 13), "va", PASSWORD, &[]);
    assert_eq!(r.status, 303, "{}", r.text());
}

/// A stolen token guessing its user's password through the password change, thirty at once.
fn parallel_password_changes_get_five_checks(o: &Org) {
    let p = o.port();
    let token = o.u1.clone();
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let t = token.clone();
            std::thread::spawn(move || {
                post_json(
                    p,
                    "/api/v1/me/password",
                    &t,
                    &format!(
                        r#"{{"current": "guess number {i}", "new": "a new long password {i}"}}"#
                    ),
                )
            })
        })
        .collect();
    let answers: Vec<HttpResponse> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    let checked = answers.iter().filter(|r| r.status == 403).count();
    let refused: Vec<&HttpResponse> = answers.iter().filter(|r| r.status == 429).collect();
    assert!(checked <= 5, "{checked} current passwords were checked");
    assert_eq!(checked + refused.len(), 30);
    assert!(refused.iter().all(|r| r.header("retry-after").is_some()));
    // Then the right one waits too.
    let r = post_json(
        p,
        "/api/v1/me/password",
        &token,
        &format!(r#"{{"current": "{PASSWORD}", "new": "a new long password"}}"#),
    );
    assert_eq!(r.status, 429, "{}", r.text());
}

fn login_csrf_is_refused(o: &Org) {
    let p = o.port();
    let from = Ipv4Addr::new(127, 0, 0, 14);
    for h in [
        ("Origin", "http://evil.example"),
        ("Origin", "null"),
        ("Referer", "http://evil.example/page"),
        ("Origin", "http://127.0.0.1:1"),
    ] {
        let r = sign_in(p, from, "vb", PASSWORD, &[h]);
        assert_eq!(r.status, 403, "{h:?}");
        assert!(r.header("set-cookie").is_none(), "{h:?}");
    }
    let own = format!("http://127.0.0.1:{p}");
    let r = sign_in(p, from, "vb", PASSWORD, &[("Origin", &own)]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(r
        .header("set-cookie")
        .unwrap()
        .starts_with("mamori_session="));
}

fn check_headers(path: &str, r: &HttpResponse) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{path}: no CSP"));
    assert!(!csp.contains("unsafe"), "{path}: {csp}");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{path}"
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
    assert!(r.header("referrer-policy").is_some(), "{path}");
    if path.starts_with("/static/") {
        assert!(
            r.header("cache-control").unwrap().contains("max-age"),
            "{path}"
        );
    } else {
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
}

fn headers_and_markup_of_every_page(o: &Org) {
    let p = o.port();
    let cookie = {
        let r = sign_in(p, Ipv4Addr::new(127, 0, 0, 1), "admin", PASSWORD, &[]);
        assert_eq!(r.status, 303, "{}", r.text());
        r.header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let finding = key_findings(p, &o.admin)
        .into_iter()
        .find(|f| f["location"].as_str().unwrap().contains("invoice"))
        .expect("the finding at the file with the override");
    let fid = finding["id"].as_i64().unwrap();
    let pages = [
        "/".to_string(),
        "/findings".into(),
        "/findings?system=alpha".into(),
        format!("/findings/{fid}"),
        "/systems".into(),
        "/systems/alpha".into(),
        "/runs".into(),
        format!("/runs/{}", o.all),
        format!("/diff?from={}&to={}", o.beta_only, o.all),
        "/admin/users".into(),
        "/no-such-page".into(),
    ];
    let mut saw_override = false;
    for path in &pages {
        let r = http(p, "GET", path, &[("Cookie", &cookie)], b"");
        assert!(
            r.status == 200 || path == "/no-such-page",
            "{path}: {}",
            r.status
        );
        check_headers(path, &r);
        let t = r.text();
        for bad in ["<script", "<style", "style=\"", "\u{202E}"] {
            assert!(!t.contains(bad), "{path} has {bad:?}");
        }
        saw_override |= t.contains("invoice[U+202E]gpj.pem");
        assert!(t.contains("/static/mamori.css"), "{path}: no stylesheet");
    }
    assert!(saw_override, "the override is shown as a code somewhere");
    for (path, r) in [
        ("/login", http(p, "GET", "/login", &[], b"")),
        ("/api/v1/me", get(p, "/api/v1/me", &o.admin)),
        ("/api/v1/findings", get(p, "/api/v1/findings", &o.va)),
        (
            "/static/mamori.css",
            http(p, "GET", "/static/mamori.css", &[], b""),
        ),
    ] {
        assert_eq!(r.status, 200, "{path}");
        check_headers(path, &r);
    }
    let css = http(p, "GET", "/static/mamori.css", &[], b"");
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.text().contains(".sev-critical"));
}

fn dates_must_be_real_and_acceptance_ends(o: &Org) {
    let p = o.port();
    let id = key_findings(p, &o.aa)
        .iter()
        .find(|f| f["status"] != "fixed")
        .expect("an open finding of alpha's")["id"]
        .as_i64()
        .unwrap();
    for (path, body, why) in [
        (
            "status",
            r#"{"status": "accepted", "until": "2030-02-30"}"#,
            "not a date",
        ),
        (
            "status",
            r#"{"status": "accepted", "until": "+999-01-01"}"#,
            "not a date",
        ),
        (
            "status",
            r#"{"status": "accepted", "until": "9999-12-31"}"#,
            "a year at most",
        ),
        ("due", r#"{"date": "2030-02-30"}"#, "not a date"),
        ("due", r#"{"date": "-001-01-01"}"#, "not a date"),
    ] {
        let r = post_json(p, &format!("/api/v1/findings/{id}/{path}"), &o.aa, body);
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        assert!(r.text().contains(why), "{body}: {}", r.text());
    }
    let f = get(p, &format!("/api/v1/findings/{id}"), &o.aa).json();
    assert!(f["item"]["accepted_until"].is_null(), "{f}");
}

fn the_apis_own_errors(o: &Org) {
    let p = o.port();
    let r = post_json(p, "/api/v1/findings", &o.admin, "{}");
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"]["code"], "method-not-allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("GET")));
    let big = format!(r#"{{"system": "{}"}}"#, "x".repeat(300_000));
    let r = post_json(p, "/api/v1/scans", &o.admin, &big);
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "too-large");
    let r = http(
        p,
        "GET",
        "/api/v1/me",
        &[("Authorization", &format!("bearer {}", o.va))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["name"], "va");
}

/// Children of `pid` whose command line has `word`.
fn children_running(pid: u32, word: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.split(' ').nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        if ppid == Some(pid) && String::from_utf8_lossy(&cmd).contains(word) {
            n += 1;
        }
    }
    n
}

/// An export asked for and never read (its place held while the connection is open).
fn hold_export(p: u16, run: i64, token: &str) -> std::net::TcpStream {
    let mut s = connect_from(Ipv4Addr::new(127, 0, 0, 1), p).unwrap();
    write!(
        s,
        "GET /api/v1/runs/{run}/export?format=json HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    s
}

fn export_floods_are_bounded(o: &Org) {
    let p = o.port();
    // A run whose export is tens of megabytes: more than the sockets between server and
    // client hold, so an export nobody reads keeps its place.
    let lines = "import hashlib\nhashlib.md5(b'x')\n".repeat(60_000);
    for i in 0..2 {
        std::fs::write(o.d.join(format!("alpha/big{i}.py")), &lines).unwrap();
    }
    let r = o.reg.to_str().unwrap();
    mamori_in(
        &o.d,
        &o.db,
        &[
            "scan",
            "-q",
            "--no-vulns",
            "--config",
            r,
            "--system",
            "alpha",
        ],
    );
    let run = newest_run(p, &o.admin);
    let pid = o.s.child.id();
    // va's first runs (the server makes one at a time), the second waits; a third of va's
    // is refused at once.
    let mut held = vec![hold_export(p, run, &o.va)];
    std::thread::sleep(Duration::from_millis(500));
    held.push(hold_export(p, run, &o.va));
    std::thread::sleep(Duration::from_millis(200));
    let r = get(p, &format!("/api/v1/runs/{run}/export?format=json"), &o.va);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.json()["error"]["code"], "too-many-requests");
    // A difference counts as well.
    let r = get(p, &format!("/api/v1/diff?from={}&to={run}", o.all), &o.va);
    assert_eq!(r.status, 429, "{}", r.text());
    // Others wait in the queue until it is full (eight waiting).
    for t in [&o.aa, &o.aa, &o.admin, &o.admin, &o.u1, &o.u1, &o.u2] {
        held.push(hold_export(p, run, t));
    }
    std::thread::sleep(Duration::from_millis(500));
    let r = get(p, &format!("/api/v1/runs/{run}/export?format=json"), &o.u2);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "busy");
    assert!(r.header("retry-after").is_some());
    // Whatever asked, one child at a time holds a run in memory.
    let running = children_running(pid, "export");
    assert!(running <= 1, "{running} exports at once");
    // The clients go away; places come back and exports are made again.
    drop(held);
    let start = Instant::now();
    loop {
        let r = get(
            p,
            &format!("/api/v1/runs/{}/export?format=json", o.all),
            &o.u2,
        );
        if r.status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no place came back: {} {}",
            r.status,
            r.text()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    for i in 0..2 {
        std::fs::remove_file(o.d.join(format!("alpha/big{i}.py"))).unwrap();
    }
}

/// Whether the server has closed `s` (read gives end of file or an error) within `limit`.
fn closed_within(s: &mut std::net::TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut b = [0u8; 4096];
    loop {
        match s.read(&mut b) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

fn slow_clients_are_cut_off(o: &Org) {
    let p = o.port();
    let start = Instant::now();
    // A slow body: ten of a hundred bytes, then nothing.
    let slow_body = std::thread::spawn(move || {
        let mut s = connect_from(Ipv4Addr::new(127, 0, 0, 21), p).unwrap();
        write!(
            s,
            "POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"system\""
        )
        .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = String::new();
        let _ = s.read_to_string(&mut head);
        head
    });
    // 200 connections that never finish their headers, from one address: 128 are held
    // (the per-address cap), the rest closed at once, and all of them within the header
    // time (10 s) and a margin.
    let from = Ipv4Addr::new(127, 0, 0, 20);
    let mut slow: Vec<std::net::TcpStream> = (0..200)
        .filter_map(|_| {
            let mut s = connect_from(from, p).ok()?;
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").ok()?;
            Some(s)
        })
        .collect();
    // An idle kept-alive connection.
    let mut idle = connect_from(Ipv4Addr::new(127, 0, 0, 22), p).unwrap();
    write!(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // Meanwhile the server answers others.
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(400));
        for s in slow.iter_mut() {
            let _ = s.write_all(b"X-a: b\r\n");
        }
        let r = http(p, "GET", "/healthz", &[], b"");
        assert_eq!(
            r.status, 200,
            "the server stopped answering under slowloris"
        );
    }
    let mut open = 0;
    for s in slow.iter_mut() {
        if !closed_within(s, Duration::from_millis(20)) {
            open += 1;
        }
    }
    assert!(open <= 128, "{open} slow connections from one address held");
    // Keep sending a header line every couple of seconds: still cut at the header time.
    while start.elapsed() < Duration::from_secs(16) {
        std::thread::sleep(Duration::from_secs(2));
        for s in slow.iter_mut() {
            let _ = s.write_all(b"X-b: c\r\n");
        }
    }
    let still: usize = slow
        .iter_mut()
        .map(|s| usize::from(!closed_within(s, Duration::from_millis(200))))
        .sum();
    assert_eq!(
        still, 0,
        "{still} slow-header connections still open after 16 s"
    );
    assert!(
        closed_within(&mut idle, Duration::from_secs(2)),
        "an idle connection held"
    );
    let head = slow_body.join().unwrap();
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(start.elapsed() < Duration::from_secs(45));
}

fn store_files_are_private(db: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(db), 0o600, "{}", db.display());
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    for ext in ["db-wal", "db-shm"] {
        let f = db.with_extension(ext);
        if f.exists() {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}
