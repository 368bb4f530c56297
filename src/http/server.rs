//! The HTTP/1.1 server `listen` runs on.
//!
//! A webhook receiver has to hand on exactly what arrived: every header in the order it
//! came, repeats and spelling kept, bytes that are not UTF-8 included. A general server
//! library keeps headers in a map, so this one parses each request head itself
//! (`httparse`) and hands the handler a [`Request`] with the headers as an ordered
//! list and the body as bytes. Everything it reads is bounded: the head (64 KiB, 128
//! headers), the body (`--max-body`), the time a head or a body may take
//! (`--read-timeout`, which is also how long an idle keep-alive connection is kept),
//! and the number of connections served at once (`--max-connections`).

use super::find_crlf;
use crate::envelope::HeaderList;
use crate::envelope::headers::{value_from_bytes, value_to_bytes};
use bytes::Bytes;
use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

/// The most a request head may take, request line included.
pub const MAX_HEAD: usize = 64 << 10;
/// The most header lines one request may have.
pub const MAX_HEADERS: usize = 128;
/// The most a chunk-size line or the trailers of a chunked body may take.
const MAX_CHUNK_LINE: usize = 4 << 10;
const MAX_TRAILERS: usize = 64 << 10;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent (an absolute-form target is cut to its path).
    pub target: String,
    /// Every header in order, as spelled (see [`value_from_bytes`] for bytes that are
    /// not UTF-8).
    pub headers: HeaderList,
    /// The body, or why it could not be read; the connection is closed after the answer
    /// to a request whose body failed.
    pub body: Result<Bytes, BodyError>,
    /// The `host[:port]` of an absolute-form target (`POST http://host/path`, as
    /// sent to a proxy); `None` for the usual origin form.
    pub authority: Option<String>,
    /// What the relay it came through says of it (`listen --relay`).
    pub relayed: Option<Relayed>,
    /// The address the connection came from.
    pub peer: Option<std::net::IpAddr>,
}

/// What a relay says of a delivery it passes on, and how `listen` goes on with a
/// delivery the relay holds.
#[derive(Debug, Clone)]
pub struct Relayed {
    /// The relay held it (its sender was answered 202 and will not try again).
    pub held: bool,
    /// When the relay took it from its sender, Unix milliseconds.
    pub received_at_ms: i64,
    /// The path and query its sender used on the relay (`/c/NAME/…`): what a
    /// scheme that signs the path signed.
    pub public_target: String,
    /// This attempt at the app of a held delivery, from 1.
    pub attempt: u32,
    /// When the relay stops holding it (its `--queue-ttl`), Unix milliseconds.
    pub hold_until_ms: i64,
    /// How much faster than real time the retry schedule of a held delivery goes.
    pub speed: f64,
}

/// A byte stream a connection runs over (TCP, or TLS over TCP).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection handed over after a `101 Switching Protocols` answer (a WebSocket):
/// the stream, and what was read of it past the request.
pub struct Upgraded {
    pub io: Box<dyn Io>,
    pub read: Vec<u8>,
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("body over the {0}-byte limit")]
    TooLarge(usize),
    #[error("the body did not arrive in time")]
    Timeout,
    #[error("could not read the body: {0}")]
    Malformed(String),
}

impl BodyError {
    /// The status that answers it.
    pub fn status(&self) -> u16 {
        match self {
            BodyError::TooLarge(_) => 413,
            BodyError::Timeout => 408,
            BodyError::Malformed(_) => 400,
        }
    }
}

/// An answer. `Content-Length`, `Transfer-Encoding` and `Connection` are the
/// server's to write; any given here are left out.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderList,
    pub body: Bytes,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        let mut headers = HeaderList::with_capacity(1);
        headers.push("content-type", "application/json");
        Response {
            status,
            headers,
            body: Bytes::from(value.to_string()),
        }
    }
}

