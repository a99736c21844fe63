//! A monitoring store of about N tracked findings for the server benchmark
//! (`bench/serve/bench`): S systems, each with source files that call weak or
//! quantum-vulnerable algorithms (one finding per call), and packages with open
//! vulnerabilities, scanned in three runs — the second adds what the first did not yet see,
//! the third fixes some and finds some new — so the store holds a trend, fixed and new items
//! and a history, as a real one would after a few weeks.
//!
//! ```text
//! cargo run --release -p mamori --example serve_synth -- OUT_DIR [FINDINGS] [SYSTEMS]
//! ```
//!
//! Writes `OUT_DIR/mamori.toml` and `OUT_DIR/serve.db` (replacing them), or fills the
//! empty PostgreSQL database `SERVE_SYNTH_DB` names.
// A tool for benchmarks and demos, not the product: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

use mamori_model::{
    AssetKind, CryptoAsset, Finding, Location, Occurrence, ScanResult, Severity, SystemPlace,
    Vulnerability,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// (algorithm, finding code, severity)
const CALLS: [(&str, &str, Severity); 5] = [
    ("MD5", "crypto-broken-algorithm", Severity::High),
    ("SHA-1", "crypto-broken-algorithm", Severity::High),
    ("RSA-2048", "crypto-quantum-vulnerable", Severity::Medium),
    ("ECDSA-P256", "crypto-quantum-vulnerable", Severity::Medium),
    ("3DES", "crypto-weak-algorithm", Severity::Critical),
];

fn finding(sys: usize, file: usize, line: u32, call: usize) -> Finding {
    let (alg, code, sev) = CALLS[call];
    Finding {
        code: code.into(),
        severity: if file % 29 == 0 { Severity::Low } else { sev },
        asset_id: format!("alg:{alg}"),
        asset_name: alg.into(),
        location: Location::file(format!("/srv/sys{sys:03}/src/mod{file:05}.py")).with_line(line),
        message: format!("{alg} is called here"),
        remediation: "use a current algorithm".into(),
        other_locations: 0,
        args: BTreeMap::new(),
        system: Some(format!("sys{sys:03}")),
        package: None,
    }
}

fn vuln(sys: usize, pkg: usize, adv: usize) -> Vulnerability {
    let name = format!("lib{pkg:03}");
    Vulnerability {
        id: format!("GHSA-synt-{pkg:04}-{adv:04}"),
        aliases: vec![format!("CVE-2026-{:05}", pkg * 10 + adv)],
        summary: format!("{name} mishandles input"),
        severity: Some(match adv % 4 {
            0 => Severity::Critical,
            1 => Severity::High,
            2 => Severity::Medium,
            _ => Severity::Low,
        }),
        cvss: None,
        component: format!("pkg:pypi/{name}@1.{pkg}.0"),
        component_name: name,
        component_version: format!("1.{pkg}.0"),
        fixed: Some(format!("1.{pkg}.1")),
        location: Location::file(format!("/srv/sys{sys:03}/requirements.txt")),
        suppressed: None,
        system: Some(format!("sys{sys:03}")),
        systems: Vec::new(),
    }
}

/// The run: every system's findings (`keep` says which of the places are still there).
fn run(systems: usize, per: usize, keep: &dyn Fn(usize, usize) -> bool) -> ScanResult {
    let mut findings = Vec::new();
    let mut assets: BTreeMap<&str, CryptoAsset> = BTreeMap::new();
    let mut vulns = Vec::new();
    let mut shared: BTreeMap<(usize, usize), Vulnerability> = BTreeMap::new();
    let vulns_per = per / 20;
    for s in 0..systems {
        for i in 0..per - vulns_per {
            if !keep(s, i) {
                continue;
            }
            let call = (i * 7 + s) % CALLS.len();
            let f = finding(s, i / 4, (i % 4) as u32 * 10 + 3, call);
            let a = assets.entry(CALLS[call].0).or_insert_with(|| {
                let mut a = CryptoAsset::new(
                    AssetKind::Algorithm,
                    format!("alg:{}", CALLS[call].0),
                    CALLS[call].0,
                );
                a.algorithm = mamori_algorithms::by_name(CALLS[call].0);
                a
            });
            a.occurrences.push(Occurrence {
                location: f.location.clone(),
                detector: "source.python".into(),
                context: None,
                package: None,
            });
            findings.push(f);
        }
        // Vulnerable packages: a few shared by many systems (one vulnerability of the run
        // naming each system, as a scan makes it), most in one.
        for v in 0..vulns_per {
            if !keep(s, per + v) {
                continue;
            }
            if v % 5 == 0 {
                let one = vuln(s, v % 10, v);
                let place = SystemPlace {
                    system: format!("sys{s:03}"),
                    location: one.location.clone(),
                };
                shared
                    .entry((v % 10, v))
                    .or_insert_with(|| one)
                    .systems
                    .push(place);
            } else {
                vulns.push(vuln(s, 10 + (s * 31 + v) % 400, v));
            }
        }
    }
    vulns.extend(shared.into_values().map(|mut v| {
        if v.systems.len() < 2 {
            v.systems.clear();
        }
        v
    }));
    ScanResult {
        targets: (0..systems).map(|s| format!("/srv/sys{s:03}")).collect(),
        assets: assets.into_values().collect(),
        findings,
        vulnerabilities: vulns,
        ..Default::default()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1).map(PathBuf::from) else {
        eprintln!("usage: serve_synth OUT_DIR [FINDINGS] [SYSTEMS]");
        std::process::exit(2);
    };
    let total: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let systems: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50);
    std::fs::create_dir_all(&out).expect("create OUT_DIR");
    let per = total / systems;
    let mut reg = String::from("[organization]\nname = \"Benchmark Prefecture\"\n\n");
    let crits = ["critical", "high", "medium", "low"];
    for s in 0..systems {
        let _ = write!(
            reg,
            "[[system]]\nid = \"sys{s:03}\"\nname = \"System {s}\"\nowner = \"Division {}\"\ncriticality = \"{}\"\nconfidentiality_years = {}\ntargets = [\"/srv/sys{s:03}\"]\n\n",
            s % 7,
            crits[s % 4],
            5 + s % 20
        );
    }
    std::fs::write(out.join("mamori.toml"), reg).expect("write mamori.toml");
    // SERVE_SYNTH_DB: an empty PostgreSQL database to fill instead of OUT_DIR/serve.db.
    let db = match std::env::var("SERVE_SYNTH_DB") {
        Ok(url) if !url.is_empty() => PathBuf::from(url),
        _ => {
            for f in ["serve.db", "serve.db-wal", "serve.db-shm"] {
                let _ = std::fs::remove_file(out.join(f));
            }
            out.join("serve.db")
        }
    };
    let mut store = mamori_store::Store::open(&db).expect("open the store");
    // Three runs a week apart: most at first, all, then some fixed and some new.
    let now = mamori_store::unix_now();
    let days = |d: i64| mamori_model::date::format_unix(now - d * 86_400);
    let first = run(systems, per, &|s, i| (s + i) % 10 != 0);
    store.save_run(&first, &days(14)).expect("run 1");
    drop(first);
    let second = run(systems, per, &|_, _| true);
    store.save_run(&second, &days(7)).expect("run 2");
    drop(second);
    let third = run(systems, per, &|s, i| (s * 3 + i) % 17 != 0);
    let id = store.save_run(&third, &days(0)).expect("run 3");
    eprintln!(
        "serve_synth: {} systems, run {id}: {} findings, {} vulnerabilities",
        systems,
        third.findings.len(),
        third.vulnerabilities.len()
    );
}
