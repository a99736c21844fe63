//! A run's page (`/runs/{id}`, narrowed to the reader's systems or to one with
//! `?system=`): its counts, its exports and its first crypto assets (read row by row); and
//! the export itself (`/runs/{id}/export?format=`), made by a child process and streamed.

use super::parts::{self, Untrusted};
use super::{parse_id, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::App;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use mamori_i18n::{Lang, Messages};
use mamori_model::CryptoAsset;
use mamori_store::views::Visible;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Crypto assets listed on the page; the export has them all.
const LIST: usize = 500;

#[derive(Deserialize, Default)]
struct RunQuery {
    #[serde(default)]
    system: Option<String>,
}

/// `GET /runs/{id}`.
pub(super) async fn run(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    let q: RunQuery = api::query(&uri).unwrap_or_default();
    api::check_run(&app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    // What the page lists: the reader's systems, or the one asked for.
    let visible = match &q.system {
        Some(sys) if !pc.caller.can_read(Some(sys)) => {
            return Err(pc.err(ApiError::not_found(format!("no system {sys}"))));
        }
        Some(sys) => Visible::Systems(vec![sys.clone()]),
        None => pc.caller.visible(),
    };
    let (assets, n_assets, n_findings, n_components, n_vulns) =
        api::run_contents(&app, visible, id, LIST)
            .await
            .map_err(|e| pc.err(e))?;
    let body = html! {
        h1 { "run " (id) }
        @if let Some(s) = &q.system {
            p { (m.t("web.col.system")) ": " a href={ "/systems/" (parts::url(s)) } { (Untrusted(s)) } }
        }
        p {
            (m.t("web.export")) ": "
            @for f in api::EXPORT_FORMATS {
                a class="export" href={ "/runs/" (id) "/export?format=" (f) } {
                    (m.t(&format!("web.format.{f}")))
                }
                " "
            }
        }
        div class="cards" {
            @for (n, key) in [
                (n_assets, "web.crypto_assets"),
                (n_findings, "web.findings.title"),
                (n_components, "web.col.components"),
                (n_vulns, "web.kind.vulnerability"),
            ] {
                div class="card" { b { (n) } span { (m.t(key)) } }
            }
        }
        h2 { (m.t("web.crypto_assets")) }
        (assets_table(&m, id, &assets))
        @if n_assets > LIST as u64 {
            p class="mut" {
                (m.get("web.more_in_export", &[("n", (n_assets - LIST as u64).to_string())]))
            }
        }
    };
    Ok(pc.page("runs", &format!("run {id}"), body))
}

/// The run's crypto assets, each with its first place and how many more it has.
fn assets_table(m: &Messages, run: i64, assets: &[CryptoAsset]) -> Markup {
    let cols = [
        "web.col.asset",
        "web.col.kind",
        "web.col.crypto_status",
        "web.col.place",
    ];
    let rows = html! {
        @for a in assets {
            tr {
                td { a href={ "/runs/" (run) "/assets/" (parts::url(&a.id)) } { (Untrusted(&a.name)) } }
                td { (Untrusted(a.kind.as_str())) }
                td { (Untrusted(a.status().as_str())) }
                td {
                    code {
                        @if let Some(o) = a.occurrences.first() { (Untrusted(&o.location.to_string())) }
                    }
                    @if a.occurrences.len() > 1 {
                        " " span class="mut" { "+" (a.occurrences.len() - 1) }
                    }
                }
            }
        }
    };
    parts::table(m, "assets", &cols, rows)
}

/// `GET /runs/{id}/export?format=`.
pub(super) async fn run_export(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    #[derive(Deserialize)]
    struct Q {
        format: String,
    }
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    let q: Q = api::query(&uri).map_err(|e| pc.err(e))?;
    if !api::EXPORT_FORMATS.contains(&q.format.as_str()) {
        return Err(pc.err(ApiError::bad(format!(
            "unknown export format {:?}",
            q.format
        ))));
    }
    let lang = if pc.lang == Lang::Ja { "ja" } else { "en" };
    api::export_response(&app, &pc.caller, id, &q.format, lang)
        .await
        .map_err(|e| pc.err(e))
}
