//! The SVG charts, drawn here on the server from numbers (no script, no external file):
//! the risk trend, the age of active findings, and each system's post-quantum migration.
//! They are `maud` templates like the pages, so every word on them is escaped; SVG elements
//! without content are written with an end tag (`<line …></line>`), as SVG inside HTML
//! needs one or a self-closing slash.

use super::{Untrusted, SEVERITIES};
use crate::insight::SystemPqc;
use mamori_i18n::Messages;
use mamori_store::views::TrendPoint;
use maud::{html, Markup, Render};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A coordinate with one decimal.
struct D1(f64);

impl Render for D1 {
    fn render_to(&self, buffer: &mut String) {
        // Digits, a sign and a point: nothing to escape.
        let _ = write!(buffer, "{:.1}", self.0);
    }
}

/// The risk trend: active findings by severity after each run, stacked.
pub fn trend_svg(m: &Messages, points: &[TrendPoint]) -> Markup {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 10.0);
    let label = m.t("web.chart.trend");
    if points.is_empty() {
        return html! {
            svg id="trend" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(label) {
                text x=(w / 2.0) y=(h / 2.0) text-anchor="middle" { (m.t("web.no_runs")) }
            }
        };
    }
    let totals: Vec<u64> = points.iter().map(|p| p.active.values().sum()).collect();
    let max = axis_max(totals.iter().copied().max().unwrap_or(0));
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - 10.0) / 2.0
        } else {
            left + (w - left - 10.0) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    // Stacked layers from the worst severity at the bottom: (severity, colour, outline).
    let mut layers = Vec::new();
    let mut base = vec![0f64; n];
    for (sev, colour) in SEVERITIES {
        let vals: Vec<f64> = points
            .iter()
            .map(|p| p.active.get(sev).copied().unwrap_or(0) as f64)
            .collect();
        if vals.iter().all(|v| *v == 0.0) {
            continue;
        }
        let mut d = String::new();
        if n == 1 {
            let (x0, x1) = (x(0) - 20.0, x(0) + 20.0);
            let _ = write!(
                d,
                "M{x0:.1},{:.1}L{x1:.1},{:.1}L{x1:.1},{:.1}L{x0:.1},{:.1}Z",
                y(base[0] + vals[0]),
                y(base[0] + vals[0]),
                y(base[0]),
                y(base[0])
            );
        } else {
            for i in 0..n {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    x(i),
                    y(base[i] + vals[i])
                );
            }
            for i in (0..n).rev() {
                let _ = write!(d, "L{:.1},{:.1}", x(i), y(base[i]));
            }
            d.push('Z');
        }
        layers.push((sev, colour, d));
        for i in 0..n {
            base[i] += vals[i];
        }
    }
    // Run labels: first, last and a few between.
    let step = n.div_ceil(6).max(1);
    let anchor = |i: usize| match (i, n) {
        (_, 1) => "middle",
        (0, _) => "start",
        (i, n) if i + 1 == n => "end",
        _ => "middle",
    };
    html! {
        svg id="trend" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(label) {
            (grid(max, w, left, &y))
            @for (sev, colour, d) in &layers {
                path class="layer" data-severity=(sev) d=(d) fill=(colour) fill-opacity="0.85" {
                    title { (m.t(&format!("web.sev.{sev}"))) }
                }
            }
            @for (i, p) in points.iter().enumerate() {
                @if i % step == 0 || i + 1 == n {
                    text x=(D1(x(i))) y=(h - 8.0) text-anchor=(anchor(i)) {
                        (Untrusted(&p.at.get(5..16).unwrap_or(&p.at).replace('T', " ")))
                    }
                }
            }
        }
        (legend(m))
    }
}

/// The horizontal lines of a count axis with their numbers, at 0, ¼ … of `max`.
fn grid(max: f64, w: f64, left: f64, y: &dyn Fn(f64) -> f64) -> Markup {
    html! {
        @for k in 0..=4 {
            @let v = max * k as f64 / 4.0;
            line x1=(left) x2=(w - 10.0) y1=(D1(y(v))) y2=(D1(y(v))) stroke="#e3e7ee" {}
            text x=(left - 4.0) y=(D1(y(v) + 4.0)) text-anchor="end" { (v.round() as u64) }
        }
    }
}

/// The top of a count axis with four whole-number steps: 4, 8, 12, 20, 40, 100, …
fn axis_max(max: u64) -> f64 {
    let step = max.div_ceil(4).max(1);
    // A round step: 1, 2, 2.5, 5 times a power of ten (2.5 only where it is whole).
    let mut unit = 1;
    while unit * 10 <= step {
        unit *= 10;
    }
    let nice = [10, 20, 25, 50, 100]
        .iter()
        .filter(|k| (*k * unit) % 10 == 0)
        .map(|k| k * unit / 10)
        .find(|s| *s >= step)
        .unwrap_or(step);
    (nice * 4) as f64
}

