//! `mamori serve` end to end, on 127.0.0.1: the real binary, its real scans (run as child
//! processes from the queue), the store on disk, the pages and the API as a browser and a
//! script use them. What users rely on: a viewer of one system never reads another's, a
//! change needs the session's CSRF token, a client mistake is a 4xx with a JSON error, a
//! scheduled scan runs by itself, and a server killed mid-scan loses nothing and retries.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, stderr, stdout, user_with_token, Served};
use mamori_testkit::{http, HttpResponse};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn register(d: &Path) -> std::path::PathBuf {
    common::two_systems(d, true)
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn get(port: u16, path: &str, token: &str) -> HttpResponse {
    http(port, "GET", path, &[("Authorization", &bearer(token))], b"")
}

fn post_json(port: u16, path: &str, token: &str, body: &str) -> HttpResponse {
    http(
        port,
        "POST",
        path,
        &[
            ("Authorization", &bearer(token)),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// Polls scan job `id` until it has ended.
fn wait_job(port: u16, token: &str, id: i64, limit: Duration) -> Value {
    let start = Instant::now();
    loop {
        let j = get(port, &format!("/api/v1/scans/{id}"), token).json();
        if j["status"] == "done" || j["status"] == "failed" {
            return j;
        }
        assert!(start.elapsed() < limit, "scan {id} did not end: {j}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A server over a register whose alpha is due (never scanned) and so scanned by the
/// scheduler; beta is scanned on request. Returns the server and the tokens of admin,
/// viewer-of-alpha and analyst-of-alpha.
fn setup(d: &Path) -> (Served, String, String, String) {
    setup_on(d, &d.join("m.db"))
}

/// [`setup`] with the store at `db` (a file, or a PostgreSQL URL).
fn setup_on(d: &Path, db: &Path) -> (Served, String, String, String) {
    let reg = register(d);
    let admin = user_with_token(db, "admin", "admin", None);
    let viewer = user_with_token(db, "va", "viewer", Some("alpha"));
    let analyst = user_with_token(db, "aa", "analyst", Some("alpha"));
    let s = Served::start(db, &["--config", reg.to_str().unwrap(), "--tick", "1"]);
    // The scheduler queues alpha by itself.
    let start = Instant::now();
    let scheduled = loop {
        let jobs = get(s.port, "/api/v1/scans", &admin).json();
        if let Some(j) = jobs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["system"] == "alpha")
        {
            break j.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no scheduled scan: {}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(scheduled["requested_by"], "schedule");
    let done = wait_job(
        s.port,
        &admin,
        scheduled["id"].as_i64().unwrap(),
        Duration::from_secs(120),
    );
    assert_eq!(done["status"], "done", "{done} {}", s.log());
    // Beta on request; the answer says where to follow it.
    let r = post_json(s.port, "/api/v1/scans", &admin, r#"{"system": "beta"}"#);
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/scans/{}", job["id"]).as_str())
    );
    let done = wait_job(
        s.port,
        &admin,
        job["id"].as_i64().unwrap(),
        Duration::from_secs(120),
    );
    assert_eq!(done["status"], "done", "{done} {}", s.log());
    assert!(done["run_id"].as_i64().is_some());
    (s, admin, viewer, analyst)
}

fn systems_of(list: &Value) -> std::collections::BTreeSet<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["system"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_viewer_of_one_system_reads_nothing_of_another() {
    let dir = tempfile::tempdir().unwrap();
    viewer_reads_nothing_of_another(dir.path(), &dir.path().join("m.db"));
}

#[test]
fn on_postgresql_a_viewer_of_one_system_reads_nothing_of_another() {
    let dir = tempfile::tempdir().unwrap();
    let pg = mamori_testkit::postgres::database();
    viewer_reads_nothing_of_another(dir.path(), pg.path());
}

fn viewer_reads_nothing_of_another(d: &Path, db: &Path) {
    let (s, admin, viewer, _) = setup_on(d, db);
    let p = s.port;
    // The admin sees both systems' findings.
    let all = get(p, "/api/v1/findings?limit=1000", &admin).json();
    assert_eq!(systems_of(&all), ["alpha", "beta"].map(String::from).into());
    let beta_id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["system"] == "beta")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // The viewer of alpha: only alpha, even when asking for beta by name.
    let mine = get(p, "/api/v1/findings?limit=1000", &viewer).json();
    assert_eq!(systems_of(&mine), ["alpha".to_string()].into());
    assert!(mine["total"].as_u64().unwrap() >= 1);
    let asked = get(p, "/api/v1/findings?system=beta", &viewer).json();
    assert_eq!(asked["total"], 0);
    let search = get(p, "/api/v1/findings?q=beta", &viewer).json();
    assert_eq!(search["total"], 0);
    // One item of beta, a system of beta: as if they did not exist.
    let r = get(p, &format!("/api/v1/findings/{beta_id}"), &viewer);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not-found");
    assert_eq!(get(p, "/api/v1/systems/beta", &viewer).status, 404);
    let systems = get(p, "/api/v1/systems", &viewer).json();
    let ids: Vec<&str> = systems["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["alpha"]);
    // The overview counts only alpha.
    let o = get(p, "/api/v1/overview", &viewer).json();
    let o_all = get(p, "/api/v1/overview", &admin).json();
    assert!(
        o["findings"]["total"].as_u64() < o_all["findings"]["total"].as_u64(),
        "{o} {o_all}"
    );
    // Runs: the run of beta alone is not the viewer's; exports carry no place of beta.
    let runs = get(p, "/api/v1/runs", &viewer).json();
    let run_ids: Vec<i64> = runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let all_runs = get(p, "/api/v1/runs", &admin).json();
    let beta_run = all_runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["targets"][0].as_str().unwrap().ends_with("/beta"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(!run_ids.contains(&beta_run), "{runs}");
    assert_eq!(
        get(p, &format!("/api/v1/runs/{beta_run}"), &viewer).status,
        404
    );
    for f in ["cyclonedx", "spdx", "sarif", "json"] {
        let r = get(
            p,
            &format!("/api/v1/runs/{beta_run}/export?format={f}"),
            &viewer,
        );
        assert_eq!(r.status, 404, "{f}");
        let r = get(
            p,
            &format!("/api/v1/runs/{}/export?format={f}", run_ids[0]),
            &viewer,
        );
        assert_eq!(r.status, 200, "{f}: {}", r.text());
        assert!(!r.text().contains("/beta/"), "{f} leaks beta");
    }
    // Scans asked for: only alpha's.
    let scans = get(p, "/api/v1/scans", &viewer).json();
    assert!(scans["total"].as_u64().unwrap() >= 1);
    assert!(scans["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["system"] == "alpha"));
    // A diff of two runs the viewer sees shows only alpha's places.
    let all_ids: Vec<i64> = all_runs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let (lo, hi) = (
        *all_ids.iter().min().unwrap(),
        *all_ids.iter().max().unwrap(),
    );
    let d = get(p, &format!("/api/v1/diff?from={lo}&to={hi}"), &admin);
    assert_eq!(d.status, 200);
    let d = get(p, &format!("/api/v1/diff?from={lo}&to={hi}"), &viewer);
    if run_ids.contains(&lo) && run_ids.contains(&hi) {
        assert_eq!(d.status, 200, "{}", d.text());
        assert!(!d.text().contains("/beta/"));
    } else {
        assert_eq!(d.status, 404);
    }
    let assets = get(
        p,
        &format!("/api/v1/runs/{}/assets?limit=1000", run_ids[0]),
        &viewer,
    )
    .json();
    assert!(!assets.to_string().contains("/beta/"), "{assets}");
    // The workbook, made by a child process and streamed.
    let x = get(
        p,
        &format!("/api/v1/runs/{}/export?format=xlsx&lang=ja", run_ids[0]),
        &admin,
    );
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with(b"PK"), "not a workbook");
    assert_eq!(
        x.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(x
        .header("content-disposition")
        .is_some_and(|d| d.contains(".xlsx")));
    // The same through the pages, with the viewer's session.
    let cookie = login(p, "va");
    let page = |path: &str| http(p, "GET", path, &[("Cookie", &cookie)], b"");
    assert_eq!(page(&format!("/findings/{beta_id}")).status, 404);
    assert_eq!(page("/systems/beta").status, 404);
    assert_eq!(page(&format!("/runs/{beta_run}")).status, 404);
    let list = page("/findings?status=active&limit=1000");
    assert_eq!(list.status, 200);
    assert!(!list.text().contains("/beta/"));
    assert!(list.text().contains("/alpha/"));
    // A run of both systems: the viewer's page of it, and of an asset both share, shows
    // alpha's places only; an asset only beta has is not there for them.
    let r = post_json(p, "/api/v1/scans", &admin, "{}");
    let both = wait_job(
        p,
        &admin,
        r.json()["id"].as_i64().unwrap(),
        Duration::from_secs(120),
    );
    let both_run = both["run_id"].as_i64().unwrap();
    let run_page = page(&format!("/runs/{both_run}"));
    assert_eq!(run_page.status, 200);
    assert!(!run_page.text().contains("/beta/"));
    assert!(run_page.text().contains("alg:MD5") || run_page.text().contains("MD5"));
    let md5 = page(&format!("/runs/{both_run}/assets/alg:MD5"));
    assert_eq!(md5.status, 200, "{}", md5.text());
    assert!(md5.text().contains("/alpha/") && !md5.text().contains("/beta/"));
    assert_eq!(
        page(&format!("/runs/{both_run}/assets/alg:SHA-1")).status,
        404
    );
    let admin_md5 = http(
        p,
        "GET",
        &format!("/runs/{both_run}/assets/alg:MD5"),
        &[("Authorization", &bearer(&admin))],
        b"",
    );
    assert!(admin_md5.text().contains("/alpha/") && admin_md5.text().contains("/beta/"));
    // The difference between alpha's run and the run of both: for the admin beta's
    // findings appeared; for the viewer nothing of beta, and alpha's are unchanged.
    let path = format!("/api/v1/diff?from={}&to={both_run}", run_ids[0]);
    let d_admin = get(p, &path, &admin);
    assert_eq!(d_admin.status, 200);
    assert!(d_admin.text().contains("/beta/"));
    let d_viewer = get(p, &path, &viewer);
    assert_eq!(d_viewer.status, 200, "{}", d_viewer.text());
    let dv = d_viewer.json();
    assert!(!d_viewer.text().contains("/beta/"));
    assert_eq!(dv["findings_added"].as_array().unwrap().len(), 0, "{dv}");
    assert_eq!(dv["findings_removed"].as_array().unwrap().len(), 0, "{dv}");
    let diff_page = page(&format!("/diff?from={}&to={both_run}", run_ids[0]));
    assert_eq!(diff_page.status, 200);
    assert!(!diff_page.text().contains("/beta/"));
    let overview = page("/");
    assert_eq!(overview.status, 200);
    assert!(!overview.text().contains("data-system=\"beta\""));
    assert!(overview.text().contains("data-system=\"alpha\""));
    // The admin's overview shows both, with its three charts.
    let admin_cookie = login(p, "admin");
    let o = http(p, "GET", "/", &[("Cookie", &admin_cookie)], b"").text();
    for id in ["trend", "age", "pqc"] {
        assert!(o.contains(&format!("<svg id=\"{id}\"")), "{id}");
    }
    assert!(o.contains("data-system=\"beta\""));
}

/// Signs in through the login form; returns the `Cookie` header of the session.
fn login(port: u16, name: &str) -> String {
    let r = http(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("name={name}&password=correct+horse+battery+staple&next=%2Ffindings").as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/findings"));
    let set = r.header("set-cookie").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF field")
        .to_string()
}

#[test]
fn findings_change_by_form_with_the_session_token_and_by_api() {
    let dir = tempfile::tempdir().unwrap();
    let (s, admin, viewer, analyst) = setup(dir.path());
    let p = s.port;
    let alpha = get(p, "/api/v1/findings?system=alpha&kind=finding", &admin).json();
    let id = alpha["items"][0]["id"].as_i64().unwrap();
    let second = alpha["items"]
        .as_array()
        .unwrap()
        .get(1)
        .map(|i| i["id"].as_i64().unwrap());

    // A wrong password: the form again, 401, no cookie.
    let r = http(
        p,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"name=aa&password=wrong&next=%2F",
    );
    assert_eq!(r.status, 401);
    assert!(r.header("set-cookie").is_none());
    // After login only this site's paths are followed.
    let r = http(
        p,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"name=aa&password=correct+horse+battery+staple&next=%2F%2Fevil.example",
    );
    assert_eq!(r.header("location"), Some("/"));

    let cookie = login(p, "aa");
    let page = http(
        p,
        "GET",
        &format!("/findings/{id}"),
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.text());
    let form = |body: String| {
        http(
            p,
            "POST",
            &format!("/findings/{id}"),
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    };
    // Without the token, or with another, nothing changes.
    assert_eq!(form("action=ack".into()).status, 403);
    assert_eq!(form("action=ack&csrf=mamori_forged".into()).status, 403);
    let now = get(p, &format!("/api/v1/findings/{id}"), &admin).json();
    assert_eq!(now["item"]["status"], "new");
    // With it: acknowledged, with the comment in the history under the user's name.
    let r = form(format!("action=ack&csrf={csrf}&comment=on+it"));
    assert_eq!(r.status, 303, "{}", r.text());
    let now = get(p, &format!("/api/v1/findings/{id}"), &admin).json();
    assert_eq!(now["item"]["status"], "acknowledged");
    let last = now["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["actor"].as_str(), last["detail"].as_str()),
        (Some("aa"), Some("on it"))
    );
    // A date in the past is refused on the finding's own page, not with an error page,
    // in the server's words; a link cannot make the page say anything.
    let r = form(format!("action=accept&csrf={csrf}&until=2001-01-01"));
    assert_eq!(r.status, 422);
    assert!(r.text().contains("must end after today"), "{}", r.text());
    assert!(
        r.text().contains("id=\"accept\""),
        "the forms are there to try again"
    );
    let page = http(
        p,
        "GET",
        &format!("/findings/{id}?failed=Your+session+expired%3A+sign+in+at+evil.example"),
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("evil.example"));

    // The API: a viewer may read but not change; an analyst may.
    let r = post_json(
        p,
        &format!("/api/v1/findings/{id}/assignee"),
        &viewer,
        r#"{"to": "hanako"}"#,
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "forbidden");
    if let Some(second) = second {
        let in_a_month =
            mamori_store::lifecycle::add_days(&mamori_store::now_rfc3339(), 30).unwrap();
        let r = post_json(
            p,
            &format!("/api/v1/findings/{second}/status"),
            &analyst,
            &format!(
                r#"{{"status": "accepted", "until": "{in_a_month}", "comment": "vendor fix due"}}"#
            ),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["item"]["status"], "accepted");
        assert_eq!(r.json()["item"]["accepted_until"], in_a_month.as_str());
    }
    let r = post_json(
        p,
        &format!("/api/v1/findings/{id}/assignee"),
        &analyst,
        r#"{"to": "hanako"}"#,
    );
    assert_eq!(r.json()["item"]["assignee"], "hanako");
    let r = post_json(
        p,
        &format!("/api/v1/findings/{id}/comments"),
        &analyst,
        r#"{"text": "patched in staging"}"#,
    );
    assert_eq!(r.status, 201);
    let mine = get(p, "/api/v1/findings?assignee=hanako", &analyst).json();
    assert_eq!(mine["total"], 1);
    // A due date in the past makes it overdue: counted, listed first on the overview.
    let r = post_json(
        p,
        &format!("/api/v1/findings/{id}/due"),
        &analyst,
        r#"{"date": "2001-02-03"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let late = get(p, "/api/v1/findings?overdue=true", &analyst).json();
    assert_eq!(late["total"], 1);
    assert_eq!(late["items"][0]["id"], id);
    let o = get(p, "/api/v1/overview", &analyst).json();
    assert_eq!(o["findings"]["overdue"], 1);
    let page = http(p, "GET", "/", &[("Cookie", &cookie)], b"").text();
    let table = page
        .split("<table id=\"overdue\">")
        .nth(1)
        .expect("an overdue table");
    assert!(table.contains(&format!("data-id=\"{id}\"")) && table.contains("2001-02-03"));

    // Client mistakes: 4xx with a JSON error, never a 500.
    for (path, body, code) in [
        (format!("/api/v1/findings/{id}/status"), "not json", 400),
        (
            format!("/api/v1/findings/{id}/status"),
            r#"{"status": "fixed"}"#,
            400,
        ),
        (
            format!("/api/v1/findings/{id}/status"),
            r#"{"status": "accepted"}"#,
            400,
        ),
        (
            format!("/api/v1/findings/{id}/status"),
            r#"{"status": "accepted", "until": "someday"}"#,
            422,
        ),
        (format!("/api/v1/findings/{id}/due"), r#"{"date": 5}"#, 400),
        (
            format!("/api/v1/findings/{id}/status"),
            r#"{"status": "acknowledged", "x": 1}"#,
            400,
        ),
        (
            "/api/v1/findings/99999/comments".into(),
            r#"{"text": "x"}"#,
            404,
        ),
        (
            "/api/v1/findings/0/comments".into(),
            r#"{"text": "x"}"#,
            400,
        ),
        (
            format!("/api/v1/findings/{id}/comments"),
            r#"{"text": "  "}"#,
            422,
        ),
        ("/api/v1/scans".into(), r#"{"system": "nope"}"#, 404),
    ] {
        let r = post_json(p, &path, &analyst, body);
        assert_eq!(r.status, code, "{path} {body}: {}", r.text());
        assert!(r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    for (path, code) in [
        ("/api/v1/findings?limit=abc", 400),
        ("/api/v1/findings?limit=5000", 400),
        ("/api/v1/findings?sort=nope", 400),
        ("/api/v1/findings?status=gone", 400),
        ("/api/v1/findings?severity=huge", 400),
        ("/api/v1/findings?overdue=maybe", 400),
        ("/api/v1/runs/abc", 400),
        ("/api/v1/runs/424242", 404),
        ("/api/v1/runs/1/export?format=pdf", 400),
        ("/api/v1/runs/1/export", 400),
        ("/api/v1/diff?from=1", 400),
        ("/api/v1/nothing", 404),
    ] {
        let r = get(p, path, &admin);
        assert_eq!(r.status, code, "{path}: {}", r.text());
        assert!(r.json()["error"]["code"].is_string(), "{path}");
    }
    let r = http(p, "GET", "/api/v1/findings", &[], b"");
    assert_eq!(r.status, 401);
    let r = http(
        p,
        "GET",
        "/api/v1/findings",
        &[("Authorization", "Bearer mamori_0000")],
        b"",
    );
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (401, Some("bad-token"))
    );
    // Pages without a session go to the login, and back.
    let r = http(p, "GET", "/findings?status=new", &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("/login?next=%2Ffindings%3Fstatus%3Dnew")
    );
    // The JSON API with a session cookie needs the session's token in a header: another
    // page of the same site cannot post as the signed-in person.
    let api_post = |extra: &[(&str, &str)]| {
        let mut h = vec![
            ("Cookie", cookie.as_str()),
            ("Content-Type", "application/json"),
        ];
        h.extend_from_slice(extra);
        http(
            p,
            "POST",
            &format!("/api/v1/findings/{id}/comments"),
            &h,
            br#"{"text": "from the page"}"#,
        )
    };
    assert_eq!(api_post(&[]).status, 403);
    assert_eq!(api_post(&[("X-CSRF-Token", "mamori_forged")]).status, 403);
    assert_eq!(api_post(&[("X-CSRF-Token", &csrf)]).status, 201);
    // Sign out ends the session.
    let r = http(
        p,
        "POST",
        "/logout",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={csrf}").as_bytes(),
    );
    assert_eq!(r.status, 303);
    let r = http(p, "GET", "/", &[("Cookie", &cookie)], b"");
    assert_eq!(r.status, 303);
}

#[test]
fn the_openapi_document_describes_every_route_and_the_routes_answer() {
    let dir = tempfile::tempdir().unwrap();
    let reg = register(dir.path());
    let db = dir.path().join("m.db");
    let admin = user_with_token(&db, "admin", "admin", None);
    let s = Served::start(&db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let r = http(s.port, "GET", "/api/openapi.json", &[], b"");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 18, "{}", paths.len());
    for (path, ops) in paths {
        let concrete = path.replace("{id}", "1");
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(op["responses"].is_object(), "{method} {path}");
            // Every documented route exists: without credentials it asks for them (or,
            // for the health check, answers).
            let r = http(s.port, &method.to_uppercase(), &concrete, &[], b"");
            if path == "/healthz" {
                assert_eq!(r.status, 200);
            } else {
                assert_eq!(r.status, 401, "{method} {path}: {}", r.text());
            }
        }
    }
    // A scan asked for while no worker runs stays queued, and is returned again if asked
    // for twice.
    let a = post_json(s.port, "/api/v1/scans", &admin, "").json();
    let b = post_json(s.port, "/api/v1/scans", &admin, "").json();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["status"], "queued");
}

/// The real OSV advisories of PyPI, and one made here whose words and ids are markup, in a
/// vulnerability database made through the command line.
fn vulndb_with_pypi(d: &Path) -> std::path::PathBuf {
    let hostile = d.join("hostile.json");
    std::fs::write(
        &hostile,
        serde_json::to_vec(&serde_json::json!({
            "id": "MAMORI-TEST-1",
            "modified": "2026-01-01T00:00:00Z",
            "aliases": ["CVE-2099-0001\"><img src=x onerror=alert(2)>"],
            "summary": "<script>alert(1)</script> in the \"parser\" & more",
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "mamori-hostile"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]
            }]
        }))
        .unwrap(),
    )
    .unwrap();
    let v = d.join("vulndb.sqlite");
    let zip = common::shared().join("osv/PyPI/all.zip");
    let out = mamori(
        &d.join("import.db"),
        &[
            "--vulndb",
            v.to_str().unwrap(),
            "vulndb",
            "import",
            zip.to_str().unwrap(),
            hostile.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "import: {}", stderr(&out));
    v
}

/// `schema` of the server's OpenAPI document `doc`, as a validator.
fn openapi_schema(doc: &Value, schema: &str) -> jsonschema::Validator {
    let mut s = serde_json::json!({"$ref": format!("#/components/schemas/{schema}")});
    s["components"] = doc["components"].clone();
    jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{schema}: {e}"))
}

/// Issue 15: a vulnerability is named as people know it — the CVE id and the advisory's
/// summary beside its id — in every list and page of the dashboard and in the API, its
/// words escaped; and a component's worst severity is its highest rating with its unrated
/// advisories counted apart, as the command line says too. cryptography 38.0.4 has two
/// real PyPI advisories: PYSEC-2023-254 (CVE-2023-49083), HIGH 7.5, and PYSEC-2023-11
/// (CVE-2023-23931), unrated.
#[test]
fn a_vulnerability_shows_its_cve_and_summary_and_a_component_its_highest_rating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vulndb = vulndb_with_pypi(d);
    let shop = d.join("shop");
    std::fs::create_dir_all(&shop).unwrap();
    std::fs::write(
        shop.join("requirements.txt"),
        "cryptography==38.0.4\nmamori-hostile==1.0\n",
    )
    .unwrap();
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        "[[system]]\nid = \"shop\"\nname = \"Shop\"\nowner = \"S team\"\ncriticality = \"high\"\ntargets = [\"shop\"]\n",
    )
    .unwrap();
    let db = d.join("m.db");
    let admin = user_with_token(&db, "admin", "admin", None);
    let s = Served::start_with_vulndb(&db, &vulndb, &["--config", reg.to_str().unwrap()]);
    let p = s.port;
    let scan = |admin: &str| {
        let r = post_json(p, "/api/v1/scans", admin, r#"{"system": "shop"}"#);
        assert_eq!(r.status, 202, "{}", r.text());
        let done = wait_job(
            p,
            admin,
            r.json()["id"].as_i64().unwrap(),
            Duration::from_secs(120),
        );
        assert_eq!(done["status"], "done", "{done} {}", s.log());
        done["run_id"].as_i64().unwrap()
    };
    let first = scan(&admin);
    let doc = http(p, "GET", "/api/openapi.json", &[], b"").json();

    // The API: each item carries its advisory's aliases, summary and rating, as documented.
    let list = get(p, "/api/v1/findings?kind=vulnerability&limit=100", &admin).json();
    let tracked = openapi_schema(&doc, "Tracked");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    for i in items {
        let errors: Vec<String> = tracked.iter_errors(i).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{i}: {errors:?}");
    }
    let item = |title: &str| {
        items
            .iter()
            .find(|i| i["title"] == title)
            .unwrap_or_else(|| panic!("no {title}: {list}"))
    };
    let high = item("PYSEC-2023-254");
    assert_eq!(high["severity"], "high");
    assert!(high["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "CVE-2023-49083"));
    assert!(
        high["summary"]
            .as_str()
            .unwrap()
            .contains("Calling `load_pem_pkcs7_certificates`"),
        "{high}"
    );
    assert_eq!(high["cvss"]["score"].as_f64(), Some(7.5));
    let unrated = item("PYSEC-2023-11");
    assert_eq!(unrated["severity"], Value::Null);
    assert!(unrated["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "CVE-2023-23931"));
    let one = get(
        p,
        &format!("/api/v1/findings/{}", high["id"].as_i64().unwrap()),
        &admin,
    )
    .json();
    assert_eq!(one["item"]["aliases"], high["aliases"]);
    assert_eq!(one["item"]["summary"], high["summary"]);

    // The component's worst: its highest rating, with the unrated advisory apart.
    let o = get(p, "/api/v1/overview", &admin).json();
    let widespread = openapi_schema(&doc, "Widespread");
    let crypto = o["widespread"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["purl"] == "pkg:pypi/cryptography@38.0.4")
        .unwrap_or_else(|| panic!("{o}"));
    assert!(widespread.is_valid(crypto), "{crypto}");
    assert_eq!(crypto["worst"], "high", "{crypto}");
    assert_eq!(crypto["worst_score"].as_f64(), Some(7.5));
    assert_eq!(
        (crypto["advisories"].as_u64(), crypto["unrated"].as_u64()),
        (Some(2), Some(1))
    );

    // The pages, as a browser of each language reads them.
    let page = |path: &str, lang: &str| {
        let r = http(
            p,
            "GET",
            path,
            &[
                ("Authorization", &bearer(&admin)),
                ("Accept-Language", lang),
            ],
            b"",
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.text()
    };
    let overview = page("/", "en");
    let row = overview
        .split("<tr>")
        .find(|r| r.contains("pkg:pypi/cryptography@38.0.4"))
        .unwrap_or_else(|| panic!("no row of cryptography: {overview}"));
    assert!(
        row.contains("<span class=\"sev sev-high\">high</span> <span class=\"score\">7.5</span> · <span class=\"unrated\">1 unrated</span>"),
        "{row}"
    );
    assert!(page("/", "ja").contains("<span class=\"sev sev-high\">高</span> <span class=\"score\">7.5</span> · <span class=\"unrated\">未評価 1 件</span>"));
    let findings = page("/findings?kind=vulnerability", "en");
    for text in [
        "PYSEC-2023-254 (CVE-2023-49083)</a>",
        "Calling `load_pem_pkcs7_certificates`",
        "PYSEC-2023-11 (CVE-2023-23931)</a>",
        "In affected versions `Cipher.update_into`",
        "<span class=\"sev sev-high\">high</span> <span class=\"score\">7.5</span>",
    ] {
        assert!(findings.contains(text), "{text}: {findings}");
    }
    let finding = page(&format!("/findings/{}", high["id"]), "ja");
    assert!(
        finding.contains("<title>#")
            && finding.contains("PYSEC-2023-254 (CVE-2023-49083) — mamori</title>"),
        "{finding}"
    );
    assert!(finding.contains("PYSEC-2023-254 (CVE-2023-49083)</h1>"));
    assert!(finding.contains("<p id=\"summary\">cryptography is a package designed"));
    assert!(finding.contains("<code>GHSA-jfhm-5ghh-2f97</code>"));
    assert!(finding.contains("7.5 (CVSS 3.1) <code>CVSS:3.1/"));
    // The advisory's words are text, never markup, wherever they are shown.
    let hostile = item("MAMORI-TEST-1");
    for html in [
        findings.clone(),
        page(&format!("/findings/{}", hostile["id"]), "en"),
        overview,
    ] {
        assert!(
            !html.contains("<script>") && !html.contains("<img"),
            "{html}"
        );
    }
    assert!(findings
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; in the &quot;parser&quot; &amp; more"));
    assert!(findings
        .contains("MAMORI-TEST-1 (CVE-2099-0001&quot;&gt;&lt;img src=x onerror=alert(2)&gt;)"));

    // The command line agrees: HIGH, with the unrated advisory said apart.
    let out = mamori(
        &db,
        &[
            "--vulndb",
            vulndb.to_str().unwrap(),
            "scan",
            "--no-store",
            shop.to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&out)
            .contains("HIGH     cryptography 38.0.4 → 41.0.6  (2 vulnerabilities, 1 unrated)"),
        "{}",
        stdout(&out)
    );

    // cryptography goes: the difference names what went, and the fixed items still carry
    // their advisory (from the run that last saw them).
    std::fs::write(shop.join("requirements.txt"), "mamori-hostile==1.0\n").unwrap();
    let second = scan(&admin);
    let diff = page(&format!("/diff?from={first}&to={second}"), "en");
    let removed = diff
        .split("id=\"vulns-removed\">")
        .nth(1)
        .and_then(|r| r.split("</ul>").next())
        .unwrap_or_else(|| panic!("{diff}"));
    assert!(
        removed.contains("PYSEC-2023-254 (CVE-2023-49083)"),
        "{removed}"
    );
    assert!(
        removed.contains("Calling `load_pem_pkcs7_certificates`"),
        "{removed}"
    );
    assert!(
        removed.contains("PYSEC-2023-11 (CVE-2023-23931)"),
        "{removed}"
    );
    let fixed = page("/findings?kind=vulnerability&status=fixed", "en");
    assert!(
        fixed.contains("PYSEC-2023-254 (CVE-2023-49083)</a>"),
        "{fixed}"
    );
    let o = get(p, "/api/v1/overview", &admin).json();
    assert!(!o["widespread"].to_string().contains("cryptography"), "{o}");
}

/// A TLS port that accepts connections and never answers: a scan of it takes its time.
struct Silent {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    seen: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Silent {
    fn start() -> Silent {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let seen = std::sync::Arc::new(AtomicUsize::new(0));
        let (st, sn) = (stop.clone(), seen.clone());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !st.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((c, _)) => {
                        sn.fetch_add(1, Ordering::Relaxed);
                        held.push(c);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Silent { port, stop, seen }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Processes whose command line holds all of `words`.
fn processes_with(words: &[&str]) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if words.iter().all(|w| cmd.contains(w)) {
            out.push(pid);
        }
    }
    out
}

#[test]
fn a_server_killed_during_a_scheduled_scan_loses_nothing_and_the_scan_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    killed_server_loses_nothing(dir.path(), &dir.path().join("m.db"));
}

#[test]
fn on_postgresql_a_server_killed_during_a_scheduled_scan_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pg = mamori_testkit::postgres::database();
    killed_server_loses_nothing(dir.path(), pg.path());
}

fn killed_server_loses_nothing(d: &Path, db: &Path) {
    let silent = Silent::start();
    std::fs::create_dir(d.join("files")).unwrap();
    std::fs::write(
        d.join("files/app.py"),
        "import hashlib\nhashlib.md5(b'x')\n",
    )
    .unwrap();
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        format!(
            "[[system]]\nid = \"svc\"\nname = \"Service\"\ncriticality = \"high\"\nevery = \"5m\"\ntargets = [\"files\", \"tls://127.0.0.1:{}\"]\n",
            silent.port
        ),
    )
    .unwrap();
    let admin = user_with_token(db, "admin", "admin", None);
    // The store already holds a run and a finding's history: they must survive.
    let out = mamori(
        db,
        &[
            "scan",
            "-q",
            "--no-vulns",
            d.join("files").to_str().unwrap(),
        ],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let before = stdout(&mamori(db, &["findings", "list", "-f", "json"]));

    let mut s = Served::start(db, &["--config", reg.to_str().unwrap(), "--tick", "1"]);
    let port = s.port;
    // The scheduled scan starts and reaches the silent service.
    let start = Instant::now();
    let job = loop {
        let jobs = get(port, "/api/v1/scans", &admin).json();
        if let Some(j) = jobs["items"].as_array().unwrap().first() {
            if j["status"] == "running"
                && silent.seen.load(std::sync::atomic::Ordering::Relaxed) > 0
            {
                break j.clone();
            }
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{}", s.log());
        std::thread::sleep(Duration::from_millis(100));
    };
    let job_id = job["id"].as_i64().unwrap();
    let reg_s = reg.to_str().unwrap();
    assert_eq!(processes_with(&[reg_s, "--job"]).len(), 1);
    // The store reaches the scan in its environment, not its arguments (a database URL's
    // password stays out of `ps`).
    assert!(processes_with(&[db.to_str().unwrap(), "--job"]).is_empty());
    // kill -9.
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    // The scan notices its worker is gone and stops without storing.
    let start = Instant::now();
    while !processes_with(&[reg_s, "--job"]).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the orphaned scan kept running"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let runs: Value = serde_json::from_slice(&mamori(db, &["runs", "-f", "json"]).stdout).unwrap();
    assert_eq!(
        runs.as_array().unwrap().len(),
        1,
        "a partial run was stored"
    );
    assert_eq!(
        stdout(&mamori(db, &["findings", "list", "-f", "json"])),
        before
    );

    // The service answers (refuses) now; a new server retries the job at once.
    drop(silent);
    let s = Served::start(db, &["--config", reg.to_str().unwrap(), "--tick", "1"]);
    let done = wait_job(s.port, &admin, job_id, Duration::from_secs(120));
    assert_eq!(done["status"], "done", "{done} {}", s.log());
    assert_eq!(done["attempts"], 2, "{done}");
    assert!(
        s.log()
            .contains(&format!("scan job {job_id}: its worker stopped")),
        "{}",
        s.log()
    );
    let runs: Value = serde_json::from_slice(&mamori(db, &["runs", "-f", "json"]).stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_eq!(runs[1]["id"], done["run_id"]);
}

#[test]
fn with_a_certificate_the_server_speaks_only_https_and_its_cookies_are_secure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mamori_testkit::self_signed(
        d,
        "ec",
        "cert.pem",
        "key.pem",
        "/CN=127.0.0.1",
        &["-addext", "subjectAltName=IP:127.0.0.1"],
    );
    let db = d.join("m.db");
    user_with_token(&db, "admin", "admin", None);
    let (cert, key) = (d.join("cert.pem"), d.join("key.pem"));
    let s = Served::start(
        &db,
        &[
            "--workers",
            "0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(s.log().contains("serving on https://"), "{}", s.log());
    let curl = |args: &[&str]| {
        std::process::Command::new("curl")
            .args(["-s", "--max-time", "10", "--cacert", cert.to_str().unwrap()])
            .args(args)
            .output()
            .expect("curl runs")
    };
    let base = format!("https://127.0.0.1:{}", s.port);
    let out = curl(&[&format!("{base}/healthz")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "ok");
    // Over TLS browsers are told to come back only over TLS.
    let out = curl(&["-sI", &format!("{base}/login")]);
    let head = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    let out = curl(&[
        "-i",
        "-d",
        "name=admin&password=correct+horse+battery+staple&next=%2F",
        &format!("{base}/login"),
    ]);
    let head = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    let cookie = head
        .lines()
        .find(|l| l.starts_with("set-cookie: mamori_session="))
        .unwrap_or_else(|| panic!("{head}"));
    assert!(
        cookie.contains("secure") && cookie.contains("httponly"),
        "{cookie}"
    );
    // Plain HTTP to the same port gets no answer a browser would take.
    let plain = http_status_or_none(s.port);
    assert!(plain.is_none_or(|c| c >= 400), "{plain:?}");
    // A key that is not there: a clear error naming it, before listening.
    let out = mamori(
        &db,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            "/nonexistent/key.pem",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/key.pem"),
        "{}",
        stderr(&out)
    );
}

/// The status of a plain HTTP request, if the answer is HTTP at all.
fn http_status_or_none(port: u16) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    text.strip_prefix("HTTP/1.")?
        .get(2..5)
        .and_then(|c| c.parse().ok())
}

#[test]
fn a_separate_worker_takes_the_scans_a_server_without_workers_queues() {
    let dir = tempfile::tempdir().unwrap();
    let reg = register(dir.path());
    let db = dir.path().join("m.db");
    let admin = user_with_token(&db, "admin", "admin", None);
    let s = Served::start(&db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let r = post_json(s.port, "/api/v1/scans", &admin, r#"{"system": "beta"}"#);
    assert_eq!(r.status, 202);
    let id = r.json()["id"].as_i64().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        get(s.port, &format!("/api/v1/scans/{id}"), &admin).json()["status"],
        "queued"
    );
    // Killed when the test ends.
    let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["--db", db.to_str().unwrap(), "--vulndb"])
        .arg(dir.path().join("no-vulndb"))
        .args(["worker", "--config", reg.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let done = wait_job(s.port, &admin, id, Duration::from_secs(120));
    let _ = worker.kill();
    let _ = worker.wait();
    assert_eq!(done["status"], "done", "{done}");
    assert!(
        done["worker"]
            .as_str()
            .unwrap()
            .contains(&format!(":{}:", worker.id())),
        "{done}"
    );
    let found = get(s.port, "/api/v1/findings?system=beta", &admin).json();
    assert!(found["total"].as_u64().unwrap() >= 1);
}

#[test]
fn guessing_passwords_is_stopped_after_five_tries() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    user_with_token(&db, "aiko", "viewer", None);
    let s = Served::start(&db, &["--workers", "0"]);
    let try_login = |name: &str, password: &str| {
        http(
            s.port,
            "POST",
            "/login",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            format!("name={name}&password={password}&next=%2F").as_bytes(),
        )
    };
    for _ in 0..5 {
        assert_eq!(try_login("aiko", "guess").status, 401);
    }
    // Even the right password now waits, from this address for any name.
    let r = try_login("aiko", "correct+horse+battery+staple");
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((800..=901).contains(&wait), "{wait}");
    assert!(r.header("set-cookie").is_none());
    assert_eq!(try_login("someone", "x").status, 429);
}

#[test]
fn an_admin_manages_users_on_the_dashboard_and_no_one_else_can() {
    let dir = tempfile::tempdir().unwrap();
    let reg = register(dir.path());
    let db = dir.path().join("m.db");
    user_with_token(&db, "admin", "admin", None);
    user_with_token(&db, "va", "viewer", Some("alpha"));
    let s = Served::start(&db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let p = s.port;
    let admin = login(p, "admin");
    let viewer = login(p, "va");
    let page = http(p, "GET", "/admin/users", &[("Cookie", &admin)], b"");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("data-user=\"va\""));
    let csrf = csrf_of(&page.text());
    let post = |cookie: &str, body: String| {
        http(
            p,
            "POST",
            "/admin/users",
            &[
                ("Cookie", cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    };
    // Only an admin of every system sees or uses the page.
    assert_eq!(
        http(p, "GET", "/admin/users", &[("Cookie", &viewer)], b"").status,
        404
    );
    let viewer_csrf = csrf_of(&http(p, "GET", "/findings", &[("Cookie", &viewer)], b"").text());
    assert_eq!(
        post(
            &viewer,
            format!("csrf={viewer_csrf}&action=add&name=mallory&password=correct+horse+battery+staple&role=admin")
        )
        .status,
        404
    );
    assert!(!http(p, "GET", "/", &[("Cookie", &viewer)], b"")
        .text()
        .contains("/admin/users"));
    // Without the form's token nothing happens.
    assert_eq!(post(&admin, "action=remove&name=va".into()).status, 403);
    // Add a viewer of beta; they can sign in and read beta only.
    let r = post(
        &admin,
        format!("csrf={csrf}&action=add&name=kenji&password=correct+horse+battery+staple&role=viewer&system=beta"),
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("kenji"), "{}", r.text());
    let me = http(
        p,
        "GET",
        "/api/v1/me",
        &[("Cookie", &login(p, "kenji"))],
        b"",
    )
    .json();
    assert_eq!(me["systems"], serde_json::json!(["beta"]));
    // A short password is refused on the page, not with an error page.
    let r = post(
        &admin,
        format!("csrf={csrf}&action=add&name=short&password=abc&role=viewer"),
    );
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("data-user=\"short\""));
    // A token, shown once, works on the API.
    let r = post(&admin, format!("csrf={csrf}&action=token&name=kenji"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let token = r
        .text()
        .split("<code id=\"new-token\">")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap()
        .to_string();
    assert!(token.starts_with("mamori_"));
    assert_eq!(get(p, "/api/v1/me", &token).json()["name"], "kenji");
    // Removed: the token and the sessions end with the user.
    let r = post(&admin, format!("csrf={csrf}&action=remove&name=kenji"));
    assert_eq!(r.status, 200);
    assert_eq!(get(p, "/api/v1/me", &token).status, 401);
    assert_eq!(
        post(&admin, format!("csrf={csrf}&action=remove&name=admin")).status,
        400
    );
}

/// A form post with a session cookie.
fn post_form(port: u16, path: &str, cookie: &str, body: &str) -> HttpResponse {
    http(
        port,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

/// Signs `name` in with `password`: the session's `Cookie` header, or the refusal's status.
fn sign_in(port: u16, name: &str, password: &str) -> Result<String, u16> {
    let r = http(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!(
            "name={name}&password={}&next=%2F",
            password.replace(' ', "+")
        )
        .as_bytes(),
    );
    match r.header("set-cookie") {
        Some(c) if r.status == 303 => Ok(c.split(';').next().unwrap().to_string()),
        _ => Err(r.status),
    }
}

/// The id of the token labelled `label` in a `GET /api/v1/tokens` answer.
fn token_id(list: &Value, label: &str) -> i64 {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == label)
        .unwrap_or_else(|| panic!("no token {label} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn tokens_end_are_revoked_one_by_one_show_their_last_use_and_a_new_password_signs_out_other_browsers(
) {
    let dir = tempfile::tempdir().unwrap();
    account_end_to_end(dir.path(), &dir.path().join("m.db"));
}

#[test]
fn on_postgresql_tokens_end_are_revoked_and_a_new_password_signs_out_other_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let pg = mamori_testkit::postgres::database();
    account_end_to_end(dir.path(), pg.path());
}

fn account_end_to_end(d: &Path, db: &Path) {
    let reg = register(d);
    let admin = user_with_token(db, "admin", "admin", None);
    user_with_token(db, "va", "viewer", Some("alpha"));
    let made = |args: &[&str]| {
        let mut a = vec!["user", "token", "va"];
        a.extend_from_slice(args);
        let out = mamori(db, &a);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    let one = made(&["--label", "one"]);
    let two = made(&["--label", "two"]);
    // A token that ends in a few seconds.
    let ends_at = mamori_store::unix_now() + 10;
    let ends = mamori_store::format_unix(ends_at);
    let brief = made(&["--label", "brief", "--expires", &ends]);
    let s = Served::start(db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let p = s.port;
    if mamori_store::unix_now() + 2 < ends_at {
        assert_eq!(get(p, "/api/v1/me", &brief).status, 200);
    }

    // Two tokens: one revoked, the other still works.
    let mine = get(p, "/api/v1/tokens", &one);
    assert_eq!(mine.status, 200, "{}", mine.text());
    let mine = mine.json();
    assert!(!mine.to_string().contains("mamori_"), "{mine}");
    let r = http(
        p,
        "DELETE",
        &format!("/api/v1/tokens/{}", token_id(&mine, "two")),
        &[("Authorization", &bearer(&one))],
        b"",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let r = get(p, "/api/v1/me", &two);
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (401, Some("bad-token"))
    );
    assert_eq!(get(p, "/api/v1/me", &one).json()["name"], "va");
    // Another user's token is not there for a viewer to revoke, and still works.
    let admins = get(p, "/api/v1/tokens", &admin).json();
    let r = http(
        p,
        "DELETE",
        &format!("/api/v1/tokens/{}", token_id(&admins, "api")),
        &[("Authorization", &bearer(&one))],
        b"",
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "not-found");
    assert_eq!(get(p, "/api/v1/me", &admin).status, 200);
    // A token cannot make another (a stolen one would never end).
    let r = post_json(p, "/api/v1/tokens", &one, r#"{"label": "more"}"#);
    assert_eq!(r.status, 403, "{}", r.text());

    // When a token was last used shows, on the API and on the Account page.
    let start = Instant::now();
    let used = loop {
        let list = get(p, "/api/v1/tokens", &one).json();
        let t = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == "one")
            .unwrap()
            .clone();
        if let Some(at) = t["last_used"].as_str() {
            break at.to_string();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no last use: {list}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        mamori_model::date::parse_rfc3339(&used).unwrap() >= mamori_store::unix_now() - 60,
        "{used}"
    );
    let va = sign_in(p, "va", "correct horse battery staple").unwrap();
    let page = http(p, "GET", "/account", &[("Cookie", &va)], b"");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("href=\"/account\""));
    let row = html
        .split(&format!("<tr data-token=\"{}\">", token_id(&mine, "one")))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("token one's row");
    assert!(row.contains(&used) && row.contains("one"), "{row}");
    assert!(!html.contains(&one), "a token is never shown again");
    let csrf = csrf_of(&html);
    // Forms without the session's token do nothing.
    let r = post_form(p, "/account", &va, "action=token&label=x&days=7");
    assert_eq!(r.status, 403);
    // A token made on the page: shown once, works, ends when asked; then revoked there.
    let r = post_form(
        p,
        "/account",
        &va,
        &format!("csrf={csrf}&action=token&label=laptop&days=7"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let laptop = r
        .text()
        .split("<code id=\"new-token\">")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(get(p, "/api/v1/me", &laptop).json()["name"], "va");
    let list = get(p, "/api/v1/tokens", &laptop).json();
    let t = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "laptop")
        .unwrap()
        .clone();
    let days = (mamori_model::date::parse_rfc3339(t["expires"].as_str().unwrap()).unwrap()
        - mamori_store::unix_now()) as f64
        / 86_400.0;
    assert!((6.9..=7.0).contains(&days), "{t}");
    let r = post_form(
        p,
        "/account",
        &va,
        &format!("csrf={csrf}&action=revoke&id={}", t["id"]),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(p, "/api/v1/me", &laptop).status, 401);
    // Someone else's token cannot be revoked from the page either.
    let r = post_form(
        p,
        "/account",
        &va,
        &format!("csrf={csrf}&action=revoke&id={}", token_id(&admins, "api")),
    );
    assert_eq!(r.status, 404);
    assert_eq!(get(p, "/api/v1/me", &admin).status, 200);

    // A new password: only with the current one; this browser stays signed in, the
    // other is signed out, and the old password no longer signs in.
    let other = sign_in(p, "va", "correct horse battery staple").unwrap();
    let change = |current: &str, new: &str, again: &str| {
        post_form(
            p,
            "/account",
            &va,
            &format!(
                "csrf={csrf}&action=password&current={}&new={}&again={}",
                current.replace(' ', "+"),
                new.replace(' ', "+"),
                again.replace(' ', "+")
            ),
        )
    };
    let r = change("not my password", "a new long secret", "a new long secret");
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("current password is not right"),
        "{}",
        r.text()
    );
    let r = change(
        "correct horse battery staple",
        "a new long secret",
        "a new long secreT",
    );
    assert_eq!(r.status, 422);
    let r = change("correct horse battery staple", "short", "short");
    assert_eq!(r.status, 422);
    assert_eq!(
        http(p, "GET", "/account", &[("Cookie", &other)], b"").status,
        200
    );
    let r = change(
        "correct horse battery staple",
        "a new long secret",
        "a new long secret",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        http(p, "GET", "/account", &[("Cookie", &va)], b"").status,
        200
    );
    let r = http(p, "GET", "/account", &[("Cookie", &other)], b"");
    assert_eq!(r.status, 303, "the other browser is signed out");
    assert_eq!(sign_in(p, "va", "correct horse battery staple"), Err(401));
    let third = sign_in(p, "va", "a new long secret").unwrap();
    // API tokens keep working; through the API (with a token) every session ends.
    let r = post_json(
        p,
        "/api/v1/me/password",
        &one,
        r#"{"current": "a new long secret", "new": "a newer long secret"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["sessions_ended"], 2);
    for c in [&va, &third] {
        assert_eq!(
            http(p, "GET", "/account", &[("Cookie", c)], b"").status,
            303
        );
    }
    for (body, code) in [
        (r#"{"current": "x", "new": "short"}"#, 422),
        (r#"{"current": "x"}"#, 400),
        (
            r#"{"current": "x", "new": "a long enough one", "x": 1}"#,
            400,
        ),
    ] {
        let r = post_json(p, "/api/v1/me/password", &one, body);
        assert_eq!(r.status, code, "{body}: {}", r.text());
    }
    // Guessing the current password: five tries, then a quarter of an hour's wait.
    for _ in 0..5 {
        let r = post_json(
            p,
            "/api/v1/me/password",
            &one,
            r#"{"current": "a guess at it", "new": "a long enough one"}"#,
        );
        assert_eq!(r.json()["error"]["code"], "wrong-password");
    }
    let r = post_json(
        p,
        "/api/v1/me/password",
        &one,
        r#"{"current": "a newer long secret", "new": "a long enough one"}"#,
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("900"));
    assert!(sign_in(p, "va", "a newer long secret").is_ok());

    // The admin sees each user's tokens and revokes one.
    let admin_page = sign_in(p, "admin", "correct horse battery staple").unwrap();
    let users = http(p, "GET", "/admin/users", &[("Cookie", &admin_page)], b"").text();
    let row = users
        .split("<tr data-user=\"va\">")
        .nth(1)
        .and_then(|r| r.split("</details>").next())
        .expect("va's row with their tokens");
    // api, one and brief (two and laptop were revoked).
    assert!(row.contains("<summary>3</summary>"), "{row}");
    let r = post_form(
        p,
        "/admin/users",
        &admin_page,
        &format!(
            "csrf={}&action=revoke&name=va&id={}",
            csrf_of(&users),
            token_id(&mine, "one")
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get(p, "/api/v1/me", &one).status, 401);
    // Not even an admin's token makes a token.
    let r = http(
        p,
        "POST",
        "/admin/users",
        &[
            ("Authorization", &bearer(&admin)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"action=token&name=admin",
    );
    assert_eq!(r.status, 403);

    // The brief token's time has come: refused, saying when it ended and what to do.
    let wait = ends_at - mamori_store::unix_now() + 1;
    if wait > 0 {
        std::thread::sleep(Duration::from_secs(wait as u64));
    }
    let r = get(p, "/api/v1/me", &brief);
    assert_eq!(r.status, 401);
    let e = r.json();
    assert_eq!(e["error"]["code"], "expired-token", "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&ends) && message.contains("mamori user token"),
        "{message}"
    );
    assert_eq!(get(p, "/api/v1/me", &admin).status, 200);
}

/// `n` systems `s0`…, each a directory of Python code using MD5, and their register (no
/// schedules: scans are asked for). With `slow`, s0 also has a TLS service that never
/// answers (its scan waits out the probe's timeouts, about ten seconds).
fn many_systems(d: &Path, n: usize, slow: Option<u16>) -> std::path::PathBuf {
    let mut reg = String::from("[organization]\nname = \"Test City\"\n");
    for i in 0..n {
        let dir = d.join(format!("s{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.py"), "import hashlib\nhashlib.md5(b'x')\n").unwrap();
        let service = match slow {
            Some(port) if i == 0 => format!(", \"tls://127.0.0.1:{port}\""),
            _ => String::new(),
        };
        reg.push_str(&format!(
            "\n[[system]]\nid = \"s{i}\"\nname = \"S{i}\"\nowner = \"team\"\ncriticality = \"high\"\ntargets = [\"s{i}\"{service}]\n"
        ));
    }
    let path = d.join("mamori.toml");
    std::fs::write(&path, reg).unwrap();
    path
}

/// `mamori worker` on the store `db` with its log in `log`; killed by the caller.
fn worker_process(db: &Path, reg: &Path, log: &Path, pid_namespace: bool) -> std::process::Child {
    let mut cmd = if pid_namespace {
        // In a PID namespace of its own, as a worker on another machine looks to the
        // others: its process cannot be checked, only its heartbeat.
        let mut c = std::process::Command::new("unshare");
        c.args(["--pid", "--fork", "--kill-child"])
            .arg(env!("CARGO_BIN_EXE_mamori"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_mamori"))
    };
    cmd.args(["--db", db.to_str().unwrap(), "--vulndb"])
        .arg(log.with_extension("no-vulndb"))
        .args([
            "worker",
            "--workers",
            "1",
            "--config",
            reg.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

#[test]
fn on_postgresql_workers_in_several_processes_share_one_database_and_take_each_scan_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pg = mamori_testkit::postgres::database();
    let db = pg.path();
    // s0's scan is slow: while one process is busy with it, the other takes the rest, so
    // both take scans however fast the machine is.
    let silent = Silent::start();
    let reg = many_systems(d, 6, Some(silent.port));
    let admin = user_with_token(db, "admin", "admin", None);
    let s = Served::start(db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    // Two worker processes, one of them as if on another machine.
    let mut workers = [
        worker_process(db, &reg, &d.join("w1.log"), false),
        worker_process(db, &reg, &d.join("w2.log"), true),
    ];
    let ids: Vec<i64> = (0..6)
        .map(|i| {
            let r = post_json(
                s.port,
                "/api/v1/scans",
                &admin,
                &format!(r#"{{"system": "s{i}"}}"#),
            );
            assert_eq!(r.status, 202, "{}", r.text());
            r.json()["id"].as_i64().unwrap()
        })
        .collect();
    let done: Vec<Value> = ids
        .iter()
        .map(|id| wait_job(s.port, &admin, *id, Duration::from_secs(180)))
        .collect();
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let logs = format!(
        "{}\n{}",
        std::fs::read_to_string(d.join("w1.log")).unwrap_or_default(),
        std::fs::read_to_string(d.join("w2.log")).unwrap_or_default()
    );
    // Each scan done once, by one attempt, into a run of its own.
    let mut runs = std::collections::BTreeSet::new();
    for j in &done {
        assert_eq!(j["status"], "done", "{j}\n{logs}");
        assert_eq!(j["attempts"], 1, "{j}");
        assert!(runs.insert(j["run_id"].as_i64().unwrap()), "{j}");
    }
    let listed = get(s.port, "/api/v1/runs", &admin).json();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(6),
        "{listed}"
    );
    // Both processes took scans: the workers' ids differ in their process namespaces.
    let by: std::collections::BTreeSet<String> = done
        .iter()
        .map(|j| {
            let w = j["worker"].as_str().unwrap();
            w.rsplit('-').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(by.len(), 2, "one process took every scan: {done:?}");
    // Every system's finding is tracked once.
    let found = get(s.port, "/api/v1/findings?limit=100", &admin).json();
    assert_eq!(found["total"], 6, "{found}");
    // Stopped as systemd stops it, the server closes its connections and exits cleanly.
    let mut s = s;
    let term = std::process::Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}: {}", s.log());
    assert!(!s.log().contains("panicked"), "{}", s.log());
}

#[test]
fn on_postgresql_a_database_that_goes_away_gives_clear_errors_and_the_server_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A server of this test's own, to stop and start. Its URL carries a password (the test
    // server trusts loopback and ignores it) that no message may show.
    let pg = mamori_testkit::postgres::Postgres::start();
    let url = pg.url.replace("mamori@", "mamori:Hunter2-s3cret@");
    let db = Path::new(&url);
    let reg = many_systems(d, 2, None);
    let admin = user_with_token(db, "admin", "admin", None);
    let s = Served::start(db, &["--config", reg.to_str().unwrap(), "--workers", "0"]);
    let mut worker = worker_process(db, &reg, &d.join("w.log"), false);
    let first = post_json(s.port, "/api/v1/scans", &admin, r#"{"system": "s0"}"#);
    let first = wait_job(
        s.port,
        &admin,
        first.json()["id"].as_i64().unwrap(),
        Duration::from_secs(120),
    );
    assert_eq!(first["status"], "done", "{first}");
    assert_eq!(get(s.port, "/api/v1/findings", &admin).status, 200);

    pg.stop();
    // The API says plainly that the store cannot answer, and when to try again; the
    // server's log says why.
    for path in ["/api/v1/findings", "/api/v1/systems", "/api/v1/scans"] {
        let r = get(s.port, path, &admin);
        assert_eq!(r.status, 503, "{path}: {}", r.text());
        assert_eq!(
            r.json()["error"]["code"],
            "store-unavailable",
            "{}",
            r.text()
        );
        assert!(r.header("retry-after").is_some(), "{path}");
    }
    let page = http(s.port, "GET", "/login", &[], b"");
    assert!(page.status < 500 || page.status == 503, "{}", page.status);
    // The worker keeps trying, backing off, and says so.
    let start = Instant::now();
    loop {
        let log = std::fs::read_to_string(d.join("w.log")).unwrap_or_default();
        if log.contains("cannot be reached") && log.contains("trying again in") {
            assert!(!log.contains("Hunter2-s3cret"), "{log}");
            assert!(log.contains("mamori:***@"), "{log}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the worker did not report the lost store: {log}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The cause, in the server's log: the connection cut, or refused when opened again.
    let log = s.log();
    assert!(!log.contains("Hunter2-s3cret"), "{log}");
    assert!(
        log.contains("terminating connection") || log.contains("Connection refused"),
        "{log}"
    );
    assert!(worker.try_wait().unwrap().is_none(), "the worker gave up");

    pg.restart();
    // Back without a restart of mamori: reads, a new scan taken by the same worker.
    let start = Instant::now();
    while get(s.port, "/api/v1/findings", &admin).status != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not come back: {}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let again = post_json(s.port, "/api/v1/scans", &admin, r#"{"system": "s1"}"#);
    assert_eq!(again.status, 202, "{}", again.text());
    let again = wait_job(
        s.port,
        &admin,
        again.json()["id"].as_i64().unwrap(),
        Duration::from_secs(180),
    );
    let _ = worker.kill();
    let _ = worker.wait();
    assert_eq!(again["status"], "done", "{again}");
    let found = get(s.port, "/api/v1/findings?limit=100", &admin).json();
    assert_eq!(found["total"], 2, "{found}");
}
