//! What crypto libraries' versions imply: end of public support and post-quantum
//! capability (`data/library-versions.toml`, each row with its source).
//!
//! ```
//! use mamori_algorithms::libraries;
//! assert_eq!(libraries::is_eol("OpenSSL", "1.1.1w", "2026-01-01"), Some(true));
//! assert!(libraries::pqc_capabilities("OpenSSL", "3.5.1").contains(&"ML-KEM"));
//! ```

use serde::Deserialize;
use std::cmp::Ordering;
use std::sync::OnceLock;

/// What a range of a library's versions implies.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionFact {
    /// Library.
    pub library: String,
    /// First version covered (inclusive); absent: from the first.
    #[serde(default)]
    pub from: Option<String>,
    /// First version not covered; absent: to the latest.
    #[serde(default)]
    pub below: Option<String>,
    /// End of public support (ISO date), when the row is about support.
    #[serde(default)]
    pub eol: Option<String>,
    /// Post-quantum algorithms the versions offer.
    #[serde(default)]
    pub pqc: Vec<String>,
    /// One English sentence.
    pub note: String,
    /// Where the facts come from.
    pub source: String,
}

#[derive(Deserialize)]
struct FactsFile {
    fact: Vec<VersionFact>,
}

/// Every row of the table.
// The table is compiled into the binary and a test parses it: it cannot fail here.
#[allow(clippy::expect_used)]
pub fn facts() -> &'static [VersionFact] {
    static F: OnceLock<Vec<VersionFact>> = OnceLock::new();
    F.get_or_init(|| {
        toml::from_str::<FactsFile>(include_str!("../data/library-versions.toml"))
            .map(|f| f.fact)
            .expect("data/library-versions.toml is valid (tested)")
    })
}

/// A version as comparable numbers: `1.1.1w` → `[1, 1, 1, 23]`, `9.2p1` → `[9, 2, 16, 1]`;
/// `go1.22.1` and `v0.21.0` lose their prefix, pre-release tails (`-fips`, `-dev`) are ignored.
/// A series (`3.x`, `1.1.x`) gives its fixed part and `true`.
fn parse_version(v: &str) -> Option<(Vec<u64>, bool)> {
    let v = v.trim();
    let v = v.strip_prefix("go").unwrap_or(v);
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split(['-', '+', ' ']).next().unwrap_or("");
    let mut out = Vec::new();
    for part in v.split('.') {
        if part == "x" || part == "*" {
            return if out.is_empty() {
                None
            } else {
                Some((out, true))
            };
        }
        // digits, then optional letters, then optional digits (1w, 2p1, 0rc1)
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        out.push(digits.parse().ok()?);
        let rest = &part[digits.len()..];
        let letters: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        if letters.len() == 1 {
            out.push(u64::from(letters.as_bytes()[0] - b'a') + 1);
            let tail = &rest[1..];
            if !tail.is_empty() {
                if tail.len() > 9 || !tail.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                out.push(tail.parse().ok()?);
            }
        } else if !rest.is_empty() && letters.len() != rest.len() {
            return None;
        }
    }
    if out.is_empty() {
        None
    } else {
        Some((out, false))
    }
}

/// Order two versions of the same library (`1.1.1w` < `3.0.2` < `3.5.0`); `None` when one
/// does not parse.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_versions(&parse_version(a)?.0, &parse_version(b)?.0))
}

fn cmp_versions(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// Facts that hold for `library` at `version`.
///
/// `version` may be exact (`3.0.19`, `1.1.1w`, `go1.24.1`, `9.2p1`) or a series (`3.x`,
/// `1.1.x`); a series matches a row only when the whole series lies inside it. A library
/// with rows that have neither bound (liboqs) matches even without a version.
pub fn version_facts(library: &str, version: &str) -> Vec<&'static VersionFact> {
    let parsed = parse_version(version);
    facts()
        .iter()
        .filter(|f| f.library.eq_ignore_ascii_case(library))
        .filter(|f| {
            if f.from.is_none() && f.below.is_none() {
                return true;
            }
            let Some((v, series)) = &parsed else {
                return false;
            };
            let lower = v.clone();
            let upper = if *series {
                // 1.1.x covers [1.1, 1.2)
                let mut u = v.clone();
                if let Some(last) = u.last_mut() {
                    *last += 1;
                }
                u
            } else {
                v.clone()
            };
            let from_ok = match f.from.as_deref().and_then(parse_version) {
                Some((from, _)) => cmp_versions(&from, &lower) != Ordering::Greater,
                None => f.from.is_none(),
            };
            let below_ok = match f.below.as_deref().and_then(parse_version) {
                Some((below, _)) if *series => cmp_versions(&upper, &below) != Ordering::Greater,
                Some((below, _)) => cmp_versions(&upper, &below) == Ordering::Less,
                None => f.below.is_none(),
            };
            from_ok && below_ok
        })
        .collect()
}

