//! The relay's wire protocol, version 2: how a delivery and its answer cross the
//! WebSocket link between `hookctl relay` and `listen --relay`.
//!
//! Control messages are WebSocket text frames holding one JSON object with a `type`
//! (see [`Control`]). A delivery and its answer are binary frames, every integer
//! big-endian:
//!
//! ```text
//! request (relay → listen)             answer (listen → relay)
//!   u8   'Q'                              u8   'A'
//!   u64  sequence number                  u64  the request's sequence number
//!   u8   flags (1: held, 2: given up)     u16  status
//!   u64  held id (0: a live delivery)     u32  header count
//!   u64  when the relay took it (Unix ms) per header: u16 + name, u32 + value
//!   u16 + bytes  note                     u32 + bytes  body
//!   u16 + bytes  method
//!   u32 + bytes  path and query
//!   u32 + bytes  the sender's path and query
//!   u32  header count
//!   per header: u16 + name, u32 + value
//!   u32 + bytes  body
//! ```
//!
//! The path and query are those below the channel, which `listen` forwards to its
//! app; the sender's are those it addressed on the relay (`/c/NAME/…`), which a
//! scheme that signs the path signed.
//!
//! A live delivery (held id 0) is answered with an `A` frame, which goes back to its
//! sender. A held one is not: its sender was answered 202 when the relay took it.
//! `listen` works on it (trying the app again on the profile's schedule) and says
//! how it ended with a [`Control::Settled`]; the relay lets it go only then. A frame
//! flagged "given up" tells `listen` of a held delivery the relay gave up on (its
//! note says why), for `listen` to record; `listen` acknowledges it the same way.
//!
//! Header names keep their case, headers their order and repeats, values and bodies
//! their bytes (a value that was not UTF-8 is carried as it came). Binary HTTP (RFC
//! 9292) frames the same things; this layout is its known-length form less what a
//! relay does not need (the scheme and authority, informational answers, trailers),
//! plus the sequence number that pairs an answer with its request.

use crate::codec::{Malformed, Reader, put_headers};
use crate::envelope::HeaderList;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// The version `listen` asks for in `Sec-WebSocket-Protocol`.
pub const PROTOCOL: &str = "hookctl-relay.2";
/// The path a client connects to.
pub const CONNECT_PATH: &str = "/connect";
/// The relay's state, as JSON, for those who give its key.
pub const STATUS_PATH: &str = "/status";
/// Deletes channels, for those who give the relay's key.
pub const PRUNE_PATH: &str = "/channels/prune";

/// A delivery handed to `listen`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRequest {
    pub seq: u64,
    /// The relay's id of a held delivery; 0 for a live one.
    pub held: u64,
    /// It is a held delivery the relay gave up on (`note` says why).
    pub given_up: bool,
    /// When the relay took it from its sender, Unix milliseconds.
    pub received_at: u64,
    pub note: String,
    pub method: String,
    /// The path and query below the channel (`/` at least).
    pub target: String,
    /// The path and query the sender used on the relay, exactly.
    pub public_target: String,
    pub headers: HeaderList,
    pub body: Bytes,
}

/// `listen`'s answer to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireAnswer {
    pub seq: u64,
    pub status: u16,
    pub headers: HeaderList,
    pub body: Bytes,
}

/// Control messages, both ways.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Control {
    /// Relay → listen, first: the channel is yours. `token` only when the channel was
    /// made for this connection (keep it to claim the channel again).
    Welcome {
        version: u32,
        channel: String,
        url: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        token: Option<String>,
        heartbeat_ms: u64,
        queued: u64,
        /// How long the relay holds a delivery (`--queue-ttl`).
        #[serde(default)]
        queue_ttl_ms: u64,
    },
    /// Relay → listen: another client took the channel over; this link ends once
    /// the deliveries already with this client are answered.
    Replaced,
    /// Relay → listen: the relay is stopping; connect again.
    ShuttingDown,
    /// Listen → relay: how a held delivery ended. `outcome` is `delivered` (the app
    /// answered 2xx), `refused` (an answer the provider would not retry, or a bad
    /// signature), `given_up` (the queue TTL ended first) or `told` (a given-up
    /// delivery is recorded by `listen`).
    Settled {
        held: u64,
        outcome: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        status: Option<u16>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
    },
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a relay frame is malformed: {0}")]
pub struct FrameError(&'static str);

impl From<Malformed> for FrameError {
    fn from(m: Malformed) -> FrameError {
        FrameError(m.0)
    }
}

impl WireRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(96 + self.note.len() + self.target.len() + self.body.len());
        out.push(b'Q');
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.push(u8::from(self.held != 0) | (u8::from(self.given_up) << 1));
        out.extend_from_slice(&self.held.to_be_bytes());
        out.extend_from_slice(&self.received_at.to_be_bytes());
        crate::codec::put_text16(&mut out, &self.note);
        out.extend_from_slice(&(self.method.len() as u16).to_be_bytes());
        out.extend_from_slice(self.method.as_bytes());
        out.extend_from_slice(&(self.target.len() as u32).to_be_bytes());
        out.extend_from_slice(self.target.as_bytes());
        out.extend_from_slice(&(self.public_target.len() as u32).to_be_bytes());
        out.extend_from_slice(self.public_target.as_bytes());
        put_headers(&mut out, &self.headers);
        out.extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.body);
        out
    }

    pub fn decode(frame: &[u8]) -> Result<WireRequest, FrameError> {
        let mut r = Reader(frame);
        if r.u8()? != b'Q' {
            return Err(FrameError("not a request"));
        }
        let seq = r.u64()?;
        let flags = r.u8()?;
        let held = r.u64()?;
        let received_at = r.u64()?;
        let note = r.text16()?;
        let method = r.text16()?;
        let target = String::from_utf8(r.bytes32()?.to_vec())
            .map_err(|_| FrameError("the path is not text"))?;
        let public_target = String::from_utf8(r.bytes32()?.to_vec())
            .map_err(|_| FrameError("the path is not text"))?;
        let headers = r.headers()?;
        let body = Bytes::copy_from_slice(r.bytes32()?);
        r.end()?;
        if (flags & 1 == 1) != (held != 0) {
            return Err(FrameError("the held flag and id disagree"));
        }
        Ok(WireRequest {
            seq,
            held,
            given_up: flags & 2 == 2,
            received_at,
            note,
            method,
            target,
            public_target,
            headers,
            body,
        })
    }
}

