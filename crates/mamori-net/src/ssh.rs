//! SSH (RFC 4253): the identification exchange, the binary packet layer before keys are
//! agreed, and the server's `SSH_MSG_KEXINIT`.
//!
//! What a server offers is learned without completing a key exchange: mamori sends its
//! identification string, reads the server's (skipping the other lines a server may send
//! first), then reads the server's KEXINIT, which servers send right after the banner
//! exchange without waiting for ours.
//!
//! Every parser here works on untrusted bytes and never panics; every length is checked
//! before it is trusted, and the total read is bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Longest line accepted before or as the identification string, CR LF included
/// (RFC 4253 §4.2).
pub const MAX_LINE_LEN: usize = 255;
/// Most bytes read while looking for the identification string.
pub const MAX_BANNER_BYTES: usize = 8 * 1024;
/// Largest `packet_length` accepted (RFC 4253 §6.1: implementations must handle 35000).
pub const MAX_PACKET_LEN: u32 = 35_000;
/// Smallest `packet_length`: a packet is at least 16 bytes, its 4-byte length included.
pub const MIN_PACKET_LEN: u32 = 12;
/// Message number of `SSH_MSG_KEXINIT`.
pub const SSH_MSG_KEXINIT: u8 = 20;
/// Marker a server lists among its kex algorithms when it implements strict key exchange
/// (OpenSSH's mitigation of the Terrapin attack, CVE-2023-48795).
pub const KEX_STRICT_SERVER: &str = "kex-strict-s-v00@openssh.com";
/// Marker a server lists among its kex algorithms when it accepts `SSH_MSG_EXT_INFO`
/// (RFC 8308).
pub const EXT_INFO_SERVER: &str = "ext-info-s";
/// Longest algorithm name (RFC 4251 §6).
const MAX_NAME_LEN: usize = 64;
/// Packets skipped (`SSH_MSG_IGNORE`, `SSH_MSG_DEBUG`) before the KEXINIT at most.
const MAX_SKIPPED_PACKETS: usize = 16;

/// What went wrong talking to or parsing an SSH server.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// A socket operation failed.
    #[error("{stage}: {source}")]
    Io {
        /// What mamori was doing.
        stage: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The server did not answer in time.
    #[error("timed out while {0}")]
    Timeout(&'static str),
    /// The server closed the connection.
    #[error("connection closed by the server while {0}")]
    Closed(&'static str),
    /// A line before or as the identification string was too long.
    #[error("banner line longer than {MAX_LINE_LEN} bytes")]
    LineTooLong,
    /// No identification string within [`MAX_BANNER_BYTES`].
    #[error("no SSH identification string within {MAX_BANNER_BYTES} bytes")]
    NoBanner,
    /// The identification string is malformed.
    #[error("malformed SSH identification string: {0}")]
    BadBanner(String),
    /// The server speaks an SSH protocol version other than 2.0 / 1.99.
    #[error("SSH protocol version {0} is not supported (only 2.0 and 1.99)")]
    UnsupportedVersion(String),
    /// `packet_length` above [`MAX_PACKET_LEN`].
    #[error("packet length {0} exceeds {MAX_PACKET_LEN}")]
    PacketTooLong(u32),
    /// `packet_length` below [`MIN_PACKET_LEN`].
    #[error("packet length {0} is below the minimum of {MIN_PACKET_LEN}")]
    PacketTooShort(u32),
    /// The packet is not a multiple of the 8-byte block size.
    #[error("packet length {0} + 4 is not a multiple of 8")]
    PacketMisaligned(u32),
    /// `padding_length` is too small or does not fit the packet.
    #[error(
        "padding length {padding} invalid for packet length {packet} (needs 4..packet length)"
    )]
    BadPadding {
        /// `padding_length`.
        padding: u8,
        /// `packet_length`.
        packet: u32,
    },
    /// A packet without a message number.
    #[error("empty packet payload")]
    EmptyPayload,
    /// A message other than KEXINIT where KEXINIT was expected.
    #[error("expected SSH_MSG_KEXINIT (20), got message {0}")]
    UnexpectedMessage(u8),
    /// Too many `SSH_MSG_IGNORE`/`SSH_MSG_DEBUG` packets before the KEXINIT.
    #[error("more than {MAX_SKIPPED_PACKETS} ignore/debug packets before KEXINIT")]
    TooManyPackets,
    /// The KEXINIT ends before a field.
    #[error("KEXINIT truncated in {0}")]
    KexInitTruncated(&'static str),
    /// A name-list of the KEXINIT is malformed.
    #[error("KEXINIT {field}: {problem}")]
    BadNameList {
        /// Which name-list.
        field: &'static str,
        /// What was wrong.
        problem: String,
    },
}

/// A parsed identification string: `SSH-protoversion-softwareversion SP comments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// `2.0` or `1.99`.
    pub proto_version: String,
    /// E.g. `OpenSSH_9.2p1`.
    pub software_version: String,
    /// What follows the first space, e.g. `Debian-2+deb12u3`.
    pub comments: Option<String>,
}

