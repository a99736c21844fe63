//! A CycloneDX BOM given as a target is read back in as an inventory: mamori's own output
//! (round trip) and a hand-written CycloneDX 1.7 CBOM validated against the official schema.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn by_id(report: &Value) -> BTreeMap<String, Value> {
    report["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_string(), a.clone()))
        .collect()
}

fn copy_shared(d: &Path, name: &str, to: &str) {
    std::fs::copy(shared().join("pqc-certificates/bc").join(name), d.join(to))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

#[test]
fn scan_cyclonedx_then_scan_the_bom_gives_the_same_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("t");
    std::fs::create_dir(&d).unwrap();
    let r = |args: &[&str]| openssl(&d, args);
    r(&[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=app", "-days", "90",
        "-keyout", "app.key", "-out", "app.pem",
    ]);
    r(&[
        "req", "-x509", "-newkey", "rsa:1024", "-sha1", "-nodes", "-subj", "/CN=weak", "-days",
        "30", "-keyout", "weak.key", "-out", "weak.pem",
    ]);
    r(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "ec.key",
    ]);
    r(&[
        "req", "-x509", "-new", "-key", "ec.key", "-sha384", "-subj", "/CN=ec", "-days", "30",
        "-out", "ec.pem",
    ]);
    copy_shared(
        &d,
        "MLKEM768-X25519-SHA3-256-1.3.6.1.5.5.7.6.58_ee.der",
        "hybrid.der",
    );
    copy_shared(&d, "ml-dsa-44-2.16.840.1.101.3.4.3.17_ta.der", "mldsa.der");
    copy_shared(
        &d,
        "MLDSA44-RSA2048-PSS-SHA256-1.3.6.1.5.5.7.6.37_ta.der",
        "composite.der",
    );

    let db = dir.path().join("m.db");
    let bom = dir.path().join("bom.json");
    let o = mamori(
        &db,
        &[
            "scan",
            "-q",
            "--format",
            "cyclonedx",
            "-o",
            bom.to_str().unwrap(),
            d.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&o)
    );
    let direct = scan_json(&db, &[&d], &[]);
    let again = scan_json(&db, &[&bom], &[]);
    assert_eq!(
        again["warnings"].as_array().unwrap().len(),
        0,
        "{}",
        again["warnings"]
    );
    let (a, b) = (by_id(&direct), by_id(&again));
    assert!(a.len() >= 15, "fixture too small: {:?}", a.keys());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "asset ids differ after the round trip"
    );
    for (id, x) in &a {
        let y = &b[id];
        assert_eq!(x["kind"], y["kind"], "{id}");
        assert_eq!(x["algorithm"]["status"], y["algorithm"]["status"], "{id}");
        assert_eq!(x["depends_on"], y["depends_on"], "{id}");
        if x["kind"] == "algorithm" {
            assert_eq!(x["algorithm"], y["algorithm"], "{id}");
        }
        if x["kind"] == "certificate" {
            for f in [
                "subject",
                "issuer",
                "not_before",
                "not_after",
                "signature_algorithm",
                "signature_algorithm_oid",
                "public_key_algorithm",
                "public_key_size",
                "curve",
                "sha256",
                "format",
                "serial",
                "is_ca",
                "self_signed",
            ] {
                assert_eq!(x["certificate"][f], y["certificate"][f], "{id}: {f}");
            }
            assert!(!y["certificate"]["subject"].as_str().unwrap().is_empty());
        }
        if x["kind"] == "key" {
            assert_eq!(x["key"], y["key"], "{id}");
        }
        // Every occurrence comes back, inside the BOM.
        let locs = |v: &Value| -> Vec<(String, Value)> {
            let mut l: Vec<(String, Value)> = v["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    (
                        o["location"]["path"].as_str().unwrap().to_string(),
                        o["location"]["line"].clone(),
                    )
                })
                .collect();
            l.sort_by(|p, q| p.0.cmp(&q.0));
            l.dedup();
            l
        };
        assert_eq!(locs(x), locs(y), "{id}");
        for occ in y["occurrences"].as_array().unwrap() {
            assert_eq!(occ["detector"], "cyclonedx");
            assert_eq!(occ["location"]["container"], bom.to_str().unwrap());
        }
    }
    // The judgement is the same, so are the findings.
    let codes = |r: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().into(),
                    f["asset_id"].as_str().unwrap().into(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(codes(&direct), codes(&again));
    // Spot checks on what a reader of the report sees.
    let app = b
        .values()
        .find(|v| v["kind"] == "certificate" && v["certificate"]["subject"] == "CN=app")
        .expect("app certificate");
    assert_eq!(
        app["certificate"]["signature_algorithm"],
        "RSA-PKCS1-1.5-SHA-256"
    );
    assert_eq!(app["certificate"]["public_key_algorithm"], "RSA-2048");
    assert_eq!(b["alg:RSA-1024"]["algorithm"]["status"], "broken");
    assert_eq!(b["alg:ML-DSA-44"]["algorithm"]["status"], "quantum-safe");
}

