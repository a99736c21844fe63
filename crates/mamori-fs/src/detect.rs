//! The shape every detector has.
//!
//! The walker shows each regular file to every detector twice at most: first its name and
//! its first [`HEAD_LEN`] bytes ([`Detector::wants`]); then, only if some detector asked for
//! it, the whole file ([`Detector::detect`]). Detectors never open files themselves, so a
//! file inside a container image layer and a file on disk look the same, and the scan reads
//! only the bytes some detector needs.

use mamori_model::{
    Component, ComponentObservation, CryptoAsset, Distro, Location, Observation, Occurrence,
    Warning,
};

/// How many leading bytes every detector sees before deciding.
pub const HEAD_LEN: usize = 4096;

/// A file as detectors see it.
#[derive(Clone, Copy)]
pub struct FileInfo<'a> {
    /// Path as reported (on disk: as the user named it; in an image: the path inside the image, with a leading `/`).
    pub path: &'a str,
    /// The last path component.
    pub name: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// What contains the file: the image tarball's path, or `None` on disk.
    pub container: Option<&'a str>,
    /// Reads another file of the same tree by absolute path (used to follow `Include`);
    /// `None` where the tree cannot be read at random (streamed image layers).
    pub fs: Option<&'a dyn ReadOther>,
}

/// Random access to other files of the tree being scanned.
pub trait ReadOther: Sync {
    /// The contents of `path` (a path as it appears in the tree, e.g. `/etc/ssh/sshd_config.d/x.conf`), at most `limit` bytes.
    fn read(&self, path: &str, limit: u64) -> Option<Vec<u8>>;
    /// Paths in the tree matching a glob such as `/etc/ssh/sshd_config.d/*.conf`, sorted.
    fn glob(&self, pattern: &str) -> Vec<String>;
}

impl<'a> FileInfo<'a> {
    /// A location of this file.
    pub fn location(&self) -> Location {
        Location {
            path: self.path.to_string(),
            line: None,
            offset: None,
            container: self.container.map(str::to_string),
        }
    }

    /// A location at a 1-based line of this file.
    pub fn at_line(&self, line: u32) -> Location {
        self.location().with_line(line)
    }

    /// The file name's extension, lowercase, without the dot.
    pub fn extension(&self) -> Option<String> {
        let (stem, ext) = self.name.rsplit_once('.')?;
        if stem.is_empty() {
            return None;
        }
        Some(ext.to_ascii_lowercase())
    }
}

/// Where a detector puts what it saw.
#[derive(Debug, Default)]
pub struct Output {
    /// Assets seen.
    pub observations: Vec<Observation>,
    /// Problems with the input (malformed file …); the scan goes on.
    pub warnings: Vec<Warning>,
    /// Software components seen.
    pub components: Vec<ComponentObservation>,
    /// Operating systems seen (os-release files).
    pub distros: Vec<Distro>,
    /// Files installed packages own, as package databases list them.
    pub package_files: Vec<PackageFiles>,
    /// Links into `usr/` at the top of a root file system (`lib` → `usr/lib`: merged
    /// /usr), where a package's `/lib/x` is walked as `usr/lib/x`.
    pub merged_usr: Vec<Location>,
}

/// The files one installed package owns, as its package database lists them. Joined with
/// the package's component and the walked files after the walk
/// ([`crate::sbom::owners::attach_owners`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageFiles {
    /// The image the database is in, if any.
    pub container: Option<String>,
    /// The root file system the listed paths are in, as the start of walked paths: `/`,
    /// `/srv/rootfs/`, `rootfs/`, `./` (always ending with `/`, or empty for the current
    /// directory).
    pub root: String,
    /// The walked path of the database file that lists the package as installed (dpkg's
    /// `status` or a `status.d` file, the rpmdb, apk's `installed`): the package counts as
    /// installed only if that file gives it as a component.
    pub database: String,
    /// Package name.
    pub name: String,
    /// Architecture, where one name may be installed for several (`pkg:arch.list`, rpm
    /// multilib); `None`: any.
    pub arch: Option<String>,
    /// The listed paths (directories may be among them), each as the
    /// [`path_hash`](crate::sbom::owners::path_hash) of its path inside the root
    /// (`/usr/lib/python3.11/hashlib.py`): eight bytes a path instead of the path, for the
    /// 100,000 paths the lists of a Debian system hold.
    pub paths: Vec<u64>,
}

impl Output {
    /// Record `asset` seen at `location` by `detector`, with what was there.
    pub fn observe(
        &mut self,
        asset: CryptoAsset,
        location: Location,
        detector: &str,
        context: Option<String>,
    ) {
        self.observations.push(Observation {
            asset,
            occurrence: Occurrence {
                location,
                detector: detector.to_string(),
                context,
                package: None,
            },
        });
    }

    /// Record software `component` seen at `location` by `detector`, with what was there.
    pub fn component(
        &mut self,
        component: Component,
        location: Location,
        detector: &str,
        context: Option<String>,
    ) {
        self.components.push(ComponentObservation {
            component,
            occurrence: Occurrence {
                location,
                detector: detector.to_string(),
                context,
                package: None,
            },
        });
    }

    /// Record a problem with `file`.
    pub fn warn(&mut self, file: &FileInfo<'_>, message: impl Into<String>) {
        let path = match file.container {
            Some(c) => format!("{c}!{}", file.path),
            None => file.path.to_string(),
        };
        self.warnings.push(Warning::new(path, message));
    }
}

/// A detector: looks at files and reports the crypto assets it recognizes.
///
/// Detectors never judge (that is the assessors' job) and never panic on malformed input:
/// they report a warning and return.
pub trait Detector: Send + Sync {
    /// Short stable name, used as `Occurrence::detector` (`certificate`, `key`, `config.sshd` …).
    fn name(&self) -> &'static str;
    /// Whether this detector could want the file at all, judging by its path and name only
    /// (`size` is 0 here). When no detector could, the file is never opened: most files of
    /// a `node_modules` tree are never read by a software-only scan. Default: yes.
    fn may_want(&self, _file: &FileInfo<'_>) -> bool {
        true
    }
    /// Whether this detector needs the whole file, judging by name and the first bytes.
    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool;
    /// Examine the whole file.
    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output);
    /// Largest file this detector will read whole (bytes).
    fn max_size(&self) -> u64 {
        16 << 20
    }
}
