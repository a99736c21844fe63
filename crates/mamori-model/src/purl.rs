//! Package URLs (purl): the identity of a software component.
//!
//! Implements the package-url specification (ECMA-427, `package-url/purl-spec`):
//! [`Purl::parse`] reads any purl string (canonical or not) into decoded, normalized
//! components; [`Purl::new`] builds one from decoded components with the same checks and
//! normalization; [`Display`](fmt::Display) writes the canonical string.
//!
//! ```
//! use mamori_model::purl::Purl;
//! let p = Purl::parse("pkg:PYPI/Django_package@1.11.1.dev1").unwrap();
//! assert_eq!(p.name, "django-package");
//! assert_eq!(p.to_string(), "pkg:pypi/django-package@1.11.1.dev1");
//!
//! let q = Purl::parse("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=zip&classifier=dist").unwrap();
//! assert_eq!(q.namespace.as_deref(), Some("org.apache.xmlgraphics"));
//! assert_eq!(q.to_string(), "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=dist&type=zip");
//! ```
//!
//! Rules followed (from the core specification, `how-to-parse`, `how-to-build` and the type
//! definitions in `types/*-definition.json`):
//! - scheme `pkg` (case-insensitive), any number of `/` after `pkg:` ignored;
//! - type: ASCII letters, digits, `.` and `-`, starting with a letter; lowercased;
//! - namespace, name, version, qualifier values and subpath segments are percent-decoded on
//!   parse and percent-encoded on output; only `A-Za-z0-9.-_~` and `:` stay literal;
//! - qualifier keys: lowercased, `[a-z0-9._-]`, starting with a letter, unique; pairs with an
//!   empty value are dropped; sorted in the canonical form;
//! - subpath: empty, `.` and `..` segments dropped;
//! - per-type rules: required/prohibited namespace, case folding of namespace/name/version
//!   for case-insensitive types, pypi `_` → `-`, pub `[a-z0-9_]`, cpan upper-case author and
//!   no `::` in names, chrome-extension id/version syntax, julia `uuid` and swid `tag_id`
//!   required qualifiers, mlflow Databricks names lowercased, git `host/owner/repo` split.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A parsed, normalized Package URL. All string fields hold *decoded* values.
///
/// Build one with [`Purl::new`] or [`Purl::parse`]; both normalize and validate. The fields
/// are public for reading; if you change them by hand, [`Display`](fmt::Display) still
/// percent-encodes correctly but no longer re-applies type rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    /// Package type (`maven`, `npm`, `pypi`, …), lowercase.
    pub ty: String,
    /// Namespace, segments joined by `/` (Maven groupId, npm scope, GitHub owner…).
    pub namespace: Option<String>,
    /// Package name. Never empty.
    pub name: String,
    /// Version, an opaque string.
    pub version: Option<String>,
    /// Qualifiers: lowercase keys, non-empty values.
    pub qualifiers: BTreeMap<String, String>,
    /// Path inside the package, segments joined by `/`, without `.`, `..` or empty segments.
    pub subpath: Option<String>,
}

/// Why a string or a set of components is not a valid purl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurlError {
    /// The string does not start with the `pkg:` scheme.
    MissingScheme,
    /// The type is missing or empty.
    MissingType,
    /// The type has a character other than ASCII letters, digits, `.` and `-`, or does not
    /// start with a letter.
    InvalidType(String),
    /// The name is missing or empty.
    MissingName,
    /// A `%` not followed by two hex digits.
    InvalidPercentEncoding(&'static str),
    /// Percent-decoded bytes are not UTF-8.
    InvalidUtf8(&'static str),
    /// A namespace or subpath segment contains `/` once decoded.
    SlashInSegment(&'static str),
    /// A qualifier key is empty, has a character outside `[a-z0-9._-]` or does not start
    /// with a letter.
    InvalidQualifierKey(String),
    /// The same qualifier key appears twice.
    DuplicateQualifierKey(String),
    /// The type requires a namespace and none was given.
    NamespaceRequired(String),
    /// The type forbids a namespace and one was given.
    NamespaceProhibited(String),
    /// The type requires this qualifier.
    QualifierRequired {
        /// The purl type.
        ty: String,
        /// The missing qualifier key.
        key: &'static str,
    },
    /// A type-specific rule was broken.
    TypeRule {
        /// The purl type.
        ty: String,
        /// What is wrong.
        message: &'static str,
    },
}

impl fmt::Display for PurlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PurlError::MissingScheme => write!(f, "purl must start with the scheme 'pkg:'"),
            PurlError::MissingType => write!(f, "purl type is missing"),
            PurlError::InvalidType(t) => write!(
                f,
                "invalid purl type {t:?}: only ASCII letters, digits, '.' and '-', starting with a letter"
            ),
            PurlError::MissingName => write!(f, "purl name is missing"),
            PurlError::InvalidPercentEncoding(c) => {
                write!(f, "invalid percent-encoding in purl {c}")
            }
            PurlError::InvalidUtf8(c) => write!(f, "purl {c} is not UTF-8 once percent-decoded"),
            PurlError::SlashInSegment(c) => write!(f, "a purl {c} segment contains '/'"),
            PurlError::InvalidQualifierKey(k) => write!(
                f,
                "invalid purl qualifier key {k:?}: only [a-z0-9._-], starting with a letter"
            ),
            PurlError::DuplicateQualifierKey(k) => {
                write!(f, "purl qualifier key {k:?} appears more than once")
            }
            PurlError::NamespaceRequired(t) => write!(f, "purl type {t} requires a namespace"),
            PurlError::NamespaceProhibited(t) => {
                write!(f, "purl type {t} does not allow a namespace")
            }
            PurlError::QualifierRequired { ty, key } => {
                write!(f, "purl type {ty} requires the qualifier {key}")
            }
            PurlError::TypeRule { ty, message } => write!(f, "purl type {ty}: {message}"),
        }
    }
}

