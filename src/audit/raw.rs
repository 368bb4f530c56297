//! A request written at the audit's own pace, over a connection made by hand: a huge
//! body as fast as the receiver takes it (does it stop reading?), or a small one a
//! few bytes at a time (does it give up waiting?). What matters is when the answer or
//! the close came and how much of the body was written by then, which a client
//! library does not say.

use crate::envelope::HeaderList;
use crate::http::h1::{self, HeadError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the body is written.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// In 64 KiB pieces, as fast as the receiver reads.
    Fast,
    /// In `pieces` equal pieces spread over `over`.
    Trickle { over: Duration, pieces: u32 },
}

/// The answer's start: enough to grade it.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: u16,
    pub reason: String,
}

/// How the exchange ended.
#[derive(Debug, Clone)]
pub enum Ended {
    Answered(RawAnswer),
    /// The receiver closed or reset the connection without an answer.
    Closed(String),
    /// Nothing came back in time.
    TimedOut,
    /// Something came back that could not be read as an answer (a flood of headers,
    /// a head that never ends, not HTTP): nothing to grade, which is no pass.
    Unreadable(String),
}

#[derive(Debug, Clone)]
pub struct RawOutcome {
    pub ended: Ended,
    /// Body bytes written when it ended.
    pub written: usize,
    /// When it ended, from the first byte written.
    pub at: Duration,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

const PIECE: usize = 64 << 10;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Beyond the trickle and the wait for an answer, how long the whole exchange may
/// take (a receiver that stops reading and never answers cannot hold the audit).
const SLACK: Duration = Duration::from_secs(10);

async fn connect(url: &reqwest::Url, insecure: bool) -> Result<Box<dyn Io>, String> {
    let host = url
        .host_str()
        .unwrap_or("localhost")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| format!("could not connect to {url} within 10s"))?
        .map_err(|e| format!("could not connect to {url}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    if url.scheme() != "https" {
        return Ok(Box::new(tcp));
    }
    let connector = crate::http::tls::connector(insecure).map_err(|e| format!("{e:#}"))?;
    let name = rustls::pki_types::ServerName::try_from(host)
        .map_err(|e| format!("`{url}` has no usable host name for TLS: {e}"))?;
    // A receiver that takes the connection and never finishes the handshake cannot
    // hold the audit: the handshake has the connection's deadline.
    let tls = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp))
        .await
        .map_err(|_| {
            format!(
                "the TLS handshake with {url} did not finish within {}s",
                CONNECT_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("TLS handshake with {url} failed: {e}"))?;
    Ok(Box::new(tls))
}

/// Reads until an answer's head has come (interim 1xx answers skipped), or the
/// connection ends.
async fn read_answer(rd: &mut (impl AsyncRead + Unpin)) -> Ended {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        match rd.read(&mut chunk).await {
            Ok(0) => return Ended::Closed("the connection was closed".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Ended::Closed(format!("the connection failed: {e}")),
        }
        loop {
            match h1::parse_response(&buf, false) {
                Ok(Some(head)) => {
                    if (100..200).contains(&head.status) && head.status != 101 {
                        buf.drain(..head.len);
                        continue;
                    }
                    return Ended::Answered(RawAnswer {
                        status: head.status,
                        reason: head.reason,
                    });
                }
                Ok(None) => break,
                Err(HeadError::TooLarge) => {
                    return Ended::Unreadable(format!(
                        "the answer's head went past {} KiB without ending",
                        h1::MAX_HEAD >> 10
                    ));
                }
                Err(HeadError::TooManyHeaders) => {
                    return Ended::Unreadable(format!(
                        "the answer has more than {} headers",
                        h1::MAX_HEADERS
                    ));
                }
                Err(e) => return Ended::Unreadable(format!("the answer is not HTTP: {e}")),
            }
        }
    }
}

/// Sends the request `method url` with `headers` and `body` at `pace`, and waits for
/// the answer until `wait` after the body is all written (or the writing failed);
/// the whole exchange ends as timed out past the trickle, `wait` and ten seconds. A
/// connection that cannot be made at all is an `Err`.
pub async fn exchange(
    method: &str,
    url: &reqwest::Url,
    insecure: bool,
    headers: &HeaderList,
    body: &[u8],
    pace: Pace,
    wait: Duration,
) -> Result<RawOutcome, String> {
    let stream = connect(url, insecure).await?;
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut head = Vec::with_capacity(1024);
    let line = h1::RequestLine {
        method,
        target: &crate::http::path_and_query(url),
        host: Some(&crate::http::authority(url)),
        close: true,
    };
    h1::write_request_head(&mut head, &line, headers, body.len()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let written = AtomicUsize::new(0);
    let limit = match pace {
        Pace::Fast => wait + SLACK,
        Pace::Trickle { over, .. } => over + wait + SLACK,
    };
    let exchange = paced(&mut rd, &mut wr, &head, body, pace, wait, &written, started);
    Ok(match tokio::time::timeout(limit, exchange).await {
        Ok(outcome) => outcome,
        Err(_) => RawOutcome {
            ended: Ended::TimedOut,
            written: written.load(Ordering::Relaxed),
            at: started.elapsed(),
        },
    })
}

#[allow(clippy::too_many_arguments)]
async fn paced(
    rd: &mut (impl AsyncRead + Unpin),
    wr: &mut (impl AsyncWrite + Unpin),
    head: &[u8],
    body: &[u8],
    pace: Pace,
    wait: Duration,
    written: &AtomicUsize,
    started: Instant,
) -> RawOutcome {
    let writer = async {
        wr.write_all(head).await?;
        match pace {
            Pace::Fast => {
                for piece in body.chunks(PIECE) {
                    wr.write_all(piece).await?;
                    written.fetch_add(piece.len(), Ordering::Relaxed);
                }
            }
            Pace::Trickle { over, pieces } => {
                // The first piece at once and the last at `over`.
                let size = body.len().div_ceil(pieces.max(1) as usize).max(1);
                let gaps = body.len().div_ceil(size).saturating_sub(1).max(1);
                let gap = over / u32::try_from(gaps).unwrap_or(u32::MAX);
                for (i, piece) in body.chunks(size).enumerate() {
                    if i > 0 {
                        tokio::time::sleep(gap).await;
                    }
                    wr.write_all(piece).await?;
                    wr.flush().await?;
                    written.fetch_add(piece.len(), Ordering::Relaxed);
                }
            }
        }
        wr.flush().await?;
        Ok::<(), std::io::Error>(())
    };
    let reader = read_answer(rd);
    tokio::pin!(reader);
    let done = |ended: Ended| RawOutcome {
        ended,
        written: written.load(Ordering::Relaxed),
        at: started.elapsed(),
    };
    // While writing, an answer (or a close) may come at any moment.
    let write_result = tokio::select! {
        ended = &mut reader => return done(ended),
        r = writer => r,
    };
    // Written, or the writing failed: the answer may still be on its way (a receiver
    // that answered 413 and closed makes the writing fail before its answer is read).
    let wait = if write_result.is_err() {
        wait.min(Duration::from_secs(2))
    } else {
        wait
    };
    match tokio::time::timeout(wait, &mut reader).await {
        Ok(Ended::Closed(detail)) => done(Ended::Closed(match write_result {
            Err(e) => format!("the connection failed while the body was written: {e}"),
            Ok(()) => detail,
        })),
        Ok(ended) => done(ended),
        Err(_) => done(match write_result {
            Err(e) => Ended::Closed(format!(
                "the connection failed while the body was written: {e}"
            )),
            Ok(()) => Ended::TimedOut,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receiver that takes the connection and never says a word of TLS cannot
    /// hold the audit: the handshake ends at the connection's deadline.
    #[tokio::test]
    async fn a_stalled_tls_handshake_ends_at_its_deadline() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                kept.push(s);
            }
        });
        let url = reqwest::Url::parse(&format!("https://127.0.0.1:{}/", addr.port())).unwrap();
        let started = std::time::Instant::now();
        let outcome = tokio::time::timeout(
            CONNECT_TIMEOUT + Duration::from_secs(20),
            exchange(
                "POST",
                &url,
                true,
                &HeaderList::new(),
                b"{}",
                Pace::Fast,
                Duration::from_secs(1),
            ),
        )
        .await
        .expect("the exchange ended by itself");
        let Err(err) = outcome else {
            panic!("no TLS, no exchange")
        };
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < CONNECT_TIMEOUT + Duration::from_secs(5));
        held.abort();
    }
}
