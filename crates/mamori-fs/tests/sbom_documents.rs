//! SBOM documents given as targets: SPDX 2.3 and CycloneDX JSON read as software components.
//!
//! Real third-party documents (made by npm, and the SPDX project's own 2.3 example, see
//! tests/fixtures/sbom/spdx/README.md), mamori's own output read back, malformed documents.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::cyclonedx::CycloneDxDetector;
use mamori_fs::sbom::spdx::SpdxDetector;
use mamori_fs::{Detector, FileInfo, Output};
use mamori_model::{Component, Hash, ScanResult, SourcePackage};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom/spdx")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(det: &dyn Detector, name: &str, data: &[u8]) -> Output {
    let f = FileInfo {
        path: name,
        name,
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    let head = &data[..data.len().min(mamori_fs::HEAD_LEN)];
    assert!(det.wants(&f, head), "{} wants {name}", det.name());
    let mut out = Output::default();
    det.detect(&f, data, &mut out);
    out
}

/// Components by purl (the first observation of each), without occurrences.
fn components(out: &Output) -> Vec<Component> {
    let mut v: Vec<Component> = Vec::new();
    for o in &out.components {
        if v.iter().all(|c| c.purl != o.component.purl) {
            let mut c = o.component.clone();
            c.occurrences.clear();
            c.dependencies.sort();
            v.push(c);
        }
    }
    v.sort_by(|a, b| a.purl.cmp(&b.purl));
    v
}

fn get<'a>(cs: &'a [Component], purl: &str) -> &'a Component {
    cs.iter().find(|c| c.purl == purl).unwrap_or_else(|| {
        panic!(
            "no {purl} in {:#?}",
            cs.iter().map(|c| &c.purl).collect::<Vec<_>>()
        )
    })
}

const IS_SHA512: &str = "b74f6f48ddcc75fb32087a057134421ff894b46ece2740ac8f307c72302629cfef6bf90881e0c8fd3c6c8a0767704ff86deef7e26d1cbc863035a5788b65ea03";

/// What npm's SPDX and CycloneDX documents of the fixture project both say.
fn check_npm_project(cs: &[Component]) {
    // The project itself and the 4 packages `npm ls --all` lists.
    assert_eq!(cs.len(), 5, "{cs:#?}");
    let root = get(cs, "pkg:npm/mamori-sbom-fixture@1.0.0");
    let mut root_deps = root.dependencies.clone();
    root_deps.sort();
    assert_eq!(
        root_deps,
        [
            "pkg:npm/%40sindresorhus/is@4.6.0",
            "pkg:npm/debug@4.3.4",
            "pkg:npm/is-number@7.0.0"
        ]
    );
    assert_eq!(root.direct, None);
    let is = get(cs, "pkg:npm/%40sindresorhus/is@4.6.0");
    assert_eq!(is.name, "@sindresorhus/is");
    assert_eq!(is.version.as_deref(), Some("4.6.0"));
    assert_eq!(is.ecosystem, "npm");
    assert_eq!(is.license.as_deref(), Some("MIT"));
    assert_eq!(
        is.hashes,
        [Hash {
            alg: "SHA-512".into(),
            value: IS_SHA512.into()
        }]
    );
    assert_eq!(is.direct, Some(true));
    assert!(!is.dev);
    let debug = get(cs, "pkg:npm/debug@4.3.4");
    assert_eq!(debug.dependencies, ["pkg:npm/ms@2.1.2"]);
    assert_eq!(debug.direct, Some(true));
    let ms = get(cs, "pkg:npm/ms@2.1.2");
    assert_eq!(ms.direct, Some(false));
    assert!(!ms.dev);
    let isnum = get(cs, "pkg:npm/is-number@7.0.0");
    assert!(isnum.dev, "is-number is a devDependency");
    assert_eq!(isnum.direct, Some(true));
}

