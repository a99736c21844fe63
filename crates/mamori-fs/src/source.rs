//! Cryptographic API calls in source code.
//!
//! One detector per language family (`source.python`, `source.java` for Java and Kotlin,
//! `source.go`, `source.javascript` for JavaScript and TypeScript, `source.c` for C and
//! C++, `source.rust`, `source.csharp`). The rules are data: `rules/<language>.toml`,
//! embedded at build time; the format is described at the top of each file.
//!
//! How a file is searched, fast:
//! 1. [`Detector::wants`] looks only at the extension, the size and the first bytes
//!    (binary or minified files are skipped).
//! 2. One Aho-Corasick automaton over every rule's literals of the language scans the whole
//!    file; a file without a hit costs one pass and nothing else.
//! 3. For each hit, only the rules owning that literal run their regex, and only over a
//!    small window around the hit's line. Line numbers are counted only for matches.
//!
//! ```
//! use mamori_fs::source;
//! let hits = source::scan("java", b"Cipher c = Cipher.getInstance(\"DES/ECB/PKCS5Padding\");\n");
//! assert_eq!(hits[0].asset.id, "alg:DES-ECB");
//! assert_eq!(hits[0].line, 1);
//! ```

use crate::detect::{Detector, FileInfo, Output};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use mamori_model::{
    AlgorithmProps, AssetKind, CryptoAsset, CryptoStatus, Primitive, ProtocolProps,
};
use regex::bytes::{Captures, Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

/// Largest source file read (bytes); bigger files are generated code or data.
pub const MAX_SIZE: u64 = 4 << 20;

/// A line this long in the first bytes marks a minified or generated file, skipped.
const MINIFIED_LINE: usize = 1000;

/// How many lines after the hit's line a rule's regex may span.
const EXTRA_LINES: usize = 3;

/// Most bytes a regex window spans, either side of the hit.
const WINDOW_BEFORE: usize = 512;
const WINDOW_AFTER: usize = 2048;

/// The embedded rule files: (language, detector name, TOML text).
const RULE_FILES: &[(&str, &str, &str)] = &[
    (
        "python",
        "source.python",
        include_str!("../rules/python.toml"),
    ),
    ("java", "source.java", include_str!("../rules/java.toml")),
    ("go", "source.go", include_str!("../rules/go.toml")),
    (
        "javascript",
        "source.javascript",
        include_str!("../rules/javascript.toml"),
    ),
    ("c", "source.c", include_str!("../rules/c.toml")),
    ("rust", "source.rust", include_str!("../rules/rust.toml")),
    (
        "csharp",
        "source.csharp",
        include_str!("../rules/csharp.toml"),
    ),
];

// ------------------------------------------------------------------ rule files

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    language: String,
    extensions: Vec<String>,
    line_comment: String,
    #[serde(default)]
    block_comments: bool,
    quotes: String,
    #[serde(default)]
    skip_minified: bool,
    #[serde(default)]
    skip_declarations: bool,
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum RuleKind {
    #[default]
    Algorithm,
    Protocol,
}

/// One example of a rule, as written in the data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Source text (may span lines).
    pub code: String,
    /// The asset id the rule must report for it (`alg:DES-ECB`, `proto:tls-1.0`).
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    literal: OneOrMany,
    pattern: String,
    #[serde(default)]
    kind: RuleKind,
    algorithm: String,
    #[serde(default)]
    fallback: Option<String>,
    #[serde(default)]
    near: Option<String>,
    #[serde(default)]
    near_algorithm: Option<String>,
    #[serde(default = "default_near_lines")]
    near_lines: usize,
    #[serde(default)]
    map: BTreeMap<String, String>,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    primitive: Option<String>,
    #[serde(default)]
    status: Option<String>,
    description: String,
    source: String,
    /// Read by the tests.
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    examples: Vec<Example>,
    /// Read by the tests.
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    counter_examples: Vec<String>,
}

fn default_near_lines() -> usize {
    6
}

// ------------------------------------------------------------------ compiled rules

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Text(String),
    /// First participating group among these.
    Group(Vec<usize>),
    /// First participating group of the `near` match.
    Near,
}

fn parse_template(t: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            let ch = t[i..].chars().next().unwrap_or('?');
            text.push(ch);
            i += ch.len_utf8();
            continue;
        }
        if !text.is_empty() {
            out.push(Tok::Text(std::mem::take(&mut text)));
        }
        match b.get(i + 1) {
            Some(d @ b'1'..=b'9') => {
                out.push(Tok::Group(vec![(d - b'0') as usize]));
                i += 2;
            }
            Some(b'n') => {
                out.push(Tok::Near);
                i += 2;
            }
            Some(b'{') => {
                let end = t[i..]
                    .find('}')
                    .ok_or_else(|| format!("template {t:?}: unclosed ${{"))?;
                let inner = &t[i + 2..i + end];
                let mut groups = Vec::new();
                for g in inner.split('|') {
                    groups.push(
                        g.trim()
                            .parse::<usize>()
                            .map_err(|_| format!("template {t:?}: bad group {g:?}"))?,
                    );
                }
                out.push(Tok::Group(groups));
                i += end + 1;
            }
            _ => {
                return Err(format!(
                    "template {t:?}: '$' must be followed by 1-9, n or {{"
                ))
            }
        }
    }
    if !text.is_empty() {
        out.push(Tok::Text(text));
    }
    Ok(out)
}

