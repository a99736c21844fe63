//! `mamori`: the binary. Argument parsing, progress, output and exit codes only; the work is
//! done by the library crates.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or fatal error.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use mamori_engine::scan::{open_vulndb, schedule_now};
use mamori_engine::systems;
use mamori_model::{ScanResult, Severity};
use mamori_report::{Lang, Messages, TextOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");

// mimalloc instead of the system allocator: a plan of a million assets makes millions of
// small strings, and glibc's malloc spent half the planning time consolidating free
// chunks (docs/decisions/011-mimalloc.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The top-level help: what mamori is, then its commands by what they are for (clap lists
/// subcommands in one flat list; a test holds this one to the subcommands there are).
const HELP_TEMPLATE: &str = "\
{about-with-newline}
{usage-heading} {usage}

Inventory — what is there, and what is wrong with it:
  scan      Scan directories, files, container images and network services (TLS, SSH,
            STARTTLS): cryptography (CBOM), software (SBOM) and its known vulnerabilities
  vulndb    The offline vulnerability database: import OSV data, show what it holds, query it
  runs      List the runs kept in the store
  show      Print a stored run again: text, JSON, CycloneDX or SPDX
  diff      What appeared and went away between two runs

Post-quantum migration:
  init      Write an example systems register (mamori.toml) to describe your systems in
  plan      The migration plan per system: priority, deadline, Mosca, agility, roadmap

Findings followed to their fix:
  findings  Followed across runs (new, open, fixed, reopened): list, show, ack, accept,
            assign, due, comment

Monitoring:
  serve     The server: scheduled scans, the dashboard and the REST API
  worker    More scan workers beside the server, sharing its store
  schedule  Each system's schedule: when it was last scanned, when it is next due
  user      Users of the store and the server: roles per system, API tokens, passwords

  help      This help, or a command's (also: mamori COMMAND --help)

Options:
{options}{after-help}";

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    help_template = HELP_TEMPLATE,
    about = "Cyber-risk inventory: the cryptography (CBOM) and software (SBOM, known \
vulnerabilities) on disks, container images and network services, the post-quantum \
migration plan, findings followed to their fix, and a monitoring server.",
    long_about = "mamori (守り) inventories an organization's cryptography and software and judges \
them against today's attacks, known vulnerabilities and a quantum computer. One scan of \
directories, files, container images and network services (TLS, SSH, STARTTLS) records the \
CBOM (certificates, keys, configured algorithms, crypto libraries and calls in source code), \
the SBOM (packages from lockfiles, package databases and binaries) and the components' known \
vulnerabilities, matched offline against OSV advisories. Every scan is kept \
as a run; the migration plan ranks each system of the register for the post-quantum move; \
findings are followed from discovery to verified fix; `mamori serve` does it all on a \
schedule, with a dashboard and a REST API.",
    after_help = "Exit codes: 0 clean, 1 a finding or an active vulnerability at or above \
--fail-on, 2 usage or fatal error."
)]
struct Cli {
    /// The store: an SQLite file, or a PostgreSQL database as a URL
    /// (`postgres://user:password@host:5432/mamori`) for a server and workers on several
    /// machines. Default: mamori.db in the user's data directory.
    // The value is hidden from --help: a database URL may hold a password.
    #[arg(
        long,
        global = true,
        env = "MAMORI_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
    db: Option<PathBuf>,
    /// The vulnerability database (SQLite, made by `mamori vulndb import`). Default:
    /// vulndb.sqlite in the user's data directory.
    #[arg(long, global = true, env = "MAMORI_VULNDB", value_name = "PATH")]
    vulndb: Option<PathBuf>,
    /// Language of the terminal output: ja or en (default: from the locale).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Scan directories, files, container image tarballs and network services (TLS, SSH,
    /// STARTTLS) for cryptography and software.
    Scan(Box<ScanArgs>),
    /// List the runs in the store.
    Runs(RunsArgs),
    /// Show what appeared and disappeared between two runs.
    Diff(DiffArgs),
    /// Print a stored run again, in any format.
    Show(ShowArgs),
    /// The local vulnerability database: import OSV data, show what it holds, query it.
    #[command(subcommand)]
    Vulndb(VulndbCmd),
    /// Write a commented example systems register (mamori.toml) to fill in.
    Init(InitArgs),
    /// The post-quantum migration plan: every system of the register judged from the newest
    /// scan under a policy (priority, deadline, Mosca, agility), with a roadmap in waves.
    Plan(PlanArgs),
    /// Findings followed across runs: new, open, acknowledged, accepted, fixed, reopened;
    /// list them, see one's history, acknowledge, accept, assign, comment.
    #[command(subcommand)]
    Findings(FindingsCmd),
    /// Local users of the store and of `mamori serve`: add the first admin, grant
    /// roles per system, issue API tokens.
    #[command(subcommand)]
    User(UserCmd),
    /// Each system's schedule (`every` or `cron` in the register): when it was last
    /// scanned, when it is next due. `mamori scan --due` scans the ones due now; `mamori
    /// serve` scans them by itself.
    Schedule(ScheduleArgs),
    /// The monitoring server: scheduled scans, the dashboard and the REST API (`/api/v1`,
    /// described at `/api/openapi.json`), for the users of `mamori user`.
    Serve(ServeArgs),
    /// A scan worker: takes scan jobs from the store's queue and runs them, beside
    /// `mamori serve` (on this machine or another sharing the store).
    Worker(WorkerArgs),
    /// The server's figures of the newest run (post-quantum migration per system, SBOM
    /// coverage) as JSON; `mamori serve` runs it in a child process after each run.
    #[command(hide = true)]
    Insight(InsightArgs),
    /// A stored run as CycloneDX, SPDX, SARIF, XLSX or JSON on standard output, narrowed
    /// to some systems; `mamori serve` runs it in a child process for its exports.
    #[command(hide = true)]
    Export(ExportArgs),
}

#[derive(Args)]
struct ExportArgs {
    /// The run.
    run: i64,
    /// A run format of the registry (`mamori_report::formats`): cyclonedx, spdx, sarif,
    /// xlsx, json (what the server exports) or text.
    #[arg(long)]
    format: String,
    /// The systems register (with --system).
    #[arg(long, value_name = "FILE", requires = "systems")]
    config: Option<PathBuf>,
    /// Only what is in these systems (repeatable).
    #[arg(long = "system", value_name = "ID", requires = "config")]
    systems: Vec<String>,
}

