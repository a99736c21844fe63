//! CycloneDX BOMs as scan targets: what is read, what is ignored silently, and what is
//! reported as a warning (never a panic) — through the real walker.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::cyclonedx::{CycloneDxDetector, MAX_COMPONENTS};
use mamori_fs::{collect, Detector, FileInfo, Output, Progress, ScanOptions};
use std::path::Path;

const GOOD: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "components": [
    {"type": "cryptographic-asset", "bom-ref": "md5", "name": "MD5",
     "cryptoProperties": {"assetType": "algorithm", "oid": "1.2.840.113549.2.5",
       "algorithmProperties": {"primitive": "hash"}},
     "evidence": {"occurrences": [{"location": "app/legacy.py", "line": 7,
       "additionalContext": "hashlib.md5(data)"}]}},
    {"type": "cryptographic-asset", "bom-ref": "c1", "name": "legacy",
     "hashes": [{"alg": "SHA-256", "content": "AB5D1E3B51CC5B2C6E7B8C7B4E0D4B8D5F0E1A2B3C4D5E6F708192A3B4C5D6E7"}],
     "cryptoProperties": {"assetType": "certificate",
       "certificateProperties": {"subjectName": "CN=legacy", "issuerName": "CN=legacy",
         "notValidAfter": "2030-01-01T00:00:00Z", "signatureAlgorithmRef": "md5"}}}
  ]
}"#;

fn info<'a>(path: &'a str, name: &'a str, data: &[u8]) -> FileInfo<'a> {
    FileInfo {
        path,
        name,
        size: data.len() as u64,
        container: None,
        fs: None,
    }
}

fn detect(name: &str, data: &[u8]) -> Output {
    let f = info(name, name, data);
    let mut out = Output::default();
    if CycloneDxDetector.wants(&f, &data[..data.len().min(4096)]) {
        CycloneDxDetector.detect(&f, data, &mut out);
    }
    out
}

fn scan(dir: &Path) -> mamori_fs::Collected {
    collect(dir, &ScanOptions::default(), &Progress::default())
}

#[test]
fn a_bom_given_as_target_is_read_and_other_json_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bom.json"), GOOD).unwrap();
    // An npm manifest and a JSON schema that talks about CycloneDX: not BOMs, no warnings.
    std::fs::write(
        d.join("package.json"),
        r#"{"name": "web", "version": "1.0.0", "dependencies": {"express": "^4.19.2"},
            "scripts": {"sbom": "cyclonedx-npm --output-file bom.json"}}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("schema.json"),
        r#"{"$id": "x", "properties": {"bomFormat": {"enum": ["CycloneDX"]}}}"#,
    )
    .unwrap();
    // Inside a scanned tree a BOM is a report, not an input: nothing is read from it.
    let tree = scan(d);
    assert!(tree.warnings.is_empty(), "{:?}", tree.warnings);
    assert!(tree.observations.is_empty(), "{:?}", tree.observations);
    for other in ["package.json", "schema.json"] {
        let got = scan(&d.join(other));
        assert!(
            got.warnings.is_empty() && got.observations.is_empty(),
            "{other}"
        );
    }
    let got = scan(&d.join("bom.json"));
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let ids: Vec<&str> = got
        .observations
        .iter()
        .map(|o| o.asset.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "alg:MD5",
            "cert:ab5d1e3b51cc5b2c6e7b8c7b4e0d4b8d5f0e1a2b3c4d5e6f708192a3b4c5d6e7"
        ]
    );
    let md5 = &got.observations[0];
    assert_eq!(
        md5.asset.status(),
        mamori_algorithms::by_name("MD5").unwrap().status
    );
    assert_eq!(md5.occurrence.location.path, "app/legacy.py");
    assert_eq!(md5.occurrence.location.line, Some(7));
    let bom_path = d.join("bom.json").display().to_string();
    assert_eq!(
        md5.occurrence.location.container.as_deref(),
        Some(bom_path.as_str())
    );
    assert_eq!(md5.occurrence.detector, "cyclonedx");
    // The certificate takes its algorithm and status from the referenced signature.
    let cert = &got.observations[1].asset;
    let cp = cert.certificate.as_ref().unwrap();
    assert_eq!(cp.signature_algorithm, "MD5");
    assert_eq!(cert.depends_on, ["alg:MD5"]);
    assert_eq!(cert.status(), md5.asset.status());
    assert_eq!(got.observations[1].occurrence.location.path, bom_path);
}

#[test]
fn truncated_and_garbage_boms_are_warnings_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("cut.cdx.json"), &GOOD[..GOOD.len() / 2]).unwrap();
    let mut garbage = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "#.to_vec();
    garbage.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(d.join("garbage.json"), &garbage).unwrap();
    let mut got = scan(&d.join("cut.cdx.json"));
    let more = scan(&d.join("garbage.json"));
    got.observations.extend(more.observations);
    got.warnings.extend(more.warnings);
    assert!(got.observations.is_empty());
    let mut w: Vec<String> = got.warnings.iter().map(|w| w.to_string()).collect();
    w.sort();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("cut.cdx.json") && w[0].contains("not valid CycloneDX JSON"));
    assert!(w[1].contains("garbage.json"));
}

