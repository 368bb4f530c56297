//! The typed feed a renderer reads: one `DeliveryLine` per request, queued with a
//! bound in lines and in bytes, never printed here.

use crate::show::BodyJson;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What `listen` shows for each request.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryLine {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub path: String,
    pub profile: Option<String>,
    pub event: Option<String>,
    pub delivery_id: Option<String>,
    /// `None`: not checked (no secret, or no profile fits).
    pub valid: Option<bool>,
    pub reason: String,
    pub status: u16,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub latency_ms: f64,
    pub duplicate: bool,
    pub attempt: u32,
    pub test: bool,
    /// A relay held it while no client was connected.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
    /// When the relay took it from its sender (its timestamp is judged as of then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_received_at: Option<String>,
    /// For a held delivery: `delivered`, `refused` (for good), `retrying` or
    /// `given_up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_outcome: Option<&'static str>,
    /// For a held delivery tried again: when the next try is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_try_in_ms: Option<u64>,
    /// For a held delivery: why it was refused or given up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_error: Option<String>,
    /// The delivery's id in the store.
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<[String; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyJson>,
}

/// The most lines waiting to be printed, and the most bytes they may hold (with `-v`
/// a line carries the headers and the body).
pub const MAX_QUEUED_LINES: usize = 4096;
pub const MAX_QUEUED_BYTES: usize = 32 << 20;

/// The lines `listen` shows, on their way to the thread that prints them. Bounded in
/// lines and bytes: when whoever reads stdout falls behind (or never reads), new lines
/// are dropped and counted instead of piling up in memory. The store still holds
/// every delivery.
pub struct LineQueue {
    tx: std::sync::mpsc::SyncSender<(DeliveryLine, usize)>,
    counts: Arc<LineCounts>,
}

/// What the queue and its printer share.
#[derive(Default)]
pub struct LineCounts {
    pub queued_bytes: std::sync::atomic::AtomicUsize,
    pub dropped: AtomicU64,
    /// Batches the printer has written out.
    pub written: AtomicU64,
}

/// The printing end of a [`LineQueue`].
pub struct LineFeed {
    pub rx: std::sync::mpsc::Receiver<(DeliveryLine, usize)>,
    pub counts: Arc<LineCounts>,
}

impl LineQueue {
    pub fn new() -> (LineQueue, LineFeed) {
        let (tx, rx) = std::sync::mpsc::sync_channel(MAX_QUEUED_LINES);
        let counts = Arc::new(LineCounts::default());
        (
            LineQueue {
                tx,
                counts: Arc::clone(&counts),
            },
            LineFeed { rx, counts },
        )
    }

    /// Queues a line, or drops and counts it when the queue is full.
    pub fn send(&self, line: DeliveryLine) {
        let size = line.size();
        let c = &self.counts;
        let before = c.queued_bytes.fetch_add(size, Ordering::Relaxed);
        if before + size > MAX_QUEUED_BYTES || self.tx.try_send((line, size)).is_err() {
            c.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            c.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl DeliveryLine {
    /// Roughly what the line holds, in bytes.
    fn size(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .flatten()
            .map(|[n, v]| n.len() + v.len() + 16)
            .sum();
        let body = match &self.body {
            Some(BodyJson::Text(t)) | Some(BodyJson::Base64(t)) => t.len(),
            None => 0,
        };
        512 + self.path.len() + self.reason.len() + headers + body
    }
}
