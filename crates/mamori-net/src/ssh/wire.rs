//! The identification exchange, the binary packet layer before keys are agreed, and the
//! KEXINIT message: parsing what a server sends and writing what mamori sends.
//!
//! Every parser here works on untrusted bytes and never panics; every length is checked
//! before it is trusted.

use super::*;

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

/// Frames a payload as a binary packet before keys are agreed (no MAC): `packet_length`,
/// `padding_length`, the payload and 4 to 11 zero bytes of padding to a multiple of 8.
pub fn write_packet(payload: &[u8]) -> Vec<u8> {
    let mut padding = 8 - (payload.len() + 5) % 8;
    if padding < 4 {
        padding += 8;
    }
    let len = payload.len() + 1 + padding;
    let mut out = Vec::with_capacity(4 + len);
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    out.push(u8::try_from(padding).unwrap_or(4));
    out.extend_from_slice(payload);
    out.resize(4 + len, 0);
    out
}
