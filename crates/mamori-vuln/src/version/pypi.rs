//! PyPI ordering: PEP 440, with the pre-PEP 440 setuptools order for
//! versions PEP 440 cannot read ("legacy" versions, which `packaging` < 22
//! accepted and which still appear in old advisories). Legacy versions sort
//! before every PEP 440 version, as `packaging.version.LegacyVersion` did.

use super::numeric::{cmp_digits, is_digits, split_run};
use std::cmp::Ordering;

/// A pre-release phase: `a < b < rc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    A,
    B,
    Rc,
}

#[derive(Debug)]
struct Pep440 {
    epoch: String,
    release: Vec<String>,
    pre: Option<(Phase, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Vec<String>,
}

/// Reads an optional `[-_.]` separator.
fn sep(s: &str) -> &str {
    s.strip_prefix(['-', '_', '.']).unwrap_or(s)
}

/// Reads `{sep}{digits}` or `{digits}` after a label; no number means 0.
fn label_number(s: &str) -> (String, &str) {
    let after_sep = sep(s);
    let (n, rest) = split_run(after_sep, |c| c.is_ascii_digit());
    if n.is_empty() {
        ("0".to_string(), s)
    } else {
        (n.to_string(), rest)
    }
}

/// Reads `{sep}{one of labels}` at the start of `s`, longest label first.
fn label<'a>(s: &'a str, labels: &[&str]) -> Option<(usize, &'a str)> {
    let body = sep(s);
    labels
        .iter()
        .enumerate()
        .find_map(|(i, l)| body.strip_prefix(l).map(|r| (i, r)))
}

fn parse_pep440(s: &str) -> Option<Pep440> {
    let lower = s.trim().to_ascii_lowercase();
    let mut t = lower.strip_prefix('v').unwrap_or(&lower);
    // epoch
    let mut epoch = "0".to_string();
    let (n, r) = split_run(t, |c| c.is_ascii_digit());
    if let Some(r) = r.strip_prefix('!') {
        if n.is_empty() {
            return None;
        }
        epoch = n.to_string();
        t = r;
    }
    // release
    let mut release = Vec::new();
    loop {
        let (n, r) = split_run(t, |c| c.is_ascii_digit());
        if n.is_empty() {
            return None;
        }
        release.push(n.to_string());
        t = r;
        match t.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => t = r,
            _ => break,
        }
    }
    // pre-release
    let mut pre = None;
    const PRE: [&str; 8] = ["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"];
    if let Some((i, r)) = label(t, &PRE) {
        let phase = match PRE.get(i) {
            Some(&"alpha") | Some(&"a") => Phase::A,
            Some(&"beta") | Some(&"b") => Phase::B,
            _ => Phase::Rc,
        };
        let (n, r) = label_number(r);
        pre = Some((phase, n));
        t = r;
    }
    // post-release: `-N` or `{sep}post|rev|r{N}`
    let mut post = None;
    let implicit = t
        .strip_prefix('-')
        .map(|r| split_run(r, |c| c.is_ascii_digit()))
        .filter(|(n, _)| !n.is_empty());
    if let Some((n, r)) = implicit {
        post = Some(n.to_string());
        t = r;
    } else if let Some((_, r)) = label(t, &["post", "rev", "r"]) {
        let (n, r) = label_number(r);
        post = Some(n);
        t = r;
    }
    // dev-release
    let mut dev = None;
    if let Some((_, r)) = label(t, &["dev"]) {
        let (n, r) = label_number(r);
        dev = Some(n);
        t = r;
    }
    // local version
    let mut local = Vec::new();
    if let Some(r) = t.strip_prefix('+') {
        for part in r.split(['.', '-', '_']) {
            if part.is_empty() || !part.bytes().all(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            local.push(part.to_string());
        }
        t = "";
    }
    if !t.is_empty() {
        return None;
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Sort key of the pre-release part: a dev release of the final version
/// (`1.0.dev1`) sorts before its pre-releases; no pre-release sorts last.
fn pre_key(v: &Pep440) -> (u8, Option<Phase>, &str) {
    match &v.pre {
        Some((p, n)) => (1, Some(*p), n.as_str()),
        None if v.post.is_none() && v.dev.is_some() => (0, None, ""),
        None => (2, None, ""),
    }
}

fn cmp_opt_num(a: Option<&String>, b: Option<&String>, none_first: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) if none_first => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) if none_first => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => cmp_digits(x, y),
    }
}

/// Local labels: numeric segments by value and after alphanumeric ones,
/// alphanumeric ones in (lowercase) string order, more segments sort last.
fn cmp_local(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_pep440(a: &Pep440, b: &Pep440) -> Ordering {
    let (pa, pb) = (pre_key(a), pre_key(b));
    cmp_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| {
            pa.0.cmp(&pb.0)
                .then(pa.1.cmp(&pb.1))
                .then_with(|| cmp_digits(pa.2, pb.2))
        })
        .then_with(|| cmp_opt_num(a.post.as_ref(), b.post.as_ref(), true))
        .then_with(|| cmp_opt_num(a.dev.as_ref(), b.dev.as_ref(), false))
        .then_with(|| cmp_local(&a.local, &b.local))
}

/// The setuptools (pre-PEP 440) `parse_version` key: numbers zero-padded to
/// 8 digits, words prefixed by `*`, `pre`/`preview`/`rc` as `c`, `dev` as
/// `@`, `-` as `final-`, and trailing zeros / `final-` markers dropped before
/// pre-release words.
fn legacy_key(s: &str) -> Vec<String> {
    let lower = s.trim().to_ascii_lowercase();
    let mut parts: Vec<String> = Vec::new();
    let mut rest = lower.as_str();
    let mut tokens: Vec<&str> = Vec::new();
    while let Some(c) = rest.chars().next() {
        let (tok, r) = if c.is_ascii_digit() {
            split_run(rest, |b| b.is_ascii_digit())
        } else if c.is_ascii_lowercase() {
            split_run(rest, |b| b.is_ascii_lowercase())
        } else {
            let n = c.len_utf8();
            match (rest.get(..n), rest.get(n..)) {
                (Some(x), Some(y)) => (x, y),
                _ => break,
            }
        };
        if c.is_ascii_alphanumeric() || c == '-' {
            tokens.push(tok);
        }
        rest = r;
    }
    tokens.push("final");
    for tok in tokens {
        let tok = match tok {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            t => t,
        };
        if tok.starts_with(|c: char| c.is_ascii_digit()) {
            parts.push(format!("{tok:0>8}"));
            continue;
        }
        let word = format!("*{tok}");
        if word.as_str() < "*final" {
            while parts.last().is_some_and(|p| p == "*final-") {
                parts.pop();
            }
        }
        while parts.last().is_some_and(|p| p == "00000000") {
            parts.pop();
        }
        parts.push(word);
    }
    parts
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    match (parse_pep440(a), parse_pep440(b)) {
        (Some(x), Some(y)) => cmp_pep440(&x, &y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => legacy_key(a).cmp(&legacy_key(b)),
    }
}
