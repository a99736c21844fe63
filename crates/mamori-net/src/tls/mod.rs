//! TLS probing by hand: [`client_hello`] writes a ClientHello for any version from SSL 3.0
//! to TLS 1.3 with exactly the suites, groups and extensions asked for; [`FlightReader`]
//! reads the server's first flight (ServerHello or HelloRetryRequest or Alert, and for
//! TLS ≤ 1.2 the Certificate message up to ServerHelloDone) from bytes as they arrive.
//!
//! Numbers are IANA's; names for them are in `mamori_algorithms::tls`.

pub mod handshake;
pub mod hello;
pub mod posture;
pub mod probe;
pub mod record;
pub mod ske;

pub use hello::{
    client_hello, client_hello_message, parse_certificate_list, parse_server_hello, random32,
    random_share, HelloRetryRequest, HelloSpec, KeyShare, ParsedHello, ServerHello, SSL3, TLS10,
    TLS11, TLS12, TLS13,
};

/// Largest handshake message accepted (a certificate chain included): 256 KiB.
pub const MAX_HANDSHAKE_MESSAGE: usize = 256 * 1024;
/// Largest first flight read before giving up: 512 KiB.
pub const MAX_FLIGHT: usize = 512 * 1024;

/// Alert level `warning`.
pub const ALERT_WARNING: u8 = 1;
/// Alert level `fatal`.
pub const ALERT_FATAL: u8 = 2;
/// Alert `close_notify`.
pub const ALERT_CLOSE_NOTIFY: u8 = 0;
/// Alert `handshake_failure`.
pub const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// Alert `protocol_version`.
pub const ALERT_PROTOCOL_VERSION: u8 = 70;
/// Alert `insufficient_security`.
pub const ALERT_INSUFFICIENT_SECURITY: u8 = 71;

/// A TLS alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    /// 1 = warning, 2 = fatal.
    pub level: u8,
    /// Alert description code.
    pub description: u8,
}

impl Alert {
    /// The RFC name of the description, or `"unknown"`.
    pub fn name(&self) -> &'static str {
        match self.description {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            21 => "decryption_failed",
            22 => "record_overflow",
            30 => "decompression_failure",
            40 => "handshake_failure",
            41 => "no_certificate",
            42 => "bad_certificate",
            43 => "unsupported_certificate",
            44 => "certificate_revoked",
            45 => "certificate_expired",
            46 => "certificate_unknown",
            47 => "illegal_parameter",
            48 => "unknown_ca",
            49 => "access_denied",
            50 => "decode_error",
            51 => "decrypt_error",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            90 => "user_canceled",
            100 => "no_renegotiation",
            109 => "missing_extension",
            110 => "unsupported_extension",
            112 => "unrecognized_name",
            113 => "bad_certificate_status_response",
            115 => "unknown_psk_identity",
            116 => "certificate_required",
            120 => "no_application_protocol",
            _ => "unknown",
        }
    }
}

/// The server's answer to a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerReply {
    /// A ServerHello.
    Hello(ServerHello),
    /// A HelloRetryRequest.
    Retry(HelloRetryRequest),
    /// An alert instead of a hello (the offer was refused).
    Alert(Alert),
}

/// The server's first flight as far as it can be read in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flight {
    /// The answer.
    pub reply: ServerReply,
    /// DER certificates from a TLS ≤ 1.2 Certificate message, leaf first (empty for TLS 1.3,
    /// whose certificates are encrypted, and for anonymous suites).
    pub certificates: Vec<Vec<u8>>,
    /// Handshake message types seen after the hello, in order (e.g. 11, 22, 12, 14).
    pub handshake_types: Vec<u8>,
    /// Alerts seen besides the one in `reply`: warnings, or a fatal alert after the hello.
    pub alerts: Vec<Alert>,
    /// The ServerKeyExchange body of a TLS ≤ 1.2 flight (see [`ske::parse`]).
    pub server_key_exchange: Option<Vec<u8>>,
}

