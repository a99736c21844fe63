//! The network half of a scan: every target probed concurrently through one [`Engine`],
//! each giving an [`Endpoint`] (its posture, or the error that stopped it) and the
//! observations its posture implies. A target that fails never stops the others.

use std::net::SocketAddr;
use std::time::Duration;

use mamori_model::{Endpoint, Observation, Warning};
use tokio::time::Instant;

use crate::engine::{Engine, Limits};
use crate::target::{Kind, Target};
use crate::tls::posture;
use crate::tls::probe::Probe;

/// What to ask.
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// Connection limits.
    pub limits: Limits,
    /// Quick post-quantum mode: TLS groups only (SSH: the KEXINIT only).
    pub pq_only: bool,
    /// How long a bare `host:port` is given to speak first (SSH and the plaintext
    /// protocols do; TLS servers wait for the client).
    pub sniff_wait: Duration,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            limits: Limits::default(),
            pq_only: false,
            sniff_wait: Duration::from_millis(400),
        }
    }
}

/// Everything the network half found.
#[derive(Debug, Default)]
pub struct NetResult {
    /// One per target, in the order given.
    pub endpoints: Vec<Endpoint>,
    /// Assets seen, located at `host:port`.
    pub observations: Vec<Observation>,
    /// Problems (also recorded as each endpoint's `error`).
    pub warnings: Vec<Warning>,
}

/// `host:port`, with IPv6 literals in brackets.
pub fn endpoint_name(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Probes every target on a runtime of its own (blocking the caller).
pub fn collect(targets: &[Target], opts: &NetOptions) -> NetResult {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return NetResult {
                warnings: vec![Warning::new(
                    "network",
                    format!("cannot start the network runtime: {e}"),
                )],
                ..NetResult::default()
            }
        }
    };
    rt.block_on(collect_async(targets, opts))
}

/// Probes every target concurrently through one engine.
pub async fn collect_async(targets: &[Target], opts: &NetOptions) -> NetResult {
    let engine = std::sync::Arc::new(Engine::new(opts.limits.clone()));
    // One task per target, so the runtime spreads them over the cores; the engine bounds
    // how many connections they open.
    let tasks: Vec<_> = targets
        .iter()
        .map(|t| {
            let (engine, t, opts) = (engine.clone(), t.clone(), opts.clone());
            tokio::spawn(async move { one(&engine, &t, &opts).await })
        })
        .collect();
    let mut r = NetResult::default();
    for (t, task) in targets.iter().zip(tasks) {
        let (ep, obs, warns) = match task.await {
            Ok(done) => done,
            Err(e) => {
                let name = endpoint_name(&t.host, t.port);
                let ep = Endpoint {
                    endpoint: name.clone(),
                    host: t.host.clone(),
                    port: t.port,
                    service: t.kind.scheme().unwrap_or("tcp").to_string(),
                    system: t.system.clone(),
                    error: Some(format!("{name}: the probe stopped: {e}")),
                    ..Endpoint::default()
                };
                (ep, Vec::new(), Vec::new())
            }
        };
        if let Some(e) = &ep.error {
            r.warnings
                .push(Warning::new(ep.endpoint.clone(), e.clone()));
        }
        r.warnings.extend(warns);
        r.observations.extend(obs);
        r.endpoints.push(ep);
    }
    r
}

async fn resolve(t: &Target) -> Result<SocketAddr, String> {
    if let Ok(ip) = t.host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, t.port));
    }
    let mut addrs = tokio::net::lookup_host((t.host.as_str(), t.port))
        .await
        .map_err(|e| format!("cannot resolve {}: {e}", t.host))?;
    addrs
        .next()
        .ok_or_else(|| format!("{} resolves to no address", t.host))
}