struct Rule {
    spec: RuleSpec,
    re: Regex,
    near: Option<Regex>,
    algorithm: Vec<Tok>,
    near_algorithm: Option<Vec<Tok>>,
    fallback: Option<Vec<Tok>>,
    /// `map` with lowercase keys.
    map: Vec<(String, String)>,
}

/// The compiled rules of one language.
struct Lang {
    language: String,
    detector: &'static str,
    extensions: Vec<String>,
    line_comment: String,
    block_comments: bool,
    quotes: Vec<u8>,
    skip_minified: bool,
    skip_declarations: bool,
    ac: AhoCorasick,
    /// For each literal (automaton pattern id), the rules owning it.
    lit_rules: Vec<Vec<usize>>,
    rules: Vec<Rule>,
}

fn compile(language: &str, detector: &'static str, text: &str) -> Result<Lang, String> {
    let file: RulesFile =
        toml::from_str(text).map_err(|e| format!("rules/{language}.toml: {e}"))?;
    if file.language != language {
        return Err(format!(
            "rules/{language}.toml: language is {:?}",
            file.language
        ));
    }
    let mut literals: Vec<String> = Vec::new();
    let mut lit_rules: Vec<Vec<usize>> = Vec::new();
    let mut rules = Vec::new();
    for (ri, spec) in file.rule.into_iter().enumerate() {
        let ctx = |e: String| format!("rules/{language}.toml, rule {}: {e}", spec.id);
        let re = RegexBuilder::new(&spec.pattern)
            .unicode(false)
            .build()
            .map_err(|e| ctx(e.to_string()))?;
        let near = match &spec.near {
            Some(p) => Some(
                RegexBuilder::new(p)
                    .unicode(false)
                    .build()
                    .map_err(|e| ctx(e.to_string()))?,
            ),
            None => None,
        };
        let algorithm = parse_template(&spec.algorithm).map_err(ctx)?;
        let near_algorithm = match &spec.near_algorithm {
            Some(t) => Some(parse_template(t).map_err(ctx)?),
            None => None,
        };
        let fallback = match &spec.fallback {
            Some(t) => Some(parse_template(t).map_err(ctx)?),
            None => None,
        };
        let groups = re.captures_len();
        for toks in [Some(&algorithm), fallback.as_ref()].into_iter().flatten() {
            for t in toks {
                match t {
                    Tok::Group(gs) if gs.iter().any(|&g| g == 0 || g >= groups) => {
                        return Err(ctx(format!(
                            "template refers to a group the pattern lacks ({gs:?})"
                        )));
                    }
                    Tok::Near => return Err(ctx("$n outside near_algorithm".into())),
                    _ => {}
                }
            }
        }
        if near.is_some() != near_algorithm.is_some() {
            return Err(ctx("near and near_algorithm go together".into()));
        }
        let lits = spec.literal.list();
        if lits.is_empty() || lits.iter().any(|l| l.is_empty()) {
            return Err(ctx("empty literal".into()));
        }
        for l in lits {
            match literals.iter().position(|x| *x == l) {
                Some(p) => lit_rules[p].push(ri),
                None => {
                    literals.push(l);
                    lit_rules.push(vec![ri]);
                }
            }
        }
        let map = spec
            .map
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        rules.push(Rule {
            spec,
            re,
            near,
            algorithm,
            near_algorithm,
            fallback,
            map,
        });
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&literals)
        .map_err(|e| format!("rules/{language}.toml: literals: {e}"))?;
    Ok(Lang {
        language: file.language,
        detector,
        extensions: file
            .extensions
            .iter()
            .map(|e| e.to_ascii_lowercase())
            .collect(),
        line_comment: file.line_comment,
        block_comments: file.block_comments,
        quotes: file.quotes.into_bytes(),
        skip_minified: file.skip_minified,
        skip_declarations: file.skip_declarations,
        ac,
        lit_rules,
        rules,
    })
}

fn langs() -> &'static [Result<Lang, String>] {
    static LANGS: OnceLock<Vec<Result<Lang, String>>> = OnceLock::new();
    LANGS.get_or_init(|| {
        RULE_FILES
            .iter()
            .map(|(l, d, t)| compile(l, d, t))
            .collect()
    })
}

