//! ClientHello writing and ServerHello / HelloRetryRequest / Certificate parsing
//! (RFC 8446 §4.1, RFC 5246 §7.4, RFC 6101 for SSL 3.0).

use super::record;

/// SSL 3.0.
pub const SSL3: u16 = 0x0300;
/// TLS 1.0.
pub const TLS10: u16 = 0x0301;
/// TLS 1.1.
pub const TLS11: u16 = 0x0302;
/// TLS 1.2.
pub const TLS12: u16 = 0x0303;
/// TLS 1.3.
pub const TLS13: u16 = 0x0304;

/// Handshake type `client_hello`.
pub const HS_CLIENT_HELLO: u8 = 1;
/// Handshake type `server_hello`.
pub const HS_SERVER_HELLO: u8 = 2;
/// Handshake type `certificate`.
pub const HS_CERTIFICATE: u8 = 11;
/// Handshake type `server_key_exchange`.
pub const HS_SERVER_KEY_EXCHANGE: u8 = 12;
/// Handshake type `certificate_request`.
pub const HS_CERTIFICATE_REQUEST: u8 = 13;
/// Handshake type `server_hello_done`.
pub const HS_SERVER_HELLO_DONE: u8 = 14;
/// Handshake type `certificate_status` (OCSP stapling, RFC 6066).
pub const HS_CERTIFICATE_STATUS: u8 = 22;

/// Extension `server_name`.
pub const EXT_SERVER_NAME: u16 = 0;
/// Extension `status_request`.
pub const EXT_STATUS_REQUEST: u16 = 5;
/// Extension `supported_groups`.
pub const EXT_SUPPORTED_GROUPS: u16 = 10;
/// Extension `ec_point_formats`.
pub const EXT_EC_POINT_FORMATS: u16 = 11;
/// Extension `signature_algorithms`.
pub const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
/// Extension `application_layer_protocol_negotiation`.
pub const EXT_ALPN: u16 = 16;
/// Extension `encrypt_then_mac`.
pub const EXT_ENCRYPT_THEN_MAC: u16 = 22;
/// Extension `extended_master_secret`.
pub const EXT_EXTENDED_MASTER_SECRET: u16 = 23;
/// Extension `session_ticket`.
pub const EXT_SESSION_TICKET: u16 = 35;
/// Extension `supported_versions`.
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// Extension `cookie`.
pub const EXT_COOKIE: u16 = 44;
/// Extension `psk_key_exchange_modes`.
pub const EXT_PSK_KEY_EXCHANGE_MODES: u16 = 45;
/// Extension `key_share`.
pub const EXT_KEY_SHARE: u16 = 51;
/// Extension `renegotiation_info`.
pub const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// Group x25519.
pub const GROUP_X25519: u16 = 0x001d;

/// The ServerHello random that marks a HelloRetryRequest (SHA-256 of "HelloRetryRequest").
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What the ClientHello's key_share extension carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyShare {
    /// No key_share extension.
    Absent,
    /// An empty list: the server must answer with a HelloRetryRequest naming its group.
    Empty,
    /// Entries `(group, key_exchange)`; random bytes of the right length are a
    /// syntactically valid share for probing (see [`random_share`]).
    Shares(Vec<(u16, Vec<u8>)>),
}

/// Everything a ClientHello says. Build one with [`HelloSpec::new`] and adjust fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloSpec {
    /// Version of the record header (0x0301 is what most clients send; 0x0300 for SSL 3.0).
    pub record_version: u16,
    /// `legacy_version` / `client_version` in the hello body (at most TLS 1.2 when
    /// `supported_versions` carries TLS 1.3).
    pub client_version: u16,
    /// Client random.
    pub random: [u8; 32],
    /// Session id (at most 32 bytes; longer ids are cut).
    pub session_id: Vec<u8>,
    /// Offered cipher suites (IANA codes), in preference order.
    pub cipher_suites: Vec<u16>,
    /// Compression methods (`[0]` = null only).
    pub compression_methods: Vec<u8>,
    /// Whether to write an extensions block at all (SSL 3.0 hellos traditionally have none).
    pub extensions: bool,
    /// SNI host name; IP literals are never sent (RFC 6066 §3).
    pub server_name: Option<String>,
    /// Send an empty `renegotiation_info`.
    pub renegotiation_info: bool,
    /// `supported_groups` (omitted when empty).
    pub supported_groups: Vec<u16>,
    /// Send `session_ticket` (empty).
    pub session_ticket: bool,
    /// The key_share extension.
    pub key_share: KeyShare,
    /// `supported_versions` (omitted when empty).
    pub supported_versions: Vec<u16>,
    /// `signature_algorithms` (omitted when empty).
    pub signature_algorithms: Vec<u16>,
    /// ALPN protocol names (omitted when empty).
    pub alpn: Vec<String>,
    /// Send `status_request` (OCSP).
    pub status_request: bool,
    /// Send `ec_point_formats` (uncompressed).
    pub ec_point_formats: bool,
    /// Send `psk_key_exchange_modes` with psk_dhe_ke.
    pub psk_dhe_ke: bool,
    /// Further raw extensions `(type, data)`, written last, in order.
    pub extra_extensions: Vec<(u16, Vec<u8>)>,
}

