//! The overview (`/`): the organization's risk at a glance — counts that link to the lists
//! behind them, the risk trend, the age of what is open, the post-quantum migration of each
//! system, the most widespread vulnerable components, the most overdue findings and the
//! systems.

use super::parts::{self, charts, Untrusted};
use super::systems::systems_table;
use super::{PageCaller, PageError, SUMMARY_IN_LISTS};
use crate::api;
use crate::insight::{OverviewData, SystemPqc};
use crate::App;
use axum::extract::State;
use axum::response::Response;
use mamori_i18n::Messages;
use mamori_store::lifecycle::Tracked;
use mamori_store::views::Widespread;
use maud::{html, Markup};
use std::sync::Arc;

/// `GET /`.
pub(super) async fn overview(
    State(app): State<Arc<App>>,
    pc: PageCaller,
) -> Result<Response, PageError> {
    let m = pc.m();
    let d = crate::insight::overview_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    // The most overdue, oldest due date first.
    let overdue_q = mamori_store::views::TrackedQuery {
        visible: pc.caller.visible(),
        overdue_on: Some(mamori_store::views::today()),
        sort: mamori_store::views::SortBy::Due,
        limit: 10,
        ..Default::default()
    };
    let (overdue, n_overdue) = api::findings_page(&app, overdue_q)
        .await
        .map_err(|e| pc.err(e))?;
    let body = html! {
        h1 { (m.t("web.overview.title")) }
        (cards(&m, &d))
        div class="charts" {
            figure { figcaption { (m.t("web.chart.trend")) } (charts::trend_svg(&m, &d.trend)) }
            figure { figcaption { (m.t("web.chart.age")) } (charts::age_svg(&m, &d.findings.age)) }
            figure {
                figcaption { (m.t("web.chart.pqc")) }
                (charts::pqc_svg(&m, &migrations(&d), parts::this_year()))
                @if let Some(e) = &d.plan_error {
                    (parts::notice(Untrusted(e)))
                }
            }
            figure {
                figcaption { (m.t("web.widespread")) }
                @if d.widespread.is_empty() {
                    p class="mut" { (m.t("web.none")) }
                } @else {
                    (widespread(&m, &d.widespread))
                }
            }
        }
        @if !overdue.is_empty() {
            h2 { (m.t("web.overdue")) " (" (n_overdue) ")" }
            (overdue_table(&m, &overdue))
            p { a href="/findings?overdue=true&sort=due" { (m.t("web.all_overdue")) } }
        }
        h2 { (m.t("web.nav.systems")) }
        (systems_table(&m, &d.systems))
    };
    Ok(pc.page("overview", &m.t("web.overview.title"), body))
}

/// The counts, each a link to the findings it counts.
fn cards(m: &Messages, d: &OverviewData) -> Markup {
    let active: u64 = d.findings.active.values().sum();
    // What the link lists: high, critical, and vulnerabilities without a rating (which
    // count at any level, decision 008).
    let worst = ["critical", "high", "unrated"]
        .iter()
        .map(|s| d.findings.active.get(*s).copied().unwrap_or(0))
        .sum::<u64>();
    let (cov, all) = d.sbom_coverage;
    html! {
        div class="cards" {
            @for (n, key, href) in [
                (active, "web.card.active", "/findings?status=active"),
                (worst, "web.card.worst", "/findings?status=active&severity=high"),
                (d.findings.overdue, "web.card.overdue", "/findings?overdue=true"),
                (d.findings.new, "web.card.new", "/findings?status=new"),
                (d.findings.accepted, "web.card.accepted", "/findings?status=accepted"),
                (d.findings.fixed, "web.card.fixed", "/findings?status=fixed"),
            ] {
                a class="card" id=(key.replace('.', "-")) href=(href) {
                    b { (n) }
                    span { (m.t(key)) }
                }
            }
            a class="card" id="web-card-sbom" href="/systems" {
                b { (cov) "/" (all) }
                span { (m.t("web.card.sbom")) }
            }
        }
    }
}

/// The systems in the migration chart: the 30 of the highest priority.
fn migrations(d: &OverviewData) -> Vec<(String, &SystemPqc)> {
    let mut pq: Vec<(String, &SystemPqc)> = d
        .systems
        .iter()
        .filter_map(|s| s.pqc.as_ref().map(|p| (s.name.clone(), p)))
        .collect();
    pq.sort_by(|a, b| a.1.priority.cmp(&b.1.priority).then(a.0.cmp(&b.0)));
    pq.truncate(30);
    pq
}

/// The most widespread vulnerable components, each a link to its vulnerabilities.
fn widespread(m: &Messages, list: &[Widespread]) -> Markup {
    let cols = [
        "web.col.component",
        "#web.col.systems",
        "#web.col.advisories",
        "web.col.worst",
    ];
    let rows = html! {
        @for w in list {
            tr {
                td {
                    a href={ "/findings?kind=vulnerability&status=active&q=" (parts::url(&w.purl)) } {
                        code { (Untrusted(&w.purl)) }
                    }
                }
                td class="n" { (w.systems) }
                td class="n" { (w.advisories) }
                td { (parts::worst(m, w)) }
            }
        }
    };
    parts::table(m, "widespread", &cols, rows)
}

/// The most overdue findings.
fn overdue_table(m: &Messages, list: &[Tracked]) -> Markup {
    let cols = [
        "web.col.due",
        "web.col.severity",
        "web.col.finding",
        "web.col.system",
        "web.col.status",
        "web.col.assignee",
    ];
    let rows = html! {
        @for t in list {
            tr data-id=(t.id) {
                td class="bad" { (Untrusted(t.due.as_deref().unwrap_or(""))) }
                td { (parts::sev_badge(m, t.severity.map(|s| s.as_str()))) }
                td {
                    a href={ "/findings/" (t.id) } { (Untrusted(&parts::tracked_title(t))) }
                    (parts::summary_line(&t.advisory.summary, SUMMARY_IN_LISTS))
                }
                td { (Untrusted(t.system.as_deref().unwrap_or(""))) }
                td { (parts::status_badge(m, t.status.as_str())) }
                td { (Untrusted(t.assignee.as_deref().unwrap_or(""))) }
            }
        }
    };
    parts::table(m, "overdue", &cols, rows)
}
