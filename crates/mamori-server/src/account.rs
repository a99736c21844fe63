//! Each user's own credentials, for the API (`/api/v1/tokens`, `/api/v1/me/password`) and
//! the dashboard's Account page: API tokens listed, made and revoked by their owner, the
//! password changed with the current one; and the record of when a token was last used.
//!
//! - A token is made only by a signed-in browser (or the command line), never by another
//!   token: otherwise a stolen token could renew itself and its end would mean nothing.
//!   Tokens made here end after 1 to [`MAX_TOKEN_DAYS`] days (90 unless asked).
//! - A token's last use is recorded off the request's path: the first use a minute of each
//!   token is handed to one writer thread with a connection of its own, which writes it
//!   with a conditional `UPDATE` ([`mamori_store::Store::note_token_uses`]). A request never
//!   waits for the store's write lock (a run being stored can hold SQLite's for minutes),
//!   and a flood of requests is one write a minute per token, not one per request.
//! - A wrong current password counts like a failed sign-in: five for a user in a quarter
//!   of an hour, then 429 until the quarter has passed.

use crate::api::{ApiCaller, ApiError};
use crate::auth::{cookie, Caller, SESSION_COOKIE};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mamori_store::account::{NewToken, LAST_USED_EVERY};
use mamori_store::users::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What the server keeps of its users' credentials between requests.
#[derive(Default)]
pub struct AccountState {
    uses: TokenUses,
    /// Checks of current passwords, counted before each is made (as sign-ins are, and
    /// for the same reason: parallel guesses).
    checks: crate::throttle::LoginThrottle,
}

/// Tokens' uses not yet recorded: the last time each token's use was handed to the
/// writer, and the writer.
#[derive(Default)]
struct TokenUses {
    handed: Mutex<HashMap<i64, Instant>>,
    writer: OnceLock<Option<SyncSender<(i64, i64)>>>,
}

impl TokenUses {
    /// Whether a use of token `id` at `now` (whose stored last use is `stored`) is to be
    /// written: not when the store already has one from the last minute, nor when this
    /// server handed one over in the last minute.
    fn claim(&self, id: i64, stored: Option<&str>, now: i64) -> bool {
        let fresh = stored
            .and_then(mamori_model::date::parse_rfc3339)
            .is_some_and(|t| now - t < LAST_USED_EVERY);
        if fresh {
            return false;
        }
        let Ok(mut handed) = self.handed.lock() else {
            return false;
        };
        if handed
            .get(&id)
            .is_some_and(|at| at.elapsed() < Duration::from_secs(LAST_USED_EVERY as u64))
        {
            return false;
        }
        if handed.len() >= 100_000 {
            handed.clear();
        }
        handed.insert(id, Instant::now());
        true
    }
}

/// Records (soon, off this request's path) that token `id` authenticated a request.
pub fn note_use(app: &App, id: i64, stored: Option<&str>) {
    let uses = &app.account.uses;
    let now = mamori_store::unix_now();
    if !uses.claim(id, stored, now) {
        return;
    }
    let writer = uses
        .writer
        .get_or_init(|| start_writer(app.pool.path().to_path_buf()));
    if let Some(w) = writer {
        // A full queue (the store stalled for long) loses a use, never a request.
        let _ = w.try_send((id, now));
    }
}

fn start_writer(db: std::path::PathBuf) -> Option<SyncSender<(i64, i64)>> {
    let (tx, rx) = std::sync::mpsc::sync_channel(4096);
    match std::thread::Builder::new()
        .name("mamori-token-uses".into())
        .spawn(move || write_uses(&db, &rx))
    {
        Ok(_) => Some(tx),
        Err(e) => {
            eprintln!("mamori: cannot start recording API tokens' last use: {e}");
            None
        }
    }
}

