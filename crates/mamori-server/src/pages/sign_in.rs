//! Signing in and out, and the language switch: the login form, the sign-in (counted by
//! the throttle before its password is checked, refused when another site posted it), the
//! sign-out, and `/lang/ja` or `/lang/en`.

use super::parts::{self, Untrusted};
use super::{form, lang_of, CsrfForm, PageCaller, PageError};
use crate::api::{self, ApiError};
use crate::auth::{cookie, session_cookie, LANG_COOKIE, SESSION_COOKIE};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use mamori_i18n::{Lang, Messages};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Only same-site paths are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        // No control characters or spaces (browsers drop tabs and newlines in a Location,
        // which would turn "/\t/evil" into "//evil"), no backslash, no scheme-relative "//".
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b > 0x20 && b != 0x7f && b != b'\\') =>
        {
            n.into()
        }
        _ => "/".into(),
    }
}

/// Whether a form post came from this server's own pages: its `Origin` (else its
/// `Referer`) names the host the request was sent to — or, behind a reverse proxy that
/// rewrites `Host`, the `X-Forwarded-Host` the proxy sets (a cross-site form cannot set
/// that header). A request with neither `Origin` nor `Referer` is not from a browser's form
/// (browsers send `Origin` with every POST) and passes.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host_of = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.split(',').next())
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
    };
    let hosts = [host_of("host"), host_of("x-forwarded-host")];
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let Some(from) = from else {
        return true;
    };
    // scheme://host[:port][/path]; "null" (a sandboxed or privacy-hidden origin) fails.
    let authority = from
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .map(|a| a.rsplit('@').next().unwrap_or(a).to_ascii_lowercase());
    authority.is_some_and(|a| !a.is_empty() && hosts.iter().flatten().any(|h| *h == a))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    failed: Option<String>,
}

/// The login form (`failed`: a wrong name or password was just sent).
fn login_page(m: &Messages, lang: Lang, next: &str, failed: bool) -> Markup {
    let body = html! {
        div class="login" {
            h1 { (m.t("web.login.title")) }
            @if failed {
                p class="notice" role="alert" { (m.t("web.login.failed")) }
            }
            form method="post" action="/login" {
                input type="hidden" name="next" value=(Untrusted(next));
                label { (m.t("web.login.name")) br; input name="name" autocomplete="username" required autofocus; }
                label {
                    (m.t("web.login.password")) br;
                    input name="password" type="password" autocomplete="current-password" required;
                }
                button class="primary" type="submit" { (m.t("web.login.submit")) }
            }
            p class="mut" { (m.t("web.login.hint")) }
        }
    };
    parts::frame(m, lang, None, "", &m.t("web.login.title"), body)
}

/// The page that says to wait before trying again.
fn throttled_page(m: &Messages, lang: Lang) -> Markup {
    let body = html! {
        div class="login" {
            p class="notice" role="alert" { (m.t("web.login.throttled")) }
        }
    };
    parts::frame(m, lang, None, "", &m.t("web.login.title"), body)
}

