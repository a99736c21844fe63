//! The OSV evaluation of affected versions.
//!
//! Implements the `IsVulnerable` pseudo-code of the OSV schema
//! ("Evaluation", <https://ossf.github.io/osv-schema/#evaluation>): a version
//! is affected when it is listed in `versions` or lies in any range; a range
//! is walked in version order (`introduced` sets affected, `fixed` and a
//! version above `last_affected` clear it), and a range with `limit` events
//! only counts for versions below one of its limits (`"*"`: infinity).
//!
//! [`CompiledAffected::compile`] turns an OSV `affected` entry into the form
//! the database stores: events already sorted in the order of their range
//! (so matching never sorts), versions checked once.
//!
//! - `SEMVER` ranges are ordered by SemVer 2.0 precedence, whatever the
//!   ecosystem (`Go` versions: the component's leading `v` is stripped).
//! - `ECOSYSTEM` ranges are ordered by the ecosystem's scheme
//!   ([`Ecosystem::from_osv_name`]; a release suffix such as `Debian:12` is
//!   ignored). An ecosystem without a known scheme cannot be evaluated:
//!   only its `versions` list is used.
//! - `GIT` ranges order commits, which needs the repository's history; they
//!   cannot be evaluated against a version number, so they are dropped and
//!   only the entry's `versions` list (which osv.dev fills from the git
//!   tags) is used.
//!
//! Sorting never panics: a small merge sort is used (the standard sort may
//! panic on a comparison that is not a total order), and versions that the
//! scheme cannot read are set aside at compile time: such a range is kept
//! as [`CompiledRange::unreadable`] and never matches.

use crate::osv::{Affected, EventKind};
use crate::version::{compare, Ecosystem};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// How the events of a range are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    /// `SEMVER`: SemVer 2.0 precedence.
    #[serde(rename = "s")]
    SemVer,
    /// `ECOSYSTEM`: the ecosystem's own scheme.
    #[serde(rename = "e")]
    Ecosystem,
}

/// A range ready for matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompiledRange {
    /// Ordering.
    #[serde(rename = "k")]
    pub kind: RangeKind,
    /// `introduced` / `fixed` / `last_affected` events, sorted by version
    /// (`introduced: "0"` first; at equal versions introduced, then
    /// last_affected, then fixed).
    #[serde(rename = "e", default)]
    pub events: Vec<(EventKind, String)>,
    /// `limit` versions; empty: no limit. `"*"` means infinity.
    #[serde(rename = "l", default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
    /// An event version the scheme cannot read: the range never matches.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// An OSV `affected` entry ready for matching.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompiledAffected {
    /// Versions listed as affected, as written.
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// `SEMVER` and `ECOSYSTEM` ranges.
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<CompiledRange>,
    /// Whether the entry had `GIT` ranges (not evaluated; see the module docs).
    #[serde(rename = "g", default, skip_serializing_if = "std::ops::Not::not")]
    pub had_git: bool,
    /// Whether it had `ECOSYSTEM` ranges of an ecosystem without a known
    /// ordering (not evaluated).
    #[serde(rename = "n", default, skip_serializing_if = "std::ops::Not::not")]
    pub unordered: bool,
}

/// The result of evaluating one version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// The version is affected.
    pub affected: bool,
    /// The smallest `fixed` version above it in the ranges that matched.
    pub fixed: Option<String>,
}

/// Why a version could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The component's version cannot be read in the range's scheme.
    BadVersion {
        /// The version.
        version: String,
        /// Why.
        reason: String,
    },
    /// A range of the advisory has an event version the scheme cannot read.
    BadRange {
        /// The event version.
        version: String,
    },
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::BadVersion { version, reason } => {
                write!(f, "version {version:?} cannot be compared: {reason}")
            }
            EvalError::BadRange { version } => {
                write!(f, "range event version {version:?} cannot be read")
            }
        }
    }
}

/// The scheme of a range.
fn scheme(kind: RangeKind, eco: Option<Ecosystem>) -> Option<Ecosystem> {
    match kind {
        RangeKind::SemVer => Some(Ecosystem::SemVer),
        RangeKind::Ecosystem => eco,
    }
}

/// Whether a version string is readable in a scheme.
fn readable(eco: Ecosystem, v: &str) -> Result<(), String> {
    compare(eco, v, v)
        .map(|_| ())
        .map_err(|e| e.reason.to_string())
}

