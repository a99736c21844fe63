//! The users and their grants and tokens (`/admin/users`), for admins of every system
//! (others: as if there were no page): add a user, remove one, make a token for one (shown
//! once), revoke a token.

use super::account::tokens_table;
use super::parts::{self, Untrusted};
use super::{form, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::App;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::account::TokenInfo;
use mamori_store::users::User;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// The grants of a user in words (the command line's `mamori user list` too).
pub fn grants_text(m: &Messages, g: &[mamori_store::users::Grant]) -> String {
    g.iter()
        .map(|g| {
            let role = m.t(&format!("user.role.{}", g.role.as_str()));
            match &g.system {
                Some(s) => m.get("user.grant.one", &[("role", role), ("system", s.clone())]),
                None => m.get("user.grant.all", &[("role", role)]),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /admin/users`.
pub(super) async fn users(
    State(app): State<Arc<App>>,
    pc: PageCaller,
) -> Result<Response, PageError> {
    users_page(&app, &pc, None).await
}

/// The page, with what the last form did.
async fn users_page(
    app: &Arc<App>,
    pc: &PageCaller,
    notice: Option<Markup>,
) -> Result<Response, PageError> {
    if !pc.caller.user.is_admin() {
        return Err(pc.err(ApiError::not_found("no page /admin/users")));
    }
    let m = pc.m();
    let (list, tokens) = app
        .pool
        .run(|s| Ok((s.users()?, s.all_tokens()?)))
        .await
        .map_err(|e| pc.err(e))?;
    let csrf = parts::csrf_field(&pc.caller);
    let systems: Vec<String> = match app.register() {
        Some(l) => l.register.systems.iter().map(|s| s.id.clone()).collect(),
        None => Vec::new(),
    };
    let body = html! {
        h1 { (m.t("web.users.title")) }
        @if let Some(n) = notice {
            div class="notice" role="status" { (n) }
        }
        (users_table(&m, &list, &tokens, &pc.caller.user.name, &csrf))
        h2 { (m.t("web.users.add")) }
        form method="post" id="add-user" class="filters" {
            (csrf)
            input type="hidden" name="action" value="add";
            label { (m.t("web.col.name")) input name="name" required; }
            label {
                (m.t("web.login.password"))
                input name="password" type="password" minlength="12" required autocomplete="new-password";
            }
            label {
                (m.t("web.col.role"))
                select name="role" {
                    @for role in ["viewer", "analyst", "admin"] {
                        option value=(role) { (role) }
                    }
                }
            }
            label {
                (m.t("web.col.system"))
                select name="system" {
                    option value="" { "*" }
                    @for s in &systems {
                        option value=(Untrusted(s)) { (Untrusted(s)) }
                    }
                }
            }
            button class="primary" type="submit" { (m.t("web.users.add")) }
        }
        p class="mut" { (m.t("web.users.hint")) }
    };
    Ok(pc.page("users", &m.t("web.users.title"), body))
}

/// Every user with their grants, the forms that make a token for them or remove them, and
/// their tokens, each revoked by a form of its own.
fn users_table(
    m: &Messages,
    users: &[User],
    tokens: &[(String, TokenInfo)],
    me: &str,
    csrf: &Markup,
) -> Markup {
    let cols = [
        "web.col.name",
        "web.col.grants",
        "web.col.when",
        "web.col.detail",
        "web.col.tokens",
    ];
    let user_form = |action: &str, name: &str, button: &str| {
        html! {
            form method="post" class="inline" {
                (csrf)
                input type="hidden" name="action" value=(action);
                input type="hidden" name="name" value=(Untrusted(name));
                button { (m.t(button)) }
            }
        }
    };
    let rows = html! {
        @for u in users {
            @let theirs: Vec<&TokenInfo> = tokens
                .iter()
                .filter(|(owner, _)| *owner == u.name)
                .map(|(_, t)| t)
                .collect();
            tr data-user=(Untrusted(&u.name)) {
                td { (Untrusted(&u.name)) }
                td { (Untrusted(&grants_text(m, &u.grants))) }
                td { (Untrusted(&u.created)) }
                td {
                    (user_form("token", &u.name, "web.users.token"))
                    " "
                    @if u.name != me {
                        (user_form("remove", &u.name, "web.users.remove"))
                    }
                }
                @if theirs.is_empty() {
                    td class="n" { "0" }
                } @else {
                    td {
                        details {
                            summary { (theirs.len()) }
                            (tokens_table(
                                m,
                                &format!("tokens-{}", u.name),
                                &theirs,
                                csrf,
                                "/admin/users",
                                html! { input type="hidden" name="name" value=(Untrusted(&u.name)); },
                            ))
                        }
                    }
                }
            }
        }
    };
    parts::table(m, "users", &cols, rows)
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    system: Option<String>,
}

pub(super) async fn users_act(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    bytes: Bytes,
) -> Result<Response, PageError> {
    if !pc.caller.user.is_admin() {
        return Err(pc.err(ApiError::not_found("no page /admin/users")));
    }
    let f: UserForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let m = pc.m();
    let name = f.name.trim().to_string();
    let notice = match f.action.as_str() {
        "add" => {
            use mamori_store::users::{Grant, Role};
            let role = Role::parse(f.role.as_deref().unwrap_or("viewer"))
                .ok_or_else(|| pc.err(ApiError::bad("role: use viewer, analyst or admin")))?;
            let system = f.system.filter(|s| !s.trim().is_empty());
            let password = f.password.unwrap_or_default();
            let n = name.clone();
            let r = app
                .pool
                .run(move |s| Ok(s.add_user(&n, &password, &[Grant { role, system }])?))
                .await;
            match r {
                Ok(u) => {
                    let added = m.get(
                        "web.users.added",
                        &[
                            ("name", u.name.clone()),
                            ("grants", grants_text(&m, &u.grants)),
                        ],
                    );
                    html! { (Untrusted(&added)) }
                }
                Err(e) if e.status.is_client_error() => html! { (Untrusted(&e.message)) },
                Err(e) => return Err(pc.err(e)),
            }
        }
        "remove" => {
            if name == pc.caller.user.name {
                return Err(pc.err(ApiError::bad("you cannot remove yourself")));
            }
            let n = name.clone();
            app.pool
                .run(move |s| Ok(s.remove_user(&n)?))
                .await
                .map_err(|e| pc.err(e))?;
            let removed = m.get("web.users.removed", &[("name", name)]);
            html! { (Untrusted(&removed)) }
        }
        "token" => {
            if pc.caller.csrf.is_none() {
                return Err(pc.err(ApiError::forbidden(
                    "an API token cannot make another: sign in on the dashboard",
                )));
            }
            let n = name.clone();
            let ends = mamori_store::unix_now() + mamori_store::users::DEFAULT_TOKEN_DAYS * 86_400;
            let t = app
                .pool
                .run(move |s| Ok(s.add_token(&n, "dashboard", Some(ends))?))
                .await
                .map_err(|e| pc.err(e))?;
            let once = m.get(
                "web.users.token_once",
                &[
                    ("name", name),
                    ("expires", t.info.expires.unwrap_or_default()),
                ],
            );
            html! { (Untrusted(&once)) br; code id="new-token" { (Untrusted(&t.token)) } }
        }
        "revoke" => {
            let id =
                api::parse_id(f.id.as_deref().unwrap_or(""), "token").map_err(|e| pc.err(e))?;
            let n = name.clone();
            app.pool
                .run(move |s| Ok(s.revoke_token(&n, id)?))
                .await
                .map_err(|e| pc.err(e))?;
            let revoked = m.get(
                "web.users.revoked",
                &[("id", id.to_string()), ("name", name)],
            );
            html! { (Untrusted(&revoked)) }
        }
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    // The answer is a page of its own (a token is shown once, never in a URL).
    let mut r = users_page(&app, &pc, Some(notice)).await?;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
