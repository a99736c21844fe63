//! STARTTLS: bringing a plaintext connection to the point where TLS starts, and telling
//! what a bare `host:port` speaks.
//!
//! [`upgrade`] talks SMTP (`EHLO` / `STARTTLS`, RFC 3207), IMAP (`STARTTLS`, RFC 3501),
//! POP3 (`STLS`, RFC 2595), FTP (`AUTH TLS`, RFC 4217), LDAP (the StartTLS extended
//! operation, RFC 4511 §4.14) and PostgreSQL (`SSLRequest`) until the server has agreed; the
//! next bytes the caller writes are the TLS ClientHello. It reads byte by byte and never past
//! the reply that agrees, so nothing of the server's TLS flight is consumed here.
//!
//! [`sniff`] waits a moment for a server to speak first: an SSH banner, a mail or FTP
//! greeting, or silence (TLS, where the client speaks first). [`classify`] is its pure core.
//!
//! Every reply parser is a pure function of bytes (unit-tested and fuzzed); every limit is
//! checked before bytes are buffered: [`MAX_LINE`] bytes a line, [`MAX_LINES`] lines a reply,
//! [`MAX_TOTAL`] bytes a conversation. Errors name the protocol, the stage, and quote what
//! the server said (control characters replaced, cut to [`MAX_QUOTE`] characters).

use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use crate::target::Kind;

/// Longest line accepted from a server, line ending included.
pub const MAX_LINE: usize = 4096;
/// Most lines in one reply (an SMTP multi-line reply, an IMAP or POP3 capability list).
pub const MAX_LINES: usize = 64;
/// Most bytes read from a server during one [`upgrade`].
pub const MAX_TOTAL: usize = 64 * 1024;
/// Longest quote of a server's words in an error message, in characters.
pub const MAX_QUOTE: usize = 300;
/// Longest greeting kept in [`StartTlsInfo::greeting`], in characters.
pub const MAX_GREETING: usize = 512;
/// The name mamori gives in `EHLO` (RFC 2606 reserves `.invalid`).
pub const EHLO_NAME: &str = "mamori.invalid";
/// The StartTLS extended operation's OID (RFC 4511 §4.14.1).
pub const LDAP_STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";
/// The notice of disconnection's OID (RFC 4511 §4.4.1).
pub const LDAP_NOTICE_OF_DISCONNECTION_OID: &str = "1.3.6.1.4.1.1466.20036";
/// The PostgreSQL `SSLRequest` message: length 8, request code 80877103.
pub const POSTGRES_SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// What the server said on the way to TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartTlsInfo {
    /// The greeting or banner line as sent, code included (e.g. `220 mx.example.org ESMTP
    /// Postfix (Debian/GNU)`, `* OK [CAPABILITY …] Dovecot (Debian) ready.`): software
    /// hints. `None` for protocols without one (LDAP, PostgreSQL, TLS). Control characters
    /// are replaced by `?`; cut to [`MAX_GREETING`] characters.
    pub greeting: Option<String>,
    /// The capabilities advertised: SMTP EHLO keywords with their parameters (`SIZE 10240000`,
    /// `STARTTLS`), IMAP capability atoms, POP3 `CAPA` lines; empty for the others.
    pub capabilities: Vec<String>,
}

/// What went wrong at one stage of a STARTTLS conversation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The deadline passed before a complete reply.
    #[error("no complete reply before the deadline")]
    Timeout,
    /// The server closed the connection.
    #[error("connection closed by the server")]
    Closed,
    /// A socket operation failed.
    #[error("I/O error: {0}")]
    Io(String),
    /// A line longer than [`MAX_LINE`].
    #[error("line longer than {MAX_LINE} bytes")]
    LineTooLong,
    /// A reply of more than [`MAX_LINES`] lines.
    #[error("reply longer than {MAX_LINES} lines")]
    TooManyLines,
    /// More than [`MAX_TOTAL`] bytes in the conversation, or a BER element larger than that.
    #[error("more than {MAX_TOTAL} bytes from the server")]
    TooMuch,
    /// The reply is not what the protocol allows here.
    #[error("unexpected reply ({0})")]
    Unexpected(String),
    /// The server does not advertise the upgrade command.
    #[error("server does not offer {0}")]
    NotOffered(&'static str),
    /// The server answered the upgrade command with a refusal.
    #[error("server refuses {0}")]
    Refused(&'static str),
    /// The LDAP StartTLS extended response carried a non-zero result code.
    #[error("server refuses StartTLS: LDAP result code {code} ({name})")]
    LdapResult {
        /// The `resultCode`.
        code: u32,
        /// Its RFC 4511 name, or `unknown`.
        name: &'static str,
    },
}

/// A failed [`upgrade`]: the protocol, the stage, the problem, and what the server said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTlsError {
    /// `SMTP`, `IMAP`, `POP3`, `FTP`, `LDAP` or `PostgreSQL`.
    pub protocol: &'static str,
    /// The stage: `greeting`, `EHLO`, `STARTTLS`, `CAPABILITY`, `CAPA`, `STLS`, `AUTH TLS`,
    /// `StartTLS extended operation`, `SSLRequest`.
    pub stage: &'static str,
    /// What went wrong.
    pub problem: Problem,
    /// What the server said in that stage (possibly partial), sanitised and cut to
    /// [`MAX_QUOTE`] characters; empty when it said nothing.
    pub said: String,
}

impl fmt::Display for StartTlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.protocol, self.stage, self.problem)?;
        if self.said.is_empty() {
            write!(f, "; the server said nothing")
        } else {
            write!(f, "; the server said {:?}", self.said)
        }
    }
}

impl std::error::Error for StartTlsError {}

/// Replaces control characters (line breaks become ` | `) and cuts to `max` characters
/// (with `…` when cut).
pub fn sanitize(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end_matches(['\r', '\n']);
    let mut out = String::new();
    let mut n = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if n >= max {
            out.push('…');
            break;
        }
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => out.push_str(" | "),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
        n += 1;
    }
    out
}

/// The bytes of one conversation: reads bounded by the deadline and [`MAX_TOTAL`], the
/// current stage's bytes kept for quoting.
struct Conversation<'a, S> {
    stream: &'a mut S,
    protocol: &'static str,
    deadline: Instant,
    total: usize,
    stage: &'static str,
    heard: Vec<u8>,
}

