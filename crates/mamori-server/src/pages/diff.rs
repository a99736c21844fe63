//! The difference between two runs (`/diff?from=&to=`), narrowed to what the reader may
//! see: findings, crypto assets, components and vulnerabilities added and removed (the
//! first 500 of each).

use super::parts::{self, Untrusted};
use super::{parse_id, PageCaller, PageError, SUMMARY_IN_LISTS};
use crate::api;
use crate::App;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_model::{Component, CryptoAsset, Finding, Vulnerability};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Items of each kind listed.
const LIST: usize = 500;

#[derive(Deserialize)]
struct DiffQuery {
    from: String,
    to: String,
}

/// `GET /diff?from=&to=`.
pub(super) async fn diff(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let q: DiffQuery = api::query(&uri).map_err(|e| pc.err(e))?;
    let from = parse_id(&q.from, "run").map_err(|e| pc.err(e))?;
    let to = parse_id(&q.to, "run").map_err(|e| pc.err(e))?;
    let d = api::visible_diff(&app, &pc.caller, from, to)
        .await
        .map_err(|e| pc.err(e))?;
    let title = m.get(
        "web.diff.title",
        &[("from", from.to_string()), ("to", to.to_string())],
    );
    let f = |x: &Finding| finding(&m, x);
    let v = |x: &Vulnerability| vulnerability(&m, x);
    let body = html! {
        h1 { (title) }
        (section(&m, "web.diff.findings_added", "findings-added", &d.findings_added, f))
        (section(&m, "web.diff.findings_removed", "findings-removed", &d.findings_removed, f))
        (section(&m, "web.diff.assets_added", "assets-added", &d.assets_added, asset))
        (section(&m, "web.diff.assets_removed", "assets-removed", &d.assets_removed, asset))
        (section(&m, "web.diff.components_added", "components-added", &d.components_added, component))
        (section(&m, "web.diff.components_removed", "components-removed", &d.components_removed, component))
        (section(&m, "web.diff.vulns_added", "vulns-added", &d.vulnerabilities_added, v))
        (section(&m, "web.diff.vulns_removed", "vulns-removed", &d.vulnerabilities_removed, v))
    };
    Ok(pc.page("runs", &title, body))
}

/// A heading with how many there are, and the first of them.
fn section<T>(
    m: &Messages,
    key: &str,
    id: &str,
    items: &[T],
    item: impl Fn(&T) -> Markup,
) -> Markup {
    html! {
        h2 { (m.t(key)) " (" (items.len()) ")" }
        ul id=(id) {
            @for x in items.iter().take(LIST) {
                li { (item(x)) }
            }
        }
    }
}

fn finding(m: &Messages, x: &Finding) -> Markup {
    html! {
        (parts::sev_badge(m, Some(x.severity.as_str())))
        " " (Untrusted(&x.code)) " "
        code { (Untrusted(&x.location.to_string())) }
    }
}

fn asset(x: &CryptoAsset) -> Markup {
    html! { (Untrusted(&x.name)) " " span class="mut" { (Untrusted(x.kind.as_str())) } }
}

fn component(x: &Component) -> Markup {
    html! { code { (Untrusted(&x.purl)) } }
}

fn vulnerability(m: &Messages, x: &Vulnerability) -> Markup {
    html! {
        (parts::sev_score(m, x.severity.map(|s| s.as_str()), x.cvss.as_ref().map(|c| c.score)))
        " " (Untrusted(&parts::advisory_name(&x.id, &x.aliases))) " "
        code { (Untrusted(&x.component)) }
        (parts::summary_line(&x.summary, SUMMARY_IN_LISTS))
    }
}
