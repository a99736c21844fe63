//! Container image tarballs: `docker save` archives and OCI image layouts in a tar.
//! Layers are applied in order and whiteouts honored; each file of the final filesystem is
//! shown to the detectors once, with its path inside the image.
//!
//! # Formats
//! - `docker save` (`manifest.json` with `Config`, `RepoTags`, `Layers`; layers stored as
//!   `<id>/layer.tar`, possibly symlinks to another layer's file, or as `blobs/sha256/<hex>`
//!   since Docker 25). When a tarball has both `manifest.json` and an OCI `index.json`
//!   (Docker 25+), `manifest.json` is used: it names the repo tags.
//! - OCI image layout in a tar (`oci-layout`, `index.json` → manifest, possibly through an
//!   image index: `linux/amd64` is chosen, else the first real platform, else the first).
//! - The outer tarball may itself be gzip-compressed (`docker save | gzip`): it is then
//!   decompressed once into an unlinked temporary file, which random access needs.
//! - Layers: plain tar, gzip or zstd, recognized by their first bytes.
//!
//! # How layers are read
//! Layers are streamed from the top one down, each decompressed once, without extracting
//! anything to disk. A set of the paths upper layers hold, of whited-out paths and of opaque
//! directories decides whether an entry of a lower layer is visible: it is iff no upper
//! layer has that path, and neither the path nor a parent of it was whited out, replaced by a
//! non-directory, or lies under an opaque directory of an upper layer. Whiteouts of a layer
//! only apply to the layers below it.
//!
//! Hard links: a tar link refers to a file archived before it. When that file is in the same
//! layer (the usual case) its bytes have already streamed by, so a layer with visible hard
//! links is read a second time, once, to show those targets' bytes under the links' paths.
//! A link whose target is not in its layer is resolved by the topmost lower layer holding
//! the target. Symbolic links are not followed; devices, fifos and sockets are skipped
//! silently (they are normal in images).
//!
//! # Parallelism
//! One thread decompresses and reads each file's head, asks the detectors whether they want
//! the file, and reads the whole file only if one does; the owned bytes then go over a
//! bounded channel to `ScanOptions::threads` workers that run the detectors.

use crate::detect::{Detector, FileInfo, Output, HEAD_LEN};
use crate::walk::scan_reader;
use crate::{Collected, Progress, ScanOptions};
use flate2::read::MultiGzDecoder;
use mamori_model::Warning;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

/// Headers looked at by [`is_image`] before giving up.
const PROBE_ENTRIES: usize = 10_000;
/// Largest manifest / index / config document read.
const MAX_JSON: u64 = 8 << 20;
/// Deepest nesting of image indexes followed.
const MAX_INDEX_DEPTH: usize = 4;
/// Longest chain of links between entries of the outer tarball followed.
const MAX_LINK_HOPS: usize = 8;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Whether `path` is a container image tarball (has `manifest.json` or `oci-layout` at its top level).
///
/// Reads at most 10,000 tar headers (skipping file data by seeking); a gzip
/// compressed tarball is decompressed as far as those headers go. `manifest.json` must be a
/// JSON array of objects with `Layers`, and `oci-layout` must come with `index.json`.
pub fn is_image(path: &Path) -> bool {
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    let mut magic = [0u8; 2];
    if f.read_exact(&mut magic).is_err() || f.seek(SeekFrom::Start(0)).is_err() {
        return false;
    }
    if magic == GZIP_MAGIC {
        probe_stream(MultiGzDecoder::new(BufReader::new(f)))
    } else {
        match Outer::index(f, PROBE_ENTRIES) {
            Ok((outer, _)) => outer.looks_like_image(),
            Err(_) => false,
        }
    }
}

/// Probe a tar that can only be streamed (compressed).
fn probe_stream(r: impl Read) -> bool {
    let mut ar = tar::Archive::new(r);
    let Ok(entries) = ar.entries() else {
        return false;
    };
    let (mut layout, mut index) = (false, false);
    for e in entries.take(PROBE_ENTRIES) {
        let Ok(mut e) = e else {
            return false;
        };
        let name = outer_name(&e.path_bytes());
        let mut small = Vec::new();
        match name.as_str() {
            "manifest.json" | "oci-layout" => {
                if e.size() > MAX_JSON || e.read_to_end(&mut small).is_err() {
                    return false;
                }
                if name == "manifest.json" {
                    if is_docker_manifest(&small) {
                        return true;
                    }
                } else {
                    layout = is_oci_layout(&small);
                }
            }
            "index.json" => index = true,
            _ => {}
        }
        if layout && index {
            return true;
        }
    }
    false
}

fn is_docker_manifest(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => {
            !items.is_empty() && items.iter().all(|i| i.get("Layers").is_some())
        }
        _ => false,
    }
}

fn is_oci_layout(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("imageLayoutVersion").cloned())
        .is_some()
}

