//! PEM blocks (RFC 7468 and OpenSSL's legacy headers), with the line each starts on.

use base64::Engine;

/// One decoded PEM block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// 1-based line of the BEGIN line.
    pub line: u32,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`) as (name, value).
    pub headers: Vec<(String, String)>,
    /// Decoded body; `Err` with a reason when the base64 is invalid or the END line is missing.
    pub der: Result<Vec<u8>, String>,
}

/// Whether `data` contains a PEM BEGIN line.
pub fn has_pem(data: &[u8]) -> bool {
    memchr::memmem::find(data, b"-----BEGIN ").is_some()
}

/// Every PEM block in `data`.
pub fn blocks(data: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let finder = memchr::memmem::Finder::new(b"-----BEGIN ");
    let mut pos = 0;
    // Lines are counted incrementally from the last block, never from the start again.
    let (mut counted_to, mut line_at) = (0usize, 1u32);
    while let Some(i) = finder.find(&data[pos..]) {
        let start = pos + i;
        line_at += memchr::memchr_iter(b'\n', &data[counted_to..start]).count() as u32;
        counted_to = start;
        let line = line_at;
        let after = &data[start + 11..];
        let Some(dash) = memchr::memmem::find(after, b"-----") else {
            break;
        };
        let label = String::from_utf8_lossy(&after[..dash]).trim().to_string();
        if label.len() > 64 || label.contains('\n') {
            pos = start + 11;
            continue;
        }
        let body_start = start + 11 + dash + 5;
        let end_marker = format!("-----END {label}-----");
        let rest = &data[body_start..];
        let (body, next) = match memchr::memmem::find(rest, end_marker.as_bytes()) {
            Some(e) => (&rest[..e], body_start + e + end_marker.len()),
            None => {
                out.push(Block {
                    label,
                    line,
                    headers: vec![],
                    der: Err("no END line (truncated PEM block)".into()),
                });
                break;
            }
        };
        let text = String::from_utf8_lossy(body);
        let mut headers = Vec::new();
        let mut b64 = String::with_capacity(text.len());
        for l in text.lines() {
            let l = l.trim();
            if let Some((k, v)) = l.split_once(':') {
                if !k.contains(' ') && !k.is_empty() {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                    continue;
                }
            }
            if l.starts_with('=') && label.contains("PGP") {
                break; // armor checksum
            }
            b64.push_str(l);
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| format!("invalid base64 in PEM {label} block: {e}"));
        out.push(Block {
            label,
            line,
            headers,
            der,
        });
        pos = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_blocks_are_linear() {
        // 200k empty blocks: quadratic line counting would not finish in a test run.
        let one = b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
        let data: Vec<u8> = one
            .iter()
            .copied()
            .cycle()
            .take(one.len() * 200_000)
            .collect();
        let b = blocks(&data);
        assert_eq!(b.len(), 200_000);
        assert_eq!(b[199_999].line, 399_999);
    }

    #[test]
    fn finds_blocks_lines_and_headers() {
        let t = b"junk\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n\n-----BEGIN CERTIFICATE-----\nAAEC\n";
        let b = blocks(t);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].label, "RSA PRIVATE KEY");
        assert_eq!(b[0].line, 2);
        assert_eq!(b[0].headers[1].0, "DEK-Info");
        assert_eq!(b[0].der.as_ref().unwrap(), &vec![0u8, 1, 2]);
        assert!(b[1].der.is_err());
    }
}
