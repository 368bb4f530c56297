//! The relay: a public URL that reaches a laptop. [`server`] is `hookctl relay`,
//! [`client`] is `listen --relay`, and [`wire`] is what crosses between them.

pub mod client;
pub mod cluster;
pub mod server;
pub mod wire;

/// Channels one relay keeps, at most (an open relay cannot be made to grow without
/// bound by clients that each make one).
pub const MAX_CHANNELS: usize = 100_000;

use futures_util::{Sink, SinkExt};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Writes what comes on `rx` to one side of a link, and a ping every `heartbeat`.
/// Messages already waiting go out together with one flush (under load, one write
/// carries many deliveries). Ends when `rx` closes, after a Close, or when the link
/// fails.
pub async fn write_link<S, T>(mut sink: S, mut rx: mpsc::Receiver<T>, heartbeat: Duration)
where
    S: Sink<Message> + Unpin,
    T: Into<Message>,
{
    let mut beat = tokio::time::interval(heartbeat);
    beat.tick().await;
    'link: loop {
        let first = tokio::select! {
            m = rx.recv() => match m { Some(m) => m.into(), None => break },
            _ = beat.tick() => Message::Ping(bytes::Bytes::new()),
        };
        let mut closing = matches!(first, Message::Close(_));
        if sink.feed(first).await.is_err() {
            break;
        }
        for _ in 0..64 {
            if closing {
                break;
            }
            let Ok(m) = rx.try_recv() else { break };
            let m = m.into();
            closing = matches!(m, Message::Close(_));
            if sink.feed(m).await.is_err() {
                break 'link;
            }
        }
        if sink.flush().await.is_err() || closing {
            break;
        }
    }
    let _ = sink.close().await;
}
