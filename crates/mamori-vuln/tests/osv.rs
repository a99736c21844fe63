//! The local OSV database on the real osv.dev dumps of crates.io, Go and
//! PyPI (`shared/data/osv/*/all.zip`): import counts, matching of known
//! advisories, re-import, corrupt inputs, withdrawn advisories.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_model::{Component, Severity, Vulnerability};
use mamori_vuln::db::{component_from_purl, VulnDb};
use std::io::Read;
use std::path::{Path, PathBuf};

const OSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/osv");
const ECOSYSTEMS: [&str; 3] = ["crates.io", "Go", "PyPI"];

fn zip_of(eco: &str) -> PathBuf {
    PathBuf::from(format!("{OSV}/{eco}/all.zip"))
}

fn all_zips() -> Vec<PathBuf> {
    ECOSYSTEMS.iter().map(|e| zip_of(e)).collect()
}

fn fresh_db() -> (tempfile::TempDir, VulnDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = VulnDb::open(&dir.path().join("vulndb.sqlite")).unwrap();
    let report = db.import(&all_zips()).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    (dir, db)
}

/// Entries in a zip, from its end-of-central-directory record (read here,
/// not with the importer's zip reader).
fn eocd_entries(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("end of central directory");
    u64::from(u16::from_le_bytes([bytes[at + 10], bytes[at + 11]]))
}

fn query(db: &VulnDb, purl: &str) -> Vec<Vulnerability> {
    let (v, w) = db.query_purl(purl).unwrap();
    assert!(w.is_empty(), "{purl}: {w:?}");
    v
}

fn find<'a>(vulns: &'a [Vulnerability], id: &str) -> Option<&'a Vulnerability> {
    vulns.iter().find(|v| v.id == id)
}