/// Scan every file of the image's final filesystem.
pub fn collect_image(
    path: &Path,
    opts: &ScanOptions,
    dets: &[Box<dyn Detector>],
    progress: &Progress,
) -> Collected {
    let shown = path.display().to_string();
    let mut out = Output::default();
    let (files, bytes) = match open_outer(path) {
        Ok(outer) => scan_outer(&outer, &shown, opts, dets, progress, &mut out),
        Err(msg) => {
            out.warnings.push(Warning::new(&shown, msg));
            (0, 0)
        }
    };
    let mut all = Collected {
        files,
        bytes,
        ..Default::default()
    };
    all.absorb(out);
    all
}

/// Open and index the outer tarball, decompressing it first if it is gzip.
fn open_outer(path: &Path) -> Result<Outer, String> {
    let mut f = File::open(path).map_err(|e| format!("cannot open image tarball: {e}"))?;
    let mut magic = [0u8; 2];
    let n = read_full(&mut f, &mut magic).map_err(|e| format!("cannot read: {e}"))?;
    f.seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot seek: {e}"))?;
    let (f, gz_problem) = if n == 2 && magic == GZIP_MAGIC {
        spool_gzip(f)?
    } else {
        (f, None)
    };
    let (mut outer, problem) = match Outer::index(f, usize::MAX) {
        Ok(v) => v,
        Err(e) => return Err(gz_problem.unwrap_or(e)),
    };
    outer.problem = gz_problem.or(problem);
    Ok(outer)
}

/// Decompress a gzip tarball into an unlinked temporary file (random access needs a file).
fn spool_gzip(f: File) -> Result<(File, Option<String>), String> {
    let dir = std::env::temp_dir();
    let mut tmp = None;
    for i in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = dir.join(format!(
            "mamori-image-{}-{nanos}-{i}.tar",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(t) => {
                // Unlinked at once: the open handle keeps the data, nothing is left behind.
                let _ = std::fs::remove_file(&p);
                tmp = Some(t);
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot create a temporary file in {} to decompress the gzip tarball: {e}",
                    dir.display()
                ))
            }
        }
    }
    let mut tmp = tmp.ok_or("cannot create a temporary file to decompress the gzip tarball")?;
    let mut gz = MultiGzDecoder::new(BufReader::new(f));
    // On a corrupt stream, keep what decompressed: the layers it holds are still readable.
    let problem = io::copy(&mut gz, &mut tmp)
        .err()
        .map(|e| format!("corrupt gzip-compressed image tarball: {e}"));
    tmp.seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot seek the temporary file: {e}"))?;
    Ok((tmp, problem))
}

// ---------------------------------------------------------------------------------------
// The outer tarball.

/// One entry of the outer tarball.
#[derive(Debug, Clone)]
struct OuterEntry {
    offset: u64,
    size: u64,
    /// Target (outer name) of a symbolic or hard link.
    link: Option<String>,
}

/// The outer tarball, indexed: entry name → where its data lies.
struct Outer {
    file: File,
    entries: HashMap<String, OuterEntry>,
    /// Why indexing stopped early, if it did.
    problem: Option<String>,
}

impl Outer {
    /// Index up to `limit` entries in one pass over the headers, seeking over file data.
    fn index(file: File, limit: usize) -> Result<(Outer, Option<String>), String> {
        let mut entries = HashMap::new();
        let mut problem = None;
        let len = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
        {
            let mut ar = tar::Archive::new(&file);
            let iter = ar
                .entries_with_seek()
                .map_err(|e| format!("not a tar archive: {e}"))?;
            for (i, e) in iter.enumerate() {
                if i >= limit {
                    break;
                }
                let e = match e {
                    Ok(e) => e,
                    Err(_) if i == 0 => {
                        return Err("not a tar archive: its first header is invalid".to_string())
                    }
                    Err(err) => {
                        problem = Some(format!(
                            "image tarball is truncated or corrupt after {i} entries: {err}"
                        ));
                        break;
                    }
                };
                let name = outer_name(&e.path_bytes());
                let (offset, size) = (e.raw_file_position(), e.size());
                if offset.saturating_add(size) > len {
                    problem = Some(format!(
                        "image tarball is truncated: {name} ends past the end of the file"
                    ));
                    break;
                }
                let link = match e.header().entry_type() {
                    tar::EntryType::Symlink => e.link_name_bytes().map(|l| {
                        let l = String::from_utf8_lossy(&l).to_string();
                        if l.starts_with('/') {
                            outer_name(l.as_bytes())
                        } else {
                            let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                            outer_name(format!("{dir}/{l}").as_bytes())
                        }
                    }),
                    tar::EntryType::Link => e.link_name_bytes().map(|l| outer_name(&l)),
                    _ => None,
                };
                entries.insert(name, OuterEntry { offset, size, link });
            }
        }
        if entries.is_empty() {
            return Err("not a tar archive: no entries".to_string());
        }
        Ok((
            Outer {
                file,
                entries,
                problem: None,
            },
            problem,
        ))
    }