/// The server's `SSH_MSG_KEXINIT` (RFC 4253 §7.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KexInit {
    /// The 16 random bytes.
    pub cookie: [u8; 16],
    /// Key exchange algorithms, including markers like `ext-info-s`.
    pub kex_algorithms: Vec<String>,
    /// Host key (signature) algorithms.
    pub server_host_key_algorithms: Vec<String>,
    /// Ciphers client to server.
    pub encryption_client_to_server: Vec<String>,
    /// Ciphers server to client.
    pub encryption_server_to_client: Vec<String>,
    /// MACs client to server.
    pub mac_client_to_server: Vec<String>,
    /// MACs server to client.
    pub mac_server_to_client: Vec<String>,
    /// Compression client to server.
    pub compression_client_to_server: Vec<String>,
    /// Compression server to client.
    pub compression_server_to_client: Vec<String>,
    /// Language tags client to server (usually empty).
    pub languages_client_to_server: Vec<String>,
    /// Language tags server to client (usually empty).
    pub languages_server_to_client: Vec<String>,
    /// Whether a guessed key exchange packet follows.
    pub first_kex_packet_follows: bool,
    /// The reserved field (0 by the RFC).
    pub reserved: u32,
}

impl KexInit {
    /// Whether a kex name (or marker) is listed.
    pub fn offers_kex(&self, name: &str) -> bool {
        self.kex_algorithms.iter().any(|k| k == name)
    }
}

/// What an SSH server told mamori before any key was agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshServerInfo {
    /// The server's identification string.
    pub banner: Banner,
    /// Lines the server sent before its identification string (lossy UTF-8, line end removed).
    pub pre_banner_lines: Vec<String>,
    /// The server's KEXINIT.
    pub kexinit: KexInit,
    /// The server implements strict key exchange (lists [`KEX_STRICT_SERVER`]): the Terrapin
    /// mitigation.
    pub strict_kex: bool,
    /// The server accepts extension negotiation (lists [`EXT_INFO_SERVER`], RFC 8308).
    pub ext_info: bool,
}

/// mamori's identification string, CR LF included.
pub fn client_banner() -> String {
    format!("SSH-2.0-mamori_{}\r\n", env!("CARGO_PKG_VERSION"))
}

