//! The SSH probe against Debian's real OpenSSH sshd, started on 127.0.0.1 on a free port
//! with host keys made by ssh-keygen and chosen KexAlgorithms.
//!
//! Needs /usr/sbin/sshd (Debian package openssh-server) and ssh-keygen (openssh-client).

use mamori_net::ssh::{self, SshError};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";
const TIMEOUT: Duration = Duration::from_secs(10);

/// A running sshd, killed when dropped.
struct Sshd {
    child: Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(args)
        .args(["-q", "-N", "", "-C", "mamori-test", "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run ssh-keygen ({e}): install the Debian package openssh-client")
        });
    assert!(status.success(), "ssh-keygen {args:?} failed: {status}");
    path
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

fn start_sshd(kex: &str, ciphers: &str, macs: &str) -> Sshd {
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} not found: install the Debian package openssh-server"
    );
    // sshd checks that its privilege separation directory exists.
    if !Path::new("/run/sshd").is_dir() {
        std::fs::create_dir_all("/run/sshd").unwrap_or_else(|e| {
            panic!("sshd needs the privilege separation directory /run/sshd, which is missing and cannot be created ({e}); create it as root (mkdir -m 755 /run/sshd)")
        });
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let ed = keygen(dir.path(), "host_ed25519", &["-t", "ed25519"]);
    let rsa = keygen(dir.path(), "host_rsa", &["-t", "rsa", "-b", "3072"]);
    let config = dir.path().join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "HostKey {}\nHostKey {}\nKexAlgorithms {kex}\nCiphers {ciphers}\nMACs {macs}\n\
             PidFile none\nUsePAM no\nStrictModes no\n",
            ed.display(),
            rsa.display()
        ),
    )
    .expect("write sshd_config");
    let log = dir.path().join("sshd.log");
    let log_file = std::fs::File::create(&log).expect("create log");
    // The port is picked by binding :0 and released; a race with another process is
    // possible but unlikely, and shows as sshd failing to bind (in the log).
    let port = free_port();
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .args(["-p", &port.to_string(), "-o", "ListenAddress=127.0.0.1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {SSHD} ({e}): install openssh-server"));
    let mut sshd = Sshd {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        log,
        _dir: dir,
    };
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Ok(Some(status)) = sshd.child.try_wait() {
            panic!("sshd exited ({status}): {}", sshd.log_text());
        }
        if TcpStream::connect_timeout(&sshd.addr, Duration::from_millis(200)).is_ok() {
            return sshd;
        }
        assert!(
            Instant::now() < deadline,
            "sshd did not listen on {}: {}",
            sshd.addr,
            sshd.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Sshd {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

const CIPHERS: &str = "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr";
const MACS: &str = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512";

fn check(kex: &str) -> ssh::SshServerInfo {
    let sshd = start_sshd(kex, CIPHERS, MACS);
    let info = ssh::probe(sshd.addr, TIMEOUT)
        .unwrap_or_else(|e| panic!("probe failed: {e}\nsshd log: {}", sshd.log_text()));
    let k = &info.kexinit;
    // Debian's OpenSSH 9.2 (with the Terrapin fix backported) appends only the strict-kex
    // marker to the server's list; the server-side `ext-info-s` marker came with OpenSSH 9.6,
    // so it is not sent (observed with this test).
    let mut expected: Vec<&str> = kex.split(',').collect();
    expected.push("kex-strict-s-v00@openssh.com");
    assert_eq!(k.kex_algorithms, expected);
    assert!(info.strict_kex);
    assert!(!info.ext_info);
    assert!(
        info.banner.software_version.starts_with("OpenSSH_"),
        "{:?}",
        info.banner
    );
    assert_eq!(info.banner.proto_version, "2.0");
    let hk = &k.server_host_key_algorithms;
    assert!(hk.iter().any(|a| a == "ssh-ed25519"), "{hk:?}");
    assert!(hk.iter().any(|a| a == "rsa-sha2-512"), "{hk:?}");
    // sshd offers only algorithms it has a host key for: no ECDSA key was configured.
    assert!(!hk.iter().any(|a| a.starts_with("ecdsa-")), "{hk:?}");
    let ciphers: Vec<&str> = CIPHERS.split(',').collect();
    assert_eq!(k.encryption_client_to_server, ciphers);
    assert_eq!(k.encryption_server_to_client, ciphers);
    let macs: Vec<&str> = MACS.split(',').collect();
    assert_eq!(k.mac_client_to_server, macs);
    assert_eq!(k.mac_server_to_client, macs);
    assert_eq!(k.compression_client_to_server[0], "none");
    assert!(k.languages_server_to_client.is_empty());
    assert!(!k.first_kex_packet_follows);
    assert_eq!(k.reserved, 0);
    info
}

#[test]
fn sshd_classical_kex() {
    check("curve25519-sha256,diffie-hellman-group14-sha256");
}

#[test]
fn sshd_pq_hybrid_kex() {
    let info = check("sntrup761x25519-sha512@openssh.com,curve25519-sha256");
    assert!(info
        .kexinit
        .offers_kex("sntrup761x25519-sha512@openssh.com"));
}

/// Reads the raw bytes a real sshd sends after our banner up to the end of its KEXINIT
/// packet, with the public parsers.
fn raw_exchange(sshd: &Sshd) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&sshd.addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    s.write_all(ssh::client_banner().as_bytes())
        .expect("send banner");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((_, _, used)) = ssh::find_banner(&buf).expect("banner") {
            if let Some((_, n)) = ssh::parse_packet(&buf[used..]).expect("packet") {
                buf.truncate(used + n);
                return buf;
            }
        }
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "sshd closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn every_truncation_of_a_real_exchange() {
    let sshd = start_sshd("curve25519-sha256", CIPHERS, MACS);
    let raw = raw_exchange(&sshd);
    let (_, _, used) = ssh::find_banner(&raw).unwrap().unwrap();
    let packet = &raw[used..];
    let (payload, _) = ssh::parse_packet(packet).unwrap().unwrap();
    assert_eq!(payload[0], ssh::SSH_MSG_KEXINIT);
    ssh::parse_kexinit(payload).expect("the real KEXINIT parses");
    for n in 0..raw.len() {
        // A prefix of the banner part is need-more; of the packet, need-more too.
        if n < used {
            assert!(ssh::find_banner(&raw[..n]).unwrap().is_none(), "prefix {n}");
        } else {
            assert!(
                ssh::find_kexinit(&raw[used..n]).unwrap().is_none(),
                "prefix {n}"
            );
        }
    }
    for n in 0..payload.len() {
        assert!(
            ssh::parse_kexinit(&payload[..n]).is_err(),
            "payload prefix {n}"
        );
    }
}

#[test]
fn non_ssh_and_silent_servers_give_errors() {
    // An HTTP-like server: long garbage lines, never an SSH banner.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let _ = s.write_all(&[b'x'; 1000]);
        std::thread::sleep(Duration::from_millis(200));
    });
    let e = ssh::probe(addr, TIMEOUT).unwrap_err();
    assert!(matches!(e, SshError::LineTooLong), "{e}");
    t.join().unwrap();

    // A server that accepts and says nothing: the probe times out.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (_s, _) = l.accept().unwrap();
        std::thread::sleep(Duration::from_millis(800));
    });
    let start = Instant::now();
    let e = ssh::probe(addr, Duration::from_millis(300)).unwrap_err();
    assert!(matches!(e, SshError::Timeout(_)), "{e}");
    assert!(start.elapsed() < Duration::from_secs(2));
    t.join().unwrap();

    // A banner followed by an oversized packet length.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let _ = s.write_all(b"SSH-2.0-evil\r\n\xff\xff\xff\xff");
        std::thread::sleep(Duration::from_millis(200));
    });
    let e = ssh::probe(addr, TIMEOUT).unwrap_err();
    assert_eq!(e.to_string(), "packet length 4294967295 exceeds 35000");
    t.join().unwrap();

    // Nobody listening: the error says so.
    let port = free_port();
    let e = ssh::probe(SocketAddr::from(([127, 0, 0, 1], port)), TIMEOUT).unwrap_err();
    assert!(e.to_string().starts_with("connecting: "), "{e}");
}