fn lang(language: &str) -> Option<&'static Lang> {
    langs()
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .find(|l| l.language == language)
}

/// Problems in the embedded rule files (empty when all compile; tested).
pub fn rule_errors() -> Vec<String> {
    langs()
        .iter()
        .filter_map(|l| l.as_ref().err().cloned())
        .collect()
}

// ------------------------------------------------------------------ the detector

/// Finds cryptographic API use in the source files of one language.
pub struct SourceDetector {
    index: usize,
    name: &'static str,
}

/// One detector per language, in a stable order.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    RULE_FILES
        .iter()
        .enumerate()
        .map(|(index, (_, name, _))| Box::new(SourceDetector { index, name }) as Box<dyn Detector>)
        .collect()
}

impl SourceDetector {
    fn lang(&self) -> Option<&'static Lang> {
        langs().get(self.index).and_then(|l| l.as_ref().ok())
    }
}

fn has_extension(name: &str, exts: &[String]) -> bool {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => exts.iter().any(|e| e.eq_ignore_ascii_case(ext)),
        _ => false,
    }
}

/// Whether `head` has a line at least `limit` bytes long.
fn has_long_line(head: &[u8], limit: usize) -> bool {
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', head) {
        if nl - start >= limit {
            return true;
        }
        start = nl + 1;
    }
    head.len() - start >= limit
}

impl Detector for SourceDetector {
    fn name(&self) -> &'static str {
        self.name
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        let Some(lang) = self.lang() else {
            return false;
        };
        if file.size > MAX_SIZE || !has_extension(file.name, &lang.extensions) {
            return false;
        }
        if memchr::memchr(0, head).is_some() {
            return false; // binary
        }
        if lang.skip_minified {
            let lower = file.name.to_ascii_lowercase();
            if lower.contains(".min.") || has_long_line(head, MINIFIED_LINE) {
                return false;
            }
        }
        true
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let Some(lang) = self.lang() else {
            return;
        };
        let mut seen: HashSet<(u32, String)> = HashSet::new();
        lang.find(data, &mut |hit| {
            if seen.insert((hit.line, hit.asset.id.clone())) {
                out.observe(
                    hit.asset,
                    file.at_line(hit.line),
                    lang.detector,
                    Some(hit.context),
                );
            }
        });
    }

    fn max_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// One rule match in a file.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The rule's id (`java-cipher-getinstance`).
    pub rule: &'static str,
    /// 1-based line of the match's start.
    pub line: u32,
    /// The asset seen.
    pub asset: CryptoAsset,
    /// The matched source text, whitespace collapsed, at most 200 characters.
    pub context: String,
}

/// Every rule match in `data` read as source of `language` (`python`, `java`, `go`,
/// `javascript`, `c`, `rust`, `csharp`); empty for an unknown language.
pub fn scan(language: &str, data: &[u8]) -> Vec<Hit> {
    let mut v = Vec::new();
    if let Some(l) = lang(language) {
        l.find(data, &mut |h| v.push(h));
    }
    v
}

/// Languages with rules.
pub fn languages() -> Vec<&'static str> {
    RULE_FILES.iter().map(|(l, _, _)| *l).collect()
}

/// What a rule finds and where it comes from, for listings and documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Rule id (`java-cipher-getinstance`).
    pub id: &'static str,
    /// Language key (`java`).
    pub language: &'static str,
    /// What the rule finds.
    pub description: &'static str,
    /// The API documentation it is based on.
    pub source: &'static str,
}

/// Every rule of every language, in file order.
pub fn rules() -> Vec<RuleInfo> {
    langs()
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .flat_map(|l| {
            l.rules.iter().map(move |r| RuleInfo {
                id: &r.spec.id,
                language: &l.language,
                description: &r.spec.description,
                source: &r.spec.source,
            })
        })
        .collect()
}

/// Number of rules of all languages.
pub fn rule_count() -> usize {
    langs()
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .map(|l| l.rules.len())
        .sum()
}

// ------------------------------------------------------------------ searching

/// Counts lines lazily as positions move (mostly forward) through a file.
struct LineCounter<'a> {
    data: &'a [u8],
    pos: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn line_at(&mut self, pos: usize) -> u32 {
        let pos = pos.min(self.data.len());
        if pos >= self.pos {
            let n = memchr::memchr_iter(b'\n', &self.data[self.pos..pos]).count();
            self.line = self.line.saturating_add(n as u32);
        } else {
            let n = memchr::memchr_iter(b'\n', &self.data[pos..self.pos]).count();
            self.line = self.line.saturating_sub(n as u32);
        }
        self.pos = pos;
        self.line
    }
}

fn line_start(data: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &data[..pos.min(data.len())]).map_or(0, |i| i + 1)
}