/// Parses one identification line, `SSH-protoversion-softwareversion[ SP comments]`, with or
/// without its trailing CR LF (or bare LF).
pub fn parse_banner_line(line: &[u8]) -> Result<Banner, SshError> {
    // The limit counts the line end; a line given without one is counted with CR LF.
    let wire_len = if line.ends_with(b"\n") {
        line.len()
    } else {
        line.len() + 2
    };
    if wire_len > MAX_LINE_LEN {
        return Err(SshError::LineTooLong);
    }
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let rest = line
        .strip_prefix(b"SSH-")
        .ok_or_else(|| SshError::BadBanner("does not start with \"SSH-\"".into()))?;
    if let Some(b) = rest.iter().find(|b| !(0x20..0x7f).contains(*b)) {
        return Err(SshError::BadBanner(format!(
            "byte 0x{b:02x} is not printable US-ASCII"
        )));
    }
    // Checked ASCII above: this cannot fail, but stays non-panicking.
    let rest = std::str::from_utf8(rest).map_err(|_| SshError::BadBanner("not US-ASCII".into()))?;
    let (ident, comments) = match rest.split_once(' ') {
        Some((i, c)) => (i, Some(c.to_string())),
        None => (rest, None),
    };
    let (proto, software) = ident
        .split_once('-')
        .ok_or_else(|| SshError::BadBanner("no \"-\" after the protocol version".into()))?;
    if proto.is_empty() {
        return Err(SshError::BadBanner("empty protocol version".into()));
    }
    if proto != "2.0" && proto != "1.99" {
        return Err(SshError::UnsupportedVersion(proto.to_string()));
    }
    if software.is_empty() {
        return Err(SshError::BadBanner("empty software version".into()));
    }
    Ok(Banner {
        proto_version: proto.to_string(),
        software_version: software.to_string(),
        comments,
    })
}

/// Looks for the identification string at the start of what the server sent.
///
/// Lines not starting with `SSH-` before it are collected (RFC 4253 §4.2). Returns `None`
/// while more bytes are needed, otherwise the banner, the preceding lines and how many bytes
/// were consumed (everything up to and including the banner's line end).
#[allow(clippy::type_complexity)]
pub fn find_banner(buf: &[u8]) -> Result<Option<(Banner, Vec<String>, usize)>, SshError> {
    let mut pos = 0usize;
    let mut lines = Vec::new();
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            if rest.len() >= MAX_LINE_LEN {
                return Err(SshError::LineTooLong);
            }
            if buf.len() >= MAX_BANNER_BYTES {
                return Err(SshError::NoBanner);
            }
            return Ok(None);
        };
        let line = rest.get(..=nl).unwrap_or_default();
        if line.len() > MAX_LINE_LEN {
            return Err(SshError::LineTooLong);
        }
        let end = pos + line.len();
        if end > MAX_BANNER_BYTES {
            return Err(SshError::NoBanner);
        }
        if line.starts_with(b"SSH-") {
            return Ok(Some((parse_banner_line(line)?, lines, end)));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        lines.push(String::from_utf8_lossy(text).into_owned());
        pos = end;
    }
}

