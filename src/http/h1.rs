//! HTTP/1.1 framing, once: reading a request or response head, how its body is
//! framed, decoding a chunked body, and writing a request or response head.
//!
//! Nothing here does I/O. The server (`listen`, `relay`), the pooled client's
//! connections, the audit's hand-made connections and `verify --request` read their
//! own bytes and hand them here, so every reader of HTTP/1 applies the same rules
//! and the same limits.
//!
//! Headers keep what arrived: every header in order, repeats and spelling as they
//! came, and bytes of a value that are not UTF-8 carried through reversibly (see
//! [`value_from_bytes`]); the writers put those bytes back exactly
//! ([`value_to_bytes`]), so what one writes the other reads back unchanged.

use crate::envelope::HeaderList;
use crate::envelope::headers::{is_token, value_from_bytes, value_to_bytes};
use std::io::Write as _;
use std::mem::MaybeUninit;

/// The most a head may take, start line included.
pub const MAX_HEAD: usize = 64 << 10;
/// The most header lines one head may have.
pub const MAX_HEADERS: usize = 128;
/// The most a chunk-size line (extensions included) may take.
pub const MAX_CHUNK_LINE: usize = 4 << 10;
/// The most the trailers of a chunked body may take, all lines together.
pub const MAX_TRAILERS: usize = 64 << 10;

/// Why a head could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error("the head has more than {MAX_HEADERS} headers")]
    TooManyHeaders,
    #[error("the head is over {} KiB", MAX_HEAD >> 10)]
    TooLarge,
    #[error("not valid HTTP/1.1 ({0})")]
    Malformed(httparse::Error),
    #[error("Content-Length `{0}` is not a number")]
    BadLength(String),
    #[error("Content-Length headers disagree")]
    LengthsDisagree,
    #[error("both Transfer-Encoding and Content-Length are set")]
    LengthAndCoding,
    #[error("a transfer coding other than chunked")]
    UnknownCoding,
}

/// How the body after a head is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body (a request with neither `Content-Length` nor `Transfer-Encoding`, or
    /// one of length 0).
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding: see [`ChunkedDecoder`].
    Chunked,
    /// Everything until the connection ends (a response that says nothing else).
    UntilClose,
}

impl Framing {
    /// A `Content-Length` as a size this process can hold, if within `max`.
    pub fn length_within(n: u64, max: usize) -> Option<usize> {
        usize::try_from(n).ok().filter(|&n| n <= max)
    }
}

/// A request head, parsed.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub method: String,
    /// The request target as sent (origin form `/path?q` or absolute form).
    pub target: String,
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    pub headers: HeaderList,
    pub framing: Framing,
    /// The client asked to close after this request (or speaks HTTP/1.0 without
    /// asking to keep the connection).
    pub close: bool,
    /// `Expect: 100-continue` on an HTTP/1.1 request with a body.
    pub expect_continue: bool,
    /// How many bytes the head took.
    pub len: usize,
}

/// A response head, parsed.
#[derive(Debug, Clone)]
pub struct ResponseHead {
    pub status: u16,
    pub reason: String,
    pub version: u8,
    /// Empty unless asked for (see [`parse_response`]).
    pub headers: HeaderList,
    /// How the body is framed, were there one: a 1xx, 204 or 304 answer, or any
    /// answer to `HEAD`, has none whatever this says.
    pub framing: Framing,
    /// The server will close the connection after this answer.
    pub close: bool,
    /// How many bytes the head took.
    pub len: usize,
}

/// The framing headers of a head, gathered as its headers go by.
#[derive(Default)]
struct FramingHeaders {
    length: Option<u64>,
    /// `Transfer-Encoding` present, and whether its last coding is `chunked`.
    coded: bool,
    chunked: bool,
    close: Option<bool>,
}