    fn looks_like_image(&self) -> bool {
        if let Ok(b) = self.read_small("manifest.json") {
            if is_docker_manifest(&b) {
                return true;
            }
        }
        match self.read_small("oci-layout") {
            Ok(b) => is_oci_layout(&b) && self.resolve("index.json").is_some(),
            Err(_) => false,
        }
    }

    /// The entry holding `name`'s data, following links.
    fn resolve(&self, name: &str) -> Option<&OuterEntry> {
        let mut cur = self.entries.get(name)?;
        for _ in 0..MAX_LINK_HOPS {
            match &cur.link {
                None => return Some(cur),
                Some(l) => cur = self.entries.get(l)?,
            }
        }
        None
    }

    /// A reader over an entry's data.
    fn open(&self, name: &str) -> Result<(io::Take<&File>, u64), String> {
        let e = self
            .resolve(name)
            .ok_or_else(|| "missing from the tarball".to_string())?;
        let mut f = &self.file;
        f.seek(SeekFrom::Start(e.offset))
            .map_err(|err| format!("cannot seek: {err}"))?;
        Ok((f.take(e.size), e.size))
    }

    /// A small (JSON) document, whole.
    fn read_small(&self, name: &str) -> Result<Vec<u8>, String> {
        let (r, size) = self.open(name)?;
        if size > MAX_JSON {
            return Err(format!(
                "{size} bytes: larger than the {MAX_JSON} bytes read"
            ));
        }
        let mut v = Vec::with_capacity(size as usize);
        r.take(MAX_JSON)
            .read_to_end(&mut v)
            .map_err(|e| format!("read error: {e}"))?;
        if (v.len() as u64) < size {
            return Err("truncated".to_string());
        }
        Ok(v)
    }

    fn read_json(&self, name: &str) -> Result<Value, String> {
        let b = self.read_small(name)?;
        serde_json::from_slice(&b).map_err(|e| format!("invalid JSON: {e}"))
    }
}

