//! What the dashboard and the API read: tracked findings filtered, sorted and paged in SQL,
//! and the organization's counts, each narrowed to the systems a user may see. Nothing here
//! loads a whole run: the overview of 100,000 findings is a few grouped queries.

use crate::db::{DbError, Val};
use crate::lifecycle::{Status, Tracked};
use crate::{format_unix, tracked_row, unix_now, Store, StoreError, TRACKED_COLUMNS};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which systems a reader may see: every system (and findings of no system), or only these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Visible {
    /// Everything.
    #[default]
    All,
    /// Only findings of these systems.
    Systems(Vec<String>),
}

impl Visible {
    /// Whether what belongs to `system` (none: to no system) is seen — the same rule as
    /// [`Visible::clause`], for what is narrowed outside SQL.
    pub fn sees(&self, system: Option<&str>) -> bool {
        match (self, system) {
            (Visible::All, _) => true,
            (Visible::Systems(list), Some(s)) => list.iter().any(|x| x == s),
            (Visible::Systems(_), None) => false,
        }
    }

    /// A SQL condition on the column `col` and its parameters.
    pub(crate) fn clause(&self, col: &str, params: &mut Vec<Val<'static>>) -> String {
        match self {
            Visible::All => "1 = 1".into(),
            Visible::Systems(s) if s.is_empty() => "1 = 0".into(),
            Visible::Systems(s) => {
                let marks: Vec<String> = s
                    .iter()
                    .map(|x| {
                        params.push(text(x.clone()));
                        format!("?{}", params.len())
                    })
                    .collect();
                format!("{col} IN ({})", marks.join(", "))
            }
        }
    }
}

/// What a findings list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Severity, then id.
    #[default]
    Severity,
    /// Id (discovery order).
    Id,
    /// Due date.
    Due,
    /// First seen.
    FirstSeen,
    /// Last seen.
    LastSeen,
    /// Status.
    Status,
    /// System.
    System,
    /// Code or advisory.
    Title,
}

impl SortBy {
    /// Every sort key, as the API names them.
    pub const ALL: [SortBy; 8] = [
        SortBy::Severity,
        SortBy::Id,
        SortBy::Due,
        SortBy::FirstSeen,
        SortBy::LastSeen,
        SortBy::Status,
        SortBy::System,
        SortBy::Title,
    ];
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Severity => "severity",
            SortBy::Id => "id",
            SortBy::Due => "due",
            SortBy::FirstSeen => "first_seen",
            SortBy::LastSeen => "last_seen",
            SortBy::Status => "status",
            SortBy::System => "system",
            SortBy::Title => "title",
        }
    }
    /// From the API's name.
    pub fn parse(s: &str) -> Option<SortBy> {
        SortBy::ALL.into_iter().find(|x| x.as_str() == s)
    }
    fn sql(self) -> &'static str {
        match self {
            SortBy::Severity => "rank",
            SortBy::Id => "id",
            SortBy::Due => "due_key",
            SortBy::FirstSeen => "first_seen",
            SortBy::LastSeen => "last_seen",
            SortBy::Status => "status",
            SortBy::System => "COALESCE(system, '')",
            SortBy::Title => "title",
        }
    }
}

/// From this offset on, a page of findings is found by id first (see
/// [`Store::tracked_rows`]).
const DEEP_PAGE: usize = 1000;

/// The generated column of severity as a number (unrated: 5).
const SEVERITY_RANK: &str = "rank";
/// Its value for an unrated item.
const UNRATED: i64 = 5;

/// A text value.
fn text(s: impl Into<String>) -> Val<'static> {
    Val::Text(std::borrow::Cow::Owned(s.into()))
}

