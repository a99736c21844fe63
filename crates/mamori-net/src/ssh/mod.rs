//! SSH (RFC 4253): the identification exchange, the binary packet layer before keys are
//! agreed, the server's `SSH_MSG_KEXINIT`, and the server's host keys.
//!
//! What a server offers is learned without completing a key exchange ([`server_info`]):
//! mamori sends its identification string, reads the server's (skipping the other lines a
//! server may send first), then reads the server's KEXINIT, which servers send right after
//! the banner exchange without waiting for ours.
//!
//! A host key is learned on a fresh connection ([`host_key`]): mamori sends a KEXINIT naming
//! one key exchange and the one host key algorithm wanted, then a key exchange init whose
//! public value needs no cryptography (the X25519 base point, a NIST curve's generator, a
//! fixed Diffie-Hellman value), and reads the host key from the server's reply. The
//! signature is not verified and the connection goes no further.
//!
//! [`observations`] turns what was learned into inventory observations: the algorithms
//! offered, the host keys (the same key assets the disk scan makes), and the protocol.
//!
//! Every parser here works on untrusted bytes and never panics; every length is checked
//! before it is trusted, and the total read is bounded.

mod client;
mod kex;
mod observe;
#[cfg(test)]
mod tests;
mod wire;

pub use client::{host_key, server_info, server_info_and_host_key};
pub use kex::{
    choose_kex, client_kex_init, client_kexinit, parse_disconnect, parse_host_key_blob,
    parse_kex_reply, HostKey, KexReply, KeyInfo, SUPPORTED_KEX,
};
pub use observe::{observations, DETECTOR};
pub use wire::{
    client_banner, find_banner, find_kexinit, parse_banner_line, parse_kexinit, parse_packet,
    write_packet,
};

/// Longest line accepted before or as the identification string, CR LF included
/// (RFC 4253 §4.2).
pub const MAX_LINE_LEN: usize = 255;
/// Most bytes read while looking for the identification string.
pub const MAX_BANNER_BYTES: usize = 8 * 1024;
/// Largest `packet_length` accepted: 256 KiB, OpenSSH's own limit (`PACKET_MAX_SIZE`). RFC 4253
/// §6.1 requires at least 35000; post-quantum host keys and signatures can exceed that.
pub const MAX_PACKET_LEN: u32 = 256 * 1024;
/// Smallest `packet_length`: a packet is at least 16 bytes, its 4-byte length included.
pub const MIN_PACKET_LEN: u32 = 12;
/// Message number of `SSH_MSG_KEXINIT`.
pub const SSH_MSG_KEXINIT: u8 = 20;
/// Marker a server lists among its kex algorithms when it implements strict key exchange
/// (OpenSSH's mitigation of the Terrapin attack, CVE-2023-48795).
pub const KEX_STRICT_SERVER: &str = "kex-strict-s-v00@openssh.com";
/// Marker a server lists among its kex algorithms when it accepts `SSH_MSG_EXT_INFO`
/// (RFC 8308).
pub const EXT_INFO_SERVER: &str = "ext-info-s";
/// Longest algorithm name (RFC 4251 §6).
const MAX_NAME_LEN: usize = 64;
/// Packets skipped (`SSH_MSG_IGNORE`, `SSH_MSG_DEBUG`) before the KEXINIT at most.
const MAX_SKIPPED_PACKETS: usize = 16;

