//! What an SSH server offers, as inventory observations located at `host:port`.
//!
//! Algorithm assets are made exactly as the `sshd_config` detector makes them
//! (`alg:<SSH name>`, properties from the SSH table), and host keys exactly as the key
//! detector makes them from a `.pub` file ([`mamori_fs::keys::ssh_blob`] and
//! [`mamori_fs::keys::record_key`]), so what is seen on disk and on the wire merges.

use super::*;
use mamori_algorithms::ssh::{self as ssh_kb, SshCategory};
use mamori_fs::config::alg_asset;
use mamori_fs::detect::Output;
use mamori_fs::keys;
use mamori_model::{
    AlgorithmProps, AssetKind, CryptoAsset, CryptoStatus, KeyProps, Location, Observation,
    Occurrence, Primitive, ProtocolProps,
};

/// The detector name on every observation of this module.
pub const DETECTOR: &str = "net.ssh";

/// Properties of an offered name, as the `sshd_config` detector computes them; `None` for
/// markers that are no algorithm (`kex-strict-s-v00@openssh.com`, `ext-info-s`).
fn props(category: SshCategory, name: &str) -> Option<AlgorithmProps> {
    match ssh_kb::lookup_in(category, name).or_else(|| ssh_kb::lookup(name)) {
        Some(a) if !a.is_algorithm() => None,
        Some(a) => Some(a.props()),
        None => Some(ssh_kb::unknown_props(name, category)),
    }
}

/// Names of two directional lists, each once, with the direction when only one offers it.
fn both_ways<'a>(c2s: &'a [String], s2c: &'a [String]) -> Vec<(&'a str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for n in c2s.iter().chain(s2c) {
        if out.iter().any(|(o, _)| *o == n) {
            continue;
        }
        let dir = match (c2s.contains(n), s2c.contains(n)) {
            (true, true) => "",
            (true, false) => " (client to server only)",
            _ => " (server to client only)",
        };
        out.push((n, dir));
    }
    out
}

/// The SSH protocol as algorithm properties (family `SSH`, primitive other), as the TLS
/// versions are: quantum-vulnerable (sound, but quantum-safe only with a post-quantum or
/// hybrid key exchange), or broken when the server also accepts SSH 1 (`SSH-1.99`).
fn protocol_props(banner: &Banner) -> AlgorithmProps {
    let ssh1 = banner.proto_version == "1.99";
    AlgorithmProps {
        parameter_set: Some("2".into()),
        status: if ssh1 {
            CryptoStatus::Broken
        } else {
            CryptoStatus::QuantumVulnerable
        },
        note: Some(if ssh1 {
            "The server announces SSH-1.99: it also accepts SSH 1, which is broken (CRC-32 \
             integrity, insertion attacks) and must be disabled."
                .into()
        } else {
            "SSH 2 is sound; its key exchange is quantum-safe only with a post-quantum or \
             hybrid method (mlkem768x25519-sha256, sntrup761x25519-sha512)."
                .into()
        }),
        ..AlgorithmProps::unknown("SSH-2", "SSH", Primitive::Other)
    }
}

/// Observations of what the SSH server at `endpoint` (`host:port`) offers: every key
/// exchange, host key, cipher and MAC algorithm of its KEXINIT (markers skipped), every
/// host key in `keys` (the same key asset the disk scan makes for that public key), and one
/// protocol asset `proto:ssh-2@<endpoint>` with the server's software in its context.
pub fn observations(endpoint: &str, info: &SshServerInfo, keys: &[HostKey]) -> Vec<Observation> {
    let loc = Location {
        path: endpoint.to_string(),
        line: None,
        offset: None,
        container: None,
    };
    let mut out = Vec::new();
    let mut push = |asset: CryptoAsset, context: String| {
        out.push(Observation {
            asset,
            occurrence: Occurrence {
                location: loc.clone(),
                detector: DETECTOR.to_string(),
                context: Some(context),
                package: None,
            },
        })
    };
    let k = &info.kexinit;
    let mut used = Vec::new();
    let mut offer = |cat: SshCategory, name: &str, context: String| {
        if let Some(p) = props(cat, name) {
            let a = alg_asset(p);
            if !used.contains(&a.id) {
                used.push(a.id.clone());
            }
            push(a, context);
        }
    };
    for n in &k.kex_algorithms {
        offer(SshCategory::Kex, n, "kex offered by server".into());
    }
    for n in &k.server_host_key_algorithms {
        offer(SshCategory::HostKey, n, "host key algorithm offered".into());
    }
    for (n, dir) in both_ways(
        &k.encryption_client_to_server,
        &k.encryption_server_to_client,
    ) {
        offer(SshCategory::Cipher, n, format!("cipher offered{dir}"));
    }
    for (n, dir) in both_ways(&k.mac_client_to_server, &k.mac_server_to_client) {
        offer(SshCategory::Mac, n, format!("MAC offered{dir}"));
    }
    for key in keys {
        let mut o = Output::default();
        let (alg, kp) = keys::ssh_blob(&key.key_blob).unwrap_or_else(|| {
            // A key the disk parser does not resolve (an unknown curve …): its fingerprint
            // identifies it.
            let alg = keys::unknown_props(&key.key_type);
            let kp = KeyProps {
                material: "public-key".into(),
                algorithm: alg.name.clone(),
                size: key.bits,
                curve: key.curve.clone(),
                format: "openssh-public".into(),
                fingerprint: Some(key.fingerprint.clone()),
                ..KeyProps::default()
            };
            (alg, kp)
        });
        keys::record_key(loc.clone(), alg, kp, &mut o);
        let what = if key.certificate {
            format!("host key in an OpenSSH certificate, for {}", key.algorithm)
        } else {
            format!("host key for {}", key.algorithm)
        };
        for ob in o.observations {
            let context = if ob.asset.kind == AssetKind::Key {
                if !used.contains(&ob.asset.id) {
                    used.push(ob.asset.id.clone());
                }
                what.clone()
            } else {
                "host key algorithm".to_string()
            };
            push(ob.asset, context);
        }
    }
    let mut proto = CryptoAsset::new(
        AssetKind::Protocol,
        format!("proto:ssh-2@{endpoint}"),
        "SSH 2",
    );
    proto.protocol = Some(ProtocolProps {
        kind: "ssh".into(),
        version: Some("2".into()),
        ..ProtocolProps::default()
    });
    proto.algorithm = Some(protocol_props(&info.banner));
    proto.depends_on = used;
    let b = &info.banner;
    let mut context = format!("server software {}", b.software_version);
    if let Some(c) = &b.comments {
        context.push(' ');
        context.push_str(c);
    }
    context.push_str(&format!(" (SSH-{})", b.proto_version));
    push(proto, context.clone());
    // The server's software as a library asset, the same one the disk scan makes from the
    // sshd binary's version string, so end of support and post-quantum capability are
    // judged for it too.
    if let Some(v) = b
        .software_version
        .strip_prefix("OpenSSH_")
        .filter(|v| !v.is_empty())
    {
        push(
            mamori_fs::binary::library_asset("OpenSSH", Some(v), "service"),
            context,
        );
    }
    out
}
