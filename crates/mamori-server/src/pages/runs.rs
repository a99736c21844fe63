//! The runs (`/runs`): the form that compares two of them, the latest scans asked for, and
//! the runs the reader may see; and a scan's own page (`/scans/{id}`), which reloads itself
//! while the scan waits or runs.

use super::parts::{self, kv, Untrusted};
use super::{parse_id, PageCaller, PageError};
use crate::api::ApiError;
use crate::App;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::jobs::{Job, JobStatus};
use mamori_store::RunHead;
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /runs`.
pub(super) async fn runs(
    State(app): State<Arc<App>>,
    pc: PageCaller,
) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::runs_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let v = pc.caller.visible();
    // Already only the reader's.
    let (jobs, _) = app
        .pool
        .run(move |s| Ok(s.jobs_page(&v, 20, 0)?))
        .await
        .map_err(|e| pc.err(e))?;
    let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
    let body = html! {
        h1 { (m.t("web.nav.runs")) }
        @if ids.len() >= 2 {
            (compare_form(&m, &ids))
        }
        @if !jobs.is_empty() {
            h2 { (m.t("web.scans")) }
            (jobs_table(&m, &jobs))
        }
        h2 { (m.t("web.nav.runs")) }
        (runs_table(&m, &list))
    };
    Ok(pc.page("runs", &m.t("web.nav.runs"), body))
}

/// Compare two runs: a GET form to `/diff`, the newest two chosen.
fn compare_form(m: &Messages, ids: &[i64]) -> Markup {
    let options = |selected: i64| {
        html! {
            @for i in ids.iter().rev() {
                option value=(i) selected[*i == selected] { "run " (i) }
            }
        }
    };
    html! {
        form class="filters" method="get" action="/diff" {
            label { (m.t("web.diff.from")) select name="from" { (options(ids[ids.len() - 2])) } }
            label { (m.t("web.diff.to")) select name="to" { (options(ids[ids.len() - 1])) } }
            button class="primary" type="submit" { (m.t("web.diff.compare")) }
        }
    }
}

/// The latest scans asked for.
fn jobs_table(m: &Messages, jobs: &[Job]) -> Markup {
    let cols = [
        "-",
        "web.col.system",
        "web.col.status",
        "web.col.who",
        "web.col.when",
        "web.col.run",
    ];
    let rows = html! {
        @for j in jobs {
            tr data-status=(j.status.as_str()) {
                td { a href={ "/scans/" (j.id) } { (j.id) } }
                td { (Untrusted(j.system.as_deref().unwrap_or("*"))) }
                td { (m.t(&format!("web.job.{}", j.status.as_str()))) }
                td { (Untrusted(&j.requested_by)) }
                td { (Untrusted(&j.created)) }
                td { @if let Some(r) = j.run_id { (parts::run_link(r)) } }
            }
        }
    };
    parts::table(m, "jobs", &cols, rows)
}

/// The runs, the newest 200 first.
fn runs_table(m: &Messages, list: &[RunHead]) -> Markup {
    let rows = html! {
        @for r in list.iter().rev().take(200) {
            tr {
                td { (parts::run_link(r.id)) }
                td { (Untrusted(&r.started)) }
                td {
                    @for (i, t) in r.targets.iter().enumerate() {
                        @if i > 0 { " " }
                        code { (Untrusted(t)) }
                    }
                }
            }
        }
    };
    let cols = ["web.col.run", "web.col.when", "web.col.targets"];
    parts::table(m, "runs", &cols, rows)
}

/// `GET /scans/{id}`: a scan asked for, and its run once it has one.
pub(super) async fn scan_page(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "scan").map_err(|e| pc.err(e))?;
    let job = app
        .pool
        .run(move |s| Ok(s.job(id)?))
        .await
        .map_err(|e| pc.err(e))?;
    let Some(j) = job.filter(|j| pc.caller.can_read(j.system.as_deref())) else {
        return Err(pc.err(ApiError::not_found(format!("no scan {id}"))));
    };
    let running = matches!(j.status, JobStatus::Queued | JobStatus::Running);
    let title = m.get("web.scan.title", &[("id", j.id.to_string())]);
    let body = html! {
        h1 { (title) }
        table id="job" data-status=(j.status.as_str()) {
            (kv(&m, "web.col.system", Untrusted(j.system.as_deref().unwrap_or("*"))))
            (kv(&m, "web.col.status", m.t(&format!("web.job.{}", j.status.as_str()))))
            (kv(&m, "web.col.who", Untrusted(&j.requested_by)))
            (kv(&m, "web.col.attempts", html! { (j.attempts) "/" (j.max_attempts) }))
            (kv(&m, "web.col.when", Untrusted(&j.created)))
            @if let Some(r) = j.run_id {
                (kv(&m, "web.col.run", html! { a id="run-link" href={ "/runs/" (r) } { "run " (r) } }))
            }
            @if let Some(e) = &j.error {
                (kv(&m, "web.col.error", html! { pre { (Untrusted(e)) } }))
            }
        }
        @if running {
            p class="mut" { (m.t("web.scan.refresh")) }
        }
    };
    let mut r = pc.page("runs", &title, body);
    if running {
        // Progressive without script: the browser reloads until the scan ends.
        r.headers_mut()
            .insert("refresh", HeaderValue::from_static("3"));
    }
    Ok(r)
}
