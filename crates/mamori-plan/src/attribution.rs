//! Which system a place belongs to: the register's targets, resolved to absolute paths and
//! `host:port` endpoint names, indexed so that one lookup costs a hash probe per directory
//! level of the place (a plan attributes every occurrence of up to millions of assets).
//!
//! ```
//! use mamori_plan::attribution::Attribution;
//! use mamori_model::Location;
//! let a = Attribution::new([("/srv/app".to_string(), "app".to_string()),
//!                           ("mail.example.org:587".to_string(), "mail".to_string())]);
//! assert_eq!(a.system_of(&Location::file("/srv/app/conf/tls.pem")), Some("app"));
//! assert_eq!(a.system_of(&Location::file("/srv/application/x")), None);
//! assert_eq!(a.system_of(&Location::file("mail.example.org:587")), Some("mail"));
//! ```

use mamori_model::Location;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// An absolute path with `.`, `..`, repeated and trailing slashes taken out, by its text
/// alone (`/srv/a/../b/` → `/srv/b`); anything not starting with `/` (an endpoint
/// `host:port`) is returned as it is. Places read back from a store are attributed in this
/// form, so `/srv/a/../b/key.pem` is never under `/srv/a`.
pub fn normalize(path: &str) -> Cow<'_, str> {
    if !path.starts_with('/') {
        return Cow::Borrowed(path);
    }
    let plain = !path.contains("//")
        && !path.contains("/./")
        && !path.contains("/../")
        && !path.ends_with("/.")
        && !path.ends_with("/..")
        && (path.len() == 1 || !path.ends_with('/'));
    if plain {
        return Cow::Borrowed(path);
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    Cow::Owned(format!("/{}", parts.join("/")))
}

/// The one spelling of a local place that attribution, storing and visibility share: made
/// absolute, symbolic links and `..` resolved by the file system, and on a case-insensitive
/// directory each name spelled as the directory lists it. A place that does not exist (any
/// more) is normalized by its text ([`normalize`]).
pub fn canonical(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match std::fs::canonicalize(&abs) {
        Ok(real) => as_listed(&real),
        Err(_) => match abs.to_str() {
            Some(s) => PathBuf::from(normalize(s).into_owned()),
            None => abs,
        },
    }
}

/// `real` (resolved, existing) with each name as its directory lists it: on a
/// case-insensitive file system (vfat, exFAT, ext4 casefold, SMB mounts) `/srv/APP` is
/// found as `/srv/APP` but listed as `/srv/app`, and the listed name is the one places
/// under it are stored with.
fn as_listed(real: &Path) -> PathBuf {
    spelled_as_listed(real, |dir| {
        std::fs::read_dir(dir)
            .ok()
            .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
    })
}

