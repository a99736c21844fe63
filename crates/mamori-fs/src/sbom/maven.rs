//! Java components: `pom.xml`, Gradle lockfiles, and the archives (JAR, WAR, EAR) that
//! [`crate::java`] opens.
//!
//! - pom.xml: the project (`groupId`/`version` falling back to the parent's) is reported
//!   with its declared dependencies as edges; every `<dependencies>` entry is a direct
//!   component. `${…}` is resolved from `<properties>`, `${project.version}`,
//!   `${project.groupId}`, `${project.artifactId}` and `${project.parent.version}` of the
//!   same file; a dependency without a version takes it (and its scope) from the file's
//!   `<dependencyManagement>`. What cannot be resolved within the file leaves the version
//!   empty (the parent POM is elsewhere). Scope `test` is dev; `provided`, `system` and
//!   `optional` are noted in the context. Plugins and their dependencies, and profiles,
//!   are not components.
//! - gradle.lockfile (`group:name:version=configurations`; also the older per-configuration
//!   `gradle/dependency-locks/*.lockfile`): a component used only by `test*`
//!   configurations is dev.
//! - Archives: each `META-INF/maven/<g>/<a>/pom.properties` is a component with exact
//!   coordinates; without one, `MANIFEST.MF` (`Bundle-SymbolicName`/`Bundle-Version`,
//!   `Implementation-Title`/`Implementation-Version`) gives an inferred one — a Maven purl
//!   only when the groupId is known (`Implementation-Vendor-Id`), else `pkg:generic`. The
//!   SHA-1 of the archive (the checksum Maven Central publishes) is the hash of the
//!   archive's own component. Nested archives are located as `outer.war!/WEB-INF/lib/x.jar`.

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash, Location};
use quick_xml::events::Event;
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, HashMap};

/// Detector name of pom.xml.
pub const POM: &str = "sbom.pom";
/// Detector name of Gradle lockfiles.
pub const GRADLE: &str = "sbom.gradle-lock";
/// Detector name of the components of Java archives.
pub const JAR: &str = "sbom.jar";
/// The OSV ecosystem.
pub const ECOSYSTEM: &str = "Maven";

/// Reads pom.xml and Gradle lockfiles.
#[derive(Debug, Default, Clone, Copy)]
pub struct MavenDetector;

/// The purl of a Maven artifact, with `type`/`classifier` qualifiers when given.
pub fn purl(
    group: &str,
    artifact: &str,
    version: Option<&str>,
    ty: Option<&str>,
    classifier: Option<&str>,
) -> Option<String> {
    if group.trim().is_empty() || artifact.trim().is_empty() {
        return None;
    }
    let mut q = BTreeMap::new();
    if let Some(t) = ty.filter(|t| !t.is_empty() && *t != "jar") {
        q.insert("type".to_string(), t.to_string());
    }
    if let Some(c) = classifier.filter(|c| !c.is_empty()) {
        q.insert("classifier".to_string(), c.to_string());
    }
    Purl::new(
        "maven",
        Some(group.trim()),
        artifact.trim(),
        version.map(str::trim),
        q,
        None,
    )
    .ok()
    .map(|p| p.to_string())
}

fn component(group: &str, artifact: &str, version: Option<&str>) -> Option<Component> {
    let p = purl(group, artifact, version, None, None)?;
    Some(Component::new(
        p,
        format!("{}:{}", group.trim(), artifact.trim()),
        version.map(|v| v.trim().to_string()),
        ECOSYSTEM,
    ))
}

// ------------------------------------------------------------------------------------------
// pom.xml

/// A `<dependency>` as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PomDep {
    /// `groupId`.
    pub group: Option<String>,
    /// `artifactId`.
    pub artifact: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `type`.
    pub ty: Option<String>,
    /// `classifier`.
    pub classifier: Option<String>,
    /// `optional`.
    pub optional: Option<String>,
}