fn line_end(data: &[u8], pos: usize) -> usize {
    let pos = pos.min(data.len());
    memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i)
}

/// End of the line `extra` lines after the one holding `pos`.
fn lines_end(data: &[u8], pos: usize, extra: usize) -> usize {
    let mut e = line_end(data, pos);
    for _ in 0..extra {
        if e >= data.len() {
            break;
        }
        e = line_end(data, e + 1);
    }
    e
}

impl Lang {
    fn find(&'static self, data: &[u8], emit: &mut dyn FnMut(Hit)) {
        // Per rule: matches starting before this offset were already reported.
        let mut covered = vec![0usize; self.rules.len()];
        let mut lines = LineCounter {
            data,
            pos: 0,
            line: 1,
        };
        for m in self.ac.find_overlapping_iter(data) {
            let hit = m.start();
            let Some(owners) = self.lit_rules.get(m.pattern().as_usize()) else {
                continue;
            };
            for &ri in owners {
                let Some(rule) = self.rules.get(ri) else {
                    continue;
                };
                if hit < covered[ri] {
                    continue;
                }
                let ls = line_start(data, hit);
                let ws = ls.max(hit.saturating_sub(WINDOW_BEFORE));
                let le = line_end(data, hit).min(hit + WINDOW_AFTER);
                let we = lines_end(data, hit, EXTRA_LINES).min(hit + WINDOW_AFTER);
                let window = &data[ws..we];
                for caps in rule.re.captures_iter(window) {
                    let Some(m0) = caps.get(0) else { continue };
                    let (s, e) = (ws + m0.start(), ws + m0.end());
                    if s >= le {
                        break;
                    }
                    if s < covered[ri]
                        || self.in_comment_or_string(data, s)
                        || (self.skip_declarations && is_declaration(data, s))
                    {
                        continue;
                    }
                    if let Some(h) = self.hit(rule, data, &caps, s, e, &mut lines) {
                        emit(h);
                    }
                }
                covered[ri] = le.max(hit + 1);
            }
        }
    }

    /// Whether `pos` sits in a line comment (or an obvious block-comment line) or in a
    /// string literal opened earlier on its line.
    fn in_comment_or_string(&self, data: &[u8], pos: usize) -> bool {
        let ls = line_start(data, pos);
        let prefix = &data[ls..pos];
        let lc = self.line_comment.as_bytes();
        let first = prefix
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(prefix.len());
        let trimmed = &prefix[first..];
        if !lc.is_empty() && trimmed.starts_with(lc) {
            return true;
        }
        if self.block_comments
            && (trimmed.starts_with(b"/*")
                || trimmed == b"*"
                || trimmed.starts_with(b"* ")
                || trimmed.starts_with(b"*\t"))
        {
            return true;
        }
        let mut quote: Option<u8> = None;
        let mut in_block = false;
        let mut i = 0;
        while i < trimmed.len() {
            let b = trimmed[i];
            if in_block {
                if trimmed[i..].starts_with(b"*/") {
                    in_block = false;
                    i += 1;
                }
            } else if let Some(q) = quote {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            } else if self.quotes.contains(&b) {
                quote = Some(b);
            } else if !lc.is_empty() && trimmed[i..].starts_with(lc) {
                return true;
            } else if self.block_comments && trimmed[i..].starts_with(b"/*") {
                in_block = true;
                i += 1;
            }
            i += 1;
        }
        in_block || quote.is_some()
    }

    fn hit(
        &'static self,
        rule: &'static Rule,
        data: &[u8],
        caps: &Captures<'_>,
        s: usize,
        e: usize,
        lines: &mut LineCounter<'_>,
    ) -> Option<Hit> {
        let near_val = match (&rule.near, &rule.near_algorithm) {
            (Some(re), Some(_)) => {
                let ne = lines_end(data, e, rule.spec.near_lines).min(e + 4096);
                re.captures(&data[e.min(ne)..ne]).and_then(|c| {
                    (1..c.len())
                        .find_map(|g| c.get(g))
                        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                })
            }
            _ => None,
        };
        let mut candidates: Vec<String> = Vec::with_capacity(3);
        if let (Some(nv), Some(t)) = (&near_val, &rule.near_algorithm) {
            if let Some(c) = render(t, caps, Some(nv), &rule.map) {
                candidates.push(c);
            }
        }
        for t in [Some(&rule.algorithm), rule.fallback.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(c) = render(t, caps, None, &rule.map) {
                candidates.push(c);
            }
        }
        let asset = match rule.spec.kind {
            RuleKind::Protocol => candidates.iter().find_map(|c| protocol_asset(c))?,
            RuleKind::Algorithm => {
                let props = candidates
                    .iter()
                    .find_map(|c| resolve(c))
                    .or_else(|| candidates.first().and_then(|c| best_effort(c, &rule.spec)))?;
                let mut a = CryptoAsset::new(
                    AssetKind::Algorithm,
                    format!("alg:{}", props.name),
                    props.name.clone(),
                );
                a.algorithm = Some(props);
                a
            }
        };
        Some(Hit {
            rule: &rule.spec.id,
            line: lines.line_at(s),
            asset,
            context: context(&data[s..e]),
        })
    }
}

