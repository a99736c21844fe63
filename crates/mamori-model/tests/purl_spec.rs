//! Runs every case of the official package-url test suite (purl-spec `tests/`, copied to
//! /work/shared/data/purl-tests with its SOURCE and LICENSE) against `mamori_model::purl`,
//! and checks that arbitrary input never panics.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_model::purl::Purl;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/purl-tests/"
);

/// Cases the suite contradicts elsewhere, so no implementation can pass both sides.
/// Each entry: (file name, test_type, input, why). They are NOT skipped silently: the test
/// checks that they still fail (so this list stays true) and prints them.
const CONTRADICTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "gem-test.json",
        "parse",
        "pkg:gem/jruby-launcher@1.1.2?Platform=java",
        "expects failure for an upper-case qualifier key, but how-to-parse says \"the key is \
         the lowercase left side\", the same file's validate case expects \
         ?platform=java, and maven-test.json's *required* parse case accepts \
         repositorY_url and lowercases it",
    ),
    (
        "rpm-test.json",
        "parse",
        "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25",
        "same contradiction as the gem case: upper-case keys rejected here, lowercased by \
         how-to-parse, by this file's validate case and by maven-test.json's required \
         parse case",
    ),
    (
        "git-test.json",
        "validate",
        "pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
        "is a 'recommended' (optional) case that lowercases the git namespace and name, \
         while types/git-definition.json at the same commit says both are case_sensitive: \
         true and lists pkg:git/gitlab.gnome.org/GNOME/adwaita-fonts as an example; we follow \
         the type definition",
    ),
];

fn test_files() -> Vec<PathBuf> {
    let root = Path::new(DIR);
    let mut files = vec![root.join("spec/specification-test.json")];
    let types = root.join("types");
    let rd = std::fs::read_dir(&types)
        .unwrap_or_else(|e| panic!("cannot read purl test data {}: {e}", types.display()));
    let mut t: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("-test.json"))
        .collect();
    t.sort();
    files.extend(t);
    files
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn qualifiers(v: &Value) -> BTreeMap<String, String> {
    v.get("qualifiers")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn components(p: &Purl) -> String {
    format!(
        "type={:?} namespace={:?} name={:?} version={:?} qualifiers={:?} subpath={:?}",
        p.ty, p.namespace, p.name, p.version, p.qualifiers, p.subpath
    )
}

fn expected_components(v: &Value) -> String {
    format!(
        "type={:?} namespace={:?} name={:?} version={:?} qualifiers={:?} subpath={:?}",
        opt_str(v, "type").unwrap_or_default(),
        opt_str(v, "namespace"),
        opt_str(v, "name").unwrap_or_default(),
        opt_str(v, "version"),
        qualifiers(v),
        opt_str(v, "subpath"),
    )
}

/// Runs one case; `Err` says what went wrong.
fn run_case(case: &Value) -> Result<(), String> {
    let kind = case.get("test_type").and_then(Value::as_str).unwrap_or("");
    let input = case.get("input").unwrap_or(&Value::Null);
    let fail = case
        .get("expected_failure")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let expected = case.get("expected_output").unwrap_or(&Value::Null);
    let result = match kind {
        "parse" | "validate" => {
            let s = input.as_str().ok_or("input is not a string")?;
            Purl::parse(s)
        }
        "build" => Purl::new(
            &opt_str(input, "type").unwrap_or_default(),
            opt_str(input, "namespace").as_deref(),
            &opt_str(input, "name").unwrap_or_default(),
            opt_str(input, "version").as_deref(),
            qualifiers(input),
            opt_str(input, "subpath").as_deref(),
        ),
        other => return Err(format!("unknown test_type {other:?}")),
    };
    match (result, fail) {
        (Ok(p), true) => Err(format!("expected failure, got {p} ({})", components(&p))),
        (Err(_), true) => Ok(()),
        (Err(e), false) => Err(format!("unexpected error: {e}")),
        (Ok(p), false) => {
            if kind == "parse" {
                let (got, want) = (components(&p), expected_components(expected));
                if got == want {
                    Ok(())
                } else {
                    Err(format!("got  {got}\n      want {want}"))
                }
            } else {
                let want = expected.as_str().ok_or("expected_output is not a string")?;
                let got = p.to_string();
                if got == want {
                    Ok(())
                } else {
                    Err(format!("got  {got}\n      want {want}"))
                }
            }
        }
    }
}

#[test]
fn every_case_of_the_purl_spec_test_suite() {
    let mut total = 0usize;
    let mut passed = 0usize;
    let mut failures = Vec::new();
    let mut contradictions_seen = Vec::new();
    for file in test_files() {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
        let cases = json
            .get("tests")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{} has no \"tests\" array", file.display()));
        let fname = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for case in cases {
            total += 1;
            let kind = case.get("test_type").and_then(Value::as_str).unwrap_or("");
            let input_str = case.get("input").and_then(Value::as_str).unwrap_or("");
            let contradiction = CONTRADICTIONS
                .iter()
                .find(|(f, k, i, _)| *f == fname && *k == kind && *i == input_str);
            let desc = case
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let group = case.get("test_group").and_then(Value::as_str).unwrap_or("");
            let label = format!(
                "{fname} [{kind}/{group}] {desc}\n      input {}",
                case["input"]
            );
            match (run_case(case), contradiction) {
                (Ok(()), None) => passed += 1,
                (Err(e), None) => failures.push(format!("{label}\n      {e}")),
                (Err(_), Some((_, _, _, why))) => {
                    contradictions_seen.push(format!("{label}\n      because it {why}"))
                }
                (Ok(()), Some(_)) => failures.push(format!(
                    "{label}\n      listed in CONTRADICTIONS but passes now: update the list"
                )),
            }
        }
    }
    eprintln!(
        "purl-spec suite: {total} cases, {passed} pass, {} not satisfiable (suite contradicts itself), {} fail",
        contradictions_seen.len(),
        failures.len()
    );
    for c in &contradictions_seen {
        eprintln!("CONTRADICTION {c}");
    }
    assert!(
        total > 500,
        "expected the full purl-spec suite, found {total} cases"
    );
    assert_eq!(
        contradictions_seen.len(),
        CONTRADICTIONS.len(),
        "every listed contradiction must match a case"
    );
    assert!(
        failures.is_empty(),
        "{} purl-spec cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Small deterministic PRNG (xorshift64*), so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[&str] = &[
    "pkg",
    ":",
    "/",
    "//",
    "@",
    "?",
    "&",
    "=",
    "#",
    "%",
    "%2F",
    "%40",
    "%3A",
    "%zz",
    "%C3",
    "%A9",
    "%E2%82",
    "a",
    "Z",
    "0",
    "9",
    ".",
    "..",
    "-",
    "_",
    "~",
    "+",
    " ",
    "é",
    "İ",
    "ß",
    "\u{0}",
    "maven",
    "npm",
    "pypi",
    "git",
    "github",
    "cpan",
    "swid",
    "julia",
    "mlflow",
    "chrome-extension",
    "pub",
    "huggingface",
    "checksum",
    "uuid",
    "tag_id",
    "::",
    "repository_url",
    "databricks.com",
];