#[derive(Args)]
struct InsightArgs {
    /// The systems register.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: std::net::SocketAddr,
    /// The systems register: its systems, targets and schedules (default: ./mamori.toml
    /// when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// TLS certificate chain (PEM); with --tls-key the server speaks HTTPS only.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Scan workers inside the server (0: leave scanning to `mamori worker` processes).
    #[arg(long, default_value_t = 1, value_name = "N")]
    workers: usize,
    /// Seconds between the scheduler's looks at the schedules.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    tick: u64,
    /// Mark cookies Secure although this server speaks plain HTTP (it sits behind a
    /// TLS-terminating proxy).
    #[arg(long)]
    secure_cookies: bool,
    /// Hours a browser session lasts.
    #[arg(long, default_value_t = 12, value_name = "HOURS")]
    session_hours: i64,
    /// A scan running longer than this is stopped and counts as a failed attempt (a
    /// service that never answers must not hold a worker forever).
    #[arg(long, default_value_t = 240, value_name = "MINUTES")]
    max_scan_minutes: u64,
    /// Connections held open at once; more are closed as they arrive.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    max_connections: usize,
    /// Connections held open at once from one client address (an IPv6 client by its /64).
    /// Behind a reverse proxy every connection comes from the proxy: raise it there.
    #[arg(long, default_value_t = 128, value_name = "N")]
    max_connections_per_address: usize,
    /// Exports and differences of runs made at once (each a child process holding a run in
    /// memory); a few more wait, the rest are answered 503 with Retry-After.
    #[arg(long, default_value_t = 2, value_name = "N")]
    max_exports: usize,
}

#[derive(Args)]
struct WorkerArgs {
    /// The systems register the jobs' systems are in (default: ./mamori.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Scans run at once by this process.
    #[arg(long, default_value_t = 1, value_name = "N")]
    workers: usize,
    /// A scan running longer than this is stopped and counts as a failed attempt.
    #[arg(long, default_value_t = 240, value_name = "MINUTES")]
    max_scan_minutes: u64,
}

