//! OpenSSH `sshd_config` and `ssh_config` (and their `*.d/*.conf` drop-ins).
//!
//! The effective `KexAlgorithms`, `Ciphers`, `MACs`, `HostKeyAlgorithms`,
//! `PubkeyAcceptedAlgorithms` (`PubkeyAcceptedKeyTypes`), `CASignatureAlgorithms` and
//! `HostbasedAcceptedAlgorithms` are computed as OpenSSH does: the first value outside a
//! `Match` (or a `Host` other than `*`) wins, `Include` is followed in place (through
//! [`FileInfo::fs`]), and `+`/`-`/`^` lists modify OpenSSH 9.2's compiled-in defaults
//! ([`mamori_algorithms::ssh::openssh_defaults`]). A keyword never set is reported with the
//! defaults, located at the main file. Values inside `Match` blocks are reported too, at their
//! line, with the block in the context. `HostKey` paths are listed in the context of a
//! warning-free observation of nothing: the key files themselves are found by the key detector.

use super::{alg_asset, dirname, Sink};
use crate::detect::{Detector, FileInfo, Output, ReadOther};
use mamori_algorithms::ssh::{self, SshCategory};

/// The OpenSSH client and server configuration detector.
pub struct SshConfigDetector;

const MAX_INCLUDE_DEPTH: u32 = 16;

/// Which list a keyword sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshList {
    /// `KexAlgorithms`.
    Kex,
    /// `Ciphers`.
    Ciphers,
    /// `MACs`.
    Macs,
    /// `HostKeyAlgorithms`.
    HostKey,
    /// `PubkeyAcceptedAlgorithms` / `PubkeyAcceptedKeyTypes`.
    Pubkey,
    /// `CASignatureAlgorithms`.
    CaSignature,
    /// `HostbasedAcceptedAlgorithms` / `HostbasedAcceptedKeyTypes`.
    Hostbased,
}

impl SshList {
    const ALL: [SshList; 7] = [
        SshList::Kex,
        SshList::Ciphers,
        SshList::Macs,
        SshList::HostKey,
        SshList::Pubkey,
        SshList::CaSignature,
        SshList::Hostbased,
    ];
    fn of(keyword: &str) -> Option<SshList> {
        Some(match keyword {
            "kexalgorithms" => SshList::Kex,
            "ciphers" => SshList::Ciphers,
            "macs" => SshList::Macs,
            "hostkeyalgorithms" => SshList::HostKey,
            "pubkeyacceptedalgorithms" | "pubkeyacceptedkeytypes" => SshList::Pubkey,
            "casignaturealgorithms" => SshList::CaSignature,
            "hostbasedacceptedalgorithms" | "hostbasedacceptedkeytypes" => SshList::Hostbased,
            _ => return None,
        })
    }
    fn keyword(self) -> &'static str {
        match self {
            SshList::Kex => "KexAlgorithms",
            SshList::Ciphers => "Ciphers",
            SshList::Macs => "MACs",
            SshList::HostKey => "HostKeyAlgorithms",
            SshList::Pubkey => "PubkeyAcceptedAlgorithms",
            SshList::CaSignature => "CASignatureAlgorithms",
            SshList::Hostbased => "HostbasedAcceptedAlgorithms",
        }
    }
    fn category(self) -> SshCategory {
        match self {
            SshList::Kex => SshCategory::Kex,
            SshList::Ciphers => SshCategory::Cipher,
            SshList::Macs => SshCategory::Mac,
            _ => SshCategory::HostKey,
        }
    }
    /// (default, all supported) for this list.
    fn lists(self) -> (Vec<String>, &'static [String]) {
        let d = ssh::openssh_defaults();
        match self {
            SshList::Kex => (d.kex.clone(), &d.kex_all),
            SshList::Ciphers => (d.ciphers.clone(), &d.ciphers_all),
            SshList::Macs => (d.macs.clone(), &d.macs_all),
            SshList::CaSignature => (
                d.hostkey
                    .iter()
                    .filter(|h| !h.contains("-cert-"))
                    .cloned()
                    .collect(),
                &d.hostkey_all,
            ),
            _ => (d.hostkey.clone(), &d.hostkey_all),
        }
    }
}

