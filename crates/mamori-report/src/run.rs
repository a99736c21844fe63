//! A run's findings for other tools: SARIF 2.1.0 (every finding and active vulnerability at
//! its place) and an XLSX workbook (findings, crypto assets, components, vulnerabilities),
//! the exports of the server's runs.

use mamori_i18n::Messages;
use mamori_model::{ScanResult, Severity};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn level(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical | Severity::High) | None => "error",
        Some(Severity::Medium) => "warning",
        Some(Severity::Low | Severity::Info) => "note",
    }
}

/// GitHub's `security-severity` (0–10) of a severity.
fn security_severity(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "9.5",
        Some(Severity::High) => "8.0",
        Some(Severity::Medium) => "5.5",
        Some(Severity::Low) => "3.0",
        Some(Severity::Info) => "0.0",
        None => "7.0",
    }
}

fn location(loc: &mamori_model::Location) -> Value {
    let (uri, _) = crate::plan::sarif_uri(&loc.path, None);
    let mut phys = json!({"artifactLocation": {"uri": uri}});
    if let Some(l) = loc.line.filter(|l| *l > 0) {
        phys["region"] = json!({"startLine": l});
    } else if let Some(o) = loc.offset {
        phys["region"] = json!({"byteOffset": o});
    }
    let mut out = json!({"physicalLocation": phys});
    if let Some(c) = &loc.container {
        out["logicalLocations"] = json!([{"name": c, "kind": "module"}]);
    }
    out
}

/// The run as a SARIF 2.1.0 log: rules are finding codes and advisory ids.
pub fn sarif(r: &ScanResult, version: &str) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let mut rule =
        |id: &str, short: &str, help: &str, sev: Option<Severity>, tags: &[&str]| -> usize {
            if let Some(&i) = index.get(id) {
                return i;
            }
            rules.push(json!({
                "id": id,
                "shortDescription": {"text": short},
                "help": {"text": help},
                "defaultConfiguration": {"level": level(sev)},
                "properties": {"tags": tags, "security-severity": security_severity(sev)},
            }));
            index.insert(id.to_string(), rules.len() - 1);
            rules.len() - 1
        };
    for f in &r.findings {
        let i = rule(
            &f.code,
            &f.code,
            &f.remediation,
            Some(f.severity),
            &["security", "cryptography"],
        );
        results.push(json!({
            "ruleId": f.code,
            "ruleIndex": i,
            "level": level(Some(f.severity)),
            "message": {"text": f.message},
            "locations": [location(&f.location)],
            "partialFingerprints": {"mamori/v1": f.key()},
            "properties": {"system": f.system, "asset": f.asset_name},
        }));
    }
    for v in r.vulnerabilities.iter().filter(|v| v.active()) {
        let help = match &v.fixed {
            Some(fx) => format!("upgrade {} to {fx} or later", v.component_name),
            None => format!("no fixed version of {} is known", v.component_name),
        };
        let i = rule(
            &v.id,
            &v.summary,
            &help,
            v.severity,
            &["security", "vulnerability"],
        );
        results.push(json!({
            "ruleId": v.id,
            "ruleIndex": i,
            "level": level(v.severity),
            "message": {"text": format!("{} {}: {}", v.component_name, v.component_version, v.summary)},
            "locations": [location(&v.location)],
            "partialFingerprints": {"mamori/v1": v.key()},
            "properties": {"system": v.system, "purl": v.component, "aliases": v.aliases},
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mamori",
                "version": version,
                "informationUri": "https://github.com/mamori-project/mamori",
                "rules": rules,
            }},
            "results": results,
        }]
    })
}

/// Excel's rows per sheet.
const EXCEL_ROWS: usize = 1_048_576;

/// The run as a workbook: Findings, Crypto assets, Components, Vulnerabilities.
pub fn run_xlsx(r: &ScanResult, m: &Messages) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = |wb: &mut Workbook,
                 name: &str,
                 heads: &[&str],
                 rows: &mut dyn Iterator<Item = Vec<String>>|
     -> Result<(), XlsxError> {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(m.t(&format!("run.sheet.{name}")))?;
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, m.t(&format!("run.col.{h}")), &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, row) in rows.take(EXCEL_ROWS - 1).enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
        Ok(())
    };
    sheet(
        &mut wb,
        "findings",
        &[
            "severity", "code", "asset", "place", "system", "message", "fix",
        ],
        &mut r.findings.iter().map(|f| {
            vec![
                f.severity.as_str().to_string(),
                f.code.clone(),
                f.asset_name.clone(),
                f.location.to_string(),
                f.system.clone().unwrap_or_default(),
                m.render(
                    &m.finding_keys(&f.code, f.args.get("variant").map(String::as_str))
                        .0,
                    &f.args,
                ),
                m.render(
                    &m.finding_keys(&f.code, f.args.get("variant").map(String::as_str))
                        .1,
                    &f.args,
                ),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        "assets",
        &["asset", "kind", "status", "place", "places"],
        &mut r.assets.iter().map(|a| {
            vec![
                a.name.clone(),
                a.kind.as_str().to_string(),
                a.status().as_str().to_string(),
                a.occurrences
                    .first()
                    .map(|o| o.location.to_string())
                    .unwrap_or_default(),
                a.occurrences.len().to_string(),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        "components",
        &["purl", "name", "version", "ecosystem", "license", "place"],
        &mut r.components.iter().map(|c| {
            vec![
                c.purl.clone(),
                c.name.clone(),
                c.version.clone().unwrap_or_default(),
                c.ecosystem.clone(),
                c.license.clone().unwrap_or_default(),
                c.occurrences
                    .first()
                    .map(|o| o.location.to_string())
                    .unwrap_or_default(),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        "vulnerabilities",
        &[
            "advisory", "severity", "purl", "fixed", "place", "system", "summary",
        ],
        &mut r.vulnerabilities.iter().filter(|v| v.active()).map(|v| {
            vec![
                v.id.clone(),
                v.severity.map(|s| s.as_str()).unwrap_or("").to_string(),
                v.component.clone(),
                v.fixed.clone().unwrap_or_default(),
                v.location.to_string(),
                v.system.clone().unwrap_or_default(),
                v.summary.clone(),
            ]
        }),
    )?;
    wb.save_to_buffer()
}
