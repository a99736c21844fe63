//! Who is asking, and what they may see.
//!
//! A request is a user's when it carries an API token (`Authorization: Bearer mamori_…`)
//! or the cookie of a live browser session. Sessions carry a CSRF token that every form
//! posts back; API tokens need none (a browser never sends them by itself). Each grant
//! gives a role for every system or for one; what a user reads is narrowed to the systems
//! they hold a grant for, in the SQL of every list (see [`mamori_store::views::Visible`]).

use crate::api::ApiError;
use crate::App;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use mamori_store::users::User;
use mamori_store::views::Visible;
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mamori_session";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "mamori_lang";

/// The user behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub user: User,
    /// The session's CSRF token (none for API tokens).
    pub csrf: Option<String>,
}

impl Caller {
    /// The systems this user may read.
    pub fn visible(&self) -> Visible {
        if self.user.grants.iter().any(|g| g.system.is_none()) {
            return Visible::All;
        }
        let mut s: Vec<String> = self
            .user
            .grants
            .iter()
            .filter_map(|g| g.system.clone())
            .collect();
        s.sort();
        s.dedup();
        Visible::Systems(s)
    }
    /// Whether the user may read what belongs to `system`.
    pub fn can_read(&self, system: Option<&str>) -> bool {
        self.user.can_read(system)
    }
    /// Whether the user may change findings of and start scans of `system`.
    pub fn can_act(&self, system: Option<&str>) -> bool {
        self.user.can_act(system)
    }
    /// A form's CSRF token is the session's. Requests with an API token pass.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), ApiError> {
        match &self.csrf {
            None => Ok(()),
            Some(mine) if sent.is_some_and(|s| constant_time_eq(s, mine)) => Ok(()),
            Some(_) => Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                "the form's security token is missing or out of date: reload the page and try again",
            )),
        }
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The bearer token of a request (the scheme's name is case-insensitive, RFC 9110 §11.1).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim_start();
    let (scheme, token) = v.split_once([' ', '\t'])?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The user behind `parts`, if any. A token that is present but unknown is an error (the
/// client should know), a missing one is not.
pub async fn identify(app: &Arc<App>, parts: &Parts) -> Result<Option<Caller>, ApiError> {
    if let Some(token) = bearer(&parts.headers) {
        use mamori_store::account::TokenCheck;
        let token = token.to_string();
        let found = app.pool.run(move |s| Ok(s.check_token(&token)?)).await?;
        return match found {
            TokenCheck::Valid {
                user,
                id,
                last_used,
            } => {
                crate::account::note_use(app, id, last_used.as_deref());
                Ok(Some(Caller { user, csrf: None }))
            }
            TokenCheck::Expired { expires } => Err(crate::account::expired_token(&expires)),
            TokenCheck::Unknown => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "bad-token",
                "the API token is not known (it was removed, or mistyped)",
            )),
        };
    }
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
        let token = token.to_string();
        let session = app.pool.run(move |s| Ok(s.session(&token)?)).await?;
        return Ok(session.map(|s| Caller {
            user: s.user,
            csrf: Some(s.csrf),
        }));
    }
    Ok(None)
}

/// `Set-Cookie` for a session token.
pub fn session_cookie(token: &str, secure: bool, max_age: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_store::users::{Grant, Role};

    fn caller(grants: Vec<Grant>) -> Caller {
        Caller {
            user: User {
                id: 1,
                name: "u".into(),
                grants,
                created: String::new(),
            },
            csrf: Some("abc".into()),
        }
    }

    #[test]
    fn visibility_follows_grants() {
        let a = caller(vec![Grant {
            role: Role::Viewer,
            system: Some("a".into()),
        }]);
        assert_eq!(a.visible(), Visible::Systems(vec!["a".into()]));
        assert!(a.can_read(Some("a")) && !a.can_read(Some("b")) && !a.can_act(Some("a")));
        let all = caller(vec![
            Grant {
                role: Role::Analyst,
                system: None,
            },
            Grant {
                role: Role::Viewer,
                system: Some("a".into()),
            },
        ]);
        assert_eq!(all.visible(), Visible::All);
        assert!(all.check_csrf(Some("abc")).is_ok());
        assert!(all.check_csrf(Some("abd")).is_err());
        assert!(all.check_csrf(None).is_err());
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let mut h = HeaderMap::new();
        for (sent, want) in [
            ("Bearer mamori_x", Some("mamori_x")),
            ("bearer mamori_x", Some("mamori_x")),
            ("BEARER  mamori_x ", Some("mamori_x")),
            ("Basic bWFtb3Jp", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("Bearermamori_x", None),
        ] {
            h.insert(axum::http::header::AUTHORIZATION, sent.parse().unwrap());
            assert_eq!(bearer(&h), want, "{sent:?}");
        }
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "x=1; mamori_session=mamori_ab; mamori_lang=ja"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("mamori_ab"));
        assert_eq!(cookie(&h, LANG_COOKIE), Some("ja"));
        assert_eq!(cookie(&h, "y"), None);
    }
}