pub(super) async fn login_form(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    uri: Uri,
) -> Response {
    let lang = lang_of(&headers, app.cfg.lang);
    let q: NextQuery = api::query(&uri).unwrap_or_default();
    let next = safe_next(q.next.as_deref());
    let page = login_page(&Messages::new(lang), lang, &next, q.failed.is_some());
    Html(page.into_string()).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub(super) async fn login(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    bytes: Bytes,
) -> Response {
    let lang = lang_of(&headers, app.cfg.lang);
    let f: LoginForm = match form(&bytes) {
        Ok(f) => f,
        Err(err) => {
            return PageError {
                lang,
                caller: None,
                err,
            }
            .into_response()
        }
    };
    let next = safe_next(f.next.as_deref());
    let secs = app.cfg.session_secs;
    // Login CSRF: a page of another site must not sign this browser in (as the attacker,
    // whose account then collects what the victim types).
    if !same_origin(&headers) {
        return PageError {
            lang,
            caller: None,
            err: ApiError::forbidden(
                "a sign-in must come from this server's own login page (the request came from another site)",
            ),
        }
        .into_response();
    }
    // One check at a time per name, each counted before its password is: parallel
    // guesses wait for each other and the sixth is refused.
    let _one_at_a_time = app.logins.serialize(&f.name).await;
    let attempt = match app.logins.begin(&f.name, peer.ip()) {
        Ok(a) => a,
        Err(t) => {
            let page = throttled_page(&Messages::new(lang), lang);
            let mut r = (StatusCode::TOO_MANY_REQUESTS, Html(page.into_string())).into_response();
            if let Ok(v) = HeaderValue::from_str(&t.retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
    };
    let outcome = if f.name.len() > crate::throttle::NAME_MAX {
        // No user has such a name: no hash to check, and nothing of it is kept.
        Ok(None)
    } else {
        login_session(&app, f.name, f.password, secs).await
    };
    match &outcome {
        Ok(Some(_)) => app.logins.succeeded(attempt),
        Ok(None) => {}
        Err(_) => app.logins.abandoned(attempt),
    }
    match outcome {
        Ok(Some(token)) => {
            let secure = app.cfg.tls.is_some() || app.cfg.secure_cookies;
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&token, secure, secs)) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            let m = Messages::new(lang);
            let page = login_page(&m, lang, &next, true);
            (StatusCode::UNAUTHORIZED, Html(page.into_string())).into_response()
        }
        Err(err) => PageError {
            lang,
            caller: None,
            err,
        }
        .into_response(),
    }
}

/// Checks a password and starts a session. Argon2 runs outside the store's connections,
/// two at a time (a flood of logins cannot stall the pages), and an unknown name is
/// checked against a stand-in hash so it takes as long as a known one.
async fn login_session(
    app: &Arc<App>,
    name: String,
    password: String,
    secs: i64,
) -> Result<Option<String>, ApiError> {
    static ARGON: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let n = name.clone();
    let hash = app.pool.run(move |s| Ok(s.password_hash(&n)?)).await?;
    let permit = ARGON
        .acquire()
        .await
        .map_err(|_| ApiError::internal("login is closed"))?;
    let ok = tokio::task::spawn_blocking(move || {
        let stand_in = STAND_IN.get_or_init(|| {
            mamori_store::users::hash_password("not a password anyone has 0x5f3759df")
                .unwrap_or_default()
        });
        let known = hash.is_some();
        let verified =
            mamori_store::users::verify_password(hash.as_deref().unwrap_or(stand_in), &password);
        known && verified
    })
    .await
    .map_err(|_| ApiError::internal("the password check stopped unexpectedly"))?;
    drop(permit);
    if !ok {
        return Ok(None);
    }
    app.pool
        .run(move |s| match s.user(&name)? {
            Some(u) => Ok(Some(s.new_session(&u, secs)?.0)),
            None => Ok(None),
        })
        .await
}

pub(super) async fn logout(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let token = token.to_string();
        app.pool
            .run(move |s| Ok(s.end_session(&token)?))
            .await
            .map_err(|e| pc.err(e))?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("mamori_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(r)
}

pub(super) async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let code = if lang.starts_with("ja") { "ja" } else { "en" };
    // Back where the link was followed from, when that was this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    let mut r = Redirect::to(&safe_next(back.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_must_come_from_this_site() {
        let h = |pairs: &[(&str, &str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            m
        };
        let host = ("host", "mamori.example:8443");
        assert!(
            same_origin(&h(&[host])),
            "no Origin nor Referer: not a browser form"
        );
        assert!(same_origin(&h(&[
            host,
            ("origin", "https://mamori.example:8443")
        ])));
        assert!(same_origin(&h(&[
            host,
            ("origin", "https://MAMORI.example:8443")
        ])));
        assert!(same_origin(&h(&[
            host,
            ("referer", "https://mamori.example:8443/login?next=/")
        ])));
        for bad in [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("origin", "https://mamori.example:8443.evil.example"),
            ("origin", "https://mamori.example"),
            ("referer", "https://evil.example/mamori.example:8443"),
            ("referer", "https://mamori.example:8443@evil.example/"),
        ] {
            assert!(!same_origin(&h(&[host, bad])), "{bad:?}");
        }
        // Behind a proxy that rewrites Host.
        let proxied = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "mamori.example"),
            ("origin", "https://mamori.example"),
        ];
        assert!(same_origin(&h(&proxied)));
    }

    #[test]
    fn only_this_sites_paths_are_followed_after_login() {
        for (next, to) in [
            (Some("/findings?status=new"), "/findings?status=new"),
            (Some("//evil.example/"), "/"),
            (Some("/\t/evil.example/"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("/\r\nSet-Cookie: x=1"), "/"),
            (Some("https://evil.example/"), "/"),
            (Some("/ a"), "/"),
            (None, "/"),
        ] {
            assert_eq!(safe_next(next), to, "{next:?}");
        }
    }

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            "ja-JP,ja;q=0.9,en;q=0.8".parse().unwrap(),
        );
        assert_eq!(lang_of(&h, Lang::En), Lang::Ja);
        h.insert(header::COOKIE, "mamori_lang=en".parse().unwrap());
        assert_eq!(lang_of(&h, Lang::Ja), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new(), Lang::Ja), Lang::Ja);
    }
}
