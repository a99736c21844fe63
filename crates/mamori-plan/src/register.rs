//! The systems register, `mamori.toml`: who the organization is, which policy it plans
//! under, and its systems.
//!
//! ```toml
//! [organization]
//! name = "Example City"
//!
//! [plan]
//! policy = "ldp-2024"      # a built-in profile, or the path of a profile file
//! crqc_year = 2035         # the year a cryptographically relevant quantum computer is assumed
//!
//! [[system]]
//! id = "resident-portal"
//! name = "Resident portal"
//! owner = "Digital Services Division"
//! criticality = "critical"         # critical, high, medium, low
//! confidentiality_years = 30       # how long its data must stay secret
//! targets = ["https://portal.example.lg.jp", "/srv/portal"]
//! ```
//!
//! Unknown keys are refused (a typo must not silently drop a system's targets), ids must
//! be unique, and every error names the file and where in it.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file name looked for in the working directory.
pub const FILE_NAME: &str = "mamori.toml";

/// How critical a system is to the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Its loss stops the organization or endangers people.
    Critical,
    /// Important.
    High,
    /// Ordinary.
    Medium,
    /// Minor.
    Low,
}

impl Criticality {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }
}

/// The organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Its name.
    pub name: String,
}

/// Planning settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    /// A built-in policy id or the path of a policy file.
    #[serde(default)]
    pub policy: Option<String>,
    /// The assumed year of a cryptographically relevant quantum computer (overrides the
    /// policy's assumption).
    #[serde(default)]
    pub crqc_year: Option<i32>,
}

/// One system.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Short stable id (findings are attributed by it).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who answers for it.
    #[serde(default)]
    pub owner: String,
    /// How critical it is.
    pub criticality: Criticality,
    /// How many years its data must stay confidential (Mosca's x).
    #[serde(default)]
    pub confidentiality_years: u32,
    /// What to scan for it: paths, image tarballs, network services.
    #[serde(default)]
    pub targets: Vec<String>,
    /// How often it is scanned: a number and a unit, `30m`, `6h`, `1d`, `2w` (at least 5
    /// minutes). `mamori scan --due` scans the systems whose time has come.
    #[serde(default)]
    pub every: Option<String>,
    /// When it is scanned, as a cron schedule (`"0 3 * * 1-5"`: 03:00 on weekdays), instead
    /// of `every`.
    #[serde(default)]
    pub cron: Option<String>,
    /// The time zone `cron` is read in, as an offset from UTC (`"+09:00"`; default UTC).
    #[serde(default)]
    pub utc_offset: Option<String>,
}

impl System {
    /// Seconds between scans, when the system has a schedule (validated when parsed).
    pub fn interval_secs(&self) -> Option<u64> {
        self.every.as_deref().and_then(parse_interval)
    }

    /// The time the next scan is due after the last one (or the last attempt) at `last`,
    /// from `every` or `cron`; None without a schedule.
    pub fn next_scan(&self, last: i64) -> Option<i64> {
        if let Some(i) = self.interval_secs() {
            return Some(last + i as i64);
        }
        let cron = crate::cron::Cron::parse(self.cron.as_deref()?).ok()?;
        let offset = self
            .utc_offset
            .as_deref()
            .and_then(crate::cron::parse_utc_offset)
            .unwrap_or(0);
        cron.next_after(last, offset)
    }

    /// Whether it has a schedule.
    pub fn scheduled(&self) -> bool {
        self.every.is_some() || self.cron.is_some()
    }

    /// The schedule as written (`every` or `cron`).
    pub fn schedule_text(&self) -> Option<String> {
        match (&self.every, &self.cron) {
            (Some(e), _) => Some(e.clone()),
            (None, Some(c)) => Some(match &self.utc_offset {
                Some(o) => format!("{c} ({o})"),
                None => format!("{c} (UTC)"),
            }),
            (None, None) => None,
        }
    }
}

/// Shortest schedule accepted, seconds.
pub const MIN_INTERVAL_SECS: u64 = 300;

/// `30m`, `6h`, `1d`, `2w` → seconds; `None` when it is not such an interval.
pub fn parse_interval(s: &str) -> Option<u64> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: u64 = s[..s.len() - unit.len_utf8()].trim().parse().ok()?;
    let secs = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)
}

/// The whole register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// The organization.
    #[serde(default)]
    pub organization: Organization,
    /// Planning settings.
    #[serde(default)]
    pub plan: PlanSettings,
    /// The systems, in file order.
    #[serde(default, rename = "system")]
    pub systems: Vec<System>,
}

/// Why a register could not be used; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The file could not be read.
    #[error("{path}: cannot read the systems register: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        error: std::io::Error,
    },
    /// The TOML is malformed or has keys mamori does not know.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The contents are inconsistent.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Longest confidentiality period accepted, years.
pub const MAX_CONFIDENTIALITY_YEARS: u32 = 200;

