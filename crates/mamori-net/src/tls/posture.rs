//! The whole TLS posture of one endpoint, from hand-made hellos and rustls handshakes run
//! concurrently under the engine's per-host limit:
//!
//! 1. one hello per protocol version (SSL 3.0 … TLS 1.3);
//! 2. for each accepted version, every accepted suite and the server's order; the key
//!    exchanges (curve, DH size, signature scheme) and certificates of TLS ≤ 1.2 flights;
//! 3. the groups: TLS 1.3 groups with an empty key_share, or, without TLS 1.3, the curves
//!    of ECDHE;
//! 4. features: compression, secure renegotiation and OCSP stapling from step 1's hello
//!    of the best version below TLS 1.3, ALPN;
//! 5. rustls handshakes: what a modern client gets, and for TLS 1.3 the signature schemes
//!    (which reveals one chain per key type), offering every group rustls has so a server
//!    configured with post-quantum groups only is surveyed as fully as any other.
//!
//! Every list (suites, groups, curves, schemes, application protocols) is found the same
//! way: offer everything, note what the server chose, remove it, ask again until it
//! refuses — one connection per item the server accepts plus one, and the first answer is
//! taken from an earlier question when one asked it already. `*_each` functions keep the
//! one-at-a-time way as the reference the tests hold the survey to.
//!
//! The quick post-quantum mode (`groups_only`) asks only step 3's question for the
//! post-quantum groups, offering all of them and removing the one chosen until refused.

use std::collections::{BTreeMap, BTreeSet};

use mamori_algorithms::tls as kb;
use mamori_model::{Chain, Negotiated, TlsPosture};

use super::handshake::{self, Groups, Offer, Versions, ALL_SCHEMES, BROWSER_ALPN, TLS13_SCHEMES};
use super::hello::tls13_groups;
use super::probe::{known_suites, suite_kx, Probe, ProbeError, PQ_GROUPS};
use super::ske::{self, KeyExchange};
use super::{Flight, HelloSpec, KeyShare, ServerReply, SSL3, TLS10, TLS11, TLS12, TLS13};

/// A posture with the certificates behind its chains.
#[derive(Debug, Clone, Default)]
pub struct TlsSurvey {
    /// The posture.
    pub posture: TlsPosture,
    /// Every certificate seen (DER), each once, in the order first seen.
    pub certificates: Vec<Vec<u8>>,
}

/// `SSLv3` … `TLSv1.3`.
pub fn version_name(v: u16) -> String {
    match v {
        SSL3 => "SSLv3".into(),
        TLS10 => "TLSv1.0".into(),
        TLS11 => "TLSv1.1".into(),
        TLS12 => "TLSv1.2".into(),
        TLS13 => "TLSv1.3".into(),
        v => format!("0x{v:04x}"),
    }
}

/// A suite's IANA name, or its code.
pub fn suite_name(c: u16) -> String {
    kb::suite_by_code(c)
        .map(|s| s.iana.clone())
        .unwrap_or_else(|| format!("0x{c:04X}"))
}

/// A group's IANA name, or its code.
pub fn group_name(c: u16) -> String {
    kb::group_by_code(c)
        .map(|g| g.name.clone())
        .unwrap_or_else(|| format!("0x{c:04X}"))
}

/// A signature scheme's IANA name, or its code.
pub fn scheme_name(c: u16) -> String {
    kb::signature_scheme_by_code(c)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| format!("0x{c:04X}"))
}

/// Whether a group is post-quantum (pure ML-KEM or a hybrid with it, drafts included).
pub fn is_pq_group(c: u16) -> bool {
    kb::group_by_code(c).is_some_and(|g| kb::is_post_quantum_group(&g.name))
        || PQ_GROUPS.contains(&c)
}

#[derive(Default)]
struct Collected {
    certificates: Vec<Vec<u8>>,
    chains: Vec<Vec<Vec<u8>>>,
    dh_bits: BTreeSet<u32>,
    curves12: BTreeSet<u16>,
    schemes: BTreeSet<u16>,
}

impl Collected {
    fn chain(&mut self, chain: &[Vec<u8>]) {
        let Some(leaf) = chain.first() else {
            return;
        };
        if !self.chains.iter().any(|c| c.first() == Some(leaf)) {
            self.chains.push(chain.to_vec());
        }
        for c in chain {
            if !self.certificates.contains(c) {
                self.certificates.push(c.clone());
            }
        }
    }

