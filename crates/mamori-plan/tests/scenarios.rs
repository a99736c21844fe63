//! The planner's reasoning, scenario by scenario: assets are made with the knowledge base's
//! own properties (the same the detectors record), placed where detectors place them
//! (`host:port` for services, paths for files), and the plan must conclude what a
//! migration engineer would.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_algorithms::tls;
use mamori_model::{
    AssetKind, CertificateProps, CryptoAsset, Endpoint, KeyProps, LibraryProps, Location,
    Occurrence, ScanResult, TlsPosture,
};
use mamori_plan::assess::{Priority, Settings, State, Track};
use mamori_plan::attribution::Attribution;
use mamori_plan::plan::{build, Inputs, Plan, RunRef};
use mamori_plan::policy::Policy;
use mamori_plan::register::Register;
use mamori_plan::roadmap::ActionKind;
use std::path::Path;

fn at(mut a: CryptoAsset, path: &str, detector: &str, line: Option<u32>) -> CryptoAsset {
    a.occurrences.push(Occurrence {
        location: Location {
            path: path.into(),
            line,
            offset: None,
            container: None,
        },
        detector: detector.into(),
        context: None,
        package: None,
    });
    a
}

fn alg(props: mamori_model::AlgorithmProps) -> CryptoAsset {
    let mut a = CryptoAsset::new(
        AssetKind::Algorithm,
        format!("alg:{}", props.name),
        props.name.clone(),
    );
    a.algorithm = Some(props);
    a
}

fn group(name: &str) -> CryptoAsset {
    alg(tls::group_by_name(name).expect(name).props())
}

fn suite(name: &str) -> CryptoAsset {
    alg(tls::suite_by_name(name).expect(name).props())
}

fn by_name(name: &str) -> CryptoAsset {
    alg(mamori_algorithms::by_name(name).unwrap_or_else(|| panic!("{name} in the KB")))
}

/// A certificate with an RSA key of `bits`, as the certificate detector records it.
fn rsa_cert(subject: &str, issuer: &str, is_ca: bool, days: u32) -> CryptoAsset {
    let mut a = CryptoAsset::new(
        AssetKind::Certificate,
        format!("cert:{subject}"),
        subject.to_string(),
    );
    a.algorithm = Some(mamori_algorithms::rsa(2048));
    a.certificate = Some(CertificateProps {
        subject: subject.into(),
        issuer: issuer.into(),
        serial: "01".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: if days <= 90 {
            "2026-03-01T00:00:00Z".into()
        } else {
            "2028-01-01T00:00:00Z".into()
        },
        signature_algorithm: "RSASSA-PKCS1-v1_5-SHA-256".into(),
        signature_algorithm_oid: "1.2.840.113549.1.1.11".into(),
        public_key_algorithm: "RSA".into(),
        public_key_algorithm_oid: "1.2.840.113549.1.1.1".into(),
        public_key_size: Some(2048),
        curve: None,
        is_ca,
        self_signed: subject == issuer,
        sha256: format!("{subject:0>64}"),
        format: "PEM".into(),
        dns_names: vec![],
    });
    a
}

fn tls_endpoint(name: &str, pq: bool) -> Endpoint {
    let (host, port) = name.rsplit_once(':').unwrap();
    Endpoint {
        endpoint: name.into(),
        host: host.into(),
        port: port.parse().unwrap(),
        service: "tls".into(),
        tls: Some(TlsPosture {
            versions: vec!["TLSv1.2".into(), "TLSv1.3".into()],
            pq_key_exchange: pq,
            ..TlsPosture::default()
        }),
        ..Endpoint::default()
    }
}

fn register(systems: &str) -> Register {
    Register::parse(
        &format!("[organization]\nname = \"Test\"\n\n{systems}"),
        Path::new("/etc/mamori.toml"),
    )
    .unwrap()
}

fn plan_of(reg: &Register, scan: ScanResult, policy: &str) -> Plan {
    plan_with_history(reg, scan, policy, Vec::new())
}

