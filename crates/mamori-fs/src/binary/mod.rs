//! Binaries: the crypto libraries an executable or shared object uses, and what Go
//! binaries link in.
//!
//! - ELF `DT_NEEDED` entries naming crypto libraries (`libcrypto.so.3` → OpenSSL 3.x), and
//!   the library files themselves (`DT_SONAME`) with the exact version from their embedded
//!   version string;
//! - library version strings anywhere in an ELF, PE or Mach-O file ("OpenSSL 1.1.1w  11 Sep
//!   2023", "LibreSSL 3.8.2", "mbed TLS 2.28.5" …), which for a library that is neither the
//!   file itself nor a dependency means it is linked in statically;
//! - symbols that show a library is linked in statically (unstripped binaries);
//! - OpenSSL 3 provider modules (`fips.so`, `legacy.so`, `oqsprovider.so`);
//! - Go binaries: the build info (toolchain version, crypto modules such as
//!   `golang.org/x/crypto`) and the `crypto/*` packages present in the function table.
//!
//! Libraries are reported as [`AssetKind::Library`] assets (`lib:<library>@<version or ?>`)
//! without judging them; [`libs::version_facts`] tells assessors what a version implies.

pub mod elf;
pub mod golang;
pub mod libs;
pub mod strings;

use crate::detect::{Detector, FileInfo, Output};
use aho_corasick::AhoCorasick;
use mamori_model::{AlgorithmProps, AssetKind, CryptoAsset, LibraryProps};
use std::sync::OnceLock;

/// Detector name used in occurrences.
pub const NAME: &str = "binary";

/// Finds crypto libraries in executables and shared objects.
#[derive(Debug, Default, Clone, Copy)]
pub struct BinaryDetector;

/// The kinds of executable file recognized by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryKind {
    /// ELF.
    Elf,
    /// PE/COFF (Windows).
    Pe,
    /// Mach-O (thin, either byte order, 32 or 64 bit).
    MachO,
}

/// The kind of executable `head` starts, if any.
pub fn binary_kind(head: &[u8]) -> Option<BinaryKind> {
    match head.get(..4)? {
        [0x7f, b'E', b'L', b'F'] => Some(BinaryKind::Elf),
        [b'M', b'Z', _, _] if head.len() >= 64 => Some(BinaryKind::Pe),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => {
            Some(BinaryKind::MachO)
        }
        _ => None,
    }
}

/// A library asset: `lib:<library>@<version or ?>`.
pub fn library_asset(library: &str, version: Option<&str>, linkage: &str) -> CryptoAsset {
    let v = version.unwrap_or("?");
    let name = match version {
        Some(v) if library == "Go crypto" => format!("{library} ({v})"),
        Some(v) => format!("{library} {v}"),
        None => library.to_string(),
    };
    let mut a = CryptoAsset::new(AssetKind::Library, format!("lib:{library}@{v}"), name);
    a.library = Some(LibraryProps {
        library: library.to_string(),
        version: version.map(str::to_string),
        linkage: linkage.to_string(),
    });
    a
}

/// Best-effort properties for a public-key algorithm named without its size or curve
/// (JCA `"RSA"`, Go's `crypto/rsa`): the knowledge base's family-level answer.
pub fn unsized_alg(name: &str) -> Option<AlgorithmProps> {
    mamori_algorithms::unsized_public_key(name)
}

/// An algorithm asset for `name` as the knowledge base resolves it (or [`unsized_alg`]).
pub fn algorithm_asset(name: &str) -> Option<CryptoAsset> {
    let mut props = mamori_algorithms::by_name(name).or_else(|| unsized_alg(name))?;
    if props.name == "AES-128" && !name.contains("128") {
        // "AES" (JCA, Go's crypto/aes) leaves the key size to the key: say so, rated as AES-128.
        props.name = "AES".into();
        props.parameter_set = None;
        props.oid = None;
        props.note =
            Some("Key size not stated where it is used; rated as AES-128 until known.".into());
    }
    let mut a = CryptoAsset::new(
        AssetKind::Algorithm,
        format!("alg:{}", props.name),
        props.name.clone(),
    );
    a.algorithm = Some(props);
    Some(a)
}

