//! The dashboard: server-rendered pages, usable without JavaScript, in Japanese and
//! English (a `mamori_lang` cookie, else the browser's Accept-Language, else the server's
//! default). Every form posts the session's CSRF token.
//!
//! Each page is a module of its own, a `maud` template over what the handler read; the
//! frame, tables, badges, the pager and the SVG charts they share are in [`parts`].
//! Every value a template splices is escaped, text from outside the server through
//! [`parts::Untrusted`] (decision 020).

use crate::api::ApiError;
use crate::auth::{cookie, identify, Caller, LANG_COOKIE};
use crate::App;
use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use mamori_i18n::{Lang, Messages};
use maud::Markup;
use parts::url;
use std::sync::Arc;

mod account;
mod assets;
mod diff;
mod errors;
mod finding;
mod findings;
mod overview;
pub mod parts;
mod run;
mod runs;
mod sign_in;
mod systems;
mod users;

pub use errors::error_page;
pub use sign_in::same_origin;
pub use users::grants_text;

/// Characters of an advisory's summary shown in a list (the finding's page shows it whole).
const SUMMARY_IN_LISTS: usize = 200;

/// The page routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(overview::overview))
        .route("/login", get(sign_in::login_form).post(sign_in::login))
        .route("/logout", post(sign_in::logout))
        .route("/lang/{lang}", get(sign_in::set_lang))
        .route("/findings", get(findings::findings))
        .route(
            "/findings/{id}",
            get(finding::finding).post(finding::finding_act),
        )
        .route("/systems", get(systems::systems))
        .route("/systems/{id}", get(systems::system))
        .route("/systems/{id}/scan", post(systems::scan_system))
        .route("/scan", post(systems::scan_all))
        .route("/scans/{id}", get(runs::scan_page))
        .route("/runs", get(runs::runs))
        .route("/runs/{id}", get(run::run))
        .route("/runs/{id}/export", get(run::run_export))
        .route("/runs/{id}/assets/{asset}", get(assets::asset))
        .route("/diff", get(diff::diff))
        .route("/admin/users", get(users::users).post(users::users_act))
        .route("/account", get(account::account).post(account::account_act))
        .fallback(errors::not_found)
        .with_state(app)
}

/// The language of a request.
pub fn lang_of(headers: &HeaderMap, default: Lang) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE) {
        return Lang::detect(Some(l));
    }
    if let Some(al) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(first) = al.split(',').next() {
            let f = first.trim().to_ascii_lowercase();
            if f.starts_with("ja") {
                return Lang::Ja;
            }
            if f.starts_with("en") {
                return Lang::En;
            }
        }
    }
    default
}

/// A signed-in page request: its caller and language. Without a session the browser is
/// sent to the login page and back.
pub struct PageCaller {
    caller: Caller,
    lang: Lang,
}

/// Why a page cannot be shown.
pub struct PageError {
    lang: Lang,
    caller: Option<Caller>,
    err: ApiError,
}

impl PageCaller {
    fn err(&self, err: ApiError) -> PageError {
        PageError {
            lang: self.lang,
            caller: Some(self.caller.clone()),
            err,
        }
    }
    fn m(&self) -> Messages {
        Messages::new(self.lang)
    }
    /// The page `body` in its frame, with the header link `active` marked.
    fn page(&self, active: &str, title: &str, body: Markup) -> Response {
        let page = parts::frame(
            &self.m(),
            self.lang,
            Some(&self.caller),
            active,
            title,
            body,
        );
        Html(page.into_string()).into_response()
    }
}

impl axum::extract::FromRequestParts<Arc<App>> for PageCaller {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers, app.cfg.lang);
        match identify(app, parts).await {
            Ok(Some(caller)) => Ok(PageCaller { caller, lang }),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", url(next))).into_response())
            }
            Err(err) => Err(PageError {
                lang,
                caller: None,
                err,
            }
            .into_response()),
        }
    }
}

/// A posted form.
fn form<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::bad(format!("bad form: {e}")))
}

/// An id in a path: a positive number, else "no such thing".
fn parse_id(s: &str, what: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found(format!("no {what} {s}")))
}

/// A form with nothing but its CSRF token.
#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: Option<String>,
}