fn plan_with_history(
    reg: &Register,
    scan: ScanResult,
    policy: &str,
    history: Vec<(RunRef, ScanResult)>,
) -> Plan {
    let owners = reg
        .systems
        .iter()
        .flat_map(|s| {
            s.targets
                .iter()
                .map(|t| (t.trim_start_matches("tls://").to_string(), s.id.clone()))
        })
        .collect::<Vec<_>>();
    let policy = Policy::builtin(policy).unwrap();
    build(
        Inputs {
            register: reg,
            attribution: &Attribution::new(owners),
            settings: Settings {
                crqc_year: policy.crqc_year,
                policy,
                year: 2026,
            },
            current: (
                Some(RunRef {
                    id: 9,
                    started: "2026-11-26T00:00:00Z".into(),
                }),
                scan,
            ),
        },
        history,
    )
}

/// A TLS service at `ep` negotiating only classical key exchange, with an RSA-2048 chain.
fn classical_tls(ep: &str) -> ScanResult {
    ScanResult {
        assets: vec![
            at(group("x25519"), ep, "net.tls", None),
            at(group("secp256r1"), ep, "net.tls", None),
            at(
                suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                ep,
                "net.tls",
                None,
            ),
            at(suite("TLS_AES_256_GCM_SHA384"), ep, "net.tls", None),
            at(
                rsa_cert("CN=www.example.org", "CN=Example CA", false, 365),
                ep,
                "net.tls",
                None,
            ),
        ],
        endpoints: vec![tls_endpoint(ep, false)],
        ..ScanResult::default()
    }
}

#[test]
fn critical_long_secret_over_classical_tls_is_p1_by_2030_under_ldp_2024() {
    let reg = register(
        "[[system]]\nid = \"tax\"\nname = \"Tax records\"\ncriticality = \"critical\"\nconfidentiality_years = 30\ntargets = [\"tls://10.0.0.5:443\"]\n",
    );
    let p = plan_of(&reg, classical_tls("10.0.0.5:443"), "ldp-2024");
    let s = &p.systems[0];
    assert_eq!(s.priority, Priority::P1, "{:#?}", s.reasons);
    assert_eq!(s.deadline, Some(2030));
    assert!(s.mosca.exposed && s.mosca.x == 30 && s.mosca.z == 9);
    assert!(s.mosca.y > 0.0 && s.mosca.margin < 0.0);
    assert_eq!(s.key_exchange, Track::Pending);
    assert_eq!(s.signatures, Track::Pending);
    let keys: Vec<&str> = s.reasons.iter().map(|r| r.key.as_str()).collect();
    assert!(keys.contains(&"plan.reason.hndl-exposed"), "{keys:?}");
    assert!(keys.contains(&"plan.reason.deadline-policy"), "{keys:?}");
    // The action is located at the service, in wave 1, due 2030.
    let a = p
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::EnablePqTls)
        .expect("enable PQ key exchange");
    assert_eq!(
        (a.target.as_str(), a.wave, a.deadline),
        ("10.0.0.5:443", 1, Some(2030))
    );
    assert!(p.actions.iter().any(|a| a.kind == ActionKind::ReissueCert));
    // The same system under a policy that dates it 2035 keeps P1 (the data is exposed)
    // but gets the later deadline.
    let p = plan_of(&reg, classical_tls("10.0.0.5:443"), "jp-gov-2035");
    assert_eq!(p.systems[0].priority, Priority::P1);
    assert_eq!(p.systems[0].deadline, Some(2035));
}

