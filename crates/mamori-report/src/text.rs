//! The terminal summary.

use mamori_i18n::{Lang, Messages};
use mamori_model::{AssetKind, CryptoStatus, ScanResult, Severity, Vulnerability};
use std::fmt::Write;

/// How the terminal summary is drawn.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Language.
    pub lang: Lang,
    /// ANSI colors.
    pub color: bool,
    /// List every warning.
    pub verbose: bool,
    /// How many findings to show.
    pub max_findings: usize,
    /// Seconds the scan took.
    pub seconds: f64,
    /// Said instead of the vulnerability section when components could not be matched
    /// (no vulnerability database): the database path.
    pub no_vulndb: Option<String>,
    /// How many vulnerabilities to show.
    pub max_vulns: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            lang: Lang::En,
            color: false,
            verbose: false,
            max_findings: 15,
            seconds: 0.0,
            no_vulndb: None,
            max_vulns: 15,
        }
    }
}

fn human_bytes(b: u64) -> String {
    const U: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1000.0 && i < U.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn sev_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

/// One or two lines per probed service: what it speaks, whether a post-quantum key
/// exchange is accepted, its certificates; or why it could not be surveyed.
fn network(r: &ScanResult, o: &TextOptions, m: &Messages, s: &mut String) {
    if r.endpoints.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n{}",
        m.get("net_header", &[("n", r.endpoints.len().to_string())])
    );
    for ep in &r.endpoints {
        let name = format!("{}://{}", ep.service, ep.endpoint);
        if let Some(e) = &ep.error {
            let _ = writeln!(
                s,
                "  {name}  {}",
                paint(o.color, "31", &m.get("net_error", &[("error", e.clone())]))
            );
            continue;
        }
        let pq = |yes: bool, what: String| {
            if yes {
                paint(o.color, "32", &m.get("net_pq_yes", &[("groups", what)]))
            } else {
                paint(o.color, "33", &m.t("net_pq_no"))
            }
        };
        if let Some(t) = &ep.tls {
            let pq_groups: Vec<String> = t
                .groups
                .iter()
                .filter(|g| mamori_algorithms::tls::is_post_quantum_group(g))
                .cloned()
                .collect();
            let versions = if t.versions.is_empty() {
                "-".to_string()
            } else {
                t.versions.join(" ")
            };
            let _ = writeln!(
                s,
                "  {name}  {versions}  {}",
                pq(t.pq_key_exchange, pq_groups.join(", "))
            );
            if let Some(mc) = &t.modern_client {
                let _ = writeln!(
                    s,
                    "      {}",
                    m.get(
                        "net_modern",
                        &[
                            ("version", mc.version.clone()),
                            ("suite", mc.suite.clone()),
                            ("group", mc.group.clone().unwrap_or_else(|| "-".into())),
                        ]
                    )
                );
            }
            for c in &t.chains {
                let _ = writeln!(
                    s,
                    "      {}",
                    m.get(
                        "net_chain",
                        &[
                            ("key", c.key.clone()),
                            ("n", c.certificates.len().to_string()),
                            ("date", c.not_after.chars().take(10).collect()),
                        ]
                    )
                );
            }
        }
        if let Some(h) = &ep.ssh {
            let pq_kex: Vec<String> = h
                .kex
                .iter()
                .filter(|k| mamori_algorithms::ssh::is_post_quantum_kex(k))
                .cloned()
                .collect();
            let _ = writeln!(
                s,
                "  {name}  {}  {}",
                h.software,
                pq(h.pq_key_exchange, pq_kex.join(", "))
            );
            let keys: Vec<String> = h
                .host_keys
                .iter()
                .map(|k| match k.bits {
                    Some(b) => format!("{} {b}", k.key_type),
                    None => k.key_type.clone(),
                })
                .collect();
            if !keys.is_empty() {
                let _ = writeln!(
                    s,
                    "      {}",
                    m.get("net_host_keys", &[("keys", keys.join(", "))])
                );
            }
        }
    }
}

/// Findings counted per system of the register, when the scan came from one.
fn by_system(r: &ScanResult, m: &Messages, s: &mut String) {
    let mut ids: Vec<&str> = r
        .findings
        .iter()
        .filter_map(|f| f.system.as_deref())
        .collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_unstable();
    ids.dedup();
    let _ = writeln!(s, "  {}", m.t("by_system_header"));
    for id in ids {
        let counts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .map(|sv| {
                let n = r
                    .findings
                    .iter()
                    .filter(|f| f.system.as_deref() == Some(id) && f.severity == *sv)
                    .count();
                format!("{} {n}", m.t(&format!("severity_{}", sv.as_str())))
            })
            .collect();
        let _ = writeln!(s, "    {id}: {}", counts.join(", "));
    }
}

