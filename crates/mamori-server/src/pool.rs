//! Store connections for request handlers: a fixed number, opened once and reused, used on
//! tokio's blocking threads (SQLite calls block). WAL lets the readers run beside the one
//! writer; a bounded number keeps 64 clients from becoming 64 competing connections.
//!
//! Beside them, a cache of the expensive aggregates (counts over 100,000 findings, the
//! overview's figures) kept while the store has not changed: a connection of its own that
//! never writes asks SQLite's `data_version`, which moves when any other connection —
//! these, a scan's, another server's — commits (on PostgreSQL, a digest of the current
//! snapshot, which moves whenever a writing transaction starts or ends).
//!
//! A connection found lost (a PostgreSQL server restarted) is not given back: the idle
//! ones are dropped with it, and new ones are opened as requests come.

use mamori_store::{Store, StoreError};
use std::any::Any;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Connections used at once.
const CONNECTIONS: usize = 8;
/// Cached entries kept at most (then the cache starts over).
const CACHE_ENTRIES: usize = 10_000;
/// Cached figures that depend on the clock (ages, overdue) are made again after this.
const CACHE_AGE: Duration = Duration::from_secs(60);

/// A set of open stores.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

type Entry = (i64, Instant, Arc<dyn Any + Send + Sync>);

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    permits: Arc<tokio::sync::Semaphore>,
    watcher: Mutex<Option<Store>>,
    cache: Mutex<HashMap<String, Entry>>,
    /// One maker per key at a time: 64 clients missing the cache together make it once.
    making: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// A store borrowed from the pool; it goes back when dropped.
pub struct Pooled {
    store: Option<Store>,
    pool: Arc<Inner>,
}

impl Pool {
    /// A pool of connections to the store at `path`.
    pub fn new(path: PathBuf) -> Pool {
        Pool {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(tokio::sync::Semaphore::new(CONNECTIONS)),
                watcher: Mutex::new(None),
                cache: Mutex::new(HashMap::new()),
                making: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The store's file.
    pub fn path(&self) -> &std::path::Path {
        &self.inner.path
    }

    /// An idle connection, or a new one (blocking; outside [`Pool::run`] for background
    /// work).
    pub fn get(&self) -> Result<Pooled, StoreError> {
        let idle = self.inner.idle.lock().ok().and_then(|mut v| v.pop());
        let store = match idle {
            Some(s) => s,
            None => Store::open(&self.inner.path)?,
        };
        Ok(Pooled {
            store: Some(store),
            pool: self.inner.clone(),
        })
    }

    /// Runs `f` with a connection on a blocking thread, waiting for one of the pool's
    /// connections to be free.
    pub async fn run<T, F>(&self, f: F) -> Result<T, crate::api::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, crate::api::ApiError> + Send + 'static,
    {
        let permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| crate::api::ApiError::internal("the store's connections are closed"))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut s = pool.get().map_err(crate::api::ApiError::store)?;
            f(&mut s)
        })
        .await
        .map_err(|_| crate::api::ApiError::internal("a store task stopped unexpectedly"))?
    }

    /// The store's change counter (blocking).
    fn version(&self) -> Result<i64, StoreError> {
        let mut w = self.inner.watcher.lock().unwrap_or_else(|e| e.into_inner());
        if w.is_none() {
            *w = Some(Store::open(&self.inner.path)?);
        }
        let v = match w.as_ref() {
            Some(s) => s.data_version(),
            None => Ok(0),
        };
        if v.is_err() || w.as_ref().is_some_and(|s| !s.usable()) {
            // Lost (a database server restarted): the next call opens a new one.
            *w = None;
        }
        v
    }

    /// `make()`'s value for `key`, from the cache while the store has not changed (and for
    /// at most a minute), else made and kept (blocking: call inside [`Pool::run`]).
    pub fn cached<T, F>(&self, key: &str, make: F) -> Result<T, crate::api::ApiError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Result<T, crate::api::ApiError>,
    {
        // Keys hold the reader's systems and search words: kept as a digest, not whole.
        let key = &{
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(key.as_bytes()))
        };
        let version = self.version().map_err(crate::api::ApiError::store)?;
        let hit = || -> Option<T> {
            let c = self.inner.cache.lock().ok()?;
            let (v, at, val) = c.get(key)?;
            (*v == version && at.elapsed() < CACHE_AGE)
                .then(|| val.downcast_ref::<T>().cloned())
                .flatten()
        };
        if let Some(t) = hit() {
            return Ok(t);
        }
        let maker = self
            .inner
            .making
            .lock()
            .map(|mut m| m.entry(key.to_string()).or_default().clone())
            .unwrap_or_default();
        let _making = maker.lock().unwrap_or_else(|e| e.into_inner());
        // Made meanwhile by another request?
        if let Some(t) = hit() {
            return Ok(t);
        }
        let value = make()?;
        if let Ok(mut c) = self.inner.cache.lock() {
            if c.len() >= CACHE_ENTRIES {
                c.clear();
                if let Ok(mut m) = self.inner.making.lock() {
                    m.retain(|k, _| k == key);
                }
            }
            c.insert(
                key.to_string(),
                (version, Instant::now(), Arc::new(value.clone())),
            );
        }
        Ok(value)
    }
}

// `store` is Some from the moment a Pooled is made until its drop takes it back.
#[allow(clippy::expect_used)]
impl std::ops::Deref for Pooled {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until dropped")
    }
}

#[allow(clippy::expect_used)]
impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut idle)) = (self.store.take(), self.pool.idle.lock()) {
            if !s.usable() {
                // The database server went away: the idle connections went with it. New
                // ones are opened as requests come (and fail plainly until it is back).
                idle.clear();
            } else if idle.len() < CONNECTIONS {
                idle.push(s);
            }
        }
    }
}
