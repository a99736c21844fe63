//! The parallel walk: directories through `ignore::WalkParallel`, image tarballs through
//! [`crate::image`], single files directly. Each regular file's first bytes go to every
//! detector; the whole file is read only when one asks for it.

use crate::detect::{Detector, FileInfo, Output, ReadOther, HEAD_LEN};
use crate::{detectors, image, Collected, Progress, ScanOptions};
use mamori_model::Warning;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories never entered at the top of `/` or of a root file system.
const PSEUDO_FS: &[&str] = &["/proc", "/sys", "/dev"];

/// File-system types whose contents are the live kernel's, not files.
const PSEUDO_FS_TYPES: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "mqueue",
    "hugetlbfs",
    "configfs",
    "fusectl",
    "binfmt_misc",
];

/// Mount points of pseudo file systems, from /proc/self/mountinfo (empty where it cannot be
/// read). Field 5 is the mount point (octal escapes for spaces), the field after ` - ` the type.
fn pseudo_mounts() -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let fstype = right.split_whitespace().next()?;
            let mount = left.split_whitespace().nth(4)?;
            PSEUDO_FS_TYPES
                .contains(&fstype)
                .then(|| PathBuf::from(mount.replace("\\040", " ")))
        })
        .filter(|m| m != Path::new("/"))
        .collect()
}

/// Collect observations from one target. OS packages get the distribution release of the
/// root file system they were found in (its os-release), and occurrences in files an
/// installed package owns get that package as their owner.
pub fn collect(target: &Path, opts: &ScanOptions, progress: &Progress) -> Collected {
    let mut got = collect_raw(target, opts, progress);
    crate::sbom::distro::attach_distros(&mut got.components, &got.distros);
    crate::sbom::owners::attach_owners(&mut got);
    got
}

fn collect_raw(target: &Path, opts: &ScanOptions, progress: &Progress) -> Collected {
    let all = detectors(opts);
    // A target the user named is followed if it is a symlink (they asked for it); nothing
    // below it is.
    let meta = match std::fs::metadata(target) {
        Ok(m) => m,
        Err(e) => {
            return Collected {
                warnings: vec![Warning::new(
                    target.display().to_string(),
                    format!("cannot read target: {e}"),
                )],
                ..Default::default()
            }
        }
    };
    // A BOM is read as an inventory only when it is itself a target: reports mamori (or
    // anyone) left inside a scanned tree must not bring back what is gone.
    let in_tree: Vec<Box<dyn Detector>> = all
        .into_iter()
        .filter(|d| meta.is_file() || !crate::TARGET_ONLY.contains(&d.name()))
        .collect();
    if meta.is_dir() {
        walk_dir(target, opts, &in_tree, progress)
    } else if meta.is_file() && image::is_image(target) {
        image::collect_image(target, opts, &in_tree, progress)
    } else {
        let mut out = Output::default();
        let shown = target.display().to_string();
        let fs = DiskFs::new(target.parent().unwrap_or(Path::new(".")));
        scan_disk_file(target, &shown, &in_tree, &fs, progress, &mut out);
        let mut all = Collected {
            files: progress.files.load(std::sync::atomic::Ordering::Relaxed),
            bytes: progress.bytes.load(std::sync::atomic::Ordering::Relaxed),
            ..Default::default()
        };
        all.absorb(out);
        all
    }
}

/// Read access to the scanned tree, for detectors that follow `Include`. Only files inside
/// the target are ever read: an absolute path in a config is resolved inside the target
/// when the target is a root file system (it has `etc/`), else taken as is; either way a
/// path that resolves (symlinks included) outside the target is refused.
struct DiskFs {
    root: PathBuf,
    rootfs: bool,
}

impl DiskFs {
    fn new(root: &Path) -> DiskFs {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let rootfs = root != Path::new("/") && root.join("etc").is_dir();
        DiskFs { root, rootfs }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        if self.rootfs && Path::new(path).is_absolute() {
            self.root.join(path.trim_start_matches('/'))
        } else {
            PathBuf::from(path)
        }
    }

    fn inside(&self, p: &Path) -> Option<PathBuf> {
        let c = std::fs::canonicalize(p).ok()?;
        c.starts_with(&self.root).then_some(c)
    }
}

impl ReadOther for DiskFs {
    fn read(&self, path: &str, limit: u64) -> Option<Vec<u8>> {
        let p = self.inside(&self.resolve(path))?;
        let f = File::open(p).ok()?;
        let mut v = Vec::new();
        f.take(limit).read_to_end(&mut v).ok()?;
        Some(v)
    }
    fn glob(&self, pattern: &str) -> Vec<String> {
        let p = self.resolve(pattern);
        let (dir, pat) = match (p.parent(), p.file_name()) {
            (Some(d), Some(f)) => (d.to_path_buf(), f.to_string_lossy().to_string()),
            _ => return vec![],
        };
        let Ok(m) = globset::Glob::new(&pat).map(|g| g.compile_matcher()) else {
            return vec![];
        };
        let Some(dir) = self.inside(&dir) else {
            return vec![];
        };
        let mut out: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| m.is_match(e.file_name()))
            .filter(|e| self.inside(&e.path()).is_some())
            .map(|e| {
                // Give the path back in the tree's own terms, so `read` resolves it again.
                let full = e.path();
                if self.rootfs {
                    match full.strip_prefix(&self.root) {
                        Ok(rel) => format!("/{}", rel.display()),
                        Err(_) => full.display().to_string(),
                    }
                } else {
                    full.display().to_string()
                }
            })
            .collect();
        out.sort();
        out
    }
}

