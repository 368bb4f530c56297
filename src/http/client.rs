//! The outgoing HTTP client: one request, its timing, and a failure classified the way
//! retry policies need it (timeout, connection, TLS).

use crate::envelope::HeaderList;
use crate::retry::Outcome;
use bytes::Bytes;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Sent {
    pub status: u16,
    pub reason: String,
    pub headers: HeaderList,
    pub body: Bytes,
    pub latency: Duration,
}

impl Sent {
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
    pub fn outcome(&self) -> Outcome {
        match self {
            SendError::Timeout(_) => Outcome::Timeout,
            _ => Outcome::Connection,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Accept any certificate (a local receiver's self-signed one).
    pub insecure: bool,
    /// Idle connections kept per host.
    pub pool: usize,
}

#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

/// The innermost cause's text: what actually went wrong.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Whether a rustls error is somewhere in the chain. An `io::Error` hides what it
/// wraps from `source()` (and may wrap another `io::Error`), so those are opened too.
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    fn holds(err: &(dyn std::error::Error + 'static)) -> bool {
        err.is::<rustls::Error>()
            || err
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| holds(inner))
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if holds(err) {
            return true;
        }
        cur = err.source();
    }
    false
}

fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e;
    while let Some(next) = cur.source() {
        parts.push(next.to_string());
        cur = next;
    }
    parts.join(": ")
}

impl HttpClient {
    pub fn new(opts: &ClientOptions) -> anyhow::Result<HttpClient> {
        // One process-wide TLS provider; a second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(opts.pool.max(1))
            .tcp_nodelay(true)
            .tls_danger_accept_invalid_certs(opts.insecure)
            .user_agent(concat!("hookctl/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(HttpClient { inner })
    }

    /// Sends one request; headers go in the order given.
    pub async fn send(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &HeaderList,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Sent, SendError> {
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| SendError::Other {
                url: url.to_string(),
                detail: e.to_string(),
            })?;
        let mut req = self
            .inner
            .request(method, url.clone())
            .timeout(timeout)
            .body(body);
        for (n, v) in headers.iter() {
            req = req.header(n, v);
        }
        let started = Instant::now();
        let classify = |e: reqwest::Error| {
            let text = chain_text(&e);
            if e.is_timeout() {
                SendError::Timeout(timeout)
            } else if is_tls(&e) || text.contains("certificate") {
                SendError::Tls {
                    url: url.to_string(),
                    detail: root_cause(&e),
                }
            } else if e.is_connect() {
                SendError::Connect {
                    url: url.to_string(),
                    detail: root_cause(&e),
                }
            } else {
                SendError::Other {
                    url: url.to_string(),
                    detail: root_cause(&e),
                }
            }
        };
        let resp = self
            .inner
            .execute(req.build().map_err(classify)?)
            .await
            .map_err(classify)?;
        let status = resp.status();
        let headers = super::header_list(resp.headers());
        let body = resp.bytes().await.map_err(classify)?;
        Ok(Sent {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
            latency: started.elapsed(),
        })
    }
}
