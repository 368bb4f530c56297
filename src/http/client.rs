//! The outgoing HTTP client: one request, its timing, and a failure classified the way
//! retry policies need it (timeout, connection, TLS).
//!
//! Plain HTTP goes through [`Conn`] connections kept in a small pool: they write the
//! headers exactly in the order given, repeats interleaved as they are, and bytes
//! that are not UTF-8 as they came, which forwarding and replaying need. HTTPS goes
//! through reqwest (rustls), whose header map keeps the repeats of one name in order
//! but writes different names grouped.

use super::conn::{Conn, MAX_RESPONSE_BODY};
pub use super::sent::{SendError, Sent};
use crate::envelope::HeaderList;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Accept any certificate (a local receiver's self-signed one).
    pub insecure: bool,
    /// Idle connections kept per host.
    pub pool: usize,
    /// The largest answer body read; a larger one is an error
    /// ([`MAX_RESPONSE_BODY`] unless said otherwise).
    pub max_response: usize,
}

impl ClientOptions {
    pub fn new(insecure: bool, pool: usize) -> ClientOptions {
        ClientOptions {
            insecure,
            pool,
            max_response: MAX_RESPONSE_BODY,
        }
    }
}

#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    /// Idle plain-HTTP connections by `host:port`.
    idle: Arc<Mutex<HashMap<String, Vec<Conn>>>>,
    pool: usize,
    max_response: usize,
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
        Ok(HttpClient {
            inner,
            idle: Arc::default(),
            pool: opts.pool.max(1),
            max_response: opts.max_response,
        })
    }

    /// One request over plain HTTP, on an idle pooled connection or a new one.
    async fn send_plain(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &HeaderList,
        body: &[u8],
        timeout: Duration,
    ) -> Result<Sent, SendError> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(80)
        );
        let pooled = self
            .idle
            .lock()
            .expect("pool lock")
            .get_mut(&key)
            .and_then(Vec::pop);
        let mut conn = match pooled {
            Some(mut c) => {
                c.drop_if_closed();
                c.set_target(url);
                c
            }
            None => Conn::new(url).max_body(self.max_response),
        };
        let sent = conn.send(method, headers, body, timeout, true).await;
        if conn.is_open() {
            let mut idle = self.idle.lock().expect("pool lock");
            let list = idle.entry(key).or_default();
            if list.len() < self.pool {
                list.push(conn);
            }
        }
        sent
    }

    /// Sends one request; headers go in the order given (see the module's note on
    /// HTTPS). An answer whose body is over the limit is an error.
    pub async fn send(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &HeaderList,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Sent, SendError> {
        if url.scheme() == "http" {
            return self.send_plain(method, url, headers, &body, timeout).await;
        }
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
            req = req.header(n, &*crate::envelope::headers::value_to_bytes(v));
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
        let mut resp = self
            .inner
            .execute(req.build().map_err(classify)?)
            .await
            .map_err(classify)?;
        let status = resp.status();
        let headers = super::header_list(resp.headers());
        let too_large = || SendError::Other {
            url: url.to_string(),
            detail: format!(
                "the answer's body is over the {}-byte limit",
                self.max_response
            ),
        };
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_response as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if chunk.len() > self.max_response - body.len() {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let body = Bytes::from(body);
        Ok(Sent {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
            latency: started.elapsed(),
        })
    }
}