impl<'a, S: AsyncRead + AsyncWrite + Unpin> Conversation<'a, S> {
    fn new(stream: &'a mut S, protocol: &'static str, deadline: Instant) -> Self {
        Conversation {
            stream,
            protocol,
            deadline,
            total: 0,
            stage: "greeting",
            heard: Vec::new(),
        }
    }

    /// Starts a stage: what is quoted in errors from now on is this stage's reply.
    fn stage(&mut self, stage: &'static str) {
        self.stage = stage;
        self.heard.clear();
    }

    fn fail(&self, problem: Problem) -> StartTlsError {
        StartTlsError {
            protocol: self.protocol,
            stage: self.stage,
            problem,
            said: sanitize(&self.heard, MAX_QUOTE),
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), StartTlsError> {
        let write = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        match timeout_at(self.deadline, write).await {
            Err(_) => Err(self.fail(Problem::Timeout)),
            Ok(Err(e)) => Err(self.fail(Problem::Io(e.to_string()))),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Sends a command line (CR LF appended).
    async fn command(&mut self, stage: &'static str, line: &str) -> Result<(), StartTlsError> {
        self.stage(stage);
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.send(&bytes).await
    }

    /// Reads some bytes into `buf` (at least one), within the deadline and [`MAX_TOTAL`];
    /// what was read is kept for quoting.
    async fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, StartTlsError> {
        if self.total.saturating_add(buf.len()) > MAX_TOTAL {
            return Err(self.fail(Problem::TooMuch));
        }
        match timeout_at(self.deadline, self.stream.read(buf)).await {
            Err(_) => Err(self.fail(Problem::Timeout)),
            Ok(Err(e)) => Err(self.fail(Problem::Io(e.to_string()))),
            Ok(Ok(0)) => Err(self.fail(Problem::Closed)),
            Ok(Ok(k)) => {
                let k = k.min(buf.len());
                self.heard
                    .extend_from_slice(buf.get(..k).unwrap_or_default());
                self.total += k;
                Ok(k)
            }
        }
    }

    /// Reads exactly `n` bytes.
    async fn exact(&mut self, n: usize) -> Result<Vec<u8>, StartTlsError> {
        if self.total.saturating_add(n) > MAX_TOTAL {
            return Err(self.fail(Problem::TooMuch));
        }
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
            got += self.read_some(rest).await?;
        }
        Ok(buf)
    }

    /// Reads one line, byte by byte (so nothing after it is consumed); returns it without
    /// its CR LF (or bare LF).
    async fn line(&mut self) -> Result<Vec<u8>, StartTlsError> {
        let mut line = Vec::new();
        loop {
            if line.len() >= MAX_LINE {
                return Err(self.fail(Problem::LineTooLong));
            }
            let mut one = [0u8; 1];
            self.read_some(&mut one).await?;
            let [b] = one;
            if b == b'\n' {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            line.push(b);
        }
    }

    /// Reads one SMTP or FTP reply.
    async fn code_reply(&mut self, ftp: bool) -> Result<CodeReply, StartTlsError> {
        let mut parser = CodeReplyParser::new(ftp);
        loop {
            let line = self.line().await?;
            match parser.line(&line) {
                Ok(Some(reply)) => return Ok(reply),
                Ok(None) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
    }
}

/// Brings `stream`, freshly connected to a service of `kind`, to the point where the next
/// bytes sent are the TLS ClientHello. `host` is the name the user gave (kept for protocols
/// that could name it; SMTP's `EHLO` names mamori, not the server).
///
/// Nothing to do for [`Kind::Tls`], [`Kind::Https`], [`Kind::Ssh`] and [`Kind::Unknown`]
/// (a bare `host:port` is told apart with [`sniff`] first). Every read and write ends at
/// `deadline`.
pub async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    kind: Kind,
    host: &str,
    deadline: Instant,
) -> Result<StartTlsInfo, StartTlsError> {
    let _ = host;
    match kind {
        Kind::Smtp => smtp(&mut Conversation::new(stream, "SMTP", deadline)).await,
        Kind::Imap => imap(&mut Conversation::new(stream, "IMAP", deadline)).await,
        Kind::Pop3 => pop3(&mut Conversation::new(stream, "POP3", deadline)).await,
        Kind::Ftp => ftp(&mut Conversation::new(stream, "FTP", deadline)).await,
        Kind::Ldap => ldap(&mut Conversation::new(stream, "LDAP", deadline)).await,
        Kind::Postgres => postgres(&mut Conversation::new(stream, "PostgreSQL", deadline)).await,
        Kind::Tls | Kind::Https | Kind::Ssh | Kind::Unknown => Ok(StartTlsInfo::default()),
    }
}

fn greeting_text(line: &[u8]) -> String {
    sanitize(line, MAX_GREETING)
}

// ---------------------------------------------------------------- SMTP and FTP

/// One SMTP (RFC 5321 §4.2) or FTP (RFC 959 §4.2) reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeReply {
    /// The three-digit reply code.
    pub code: u16,
    /// The text of each line after the code and its separator (sanitised).
    pub lines: Vec<String>,
    /// The first line as sent, code included (sanitised).
    pub first_line: String,
}

/// Collects the lines of one SMTP or FTP reply: `250-…` lines up to the `250 …` line.
/// SMTP requires every line to carry the code; FTP allows any text between the first
/// `123-` line and the closing `123 ` line.
#[derive(Debug, Clone, Default)]
pub struct CodeReplyParser {
    ftp: bool,
    code: Option<u16>,
    lines: Vec<String>,
    first_line: String,
}

/// Splits an SMTP/FTP reply line into its code, whether more lines follow (`-`), and its
/// text. The separator may be missing on a last line (`250`).
pub fn parse_code_line(line: &[u8]) -> Option<(u16, bool, &[u8])> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(digits.first()?) {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    match line.get(3) {
        None => Some((code, false, &[])),
        Some(b' ') => Some((code, false, line.get(4..).unwrap_or_default())),
        Some(b'-') => Some((code, true, line.get(4..).unwrap_or_default())),
        Some(_) => None,
    }
}

impl CodeReplyParser {
    /// A parser for an SMTP (`ftp == false`) or FTP reply.
    pub fn new(ftp: bool) -> Self {
        CodeReplyParser {
            ftp,
            ..Self::default()
        }
    }

    /// Takes the next line (without its line ending): `Ok(Some(reply))` when it ended the
    /// reply, `Ok(None)` when more lines follow.
    pub fn line(&mut self, line: &[u8]) -> Result<Option<CodeReply>, Problem> {
        if self.lines.len() >= MAX_LINES {
            return Err(Problem::TooManyLines);
        }
        let parsed = parse_code_line(line);
        let Some(code) = self.code else {
            // the first line
            let Some((code, more, text)) = parsed else {
                return Err(Problem::Unexpected("not a reply line".into()));
            };
            self.code = Some(code);
            self.first_line = greeting_text(line);
            self.lines.push(sanitize(text, MAX_LINE));
            return Ok(if more { None } else { Some(self.take(code)) });
        };
        match parsed {
            Some((c, more, text)) if c == code => {
                self.lines.push(sanitize(text, MAX_LINE));
                Ok(if more { None } else { Some(self.take(code)) })
            }
            Some((c, _, _)) if !self.ftp => Err(Problem::Unexpected(format!(
                "reply code {c} inside a {code} reply"
            ))),
            None if !self.ftp => Err(Problem::Unexpected("not a reply line".into())),
            _ => {
                // FTP: free text between the first and the last line
                self.lines.push(sanitize(line, MAX_LINE));
                Ok(None)
            }
        }
    }

    fn take(&mut self, code: u16) -> CodeReply {
        CodeReply {
            code,
            lines: std::mem::take(&mut self.lines),
            first_line: std::mem::take(&mut self.first_line),
        }
    }
}

/// Whether a capability list names `word` (the first word of an entry, any case).
fn offers(capabilities: &[String], word: &str) -> bool {
    capabilities.iter().any(|c| {
        c.split_ascii_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    })
}

async fn smtp<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("greeting");
    let greeting = c.code_reply(false).await?;
    if greeting.code != 220 {
        return Err(c.fail(Problem::Unexpected(format!(
            "expected a 220 greeting, got {}",
            greeting.code
        ))));
    }
    c.command("EHLO", &format!("EHLO {EHLO_NAME}")).await?;
    let ehlo = c.code_reply(false).await?;
    if ehlo.code != 250 {
        return Err(c.fail(Problem::Unexpected(format!(
            "expected 250 to EHLO, got {}",
            ehlo.code
        ))));
    }
    // the first line greets; the others are the extension keywords
    let capabilities: Vec<String> = ehlo.lines.into_iter().skip(1).collect();
    if !offers(&capabilities, "STARTTLS") {
        return Err(c.fail(Problem::NotOffered("STARTTLS")));
    }
    c.command("STARTTLS", "STARTTLS").await?;
    let reply = c.code_reply(false).await?;
    if reply.code != 220 {
        return Err(c.fail(Problem::Refused("STARTTLS")));
    }
    Ok(StartTlsInfo {
        greeting: Some(greeting.first_line),
        capabilities,
    })
}

async fn ftp<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("greeting");
    let mut greeting = c.code_reply(true).await?;
    // 120: "service ready in nnn minutes", followed by 220 (RFC 959 §5.4)
    if greeting.code == 120 {
        greeting = c.code_reply(true).await?;
    }
    if greeting.code != 220 {
        return Err(c.fail(Problem::Unexpected(format!(
            "expected a 220 greeting, got {}",
            greeting.code
        ))));
    }
    c.command("AUTH TLS", "AUTH TLS").await?;
    let reply = c.code_reply(true).await?;
    // 234: "security data exchange" may begin (RFC 2228, RFC 4217 §4)
    if reply.code != 234 {
        return Err(c.fail(Problem::Refused("AUTH TLS")));
    }
    Ok(StartTlsInfo {
        greeting: Some(greeting.first_line),
        capabilities: Vec::new(),
    })
}

// ---------------------------------------------------------------- IMAP

/// One IMAP response line (RFC 3501 §7): `* …` untagged, `+ …` continuation, `tag …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImapLine<'a> {
    /// `*`, `+`, or the tag.
    pub tag: &'a str,
    /// The first word after the tag (`OK`, `NO`, `BAD`, `BYE`, `PREAUTH`, `CAPABILITY`,
    /// …), as sent; empty for a bare tag.
    pub word: &'a str,
    /// The rest of the line after that word.
    pub rest: &'a str,
}