/// Parses one binary packet sent before keys are agreed (no encryption, no MAC).
///
/// Returns `None` while `buf` holds less than a whole packet, otherwise the payload and how
/// many bytes the packet took.
pub fn parse_packet(buf: &[u8]) -> Result<Option<(&[u8], usize)>, SshError> {
    let Some(len_bytes) = buf.get(..4) else {
        return Ok(None);
    };
    let packet_len = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    if packet_len > MAX_PACKET_LEN {
        return Err(SshError::PacketTooLong(packet_len));
    }
    if packet_len < MIN_PACKET_LEN {
        return Err(SshError::PacketTooShort(packet_len));
    }
    if (packet_len + 4) % 8 != 0 {
        return Err(SshError::PacketMisaligned(packet_len));
    }
    let total = 4 + packet_len as usize;
    let Some(packet) = buf.get(4..total) else {
        return Ok(None);
    };
    let Some((&padding, body)) = packet.split_first() else {
        return Ok(None);
    };
    if padding < 4 || usize::from(padding) > body.len() {
        return Err(SshError::BadPadding {
            padding,
            packet: packet_len,
        });
    }
    let payload = body
        .get(..body.len() - usize::from(padding))
        .unwrap_or_default();
    if payload.is_empty() {
        return Err(SshError::EmptyPayload);
    }
    Ok(Some((payload, total)))
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], SshError> {
        if self.buf.len() < n {
            return Err(SshError::KexInitTruncated(field));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, SshError> {
        let b = self.take(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn name_list(&mut self, field: &'static str) -> Result<Vec<String>, SshError> {
        let len = self.u32(field)?;
        let len = usize::try_from(len).map_err(|_| SshError::KexInitTruncated(field))?;
        let bytes = self.take(len, field)?;
        parse_name_list(bytes).map_err(|problem| SshError::BadNameList { field, problem })
    }
}

fn parse_name_list(bytes: &[u8]) -> Result<Vec<String>, String> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(b) = bytes.iter().find(|b| !(0x21..0x7f).contains(*b)) {
        return Err(format!("byte 0x{b:02x} is not printable US-ASCII"));
    }
    bytes
        .split(|&b| b == b',')
        .map(|name| {
            if name.is_empty() {
                return Err("empty name".to_string());
            }
            let name = String::from_utf8_lossy(name).into_owned();
            if name.len() > MAX_NAME_LEN {
                return Err(format!("name longer than {MAX_NAME_LEN} bytes: {name}"));
            }
            Ok(name)
        })
        .collect()
}

/// Parses an `SSH_MSG_KEXINIT` payload (message number included).
///
/// Bytes after the `reserved` field are ignored, as OpenSSH does.
pub fn parse_kexinit(payload: &[u8]) -> Result<KexInit, SshError> {
    let mut r = Reader { buf: payload };
    let msg = r.take(1, "message number")?;
    if let Some(&m) = msg.first() {
        if m != SSH_MSG_KEXINIT {
            return Err(SshError::UnexpectedMessage(m));
        }
    }
    let mut cookie = [0u8; 16];
    cookie.copy_from_slice(r.take(16, "cookie")?);
    let kex_algorithms = r.name_list("kex_algorithms")?;
    let server_host_key_algorithms = r.name_list("server_host_key_algorithms")?;
    let encryption_client_to_server = r.name_list("encryption_algorithms_client_to_server")?;
    let encryption_server_to_client = r.name_list("encryption_algorithms_server_to_client")?;
    let mac_client_to_server = r.name_list("mac_algorithms_client_to_server")?;
    let mac_server_to_client = r.name_list("mac_algorithms_server_to_client")?;
    let compression_client_to_server = r.name_list("compression_algorithms_client_to_server")?;
    let compression_server_to_client = r.name_list("compression_algorithms_server_to_client")?;
    let languages_client_to_server = r.name_list("languages_client_to_server")?;
    let languages_server_to_client = r.name_list("languages_server_to_client")?;
    let follows = r.take(1, "first_kex_packet_follows")?;
    let first_kex_packet_follows = follows.first().is_some_and(|&b| b != 0);
    let reserved = r.u32("reserved")?;
    Ok(KexInit {
        cookie,
        kex_algorithms,
        server_host_key_algorithms,
        encryption_client_to_server,
        encryption_server_to_client,
        mac_client_to_server,
        mac_server_to_client,
        compression_client_to_server,
        compression_server_to_client,
        languages_client_to_server,
        languages_server_to_client,
        first_kex_packet_follows,
        reserved,
    })
}

/// Reads packets from the start of `buf` (what followed the banner) until the KEXINIT,
/// skipping `SSH_MSG_IGNORE` (2) and `SSH_MSG_DEBUG` (4). `None` while more bytes are needed.
pub fn find_kexinit(buf: &[u8]) -> Result<Option<KexInit>, SshError> {
    let mut pos = 0usize;
    for _ in 0..=MAX_SKIPPED_PACKETS {
        let Some((payload, used)) = parse_packet(buf.get(pos..).unwrap_or_default())? else {
            return Ok(None);
        };
        match payload.first() {
            Some(2) | Some(4) => pos += used,
            _ => return parse_kexinit(payload).map(Some),
        }
    }
    Err(SshError::TooManyPackets)
}

/// Builds the report from a banner and a KEXINIT.
pub fn server_info(
    banner: Banner,
    pre_banner_lines: Vec<String>,
    kexinit: KexInit,
) -> SshServerInfo {
    SshServerInfo {
        strict_kex: kexinit.offers_kex(KEX_STRICT_SERVER),
        ext_info: kexinit.offers_kex(EXT_INFO_SERVER),
        banner,
        pre_banner_lines,
        kexinit,
    }
}

fn io_err(stage: &'static str, e: std::io::Error) -> SshError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => SshError::Timeout(stage),
        _ => SshError::Io { stage, source: e },
    }
}

/// Reads more bytes into `buf`, within the deadline.
fn read_more(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
    stage: &'static str,
) -> Result<(), SshError> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(SshError::Timeout(stage))?;
    stream
        .set_read_timeout(Some(left))
        .map_err(|e| io_err(stage, e))?;
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Err(SshError::Closed(stage)),
            Ok(n) => {
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                return Ok(());
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(stage, e)),
        }
    }
}

