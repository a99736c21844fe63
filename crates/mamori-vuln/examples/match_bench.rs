//! Times matching 10,000 real components against the OSV database.
//!
//! ```text
//! cargo run --release -p mamori-vuln --example match_bench
//! ```
//!
//! Imports the crates.io, Go and PyPI dumps of `shared/data/osv` into a
//! temporary database, then builds 10,000 components from the advisories'
//! own package names and versions (every `introduced`/`fixed`/listed
//! version, cycling over the packages), and times `match_components` on a
//! freshly opened database (cold cache) seven times; prints the median.
// A tool for benchmarks and demos, not the product: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

use mamori_model::Component;
use mamori_vuln::{osv, VulnDb};
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

const N: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/osv");
    let zips: Vec<PathBuf> = ["crates.io", "Go", "PyPI"]
        .iter()
        .map(|e| PathBuf::from(format!("{base}/{e}/all.zip")))
        .collect();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("vulndb.sqlite");
    VulnDb::open(&path)?.import(&zips)?;

    // (ecosystem, name, versions) of every affected package.
    let mut packages: Vec<(String, String, Vec<String>)> = Vec::new();
    for z in &zips {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(z)?)?;
        for i in 0..archive.len() {
            let mut e = archive.by_index(i)?;
            let mut buf = Vec::new();
            e.read_to_end(&mut buf)?;
            let Ok(adv) = osv::parse(&buf, &e.name().unwrap_or_default()) else {
                continue;
            };
            for a in &adv.affected {
                let Some(p) = &a.package else { continue };
                let mut versions: Vec<String> = a
                    .ranges
                    .iter()
                    .filter(|r| r.kind != "GIT")
                    .flat_map(|r| r.events.iter())
                    .flat_map(|e| e.parts().map(|(_, v)| v.to_string()))
                    .filter(|v| v != "0")
                    .collect();
                versions.extend(a.versions.iter().take(5).cloned());
                if !versions.is_empty() {
                    packages.push((p.ecosystem.clone(), p.name.clone(), versions));
                }
            }
        }
    }
    let mut components = Vec::with_capacity(N);
    let mut round = 0;
    while components.len() < N && !packages.is_empty() {
        for (eco, name, versions) in &packages {
            if components.len() == N {
                break;
            }
            let Some(v) = versions.get(round % versions.len()) else {
                continue;
            };
            let (ty, version) = match eco.as_str() {
                "crates.io" => ("cargo", v.clone()),
                "Go" => ("golang", format!("v{v}")),
                _ => ("pypi", v.clone()),
            };
            let purl = format!("pkg:{ty}/{name}@{version}");
            components.push(Component::new(
                purl,
                name.clone(),
                Some(version),
                eco.clone(),
            ));
        }
        round += 1;
    }

    let mut times = Vec::new();
    let mut found = 0;
    let mut warned = 0;
    for _ in 0..7 {
        let db = VulnDb::open_existing(&path)?;
        let t = Instant::now();
        let (v, w) = db.match_components(&components);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found = v.len();
        warned = w.len();
    }
    times.sort_by(f64::total_cmp);
    let db = VulnDb::open_existing(&path)?;
    let _ = db.match_components(&components);
    let t = Instant::now();
    let _ = db.match_components(&components);
    let warm = t.elapsed().as_secs_f64() * 1000.0;
    // For profiling: MAMORI_BENCH_WARM=N repeats the warm run N times.
    let extra: usize = std::env::var("MAMORI_BENCH_WARM")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    for _ in 0..extra {
        let _ = db.match_components(&components);
    }
    println!(
        "{} components ({} packages): {} vulnerabilities, {} warnings",
        components.len(),
        packages.len(),
        found,
        warned
    );
    println!(
        "match_components, cold cache: median {:.1} ms (min {:.1}, max {:.1}); warm cache {:.1} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        warm
    );
    Ok(())
}