/// Splits an IMAP response line into tag, first word and the rest; `None` when it is not
/// text or has no tag.
pub fn parse_imap_line(line: &[u8]) -> Option<ImapLine<'_>> {
    let text = std::str::from_utf8(line).ok()?;
    let (tag, after) = text.split_once(' ').unwrap_or((text, ""));
    if tag.is_empty() {
        return None;
    }
    let (word, rest) = after.split_once(' ').unwrap_or((after, ""));
    Some(ImapLine { tag, word, rest })
}

/// The capabilities in an IMAP line: a `* CAPABILITY a b c` response, or a `[CAPABILITY a
/// b c]` response code in a status response (a greeting, a tagged OK).
pub fn imap_capabilities(line: &ImapLine<'_>) -> Option<Vec<String>> {
    let list = if line.tag == "*" && line.word.eq_ignore_ascii_case("CAPABILITY") {
        line.rest
    } else {
        let code = line.rest.strip_prefix('[')?;
        let (code, _) = code.split_once(']')?;
        let (name, list) = code.split_once(' ').unwrap_or((code, ""));
        if !name.eq_ignore_ascii_case("CAPABILITY") {
            return None;
        }
        list
    };
    Some(list.split_ascii_whitespace().map(str::to_string).collect())
}

/// Reads IMAP lines until the tagged response to `tag`: returns its status word (upper
/// case) and the capabilities seen on the way (untagged CAPABILITY, or a response code).
async fn imap_tagged<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
    tag: &str,
) -> Result<(String, Option<Vec<String>>), StartTlsError> {
    let mut capabilities = None;
    for _ in 0..MAX_LINES {
        let line = c.line().await?;
        let Some(l) = parse_imap_line(&line) else {
            return Err(c.fail(Problem::Unexpected("not an IMAP response line".into())));
        };
        if let Some(caps) = imap_capabilities(&l) {
            capabilities = Some(caps);
        }
        if l.tag == "*" && l.word.eq_ignore_ascii_case("BYE") {
            return Err(c.fail(Problem::Unexpected("BYE".into())));
        }
        if l.tag == tag {
            return Ok((l.word.to_ascii_uppercase(), capabilities));
        }
        if l.tag != "*" {
            return Err(c.fail(Problem::Unexpected(format!(
                "tag {:?} where {tag} was expected",
                sanitize(l.tag.as_bytes(), 40)
            ))));
        }
    }
    Err(c.fail(Problem::TooManyLines))
}