/// The summary a person reads after `mamori scan`.
pub fn text(r: &ScanResult, o: &TextOptions) -> String {
    let m = Messages::new(o.lang);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        m.get(
            "scan_header",
            &[
                ("targets", r.targets.len().to_string()),
                ("files", r.files.to_string()),
                ("bytes", human_bytes(r.bytes)),
                ("secs", format!("{:.2}", o.seconds)),
            ]
        )
    );
    let count = |k: AssetKind| r.assets.iter().filter(|a| a.kind == k).count().to_string();
    let _ = writeln!(
        s,
        "\n{}  ({})",
        m.get("assets_total", &[("n", r.assets.len().to_string())]),
        m.get(
            "kinds",
            &[
                ("algorithm", count(AssetKind::Algorithm)),
                ("certificate", count(AssetKind::Certificate)),
                ("key", count(AssetKind::Key)),
                ("protocol", count(AssetKind::Protocol)),
                ("library", count(AssetKind::Library)),
            ]
        )
    );
    for st in CryptoStatus::ALL {
        let n = r
            .assets
            .iter()
            .filter(|a| a.status() == st && a.kind != AssetKind::Library)
            .count();
        let key = format!("status_{}", st.as_str().replace('-', "_"));
        let color = match st {
            CryptoStatus::Broken => "31",
            CryptoStatus::QuantumVulnerable => "33",
            CryptoStatus::Hybrid | CryptoStatus::QuantumSafe => "32",
            CryptoStatus::Unknown => "2",
        };
        let label = m.t(&key);
        let pad = 32usize.saturating_sub(display_width(&label));
        let _ = writeln!(
            s,
            "  {}{}{n:>6}",
            paint(o.color && n > 0, color, &label),
            " ".repeat(pad)
        );
    }
    network(r, o, &m, &mut s);
    let sev_counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sv| {
            let n = r.findings.iter().filter(|f| f.severity == *sv).count();
            format!("{} {n}", m.t(&format!("severity_{}", sv.as_str())))
        })
        .collect();
    let _ = writeln!(
        s,
        "\n{}  ({})",
        m.get("findings_total", &[("n", r.findings.len().to_string())]),
        sev_counts.join(", ")
    );
    by_system(r, &m, &mut s);
    if r.findings.is_empty() {
        let _ = writeln!(s, "  {}", m.t("no_findings"));
    } else {
        let _ = writeln!(s, "{}", m.t("top_findings"));
        for f in r.findings.iter().take(o.max_findings) {
            let sev = m.t(&format!("severity_{}", f.severity.as_str()));
            let title = m.t(&format!("title.{}", f.code));
            // Findings carry their arguments: render them in the chosen language; a finding
            // without them (read from an older store) keeps its stored English text.
            let (message, remediation) = if f.args.is_empty() {
                (f.message.clone(), f.remediation.clone())
            } else {
                let (mk, fk) = m.finding_keys(&f.code, f.args.get("variant").map(String::as_str));
                (
                    m.render(&mk, &f.args).trim().to_string(),
                    m.render(&fk, &f.args),
                )
            };
            let more = if f.other_locations > 0 {
                format!(
                    " {}",
                    m.get("more_places", &[("n", f.other_locations.to_string())])
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  {} {} — {}\n      {}{}\n      {}\n      {}: {}",
                paint(o.color, sev_color(f.severity), &pad(&sev, 8)),
                title,
                f.asset_name,
                f.location,
                more,
                message,
                m.t("fix"),
                remediation
            );
        }
        if r.findings.len() > o.max_findings {
            let _ = writeln!(
                s,
                "  {}",
                m.get(
                    "more_findings",
                    &[("n", (r.findings.len() - o.max_findings).to_string())]
                )
            );
        }
    }
    software(r, o, &m, &mut s);
    if !r.warnings.is_empty() {
        if o.verbose {
            let _ = writeln!(
                s,
                "\n{}",
                m.get("warnings_listed", &[("n", r.warnings.len().to_string())])
            );
            for w in &r.warnings {
                let _ = writeln!(s, "  {w}");
            }
        } else {
            let _ = writeln!(
                s,
                "\n{}",
                m.get("warnings", &[("n", r.warnings.len().to_string())])
            );
        }
    }
    s
}

/// A severity in the reader's language; `None` is "unknown" (an unrated vulnerability).
pub fn sev_label(m: &Messages, s: Option<Severity>) -> String {
    match s {
        Some(s) => m.t(&format!("severity_{}", s.as_str())),
        None => m.t("severity_unknown"),
    }
}

