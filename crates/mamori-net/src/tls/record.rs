//! The TLS record layer (RFC 8446 §5.1, RFC 5246 §6.2): a 5-byte header — content type,
//! legacy version, length — then the fragment.

/// Content type `change_cipher_spec`.
pub const CHANGE_CIPHER_SPEC: u8 = 20;
/// Content type `alert`.
pub const ALERT: u8 = 21;
/// Content type `handshake`.
pub const HANDSHAKE: u8 = 22;
/// Content type `application_data`.
pub const APPLICATION_DATA: u8 = 23;
/// Content type `heartbeat` (RFC 6520).
pub const HEARTBEAT: u8 = 24;

/// Size of a record header.
pub const HEADER_LEN: usize = 5;
/// Largest plaintext fragment a sender may write (2^14).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// Largest fragment accepted from a peer: 2^14 + 2048, the TLS ≤ 1.2 ciphertext bound.
pub const MAX_FRAGMENT: usize = MAX_PLAINTEXT + 2048;

/// A parsed record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// Content type (20–24).
    pub content_type: u8,
    /// The record's legacy version (0x0300–0x0304).
    pub version: u16,
    /// Fragment length.
    pub length: usize,
}

/// Why a record header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The content type is not one TLS defines.
    #[error("unknown record content type {0} (0x{0:02x})")]
    ContentType(u8),
    /// The version's major byte is not 3.
    #[error("record version 0x{0:04x} is not SSL 3.0 / TLS")]
    Version(u16),
    /// The fragment is longer than any peer may send.
    #[error("record length {0} exceeds the maximum of {MAX_FRAGMENT}")]
    TooLong(usize),
    /// A handshake or alert record without content.
    #[error("empty record of content type {0}")]
    Empty(u8),
}

/// Parses a record header from the start of `buf`: `Ok(None)` when fewer than
/// [`HEADER_LEN`] bytes are there yet. The content type is checked from the first byte on.
pub fn parse_header(buf: &[u8]) -> Result<Option<RecordHeader>, RecordError> {
    if let Some(&ct) = buf.first() {
        if !(CHANGE_CIPHER_SPEC..=HEARTBEAT).contains(&ct) {
            return Err(RecordError::ContentType(ct));
        }
    }
    if let Some(&major) = buf.get(1) {
        if major != 3 {
            let minor = buf.get(2).copied().unwrap_or(0);
            return Err(RecordError::Version(u16::from_be_bytes([major, minor])));
        }
    }
    let Some(h) = buf.get(..HEADER_LEN) else {
        return Ok(None);
    };
    let version = u16::from_be_bytes([h[1], h[2]]);
    let length = usize::from(u16::from_be_bytes([h[3], h[4]]));
    if length > MAX_FRAGMENT {
        return Err(RecordError::TooLong(length));
    }
    if length == 0 && (h[0] == HANDSHAKE || h[0] == ALERT) {
        return Err(RecordError::Empty(h[0]));
    }
    Ok(Some(RecordHeader {
        content_type: h[0],
        version,
        length,
    }))
}

/// Writes `payload` as records of `content_type` and `version`, split into fragments of at
/// most [`MAX_PLAINTEXT`] bytes (one empty record for an empty payload).
pub fn write_records(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + HEADER_LEN);
    let mut chunks: Vec<&[u8]> = payload.chunks(MAX_PLAINTEXT).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for c in chunks {
        out.push(content_type);
        out.extend_from_slice(&version.to_be_bytes());
        // chunks are at most 2^14 bytes, so the length fits in u16.
        out.extend_from_slice(&(c.len() as u16).to_be_bytes());
        out.extend_from_slice(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks() {
        assert_eq!(parse_header(&[]), Ok(None));
        assert_eq!(parse_header(&[22, 3, 3, 0]), Ok(None));
        assert_eq!(
            parse_header(&[22, 3, 3, 0, 5]),
            Ok(Some(RecordHeader {
                content_type: 22,
                version: 0x0303,
                length: 5
            }))
        );
        assert_eq!(parse_header(b"S"), Err(RecordError::ContentType(b'S')));
        assert_eq!(parse_header(&[22, 2]), Err(RecordError::Version(0x0200)));
        let too_long = (MAX_FRAGMENT + 1) as u16;
        let [a, b] = too_long.to_be_bytes();
        assert_eq!(
            parse_header(&[23, 3, 3, a, b]),
            Err(RecordError::TooLong(MAX_FRAGMENT + 1))
        );
        let [a, b] = (MAX_FRAGMENT as u16).to_be_bytes();
        assert!(parse_header(&[23, 3, 3, a, b]).is_ok());
        assert_eq!(parse_header(&[21, 3, 1, 0, 0]), Err(RecordError::Empty(21)));
    }

    #[test]
    fn fragments_long_payloads() {
        let payload = vec![7u8; MAX_PLAINTEXT * 2 + 3];
        let out = write_records(HANDSHAKE, 0x0301, &payload);
        assert_eq!(out.len(), payload.len() + 3 * HEADER_LEN);
        assert_eq!(&out[..5], &[22, 3, 1, 0x40, 0]);
        let third = 2 * (HEADER_LEN + MAX_PLAINTEXT);
        assert_eq!(&out[third..third + 5], &[22, 3, 1, 0, 3]);
        assert_eq!(write_records(ALERT, 0x0303, &[]), [21, 3, 3, 0, 0]);
    }
}