#[derive(Args)]
struct ScheduleArgs {
    /// The systems register (default: ./mamori.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format (text or json).
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user with a password (asked twice on a terminal, or one line with
    /// --password-stdin) and roles.
    Add {
        /// Login name.
        name: String,
        /// Role: admin, analyst or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Systems the role holds for (repeatable); none: every system.
        #[arg(long = "system", value_name = "ID")]
        systems: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users and their roles.
    List {
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
    /// Remove a user and their tokens.
    Remove {
        /// Login name.
        name: String,
    },
    /// Issue an API token for a user (shown once; the store keeps only its digest). It
    /// ends after 90 days unless told otherwise.
    Token {
        /// Login name.
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
        /// It ends after this long: 30d, 12w, 8h or 45m (default: 90d).
        #[arg(long, value_name = "DURATION", conflicts_with_all = ["expires", "no_expiry"])]
        expires_in: Option<String>,
        /// It ends on this day (YYYY-MM-DD, from midnight UTC) or at this time
        /// (YYYY-MM-DDTHH:MM:SSZ).
        #[arg(long, value_name = "DATE", conflicts_with = "no_expiry")]
        expires: Option<String>,
        /// It never ends (until revoked).
        #[arg(long)]
        no_expiry: bool,
    },
    /// List a user's API tokens: what each is for, when it was made, when it ends and when
    /// it was last used (never the token itself).
    Tokens {
        /// Login name.
        name: String,
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
    /// Revoke one API token of a user: requests with it are refused from now on.
    Revoke {
        /// Login name.
        name: String,
        /// The token's id, as `mamori user tokens NAME` shows it.
        token_id: i64,
    },
    /// Set a user's password (asked twice on a terminal, or one line with
    /// --password-stdin); their browser sessions end, their API tokens stay.
    Passwd {
        /// Login name.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Who acts (`--as`, else $USER).
#[derive(Args)]
struct Actor {
    /// Who does it (recorded in the history; default: $USER).
    #[arg(long = "as", value_name = "NAME")]
    actor: Option<String>,
    /// Why, in the history.
    #[arg(long, value_name = "TEXT")]
    comment: Option<String>,
}

#[derive(Subcommand)]
enum FindingsCmd {
    /// List the findings and vulnerabilities followed across runs, most severe first.
    List {
        /// Only these statuses (comma-separated: new, open, acknowledged, accepted, fixed,
        /// reopened). Default: all but fixed.
        #[arg(long, value_delimiter = ',')]
        status: Vec<String>,
        /// Only this system.
        #[arg(long)]
        system: Option<String>,
        /// Only at or above this severity.
        #[arg(long)]
        min_severity: Option<Severity>,
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
    /// One finding and its whole history.
    Show {
        /// Its id (from `mamori findings list`).
        id: i64,
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
    /// Acknowledge: seen, and someone will act.
    Ack {
        /// Ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        #[command(flatten)]
        who: Actor,
    },
    /// Accept the risk until a date (the finding counts again once the date has passed).
    Accept {
        /// Ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        /// The last day of the acceptance (YYYY-MM-DD).
        #[arg(long)]
        until: String,
        #[command(flatten)]
        who: Actor,
    },
    /// Assign to someone.
    Assign {
        /// Ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Who.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        who: Actor,
    },
    /// Set the date it must be resolved by (YYYY-MM-DD).
    Due {
        /// Ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        /// The date.
        #[arg(long)]
        date: String,
        #[command(flatten)]
        who: Actor,
    },
    /// Add a comment to the history.
    Comment {
        /// Id.
        id: i64,
        /// The comment.
        text: String,
        /// Who (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        actor: Option<String>,
    },
}

#[derive(Args)]
struct PlanArgs {
    /// The systems register (default: ./mamori.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Policy profile: ldp-2024, jp-gov-2035, nist-ir-8547, cnsa-2.0, eu-2030, or a profile
    /// file (default: the register's, else ldp-2024).
    #[arg(long, value_name = "NAME_OR_FILE")]
    policy: Option<String>,
    /// Year a cryptographically relevant quantum computer is assumed (default: the
    /// register's, else the policy's).
    #[arg(long, value_name = "YEAR")]
    crqc_year: Option<i32>,
    /// The run to plan from (default: the newest).
    #[arg(long)]
    run: Option<i64>,
    /// Earlier runs to show progress over.
    #[arg(long, default_value_t = 12, value_name = "N")]
    history: usize,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = plan_format())]
    format: mamori_report::formats::Format,
    /// Which table `--format csv` writes.
    #[arg(long, value_enum, default_value = "actions")]
    table: PlanTable,
    /// Write the report to FILE (required for xlsx unless standard output is not a terminal).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Actions the terminal summary lists.
    #[arg(long, default_value_t = 20, value_name = "N")]
    max_actions: usize,
    /// Plan as of this year instead of the current one (reproducing an old plan, tests).
    #[arg(long, hide = true)]
    year: Option<i32>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PlanTable {
    /// The roadmap's actions.
    Actions,
    /// The systems.
    Systems,
    /// Every asset as judged in each system.
    Assets,
}

#[derive(Args)]
struct InitArgs {
    /// Where to write it.
    #[arg(default_value = mamori_plan::register::FILE_NAME, value_name = "FILE")]
    path: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum VulndbCmd {
    /// Import OSV advisories: `all.zip` files as osv.dev publishes them, directories of OSV
    /// JSON, or single JSON files. Re-importing updates changed advisories; a failed import
    /// changes nothing.
    Import {
        /// OSV all.zip files, directories or JSON files.
        #[arg(required = true, value_name = "FILE_OR_DIR")]
        inputs: Vec<PathBuf>,
    },
    /// Show the ecosystems in the database, their advisory counts and newest change.
    Status {
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
    /// List the advisories affecting package versions, given as purls
    /// (`pkg:cargo/time@0.1.43`, `pkg:deb/debian/openssl@3.0.11-1?distro=debian-12`).
    Query {
        /// Package URLs with a version.
        #[arg(required = true, value_name = "PURL")]
        purls: Vec<String>,
        /// Output format (text or json).
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: Format,
    },
}

/// How a list (runs, differences, schedules, users …) is printed.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Aligned text.
    Text,
    /// JSON.
    Json,
}

/// The document formats of the one registry (`mamori_report::formats`) that `what` can be
/// written in, as a command-line value with each format's one-line description.
fn doc_format(
    plan: bool,
) -> impl clap::builder::TypedValueParser<Value = mamori_report::formats::Format> {
    use clap::builder::TypedValueParser as _;
    use mamori_report::formats::Format as F;
    let specs: Vec<_> = if plan {
        F::for_plan().collect()
    } else {
        F::for_run().collect()
    };
    clap::builder::PossibleValuesParser::new(specs.into_iter().map(|s| {
        clap::builder::PossibleValue::new(s.name)
            .help(s.about)
            .aliases(s.aliases.iter().copied())
    }))
    .try_map(|s| s.parse::<F>())
}

fn run_format() -> impl clap::builder::TypedValueParser<Value = mamori_report::formats::Format> {
    doc_format(false)
}

fn plan_format() -> impl clap::builder::TypedValueParser<Value = mamori_report::formats::Format> {
    doc_format(true)
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OnlyArg {
    Both,
    Crypto,
    Software,
}

#[derive(Args)]
struct ScanArgs {
    /// Directories, files, container image tarballs (`docker save`, OCI layout in a tar),
    /// or network services: `tls://host:port`, `https://host`, `ssh://host`, `smtp://`,
    /// `imap://`, `pop3://`, `ftp://`, `ldap://`, `postgres://` (STARTTLS), or a bare
    /// `host:port` (TLS or SSH, detected).
    ///
    /// With no target at all, the targets of every system in the systems register
    /// (`mamori.toml` here, or `--config`) are scanned and each finding names its system.
    #[arg(value_name = "TARGET")]
    targets: Vec<String>,
    /// The systems register to take targets from when none are named (default:
    /// `mamori.toml` in the working directory).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// With the register: scan only the systems whose schedule (`every = "6h"`) says they
    /// are due — for a cron job or systemd timer that runs every few minutes.
    #[arg(long)]
    due: bool,
    /// With the register: scan only this system (repeatable).
    #[arg(long = "system", value_name = "ID")]
    systems: Vec<String>,
    /// The scan job this scan carries out (set by `mamori serve` and `mamori worker`): the
    /// run marks the job done in its own transaction, no report is printed, and the scan
    /// stops without storing anything if the worker that started it dies.
    #[arg(long, value_name = "N", hide = true, requires = "worker_id")]
    job: Option<i64>,
    /// The worker the job is carried out for (with --job).
    #[arg(long, value_name = "ID", hide = true, requires = "job")]
    worker_id: Option<String>,
    /// Network targets, one a line, each optionally followed by a system id.
    #[arg(long = "targets", value_name = "FILE")]
    targets_file: Option<PathBuf>,
    /// Address ranges (CIDR) and hosts that may be probed; a range target is refused
    /// unless the scope contains all of it.
    #[arg(long, value_name = "FILE")]
    scope: Option<PathBuf>,
    /// Quick post-quantum survey of network services: which post-quantum key exchanges
    /// TLS services accept (no versions, suites or certificates) and what SSH offers.
    #[arg(long)]
    pq_only: bool,
    /// Connections open at once to one address.
    #[arg(long, default_value_t = 8, value_name = "N")]
    per_host: usize,
    /// New network connections per second, over the whole run (default: no limit).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Seconds to wait for a connection or an answer.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    timeout: f64,
    /// Further attempts after a connection fails or a probe times out.
    #[arg(long, default_value_t = 1, value_name = "N")]
    retries: u32,
    /// Print every probe connection to standard error: its number, the address, what was
    /// asked and what came back.
    #[arg(long)]
    trace: bool,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = run_format())]
    format: mamori_report::formats::Format,
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
    /// A VEX document (OpenVEX, CycloneDX VEX or CSAF 2.0 VEX); its not_affected and fixed
    /// statements suppress matching vulnerabilities (repeatable).
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// Take only one inventory: `crypto` (CBOM) or `software` (SBOM and vulnerabilities;
    /// source files are not read for crypto calls, so large trees go much faster).
    #[arg(long, value_enum, default_value = "both")]
    only: OnlyArg,
    /// Do not match components against the vulnerability database.
    #[arg(long)]
    no_vulns: bool,
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
    /// Only what is in this system of the register (repeatable; needs --config): what
    /// changed there, whatever changed elsewhere.
    #[arg(long = "system", value_name = "ID", requires = "config")]
    systems: Vec<String>,
    /// The systems register (with --system).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ShowArgs {
    /// The run (default: the newest).
    run: Option<i64>,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = run_format())]
    format: mamori_report::formats::Format,
    /// Write the report to FILE.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `println!` that ends the program quietly when standard output is a closed pipe
/// (`mamori diff … | head`) and with a clear error when it cannot be written, instead of
/// panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("mamori: error: cannot write to standard output: {e}");
            std::process::exit(2);
        }
    }};
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

fn default_vulndb() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("mamori")
        .join("vulndb.sqlite")
}

fn vulndb_cmd(c: VulndbCmd, path: &Path, lang: Lang) -> Result<u8> {
    use mamori_vuln::db::VulnDb;
    let m = Messages::new(lang);
    let missing = || {
        anyhow::anyhow!(
            "{}",
            m.get("vulndb_missing", &[("db", path.display().to_string())])
        )
    };
    match c {
        VulndbCmd::Import { inputs } => {
            for i in &inputs {
                if std::fs::metadata(i).is_err() {
                    bail!("{} does not exist or cannot be read", i.display());
                }
            }
            if let Some(dir) = path.parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
            }
            let t0 = Instant::now();
            let mut db = VulnDb::open(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = db.import(&inputs).map_err(|e| anyhow::anyhow!("{e}"))?;
            for w in &r.warnings {
                eprintln!("mamori: warning: {w}");
            }
            outln!(
                "{}",
                m.get(
                    "vulndb_imported",
                    &[
                        ("inputs", inputs.len().to_string()),
                        ("db", path.display().to_string()),
                        ("secs", format!("{:.2}", t0.elapsed().as_secs_f64())),
                        ("added", r.added.to_string()),
                        ("updated", r.updated.to_string()),
                        ("unchanged", r.unchanged.to_string()),
                        ("older", r.older.to_string()),
                        ("skipped", r.skipped.to_string()),
                    ]
                )
            );
            for (eco, n) in &r.per_ecosystem {
                outln!("  {eco:<24} {n:>7}");
            }
            Ok(0)
        }
        VulndbCmd::Status { format } => {
            let db = open_vulndb(path)?.ok_or_else(missing)?;
            let st = db.status().map_err(|e| anyhow::anyhow!("{e}"))?;
            if format != Format::Text {
                let eco: Vec<serde_json::Value> = st
                    .ecosystems
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "ecosystem": e.ecosystem,
                            "advisories": e.advisories,
                            "packages": e.packages,
                            "newest_modified": e.newest_modified,
                        })
                    })
                    .collect();
                let v = serde_json::json!({
                    "database": path.display().to_string(),
                    "advisories": st.advisories,
                    "withdrawn": st.withdrawn,
                    "last_import": st.last_import,
                    "ecosystems": eco,
                });
                outln!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(0);
            }
            outln!("{}", m.t("vulndb_status_header"));
            for e in &st.ecosystems {
                outln!(
                    "{:<24} {:>10} {:>9}  {}",
                    e.ecosystem,
                    e.advisories,
                    e.packages,
                    e.newest_modified.as_deref().unwrap_or("-")
                );
            }
            outln!(
                "{}",
                m.get(
                    "vulndb_status_total",
                    &[
                        ("db", path.display().to_string()),
                        ("n", st.advisories.to_string()),
                        ("withdrawn", st.withdrawn.to_string()),
                        ("when", st.last_import.unwrap_or_else(|| "-".into())),
                    ]
                )
            );
            Ok(0)
        }
        VulndbCmd::Query { purls, format } => {
            let db = open_vulndb(path)?.ok_or_else(missing)?;
            let mut out = Vec::new();
            let mut failed = false;
            for p in &purls {
                match db.query_purl(p) {
                    Ok((mut vulns, warnings)) => {
                        for w in warnings {
                            eprintln!("mamori: warning: {w}");
                        }
                        mamori_model::sort_vulnerabilities(&mut vulns);
                        out.push((p.clone(), vulns));
                    }
                    Err(e) => {
                        eprintln!("mamori: error: {e}");
                        failed = true;
                    }
                }
            }
            if format != Format::Text {
                let v: Vec<serde_json::Value> = out
                    .iter()
                    .map(|(p, vulns)| {
                        serde_json::json!({
                            "purl": p,
                            "vulnerabilities": vulns.iter().map(|v| serde_json::json!({
                                "id": v.id,
                                "aliases": v.aliases,
                                "summary": v.summary,
                                "severity": v.severity,
                                "cvss": v.cvss,
                                "fixed": v.fixed,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for (p, vulns) in &out {
                    if vulns.is_empty() {
                        outln!("{}", m.get("query_none", &[("purl", p.clone())]));
                        continue;
                    }
                    outln!(
                        "{}",
                        m.get(
                            "query_header",
                            &[("purl", p.clone()), ("n", vulns.len().to_string())]
                        )
                    );
                    for v in vulns {
                        let sev = mamori_report::sev_label(&m, v.severity);
                        let score = v
                            .cvss
                            .as_ref()
                            .map(|c| format!(" {:.1}", c.score))
                            .unwrap_or_default();
                        let aliases = if v.aliases.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", v.aliases.join(", "))
                        };
                        let fix = match &v.fixed {
                            Some(f) => m.get("fixed_in", &[("v", f.clone())]),
                            None => m.t("no_fix"),
                        };
                        outln!("  {sev:<8}{score} {}{aliases} — {fix}", v.id);
                        if !v.summary.is_empty() {
                            outln!("      {}", v.summary);
                        }
                    }
                }
            }
            Ok(if failed { 2 } else { 0 })
        }
    }
}

/// Writes the example register, never over an existing file unless asked.
fn init(a: InitArgs, lang: Lang) -> Result<u8> {
    if a.path.exists() && !a.force {
        bail!(
            "{} already exists; give another file or --force to replace it",
            a.path.display()
        );
    }
    std::fs::write(&a.path, mamori_plan::register::EXAMPLE)
        .with_context(|| format!("cannot write {}", a.path.display()))?;
    let m = Messages::new(lang);
    outln!(
        "{}",
        m.get("init_written", &[("path", a.path.display().to_string())])
    );
    Ok(0)
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
    let vulndb = cli.vulndb.clone().unwrap_or_else(default_vulndb);
    match cli.cmd {
        Cmd::Scan(a) => scan(*a, &db, &vulndb, lang),
        Cmd::Vulndb(c) => vulndb_cmd(c, &vulndb, lang),
        Cmd::Runs(a) => runs(a, &db, lang),
        Cmd::Diff(a) => diff(a, &db, lang),
        Cmd::Show(a) => show(a, &db, lang),
        Cmd::Init(a) => init(a, lang),
        Cmd::Plan(a) => plan(a, &db, lang),
        Cmd::Findings(c) => findings(c, &db, lang),
        Cmd::User(c) => user(c, &db, lang),
        Cmd::Schedule(a) => schedule(a, &db, lang),
        Cmd::Serve(a) => serve(a, &db, cli.vulndb.as_deref(), lang),
        Cmd::Worker(a) => worker(a, &db, cli.vulndb.as_deref()),
        Cmd::Export(a) => {
            let store = open_existing(&db)?;
            let mut scan = store.load_run(a.run)?;
            if let Some(reg) = &a.config {
                let loaded = mamori_engine::Loaded::load(reg)?;
                scan = mamori_engine::visibility::narrow(
                    scan,
                    &mamori_store::views::Visible::Systems(a.systems.clone()),
                    Some(&loaded),
                );
            }
            // Written as it is made: the document is never whole in this process.
            let out = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, out.lock());
            let format = a
                .format
                .parse::<mamori_report::formats::Format>()
                .map_err(|e| anyhow::anyhow!(e))?;
            let options = mamori_report::formats::RunOptions {
                run: Some(a.run),
                version: VERSION.to_string(),
                lang,
                spdx_seed: format!("run {} {}", a.run, scan.targets.join(" ")),
                ..Default::default()
            };
            mamori_report::formats::write_run(format, &scan, &options, &mut w)?;
            w.flush().context("cannot write the export")?;
            Ok(0)
        }
        Cmd::Insight(a) => {
            let reg = mamori_plan::register::Register::load(&a.config)?;
            let store = open_existing(&db)?;
            let i = mamori_server::insight::make(&a.config, &reg, &store);
            outln!("{}", serde_json::to_string(&i)?);
            Ok(0)
        }
    }
}

/// The store a server or worker shares, as its children will be told it: a PostgreSQL URL
/// as given, a SQLite file made absolute.
fn shared_db(db: &Path) -> Result<PathBuf> {
    if mamori_store::postgres_url(db).is_some() {
        return Ok(db.to_path_buf());
    }
    Ok(std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf()))
}

fn serve(a: ServeArgs, db: &Path, vulndb: Option<&Path>, lang: Lang) -> Result<u8> {
    let register = a
        .config
        .or_else(|| mamori_plan::register::Register::find(Path::new(".")))
        .map(|p| std::path::absolute(&p).unwrap_or(p));
    if register.is_none() {
        eprintln!(
            "mamori: no systems register (mamori.toml here, or --config): the server shows stored runs and findings but schedules and starts no scan"
        );
    }
    if a.session_hours < 1 {
        bail!("--session-hours {}: give at least 1", a.session_hours);
    }
    let cfg = mamori_server::Config {
        listen: a.listen,
        db: shared_db(db)?,
        vulndb: vulndb.map(|v| std::path::absolute(v).unwrap_or_else(|_| v.to_path_buf())),
        register,
        tls: a.tls_cert.zip(a.tls_key),
        lang,
        workers: a.workers,
        tick: Duration::from_secs(a.tick.max(1)),
        exe: std::env::current_exe().context("cannot find the mamori binary to run scans with")?,
        secure_cookies: a.secure_cookies,
        session_secs: a.session_hours * 3600,
        max_scan: Duration::from_secs(a.max_scan_minutes.max(1) * 60),
        limits: mamori_server::guard::Limits {
            connections: a.max_connections.max(1),
            per_address: a.max_connections_per_address.max(1),
        },
        children: mamori_server::children::ChildLimits {
            running: a.max_exports.max(1),
            ..Default::default()
        },
    };
    mamori_server::serve(cfg)?;
    Ok(0)
}

fn worker(a: WorkerArgs, db: &Path, vulndb: Option<&Path>) -> Result<u8> {
    let register = a
        .config
        .or_else(|| mamori_plan::register::Register::find(Path::new(".")))
        .context(
            "a worker needs the systems register its jobs name (mamori.toml here, or --config)",
        )?;
    // Fail now on a register that does not load, not in every job.
    mamori_plan::register::Register::load(&register)?;
    let wc = mamori_server::worker::WorkerConfig {
        db: shared_db(db)?,
        vulndb: vulndb.map(|v| std::path::absolute(v).unwrap_or_else(|_| v.to_path_buf())),
        register: std::path::absolute(&register).unwrap_or(register),
        exe: std::env::current_exe().context("cannot find the mamori binary to run scans with")?,
        max_scan: Duration::from_secs(a.max_scan_minutes.max(1) * 60),
    };
    mamori_server::worker::run_worker(wc, a.workers)?;
    Ok(0)
}

fn user(c: UserCmd, db: &Path, lang: Lang) -> Result<u8> {
    use mamori_store::users::{Grant, Role};
    let m = Messages::new(lang);
    match c {
        UserCmd::Add {
            name,
            role,
            systems,
            password_stdin,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role '{role}' (expected admin, analyst or viewer)")
            })?;
            let password = new_password(&name, password_stdin)?;
            let grants: Vec<Grant> = if systems.is_empty() {
                vec![Grant { role, system: None }]
            } else {
                systems
                    .into_iter()
                    .map(|s| Grant {
                        role,
                        system: Some(s),
                    })
                    .collect()
            };
            let mut store = mamori_store::Store::open(db)?;
            let u = store.add_user(&name, &password, &grants)?;
            outln!(
                "{}",
                m.get(
                    "user.added",
                    &[
                        ("name", u.name.clone()),
                        ("grants", describe_grants(&m, &u.grants))
                    ]
                )
            );
            Ok(0)
        }
        UserCmd::List { format } => {
            let store = open_existing(db)?;
            let users = store.users()?;
            if format != Format::Text {
                outln!("{}", serde_json::to_string_pretty(&users)?);
                return Ok(0);
            }
            for u in users {
                outln!(
                    "{}",
                    m.get(
                        "user.line",
                        &[
                            ("name", format!("{:<24}", u.name)),
                            ("grants", describe_grants(&m, &u.grants)),
                            ("since", u.created.clone()),
                        ]
                    )
                );
            }
            Ok(0)
        }
        UserCmd::Remove { name } => {
            let mut store = open_existing(db)?;
            store.remove_user(&name)?;
            outln!("{}", m.get("user.removed", &[("name", name.clone())]));
            Ok(0)
        }
        UserCmd::Token {
            name,
            label,
            expires_in,
            expires,
            no_expiry,
        } => {
            let ends = token_end(expires_in.as_deref(), expires.as_deref(), no_expiry)?;
            let mut store = open_existing(db)?;
            let t = store.add_token(&name, &label, ends)?;
            // Standard output is the token alone, for scripts; what it is goes beside it.
            outln!("{}", t.token);
            eprintln!(
                "{}",
                m.get(
                    "user.token_made",
                    &[
                        ("id", t.info.id.to_string()),
                        ("name", name.clone()),
                        ("label", t.info.label.clone()),
                        ("expires", token_expiry_text(&m, &t.info)),
                    ]
                )
            );
            Ok(0)
        }
        UserCmd::Tokens { name, format } => {
            let store = open_existing(db)?;
            let tokens = store.tokens_of(&name)?;
            if format != Format::Text {
                outln!("{}", serde_json::to_string_pretty(&tokens)?);
                return Ok(0);
            }
            if tokens.is_empty() {
                outln!("{}", m.get("user.no_tokens", &[("name", name.clone())]));
            }
            for t in &tokens {
                outln!(
                    "{}",
                    m.get(
                        "user.token_line",
                        &[
                            ("id", format!("{:>4}", t.id)),
                            ("label", format!("{:<20}", t.label)),
                            ("created", t.created.clone()),
                            ("expires", token_expiry_text(&m, t)),
                            (
                                "used",
                                match &t.last_used {
                                    Some(at) => m.get("user.token_used", &[("at", at.clone())]),
                                    None => m.t("user.token_unused"),
                                }
                            ),
                        ]
                    )
                );
            }
            Ok(0)
        }
        UserCmd::Revoke { name, token_id } => {
            let mut store = open_existing(db)?;
            store.revoke_token(&name, token_id)?;
            outln!(
                "{}",
                m.get(
                    "user.token_revoked",
                    &[("id", token_id.to_string()), ("name", name.clone())]
                )
            );
            Ok(0)
        }
        UserCmd::Passwd {
            name,
            password_stdin,
        } => {
            let mut store = open_existing(db)?;
            if store.user(&name)?.is_none() {
                bail!("no user {name}");
            }
            let password = new_password(&name, password_stdin)?;
            let ended = store.reset_password(&name, &password)?;
            outln!(
                "{}",
                m.get(
                    "user.password_set",
                    &[("name", name.clone()), ("sessions", ended.to_string())]
                )
            );
            Ok(0)
        }
    }
}

