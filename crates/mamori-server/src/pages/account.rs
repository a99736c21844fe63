//! The Account page (`/account`), every signed-in user's own: change the password (the
//! current one first; the other browser sessions end), list the API tokens with when they
//! were made, end and were last used, revoke one, make one (shown once). The tokens table
//! is the admins' Users page's too.

use super::{form, PageCaller, PageError};
use crate::api::ApiError;
use crate::auth::{cookie, SESSION_COOKIE};
use crate::html::{self, esc};
use crate::App;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::account::TokenInfo;
use mamori_store::users::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
use serde::Deserialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// The lifetimes offered for a new token, in days.
const DAYS: [i64; 6] = [7, 30, 60, DEFAULT_TOKEN_DAYS, 180, MAX_TOKEN_DAYS];

/// A table of tokens, each with a form that revokes it: posted to `action` with the
/// hidden fields `fields` (`name="…" value="…"` pairs, already escaped) beside its id.
pub(super) fn tokens_table(
    m: &Messages,
    id: &str,
    tokens: &[&TokenInfo],
    csrf: &str,
    action: &str,
    fields: &str,
) -> String {
    let mut o = format!(
        "<table id=\"{}\" class=\"tokens\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
        esc(id),
        esc(&m.t("web.col.label")),
        esc(&m.t("web.col.created")),
        esc(&m.t("web.col.expires")),
        esc(&m.t("web.col.last_used"))
    );
    for t in tokens {
        let expires = match (&t.expires, t.expired) {
            (Some(at), true) => format!(
                "<span class=\"bad\">{}</span>",
                esc(&m.get("web.token.expired", &[("at", at.clone())]))
            ),
            (Some(at), false) => esc(at),
            (None, _) => esc(&m.t("web.token.no_expiry")),
        };
        let used = match &t.last_used {
            Some(at) => esc(at),
            None => format!(
                "<span class=\"mut\">{}</span>",
                esc(&m.t("web.token.unused"))
            ),
        };
        let _ = write!(
            o,
            "<tr data-token=\"{id}\"><td>{id}</td><td>{}</td><td>{}</td><td>{expires}</td><td class=\"last-used\">{used}</td><td><form method=\"post\" action=\"{}\">{csrf}<input type=\"hidden\" name=\"action\" value=\"revoke\">{fields}<input type=\"hidden\" name=\"id\" value=\"{id}\"><button>{}</button></form></td></tr>",
            esc(&t.label),
            esc(&t.created),
            esc(action),
            esc(&m.t("web.token.revoke")),
            id = t.id
        );
    }
    o.push_str("</table>");
    o
}

/// The page, with what the last form did (HTML, escaped) and its status.
async fn account_page(
    app: &Arc<App>,
    pc: &PageCaller,
    notice: Option<String>,
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
    let csrf = html::csrf_field(&pc.caller);
    let mut b = format!(
        "<h1>{}</h1><p>{}</p>",
        esc(&m.t("web.account.title")),
        esc(&m.get(
            "web.account.who",
            &[
                ("name", user.name.clone()),
                ("grants", super::grants_text(&m, &user.grants)),
            ]
        ))
    );
    if let Some(n) = notice {
        let _ = write!(b, "<div class=\"notice\" role=\"status\">{n}</div>");
    }
    let _ = write!(
        b,
        "<h2>{}</h2><form method=\"post\" action=\"/account\" id=\"password\" class=\"filters\">{csrf}<input type=\"hidden\" name=\"action\" value=\"password\"><label>{}<input name=\"current\" type=\"password\" autocomplete=\"current-password\" required></label><label>{}<input name=\"new\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></label><label>{}<input name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></label><button class=\"primary\" type=\"submit\">{}</button></form><p class=\"mut\">{}</p>",
        esc(&m.t("web.account.password")),
        esc(&m.t("web.account.current")),
        esc(&m.t("web.account.new")),
        esc(&m.t("web.account.again")),
        esc(&m.t("web.account.change")),
        esc(&m.t("web.account.password_hint"))
    );
    let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.account.tokens")));
    if tokens.is_empty() {
        let _ = write!(
            b,
            "<p class=\"mut\" id=\"no-tokens\">{}</p>",
            esc(&m.t("web.account.no_tokens"))
        );
    } else {
        let list: Vec<&TokenInfo> = tokens.iter().collect();
        b.push_str(&tokens_table(&m, "tokens", &list, &csrf, "/account", ""));
    }
    let mut days = String::new();
    for d in DAYS {
        let _ = write!(
            days,
            "<option value=\"{d}\"{}>{}</option>",
            if d == DEFAULT_TOKEN_DAYS {
                " selected"
            } else {
                ""
            },
            esc(&m.get("web.account.days_n", &[("n", d.to_string())]))
        );
    }
    let _ = write!(
        b,
        "<h2>{}</h2><form method=\"post\" action=\"/account\" id=\"new-token-form\" class=\"filters\">{csrf}<input type=\"hidden\" name=\"action\" value=\"token\"><label>{}<input name=\"label\" maxlength=\"{}\" required></label><label>{}<select name=\"days\">{days}</select></label><button class=\"primary\" type=\"submit\">{}</button></form><p class=\"mut\">{}</p>",
        esc(&m.t("web.account.new_token")),
        esc(&m.t("web.col.label")),
        mamori_store::users::MAX_LABEL,
        esc(&m.t("web.account.days")),
        esc(&m.t("web.account.create")),
        esc(&m.t("web.account.token_hint"))
    );
    let mut r = pc.page("account", &m.t("web.account.title"), &b);
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
    let done: Result<String, ApiError> = match f.action.as_str() {
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
                    Ok(ended) => Ok(esc(&m.get(
                        "web.account.password_changed",
                        &[("sessions", ended.to_string())],
                    ))),
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
                        format!(
                            "{}<br><code id=\"new-token\">{}</code>",
                            esc(&m.get(
                                "web.account.token_once",
                                &[
                                    ("label", t.info.label.clone()),
                                    ("expires", t.info.expires.clone().unwrap_or_default()),
                                ]
                            )),
                            esc(&t.token)
                        )
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
                .map(|()| esc(&m.get("web.account.revoked", &[("id", id.to_string())])))
        }
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    let (notice, status, retry) = match done {
        Ok(n) => (n, StatusCode::OK, None),
        Err(e) if e.status.is_client_error() => (esc(&e.message), e.status, e.retry_after),
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