/// What a pom.xml says, as written (before interpolation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pom {
    /// `project/groupId`.
    pub group: Option<String>,
    /// `project/artifactId`.
    pub artifact: Option<String>,
    /// `project/version`.
    pub version: Option<String>,
    /// `project/parent/groupId`.
    pub parent_group: Option<String>,
    /// `project/parent/artifactId`.
    pub parent_artifact: Option<String>,
    /// `project/parent/version`.
    pub parent_version: Option<String>,
    /// `project/properties/*`.
    pub properties: HashMap<String, String>,
    /// `project/dependencies/dependency`.
    pub dependencies: Vec<PomDep>,
    /// `project/dependencyManagement/dependencies/dependency`.
    pub managed: Vec<PomDep>,
}

const MAX_DEPTH: usize = 256;

/// Parse a pom.xml. On malformed XML, what was read before the error comes back with it.
pub fn parse_pom(data: &[u8]) -> (Pom, Option<String>) {
    let mut pom = Pom::default();
    let mut reader = quick_xml::Reader::from_reader(data);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut dep = PomDep::default();
    let mut buf = Vec::new();
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let at = reader.buffer_position();
                return (pom, Some(format!("malformed XML at byte {at}: {e}")));
            }
        };
        match ev {
            Event::Start(e) => {
                if path.len() >= MAX_DEPTH {
                    return (pom, Some(format!("XML nested deeper than {MAX_DEPTH}")));
                }
                path.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                text.clear();
                if is_dep(&path) {
                    dep = PomDep::default();
                }
            }
            Event::Text(t) => match t.decode() {
                Ok(s) => text.push_str(&s),
                Err(_) => text.push_str(&String::from_utf8_lossy(&t)),
            },
            // Entity and character references come apart from the text around them.
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = String::from_utf8_lossy(&r);
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(v) => text.push_str(v),
                        // An entity declared in a DTD: keep it as written.
                        None => {
                            text.push('&');
                            text.push_str(&name);
                            text.push(';');
                        }
                    }
                }
            }
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let value = text.trim().to_string();
                text.clear();
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    ["project", "groupId"] => pom.group = Some(value),
                    ["project", "artifactId"] => pom.artifact = Some(value),
                    ["project", "version"] => pom.version = Some(value),
                    ["project", "parent", "groupId"] => pom.parent_group = Some(value),
                    ["project", "parent", "artifactId"] => pom.parent_artifact = Some(value),
                    ["project", "parent", "version"] => pom.parent_version = Some(value),
                    ["project", "properties", key] => {
                        pom.properties.insert(key.to_string(), value);
                    }
                    ["project", "dependencies", "dependency"] => {
                        pom.dependencies.push(std::mem::take(&mut dep))
                    }
                    ["project", "dependencyManagement", "dependencies", "dependency"] => {
                        pom.managed.push(std::mem::take(&mut dep))
                    }
                    ["project", "dependencies", "dependency", field]
                    | ["project", "dependencyManagement", "dependencies", "dependency", field] => {
                        let v = Some(value);
                        match *field {
                            "groupId" => dep.group = v,
                            "artifactId" => dep.artifact = v,
                            "version" => dep.version = v,
                            "scope" => dep.scope = v,
                            "type" => dep.ty = v,
                            "classifier" => dep.classifier = v,
                            "optional" => dep.optional = v,
                            _ => {}
                        }
                    }
                    _ => {}
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (pom, None)
}

fn is_dep(path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(
        p.as_slice(),
        ["project", "dependencies", "dependency"]
            | [
                "project",
                "dependencyManagement",
                "dependencies",
                "dependency"
            ]
    )
}

impl Pom {
    fn lookup(&self, key: &str) -> Option<&str> {
        let v = match key {
            "project.version" | "pom.version" | "version" => {
                self.version.as_deref().or(self.parent_version.as_deref())
            }
            "project.groupId" | "pom.groupId" | "groupId" => {
                self.group.as_deref().or(self.parent_group.as_deref())
            }
            "project.artifactId" | "pom.artifactId" | "artifactId" => self.artifact.as_deref(),
            "project.parent.version" | "parent.version" => self.parent_version.as_deref(),
            "project.parent.groupId" | "parent.groupId" => self.parent_group.as_deref(),
            "project.parent.artifactId" | "parent.artifactId" => self.parent_artifact.as_deref(),
            _ => None,
        };
        v.or_else(|| self.properties.get(key).map(String::as_str))
    }

