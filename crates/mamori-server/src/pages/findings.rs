//! The findings (`/findings`): a plain GET form of filters (words, status, severity, kind,
//! system, overdue), the table sorted by any of its columns, and the pager — every link
//! keeps the filters.

use super::parts::{self, Untrusted};
use super::{PageCaller, PageError, SUMMARY_IN_LISTS};
use crate::api::{self, FindingsParams};
use crate::App;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::lifecycle::{Status, Tracked};
use mamori_store::views::SortBy;
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /findings`.
pub(super) async fn findings(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let p: FindingsParams = api::query(&uri).map_err(|e| pc.err(e))?;
    let q = p.to_query(&pc.caller).map_err(|e| pc.err(e))?;
    let links = Links {
        p: &p,
        limit: q.limit,
        sort: q.sort,
        desc: q.desc,
    };
    let offset = q.offset;
    let (items, total) = api::findings_page(&app, q).await.map_err(|e| pc.err(e))?;
    // The systems of the register the reader may see, to filter by.
    let systems: Vec<String> = match app.register() {
        Some(l) => l
            .register
            .systems
            .iter()
            .filter(|s| pc.caller.can_read(Some(&s.id)))
            .map(|s| s.id.clone())
            .collect(),
        None => Vec::new(),
    };
    let count = m.get(
        "web.findings.count",
        &[
            ("total", total.to_string()),
            ("from", (offset + 1).min(total as usize).to_string()),
            ("to", (offset + items.len()).to_string()),
        ],
    );
    let prev = (offset > 0).then(|| links.page(offset.saturating_sub(links.limit)));
    let next = (offset + items.len() < total as usize).then(|| links.page(offset + links.limit));
    let body = html! {
        h1 { (m.t("web.findings.title")) }
        (filters(&m, &p, &systems))
        p class="mut" id="count" { (count) }
        table id="findings" {
            (links.heading(&m))
            (rows(&m, &items))
        }
        (parts::pager(&m, prev, next))
    };
    Ok(pc.page("findings", &m.t("web.findings.title"), body))
}

/// The filters: a GET form to this page.
fn filters(m: &Messages, p: &FindingsParams, systems: &[String]) -> Markup {
    let all = || ("", m.t("web.filter.all"));
    let mut statuses = vec![all(), ("active", m.t("web.filter.active"))];
    for s in Status::ALL {
        statuses.push((s.as_str(), m.t(&format!("web.status.{}", s.as_str()))));
    }
    let mut sevs = vec![all()];
    for (s, _) in parts::SEVERITIES.iter().take(5) {
        let sev = m.t(&format!("web.sev.{s}"));
        sevs.push((s, m.get("web.filter.at_least", &[("sev", sev)])));
    }
    let kinds = [
        all(),
        ("finding", m.t("web.kind.finding")),
        ("vulnerability", m.t("web.kind.vulnerability")),
    ];
    let mut sys_opts = vec![all()];
    for s in systems {
        sys_opts.push((s.as_str(), s.clone()));
    }
    html! {
        form class="filters" method="get" action="/findings" {
            label {
                (m.t("web.filter.search"))
                input name="q" value=(Untrusted(p.q.as_deref().unwrap_or("")))
                    placeholder=(m.t("web.filter.search_hint"));
            }
            (select("status", &m.t("web.col.status"), p.status.as_deref(), &statuses))
            (select("severity", &m.t("web.col.severity"), p.severity.as_deref(), &sevs))
            (select("kind", &m.t("web.col.kind"), p.kind.as_deref(), &kinds))
            (select("system", &m.t("web.col.system"), p.system.as_deref(), &sys_opts))
            label {
                span {
                    input type="checkbox" name="overdue" value="true" checked[p.overdue.as_deref() == Some("true")];
                    " " (m.t("web.filter.overdue"))
                }
            }
            button class="primary" type="submit" { (m.t("web.filter.apply")) }
        }
    }
}

/// A labelled choice of `(value, text)` with `current` selected (the first, "all", when
/// none is).
fn select(name: &str, label: &str, current: Option<&str>, options: &[(&str, String)]) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                @for (value, text) in options {
                    option value=(Untrusted(value))
                        selected[current == Some(*value) || (current.is_none() && value.is_empty())] {
                        (Untrusted(text))
                    }
                }
            }
        }
    }
}

/// Links to this list with its filters, sorted or paged otherwise.
struct Links<'a> {
    p: &'a FindingsParams,
    limit: usize,
    sort: SortBy,
    desc: bool,
}

impl Links<'_> {
    /// The list sorted by `sort_by` in `order`, from `offset`.
    fn to(&self, sort_by: &str, order: &str, offset: usize) -> String {
        let p = self.p;
        let mut query = Vec::new();
        for (k, val) in [
            ("q", &p.q),
            ("status", &p.status),
            ("severity", &p.severity),
            ("kind", &p.kind),
            ("system", &p.system),
            ("overdue", &p.overdue),
            ("assignee", &p.assignee),
        ] {
            if let Some(x) = val.as_deref().filter(|x| !x.is_empty()) {
                query.push(format!("{k}={}", parts::url(x)));
            }
        }
        query.push(format!("sort={sort_by}&order={order}"));
        if offset > 0 {
            query.push(format!("offset={offset}"));
        }
        if self.limit != 50 {
            query.push(format!("limit={}", self.limit));
        }
        format!("/findings?{}", query.join("&"))
    }

    /// Another page of the list as it is sorted.
    fn page(&self, offset: usize) -> String {
        let order = if self.desc { "desc" } else { "asc" };
        self.to(self.sort.as_str(), order, offset)
    }

    /// The header row: each sortable column a link that sorts by it (again: the other
    /// way), the current one with its arrow.
    fn heading(&self, m: &Messages) -> Markup {
        let cols = [
            ("id", "web.col.id"),
            ("severity", "web.col.severity"),
            ("title", "web.col.finding"),
            ("system", "web.col.system"),
            ("", "web.col.place"),
            ("status", "web.col.status"),
            ("due", "web.col.due"),
            ("first_seen", "web.col.first_seen"),
            ("", "web.col.assignee"),
        ];
        html! {
            tr {
                @for (key, col) in cols {
                    @if key.is_empty() {
                        th { (m.t(col)) }
                    } @else {
                        @let current = self.sort.as_str() == key;
                        @let order = if current && !self.desc { "desc" } else { "asc" };
                        th {
                            a href=(self.to(key, order, 0)) {
                                (m.t(col))
                                @match (current, self.desc) {
                                    (true, false) => { " ▲" }
                                    (true, true) => { " ▼" }
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One row per finding.
fn rows(m: &Messages, items: &[Tracked]) -> Markup {
    let today = mamori_store::views::today();
    html! {
        @for t in items {
            @let overdue = t.status.active() && t.due.as_deref().is_some_and(|d| d < today.as_str());
            tr data-id=(t.id) data-status=(t.status.as_str()) {
                td { a href={ "/findings/" (t.id) } { "#" (t.id) } }
                td {
                    (parts::sev_score(m, t.severity.map(|s| s.as_str()), t.advisory.cvss.as_ref().map(|c| c.score)))
                }
                td {
                    a href={ "/findings/" (t.id) } { (Untrusted(&parts::tracked_title(t))) }
                    (parts::summary_line(&t.advisory.summary, SUMMARY_IN_LISTS))
                }
                td { (Untrusted(t.system.as_deref().unwrap_or(""))) }
                td { code { (Untrusted(&t.location)) } }
                td { (parts::status_badge(m, t.status.as_str())) }
                td class=(if overdue { "bad" } else { "" }) { (Untrusted(t.due.as_deref().unwrap_or(""))) }
                td { (Untrusted(t.first_seen.get(..10).unwrap_or(&t.first_seen))) }
                td { (Untrusted(t.assignee.as_deref().unwrap_or(""))) }
            }
        }
    }
}
