//! Probing a live TLS endpoint, blocking over [`std::net::TcpStream`]: one connection per
//! ClientHello, each bounded by a timeout.
//!
//! - [`hello`] — send one hello, read the first flight.
//! - [`versions`] — which of SSL 3.0 … TLS 1.3 the server accepts.
//! - [`suites`] — every suite the server accepts in one version, and whether it imposes its
//!   own order.
//! - [`groups13`] — which TLS 1.3 named groups the server accepts, one at a time with an
//!   empty key_share (answered by a ServerHello or a HelloRetryRequest naming the group).
//!
//! Only a failure to connect is an error of the survey functions: once the TCP connection
//! exists, an alert, a closed or reset connection, a timeout or a malformed reply all count
//! as "not accepted".

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::{
    client_hello, Alert, Flight, FlightError, FlightReader, HelloSpec, KeyShare, Progress,
    ServerReply, SSL3, TLS10, TLS11, TLS12, TLS13,
};

/// The protocol versions [`versions`] asks for, oldest first.
pub const VERSIONS: [u16; 5] = [SSL3, TLS10, TLS11, TLS12, TLS13];

/// Hybrid and pure post-quantum TLS 1.3 groups worth asking for: SecP256r1MLKEM768,
/// X25519MLKEM768, SecP384r1MLKEM1024, MLKEM512, MLKEM768, MLKEM1024 and the Kyber drafts
/// X25519Kyber768Draft00 and SecP256r1Kyber768Draft00.
pub const PQ_GROUPS: [u16; 8] = [
    0x11eb, 0x11ec, 0x11ed, 0x0200, 0x0201, 0x0202, 0x6399, 0x639a,
];

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

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Connects to `addr`, sends `spec`'s ClientHello and reads the server's first flight, all
/// within `timeout`. A ServerHello or HelloRetryRequest is `Ok`; an alert, a connection
/// closed or reset before the flight ended, a malformed reply or the timeout is an error
/// naming the address.
pub fn hello(addr: SocketAddr, spec: &HelloSpec, timeout: Duration) -> Result<Flight, ProbeError> {
    let deadline = Instant::now() + timeout;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| ProbeError::Connect {
        addr,
        error: e.to_string(),
    })?;
    let io = |what: &'static str, e: std::io::Error| {
        if is_timeout(&e) {
            ProbeError::Timeout { addr, timeout }
        } else {
            ProbeError::Io {
                addr,
                what,
                error: e.to_string(),
            }
        }
    };
    const SEND: &str = "sending the ClientHello";
    const READ: &str = "reading the reply";
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ProbeError::Timeout { addr, timeout });
    }
    s.set_write_timeout(Some(left)).map_err(|e| io(SEND, e))?;
    s.write_all(&client_hello(spec)).map_err(|e| io(SEND, e))?;
    let mut reader = FlightReader::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ProbeError::Timeout { addr, timeout });
        }
        s.set_read_timeout(Some(left)).map_err(|e| io(READ, e))?;
        let n = match s.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(READ, e)),
        };
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

/// What the server chose when offered `spec` for `version`: `Ok(Some(suite))` for a
/// ServerHello (or TLS 1.3 HelloRetryRequest) in exactly that version, `Ok(None)` for any
/// refusal, `Err` only when no connection could be made.
fn chosen_suite(
    addr: SocketAddr,
    version: u16,
    spec: &HelloSpec,
    timeout: Duration,
) -> Result<Option<u16>, ProbeError> {
    match hello(addr, spec, timeout) {
        Ok(f) => Ok(match f.reply {
            ServerReply::Hello(h) if h.version() == version => Some(h.cipher_suite),
            ServerReply::Retry(r) if version == TLS13 && r.selected_version == Some(TLS13) => {
                Some(r.cipher_suite)
            }
            _ => None,
        }),
        Err(e @ ProbeError::Connect { .. }) => Err(e),
        Err(_) => Ok(None),
    }
}