fn record_of(eco: &str, name: &str) -> Vec<u8> {
    let f = std::fs::File::open(zip_of(eco)).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut e = z.by_name(name).unwrap();
    let mut out = Vec::new();
    e.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn counts_per_ecosystem_equal_the_zip_entries() {
    let (_dir, db) = fresh_db();
    let status = db.status().unwrap();
    let mut total = 0;
    for eco in ECOSYSTEMS {
        let expected = eocd_entries(&zip_of(eco));
        let got = status
            .ecosystems
            .iter()
            .find(|s| s.ecosystem == eco)
            .unwrap_or_else(|| panic!("{eco} missing from {status:?}"));
        assert_eq!(got.advisories as u64, expected, "{eco}");
        assert!(
            got.packages > 0 && got.packages <= got.advisories * 4,
            "{got:?}"
        );
        assert!(got.newest_modified.is_some(), "{got:?}");
        total += expected;
    }
    assert_eq!(status.ecosystems.len(), 3, "{status:?}");
    assert_eq!(status.advisories as u64, total);
    assert!(status.withdrawn > 0, "the dumps hold withdrawn advisories");
    assert!(status.last_import.is_some());
}

#[test]
fn known_advisories_match() {
    let (_dir, db) = fresh_db();

    // RUSTSEC-2021-0003 (smallvec): [0.6.3, 0.6.14) and [1.0.0, 1.6.1).
    let v = query(&db, "pkg:cargo/smallvec@1.6.0");
    let hit = find(&v, "RUSTSEC-2021-0003").expect("smallvec 1.6.0");
    assert_eq!(hit.fixed.as_deref(), Some("1.6.1"));
    assert_eq!(hit.component, "pkg:cargo/smallvec@1.6.0");
    assert_eq!(hit.component_name, "smallvec");
    assert_eq!(hit.component_version, "1.6.0");
    assert!(hit.aliases.iter().any(|a| a == "CVE-2021-25900"), "{hit:?}");
    // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8.
    assert_eq!(hit.severity, Some(Severity::Critical));
    assert_eq!(hit.cvss.as_ref().map(|c| c.score), Some(9.8));
    assert!(find(&query(&db, "pkg:cargo/smallvec@1.6.1"), "RUSTSEC-2021-0003").is_none());
    let old = query(&db, "pkg:cargo/smallvec@0.6.13");
    assert_eq!(
        find(&old, "RUSTSEC-2021-0003").and_then(|v| v.fixed.as_deref()),
        Some("0.6.14")
    );
    assert!(find(&query(&db, "pkg:cargo/smallvec@0.6.2"), "RUSTSEC-2021-0003").is_none());

    // RUSTSEC-2026-0097 (rand, informational "unsound", no CVSS): rated info, as cargo
    // audit reports informational advisories as warnings.
    let v = query(&db, "pkg:cargo/rand@0.7.3");
    let hit = find(&v, "RUSTSEC-2026-0097").expect("rand 0.7.3");
    assert_eq!(
        (hit.severity, hit.cvss.is_none()),
        (Some(Severity::Info), true)
    );

    // GO-2021-0073 (git-lfs): fixed in a +incompatible pseudo-version.
    let v = query(
        &db,
        "pkg:golang/github.com/git-lfs/git-lfs@v2.1.0%2Bincompatible",
    );
    let hit = find(&v, "GO-2021-0073").expect("git-lfs v2.1.0+incompatible");
    assert_eq!(
        hit.fixed.as_deref(),
        Some("v2.1.1-0.20170519163204-f913f5f9c7c6+incompatible")
    );
    assert_eq!(hit.severity, None, "Go advisories carry no rating");
    for fixed in [
        "v2.1.1-0.20170519163204-f913f5f9c7c6%2Bincompatible",
        "v2.1.1%2Bincompatible",
    ] {
        let purl = format!("pkg:golang/github.com/git-lfs/git-lfs@{fixed}");
        assert!(find(&query(&db, &purl), "GO-2021-0073").is_none(), "{purl}");
    }
    // GO-2020-0004: a range between two pseudo-versions.
    let nano = "pkg:golang/github.com/nanobox-io/golang-nanoauth";
    assert!(find(
        &query(&db, &format!("{nano}@v0.0.0-20190101000000-abcdefabcdef")),
        "GO-2020-0004"
    )
    .is_some());
    assert!(find(
        &query(&db, &format!("{nano}@v0.0.0-20200131131040-063a3fb69896")),
        "GO-2020-0004"
    )
    .is_none());
    assert!(find(
        &query(&db, &format!("{nano}@v0.0.0-20160101000000-abcdefabcdef")),
        "GO-2020-0004"
    )
    .is_none());

    // PYSEC-2018-105 (borgbackup): [1.1.0b1, 1.1.3), PEP 440 pre-releases.
    for (ver, affected) in [
        ("1.1.0a9", false),
        ("1.1.0b1", true),
        ("1.1.0rc4", true),
        ("1.1.3rc1", true), // not listed in `versions`: the range decides
        ("1.1.3", false),
        ("1.2.0", false),
    ] {
        let v = query(&db, &format!("pkg:pypi/borgbackup@{ver}"));
        assert_eq!(find(&v, "PYSEC-2018-105").is_some(), affected, "{ver}");
    }

    // PYSEC-2022-42969 (py): the real data's `last_affected` (inclusive).
    for (ver, affected) in [
        ("1.10.0", true),
        ("1.11.0", true),
        ("1.11.0rc1", true), // not listed: the range decides
        ("1.11.1", false),
        ("2.0.0", false),
    ] {
        let v = query(&db, &format!("pkg:pypi/py@{ver}"));
        let hit = find(&v, "PYSEC-2022-42969");
        assert_eq!(hit.is_some(), affected, "py {ver}");
        if let Some(h) = hit {
            assert_eq!(h.fixed, None, "last_affected gives no fixed version");
        }
    }

    // PEP 503: OSV writes `jw.util`; components may write `JW_Util`.
    let c = Component::new(
        "pkg:pypi/jw-util@2.2",
        "JW_Util",
        Some("2.2".into()),
        "PyPI",
    );
    let (v, w) = db.query(&c);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        find(&v, "PYSEC-2020-341").and_then(|v| v.fixed.as_deref()),
        Some("2.3")
    );
}

#[test]
fn withdrawn_advisories_never_match() {
    let (_dir, db) = fresh_db();
    // RUSTSEC-2020-0053 (dirs, every version) was withdrawn.
    let adv = db.advisory("RUSTSEC-2020-0053").unwrap().expect("stored");
    assert!(adv.withdrawn.is_some());
    for ver in ["1.0.0", "2.0.2", "5.0.1"] {
        let v = query(&db, &format!("pkg:cargo/dirs@{ver}"));
        assert!(find(&v, "RUSTSEC-2020-0053").is_none(), "{ver}: {v:?}");
    }
}

#[test]
fn unreadable_versions_warn_and_do_not_match() {
    let (_dir, db) = fresh_db();
    let mut c = component_from_purl("pkg:cargo/smallvec@1.6.0").unwrap();
    c.version = Some("not-a-version".into());
    let (v, w) = db.match_components(&[c]);
    assert!(v.is_empty(), "{v:?}");
    assert!(
        w.iter().any(|w| w.message.contains("RUSTSEC-2021-0003")
            && w.message.contains("not-a-version")),
        "{w:?}"
    );
}

