//! The SSH probes against Debian's real OpenSSH sshd, started unprivileged on 127.0.0.1 on a
//! free port with host keys made by ssh-keygen at test time and chosen `KexAlgorithms` /
//! `HostKeyAlgorithms`; and against hostile fake servers on 127.0.0.1.
//!
//! Needs /usr/sbin/sshd (Debian package openssh-server), ssh-keygen (openssh-client).
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use mamori_fs::detect::{Detector, FileInfo, Output};
use mamori_model::AssetKind;
use mamori_net::ssh::{self, HostKey, SshError, SshServerInfo};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const SSHD: &str = "/usr/sbin/sshd";
const TIMEOUT: Duration = Duration::from_secs(10);

/// A running sshd, killed when dropped.
struct Sshd {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Makes a key pair `dir/name` (and `name.pub`) with ssh-keygen.
fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
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

/// `ssh-keygen -lf file`: (bits, fingerprint, type as in parentheses).
fn keygen_l(file: &Path) -> (u32, String, String) {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run ssh-keygen ({e}): install the Debian package openssh-client")
        });
    assert!(out.status.success(), "ssh-keygen -lf {}", file.display());
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut it = text.split_whitespace();
    let bits = it.next().and_then(|b| b.parse().ok()).expect("bits");
    let fp = it.next().expect("fingerprint").to_string();
    let kind = text
        .rsplit_once('(')
        .map(|(_, t)| t.trim_end_matches(')').to_string())
        .expect("type");
    (bits, fp, kind)
}

fn pub_path(key: &Path) -> PathBuf {
    let mut p = key.as_os_str().to_owned();
    p.push(".pub");
    PathBuf::from(p)
}