/// Strips what the component carries but OSV does not write: the Go `v`
/// (`v1.2.3` → `1.2.3`; the toolchain's `go1.21.3` → `1.21.3`).
pub fn osv_version<'a>(ecosystem: &str, version: &'a str) -> &'a str {
    let v = version.trim();
    if ecosystem == "Go" {
        let rest = v
            .strip_prefix('v')
            .or_else(|| v.strip_prefix("go"))
            .unwrap_or(v);
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return rest;
        }
    }
    v
}

fn kind_rank(k: EventKind) -> u8 {
    match k {
        EventKind::Introduced => 0,
        EventKind::LastAffected => 1,
        EventKind::Fixed => 2,
        EventKind::Limit => 3,
    }
}

fn is_zero_introduced(k: EventKind, v: &str) -> bool {
    k == EventKind::Introduced && v == "0"
}

/// Orders two events of one range; versions were checked readable.
fn event_order(eco: Ecosystem, a: &(EventKind, String), b: &(EventKind, String)) -> Ordering {
    let za = is_zero_introduced(a.0, &a.1);
    let zb = is_zero_introduced(b.0, &b.1);
    let by_version = match (za, zb) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare(eco, &a.1, &b.1).unwrap_or(Ordering::Equal),
    };
    by_version.then(kind_rank(a.0).cmp(&kind_rank(b.0)))
}

/// A stable merge sort that never panics, whatever the comparison does.
fn merge_sort<T: Clone>(items: &mut Vec<T>, cmp: &impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mid = items.len() / 2;
    let mut right = items.split_off(mid);
    merge_sort(items, cmp);
    merge_sort(&mut right, cmp);
    let left = std::mem::take(items);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => cmp(b, a) != Ordering::Less,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { l.next() } else { r.next() };
        if let Some(x) = next {
            out.push(x);
        }
    }
    *items = out;
}

impl CompiledAffected {
    /// Compiles an `affected` entry of an advisory in `ecosystem` (the
    /// entry's `package.ecosystem`). Returns the compiled form and the
    /// unreadable event versions found (the caller may warn about them).
    pub fn compile(ecosystem: &str, affected: &Affected) -> (CompiledAffected, Vec<String>) {
        let eco = Ecosystem::from_osv_name(ecosystem);
        let mut out = CompiledAffected {
            versions: affected
                .versions
                .iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
            ..CompiledAffected::default()
        };
        let mut bad = Vec::new();
        for range in &affected.ranges {
            let kind = match range.kind.as_str() {
                "SEMVER" => RangeKind::SemVer,
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "GIT" => {
                    out.had_git = true;
                    continue;
                }
                _ => continue,
            };
            let Some(scheme) = scheme(kind, eco) else {
                out.unordered = true;
                continue;
            };
            let mut c = CompiledRange {
                kind,
                events: Vec::new(),
                limits: Vec::new(),
                unreadable: None,
            };
            for (k, v) in range.events.iter().flat_map(|e| e.parts()) {
                let v = v.trim();
                let special =
                    is_zero_introduced(k, v) || (k == EventKind::Limit && v.contains('*'));
                if !special && c.unreadable.is_none() && readable(scheme, v).is_err() {
                    c.unreadable = Some(v.to_string());
                    bad.push(v.to_string());
                }
                if k == EventKind::Limit {
                    c.limits.push(v.to_string());
                } else {
                    c.events.push((k, v.to_string()));
                }
            }
            if c.unreadable.is_none() {
                merge_sort(&mut c.events, &|a, b| event_order(scheme, a, b));
            }
            out.ranges.push(c);
        }
        (out, bad)
    }