#[test]
fn reimport_is_idempotent_and_edits_update() {
    let (dir, mut db) = fresh_db();
    let total: u64 = ECOSYSTEMS.iter().map(|e| eocd_entries(&zip_of(e))).sum();
    let before = db.status().unwrap();

    let again = db.import(&all_zips()).unwrap();
    assert_eq!(again.unchanged as u64, total);
    assert_eq!((again.added, again.updated, again.skipped), (0, 0, 0));
    let after = db.status().unwrap();
    assert_eq!(before.ecosystems, after.ecosystems);

    // An edited record, modified later: replaces the stored one.
    let raw = record_of("crates.io", "RUSTSEC-2021-0003.json");
    let mut json: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    json["modified"] = "2099-01-01T00:00:00Z".into();
    json["summary"] = "edited summary".into();
    // Narrow the range: 1.6.0 is no longer affected, 1.5.0 still is.
    json["affected"][0]["ranges"][0]["events"] = serde_json::json!([
        {"introduced": "1.0.0"}, {"fixed": "1.5.1"}
    ]);
    let edits = dir.path().join("edits");
    std::fs::create_dir_all(edits.join("nested")).unwrap();
    std::fs::write(
        edits.join("nested/RUSTSEC-2021-0003.json"),
        serde_json::to_vec(&json).unwrap(),
    )
    .unwrap();
    // An older variant of another record: the stored one is kept.
    let raw = record_of("crates.io", "RUSTSEC-2019-0009.json");
    let mut old: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    old["modified"] = "2000-01-01T00:00:00Z".into();
    old["summary"] = "stale".into();
    std::fs::write(edits.join("old.json"), serde_json::to_vec(&old).unwrap()).unwrap();
    // A broken record: skipped with a warning naming its id and file.
    std::fs::write(
        edits.join("broken.json"),
        br#"{"id": "RUSTSEC-9999-0001", "affected": [ {"package": "#,
    )
    .unwrap();

    let r = db.import(&[edits]).unwrap();
    assert_eq!(
        (r.added, r.updated, r.older, r.skipped),
        (0, 1, 1, 1),
        "{r:?}"
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let w = &r.warnings[0];
    assert!(w.path.ends_with("broken.json"), "{w:?}");
    assert!(w.message.contains("RUSTSEC-9999-0001"), "{w:?}");

    assert!(find(&query(&db, "pkg:cargo/smallvec@1.6.0"), "RUSTSEC-2021-0003").is_none());
    let v = query(&db, "pkg:cargo/smallvec@1.5.0");
    let hit = find(&v, "RUSTSEC-2021-0003").expect("still affected");
    assert_eq!(hit.summary, "edited summary");
    assert_eq!(hit.fixed.as_deref(), Some("1.5.1"));
    let kept = db.advisory("RUSTSEC-2019-0009").unwrap().unwrap();
    assert_ne!(kept.summary, "stale");
    assert_eq!(db.status().unwrap().advisories as u64, total);
}

#[test]
fn a_corrupt_zip_in_the_middle_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vulndb.sqlite");
    let mut db = VulnDb::open(&path).unwrap();
    db.import(&[zip_of("PyPI")]).unwrap();
    let before = db.status().unwrap();

    // The crates.io dump cut in half: no central directory.
    let bytes = std::fs::read(zip_of("crates.io")).unwrap();
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let err = db
        .import(&[zip_of("crates.io"), bad.clone(), zip_of("Go")])
        .unwrap_err();
    assert!(err.to_string().contains("bad.zip"), "{err}");
    let after = db.status().unwrap();
    assert_eq!(before.ecosystems, after.ecosystems);
    assert_eq!(before.advisories, after.advisories);
    assert!(query(&db, "pkg:cargo/smallvec@1.6.0").is_empty());

    // A missing input: same.
    assert!(db
        .import(&[zip_of("Go"), dir.path().join("missing.zip")])
        .is_err());
    assert_eq!(db.status().unwrap().advisories, before.advisories);

    // Reopened, the file still holds only PyPI.
    drop(db);
    let db = VulnDb::open_existing(&path).unwrap();
    assert_eq!(db.status().unwrap().ecosystems, before.ecosystems);
    assert!(VulnDb::open_existing(&dir.path().join("none.sqlite")).is_err());
}

