//! The one registry of output formats: every document mamori writes, which of them a run
//! (`mamori scan -o`, `mamori show`, the server's exports) and a plan (`mamori plan`) can
//! be written in, and the one writer of each.
//!
//! ```
//! use mamori_report::formats::{write_run, Format, RunOptions};
//! let f: Format = "cyclonedx".parse().unwrap();
//! assert!(f.spec().run && !f.spec().binary);
//! let mut out = Vec::new();
//! write_run(f, &mamori_model::ScanResult::default(), &RunOptions::default(), &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"specVersion\": \"1.6\""));
//! ```

use std::io::Write;

use mamori_model::ScanResult;
use mamori_plan::plan::Plan;

use crate::{Lang, Messages, TextOptions};

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The terminal summary.
    Text,
    /// mamori's own JSON (docs/json-schema.md; the plan's: docs/plan-schema.md).
    Json,
    /// CycloneDX 1.6 JSON: SBOM, CBOM and vulnerabilities in one document.
    CycloneDx,
    /// SPDX 2.3 JSON: the software components and their relationships.
    Spdx,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// An Excel workbook.
    Xlsx,
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// CSV of one table.
    Csv,
}

/// What the registry knows of a format.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The format.
    pub format: Format,
    /// Its name on the command line and in the API (`?format=`).
    pub name: &'static str,
    /// Other names accepted for it.
    pub aliases: &'static [&'static str],
    /// One line on what it is.
    pub about: &'static str,
    /// Its media type.
    pub media_type: &'static str,
    /// The file name ending of a file in it.
    pub extension: &'static str,
    /// Bytes that a terminal must not be sent.
    pub binary: bool,
    /// A run can be written in it.
    pub run: bool,
    /// A plan can be written in it.
    pub plan: bool,
}

/// Every format, in the order help texts list them.
pub static FORMATS: [Spec; 9] = [
    Spec {
        format: Format::Text,
        name: "text",
        aliases: &[],
        about: "the terminal summary",
        media_type: "text/plain; charset=utf-8",
        extension: "txt",
        binary: false,
        run: true,
        plan: true,
    },
    Spec {
        format: Format::Json,
        name: "json",
        aliases: &[],
        about: "mamori's own JSON (docs/json-schema.md, docs/plan-schema.md)",
        media_type: "application/json",
        extension: "json",
        binary: false,
        run: true,
        plan: true,
    },
    Spec {
        format: Format::CycloneDx,
        name: "cyclonedx",
        aliases: &["cdx"],
        about: "CycloneDX 1.6 JSON: SBOM, CBOM and vulnerabilities in one document",
        media_type: "application/vnd.cyclonedx+json",
        extension: "cdx.json",
        binary: false,
        run: true,
        plan: false,
    },
    Spec {
        format: Format::Spdx,
        name: "spdx",
        aliases: &[],
        about: "SPDX 2.3 JSON: the software components and their relationships",
        media_type: "application/spdx+json",
        extension: "spdx.json",
        binary: false,
        run: true,
        plan: false,
    },
    Spec {
        format: Format::Sarif,
        name: "sarif",
        aliases: &[],
        about: "SARIF 2.1.0 for code-scanning tools",
        media_type: "application/sarif+json",
        extension: "sarif",
        binary: false,
        run: true,
        plan: true,
    },
    Spec {
        format: Format::Xlsx,
        name: "xlsx",
        aliases: &[],
        about: "an Excel workbook",
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extension: "xlsx",
        binary: true,
        run: true,
        plan: true,
    },
    Spec {
        format: Format::Html,
        name: "html",
        aliases: &[],
        about: "one self-contained HTML page with SVG charts",
        media_type: "text/html; charset=utf-8",
        extension: "html",
        binary: false,
        run: false,
        plan: true,
    },
    Spec {
        format: Format::Markdown,
        name: "md",
        aliases: &["markdown"],
        about: "Markdown",
        media_type: "text/markdown; charset=utf-8",
        extension: "md",
        binary: false,
        run: false,
        plan: true,
    },
    Spec {
        format: Format::Csv,
        name: "csv",
        aliases: &[],
        about: "CSV of one table",
        media_type: "text/csv; charset=utf-8",
        extension: "csv",
        binary: false,
        run: false,
        plan: true,
    },
];

