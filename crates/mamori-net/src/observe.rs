//! From a TLS posture to inventory: the same assets the disk scan records, located at
//! `host:port` (detector `net.tls`).
//!
//! - Each accepted protocol version is a protocol asset of its own per endpoint,
//!   `proto:tls-1.2@host:port`, carrying the suites accepted there (decision 009): a
//!   version is a property of a service, and its suite list differs from one to the next.
//! - Suites, groups, DH sizes and signature schemes are the shared `alg:` assets, so an
//!   algorithm configured on disk and accepted on the wire is one asset seen in both places.
//! - Certificates go through the disk scan's own certificate analysis.

use mamori_algorithms::tls as kb;
use mamori_fs::config::{alg_asset, unknown_alg};
use mamori_fs::detect::Output;
use mamori_model::{
    AssetKind, CryptoAsset, Location, Observation, Occurrence, Primitive, ProtocolProps,
    TlsPosture, Warning,
};

use crate::tls::posture::TlsSurvey;

/// Detector name of TLS evidence.
pub const TLS_DETECTOR: &str = "net.tls";

/// The id of the protocol asset of `version` (`TLSv1.2` …) at `endpoint`.
pub fn tls_protocol_id(version: &str, endpoint: &str) -> String {
    format!("{}@{endpoint}", kb::protocol_asset_id(version))
}

/// Observations of one TLS endpoint, and warnings for certificates that would not parse.
pub fn tls_observations(endpoint: &str, survey: &TlsSurvey) -> (Vec<Observation>, Vec<Warning>) {
    let p: &TlsPosture = &survey.posture;
    let loc = Location::file(endpoint);
    let mut out = Vec::new();
    let mut at = |asset: CryptoAsset, ctx: String| {
        out.push(Observation {
            asset,
            occurrence: Occurrence {
                location: loc.clone(),
                detector: TLS_DETECTOR.into(),
                context: Some(ctx),
                package: None,
            },
        })
    };
    for v in &p.versions {
        let suites = p.suites.get(v).cloned().unwrap_or_default();
        let Some(pv) = kb::protocol_version(v) else {
            continue;
        };
        let mut a = CryptoAsset::new(
            AssetKind::Protocol,
            tls_protocol_id(v, endpoint),
            format!("{} {}", pv.family().to_ascii_uppercase(), pv.version),
        );
        a.protocol = Some(ProtocolProps {
            kind: pv.family().to_string(),
            version: Some(pv.version.clone()),
            cipher_suites: suites.clone(),
        });
        a.algorithm = Some(pv.props());
        let order = match p.server_order.get(v) {
            Some(true) => ", server's order",
            Some(false) => ", client's order",
            None => "",
        };
        at(a, format!("{v} accepted ({} suites{order})", suites.len()));
        for s in &suites {
            let props = kb::suite_by_name(s)
                .map(|c| c.props())
                .unwrap_or_else(|| unknown_alg(s, Primitive::Other));
            at(alg_asset(props), format!("{v} cipher suite accepted"));
        }
    }
    for g in &p.groups {
        let props = kb::group_by_name(g)
            .map(|g| g.props())
            .unwrap_or_else(|| unknown_alg(g, Primitive::KeyAgree));
        at(alg_asset(props), "key-exchange group accepted".into());
    }
    for bits in &p.dh_bits {
        at(
            alg_asset(mamori_algorithms::ffdh(*bits)),
            format!("DHE key exchange with a {bits}-bit prime"),
        );
    }
    for s in &p.signature_schemes {
        let props = kb::signature_scheme_by_name(s)
            .map(|x| x.props())
            .unwrap_or_else(|| unknown_alg(s, Primitive::Signature));
        at(alg_asset(props), "handshake signature scheme".into());
    }
    let mut certs = Output::default();
    let mut warnings = Vec::new();
    for der in &survey.certificates {
        if let Err(e) = mamori_fs::certs::record_certificate(der, loc.clone(), "tls", &mut certs) {
            warnings.push(Warning::new(
                endpoint,
                format!("certificate served could not be read: {e}"),
            ));
        }
    }
    out.extend(certs.observations);
    (out, warnings)
}
