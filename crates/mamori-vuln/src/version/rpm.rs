//! RPM version ordering: `[epoch:]version[-release]` with `rpmvercmp`.

use super::numeric::{cmp_digits, is_digits};
use std::cmp::Ordering;

struct Version<'a> {
    epoch: &'a str,
    version: &'a str,
    release: Option<&'a str>,
}

/// Splits EVR like rpm: the epoch is the all-digit part before the first
/// `:` (otherwise the colon belongs to the version), the release is what
/// follows the last `-`.
fn parse(s: &str) -> Version<'_> {
    let t = s.trim();
    let (epoch, rest) = match t.split_once(':') {
        Some((e, r)) if is_digits(e) => (e, r),
        _ => ("0", t),
    };
    match rest.rsplit_once('-') {
        Some((v, r)) => Version {
            epoch,
            version: v,
            release: Some(r),
        },
        None => Version {
            epoch,
            version: rest,
            release: None,
        },
    }
}

fn is_sep(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// `rpmvercmp`: alternating digit and letter segments, separators ignored,
/// `~` sorts before anything (even the end), `^` after the end but before
/// anything else.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while a.get(i).is_some_and(|&c| is_sep(c)) {
            i += 1;
        }
        while b.get(j).is_some_and(|&c| is_sep(c)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let Some(first) = ca else { break };
        if cb.is_none() {
            break;
        }
        let numeric = first.is_ascii_digit();
        let kind = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let sa = a.get(i..).unwrap_or_default();
        let sb = b.get(j..).unwrap_or_default();
        let la = sa.iter().take_while(|c| kind(c)).count();
        let lb = sb.iter().take_while(|c| kind(c)).count();
        i += la;
        j += lb;
        if lb == 0 {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let seg_a = std::str::from_utf8(sa.get(..la).unwrap_or_default()).unwrap_or_default();
        let seg_b = std::str::from_utf8(sb.get(..lb).unwrap_or_default()).unwrap_or_default();
        let o = if numeric {
            cmp_digits(seg_a, seg_b)
        } else {
            seg_a.cmp(seg_b)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let rest_a = i < a.len();
    let rest_b = j < b.len();
    rest_a.cmp(&rest_b)
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let va = parse(a);
    let vb = parse(b);
    cmp_digits(va.epoch, vb.epoch)
        .then_with(|| rpmvercmp(va.version, vb.version))
        .then_with(|| match (va.release, vb.release) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => rpmvercmp(x, y),
        })
}