/// A new password for `name`: asked twice on a terminal, or the first line of standard
/// input with `--password-stdin`.
fn new_password(name: &str, stdin: bool) -> Result<String> {
    if stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    } else if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password(format!("password for {name}: "))?;
        let b = rpassword::prompt_password("again: ")?;
        if a != b {
            bail!("the passwords differ");
        }
        Ok(a)
    } else {
        bail!("give the password on a terminal, or as one line with --password-stdin");
    }
}

/// When a new token ends (a Unix time; none: never) from `--expires-in`, `--expires` or
/// `--no-expiry`; by default after [`mamori_store::users::DEFAULT_TOKEN_DAYS`] days.
fn token_end(expires_in: Option<&str>, expires: Option<&str>, never: bool) -> Result<Option<i64>> {
    use mamori_model::date;
    let now = mamori_store::unix_now();
    if never {
        return Ok(None);
    }
    if let Some(d) = expires_in {
        let secs = mamori_plan::register::parse_interval(d)
            .filter(|s| *s > 0)
            .and_then(|s| i64::try_from(s).ok())
            .with_context(|| {
                format!("--expires-in {d:?}: give a length such as 30d, 12w, 8h or 45m")
            })?;
        return Ok(Some(now.saturating_add(secs)));
    }
    if let Some(e) = expires {
        let at = if e.len() == 10 {
            date::parse_ymd(e).map(|d| d * 86_400)
        } else {
            date::parse_rfc3339(e).filter(|_| e.len() == 20 && e.ends_with('Z'))
        }
        .with_context(|| {
            format!("--expires {e:?}: give a day (2027-03-01) or a UTC time (2027-03-01T09:00:00Z)")
        })?;
        if at <= now {
            bail!("--expires {e}: that has passed; give a day or time in the future");
        }
        return Ok(Some(at));
    }
    Ok(Some(now + mamori_store::users::DEFAULT_TOKEN_DAYS * 86_400))
}