/// A broadly accepted list of signature schemes (TLS 1.2 and 1.3).
pub const DEFAULT_SIGNATURE_ALGORITHMS: [u16; 14] = [
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203,
    0x0201, 0x0402,
];

/// A broadly accepted list of groups: x25519, secp256r1, secp384r1, secp521r1, x448,
/// ffdhe2048, ffdhe3072.
pub const DEFAULT_GROUPS: [u16; 7] = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101];

/// Hybrid and pure post-quantum TLS 1.3 groups worth asking for: SecP256r1MLKEM768,
/// X25519MLKEM768, SecP384r1MLKEM1024, MLKEM512, MLKEM768, MLKEM1024 and the Kyber drafts
/// X25519Kyber768Draft00 and SecP256r1Kyber768Draft00.
pub const PQ_GROUPS: [u16; 8] = [
    0x11eb, 0x11ec, 0x11ed, 0x0200, 0x0201, 0x0202, 0x6399, 0x639a,
];

/// Every group a TLS 1.3 hello offers: [`DEFAULT_GROUPS`] first (x25519, whose share the
/// hello carries, leading), then the post-quantum ones, then every other group the
/// knowledge base knows. A server configured with post-quantum groups only, or with any
/// one group mamori knows, still finds one it accepts and answers (with a
/// HelloRetryRequest when it is not x25519).
pub fn tls13_groups() -> Vec<u16> {
    let mut out: Vec<u16> = DEFAULT_GROUPS.to_vec();
    let rest = PQ_GROUPS
        .iter()
        .copied()
        .chain(mamori_algorithms::tls::groups().iter().map(|g| g.code));
    for g in rest {
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

impl HelloSpec {
    /// A hello for protocol `version` (one of [`SSL3`]..=[`TLS13`]) offering `cipher_suites`,
    /// with the extensions a client of that version sends: none for SSL 3.0; SNI (when
    /// given), groups, point formats, signature algorithms (TLS 1.2+), renegotiation_info
    /// and session_ticket for TLS; for TLS 1.3 also supported_versions, psk modes, a
    /// 32-byte session id, every group of [`tls13_groups`] and a random x25519 key share.
    /// The random comes from [`random32`].
    pub fn new(version: u16, cipher_suites: &[u16], server_name: Option<&str>) -> HelloSpec {
        let tls = version >= TLS10;
        let tls12 = version >= TLS12;
        let tls13 = version >= TLS13;
        HelloSpec {
            record_version: if tls { TLS10 } else { SSL3 },
            client_version: version.min(TLS12),
            random: random32(),
            session_id: if tls13 {
                random32().to_vec()
            } else {
                Vec::new()
            },
            cipher_suites: cipher_suites.to_vec(),
            compression_methods: vec![0],
            extensions: tls,
            server_name: server_name.map(str::to_string),
            renegotiation_info: tls,
            supported_groups: if tls13 {
                tls13_groups()
            } else if tls {
                DEFAULT_GROUPS.to_vec()
            } else {
                Vec::new()
            },
            session_ticket: tls,
            key_share: if tls13 {
                KeyShare::Shares(vec![(GROUP_X25519, random32().to_vec())])
            } else {
                KeyShare::Absent
            },
            supported_versions: if tls13 { vec![TLS13] } else { Vec::new() },
            signature_algorithms: if tls12 {
                DEFAULT_SIGNATURE_ALGORITHMS.to_vec()
            } else {
                Vec::new()
            },
            alpn: Vec::new(),
            status_request: false,
            ec_point_formats: tls,
            psk_dhe_ke: tls13,
            extra_extensions: Vec::new(),
        }
    }
}

/// 32 unpredictable bytes for a probe's random or a throw-away key share, drawn from the
/// standard library's per-process random hash keys (seeded from the OS) mixed with the time
/// and a counter. Not for secrets: a probe never completes a key exchange.
pub fn random32() -> [u8; 32] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let state = RandomState::new();
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = state.build_hasher();
        h.write_u128(now);
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    out
}

/// Random bytes of the public-key length of `group` where it is known (x25519 32, x448 56,
/// P-256/384/521 uncompressed points with a 0x04 prefix, ML-KEM and the hybrids), else 32.
pub fn random_share(group: u16) -> Vec<u8> {
    let (len, point) = match group {
        0x001d => (32, false),
        0x001e => (56, false),
        0x0017 => (65, true),
        0x0018 => (97, true),
        0x0019 => (133, true),
        0x0200 => (800, false),
        0x0201 => (1184, false),
        0x0202 => (1568, false),
        0x11ec => (1184 + 32, false),
        0x11eb => (65 + 1184, false),
        0x11ed => (97 + 1568, false),
        0x6399 => (32 + 1184, false),
        _ => (32, false),
    };
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        v.extend_from_slice(&random32());
    }
    v.truncate(len);
    if point {
        if let Some(first) = v.first_mut() {
            *first = 4;
        }
    }
    v
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends `body` preceded by its length in `width` bytes (1, 2 or 3); longer bodies are cut
/// to fit the length field.
fn put_vec(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let max = (1usize << (8 * width)) - 1;
    let body = body.get(..max.min(body.len())).unwrap_or(body);
    let len = body.len().to_be_bytes();
    out.extend_from_slice(&len[len.len() - width..]);
    out.extend_from_slice(body);
}

fn u16_list(items: &[u16]) -> Vec<u8> {
    items.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn put_ext(out: &mut Vec<u8>, ext: u16, data: &[u8]) {
    put_u16(out, ext);
    put_vec(out, 2, data);
}

/// The ClientHello handshake message (type, 3-byte length, body) described by `spec`.
pub fn client_hello_message(spec: &HelloSpec) -> Vec<u8> {
    let mut b = Vec::with_capacity(512);
    put_u16(&mut b, spec.client_version);
    b.extend_from_slice(&spec.random);
    put_vec(
        &mut b,
        1,
        spec.session_id.get(..32).unwrap_or(&spec.session_id),
    );
    put_vec(&mut b, 2, &u16_list(&spec.cipher_suites));
    put_vec(&mut b, 1, &spec.compression_methods);
    if spec.extensions {
        let mut e = Vec::new();
        if let Some(name) = spec
            .server_name
            .as_deref()
            .filter(|n| n.parse::<std::net::IpAddr>().is_err() && !n.is_empty())
        {
            let mut entry = vec![0u8]; // host_name
            put_vec(&mut entry, 2, name.trim_end_matches('.').as_bytes());
            let mut list = Vec::new();
            put_vec(&mut list, 2, &entry);
            put_ext(&mut e, EXT_SERVER_NAME, &list);
        }
        if spec.renegotiation_info {
            put_ext(&mut e, EXT_RENEGOTIATION_INFO, &[0]);
        }
        if !spec.supported_groups.is_empty() {
            let mut d = Vec::new();
            put_vec(&mut d, 2, &u16_list(&spec.supported_groups));
            put_ext(&mut e, EXT_SUPPORTED_GROUPS, &d);
        }
        if spec.session_ticket {
            put_ext(&mut e, EXT_SESSION_TICKET, &[]);
        }
        match &spec.key_share {
            KeyShare::Absent => {}
            KeyShare::Empty => put_ext(&mut e, EXT_KEY_SHARE, &[0, 0]),
            KeyShare::Shares(shares) => {
                let mut list = Vec::new();
                for (group, key) in shares {
                    put_u16(&mut list, *group);
                    put_vec(&mut list, 2, key);
                }
                let mut d = Vec::new();
                put_vec(&mut d, 2, &list);
                put_ext(&mut e, EXT_KEY_SHARE, &d);
            }
        }
        if !spec.supported_versions.is_empty() {
            let mut d = Vec::new();
            put_vec(&mut d, 1, &u16_list(&spec.supported_versions));
            put_ext(&mut e, EXT_SUPPORTED_VERSIONS, &d);
        }
        if !spec.signature_algorithms.is_empty() {
            let mut d = Vec::new();
            put_vec(&mut d, 2, &u16_list(&spec.signature_algorithms));
            put_ext(&mut e, EXT_SIGNATURE_ALGORITHMS, &d);
        }
        if spec.psk_dhe_ke {
            put_ext(&mut e, EXT_PSK_KEY_EXCHANGE_MODES, &[1, 1]);
        }
        if !spec.alpn.is_empty() {
            let mut list = Vec::new();
            for p in &spec.alpn {
                put_vec(&mut list, 1, p.as_bytes());
            }
            let mut d = Vec::new();
            put_vec(&mut d, 2, &list);
            put_ext(&mut e, EXT_ALPN, &d);
        }
        if spec.status_request {
            // status_type ocsp, empty responder_id_list, empty request_extensions
            put_ext(&mut e, EXT_STATUS_REQUEST, &[1, 0, 0, 0, 0]);
        }
        if spec.ec_point_formats {
            put_ext(&mut e, EXT_EC_POINT_FORMATS, &[1, 0]);
        }
        for (t, d) in &spec.extra_extensions {
            put_ext(&mut e, *t, d);
        }
        put_vec(&mut b, 2, &e);
    }
    let mut msg = vec![HS_CLIENT_HELLO];
    put_vec(&mut msg, 3, &b);
    msg
}

/// The complete ClientHello record(s) described by `spec`, ready to write to the socket.
pub fn client_hello(spec: &HelloSpec) -> Vec<u8> {
    record::write_records(
        record::HANDSHAKE,
        spec.record_version,
        &client_hello_message(spec),
    )
}

/// A bounds-checked cursor over untrusted bytes.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], &'static str> {
        if n > self.buf.len() {
            return Err(what);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, &'static str> {
        Ok(self.take(1, what)?.first().copied().unwrap_or(0))
    }
    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, &'static str> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    pub(crate) fn u24(&mut self, what: &'static str) -> Result<usize, &'static str> {
        let b = self.take(3, what)?;
        Ok(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
    /// A vector with a `width`-byte length prefix.
    pub(crate) fn vec(
        &mut self,
        width: usize,
        what: &'static str,
    ) -> Result<&'a [u8], &'static str> {
        let n = match width {
            1 => usize::from(self.u8(what)?),
            2 => usize::from(self.u16(what)?),
            _ => self.u24(what)?,
        };
        self.take(n, what)
    }
}

/// A ServerHello (not a HelloRetryRequest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// `legacy_version` / `server_version`.
    pub legacy_version: u16,
    /// Server random.
    pub random: [u8; 32],
    /// Session id echoed or assigned.
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher_suite: u16,
    /// Selected compression method (0 = null).
    pub compression: u8,
    /// All extensions in order, `(type, data)`.
    pub extensions: Vec<(u16, Vec<u8>)>,
    /// The version from `supported_versions` (TLS 1.3).
    pub selected_version: Option<u16>,
    /// The key_share group and public value.
    pub key_share: Option<(u16, Vec<u8>)>,
    /// The selected ALPN protocol.
    pub alpn: Option<Vec<u8>>,
    /// `renegotiation_info` contents (empty on an initial handshake) when sent.
    pub renegotiation_info: Option<Vec<u8>>,
}