fn free_port() -> u16 {
    let l = StdListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// Starts sshd on 127.0.0.1 with `host_keys` and the extra configuration `extra` (lines).
fn start_sshd(dir: &Path, host_keys: &[&Path], extra: &str) -> Sshd {
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
    // The port is picked by binding :0 and released; a race with another process is
    // possible but unlikely, and shows as sshd failing to bind (in the log).
    let port = free_port();
    let mut config = String::new();
    for k in host_keys {
        config.push_str(&format!("HostKey {}\n", k.display()));
    }
    config.push_str(extra);
    config.push_str("\nPidFile none\nUsePAM no\nStrictModes no\n");
    let config_path = dir.join(format!("sshd_config.{port}"));
    std::fs::write(&config_path, config).expect("write sshd_config");
    let log = dir.join(format!("sshd.{port}.log"));
    let log_file = std::fs::File::create(&log).expect("create log");
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config_path)
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
    };
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Ok(Some(status)) = sshd.child.try_wait() {
            panic!("sshd exited ({status}): {}", sshd.log_text());
        }
        if StdStream::connect_timeout(&sshd.addr, Duration::from_millis(200)).is_ok() {
            return sshd;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sshd did not listen on {}: {}",
            sshd.addr,
            sshd.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn deadline() -> Instant {
    Instant::now() + TIMEOUT
}

async fn info_of(sshd: &Sshd) -> SshServerInfo {
    let mut s = TcpStream::connect(sshd.addr).await.expect("connect");
    ssh::server_info(&mut s, deadline())
        .await
        .unwrap_or_else(|e| panic!("server_info: {e}\nsshd log: {}", sshd.log_text()))
}

async fn try_key_of(
    addr: SocketAddr,
    server: &ssh::KexInit,
    alg: &str,
) -> Result<HostKey, SshError> {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    ssh::host_key(&mut s, deadline(), server, alg).await
}

async fn key_of(sshd: &Sshd, server: &ssh::KexInit, alg: &str) -> HostKey {
    try_key_of(sshd.addr, server, alg)
        .await
        .unwrap_or_else(|e| panic!("host_key {alg}: {e}\nsshd log: {}", sshd.log_text()))
}

/// The host key equals what ssh-keygen says of the key file.
fn assert_same_key(k: &HostKey, key_file: &Path) {
    let (bits, fp, kind) = keygen_l(&pub_path(key_file));
    assert_eq!(k.fingerprint, fp, "{}", key_file.display());
    assert_eq!(k.bits, Some(bits), "{}", key_file.display());
    let expected_kind = match k.key_type.as_str() {
        "ssh-rsa" => "RSA",
        "ssh-ed25519" => "ED25519",
        t if t.starts_with("ecdsa-sha2-") => "ECDSA",
        t => panic!("unexpected key type {t}"),
    };
    assert_eq!(kind, expected_kind);
    // The blob is the one in the .pub file.
    let line = std::fs::read_to_string(pub_path(key_file)).expect("read .pub");
    let b64 = line.split_whitespace().nth(1).expect("base64 field");
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    assert_eq!(k.key_blob, blob);
}

const CIPHERS: &str = "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr";
const MACS: &str = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512";

/// server_info against an sshd with ed25519 and RSA keys and `kex`.
async fn check(kex: &str) -> SshServerInfo {
    let dir = tempfile::tempdir().expect("tempdir");
    let ed = keygen(dir.path(), "host_ed25519", &["-t", "ed25519"]);
    let rsa = keygen(dir.path(), "host_rsa", &["-t", "rsa", "-b", "3072"]);
    let sshd = start_sshd(
        dir.path(),
        &[&ed, &rsa],
        &format!("KexAlgorithms {kex}\nCiphers {CIPHERS}\nMACs {MACS}"),
    );
    let info = info_of(&sshd).await;
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

#[tokio::test]
async fn sshd_classical_kex() {
    check("curve25519-sha256,diffie-hellman-group14-sha256").await;
}

#[tokio::test]
async fn sshd_pq_hybrid_kex() {
    let info = check("sntrup761x25519-sha512@openssh.com,curve25519-sha256").await;
    assert!(info
        .kexinit
        .offers_kex("sntrup761x25519-sha512@openssh.com"));
    // The observations carry the hybrid kex with its status, and no marker.
    let obs = ssh::observations("127.0.0.1:22", &info, &[]);
    let sntrup = obs
        .iter()
        .find(|o| o.asset.id == "alg:sntrup761x25519-sha512@openssh.com")
        .expect("sntrup observed");
    assert_eq!(sntrup.asset.status(), mamori_model::CryptoStatus::Hybrid);
    assert!(!obs.iter().any(|o| o.asset.id.contains("kex-strict")));
    let proto = obs
        .iter()
        .find(|o| o.asset.id == "proto:ssh-2@127.0.0.1:22")
        .expect("protocol asset");
    let ctx = proto.occurrence.context.as_deref().unwrap_or_default();
    assert!(
        ctx.starts_with(&format!("server software {}", info.banner.software_version)),
        "{ctx}"
    );
}

/// The raw bytes a real sshd sends after our banner, up to the end of its KEXINIT packet,
/// cut with the public parsers.
async fn raw_exchange(sshd: &Sshd) -> Vec<u8> {
    let mut s = TcpStream::connect(sshd.addr).await.expect("connect");
    s.write_all(ssh::client_banner().as_bytes())
        .await
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
        let n = tokio::time::timeout(TIMEOUT, s.read(&mut chunk))
            .await
            .expect("sshd answers in time")
            .expect("read");
        assert!(n > 0, "sshd closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn every_truncation_of_a_real_exchange() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ed = keygen(dir.path(), "host_ed25519", &["-t", "ed25519"]);
    let sshd = start_sshd(dir.path(), &[&ed], "KexAlgorithms curve25519-sha256");
    let raw = raw_exchange(&sshd).await;
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

/// Runs the key detector on a file, as the disk scan does.
fn disk_scan(path: &Path) -> Output {
    let data = std::fs::read(path).expect("read key file");
    let p = path.to_string_lossy().to_string();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let f = FileInfo {
        path: &p,
        name: &name,
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    let d = mamori_fs::keys::KeyDetector;
    assert!(d.wants(&f, &data), "key detector ignores {p}");
    let mut out = Output::default();
    d.detect(&f, &data, &mut out);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    out
}

fn key_ids(obs: &[mamori_model::Observation]) -> Vec<String> {
    obs.iter()
        .filter(|o| o.asset.kind == AssetKind::Key)
        .map(|o| o.asset.id.clone())
        .collect()
}

#[tokio::test]
async fn host_keys_match_ssh_keygen_and_the_disk_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rsa = keygen(d, "ssh_host_rsa_key", &["-t", "rsa", "-b", "3072"]);
    let p256 = keygen(d, "ssh_host_ecdsa_key", &["-t", "ecdsa", "-b", "256"]);
    let p384 = keygen(d, "ssh_host_ecdsa384_key", &["-t", "ecdsa", "-b", "384"]);
    let ed = keygen(d, "ssh_host_ed25519_key", &["-t", "ed25519"]);
    let sshd = start_sshd(
        d,
        &[&rsa, &p256, &p384, &ed],
        "KexAlgorithms curve25519-sha256",
    );
    let info = info_of(&sshd).await;
    let offered = &info.kexinit.server_host_key_algorithms;
    for a in [
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ssh-ed25519",
    ] {
        assert!(offered.iter().any(|o| o == a), "{a} not in {offered:?}");
    }
    // OpenSSH 9.2 no longer offers SHA-1 RSA signatures by default.
    assert!(!offered.iter().any(|o| o == "ssh-rsa"), "{offered:?}");
    let mut keys = Vec::new();
    for (alg, file, curve) in [
        ("rsa-sha2-512", &rsa, None),
        ("ecdsa-sha2-nistp256", &p256, Some("P-256")),
        ("ecdsa-sha2-nistp384", &p384, Some("P-384")),
        ("ssh-ed25519", &ed, Some("Ed25519")),
    ] {
        let k = key_of(&sshd, &info.kexinit, alg).await;
        assert_same_key(&k, file);
        assert_eq!(k.algorithm, alg);
        assert_eq!(k.kex, "curve25519-sha256");
        assert_eq!(k.curve.as_deref(), curve);
        assert!(!k.certificate);
        assert_eq!(k.blob, k.key_blob);
        // The server signed with the algorithm asked for: it was negotiated.
        assert_eq!(k.signature_algorithm, alg);
        keys.push(k);
    }
    assert_eq!(keys[0].bits, Some(3072));
    // rsa-sha2-256 is the same RSA key, signed otherwise.
    let k256 = key_of(&sshd, &info.kexinit, "rsa-sha2-256").await;
    assert_eq!(
        (k256.fingerprint.as_str(), k256.signature_algorithm.as_str()),
        (keys[0].fingerprint.as_str(), "rsa-sha2-256")
    );

    // The observations: each host key is the asset the disk scan makes of the same key,
    // from the .pub file and from the private key file.
    let obs = ssh::observations(&sshd.addr.to_string(), &info, &keys);
    let wire_ids = key_ids(&obs);
    assert_eq!(wire_ids.len(), 4, "{wire_ids:?}");
    for file in [&rsa, &p256, &p384, &ed] {
        for f in [pub_path(file), file.clone()] {
            let disk = key_ids(&disk_scan(&f).observations);
            assert_eq!(disk.len(), 1, "{}: {disk:?}", f.display());
            assert!(
                wire_ids.contains(&disk[0]),
                "{}: {} not in {wire_ids:?}",
                f.display(),
                disk[0]
            );
        }
    }
    for o in &obs {
        assert_eq!(o.occurrence.detector, "net.ssh");
        assert_eq!(o.occurrence.location.path, sshd.addr.to_string());
    }
    assert!(obs.iter().any(|o| o.asset.id == "alg:ecdsa-sha2-nistp384"
        && o.occurrence.context.as_deref() == Some("host key algorithm offered")));
    assert!(obs
        .iter()
        .any(|o| o.asset.id == "alg:aes256-gcm@openssh.com"));
    assert!(obs.iter().any(|o| o.asset.id == "alg:RSA-3072"
        && o.occurrence.context.as_deref() == Some("host key algorithm")));
}

/// Every key exchange host_key runs, forced through the server's KexAlgorithms.
#[tokio::test]
async fn host_key_with_each_supported_kex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ed = keygen(dir.path(), "host_ed25519", &["-t", "ed25519"]);
    for kex in ssh::SUPPORTED_KEX {
        let sshd = start_sshd(dir.path(), &[&ed], &format!("KexAlgorithms {kex}"));
        let info = info_of(&sshd).await;
        assert_eq!(info.kexinit.kex_algorithms[0], kex);
        let k = key_of(&sshd, &info.kexinit, "ssh-ed25519").await;
        assert_eq!(k.kex, kex);
        assert_same_key(&k, &ed);
    }
}

#[tokio::test]
async fn kex_choice_and_refusals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ed = keygen(dir.path(), "host_ed25519", &["-t", "ed25519"]);
    // A post-quantum hybrid first: host_key falls back to what it can run.
    let sshd = start_sshd(
        dir.path(),
        &[&ed],
        "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256",
    );
    let info = info_of(&sshd).await;
    assert!(info.strict_kex);
    let k = key_of(&sshd, &info.kexinit, "ssh-ed25519").await;
    assert_eq!(k.kex, "curve25519-sha256");
    drop(sshd);
    // Only methods host_key cannot run: a clear error before anything is sent.
    let sshd = start_sshd(
        dir.path(),
        &[&ed],
        "KexAlgorithms sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256",
    );
    let info = info_of(&sshd).await;
    let e = try_key_of(sshd.addr, &info.kexinit, "ssh-ed25519")
        .await
        .unwrap_err();
    assert!(matches!(e, SshError::NoSupportedKex(_)), "{e}");
    assert!(e.to_string().contains("sntrup761x25519"), "{e}");
}

#[tokio::test]
async fn host_key_algorithms_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rsa = keygen(d, "host_rsa", &["-t", "rsa", "-b", "3072"]);
    let p384 = keygen(d, "host_ecdsa384", &["-t", "ecdsa", "-b", "384"]);
    let ed = keygen(d, "host_ed25519", &["-t", "ed25519"]);
    let sshd = start_sshd(
        d,
        &[&rsa, &p384, &ed],
        "KexAlgorithms ecdh-sha2-nistp384\nHostKeyAlgorithms rsa-sha2-256,ecdsa-sha2-nistp384",
    );
    let info = info_of(&sshd).await;
    assert_eq!(
        info.kexinit.server_host_key_algorithms,
        ["rsa-sha2-256", "ecdsa-sha2-nistp384"]
    );
    let k = key_of(&sshd, &info.kexinit, "rsa-sha2-256").await;
    assert_eq!(k.kex, "ecdh-sha2-nistp384");
    assert_same_key(&k, &rsa);
    let k = key_of(&sshd, &info.kexinit, "ecdsa-sha2-nistp384").await;
    assert_same_key(&k, &p384);
    // Not offered: refused before connecting further.
    let e = try_key_of(sshd.addr, &info.kexinit, "ssh-ed25519")
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the server does not offer the host key algorithm ssh-ed25519"
    );
    // A stale KEXINIT claiming ssh-ed25519: the server's own KEXINIT on the fresh
    // connection is checked.
    let mut stale = info.kexinit.clone();
    stale.server_host_key_algorithms.push("ssh-ed25519".into());
    let e = try_key_of(sshd.addr, &stale, "ssh-ed25519")
        .await
        .unwrap_err();
    assert_eq!(e.stage(), Some("reading the KEXINIT"));
    assert!(matches!(e.root(), SshError::NotOffered { .. }), "{e}");
}

