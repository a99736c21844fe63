//! Store connections for request handlers: opened once, reused, used on tokio's blocking
//! threads (SQLite calls block). WAL lets readers run beside the one writer.

use mamori_store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle connections kept for reuse.
const IDLE: usize = 16;

/// A set of open stores.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
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
            }),
        }
    }

    /// The store's file.
    pub fn path(&self) -> &std::path::Path {
        &self.inner.path
    }

    /// An idle connection, or a new one.
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

    /// Runs `f` with a connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, crate::api::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, crate::api::ApiError> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = pool.get().map_err(crate::api::ApiError::store)?;
            f(&mut s)
        })
        .await
        .map_err(|_| crate::api::ApiError::internal("a store task stopped unexpectedly"))?
    }
}

impl std::ops::Deref for Pooled {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut idle)) = (self.store.take(), self.pool.idle.lock()) {
            if idle.len() < IDLE {
                idle.push(s);
            }
        }
    }
}