/// What a connection may take.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body: usize,
    /// How long a request head may take to arrive, then its body; also how long an
    /// idle keep-alive connection is kept.
    pub read_timeout: Duration,
    /// Bytes of request bodies held at once by all connections together, if bounded:
    /// a body is read only once it has room (a chunked one takes `max_body`), and
    /// the room is given back once it is answered. A body that finds none within
    /// `read_timeout` is answered 503.
    pub bodies: Option<Arc<tokio::sync::Semaphore>>,
}

/// What answers requests.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request) -> impl Future<Output = Response> + Send;

    /// Looks at a request before its body is read: an answer given here goes out at
    /// once and the connection closes, the body unread (a request bound to be
    /// refused cannot make the server take in a large body first).
    fn before_body(&self, method: &str, target: &str, headers: &HeaderList) -> Option<Response> {
        let _ = (method, target, headers);
        None
    }

    /// Takes the connection over once [`Handler::handle`] has answered a request that
    /// asked for an upgrade with `101` (`req` is that request, its body empty). The
    /// default closes it.
    fn upgrade(&self, req: Request, io: Upgraded) -> impl Future<Output = ()> + Send {
        let _ = (req, io);
        async {}
    }
}

/// A default for `--max-connections`: half the file descriptors this process may
/// open (a forwarded delivery needs a second one), less a few for the store and the
/// terminal, within 16 to 16,384.
pub fn default_max_connections() -> usize {
    #[cfg(target_os = "linux")]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given, nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            let soft = usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX);
            return (soft.saturating_sub(32) / 2).clamp(16, 16_384);
        }
    }
    512
}

/// Stops the connections a server has open: those between requests close at once,
/// those in the middle of one close after answering it.
pub struct Shutdown {
    tx: watch::Sender<bool>,
    conns: Arc<Semaphore>,
    max: usize,
}

impl Shutdown {
    /// Signals every connection, then waits up to `wait` for them to close.
    pub async fn close(self, wait: Duration) {
        let _ = self.tx.send(true);
        let all = u32::try_from(self.max).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(wait, self.conns.acquire_many(all)).await;
    }
}

/// A server's accept loop, to be polled until the caller has reason to stop (then
/// [`Shutdown::close`]).
pub struct Server<H: Handler> {
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    handler: Arc<H>,
    limits: Arc<Limits>,
    conns: Arc<Semaphore>,
    max: usize,
    stop: watch::Receiver<bool>,
}

impl<H: Handler> Server<H> {
    pub fn new(
        listener: TcpListener,
        tls: Option<tokio_rustls::TlsAcceptor>,
        handler: Arc<H>,
        limits: Limits,
        max_connections: usize,
    ) -> (Server<H>, Shutdown) {
        let max = max_connections.clamp(1, Semaphore::MAX_PERMITS);
        let conns = Arc::new(Semaphore::new(max));
        let (tx, stop) = watch::channel(false);
        (
            Server {
                listener,
                tls,
                handler,
                limits: Arc::new(limits),
                conns: Arc::clone(&conns),
                max,
                stop,
            },
            Shutdown { tx, conns, max },
        )
    }

    /// Accepts connections for ever. At `--max-connections`, a new connection waits
    /// in the kernel's backlog until one closes; when the process runs out of file
    /// descriptors, accepting pauses briefly instead of spinning. `warn` is told of
    /// each, once.
    pub async fn run(self, warn: impl Fn(&str)) {
        let (mut warned_full, mut warned_fds) = (false, false);
        loop {
            let permit = match Arc::clone(&self.conns).try_acquire_owned() {
                Ok(p) => p,
                Err(_) => {
                    if !warned_full {
                        warned_full = true;
                        warn(&format!(
                            "{} open, the --max-connections limit: new ones wait until one closes",
                            crate::output::plural(
                                self.max as u64,
                                "connection is",
                                "connections are"
                            )
                        ));
                    }
                    match Arc::clone(&self.conns).acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    }
                }
            };
            let (stream, peer) = match self.listener.accept().await {
                Ok((s, a)) => (s, a.ip()),
                Err(e) => {
                    if matches!(e.raw_os_error(), Some(code) if is_out_of_fds(code)) {
                        if !warned_fds {
                            warned_fds = true;
                            warn(&format!(
                                "out of file descriptors ({e}): new connections wait; raise `ulimit -n` or lower --max-connections"
                            ));
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let handler = Arc::clone(&self.handler);
            let limits = Arc::clone(&self.limits);
            let stop = self.stop.clone();
            let tls = self.tls.clone();
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(limits.read_timeout, acceptor.accept(stream));
                        if let Ok(Ok(tls)) = handshake.await {
                            serve(tls, Some(peer), &*handler, &limits, stop).await;
                        }
                    }
                    None => serve(stream, Some(peer), &*handler, &limits, stop).await,
                }
            });
        }
    }
}