#[test]
fn low_criticality_tool_with_only_aes_256_and_sha_384_needs_nothing() {
    let reg = register(
        "[[system]]\nid = \"tool\"\nname = \"Internal tool\"\ncriticality = \"low\"\nconfidentiality_years = 1\ntargets = [\"/srv/tool\"]\n",
    );
    let scan = ScanResult {
        assets: vec![
            at(
                by_name("AES-256-GCM"),
                "/srv/tool/crypt.py",
                "source.python",
                Some(4),
            ),
            at(
                by_name("SHA-384"),
                "/srv/tool/crypt.py",
                "source.python",
                Some(9),
            ),
        ],
        ..ScanResult::default()
    };
    let p = plan_of(&reg, scan, "ldp-2024");
    let s = &p.systems[0];
    assert!(s.inventoried);
    assert_eq!((s.priority, s.deadline, s.pending), (Priority::P4, None, 0));
    assert_eq!(s.mosca.y, 0.0);
    assert!(p.actions.is_empty() && p.waves.is_empty());
    assert_eq!(s.reasons.last().unwrap().key, "plan.reason.nothing-to-do");
    assert!(
        p.rows.iter().all(|r| r.state == State::Safe),
        "{:?}",
        p.rows
    );
}

#[test]
fn hybrid_key_exchange_with_rsa_certificates_is_kex_done_signatures_pending() {
    let reg = register(
        "[[system]]\nid = \"web\"\nname = \"Web\"\ncriticality = \"high\"\nconfidentiality_years = 10\ntargets = [\"tls://web.example:443\"]\n",
    );
    let ep = "web.example:443";
    let mut scan = classical_tls(ep);
    scan.assets
        .push(at(group("X25519MLKEM768"), ep, "net.tls", None));
    scan.endpoints = vec![tls_endpoint(ep, true)];
    let p = plan_of(&reg, scan, "ldp-2024");
    let s = &p.systems[0];
    assert_eq!(s.key_exchange, Track::Done, "{:#?}", s.reasons);
    assert_eq!(s.signatures, Track::Pending);
    assert!(!s.mosca.exposed);
    // Classical groups still accepted for old clients are a fallback, not work.
    let x25519 = group("x25519").id;
    let row = p
        .rows
        .iter()
        .find(|r| p.scan.assets[r.asset].id == x25519)
        .unwrap();
    assert_eq!((row.state, row.open), (State::Fallback, 0));
    assert!(!p.actions.iter().any(|a| a.kind == ActionKind::EnablePqTls));
    assert!(p.actions.iter().any(|a| a.kind == ActionKind::ReissueCert));
    let keys: Vec<&str> = s.reasons.iter().map(|r| r.key.as_str()).collect();
    assert!(keys.contains(&"plan.reason.kex-done"), "{keys:?}");
    assert!(keys.contains(&"plan.reason.signatures-pending"), "{keys:?}");
}

#[test]
fn nist_dates_112_bit_algorithms_2030_whatever_the_system() {
    let reg = register(
        "[[system]]\nid = \"ops\"\nname = \"Ops\"\ncriticality = \"medium\"\nconfidentiality_years = 1\ntargets = [\"/srv/ops\"]\n",
    );
    let scan = ScanResult {
        assets: vec![at(
            alg(mamori_algorithms::rsa(2048)),
            "/srv/ops/sign.go",
            "source.go",
            Some(12),
        )],
        ..ScanResult::default()
    };
    let p = plan_of(&reg, scan.clone(), "nist-ir-8547");
    assert_eq!(
        p.systems[0].deadline,
        Some(2030),
        "{:#?}",
        p.systems[0].reasons
    );
    assert!(p.systems[0]
        .reasons
        .iter()
        .any(|r| r.key == "plan.reason.deadline-security" && r.args["bits"] == "112"));
    // The proposal dates medium systems 2035 and has no per-strength rule.
    assert_eq!(
        plan_of(&reg, scan, "ldp-2024").systems[0].deadline,
        Some(2035)
    );
}

