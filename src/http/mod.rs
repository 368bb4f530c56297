//! HTTP plumbing shared by the commands: the client (send, replay, forward), the
//! server `listen` runs on, and TLS.

pub mod client;
pub mod conn;
pub mod serve;
pub mod server;
pub mod tls;

use crate::envelope::HeaderList;
use crate::envelope::headers::value_from_bytes;

/// A hyper/reqwest header map as a [`HeaderList`] (bytes that are not UTF-8 kept, see
/// [`crate::envelope::headers::ESCAPE_BASE`]; repeats of one name keep their order,
/// but a map cannot say how different names were interleaved).
pub fn header_list(map: &hyper::HeaderMap) -> HeaderList {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                value_from_bytes(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The headers that go on to the next hop, in order: less the hop-by-hop ones
/// ([`is_hop_by_hop`]) and every header the `Connection` header names (RFC 9110
/// §7.6.1).
pub fn forwardable(headers: &HeaderList) -> HeaderList {
    let named: Vec<&str> = headers
        .get_all("connection")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    headers
        .iter()
        .filter(|(n, _)| !is_hop_by_hop(n) && !named.iter().any(|c| c.eq_ignore_ascii_case(n)))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// An app's answer as it goes back to whoever sent the delivery: [`forwardable`], but
/// `Content-Length` stays where the app put it, with its spelling; the server writing
/// the answer sets its value (and adds one only when the app sent none).
pub fn forwardable_answer(headers: &HeaderList) -> HeaderList {
    let named: Vec<&str> = headers
        .get_all("connection")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    headers
        .iter()
        .filter(|(n, _)| {
            n.eq_ignore_ascii_case("content-length")
                || (!is_hop_by_hop(n) && !named.iter().any(|c| c.eq_ignore_ascii_case(n)))
        })
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Headers that belong to one connection, not to the delivery (RFC 9110 §7.6.1), plus
/// `Host` and `Content-Length`, which the next hop sets itself: left out when a
/// delivery is forwarded or replayed.
pub fn is_hop_by_hop(name: &str) -> bool {
    const NAMES: [&str; 9] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "host",
        "content-length",
    ];
    NAMES.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Whether a comma-separated header value (`Connection: keep-alive, Upgrade`) lists
/// `word`, in any case.
pub fn lists(value: &[u8], word: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(word))
}

/// Where the first CRLF in `bytes` starts.
pub fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

/// `host[:port]` of a URL, as a `Host` header gives it (the port only when the URL
/// names one).
pub fn authority(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("localhost");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// The path and query of a URL, as a request line and a path-signing scheme see them.
pub fn path_and_query(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}
