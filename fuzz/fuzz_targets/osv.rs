#![no_main]
//! OSV records: tolerant parse, range compilation, evaluation (reference and
//! per-package index must agree), severity; purl → query mapping.
use libfuzzer_sys::fuzz_target;
use mamori_vuln::eval::{CompiledAffected, PackageIndex};
use mamori_vuln::osv;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = mamori_vuln::component_from_purl(s);
        let _ = osv::rate_cvss(s);
    }
    let Ok(adv) = osv::parse(data, "fuzz.json") else {
        return;
    };
    let _ = adv.severity_for(None);
    let _ = adv.short_summary();
    for a in adv.affected.iter().take(8) {
        let _ = adv.severity_for(Some(a));
        let eco = a
            .package
            .as_ref()
            .map(|p| p.ecosystem.clone())
            .unwrap_or_default();
        let (c, _) = CompiledAffected::compile(&eco, a);
        let index = PackageIndex::new(&eco, vec![c.clone()]);
        // Probe with every version the entry names, and a few others.
        let mut probes: Vec<String> = c
            .ranges
            .iter()
            .flat_map(|r| r.events.iter().map(|(_, v)| v.clone()))
            .chain(c.versions.iter().cloned())
            .take(32)
            .collect();
        probes.extend(["0", "1.0.0", "v1.0.0", "", "9999"].map(String::from));
        for v in &probes {
            let slow = c.evaluate(&eco, v);
            let fast = index.evaluate_all(v);
            assert_eq!(fast.first(), Some(&slow), "{eco} {v}");
        }
    }
});
