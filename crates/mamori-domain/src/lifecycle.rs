//! Findings followed across runs (issue 6): each finding and vulnerability a scan reports
//! becomes a tracked item with a status, and every change of it is an event in an
//! append-only history.
//!
//! ```text
//! new ──seen again──> open ──acknowledge──> acknowledged
//!  │                   │  ──accept until──> accepted ──date passes, seen──> open
//!  └──not seen by a run that covers it──> fixed ──seen again──> reopened ──seen──> open
//! ```
//!
//! A run *covers* a tracked item when the run's targets include the target the item was
//! first found under: a scan of `/etc` does not fix what a scan of `/opt` found. The rules
//! are pure functions here ([`reconcile`], [`apply`]); the store persists their results in
//! the run's own transaction, so a run and its lifecycle changes land together or not at all.

use mamori_model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a tracked item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Seen for the first time by the latest run that saw it.
    New,
    /// Seen by more than one run, nobody has acted on it.
    Open,
    /// Somebody has seen it and will act.
    Acknowledged,
    /// The risk is accepted until a date.
    Accepted,
    /// A later run covering it no longer sees it.
    Fixed,
    /// It came back after being fixed.
    Reopened,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Acknowledged,
        Status::Accepted,
        Status::Fixed,
        Status::Reopened,
    ];
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Acknowledged => "acknowledged",
            Status::Accepted => "accepted",
            Status::Fixed => "fixed",
            Status::Reopened => "reopened",
        }
    }
    /// From its name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Whether it still needs someone (not fixed, not accepted).
    pub fn active(self) -> bool {
        !matches!(self, Status::Fixed | Status::Accepted)
    }
}

/// A finding or vulnerability followed across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    /// Store id (stable, short: what `mamori findings ack 12` names).
    pub id: i64,
    /// The finding key (`code|asset|location`) or `vuln:advisory|purl`.
    pub key: String,
    /// `finding` or `vulnerability`.
    pub kind: String,
    /// Finding code or advisory id.
    pub title: String,
    /// Severity (none for an unrated vulnerability).
    pub severity: Option<Severity>,
    /// The system it belongs to, when known.
    pub system: Option<String>,
    /// Where it was found (file and line, `host:port`, or a package).
    pub location: String,
    /// The run target it was first found under: runs with this target cover it.
    pub scope: String,
    /// Where it stands.
    pub status: Status,
    /// Accepted until (YYYY-MM-DD).
    pub accepted_until: Option<String>,
    /// Who it is assigned to.
    pub assignee: Option<String>,
    /// When it must be resolved (YYYY-MM-DD), from its severity's service level.
    pub due: Option<String>,
    /// First run that saw it.
    pub first_run: i64,
    /// Last run that saw it.
    pub last_run: i64,
    /// When it was first seen (RFC 3339).
    pub first_seen: String,
    /// When it was last seen (RFC 3339).
    pub last_seen: String,
    /// The run that found it fixed.
    pub fixed_run: Option<i64>,
    /// A vulnerability's advisory as the run that last saw it stored it (its other ids,
    /// summary and CVSS rating; see [`Advisory`]); empty for a finding. Not a column of
    /// the item: the store's readers fill it in.
    #[serde(flatten)]
    pub advisory: Advisory,
}

/// What a tracked vulnerability's advisory says beyond its id. Its words are the
/// advisory's, not mamori's: untrusted text, to be escaped wherever it is shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// Other ids of the same vulnerability (`CVE-…`, `GHSA-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The one-line summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The CVSS rating the severity comes from, when the advisory gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<mamori_model::Cvss>,
}

/// What happened to a tracked item: the closed set of event actions. Each has its words in
/// both catalogs (`lifecycle.action.<name>` for the terminal, `web.event.<name>` for the
/// dashboard; a test holds the catalogs to this list) and is stored and sent by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventAction {
    /// A run saw it first.
    Created,
    /// A run saw a new item again: it is open.
    SeenAgain,
    /// A run covering its place no longer saw it.
    Fixed,
    /// A run saw it again after it was fixed.
    Reopened,
    /// Its acceptance ended: it is open again.
    AcceptanceExpired,
    /// Someone acknowledged it.
    Acknowledged,
    /// Someone accepted the risk until a date.
    Accepted,
    /// Someone assigned it.
    Assigned,
    /// Someone commented.
    Commented,
    /// Someone set its due date.
    DueChanged,
}

