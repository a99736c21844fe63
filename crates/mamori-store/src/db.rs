//! The two databases under [`crate::Store`]: an SQLite file (the default: one machine, no
//! server to run) or PostgreSQL (many users and workers around one server).
//!
//! The store's SQL is written once, in the part of SQL both understand: `?1` placeholders
//! (turned into `$1` for PostgreSQL), `ON CONFLICT DO NOTHING`, `IS NOT DISTINCT FROM`,
//! `COUNT(*) FILTER`. The few places that must differ ask [`Db::pg`]. Values cross as
//! [`Val`], which gives PostgreSQL the exact type it inferred for a parameter (`int4`,
//! `int8`, `text`, …) so SQL written for SQLite's loose types still binds; rows are read
//! through [`Row::get`], which accepts PostgreSQL's wider results (`numeric` sums,
//! booleans from comparisons) where SQLite gives integers.
//!
//! Transactions are statements (`BEGIN` … `COMMIT`) issued through a guard that rolls back
//! when dropped, so the same code runs inside or outside one. [`Db::begin_write`] takes
//! the store-wide write lock at once: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's transaction
//! advisory lock — read-modify-write steps (following findings, reaping jobs) never
//! interleave on either.

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

/// A database error, from either backend. Its message is whole (the backend's causes
/// included), so it is not given again as a source.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite said no.
    #[error("{0}")]
    Sqlite(rusqlite::Error),
    /// PostgreSQL said no, or its connection failed.
    #[error("{}", pg_text(.0))]
    Pg(postgres::Error),
    /// A value of an unexpected type.
    #[error("column {column}: {message}")]
    Type {
        /// The column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A query that must give a row gave none.
    #[error("the query returned no row")]
    NoRow,
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        DbError::Sqlite(e)
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        DbError::Pg(e)
    }
}

/// PostgreSQL's own message (with its detail), not just "db error"; for a connection that
/// failed, what failed and why ("error connecting to server: Connection refused").
fn pg_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => match d.detail() {
            Some(detail) => format!("{} ({detail})", d.message()),
            None => d.message().to_string(),
        },
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                let more = inner.to_string();
                if !s.contains(&more) {
                    s.push_str(": ");
                    s.push_str(&more);
                }
                src = inner.source();
            }
            s
        }
    }
}

/// The PostgreSQL advisory lock that stands for SQLite's single writer.
const WRITE_LOCK: i64 = 0x6d616d6f7269; // "mamori"

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// NULL.
    Null,
    /// An integer (also booleans, as 0 and 1).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(Cow<'a, str>),
}

impl Val<'_> {
    /// The same value, owning its text.
    pub fn owned(&self) -> Val<'static> {
        match self {
            Val::Null => Val::Null,
            Val::Int(i) => Val::Int(*i),
            Val::Real(f) => Val::Real(*f),
            Val::Text(t) => Val::Text(Cow::Owned(t.to_string())),
        }
    }
}

/// Turns a Rust value into a [`Val`].
pub trait ToVal {
    /// The value.
    fn to_val(&self) -> Val<'_>;
}

impl ToVal for Val<'_> {
    fn to_val(&self) -> Val<'_> {
        match self {
            Val::Text(s) => Val::Text(Cow::Borrowed(s)),
            Val::Null => Val::Null,
            Val::Int(i) => Val::Int(*i),
            Val::Real(f) => Val::Real(*f),
        }
    }
}
impl ToVal for i64 {
    fn to_val(&self) -> Val<'_> {
        Val::Int(*self)
    }
}
impl ToVal for i32 {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl ToVal for u32 {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl ToVal for usize {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToVal for u64 {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToVal for bool {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl ToVal for f64 {
    fn to_val(&self) -> Val<'_> {
        Val::Real(*self)
    }
}
impl ToVal for str {
    fn to_val(&self) -> Val<'_> {
        Val::Text(Cow::Borrowed(self))
    }
}
impl ToVal for String {
    fn to_val(&self) -> Val<'_> {
        Val::Text(Cow::Borrowed(self))
    }
}
impl<T: ToVal + ?Sized> ToVal for &T {
    fn to_val(&self) -> Val<'_> {
        (**self).to_val()
    }
}
impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val<'_> {
        match self {
            Some(v) => v.to_val(),
            None => Val::Null,
        }
    }
}