/// For each of [`VERSIONS`], whether the server accepts a hello for that version offering
/// every suite known for it (TLS 1.3 through `supported_versions`): accepted means a
/// ServerHello (or HelloRetryRequest) selecting exactly that version. Errors only when a
/// connection cannot be made.
pub fn versions(
    addr: SocketAddr,
    sni: Option<&str>,
    timeout: Duration,
) -> Result<Vec<(u16, bool)>, ProbeError> {
    VERSIONS
        .iter()
        .map(|&v| {
            let spec = HelloSpec::new(v, &known_suites(v), sni);
            Ok((v, chosen_suite(addr, v, &spec, timeout)?.is_some()))
        })
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

/// Every suite the server accepts in `version`: offer all known suites, record the one
/// chosen, remove it, repeat until the server refuses. Then offer the accepted list in two
/// orders (as found and reversed) to see whether the choice follows the client. Errors only
/// when a connection cannot be made.
pub fn suites(
    addr: SocketAddr,
    sni: Option<&str>,
    version: u16,
    timeout: Duration,
) -> Result<SuiteResult, ProbeError> {
    let mut left = known_suites(version);
    let mut accepted = Vec::new();
    while !left.is_empty() {
        let spec = HelloSpec::new(version, &left, sni);
        let Some(c) = chosen_suite(addr, version, &spec, timeout)? else {
            break;
        };
        let Some(i) = left.iter().position(|&s| s == c) else {
            break; // a suite not offered: the server misbehaves; stop rather than loop
        };
        left.remove(i);
        accepted.push(c);
    }
    let server_order = match (accepted.first(), accepted.last()) {
        (Some(&first), Some(&last)) if accepted.len() >= 2 => {
            let reversed: Vec<u16> = accepted.iter().rev().copied().collect();
            let a = chosen_suite(
                addr,
                version,
                &HelloSpec::new(version, &accepted, sni),
                timeout,
            )?;
            let b = chosen_suite(
                addr,
                version,
                &HelloSpec::new(version, &reversed, sni),
                timeout,
            )?;
            match (a, b) {
                (Some(a), Some(b)) => Some(!(a == first && b == last)),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(SuiteResult {
        accepted,
        server_order,
    })
}

/// Which of `candidates` the server accepts as a TLS 1.3 key-exchange group, in the order
/// given: for each, a TLS 1.3 hello offering every TLS 1.3 suite with supported_groups =
/// `[g]` and an empty key_share; accepted when the HelloRetryRequest (or ServerHello)
/// selects `g`. Errors only when a connection cannot be made.
pub fn groups13(
    addr: SocketAddr,
    sni: Option<&str>,
    timeout: Duration,
    candidates: &[u16],
) -> Result<Vec<u16>, ProbeError> {
    let suites = known_suites(TLS13);
    let mut out = Vec::new();
    for &g in candidates {
        let mut spec = HelloSpec::new(TLS13, &suites, sni);
        spec.supported_groups = vec![g];
        spec.key_share = KeyShare::Empty;
        let selected = match hello(addr, &spec, timeout) {
            Ok(f) => match f.reply {
                ServerReply::Retry(r) if r.selected_version == Some(TLS13) => r.selected_group,
                ServerReply::Hello(h) if h.version() == TLS13 => h.key_share.map(|(g, _)| g),
                _ => None,
            },
            Err(e @ ProbeError::Connect { .. }) => return Err(e),
            Err(_) => None,
        };
        if selected == Some(g) {
            out.push(g);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn nothing_listening_is_a_connect_error_naming_the_address() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let e = versions(addr, None, Duration::from_secs(2)).unwrap_err();
        assert!(matches!(e, ProbeError::Connect { .. }), "{e:?}");
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
    }

    #[test]
    fn silent_server_is_a_timeout() {
        // listening (the kernel completes the handshake) but never answering
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let spec = HelloSpec::new(TLS12, &[0x002f], None);
        let t = Instant::now();
        let e = hello(addr, &spec, Duration::from_millis(300)).unwrap_err();
        assert!(matches!(e, ProbeError::Timeout { .. }), "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
        drop(l);
    }
}
