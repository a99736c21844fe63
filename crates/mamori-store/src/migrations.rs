//! The store's schema, version by version, for both databases, and the one runner that
//! brings a store of either up to the newest.
//!
//! A migration has its SQLite text and its PostgreSQL twin. PostgreSQL stores began at
//! version [`PG_BASE_VERSION`] (built whole by `pg_base.sql`), so the migrations before it
//! have no PostgreSQL text. [`migrate`] reads the version (SQLite's `PRAGMA
//! user_version`, PostgreSQL's `mamori_schema` table), refuses a store newer than this
//! mamori knows (or, on PostgreSQL, older than its stores ever were), and applies each
//! missing migration in a transaction of its own under the write lock, re-reading the
//! version there so a server and its workers starting together apply it once.
//!
//! A new schema version is one more [`Migration`] with both texts; the tests make a store
//! of the version before, upgrade it, and hold it to a fresh one.

use std::path::Path;

use crate::db::{vals, Db, DbError};
use crate::StoreError;

/// One step of the schema.
pub(crate) struct Migration {
    /// The version it makes.
    pub(crate) version: i64,
    /// Its SQL on SQLite.
    pub(crate) sqlite: &'static str,
    /// Its SQL on PostgreSQL (`None` before PostgreSQL stores existed).
    pub(crate) postgres: Option<&'static str>,
    /// Replay the stored runs through the findings lifecycle afterwards, in the same
    /// transaction (the version that added it: the history starts with the first run).
    pub(crate) replay_lifecycle: bool,
}

