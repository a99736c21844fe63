//! After the walk: which installed OS package owns the file each occurrence is in.
//!
//! The package databases say which files each installed package put on the system: dpkg's
//! `var/lib/dpkg/info/<package>[:<arch>].list` (and, in distroless images, the
//! `status.d/<package>.md5sums` beside each stanza), the BASENAMES/DIRNAMES/DIRINDEXES of
//! each rpm header, apk's `F:` (directory) and `R:` (file) lines. The detectors
//! ([`super::dpkg`], [`super::rpm`], [`super::apk`]) hand these lists over as
//! [`crate::PackageFiles`]; [`attach_owners`] then
//!
//! 1. keeps the lists of packages the same root's database gives as installed (a `.list`
//!    is joined with the package's component from dpkg's `status` of the same root, by name
//!    and architecture; rpm and apk lists come from the database itself), and takes the
//!    package's name, version and purl (the purl as [`super::distro::attach_distros`] made
//!    it) from that component;
//! 2. collects the files that observations were made in, per root file system (the
//!    longest root that holds the file, in the same image) — a few thousand paths, not the
//!    hundred thousand a Debian system's lists hold;
//! 3. goes through each list once, looking every listed path up among those files.
//!
//! Lists are held as 64-bit hashes of their paths ([`path_hash`]), not as text: a Debian
//! system's lists are 8 MB of text for 137,000 paths, 1 MB as hashes.
//!
//! Paths: a list gives absolute paths inside its root (`/usr/lib/python3.11/hashlib.py`),
//! which the walk sees as the root's path followed by the listed one
//! (`/srv/rootfs/usr/lib/…`, `/usr/lib/…` in an image). On a merged-/usr system `/lib`,
//! `/bin`, `/sbin` and `/lib64` are links into `/usr` that the walk does not follow, so a
//! package's `/lib/x` is walked as `usr/lib/x`: when the walk saw such a link at the top of
//! the root ([`is_merged_usr_link`]), a file walked as `usr/<dir>/…` is also looked up as
//! `<dir>/…`. Without the link (a split-/usr system) the two are different files and are
//! never confused.
//!
//! Files under the root's `etc/` are never given an owner: configuration is what the user
//! chooses and edits there (`sshd_config`, `openssl.cnf`, the keys apt trusts), whether or
//! not a package shipped the file first (decision 017). Where two packages list one file
//! (rpm allows it for identical files), the first package by name owns it.

use crate::Collected;
use mamori_model::purl::Purl;
use mamori_model::{Component, PackageRef};
use std::collections::HashMap;

/// Top-level directories merged into `/usr` on merged-/usr systems.
const MERGED_DIRS: [&str; 7] = ["bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32"];

/// Whether a link at walked `path` pointing at `target` merges a top-level directory into
/// `/usr` (`lib` → `usr/lib` or `/usr/lib`).
pub fn is_merged_usr_link(path: &str, target: Option<&[u8]>) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if !MERGED_DIRS.contains(&name) {
        return false;
    }
    let Some(t) = target else {
        return false;
    };
    let t = t.strip_suffix(b"/").unwrap_or(t);
    let t = t
        .strip_prefix(b"/")
        .or_else(|| t.strip_prefix(b"./"))
        .unwrap_or(t);
    t.strip_prefix(b"usr/") == Some(name.as_bytes())
}

/// The root a database path describes: `path` without `suffix` (which must follow a `/` or
/// start the path). `None` when `path` does not end with it.
pub fn root_before<'a>(path: &'a str, suffix: &str) -> Option<&'a str> {
    let pre = path.strip_suffix(suffix)?;
    (pre.is_empty() || pre.ends_with('/')).then_some(pre)
}

/// A root prefix as [`mamori_model::Distro::root`] writes roots: `/`, `.`, or a directory
/// without its trailing `/`.
fn display_root(prefix: &str) -> String {
    let t = prefix.trim_end_matches('/');
    if t.is_empty() {
        if prefix.starts_with('/') {
            "/".to_string()
        } else {
            ".".to_string()
        }
    } else {
        t.to_string()
    }
}

