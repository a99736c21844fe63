//! What keeps the server standing and its pages inert, in front of every route:
//!
//! - **Connections**: at most [`Limits::connections`] open at once, and
//!   [`Limits::per_address`] from one client address (an IPv6 client by its /64); more are
//!   closed as they arrive. A request's headers must arrive within [`HEADER_TIME`] (hyper's
//!   header-read timeout, which also ends a keep-alive connection left idle that long); a
//!   body within [`BODY_TIME`], at most [`BODY_MAX`] bytes; a client that stops reading an
//!   answer for [`WRITE_STALL`] is disconnected (a slow reader cannot hold an export).
//! - **Headers** on every answer: a Content-Security-Policy that allows no script and no
//!   inline style (the stylesheet is `/static/mamori.css`), no framing, no MIME sniffing,
//!   no referrer to other sites, `Cache-Control: no-store` on everything but the
//!   stylesheet, and HSTS when the server speaks TLS.
//! - **Errors** the router makes by itself (405, 413, 408) answer in the API's JSON shape
//!   under `/api/`, and as a page elsewhere.

use crate::api::ApiError;
use crate::App;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A request's headers must have arrived this long after its first byte was awaited.
pub const HEADER_TIME: Duration = Duration::from_secs(10);
/// A request's body must have arrived this long after its headers.
pub const BODY_TIME: Duration = Duration::from_secs(30);
/// The largest request body (forms and JSON: a comment, a date).
pub const BODY_MAX: usize = 256 * 1024;
/// A client that takes nothing of an answer for this long is disconnected.
pub const WRITE_STALL: Duration = Duration::from_secs(60);

/// The Content-Security-Policy of every answer.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// How many connections the server holds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open at once, in all.
    pub connections: usize,
    /// Open at once from one client address (an IPv6 /64). Behind a reverse proxy every
    /// connection comes from the proxy: raise it there.
    pub per_address: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: 1024,
            per_address: 128,
        }
    }
}

#[derive(Default)]
struct Counts {
    all: usize,
    by_addr: HashMap<IpAddr, usize>,
}

/// Counts open connections against [`Limits`].
#[derive(Clone)]
pub struct Conns {
    limits: Limits,
    counts: Arc<Mutex<Counts>>,
}

/// One counted connection; dropping it gives its place back.
pub struct ConnPermit {
    addr: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.all = c.all.saturating_sub(1);
        if let Some(n) = c.by_addr.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                c.by_addr.remove(&self.addr);
            }
        }
    }
}

/// The address a client is counted under: an IPv4 address as it is (an IPv4-mapped IPv6
/// address as its IPv4 address), an IPv6 address by its /64 — the block one subscriber is
/// given. The connection caps and the sign-in throttle count by it.
pub fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = a.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl Conns {
    /// A counter for `limits`.
    pub fn new(limits: Limits) -> Conns {
        Conns {
            limits,
            counts: Default::default(),
        }
    }
    /// A place for a connection from `addr`, if there is one.
    pub fn admit(&self, addr: IpAddr) -> Option<ConnPermit> {
        let addr = client_key(addr);
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = c.by_addr.get(&addr).copied().unwrap_or(0);
        if c.all >= self.limits.connections || mine >= self.limits.per_address {
            return None;
        }
        c.all += 1;
        *c.by_addr.entry(addr).or_insert(0) += 1;
        Some(ConnPermit {
            addr,
            counts: self.counts.clone(),
        })
    }
    /// Connections open now (in all).
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).all
    }
}

/// An acceptor (innermost, before TLS) that admits a connection only within [`Limits`]
/// and wraps it in a [`Guarded`] stream.
#[derive(Clone)]
pub struct LimitAcceptor {
    conns: Conns,
}

impl LimitAcceptor {
    /// An acceptor counting with `conns`.
    pub fn new(conns: Conns) -> LimitAcceptor {
        LimitAcceptor { conns }
    }
}

impl<S: Send + 'static> axum_server::accept::Accept<tokio::net::TcpStream, S> for LimitAcceptor {
    type Stream = Guarded<tokio::net::TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        let permit = stream
            .peer_addr()
            .ok()
            .and_then(|a| self.conns.admit(a.ip()));
        std::future::ready(match permit {
            Some(permit) => Ok((Guarded::new(stream, permit), service)),
            // Dropping the stream closes it: the client sees the connection refused.
            None => Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "too many connections",
            )),
        })
    }
}

/// A connection that holds its place while open and ends when its client stops reading
/// for [`WRITE_STALL`].
pub struct Guarded<S> {
    inner: S,
    _permit: ConnPermit,
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
    stall_after: Duration,
}

