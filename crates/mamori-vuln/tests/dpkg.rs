//! Cross-check of the Debian ordering against the real `dpkg
//! --compare-versions`, on every pair of versions drawn from the shared
//! Debian vectors plus extra cases around `~`, `+`, letters and epochs.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_vuln::version::{compare, Ecosystem};
use std::cmp::Ordering;
use std::process::Command;

fn dpkg_says(a: &str, op: &str, b: &str) -> bool {
    let out = Command::new("dpkg")
        .args(["--compare-versions", a, op, b])
        .output()
        .unwrap_or_else(|e| panic!("cannot run dpkg ({e}); install the Debian package `dpkg`"));
    out.status.success()
}

#[test]
fn debian_order_matches_dpkg() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/version-vectors/debian-versions.txt"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut versions: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .flat_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            [f.first().copied(), f.get(2).copied()]
        })
        .flatten()
        .map(str::to_string)
        .collect();
    versions.extend(
        [
            "1.0~~",
            "1.0~~a",
            "1.0~",
            "1.0",
            "1.0a",
            "1.0+",
            "1.0.",
            "1.0-1~bpo1",
            "1.0-1+b1",
            "1:0.9",
            "1.0+dfsg-1",
            "1.0-0ubuntu1",
            "1.00",
            "1.0z",
            "1.0Z",
            "7.4.3-3.2",
        ]
        .map(str::to_string),
    );
    versions.sort();
    versions.dedup();
    let mut failures = Vec::new();
    for a in &versions {
        for b in &versions {
            let want = if dpkg_says(a, "lt", b) {
                Ordering::Less
            } else if dpkg_says(a, "eq", b) {
                Ordering::Equal
            } else {
                Ordering::Greater
            };
            let got = compare(Ecosystem::Debian, a, b);
            if got != Ok(want) {
                failures.push(format!("{a} vs {b}: dpkg {want:?}, got {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