/// The `arch` qualifier of a purl (None when it has none or does not parse).
fn purl_arch(purl: &str) -> Option<String> {
    Purl::parse(purl).ok()?.qualifiers.get("arch").cloned()
}

/// The identity of a listed or walked path inside its root, for looking one up among the
/// other: a 64-bit hash (foldhash's quality hash with a fixed seed) of the path without
/// leading `./` and `/` (and a trailing `\r`). Lists are kept as these hashes, eight bytes a
/// path, not as text. Two different paths of one root share a hash with a probability of
/// about 10⁻¹¹ for a whole Debian system's lists against a scan's few thousand files — then
/// one file gets a wrong owner.
pub fn path_hash(path: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    let mut p = path.strip_suffix(b"\r").unwrap_or(path);
    while let Some(rest) = p.strip_prefix(b"./").or_else(|| p.strip_prefix(b"/")) {
        p = rest;
    }
    // A fixed seed: the same path hashes alike in every thread of the scan.
    const STATE: foldhash::quality::FixedState =
        foldhash::quality::FixedState::with_seed(0x6d61_6d6f_7269);
    STATE.hash_one(p)
}

/// Hands over the file list (`files`, one path a line) of package `name` (of `arch`,
/// where the database names one) from the database `file` of the root file system at
/// `root`; an empty list gives nothing.
pub(crate) fn push_list(
    out: &mut crate::detect::Output,
    file: &crate::detect::FileInfo<'_>,
    root: &str,
    name: String,
    arch: Option<String>,
    files: &str,
) {
    if files.is_empty() {
        return;
    }
    out.package_files.push(crate::PackageFiles {
        container: file.container.map(str::to_string),
        root: root.to_string(),
        database: file.path.to_string(),
        name,
        arch,
        paths: hash_lines(files.as_bytes()),
    });
}

/// [`path_hash`] of every non-empty line of a list (one path a line).
pub fn hash_lines(text: &[u8]) -> Vec<u64> {
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', text).count() + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len())) {
        let line = &text[start..end];
        start = end + 1;
        if !line.is_empty() && line != b"\r" {
            out.push(path_hash(line));
        }
    }
    out
}

/// Hashes keys that are [`path_hash`]es already: they are used as they are.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type ByHash<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Prehashed>>;

/// One root file system that holds package lists.
struct Root<'a> {
    container: Option<&'a str>,
    prefix: &'a str,
    /// Directories of it that are links into `usr/`.
    merged: Vec<&'static str>,
    /// Walked files of it, by [`path_hash`] → their slot.
    files: ByHash<u32>,
}