/// "expires …", "EXPIRED …" or "never expires", for the token lines.
fn token_expiry_text(m: &Messages, t: &mamori_store::account::TokenInfo) -> String {
    match (&t.expires, t.expired) {
        (Some(at), true) => m.get("user.token_expired", &[("at", at.clone())]),
        (Some(at), false) => m.get("user.token_expires", &[("at", at.clone())]),
        (None, _) => m.t("user.token_never_expires"),
    }
}

fn describe_grants(m: &Messages, g: &[mamori_store::users::Grant]) -> String {
    mamori_server::pages::grants_text(m, g)
}

fn actor_name(a: Option<String>) -> String {
    a.filter(|s| !s.trim().is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "local".into())
}

fn findings(c: FindingsCmd, db: &Path, lang: Lang) -> Result<u8> {
    use mamori_store::lifecycle::{Act, Status};
    let m = Messages::new(lang);
    let mut store = open_existing(db)?;
    let status_name = |s: Status| m.t(&format!("lifecycle.{}", s.as_str()));
    let today = mamori_store::now_rfc3339()[..10].to_string();
    let mut act_on = |ids: &[i64], act: Act, who: Actor| -> Result<u8> {
        let actor = actor_name(who.actor);
        for &id in ids {
            let t = store.act(id, &act, &actor, who.comment.as_deref())?;
            outln!(
                "{}",
                m.get(
                    "lifecycle.done",
                    &[
                        ("id", id.to_string()),
                        ("status", status_name(t.status)),
                        ("title", t.title.clone()),
                    ],
                )
            );
        }
        Ok(0)
    };
    match c {
        FindingsCmd::Ack { ids, who } => act_on(&ids, Act::Acknowledge, who),
        FindingsCmd::Accept { ids, until, who } => act_on(&ids, Act::Accept { until }, who),
        FindingsCmd::Assign { ids, to, who } => act_on(&ids, Act::Assign { to }, who),
        FindingsCmd::Due { ids, date, who } => act_on(&ids, Act::Due { date }, who),
        FindingsCmd::Comment { id, text, actor } => act_on(
            &[id],
            Act::Comment,
            Actor {
                actor,
                comment: Some(text),
            },
        ),
        FindingsCmd::List {
            status,
            system,
            min_severity,
            format,
        } => {
            let statuses = if status.is_empty() {
                Status::ALL
                    .into_iter()
                    .filter(|s| *s != Status::Fixed)
                    .collect()
            } else {
                status
                    .iter()
                    .map(|s| {
                        Status::parse(s.trim()).with_context(|| {
                            format!(
                                "unknown status '{s}' (expected new, open, acknowledged, accepted, fixed or reopened)"
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?
            };
            let list = store.tracked(&mamori_store::TrackedFilter {
                statuses,
                system,
                min_severity,
            })?;
            if format != Format::Text {
                outln!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(0);
            }
            if list.is_empty() {
                outln!("{}", m.t("lifecycle.none"));
                return Ok(0);
            }
            outln!("{}", m.t("lifecycle.header"));
            for t in &list {
                let overdue =
                    t.status.active() && t.due.as_deref().is_some_and(|d| d < today.as_str());
                use mamori_report::pad;
                outln!(
                    "{:<6} {} {} {:<11} {:<14} {}  {}",
                    t.id,
                    pad(&status_name(t.status), 14),
                    pad(&mamori_report::sev_label(&m, t.severity), 9),
                    format!(
                        "{}{}",
                        t.due.as_deref().unwrap_or("-"),
                        if overdue { "!" } else { "" }
                    ),
                    t.system.as_deref().unwrap_or("-"),
                    t.title,
                    t.location
                );
            }
            Ok(0)
        }
        FindingsCmd::Show { id, format } => {
            let (t, events) = store.tracked_one(id)?;
            if format != Format::Text {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"finding": t, "history": events})
                    )?
                );
                return Ok(0);
            }
            outln!(
                "{}",
                m.get(
                    "lifecycle.show",
                    &[
                        ("id", t.id.to_string()),
                        ("title", t.title.clone()),
                        ("status", status_name(t.status)),
                        ("severity", mamori_report::sev_label(&m, t.severity)),
                        ("location", t.location.clone()),
                        ("due", t.due.clone().unwrap_or_else(|| "-".into())),
                        ("assignee", t.assignee.clone().unwrap_or_else(|| "-".into())),
                    ],
                )
            );
            for e in &events {
                let change = match (e.from, e.to) {
                    (Some(f), Some(to)) => format!(" {} → {}", status_name(f), status_name(to)),
                    (None, Some(to)) => format!(" → {}", status_name(to)),
                    _ => String::new(),
                };
                outln!(
                    "  {}  {:<10} {}{change}{}",
                    e.at,
                    e.actor,
                    m.t(&format!("lifecycle.action.{}", e.action)),
                    e.detail
                        .as_deref()
                        .map(|d| format!(" — {d}"))
                        .unwrap_or_default()
                );
            }
            Ok(0)
        }
    }
}

fn plan(a: PlanArgs, db: &Path, lang: Lang) -> Result<u8> {
    use mamori_plan::register::Register;
    let reg_path = a
        .config
        .clone()
        .or_else(|| Register::find(Path::new(".")))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no systems register: describe your systems in {} (`mamori init` writes an example) or pass --config",
                mamori_plan::register::FILE_NAME
            )
        })?;
    let reg = Register::load(&reg_path)?;
    let store = if mamori_store::store_exists(db) {
        Some(mamori_store::Store::open(db)?)
    } else {
        None
    };
    let (p, warnings) = systems::build_plan(
        &reg_path,
        &reg,
        store.as_ref(),
        &systems::PlanRequest {
            policy: a.policy.as_deref(),
            crqc_year: a.crqc_year,
            year: a.year,
            run: a.run,
            history: a.history,
        },
    )
    .map_err(|e| match a.run {
        Some(_) => anyhow::anyhow!("{e:#} ({})", mamori_store::shown(db)),
        None => e,
    })?;
    for w in &warnings {
        eprintln!("mamori: warning: {w}");
    }
    let m = Messages::new(lang);
    use mamori_report::formats::{write_plan, PlanOptions};
    use mamori_report::plan as rp;
    if a.format.spec().binary && a.output.is_none() && std::io::stdout().is_terminal() {
        bail!(
            "{} is binary: write it to a file with -o plan.{}",
            a.format.spec().about,
            a.format.spec().extension
        );
    }
    let cwd = std::env::current_dir().ok();
    let mut body = Vec::new();
    write_plan(
        a.format,
        &p,
        &PlanOptions {
            messages: &m,
            lang,
            version: VERSION,
            max_actions: a.max_actions,
            table: match a.table {
                PlanTable::Actions => rp::CsvTable::Actions,
                PlanTable::Systems => rp::CsvTable::Systems,
                PlanTable::Assets => rp::CsvTable::Assets,
            },
            base: cwd.as_deref(),
        },
        &mut body,
    )?;
    write_out(a.output.as_deref(), &body)?;
    if p.run.is_some() && p.rows.is_empty() && !reg.systems.is_empty() {
        eprintln!(
            "mamori: warning: run {} saw nothing of the register's systems; scan them with `mamori scan` (no targets) or choose a run with --run",
            p.run.as_ref().map(|r| r.id).unwrap_or(0)
        );
    }
    // The process ends here: handing a plan of a million assets back to the allocator
    // piece by piece would only delay the exit.
    std::mem::forget(p);
    Ok(0)
}