    /// `s` with every `${…}` resolved within this file; `None` when one cannot be.
    pub fn resolve(&self, s: &str) -> Option<String> {
        let mut cur = s.trim().to_string();
        for _ in 0..16 {
            let Some(start) = cur.find("${") else {
                return Some(cur);
            };
            let end = start + cur[start..].find('}')?;
            let key = &cur[start + 2..end];
            let val = self.lookup(key)?.to_string();
            if val.len() > 4096 || cur.len() > 65536 {
                return None;
            }
            cur.replace_range(start..=end, &val);
        }
        (!cur.contains("${")).then_some(cur)
    }

    /// The project's groupId, artifactId and version (parent fallbacks applied, resolved).
    pub fn coordinates(&self) -> (Option<String>, Option<String>, Option<String>) {
        let g = self
            .group
            .as_deref()
            .or(self.parent_group.as_deref())
            .and_then(|g| self.resolve(g));
        let a = self.artifact.as_deref().and_then(|a| self.resolve(a));
        let v = self
            .version
            .as_deref()
            .or(self.parent_version.as_deref())
            .and_then(|v| self.resolve(v));
        (g, a, v)
    }
}

fn pom(file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
    let (pom, err) = parse_pom(data);
    if let Some(e) = &err {
        out.warn(file, format!("pom.xml: {e}"));
    }
    let (pg, pa, pv) = pom.coordinates();
    if pa.is_none() && pom.dependencies.is_empty() {
        if err.is_none() {
            out.warn(
                file,
                "pom.xml names no project artifactId and no dependency",
            );
        }
        return;
    }
    let managed: Vec<(String, String, &PomDep)> = pom
        .managed
        .iter()
        .filter(|d| d.scope.as_deref() != Some("import"))
        .filter_map(|d| {
            let g = pom.resolve(d.group.as_deref()?)?;
            let a = pom.resolve(d.artifact.as_deref()?)?;
            Some((g, a, d))
        })
        .collect();
    let mut edges = Vec::new();
    for d in &pom.dependencies {
        let (Some(g), Some(a)) = (
            d.group.as_deref().and_then(|g| pom.resolve(g)),
            d.artifact.as_deref().and_then(|a| pom.resolve(a)),
        ) else {
            continue;
        };
        let m = managed
            .iter()
            .find(|(mg, ma, _)| *mg == g && *ma == a)
            .map(|(_, _, m)| *m);
        let mut notes = Vec::new();
        let version = match d.version.as_deref() {
            Some(v) => {
                let r = pom.resolve(v);
                if r.is_none() {
                    notes.push(format!("version {v} not resolvable in this file"));
                }
                r
            }
            None => match m.and_then(|m| m.version.as_deref()) {
                Some(v) => {
                    let r = pom.resolve(v);
                    notes.push(match &r {
                        Some(_) => "version from dependencyManagement".to_string(),
                        None => format!("managed version {v} not resolvable in this file"),
                    });
                    r
                }
                None => {
                    notes.push("no version in this file (managed by a parent or BOM)".into());
                    None
                }
            },
        };
        let scope = d
            .scope
            .as_deref()
            .or_else(|| m.and_then(|m| m.scope.as_deref()))
            .unwrap_or("compile");
        let ty = d.ty.as_deref().and_then(|t| pom.resolve(t));
        let cls = d.classifier.as_deref().and_then(|c| pom.resolve(c));
        let Some(p) = purl(&g, &a, version.as_deref(), ty.as_deref(), cls.as_deref()) else {
            continue;
        };
        let mut c = Component::new(p, format!("{g}:{a}"), version.clone(), ECOSYSTEM);
        c.direct = Some(true);
        c.dev = scope == "test";
        if matches!(scope, "provided" | "system" | "runtime" | "test") {
            notes.push(format!("scope {scope}"));
        }
        if d.optional.as_deref() == Some("true") {
            notes.push("optional".into());
        }
        let mut ctx = format!("dependency {g}:{a}:{}", version.as_deref().unwrap_or("?"));
        if !notes.is_empty() {
            ctx.push_str(&format!(" ({})", notes.join("; ")));
        }
        edges.push(c.purl.clone());
        out.component(c, file.location(), POM, Some(ctx));
    }
    if let (Some(g), Some(a)) = (pg, pa) {
        if let Some(mut c) = component(&g, &a, pv.as_deref()) {
            c.dependencies = edges;
            let ctx = format!("project {g}:{a}:{}", pv.as_deref().unwrap_or("?"));
            out.component(c, file.location(), POM, Some(ctx));
        }
    }
}

