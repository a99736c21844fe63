//! Reports of a migration plan (`mamori plan`): the terminal summary, Markdown, CSV, JSON,
//! a self-contained HTML page with SVG charts, an XLSX workbook and SARIF for the findings
//! in source code. Every sentence comes from the message catalogs (`plan.*` keys), so each
//! format exists in Japanese and English.

mod html;
mod sarif;
mod xlsx;

pub use html::plan_html;
pub use sarif::plan_sarif;
pub(crate) use sarif::uri as sarif_uri;
pub use xlsx::plan_xlsx;

use mamori_i18n::Messages;
use mamori_plan::assess::{Reason, SystemAssessment, Track};
use mamori_plan::plan::Plan;
use mamori_plan::roadmap::Action;
use serde_json::{json, Value};

use crate::text::{display_width, pad};

/// The plan's title, with the organization when the register names one.
pub fn title(p: &Plan, m: &Messages) -> String {
    if p.organization.trim().is_empty() {
        m.t("plan.title_plain")
    } else {
        m.get("plan.title", &[("org", p.organization.clone())])
    }
}

/// A reason as a sentence.
pub fn reason_text(m: &Messages, r: &Reason) -> String {
    let mut args = r.args.clone();
    if let Some(c) = args.get("criticality").cloned() {
        args.insert("criticality".into(), m.t(&format!("plan.criticality.{c}")));
    }
    m.render(&r.key, &args)
}

/// An action as a sentence.
pub fn action_text(m: &Messages, a: &Action) -> String {
    let key = format!("plan.action.{}", a.kind.as_str());
    if a.args.iter().any(|(k, _)| *k == "place") {
        m.get(&key, &a.args)
    } else {
        let mut args = a.args.clone();
        args.push(("place", a.target.clone()));
        m.get(&key, &args)
    }
}

fn track(m: &Messages, t: Track) -> String {
    m.t(&format!("plan.track.{}", t.as_str()))
}

fn deadline(m: &Messages, y: Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_else(|| m.t("plan.none"))
}

/// `x + y > z` as it is: the inequality holds or not whatever is pending (whether the
/// system is exposed also needs a classical key exchange, said in its reasons).
fn mosca_cell(s: &SystemAssessment) -> String {
    let sign = if s.mosca.margin < 0.0 { ">" } else { "≤" };
    format!("{} + {:.1} {sign} {}", s.mosca.x, s.mosca.y, s.mosca.z)
}

/// The header lines every format starts with.
fn header_lines(p: &Plan, m: &Messages, lang_ja: bool) -> Vec<String> {
    let run = p
        .run
        .as_ref()
        .map(|r| (r.id.to_string(), r.started.chars().take(10).collect()))
        .unwrap_or_else(|| ("-".to_string(), "-".to_string()));
    let t = &p.totals;
    vec![
        m.get(
            "plan.policy",
            &[
                ("policy", p.policy.id.clone()),
                (
                    "title",
                    if lang_ja {
                        p.policy.title_ja.clone()
                    } else {
                        p.policy.title.clone()
                    },
                ),
            ],
        ),
        m.get(
            "plan.basis",
            &[
                ("crqc", p.crqc_year.to_string()),
                ("year", p.year.to_string()),
                ("run", run.0),
                ("date", run.1),
            ],
        ),
        m.get(
            "plan.totals",
            &[
                ("systems", t.systems.to_string()),
                ("inventoried", t.inventoried.to_string()),
                ("p1", t.by_priority[0].to_string()),
                ("p2", t.by_priority[1].to_string()),
                ("p3", t.by_priority[2].to_string()),
                ("p4", t.by_priority[3].to_string()),
            ],
        ),
        m.get(
            "plan.assets",
            &[
                ("assets", t.assets.to_string()),
                ("pending", t.pending.to_string()),
                ("broken", t.broken.to_string()),
                ("unattributed", p.unattributed.to_string()),
            ],
        ),
    ]
}

fn progress_line(p: &Plan, m: &Messages) -> String {
    let n = p.progress.len();
    if n >= 2 {
        let prev = &p.progress[n - 2];
        m.get(
            "plan.progress",
            &[
                ("pending", p.totals.open.to_string()),
                ("was", prev.open.to_string()),
                ("run", prev.run.to_string()),
                ("date", prev.date.clone()),
                ("resolved", p.totals.resolved.to_string()),
            ],
        )
    } else {
        m.t("plan.progress_first")
    }
}