impl EventAction {
    /// Every action.
    pub const ALL: [EventAction; 10] = [
        EventAction::Created,
        EventAction::SeenAgain,
        EventAction::Fixed,
        EventAction::Reopened,
        EventAction::AcceptanceExpired,
        EventAction::Acknowledged,
        EventAction::Accepted,
        EventAction::Assigned,
        EventAction::Commented,
        EventAction::DueChanged,
    ];

    /// Its name (stored, sent, and the tail of its catalog keys).
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Created => "created",
            EventAction::SeenAgain => "seen-again",
            EventAction::Fixed => "fixed",
            EventAction::Reopened => "reopened",
            EventAction::AcceptanceExpired => "acceptance-expired",
            EventAction::Acknowledged => "acknowledged",
            EventAction::Accepted => "accepted",
            EventAction::Assigned => "assigned",
            EventAction::Commented => "commented",
            EventAction::DueChanged => "due-changed",
        }
    }

    /// The action named `s`.
    pub fn parse(s: &str) -> Option<EventAction> {
        EventAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for EventAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of a tracked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The item's key.
    pub key: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who: a user, or `mamori` for what a run decided.
    pub actor: String,
    /// What happened.
    pub action: EventAction,
    /// Status before.
    pub from: Option<Status>,
    /// Status after.
    pub to: Option<Status>,
    /// The run, for what a run decided.
    pub run: Option<i64>,
    /// A comment, the assignee, the date.
    pub detail: Option<String>,
}

pub use mamori_model::ServiceLevels;

/// What one run saw of an item.
#[derive(Debug, Clone)]
pub struct Sighting {
    /// The key.
    pub key: String,
    /// `finding` or `vulnerability`.
    pub kind: &'static str,
    /// Code or advisory.
    pub title: String,
    /// Severity.
    pub severity: Option<Severity>,
    /// System.
    pub system: Option<String>,
    /// Where.
    pub location: String,
    /// The run target it falls under.
    pub scope: String,
}

/// A run as the lifecycle sees it.
#[derive(Debug, Clone)]
pub struct RunSeen<'a> {
    /// Run id.
    pub id: i64,
    /// When it started (RFC 3339).
    pub at: &'a str,
    /// Its targets, as stored.
    pub targets: &'a [String],
}

/// The changes one run makes: items to insert or update (id 0: new) and events to append.
#[derive(Debug, Default)]
pub struct Changes {
    /// Items whose row changes.
    pub items: Vec<Tracked>,
    /// Events, in order.
    pub events: Vec<Event>,
}

/// The run target a place falls under: the longest path target containing it, or the
/// network target naming its `host:port`. `""` when none does (such an item is never fixed
/// automatically).
pub fn scope_of(targets: &[String], path: &str, container: Option<&str>) -> String {
    let under = |p: &str, t: &str| {
        p == t || (p.starts_with(t) && (t.ends_with('/') || p[t.len()..].starts_with('/')))
    };
    let mut best: Option<&String> = None;
    for t in targets {
        let hit = match t.split_once("://") {
            Some((_, rest)) => rest == path,
            None => under(path, t) || container.is_some_and(|c| under(c, t)),
        };
        if hit && best.is_none_or(|b| t.len() > b.len()) {
            best = Some(t);
        }
    }
    best.cloned().unwrap_or_default()
}

/// `YYYY-MM-DD` `days` after the date part of `rfc3339`.
pub fn add_days(rfc3339: &str, days: u32) -> Option<String> {
    mamori_model::date::parse_ymd(rfc3339).map(|d| mamori_model::date::ymd(d + i64::from(days)))
}