/// An outer-tarball name, normalized: no leading `/` or `./`, `.` and `..` resolved.
fn outer_name(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let mut parts: Vec<&str> = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// A path inside an image, normalized to `/a/b`; `None` for the root itself.
fn image_path(raw: &[u8]) -> Option<String> {
    let n = outer_name(raw);
    if n.is_empty() {
        None
    } else {
        Some(format!("/{n}"))
    }
}

// ---------------------------------------------------------------------------------------
// Which images the tarball holds.

/// One image: a label and its layers, bottom first.
#[derive(Debug)]
struct ImageDesc {
    /// Repo tag, or digest when the image has none.
    label: Option<String>,
    /// Whether the label is a tag (shown even when the tarball holds only this image).
    tagged: bool,
    layers: Vec<LayerDesc>,
}

#[derive(Debug)]
struct LayerDesc {
    /// Name of the layer's data in the outer tarball.
    blob: String,
    media_type: Option<String>,
}

/// The images listed by the tarball, or why none could be read.
fn list_images(outer: &Outer, warn: &mut Vec<String>) -> Result<Vec<ImageDesc>, String> {
    if outer.resolve("manifest.json").is_some() {
        match docker_images(outer) {
            Ok(v) => return Ok(v),
            Err(e) if outer.resolve("index.json").is_none() => {
                return Err(format!("manifest.json: {e}"))
            }
            Err(e) => warn.push(format!("manifest.json: {e}; using index.json instead")),
        }
    }
    if outer.resolve("index.json").is_some() {
        return oci_images(outer).map_err(|e| format!("index.json: {e}"));
    }
    Err("neither manifest.json nor index.json found: not a container image".to_string())
}

fn docker_images(outer: &Outer) -> Result<Vec<ImageDesc>, String> {
    let v = outer.read_json("manifest.json")?;
    let items = v.as_array().ok_or("not a JSON array")?;
    if items.is_empty() {
        return Err("lists no image".to_string());
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let layers = item
            .get("Layers")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("entry {i} has no Layers array"))?;
        let layers = layers
            .iter()
            .map(|l| {
                l.as_str()
                    .map(|s| LayerDesc {
                        blob: outer_name(s.as_bytes()),
                        media_type: None,
                    })
                    .ok_or_else(|| format!("entry {i}: a layer is not a string"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let tag = item
            .get("RepoTags")
            .and_then(Value::as_array)
            .and_then(|t| t.iter().find_map(Value::as_str))
            .map(str::to_string);
        let (label, tagged) = match tag {
            Some(t) => (Some(t), true),
            None => (
                item.get("Config")
                    .and_then(Value::as_str)
                    .map(config_digest),
                false,
            ),
        };
        out.push(ImageDesc {
            label,
            tagged,
            layers,
        });
    }
    Ok(out)
}

/// `sha256:<hex>` from a docker-save config name (`<hex>.json` or `blobs/sha256/<hex>`).
fn config_digest(config: &str) -> String {
    let base = config.rsplit('/').next().unwrap_or(config);
    let hex = base.strip_suffix(".json").unwrap_or(base);
    format!("sha256:{hex}")
}

fn oci_images(outer: &Outer) -> Result<Vec<ImageDesc>, String> {
    let index = outer.read_json("index.json")?;
    let manifests = index
        .get("manifests")
        .and_then(Value::as_array)
        .ok_or("no manifests array")?;
    if manifests.is_empty() {
        return Err("lists no image".to_string());
    }
    // Several entries that all name a platform are one multi-platform image.
    let all_platforms =
        manifests.len() > 1 && manifests.iter().all(|m| m.get("platform").is_some());
    let chosen: Vec<&Value> = if all_platforms {
        pick_platform(manifests).into_iter().collect()
    } else {
        manifests.iter().collect()
    };
    let mut out = Vec::new();
    for desc in chosen {
        let layers = layers_of(outer, desc, 0)?;
        let ann = desc.get("annotations");
        let name = ann
            .and_then(|a| a.get("io.containerd.image.name"))
            .or_else(|| ann.and_then(|a| a.get("org.opencontainers.image.ref.name")))
            .and_then(Value::as_str)
            .map(str::to_string);
        let (label, tagged) = match name {
            Some(n) => (Some(n), true),
            None => (
                desc.get("digest")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                false,
            ),
        };
        out.push(ImageDesc {
            label,
            tagged,
            layers,
        });
    }
    Ok(out)
}

/// From an image index's entries: linux/amd64, else the first real platform, else the first.
fn pick_platform(manifests: &[Value]) -> Option<&Value> {
    let plat = |m: &Value, k: &str| {
        m.get("platform")
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    manifests
        .iter()
        .find(|m| {
            plat(m, "os").as_deref() == Some("linux")
                && plat(m, "architecture").as_deref() == Some("amd64")
        })
        .or_else(|| {
            manifests
                .iter()
                .find(|m| plat(m, "os").is_some_and(|o| o != "unknown"))
        })
        .or_else(|| manifests.first())
}

/// `blobs/<alg>/<hex>` for a digest `<alg>:<hex>`, refusing anything that is not a plain name.
fn blob_path(digest: &str) -> Result<String, String> {
    let (alg, hex) = digest
        .split_once(':')
        .ok_or_else(|| format!("malformed digest {digest:?}"))?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'+')
    };
    if !plain(alg) || !plain(hex) {
        return Err(format!("malformed digest {digest:?}"));
    }
    Ok(format!("blobs/{alg}/{hex}"))
}

/// The layers of the image a descriptor points at (following image indexes).
fn layers_of(outer: &Outer, desc: &Value, depth: usize) -> Result<Vec<LayerDesc>, String> {
    let digest = desc
        .get("digest")
        .and_then(Value::as_str)
        .ok_or("a descriptor has no digest")?;
    let blob = blob_path(digest)?;
    let doc = outer
        .read_json(&blob)
        .map_err(|e| format!("manifest {blob}: {e}"))?;
    if let Some(ms) = doc.get("manifests").and_then(Value::as_array) {
        if depth >= MAX_INDEX_DEPTH {
            return Err(format!(
                "image indexes nested deeper than {MAX_INDEX_DEPTH}"
            ));
        }
        let m = pick_platform(ms).ok_or_else(|| format!("image index {blob} lists no manifest"))?;
        return layers_of(outer, m, depth + 1);
    }
    let layers = doc
        .get("layers")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("manifest {blob} has no layers array"))?;
    layers
        .iter()
        .map(|l| {
            let d = l
                .get("digest")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("manifest {blob}: a layer has no digest"))?;
            Ok(LayerDesc {
                blob: blob_path(d)?,
                media_type: l
                    .get("mediaType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Scanning.

/// A file's bytes on their way to a worker.
struct Job {
    container: Arc<str>,
    path: String,
    size: u64,
    data: Vec<u8>,
}

fn scan_outer(
    outer: &Outer,
    shown: &str,
    opts: &ScanOptions,
    dets: &[Box<dyn Detector>],
    progress: &Progress,
    out: &mut Output,
) -> (u64, u64) {
    if let Some(p) = &outer.problem {
        out.warnings.push(Warning::new(shown, p.clone()));
    }
    let mut notes = Vec::new();
    let images = match list_images(outer, &mut notes) {
        Ok(v) => v,
        Err(e) => {
            out.warnings.push(Warning::new(shown, e));
            return (0, 0);
        }
    };
    for n in notes {
        out.warnings.push(Warning::new(shown, n));
    }
    let excludes = build_excludes(&opts.excludes);
    let threads = match opts.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    }
    .max(1);
    let (tx, rx) = crossbeam_channel::bounded::<Job>(threads * 2);
    let several = images.len() > 1;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut out = Output::default();
                    for job in rx.iter() {
                        let name = job.path.rsplit('/').next().unwrap_or("");
                        let info = FileInfo {
                            path: &job.path,
                            name,
                            size: job.size,
                            container: Some(&job.container),
                            fs: None,
                        };
                        if let Err(e) =
                            scan_reader(&info, &mut job.data.as_slice(), dets, progress, &mut out)
                        {
                            out.warn(&info, format!("read error: {e}"));
                        }
                    }
                    out
                })
            })
            .collect();
        drop(rx);
        let mut sub = Submitter {
            tx,
            dets,
            progress,
            files: 0,
            bytes: 0,
        };
        for img in &images {
            let container: Arc<str> = match &img.label {
                Some(l) if several || img.tagged => format!("{shown}@{l}").into(),
                _ => shown.into(),
            };
            scan_image(outer, img, container, &excludes, &mut sub, out);
        }
        let counts = (sub.files, sub.bytes);
        drop(sub);
        for w in workers {
            match w.join() {
                Ok(o) => {
                    out.observations.extend(o.observations);
                    out.warnings.extend(o.warnings);
                    out.components.extend(o.components);
                    out.distros.extend(o.distros);
                    out.package_files.extend(o.package_files);
                    out.merged_usr.extend(o.merged_usr);
                }
                Err(_) => out
                    .warnings
                    .push(Warning::new(shown, "a detector thread panicked")),
            }
        }
        counts
    })
}

