//! The HTTP/1.1 server `listen` runs on.
//!
//! A webhook receiver has to hand on exactly what arrived: every header in the order it
//! came, repeats and spelling kept, bytes that are not UTF-8 included. A general server
//! library keeps headers in a map, so this one reads each request with the one HTTP/1
//! codec ([`super::h1`]) and hands the handler a [`Request`] with the headers as an
//! ordered list and the body as bytes. Everything it reads is bounded: the head (64
//! KiB, 128 headers), the body (`--max-body`), the time a head or a body may take
//! (`--read-timeout`, which is also how long an idle keep-alive connection is kept),
//! and the number of connections served at once (`--max-connections`).

use super::h1::{self, ChunkedDecoder, Framing, HeadError};
use crate::envelope::HeaderList;
use bytes::Bytes;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent (an absolute-form target is cut to its path).
    pub target: String,
    /// Every header in order, as spelled (see
    /// [`crate::envelope::headers::value_from_bytes`] for bytes that are not UTF-8).
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
                            crate::show::plural(
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

/// A request head, parsed ([`h1::parse_request`]), its target in origin form.
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
struct Refused(u16, String);

impl From<HeadError> for Refused {
    fn from(e: HeadError) -> Refused {
        match e {
            HeadError::TooManyHeaders => Refused(
                431,
                format!("more than {} request headers", h1::MAX_HEADERS),
            ),
            HeadError::TooLarge => Refused(431, "the request head is over 64 KiB".into()),
            HeadError::Malformed(_) => Refused(400, "malformed request".into()),
            e => Refused(400, e.to_string()),
        }
    }
}

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
                // However the bytes came: a whole head in one read is held to the
                // limit as one that came a byte at a time (h1 sees to it).
                if let Some(head) = h1::parse_request(&self.buf)? {
                    self.buf.drain(..head.len);
                    return Ok(Some(origin(head)?));
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
                Err(_) => {
                    return Err(Refused(
                        408,
                        "the request head did not arrive in time".into(),
                    ));
                }
            }
        }
    }

    /// The body, as its head frames it, within the size and time limits.
    async fn read_body(&mut self, head: &Head, limits: &Limits) -> Result<Bytes, BodyError> {
        let deadline = Instant::now() + limits.read_timeout;
        match head.framing {
            Framing::Empty | Framing::UntilClose => Ok(Bytes::new()),
            Framing::Length(n) => {
                let n = Framing::length_within(n, limits.max_body)
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
            self.out.clear();
            let line = h1::StatusLine {
                status: 100,
                date: None,
                close: false,
            };
            h1::write_response_head(&mut self.out, &line, &HeaderList::new(), 0);
            self.io
                .write_all(&self.out)
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

    /// Decodes a chunked body ([`ChunkedDecoder`]) as it comes.
    async fn read_chunked(&mut self, max: usize, deadline: Instant) -> Result<Bytes, BodyError> {
        let mut decoder = ChunkedDecoder::new(max);
        let mut body = Vec::new();
        loop {
            let used = decoder.decode(&self.buf, &mut body).map_err(|e| match e {
                h1::ChunkError::TooLarge { .. } => BodyError::TooLarge(max),
                e => BodyError::Malformed(format!("bad chunked encoding: {e}")),
            })?;
            self.buf.drain(..used);
            if decoder.is_done() {
                return Ok(Bytes::from(body));
            }
            self.fill_by(deadline).await?;
        }
    }

    /// Writes an answer: status line, `Date`, the headers in order, the framing.
    async fn write(
        &mut self,
        resp: &Response,
        close: bool,
        head_only: bool,
    ) -> std::io::Result<()> {
        self.out.clear();
        let bodiless = h1::is_bodiless(resp.status);
        http_date(|date| {
            let line = h1::StatusLine {
                status: resp.status,
                date: Some(date),
                close,
            };
            h1::write_response_head(&mut self.out, &line, &resp.headers, resp.body.len());
        });
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

/// A parsed head, its target cut to origin form (the authority of an absolute-form
/// target kept aside).
fn origin(head: h1::RequestHead) -> Result<Head, Refused> {
    let raw_target = head.target;
    let target = origin_form(&raw_target)
        .ok_or_else(|| Refused(400, "the request target is not a path".into()))?;
    let authority = (!raw_target.starts_with('/'))
        .then(|| reqwest::Url::parse(&raw_target).ok())
        .flatten()
        .map(|u| super::authority(&u));
    Ok(Head {
        method: head.method,
        target,
        authority,
        headers: head.headers,
        framing: head.framing,
        close: head.close,
        expect_continue: head.expect_continue,
    })
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

/// Calls `with` with the current HTTP date. The text changes once a second: each
/// thread keeps the current one rather than format it for every answer.
fn http_date(with: impl FnOnce(&str)) {
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
        with(text);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<Head>, u16> {
        let parsed = h1::parse_request(text.as_bytes()).map_err(|e| Refused::from(e).0)?;
        parsed.map(origin).transpose().map_err(|r| r.0)
    }

    #[test]
    fn heads_are_refused_with_the_status_that_says_why() {
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(head("GET * HTTP/1.1\r\n\r\n").err(), Some(400));
        let many: String = (0..200).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            head(&format!("GET / HTTP/1.1\r\n{many}\r\n")).err(),
            Some(431)
        );
        let h = head("POST http://example.com:8/a?b HTTP/1.1\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (h.target.as_str(), h.authority.as_deref()),
            ("/a?b", Some("example.com:8"))
        );
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
