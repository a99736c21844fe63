//! After the walk: give OS packages their distribution.
//!
//! The package-database detectors ([`super::dpkg`], [`super::rpm`], [`super::apk`]) cannot
//! know which distribution release their database belongs to; os-release files
//! ([`super::osrelease`]) say it per root file system. [`attach_distros`] joins the two by
//! location: a package belongs to the distro whose root holds the package database (same
//! image, path under the root; the longest root wins, so a rootfs unpacked inside another
//! tree gets its own os-release, not the host's).

use mamori_model::ecosystem::os_family;
use mamori_model::purl::Purl;
use mamori_model::{ComponentObservation, Distro};

/// purl types of OS packages.
const OS_TYPES: [&str; 3] = ["deb", "rpm", "apk"];

/// Whether `path` lies under the root file system `root` (as [`super::osrelease::root_of`]
/// writes it: `/`, `.`, or a directory path without trailing `/`).
pub fn under(path: &str, root: &str) -> bool {
    match root {
        "/" => path.starts_with('/'),
        "." => !path.starts_with('/') && !path.starts_with("../"),
        _ => {
            let root = root.trim_end_matches('/');
            path.strip_prefix(root)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }
    }
}

/// The distro a package database at `path` (in image `container`) belongs to.
pub fn distro_for<'a>(
    path: &str,
    container: Option<&str>,
    distros: &'a [Distro],
) -> Option<&'a Distro> {
    distros
        .iter()
        .filter(|d| d.container.as_deref() == container && under(path, &d.root))
        .fold(None, |best: Option<&Distro>, d| match best {
            Some(b) if b.root.len() >= d.root.len() => Some(b),
            _ => Some(d),
        })
}

/// The purl of an OS package, rewritten for `d`: namespace = os-release `ID`, qualifier
/// `distro=<ID>-<VERSION_ID>` (`<ID>` alone without `VERSION_ID`). `None` when `purl` is
/// not an OS package purl or the result would not be a valid purl.
pub fn rewrite_purl(purl: &str, d: &Distro) -> Option<String> {
    let p = Purl::parse(purl).ok()?;
    if !OS_TYPES.contains(&p.ty.as_str()) {
        return None;
    }
    let mut q = p.qualifiers.clone();
    let tag = if d.version_id.is_empty() {
        d.id.clone()
    } else {
        format!("{}-{}", d.id, d.version_id)
    };
    q.insert("distro".to_string(), tag);
    Purl::new(
        &p.ty,
        Some(&d.id),
        &p.name,
        p.version.as_deref(),
        q,
        p.subpath.as_deref(),
    )
    .ok()
    .map(|u| u.to_string())
}

