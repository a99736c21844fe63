//! Who may see and do what (issue 6 groundwork): local users with Argon2id password hashes,
//! API tokens stored only as SHA-256 digests, and roles granted for every system or for one.
//!
//! - **viewer** reads the systems it is granted;
//! - **analyst** also changes findings (acknowledge, accept, assign) and starts scans there;
//! - **admin** also manages users; an admin grant for every system is the superuser.
//!
//! The first admin is made from the command line (`mamori user add NAME --role admin`).

use serde::{Deserialize, Serialize};

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads and acts on findings and scans.
    Analyst,
    /// Everything, users included.
    Admin,
}

impl Role {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
    /// From its name.
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Analyst, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A role for every system (`system: None`) or for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The system, or every system.
    pub system: Option<String>,
}

/// A user and what they are granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Grants.
    pub grants: Vec<Grant>,
    /// When the user was made (RFC 3339).
    pub created: String,
}

impl User {
    /// The highest role the user has for `system` (`None`: the organization as a whole,
    /// which only grants for every system cover).
    pub fn role_for(&self, system: Option<&str>) -> Option<Role> {
        self.grants
            .iter()
            .filter(|g| g.system.is_none() || (system.is_some() && g.system.as_deref() == system))
            .map(|g| g.role)
            .max()
    }
    /// Whether the user may read what belongs to `system`.
    pub fn can_read(&self, system: Option<&str>) -> bool {
        self.role_for(system).is_some()
    }
    /// Whether the user may change findings and start scans of `system`.
    pub fn can_act(&self, system: Option<&str>) -> bool {
        self.role_for(system) >= Some(Role::Analyst)
    }
    /// Whether the user may manage users.
    pub fn is_admin(&self) -> bool {
        self.role_for(None) == Some(Role::Admin)
    }
}

/// Why a user cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Names are short and plain.
    #[error("user names are 1 to 64 letters, digits, '.', '_', '-' or '@' ({0:?} is not)")]
    BadName(String),
    /// Passwords must resist guessing.
    #[error("a password must have at least 12 characters")]
    ShortPassword,
    /// Taken.
    #[error("there is already a user {0}")]
    Exists(String),
    /// Not there.
    #[error("no user {0}")]
    NoUser(String),
    /// The hashing library failed (it does not, with valid parameters).
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// A password change whose current password is not the user's.
    #[error("the current password is not right")]
    WrongPassword,
    /// A password change to the password the user already has.
    #[error("the new password is the same as the current one")]
    SamePassword,
    /// A token's label says what it is for, in a line.
    #[error("a token's label is 1 to {max} characters without control characters ({0:?} is not)", max = MAX_LABEL)]
    BadLabel(String),
    /// A token must not be made already expired.
    #[error("a token's expiry must be in the future ({0} is not)")]
    BadExpiry(String),
    /// No such token of this user (or it is another user's).
    #[error("no API token {id} of {user} (see `mamori user tokens {user}`)")]
    NoToken {
        /// The user.
        user: String,
        /// The token's id.
        id: i64,
    },
}

/// The longest token label, in characters.
pub const MAX_LABEL: usize = 100;

/// Days a new API token lasts unless told otherwise (GitHub and GitLab suggest the same).
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The longest a token made on the dashboard or through the API may last, in days (a
/// token without an end is made only from the command line, and only when asked for).
pub const MAX_TOKEN_DAYS: i64 = 365;

/// A password is at least 12 characters.
pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < 12 {
        return Err(UserError::ShortPassword);
    }
    Ok(())
}

/// A token label, trimmed, if it is 1 to [`MAX_LABEL`] characters without control
/// characters (it is shown in a terminal's lines and in pages).
pub fn check_label(label: &str) -> Result<String, UserError> {
    let l = label.trim();
    if l.is_empty() || l.chars().count() > MAX_LABEL || l.chars().any(char::is_control) {
        return Err(UserError::BadLabel(label.to_string()));
    }
    Ok(l.to_string())
}

/// Checks a login name.
pub fn check_name(name: &str) -> Result<(), UserError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(UserError::BadName(name.to_string()))
    }
}

/// An Argon2id hash (PHC string, OWASP's minimum parameters: 19 MiB, 2 passes) of a
/// password of at least 12 characters.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    check_password(password)?;
    // 16 random bytes from the OS (a v4 UUID is 122 of them, from getrandom).
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| UserError::Hash(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (constant-time in the library).
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A new API token (`mamori_` and 64 hex digits of randomness) and the digest the store
/// keeps of it: the token itself is shown once and never stored.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    raw[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    raw[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let token = format!("mamori_{}", hex::encode(raw));
    let digest = token_digest(&token);
    (token, digest)
}

/// The digest a token is looked up by.
pub fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify_and_roles_scope() {
        assert_eq!(hash_password("short"), Err(UserError::ShortPassword));
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
        assert!(check_name("aiko.tanaka@city").is_ok());
        assert!(check_name("a b").is_err() && check_name("").is_err());
        let (t, d) = new_token();
        assert!(t.starts_with("mamori_") && t.len() == 7 + 64);
        assert_eq!(token_digest(&t), d);
        assert_ne!(new_token().0, t);

        let viewer_a = User {
            id: 1,
            name: "v".into(),
            grants: vec![Grant {
                role: Role::Viewer,
                system: Some("a".into()),
            }],
            created: String::new(),
        };
        assert!(viewer_a.can_read(Some("a")) && !viewer_a.can_read(Some("b")));
        assert!(!viewer_a.can_act(Some("a")) && !viewer_a.can_read(None));
        let analyst_all = User {
            grants: vec![
                Grant {
                    role: Role::Analyst,
                    system: None,
                },
                Grant {
                    role: Role::Admin,
                    system: Some("b".into()),
                },
            ],
            ..viewer_a.clone()
        };
        assert!(analyst_all.can_act(Some("a")) && analyst_all.can_read(None));
        assert_eq!(analyst_all.role_for(Some("b")), Some(Role::Admin));
        assert!(!analyst_all.is_admin());
    }
}
