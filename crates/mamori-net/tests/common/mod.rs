//! Helpers shared by the TLS integration tests: a throw-away certificate and a real
//! `openssl s_server` on 127.0.0.1.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `openssl args…` in `dir`; panics (naming the Debian package) when it is missing or fails.
pub fn openssl(args: &[&str], dir: &Path) {
    mamori_testkit::openssl(dir, args)
}

/// A self-signed RSA certificate and key in `dir`; returns the certificate's DER.
pub fn make_cert(dir: &Path) -> Vec<u8> {
    mamori_testkit::self_signed(dir, "rsa:2048", "cert.pem", "key.pem", "/CN=localhost", &[]);
    openssl(
        &[
            "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
        ],
        dir,
    );
    std::fs::read(dir.join("cert.der")).expect("read cert.der")
}

pub use mamori_testkit::{free_port, SServer as Server};

/// `openssl s_server` serving `cert.pem`/`key.pem` from `dir`.
pub fn start_server(dir: &Path, extra: &[&str]) -> Server {
    mamori_testkit::s_server(dir, "cert.pem", "key.pem", extra)
}

/// Writes a certificate of `key_spec` (`rsa:2048`, `rsa:1024`, `ec` for P-256) with
/// subjectAltName `san` as `<name>.pem` / `<name>.key` in `dir`; returns the DER.
pub fn make_named_cert(dir: &Path, name: &str, key_spec: &str, san: &str) -> Vec<u8> {
    let cert = format!("{name}.pem");
    let key = format!("{name}.key");
    let san_ext = format!("subjectAltName={san}");
    mamori_testkit::self_signed(
        dir,
        key_spec,
        &cert,
        &key,
        "/CN=mamori test",
        &["-addext", &san_ext],
    );
    let der = format!("{name}.der");
    openssl(
        &["x509", "-in", &cert, "-outform", "DER", "-out", &der],
        dir,
    );
    std::fs::read(dir.join(der)).expect("read certificate DER")
}

/// A rustls server offering X25519MLKEM768 on 127.0.0.1 serving `cert`/`key` from `dir`;
/// returns its port.
pub fn start_rustls_server(dir: &Path, cert: &str, key: &str) -> u16 {
    mamori_testkit::rustls_server(dir, cert, key, &[], "127.0.0.1:0").port()
}

#[allow(unused_imports)]
pub use mamori_testkit::rustls_server as start_rustls_server_with;

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