/// A page of tracked items.
#[derive(Debug, Clone, Default)]
pub struct TrackedQuery {
    /// Who reads.
    pub visible: Visible,
    /// Only these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// Only this system.
    pub system: Option<String>,
    /// Only at or above this severity.
    pub min_severity: Option<mamori_model::Severity>,
    /// Only `finding` or `vulnerability`.
    pub kind: Option<String>,
    /// Words that must all appear in the code/advisory, the place, the system or the assignee.
    pub search: Option<String>,
    /// Only items past their due date on this day (YYYY-MM-DD) and still active.
    pub overdue_on: Option<String>,
    /// Only items assigned to this person.
    pub assignee: Option<String>,
    /// Sort key.
    pub sort: SortBy,
    /// Descending. Severity sorts most severe first when false.
    pub desc: bool,
    /// At most this many (0: 50).
    pub limit: usize,
    /// Skip this many.
    pub offset: usize,
}

impl TrackedQuery {
    /// The SQL condition of the query and its parameters (visibility included).
    fn filter(&self, pg: bool) -> (String, Vec<Val<'static>>) {
        let q = self;
        let mut params: Vec<Val<'static>> = Vec::new();
        let mut conds = vec![q.visible.clause("system", &mut params)];
        if !q.statuses.is_empty() {
            let marks: Vec<String> = q
                .statuses
                .iter()
                .map(|s| {
                    params.push(text(s.as_str()));
                    format!("?{}", params.len())
                })
                .collect();
            conds.push(format!("status IN ({})", marks.join(", ")));
        }
        if let Some(s) = &q.system {
            params.push(text(s.clone()));
            conds.push(format!("system = ?{}", params.len()));
        }
        if let Some(m) = q.min_severity {
            // Unrated vulnerabilities count at any level (decision 008).
            conds.push(format!("{SEVERITY_RANK} >= {}", m as i64));
        }
        if let Some(k) = &q.kind {
            params.push(text(k.clone()));
            conds.push(format!("kind = ?{}", params.len()));
        }
        if let Some(a) = &q.assignee {
            params.push(text(a.clone()));
            conds.push(format!("assignee = ?{}", params.len()));
        }
        if let Some(day) = &q.overdue_on {
            params.push(text(day.clone()));
            // On the indexed due_key (no due date: 9999-12-31), so the overdue are a range.
            conds.push(format!("{ACTIVE} AND due_key < ?{}", params.len()));
        }
        for word in q.search.iter().flat_map(|s| s.split_whitespace()).take(8) {
            let pat = format!(
                "%{}%",
                word.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            params.push(text(pat));
            let n = params.len();
            // Case-insensitive as SQLite's LIKE is (PostgreSQL's needs ILIKE).
            let like = if pg { "ILIKE" } else { "LIKE" };
            conds.push(format!(
                "(title {like} ?{n} ESCAPE '\\' OR location {like} ?{n} ESCAPE '\\' OR COALESCE(system, '') {like} ?{n} ESCAPE '\\' OR COALESCE(assignee, '') {like} ?{n} ESCAPE '\\' OR key {like} ?{n} ESCAPE '\\')"
            ));
        }
        let conds: Vec<String> = conds.into_iter().map(|c| format!("({c})")).collect();
        (conds.join(" AND "), params)
    }

    /// What decides [`Store::tracked_count`]: equal keys, equal counts (for a cache of
    /// counts that a change of the store clears).
    pub fn count_key(&self) -> String {
        let (filter, params) = self.filter(false);
        format!("{filter}|{params:?}")
    }
}

/// Status words of items that still need someone.
const ACTIVE: &str = "status IN ('new', 'open', 'acknowledged', 'reopened')";

/// The organization's findings in numbers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    /// Active items by severity (`critical` … `info`, and `unrated`).
    pub active: BTreeMap<String, u64>,
    /// Active items by severity and age since first seen: under 7 days, 7–30, 30–90, older.
    pub age: BTreeMap<String, [u64; 4]>,
    /// Active items past their due date.
    pub overdue: u64,
    /// Items first seen in the last 7 days.
    pub new_7d: u64,
    /// Items whose status is `new` (found, nobody has looked yet).
    pub new: u64,
    /// Items accepted as a risk.
    pub accepted: u64,
    /// Items fixed.
    pub fixed: u64,
    /// Every tracked item.
    pub total: u64,
}

