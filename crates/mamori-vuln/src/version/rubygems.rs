//! RubyGems ordering (`Gem::Version#<=>`).
//!
//! A `-` starts a pre-release (`1.0-1` is `1.0.pre.1`). The version is split
//! into runs of digits and runs of letters; trailing zeros of the release
//! part and of the pre-release part are dropped; then segments are compared
//! in turn, a missing one counting as 0: numbers by value, strings in byte
//! order, and a string (pre-release) before a number.
//!
//! RubyGems itself rejects some strings the test vectors use (`1beta`);
//! they are accepted here by reading their digit and letter runs, which is
//! what OSV's implementation does.

use super::numeric::{cmp_digits, split_run};
use super::Parsed;
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Seg<'a> {
    Num(&'a str),
    Str(&'a str),
}

const ZERO: Seg<'static> = Seg::Num("0");

fn is_zero(s: &Seg<'_>) -> bool {
    matches!(s, Seg::Num(n) if n.bytes().all(|c| c == b'0'))
}

fn segments(s: &str) -> Parsed<'_, Vec<Seg<'_>>> {
    let t = s.trim();
    if !t
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
    {
        return Err((s, "only letters, digits, '.' and '-' are allowed"));
    }
    if !t.starts_with(|c: char| c.is_ascii_digit()) {
        return Err((s, "does not start with a number"));
    }
    let mut segs = Vec::new();
    let mut rest = t;
    while let Some(c) = rest.bytes().next() {
        if c == b'-' {
            // `-` is read as `.pre.`
            segs.push(Seg::Str("pre"));
            rest = rest.get(1..).unwrap_or_default();
        } else if c.is_ascii_digit() {
            let (n, r) = split_run(rest, |b| b.is_ascii_digit());
            segs.push(Seg::Num(n));
            rest = r;
        } else if c.is_ascii_alphabetic() {
            let (w, r) = split_run(rest, |b| b.is_ascii_alphabetic());
            segs.push(Seg::Str(w));
            rest = r;
        } else {
            rest = rest.get(1..).unwrap_or_default();
        }
    }
    // canonical_segments: drop trailing zeros of the release part and of the
    // pre-release part.
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let (release, pre) = segs.split_at(split);
    let trim =
        |p: &[Seg<'_>]| -> usize { p.len() - p.iter().rev().take_while(|s| is_zero(s)).count() };
    let mut out: Vec<Seg<'_>> = release.get(..trim(release)).unwrap_or_default().to_vec();
    out.extend_from_slice(pre.get(..trim(pre)).unwrap_or_default());
    Ok(out)
}

pub(crate) fn compare<'a>(a: &'a str, b: &'a str) -> Parsed<'a, Ordering> {
    let sa = segments(a)?;
    let sb = segments(b)?;
    let n = sa.len().max(sb.len());
    for i in 0..n {
        let x = sa.get(i).copied().unwrap_or(ZERO);
        let y = sb.get(i).copied().unwrap_or(ZERO);
        let o = match (x, y) {
            (Seg::Num(p), Seg::Num(q)) => cmp_digits(p, q),
            (Seg::Str(p), Seg::Str(q)) => p.cmp(q),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return Ok(o);
        }
    }
    Ok(Ordering::Equal)
}
