//! OSV schema 1.x records (<https://ossf.github.io/osv-schema/>).
//!
//! [`parse`] reads one advisory from JSON bytes. Parsing is tolerant: every
//! field except `id` is optional, `null` is read as "absent", unknown fields
//! are ignored, and `ecosystem_specific` / `database_specific` are kept as
//! raw JSON values. A record that cannot be read gives an [`OsvError`] that
//! names the advisory id when it can be found in the bytes, else the origin
//! (file or zip entry) only.
//!
//! [`Advisory::severity_for`] rates an advisory for one affected package:
//! CVSS v4.0 is preferred over v3.x, the package's own `severity` overrides
//! the advisory's, and without a vector the GHSA word in
//! `database_specific.severity` is used.

use mamori_model::{Cvss, Severity};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Reads an absent or `null` value as the type's default.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV advisory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// Schema version the record claims (`1.6.0`).
    #[serde(default, deserialize_with = "nullable")]
    pub schema_version: String,
    /// Advisory id (`RUSTSEC-2021-0001`, `GHSA-…`, `GO-…`, `PYSEC-…`).
    pub id: String,
    /// Last modification time, RFC 3339.
    #[serde(default, deserialize_with = "nullable")]
    pub modified: String,
    /// Publication time, RFC 3339.
    #[serde(default)]
    pub published: Option<String>,
    /// Withdrawal time, RFC 3339: a withdrawn advisory never matches.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability.
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities.
    #[serde(default, deserialize_with = "nullable")]
    pub related: Vec<String>,
    /// Ids of upstream vulnerabilities.
    #[serde(default, deserialize_with = "nullable")]
    pub upstream: Vec<String>,
    /// One-line summary.
    #[serde(default, deserialize_with = "nullable")]
    pub summary: String,
    /// Details, CommonMark.
    #[serde(default, deserialize_with = "nullable")]
    pub details: String,
    /// Severity ratings of the whole advisory.
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityScore>,
    /// Affected packages.
    #[serde(default, deserialize_with = "nullable")]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default, deserialize_with = "nullable")]
    pub references: Vec<Reference>,
    /// Database-specific data (GHSA puts its `severity` word here).
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A severity rating: `{"type": "CVSS_V3", "score": "CVSS:3.1/…"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    /// The vector (or word, for `Ubuntu`).
    #[serde(default, deserialize_with = "nullable")]
    pub score: String,
}

/// A link of an advisory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `WEB`, `FIX`, `PACKAGE`, …
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    /// The URL.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
}

/// One affected package of an advisory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package; `None` for records that only give GIT ranges.
    #[serde(default)]
    pub package: Option<Package>,
    /// Package-specific severity (overrides the advisory's).
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityScore>,
    /// Affected ranges.
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<Range>,
    /// Affected versions, enumerated.
    #[serde(default, deserialize_with = "nullable")]
    pub versions: Vec<String>,
    /// Ecosystem-defined data.
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    /// Database-defined data.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// The package an [`Affected`] entry is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// OSV ecosystem (`crates.io`, `PyPI`, `Debian:12`, …).
    #[serde(default, deserialize_with = "nullable")]
    pub ecosystem: String,
    /// Package name as the ecosystem writes it.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Package URL without version.
    #[serde(default)]
    pub purl: Option<String>,
}

/// A range of affected versions: a timeline of events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    /// Repository URL, for `GIT` ranges.
    #[serde(default)]
    pub repo: Option<String>,
    /// The events, in any order.
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<Event>,
    /// Database-defined data.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// One event of a range. The schema allows exactly one field per event;
/// a record with several is still read, each field counting as an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The vulnerability appears in this version (`"0"`: before every version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// This version fixes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// The last affected version (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// Upper limit of the range (exclusive; `"*"`: infinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// Why an advisory could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsvError {
    /// Where the bytes came from (file path or `zip!entry`).
    pub origin: String,
    /// The advisory id, when it could be found in the bytes.
    pub id: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for OsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "advisory {id} ({}): {}", self.origin, self.reason),
            None => write!(f, "{}: {}", self.origin, self.reason),
        }
    }
}

impl std::error::Error for OsvError {}

/// Reads one OSV advisory from JSON bytes. `origin` names where the bytes
/// come from, for the error message.
pub fn parse(bytes: &[u8], origin: &str) -> Result<Advisory, OsvError> {
    match serde_json::from_slice::<Advisory>(bytes) {
        Ok(a) if a.id.trim().is_empty() => Err(OsvError {
            origin: origin.to_string(),
            id: None,
            reason: "the advisory has an empty id".to_string(),
        }),
        Ok(a) => Ok(a),
        Err(e) => Err(OsvError {
            origin: origin.to_string(),
            id: find_id(bytes),
            reason: format!("not a valid OSV record: {e}"),
        }),
    }
}

/// Best effort: the advisory id of a record that does not parse.
fn find_id(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct OnlyId {
        id: String,
    }
    if let Ok(o) = serde_json::from_slice::<OnlyId>(bytes) {
        return Some(o.id).filter(|s| !s.is_empty());
    }
    // Broken JSON: look for `"id": "…"` in the text.
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(4096))?);
    let at = text.find("\"id\"")?;
    let rest = text.get(at + 4..)?.trim_start().strip_prefix(':')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    let id = rest.get(..end)?;
    (!id.is_empty() && id.len() <= 200 && !id.contains('\\')).then(|| id.to_string())
}

impl Event {
    /// The event's kinds and versions, in the order introduced, fixed,
    /// last_affected, limit.
    pub fn parts(&self) -> impl Iterator<Item = (EventKind, &str)> {
        [
            (EventKind::Introduced, &self.introduced),
            (EventKind::Fixed, &self.fixed),
            (EventKind::LastAffected, &self.last_affected),
            (EventKind::Limit, &self.limit),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    }
}

/// The kind of a range event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// `introduced`
    #[serde(rename = "i")]
    Introduced,
    /// `fixed`
    #[serde(rename = "f")]
    Fixed,
    /// `last_affected`
    #[serde(rename = "l")]
    LastAffected,
    /// `limit`
    #[serde(rename = "x")]
    Limit,
}

/// A rating: the severity and, when it comes from a CVSS vector, the vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// Severity band.
    pub severity: Severity,
    /// The CVSS rating it comes from, if any.
    pub cvss: Option<Cvss>,
}

/// The severity band of a CVSS base score: 0 → Info, 0.1–3.9 → Low,
/// 4.0–6.9 → Medium, 7.0–8.9 → High, 9.0–10.0 → Critical.
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// Rates a CVSS v3.x or v4.0 vector; `None` when it cannot be read.
pub fn rate_cvss(vector: &str) -> Option<Cvss> {
    let v = vector.trim();
    let parsed: cvss::Cvss = v.parse().ok()?;
    let version = match parsed {
        cvss::Cvss::CvssV30(_) => "3.0",
        cvss::Cvss::CvssV31(_) => "3.1",
        cvss::Cvss::CvssV40(_) => "4.0",
        _ => return None,
    };
    let score = parsed.score();
    if !score.is_finite() || !(0.0..=10.0).contains(&score) {
        return None;
    }
    Some(Cvss {
        version: version.to_string(),
        vector: v.to_string(),
        score,
    })
}

/// The best CVSS rating among severity entries: v4.0 before v3.x.
fn best_cvss(scores: &[SeverityScore]) -> Option<Cvss> {
    for kind in ["CVSS_V4", "CVSS_V3"] {
        if let Some(c) = scores
            .iter()
            .filter(|s| s.kind == kind)
            .find_map(|s| rate_cvss(&s.score))
        {
            return Some(c);
        }
    }
    None
}

/// A severity word: GHSA (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`) or Ubuntu
/// priority (`negligible`, `low`, `medium`, `high`, `critical`).
pub fn severity_of_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "negligible" | "none" | "info" | "informational" => Some(Severity::Info),
        "low" => Some(Severity::Low),
        "moderate" | "medium" => Some(Severity::Medium),
        "high" | "important" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

