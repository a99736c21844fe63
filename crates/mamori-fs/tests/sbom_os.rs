//! OS package databases (dpkg, rpm, apk) and os-release, checked against the real tools:
//! `dpkg-query` on the same status file, `rpm -qa` on a database `rpm` itself wrote, and an
//! Alpine `installed` file read by inspection. Malformed inputs give warnings naming the
//! file, never a panic.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::sbom::apk::ApkDetector;
use mamori_fs::sbom::distro::attach_distros;
use mamori_fs::sbom::dpkg::DpkgDetector;
use mamori_fs::sbom::osrelease::OsReleaseDetector;
use mamori_fs::sbom::rpm::RpmDetector;
use mamori_fs::{collect, Detector, FileInfo, Output, Progress, ScanOptions};
use mamori_model::purl::Purl;
use mamori_model::Component;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sbom");

#[path = "common/tools.rs"]
mod tools;
use tools::command;

/// Run a detector on bytes as the file at `path`; it must want the file.
fn run(d: &dyn Detector, path: &str, data: &[u8]) -> Output {
    let name = path.rsplit('/').next().unwrap_or(path);
    let f = FileInfo {
        path,
        name,
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    let mut out = Output::default();
    assert!(
        d.wants(&f, &data[..data.len().min(mamori_fs::HEAD_LEN)]),
        "{} does not want {path}",
        d.name()
    );
    d.detect(&f, data, &mut out);
    out
}

fn components(o: &Output) -> Vec<&Component> {
    o.components.iter().map(|c| &c.component).collect()
}

// ---------------------------------------------------------------------------------------
// dpkg

/// One installed package as dpkg-query reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct DpkgTruth {
    name: String,
    arch: String,
    version: String,
    source: String,
    source_version: String,
    depends: String,
}

/// `dpkg-query -W` on a copy of `status` (so both read the same bytes): installed packages
/// (state installed / triggers-pending / triggers-awaited).
fn dpkg_query(status: &[u8]) -> Vec<DpkgTruth> {
    let admin = tempfile::tempdir().unwrap();
    std::fs::write(admin.path().join("status"), status).unwrap();
    std::fs::create_dir_all(admin.path().join("updates")).unwrap();
    let out = command(
        Command::new("dpkg-query")
            .arg(format!("--admindir={}", admin.path().display()))
            .arg("-W")
            .arg("-f")
            .arg("${db:Status-Status}\\t${Package}\\t${Architecture}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Pre-Depends}, ${Depends}\\n"),
        "dpkg",
    );
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "dpkg-query line {l:?}");
            matches!(f[0], "installed" | "triggers-pending" | "triggers-awaited").then(|| {
                DpkgTruth {
                    name: f[1].into(),
                    arch: f[2].into(),
                    version: f[3].into(),
                    source: f[4].into(),
                    source_version: f[5].into(),
                    depends: f[6].into(),
                }
            })
        })
        .collect()
}