impl FramingHeaders {
    fn see(&mut self, name: &str, value: &[u8]) -> Result<(), HeadError> {
        if name.eq_ignore_ascii_case("content-length") {
            // Repeats (or a list) must all agree: anything else is how requests are
            // smuggled past a proxy.
            for part in value.split(|&b| b == b',') {
                let n = std::str::from_utf8(part.trim_ascii())
                    .ok()
                    .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                    // Wider than 64 bits is over any limit too.
                    .map(|t| t.parse::<u64>().unwrap_or(u64::MAX))
                    .ok_or_else(|| {
                        HeadError::BadLength(
                            String::from_utf8_lossy(value).chars().take(40).collect(),
                        )
                    })?;
                if self.length.is_some_and(|l| l != n) {
                    return Err(HeadError::LengthsDisagree);
                }
                self.length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            self.coded = true;
            // The last coding decides; `chunked` can only be the last one.
            let last = value.rsplit(|&b| b == b',').next().unwrap_or_default();
            self.chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            if lists(value, b"close") {
                self.close = Some(true);
            } else if lists(value, b"keep-alive") && self.close != Some(true) {
                self.close = Some(false);
            }
        }
        Ok(())
    }

    /// Whether the connection closes after this message, by its version and
    /// `Connection` headers.
    fn closes(&self, version: u8) -> bool {
        self.close.unwrap_or(version == 0)
    }
}

/// Parses the request head at the start of `buf`; `None` while it has not all come.
/// A head over [`MAX_HEAD`] is refused whether complete or not.
pub fn parse_request(buf: &[u8]) -> Result<Option<RequestHead>, HeadError> {
    let mut slots = [const { MaybeUninit::uninit() }; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let len = match httparse::ParserConfig::default()
        .parse_request_with_uninit_headers(&mut req, buf, &mut slots)
    {
        Ok(httparse::Status::Complete(len)) if len <= MAX_HEAD => len,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => return Ok(None),
        Ok(_) => return Err(HeadError::TooLarge),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(e) => return Err(HeadError::Malformed(e)),
    };
    let version = req.version.unwrap_or(1);
    let mut headers = HeaderList::with_capacity(req.headers.len());
    let mut framing = FramingHeaders::default();
    let mut expect_continue = false;
    for h in req.headers.iter() {
        framing.see(h.name, h.value)?;
        if h.name.eq_ignore_ascii_case("expect") {
            expect_continue = h.value.trim_ascii().eq_ignore_ascii_case(b"100-continue");
        }
        headers.push(h.name, value_from_bytes(h.value));
    }
    let body = match (framing.coded, framing.length) {
        (true, Some(_)) => return Err(HeadError::LengthAndCoding),
        (true, None) if !framing.chunked || version == 0 => {
            return Err(HeadError::UnknownCoding);
        }
        (true, None) => Framing::Chunked,
        (false, Some(0) | None) => Framing::Empty,
        (false, Some(n)) => Framing::Length(n),
    };
    Ok(Some(RequestHead {
        method: req.method.unwrap_or_default().to_string(),
        target: req.path.unwrap_or_default().to_string(),
        version,
        headers,
        framing: body,
        close: framing.closes(version),
        expect_continue: expect_continue && version == 1 && body != Framing::Empty,
        len,
    }))
}

/// Parses the response head at the start of `buf`; `None` while it has not all come.
/// `keep_headers` keeps the headers in [`ResponseHead::headers`] (a load generator
/// that looks only at the status leaves them).
pub fn parse_response(buf: &[u8], keep_headers: bool) -> Result<Option<ResponseHead>, HeadError> {
    // Slots left uninitialised: httparse fills those it uses, and zeroing all of
    // them cost more than parsing a typical answer.
    let mut slots = [const { MaybeUninit::uninit() }; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(&mut resp, buf, &mut slots)
    {
        Ok(httparse::Status::Complete(len)) if len <= MAX_HEAD => len,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => return Ok(None),
        Ok(_) => return Err(HeadError::TooLarge),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(e) => return Err(HeadError::Malformed(e)),
    };
    let version = resp.version.unwrap_or(1);
    let mut framing = FramingHeaders::default();
    let mut headers = HeaderList::with_capacity(if keep_headers { resp.headers.len() } else { 0 });
    for h in resp.headers.iter() {
        framing.see(h.name, h.value)?;
        if keep_headers {
            headers.push(h.name, value_from_bytes(h.value));
        }
    }
    // RFC 9112 §6.3: a transfer coding overrides a length, and one that does not end
    // in `chunked` runs until the connection closes.
    let body = match (framing.coded, framing.length) {
        (true, _) if framing.chunked => Framing::Chunked,
        (true, _) | (false, None) => Framing::UntilClose,
        (false, Some(n)) => Framing::Length(n),
    };
    Ok(Some(ResponseHead {
        status: resp.code.unwrap_or(0),
        reason: resp.reason.unwrap_or("").to_string(),
        version,
        headers,
        framing: body,
        close: framing.closes(version) || body == Framing::UntilClose,
        len,
    }))
}

/// Why a chunked body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("a chunk-size line is over {} KiB", MAX_CHUNK_LINE >> 10)]
    SizeLineTooLong,
    #[error("the chunk size `{0}` is not hexadecimal")]
    BadSize(String),
    #[error("a chunk says it is 0x{size} bytes long, over the {limit}-byte limit")]
    TooLarge {
        /// The size as sent (at most 40 digits of it).
        size: String,
        limit: usize,
    },
    #[error("a chunk does not end where its size says")]
    MissingCrlf,
    #[error("the trailers are over {} KiB", MAX_TRAILERS >> 10)]
    TrailersTooLong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data, this much of it still to come.
    Data(usize),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// After the last chunk, trailer lines so far this many bytes long.
    Trailers(usize),
    Done,
}

/// Decodes a chunked body (RFC 9112 §7.1) as its bytes come, dropping extensions and
/// trailers. Everything is bounded: a size line by [`MAX_CHUNK_LINE`], the trailers by
/// [`MAX_TRAILERS`], the body by the limit it is made with (a size is compared with
/// the room left, never added to, so that no size can wrap), and the decoder holds
/// nothing of its own but a few counters: the caller's buffer only ever needs to hold
/// one line, and data is taken as it comes.
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: ChunkState,
    max: usize,
    len: usize,
}

impl ChunkedDecoder {
    /// A decoder for a body of at most `max` bytes.
    pub fn new(max: usize) -> ChunkedDecoder {
        ChunkedDecoder {
            state: ChunkState::Size,
            max,
            len: 0,
        }
    }