impl Format {
    /// What the registry knows of it.
    pub fn spec(self) -> &'static Spec {
        // Every variant has its entry (a test holds the table to the enum).
        FORMATS
            .iter()
            .find(|s| s.format == self)
            .unwrap_or(&FORMATS[0])
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The formats a run can be written in.
    pub fn for_run() -> impl Iterator<Item = &'static Spec> {
        FORMATS.iter().filter(|s| s.run)
    }

    /// The formats a plan can be written in.
    pub fn for_plan() -> impl Iterator<Item = &'static Spec> {
        FORMATS.iter().filter(|s| s.plan)
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        let lower = s.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|f| f.name == lower || f.aliases.contains(&lower.as_str()))
            .map(|f| f.format)
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?}: use one of {}",
                    FORMATS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The format does not fit the document.
    #[error("{what} cannot be written as {format}: use one of {}", .supported.join(", "))]
    Unsupported {
        /// The format asked for.
        format: &'static str,
        /// `a run`, `a plan`.
        what: &'static str,
        /// The formats it can be written in.
        supported: Vec<&'static str>,
    },
    /// Writing failed.
    #[error("cannot write the {format} document: {error}")]
    Write {
        /// The format.
        format: &'static str,
        /// What went wrong.
        error: String,
    },
}

fn failed(format: Format) -> impl Fn(String) -> WriteError {
    move |error| WriteError::Write {
        format: format.name(),
        error,
    }
}

/// How a run is written.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The stored run it is (`None`: not stored).
    pub run: Option<i64>,
    /// mamori's version, named as the tool in the documents.
    pub version: String,
    /// Language of the text summary and the workbook.
    pub lang: Lang,
    /// The text summary's options (its `lang` is this `lang`).
    pub text: TextOptions,
    /// What makes an SPDX document's namespace unique (the run, targets, time).
    pub spdx_seed: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            run: None,
            version: String::new(),
            lang: Lang::En,
            text: TextOptions::default(),
            spdx_seed: String::new(),
        }
    }
}

/// Writes `scan` in `format` to `w`.
pub fn write_run(
    format: Format,
    scan: &ScanResult,
    o: &RunOptions,
    w: &mut dyn Write,
) -> Result<(), WriteError> {
    let err = failed(format);
    let pretty = |w: &mut dyn Write, v: &serde_json::Value| -> Result<(), WriteError> {
        serde_json::to_writer_pretty(&mut *w, v).map_err(|e| err(e.to_string()))?;
        w.write_all(b"\n").map_err(|e| err(e.to_string()))
    };
    match format {
        Format::Text => {
            let text = crate::text(
                scan,
                &TextOptions {
                    lang: o.lang,
                    ..o.text.clone()
                },
            );
            w.write_all(text.as_bytes()).map_err(|e| err(e.to_string()))
        }
        Format::Json => {
            crate::write_json(scan, o.run, &mut *w).map_err(|e| err(e.to_string()))?;
            w.write_all(b"\n").map_err(|e| err(e.to_string()))
        }
        Format::CycloneDx => pretty(w, &crate::cyclonedx(scan, &o.version)),
        Format::Spdx => pretty(w, &crate::spdx23(scan, &o.version, &o.spdx_seed)),
        Format::Sarif => pretty(w, &crate::sarif(scan, &o.version)),
        Format::Xlsx => {
            let book =
                crate::run_xlsx(scan, &Messages::new(o.lang)).map_err(|e| err(e.to_string()))?;
            w.write_all(&book).map_err(|e| err(e.to_string()))
        }
        Format::Html | Format::Markdown | Format::Csv => Err(WriteError::Unsupported {
            format: format.name(),
            what: "a run",
            supported: Format::for_run().map(|s| s.name).collect(),
        }),
    }
}

