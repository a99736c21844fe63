//! Browser sessions: a random token in a cookie, kept in the store only as its SHA-256
//! digest (like API tokens), with the CSRF token the session's forms must carry.

use crate::db::{vals, DbError};
use crate::{now_rfc3339, users, Store, StoreError};

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: users::User,
    /// The token every form of this session carries.
    pub csrf: String,
    /// When it ends (RFC 3339).
    pub expires: String,
}

impl Store {
    /// Starts a session for `user` lasting `secs`: returns the cookie token (never stored)
    /// and the session.
    pub fn new_session(
        &mut self,
        user: &users::User,
        secs: i64,
    ) -> Result<(String, Session), StoreError> {
        let (token, digest) = users::new_token();
        let (csrf, _) = users::new_token();
        let now = crate::unix_now();
        let expires = crate::format_unix(now + secs);
        self.db.exec(
            "DELETE FROM sessions WHERE expires < ?1",
            vals![crate::format_unix(now)],
        )?;
        self.db.exec(
            "INSERT INTO sessions (digest, user_id, csrf, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
            vals![digest, user.id, csrf, now_rfc3339(), expires],
        )?;
        Ok((
            token,
            Session {
                user: user.clone(),
                csrf,
                expires,
            },
        ))
    }

    /// The live session a cookie token names.
    pub fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let row: Option<(String, String, String)> = self.db.opt(
            "SELECT u.name, s.csrf, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.digest = ?1 AND s.expires > ?2",
            vals![users::token_digest(token), now_rfc3339()],
            |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let Some((name, csrf, expires)) = row else {
            return Ok(None);
        };
        Ok(self.user(&name)?.map(|user| Session {
            user,
            csrf,
            expires,
        }))
    }

    /// Ends the session a cookie token names.
    pub fn end_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.db.exec(
            "DELETE FROM sessions WHERE digest = ?1",
            vals![users::token_digest(token)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::users::{Grant, Role};

    #[test]
    fn a_session_is_found_by_its_token_and_ends() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let u = s
                .add_user(
                    "alice",
                    "correct horse battery",
                    &[Grant {
                        role: Role::Viewer,
                        system: Some("web".into()),
                    }],
                )
                .unwrap();
            let (token, sess) = s.new_session(&u, 3600).unwrap();
            let found = s.session(&token).unwrap().unwrap();
            assert_eq!(found.user.name, "alice");
            assert_eq!(found.csrf, sess.csrf);
            assert_ne!(found.csrf, token);
            assert!(s.session("mamori_00").unwrap().is_none());
            // The store keeps only the digest.
            let n: i64 =
                s.db.one(
                    "SELECT COUNT(*) FROM sessions WHERE digest = ?1",
                    crate::db::vals![token],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 0);
            s.end_session(&token).unwrap();
            assert!(s.session(&token).unwrap().is_none());
            // An expired session is not a session.
            let (old, _) = s.new_session(&u, -10).unwrap();
            assert!(s.session(&old).unwrap().is_none());
        });
    }
}
