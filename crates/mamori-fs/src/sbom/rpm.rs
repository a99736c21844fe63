//! The RPM database in its SQLite form: `var/lib/rpm/rpmdb.sqlite` (RHEL 9, Fedora 33+,
//! Rocky, Alma …) and `usr/lib/sysimage/rpm/rpmdb.sqlite` (openSUSE, newer Fedora).
//!
//! The database is opened from the bytes handed to the detector (SQLite's deserialize API,
//! read-only, never a temporary file). rpm keeps it in WAL mode; the in-memory copy is
//! switched to the rollback-journal format in its header (bytes 18–19), which does not
//! change the content. Pages still in an unmerged `-wal` file are not seen — rpm merges the
//! WAL when it closes the database, so an idle system has none.
//!
//! Table `Packages(hnum, blob)` holds one package header per row, as rpm's `headerExport`
//! writes it: no lead and no header magic, just
//! `index count (u32 BE) | data length (u32 BE) | count × entry (tag, type, offset, count: u32 BE) | data`.
//! [`parse_header`] reads that with every length and offset checked. Read tags: NAME (1000),
//! VERSION (1001), RELEASE (1002), EPOCH (1003), LICENSE (1014), ARCH (1022), SOURCERPM
//! (1044), PROVIDENAME (1047), REQUIRENAME (1049), and the file list: BASENAMES (1117),
//! DIRNAMES (1118), DIRINDEXES (1116), handed to [`super::owners`] as
//! [`crate::PackageFiles`]. `gpg-pubkey` pseudo-packages (imported signing keys) are
//! skipped.
//!
//! Components: `pkg:rpm/redhat/<name>@<version>-<release>?arch=<arch>&epoch=<epoch>` —
//! the epoch as a qualifier, as the purl specification's `rpm` type and Red Hat's own SBOMs
//! and VEX files write it; the namespace is provisional (the post-walk step
//! [`super::distro::attach_distros`] puts the os-release `ID` there). `Component.version` is
//! `[epoch:]version-release`, the string advisories compare. Ecosystem `Red Hat`. The source
//! package comes from SOURCERPM (`openssl-3.0.7-27.el9.src.rpm` → `openssl`,
//! `[epoch:]3.0.7-27.el9`, the binary's epoch, since a source rpm's file name has none).
//! Edges: each REQUIRENAME resolved to the installed package that provides it (PROVIDENAME,
//! which includes the package's own name); `rpmlib(…)` and unprovided file requirements
//! resolve to nothing.
//!
//! The header's MD5 (SIGMD5) and SHA-256 (SHA256HEADER) digests cover the header (and
//! payload), not a file anyone downloads, so they are not reported as artifact hashes.

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, SourcePackage};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

/// The rpmdb.sqlite detector (`sbom.rpm`).
pub struct RpmDetector;

const DETECTOR: &str = "sbom.rpm";
const MAX_WARNINGS: usize = 10;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_PROVIDENAME: u32 = 1047;
const TAG_REQUIRENAME: u32 = 1049;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm refuses headers with more index entries or data than this (`hdrchkTags`, `hdrchkData`).
const MAX_INDEX: u32 = 0x00ff_ffff;
const MAX_DATA: u32 = 0x0fff_ffff;

/// Why a header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Shorter than the 8-byte preamble.
    TooShort(usize),
    /// Index count or data length over rpm's own limits.
    TooLarge {
        /// Index entries declared.
        index: u32,
        /// Data bytes declared.
        data: u32,
    },
    /// The declared index and data do not fit in the blob.
    Truncated {
        /// Bytes the preamble declares.
        declared: u64,
        /// Bytes present.
        actual: usize,
    },
    /// An entry points outside the data or has the wrong type.
    BadEntry {
        /// The entry's tag.
        tag: u32,
        /// What is wrong.
        what: &'static str,
    },
    /// A required tag (NAME, VERSION, RELEASE) is absent.
    Missing(&'static str),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::TooShort(n) => write!(f, "header blob of {n} bytes is too short"),
            HeaderError::TooLarge { index, data } => write!(
                f,
                "header declares {index} index entries and {data} data bytes, over rpm's limits"
            ),
            HeaderError::Truncated { declared, actual } => write!(
                f,
                "header declares {declared} bytes but the blob has {actual}"
            ),
            HeaderError::BadEntry { tag, what } => write!(f, "header tag {tag}: {what}"),
            HeaderError::Missing(t) => write!(f, "header has no {t} tag"),
        }
    }
}

