//! A user's own credentials (decision 013): API tokens that end, that show when they were
//! last used and that are revoked one by one, and passwords changed by their owner (the
//! current one first) or reset by an administrator.
//!
//! - A token's `expires` is an RFC 3339 time or none (a token that never ends); from then
//!   on the token is refused, but it stays listed (marked expired) until it is revoked.
//! - `last_used` is written at most once a minute per token ([`LAST_USED_EVERY`]): a
//!   conditional `UPDATE … WHERE last_used IS NULL OR last_used < cutoff`, so servers
//!   sharing a store write it once between them, and a busy API does not queue a write
//!   per request behind SQLite's single writer.
//! - Changing a password ends the user's other browser sessions; a reset ends them all.
//!   API tokens are not touched by either: they are revoked one by one.

use crate::db::{vals, DbError, Row};
use crate::{format_unix, unix_now, users, Store, StoreError};
use mamori_model::date::parse_rfc3339;
use serde::Serialize;

/// An API token as its owner and the admins see it: never the token or its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The token's id (what revoking names).
    pub id: i64,
    /// What it is for.
    pub label: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it stops working (RFC 3339); none: never.
    pub expires: Option<String>,
    /// When it last authenticated a request, to the minute; none: never.
    pub last_used: Option<String>,
    /// Whether it has expired (it is refused).
    pub expired: bool,
}

/// A token just made: the token itself, to show once, and what the store keeps of it.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// `mamori_…`: shown once, never stored.
    pub token: String,
    /// What is kept.
    pub info: TokenInfo,
}

/// What a token presented with a request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// A live token of `user`.
    Valid {
        /// Whose it is.
        user: users::User,
        /// The token's id.
        id: i64,
        /// When it was last used (as stored; up to a minute behind).
        last_used: Option<String>,
    },
    /// A token that ended at `expires`.
    Expired {
        /// When (RFC 3339).
        expires: String,
    },
    /// No such token (never made, revoked, or its user removed).
    Unknown,
}

/// A token's last use is written at most this often (seconds).
pub const LAST_USED_EVERY: i64 = 60;

/// Whether a token ending at `expires` has ended at `now` (Unix time). A time that cannot
/// be read ends it: fail closed.
fn ended(expires: Option<&str>, now: i64) -> bool {
    expires.is_some_and(|e| parse_rfc3339(e).is_none_or(|t| t <= now))
}

const TOKEN_COLUMNS: &str = "t.id, t.label, t.created, t.expires, t.last_used";

fn token_row(r: &Row<'_>, now: i64) -> Result<TokenInfo, DbError> {
    let expires: Option<String> = r.get(3)?;
    Ok(TokenInfo {
        id: r.get(0)?,
        label: r.get(1)?,
        created: r.get(2)?,
        expired: ended(expires.as_deref(), now),
        expires,
        last_used: r.get(4)?,
    })
}

impl Store {
    /// A new API token of `name` for `label`, ending at `expires` (a Unix time in the
    /// future; none: never). The token is returned once; the store keeps its digest.
    pub fn add_token(
        &mut self,
        name: &str,
        label: &str,
        expires: Option<i64>,
    ) -> Result<NewToken, StoreError> {
        let label = users::check_label(label)?;
        let now = unix_now();
        if let Some(e) = expires.filter(|e| *e <= now) {
            return Err(users::UserError::BadExpiry(format_unix(e)).into());
        }
        let user = self
            .user(name)?
            .ok_or_else(|| users::UserError::NoUser(name.into()))?;
        let (token, digest) = users::new_token();
        let created = format_unix(now);
        let expires = expires.map(format_unix);
        let id = self.db.insert(
            "INSERT INTO tokens (user_id, label, digest, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
            vals![user.id, label, digest, created, expires],
        )?;
        Ok(NewToken {
            token,
            info: TokenInfo {
                id,
                label,
                created,
                expires,
                last_used: None,
                expired: false,
            },
        })
    }

    /// The API tokens of `name`, oldest first.
    pub fn tokens_of(&self, name: &str) -> Result<Vec<TokenInfo>, StoreError> {
        let user = self
            .user(name)?
            .ok_or_else(|| users::UserError::NoUser(name.into()))?;
        let now = unix_now();
        Ok(self.db.all(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.user_id = ?1 ORDER BY t.id"),
            vals![user.id],
            |r| token_row(r, now),
        )?)
    }

