//! Reading a raw HTTP/1.1 request from a file (`verify --request`), as `send
//! --dry-run` and `deliveries show --raw` write one: the request line, the headers in
//! order with their bytes, and the body exactly as it follows (decoded if chunked).
//! The head is read by the one HTTP/1 codec ([`super::h1`]), so a file reads as a
//! listening hookctl would have read the same bytes, with two allowances for a file
//! written by hand: lines may end in a bare LF, and a request without
//! `Content-Length` takes the rest of the file as its body.

use super::h1::{self, ChunkError, ChunkedDecoder, Framing, HeadError};
use crate::envelope::HeaderList;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub headers: HeaderList,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RawError {
    #[error("no blank line ends the headers: not a raw HTTP request")]
    NoHeaderEnd,
    #[error("the request head is not `METHOD /path HTTP/1.1` and `Name: value` lines: {0}")]
    Head(HeadError),
    #[error("truncated request: Content-Length says {expected} bytes, {got} follow")]
    Truncated { expected: u64, got: usize },
    #[error("the chunked body is malformed: {0}")]
    BadChunked(ChunkError),
    #[error("a chunk of the body says it is 0x{0} bytes long, more than follow")]
    ChunkTooLong(String),
    #[error("the chunked body ends before its last chunk")]
    ChunkedEndsEarly,
}

pub fn parse(bytes: &[u8]) -> Result<RawRequest, RawError> {
    let head = match h1::parse_request(bytes) {
        Ok(Some(head)) => head,
        Ok(None) => return Err(RawError::NoHeaderEnd),
        Err(e) => return Err(RawError::Head(e)),
    };
    let rest = &bytes[head.len..];
    let body = match head.framing {
        Framing::Chunked => dechunk(rest)?,
        Framing::Length(n) => match h1::Framing::length_within(n, rest.len()) {
            Some(n) => rest[..n].to_vec(),
            None => {
                return Err(RawError::Truncated {
                    expected: n,
                    got: rest.len(),
                });
            }
        },
        // No length given: the file's end ends the body.
        Framing::Empty if head.headers.contains("content-length") => Vec::new(),
        Framing::Empty | Framing::UntilClose => rest.to_vec(),
    };
    Ok(RawRequest {
        method: head.method,
        path: head.target,
        headers: head.headers,
        body,
    })
}

/// The body a chunked request file holds: no longer than the file.
fn dechunk(rest: &[u8]) -> Result<Vec<u8>, RawError> {
    let mut decoder = ChunkedDecoder::new(rest.len());
    let mut body = Vec::new();
    decoder.decode(rest, &mut body).map_err(|e| match e {
        ChunkError::TooLarge { size, .. } => RawError::ChunkTooLong(size),
        e => RawError::BadChunked(e),
    })?;
    if !decoder.is_done() {
        return Err(RawError::ChunkedEndsEarly);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::headers::value_to_bytes;

    #[test]
    fn parses_requests() {
        let r = parse(b"POST /hook?x=1 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 3\r\n\r\nabcdef").unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hook?x=1"));
        assert_eq!(r.headers.get_all("x-a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(r.body, b"abc");
        let r = parse(b"POST / HTTP/1.1\nA: b\n\n\xff\x00").unwrap();
        assert_eq!(r.body, b"\xff\x00");
        let r = parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, b"abcde");
        // Header bytes that are not UTF-8 are kept.
        let r = parse(b"POST / HTTP/1.1\r\nX-N: caf\xe9\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert_eq!(&*value_to_bytes(r.headers.get("x-n").unwrap()), b"caf\xe9");
        assert!(r.body.is_empty());
    }

    #[test]
    fn rejects_bad_requests() {
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nA: b"),
            Err(RawError::NoHeaderEnd)
        );
        assert!(matches!(parse(b"hello\r\n\r\n"), Err(RawError::Head(_))));
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nnocolon\r\n\r\n"),
            Err(RawError::Head(_))
        ));
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"),
            Err(RawError::Truncated {
                expected: 10,
                got: 3
            })
        );
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Err(RawError::BadChunked(ChunkError::BadSize(_)))
        ));
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"),
            Err(RawError::ChunkedEndsEarly)
        );
        for size in [
            "FFFFFFFFFFFFFFFF",
            "FFFFFFFFFFFFFFFE",
            "1FFFFFFFFFFFFFFFFF",
            "FF",
        ] {
            let req = format!(
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nabc\r\n0\r\n\r\n"
            );
            assert_eq!(
                parse(req.as_bytes()),
                Err(RawError::ChunkTooLong(size.to_string()))
            );
        }
    }
}
