//! A live delivery across nodes: the node that took it asks the channel's holder
//! on `<p>.deliver.CH` (core NATS request-reply, no queue group) and gives its
//! sender what comes back. The request is the delivery id (32 hex digits) and the
//! wire request frame; the reply is a wire answer frame with exactly what the
//! holder would have answered the sender itself (the app's status, headers in
//! order and case, and body; or the holder's 202, 503, 504).

use super::Cluster;
use crate::relay::wire::{WireAnswer, WireRequest};
use bytes::Bytes;
use std::time::Duration;

/// A delivery id: 128 random bits as hex.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system gives random bytes");
    hex::encode(b)
}

const ID_LEN: usize = 32;

/// How the holder's answer came back, or why it did not.
#[derive(Debug)]
pub enum Outcome {
    Answered(WireAnswer),
    /// No node holds the channel: queue it.
    NoHolder,
    /// Sent, and no answer in time: whether the app got it is not known (504).
    Unknown,
    /// Larger than a NATS message (413).
    TooBig,
    /// NATS could not take the request (503).
    Unavailable(String),
}

pub fn encode_request(id: &str, wire: &WireRequest) -> Bytes {
    let frame = wire.encode();
    let mut out = Vec::with_capacity(ID_LEN + frame.len());
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(&frame);
    Bytes::from(out)
}

pub fn decode_request(payload: &[u8]) -> Option<(String, WireRequest)> {
    if payload.len() < ID_LEN {
        return None;
    }
    let id = std::str::from_utf8(&payload[..ID_LEN]).ok()?;
    if !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let wire = WireRequest::decode(&payload[ID_LEN..]).ok()?;
    Some((id.to_string(), wire))
}

impl Cluster {
    /// Asks the channel's holder to deliver; `timeout` is the response timeout and
    /// a margin (the holder answers 504 itself when its client is late).
    pub async fn deliver(
        &self,
        channel: &str,
        id: &str,
        wire: &WireRequest,
        timeout: Duration,
    ) -> Outcome {
        use async_nats::client::RequestErrorKind as K;
        let req = async_nats::Request::new()
            .payload(encode_request(id, wire))
            .timeout(Some(timeout));
        match self
            .client
            .send_request(self.subject("deliver", channel), req)
            .await
        {
            Ok(msg) => match WireAnswer::decode(&msg.payload) {
                Ok(a) => Outcome::Answered(a),
                Err(_) => Outcome::Unknown,
            },
            Err(e) => match e.kind() {
                K::NoResponders => Outcome::NoHolder,
                K::TimedOut => Outcome::Unknown,
                K::MaxPayloadExceeded => Outcome::TooBig,
                _ => Outcome::Unavailable(e.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        let mut headers = crate::envelope::HeaderList::new();
        headers.push("X-A", "1");
        headers.push("x-a", "2");
        let wire = WireRequest {
            seq: 0,
            held: 0,
            given_up: false,
            received_at: 5,
            note: String::new(),
            method: "POST".into(),
            target: "/x".into(),
            public_target: "/c/ch/x".into(),
            headers,
            body: Bytes::from_static(b"\x00\xffbody"),
        };
        let id = new_id();
        assert_eq!(id.len(), ID_LEN);
        let p = encode_request(&id, &wire);
        assert_eq!(decode_request(&p), Some((id, wire)));
        assert_eq!(decode_request(b"short"), None);
        assert_eq!(decode_request(&[b'z'; 40]), None);
    }
}
