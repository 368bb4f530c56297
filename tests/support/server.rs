//! A scripted HTTP receiver on 127.0.0.1:0 for tests: it records every request and
//! answers the n-th with the n-th scripted reply (the last one repeats).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request head exactly as it came (RawServer only).
    pub raw_head: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }
    pub fn body(mut self, body: &str) -> Reply {
        self.body = body.to_string();
        self
    }
    pub fn header(mut self, n: &str, v: &str) -> Reply {
        self.headers.push((n.to_string(), v.to_string()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

pub struct TestServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Captured>>>,
    _runtime: tokio::runtime::Runtime,
}

impl TestServer {
    pub fn start(script: Vec<Reply>) -> TestServer {
        assert!(!script.is_empty());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let reqs = Arc::clone(&requests);
        rt.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let reqs = Arc::clone(&reqs);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let reqs = Arc::clone(&reqs);
                        let script = Arc::clone(&script);
                        async move {
                            let method = req.method().to_string();
                            let path = req.uri().to_string();
                            let headers = req
                                .headers()
                                .iter()
                                .map(|(n, v)| {
                                    (
                                        n.to_string(),
                                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                    )
                                })
                                .collect();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes().to_vec())
                                .unwrap_or_default();
                            let n = {
                                let mut r = reqs.lock().unwrap();
                                r.push(Captured {
                                    method,
                                    path,
                                    headers,
                                    body,
                                    raw_head: Vec::new(),
                                });
                                r.len() - 1
                            };
                            let reply = script[n.min(script.len() - 1)].clone();
                            if !reply.delay.is_zero() {
                                tokio::time::sleep(reply.delay).await;
                            }
                            let mut resp = hyper::Response::builder().status(reply.status);
                            for (k, v) in &reply.headers {
                                resp = resp.header(k, v);
                            }
                            Ok::<_, std::convert::Infallible>(
                                resp.body(Full::new(Bytes::from(reply.body))).unwrap(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        TestServer {
            url,
            requests,
            _runtime: rt,
        }
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

/// Asserts that a captured request verifies under a built-in profile (panicking with
/// the reason when it does not); `true` so it reads well inside `assert!`.
pub fn verifies(profile: &str, secret: &str, c: &Captured) -> bool {
    use hookctl::envelope::{Catalog, HeaderList, Received, Secret, VerifyOptions};
    let p = Catalog::builtin().get(profile).unwrap();
    let headers: HeaderList = c.headers.iter().cloned().collect();
    let secrets = [Secret::new(secret, "test").unwrap()];
    let req = Received {
        method: &c.method,
        path: &c.path,
        headers: &headers,
        body: &c.body,
    };
    let now = hookctl::settings::now_unix();
    let v = p
        .verify(
            &req,
            &VerifyOptions {
                secrets: &secrets,
                now,
                tolerance: None,
            },
        )
        .unwrap();
    assert!(v.valid, "{profile}: {}", v.reason);
    true
}

/// A receiver that answers every request with the same raw bytes, written in the
/// given pieces (each its own write, so a client sees partial answers): for the odd
/// framings a hand-written HTTP/1.1 client must handle. It closes the connection after
/// an answer that says `Connection: close`. Every request it read is kept.
pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Captured>>>,
}

impl RawServer {
    pub fn start(answer: &'static [&'static [u8]]) -> RawServer {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let closes = answer
            .concat()
            .windows(17)
            .any(|w| w.eq_ignore_ascii_case(b"connection: close"));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = stream.set_nodelay(true);
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        // One request: the head, then Content-Length bytes of body.
                        let head_end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                            match stream.read(&mut chunk) {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                        let headers: Vec<(String, String)> = head
                            .lines()
                            .skip(1)
                            .filter_map(|l| l.split_once(':'))
                            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                            .collect();
                        let len: usize = headers
                            .iter()
                            .find(|(n, _)| n == "content-length")
                            .map_or(0, |(_, v)| v.parse().unwrap());
                        while buf.len() < head_end + len {
                            match stream.read(&mut chunk) {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let body = buf[head_end..head_end + len].to_vec();
                        let buf_head = buf[..head_end].to_vec();
                        buf.drain(..head_end + len);
                        let mut line = head.split_whitespace();
                        seen.lock().unwrap().push(Captured {
                            method: line.next().unwrap_or("").to_string(),
                            path: line.next().unwrap_or("").to_string(),
                            headers,
                            body,
                            raw_head: buf_head,
                        });
                        for piece in answer {
                            if stream.write_all(piece).is_err() {
                                return;
                            }
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        if closes {
                            return;
                        }
                    }
                });
            }
        });
        RawServer { url, requests }
    }

    /// Every request read so far (header names lower-cased).
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}
