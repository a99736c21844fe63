//! SemVer 2.0 precedence, and its Pub and NuGet variants.
//!
//! Parsing is lenient in the ways OSV data needs: a leading `v`/`V`, fewer
//! than three numeric parts (missing ones are 0), and extra `.N` parts after
//! the last numeric part counted (which SemVer tools treat as build data).

use super::numeric::{cmp_digits, is_digits, split_run};
use super::Parsed;
use std::cmp::Ordering;

/// Which SemVer-based scheme.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// SemVer 2.0: build metadata ignored.
    SemVer,
    /// Pub: `1.0.0 < 1.0.0+build`; build identifiers compared like
    /// pre-release identifiers.
    Pub,
    /// NuGet: four numeric parts, case-insensitive pre-release labels,
    /// build metadata ignored.
    NuGet,
}

struct Version<'a> {
    core: Vec<&'a str>,
    pre: Option<&'a str>,
    build: Option<&'a str>,
}

fn parse(flavor: Flavor, s: &str) -> Parsed<'_, Version<'_>> {
    let max_core = if flavor == Flavor::NuGet { 4 } else { 3 };
    let t = s.trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let (first, mut rest) = split_run(t, |c| c.is_ascii_digit());
    if first.is_empty() {
        return Err((s, "does not start with a number"));
    }
    let mut core = vec![first];
    while core.len() < max_core {
        let Some(after_dot) = rest.strip_prefix('.') else {
            break;
        };
        let (n, r) = split_run(after_dot, |c| c.is_ascii_digit());
        if n.is_empty() {
            break;
        }
        core.push(n);
        rest = r;
    }
    let (pre, build) = if let Some(r) = rest.strip_prefix('+') {
        (None, Some(r))
    } else if rest.is_empty() {
        (None, None)
    } else if rest.starts_with('.') {
        // More numeric parts than the scheme has: kept as build data.
        (None, Some(rest))
    } else {
        // `-pre`, or a label glued to the number (`1.0.0beta`, lenient).
        let r = rest.strip_prefix('-').unwrap_or(rest);
        match r.split_once('+') {
            Some((p, b)) => (Some(p), Some(b)),
            None => (Some(r), None),
        }
    };
    Ok(Version { core, pre, build })
}

/// Compares dot-separated identifiers: numeric ones numerically and before
/// alphanumeric ones, alphanumeric ones in ASCII order (or ignoring ASCII
/// case), a shorter list first when it is a prefix of the longer one.
fn cmp_idents(a: &str, b: &str, ignore_case: bool) -> Ordering {
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (is_digits(x), is_digits(y)) {
                    (true, true) => cmp_digits(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) if ignore_case => x
                        .bytes()
                        .map(|c| c.to_ascii_lowercase())
                        .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

pub(crate) fn compare<'a>(flavor: Flavor, a: &'a str, b: &'a str) -> Parsed<'a, Ordering> {
    let va = parse(flavor, a)?;
    let vb = parse(flavor, b)?;
    let n = va.core.len().max(vb.core.len());
    for i in 0..n {
        let x = va.core.get(i).copied().unwrap_or("0");
        let y = vb.core.get(i).copied().unwrap_or("0");
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return Ok(o);
        }
    }
    let ignore_case = flavor == Flavor::NuGet;
    let o = match (va.pre, vb.pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => cmp_idents(x, y, ignore_case),
    };
    if o != Ordering::Equal || flavor != Flavor::Pub {
        return Ok(o);
    }
    Ok(match (va.build, vb.build) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp_idents(x, y, false),
    })
}