/// One directive as read, with where it was.
#[derive(Debug, Clone)]
pub struct Directive {
    /// File it is in.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The line as written.
    pub text: String,
    /// Keyword, lowercase.
    pub keyword: String,
    /// Value.
    pub value: String,
    /// The `Match` / `Host` block it is in, when conditional.
    pub block: Option<String>,
}

/// Everything read from a configuration and its includes.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Directives in order.
    pub directives: Vec<Directive>,
    /// Problems (file, message).
    pub problems: Vec<(String, String)>,
}

fn split_keyword(line: &str) -> Option<(String, String)> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let end = t
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(t.len());
    let kw = t.get(..end)?.to_ascii_lowercase();
    let rest = t.get(end..).unwrap_or("").trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    // A trailing comment after the value.
    let rest = match rest.find(" #") {
        Some(i) => rest.get(..i).unwrap_or(rest).trim(),
        None => rest,
    };
    let rest = rest.trim_matches('"');
    Some((kw, rest.to_string()))
}

/// Parse `data` (the file at `path`), following `Include` through `fs`.
pub fn parse(data: &[u8], path: &str, fs: Option<&dyn ReadOther>, client: bool) -> Parsed {
    let mut p = Parsed::default();
    let mut block = None;
    // Relative Include paths are relative to the main file's directory (/etc/ssh).
    let base = dirname(path).to_string();
    let env = Env {
        base: &base,
        fs,
        client,
    };
    parse_into(&mut p, data, path, &env, 0, &mut block);
    p
}

struct Env<'a> {
    base: &'a str,
    fs: Option<&'a dyn ReadOther>,
    client: bool,
}