fn build_excludes(globs: &[String]) -> Option<ignore::overrides::Override> {
    if globs.is_empty() {
        return None;
    }
    let mut ob = ignore::overrides::OverrideBuilder::new("/");
    for g in globs {
        let _ = ob.add(&format!("!{g}"));
    }
    ob.build().ok()
}

fn excluded(ov: &Option<ignore::overrides::Override>, path: &str) -> bool {
    let Some(ov) = ov else {
        return false;
    };
    if ov.matched(path, false).is_ignore() {
        return true;
    }
    ancestors(path).any(|a| a != "/" && ov.matched(a, true).is_ignore())
}

/// Reads each file's head on the decompressing thread and hands wanted files to workers.
struct Submitter<'a> {
    tx: crossbeam_channel::Sender<Job>,
    dets: &'a [Box<dyn Detector>],
    progress: &'a Progress,
    files: u64,
    bytes: u64,
}

impl Submitter<'_> {
    /// Show one file to the detectors: its head here, the whole only if one wants it.
    fn submit(
        &mut self,
        container: &Arc<str>,
        path: &str,
        size: u64,
        r: &mut dyn Read,
    ) -> io::Result<()> {
        let name = path.rsplit('/').next().unwrap_or("");
        let info = FileInfo {
            path,
            name,
            size,
            container: Some(container),
            fs: None,
        };
        let mut head = vec![0u8; (size.min(HEAD_LEN as u64)) as usize];
        let n = read_full(r, &mut head)?;
        if n < head.len() {
            return Err(truncated(path));
        }
        self.files += 1;
        let max = self
            .dets
            .iter()
            .filter(|d| d.wants(&info, &head))
            .map(|d| d.max_size())
            .max();
        let Some(max) = max else {
            self.progress.add(n as u64);
            self.bytes += n as u64;
            return Ok(());
        };
        let mut data = head;
        // Larger than every interested detector reads: the head alone lets them warn.
        if size <= max && (n as u64) < size {
            data.reserve((size - n as u64) as usize);
            r.take(size - n as u64).read_to_end(&mut data)?;
            if (data.len() as u64) < size {
                return Err(truncated(path));
            }
        }
        self.bytes += data.len() as u64;
        // Workers only stop when this sender is dropped, so a send cannot fail in practice.
        let _ = self.tx.send(Job {
            container: Arc::clone(container),
            path: path.to_string(),
            size,
            data,
        });
        Ok(())
    }

    /// Show one entry's bytes under several paths (hard links).
    fn submit_many(
        &mut self,
        container: &Arc<str>,
        paths: &[String],
        size: u64,
        r: &mut dyn Read,
    ) -> io::Result<()> {
        if let [one] = paths {
            return self.submit(container, one, size, r);
        }
        let cap = self
            .dets
            .iter()
            .map(|d| d.max_size())
            .max()
            .unwrap_or(0)
            .max(HEAD_LEN as u64);
        let mut buf = Vec::new();
        r.take(size.min(cap)).read_to_end(&mut buf)?;
        if (buf.len() as u64) < size.min(cap) {
            return Err(truncated(paths.first().map(String::as_str).unwrap_or("")));
        }
        for p in paths {
            self.submit(container, p, size, &mut buf.as_slice())?;
        }
        Ok(())
    }
}

fn truncated(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("unexpected end of data in {path}"),
    )
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What upper layers hide from lower ones.
#[derive(Debug, Default)]
struct Hidden {
    /// Paths present above (directories: only the entry itself is hidden).
    exact: HashSet<String>,
    /// Paths hidden with everything under them (whiteouts, non-directories above).
    subtree: HashSet<String>,
    /// Opaque directories: everything strictly under them is hidden.
    opaque: HashSet<String>,
}

