//! One raw HTTP/1.1 keep-alive connection, for load mode over plain HTTP: no pool,
//! no middleware, one request at a time, reconnecting after a failure. (HTTPS load
//! goes through the pooled [`super::client::HttpClient`].)

use super::client::{SendError, Sent};
use crate::envelope::HeaderList;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::time::{Duration, Instant};

pub struct Conn {
    url: reqwest::Url,
    authority: String,
    path: String,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(url: &reqwest::Url) -> Conn {
        let host = url.host_str().unwrap_or("localhost");
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let path = super::path_and_query(url);
        Conn {
            url: url.clone(),
            authority,
            path,
            sender: None,
        }
    }

    async fn connect(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, SendError> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let err = |e: &dyn std::fmt::Display| SendError::Connect {
                url: self.url.to_string(),
                detail: e.to_string(),
            };
            let port = self.url.port_or_known_default().unwrap_or(80);
            let host = self.url.host_str().unwrap_or("localhost");
            let stream = tokio::net::TcpStream::connect((host, port))
                .await
                .map_err(|e| err(&e))?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| err(&e))?;
            tokio::spawn(conn);
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("just connected"))
    }

    /// Sends one request. `keep` keeps the response's headers (the body is always
    /// read, so that the connection can be reused).
    pub async fn send(
        &mut self,
        method: &str,
        headers: &HeaderList,
        body: Bytes,
        timeout: Duration,
        keep: bool,
    ) -> Result<Sent, SendError> {
        let started = Instant::now();
        let url = self.url.to_string();
        let other = |detail: String| SendError::Other {
            url: url.clone(),
            detail,
        };
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(&self.path)
            .header(hyper::header::HOST, &self.authority);
        for (n, v) in headers.iter() {
            req = req.header(n, v);
        }
        let req = req
            .body(Full::new(body))
            .map_err(|e| other(e.to_string()))?;
        let exchange = async {
            let sender = self.connect().await?;
            let resp = sender
                .send_request(req)
                .await
                .map_err(|e| other(e.to_string()))?;
            let status = resp.status();
            let headers = if keep {
                super::header_list(resp.headers())
            } else {
                HeaderList::new()
            };
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| other(e.to_string()))?
                .to_bytes();
            Ok(Sent {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
                headers,
                body,
                latency: started.elapsed(),
            })
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(sent)) => Ok(sent),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                Err(SendError::Timeout(timeout))
            }
        }
    }
}
