//! Times the import of OSV dumps into a fresh database.
//!
//! ```text
//! cargo run --release -p mamori-vuln --example import_bench [-- ZIP_OR_DIR ...]
//! ```
//!
//! Without arguments it imports the three dumps in `shared/data/osv`
//! (crates.io, Go, PyPI). It imports twice (the second run is the
//! "nothing changed" re-import) and prints times and counts.
// A tool for benchmarks and demos, not the product: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

use mamori_vuln::VulnDb;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut inputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if inputs.is_empty() {
        let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/osv");
        inputs = ["crates.io", "Go", "PyPI"]
            .iter()
            .map(|e| PathBuf::from(format!("{base}/{e}/all.zip")))
            .collect();
    }
    let dir = tempfile::tempdir()?;
    let path = match std::env::var_os("MAMORI_BENCH_DB") {
        Some(p) => PathBuf::from(p),
        None => dir.path().join("vulndb.sqlite"),
    };
    let _ = std::fs::remove_file(&path);
    let mut db = VulnDb::open(&path)?;
    let t = Instant::now();
    let r = db.import(&inputs)?;
    let first = t.elapsed();
    println!(
        "first import: {:.3} s — {} added, {} skipped, {} warnings, per ecosystem {:?}",
        first.as_secs_f64(),
        r.added,
        r.skipped,
        r.warnings.len(),
        r.per_ecosystem
    );
    for w in r.warnings.iter().take(5) {
        println!("  warning: {w}");
    }
    let t = Instant::now();
    let r = db.import(&inputs)?;
    println!(
        "re-import:    {:.3} s — {} unchanged, {} updated, {} added",
        t.elapsed().as_secs_f64(),
        r.unchanged,
        r.updated,
        r.added
    );
    let size = std::fs::metadata(&path)?.len();
    println!("database size: {:.1} MB", size as f64 / 1e6);
    Ok(())
}
