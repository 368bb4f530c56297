//! One HTTP/1.1 keep-alive connection for load mode over plain HTTP, driven the way
//! load generators such as wrk drive theirs: the request goes out as one buffer, the
//! response head is parsed with `httparse`, and the body is framed by
//! `Content-Length`, chunked encoding or the end of the connection. One request at a
//! time, no pool and no task per connection; a failed or closed connection is
//! replaced on the next request. (HTTPS load goes through the pooled
//! [`super::client::HttpClient`].)

use super::find_crlf;
use super::sent::{SendError, Sent};
use crate::envelope::HeaderList;
use bytes::Bytes;
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response body larger than this is an error, not a reason to run out of memory
/// (unless [`Conn::max_body`] says otherwise).
pub const MAX_RESPONSE_BODY: usize = 64 << 20;
/// A response head that has not ended by this size is an error.
const MAX_RESPONSE_HEAD: usize = 64 << 10;
/// Response headers read at most (httparse works on a fixed array).
const MAX_RESPONSE_HEADERS: usize = 100;

pub struct Conn {
    url: String,
    host: String,
    port: u16,
    authority: String,
    path: String,
    stream: Option<TcpStream>,
    /// The request being written, reused from one request to the next.
    out: Vec<u8>,
    /// What has been read of the response.
    buf: Vec<u8>,
    /// The request's deadline.
    timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    /// The largest response body read.
    max_body: usize,
}

/// What the response head says about the rest of the exchange.
struct Head {
    status: u16,
    reason: String,
    headers: HeaderList,
    len: usize,
    framing: Framing,
    close: bool,
}

enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

impl Conn {
    pub fn new(url: &reqwest::Url) -> Conn {
        let host = url.host_str().unwrap_or("localhost");
        let port = url.port_or_known_default().unwrap_or(80);
        let authority = super::authority(url);
        Conn {
            url: url.to_string(),
            // `[::1]` in a URL, `::1` for the socket.
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            authority,
            path: super::path_and_query(url),
            stream: None,
            out: Vec::with_capacity(4096),
            buf: Vec::with_capacity(8192),
            timer: None,
            max_body: MAX_RESPONSE_BODY,
        }
    }

    /// Sets the largest response body read; a larger one is an error.
    pub fn max_body(mut self, limit: usize) -> Conn {
        self.max_body = limit;
        self
    }

    /// Points the next requests at another path and query of the same origin.
    pub fn set_target(&mut self, url: &reqwest::Url) {
        self.url.clear();
        self.url.push_str(url.as_str());
        self.path.clear();
        self.path.push_str(url.path());
        if let Some(q) = url.query() {
            self.path.push('?');
            self.path.push_str(q);
        }
    }

    /// Whether the connection is open for another request.
    pub fn is_open(&self) -> bool {
        self.stream.is_some()
    }

