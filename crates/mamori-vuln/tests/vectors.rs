//! Every comparison in the shared version vectors
//! (`shared/data/version-vectors/*.txt`, taken from osv-scalibr's
//! `semantic/testdata`; see its `SOURCE` file).
//!
//! Each vector is checked both ways: `compare(a, b)` must give the stated
//! order and `compare(b, a)` its reverse.
//!
//! Where the vectors encode one tool's behaviour rather than a spec (all
//! pass; the schemes document it):
//! - Alpine: the malformed versions (`1.2.0A`, `1-ruff`, `0..1..0`) follow
//!   OSV's osv-scalibr fallback; the file itself notes apk 2.x and 3.x
//!   disagree on them.
//! - Red Hat: `1 < 1-` and `1 < 1-0` (a present release beats an absent
//!   one) is OSV's choice; rpm compares releases only when both have one.
//! - Packagist: `1.0.0 > 1.0` is PHP `version_compare`, not Composer's
//!   `normalize` (which makes them equal); huge numbers are compared exactly
//!   where PHP would clamp them.
//! - PyPI: the `0.1-bulbasaur` lines are pre-PEP 440 "legacy" versions
//!   (setuptools order), which current `packaging` rejects.
//! - SemVer/Pub: `v` prefixes, missing minor/patch and `1.1.3.4.5` are
//!   lenient readings, not SemVer 2.0.
//! - RubyGems: `1beta` is rejected by `Gem::Version`; read leniently.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_vuln::version::{compare, Ecosystem};
use std::cmp::Ordering;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/version-vectors/"
);

fn check(file: &str, eco: Ecosystem) {
    let path = format!("{DIR}{file}");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e} (the shared test data is missing)"));
    let mut failures = Vec::new();
    let mut total = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = fields.as_slice() else {
            failures.push(format!("{file}:{}: malformed line {line:?}", n + 1));
            continue;
        };
        let want = match *op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => {
                failures.push(format!("{file}:{}: unknown operator in {line:?}", n + 1));
                continue;
            }
        };
        total += 1;
        let fwd = compare(eco, a, b);
        let back = compare(eco, b, a);
        if fwd != Ok(want) || back != Ok(want.reverse()) {
            failures.push(format!(
                "{file}:{}: {line}  got {fwd:?} / reversed {back:?}",
                n + 1
            ));
        }
    }
    assert!(total > 0, "{file}: no vectors read");
    eprintln!("{file}: {}/{total} pass", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} of {total} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn alpine() {
    check("alpine-versions.txt", Ecosystem::Alpine);
}
#[test]
fn cran() {
    check("cran-versions.txt", Ecosystem::Cran);
}
#[test]
fn debian() {
    check("debian-versions.txt", Ecosystem::Debian);
}
#[test]
fn hackage() {
    check("hackage-versions.txt", Ecosystem::Hackage);
}
#[test]
fn maven() {
    check("maven-versions.txt", Ecosystem::Maven);
}
#[test]
fn nuget() {
    check("nuget-versions.txt", Ecosystem::NuGet);
}
#[test]
fn packagist() {
    check("packagist-versions.txt", Ecosystem::Packagist);
}
#[test]
fn pub_() {
    check("pub-versions.txt", Ecosystem::Pub);
}
#[test]
fn pypi() {
    check("pypi-versions.txt", Ecosystem::PyPI);
}
#[test]
fn redhat() {
    check("redhat-versions.txt", Ecosystem::Rpm);
}
#[test]
fn rubygems() {
    check("rubygems-versions.txt", Ecosystem::RubyGems);
}
#[test]
fn semver() {
    check("semver-versions.txt", Ecosystem::SemVer);
}