fn schedule(a: ScheduleArgs, db: &Path, lang: Lang) -> Result<u8> {
    let m = Messages::new(lang);
    let reg_path = a
        .config
        .or_else(|| mamori_plan::register::Register::find(Path::new(".")))
        .context("no systems register: mamori.toml here, or --config")?;
    let reg = mamori_plan::register::Register::load(&reg_path)?;
    let st = schedule_now(&reg_path, &reg, db)?;
    if a.format != Format::Text {
        outln!("{}", serde_json::to_string_pretty(&st)?);
        return Ok(0);
    }
    outln!("{}", m.t("schedule.header"));
    for s in &st {
        let dash = || "-".to_string();
        outln!(
            "{:<24} {:<6} {:<21} {:<21} {}",
            s.id,
            s.every.clone().unwrap_or_else(dash),
            s.last.clone().unwrap_or_else(|| m.t("schedule.never")),
            s.next.clone().unwrap_or_else(dash),
            if s.due {
                m.t("schedule.due")
            } else {
                String::new()
            }
        );
    }
    Ok(0)
}

fn scan(a: ScanArgs, db: &Path, vulndb_path: &Path, lang: Lang) -> Result<u8> {
    use mamori_engine::scan::{self as engine, NetRequest, Only, ScanRequest, Targets};
    let named = !a.targets.is_empty() || a.targets_file.is_some();
    if a.due && named {
        bail!("--due scans the systems of the register whose time has come; it takes no targets");
    }
    if !a.systems.is_empty() && named {
        bail!("--system picks systems of the register; it takes no targets");
    }
    if a.job.is_some() {
        // A scan for a job is its worker's child: when the worker dies (kill -9, a lost
        // machine), stop before storing, so the job's retry is the only run.
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            if std::os::unix::process::parent_id() != parent {
                // The worker read standard error: it may be gone with it (no eprintln!,
                // which panics on a closed pipe).
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "mamori: the worker that started this scan is gone; stopping without storing"
                );
                std::process::exit(3);
            }
        });
    }
    let req = ScanRequest {
        targets: if named {
            Targets::Named {
                targets: a.targets.clone(),
                targets_file: a.targets_file.clone(),
            }
        } else {
            Targets::Register {
                config: a.config.clone(),
                systems: a.systems.clone(),
                due: a.due,
            }
        },
        net: NetRequest {
            scope: a.scope.clone(),
            pq_only: a.pq_only,
            per_host: a.per_host,
            rate: a.rate,
            timeout: a.timeout,
            retries: a.retries,
            trace: a.trace,
        },
        excludes: a.exclude.clone(),
        password_file: a.password_file.clone(),
        threads: a.threads,
        only: match a.only {
            OnlyArg::Crypto => Only::Crypto,
            OnlyArg::Software => Only::Software,
            OnlyArg::Both => Only::Both,
        },
        deadline_year: a.deadline,
        vex: a.vex.clone(),
        vulndb: (!a.no_vulns).then(|| vulndb_path.to_path_buf()),
        store: (!a.no_store).then(|| db.to_path_buf()),
        schedule_store: Some(db.to_path_buf()),
        job: a.job.zip(a.worker_id.clone()),
    };
    let progress = engine::Progress::default();
    let done = std::sync::atomic::AtomicBool::new(false);
    let show = !a.quiet && std::io::stderr().is_terminal();
    let outcome = std::thread::scope(|s| {
        let bar = s.spawn(|| progress_bar(show, &done, &progress));
        let r = engine::run(&req, &progress, &|_| {});
        done.store(true, Ordering::Relaxed);
        let _ = bar.join();
        r
    })?;
    let Some(out) = outcome else {
        outln!("{}", Messages::new(lang).t("schedule.nothing_due"));
        return Ok(0);
    };
    let secs = out.timings.total.as_secs_f64();
    if a.verbose && !a.quiet {
        eprintln!(
            "timings: collect {:.3} s, match {:.3} s, total {secs:.3} s",
            out.timings.collect.as_secs_f64(),
            out.timings.matching.as_secs_f64()
        );
        if !a.vex.is_empty() {
            eprintln!(
                "vex: {} statements, {} findings suppressed, {} statements matched nothing",
                out.vex.statements, out.vex.applied, out.vex.unmatched
            );
        }
    }
    if a.job.is_some() {
        // The server shows the run; nobody reads a report.
        return Ok(0);
    }
    let result = &out.result;
    emit(
        result,
        &Emit {
            run: out.run,
            format: a.format,
            output: a.output.as_deref(),
            lang,
            verbose: a.verbose,
            secs,
            no_vulndb: out.no_vulndb.clone(),
        },
    )?;
    if !a.quiet {
        let m = Messages::new(lang);
        if a.format != mamori_report::formats::Format::Text || a.output.is_some() {
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
        if let Some(r) = out.run {
            eprintln!(
                "{}",
                m.get(
                    "run_stored",
                    &[("run", r.to_string()), ("db", mamori_store::shown(db))]
                )
            );
        }
    }
    Ok(exit_for(result, a.fail_on))
}

