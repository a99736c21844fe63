//! Exact comparison of decimal digit strings of any length.

use std::cmp::Ordering;

/// Compares two strings of ASCII digits by numeric value (leading zeros
/// ignored, no length limit). An empty string counts as 0.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// True when `s` is non-empty and all ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// The leading run of bytes of `s` that satisfy `f`, and the rest.
pub(crate) fn split_run(s: &str, f: impl Fn(u8) -> bool) -> (&str, &str) {
    let n = s.bytes().take_while(|&c| f(c)).count();
    // `f` only accepts ASCII bytes in every caller, so `n` is a char boundary;
    // fall back to "no run" rather than panic if it is not.
    match (s.get(..n), s.get(n..)) {
        (Some(x), Some(y)) => (x, y),
        _ => ("", s),
    }
}