    fn flight(&mut self, version: u16, f: &Flight) {
        self.chain(&f.certificates);
        let ServerReply::Hello(h) = &f.reply else {
            return;
        };
        let (Some(body), Some(kx)) = (f.server_key_exchange.as_deref(), suite_kx(h.cipher_suite))
        else {
            return;
        };
        match ske::parse(body, kx, version) {
            Some(KeyExchange::Ecdhe { group, scheme }) => {
                self.curves12.insert(group);
                self.schemes.extend(scheme);
            }
            Some(KeyExchange::Dhe { p_bits, scheme }) => {
                self.dh_bits.insert(p_bits);
                self.schemes.extend(scheme);
            }
            None => {}
        }
    }
}

/// Surveys the endpoint behind `probe`. `Err` only when it cannot be reached or does not
/// speak TLS at all.
pub async fn survey(probe: &Probe<'_>, groups_only: bool) -> Result<TlsSurvey, ProbeError> {
    if groups_only {
        return quick_pq(probe).await;
    }
    let versions = probe.versions().await?;
    let accepted: Vec<u16> = versions
        .iter()
        .filter(|(_, f)| f.is_some())
        .map(|(v, _)| *v)
        .collect();
    if accepted.is_empty() {
        // Say why: the reply to an ordinary TLS 1.2 hello.
        let spec = HelloSpec::new(TLS12, &known_suites(TLS12), probe.sni.as_deref());
        return match probe.hello(&spec).await {
            Err(e) => Err(e),
            Ok(_) => Ok(TlsSurvey::default()),
        };
    }
    let mut col = Collected::default();
    let mut posture = TlsPosture {
        versions: accepted.iter().map(|&v| version_name(v)).collect(),
        ..TlsPosture::default()
    };
    // Secure renegotiation, compression and OCSP stapling, from the hello of the best
    // version below TLS 1.3 (which offered DEFLATE and asked for a stapled response).
    let best12 = accepted.iter().copied().filter(|&v| v < TLS13).max();
    let mut ocsp = None;
    for (v, f) in &versions {
        if let Some(f) = f {
            col.flight(*v, f);
            if Some(*v) == best12 {
                if let ServerReply::Hello(h) = &f.reply {
                    posture.secure_renegotiation = Some(h.renegotiation_info.is_some());
                    posture.compression = Some(h.compression != 0);
                }
                ocsp = Some(
                    f.handshake_types
                        .contains(&super::hello::HS_CERTIFICATE_STATUS),
                );
            }
        }
    }
    let has13 = accepted.contains(&TLS13);
    let first13 = versions
        .iter()
        .find(|(v, _)| *v == TLS13)
        .and_then(|(_, f)| f.as_ref());

    let firsts: Vec<(u16, Option<Flight>)> = versions
        .iter()
        .filter(|(_, f)| f.is_some())
        .map(|(v, f)| (*v, f.clone()))
        .collect();
    let suites = futures_util::future::join_all(firsts.into_iter().map(|(v, first)| async move {
        let mut flights = Vec::new();
        let r = probe.suites(v, first, |f| flights.push(f.clone())).await;
        (v, r, flights)
    }));
    let groups = async {
        if has13 {
            let all = tls13_groups();
            let mut found = probe.groups13(&all, first13).await?;
            found.sort_by_key(|g| all.iter().position(|x| x == g));
            Ok(found)
        } else if let Some(v) = best12 {
            let ec = ec_groups();
            let mut found = probe.curves12(v, &ec).await?;
            found.sort_by_key(|g| ec.iter().position(|x| x == g));
            Ok(found)
        } else {
            Ok(Vec::new())
        }
    };
    let handshakes = async {
        let modern = full_handshake(
            probe,
            &Offer {
                schemes: &ALL_SCHEMES,
                versions: Versions::Both,
                groups: Groups::Browser,
                alpn: &BROWSER_ALPN,
            },
        )
        .await;
        let (schemes, alpn) = tokio::join!(
            schemes13(probe, has13, modern.as_ref().ok()),
            alpn_protocols(probe, best12, has13, modern.as_ref().ok())
        );
        (modern, schemes, alpn)
    };
    let (suites, groups, (modern, schemes13, alpn)) = tokio::join!(suites, groups, handshakes);

    for (v, r, flights) in suites {
        let r = r?;
        for f in &flights {
            col.flight(v, f);
        }
        let name = version_name(v);
        if let Some(o) = r.server_order {
            posture.server_order.insert(name.clone(), o);
        }
        posture
            .suites
            .insert(name, r.accepted.iter().map(|&c| suite_name(c)).collect());
    }
    let groups = groups?;
    posture.groups = groups.iter().map(|&g| group_name(g)).collect();
    posture.pq_key_exchange = groups.iter().any(|&g| is_pq_group(g));
    posture.dh_bits = col.dh_bits.iter().copied().collect();
    if let Ok(h) = &modern {
        posture.modern_client = Some(Negotiated {
            version: version_name(h.version),
            suite: suite_name(h.suite),
            group: h.group.map(group_name),
            alpn: h.alpn.clone(),
        });
    }
    for h in modern.iter().chain(&schemes13) {
        col.chain(&h.chain);
        col.schemes.extend(h.scheme);
        ocsp = Some(ocsp.unwrap_or(false) || h.ocsp);
    }
    posture.ocsp_stapling = ocsp;
    posture.alpn = alpn?;
    posture.signature_schemes = col.schemes.iter().map(|&s| scheme_name(s)).collect();
    if !has13 {
        // Without TLS 1.3 the groups are the ECDHE curves; curves seen in key exchanges
        // count too.
        for c in &col.curves12 {
            let n = group_name(*c);
            if !posture.groups.contains(&n) {
                posture.groups.push(n);
            }
        }
    }
    let host = probe
        .sni
        .clone()
        .unwrap_or_else(|| probe.addr.ip().to_string());
    posture.chains = col
        .chains
        .iter()
        .filter_map(|c| chain_info(c, &host))
        .collect();
    Ok(TlsSurvey {
        posture,
        certificates: col.certificates,
    })
}

