//! Tests on real binaries: programs built here with gcc and go, and the system's own
//! OpenSSL. A missing tool fails the test naming the Debian package that provides it.

use super::*;
use crate::detect::{FileInfo, Output};
use mamori_model::CryptoStatus;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::testutil::command as run;

fn scan_bytes(path: &str, data: &[u8]) -> Output {
    crate::config::testutil::run(&BinaryDetector, path, data, None)
}

fn scan(path: &Path) -> Output {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scan_bytes(&path.to_string_lossy(), &data)
}

fn libs_of(out: &Output) -> Vec<(String, String, Option<String>)> {
    out.observations
        .iter()
        .filter_map(|o| {
            let l = o.asset.library.as_ref()?;
            Some((
                o.asset.id.clone(),
                l.linkage.clone(),
                o.occurrence.context.clone(),
            ))
        })
        .collect()
}

/// The OpenSSL version the system's `openssl` reports (e.g. `3.0.19`), and its full text.
fn system_openssl() -> (String, String) {
    let v = run(Command::new("openssl").args(["version"]), "openssl");
    // "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)"
    let lib_text = v
        .split("(Library: ")
        .nth(1)
        .map(|s| s.trim().trim_end_matches(')').to_string())
        .unwrap_or_else(|| v.trim().to_string());
    let version = lib_text
        .split_whitespace()
        .nth(1)
        .expect("version")
        .to_string();
    (version, lib_text)
}

fn series_of(version: &str) -> String {
    // OpenSSL's soname series: 3.x for 3.*, 1.1.x for 1.1.*
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("1"), Some(m)) => format!("1.{m}.x"),
        (Some(major), _) => format!("{major}.x"),
        _ => panic!("odd version {version}"),
    }
}

const C_PROGRAM: &str = r#"
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
int main(void) {
    unsigned char md[EVP_MAX_MD_SIZE]; unsigned int n = 0;
    EVP_Digest("abc", 3, md, &n, EVP_sha256(), NULL);
    printf("%s %s %u\n", OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION), n);
    return 0;
}
"#;

fn build_c(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let src = dir.join("prog.c");
    std::fs::write(&src, C_PROGRAM).unwrap();
    let exe = dir.join(name);
    let mut cmd = Command::new("gcc");
    cmd.arg(&src).arg("-o").arg(&exe).args(extra);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("gcc not runnable ({e}): install the Debian package gcc"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("openssl/evp.h"),
        "OpenSSL headers missing: install the Debian package libssl-dev\n{err}"
    );
    assert!(
        out.status.success(),
        "gcc failed (libssl-dev installed?):\n{err}"
    );
    exe
}

