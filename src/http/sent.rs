//! What one request got back ([`Sent`]) or why it got nothing ([`SendError`]): shared
//! by the pooling client and the connections it pools, which neither owns.

use crate::envelope::HeaderList;
use crate::retry::Outcome;
use bytes::Bytes;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Sent {
    pub status: u16,
    pub reason: String,
    pub headers: HeaderList,
    pub body: Bytes,
    pub latency: Duration,
}

impl Sent {
    /// A `hookctl relay` answered for a client that could not take it now: the
    /// relay holds it (202, `X-Hookctl-Queued: 1`); the app does not have it yet.
    pub fn queued_by_relay(&self) -> bool {
        self.status == 202
            && self
                .headers
                .get("x-hookctl-queued")
                .is_some_and(|v| v.trim() == "1")
    }

    /// `Retry-After` in seconds or as an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        let v = self.headers.get("Retry-After")?.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let at = httpdate::parse_http_date(v).ok()?;
        Some(
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or_default(),
        )
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    #[error("no answer within {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("could not connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("TLS handshake with {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("the request to {url} failed: {detail}")]
    Other { url: String, detail: String },
}

impl SendError {
    /// Advice for the user, where the failure has a usual cause.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            SendError::Tls { detail, .. }
                if detail.contains("UnknownIssuer")
                    || detail.contains("self-signed")
                    || detail.contains("self signed") =>
            {
                Some(
                    "the server's certificate is not signed by an authority this machine trusts (a self-signed one, as `hookctl listen --tls` makes): pass -k/--insecure to accept it",
                )
            }
            SendError::Connect { detail, .. } if detail.contains("refused") => {
                Some("nothing listens there: is the receiver running, and on that port?")
            }
            _ => None,
        }
    }

    pub fn outcome(&self) -> Outcome {
        match self {
            SendError::Timeout(_) => Outcome::Timeout,
            _ => Outcome::Connection,
        }
    }
}