fn walk_dir(
    root: &Path,
    opts: &ScanOptions,
    dets: &[Box<dyn Detector>],
    progress: &Progress,
) -> Collected {
    let root_abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut b = ignore::WalkBuilder::new(root);
    b.hidden(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .parents(false)
        .follow_links(false)
        .threads(opts.threads);
    if !opts.excludes.is_empty() {
        let mut ob = ignore::overrides::OverrideBuilder::new(root);
        for g in &opts.excludes {
            // Globs are relative to the target; accept them written with the target's path
            // in front too (`dir/vendor/`, `/abs/dir/vendor/`).
            let rel = [root.to_path_buf(), root_abs.clone()]
                .iter()
                .find_map(|r| {
                    Path::new(g)
                        .strip_prefix(r)
                        .ok()
                        .map(|p| p.to_string_lossy().to_string())
                })
                .unwrap_or_else(|| g.clone());
            // Overrides are whitelists; a leading '!' turns a glob into an exclusion.
            let _ = ob.add(&format!("!{rel}"));
        }
        if let Ok(o) = ob.build() {
            b.overrides(o);
        }
    }
    // Never descend into the live kernel's pseudo file systems (/proc, /sys, /dev) when
    // the walk starts at the real root.
    let root_is_slash = root_abs == Path::new("/");
    // A root file system (a container's or a chroot's) has the same /proc, /sys and /dev.
    let rootfs = DiskFs::new(root).rootfs;
    // … nor into any kernel pseudo file system mounted anywhere below the target (a
    // container root file system with its own /proc mounted, say).
    // Mount points are real paths; the walk's paths start with the target as given.
    let pseudo_mounts: Vec<PathBuf> = pseudo_mounts()
        .into_iter()
        .filter_map(|m| m.strip_prefix(&root_abs).ok().map(|rel| root.join(rel)))
        .filter(|m| m.as_path() != root)
        .collect();
    b.filter_entry(move |e| {
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if !is_dir {
            return true;
        }
        if (root_is_slash || rootfs)
            && e.depth() == 1
            && PSEUDO_FS.iter().any(|ps| e.file_name() == &ps[1..])
        {
            return false;
        }
        !pseudo_mounts.iter().any(|m| e.path() == m.as_path())
    });
    let fs = DiskFs::new(root);
    let results: Mutex<Vec<Output>> = Mutex::new(Vec::new());
    b.build_parallel().run(|| {
        let mut local = Local {
            out: Output::default(),
            sink: &results,
        };
        let fs = &fs;
        let root_abs = &root_abs;
        Box::new(move |entry| {
            match entry {
                Err(e) => {
                    let path = match &e {
                        ignore::Error::WithPath { path, .. } => path.display().to_string(),
                        _ => root.display().to_string(),
                    };
                    local.out.warnings.push(Warning::new(
                        path,
                        format!("cannot read: {}", io_reason(&e)),
                    ));
                }
                Ok(entry) => {
                    visit(&entry, root_abs, dets, fs, progress, &mut local.out);
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut all = Collected::default();
    for o in results.into_inner().unwrap_or_default() {
        all.absorb(o);
    }
    all.files = progress.files.load(std::sync::atomic::Ordering::Relaxed);
    all.bytes = progress.bytes.load(std::sync::atomic::Ordering::Relaxed);
    all
}

fn io_reason(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. } => io_reason(err),
        ignore::Error::WithDepth { err, .. } => io_reason(err),
        ignore::Error::Loop { child, .. } => format!("symlink loop at {}", child.display()),
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// Per-thread output, handed to the shared list when the thread's visitor is dropped.
struct Local<'a> {
    out: Output,
    sink: &'a Mutex<Vec<Output>>,
}

impl Drop for Local<'_> {
    fn drop(&mut self) {
        let out = std::mem::take(&mut self.out);
        if let Ok(mut v) = self.sink.lock() {
            v.push(out);
        }
    }
}

fn visit(
    entry: &ignore::DirEntry,
    root_abs: &Path,
    dets: &[Box<dyn Detector>],
    fs: &DiskFs,
    progress: &Progress,
    out: &mut Output,
) {
    let path = entry.path();
    let shown = path.to_string_lossy();
    if path.to_str().is_none() {
        out.warnings.push(Warning::new(
            shown.to_string(),
            "file name is not valid UTF-8 (shown with replacement characters); scanned anyway",
        ));
    }
    let Some(ft) = entry.file_type() else {
        return;
    };
    if ft.is_dir() {
        return;
    }
    if ft.is_symlink() {
        // Not followed: a link inside the target is scanned where it points; a link out of
        // the target is not ours to read. Broken and looping links are reported.
        // In a root file system an absolute link means the tree's own root, not the host's.
        let dest = std::fs::read_link(path).ok();
        {
            use std::os::unix::ffi::OsStrExt;
            let target = dest.as_ref().map(|d| d.as_os_str().as_bytes());
            if crate::sbom::owners::is_merged_usr_link(&shown, target) {
                out.merged_usr
                    .push(mamori_model::Location::file(shown.as_ref()));
            }
        }
        let resolved = match &dest {
            Some(d) if fs.rootfs && d.is_absolute() => {
                let inner = fs.root.join(d.strip_prefix("/").unwrap_or(d));
                std::fs::symlink_metadata(&inner).map(|_| inner)
            }
            _ => std::fs::canonicalize(path),
        };
        match resolved {
            Err(e) if e.raw_os_error() == Some(40) => out
                .warnings
                .push(Warning::new(shown.to_string(), "symlink loop")),
            Err(_) => out.warnings.push(Warning::new(
                shown.to_string(),
                format!(
                    "dangling symlink to {}",
                    dest.map(|d| d.display().to_string()).unwrap_or_default()
                ),
            )),
            Ok(_) => {}
        }
        let _ = root_abs;
        return;
    }
    if !ft.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let what = if ft.is_socket() {
            "socket"
        } else if ft.is_fifo() {
            "named pipe"
        } else if ft.is_block_device() {
            "block device"
        } else if ft.is_char_device() {
            "character device"
        } else {
            "special file"
        };
        out.warnings
            .push(Warning::new(shown.to_string(), format!("skipped: {what}")));
        return;
    }
    scan_disk_file(path, &shown, dets, fs, progress, out);
}

fn scan_disk_file(
    path: &Path,
    shown: &str,
    dets: &[Box<dyn Detector>],
    fs: &DiskFs,
    progress: &Progress,
    out: &mut Output,
) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Nothing wants a file by that name: count it, never open it.
    let by_name = FileInfo {
        path: shown,
        name: &name,
        size: 0,
        container: None,
        fs: Some(fs),
    };
    if !dets.iter().any(|d| d.may_want(&by_name)) {
        progress.add(0);
        return;
    }
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            out.warnings
                .push(Warning::new(shown, format!("cannot open: {e}")));
            return;
        }
    };
    let size = match f.metadata() {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => {
            out.warnings
                .push(Warning::new(shown, "skipped: not a regular file"));
            return;
        }
        Err(e) => {
            out.warnings
                .push(Warning::new(shown, format!("cannot stat: {e}")));
            return;
        }
    };
    let info = FileInfo {
        path: shown,
        name: &name,
        size,
        container: None,
        fs: Some(fs),
    };
    if let Err(e) = scan_reader(&info, &mut f, dets, progress, out) {
        out.warnings
            .push(Warning::new(shown, format!("read error: {e}")));
    }
}

/// Show one file, readable from `r`, to every detector: the head first, the rest only on demand.
pub(crate) fn scan_reader(
    info: &FileInfo<'_>,
    r: &mut dyn Read,
    dets: &[Box<dyn Detector>],
    progress: &Progress,
    out: &mut Output,
) -> io::Result<()> {
    let mut head = [0u8; HEAD_LEN];
    let want_head = (info.size as usize).min(HEAD_LEN);
    let mut n = 0;
    while n < want_head {
        match r.read(&mut head[n..want_head]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                progress.add(n as u64);
                return Err(e);
            }
        }
    }
    let head = &head[..n];
    let wanting: Vec<&dyn Detector> = dets
        .iter()
        .map(|d| d.as_ref())
        .filter(|d| d.wants(info, head))
        .collect();
    if wanting.is_empty() {
        progress.add(n as u64);
        return Ok(());
    }
    let max = wanting.iter().map(|d| d.max_size()).max().unwrap_or(0);
    if info.size > max {
        progress.add(n as u64);
        for d in &wanting {
            out.warn(
                info,
                format!(
                    "{} bytes: larger than the {} detector reads ({} bytes); skipped by it",
                    info.size,
                    d.name(),
                    d.max_size()
                ),
            );
        }
        return Ok(());
    }
    let mut data = Vec::with_capacity((info.size.min(max)) as usize);
    data.extend_from_slice(head);
    if (n as u64) < info.size {
        r.take(max.saturating_sub(n as u64))
            .read_to_end(&mut data)?;
    }
    progress.add(data.len() as u64);
    for d in wanting {
        if info.size > d.max_size() {
            out.warn(
                info,
                format!(
                    "{} bytes: larger than the {} detector reads ({} bytes); skipped by it",
                    info.size,
                    d.name(),
                    d.max_size()
                ),
            );
            continue;
        }
        d.detect(info, &data, out);
    }
    Ok(())
}