/// The writer: what has come since its last write, written together, on a connection
/// of its own (opened again when lost).
fn write_uses(db: &std::path::Path, rx: &Receiver<(i64, i64)>) {
    let mut store: Option<mamori_store::Store> = None;
    while let Ok(first) = rx.recv() {
        let mut uses = vec![first];
        uses.extend(rx.try_iter());
        if store.as_ref().is_none_or(|s| !s.usable()) {
            store = match mamori_store::Store::open(db) {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("mamori: cannot record API tokens' last use: {e}");
                    continue;
                }
            };
        }
        if let Some(s) = store.as_mut() {
            if let Err(e) = s.note_token_uses(&uses) {
                eprintln!("mamori: cannot record API tokens' last use: {e}");
            }
        }
    }
}

/// The answer to a token whose time has come.
pub fn expired_token(expires: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "expired-token",
        format!(
            "the API token expired on {expires}: make a new one on the dashboard's Account page (/account), or with `mamori user token NAME`"
        ),
    )
}

fn too_many(retry_after: u64) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-attempts",
        "too many wrong passwords for this user: try again in 15 minutes",
    );
    e.retry_after = Some(retry_after);
    e
}

/// `c` changes their password from `current` to `new`; their browser sessions end but the
/// one whose cookie token is `keep`. Argon2 runs outside the store's connections, two at a
/// time. Returns how many sessions ended.
pub async fn change_password(
    app: &Arc<App>,
    c: &Caller,
    keep: Option<String>,
    current: String,
    new: String,
) -> Result<u64, ApiError> {
    static ARGON: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let name = c.user.name.clone();
    // What the request itself gets wrong is said first, throttled or not.
    mamori_store::users::check_password(&new).map_err(|e| ApiError::store(e.into()))?;
    // One check at a time per user, each counted before it is made.
    let _one_at_a_time = app.account.checks.serialize(&name).await;
    let attempt = app
        .account
        .checks
        .begin_name(&name)
        .map_err(|t| too_many(t.retry_after))?;
    let n = name.clone();
    let hash = app
        .pool
        .run(move |s| Ok(s.password_hash(&n)?))
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let permit = ARGON
        .acquire()
        .await
        .map_err(|_| ApiError::internal("password changes are closed"))?;
    let old = hash.clone();
    let checked = tokio::task::spawn_blocking(move || {
        use mamori_store::users::{hash_password, verify_password, UserError};
        if !verify_password(&old, &current) {
            return Err(UserError::WrongPassword);
        }
        if new == current {
            return Err(UserError::SamePassword);
        }
        hash_password(&new)
    })
    .await
    .map_err(|_| ApiError::internal("the password check stopped unexpectedly"))?;
    drop(permit);
    let new_hash = match checked {
        Ok(h) => {
            app.account.checks.succeeded(attempt);
            h
        }
        // Counted already.
        Err(mamori_store::users::UserError::WrongPassword) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong-password",
                "the current password is not right",
            ));
        }
        Err(e) => {
            // The current password was right (the new one is refused): no guess.
            app.account.checks.succeeded(attempt);
            return Err(ApiError::store(e.into()));
        }
    };
    app.pool
        .run(move |s| {
            s.replace_password_hash(&name, &hash, &new_hash, keep.as_deref())?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::CONFLICT,
                        "conflict",
                        "the password was changed meanwhile: sign in again with the new one",
                    )
                })
        })
        .await
}

/// A token of `c`'s own for `label`, ending after `days` (1 to [`MAX_TOKEN_DAYS`]; none:
/// [`DEFAULT_TOKEN_DAYS`]). Only a signed-in browser makes one.
pub async fn create_token(
    app: &Arc<App>,
    c: &Caller,
    label: String,
    days: Option<i64>,
) -> Result<NewToken, ApiError> {
    if c.csrf.is_none() {
        return Err(ApiError::forbidden(
            "an API token cannot make another: sign in on the dashboard (Account page), or use `mamori user token NAME`",
        ));
    }
    let days = days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ApiError::bad(format!(
            "expires_in_days {days}: give a whole number of days from 1 to {MAX_TOKEN_DAYS}"
        )));
    }
    let name = c.user.name.clone();
    let ends = mamori_store::unix_now() + days * 86_400;
    app.pool
        .run(move |s| Ok(s.add_token(&name, &label, Some(ends))?))
        .await
}