impl Register {
    /// Parses register text; `path` is only used to name the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Register, RegisterError> {
        let r: Register = toml::from_str(text).map_err(|e| RegisterError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let invalid = |message: String| RegisterError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in r.systems.iter().enumerate() {
            let n = i + 1;
            if s.id.trim().is_empty() {
                return Err(invalid(format!("system {n} has an empty id")));
            }
            if !s
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(invalid(format!(
                    "system {n}: id {:?} may only hold letters, digits, '-', '_' and '.'",
                    s.id
                )));
            }
            if !seen.insert(s.id.as_str()) {
                return Err(invalid(format!("system id {:?} is used twice", s.id)));
            }
            if let Some(every) = &s.every {
                match parse_interval(every) {
                    Some(secs) if secs >= MIN_INTERVAL_SECS => {}
                    Some(_) => {
                        return Err(invalid(format!(
                            "system {:?}: every = {every:?} is shorter than 5 minutes",
                            s.id
                        )))
                    }
                    None => {
                        return Err(invalid(format!(
                            "system {:?}: every = {every:?} is not an interval (a number and m, h, d or w: \"6h\", \"1d\")",
                            s.id
                        )))
                    }
                }
            }
            if let Some(c) = &s.cron {
                if s.every.is_some() {
                    return Err(invalid(format!(
                        "system {:?}: give either every or cron, not both",
                        s.id
                    )));
                }
                if let Err(e) = crate::cron::Cron::parse(c) {
                    return Err(invalid(format!("system {:?}: cron: {e}", s.id)));
                }
            }
            if let Some(o) = &s.utc_offset {
                if s.cron.is_none() {
                    return Err(invalid(format!(
                        "system {:?}: utc_offset = {o:?} goes with a cron schedule",
                        s.id
                    )));
                }
                if crate::cron::parse_utc_offset(o).is_none() {
                    return Err(invalid(format!(
                        "system {:?}: utc_offset = {o:?} is not an offset such as \"+09:00\"",
                        s.id
                    )));
                }
            }
            if s.confidentiality_years > MAX_CONFIDENTIALITY_YEARS {
                return Err(invalid(format!(
                    "system {:?}: confidentiality_years {} is more than {MAX_CONFIDENTIALITY_YEARS}",
                    s.id, s.confidentiality_years
                )));
            }
        }
        if let Some(y) = r.plan.crqc_year {
            if !(2024..=2100).contains(&y) {
                return Err(invalid(format!(
                    "plan.crqc_year {y} is outside 2024..=2100"
                )));
            }
        }
        Ok(r)
    }

    /// Reads and parses the register at `path`.
    pub fn load(path: &Path) -> Result<Register, RegisterError> {
        let text = std::fs::read_to_string(path).map_err(|error| RegisterError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Register::parse(&text, path)
    }

    /// `mamori.toml` in `dir`, when there is one.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        let p = dir.join(FILE_NAME);
        p.is_file().then_some(p)
    }

    /// The system by id.
    pub fn system(&self, id: &str) -> Option<&System> {
        self.systems.iter().find(|s| s.id == id)
    }
}

/// The commented example `mamori init` writes (English and Japanese comments). It parses
/// and validates (tested).
pub const EXAMPLE: &str = r#"# mamori systems register / システム台帳
#
# Each system: who answers for it, how critical it is, how long its data must stay secret,
# and what to scan for it. The migration plan is made per system from these.
# 各システムの責任部署、重要度、データの秘匿が必要な年数、走査対象を記入します。
# 移行計画はシステムごとに、この情報から作られます。

[organization]
name = "Example City"                  # 組織名

[plan]
# Policy profile: ldp-2024, jp-gov-2035, nist-ir-8547, cnsa-2.0, eu-2030, or a file path.
# 移行方針: 上記の組み込みプロファイル名、または独自プロファイルのファイルパス
policy = "ldp-2024"
# Assumed year of a cryptographically relevant quantum computer (Mosca's z).
# 暗号解読能力のある量子計算機が実現すると想定する年（Mosca の不等式の z）
crqc_year = 2035

[[system]]
id = "resident-portal"                 # short, stable id / 短い固定の識別子
name = "Resident portal"               # 名称
owner = "Digital Services Division"    # 責任部署
criticality = "critical"               # critical, high, medium, low / 重要度
confidentiality_years = 30             # years its data must stay secret (Mosca's x) / 秘匿が必要な年数
every = "6h"                           # scan interval (mamori serve, mamori scan --due) / 定期スキャンの間隔
targets = [                            # paths, image tarballs, services / 走査対象
  "https://portal.example.lg.jp",
  "ssh://portal.example.lg.jp",
  "/srv/portal",
]

