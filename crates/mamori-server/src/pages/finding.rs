//! A finding's page (`/findings/{id}`): what it is, where, its advisory, the forms that
//! act on it (acknowledge, accept until a date, assign, set a due date, comment) for an
//! analyst of its system, and its history.

use super::parts::{self, kv, Untrusted};
use super::{form, parse_id, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_i18n::Messages;
use mamori_store::lifecycle::{Act, Event, Status, Tracked};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /findings/{id}`.
pub(super) async fn finding(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "finding").map_err(|e| pc.err(e))?;
    finding_page(&app, &pc, id, None).await
}

/// A finding's page; `failed` is why an act on it was just refused (the server's own
/// words, never text from the request: a link must not make the page say anything).
async fn finding_page(
    app: &Arc<App>,
    pc: &PageCaller,
    id: i64,
    failed: Option<&str>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let (t, events) = api::visible_finding(app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    let title = parts::tracked_title(&t);
    let body = html! {
        h1 { "#" (t.id) " " (parts::sev_badge(&m, t.severity.map(|s| s.as_str()))) " " (Untrusted(&title)) }
        @if !t.advisory.summary.trim().is_empty() {
            // The advisory's own words, whole.
            p id="summary" { (Untrusted(&t.advisory.summary)) }
        }
        @if let Some(why) = failed {
            p class="notice" role="alert" { (Untrusted(why)) }
        }
        (detail(&m, &t))
        @if pc.caller.can_act(t.system.as_deref()) && t.status != Status::Fixed {
            h2 { (m.t("web.act.title")) }
            (acts(&m, &parts::csrf_field(&pc.caller)))
        }
        h2 { (m.t("web.history")) }
        (history(&m, &events))
    };
    Ok(pc.page("findings", &format!("#{} {title}", t.id), body))
}

/// What the finding is and where, and its advisory's names and rating.
fn detail(m: &Messages, t: &Tracked) -> Markup {
    html! {
        table id="detail" {
            (kv(m, "web.col.status", parts::status_badge(m, t.status.as_str())))
            (kv(m, "web.col.kind", m.t(&format!("web.kind.{}", t.kind))))
            (kv(m, "web.col.system", html! {
                @if let Some(s) = &t.system {
                    a href={ "/systems/" (parts::url(s)) } { (Untrusted(s)) }
                }
            }))
            (kv(m, "web.col.place", html! { code { (Untrusted(&t.location)) } }))
            (kv(m, "web.col.due", Untrusted(t.due.as_deref().unwrap_or(""))))
            (kv(m, "web.col.assignee", Untrusted(t.assignee.as_deref().unwrap_or(""))))
            @if let Some(u) = &t.accepted_until {
                (kv(m, "web.col.accepted_until", Untrusted(u)))
            }
            (kv(m, "web.col.first_seen", parts::at_run(&t.first_seen, t.first_run)))
            (kv(m, "web.col.last_seen", parts::at_run(&t.last_seen, t.last_run)))
            @if !t.advisory.aliases.is_empty() {
                (kv(m, "web.col.aliases", html! {
                    @for (i, a) in t.advisory.aliases.iter().enumerate() {
                        @if i > 0 { " " }
                        code { (Untrusted(a)) }
                    }
                }))
            }
            @if let Some(c) = &t.advisory.cvss {
                (kv(m, "web.col.cvss", html! {
                    (format!("{:.1}", c.score)) " (CVSS " (Untrusted(&c.version)) ") "
                    code { (Untrusted(&c.vector)) }
                }))
            }
            (kv(m, "web.col.key", html! { code { (Untrusted(&t.key)) } }))
        }
    }
}

/// The forms that act on the finding, each with the session's CSRF field.
fn acts(m: &Messages, csrf: &Markup) -> Markup {
    let comment = html! { input name="comment" placeholder=(m.t("web.act.comment_hint")); };
    let act = |id: &str, fields: Markup, button: &str| {
        html! {
            form method="post" id=(id) {
                (csrf)
                input type="hidden" name="action" value=(id);
                (fields)
                button class="primary" type="submit" { (m.t(button)) }
            }
        }
    };
    let date = |label: &str, name: &str| {
        html! { label { (m.t(label)) input type="date" name=(name) required; } (comment) }
    };
    html! {
        div class="acts" {
            (act("ack", comment.clone(), "web.act.ack"))
            (act("accept", date("web.col.accepted_until", "until"), "web.act.accept"))
            (act("assign", html! {
                label { (m.t("web.col.assignee")) input name="to" required; } (comment)
            }, "web.act.assign"))
            (act("due", date("web.col.due", "date"), "web.act.due"))
            (act("comment", html! { textarea name="comment" required rows="2" {} }, "web.act.comment"))
        }
    }
}

/// What happened to the finding, the newest first.
fn history(m: &Messages, events: &[Event]) -> Markup {
    let cols = [
        "web.col.when",
        "web.col.who",
        "web.col.what",
        "web.col.status",
        "web.col.detail",
    ];
    let rows = html! {
        @for e in events.iter().rev() {
            tr {
                td { (Untrusted(&e.at)) }
                td { (Untrusted(&e.actor)) }
                td { (m.t(&format!("web.event.{}", e.action))) }
                td {
                    @match (e.from, e.to) {
                        (Some(f), Some(t)) if f != t => {
                            (parts::status_badge(m, f.as_str())) " → " (parts::status_badge(m, t.as_str()))
                        }
                        (None, Some(t)) => { (parts::status_badge(m, t.as_str())) }
                        _ => {}
                    }
                }
                td { (Untrusted(e.detail.as_deref().unwrap_or(""))) }
            }
        }
    };
    parts::table(m, "history", &cols, rows)
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

pub(super) async fn finding_act(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "finding").map_err(|e| pc.err(e))?;
    let f: ActForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let a = match f.action.as_str() {
        "ack" => Act::Acknowledge,
        "accept" => Act::Accept {
            until: f.until.unwrap_or_default(),
        },
        "assign" => Act::Assign {
            to: f.to.unwrap_or_default(),
        },
        "due" => Act::Due {
            date: f.date.unwrap_or_default(),
        },
        "comment" => Act::Comment,
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    match api::act(&app, &pc.caller, id, a, f.comment).await {
        Ok(_) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        // What the person can correct is shown on the page itself.
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let mut r = finding_page(&app, &pc, id, Some(&e.message)).await?;
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(pc.err(e)),
    }
}
