//! The conversations, over any async stream the caller connected: the banner exchange and
//! the server's KEXINIT ([`server_info`]), and on a fresh connection the start of a key
//! exchange that yields one host key ([`host_key`]).
//!
//! Reads are bounded (a banner within [`MAX_BANNER_BYTES`], packets within
//! [`MAX_PACKET_LEN`]) and every read and write ends at the deadline.

use super::kex::{check_server_public, SSH_MSG_DISCONNECT};
use super::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

const SENDING_BANNER: &str = "sending the banner";
const READING_BANNER: &str = "reading the banner";
const READING_KEXINIT: &str = "reading the KEXINIT";
const SENDING_KEXINIT: &str = "sending the KEXINIT and key exchange init";
const READING_REPLY: &str = "reading the key exchange reply";

fn at(stage: &'static str) -> impl Fn(SshError) -> SshError {
    move |e| match e {
        // Errors that already say where they happened stay as they are.
        SshError::Io { .. } | SshError::Timeout(_) | SshError::Closed(_) | SshError::At { .. } => e,
        e => SshError::At {
            stage,
            source: Box::new(e),
        },
    }
}

/// One connection: the stream, what was read and not yet used, the deadline.
struct Conn<'s, S: ?Sized> {
    stream: &'s mut S,
    buf: Vec<u8>,
    deadline: Instant,
}

