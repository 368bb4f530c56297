//! Reading a raw HTTP/1.1 request from a file (`verify --request`): request line,
//! headers in order, body exactly as it follows (decoded if chunked).

use crate::envelope::HeaderList;
use crate::envelope::headers::HeaderLineError;

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
    #[error("the request line `{0}` is not `METHOD /path HTTP/1.1`")]
    BadRequestLine(String),
    #[error("the request head is not UTF-8")]
    NotUtf8,
    #[error(transparent)]
    BadHeader(#[from] HeaderLineError),
    #[error("truncated request: Content-Length says {expected} bytes, {got} follow")]
    Truncated { expected: usize, got: usize },
    #[error("Content-Length `{0}` is not a number")]
    BadLength(String),
    #[error("the chunked body is malformed")]
    BadChunked,
    #[error("a chunk of the body says it is {0} bytes long, more than follow")]
    ChunkTooLong(String),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn parse(bytes: &[u8]) -> Result<RawRequest, RawError> {
    let (head_end, body_start) = match (find(bytes, b"\r\n\r\n"), find(bytes, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (b, b + 2),
        (Some(a), _) => (a, a + 4),
        (None, Some(b)) => (b, b + 2),
        (None, None) => return Err(RawError::NoHeaderEnd),
    };
    let head = std::str::from_utf8(&bytes[..head_end]).map_err(|_| RawError::NotUtf8)?;
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().trim();
    let parts: Vec<&str> = request_line.split_whitespace().collect();
    let [method, path, version] = parts.as_slice() else {
        return Err(RawError::BadRequestLine(request_line.to_string()));
    };
    if !version.starts_with("HTTP/") || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(RawError::BadRequestLine(request_line.to_string()));
    }
    let mut headers = HeaderList::new();
    for line in lines {
        let (n, v) = HeaderList::parse_line(line)?;
        headers.push(n, v);
    }
    let rest = &bytes[body_start..];
    let chunked = headers
        .get("Transfer-Encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = headers.get("Content-Length") {
        let expected: usize = len
            .trim()
            .parse()
            .map_err(|_| RawError::BadLength(len.to_string()))?;
        if rest.len() < expected {
            return Err(RawError::Truncated {
                expected,
                got: rest.len(),
            });
        }
        rest[..expected].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(RawRequest {
        method: method.to_string(),
        path: path.to_string(),
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, RawError> {
    let mut out = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or(RawError::BadChunked)?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| RawError::BadChunked)?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let too_long = || RawError::ChunkTooLong(format!("0x{size_text}"));
        // A size wider than usize is just as impossible as one past the end of the file.
        let size = u64::from_str_radix(size_text, 16).map_err(|e| match e.kind() {
            std::num::IntErrorKind::PosOverflow => too_long(),
            _ => RawError::BadChunked,
        })?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= rest.len().saturating_sub(2))
            .ok_or_else(too_long)?;
        if &rest[size..size + 2] != b"\r\n" {
            return Err(RawError::BadChunked);
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn rejects_bad_requests() {
        assert_eq!(parse(b"junk"), Err(RawError::NoHeaderEnd));
        assert!(matches!(
            parse(b"hello\r\n\r\n"),
            Err(RawError::BadRequestLine(_))
        ));
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nnocolon\r\n\r\n"),
            Err(RawError::BadHeader(_))
        ));
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"),
            Err(RawError::Truncated {
                expected: 10,
                got: 3
            })
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Err(RawError::BadChunked)
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
                Err(RawError::ChunkTooLong(format!("0x{size}")))
            );
        }
    }
}