    /// Drops a kept-alive connection that the server has closed while it was idle (it
    /// reads as ended, or holds bytes nobody asked for), so that the next request
    /// opens a fresh one instead of being sent into it. (Sending and retrying instead
    /// could deliver a webhook twice.) One non-blocking read: for a pool's idle
    /// connections, not for load mode's busy ones.
    pub fn drop_if_closed(&mut self) {
        if let Some(s) = &self.stream {
            let mut probe = [0u8; 1];
            match s.try_read(&mut probe) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                _ => self.stream = None,
            }
        }
    }

    fn too_large(&self) -> SendError {
        self.other(format!(
            "the answer's body is over the {}-byte limit",
            self.max_body
        ))
    }

    fn other(&self, detail: impl Into<String>) -> SendError {
        SendError::Other {
            url: self.url.clone(),
            detail: detail.into(),
        }
    }

    /// Sends one request and reads the whole response. `keep` keeps the response's
    /// headers (the body is always read, so that the connection can be reused).
    pub async fn send(
        &mut self,
        method: &str,
        headers: &HeaderList,
        body: &[u8],
        timeout: Duration,
        keep: bool,
    ) -> Result<Sent, SendError> {
        let started = Instant::now();
        self.encode(method, headers, body)?;
        // One timer for the connection's life, moved on for each request: a later
        // deadline only updates the timer's entry, where a fresh timeout per request
        // would insert one into the runtime's wheel and take it out again.
        let mut timer = match self.timer.take() {
            Some(mut t) => {
                t.as_mut().reset((started + timeout).into());
                t
            }
            None => Box::pin(tokio::time::sleep_until((started + timeout).into())),
        };
        let outcome = tokio::select! {
            biased;
            r = self.exchange(method, keep) => Ok(r),
            () = timer.as_mut() => Err(()),
        };
        self.timer = Some(timer);
        match outcome {
            Ok(Ok((head, body))) => {
                if head.close {
                    self.stream = None;
                }
                Ok(Sent {
                    status: head.status,
                    reason: head.reason,
                    headers: head.headers,
                    body,
                    latency: started.elapsed(),
                })
            }
            Ok(Err(e)) => {
                self.stream = None;
                Err(e)
            }
            Err(_) => {
                self.stream = None;
                Err(SendError::Timeout(timeout))
            }
        }
    }

    /// Writes the request into `out`: request line, `Host`, the headers in order,
    /// `Content-Length`, the body.
    fn encode(&mut self, method: &str, headers: &HeaderList, body: &[u8]) -> Result<(), SendError> {
        use crate::envelope::headers::is_token;
        for (n, v) in headers.iter() {
            if !is_token(n) || v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(self.other(format!(
                    "the header `{}` is not a valid HTTP header",
                    n.escape_debug()
                )));
            }
        }
        if !is_token(method) {
            return Err(self.other(format!("`{method}` is not an HTTP method")));
        }
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.path.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        if !headers.contains("host") {
            out.extend_from_slice(b"Host: ");
            out.extend_from_slice(self.authority.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for (n, v) in headers.iter() {
            // The framing is this client's to state.
            if n.eq_ignore_ascii_case("content-length")
                || n.eq_ignore_ascii_case("transfer-encoding")
            {
                continue;
            }
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&crate::envelope::headers::value_to_bytes(v));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Content-Length: ");
        let _ = write!(out, "{}", body.len());
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body);
        Ok(())
    }

    async fn exchange(&mut self, method: &str, keep: bool) -> Result<(Head, Bytes), SendError> {
        if self.stream.is_none() {
            let stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| SendError::Connect {
                    url: self.url.clone(),
                    detail: e.to_string(),
                })?;
            let _ = stream.set_nodelay(true);
            self.stream = Some(stream);
        }
        let stream = self.stream.as_mut().expect("just connected");
        stream
            .write_all(&self.out)
            .await
            .map_err(|e| SendError::Other {
                url: self.url.clone(),
                detail: format!("could not write the request: {e}"),
            })?;
        self.buf.clear();
        let head = loop {
            if let Some(head) = self.parse_head(keep)? {
                if (100..200).contains(&head.status) {
                    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
                    if head.status == 101 {
                        return Err(self.other("the server switched protocols (101)"));
                    }
                    self.buf.drain(..head.len);
                    continue;
                }
                break head;
            }
            if self.buf.len() > MAX_RESPONSE_HEAD {
                return Err(self.other("the response's head is over 64 KiB"));
            }
            if self.fill().await? == 0 {
                return Err(self.other(if self.buf.is_empty() {
                    "the server closed the connection without answering"
                } else {
                    "the server closed the connection in the middle of its answer"
                }));
            }
        };
        let bodiless = method.eq_ignore_ascii_case("HEAD") || matches!(head.status, 204 | 304);
        let body = if bodiless {
            Bytes::new()
        } else {
            match head.framing {
                Framing::Length(n) => {
                    if n > self.max_body {
                        return Err(self.too_large());
                    }
                    while self.buf.len() < head.len + n {
                        if self.fill().await? == 0 {
                            return Err(self.other(
                                "the server closed the connection in the middle of its answer",
                            ));
                        }
                    }
                    Bytes::copy_from_slice(&self.buf[head.len..head.len + n])
                }
                Framing::Chunked => self.read_chunked(head.len).await?,
                Framing::UntilClose => {
                    while self.fill().await? > 0 {
                        if self.buf.len() - head.len > self.max_body {
                            return Err(self.too_large());
                        }
                    }
                    self.stream = None;
                    Bytes::copy_from_slice(&self.buf[head.len..])
                }
            }
        };
        Ok((head, body))
    }

    /// Reads more of the response; how many bytes came (0 at the end of the stream).
    async fn fill(&mut self) -> Result<usize, SendError> {
        let stream = self.stream.as_mut().expect("connected");
        self.buf.reserve(8192);
        stream
            .read_buf(&mut self.buf)
            .await
            .map_err(|e| SendError::Other {
                url: self.url.clone(),
                detail: format!("could not read the response: {e}"),
            })
    }

    /// The response head, once all of it has arrived.
    fn parse_head(&self, keep: bool) -> Result<Option<Head>, SendError> {
        // Slots left uninitialised: httparse fills those it uses, and zeroing all of
        // them cost more than parsing a typical answer.
        let mut slots = [const { std::mem::MaybeUninit::uninit() }; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut []);
        let parsed = httparse::ParserConfig::default()
            .parse_response_with_uninit_headers(&mut resp, &self.buf, &mut slots);
        let len = match parsed {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(self.other(format!("the response is not valid HTTP/1.1: {e}"))),
        };
        let status = resp.code.unwrap_or(0);
        let mut framing = Framing::UntilClose;
        let mut close = resp.version == Some(0);
        let mut kept = HeaderList::new();
        for h in resp.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                if !matches!(framing, Framing::Chunked) {
                    let n = std::str::from_utf8(h.value)
                        .ok()
                        .and_then(|v| v.trim().parse().ok())
                        .ok_or_else(|| {
                            self.other(format!(
                                "the response's Content-Length `{}` is not a number",
                                String::from_utf8_lossy(h.value)
                            ))
                        })?;
                    framing = Framing::Length(n);
                }
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                // The last coding decides; `chunked` can only be the last one.
                if h.value
                    .trim_ascii_end()
                    .to_ascii_lowercase()
                    .ends_with(b"chunked")
                {
                    framing = Framing::Chunked;
                }
            } else if h.name.eq_ignore_ascii_case("connection") {
                if super::lists(h.value, b"close") {
                    close = true;
                } else if super::lists(h.value, b"keep-alive") {
                    close = false;
                }
            }
            if keep {
                kept.push(h.name, crate::envelope::headers::value_from_bytes(h.value));
            }
        }
        Ok(Some(Head {
            status,
            reason: resp.reason.unwrap_or("").to_string(),
            headers: kept,
            len,
            framing,
            close,
        }))
    }

    /// Decodes a chunked body that starts at `at`, reading as needed.
    async fn read_chunked(&mut self, mut at: usize) -> Result<Bytes, SendError> {
        let mut body = Vec::new();
        loop {
            // The size line.
            let Some(end) = find_crlf(&self.buf[at..]) else {
                if self.buf.len() - at > MAX_RESPONSE_HEAD {
                    return Err(self.other("a chunk-size line of the response is over 64 KiB"));
                }
                self.more_of_chunked().await?;
                continue;
            };
            let line = String::from_utf8_lossy(&self.buf[at..at + end]);
            let hex = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(hex, 16).map_err(|_| {
                self.other(format!(
                    "bad chunk size `{}` in the response",
                    hex.chars().take(40).collect::<String>()
                ))
            })?;
            if size == 0 {
                // Trailers, if any, up to an empty line.
                let mut pos = at + end + 2;
                loop {
                    match find_crlf(&self.buf[pos..]) {
                        Some(0) => return Ok(Bytes::from(body)),
                        Some(n) => pos += n + 2,
                        None if self.buf.len() - pos > MAX_RESPONSE_HEAD => {
                            return Err(self.other("the response's trailers are over 64 KiB"));
                        }
                        None => self.more_of_chunked().await?,
                    }
                }
            }
            // Compared without adding, so that a size near 2^64 cannot wrap.
            let room = self.max_body.saturating_sub(body.len()) as u64;
            if size > room {
                return Err(self.too_large());
            }
            let size = size as usize;
            let data = at + end + 2;
            while self.buf.len() < data + size + 2 {
                self.more_of_chunked().await?;
            }
            if &self.buf[data + size..data + size + 2] != b"\r\n" {
                return Err(self.other("a chunk of the response does not end where its size says"));
            }
            body.extend_from_slice(&self.buf[data..data + size]);
            at = data + size + 2;
        }
    }

    async fn more_of_chunked(&mut self) -> Result<(), SendError> {
        if self.fill().await? == 0 {
            return Err(self.other("the server closed the connection in the middle of its answer"));
        }
        Ok(())
    }
}