/// Whether the match at `pos` looks like a C function declaration rather than a call:
/// on its line it follows a type name (`int MD5_Init(`, `unsigned char *SHA1(`), not an
/// operator, a bracket or a keyword such as `return`.
fn is_declaration(data: &[u8], pos: usize) -> bool {
    let ls = line_start(data, pos);
    let prefix = &data[ls..pos];
    let end = prefix
        .iter()
        .rposition(|b| !(b.is_ascii_whitespace() || *b == b'*' || *b == b'&'))
        .map_or(0, |i| i + 1);
    let before = &prefix[..end];
    let start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    if word.is_empty() || end == prefix.len() {
        // Nothing before, or an identifier glued to the match (not a separate type name).
        return false;
    }
    !matches!(
        word,
        b"return"
            | b"else"
            | b"case"
            | b"do"
            | b"sizeof"
            | b"throw"
            | b"new"
            | b"co_return"
            | b"co_await"
            | b"auto"
    ) && !word.iter().all(u8::is_ascii_digit)
}

fn render(
    toks: &[Tok],
    caps: &Captures<'_>,
    near: Option<&String>,
    map: &[(String, String)],
) -> Option<String> {
    let mapped = |v: &str| -> String {
        let lower = v.to_ascii_lowercase();
        map.iter()
            .find(|(k, _)| *k == lower)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| v.to_string())
    };
    let mut out = String::new();
    for t in toks {
        match t {
            Tok::Text(s) => out.push_str(s),
            Tok::Group(gs) => {
                let m = gs.iter().find_map(|&g| caps.get(g))?;
                out.push_str(&mapped(&String::from_utf8_lossy(m.as_bytes())));
            }
            Tok::Near => out.push_str(&mapped(near?)),
        }
    }
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

fn context(text: &[u8]) -> String {
    let s = String::from_utf8_lossy(text);
    let mut out = String::with_capacity(s.len().min(200));
    let mut n = 0;
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            n += 1;
        }
        for ch in w.chars() {
            if n >= 200 {
                return out;
            }
            out.push(ch);
            n += 1;
        }
    }
    out
}

// ------------------------------------------------------------------ naming

/// The knowledge base's answer for `name`, including family-level names (`RSA`,
/// `ML-KEM`) judged by what every member of the family shares.
fn resolve(name: &str) -> Option<AlgorithmProps> {
    let key = mamori_algorithms::norm_key(name);
    if key == "aes" {
        // AES without a key size: the transformation form yields the knowledge base's
        // size-less AES rather than AES-128.
        return mamori_algorithms::by_name("AES/NONE");
    }
    if let Some(a) = mamori_algorithms::by_name(name) {
        return Some(a);
    }
    if let Some((first, rest)) = name.split_once('/') {
        // A JCA transformation whose algorithm is a family (RSA/ECB/OAEPPadding).
        let mut a = resolve(first)?;
        let padding = rest.rsplit('/').next().unwrap_or("");
        if !padding.is_empty() && !padding.eq_ignore_ascii_case("NoPadding") {
            a.padding = Some(padding.to_ascii_lowercase());
        }
        return Some(a);
    }
    family_props(name)
}

/// A family name whose members in the knowledge base all share status and primitive.
fn family_props(name: &str) -> Option<AlgorithmProps> {
    let key = mamori_algorithms::norm_key(name);
    let members: Vec<_> = mamori_algorithms::entries()
        .iter()
        .filter(|e| {
            mamori_algorithms::norm_key(&e.family) == key
                && e.name.starts_with(&format!("{}-", e.family))
                && e.status != "hybrid"
        })
        .collect();
    let first = members.first()?;
    if members
        .iter()
        .any(|e| e.status != first.status || e.primitive != first.primitive)
    {
        return None;
    }
    let mut p = first.props();
    p.name = first.family.clone();
    p.parameter_set = None;
    p.oid = None;
    p.classical_security_level = members.iter().map(|e| e.classical).min();
    p.nist_quantum_security_level = members.iter().map(|e| e.quantum).min().unwrap_or(0);
    p.note =
        Some("Parameter set not stated where it is used; rated as the family's weakest.".into());
    Some(p)
}

