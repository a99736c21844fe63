//! A row of rustls TLS servers on consecutive loopback ports, for the network benchmark
//! (`bench/net`): each accepts connections, completes the handshake, sends close_notify and
//! closes. rustls with aws-lc-rs offers X25519MLKEM768 (the system OpenSSL 3.0 has no ML-KEM
//! group), so these are the post-quantum servers that `mamori scan --pq-only` and pqcscan
//! are compared on.
//!
//! ```text
//! cargo run --release -p mamori-net --example tls_servers -- \
//!     --cert cert.pem --key key.pem [--base 15000] [--ports 50] [--bind 127.0.0.1] \
//!     [--groups default|all|X25519MLKEM768,X25519,...] [--versions 1.2,1.3]
//! ```
//!
//! The certificate and key are PEM files (made with `openssl req`, see `bench/net/servers`).
//! Only loopback addresses are accepted for `--bind`. The process runs until killed; it
//! prints one line `listening HOST:FIRST-LAST groups=… versions=…` once every port is bound.
// A tool for benchmarks and demos, not the product: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

use rustls::crypto::aws_lc_rs::{self as provider, kx_group};
use rustls::crypto::SupportedKxGroup;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Command-line options.
struct Opts {
    cert: String,
    key: String,
    base: u16,
    ports: u16,
    bind: IpAddr,
    groups: Vec<&'static dyn SupportedKxGroup>,
    group_names: String,
    versions: Vec<&'static rustls::SupportedProtocolVersion>,
    version_names: String,
}

fn group_by_name(name: &str) -> Option<&'static dyn SupportedKxGroup> {
    Some(match name {
        "X25519MLKEM768" => kx_group::X25519MLKEM768,
        "SecP256r1MLKEM768" | "SECP256R1MLKEM768" => kx_group::SECP256R1MLKEM768,
        "MLKEM768" => kx_group::MLKEM768,
        "MLKEM1024" => kx_group::MLKEM1024,
        "x25519" | "X25519" => kx_group::X25519,
        "secp256r1" | "P-256" => kx_group::SECP256R1,
        "secp384r1" | "P-384" => kx_group::SECP384R1,
        _ => return None,
    })
}

fn usage() -> &'static str {
    "usage: tls_servers --cert PEM --key PEM [--base PORT] [--ports N] [--bind 127.0.0.1|::1] \
     [--groups default|all|NAME,...] [--versions 1.2,1.3]\n\
     groups: X25519MLKEM768 SecP256r1MLKEM768 MLKEM768 MLKEM1024 x25519 secp256r1 secp384r1"
}

fn parse_args() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let mut cert = None;
    let mut key = None;
    let mut base: u16 = 15000;
    let mut ports: u16 = 50;
    let mut bind: IpAddr = IpAddr::from([127, 0, 0, 1]);
    let mut groups_arg = String::from("default");
    let mut versions_arg = String::from("1.2,1.3");
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--cert" => cert = Some(val()?),
            "--key" => key = Some(val()?),
            "--base" => base = val()?.parse().map_err(|e| format!("--base: {e}"))?,
            "--ports" => ports = val()?.parse().map_err(|e| format!("--ports: {e}"))?,
            "--bind" => bind = val()?.parse().map_err(|e| format!("--bind: {e}"))?,
            "--groups" => groups_arg = val()?,
            "--versions" => versions_arg = val()?,
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    if !bind.is_loopback() {
        return Err(format!(
            "--bind {bind}: only loopback addresses (127.0.0.0/8, ::1) are allowed"
        ));
    }
    if ports == 0 || u32::from(base) + u32::from(ports) - 1 > u32::from(u16::MAX) {
        return Err(format!("--base {base} --ports {ports}: out of range"));
    }
    let groups: Vec<&'static dyn SupportedKxGroup> = match groups_arg.as_str() {
        "default" => provider::DEFAULT_KX_GROUPS.to_vec(),
        "all" => provider::ALL_KX_GROUPS.to_vec(),
        list => list
            .split(',')
            .map(|n| group_by_name(n.trim()).ok_or_else(|| format!("unknown group {n}")))
            .collect::<Result<_, _>>()?,
    };
    let group_names = groups
        .iter()
        .map(|g| format!("{:?}", g.name()))
        .collect::<Vec<_>>()
        .join(",");
    let mut versions = Vec::new();
    for v in versions_arg.split(',') {
        match v.trim() {
            "1.2" => versions.push(&rustls::version::TLS12),
            "1.3" => versions.push(&rustls::version::TLS13),
            other => return Err(format!("unknown version {other} (1.2 or 1.3)")),
        }
    }
    Ok(Opts {
        cert: cert.ok_or("--cert is required")?,
        key: key.ok_or("--key is required")?,
        base,
        ports,
        bind,
        groups,
        group_names,
        versions,
        version_names: versions_arg,
    })
}

fn server_config(o: &Opts) -> Result<rustls::ServerConfig, String> {
    let certs = CertificateDer::pem_file_iter(&o.cert)
        .map_err(|e| format!("{}: {e}", o.cert))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", o.cert))?;
    if certs.is_empty() {
        return Err(format!("{}: no CERTIFICATE in it", o.cert));
    }
    let key = PrivateKeyDer::from_pem_file(&o.key).map_err(|e| format!("{}: {e}", o.key))?;
    let mut p = provider::default_provider();
    p.kx_groups = o.groups.clone();
    rustls::ServerConfig::builder_with_provider(Arc::new(p))
        .with_protocol_versions(&o.versions)
        .map_err(|e| format!("protocol versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificate/key: {e}"))
}

async fn serve(listener: TcpListener, acceptor: TlsAcceptor) {
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let hs = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(sock)).await;
            if let Ok(Ok(mut tls)) = hs {
                // close_notify, then the socket closes when `tls` drops.
                let _ = tokio::time::timeout(Duration::from_secs(2), tls.shutdown()).await;
            }
        });
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("tls_servers: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match server_config(&opts) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("tls_servers: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tls_servers: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let acceptor = TlsAcceptor::from(config);
        let mut listeners = Vec::new();
        for i in 0..opts.ports {
            let addr = SocketAddr::new(opts.bind, opts.base + i);
            match TcpListener::bind(addr).await {
                Ok(l) => listeners.push(l),
                Err(e) => {
                    eprintln!("tls_servers: bind {addr}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        println!(
            "listening {}:{}-{} groups={} versions={}",
            opts.bind,
            opts.base,
            opts.base + opts.ports - 1,
            opts.group_names,
            opts.version_names
        );
        let mut tasks = Vec::new();
        for l in listeners {
            tasks.push(tokio::spawn(serve(l, acceptor.clone())));
        }
        for t in tasks {
            let _ = t.await;
        }
        ExitCode::SUCCESS
    })
}
