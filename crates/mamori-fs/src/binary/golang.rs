//! Go build information (`runtime/debug.BuildInfo` as the linker embeds it).
//!
//! The linker writes a 32-byte header starting with the magic `\xff Go buildinf:` (in ELF,
//! the `.go.buildinfo` section), then either
//! - Go 1.18+ (flag bit 2 set): the Go version and the module info as two inline strings,
//!   each a uvarint length followed by the bytes; or
//! - before Go 1.18: two pointers (size and byte order from the header) to Go string headers
//!   `{data pointer, length}` for `runtime.buildVersion` and `runtime.modinfo`, which need
//!   the virtual-address map of the binary to follow.
//!
//! The module info is text between two 16-byte sentinels: `path`, `mod`, `dep`, `=>`
//! (replacement of the preceding dep) and `build` lines, tab-separated.

/// The magic that starts the build-info header.
pub const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const MAX_VERSION: u64 = 1024;
const MAX_MODINFO: u64 = 8 << 20;

/// A module line: `mod` or `dep`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Module path.
    pub path: String,
    /// Version (`v0.21.0`, `(devel)`).
    pub version: String,
    /// `h1:` checksum, when recorded.
    pub sum: Option<String>,
    /// Replacement module path or directory (`=>` line), when replaced.
    pub replaced_by: Option<String>,
}

/// What the build info says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// The toolchain, e.g. `go1.22.1` (may carry ` X:experiment` tails).
    pub go_version: String,
    /// Main package path.
    pub path: Option<String>,
    /// Main module.
    pub main: Option<Module>,
    /// Dependencies, replacements applied.
    pub deps: Vec<Module>,
    /// `build` settings (`GOEXPERIMENT`, `CGO_ENABLED` …).
    pub settings: Vec<(String, String)>,
}

/// Why build info could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoError {
    /// The header is cut short.
    #[error("Go build info header truncated at {0:#x}")]
    Truncated(usize),
    /// A length or pointer runs past the data.
    #[error("Go build info {0} out of bounds")]
    OutOfBounds(&'static str),
    /// Pointer format with a pointer size other than 4 or 8.
    #[error("Go build info has pointer size {0}")]
    PointerSize(u8),
    /// Pointer format in a binary whose addresses cannot be mapped.
    #[error(
        "Go build info uses the pre-1.18 pointer format and the address {0:#x} is not in the file"
    )]
    Unmapped(u64),
    /// A string is not UTF-8.
    #[error("Go build info {0} is not UTF-8")]
    NotUtf8(&'static str),
    /// The version is empty.
    #[error("Go build info has no Go version")]
    NoVersion,
}

/// Offset of the build-info header: `hint` (the `.go.buildinfo` section) when the magic is
/// there, else the first 16-aligned occurrence, else the first occurrence.
pub fn find_header(data: &[u8], hint: Option<usize>) -> Option<usize> {
    if let Some(h) = hint {
        if data.get(h..).is_some_and(|d| d.starts_with(MAGIC)) {
            return Some(h);
        }
    }
    let mut first = None;
    for off in memchr::memmem::find_iter(data, MAGIC) {
        if off % 16 == 0 {
            return Some(off);
        }
        first.get_or_insert(off);
    }
    first
}

/// Reads `len` bytes at a virtual address; `None` when unmapped.
pub type AddrReader<'a> = dyn Fn(u64, u64) -> Option<&'a [u8]> + 'a;

fn uvarint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut x: u64 = 0;
    let mut shift = 0u32;
    loop {
        let b = *data.get(*pos)?;
        *pos += 1;
        if shift >= 64 {
            return None;
        }
        x |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(x);
        }
        shift += 7;
    }
}

fn inline_string<'a>(
    data: &'a [u8],
    pos: &mut usize,
    what: &'static str,
    max: u64,
) -> Result<&'a [u8], GoError> {
    let n = uvarint(data, pos).ok_or(GoError::OutOfBounds(what))?;
    if n > max {
        return Err(GoError::OutOfBounds(what));
    }
    let n = usize::try_from(n).map_err(|_| GoError::OutOfBounds(what))?;
    let end = pos.checked_add(n).ok_or(GoError::OutOfBounds(what))?;
    let s = data.get(*pos..end).ok_or(GoError::OutOfBounds(what))?;
    *pos = end;
    Ok(s)
}