#[test]
fn c_program_linked_with_libcrypto() {
    let (version, text) = system_openssl();
    let dir = tempfile::tempdir().unwrap();
    let exe = build_c(dir.path(), "dyn", &["-lcrypto"]);
    let out = scan(&exe);
    let libs = libs_of(&out);
    let want = format!("lib:OpenSSL@{}", series_of(&version));
    let dynamic: Vec<_> = libs
        .iter()
        .filter(|l| l.0 == want && l.1 == "dynamic")
        .collect();
    assert_eq!(dynamic.len(), 1, "{libs:?}");
    let ctx = dynamic[0].2.as_deref().unwrap();
    assert!(ctx.starts_with("NEEDED libcrypto.so."), "{ctx}");
    // The header's version text is compiled in: it says what the program was built against,
    // and does not make OpenSSL a static copy.
    assert!(ctx.contains(&format!("built against \"{text}\"")), "{ctx}");
    assert!(libs.iter().all(|l| l.1 != "static"), "{libs:?}");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn c_program_linked_statically_with_libcrypto() {
    let (version, text) = system_openssl();
    let dir = tempfile::tempdir().unwrap();
    let exe = build_c(
        dir.path(),
        "static",
        &["-static", "-Wl,-Bstatic", "-lcrypto", "-lpthread", "-ldl"],
    );
    let out = scan(&exe);
    let libs = libs_of(&out);
    let id = format!("lib:OpenSSL@{version}");
    let st: Vec<_> = out
        .observations
        .iter()
        .filter(|o| o.asset.id == id)
        .collect();
    assert_eq!(st.len(), 1, "{libs:?}");
    assert_eq!(st[0].asset.library.as_ref().unwrap().linkage, "static");
    assert_eq!(
        st[0].occurrence.context.as_deref(),
        Some(format!("version string \"{text}\"").as_str())
    );
    // The offset points at the string.
    let data = std::fs::read(&exe).unwrap();
    let off = st[0].occurrence.location.offset.unwrap() as usize;
    assert!(data[off..].starts_with(text.as_bytes()));
    assert!(libs.iter().all(|l| l.1 != "dynamic"), "{libs:?}");
}

#[test]
fn system_openssl_binary_library_and_provider() {
    let (version, text) = system_openssl();
    // The openssl command: two dependencies on OpenSSL, no static copy.
    let which = run(
        Command::new("sh").args(["-c", "command -v openssl"]),
        "openssl",
    );
    let out = scan(Path::new(which.trim()));
    let libs = libs_of(&out);
    let series = format!("lib:OpenSSL@{}", series_of(&version));
    let needed: Vec<_> = libs
        .iter()
        .filter(|l| l.0 == series && l.2.as_deref().is_some_and(|c| c.starts_with("NEEDED ")))
        .collect();
    assert!(needed.len() >= 2, "libssl and libcrypto: {libs:?}");
    assert!(libs.iter().all(|l| l.1 != "static"), "{libs:?}");

    // The library itself: exact version from its version string.
    let gcc = run(
        Command::new("gcc").arg("-print-file-name=libcrypto.so.3"),
        "gcc",
    );
    let lib = PathBuf::from(gcc.trim());
    assert!(
        lib.is_absolute(),
        "libcrypto.so.3 not found: install the Debian package libssl3"
    );
    let out = scan(&lib);
    let own: Vec<_> = out
        .observations
        .iter()
        .filter(|o| o.asset.id == format!("lib:OpenSSL@{version}"))
        .collect();
    assert_eq!(own.len(), 1, "{:?}", libs_of(&out));
    let ctx = own[0].occurrence.context.as_deref().unwrap();
    assert!(
        ctx.starts_with("shared library SONAME libcrypto.so.3"),
        "{ctx}"
    );
    assert!(ctx.contains(&text), "{ctx}");
    assert!(own[0].occurrence.location.offset.is_some());

    // The legacy provider module.
    let dirs = run(Command::new("openssl").args(["version", "-m"]), "openssl");
    let modules = dirs
        .split('"')
        .nth(1)
        .expect("MODULESDIR in `openssl version -m`");
    let legacy = Path::new(modules).join("legacy.so");
    assert!(
        legacy.exists(),
        "{}: install the Debian package libssl3",
        legacy.display()
    );
    let out = scan(&legacy);
    let ids: Vec<_> = out
        .observations
        .iter()
        .map(|o| o.asset.id.clone())
        .collect();
    assert!(
        ids.contains(&format!("lib:OpenSSL legacy provider@{version}")),
        "{ids:?}"
    );
}

const GO_MAIN: &str = r#"package main

import (
	"crypto/des"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"golang.org/x/crypto/blowfish"
)

func main() {
	c, err := des.NewCipher([]byte("8bytekey"))
	fmt.Println(c, err, md5.Sum([]byte("x")))
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	fmt.Println(k != nil, err)
	b, err := blowfish.NewCipher([]byte("key"))
	fmt.Println(b, err)
}
"#;

/// A STAND-IN for golang.org/x/crypto/blowfish, built from a local directory through a
/// `replace` directive (no network here): the toolchain still records the real module
/// path and the required version in the build info, which is what is tested.
const GO_STUB: &str = r#"package blowfish

type Cipher struct{ k []byte }

func NewCipher(key []byte) (*Cipher, error) { return &Cipher{k: key}, nil }
"#;

#[test]
fn go_binary_built_here() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let goversion = run(Command::new("go").args(["env", "GOVERSION"]), "golang-go");
    let goversion = goversion.trim().to_string();
    std::fs::create_dir_all(d.join("app")).unwrap();
    std::fs::create_dir_all(d.join("xcrypto/blowfish")).unwrap();
    std::fs::write(
        d.join("app/go.mod"),
        "module example.com/app\n\ngo 1.19\n\nrequire golang.org/x/crypto v0.21.0\n\nreplace golang.org/x/crypto v0.21.0 => ../xcrypto\n",
    )
    .unwrap();
    std::fs::write(d.join("app/main.go"), GO_MAIN).unwrap();
    std::fs::write(
        d.join("xcrypto/go.mod"),
        "module golang.org/x/crypto\n\ngo 1.19\n",
    )
    .unwrap();
    std::fs::write(d.join("xcrypto/blowfish/blowfish.go"), GO_STUB).unwrap();
    let exe = d.join("app/app");
    run(
        Command::new("go")
            .args(["build", "-trimpath", "-o"])
            .arg(&exe)
            .arg(".")
            .current_dir(d.join("app"))
            .env("GOCACHE", d.join("cache"))
            .env("GOPATH", d.join("gopath"))
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local"),
        "golang-go",
    );
    // Also strip symbols: the function table survives.
    let stripped = d.join("app/stripped");
    std::fs::copy(&exe, &stripped).unwrap();
    run(Command::new("strip").arg(&stripped), "binutils");

    // A software-only scan reads them (their Go note is in the head); it skips C programs
    // and this Rust test binary.
    for path in [&exe, &stripped] {
        let head = std::fs::read(path).unwrap();
        assert_eq!(
            super::may_be_go(&head[..4096]),
            Some(true),
            "{}",
            path.display()
        );
    }
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(super::may_be_go(&me[..4096]), Some(false));
    let c = build_c(d, "plain", &["-lcrypto"]);
    let c = std::fs::read(c).unwrap();
    assert_eq!(super::may_be_go(&c[..4096.min(c.len())]), Some(false));

    for path in [&exe, &stripped] {
        let out = scan(path);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let ids: Vec<&str> = out
            .observations
            .iter()
            .map(|o| o.asset.id.as_str())
            .collect();
        let go = out
            .observations
            .iter()
            .find(|o| o.asset.id == format!("lib:Go crypto@{goversion}"))
            .unwrap_or_else(|| panic!("{ids:?}"));
        assert_eq!(go.asset.name, format!("Go crypto ({goversion})"));
        assert_eq!(go.asset.library.as_ref().unwrap().linkage, "go-stdlib");
        let ctx = go.occurrence.context.as_deref().unwrap();
        assert!(
            ctx.contains("crypto/des") && ctx.contains("crypto/rsa"),
            "{ctx}"
        );
        let x = out
            .observations
            .iter()
            .find(|o| o.asset.id == "lib:golang.org/x/crypto@v0.21.0")
            .unwrap_or_else(|| panic!("{ids:?}"));
        assert_eq!(x.asset.library.as_ref().unwrap().linkage, "module");
        assert!(x
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .contains("replaced by ../xcrypto"));
        for alg in ["alg:DES", "alg:MD5", "alg:RSA", "alg:Blowfish"] {
            assert!(ids.contains(&alg), "{alg} missing: {ids:?}");
        }
        // Not used: no 3DES, RC4 or ML-KEM (this program does not link crypto/tls).
        for alg in ["alg:3DES", "alg:RC4", "alg:ML-KEM-768"] {
            assert!(!ids.contains(&alg), "{alg} reported: {ids:?}");
        }
        let des = out
            .observations
            .iter()
            .find(|o| o.asset.id == "alg:DES")
            .unwrap();
        assert_eq!(des.asset.status(), CryptoStatus::Broken);
        let data = std::fs::read(path).unwrap();
        let off = des.occurrence.location.offset.unwrap() as usize;
        assert!(data[off..].starts_with(b"crypto/des."));
    }
}

