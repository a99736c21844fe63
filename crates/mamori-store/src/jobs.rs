//! The scan queue: a scan asked for (by a schedule or a person) is a job; workers (the
//! server's own, or `mamori worker` processes) claim jobs one at a time, keep a heartbeat
//! while they scan, and the run they store marks the job done in the run's transaction.
//!
//! A scan that fails is queued again after a backoff (30 s, 60 s, …) until the job's
//! attempts are spent. A job whose worker stops (killed, machine gone) stops beating;
//! [`crate::Store::reap_jobs`] counts that as a failed attempt too, queued again at once:
//! the worker failed, not the scan.

use crate::db::{vals, Db, DbError, Row};
use crate::{now_rfc3339, Store, StoreError};
use serde::Serialize;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker (possibly until `not_before`, after a failed attempt).
    Queued,
    /// A worker is scanning.
    Running,
    /// The run is stored.
    Done,
    /// Every attempt failed.
    Failed,
}

impl JobStatus {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> JobStatus {
        match s {
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            _ => JobStatus::Queued,
        }
    }
}

/// A scan asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// The system to scan (none: every system of the register).
    pub system: Option<String>,
    /// Who asked: a user name, or `schedule`.
    pub requested_by: String,
    /// Where it stands.
    pub status: JobStatus,
    /// Attempts started so far.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// When it was asked for (RFC 3339).
    pub created: String,
    /// Not to be started before (RFC 3339): the backoff after a failed attempt.
    pub not_before: String,
    /// When the last attempt started.
    pub started: Option<String>,
    /// When it ended (done or finally failed).
    pub finished: Option<String>,
    /// The running worker's last sign of life.
    pub heartbeat: Option<String>,
    /// The worker of the last attempt (`host:pid:…`).
    pub worker: Option<String>,
    /// The stored run, when done.
    pub run_id: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

const COLUMNS: &str = "id, system, requested_by, status, attempts, max_attempts, created, not_before, started, finished, heartbeat, worker, run_id, error";

fn row(r: &Row<'_>) -> Result<Job, DbError> {
    let status: String = r.get(3)?;
    Ok(Job {
        id: r.get(0)?,
        system: r.get(1)?,
        requested_by: r.get(2)?,
        status: JobStatus::parse(&status),
        attempts: r.get(4)?,
        max_attempts: r.get(5)?,
        created: r.get(6)?,
        not_before: r.get(7)?,
        started: r.get(8)?,
        finished: r.get(9)?,
        heartbeat: r.get(10)?,
        worker: r.get(11)?,
        run_id: r.get(12)?,
        error: r.get(13)?,
    })
}

/// Attempts a job gets before it is failed for good.
pub const MAX_ATTEMPTS: i64 = 3;

/// Seconds to wait before attempt `n + 1` after `n` failed: 30 s, 60 s, 120 s, … at most
/// an hour.
pub fn backoff_secs(failed_attempts: i64) -> i64 {
    (30i64 << failed_attempts.clamp(1, 10).saturating_sub(1)).min(3600)
}

/// Marks `job` done with `run`, inside the run's transaction — only while it is still
/// running under `worker`: a worker whose job was reaped and taken by another must not
/// store a second run (the error rolls the run back).
pub(crate) fn complete(
    tx: &Db,
    job: i64,
    worker: &str,
    run: i64,
    at: &str,
) -> Result<(), StoreError> {
    let n = tx.exec(
        "UPDATE jobs SET status = 'done', run_id = ?2, finished = ?3, error = NULL
         WHERE id = ?1 AND status = 'running' AND worker = ?4",
        vals![job, run, at, worker],
    )?;
    if n == 0 {
        return Err(StoreError::JobTaken(job));
    }
    Ok(())
}

impl Store {
    /// Asks for a scan of `system` (or of every system). A scan already waiting or running
    /// that covers it — of the same system, or of every system — is returned instead of a
    /// second one.
    pub fn enqueue_job(&mut self, system: Option<&str>, by: &str) -> Result<Job, StoreError> {
        let tx = self.db.begin_write()?;
        let existing: Option<i64> = tx.opt(
                "SELECT id FROM jobs WHERE (system IS NOT DISTINCT FROM ?1 OR system IS NULL) AND status IN ('queued', 'running') ORDER BY system IS NULL, id LIMIT 1",
                vals![system],
                |r| r.get(0),
            )?;
        let id = match existing {
            Some(id) => id,
            None => {
                let now = now_rfc3339();
                tx.insert(
                    "INSERT INTO jobs (system, requested_by, status, max_attempts, created, not_before) VALUES (?1, ?2, 'queued', ?3, ?4, ?4)",
                    vals![system, by, MAX_ATTEMPTS, now],
                )?
            }
        };
        tx.commit()?;
        self.job(id)?.ok_or(StoreError::NoJob(id))
    }