impl std::error::Error for HeaderError {}

/// The fields of one installed package's header that mamori uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    /// NAME.
    pub name: String,
    /// VERSION.
    pub version: String,
    /// RELEASE.
    pub release: String,
    /// EPOCH, when the package has one.
    pub epoch: Option<u32>,
    /// ARCH; empty when absent (gpg-pubkey).
    pub arch: String,
    /// LICENSE as declared.
    pub license: Option<String>,
    /// SOURCERPM (`bash-5.1.8-6.el9.src.rpm`).
    pub source_rpm: Option<String>,
    /// PROVIDENAME.
    pub provides: Vec<String>,
    /// REQUIRENAME.
    pub requires: Vec<String>,
    /// The files (and directories) the package installed, one absolute path a line: each
    /// BASENAMES entry joined to the DIRNAMES entry its DIRINDEXES entry names.
    pub files: String,
}

impl RpmPackage {
    /// `[epoch:]version-release`.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }

    /// The source package: name and `[epoch:]version-release` from SOURCERPM; the binary's
    /// own name and version when SOURCERPM is absent or not of the `n-v-r.src.rpm` form.
    pub fn source(&self) -> SourcePackage {
        let parsed = self.source_rpm.as_deref().and_then(split_source_rpm);
        match parsed {
            Some((n, v, r)) => SourcePackage {
                name: n.to_string(),
                version: match self.epoch {
                    Some(e) => format!("{e}:{v}-{r}"),
                    None => format!("{v}-{r}"),
                },
            },
            None => SourcePackage {
                name: self.name.clone(),
                version: self.evr(),
            },
        }
    }
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7`, `27.el9`).
pub fn split_source_rpm(s: &str) -> Option<(&str, &str, &str)> {
    let base = s
        .strip_suffix(".src.rpm")
        .or_else(|| s.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = base.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Parses an rpmdb header blob (see the module documentation). Never panics.
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, HeaderError> {
    let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
        return Err(HeaderError::TooShort(blob.len()));
    };
    if il > MAX_INDEX || dl > MAX_DATA {
        return Err(HeaderError::TooLarge {
            index: il,
            data: dl,
        });
    }
    let index_len = u64::from(il) * 16;
    let declared = 8 + index_len + u64::from(dl);
    if declared > blob.len() as u64 {
        return Err(HeaderError::Truncated {
            declared,
            actual: blob.len(),
        });
    }
    // Both fit in the blob, hence in usize.
    let index_end = 8 + index_len as usize;
    let index = blob.get(8..index_end).unwrap_or_default();
    let data = blob
        .get(index_end..index_end + dl as usize)
        .unwrap_or_default();

    let mut p = RpmPackage::default();
    let (mut has_name, mut has_version, mut has_release) = (false, false, false);
    let (mut basenames, mut dirnames, mut dirindexes) = (Vec::new(), Vec::new(), Vec::new());
    for e in index.chunks_exact(16) {
        let (Some(tag), Some(ty), Some(off), Some(count)) =
            (be32(e, 0), be32(e, 4), be32(e, 8), be32(e, 12))
        else {
            continue;
        };
        let wanted = matches!(
            tag,
            TAG_NAME
                | TAG_VERSION
                | TAG_RELEASE
                | TAG_EPOCH
                | TAG_LICENSE
                | TAG_ARCH
                | TAG_SOURCERPM
                | TAG_PROVIDENAME
                | TAG_REQUIRENAME
                | TAG_DIRINDEXES
                | TAG_BASENAMES
                | TAG_DIRNAMES
        );
        if !wanted {
            continue;
        }
        let off = off as usize;
        if off >= data.len() {
            return Err(HeaderError::BadEntry {
                tag,
                what: "offset outside the data",
            });
        }
        let bad = |what| HeaderError::BadEntry { tag, what };
        match tag {
            TAG_EPOCH => {
                if ty != TYPE_INT32 || count < 1 {
                    return Err(bad("EPOCH is not an INT32"));
                }
                p.epoch = Some(be32(data, off).ok_or(bad("EPOCH past the data"))?);
            }
            TAG_PROVIDENAME | TAG_REQUIRENAME | TAG_BASENAMES | TAG_DIRNAMES => {
                if ty != TYPE_STRING_ARRAY {
                    return Err(bad("not a STRING_ARRAY"));
                }
                let v = strings(data, off, count).ok_or(bad("strings past the data"))?;
                match tag {
                    TAG_PROVIDENAME => p.provides = v,
                    TAG_REQUIRENAME => p.requires = v,
                    TAG_BASENAMES => basenames = v,
                    _ => dirnames = v,
                }
            }
            TAG_DIRINDEXES => {
                if ty != TYPE_INT32 {
                    return Err(bad("DIRINDEXES is not INT32"));
                }
                // Four bytes each: a count over the data length is a lie.
                if count as usize > data.len() / 4 {
                    return Err(bad("DIRINDEXES past the data"));
                }
                dirindexes = (0..count as usize)
                    .map(|i| be32(data, off + 4 * i))
                    .collect::<Option<Vec<u32>>>()
                    .ok_or(bad("DIRINDEXES past the data"))?;
            }
            _ => {
                if !matches!(ty, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY) || count < 1 {
                    return Err(bad("not a string"));
                }
                let s = string_at(data, off).ok_or(bad("unterminated string"))?;
                match tag {
                    TAG_NAME => {
                        p.name = s;
                        has_name = true;
                    }
                    TAG_VERSION => {
                        p.version = s;
                        has_version = true;
                    }
                    TAG_RELEASE => {
                        p.release = s;
                        has_release = true;
                    }
                    TAG_ARCH => p.arch = s,
                    TAG_LICENSE => p.license = Some(s),
                    TAG_SOURCERPM => p.source_rpm = Some(s),
                    _ => {}
                }
            }
        }
    }
    if !has_name {
        return Err(HeaderError::Missing("NAME"));
    }
    if !has_version {
        return Err(HeaderError::Missing("VERSION"));
    }
    if !has_release {
        return Err(HeaderError::Missing("RELEASE"));
    }
    if basenames.len() != dirindexes.len() {
        return Err(HeaderError::BadEntry {
            tag: TAG_DIRINDEXES,
            what: "not one DIRINDEXES entry per BASENAMES entry",
        });
    }
    let mut files = String::new();
    for (base, &di) in basenames.iter().zip(&dirindexes) {
        let dir = dirnames.get(di as usize).ok_or(HeaderError::BadEntry {
            tag: TAG_DIRINDEXES,
            what: "index past DIRNAMES",
        })?;
        files.push_str(dir);
        files.push_str(base);
        files.push('\n');
    }
    p.files = files;
    Ok(p)
}

/// The NUL-terminated string at `off`.
fn string_at(data: &[u8], off: usize) -> Option<String> {
    let rest = data.get(off..)?;
    let end = memchr::memchr(0, rest)?;
    Some(String::from_utf8_lossy(rest.get(..end)?).into_owned())
}

/// `count` NUL-terminated strings from `off`.
fn strings(data: &[u8], mut off: usize, count: u32) -> Option<Vec<String>> {
    // Each string takes at least one byte: a count over the data length is a lie.
    if count as usize > data.len() {
        return None;
    }
    let mut v = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let rest = data.get(off..)?;
        let end = memchr::memchr(0, rest)?;
        v.push(String::from_utf8_lossy(rest.get(..end)?).into_owned());
        off = off.checked_add(end + 1)?;
    }
    Some(v)
}

/// Whether `path` (file name `name`) is an rpm SQLite database.
pub fn is_rpmdb(path: &str, name: &str) -> bool {
    name == "rpmdb.sqlite"
        && [
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
        ]
        .iter()
        .any(|s| path == *s || path.strip_suffix(s).is_some_and(|p| p.ends_with('/')))
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Reads the header blobs of table `Packages` of an rpmdb.sqlite given as bytes.
/// Returns `(hnum, blob)` rows in `hnum` order.
pub fn read_blobs(db: &[u8]) -> Result<Vec<(i64, Vec<u8>)>, String> {
    if db.len() < 100 || !db.starts_with(SQLITE_MAGIC) {
        return Err("not an SQLite database".to_string());
    }
    if db.len() > i32::MAX as usize {
        return Err("database too large".to_string());
    }
    // Bytes 18 and 19: file format write/read versions; 2 = WAL, which an in-memory
    // database cannot use. 1 = rollback journal; the pages are the same.
    let patched: [u8; 2] = [
        if db[18] == 2 { 1 } else { db[18] },
        if db[19] == 2 { 1 } else { db[19] },
    ];
    let reader = (&db[..18]).chain(&patched[..]).chain(&db[20..]);
    let mut conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    conn.deserialize_read_exact(rusqlite::MAIN_DB, reader, db.len(), true)
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let _ = conn.pragma_update(None, "cell_size_check", true);
    let _ = conn.pragma_update(None, "query_only", true);
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| format!("no readable Packages table: {e}"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(|e| format!("cannot read the Packages table: {e}"))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(|e| format!("cannot read the Packages table: {e}"))?);
    }
    Ok(out)
}

/// The purl the detector writes (namespace `redhat` until the distribution is known).
pub fn package_purl(p: &RpmPackage) -> Result<Purl, mamori_model::purl::PurlError> {
    let mut q = BTreeMap::new();
    if !p.arch.is_empty() {
        q.insert("arch".to_string(), p.arch.clone());
    }
    if let Some(e) = p.epoch {
        q.insert("epoch".to_string(), e.to_string());
    }
    let vr = format!("{}-{}", p.version, p.release);
    Purl::new("rpm", Some("redhat"), &p.name, Some(&vr), q, None)
}

/// Components with edges for the packages of one database. Packages whose purl cannot be
/// built come back as problems.
pub fn components(packages: &[RpmPackage]) -> (Vec<Component>, Vec<String>) {
    let mut problems = Vec::new();
    let mut purls = Vec::with_capacity(packages.len());
    for p in packages {
        match package_purl(p) {
            Ok(u) => purls.push(Some(u.to_string())),
            Err(e) => {
                problems.push(format!("package {:?}: {e}", p.name));
                purls.push(None);
            }
        }
    }
    let mut provider: HashMap<&str, usize> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if purls.get(i).is_some_and(Option::is_some) {
            provider.entry(p.name.as_str()).or_insert(i);
        }
    }
    for (i, p) in packages.iter().enumerate() {
        if purls.get(i).is_some_and(Option::is_some) {
            for v in &p.provides {
                provider.entry(v.as_str()).or_insert(i);
            }
        }
    }
    let mut out = Vec::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        let Some(Some(purl)) = purls.get(i) else {
            continue;
        };
        let mut deps: Vec<String> = Vec::new();
        for r in &p.requires {
            if let Some(&j) = provider.get(r.as_str()) {
                if j != i {
                    if let Some(Some(d)) = purls.get(j) {
                        if !deps.contains(d) {
                            deps.push(d.clone());
                        }
                    }
                }
            }
        }
        let mut c = Component::new(purl.clone(), &p.name, Some(p.evr()), "Red Hat");
        c.source = Some(p.source());
        c.license = p.license.clone().filter(|l| !l.is_empty());
        c.dependencies = deps;
        out.push(c);
    }
    (out, problems)
}

impl Detector for RpmDetector {
    fn name(&self) -> &'static str {
        DETECTOR
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        is_rpmdb(file.path, file.name) && head.starts_with(SQLITE_MAGIC)
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        is_rpmdb(file.path, file.name)
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let blobs = match read_blobs(data) {
            Ok(b) => b,
            Err(e) => {
                out.warn(file, format!("rpm database: {e}"));
                return;
            }
        };
        let mut problems = Vec::new();
        let mut packages = Vec::with_capacity(blobs.len());
        for (hnum, blob) in &blobs {
            match parse_header(blob) {
                Ok(p) if p.name == "gpg-pubkey" => {}
                Ok(p) => packages.push(p),
                Err(e) => problems.push(format!("package #{hnum}: {e}")),
            }
        }
        let (comps, purl_problems) = components(&packages);
        problems.extend(purl_problems);
        for p in problems.iter().take(MAX_WARNINGS) {
            out.warn(file, format!("rpm database: {p}"));
        }
        if problems.len() > MAX_WARNINGS {
            out.warn(
                file,
                format!(
                    "rpm database: {} more problems not shown",
                    problems.len() - MAX_WARNINGS
                ),
            );
        }
        for c in comps {
            let context = format!("{} {}", c.name, c.version.as_deref().unwrap_or_default());
            out.component(c, file.location(), DETECTOR, Some(context));
        }
        let root = [
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
        ]
        .iter()
        .find_map(|s| super::owners::root_before(file.path, s));
        if let Some(root) = root {
            for p in packages {
                super::owners::push_list(
                    out,
                    file,
                    root,
                    p.name,
                    Some(p.arch).filter(|a| !a.is_empty()),
                    &p.files,
                );
            }
        }
    }

    fn max_size(&self) -> u64 {
        512 << 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, value bytes, count) entries.
    fn blob(entries: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, ty, val, count) in entries {
            if *ty == TYPE_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            data.extend_from_slice(val);
        }
        let mut b = Vec::new();
        b.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        b.extend_from_slice(&(data.len() as u32).to_be_bytes());
        b.extend_from_slice(&index);
        b.extend_from_slice(&data);
        b
    }

    fn sample() -> Vec<u8> {
        blob(&[
            (TAG_NAME, TYPE_STRING, b"openssl-libs\0", 1),
            (TAG_VERSION, TYPE_STRING, b"3.0.7\0", 1),
            (TAG_RELEASE, TYPE_STRING, b"27.el9\0", 1),
            (TAG_EPOCH, TYPE_INT32, &1u32.to_be_bytes(), 1),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0", 1),
            (TAG_LICENSE, TYPE_STRING, b"Apache-2.0\0", 1),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                b"openssl-3.0.7-27.el9.src.rpm\0",
                1,
            ),
            (
                TAG_REQUIRENAME,
                TYPE_STRING_ARRAY,
                b"libc.so.6\0rpmlib(X)\0",
                2,
            ),
        ])
    }

    #[test]
    fn header_fields() {
        let p = parse_header(&sample()).unwrap();
        assert_eq!(p.name, "openssl-libs");
        assert_eq!(p.evr(), "1:3.0.7-27.el9");
        assert_eq!(p.arch, "x86_64");
        assert_eq!(p.requires, ["libc.so.6", "rpmlib(X)"]);
        let s = p.source();
        assert_eq!(
            (s.name.as_str(), s.version.as_str()),
            ("openssl", "1:3.0.7-27.el9")
        );
        assert_eq!(
            package_purl(&p).unwrap().to_string(),
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1"
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let b = sample();
        for n in 0..b.len() {
            assert!(parse_header(&b[..n]).is_err(), "prefix {n}");
        }
        let mut lying = b.clone();
        lying[0..4].copy_from_slice(&0xffff_ffffu32.to_be_bytes());
        assert!(matches!(
            parse_header(&lying),
            Err(HeaderError::TooLarge { .. })
        ));
        // An offset pointing past the data.
        let mut off = b.clone();
        off[8 + 8..8 + 12].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        assert!(matches!(
            parse_header(&off),
            Err(HeaderError::BadEntry { .. })
        ));
        // A string array count larger than the data.
        let mut cnt = b;
        let last = 8 + 7 * 16;
        cnt[last + 12..last + 16].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert!(parse_header(&cnt).is_err());
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("glibc-2.34-60.el9.src.rpm"),
            Some(("glibc", "2.34", "60.el9"))
        );
        assert_eq!(
            split_source_rpm("python3.11-3.11.5-1.el9.src.rpm"),
            Some(("python3.11", "3.11.5", "1.el9"))
        );
        assert_eq!(split_source_rpm("weird.src.rpm"), None);
        assert_eq!(split_source_rpm("x-1-2.rpm"), None);
    }

    #[test]
    fn paths() {
        assert!(is_rpmdb("/var/lib/rpm/rpmdb.sqlite", "rpmdb.sqlite"));
        assert!(is_rpmdb("var/lib/rpm/rpmdb.sqlite", "rpmdb.sqlite"));
        assert!(is_rpmdb(
            "r/usr/lib/sysimage/rpm/rpmdb.sqlite",
            "rpmdb.sqlite"
        ));
        assert!(!is_rpmdb("/tmp/rpmdb.sqlite", "rpmdb.sqlite"));
        assert!(!is_rpmdb("/xvar/lib/rpm/rpmdb.sqlite", "rpmdb.sqlite"));
    }

    #[test]
    fn not_a_database() {
        assert!(read_blobs(b"").is_err());
        assert!(read_blobs(&[0u8; 4096]).is_err());
        let mut fake = SQLITE_MAGIC.to_vec();
        fake.resize(4096, 0xab);
        assert!(read_blobs(&fake).is_err());
    }
}
