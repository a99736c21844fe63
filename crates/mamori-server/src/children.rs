//! A bound on the child processes readers start (exports, differences of runs): each holds
//! a run's worth of memory while it works — gigabytes for a large run — so a few at once
//! are let run, a few more wait their turn for a while, and the rest are told to come back.
//!
//! - a user has at most [`Children::per_user`] running or waiting: the next gets **429**;
//! - at most `running` run at once in all, at most `waiting` more wait up to
//!   [`QUEUE_WAIT`]; past that, or when the wait runs out, **503**.
//!
//! Both come with `Retry-After`. A permit lives as long as its child's output is being sent
//! (an export's stream holds it), so a client reading slowly keeps its own place, no one
//! else's.

use crate::api::ApiError;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a request waits for a child to finish before it is told to come back.
pub const QUEUE_WAIT: Duration = Duration::from_secs(30);
/// What `Retry-After` says.
pub const RETRY_AFTER_SECS: u64 = 10;

/// How many child processes readers may start.
#[derive(Debug, Clone, Copy)]
pub struct ChildLimits {
    /// Running at once, in all.
    pub running: usize,
    /// Waiting for a place, in all.
    pub waiting: usize,
    /// Running or waiting, per user.
    pub per_user: usize,
}

impl Default for ChildLimits {
    fn default() -> ChildLimits {
        ChildLimits {
            running: 2,
            waiting: 8,
            per_user: 2,
        }
    }
}

/// The bound.
pub struct Children {
    limits: ChildLimits,
    running: Arc<tokio::sync::Semaphore>,
    waiting: AtomicUsize,
    users: Arc<Mutex<HashMap<i64, usize>>>,
}

/// A place to run one child; give it back by dropping it.
pub struct ChildPermit {
    _run: tokio::sync::OwnedSemaphorePermit,
    _user: UserPlace,
}

struct UserPlace {
    user: i64,
    users: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Drop for UserPlace {
    fn drop(&mut self) {
        let mut u = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = u.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                u.remove(&self.user);
            }
        }
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn busy(status: StatusCode, code: &'static str, message: String) -> ApiError {
    let mut e = ApiError::new(status, code, message);
    e.retry_after = Some(RETRY_AFTER_SECS);
    e
}

impl Children {
    /// A bound of `limits`.
    pub fn new(limits: ChildLimits) -> Children {
        Children {
            running: Arc::new(tokio::sync::Semaphore::new(limits.running.max(1))),
            waiting: AtomicUsize::new(0),
            users: Default::default(),
            limits,
        }
    }

    /// Most children per user.
    pub fn per_user(&self) -> usize {
        self.limits.per_user
    }

    /// A place for a child of `user`'s, waiting up to [`QUEUE_WAIT`] for one.
    pub async fn acquire(&self, user: i64) -> Result<ChildPermit, ApiError> {
        let place = {
            let mut u = self.users.lock().unwrap_or_else(|p| p.into_inner());
            let n = u.entry(user).or_insert(0);
            if *n >= self.limits.per_user.max(1) {
                return Err(busy(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-requests",
                    format!(
                        "you have {} exports or differences being made already; wait for one to finish",
                        *n
                    ),
                ));
            }
            *n += 1;
            UserPlace {
                user,
                users: self.users.clone(),
            }
        };
        if let Ok(p) = self.running.clone().try_acquire_owned() {
            return Ok(ChildPermit {
                _run: p,
                _user: place,
            });
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.limits.waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is making as many exports and differences as it can; try again shortly"
                    .into(),
            ));
        }
        let _w = Waiting(&self.waiting);
        match tokio::time::timeout(QUEUE_WAIT, self.running.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(ChildPermit {
                _run: p,
                _user: place,
            }),
            _ => Err(busy(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is making as many exports and differences as it can; try again shortly"
                    .into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn per_user_then_in_all_then_queue() {
        let c = Arc::new(Children::new(ChildLimits {
            running: 2,
            waiting: 1,
            per_user: 2,
        }));
        let a1 = c.acquire(1).await.unwrap();
        let _a2 = c.acquire(1).await.unwrap();
        let e = c.acquire(1).await.err().unwrap();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.retry_after, Some(RETRY_AFTER_SECS));
        // User 2 waits for a place; user 3 finds the queue full.
        let c2 = c.clone();
        let waiter = tokio::spawn(async move { c2.acquire(2).await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let e = c.acquire(3).await.err().unwrap();
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        drop(a1);
        waiter.await.unwrap().unwrap();
        // Places given back: user 1 may start again.
        assert!(c.acquire(1).await.is_ok());
    }
}
