//! The plan as one self-contained HTML page: no script, no CDN, no external file; charts
//! are SVG drawn here. Large plans are aggregated and cut (a fixed budget of listed actions
//! shared among the systems), so the page stays small at 1,000 systems and a million
//! assets; the full lists are in the XLSX and CSV formats.

use mamori_i18n::Messages;
use mamori_plan::assess::{AgilityPart, Priority, State};
use mamori_plan::plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{
    action_text, header_lines, progress_line, reason_text, systems_table, title, wave_title,
};

/// Actions listed per wave in the roadmap section.
const WAVE_LIST: usize = 200;
/// Actions listed in all the per-system sections together.
const SYSTEM_LIST_BUDGET: usize = 5_000;

use crate::html_escape as esc;

/// A `YYYY-MM-DD` date as a fractional year.
fn year_of(date: &str) -> Option<f64> {
    let y: f64 = date.get(0..4)?.parse().ok()?;
    let m: f64 = date.get(5..7)?.parse().ok()?;
    let d: f64 = date.get(8..10)?.parse().ok()?;
    Some(y + ((m - 1.0) * 30.44 + d - 1.0) / 365.25)
}

const STYLE: &str = r#"
:root{--fg:#1d2430;--mut:#5b6575;--bd:#d6dbe3;--bg:#fff;--p1:#b42318;--p2:#dc6803;--p3:#2e6fd8;--p4:#4b8b3b}
*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:32px 0 8px;border-bottom:2px solid var(--bd);padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
ul.meta{list-style:none;padding:0;margin:0;color:var(--mut)}nav a{margin-right:16px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--bd);padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f6f9;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}.pr{font-weight:700;color:#fff;border-radius:4px;padding:1px 6px;display:inline-block}
.P1{background:var(--p1)}.P2{background:var(--p2)}.P3{background:var(--p3)}.P4{background:var(--p4)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}figure{margin:0;border:1px solid var(--bd);border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}details{border:1px solid var(--bd);border-radius:6px;margin:6px 0;padding:4px 10px}summary{cursor:pointer;font-weight:600}
.mut{color:var(--mut)}ul.r{margin:4px 0 8px 18px;padding:0}footer{margin-top:32px;color:var(--mut);font-size:12px}
@media print{nav{display:none}details{break-inside:avoid}th{position:static}}
"#;

/// The page.
pub fn plan_html(p: &Plan, m: &Messages, ja: bool) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = title(p, m);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        if ja { "ja" } else { "en" },
        esc(&title)
    );
    let _ = write!(h, "<header><h1>{}</h1><ul class=\"meta\">", esc(&title));
    for l in header_lines(p, m, ja) {
        let _ = write!(h, "<li>{}</li>", esc(&l));
    }
    let _ = writeln!(h, "<li>{}</li></ul></header>", esc(&progress_line(p, m)));
    let _ = writeln!(
        h,
        "<nav><a href=\"#charts\">{}</a><a href=\"#systems\">{}</a><a href=\"#roadmap\">{}</a><a href=\"#details\">{}</a></nav>",
        esc(&m.t("plan.html.charts")),
        esc(&m.t("plan.systems")),
        esc(&m.t("plan.waves")),
        esc(&m.t("plan.html.details"))
    );

    charts(&mut h, p, m);
    systems(&mut h, p, m);
    roadmap(&mut h, p, m);
    details(&mut h, p, m);
    let _ = write!(h, "<footer><p>{}</p><ul>", esc(&m.t("plan.html.sources")));
    for src in &p.policy.sources {
        let _ = write!(h, "<li>{}</li>", esc(src));
    }
    let _ = writeln!(
        h,
        "</ul><p>{}</p></footer></body></html>",
        esc(&m.t("plan.html.method"))
    );
    h
}

/// The burndown, timeline and heatmap.
fn charts(h: &mut String, p: &Plan, m: &Messages) {
    // Charts.
    let _ = write!(
        h,
        "<h2 id=\"charts\">{}</h2><div class=\"charts\">",
        esc(&m.t("plan.html.charts"))
    );
    let _ = write!(
        h,
        "<figure id=\"burndown\"><figcaption>{}</figcaption>{}</figure>",
        esc(&m.t("plan.html.burndown")),
        burndown(p, m)
    );
    let _ = write!(
        h,
        "<figure id=\"timeline\"><figcaption>{}</figcaption>{}</figure>",
        esc(&m.t("plan.html.timeline")),
        timeline(p, m)
    );
    let _ = write!(
        h,
        "<figure id=\"heatmap\"><figcaption>{}</figcaption>{}</figure>",
        esc(&m.t("plan.html.heatmap")),
        heatmap(p, m)
    );
    h.push_str("</div>\n");
}