/// A name the knowledge base does not know, recorded as seen with the rule's hints.
fn best_effort(raw: &str, spec: &RuleSpec) -> Option<AlgorithmProps> {
    let clean: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_./+@ ".contains(*c))
        .take(80)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        return None;
    }
    // PREFIX-<known name>: normalize the known part (PBKDF2-sha256 -> PBKDF2-SHA-256).
    let (name, family) = match clean.split_once('-') {
        Some((pre, rest)) if !pre.is_empty() => match mamori_algorithms::by_name(rest) {
            Some(a) => (format!("{pre}-{}", a.name), pre.to_string()),
            None => (
                clean.clone(),
                spec.family.clone().unwrap_or_else(|| pre.to_string()),
            ),
        },
        _ => (
            clean.clone(),
            spec.family.clone().unwrap_or_else(|| clean.clone()),
        ),
    };
    Some(AlgorithmProps {
        name,
        family,
        primitive: spec
            .primitive
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(Primitive::Unknown),
        parameter_set: None,
        curve: None,
        mode: None,
        padding: None,
        classical_security_level: None,
        nist_quantum_security_level: 0,
        oid: None,
        status: spec
            .status
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(CryptoStatus::Unknown),
        note: Some(
            "Not in mamori's algorithm knowledge base; recorded as named in the code.".into(),
        ),
    })
}

