//! Sign-in throttling: five failed sign-ins a quarter of an hour for a user name and from an
//! address (an IPv6 client counts per /64, the block one subscriber is given).
//!
//! An attempt is counted *before* its password is checked, and the attempts for one name
//! are checked one at a time: thirty guesses sent at once get five checks, not thirty (a
//! limit read before the hash and written after it lets every request in flight through).
//! A success takes its own attempt back and clears the name's failures.
//!
//! The tables are bounded: names longer than any user's are never kept, and a full table
//! drops expired entries, then the oldest entry that is not blocking anyone, one at a time
//! — never the whole table, so filling it from many addresses does not free a name that
//! is being guessed. When every entry is blocking, a new name or address is refused until
//! one expires (the server stays up; sign-ins wait).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per user name, and per client address, in a window.
pub const LOGIN_FAILURES: u32 = 5;
/// The window, and how long a name or address is refused after that many failures.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(900);
/// Entries kept per table (names, addresses) at most.
pub const TABLE_CAP: usize = 20_000;
/// Names longer than this are no user's (see `mamori_store::users::check_name`).
pub const NAME_MAX: usize = 64;
/// Stripes of the per-name lock.
const STRIPES: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Attempts counted (failures, and checks in flight).
    count: u32,
    /// When the first of them was counted.
    since: Instant,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        now.duration_since(self.since) < LOGIN_WINDOW
    }
    fn blocking(&self, now: Instant) -> bool {
        self.live(now) && self.count >= LOGIN_FAILURES
    }
}

#[derive(Default)]
struct Table {
    map: HashMap<String, Entry>,
}

impl Table {
    /// Seconds until `key` may try again, if it is blocked now.
    fn blocked(&self, key: &str, now: Instant) -> Option<u64> {
        let e = self.map.get(key)?;
        e.blocking(now)
            .then(|| (LOGIN_WINDOW.saturating_sub(now.duration_since(e.since))).as_secs() + 1)
    }
    /// Makes room for a new key; false when every entry is blocking.
    fn room(&mut self, key: &str, cap: usize, now: Instant) -> bool {
        if self.map.len() < cap || self.map.contains_key(key) {
            return true;
        }
        self.map.retain(|_, e| e.live(now));
        if self.map.len() < cap {
            return true;
        }
        let oldest = self
            .map
            .iter()
            .filter(|(_, e)| !e.blocking(now))
            .min_by_key(|(_, e)| e.since)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                self.map.remove(&k);
                true
            }
            None => false,
        }
    }
    fn count(&mut self, key: &str, now: Instant) {
        let e = self.map.entry(key.to_string()).or_insert(Entry {
            count: 0,
            since: now,
        });
        if !e.live(now) {
            *e = Entry {
                count: 0,
                since: now,
            };
        }
        e.count += 1;
    }
    fn uncount(&mut self, key: &str) {
        if let Some(e) = self.map.get_mut(key) {
            e.count = e.count.saturating_sub(1);
            if e.count == 0 {
                self.map.remove(key);
            }
        }
    }
}

#[derive(Default)]
struct Tables {
    names: Table,
    addrs: Table,
}

/// Failed sign-ins by user name and by address.
pub struct LoginThrottle {
    tables: Mutex<Tables>,
    cap: usize,
    stripes: Vec<tokio::sync::Mutex<()>>,
    /// Keys the stripe choice so that names cannot be picked to share one.
    keys: std::collections::hash_map::RandomState,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::with_cap(TABLE_CAP)
    }
}

/// An attempt that was counted: report how it ended with [`LoginThrottle::succeeded`]
/// (a failure needs nothing: it stays counted).
#[derive(Debug)]
pub struct Attempt {
    name: Option<String>,
    addr: String,
}

/// Why a sign-in may not be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds until it may.
    pub retry_after: u64,
}

impl LoginThrottle {
    /// A throttle keeping at most `cap` names and `cap` addresses.
    pub fn with_cap(cap: usize) -> LoginThrottle {
        LoginThrottle {
            tables: Mutex::new(Tables::default()),
            cap: cap.max(1),
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            keys: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Waits until no other attempt for `name` is being checked; hold the guard while
    /// counting and checking.
    pub async fn serialize(&self, name: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::BuildHasher;
        let i = (self.keys.hash_one(name) % self.stripes.len() as u64) as usize;
        self.stripes[i].lock().await
    }

    /// The key an address is counted under ([`crate::guard::client_key`]).
    pub fn addr_key(addr: IpAddr) -> String {
        crate::guard::client_key(addr).to_string()
    }

    /// Counts an attempt for `name` from `addr`, or says how long to wait. A name no user
    /// can have (too long) is counted against the address only.
    pub fn begin(&self, name: &str, addr: IpAddr) -> Result<Attempt, Throttled> {
        let now = Instant::now();
        let addr = Self::addr_key(addr);
        let name = (name.len() <= NAME_MAX).then(|| name.to_string());
        let mut t = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = [
            name.as_deref().and_then(|n| t.names.blocked(n, now)),
            t.addrs.blocked(&addr, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(retry_after) = wait {
            return Err(Throttled { retry_after });
        }
        let cap = self.cap;
        let full = Throttled {
            retry_after: LOGIN_WINDOW.as_secs(),
        };
        if !t.addrs.room(&addr, cap, now) {
            return Err(full);
        }
        if let Some(n) = &name {
            if !t.names.room(n, cap, now) {
                return Err(full);
            }
            t.names.count(n, now);
        }
        t.addrs.count(&addr, now);
        Ok(Attempt { name, addr })
    }

    /// Counts an attempt for `name` alone (a signed-in user's current password, where the
    /// address says nothing the session does not), or says how long to wait.
    pub fn begin_name(&self, name: &str) -> Result<Attempt, Throttled> {
        let now = Instant::now();
        let mut t = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(retry_after) = t.names.blocked(name, now) {
            return Err(Throttled { retry_after });
        }
        if !t.names.room(name, self.cap, now) {
            return Err(Throttled {
                retry_after: LOGIN_WINDOW.as_secs(),
            });
        }
        t.names.count(name, now);
        Ok(Attempt {
            name: Some(name.to_string()),
            addr: String::new(),
        })
    }

    /// The attempt signed in: it was no failure, and the name's failures are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut t = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = &attempt.name {
            t.names.map.remove(n);
        }
        t.addrs.uncount(&attempt.addr);
    }

    /// The attempt was not checked (the store could not answer): it is not counted.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut t = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = &attempt.name {
            t.names.uncount(n);
        }
        t.addrs.uncount(&attempt.addr);
    }

