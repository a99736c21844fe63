//! VEX: statements from software suppliers (or the user) that a known vulnerability does or
//! does not affect a product, applied to the vulnerabilities a scan found.
//!
//! Three JSON formats are read, recognised by their content (never by the file name):
//! - **OpenVEX** (0.2.0, and the older 0.0.x shape with string vulnerabilities and products):
//!   `@context` naming openvex; `statements[]` with `vulnerability.name` + `aliases`,
//!   `products[]` (`@id` or `identifiers.purl`, with `subcomponents`), `status`,
//!   `justification`, `impact_statement`, `action_statement` and timestamps (a statement's own
//!   `last_updated`/`timestamp`, else the document's).
//! - **CycloneDX VEX** (1.4 – 1.6 JSON): `vulnerabilities[]` with `id` (+ `references[].id` as
//!   aliases), `analysis.state` / `justification` / `detail`, and `affects[].ref`, a bom-ref
//!   resolved to a purl through the document's `components` (and `metadata.component`), or
//!   itself a purl. BOM-Links (`urn:cdx:…#ref`) into another BOM cannot be resolved without
//!   that SBOM unless the ref after `#` is a purl; they are reported in a warning.
//!   `affects[].versions[]` entries with an exact `version` give one statement per version;
//!   `range` entries (`vers:`) are not evaluated (warning).
//! - **CSAF 2.0** (VEX profile, `document.category` `csaf_vex`): the `product_tree`
//!   (branches, `full_product_names`, `relationships`, `product_groups`) maps product ids to
//!   purls through `product_identification_helper.purl`; `vulnerabilities[]` give `cve` and
//!   `ids[]`, `product_status` buckets, `flags[].label` (justification) and
//!   `threats[category=impact].details`. Products known only by a CPE are counted in a warning.
//!
//! Each statement is flattened to one vulnerability (with aliases), one product purl and one
//! status in OpenVEX words. [`VexSet::apply`] then marks findings: a statement applies when
//! one of its ids equals the finding's id or one of its aliases (case-insensitive) and its purl
//! matches the finding's component (see [`Statement::matches_purl`]). Among the statements
//! that apply to a finding the latest one wins (OpenVEX: statements are a sequence in time;
//! equal or missing timestamps fall back to load order): `not_affected` and `fixed` suppress
//! the finding, `affected` and `under_investigation` leave it (or make it again) active.
//!
//! ```
//! use mamori_vuln::vex::{VexDoc, VexSet};
//! let doc = VexDoc::parse(br#"{"@context": "https://openvex.dev/ns/v0.2.0",
//!   "timestamp": "2024-01-01T00:00:00Z",
//!   "statements": [{"vulnerability": {"name": "CVE-2023-44487"},
//!     "products": [{"@id": "pkg:golang/golang.org/x/net"}],
//!     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
//!   "net.openvex.json").unwrap();
//! assert_eq!(doc.statements.len(), 1);
//! let mut set = VexSet::new();
//! set.add(doc);
//! assert_eq!(set.len(), 1);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use mamori_model::purl::Purl;
use mamori_model::{VexStatus, Vulnerability};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The format a VEX document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexFormat {
    /// OpenVEX (openvex.dev).
    OpenVex,
    /// CycloneDX with `vulnerabilities[].analysis`.
    CycloneDx,
    /// CSAF 2.0 (VEX profile).
    Csaf,
}

impl VexFormat {
    /// Human name of the format.
    pub fn name(self) -> &'static str {
        match self {
            VexFormat::OpenVex => "OpenVEX",
            VexFormat::CycloneDx => "CycloneDX",
            VexFormat::Csaf => "CSAF",
        }
    }
}

impl fmt::Display for VexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The status a statement gives, in OpenVEX words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The product is not affected (CycloneDX `not_affected`/`false_positive`, CSAF
    /// `known_not_affected`).
    NotAffected,
    /// The product is affected (CycloneDX `exploitable`, CSAF `known_affected`,
    /// `first_affected`, `last_affected`).
    Affected,
    /// The product contains a fix (CycloneDX `resolved`/`resolved_with_pedigree`, CSAF
    /// `fixed`/`first_fixed`).
    Fixed,
    /// Not known yet (CycloneDX `in_triage`).
    UnderInvestigation,
}

impl Status {
    /// The OpenVEX word: `not_affected`, `affected`, `fixed`, `under_investigation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether a finding this status applies to stops counting.
    pub fn suppresses(self) -> bool {
        matches!(self, Status::NotAffected | Status::Fixed)
    }

    fn from_openvex(s: &str) -> Option<Status> {
        match s {
            "not_affected" => Some(Status::NotAffected),
            "affected" => Some(Status::Affected),
            "fixed" => Some(Status::Fixed),
            "under_investigation" => Some(Status::UnderInvestigation),
            _ => None,
        }
    }