#[test]
fn match_components_fills_locations_and_dedups() {
    let (_dir, db) = fresh_db();
    let mut c = component_from_purl("pkg:cargo/smallvec@0.6.12").unwrap();
    c.occurrences.push(mamori_model::Occurrence {
        location: mamori_model::Location::file("app/Cargo.lock").with_line(42),
        detector: "sbom.cargo-lock".into(),
        context: None,
        package: None,
    });
    let (v, w) = db.match_components(&[c.clone(), c]);
    assert!(w.is_empty(), "{w:?}");
    // 0.6.12 is in RUSTSEC-2018-0018 (< 0.6.13) and RUSTSEC-2021-0003 (< 0.6.14).
    let mut ids: Vec<&str> = v.iter().map(|v| v.id.as_str()).collect();
    ids.sort_unstable();
    assert!(
        ids.contains(&"RUSTSEC-2018-0018") && ids.contains(&"RUSTSEC-2021-0003"),
        "{ids:?}"
    );
    let mut dedup = ids.clone();
    dedup.dedup();
    assert_eq!(ids, dedup, "one finding per advisory and component");
    assert!(v
        .iter()
        .all(|v| v.location.path == "app/Cargo.lock" && v.location.line == Some(42)));
}

/// The fast per-package index gives exactly the results of the reference
/// evaluator, on every package of the real dumps, for every version the
/// advisories name plus versions around them.
#[test]
fn package_index_agrees_with_the_reference_evaluator() {
    use mamori_vuln::eval::{CompiledAffected, PackageIndex};
    use std::collections::BTreeMap;
    let mut packages: BTreeMap<(String, String), Vec<CompiledAffected>> = BTreeMap::new();
    let mut probes: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for eco in ECOSYSTEMS {
        let f = std::fs::File::open(zip_of(eco)).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let mut buf = Vec::new();
            e.read_to_end(&mut buf).unwrap();
            let adv = mamori_vuln::osv::parse(&buf, &e.name().unwrap()).unwrap();
            for a in &adv.affected {
                let p = a.package.as_ref().unwrap();
                let key = (p.ecosystem.clone(), p.name.clone());
                let (c, bad) = CompiledAffected::compile(&p.ecosystem, a);
                assert!(bad.is_empty(), "{}: {bad:?}", adv.id);
                let pr = probes.entry(key.clone()).or_default();
                for r in &c.ranges {
                    for (_, v) in &r.events {
                        pr.push(v.clone());
                        pr.push(format!("{v}.1"));
                        pr.push(format!("{v}-rc1"));
                    }
                }
                pr.extend(c.versions.iter().take(3).cloned());
                packages.entry(key).or_default().push(c);
            }
        }
    }
    let mut checked = 0usize;
    for ((eco, name), entries) in &packages {
        let index = PackageIndex::new(eco, entries.clone());
        let mut pr = probes
            .get(&(eco.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        pr.sort();
        pr.dedup();
        // At most 40 probes per package (evenly spread) keep this test quick
        // on packages with hundreds of advisories (Go `stdlib`).
        let step = pr.len().div_ceil(40).max(1);
        let mut pr: Vec<String> = pr.into_iter().step_by(step).collect();
        pr.extend(["0.0.1", "1.0.0", "99999.0.0", "0"].map(String::from));
        for v in pr {
            let v = if eco == "Go" { format!("v{v}") } else { v };
            let fast = index.evaluate_all(&v);
            for (e, got) in entries.iter().zip(&fast) {
                assert_eq!(*got, e.evaluate(eco, &v), "{eco} {name} {v}");
                checked += 1;
            }
        }
    }
    assert!(checked > 50_000, "{checked}");
}

/// Red Hat files advisories per repository of a release (`Red Hat:enterprise_linux:9::appstream`,
/// as osv.dev publishes its RHSA records); an installed package does not say which repository
/// it came from, so a package of the release is matched against all of them, never against
/// another release's.
#[test]
fn red_hat_packages_match_every_repository_of_their_release() {
    let dir = tempfile::tempdir().unwrap();
    let recs = dir.path().join("osv");
    std::fs::create_dir_all(&recs).unwrap();
    let record = |id: &str, eco: &str, fixed: &str| {
        serde_json::json!({
            "schema_version": "1.6.0",
            "id": id,
            "modified": "2024-01-23T12:00:00Z",
            "published": "2024-01-23T12:00:00Z",
            "summary": "Moderate: openssl security update",
            "upstream": ["CVE-2023-5678"],
            "affected": [{
                "package": {"ecosystem": eco, "name": "openssl",
                            "purl": "pkg:rpm/redhat/openssl"},
                "ranges": [{"type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": fixed}]}]
            }]
        })
    };
    for (id, eco, fixed) in [
        (
            "RHSA-2024:0310",
            "Red Hat:enterprise_linux:9::appstream",
            "1:3.0.7-25.el9_3",
        ),
        (
            "RHSA-2024:0500",
            "Red Hat:enterprise_linux:9::baseos",
            "1:3.0.7-26.el9_3",
        ),
        (
            "RHSA-2024:0154",
            "Red Hat:enterprise_linux:8::baseos",
            "1:1.1.1k-12.el8_9",
        ),
    ] {
        let f = recs.join(format!("{}.json", id.replace(':', "_")));
        std::fs::write(f, serde_json::to_vec(&record(id, eco, fixed)).unwrap()).unwrap();
    }
    let mut db = VulnDb::open(&dir.path().join("v.sqlite")).unwrap();
    let r = db.import(&[recs]).unwrap();
    assert_eq!(r.added, 3, "{r:?}");
    let libs = |version: &str| {
        let mut c = Component::new(
            format!("pkg:rpm/redhat/openssl-libs@{version}?arch=x86_64&epoch=1"),
            "openssl-libs",
            Some(format!("1:{version}")),
            "Red Hat",
        );
        c.distro = Some("Red Hat:enterprise_linux:9".into());
        c.source = Some(mamori_model::SourcePackage {
            name: "openssl".into(),
            version: format!("1:{version}"),
        });
        c
    };
    let (v, w) = db.match_components(&[libs("3.0.7-24.el9")]);
    assert!(w.is_empty(), "{w:?}");
    let ids: Vec<&str> = v.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["RHSA-2024:0310", "RHSA-2024:0500"]);
    assert_eq!(v[0].fixed.as_deref(), Some("1:3.0.7-25.el9_3"));
    let (v, _) = db.match_components(&[libs("3.0.7-25.el9_3")]);
    let ids: Vec<&str> = v.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["RHSA-2024:0500"]);
}