// ------------------------------------------------------------------------------------------
// Gradle lockfiles

/// One locked module: group, name, version, configurations, 1-based line.
pub type GradleEntry = (String, String, String, Vec<String>, u32);

/// Parse a Gradle lockfile. `default_conf` is the configuration of the older
/// per-configuration lockfiles, whose lines carry none.
pub fn parse_gradle_lock(text: &str, default_conf: &str) -> (Vec<GradleEntry>, Vec<u32>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (coord, confs) = match line.split_once('=') {
            Some((c, confs)) => (c, confs),
            None => (line, default_conf),
        };
        if coord == "empty" {
            continue;
        }
        let parts: Vec<&str> = coord.split(':').collect();
        match parts.as_slice() {
            [g, a, v] if !g.is_empty() && !a.is_empty() && !v.is_empty() => out.push((
                g.to_string(),
                a.to_string(),
                v.to_string(),
                confs
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                n,
            )),
            _ => bad.push(n),
        }
    }
    (out, bad)
}

fn gradle(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    let stem = file.name.strip_suffix(".lockfile").unwrap_or(file.name);
    let (entries, bad) = parse_gradle_lock(text, stem);
    if let Some(n) = bad.first() {
        out.warn(
            file,
            format!(
                "{} line(s) are not group:name:version (first at line {n})",
                bad.len()
            ),
        );
    }
    for (g, a, v, confs, n) in entries {
        let Some(mut c) = component(&g, &a, Some(&v)) else {
            continue;
        };
        c.dev = !confs.is_empty() && confs.iter().all(|c| c.starts_with("test"));
        out.component(
            c,
            file.at_line(n),
            GRADLE,
            Some(format!("{g}:{a}:{v}={}", confs.join(","))),
        );
    }
}

impl Detector for MavenDetector {
    fn name(&self) -> &'static str {
        "sbom.maven"
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "pom.xml" || is_gradle_lock(file)
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        if file.name == "pom.xml" {
            pom(file, data, out);
        } else if is_gradle_lock(file) {
            match std::str::from_utf8(data) {
                Ok(t) => gradle(file, t, out),
                Err(e) => out.warn(file, format!("Gradle lockfile is not UTF-8: {e}")),
            }
        }
    }
}

fn is_gradle_lock(file: &FileInfo<'_>) -> bool {
    file.name.ends_with("gradle.lockfile")
        || (file.name.ends_with(".lockfile") && file.path.contains("/dependency-locks/"))
}

// ------------------------------------------------------------------------------------------
// Archives

fn value<'a>(h: &'a [(String, String)], key: &str) -> Option<&'a str> {
    h.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Where an archive (or an archive nested at `inner`) is: the file itself, or
/// `file!/inner` with the file's container.
pub fn archive_location(file: &FileInfo<'_>, inner: &str) -> Location {
    if inner.is_empty() {
        file.location()
    } else {
        Location {
            path: format!("{}!/{inner}", file.path),
            line: None,
            offset: None,
            container: file.container.map(str::to_string),
        }
    }
}