/// Compares the detector's view of `status` with dpkg-query's, package by package.
fn check_dpkg_against_dpkg_query(status: &[u8], label: &str) {
    let truth = dpkg_query(status);
    assert!(truth.len() > 50, "{label}: only {} packages", truth.len());

    let t0 = Instant::now();
    let out = run(&DpkgDetector, "/var/lib/dpkg/status", status);
    let took = t0.elapsed();
    eprintln!(
        "{label}: {} packages parsed in {took:?}",
        out.components.len()
    );
    assert!(took.as_millis() < 1000, "{label}: {took:?}");
    assert!(out.warnings.is_empty(), "{label}: {:?}", out.warnings);

    let comps = components(&out);
    assert_eq!(comps.len(), truth.len(), "{label}: package count");
    let by_key: HashMap<(String, String), &Component> = comps
        .iter()
        .map(|c| {
            let p = Purl::parse(&c.purl).unwrap();
            let arch = p.qualifiers.get("arch").cloned().unwrap_or_default();
            ((c.name.clone(), arch), *c)
        })
        .collect();
    assert_eq!(by_key.len(), truth.len(), "{label}: duplicate name/arch");
    let installed: BTreeSet<&str> = truth.iter().map(|t| t.name.as_str()).collect();
    let purl_of: HashMap<&str, String> = truth
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                by_key[&(t.name.clone(), t.arch.clone())].purl.clone(),
            )
        })
        .collect();
    let mut edges = 0;
    for t in &truth {
        let c = by_key
            .get(&(t.name.clone(), t.arch.clone()))
            .unwrap_or_else(|| panic!("{label}: {}:{} missing", t.name, t.arch));
        assert_eq!(c.version.as_deref(), Some(t.version.as_str()), "{}", t.name);
        assert_eq!(c.ecosystem, "Debian");
        let s = c.source.as_ref().expect("source package");
        assert_eq!(s.name, t.source, "{} source name", t.name);
        assert_eq!(s.version, t.source_version, "{} source version", t.name);
        let mut q = BTreeMap::new();
        q.insert("arch".to_string(), t.arch.clone());
        if t.source != t.name {
            q.insert("upstream".to_string(), t.source.clone());
        }
        let want = Purl::new("deb", Some("debian"), &t.name, Some(&t.version), q, None).unwrap();
        assert_eq!(c.purl, want.to_string());
        // Every dependency group whose first alternative is installed by name is an edge.
        for group in t.depends.split(',') {
            let first = group.split('|').next().unwrap_or("").trim();
            let name = first
                .split(|ch: char| ch.is_whitespace() || ch == '(' || ch == ':')
                .next()
                .unwrap_or("");
            if name.is_empty() || name == t.name || !installed.contains(name) {
                continue;
            }
            assert!(
                c.dependencies.contains(&purl_of[name]),
                "{label}: {} should depend on {name}: {:?}",
                t.name,
                c.dependencies
            );
            edges += 1;
        }
        // And every edge points at an installed package of the same file.
        for d in &c.dependencies {
            assert!(
                purl_of.values().any(|p| p == d),
                "{label}: dangling edge {d}"
            );
        }
    }
    assert!(edges > truth.len(), "{label}: only {edges} edges checked");
}

#[test]
fn dpkg_bookworm_rootfs_matches_dpkg_query() {
    let status = std::fs::read(format!("{FIXTURES}/dpkg/status")).unwrap();
    check_dpkg_against_dpkg_query(&status, "bookworm rootfs");
    // Spot checks against the fixture text: binNMU source version, source with another name.
    let out = run(&DpkgDetector, "rootfs/var/lib/dpkg/status", &status);
    let bash = out
        .components
        .iter()
        .find(|c| c.component.name == "bash")
        .unwrap();
    assert_eq!(bash.component.version.as_deref(), Some("5.2.15-2+b13"));
    assert_eq!(bash.component.source.as_ref().unwrap().version, "5.2.15-2");
    assert_eq!(bash.occurrence.location.path, "rootfs/var/lib/dpkg/status");
    let line = bash.occurrence.location.line.unwrap() as usize;
    let text = String::from_utf8_lossy(&status);
    assert_eq!(text.lines().nth(line - 1), Some("Package: bash"));
}

#[test]
fn dpkg_this_machine_matches_dpkg_query() {
    // A snapshot, so that dpkg-query and the detector read the same bytes even while
    // packages are being installed.
    let status = std::fs::read("/var/lib/dpkg/status")
        .expect("/var/lib/dpkg/status: the tests run on Debian (Debian package dpkg)");
    check_dpkg_against_dpkg_query(&status, "this machine");
}

/// Stanzas of the fixture for these packages, without their Status line: what distroless
/// images ship in `var/lib/dpkg/status.d/<package>`.
fn distroless_stanzas(names: &[&str]) -> Vec<(String, String)> {
    let status = std::fs::read_to_string(format!("{FIXTURES}/dpkg/status")).unwrap();
    let mut out = Vec::new();
    for stanza in status.split("\n\n") {
        let Some(name) = stanza.lines().find_map(|l| l.strip_prefix("Package: ")) else {
            continue;
        };
        if names.contains(&name) {
            let body: Vec<&str> = stanza
                .lines()
                .filter(|l| !l.starts_with("Status:"))
                .collect();
            out.push((name.to_string(), body.join("\n") + "\n"));
        }
    }
    out
}

