//! The scheduler and the scan workers.
//!
//! Each tick the scheduler reads the register again when it changed, reaps jobs whose
//! worker died, queues a job for every system that is due, and remakes the insight when a
//! new run has landed. A worker claims one job at a time and runs it as a child process,
//! `mamori scan --config REG --job N [--system ID]`, which stores its run and marks the job
//! done in one transaction; meanwhile the worker beats the job's heartbeat. If the child
//! fails, the attempt fails and the job is retried after a backoff; if the worker itself
//! dies (`kill -9`, a lost machine), the child notices its parent is gone and stops without
//! storing anything, and the job is reaped and retried.
//!
//! Scans run in a child process so that a scan's memory (a large image can take gigabytes)
//! is returned when it ends, and a crash while parsing hostile input never takes the
//! server down.

use crate::App;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// How often a running job's heartbeat is written.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// A running job without a heartbeat for this long is taken as dead.
pub const STALE_SECS: i64 = 60;

/// What a worker needs to run scans.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The store.
    pub db: PathBuf,
    /// The vulnerability database.
    pub vulndb: Option<PathBuf>,
    /// The systems register.
    pub register: PathBuf,
    /// The mamori binary.
    pub exe: PathBuf,
    /// A scan running longer is stopped and counts as a failed attempt.
    pub max_scan: Duration,
}

/// This machine's name, for worker ids.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Where process ids mean the same thing: this boot of this kernel and this PID namespace
/// (containers sharing a host name do not share it). None where /proc does not tell.
fn pid_space() -> Option<String> {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let ns = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let ns = ns.to_string_lossy();
    let inode = ns.trim_start_matches("pid:[").trim_end_matches(']');
    Some(format!("{}-{inode}", boot.trim().get(..8)?))
}

/// A worker id: `host:pid:n:pid-space`.
pub fn worker_id(n: usize) -> String {
    format!(
        "{}:{}:{n}:{}",
        hostname(),
        std::process::id(),
        pid_space().unwrap_or_else(|| "?".into())
    )
}

