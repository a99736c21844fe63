#![no_main]
//! VEX documents (OpenVEX, CycloneDX, CSAF): parsing and applying must never panic.
use libfuzzer_sys::fuzz_target;
use mamori_model::{Location, Vulnerability};
use mamori_vuln::vex::{VexDoc, VexSet};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = VexDoc::parse(data, "fuzz.vex.json") else {
        return;
    };
    let mut vulns: Vec<Vulnerability> = doc
        .statements
        .iter()
        .take(64)
        .map(|s| Vulnerability {
            system: None,
            id: s.aliases.first().cloned().unwrap_or_else(|| s.vulnerability.clone()),
            aliases: vec![s.vulnerability.clone()],
            summary: String::new(),
            severity: None,
            cvss: None,
            component: s.product.clone(),
            component_name: String::new(),
            component_version: String::new(),
            fixed: None,
            location: Location::file("fuzz"),
            suppressed: None,
            systems: Vec::new(),
        })
        .collect();
    let mut set = VexSet::new();
    set.add(doc);
    let _ = set.apply(&mut vulns);
});