fn is_out_of_fds(code: i32) -> bool {
    // libc is a dependency on Linux only.
    #[cfg(target_os = "linux")]
    {
        code == libc::EMFILE
            || code == libc::ENFILE
            || code == libc::ENOBUFS
            || code == libc::ENOMEM
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = code;
        false
    }
}

/// How the body of a request is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked,
}

/// A request head, parsed.
struct Head {
    method: String,
    target: String,
    authority: Option<String>,
    headers: HeaderList,
    framing: Framing,
    /// The client asked to close after this request (or speaks HTTP/1.0).
    close: bool,
    expect_continue: bool,
}

/// Why a head was refused: the status and a short reason.
struct Refused(u16, &'static str);

/// One connection: what has been read and not yet used, and the stream.
struct Conn<S> {
    io: S,
    buf: Vec<u8>,
    out: Vec<u8>,
}

/// Serves one connection until it closes, idles out, breaks a rule or is stopped.
pub async fn serve<S, H>(
    io: S,
    peer: Option<std::net::IpAddr>,
    handler: &H,
    limits: &Limits,
    mut stop: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    let mut c = Conn {
        io,
        buf: Vec::with_capacity(8 << 10),
        out: Vec::with_capacity(1 << 10),
    };
    loop {
        let head = match c.read_head(limits, &mut stop).await {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(Refused(status, reason)) => {
                let resp = Response::json(status, &serde_json::json!({ "error": reason }));
                let _ = c.write(&resp, true, false).await;
                return;
            }
        };
        if let Some(resp) = handler.before_body(&head.method, &head.target, &head.headers) {
            let _ = c.write(&resp, true, head.method == "HEAD").await;
            return;
        }
        let room = match (&limits.bodies, head.framing) {
            (Some(b), Framing::Length(n)) if n > 0 && n <= limits.max_body as u64 => Some((b, n)),
            (Some(b), Framing::Chunked) => Some((b, limits.max_body as u64)),
            _ => None,
        };
        let _room = match room {
            Some((b, n)) => {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                match tokio::time::timeout(limits.read_timeout, Arc::clone(b).acquire_many_owned(n))
                    .await
                {
                    Ok(Ok(p)) => Some(p),
                    _ => {
                        let mut resp = Response::json(
                            503,
                            &serde_json::json!({ "error": "too many requests are being read: try again" }),
                        );
                        resp.headers.push("Retry-After", "1");
                        let _ = c.write(&resp, true, false).await;
                        return;
                    }
                }
            }
            None => None,
        };
        let body = c.read_body(&head, limits).await;
        let close = head.close || body.is_err() || *stop.borrow();
        let head_only = head.method == "HEAD";
        // A request that asks for another protocol is kept, for the handler to take
        // the connection over with if it agrees.
        let asks_upgrade = head.headers.contains("upgrade") && body.is_ok();
        let kept = asks_upgrade.then(|| Request {
            method: head.method.clone(),
            target: head.target.clone(),
            headers: head.headers.clone(),
            body: Ok(Bytes::new()),
            authority: head.authority.clone(),
            relayed: None,
            peer,
        });
        let resp = handler
            .handle(Request {
                method: head.method,
                target: head.target,
                headers: head.headers,
                body,
                authority: head.authority,
                relayed: None,
                peer,
            })
            .await;
        if let (101, Some(req)) = (resp.status, kept) {
            if c.write(&resp, false, true).await.is_ok() {
                let io = Upgraded {
                    io: Box::new(c.io),
                    read: c.buf,
                };
                handler.upgrade(req, io).await;
            }
            return;
        }
        if c.write(&resp, close, head_only).await.is_err() || close {
            return;
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Reads more into `buf`; how many bytes came (0: the peer closed).
    async fn fill(&mut self) -> std::io::Result<usize> {
        // Room made ahead (a body of known length) is used as it is: the buffer
        // does not grow past it.
        if self.buf.capacity() == self.buf.len() {
            self.buf.reserve(8 << 10);
        }
        self.io.read_buf(&mut self.buf).await
    }

    /// The next request's head; `None` when the connection ends between requests (the
    /// peer closed, it stayed idle past the read timeout, or the server is stopping).
    async fn read_head(
        &mut self,
        limits: &Limits,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Option<Head>, Refused> {
        let deadline = Instant::now() + limits.read_timeout;
        loop {
            // Empty lines before a request line are allowed (RFC 9112 §2.2).
            let skip = self
                .buf
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            self.buf.drain(..skip);
            if !self.buf.is_empty() {
                if let Some((head, len)) = parse_head(&self.buf)? {
                    // However the bytes came: a whole head in one read is held to the
                    // limit as one that came a byte at a time.
                    if len > MAX_HEAD {
                        return Err(Refused(431, "the request head is over 64 KiB"));
                    }
                    self.buf.drain(..len);
                    return Ok(Some(head));
                }
                if self.buf.len() > MAX_HEAD {
                    return Err(Refused(431, "the request head is over 64 KiB"));
                }
            }
            let idle = self.buf.is_empty();
            let read = tokio::select! {
                r = tokio::time::timeout_at(deadline, self.fill()) => r,
                _ = stop.wait_for(|s| *s), if idle => return Ok(None),
            };
            match read {
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(None),
                Ok(Ok(_)) => {}
                Err(_) if idle => return Ok(None),
                Err(_) => return Err(Refused(408, "the request head did not arrive in time")),
            }
        }
    }

    /// The body, as its head frames it, within the size and time limits.
    async fn read_body(&mut self, head: &Head, limits: &Limits) -> Result<Bytes, BodyError> {
        let deadline = Instant::now() + limits.read_timeout;
        match head.framing {
            Framing::Empty => Ok(Bytes::new()),
            Framing::Length(n) => {
                let n = usize::try_from(n)
                    .ok()
                    .filter(|&n| n <= limits.max_body)
                    .ok_or(BodyError::TooLarge(limits.max_body))?;
                self.continue_if_asked(head).await?;
                // Room for the body, once: a buffer grown by doubling would keep up
                // to twice the body for as long as the body lives.
                self.buf.reserve_exact(n.saturating_sub(self.buf.len()));
                while self.buf.len() < n {
                    self.fill_by(deadline).await?;
                }
                let rest = self.buf.split_off(n);
                let body = std::mem::replace(&mut self.buf, rest);
                Ok(Bytes::from(body))
            }
            Framing::Chunked => {
                self.continue_if_asked(head).await?;
                self.read_chunked(limits.max_body, deadline).await
            }
        }
    }

    async fn continue_if_asked(&mut self, head: &Head) -> Result<(), BodyError> {
        if head.expect_continue {
            self.io
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .map_err(|e| BodyError::Malformed(e.to_string()))?;
        }
        Ok(())
    }

    async fn fill_by(&mut self, deadline: Instant) -> Result<(), BodyError> {
        match tokio::time::timeout_at(deadline, self.fill()).await {
            Ok(Ok(0)) => Err(BodyError::Malformed(
                "the connection closed before the body ended".into(),
            )),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(BodyError::Malformed(e.to_string())),
            Err(_) => Err(BodyError::Timeout),
        }
    }

    /// Decodes a chunked body (RFC 9112 §7.1), dropping extensions and trailers.
    async fn read_chunked(&mut self, max: usize, deadline: Instant) -> Result<Bytes, BodyError> {
        let bad = |what: &str| BodyError::Malformed(format!("bad chunked encoding: {what}"));
        let mut body = Vec::new();
        loop {
            let line = loop {
                if let Some(end) = find_crlf(&self.buf) {
                    break end;
                }
                if self.buf.len() > MAX_CHUNK_LINE {
                    return Err(bad("a chunk-size line is over 4 KiB"));
                }
                self.fill_by(deadline).await?;
            };
            let size_text = self.buf[..line]
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            let size = std::str::from_utf8(size_text)
                .ok()
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .ok_or_else(|| bad("a chunk size is not hexadecimal"))
                // Wider than 64 bits is over any limit too.
                .map(|t| u64::from_str_radix(t, 16).unwrap_or(u64::MAX))?;
            self.buf.drain(..line + 2);
            if size == 0 {
                // Trailers up to an empty line, read and dropped.
                let mut seen = 0usize;
                loop {
                    match find_crlf(&self.buf) {
                        Some(0) => {
                            self.buf.drain(..2);
                            return Ok(Bytes::from(body));
                        }
                        Some(n) => {
                            seen += n + 2;
                            self.buf.drain(..n + 2);
                        }
                        None => {
                            if seen + self.buf.len() > MAX_TRAILERS {
                                return Err(bad("the trailers are over 64 KiB"));
                            }
                            self.fill_by(deadline).await?;
                        }
                    }
                }
            }
            let room = max.saturating_sub(body.len()) as u64;
            if size > room {
                return Err(BodyError::TooLarge(max));
            }
            let size = size as usize;
            while self.buf.len() < size + 2 {
                self.fill_by(deadline).await?;
            }
            if &self.buf[size..size + 2] != b"\r\n" {
                return Err(bad("a chunk does not end where its size says"));
            }
            body.extend_from_slice(&self.buf[..size]);
            self.buf.drain(..size + 2);
        }
    }

    /// Writes an answer: status line, `Date`, the headers in order, the framing.
    async fn write(
        &mut self,
        resp: &Response,
        close: bool,
        head_only: bool,
    ) -> std::io::Result<()> {
        let out = &mut self.out;
        out.clear();
        let status = hyper::StatusCode::from_u16(resp.status)
            .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        let _ = write!(
            out,
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
        );
        // The answer's own names, spelling and order (an app's, when forwarded);
        // only what HTTP requires and the answer lacks is added: `Date` first,
        // the length last. A `Content-Length` it has keeps its place and name and
        // gets the true length.
        let bodiless = matches!(status.as_u16(), 100..=199 | 204 | 304);
        if !resp.headers.contains("date") {
            http_date(out);
        }
        let mut length_written = false;
        for (n, v) in resp.headers.iter() {
            if n.eq_ignore_ascii_case("content-length") {
                if !bodiless && !length_written && crate::envelope::headers::is_token(n) {
                    let _ = write!(out, "{n}: {}\r\n", resp.body.len());
                    length_written = true;
                }
                continue;
            }
            let v = value_to_bytes(v);
            let framing = ["transfer-encoding", "connection"]
                .iter()
                .any(|h| n.eq_ignore_ascii_case(h))
                // A switch of protocols says so in `Connection: Upgrade`.
                && !(status.as_u16() == 101 && n.eq_ignore_ascii_case("connection"));
            // A name or value that would break the head is not passed on.
            if framing
                || !crate::envelope::headers::is_token(n)
                || v.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
            {
                continue;
            }
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&v);
            out.extend_from_slice(b"\r\n");
        }
        if !bodiless && !length_written {
            let _ = write!(out, "content-length: {}\r\n", resp.body.len());
        }
        if close {
            out.extend_from_slice(b"connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if bodiless || head_only {
            self.io.write_all(&self.out).await?;
        } else if resp.body.len() <= 16 << 10 {
            self.out.extend_from_slice(&resp.body);
            self.io.write_all(&self.out).await?;
        } else {
            self.io.write_all(&self.out).await?;
            self.io.write_all(&resp.body).await?;
        }
        self.io.flush().await
    }
}

/// Parses a complete head at the start of `buf`: the head and its length, `None`
/// when more is needed.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, Refused> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refused(431, "more than 128 request headers"));
        }
        Err(_) => return Err(Refused(400, "malformed request")),
    };
    let method = req.method.unwrap_or_default().to_string();
    let version = req.version.unwrap_or(1);
    let raw_target = req.path.unwrap_or_default();
    let target = origin_form(raw_target).ok_or(Refused(400, "the request target is not a path"))?;
    let authority = (!raw_target.starts_with('/'))
        .then(|| reqwest::Url::parse(raw_target).ok())
        .flatten()
        .map(|u| super::authority(&u));
    let mut headers = HeaderList::with_capacity(req.headers.len());
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut coded = false;
    let mut close = version == 0;
    let mut expect_continue = false;
    for h in req.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            // Repeats (or a list) must all agree: anything else is how requests are
            // smuggled past a proxy.
            for part in h.value.split(|&b| b == b',') {
                let n = std::str::from_utf8(part.trim_ascii())
                    .ok()
                    .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                    .map(|t| t.parse::<u64>().unwrap_or(u64::MAX))
                    .ok_or(Refused(400, "Content-Length is not a number"))?;
                if length.is_some_and(|l| l != n) {
                    return Err(Refused(400, "Content-Length headers disagree"));
                }
                length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            coded = true;
            let last = h
                .value
                .rsplit(|&b| b == b',')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            chunked = last.eq_ignore_ascii_case(b"chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            if super::lists(h.value, b"close") {
                close = true;
            } else if version == 0 && super::lists(h.value, b"keep-alive") {
                close = false;
            }
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = h.value.trim_ascii().eq_ignore_ascii_case(b"100-continue");
        }
        headers.push(name, value_from_bytes(h.value));
    }
    let framing = match (coded, length) {
        (true, Some(_)) => {
            return Err(Refused(
                400,
                "both Transfer-Encoding and Content-Length are set",
            ));
        }
        (true, None) if !chunked || version == 0 => {
            return Err(Refused(400, "a transfer coding other than chunked"));
        }
        (true, None) => Framing::Chunked,
        (false, Some(0)) | (false, None) => Framing::Empty,
        (false, Some(n)) => Framing::Length(n),
    };
    Ok(Some((
        Head {
            method,
            target,
            authority,
            headers,
            framing,
            close,
            expect_continue: expect_continue && version == 1 && framing != Framing::Empty,
        },
        len,
    )))
}