impl std::error::Error for PurlError {}

impl Purl {
    /// Builds a purl from decoded components, validating and normalizing them as the
    /// specification's "how to build" says: type lowercased, leading/trailing `/` stripped
    /// from namespace and name, empty version dropped, qualifier keys lowercased and checked,
    /// empty qualifier values dropped, `.`/`..`/empty subpath segments dropped, then the
    /// rules of the type applied.
    pub fn new(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: BTreeMap<String, String>,
        subpath: Option<&str>,
    ) -> Result<Purl, PurlError> {
        let ty = check_type(ty)?;
        let namespace = namespace.and_then(|ns| {
            let segs: Vec<&str> = ns.split('/').filter(|s| !s.is_empty()).collect();
            (!segs.is_empty()).then(|| segs.join("/"))
        });
        let name = name.trim_matches('/').to_string();
        let version = version.filter(|v| !v.is_empty()).map(str::to_string);
        let mut quals = BTreeMap::new();
        for (k, v) in qualifiers {
            let key = check_qualifier_key(&k)?;
            if v.is_empty() {
                continue;
            }
            if quals.insert(key.clone(), v).is_some() {
                return Err(PurlError::DuplicateQualifierKey(key));
            }
        }
        let subpath = subpath.and_then(|s| clean_subpath(s.split('/').map(str::to_string)));
        let mut p = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers: quals,
            subpath,
        };
        p.apply_type_rules()?;
        Ok(p)
    }

    /// Parses a purl string (canonical or not) into decoded, normalized components.
    pub fn parse(s: &str) -> Result<Purl, PurlError> {
        // Subpath: right of the last '#'.
        let (rest, subpath) = match s.rsplit_once('#') {
            Some((l, r)) => {
                let mut segs = Vec::new();
                for seg in r.split('/') {
                    let d = decode(seg, "subpath")?;
                    if d.contains('/') {
                        return Err(PurlError::SlashInSegment("subpath"));
                    }
                    segs.push(d);
                }
                (l, clean_subpath(segs.into_iter()))
            }
            None => (s, None),
        };
        // Qualifiers: right of the last '?'.
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((l, r)) => (l, parse_qualifiers(r)?),
            None => (rest, BTreeMap::new()),
        };
        // Scheme.
        let (scheme, rest) = rest.split_once(':').ok_or(PurlError::MissingScheme)?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(PurlError::MissingScheme);
        }
        // Type.
        let rest = rest.trim_start_matches('/');
        let (ty, rest) = match rest.split_once('/') {
            Some((t, r)) => (t, r),
            None => {
                // "pkg:type" alone: the type may be valid, the name is missing.
                check_type(rest)?;
                return Err(PurlError::MissingName);
            }
        };
        let ty = check_type(ty)?;
        // Version: right of the last '@', provided that '@' is in the last path segment
        // (an npm scope such as "@babel/core" written unencoded is not a version).
        let (rest, version) = match rest.rsplit_once('@') {
            Some((l, v)) if !v.contains('/') => {
                // "name/@version": the name is empty (trailing '/' are only insignificant
                // at the end of the path).
                if l.ends_with('/') {
                    return Err(PurlError::MissingName);
                }
                let v = decode(v, "version")?;
                (l, (!v.is_empty()).then_some(v))
            }
            _ => (rest, None),
        };
        // Name and namespace.
        let rest = rest.trim_end_matches('/');
        let mut segs = Vec::new();
        for seg in rest.split('/').filter(|s| !s.is_empty()) {
            segs.push(decode(seg, "namespace")?);
        }
        let name = segs.pop().ok_or(PurlError::MissingName)?;
        if segs.iter().any(|s| s.contains('/')) {
            return Err(PurlError::SlashInSegment("namespace"));
        }
        let namespace = (!segs.is_empty()).then(|| segs.join("/"));
        let mut p = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        };
        p.apply_type_rules()?;
        Ok(p)
    }

    /// The checksums of the `checksum` qualifier (a comma-separated list such as
    /// `sha1:ad95…,sha256:41bf…`), in order; empty when there is none.
    pub fn checksums(&self) -> Vec<&str> {
        self.qualifiers
            .get("checksum")
            .map(|v| v.split(',').filter(|c| !c.is_empty()).collect())
            .unwrap_or_default()
    }

    /// Sets the `checksum` qualifier from a list of `algorithm:hex` strings (joined with
    /// `,`); an empty list removes it.
    pub fn set_checksums<S: AsRef<str>>(&mut self, checksums: &[S]) {
        let joined = checksums
            .iter()
            .map(|c| c.as_ref())
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        if joined.is_empty() {
            self.qualifiers.remove("checksum");
        } else {
            self.qualifiers.insert("checksum".to_string(), joined);
        }
    }

    /// Applies the normalization and checks of the purl's type (from the type definitions
    /// of the specification). Types not listed have no extra rule.
    fn apply_type_rules(&mut self) -> Result<(), PurlError> {
        if self.ty == "git" {
            self.split_git_host()?;
        }
        if self.name.is_empty() {
            return Err(PurlError::MissingName);
        }
        self.check_namespace()?;
        self.fold_case();
        self.check_type()
    }

    /// git: the namespace is the host (first segment); the name is the repository path on
    /// that host, which may have several segments ("owner/repo").
    fn split_git_host(&mut self) -> Result<(), PurlError> {
        let mut all: Vec<String> = Vec::new();
        if let Some(ns) = self.namespace.take() {
            all.extend(ns.split('/').map(str::to_string));
        }
        all.extend(self.name.split('/').map(str::to_string));
        all.retain(|s| !s.is_empty());
        if all.len() < 2 {
            return Err(PurlError::NamespaceRequired(self.ty.clone()));
        }
        let host = all.remove(0);
        self.namespace = Some(host);
        self.name = all.join("/");
        Ok(())
    }

    /// Whether the type requires or prohibits a namespace.
    fn check_namespace(&self) -> Result<(), PurlError> {
        let ty = self.ty.as_str();
        // Namespace requirement.
        const NS_REQUIRED: &[&str] = &[
            "alpm",
            "apk",
            "bitbucket",
            "composer",
            "deb",
            "git",
            "github",
            "golang",
            "huggingface",
            "maven",
            "qpkg",
            "rpm",
            "swift",
            "vscode-extension",
        ];
        const NS_PROHIBITED: &[&str] = &[
            "bazel",
            "bitnami",
            "cargo",
            "chrome-extension",
            "cocoapods",
            "conda",
            "cran",
            "gem",
            "hackage",
            "julia",
            "mlflow",
            "nuget",
            "oci",
            "opam",
            "otp",
            "pub",
            "pypi",
            "vcpkg",
        ];
        match &self.namespace {
            None if NS_REQUIRED.contains(&ty) => {
                return Err(PurlError::NamespaceRequired(ty.to_string()))
            }
            Some(_) if NS_PROHIBITED.contains(&ty) => {
                return Err(PurlError::NamespaceProhibited(ty.to_string()))
            }
            _ => {}
        }
        Ok(())
    }

    /// Case folding where the type definition says the component is case-insensitive.
    fn fold_case(&mut self) {
        let ty = self.ty.as_str();
        const NS_LOWER: &[&str] = &[
            "alpm",
            "apk",
            "bitbucket",
            "brew",
            "composer",
            "deb",
            "github",
            "hex",
            "luarocks",
            "qpkg",
            "rpm",
            "vscode-extension",
            "yocto",
        ];
        const NAME_LOWER: &[&str] = &[
            "alpm",
            "apk",
            "bitbucket",
            "bitnami",
            "brew",
            "chrome-extension",
            "composer",
            "deb",
            "github",
            "hex",
            "luarocks",
            "oci",
            "otp",
            "pub",
            "pypi",
            "vscode-extension",
        ];
        const VERSION_LOWER: &[&str] = &["huggingface", "oci", "pypi", "vscode-extension"];
        if NS_LOWER.contains(&ty) {
            if let Some(ns) = &mut self.namespace {
                *ns = ns.to_lowercase();
            }
        }
        if NAME_LOWER.contains(&ty) {
            self.name = self.name.to_lowercase();
        }
        if VERSION_LOWER.contains(&ty) {
            if let Some(v) = &mut self.version {
                *v = v.to_lowercase();
            }
        }
    }

    /// The rules of single types (pypi, pub, cpan, chrome-extension, cocoapods, swid,
    /// julia, mlflow).
    fn check_type(&mut self) -> Result<(), PurlError> {
        let ty = self.ty.clone();
        let ty = ty.as_str();
        let err = |message: &'static str| PurlError::TypeRule {
            ty: ty.to_string(),
            message,
        };
        match ty {
            "pypi" => self.name = self.name.replace('_', "-"),
            "pub" => {
                self.name = self
                    .name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect()
            }
            "cpan" => {
                if let Some(ns) = &mut self.namespace {
                    *ns = ns.to_uppercase();
                }
                if self.name.contains("::") {
                    return Err(err(
                        "a distribution name must not contain '::' (that is a module name)",
                    ));
                }
            }
            "chrome-extension" => {
                if self.name.len() != 32 || !self.name.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                    return Err(err("the extension id must be 32 letters a-p"));
                }
                if let Some(v) = &self.version {
                    let parts: Vec<&str> = v.split('.').collect();
                    let ok = parts.len() <= 4
                        && parts
                            .iter()
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                    if !ok {
                        return Err(err("the version must be 1 to 4 dot-separated numbers"));
                    }
                }
            }
            "cocoapods"
                if self.name.chars().any(|c| c.is_whitespace() || c == '+')
                    || self.name.starts_with('.') =>
            {
                return Err(err(
                    "a pod name cannot contain whitespace or '+', nor begin with '.'",
                ));
            }
            "swid" => {
                if self
                    .namespace
                    .as_deref()
                    .is_some_and(|ns| ns.split('/').count() > 2)
                {
                    return Err(err("the namespace has at most two segments (name, regid)"));
                }
                if !self.qualifiers.contains_key("tag_id") {
                    return Err(PurlError::QualifierRequired {
                        ty: ty.to_string(),
                        key: "tag_id",
                    });
                }
            }
            "julia" if !self.qualifiers.contains_key("uuid") => {
                return Err(PurlError::QualifierRequired {
                    ty: ty.to_string(),
                    key: "uuid",
                });
            }
            "mlflow" => {
                // Databricks model names are case-insensitive (lowercased); Azure ML and
                // others are case-sensitive (kept as is).
                let databricks = self.qualifiers.get("repository_url").is_some_and(|u| {
                    let u = u.to_ascii_lowercase();
                    u.contains(".azuredatabricks.net") || u.contains(".databricks.com")
                });
                if databricks {
                    self.name = self.name.to_lowercase();
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/').filter(|s| !s.is_empty()) {
                write!(f, "{}/", Encoded(seg))?;
            }
        }
        if self.ty == "git" {
            // The git name is a path on the host: its '/' are separators.
            let mut first = true;
            for seg in self.name.split('/').filter(|s| !s.is_empty()) {
                if !first {
                    f.write_str("/")?;
                }
                first = false;
                write!(f, "{}", Encoded(seg))?;
            }
        } else {
            write!(f, "{}", Encoded(&self.name))?;
        }
        if let Some(v) = &self.version {
            write!(f, "@{}", Encoded(v))?;
        }
        // Sorted by key. (how-to-build says "sort the key=value strings", which differs
        // when a key is a prefix of another: the suite's conan cases want "compiler=…"
        // before "compiler.runtime=…", i.e. key order, as every implementation does.)
        let mut quals: Vec<(String, &str)> = self
            .qualifiers
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
            .collect();
        quals.sort();
        let quals: Vec<String> = quals
            .into_iter()
            .map(|(k, v)| format!("{k}={}", Encoded(v)))
            .collect();
        if !quals.is_empty() {
            write!(f, "?{}", quals.join("&"))?;
        }
        if let Some(sp) = &self.subpath {
            let segs: Vec<String> = sp
                .split('/')
                .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                .map(|s| Encoded(s).to_string())
                .collect();
            if !segs.is_empty() {
                write!(f, "#{}", segs.join("/"))?;
            }
        }
        Ok(())
    }
}