/// The values of a query: `vals![a, b, c]`.
macro_rules! vals {
    () => { &[] as &[$crate::db::Val<'_>] };
    ($($x:expr),+ $(,)?) => {
        &[$($crate::db::ToVal::to_val(&$x)),+] as &[$crate::db::Val<'_>]
    };
}
pub(crate) use vals;

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Val<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let text = |s: &str, out: &mut BytesMut| {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        };
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ if is_text(ty) => text(&i.to_string(), out),
                _ => Err(format!("an integer cannot be bound as {ty}").into()),
            },
            Val::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ if is_text(ty) => text(&f.to_string(), out),
                _ => Err(format!("a number cannot be bound as {ty}").into()),
            },
            Val::Text(s) => match *ty {
                // PostgreSQL's text cannot hold U+0000, which scanned names may (a
                // certificate's CN `www.bank.example\0.evil.example`): stored as U+FFFD, so
                // the run is kept rather than refused.
                _ if is_text(ty) && s.contains('\0') => text(&s.replace('\0', "\u{FFFD}"), out),
                _ if is_text(ty) => text(s, out),
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                _ => Err(format!("text cannot be bound as {ty}").into()),
            },
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

/// A PostgreSQL `numeric` (what `SUM` of `bigint` gives), read as a float.
struct Numeric(f64);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let word = |i: usize| -> Result<u16, BoxError> {
            raw.get(i..i + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a short numeric".into())
        };
        let digits = word(0)? as usize;
        let weight = word(2)? as i16;
        let sign = word(4)?;
        if sign == 0xC000 {
            return Err("NaN where a number was expected".into());
        }
        let mut v = 0f64;
        for i in 0..digits {
            let d = f64::from(word(8 + 2 * i)?);
            v += d * 10000f64.powi(i32::from(weight) - i as i32);
        }
        Ok(Numeric(if sign == 0x4000 { -v } else { v }))
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

/// A value read from a row: SQLite's own conversions, and PostgreSQL's types widened.
pub trait FromVal: Sized {
    /// From SQLite.
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    /// From PostgreSQL (`None`: NULL).
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError>;
    /// NULL, where allowed.
    fn null() -> Option<Self> {
        None
    }
}

fn pg_err(i: usize, e: impl std::fmt::Display) -> DbError {
    DbError::Type {
        column: i,
        message: e.to_string(),
    }
}

impl FromVal for i64 {
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError> {
        let ty = r.columns().get(i).map(|c| c.type_().clone());
        let e = |e| pg_err(i, e);
        Ok(match ty {
            Some(Type::INT8) => r.try_get::<_, Option<i64>>(i).map_err(e)?,
            Some(Type::INT4) => r.try_get::<_, Option<i32>>(i).map_err(e)?.map(i64::from),
            Some(Type::INT2) => r.try_get::<_, Option<i16>>(i).map_err(e)?.map(i64::from),
            Some(Type::BOOL) => r.try_get::<_, Option<bool>>(i).map_err(e)?.map(i64::from),
            Some(Type::NUMERIC) => r
                .try_get::<_, Option<Numeric>>(i)
                .map_err(e)?
                .map(|n| n.0.round() as i64),
            Some(Type::FLOAT8) => r
                .try_get::<_, Option<f64>>(i)
                .map_err(e)?
                .map(|f| f.round() as i64),
            other => {
                return Err(pg_err(
                    i,
                    format!("{other:?} where an integer was expected"),
                ))
            }
        })
    }
}

impl FromVal for f64 {
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError> {
        let ty = r.columns().get(i).map(|c| c.type_().clone());
        let e = |e| pg_err(i, e);
        Ok(match ty {
            Some(Type::FLOAT8) => r.try_get::<_, Option<f64>>(i).map_err(e)?,
            Some(Type::FLOAT4) => r.try_get::<_, Option<f32>>(i).map_err(e)?.map(f64::from),
            Some(Type::NUMERIC) => r.try_get::<_, Option<Numeric>>(i).map_err(e)?.map(|n| n.0),
            _ => i64::pg(r, i)?.map(|v| v as f64),
        })
    }
}

impl FromVal for bool {
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError> {
        Ok(i64::pg(r, i)?.map(|v| v != 0))
    }
}

impl FromVal for String {
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError> {
        r.try_get::<_, Option<String>>(i).map_err(|e| pg_err(i, e))
    }
}

impl<T: FromVal> FromVal for Option<T> {
    fn lite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        use rusqlite::types::ValueRef;
        match r.get_ref(i)? {
            ValueRef::Null => Ok(None),
            _ => T::lite(r, i).map(Some),
        }
    }
    fn pg(r: &postgres::Row, i: usize) -> Result<Option<Self>, DbError> {
        Ok(Some(T::pg(r, i)?))
    }
    fn null() -> Option<Self> {
        Some(None)
    }
}

/// A row of a result.
pub enum Row<'a> {
    /// From SQLite.
    Lite(&'a rusqlite::Row<'a>),
    /// From PostgreSQL.
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0).
    pub fn get<T: FromVal>(&self, i: usize) -> Result<T, DbError> {
        match self {
            Row::Lite(r) => Ok(T::lite(r, i)?),
            Row::Pg(r) => match T::pg(r, i)? {
                Some(v) => Ok(v),
                None => T::null().ok_or_else(|| pg_err(i, "NULL where a value was expected")),
            },
        }
    }
}

