//! The plain answer to "what do I change?": per vulnerable component, the version that fixes
//! every one of its known vulnerabilities that has a fix.

use crate::version::{compare, Ecosystem};
use mamori_model::{Component, Severity, Vulnerability};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One component to upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// The component's purl.
    pub purl: String,
    /// Its name.
    pub name: String,
    /// Its version today.
    pub version: String,
    /// The lowest version that fixes every vulnerability with a fix (the highest of the
    /// nearest fixed versions); `None` when none has a fix.
    pub to: Option<String>,
    /// Active vulnerabilities of the component.
    pub vulnerabilities: usize,
    /// Of which no fixed version is known.
    pub without_fix: usize,
    /// The highest rating among them (`None`: none is rated). An unrated advisory never
    /// stands for the worst: it may be anything (decision 008), and is counted apart.
    pub worst: Option<Severity>,
    /// Of which no rating is known.
    pub unrated: usize,
}

/// Upgrades for the components with active (not VEX-suppressed) vulnerabilities, worst
/// first, then by how many they fix. Versions are ordered in the component's ecosystem;
/// where two fixed versions cannot be compared the later-listed advisory's is kept.
pub fn upgrades(vulns: &[Vulnerability], components: &[Component]) -> Vec<Upgrade> {
    let eco_of: BTreeMap<&str, &str> = components
        .iter()
        .map(|c| (c.purl.as_str(), c.match_ecosystem()))
        .collect();
    let mut by: BTreeMap<&str, Upgrade> = BTreeMap::new();
    for v in vulns.iter().filter(|v| v.active()) {
        let u = by.entry(v.component.as_str()).or_insert_with(|| Upgrade {
            purl: v.component.clone(),
            name: v.component_name.clone(),
            version: v.component_version.clone(),
            to: None,
            vulnerabilities: 0,
            without_fix: 0,
            worst: None,
            unrated: 0,
        });
        u.vulnerabilities += 1;
        // `None < Some(_)`: the highest rating wins over none.
        u.worst = u.worst.max(v.severity);
        if v.severity.is_none() {
            u.unrated += 1;
        }
        let Some(fixed) = &v.fixed else {
            u.without_fix += 1;
            continue;
        };
        let eco = eco_of
            .get(v.component.as_str())
            .and_then(|e| Ecosystem::from_osv_name(e));
        u.to = match (&u.to, eco) {
            (None, _) => Some(fixed.clone()),
            (Some(cur), Some(eco)) => match compare(eco, strip_v(fixed), strip_v(cur)) {
                Ok(Ordering::Greater) => Some(fixed.clone()),
                Ok(_) => Some(cur.clone()),
                Err(_) => Some(fixed.clone()),
            },
            (Some(_), None) => Some(fixed.clone()),
        };
    }
    let mut out: Vec<Upgrade> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.worst
            .cmp(&a.worst)
            .then(b.vulnerabilities.cmp(&a.vulnerabilities))
            .then(a.purl.cmp(&b.purl))
    });
    out
}

/// Go writes versions with a `v`; the orderings take them without.
fn strip_v(v: &str) -> &str {
    v.strip_prefix('v')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_model::Location;

    fn v(id: &str, purl: &str, sev: Option<Severity>, fixed: Option<&str>) -> Vulnerability {
        Vulnerability {
            system: None,
            systems: Vec::new(),
            id: id.into(),
            aliases: vec![],
            summary: String::new(),
            severity: sev,
            cvss: None,
            component: purl.into(),
            component_name: "django".into(),
            component_version: "3.2.0".into(),
            fixed: fixed.map(str::to_string),
            location: Location::file("requirements.txt"),
            suppressed: None,
        }
    }

    #[test]
    fn the_highest_nearest_fix_in_the_ecosystems_order() {
        let p = "pkg:pypi/django@3.2.0";
        let comps = vec![Component::new(p, "Django", Some("3.2.0".into()), "PyPI")];
        // 3.2.10 > 3.2.9 numerically (not as strings); 3.2.25rc1 < 3.2.25 in PEP 440.
        let vulns = vec![
            v("A", p, Some(Severity::Medium), Some("3.2.9")),
            v("B", p, None, Some("3.2.10")),
            v("C", p, Some(Severity::High), Some("3.2.25rc1")),
            v("D", p, Some(Severity::Low), Some("3.2.25")),
            v("E", p, None, None),
        ];
        let u = upgrades(&vulns, &comps);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].to.as_deref(), Some("3.2.25"));
        assert_eq!((u[0].vulnerabilities, u[0].without_fix), (5, 1));
        assert_eq!(u[0].worst, Some(Severity::High));
        assert_eq!(u[0].unrated, 2);
    }

    #[test]
    fn go_versions_with_v_and_suppressed_findings() {
        let p = "pkg:golang/golang.org/x/crypto@v0.0.0-20220314234659-1baeb1ce4c0b";
        let comps = vec![Component::new(p, "golang.org/x/crypto", None, "Go")];
        let mut vulns = vec![
            v("GO-1", p, None, Some("v0.17.0")),
            v("GO-2", p, None, Some("v0.9.0")),
            v("GO-3", p, None, Some("v0.52.0")),
        ];
        vulns[2].suppressed = Some(mamori_model::VexStatus {
            status: "not_affected".into(),
            justification: None,
            source: "vex.json".into(),
        });
        let u = upgrades(&vulns, &comps);
        assert_eq!(u[0].to.as_deref(), Some("v0.17.0"));
        assert_eq!(u[0].vulnerabilities, 2);
    }
}