/// The elliptic-curve groups a TLS ≤ 1.2 ECDHE key exchange may use.
pub fn ec_groups() -> Vec<u16> {
    kb::groups()
        .iter()
        .filter(|g| g.kind == "ec" || g.kind == "ecx")
        .map(|g| g.code)
        .collect()
}

/// The TLS 1.3 signature schemes the server signs with, each with the handshake that
/// showed it (and so the chain of the key that signs with it): offer every scheme, note
/// the one the server signs with, remove it, repeat until the handshake fails. `modern`,
/// when it negotiated TLS 1.3, is the first answer. Every group is offered, so a server
/// configured with post-quantum groups only is seen too.
pub async fn schemes13(
    probe: &Probe<'_>,
    has13: bool,
    modern: Option<&handshake::Handshake>,
) -> Vec<handshake::Handshake> {
    if !has13 {
        return Vec::new();
    }
    let mut left = TLS13_SCHEMES.to_vec();
    if let Some(s) = modern.filter(|h| h.version == TLS13).and_then(|h| h.scheme) {
        left.retain(|&x| x != s);
    }
    let mut out = Vec::new();
    while !left.is_empty() {
        let Ok(h) = full_handshake(
            probe,
            &Offer {
                schemes: &left,
                versions: Versions::Tls13,
                groups: Groups::All,
                alpn: &BROWSER_ALPN,
            },
        )
        .await
        else {
            break;
        };
        let i = h.scheme.and_then(|s| left.iter().position(|&x| x == s));
        out.push(h);
        // a scheme not offered: the server misbehaves; stop rather than loop
        let Some(i) = i else {
            break;
        };
        left.remove(i);
    }
    out
}

