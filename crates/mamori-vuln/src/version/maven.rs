//! Maven ordering: the "Version Order Specification" of the POM reference,
//! as implemented by `ComparableVersion`.
//!
//! The version (case-insensitive) is split into tokens at `.`, `-` and at
//! transitions between digits and other characters (a transition counts as
//! `-`); empty tokens are `0`. `a`, `b`, `m` directly followed by a number
//! mean `alpha`, `beta`, `milestone`; `cr` is `rc`; `ga`, `final`, `release`
//! are the empty qualifier. Trailing "null" tokens (`0`, empty) are trimmed
//! from the end and again before each remaining `-`. Tokens are compared in
//! turn, the shorter version padded with nulls of the other's separator:
//! with equal separators numbers by value, qualifiers `alpha < beta <
//! milestone < rc < snapshot < "" < sp < (others, alphabetically)`, and a
//! qualifier before a number; with different separators `.qualifier <
//! -qualifier < -number < .number`.

use super::numeric::cmp_digits;
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sep {
    Dot,
    Dash,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Value {
    /// Digits without leading zeros ("0" for zero).
    Num(String),
    /// A lowercase qualifier, aliases resolved.
    Qual(String),
    /// Padding: 0 against a number, the release qualifier against a word.
    Null,
}

type Token = (Sep, Value);

fn is_null(v: &Value) -> bool {
    match v {
        Value::Num(n) => n == "0",
        Value::Qual(q) => q.is_empty(),
        Value::Null => true,
    }
}

fn make(raw: &str, followed_by_digit: bool) -> Value {
    if raw.is_empty() {
        return Value::Num("0".to_string());
    }
    if raw.bytes().all(|c| c.is_ascii_digit()) {
        let t = raw.trim_start_matches('0');
        return Value::Num(if t.is_empty() { "0" } else { t }.to_string());
    }
    let q = match raw {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "cr" => "rc",
        "ga" | "final" | "release" => "",
        q => q,
    };
    Value::Qual(q.to_string())
}

fn tokens(s: &str) -> Vec<Token> {
    let lower = s.trim().to_lowercase();
    let mut out: Vec<Token> = Vec::new();
    let mut raws: Vec<(Sep, &str)> = Vec::new();
    let mut start = 0;
    let mut sep = Sep::Dot;
    for (i, c) in lower.char_indices() {
        if c == '.' || c == '-' {
            raws.push((sep, lower.get(start..i).unwrap_or_default()));
            sep = if c == '-' { Sep::Dash } else { Sep::Dot };
            start = i + 1;
        }
    }
    raws.push((sep, lower.get(start..).unwrap_or_default()));
    for (sep, raw) in raws {
        // Split at digit / non-digit transitions.
        let mut start = 0;
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let mut first = true;
        for w in 0..=chars.len() {
            let boundary = match (chars.get(w.wrapping_sub(1)), chars.get(w)) {
                (Some(&(_, p)), Some(&(_, c))) if w > 0 => p.is_ascii_digit() != c.is_ascii_digit(),
                (_, None) => true,
                _ => false,
            };
            if !boundary {
                continue;
            }
            let end = chars.get(w).map_or(raw.len(), |&(i, _)| i);
            let piece = raw.get(start..end).unwrap_or_default();
            let followed_by_digit = chars.get(w).is_some_and(|&(_, c)| c.is_ascii_digit());
            let this_sep = if first { sep } else { Sep::Dash };
            out.push((this_sep, make(piece, followed_by_digit)));
            first = false;
            start = end;
        }
    }
    trim(&mut out);
    out
}

/// Removes trailing nulls, then again before each remaining `-` token.
fn trim(t: &mut Vec<Token>) {
    let mut i = t.len();
    while i > 1 {
        let idx = i - 1;
        let Some((sep, v)) = t.get(idx) else { break };
        if is_null(v) {
            t.remove(idx);
            i -= 1;
            continue;
        }
        // Skip back to the token that starts this `-` group, then go on
        // with the token before it.
        let mut k = idx;
        let mut s = *sep;
        while s != Sep::Dash {
            if k == 0 {
                return;
            }
            k -= 1;
            s = t.get(k).map_or(Sep::Dash, |x| x.0);
        }
        i = k;
    }
}

fn qualifier_rank(q: &str) -> usize {
    const KNOWN: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    KNOWN.iter().position(|k| *k == q).unwrap_or(KNOWN.len())
}

fn cmp_qual(a: &str, b: &str) -> Ordering {
    let (ra, rb) = (qualifier_rank(a), qualifier_rank(b));
    if ra == 7 && rb == 7 {
        a.cmp(b)
    } else {
        ra.cmp(&rb)
    }
}

fn cmp_token(a: &Token, b: &Token) -> Ordering {
    if a.0 == b.0 {
        return match (&a.1, &b.1) {
            (Value::Num(x), Value::Num(y)) => cmp_digits(x, y),
            (Value::Qual(x), Value::Qual(y)) => cmp_qual(x, y),
            (Value::Num(_), Value::Qual(_)) => Ordering::Greater,
            (Value::Qual(_), Value::Num(_)) => Ordering::Less,
            (Value::Null, Value::Num(y)) => cmp_digits("0", y),
            (Value::Num(x), Value::Null) => cmp_digits(x, "0"),
            (Value::Null, Value::Qual(y)) => cmp_qual("", y),
            (Value::Qual(x), Value::Null) => cmp_qual(x, ""),
            (Value::Null, Value::Null) => Ordering::Equal,
        };
    }
    let rank = |t: &Token| match (t.0, &t.1) {
        (Sep::Dot, Value::Qual(_)) => 0,
        (Sep::Dash, Value::Qual(_)) => 1,
        (Sep::Dash, _) => 2,
        (Sep::Dot, _) => 3,
    };
    rank(a).cmp(&rank(b))
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let ta = tokens(a);
    let tb = tokens(b);
    let n = ta.len().max(tb.len());
    for i in 0..n {
        let o = match (ta.get(i), tb.get(i)) {
            (Some(x), Some(y)) => cmp_token(x, y),
            (Some(x), None) => cmp_token(x, &(x.0, Value::Null)),
            (None, Some(y)) => cmp_token(&(y.0, Value::Null), y),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