/// What went wrong reading a flight.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlightError {
    /// The peer does not speak TLS records.
    #[error("not a TLS response: {0}")]
    NotTls(String),
    /// A record header was refused.
    #[error("bad record: {0}")]
    Record(#[from] record::RecordError),
    /// A handshake message was malformed.
    #[error("malformed handshake message: {0}")]
    Malformed(&'static str),
    /// A message or record that has no place here.
    #[error("unexpected {0}")]
    Unexpected(String),
    /// The flight is larger than mamori reads.
    #[error("handshake message or flight larger than {0} bytes")]
    TooLarge(usize),
}

/// Progress of a [`FlightReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are needed.
    NeedMore,
    /// The flight is complete (further bytes are ignored).
    Done(Box<Flight>),
    /// The bytes are not a valid first flight (further bytes are ignored).
    Error(FlightError),
}

/// Reads the server's first flight incrementally: [`FlightReader::feed`] the bytes as they
/// arrive until it says [`Progress::Done`] or [`Progress::Error`].
///
/// Done comes after: an alert before any hello; a HelloRetryRequest; a ServerHello that
/// selects TLS 1.3 (the rest is encrypted); for TLS ≤ 1.2 ServerHelloDone, or a
/// ChangeCipherSpec (session resumption), or a fatal alert.
#[derive(Debug, Default)]
pub struct FlightReader {
    buf: Vec<u8>,
    handshake: Vec<u8>,
    total: usize,
    hello: Option<ServerHello>,
    certificates: Vec<Vec<u8>>,
    handshake_types: Vec<u8>,
    alerts: Vec<Alert>,
    server_key_exchange: Option<Vec<u8>>,
    finished: Option<Progress>,
}

impl FlightReader {
    /// A reader waiting for the first byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next bytes from the server.
    pub fn feed(&mut self, data: &[u8]) -> Progress {
        if let Some(p) = &self.finished {
            return p.clone();
        }
        self.total = self.total.saturating_add(data.len());
        if self.total > MAX_FLIGHT {
            return self.finish(Progress::Error(FlightError::TooLarge(MAX_FLIGHT)));
        }
        self.buf.extend_from_slice(data);
        let p = self.process();
        match p {
            Progress::NeedMore => Progress::NeedMore,
            p => self.finish(p),
        }
    }

    /// What to report when the peer closed the connection: the flight so far as an error
    /// naming what was missing.
    pub fn eof(&mut self) -> Progress {
        if let Some(p) = &self.finished {
            return p.clone();
        }
        let what = if self.hello.is_some() {
            "connection closed before ServerHelloDone"
        } else if self.total == 0 {
            "connection closed without a reply"
        } else {
            "connection closed inside a record"
        };
        self.finish(Progress::Error(FlightError::Unexpected(what.to_string())))
    }

    fn finish(&mut self, p: Progress) -> Progress {
        self.finished = Some(p.clone());
        self.buf = Vec::new();
        self.handshake = Vec::new();
        p
    }

    fn done(&mut self, reply: ServerReply) -> Progress {
        Progress::Done(Box::new(Flight {
            reply,
            certificates: std::mem::take(&mut self.certificates),
            handshake_types: std::mem::take(&mut self.handshake_types),
            alerts: std::mem::take(&mut self.alerts),
            server_key_exchange: self.server_key_exchange.take(),
        }))
    }

    fn done_with_hello(&mut self) -> Progress {
        match self.hello.take() {
            Some(h) => self.done(ServerReply::Hello(h)),
            None => Progress::Error(FlightError::Unexpected(
                "flight end before ServerHello".into(),
            )),
        }
    }

