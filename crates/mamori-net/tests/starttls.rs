//! `mamori_net::starttls` against REAL servers started on 127.0.0.1 high ports from configs in
//! a tempdir — PostgreSQL, Postfix, Dovecot (IMAP and POP3), vsftpd, OpenLDAP slapd, OpenSSH
//! sshd, `openssl s_server` — each with TLS on (the upgrade succeeds and a TLS 1.2 ServerHello
//! carrying our certificate follows on the same socket) and, where the software can be made to
//! refuse, with TLS off (the real refusal is reported). Servers that lie (garbage, refusals,
//! stalls, endless lines) are scripted fakes on 127.0.0.1.
//!
//! Needs (Debian packages): postgresql, postfix, dovecot-imapd, dovecot-pop3d, vsftpd, slapd,
//! openssh-server, openssl. Postfix, Dovecot, vsftpd and slapd are started as root (they drop
//! privileges themselves); PostgreSQL runs as `nobody` when the tests run as root.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{free_port, make_cert};
use mamori_net::starttls::{self, Problem, Sniffed, StartTlsError, StartTlsInfo};
use mamori_net::target::Kind;
use mamori_net::tls::{client_hello, FlightReader, HelloSpec, Progress, ServerReply, TLS12};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Deadline for a conversation with a real server.
const T: Duration = Duration::from_secs(15);

// ------------------------------------------------------------------ real servers

/// A server process in its own process group; the group gets SIGTERM when dropped (then
/// SIGKILL for the leader if it lingers).
struct Daemon {
    child: Child,
    name: &'static str,
    port: u16,
    /// A second port (Dovecot's POP3).
    port2: u16,
    log: PathBuf,
    /// The DER of the server's certificate.
    cert: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_listening(mut self) -> Daemon {
        let until = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited early ({status}): {}", self.name, self.log_text());
            }
            let up = |p: u16| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
            if up(self.port) && (self.port2 == 0 || up(self.port2)) {
                return self;
            }
            assert!(
                std::time::Instant::now() < until,
                "{} did not listen on {}: {}",
                self.name,
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Starts `cmd` in a process group of its own with standard error to `stderr`, and waits
/// until the daemon `make` describes listens; `what` names the Debian package.
fn launch(
    cmd: &mut Command,
    stderr: impl Into<Stdio>,
    what: &str,
    make: impl FnOnce(Child) -> Daemon,
) -> Daemon {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .expect(what);
    make(child).wait_listening()
}

/// The path of a server program: the first of `candidates` that exists, else a panic naming
/// the Debian package.
fn program(candidates: &[PathBuf], package: &str) -> PathBuf {
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!("none of {candidates:?} found: install the Debian package `{package}`")
        })
}

fn is_root() -> bool {
    id(&["-u"]) == 0
}

fn id(args: &[&str]) -> u32 {
    let out = Command::new("id")
        .args(args)
        .output()
        .expect("run `id` (coreutils)");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("id {args:?}: unexpected output {out:?}"))
}

fn need_root(what: &str) {
    assert!(
        is_root(),
        "the {what} test starts the real daemon, which needs root (as in CI)"
    );
}

fn tempdir_for_daemons() -> (tempfile::TempDir, Vec<u8>) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    // daemons drop privileges and must reach their files
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cert = make_cert(dir.path());
    (dir, cert)
}

fn log_file(path: &Path) -> std::fs::File {
    std::fs::File::create(path).expect("create log")
}

/// PostgreSQL (`initdb` + `postgres`) with `ssl` on or off, as `nobody` when root.
fn postgres(ssl: bool) -> Daemon {
    let mut candidates: Vec<PathBuf> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| Path::new(d).join("initdb"))
        .collect();
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut v: Vec<PathBuf> = versions.flatten().map(|e| e.path()).collect();
        v.sort();
        candidates.extend(v.into_iter().rev().map(|d| d.join("bin/initdb")));
    }
    let initdb = program(&candidates, "postgresql");
    let bin = initdb.parent().expect("bin dir").to_path_buf();
    let (dir, cert) = tempdir_for_daemons();
    let d = dir.path();
    let as_user = |c: &mut Command| {
        if is_root() {
            let (uid, gid) = (id(&["-u", "nobody"]), id(&["-g", "nobody"]));
            c.uid(uid).gid(gid);
        }
    };
    if is_root() {
        let (uid, gid) = (id(&["-u", "nobody"]), id(&["-g", "nobody"]));
        for f in ["", "key.pem", "cert.pem"] {
            std::os::unix::fs::chown(d.join(f), Some(uid), Some(gid)).expect("chown");
        }
    }
    let mut cmd = Command::new(&initdb);
    cmd.arg("-D")
        .arg(d.join("data"))
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "--no-instructions",
        ])
        .current_dir(d);
    as_user(&mut cmd);
    let out = cmd.output().expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let log = d.join("postgres.log");
    let mut cmd = Command::new(bin.join("postgres"));
    cmd.arg("-D")
        .arg(d.join("data"))
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", &format!("port={port}")])
        .args(["-c", &format!("unix_socket_directories={}", d.display())])
        .args(["-c", if ssl { "ssl=on" } else { "ssl=off" }])
        .args([
            "-c",
            &format!("ssl_cert_file={}", d.join("cert.pem").display()),
        ])
        .args([
            "-c",
            &format!("ssl_key_file={}", d.join("key.pem").display()),
        ])
        .current_dir(d);
    as_user(&mut cmd);
    launch(
        &mut cmd,
        log_file(&log),
        "start postgres (Debian package postgresql)",
        |child| Daemon {
            child,
            name: "postgres",
            port,
            port2: 0,
            log,
            cert,
            _dir: dir,
        },
    )
}