    fn from_cyclonedx(s: &str) -> Option<Status> {
        match s {
            "not_affected" | "false_positive" => Some(Status::NotAffected),
            "exploitable" => Some(Status::Affected),
            "resolved" | "resolved_with_pedigree" => Some(Status::Fixed),
            "in_triage" => Some(Status::UnderInvestigation),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One VEX statement about one vulnerability in one product (a purl).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The vulnerability's main id as the document names it.
    pub vulnerability: String,
    /// Other ids of the same vulnerability given by the document.
    pub aliases: Vec<String>,
    /// The product (or subcomponent) as a canonical purl.
    pub product: String,
    /// The status.
    pub status: Status,
    /// Why: the justification label and the impact statement / detail, joined by `": "`.
    pub justification: Option<String>,
    /// What to do (OpenVEX `action_statement`).
    pub action: Option<String>,
    /// When the statement was made, as written (RFC 3339), own or inherited from the document.
    pub timestamp: Option<String>,
    /// The VEX document it came from (the name given to [`VexDoc::parse`]).
    pub source: String,
    purl: Purl,
    time: Option<i128>,
}

impl Statement {
    /// Whether the statement's product covers a component purl: same type, namespace and name;
    /// the same version when the statement gives one (any version when it gives none); the
    /// statement's qualifiers and subpath, when it has any, present with the same values.
    /// Go versions compare with or without their leading `v`.
    pub fn matches_purl(&self, purl: &str) -> bool {
        match Purl::parse(purl) {
            Ok(p) => purl_covers(&self.purl, &p),
            Err(_) => self.product == purl,
        }
    }

    /// Whether `id` names the statement's vulnerability (its id or an alias, ignoring case).
    pub fn names(&self, id: &str) -> bool {
        self.vulnerability.eq_ignore_ascii_case(id)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }
}

fn purl_covers(stmt: &Purl, found: &Purl) -> bool {
    if stmt.ty != found.ty || stmt.namespace != found.namespace || stmt.name != found.name {
        return false;
    }
    if let Some(v) = &stmt.version {
        let Some(fv) = &found.version else {
            return false;
        };
        let same = if stmt.ty == "golang" {
            v.strip_prefix('v').unwrap_or(v) == fv.strip_prefix('v').unwrap_or(fv)
        } else {
            v == fv
        };
        if !same {
            return false;
        }
    }
    if !stmt
        .qualifiers
        .iter()
        .all(|(k, v)| found.qualifiers.get(k) == Some(v))
    {
        return false;
    }
    match &stmt.subpath {
        Some(s) => found.subpath.as_ref() == Some(s),
        None => true,
    }
}

/// A parsed VEX document.
#[derive(Debug, Clone, PartialEq)]
pub struct VexDoc {
    /// Its format.
    pub format: VexFormat,
    /// The name it was parsed under (usually the file path).
    pub source: String,
    /// Its statements, one per vulnerability and product purl, in document order.
    pub statements: Vec<Statement>,
    /// What could not be used (products without a purl, unknown statuses …); the document is
    /// still usable.
    pub warnings: Vec<String>,
}

/// Why a VEX document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VexError {
    /// Not JSON, or truncated.
    Json {
        /// The document's name.
        source: String,
        /// What the JSON parser said.
        message: String,
    },
    /// JSON, but none of OpenVEX, CycloneDX or CSAF.
    UnknownFormat {
        /// The document's name.
        source: String,
    },
    /// Recognised, but a field has the wrong type or shape.
    Invalid {
        /// The document's name.
        source: String,
        /// The format recognised.
        format: VexFormat,
        /// What was wrong.
        message: String,
    },
}

impl fmt::Display for VexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VexError::Json { source, message } => {
                write!(f, "{source}: not a valid JSON document: {message}")
            }
            VexError::UnknownFormat { source } => write!(
                f,
                "{source}: not a VEX document (neither OpenVEX, CycloneDX nor CSAF)"
            ),
            VexError::Invalid {
                source,
                format,
                message,
            } => write!(f, "{source}: invalid {format} document: {message}"),
        }
    }
}

impl std::error::Error for VexError {}

// ---------------------------------------------------------------------------------------------
// Detection

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "@context", default)]
    context: Option<Value>,
    #[serde(rename = "bomFormat", default)]
    bom_format: Option<Value>,
    #[serde(default)]
    document: Option<Value>,
    #[serde(default)]
    statements: Option<IgnoredAny>,
}

fn detect(probe: &Probe) -> Option<VexFormat> {
    let names_openvex = |v: &Value| match v {
        Value::String(s) => s.to_ascii_lowercase().contains("openvex"),
        Value::Array(a) => a.iter().any(|x| {
            x.as_str()
                .is_some_and(|s| s.to_ascii_lowercase().contains("openvex"))
        }),
        _ => false,
    };
    if probe.context.as_ref().is_some_and(names_openvex) {
        return Some(VexFormat::OpenVex);
    }
    if probe
        .bom_format
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("CycloneDX"))
    {
        return Some(VexFormat::CycloneDx);
    }
    if let Some(Value::Object(doc)) = &probe.document {
        let csaf_category = doc
            .get("category")
            .and_then(Value::as_str)
            .is_some_and(|c| c.starts_with("csaf_"));
        if csaf_category || doc.contains_key("csaf_version") {
            return Some(VexFormat::Csaf);
        }
    }
    // OpenVEX before 0.2 had no @context.
    if probe.context.is_none() && probe.bom_format.is_none() && probe.statements.is_some() {
        return Some(VexFormat::OpenVex);
    }
    None
}