#[test]
fn garbage_and_truncated_elf_warn_without_panic() {
    let which = run(
        Command::new("sh").args(["-c", "command -v openssl"]),
        "openssl",
    );
    let data = std::fs::read(which.trim()).unwrap();
    for n in [64usize, 100, 1000, data.len() / 2] {
        let out = scan_bytes("/cut/openssl", &data[..n]);
        if n <= 1000 {
            assert!(
                out.warnings
                    .iter()
                    .any(|w| w.message.starts_with("malformed ELF")),
                "cut at {n}: {:?}",
                out.warnings
            );
        }
    }
    // ELF magic followed by noise; every header field corrupted in turn.
    let mut junk = b"\x7fELF\x02\x01\x01".to_vec();
    junk.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    let out = scan_bytes("/junk", &junk);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "/junk");
    let head = &data[..data.len().min(4096)];
    for i in 4..64 {
        let mut d = head.to_vec();
        d[i] ^= 0xff;
        let _ = scan_bytes("/flip", &d);
    }
    // A Go header cut short in a file that is not otherwise ELF-valid.
    let mut g = b"\x7fELF".to_vec();
    g.resize(64, 0);
    g.extend_from_slice(golang::MAGIC);
    g.extend_from_slice(&[8, 2, 0, 0]);
    let out = scan_bytes("/gocut", &g);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("Go build info")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn wants_only_executables() {
    let f = FileInfo {
        path: "/x",
        name: "x",
        size: 10,
        container: None,
        fs: None,
    };
    let d = BinaryDetector;
    assert!(d.wants(&f, b"\x7fELF\x02\x01"));
    assert!(d.wants(&f, b"\xcf\xfa\xed\xfe rest"));
    assert!(!d.wants(&f, b"\x7fEL"));
    assert!(!d.wants(&f, b"PK\x03\x04"));
    assert!(!d.wants(&f, b"\xca\xfe\xba\xbe"));
    assert!(!d.wants(&f, b"MZ short"));
}

#[test]
fn algorithm_names_resolve() {
    for n in ["RSA", "DSA", "EC", "ECDH", "DiffieHellman"] {
        let a = algorithm_asset(n).unwrap_or_else(|| panic!("{n}"));
        assert_eq!(a.status(), CryptoStatus::QuantumVulnerable, "{n}");
    }
    assert_eq!(algorithm_asset("DES").unwrap().id, "alg:DES");
    assert_eq!(algorithm_asset("AES").unwrap().id, "alg:AES");
    assert_eq!(algorithm_asset("AES-256").unwrap().id, "alg:AES-256");
    assert!(algorithm_asset("no-such").is_none());
    let l = library_asset("OpenSSL", Some("3.0.19"), "static");
    assert_eq!(
        (l.id.as_str(), l.name.as_str()),
        ("lib:OpenSSL@3.0.19", "OpenSSL 3.0.19")
    );
    assert_eq!(library_asset("NSS", None, "dynamic").id, "lib:NSS@?");
}