/// Postfix's `master` in the foreground with one `smtpd` on a loopback port; STARTTLS
/// offered when `tls`.
fn postfix(tls: bool) -> Daemon {
    need_root("Postfix");
    let master = program(&["/usr/lib/postfix/sbin/master".into()], "postfix");
    let (dir, cert) = tempdir_for_daemons();
    let d = dir.path();
    let (uid, gid) = (id(&["-u", "postfix"]), id(&["-g", "postfix"]));
    for sub in ["queue/pid", "queue/public", "queue/private", "data"] {
        std::fs::create_dir_all(d.join(sub)).expect("mkdir");
    }
    for sub in ["queue/public", "queue/private", "data"] {
        std::os::unix::fs::chown(d.join(sub), Some(uid), Some(gid)).expect("chown");
    }
    let port = free_port();
    let level = if tls { "may" } else { "none" };
    std::fs::write(
        d.join("main.cf"),
        format!(
            "compatibility_level = 3.6\nqueue_directory = {q}\ndata_directory = {dd}\n\
             mail_owner = postfix\nmyhostname = mx.mamori.test\ninet_interfaces = 127.0.0.1\n\
             inet_protocols = ipv4\nmaillog_file = {dir}/maillog\nmaillog_file_prefixes = {dir}\n\
             smtpd_tls_cert_file = {dir}/cert.pem\nsmtpd_tls_key_file = {dir}/key.pem\n\
             smtpd_tls_security_level = {level}\nmydestination =\nalias_maps =\n\
             alias_database =\nlocal_recipient_maps =\n",
            q = d.join("queue").display(),
            dd = d.join("data").display(),
            dir = d.display(),
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("master.cf"),
        format!(
            "127.0.0.1:{port} inet n - n - - smtpd\n\
             postlog unix-dgram n - n - 1 postlogd\n\
             proxymap unix - - n - - proxymap\n\
             anvil unix - - n - 1 anvil\n\
             tlsmgr unix - - n 1000? 1 tlsmgr\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::new(master);
    cmd.arg("-c").arg(d).arg("-d");
    let log = d.join("maillog");
    launch(
        &mut cmd,
        Stdio::null(),
        "start postfix master (Debian package postfix)",
        |child| Daemon {
            child,
            name: "postfix",
            port,
            port2: 0,
            log,
            cert,
            _dir: dir,
        },
    )
}

/// Dovecot in the foreground: IMAP on `port`, POP3 on `port2`; TLS offered when `ssl`.
fn dovecot(ssl: bool) -> Daemon {
    need_root("Dovecot");
    let dovecot = program(&["/usr/sbin/dovecot".into()], "dovecot-imapd");
    program(&["/usr/lib/dovecot/pop3-login".into()], "dovecot-pop3d");
    let (dir, cert) = tempdir_for_daemons();
    let d = dir.path();
    let (imap, pop3) = (free_port(), free_port());
    let ssl = if ssl { "yes" } else { "no" };
    std::fs::write(
        d.join("dovecot.conf"),
        format!(
            "protocols = imap pop3\nlisten = 127.0.0.1\nbase_dir = {dir}/run\n\
             state_dir = {dir}/state\nlog_path = {dir}/dovecot.log\nssl = {ssl}\n\
             ssl_cert = <{dir}/cert.pem\nssl_key = <{dir}/key.pem\n\
             mail_location = maildir:{dir}/mail/%u\n\
             passdb {{\n  driver = static\n  args = password=unused\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={dir}/mail/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service pop3-login {{\n  inet_listener pop3 {{\n    address = 127.0.0.1\n    port = {pop3}\n  }}\n  \
             inet_listener pop3s {{\n    port = 0\n  }}\n}}\n",
            dir = d.display(),
        ),
    )
    .unwrap();
    let log = d.join("dovecot.log");
    let mut cmd = Command::new(dovecot);
    cmd.arg("-F").arg("-c").arg(d.join("dovecot.conf"));
    launch(
        &mut cmd,
        log_file(&d.join("stderr.log")),
        "start dovecot (Debian packages dovecot-imapd, dovecot-pop3d)",
        |child| Daemon {
            child,
            name: "dovecot",
            port: imap,
            port2: pop3,
            log,
            cert,
            _dir: dir,
        },
    )
}

/// vsftpd in the foreground; `AUTH TLS` accepted when `ssl`.
fn vsftpd(ssl: bool) -> Daemon {
    need_root("vsftpd");
    let vsftpd = program(&["/usr/sbin/vsftpd".into()], "vsftpd");
    let (dir, cert) = tempdir_for_daemons();
    let d = dir.path();
    std::fs::create_dir_all(d.join("empty")).unwrap();
    let port = free_port();
    let ssl = if ssl { "YES" } else { "NO" };
    std::fs::write(
        d.join("vsftpd.conf"),
        format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n\
             background=NO\nanonymous_enable=YES\nftp_username=nobody\nanon_root={dir}/empty\n\
             local_enable=NO\nssl_enable={ssl}\nrsa_cert_file={dir}/cert.pem\n\
             rsa_private_key_file={dir}/key.pem\nsecure_chroot_dir={dir}/empty\n\
             seccomp_sandbox=NO\nvsftpd_log_file={dir}/vsftpd.log\nxferlog_enable=NO\n",
            dir = d.display()
        ),
    )
    .unwrap();
    let log = d.join("stderr.log");
    let mut cmd = Command::new(vsftpd);
    cmd.arg(d.join("vsftpd.conf"));
    launch(
        &mut cmd,
        log_file(&log),
        "start vsftpd (Debian package vsftpd)",
        |child| Daemon {
            child,
            name: "vsftpd",
            port,
            port2: 0,
            log,
            cert,
            _dir: dir,
        },
    )
}

/// OpenLDAP slapd (no database: the StartTLS operation is the frontend's); TLS configured
/// when `tls`.
fn slapd(tls: bool) -> Daemon {
    need_root("slapd");
    let slapd = program(&["/usr/sbin/slapd".into()], "slapd");
    let (dir, cert) = tempdir_for_daemons();
    let d = dir.path();
    let port = free_port();
    let mut conf = format!(
        "include /etc/ldap/schema/core.schema\npidfile {dir}/slapd.pid\nargsfile {dir}/slapd.args\n",
        dir = d.display()
    );
    if tls {
        conf += &format!(
            "TLSCertificateFile {dir}/cert.pem\nTLSCertificateKeyFile {dir}/key.pem\n",
            dir = d.display()
        );
    }
    std::fs::write(d.join("slapd.conf"), conf).unwrap();
    let log = d.join("stderr.log");
    let mut cmd = Command::new(slapd);
    cmd.arg("-f")
        .arg(d.join("slapd.conf"))
        .arg("-h")
        .arg(format!("ldap://127.0.0.1:{port}/"))
        .args(["-d", "0"]);
    launch(
        &mut cmd,
        log_file(&log),
        "start slapd (Debian package slapd)",
        |child| Daemon {
            child,
            name: "slapd",
            port,
            port2: 0,
            log,
            cert,
            _dir: dir,
        },
    )
}

/// OpenSSH's sshd with one ed25519 host key.
fn sshd() -> Daemon {
    let sshd = program(&["/usr/sbin/sshd".into()], "openssh-server");
    std::fs::create_dir_all("/run/sshd").expect("sshd needs /run/sshd");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let key = d.join("host_ed25519");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("run ssh-keygen (Debian package openssh-client)");
    assert!(status.success());
    std::fs::write(
        d.join("sshd_config"),
        format!(
            "HostKey {}\nPidFile none\nUsePAM no\nStrictModes no\n",
            key.display()
        ),
    )
    .unwrap();
    let port = free_port();
    let log = d.join("sshd.log");
    let mut cmd = Command::new(sshd);
    cmd.args(["-D", "-e", "-f"])
        .arg(d.join("sshd_config"))
        .args(["-p", &port.to_string(), "-o", "ListenAddress=127.0.0.1"]);
    launch(
        &mut cmd,
        log_file(&log),
        "start sshd (Debian package openssh-server)",
        |child| Daemon {
            child,
            name: "sshd",
            port,
            port2: 0,
            log,
            cert: Vec::new(),
            _dir: dir,
        },
    )
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect")
}

async fn upgrade(port: u16, kind: Kind) -> (TcpStream, Result<StartTlsInfo, StartTlsError>) {
    let mut s = connect(port).await;
    let r = starttls::upgrade(&mut s, kind, "localhost", Instant::now() + T).await;
    (s, r)
}

/// TLS 1.2 suites an RSA certificate can serve.
const SUITES: [u16; 9] = [
    0xc02f, 0xc030, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
];

/// Proves TLS follows on `stream`: a TLS 1.2 ClientHello gets a ServerHello whose first
/// certificate is `cert`.
async fn tls_follows(stream: &mut TcpStream, cert: &[u8]) {
    let hello = client_hello(&HelloSpec::new(TLS12, &SUITES, Some("localhost")));
    stream.write_all(&hello).await.expect("send ClientHello");
    let mut reader = FlightReader::new();
    let mut buf = vec![0u8; 16 * 1024];
    let progress = loop {
        let n = tokio::time::timeout(T, stream.read(&mut buf))
            .await
            .expect("TLS reply before the deadline")
            .expect("read TLS reply");
        let p = if n == 0 {
            reader.eof()
        } else {
            reader.feed(&buf[..n])
        };
        if p != Progress::NeedMore {
            break p;
        }
    };
    let Progress::Done(flight) = progress else {
        panic!("no TLS first flight after the upgrade: {progress:?}");
    };
    let ServerReply::Hello(h) = &flight.reply else {
        panic!("expected a ServerHello: {:?}", flight.reply);
    };
    assert_eq!(h.version(), TLS12);
    assert!(SUITES.contains(&h.cipher_suite));
    assert_eq!(
        flight.certificates.first().map(Vec::as_slice),
        Some(cert),
        "the server's certificate is the one the test made"
    );
}

fn err(r: Result<StartTlsInfo, StartTlsError>) -> StartTlsError {
    match r {
        Ok(info) => panic!("expected an error, got {info:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn postgres_ssl_request_then_tls() {
    let pg = postgres(true);
    let (mut s, r) = upgrade(pg.port, Kind::Postgres).await;
    assert_eq!(r.unwrap(), StartTlsInfo::default(), "{}", pg.log_text());
    tls_follows(&mut s, &pg.cert).await;
}

#[tokio::test]
async fn postgres_without_ssl_refuses() {
    let pg = postgres(false);
    let e = err(upgrade(pg.port, Kind::Postgres).await.1);
    assert_eq!((e.protocol, e.stage), ("PostgreSQL", "SSLRequest"));
    assert_eq!(e.problem, Problem::Refused("SSL"));
    assert_eq!(e.said, "N");
    assert!(e.to_string().contains("server refuses SSL"), "{e}");
}

#[tokio::test]
async fn postfix_starttls_then_tls() {
    let pf = postfix(true);
    let (mut s, r) = upgrade(pf.port, Kind::Smtp).await;
    let info = r.unwrap_or_else(|e| panic!("{e}: {}", pf.log_text()));
    assert_eq!(
        info.greeting.as_deref(),
        Some("220 mx.mamori.test ESMTP Postfix")
    );
    assert!(info.capabilities.iter().any(|c| c == "STARTTLS"));
    assert!(info.capabilities.iter().any(|c| c.starts_with("SIZE ")));
    assert!(!info.capabilities.iter().any(|c| c == "mx.mamori.test"));
    tls_follows(&mut s, &pf.cert).await;
}

#[tokio::test]
async fn postfix_without_tls_does_not_offer_starttls() {
    let pf = postfix(false);
    let e = err(upgrade(pf.port, Kind::Smtp).await.1);
    assert_eq!((e.protocol, e.stage), ("SMTP", "EHLO"));
    assert_eq!(e.problem, Problem::NotOffered("STARTTLS"));
    assert!(
        e.said.starts_with("250-mx.mamori.test | 250-PIPELINING"),
        "{e}"
    );
    assert!(
        e.to_string().contains("server does not offer STARTTLS"),
        "{e}"
    );
}

#[tokio::test]
async fn dovecot_imap_and_pop3_then_tls() {
    let dc = dovecot(true);
    let (mut s, r) = upgrade(dc.port, Kind::Imap).await;
    let info = r.unwrap_or_else(|e| panic!("{e}: {}", dc.log_text()));
    let greeting = info.greeting.unwrap();
    assert!(
        greeting.starts_with("* OK [CAPABILITY IMAP4rev1"),
        "{greeting}"
    );
    assert!(greeting.contains("Dovecot"), "{greeting}");
    assert!(info.capabilities.iter().any(|c| c == "STARTTLS"));
    tls_follows(&mut s, &dc.cert).await;

    let (mut s, r) = upgrade(dc.port2, Kind::Pop3).await;
    let info = r.unwrap_or_else(|e| panic!("{e}: {}", dc.log_text()));
    assert!(info.greeting.unwrap().starts_with("+OK Dovecot"));
    assert!(info.capabilities.iter().any(|c| c == "STLS"));
    assert!(info.capabilities.iter().any(|c| c == "SASL PLAIN"));
    tls_follows(&mut s, &dc.cert).await;
}

#[tokio::test]
async fn dovecot_without_ssl_offers_neither_starttls_nor_stls() {
    let dc = dovecot(false);
    let e = err(upgrade(dc.port, Kind::Imap).await.1);
    assert_eq!((e.protocol, e.stage), ("IMAP", "CAPABILITY"));
    assert_eq!(e.problem, Problem::NotOffered("STARTTLS"));
    assert!(e.said.starts_with("* CAPABILITY IMAP4rev1"), "{e}");
    let e = err(upgrade(dc.port2, Kind::Pop3).await.1);
    assert_eq!((e.protocol, e.stage), ("POP3", "CAPA"));
    assert_eq!(e.problem, Problem::NotOffered("STLS"));
}

#[tokio::test]
async fn vsftpd_auth_tls_then_tls() {
    let ftp = vsftpd(true);
    let (mut s, r) = upgrade(ftp.port, Kind::Ftp).await;
    let info = r.unwrap_or_else(|e| panic!("{e}: {}", ftp.log_text()));
    assert!(info.greeting.unwrap().contains("vsFTPd"));
    tls_follows(&mut s, &ftp.cert).await;
}

#[tokio::test]
async fn vsftpd_without_ssl_refuses_auth_tls() {
    let ftp = vsftpd(false);
    let e = err(upgrade(ftp.port, Kind::Ftp).await.1);
    assert_eq!((e.protocol, e.stage), ("FTP", "AUTH TLS"));
    assert_eq!(e.problem, Problem::Refused("AUTH TLS"));
    assert!(e.said.starts_with("530 "), "{e}");
}

#[tokio::test]
async fn slapd_starttls_then_tls() {
    let ldap = slapd(true);
    let (mut s, r) = upgrade(ldap.port, Kind::Ldap).await;
    r.unwrap_or_else(|e| panic!("{e}: {}", ldap.log_text()));
    tls_follows(&mut s, &ldap.cert).await;
}

#[tokio::test]
async fn slapd_without_tls_refuses_with_protocol_error() {
    let ldap = slapd(false);
    let e = err(upgrade(ldap.port, Kind::Ldap).await.1);
    assert_eq!(e.protocol, "LDAP");
    assert_eq!(
        e.problem,
        Problem::LdapResult {
            code: 2,
            name: "protocolError"
        }
    );
    assert_eq!(e.said, "unsupported extended operation");
    assert!(e.to_string().contains("LDAP result code 2"), "{e}");
}

#[tokio::test]
async fn sniff_real_servers() {
    let wait = Duration::from_millis(300);
    let ssh = sshd();
    let mut s = connect(ssh.port).await;
    match starttls::sniff(&mut s, wait).await.unwrap() {
        Sniffed::Ssh { bytes } => assert!(bytes.starts_with(b"SSH-2.0-OpenSSH_"), "{bytes:?}"),
        other => panic!("sshd sniffed as {other:?}"),
    }

    let pf = postfix(true);
    let mut s = connect(pf.port).await;
    let got = starttls::sniff(&mut s, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got.kind(), Some(Kind::Smtp), "{got:?}");

    let ftp = vsftpd(true);
    let mut s = connect(ftp.port).await;
    let got = starttls::sniff(&mut s, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got.kind(), Some(Kind::Ftp), "{got:?}");

    let dc = dovecot(true);
    let mut s = connect(dc.port).await;
    let got = starttls::sniff(&mut s, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got.kind(), Some(Kind::Imap), "{got:?}");
    let mut s = connect(dc.port2).await;
    let got = starttls::sniff(&mut s, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(got.kind(), Some(Kind::Pop3), "{got:?}");

    // openssl s_server waits for the ClientHello
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let tls = common::start_server(dir.path(), &[]);
    let mut s = connect(tls.port).await;
    let started = Instant::now();
    assert_eq!(starttls::sniff(&mut s, wait).await.unwrap(), Sniffed::Tls);
    assert!(started.elapsed() >= wait);
    drop((ssh, pf, ftp, dc));
}

// ------------------------------------------------------------------ servers that lie

/// One step of a scripted fake server.
enum Step {
    /// Send these bytes.
    Say(&'static [u8]),
    /// Read exactly these bytes (the test fails otherwise).
    Hear(&'static [u8]),
    /// Send `count` copies of a piece (stops quietly when the client hangs up).
    Flood(&'static [u8], usize),
    /// Say nothing for a while.
    Stall(Duration),
}

/// A fake server on 127.0.0.1 playing `script` to one client; returns its port and a handle
/// that fails when the client did not say what the script expects.
async fn fake(script: Vec<Step>) -> (u16, tokio::task::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        for step in script {
            match step {
                Step::Say(b) => s.write_all(b).await.unwrap(),
                Step::Hear(want) => {
                    let mut got = vec![0u8; want.len()];
                    s.read_exact(&mut got).await.unwrap();
                    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
                }
                Step::Flood(piece, count) => {
                    for _ in 0..count {
                        if s.write_all(piece).await.is_err() {
                            return;
                        }
                    }
                }
                Step::Stall(d) => tokio::time::sleep(d).await,
            }
        }
        // keep the connection open a moment so the client's last read is not an EOF race
        tokio::time::sleep(Duration::from_millis(300)).await;
    });
    (port, task)
}

/// Runs `upgrade` against a fake with a short deadline; also returns how long it took.
async fn against(
    kind: Kind,
    script: Vec<Step>,
    deadline: Duration,
) -> (Result<StartTlsInfo, StartTlsError>, Duration, TcpStream) {
    let (port, task) = fake(script).await;
    let mut s = connect(port).await;
    let started = Instant::now();
    let r = starttls::upgrade(&mut s, kind, "fake", Instant::now() + deadline).await;
    let took = started.elapsed();
    if r.is_ok() {
        task.await.expect("the client said what the fake expected");
    }
    (r, took, s)
}

const QUICK: Duration = Duration::from_secs(5);
const EHLO: &[u8] = b"EHLO mamori.invalid\r\n";

#[tokio::test]
async fn smtp_multiline_greeting_success_reads_nothing_beyond_the_reply() {
    let (r, _, mut s) = against(
        Kind::Smtp,
        vec![
            Step::Say(b"220-mx.fake.test ESMTP Exim 4.96\r\n220 no UCE\r\n"),
            Step::Hear(EHLO),
            Step::Say(b"250-mx.fake.test Hello\r\n250-SIZE 52428800\r\n250 STARTTLS\r\n"),
            Step::Hear(b"STARTTLS\r\n"),
            // the reply and, right behind it, what would be the start of the TLS flight
            Step::Say(b"220 TLS go ahead\r\n\x16\x03\x03"),
        ],
        QUICK,
    )
    .await;
    let info = r.unwrap();
    assert_eq!(
        info.greeting.as_deref(),
        Some("220-mx.fake.test ESMTP Exim 4.96")
    );
    assert_eq!(info.capabilities, ["SIZE 52428800", "STARTTLS"]);
    let mut next = [0u8; 3];
    s.read_exact(&mut next).await.unwrap();
    assert_eq!(next, [0x16, 3, 3], "bytes after the reply were left unread");
}

#[tokio::test]
async fn smtp_garbage_greeting() {
    let (r, took, _) = against(
        Kind::Smtp,
        vec![Step::Say(b"HTTP/1.1 400 Bad Request\r\n\r\n")],
        QUICK,
    )
    .await;
    let e = err(r);
    assert_eq!(
        (e.stage, e.said.as_str()),
        ("greeting", "HTTP/1.1 400 Bad Request")
    );
    assert!(matches!(e.problem, Problem::Unexpected(_)));
    assert!(took < Duration::from_secs(1));
}

#[tokio::test]
async fn smtp_service_refused_greeting() {
    let e = err(against(
        Kind::Smtp,
        vec![Step::Say(b"554 5.7.1 mx.fake.test: no service for you\r\n")],
        QUICK,
    )
    .await
    .0);
    assert_eq!(
        e.problem,
        Problem::Unexpected("expected a 220 greeting, got 554".into())
    );
    assert!(e.to_string().contains("no service for you"), "{e}");
}

#[tokio::test]
async fn smtp_starttls_refused_454() {
    let e = err(against(
        Kind::Smtp,
        vec![
            Step::Say(b"220 mx ESMTP\r\n"),
            Step::Hear(EHLO),
            Step::Say(b"250-mx\r\n250 STARTTLS\r\n"),
            Step::Hear(b"STARTTLS\r\n"),
            Step::Say(b"454 4.7.0 TLS not available due to local problem\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!((e.protocol, e.stage), ("SMTP", "STARTTLS"));
    assert_eq!(e.problem, Problem::Refused("STARTTLS"));
    assert_eq!(e.said, "454 4.7.0 TLS not available due to local problem");
}

#[tokio::test]
async fn smtp_no_starttls_capability() {
    let e = err(against(
        Kind::Smtp,
        vec![
            Step::Say(b"220 mx ESMTP\r\n"),
            Step::Hear(EHLO),
            // "STARTTLS" as the greeting text of the first line does not count
            Step::Say(b"250-STARTTLS\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(e.problem, Problem::NotOffered("STARTTLS"));
}

#[tokio::test]
async fn stall_ends_at_the_deadline() {
    for kind in [
        Kind::Smtp,
        Kind::Imap,
        Kind::Pop3,
        Kind::Ftp,
        Kind::Ldap,
        Kind::Postgres,
    ] {
        let (r, took, _) = against(
            kind,
            vec![Step::Stall(Duration::from_secs(10))],
            Duration::from_millis(300),
        )
        .await;
        let e = err(r);
        assert_eq!(e.problem, Problem::Timeout, "{kind:?}: {e}");
        assert!(
            took >= Duration::from_millis(250) && took < Duration::from_secs(2),
            "{kind:?} took {took:?}"
        );
    }
    // a half-said greeting is quoted
    let e = err(against(
        Kind::Smtp,
        vec![
            Step::Say(b"220-mx.slow"),
            Step::Stall(Duration::from_secs(10)),
        ],
        Duration::from_millis(300),
    )
    .await
    .0);
    assert_eq!(
        (e.problem, e.said.as_str()),
        (Problem::Timeout, "220-mx.slow")
    );
}

#[tokio::test]
async fn endless_line_and_endless_reply() {
    let (r, took, _) = against(
        Kind::Smtp,
        vec![Step::Flood(b"AAAAAAAAAAAAAAAA", 1 << 16)],
        QUICK,
    )
    .await;
    let e = err(r);
    assert_eq!(e.problem, Problem::LineTooLong);
    assert!(e.said.chars().count() <= starttls::MAX_QUOTE + 1);
    assert!(took < Duration::from_secs(3), "{took:?}");

    let (r, took, _) = against(Kind::Ftp, vec![Step::Flood(b"220-x\r\n", 1 << 16)], QUICK).await;
    assert_eq!(err(r).problem, Problem::TooManyLines);
    assert!(took < Duration::from_secs(3), "{took:?}");

    let (r, _, _) = against(
        Kind::Imap,
        vec![
            Step::Say(b"* OK hi\r\n"),
            Step::Hear(b"a001 CAPABILITY\r\n"),
            Step::Flood(b"* 1 EXISTS\r\n", 1 << 16),
        ],
        QUICK,
    )
    .await;
    assert_eq!(err(r).problem, Problem::TooManyLines);

    let (r, _, _) = against(
        Kind::Pop3,
        vec![
            Step::Say(b"+OK hi\r\n"),
            Step::Hear(b"CAPA\r\n"),
            Step::Say(b"+OK\r\n"),
            Step::Flood(b"X\r\n", 1 << 16),
        ],
        QUICK,
    )
    .await;
    assert_eq!(err(r).problem, Problem::TooManyLines);
}

#[tokio::test]
async fn closed_connection() {
    let (r, _, _) = against(Kind::Pop3, vec![Step::Say(b"+OK")], QUICK).await;
    let e = err(r);
    assert_eq!((e.problem, e.said.as_str()), (Problem::Closed, "+OK"));
}

#[tokio::test]
async fn imap_capability_command_then_starttls() {
    let (r, _, _) = against(
        Kind::Imap,
        vec![
            Step::Say(b"* OK IMAP4rev1 Service Ready\r\n"),
            Step::Hear(b"a001 CAPABILITY\r\n"),
            Step::Say(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na001 OK CAPABILITY completed\r\n"),
            Step::Hear(b"a002 STARTTLS\r\n"),
            Step::Say(b"a002 OK Begin TLS negotiation now\r\n"),
        ],
        QUICK,
    )
    .await;
    let info = r.unwrap();
    assert_eq!(
        info.capabilities,
        ["IMAP4rev1", "STARTTLS", "LOGINDISABLED"]
    );
}

#[tokio::test]
async fn imap_refusals() {
    let e = err(against(
        Kind::Imap,
        vec![
            Step::Say(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
            Step::Hear(b"a002 STARTTLS\r\n"),
            Step::Say(b"a002 NO [UNAVAILABLE] TLS support not available\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(
        (e.stage, &e.problem),
        ("STARTTLS", &Problem::Refused("STARTTLS"))
    );
    assert_eq!(e.said, "a002 NO [UNAVAILABLE] TLS support not available");

    for (greeting, what) in [
        (&b"* PREAUTH IMAP4rev1 logged in as fred\r\n"[..], "PREAUTH"),
        (b"* BYE Autologout; idle for too long\r\n", "BYE"),
        (b"a001 OK wrong\r\n", "expected `* OK`"),
    ] {
        let e = err(against(Kind::Imap, vec![Step::Say(greeting)], QUICK)
            .await
            .0);
        let Problem::Unexpected(why) = &e.problem else {
            panic!("{e}");
        };
        assert!(why.contains(what), "{e}");
        assert_eq!(e.stage, "greeting");
    }

    // an untagged BYE while waiting for the tagged reply
    let e = err(against(
        Kind::Imap,
        vec![
            Step::Say(b"* OK hi\r\n"),
            Step::Hear(b"a001 CAPABILITY\r\n"),
            Step::Say(b"* BYE shutting down\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(e.problem, Problem::Unexpected("BYE".into()));
}

#[tokio::test]
async fn pop3_refusals_and_no_capa() {
    let e = err(against(
        Kind::Pop3,
        vec![
            Step::Say(b"+OK POP3 ready\r\n"),
            Step::Hear(b"CAPA\r\n"),
            Step::Say(b"+OK\r\nUSER\r\nSTLS\r\n.\r\n"),
            Step::Hear(b"STLS\r\n"),
            Step::Say(b"-ERR TLS not available\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!((e.stage, &e.problem), ("STLS", &Problem::Refused("STLS")));
    assert_eq!(e.said, "-ERR TLS not available");

    // a server without CAPA is still asked for STLS
    let (r, _, _) = against(
        Kind::Pop3,
        vec![
            Step::Say(b"+OK POP3 ready\r\n"),
            Step::Hear(b"CAPA\r\n"),
            Step::Say(b"-ERR unknown command\r\n"),
            Step::Hear(b"STLS\r\n"),
            Step::Say(b"+OK begin TLS\r\n"),
        ],
        QUICK,
    )
    .await;
    assert_eq!(r.unwrap().capabilities, Vec::<String>::new());

    let e = err(
        against(Kind::Pop3, vec![Step::Say(b"-ERR go away\r\n")], QUICK)
            .await
            .0,
    );
    assert_eq!(e.stage, "greeting");
}

#[tokio::test]
async fn ftp_delay_greeting_and_refusal() {
    let (r, _, _) = against(
        Kind::Ftp,
        vec![
            Step::Say(b"120 ready in 1 minute\r\n"),
            Step::Say(b"220-Welcome\r\n  to the fake\r\n220 ProFTPD Server\r\n"),
            Step::Hear(b"AUTH TLS\r\n"),
            Step::Say(b"234 AUTH TLS successful\r\n"),
        ],
        QUICK,
    )
    .await;
    assert_eq!(r.unwrap().greeting.as_deref(), Some("220-Welcome"));

    let e = err(against(
        Kind::Ftp,
        vec![
            Step::Say(b"220 FTP\r\n"),
            Step::Hear(b"AUTH TLS\r\n"),
            Step::Say(b"504 Unknown AUTH type\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(
        (e.stage, &e.problem),
        ("AUTH TLS", &Problem::Refused("AUTH TLS"))
    );
}

const LDAP_REQUEST: &[u8] = b"\x30\x1d\x02\x01\x01\x77\x18\x80\x161.3.6.1.4.1.1466.20037";

#[tokio::test]
async fn ldap_lies() {
    // a Notice of Disconnection (messageID 0) instead of an answer
    let e = err(against(
        Kind::Ldap,
        vec![
            Step::Hear(LDAP_REQUEST),
            Step::Say(b"\x30\x28\x02\x01\x00\x78\x23\x0a\x01\x34\x04\x00\x04\x04busy\x8a\x161.3.6.1.4.1.1466.20036"),
        ],
        QUICK,
    )
    .await
    .0);
    let Problem::Unexpected(why) = &e.problem else {
        panic!("{e}");
    };
    assert!(why.starts_with("notice of disconnection"), "{e}");
    assert!(e.said.starts_with("busy"), "{e}");

    // text instead of BER
    let e = err(against(
        Kind::Ldap,
        vec![
            Step::Hear(LDAP_REQUEST),
            Step::Say(b"HTTP/1.0 400 Bad\r\n\r\n"),
        ],
        QUICK,
    )
    .await
    .0);
    assert!(matches!(e.problem, Problem::Unexpected(_)), "{e}");

    // a length far beyond the limit is refused before reading
    let e = err(against(
        Kind::Ldap,
        vec![
            Step::Hear(LDAP_REQUEST),
            Step::Say(b"\x30\x84\x7f\xff\xff\xff"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(e.problem, Problem::TooMuch);

    // unwillingToPerform with long-form lengths
    let e = err(against(
        Kind::Ldap,
        vec![
            Step::Hear(LDAP_REQUEST),
            Step::Say(b"\x30\x84\x00\x00\x00\x13\x02\x01\x01\x78\x84\x00\x00\x00\x0a\x0a\x01\x35\x04\x00\x04\x03no!"),
        ],
        QUICK,
    )
    .await
    .0);
    assert_eq!(
        e.problem,
        Problem::LdapResult {
            code: 53,
            name: "unwillingToPerform"
        }
    );
}

#[tokio::test]
async fn postgres_lies() {
    for (answer, want) in [
        (&b"N"[..], Problem::Refused("SSL")),
        (
            b"E",
            Problem::Unexpected("an ErrorResponse: the server does not know SSLRequest".into()),
        ),
        (b"X", Problem::Unexpected("expected `S` or `N`".into())),
    ] {
        let e = err(against(
            Kind::Postgres,
            vec![
                Step::Hear(&starttls::POSTGRES_SSL_REQUEST),
                Step::Say(answer),
            ],
            QUICK,
        )
        .await
        .0);
        assert_eq!(e.problem, want);
    }
}

#[tokio::test]
async fn direct_tls_kinds_do_nothing() {
    for kind in [Kind::Tls, Kind::Https, Kind::Ssh, Kind::Unknown] {
        let (r, took, _) = against(kind, vec![Step::Stall(Duration::from_secs(5))], QUICK).await;
        assert_eq!(r.unwrap(), StartTlsInfo::default());
        assert!(took < Duration::from_millis(100));
    }
}

#[tokio::test]
async fn sniff_fakes() {
    let wait = Duration::from_millis(300);
    let (port, _t) = fake(vec![Step::Stall(Duration::from_secs(5))]).await;
    let started = Instant::now();
    assert_eq!(
        starttls::sniff(&mut connect(port).await, wait).await,
        Ok(Sniffed::Tls)
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // a banner split across two writes is read whole
    let (port, _t) = fake(vec![
        Step::Say(b"SSH-2.0-"),
        Step::Stall(Duration::from_millis(50)),
        Step::Say(b"dropbear_2022.83\r\n"),
    ])
    .await;
    assert_eq!(
        starttls::sniff(&mut connect(port).await, wait).await,
        Ok(Sniffed::Ssh {
            bytes: b"SSH-2.0-dropbear_2022.83\r\n".to_vec()
        })
    );

    let (port, _t) = fake(vec![]).await;
    // the fake closes right after accepting (after its short linger)
    let r = starttls::sniff(&mut connect(port).await, Duration::from_secs(3)).await;
    assert_eq!(r, Err(starttls::SniffError::Closed));
}