    /// Whether the body has ended (the last chunk and the trailers have been read).
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Decodes what it can of `input`, appending body bytes to `body`; how many bytes
    /// of `input` it used. The rest (a part of a line) is to be given again with what
    /// follows it. Once [`ChunkedDecoder::is_done`], what is left of `input` belongs to
    /// whatever comes after the body.
    pub fn decode(&mut self, input: &[u8], body: &mut Vec<u8>) -> Result<usize, ChunkError> {
        let mut at = 0;
        loop {
            let rest = &input[at..];
            match self.state {
                ChunkState::Done => return Ok(at),
                ChunkState::Size => {
                    let Some(end) = find_crlf(rest) else {
                        if rest.len() > MAX_CHUNK_LINE {
                            return Err(ChunkError::SizeLineTooLong);
                        }
                        return Ok(at);
                    };
                    if end > MAX_CHUNK_LINE {
                        return Err(ChunkError::SizeLineTooLong);
                    }
                    let size = self.size(&rest[..end])?;
                    at += end + 2;
                    self.state = if size == 0 {
                        ChunkState::Trailers(0)
                    } else {
                        ChunkState::Data(size)
                    };
                }
                ChunkState::Data(left) => {
                    let take = left.min(rest.len());
                    body.extend_from_slice(&rest[..take]);
                    at += take;
                    self.state = if take == left {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(left - take)
                    };
                    if take < left {
                        return Ok(at);
                    }
                }
                ChunkState::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        at += 2;
                        self.state = ChunkState::Size;
                    }
                    [] | [b'\r'] => return Ok(at),
                    _ => return Err(ChunkError::MissingCrlf),
                },
                ChunkState::Trailers(seen) => match find_crlf(rest) {
                    Some(0) => {
                        at += 2;
                        self.state = ChunkState::Done;
                    }
                    Some(n) => {
                        let seen = seen + n + 2;
                        if seen > MAX_TRAILERS {
                            return Err(ChunkError::TrailersTooLong);
                        }
                        at += n + 2;
                        self.state = ChunkState::Trailers(seen);
                    }
                    None if seen + rest.len() > MAX_TRAILERS => {
                        return Err(ChunkError::TrailersTooLong);
                    }
                    None => return Ok(at),
                },
            }
        }
    }

    /// The size a chunk-size line gives, checked against the room left.
    fn size(&mut self, line: &[u8]) -> Result<usize, ChunkError> {
        let text = line
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        let shown = || {
            String::from_utf8_lossy(text)
                .chars()
                .take(40)
                .collect::<String>()
        };
        if text.is_empty() || !text.iter().all(u8::is_ascii_hexdigit) {
            return Err(ChunkError::BadSize(shown()));
        }
        // Wider than 64 bits is over any limit too.
        let size = std::str::from_utf8(text)
            .ok()
            .and_then(|t| u64::from_str_radix(t, 16).ok())
            .unwrap_or(u64::MAX);
        let room = self.max - self.len;
        match usize::try_from(size) {
            Ok(size) if size <= room => {
                self.len += size;
                Ok(size)
            }
            _ => Err(ChunkError::TooLarge {
                size: shown(),
                limit: self.max,
            }),
        }
    }
}

