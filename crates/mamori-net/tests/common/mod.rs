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
