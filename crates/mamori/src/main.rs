//! `mamori`: the binary. Argument parsing, progress, output and exit codes only; the work is
//! done by the library crates.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or fatal error.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use mamori_model::{ScanResult, Severity};
use mamori_report::{Lang, Messages, TextOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    about = "Inventory an organization's cryptography (CBOM) and make its risk visible.",
    long_about = "mamori (守り) inventories the cryptography on disks and container images — certificates, keys, \
configuration, binaries, source code — judges it against today's attacks and a quantum computer, \
and keeps every scan as a run you can compare.\n\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or fatal error."
)]
struct Cli {
    /// The store (SQLite file). Default: mamori.db in the user's data directory.
    #[arg(long, global = true, env = "MAMORI_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Language of the terminal output: ja or en (default: from the locale).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Scan directories, files and container image tarballs for cryptography.
    Scan(ScanArgs),
    /// List the runs in the store.
    Runs(RunsArgs),
    /// Show what appeared and disappeared between two runs.
    Diff(DiffArgs),
    /// Print a stored run again, in any format.
    Show(ShowArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Cyclonedx,
}

#[derive(Args)]
struct ScanArgs {
    /// Directories, files, or container image tarballs (`docker save`, OCI layout in a tar).
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Skip paths matching GLOB (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Exit with 1 when a finding has this severity or higher (info, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Passwords to try on PKCS#12 files and Java keystores, one a line ("changeit" is always tried).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The post-quantum migration deadline used to judge certificates.
    #[arg(long, default_value_t = 2030, value_name = "YEAR")]
    deadline: i32,
    /// Do not record the scan as a run in the store.
    #[arg(long)]
    no_store: bool,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print nothing but the report and errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// List every warning.
    #[arg(long, short = 'v')]
    verbose: bool,
}

#[derive(Args)]
struct RunsArgs {
    /// Output format (text or json).
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
struct DiffArgs {
    /// The older run.
    run_a: i64,
    /// The newer run.
    run_b: i64,
    /// Output format (text or json).
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
struct ShowArgs {
    /// The run (default: the newest).
    run: Option<i64>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("mamori: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("mamori")
        .join("mamori.db")
}

fn run(cli: Cli) -> Result<u8> {
    let lang = Lang::detect(cli.lang.as_deref());
    let db = cli.db.clone().unwrap_or_else(default_db);
    match cli.cmd {
        Cmd::Scan(a) => scan(a, &db, lang),
        Cmd::Runs(a) => runs(a, &db, lang),
        Cmd::Diff(a) => diff(a, &db, lang),
        Cmd::Show(a) => show(a, &db, lang),
    }
}

fn scan(a: ScanArgs, db: &Path, lang: Lang) -> Result<u8> {
    for t in &a.targets {
        if std::fs::symlink_metadata(t).is_err() {
            bail!("target {} does not exist or cannot be read", t.display());
        }
    }
    // Absolute paths (symlinks kept as named): a run's evidence, and so its diff against
    // another run, does not depend on the directory mamori was started from.
    let targets: Vec<PathBuf> = a
        .targets
        .iter()
        .map(|t| std::path::absolute(t).unwrap_or_else(|_| t.clone()))
        .collect();
    let mut passwords = Vec::new();
    if let Some(pf) = &a.password_file {
        let text = std::fs::read_to_string(pf)
            .with_context(|| format!("cannot read the password file {}", pf.display()))?;
        passwords.extend(text.lines().map(|l| l.trim_end_matches('\r').to_string()));
    }
    let opts = mamori_fs::ScanOptions {
        excludes: a.exclude.clone(),
        passwords,
        threads: a.threads,
    };
    // Open the store first: a bad --db fails before the work, not after.
    let mut store = if a.no_store {
        None
    } else {
        Some(mamori_store::Store::open(db)?)
    };
    let started_at = mamori_store::now_rfc3339();
    let t0 = Instant::now();
    let progress = mamori_fs::Progress::default();
    let mut observations = Vec::new();
    let mut warnings = Vec::new();
    let done = std::sync::atomic::AtomicBool::new(false);
    let show = !a.quiet && std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        let bar = s.spawn(|| {
            if !show {
                return;
            }
            // Only scans that take over a second get a bar.
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(1) {
                if done.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            while !done.load(Ordering::Relaxed) {
                let files = progress.files.load(Ordering::Relaxed);
                let bytes = progress.bytes.load(Ordering::Relaxed);
                pb.set_message(format!("{files} files, {:.1} MB read", bytes as f64 / 1e6));
                pb.tick();
                std::thread::sleep(Duration::from_millis(100));
            }
            pb.finish_and_clear();
        });
        for t in &targets {
            let got = mamori_fs::collect(t, &opts, &progress);
            observations.extend(got.observations);
            warnings.extend(got.warnings);
        }
        done.store(true, Ordering::Relaxed);
        let _ = bar.join();
    });
    let assets = mamori_assess::merge(observations);
    let policy = mamori_assess::Policy {
        deadline_year: a.deadline,
        ..Default::default()
    };
    let findings = mamori_assess::assess(&assets, &policy);
    let result = ScanResult {
        targets: targets.iter().map(|t| t.display().to_string()).collect(),
        assets,
        findings,
        warnings,
        components: Vec::new(),
        distros: Vec::new(),
        vulnerabilities: Vec::new(),
        files: progress.files.load(Ordering::Relaxed),
        bytes: progress.bytes.load(Ordering::Relaxed),
    };
    let run_id = match store.as_mut() {
        Some(s) => Some(s.save_run(&result, &started_at)?),
        None => None,
    };
    let secs = t0.elapsed().as_secs_f64();
    emit(
        &result,
        run_id,
        a.format,
        a.output.as_deref(),
        lang,
        a.verbose,
        secs,
    )?;
    if !a.quiet {
        let m = Messages::new(lang);
        if a.format != Format::Text || a.output.is_some() {
            // The report went elsewhere: a one-line summary on stderr.
            eprintln!(
                "{}",
                m.get(
                    "scan_header",
                    &[
                        ("targets", result.targets.len().to_string()),
                        ("files", result.files.to_string()),
                        ("bytes", format!("{} B", result.bytes)),
                        ("secs", format!("{secs:.2}")),
                    ]
                )
            );
        }
        if let Some(r) = run_id {
            eprintln!(
                "{}",
                m.get(
                    "run_stored",
                    &[("run", r.to_string()), ("db", db.display().to_string())]
                )
            );
        }
    }
    Ok(exit_for(&result, a.fail_on))
}

fn exit_for(r: &ScanResult, fail_on: Option<Severity>) -> u8 {
    match fail_on {
        Some(level) if r.findings.iter().any(|f| f.severity >= level) => 1,
        _ => 0,
    }
}

fn emit(
    r: &ScanResult,
    run: Option<i64>,
    format: Format,
    output: Option<&Path>,
    lang: Lang,
    verbose: bool,
    secs: f64,
) -> Result<()> {
    let body = match format {
        Format::Text => mamori_report::text(
            r,
            &TextOptions {
                lang,
                color: output.is_none() && std::io::stdout().is_terminal(),
                verbose,
                seconds: secs,
                ..Default::default()
            },
        ),
        Format::Json => serde_json::to_string_pretty(&mamori_report::json(r, run))? + "\n",
        Format::Cyclonedx => {
            serde_json::to_string_pretty(&mamori_report::cyclonedx(r, VERSION))? + "\n"
        }
    };
    write_out(output, &body)
}

fn write_out(output: Option<&Path>, body: &str) -> Result<()> {
    match output {
        Some(p) => {
            // Write a fresh temporary file beside, then rename it over: a half-written
            // report never replaces a good one, and no fixed temporary name can be a
            // planted symlink.
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            tmp.write_all(body.as_bytes())
                .with_context(|| format!("cannot write {}", p.display()))?;
            tmp.persist(p)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(body.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}

fn open_existing(db: &Path) -> Result<mamori_store::Store> {
    if !db.exists() {
        bail!(
            "no store at {} (run `mamori scan` first, or pass --db)",
            db.display()
        );
    }
    Ok(mamori_store::Store::open(db)?)
}

fn runs(a: RunsArgs, db: &Path, lang: Lang) -> Result<u8> {
    let m = Messages::new(lang);
    let store = open_existing(db)?;
    let runs = store.runs()?;
    if a.format == Format::Json || a.format == Format::Cyclonedx {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(0);
    }
    if runs.is_empty() {
        println!("{}", m.t("no_runs"));
        return Ok(0);
    }
    println!("{}", m.t("runs_header"));
    for r in runs {
        println!(
            "{:<4} {:<21} {:>6} {:>9} {:>11} {:>6} {:>9}  {}",
            r.id,
            r.started,
            r.assets,
            r.findings,
            r.components,
            r.vulnerabilities,
            r.warnings,
            r.targets.join(" ")
        );
    }
    Ok(0)
}

fn diff(a: DiffArgs, db: &Path, lang: Lang) -> Result<u8> {
    let m = Messages::new(lang);
    let store = open_existing(db)?;
    let d = store.diff(a.run_a, a.run_b)?;
    if a.format != Format::Text {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(0);
    }
    println!(
        "{}",
        m.get(
            "diff_header",
            &[("from", d.from.to_string()), ("to", d.to.to_string())]
        )
    );
    println!(
        "\n{}",
        m.get(
            "diff_assets_added",
            &[("n", d.assets_added.len().to_string())]
        )
    );
    for x in &d.assets_added {
        println!("  + [{}] {} ({})", x.kind.as_str(), x.name, x.status());
    }
    println!(
        "\n{}",
        m.get(
            "diff_assets_removed",
            &[("n", d.assets_removed.len().to_string())]
        )
    );
    for x in &d.assets_removed {
        println!("  - [{}] {} ({})", x.kind.as_str(), x.name, x.status());
    }
    println!(
        "\n{}",
        m.get(
            "diff_findings_added",
            &[("n", d.findings_added.len().to_string())]
        )
    );
    for f in &d.findings_added {
        println!(
            "  + {} {} {} at {}",
            f.severity, f.code, f.asset_name, f.location
        );
    }
    println!(
        "\n{}",
        m.get(
            "diff_findings_removed",
            &[("n", d.findings_removed.len().to_string())]
        )
    );
    for f in &d.findings_removed {
        println!(
            "  - {} {} {} at {}",
            f.severity, f.code, f.asset_name, f.location
        );
    }
    if d.components_added.len() + d.components_removed.len() > 0 {
        println!(
            "\n{}",
            m.get(
                "diff_components_added",
                &[("n", d.components_added.len().to_string())]
            )
        );
        for c in &d.components_added {
            println!("  + {}", c.purl);
        }
        println!(
            "\n{}",
            m.get(
                "diff_components_removed",
                &[("n", d.components_removed.len().to_string())]
            )
        );
        for c in &d.components_removed {
            println!("  - {}", c.purl);
        }
    }
    for (key, list, sign) in [
        ("diff_vulns_added", &d.vulnerabilities_added, '+'),
        ("diff_vulns_removed", &d.vulnerabilities_removed, '-'),
    ] {
        if d.vulnerabilities_added.len() + d.vulnerabilities_removed.len() == 0 {
            break;
        }
        println!("\n{}", m.get(key, &[("n", list.len().to_string())]));
        for v in list {
            let sev = v.severity.map(|s| s.as_str()).unwrap_or("unknown");
            println!(
                "  {sign} {sev} {} {} {}",
                v.id, v.component_name, v.component_version
            );
        }
    }
    Ok(0)
}

fn show(a: ShowArgs, db: &Path, lang: Lang) -> Result<u8> {
    let store = open_existing(db)?;
    let run = match a.run {
        Some(r) => r,
        None => store
            .latest_run()?
            .context("the store has no runs yet (run `mamori scan` first)")?,
    };
    let r = store.load_run(run)?;
    emit(
        &r,
        Some(run),
        a.format,
        a.output.as_deref(),
        lang,
        true,
        0.0,
    )?;
    Ok(0)
}
