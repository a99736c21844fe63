//! Policy profiles: the deadlines a plan is judged against, as data files with their
//! sources (`data/policies/*.toml`, built in), and the same format for a user's own file.
//!
//! A profile has an id, a title in English and Japanese, the assumed year of a
//! cryptographically relevant quantum computer, its sources, a deadline per system
//! criticality, and optionally deadlines by classical security level (`by_security`, NIST
//! IR 8547's 112-bit rule), by category (`by_category`, CNSA 2.0's), and the days to resolve
//! a finding by severity (`[service_levels]`, the findings' due dates).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::register::Criticality;

/// The built-in profiles, as shipped.
const BUILTIN: [(&str, &str); 5] = [
    ("ldp-2024", include_str!("../data/policies/ldp-2024.toml")),
    (
        "jp-gov-2035",
        include_str!("../data/policies/jp-gov-2035.toml"),
    ),
    (
        "nist-ir-8547",
        include_str!("../data/policies/nist-ir-8547.toml"),
    ),
    ("cnsa-2.0", include_str!("../data/policies/cnsa-2.0.toml")),
    ("eu-2030", include_str!("../data/policies/eu-2030.toml")),
];

/// The profile used when neither `--policy` nor the register names one.
pub const DEFAULT_POLICY: &str = "ldp-2024";

/// A deadline per system criticality (the year by the end of which migration is done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    /// Critical systems.
    pub critical: i32,
    /// High.
    pub high: i32,
    /// Medium.
    pub medium: i32,
    /// Low.
    pub low: i32,
}

/// One policy profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Id (`ldp-2024`).
    pub id: String,
    /// Title, English.
    pub title: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Assumed year of a cryptographically relevant quantum computer.
    pub crqc_year: i32,
    /// Where the dates come from.
    pub sources: Vec<String>,
    /// Deadlines by criticality.
    pub deadlines: Deadlines,
    /// Deadlines by classical security level in bits (`"112"` → 2030).
    #[serde(default)]
    pub by_security: BTreeMap<String, i32>,
    /// Deadlines by category of use (`software-signing`, `web` …).
    #[serde(default)]
    pub by_category: BTreeMap<String, i32>,
    /// Days to resolve a finding by severity (`[service_levels]`: critical, high, medium,
    /// low); the findings' due dates. Absent: mamori's defaults.
    #[serde(default)]
    pub service_levels: Option<mamori_model::ServiceLevels>,
}