impl<S> Guarded<S> {
    fn new(inner: S, permit: ConnPermit) -> Guarded<S> {
        Guarded {
            inner,
            _permit: permit,
            stall: None,
            stall_after: WRITE_STALL,
        }
    }

    /// After the inner stream's write answered `r`: a pending write starts (or goes on
    /// with) the stall clock, which ends the connection when it runs out.
    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match r {
            Poll::Pending => {
                let after = self.stall_after;
                let sleep = self
                    .stall
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(after)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.stall = None;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, r)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, r)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, r)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Whether a path is the API's (errors as JSON) rather than a page's.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}

/// How an error is answered: as the API's JSON, or as a page in the reader's language.
#[derive(Clone, Copy)]
enum Shape {
    Json,
    Page(mamori_i18n::Lang),
}

/// The answer to an error the router or this layer made, in the shape the path speaks.
fn error_answer(shape: Shape, err: ApiError) -> Response {
    match shape {
        Shape::Json => err.into_response(),
        Shape::Page(lang) => crate::pages::error_page(lang, err),
    }
}

/// The layer in front of every route: the body read in whole within [`BODY_TIME`] and
/// [`BODY_MAX`], the router's own errors in the path's shape, and the security headers.
pub async fn layer(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let shape = if api {
        Shape::Json
    } else {
        Shape::Page(crate::pages::lang_of(req.headers(), app.cfg.lang))
    };
    // A request that has no body (most: GET) goes on as it is.
    if axum::body::HttpBody::is_end_stream(req.body()) {
        let r = next.run(req).await;
        let mut r = mend(shape, api, r);
        secure(&app, &mut r);
        return r;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = req.into_parts();
    let mut r = if declared.is_some_and(|n| n > BODY_MAX as u64) {
        error_answer(shape, too_large())
    } else {
        match tokio::time::timeout(BODY_TIME, axum::body::to_bytes(body, BODY_MAX)).await {
            Err(_) => error_answer(
                shape,
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    format!(
                        "the request's body did not arrive within {} s",
                        BODY_TIME.as_secs()
                    ),
                ),
            ),
            Ok(Err(e)) => {
                let too_big = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
                if too_big {
                    error_answer(shape, too_large())
                } else {
                    error_answer(
                        shape,
                        ApiError::bad(format!("the request's body could not be read: {e}")),
                    )
                }
            }
            Ok(Ok(bytes)) => {
                let r = next
                    .run(Request::from_parts(parts, Body::from(bytes)))
                    .await;
                mend(shape, api, r)
            }
        }
    };
    secure(&app, &mut r);
    r
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        format!("the request's body is larger than {} KiB", BODY_MAX / 1024),
    )
}

/// Errors the router answers by itself (a method a route does not take, an extractor's
/// refusal) in the path's shape.
fn mend(shape: Shape, api: bool, r: Response) -> Response {
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let html = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let status = r.status();
    if !(status.is_client_error() || status.is_server_error()) || (api && json) || (!api && html) {
        return r;
    }
    let err = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method-not-allowed",
            match r.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()) {
                Some(allow) => format!("this path takes {allow}"),
                None => "this path does not take that method".into(),
            },
        ),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported-media-type",
            "send the body as the OpenAPI document says (application/json)",
        ),
        s if s.is_server_error() => ApiError::new(s, "internal", "the server could not answer"),
        s => ApiError::new(
            s,
            "bad-request",
            s.canonical_reason().unwrap_or("bad request"),
        ),
    };
    let allow = r.headers().get(header::ALLOW).cloned();
    let mut out = error_answer(shape, err);
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}

/// The security headers of every answer.
fn secure(app: &App, r: &mut Response) {
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if app.cfg.tls.is_some() {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
}

/// `/static/mamori.css`: the pages' stylesheet (cached a day; its link carries the
/// version, so a new mamori's pages fetch the new one).
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        crate::pages::parts::stylesheet(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_counted_in_all_and_per_client() {
        let c = Conns::new(Limits {
            connections: 3,
            per_address: 2,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let p1 = c.admit(a).unwrap();
        let _p2 = c.admit(a).unwrap();
        assert!(c.admit(a).is_none(), "a third from one address");
        // IPv6 clients count by /64.
        let v6a: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:0:1::2".parse().unwrap();
        let _p3 = c.admit(v6a).unwrap();
        assert!(c.admit(v6b).is_none(), "over the total");
        drop(p1);
        assert_eq!(c.open(), 2);
        let _p4 = c.admit(v6b).unwrap();
        assert!(c.admit("2001:db8:0:2::1".parse().unwrap()).is_none());
    }
}