impl Hidden {
    fn hides(&self, path: &str) -> bool {
        if self.exact.contains(path) || self.subtree.contains(path) {
            return true;
        }
        ancestors(path).any(|a| self.subtree.contains(a) || self.opaque.contains(a))
    }

    fn absorb(&mut self, other: Hidden) {
        self.exact.extend(other.exact);
        self.subtree.extend(other.subtree);
        self.opaque.extend(other.opaque);
    }
}

/// The proper ancestors of `/a/b/c`: `/a/b`, `/a`, `/`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(path);
    std::iter::from_fn(move || {
        let c = cur?;
        if c == "/" {
            cur = None;
            return None;
        }
        let parent = match c.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &c[..i],
        };
        cur = Some(parent);
        Some(parent)
    })
}

/// `(dir, base)` of `/a/b`: `("/a", "b")`; of `/b`: `("/", "b")`.
fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

fn join(dir: &str, base: &str) -> String {
    if dir == "/" {
        format!("/{base}")
    } else {
        format!("{dir}/{base}")
    }
}

/// Open a layer's data, decompressing as its first bytes say.
fn open_layer<'a>(outer: &'a Outer, layer: &LayerDesc) -> Result<Box<dyn Read + 'a>, String> {
    let (r, _) = outer.open(&layer.blob)?;
    let mut br = BufReader::with_capacity(256 << 10, r);
    let head = br.fill_buf().map_err(|e| format!("read error: {e}"))?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(MultiGzDecoder::new(br)))
    } else if head.starts_with(&ZSTD_MAGIC) {
        Ok(Box::new(ZstdFrames::new(br)))
    } else {
        Ok(Box::new(br))
    }
}

fn scan_image(
    outer: &Outer,
    img: &ImageDesc,
    container: Arc<str>,
    excludes: &Option<ignore::overrides::Override>,
    sub: &mut Submitter<'_>,
    out: &mut Output,
) {
    let mut hidden = Hidden::default();
    // Hard links waiting for a lower layer: target path → link paths.
    let mut down_links: HashMap<String, Vec<String>> = HashMap::new();
    let total = img.layers.len();
    for (i, layer) in img.layers.iter().enumerate().rev() {
        let what = format!("layer {} of {total} ({})", i + 1, layer.blob);
        if let Some(mt) = &layer.media_type {
            if !mt.contains("tar") {
                out.warnings.push(Warning::new(
                    &*container,
                    format!("{what}: media type {mt} is not a file system layer; skipped"),
                ));
                continue;
            }
        }
        let r = match open_layer(outer, layer) {
            Ok(r) => r,
            Err(e) => {
                out.warnings
                    .push(Warning::new(&*container, format!("{what}: {e}")));
                continue;
            }
        };
        let mut pass = LayerPass {
            container: &container,
            hidden: &hidden,
            excludes,
            added: Hidden::default(),
            regular: HashSet::new(),
            relink: HashMap::new(),
            down_links: &mut down_links,
            sub,
            merged_usr: Vec::new(),
        };
        if let Err(e) = pass.run(r) {
            out.warnings
                .push(Warning::new(&*container, format!("{what}: {e}")));
        }
        let LayerPass {
            added,
            relink,
            merged_usr,
            ..
        } = pass;
        out.merged_usr
            .extend(merged_usr.into_iter().map(|p| mamori_model::Location {
                path: p,
                line: None,
                offset: None,
                container: Some(container.to_string()),
            }));
        if !relink.is_empty() {
            if let Err(e) = relink_pass(outer, layer, &container, relink, sub) {
                out.warnings.push(Warning::new(
                    &*container,
                    format!("{what}: re-reading for hard links: {e}"),
                ));
            }
        }
        hidden.absorb(added);
    }
    let mut lost: Vec<_> = down_links.into_iter().collect();
    lost.sort();
    for (target, links) in lost {
        for l in links {
            out.warnings.push(Warning::new(
                format!("{container}!{l}"),
                format!("hard link to {target}, which no layer holds"),
            ));
        }
    }
}

/// One streaming pass over a layer.
struct LayerPass<'a, 'b> {
    container: &'a Arc<str>,
    /// What the layers above hide.
    hidden: &'a Hidden,
    excludes: &'a Option<ignore::overrides::Override>,
    /// What this layer hides from the ones below.
    added: Hidden,
    /// Regular files of this layer seen so far (hard-link targets).
    regular: HashSet<String>,
    /// Visible hard links to files already passed in this layer: target → links.
    relink: HashMap<String, Vec<String>>,
    down_links: &'a mut HashMap<String, Vec<String>>,
    sub: &'a mut Submitter<'b>,
    /// Visible links of this layer that merge a top-level directory into `/usr`.
    merged_usr: Vec<String>,
}