/// The systems by priority.
fn systems(h: &mut String, p: &Plan, m: &Messages) {
    // Systems.
    let _ = write!(h, "<h2 id=\"systems\">{}</h2>", esc(&m.t("plan.systems")));
    let t = systems_table(p, m);
    h.push_str("<table><thead><tr>");
    for c in &t.headers[..12] {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (row, s) in t.rows.iter().zip(p.systems_by_priority()) {
        let _ = write!(
            h,
            "<tr><td><span class=\"pr {0}\">{0}</span></td><td><a href=\"#sys-{1}\">{2}</a></td>",
            s.priority.as_str(),
            esc(&s.id),
            esc(&row[1])
        );
        for (i, c) in row.iter().enumerate().take(12).skip(2) {
            let class = if matches!(i, 4 | 5 | 8 | 9 | 10) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", esc(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

/// Per wave, the counts by kind, then the first actions.
fn roadmap(h: &mut String, p: &Plan, m: &Messages) {
    // Roadmap: per wave, counts by kind, then the first actions.
    let _ = write!(h, "<h2 id=\"roadmap\">{}</h2>", esc(&m.t("plan.waves")));
    if p.actions.is_empty() {
        let _ = write!(h, "<p>{}</p>", esc(&m.t("plan.no_actions")));
    }
    for w in &p.waves {
        let _ = write!(
            h,
            "<h3 id=\"wave-{}\">{}</h3>",
            w.number,
            esc(&wave_title(m, w))
        );
        let in_wave = p.actions.iter().filter(|a| a.wave == w.number);
        let mut by_kind: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for a in in_wave.clone() {
            let e = by_kind.entry(a.kind.as_str()).or_default();
            e.0 += 1;
            e.1 += a.assets;
        }
        let _ = write!(
            h,
            "<table class=\"kinds\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(&m.t("plan.html.kind")),
            esc(&m.t("plan.col.action")),
            esc(&m.t("plan.col.assets"))
        );
        for (k, (n, assets)) in &by_kind {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{assets}</td></tr>",
                esc(&m.t(&format!("plan.kind.{k}")))
            );
        }
        h.push_str("</tbody></table>");
        action_table(h, m, in_wave.clone().take(WAVE_LIST), true);
        let n = in_wave.count();
        if n > WAVE_LIST {
            let _ = write!(
                h,
                "<p class=\"mut\">{}</p>",
                esc(&m.get("plan.html.more", &[("n", (n - WAVE_LIST).to_string())]))
            );
        }
    }
}

/// Per system: reasons, Mosca, agility, states and its actions.
fn details(h: &mut String, p: &Plan, m: &Messages) {
    // Per system.
    let _ = write!(
        h,
        "<h2 id=\"details\">{}</h2>",
        esc(&m.t("plan.html.details"))
    );
    let per_system = (SYSTEM_LIST_BUDGET / p.systems.len().max(1)).clamp(3, 500);
    let mut by_system: Vec<Vec<usize>> = vec![Vec::new(); p.systems.len()];
    for (i, a) in p.actions.iter().enumerate() {
        by_system[a.system_index].push(i);
    }
    let mut states: Vec<BTreeMap<State, u32>> = vec![BTreeMap::new(); p.systems.len()];
    for r in &p.rows {
        *states[r.system].entry(r.state).or_default() += 1;
    }
    for si in p.priority_order() {
        let s = &p.systems[si];
        let _ = write!(
            h,
            "<details id=\"sys-{}\"><summary><span class=\"pr {1}\">{1}</span> {2} ({3})</summary>",
            esc(&s.id),
            s.priority.as_str(),
            esc(&s.name),
            esc(&s.id)
        );
        h.push_str("<ul class=\"r\">");
        for r in &s.reasons {
            let _ = write!(h, "<li>{}</li>", esc(&reason_text(m, r)));
        }
        h.push_str("</ul>");
        let _ = write!(
            h,
            "<p>{}</p>",
            esc(&m.get(
                "plan.html.mosca",
                &[
                    ("x", s.mosca.x.to_string()),
                    ("y", format!("{:.1}", s.mosca.y)),
                    ("z", s.mosca.z.to_string()),
                    ("margin", format!("{:.1}", s.mosca.margin)),
                ],
            ))
        );
        agility_table(h, m, s.agility.score, &s.agility.parts);
        if !states[si].is_empty() {
            h.push_str("<p class=\"mut\">");
            let parts: Vec<String> = states[si]
                .iter()
                .map(|(st, n)| format!("{} {n}", m.t(&format!("plan.state.{}", st.as_str()))))
                .collect();
            h.push_str(&esc(&parts.join(" · ")));
            h.push_str("</p>");
        }
        let list = &by_system[si];
        if !list.is_empty() {
            action_table(
                h,
                m,
                list.iter().take(per_system).map(|&i| &p.actions[i]),
                false,
            );
            if list.len() > per_system {
                let _ = write!(
                    h,
                    "<p class=\"mut\">{}</p>",
                    esc(&m.get(
                        "plan.html.more",
                        &[("n", (list.len() - per_system).to_string())]
                    ))
                );
            }
        }
        h.push_str("</details>\n");
    }
}

fn action_table<'a>(
    h: &mut String,
    m: &Messages,
    actions: impl Iterator<Item = &'a mamori_plan::roadmap::Action>,
    with_system: bool,
) {
    let mut rows = String::new();
    for a in actions {
        let sys = if with_system {
            format!("<td><a href=\"#sys-{0}\">{0}</a></td>", esc(&a.system))
        } else {
            String::new()
        };
        let _ = write!(
            rows,
            "<tr id=\"{}\"><td>{}</td>{sys}<td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.id),
            esc(&a.id),
            a.deadline.map(|d| d.to_string()).unwrap_or_default(),
            esc(&action_text(m, a)),
            esc(&a.depends_on.join(" "))
        );
    }
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<table class=\"actions\"><thead><tr><th>{}</th>{}<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
        esc(&m.t("plan.col.id")),
        if with_system {
            format!("<th>{}</th>", esc(&m.t("plan.col.system")))
        } else {
            String::new()
        },
        esc(&m.t("plan.col.deadline")),
        esc(&m.t("plan.col.action")),
        esc(&m.t("plan.col.after"))
    );
}

fn agility_table(h: &mut String, m: &Messages, score: u32, parts: &[AgilityPart]) {
    let _ = write!(
        h,
        "<table class=\"agility\"><thead><tr><th>{} {score}/100</th><th></th></tr></thead><tbody>",
        esc(&m.t("plan.col.agility"))
    );
    for part in parts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}/{}</td></tr>",
            esc(&reason_text(m, &part.reason)),
            part.points,
            part.max
        );
    }
    h.push_str("</tbody></table>");
}

