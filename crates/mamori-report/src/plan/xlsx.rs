//! The plan as an Excel workbook (Office Open XML, written by rust_xlsxwriter): sheets for
//! the summary, the systems, the roadmap's actions, every asset judgement, and progress.
//! Large sheets are written in constant-memory mode; a sheet that would pass Excel's
//! 1,048,576-row limit stops there and the summary says so.

use mamori_i18n::Messages;
use mamori_plan::plan::Plan;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{
    action_headers, action_row, asset_headers, asset_rows, header_lines, progress_line,
    systems_table, title,
};

/// Rows Excel can hold, headers included.
const EXCEL_ROWS: u32 = 1_048_576;

fn header(ws: &mut Worksheet, headers: &[String], bold: &Format) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Cells that look like numbers are written as numbers (counts, years, scores).
fn cell(ws: &mut Worksheet, r: u32, c: u16, v: &str) -> Result<(), XlsxError> {
    let numeric = !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && (!v.starts_with('0') || v == "0");
    match v.parse::<f64>() {
        Ok(n) if numeric => ws.write_number(r, c, n)?,
        _ => ws.write_string(r, c, v)?,
    };
    Ok(())
}

/// A sheet in constant-memory mode: headers, then `rows` up to Excel's limit.
fn big_sheet(
    wb: &mut Workbook,
    name: &str,
    widths: &[(u16, f64)],
    headers: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    bold: &Format,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    for &(c, w) in widths {
        ws.set_column_width(c, w)?;
    }
    header(ws, headers, bold)?;
    for (r, cells) in rows.enumerate().take(EXCEL_ROWS as usize - 1) {
        for (c, v) in cells.iter().enumerate() {
            cell(ws, r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(())
}

/// The workbook's bytes.
pub fn plan_xlsx(p: &Plan, m: &Messages, ja: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let big = Format::new().set_bold().set_font_size(14);
    let sheet = |k: &str| m.t(&format!("plan.sheet.{k}"));

    // Summary.
    let ws = wb.add_worksheet();
    ws.set_name(sheet("summary"))?;
    ws.write_string_with_format(0, 0, title(p, m), &big)?;
    let mut row = 2;
    for l in header_lines(p, m, ja) {
        ws.write_string(row, 0, l)?;
        row += 1;
    }
    ws.write_string(row, 0, progress_line(p, m))?;
    row += 2;
    ws.write_string_with_format(row, 0, m.t("plan.waves"), &bold)?;
    row += 1;
    let wave_cols = ["wave", "start", "deadline", "system", "action", "assets"];
    for (c, k) in wave_cols.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, m.t(&format!("plan.col.{k}")), &bold)?;
    }
    row += 1;
    for w in &p.waves {
        ws.write_number(row, 0, w.number)?;
        ws.write_number(row, 1, w.start)?;
        ws.write_number(row, 2, w.end)?;
        ws.write_number(row, 3, w.systems.len() as f64)?;
        ws.write_number(row, 4, w.actions)?;
        ws.write_number(row, 5, w.assets)?;
        row += 1;
    }
    let assets_total = p.rows.len() as u64;
    if assets_total >= u64::from(EXCEL_ROWS) {
        row += 1;
        ws.write_string(
            row,
            0,
            m.get(
                "plan.sheet.truncated",
                &[
                    ("shown", (EXCEL_ROWS - 1).to_string()),
                    ("total", assets_total.to_string()),
                ],
            ),
        )?;
    }
    ws.set_column_width(0, 110)?;

    // Systems.
    let t = systems_table(p, m);
    let ws = wb.add_worksheet();
    ws.set_name(sheet("systems"))?;
    header(ws, &t.headers, &bold)?;
    for (r, cells) in t.rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            cell(ws, r as u32 + 1, c as u16, v)?;
        }
    }
    ws.set_column_width(1, 30)?;
    ws.set_column_width(12, 100)?;
    ws.autofilter(0, 0, t.rows.len() as u32, t.headers.len() as u16 - 1)?;

    // Actions and assets: a million rows each at most, written as they come.
    big_sheet(
        &mut wb,
        &sheet("actions"),
        &[(4, 100.0), (5, 40.0)],
        &action_headers(m),
        p.actions.iter().map(|a| action_row(m, a)),
        &bold,
    )?;
    big_sheet(
        &mut wb,
        &sheet("assets"),
        &[(1, 30.0), (7, 60.0)],
        &asset_headers(m),
        asset_rows(p, m),
        &bold,
    )?;

    // Progress.
    let ws = wb.add_worksheet();
    ws.set_name(sheet("progress"))?;
    let hs: Vec<String> = ["run", "date", "open"]
        .iter()
        .map(|k| m.t(&format!("plan.col.{k}")))
        .collect();
    header(ws, &hs, &bold)?;
    for (r, pt) in p.progress.iter().enumerate() {
        ws.write_number(r as u32 + 1, 0, pt.run as f64)?;
        ws.write_string(r as u32 + 1, 1, &pt.date)?;
        ws.write_number(r as u32 + 1, 2, pt.open)?;
    }
    wb.save_to_buffer()
}