/// For each OS component (purl type `deb`, `rpm`, `apk`), find its distro (see the module
/// documentation) and set `distro` to the distro's OSV ecosystem, `ecosystem` to the
/// distribution family (`Ubuntu` for ubuntu …; empty for a distribution mamori does not
/// map, whose packages must not be matched as Debian's or Red Hat's), and rewrite the purl
/// — and the purls of its dependencies — with the os-release `ID` as namespace and a
/// `distro` qualifier. Components with no distro found are left as the detector wrote them.
pub fn attach_distros(components: &mut [ComponentObservation], distros: &[Distro]) {
    if distros.is_empty() {
        return;
    }
    for obs in components.iter_mut() {
        let c = &mut obs.component;
        let Some(ty) = c
            .purl
            .strip_prefix("pkg:")
            .and_then(|r| r.split('/').next())
        else {
            continue;
        };
        if !OS_TYPES.contains(&ty) {
            continue;
        }
        let loc = &obs.occurrence.location;
        let Some(d) = distro_for(&loc.path, loc.container.as_deref(), distros) else {
            continue;
        };
        c.distro = d.osv_ecosystem.clone();
        c.ecosystem = os_family(&d.id).unwrap_or_default().to_string();
        if let Some(p) = rewrite_purl(&c.purl, d) {
            c.purl = p;
        }
        for dep in c.dependencies.iter_mut() {
            if let Some(p) = rewrite_purl(dep, d) {
                *dep = p;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_model::{Component, Location, Occurrence};

    fn distro(
        root: &str,
        container: Option<&str>,
        id: &str,
        vid: &str,
        osv: Option<&str>,
    ) -> Distro {
        Distro {
            root: root.to_string(),
            container: container.map(str::to_string),
            id: id.to_string(),
            version_id: vid.to_string(),
            pretty_name: String::new(),
            osv_ecosystem: osv.map(str::to_string),
        }
    }

    fn obs(
        purl: &str,
        eco: &str,
        path: &str,
        container: Option<&str>,
        deps: &[&str],
    ) -> ComponentObservation {
        let mut c = Component::new(purl, "x", Some("1".to_string()), eco);
        c.dependencies = deps.iter().map(|s| s.to_string()).collect();
        ComponentObservation {
            component: c,
            occurrence: Occurrence {
                location: Location {
                    path: path.to_string(),
                    line: None,
                    offset: None,
                    container: container.map(str::to_string),
                },
                detector: "t".to_string(),
                context: None,
                package: None,
            },
        }
    }

    #[test]
    fn containment() {
        assert!(under("/var/lib/dpkg/status", "/"));
        assert!(!under("var/lib/dpkg/status", "/"));
        assert!(under("var/lib/dpkg/status", "."));
        assert!(under("./var/lib/dpkg/status", "."));
        assert!(under("/srv/r/var/lib/dpkg/status", "/srv/r"));
        assert!(!under("/srv/root2/var/lib/dpkg/status", "/srv/r"));
        assert!(under("/srv/r/var/lib/dpkg/status", "/srv/r/"));
    }

    #[test]
    fn longest_root_same_container_wins() {
        let ds = [
            distro("/", None, "debian", "12", Some("Debian:12")),
            distro("/srv/u", None, "ubuntu", "22.04", Some("Ubuntu:22.04:LTS")),
            distro(
                "/",
                Some("img.tar"),
                "alpine",
                "3.20.3",
                Some("Alpine:v3.20"),
            ),
        ];
        let pick = |p: &str, c: Option<&str>| distro_for(p, c, &ds).map(|d| d.id.as_str());
        assert_eq!(pick("/var/lib/dpkg/status", None), Some("debian"));
        assert_eq!(pick("/srv/u/var/lib/dpkg/status", None), Some("ubuntu"));
        assert_eq!(
            pick("/lib/apk/db/installed", Some("img.tar")),
            Some("alpine")
        );
        assert_eq!(pick("/lib/apk/db/installed", Some("other.tar")), None);
    }

    #[test]
    fn attaches_and_rewrites() {
        let ds = [
            distro("/srv/u", None, "ubuntu", "22.04", Some("Ubuntu:22.04:LTS")),
            distro("/", Some("img.tar"), "rocky", "9.3", Some("Rocky Linux:9")),
            distro("/f", None, "fedora", "40", None),
        ];
        let mut comps = vec![
            obs(
                "pkg:deb/debian/libssl3@3.0.2-0ubuntu1.15?arch=amd64&upstream=openssl",
                "Debian",
                "/srv/u/var/lib/dpkg/status",
                None,
                &[
                    "pkg:deb/debian/libc6@2.35-0ubuntu3.6?arch=amd64",
                    "pkg:cargo/x@1",
                ],
            ),
            obs(
                "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&epoch=0",
                "Red Hat",
                "/var/lib/rpm/rpmdb.sqlite",
                Some("img.tar"),
                &[],
            ),
            obs(
                "pkg:cargo/serde@1.0.0",
                "crates.io",
                "/srv/u/Cargo.lock",
                None,
                &[],
            ),
            obs(
                "pkg:rpm/redhat/bash@5.2-1.fc40?arch=x86_64",
                "Red Hat",
                "/f/var/lib/rpm/rpmdb.sqlite",
                None,
                &[],
            ),
            obs(
                "pkg:deb/debian/zlib1g@1?arch=amd64",
                "Debian",
                "/elsewhere/var/lib/dpkg/status",
                None,
                &[],
            ),
        ];
        attach_distros(&mut comps, &ds);
        let u = &comps[0].component;
        assert_eq!(
            u.purl,
            "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl"
        );
        assert_eq!(u.ecosystem, "Ubuntu");
        assert_eq!(u.distro.as_deref(), Some("Ubuntu:22.04:LTS"));
        assert_eq!(
            u.dependencies,
            [
                "pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?arch=amd64&distro=ubuntu-22.04",
                "pkg:cargo/x@1"
            ]
        );
        let r = &comps[1].component;
        assert_eq!(
            r.purl,
            "pkg:rpm/rocky/bash@5.1.8-6.el9?arch=x86_64&distro=rocky-9.3&epoch=0"
        );
        assert_eq!(r.ecosystem, "Rocky Linux");
        assert_eq!(r.distro.as_deref(), Some("Rocky Linux:9"));
        // Not an OS package: untouched.
        assert_eq!(comps[2].component.purl, "pkg:cargo/serde@1.0.0");
        assert_eq!(comps[2].component.ecosystem, "crates.io");
        // Unmapped distribution: renamed, but no ecosystem to match in.
        let f = &comps[3].component;
        assert_eq!(
            f.purl,
            "pkg:rpm/fedora/bash@5.2-1.fc40?arch=x86_64&distro=fedora-40"
        );
        assert_eq!(f.ecosystem, "");
        assert_eq!(f.distro, None);
        // No distro found: as the detector wrote it.
        assert_eq!(
            comps[4].component.purl,
            "pkg:deb/debian/zlib1g@1?arch=amd64"
        );
        assert_eq!(comps[4].component.ecosystem, "Debian");
    }
}