/// Report the components of one archive: `data` its bytes, `inner` its path inside the
/// scanned file (empty for the file itself), `manifest` its main manifest headers and
/// `poms` its `pom.properties` files.
pub fn report_archive(
    file: &FileInfo<'_>,
    inner: &str,
    data: &[u8],
    manifest: &[(String, String)],
    poms: &[Vec<(String, String)>],
    out: &mut Output,
) {
    let loc = archive_location(file, inner);
    let sha1 = Hash {
        alg: "SHA-1".to_string(),
        value: hex::encode(Sha1::digest(data)),
    };
    let archive_name = if inner.is_empty() {
        file.name
    } else {
        inner.rsplit('/').next().unwrap_or(inner)
    };
    let stem = archive_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(archive_name);
    let coords: Vec<(&str, &str, Option<&str>)> = poms
        .iter()
        .filter_map(|p| {
            Some((
                value(p, "groupId")?,
                value(p, "artifactId")?,
                value(p, "version"),
            ))
        })
        .collect();
    // The archive's own pom.properties: the only one, or the one its file name is made of.
    let own = if coords.len() == 1 {
        Some(0)
    } else {
        coords.iter().position(|(_, a, v)| match v {
            Some(v) => stem == format!("{a}-{v}") || stem == *a,
            None => stem == *a,
        })
    };
    for (i, (g, a, v)) in coords.iter().enumerate() {
        let Some(mut c) = component(g, a, *v) else {
            continue;
        };
        let mut ctx = format!(
            "META-INF/maven/{g}/{a}/pom.properties: {g}:{a}:{}",
            v.unwrap_or("?")
        );
        if Some(i) == own {
            c.hashes.push(sha1.clone());
        } else {
            ctx.push_str(&format!(" (bundled inside {archive_name})"));
        }
        out.component(c, loc.clone(), JAR, Some(ctx));
    }
    if !coords.is_empty() {
        return;
    }
    // No Maven metadata: infer from the manifest.
    let symbolic = value(manifest, "Bundle-SymbolicName")
        .map(|s| s.split(';').next().unwrap_or(s).trim())
        .filter(|s| !s.is_empty());
    let (name, version, from) = match (
        symbolic,
        value(manifest, "Bundle-Version"),
        value(manifest, "Implementation-Title"),
        value(manifest, "Implementation-Version"),
    ) {
        (Some(n), Some(v), _, _) => (n, Some(v), "Bundle-SymbolicName/Bundle-Version"),
        (_, _, Some(n), Some(v)) => (n, Some(v), "Implementation-Title/Implementation-Version"),
        (Some(n), None, _, iv) => (n, iv, "Bundle-SymbolicName"),
        (None, bv, Some(n), None) => (n, bv, "Implementation-Title"),
        _ => return,
    };
    // The artifactId, when the file is named `<artifactId>-<version>.jar`.
    let artifact = version
        .and_then(|v| stem.strip_suffix(&format!("-{v}")))
        .filter(|a| !a.is_empty());
    let group = value(manifest, "Implementation-Vendor-Id");
    let mut c = match (group, artifact) {
        (Some(g), Some(a)) => component(g, a, version),
        (Some(g), None) if !name.contains(char::is_whitespace) => component(g, name, version),
        _ => None,
    }
    .or_else(|| {
        let p = Purl::new("generic", None, name, version, BTreeMap::new(), None).ok()?;
        Some(Component::new(
            p.to_string(),
            name,
            version.map(str::to_string),
            "",
        ))
    });
    if let Some(c) = c.as_mut() {
        c.hashes.push(sha1);
    }
    if let Some(c) = c {
        let ctx = format!(
            "inferred from MANIFEST.MF {from}: {name} {}{}",
            version.unwrap_or("?"),
            if c.purl.starts_with("pkg:generic/") {
                " (groupId unknown)"
            } else {
                ""
            }
        );
        out.component(c, loc, JAR, Some(ctx));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM_TEXT: &str = r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.ex</groupId><artifactId>parent</artifactId><version>7</version></parent>
  <artifactId>app</artifactId>
  <version>${revision}</version>
  <properties><revision>1.2.3</revision><slf4j.version>2.0.9</slf4j.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>org.ex</groupId><artifactId>bom</artifactId><version>1</version><type>pom</type><scope>import</scope></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>${slf4j.version}</version></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>core</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId></dependency>
    <dependency><groupId>javax.servlet</groupId><artifactId>servlet-api</artifactId><version>2.5</version><scope>provided</scope></dependency>
    <dependency><groupId>x</groupId><artifactId>y</artifactId><version>${nowhere}</version></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>p</artifactId><dependencies><dependency><groupId>no</groupId><artifactId>no</artifactId><version>1</version></dependency></dependencies></plugin></plugins></build>
</project>"#;

    #[test]
    fn pom_text_with_references_reads_whole() {
        // Entity and character references split the text into several events.
        let pom = br#"<project><groupId>org.ex&amp;co</groupId><artifactId>a&#45;b</artifactId><version>1&#x2e;0&custom;</version></project>"#;
        let (pom, err) = parse_pom(pom);
        assert_eq!(err, None);
        assert_eq!(
            pom.coordinates(),
            (
                Some("org.ex&co".into()),
                Some("a-b".into()),
                Some("1.0&custom;".into())
            )
        );
    }

    #[test]
    fn pom_interpolation_and_management() {
        let (pom, err) = parse_pom(POM_TEXT.as_bytes());
        assert_eq!(err, None);
        assert_eq!(
            pom.coordinates(),
            (
                Some("org.ex".into()),
                Some("app".into()),
                Some("1.2.3".into())
            )
        );
        assert_eq!(pom.dependencies.len(), 5);
        assert_eq!(pom.managed.len(), 2);
        let f = FileInfo {
            path: "/p/pom.xml",
            name: "pom.xml",
            size: 0,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        super::pom(&f, POM_TEXT.as_bytes(), &mut out);
        let got: Vec<(&str, bool)> = out
            .components
            .iter()
            .map(|c| (c.component.purl.as_str(), c.component.dev))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:maven/org.slf4j/slf4j-api@2.0.9", false),
                ("pkg:maven/org.ex/core@1.2.3", false),
                ("pkg:maven/junit/junit@4.13.2", true),
                ("pkg:maven/javax.servlet/servlet-api@2.5", false),
                ("pkg:maven/x/y", false),
                ("pkg:maven/org.ex/app@1.2.3", false),
            ]
        );
        let servlet = &out.components[3];
        assert!(servlet
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .contains("scope provided"));
        assert_eq!(out.components[5].component.dependencies.len(), 5);
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn pom_malformed() {
        let (pom, err) =
            parse_pom(b"<project><artifactId>a</artifactId><dependencies><dependency>");
        assert_eq!(pom.artifact.as_deref(), Some("a"));
        // Unclosed tags at EOF are not an error for a pull parser; garbage is.
        let _ = err;
        let (_, err) = parse_pom(b"<project><a></b></project>");
        assert!(err.is_some());
        let deep = "<a>".repeat(MAX_DEPTH + 5);
        assert!(parse_pom(deep.as_bytes()).1.is_some());
        let p = Pom {
            properties: [
                ("a".to_string(), "${b}".to_string()),
                ("b".into(), "${a}".into()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        };
        assert_eq!(p.resolve("${a}"), None, "cycles end");
        assert_eq!(p.resolve("${unclosed"), None);
    }

    #[test]
    fn gradle_lines() {
        let (e, bad) = parse_gradle_lock(
            "# c\na:b:1=compileClasspath,testRuntimeClasspath\nc:d:2=testCompileClasspath\nempty=x\nbad\ne:f:3\n",
            "compileClasspath",
        );
        assert_eq!(e.len(), 3);
        assert_eq!(e[2].3, vec!["compileClasspath".to_string()]);
        assert_eq!(bad, vec![5]);
    }
}
