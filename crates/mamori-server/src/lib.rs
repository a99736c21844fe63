//! mamori's monitoring server (`mamori serve`) and scan worker (`mamori worker`).
//!
//! - **Scheduler**: every tick it reads the systems register (`mamori.toml`), and queues a
//!   scan job for each system whose `every = "6h"` says it is due.
//! - **Workers** claim jobs from the store's queue ([`mamori_store::jobs`]) and run each
//!   scan as a child `mamori scan --job N` process, beating a heartbeat meanwhile; the run
//!   marks its job done in the run's own transaction. A worker killed mid-scan stops
//!   beating and its job is retried. `mamori serve` runs one worker of its own; `mamori
//!   worker` processes add more.
//! - **Dashboard**: server-rendered HTML with SVG charts, no script needed, in Japanese and
//!   English ([`pages`]).
//! - **API**: JSON under `/api/v1`, described by the OpenAPI 3.1 document at
//!   `/api/openapi.json` ([`api`], [`openapi`]).
//! - **Who may see what**: sessions in cookies with a CSRF token per session, API tokens,
//!   and roles per system ([`auth`]).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod auth;
pub mod children;
pub mod guard;
pub mod insight;
pub mod openapi;
pub mod pages;
pub mod pool;
pub mod throttle;
pub mod worker;

use anyhow::{Context, Result};
use mamori_i18n::Lang;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it listens.
    pub listen: SocketAddr,
    /// The store (SQLite file).
    pub db: PathBuf,
    /// The vulnerability database handed to scans.
    pub vulndb: Option<PathBuf>,
    /// The systems register (schedules, targets, owners).
    pub register: Option<PathBuf>,
    /// TLS certificate chain and private key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Language of pages when the browser does not say.
    pub lang: Lang,
    /// Scan workers inside the server (0: only `mamori worker` processes scan).
    pub workers: usize,
    /// How often the scheduler looks for due systems and dead workers.
    pub tick: Duration,
    /// The mamori binary that runs scans.
    pub exe: PathBuf,
    /// Mark cookies `Secure` even without TLS here (behind a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// How long a browser session lasts.
    pub session_secs: i64,
    /// A scan running longer is stopped and retried.
    pub max_scan: Duration,
    /// Connections held at once.
    pub limits: guard::Limits,
    /// Exports and differences made at once.
    pub children: children::ChildLimits,
}

pub use mamori_engine::{systems, Loaded};

/// The server's shared state.
pub struct App {
    /// Its configuration.
    pub cfg: Config,
    /// Connections to the store.
    pub pool: pool::Pool,
    /// Tokens' uses being recorded, wrong passwords being counted.
    pub account: account::AccountState,
    /// The register, reloaded when its file changes.
    pub register: RwLock<Option<Arc<Loaded>>>,
    /// What the newest run says of each system (plan, SBOM coverage), remade per run.
    pub insight: RwLock<Option<Arc<insight::Insight>>>,
    /// Each system against its schedule, as of the scheduler's last tick.
    pub schedule: RwLock<Arc<Vec<systems::ScheduleStatus>>>,
    /// Wakes the server's workers when a scan is asked for.
    pub wake: tokio::sync::Notify,
    /// Whether the insight is being remade.
    pub refreshing: std::sync::atomic::AtomicBool,
    /// Failed sign-ins, to slow down guessing.
    pub logins: throttle::LoginThrottle,
    /// Exports and differences being made (child processes).
    pub children: children::Children,
}

impl App {
    /// The register as last read.
    pub fn register(&self) -> Option<Arc<Loaded>> {
        self.register.read().ok().and_then(|r| r.clone())
    }