    fn process(&mut self) -> Progress {
        loop {
            if self.total_unparsed_is_other_protocol() {
                let head: String = self
                    .buf
                    .iter()
                    .take(16)
                    .map(|&b| {
                        if b.is_ascii_graphic() || b == b' ' {
                            b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                return Progress::Error(FlightError::NotTls(format!("starts with {head:?}")));
            }
            let header = match record::parse_header(&self.buf) {
                Ok(Some(h)) => h,
                Ok(None) => return Progress::NeedMore,
                Err(e) => return Progress::Error(e.into()),
            };
            let end = record::HEADER_LEN + header.length;
            let Some(fragment) = self.buf.get(record::HEADER_LEN..end) else {
                return Progress::NeedMore;
            };
            let fragment = fragment.to_vec();
            self.buf.drain(..end);
            match header.content_type {
                record::HANDSHAKE => {
                    self.handshake.extend_from_slice(&fragment);
                    match self.messages() {
                        Progress::NeedMore => {}
                        p => return p,
                    }
                }
                record::ALERT => {
                    if !self.handshake.is_empty() {
                        return Progress::Error(FlightError::Unexpected(
                            "alert inside a fragmented handshake message".into(),
                        ));
                    }
                    if fragment.len() % 2 != 0 {
                        return Progress::Error(FlightError::Malformed(
                            "alert record of odd length",
                        ));
                    }
                    for a in fragment.chunks(2) {
                        let [level, description] = a else {
                            continue;
                        };
                        let alert = Alert {
                            level: *level,
                            description: *description,
                        };
                        let ends = alert.level != ALERT_WARNING || alert.description == 0;
                        if ends && self.hello.is_none() {
                            return self.done(ServerReply::Alert(alert));
                        }
                        self.alerts.push(alert);
                        if ends {
                            return self.done_with_hello();
                        }
                    }
                }
                record::CHANGE_CIPHER_SPEC | record::APPLICATION_DATA
                    if self.hello.is_some() && self.handshake.is_empty() =>
                {
                    return self.done_with_hello();
                }
                t => {
                    return Progress::Error(FlightError::Unexpected(format!(
                        "record of content type {t} before the handshake ended"
                    )))
                }
            }
        }
    }

    /// An SSL 2.0 reply or a text banner (SSH, SMTP, HTTP) rather than TLS records.
    fn total_unparsed_is_other_protocol(&self) -> bool {
        self.hello.is_none()
            && self.handshake.is_empty()
            && self.total == self.buf.len()
            && self
                .buf
                .first()
                .is_some_and(|&b| !(record::CHANGE_CIPHER_SPEC..=record::HEARTBEAT).contains(&b))
    }

    fn messages(&mut self) -> Progress {
        loop {
            let Some(head) = self.handshake.get(..4) else {
                return Progress::NeedMore;
            };
            let t = head[0];
            let len = usize::from(head[1]) << 16 | usize::from(head[2]) << 8 | usize::from(head[3]);
            if len > MAX_HANDSHAKE_MESSAGE {
                return Progress::Error(FlightError::TooLarge(MAX_HANDSHAKE_MESSAGE));
            }
            let Some(body) = self.handshake.get(4..4 + len) else {
                return Progress::NeedMore;
            };
            let body = body.to_vec();
            self.handshake.drain(..4 + len);
            if self.hello.is_none() {
                match t {
                    0 => continue, // HelloRequest: ignorable
                    hello::HS_SERVER_HELLO => match parse_server_hello(&body) {
                        Err(e) => return Progress::Error(FlightError::Malformed(e)),
                        Ok(ParsedHello::Retry(r)) => return self.done(ServerReply::Retry(r)),
                        Ok(ParsedHello::Hello(h)) => {
                            let tls13 = h.version() >= TLS13;
                            self.hello = Some(h);
                            if tls13 {
                                return self.done_with_hello();
                            }
                        }
                    },
                    t => {
                        return Progress::Error(FlightError::Unexpected(format!(
                            "handshake message type {t} before ServerHello"
                        )))
                    }
                }
                continue;
            }
            self.handshake_types.push(t);
            match t {
                hello::HS_CERTIFICATE => match parse_certificate_list(&body) {
                    Ok(c) => self.certificates = c,
                    Err(e) => return Progress::Error(FlightError::Malformed(e)),
                },
                hello::HS_SERVER_KEY_EXCHANGE => self.server_key_exchange = Some(body),
                hello::HS_SERVER_HELLO_DONE => {
                    if !body.is_empty() {
                        return Progress::Error(FlightError::Malformed(
                            "ServerHelloDone with a body",
                        ));
                    }
                    return self.done_with_hello();
                }
                hello::HS_SERVER_HELLO => {
                    return Progress::Error(FlightError::Unexpected("second ServerHello".into()))
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
