//! Packagist ordering: PHP's `version_compare`, as Composer uses it.
//!
//! The version is canonicalized (`-`, `_`, `+` become `.`; a `.` is put
//! between a digit and a non-digit), split at `.`, and compared part by
//! part: numbers by value, special forms by rank `dev < alpha = a <
//! beta = b < RC = rc < # < pl = p` (matched by prefix, anything else ranks
//! below `dev`), a number against a form as `#`. When one version has more
//! parts, a next numeric part makes it newer; otherwise the rest is compared
//! against `#`. A leading `v`/`V` is dropped, as Composer does.
//!
//! Unlike PHP (which reads numbers with `strtol` and so clamps huge ones),
//! numbers of any length are compared exactly.

use super::numeric::{cmp_digits, is_digits};
use std::cmp::Ordering;

fn canonical(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let mut out = String::with_capacity(s.len() * 2);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
        if let Some(p) = prev {
            let boundary = p != '.' && c != '.' && (p.is_ascii_digit() != c.is_ascii_digit());
            if boundary {
                out.push('.');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out.split('.').map(str::to_string).collect()
}

fn special_rank(form: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |&(_, r)| r)
}

fn cmp_part(x: &str, y: &str) -> Ordering {
    match (is_digits(x), is_digits(y)) {
        (true, true) => cmp_digits(x, y),
        (false, false) => special_rank(x).cmp(&special_rank(y)),
        (true, false) => special_rank("#").cmp(&special_rank(y)),
        (false, true) => special_rank(x).cmp(&special_rank("#")),
    }
}

/// How the extra parts of the longer version compare with their absence.
fn cmp_tail(mut rest: &[String]) -> Ordering {
    loop {
        let Some((first, more)) = rest.split_first() else {
            return Ordering::Equal;
        };
        if is_digits(first) {
            return Ordering::Greater;
        }
        let o = cmp_part(first, "#");
        if o != Ordering::Equal {
            return o;
        }
        rest = more;
    }
}

fn cmp_parts(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_part(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => cmp_tail(a.get(b.len()..).unwrap_or_default()),
        Ordering::Less => cmp_tail(b.get(a.len()..).unwrap_or_default()).reverse(),
    }
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    cmp_parts(&canonical(a), &canonical(b))
}