struct Pg {
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
}

impl Drop for Pg {
    fn drop(&mut self) {
        // The synchronous client closes its connection on a runtime of its own, which
        // cannot run inside another's task (a server shutting down drops its pool there):
        // then it is closed on a thread of its own.
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::Builder::new()
                    .name("mamori-pg-close".into())
                    .spawn(move || drop(client));
            } else {
                drop(client);
            }
        }
    }
}

enum Backend {
    Lite(rusqlite::Connection),
    Pg(Box<RefCell<Pg>>),
}

fn pg_cell(p: &RefCell<Pg>) -> Result<std::cell::RefMut<'_, Pg>, DbError> {
    p.try_borrow_mut()
        .map_err(|_| pg_err(0, "a query inside another query's rows (a mamori bug)"))
}

/// One connection to the store's database.
pub struct Db {
    backend: Backend,
    /// Inside a [`Tx`].
    in_tx: std::cell::Cell<bool>,
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    /// Makes the transaction's work permanent. If that fails, the guard rolls back, so the
    /// connection never goes back to a pool inside a transaction.
    pub fn commit(mut self) -> Result<(), DbError> {
        self.db.batch("COMMIT")?;
        self.done = true;
        self.db.in_tx.set(false);
        Ok(())
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.batch("ROLLBACK");
            self.db.in_tx.set(false);
        }
    }
}

/// Many rows into one table: on SQLite one prepared statement per row (a row costs no
/// round trip there); on PostgreSQL up to a thousand rows per `INSERT … VALUES (…), (…)`,
/// so storing a run of 100,000 rows is a hundred round trips, not 100,000. Call
/// [`Inserter::finish`]: rows still held are written only then.
#[must_use = "rows are written by finish()"]
pub struct Inserter<'d> {
    db: &'d Db,
    head: &'static str,
    tail: &'static str,
    cols: usize,
    single: String,
    held: Vec<Val<'static>>,
}