impl VexDoc {
    /// Parses a VEX document, recognising its format from its content. `source` names it in
    /// errors, warnings and in the [`VexStatus`] of the findings it suppresses.
    pub fn parse(bytes: &[u8], source: &str) -> Result<VexDoc, VexError> {
        let probe: Probe = match serde_json::from_slice(bytes) {
            Ok(p) => p,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                // Valid JSON, but not an object at the top.
                return Err(VexError::UnknownFormat {
                    source: source.to_string(),
                });
            }
            Err(e) => {
                return Err(VexError::Json {
                    source: source.to_string(),
                    message: e.to_string(),
                })
            }
        };
        let format = detect(&probe).ok_or_else(|| VexError::UnknownFormat {
            source: source.to_string(),
        })?;
        let invalid = |e: serde_json::Error| VexError::Invalid {
            source: source.to_string(),
            format,
            message: e.to_string(),
        };
        let mut b = Builder::new(source);
        match format {
            VexFormat::OpenVex => openvex(serde_json::from_slice(bytes).map_err(invalid)?, &mut b),
            VexFormat::CycloneDx => {
                cyclonedx(serde_json::from_slice(bytes).map_err(invalid)?, &mut b)
            }
            VexFormat::Csaf => csaf(serde_json::from_slice(bytes).map_err(invalid)?, &mut b),
        }
        Ok(b.finish(format))
    }
}

// ---------------------------------------------------------------------------------------------
// Building statements, collecting problems

/// What a format parser knows of a statement before it is flattened per product.
struct Draft<'a> {
    vulnerability: &'a str,
    aliases: Vec<String>,
    status: Status,
    justification: Option<String>,
    action: Option<String>,
    timestamp: Option<&'a str>,
}

struct Builder {
    source: String,
    statements: Vec<Statement>,
    warnings: Vec<String>,
    /// Things skipped, grouped by reason: (count, first example).
    skipped: BTreeMap<&'static str, (usize, String)>,
}

impl Builder {
    fn new(source: &str) -> Self {
        Builder {
            source: source.to_string(),
            statements: Vec::new(),
            warnings: Vec::new(),
            skipped: BTreeMap::new(),
        }
    }

    fn skip(&mut self, reason: &'static str, example: &str) {
        let e = self
            .skipped
            .entry(reason)
            .or_insert_with(|| (0, example.chars().take(160).collect()));
        e.0 += 1;
    }

    fn warn(&mut self, msg: String) {
        self.warnings.push(msg);
    }

    /// Adds the draft for one product purl (as written in the document).
    fn push(&mut self, d: &Draft<'_>, purl: &str) {
        match Purl::parse(purl) {
            Ok(p) => self.push_purl(d, p),
            Err(e) => {
                self.warn(format!("invalid purl {purl:?} ({e}): statement ignored"));
            }
        }
    }

    fn push_purl(&mut self, d: &Draft<'_>, purl: Purl) {
        let time = match d.timestamp {
            Some(t) => match OffsetDateTime::parse(t.trim(), &Rfc3339) {
                Ok(dt) => Some(dt.unix_timestamp_nanos()),
                Err(_) => {
                    self.skip(
                        "timestamps that are not RFC 3339 (statement kept, ordered as undated)",
                        t,
                    );
                    None
                }
            },
            None => None,
        };
        let mut aliases: Vec<String> = Vec::new();
        for a in &d.aliases {
            let a = a.trim();
            if !a.is_empty()
                && !a.eq_ignore_ascii_case(d.vulnerability)
                && !aliases.iter().any(|x| x.eq_ignore_ascii_case(a))
            {
                aliases.push(a.to_string());
            }
        }
        self.statements.push(Statement {
            vulnerability: d.vulnerability.trim().to_string(),
            aliases,
            product: purl.to_string(),
            status: d.status,
            justification: d.justification.clone(),
            action: d.action.clone(),
            timestamp: d.timestamp.map(str::to_string),
            source: self.source.clone(),
            purl,
            time,
        });
    }

    fn finish(mut self, format: VexFormat) -> VexDoc {
        for (reason, (n, example)) in std::mem::take(&mut self.skipped) {
            self.warnings
                .push(format!("{n} {reason} (first: {example:?})"));
        }
        VexDoc {
            format,
            source: self.source,
            statements: self.statements,
            warnings: self.warnings,
        }
    }
}

/// Joins the non-empty parts with `": "`.
fn join_why(parts: &[Option<&str>]) -> Option<String> {
    let v: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    (!v.is_empty()).then(|| v.join(": "))
}