#[test]
fn a_library_before_its_services_and_a_ca_before_its_certificates() {
    let reg = register(
        "[[system]]\nid = \"pay\"\nname = \"Payments\"\ncriticality = \"critical\"\nconfidentiality_years = 10\ntargets = [\"tls://10.0.0.5:443\", \"/srv/pay\"]\n",
    );
    let mut scan = classical_tls("10.0.0.5:443");
    let mut lib = CryptoAsset::new(AssetKind::Library, "lib:OpenSSL@3.0.11", "OpenSSL 3.0.11");
    lib.library = Some(LibraryProps {
        library: "OpenSSL".into(),
        version: Some("3.0.11".into()),
        linkage: "dynamic".into(),
    });
    scan.assets
        .push(at(lib, "/srv/pay/lib/libssl.so.3", "binary", None));
    scan.assets.push(at(
        rsa_cert("CN=Pay CA", "CN=Root", true, 3650),
        "/srv/pay/ca.pem",
        "certificate",
        None,
    ));
    scan.assets.push(at(
        rsa_cert("CN=api.pay", "CN=Pay CA", false, 365),
        "/srv/pay/api.pem",
        "certificate",
        None,
    ));
    let p = plan_of(&reg, scan, "ldp-2024");
    let find = |k: ActionKind| p.actions.iter().find(|a| a.kind == k).unwrap();
    let upgrade = find(ActionKind::UpgradeLibrary);
    assert_eq!(upgrade.arg("version"), "3.0.11");
    assert_eq!(upgrade.arg("from"), "3.5");
    let enable = find(ActionKind::EnablePqTls);
    assert_eq!(enable.arg("found"), "OpenSSL 3.0.11");
    assert_eq!(enable.depends_on, vec![upgrade.id.clone()]);
    let ca = find(ActionKind::MigrateCa);
    let leaf = p
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::ReissueCert && a.target == "/srv/pay/api.pem")
        .unwrap();
    assert_eq!(leaf.depends_on, vec![ca.id.clone()]);
    // Prerequisites come first in the roadmap.
    let pos = |id: &str| p.actions.iter().position(|a| a.id == id).unwrap();
    assert!(pos(&upgrade.id) < pos(&enable.id) && pos(&ca.id) < pos(&leaf.id));
}

#[test]
fn keys_of_others_and_trust_anchors_are_not_the_systems_work() {
    let reg = register(
        "[[system]]\nid = \"h\"\nname = \"Host\"\ncriticality = \"high\"\nconfidentiality_years = 5\ntargets = [\"/etc\"]\n",
    );
    let key = |material: &str, id: &str| {
        let mut a = CryptoAsset::new(AssetKind::Key, id, "RSA-4096");
        a.algorithm = Some(mamori_algorithms::rsa(4096));
        a.key = Some(KeyProps {
            material: material.into(),
            algorithm: "RSA-4096".into(),
            size: Some(4096),
            curve: None,
            format: "OpenPGP".into(),
            fingerprint: None,
            spki_sha256: None,
            encrypted: None,
            protection: None,
            label: None,
        });
        a
    };
    let scan = ScanResult {
        assets: vec![
            at(
                key("public-key", "key:a"),
                "/etc/apt/trusted.gpg.d/debian.asc",
                "key",
                None,
            ),
            at(
                key("private-key", "key:b"),
                "/etc/ssl/private/app.key",
                "key",
                None,
            ),
            at(
                rsa_cert("CN=Root", "CN=Root", true, 7000),
                "/etc/ssl/certs/root.pem",
                "certificate",
                None,
            ),
        ],
        ..ScanResult::default()
    };
    let p = plan_of(&reg, scan, "ldp-2024");
    let states: Vec<(String, State)> = p
        .rows
        .iter()
        .map(|r| (p.scan.assets[r.asset].id.clone(), r.state))
        .collect();
    assert!(states.contains(&("key:a".into(), State::External)));
    assert!(states.contains(&("key:b".into(), State::Vulnerable)));
    assert!(states.contains(&("cert:CN=Root".into(), State::External)));
    assert_eq!(p.systems[0].pending, 1);
    let replace: Vec<&str> = p
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::ReplaceKey)
        .map(|a| a.target.as_str())
        .collect();
    assert_eq!(replace, ["/etc/ssl/private/app.key"]);
}