/// The software half: components by ecosystem, the operating systems, vulnerabilities by
/// severity and the most serious ones.
fn software(r: &ScanResult, o: &TextOptions, m: &Messages, s: &mut String) {
    if r.components.is_empty() {
        return;
    }
    let mut by_eco: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &r.components {
        let e = if c.ecosystem.is_empty() {
            "?"
        } else {
            c.ecosystem.as_str()
        };
        *by_eco.entry(e).or_default() += 1;
    }
    let mut ecos: Vec<(&str, usize)> = by_eco.into_iter().collect();
    ecos.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = ecos.iter().map(|(e, n)| format!("{e} {n}")).collect();
    let _ = writeln!(
        s,
        "\n{}  ({})",
        m.get("components_total", &[("n", r.components.len().to_string())]),
        list.join(", ")
    );
    for d in &r.distros {
        let name = if d.pretty_name.is_empty() {
            format!("{} {}", d.id, d.version_id)
        } else {
            d.pretty_name.clone()
        };
        let line = match &d.osv_ecosystem {
            Some(eco) => m.get("distro_line", &[("name", name), ("eco", eco.clone())]),
            None => m.get("distro_unknown", &[("name", name)]),
        };
        let _ = writeln!(s, "  {line}");
    }
    if let Some(db) = &o.no_vulndb {
        let _ = writeln!(s, "\n{}", m.get("no_vulndb", &[("db", db.clone())]));
        return;
    }
    let active: Vec<&Vulnerability> = r.vulnerabilities.iter().filter(|v| v.active()).collect();
    let suppressed = r.vulnerabilities.len() - active.len();
    let mut levels: Vec<Option<Severity>> = Severity::ALL.iter().rev().map(|s| Some(*s)).collect();
    levels.push(None);
    let counts: Vec<String> = levels
        .iter()
        .map(|lv| {
            let n = active.iter().filter(|v| v.severity == *lv).count();
            format!("{} {n}", sev_label(m, *lv))
        })
        .collect();
    let _ = writeln!(
        s,
        "\n{}  ({})",
        m.get("vulns_total", &[("n", active.len().to_string())]),
        counts.join(", ")
    );
    if suppressed > 0 {
        let _ = writeln!(
            s,
            "  {}",
            m.get("vulns_suppressed", &[("n", suppressed.to_string())])
        );
    }
    if active.is_empty() {
        let _ = writeln!(s, "  {}", m.t("no_vulns"));
        return;
    }
    // The plain answer first: which upgrades remove them.
    let ups = mamori_vuln::upgrade::upgrades(&r.vulnerabilities, &r.components);
    let _ = writeln!(s, "{}", m.t("upgrades_header"));
    for u in ups.iter().take(o.max_vulns) {
        let nofix = if u.without_fix > 0 {
            m.get("upgrade_nofix", &[("n", u.without_fix.to_string())])
        } else {
            String::new()
        };
        // The label is the highest rating; unrated advisories are said apart (when none is
        // rated, the label says so).
        let unrated = if u.unrated > 0 && u.worst.is_some() {
            m.get("upgrade_unrated", &[("n", u.unrated.to_string())])
        } else {
            String::new()
        };
        let args = [
            ("name", u.name.clone()),
            ("from", u.version.clone()),
            ("to", u.to.clone().unwrap_or_default()),
            ("n", u.vulnerabilities.to_string()),
            ("nofix", nofix),
            ("unrated", unrated),
        ];
        let line = match u.to {
            Some(_) => m.get("upgrade_line", &args),
            None => m.get("upgrade_none", &args),
        };
        let color = u.worst.map(sev_color).unwrap_or("2");
        let _ = writeln!(
            s,
            "  {} {line}",
            paint(o.color, color, &pad(&sev_label(m, u.worst), 8))
        );
    }
    if ups.len() > o.max_vulns {
        let _ = writeln!(
            s,
            "  {}",
            m.get(
                "more_vulns",
                &[("n", (ups.len() - o.max_vulns).to_string())]
            )
        );
    }
    let _ = writeln!(s, "{}", m.t("top_vulns"));
    for v in active.iter().take(o.max_vulns) {
        let label = sev_label(m, v.severity);
        let color = v.severity.map(sev_color).unwrap_or("2");
        let score = v
            .cvss
            .as_ref()
            .map(|c| format!(" {:.1}", c.score))
            .unwrap_or_default();
        let aliases: Vec<&str> = v
            .aliases
            .iter()
            .filter(|a| a.starts_with("CVE-"))
            .map(String::as_str)
            .collect();
        let aliases = if aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", aliases.join(", "))
        };
        let fix = match &v.fixed {
            Some(f) => m.get("fixed_in", &[("v", f.clone())]),
            None => m.t("no_fix"),
        };
        let _ = writeln!(
            s,
            "  {}{} {}{} — {} {} → {}\n      {}{}",
            paint(o.color, color, &pad(&label, 8)),
            score,
            v.id,
            aliases,
            v.component_name,
            v.component_version,
            fix,
            v.location,
            if v.summary.is_empty() {
                String::new()
            } else {
                // Advisory summaries may wrap; one line here.
                let one: Vec<&str> = v.summary.split_whitespace().collect();
                format!("\n      {}", one.join(" "))
            }
        );
    }
    if active.len() > o.max_vulns {
        let _ = writeln!(
            s,
            "  {}",
            m.get(
                "more_vulns",
                &[("n", (active.len() - o.max_vulns).to_string())]
            )
        );
    }
}

/// `s` padded with spaces to `width` terminal columns.
pub fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// Terminal columns of a string: CJK characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !(0x2000..0x3000).contains(&(c as u32)) {
                2
            } else {
                1
            }
        })
        .sum()
}
