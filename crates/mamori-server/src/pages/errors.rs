//! Error pages: why a page cannot be shown, in the reader's language, with the status of
//! the error (and `Retry-After` where waiting helps); the page for a path that is none.

use super::parts::{self, Untrusted};
use super::{lang_of, PageError};
use crate::api::ApiError;
use crate::App;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{Html, IntoResponse, Response};
use mamori_i18n::{Lang, Messages};
use maud::html;
use std::sync::Arc;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let m = Messages::new(self.lang);
        let title = m.t("web.error");
        // The message may quote the request (a path, a form's field): untrusted.
        let body = html! {
            h1 { (title) }
            (parts::notice(Untrusted(&self.err.message)))
            p { a href="/" { (m.t("web.nav.overview")) } }
        };
        let page = parts::frame(&m, self.lang, self.caller.as_ref(), "", &title, body);
        let mut r = (self.err.status, Html(page.into_string())).into_response();
        if let Some(secs) = self.err.retry_after_secs() {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// An error as a page, in the language the request asks for.
pub fn error_page(lang: Lang, err: ApiError) -> Response {
    PageError {
        lang,
        caller: None,
        err,
    }
    .into_response()
}

/// A path no route takes: under `/api/` the API's JSON error, elsewhere a page.
pub(super) async fn not_found(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    uri: Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::not_found(format!(
            "no such endpoint: {} (see /api/openapi.json)",
            uri.path()
        ))
        .into_response();
    }
    error_page(
        lang_of(&headers, app.cfg.lang),
        ApiError::not_found(format!("no page {}", uri.path())),
    )
}