impl<S: AsyncRead + AsyncWrite + Unpin + ?Sized> Conn<'_, S> {
    async fn send(&mut self, data: &[u8], stage: &'static str) -> Result<(), SshError> {
        let write = async {
            self.stream.write_all(data).await?;
            self.stream.flush().await
        };
        match timeout_at(self.deadline, write).await {
            Err(_) => Err(SshError::Timeout(stage)),
            Ok(Err(source)) => Err(SshError::Io { stage, source }),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Reads what is available (at least one byte) into the buffer.
    async fn fill(&mut self, stage: &'static str) -> Result<(), SshError> {
        let mut chunk = [0u8; 8192];
        loop {
            match timeout_at(self.deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(SshError::Timeout(stage)),
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(Err(source)) => return Err(SshError::Io { stage, source }),
                Ok(Ok(0)) => return Err(SshError::Closed(stage)),
                Ok(Ok(n)) => {
                    self.buf
                        .extend_from_slice(chunk.get(..n).unwrap_or_default());
                    return Ok(());
                }
            }
        }
    }

    /// Sends mamori's identification string and reads the server's.
    async fn banner(&mut self) -> Result<(Banner, Vec<String>), SshError> {
        self.send(client_banner().as_bytes(), SENDING_BANNER)
            .await?;
        loop {
            if let Some((banner, lines, used)) =
                find_banner(&self.buf).map_err(at(READING_BANNER))?
            {
                self.buf.drain(..used.min(self.buf.len()));
                return Ok((banner, lines));
            }
            self.fill(READING_BANNER).await?;
        }
    }

    /// The next packet's payload, skipping `SSH_MSG_IGNORE` and `SSH_MSG_DEBUG` (at most
    /// [`MAX_SKIPPED_PACKETS`]); `SSH_MSG_DISCONNECT` becomes an error.
    async fn payload(&mut self, stage: &'static str) -> Result<Vec<u8>, SshError> {
        let mut skipped = 0usize;
        loop {
            let Some((payload, used)) = parse_packet(&self.buf).map_err(at(stage))? else {
                self.fill(stage).await?;
                continue;
            };
            let payload = payload.to_vec();
            self.buf.drain(..used.min(self.buf.len()));
            match payload.first() {
                Some(2) | Some(4) => {
                    skipped += 1;
                    if skipped > MAX_SKIPPED_PACKETS {
                        return Err(at(stage)(SshError::TooManyPackets));
                    }
                }
                Some(&SSH_MSG_DISCONNECT) => return Err(at(stage)(parse_disconnect(&payload))),
                _ => return Ok(payload),
            }
        }
    }

    async fn kexinit(&mut self) -> Result<KexInit, SshError> {
        let payload = self.payload(READING_KEXINIT).await?;
        parse_kexinit(&payload).map_err(at(READING_KEXINIT))
    }
}

/// Exchanges identification strings over `stream` (already connected) and reads the
/// server's KEXINIT. mamori sends no KEXINIT of its own; the caller closes the connection.
/// Every read and write ends at `deadline`.
pub async fn server_info<S: AsyncRead + AsyncWrite + Unpin + ?Sized>(
    stream: &mut S,
    deadline: Instant,
) -> Result<SshServerInfo, SshError> {
    server_info_and_host_key(stream, deadline, |_| None)
        .await
        .map(|(info, _)| info)
}

fn offered(list: &[String], name: &str, what: &'static str) -> Result<(), SshError> {
    if list.iter().any(|a| a == name) {
        Ok(())
    } else {
        Err(SshError::NotOffered {
            what,
            name: name.to_string(),
        })
    }
}

/// Learns the host key the server has for `host_key_alg` over `stream`, a FRESH connection
/// (already connected): banner exchange, mamori's KEXINIT (one key exchange chosen among
/// [`SUPPORTED_KEX`] from what `server` offers, `host_key_alg` alone, the server's first
/// cipher, MAC and compression), the key exchange init, and the server's reply, from which
/// the host key blob is read. The signature is not verified; the caller closes the
/// connection. Every read and write ends at `deadline`.
///
/// `server` is the KEXINIT [`server_info`] read earlier; the server's KEXINIT on this
/// connection must offer the same key exchange and host key algorithm.
pub async fn host_key<S: AsyncRead + AsyncWrite + Unpin + ?Sized>(
    stream: &mut S,
    deadline: Instant,
    server: &KexInit,
    host_key_alg: &str,
) -> Result<HostKey, SshError> {
    let kex = choose_kex(&server.kex_algorithms)
        .ok_or_else(|| SshError::NoSupportedKex(server.kex_algorithms.join(",")))?;
    offered(
        &server.server_host_key_algorithms,
        host_key_alg,
        "host key algorithm",
    )?;
    let mut c = Conn {
        stream,
        buf: Vec::with_capacity(4096),
        deadline,
    };
    c.banner().await?;
    let now = c.kexinit().await?;
    c.key_exchange(kex, &now, host_key_alg).await
}

/// [`server_info`] and, on the same connection, the host key for the algorithm `pick`
/// chooses from the server's KEXINIT (`None`: no host key asked). One connection fewer
/// than [`server_info`] then [`host_key`]: a server that forks a process per connection
/// (sshd) answers sooner. The host key's error, if any, does not spoil the server info.
pub async fn server_info_and_host_key<S: AsyncRead + AsyncWrite + Unpin + ?Sized>(
    stream: &mut S,
    deadline: Instant,
    pick: impl FnOnce(&KexInit) -> Option<String>,
) -> Result<(SshServerInfo, Option<Result<HostKey, SshError>>), SshError> {
    let mut c = Conn {
        stream,
        buf: Vec::with_capacity(4096),
        deadline,
    };
    let (banner, lines) = c.banner().await?;
    let kexinit = c.kexinit().await?;
    let key = match pick(&kexinit) {
        None => None,
        Some(alg) => Some(match choose_kex(&kexinit.kex_algorithms) {
            None => Err(SshError::NoSupportedKex(kexinit.kex_algorithms.join(","))),
            Some(kex) => c.key_exchange(kex, &kexinit, &alg).await,
        }),
    };
    Ok((SshServerInfo::new(banner, lines, kexinit), key))
}

impl<S: AsyncRead + AsyncWrite + Unpin + ?Sized> Conn<'_, S> {
    /// After the server's KEXINIT `now`: mamori's KEXINIT and key exchange init for `kex`
    /// and `host_key_alg`, then the server's reply, from which the host key is read.
    async fn key_exchange(
        &mut self,
        kex: &'static str,
        now: &KexInit,
        host_key_alg: &str,
    ) -> Result<HostKey, SshError> {
        let c = self;
        offered(&now.kex_algorithms, kex, "key exchange").map_err(at(READING_KEXINIT))?;
        offered(
            &now.server_host_key_algorithms,
            host_key_alg,
            "host key algorithm",
        )
        .map_err(at(READING_KEXINIT))?;
        let ours = client_kexinit(kex, host_key_alg, now).map_err(at(READING_KEXINIT))?;
        let init = client_kex_init(kex).ok_or_else(|| SshError::NoSupportedKex(kex.to_string()))?;
        let mut out = write_packet(&ours);
        out.extend(write_packet(&init));
        c.send(&out, SENDING_KEXINIT).await?;
        let payload = c.payload(READING_REPLY).await?;
        // Checks the message number (31) too.
        let reply = parse_kex_reply(&payload).map_err(at(READING_REPLY))?;
        check_server_public(kex, reply.server_public).map_err(at(READING_REPLY))?;
        HostKey::from_reply(host_key_alg, kex, &reply).map_err(at(READING_REPLY))
    }
}