#[test]
fn versions_outside_1_4_to_1_7_warn_but_are_read() {
    let old = GOOD.replace("\"1.6\"", "\"1.3\"");
    let out = detect("old-bom.json", old.as_bytes());
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "old-bom.json");
    assert!(out.warnings[0].message.contains("1.3"));
    assert_eq!(out.observations.len(), 2);
    let none = GOOD.replace("\"specVersion\": \"1.6\",", "");
    let out = detect("bom.json", none.as_bytes());
    assert!(out.warnings[0].message.contains("no specVersion"));
    for v in ["1.4", "1.5", "1.7"] {
        let out = detect(
            "bom.json",
            GOOD.replace("\"1.6\"", &format!("\"{v}\"")).as_bytes(),
        );
        assert!(out.warnings.is_empty(), "{v}: {:?}", out.warnings);
    }
}

#[test]
fn xml_boms_and_unmarked_json_are_not_wanted() {
    let xml = br#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"></bom>"#;
    assert!(!CycloneDxDetector.wants(&info("bom.xml", "bom.xml", xml), xml));
    let plain = br#"{"components": []}"#;
    assert!(!CycloneDxDetector.wants(&info("bom.json", "bom.json", plain), plain));
    let g = GOOD.as_bytes();
    assert!(CycloneDxDetector.wants(&info("a/x.cdx.json", "x.cdx.json", g), g));
    assert!(!CycloneDxDetector.wants(&info("bom.txt", "bom.txt", g), g));
    assert_eq!(CycloneDxDetector.max_size(), 256 << 20);
}

#[test]
fn deep_nesting_is_a_warning_not_a_stack_overflow() {
    let depth = 100_000;
    let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":"#);
    for _ in 0..depth {
        s.push_str(r#"[{"type":"library","name":"x","components":"#);
    }
    s.push_str("[]");
    for _ in 0..depth {
        s.push_str("}]");
    }
    s.push('}');
    let out = detect("deep.json", s.as_bytes());
    assert!(out.observations.is_empty());
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].message.contains("recursion"));
}

#[test]
fn huge_component_arrays_stop_at_the_limit_with_a_warning() {
    let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    for _ in 0..MAX_COMPONENTS {
        s.push_str(r#"{"type":"file","name":"f"},"#);
    }
    s.push_str(
        r#"{"type":"cryptographic-asset","name":"DES","cryptoProperties":{"assetType":"algorithm"}}]}"#,
    );
    let out = detect("big.json", s.as_bytes());
    assert!(out.observations.is_empty());
    assert_eq!(out.warnings.len(), 1);
    assert!(out.warnings[0]
        .message
        .contains(&MAX_COMPONENTS.to_string()));
}

#[test]
fn wrong_types_are_skipped_without_panicking() {
    let s = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","dependencies":{"ref":1},
      "components":[
        "just a string",
        {"type":"cryptographic-asset","name":42,"cryptoProperties":{"assetType":"algorithm",
          "oid":["1.2"],"algorithmProperties":{"primitive":7,"classicalSecurityLevel":-5,
          "nistQuantumSecurityLevel":99999999999}},
         "evidence":{"occurrences":[{"location":5},{"location":"a.c","line":"12","offset":-1},7]}},
        {"type":"cryptographic-asset","name":"x","cryptoProperties":"algorithm"},
        {"type":"cryptographic-asset","bom-ref":"k","name":"key",
          "cryptoProperties":{"assetType":"related-crypto-material",
            "relatedCryptoMaterialProperties":{"type":3,"algorithmRef":{"x":1},"size":1e40}}},
        {"type":"cryptographic-asset","name":"p","cryptoProperties":{"assetType":"protocol",
          "protocolProperties":{"type":"tls","version":"9.9","cipherSuites":"all"}}},
        {"type":"cryptographic-asset","name":"c","cryptoProperties":{"assetType":"certificate",
          "certificateProperties":{"subjectName":[],"fingerprint":{"alg":"SHA-256","content":"zz"}}}}
      ]}"#;
    let out = detect("types.json", s);
    let ids: Vec<&str> = out
        .observations
        .iter()
        .map(|o| o.asset.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["alg:unnamed", "key:bom:k", "proto:tls-9.9", "cert:bom:c"]
    );
    // The one well-formed occurrence location survives, with its bad line and offset dropped.
    let occ = &out.observations[0].occurrence.location;
    assert_eq!(
        (occ.path.as_str(), occ.line, occ.offset),
        ("a.c", None, None)
    );
    let msgs: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("not JSON objects")));
    assert!(msgs.iter().any(|m| m.contains("assetType")));
    assert!(msgs.iter().any(|m| m.contains("dependencies")));
    assert!(out.warnings.iter().all(|w| w.path == "types.json"));
}