/// Debian advisories name the source package and the release (`Debian:12`), as the Debian
/// Security Tracker's OSV records do: a binary package (libssl3) is matched through its
/// source package (openssl) in its own release only, with dpkg's version order (`~deb12u1`).
#[test]
fn debian_packages_match_by_source_package_and_release() {
    let dir = tempfile::tempdir().unwrap();
    let recs = dir.path().join("osv");
    std::fs::create_dir_all(&recs).unwrap();
    for (id, eco, fixed) in [
        ("DSA-5678-1", "Debian:12", "3.0.13-1~deb12u1"),
        ("DLA-3942-1", "Debian:11", "1.1.1w-0+deb11u2"),
    ] {
        let rec = serde_json::json!({
            "id": id,
            "modified": "2024-04-01T00:00:00Z",
            "published": "2024-04-01T00:00:00Z",
            "summary": "openssl - security update",
            "aliases": ["CVE-2024-0727"],
            "affected": [{
                "package": {"ecosystem": eco, "name": "openssl"},
                "ranges": [{"type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": fixed}]}]
            }]
        });
        std::fs::write(recs.join(format!("{id}.json")), rec.to_string()).unwrap();
    }
    let mut db = VulnDb::open(&dir.path().join("v.sqlite")).unwrap();
    assert_eq!(db.import(&[recs]).unwrap().added, 2);
    let libssl3 = |version: &str| {
        let mut c = Component::new(
            format!(
                "pkg:deb/debian/libssl3@{version}?arch=amd64&distro=debian-12&upstream=openssl"
            ),
            "libssl3",
            Some(version.to_string()),
            "Debian",
        );
        c.distro = Some("Debian:12".into());
        c.source = Some(mamori_model::SourcePackage {
            name: "openssl".into(),
            version: version.to_string(),
        });
        c
    };
    let (v, w) = db.match_components(&[libssl3("3.0.11-1~deb12u2")]);
    assert!(w.is_empty(), "{w:?}");
    let ids: Vec<&str> = v.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["DSA-5678-1"]);
    assert_eq!(v[0].component_name, "libssl3");
    assert_eq!(v[0].fixed.as_deref(), Some("3.0.13-1~deb12u1"));
    // The fixed version, and a later point release, are not affected.
    for fixed in ["3.0.13-1~deb12u1", "3.0.15-1~deb12u1"] {
        assert!(
            db.match_components(&[libssl3(fixed)]).0.is_empty(),
            "{fixed}"
        );
    }
    // The same purl through `vulndb query`.
    let v = query(
        &db,
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
    );
    assert_eq!(v.len(), 1);
}
