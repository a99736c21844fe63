//! The pieces of every page: escaping, the frame with its navigation, and the SVG charts
//! drawn here on the server (no script, no external file).

use crate::auth::Caller;
use mamori_i18n::{Lang, Messages};
use mamori_store::lifecycle::Tracked;
use mamori_store::views::TrendPoint;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use mamori_report::html_escape as esc;

/// The start of a table with its header row: `cols` are catalog keys of the headings, a
/// key starting with `#` is a number column (right-aligned) and `-` a literal "#".
pub fn table_head(m: &Messages, id: &str, cols: &[&str]) -> String {
    let mut o = format!("<table id=\"{}\"><tr>", esc(id));
    for c in cols {
        match c.strip_prefix('#') {
            Some(key) => {
                let _ = write!(o, "<th class=\"n\">{}</th>", esc(&m.t(key)));
            }
            None if *c == "-" => o.push_str("<th>#</th>"),
            None => {
                let _ = write!(o, "<th>{}</th>", esc(&m.t(c)));
            }
        }
    }
    o.push_str("</tr>");
    o
}

/// A query-string value.
pub fn url(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Severities from the worst, with their colours.
pub const SEVERITIES: [(&str, &str); 6] = [
    ("critical", "#8e1b1b"),
    ("high", "#d0451b"),
    ("medium", "#e0a100"),
    ("low", "#2e6fd8"),
    ("info", "#6b7785"),
    ("unrated", "#a0a7b2"),
];

const STYLE: &str = r#"
:root{--fg:#1d2430;--mut:#5b6575;--bd:#d6dbe3;--bg:#fff;--ac:#1f5fbf}
*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;color:var(--fg);background:var(--bg);margin:0}
header{display:flex;gap:18px;align-items:center;padding:10px 24px;background:#16324f;color:#fff;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header a.on{border-bottom:2px solid #fff}header .brand{font-weight:700;font-size:17px;margin-right:12px}
header .right{margin-left:auto;display:flex;gap:12px;align-items:center}header form{margin:0}header button{background:none;border:1px solid #fff8;color:#fff;border-radius:4px;cursor:pointer}
main{max-width:1280px;margin:0 auto;padding:20px 24px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:26px 0 8px;border-bottom:2px solid var(--bd);padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--bd);padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f6f9}
th a{color:inherit}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:8px 0 16px}
.card{border:1px solid var(--bd);border-radius:8px;padding:10px 12px;color:inherit;text-decoration:none}a.card:hover{border-color:var(--ac)}.card b{display:block;font-size:26px}.card span{color:var(--mut)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}figure{margin:0;border:1px solid var(--bd);border-radius:8px;padding:10px}figcaption{font-weight:600;margin-bottom:4px}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}
.sev{color:#fff;border-radius:4px;padding:0 6px;font-size:12px;display:inline-block}.score{font-variant-numeric:tabular-nums}.unrated{color:var(--mut)}
.sum{display:block;font-size:12px;color:var(--mut)}
.st{border:1px solid var(--bd);border-radius:10px;padding:0 7px;font-size:12px}.st-new,.st-reopened{background:#fff3e0}.st-fixed{background:#e8f5e9}.st-accepted{background:#f3e5f5}.st-acknowledged{background:#e3f2fd}
.mut{color:var(--mut)}.bad{color:#b42318;font-weight:600}.ok{color:#2e7d32;font-weight:600}
form.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin:8px 0}form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--mut)}
input,select,button,textarea{font:inherit;padding:3px 6px}button.primary{background:var(--ac);color:#fff;border:0;border-radius:4px;padding:5px 12px;cursor:pointer}
.acts{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}.acts form{border:1px solid var(--bd);border-radius:8px;padding:10px;display:flex;flex-direction:column;gap:6px}
.pager{display:flex;gap:12px;align-items:center;margin:8px 0}.notice{background:#fff8e1;border:1px solid #f0d98c;border-radius:6px;padding:8px 12px;margin:8px 0}
.login{max-width:360px;margin:60px auto;border:1px solid var(--bd);border-radius:10px;padding:24px}.login form{display:flex;flex-direction:column;gap:10px}
code{font-size:12px;word-break:break-all}
.legend{font-size:12px}.legend>span{margin-right:10px}.sw{display:inline-block;width:10px;height:10px;margin-right:3px}form.inline{display:inline}
.sev-critical{background:#8e1b1b}.sev-high{background:#d0451b}.sev-medium{background:#e0a100}.sev-low{background:#2e6fd8}.sev-info{background:#6b7785}.sev-unrated{background:#a0a7b2}
"#;

/// The stylesheet every page links to (`/static/mamori.css`): a file of its own, so that
/// the pages' Content-Security-Policy allows no inline style or script at all.
pub fn stylesheet() -> &'static str {
    STYLE
}

/// Where pages find the stylesheet; the version in the query renews browsers' copies.
pub const STYLESHEET_PATH: &str = concat!("/static/mamori.css?v=", env!("CARGO_PKG_VERSION"));

/// The frame of a page: header navigation (when signed in), the title and the body.
pub fn page(
    m: &Messages,
    lang: Lang,
    caller: Option<&Caller>,
    active: &str,
    title: &str,
    body: &str,
) -> String {
    let mut o = String::with_capacity(body.len() + 4096);
    let code = if lang == Lang::Ja { "ja" } else { "en" };
    let _ = write!(
        o,
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{} — mamori</title><link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\"></head><body><header><a class=\"brand\" href=\"/\">mamori 守り</a>",
        esc(title)
    );
    if let Some(c) = caller {
        for (key, href, name) in [
            ("overview", "/", "web.nav.overview"),
            ("findings", "/findings", "web.nav.findings"),
            ("systems", "/systems", "web.nav.systems"),
            ("runs", "/runs", "web.nav.runs"),
            ("users", "/admin/users", "web.nav.users"),
        ] {
            if key == "users" && !c.user.is_admin() {
                continue;
            }
            let _ = write!(
                o,
                "<a href=\"{href}\"{}>{}</a>",
                if key == active { " class=\"on\"" } else { "" },
                esc(&m.t(name))
            );
        }
        let _ = write!(
            o,
            "<span class=\"right\"><a href=\"/lang/{}\">{}</a><a href=\"/account\" title=\"{}\"{}>{}</a>",
            if lang == Lang::Ja { "en" } else { "ja" },
            if lang == Lang::Ja {
                "English"
            } else {
                "日本語"
            },
            esc(&m.t("web.account.title")),
            if active == "account" { " class=\"on\"" } else { "" },
            esc(&c.user.name)
        );
        if let Some(csrf) = &c.csrf {
            let _ = write!(
                o,
                "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button>{}</button></form>",
                esc(csrf),
                esc(&m.t("web.logout"))
            );
        }
        o.push_str("</span>");
    } else {
        let _ = write!(
            o,
            "<span class=\"right\"><a href=\"/lang/{}\">{}</a></span>",
            if lang == Lang::Ja { "en" } else { "ja" },
            if lang == Lang::Ja {
                "English"
            } else {
                "日本語"
            }
        );
    }
    let _ = write!(o, "</header><main>{body}</main></body></html>");
    o
}

/// A severity badge.
pub fn sev_badge(m: &Messages, sev: Option<&str>) -> String {
    let s = SEVERITIES
        .iter()
        .map(|(n, _)| *n)
        .find(|n| Some(*n) == sev)
        .unwrap_or("unrated");
    format!(
        "<span class=\"sev sev-{s}\">{}</span>",
        esc(&m.t(&format!("web.sev.{s}")))
    )
}

/// A severity badge with the CVSS score it comes from, when there is one (`high 8.1`).
pub fn sev_score(m: &Messages, sev: Option<&str>, score: Option<f64>) -> String {
    match score {
        Some(x) => format!("{} <span class=\"score\">{x:.1}</span>", sev_badge(m, sev)),
        None => sev_badge(m, sev),
    }
}

/// A component's worst severity: its highest rating with that rating's score, and its
/// unrated advisories apart (`high 8.1 · 2 unrated`); the unrated badge when none is
/// rated.
pub fn worst(m: &Messages, w: &mamori_store::views::Widespread) -> String {
    match w.worst.as_deref() {
        Some(s) if w.unrated > 0 => format!(
            "{} · <span class=\"unrated\">{}</span>",
            sev_score(m, Some(s), w.worst_score),
            esc(&m.get("web.unrated_n", &[("n", w.unrated.to_string())]))
        ),
        Some(s) => sev_score(m, Some(s), w.worst_score),
        None => sev_badge(m, None),
    }
}

/// A vulnerability's name as people know it: the advisory id and its CVE ids
/// (`PYSEC-2023-254 (CVE-2023-49083)`), as the terminal report writes it. Plain text.
pub fn advisory_name(id: &str, aliases: &[String]) -> String {
    let cves: Vec<&str> = aliases
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with("CVE-") && *a != id)
        .collect();
    if cves.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({})", cves.join(", "))
    }
}