#[test]
fn npm_spdx_document() {
    let out = run(
        &SpdxDetector,
        "npm-sbom.spdx.json",
        &fixture("npm-sbom.spdx.json"),
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    check_npm_project(&components(&out));
    let o = &out.components[0].occurrence;
    assert_eq!(o.detector, "spdx");
    assert_eq!(o.location.path, "npm-sbom.spdx.json");
}

#[test]
fn npm_cyclonedx_document() {
    let out = run(
        &CycloneDxDetector,
        "npm-bom.cdx.json",
        &fixture("npm-bom.cdx.json"),
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.observations.is_empty(), "no crypto assets in it");
    check_npm_project(&components(&out));
    assert_eq!(out.components[0].occurrence.detector, "cyclonedx");
}

#[test]
fn spdx_project_example_23() {
    let out = run(
        &SpdxDetector,
        "SPDXJSONExample-v2.3.spdx.json",
        &fixture("SPDXJSONExample-v2.3.spdx.json"),
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let cs = components(&out);
    // 4 packages: glibc, Apache Commons Lang, Jena (the only one with a purl), Saxon.
    // Generic purls keep the case of the name (purl-spec: the generic type is case-sensitive).
    assert_eq!(cs.len(), 4, "{cs:#?}");
    let jena = get(&cs, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
    assert_eq!(jena.name, "org.apache.jena:apache-jena");
    assert_eq!(jena.ecosystem, "Maven");
    assert_eq!(jena.license, None, "NOASSERTION is no license");
    let glibc = get(&cs, "pkg:generic/glibc@2.11.1");
    assert_eq!(glibc.ecosystem, "");
    assert_eq!(
        glibc.license.as_deref(),
        Some("(LGPL-2.0-only AND LicenseRef-3)")
    );
    let algs: Vec<&str> = glibc.hashes.iter().map(|h| h.alg.as_str()).collect();
    assert_eq!(algs, ["MD5", "SHA-1", "SHA-256", "BLAKE2b-384"]);
    assert_eq!(
        glibc.hashes[2].value,
        "11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd"
    );
    let saxon = get(&cs, "pkg:generic/Saxon@8.8");
    assert_eq!(saxon.name, "Saxon");
    assert_eq!(saxon.license.as_deref(), Some("MPL-1.0"));
    assert_eq!(
        saxon.hashes[0].value,
        "85ed0817af83a24ad8da68c2b5094de69833983c"
    );
    // Packages without a purl say so.
    let note = out
        .components
        .iter()
        .find(|o| o.component.purl == "pkg:generic/glibc@2.11.1")
        .and_then(|o| o.occurrence.context.clone())
        .unwrap();
    assert!(
        note.contains("SPDXRef-Package") && note.contains("no purl"),
        "{note}"
    );
    // DYNAMIC_LINK and CONTAINS are not dependency edges.
    assert!(cs.iter().all(|c| c.dependencies.is_empty()));
}

/// Components as mamori's detectors and the post-walk steps make them.
fn sample() -> Vec<Component> {
    let mut time = Component::new(
        "pkg:cargo/time@0.1.43",
        "time",
        Some("0.1.43".into()),
        "crates.io",
    );
    time.direct = Some(true);
    time.license = Some("MIT/Apache-2.0".into());
    time.hashes = vec![Hash {
        alg: "SHA-256".into(),
        value: "ca8a50ef2360fbd1eeb0ecd46795a87a19024eb4b53c5dc916ca1fd95fe62438".into(),
    }];
    time.dependencies = vec!["pkg:cargo/libc@0.2.153".into()];
    let mut libc = Component::new(
        "pkg:cargo/libc@0.2.153",
        "libc",
        Some("0.2.153".into()),
        "crates.io",
    );
    libc.direct = Some(false);
    libc.license = Some("MIT OR Apache-2.0".into());
    let mut app = Component::new(
        "pkg:cargo/myapp@0.1.0",
        "myapp",
        Some("0.1.0".into()),
        "crates.io",
    );
    app.dependencies = vec!["pkg:cargo/time@0.1.43".into()];
    let mut zope = Component::new(
        "pkg:pypi/zope-interface@6.1",
        "zope.interface",
        Some("6.1".into()),
        "PyPI",
    );
    zope.dev = true;
    zope.license = Some("ZPL-2.1".into());
    let net = Component::new(
        "pkg:golang/golang.org/x/net@v0.17.0",
        "golang.org/x/net",
        Some("v0.17.0".into()),
        "Go",
    );
    let log4j = Component::new(
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
        "org.apache.logging.log4j:log4j-core",
        Some("2.17.1".into()),
        "Maven",
    );
    let mut ssl = Component::new(
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        "libssl3",
        Some("3.0.11-1~deb12u2".into()),
        "Debian",
    );
    ssl.distro = Some("Debian:12".into());
    ssl.source = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.0.11-1~deb12u2".into(),
    });
    let mut musl = Component::new(
        "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
        "musl",
        Some("1.2.5-r0".into()),
        "Alpine",
    );
    musl.distro = Some("Alpine:v3.20".into());
    musl.license = Some("MIT".into());
    // The Go standard library, as the Go binary detector writes it (a purl without the
    // namespace the purl type definition asks for: see `mamori_fs::sbom::golang::purl`).
    let stdlib = Component::new(
        mamori_fs::sbom::golang::purl("stdlib", Some("1.22.5")).unwrap(),
        "stdlib",
        Some("1.22.5".into()),
        "Go",
    );
    // An rpm with an epoch, as the rpm detector writes it: epoch qualifier, `E:V-R` version.
    let mut rpm = Component::new(
        "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1",
        "openssl-libs",
        Some("1:3.0.7-27.el9".into()),
        "Red Hat",
    );
    rpm.source = Some(SourcePackage {
        name: "openssl".into(),
        version: "1:3.0.7-27.el9".into(),
    });
    let mut v = vec![time, libc, app, zope, net, log4j, ssl, musl, stdlib, rpm];
    for c in &mut v {
        c.occurrences = vec![mamori_model::Occurrence {
            location: mamori_model::Location::file("proj/lock").with_line(3),
            detector: "sbom.test".into(),
            context: None,
            package: None,
        }];
    }
    v
}

fn scan(cs: Vec<Component>) -> ScanResult {
    ScanResult {
        targets: vec!["proj".into()],
        components: cs,
        ..Default::default()
    }
}

fn without_occurrences(mut cs: Vec<Component>) -> Vec<Component> {
    for c in &mut cs {
        c.occurrences.clear();
        c.dependencies.sort();
    }
    cs.sort_by(|a, b| a.purl.cmp(&b.purl));
    cs
}

#[test]
fn mamori_cyclonedx_reads_back_the_same_components() {
    let want = without_occurrences(sample());
    let bom = mamori_report::cyclonedx(&scan(sample()), "0.1.0");
    let data = serde_json::to_vec_pretty(&bom).unwrap();
    let out = run(&CycloneDxDetector, "scan.cdx.json", &data);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(components(&out), want);
    // Each seen where mamori saw it, inside the BOM.
    let o = &out.components[0].occurrence;
    assert_eq!(o.location.path, "proj/lock");
    assert_eq!(o.location.line, Some(3));
    assert_eq!(o.location.container.as_deref(), Some("scan.cdx.json"));
}

#[test]
fn mamori_spdx_reads_back_the_same_components() {
    // SPDX 2.3 has no field for direct/dev: those are not expected back.
    let want: Vec<Component> = without_occurrences(sample())
        .into_iter()
        .map(|mut c| {
            c.direct = None;
            c.dev = false;
            c
        })
        .collect();
    let doc = mamori_report::spdx23(&scan(sample()), "0.1.0", "seed");
    let data = serde_json::to_vec_pretty(&doc).unwrap();
    let out = run(&SpdxDetector, "scan.spdx.json", &data);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(components(&out), want);
}

#[test]
fn malformed_documents_warn_and_name_the_file() {
    let bad_json = br#"{"spdxVersion": "SPDX-2.3", "packages": [ {"SPDXID": "#;
    let out = run(&SpdxDetector, "broken.spdx.json", bad_json);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "broken.spdx.json");

    let bad_purl = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"type":"library","name":"x","purl":"pkg:/nope@1"},
        {"type":"library","name":"ok","purl":"pkg:npm/ok@1.0.0","hashes":[{"alg":"SHA-256","content":"zz"}]}]}"#;
    let out = run(&CycloneDxDetector, "bad.cdx.json", bad_purl);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "bad.cdx.json");
    assert!(out.warnings[0].message.contains("pkg:/nope@1"));
    let cs = components(&out);
    assert_eq!(cs.len(), 1);
    assert!(cs[0].hashes.is_empty(), "a hash that is not hex is dropped");

    // Truncated copies of the real documents never panic, and say what is wrong.
    for name in [
        "npm-sbom.spdx.json",
        "npm-bom.cdx.json",
        "SPDXJSONExample-v2.3.spdx.json",
    ] {
        let data = fixture(name);
        for cut in [data.len() / 3, data.len() / 2, data.len() - 2] {
            let det: &dyn Detector = if name.contains(".cdx.") {
                &CycloneDxDetector
            } else {
                &SpdxDetector
            };
            let out = run(det, name, &data[..cut]);
            assert_eq!(out.warnings.len(), 1, "{name} cut at {cut}");
            assert_eq!(out.warnings[0].path, name);
        }
    }
}