#[test]
fn dpkg_distroless_status_d_through_the_walker() {
    let names = ["base-files", "libc6", "libgcc-s1", "gcc-12-base", "zlib1g"];
    let stanzas = distroless_stanzas(&names);
    assert_eq!(stanzas.len(), names.len());
    let truth = dpkg_query(&std::fs::read(format!("{FIXTURES}/dpkg/status")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let sd = dir.path().join("var/lib/dpkg/status.d");
    std::fs::create_dir_all(&sd).unwrap();
    std::fs::create_dir_all(dir.path().join("etc")).unwrap();
    std::fs::write(
        dir.path().join("etc/os-release"),
        "PRETTY_NAME=\"Distroless\"\nID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    for (name, body) in &stanzas {
        std::fs::write(sd.join(name), body).unwrap();
        std::fs::write(sd.join(format!("{name}.md5sums")), "00  usr/x\n").unwrap();
    }
    let mut got = collect(dir.path(), &ScanOptions::default(), &Progress::default());
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert_eq!(got.distros.len(), 1);
    assert_eq!(got.components.len(), names.len());
    attach_distros(&mut got.components, &got.distros);
    for c in &got.components {
        let c = &c.component;
        let t = truth.iter().find(|t| t.name == c.name).unwrap();
        assert_eq!(c.version.as_deref(), Some(t.version.as_str()));
        assert_eq!(c.source.as_ref().unwrap().name, t.source);
        assert_eq!(c.source.as_ref().unwrap().version, t.source_version);
        assert_eq!(c.distro.as_deref(), Some("Debian:12"));
        assert!(
            c.purl.starts_with(&format!("pkg:deb/debian/{}@", c.name))
                && c.purl.contains("distro=debian-12"),
            "{}",
            c.purl
        );
    }
}

#[test]
fn dpkg_broken_stanzas_are_warnings_naming_the_file() {
    let status = std::fs::read_to_string(format!("{FIXTURES}/dpkg/status")).unwrap();
    // Damage it: a stanza without Package, one without Version, a line that is no field,
    // a stanza cut in the middle of a field name at the end.
    let mut bad = String::new();
    bad.push_str("Status: install ok installed\nVersion: 1\n\n");
    bad.push_str("Package: nover\nStatus: install ok installed\nArchitecture: amd64\n\n");
    bad.push_str(&status);
    bad.push_str(
        "\nPackage: junk\nStatus: install ok installed\nthis is not a field\nVersion: 2\n\nPack",
    );
    let out = run(&DpkgDetector, "/img/var/lib/dpkg/status", bad.as_bytes());
    let truth = dpkg_query(status.as_bytes());
    // The good packages are all there, plus `junk` (which has its Version).
    assert_eq!(out.components.len(), truth.len() + 1);
    assert_eq!(out.warnings.len(), 4, "{:?}", out.warnings);
    for w in &out.warnings {
        assert_eq!(w.path, "/img/var/lib/dpkg/status");
    }
    let all: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    let all = all.join("\n");
    assert!(all.contains("no Package field"), "{all}");
    assert!(
        all.contains("\"nover\"") && all.contains("no Version"),
        "{all}"
    );
    assert!(all.contains("not a field"), "{all}");
}

// ---------------------------------------------------------------------------------------
// rpm

/// Builds two packages with rpmbuild (one with an Epoch, one requiring it) and installs
/// them into a fresh SQLite rpm database. Returns (tempdir, db path).
fn make_rpmdb() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("alpha.spec"),
        "Name: mamori-alpha\nVersion: 1.2.3\nRelease: 4.fx1\nEpoch: 2\nSummary: alpha\n\
         License: MIT\nBuildArch: noarch\n%description\nalpha\n%files\n",
    )
    .unwrap();
    std::fs::write(
        d.join("beta.spec"),
        "Name: mamori-beta\nVersion: 0.9\nRelease: 1\nSummary: beta\n\
         License: Apache-2.0 OR MIT\nRequires: mamori-alpha >= 2:1.0\n%description\nbeta\n%files\n",
    )
    .unwrap();
    let top = format!("_topdir {}", d.join("top").display());
    for spec in ["alpha.spec", "beta.spec"] {
        command(
            Command::new("rpmbuild")
                .arg("--define")
                .arg(&top)
                .arg("-bb")
                .arg(d.join(spec)),
            "rpm",
        );
    }
    let db = d.join("db");
    std::fs::create_dir_all(&db).unwrap();
    let dbpath = db.display().to_string();
    command(
        Command::new("rpm").args([
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            &dbpath,
            "--initdb",
        ]),
        "rpm",
    );
    let mut rpms: Vec<std::path::PathBuf> = Vec::new();
    for sub in ["noarch", "x86_64", "aarch64"] {
        if let Ok(rd) = std::fs::read_dir(d.join("top/RPMS").join(sub)) {
            rpms.extend(rd.flatten().map(|e| e.path()));
        }
    }
    assert_eq!(rpms.len(), 2, "rpmbuild made {rpms:?}");
    command(
        Command::new("rpm")
            .args(["--define", "_db_backend sqlite", "--dbpath", &dbpath])
            .args(["-i", "--justdb", "--nodeps"])
            .args(&rpms),
        "rpm",
    );
    let file = db.join("rpmdb.sqlite");
    assert!(file.exists(), "rpm did not write an SQLite database");
    (dir, file)
}