    /// Each system against its schedule.
    pub fn schedule(&self) -> Arc<Vec<systems::ScheduleStatus>> {
        self.schedule.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The newest insight.
    pub fn insight(&self) -> Option<Arc<insight::Insight>> {
        self.insight.read().ok().and_then(|r| r.clone())
    }

    /// Reads the register again: taken when its file changed, or when one of its places
    /// now resolves elsewhere (a link moved; places are attributed as scans store them,
    /// resolved). Errors (a bad edit) keep the previous register and are returned so the
    /// caller can log them.
    pub fn reload_register(&self) -> Result<bool> {
        let Some(path) = &self.cfg.register else {
            return Ok(false);
        };
        let loaded = Loaded::load(path)?;
        if let Some(cur) = self.register() {
            if cur.modified == loaded.modified
                && loaded.modified.is_some()
                && cur.attribution == loaded.attribution
            {
                return Ok(false);
            }
        }
        if let Ok(mut w) = self.register.write() {
            *w = Some(Arc::new(loaded));
        }
        Ok(true)
    }
}

/// A server's state over the store at `db`, for tests of the router: no register, no
/// workers, the default limits.
#[cfg(test)]
pub(crate) fn test_app(db: PathBuf) -> Arc<App> {
    let cfg = Config {
        listen: ([127, 0, 0, 1], 0).into(),
        db: db.clone(),
        vulndb: None,
        register: None,
        tls: None,
        lang: Lang::En,
        workers: 0,
        tick: Duration::from_secs(3600),
        exe: PathBuf::from("mamori"),
        secure_cookies: false,
        session_secs: 3600,
        max_scan: Duration::from_secs(60),
        limits: Default::default(),
        children: Default::default(),
    };
    Arc::new(App {
        pool: pool::Pool::new(db),
        account: Default::default(),
        register: RwLock::new(None),
        insight: RwLock::new(None),
        schedule: RwLock::new(Arc::new(Vec::new())),
        wake: tokio::sync::Notify::new(),
        refreshing: std::sync::atomic::AtomicBool::new(false),
        logins: Default::default(),
        children: children::Children::new(cfg.children),
        cfg,
    })
}

/// Starts the server and runs until interrupted (Ctrl-C or SIGTERM).
pub fn serve(cfg: Config) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Store calls run on blocking threads, at most as many at once as the pool has
        // connections; more threads would only each keep an allocator heap of their own.
        .max_blocking_threads(16)
        .build()
        .context("cannot start the server's runtime")?;
    rt.block_on(serve_async(cfg))
}

async fn serve_async(cfg: Config) -> Result<()> {
    // Open (and migrate) the store before listening: a bad --db fails now.
    let pool = pool::Pool::new(cfg.db.clone());
    {
        let p = pool.clone();
        tokio::task::spawn_blocking(move || p.get().map(drop))
            .await
            .context("the store check stopped")??;
    }
    let app = Arc::new(App {
        pool,
        account: Default::default(),
        register: RwLock::new(None),
        insight: RwLock::new(None),
        schedule: RwLock::new(Arc::new(Vec::new())),
        wake: tokio::sync::Notify::new(),
        refreshing: std::sync::atomic::AtomicBool::new(false),
        logins: Default::default(),
        children: children::Children::new(cfg.children),
        cfg: cfg.clone(),
    });
    if let Err(e) = app.reload_register() {
        return Err(e.context("cannot read the systems register"));
    }
    let router = router(app.clone());
    let handle = axum_server::Handle::new();
    {
        let h = handle.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            h.graceful_shutdown(Some(Duration::from_secs(5)));
        });
    }
    worker::start_background(app.clone());
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    let svc = router.into_make_service_with_connect_info::<SocketAddr>();
    let limit = guard::LimitAcceptor::new(guard::Conns::new(cfg.limits));
    match &cfg.tls {
        Some((cert, key)) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "cannot use the TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            // Connections are counted before the handshake, which must end in 10 s.
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .handshake_timeout(guard::HEADER_TIME)
                .acceptor(limit);
            let mut server = axum_server::bind(cfg.listen)
                .acceptor(acceptor)
                .handle(handle.clone());
            timeouts(server.http_builder());
            announce(&handle, scheme);
            server
                .serve(svc)
                .await
                .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        }
        None => {
            let mut server = axum_server::bind(cfg.listen)
                .acceptor(limit)
                .handle(handle.clone());
            timeouts(server.http_builder());
            announce(&handle, scheme);
            server
                .serve(svc)
                .await
                .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        }
    }
    Ok(())
}

/// Every route of the server behind [`guard::layer`].
pub fn router(app: Arc<App>) -> axum::Router {
    api::router(app.clone())
        .merge(pages::router(app.clone()))
        .route("/static/mamori.css", axum::routing::get(guard::stylesheet))
        .layer(axum::middleware::from_fn_with_state(app, guard::layer))
}

/// Slow clients are cut off: HTTP/1 headers (and the wait for the next request on a kept
/// connection) within [`guard::HEADER_TIME`]; HTTP/2 connections are pinged and closed
/// when the client does not answer, and a client opens at most 64 streams at once.
fn timeouts(b: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    b.http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(guard::HEADER_TIME)
        .max_buf_size(64 * 1024);
    b.http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(20)))
        .keep_alive_timeout(Duration::from_secs(20))
        .max_concurrent_streams(64)
        .max_header_list_size(64 * 1024);
}

/// Prints the address once the socket is bound (port 0 gets a real port here).
fn announce(handle: &axum_server::Handle, scheme: &'static str) {
    let h = handle.clone();
    tokio::spawn(async move {
        if let Some(addr) = h.listening().await {
            eprintln!("mamori: serving on {scheme}://{addr}/");
        }
    });
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
