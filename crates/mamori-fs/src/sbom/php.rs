//! Composer: `composer.lock` and `vendor/composer/installed.json` (Composer 1: an array
//! of packages; Composer 2: `{"packages": [...], "dev-package-names": [...]}`).
//!
//! Each package becomes `pkg:composer/vendor/name@version`; `license` arrays become an OR
//! expression; a non-empty `dist.shasum` is the SHA-1 of the dist archive. `require`
//! entries naming other packages of the file are the edges (platform requirements such as
//! `php` or `ext-json` are not packages). `packages-dev` (or `dev-package-names`) are dev.
//! When the `composer.json` beside a `composer.lock` can be read, its `require` and
//! `require-dev` mark the direct packages.

use super::npm::{license_of, one_line};
use crate::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Detector name of the lockfile reader.
const LOCK_NAME: &str = "sbom.composer-lock";
/// Detector name of the installed.json reader.
const INSTALLED_NAME: &str = "sbom.composer-installed";

/// Reads `composer.lock`.
pub struct ComposerLockDetector;

/// Reads `vendor/composer/installed.json`.
pub struct ComposerInstalledDetector;

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    license: Option<serde_json::Value>,
    #[serde(default)]
    dist: Option<Dist>,
    #[serde(default)]
    require: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    shasum: Option<String>,
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 {
        packages: Vec<Package>,
        #[serde(default, rename = "dev-package-names")]
        dev_names: Vec<String>,
    },
    V1(Vec<Package>),
}

#[derive(Deserialize, Default)]
struct ComposerJson {
    #[serde(default)]
    require: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "require-dev")]
    require_dev: BTreeMap<String, serde_json::Value>,
}

/// Whether a `require` key is a platform requirement rather than a package.
fn is_platform(name: &str) -> bool {
    !name.contains('/')
        || name.starts_with("ext-")
        || name.starts_with("lib-")
        || name == "composer-plugin-api"
}

fn purl_of(name: &str, version: Option<&str>) -> Option<String> {
    let (ns, n) = name.split_once('/')?;
    Purl::new("composer", Some(ns), n, version, BTreeMap::new(), None)
        .ok()
        .map(|p| p.to_string())
}

/// Components of `packages` (with `dev[i]` telling which are dev).
fn build(pkgs: &[(&Package, bool)], direct: Option<&HashSet<String>>) -> Vec<Component> {
    let purls: HashMap<String, String> = pkgs
        .iter()
        .filter_map(|(p, _)| {
            Some((
                p.name.to_ascii_lowercase(),
                purl_of(&p.name, p.version.as_deref())?,
            ))
        })
        .collect();
    let mut v = Vec::with_capacity(pkgs.len());
    for (p, dev) in pkgs {
        let Some(purl) = purls.get(&p.name.to_ascii_lowercase()) else {
            continue;
        };
        let mut c = Component::new(purl.clone(), p.name.clone(), p.version.clone(), "Packagist");
        c.license = license_of(p.license.as_ref());
        if let Some(s) = p.dist.as_ref().and_then(|d| d.shasum.as_deref()) {
            if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.hashes.push(Hash {
                    alg: "SHA-1".into(),
                    value: s.to_ascii_lowercase(),
                });
            }
        }
        c.dev = *dev;
        c.direct = direct.map(|d| d.contains(&p.name.to_ascii_lowercase()));
        for r in p.require.keys().filter(|r| !is_platform(r)) {
            if let Some(q) = purls.get(&r.to_ascii_lowercase()) {
                c.dependencies.push(q.clone());
            }
        }
        v.push(c);
    }
    v
}

impl Detector for ComposerLockDetector {
    fn name(&self) -> &'static str {
        LOCK_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "composer.lock"
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let lock: Lock = match serde_json::from_slice(data) {
            Ok(l) => l,
            Err(e) => {
                out.warn(
                    file,
                    format!("composer.lock is not valid: {}", one_line(&e)),
                );
                return;
            }
        };
        let direct = file.fs.and_then(|fs| {
            let dir = file.path.strip_suffix(file.name)?;
            let data = fs.read(&format!("{dir}composer.json"), 8 << 20)?;
            let m: ComposerJson = serde_json::from_slice(&data).ok()?;
            Some(
                m.require
                    .into_keys()
                    .chain(m.require_dev.into_keys())
                    .map(|k| k.to_ascii_lowercase())
                    .collect::<HashSet<String>>(),
            )
        });
        let all: Vec<(&Package, bool)> = lock
            .packages
            .iter()
            .map(|p| (p, false))
            .chain(lock.packages_dev.iter().map(|p| (p, true)))
            .collect();
        for c in build(&all, direct.as_ref()) {
            out.component(c, file.location(), LOCK_NAME, Some("composer.lock".into()));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

impl Detector for ComposerInstalledDetector {
    fn name(&self) -> &'static str {
        INSTALLED_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "installed.json"
            && file
                .path
                .replace('\\', "/")
                .ends_with("vendor/composer/installed.json")
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let inst: Installed = match serde_json::from_slice(data) {
            Ok(i) => i,
            Err(e) => {
                out.warn(
                    file,
                    format!("installed.json is not valid: {}", one_line(&e)),
                );
                return;
            }
        };
        let (pkgs, dev_names, fmt) = match &inst {
            Installed::V2 {
                packages,
                dev_names,
            } => (packages.as_slice(), dev_names.as_slice(), "Composer 2"),
            Installed::V1(p) => (p.as_slice(), &[][..], "Composer 1"),
        };
        let all: Vec<(&Package, bool)> = pkgs
            .iter()
            .map(|p| (p, dev_names.iter().any(|d| d.eq_ignore_ascii_case(&p.name))))
            .collect();
        let ctx = format!("vendor/composer/installed.json ({fmt})");
        for c in build(&all, None) {
            out.component(c, file.location(), INSTALLED_NAME, Some(ctx.clone()));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_v1_array() {
        let data = br#"[{"name":"psr/log","version":"1.1.4","license":["MIT"],"require":{"php":">=5.3.0"}},
                        {"name":"monolog/monolog","version":"1.27.1","require":{"psr/log":"~1.0"},
                         "dist":{"type":"zip","url":"x","shasum":"904713c5929655dc9b97288b69cfeedad610c9a1"}}]"#;
        let f = FileInfo {
            path: "p/vendor/composer/installed.json",
            name: "installed.json",
            size: data.len() as u64,
            container: None,
            fs: None,
        };
        assert!(ComposerInstalledDetector.wants(&f, data));
        let mut out = Output::default();
        ComposerInstalledDetector.detect(&f, data, &mut out);
        assert_eq!(out.components.len(), 2);
        let m = &out.components[1].component;
        assert_eq!(m.purl, "pkg:composer/monolog/monolog@1.27.1");
        assert_eq!(
            m.dependencies,
            vec!["pkg:composer/psr/log@1.1.4".to_string()]
        );
        assert_eq!(m.hashes[0].alg, "SHA-1");
        assert!(out.components[1]
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .contains("Composer 1"));
    }

    #[test]
    fn platform_requirements() {
        assert!(is_platform("php"));
        assert!(is_platform("ext-json"));
        assert!(!is_platform("psr/log"));
    }
}