[[system]]
id = "internal-wiki"
name = "Internal wiki"
owner = "IT Office"
criticality = "low"
confidentiality_years = 2
# Or a cron schedule, read in a time zone: 03:00 Japan time on weekdays.
# cron 形式でも指定できます(この例は平日の日本時間 3:00)。
cron = "0 3 * * mon-fri"
utc_offset = "+09:00"
targets = ["/srv/wiki"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Register, RegisterError> {
        Register::parse(text, Path::new("/etc/mamori.toml"))
    }

    #[test]
    fn cron_schedules_are_checked_and_read_in_their_zone() {
        let sys = |extra: &str| {
            format!("[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"low\"\n{extra}\n")
        };
        let r = parse(&sys("cron = \"0 3 * * *\"\nutc_offset = \"+09:00\"")).unwrap();
        let a = r.system("a").unwrap();
        // From 2026-11-26 12:00 UTC, 03:00 in Japan is 18:00 UTC.
        let noon = 1_795_780_800;
        assert_eq!(a.next_scan(noon), Some(noon + 6 * 3600));
        assert_eq!(a.schedule_text().as_deref(), Some("0 3 * * * (+09:00)"));
        for (extra, says) in [
            ("cron = \"0 3 * *\"", "cron: \"0 3 * *\" has 4 fields"),
            (
                "cron = \"0 3 * * *\"\nevery = \"6h\"",
                "either every or cron",
            ),
            ("utc_offset = \"+09:00\"", "goes with a cron schedule"),
            (
                "cron = \"@daily\"\nutc_offset = \"JST\"",
                "is not an offset",
            ),
        ] {
            let e = parse(&sys(extra)).unwrap_err().to_string();
            assert!(
                e.contains(says) && e.contains("/etc/mamori.toml"),
                "{extra}: {e}"
            );
        }
    }

    #[test]
    fn schedules_are_intervals_of_at_least_five_minutes() {
        assert_eq!(parse_interval("30m"), Some(1800));
        assert_eq!(parse_interval(" 2w "), Some(14 * 86_400));
        assert_eq!(parse_interval("6"), None);
        assert_eq!(parse_interval("h"), None);
        assert_eq!(parse_interval("5x"), None);
        let sys = |every: &str| {
            format!("[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"low\"\nevery = \"{every}\"\n")
        };
        assert!(parse(&sys("1h")).is_ok());
        let e = parse(&sys("1m")).unwrap_err().to_string();
        assert!(
            e.contains("shorter than 5 minutes") && e.contains("/etc/mamori.toml"),
            "{e}"
        );
        let e = parse(&sys("hourly")).unwrap_err().to_string();
        assert!(e.contains("is not an interval"), "{e}");
    }

    #[test]
    fn the_example_parses() {
        let r = parse(EXAMPLE).unwrap();
        assert_eq!(r.organization.name, "Example City");
        assert_eq!(r.plan.policy.as_deref(), Some("ldp-2024"));
        assert_eq!(r.plan.crqc_year, Some(2035));
        assert_eq!(r.systems.len(), 2);
        let p = r.system("resident-portal").unwrap();
        assert_eq!(p.criticality, Criticality::Critical);
        assert_eq!(p.confidentiality_years, 30);
        assert_eq!(p.targets.len(), 3);
        assert_eq!(p.interval_secs(), Some(6 * 3600));
        assert_eq!(r.system("internal-wiki").unwrap().interval_secs(), None);
        assert_eq!(
            r.system("internal-wiki").unwrap().criticality,
            Criticality::Low
        );
    }

    #[test]
    fn mistakes_name_the_file_and_the_place() {
        // a typo in a key must not silently drop the targets
        let e = parse(
            "[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"low\"\ntarget = [\"/x\"]\n",
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("/etc/mamori.toml:"), "{m}");
        assert!(m.contains("target") && m.contains("line 5"), "{m}");
        let e = parse("[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"urgent\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("urgent") && e.contains("line 4"), "{e}");
        let e = parse(
            "[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"low\"\n[[system]]\nid = \"a\"\nname = \"B\"\ncriticality = \"high\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"a\" is used twice"), "{e}");
        let e = parse("[[system]]\nid = \"a b\"\nname = \"A\"\ncriticality = \"low\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("may only hold"), "{e}");
        let e = parse("[plan]\ncrqc_year = 1999\n").unwrap_err().to_string();
        assert!(e.contains("1999"), "{e}");
        let e = parse("[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"low\"\nconfidentiality_years = 1000\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("1000"), "{e}");
    }

    #[test]
    fn an_empty_register_is_valid_and_missing_files_are_named() {
        assert_eq!(parse("").unwrap(), Register::default());
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Register::find(dir.path()), None);
        let missing = dir.path().join(FILE_NAME);
        let e = Register::load(&missing).unwrap_err().to_string();
        assert!(e.contains(&missing.display().to_string()), "{e}");
        std::fs::write(&missing, EXAMPLE).unwrap();
        assert_eq!(Register::find(dir.path()), Some(missing.clone()));
        assert_eq!(Register::load(&missing).unwrap().systems.len(), 2);
    }
}