impl LayerPass<'_, '_> {
    fn run(&mut self, r: Box<dyn Read + '_>) -> Result<(), String> {
        let mut ar = tar::Archive::new(r);
        let entries = ar.entries().map_err(|e| format!("not a tar: {e}"))?;
        for (i, e) in entries.enumerate() {
            let mut e = e.map_err(|err| describe_layer_error(i, &err))?;
            let Some(path) = image_path(&e.path_bytes()) else {
                continue;
            };
            let (dir, base) = split(&path);
            if let Some(rest) = base.strip_prefix(".wh.") {
                if rest == ".wh..opq" {
                    self.added.opaque.insert(dir.to_string());
                    self.added.exact.insert(dir.to_string());
                } else if !rest.starts_with(".wh.") && !rest.is_empty() {
                    self.added.subtree.insert(join(dir, rest));
                }
                // Other `.wh..wh.` names are aufs bookkeeping: never files of the image.
                continue;
            }
            let ty = e.header().entry_type();
            // A lower layer's copy of a file a link above points at.
            let link_paths =
                if ty.is_file() || ty == tar::EntryType::Continuous || ty.is_gnu_sparse() {
                    self.down_links.remove(&path)
                } else {
                    None
                };
            let visible = !self.hidden.hides(&path);
            if visible {
                if ty.is_dir() {
                    self.added.exact.insert(path.clone());
                } else {
                    self.added.subtree.insert(path.clone());
                }
            }
            let size = e.size();
            match ty {
                t if t.is_file() || t == tar::EntryType::Continuous || t.is_gnu_sparse() => {
                    let mut paths = link_paths.unwrap_or_default();
                    self.regular.insert(path.clone());
                    if visible && !excluded(self.excludes, &path) {
                        paths.insert(0, path);
                    }
                    if !paths.is_empty() {
                        self.sub
                            .submit_many(self.container, &paths, size, &mut e)
                            .map_err(|err| describe_layer_error(i, &err))?;
                    }
                }
                tar::EntryType::Link if visible && !excluded(self.excludes, &path) => {
                    let Some(target) = e.link_name_bytes().and_then(|l| image_path(&l)) else {
                        continue;
                    };
                    if self.regular.contains(&target) {
                        self.relink.entry(target).or_default().push(path);
                    } else {
                        self.down_links.entry(target).or_default().push(path);
                    }
                }
                tar::EntryType::Symlink if visible => {
                    let target = e.link_name_bytes().map(|l| l.into_owned());
                    if crate::sbom::owners::is_merged_usr_link(&path, target.as_deref()) {
                        self.merged_usr.push(path);
                    }
                }
                // Directories, symlinks (not followed), devices, fifos: nothing to read.
                _ => {}
            }
        }
        Ok(())
    }
}

fn describe_layer_error(i: usize, e: &io::Error) -> String {
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    if lower.contains("zstd") {
        format!("corrupt zstd stream after {i} entries: {msg}")
    } else if lower.contains("deflate") || lower.contains("gzip") || lower.contains("corrupt") {
        format!("corrupt gzip stream after {i} entries: {msg}")
    } else if e.kind() == io::ErrorKind::UnexpectedEof
        || lower.contains("eof")
        || lower.contains("entire block")
    {
        format!("truncated layer tar after {i} entries: {msg}")
    } else {
        format!("unreadable layer tar after {i} entries: {msg}")
    }
}