/// Pending assets over time, with the pace each deadline requires.
fn burndown(p: &Plan, m: &Messages) -> String {
    let (w, hgt, l, r, t, b) = (560.0, 240.0, 48.0, 16.0, 12.0, 28.0);
    let now = p
        .progress
        .last()
        .and_then(|pt| year_of(&pt.date))
        .unwrap_or(f64::from(p.year));
    let mut deadlines: BTreeMap<i32, u32> = BTreeMap::new();
    for s in &p.systems {
        if let Some(d) = s.deadline {
            *deadlines.entry(d).or_default() += s.open;
        }
    }
    let x0 = p
        .progress
        .iter()
        .filter_map(|pt| year_of(&pt.date))
        .fold(now, f64::min)
        .floor();
    let x1 = deadlines
        .keys()
        .next_back()
        .map(|d| f64::from(*d + 1))
        .unwrap_or(now + 1.0)
        .max(now.floor() + 2.0);
    let ymax = p
        .progress
        .iter()
        .map(|pt| pt.open)
        .chain([p.totals.open, 1])
        .max()
        .unwrap_or(1) as f64;
    let sx = |x: f64| l + (x - x0) / (x1 - x0) * (w - l - r);
    let sy = |y: f64| t + (1.0 - y / ymax) * (hgt - t - b);
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {hgt}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(&m.t("plan.html.burndown"))
    );
    // Axes and year ticks.
    let _ = write!(
        s,
        "<line x1=\"{l}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#999\"/><line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{0}\" stroke=\"#999\"/>",
        hgt - b,
        w - r
    );
    let span = (x1 - x0) as i32;
    let step = (span / 8).max(1);
    let mut yr = x0 as i32;
    while f64::from(yr) <= x1 {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{yr}</text>",
            sx(f64::from(yr)),
            hgt - b + 14.0
        );
        yr += step;
    }
    for frac in [0.0, 0.5, 1.0] {
        let v = (ymax * frac).round();
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            l - 4.0,
            sy(v) + 4.0
        );
    }
    // The pace the deadlines require: all of a deadline's systems done by its end.
    let mut pts = vec![(now, f64::from(p.totals.open))];
    let mut left = f64::from(p.totals.open);
    for (d, n) in &deadlines {
        left -= f64::from(*n);
        let x = f64::from(*d + 1).max(now);
        pts.push((x, left.max(0.0)));
        let _ = write!(
            s,
            "<line class=\"deadline\" x1=\"{0:.1}\" y1=\"{t}\" x2=\"{0:.1}\" y2=\"{1}\" stroke=\"#b42318\" stroke-dasharray=\"2 3\"/><text x=\"{2:.1}\" y=\"{3}\" text-anchor=\"end\" fill=\"#b42318\">{d}</text>",
            sx(x),
            hgt - b,
            sx(x) - 3.0,
            hgt - b - 4.0
        );
    }
    let path = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = write!(
        s,
        "<polyline class=\"required\" points=\"{}\" fill=\"none\" stroke=\"#dc6803\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
        path(&pts)
    );
    let actual: Vec<(f64, f64)> = p
        .progress
        .iter()
        .filter_map(|pt| Some((year_of(&pt.date)?, f64::from(pt.open))))
        .collect();
    let _ = write!(
        s,
        "<polyline class=\"actual\" points=\"{}\" fill=\"none\" stroke=\"#2e6fd8\" stroke-width=\"2.5\"/>",
        path(&actual)
    );
    for (x, y) in &actual {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2e6fd8\"/>",
            sx(*x),
            sy(*y)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\" fill=\"#2e6fd8\">— {2}</text><text x=\"{0}\" y=\"{3}\" text-anchor=\"end\">- - {4}</text></svg>",
        w - r - 4.0,
        t + 10.0,
        esc(&m.t("plan.html.actual")),
        t + 24.0,
        esc(&m.t("plan.html.required"))
    );
    s
}

