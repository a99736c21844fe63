//! The Account page (`/account`), every signed-in user's own: change the password (the
//! current one first; the other browser sessions end), list the API tokens with when they
//! were made, end and were last used, revoke one, make one (shown once). The tokens table
//! is the admins' Users page's too.

use super::parts::{self, Untrusted};
use super::{form, PageCaller, PageError};
use crate::api::ApiError;
use crate::auth::{cookie, SESSION_COOKIE};
use crate::App;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::account::TokenInfo;
use mamori_store::users::{DEFAULT_TOKEN_DAYS, MAX_LABEL, MAX_TOKEN_DAYS};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// The lifetimes offered for a new token, in days.
const DAYS: [i64; 6] = [7, 30, 60, DEFAULT_TOKEN_DAYS, 180, MAX_TOKEN_DAYS];

/// A table of tokens, each with a form that revokes it: posted to `action` with the
/// hidden `fields` beside its id (and the session's CSRF field).
pub(super) fn tokens_table(
    m: &Messages,
    id: &str,
    tokens: &[&TokenInfo],
    csrf: &Markup,
    action: &str,
    fields: Markup,
) -> Markup {
    html! {
        table id=(Untrusted(id)) class="tokens" {
            tr {
                th { "#" }
                th { (m.t("web.col.label")) }
                th { (m.t("web.col.created")) }
                th { (m.t("web.col.expires")) }
                th { (m.t("web.col.last_used")) }
                th {}
            }
            @for t in tokens {
                tr data-token=(t.id) {
                    td { (t.id) }
                    td { (Untrusted(&t.label)) }
                    td { (Untrusted(&t.created)) }
                    td {
                        @match (&t.expires, t.expired) {
                            (Some(at), true) => {
                                span class="bad" { (Untrusted(&m.get("web.token.expired", &[("at", at.clone())]))) }
                            }
                            (Some(at), false) => { (Untrusted(at)) }
                            (None, _) => { (m.t("web.token.no_expiry")) }
                        }
                    }
                    td class="last-used" {
                        @match &t.last_used {
                            Some(at) => { (Untrusted(at)) }
                            None => { span class="mut" { (m.t("web.token.unused")) } }
                        }
                    }
                    td {
                        form method="post" action=(action) {
                            (csrf)
                            input type="hidden" name="action" value="revoke";
                            (fields)
                            input type="hidden" name="id" value=(t.id);
                            button { (m.t("web.token.revoke")) }
                        }
                    }
                }
            }
        }
    }
}

/// The page, with what the last form did and its status.
async fn account_page(
    app: &Arc<App>,
    pc: &PageCaller,
    notice: Option<Markup>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let m = pc.m();
    let user = &pc.caller.user;
    let name = user.name.clone();
    let tokens = app
        .pool
        .run(move |s| Ok(s.tokens_of(&name)?))
        .await
        .map_err(|e| pc.err(e))?;
    let csrf = parts::csrf_field(&pc.caller);
    let who = m.get(
        "web.account.who",
        &[
            ("name", user.name.clone()),
            ("grants", super::grants_text(&m, &user.grants)),
        ],
    );
    let list: Vec<&TokenInfo> = tokens.iter().collect();
    let body = html! {
        h1 { (m.t("web.account.title")) }
        p { (Untrusted(&who)) }
        @if let Some(n) = notice {
            div class="notice" role="status" { (n) }
        }
        h2 { (m.t("web.account.password")) }
        form method="post" action="/account" id="password" class="filters" {
            (csrf)
            input type="hidden" name="action" value="password";
            label {
                (m.t("web.account.current"))
                input name="current" type="password" autocomplete="current-password" required;
            }
            label {
                (m.t("web.account.new"))
                input name="new" type="password" autocomplete="new-password" minlength="12" required;
            }
            label {
                (m.t("web.account.again"))
                input name="again" type="password" autocomplete="new-password" minlength="12" required;
            }
            button class="primary" type="submit" { (m.t("web.account.change")) }
        }
        p class="mut" { (m.t("web.account.password_hint")) }
        h2 { (m.t("web.account.tokens")) }
        @if list.is_empty() {
            p class="mut" id="no-tokens" { (m.t("web.account.no_tokens")) }
        } @else {
            (tokens_table(&m, "tokens", &list, &csrf, "/account", html! {}))
        }
        h2 { (m.t("web.account.new_token")) }
        form method="post" action="/account" id="new-token-form" class="filters" {
            (csrf)
            input type="hidden" name="action" value="token";
            label { (m.t("web.col.label")) input name="label" maxlength=(MAX_LABEL) required; }
            label {
                (m.t("web.account.days"))
                select name="days" {
                    @for d in DAYS {
                        option value=(d) selected[d == DEFAULT_TOKEN_DAYS] {
                            (m.get("web.account.days_n", &[("n", d.to_string())]))
                        }
                    }
                }
            }
            button class="primary" type="submit" { (m.t("web.account.create")) }
        }
        p class="mut" { (m.t("web.account.token_hint")) }
    };
    let mut r = pc.page("account", &m.t("web.account.title"), body);
    *r.status_mut() = status;
    Ok(r)
}