/// A CBOM as another tool would write it, following CycloneDX 1.7.
fn cbom_17() -> Value {
    json!({
      "bomFormat": "CycloneDX",
      "specVersion": "1.7",
      "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
      "version": 1,
      "metadata": {
        "timestamp": "2025-11-02T10:00:00Z",
        "tools": {"components": [{"type": "application", "name": "cbom-generator", "version": "2.1.0"}]},
        "component": {"type": "application", "bom-ref": "app", "name": "payments", "version": "4.2.0"}
      },
      "components": [
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/aes-128-gcm@2.16.840.1.101.3.4.1.6",
          "name": "AES128-GCM",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {
              "primitive": "ae", "algorithmFamily": "AES", "parameterSetIdentifier": "128",
              "mode": "gcm", "executionEnvironment": "software-plain-ram",
              "implementationPlatform": "x86_64", "cryptoFunctions": ["encrypt", "decrypt"],
              "classicalSecurityLevel": 128, "nistQuantumSecurityLevel": 1
            },
            "oid": "2.16.840.1.101.3.4.1.6"
          },
          "evidence": {"occurrences": [
            {"location": "src/main/java/pay/Vault.java", "line": 42, "symbol": "Cipher.getInstance",
             "additionalContext": "Cipher.getInstance(\"AES/GCM/NoPadding\")"},
            {"location": "lib/native/libvault.so", "offset": 4096}
          ]}
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/sha256rsa",
          "name": "SHA256withRSA",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {"primitive": "signature", "algorithmFamily": "RSASSA-PKCS1",
              "padding": "pkcs1v15", "cryptoFunctions": ["sign", "verify"]},
            "oid": "1.2.840.113549.1.1.11"
          }
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/rsa-2048",
          "name": "RSA-2048",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {"primitive": "pke", "parameterSetIdentifier": "2048"},
            "oid": "1.2.840.113549.1.1.1"
          }
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/ecdh-p256",
          "name": "ECDH",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {"primitive": "key-agree", "algorithmFamily": "ECDH",
              "ellipticCurve": "nist/P-256", "cryptoFunctions": ["keyderive"]}
          }
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/ml-kem-768",
          "name": "ML-KEM-768",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {"primitive": "kem", "algorithmFamily": "ML-KEM",
              "parameterSetIdentifier": "768", "nistQuantumSecurityLevel": 3},
            "oid": "2.16.840.1.101.3.4.4.2"
          }
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/algorithm/in-house",
          "name": "InHouseCipher-7",
          "cryptoProperties": {
            "assetType": "algorithm",
            "algorithmProperties": {"primitive": "block-cipher", "classicalSecurityLevel": 80,
              "nistQuantumSecurityLevel": 0}
          }
        },
        {
          "type": "cryptographic-asset", "bom-ref": "crypto/certificate/api.example.com",
          "name": "api.example.com",
          "cryptoProperties": {
            "assetType": "certificate",
            "certificateProperties": {
              "serialNumber": "4f3a9c0d11e2",
              "subjectName": "CN=api.example.com,O=Example",
              "issuerName": "CN=Example Issuing CA,O=Example",
              "notValidBefore": "2025-01-01T00:00:00Z",
              "notValidAfter": "2026-01-01T00:00:00Z",
              "signatureAlgorithmRef": "crypto/algorithm/sha256rsa",
              "subjectPublicKeyRef": "crypto/algorithm/rsa-2048",
              "certificateFormat": "X.509",
              "certificateFileExtension": "pem",
              "fingerprint": {"alg": "SHA-256",
                "content": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
              "certificateState": [{"state": "active"}]
            }
          },
          "evidence": {"occurrences": [{"location": "deploy/tls/api.pem", "line": 1}]}
        },
        {
          "type": "application", "bom-ref": "svc/gateway", "name": "gateway", "version": "1.0",
          "components": [
            {
              "type": "cryptographic-asset", "bom-ref": "crypto/key/gateway-rsa",
              "name": "gateway signing key",
              "cryptoProperties": {
                "assetType": "related-crypto-material",
                "relatedCryptoMaterialProperties": {
                  "type": "private-key", "id": "2b2a4b6e-6f53-4a84-9c38-9a1c0b2d7e11",
                  "state": "active", "algorithmRef": "crypto/algorithm/rsa-2048",
                  "size": 2048, "format": "PEM", "securedBy": {"mechanism": "HSM"}
                }
              },
              "evidence": {"occurrences": [{"location": "deploy/keys/gateway.key"}]}
            },
            {
              "type": "cryptographic-asset", "bom-ref": "crypto/protocol/tls-1.2",
              "name": "TLS v1.2",
              "cryptoProperties": {
                "assetType": "protocol",
                "protocolProperties": {
                  "type": "tls", "version": "1.2",
                  "cipherSuites": [{
                    "name": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "algorithms": ["crypto/algorithm/ecdh-p256", "crypto/algorithm/aes-128-gcm@2.16.840.1.101.3.4.1.6"],
                    "identifiers": ["0xC0", "0x2F"],
                    "tlsGroups": ["secp256r1"]
                  }]
                },
                "oid": "1.3.18.0.2.32.104"
              },
              "evidence": {"occurrences": [{"location": "etc/nginx/nginx.conf", "line": 17,
                "additionalContext": "ssl_protocols TLSv1.2;"}]}
            }
          ]
        }
      ],
      "dependencies": [
        {"ref": "app", "dependsOn": ["svc/gateway"]},
        {"ref": "crypto/protocol/tls-1.2", "dependsOn": ["crypto/algorithm/ml-kem-768"]}
      ]
    })
}