#[test]
fn rpm_database_matches_rpm_qa() {
    let (_dir, db) = make_rpmdb();
    let dbpath = db.parent().unwrap().display().to_string();
    let qa = command(
        Command::new("rpm").args([
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            &dbpath,
            "-qa",
            "--qf",
            "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{LICENSE}\\t%{SOURCERPM}\\t[%{REQUIRENAME},]\\n",
        ]),
        "rpm",
    );
    let data = std::fs::read(&db).unwrap();
    let out = run(&RpmDetector, "/var/lib/rpm/rpmdb.sqlite", &data);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let comps = components(&out);
    let lines: Vec<&str> = qa.lines().collect();
    assert_eq!(comps.len(), lines.len());
    assert_eq!(comps.len(), 2);
    let by_name: HashMap<&str, &Component> = comps.iter().map(|c| (c.name.as_str(), *c)).collect();
    for l in &lines {
        let f: Vec<&str> = l.split('\t').collect();
        let (name, epoch, ver, rel, arch, lic, srpm, reqs) =
            (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
        let c = by_name[name];
        let evr = if epoch == "(none)" {
            format!("{ver}-{rel}")
        } else {
            format!("{epoch}:{ver}-{rel}")
        };
        assert_eq!(c.version.as_deref(), Some(evr.as_str()));
        assert_eq!(c.license.as_deref(), Some(lic));
        assert_eq!(c.ecosystem, "Red Hat");
        let mut q = BTreeMap::new();
        q.insert("arch".to_string(), arch.to_string());
        if epoch != "(none)" {
            q.insert("epoch".to_string(), epoch.to_string());
        }
        let want = Purl::new(
            "rpm",
            Some("redhat"),
            name,
            Some(&format!("{ver}-{rel}")),
            q,
            None,
        )
        .unwrap();
        assert_eq!(c.purl, want.to_string());
        // Source: from the SOURCERPM file name rpm reports.
        let s = c.source.as_ref().unwrap();
        let base = srpm.strip_suffix(".src.rpm").unwrap();
        assert_eq!(
            format!("{}-{}", s.name, s.version.rsplit(':').next().unwrap()),
            base
        );
        // Requires on another installed package become edges.
        for r in reqs.split(',').filter(|r| !r.is_empty()) {
            if let Some(dep) = by_name.get(r) {
                assert!(c.dependencies.contains(&dep.purl), "{name} -> {r}");
            }
        }
    }
    assert_eq!(
        by_name["mamori-beta"].dependencies,
        [by_name["mamori-alpha"].purl.clone()]
    );
    assert_eq!(
        by_name["mamori-alpha"].purl,
        "pkg:rpm/redhat/mamori-alpha@1.2.3-4.fx1?arch=noarch&epoch=2"
    );
}

#[test]
fn rpm_garbage_and_truncated_headers_are_warnings() {
    let (_dir, db) = make_rpmdb();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let real: Vec<u8> = conn
            .query_row("SELECT blob FROM Packages ORDER BY hnum LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        conn.execute(
            "INSERT INTO Packages (blob) VALUES (?1)",
            [b"garbage!".to_vec()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO Packages (blob) VALUES (?1)",
            [real[..real.len() / 2].to_vec()],
        )
        .unwrap();
        let mut lying = real.clone();
        lying[0..4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [lying])
            .unwrap();
    }
    let data = std::fs::read(&db).unwrap();
    let out = run(&RpmDetector, "/var/lib/rpm/rpmdb.sqlite", &data);
    assert_eq!(out.components.len(), 2, "the good packages are still read");
    assert_eq!(out.warnings.len(), 3, "{:?}", out.warnings);
    assert!(out
        .warnings
        .iter()
        .all(|w| w.path == "/var/lib/rpm/rpmdb.sqlite"));

    // Not a database at all, and a database cut short.
    let out = run(
        &RpmDetector,
        "/var/lib/rpm/rpmdb.sqlite",
        b"SQLite format 3\0 but then nothing",
    );
    assert_eq!(out.warnings.len(), 1);
    let out = run(
        &RpmDetector,
        "/var/lib/rpm/rpmdb.sqlite",
        &data[..data.len() / 3],
    );
    assert!(!out.warnings.is_empty());
    assert!(out.components.len() <= 2);
}

// ---------------------------------------------------------------------------------------
// apk

#[test]
fn apk_installed_fixture() {
    let data = std::fs::read(format!("{FIXTURES}/apk/installed")).unwrap();
    let out = run(&ApkDetector, "/lib/apk/db/installed", &data);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    // `grep -c '^P:' installed` = 26.
    assert_eq!(out.components.len(), 26);
    let by: HashMap<&str, &Component> = components(&out)
        .into_iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    let purl = |n: &str| by[n].purl.clone();
    assert_eq!(purl("musl"), "pkg:apk/alpine/musl@1.2.2-r3?arch=armv7");
    let ssl = by["libssl1.1"];
    assert_eq!(ssl.version.as_deref(), Some("1.1.1k-r0"));
    assert_eq!(ssl.ecosystem, "Alpine");
    assert_eq!(ssl.license.as_deref(), Some("OpenSSL"));
    let src = ssl.source.as_ref().unwrap();
    assert_eq!(
        (src.name.as_str(), src.version.as_str()),
        ("openssl", "1.1.1k-r0")
    );
    // C:Q1okgvkw9n0m1RVQHuH+ZUWw9s3HU= ; `echo okgv…HU= | base64 -d | xxd -p`.
    assert_eq!(ssl.hashes.len(), 1);
    assert_eq!(ssl.hashes[0].alg, "SHA-1");
    assert_eq!(
        ssl.hashes[0].value,
        "a2482f930f67d26d515501ee1fe6545b0f6cdc75"
    );
    // D:so:libc.musl-armv7.so.1 so:libcrypto.so.1.1
    assert_eq!(ssl.dependencies, [purl("musl"), purl("libcrypto1.1")]);
    // D:musl>=1.2 so:libc.musl-armv7.so.1 so:libcrypto.so.1.1 so:libssl.so.1.1 so:libz.so.1
    assert_eq!(
        by["apk-tools"].dependencies,
        [
            purl("musl"),
            purl("libcrypto1.1"),
            purl("libssl1.1"),
            purl("zlib")
        ]
    );
    // D:/bin/sh so:libc.musl-armv7.so.1 — /bin/sh is provided by busybox.
    assert_eq!(
        by["alpine-baselayout"].dependencies,
        [purl("busybox"), purl("musl")]
    );
    // D:!vlan so:libc.musl-armv7.so.1 — the conflict is no dependency.
    assert_eq!(by["ifupdown-ng"].dependencies, [purl("musl")]);
    // D:ifupdown-any /bin/sh so:libc.musl-armv7.so.1
    assert_eq!(
        by["openrc"].dependencies,
        [purl("ifupdown-ng"), purl("busybox"), purl("musl")]
    );
    // No D: line.
    assert!(by["alpine-keys"].dependencies.is_empty());
    assert_eq!(
        by["libretls"].license.as_deref(),
        Some("ISC AND (BSD-3-Clause OR MIT)")
    );
}

#[test]
fn apk_rootfs_with_os_release_through_the_walker() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("alpine-rootfs");
    std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(
        format!("{FIXTURES}/apk/installed"),
        root.join("lib/apk/db/installed"),
    )
    .unwrap();
    std::fs::copy(
        format!("{FIXTURES}/apk/os-release"),
        root.join("etc/os-release"),
    )
    .unwrap();
    let mut got = collect(dir.path(), &ScanOptions::default(), &Progress::default());
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert_eq!(got.distros.len(), 1);
    let d = &got.distros[0];
    assert_eq!(Path::new(&d.root), root.as_path());
    assert_eq!(d.id, "alpine");
    assert_eq!(d.version_id, "3.14.0");
    assert_eq!(d.pretty_name, "Alpine Linux v3.14");
    assert_eq!(d.osv_ecosystem.as_deref(), Some("Alpine:v3.14"));
    assert_eq!(got.components.len(), 26);
    attach_distros(&mut got.components, &got.distros);
    let musl = got
        .components
        .iter()
        .find(|c| c.component.name == "musl")
        .unwrap();
    assert_eq!(
        musl.component.purl,
        "pkg:apk/alpine/musl@1.2.2-r3?arch=armv7&distro=alpine-3.14.0"
    );
    assert_eq!(musl.component.distro.as_deref(), Some("Alpine:v3.14"));
    let ssl = got
        .components
        .iter()
        .find(|c| c.component.name == "libssl1.1")
        .unwrap();
    assert!(ssl.component.dependencies.contains(&musl.component.purl));
}