#[tokio::test]
async fn host_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let ca = keygen(d, "ca", &["-t", "ed25519"]);
    let ed = keygen(d, "host_ed25519", &["-t", "ed25519"]);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-s"])
        .arg(&ca)
        .args(["-I", "mamori-host", "-h", "-n", "localhost"])
        .arg(pub_path(&ed))
        .status()
        .expect("ssh-keygen -s (Debian package openssh-client)");
    assert!(status.success());
    let cert = d.join("host_ed25519-cert.pub");
    let sshd = start_sshd(
        d,
        &[&ed],
        &format!(
            "HostCertificate {}\nKexAlgorithms ecdh-sha2-nistp256",
            cert.display()
        ),
    );
    let info = info_of(&sshd).await;
    let alg = "ssh-ed25519-cert-v01@openssh.com";
    assert!(
        info.kexinit
            .server_host_key_algorithms
            .iter()
            .any(|a| a == alg),
        "{:?}",
        info.kexinit.server_host_key_algorithms
    );
    let k = key_of(&sshd, &info.kexinit, alg).await;
    assert!(k.certificate);
    assert_eq!(k.key_type, "ssh-ed25519");
    // The fingerprint is the key's, as ssh-keygen -l prints for the key and its certificate.
    assert_same_key(&k, &ed);
    assert_eq!(keygen_l(&cert).1, k.fingerprint);
    let line = std::fs::read_to_string(&cert).expect("read cert");
    let cert_blob = base64::engine::general_purpose::STANDARD
        .decode(line.split_whitespace().nth(1).expect("cert base64"))
        .expect("base64");
    assert_eq!(k.blob, cert_blob);
    // The key asset is the one the disk scan makes of the plain key.
    let obs = ssh::observations("127.0.0.1:22", &info, std::slice::from_ref(&k));
    let disk = key_ids(&disk_scan(&pub_path(&ed)).observations);
    assert_eq!(key_ids(&obs), disk);
    let key = obs.iter().find(|o| o.asset.kind == AssetKind::Key).unwrap();
    assert_eq!(
        key.occurrence.context.as_deref(),
        Some("host key in an OpenSSH certificate, for ssh-ed25519-cert-v01@openssh.com")
    );
}