fn read_ptr(b: &[u8], size: usize, big: bool) -> Option<u64> {
    let b = b.get(..size)?;
    Some(match (size, big) {
        (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        (4, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
        (8, false) => u64::from_le_bytes(b.try_into().ok()?),
        (8, true) => u64::from_be_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// Follow a pointer to a Go string header `{data, len}` and read the string.
fn pointed_string<'a>(
    read: &AddrReader<'a>,
    addr: u64,
    size: usize,
    big: bool,
    what: &'static str,
    max: u64,
) -> Result<&'a [u8], GoError> {
    let hdr = read(addr, 2 * size as u64).ok_or(GoError::Unmapped(addr))?;
    let ptr = read_ptr(hdr, size, big).ok_or(GoError::OutOfBounds(what))?;
    let len =
        read_ptr(hdr.get(size..).unwrap_or(&[]), size, big).ok_or(GoError::OutOfBounds(what))?;
    if len > max {
        return Err(GoError::OutOfBounds(what));
    }
    if len == 0 {
        return Ok(&[]);
    }
    read(ptr, len).ok_or(GoError::Unmapped(ptr))
}

/// Parse the build info whose header is at `off`. `read` maps virtual addresses (needed
/// only for the pre-1.18 pointer format).
pub fn parse_at<'a>(
    data: &'a [u8],
    off: usize,
    read: &AddrReader<'a>,
) -> Result<BuildInfo, GoError> {
    let hdr = off
        .checked_add(HEADER_LEN)
        .and_then(|end| data.get(off..end))
        .ok_or(GoError::Truncated(off))?;
    let ptr_size = hdr[14];
    let flags = hdr[15];
    let (version, modinfo) = if flags & 2 != 0 {
        let mut pos = off + HEADER_LEN;
        let v = inline_string(data, &mut pos, "version", MAX_VERSION)?;
        let m = inline_string(data, &mut pos, "module info", MAX_MODINFO)?;
        (v, m)
    } else {
        let size = usize::from(ptr_size);
        if size != 4 && size != 8 {
            return Err(GoError::PointerSize(ptr_size));
        }
        let big = flags & 1 != 0;
        let ptrs = data
            .get(off + 16..off + 16 + 2 * size)
            .ok_or(GoError::Truncated(off))?;
        let vaddr = read_ptr(ptrs, size, big).ok_or(GoError::Truncated(off))?;
        let maddr = read_ptr(&ptrs[size..], size, big).ok_or(GoError::Truncated(off))?;
        let v = pointed_string(read, vaddr, size, big, "version", MAX_VERSION)?;
        let m = pointed_string(read, maddr, size, big, "module info", MAX_MODINFO)?;
        (v, m)
    };
    let go_version = std::str::from_utf8(version)
        .map_err(|_| GoError::NotUtf8("version"))?
        .trim()
        .to_string();
    if go_version.is_empty() {
        return Err(GoError::NoVersion);
    }
    let mut info = parse_modinfo(modinfo)?;
    info.go_version = go_version;
    Ok(info)
}

/// Parse `runtime.modinfo` text (with or without its 16-byte sentinels).
pub fn parse_modinfo(raw: &[u8]) -> Result<BuildInfo, GoError> {
    let mut raw = raw;
    let n = raw.len();
    if n >= 33 && raw[n - 17] == b'\n' {
        raw = &raw[16..n - 16];
    }
    let text = std::str::from_utf8(raw).map_err(|_| GoError::NotUtf8("module info"))?;
    let mut info = BuildInfo::default();
    let module = |rest: &[&str]| -> Option<Module> {
        let path = rest.first()?.to_string();
        if path.is_empty() {
            return None;
        }
        Some(Module {
            path,
            version: rest.get(1).map(|s| s.to_string()).unwrap_or_default(),
            sum: rest.get(2).filter(|s| !s.is_empty()).map(|s| s.to_string()),
            replaced_by: None,
        })
    };
    for line in text.lines() {
        let mut parts = line.split('\t');
        let key = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        match key {
            "path" => info.path = rest.first().map(|s| s.to_string()),
            "mod" => info.main = module(&rest),
            "dep" => {
                if let Some(m) = module(&rest) {
                    info.deps.push(m);
                }
            }
            "=>" => {
                // A replacement keeps the dependency's path (that is what the code imports);
                // a module replacement brings its version and sum, a directory one (version
                // `(devel)` or empty) neither.
                if let (Some(m), Some(last)) = (module(&rest), info.deps.last_mut()) {
                    last.replaced_by = Some(m.path);
                    if !m.version.is_empty() && m.version != "(devel)" {
                        last.version = m.version;
                        last.sum = m.sum;
                    }
                }
            }
            "build" => {
                if let Some((k, v)) = rest.first().and_then(|kv| kv.split_once('=')) {
                    info.settings.push((k.to_string(), v.to_string()));
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    //! SYNTHETIC build-info blobs, made by hand from the layout described in Go's
    //! src/debug/buildinfo/buildinfo.go, to test the parser on both formats and on damage.
    //! The real-binary tests (a program built by `go build`) are in binary/tests.rs.
    use super::*;

    const MODINFO: &str = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/crypto\tv0.21.0\th1:abc=\ndep\tgithub.com/old/x\tv1.0.0\th1:old=\n=>\tgithub.com/new/x\tv1.1.0\th1:new=\nbuild\tCGO_ENABLED=0\n";

    fn sentinel_wrapped(s: &str) -> Vec<u8> {
        let mut v = vec![0x30u8; 16];
        v.extend_from_slice(s.as_bytes());
        v.extend_from_slice(&[0x31u8; 16]);
        // Go's sentinel check looks for '\n' 17 bytes from the end.
        v
    }

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn inline_blob() -> Vec<u8> {
        let mut b = vec![0u8; 48]; // junk before, 16-aligned header at 48
        b.extend_from_slice(MAGIC);
        b.push(8);
        b.push(2);
        b.resize(48 + 32, 0);
        let v = b"go1.22.1";
        varint(v.len(), &mut b);
        b.extend_from_slice(v);
        let m = sentinel_wrapped(MODINFO);
        varint(m.len(), &mut b);
        b.extend_from_slice(&m);
        b
    }

    fn no_map<'a>() -> Box<AddrReader<'a>> {
        Box::new(|_, _| None)
    }

    #[test]
    fn synthetic_inline_format() {
        let b = inline_blob();
        let off = find_header(&b, None).unwrap();
        assert_eq!(off, 48);
        let info = parse_at(&b, off, &*no_map()).unwrap();
        assert_eq!(info.go_version, "go1.22.1");
        assert_eq!(info.path.as_deref(), Some("example.com/app"));
        assert_eq!(info.main.as_ref().unwrap().version, "(devel)");
        assert_eq!(info.deps.len(), 2);
        assert_eq!(info.deps[0].path, "golang.org/x/crypto");
        assert_eq!(info.deps[0].sum.as_deref(), Some("h1:abc="));
        assert_eq!(
            info.deps[1].path, "github.com/old/x",
            "the imported path stays"
        );
        assert_eq!(info.deps[1].version, "v1.1.0", "the replacement's version");
        assert_eq!(
            info.deps[1].replaced_by.as_deref(),
            Some("github.com/new/x")
        );
        assert_eq!(info.settings, vec![("CGO_ENABLED".into(), "0".into())]);
    }

    #[test]
    fn synthetic_pointer_format() {
        // Memory image at vaddr 0x1000: [hdr][ver string header][mod string header][bytes…]
        let base = 0x1000u64;
        let mut mem = Vec::new();
        mem.extend_from_slice(MAGIC);
        mem.push(8);
        mem.push(0); // little-endian, pointer format
        let ver_hdr = base + 32;
        let mod_hdr = base + 48;
        mem.extend_from_slice(&ver_hdr.to_le_bytes());
        mem.extend_from_slice(&mod_hdr.to_le_bytes());
        assert_eq!(mem.len(), 32);
        let ver = b"go1.16.15";
        let m = sentinel_wrapped(MODINFO);
        let ver_at = base + 64;
        let mod_at = ver_at + ver.len() as u64;
        mem.extend_from_slice(&ver_at.to_le_bytes());
        mem.extend_from_slice(&(ver.len() as u64).to_le_bytes());
        mem.extend_from_slice(&mod_at.to_le_bytes());
        mem.extend_from_slice(&(m.len() as u64).to_le_bytes());
        mem.extend_from_slice(ver);
        mem.extend_from_slice(&m);
        let memref: &[u8] = &mem;
        let read = move |addr: u64, len: u64| -> Option<&[u8]> {
            let start = usize::try_from(addr.checked_sub(base)?).ok()?;
            memref.get(start..start.checked_add(usize::try_from(len).ok()?)?)
        };
        let info = parse_at(memref, 0, &read).unwrap();
        assert_eq!(info.go_version, "go1.16.15");
        assert_eq!(info.deps[0].version, "v0.21.0");
        // Without an address map the pointer format cannot be followed: an error, not a panic.
        assert!(matches!(
            parse_at(memref, 0, &*no_map()),
            Err(GoError::Unmapped(_))
        ));
    }

    #[test]
    fn damaged_blobs_give_errors() {
        let b = inline_blob();
        for cut in [48 + 10, 48 + 33, 48 + 40, b.len() - 5] {
            let r = parse_at(&b[..cut], 48, &*no_map());
            assert!(r.is_err(), "cut at {cut}: {r:?}");
        }
        let mut huge = b.clone();
        // Length varint that claims 2^63 bytes.
        huge.truncate(80);
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        assert!(parse_at(&huge, 48, &*no_map()).is_err());
        let mut bad_size = b.clone();
        bad_size[48 + 14] = 3;
        bad_size[48 + 15] = 0;
        assert_eq!(
            parse_at(&bad_size, 48, &*no_map()),
            Err(GoError::PointerSize(3))
        );
        // Overlong varint.
        let mut v = 0;
        assert_eq!(uvarint(&[0x80; 12], &mut v), None);
        assert!(parse_modinfo(&[0xff, 0xfe]).is_err());
    }
}