#[test]
fn apk_broken_blocks_are_warnings() {
    let data = std::fs::read(format!("{FIXTURES}/apk/installed")).unwrap();
    let mut bad = b"V:1.0\n\nthis is not apk\nP:half\n\n".to_vec();
    bad.extend_from_slice(&data[..data.len() / 2]);
    let out = run(&ApkDetector, "/lib/apk/db/installed", &bad);
    assert!(out.warnings.len() >= 2, "{:?}", out.warnings);
    assert!(out
        .warnings
        .iter()
        .all(|w| w.path == "/lib/apk/db/installed"));
    assert!(out.components.len() >= 10);
}

// ---------------------------------------------------------------------------------------
// os-release

#[test]
fn os_release_of_this_machine_as_the_shell_reads_it() {
    let text =
        std::fs::read("/etc/os-release").expect("/etc/os-release (Debian package base-files)");
    let sh = command(
        Command::new("sh").args([
            "-c",
            ". /etc/os-release; printf '%s\\n%s\\n%s\\n' \"$ID\" \"$VERSION_ID\" \"$PRETTY_NAME\"",
        ]),
        "dash",
    );
    let mut l = sh.lines();
    let (id, vid, pretty) = (l.next().unwrap(), l.next().unwrap(), l.next().unwrap());
    let out = run(&OsReleaseDetector, "/etc/os-release", &text);
    assert_eq!(out.distros.len(), 1);
    let d = &out.distros[0];
    assert_eq!(
        (d.id.as_str(), d.version_id.as_str(), d.pretty_name.as_str()),
        (id, vid, pretty)
    );
    assert_eq!(d.root, "/");
    if id == "debian" && !vid.is_empty() {
        assert_eq!(
            d.osv_ecosystem,
            Some(format!("Debian:{}", vid.split('.').next().unwrap()))
        );
    }
}