/// Connects to an SSH server, exchanges identification strings and reads the server's
/// KEXINIT. `timeout` bounds the whole probe. mamori sends no KEXINIT of its own and closes
/// the connection afterwards.
pub fn probe(addr: SocketAddr, timeout: Duration) -> Result<SshServerInfo, SshError> {
    let deadline = Instant::now() + timeout;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| io_err("connecting", e))?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| io_err("sending the banner", e))?;
    stream
        .write_all(client_banner().as_bytes())
        .map_err(|e| io_err("sending the banner", e))?;
    let mut buf = Vec::with_capacity(4096);
    let (banner, lines, used) = loop {
        if let Some(found) = find_banner(&buf)? {
            break found;
        }
        read_more(&mut stream, &mut buf, deadline, "reading the banner")?;
    };
    buf.drain(..used.min(buf.len()));
    let kexinit = loop {
        if let Some(k) = find_kexinit(&buf)? {
            break k;
        }
        read_more(&mut stream, &mut buf, deadline, "reading the KEXINIT")?;
    };
    Ok(server_info(banner, lines, kexinit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_list(out: &mut Vec<u8>, names: &[&str]) {
        let s = names.join(",");
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }

    /// A KEXINIT payload built field by field per RFC 4253 §7.1, with OpenSSH 9.2's lists.
    fn kexinit_payload(kex: &[&str]) -> Vec<u8> {
        let mut p = vec![SSH_MSG_KEXINIT];
        p.extend_from_slice(&[0xA5; 16]);
        name_list(&mut p, kex);
        name_list(&mut p, &["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"]);
        let ciphers = [
            "chacha20-poly1305@openssh.com",
            "aes128-ctr",
            "aes256-gcm@openssh.com",
        ];
        name_list(&mut p, &ciphers);
        name_list(&mut p, &ciphers);
        let macs = ["umac-64-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"];
        name_list(&mut p, &macs);
        name_list(&mut p, &macs);
        name_list(&mut p, &["none", "zlib@openssh.com"]);
        name_list(&mut p, &["none", "zlib@openssh.com"]);
        name_list(&mut p, &[]);
        name_list(&mut p, &[]);
        p.push(0);
        p.extend_from_slice(&0u32.to_be_bytes());
        p
    }

    fn packet(payload: &[u8]) -> Vec<u8> {
        let mut pad = 8 - (payload.len() + 5) % 8;
        if pad < 4 {
            pad += 8;
        }
        let len = (payload.len() + 1 + pad) as u32;
        let mut out = len.to_be_bytes().to_vec();
        out.push(pad as u8);
        out.extend_from_slice(payload);
        out.extend(std::iter::repeat_n(0u8, pad));
        out
    }

    const KEX: [&str; 5] = [
        "sntrup761x25519-sha512@openssh.com",
        "curve25519-sha256",
        "mlkem768x25519-sha256",
        "ext-info-s",
        "kex-strict-s-v00@openssh.com",
    ];

    #[test]
    fn kexinit_byte_exact() {
        let p = kexinit_payload(&KEX);
        // Spot-check the layout: message number, cookie, then the first name-list length.
        assert_eq!(p[0], 20);
        let first_len = u32::from_be_bytes([p[17], p[18], p[19], p[20]]) as usize;
        assert_eq!(first_len, KEX.join(",").len());
        let k = parse_kexinit(&p).unwrap();
        assert_eq!(k.cookie, [0xA5; 16]);
        assert_eq!(k.kex_algorithms, KEX);
        assert!(k.offers_kex("mlkem768x25519-sha256"));
        assert_eq!(
            k.server_host_key_algorithms,
            ["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"]
        );
        assert_eq!(k.encryption_server_to_client.len(), 3);
        assert_eq!(k.mac_client_to_server[1], "hmac-sha2-256-etm@openssh.com");
        assert_eq!(k.compression_server_to_client, ["none", "zlib@openssh.com"]);
        assert!(k.languages_client_to_server.is_empty());
        assert!(!k.first_kex_packet_follows);
        assert_eq!(k.reserved, 0);
        let info = server_info(parse_banner_line(b"SSH-2.0-x\r\n").unwrap(), vec![], k);
        assert!(info.strict_kex && info.ext_info);
    }

    #[test]
    fn no_strict_kex_without_marker() {
        let k = parse_kexinit(&kexinit_payload(&["curve25519-sha256"])).unwrap();
        let info = server_info(parse_banner_line(b"SSH-2.0-x").unwrap(), vec![], k);
        assert!(!info.strict_kex && !info.ext_info);
    }

    #[test]
    fn packet_roundtrip_and_truncations() {
        let payload = kexinit_payload(&KEX);
        let mut wire = packet(&payload);
        wire.extend_from_slice(b"next");
        let (got, used) = parse_packet(&wire).unwrap().unwrap();
        assert_eq!(got, &payload[..]);
        assert_eq!(used, wire.len() - 4);
        for n in 0..used {
            assert!(parse_packet(&wire[..n]).unwrap().is_none(), "prefix {n}");
            assert!(find_kexinit(&wire[..n]).unwrap().is_none());
        }
        for n in 0..payload.len() {
            assert!(parse_kexinit(&payload[..n]).is_err(), "payload prefix {n}");
        }
    }

    #[test]
    fn packet_errors() {
        let e = parse_packet(&[0xff, 0xff, 0xff, 0xff]).unwrap_err();
        assert_eq!(e.to_string(), "packet length 4294967295 exceeds 35000");
        assert!(matches!(
            parse_packet(&[0, 0, 0, 4]),
            Err(SshError::PacketTooShort(4))
        ));
        assert!(matches!(
            parse_packet(&[0, 0, 0, 13]),
            Err(SshError::PacketMisaligned(13))
        ));
        // padding_length 3 (< 4) and padding longer than the packet.
        let mut p = vec![0, 0, 0, 12, 3];
        p.extend_from_slice(&[20; 11]);
        assert!(matches!(
            parse_packet(&p),
            Err(SshError::BadPadding { padding: 3, .. })
        ));
        p[4] = 12;
        assert!(matches!(
            parse_packet(&p),
            Err(SshError::BadPadding { padding: 12, .. })
        ));
        p[4] = 11;
        assert!(matches!(parse_packet(&p), Err(SshError::EmptyPayload)));
    }

    #[test]
    fn kexinit_errors() {
        let mut p = kexinit_payload(&KEX);
        p[0] = 21;
        assert!(matches!(
            parse_kexinit(&p),
            Err(SshError::UnexpectedMessage(21))
        ));
        let bad = |kex: &[&str]| {
            parse_kexinit(&kexinit_payload(kex))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(bad(&["a", "", "b"]), "KEXINIT kex_algorithms: empty name");
        assert!(bad(&["a b"]).contains("0x20 is not printable"));
        assert!(bad(&["é"]).contains("0xc3"));
        assert!(bad(&[&"x".repeat(65)]).contains("longer than 64"));
        // A name-list length pointing past the end.
        let mut p = kexinit_payload(&KEX);
        p[17..21].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            parse_kexinit(&p).unwrap_err().to_string(),
            "KEXINIT truncated in kex_algorithms"
        );
    }

    #[test]
    fn ignore_packets_skipped_then_other_message_refused() {
        let mut wire = packet(&[2, 0, 0, 0, 0]);
        wire.extend(packet(&kexinit_payload(&KEX)));
        assert_eq!(find_kexinit(&wire).unwrap().unwrap().kex_algorithms, KEX);
        let wire = packet(&[21]);
        assert!(matches!(
            find_kexinit(&wire),
            Err(SshError::UnexpectedMessage(21))
        ));
        let wire: Vec<u8> = (0..=MAX_SKIPPED_PACKETS)
            .flat_map(|_| packet(&[4, 0]))
            .collect();
        assert!(matches!(find_kexinit(&wire), Err(SshError::TooManyPackets)));
    }

    #[test]
    fn banner_lines() {
        let b = parse_banner_line(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n").unwrap();
        assert_eq!(b.proto_version, "2.0");
        assert_eq!(b.software_version, "OpenSSH_9.2p1");
        assert_eq!(b.comments.as_deref(), Some("Debian-2+deb12u3"));
        let b = parse_banner_line(b"SSH-1.99-Cisco-1.25\n").unwrap();
        assert_eq!(
            (b.proto_version.as_str(), b.software_version.as_str()),
            ("1.99", "Cisco-1.25")
        );
        assert_eq!(b.comments, None);
        assert!(matches!(
            parse_banner_line(b"SSH-1.5-old\r\n"),
            Err(SshError::UnsupportedVersion(v)) if v == "1.5"
        ));
        assert!(parse_banner_line(b"SSH-2.0-\r\n").is_err());
        assert!(parse_banner_line(b"SSH-2.0\r\n").is_err());
        assert!(parse_banner_line(b"SSH--x\r\n").is_err());
        assert!(parse_banner_line(b"SSH-2.0-a\0b\r\n").is_err());
        assert!(parse_banner_line(b"HTTP/1.1 400\r\n").is_err());
    }

    #[test]
    fn banner_after_other_lines() {
        let data = b"Welcome\r\nauthorized use only\nSSH-2.0-dropbear_2022.83\r\n\0\0\0\x0c";
        let (b, lines, used) = find_banner(data).unwrap().unwrap();
        assert_eq!(b.software_version, "dropbear_2022.83");
        assert_eq!(lines, ["Welcome", "authorized use only"]);
        assert_eq!(&data[used..], b"\0\0\0\x0c");
        for n in 0..used {
            assert!(find_banner(&data[..n]).unwrap().is_none(), "prefix {n}");
        }
    }

    #[test]
    fn banner_limits() {
        let long = [b'a'; 300];
        assert_eq!(
            find_banner(&long).unwrap_err().to_string(),
            "banner line longer than 255 bytes"
        );
        let mut line = vec![b'a'; 256];
        line.push(b'\n');
        assert!(matches!(find_banner(&line), Err(SshError::LineTooLong)));
        let mut ssh = b"SSH-2.0-".to_vec();
        ssh.extend_from_slice(&[b'x'; 250]);
        ssh.extend_from_slice(b"\r\n");
        assert!(matches!(find_banner(&ssh), Err(SshError::LineTooLong)));
        // Exactly 255 bytes with CR LF is allowed.
        let mut ok = b"SSH-2.0-".to_vec();
        ok.extend_from_slice(&[b'x'; 245]);
        ok.extend_from_slice(b"\r\n");
        assert_eq!(ok.len(), 255);
        assert!(find_banner(&ok).unwrap().is_some());
        // 255 bytes ending in a bare LF too; 256 not.
        ok.truncate(253);
        ok.extend_from_slice(b"x\n");
        assert_eq!(ok.len(), 255);
        assert!(find_banner(&ok).unwrap().is_some());
        ok.insert(10, b'y');
        assert!(matches!(find_banner(&ok), Err(SshError::LineTooLong)));
        assert!(matches!(parse_banner_line(&ok), Err(SshError::LineTooLong)));
        let spam: Vec<u8> = (0..300)
            .flat_map(|_| b"hello there, this is not ssh\r\n".to_vec())
            .collect();
        assert!(matches!(find_banner(&spam), Err(SshError::NoBanner)));
    }

    #[test]
    fn garbage_never_panics() {
        // A cheap deterministic sweep: every single-byte corruption of a packet.
        let wire = packet(&kexinit_payload(&KEX));
        for i in 0..wire.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut w = wire.clone();
                w[i] = v;
                let _ = find_kexinit(&w);
                let _ = find_banner(&w);
                if let Some(p) = w.get(5..) {
                    let _ = parse_kexinit(p);
                }
            }
        }
    }
}
