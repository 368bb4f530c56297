//! A bare hyper receiver for benchmarks: reads each body, answers 200 with no work.
//! It is the baseline `hookctl send --count` and `wrk` are measured against.
//!
//!   cargo run --release --example bare_receiver -- 127.0.0.1:0
//! prints `listening http://ADDR` and serves until killed.
//!
//! With `AS_LISTEN=1` it serves the way `listen` does, still doing no work on a request:
//! a header-read timeout (hyper's timer), a timeout on reading the body, connections
//! watched for graceful shutdown, and a JSON answer with its `Content-Type`. The
//! listen benchmark runs both, to tell what the serving shell costs from what
//! verifying and recording cost.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io::Write;
use std::time::Duration;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let shell = std::env::var("AS_LISTEN").is_ok_and(|v| v == "1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
        println!("listening http://{}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let svc = service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| async move {
                        let answer = if shell {
                            let body = req.into_body().collect();
                            let _ = tokio::time::timeout(Duration::from_secs(10), body).await;
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(b"{\"received\":true}")))
                                .unwrap()
                        } else {
                            let _ = req.into_body().collect().await;
                            hyper::Response::new(Full::new(Bytes::from_static(b"ok")))
                        };
                        Ok::<_, std::convert::Infallible>(answer)
                    },
                );
                let mut builder = hyper::server::conn::http1::Builder::new();
                if shell {
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(10));
                    let _ = watcher
                        .watch(builder.serve_connection(TokioIo::new(stream), svc))
                        .await;
                } else {
                    let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                }
            });
        }
    });
}
