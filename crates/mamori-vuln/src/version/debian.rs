//! dpkg version ordering (Debian Policy 5.6.12, dpkg `verrevcmp`).

use super::numeric::is_digits;
use super::Parsed;
use std::cmp::Ordering;

struct Version<'a> {
    epoch: &'a str,
    upstream: &'a str,
    revision: &'a str,
}

fn parse(s: &str) -> Parsed<'_, Version<'_>> {
    let t = s.trim();
    let (epoch, rest) = match t.split_once(':') {
        Some((e, r)) => {
            if !is_digits(e) {
                return Err((s, "epoch is not a number"));
            }
            (e, r)
        }
        None => ("0", t),
    };
    let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
    if upstream.is_empty() {
        return Err((s, "empty upstream version"));
    }
    Ok(Version {
        epoch,
        upstream,
        revision,
    })
}

/// The weight of a non-digit byte: `~` before the end of the string, the end
/// before letters, letters before everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(|c| c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        // Non-digit prefix, byte by byte.
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        // Digit run, by value.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

pub(crate) fn compare<'a>(a: &'a str, b: &'a str) -> Parsed<'a, Ordering> {
    let va = parse(a)?;
    let vb = parse(b)?;
    Ok(super::numeric::cmp_digits(va.epoch, vb.epoch)
        .then_with(|| verrevcmp(va.upstream, vb.upstream))
        .then_with(|| verrevcmp(va.revision, vb.revision)))
}
