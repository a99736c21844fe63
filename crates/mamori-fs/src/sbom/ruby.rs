//! `Gemfile.lock` (Bundler): the gems a Ruby project is locked to.
//!
//! Sections `GEM`, `GIT` and `PATH` each list `specs:` — a gem at four spaces
//! (`nokogiri (1.15.4-x86_64-linux)`, the version followed by a platform when the gem is
//! platform-specific) and its dependencies at six (`racc (~> 1.4)`). `DEPENDENCIES` lists
//! what the Gemfile declares (direct; `name!` for git/path gems). `CHECKSUMS` (Bundler 2.5+)
//! gives the SHA-256 of each `.gem`. `GIT` gems keep their repository and revision in the
//! purl's `vcs_url`; `PATH` gems are the project's own code and are not components.

use crate::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Detector name.
const NAME: &str = "sbom.gemfile-lock";

/// Reads `Gemfile.lock` (and `gems.locked`).
pub struct GemfileLockDetector;

impl Detector for GemfileLockDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        matches!(file.name, "Gemfile.lock" | "gems.locked")
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("{} is not UTF-8: {e}", file.name));
                return;
            }
        };
        let lock = parse(text);
        if lock.specs.is_empty() && !lock.saw_section {
            out.warn(file, format!("{}: no GEM, GIT or PATH section", file.name));
            return;
        }
        for (c, line, ctx) in components(&lock) {
            out.component(c, file.at_line(line), NAME, Some(ctx));
        }
    }
}

/// A gem of a `specs:` list.
#[derive(Debug)]
pub(crate) struct Spec<'a> {
    section: &'a str,
    remote: Option<&'a str>,
    revision: Option<&'a str>,
    name: &'a str,
    version: &'a str,
    platform: Option<&'a str>,
    deps: Vec<&'a str>,
    line: u32,
}

#[derive(Default)]
pub(crate) struct Lock<'a> {
    specs: Vec<Spec<'a>>,
    direct: HashSet<&'a str>,
    checksums: HashMap<&'a str, &'a str>,
    saw_section: bool,
}

/// `name (version[-platform])` → name, version, platform.
fn name_version(s: &str) -> Option<(&str, &str, Option<&str>)> {
    let (name, rest) = s.split_once(" (")?;
    let v = rest.strip_suffix(')')?;
    // Gem versions have no `-`: what follows the first one is the platform.
    let (version, platform) = match v.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    Some((name.trim(), version.trim(), platform))
}

pub(crate) fn parse(text: &str) -> Lock<'_> {
    let mut lock = Lock::default();
    let mut section = "";
    let mut remote = None;
    let mut revision = None;
    let mut in_specs = false;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if indent == 0 {
            section = body;
            remote = None;
            revision = None;
            in_specs = false;
            if matches!(body, "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE") {
                lock.saw_section = true;
            }
            continue;
        }
        match section {
            "GEM" | "GIT" | "PATH" => {
                if indent == 2 {
                    in_specs = body == "specs:";
                    if let Some(r) = body.strip_prefix("remote: ") {
                        remote = Some(r.trim());
                    } else if let Some(r) = body.strip_prefix("revision: ") {
                        revision = Some(r.trim());
                    }
                } else if in_specs && indent == 4 {
                    if let Some((name, version, platform)) = name_version(body) {
                        lock.specs.push(Spec {
                            section,
                            remote,
                            revision,
                            name,
                            version,
                            platform,
                            deps: Vec::new(),
                            line: n,
                        });
                    }
                } else if in_specs && indent >= 6 {
                    let dep = body.split(" (").next().unwrap_or(body).trim();
                    if let Some(s) = lock.specs.last_mut() {
                        s.deps.push(dep);
                    }
                }
            }
            "DEPENDENCIES" => {
                let name = body.split(" (").next().unwrap_or(body);
                lock.direct.insert(name.trim_end_matches('!').trim());
            }
            "CHECKSUMS" => {
                // `name (version[-platform]) sha256=hex`: keyed by `name (version[-platform]`.
                if let Some((id, sums)) = body.split_once(") ") {
                    for s in sums.split(',') {
                        if let Some(h) = s.trim().strip_prefix("sha256=") {
                            lock.checksums.insert(id, h);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    lock
}

fn purl(s: &Spec<'_>) -> Option<String> {
    let mut q = BTreeMap::new();
    if let Some(p) = s.platform {
        q.insert("platform".to_string(), p.to_string());
    }
    if s.section == "GIT" {
        if let Some(r) = s.remote {
            let v = match s.revision {
                Some(rev) => format!("git+{r}@{rev}"),
                None => format!("git+{r}"),
            };
            q.insert("vcs_url".to_string(), v);
        }
    }
    Purl::new("gem", None, s.name, Some(s.version), q, None)
        .ok()
        .map(|p| p.to_string())
}

fn components(lock: &Lock<'_>) -> Vec<(Component, u32, String)> {
    let mut by_name: HashMap<&str, Vec<String>> = HashMap::new();
    let purls: Vec<Option<String>> = lock.specs.iter().map(purl).collect();
    for (s, p) in lock.specs.iter().zip(&purls) {
        if let (Some(p), true) = (p, s.section != "PATH") {
            by_name.entry(s.name).or_default().push(p.clone());
        }
    }
    // The project's own gems (PATH) declare direct dependencies too.
    let from_path: HashSet<&str> = lock
        .specs
        .iter()
        .filter(|s| s.section == "PATH")
        .flat_map(|s| s.deps.iter().copied())
        .collect();
    let mut out = Vec::new();
    for (s, p) in lock.specs.iter().zip(purls) {
        if s.section == "PATH" {
            continue; // the project's own gems
        }
        let Some(p) = p else { continue };
        let mut c = Component::new(p, s.name, Some(s.version.to_string()), "RubyGems");
        c.direct = Some(lock.direct.contains(s.name) || from_path.contains(s.name));
        for d in &s.deps {
            for q in by_name.get(d).into_iter().flatten() {
                if !c.dependencies.contains(q) {
                    c.dependencies.push(q.clone());
                }
            }
        }
        let id = match s.platform {
            Some(pl) => format!("{} ({}-{pl}", s.name, s.version),
            None => format!("{} ({}", s.name, s.version),
        };
        if let Some(h) = lock.checksums.get(id.as_str()) {
            if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.hashes.push(Hash {
                    alg: "SHA-256".into(),
                    value: h.to_ascii_lowercase(),
                });
            }
        }
        let ctx = match (s.section, s.remote) {
            ("GIT", Some(r)) => format!("Gemfile.lock GIT {r}"),
            (sec, Some(r)) => format!("Gemfile.lock {sec} {r}"),
            (sec, None) => format!("Gemfile.lock {sec}"),
        };
        out.push((c, s.line, ctx));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_and_checksums() {
        let t = "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n\nCHECKSUMS\n  nokogiri (1.15.4-x86_64-linux) sha256=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
        let l = parse(t);
        let c = components(&l);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].0.purl, "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux");
        assert_eq!(c[0].0.version.as_deref(), Some("1.15.4"));
        assert_eq!(c[0].0.direct, Some(true));
        assert_eq!(c[0].0.dependencies, vec!["pkg:gem/racc@1.7.1".to_string()]);
        assert_eq!(c[0].0.hashes.len(), 1);
        assert_eq!(c[0].1, 4);
        assert_eq!(c[1].0.direct, Some(false));
    }
}
