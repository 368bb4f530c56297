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
