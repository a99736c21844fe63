//! apk (Alpine) version ordering.
//!
//! A valid version is `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`
//! (apk-package(5)). Suffixes order as `_alpha < _beta < _pre < _rc <
//! (none) < _cvs < _svn < _git < _hg < _p`. A number part after the first
//! that starts with `0` is compared as a string, as apk does (`1.02 < 1.1`).
//!
//! apk accepts many malformed strings, and its answers on them changed
//! between apk-tools 2.x and 3.x. For those this follows OSV's reference
//! implementation (osv-scalibr `semantic`), which the test vectors encode:
//! the well-formed prefix is compared first; a version with unparsed text
//! left over sorts before an otherwise equal clean one; two malformed
//! versions are compared as plain strings.

use super::numeric::{cmp_digits, split_run};
use std::cmp::Ordering;

const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// Weight of "no suffix": between `rc` and `cvs`.
const NO_SUFFIX: usize = 4;

struct Version<'a> {
    original: &'a str,
    numbers: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(usize, &'a str)>,
    build: &'a str,
    remainder: &'a str,
    invalid: bool,
}

fn suffix_weight(i: usize) -> usize {
    if i < NO_SUFFIX {
        i
    } else {
        i + 1
    }
}

/// Reads `_name{digits}` at the start of `s`.
fn suffix_at(s: &str) -> Option<(usize, &str, &str)> {
    let body = s.strip_prefix('_')?;
    SUFFIXES.iter().enumerate().find_map(|(i, name)| {
        let r = body.strip_prefix(name)?;
        let (n, rest) = split_run(r, |c| c.is_ascii_digit());
        Some((suffix_weight(i), n, rest))
    })
}

fn parse(s: &str) -> Version<'_> {
    let mut v = Version {
        original: s,
        numbers: Vec::new(),
        letter: None,
        suffixes: Vec::new(),
        build: "",
        remainder: "",
        invalid: false,
    };
    // number{.number}... (a trailing '.' leaves an empty last part)
    let mut rest = s;
    loop {
        let (n, r) = split_run(rest, |c| c.is_ascii_digit());
        if n.is_empty() {
            break;
        }
        v.numbers.push(n);
        rest = r;
        match rest.strip_prefix('.') {
            Some(r) => {
                rest = r;
                if !r.starts_with(|c: char| c.is_ascii_digit()) {
                    v.numbers.push("");
                    break;
                }
            }
            None => break,
        }
    }
    // {letter}
    if let Some(&c) = rest.as_bytes().first() {
        if c.is_ascii_lowercase() {
            v.letter = Some(c);
            rest = rest.get(1..).unwrap_or_default();
        }
    }
    // {_suffix{number}}...
    while let Some((w, n, r)) = suffix_at(rest) {
        v.suffixes.push((w, n));
        rest = r;
    }
    // {~hash}
    if let Some(h) = rest.strip_prefix('~') {
        let (hash, r) = split_run(h, |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        if !hash.is_empty() {
            rest = r;
        }
    }
    // {-r#}
    if !rest.is_empty() {
        match rest.strip_prefix("-r") {
            Some(r) => {
                let (n, r) = split_run(r, |c| c.is_ascii_digit());
                v.build = n;
                rest = r;
            }
            None => v.invalid = true,
        }
    }
    v.remainder = rest;
    v
}

fn cmp_number(index: usize, a: &str, b: &str) -> Ordering {
    if index != 0 && (a.starts_with('0') || b.starts_with('0')) {
        a.cmp(b)
    } else {
        cmp_digits(a, b)
    }
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let va = parse(a.trim());
    let vb = parse(b.trim());
    if va.invalid && vb.invalid {
        return va.original.cmp(vb.original);
    }
    let n = va.numbers.len().max(vb.numbers.len());
    for i in 0..n {
        // A missing part compares as a plain 0.
        let o = match (va.numbers.get(i), vb.numbers.get(i)) {
            (Some(x), Some(y)) => cmp_number(i, x, y),
            (Some(x), None) => cmp_digits(x, "0"),
            (None, Some(y)) => cmp_digits("0", y),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = va.letter.cmp(&vb.letter);
    if o != Ordering::Equal {
        return o;
    }
    let n = va.suffixes.len().max(vb.suffixes.len());
    for i in 0..n {
        let x = va.suffixes.get(i).copied().unwrap_or((NO_SUFFIX, ""));
        let y = vb.suffixes.get(i).copied().unwrap_or((NO_SUFFIX, ""));
        let o = x.0.cmp(&y.0).then_with(|| cmp_digits(x.1, y.1));
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = cmp_digits(va.build, vb.build);
    if o != Ordering::Equal {
        return o;
    }
    // Leftover text sorts first.
    va.remainder.is_empty().cmp(&vb.remainder.is_empty())
}
