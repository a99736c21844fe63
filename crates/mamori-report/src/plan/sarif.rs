//! SARIF 2.1.0 for the plan's findings in source code: every place in code where a system
//! uses cryptography that is broken today or falls to a quantum computer, with the system's
//! priority and deadline, for code-scanning tools (GitHub code scanning, SonarQube, IDEs).

use mamori_i18n::Messages;
use mamori_plan::assess::{Origin, State};
use mamori_plan::plan::Plan;
use serde_json::{json, Value};
use std::path::Path;

const RULES: [(&str, State, &str); 2] = [
    ("mamori/pqc/broken-in-code", State::Broken, "error"),
    (
        "mamori/pqc/quantum-vulnerable-in-code",
        State::Vulnerable,
        "warning",
    ),
];

/// A path as a SARIF artifact URI: relative to `base` when under it (how code-scanning
/// tools match files to a repository), else an absolute `file://` URI.
pub(crate) fn uri(path: &str, base: Option<&Path>) -> (String, bool) {
    if let Some(b) = base {
        if let Ok(rel) = Path::new(path).strip_prefix(b) {
            return (escape(&rel.to_string_lossy()), true);
        }
    }
    if path.starts_with('/') {
        (format!("file://{}", escape(path)), false)
    } else {
        (escape(path), true)
    }
}

/// Percent-encodes what may not appear in a URI path.
fn escape(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The SARIF log. `base` is the directory relative URIs are taken from (the repository root).
pub fn plan_sarif(p: &Plan, m: &Messages, version: &str, base: Option<&Path>) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, state, level)| {
            json!({
                "id": id,
                "name": id.rsplit('/').next().unwrap_or(id),
                "shortDescription": {"text": m.t(&format!("plan.sarif.rule.{}", state.as_str()))},
                "fullDescription": {"text": m.t(&format!("plan.sarif.help.{}", state.as_str()))},
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["security", "cryptography", "post-quantum"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut relative = true;
    for r in &p.rows {
        let Some(rule) = RULES.iter().position(|(_, st, _)| *st == r.state) else {
            continue;
        };
        let a = &p.scan.assets[r.asset];
        let sys = &p.systems[r.system];
        let name = a
            .algorithm
            .as_ref()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| a.name.clone());
        // Only this system's places of a shared asset, and of those the ones in the
        // system's own code.
        for o in r.occurrences(&p.scan, &p.places) {
            if Origin::of(o) != Origin::Code {
                continue;
            }
            let (u, rel) = uri(&o.location.path, base);
            relative &= rel;
            let mut region = json!({});
            if let Some(l) = o.location.line {
                region["startLine"] = json!(l);
            }
            let mut phys = json!({"artifactLocation": {"uri": u}});
            if rel && base.is_some() {
                phys["artifactLocation"]["uriBaseId"] = json!("SRCROOT");
            }
            if o.location.line.is_some() {
                phys["region"] = region;
            }
            results.push(json!({
                "ruleId": RULES[rule].0,
                "ruleIndex": rule,
                "level": RULES[rule].2,
                "message": {"text": m.get(&format!("plan.sarif.message.{}", r.state.as_str()), &[
                    ("name", name.clone()),
                    ("context", o.context.clone().unwrap_or_default()),
                    ("system", sys.id.clone()),
                    ("priority", sys.priority.as_str().to_string()),
                    ("deadline", sys.deadline.map(|d| d.to_string()).unwrap_or_else(|| "-".into())),
                ])},
                "locations": [{"physicalLocation": phys}],
                "partialFingerprints": {"mamori/v1": format!("{}|{}|{}", a.id, o.location.path, o.location.line.unwrap_or(0))},
                "properties": {
                    "system": sys.id,
                    "priority": sys.priority.as_str(),
                    "deadline": sys.deadline,
                    "asset": a.id,
                },
            }));
        }
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "mamori",
            "version": version,
            "informationUri": "https://github.com/mamori-dev/mamori",
            "rules": rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    if let (Some(b), true) = (base, relative) {
        run["originalUriBaseIds"] =
            json!({"SRCROOT": {"uri": format!("file://{}/", escape(&b.to_string_lossy()))}});
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}