/// A tracked item's title as plain text: a vulnerability's with its CVE ids.
pub fn tracked_title(t: &Tracked) -> String {
    if t.kind == "vulnerability" {
        advisory_name(&t.title, &t.advisory.aliases)
    } else {
        t.title.clone()
    }
}

/// An advisory's summary on one line of its own under a title, escaped (it is the
/// advisory's text, not ours), cut at `max` characters; nothing when there is none.
pub fn summary_line(summary: &str, max: usize) -> String {
    let words: Vec<&str> = summary.split_whitespace().collect();
    if words.is_empty() {
        return String::new();
    }
    let one = words.join(" ");
    let cut: String = one.chars().take(max).collect();
    format!(
        "<span class=\"sum\">{}{}</span>",
        esc(&cut),
        if cut.len() < one.len() { "…" } else { "" }
    )
}

/// A status badge.
pub fn status_badge(m: &Messages, status: &str) -> String {
    format!(
        "<span class=\"st st-{s}\">{}</span>",
        esc(&m.t(&format!("web.status.{status}"))),
        s = esc(status)
    )
}

/// The hidden CSRF field of a session's forms.
pub fn csrf_field(c: &Caller) -> String {
    match &c.csrf {
        Some(t) => format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(t)),
        None => String::new(),
    }
}