/// Why a head could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("`{0}` is not an HTTP method")]
    BadMethod(String),
    #[error("the request target `{0}` holds a space or a control character")]
    BadTarget(String),
    #[error("the header `{0}` is not a valid HTTP header")]
    BadHeader(String),
}

/// The start of a request as [`write_request`] writes it.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    /// The path and query (or an absolute URL, to a proxy).
    pub target: &'a str,
    /// The `Host` to write first when the headers have none.
    pub host: Option<&'a str>,
    /// Asks the server to close the connection after answering: the headers'
    /// `Connection` is left out and `Connection: close` written last.
    pub close: bool,
}

/// Writes a request head into `out`: the request line; `Host` (the headers' own where
/// they have one, else [`RequestLine::host`] first); every header in order, repeats
/// kept, bytes that are not UTF-8 written as they came; and the framing, which is
/// the writer's to state: `Transfer-Encoding` is left out, a `Content-Length` keeps
/// its place and spelling with the true length (only the first; a head without one
/// gets `Content-Length` last). The body is `body_len` bytes, written by the caller.
/// A method, target or header that would break the head is an error.
pub fn write_request_head(
    out: &mut Vec<u8>,
    line: &RequestLine<'_>,
    headers: &HeaderList,
    body_len: usize,
) -> Result<(), WriteError> {
    if !is_token(line.method) {
        return Err(WriteError::BadMethod(
            line.method.escape_debug().to_string(),
        ));
    }
    if line.target.is_empty() || line.target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(WriteError::BadTarget(
            line.target.escape_debug().to_string(),
        ));
    }
    let values: Vec<_> = headers
        .iter()
        .map(|(n, v)| {
            let v = value_to_bytes(v);
            if !is_token(n) || v.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(WriteError::BadHeader(n.escape_debug().to_string()));
            }
            Ok((n, v))
        })
        .collect::<Result<_, _>>()?;
    let _ = write!(out, "{} {} HTTP/1.1\r\n", line.method, line.target);
    if let Some(host) = line.host
        && !headers.contains("host")
    {
        let _ = write!(out, "Host: {host}\r\n");
    }
    let mut length_written = false;
    for (n, v) in values {
        if n.eq_ignore_ascii_case("content-length") {
            if !length_written {
                let _ = write!(out, "{n}: {body_len}\r\n");
                length_written = true;
            }
            continue;
        }
        if n.eq_ignore_ascii_case("transfer-encoding")
            || (line.close && n.eq_ignore_ascii_case("connection"))
        {
            continue;
        }
        header_line(out, n, &v);
    }
    if !length_written {
        let _ = write!(out, "Content-Length: {body_len}\r\n");
    }
    if line.close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// [`write_request_head`] and the body after it: the request exactly as it travels.