/// What a run changes: items it sees are created, seen again or reopened; items it covers
/// but does not see are fixed; an acceptance whose date has passed ends when the item is
/// seen again.
pub fn reconcile(
    tracked: &HashMap<String, Tracked>,
    run: &RunSeen<'_>,
    seen: &[Sighting],
    sla: &ServiceLevels,
) -> Changes {
    let mut out = Changes::default();
    let today = run.at.get(..10).unwrap_or("");
    let event = |key: &str, action: EventAction, from: Option<Status>, to: Option<Status>| Event {
        key: key.to_string(),
        at: run.at.to_string(),
        actor: "mamori".into(),
        action,
        from,
        to,
        run: Some(run.id),
        detail: None,
    };
    let mut seen_keys = std::collections::HashSet::with_capacity(seen.len());
    for s in seen {
        if !seen_keys.insert(s.key.as_str()) {
            continue;
        }
        match tracked.get(&s.key) {
            None => {
                out.events
                    .push(event(&s.key, EventAction::Created, None, Some(Status::New)));
                out.items.push(Tracked {
                    id: 0,
                    key: s.key.clone(),
                    kind: s.kind.into(),
                    title: s.title.clone(),
                    severity: s.severity,
                    system: s.system.clone(),
                    location: s.location.clone(),
                    scope: s.scope.clone(),
                    status: Status::New,
                    accepted_until: None,
                    assignee: None,
                    due: sla.days(s.severity).and_then(|d| add_days(run.at, d)),
                    first_run: run.id,
                    last_run: run.id,
                    first_seen: run.at.into(),
                    last_seen: run.at.into(),
                    fixed_run: None,
                    advisory: Advisory::default(),
                });
            }
            Some(t) => {
                let mut t = t.clone();
                let from = t.status;
                let (to, action) = match from {
                    Status::Fixed => (Status::Reopened, Some(EventAction::Reopened)),
                    Status::New | Status::Reopened => (Status::Open, Some(EventAction::SeenAgain)),
                    Status::Accepted if t.accepted_until.as_deref().is_some_and(|u| u < today) => {
                        (Status::Open, Some(EventAction::AcceptanceExpired))
                    }
                    other => (other, None),
                };
                if let Some(a) = action {
                    out.events.push(event(&t.key, a, Some(from), Some(to)));
                }
                if to == Status::Reopened {
                    t.fixed_run = None;
                }
                if to == Status::Open && from == Status::Accepted {
                    t.accepted_until = None;
                }
                t.status = to;
                t.last_run = run.id;
                t.last_seen = run.at.into();
                t.severity = s.severity;
                if s.system.is_some() {
                    t.system = s.system.clone();
                }
                out.items.push(t);
            }
        }
    }
    for t in tracked.values() {
        if t.status == Status::Fixed
            || seen_keys.contains(t.key.as_str())
            || !run.targets.contains(&t.scope)
        {
            continue;
        }
        let mut t = t.clone();
        out.events.push(event(
            &t.key,
            EventAction::Fixed,
            Some(t.status),
            Some(Status::Fixed),
        ));
        t.status = Status::Fixed;
        t.fixed_run = Some(run.id);
        out.items.push(t);
    }
    // Stable order: events as they happened per key.
    out.events.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// What a person does to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// "I have seen it and will act."
    Acknowledge,
    /// Accept the risk until a date (YYYY-MM-DD).
    Accept {
        /// The date.
        until: String,
    },
    /// Give it to someone.
    Assign {
        /// Who.
        to: String,
    },
    /// Set the date it must be resolved by (YYYY-MM-DD).
    Due {
        /// The date.
        date: String,
    },
    /// Only a comment.
    Comment,
}

/// Why an act is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActError {
    /// Fixed items are closed: a later run reopens them if they come back.
    #[error("{0} is fixed (run {1}); a run that sees it again reopens it")]
    Fixed(String, i64),
    /// A date that is not `YYYY-MM-DD`.
    #[error("{0} is not a date (YYYY-MM-DD)")]
    BadDate(String),
    /// An acceptance must end after today.
    #[error("an acceptance must end after today ({0})")]
    PastDate(String),
    /// An acceptance is reviewed within a year: none is open-ended.
    #[error("an acceptance may last a year at most: give a date up to {1} ({0} is later)")]
    TooLate(String, String),
    /// An empty name.
    #[error("give the name of the person to assign it to")]
    NoAssignee,
}

/// The longest an acceptance may last: a risk accepted is looked at again within a year
/// (an acceptance until 9999 would be one forever).
pub const MAX_ACCEPT_DAYS: u32 = 365;

fn is_date(s: &str) -> bool {
    s.len() == 10 && mamori_model::date::parse_ymd(s).is_some()
}