/// Checks that `s` parses without panicking and, when it parses, that its canonical form
/// parses back to the same purl and prints the same.
fn check_stable(s: &str) {
    if let Ok(p) = Purl::parse(s) {
        let canon = p.to_string();
        let again = Purl::parse(&canon)
            .unwrap_or_else(|e| panic!("{s:?} -> {canon:?} does not parse back: {e}"));
        assert_eq!(again, p, "{s:?} -> {canon:?} changes when parsed again");
        assert_eq!(again.to_string(), canon, "{s:?}: canonical form not stable");
    }
}

#[test]
fn garbage_never_panics_and_canonical_form_is_stable() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // Random strings from separator-heavy tokens.
    for _ in 0..30_000 {
        let mut s = String::new();
        for _ in 0..rng.below(24) {
            s.push_str(ALPHABET[rng.below(ALPHABET.len())]);
        }
        check_stable(&s);
        check_stable(&format!("pkg:{s}"));
    }
    // Random bytes (lossily made UTF-8).
    for _ in 0..10_000 {
        let bytes: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
        check_stable(&String::from_utf8_lossy(&bytes));
    }
    // Mutations of every suite input string.
    let mut inputs = Vec::new();
    for file in test_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        for case in json["tests"].as_array().into_iter().flatten() {
            if let Some(s) = case["input"].as_str() {
                inputs.push(s.to_string());
            }
        }
    }
    assert!(!inputs.is_empty(), "no purl-spec inputs found under {DIR}");
    for input in &inputs {
        check_stable(input);
        for _ in 0..20 {
            let mut chars: Vec<char> = input.chars().collect();
            for _ in 0..1 + rng.below(3) {
                let pos = rng.below(chars.len() + 1);
                let tok: Vec<char> = ALPHABET[rng.below(ALPHABET.len())].chars().collect();
                match rng.below(3) {
                    0 if pos < chars.len() => {
                        chars.remove(pos);
                    }
                    1 if pos < chars.len() => {
                        chars.splice(pos..pos + 1, tok);
                    }
                    _ => {
                        chars.splice(pos..pos, tok);
                    }
                }
            }
            check_stable(&chars.into_iter().collect::<String>());
        }
    }
}

#[test]
fn building_from_random_components_never_panics() {
    let mut rng = Rng(42);
    let pick = |rng: &mut Rng, max: usize| -> String {
        (0..rng.below(max))
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    };
    for _ in 0..20_000 {
        let ty = pick(&mut rng, 3);
        let ns = pick(&mut rng, 4);
        let name = pick(&mut rng, 4);
        let ver = pick(&mut rng, 3);
        let sub = pick(&mut rng, 4);
        let mut q = BTreeMap::new();
        for _ in 0..rng.below(3) {
            q.insert(pick(&mut rng, 2), pick(&mut rng, 3));
        }
        let built = Purl::new(
            &ty,
            (!ns.is_empty()).then_some(ns.as_str()),
            &name,
            (!ver.is_empty()).then_some(ver.as_str()),
            q,
            (!sub.is_empty()).then_some(sub.as_str()),
        );
        if let Ok(p) = built {
            let canon = p.to_string();
            assert_eq!(
                Purl::parse(&canon).as_ref(),
                Ok(&p),
                "built {p:?} -> {canon:?} does not parse back to itself"
            );
        }
    }
}