/// The TLS 1.3 signature schemes the server signs with, asked one at a time: the
/// reference the tests hold [`survey`]'s (which removes what the server chose and asks
/// again) to.
pub async fn schemes13_each(probe: &Probe<'_>) -> BTreeSet<String> {
    let asks = TLS13_SCHEMES.iter().map(|&s| async move {
        let offer = Offer {
            schemes: &[s],
            versions: Versions::Tls13,
            groups: Groups::All,
            alpn: &BROWSER_ALPN,
        };
        full_handshake(probe, &offer)
            .await
            .ok()
            .map(|h| scheme_name(h.scheme.unwrap_or(s)))
    });
    futures_util::future::join_all(asks)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Which of the browsers' application protocols (h2, http/1.1) the server agrees to:
/// offer both, note the one chosen, remove it, ask again. Asked in a TLS ≤ 1.2 hello when
/// the server speaks one (the ServerHello names the protocol in the clear), else in a
/// TLS 1.3 handshake (where it is encrypted). `modern`, the handshake that offered both,
/// is the first answer.
pub async fn alpn_protocols(
    probe: &Probe<'_>,
    best12: Option<u16>,
    has13: bool,
    modern: Option<&handshake::Handshake>,
) -> Result<Vec<String>, ProbeError> {
    let mut left: Vec<&str> = BROWSER_ALPN.to_vec();
    let mut found: Vec<&str> = Vec::new();
    let mut first = modern.map(|h| h.alpn.clone());
    while !left.is_empty() {
        let got = match first.take() {
            Some(got) => got,
            None => alpn_choice(probe, best12, has13, &left).await?,
        };
        let Some(i) = got.and_then(|p| left.iter().position(|&x| x == p)) else {
            break;
        };
        found.push(left.remove(i));
    }
    found.sort_by_key(|p| BROWSER_ALPN.iter().position(|x| x == p));
    Ok(found.into_iter().map(str::to_string).collect())
}

/// The protocol the server picks from `offer`.
async fn alpn_choice(
    probe: &Probe<'_>,
    best12: Option<u16>,
    has13: bool,
    offer: &[&str],
) -> Result<Option<String>, ProbeError> {
    if let Some(v) = best12 {
        let mut spec = HelloSpec::new(v, &known_suites(v), probe.sni.as_deref());
        spec.alpn = offer.iter().map(|p| p.to_string()).collect();
        return Ok(probe.accepted(v, &spec).await?.and_then(|f| match f.reply {
            ServerReply::Hello(h) => h.alpn.map(|a| String::from_utf8_lossy(&a).into_owned()),
            _ => None,
        }));
    }
    if !has13 {
        return Ok(None);
    }
    let o = Offer {
        schemes: &ALL_SCHEMES,
        versions: Versions::Tls13,
        groups: Groups::All,
        alpn: offer,
    };
    Ok(full_handshake(probe, &o).await.ok().and_then(|h| h.alpn))
}

/// Which of the browsers' application protocols the server agrees to, each offered alone:
/// the reference the tests hold [`survey`]'s to.
pub async fn alpn_each(
    probe: &Probe<'_>,
    best12: Option<u16>,
    has13: bool,
) -> Result<Vec<String>, ProbeError> {
    let mut out = Vec::new();
    for p in BROWSER_ALPN {
        if alpn_choice(probe, best12, has13, &[p]).await?.as_deref() == Some(p) {
            out.push(p.to_string());
        }
    }
    Ok(out)
}

async fn full_handshake(
    probe: &Probe<'_>,
    offer: &Offer<'_>,
) -> Result<handshake::Handshake, String> {
    let conn = probe.open().await.map_err(|e| e.to_string())?;
    let id = conn.id;
    let r = handshake::complete(
        conn.stream,
        probe.sni.as_deref(),
        probe.addr.ip(),
        offer,
        probe.timeout(),
    )
    .await;
    probe.trace(
        id,
        &format!(
            "rustls handshake, {} signature scheme(s){}{}",
            offer.schemes.len(),
            if offer.versions == Versions::Tls13 {
                ", TLS 1.3 only"
            } else {
                ""
            },
            if offer.groups == Groups::All {
                ", every group"
            } else {
                ""
            }
        ),
        &match &r {
            Ok(h) => format!(
                "{} {} {} scheme {}",
                version_name(h.version),
                suite_name(h.suite),
                h.group.map(group_name).unwrap_or_default(),
                h.scheme.map(scheme_name).unwrap_or_default()
            ),
            Err(e) => e.clone(),
        },
    );
    r
}

/// The quick post-quantum question: offer every post-quantum group with an empty key
/// share, record the one the server asks for, remove it, repeat until it asks for none.
async fn quick_pq(probe: &Probe<'_>) -> Result<TlsSurvey, ProbeError> {
    let suites = known_suites(TLS13);
    let mut left: Vec<u16> = PQ_GROUPS.to_vec();
    let mut found = Vec::new();
    let mut tls13 = false;
    while !left.is_empty() {
        let mut spec = HelloSpec::new(TLS13, &suites, probe.sni.as_deref());
        spec.supported_groups = left.clone();
        spec.key_share = KeyShare::Empty;
        let Some(f) = probe.accepted(TLS13, &spec).await? else {
            break;
        };
        tls13 = true;
        let g = match f.reply {
            ServerReply::Retry(r) => r.selected_group,
            ServerReply::Hello(h) => h.key_share.map(|(g, _)| g),
            ServerReply::Alert(_) => None,
        };
        let Some(i) = g.and_then(|g| left.iter().position(|&x| x == g)) else {
            break;
        };
        found.push(left.remove(i));
    }
    Ok(TlsSurvey {
        posture: TlsPosture {
            groups_only: true,
            versions: if tls13 {
                vec![version_name(TLS13)]
            } else {
                Vec::new()
            },
            pq_key_exchange: !found.is_empty(),
            groups: found.iter().map(|&g| group_name(g)).collect(),
            ..TlsPosture::default()
        },
        certificates: Vec::new(),
    })
}

fn chain_info(chain: &[Vec<u8>], host: &str) -> Option<Chain> {
    let leaf = chain.first()?;
    let (cert, _sig, _key) = mamori_fs::certs::analyse(leaf, "der").ok()?;
    let now = mamori_fs::certs::rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    );
    let cn = cert
        .subject
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("CN="))
        .map(str::to_string);
    let hostname_match = hostname_matches(host, &cert.dns_names, cn.as_deref());
    Some(Chain {
        certificates: chain
            .iter()
            .map(|c| mamori_fs::certs::sha256_hex(c))
            .collect(),
        key: cert.public_key_algorithm.clone(),
        hostname_match,
        expired: !cert.not_after.is_empty() && cert.not_after < now,
        not_after: cert.not_after,
    })
}