/// The risk trend: active findings by severity after each run, stacked.
pub fn trend_svg(m: &Messages, points: &[TrendPoint]) -> String {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 10.0);
    let mut o = format!(
        "<svg id=\"trend\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(&m.t("web.chart.trend"))
    );
    if points.is_empty() {
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></svg>",
            w / 2.0,
            h / 2.0,
            esc(&m.t("web.no_runs"))
        );
        return o;
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
    // Grid and axis labels.
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let _ = write!(
            o,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e7ee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            left - 4.0,
            y(v) + 4.0,
            v.round() as u64,
            y = y(v)
        );
    }
    // Stacked layers from the worst severity at the bottom.
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
        let _ = write!(
            o,
            "<path class=\"layer\" data-severity=\"{sev}\" d=\"{d}\" fill=\"{colour}\" fill-opacity=\"0.85\"><title>{}</title></path>",
            esc(&m.t(&format!("web.sev.{sev}")))
        );
        for i in 0..n {
            base[i] += vals[i];
        }
    }
    // Run labels: first, last and a few between.
    let step = n.div_ceil(6).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let anchor = match (i, n) {
                (_, 1) => "middle",
                (0, _) => "start",
                (i, n) if i + 1 == n => "end",
                _ => "middle",
            };
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                x(i),
                h - 8.0,
                esc(p.at.get(5..16).unwrap_or(&p.at).replace('T', " ").as_str())
            );
        }
    }
    o.push_str("</svg>");
    o.push_str(&legend(m));
    o
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

fn legend(m: &Messages) -> String {
    let mut o = String::from("<div class=\"mut legend\">");
    for (sev, _) in SEVERITIES {
        let _ = write!(
            o,
            "<span><span class=\"sw sev-{sev}\"></span>{}</span>",
            esc(&m.t(&format!("web.sev.{sev}")))
        );
    }
    o.push_str("</div>");
    o
}

/// Active findings by severity and age: one stacked bar per age band.
pub fn age_svg(m: &Messages, age: &BTreeMap<String, [u64; 4]>) -> String {
    let (w, h, left, bottom, top) = (640.0, 220.0, 48.0, 28.0, 10.0);
    let mut o = format!(
        "<svg id=\"age\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(&m.t("web.chart.age"))
    );
    let totals: Vec<u64> = (0..4).map(|b| age.values().map(|a| a[b]).sum()).collect();
    let max = axis_max(totals.iter().copied().max().unwrap_or(0));
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            o,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#e3e7ee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            left - 4.0,
            yy + 4.0,
            v.round() as u64
        );
    }
    let band = (w - left - 10.0) / 4.0;
    for b in 0..4 {
        let x0 = left + band * b as f64 + band * 0.2;
        let bw = band * 0.6;
        let mut acc = 0f64;
        for (sev, colour) in SEVERITIES {
            let v = age.get(sev).map(|a| a[b]).unwrap_or(0) as f64;
            if v == 0.0 {
                continue;
            }
            let _ = write!(
                o,
                "<rect class=\"bar\" data-severity=\"{sev}\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
                y(acc + v),
                y(acc) - y(acc + v),
                esc(&m.t(&format!("web.sev.{sev}"))),
                v as u64
            );
            acc += v;
        }
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x0 + bw / 2.0,
            h - 8.0,
            esc(&m.t(&format!("web.age.{b}"))),
            x0 + bw / 2.0,
            y(acc) - 3.0,
            totals[b]
        );
    }
    o.push_str("</svg>");
    o.push_str(&legend(m));
    o
}