#[test]
fn a_cyclonedx_17_cbom_from_another_tool_is_read_and_judged() {
    let bom = cbom_17();
    let validator = cyclonedx_validator("1.7");
    // The validator knows the 1.7 registry enumerations (it would reject a made-up family).
    let mut bad = bom.clone();
    bad["components"][0]["cryptoProperties"]["algorithmProperties"]["algorithmFamily"] =
        json!("NotAFamily");
    assert!(!validator.is_valid(&bad));
    let errors: Vec<String> = validator
        .iter_errors(&bom)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "fixture is not CycloneDX 1.7: {errors:#?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payments.cdx.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&bom).unwrap()).unwrap();
    let r = scan_json(&dir.path().join("m.db"), &[&path], &[]);
    assert_eq!(
        r["warnings"].as_array().unwrap().len(),
        0,
        "{}",
        r["warnings"]
    );
    let a = by_id(&r);
    let bom_path = path.to_str().unwrap();

    // Names normalized and judged by mamori, whatever the BOM called them.
    let aes = &a["alg:AES-128-GCM"];
    assert_eq!(aes["algorithm"]["status"], "quantum-safe");
    assert_eq!(aes["algorithm"]["mode"], "gcm");
    let occ = aes["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 2);
    let java = occ
        .iter()
        .find(|o| o["location"]["path"] == "src/main/java/pay/Vault.java")
        .unwrap();
    assert_eq!(java["location"]["line"], 42);
    assert_eq!(java["location"]["container"], bom_path);
    assert_eq!(java["detector"], "cyclonedx");
    assert!(java["context"]
        .as_str()
        .unwrap()
        .contains("AES/GCM/NoPadding"));
    let so = occ
        .iter()
        .find(|o| o["location"]["path"] == "lib/native/libvault.so")
        .unwrap();
    assert_eq!(so["location"]["offset"], 4096);

    assert_eq!(
        a["alg:RSA-PKCS1-1.5-SHA-256"]["algorithm"]["status"],
        "quantum-vulnerable"
    );
    // No occurrence in the BOM: the BOM itself is the location.
    let sig_occ = &a["alg:RSA-PKCS1-1.5-SHA-256"]["occurrences"][0];
    assert_eq!(sig_occ["location"]["path"], bom_path);
    assert_eq!(sig_occ["context"], "bom-ref crypto/algorithm/sha256rsa");
    assert_eq!(
        a["alg:RSA-2048"]["algorithm"]["classical_security_level"],
        112
    );
    assert_eq!(a["alg:ECDH-P-256"]["algorithm"]["curve"], "P-256");
    assert_eq!(a["alg:ECDH-P-256"]["algorithm"]["primitive"], "key-agree");
    assert_eq!(a["alg:ML-KEM-768"]["algorithm"]["status"], "quantum-safe");
    // Unknown to mamori: recorded with the BOM's values, status unknown.
    let own = &a["alg:InHouseCipher-7"]["algorithm"];
    assert_eq!(own["status"], "unknown");
    assert_eq!(own["classical_security_level"], 80);
    assert_eq!(own["primitive"], "block-cipher");

    // The certificate: id from its SHA-256 fingerprint, its algorithms from the refs.
    let cert = &a["cert:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"];
    let cp = &cert["certificate"];
    assert_eq!(cp["subject"], "CN=api.example.com,O=Example");
    assert_eq!(cp["issuer"], "CN=Example Issuing CA,O=Example");
    assert_eq!(cp["serial"], "4f3a9c0d11e2");
    assert_eq!(cp["not_after"], "2026-01-01T00:00:00Z");
    assert_eq!(cp["signature_algorithm"], "RSA-PKCS1-1.5-SHA-256");
    assert_eq!(cp["public_key_algorithm"], "RSA-2048");
    assert_eq!(cp["public_key_size"], 2048);
    assert_eq!(cp["format"], "pem");
    assert_eq!(cert["algorithm"]["status"], "quantum-vulnerable");
    assert_eq!(
        cert["depends_on"],
        json!(["alg:RSA-PKCS1-1.5-SHA-256", "alg:RSA-2048"])
    );
    assert_eq!(
        cert["occurrences"][0]["location"]["path"],
        "deploy/tls/api.pem"
    );

    // The key, nested under an application component.
    let key = &a["key:2b2a4b6e-6f53-4a84-9c38-9a1c0b2d7e11"];
    assert_eq!(key["key"]["material"], "private-key");
    assert_eq!(key["key"]["algorithm"], "RSA-2048");
    assert_eq!(key["key"]["size"], 2048);
    assert_eq!(key["key"]["protection"], "HSM");
    assert_eq!(key["depends_on"], json!(["alg:RSA-2048"]));

    // The protocol, its suite's algorithms and the dependency graph as asset ids.
    let tls = &a["proto:tls-1.2"];
    assert_eq!(tls["protocol"]["version"], "1.2");
    assert_eq!(
        tls["protocol"]["cipher_suites"],
        json!(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
    );
    assert_eq!(tls["occurrences"][0]["location"]["line"], 17);
    let deps: Vec<&str> = tls["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for d in ["alg:ECDH-P-256", "alg:AES-128-GCM", "alg:ML-KEM-768"] {
        assert!(deps.contains(&d), "{deps:?}");
    }
    // Only cryptographic assets: the application components are not inventoried.
    assert!(a
        .keys()
        .all(|k| !k.contains("gateway") && !k.contains("payments")));
    assert_eq!(a.len(), 9, "{:?}", a.keys());
}