// ---------------------------------------------------------------------------------------
// Garbage everywhere

#[test]
fn garbage_under_every_name_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut noise = vec![0u8; 64 << 10];
    for b in noise.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        *b = seed as u8;
    }
    let dpkg = std::fs::read(format!("{FIXTURES}/dpkg/status")).unwrap();
    let apk = std::fs::read(format!("{FIXTURES}/apk/installed")).unwrap();
    let dets: [(&dyn Detector, &str); 5] = [
        (&DpkgDetector, "/var/lib/dpkg/status"),
        (&DpkgDetector, "/var/lib/dpkg/status.d/x"),
        (&ApkDetector, "/lib/apk/db/installed"),
        (&OsReleaseDetector, "/etc/os-release"),
        (&OsReleaseDetector, "/usr/lib/os-release"),
    ];
    for (d, path) in dets {
        for input in [
            &noise[..],
            &noise[..7],
            b"",
            &dpkg[..dpkg.len() / 3],
            &apk[..1000],
        ] {
            let _ = run(d, path, input);
        }
        // Real text with bytes flipped through it.
        for src in [&dpkg, &apk] {
            let mut m = src.clone();
            for i in (0..m.len()).step_by(97) {
                m[i] = noise[i % noise.len()];
            }
            let _ = run(d, path, &m);
        }
    }
    let mut fake = b"SQLite format 3\0".to_vec();
    fake.extend_from_slice(&noise[..8192]);
    let out = run(&RpmDetector, "/var/lib/rpm/rpmdb.sqlite", &fake);
    assert_eq!(out.warnings.len(), 1);
}