/// Whether `version` of `library` is past its end of public support on `today`
/// (ISO dates compare as strings). `None` when the table does not say.
pub fn is_eol(library: &str, version: &str, today: &str) -> Option<bool> {
    version_facts(library, version)
        .iter()
        .find_map(|f| f.eol.as_deref())
        .map(|eol| eol < today)
}

/// Post-quantum algorithms `version` of `library` offers, per the table (empty: none known).
pub fn pqc_capabilities(library: &str, version: &str) -> Vec<&'static str> {
    version_facts(library, version)
        .iter()
        .flat_map(|f| f.pqc.iter().map(String::as_str))
        .collect()
}

/// The first version of `library` the table credits with post-quantum algorithms
/// (`None` when no row does, or only rows without a lower bound).
pub fn first_pqc_version(library: &str) -> Option<String> {
    facts()
        .iter()
        .filter(|f| f.library.eq_ignore_ascii_case(library) && !f.pqc.is_empty())
        .filter_map(|f| f.from.clone())
        .min_by(|a, b| compare_versions(a, b).unwrap_or(Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_cite_sources_and_parse() {
        assert!(facts().len() >= 10);
        for f in facts() {
            assert!(!f.source.is_empty(), "{}", f.library);
            for b in [&f.from, &f.below].into_iter().flatten() {
                assert!(parse_version(b).is_some(), "{}: bad bound {b}", f.library);
            }
            if let Some(d) = &f.eol {
                assert!(
                    d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-',
                    "{}: bad date {d}",
                    f.library
                );
            }
        }
    }

    #[test]
    fn versions_compare() {
        assert_eq!(parse_version("1.1.1w"), Some((vec![1, 1, 1, 23], false)));
        assert_eq!(parse_version("9.2p1"), Some((vec![9, 2, 16, 1], false)));
        assert_eq!(parse_version("go1.22.1"), Some((vec![1, 22, 1], false)));
        assert_eq!(
            parse_version("1.0.2k-fips"),
            Some((vec![1, 0, 2, 11], false))
        );
        assert_eq!(parse_version("3.x"), Some((vec![3], true)));
        assert_eq!(parse_version("x"), None);
        assert_eq!(parse_version("?"), None);
        assert_eq!(parse_version("1.beta"), None);
    }

    #[test]
    fn facts_answer_what_versions_imply() {
        assert_eq!(is_eol("OpenSSL", "1.1.1w", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "1.0.2k-fips", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "3.0.19", "2026-01-01"), Some(false));
        assert_eq!(is_eol("OpenSSL", "3.0.19", "2026-09-08"), Some(true));
        assert_eq!(is_eol("OpenSSL", "1.0.x", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "3.x", "2026-01-01"), None);
        assert!(pqc_capabilities("OpenSSL", "3.4.1").is_empty());
        assert!(pqc_capabilities("OpenSSL", "3.5.0").contains(&"ML-KEM"));
        assert!(pqc_capabilities("Go crypto", "go1.24.1").contains(&"X25519MLKEM768"));
        assert!(pqc_capabilities("Go crypto", "go1.22.1").is_empty());
        assert!(pqc_capabilities("OpenSSH", "9.2p1").contains(&"sntrup761x25519-sha512"));
        assert!(!pqc_capabilities("OpenSSH", "9.2p1").contains(&"mlkem768x25519-sha256"));
        assert!(pqc_capabilities("OpenSSH", "10.0p2").contains(&"mlkem768x25519-sha256"));
        assert!(pqc_capabilities("BouncyCastle", "1.78.1").is_empty());
        assert!(pqc_capabilities("BouncyCastle", "1.80").contains(&"ML-DSA"));
        assert!(pqc_capabilities("liboqs", "?").contains(&"ML-KEM"));
        assert!(version_facts("NoSuchLib", "1.0").is_empty());
    }
}