impl ServerHello {
    /// The negotiated version: `supported_versions` if present, else the legacy field.
    pub fn version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// Whether an extension of this type was sent.
    pub fn has_extension(&self, ext: u16) -> bool {
        self.extensions.iter().any(|(t, _)| *t == ext)
    }

    /// The TLS 1.3 downgrade sentinel in the random (RFC 8446 §4.1.3): `Some(TLS12)` for
    /// "DOWNGRD\x01", `Some(TLS11)` for "DOWNGRD\x00" (TLS 1.1 or below).
    pub fn downgrade_sentinel(&self) -> Option<u16> {
        match self.random.get(24..) {
            Some(b"DOWNGRD\x01") => Some(TLS12),
            Some(b"DOWNGRD\x00") => Some(TLS11),
            _ => None,
        }
    }
}

/// A HelloRetryRequest (a ServerHello with [`HRR_RANDOM`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloRetryRequest {
    /// `legacy_version` (0x0303).
    pub legacy_version: u16,
    /// Echoed session id.
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher_suite: u16,
    /// The version from `supported_versions`.
    pub selected_version: Option<u16>,
    /// The group the server asks a key share for.
    pub selected_group: Option<u16>,
    /// Cookie, when sent.
    pub cookie: Option<Vec<u8>>,
    /// All extensions in order, `(type, data)`.
    pub extensions: Vec<(u16, Vec<u8>)>,
}

