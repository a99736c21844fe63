//! mamori's network collector (issue 4, groundwork): what a TLS or SSH service speaks,
//! learned from handshakes mamori writes and reads itself, so that legacy protocol versions,
//! suites and groups no modern library offers can still be asked for.
//!
//! - `target` — what the user named (`tls://host:port`, `ssh://host`, `smtp://…`, bare
//!   `host:port`, IPv6 literals); address ranges only inside a `--scope`.
//! - `tls` — the record layer, ClientHello writing, ServerHello / HelloRetryRequest / Alert
//!   reading.
//! - `ssh` — the identification banner and the server's KEXINIT.
//!
//! Parsers never panic on hostile input: every length is checked before it is trusted.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod ssh;
pub mod starttls;
pub mod target;
pub mod tls;