#[test]
fn agility_rewards_configured_choice_and_central_policy() {
    let reg = register(
        "[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"medium\"\nconfidentiality_years = 5\ntargets = [\"/srv/a\"]\n\n[[system]]\nid = \"b\"\nname = \"B\"\ncriticality = \"medium\"\nconfidentiality_years = 5\ntargets = [\"/srv/b\"]\n",
    );
    let mut ecdh = by_name("ECDH-P-256");
    ecdh = at(
        ecdh,
        "/srv/a/etc/crypto-policies/back-ends/opensslcnf.config",
        "config.crypto-policies",
        Some(3),
    );
    ecdh = at(ecdh, "/srv/b/src/kx.java", "source.java", Some(20));
    let p = plan_of(
        &reg,
        ScanResult {
            assets: vec![ecdh],
            ..ScanResult::default()
        },
        "ldp-2024",
    );
    let (a, b) = (&p.systems[0].agility, &p.systems[1].agility);
    assert!(a.score > b.score, "{a:#?} {b:#?}");
    let part = |x: &mamori_plan::assess::Agility, n: &str| {
        x.parts.iter().find(|p| p.part == n).unwrap().points
    };
    assert_eq!((part(a, "choice"), part(b, "choice")), (25, 0));
    assert_eq!((part(a, "policy"), part(b, "policy")), (25, 0));
    // Hard-coded cryptography makes the migration longer.
    assert!(p.systems[1].mosca.y > p.systems[0].mosca.y);
    // Each system's actions name only its own places.
    for act in &p.actions {
        assert!(
            act.target.starts_with(&format!("/srv/{}/", act.system)),
            "{act:?}"
        );
    }
}

#[test]
fn progress_over_runs_counts_down_and_names_done_actions() {
    let reg = register(
        "[[system]]\nid = \"tax\"\nname = \"Tax\"\ncriticality = \"critical\"\nconfidentiality_years = 30\ntargets = [\"tls://10.0.0.5:443\", \"tls://10.0.0.6:443\"]\n",
    );
    let mut before = classical_tls("10.0.0.5:443");
    let other = classical_tls("10.0.0.6:443");
    for (a, b) in before.assets.iter_mut().zip(other.assets) {
        a.occurrences.extend(b.occurrences);
    }
    before.endpoints.extend(other.endpoints);
    // Later, .6 offers X25519MLKEM768.
    let mut after = before.clone();
    after.endpoints[1] = tls_endpoint("10.0.0.6:443", true);
    after
        .assets
        .push(at(group("X25519MLKEM768"), "10.0.0.6:443", "net.tls", None));
    let hist = vec![(
        RunRef {
            id: 4,
            started: "2026-10-01T00:00:00Z".into(),
        },
        before,
    )];
    let p = plan_with_history(&reg, after, "ldp-2024", hist);
    assert_eq!(p.progress.len(), 2);
    assert_eq!(p.progress[0].run, 4);
    assert_eq!(p.totals.resolved, 1, "{:#?}", p.actions);
    assert!(p
        .actions
        .iter()
        .all(|a| a.kind != ActionKind::EnablePqTls || a.target == "10.0.0.5:443"));
    let s = &p.systems[0];
    assert_eq!(s.key_exchange, Track::Partial);
    let r = s
        .reasons
        .iter()
        .find(|r| r.key == "plan.reason.progress")
        .expect("progress reason");
    assert_eq!(r.args["date"], "2026-10-01");
    assert_eq!(p.progress[1].run, 9);
    // The classical groups and the TLS 1.2 suite no longer count at .6.
    assert_eq!(
        p.progress[0].open - p.progress[1].open,
        3,
        "{:?}",
        p.progress
    );
    assert_eq!(r.args["now"], p.progress[1].open.to_string());
}

