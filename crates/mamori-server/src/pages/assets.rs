//! A crypto asset of a run (`/runs/{id}/assets/{asset}`): its properties, its places and
//! the findings about it — only the reader's places and the findings of their systems.

use super::parts::{self, Untrusted};
use super::{parse_id, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::App;
use axum::extract::{Path, State};
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_model::{CryptoAsset, Finding};
use mamori_store::views::Visible;
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /runs/{id}/assets/{asset}`.
pub(super) async fn asset(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path((id, asset)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    api::check_run(&app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    let (v, loaded) = (pc.caller.visible(), app.register());
    let wanted = asset.clone();
    let found = app
        .pool
        .run(move |s| {
            let Some((mut a, findings)) = s.run_asset(id, &wanted)? else {
                return Ok(None);
            };
            if v == Visible::All {
                return Ok(Some((a, findings)));
            }
            // Only the reader's places of it, and findings of their systems.
            let Some(l) = loaded else { return Ok(None) };
            if !crate::insight::narrow_asset(&mut a, &v, &l) {
                return Ok(None);
            }
            let findings = findings
                .into_iter()
                .filter(|f| v.sees(f.system.as_deref()))
                .collect();
            Ok(Some((a, findings)))
        })
        .await
        .map_err(|e| pc.err(e))?;
    let Some((a, related)) = found else {
        return Err(pc.err(ApiError::not_found(format!("no asset {asset} in run {id}"))));
    };
    let body = html! {
        h1 { (Untrusted(&a.name)) }
        (properties(&a))
        h2 { (m.t("web.col.place")) }
        ul {
            @for o in a.occurrences.iter().take(200) {
                li {
                    code { (Untrusted(&o.location.to_string())) }
                    " "
                    span class="mut" { (Untrusted(&o.detector)) }
                }
            }
        }
        @if !related.is_empty() {
            h2 { (m.t("web.findings.title")) }
            (findings_list(&m, &related))
        }
    };
    Ok(pc.page("runs", &a.name, body))
}

/// Every property the asset has (its JSON fields but its places), each as text.
fn properties(a: &CryptoAsset) -> Markup {
    let props = serde_json::to_value(a).unwrap_or_default();
    let fields = props
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| *k != "occurrences" && !v.is_null());
    html! {
        table id="asset" {
            @for (k, v) in fields {
                @let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                };
                tr { th { (Untrusted(k)) } td { pre { (Untrusted(&text)) } } }
            }
        }
    }
}

/// The findings about the asset, each a link to the findings of its code.
fn findings_list(m: &Messages, related: &[Finding]) -> Markup {
    html! {
        ul {
            @for f in related {
                li {
                    (parts::sev_badge(m, Some(f.severity.as_str())))
                    " "
                    a href={ "/findings?q=" (parts::url(&f.code)) } { (Untrusted(&f.code)) }
                    " "
                    code { (Untrusted(&f.location.to_string())) }
                }
            }
        }
    }
}