/// What went wrong talking to or parsing an SSH server.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// A socket operation failed.
    #[error("{stage}: {source}")]
    Io {
        /// What mamori was doing.
        stage: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The server did not answer in time.
    #[error("timed out while {0}")]
    Timeout(&'static str),
    /// The server closed the connection.
    #[error("connection closed by the server while {0}")]
    Closed(&'static str),
    /// A line before or as the identification string was too long.
    #[error("banner line longer than {MAX_LINE_LEN} bytes")]
    LineTooLong,
    /// No identification string within [`MAX_BANNER_BYTES`].
    #[error("no SSH identification string within {MAX_BANNER_BYTES} bytes")]
    NoBanner,
    /// The identification string is malformed.
    #[error("malformed SSH identification string: {0}")]
    BadBanner(String),
    /// The server speaks an SSH protocol version other than 2.0 / 1.99.
    #[error("SSH protocol version {0} is not supported (only 2.0 and 1.99)")]
    UnsupportedVersion(String),
    /// `packet_length` above [`MAX_PACKET_LEN`].
    #[error("packet length {0} exceeds {MAX_PACKET_LEN}")]
    PacketTooLong(u32),
    /// `packet_length` below [`MIN_PACKET_LEN`].
    #[error("packet length {0} is below the minimum of {MIN_PACKET_LEN}")]
    PacketTooShort(u32),
    /// The packet is not a multiple of the 8-byte block size.
    #[error("packet length {0} + 4 is not a multiple of 8")]
    PacketMisaligned(u32),
    /// `padding_length` is too small or does not fit the packet.
    #[error(
        "padding length {padding} invalid for packet length {packet} (needs 4..packet length)"
    )]
    BadPadding {
        /// `padding_length`.
        padding: u8,
        /// `packet_length`.
        packet: u32,
    },
    /// A packet without a message number.
    #[error("empty packet payload")]
    EmptyPayload,
    /// A message other than KEXINIT where KEXINIT was expected.
    #[error("expected SSH_MSG_KEXINIT (20), got message {0}")]
    UnexpectedMessage(u8),
    /// Too many `SSH_MSG_IGNORE`/`SSH_MSG_DEBUG` packets before the KEXINIT.
    #[error("more than {MAX_SKIPPED_PACKETS} ignore/debug packets before KEXINIT")]
    TooManyPackets,
    /// The KEXINIT ends before a field.
    #[error("KEXINIT truncated in {0}")]
    KexInitTruncated(&'static str),
    /// A name-list of the KEXINIT is malformed.
    #[error("KEXINIT {field}: {problem}")]
    BadNameList {
        /// Which name-list.
        field: &'static str,
        /// What was wrong.
        problem: String,
    },
    /// An error of a parser, with what mamori was doing when it occurred.
    #[error("{stage}: {source}")]
    At {
        /// What mamori was doing.
        stage: &'static str,
        /// The parser's error.
        source: Box<SshError>,
    },
    /// The server sent `SSH_MSG_DISCONNECT`.
    #[error("the server disconnected (reason {code}): {description}")]
    Disconnected {
        /// The reason code (RFC 4253 §11.1).
        code: u32,
        /// The server's description, non-printable characters replaced, shortened.
        description: String,
    },
    /// A message other than the one the key exchange expects next.
    #[error("expected {expected}, got message {got}")]
    UnexpectedReply {
        /// The message expected.
        expected: &'static str,
        /// The message number received.
        got: u8,
    },
    /// The server offers none of the key exchange methods [`host_key`] can run.
    #[error("no supported key exchange among those offered ({0}); mamori runs {SUPPORTED}", SUPPORTED = SUPPORTED_KEX.join(", "))]
    NoSupportedKex(String),
    /// The server does not offer an algorithm mamori was asked to use.
    #[error("the server does not offer the {what} {name}")]
    NotOffered {
        /// `host key algorithm`, `key exchange`, `cipher` …
        what: &'static str,
        /// The algorithm asked for (`(none)` for an empty list).
        name: String,
    },
    /// The key exchange reply is malformed.
    #[error("malformed key exchange reply: {0}")]
    BadKexReply(String),
    /// The host key blob (`K_S`) is malformed.
    #[error("malformed host key: {0}")]
    BadHostKey(String),
}

/// A parsed identification string: `SSH-protoversion-softwareversion SP comments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// `2.0` or `1.99`.
    pub proto_version: String,
    /// E.g. `OpenSSH_9.2p1`.
    pub software_version: String,
    /// What follows the first space, e.g. `Debian-2+deb12u3`.
    pub comments: Option<String>,
}

/// The server's `SSH_MSG_KEXINIT` (RFC 4253 §7.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KexInit {
    /// The 16 random bytes.
    pub cookie: [u8; 16],
    /// Key exchange algorithms, including markers like `ext-info-s`.
    pub kex_algorithms: Vec<String>,
    /// Host key (signature) algorithms.
    pub server_host_key_algorithms: Vec<String>,
    /// Ciphers client to server.
    pub encryption_client_to_server: Vec<String>,
    /// Ciphers server to client.
    pub encryption_server_to_client: Vec<String>,
    /// MACs client to server.
    pub mac_client_to_server: Vec<String>,
    /// MACs server to client.
    pub mac_server_to_client: Vec<String>,
    /// Compression client to server.
    pub compression_client_to_server: Vec<String>,
    /// Compression server to client.
    pub compression_server_to_client: Vec<String>,
    /// Language tags client to server (usually empty).
    pub languages_client_to_server: Vec<String>,
    /// Language tags server to client (usually empty).
    pub languages_server_to_client: Vec<String>,
    /// Whether a guessed key exchange packet follows.
    pub first_kex_packet_follows: bool,
    /// The reserved field (0 by the RFC).
    pub reserved: u32,
}

impl KexInit {
    /// Whether a kex name (or marker) is listed.
    pub fn offers_kex(&self, name: &str) -> bool {
        self.kex_algorithms.iter().any(|k| k == name)
    }
}

impl SshError {
    /// The underlying error, without the stage wrappers ([`SshError::At`]).
    pub fn root(&self) -> &SshError {
        let mut e = self;
        while let SshError::At { source, .. } = e {
            e = source;
        }
        e
    }

    /// The stage the error names, if any.
    pub fn stage(&self) -> Option<&'static str> {
        match self {
            SshError::At { stage, .. }
            | SshError::Io { stage, .. }
            | SshError::Timeout(stage)
            | SshError::Closed(stage) => Some(stage),
            _ => None,
        }
    }
}

/// What an SSH server told mamori before any key was agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshServerInfo {
    /// The server's identification string.
    pub banner: Banner,
    /// Lines the server sent before its identification string (lossy UTF-8, line end removed).
    pub pre_banner_lines: Vec<String>,
    /// The server's KEXINIT.
    pub kexinit: KexInit,
    /// The server implements strict key exchange (lists [`KEX_STRICT_SERVER`]): the Terrapin
    /// mitigation.
    pub strict_kex: bool,
    /// The server accepts extension negotiation (lists [`EXT_INFO_SERVER`], RFC 8308).
    pub ext_info: bool,
}

impl SshServerInfo {
    /// Builds the report from a banner and a KEXINIT.
    pub fn new(banner: Banner, pre_banner_lines: Vec<String>, kexinit: KexInit) -> Self {
        SshServerInfo {
            strict_kex: kexinit.offers_kex(KEX_STRICT_SERVER),
            ext_info: kexinit.offers_kex(EXT_INFO_SERVER),
            banner,
            pre_banner_lines,
            kexinit,
        }
    }
}