impl Inserter<'_> {
    /// Adds one row (as many values as the columns named).
    pub fn push(&mut self, row: &[Val<'_>]) -> Result<(), DbError> {
        if row.len() != self.cols {
            return Err(pg_err(
                row.len(),
                format!("{} values for {} columns", row.len(), self.cols),
            ));
        }
        if !self.db.pg() {
            self.db.exec(&self.single, row)?;
            return Ok(());
        }
        self.held.extend(row.iter().map(Val::owned));
        if self.held.len() >= self.cols * self.per() {
            self.flush()?;
        }
        Ok(())
    }

    /// Rows per statement: up to a thousand, and at most 30,000 values.
    fn per(&self) -> usize {
        (30_000 / self.cols).clamp(1, 1000)
    }

    fn flush(&mut self) -> Result<(), DbError> {
        let rows = self.held.len() / self.cols;
        if rows == 0 {
            return Ok(());
        }
        let mut sql = String::with_capacity(self.head.len() + rows * self.cols * 6);
        sql.push_str(self.head);
        for r in 0..rows {
            sql.push_str(if r == 0 { " (" } else { ", (" });
            for c in 0..self.cols {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('?');
                sql.push_str(&(r * self.cols + c + 1).to_string());
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(self.tail);
        if rows == self.per() {
            self.db.exec(&sql, &self.held)?;
        } else {
            // The last, shorter batch: its statement is not kept (each size would be one
            // more prepared statement on the server).
            self.db.exec_once(&sql, &self.held)?;
        }
        self.held.clear();
        Ok(())
    }

    /// Writes the rows still held.
    pub fn finish(mut self) -> Result<(), DbError> {
        self.flush()
    }
}

/// `?N` and `?` placeholders as PostgreSQL's `$N` (outside quoted text).
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    let mut next = 0u32;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                out.push('$');
                if n.is_empty() {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    out.push_str(&n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn pg_params<'v>(vals: &'v [Val<'_>]) -> Vec<&'v (dyn ToSql + Sync)> {
    vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Pg {
    /// The client (there until the connection is dropped).
    fn client(&mut self) -> Result<&mut postgres::Client, DbError> {
        self.client
            .as_mut()
            .ok_or_else(|| pg_err(0, "the connection is closed"))
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let st = self.client()?.prepare(&dollar_placeholders(sql))?;
        if self.statements.len() > 512 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

impl Db {
    /// An SQLite connection.
    pub fn sqlite(conn: rusqlite::Connection) -> Db {
        conn.set_prepared_statement_cache_capacity(128);
        Db {
            backend: Backend::Lite(conn),
            in_tx: std::cell::Cell::new(false),
        }
    }

    /// A PostgreSQL connection.
    pub fn postgres(client: postgres::Client) -> Db {
        Db {
            backend: Backend::Pg(Box::new(RefCell::new(Pg {
                client: Some(client),
                statements: HashMap::new(),
            }))),
            in_tx: std::cell::Cell::new(false),
        }
    }

    /// Whether this is PostgreSQL (for the few statements that differ).
    pub fn pg(&self) -> bool {
        matches!(self.backend, Backend::Pg(_))
    }

    /// The SQLite connection, for SQLite's own statements (pragmas).
    pub fn lite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Lite(c) => Some(c),
            Backend::Pg(_) => None,
        }
    }

    /// False once the connection is known to be lost (a PostgreSQL server gone away); such
    /// a connection is not reused.
    pub fn usable(&self) -> bool {
        match &self.backend {
            Backend::Lite(_) => true,
            Backend::Pg(p) => p
                .try_borrow()
                .map(|p| p.client.as_ref().is_some_and(|c| !c.is_closed()))
                .unwrap_or(true),
        }
    }

    /// Runs statements without values (schema, `BEGIN`, …).
    pub fn batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.backend {
            Backend::Lite(c) => Ok(c.execute_batch(sql)?),
            Backend::Pg(p) => Ok(pg_cell(p)?.client()?.batch_execute(sql)?),
        }
    }

    /// Runs one statement; returns the rows it changed.
    pub fn exec(&self, sql: &str, vals: &[Val<'_>]) -> Result<u64, DbError> {
        match &self.backend {
            Backend::Lite(c) => {
                Ok(c.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(vals.iter()))? as u64)
            }
            Backend::Pg(p) => {
                let mut p = pg_cell(p)?;
                let st = p.statement(sql)?;
                Ok(p.client()?.execute(&st, &pg_params(vals))?)
            }
        }
    }

    /// An [`Inserter`] of rows into `head` (`INSERT INTO t (a, b) VALUES`, naming `cols`
    /// columns), each statement ending with `tail` (`ON CONFLICT DO NOTHING`, or nothing).
    pub fn inserter(&self, head: &'static str, cols: usize, tail: &'static str) -> Inserter<'_> {
        let marks: Vec<String> = (1..=cols).map(|c| format!("?{c}")).collect();
        Inserter {
            db: self,
            head,
            tail,
            cols,
            single: format!("{head} ({}) {tail}", marks.join(", ")),
            held: Vec::new(),
        }
    }

    /// [`Db::exec`] of a statement used once: not kept prepared (SQLite's cache is bounded
    /// and needs no care).
    pub fn exec_once(&self, sql: &str, vals: &[Val<'_>]) -> Result<u64, DbError> {
        match &self.backend {
            Backend::Lite(_) => self.exec(sql, vals),
            Backend::Pg(p) => {
                let mut p = pg_cell(p)?;
                let sql = dollar_placeholders(sql);
                Ok(p.client()?.execute(sql.as_str(), &pg_params(vals))?)
            }
        }
    }

    /// Runs an `INSERT` into a table with an `id` key; returns the new row's id.
    pub fn insert(&self, sql: &str, vals: &[Val<'_>]) -> Result<i64, DbError> {
        match &self.backend {
            Backend::Lite(c) => {
                c.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(vals.iter()))?;
                Ok(c.last_insert_rowid())
            }
            Backend::Pg(_) => self.one(&format!("{sql} RETURNING id"), vals, |r| r.get(0)),
        }
    }

    /// Calls `f` on each row, as they come (a large result is never held whole).
    pub fn each<E: From<DbError>>(
        &self,
        sql: &str,
        vals: &[Val<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match &self.backend {
            Backend::Lite(c) => {
                let mut st = c.prepare_cached(sql).map_err(DbError::from)?;
                let mut rows = st
                    .query(rusqlite::params_from_iter(vals.iter()))
                    .map_err(DbError::from)?;
                while let Some(r) = rows.next().map_err(DbError::from)? {
                    f(&Row::Lite(r))?;
                }
                Ok(())
            }
            Backend::Pg(p) => {
                use postgres::fallible_iterator::FallibleIterator;
                let mut p = pg_cell(p)?;
                let st = p.statement(sql)?;
                let mut rows = p
                    .client()?
                    .query_raw(&st, vals.iter().map(|v| v as &dyn ToSql))
                    .map_err(DbError::from)?;
                while let Some(r) = rows.next().map_err(DbError::from)? {
                    f(&Row::Pg(&r))?;
                }
                Ok(())
            }
        }
    }

    /// Every row, each made by `f`.
    pub fn all<T, E: From<DbError>>(
        &self,
        sql: &str,
        vals: &[Val<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<T, E>,
    ) -> Result<Vec<T>, E> {
        let mut out = Vec::new();
        self.each(sql, vals, |r| {
            out.push(f(r)?);
            Ok::<(), E>(())
        })?;
        Ok(out)
    }

    /// The first row, if any, made by `f`.
    pub fn opt<T, E: From<DbError>>(
        &self,
        sql: &str,
        vals: &[Val<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T, E>,
    ) -> Result<Option<T>, E> {
        match &self.backend {
            Backend::Lite(c) => {
                let mut st = c.prepare_cached(sql).map_err(DbError::from)?;
                let mut rows = st
                    .query(rusqlite::params_from_iter(vals.iter()))
                    .map_err(DbError::from)?;
                match rows.next().map_err(DbError::from)? {
                    Some(r) => Ok(Some(f(&Row::Lite(r))?)),
                    None => Ok(None),
                }
            }
            Backend::Pg(p) => {
                let row = {
                    let mut p = pg_cell(p)?;
                    let st = p.statement(sql)?;
                    p.client()?
                        .query_opt(&st, &pg_params(vals))
                        .map_err(DbError::from)?
                };
                match row {
                    Some(r) => Ok(Some(f(&Row::Pg(&r))?)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first row, made by `f`; no row is an error.
    pub fn one<T, E: From<DbError>>(
        &self,
        sql: &str,
        vals: &[Val<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.opt(sql, vals, f)?
            .ok_or_else(|| E::from(DbError::NoRow))
    }

    /// A transaction that holds the store's write lock from its start: no other writer's
    /// transaction runs beside it (SQLite's `BEGIN IMMEDIATE`; on PostgreSQL a transaction
    /// advisory lock, released by its end).
    pub fn begin_write(&self) -> Result<Tx<'_>, DbError> {
        self.begin_write_waiting("")
    }

    /// [`Db::begin_write`], waiting up to `wait` (a PostgreSQL interval such as `10min`)
    /// for the lock instead of the connection's 30 s (SQLite keeps its busy timeout).
    pub fn begin_write_waiting(&self, wait: &str) -> Result<Tx<'_>, DbError> {
        if self.in_tx.get() {
            // A nested BEGIN would only warn on PostgreSQL, and its COMMIT would commit the
            // outer transaction's work early.
            return Err(pg_err(0, "a transaction inside another (a mamori bug)"));
        }
        match &self.backend {
            Backend::Lite(_) => self.batch("BEGIN IMMEDIATE")?,
            Backend::Pg(_) => self.batch("BEGIN")?,
        }
        self.in_tx.set(true);
        let tx = Tx {
            db: self,
            done: false,
        };
        if self.pg() {
            if !wait.is_empty() && wait.chars().all(|c| c.is_ascii_alphanumeric()) {
                tx.batch(&format!("SET LOCAL lock_timeout = '{wait}'"))?;
            }
            tx.one(
                "SELECT 1 FROM pg_advisory_xact_lock(CAST(?1 AS BIGINT))",
                vals![WRITE_LOCK],
                |_| Ok::<(), DbError>(()),
            )?;
        }
        Ok(tx)
    }

    /// A number that changes whenever another connection has committed a change: SQLite's
    /// `data_version`; on PostgreSQL, a digest of the current snapshot (its horizon and
    /// the transactions in progress), which moves whenever a writing transaction starts or
    /// ends anywhere on the server. It moves more often than the store changes (a write to
    /// another database), never less: a cache keyed by it is never stale, unlike one told
    /// by notifications, which arrive a moment after the commit.
    pub fn changes(&self) -> Result<i64, DbError> {
        match &self.backend {
            Backend::Lite(c) => Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Backend::Pg(_) => {
                let snap: String =
                    self.one("SELECT CAST(pg_current_snapshot() AS TEXT)", vals![], |r| {
                        r.get(0)
                    })?;
                // FNV-1a: the number only has to differ when the snapshot does.
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for b in snap.bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
                }
                Ok(h as i64)
            }
        }
    }
}

/// Reads the TLS wishes of a PostgreSQL URL, as libpq's parameters say them, and returns
/// the URL without them (the client does not know `verify-*` or `sslrootcert`), and
/// `None` for a plain connection or `Some(CA file)` for TLS with a verified certificate.
///
/// - `sslmode=disable`, `allow`, `prefer` or none: plain (mamori does not encrypt
///   opportunistically without checking whom it talks to);
/// - `require`, `verify-ca`, `verify-full`, or an `sslrootcert` alone: TLS, the certificate
///   checked against `sslrootcert` (PEM) or the system's CAs, and the host name always —
///   stricter than libpq's `require`, which checks nothing.
pub fn tls_wanted(url: &str) -> Result<(String, TlsWanted), String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut mode: Option<String> = None;
    let mut root: Option<std::path::PathBuf> = None;
    let mut kept = Vec::new();
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        match kv.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => root = Some(percent_decode(v).into()),
            _ => kept.push(kv),
        }
    }
    let tls = match mode.as_deref() {
        None => root.is_some(),
        Some("disable" | "allow" | "prefer") => false,
        Some("require" | "verify-ca" | "verify-full") => true,
        Some(other) => {
            return Err(format!(
                "sslmode={other}: expected disable, prefer, require, verify-ca or verify-full"
            ))
        }
    };
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, tls.then_some(root)))
}

/// What [`tls_wanted`] found: `None` for a plain connection, else TLS with the CA file
/// named (`None`: the system's CAs).
pub type TlsWanted = Option<Option<std::path::PathBuf>>;

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A TLS connector for PostgreSQL (rustls), trusting the CAs in `root` (PEM), else those
/// of `SSL_CERT_FILE` or the system's bundle.
pub fn tls_connector(
    root: Option<&std::path::Path>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    // libpq's `sslrootcert=system` means the system's CAs, as no sslrootcert does here.
    let file = match root.filter(|r| *r != std::path::Path::new("system")) {
        Some(r) => r.to_path_buf(),
        None => std::env::var_os("SSL_CERT_FILE")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                // Debian and Ubuntu, Fedora and RHEL, Alpine and macOS.
                [
                    "/etc/ssl/certs/ca-certificates.crt",
                    "/etc/pki/tls/certs/ca-bundle.crt",
                    "/etc/ssl/cert.pem",
                ]
                .into_iter()
                .map(std::path::PathBuf::from)
                .find(|p| p.exists())
            })
            .ok_or_else(|| {
                "no system CA bundle found: name the database's CA with sslrootcert=FILE"
                    .to_string()
            })?,
    };
    let bad = |e: &dyn std::fmt::Display| format!("sslrootcert {}: {e}", file.display());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&file).map_err(|e| bad(&e))? {
        roots.add(c.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate in it"));
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_wishes_are_read_from_the_url() {
        let (rest, tls) = tls_wanted(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem&application_name=a",
        )
        .unwrap();
        assert_eq!(rest, "postgres://u@h/db?application_name=a");
        assert_eq!(tls, Some(Some("/etc/ca x.pem".into())));
        assert_eq!(
            tls_wanted("postgres://u@h/db?sslmode=require").unwrap(),
            ("postgres://u@h/db".into(), Some(None))
        );
        assert_eq!(
            tls_wanted("postgres://u@h/db?sslmode=prefer").unwrap(),
            ("postgres://u@h/db".into(), None)
        );
        assert_eq!(tls_wanted("postgres://u@h/db").unwrap().1, None);
        assert!(tls_wanted("postgres://u@h/db?sslmode=sometimes")
            .unwrap_err()
            .contains("sometimes"));
    }

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT ?1, ?12, '?3', ? FROM t WHERE a = ? AND b LIKE '%?'"),
            "SELECT $1, $12, '?3', $1 FROM t WHERE a = $2 AND b LIKE '%?'"
        );
        assert_eq!(
            dollar_placeholders("x = 'it''s ?' AND y = ?2"),
            "x = 'it''s ?' AND y = $2"
        );
    }
}
