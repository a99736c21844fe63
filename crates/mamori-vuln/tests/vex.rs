//! VEX parsing and application on real documents (tests/fixtures/vex, see its README).
//! Expected values were read off the fixture files by hand.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_model::{Location, Vulnerability};
use mamori_vuln::vex::{ApplyReport, Status, VexDoc, VexError, VexFormat, VexSet};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/vex/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> VexDoc {
    VexDoc::parse(&fixture(name), name).unwrap_or_else(|e| panic!("{e}"))
}

fn set(names: &[&str]) -> VexSet {
    let mut s = VexSet::new();
    for n in names {
        s.add(parse(n));
    }
    s
}

fn finding(id: &str, aliases: &[&str], purl: &str) -> Vulnerability {
    Vulnerability {
        system: None,
        systems: Vec::new(),
        id: id.to_string(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        summary: String::new(),
        severity: None,
        cvss: None,
        component: purl.to_string(),
        component_name: String::new(),
        component_version: String::new(),
        fixed: None,
        location: Location::file("lockfile"),
        suppressed: None,
    }
}

/// (vulnerability, product, status) of every statement.
fn triples(doc: &VexDoc) -> Vec<(&str, &str, Status)> {
    doc.statements
        .iter()
        .map(|s| (s.vulnerability.as_str(), s.product.as_str(), s.status))
        .collect()
}

// --- OpenVEX ----------------------------------------------------------------------------------

#[test]
fn openvex_vexctl_sample() {
    let d = parse("openvex-vexctl-sample.json");
    assert_eq!(d.format, VexFormat::OpenVex);
    assert_eq!(d.statements.len(), 1);
    let s = &d.statements[0];
    assert_eq!(s.vulnerability, "CVE-2023-27103");
    assert_eq!(s.aliases, ["SNYK-DEBIAN12-LIBDE265-3361563"]);
    // %3A is decoded; ':' is literal in the canonical form.
    assert_eq!(
        s.product,
        "pkg:oci/nginx@sha256:13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0"
    );
    assert_eq!(s.status, Status::NotAffected);
    // `statement` is not an OpenVEX field: only the justification label.
    assert_eq!(s.justification.as_deref(), Some("component_not_present"));
    // No statement timestamp: the document's.
    assert_eq!(
        s.timestamp.as_deref(),
        Some("2023-08-16T19:55:22.076684217-06:00")
    );
    assert_eq!(s.source, "openvex-vexctl-sample.json");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn openvex_vexctl_demo_two_products() {
    let d = parse("openvex-vexctl-demo.json");
    assert_eq!(
        triples(&d),
        [
            (
                "CVE-2014-123456",
                "pkg:apk/distro/git@2.39.0-r1?arch=armv7",
                Status::Fixed
            ),
            (
                "CVE-2014-123456",
                "pkg:apk/distro/git@2.39.0-r1?arch=x86_64",
                Status::Fixed
            ),
        ]
    );
    assert_eq!(
        d.statements[0].timestamp.as_deref(),
        Some("2023-12-04T21:55:19.945015302-06:00")
    );
    assert_eq!(d.statements[0].justification, None);
}

#[test]
fn openvex_vexctl_v020_under_investigation() {
    let d = parse("openvex-vexctl-v020-1.json");
    assert_eq!(
        triples(&d),
        [(
            "CVE-9876-54321",
            "pkg:apk/wolfi/bash@1.0.0",
            Status::UnderInvestigation
        )]
    );
}

#[test]
fn openvex_legacy_shape_and_non_purl_products() {
    let d = parse("openvex-vexctl-images-v001.json");
    assert_eq!(d.format, VexFormat::OpenVex);
    // 4 statements; "nginx" and "registry.k8s.io/kube-apiserver:v1.26.0" are not purls.
    assert_eq!(
        triples(&d),
        [
            (
                "CVE-1234-5678",
                "pkg:oci/alpine@sha256:f271e74b17ced29b915d351685fd4644785c6d1559dd1f2d4189a5e851ef753a",
                Status::UnderInvestigation
            ),
            (
                "CVE-1234-5678",
                "pkg:oci/kube-apiserver?repository_url=registry.k8s.io&tag=v1.26.0",
                Status::UnderInvestigation
            ),
        ]
    );
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(d.warnings[0].starts_with("2 products not identified by a purl"));
    assert!(d.warnings[0].contains("nginx"));
}

#[test]
fn openvex_vexipy_document() {
    let d = parse("openvex-vexipy-a.json");
    assert_eq!(
        triples(&d),
        [
            (
                "CVE-2023-44487",
                "pkg:golang/golang.org/x/net@v0.15.0",
                Status::NotAffected
            ),
            ("CVE-2022-42969", "pkg:pypi/py", Status::NotAffected),
            (
                "CVE-2021-44228",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                Status::NotAffected
            ),
            (
                "CVE-2021-44228",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                Status::UnderInvestigation
            ),
            (
                "GHSA-35jh-r3h4-6jhm",
                "pkg:npm/lodash@4.17.21",
                Status::Fixed
            ),
            ("CVE-2022-24999", "pkg:npm/qs@6.5.2", Status::Affected),
        ]
    );
    let s = &d.statements;
    assert_eq!(s[0].aliases, ["GHSA-qppj-fm5r-hxr3"]);
    assert_eq!(
        s[0].justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path: Only the HTTP/2 client of x/net is used; no HTTP/2 server is run.")
    );
    assert_eq!(s[1].aliases, ["GHSA-w596-4wvx-j9j6", "PYSEC-2022-42969"]);
    // lodash statement has no timestamp of its own: the document's.
    assert_eq!(s[4].timestamp.as_deref(), Some("2023-01-15T10:00:00+00:00"));
    assert_eq!(
        s[5].action.as_deref(),
        Some("Upgrade qs to 6.5.3 or later.")
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

// --- CycloneDX --------------------------------------------------------------------------------

#[test]
fn cyclonedx_bom_link_whose_ref_is_a_purl() {
    let d = parse("cyclonedx-bom-examples-vex.json");
    assert_eq!(d.format, VexFormat::CycloneDx);
    assert_eq!(
        triples(&d),
        [(
            "CVE-2020-25649",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",
            Status::NotAffected
        )]
    );
    let s = &d.statements[0];
    assert_eq!(s.aliases, ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]);
    assert_eq!(
        s.justification.as_deref(),
        Some("code_not_reachable: Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.")
    );
    // vulnerability.updated
    assert_eq!(s.timestamp.as_deref(), Some("2021-10-26T00:00:00.000Z"));
}

#[test]
fn cyclonedx_metadata_component_without_purl() {
    let d = parse("cyclonedx-cisa-case1-not-affected.json");
    assert!(d.statements.is_empty());
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(
        d.warnings[0].contains("without a purl"),
        "{}",
        d.warnings[0]
    );
    assert!(d.warnings[0].contains("product-ABC"));
}

#[test]
fn cyclonedx_spec_example_ref_is_purl_with_versions() {
    let d = parse("cyclonedx-spec-valid-vulnerability-1.4.json");
    // affects[0].ref is a purl (not the component's bom-ref); its versions[] lists 2.9.0 as
    // affected, which overrides the not_affected analysis for that version.
    assert_eq!(
        triples(&d),
        [(
            "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.0",
            Status::Affected
        )]
    );
    assert_eq!(d.statements[0].aliases, ["CVE-2018-7489"]);
    assert_eq!(
        d.statements[0].justification.as_deref(),
        Some("code_not_reachable")
    );
}

#[test]
fn cyclonedx_python_lib_all_states() {
    let d = parse("cyclonedx-1.6-python-lib.json");
    assert_eq!(
        triples(&d),
        [
            (
                "CVE-2021-33503",
                "pkg:pypi/urllib3@1.26.5",
                Status::NotAffected
            ), // false_positive
            ("CVE-2021-44906", "pkg:npm/minimist@1.2.6", Status::Fixed), // resolved, ref is a purl
            (
                "CVE-2022-42003",
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
                Status::NotAffected
            ),
            ("CVE-2023-43804", "pkg:pypi/urllib3@1.26.5", Status::Fixed), // resolved_with_pedigree
            (
                "CVE-2023-5363",
                "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64",
                Status::Affected
            ),
            (
                "CVE-2023-5678",
                "pkg:deb/debian/openssl?arch=amd64",
                Status::UnderInvestigation
            ),
            (
                "CVE-2024-0727",
                "pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64",
                Status::NotAffected
            ),
        ]
    );
    assert_eq!(
        d.statements[2].justification.as_deref(),
        Some("requires_configuration: UNWRAP_SINGLE_VALUE_ARRAYS is never enabled.")
    );
    assert_eq!(d.statements[2].aliases, ["GHSA-jjjh-jjxp-wpff"]);
    // analysis.lastUpdated wins over metadata.timestamp
    assert_eq!(
        d.statements[2].timestamp.as_deref(),
        Some("2022-10-20T00:00:00+00:00")
    );
    assert_eq!(
        d.statements[0].timestamp.as_deref(),
        Some("2024-02-01T00:00:00+00:00")
    );
    // comp-internal has no purl, the urn:cdx BOM-Link, the vers: range, CVE-2020-36518 has no analysis.
    let w = d.warnings.join("\n");
    assert_eq!(d.warnings.len(), 4, "{w}");
    assert!(
        w.contains("1 affects refs naming a component without a purl (first: \"comp-internal\")"),
        "{w}"
    );
    assert!(w.contains("cannot be resolved without that SBOM"), "{w}");
    assert!(
        w.contains("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#comp-elsewhere"),
        "{w}"
    );
    assert!(w.contains("vers:deb/<3.0.13-1~deb12u1"), "{w}");
    assert!(w.contains("1 vulnerabilities without analysis"), "{w}");
}

// --- CSAF -------------------------------------------------------------------------------------

#[test]
fn csaf_vexctl_example() {
    let d = parse("csaf-vexctl-example.json");
    assert_eq!(d.format, VexFormat::Csaf);
    assert_eq!(
        triples(&d),
        [(
            "CVE-2009-4487",
            "pkg:generic/component1@1.3.4",
            Status::NotAffected
        )]
    );
    assert_eq!(
        d.statements[0].justification.as_deref(),
        Some("Class with vulnerable code was removed before shipping.")
    );
    assert_eq!(
        d.statements[0].timestamp.as_deref(),
        Some("2022-03-03T11:00:00.000Z")
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn csaf_oasis_example_without_purls() {
    let d = parse("csaf-oasis-uc-01-na-001.json");
    assert!(d.statements.is_empty());
    assert_eq!(
        d.warnings,
        ["1 products without a purl (first: \"CSAFPID-0001\")"]
    );
}

#[test]
fn csaf_go_vex_every_bucket() {
    let d = parse("csaf-go-vex-product-statuses.json");
    let g = |n: &str| format!("pkg:generic/example/{n}@1.0.0");
    let got: Vec<(String, Status)> = d
        .statements
        .iter()
        .map(|s| (s.product.clone(), s.status))
        .collect();
    // Bucket order: known_not_affected, fixed, first_fixed, known_affected, first_affected,
    // last_affected, under_investigation; "recommended" is not a status.
    assert_eq!(
        got,
        [
            (g("known_not_affected"), Status::NotAffected),
            (g("fixed"), Status::Fixed),
            (g("first_fixed"), Status::Fixed),
            (g("known_affected"), Status::Affected),
            (g("first_affected"), Status::Affected),
            (g("last_affected"), Status::Affected),
            (g("under_investigation"), Status::UnderInvestigation),
        ]
    );
    for s in &d.statements {
        assert_eq!(s.vulnerability, "CVE-2026-46598");
        assert_eq!(s.aliases, ["EXAMPLE-2026-46598"]);
    }
    assert_eq!(
        d.statements[0].justification.as_deref(),
        Some("component_not_present: Impact for known_not_affected")
    );
    assert_eq!(d.statements[1].justification, None);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn csaf_relationship_takes_the_component_purl() {
    // The go-vex fixture's relationship CSAFPID-REL-0001 (component CSAFPID-0001 of
    // CSAFPID-0004), used in a status bucket.
    let text = String::from_utf8(fixture("csaf-go-vex-product-statuses.json")).unwrap();
    let text = text.replacen(
        "\"under_investigation\": [\n          \"CSAFPID-0008\"",
        "\"under_investigation\": [\n          \"CSAFPID-REL-0001\"",
        1,
    );
    assert!(text.contains("CSAFPID-REL-0001\"\n        ]\n      },\n      \"threats"));
    let d = VexDoc::parse(text.as_bytes(), "rel.json").unwrap();
    let last = d.statements.last().unwrap();
    assert_eq!(last.product, "pkg:generic/example/first_affected@1.0.0");
    assert_eq!(last.status, Status::UnderInvestigation);
}

// --- apply ------------------------------------------------------------------------------------

#[test]
fn apply_suppresses_with_status_and_justification() {
    let set = set(&[
        "openvex-vexipy-a.json",
        "cyclonedx-1.6-python-lib.json",
        "csaf-vexctl-example.json",
    ]);
    let mut v = vec![
        // OSV reports x/net under its GHSA id, CVE as alias.
        finding(
            "GHSA-qppj-fm5r-hxr3",
            &["CVE-2023-44487"],
            "pkg:golang/golang.org/x/net@v0.15.0",
        ),
        finding(
            "CVE-2022-42003",
            &[],
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
        ),
        finding("CVE-2023-43804", &[], "pkg:pypi/urllib3@1.26.5"),
        finding("CVE-2009-4487", &[], "pkg:generic/component1@1.3.4"),
        finding("CVE-2022-24999", &[], "pkg:npm/qs@6.5.2"),
        finding(
            "CVE-2023-5678",
            &[],
            "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
        ),
    ];
    let r = set.apply(&mut v);
    let s0 = v[0].suppressed.as_ref().expect("x/net suppressed");
    assert_eq!(s0.status, "not_affected");
    assert_eq!(
        s0.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path: Only the HTTP/2 client of x/net is used; no HTTP/2 server is run.")
    );
    assert_eq!(s0.source, "openvex-vexipy-a.json");
    let s1 = v[1].suppressed.as_ref().expect("jackson suppressed");
    assert_eq!(s1.status, "not_affected");
    assert_eq!(s1.source, "cyclonedx-1.6-python-lib.json");
    assert_eq!(
        v[2].suppressed.as_ref().map(|s| s.status.as_str()),
        Some("fixed")
    );
    assert_eq!(
        v[2].suppressed
            .as_ref()
            .and_then(|s| s.justification.as_deref()),
        Some("Backported the upstream fix (commit 01220354) into our build of 1.26.5.")
    );
    assert_eq!(
        v[3].suppressed.as_ref().map(|s| s.source.as_str()),
        Some("csaf-vexctl-example.json")
    );
    assert!(v[4].active(), "affected never suppresses");
    assert!(v[5].active(), "under_investigation never suppresses");
    assert_eq!(r.applied, 4);
    assert_eq!(r.unsuppressed, 0);
    // 6 + 7 + 1 statements; matched: x/net, jackson, urllib3 fixed, csaf, qs, openssl in_triage.
    assert_eq!(set.len(), 14);
    assert_eq!(r.unmatched, 8);
}

#[test]
fn apply_alias_matching_is_case_insensitive_both_ways() {
    let set = set(&["openvex-vexipy-a.json"]);
    // Statement named by GHSA with the CVE as alias; the finding is named by the CVE only.
    let mut v = vec![
        finding("cve-2021-23337", &[], "pkg:npm/lodash@4.17.21"),
        // Alias on the finding side only.
        finding(
            "PYSEC-2022-42969",
            &["ghsa-w596-4wvx-j9j6"],
            "pkg:pypi/py@1.10.0",
        ),
        // Same purl, unrelated id.
        finding(
            "CVE-2020-8203",
            &["GHSA-p6mc-m468-83gw"],
            "pkg:npm/lodash@4.17.21",
        ),
    ];
    set.apply(&mut v);
    assert_eq!(
        v[0].suppressed.as_ref().map(|s| s.status.as_str()),
        Some("fixed")
    );
    assert_eq!(
        v[1].suppressed
            .as_ref()
            .and_then(|s| s.justification.as_deref()),
        Some("vulnerable_code_not_present")
    );
    assert!(v[2].active());
}

#[test]
fn apply_version_specific_and_versionless_products() {
    let set = set(&["openvex-vexipy-a.json"]);
    let mut v = vec![
        // pkg:pypi/py has no version: every version.
        finding("CVE-2022-42969", &[], "pkg:pypi/py@1.4.0"),
        finding("CVE-2022-42969", &[], "pkg:pypi/py@1.11.0"),
        // lodash@4.17.21 only.
        finding("CVE-2021-23337", &[], "pkg:npm/lodash@4.17.20"),
        // x/net@v0.15.0 only.
        finding("CVE-2023-44487", &[], "pkg:golang/golang.org/x/net@v0.17.0"),
        // Another package of the same name in another ecosystem.
        finding("CVE-2022-42969", &[], "pkg:npm/py@1.4.0"),
    ];
    let r = set.apply(&mut v);
    assert!(v[0].suppressed.is_some());
    assert!(v[1].suppressed.is_some());
    assert!(v[2].active());
    assert!(v[3].active());
    assert!(v[4].active());
    assert_eq!(r.applied, 2);
}

#[test]
fn apply_qualified_statement_needs_the_qualifier() {
    let set = set(&["openvex-vexctl-demo.json"]);
    let mut v = vec![
        finding(
            "CVE-2014-123456",
            &[],
            "pkg:apk/distro/git@2.39.0-r1?arch=x86_64&distro=3.18",
        ),
        finding(
            "CVE-2014-123456",
            &[],
            "pkg:apk/distro/git@2.39.0-r1?arch=aarch64",
        ),
        finding("CVE-2014-123456", &[], "pkg:apk/distro/git@2.39.0-r1"),
    ];
    let r = set.apply(&mut v);
    assert!(v[0].suppressed.is_some());
    assert!(v[1].active());
    assert!(v[2].active());
    assert_eq!(
        r,
        ApplyReport {
            applied: 1,
            unsuppressed: 0,
            unmatched: 1
        }
    );
}

#[test]
fn apply_latest_statement_wins_not_file_order() {
    // In openvex-vexipy-a.json the not_affected log4j statement (2021-12-14) comes before the
    // under_investigation one (2021-12-10): the later timestamp wins.
    let set = set(&["openvex-vexipy-a.json"]);
    let mut v = vec![finding(
        "GHSA-jfh8-c2jp-5v3q",
        &["CVE-2021-44228"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    )];
    set.apply(&mut v);
    let s = v[0].suppressed.as_ref().expect("suppressed");
    assert_eq!(s.status, "not_affected");
    assert!(s
        .justification
        .as_deref()
        .unwrap()
        .starts_with("vulnerable_code_cannot_be_controlled_by_adversary: Log messages"));
    let decided = set.decide(&v[0]).unwrap();
    assert_eq!(
        decided.timestamp.as_deref(),
        Some("2021-12-14T09:00:00+00:00")
    );
}

#[test]
fn apply_later_affected_unsuppresses_across_documents() {
    // b (2023-03-01) says py@1.11.0 is affected, after a (2023-01-15) said every py is not.
    let mut v = vec![
        finding("CVE-2022-42969", &[], "pkg:pypi/py@1.11.0"),
        finding("CVE-2022-42969", &[], "pkg:pypi/py@1.10.0"),
    ];
    let r = set(&["openvex-vexipy-a.json"]).apply(&mut v);
    assert_eq!(r.applied, 2);
    assert!(v[0].suppressed.is_some());
    // Re-apply with both documents, in either load order: timestamps decide.
    for order in [
        ["openvex-vexipy-a.json", "openvex-vexipy-b.json"],
        ["openvex-vexipy-b.json", "openvex-vexipy-a.json"],
    ] {
        let mut w = v.clone();
        let r = set(&order).apply(&mut w);
        assert!(w[0].active(), "{order:?}");
        assert!(w[1].suppressed.is_some(), "{order:?}");
        assert_eq!(r.unsuppressed, 1);
        assert_eq!(r.applied, 1);
    }
}

#[test]
fn apply_leaves_findings_without_statement_alone() {
    let set = set(&["csaf-go-vex-product-statuses.json"]);
    let mut v = vec![finding(
        "CVE-2026-46598",
        &[],
        "pkg:generic/example/recommended@1.0.0",
    )];
    let before = v.clone();
    let r = set.apply(&mut v);
    assert_eq!(v, before);
    assert_eq!(r.applied, 0);
    assert_eq!(r.unmatched, 7);
}

// --- malformed --------------------------------------------------------------------------------

#[test]
fn truncated_documents_are_json_errors_naming_the_source() {
    for name in [
        "openvex-vexipy-a.json",
        "cyclonedx-1.6-python-lib.json",
        "csaf-go-vex-product-statuses.json",
    ] {
        let bytes = fixture(name);
        for cut in [1, bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
            let e = VexDoc::parse(&bytes[..cut], "cut.json").unwrap_err();
            assert!(matches!(e, VexError::Json { .. }), "{name} at {cut}: {e}");
            assert!(e.to_string().starts_with("cut.json: "), "{e}");
        }
    }
}

#[test]
fn wrong_types_are_errors_naming_source_and_format() {
    let cases: [(&str, VexFormat); 4] = [
        (
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": {"status": "fixed"}}"#,
            VexFormat::OpenVex,
        ),
        (
            r#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": 3}}]}"#,
            VexFormat::CycloneDx,
        ),
        (
            r#"{"bomFormat": "CycloneDX", "components": "none", "vulnerabilities": []}"#,
            VexFormat::CycloneDx,
        ),
        (
            r#"{"document": {"category": "csaf_vex"}, "vulnerabilities": [{"cve": "CVE-1", "product_status": {"fixed": "CSAFPID-1"}}]}"#,
            VexFormat::Csaf,
        ),
    ];
    for (text, format) in cases {
        match VexDoc::parse(text.as_bytes(), "bad.vex.json") {
            Err(e @ VexError::Invalid { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&format!("bad.vex.json: invalid {format} document: ")),
                    "{msg}"
                );
                assert!(msg.contains("invalid type"), "{msg}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn unknown_formats() {
    for text in [
        r#"{"spdxVersion": "SPDX-2.3", "packages": []}"#,
        r#"{"@context": "https://www.w3.org/ns/activitystreams"}"#,
        r#"["CVE-2021-44228"]"#,
        "null",
    ] {
        let e = VexDoc::parse(text.as_bytes(), "other.json").unwrap_err();
        assert_eq!(
            e,
            VexError::UnknownFormat {
                source: "other.json".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "other.json: not a VEX document (neither OpenVEX, CycloneDX nor CSAF)"
        );
    }
    let e = VexDoc::parse(b"", "empty.json").unwrap_err();
    assert!(matches!(e, VexError::Json { .. }) && e.to_string().starts_with("empty.json: "));
}

#[test]
fn bad_statements_are_warnings_not_errors() {
    let text = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "yesterday",
      "statements": [
        {"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a@1"}], "status": "maybe"},
        {"vulnerability": {}, "products": [{"@id": "pkg:npm/a@1"}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-2"}, "status": "fixed"},
        {"vulnerability": {"name": "CVE-3"}, "products": [{"@id": "pkg:npm"}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-4"}, "products": [{"identifiers": {"cpe23": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"}}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-5"}, "products": [{"@id": "pkg:npm/b@2"}], "status": "fixed"}
      ]}"#;
    let d = VexDoc::parse(text.as_bytes(), "w.json").unwrap();
    assert_eq!(triples(&d), [("CVE-5", "pkg:npm/b@2", Status::Fixed)]);
    assert_eq!(d.statements[0].timestamp.as_deref(), Some("yesterday"));
    let w = d.warnings.join("\n");
    assert_eq!(d.warnings.len(), 6, "{w}");
    assert!(w.contains("unknown status \"maybe\""), "{w}");
    assert!(w.contains("statement 2 names no vulnerability"), "{w}");
    assert!(w.contains("statement 3 (CVE-2) lists no product"), "{w}");
    assert!(w.contains("invalid purl \"pkg:npm\""), "{w}");
    assert!(w.contains("1 products identified only by a CPE"), "{w}");
    assert!(w.contains("1 timestamps that are not RFC 3339"), "{w}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Mutations of every fixture: flipped bytes and cut tails must give Ok or Err, no panic.
    let dir = format!("{}/tests/fixtures/vex", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let doc = VexDoc::parse(&bytes, "f").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut set = VexSet::new();
        set.add(doc);
        for step in [7usize, 13, 31] {
            let mut m = bytes.clone();
            let mut i = step;
            while i < m.len() {
                m[i] = m[i].wrapping_add(1);
                i += step * 11;
            }
            if let Ok(d) = VexDoc::parse(&m, "m") {
                set.add(d);
            }
        }
        let mut v = vec![finding(
            "CVE-2021-44228",
            &["GHSA-jfh8-c2jp-5v3q"],
            "not a purl",
        )];
        set.apply(&mut v);
        n += 1;
    }
    assert_eq!(n, 13);
}