/// A spinner on standard error with the files and bytes read, for scans that take over a
/// second, until `done`.
fn progress_bar(
    show: bool,
    done: &std::sync::atomic::AtomicBool,
    progress: &mamori_engine::scan::Progress,
) {
    if !show {
        return;
    }
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
}

/// 1 when a finding or an active vulnerability reaches `fail_on`. A vulnerability without
/// a rating counts at any level (docs/decisions/008-unknown-severity.md); VEX-suppressed
/// ones never count.
fn exit_for(r: &ScanResult, fail_on: Option<Severity>) -> u8 {
    let Some(level) = fail_on else { return 0 };
    let finding = r.findings.iter().any(|f| f.severity >= level);
    let vuln = r
        .vulnerabilities
        .iter()
        .filter(|v| v.active())
        .any(|v| v.severity.is_none_or(|s| s >= level));
    u8::from(finding || vuln)
}

/// How a report is written.
struct Emit<'a> {
    run: Option<i64>,
    format: mamori_report::formats::Format,
    output: Option<&'a Path>,
    lang: Lang,
    verbose: bool,
    secs: f64,
    /// The vulnerability database path, when there was none to match against.
    no_vulndb: Option<String>,
}

fn emit(r: &ScanResult, e: &Emit<'_>) -> Result<()> {
    use mamori_report::formats::{write_run, RunOptions};
    let spec = e.format.spec();
    if spec.binary && e.output.is_none() && std::io::stdout().is_terminal() {
        bail!(
            "{} is binary: write it to a file with -o report.{}",
            spec.about,
            spec.extension
        );
    }
    // SPDX wants a namespace unique per document: the run, the targets and the time
    // (SOURCE_DATE_EPOCH when set, for reproducible documents).
    let when = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_else(|_| mamori_store::now_rfc3339());
    let options = RunOptions {
        run: e.run,
        version: VERSION.to_string(),
        lang: e.lang,
        text: TextOptions {
            lang: e.lang,
            color: e.output.is_none() && std::io::stdout().is_terminal(),
            verbose: e.verbose,
            seconds: e.secs,
            no_vulndb: e.no_vulndb.clone(),
            ..Default::default()
        },
        spdx_seed: format!("{:?} {} {when}", e.run, r.targets.join(" ")),
    };
    let mut body = Vec::new();
    write_run(e.format, r, &options, &mut body)?;
    write_out(e.output, &body)
}