pub fn write_request(
    out: &mut Vec<u8>,
    line: &RequestLine<'_>,
    headers: &HeaderList,
    body: &[u8],
) -> Result<(), WriteError> {
    write_request_head(out, line, headers, body.len())?;
    out.extend_from_slice(body);
    Ok(())
}

/// The start of a response as [`write_response_head`] writes it.
#[derive(Debug, Clone, Copy)]
pub struct StatusLine<'a> {
    /// An invalid status is written as 500.
    pub status: u16,
    /// The `Date` to add when the headers have none (an HTTP date).
    pub date: Option<&'a str>,
    /// The connection closes after this answer: `connection: close` is written.
    pub close: bool,
}

/// Writes a response head into `out`: the status line; `date` first if the answer
/// lacks one; the answer's own headers in their order and spelling (an app's, when
/// forwarded); the framing last. `Transfer-Encoding` and `Connection` are the
/// writer's (but a `101` keeps its `Connection: Upgrade`), and a name or value that
/// would break the head is left out. A `Content-Length` keeps its place and name and
/// gets the true length; an answer without one gets `content-length` last. A 1xx, 204
/// or 304 answer has no body and no length. Whether the body follows is the caller's.
pub fn write_response_head(
    out: &mut Vec<u8>,
    line: &StatusLine<'_>,
    headers: &HeaderList,
    body_len: usize,
) {
    let status = hyper::StatusCode::from_u16(line.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let code = status.as_u16();
    let _ = write!(
        out,
        "HTTP/1.1 {code} {}\r\n",
        status.canonical_reason().unwrap_or("")
    );
    let bodiless = is_bodiless(code);
    if let Some(date) = line.date
        && !headers.contains("date")
    {
        let _ = write!(out, "date: {date}\r\n");
    }
    let mut length_written = false;
    for (n, v) in headers.iter() {
        if n.eq_ignore_ascii_case("content-length") {
            if !bodiless && !length_written && is_token(n) {
                let _ = write!(out, "{n}: {body_len}\r\n");
                length_written = true;
            }
            continue;
        }
        let v = value_to_bytes(v);
        let framing = n.eq_ignore_ascii_case("transfer-encoding")
            // A switch of protocols says so in `Connection: Upgrade`.
            || (n.eq_ignore_ascii_case("connection") && code != 101);
        if framing || !is_token(n) || v.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            continue;
        }
        header_line(out, n, &v);
    }
    if !bodiless && !length_written {
        let _ = write!(out, "content-length: {body_len}\r\n");
    }
    if line.close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether an answer with this status has no body (RFC 9110 §6.4.1).
pub fn is_bodiless(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 304)
}

/// Whether a comma-separated header value (`Connection: keep-alive, Upgrade`) lists
/// `word`, in any case.
fn lists(value: &[u8], word: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(word))
}

/// Where the first CRLF in `bytes` starts.
fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