    /// Entries held (names, addresses): for tests and the memory bound.
    pub fn len(&self) -> (usize, usize) {
        let t = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (t.names.map.len(), t.addrs.map.len())
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_failures_block_the_name_and_the_address() {
        let t = LoginThrottle::default();
        for i in 0..LOGIN_FAILURES {
            assert!(t.begin("aiko", ip(&format!("10.0.0.{i}"))).is_ok());
        }
        // The name is blocked from any address.
        assert!(t.begin("aiko", ip("192.0.2.1")).is_err());
        // A different name from a fresh address is not.
        assert!(t.begin("kenji", ip("192.0.2.1")).is_ok());
        let t = LoginThrottle::default();
        for i in 0..LOGIN_FAILURES {
            assert!(t.begin(&format!("u{i}"), ip("192.0.2.9")).is_ok());
        }
        let e = t.begin("other", ip("192.0.2.9")).unwrap_err();
        assert!(e.retry_after > 0 && e.retry_after <= LOGIN_WINDOW.as_secs() + 1);
    }

    #[test]
    fn attempts_in_flight_count_and_success_gives_back() {
        let t = LoginThrottle::default();
        // Thirty at once: only five are let through to the password check.
        let ok: Vec<Attempt> = (0..30)
            .filter_map(|_| t.begin("aiko", ip("192.0.2.1")).ok())
            .collect();
        assert_eq!(ok.len(), LOGIN_FAILURES as usize);
        let t = LoginThrottle::default();
        let a = t.begin("aiko", ip("192.0.2.1")).unwrap();
        let b = t.begin("aiko", ip("192.0.2.1")).unwrap();
        t.abandoned(b);
        t.succeeded(a);
        assert!(t.is_empty(), "{:?}", t.len());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            LoginThrottle::addr_key(ip("2001:db8:1:2:aaaa::1")),
            LoginThrottle::addr_key(ip("2001:db8:1:2:ffff:1:2:3"))
        );
        assert_ne!(
            LoginThrottle::addr_key(ip("2001:db8:1:2::1")),
            LoginThrottle::addr_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(LoginThrottle::addr_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        let t = LoginThrottle::default();
        for i in 0..LOGIN_FAILURES {
            assert!(t
                .begin(&format!("n{i}"), ip(&format!("2001:db8:1:2::{i:x}")))
                .is_ok());
        }
        assert!(t.begin("x", ip("2001:db8:1:2:dead::beef")).is_err());
        assert!(t.begin("x", ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn a_full_table_is_never_reset_and_long_names_are_not_kept() {
        let t = LoginThrottle::with_cap(100);
        for _ in 0..LOGIN_FAILURES {
            t.begin("aiko", ip("192.0.2.1")).unwrap();
        }
        // An attacker fills both tables from many addresses with many names.
        for i in 0..10_000u32 {
            let a = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = t.begin(&format!("filler{i}"), a);
        }
        let (names, addrs) = t.len();
        assert!(names <= 100 && addrs <= 100, "{names} {addrs}");
        // The name being guessed is still blocked.
        assert!(t.begin("aiko", ip("198.51.100.1")).is_err());
        // A 1.9 MB name is counted against its address, never kept.
        let t = LoginThrottle::default();
        let long = "a".repeat(1_900_000);
        assert!(t.begin(&long, ip("192.0.2.3")).is_ok());
        assert_eq!(t.len(), (0, 1));
    }

    #[test]
    fn a_table_of_blocking_entries_refuses_newcomers() {
        let t = LoginThrottle::with_cap(2);
        for n in ["a", "b"] {
            for _ in 0..LOGIN_FAILURES {
                let _ = t.begin(n, ip("192.0.2.1"));
                let _ = t.begin(n, ip("192.0.2.2"));
            }
        }
        assert!(t.begin("a", ip("192.0.2.3")).is_err());
        assert!(t.begin("c", ip("192.0.2.3")).is_err());
        assert!(t.len().0 <= 2 && t.len().1 <= 2);
    }

    #[tokio::test]
    async fn checks_of_one_name_wait_for_each_other() {
        let t = std::sync::Arc::new(LoginThrottle::default());
        let g = t.serialize("aiko").await;
        let t2 = t.clone();
        let other = tokio::spawn(async move {
            let _g = t2.serialize("aiko").await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!other.is_finished());
        drop(g);
        other.await.unwrap();
    }
}
