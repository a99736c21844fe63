//! Placeholder until the STARTTLS module lands (replaced by the real one on merge).
#![allow(missing_docs)]
use crate::target::Kind;
use tokio::io::{AsyncRead, AsyncWrite};
pub struct StartTlsInfo {
    pub greeting: String,
}
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartTlsError(String);
pub async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    _s: &mut S,
    kind: Kind,
    _host: &str,
    _deadline: tokio::time::Instant,
) -> Result<StartTlsInfo, StartTlsError> {
    Err(StartTlsError(format!(
        "{kind:?}: STARTTLS is not implemented yet"
    )))
}
pub fn classify(head: &[u8]) -> Result<Kind, String> {
    if head.starts_with(b"SSH-") {
        Ok(Kind::Ssh)
    } else {
        Err(format!("unknown {:?}", String::from_utf8_lossy(head)))
    }
}