/// Read a layer again to show hard links the bytes of targets already passed.
fn relink_pass(
    outer: &Outer,
    layer: &LayerDesc,
    container: &Arc<str>,
    mut relink: HashMap<String, Vec<String>>,
    sub: &mut Submitter<'_>,
) -> Result<(), String> {
    let r = open_layer(outer, layer)?;
    let mut ar = tar::Archive::new(r);
    let entries = ar.entries().map_err(|e| format!("not a tar: {e}"))?;
    for (i, e) in entries.enumerate() {
        if relink.is_empty() {
            break;
        }
        let mut e = e.map_err(|err| describe_layer_error(i, &err))?;
        let ty = e.header().entry_type();
        if !(ty.is_file() || ty == tar::EntryType::Continuous || ty.is_gnu_sparse()) {
            continue;
        }
        let Some(path) = image_path(&e.path_bytes()) else {
            continue;
        };
        if let Some(links) = relink.remove(&path) {
            let size = e.size();
            sub.submit_many(container, &links, size, &mut e)
                .map_err(|err| describe_layer_error(i, &err))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// zstd: every frame of the stream, skippable frames skipped.

struct ZstdFrames<R: BufRead> {
    src: R,
    dec: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(src: R) -> Self {
        ZstdFrames {
            src,
            dec: ruzstd::decoding::FrameDecoder::new(),
            in_frame: false,
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.src.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                match self.dec.init(&mut self.src) {
                    Ok(()) => self.in_frame = true,
                    Err(FrameDecoderError::ReadFrameHeaderError(
                        ReadFrameHeaderError::SkipFrame { length, .. },
                    )) => {
                        let skipped = io::copy(
                            &mut (&mut self.src).take(u64::from(length)),
                            &mut io::sink(),
                        )?;
                        if skipped < u64::from(length) {
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "truncated zstd skippable frame",
                            ));
                        }
                        continue;
                    }
                    Err(e) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("corrupt zstd stream: {e}"),
                        ))
                    }
                }
            }
            while self.dec.can_collect() < buf.len() && !self.dec.is_finished() {
                let want = buf.len() - self.dec.can_collect();
                self.dec
                    .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBytes(want))
                    .map_err(|e| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("corrupt zstd stream: {e}"),
                        )
                    })?;
            }
            let n = self.dec.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.dec.is_finished() && self.dec.can_collect() == 0 {
                self.in_frame = false;
                continue;
            }
            // Not finished yet nothing to collect: decode_blocks made no progress.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "corrupt zstd stream: no progress",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized() {
        assert_eq!(outer_name(b"./a/../b//c/"), "b/c");
        assert_eq!(outer_name(b"/../../etc/passwd"), "etc/passwd");
        assert_eq!(image_path(b"./"), None);
        assert_eq!(image_path(b"../x/./y").as_deref(), Some("/x/y"));
    }

    #[test]
    fn ancestors_and_split() {
        let a: Vec<_> = ancestors("/a/b/c").collect();
        assert_eq!(a, vec!["/a/b", "/a", "/"]);
        assert_eq!(ancestors("/").count(), 0);
        assert_eq!(split("/a/b"), ("/a", "b"));
        assert_eq!(split("/b"), ("/", "b"));
        assert_eq!(join("/", "x"), "/x");
    }

    #[test]
    fn hiding_rules() {
        let mut h = Hidden::default();
        h.exact.insert("/etc".into());
        h.subtree.insert("/opt/gone".into());
        h.opaque.insert("/var/lib".into());
        assert!(h.hides("/etc"));
        assert!(!h.hides("/etc/passwd"));
        assert!(h.hides("/opt/gone"));
        assert!(h.hides("/opt/gone/x/y"));
        assert!(!h.hides("/opt/gone2"));
        assert!(h.hides("/var/lib/x"));
        assert!(!h.hides("/var/libx"));
        let mut root = Hidden::default();
        root.opaque.insert("/".into());
        assert!(root.hides("/anything"));
    }

    #[test]
    fn digests_cannot_escape() {
        assert_eq!(blob_path("sha256:abc").unwrap(), "blobs/sha256/abc");
        assert!(blob_path("sha256:../../x").is_err());
        assert!(blob_path("nocolon").is_err());
        assert!(blob_path("sha256:").is_err());
    }

    fn zstd_cli(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = std::process::Command::new("zstd")
            .args(["-q", "-c", "--no-progress"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("cannot run zstd: install the Debian package `zstd`");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(data).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        out.stdout
    }

    #[test]
    fn zstd_frames_all_decoded_and_skippable_skipped() {
        let a: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let b = b"second frame".to_vec();
        let mut stream = zstd_cli(&a);
        // A skippable frame (magic 0x184D2A50, little-endian length 5) between the two.
        stream.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]);
        stream.extend_from_slice(&zstd_cli(&b));
        let mut got = Vec::new();
        ZstdFrames::new(BufReader::new(stream.as_slice()))
            .read_to_end(&mut got)
            .unwrap();
        let mut want = a.clone();
        want.extend_from_slice(&b);
        assert_eq!(got.len(), want.len());
        assert!(got == want);

        // Corrupt and truncated streams are errors, not panics.
        let good = zstd_cli(&a);
        let mut bad = good.clone();
        for x in bad.iter_mut().skip(12) {
            *x = x.wrapping_mul(31).wrapping_add(7);
        }
        let mut sink = Vec::new();
        assert!(ZstdFrames::new(BufReader::new(bad.as_slice()))
            .read_to_end(&mut sink)
            .is_err());
        let cut = &good[..good.len() / 2];
        sink.clear();
        assert!(ZstdFrames::new(BufReader::new(cut))
            .read_to_end(&mut sink)
            .is_err());
    }

    #[test]
    fn platform_choice() {
        let ms: Vec<Value> = serde_json::from_str(
            r#"[{"digest":"a","platform":{"os":"unknown","architecture":"unknown"}},
                {"digest":"b","platform":{"os":"linux","architecture":"arm64"}},
                {"digest":"c","platform":{"os":"linux","architecture":"amd64"}}]"#,
        )
        .unwrap();
        assert_eq!(pick_platform(&ms).unwrap()["digest"], "c");
        assert_eq!(pick_platform(&ms[..2]).unwrap()["digest"], "b");
        assert_eq!(pick_platform(&ms[..1]).unwrap()["digest"], "a");
    }
}
