//! The systems of the register (`/systems`) and each one's page (`/systems/{id}`): owner,
//! criticality, targets, schedule, open findings by severity and the post-quantum
//! migration; the forms that start a scan of one system or of all.

use super::parts::{self, charts, kv, Track, Untrusted};
use super::{form, CsrfForm, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::insight::{SystemPqc, SystemSummary};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_i18n::Messages;
use maud::{html, Markup};
use std::sync::Arc;

/// The systems, one row each (the overview's too).
pub(super) fn systems_table(m: &Messages, systems: &[SystemSummary]) -> Markup {
    let cols = [
        "web.col.system",
        "web.col.owner",
        "web.col.criticality",
        "#web.col.active",
        "#web.col.overdue",
        "web.col.priority",
        "web.col.deadline",
        "#web.col.components",
        "web.col.last_scan",
    ];
    let rows = html! {
        @for s in systems {
            @let last = s.schedule.as_ref().and_then(|x| x.last.clone());
            tr data-system=(Untrusted(&s.id)) {
                td { a href={ "/systems/" (parts::url(&s.id)) } { (Untrusted(&s.name)) } }
                td { (Untrusted(&s.owner)) }
                td { (parts::criticality(m, &s.criticality)) }
                td class="n" { (s.findings.active.values().sum::<u64>()) }
                td class=(if s.findings.overdue > 0 { "n bad" } else { "n" }) { (s.findings.overdue) }
                td { @if let Some(p) = &s.pqc { (Untrusted(&p.priority)) } }
                td { @if let Some(d) = s.pqc.as_ref().and_then(|p| p.deadline) { (d) } }
                td class="n" { (s.components) }
                td { (Untrusted(&last.unwrap_or_else(|| m.t("schedule.never")))) }
            }
        }
    };
    parts::table(m, "systems", &cols, rows)
}

/// `GET /systems`.
pub(super) async fn systems(
    State(app): State<Arc<App>>,
    pc: PageCaller,
) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::systems_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let body = html! {
        h1 { (m.t("web.nav.systems")) }
        @if app.register().is_none() {
            (parts::notice(m.t("web.no_register")))
        } @else if pc.caller.can_act(None) {
            form method="post" action="/scan" {
                (parts::csrf_field(&pc.caller))
                button class="primary" id="scan-all" type="submit" { (m.t("web.scan_all")) }
            }
        }
        (systems_table(&m, &list))
    };
    Ok(pc.page("systems", &m.t("web.nav.systems"), body))
}

/// `GET /systems/{id}`.
pub(super) async fn system(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::systems_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let Some(s) = list.into_iter().find(|s| s.id == id) else {
        return Err(pc.err(ApiError::not_found(format!("no system {id}"))));
    };
    let run = app.insight().and_then(|i| i.run);
    let body = html! {
        h1 { (Untrusted(&s.name)) }
        (details(&m, &s))
        @if pc.caller.can_act(Some(&s.id)) && !s.criticality.is_empty() {
            form method="post" action={ "/systems/" (parts::url(&s.id)) "/scan" } {
                (parts::csrf_field(&pc.caller))
                button class="primary" id="scan-now" type="submit" { (m.t("web.scan_now")) }
            }
        }
        h2 { (m.t("web.findings.title")) }
        (severity_cards(&m, &s))
        @if let Some(p) = &s.pqc {
            h2 { (m.t("web.chart.pqc")) }
            (charts::pqc_svg(&m, &[(s.name.clone(), p)], parts::this_year()))
            (migration(&m, p))
            @if let Some(run) = run {
                p {
                    a href={ "/runs/" (run) "?system=" (parts::url(&s.id)) } { (m.t("web.crypto_assets")) }
                }
            }
        }
    };
    Ok(pc.page("systems", &s.name, body))
}

/// A system as the register and its schedule say.
fn details(m: &Messages, s: &SystemSummary) -> Markup {
    html! {
        table id="system" {
            (kv(m, "web.col.id", html! { code { (Untrusted(&s.id)) } }))
            (kv(m, "web.col.owner", Untrusted(&s.owner)))
            (kv(m, "web.col.criticality", parts::criticality(m, &s.criticality)))
            (kv(m, "web.col.targets", html! {
                @for (i, t) in s.targets.iter().enumerate() {
                    @if i > 0 { br; }
                    code { (Untrusted(t)) }
                }
            }))
            (kv(m, "web.col.every", Untrusted(s.every.as_deref().unwrap_or("-"))))
            @if let Some(sc) = &s.schedule {
                (kv(m, "web.col.last_scan", match (&sc.last, sc.last_run) {
                    (Some(l), Some(r)) => parts::at_run(l, r),
                    _ => html! { (m.t("schedule.never")) },
                }))
                (kv(m, "web.col.next_scan", Untrusted(sc.next.as_deref().unwrap_or("-"))))
            }
            (kv(m, "web.col.components", s.components))
        }
    }
}

/// The system's open findings by severity, and its overdue ones, each a link to them.
fn severity_cards(m: &Messages, s: &SystemSummary) -> Markup {
    let sys = parts::url(&s.id);
    html! {
        div class="cards" {
            @for (sev, _) in parts::SEVERITIES {
                a class="card" href={
                    "/findings?system=" (sys) "&status=active&severity="
                    (if sev == "unrated" { "" } else { sev })
                } {
                    b { (s.findings.active.get(sev).copied().unwrap_or(0)) }
                    span { (m.t(&format!("web.sev.{sev}"))) }
                }
            }
            a class="card" href={ "/findings?system=" (sys) "&overdue=true" } {
                b { (s.findings.overdue) }
                span { (m.t("web.card.overdue")) }
            }
        }
    }
}

/// The figures of a system's migration and whether its pace reaches the deadline.
fn migration(m: &Messages, p: &SystemPqc) -> Markup {
    let (class, words) = match parts::on_track(p, parts::this_year()) {
        Track::Done => ("ok", "web.track.done"),
        Track::Ahead => ("ok", "web.track.on"),
        Track::Behind => ("bad", "web.track.behind"),
        Track::Unknown => ("mut", "web.track.unknown"),
    };
    html! {
        table id="pqc-detail" {
            (kv(m, "web.col.priority", Untrusted(&p.priority)))
            (kv(m, "web.col.deadline", html! { @if let Some(d) = p.deadline { (d) } }))
            (kv(m, "web.col.start_by", html! { @if let Some(d) = p.start_by { (d) } }))
            (kv(m, "web.col.places", p.places))
            (kv(m, "web.col.agility", html! { (p.agility) "/100" }))
            (kv(m, "web.col.track", html! { span class=(class) { (m.t(words)) } }))
        }
    }
}

/// `POST /systems/{id}/scan`: a scan of the system, then its page.
pub(super) async fn scan_system(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let job = api::trigger_scan(&app, &pc.caller, Some(id))
        .await
        .map_err(|e| pc.err(e))?;
    Ok(Redirect::to(&format!("/scans/{}", job.id)).into_response())
}

/// `POST /scan`: a scan of every system, then its page.
pub(super) async fn scan_all(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let job = api::trigger_scan(&app, &pc.caller, None)
        .await
        .map_err(|e| pc.err(e))?;
    Ok(Redirect::to(&format!("/scans/{}", job.id)).into_response())
}