/// How a plan is written.
#[derive(Clone)]
pub struct PlanOptions<'a> {
    /// The words.
    pub messages: &'a Messages,
    /// Their language (the page's and workbook's layout follows it).
    pub lang: Lang,
    /// mamori's version, named as the tool in SARIF.
    pub version: &'a str,
    /// Actions the terminal summary lists.
    pub max_actions: usize,
    /// Which table CSV writes.
    pub table: crate::plan::CsvTable,
    /// The directory SARIF locations are made relative to.
    pub base: Option<&'a std::path::Path>,
}

/// Writes `plan` in `format` to `w`.
pub fn write_plan(
    format: Format,
    plan: &Plan,
    o: &PlanOptions<'_>,
    w: &mut dyn Write,
) -> Result<(), WriteError> {
    use crate::plan as rp;
    let err = failed(format);
    let m = o.messages;
    let ja = o.lang == Lang::Ja;
    let io = |r: std::io::Result<()>| r.map_err(|e| err(e.to_string()));
    match format {
        Format::Text => io(w.write_all(rp::plan_text(plan, m, ja, o.max_actions).as_bytes())),
        Format::Markdown => io(w.write_all(rp::plan_md(plan, m, ja).as_bytes())),
        Format::Html => io(w.write_all(rp::plan_html(plan, m, ja).as_bytes())),
        Format::Json => io(rp::plan_json(plan, m, &mut *w)),
        Format::Sarif => {
            let v = rp::plan_sarif(plan, m, o.version, o.base);
            serde_json::to_writer_pretty(&mut *w, &v).map_err(|e| err(e.to_string()))?;
            io(w.write_all(b"\n"))
        }
        Format::Csv => io(rp::plan_csv(plan, m, o.table, &mut *w)),
        Format::Xlsx => {
            let book = rp::plan_xlsx(plan, m, ja).map_err(|e| err(e.to_string()))?;
            io(w.write_all(&book))
        }
        Format::CycloneDx | Format::Spdx => Err(WriteError::Unsupported {
            format: format.name(),
            what: "a plan",
            supported: Format::for_plan().map(|s| s.name).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_one_entry_and_names_parse_back() {
        let all = [
            Format::Text,
            Format::Json,
            Format::CycloneDx,
            Format::Spdx,
            Format::Sarif,
            Format::Xlsx,
            Format::Html,
            Format::Markdown,
            Format::Csv,
        ];
        for f in all {
            assert_eq!(FORMATS.iter().filter(|s| s.format == f).count(), 1, "{f:?}");
            assert_eq!(f.spec().format, f);
            assert_eq!(f.name().parse::<Format>(), Ok(f));
            for a in f.spec().aliases {
                assert_eq!(a.parse::<Format>(), Ok(f));
            }
        }
        assert_eq!("CycloneDX".parse::<Format>(), Ok(Format::CycloneDx));
        let e = "pdf".parse::<Format>().unwrap_err();
        assert!(e.contains("pdf") && e.contains("cyclonedx"), "{e}");
    }

    #[test]
    fn a_run_refuses_a_plan_only_format_naming_the_ones_it_takes() {
        let e = write_run(
            Format::Csv,
            &ScanResult::default(),
            &RunOptions::default(),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("csv") && e.contains("sarif") && !e.contains("html"),
            "{e}"
        );
    }

    #[test]
    fn every_run_format_writes_a_document() {
        for s in Format::for_run() {
            let mut out = Vec::new();
            write_run(
                s.format,
                &ScanResult::default(),
                &RunOptions::default(),
                &mut out,
            )
            .unwrap();
            assert!(!out.is_empty(), "{}", s.name);
            if !s.binary && s.format != Format::Text {
                let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
                assert!(v.is_object(), "{}", s.name);
            }
        }
    }
}