/// The path and query of a request target: origin-form as it is, absolute-form
/// (`http://host/path?q`, as sent to a proxy) cut to its path and query.
fn origin_form(target: &str) -> Option<String> {
    if target.starts_with('/') {
        return Some(target.to_string());
    }
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let url = reqwest::Url::parse(target).ok()?;
        return Some(super::path_and_query(&url));
    }
    None
}

/// Appends `date: <now>\r\n`. The text changes once a second: each thread keeps
/// the current one rather than format it for every answer.
fn http_date(out: &mut Vec<u8>) {
    thread_local! {
        static NOW: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let now = std::time::SystemTime::now();
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    NOW.with_borrow_mut(|(at, text)| {
        if *at != secs {
            *at = secs;
            *text = httpdate::fmt_http_date(now);
        }
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<(Head, usize)>, u16> {
        parse_head(text.as_bytes()).map_err(|Refused(s, _)| s)
    }

    #[test]
    fn heads_keep_order_and_bytes() {
        let raw = b"POST /h?x=1 HTTP/1.1\r\nX-A: 1\r\nx-b: 2\r\nX-A: 3\r\nX-L: caf\xe9\r\nContent-Length: 3\r\n\r\nabc";
        let (h, len) = parse_head(raw).ok().unwrap().unwrap();
        assert_eq!(&raw[len..], b"abc");
        assert_eq!((h.method.as_str(), h.target.as_str()), ("POST", "/h?x=1"));
        let names: Vec<&str> = h.headers.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["X-A", "x-b", "X-A", "X-L", "Content-Length"]);
        assert_eq!(&*value_to_bytes(h.headers.get("x-l").unwrap()), b"caf\xe9");
        assert_eq!(h.framing, Framing::Length(3));
    }

    #[test]
    fn framing_that_could_smuggle_is_refused() {
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
                .err(),
            Some(400)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(head("GET * HTTP/1.1\r\n\r\n").err(), Some(400));
        let many: String = (0..200).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            head(&format!("GET / HTTP/1.1\r\n{many}\r\n")).err(),
            Some(431)
        );
        assert!(matches!(head("POST / HTTP/1.1\r\nX: 1\r\n"), Ok(None)));
    }

    struct Echo;

    impl Handler for Echo {
        async fn handle(&self, req: Request) -> Response {
            match req.body {
                Ok(b) => Response {
                    status: 200,
                    headers: req.headers,
                    body: b,
                },
                Err(e) => Response::json(e.status(), &serde_json::json!({})),
            }
        }
    }

    /// Feeds `input` to a connection and closes it; what came back.
    fn exchange(input: &[u8], max_body: usize) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (mut client, server) = tokio::io::duplex(1 << 20);
            let limits = Limits {
                max_body,
                read_timeout: Duration::from_millis(200),
                bodies: None,
            };
            let (_stop_tx, stop) = watch::channel(false);
            let served =
                tokio::spawn(async move { serve(server, None, &Echo, &limits, stop).await });
            client.write_all(input).await.unwrap();
            client.shutdown().await.unwrap();
            let mut out = Vec::new();
            let _ = client.read_to_end(&mut out).await;
            tokio::time::timeout(Duration::from_secs(5), served)
                .await
                .expect("the connection ends")
                .unwrap();
            out
        })
    }

    #[test]
    fn pipelined_chunked_and_continued_requests_are_served_in_order() {
        let out = exchange(
            b"POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n1\r\nd\r\n0\r\nT: 1\r\n\r\nPOST /c HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz",
            1024,
        );
        let text = String::from_utf8_lossy(&out);
        let bodies: Vec<&str> = text.split("\r\n\r\n").collect();
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 3, "{text}");
        assert!(text.contains("HTTP/1.1 100 Continue"), "{text}");
        assert!(bodies[1].starts_with("hi"), "{text}");
        assert!(bodies[2].starts_with("abcd"), "{text}");
        assert!(text.ends_with('z'), "{text}");
        // Over the limit, declared or chunked: 413 and the connection closes.
        for request in [
            &b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
        ] {
            let out = exchange(request, 10);
            let text = String::from_utf8_lossy(&out);
            assert!(text.starts_with("HTTP/1.1 413"), "{text}");
            assert!(text.contains("connection: close"), "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Whatever arrives, the connection answers or closes; nothing panics or hangs.
        #[test]
        fn any_bytes_are_answered_or_closed(pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b"POST / HTTP/1.1\r\n".to_vec()),
                proptest::strategy::Just(b"\r\n".to_vec()),
                proptest::strategy::Just(b"Content-Length: 3\r\n".to_vec()),
                proptest::strategy::Just(b"Transfer-Encoding: chunked\r\n".to_vec()),
                proptest::strategy::Just(b"Expect: 100-continue\r\n".to_vec()),
                proptest::strategy::Just(b"FFFFFFFFFFFFFFFF\r\n".to_vec()),
                proptest::strategy::Just(b"0\r\n\r\n".to_vec()),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
            ],
            0..12,
        )) {
            let out = exchange(&pieces.concat(), 16);
            proptest::prop_assert!(out.is_empty() || out.starts_with(b"HTTP/1.1 "));
        }
    }

    #[test]
    fn absolute_targets_become_paths() {
        assert_eq!(origin_form("/a?b").as_deref(), Some("/a?b"));
        assert_eq!(
            origin_form("http://example.com:8/a/b?c=d").as_deref(),
            Some("/a/b?c=d")
        );
        assert_eq!(origin_form("example.com:443"), None);
    }
}