/// Marks every occurrence of `got.observations` in a file an installed package owns with
/// that package (see the module documentation). Consumes `got.package_files`.
pub fn attach_owners(got: &mut Collected) {
    let mut lists = std::mem::take(&mut got.package_files);
    let merged_links = std::mem::take(&mut got.merged_usr);
    if lists.is_empty() {
        return;
    }
    // The installed packages each database gives: (container, database, name) → components.
    let mut installed: HashMap<(Option<&str>, &str, &str), Vec<&Component>> = HashMap::new();
    for c in &got.components {
        let loc = &c.occurrence.location;
        installed
            .entry((
                loc.container.as_deref(),
                loc.path.as_str(),
                c.component.name.as_str(),
            ))
            .or_default()
            .push(&c.component);
    }
    // Deterministic whichever order the walk's threads finished in: first package by name
    // owns a file two packages list.
    lists.sort_by(|a, b| {
        (&a.container, &a.root, &a.name, &a.arch).cmp(&(&b.container, &b.root, &b.name, &b.arch))
    });
    let mut owners: Vec<PackageRef> = Vec::new();
    let mut owner_of_list: Vec<Option<u32>> = Vec::with_capacity(lists.len());
    for l in &lists {
        let cands = installed
            .get(&(l.container.as_deref(), l.database.as_str(), l.name.as_str()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let pick = match &l.arch {
            None => cands.first(),
            Some(a) => cands
                .iter()
                .find(|c| purl_arch(&c.purl).as_deref() == Some(a.as_str())),
        };
        owner_of_list.push(pick.map(|c| {
            owners.push(PackageRef {
                name: c.name.clone(),
                version: c.version.clone().unwrap_or_default(),
                purl: c.purl.clone(),
                root: display_root(&l.root),
            });
            (owners.len() - 1) as u32
        }));
    }
    drop(installed);
    if owners.is_empty() {
        return;
    }
    // The root file systems with package lists, and their merged-/usr links.
    let mut roots: Vec<Root<'_>> = Vec::new();
    for (l, o) in lists.iter().zip(&owner_of_list) {
        if o.is_some()
            && !roots
                .iter()
                .any(|r| r.container == l.container.as_deref() && r.prefix == l.root)
        {
            roots.push(Root {
                container: l.container.as_deref(),
                prefix: &l.root,
                merged: Vec::new(),
                files: ByHash::default(),
            });
        }
    }
    for link in &merged_links {
        let name = link.path.rsplit('/').next().unwrap_or_default();
        let Some(prefix) = root_before(&link.path, name) else {
            continue;
        };
        if let (Some(r), Some(d)) = (
            roots
                .iter_mut()
                .find(|r| r.container == link.container.as_deref() && r.prefix == prefix),
            MERGED_DIRS.iter().find(|d| **d == name),
        ) {
            r.merged.push(d);
        }
    }
    // The files observations were made in, per root (the longest that holds the file).
    let mut slot_of_obs: Vec<Option<u32>> = vec![None; got.observations.len()];
    let mut slots = 0u32;
    for (i, o) in got.observations.iter().enumerate() {
        let loc = &o.occurrence.location;
        let Some(r) = roots
            .iter_mut()
            .filter(|r| r.container == loc.container.as_deref() && loc.path.starts_with(r.prefix))
            .max_by_key(|r| r.prefix.len())
        else {
            continue;
        };
        let rel = loc.path[r.prefix.len()..].trim_start_matches('/');
        // Configuration stays the user's, whoever shipped it.
        if rel.is_empty() || rel == "etc" || rel.starts_with("etc/") {
            continue;
        }
        let slot = match r.files.get(&path_hash(rel.as_bytes())) {
            Some(&s) => s,
            None => {
                let s = slots;
                slots += 1;
                r.files.insert(path_hash(rel.as_bytes()), s);
                // A package's `/lib/x` is walked as `usr/lib/x` where `/lib` is a link.
                if let Some((dir, _)) = rel
                    .strip_prefix("usr/")
                    .and_then(|after| after.split_once('/'))
                {
                    if r.merged.contains(&dir) {
                        r.files.entry(path_hash(&rel.as_bytes()[4..])).or_insert(s);
                    }
                }
                s
            }
        };
        slot_of_obs[i] = Some(slot);
    }
    if slots == 0 {
        return;
    }
    // Every list read once: its paths looked up among the observed files of its root.
    let mut owner_of_slot: Vec<Option<u32>> = vec![None; slots as usize];
    for (l, o) in lists.iter().zip(&owner_of_list) {
        let Some(owner) = *o else { continue };
        let Some(r) = roots
            .iter()
            .find(|r| r.container == l.container.as_deref() && r.prefix == l.root)
        else {
            continue;
        };
        if r.files.is_empty() {
            continue;
        }
        for h in &l.paths {
            if let Some(&s) = r.files.get(h) {
                // The first list (by package name) that names the file owns it.
                owner_of_slot[s as usize].get_or_insert(owner);
            }
        }
    }
    drop(lists);
    for (o, slot) in got.observations.iter_mut().zip(slot_of_obs) {
        if let Some(k) = slot.and_then(|s| owner_of_slot[s as usize]) {
            o.occurrence.package = Some(Box::new(owners[k as usize].clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PackageFiles;
    use mamori_model::{
        AssetKind, ComponentObservation, CryptoAsset, Location, Observation, Occurrence,
    };

    #[test]
    fn merged_usr_links() {
        assert!(is_merged_usr_link("/srv/r/lib", Some(b"usr/lib")));
        assert!(is_merged_usr_link("/lib64", Some(b"/usr/lib64")));
        assert!(is_merged_usr_link("rootfs/sbin", Some(b"./usr/sbin/")));
        assert!(!is_merged_usr_link("/lib", Some(b"usr/lib64")));
        assert!(!is_merged_usr_link("/opt", Some(b"usr/opt")));
        assert!(!is_merged_usr_link("/lib", None));
        assert!(!is_merged_usr_link("/bin", Some(b"/bin.usr-is-merged")));
    }

    #[test]
    fn path_hashes_ignore_the_leading_slash() {
        let h = path_hash(b"usr/lib/x");
        assert_eq!(path_hash(b"/usr/lib/x"), h);
        assert_eq!(path_hash(b"./usr/lib/x\r"), h);
        assert_ne!(path_hash(b"usr/lib/y"), h);
        assert_eq!(hash_lines(b"/.\n\n/usr/lib/x\r\n"), [path_hash(b"."), h]);
    }

    #[test]
    fn roots() {
        assert_eq!(
            root_before("/srv/r/var/lib/dpkg/status", "var/lib/dpkg/status"),
            Some("/srv/r/")
        );
        assert_eq!(
            root_before("var/lib/dpkg/status", "var/lib/dpkg/status"),
            Some("")
        );
        assert_eq!(
            root_before("/srv/xvar/lib/dpkg/status", "var/lib/dpkg/status"),
            None
        );
        assert_eq!(display_root("/"), "/");
        assert_eq!(display_root("./"), ".");
        assert_eq!(display_root(""), ".");
        assert_eq!(display_root("/srv/r/"), "/srv/r");
    }

    fn obs(path: &str, container: Option<&str>) -> Observation {
        Observation {
            asset: CryptoAsset::new(AssetKind::Algorithm, "alg:MD5", "MD5"),
            occurrence: Occurrence {
                location: Location {
                    path: path.to_string(),
                    line: Some(3),
                    offset: None,
                    container: container.map(str::to_string),
                },
                detector: "source.python".into(),
                context: None,
                package: None,
            },
        }
    }

    fn comp(purl: &str, name: &str, db: &str, container: Option<&str>) -> ComponentObservation {
        ComponentObservation {
            component: Component::new(purl, name, Some("1.0-1".into()), "Debian"),
            occurrence: Occurrence {
                location: Location {
                    path: db.to_string(),
                    line: Some(1),
                    offset: None,
                    container: container.map(str::to_string),
                },
                detector: "sbom.dpkg".into(),
                context: None,
                package: None,
            },
        }
    }

    fn list(root: &str, db: &str, name: &str, arch: Option<&str>, paths: &str) -> PackageFiles {
        PackageFiles {
            container: None,
            root: root.to_string(),
            database: db.to_string(),
            name: name.to_string(),
            arch: arch.map(str::to_string),
            paths: hash_lines(paths.as_bytes()),
        }
    }

    fn owner(got: &Collected, i: usize) -> Option<&str> {
        got.observations[i]
            .occurrence
            .package
            .as_deref()
            .map(|p| p.name.as_str())
    }

    #[test]
    fn owners_by_root_arch_merged_usr_and_etc() {
        let db = "/srv/r/var/lib/dpkg/status";
        let mut got = Collected {
            observations: vec![
                obs("/srv/r/usr/lib/python3.11/hashlib.py", None),
                obs("/srv/r/opt/app/x.py", None),
                // Listed as /lib/…, walked under usr/ (the root's /lib is a link).
                obs("/srv/r/usr/lib/x86_64-linux-gnu/libssl.so.3", None),
                // /etc stays the user's even though a package lists it.
                obs("/srv/r/etc/ssh/ssh_config", None),
                // Another root: its own database, nothing listed.
                obs("/srv/r/srv/inner/usr/lib/python3.11/hashlib.py", None),
                // Same path in an image: not this root's.
                obs("/usr/lib/python3.11/hashlib.py", Some("img.tar")),
                // bin is not a link here: /bin/x and /usr/bin/x are different files.
                obs("/srv/r/usr/bin/tool", None),
            ],
            components: vec![
                comp(
                    "pkg:deb/debian/libpython3.11-stdlib@1.0-1?arch=amd64",
                    "libpython3.11-stdlib",
                    db,
                    None,
                ),
                comp(
                    "pkg:deb/debian/libssl3@1.0-1?arch=amd64",
                    "libssl3",
                    db,
                    None,
                ),
                comp(
                    "pkg:deb/debian/openssh-client@1.0-1?arch=amd64",
                    "openssh-client",
                    db,
                    None,
                ),
                comp("pkg:deb/debian/tool@1.0-1?arch=amd64", "tool", db, None),
                comp(
                    "pkg:deb/debian/x@1.0-1?arch=amd64",
                    "x",
                    "/srv/r/srv/inner/var/lib/dpkg/status",
                    None,
                ),
            ],
            package_files: vec![
                list(
                    "/srv/r/",
                    db,
                    "libpython3.11-stdlib",
                    Some("amd64"),
                    "/.\n/usr\n/usr/lib/python3.11\n/usr/lib/python3.11/hashlib.py\n",
                ),
                // Wrong architecture: not the installed one.
                list(
                    "/srv/r/",
                    db,
                    "libssl3",
                    Some("i386"),
                    "/lib/x86_64-linux-gnu/libssl.so.3\n",
                ),
                list(
                    "/srv/r/",
                    db,
                    "libssl3",
                    Some("amd64"),
                    "/lib/x86_64-linux-gnu/libssl.so.3\n",
                ),
                list(
                    "/srv/r/",
                    db,
                    "openssh-client",
                    None,
                    "/etc/ssh/ssh_config\n",
                ),
                list("/srv/r/", db, "tool", None, "/bin/tool\n"),
                // Not installed per the status file: no component.
                list(
                    "/srv/r/",
                    db,
                    "removed",
                    None,
                    "/srv/inner/usr/lib/python3.11/hashlib.py\n",
                ),
                list(
                    "/srv/r/srv/inner/",
                    "/srv/r/srv/inner/var/lib/dpkg/status",
                    "x",
                    None,
                    "/usr/share/x\n",
                ),
            ],
            merged_usr: vec![
                Location::file("/srv/r/lib"),
                Location::file("/srv/r/srv/inner/bin"),
            ],
            ..Default::default()
        };
        attach_owners(&mut got);
        assert_eq!(owner(&got, 0), Some("libpython3.11-stdlib"));
        assert_eq!(owner(&got, 1), None);
        assert_eq!(owner(&got, 2), Some("libssl3"));
        assert_eq!(owner(&got, 3), None);
        assert_eq!(owner(&got, 4), None);
        assert_eq!(owner(&got, 5), None);
        assert_eq!(owner(&got, 6), None);
        let p = got.observations[0].occurrence.package.as_deref().unwrap();
        assert_eq!(p.version, "1.0-1");
        assert_eq!(p.root, "/srv/r");
        assert_eq!(
            p.purl,
            "pkg:deb/debian/libpython3.11-stdlib@1.0-1?arch=amd64"
        );
        assert!(got.package_files.is_empty());
    }
}