fn header_line(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_all(input: &[u8], max: usize) -> Result<(Vec<u8>, usize, bool), ChunkError> {
        let mut d = ChunkedDecoder::new(max);
        let mut body = Vec::new();
        let used = d.decode(input, &mut body)?;
        Ok((body, used, d.is_done()))
    }

    /// Feeds `input` a piece at a time, keeping what was not used, as a connection
    /// does; the body, or the error.
    fn decode_in_pieces(input: &[u8], piece: usize, max: usize) -> Result<Vec<u8>, ChunkError> {
        let mut d = ChunkedDecoder::new(max);
        let mut body = Vec::new();
        let mut buf = Vec::new();
        for p in input.chunks(piece.max(1)) {
            buf.extend_from_slice(p);
            let used = d.decode(&buf, &mut body)?;
            buf.drain(..used);
            // Never more held than a line, a CRLF or the trailers' limit.
            assert!(buf.len() <= MAX_TRAILERS + piece, "held {}", buf.len());
            if d.is_done() {
                break;
            }
        }
        Ok(body)
    }

    #[test]
    fn chunked_bodies_decode_with_extensions_and_trailers() {
        let input = b"3;x=1\r\nabc\r\n1\r\nd\r\n0\r\nT: 1\r\nU: 2\r\n\r\nNEXT";
        let (body, used, done) = decode_all(input, 100).unwrap();
        assert_eq!((&body[..], done), (&b"abcd"[..], true));
        assert_eq!(&input[used..], b"NEXT");
        for piece in 1..8 {
            assert_eq!(decode_in_pieces(input, piece, 100).unwrap(), b"abcd");
        }
    }

    #[test]
    fn hostile_chunked_bodies_are_refused_in_bounded_memory() {
        // A size near 2^64, one wider than 64 bits, one over the limit.
        for size in ["FFFFFFFFFFFFFFFF", "1FFFFFFFFFFFFFFFFFFFFF", "65"] {
            let input = format!("{size}\r\nabc\r\n0\r\n\r\n");
            assert_eq!(
                decode_all(input.as_bytes(), 100).unwrap_err(),
                ChunkError::TooLarge {
                    size: size.into(),
                    limit: 100
                }
            );
        }
        // Sizes that add up past the limit (the sum cannot wrap: it is never formed).
        let two = [&b"40\r\n"[..], &[b'a'; 64], b"\r\n40\r\n"].concat();
        assert!(matches!(
            decode_in_pieces(&two, 7, 100),
            Err(ChunkError::TooLarge { .. })
        ));
        for bad in ["zz\r\n", "\r\n", "-1\r\n", "+1\r\n", "0x10\r\n"] {
            assert!(
                matches!(decode_all(bad.as_bytes(), 100), Err(ChunkError::BadSize(_))),
                "{bad:?}"
            );
        }
        // Data not followed by its CRLF.
        assert_eq!(
            decode_all(b"3\r\nabcd\r\n0\r\n\r\n", 100).unwrap_err(),
            ChunkError::MissingCrlf
        );
        assert_eq!(
            decode_all(b"3\r\nabc\n0\r\n\r\n", 100).unwrap_err(),
            ChunkError::MissingCrlf
        );
        // A size line that never ends, fed a piece at a time: refused once it is
        // over the limit, not held for ever.
        let endless = vec![b'1'; MAX_CHUNK_LINE * 4];
        assert_eq!(
            decode_in_pieces(&endless, 1000, 100).unwrap_err(),
            ChunkError::SizeLineTooLong
        );
        // Endless trailers: short lines without end, and one long line.
        let mut trailers = b"0\r\n".to_vec();
        while trailers.len() < MAX_TRAILERS * 2 {
            trailers.extend_from_slice(b"X-T: 1\r\n");
        }
        assert_eq!(
            decode_in_pieces(&trailers, 4096, 100).unwrap_err(),
            ChunkError::TrailersTooLong
        );
        let long = [&b"0\r\nX: "[..], &vec![b'a'; MAX_TRAILERS * 2]].concat();
        assert_eq!(
            decode_in_pieces(&long, 4096, 100).unwrap_err(),
            ChunkError::TrailersTooLong
        );
        // Not ended yet is not an error: the decoder waits for more.
        let (body, used, done) = decode_all(b"5\r\nab", 100).unwrap();
        assert_eq!((&body[..], used, done), (&b"ab"[..], 5, false));
    }

    #[test]
    fn heads_keep_order_spelling_and_bytes() {
        let raw = b"POST /h?x=1 HTTP/1.1\r\nX-A: 1\r\nx-b: 2\r\nX-A: 3\r\nX-L: caf\xe9\r\nContent-Length: 3\r\n\r\nabc";
        let h = parse_request(raw).unwrap().unwrap();
        assert_eq!(&raw[h.len..], b"abc");
        assert_eq!((h.method.as_str(), h.target.as_str()), ("POST", "/h?x=1"));
        let names: Vec<&str> = h.headers.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["X-A", "x-b", "X-A", "X-L", "Content-Length"]);
        assert_eq!(&*value_to_bytes(h.headers.get("x-l").unwrap()), b"caf\xe9");
        assert_eq!(h.framing, Framing::Length(3));
        assert!(matches!(
            parse_request(b"POST / HTTP/1.1\r\nX: 1\r\n"),
            Ok(None)
        ));
    }

    #[test]
    fn request_framing_that_could_smuggle_is_refused() {
        let head = |t: &str| parse_request(t.as_bytes()).map(|h| h.map(|h| h.framing));
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
            Err(HeadError::LengthsDisagree)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n"),
            Ok(Some(Framing::Length(3)))
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(HeadError::LengthAndCoding)
        );
        assert_eq!(
            head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
            Err(HeadError::UnknownCoding)
        );
        assert!(matches!(
            head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            Err(HeadError::BadLength(_))
        ));
        assert_eq!(
            head("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            Ok(Some(Framing::Length(u64::MAX)))
        );
        let many: String = (0..200).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            head(&format!("GET / HTTP/1.1\r\n{many}\r\n")),
            Err(HeadError::TooManyHeaders)
        );
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(head(&long), Err(HeadError::TooLarge));
        assert_eq!(head(&long[..MAX_HEAD + 10]), Err(HeadError::TooLarge));
    }

    #[test]
    fn response_framing() {
        let head = |t: &str| parse_response(t.as_bytes(), true).unwrap().unwrap();
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::Chunked, false));
        let h = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::UntilClose, true));
        let h = head("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assert_eq!((h.status, h.reason.as_str()), (404, "Not Found"));
        assert_eq!((h.framing, h.close), (Framing::Length(0), true));
        let h = head("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n");
        assert!(h.close);
        let h = parse_response(b"HTTP/1.1 204 No Content\r\nX: y\r\n\r\n", false)
            .unwrap()
            .unwrap();
        assert!(h.headers.is_empty());
    }

    #[test]
    fn the_request_writer_states_the_framing() {
        let mut headers = HeaderList::new();
        headers.push("X-A", "1");
        headers.push("content-length", "999");
        headers.push("Transfer-Encoding", "chunked");
        headers.push("X-A", "2");
        let mut out = Vec::new();
        let line = RequestLine {
            method: "POST",
            target: "/p?q=1",
            host: Some("example.com:8"),
            close: false,
        };
        write_request(&mut out, &line, &headers, b"hey").unwrap();
        assert_eq!(
            out,
            b"POST /p?q=1 HTTP/1.1\r\nHost: example.com:8\r\nX-A: 1\r\ncontent-length: 3\r\nX-A: 2\r\n\r\nhey"
        );
        headers.push("Host", "given");
        headers.push("Connection", "keep-alive");
        out.clear();
        let close = RequestLine {
            close: true,
            ..line
        };
        write_request_head(&mut out, &close, &headers, 0).unwrap();
        assert_eq!(
            out,
            b"POST /p?q=1 HTTP/1.1\r\nX-A: 1\r\ncontent-length: 0\r\nX-A: 2\r\nHost: given\r\nConnection: close\r\n\r\n"
        );
        let mut bad = HeaderList::new();
        bad.push("X", "a\r\nInjected: 1");
        assert!(matches!(
            write_request(&mut out, &line, &bad, b""),
            Err(WriteError::BadHeader(_))
        ));
        let target = RequestLine {
            target: "/a b",
            ..line
        };
        assert!(matches!(
            write_request(&mut out, &target, &HeaderList::new(), b""),
            Err(WriteError::BadTarget(_))
        ));
    }

    #[test]
    fn the_response_writer_keeps_the_answer_s_headers() {
        let mut headers = HeaderList::new();
        headers.push("X-Z", "caf\u{10FFE9}");
        headers.push("Content-Length", "1");
        headers.push("Connection", "keep-alive");
        headers.push("Bad Name", "x");
        let mut out = Vec::new();
        let line = StatusLine {
            status: 201,
            date: Some("Thu, 01 Jan 1970 00:00:00 GMT"),
            close: true,
        };
        write_response_head(&mut out, &line, &headers, 4);
        assert_eq!(
            out,
            b"HTTP/1.1 201 Created\r\ndate: Thu, 01 Jan 1970 00:00:00 GMT\r\nX-Z: caf\xe9\r\nContent-Length: 4\r\nconnection: close\r\n\r\n"
        );
        out.clear();
        let line = StatusLine {
            status: 204,
            date: None,
            close: false,
        };
        write_response_head(&mut out, &line, &HeaderList::new(), 0);
        assert_eq!(out, b"HTTP/1.1 204 No Content\r\n\r\n");
    }

    /// A header name: a token, in any case.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,12}",
            Just("X-Repeat".to_string()),
            Just("x-repeat".to_string()),
        ]
        .prop_filter("the writer states the framing itself", |n| {
            !["content-length", "transfer-encoding", "host"]
                .iter()
                .any(|f| n.eq_ignore_ascii_case(f))
        })
    }

    /// A header value as it may arrive: any bytes but CR, LF and NUL, not starting
    /// or ending in whitespace (which HTTP does not count as part of a value).
    fn value() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            any::<u8>().prop_filter("no line breaks", |b| {
                !matches!(b, b'\r' | b'\n' | 0) && (*b >= 0x20 || *b == b'\t') && *b != 0x7f
            }),
            0..24,
        )
        .prop_map(|mut v| {
            while v.last().is_some_and(|b| matches!(b, b' ' | b'\t')) {
                v.pop();
            }
            while v.first().is_some_and(|b| matches!(b, b' ' | b'\t')) {
                v.remove(0);
            }
            v
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// What the writer writes, the parser reads back: method, target, every
        /// header in order with repeats, spelling and bytes, and the body.
        #[test]
        fn written_requests_read_back_exactly(
            method in "[A-Z]{1,8}",
            target in "/[!-~]{0,30}",
            headers in proptest::collection::vec((name(), value()), 0..20),
            body in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let list: HeaderList = headers
                .iter()
                .map(|(n, v)| (n.clone(), value_from_bytes(v).into_owned()))
                .collect();
            let line = RequestLine { method: &method, target: &target, host: Some("h:1"), close: false };
            let mut out = Vec::new();
            write_request(&mut out, &line, &list, &body).unwrap();
            let head = parse_request(&out).unwrap().expect("a whole head");
            prop_assert_eq!(&head.method, &method);
            prop_assert_eq!(&head.target, &target);
            let read: Vec<(String, Vec<u8>)> = head
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), value_to_bytes(v).into_owned()))
                .collect();
            let mut expected = vec![("Host".to_string(), b"h:1".to_vec())];
            expected.extend(headers.iter().cloned());
            expected.push(("Content-Length".to_string(), body.len().to_string().into_bytes()));
            prop_assert_eq!(read, expected);
            let expected_framing = if body.is_empty() { Framing::Empty } else { Framing::Length(body.len() as u64) };
            prop_assert_eq!(head.framing, expected_framing);
            prop_assert_eq!(&out[head.len..], &body[..]);
        }

        /// A body chunked any way decodes to itself, fed in any pieces.
        #[test]
        fn chunked_bodies_read_back_exactly(
            parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 0..10),
            piece in 1usize..50,
        ) {
            let mut input = Vec::new();
            for p in &parts {
                input.extend_from_slice(format!("{:x}\r\n", p.len()).as_bytes());
                input.extend_from_slice(p);
                input.extend_from_slice(b"\r\n");
            }
            input.extend_from_slice(b"0\r\n\r\n");
            prop_assert_eq!(decode_in_pieces(&input, piece, 1 << 20).unwrap(), parts.concat());
        }

        /// Whatever bytes come, the decoder answers or asks for more, within bounds.
        #[test]
        fn any_bytes_decode_or_are_refused(input in proptest::collection::vec(any::<u8>(), 0..200), max in 0usize..64) {
            if let Ok((body, used, _)) = decode_all(&input, max) {
                prop_assert!(body.len() <= max && used <= input.len());
            }
        }
    }
}