// ------------------------------------------------------------------ hostile servers

/// What a fake server does after sending its script.
#[derive(Clone, Copy)]
enum Then {
    /// Keeps the connection open (reading what comes) for this long.
    Hold(Duration),
    /// Closes its sending side at once (the client sees the end after the script).
    Close,
}

/// A one-connection fake server on 127.0.0.1 that sends `script` and then does `then`.
async fn fake(script: Vec<u8>, then: Then) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let Ok((mut s, _)) = l.accept().await else {
            return;
        };
        let _ = s.write_all(&script).await;
        let hold = match then {
            Then::Hold(d) => d,
            Then::Close => {
                let _ = s.shutdown().await;
                Duration::from_secs(5)
            }
        };
        // Read what the client sends until it closes, so that no reset loses data.
        let mut sink = [0u8; 4096];
        let _ = tokio::time::timeout(hold, async {
            while let Ok(n) = s.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    });
    (addr, task)
}

async fn probe_fake(script: &[u8], then: Then, within: Duration) -> SshError {
    let (addr, task) = fake(script.to_vec(), then).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let start = Instant::now();
    let e = ssh::server_info(&mut s, Instant::now() + within)
        .await
        .expect_err("a hostile server must give an error");
    assert!(start.elapsed() < within + Duration::from_secs(1), "{e}");
    drop(s);
    task.abort();
    e
}