/// The waves as bars from their start to their deadline.
fn timeline(p: &Plan, m: &Messages) -> String {
    let (w, l, r) = (560.0, 70.0, 16.0);
    let row = 26.0;
    let hgt = 30.0 + row * p.waves.len().max(1) as f64;
    let x0 = f64::from(p.year);
    let x1 = p
        .waves
        .iter()
        .map(|w| f64::from(w.end + 1))
        .fold(x0 + 2.0, f64::max);
    let sx = |x: f64| l + (x - x0) / (x1 - x0) * (w - l - r);
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {hgt}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(&m.t("plan.html.timeline"))
    );
    let colors = ["#b42318", "#dc6803", "#2e6fd8", "#4b8b3b"];
    for (i, wv) in p.waves.iter().enumerate() {
        let y = 8.0 + row * i as f64;
        let (a, b) = (sx(f64::from(wv.start)), sx(f64::from(wv.end + 1)));
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"wave\" x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{}\" rx=\"3\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\">{} · {}</text>",
            l - 6.0,
            y + 15.0,
            esc(&m.get("plan.html.wave_label", &[("n", wv.number.to_string())])),
            (b - a).max(2.0),
            row - 8.0,
            colors[(wv.number as usize).saturating_sub(1).min(3)],
            a + 4.0,
            y + 13.0,
            wv.actions,
            wv.end
        );
    }
    let ty = hgt - 8.0;
    let mut yr = x0 as i32;
    while f64::from(yr) <= x1 {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{ty}\" text-anchor=\"middle\">{yr}</text>",
            sx(f64::from(yr))
        );
        yr += 1;
    }
    s.push_str("</svg>");
    s
}

/// Systems by priority (rows) and agility band (columns).
fn heatmap(p: &Plan, m: &Messages) -> String {
    let bands = ["0–24", "25–49", "50–74", "75–100"];
    let mut grid = [[0u32; 4]; 4];
    for s in &p.systems {
        let band = (s.agility.score.min(99) / 25) as usize;
        grid[(s.priority.number() - 1) as usize][band] += 1;
    }
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1);
    let (cw, ch, l, t) = (110.0, 40.0, 50.0, 24.0);
    let mut s = format!(
        "<svg viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        l + cw * 4.0 + 8.0,
        t + ch * 4.0 + 24.0,
        esc(&m.t("plan.html.heatmap"))
    );
    for (j, b) in bands.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{b}</text>",
            l + cw * j as f64 + cw / 2.0,
            t - 8.0
        );
    }
    for (i, pr) in [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
        .iter()
        .enumerate()
    {
        let y = t + ch * i as f64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            l - 8.0,
            y + ch / 2.0 + 4.0,
            pr.as_str()
        );
        for (j, &n) in grid[i].iter().enumerate() {
            // Red for urgent and rigid, fading with count.
            let alpha = if n == 0 {
                0.04
            } else {
                0.15 + 0.85 * f64::from(n) / f64::from(max)
            };
            let _ = write!(
                s,
                "<rect class=\"cell\" data-p=\"{}\" data-band=\"{j}\" data-n=\"{n}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{}\" height=\"{}\" fill=\"rgba(180,35,24,{alpha:.2})\" stroke=\"#fff\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>",
                pr.as_str(),
                l + cw * j as f64,
                cw,
                ch,
                l + cw * j as f64 + cw / 2.0,
                y + ch / 2.0 + 4.0
            );
        }
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        l + cw * 2.0,
        t + ch * 4.0 + 18.0,
        esc(&m.t("plan.html.agility_axis"))
    );
    s
}