impl FromStr for Purl {
    type Err = PurlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purl::parse(s)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Purl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Purl::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Lowercases and checks a type.
fn check_type(ty: &str) -> Result<String, PurlError> {
    let first = ty.chars().next().ok_or(PurlError::MissingType)?;
    if !first.is_ascii_alphabetic()
        || !ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(PurlError::InvalidType(ty.to_string()));
    }
    Ok(ty.to_ascii_lowercase())
}

/// Lowercases and checks a qualifier key.
fn check_qualifier_key(key: &str) -> Result<String, PurlError> {
    let k = key.to_ascii_lowercase();
    let ok = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(k)
    } else {
        Err(PurlError::InvalidQualifierKey(key.to_string()))
    }
}

/// Parses the text after '?'.
fn parse_qualifiers(s: &str) -> Result<BTreeMap<String, String>, PurlError> {
    let mut out = BTreeMap::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = check_qualifier_key(k)?;
        let value = decode(v, "qualifier value")?;
        if value.is_empty() {
            continue;
        }
        if out.insert(key.clone(), value).is_some() {
            return Err(PurlError::DuplicateQualifierKey(key));
        }
    }
    Ok(out)
}

/// Drops empty, `.` and `..` segments; `None` when nothing is left.
fn clean_subpath(segs: impl Iterator<Item = String>) -> Option<String> {
    let kept: Vec<String> = segs
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .collect();
    (!kept.is_empty()).then(|| kept.join("/"))
}

