//! One HTTP/1.1 keep-alive connection for load mode over plain HTTP, driven the way
//! load generators such as wrk drive theirs: the request goes out as one buffer, the
//! response head is parsed by the one HTTP/1 codec ([`super::h1`]), and the body is
//! framed by `Content-Length`, chunked encoding or the end of the connection. One request at a
//! time, no pool and no task per connection; a failed or closed connection is
//! replaced on the next request. (HTTPS load goes through the pooled
//! [`super::client::HttpClient`].)

use super::h1::{self, ChunkedDecoder, Framing, ResponseHead};
use super::sent::{SendError, Sent};
use crate::envelope::HeaderList;
use bytes::Bytes;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response body larger than this is an error, not a reason to run out of memory
/// (unless [`Conn::max_body`] says otherwise).
pub const MAX_RESPONSE_BODY: usize = 64 << 20;

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

    /// Writes the request into `out` ([`h1::write_request`]).
    fn encode(&mut self, method: &str, headers: &HeaderList, body: &[u8]) -> Result<(), SendError> {
        self.out.clear();
        let line = h1::RequestLine {
            method,
            target: &self.path,
            host: Some(&self.authority),
            close: false,
        };
        h1::write_request(&mut self.out, &line, headers, body).map_err(|e| SendError::Other {
            url: self.url.clone(),
            detail: e.to_string(),
        })
    }

    async fn exchange(
        &mut self,
        method: &str,
        keep: bool,
    ) -> Result<(ResponseHead, Bytes), SendError> {
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
            if self.fill().await? == 0 {
                return Err(self.other(if self.buf.is_empty() {
                    "the server closed the connection without answering"
                } else {
                    "the server closed the connection in the middle of its answer"
                }));
            }
        };
        let bodiless = method.eq_ignore_ascii_case("HEAD") || h1::is_bodiless(head.status);
        let body = if bodiless {
            Bytes::new()
        } else {
            match head.framing {
                Framing::Empty => Bytes::new(),
                Framing::Length(n) => {
                    let Some(n) = Framing::length_within(n, self.max_body) else {
                        return Err(self.too_large());
                    };
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
    fn parse_head(&self, keep: bool) -> Result<Option<ResponseHead>, SendError> {
        h1::parse_response(&self.buf, keep)
            .map_err(|e| self.other(format!("the response is not valid HTTP/1.1: {e}")))
    }

    /// Decodes a chunked body that starts at `at` ([`ChunkedDecoder`]), reading as
    /// needed; what is decoded leaves the buffer.
    async fn read_chunked(&mut self, at: usize) -> Result<Bytes, SendError> {
        self.buf.drain(..at);
        let mut decoder = ChunkedDecoder::new(self.max_body);
        let mut body = Vec::new();
        loop {
            let used = decoder.decode(&self.buf, &mut body).map_err(|e| match e {
                h1::ChunkError::TooLarge { .. } => self.too_large(),
                e => self.other(format!("bad chunked encoding in the response: {e}")),
            })?;
            self.buf.drain(..used);
            if decoder.is_done() {
                return Ok(Bytes::from(body));
            }
            self.more_of_chunked().await?;
        }
    }

    async fn more_of_chunked(&mut self) -> Result<(), SendError> {
        if self.fill().await? == 0 {
            return Err(self.other("the server closed the connection in the middle of its answer"));
        }
        Ok(())
    }
}