    /// Evaluates `version` (as the component writes it; see [`osv_version`])
    /// for a package of `ecosystem`.
    ///
    /// `Ok` with `affected: false` when it is not affected. An error when it
    /// is not listed in `versions` and a range cannot be evaluated because
    /// the version (or, rarely, a range event) cannot be read in the scheme;
    /// the other ranges are still tried first, so an error means "no match,
    /// and it could not be decided".
    pub fn evaluate(&self, ecosystem: &str, version: &str) -> Result<Verdict, EvalError> {
        let v = osv_version(ecosystem, version);
        let listed = self.versions.iter().any(|x| x == v);
        let eco = Ecosystem::from_osv_name(ecosystem);
        let mut verdict = Verdict {
            affected: listed,
            fixed: None,
        };
        let mut error = None;
        for range in &self.ranges {
            let Some(scheme) = scheme(range.kind, eco) else {
                continue;
            };
            if let Some(u) = &range.unreadable {
                error.get_or_insert(EvalError::BadRange { version: u.clone() });
                continue;
            }
            if let Err(reason) = readable(scheme, v) {
                error.get_or_insert(EvalError::BadVersion {
                    version: version.to_string(),
                    reason,
                });
                continue;
            }
            if in_range(scheme, range, v) {
                verdict.affected = true;
                for (k, f) in &range.events {
                    if *k == EventKind::Fixed
                        && compare(scheme, f, v) == Ok(Ordering::Greater)
                        && verdict
                            .fixed
                            .as_deref()
                            .is_none_or(|cur| compare(scheme, f, cur) == Ok(Ordering::Less))
                    {
                        verdict.fixed = Some(f.clone());
                    }
                }
            }
        }
        match error {
            Some(e) if !verdict.affected => Err(e),
            _ => Ok(verdict),
        }
    }
}

/// The OSV `BeforeLimits` and event walk for one readable version.
fn in_range(eco: Ecosystem, range: &CompiledRange, v: &str) -> bool {
    let ge = |x: &str| matches!(compare(eco, v, x), Ok(Ordering::Greater | Ordering::Equal));
    let gt = |x: &str| compare(eco, v, x) == Ok(Ordering::Greater);
    let before_limits = range.limits.is_empty()
        || range
            .limits
            .iter()
            .any(|l| l.contains('*') || compare(eco, v, l) == Ok(Ordering::Less));
    if !before_limits {
        return false;
    }
    let mut affected = false;
    for (k, x) in &range.events {
        match k {
            EventKind::Introduced if x == "0" || ge(x) => affected = true,
            EventKind::Fixed if ge(x) => affected = false,
            EventKind::LastAffected if gt(x) => affected = false,
            _ => {}
        }
    }
    affected
}

/// The versions of one package's ranges in one scheme, sorted once: a
/// component's version is then placed with a binary search, and every range
/// of the package is walked with integer comparisons.
#[derive(Debug, Clone)]
struct VersionTable {
    scheme: Ecosystem,
    /// One representative per distinct version (by the scheme), ascending.
    reps: Vec<String>,
    /// Every event version as written → its index in `reps`.
    rank: HashMap<String, u32>,
}

/// Where a version sits in a [`VersionTable`]: `2i + 1` when it equals
/// `reps[i]`, `2i` when it lies between `reps[i - 1]` and `reps[i]`.
type Key = u32;

impl VersionTable {
    fn build(scheme: Ecosystem, versions: Vec<String>) -> VersionTable {
        let mut versions = versions;
        versions.sort_unstable();
        versions.dedup();
        merge_sort(&mut versions, &|a: &String, b: &String| {
            compare(scheme, a, b).unwrap_or(Ordering::Equal)
        });
        let mut reps: Vec<String> = Vec::new();
        let mut rank = HashMap::with_capacity(versions.len());
        for v in versions {
            let same = reps
                .last()
                .is_some_and(|r| compare(scheme, r, &v) == Ok(Ordering::Equal));
            if !same {
                reps.push(v.clone());
            }
            let i = u32::try_from(reps.len().saturating_sub(1)).unwrap_or(u32::MAX / 2 - 1);
            rank.insert(v, i);
        }
        VersionTable { scheme, reps, rank }
    }

    /// The key of an event version (one the table was built from).
    fn key_of(&self, v: &str) -> Option<Key> {
        self.rank
            .get(v)
            .and_then(|i| i.checked_mul(2))
            .and_then(|x| x.checked_add(1))
    }

    /// The key of a component version, or why it cannot be read.
    fn place(&self, v: &str) -> Result<Key, String> {
        readable(self.scheme, v)?;
        let i = match self
            .reps
            .binary_search_by(|r| compare(self.scheme, r, v).unwrap_or(Ordering::Less))
        {
            Ok(i) => 2 * i + 1,
            Err(i) => 2 * i,
        };
        u32::try_from(i).map_err(|_| "too many versions".to_string())
    }
}