/// Whether the worker `id` was a process in this machine's PID space that no longer
/// exists. Workers elsewhere (or where /proc does not say) are judged by their heartbeat.
pub fn worker_is_dead(id: &str) -> bool {
    let parts: Vec<&str> = id.split(':').collect();
    let [host, pid, _, space] = parts[..] else {
        return false;
    };
    let Some(mine) = pid_space() else {
        return false;
    };
    if host != hostname() || space != mine {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) => !Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

/// Wakes idle workers of this server.
pub fn wake(app: &App) {
    app.wake.notify_waiters();
}

/// Starts the scheduler and the server's own workers.
pub fn start_background(app: Arc<App>) {
    tokio::spawn(scheduler(app.clone()));
    if let Some(reg) = app.cfg.register.clone() {
        for n in 0..app.cfg.workers {
            let wc = WorkerConfig {
                db: app.cfg.db.clone(),
                vulndb: app.cfg.vulndb.clone(),
                register: reg.clone(),
                exe: app.cfg.exe.clone(),
                max_scan: app.cfg.max_scan,
            };
            let a = app.clone();
            tokio::spawn(async move {
                work(wc, worker_id(n), Some(a)).await;
            });
        }
    }
}

async fn scheduler(app: Arc<App>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match tick(&app).await {
            Ok(()) => {
                backoff = Duration::from_secs(1);
                tokio::select! {
                    _ = tokio::time::sleep(app.cfg.tick) => {}
                    _ = app.wake.notified() => {}
                }
            }
            Err(e) => {
                eprintln!(
                    "mamori: scheduler: {e}; trying again in {} s",
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

async fn tick(app: &Arc<App>) -> Result<(), String> {
    if let Err(e) = app.reload_register() {
        eprintln!("mamori: the systems register was not reloaded: {e:#}");
    }
    let a = app.clone();
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        let mut store = a.pool.get().map_err(|e| e.to_string())?;
        reap(&mut store).map_err(|e| e.to_string())?;
        if let Some(loaded) = a.register() {
            let heads = store.run_heads().map_err(|e| e.to_string())?;
            let last = store.last_jobs().map_err(|e| e.to_string())?;
            let tried = |id: &str| last.get(&Some(id.to_string())).map(|j| j.created.clone());
            let now = crate::systems::unix_now();
            let st = crate::systems::schedule_status(
                &loaded.path,
                &loaded.register,
                &heads,
                &tried,
                now,
            )
            .map_err(|e| format!("{e:#}"))?;
            for s in st.iter().filter(|s| s.due) {
                let busy = last.get(&Some(s.id.clone())).is_some_and(|j| {
                    matches!(
                        j.status,
                        mamori_store::jobs::JobStatus::Queued
                            | mamori_store::jobs::JobStatus::Running
                    )
                });
                if !busy {
                    store
                        .enqueue_job(Some(&s.id), "schedule")
                        .map_err(|e| e.to_string())?;
                }
            }
            if let Ok(mut w) = a.schedule.write() {
                *w = Arc::new(st);
            }
        }
        drop(store);
        // The figures are made beside the ticks, one at a time: a slow plan must not hold
        // up queueing and reaping.
        if !a.refreshing.swap(true, std::sync::atomic::Ordering::AcqRel) {
            let b = a.clone();
            std::thread::spawn(move || {
                if let Err(e) = crate::insight::refresh(&b) {
                    eprintln!("mamori: the migration figures were not remade: {e}");
                }
                b.refreshing
                    .store(false, std::sync::atomic::Ordering::Release);
            });
        }
        Ok(())
    })
    .await
    .map_err(|_| "the scheduler's task stopped unexpectedly".to_string())?
}

/// Reaps the jobs of dead workers, saying so.
fn reap(store: &mut mamori_store::Store) -> Result<(), mamori_store::StoreError> {
    for id in store.reap_jobs(STALE_SECS, &worker_is_dead)? {
        eprintln!("mamori: scan job {id}: its worker stopped; the scan will be tried again");
    }
    Ok(())
}

/// Runs `mamori worker`: claims and runs jobs until interrupted, reaping dead workers'
/// jobs as it goes.
pub fn run_worker(wc: WorkerConfig, workers: usize) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        // The store must open now: a bad --db fails here, not in a loop.
        let db = wc.db.clone();
        tokio::task::spawn_blocking(move || mamori_store::Store::open(&db).map(drop)).await??;
        eprintln!(
            "mamori: worker {} taking scans from {}",
            worker_id(0),
            mamori_store::shown(&wc.db)
        );
        let mut tasks = Vec::new();
        for n in 0..workers.max(1) {
            let wc = wc.clone();
            tasks.push(tokio::spawn(
                async move { work(wc, worker_id(n), None).await },
            ));
        }
        tokio::select! {
            _ = crate::shutdown_signal() => {}
            _ = futures_join(tasks) => {}
        }
        anyhow::Ok(())
    })
}

async fn futures_join(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}

/// A worker's own connection to the store, kept between its claims and heartbeats (a
/// hundred workers around one PostgreSQL must not connect anew every two seconds each),
/// and dropped after an error, so the next use opens a fresh one.
#[derive(Clone, Default)]
struct Held(Arc<std::sync::Mutex<Option<mamori_store::Store>>>);

impl Held {
    /// Runs `f` with the connection on a blocking thread (opening it if needed).
    async fn with<T, F>(
        &self,
        db: &std::path::Path,
        f: F,
    ) -> Result<Result<T, mamori_store::StoreError>, tokio::task::JoinError>
    where
        T: Send + 'static,
        F: FnOnce(&mut mamori_store::Store) -> Result<T, mamori_store::StoreError> + Send + 'static,
    {
        let (held, db) = (self.0.clone(), db.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let mut slot = held.lock().unwrap_or_else(|e| e.into_inner());
            let mut s = match slot.take() {
                Some(s) if s.usable() => s,
                _ => mamori_store::Store::open(&db)?,
            };
            let out = f(&mut s);
            if out.is_ok() && s.usable() {
                *slot = Some(s);
            }
            out
        })
        .await
    }
}

/// How often a standalone worker reaps the jobs of dead workers (each worker does, as the
/// server may not be running; well within the 60 s a silent worker is given).
const REAP_EVERY: Duration = Duration::from_secs(15);