fn db_specific_word(v: Option<&serde_json::Value>) -> Option<Severity> {
    v?.get("severity")?.as_str().and_then(severity_of_word)
}

/// RustSec's informational advisories (`unmaintained`, `unsound`, `notice`) carry no CVSS:
/// they are rated info, as cargo audit reports them as warnings rather than vulnerabilities.
fn informational(v: Option<&serde_json::Value>) -> Option<Severity> {
    let kind = v?.get("informational")?.as_str()?;
    (!kind.trim().is_empty()).then_some(Severity::Info)
}

impl Advisory {
    /// The rating of this advisory for one of its affected entries (`None`:
    /// the advisory as a whole).
    ///
    /// Order: the entry's CVSS (v4 before v3), the advisory's CVSS (v4 before
    /// v3), the entry's then the advisory's `Ubuntu` priority, the entry's
    /// then the advisory's `database_specific.severity` word (GHSA), then
    /// info for RustSec's informational advisories. `None` when nothing rates it.
    pub fn severity_for(&self, affected: Option<&Affected>) -> Option<Rating> {
        let own: &[SeverityScore] = affected.map(|a| a.severity.as_slice()).unwrap_or(&[]);
        for scores in [own, self.severity.as_slice()] {
            if let Some(c) = best_cvss(scores) {
                return Some(Rating {
                    severity: severity_of_score(c.score),
                    cvss: Some(c),
                });
            }
        }
        let word = [own, self.severity.as_slice()]
            .into_iter()
            .flatten()
            .filter(|s| s.kind == "Ubuntu")
            .find_map(|s| severity_of_word(&s.score))
            .or_else(|| db_specific_word(affected.and_then(|a| a.database_specific.as_ref())))
            .or_else(|| db_specific_word(self.database_specific.as_ref()))
            .or_else(|| informational(affected.and_then(|a| a.database_specific.as_ref())))?;
        Some(Rating {
            severity: word,
            cvss: None,
        })
    }