async fn imap<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("greeting");
    let line = c.line().await?;
    let greeting = greeting_text(&line);
    let Some(l) = parse_imap_line(&line) else {
        return Err(c.fail(Problem::Unexpected("not an IMAP greeting".into())));
    };
    if l.tag != "*" || !l.word.eq_ignore_ascii_case("OK") {
        let what = match l.word.to_ascii_uppercase().as_str() {
            "PREAUTH" if l.tag == "*" => {
                "PREAUTH greeting: already authenticated, no STARTTLS possible".to_string()
            }
            "BYE" if l.tag == "*" => "BYE greeting: the server refuses the connection".to_string(),
            _ => "expected `* OK`".to_string(),
        };
        return Err(c.fail(Problem::Unexpected(what)));
    }
    let mut capabilities = imap_capabilities(&l).unwrap_or_default();
    if !offers(&capabilities, "STARTTLS") {
        c.command("CAPABILITY", "a001 CAPABILITY").await?;
        let (status, caps) = imap_tagged(c, "a001").await?;
        if status != "OK" {
            return Err(c.fail(Problem::Unexpected(format!("CAPABILITY answered {status}"))));
        }
        capabilities = caps.unwrap_or_default();
        if !offers(&capabilities, "STARTTLS") {
            return Err(c.fail(Problem::NotOffered("STARTTLS")));
        }
    }
    c.command("STARTTLS", "a002 STARTTLS").await?;
    let (status, _) = imap_tagged(c, "a002").await?;
    if status != "OK" {
        return Err(c.fail(Problem::Refused("STARTTLS")));
    }
    Ok(StartTlsInfo {
        greeting: Some(greeting),
        capabilities,
    })
}

// ---------------------------------------------------------------- POP3

/// A POP3 status line (RFC 1939 §3): `Some(true)` for `+OK`, `Some(false)` for `-ERR`.
pub fn pop3_status(line: &[u8]) -> Option<bool> {
    let word = line.split(|&b| b == b' ').next().unwrap_or_default();
    if word.eq_ignore_ascii_case(b"+OK") {
        Some(true)
    } else if word.eq_ignore_ascii_case(b"-ERR") {
        Some(false)
    } else {
        None
    }
}

/// One line of a POP3 multi-line response (RFC 1939 §3): `None` for the closing `.`,
/// otherwise the line with its dot-stuffing removed.
pub fn pop3_multiline(line: &[u8]) -> Option<&[u8]> {
    match line {
        b"." => None,
        [b'.', rest @ ..] => Some(rest),
        l => Some(l),
    }
}

async fn pop3<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("greeting");
    let line = c.line().await?;
    if pop3_status(&line) != Some(true) {
        return Err(c.fail(Problem::Unexpected("expected `+OK`".into())));
    }
    let greeting = greeting_text(&line);
    c.command("CAPA", "CAPA").await?;
    let status = c.line().await?;
    let mut capabilities = Vec::new();
    match pop3_status(&status) {
        Some(true) => {
            loop {
                let line = c.line().await?;
                let Some(l) = pop3_multiline(&line) else {
                    break;
                };
                if capabilities.len() >= MAX_LINES {
                    return Err(c.fail(Problem::TooManyLines));
                }
                capabilities.push(sanitize(l, MAX_LINE));
            }
            if !offers(&capabilities, "STLS") {
                return Err(c.fail(Problem::NotOffered("STLS")));
            }
        }
        // a server without CAPA (RFC 2449) may still know STLS: ask
        Some(false) => {}
        None => return Err(c.fail(Problem::Unexpected("expected `+OK` or `-ERR`".into()))),
    }
    c.command("STLS", "STLS").await?;
    let line = c.line().await?;
    match pop3_status(&line) {
        Some(true) => Ok(StartTlsInfo {
            greeting: Some(greeting),
            capabilities,
        }),
        Some(false) => Err(c.fail(Problem::Refused("STLS"))),
        None => Err(c.fail(Problem::Unexpected("expected `+OK` or `-ERR`".into()))),
    }
}

// ---------------------------------------------------------------- LDAP

/// The StartTLS `ExtendedRequest` (RFC 4511 §4.12, §4.14.1) as message 1.
pub fn ldap_starttls_request() -> Vec<u8> {
    let oid = LDAP_STARTTLS_OID.as_bytes();
    // [0] requestName (primitive, context 0)
    let mut op = vec![0x80, oid.len() as u8];
    op.extend_from_slice(oid);
    // [APPLICATION 23] ExtendedRequest (constructed)
    let mut message = vec![0x02, 0x01, 0x01, 0x77, op.len() as u8];
    message.extend_from_slice(&op);
    let mut out = vec![0x30, message.len() as u8];
    out.extend_from_slice(&message);
    out
}

/// The header of a BER element: `Ok(Some((tag, header length, content length)))`, or
/// `Ok(None)` when more bytes are needed. Only definite lengths of up to 4 length bytes are
/// accepted (LDAP forbids the indefinite form, RFC 4511 §5.1).
pub fn ber_header(buf: &[u8]) -> Result<Option<(u8, usize, usize)>, &'static str> {
    let (Some(&tag), Some(&first)) = (buf.first(), buf.get(1)) else {
        return Ok(None);
    };
    if tag & 0x1f == 0x1f {
        return Err("multi-byte BER tag");
    }
    if first < 0x80 {
        return Ok(Some((tag, 2, usize::from(first))));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 {
        return Err("indefinite BER length");
    }
    if n > 4 {
        return Err("BER length of more than 4 bytes");
    }
    let Some(bytes) = buf.get(2..2 + n) else {
        return Ok(None);
    };
    let len = bytes.iter().fold(0usize, |l, &b| (l << 8) | usize::from(b));
    Ok(Some((tag, 2 + n, len)))
}

/// Splits one BER element off `buf`: (tag, content, rest).
fn ber_take(buf: &[u8]) -> Result<(u8, &[u8], &[u8]), &'static str> {
    let (tag, head, len) = ber_header(buf)?.ok_or("truncated BER header")?;
    let end = head.checked_add(len).ok_or("BER length overflows")?;
    let content = buf
        .get(head..end)
        .ok_or("BER element longer than its container")?;
    Ok((tag, content, buf.get(end..).unwrap_or_default()))
}