/// `TLSv1`, `TLS1_2_VERSION`, `VersionTLS13`, `SSLv3`, `Tls11`, `TLSv1.2` -> (kind, version).
fn protocol_version(s: &str) -> Option<(&'static str, &'static str)> {
    let lower = s.to_ascii_lowercase();
    let (kind, at) = if let Some(i) = lower.find("tls") {
        ("tls", i + 3)
    } else if let Some(i) = lower.find("ssl") {
        ("ssl", i + 3)
    } else {
        return None;
    };
    if kind == "tls" && lower[..at - 3].ends_with('d') {
        return None; // DTLS
    }
    let digits: String = lower[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        .filter(char::is_ascii_digit)
        .collect();
    Some(match (kind, digits.as_str()) {
        ("tls", "1" | "10") => ("tls", "1.0"),
        ("tls", "11") => ("tls", "1.1"),
        ("tls", "12") => ("tls", "1.2"),
        ("tls", "13") => ("tls", "1.3"),
        ("ssl", "2" | "20") => ("ssl", "2.0"),
        ("ssl", "3" | "30") => ("ssl", "3.0"),
        _ => return None,
    })
}

fn protocol_asset(s: &str) -> Option<CryptoAsset> {
    let (kind, version) = protocol_version(s)?;
    let mut a = CryptoAsset::new(
        AssetKind::Protocol,
        format!("proto:{kind}-{version}"),
        format!("{} {version}", kind.to_ascii_uppercase()),
    );
    a.protocol = Some(ProtocolProps {
        kind: kind.to_string(),
        version: Some(version.to_string()),
        cipher_suites: Vec::new(),
    });
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_langs() -> Vec<&'static Lang> {
        assert_eq!(rule_errors(), Vec::<String>::new());
        langs().iter().filter_map(|l| l.as_ref().ok()).collect()
    }

    #[test]
    fn rule_files_compile_with_unique_ids() {
        assert_eq!(languages().len(), RULE_FILES.len());
        assert!(rule_count() >= 150, "only {} rules", rule_count());
        assert_eq!(rules().len(), rule_count());
        let mut ids = HashSet::new();
        for l in all_langs() {
            for r in &l.rules {
                assert!(
                    ids.insert(r.spec.id.clone()),
                    "duplicate rule id {}",
                    r.spec.id
                );
                assert!(
                    r.spec.source.starts_with("https://"),
                    "{}: source must be a documentation URL",
                    r.spec.id
                );
                assert!(!r.spec.description.is_empty(), "{}", r.spec.id);
                if let Some(p) = &r.spec.primitive {
                    assert!(
                        p.parse::<Primitive>().is_ok(),
                        "{}: primitive {p}",
                        r.spec.id
                    );
                }
                if let Some(s) = &r.spec.status {
                    assert!(
                        s.parse::<CryptoStatus>().is_ok(),
                        "{}: status {s}",
                        r.spec.id
                    );
                }
            }
        }
    }

    /// Every example of every rule is reported by that rule with the expected asset id, and
    /// no counter-example is reported by it.
    #[test]
    fn every_rule_matches_its_examples_and_not_its_counter_examples() {
        let mut failures = Vec::new();
        for l in all_langs() {
            for r in &l.rules {
                let id = &r.spec.id;
                if r.spec.examples.is_empty() {
                    failures.push(format!("{id}: no examples"));
                }
                let lits = r.spec.literal.list();
                for ex in &r.spec.examples {
                    if !lits.iter().any(|lit| ex.code.contains(lit.as_str())) {
                        failures.push(format!(
                            "{id}: example {:?} holds none of the literals {lits:?}",
                            ex.code
                        ));
                    }
                    let hits = scan(&l.language, ex.code.as_bytes());
                    let mine: Vec<_> = hits.iter().filter(|h| h.rule == id.as_str()).collect();
                    if !mine.iter().any(|h| h.asset.id == ex.id) {
                        failures.push(format!(
                            "{id}: example {:?} gave {:?}, expected {}",
                            ex.code,
                            mine.iter().map(|h| h.asset.id.as_str()).collect::<Vec<_>>(),
                            ex.id
                        ));
                    }
                }
                for ce in &r.spec.counter_examples {
                    let hits = scan(&l.language, ce.as_bytes());
                    if let Some(h) = hits.iter().find(|h| h.rule == id.as_str()) {
                        failures.push(format!("{id}: counter-example {ce:?} gave {}", h.asset.id));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn protocol_versions_normalize() {
        for (s, want) in [
            ("TLSv1", Some(("tls", "1.0"))),
            ("TLSv1_1", Some(("tls", "1.1"))),
            ("TLSv1.2", Some(("tls", "1.2"))),
            ("TLS1_2_VERSION", Some(("tls", "1.2"))),
            ("VersionTLS13", Some(("tls", "1.3"))),
            ("VersionTLS10", Some(("tls", "1.0"))),
            ("VersionSSL30", Some(("ssl", "3.0"))),
            ("Tls11", Some(("tls", "1.1"))),
            ("SSLv3", Some(("ssl", "3.0"))),
            ("SSLv23", None),
            ("TLS", None),
            ("DTLSv1", None),
        ] {
            assert_eq!(protocol_version(s), want, "{s}");
        }
    }

    #[test]
    fn templates_parse_and_reject_nonsense() {
        assert_eq!(
            parse_template("RSA-${1|2}").unwrap(),
            vec![Tok::Text("RSA-".into()), Tok::Group(vec![1, 2])]
        );
        assert_eq!(
            parse_template("$1-$n").unwrap(),
            vec![Tok::Group(vec![1]), Tok::Text("-".into()), Tok::Near]
        );
        assert!(parse_template("$x").is_err());
        assert!(parse_template("${1").is_err());
    }

    #[test]
    fn comments_and_strings() {
        let src = b"# hashlib.md5(a)\nx = '#' + hashlib.sha1(b)  # hashlib.md5(c)\n";
        let ids: Vec<_> = scan("python", src)
            .into_iter()
            .map(|h| (h.line, h.asset.id))
            .collect();
        assert_eq!(ids, vec![(2, "alg:SHA-1".to_string())]);
    }

    #[test]
    fn families_without_size_resolve_from_the_knowledge_base() {
        let a = resolve("ML-KEM").unwrap();
        assert_eq!(
            (a.family.as_str(), a.status),
            ("ML-KEM", CryptoStatus::QuantumSafe)
        );
        let r = resolve("RSA").unwrap();
        assert_eq!(r.status, CryptoStatus::QuantumVulnerable);
        assert_eq!(resolve("AES").unwrap().name, "AES");
        assert!(resolve("HMAC").is_none(), "HMAC members differ in status");
    }

    #[test]
    fn several_matches_on_one_line_and_line_numbers() {
        let src =
            b"import hashlib\n\n\na = hashlib.md5(x); b = hashlib.md5(y); c = hashlib.sha256(z)\n";
        let hits = scan("python", src);
        let got: Vec<_> = hits.iter().map(|h| (h.line, h.asset.id.as_str())).collect();
        assert_eq!(
            got,
            vec![(4, "alg:MD5"), (4, "alg:MD5"), (4, "alg:SHA-256")]
        );
        assert_eq!(hits[0].context, "hashlib.md5(");
    }

    #[test]
    fn wants_by_extension_size_and_shape() {
        let dets = detectors();
        let info = |name: &'static str, size: u64| FileInfo {
            path: name,
            name,
            size,
            container: None,
            fs: None,
        };
        let wanting = |name: &'static str, size: u64, head: &[u8]| -> Vec<&'static str> {
            dets.iter()
                .filter(|d| d.wants(&info(name, size), head))
                .map(|d| d.name())
                .collect()
        };
        assert_eq!(wanting("app.py", 10, b"import os\n"), vec!["source.python"]);
        assert_eq!(
            wanting("Main.KT", 10, b"fun main() {}\n"),
            vec!["source.java"]
        );
        assert!(wanting("app.py", MAX_SIZE + 1, b"import os\n").is_empty());
        assert!(wanting("README.md", 10, b"hashlib.md5(\n").is_empty());
        assert!(wanting("py", 10, b"x\n").is_empty());
        assert!(wanting("app.py", 10, b"\0\0\0\0").is_empty());
        let long = vec![b'a'; 3000];
        assert!(wanting("bundle.js", 3000, &long).is_empty());
        assert!(wanting("jquery.min.js", 10, b"var a;\n").is_empty());
        assert_eq!(
            wanting("app.js", 10, b"var a;\n"),
            vec!["source.javascript"]
        );
    }

    /// Realistic source files, one per language: each line reporting something carries an
    /// `expect:` comment naming the asset ids; everything else must stay silent.
    const FIXTURES: &[(&str, &str, &str)] = &[
        (
            "app.py",
            "source.python",
            include_str!("source/testdata/app.py"),
        ),
        (
            "Crypto.java",
            "source.java",
            include_str!("source/testdata/Crypto.java"),
        ),
        (
            "main.go",
            "source.go",
            include_str!("source/testdata/main.go"),
        ),
        (
            "server.js",
            "source.javascript",
            include_str!("source/testdata/server.js"),
        ),
        ("keys.c", "source.c", include_str!("source/testdata/keys.c")),
        (
            "lib.rs",
            "source.rust",
            include_str!("source/testdata/lib.rs"),
        ),
        (
            "Tokens.cs",
            "source.csharp",
            include_str!("source/testdata/Tokens.cs"),
        ),
    ];

    fn expected(text: &str) -> std::collections::BTreeSet<(u32, String)> {
        let mut want = std::collections::BTreeSet::new();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, rest)) = line.split_once("expect:") {
                for id in rest.split_whitespace().take_while(|w| *w != "*/") {
                    want.insert((i as u32 + 1, id.to_string()));
                }
            }
        }
        want
    }

    #[test]
    fn end_to_end_over_realistic_sources() {
        let dir = tempfile::tempdir().unwrap();
        for (name, _, text) in FIXTURES {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let got = crate::collect(
            dir.path(),
            &crate::ScanOptions::default(),
            &crate::Progress::default(),
        );
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        for (name, detector, text) in FIXTURES {
            let want = expected(text);
            assert!(want.len() >= 4, "{name}: fixture has too few expectations");
            let mine: Vec<_> = got
                .observations
                .iter()
                .filter(|o| o.occurrence.location.path.ends_with(&format!("/{name}")))
                .collect();
            for o in &mine {
                assert_eq!(o.occurrence.detector, *detector, "{name}");
                let ctx = o.occurrence.context.as_deref().unwrap_or("");
                assert!(
                    !ctx.is_empty() && ctx.chars().count() <= 200,
                    "{name}: context {ctx:?}"
                );
                if o.asset.kind == AssetKind::Algorithm {
                    let a = o.asset.algorithm.as_ref().expect("algorithm props");
                    assert_eq!(o.asset.id, format!("alg:{}", a.name));
                }
            }
            let have: std::collections::BTreeSet<(u32, String)> = mine
                .iter()
                .map(|o| (o.occurrence.location.line.unwrap_or(0), o.asset.id.clone()))
                .collect();
            assert_eq!(have, want, "{name}: (line, asset) reported vs expected");
        }
        // Statuses come from the knowledge base.
        let status = |id: &str| {
            got.observations
                .iter()
                .find(|o| o.asset.id == id)
                .map(|o| o.asset.status())
        };
        assert_eq!(status("alg:DES-ECB"), Some(CryptoStatus::Broken));
        assert_eq!(status("alg:RSA-1024"), Some(CryptoStatus::Broken));
        assert_eq!(status("alg:ML-KEM-768"), Some(CryptoStatus::QuantumSafe));
        assert_eq!(status("alg:ML-KEM"), Some(CryptoStatus::QuantumSafe));
        assert_eq!(status("alg:SHA-256"), Some(CryptoStatus::QuantumSafe));
    }

    /// The fixtures are real code: each parses or compiles with its language's own tool.
    #[test]
    fn fixtures_are_valid_source_for_the_real_toolchains() {
        let dir = tempfile::tempdir().unwrap();
        for (name, _, text) in FIXTURES {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let d = dir.path();
        let checks: &[(&str, &[&str], &str, &str)] = &[
            (
                "python3",
                &["-m", "py_compile", "app.py"],
                "python3",
                "app.py",
            ),
            (
                "javac",
                &["-d", "classes", "Crypto.java"],
                "default-jdk-headless",
                "Crypto.java",
            ),
            ("gofmt", &["-e", "-l", "main.go"], "golang-go", "main.go"),
            ("node", &["--check", "server.js"], "nodejs", "server.js"),
            (
                "gcc",
                &["-fsyntax-only", "-Wno-deprecated-declarations", "keys.c"],
                "gcc and libssl-dev",
                "keys.c",
            ),
        ];
        for (tool, args, package, file) in checks {
            let out = std::process::Command::new(tool)
                .args(*args)
                .current_dir(d)
                .output()
                .unwrap_or_else(|e| {
                    panic!("{tool} is needed to check {file} (Debian package {package}): {e}")
                });
            assert!(
                out.status.success(),
                "{tool} rejects {file}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