/// Whether a certificate with these SAN DNS names (or, with none, this CN) names `host`
/// (RFC 6125: case-insensitive, a wildcard only as the whole left-most label). `None` for
/// an IP address host, whose match needs the IP SANs mamori does not read.
pub fn hostname_matches(host: &str, dns: &[String], cn: Option<&str>) -> Option<bool> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let one = |pat: &str| {
        let pat = pat.trim_end_matches('.').to_ascii_lowercase();
        match pat.strip_prefix("*.") {
            Some(rest) => host
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => pat == host,
        }
    };
    Some(if dns.is_empty() {
        cn.is_some_and(one)
    } else {
        dns.iter().any(|d| one(d))
    })
}

/// Groups by their names, for tests and reports: `BTreeMap` of name → code.
pub fn group_codes() -> BTreeMap<String, u16> {
    kb::groups()
        .iter()
        .map(|g| (g.name.clone(), g.code))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostname_rules() {
        let d = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            hostname_matches("www.example.org", &d(&["*.example.org"]), None),
            Some(true)
        );
        assert_eq!(
            hostname_matches("a.b.example.org", &d(&["*.example.org"]), None),
            Some(false)
        );
        assert_eq!(
            hostname_matches("example.org", &d(&["*.example.org"]), None),
            Some(false)
        );
        assert_eq!(
            hostname_matches("Example.ORG.", &d(&["example.org"]), None),
            Some(true)
        );
        // CN only counts without SANs
        assert_eq!(
            hostname_matches("x.test", &d(&["y.test"]), Some("x.test")),
            Some(false)
        );
        assert_eq!(hostname_matches("x.test", &[], Some("x.test")), Some(true));
        assert_eq!(hostname_matches("127.0.0.1", &[], Some("127.0.0.1")), None);
    }

    #[test]
    fn pq_groups_are_known_as_such() {
        for g in PQ_GROUPS {
            assert!(is_pq_group(g), "{g:#x}");
        }
        assert!(!is_pq_group(0x001d));
        assert_eq!(group_name(0x11ec), "X25519MLKEM768");
        assert_eq!(version_name(TLS12), "TLSv1.2");
    }
}