    /// One job.
    pub fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        Ok(self.db.opt(
            &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
            vals![id],
            row,
        )?)
    }

    /// The newest `limit` jobs, newest first.
    pub fn jobs(&self, limit: usize) -> Result<Vec<Job>, StoreError> {
        Ok(self.db.all(
            &format!("SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"),
            vals![limit],
            row,
        )?)
    }

    /// The newest jobs a reader may see (scans of their systems; scans of every system
    /// only for readers of every system), newest first, and how many there are.
    pub fn jobs_page(
        &self,
        visible: &crate::views::Visible,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Job>, u64), StoreError> {
        let mut params = Vec::new();
        let vis = visible.clause("system", &mut params);
        let total: i64 = self.db.one(
            &format!("SELECT COUNT(*) FROM jobs WHERE {vis}"),
            &params,
            |r| r.get(0),
        )?;
        params.push(crate::db::Val::Int(limit.min(1000) as i64));
        params.push(crate::db::Val::Int(offset.min(i64::MAX as usize) as i64));
        let (l, o) = (params.len() - 1, params.len());
        let jobs = self.db.all(
            &format!(
                "SELECT {COLUMNS} FROM jobs WHERE {vis} ORDER BY id DESC LIMIT ?{l} OFFSET ?{o}"
            ),
            &params,
            row,
        )?;
        Ok((jobs, total as u64))
    }

    /// The newest job of each system (the key `None` is a scan of every system).
    pub fn last_jobs(&self) -> Result<std::collections::HashMap<Option<String>, Job>, StoreError> {
        let rows = self.db.all(
            &format!(
                "SELECT {COLUMNS} FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs GROUP BY system)"
            ),
            vals![],
            row,
        )?;
        let mut out = std::collections::HashMap::new();
        for j in rows {
            out.insert(j.system.clone(), j);
        }
        Ok(out)
    }

    /// Takes the oldest job that may start now for `worker`, so that two workers never take
    /// the same job: on PostgreSQL one statement that locks the job's row and passes over
    /// rows other workers are taking (`FOR UPDATE SKIP LOCKED`: claims never wait on each
    /// other, nor on a run being stored); on SQLite a transaction under the write lock.
    pub fn claim_job(&mut self, worker: &str) -> Result<Option<Job>, StoreError> {
        let now = now_rfc3339();
        let id: Option<i64> = if self.db.pg() {
            self.db.opt(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, started = ?1, heartbeat = ?1, worker = ?2
                 WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND not_before <= ?1
                             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING id",
                vals![now, worker],
                |r| r.get(0),
            )?
        } else {
            let tx = self.db.begin_write()?;
            let id: Option<i64> = tx.opt(
                "SELECT id FROM jobs WHERE status = 'queued' AND not_before <= ?1 ORDER BY id LIMIT 1",
                vals![now],
                |r| r.get(0),
            )?;
            if let Some(id) = id {
                tx.exec(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1, started = ?2, heartbeat = ?2, worker = ?3 WHERE id = ?1",
                    vals![id, now, worker],
                )?;
            }
            tx.commit()?;
            id
        };
        match id {
            Some(id) => self.job(id),
            None => Ok(None),
        }
    }

    /// The worker of `job` is alive. False when the job is no longer this worker's (it was
    /// reaped or finished), so the worker can stop.
    pub fn beat_job(&mut self, job: i64, worker: &str) -> Result<bool, StoreError> {
        Ok(self.db.exec(
            "UPDATE jobs SET heartbeat = ?3 WHERE id = ?1 AND worker = ?2 AND status = 'running'",
            vals![job, worker, now_rfc3339()],
        )? == 1)
    }

    /// The attempt of `worker` at `job` failed with `error`: queued again after a backoff,
    /// or failed for good when its attempts are spent. A job already done is left alone.
    pub fn fail_job(&mut self, job: i64, worker: &str, error: &str) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        fail_attempt(&tx, job, Some(worker), error, true)?;
        tx.commit()?;
        Ok(())
    }

    /// Running jobs whose worker has given no sign of life for `stale_secs`, or whose
    /// worker `is_dead` says is gone, count as failed attempts. Returns the jobs reaped.
    pub fn reap_jobs(
        &mut self,
        stale_secs: i64,
        is_dead: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<i64>, StoreError> {
        let cutoff = crate::format_unix(crate::unix_now() - stale_secs);
        let tx = self.db.begin_write()?;
        let running: Vec<(i64, String, String)> = tx.all(
            "SELECT id, COALESCE(worker, ''), COALESCE(heartbeat, '') FROM jobs WHERE status = 'running'",
            vals![],
            |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut reaped = Vec::new();
        for (id, worker, beat) in running {
            let why = if is_dead(&worker) {
                format!("the worker {worker} stopped during the scan")
            } else if beat < cutoff {
                format!("the worker {worker} gave no sign of life since {beat}")
            } else {
                continue;
            };
            // The worker failed, not the scan: try again at once (attempts still count,
            // so a scan that kills its worker every time ends failed).
            fail_attempt(&tx, id, None, &why, false)?;
            reaped.push(id);
        }
        tx.commit()?;
        Ok(reaped)
    }
}

fn fail_attempt(
    tx: &Db,
    job: i64,
    worker: Option<&str>,
    error: &str,
    back_off: bool,
) -> Result<(), StoreError> {
    // The row is locked on PostgreSQL: a claim or heartbeat beside this waits for it.
    let cur: Option<(String, i64, i64, Option<String>)> = tx.opt(
        if tx.pg() {
            "SELECT status, attempts, max_attempts, worker FROM jobs WHERE id = ?1 FOR UPDATE"
        } else {
            "SELECT status, attempts, max_attempts, worker FROM jobs WHERE id = ?1"
        },
        vals![job],
        |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let Some((status, attempts, max, owner)) = cur else {
        return Err(StoreError::NoJob(job));
    };
    if status != "running" || worker.is_some_and(|w| owner.as_deref() != Some(w)) {
        return Ok(());
    }
    let now = crate::unix_now();
    if attempts >= max {
        tx.exec(
            "UPDATE jobs SET status = 'failed', finished = ?2, error = ?3 WHERE id = ?1",
            vals![job, crate::format_unix(now), error],
        )?;
    } else {
        tx.exec(
            "UPDATE jobs SET status = 'queued', not_before = ?2, error = ?3 WHERE id = ?1",
            vals![
                job,
                crate::format_unix(if back_off {
                    now + backoff_secs(attempts)
                } else {
                    now
                }),
                error
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_claimed_once_and_done_by_its_run() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let j = s.enqueue_job(Some("web"), "alice").unwrap();
            // Asking again while it waits gives the same job.
            assert_eq!(s.enqueue_job(Some("web"), "bob").unwrap().id, j.id);
            let other = s.enqueue_job(None, "schedule").unwrap();
            assert_ne!(other.id, j.id);
            // A scan of every system waiting covers any one system too.
            assert_eq!(s.enqueue_job(Some("db"), "carol").unwrap().id, other.id);
            assert_eq!(s.enqueue_job(Some("web"), "carol").unwrap().id, j.id);
            let mut s2 = place.open();
            let a = s.claim_job("w1").unwrap().unwrap();
            let b = s2.claim_job("w2").unwrap().unwrap();
            assert_eq!((a.id, b.id), (j.id, other.id));
            assert!(s.claim_job("w1").unwrap().is_none());
            assert_eq!(a.status, JobStatus::Running);
            assert_eq!(a.attempts, 1);
            let run = s
                .save_run_for(
                    &mamori_model::ScanResult::default(),
                    "2026-01-01T00:00:00Z",
                    &Default::default(),
                    Some((a.id, "w1")),
                )
                .unwrap();
            let done = s.job(a.id).unwrap().unwrap();
            assert_eq!(done.status, JobStatus::Done);
            assert_eq!(done.run_id, Some(run));
            // The other job, taken from w2 by a reaper and now another's: w2's run is refused
            // and nothing of it is stored.
            s.db.exec("UPDATE jobs SET worker = 'w3' WHERE id = ?1", vals![b.id])
                .unwrap();
            let refused = s.save_run_for(
                &mamori_model::ScanResult::default(),
                "2026-01-01T00:00:00Z",
                &Default::default(),
                Some((b.id, "w2")),
            );
            assert!(
                matches!(refused, Err(StoreError::JobTaken(_))),
                "{refused:?}"
            );
            assert_eq!(s.runs().unwrap().len(), 1);
            // A late failure report from the same worker does not undo a stored run.
            s.fail_job(a.id, "w1", "exit 1").unwrap();
            assert_eq!(s.job(a.id).unwrap().unwrap().status, JobStatus::Done);
            assert!(!s.beat_job(a.id, "w1").unwrap());
        });
    }

    #[test]
    fn failed_attempts_back_off_then_fail_for_good() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let j = s.enqueue_job(Some("db"), "schedule").unwrap();
            for attempt in 1..=MAX_ATTEMPTS {
                // Make the job startable now despite the backoff.
                s.db.exec(
                    "UPDATE jobs SET not_before = '1970-01-01T00:00:00Z'",
                    vals![],
                )
                .unwrap();
                let c = s.claim_job("w").unwrap().unwrap();
                assert_eq!(c.attempts, attempt);
                s.fail_job(j.id, "w", "connection refused").unwrap();
                let now = s.job(j.id).unwrap().unwrap();
                if attempt < MAX_ATTEMPTS {
                    assert_eq!(now.status, JobStatus::Queued);
                    assert!(now.not_before > now.created, "{now:?}");
                    // Not startable before its backoff.
                    assert!(s.claim_job("w").unwrap().is_none());
                } else {
                    assert_eq!(now.status, JobStatus::Failed);
                    assert_eq!(now.error.as_deref(), Some("connection refused"));
                }
            }
        });
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(20), 3600);
    }

    #[test]
    fn a_dead_or_silent_worker_is_reaped() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let j = s.enqueue_job(Some("a"), "schedule").unwrap();
            s.claim_job("host:1:x").unwrap().unwrap();
            assert!(s.reap_jobs(60, &|_| false).unwrap().is_empty());
            assert_eq!(s.reap_jobs(60, &|w| w == "host:1:x").unwrap(), vec![j.id]);
            let after = s.job(j.id).unwrap().unwrap();
            assert_eq!(after.status, JobStatus::Queued);
            // Retried at once: the worker failed, not the scan.
            assert_eq!(s.claim_job("other").unwrap().unwrap().id, j.id);
            assert!(after.error.unwrap().contains("host:1:x"));
            // Silent for longer than the limit.
            s.db.exec(
                "UPDATE jobs SET status = 'running', heartbeat = '2000-01-01T00:00:00Z'",
                vals![],
            )
            .unwrap();
            assert_eq!(s.reap_jobs(60, &|_| false).unwrap(), vec![j.id]);
        });
    }

    #[test]
    fn many_workers_claiming_at_once_take_each_job_once() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let systems: Vec<String> = (0..40).map(|i| format!("sys{i}")).collect();
            for sys in &systems {
                s.enqueue_job(Some(sys), "schedule").unwrap();
            }
            // Four workers, each with its own connection, claim until nothing is left.
            let taken: Vec<Vec<i64>> = std::thread::scope(|sc| {
                let hands: Vec<_> = (0..4)
                    .map(|w| {
                        let mut c = place.open();
                        sc.spawn(move || {
                            let mut mine = Vec::new();
                            while let Some(j) = c.claim_job(&format!("w{w}")).unwrap() {
                                assert_eq!(j.worker.as_deref(), Some(format!("w{w}").as_str()));
                                mine.push(j.id);
                            }
                            mine
                        })
                    })
                    .collect();
                hands.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let mut all: Vec<i64> = taken.iter().flatten().copied().collect();
            all.sort();
            let n = all.len();
            all.dedup();
            assert_eq!((n, all.len()), (40, 40), "each job once: {taken:?}");
            let (jobs, total) = s.jobs_page(&crate::views::Visible::All, 100, 0).unwrap();
            assert_eq!(total, 40);
            assert!(jobs
                .iter()
                .all(|j| j.status == JobStatus::Running && j.attempts == 1));
        });
    }
}