/// [`as_listed`] with the directory listing given (`list`: a directory's names, `None`
/// when it cannot be read): a name found exactly stays; otherwise the one name that is
/// the same but for case is taken.
fn spelled_as_listed(
    real: &Path,
    list: impl Fn(&Path) -> Option<Vec<std::ffi::OsString>>,
) -> PathBuf {
    let mut out = PathBuf::new();
    for c in real.components() {
        match c {
            Component::Normal(name) => {
                let listed = list(&out).and_then(|names| {
                    let mut folded = None;
                    for n in names {
                        if n == name {
                            return None;
                        }
                        if folded.is_none()
                            && n.to_string_lossy().to_lowercase()
                                == name.to_string_lossy().to_lowercase()
                        {
                            folded = Some(n);
                        }
                    }
                    folded
                });
                match listed {
                    Some(n) => out.push(n),
                    None => out.push(name),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Places (paths, images, endpoints) → the id of the system they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    owners: HashMap<String, String>,
}

impl Attribution {
    /// From `(place, system id)` pairs. A place named twice keeps its first system (the
    /// register's order decides, as in a scan).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Attribution {
        let mut owners = HashMap::new();
        for (place, id) in pairs {
            let place = match normalize(&place) {
                Cow::Owned(p) => p,
                Cow::Borrowed(_) if place.len() > 1 => place.trim_end_matches('/').to_string(),
                Cow::Borrowed(_) => place,
            };
            owners.entry(place).or_insert(id);
        }
        Attribution { owners }
    }

    /// Whether no place is known.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// The system a path (or endpoint name) is under: the place itself or its nearest
    /// ancestor directory that a system names.
    pub fn system_of_path(&self, path: &str) -> Option<&str> {
        let path = normalize(path);
        let mut p: &str = &path;
        loop {
            if let Some(id) = self.owners.get(p) {
                return Some(id);
            }
            match p.rfind('/') {
                Some(0) if p.len() > 1 => p = "/",
                Some(i) if i > 0 => p = &p[..i],
                _ => return None,
            }
        }
    }

    /// The system of a location: by its path, else by what contains it (an image tarball).
    pub fn system_of(&self, loc: &Location) -> Option<&str> {
        self.system_of_path(&loc.path).or_else(|| {
            loc.container
                .as_deref()
                .and_then(|c| self.system_of_path(c.split('!').next().unwrap_or(c)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_named_ancestor_wins_and_prefixes_are_not_directories() {
        let a = Attribution::new([
            ("/srv".to_string(), "all".to_string()),
            ("/srv/app/".to_string(), "app".to_string()),
            ("/srv/app".to_string(), "dup".to_string()),
            ("/img/web.tar".to_string(), "web".to_string()),
            ("[::1]:443".to_string(), "v6".to_string()),
        ]);
        assert_eq!(a.system_of_path("/srv/app/x/y"), Some("app"));
        assert_eq!(a.system_of_path("/srv/app"), Some("app"));
        assert_eq!(a.system_of_path("/srv/other"), Some("all"));
        assert_eq!(a.system_of_path("/srvx"), None);
        assert_eq!(a.system_of_path("relative/x"), None);
        assert_eq!(a.system_of_path("[::1]:443"), Some("v6"));
        let mut l = Location::file("etc/ssl/cert.pem");
        l.container = Some("/img/web.tar".into());
        assert_eq!(a.system_of(&l), Some("web"));
        l.container = Some("/img/web.tar!app.jar".into());
        assert_eq!(a.system_of(&l), Some("web"));
        let root = Attribution::new([("/".to_string(), "host".to_string())]);
        assert_eq!(root.system_of_path("/etc/ssh/sshd_config"), Some("host"));
    }

    #[test]
    fn every_spelling_of_a_path_is_attributed_alike() {
        let a = Attribution::new([
            ("/srv/a".to_string(), "a".to_string()),
            ("/srv/b/./".to_string(), "b".to_string()),
        ]);
        for (p, want) in [
            ("/srv/a/../b/key.pem", Some("b")),
            ("/srv/a/./x/../../b/key.pem", Some("b")),
            ("/srv//a///key.pem", Some("a")),
            ("/srv/a/", Some("a")),
            ("/srv/a/..", None),
            ("/srv/a/../../srv/a/k", Some("a")),
            ("/../srv/b/k", Some("b")),
            ("/srv/b", Some("b")),
        ] {
            assert_eq!(a.system_of_path(p), want, "{p}");
        }
        assert_eq!(normalize("/srv/a"), Cow::Borrowed("/srv/a"));
        assert_eq!(normalize("/"), Cow::Borrowed("/"));
        assert_eq!(normalize("/.."), "/");
        assert_eq!(normalize("host:443"), "host:443");
    }

    #[test]
    fn on_a_case_insensitive_directory_names_are_spelled_as_listed() {
        // What vfat, exFAT or ext4 casefold directories do: `/srv/APP/Keys` opens, but the
        // directories list `app` and `keys`. (No such file system mounts in the test
        // sandbox: its kernel has no CONFIG_UNICODE and loop mounts are refused.)
        let listing = |dir: &Path| -> Option<Vec<std::ffi::OsString>> {
            let names: &[&str] = match dir.to_str()? {
                "/" => &["srv", "etc"],
                "/srv" => &["app", "App2", "other"],
                "/srv/app" => &["keys", "Keys.old"],
                "/srv/app/keys" => &["server.pem"],
                _ => return None,
            };
            Some(names.iter().map(Into::into).collect())
        };
        assert_eq!(
            spelled_as_listed(Path::new("/srv/APP/Keys/SERVER.pem"), listing),
            Path::new("/srv/app/keys/server.pem")
        );
        // An exact name stays, even where another differs only by case.
        assert_eq!(
            spelled_as_listed(Path::new("/srv/app/Keys.old"), listing),
            Path::new("/srv/app/Keys.old")
        );
        assert_eq!(
            spelled_as_listed(Path::new("/srv/app2"), listing),
            Path::new("/srv/App2")
        );
        // Unreadable or unknown: as given.
        assert_eq!(
            spelled_as_listed(Path::new("/var/Lib"), listing),
            Path::new("/var/Lib")
        );
    }

    #[test]
    fn canonical_places_resolve_links_and_dots() {
        let d = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(d.path()).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::create_dir_all(root.join("b/keys")).unwrap();
        std::os::unix::fs::symlink(root.join("b"), root.join("a/to-b")).unwrap();
        let b = root.join("b");
        assert_eq!(canonical(&root.join("a/../b")), b);
        assert_eq!(canonical(&root.join("a/to-b")), b);
        assert_eq!(canonical(&root.join("a/to-b/keys/..")), b);
        assert_eq!(canonical(&root.join("a/./to-b/")), b);
        // Gone: by its text.
        assert_eq!(canonical(&root.join("a/../gone/x")), root.join("gone/x"));
        // Relative to the working directory.
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            canonical(Path::new(".")),
            std::fs::canonicalize(cwd).unwrap()
        );
    }
}
