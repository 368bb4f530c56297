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