/// One point of the risk trend: active items by severity after a run.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    /// The run.
    pub run: i64,
    /// When it finished.
    pub at: String,
    /// Active items by severity.
    pub active: BTreeMap<String, u64>,
}

/// A system's share of the findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SystemCounts {
    /// Active items by severity.
    pub active: BTreeMap<String, u64>,
    /// Active items past due.
    pub overdue: u64,
}

/// A component with open vulnerabilities, by how far it has spread.
#[derive(Debug, Clone, Serialize)]
pub struct Widespread {
    /// The package URL.
    pub purl: String,
    /// Systems it is open in.
    pub systems: u64,
    /// Distinct advisories.
    pub advisories: u64,
    /// Open items.
    pub items: u64,
    /// The highest rating among its advisories; `None` when none is rated.
    pub worst: Option<String>,
    /// The highest CVSS score among the advisories at that rating, when one gives a score.
    pub worst_score: Option<f64>,
    /// Its advisories without any rating, counted apart: an unrated advisory may be
    /// anything (decision 008), so it neither hides the rated ones nor passes for one.
    pub unrated: u64,
}

/// A severity's name from its rank (the `rank` column: 0 info … 4 critical); `None` for
/// anything else (5: unrated).
fn rank_name(rank: i64) -> Option<String> {
    mamori_model::Severity::ALL
        .get(usize::try_from(rank).ok()?)
        .map(|s| s.as_str().to_string())
}

fn sev_name(s: String) -> String {
    if s.is_empty() {
        "unrated".into()
    } else {
        s
    }
}

/// Today, YYYY-MM-DD (UTC).
pub fn today() -> String {
    format_unix(unix_now())[..10].to_string()
}

impl Store {
    /// A page of tracked items and how many match in all.
    pub fn tracked_page(&self, q: &TrackedQuery) -> Result<(Vec<Tracked>, u64), StoreError> {
        Ok((self.tracked_rows(q)?, self.tracked_count(q)?))
    }

    /// How many tracked items match `q` (its page and order aside).
    pub fn tracked_count(&self, q: &TrackedQuery) -> Result<u64, StoreError> {
        let (filter, params) = q.filter(self.db.pg());
        let total: i64 = self.db.one(
            &format!("SELECT COUNT(*) FROM tracked WHERE {filter}"),
            &params,
            |r| r.get(0),
        )?;
        Ok(total as u64)
    }

    /// The page of tracked items `q` asks for.
    pub fn tracked_rows(&self, q: &TrackedQuery) -> Result<Vec<Tracked>, StoreError> {
        let (filter, mut params) = q.filter(self.db.pg());
        // Severity reads most severe first; the others oldest/smallest first.
        let desc = if q.sort == SortBy::Severity {
            !q.desc
        } else {
            q.desc
        };
        let dir = if desc { "DESC" } else { "ASC" };
        let limit = if q.limit == 0 { 50 } else { q.limit.min(1000) };
        let order = format!("{} {dir}, id {dir}", q.sort.sql());
        // Bound, not written into the SQL: one prepared statement serves every page.
        params.push(Val::Int(limit as i64));
        params.push(Val::Int(q.offset.min(i64::MAX as usize) as i64));
        let (l, o) = (params.len() - 1, params.len());
        let sql = if q.offset < DEEP_PAGE {
            format!(
                "SELECT {TRACKED_COLUMNS} FROM tracked WHERE {filter} ORDER BY {order} LIMIT ?{l} OFFSET ?{o}"
            )
        } else {
            // A deep page: the rows skipped are walked in the sort's index alone, and only
            // the page's rows are read whole (PostgreSQL would otherwise sort every row;
            // 87 ms → 10 ms at offset 90,000 of 103,000).
            format!(
                "SELECT {TRACKED_COLUMNS} FROM tracked WHERE id IN (SELECT id FROM tracked WHERE {filter} ORDER BY {order} LIMIT ?{l} OFFSET ?{o}) ORDER BY {order}"
            )
        };
        let mut rows = self.db.all(&sql, &params, tracked_row)?;
        self.fill_advisories(&mut rows)?;
        Ok(rows)
    }

