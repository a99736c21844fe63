//! Probing a live TLS endpoint: one connection per ClientHello, through the run's
//! [`Engine`] (per-host limit, rate, timeouts, retries), each hello bounded by the timeout.
//!
//! - [`Probe::hello`] — send one hello, read the first flight.
//! - [`Probe::versions`] — which of SSL 3.0 … TLS 1.3 the server accepts.
//! - [`Probe::suites`] — every suite the server accepts in one version, and whether it
//!   imposes its own order.
//! - [`Probe::groups13`] — which TLS 1.3 named groups the server accepts: offer them all
//!   with an empty key_share, note the one the HelloRetryRequest names, remove it, repeat.
//! - [`Probe::curves12`] — which elliptic curves a TLS ≤ 1.2 ECDHE key exchange accepts,
//!   read from the ServerKeyExchange, the same way.
//!
//! Every enumeration removes what the server chose and asks again, so it costs one
//! connection per item the server accepts plus the one refused. The `*_each` functions ask
//! each candidate alone instead (one connection per candidate); they are kept as the
//! reference the tests hold the fast ones to.
//!
//! Only a failure to connect is an error of the survey functions: once the TCP connection
//! exists, an alert, a closed or reset connection, a timeout or a malformed reply all count
//! as "not accepted".

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::{
    client_hello, Alert, Flight, FlightError, FlightReader, HelloSpec, KeyShare, Progress,
    ServerReply, SSL3, TLS10, TLS11, TLS12, TLS13,
};
use crate::engine::{Conn, Engine};
use crate::target::Kind;

/// The protocol versions [`Probe::versions`] asks for, oldest first.
pub const VERSIONS: [u16; 5] = [SSL3, TLS10, TLS11, TLS12, TLS13];

pub use super::hello::PQ_GROUPS;

/// Why a probe got no ServerHello.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The TCP connection could not be made.
    #[error("{addr}: cannot connect: {error}")]
    Connect {
        /// The endpoint.
        addr: SocketAddr,
        /// What the OS said.
        error: String,
    },
    /// The plaintext protocol would not switch to TLS.
    #[error("{addr}: {error}")]
    StartTls {
        /// The endpoint.
        addr: SocketAddr,
        /// What went wrong, naming the protocol and stage.
        error: String,
    },
    /// Sending or receiving failed.
    #[error("{addr}: {what}: {error}")]
    Io {
        /// The endpoint.
        addr: SocketAddr,
        /// `sending the ClientHello` or `reading the reply`.
        what: &'static str,
        /// What the OS said.
        error: String,
    },
    /// No complete reply within the timeout.
    #[error("{addr}: no complete reply within {timeout:?}")]
    Timeout {
        /// The endpoint.
        addr: SocketAddr,
        /// The timeout.
        timeout: Duration,
    },
    /// The server answered with an alert (the offer was refused).
    #[error("{addr}: server sent alert {} ({})", alert.description, alert.name())]
    Refused {
        /// The endpoint.
        addr: SocketAddr,
        /// The alert.
        alert: Alert,
    },
    /// The reply was not a valid first flight, or the connection closed before it ended.
    #[error("{addr}: {error}")]
    Flight {
        /// The endpoint.
        addr: SocketAddr,
        /// What was wrong.
        error: FlightError,
    },
}

impl ProbeError {
    /// Whether the probe never reached the TLS exchange (no connection, or STARTTLS
    /// failed): the endpoint cannot be surveyed at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            ProbeError::Connect { .. } | ProbeError::StartTls { .. }
        )
    }
}

/// One TLS endpoint to survey: where it is, what name to send, and how to reach TLS on it.
pub struct Probe<'a> {
    engine: &'a Engine,
    /// The address connected to.
    pub addr: SocketAddr,
    /// SNI host name (never sent for IP literals).
    pub sni: Option<String>,
    /// The service: for the plaintext protocols, STARTTLS is spoken first.
    pub kind: Kind,
    /// The greeting seen during STARTTLS, from the last connection that spoke it.
    pub greeting: std::sync::Mutex<Option<String>>,
    opened: std::sync::atomic::AtomicU32,
}