fn parse_into(
    p: &mut Parsed,
    data: &[u8],
    path: &str,
    env: &Env<'_>,
    depth: u32,
    block: &mut Option<String>,
) {
    let (base, fs, client) = (env.base, env.fs, env.client);
    let text = String::from_utf8_lossy(data);
    for (i, line) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let Some((kw, value)) = split_keyword(line) else {
            continue;
        };
        match kw.as_str() {
            "match" => {
                *block = if value.eq_ignore_ascii_case("all") {
                    None
                } else {
                    Some(format!("Match {value}"))
                };
                continue;
            }
            "host" if client => {
                *block = if value.split_whitespace().any(|h| h == "*") {
                    None
                } else {
                    Some(format!("Host {value}"))
                };
                continue;
            }
            "include" => {
                if depth >= MAX_INCLUDE_DEPTH {
                    p.problems
                        .push((path.into(), format!("line {ln}: Include nested too deeply")));
                    continue;
                }
                let Some(fs) = fs else {
                    p.problems.push((
                        path.into(),
                        format!("line {ln}: Include {value} not followed (tree not readable here)"),
                    ));
                    continue;
                };
                for pat in value.split_whitespace() {
                    let pat = if pat.starts_with('/') {
                        pat.to_string()
                    } else if let Some(rest) = pat.strip_prefix("~/") {
                        format!("{base}/{rest}")
                    } else {
                        format!("{base}/{pat}")
                    };
                    let files = if pat.contains(['*', '?', '[']) {
                        fs.glob(&pat)
                    } else {
                        vec![pat.clone()]
                    };
                    for f in files {
                        match fs.read(&f, 1 << 20) {
                            Some(d) => {
                                let mut b = block.clone();
                                parse_into(p, &d, &f, env, depth + 1, &mut b);
                                // sshd: an included file's Match does not leak out.
                                if !client {
                                    continue;
                                }
                                *block = b;
                            }
                            None if !pat.contains(['*', '?', '[']) => p
                                .problems
                                .push((path.into(), format!("line {ln}: cannot read Include {f}"))),
                            None => {}
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        p.directives.push(Directive {
            path: path.to_string(),
            line: ln,
            text: line.to_string(),
            keyword: kw,
            value,
            block: block.clone(),
        });
    }
}

/// The effective list for each keyword: (list, directive that set it, or `None` = default).
pub fn effective(p: &Parsed) -> Vec<(SshList, Vec<String>, Option<&Directive>)> {
    SshList::ALL
        .iter()
        .map(|&l| {
            let (def, all) = l.lists();
            let d = p
                .directives
                .iter()
                .find(|d| d.block.is_none() && SshList::of(&d.keyword) == Some(l));
            match d {
                Some(d) => (l, ssh::assemble_list(&d.value, &def, all), Some(d)),
                None => (l, def, None),
            }
        })
        .collect()
}

fn props(l: SshList, name: &str) -> Option<mamori_model::AlgorithmProps> {
    match ssh::lookup_in(l.category(), name).or_else(|| ssh::lookup(name)) {
        Some(a) if !a.is_algorithm() => None,
        Some(a) => Some(a.props()),
        None => Some(ssh::unknown_props(name, l.category())),
    }
}

fn is_main(name: &str) -> Option<bool> {
    match name {
        "sshd_config" => Some(false),
        "ssh_config" => Some(true),
        _ => None,
    }
}

fn is_dropin(path: &str) -> Option<bool> {
    if !path.ends_with(".conf") {
        return None;
    }
    if path.contains("/sshd_config.d/") {
        Some(false)
    } else if path.contains("/ssh_config.d/") {
        Some(true)
    } else {
        None
    }
}

impl Detector for SshConfigDetector {
    fn name(&self) -> &'static str {
        "config.ssh"
    }
    fn wants(&self, f: &FileInfo<'_>, _head: &[u8]) -> bool {
        // Drop-ins are read through the main file's Include where the tree is readable.
        is_main(f.name).is_some() || (is_dropin(f.path).is_some() && f.fs.is_none())
    }
    fn max_size(&self) -> u64 {
        1 << 20
    }
    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let main = is_main(f.name);
        let Some(client) = main.or_else(|| is_dropin(f.path)) else {
            return;
        };
        let parsed = parse(data, f.path, f.fs, client);
        emit(f, &parsed, out, self.name(), main.is_some());
    }
}

/// Report what `parsed` configures; with `defaults_when_unset`, keywords never set are
/// reported with OpenSSH's defaults, located at the file.
pub(crate) fn emit(
    f: &FileInfo<'_>,
    parsed: &Parsed,
    out: &mut Output,
    detector: &'static str,
    defaults_when_unset: bool,
) {
    let mut sink = Sink {
        file: f,
        out,
        detector,
    };
    for (file, msg) in &parsed.problems {
        sink.warn(format!("{file}: {msg}"));
    }
    for (list, names, by) in effective(parsed) {
        match by {
            Some(d) => {
                for n in &names {
                    if let Some(pr) = props(list, n) {
                        let mut loc = f.at_line(d.line);
                        loc.path = d.path.clone();
                        let ctx = Some(super::context(&d.text));
                        sink.out.observe(alg_asset(pr), loc, detector, ctx);
                    }
                }
            }
            None if defaults_when_unset => {
                let why = format!(
                    "{} not set: OpenSSH 9.2 default {}",
                    list.keyword(),
                    names.join(",")
                );
                for n in &names {
                    if let Some(pr) = props(list, n) {
                        sink.at(alg_asset(pr), 0, &why);
                    }
                }
            }
            None => {}
        }
    }
    // Conditional blocks: what they would select, at their lines.
    for d in parsed.directives.iter().filter(|d| d.block.is_some()) {
        let Some(list) = SshList::of(&d.keyword) else {
            continue;
        };
        let (def, all) = list.lists();
        for n in ssh::assemble_list(&d.value, &def, all) {
            if let Some(pr) = props(list, &n) {
                let mut loc = f.at_line(d.line);
                loc.path = d.path.clone();
                let ctx = Some(super::context(&format!(
                    "{}: {}",
                    d.block.as_deref().unwrap_or(""),
                    d.text.trim()
                )));
                sink.out.observe(alg_asset(pr), loc, detector, ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage};
    use mamori_model::CryptoStatus;
    use std::process::Command;

    struct MapFs(Vec<(String, Vec<u8>)>);
    impl ReadOther for MapFs {
        fn read(&self, path: &str, _limit: u64) -> Option<Vec<u8>> {
            self.0
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, d)| d.clone())
        }
        fn glob(&self, pattern: &str) -> Vec<String> {
            let (dir, pat) = pattern.rsplit_once('/').unwrap_or(("", pattern));
            let mut v: Vec<String> = self
                .0
                .iter()
                .filter(|(p, _)| {
                    p.rsplit_once('/')
                        .map(|(d, n)| d == dir && ssh::pattern_match(n, pat))
                        == Some(true)
                })
                .map(|(p, _)| p.clone())
                .collect();
            v.sort();
            v
        }
    }

    const WEAK: &str = "# weak server\nPort 22\nKexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1\nCiphers 3des-cbc,aes128-cbc\nMACs hmac-md5,hmac-sha1\nHostKeyAlgorithms +ssh-rsa,ssh-dss\nMatch User legacy\n  PubkeyAcceptedAlgorithms +ssh-dss-cert-v01@openssh.com\n";

    #[test]
    fn weak_sshd_is_reported_line_by_line() {
        let o = run(
            &SshConfigDetector,
            "/etc/ssh/sshd_config",
            WEAK.as_bytes(),
            None,
        );
        let got = ids(&o);
        for id in [
            "alg:diffie-hellman-group1-sha1",
            "alg:3des-cbc",
            "alg:hmac-md5",
            "alg:ssh-rsa",
            "alg:ssh-dss",
            "alg:ssh-dss-cert-v01@openssh.com",
            "alg:rsa-sha2-512",
            "alg:rsa-sha2-256-cert-v01@openssh.com",
        ] {
            assert!(got.contains(&id.to_string()), "{id} missing: {got:?}");
        }
        let dh1 = o
            .observations
            .iter()
            .find(|x| x.asset.id == "alg:diffie-hellman-group1-sha1")
            .unwrap();
        assert_eq!(dh1.occurrence.location.line, Some(3));
        assert_eq!(dh1.asset.status(), CryptoStatus::Broken);
        let dss = o
            .observations
            .iter()
            .find(|x| x.asset.id == "alg:ssh-dss-cert-v01@openssh.com")
            .unwrap();
        assert!(dss
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .starts_with("Match User legacy"));
        // Not set: PubkeyAcceptedAlgorithms defaults, at the file.
        assert!(o
            .observations
            .iter()
            .any(|x| x.occurrence.location.line.is_none()
                && x.occurrence
                    .context
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("PubkeyAcceptedAlgorithms not set")));
    }

    #[test]
    fn includes_are_followed_and_first_value_wins() {
        let fs = MapFs(vec![
            (
                "/etc/ssh/sshd_config.d/10-kex.conf".into(),
                b"KexAlgorithms -ecdh-sha2-*\n".to_vec(),
            ),
            (
                "/etc/ssh/sshd_config.d/20-kex.conf".into(),
                b"KexAlgorithms curve25519-sha256\nInclude extra/*.conf\n".to_vec(),
            ),
            (
                "/etc/ssh/extra/x.conf".into(),
                b"Ciphers aes256-gcm@openssh.com\n".to_vec(),
            ),
        ]);
        let main =
            b"Include /etc/ssh/sshd_config.d/*.conf\nKexAlgorithms diffie-hellman-group1-sha1\n";
        let p = parse(main, "/etc/ssh/sshd_config", Some(&fs), false);
        let eff = effective(&p);
        let (_, kex, by) = &eff[0];
        assert!(kex.iter().all(|k| !k.starts_with("ecdh-")), "{kex:?}");
        assert_eq!(by.unwrap().path, "/etc/ssh/sshd_config.d/10-kex.conf");
        let (_, ciphers, by) = &eff[1];
        assert_eq!(ciphers, &vec!["aes256-gcm@openssh.com".to_string()]);
        assert_eq!(by.unwrap().path, "/etc/ssh/extra/x.conf");
        // Without a readable tree the Include is reported, not followed.
        let o = run(&SshConfigDetector, "/etc/ssh/sshd_config", main, None);
        assert!(o
            .warnings
            .iter()
            .any(|w| w.message.contains("not followed")));
    }

    /// The effective lists equal what the real `sshd -T` prints (package openssh-server).
    #[test]
    fn effective_lists_match_real_sshd_t() {
        let sshd = "/usr/sbin/sshd";
        assert!(
            std::path::Path::new(sshd).exists(),
            "{sshd} missing: install the Debian package `openssh-server`"
        );
        // sshd -T refuses to run without its privilege-separation directory.
        if !std::path::Path::new("/run/sshd").exists() {
            std::fs::create_dir_all("/run/sshd")
                .expect("sshd -T needs /run/sshd: create it (mkdir /run/sshd) to run this test");
        }
        let dir = tempfile::tempdir().unwrap();
        let hk = dir.path().join("hostkey");
        let st = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&hk)
            .status()
            .expect("ssh-keygen missing: install the Debian package `openssh-client`");
        assert!(st.success());
        std::fs::create_dir_all(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/a.conf"), "MACs -*md5*,umac-64*\n").unwrap();
        for cfg in [
            WEAK.to_string(),
            "KexAlgorithms +diffie-hellman-group1-sha1\nCiphers ^3des-cbc\n".to_string(),
            "KexAlgorithms -*sha1,ecdh-sha2-nistp521\nMACs hmac-sha2-512\nMACs hmac-md5\n".to_string(),
            format!("Include {}/conf.d/*.conf\nCiphers aes128-ctr\n", dir.path().display()),
            "PubkeyAcceptedKeyTypes +ssh-rsa\nHostKeyAlgorithms ssh-ed25519\nCASignatureAlgorithms -rsa-*\n".to_string(),
        ] {
            let f = dir.path().join("sshd_config");
            std::fs::write(&f, &cfg).unwrap();
            let out = Command::new(sshd)
                .arg("-T")
                .arg("-f")
                .arg(&f)
                .arg("-h")
                .arg(&hk)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "sshd -T failed: {}", String::from_utf8_lossy(&out.stderr));
            let fs = crate::config::testutil::Disk;
            let p = parse(cfg.as_bytes(), &f.display().to_string(), Some(&fs), false);
            for (list, names, _) in effective(&p) {
                let key = list.keyword().to_ascii_lowercase();
                let theirs = text
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{key} ")))
                    .unwrap_or_else(|| panic!("sshd -T printed no {key}"));
                assert_eq!(names.join(","), theirs, "{key} for config:\n{cfg}");
            }
        }
    }

    #[test]
    fn debian_ssh_config_is_read() {
        let path = "/etc/ssh/ssh_config";
        let data =
            std::fs::read(path).expect("/etc/ssh/ssh_config missing: install openssh-client");
        let o = run(
            &SshConfigDetector,
            path,
            &data,
            Some(&crate::config::testutil::Disk),
        );
        assert!(
            ids(&o).contains(&"alg:curve25519-sha256".to_string()),
            "{:?}",
            ids(&o)
        );
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(&SshConfigDetector, "/etc/ssh/sshd_config", WEAK.as_bytes());
    }
}