const BANNER: &[u8] = b"SSH-2.0-evil\r\n";

#[tokio::test]
async fn hostile_servers_give_clear_errors_quickly() {
    let t = Duration::from_secs(3);
    // An HTTP-like server: long garbage lines, never an SSH banner.
    let e = probe_fake(&[b'x'; 1000], Then::Hold(t), t).await;
    assert!(matches!(e.root(), SshError::LineTooLong), "{e}");
    assert_eq!(e.stage(), Some("reading the banner"));
    // Nothing at all: the deadline.
    let short = Duration::from_millis(300);
    let e = probe_fake(b"", Then::Hold(t), short).await;
    assert!(matches!(e, SshError::Timeout("reading the banner")), "{e}");
    // A banner, then the largest packet length.
    let mut script = BANNER.to_vec();
    script.extend_from_slice(&[0xff; 4]);
    let e = probe_fake(&script, Then::Hold(t), t).await;
    assert_eq!(
        e.to_string(),
        "reading the KEXINIT: packet length 4294967295 exceeds 262144"
    );
    // A banner, then garbage: a packet length of 12 with padding_length 3.
    let mut script = BANNER.to_vec();
    script.extend_from_slice(&[0, 0, 0, 12, 3, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]);
    let e = probe_fake(&script, Then::Hold(t), t).await;
    assert!(
        matches!(e.root(), SshError::BadPadding { padding: 3, .. }),
        "{e}"
    );
    // A banner, a packet announced within the cap, then silence: the deadline, not a hang.
    let mut script = BANNER.to_vec();
    script.extend_from_slice(&200_004u32.to_be_bytes());
    script.extend_from_slice(&[4; 1000]);
    let e = probe_fake(&script, Then::Hold(t), short).await;
    assert!(matches!(e, SshError::Timeout("reading the KEXINIT")), "{e}");
    // A banner, then the server hangs up.
    let e = probe_fake(BANNER, Then::Close, t).await;
    assert!(matches!(e, SshError::Closed("reading the KEXINIT")), "{e}");
    // A banner, then SSH_MSG_DISCONNECT.
    let mut msg = vec![1, 0, 0, 0, 2];
    msg.extend_from_slice(&7u32.to_be_bytes());
    msg.extend_from_slice(b"go away");
    msg.extend_from_slice(&0u32.to_be_bytes());
    let mut script = BANNER.to_vec();
    script.extend(ssh::write_packet(&msg));
    let e = probe_fake(&script, Then::Hold(t), t).await;
    assert!(
        matches!(e.root(), SshError::Disconnected { code: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("go away"), "{e}");
    // A banner, then another message than KEXINIT.
    let mut script = BANNER.to_vec();
    script.extend(ssh::write_packet(&[21]));
    let e = probe_fake(&script, Then::Hold(t), t).await;
    assert!(matches!(e.root(), SshError::UnexpectedMessage(21)), "{e}");
}

/// A KEXINIT such as a server sends (OpenSSH-like lists).
fn server_kexinit_payload() -> Vec<u8> {
    let mut p = vec![20];
    p.extend_from_slice(&[7; 16]);
    for list in [
        "curve25519-sha256,kex-strict-s-v00@openssh.com",
        "ssh-ed25519",
        "aes128-ctr",
        "aes128-ctr",
        "hmac-sha2-256",
        "hmac-sha2-256",
        "none",
        "none",
        "",
        "",
    ] {
        p.extend_from_slice(&(list.len() as u32).to_be_bytes());
        p.extend_from_slice(list.as_bytes());
    }
    p.push(0);
    p.extend_from_slice(&[0; 4]);
    p
}

async fn host_key_fake(after_kexinit: &[u8], then: Then, within: Duration) -> SshError {
    let kexinit = ssh::parse_kexinit(&server_kexinit_payload()).expect("test KEXINIT");
    let mut script = BANNER.to_vec();
    script.extend(ssh::write_packet(&server_kexinit_payload()));
    script.extend_from_slice(after_kexinit);
    let (addr, task) = fake(script, then).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let start = Instant::now();
    let e = ssh::host_key(&mut s, Instant::now() + within, &kexinit, "ssh-ed25519")
        .await
        .expect_err("a hostile server must give an error");
    assert!(start.elapsed() < within + Duration::from_secs(1), "{e}");
    drop(s);
    task.abort();
    e
}

#[tokio::test]
async fn hostile_key_exchange_replies() {
    let t = Duration::from_secs(3);
    const STAGE: &str = "reading the key exchange reply";
    // The server stalls after its KEXINIT.
    let e = host_key_fake(b"", Then::Hold(t), Duration::from_millis(300)).await;
    assert!(matches!(e, SshError::Timeout(STAGE)), "{e}");
    // It hangs up.
    let e = host_key_fake(b"", Then::Close, t).await;
    assert!(matches!(e, SshError::Closed(STAGE)), "{e}");
    // A reply packet longer than the cap.
    let e = host_key_fake(&(1u32 << 20).to_be_bytes(), Then::Hold(t), t).await;
    assert_eq!(e.stage(), Some(STAGE));
    assert!(matches!(e.root(), SshError::PacketTooLong(_)), "{e}");
    // A reply whose host key length points past the packet.
    let mut reply = vec![31];
    reply.extend_from_slice(&u32::MAX.to_be_bytes());
    let e = host_key_fake(&ssh::write_packet(&reply), Then::Hold(t), t).await;
    assert!(matches!(e.root(), SshError::BadKexReply(_)), "{e}");
    assert!(e.to_string().starts_with(STAGE), "{e}");
    // A well-formed reply with a garbage host key.
    let mut reply = vec![31];
    for f in [
        &b"\0\0\0\x0bssh-ed25519\0\0\0\x03abc"[..],
        &[9; 32],
        b"\0\0\0\x01x",
    ] {
        reply.extend_from_slice(&(f.len() as u32).to_be_bytes());
        reply.extend_from_slice(f);
    }
    let e = host_key_fake(&ssh::write_packet(&reply), Then::Hold(t), t).await;
    assert!(matches!(e.root(), SshError::BadHostKey(_)), "{e}");
    // A wrong-sized curve25519 public value.
    let mut reply = vec![31];
    let mut hk = b"\0\0\0\x0bssh-ed25519\0\0\0\x20".to_vec();
    hk.extend_from_slice(&[1; 32]);
    for f in [&hk[..], &[9; 31], b"\0\0\0\x01x"] {
        reply.extend_from_slice(&(f.len() as u32).to_be_bytes());
        reply.extend_from_slice(f);
    }
    let e = host_key_fake(&ssh::write_packet(&reply), Then::Hold(t), t).await;
    assert!(
        e.to_string()
            .contains("public value of 31 bytes, expected 32"),
        "{e}"
    );
    // The server refuses with SSH_MSG_DISCONNECT.
    let mut msg = vec![1];
    msg.extend_from_slice(&3u32.to_be_bytes());
    msg.extend_from_slice(&(11u32).to_be_bytes());
    msg.extend_from_slice(b"no matching");
    msg.extend_from_slice(&0u32.to_be_bytes());
    let e = host_key_fake(&ssh::write_packet(&msg), Then::Hold(t), t).await;
    assert!(
        matches!(e.root(), SshError::Disconnected { code: 3, .. }),
        "{e}"
    );
    // Another message instead of the reply.
    let e = host_key_fake(&ssh::write_packet(&[21]), Then::Hold(t), t).await;
    assert!(
        matches!(e.root(), SshError::UnexpectedReply { got: 21, .. }),
        "{e}"
    );
    // A valid reply is accepted by the same fake (the test harness itself is sound).
    let mut reply = vec![31];
    let sig = b"\0\0\0\x0bssh-ed25519\0\0\0\x40"
        .iter()
        .copied()
        .chain([5; 64])
        .collect::<Vec<u8>>();
    for f in [&hk[..], &[9; 32], &sig[..]] {
        reply.extend_from_slice(&(f.len() as u32).to_be_bytes());
        reply.extend_from_slice(f);
    }
    let kexinit = ssh::parse_kexinit(&server_kexinit_payload()).unwrap();
    let mut script = BANNER.to_vec();
    script.extend(ssh::write_packet(&server_kexinit_payload()));
    script.extend(ssh::write_packet(&reply));
    let (addr, task) = fake(script, Then::Hold(t)).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let k = ssh::host_key(&mut s, deadline(), &kexinit, "ssh-ed25519")
        .await
        .unwrap();
    assert_eq!((k.key_type.as_str(), k.bits), ("ssh-ed25519", Some(256)));
    assert_eq!(k.key_blob, hk);
    drop(s);
    task.abort();
}

/// The whole SSH survey through `collect`, as `mamori scan ssh://…` and a bare `host:port`
/// run it: every host key once (RSA once for its three signature names), the endpoint's
/// findings inputs, and the same key assets as the disk scan of the key files.
#[tokio::test]
async fn collect_surveys_sshd_by_scheme_and_by_sniffing() {
    use mamori_net::collect::{collect_async, NetOptions};
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rsa = keygen(d, "ssh_host_rsa_key", &["-t", "rsa", "-b", "2048"]);
    let ed = keygen(d, "ssh_host_ed25519_key", &["-t", "ed25519"]);
    let p256 = keygen(d, "ssh_host_ecdsa_key", &["-t", "ecdsa", "-b", "256"]);
    let p384 = keygen(d, "ssh_host_ecdsa384_key", &["-t", "ecdsa", "-b", "384"]);
    let sshd = start_sshd(
        d,
        &[&rsa, &ed, &p256, &p384],
        "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n",
    );
    let port = sshd.addr.port();
    let targets: Vec<_> = [
        format!("ssh://127.0.0.1:{port}"),
        format!("127.0.0.1:{port}"),
    ]
    .iter()
    .flat_map(|t| mamori_net::target::parse_target(t).expect("target"))
    .collect();
    let r = collect_async(&targets, &NetOptions::default()).await;
    assert_eq!(r.endpoints.len(), 2);
    let mut want: Vec<(u32, String)> = [&rsa, &ed, &p256, &p384]
        .iter()
        .map(|k| {
            let (bits, fp, _) = keygen_l(&pub_path(k));
            (bits, fp)
        })
        .collect();
    want.sort();
    for (ep, sniffed) in r.endpoints.iter().zip([0, 1]) {
        assert_eq!(ep.service, "ssh", "{ep:?}");
        assert!(ep.error.is_none(), "{:?} {}", ep.error, sshd.log_text());
        let s = ep.ssh.as_ref().expect("ssh posture");
        assert!(s.pq_key_exchange && s.strict_kex);
        assert!(s.software.starts_with("OpenSSH_"), "{}", s.software);
        let mut got: Vec<(u32, String)> = s
            .host_keys
            .iter()
            .map(|k| (k.bits.unwrap_or(0), k.fingerprint.clone()))
            .collect();
        got.sort();
        assert_eq!(got, want);
        // one round of three connections (banner, KEXINIT and a host key each), one more
        // for the fourth key, and for a bare host:port the one that listened first
        assert_eq!(ep.connections, 4 + sniffed, "{ep:?}");
    }
    // the host keys are the disk scan's key assets, located at the endpoint
    let mut disk: Vec<String> = [&rsa, &ed, &p256, &p384]
        .iter()
        .flat_map(|k| key_ids(&disk_scan(&pub_path(k)).observations))
        .collect();
    disk.sort();
    disk.dedup();
    let mut wire: Vec<String> = key_ids(&r.observations);
    wire.sort();
    wire.dedup();
    assert_eq!(wire, disk);
    assert!(r
        .observations
        .iter()
        .any(|o| o.asset.id == format!("proto:ssh-2@127.0.0.1:{port}")));
    // the server software as the disk scan names the sshd binary's library
    let software = &r.endpoints[0].ssh.as_ref().unwrap().software;
    let v = software.strip_prefix("OpenSSH_").expect("OpenSSH");
    let lib = r
        .observations
        .iter()
        .find(|o| o.asset.id == format!("lib:OpenSSH@{v}"))
        .expect("OpenSSH library asset");
    assert_eq!(lib.asset.library.as_ref().unwrap().linkage, "service");
}
