//! Library version strings compiled into binaries ("OpenSSL 1.1.1w  11 Sep 2023").
//!
//! One Aho-Corasick pass finds every literal prefix of the table; each hit is then parsed
//! tightly (a version token, and what must follow it) so that error messages and other
//! prose that merely name a library do not count.

use super::libs::{table, Form, VersionString};
use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// A version string found in a binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Library.
    pub library: &'static str,
    /// Version, when the string carries one.
    pub version: Option<String>,
    /// The string as found (lossy UTF-8, at most 100 characters).
    pub text: String,
    /// Byte offset in the file.
    pub offset: usize,
}

fn matcher() -> Option<&'static AhoCorasick> {
    static M: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::new(table().version_string.iter().map(|v| v.prefix.as_bytes())).ok()
    })
    .as_ref()
}

/// Length of a version token at the start of `b`: `1.1.1w`, `3.0.11`, `9.2p1`,
/// `1.0.2k-fips`, `3.2.0-alpha1`. At least one dot.
pub(crate) fn version_len(b: &[u8]) -> Option<usize> {
    let digits = |i: usize| {
        b.get(i..)
            .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let mut i = digits(0);
    if i == 0 || i > 4 {
        return None;
    }
    let mut dots = 0;
    while b.get(i) == Some(&b'.') && dots < 4 {
        let d = digits(i + 1);
        if d == 0 || d > 4 {
            break;
        }
        i += 1 + d;
        dots += 1;
    }
    if dots == 0 {
        return None;
    }
    // Letter suffix (OpenSSL 1.1.1w, 0.9.8zh) and portable/patch digits (OpenSSH 9.2p1).
    let letters = b.get(i..).map_or(0, |s| {
        s.iter().take_while(|c| c.is_ascii_lowercase()).count()
    });
    if (1..=2).contains(&letters) {
        i += letters;
        let d = digits(i);
        if d <= 3 {
            i += d;
        }
    } else if letters > 2 {
        return None;
    }
    // Pre-release / build tail: -fips, -dev, -alpha1, -rc2.
    if b.get(i) == Some(&b'-') {
        let t = b.get(i + 1..).map_or(0, |s| {
            s.iter().take_while(|c| c.is_ascii_alphanumeric()).count()
        });
        if (1..=16).contains(&t) {
            i += 1 + t;
        }
    }
    Some(i)
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Length of ` D Mon YYYY` / `  DD Mon YYYY` at the start of `b`.
fn date_len(b: &[u8]) -> Option<usize> {
    let sp = b.iter().take_while(|&&c| c == b' ').count();
    if !(1..=2).contains(&sp) {
        return None;
    }
    let mut i = sp;
    let d = b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=2).contains(&d) {
        return None;
    }
    i += d;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let mon = b.get(i..i + 3)?;
    if !MONTHS.contains(&mon) {
        return None;
    }
    i += 3;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let y = b.get(i..i + 4)?;
    if !y.iter().all(u8::is_ascii_digit) {
        return None;
    }
    i += 4;
    if b.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(i)
}

fn text_of(b: &[u8]) -> String {
    let end = b
        .iter()
        .position(|&c| c == 0 || c == b'\n')
        .unwrap_or(b.len())
        .min(100);
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Parse one hit of `vs` at `at`.
fn parse_hit(data: &[u8], at: usize, vs: &'static VersionString) -> Option<Found> {
    let start = data.get(at..)?;
    let after = at + vs.prefix.len();
    let rest = data.get(after..)?;
    match vs.form {
        Form::Bare => {
            // A whole C string: NUL (or start of file) before, NUL after.
            if at > 0 && data.get(at - 1) != Some(&0) {
                return None;
            }
            if rest.first() != Some(&0) {
                return None;
            }
            Some(Found {
                library: vs.library.as_str(),
                version: None,
                text: vs.prefix.clone(),
                offset: at,
            })
        }
        Form::Dated => {
            let vl = version_len(rest)?;
            let dl = date_len(&rest[vl..])?;
            Some(Found {
                library: vs.library.as_str(),
                version: Some(String::from_utf8_lossy(&rest[..vl]).into_owned()),
                text: String::from_utf8_lossy(&start[..vs.prefix.len() + vl + dl]).into_owned(),
                offset: at,
            })
        }
        Form::Version => {
            let vl = version_len(rest)?;
            let tail = &rest[vl..];
            let ok = if vs.ends.is_empty() {
                tail.first() == Some(&0)
            } else {
                vs.ends.iter().any(|e| tail.starts_with(e.as_bytes()))
            };
            if !ok {
                return None;
            }
            Some(Found {
                library: vs.library.as_str(),
                version: Some(String::from_utf8_lossy(&rest[..vl]).into_owned()),
                text: text_of(start),
                offset: at,
            })
        }
    }
}

/// Every library version string in `data`, in file order; the same (library, version)
/// once, at its first offset.
pub fn scan(data: &[u8]) -> Vec<Found> {
    let Some(m) = matcher() else {
        return Vec::new();
    };
    let rows = &table().version_string;
    let mut out: Vec<Found> = Vec::new();
    for hit in m.find_overlapping_iter(data) {
        let Some(vs) = rows.get(hit.pattern().as_usize()) else {
            continue;
        };
        if let Some(f) = parse_hit(data, hit.start(), vs) {
            if !out
                .iter()
                .any(|o| o.library == f.library && o.version == f.version)
            {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &[u8]) -> Vec<(String, Option<String>)> {
        scan(s)
            .into_iter()
            .map(|f| (f.library.to_string(), f.version))
            .collect()
    }

    #[test]
    fn version_strings_parse_tightly() {
        let blob = b"\0OpenSSL 1.1.1w  11 Sep 2023\0junk OpenSSL 3.0.11 19 Sep 2023\0\
            OpenSSL 3.0 is great\0OpenSSL 1.0.2k-fips  26 Jan 2017\0LibreSSL 3.8.2\0\
            LibreSSL 3.8.2 is nice\0BoringSSL\0not BoringSSL\0mbed TLS 2.28.5\0Mbed TLS 3.5.0\0\
            Enabled GnuTLS 3.7.9 logging...\0This is Libgcrypt 1.10.1 - The GNU Crypto Library\0\
            Botan 3.2.0 (release, dated 20231009)\0Version: NSS 3.87.1\0wolfSSL 5.6.4\0\
            OpenSSH_9.2p1 Debian-2\0OpenSSH_3.0*\0OpenSSL 3.0.11 19 Sep 20234\0";
        let got = one(blob);
        let want: Vec<(String, Option<String>)> = [
            ("OpenSSL", Some("1.1.1w")),
            ("OpenSSL", Some("3.0.11")),
            ("OpenSSL", Some("1.0.2k-fips")),
            ("LibreSSL", Some("3.8.2")),
            ("BoringSSL", None),
            ("Mbed TLS", Some("2.28.5")),
            ("Mbed TLS", Some("3.5.0")),
            ("GnuTLS", Some("3.7.9")),
            ("libgcrypt", Some("1.10.1")),
            ("Botan", Some("3.2.0")),
            ("NSS", Some("3.87.1")),
            ("wolfSSL", Some("5.6.4")),
            ("OpenSSH", Some("9.2p1")),
        ]
        .iter()
        .map(|(l, v)| (l.to_string(), v.map(str::to_string)))
        .collect();
        assert_eq!(got, want);
        let f = scan(blob);
        assert_eq!(f[0].offset, 1);
        assert_eq!(f[0].text, "OpenSSL 1.1.1w  11 Sep 2023");
    }

    #[test]
    fn truncated_strings_do_not_panic() {
        let s = b"OpenSSL 1.1.1w  11 Sep 2023";
        for n in 0..s.len() {
            let _ = scan(&s[..n]);
        }
        assert_eq!(scan(s).len(), 1);
        assert!(scan(b"OpenSSL ").is_empty());
        assert!(scan(b"BoringSSL").is_empty());
        assert_eq!(version_len(b"99999.1"), None);
        assert_eq!(version_len(b"1.2.3.4.5.6"), Some(9));
    }
}