fn is_purl(s: &str) -> bool {
    s.len() > 4 && s.is_char_boundary(4) && s[..4].eq_ignore_ascii_case("pkg:")
}

// ---------------------------------------------------------------------------------------------
// OpenVEX

#[derive(Deserialize)]
struct OvDoc {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    statements: Option<Vec<OvStatement>>,
}

#[derive(Deserialize)]
struct OvStatement {
    #[serde(default)]
    vulnerability: Option<OvVuln>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    products: Option<Vec<OvComponent>>,
    /// OpenVEX 0.0.x: subcomponents at the statement level.
    #[serde(default)]
    subcomponents: Option<Vec<OvComponent>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OvVuln {
    Name(String),
    Full {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        aliases: Option<Vec<String>>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OvComponent {
    Id(String),
    Full(OvComponentFull),
}

#[derive(Deserialize)]
struct OvComponentFull {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    identifiers: Option<OvIdentifiers>,
    #[serde(default)]
    subcomponents: Option<Vec<OvComponent>>,
}

#[derive(Deserialize)]
struct OvIdentifiers {
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    cpe22: Option<String>,
    #[serde(default)]
    cpe23: Option<String>,
}

/// The purl naming an OpenVEX component, or the reason it has none.
fn ov_purl(c: &OvComponent) -> Result<&str, (&'static str, String)> {
    match c {
        OvComponent::Id(s) if is_purl(s) => Ok(s),
        OvComponent::Id(s) => Err(("products not identified by a purl", s.clone())),
        OvComponent::Full(f) => {
            if let Some(p) = f.identifiers.as_ref().and_then(|i| i.purl.as_deref()) {
                return Ok(p);
            }
            if let Some(id) = f.id.as_deref().filter(|s| is_purl(s)) {
                return Ok(id);
            }
            let cpe = f
                .identifiers
                .as_ref()
                .and_then(|i| i.cpe23.as_deref().or(i.cpe22.as_deref()));
            match cpe {
                Some(c) => Err((
                    "products identified only by a CPE (CPE matching is not supported)",
                    c.to_string(),
                )),
                None => Err((
                    "products not identified by a purl",
                    f.id.clone().unwrap_or_else(|| "(no @id)".into()),
                )),
            }
        }
    }
}

fn openvex(doc: OvDoc, b: &mut Builder) {
    for (i, st) in doc.statements.unwrap_or_default().iter().enumerate() {
        let n = i + 1;
        let (name, aliases) = match &st.vulnerability {
            Some(OvVuln::Name(s)) => (Some(s.as_str()), Vec::new()),
            Some(OvVuln::Full { name, id, aliases }) => (
                name.as_deref().or(id.as_deref()),
                aliases.clone().unwrap_or_default(),
            ),
            None => (None, Vec::new()),
        };
        let Some(name) = name.filter(|s| !s.trim().is_empty()) else {
            b.warn(format!("statement {n} names no vulnerability: ignored"));
            continue;
        };
        let Some(status_word) = st.status.as_deref() else {
            b.warn(format!("statement {n} ({name}) has no status: ignored"));
            continue;
        };
        let Some(status) = Status::from_openvex(status_word) else {
            b.warn(format!(
                "statement {n} ({name}) has the unknown status {status_word:?}: ignored"
            ));
            continue;
        };
        let draft = Draft {
            vulnerability: name,
            aliases,
            status,
            justification: join_why(&[st.justification.as_deref(), st.impact_statement.as_deref()]),
            action: st
                .action_statement
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            timestamp: st
                .last_updated
                .as_deref()
                .or(st.timestamp.as_deref())
                .or(doc.timestamp.as_deref()),
        };
        let products = st.products.as_deref().unwrap_or_default();
        if products.is_empty() {
            b.warn(format!("statement {n} ({name}) lists no product: ignored"));
            continue;
        }
        let stmt_subs = st.subcomponents.as_deref().unwrap_or_default();
        for p in products {
            let subs: &[OvComponent] = match p {
                OvComponent::Full(f) => f.subcomponents.as_deref().unwrap_or_default(),
                OvComponent::Id(_) => &[],
            };
            let subs = if subs.is_empty() { stmt_subs } else { subs };
            // With subcomponents the statement is about them (where the vulnerability lives);
            // mamori cannot tell which product a component was shipped in.
            let targets: Vec<&OvComponent> = if subs.is_empty() {
                vec![p]
            } else {
                subs.iter().collect()
            };
            for t in targets {
                match ov_purl(t) {
                    Ok(purl) => b.push(&draft, purl),
                    Err((reason, example)) => b.skip(reason, &example),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

#[derive(Deserialize)]
struct CdxBom {
    #[serde(default)]
    metadata: Option<CdxMetadata>,
    #[serde(default)]
    components: Option<Vec<CdxComponent>>,
    #[serde(default)]
    vulnerabilities: Option<Vec<CdxVuln>>,
}

#[derive(Deserialize)]
struct CdxMetadata {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    component: Option<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxComponent {
    #[serde(rename = "bom-ref", default)]
    bom_ref: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    components: Option<Vec<CdxComponent>>,
}

#[derive(Deserialize)]
struct CdxVuln {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    references: Option<Vec<CdxReference>>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    analysis: Option<CdxAnalysis>,
    #[serde(default)]
    affects: Option<Vec<CdxAffects>>,
}

#[derive(Deserialize)]
struct CdxReference {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct CdxAnalysis {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(rename = "firstIssued", default)]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated", default)]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct CdxAffects {
    #[serde(rename = "ref", default)]
    reference: Option<String>,
    #[serde(default)]
    versions: Option<Vec<CdxVersion>>,
}

#[derive(Deserialize)]
struct CdxVersion {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

fn index_components<'a>(cs: &'a [CdxComponent], map: &mut HashMap<&'a str, Option<&'a str>>) {
    for c in cs {
        if let Some(r) = c.bom_ref.as_deref() {
            map.insert(r, c.purl.as_deref());
        }
        if let Some(sub) = &c.components {
            index_components(sub, map);
        }
    }
}

fn cyclonedx(bom: CdxBom, b: &mut Builder) {
    let mut refs: HashMap<&str, Option<&str>> = HashMap::new();
    if let Some(c) = bom.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        index_components(std::slice::from_ref(c), &mut refs);
    }
    index_components(bom.components.as_deref().unwrap_or_default(), &mut refs);
    let doc_time = bom.metadata.as_ref().and_then(|m| m.timestamp.as_deref());
    let vulns = bom.vulnerabilities.as_deref().unwrap_or_default();
    if vulns.is_empty() {
        b.warn("no vulnerabilities: a CycloneDX SBOM without VEX data".to_string());
    }
    for (i, v) in vulns.iter().enumerate() {
        let n = i + 1;
        let Some(id) = v.id.as_deref().filter(|s| !s.trim().is_empty()) else {
            b.warn(format!("vulnerability {n} has no id: ignored"));
            continue;
        };
        let Some(analysis) = &v.analysis else {
            b.skip("vulnerabilities without analysis (not VEX statements)", id);
            continue;
        };
        let Some(state) = analysis.state.as_deref() else {
            b.skip("vulnerabilities without analysis (not VEX statements)", id);
            continue;
        };
        let Some(status) = Status::from_cyclonedx(state) else {
            b.warn(format!(
                "vulnerability {n} ({id}) has the unknown analysis.state {state:?}: ignored"
            ));
            continue;
        };
        let aliases = v
            .references
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.id.clone())
            .collect();
        let draft = Draft {
            vulnerability: id,
            aliases,
            status,
            justification: join_why(&[
                analysis.justification.as_deref(),
                analysis.detail.as_deref(),
            ]),
            action: None,
            timestamp: analysis
                .last_updated
                .as_deref()
                .or(analysis.first_issued.as_deref())
                .or(v.updated.as_deref())
                .or(doc_time),
        };
        let affects = v.affects.as_deref().unwrap_or_default();
        if affects.is_empty() {
            b.warn(format!("vulnerability {n} ({id}) affects nothing: ignored"));
        }
        for a in affects {
            let Some(r) = a.reference.as_deref() else {
                b.skip("affects entries without a ref", id);
                continue;
            };
            let purl = match refs.get(r) {
                Some(Some(p)) => *p,
                Some(None) => {
                    b.skip("affects refs naming a component without a purl", r);
                    continue;
                }
                None if r.starts_with("urn:cdx:") => match r.split_once('#') {
                    Some((_, frag)) if is_purl(frag) => frag,
                    _ => {
                        b.skip(
                            "affects refs that are BOM-Links into another BOM (they cannot be resolved without that SBOM)",
                            r,
                        );
                        continue;
                    }
                },
                None if is_purl(r) => r,
                None => {
                    b.skip(
                        "affects refs that are neither a bom-ref of this document nor a purl",
                        r,
                    );
                    continue;
                }
            };
            cdx_push_versions(b, &draft, purl, a.versions.as_deref().unwrap_or_default());
        }
    }
}

/// One statement for the purl, or one per exact version listed.
fn cdx_push_versions(b: &mut Builder, draft: &Draft<'_>, purl: &str, versions: &[CdxVersion]) {
    if versions.is_empty() {
        b.push(draft, purl);
        return;
    }
    let base = match Purl::parse(purl) {
        Ok(p) => p,
        Err(e) => {
            b.warn(format!("invalid purl {purl:?} ({e}): statement ignored"));
            return;
        }
    };
    for v in versions {
        match (v.version.as_deref(), v.range.as_deref()) {
            (Some(ver), _) if !ver.trim().is_empty() => {
                let status = match v.status.as_deref() {
                    Some("affected") => Status::Affected,
                    Some("unknown") => Status::UnderInvestigation,
                    Some("unaffected") if draft.status.suppresses() => draft.status,
                    Some("unaffected") => Status::NotAffected,
                    _ => draft.status,
                };
                let d = Draft {
                    vulnerability: draft.vulnerability,
                    aliases: draft.aliases.clone(),
                    status,
                    justification: draft.justification.clone(),
                    action: None,
                    timestamp: draft.timestamp,
                };
                let mut p = base.clone();
                p.version = Some(ver.trim().to_string());
                b.push_purl(&d, p);
            }
            (_, Some(range)) => b.skip(
                "version ranges in affects (vers: ranges are not evaluated)",
                range,
            ),
            _ => b.skip(
                "affects versions without a version or range",
                draft.vulnerability,
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSAF

#[derive(Deserialize)]
struct CsafDoc {
    document: CsafDocument,
    #[serde(default)]
    product_tree: Option<CsafTree>,
    #[serde(default)]
    vulnerabilities: Option<Vec<CsafVuln>>,
}

#[derive(Deserialize)]
struct CsafDocument {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    tracking: Option<CsafTracking>,
}

#[derive(Deserialize)]
struct CsafTracking {
    #[serde(default)]
    current_release_date: Option<String>,
}

#[derive(Deserialize)]
struct CsafTree {
    #[serde(default)]
    branches: Option<Vec<CsafBranch>>,
    #[serde(default)]
    full_product_names: Option<Vec<CsafProduct>>,
    #[serde(default)]
    relationships: Option<Vec<CsafRelationship>>,
    #[serde(default)]
    product_groups: Option<Vec<CsafGroup>>,
}

#[derive(Deserialize)]
struct CsafBranch {
    #[serde(default)]
    product: Option<CsafProduct>,
    #[serde(default)]
    branches: Option<Vec<CsafBranch>>,
}

#[derive(Deserialize)]
struct CsafProduct {
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default)]
    product_identification_helper: Option<CsafHelper>,
}

#[derive(Deserialize)]
struct CsafHelper {
    #[serde(default)]
    purl: Option<String>,
    /// CSAF 2.1 lists several.
    #[serde(default)]
    purls: Option<Vec<String>>,
    #[serde(default)]
    cpe: Option<String>,
}

#[derive(Deserialize)]
struct CsafRelationship {
    #[serde(default)]
    full_product_name: Option<CsafProduct>,
    #[serde(default)]
    product_reference: Option<String>,
}

#[derive(Deserialize)]
struct CsafGroup {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    product_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CsafVuln {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    ids: Option<Vec<CsafId>>,
    #[serde(default)]
    product_status: Option<CsafStatus>,
    #[serde(default)]
    flags: Option<Vec<CsafFlag>>,
    #[serde(default)]
    threats: Option<Vec<CsafThreat>>,
}

#[derive(Deserialize)]
struct CsafId {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct CsafStatus {
    #[serde(default)]
    known_not_affected: Option<Vec<String>>,
    #[serde(default)]
    fixed: Option<Vec<String>>,
    #[serde(default)]
    first_fixed: Option<Vec<String>>,
    #[serde(default)]
    known_affected: Option<Vec<String>>,
    #[serde(default)]
    first_affected: Option<Vec<String>>,
    #[serde(default)]
    last_affected: Option<Vec<String>>,
    #[serde(default)]
    under_investigation: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CsafFlag {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    product_ids: Option<Vec<String>>,
    #[serde(default)]
    group_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CsafThreat {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Option<Vec<String>>,
    #[serde(default)]
    group_ids: Option<Vec<String>>,
}

/// What the product tree says of a product id.
#[derive(Default, Clone)]
struct CsafIdent<'a> {
    purls: Vec<&'a str>,
    cpe: Option<&'a str>,
}

fn csaf_ident(p: &CsafProduct) -> CsafIdent<'_> {
    let mut out = CsafIdent::default();
    if let Some(h) = &p.product_identification_helper {
        if let Some(u) = h.purl.as_deref() {
            out.purls.push(u);
        }
        for u in h.purls.as_deref().unwrap_or_default() {
            if !out.purls.contains(&u.as_str()) {
                out.purls.push(u);
            }
        }
        out.cpe = h.cpe.as_deref();
    }
    out
}

fn csaf_branches<'a>(bs: &'a [CsafBranch], map: &mut HashMap<&'a str, CsafIdent<'a>>) {
    for br in bs {
        if let Some(p) = &br.product {
            if let Some(id) = p.product_id.as_deref() {
                map.insert(id, csaf_ident(p));
            }
        }
        if let Some(sub) = &br.branches {
            csaf_branches(sub, map);
        }
    }
}

/// Whether `pid` is named by `product_ids` or by one of the `group_ids`.
fn csaf_names(
    pid: &str,
    product_ids: &Option<Vec<String>>,
    group_ids: &Option<Vec<String>>,
    groups: &HashMap<&str, &[String]>,
) -> bool {
    product_ids
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|p| p == pid)
        || group_ids.as_deref().unwrap_or_default().iter().any(|g| {
            groups
                .get(g.as_str())
                .is_some_and(|ps| ps.iter().any(|p| p == pid))
        })
}

fn csaf(doc: CsafDoc, b: &mut Builder) {
    match doc.document.category.as_deref() {
        Some("csaf_vex") => {}
        other => b.warn(format!(
            "document.category is {:?}, not csaf_vex: product statuses read all the same",
            other.unwrap_or("")
        )),
    }
    let doc_time = doc
        .document
        .tracking
        .as_ref()
        .and_then(|t| t.current_release_date.as_deref());
    let mut products: HashMap<&str, CsafIdent<'_>> = HashMap::new();
    let mut groups: HashMap<&str, &[String]> = HashMap::new();
    if let Some(tree) = &doc.product_tree {
        csaf_branches(tree.branches.as_deref().unwrap_or_default(), &mut products);
        for p in tree.full_product_names.as_deref().unwrap_or_default() {
            if let Some(id) = p.product_id.as_deref() {
                products.insert(id, csaf_ident(p));
            }
        }
        // A relationship names a component inside a product: the component's purl, unless the
        // combination has its own.
        let mut rel: Vec<(&str, CsafIdent<'_>)> = Vec::new();
        for r in tree.relationships.as_deref().unwrap_or_default() {
            let Some(fpn) = &r.full_product_name else {
                continue;
            };
            let Some(id) = fpn.product_id.as_deref() else {
                continue;
            };
            let own = csaf_ident(fpn);
            let ident = if own.purls.is_empty() {
                r.product_reference
                    .as_deref()
                    .and_then(|c| products.get(c).cloned())
                    .unwrap_or(own)
            } else {
                own
            };
            rel.push((id, ident));
        }
        products.extend(rel);
        for g in tree.product_groups.as_deref().unwrap_or_default() {
            if let (Some(id), Some(ps)) = (g.group_id.as_deref(), g.product_ids.as_deref()) {
                groups.insert(id, ps);
            }
        }
    }
    for (i, v) in doc
        .vulnerabilities
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let n = i + 1;
        let mut ids: Vec<String> = Vec::new();
        if let Some(c) = v.cve.as_deref().filter(|s| !s.trim().is_empty()) {
            ids.push(c.trim().to_string());
        }
        for t in v.ids.as_deref().unwrap_or_default() {
            if let Some(t) = t.text.as_deref().filter(|s| !s.trim().is_empty()) {
                ids.push(t.trim().to_string());
            }
        }
        let Some((name, aliases)) = ids.split_first() else {
            b.warn(format!(
                "vulnerability {n} has neither cve nor ids: ignored"
            ));
            continue;
        };
        let Some(ps) = &v.product_status else {
            b.skip("vulnerabilities without product_status", name);
            continue;
        };
        let buckets: [(&Option<Vec<String>>, Status); 7] = [
            (&ps.known_not_affected, Status::NotAffected),
            (&ps.fixed, Status::Fixed),
            (&ps.first_fixed, Status::Fixed),
            (&ps.known_affected, Status::Affected),
            (&ps.first_affected, Status::Affected),
            (&ps.last_affected, Status::Affected),
            (&ps.under_investigation, Status::UnderInvestigation),
        ];
        for (list, status) in buckets {
            for pid in list.as_deref().unwrap_or_default() {
                let label = v
                    .flags
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|f| csaf_names(pid, &f.product_ids, &f.group_ids, &groups))
                    .and_then(|f| f.label.as_deref());
                let impact = v
                    .threats
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|t| {
                        t.category.as_deref() == Some("impact")
                            && csaf_names(pid, &t.product_ids, &t.group_ids, &groups)
                    })
                    .and_then(|t| t.details.as_deref());
                let draft = Draft {
                    vulnerability: name,
                    aliases: aliases.to_vec(),
                    status,
                    justification: join_why(&[label, impact]),
                    action: None,
                    timestamp: doc_time,
                };
                match products.get(pid.as_str()) {
                    None => b.skip("product ids not defined in the product_tree", pid),
                    Some(ident) if ident.purls.is_empty() => match ident.cpe {
                        Some(cpe) => b.skip(
                            "products identified only by a CPE (CPE matching is not supported)",
                            cpe,
                        ),
                        None => b.skip("products without a purl", pid),
                    },
                    Some(ident) => {
                        for purl in &ident.purls {
                            b.push(&draft, purl);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Applying

/// Statements from several VEX documents.
#[derive(Debug, Clone, Default)]
pub struct VexSet {
    statements: Vec<Statement>,
    /// Lowercased vulnerability id or alias → statement indices.
    by_id: HashMap<String, Vec<usize>>,
}

/// What [`VexSet::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Findings now suppressed by a `not_affected` or `fixed` statement.
    pub applied: usize,
    /// Findings that were suppressed and are active again because a later `affected` or
    /// `under_investigation` statement won.
    pub unsuppressed: usize,
    /// Statements that matched no finding.
    pub unmatched: usize,
}

impl VexSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document's statements (after those already added: load order breaks timestamp
    /// ties).
    pub fn add(&mut self, doc: VexDoc) {
        for s in doc.statements {
            let i = self.statements.len();
            let mut keys: Vec<String> = std::iter::once(&s.vulnerability)
                .chain(&s.aliases)
                .map(|k| k.to_ascii_lowercase())
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                self.by_id.entry(k).or_default().push(i);
            }
            self.statements.push(s);
        }
    }

    /// All statements, in load order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Whether there is no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The statement that decides a finding: of those naming its id or an alias and covering
    /// its component purl, the latest (then the last loaded).
    pub fn decide(&self, vuln: &Vulnerability) -> Option<&Statement> {
        self.candidates(vuln)
            .into_iter()
            .max_by_key(|&i| (self.statements.get(i).and_then(|s| s.time), i))
            .and_then(|i| self.statements.get(i))
    }

    fn candidates(&self, vuln: &Vulnerability) -> Vec<usize> {
        let mut idx: Vec<usize> = std::iter::once(&vuln.id)
            .chain(&vuln.aliases)
            .filter_map(|id| self.by_id.get(&id.to_ascii_lowercase()))
            .flatten()
            .copied()
            .collect();
        idx.sort_unstable();
        idx.dedup();
        let found = Purl::parse(&vuln.component).ok();
        idx.retain(|&i| {
            self.statements.get(i).is_some_and(|s| match &found {
                Some(p) => purl_covers(&s.purl, p),
                None => s.product == vuln.component,
            })
        });
        idx
    }

    /// Marks the findings the statements decide: `suppressed` is set for `not_affected` and
    /// `fixed`, cleared for `affected` and `under_investigation`, left alone when no statement
    /// applies.
    pub fn apply(&self, vulns: &mut [Vulnerability]) -> ApplyReport {
        let mut used = vec![false; self.statements.len()];
        let mut report = ApplyReport::default();
        for v in vulns.iter_mut() {
            let cands = self.candidates(v);
            for &i in &cands {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            let winner = cands
                .into_iter()
                .max_by_key(|&i| (self.statements.get(i).and_then(|s| s.time), i))
                .and_then(|i| self.statements.get(i));
            let Some(s) = winner else {
                continue;
            };
            if s.status.suppresses() {
                v.suppressed = Some(VexStatus {
                    status: s.status.as_str().to_string(),
                    justification: s.justification.clone(),
                    source: s.source.clone(),
                });
                report.applied += 1;
            } else if v.suppressed.take().is_some() {
                report.unsuppressed += 1;
            }
        }
        report.unmatched = used.iter().filter(|u| !**u).count();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Purl {
        Purl::parse(s).unwrap()
    }

    #[test]
    fn purl_cover_rules() {
        let stmt = p("pkg:deb/debian/openssl?arch=amd64");
        assert!(purl_covers(
            &stmt,
            &p("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12")
        ));
        assert!(!purl_covers(
            &stmt,
            &p("pkg:deb/debian/openssl@3.0.11?arch=arm64")
        ));
        assert!(!purl_covers(&stmt, &p("pkg:deb/debian/openssl@3.0.11")));
        let v = p("pkg:npm/lodash@4.17.21");
        assert!(purl_covers(&v, &p("pkg:npm/lodash@4.17.21?foo=bar#sub/x")));
        assert!(!purl_covers(&v, &p("pkg:npm/lodash@4.17.20")));
        assert!(!purl_covers(&v, &p("pkg:npm/lodash")));
        assert!(!purl_covers(&v, &p("pkg:npm/lodash-es@4.17.21")));
        assert!(purl_covers(
            &p("pkg:golang/golang.org/x/net@0.15.0"),
            &p("pkg:golang/golang.org/x/net@v0.15.0")
        ));
        assert!(purl_covers(&p("pkg:pypi/Py"), &p("pkg:pypi/py@1.10.0")));
    }

    #[test]
    fn detection_by_content() {
        let none = |b: &[u8]| matches!(VexDoc::parse(b, "x"), Err(VexError::UnknownFormat { .. }));
        assert!(none(b"[]"));
        assert!(none(b"42"));
        assert!(none(br#"{"bomFormat": "SPDX"}"#));
        assert!(none(br#"{"document": {"category": "other"}}"#));
        assert!(matches!(
            VexDoc::parse(b"{\"statements\"", "x"),
            Err(VexError::Json { .. })
        ));
        assert!(matches!(
            VexDoc::parse(b"\xff\xfe", "x"),
            Err(VexError::Json { .. })
        ));
        let d = VexDoc::parse(
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.5"}"#,
            "sbom.json",
        )
        .unwrap();
        assert_eq!(d.format, VexFormat::CycloneDx);
        assert!(d.statements.is_empty());
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn join_why_skips_empty_parts() {
        assert_eq!(
            join_why(&[Some("a"), Some(" "), None, Some("b ")]).as_deref(),
            Some("a: b")
        );
        assert_eq!(join_why(&[None, Some("")]), None);
    }
}