/// Applies what `actor` does at `at` (RFC 3339): the item as it becomes, and its event.
pub fn apply(
    t: &Tracked,
    act: &Act,
    actor: &str,
    at: &str,
    comment: Option<&str>,
) -> Result<(Tracked, Event), ActError> {
    let mut n = t.clone();
    let from = t.status;
    let detail = |d: Option<String>| match (d, comment) {
        (Some(d), Some(c)) => Some(format!("{d}: {c}")),
        (Some(d), None) => Some(d),
        (None, c) => c.map(str::to_string),
    };
    let (action, detail) = match act {
        Act::Acknowledge | Act::Accept { .. } if from == Status::Fixed => {
            return Err(ActError::Fixed(t.key.clone(), t.fixed_run.unwrap_or(0)));
        }
        Act::Acknowledge => {
            n.status = Status::Acknowledged;
            (EventAction::Acknowledged, detail(None))
        }
        Act::Accept { until } => {
            if !is_date(until) {
                return Err(ActError::BadDate(until.clone()));
            }
            if until.as_str() <= at.get(..10).unwrap_or("") {
                return Err(ActError::PastDate(until.clone()));
            }
            if let Some(max) = add_days(at, MAX_ACCEPT_DAYS) {
                if until.as_str() > max.as_str() {
                    return Err(ActError::TooLate(until.clone(), max));
                }
            }
            n.status = Status::Accepted;
            n.accepted_until = Some(until.clone());
            (EventAction::Accepted, detail(Some(until.clone())))
        }
        Act::Assign { to } => {
            if to.trim().is_empty() {
                return Err(ActError::NoAssignee);
            }
            n.assignee = Some(to.trim().to_string());
            (EventAction::Assigned, detail(Some(to.trim().to_string())))
        }
        Act::Due { date } => {
            if !is_date(date) {
                return Err(ActError::BadDate(date.clone()));
            }
            n.due = Some(date.clone());
            (EventAction::DueChanged, detail(Some(date.clone())))
        }
        Act::Comment => (EventAction::Commented, detail(None)),
    };
    let to = (n.status != from).then_some(n.status);
    Ok((
        n,
        Event {
            key: t.key.clone(),
            at: at.to_string(),
            actor: actor.to_string(),
            action,
            from: to.map(|_| from),
            to,
            run: None,
            detail,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_action_has_its_words_in_both_languages_and_parses_back() {
        for lang in [mamori_i18n::Lang::En, mamori_i18n::Lang::Ja] {
            let m = mamori_i18n::Messages::new(lang);
            for a in EventAction::ALL {
                for key in [format!("lifecycle.action.{a}"), format!("web.event.{a}")] {
                    assert_ne!(m.t(&key), key, "{key} missing in {lang:?}");
                }
                assert_eq!(EventAction::parse(a.as_str()), Some(a));
                let json = serde_json::to_string(&a).unwrap_or_default();
                assert_eq!(json, format!("\"{a}\""));
            }
        }
    }

    fn sight(key: &str, scope: &str) -> Sighting {
        Sighting {
            key: key.into(),
            kind: "finding",
            title: "crypto-broken-algorithm".into(),
            severity: Some(Severity::High),
            system: None,
            location: format!("{scope}/a.py:3"),
            scope: scope.into(),
        }
    }

    fn run_with<'a>(id: i64, at: &'a str, targets: &'a [String]) -> RunSeen<'a> {
        RunSeen { id, at, targets }
    }

    fn fold(state: &mut HashMap<String, Tracked>, ch: Changes) {
        for t in ch.items {
            state.insert(t.key.clone(), t);
        }
    }

    #[test]
    fn new_open_fixed_reopened_and_scope() {
        let sla = ServiceLevels::default();
        let etc = vec!["/etc".to_string()];
        let opt = vec!["/opt".to_string()];
        let mut state = HashMap::new();
        let ch = reconcile(
            &state,
            &run_with(1, "2026-11-01T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        assert_eq!(ch.items[0].status, Status::New);
        assert_eq!(ch.items[0].due.as_deref(), Some("2026-12-01"));
        assert_eq!(ch.events[0].action, EventAction::Created);
        fold(&mut state, ch);
        // A scan of /opt does not fix what was found under /etc.
        let ch = reconcile(
            &state,
            &run_with(2, "2026-11-02T00:00:00Z", &opt),
            &[],
            &sla,
        );
        assert!(ch.items.is_empty());
        // Seen again: open.
        let ch = reconcile(
            &state,
            &run_with(3, "2026-11-03T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        assert_eq!(ch.items[0].status, Status::Open);
        fold(&mut state, ch);
        // Gone from a run covering it: fixed.
        let ch = reconcile(
            &state,
            &run_with(4, "2026-11-04T00:00:00Z", &etc),
            &[],
            &sla,
        );
        assert_eq!(
            (ch.items[0].status, ch.items[0].fixed_run),
            (Status::Fixed, Some(4))
        );
        assert_eq!(ch.events[0].action, EventAction::Fixed);
        fold(&mut state, ch);
        // Back: reopened, then open.
        let ch = reconcile(
            &state,
            &run_with(5, "2026-11-05T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        assert_eq!(ch.items[0].status, Status::Reopened);
        assert_eq!(ch.items[0].fixed_run, None);
        fold(&mut state, ch);
    }

    #[test]
    fn people_act_and_acceptances_expire() {
        let sla = ServiceLevels::default();
        let etc = vec!["/etc".to_string()];
        let mut state = HashMap::new();
        let ch = reconcile(
            &state,
            &run_with(1, "2026-11-01T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        fold(&mut state, ch);
        let t = state["a"].clone();
        let (t2, e) = apply(&t, &Act::Acknowledge, "aiko", "2026-11-02T09:00:00Z", None).unwrap();
        assert_eq!(
            (t2.status, e.from, e.to),
            (
                Status::Acknowledged,
                Some(Status::New),
                Some(Status::Acknowledged)
            )
        );
        let (t3, e) = apply(
            &t2,
            &Act::Assign { to: "kenji".into() },
            "aiko",
            "2026-11-02T09:01:00Z",
            Some("please"),
        )
        .unwrap();
        assert_eq!(t3.assignee.as_deref(), Some("kenji"));
        assert_eq!((e.to, e.detail.as_deref()), (None, Some("kenji: please")));
        assert_eq!(
            apply(
                &t3,
                &Act::Accept {
                    until: "2026-11-01".into()
                },
                "aiko",
                "2026-11-02T09:00:00Z",
                None
            ),
            Err(ActError::PastDate("2026-11-01".into()))
        );
        assert!(matches!(
            apply(
                &t3,
                &Act::Accept {
                    until: "2026-13-01".into()
                },
                "aiko",
                "2026-11-02T09:00:00Z",
                None
            ),
            Err(ActError::BadDate(_))
        ));
        let (t4, _) = apply(
            &t3,
            &Act::Accept {
                until: "2026-11-10".into(),
            },
            "aiko",
            "2026-11-02T09:00:00Z",
            Some("vendor patch due"),
        )
        .unwrap();
        state.insert("a".into(), t4);
        // Seen before the date: still accepted.
        let ch = reconcile(
            &state,
            &run_with(2, "2026-11-09T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        assert_eq!(ch.items[0].status, Status::Accepted);
        assert!(ch.events.is_empty());
        fold(&mut state, ch);
        // Seen after it: open again.
        let ch = reconcile(
            &state,
            &run_with(3, "2026-11-11T00:00:00Z", &etc),
            &[sight("a", "/etc")],
            &sla,
        );
        assert_eq!(ch.items[0].status, Status::Open);
        assert_eq!(ch.events[0].action, EventAction::AcceptanceExpired);
        fold(&mut state, ch);
        let fixed = reconcile(
            &state,
            &run_with(4, "2026-11-12T00:00:00Z", &etc),
            &[],
            &sla,
        )
        .items
        .remove(0);
        assert!(matches!(
            apply(
                &fixed,
                &Act::Acknowledge,
                "aiko",
                "2026-11-12T10:00:00Z",
                None
            ),
            Err(ActError::Fixed(_, 4))
        ));
    }

    #[test]
    fn scopes_and_dates() {
        let t = vec![
            "/srv".to_string(),
            "/srv/app".to_string(),
            "/img/web.tar".to_string(),
            "tls://10.0.0.5:443".to_string(),
        ];
        assert_eq!(scope_of(&t, "/srv/app/x.py", None), "/srv/app");
        assert_eq!(scope_of(&t, "/srv/other", None), "/srv");
        assert_eq!(
            scope_of(&t, "etc/ssl/a.pem", Some("/img/web.tar")),
            "/img/web.tar"
        );
        assert_eq!(scope_of(&t, "10.0.0.5:443", None), "tls://10.0.0.5:443");
        assert_eq!(scope_of(&t, "/srvx/a", None), "");
        assert_eq!(
            add_days("2026-12-20T00:00:00Z", 15).as_deref(),
            Some("2027-01-04")
        );
        assert_eq!(add_days("2028-02-28", 1).as_deref(), Some("2028-02-29"));
        assert!(is_date("2026-11-30") && !is_date("2026-11-3") && !is_date("2026-00-10"));
    }
}