/// A ServerHello body parsed: an ordinary hello or a retry request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedHello {
    /// A ServerHello.
    Hello(ServerHello),
    /// A HelloRetryRequest.
    Retry(HelloRetryRequest),
}

/// Parses a ServerHello handshake body (after the 4-byte handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ParsedHello, &'static str> {
    let mut r = Reader::new(body);
    let legacy_version = r.u16("ServerHello version truncated")?;
    let random_bytes = r.take(32, "ServerHello random truncated")?;
    let mut random = [0u8; 32];
    random.copy_from_slice(random_bytes);
    let session_id = r.vec(1, "ServerHello session id truncated")?;
    if session_id.len() > 32 {
        return Err("ServerHello session id longer than 32 bytes");
    }
    let cipher_suite = r.u16("ServerHello cipher suite truncated")?;
    let compression = r.u8("ServerHello compression method truncated")?;
    let mut extensions = Vec::new();
    if !r.is_empty() {
        let block = r.vec(2, "ServerHello extensions length exceeds the message")?;
        if !r.is_empty() {
            return Err("ServerHello has bytes after its extensions");
        }
        let mut er = Reader::new(block);
        while !er.is_empty() {
            let t = er.u16("ServerHello extension header truncated")?;
            let d = er.vec(2, "ServerHello extension data truncated")?;
            if extensions.iter().any(|(x, _)| *x == t) {
                return Err("ServerHello repeats an extension");
            }
            extensions.push((t, d.to_vec()));
        }
    }
    let ext = |t: u16| {
        extensions
            .iter()
            .find(|(x, _)| *x == t)
            .map(|(_, d)| d.as_slice())
    };
    let selected_version = match ext(EXT_SUPPORTED_VERSIONS) {
        Some(d) => {
            let mut er = Reader::new(d);
            let v = er.u16("supported_versions extension truncated")?;
            if !er.is_empty() {
                return Err("supported_versions extension too long");
            }
            Some(v)
        }
        None => None,
    };
    if random == HRR_RANDOM {
        let selected_group = match ext(EXT_KEY_SHARE) {
            Some(d) => {
                let mut er = Reader::new(d);
                let g = er.u16("HelloRetryRequest key_share truncated")?;
                if !er.is_empty() {
                    return Err("HelloRetryRequest key_share too long");
                }
                Some(g)
            }
            None => None,
        };
        let cookie = match ext(EXT_COOKIE) {
            Some(d) => Some(Reader::new(d).vec(2, "cookie truncated")?.to_vec()),
            None => None,
        };
        return Ok(ParsedHello::Retry(HelloRetryRequest {
            legacy_version,
            session_id: session_id.to_vec(),
            cipher_suite,
            selected_version,
            selected_group,
            cookie,
            extensions,
        }));
    }
    let key_share = match ext(EXT_KEY_SHARE) {
        Some(d) => {
            let mut er = Reader::new(d);
            let g = er.u16("key_share extension truncated")?;
            let k = er.vec(2, "key_share key_exchange truncated")?;
            if !er.is_empty() {
                return Err("key_share extension too long");
            }
            Some((g, k.to_vec()))
        }
        None => None,
    };
    let alpn = match ext(EXT_ALPN) {
        Some(d) => {
            let mut er = Reader::new(d);
            let list = er.vec(2, "ALPN list truncated")?;
            let mut lr = Reader::new(list);
            let p = lr.vec(1, "ALPN protocol truncated")?;
            if !lr.is_empty() || !er.is_empty() || p.is_empty() {
                return Err("ALPN extension must name exactly one protocol");
            }
            Some(p.to_vec())
        }
        None => None,
    };
    let renegotiation_info = match ext(EXT_RENEGOTIATION_INFO) {
        Some(d) => Some(
            Reader::new(d)
                .vec(1, "renegotiation_info truncated")?
                .to_vec(),
        ),
        None => None,
    };
    Ok(ParsedHello::Hello(ServerHello {
        legacy_version,
        random,
        session_id: session_id.to_vec(),
        cipher_suite,
        compression,
        extensions,
        selected_version,
        key_share,
        alpn,
        renegotiation_info,
    }))
}

/// Parses a TLS ≤ 1.2 Certificate message body into the DER certificates, leaf first.
pub fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    let mut r = Reader::new(body);
    let list = r.vec(3, "Certificate list length exceeds the message")?;
    if !r.is_empty() {
        return Err("Certificate message has bytes after its list");
    }
    let mut lr = Reader::new(list);
    let mut out = Vec::new();
    while !lr.is_empty() {
        let der = lr.vec(3, "certificate length exceeds the list")?;
        if der.is_empty() {
            return Err("empty certificate in the list");
        }
        out.push(der.to_vec());
    }
    Ok(out)
}