/// One worker: claim, scan, repeat. With `app`, it sleeps until woken or a short poll;
/// without, it polls.
async fn work(wc: WorkerConfig, id: String, app: Option<Arc<App>>) {
    let mut backoff = Duration::from_secs(1);
    let held = Held::default();
    let mut reaped: Option<std::time::Instant> = None;
    loop {
        let me = id.clone();
        // A standalone worker reaps too: the server may not be running.
        let reap_now = app.is_none() && reaped.is_none_or(|t| t.elapsed() >= REAP_EVERY);
        let claimed = held
            .with(&wc.db, move |s| {
                if reap_now {
                    reap(s)?;
                }
                s.claim_job(&me)
            })
            .await;
        if reap_now && matches!(claimed, Ok(Ok(_))) {
            reaped = Some(std::time::Instant::now());
        }
        let job = match claimed {
            Ok(Ok(j)) => {
                backoff = Duration::from_secs(1);
                j
            }
            Ok(Err(e)) => {
                // An error opening names the store itself; one from a query does not.
                let what = match &e {
                    mamori_store::StoreError::Open { .. } => e.to_string(),
                    _ => format!("{}: {e}", mamori_store::shown(&wc.db)),
                };
                eprintln!(
                    "mamori: worker {id}: the store cannot be reached: {what}; trying again in {} s",
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(_) => {
                tokio::time::sleep(backoff).await;
                continue;
            }
        };
        let Some(job) = job else {
            match &app {
                Some(a) => {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = a.wake.notified() => {}
                    }
                }
                None => tokio::time::sleep(Duration::from_secs(2)).await,
            }
            continue;
        };
        let outcome = run_job(&wc, &id, &job, &held).await;
        if let Err(e) = outcome {
            let (me, jid) = (id.clone(), job.id);
            let _ = held.with(&wc.db, move |s| s.fail_job(jid, &me, &e)).await;
        }
        if let Some(a) = &app {
            // A new run: the scheduler remakes the figures.
            a.wake.notify_waiters();
        }
    }
}

/// Runs the scan of `job` as a child process, beating its heartbeat. `Err` is why the
/// attempt failed.
async fn run_job(
    wc: &WorkerConfig,
    me: &str,
    job: &mamori_store::jobs::Job,
    held: &Held,
) -> Result<(), String> {
    let mut cmd = tokio::process::Command::new(&wc.exe);
    // In the environment, not the arguments: a database URL's password stays out of `ps`.
    cmd.env("MAMORI_DB", &wc.db);
    if let Some(v) = &wc.vulndb {
        cmd.arg("--vulndb").arg(v);
    }
    cmd.arg("scan")
        .arg("--config")
        .arg(&wc.register)
        .arg("--job")
        .arg(job.id.to_string())
        .arg("--worker-id")
        .arg(me)
        .arg("--quiet");
    if let Some(s) = &job.system {
        cmd.arg("--system").arg(s);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", wc.exe.display()))?;
    let mut stderr = child.stderr.take();
    let reader = tokio::spawn(async move {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf).await;
        }
        buf
    });
    let mut beat = tokio::time::interval(HEARTBEAT);
    beat.tick().await;
    let deadline = tokio::time::sleep(wc.max_scan);
    tokio::pin!(deadline);
    let status = loop {
        tokio::select! {
            st = child.wait() => break st,
            _ = &mut deadline => {
                let _ = child.kill().await;
                return Err(format!(
                    "the scan ran longer than {} minutes and was stopped (mamori serve --max-scan-minutes)",
                    wc.max_scan.as_secs() / 60
                ));
            }
            _ = beat.tick() => {
                let (me, id) = (me.to_string(), job.id);
                let mine = held.with(&wc.db, move |s| s.beat_job(id, &me)).await;
                if let Ok(Ok(false)) = mine {
                    // Reaped or finished elsewhere: this attempt is no longer wanted.
                    let _ = child.kill().await;
                    return Err("the job was taken from this worker (no heartbeat in time)".into());
                }
            }
        }
    };
    let err = reader.await.unwrap_or_default();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => {
            let text = String::from_utf8_lossy(&err);
            let tail: String = text
                .trim()
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            Err(if tail.is_empty() {
                format!("the scan ended with {s}")
            } else {
                format!("the scan ended with {s}: {tail}")
            })
        }
        Err(e) => Err(format!("the scan could not be followed: {e}")),
    }
}