fn marker_names() -> &'static [&'static str] {
    static N: OnceLock<Vec<&'static str>> = OnceLock::new();
    N.get_or_init(|| {
        let mut v: Vec<&'static str> = libs::table()
            .symbol
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        v.push("OSSL_provider_init");
        v
    })
}

/// A matcher over patterns, with each pattern's text and table row.
type RowMatcher = (AhoCorasick, Vec<(String, usize)>);

/// Function-name patterns of the Go package table: (pattern, row index).
fn go_matcher() -> Option<&'static RowMatcher> {
    static M: OnceLock<Option<RowMatcher>> = OnceLock::new();
    M.get_or_init(|| {
        let mut pats = Vec::new();
        for (i, row) in libs::table().go_package.iter().enumerate() {
            if row.symbols.is_empty() {
                pats.push((format!("{}.", row.package), i));
            } else {
                for s in &row.symbols {
                    pats.push((s.clone(), i));
                }
            }
        }
        let ac = AhoCorasick::new(pats.iter().map(|(p, _)| p.as_bytes())).ok()?;
        Some((ac, pats))
    })
    .as_ref()
}

/// Go packages present in a Go binary: (row index, first offset, the pattern that matched).
fn go_packages(data: &[u8]) -> Vec<(usize, usize, String)> {
    let Some((ac, pats)) = go_matcher() else {
        return Vec::new();
    };
    let rows = &libs::table().go_package;
    let mut first: Vec<Option<(usize, String)>> = vec![None; rows.len()];
    for m in ac.find_overlapping_iter(data) {
        if let Some((p, row)) = pats.get(m.pattern().as_usize()) {
            // A package-prefix pattern must follow a byte that cannot continue a path,
            // so that "crypto/des." does not match inside "x/crypto/des.".
            let before = m.start().checked_sub(1).and_then(|i| data.get(i)).copied();
            if before
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'.' || b == b'_')
            {
                continue;
            }
            if let Some(slot) = first.get_mut(*row) {
                if slot.is_none() {
                    *slot = Some((m.start(), p.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Some((off, pat)) = &first[i] else {
            continue;
        };
        if row.symbols.is_empty() {
            // A package-only row yields when no symbol row of the same package matched.
            let specific = rows.iter().enumerate().any(|(j, r)| {
                j != i && r.package == row.package && !r.symbols.is_empty() && first[j].is_some()
            });
            if specific {
                continue;
            }
        }
        out.push((i, *off, pat.clone()));
    }
    out
}

fn is_crypto_module(path: &str) -> bool {
    libs::table().go_module.iter().any(|m| {
        path == m.path
            || path
                .strip_prefix(m.path.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

/// The first of the few C strings after the one at `at` that is a bare version: OpenSSL
/// providers keep their name, "buildinfo" and version strings together
/// (`OpenSSL Legacy Provider\0buildinfo\03.0.19\0`).
fn version_after_string(data: &[u8], at: usize) -> Option<String> {
    let window = data.get(at..at.saturating_add(160).min(data.len()))?;
    window
        .split(|&b| b == 0)
        .skip(1)
        .filter(|s| !s.is_empty())
        .take(4)
        .find(|s| strings::version_len(s) == Some(s.len()))
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

impl BinaryDetector {
    fn report_go(
        &self,
        file: &FileInfo<'_>,
        data: &[u8],
        facts: Option<&elf::ElfFacts>,
        out: &mut Output,
    ) {
        let hint = facts.and_then(|f| f.go_buildinfo);
        let Some(off) = golang::find_header(data, hint) else {
            return;
        };
        let read = |addr: u64, len: u64| -> Option<&[u8]> {
            facts.and_then(|f| f.read_addr(data, addr, len))
        };
        let info = match golang::parse_at(data, off, &read) {
            Ok(i) => i,
            Err(e) => {
                out.warn(file, format!("{e} (header at {off:#x})"));
                return;
            }
        };
        let loc = file.location().with_offset(off as u64);
        // Software components: the main module, the modules linked in, the standard library.
        crate::sbom::golang::report_binary(&info, &loc, out);
        let toolchain = info
            .go_version
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        let boring = info.go_version.contains("boringcrypto")
            || info
                .settings
                .iter()
                .any(|(k, v)| k == "GOEXPERIMENT" && v.contains("boringcrypto"));

        let pkgs = go_packages(data);
        let rows = &libs::table().go_package;
        let std_pkgs: Vec<&str> = {
            let mut v: Vec<&str> = pkgs
                .iter()
                .filter_map(|(i, _, _)| rows.get(*i))
                .map(|r| r.package.as_str())
                .filter(|p| p.starts_with("crypto/"))
                .collect();
            v.dedup();
            v
        };
        if !std_pkgs.is_empty() {
            let mut ctx = format!(
                "Go build info {}; links {}",
                info.go_version,
                std_pkgs.join(", ")
            );
            let pqc = libs::pqc_capabilities("Go crypto", &toolchain);
            if !pqc.is_empty() {
                ctx.push_str(&format!("; this Go release offers {}", pqc.join(", ")));
            }
            out.observe(
                library_asset("Go crypto", Some(&toolchain), "go-stdlib"),
                loc.clone(),
                NAME,
                Some(ctx),
            );
        }
        if boring {
            out.observe(
                library_asset("BoringCrypto", None, "static"),
                loc.clone(),
                NAME,
                Some(format!(
                    "Go build info {} (GOEXPERIMENT=boringcrypto)",
                    info.go_version
                )),
            );
        }
        for m in info.main.iter().chain(info.deps.iter()) {
            if is_crypto_module(&m.path) {
                let v = (!m.version.is_empty()).then_some(m.version.as_str());
                let mut ctx = format!("Go module {} {}", m.path, m.version);
                if let Some(s) = &m.sum {
                    ctx.push(' ');
                    ctx.push_str(s);
                }
                if let Some(r) = &m.replaced_by {
                    ctx.push_str(&format!(" (replaced by {r})"));
                }
                out.observe(
                    library_asset(&m.path, v, "module"),
                    loc.clone(),
                    NAME,
                    Some(ctx),
                );
            }
        }
        for (i, poff, pat) in pkgs {
            let Some(row) = rows.get(i) else { continue };
            if row.algorithm.is_empty() {
                continue;
            }
            if let Some(a) = algorithm_asset(&row.algorithm) {
                out.observe(
                    a,
                    file.location().with_offset(poff as u64),
                    NAME,
                    Some(if pat.ends_with('.') {
                        format!("Go binary links {} (functions {pat}*)", row.package)
                    } else {
                        format!("Go binary links {} (function {pat}…)", row.package)
                    }),
                );
            }
        }
    }
}

/// Whether an executable's first bytes say it may be a Go program, so that a software-only
/// scan reads only binaries that can hold Go build information (a `node_modules` holds
/// hundreds of megabytes of native Node addons that cannot).
///
/// ELF: Go's linker always writes a `Go` note (`.note.go.buildid`) in a PT_NOTE segment;
/// the program headers and, almost always, the notes lie in the first 4 KiB. `None` when
/// they do not (the caller then reads the file). PE: Go puts `Go build ID:` at the start of
/// `.text`, right after the headers. Mach-O: `None` (its text starts past the head).
pub fn may_be_go(head: &[u8]) -> Option<bool> {
    match binary_kind(head)? {
        BinaryKind::Elf => elf_go_note(head),
        BinaryKind::Pe => Some(memchr::memmem::find(head, b"Go build ID:").is_some()),
        BinaryKind::MachO => None,
    }
}

fn elf_go_note(h: &[u8]) -> Option<bool> {
    let wide = match h.get(4)? {
        1 => false,
        2 => true,
        _ => return Some(false),
    };
    let le = match h.get(5)? {
        1 => true,
        2 => false,
        _ => return Some(false),
    };
    let num = |at: usize, n: usize| -> Option<u64> {
        let b = h.get(at..at.checked_add(n)?)?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if le { b[n - 1 - i] } else { b[i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    };
    let (phoff, phentsize, phnum) = if wide {
        (num(0x20, 8)?, num(0x36, 2)?, num(0x38, 2)?)
    } else {
        (num(0x1c, 4)?, num(0x2a, 2)?, num(0x2c, 2)?)
    };
    let mut saw_all = true;
    for i in 0..phnum {
        let at = usize::try_from(phoff.checked_add(i.checked_mul(phentsize)?)?).ok()?;
        let p_type = num(at, 4)?;
        if p_type != 4 {
            continue; // not PT_NOTE
        }
        let (off, size) = if wide {
            (num(at + 8, 8)?, num(at + 0x20, 8)?)
        } else {
            (num(at + 4, 4)?, num(at + 0x10, 4)?)
        };
        let (Ok(off), Ok(size)) = (usize::try_from(off), usize::try_from(size)) else {
            saw_all = false;
            continue;
        };
        let Some(notes) = off.checked_add(size).and_then(|end| h.get(off..end)) else {
            saw_all = false;
            continue;
        };
        let mut p = 0usize;
        while p + 12 <= notes.len() {
            let rd = |at: usize| -> usize {
                let b = [notes[at], notes[at + 1], notes[at + 2], notes[at + 3]];
                (if le {
                    u32::from_le_bytes(b)
                } else {
                    u32::from_be_bytes(b)
                }) as usize
            };
            let (namesz, descsz) = (rd(p), rd(p + 4));
            let name = notes.get(p + 12..(p + 12).saturating_add(namesz));
            if matches!(name, Some(n) if n.starts_with(b"Go\0") || n == b"Go") {
                return Some(true);
            }
            let pad = |n: usize| n.saturating_add(3) & !3;
            p = p
                .saturating_add(12)
                .saturating_add(pad(namesz))
                .saturating_add(pad(descsz));
        }
    }
    saw_all.then_some(false)
}

/// The binary detector of a software-only scan: reads only executables that may be Go
/// programs ([`may_be_go`]), for their build information; same name and output as
/// [`BinaryDetector`].
#[derive(Debug, Default, Clone, Copy)]
pub struct GoBuildInfoDetector;

impl Detector for GoBuildInfoDetector {
    fn name(&self) -> &'static str {
        NAME
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        BinaryDetector.may_want(file)
    }
    fn wants(&self, _file: &FileInfo<'_>, head: &[u8]) -> bool {
        may_be_go(head) != Some(false) && binary_kind(head).is_some()
    }
    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        BinaryDetector.detect(file, data, out)
    }
    fn max_size(&self) -> u64 {
        BinaryDetector.max_size()
    }
}

impl Detector for BinaryDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, _file: &FileInfo<'_>, head: &[u8]) -> bool {
        binary_kind(head).is_some()
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        // Executables and libraries have no extension or a library one; these never are.
        !matches!(
            file.extension().as_deref(),
            Some(
                "js" | "mjs"
                    | "cjs"
                    | "ts"
                    | "mts"
                    | "cts"
                    | "tsx"
                    | "jsx"
                    | "json"
                    | "map"
                    | "md"
                    | "markdown"
                    | "txt"
                    | "css"
                    | "scss"
                    | "less"
                    | "html"
                    | "htm"
                    | "xml"
                    | "yml"
                    | "yaml"
                    | "toml"
                    | "ini"
                    | "cfg"
                    | "py"
                    | "pyi"
                    | "rb"
                    | "go"
                    | "rs"
                    | "java"
                    | "kt"
                    | "c"
                    | "h"
                    | "cc"
                    | "cpp"
                    | "hpp"
                    | "cs"
                    | "php"
                    | "png"
                    | "jpg"
                    | "jpeg"
                    | "gif"
                    | "svg"
                    | "ico"
                    | "woff"
                    | "woff2"
                    | "ttf"
                    | "eot"
                    | "otf"
                    | "pem"
                    | "crt"
                    | "lock"
                    | "csv"
                    | "flow"
                    | "coffee"
                    | "vue"
                    | "svelte"
                    | "snap"
                    | "rst"
                    | "tmpl"
            )
        )
    }

    fn max_size(&self) -> u64 {
        256 << 20
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let Some(kind) = binary_kind(data) else {
            return;
        };
        let found = strings::scan(data);
        let facts = if kind == BinaryKind::Elf {
            match elf::parse(data, marker_names()) {
                Ok(f) => Some(f),
                Err(e) => {
                    out.warn(file, format!("malformed ELF: {e}"));
                    None
                }
            }
        } else {
            None
        };

        // Libraries this file is, or loads by name: their version strings are not static copies.
        let mut own: Option<&'static str> = None;
        let mut dynamic: Vec<&'static str> = Vec::new();
        let mut reported_static: Vec<&'static str> = Vec::new();
        let first_string = |lib: &str| found.iter().find(|f| f.library == lib);

        if let Some(f) = &facts {
            // The file is a crypto library itself.
            if let Some((lib, series)) = f.soname.as_deref().and_then(libs::soname_library) {
                own = Some(lib);
                let exact = first_string(lib);
                let version = exact.and_then(|s| s.version.as_deref()).or(series);
                let mut loc = file.location();
                let mut ctx = format!(
                    "shared library SONAME {}",
                    f.soname.as_deref().unwrap_or("")
                );
                if let Some(s) = exact {
                    loc = loc.with_offset(s.offset as u64);
                    ctx.push_str(&format!(", version string \"{}\"", s.text));
                }
                out.observe(library_asset(lib, version, "dynamic"), loc, NAME, Some(ctx));
            }
            // An OpenSSL 3 provider module.
            if f.defined.iter().any(|d| d == "OSSL_provider_init") {
                let t = &libs::table().provider;
                let by_name = t.iter().find_map(|p| {
                    memchr::memmem::find(data, p.name.as_bytes())
                        .filter(|&at| at == 0 || data.get(at - 1) == Some(&0))
                        .map(|at| (p, Some(at)))
                });
                let row =
                    by_name.or_else(|| t.iter().find(|p| p.file == file.name).map(|p| (p, None)));
                let (lib, version, ctx) = match row {
                    Some((p, at)) => (
                        p.library.clone(),
                        at.and_then(|a| version_after_string(data, a)),
                        format!(
                            "OpenSSL 3 provider module \"{}\" (exports OSSL_provider_init)",
                            p.name
                        ),
                    ),
                    None => (
                        format!("OpenSSL provider {}", file.name),
                        None,
                        "OpenSSL 3 provider module (exports OSSL_provider_init)".to_string(),
                    ),
                };
                out.observe(
                    library_asset(&lib, version.as_deref(), "dynamic"),
                    file.location(),
                    NAME,
                    Some(ctx),
                );
                // Its OpenSSL strings belong to the OpenSSL build it was made with.
                dynamic.push("OpenSSL");
            }
            // Dependencies by name.
            for needed in &f.needed {
                let Some((lib, series)) = libs::soname_library(needed) else {
                    continue;
                };
                dynamic.push(lib);
                let mut ctx = format!("NEEDED {needed}");
                if let Some(s) = first_string(lib) {
                    ctx.push_str(&format!("; built against \"{}\"", s.text));
                }
                out.observe(
                    library_asset(lib, series, "dynamic"),
                    file.location(),
                    NAME,
                    Some(ctx),
                );
            }
        }

        // Version strings of libraries that are neither this file nor a dependency.
        for s in &found {
            if Some(s.library) == own || dynamic.contains(&s.library) {
                continue;
            }
            reported_static.push(s.library);
            out.observe(
                library_asset(s.library, s.version.as_deref(), "static"),
                file.location().with_offset(s.offset as u64),
                NAME,
                Some(format!("version string \"{}\"", s.text)),
            );
        }

        // Symbols of libraries linked in without a version string.
        if let Some(f) = &facts {
            for m in &libs::table().symbol {
                let lib = m.library.as_str();
                if !f.defined.iter().any(|d| d == &m.name)
                    || Some(lib) == own
                    || dynamic.contains(&lib)
                    || reported_static.contains(&lib)
                {
                    continue;
                }
                reported_static.push(lib);
                out.observe(
                    library_asset(lib, None, "static"),
                    file.location(),
                    NAME,
                    Some(format!("defines symbol {}", m.name)),
                );
            }
        }

        self.report_go(file, data, facts.as_ref(), out);
    }
}

#[cfg(test)]
mod tests;
