//! Schemes that are plain lists of numbers: Hackage and CRAN.

use super::numeric::{cmp_digits, is_digits};
use super::Parsed;
use std::cmp::Ordering;

fn numbers<'a>(s: &'a str, seps: &[char], what: &'static str) -> Parsed<'a, Vec<&'a str>> {
    let parts: Vec<&str> = s.trim().split(seps).collect();
    if parts.iter().all(|p| is_digits(p)) {
        Ok(parts)
    } else {
        Err((s, what))
    }
}

/// Lexicographic list order: a proper prefix sorts first (`1.0 < 1.0.0`).
fn cmp_lists(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Hackage (Cabal `Version`): numbers separated by `.`, compared as lists.
pub(crate) fn compare_hackage<'a>(a: &'a str, b: &'a str) -> Parsed<'a, Ordering> {
    let msg = "expected numbers separated by '.'";
    Ok(cmp_lists(
        &numbers(a, &['.'], msg)?,
        &numbers(b, &['.'], msg)?,
    ))
}

/// CRAN (R `package_version`): numbers separated by `.` or `-`, compared as
/// lists, so `0.1.0 < 0.1.0.0` and `0.01.0 = 0.1-0`.
pub(crate) fn compare_cran<'a>(a: &'a str, b: &'a str) -> Parsed<'a, Ordering> {
    let msg = "expected numbers separated by '.' or '-'";
    Ok(cmp_lists(
        &numbers(a, &['.', '-'], msg)?,
        &numbers(b, &['.', '-'], msg)?,
    ))
}