fn write_out(output: Option<&Path>, body: &[u8]) -> Result<()> {
    match output {
        Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
            // A device or pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO): write into it;
            // renaming over it would replace the device with a file.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .with_context(|| format!("cannot write {}", p.display()))?;
            f.write_all(body)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
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
            tmp.write_all(body)
                .with_context(|| format!("cannot write {}", p.display()))?;
            tmp.persist(p)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(body).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}

fn open_existing(db: &Path) -> Result<mamori_store::Store> {
    if !mamori_store::store_exists(db) {
        bail!(
            "no store at {} (run `mamori scan` first, or pass --db)",
            mamori_store::shown(db)
        );
    }
    Ok(mamori_store::Store::open(db)?)
}

fn runs(a: RunsArgs, db: &Path, lang: Lang) -> Result<u8> {
    let m = Messages::new(lang);
    let store = open_existing(db)?;
    let runs = store.runs()?;
    if a.format != Format::Text {
        outln!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(0);
    }
    if runs.is_empty() {
        outln!("{}", m.t("no_runs"));
        return Ok(0);
    }
    outln!("{}", m.t("runs_header"));
    for r in runs {
        outln!(
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
    let d = match &a.config {
        Some(reg) if !a.systems.is_empty() => {
            // Each run narrowed to the systems first, then compared.
            let loaded = mamori_engine::Loaded::load(reg)?;
            let only = mamori_store::views::Visible::Systems(a.systems.clone());
            let narrow = |run| -> Result<ScanResult> {
                Ok(mamori_engine::visibility::narrow(
                    store.load_run(run)?,
                    &only,
                    Some(&loaded),
                ))
            };
            mamori_store::diff_results(a.run_a, a.run_b, &narrow(a.run_a)?, &narrow(a.run_b)?)
        }
        _ => store.diff(a.run_a, a.run_b)?,
    };
    if a.format != Format::Text {
        outln!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(0);
    }
    outln!(
        "{}",
        m.get(
            "diff_header",
            &[("from", d.from.to_string()), ("to", d.to.to_string())]
        )
    );
    outln!(
        "\n{}",
        m.get(
            "diff_assets_added",
            &[("n", d.assets_added.len().to_string())]
        )
    );
    for x in &d.assets_added {
        outln!("  + [{}] {} ({})", x.kind.as_str(), x.name, x.status());
    }
    outln!(
        "\n{}",
        m.get(
            "diff_assets_removed",
            &[("n", d.assets_removed.len().to_string())]
        )
    );
    for x in &d.assets_removed {
        outln!("  - [{}] {} ({})", x.kind.as_str(), x.name, x.status());
    }
    outln!(
        "\n{}",
        m.get(
            "diff_findings_added",
            &[("n", d.findings_added.len().to_string())]
        )
    );
    for f in &d.findings_added {
        outln!(
            "  + {} {} {} at {}",
            f.severity,
            f.code,
            f.asset_name,
            f.location
        );
    }
    outln!(
        "\n{}",
        m.get(
            "diff_findings_removed",
            &[("n", d.findings_removed.len().to_string())]
        )
    );
    for f in &d.findings_removed {
        outln!(
            "  - {} {} {} at {}",
            f.severity,
            f.code,
            f.asset_name,
            f.location
        );
    }
    if d.components_added.len() + d.components_removed.len() > 0 {
        outln!(
            "\n{}",
            m.get(
                "diff_components_added",
                &[("n", d.components_added.len().to_string())]
            )
        );
        for c in &d.components_added {
            outln!("  + {}", c.purl);
        }
        outln!(
            "\n{}",
            m.get(
                "diff_components_removed",
                &[("n", d.components_removed.len().to_string())]
            )
        );
        for c in &d.components_removed {
            outln!("  - {}", c.purl);
        }
    }
    for (key, list, sign) in [
        ("diff_vulns_added", &d.vulnerabilities_added, '+'),
        ("diff_vulns_removed", &d.vulnerabilities_removed, '-'),
    ] {
        if d.vulnerabilities_added.len() + d.vulnerabilities_removed.len() == 0 {
            break;
        }
        outln!("\n{}", m.get(key, &[("n", list.len().to_string())]));
        for v in list {
            let sev = v.severity.map(|s| s.as_str()).unwrap_or("unknown");
            outln!(
                "  {sign} {sev} {} {} {}",
                v.id,
                v.component_name,
                v.component_version
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
        &Emit {
            run: Some(run),
            format: a.format,
            output: a.output.as_deref(),
            lang,
            verbose: true,
            secs: 0.0,
            no_vulndb: None,
        },
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The grouped list of the top-level help names every command there is, and only those
    /// (hidden ones aside).
    #[test]
    fn the_help_lists_every_command_once() {
        let mut listed: Vec<&str> = HELP_TEMPLATE
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        listed.sort_unstable();
        let mut real: Vec<String> = Cli::command()
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .chain(["help".to_string()])
            .collect();
        real.sort_unstable();
        assert_eq!(listed, real);
        Cli::command().debug_assert();
    }
}