/// Why a profile could not be used; every variant names the profile or file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Neither a built-in id nor a readable file.
    #[error("unknown policy {name:?}: not one of {known} and not a readable file ({error})")]
    Unknown {
        /// What was asked for.
        name: String,
        /// The built-in ids.
        known: String,
        /// Why the file could not be read.
        error: std::io::Error,
    },
    /// The file is malformed or inconsistent.
    #[error("{path}: {message}")]
    Invalid {
        /// The file (or `builtin:<id>`).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Policy {
    /// Parses a profile; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let p: Policy =
            toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        if p.sources.is_empty() {
            return Err(invalid("a policy needs at least one source".into()));
        }
        let years = [
            p.crqc_year,
            p.deadlines.critical,
            p.deadlines.high,
            p.deadlines.medium,
            p.deadlines.low,
        ];
        let extra = p.by_security.values().chain(p.by_category.values());
        if let Some(y) = years
            .iter()
            .chain(extra)
            .find(|y| !(2024..=2100).contains(*y))
        {
            return Err(invalid(format!("year {y} is outside 2024..=2100")));
        }
        let d = p.deadlines;
        if !(d.critical <= d.high && d.high <= d.medium && d.medium <= d.low) {
            return Err(invalid(
                "deadlines must not be later for more critical systems".into(),
            ));
        }
        if let Some(k) = p.by_security.keys().find(|k| k.parse::<u32>().is_err()) {
            return Err(invalid(format!(
                "by_security key {k:?} is not a number of bits"
            )));
        }
        Ok(p)
    }

    /// Every built-in profile, in a stable order.
    pub fn builtins() -> Vec<Policy> {
        BUILTIN
            .iter()
            .filter_map(|(id, text)| Policy::parse(text, Path::new(&format!("builtin:{id}"))).ok())
            .collect()
    }

    /// A built-in profile by id.
    pub fn builtin(id: &str) -> Option<Policy> {
        Policy::builtins().into_iter().find(|p| p.id == id)
    }

    /// A built-in id, or else the path of a profile file.
    pub fn resolve(name: &str) -> Result<Policy, PolicyError> {
        if let Some(p) = Policy::builtin(name) {
            return Ok(p);
        }
        let path = Path::new(name);
        match std::fs::read_to_string(path) {
            Ok(text) => Policy::parse(&text, path),
            Err(error) => Err(PolicyError::Unknown {
                name: name.to_string(),
                known: BUILTIN.map(|(id, _)| id).join(", "),
                error,
            }),
        }
    }

    /// The deadline for a system of `criticality`.
    pub fn deadline(&self, criticality: Criticality) -> i32 {
        match criticality {
            Criticality::Critical => self.deadlines.critical,
            Criticality::High => self.deadlines.high,
            Criticality::Medium => self.deadlines.medium,
            Criticality::Low => self.deadlines.low,
        }
    }

    /// The deadline the profile sets for an algorithm of `bits` classical security, when it
    /// sets one: the entry for the largest level at or below `bits`.
    pub fn deadline_for_security(&self, bits: u32) -> Option<i32> {
        self.by_security
            .iter()
            .filter_map(|(k, y)| k.parse::<u32>().ok().map(|b| (b, *y)))
            .filter(|(b, _)| *b <= bits)
            .max_by_key(|(b, _)| *b)
            .map(|(_, y)| y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads_with_sources() {
        let all = Policy::builtins();
        assert_eq!(
            all.len(),
            BUILTIN.len(),
            "a built-in profile failed to parse"
        );
        for (p, (id, _)) in all.iter().zip(BUILTIN) {
            assert_eq!(p.id, id);
            assert!(!p.sources.is_empty() && !p.title_ja.is_empty(), "{id}");
        }
        assert!(Policy::builtin(DEFAULT_POLICY).is_some());
    }

    #[test]
    fn the_profiles_say_what_their_sources_say() {
        let ldp = Policy::builtin("ldp-2024").unwrap();
        assert_eq!(ldp.deadline(Criticality::Critical), 2030);
        assert_eq!(ldp.deadline(Criticality::High), 2035);
        let jp = Policy::builtin("jp-gov-2035").unwrap();
        assert_eq!(jp.deadline(Criticality::Critical), 2035);
        let nist = Policy::builtin("nist-ir-8547").unwrap();
        // 112-bit (RSA-2048, P-224) deprecated after 2030; 128-bit and up disallowed after 2035
        assert_eq!(nist.deadline_for_security(112), Some(2030));
        assert_eq!(nist.deadline_for_security(128), Some(2035));
        assert_eq!(nist.deadline_for_security(192), Some(2035));
        assert_eq!(nist.deadline_for_security(80), None);
        let cnsa = Policy::builtin("cnsa-2.0").unwrap();
        assert_eq!(cnsa.by_category["software-signing"], 2030);
        assert_eq!(cnsa.by_category["web"], 2033);
        let eu = Policy::builtin("eu-2030").unwrap();
        assert_eq!(eu.deadline(Criticality::High), 2030);
        assert_eq!(eu.deadline(Criticality::Medium), 2035);
    }

    #[test]
    fn a_users_file_works_the_same_way_and_mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ours.toml");
        let text = include_str!("../data/policies/eu-2030.toml").replace("eu-2030", "ours");
        std::fs::write(&f, &text).unwrap();
        assert_eq!(Policy::resolve(f.to_str().unwrap()).unwrap().id, "ours");
        let e = Policy::resolve("nist-2099").unwrap_err().to_string();
        assert!(e.contains("nist-2099") && e.contains("ldp-2024"), "{e}");
        std::fs::write(&f, text.replace("critical = 2030", "critical = 2040")).unwrap();
        let e = Policy::resolve(f.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("more critical"), "{e}");
        std::fs::write(&f, text.replace("sources = [", "typo = 1\nsources = [")).unwrap();
        let e = Policy::resolve(f.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&f.display().to_string()) && e.contains("typo"),
            "{e}"
        );
    }
}
