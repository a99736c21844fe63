//! Helpers shared by the TLS integration tests: a throw-away certificate and a real
//! `openssl s_server` on 127.0.0.1.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `openssl args…` in `dir`; panics (naming the Debian package) when it is missing or fails.
pub fn openssl(args: &[&str], dir: &Path) {
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

/// A self-signed RSA certificate and key in `dir`; returns the certificate's DER.
pub fn make_cert(dir: &Path) -> Vec<u8> {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=localhost",
            "-days",
            "2",
        ],
        dir,
    );
    openssl(
        &[
            "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
        ],
        dir,
    );
    std::fs::read(dir.join("cert.der")).expect("read cert.der")
}

/// `openssl s_server`, killed when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

pub fn start_server(dir: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let child = Command::new("openssl")
        .args([
            "s_server", "-accept", &accept, "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::piped()) // s_server ends a session when its stdin closes
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start `openssl s_server` ({e}): install the Debian package `openssl`")
        });
    let mut server = Server { child, port };
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

/// Writes a certificate of `key_spec` (`rsa:2048`, `rsa:1024`, `ec` for P-256) with
/// subjectAltName `san` as `<name>.pem` / `<name>.key` in `dir`; returns the DER.
pub fn make_named_cert(dir: &Path, name: &str, key_spec: &str, san: &str) -> Vec<u8> {
    let cert = format!("{name}.pem");
    let key = format!("{name}.key");
    let mut args = vec!["req", "-x509", "-nodes", "-keyout", &key, "-out", &cert];
    let ec_params;
    if key_spec == "ec" {
        ec_params = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
        args.extend(ec_params);
    } else {
        args.extend(["-newkey", key_spec]);
    }
    let san_ext = format!("subjectAltName={san}");
    args.extend([
        "-subj",
        "/CN=mamori test",
        "-days",
        "30",
        "-addext",
        &san_ext,
    ]);
    openssl(&args, dir);
    let der = format!("{name}.der");
    openssl(
        &["x509", "-in", &cert, "-outform", "DER", "-out", &der],
        dir,
    );
    std::fs::read(dir.join(der)).expect("read certificate DER")
}

/// A rustls server (aws-lc-rs: X25519MLKEM768, X25519, P-256, P-384; TLS 1.2 and 1.3)
/// on 127.0.0.1 serving `cert.pem`/`key.pem` from `dir`, on a thread of its own for the
/// rest of the test process. Returns its port.
pub fn start_rustls_server(dir: &Path, cert: &str, key: &str) -> u16 {
    start_rustls_server_with(dir, cert, key, &[], "127.0.0.1:0").port()
}

/// [`start_rustls_server`] on `bind` (`127.0.0.1:0`, `[::1]:0`), sending `extra` (DER)
/// after the leaf as the rest of its chain; returns the address it listens on.
pub fn start_rustls_server_with(
    dir: &Path,
    cert: &str,
    key: &str,
    extra: &[Vec<u8>],
    bind: &str,
) -> std::net::SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let mut certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join(cert))
        .expect("read certificate PEM")
        .map(|c| c.expect("certificate PEM"))
        .collect();
    certs.extend(extra.iter().map(|d| CertificateDer::from(d.clone())));
    let key = PrivateKeyDer::from_pem_file(dir.join(key)).expect("read key PEM");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
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

/// nginx as root with `conf` (the `http { server { … } }` body, `{dir}` replaced) and a
/// pid/error log in `dir`; stopped when dropped.
pub struct Nginx {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_nginx(dir: &Path, listen_flags: &str, server_block: &str) -> Nginx {
    let port = free_port();
    let d = dir.display().to_string();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 256; }}\nhttp {{\n access_log off;\n client_body_temp_path {d}/tmp;\n proxy_temp_path {d}/tmp;\n fastcgi_temp_path {d}/tmp;\n uwsgi_temp_path {d}/tmp;\n scgi_temp_path {d}/tmp;\n server {{\n  listen 127.0.0.1:{port} {listen_flags};\n{}\n }}\n}}\n",
        server_block.replace("{dir}", &d)
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("write nginx.conf");
    let child = Command::new("nginx")
        .args(["-p", &d, "-c", &format!("{d}/nginx.conf")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.log")).expect("stderr log"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start nginx ({e}): install the Debian package `nginx`"));
    let mut n = Nginx { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return n;
        }
        if let Ok(Some(status)) = n.child.try_wait() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                + &std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
            panic!("nginx exited early: {status}: {log}");
        }
        assert!(Instant::now() < deadline, "nginx did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