impl WireAnswer {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.body.len());
        out.push(b'A');
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.status.to_be_bytes());
        put_headers(&mut out, &self.headers);
        out.extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.body);
        out
    }

    pub fn decode(frame: &[u8]) -> Result<WireAnswer, FrameError> {
        let mut r = Reader(frame);
        if r.u8()? != b'A' {
            return Err(FrameError("not an answer"));
        }
        let seq = r.u64()?;
        let status = r.u16()?;
        let headers = r.headers()?;
        let body = Bytes::copy_from_slice(r.bytes32()?);
        r.end()?;
        Ok(WireAnswer {
            seq,
            status,
            headers,
            body,
        })
    }
}

/// Encodes headers alone (the relay's queue keeps them this way).
pub fn encode_headers(headers: &HeaderList) -> Vec<u8> {
    let mut out = Vec::new();
    put_headers(&mut out, headers);
    out
}

pub fn decode_headers(bytes: &[u8]) -> Result<HeaderList, FrameError> {
    let mut r = Reader(bytes);
    let h = r.headers()?;
    r.end()?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::headers::value_from_bytes;

    #[test]
    fn frames_round_trip_bytes_order_and_case() {
        let mut headers = HeaderList::new();
        headers.push("X-Dup", "1");
        headers.push("content-TYPE", "application/json");
        headers.push("X-Dup", "2");
        headers.push("X-Raw", value_from_bytes(b"caf\xe9").into_owned());
        let req = WireRequest {
            seq: 7,
            held: 12,
            given_up: true,
            received_at: 1_700_000_000_123,
            note: "expired".into(),
            method: "POST".into(),
            target: "/hooks/a?b=1&b=2".into(),
            public_target: "/c/x/hooks/a?b=1&b=2".into(),
            headers: headers.clone(),
            body: Bytes::from_static(b"\x00\xff{\n  \"a\": 1\n}"),
        };
        assert_eq!(WireRequest::decode(&req.encode()).unwrap(), req);
        let ans = WireAnswer {
            seq: 7,
            status: 418,
            headers,
            body: Bytes::from_static(b"teapot"),
        };
        assert_eq!(WireAnswer::decode(&ans.encode()).unwrap(), ans);
        assert!(WireAnswer::decode(&req.encode()).is_err());
        let frame = ans.encode();
        for cut in 0..frame.len() {
            assert!(WireAnswer::decode(&frame[..cut]).is_err(), "{cut}");
        }
        let mut long = frame.clone();
        long.push(0);
        assert!(WireAnswer::decode(&long).is_err());
        // A header count that the frame cannot hold is refused before anything is
        // allocated for it.
        let mut lie = vec![b'A'];
        lie.extend_from_slice(&1u64.to_be_bytes());
        lie.extend_from_slice(&200u16.to_be_bytes());
        lie.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(WireAnswer::decode(&lie).is_err());
    }

    #[test]
    fn control_messages_are_json() {
        let w = Control::Welcome {
            version: 1,
            channel: "c".into(),
            url: "http://r/c/c".into(),
            token: None,
            heartbeat_ms: 1000,
            queued: 0,
            queue_ttl_ms: 60_000,
        };
        let text = serde_json::to_string(&w).unwrap();
        assert!(text.starts_with(r#"{"type":"welcome""#), "{text}");
        assert_eq!(serde_json::from_str::<Control>(&text).unwrap(), w);
    }
}