/// A non-negative BER INTEGER / ENUMERATED of at most 4 bytes.
fn ber_uint(content: &[u8]) -> Result<u32, &'static str> {
    if content.is_empty() {
        return Err("empty BER integer");
    }
    if content.first().is_some_and(|&b| b & 0x80 != 0) {
        return Err("negative BER integer");
    }
    let digits = match content {
        [0, rest @ ..] if !rest.is_empty() => rest,
        c => c,
    };
    if digits.len() > 4 {
        return Err("BER integer longer than 4 bytes");
    }
    Ok(digits.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)))
}

/// An LDAP `ExtendedResponse` (RFC 4511 §4.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapExtendedResponse {
    /// The `messageID` it answers (0 for an unsolicited notification).
    pub message_id: u32,
    /// The `resultCode` (0 = success).
    pub result_code: u32,
    /// `matchedDN` (sanitised).
    pub matched_dn: String,
    /// `diagnosticMessage` (sanitised).
    pub diagnostic: String,
    /// `responseName`, when present.
    pub response_name: Option<String>,
}

/// Parses a complete `LDAPMessage` holding an `ExtendedResponse` ([APPLICATION 24]).
pub fn parse_ldap_extended_response(msg: &[u8]) -> Result<LdapExtendedResponse, &'static str> {
    let (tag, body, _) = ber_take(msg)?;
    if tag != 0x30 {
        return Err("LDAPMessage is not a SEQUENCE");
    }
    let (tag, id, body) = ber_take(body)?;
    if tag != 0x02 {
        return Err("messageID is not an INTEGER");
    }
    let message_id = ber_uint(id)?;
    let (tag, op, _controls) = ber_take(body)?;
    if tag != 0x78 {
        return Err(match tag {
            0x61 => "a BindResponse instead of an ExtendedResponse",
            0x65 => "a SearchResultDone instead of an ExtendedResponse",
            _ => "protocolOp is not an ExtendedResponse ([APPLICATION 24])",
        });
    }
    let (tag, code, rest) = ber_take(op)?;
    if tag != 0x0a {
        return Err("resultCode is not an ENUMERATED");
    }
    let result_code = ber_uint(code)?;
    let (tag, dn, rest) = ber_take(rest)?;
    if tag != 0x04 {
        return Err("matchedDN is not an OCTET STRING");
    }
    let (tag, diag, mut rest) = ber_take(rest)?;
    if tag != 0x04 {
        return Err("diagnosticMessage is not an OCTET STRING");
    }
    let mut response_name = None;
    while !rest.is_empty() {
        let (tag, content, after) = ber_take(rest)?;
        match tag {
            0xa3 | 0x8b => {} // referral, responseValue
            0x8a => response_name = Some(sanitize(content, 200)),
            _ => return Err("unexpected element in ExtendedResponse"),
        }
        rest = after;
    }
    Ok(LdapExtendedResponse {
        message_id,
        result_code,
        matched_dn: sanitize(dn, 200),
        diagnostic: sanitize(diag, MAX_QUOTE),
        response_name,
    })
}

/// The RFC 4511 §4.1.9 name of an LDAP result code.
pub fn ldap_result_name(code: u32) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        14 => "saslBindInProgress",
        32 => "noSuchObject",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        54 => "loopDetect",
        80 => "other",
        _ => "unknown",
    }
}

async fn ldap<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("StartTLS extended operation");
    c.send(&ldap_starttls_request()).await?;
    // tag and first length byte, then the long-form length bytes, then the content
    let mut msg = c.exact(2).await?;
    if msg.first() != Some(&0x30) {
        return Err(c.fail(Problem::Unexpected(
            "not an LDAPMessage (a BER SEQUENCE)".into(),
        )));
    }
    let (_, _, len) = loop {
        match ber_header(&msg) {
            Ok(Some(h)) => break h,
            Ok(None) => {
                let more = c.exact(1).await?;
                msg.extend_from_slice(&more);
            }
            Err(e) => return Err(c.fail(Problem::Unexpected(e.into()))),
        }
    };
    if len > MAX_TOTAL {
        return Err(c.fail(Problem::TooMuch));
    }
    let content = c.exact(len).await?;
    msg.extend_from_slice(&content);
    let response =
        parse_ldap_extended_response(&msg).map_err(|e| c.fail(Problem::Unexpected(e.into())))?;
    let quoted = |r: &LdapExtendedResponse| {
        let mut s = r.diagnostic.clone();
        if let Some(name) = &r.response_name {
            s = format!("{s} (responseName {name})");
        }
        s
    };
    if response.message_id == 0 {
        let what = if response.response_name.as_deref() == Some(LDAP_NOTICE_OF_DISCONNECTION_OID) {
            "notice of disconnection"
        } else {
            "unsolicited notification"
        };
        let mut e = c.fail(Problem::Unexpected(format!(
            "{what}, result code {} ({})",
            response.result_code,
            ldap_result_name(response.result_code)
        )));
        e.said = quoted(&response);
        return Err(e);
    }
    if response.message_id != 1 {
        return Err(c.fail(Problem::Unexpected(format!(
            "response to message {} instead of 1",
            response.message_id
        ))));
    }
    if response.result_code != 0 {
        let mut e = c.fail(Problem::LdapResult {
            code: response.result_code,
            name: ldap_result_name(response.result_code),
        });
        e.said = quoted(&response);
        return Err(e);
    }
    Ok(StartTlsInfo::default())
}

// ---------------------------------------------------------------- PostgreSQL

async fn postgres<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conversation<'_, S>,
) -> Result<StartTlsInfo, StartTlsError> {
    c.stage("SSLRequest");
    c.send(&POSTGRES_SSL_REQUEST).await?;
    let answer = c.exact(1).await?;
    match answer.as_slice() {
        b"S" => Ok(StartTlsInfo::default()),
        b"N" => Err(c.fail(Problem::Refused("SSL"))),
        b"E" => Err(c.fail(Problem::Unexpected(
            "an ErrorResponse: the server does not know SSLRequest".into(),
        ))),
        _ => Err(c.fail(Problem::Unexpected("expected `S` or `N`".into()))),
    }
}

// ---------------------------------------------------------------- sniffing