/// `GET /account`.
pub(super) async fn account(
    State(app): State<Arc<App>>,
    pc: PageCaller,
) -> Result<Response, PageError> {
    account_page(&app, &pc, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    new: Option<String>,
    #[serde(default)]
    again: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
}

/// `POST /account`: `action` is `password`, `token` or `revoke`. The answer is the page
/// again with what happened (a new token is shown there once, never in a URL); what the
/// person can correct is said there too, with the status of the mistake.
pub(super) async fn account_act(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: AccountForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let m = pc.m();
    let done: Result<Markup, ApiError> = match f.action.as_str() {
        "password" => {
            let (current, new) = (f.current.unwrap_or_default(), f.new.unwrap_or_default());
            if Some(&new) != f.again.as_ref() {
                Err(invalid(m.t("web.account.differ")))
            } else if mamori_store::users::check_password(&new).is_err() {
                Err(invalid(m.t("web.account.short")))
            } else {
                let same = new == current;
                let keep = cookie(&headers, SESSION_COOKIE).map(str::to_string);
                match crate::account::change_password(&app, &pc.caller, keep, current, new).await {
                    Ok(ended) => {
                        let changed = m.get(
                            "web.account.password_changed",
                            &[("sessions", ended.to_string())],
                        );
                        Ok(html! { (changed) })
                    }
                    Err(e) => Err(match e.code {
                        "wrong-password" => ApiError {
                            message: m.t("web.account.wrong"),
                            ..e
                        },
                        "too-many-attempts" => ApiError {
                            message: m.t("web.account.throttled"),
                            ..e
                        },
                        "invalid" if same => ApiError {
                            message: m.t("web.account.same"),
                            ..e
                        },
                        _ => e,
                    }),
                }
            }
        }
        "token" => {
            let label = f.label.unwrap_or_default();
            let days = f.days.as_deref().unwrap_or("").parse::<i64>().ok();
            if mamori_store::users::check_label(&label).is_err() {
                Err(invalid(m.get(
                    "web.account.bad_label",
                    &[("max", mamori_store::users::MAX_LABEL.to_string())],
                )))
            } else if let Some(days) = days.filter(|d| DAYS.contains(d)) {
                crate::account::create_token(&app, &pc.caller, label, Some(days))
                    .await
                    .map(|t| {
                        let once = m.get(
                            "web.account.token_once",
                            &[
                                ("label", t.info.label.clone()),
                                ("expires", t.info.expires.clone().unwrap_or_default()),
                            ],
                        );
                        html! { (Untrusted(&once)) br; code id="new-token" { (Untrusted(&t.token)) } }
                    })
            } else {
                Err(ApiError::bad("days: choose one of the lifetimes offered"))
            }
        }
        "revoke" => {
            let id = crate::api::parse_id(f.id.as_deref().unwrap_or(""), "token")
                .map_err(|e| pc.err(e))?;
            let name = pc.caller.user.name.clone();
            app.pool
                .run(move |s| Ok(s.revoke_token(&name, id)?))
                .await
                .map(|()| html! { (m.get("web.account.revoked", &[("id", id.to_string())])) })
        }
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    let (notice, status, retry) = match done {
        Ok(n) => (n, StatusCode::OK, None),
        Err(e) if e.status.is_client_error() => {
            (html! { (Untrusted(&e.message)) }, e.status, e.retry_after)
        }
        Err(e) => return Err(pc.err(e)),
    };
    let mut r = account_page(&app, &pc, Some(notice), status).await?;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(secs) = retry {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(r)
}