    /// The summary, or the first line of the details when there is none.
    pub fn short_summary(&self) -> String {
        let s = self.summary.trim();
        if !s.is_empty() {
            return s.to_string();
        }
        let first = self.details.trim().lines().next().unwrap_or("").trim();
        let mut out: String = first.chars().take(200).collect();
        if first.chars().count() > 200 {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_parse() {
        let a = parse(
            br#"{"id":"X-1","aliases":null,"summary":null,"affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}],"versions":null,"extra":5}],"new_field":{}}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(a.id, "X-1");
        assert!(a.aliases.is_empty());
        assert_eq!(a.affected.len(), 1);
        let parts: Vec<_> = a.affected[0].ranges[0]
            .events
            .iter()
            .flat_map(|e| e.parts())
            .collect();
        assert_eq!(
            parts,
            vec![(EventKind::Introduced, "0"), (EventKind::Fixed, "1.0.0")]
        );
    }

    #[test]
    fn errors_name_the_id_or_origin() {
        let e = parse(br#"{"id":"GHSA-abcd","affected":5}"#, "x.zip!a.json").unwrap_err();
        assert_eq!(e.id.as_deref(), Some("GHSA-abcd"));
        assert!(e.to_string().contains("GHSA-abcd"), "{e}");
        let e = parse(br#"{"id": "PYSEC-1", "affected": [ {"#, "f.json").unwrap_err();
        assert_eq!(e.id.as_deref(), Some("PYSEC-1"));
        let e = parse(b"\xff\x00garbage", "g.json").unwrap_err();
        assert_eq!(e.id, None);
        assert!(e.to_string().starts_with("g.json: "), "{e}");
        assert!(parse(br#"{"id":""}"#, "h.json").is_err());
        assert!(parse(br#"[]"#, "h.json").is_err());
    }

    #[test]
    fn bands() {
        assert_eq!(severity_of_score(0.0), Severity::Info);
        assert_eq!(severity_of_score(0.1), Severity::Low);
        assert_eq!(severity_of_score(3.9), Severity::Low);
        assert_eq!(severity_of_score(4.0), Severity::Medium);
        assert_eq!(severity_of_score(6.9), Severity::Medium);
        assert_eq!(severity_of_score(7.0), Severity::High);
        assert_eq!(severity_of_score(8.9), Severity::High);
        assert_eq!(severity_of_score(9.0), Severity::Critical);
        assert_eq!(severity_of_score(10.0), Severity::Critical);
    }

    /// Scores published by NVD / Tenable / FIRST for these vectors (looked
    /// up for CVE-2026-5223, CVE-2024-26197, CVE-2026-27748, CVE-2024-25632,
    /// CVE-2020-27464 and the v3.1 / v4.0 specification examples).
    #[test]
    fn cvss_scores_match_published_values() {
        let published = [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
                Severity::Critical,
            ),
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H",
                9.1,
                Severity::Critical,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N",
                5.3,
                Severity::Medium,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
                6.5,
                Severity::Medium,
            ),
            (
                "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
                7.8,
                Severity::High,
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L",
                8.6,
                Severity::High,
            ),
            (
                "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
                7.8,
                Severity::High,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:L/VA:N/SC:H/SI:H/SA:H",
                6.5,
                Severity::Medium,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
                Severity::Critical,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
                Severity::Info,
            ),
        ];
        for (vector, score, sev) in published {
            let c = rate_cvss(vector).unwrap_or_else(|| panic!("{vector}"));
            assert!(
                (c.score - score).abs() < 1e-9,
                "{vector}: {} != {score}",
                c.score
            );
            assert_eq!(severity_of_score(c.score), sev, "{vector}");
            assert_eq!(c.vector, vector);
        }
        assert_eq!(rate_cvss("CVSS:3.1/AV:X"), None);
        assert_eq!(
            rate_cvss("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            None,
            "CVSS v2 is not rated"
        );
    }

    #[test]
    fn severity_precedence() {
        let a = parse(
            br#"{"id":"S-1",
                "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"},
                            {"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"}],
                "affected":[
                  {"package":{"ecosystem":"npm","name":"a"}},
                  {"package":{"ecosystem":"npm","name":"b"},
                   "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}]}],
                "database_specific":{"severity":"LOW"}}"#,
            "t",
        )
        .unwrap();
        let top = a.severity_for(None).unwrap();
        assert_eq!(top.severity, Severity::Critical, "v4 preferred over v3");
        assert_eq!(top.cvss.unwrap().version, "4.0");
        let own = a.severity_for(a.affected.get(1)).unwrap();
        assert_eq!(
            own.severity,
            Severity::High,
            "the package's own rating wins"
        );
        assert_eq!(own.cvss.unwrap().score, 7.8);
        let word = parse(
            br#"{"id":"G-1","database_specific":{"severity":"MODERATE"}}"#,
            "t",
        )
        .unwrap();
        assert_eq!(
            word.severity_for(None),
            Some(Rating {
                severity: Severity::Medium,
                cvss: None
            })
        );
        let none = parse(br#"{"id":"N-1","database_specific":{"severity":7}}"#, "t").unwrap();
        assert_eq!(none.severity_for(None), None);
    }
}