/// Post-quantum migration per system: places left now against the first measured run,
/// with its deadline and whether the pace so far reaches zero by then.
pub fn pqc_svg(m: &Messages, rows: &[(String, &crate::insight::SystemPqc)], year: i32) -> String {
    let row_h = 26.0;
    let (w, left) = (640.0, 150.0);
    let h = 30.0 + row_h * rows.len().max(1) as f64;
    let mut o = format!(
        "<svg id=\"pqc\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(&m.t("web.chart.pqc"))
    );
    if rows.is_empty() {
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"20\" text-anchor=\"middle\">{}</text></svg>",
            w / 2.0,
            esc(&m.t("web.no_plan"))
        );
        return o;
    }
    let bar_w = w - left - 230.0;
    for (i, (name, p)) in rows.iter().enumerate() {
        let y0 = 10.0 + row_h * i as f64;
        let first = p
            .progress
            .first()
            .map(|x| x.2)
            .unwrap_or(p.places)
            .max(p.places);
        let done = if first == 0 {
            1.0
        } else {
            1.0 - p.places as f64 / first as f64
        };
        let colour = match on_track(p, year) {
            Track::Done | Track::Ahead => "#2e7d32",
            Track::Behind => "#b42318",
            Track::Unknown => "#e0a100",
        };
        let _ = write!(
            o,
            "<g class=\"sys\" data-system=\"{}\"><text x=\"0\" y=\"{:.1}\">{}</text><rect x=\"{left}\" y=\"{y0:.1}\" width=\"{bar_w:.1}\" height=\"16\" fill=\"#eef1f5\"/><rect x=\"{left}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{} · {}</text></g>",
            esc(name),
            y0 + 12.0,
            esc(&truncate(name, 22)),
            bar_w * done,
            left + bar_w + 6.0,
            y0 + 12.0,
            p.priority,
            esc(&match p.deadline {
                Some(d) => m.get("web.pqc.left_by", &[("n", p.places.to_string()), ("year", d.to_string())]),
                None => m.get("web.pqc.left", &[("n", p.places.to_string())]),
            })
        );
    }
    o.push_str("</svg>");
    o
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
pub fn on_track(p: &crate::insight::SystemPqc, year: i32) -> Track {
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
    use crate::insight::SystemPqc;

    #[test]
    fn a_vulnerability_is_named_by_its_cve_ids_and_its_words_are_text() {
        let aliases = vec![
            "GHSA-jfhm-5ghh-2f97".to_string(),
            "CVE-2023-49083".to_string(),
            "CVE-2023-0001".to_string(),
        ];
        assert_eq!(
            advisory_name("PYSEC-2023-254", &aliases),
            "PYSEC-2023-254 (CVE-2023-49083, CVE-2023-0001)"
        );
        // An advisory that is a CVE is not named twice; one without a CVE by its id.
        assert_eq!(
            advisory_name("CVE-2023-49083", &aliases[1..2]),
            "CVE-2023-49083"
        );
        assert_eq!(advisory_name("GO-2024-1", &aliases[..1]), "GO-2024-1");
        // One line, escaped, cut at a character (not a byte) boundary.
        assert_eq!(
            summary_line("<b>x</b>\n  & \"y\"", 200),
            "<span class=\"sum\">&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;</span>"
        );
        assert_eq!(
            summary_line("暗号の脆弱性です", 3),
            "<span class=\"sum\">暗号の…</span>"
        );
        assert_eq!(summary_line(" \n ", 200), "");
    }

    #[test]
    fn a_components_worst_is_its_highest_rating_and_the_unrated_apart() {
        let m = Messages::new(Lang::En);
        let mut w = mamori_store::views::Widespread {
            purl: "pkg:pypi/cryptography@38.0.4".into(),
            systems: 1,
            advisories: 3,
            items: 3,
            worst: Some("high".into()),
            worst_score: Some(8.1),
            unrated: 2,
        };
        assert_eq!(
            worst(&m, &w),
            "<span class=\"sev sev-high\">high</span> <span class=\"score\">8.1</span> · <span class=\"unrated\">2 unrated</span>"
        );
        assert!(worst(&Messages::new(Lang::Ja), &w).ends_with("未評価 2 件</span>"));
        w.unrated = 0;
        w.worst_score = None;
        assert_eq!(worst(&m, &w), "<span class=\"sev sev-high\">high</span>");
        (w.worst, w.unrated) = (None, 3);
        assert_eq!(
            worst(&m, &w),
            "<span class=\"sev sev-unrated\">unrated</span>"
        );
    }

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
    fn text_is_escaped_and_urls_encoded() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url("a b/ä?&"), "a%20b%2F%C3%A4%3F%26");
    }
}