/// Percent-decodes `s` (UTF-8). `component` names the part for the error.
fn decode(s: &str, component: &'static str) -> Result<String, PurlError> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|&h| hex_val(h));
            let lo = bytes.get(i + 2).and_then(|&l| hex_val(l));
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(PurlError::InvalidPercentEncoding(component)),
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::InvalidUtf8(component))
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes everything but `A-Za-z0-9.-_~` and `:` (which the specification says is
/// never encoded).
struct Encoded<'a>(&'a str);

impl fmt::Display for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for &b in self.0.as_bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
                fmt::Write::write_char(f, char::from(b))?;
            } else {
                let hi = HEX[usize::from(b >> 4)];
                let lo = HEX[usize::from(b & 0x0f)];
                write!(f, "%{}{}", char::from(hi), char::from(lo))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_keeps_colon() {
        assert_eq!(
            Encoded("a b+c/d@e:f~g").to_string(),
            "a%20b%2Bc%2Fd%40e:f~g"
        );
        assert_eq!(Encoded("é").to_string(), "%C3%A9");
    }

    #[test]
    fn decode_rejects_bad_escapes() {
        assert_eq!(decode("a%2Fb", "name").unwrap(), "a/b");
        assert!(decode("a%2", "name").is_err());
        assert!(decode("a%zz", "name").is_err());
        assert!(decode("%ff", "name").is_err());
    }

    #[test]
    fn checksums_split_and_join() {
        let mut p = Purl::parse("pkg:generic/x?checksum=sha1:aa%2Csha256:bb").unwrap();
        assert_eq!(p.checksums(), vec!["sha1:aa", "sha256:bb"]);
        p.set_checksums(&["sha512:cc"]);
        assert_eq!(p.to_string(), "pkg:generic/x?checksum=sha512:cc");
        p.set_checksums::<&str>(&[]);
        assert_eq!(p.to_string(), "pkg:generic/x");
    }

    #[test]
    fn qualifiers_sort_by_key() {
        // Key order: "a" before "a.b" (sorting "a=1" and "a.b=2" as strings would not).
        let p = Purl::parse("pkg:generic/x?a.b=2&a=1").unwrap();
        assert_eq!(p.to_string(), "pkg:generic/x?a=1&a.b=2");
    }

    #[test]
    fn empty_name_before_version_is_an_error() {
        assert_eq!(
            Purl::parse("pkg:swift/github.com/Alamofire/@5.4.3"),
            Err(PurlError::MissingName)
        );
        // Without a version, trailing slashes are not significant.
        let p = Purl::parse("pkg:maven/org.apache.commons/io/").unwrap();
        assert_eq!(p.to_string(), "pkg:maven/org.apache.commons/io");
    }

    #[test]
    fn duplicate_keys_rejected() {
        assert_eq!(
            Purl::parse("pkg:generic/x?a=1&A=2"),
            Err(PurlError::DuplicateQualifierKey("a".into()))
        );
    }

    #[test]
    fn serde_as_string() {
        let p = Purl::parse("pkg:npm/%40angular/animation@12.3.1").unwrap();
        let j = serde_json::to_string(&p).unwrap();
        assert_eq!(j, "\"pkg:npm/%40angular/animation@12.3.1\"");
        let back: Purl = serde_json::from_str(&j).unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<Purl>("\"nope\"").is_err());
    }
}