/// The severities' colours, in words.
fn legend(m: &Messages) -> Markup {
    html! {
        div class="mut legend" {
            @for (sev, _) in SEVERITIES {
                span { span class={ "sw sev-" (sev) } {} (m.t(&format!("web.sev.{sev}"))) }
            }
        }
    }
}

/// Active findings by severity and age: one stacked bar per age band.
pub fn age_svg(m: &Messages, age: &BTreeMap<String, [u64; 4]>) -> Markup {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 10.0);
    let totals: Vec<u64> = (0..4).map(|b| age.values().map(|a| a[b]).sum()).collect();
    let max = axis_max(totals.iter().copied().max().unwrap_or(0));
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let band = (w - left - 10.0) / 4.0;
    let bw = band * 0.6;
    html! {
        svg id="age" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(m.t("web.chart.age")) {
            (grid(max, w, left, &y))
            @for b in 0..4 {
                @let x0 = left + band * b as f64 + band * 0.2;
                @let (bars, top_of_bars) = stack(age, b);
                @for (sev, colour, v, below) in bars {
                    rect class="bar" data-severity=(sev) x=(D1(x0)) y=(D1(y(below + v)))
                        width=(D1(bw)) height=(D1(y(below) - y(below + v))) fill=(colour) {
                        title { (m.t(&format!("web.sev.{sev}"))) ": " (v as u64) }
                    }
                }
                text x=(D1(x0 + bw / 2.0)) y=(h - 8.0) text-anchor="middle" {
                    (m.t(&format!("web.age.{b}")))
                }
                text x=(D1(x0 + bw / 2.0)) y=(D1(y(top_of_bars) - 3.0)) text-anchor="middle" {
                    (totals[b])
                }
            }
        }
        (legend(m))
    }
}

/// The bars of one age band stacked from the worst severity at the bottom: (severity,
/// colour, count, count below it) of each severity with some, and the count of all.
fn stack(
    age: &BTreeMap<String, [u64; 4]>,
    band: usize,
) -> (Vec<(&'static str, &'static str, f64, f64)>, f64) {
    let mut bars = Vec::new();
    let mut acc = 0f64;
    for (sev, colour) in SEVERITIES {
        let v = age.get(sev).map(|a| a[band]).unwrap_or(0) as f64;
        if v != 0.0 {
            bars.push((sev, colour, v, acc));
            acc += v;
        }
    }
    (bars, acc)
}

/// Post-quantum migration per system: places left now against the first measured run,
/// with its deadline and whether the pace so far reaches zero by then.
pub fn pqc_svg(m: &Messages, rows: &[(String, &SystemPqc)], year: i32) -> Markup {
    let row_h = 26.0;
    let (w, left) = (640.0, 150.0);
    let h = 30.0 + row_h * rows.len().max(1) as f64;
    let bar_w = w - left - 230.0;
    html! {
        svg id="pqc" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-label=(m.t("web.chart.pqc")) {
            @if rows.is_empty() {
                text x=(w / 2.0) y="20" text-anchor="middle" { (m.t("web.no_plan")) }
            }
            @for (i, (name, p)) in rows.iter().enumerate() {
                @let y0 = 10.0 + row_h * i as f64;
                g class="sys" data-system=(Untrusted(name)) {
                    text x="0" y=(D1(y0 + 12.0)) { (Untrusted(&truncate(name, 22))) }
                    rect x=(left) y=(D1(y0)) width=(D1(bar_w)) height="16" fill="#eef1f5" {}
                    rect x=(left) y=(D1(y0)) width=(D1(bar_w * done(p))) height="16"
                        fill=(track_colour(on_track(p, year))) {}
                    text x=(D1(left + bar_w + 6.0)) y=(D1(y0 + 12.0)) {
                        (Untrusted(&p.priority)) " · " (places_left(m, p))
                    }
                }
            }
        }
    }
}

/// The share of a system's places migrated since the first measured run.
fn done(p: &SystemPqc) -> f64 {
    let first = p
        .progress
        .first()
        .map(|x| x.2)
        .unwrap_or(p.places)
        .max(p.places);
    if first == 0 {
        1.0
    } else {
        1.0 - p.places as f64 / first as f64
    }
}

fn track_colour(t: Track) -> &'static str {
    match t {
        Track::Done | Track::Ahead => "#2e7d32",
        Track::Behind => "#b42318",
        Track::Unknown => "#e0a100",
    }
}