    /// Every user's API tokens, by user name then age: (user name, token).
    pub fn all_tokens(&self) -> Result<Vec<(String, TokenInfo)>, StoreError> {
        let now = unix_now();
        Ok(self.db.all(
            &format!(
                "SELECT {TOKEN_COLUMNS}, u.name FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY u.name, t.id"
            ),
            vals![],
            |r| Ok::<_, DbError>((r.get(5)?, token_row(r, now)?)),
        )?)
    }

    /// Revokes `name`'s token `id`. A token of another user is not theirs to revoke: the
    /// same error as no token at all.
    pub fn revoke_token(&mut self, name: &str, id: i64) -> Result<(), StoreError> {
        let n = self.db.exec(
            "DELETE FROM tokens WHERE id = ?2 AND user_id = (SELECT id FROM users WHERE name = ?1)",
            vals![name, id],
        )?;
        if n == 0 {
            if self.user(name)?.is_none() {
                return Err(users::UserError::NoUser(name.into()).into());
            }
            return Err(users::UserError::NoToken {
                user: name.into(),
                id,
            }
            .into());
        }
        Ok(())
    }

    /// What `token` is: live (with its user), expired, or unknown.
    pub fn check_token(&self, token: &str) -> Result<TokenCheck, StoreError> {
        type Found = (i64, Option<String>, Option<String>, String);
        let row: Option<Found> = self.db.opt(
            "SELECT t.id, t.expires, t.last_used, u.name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = ?1",
            vals![users::token_digest(token)],
            |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let Some((id, expires, last_used, name)) = row else {
            return Ok(TokenCheck::Unknown);
        };
        if let Some(e) = expires.filter(|e| ended(Some(e), unix_now())) {
            return Ok(TokenCheck::Expired { expires: e });
        }
        Ok(match self.user(&name)? {
            Some(user) => TokenCheck::Valid {
                user,
                id,
                last_used,
            },
            None => TokenCheck::Unknown,
        })
    }

    /// The user a live API token belongs to.
    pub fn user_by_token(&self, token: &str) -> Result<Option<users::User>, StoreError> {
        Ok(match self.check_token(token)? {
            TokenCheck::Valid { user, .. } => Some(user),
            _ => None,
        })
    }

    /// Records that tokens were used: each `(id, at)` (a Unix time) becomes the token's
    /// `last_used` unless it already says a time less than [`LAST_USED_EVERY`] before —
    /// so at most one write a minute per token, whichever process asks. Returns how many
    /// were written.
    pub fn note_token_uses(&mut self, uses: &[(i64, i64)]) -> Result<u64, StoreError> {
        let mut written = 0;
        for (id, at) in uses {
            written += self.db.exec(
                "UPDATE tokens SET last_used = ?2 WHERE id = ?1 AND (last_used IS NULL OR last_used < ?3)",
                vals![id, format_unix(*at), format_unix(at - LAST_USED_EVERY)],
            )?;
        }
        Ok(written)
    }

    /// `name` changes their password from `current` to `new` (at least 12 characters, not
    /// the same). Their browser sessions end, but the one whose cookie token is `keep` (the
    /// browser that asked). Returns how many sessions ended.
    pub fn change_password(
        &mut self,
        name: &str,
        current: &str,
        new: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        users::check_password(new)?;
        let hash = self
            .password_hash(name)?
            .ok_or_else(|| users::UserError::NoUser(name.into()))?;
        if !users::verify_password(&hash, current) {
            return Err(users::UserError::WrongPassword.into());
        }
        if new == current {
            return Err(users::UserError::SamePassword.into());
        }
        let new_hash = users::hash_password(new)?;
        self.replace_password_hash(name, &hash, &new_hash, keep)?
            .ok_or_else(|| users::UserError::WrongPassword.into())
    }

    /// The last step of [`Store::change_password`] for a caller that checked the current
    /// password away from the store (the server: Argon2 takes its time on purpose):
    /// `name`'s hash becomes `new_hash` only if it is still `old_hash`, and their sessions
    /// end but `keep`'s. `None`: the password changed meanwhile, nothing was done.
    pub fn replace_password_hash(
        &mut self,
        name: &str,
        old_hash: &str,
        new_hash: &str,
        keep: Option<&str>,
    ) -> Result<Option<u64>, StoreError> {
        let tx = self.db.begin_write()?;
        let changed = tx.exec(
            "UPDATE users SET password = ?3 WHERE name = ?1 AND password = ?2",
            vals![name, old_hash, new_hash],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        // No session's digest is empty: without `keep`, every session ends.
        let keep = keep.map(users::token_digest).unwrap_or_default();
        let ended = tx.exec(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1) AND digest <> ?2",
            vals![name, keep],
        )?;
        tx.commit()?;
        Ok(Some(ended))
    }

    /// An administrator sets `name`'s password without the current one (a forgotten
    /// password, a person who left): every browser session of theirs ends. Returns how
    /// many.
    pub fn reset_password(&mut self, name: &str, new: &str) -> Result<u64, StoreError> {
        let hash = users::hash_password(new)?;
        let tx = self.db.begin_write()?;
        if tx.exec(
            "UPDATE users SET password = ?2 WHERE name = ?1",
            vals![name, hash],
        )? == 0
        {
            return Err(users::UserError::NoUser(name.into()).into());
        }
        let ended = tx.exec(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            vals![name],
        )?;
        tx.commit()?;
        Ok(ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Grant, Role, UserError};

    fn viewer(s: &mut Store, name: &str) -> users::User {
        s.add_user(
            name,
            "correct horse battery",
            &[Grant {
                role: Role::Viewer,
                system: None,
            }],
        )
        .unwrap()
    }

    #[test]
    fn tokens_expire_are_listed_without_secrets_and_are_revoked_one_by_one() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            viewer(&mut s, "aiko");
            viewer(&mut s, "ken");
            let now = unix_now();
            let forever = s.add_token("aiko", "  ci  ", None).unwrap();
            assert_eq!(forever.info.label, "ci");
            let month = s
                .add_token("aiko", "laptop", Some(now + 30 * 86_400))
                .unwrap();
            let soon = s.add_token("aiko", "script", Some(now + 3600)).unwrap();
            let kens = s.add_token("ken", "ci", None).unwrap();
            for t in [&forever, &month, &soon] {
                assert!(matches!(
                    s.check_token(&t.token).unwrap(),
                    TokenCheck::Valid { ref user, id, last_used: None } if user.name == "aiko" && id == t.info.id
                ));
            }
            // A token whose time has come is refused, and says when it ended.
            let past = format_unix(now - 5);
            s.db.exec(
                "UPDATE tokens SET expires = ?2 WHERE id = ?1",
                vals![soon.info.id, past],
            )
            .unwrap();
            assert_eq!(
                s.check_token(&soon.token).unwrap(),
                TokenCheck::Expired {
                    expires: past.clone()
                }
            );
            assert_eq!(s.user_by_token(&soon.token).unwrap(), None);
            assert_eq!(s.check_token("mamori_00").unwrap(), TokenCheck::Unknown);
            // Listed with their ends, the expired one marked, and nothing secret.
            let list = s.tokens_of("aiko").unwrap();
            assert_eq!(
                list.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
                ["ci", "laptop", "script"]
            );
            assert_eq!(list[0].expires, None);
            assert_eq!(list[1].expires, Some(format_unix(now + 30 * 86_400)));
            assert_eq!(
                list.iter().map(|t| t.expired).collect::<Vec<_>>(),
                [false, false, true]
            );
            let json = serde_json::to_string(&list).unwrap();
            for t in [&forever, &month, &soon] {
                assert!(!json.contains(&t.token));
                assert!(!json.contains(&users::token_digest(&t.token)));
            }
            let all = s.all_tokens().unwrap();
            assert_eq!(all.len(), 4);
            assert_eq!((all[3].0.as_str(), all[3].1.id), ("ken", kens.info.id));
            // One revoked, the others still work; another's token is not theirs to revoke.
            assert!(matches!(
                s.revoke_token("ken", month.info.id),
                Err(StoreError::User(UserError::NoToken { id, .. })) if id == month.info.id
            ));
            assert!(s.user_by_token(&month.token).unwrap().is_some());
            s.revoke_token("aiko", month.info.id).unwrap();
            assert_eq!(s.check_token(&month.token).unwrap(), TokenCheck::Unknown);
            assert!(s.user_by_token(&forever.token).unwrap().is_some());
            assert!(s.user_by_token(&kens.token).unwrap().is_some());
            assert_eq!(s.tokens_of("aiko").unwrap().len(), 2);
            assert!(matches!(
                s.revoke_token("aiko", month.info.id),
                Err(StoreError::User(UserError::NoToken { .. }))
            ));
            assert!(matches!(
                s.revoke_token("nobody", 1),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
            assert!(matches!(
                s.tokens_of("nobody"),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
            // Made already expired, unlabelled or for no one: refused.
            assert!(matches!(
                s.add_token("aiko", "x", Some(now - 1)),
                Err(StoreError::User(UserError::BadExpiry(_)))
            ));
            for label in ["", "   ", "a\nb", &"x".repeat(101)] {
                assert!(
                    matches!(
                        s.add_token("aiko", label, None),
                        Err(StoreError::User(UserError::BadLabel(_)))
                    ),
                    "{label:?}"
                );
            }
            assert!(matches!(
                s.add_token("nobody", "x", None),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
            // Removing the user removes the rest.
            s.remove_user("aiko").unwrap();
            assert_eq!(s.check_token(&forever.token).unwrap(), TokenCheck::Unknown);
        });
    }

    #[test]
    fn a_tokens_last_use_is_written_at_most_once_a_minute() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            viewer(&mut s, "aiko");
            let a = s.add_token("aiko", "a", None).unwrap();
            let b = s.add_token("aiko", "b", None).unwrap();
            let t0 = unix_now() - 600;
            let last = |s: &Store, t: &NewToken| match s.check_token(&t.token).unwrap() {
                TokenCheck::Valid { last_used, .. } => last_used,
                other => panic!("{other:?}"),
            };
            assert_eq!(s.note_token_uses(&[(a.info.id, t0)]).unwrap(), 1);
            assert_eq!(last(&s, &a), Some(format_unix(t0)));
            assert_eq!(last(&s, &b), None);
            // Within the minute: nothing written, whoever asks (another server too).
            assert_eq!(
                s.note_token_uses(&[(a.info.id, t0 + 30), (a.info.id, t0 + 59)])
                    .unwrap(),
                0
            );
            assert_eq!(
                place
                    .open()
                    .note_token_uses(&[(a.info.id, t0 + 45)])
                    .unwrap(),
                0
            );
            assert_eq!(last(&s, &a), Some(format_unix(t0)));
            // A minute on, once.
            assert_eq!(
                s.note_token_uses(&[(a.info.id, t0 + 61), (b.info.id, t0 + 61)])
                    .unwrap(),
                2
            );
            assert_eq!(last(&s, &a), Some(format_unix(t0 + 61)));
            assert_eq!(
                s.tokens_of("aiko").unwrap()[1].last_used,
                Some(format_unix(t0 + 61))
            );
            // A token revoked meanwhile is simply not there to write.
            s.revoke_token("aiko", b.info.id).unwrap();
            assert_eq!(s.note_token_uses(&[(b.info.id, t0 + 200)]).unwrap(), 0);
        });
    }

    #[test]
    fn a_password_changes_with_the_current_one_and_ends_the_other_sessions() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let u = viewer(&mut s, "aiko");
            let other = viewer(&mut s, "ken");
            let (here, _) = s.new_session(&u, 3600).unwrap();
            let (there, _) = s.new_session(&u, 3600).unwrap();
            let (kens, _) = s.new_session(&other, 3600).unwrap();
            let token = s.add_token("aiko", "ci", None).unwrap().token;
            let old = "correct horse battery";
            let new = "a new and longer secret";
            for (current, to, want) in [
                ("wrong password here", new, UserError::WrongPassword),
                (old, "short", UserError::ShortPassword),
                (old, old, UserError::SamePassword),
            ] {
                match s.change_password("aiko", current, to, Some(&here)) {
                    Err(StoreError::User(e)) => assert_eq!(e, want),
                    other => panic!("{other:?}"),
                }
            }
            assert!(s.session(&there).unwrap().is_some());
            assert_eq!(s.change_password("aiko", old, new, Some(&here)).unwrap(), 1);
            // This browser stays signed in, the other is signed out; another user's
            // session and the user's API tokens are untouched.
            assert!(s.session(&here).unwrap().is_some());
            assert!(s.session(&there).unwrap().is_none());
            assert!(s.session(&kens).unwrap().is_some());
            assert!(s.user_by_token(&token).unwrap().is_some());
            assert_eq!(s.login("aiko", old).unwrap(), None);
            assert!(s.login("aiko", new).unwrap().is_some());
            // A hash that changed since it was read is not overwritten.
            let stale = users::hash_password(old).unwrap();
            let newer = users::hash_password("yet another secret").unwrap();
            assert_eq!(
                s.replace_password_hash("aiko", &stale, &newer, None)
                    .unwrap(),
                None
            );
            assert!(s.login("aiko", new).unwrap().is_some());
            // An administrator's reset needs no current password and ends every session.
            assert_eq!(s.reset_password("aiko", "reset by the admin").unwrap(), 1);
            assert!(s.session(&here).unwrap().is_none());
            assert!(s.login("aiko", "reset by the admin").unwrap().is_some());
            assert!(matches!(
                s.reset_password("aiko", "short"),
                Err(StoreError::User(UserError::ShortPassword))
            ));
            assert!(matches!(
                s.reset_password("nobody", "long enough secret"),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
            assert!(matches!(
                s.change_password("nobody", old, new, None),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
        });
    }
}