    /// A number that changes whenever another connection has committed a change to the
    /// store (see [`crate::db::Db::changes`]): what caches of counts compare against.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.db.changes()?)
    }

    /// The counts of the overview page.
    pub fn overview(&self, visible: &Visible) -> Result<Overview, StoreError> {
        let now = unix_now();
        let day = 86_400;
        let mut params: Vec<Val<'static>> = [7, 30, 90]
            .iter()
            .map(|d| text(format_unix(now - d * day)))
            .collect();
        params.push(text(today()));
        let vis = visible.clause("system", &mut params);
        let sql = format!(
            "SELECT COALESCE(severity, ''), status,
                    CASE WHEN first_seen >= ?1 THEN 0 WHEN first_seen >= ?2 THEN 1 WHEN first_seen >= ?3 THEN 2 ELSE 3 END,
                    CASE WHEN due IS NOT NULL AND due < ?4 THEN 1 ELSE 0 END,
                    COUNT(*)
             FROM tracked WHERE {vis} GROUP BY 1, 2, 3, 4"
        );
        let mut o = Overview::default();
        self.db.each(&sql, &params, |r| {
            let sev = sev_name(r.get(0)?);
            let status: String = r.get(1)?;
            let age: usize = r.get::<i64>(2)? as usize;
            let overdue: i64 = r.get(3)?;
            let n = r.get::<i64>(4)? as u64;
            o.total += n;
            if age == 0 {
                o.new_7d += n;
            }
            if status == "new" {
                o.new += n;
            }
            match Status::parse(&status) {
                Some(Status::Fixed) => o.fixed += n,
                Some(Status::Accepted) => o.accepted += n,
                _ => {
                    *o.active.entry(sev.clone()).or_default() += n;
                    o.age.entry(sev).or_default()[age.min(3)] += n;
                    if overdue == 1 {
                        o.overdue += n;
                    }
                }
            }
            Ok::<(), DbError>(())
        })?;
        Ok(o)
    }

    /// Active items by severity after each of the last `runs` runs — of the runs in `only`
    /// when given (a reader of some systems is shown the runs of theirs, never that other
    /// runs happened or when).
    pub fn trend(
        &self,
        visible: &Visible,
        runs: usize,
        only: Option<&[i64]>,
    ) -> Result<Vec<TrendPoint>, StoreError> {
        let mut params = Vec::new();
        let vis = visible.clause("system", &mut params);
        let which = match only {
            None => String::new(),
            Some([]) => return Ok(Vec::new()),
            Some(ids) => {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                let from = ids.len().saturating_sub(runs);
                let list: Vec<String> = ids[from..].iter().map(i64::to_string).collect();
                format!("WHERE id IN ({})", list.join(","))
            }
        };
        // Every run for readers of everything; for the others only the runs after their
        // systems had anything tracked (each run counts every system with items, zero
        // included), so other systems' runs before that are not listed.
        let join = if *visible == Visible::All {
            "LEFT JOIN"
        } else {
            "JOIN"
        };
        let sql = format!(
            "SELECT r.id, r.finished, COALESCE(s.severity, ''), COALESCE(SUM(s.active), 0)
             FROM (SELECT id, finished FROM runs {which} ORDER BY id DESC LIMIT {runs}) r
             {join} run_stats s ON s.run_id = r.id AND ({vis})
             GROUP BY r.id, r.finished, COALESCE(s.severity, '') ORDER BY r.id"
        );
        let mut out: Vec<TrendPoint> = Vec::new();
        self.db.each(&sql, &params, |r| {
            let run: i64 = r.get(0)?;
            if out.last().is_none_or(|p| p.run != run) {
                out.push(TrendPoint {
                    run,
                    at: r.get(1)?,
                    active: BTreeMap::new(),
                });
            }
            let n = r.get::<i64>(3)? as u64;
            if n > 0 {
                if let Some(p) = out.last_mut() {
                    p.active.insert(sev_name(r.get(2)?), n);
                }
            }
            Ok::<(), DbError>(())
        })?;
        Ok(out)
    }

    /// Active and overdue items per system (`""`: of no system).
    pub fn system_counts(
        &self,
        visible: &Visible,
    ) -> Result<BTreeMap<String, SystemCounts>, StoreError> {
        let mut params = vec![text(today())];
        let vis = visible.clause("system", &mut params);
        let sql = format!(
            "SELECT COALESCE(system, ''), COALESCE(severity, ''), COUNT(*),
                    SUM(CASE WHEN due IS NOT NULL AND due < ?1 THEN 1 ELSE 0 END)
             FROM tracked WHERE {ACTIVE} AND ({vis}) GROUP BY 1, 2"
        );
        let mut out: BTreeMap<String, SystemCounts> = BTreeMap::new();
        self.db.each(&sql, &params, |r| {
            let e = out.entry(r.get(0)?).or_default();
            e.active
                .insert(sev_name(r.get(1)?), r.get::<i64>(2)? as u64);
            e.overdue += r.get::<i64>(3)? as u64;
            Ok::<(), DbError>(())
        })?;
        Ok(out)
    }

    /// The components with open vulnerabilities in the most systems, each with its
    /// highest rating (and that rating's highest CVSS score) and its unrated advisories
    /// apart.
    pub fn widespread(
        &self,
        visible: &Visible,
        limit: usize,
    ) -> Result<Vec<Widespread>, StoreError> {
        let mut params = Vec::new();
        let vis = visible.clause("system", &mut params);
        // A vulnerability's location is `PURL PLACE`.
        let purl = if self.db.pg() {
            "split_part(location, ' ', 1)"
        } else {
            "CASE WHEN instr(location, ' ') > 0 THEN substr(location, 1, instr(location, ' ') - 1) ELSE location END"
        };
        // The rank puts unrated above critical (for sorting and filtering, where an
        // unrated item must not hide); the highest *rating* is the highest rank below it.
        let sql = format!(
            "SELECT {purl} AS purl,
                    COUNT(DISTINCT COALESCE(system, '')), COUNT(DISTINCT title), COUNT(*),
                    COALESCE(MAX(CASE WHEN {SEVERITY_RANK} < {UNRATED} THEN {SEVERITY_RANK} END), -1),
                    COUNT(DISTINCT CASE WHEN {SEVERITY_RANK} >= {UNRATED} THEN title END)
             FROM tracked WHERE kind = 'vulnerability' AND {ACTIVE} AND ({vis})
             GROUP BY purl ORDER BY 2 DESC, 4 DESC, 5 DESC, 6 DESC, purl LIMIT {limit}"
        );
        let rows = self.db.all(&sql, &params, |r| {
            Ok::<_, DbError>((
                Widespread {
                    purl: r.get(0)?,
                    systems: r.get::<i64>(1)? as u64,
                    advisories: r.get::<i64>(2)? as u64,
                    items: r.get::<i64>(3)? as u64,
                    worst: rank_name(r.get(4)?),
                    worst_score: None,
                    unrated: r.get::<i64>(5)? as u64,
                },
                r.get::<i64>(4)?,
            ))
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut w, rank) in rows {
            if w.worst.is_some() {
                w.worst_score = self.worst_score(visible, &w.purl, purl, rank)?;
            }
            out.push(w);
        }
        Ok(out)
    }

    /// The highest CVSS score among the open advisories of rank `rank` on the component
    /// `purl` (`purl_sql`: the package URL of an item's location), read from the runs
    /// that last saw them.
    fn worst_score(
        &self,
        visible: &Visible,
        purl: &str,
        purl_sql: &str,
        rank: i64,
    ) -> Result<Option<f64>, StoreError> {
        let mut params = Vec::new();
        let vis = visible.clause("system", &mut params);
        params.push(text(purl));
        let p = params.len();
        params.push(Val::Int(rank));
        let r = params.len();
        let mut items = Vec::new();
        let mut titles = std::collections::HashSet::new();
        self.db.each(
            &format!(
                "SELECT {TRACKED_COLUMNS} FROM tracked
                 WHERE kind = 'vulnerability' AND {ACTIVE} AND ({vis}) AND {purl_sql} = ?{p} AND {SEVERITY_RANK} = ?{r}
                 ORDER BY title, last_run DESC"
            ),
            &params,
            |row| {
                // One item per advisory: the one its newest run saw.
                let t = tracked_row(row)?;
                if titles.insert(t.title.clone()) {
                    items.push(t);
                }
                Ok::<(), DbError>(())
            },
        )?;
        self.fill_advisories(&mut items)?;
        Ok(items
            .iter()
            .filter_map(|t| t.advisory.cvss.as_ref().map(|c| c.score))
            .reduce(f64::max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_model::{Finding, Location, ScanResult, Severity};

    fn finding(code: &str, sev: Severity, path: &str, system: &str) -> Finding {
        Finding {
            code: code.into(),
            severity: sev,
            asset_id: format!("a-{path}"),
            asset_name: "RSA-1024".into(),
            location: Location::file(path),
            message: String::new(),
            remediation: String::new(),
            other_locations: 0,
            args: Default::default(),
            system: Some(system.into()),
            package: None,
        }
    }

    fn store_with(place: &crate::testdb::Place, findings: Vec<Finding>) -> Store {
        let mut s = place.open();
        let r = ScanResult {
            targets: vec!["/srv".into()],
            findings,
            ..Default::default()
        };
        s.save_run(&r, &crate::now_rfc3339()).unwrap();
        s
    }

    #[test]
    fn pages_filter_sort_search_and_respect_visibility() {
        crate::testdb::both(|place| {
            let mut fs = Vec::new();
            for i in 0..30 {
                let (sev, sys) = match i % 3 {
                    0 => (Severity::Critical, "web"),
                    1 => (Severity::Medium, "web"),
                    _ => (Severity::Low, "payroll"),
                };
                fs.push(finding(
                    "crypto-weak-key",
                    sev,
                    &format!("/srv/{sys}/k{i}.pem"),
                    sys,
                ));
            }
            let s = store_with(place, fs.clone());
            let (page, total) = s
                .tracked_page(&TrackedQuery {
                    limit: 7,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 30);
            assert_eq!(page.len(), 7);
            assert!(page.iter().all(|t| t.severity == Some(Severity::Critical)));
            let (page, _) = s
                .tracked_page(&TrackedQuery {
                    desc: true,
                    limit: 5,
                    ..Default::default()
                })
                .unwrap();
            assert!(page.iter().all(|t| t.severity == Some(Severity::Low)));
            // A viewer of web sees only web.
            let web = Visible::Systems(vec!["web".into()]);
            let (page, total) = s
                .tracked_page(&TrackedQuery {
                    visible: web.clone(),
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 20);
            assert!(page.iter().all(|t| t.system.as_deref() == Some("web")));
            // Even when asking for another system by name.
            let (_, total) = s
                .tracked_page(&TrackedQuery {
                    visible: web.clone(),
                    system: Some("payroll".into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 0);
            // Search: words must all match, and LIKE's wildcards are taken literally.
            let (page, total) = s
                .tracked_page(&TrackedQuery {
                    search: Some("payroll k5.pem".into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 1, "{page:?}");
            let (_, total) = s
                .tracked_page(&TrackedQuery {
                    search: Some("%".into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 0);
            let (_, total) = s
                .tracked_page(&TrackedQuery {
                    min_severity: Some(Severity::Medium),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(total, 20);
            // Counts.
            let o = s.overview(&Visible::All).unwrap();
            assert_eq!(o.total, 30);
            assert_eq!(o.active["critical"], 10);
            assert_eq!(o.new_7d, 30);
            assert_eq!(o.age["low"], [10, 0, 0, 0]);
            let o = s.overview(&web).unwrap();
            assert_eq!(o.total, 20);
            assert!(!o.active.contains_key("low"));
            let per = s.system_counts(&Visible::All).unwrap();
            assert_eq!(per["payroll"].active["low"], 10);
            let t = s.trend(&Visible::All, 10, None).unwrap();
            assert_eq!(t.len(), 1);
            assert_eq!(t[0].active["medium"], 10);
            assert_eq!(s.trend(&web, 10, None).unwrap()[0].active.get("low"), None);
            assert_eq!(
                s.overview(&Visible::Systems(vec![])).unwrap().total,
                0,
                "no grants, nothing"
            );
        });
    }

    fn vuln(
        id: &str,
        purl: &str,
        sev: Option<Severity>,
        score: Option<f64>,
        system: &str,
    ) -> mamori_model::Vulnerability {
        mamori_model::Vulnerability {
            id: id.into(),
            aliases: vec![format!("CVE-{id}"), format!("GHSA-{id}")],
            summary: format!("<b>{id}</b> in the parser"),
            severity: sev,
            cvss: score.map(|score| mamori_model::Cvss {
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
                score,
            }),
            component: purl.into(),
            component_name: "cryptography".into(),
            component_version: "38.0.4".into(),
            fixed: None,
            location: Location::file(format!("/srv/{system}/requirements.txt")),
            suppressed: None,
            system: Some(system.into()),
            systems: Vec::new(),
        }
    }

    /// An unrated advisory may be anything: it is counted apart, and neither hides the
    /// highest rating nor passes for one (issue 15: "unrated" was shown as the worst of a
    /// component with a HIGH advisory, because unrated ranks above critical for sorting).
    #[test]
    fn the_worst_of_a_component_is_its_highest_rating_and_unrated_ones_are_counted_apart() {
        crate::testdb::both(|place| {
            let p = "pkg:pypi/cryptography@38.0.4";
            let q = "pkg:pypi/pip@23.2.1";
            let mut s = place.open();
            let r = ScanResult {
                targets: vec!["/srv".into()],
                vulnerabilities: vec![
                    vuln("A-1", p, Some(Severity::High), Some(7.5), "web"),
                    vuln("A-1", p, Some(Severity::High), Some(7.5), "db"),
                    vuln("A-2", p, Some(Severity::High), Some(8.1), "web"),
                    vuln("A-3", p, Some(Severity::Medium), Some(9.9), "web"),
                    vuln("A-4", p, None, None, "web"),
                    vuln("A-4", p, None, None, "db"),
                    vuln("A-5", p, None, None, "db"),
                    vuln("B-1", q, None, None, "web"),
                    vuln("B-2", q, Some(Severity::Low), None, "web"),
                ],
                ..Default::default()
            };
            s.save_run(&r, &crate::now_rfc3339()).unwrap();
            let w = s.widespread(&Visible::All, 10).unwrap();
            assert_eq!(w.len(), 2, "{w:?}");
            let c = &w[0];
            assert_eq!(c.purl, p);
            assert_eq!((c.systems, c.advisories, c.items), (2, 5, 7));
            assert_eq!(c.worst.as_deref(), Some("high"));
            // The highest score at the highest rating (not the medium advisory's 9.9).
            assert_eq!(c.worst_score, Some(8.1));
            assert_eq!(c.unrated, 2);
            // A rating without a score, beside an unrated advisory.
            assert_eq!(w[1].worst.as_deref(), Some("low"));
            assert_eq!((w[1].worst_score, w[1].unrated), (None, 1));
            // A reader of db alone: A-1 high 7.5 and the two unrated ones.
            let db = s
                .widespread(&Visible::Systems(vec!["db".into()]), 10)
                .unwrap();
            assert_eq!(db.len(), 1);
            assert_eq!(db[0].worst.as_deref(), Some("high"));
            assert_eq!((db[0].worst_score, db[0].unrated), (Some(7.5), 2));
            // Only unrated advisories: no rating, and all of them counted.
            let r = ScanResult {
                targets: vec!["/srv".into()],
                vulnerabilities: vec![
                    vuln("A-4", p, None, None, "web"),
                    vuln("A-5", p, None, None, "web"),
                ],
                ..Default::default()
            };
            s.save_run(&r, &crate::now_rfc3339()).unwrap();
            let w = s.widespread(&Visible::All, 10).unwrap();
            assert_eq!(w.len(), 1, "{w:?}");
            assert_eq!((w[0].worst.as_deref(), w[0].worst_score), (None, None));
            assert_eq!((w[0].advisories, w[0].unrated), (2, 2));
            // The items carry their advisory's ids, summary and rating as stored.
            let (items, _) = s
                .tracked_page(&TrackedQuery {
                    kind: Some("vulnerability".into()),
                    statuses: vec![Status::Fixed],
                    sort: SortBy::Title,
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            let a2 = items.iter().find(|t| t.title == "A-2").unwrap();
            assert_eq!(a2.advisory.aliases, ["CVE-A-2", "GHSA-A-2"]);
            assert_eq!(a2.advisory.summary, "<b>A-2</b> in the parser");
            assert_eq!(a2.advisory.cvss.as_ref().map(|c| c.score), Some(8.1));
            let (one, _) = s.tracked_one(a2.id).unwrap();
            assert_eq!(one.advisory, a2.advisory);
            let j = serde_json::to_value(&one).unwrap();
            assert_eq!(j["aliases"][0], "CVE-A-2");
            assert_eq!(j["cvss"]["score"], 8.1);
        });
    }

    #[test]
    fn a_deep_page_continues_the_pages_before_it() {
        crate::testdb::both(|place| {
            let sevs = [Severity::Critical, Severity::High, Severity::Low];
            let fs: Vec<Finding> = (0..DEEP_PAGE + 120)
                .map(|i| {
                    finding(
                        "crypto-weak-key",
                        sevs[i % 3],
                        &format!("/srv/web/k{i}.pem"),
                        if i % 2 == 0 { "web" } else { "db" },
                    )
                })
                .collect();
            let s = store_with(place, fs);
            for (sort, desc) in [
                (SortBy::Severity, false),
                (SortBy::Id, true),
                (SortBy::Title, false),
            ] {
                let page = |offset, limit| {
                    s.tracked_rows(&TrackedQuery {
                        sort,
                        desc,
                        offset,
                        limit,
                        ..Default::default()
                    })
                    .unwrap()
                };
                // Pages of 40 across the deep-page boundary read like one list.
                let whole: Vec<i64> = page(0, 1000)
                    .into_iter()
                    .chain(page(1000, 1000))
                    .map(|t| t.id)
                    .collect();
                assert_eq!(whole.len(), DEEP_PAGE + 120);
                let mut paged = Vec::new();
                for n in 0..(DEEP_PAGE + 120).div_ceil(40) {
                    paged.extend(page(n * 40, 40).into_iter().map(|t| t.id));
                }
                assert_eq!(paged, whole, "{sort:?}");
                // Filters (parameters of the inner query) hold on a deep page too.
                let deep = s
                    .tracked_rows(&TrackedQuery {
                        statuses: vec![Status::New],
                        kind: Some("finding".into()),
                        search: Some("srv".into()),
                        sort,
                        desc,
                        offset: DEEP_PAGE + 10,
                        limit: 1000,
                        ..Default::default()
                    })
                    .unwrap();
                let tail: Vec<i64> = deep.iter().map(|t| t.id).collect();
                assert_eq!(tail, whole[DEEP_PAGE + 10..], "{sort:?}");
            }
        });
    }
}