/// `GET /api/v1/tokens`: the caller's tokens.
pub async fn list_tokens(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let name = c.user.name.clone();
    let items = app.pool.run(move |s| Ok(s.tokens_of(&name)?)).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    label: String,
    #[serde(default)]
    expires_in_days: Option<Value>,
}

/// `POST /api/v1/tokens`: a new token of the caller's, shown this once.
pub async fn post_token(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let b: NewTokenBody = crate::api::body(&bytes)?;
    let days = match &b.expires_in_days {
        None | Some(Value::Null) => None,
        // JSON's numbers: 30 and 30.0 are the same whole number.
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 1e9)
                        .map(|f| f as i64)
                })
                .unwrap_or(0),
        ),
        Some(_) => Some(0),
    };
    if days.is_some_and(|d| !(1..=MAX_TOKEN_DAYS).contains(&d)) {
        return Err(ApiError::bad(format!(
            "expires_in_days: give a whole number of days from 1 to {MAX_TOKEN_DAYS}, or null for {DEFAULT_TOKEN_DAYS}"
        )));
    }
    let t = create_token(&app, &c, b.label, days).await?;
    let mut r = (
        StatusCode::CREATED,
        Json(json!({"token": t.token, "item": t.info})),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the caller's tokens (another's is not
/// there for them: 404).
pub async fn delete_token(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = crate::api::parse_id(&id, "token")?;
    let name = c.user.name.clone();
    app.pool
        .run(move |s| Ok(s.revoke_token(&name, id)?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current: String,
    new: String,
}

/// The longest password the API takes, in characters.
pub const MAX_PASSWORD: usize = 1000;

/// `POST /api/v1/me/password`: the caller's new password, with the current one.
pub async fn post_password(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let b: PasswordBody = match crate::api::body(&bytes) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    if b.current.chars().count() > MAX_PASSWORD || b.new.chars().count() > MAX_PASSWORD {
        return ApiError::bad(format!("a password is at most {MAX_PASSWORD} characters"))
            .into_response();
    }
    // A browser's own session stays; with a token, every session ends.
    let keep = c
        .csrf
        .is_some()
        .then(|| cookie(&headers, SESSION_COOKIE).map(str::to_string))
        .flatten();
    match change_password(&app, &c, keep, b.current, b.new).await {
        Ok(ended) => Json(json!({ "sessions_ended": ended })).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_use_is_handed_to_the_writer_once_a_minute() {
        let u = TokenUses::default();
        let now = mamori_store::unix_now();
        assert!(u.claim(1, None, now));
        // Again within the minute: no.
        assert!(!u.claim(1, None, now));
        assert!(!u.claim(1, Some(&mamori_store::format_unix(now - 600)), now));
        // Another token: yes; one the store saw used a moment ago (another server): no.
        assert!(u.claim(2, Some(&mamori_store::format_unix(now - 61)), now));
        assert!(!u.claim(3, Some(&mamori_store::format_unix(now - 10)), now));
        assert!(u.claim(4, Some("not a time"), now));
    }

    #[test]
    fn five_wrong_passwords_wait_a_quarter_of_an_hour() {
        let s = AccountState::default();
        // Counted as they begin: five checks, however many are sent at once.
        let begun: Vec<_> = (0..30)
            .filter_map(|_| s.checks.begin_name("aiko").ok())
            .collect();
        assert_eq!(begun.len(), 5);
        assert!(s.checks.begin_name("aiko").is_err());
        assert!(s.checks.begin_name("ken").is_ok());
    }
}