/// Every migration, in order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: r#"
CREATE TABLE runs (
    id        INTEGER PRIMARY KEY,
    started   TEXT NOT NULL,
    finished  TEXT NOT NULL,
    targets   TEXT NOT NULL,
    files     INTEGER NOT NULL,
    bytes     INTEGER NOT NULL
);
CREATE TABLE assets (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    asset_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    status    TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (run_id, asset_id)
);
CREATE TABLE findings (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    code      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    asset_id  TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE warnings (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX findings_severity ON findings(run_id, severity);
"#,
        postgres: None,
        replay_lifecycle: false,
    },
    Migration {
        version: 2,
        sqlite: r#"
CREATE TABLE components (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    purl      TEXT NOT NULL,
    name      TEXT NOT NULL,
    version   TEXT,
    ecosystem TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (run_id, purl)
);
CREATE INDEX components_name ON components(ecosystem, name);
CREATE TABLE vulnerabilities (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    advisory   TEXT NOT NULL,
    severity   TEXT,
    component  TEXT NOT NULL,
    suppressed INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE distros (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    data      TEXT NOT NULL
);
"#,
        postgres: None,
        replay_lifecycle: false,
    },
    Migration {
        version: 3,
        sqlite: r#"
CREATE TABLE endpoints (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    endpoint  TEXT NOT NULL,
    service   TEXT NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX endpoints_endpoint ON endpoints(run_id, endpoint);
"#,
        postgres: None,
        replay_lifecycle: false,
    },
    Migration {
        version: 4,
        sqlite: r#"
CREATE TABLE tracked (
    id             INTEGER PRIMARY KEY,
    key            TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    severity       TEXT,
    system         TEXT,
    location       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    status         TEXT NOT NULL,
    accepted_until TEXT,
    assignee       TEXT,
    due            TEXT,
    first_run      INTEGER NOT NULL,
    last_run       INTEGER NOT NULL,
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    fixed_run      INTEGER
);
CREATE INDEX tracked_status ON tracked(status, severity);
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    tracked_id  INTEGER NOT NULL REFERENCES tracked(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    run         INTEGER,
    detail      TEXT
);
CREATE INDEX events_tracked ON events(tracked_id);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the history of findings is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the history of findings is append-only'); END;
"#,
        postgres: None,
        replay_lifecycle: true,
    },
    Migration {
        version: 5,
        sqlite: r#"
CREATE TABLE users (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    created  TEXT NOT NULL
);
CREATE TABLE grants (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    system  TEXT
);
CREATE TABLE tokens (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    digest  TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
"#,
        postgres: None,
        replay_lifecycle: false,
    },
    Migration {
        version: 6,
        sqlite: r#"
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    system       TEXT,
    requested_by TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    created      TEXT NOT NULL,
    not_before   TEXT NOT NULL,
    started      TEXT,
    finished     TEXT,
    heartbeat    TEXT,
    worker       TEXT,
    run_id       INTEGER,
    error        TEXT
);
CREATE INDEX jobs_status ON jobs(status, not_before);
CREATE INDEX jobs_system ON jobs(system, id);
CREATE TABLE sessions (
    digest  TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf    TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE run_stats (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    system   TEXT NOT NULL,
    severity TEXT NOT NULL,
    active   INTEGER NOT NULL,
    PRIMARY KEY (run_id, system, severity)
);
-- Severity as a number (unrated above critical: it may be anything), for sorting by index.
ALTER TABLE tracked ADD COLUMN rank INTEGER GENERATED ALWAYS AS (
    CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                  WHEN 'low' THEN 1 WHEN 'info' THEN 0 ELSE 5 END) VIRTUAL;
DROP INDEX tracked_status;
CREATE INDEX tracked_status ON tracked(status, rank, id);
CREATE INDEX tracked_rank ON tracked(rank, id);
CREATE INDEX tracked_system ON tracked(system, rank, id);
-- Due date with "none" last, for sorting by index.
ALTER TABLE tracked ADD COLUMN due_key TEXT GENERATED ALWAYS AS (COALESCE(due, '9999-12-31')) VIRTUAL;
CREATE INDEX tracked_due ON tracked(due_key, id);
CREATE INDEX tracked_first_seen ON tracked(first_seen, id);
UPDATE tracked SET key = key || '|' || system WHERE kind = 'vulnerability' AND system IS NOT NULL;
INSERT INTO run_stats (run_id, at, system, severity, active)
    SELECT r.id, r.finished, COALESCE(t.system, ''), COALESCE(t.severity, ''), COUNT(*)
    FROM runs r JOIN tracked t ON t.first_run <= r.id AND (t.fixed_run IS NULL OR t.fixed_run > r.id)
    GROUP BY r.id, COALESCE(t.system, ''), COALESCE(t.severity, '');
"#,
        postgres: None,
        replay_lifecycle: false,
    },
    Migration {
        version: 7,
        sqlite: r#"
ALTER TABLE tokens ADD COLUMN expires TEXT;
ALTER TABLE tokens ADD COLUMN last_used TEXT;
CREATE INDEX tokens_user ON tokens(user_id);
CREATE INDEX sessions_user ON sessions(user_id);
"#,
        postgres: Some(
            r#"
ALTER TABLE tokens ADD COLUMN expires TEXT COLLATE "C";
ALTER TABLE tokens ADD COLUMN last_used TEXT COLLATE "C";
CREATE INDEX tokens_user ON tokens(user_id);
CREATE INDEX sessions_user ON sessions(user_id);
"#,
        ),
        replay_lifecycle: false,
    },
];

/// The first version of PostgreSQL stores, which `pg_base.sql` builds whole.
pub(crate) const PG_BASE_VERSION: i64 = 6;
const PG_BASE: &str = include_str!("pg_base.sql");

/// The newest version this mamori knows.
pub(crate) fn newest() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The store's version; `None` for a PostgreSQL database mamori has not made a store in.
pub(crate) fn version(db: &Db) -> Result<Option<i64>, DbError> {
    if !db.pg() {
        return db
            .one("PRAGMA user_version", vals![], |r| r.get(0))
            .map(Some);
    }
    let made: bool = db.one(
        "SELECT to_regclass('mamori_schema') IS NOT NULL",
        vals![],
        |r| r.get(0),
    )?;
    if !made {
        return Ok(None);
    }
    db.opt("SELECT version FROM mamori_schema", vals![], |r| r.get(0))
}

fn set_version(tx: &Db, v: i64) -> Result<(), DbError> {
    if tx.pg() {
        tx.exec("UPDATE mamori_schema SET version = ?1", vals![v])?;
        Ok(())
    } else {
        tx.batch(&format!("PRAGMA user_version = {v}"))
    }
}

/// Brings the store in `db` (shown as `path` in errors) up to [`newest`]; makes a new
/// PostgreSQL store first.
pub(crate) fn migrate(db: &Db, path: &Path) -> Result<(), StoreError> {
    let open_err = |error: DbError| StoreError::Open {
        path: path.to_path_buf(),
        error,
    };
    // Read without the lock (opening never waits on a run being stored); a new
    // PostgreSQL store is made under it, after reading again.
    let mut found = version(db).map_err(open_err)?;
    if found.is_none() {
        let tx = db.begin_write().map_err(open_err)?;
        found = version(&tx).map_err(open_err)?;
        if found.is_none() {
            tx.batch(PG_BASE)?;
            tx.batch("CREATE TABLE mamori_schema (version BIGINT NOT NULL)")?;
            tx.exec(
                "INSERT INTO mamori_schema (version) VALUES (?1)",
                vals![PG_BASE_VERSION],
            )?;
            found = Some(PG_BASE_VERSION);
        }
        tx.commit()?;
    }
    let now = found.unwrap_or(0);
    if now > newest() {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: now,
            known: newest(),
        });
    }
    if db.pg() && now < PG_BASE_VERSION {
        return Err(StoreError::TooOld {
            path: path.to_path_buf(),
            found: now,
            known: newest(),
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > now) {
        let sql = if db.pg() { m.postgres } else { Some(m.sqlite) };
        let Some(sql) = sql else {
            continue;
        };
        let tx = db.begin_write()?;
        if version(&tx)?.unwrap_or(0) >= m.version {
            continue;
        }
        tx.batch(sql)?;
        if m.replay_lifecycle {
            crate::replay_lifecycle(&tx)?;
        }
        set_version(&tx, m.version)?;
        tx.commit()?;
    }
    Ok(())
}
