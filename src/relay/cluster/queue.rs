//! The held queue in JetStream: one subject per channel (`<p>.queue.CH`) in one
//! stream with Limits retention and no consumers. A full channel refuses the
//! publish (`discard_new_per_subject`), so a sender is answered 503 and nothing is
//! dropped to make room; `Nats-Msg-Id` (the delivery id) makes a publish tried
//! twice one message. The holder of a channel walks its subject in order with
//! `next_by_subject` and deletes a message once `listen` says how it ended: the
//! same model as the single relay's SQLite table.

use super::{QueueLimits, js_code};
use crate::relay::wire::WireRequest;
use async_nats::jetstream::{self, stream};
use bytes::Bytes;
use std::time::Duration;

pub struct Queue {
    stream: stream::Stream,
    js: jetstream::Context,
    prefix: String,
}

/// Why a delivery could not be queued.
#[derive(Debug)]
pub enum QueueError {
    /// The channel's queue (or the whole queue) is full: 503 and `Retry-After`.
    Full,
    /// Larger than a NATS message: 413.
    TooBig,
    /// JetStream did not confirm it (no quorum, a timeout): 503.
    Unavailable(String),
}

/// The JetStream error code for "maximum messages per subject exceeded" and the
/// stream's byte cap (both reported as a store failure).
const STORE_FULL: u64 = 10077;
/// The JetStream error code for "no message found".
const NO_MESSAGE: u64 = 10057;

impl Queue {
    pub async fn open(
        js: &jetstream::Context,
        prefix: &str,
        replicas: usize,
        limits: QueueLimits,
    ) -> anyhow::Result<Queue> {
        let name = format!("{}_QUEUE", prefix.to_ascii_uppercase().replace('-', "_"));
        let config = stream::Config {
            name: name.clone(),
            subjects: vec![format!("{prefix}.queue.*")],
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            max_messages_per_subject: i64::try_from(limits.per_channel).unwrap_or(i64::MAX),
            discard: stream::DiscardPolicy::New,
            discard_new_per_subject: true,
            max_age: limits.ttl,
            max_bytes: i64::try_from(limits.bytes).unwrap_or(i64::MAX),
            duplicate_window: Duration::from_secs(120).min(limits.ttl),
            ..Default::default()
        };
        let stream = match js.get_stream(&name).await {
            Ok(s) => s,
            Err(_) => match js.create_stream(config.clone()).await {
                Ok(s) => s,
                // Another node made it first.
                Err(_) => js.get_stream(&name).await?,
            },
        };
        Ok(Queue {
            stream,
            js: js.clone(),
            prefix: prefix.to_string(),
        })
    }

    fn subject(&self, channel: &str) -> String {
        format!("{}.queue.{channel}", self.prefix)
    }

    /// The stream's replicas (as it was made, by this node or the first).
    pub fn replicas(&self) -> usize {
        self.stream.cached_info().config.num_replicas
    }

    /// The stream's name.
    pub fn name(&self) -> &str {
        &self.stream.cached_info().config.name
    }

    /// Queues a delivery under its id; its sequence once JetStream has stored it
    /// (on a quorum of its replicas).
    pub async fn enqueue(
        &self,
        channel: &str,
        id: &str,
        wire: &WireRequest,
    ) -> Result<u64, QueueError> {
        let msg = jetstream::message::PublishMessage::build()
            .message_id(id)
            .payload(Bytes::from(wire.encode()));
        let ack = match self.js.send_publish(self.subject(channel), msg).await {
            Ok(a) => a,
            Err(e) if e.kind() == jetstream::context::PublishErrorKind::MaxPayloadExceeded => {
                return Err(QueueError::TooBig);
            }
            Err(e) => return Err(QueueError::Unavailable(e.to_string())),
        };
        match ack.await {
            Ok(a) => Ok(a.sequence),
            Err(e) if js_code(&e) == Some(STORE_FULL) => Err(QueueError::Full),
            Err(e) => Err(QueueError::Unavailable(e.to_string())),
        }
    }

    /// The channel's first queued delivery at or after `from` (a stream sequence),
    /// with its sequence; `None` past the last.
    pub async fn next(
        &self,
        channel: &str,
        from: u64,
    ) -> Result<Option<(u64, WireRequest)>, String> {
        let mut from = from.max(1);
        // A message that is not a delivery (written by something else) is skipped.
        for _ in 0..64 {
            let got = self
                .stream
                .raw_message_builder()
                .sequence(from)
                .next_by_subject(self.subject(channel))
                .send()
                .await;
            match got {
                Ok(m) => match WireRequest::decode(&m.payload) {
                    Ok(w) => return Ok(Some((m.sequence, w))),
                    Err(_) => from = m.sequence + 1,
                },
                Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => {
                    return Ok(None);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(None)
    }

    /// Lets a delivery go (`listen` said how it ended). One already gone is fine.
    pub async fn remove(&self, seq: u64) -> Result<(), String> {
        match self.stream.delete_message(seq).await {
            Ok(_) => Ok(()),
            Err(e) => match e.kind() {
                // "No message found": another holder, or the TTL, let it go first.
                stream::DeleteMessageErrorKind::JetStream(j) if j.error_code().0 == NO_MESSAGE => {
                    Ok(())
                }
                _ => Err(e.to_string()),
            },
        }
    }

    /// How many deliveries one channel holds.
    pub async fn count(&self, channel: &str) -> Result<u64, String> {
        Ok(self
            .counts(&self.subject(channel))
            .await?
            .into_values()
            .sum())
    }

    /// How many each channel holds (at most 100,000 channels are read).
    pub async fn counts_all(&self) -> Result<std::collections::HashMap<String, u64>, String> {
        let all = self.counts(&format!("{}.queue.*", self.prefix)).await?;
        let cut = format!("{}.queue.", self.prefix);
        Ok(all
            .into_iter()
            .filter_map(|(s, n)| s.strip_prefix(&cut).map(|c| (c.to_string(), n)))
            .collect())
    }

    async fn counts(&self, filter: &str) -> Result<std::collections::HashMap<String, u64>, String> {
        use futures_util::TryStreamExt;
        let mut out = std::collections::HashMap::new();
        let mut subjects = self
            .stream
            .info_with_subjects(filter)
            .await
            .map_err(|e| e.to_string())?;
        while let Some((s, n)) = subjects.try_next().await.map_err(|e| e.to_string())? {
            out.insert(s, u64::try_from(n).unwrap_or(0));
            if out.len() >= crate::relay::MAX_CHANNELS {
                break;
            }
        }
        Ok(out)
    }
}