/// `12 places left by 2030`.
fn places_left(m: &Messages, p: &SystemPqc) -> String {
    match p.deadline {
        Some(d) => m.get(
            "web.pqc.left_by",
            &[("n", p.places.to_string()), ("year", d.to_string())],
        ),
        None => m.get("web.pqc.left", &[("n", p.places.to_string())]),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// How a system's migration stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    /// Nothing left.
    Done,
    /// The pace so far reaches zero before the deadline.
    Ahead,
    /// It does not, or the deadline has passed.
    Behind,
    /// Not enough runs to tell a pace.
    Unknown,
}

/// Whether the pace between the first measured run and now reaches zero places by the
/// deadline.
pub fn on_track(p: &SystemPqc, year: i32) -> Track {
    if p.places == 0 {
        return Track::Done;
    }
    let Some(deadline) = p.deadline else {
        return Track::Unknown;
    };
    if deadline <= year {
        return Track::Behind;
    }
    let (Some(first), Some(last)) = (p.progress.first(), p.progress.last()) else {
        return Track::Unknown;
    };
    let years = |d: &str| -> Option<f64> {
        let days = mamori_model::date::parse_ymd(d.get(..10)?)?;
        Some(days as f64 / 365.25)
    };
    let (Some(t0), Some(t1)) = (years(&first.1), years(&last.1)) else {
        return Track::Unknown;
    };
    if t1 - t0 < 1.0 / 365.0 || first.2 <= last.2 {
        return if first.2 < last.2 || (t1 - t0) >= 0.25 {
            Track::Behind
        } else {
            Track::Unknown
        };
    }
    let rate = (first.2 - last.2) as f64 / (t1 - t0);
    let finish = t1 + last.2 as f64 / rate + 1970.0;
    if finish <= deadline as f64 {
        Track::Ahead
    } else {
        Track::Behind
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_i18n::Lang;

    #[test]
    fn axes_have_whole_round_steps() {
        assert_eq!(axis_max(0), 4.0);
        assert_eq!(axis_max(3), 4.0);
        assert_eq!(axis_max(34), 40.0);
        assert_eq!(axis_max(101), 200.0);
        assert_eq!(axis_max(100_000), 100_000.0);
    }

    fn pqc(places: u32, deadline: Option<i32>, progress: &[(&str, u32)]) -> SystemPqc {
        SystemPqc {
            priority: "P1".into(),
            deadline,
            start_by: None,
            assets: 10,
            pending: places,
            broken: 0,
            places,
            agility: 50,
            progress: progress
                .iter()
                .enumerate()
                .map(|(i, (d, n))| (i as i64 + 1, d.to_string(), *n))
                .collect(),
        }
    }

    #[test]
    fn the_pace_so_far_is_judged_against_the_deadline() {
        // 100 → 80 in a year: 4 more years, done by 2030.
        let p = pqc(80, Some(2031), &[("2025-06-01", 100), ("2026-06-01", 80)]);
        assert_eq!(on_track(&p, 2026), Track::Ahead);
        assert_eq!(
            on_track(
                &SystemPqc {
                    deadline: Some(2029),
                    ..p.clone()
                },
                2026
            ),
            Track::Behind
        );
        // No progress over months: behind; over a day: too early to tell.
        assert_eq!(
            on_track(
                &pqc(50, Some(2035), &[("2026-01-01", 50), ("2026-06-01", 50)]),
                2026
            ),
            Track::Behind
        );
        assert_eq!(
            on_track(
                &pqc(50, Some(2035), &[("2026-06-01", 50), ("2026-06-02", 50)]),
                2026
            ),
            Track::Unknown
        );
        assert_eq!(on_track(&pqc(0, Some(2030), &[]), 2026), Track::Done);
        assert_eq!(on_track(&pqc(5, Some(2026), &[]), 2026), Track::Behind);
    }

    #[test]
    fn charts_are_drawn_from_numbers_and_name_systems_as_text() {
        let m = Messages::new(Lang::En);
        let p = pqc(80, Some(2031), &[("2025-06-01", 100), ("2026-06-01", 80)]);
        let svg = pqc_svg(&m, &[("<b>\u{202E}x".to_string(), &p)], 2026).into_string();
        assert!(
            svg.starts_with("<svg id=\"pqc\" viewBox=\"0 0 640 56\""),
            "{svg}"
        );
        assert!(svg.contains("data-system=\"&lt;b&gt;[U+202E]x\""), "{svg}");
        assert!(svg.contains(
            "<rect x=\"150\" y=\"10.0\" width=\"260.0\" height=\"16\" fill=\"#eef1f5\"></rect>"
        ));
        // 20 of 100 places done: a fifth of the bar, green (on track).
        assert!(
            svg.contains("width=\"52.0\" height=\"16\" fill=\"#2e7d32\""),
            "{svg}"
        );
        assert!(
            svg.contains(">P1 · 80 places left, due 2031</text></g></svg>"),
            "{svg}"
        );
        let mut active = BTreeMap::new();
        active.insert("high".to_string(), 3u64);
        let trend = trend_svg(
            &m,
            &[TrendPoint {
                run: 1,
                at: "2026-12-01T10:00:00Z".into(),
                active,
            }],
        )
        .into_string();
        assert_eq!(trend.matches("<path class=\"layer\"").count(), 1);
        assert!(
            trend.contains("<text x=\"339.0\" y=\"212\" text-anchor=\"middle\">12-01 10:00</text>"),
            "{trend}"
        );
        assert!(trend.ends_with("</div>"), "a legend under the chart");
        let none = trend_svg(&m, &[]).into_string();
        assert!(none.ends_with("</text></svg>"), "{none}");
    }
}