/// A wave's heading: its number, years, systems, actions and assets.
fn wave_title(m: &Messages, w: &mamori_plan::roadmap::Wave) -> String {
    m.get(
        "plan.wave",
        &[
            ("n", w.number.to_string()),
            ("start", w.start.to_string()),
            ("end", w.end.to_string()),
            ("systems", w.systems.len().to_string()),
            ("actions", w.actions.to_string()),
            ("assets", w.assets.to_string()),
        ],
    )
}

/// A table: headers and rows of cells.
pub struct Table {
    /// Column titles.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// The systems as a table, in priority order.
pub fn systems_table(p: &Plan, m: &Messages) -> Table {
    let h = |k: &str| m.t(&format!("plan.col.{k}"));
    Table {
        headers: vec![
            h("priority"),
            h("system"),
            h("owner"),
            h("criticality"),
            h("deadline"),
            h("start"),
            h("kex"),
            h("sig"),
            h("agility"),
            h("pending"),
            h("assets"),
            h("mosca"),
            h("reasons"),
        ],
        rows: p
            .systems_by_priority()
            .into_iter()
            .map(|s| {
                vec![
                    s.priority.as_str().to_string(),
                    format!("{} ({})", s.name, s.id),
                    s.owner.clone(),
                    m.t(&format!("plan.criticality.{}", s.criticality)),
                    deadline(m, s.deadline),
                    s.start_by.map(|y| y.to_string()).unwrap_or_default(),
                    track(m, s.key_exchange),
                    track(m, s.signatures),
                    s.agility.score.to_string(),
                    s.pending.to_string(),
                    s.assets.to_string(),
                    mosca_cell(s),
                    s.reasons
                        .iter()
                        .map(|r| reason_text(m, r))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
            .collect(),
    }
}

/// Column titles of [`action_row`].
pub fn action_headers(m: &Messages) -> Vec<String> {
    [
        "id", "wave", "system", "deadline", "action", "where", "after", "assets",
    ]
    .iter()
    .map(|k| m.t(&format!("plan.col.{k}")))
    .collect()
}

/// One action as cells.
pub fn action_row(m: &Messages, a: &Action) -> Vec<String> {
    vec![
        a.id.clone(),
        a.wave.to_string(),
        a.system.clone(),
        deadline(m, a.deadline),
        action_text(m, a),
        a.target.clone(),
        a.depends_on.join(" "),
        a.assets.to_string(),
    ]
}

/// Column titles of [`asset_rows`].
pub fn asset_headers(m: &Messages) -> Vec<String> {
    [
        "system", "asset", "id", "kind", "state", "concern", "origin", "where", "places",
    ]
    .iter()
    .map(|k| m.t(&format!("plan.col.{k}")))
    .collect()
}

/// Every (system, asset) judgement as cells, system by system.
pub fn asset_rows<'a>(p: &'a Plan, m: &'a Messages) -> impl Iterator<Item = Vec<String>> + 'a {
    p.rows.iter().map(move |r| {
        let a = &p.scan.assets[r.asset];
        vec![
            p.systems[r.system].id.clone(),
            a.name.clone(),
            a.id.clone(),
            a.kind.as_str().to_string(),
            m.t(&format!("plan.state.{}", r.state.as_str())),
            m.t(&format!("plan.concern.{}", r.concern.as_str())),
            m.t(&format!("plan.origin.{}", r.origin.as_str())),
            r.first_place(&p.scan, &p.places),
            r.places.to_string(),
        ]
    })
}

/// The terminal summary: header, systems by priority with their reasons, the first actions
/// of each wave, progress.
pub fn plan_text(p: &Plan, m: &Messages, ja: bool, max_actions: usize) -> String {
    let mut s = String::new();
    let title = title(p, m);
    s.push_str(&title);
    s.push('\n');
    for l in header_lines(p, m, ja) {
        s.push_str(&l);
        s.push('\n');
    }
    if p.run.is_none() {
        s.push_str(&m.t("plan.no_run"));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(&m.t("plan.systems"));
    s.push('\n');
    let t = systems_table(p, m);
    // Priority, system, deadline, start, kex, signatures, agility, to migrate.
    let cols = [0usize, 1, 4, 5, 6, 7, 8, 9];
    let widths: Vec<usize> = cols
        .iter()
        .map(|&c| {
            t.rows
                .iter()
                .map(|r| display_width(&r[c]))
                .chain([display_width(&t.headers[c])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut l = String::from("  ");
        for (i, c) in cells.iter().enumerate() {
            l.push_str(&pad(c, widths[i]));
            l.push_str("  ");
        }
        l.trim_end().to_string()
    };
    s.push_str(&line(cols.iter().map(|&c| t.headers[c].as_str()).collect()));
    s.push('\n');
    for (row, sys) in t.rows.iter().zip(p.systems_by_priority()) {
        s.push_str(&line(cols.iter().map(|&c| row[c].as_str()).collect()));
        s.push('\n');
        for r in &sys.reasons {
            s.push_str("      · ");
            s.push_str(&reason_text(m, r));
            s.push('\n');
        }
    }
    s.push('\n');
    s.push_str(&m.t("plan.waves"));
    s.push('\n');
    if p.actions.is_empty() {
        s.push_str("  ");
        s.push_str(&m.t("plan.no_actions"));
        s.push('\n');
    }
    let mut shown = 0usize;
    for w in &p.waves {
        s.push_str(&format!("  {}\n", wave_title(m, w)));
        for a in p.actions.iter().filter(|a| a.wave == w.number) {
            if shown >= max_actions {
                break;
            }
            shown += 1;
            let after = if a.depends_on.is_empty() {
                String::new()
            } else {
                format!("  [{} {}]", m.t("plan.col.after"), a.depends_on.join(" "))
            };
            s.push_str(&format!(
                "    {:<5} [{}] {}{after}\n",
                a.id,
                a.system,
                action_text(m, a)
            ));
        }
    }
    if shown < p.actions.len() {
        s.push_str(&format!(
            "  {}\n",
            m.get(
                "plan.more_actions",
                &[("n", (p.actions.len() - shown).to_string())]
            )
        ));
    }
    s.push('\n');
    s.push_str(&progress_line(p, m));
    s.push('\n');
    s
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table(headers: &[String], rows: impl Iterator<Item = Vec<String>>, out: &mut String) {
    out.push_str(&format!(
        "| {} |\n|{}|\n",
        headers
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | "),
        headers.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    ));
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
}

/// Markdown: the header, the systems, every action by wave, and progress.
pub fn plan_md(p: &Plan, m: &Messages, ja: bool) -> String {
    let mut s = format!("# {}\n\n", title(p, m));
    for l in header_lines(p, m, ja) {
        s.push_str(&format!("- {l}\n"));
    }
    s.push_str(&format!("- {}\n\n", progress_line(p, m)));
    s.push_str(&format!("## {}\n\n", m.t("plan.systems")));
    let t = systems_table(p, m);
    md_table(&t.headers, t.rows.into_iter(), &mut s);
    s.push_str(&format!("\n## {}\n\n", m.t("plan.waves")));
    if p.actions.is_empty() {
        s.push_str(&format!("{}\n", m.t("plan.no_actions")));
    }
    for w in &p.waves {
        s.push_str(&format!("### {}\n\n", wave_title(m, w)));
        md_table(
            &action_headers(m),
            p.actions
                .iter()
                .filter(|a| a.wave == w.number)
                .map(|a| action_row(m, a)),
            &mut s,
        );
        s.push('\n');
    }
    s
}

/// Which table `--format csv` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    /// The roadmap's actions.
    Actions,
    /// The systems.
    Systems,
    /// Every (system, asset) judgement.
    Assets,
}

fn csv_cell(c: &str) -> String {
    // A leading = + - @ would be read as a formula by a spreadsheet (CSV injection).
    let c = if c.starts_with(['=', '+', '-', '@']) && c.len() > 1 {
        format!("'{c}")
    } else {
        c.to_string()
    };
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c
    }
}

/// CSV (RFC 4180) of one table, written to `out` row by row.
pub fn plan_csv(
    p: &Plan,
    m: &Messages,
    table: CsvTable,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut line = |cells: &[String]| -> std::io::Result<()> {
        let l: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.write_all(l.join(",").as_bytes())?;
        out.write_all(b"\r\n")
    };
    match table {
        CsvTable::Systems => {
            let t = systems_table(p, m);
            line(&t.headers)?;
            for r in &t.rows {
                line(r)?;
            }
        }
        CsvTable::Actions => {
            line(&action_headers(m))?;
            for a in &p.actions {
                line(&action_row(m, a))?;
            }
        }
        CsvTable::Assets => {
            line(&asset_headers(m))?;
            for r in asset_rows(p, m) {
                line(&r)?;
            }
        }
    }
    Ok(())
}

/// A system with each reason's sentence.
fn system_json(m: &Messages, s: &SystemAssessment) -> Value {
    let mut sv = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Some(rs) = sv.get_mut("reasons").and_then(Value::as_array_mut) {
        for (rv, r) in rs.iter_mut().zip(&s.reasons) {
            rv["text"] = json!(reason_text(m, r));
        }
    }
    if let Some(parts) = sv
        .pointer_mut("/agility/parts")
        .and_then(Value::as_array_mut)
    {
        for (pv, part) in parts.iter_mut().zip(&s.agility.parts) {
            pv["reason"]["text"] = json!(reason_text(m, &part.reason));
        }
    }
    sv
}

/// The plan as JSON (`docs/plan-schema.md`): the plan's fields, each reason and action with
/// its sentence in the chosen language, and every (system, asset) judgement. Written as it
/// is serialized: a plan of a million assets never exists as a JSON tree in memory.
pub fn plan_json(p: &Plan, m: &Messages, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::Serialize;
    struct Seq<F>(usize, F);
    impl<F, T> Serialize for Seq<F>
    where
        F: Fn(usize) -> T,
        T: Serialize,
    {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0))?;
            for i in 0..self.0 {
                seq.serialize_element(&(self.1)(i))?;
            }
            seq.end()
        }
    }
    #[derive(Serialize)]
    struct ActionJson<'a> {
        #[serde(flatten)]
        action: &'a Action,
        key: String,
        text: String,
    }
    #[derive(Serialize)]
    struct AssetJson<'a> {
        system: &'a str,
        asset: &'a str,
        name: &'a str,
        kind: &'a str,
        state: mamori_plan::assess::State,
        concern: mamori_plan::assess::Concern,
        origin: mamori_plan::assess::Origin,
        location: String,
        places: u32,
        open: u32,
    }
    struct Whole<'a>(&'a Plan, &'a Messages);
    impl Serialize for Whole<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let (p, m) = (self.0, self.1);
            let mut map = s.serialize_map(None)?;
            map.serialize_entry("schema", p.schema)?;
            map.serialize_entry("organization", &p.organization)?;
            map.serialize_entry("policy", &p.policy)?;
            map.serialize_entry("crqc_year", &p.crqc_year)?;
            map.serialize_entry("year", &p.year)?;
            map.serialize_entry("run", &p.run)?;
            map.serialize_entry("totals", &p.totals)?;
            map.serialize_entry(
                "systems",
                &Seq(p.systems.len(), |i: usize| system_json(m, &p.systems[i])),
            )?;
            map.serialize_entry("waves", &p.waves)?;
            map.serialize_entry(
                "actions",
                &Seq(p.actions.len(), |i: usize| {
                    let a = &p.actions[i];
                    ActionJson {
                        action: a,
                        key: a.key(),
                        text: action_text(m, a),
                    }
                }),
            )?;
            map.serialize_entry("progress", &p.progress)?;
            map.serialize_entry("unattributed", &p.unattributed)?;
            map.serialize_entry(
                "assets",
                &Seq(p.rows.len(), |i: usize| {
                    let r: &mamori_plan::assess::AssetRow = &p.rows[i];
                    let a = &p.scan.assets[r.asset];
                    AssetJson {
                        system: &p.systems[r.system].id,
                        asset: &a.id,
                        name: &a.name,
                        kind: a.kind.as_str(),
                        state: r.state,
                        concern: r.concern,
                        origin: r.origin,
                        location: r.first_place(&p.scan, &p.places),
                        places: r.places,
                        open: r.open,
                    }
                }),
            )?;
            map.end()
        }
    }
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut w, &Whole(p, m))?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}