/// What a bare `host:port` seems to speak, from what the server said first (if anything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// The server said nothing: the client speaks first. TLS most likely, but LDAP,
    /// PostgreSQL and HTTP servers are silent too (the TLS probe then reports "not TLS").
    Tls,
    /// An SSH identification string. `bytes` is everything read, exactly as read (the
    /// banner line and whatever followed it in the same reads): the stream is positioned
    /// right after them. The engine may go on with SSH on this stream, treating `bytes` as
    /// already received, or simply open a fresh connection for the SSH probe.
    Ssh {
        /// The bytes read.
        bytes: Vec<u8>,
    },
    /// A plaintext greeting of a protocol that needs STARTTLS: tell the user which scheme to
    /// use. `kinds` holds the candidates, most likely first (a bare `220` is SMTP or FTP).
    Greeting {
        /// Candidate protocols, most likely first (never empty).
        kinds: &'static [Kind],
        /// The greeting line (sanitised).
        line: String,
    },
    /// The server spoke first in some other protocol.
    Other {
        /// What it looks like, when known (`MySQL/MariaDB`, `VNC`…).
        hint: Option<&'static str>,
        /// What it said (sanitised, cut).
        said: String,
    },
}

impl Sniffed {
    /// The kind to probe as, when one is clear enough: TLS, SSH or the first greeting
    /// candidate.
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Sniffed::Tls => Some(Kind::Tls),
            Sniffed::Ssh { .. } => Some(Kind::Ssh),
            Sniffed::Greeting { kinds, .. } => kinds.first().copied(),
            Sniffed::Other { .. } => None,
        }
    }
}

/// Why [`sniff`] could not tell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    /// The server closed the connection without saying anything.
    #[error("connection closed by the server before anything was sent")]
    Closed,
    /// A socket operation failed.
    #[error("I/O error while waiting for the server to speak: {0}")]
    Io(String),
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Tells from the first bytes a server sent what it speaks. No bytes means it waited for
/// the client: [`Sniffed::Tls`].
pub fn classify(first: &[u8]) -> Sniffed {
    if first.is_empty() {
        return Sniffed::Tls;
    }
    let line_end = first
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(first.len());
    let line = first.get(..line_end).unwrap_or(first);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let said = sanitize(line, MAX_QUOTE);
    if first.starts_with(b"SSH-") {
        return Sniffed::Ssh {
            bytes: first.to_vec(),
        };
    }
    let upper: Vec<u8> = line.iter().map(u8::to_ascii_uppercase).collect();
    let greeting = |kinds: &'static [Kind]| Sniffed::Greeting {
        kinds,
        line: said.clone(),
    };
    if upper.starts_with(b"* OK") || upper.starts_with(b"* PREAUTH") || upper.starts_with(b"* BYE")
    {
        return greeting(&[Kind::Imap]);
    }
    if upper.starts_with(b"+OK") || upper.starts_with(b"-ERR") {
        return greeting(&[Kind::Pop3]);
    }
    if let Some((code, _, _)) = parse_code_line(line) {
        if matches!(code, 220 | 120 | 421 | 554) {
            let ftp = contains_ignore_case(line, b"FTP");
            let smtp = [&b"SMTP"[..], b"POSTFIX", b"EXIM", b"SENDMAIL", b"MAIL"]
                .iter()
                .any(|w| contains_ignore_case(line, w));
            return greeting(match (smtp, ftp) {
                (false, true) => &[Kind::Ftp],
                (true, false) => &[Kind::Smtp],
                _ if code == 120 => &[Kind::Ftp, Kind::Smtp],
                _ => &[Kind::Smtp, Kind::Ftp],
            });
        }
    }
    // MySQL / MariaDB: 3-byte length, sequence 0, protocol version 10
    if let [_, _, _, 0, 10, ..] = first {
        return Sniffed::Other {
            hint: Some("MySQL/MariaDB"),
            said: sanitize(first, MAX_QUOTE),
        };
    }
    let hint = if first.starts_with(b"RFB ") {
        Some("VNC")
    } else {
        None
    };
    Sniffed::Other {
        hint,
        said: sanitize(first, MAX_QUOTE),
    }
}

