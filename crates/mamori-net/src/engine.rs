//! How mamori connects: every probe connection goes through one [`Engine`], which keeps
//! the promises a user makes to the people running the servers:
//!
//! - at most `per_host` connections open to one address at a time, and `max_open` over the
//!   whole run;
//! - at most `rate` new connections a second over the whole run (a token bucket with a
//!   burst of one second's worth);
//! - every connection bounded by `timeout`; a connection that fails to open is retried
//!   `retries` times with a growing pause (a refused connection is an answer, not retried).
//!
//! Each connection is numbered, so a probe can be told apart in a server's log or a packet
//! capture by its source port and order ([`Conn::id`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How hard mamori may knock.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Connections open at once to one address.
    pub per_host: usize,
    /// Connections open at once over the whole run (file descriptors are finite).
    pub max_open: usize,
    /// New connections a second over the whole run; `None` for no limit.
    pub rate: Option<f64>,
    /// Bound on connecting and on each exchange.
    pub timeout: Duration,
    /// Further attempts after a connection fails to open (timeouts, resets), and after a
    /// probe exchange times out.
    pub retries: u32,
    /// Print one line per probe connection to standard error: its number, the address,
    /// what was asked and what came back (`--trace`).
    pub trace: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_host: 8,
            max_open: 256,
            rate: None,
            timeout: Duration::from_secs(5),
            retries: 1,
            trace: false,
        }
    }
}

/// Why a connection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{addr}: cannot connect: {error}")]
pub struct ConnectError {
    /// The endpoint.
    pub addr: SocketAddr,
    /// What the OS said, or that it took too long.
    pub error: String,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The connection gate shared by every probe of a run.
pub struct Engine {
    limits: Limits,
    hosts: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
    open: Arc<Semaphore>,
    bucket: tokio::sync::Mutex<Bucket>,
    opened: AtomicU32,
}

/// An open connection, holding its place under the per-host limit until dropped.
pub struct Conn {
    /// The socket.
    pub stream: TcpStream,
    /// Sequence number of this connection in the run (1-based).
    pub id: u32,
    _permit: OwnedSemaphorePermit,
    _open: OwnedSemaphorePermit,
}

impl Engine {
    /// An engine enforcing `limits` (a `per_host` of 0 counts as 1).
    pub fn new(limits: Limits) -> Engine {
        let burst = limits.rate.map(|r| r.max(1.0)).unwrap_or(0.0);
        let max_open = limits.max_open.max(1);
        Engine {
            limits,
            hosts: Mutex::new(HashMap::new()),
            open: Arc::new(Semaphore::new(max_open)),
            bucket: tokio::sync::Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
            opened: AtomicU32::new(0),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// With `trace` on, prints what connection `id` to `addr` asked and got.
    pub fn trace(&self, id: u32, addr: SocketAddr, asked: &str, got: &str) {
        if self.limits.trace {
            eprintln!("mamori: probe #{id} {addr}: {asked} -> {got}");
        }
    }

    /// Connections opened so far.
    pub fn opened(&self) -> u32 {
        self.opened.load(Ordering::Relaxed)
    }

    fn host_gate(&self, ip: IpAddr) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(ip)
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_host.max(1))))
            .clone()
    }

    /// Waits until the global rate allows one more connection.
    async fn pace(&self) {
        let Some(rate) = self.limits.rate.filter(|r| *r > 0.0) else {
            return;
        };
        let burst = rate.max(1.0);
        loop {
            let wait = {
                let mut b = self.bucket.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * rate;
                b.tokens = (b.tokens + refill).min(burst);
                b.last = now;
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - b.tokens) / rate)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Opens a connection to `addr` under the limits: waits for a place under the per-host
    /// limit and for the rate, then connects within the timeout, retrying failures other
    /// than a refusal.
    pub async fn connect(&self, addr: SocketAddr) -> Result<Conn, ConnectError> {
        let permit = self
            .host_gate(addr.ip())
            .acquire_owned()
            .await
            .map_err(|_| ConnectError {
                addr,
                error: "the connection gate was closed".into(),
            })?;
        let open = self
            .open
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ConnectError {
                addr,
                error: "the connection gate was closed".into(),
            })?;
        let mut attempt = 0u32;
        loop {
            self.pace().await;
            let id = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
            let r = tokio::time::timeout(self.limits.timeout, TcpStream::connect(addr)).await;
            let error = match r {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Conn {
                        stream,
                        id,
                        _permit: permit,
                        _open: open,
                    });
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return Err(ConnectError {
                        addr,
                        error: e.to_string(),
                    })
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {:?}", self.limits.timeout),
            };
            if attempt >= self.limits.retries {
                return Err(ConnectError { addr, error });
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts a connection to `addr` does not open while `holder` is open and does once it
    /// is dropped; returns the new connection's id.
    async fn held_back_until_dropped(e: &Arc<Engine>, addr: SocketAddr, holder: Conn) -> u32 {
        let e2 = e.clone();
        let next = tokio::spawn(async move { e2.connect(addr).await.map(|c| c.id) });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!next.is_finished(), "a connection opened past the limit");
        drop(holder);
        tokio::time::timeout(Duration::from_secs(2), next)
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn per_host_limit_holds_connections_back() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let e = Arc::new(Engine::new(Limits {
            per_host: 2,
            ..Limits::default()
        }));
        let a = e.connect(addr).await.unwrap();
        let b = e.connect(addr).await.unwrap();
        assert_eq!((a.id, b.id), (1, 2));
        // a third must wait until one of the first two is dropped
        assert_eq!(held_back_until_dropped(&e, addr, a).await, 3);
        assert_eq!(e.opened(), 3);
        drop(b);
    }

    #[tokio::test]
    async fn run_wide_limit_holds_across_addresses() {
        let a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let b = tokio::net::TcpListener::bind("[::1]:0").await.unwrap();
        let e = Arc::new(Engine::new(Limits {
            per_host: 10,
            max_open: 1,
            ..Limits::default()
        }));
        let first = e.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(
            held_back_until_dropped(&e, b.local_addr().unwrap(), first).await,
            2
        );
    }

    #[tokio::test]
    async fn rate_spaces_connections() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let e = Engine::new(Limits {
            rate: Some(20.0),
            per_host: 100,
            ..Limits::default()
        });
        let t = Instant::now();
        let mut conns = Vec::new();
        // a burst of 20, then 10 more at 20/s: at least ~0.45 s
        for _ in 0..30 {
            conns.push(e.connect(addr).await.unwrap());
        }
        let took = t.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");
    }

    #[tokio::test]
    async fn refused_is_an_error_naming_the_address_without_retries() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let e = Engine::new(Limits {
            retries: 3,
            ..Limits::default()
        });
        let t = Instant::now();
        let err = e.connect(addr).await.err().unwrap();
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
        assert!(
            t.elapsed() < Duration::from_millis(300),
            "refusal was retried"
        );
        assert_eq!(e.opened(), 1);
    }
}