async fn one(
    engine: &Engine,
    t: &Target,
    opts: &NetOptions,
) -> (Endpoint, Vec<Observation>, Vec<Warning>) {
    let started = Instant::now();
    let mut connections = 0;
    let name = endpoint_name(&t.host, t.port);
    let mut ep = Endpoint {
        endpoint: name.clone(),
        host: t.host.clone(),
        port: t.port,
        service: t.kind.scheme().unwrap_or("tcp").to_string(),
        system: t.system.clone(),
        ..Endpoint::default()
    };
    let mut obs = Vec::new();
    let mut warns = Vec::new();
    match resolve(t).await {
        Err(e) => ep.error = Some(e),
        Ok(addr) => {
            ep.address = Some(addr.to_string());
            let kind = match t.kind {
                Kind::Unknown => {
                    connections += 1;
                    detect_kind(engine, addr, opts.sniff_wait).await
                }
                k => Ok(k),
            };
            match kind {
                Err(e) => ep.error = Some(e),
                Ok(Kind::Ssh) => {
                    ep.service = "ssh".into();
                    let (result, n) = ssh_survey(engine, addr, &name, opts).await;
                    connections += n;
                    match result {
                        Ok((posture, o)) => {
                            obs = o;
                            ep.ssh = Some(posture);
                        }
                        Err(e) => ep.error = Some(e),
                    }
                }
                Ok(kind) => {
                    if t.kind == Kind::Unknown {
                        ep.service = kind.scheme().unwrap_or("tls").to_string();
                    }
                    let probe = Probe::new(engine, addr, Some(&t.host), kind);
                    match posture::survey(&probe, opts.pq_only).await {
                        Ok(mut s) => {
                            s.posture.starttls_greeting =
                                probe.greeting.lock().ok().and_then(|g| g.clone());
                            if s.posture.versions.is_empty() && !s.posture.groups_only {
                                ep.error = Some(format!("{addr}: no TLS version accepted"));
                            }
                            let (o, w) = crate::observe::tls_observations(&name, &s);
                            obs = o;
                            warns = w;
                            ep.tls = Some(s.posture);
                        }
                        Err(e) => ep.error = Some(e.to_string()),
                    }
                    connections += probe.connections();
                }
            }
        }
    }
    ep.connections = connections;
    ep.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    (ep, obs, warns)
}

/// What a bare `host:port` speaks, from what it says first within `wait` (see
/// [`crate::starttls::classify`]): SSH, a plaintext protocol's greeting (probed with its
/// STARTTLS), or silence (TLS: the client speaks first there).
async fn detect_kind(engine: &Engine, addr: SocketAddr, wait: Duration) -> Result<Kind, String> {
    use crate::starttls::{sniff, Sniffed};
    let mut conn = engine.connect(addr).await.map_err(|e| e.to_string())?;
    let s = sniff(&mut conn.stream, wait)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    match s.kind() {
        Some(k) => Ok(k),
        None => Err(match s {
            Sniffed::Other {
                hint: Some(h),
                said,
            } => format!("{addr}: speaks {h}, not TLS or SSH (it said {said:?})"),
            Sniffed::Other { said, .. } => {
                format!("{addr}: neither TLS nor SSH (it said {said:?})")
            }
            _ => format!("{addr}: cannot tell what the service speaks"),
        }),
    }
}

type SshSurvey = Result<(mamori_model::SshPosture, Vec<Observation>), String>;

/// The host key algorithms to ask for, one per key: the RSA signature names share one RSA
/// key (asked once, with the best name offered); every other name is a key of its own.
pub fn host_key_questions(offered: &[String]) -> Vec<String> {
    const RSA: [&str; 3] = ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
    let mut out: Vec<String> = Vec::new();
    if let Some(r) = RSA.iter().find(|r| offered.iter().any(|o| o == *r)) {
        out.push((*r).to_string());
    }
    const RSA_CERT: [&str; 3] = [
        "rsa-sha2-512-cert-v01@openssh.com",
        "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
    ];
    if let Some(r) = RSA_CERT.iter().find(|r| offered.iter().any(|o| o == *r)) {
        out.push((*r).to_string());
    }
    for o in offered {
        if !RSA.contains(&o.as_str()) && !RSA_CERT.contains(&o.as_str()) && !out.contains(o) {
            out.push(o.clone());
        }
    }
    out
}