/// Waits up to `wait` for a freshly connected server to speak first, then classifies what
/// it said ([`classify`]). Once a first byte came, reading goes on (for at most another
/// `wait`) until a line ends or 512 bytes are in. Nothing is written.
pub async fn sniff<S: AsyncRead + Unpin>(
    stream: &mut S,
    wait: Duration,
) -> Result<Sniffed, SniffError> {
    const MAX_SNIFF: usize = 512;
    let mut buf = Vec::new();
    let mut chunk = [0u8; MAX_SNIFF];
    let mut deadline = Instant::now() + wait;
    while buf.len() < MAX_SNIFF && !buf.contains(&b'\n') {
        let room = MAX_SNIFF - buf.len();
        let piece = chunk.get_mut(..room).unwrap_or_default();
        match timeout_at(deadline, stream.read(piece)).await {
            Err(_) => break,
            Ok(Err(e)) => return Err(SniffError::Io(e.to_string())),
            Ok(Ok(0)) if buf.is_empty() => return Err(SniffError::Closed),
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                if buf.is_empty() {
                    deadline = Instant::now() + wait;
                }
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            }
        }
    }
    Ok(classify(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Transcripts captured from real servers on 127.0.0.1 (Debian 12 packages): Postfix
    // 3.7.11, Dovecot 2.3.19.1, vsftpd 3.0.3, OpenLDAP slapd 2.5.13.
    const POSTFIX_GREETING: &[u8] = b"220 mx.mamori.test ESMTP Postfix\r\n";
    const POSTFIX_EHLO: &[u8] = b"250-mx.mamori.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n\
        250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n\
        250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
    const DOVECOT_IMAP_GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID \
        ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n";
    const DOVECOT_IMAP_CAPABILITY: &[u8] = b"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID \
        ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN\r\n\
        a001 OK Pre-login capabilities listed, post-login capabilities have more.\r\n";
    const DOVECOT_POP3_CAPA: &[u8] =
        b"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n\
        USER\r\nSASL PLAIN\r\n.\r\n";
    /// slapd with TLS configured, answering StartTLS.
    const SLAPD_SUCCESS: &str = "300c02010178070a010004000400";
    /// slapd without TLS configured, answering StartTLS.
    const SLAPD_NO_TLS: &str = "302a02010178250a01020400041e756e737570706f7274656420657874656e\
        646564206f7065726174696f6e";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn lines(t: &[u8]) -> Vec<&[u8]> {
        t.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect()
    }

    fn code_reply(t: &[u8], ftp: bool) -> Result<Option<CodeReply>, Problem> {
        let mut p = CodeReplyParser::new(ftp);
        let mut out = None;
        for l in lines(t) {
            assert!(out.is_none(), "line after the end of the reply");
            out = p.line(l)?;
        }
        Ok(out)
    }

    #[test]
    fn sanitize_replaces_controls_joins_lines_and_cuts() {
        assert_eq!(sanitize(b"250-a\r\n250 b\r\n", 100), "250-a | 250 b");
        assert_eq!(sanitize(b"x\x1b[31my\x00", 100), "x?[31my?");
        assert_eq!(sanitize(b"abcdef", 3), "abc…");
        assert_eq!(sanitize(b"\xff\xfeok", 10), "\u{fffd}\u{fffd}ok");
        assert_eq!(sanitize(b"", 10), "");
    }

    #[test]
    fn code_lines() {
        assert_eq!(
            parse_code_line(b"250-SIZE 1"),
            Some((250, true, &b"SIZE 1"[..]))
        );
        assert_eq!(parse_code_line(b"220 ok"), Some((220, false, &b"ok"[..])));
        assert_eq!(parse_code_line(b"250"), Some((250, false, &b""[..])));
        for bad in [&b"25"[..], b"2500", b"abc ok", b"620 x", b"", b"-250 x"] {
            assert_eq!(parse_code_line(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn postfix_greeting_and_ehlo() {
        let g = code_reply(POSTFIX_GREETING, false).unwrap().unwrap();
        assert_eq!(g.code, 220);
        assert_eq!(g.first_line, "220 mx.mamori.test ESMTP Postfix");
        let e = code_reply(POSTFIX_EHLO, false).unwrap().unwrap();
        assert_eq!(e.code, 250);
        assert_eq!(e.lines.len(), 11);
        assert_eq!(e.lines[0], "mx.mamori.test");
        assert_eq!(e.lines[2], "SIZE 10240000");
        let caps = &e.lines[1..];
        assert!(offers(caps, "starttls"));
        assert!(offers(caps, "SIZE"));
        assert!(!offers(caps, "AUTH"));
    }

    #[test]
    fn smtp_multiline_greeting_and_mixed_codes() {
        let g = code_reply(
            b"220-mx.example.org ESMTP\r\n220-no UCE\r\n220 hello\r\n",
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!((g.code, g.lines.len()), (220, 3));
        assert_eq!(g.first_line, "220-mx.example.org ESMTP");
        assert_eq!(
            code_reply(b"250-a\r\n251 b\r\n", false),
            Err(Problem::Unexpected(
                "reply code 251 inside a 250 reply".into()
            ))
        );
        assert!(code_reply(b"250-a\r\nfree text\r\n", false).is_err());
        assert!(code_reply(b"hello\r\n", false).is_err());
        // unfinished
        assert_eq!(code_reply(b"250-a\r\n250-b\r\n", false), Ok(None));
    }

    #[test]
    fn ftp_multiline_allows_free_text() {
        // the example of RFC 959 §4.2
        let t = b"123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n\
            123 The last line\r\n";
        let r = code_reply(t, true).unwrap().unwrap();
        assert_eq!(r.code, 123);
        assert_eq!(r.lines.len(), 4);
        assert_eq!(r.lines[3], "The last line");
        let v = code_reply(b"220 (vsFTPd 3.0.3)\r\n", true)
            .unwrap()
            .unwrap();
        assert_eq!((v.code, v.first_line.as_str()), (220, "220 (vsFTPd 3.0.3)"));
    }

    #[test]
    fn reply_line_limit() {
        let mut p = CodeReplyParser::new(false);
        for _ in 0..MAX_LINES {
            assert_eq!(p.line(b"250-x"), Ok(None));
        }
        assert_eq!(p.line(b"250 x"), Err(Problem::TooManyLines));
    }

    #[test]
    fn dovecot_imap() {
        let l = parse_imap_line(lines(DOVECOT_IMAP_GREETING)[0]).unwrap();
        assert_eq!((l.tag, l.word), ("*", "OK"));
        let caps = imap_capabilities(&l).unwrap();
        assert_eq!(caps.len(), 9);
        assert!(offers(&caps, "STARTTLS"));
        let ls = lines(DOVECOT_IMAP_CAPABILITY);
        let c = parse_imap_line(ls[0]).unwrap();
        assert_eq!(imap_capabilities(&c).unwrap(), caps);
        let t = parse_imap_line(ls[1]).unwrap();
        assert_eq!((t.tag, t.word), ("a001", "OK"));
        assert_eq!(imap_capabilities(&t), None);
        let ok = parse_imap_line(b"a002 OK Begin TLS negotiation now.").unwrap();
        assert_eq!(
            (ok.tag, ok.word, ok.rest),
            ("a002", "OK", "Begin TLS negotiation now.")
        );
        let no = parse_imap_line(b"a002 NO [ALERT] TLS is off").unwrap();
        assert_eq!(no.word, "NO");
        assert_eq!(imap_capabilities(&no), None);
        // a tagged OK may carry the capabilities as a response code
        let tagged = parse_imap_line(b"a001 OK [CAPABILITY IMAP4rev1 STARTTLS] done").unwrap();
        assert_eq!(
            imap_capabilities(&tagged).unwrap(),
            ["IMAP4rev1", "STARTTLS"]
        );
        assert_eq!(parse_imap_line(b""), None);
        assert_eq!(parse_imap_line(b" OK"), None);
        assert_eq!(parse_imap_line(b"\xff\xfe"), None);
        assert_eq!(parse_imap_line(b"*").unwrap().word, "");
        assert_eq!(
            imap_capabilities(&parse_imap_line(b"* OK [CAPABILITY").unwrap()),
            None
        );
    }

    #[test]
    fn dovecot_pop3() {
        let ls = lines(DOVECOT_POP3_CAPA);
        assert_eq!(pop3_status(ls[0]), Some(true));
        let caps: Vec<&[u8]> = ls[1..].iter().map_while(|l| pop3_multiline(l)).collect();
        assert_eq!(caps.len(), 9);
        assert!(caps.contains(&&b"STLS"[..]));
        assert_eq!(pop3_status(b"+OK Dovecot (Debian) ready."), Some(true));
        assert_eq!(pop3_status(b"-ERR [SYS/PERM] no TLS"), Some(false));
        assert_eq!(pop3_status(b"+OKAY"), None);
        assert_eq!(pop3_status(b""), None);
        assert_eq!(pop3_multiline(b"..dot"), Some(&b".dot"[..]));
        assert_eq!(pop3_multiline(b"."), None);
    }

    #[test]
    fn ldap_request_encoding() {
        let r = ldap_starttls_request();
        // LDAPMessage { messageID 1, extendedReq [APPLICATION 23] { requestName [0] OID } }
        let mut want = hex("301d02010177188016");
        want.extend_from_slice(LDAP_STARTTLS_OID.as_bytes());
        assert_eq!(r, want);
        assert_eq!(ber_header(&r), Ok(Some((0x30, 2, r.len() - 2))));
    }

    #[test]
    fn slapd_extended_responses() {
        let ok = parse_ldap_extended_response(&hex(SLAPD_SUCCESS)).unwrap();
        assert_eq!((ok.message_id, ok.result_code), (1, 0));
        assert_eq!(ok.response_name, None);
        let no = parse_ldap_extended_response(&hex(SLAPD_NO_TLS)).unwrap();
        assert_eq!((no.message_id, no.result_code), (1, 2));
        assert_eq!(no.diagnostic, "unsupported extended operation");
        assert_eq!(ldap_result_name(no.result_code), "protocolError");
    }

    #[test]
    fn ldap_long_form_lengths_and_optional_fields() {
        // liblber style 4-byte lengths, a responseName and a responseValue
        let name = LDAP_STARTTLS_OID.as_bytes();
        let mut op = hex("0a0134040004024e6f");
        op.push(0x8a);
        op.push(name.len() as u8);
        op.extend_from_slice(name);
        op.extend_from_slice(&hex("8b0100"));
        let mut msg = hex("020203e8");
        msg.push(0x78);
        msg.extend_from_slice(&[0x84, 0, 0, 0, op.len() as u8]);
        msg.extend_from_slice(&op);
        let mut all = vec![0x30, 0x84, 0, 0, 0, msg.len() as u8];
        all.extend_from_slice(&msg);
        let r = parse_ldap_extended_response(&all).unwrap();
        assert_eq!((r.message_id, r.result_code), (1000, 52));
        assert_eq!(r.diagnostic, "No");
        assert_eq!(r.response_name.as_deref(), Some(LDAP_STARTTLS_OID));
        // every truncation fails cleanly
        for n in 0..all.len() {
            assert!(parse_ldap_extended_response(&all[..n]).is_err(), "{n}");
        }
    }

    #[test]
    fn ber_headers_and_bad_responses() {
        assert_eq!(ber_header(b""), Ok(None));
        assert_eq!(ber_header(&[0x30]), Ok(None));
        assert_eq!(ber_header(&[0x30, 0x82, 0x01]), Ok(None));
        assert_eq!(
            ber_header(&[0x30, 0x82, 0x01, 0x00]),
            Ok(Some((0x30, 4, 256)))
        );
        assert!(ber_header(&[0x30, 0x80]).is_err());
        assert!(ber_header(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(ber_header(&[0x1f, 0x01]).is_err());
        // a BindResponse
        assert_eq!(
            parse_ldap_extended_response(&hex("300c02010161070a010004000400")),
            Err("a BindResponse instead of an ExtendedResponse")
        );
        // negative message id, then a 5-byte integer
        assert_eq!(
            parse_ldap_extended_response(&hex("300c02018178070a010004000400")),
            Err("negative BER integer")
        );
        assert_eq!(
            parse_ldap_extended_response(&hex("301002050100000000780 70a010004000400"
                .replace(' ', "")
                .as_str())),
            Err("BER integer longer than 4 bytes")
        );
        assert!(parse_ldap_extended_response(&hex("3003020101")).is_err());
    }

    #[test]
    fn classify_real_first_words() {
        assert_eq!(classify(b""), Sniffed::Tls);
        let ssh = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7\r\n";
        assert_eq!(
            classify(ssh),
            Sniffed::Ssh {
                bytes: ssh.to_vec()
            }
        );
        assert_eq!(classify(ssh).kind(), Some(Kind::Ssh));
        let g = |t: &[u8]| match classify(t) {
            Sniffed::Greeting { kinds, line } => (kinds.to_vec(), line),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            g(POSTFIX_GREETING),
            (
                vec![Kind::Smtp],
                "220 mx.mamori.test ESMTP Postfix".to_string()
            )
        );
        assert_eq!(g(b"220 (vsFTPd 3.0.3)\r\n").0, [Kind::Ftp]);
        assert_eq!(
            g(b"220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n").0,
            [Kind::Ftp]
        );
        assert_eq!(g(b"220 ready\r\n").0, [Kind::Smtp, Kind::Ftp]);
        assert_eq!(g(b"220\r\n").0, [Kind::Smtp, Kind::Ftp]);
        assert_eq!(g(b"220-mx ESMTP\r\n").0, [Kind::Smtp]);
        assert_eq!(g(DOVECOT_IMAP_GREETING).0, [Kind::Imap]);
        assert_eq!(g(b"* PREAUTH ready\r\n").0, [Kind::Imap]);
        assert_eq!(g(b"+OK Dovecot (Debian) ready.\r\n").0, [Kind::Pop3]);
        // MariaDB 10.11 handshake start: length 0x5b, sequence 0, protocol 10
        let maria = hex("5b0000000a352e352e352d31302e31312e362d4d617269614442");
        match classify(&maria) {
            Sniffed::Other { hint, .. } => assert_eq!(hint, Some("MySQL/MariaDB")),
            other => panic!("{other:?}"),
        }
        match classify(b"\x00\x01garbage\x07") {
            Sniffed::Other { hint, said } => {
                assert_eq!(hint, None);
                assert_eq!(said, "??garbage?");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(classify(b"SSH").kind(), None);
    }

    #[test]
    fn error_display_names_protocol_stage_and_quote() {
        let e = StartTlsError {
            protocol: "SMTP",
            stage: "STARTTLS",
            problem: Problem::Refused("STARTTLS"),
            said: "454 4.7.0 TLS not available due to local problem".into(),
        };
        assert_eq!(
            e.to_string(),
            "SMTP STARTTLS: server refuses STARTTLS; the server said \
             \"454 4.7.0 TLS not available due to local problem\""
        );
        let e = StartTlsError {
            protocol: "PostgreSQL",
            stage: "SSLRequest",
            problem: Problem::Refused("SSL"),
            said: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "PostgreSQL SSLRequest: server refuses SSL; the server said nothing"
        );
    }
}
