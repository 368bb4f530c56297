//! HTTP plumbing shared by the commands: the client (send, replay, forward).

pub mod client;
pub mod conn;
pub mod receiver;
pub mod tls;

/// A hyper/reqwest header map as a [`HeaderList`] (values that are not UTF-8 are
/// replaced lossily; repeated headers keep their order).
pub fn header_list(map: &hyper::HeaderMap) -> crate::envelope::HeaderList {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
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

/// The path and query of a URL, as a request line and a path-signing scheme see them.
pub fn path_and_query(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}