/// The SSH posture of `addr` and the connections it took: the banner and KEXINIT, then (not
/// in `--pq-only`) one partial key exchange per host key, concurrently.
async fn ssh_survey(
    engine: &Engine,
    addr: SocketAddr,
    name: &str,
    opts: &NetOptions,
) -> (SshSurvey, u32) {
    let timeout = engine.limits().timeout;
    // sshd starts a process for every connection, so the survey is one round of
    // connections, not two: SPECULATE connections open at once, each reads the banner and
    // KEXINIT and asks the host key its number names (most servers have three: RSA, ECDSA,
    // Ed25519). Keys beyond those are asked afterwards on connections of their own.
    const SPECULATE: usize = 3;
    let pq_only = opts.pq_only;
    let n = if pq_only { 1 } else { SPECULATE };
    let round = (0..n).map(|i| async move {
        let mut c = engine.connect(addr).await.map_err(|e| e.to_string())?;
        let id = c.id;
        let r = crate::ssh::server_info_and_host_key(
            &mut c.stream,
            Instant::now() + timeout,
            move |k| {
                if pq_only {
                    return None;
                }
                host_key_questions(&k.server_host_key_algorithms)
                    .into_iter()
                    .nth(i)
            },
        )
        .await;
        let got = match &r {
            Ok((info, key)) => format!(
                "{} with {} key exchanges{}{}",
                info.banner.software_version,
                info.kexinit.kex_algorithms.len(),
                if info.strict_kex { ", strict" } else { "" },
                match key {
                    Some(Ok(h)) => format!("; host key {} {}", h.key_type, h.fingerprint),
                    Some(Err(e)) => format!("; host key: {e}"),
                    None => String::new(),
                }
            ),
            Err(e) => e.to_string(),
        };
        engine.trace(id, addr, "SSH banner, KEXINIT and a host key", &got);
        r.map_err(|e| format!("{addr}: {e}"))
    });
    let round = futures_util::future::join_all(round).await;
    let mut connections = u32::try_from(round.len()).unwrap_or(u32::MAX);
    let mut info = None;
    let mut keys = Vec::new();
    let mut first_error = None;
    for r in round {
        match r {
            Ok((i, key)) => {
                // a key type whose exchange mamori cannot start is left out, not fatal
                keys.extend(key.and_then(Result::ok));
                info.get_or_insert(i);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some(info) = info else {
        let e = first_error.unwrap_or_else(|| format!("{addr}: no answer"));
        return (Err(e), connections);
    };
    if !pq_only {
        let k = &info.kexinit;
        let more: Vec<String> = host_key_questions(&k.server_host_key_algorithms)
            .into_iter()
            .skip(n)
            .collect();
        connections += u32::try_from(more.len()).unwrap_or(u32::MAX);
        let asks = more.into_iter().map(|alg| async move {
            let mut c = engine.connect(addr).await.map_err(|e| e.to_string())?;
            let r = crate::ssh::host_key(&mut c.stream, Instant::now() + timeout, k, &alg).await;
            let got = match &r {
                Ok(h) => format!("{} {}", h.key_type, h.fingerprint),
                Err(e) => e.to_string(),
            };
            engine.trace(c.id, addr, &format!("SSH host key {alg}"), &got);
            r.map_err(|e| format!("{addr}: host key {alg}: {e}"))
        });
        keys.extend(
            futures_util::future::join_all(asks)
                .await
                .into_iter()
                .flatten(),
        );
    }
    let k = &info.kexinit;
    let b = &info.banner;
    let posture = mamori_model::SshPosture {
        banner: format!(
            "SSH-{}-{}{}",
            b.proto_version,
            b.software_version,
            b.comments
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default()
        ),
        software: b.software_version.clone(),
        kex: k.kex_algorithms.clone(),
        host_key_algorithms: k.server_host_key_algorithms.clone(),
        ciphers: k.encryption_server_to_client.clone(),
        macs: k.mac_server_to_client.clone(),
        compression: k.compression_server_to_client.clone(),
        host_keys: keys
            .iter()
            .map(|h| mamori_model::SshHostKey {
                algorithm: h.algorithm.clone(),
                key_type: h.key_type.clone(),
                bits: h.bits,
                fingerprint: h.fingerprint.clone(),
            })
            .collect(),
        strict_kex: info.strict_kex,
        pq_key_exchange: k
            .kex_algorithms
            .iter()
            .any(|a| mamori_algorithms::ssh::is_post_quantum_kex(a)),
    };
    let obs = if opts.pq_only {
        Vec::new()
    } else {
        crate::ssh::observations(name, &info, &keys)
    };
    (Ok((posture, obs)), connections)
}