#[test]
fn a_system_never_scanned_is_ranked_by_criticality_and_says_so() {
    let reg = register(
        "[[system]]\nid = \"x\"\nname = \"X\"\ncriticality = \"critical\"\nconfidentiality_years = 5\ntargets = [\"/srv/x\"]\n",
    );
    let p = plan_of(&reg, ScanResult::default(), "ldp-2024");
    let s = &p.systems[0];
    assert!(!s.inventoried);
    assert_eq!((s.priority, s.deadline), (Priority::P1, Some(2030)));
    assert_eq!(s.reasons[0].key, "plan.reason.not-inventoried");
}

/// `a` seen at `path` in a file the installed package `name` owns.
fn owned(mut a: CryptoAsset, path: &str, detector: &str, name: &str) -> CryptoAsset {
    a.occurrences.push(Occurrence {
        location: Location::file(path).with_line(7),
        detector: detector.into(),
        context: None,
        package: Some(Box::new(mamori_model::PackageRef {
            name: name.into(),
            version: "3.11.2-6".into(),
            purl: format!("pkg:deb/debian/{name}@3.11.2-6?arch=amd64&distro=debian-12"),
            root: "/srv/a".into(),
        })),
    });
    a
}

#[test]
fn what_an_installed_package_owns_is_an_upgrade_of_the_package_not_the_systems_code() {
    let reg = register(
        "[[system]]\nid = \"a\"\nname = \"A\"\ncriticality = \"medium\"\nconfidentiality_years = 5\ntargets = [\"/srv/a\"]\n\n[[system]]\nid = \"b\"\nname = \"B\"\ncriticality = \"medium\"\nconfidentiality_years = 5\ntargets = [\"/srv/b\"]\n",
    );
    let stdlib = "libpython3.11-stdlib";
    // System a: the same MD5 and ECDH, but only in its Python standard library; system b
    // calls them in its own code.
    let md5 = owned(
        by_name("MD5"),
        "/srv/a/usr/lib/python3.11/hashlib.py",
        "source.python",
        stdlib,
    );
    let md5 = at(md5, "/srv/b/app/x.py", "source.python", Some(3));
    let ecdh = owned(
        by_name("ECDH-P-256"),
        "/srv/a/usr/lib/python3.11/ssl.py",
        "source.python",
        stdlib,
    );
    let ecdh = at(ecdh, "/srv/b/app/kx.py", "source.python", Some(9));
    let p = plan_of(
        &reg,
        ScanResult {
            assets: vec![md5, ecdh],
            ..ScanResult::default()
        },
        "ldp-2024",
    );
    let origins: Vec<(&str, &str)> = p
        .rows
        .iter()
        .map(|r| (p.systems[r.system].id.as_str(), r.origin.as_str()))
        .collect();
    assert_eq!(
        origins,
        [
            ("a", "package"),
            ("a", "package"),
            ("b", "code"),
            ("b", "code")
        ]
    );
    let of = |s: &str| -> Vec<(ActionKind, String)> {
        p.actions
            .iter()
            .filter(|a| a.system == s)
            .map(|a| (a.kind, a.target.clone()))
            .collect()
    };
    // One upgrade of the package, not a change of the system's code per file.
    assert_eq!(
        of("a"),
        [(
            ActionKind::UpgradePackage,
            "/srv/a/usr/lib/python3.11/hashlib.py:7".to_string()
        )]
    );
    let up = p
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::UpgradePackage)
        .unwrap();
    assert_eq!(up.arg("package"), stdlib);
    assert_eq!(up.assets, 2);
    assert_eq!(up.key(), format!("a|upgrade-package|{stdlib}"));
    let b = of("b");
    assert!(
        b.contains(&(ActionKind::RemoveBroken, "/srv/b/app/x.py:3".to_string())),
        "{b:?}"
    );
    assert!(
        b.contains(&(ActionKind::ReplaceInCode, "/srv/b/app/kx.py:9".to_string())),
        "{b:?}"
    );
    // A package's code is no code of the system's: it does not lengthen the migration.
    assert!(p.systems[1].mosca.y > p.systems[0].mosca.y);
}