impl<'a> Probe<'a> {
    /// A probe of `addr` through `engine`.
    pub fn new(engine: &'a Engine, addr: SocketAddr, sni: Option<&str>, kind: Kind) -> Self {
        Probe {
            engine,
            addr,
            sni: sni.map(str::to_string),
            kind,
            greeting: std::sync::Mutex::new(None),
            opened: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// Connections this probe has opened.
    pub fn connections(&self) -> u32 {
        self.opened.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// With `--trace`, prints what connection `id` of this probe asked and got.
    pub fn trace(&self, id: u32, asked: &str, got: &str) {
        self.engine.trace(id, self.addr, asked, got);
    }

    /// The engine's timeout.
    pub fn timeout(&self) -> Duration {
        self.engine.limits().timeout
    }

    /// A connection ready for the ClientHello: connected under the engine's limits and,
    /// for the plaintext protocols, switched with STARTTLS.
    pub async fn open(&self) -> Result<Conn, ProbeError> {
        self.opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut conn = self
            .engine
            .connect(self.addr)
            .await
            .map_err(|e| ProbeError::Connect {
                addr: self.addr,
                error: e.error,
            })?;
        if self.kind.needs_starttls() {
            let deadline = Instant::now() + self.timeout();
            let host = self.sni.as_deref().unwrap_or("");
            let info = crate::starttls::upgrade(&mut conn.stream, self.kind, host, deadline)
                .await
                .map_err(|e| ProbeError::StartTls {
                    addr: self.addr,
                    error: e.to_string(),
                })?;
            if let Ok(mut g) = self.greeting.lock() {
                *g = info.greeting;
            }
        }
        Ok(conn)
    }

    /// Sends `spec`'s ClientHello on a fresh connection and reads the server's first
    /// flight, within the timeout. A ServerHello or HelloRetryRequest is `Ok`; an alert, a
    /// connection closed or reset before the flight ended, a malformed reply or the timeout
    /// is an error naming the address. A timeout is retried as the engine's limits say.
    pub async fn hello(&self, spec: &HelloSpec) -> Result<Flight, ProbeError> {
        let mut attempt = 0;
        loop {
            match self.hello_once(spec).await {
                Err(ProbeError::Timeout { .. }) if attempt < self.engine.limits().retries => {
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    async fn hello_once(&self, spec: &HelloSpec) -> Result<Flight, ProbeError> {
        let mut conn = self.open().await?;
        let id = conn.id;
        let r = self.exchange(&mut conn, spec).await;
        if self.engine.limits().trace {
            self.engine
                .trace(id, self.addr, &describe_hello(spec), &describe_reply(&r));
        }
        r
    }

    async fn exchange(&self, conn: &mut Conn, spec: &HelloSpec) -> Result<Flight, ProbeError> {
        let addr = self.addr;
        let timeout = self.timeout();
        let exchange = async {
            conn.stream
                .write_all(&client_hello(spec))
                .await
                .map_err(|e| ProbeError::Io {
                    addr,
                    what: "sending the ClientHello",
                    error: e.to_string(),
                })?;
            let mut reader = FlightReader::new();
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = conn
                    .stream
                    .read(&mut buf)
                    .await
                    .map_err(|e| ProbeError::Io {
                        addr,
                        what: "reading the reply",
                        error: e.to_string(),
                    })?;
                let p = match buf.get(..n) {
                    Some(data) if n > 0 => reader.feed(data),
                    _ => reader.eof(),
                };
                match p {
                    Progress::NeedMore => {}
                    Progress::Done(f) => {
                        return match f.reply {
                            ServerReply::Alert(alert) => Err(ProbeError::Refused { addr, alert }),
                            _ => Ok(*f),
                        }
                    }
                    Progress::Error(error) => return Err(ProbeError::Flight { addr, error }),
                }
            }
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(ProbeError::Timeout { addr, timeout }),
        }
    }

    /// The flight when the server answers `spec` in exactly `version`; `Ok(None)` for any
    /// refusal, `Err` only when the endpoint cannot be reached.
    pub async fn accepted(
        &self,
        version: u16,
        spec: &HelloSpec,
    ) -> Result<Option<Flight>, ProbeError> {
        match self.hello(spec).await {
            Ok(f) => Ok(match &f.reply {
                ServerReply::Hello(h) if h.version() == version => Some(f),
                ServerReply::Retry(r) if version == TLS13 && r.selected_version == Some(TLS13) => {
                    Some(f)
                }
                _ => None,
            }),
            Err(e) if e.is_unreachable() => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// For each of [`VERSIONS`], whether the server accepts a hello for that version
    /// offering every suite known for it (TLS 1.3 through `supported_versions`), asked
    /// concurrently; with the flight of each accepted one. Below TLS 1.3 the hello also
    /// offers DEFLATE compression and asks for a stapled OCSP response, so the flight
    /// answers both questions without connections of their own (the handshake messages
    /// of the first flight are never compressed).
    pub async fn versions(&self) -> Result<Vec<(u16, Option<Flight>)>, ProbeError> {
        let asks = VERSIONS.iter().map(|&v| async move {
            let mut spec = HelloSpec::new(v, &known_suites(v), self.sni.as_deref());
            if v < TLS13 {
                spec.compression_methods = vec![1, 0];
                spec.status_request = true;
            }
            Ok::<_, ProbeError>((v, self.accepted(v, &spec).await?))
        });
        futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect()
    }

    /// Every suite the server accepts in `version`, and whether it imposes its own order.
    ///
    /// Offer all known suites (in code order) and note the one chosen; offer them all
    /// reversed: a server that follows the client now picks another (it follows the
    /// client), one with its own order picks the same. Then find the rest by removing what
    /// the server chose and asking again until it refuses — for a server with its own
    /// order in one chain, which yields its preference order; for one that follows the
    /// client in a few chains over disjoint parts of the list at once (the order found is
    /// then the client's, code order, whatever the chains), which finds the same set in a
    /// fraction of the time for a few more refusals. TLS 1.3 hellos carry an empty
    /// key_share: the HelloRetryRequest names the suite and costs the server no key
    /// exchange and no signature. Each accepted hello's flight is passed to `seen`
    /// (certificates, key exchange). `first`, when given, is the server's answer to the
    /// full offer already asked (by [`Probe::versions`]), which saves asking it again.
    pub async fn suites(
        &self,
        version: u16,
        first: Option<Flight>,
        mut seen: impl FnMut(&Flight),
    ) -> Result<SuiteResult, ProbeError> {
        let all = known_suites(version);
        let first = match first {
            Some(f) => Some(f),
            None => self.accepted(version, &self.spec(version, &all)).await?,
        };
        let Some(c1) = first.as_ref().and_then(chosen) else {
            return Ok(SuiteResult {
                accepted: Vec::new(),
                server_order: None,
            });
        };
        if let Some(f) = &first {
            seen(f);
        }
        let mut left = all.clone();
        left.retain(|&x| x != c1);
        let mut accepted = vec![c1];
        let reversed: Vec<u16> = all.iter().rev().copied().collect();
        let back = self
            .accepted(version, &self.spec(version, &reversed))
            .await?;
        let c2 = back.as_ref().and_then(chosen);
        let follows_client = c2.is_some_and(|c| c != c1);
        if let (Some(f), Some(c)) = (&back, c2) {
            if let Some(i) = left.iter().position(|&x| x == c) {
                seen(f);
                left.remove(i);
                accepted.push(c);
            }
        }
        let chains = if follows_client {
            left.len().div_ceil(SUITES_PER_CHAIN).clamp(1, MAX_CHAINS)
        } else {
            1
        };
        let size = left.len().div_ceil(chains).max(1);
        let found = futures_util::future::join_all(
            left.chunks(size)
                .map(|part| self.suite_chain(version, part.to_vec())),
        )
        .await;
        for r in found {
            for (c, f) in r? {
                seen(&f);
                accepted.push(c);
            }
        }
        if follows_client {
            accepted.sort_by_key(|c| all.iter().position(|x| x == c));
        }
        Ok(SuiteResult {
            server_order: (accepted.len() >= 2).then_some(!follows_client),
            accepted,
        })
    }

    /// [`Probe::suites`] the slow way, the reference the tests hold it to: each known suite
    /// of `version` offered alone (one connection each), in code order.
    pub async fn suites_each(&self, version: u16) -> Result<Vec<u16>, ProbeError> {
        let asks = known_suites(version).into_iter().map(|c| async move {
            let f = self.accepted(version, &self.spec(version, &[c])).await?;
            Ok::<_, ProbeError>(f.as_ref().and_then(chosen).filter(|&x| x == c))
        });
        let got: Result<Vec<Option<u16>>, ProbeError> = futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect();
        Ok(got?.into_iter().flatten().collect())
    }

    /// The suites of `left` the server accepts, in the order it chose them, each with its
    /// flight: offer all, note the one chosen, remove it, repeat until refused.
    async fn suite_chain(
        &self,
        version: u16,
        mut left: Vec<u16>,
    ) -> Result<Vec<(u16, Flight)>, ProbeError> {
        let mut out = Vec::new();
        while !left.is_empty() {
            let Some(f) = self.accepted(version, &self.spec(version, &left)).await? else {
                break;
            };
            // a suite not offered: the server misbehaves; stop rather than loop
            let Some(i) = chosen(&f).and_then(|c| left.iter().position(|&x| x == c)) else {
                break;
            };
            out.push((left.remove(i), f));
        }
        Ok(out)
    }

    /// A hello for `version` offering `suites`; for TLS 1.3 with an empty key_share.
    fn spec(&self, version: u16, suites: &[u16]) -> HelloSpec {
        let mut spec = HelloSpec::new(version, suites, self.sni.as_deref());
        if version >= TLS13 {
            spec.key_share = KeyShare::Empty;
        }
        spec
    }

    /// The group a TLS 1.3 hello offering `groups` with an empty key_share gets.
    async fn group13(&self, groups: &[u16]) -> Result<Option<u16>, ProbeError> {
        let mut spec = self.spec(TLS13, &known_suites(TLS13));
        spec.supported_groups = groups.to_vec();
        Ok(self
            .accepted(TLS13, &spec)
            .await?
            .and_then(|f| selected_group(&f)))
    }

    /// Which of `candidates` the server accepts as a TLS 1.3 key-exchange group, in the
    /// order found: offer all of them with an empty key_share, note the group the
    /// HelloRetryRequest (or ServerHello) selects, remove it, repeat until the server
    /// selects none. `first`, when given, is a TLS 1.3 flight whose hello offered every
    /// candidate (the versions probe's), which saves asking the first question again.
    pub async fn groups13(
        &self,
        candidates: &[u16],
        first: Option<&Flight>,
    ) -> Result<Vec<u16>, ProbeError> {
        let mut left = candidates.to_vec();
        let mut found = Vec::new();
        let mut first = first.and_then(selected_group);
        while !left.is_empty() {
            let g = match first.take() {
                Some(g) => Some(g),
                None => self.group13(&left).await?,
            };
            // a group not offered: the server misbehaves; stop rather than loop
            let Some(i) = g.and_then(|g| left.iter().position(|&x| x == g)) else {
                break;
            };
            found.push(left.remove(i));
        }
        Ok(found)
    }

    /// [`Probe::groups13`] the slow way, the reference the tests hold it to: each
    /// candidate alone, concurrently, accepted when the server selects it.
    pub async fn groups13_each(&self, candidates: &[u16]) -> Result<Vec<u16>, ProbeError> {
        let asks = candidates.iter().map(|&g| async move {
            Ok::<_, ProbeError>((self.group13(&[g]).await? == Some(g)).then_some(g))
        });
        let got: Result<Vec<Option<u16>>, ProbeError> = futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect();
        Ok(got?.into_iter().flatten().collect())
    }

    /// The curve of the ECDHE key exchange a TLS ≤ 1.2 hello in `version` offering the
    /// version's ECDHE suites and `groups` gets.
    async fn curve12(&self, version: u16, groups: &[u16]) -> Result<Option<u16>, ProbeError> {
        let ecdhe: Vec<u16> = known_suites(version)
            .into_iter()
            .filter(|&c| suite_kx(c) == Some("ECDHE"))
            .collect();
        if ecdhe.is_empty() {
            return Ok(None);
        }
        let mut spec = HelloSpec::new(version, &ecdhe, self.sni.as_deref());
        spec.supported_groups = groups.to_vec();
        Ok(self.accepted(version, &spec).await?.and_then(|f| {
            match super::ske::parse(f.server_key_exchange.as_deref()?, "ECDHE", version) {
                Some(super::ske::KeyExchange::Ecdhe { group, .. }) => Some(group),
                _ => None,
            }
        }))
    }

    /// Which of `candidates` (elliptic-curve groups) a TLS ≤ 1.2 server accepts for ECDHE
    /// in `version`: offer them all with the version's ECDHE suites, note the curve the
    /// ServerKeyExchange names, remove it, repeat until refused.
    pub async fn curves12(&self, version: u16, candidates: &[u16]) -> Result<Vec<u16>, ProbeError> {
        let mut left = candidates.to_vec();
        let mut found = Vec::new();
        while !left.is_empty() {
            let g = self.curve12(version, &left).await?;
            let Some(i) = g.and_then(|g| left.iter().position(|&x| x == g)) else {
                break;
            };
            found.push(left.remove(i));
        }
        Ok(found)
    }

    /// [`Probe::curves12`] the slow way, the reference the tests hold it to: each
    /// candidate alone, concurrently.
    pub async fn curves12_each(
        &self,
        version: u16,
        candidates: &[u16],
    ) -> Result<Vec<u16>, ProbeError> {
        let asks = candidates.iter().map(|&g| async move {
            Ok::<_, ProbeError>((self.curve12(version, &[g]).await? == Some(g)).then_some(g))
        });
        let got: Result<Vec<Option<u16>>, ProbeError> = futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect();
        Ok(got?.into_iter().flatten().collect())
    }
}

/// The suite a flight names (ServerHello or HelloRetryRequest).
fn chosen(f: &Flight) -> Option<u16> {
    match &f.reply {
        ServerReply::Hello(h) => Some(h.cipher_suite),
        ServerReply::Retry(r) => Some(r.cipher_suite),
        ServerReply::Alert(_) => None,
    }
}

/// A suite chain for a server that follows the client covers about this many suites.
const SUITES_PER_CHAIN: usize = 24;
/// At most this many suite chains at once per version (the engine's per-host limit
/// bounds the connections in any case).
const MAX_CHAINS: usize = 4;

/// The group a TLS 1.3 flight settled on: the HelloRetryRequest's selected group or the
/// ServerHello's key share.
pub fn selected_group(f: &Flight) -> Option<u16> {
    match &f.reply {
        ServerReply::Retry(r) => r.selected_group,
        ServerReply::Hello(h) => h.key_share.as_ref().map(|(g, _)| *g),
        ServerReply::Alert(_) => None,
    }
}

fn version_label(v: u16) -> String {
    super::posture::version_name(v)
}

/// What a hello asks, for `--trace`.
pub fn describe_hello(spec: &HelloSpec) -> String {
    let v = spec
        .supported_versions
        .iter()
        .copied()
        .max()
        .unwrap_or(spec.client_version);
    let mut s = format!(
        "{} hello, {} suites",
        version_label(v),
        spec.cipher_suites.len()
    );
    if spec.supported_groups.len() == 1 {
        if let Some(g) = spec.supported_groups.first() {
            s.push_str(&format!(", group {}", super::posture::group_name(*g)));
        }
    } else if !spec.supported_groups.is_empty() {
        s.push_str(&format!(", {} groups", spec.supported_groups.len()));
    }
    if spec.key_share == KeyShare::Empty {
        s.push_str(", empty key_share");
    }
    if spec.compression_methods.iter().any(|&c| c != 0) {
        s.push_str(", DEFLATE offered");
    }
    if spec.status_request {
        s.push_str(", status_request");
    }
    s
}

/// What came back, for `--trace`.
pub fn describe_reply(r: &Result<Flight, ProbeError>) -> String {
    match r {
        Ok(f) => match &f.reply {
            ServerReply::Hello(h) => {
                let mut s = format!(
                    "ServerHello {} {}",
                    version_label(h.version()),
                    super::posture::suite_name(h.cipher_suite)
                );
                if let Some((g, _)) = &h.key_share {
                    s.push_str(&format!(" {}", super::posture::group_name(*g)));
                }
                s
            }
            ServerReply::Retry(r) => format!(
                "HelloRetryRequest {}",
                r.selected_group
                    .map(super::posture::group_name)
                    .unwrap_or_default()
            ),
            ServerReply::Alert(a) => format!("alert {}", a.name()),
        },
        Err(ProbeError::Refused { alert, .. }) => format!("alert {}", alert.name()),
        Err(e) => e.to_string(),
    }
}

/// The key exchange (`RSA`, `DHE`, `ECDHE` …) of a suite mamori knows.
pub fn suite_kx(code: u16) -> Option<&'static str> {
    mamori_algorithms::tls::suite_by_code(code).map(|s| s.kx.as_str())
}

/// Every cipher suite `mamori_algorithms::tls` knows that can be negotiated in `version`,
/// in code order: for TLS 1.3 the TLS 1.3 suites; below it the others whose lowest version
/// is at most `version`.
pub fn known_suites(version: u16) -> Vec<u16> {
    mamori_algorithms::tls::suites()
        .iter()
        .filter(|s| {
            if version >= TLS13 {
                return s.is_tls13();
            }
            let min = match s.min_version.as_str() {
                "SSLv3" => SSL3,
                "TLSv1.0" => TLS10,
                "TLSv1.1" => TLS11,
                "TLSv1.2" => TLS12,
                _ => return false,
            };
            min <= version
        })
        .map(|s| s.code)
        .collect()
}

/// The suites a server accepts in one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteResult {
    /// Accepted suites, in the order the server chose them from the full offer (for a
    /// server imposing its order, its preference order).
    pub accepted: Vec<u16>,
    /// Whether the server imposes its own order: `Some(true)` when it does not take the
    /// client's first choice, `Some(false)` when it does in both orders tried, `None` with
    /// fewer than two accepted suites (or when the order probes were refused).
    pub server_order: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Limits;

    #[test]
    fn known_suites_split_by_version() {
        let s3 = known_suites(SSL3);
        let t12 = known_suites(TLS12);
        let t13 = known_suites(TLS13);
        assert!(s3.contains(&0x002f) && !s3.contains(&0x009d) && !s3.contains(&0x1301));
        assert!(t12.contains(&0x002f) && t12.contains(&0x009d) && !t12.contains(&0x1301));
        assert!(t13.contains(&0x1301) && !t13.contains(&0x002f));
        assert!(s3.len() < known_suites(TLS10).len());
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_error_naming_the_address() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let engine = Engine::new(Limits::default());
        let p = Probe::new(&engine, addr, None, Kind::Tls);
        let e = p.versions().await.unwrap_err();
        assert!(matches!(e, ProbeError::Connect { .. }), "{e:?}");
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
    }

    #[tokio::test]
    async fn silent_server_is_a_timeout() {
        // listening (the kernel completes the handshake) but never answering
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let engine = Engine::new(Limits {
            timeout: Duration::from_millis(300),
            retries: 0,
            ..Limits::default()
        });
        let p = Probe::new(&engine, addr, None, Kind::Tls);
        let spec = HelloSpec::new(TLS12, &[0x002f], None);
        let t = Instant::now();
        let e = p.hello(&spec).await.unwrap_err();
        assert!(matches!(e, ProbeError::Timeout { .. }), "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
        drop(l);
    }
}
