//! What mamori needs from an ELF file, copied out of goblin's parse.

use goblin::elf::Elf;

/// A loadable segment: file bytes `offset..offset+filesz` at `vaddr`.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Virtual address.
    pub vaddr: u64,
    /// Bytes in the file.
    pub filesz: u64,
    /// File offset.
    pub offset: u64,
}

/// Facts from the dynamic section, symbol tables and headers.
#[derive(Debug, Clone, Default)]
pub struct ElfFacts {
    /// DT_NEEDED entries.
    pub needed: Vec<String>,
    /// DT_SONAME.
    pub soname: Option<String>,
    /// Those of `wanted` symbols that are defined here (not imported).
    pub defined: Vec<String>,
    /// PT_LOAD segments.
    pub loads: Vec<Load>,
    /// File offset of `.go.buildinfo`.
    pub go_buildinfo: Option<usize>,
    /// Whether a `.gopclntab` section exists.
    pub go_pclntab: bool,
}

impl ElfFacts {
    /// The file bytes at virtual address `addr`, `len` long, when inside one PT_LOAD.
    pub fn read_addr<'a>(&self, data: &'a [u8], addr: u64, len: u64) -> Option<&'a [u8]> {
        for l in &self.loads {
            if addr >= l.vaddr && addr - l.vaddr < l.filesz {
                let within = addr - l.vaddr;
                if len > l.filesz - within {
                    return None;
                }
                let start = usize::try_from(l.offset.checked_add(within)?).ok()?;
                let end = start.checked_add(usize::try_from(len).ok()?)?;
                return data.get(start..end);
            }
        }
        None
    }
}

fn extract(data: &[u8], wanted: &[&str]) -> Result<ElfFacts, String> {
    let elf = Elf::parse(data).map_err(|e| e.to_string())?;
    let mut f = ElfFacts {
        needed: elf.libraries.iter().map(|s| s.to_string()).collect(),
        soname: elf.soname.map(str::to_string),
        ..Default::default()
    };
    for ph in &elf.program_headers {
        if ph.p_type == goblin::elf::program_header::PT_LOAD {
            f.loads.push(Load {
                vaddr: ph.p_vaddr,
                filesz: ph.p_filesz,
                offset: ph.p_offset,
            });
        }
    }
    for sh in &elf.section_headers {
        match elf.shdr_strtab.get_at(sh.sh_name) {
            Some(".go.buildinfo") => f.go_buildinfo = usize::try_from(sh.sh_offset).ok(),
            Some(".gopclntab") => f.go_pclntab = true,
            _ => {}
        }
    }
    let mut note = |name: Option<&str>, shndx: usize| {
        if let Some(n) = name {
            if shndx != 0 && wanted.contains(&n) && !f.defined.iter().any(|d| d == n) {
                f.defined.push(n.to_string());
            }
        }
    };
    for s in elf.dynsyms.iter() {
        note(elf.dynstrtab.get_at(s.st_name), s.st_shndx);
    }
    for s in elf.syms.iter() {
        note(elf.strtab.get_at(s.st_name), s.st_shndx);
    }
    Ok(f)
}

/// Parse `data` as ELF. Malformed input gives an error message; a panic inside the parser
/// is caught and reported the same way.
pub fn parse(data: &[u8], wanted: &[&str]) -> Result<ElfFacts, String> {
    match std::panic::catch_unwind(|| extract(data, wanted)) {
        Ok(r) => r,
        Err(_) => Err("the ELF parser failed on this file".into()),
    }
}
