//! Test helpers shared by mamori's crates (a dev-dependency only): real TLS servers on
//! loopback addresses, started the same way by every test tree.
//!
//! - [`s_server`] — `openssl s_server` (Debian's `openssl`) with a certificate from a
//!   directory, killed when dropped;
//! - [`rustls_server`] — rustls with aws-lc-rs, which offers X25519MLKEM768 (the system
//!   OpenSSL 3.0 has no ML-KEM group), on a thread for the rest of the test process;
//! - [`postgres`] — a throwaway PostgreSQL server (Debian's `postgresql`), or a fresh
//!   schema on the one `MAMORI_TEST_POSTGRES` names.
#![forbid(unsafe_code)]
// Test support only (a dev-dependency): a server that cannot be started is a failed test,
// so setup panics with a message naming what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod postgres;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `openssl args…` in `dir`; panics, naming the Debian package, when it is missing or
/// fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` ({e}): install the Debian package `openssl`")
        });
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed certificate for `subject` (`/CN=…`) with a new `key_spec` key (`rsa:2048`,
/// `rsa:1024`, or `ec` for P-256), valid 30 days, written as `cert` and `key` (PEM, key
/// unencrypted) in `dir`; `extra` goes to `openssl req` (`-addext …`).
pub fn self_signed(
    dir: &Path,
    key_spec: &str,
    cert: &str,
    key: &str,
    subject: &str,
    extra: &[&str],
) {
    let mut args = vec!["req", "-x509", "-nodes", "-keyout", key, "-out", cert];
    if key_spec == "ec" {
        args.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    } else {
        args.extend(["-newkey", key_spec]);
    }
    args.extend(["-subj", subject, "-days", "30"]);
    args.extend(extra);
    openssl(dir, &args);
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// `openssl s_server`, killed when dropped.
pub struct SServer {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server` on 127.0.0.1 serving `cert`/`key` (PEM files in `dir`) with `extra`
/// options; returns once it accepts connections.
pub fn s_server(dir: &Path, cert: &str, key: &str, extra: &[&str]) -> SServer {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &accept, "-cert", cert, "-key", key])
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::piped()) // s_server ends a session when its stdin closes
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start `openssl s_server` ({e}): install the Debian package `openssl`")
        });
    let mut server = SServer { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("openssl s_server {extra:?} exited early: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "openssl s_server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A rustls server (aws-lc-rs: X25519MLKEM768, X25519, P-256, P-384; TLS 1.2 and 1.3) on
/// `bind` (`127.0.0.1:0`, `[::1]:0`) serving `cert`/`key` (PEM files in `dir`), sending
/// `extra` (DER) after the leaf as the rest of its chain. It runs on a thread of its own
/// for the rest of the test process; returns the address it listens on.
pub fn rustls_server(
    dir: &Path,
    cert: &str,
    key: &str,
    extra: &[Vec<u8>],
    bind: &str,
) -> SocketAddr {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    rustls_server_with_provider(dir, cert, key, extra, bind, provider)
}

/// A rustls server as [`rustls_server`] whose only key-exchange groups are `groups` (for
/// example `rustls::crypto::aws_lc_rs::kx_group::MLKEM768` alone: a server configured
/// post-quantum only, which no TLS 1.2 client and no browser of today can reach).
pub fn rustls_server_groups(
    dir: &Path,
    cert: &str,
    key: &str,
    bind: &str,
    groups: &[&'static dyn rustls::crypto::SupportedKxGroup],
) -> SocketAddr {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider.kx_groups = groups.to_vec();
    rustls_server_with_provider(dir, cert, key, &[], bind, provider)
}

fn rustls_server_with_provider(
    dir: &Path,
    cert: &str,
    key: &str,
    extra: &[Vec<u8>],
    bind: &str,
    provider: rustls::crypto::CryptoProvider,
) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let mut certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join(cert))
        .expect("read certificate PEM")
        .map(|c| c.expect("certificate PEM"))
        .collect();
    certs.extend(extra.iter().map(|d| CertificateDer::from(d.clone())));
    let key = PrivateKeyDer::from_pem_file(dir.join(key)).expect("read key PEM");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(provider))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let l = TcpListener::bind(bind).unwrap_or_else(|e| panic!("bind {bind}: {e}"));
    let addr = l.local_addr().expect("local addr");
    l.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(l).expect("listener");
            loop {
                let Ok((s, _)) = l.accept().await else {
                    continue;
                };
                let a = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(mut t) = a.accept(s).await {
                        use tokio::io::AsyncWriteExt;
                        let _ = t.shutdown().await;
                    }
                });
            }
        });
    });
    addr
}

/// An HTTP/1.1 answer.
#[derive(Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }
}

/// One HTTP/1.1 request to 127.0.0.1:`port` (no redirects followed, `Connection: close`):
/// what a test of a server needs without a client library's opinions.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    http_over(s, port, method, path, headers, body)
}

/// A connection to 127.0.0.1:`port` from the loopback address `from` (any of 127.0.0.0/8:
/// a test can be many clients without leaving the machine).
pub fn connect_from(from: std::net::Ipv4Addr, port: u16) -> std::io::Result<std::net::TcpStream> {
    assert!(from.is_loopback(), "tests use loopback addresses only");
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    sock.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    sock.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    Ok(sock.into())
}

/// [`http`] from the loopback address `from`.
pub fn http_from(
    from: std::net::Ipv4Addr,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let s = connect_from(from, port).expect("connect to the server");
    http_over(s, port, method, path, headers, body)
}

fn http_over(
    mut s: std::net::TcpStream,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    use std::io::{Read, Write};
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send the request");
    // A server may answer before it has read a body it refuses (413) and close: as a
    // browser or curl does, read the answer it gave.
    let sent = s.write_all(body);
    let mut raw = Vec::new();
    if let Err(e) = s.read_to_end(&mut raw) {
        assert!(
            raw.windows(4).any(|w| w == b"\r\n\r\n"),
            "read the answer: {e} (sending the body: {sent:?})"
        );
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..start + size]);
        b = &b[start + size + 2..];
    }
    out
}
