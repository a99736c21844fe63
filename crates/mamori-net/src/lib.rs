//! mamori's network collector: what a TLS, SSH or STARTTLS service speaks, learned from
//! handshakes mamori writes and reads itself (so legacy versions, suites and groups no
//! modern library offers can still be asked for) and from real rustls handshakes where a
//! first flight cannot tell (the TLS 1.3 chain, the group a modern client gets).
//!
//! - `target` — what the user named (`tls://host:port`, `ssh://host`, `smtp://…`, bare
//!   `host:port`, IPv6 literals); address ranges only inside a `--scope`.
//! - `engine` — every connection: per-host limit, rate, timeouts, retries, `--trace`.
//! - `starttls` — SMTP, IMAP, POP3, FTP, LDAP and PostgreSQL up to the ClientHello; what a
//!   bare `host:port` says first.
//! - `tls` — records, ClientHello writing, first-flight reading, ServerKeyExchange,
//!   enumeration (`probe`), rustls handshakes (`handshake`), the whole posture (`posture`).
//! - `ssh` — identification banner, KEXINIT, host keys from a started key exchange.
//! - `observe`, `collect` — postures to assets at `host:port`; the run over all targets.
//!
//! Parsers never panic on hostile input: every length is checked before it is trusted.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod collect;
pub mod engine;
pub mod observe;
pub mod ssh;
pub mod starttls;
pub mod target;
pub mod tls;