/// A range with its events as keys of a [`VersionTable`].
#[derive(Debug, Clone)]
struct RankedRange {
    /// Index of the table, or `None` when the range cannot be evaluated.
    table: Option<usize>,
    /// Same order as the compiled events; `introduced: "0"` is key 0 (every
    /// version's key is at least 0).
    events: Vec<(EventKind, Key)>,
    /// `"*"` (infinity) is `Key::MAX` (above every version's key).
    limits: Vec<Key>,
}

/// All affected entries of one package (one ecosystem string), ready to
/// evaluate many versions fast. Same results as
/// [`CompiledAffected::evaluate`] on each entry.
#[derive(Debug, Clone)]
pub struct PackageIndex {
    ecosystem: String,
    tables: Vec<VersionTable>,
    entries: Vec<(CompiledAffected, Vec<RankedRange>)>,
}

impl PackageIndex {
    /// Indexes the entries of one package filed under `ecosystem`.
    pub fn new(ecosystem: &str, entries: Vec<CompiledAffected>) -> PackageIndex {
        let eco = Ecosystem::from_osv_name(ecosystem);
        // Versions per scheme.
        let mut per_scheme: Vec<(Ecosystem, Vec<String>)> = Vec::new();
        for e in &entries {
            for r in &e.ranges {
                let Some(sch) = scheme(r.kind, eco) else {
                    continue;
                };
                if r.unreadable.is_some() {
                    continue;
                }
                let slot = match per_scheme.iter().position(|(s, _)| *s == sch) {
                    Some(i) => i,
                    None => {
                        per_scheme.push((sch, Vec::new()));
                        per_scheme.len() - 1
                    }
                };
                if let Some((_, list)) = per_scheme.get_mut(slot) {
                    for (k, v) in &r.events {
                        if !is_zero_introduced(*k, v) {
                            list.push(v.clone());
                        }
                    }
                    list.extend(r.limits.iter().filter(|l| !l.contains('*')).cloned());
                }
            }
        }
        let tables: Vec<VersionTable> = per_scheme
            .into_iter()
            .map(|(s, list)| VersionTable::build(s, list))
            .collect();
        let entries = entries
            .into_iter()
            .map(|e| {
                let ranked = e
                    .ranges
                    .iter()
                    .map(|r| {
                        let table = scheme(r.kind, eco)
                            .filter(|_| r.unreadable.is_none())
                            .and_then(|sch| tables.iter().position(|t| t.scheme == sch));
                        let t = table.and_then(|i| tables.get(i));
                        let key = |v: &str| t.and_then(|t| t.key_of(v));
                        let events: Option<Vec<(EventKind, Key)>> = r
                            .events
                            .iter()
                            .map(|(k, v)| {
                                if is_zero_introduced(*k, v) {
                                    Some((*k, 0))
                                } else {
                                    key(v).map(|x| (*k, x))
                                }
                            })
                            .collect();
                        let limits: Option<Vec<Key>> = r
                            .limits
                            .iter()
                            .map(|l| {
                                if l.contains('*') {
                                    Some(Key::MAX)
                                } else {
                                    key(l)
                                }
                            })
                            .collect();
                        match (events, limits) {
                            (Some(events), Some(limits)) => RankedRange {
                                table,
                                events,
                                limits,
                            },
                            // Cannot happen: every event version is in the table.
                            _ => RankedRange {
                                table: None,
                                events: Vec::new(),
                                limits: Vec::new(),
                            },
                        }
                    })
                    .collect();
                (e, ranked)
            })
            .collect();
        PackageIndex {
            ecosystem: ecosystem.to_string(),
            tables,
            entries,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Evaluates `version` against every entry, in order (one result per
    /// entry, as [`CompiledAffected::evaluate`] would give).
    pub fn evaluate_all(&self, version: &str) -> Vec<Result<Verdict, EvalError>> {
        let v = osv_version(&self.ecosystem, version);
        let placed: Vec<Result<Key, String>> = self.tables.iter().map(|t| t.place(v)).collect();
        let eco = Ecosystem::from_osv_name(&self.ecosystem);
        self.entries
            .iter()
            .map(|(e, ranked)| {
                let mut verdict = Verdict {
                    affected: e.versions.iter().any(|x| x == v),
                    fixed: None,
                };
                let mut best_fixed: Option<(usize, Key)> = None;
                let mut error = None;
                for (range, r) in e.ranges.iter().zip(ranked) {
                    if scheme(range.kind, eco).is_none() {
                        continue;
                    }
                    if let Some(u) = &range.unreadable {
                        error.get_or_insert(EvalError::BadRange { version: u.clone() });
                        continue;
                    }
                    let Some(t) = r.table else { continue };
                    let vk = match placed.get(t) {
                        Some(Ok(k)) => *k,
                        Some(Err(reason)) => {
                            error.get_or_insert(EvalError::BadVersion {
                                version: version.to_string(),
                                reason: reason.clone(),
                            });
                            continue;
                        }
                        None => continue,
                    };
                    if !ranked_in_range(r, vk) {
                        continue;
                    }
                    verdict.affected = true;
                    for ((k, fk), (_, fv)) in r.events.iter().zip(&range.events) {
                        if *k != EventKind::Fixed || *fk <= vk {
                            continue;
                        }
                        let closer = match best_fixed {
                            None => true,
                            Some((bt, bk)) if bt == t => *fk < bk,
                            Some(_) => verdict.fixed.as_deref().is_none_or(|cur| {
                                self.tables.get(t).is_some_and(|tb| {
                                    compare(tb.scheme, fv, cur) == Ok(Ordering::Less)
                                })
                            }),
                        };
                        if closer {
                            best_fixed = Some((t, *fk));
                            verdict.fixed = Some(fv.clone());
                        }
                    }
                }
                match error {
                    Some(e) if !verdict.affected => Err(e),
                    _ => Ok(verdict),
                }
            })
            .collect()
    }
}

/// [`in_range`] on keys.
fn ranked_in_range(r: &RankedRange, vk: Key) -> bool {
    if !r.limits.is_empty() && !r.limits.iter().any(|l| vk < *l) {
        return false;
    }
    let mut affected = false;
    for (k, x) in &r.events {
        match k {
            EventKind::Introduced if vk >= *x => affected = true,
            EventKind::Fixed if vk >= *x => affected = false,
            EventKind::LastAffected if vk > *x => affected = false,
            _ => {}
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv;

    fn compiled(eco: &str, json: &str) -> CompiledAffected {
        let a: Affected = serde_json::from_str(json).unwrap();
        CompiledAffected::compile(eco, &a).0
    }

    fn affected(c: &CompiledAffected, eco: &str, v: &str) -> bool {
        c.evaluate(eco, v).unwrap().affected
    }

    #[test]
    fn spec_examples() {
        // "Unfixed vulnerability example": every version.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}"#,
        );
        assert!(affected(&c, "npm", "0.0.1"));
        assert!(affected(&c, "npm", "99.0.0"));
        // "Fixed vulnerability example": everything before 1.0.2.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.2"}]}]}"#,
        );
        assert!(affected(&c, "npm", "1.0.1"));
        assert!(affected(&c, "npm", "1.0.2-rc.1"));
        assert!(!affected(&c, "npm", "1.0.2"));
        assert_eq!(
            c.evaluate("npm", "0.5.0").unwrap().fixed.as_deref(),
            Some("1.0.2")
        );
        // "Multiple range example", events given out of order.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"fixed":"3.2.5"},{"introduced":"1.0.0"},{"introduced":"3.0.0"},{"fixed":"1.0.2"}]}]}"#,
        );
        for (v, want) in [
            ("0.9.0", false),
            ("1.0.0", true),
            ("1.0.1", true),
            ("1.0.2", false),
            ("2.9.9", false),
            ("3.0.0", true),
            ("3.2.4", true),
            ("3.2.5", false),
            ("10.0.0", false),
        ] {
            assert_eq!(affected(&c, "npm", v), want, "{v}");
        }
        assert_eq!(
            c.evaluate("npm", "3.1.0").unwrap().fixed.as_deref(),
            Some("3.2.5")
        );
        assert_eq!(
            c.evaluate("npm", "1.0.0").unwrap().fixed.as_deref(),
            Some("1.0.2")
        );
    }

    #[test]
    fn last_affected_is_inclusive() {
        // Spec "last_affected vs fixed example".
        let c = compiled(
            "PyPI",
            r#"{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0.0"},{"last_affected":"1.2.0"}]}]}"#,
        );
        assert!(!affected(&c, "PyPI", "0.9"));
        assert!(affected(&c, "PyPI", "1.0.0"));
        assert!(affected(&c, "PyPI", "1.2.0"));
        assert!(affected(&c, "PyPI", "1.2"), "PEP 440: 1.2 == 1.2.0");
        assert!(!affected(&c, "PyPI", "1.2.0.post1"));
        assert!(!affected(&c, "PyPI", "1.2.1"));
        assert_eq!(c.evaluate("PyPI", "1.1").unwrap().fixed, None);
    }

    #[test]
    fn limits() {
        // Spec "limit events": introduced 0 with a limit: only below it.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"2.0.0"}]}]}"#,
        );
        assert!(affected(&c, "npm", "1.9.9"));
        assert!(!affected(&c, "npm", "2.0.0"));
        assert!(!affected(&c, "npm", "3.0.0"));
        // Several limits: below any of them.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"limit":"1.5.0"},{"limit":"3.0.0"}]}]}"#,
        );
        assert!(affected(&c, "npm", "2.0.0"));
        assert!(!affected(&c, "npm", "3.0.0"));
        // "*" is infinity.
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"limit":"*"}]}]}"#,
        );
        assert!(affected(&c, "npm", "99.0.0"));
        assert!(!affected(&c, "npm", "0.1.0"));
    }

    #[test]
    fn versions_list_and_git() {
        let c = compiled(
            "PyPI",
            r#"{"ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"},{"fixed":"def"}]}],"versions":["1.0","1.1"]}"#,
        );
        assert!(c.had_git);
        assert!(c.ranges.is_empty());
        assert!(affected(&c, "PyPI", "1.1"));
        assert!(!affected(&c, "PyPI", "1.2"));
        // Go: the component's v is stripped before comparing with OSV's.
        let c = compiled(
            "Go",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}],"versions":["1.3.0"]}"#,
        );
        assert!(affected(&c, "Go", "v1.1.9"));
        assert!(affected(&c, "Go", "v1.3.0"), "listed");
        assert!(!affected(&c, "Go", "v1.2.0"));
    }

    #[test]
    fn unreadable_versions() {
        let c = compiled(
            "crates.io",
            r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}"#,
        );
        let e = c.evaluate("crates.io", "latest").unwrap_err();
        assert!(matches!(&e, EvalError::BadVersion { version, .. } if version == "latest"));
        let (c, bad) = CompiledAffected::compile(
            "crates.io",
            &serde_json::from_str(
                r#"{"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"nope"}]}],"versions":["0.1.0"]}"#,
            )
            .unwrap(),
        );
        assert_eq!(bad, vec!["nope".to_string()]);
        assert!(matches!(
            c.evaluate("crates.io", "0.2.0"),
            Err(EvalError::BadRange { .. })
        ));
        assert!(
            affected(&c, "crates.io", "0.1.0"),
            "listed versions still match"
        );
    }

    #[test]
    fn unknown_ecosystem_uses_versions_only() {
        let c = compiled(
            "SomethingNew",
            r#"{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}],"versions":["7"]}"#,
        );
        assert!(c.unordered);
        assert!(affected(&c, "SomethingNew", "7"));
        assert!(!affected(&c, "SomethingNew", "8"));
    }

    #[test]
    fn equal_versions_fix_wins() {
        let c = compiled(
            "npm",
            r#"{"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"},{"introduced":"1.0.0"}]}]}"#,
        );
        assert!(!affected(&c, "npm", "1.0.0"));
        assert!(!affected(&c, "npm", "2.0.0"));
    }

    #[test]
    fn merge_sort_survives_bad_comparisons() {
        let mut v: Vec<u32> = (0..200).rev().collect();
        merge_sort(&mut v, &|a, b| {
            if (a + b) % 3 == 0 {
                Ordering::Less
            } else {
                a.cmp(b)
            }
        });
        assert_eq!(v.len(), 200);
        let mut w: Vec<u32> = (0..100).rev().collect();
        merge_sort(&mut w, &|a, b| a.cmp(b));
        assert_eq!(w, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn compiled_form_round_trips() {
        let a = osv::parse(
            br#"{"id":"A","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"},{"limit":"*"}]}],"versions":["0.1.0"]}]}"#,
            "t",
        )
        .unwrap();
        let (c, _) = CompiledAffected::compile("npm", &a.affected[0]);
        let json = serde_json::to_string(&c).unwrap();
        let back: CompiledAffected = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
