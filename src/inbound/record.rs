//! Record: the write-ahead record of each delivery and its attempts.

use super::*;
use crate::envelope::HeaderList;
use crate::envelope::catalog::detect_among;
use crate::http::server::Relayed;
use crate::store::{Direction, Recorded, RecordedAttempt, State};
use bytes::Bytes;
use std::time::Instant;

impl Receiver {
    /// Records the delivery and its answer before the answer goes out; an answer the
    /// store could not take becomes 503, so that the sender tries again.
    pub(super) async fn record(
        &self,
        d: Delivery,
        line: &mut DeliveryLine,
        mut response: Resp,
        started: Instant,
        relayed: Option<&Relayed>,
    ) -> Resp {
        if let Some(w) = &self.writer {
            let rh = response.headers.clone();
            // A held delivery tried again: an attempt of the one recorded before.
            let held_key = relayed.filter(|r| r.held).map(|r| {
                use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
                let h = BuildHasherDefault::<DefaultHasher>::default().hash_one(&r.public_target);
                (r.received_at_ms, h)
            });
            let attempt_of = held_key
                .as_ref()
                .and_then(|k| self.held_ids.lock().expect("held ids lock").get(k).copied());
            let record = Recorded {
                direction: Direction::In,
                source: "listen",
                profile: line.profile.clone(),
                event: line.event.clone(),
                delivery_id: line.delivery_id.clone(),
                method: d.method,
                url: d.path,
                // A token or password a delivery carries is not recorded.
                headers: self
                    .masked(line.profile.as_deref(), line.valid, &d.headers)
                    .unwrap_or(d.headers),
                body: d.body,
                valid: line.valid,
                reason: Some(line.reason.clone()).filter(|r| !r.is_empty()),
                duplicate: line.duplicate,
                state: if (200..300).contains(&line.status) {
                    State::Delivered
                } else {
                    State::Failed
                },
                attempts: vec![RecordedAttempt {
                    number: line.attempt,
                    started_at: line.time.clone(),
                    status: Some(line.status),
                    latency_ms: Some(started.elapsed().as_secs_f64() * 1e3),
                    error: line.forward_error.clone(),
                    response_headers: Some(rh),
                    response_body: Some(response.body.clone()),
                }],
                // Through a relay: when it took the delivery and the path its sender
                // used, in the same record (`verify --as-of-arrival`).
                arrival: relayed.map(|r| crate::store::RelayArrival {
                    received_at: r.received_at_ms,
                    public_target: r.public_target.clone(),
                    held: r.held,
                }),
                attempt_of,
            };
            match w.send_acked(record).await {
                Some(id) => {
                    line.id = Some(id);
                    if let (Some(k), None) = (held_key, attempt_of) {
                        let mut ids = self.held_ids.lock().expect("held ids lock");
                        if ids.len() >= HELD_IDS {
                            ids.clear();
                        }
                        ids.insert(k, id);
                    }
                }
                None => {
                    response = json_response(
                        503,
                        serde_json::json!({"error": "hookctl could not record the delivery"}),
                    );
                    line.status = 503;
                    line.reason = format!("{}; NOT RECORDED: the store failed", line.reason);
                }
            }
        }
        response
    }

    /// Records a held delivery the relay gave up on (`why`), as a failed delivery
    /// that `replay` can send again; its id in the store.
    pub async fn record_given_up(
        &self,
        method: String,
        target: String,
        headers: HeaderList,
        body: Bytes,
        why: &str,
    ) -> Option<i64> {
        let w = self.writer.as_ref()?;
        let profile = if self.cfg.auto {
            detect_among(&self.cfg.profiles, &headers)
        } else {
            self.cfg.profiles.first()
        };
        let (event, id) = profile
            .map(|p| {
                let (e, i) = p.body_event_and_id(&body);
                let header = |name: Option<&str>| {
                    name.and_then(|h| headers.get(h))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                (e.or(header(p.event_header())), header(p.id_header()).or(i))
            })
            .unwrap_or_default();
        w.send_acked(Recorded {
            direction: Direction::In,
            source: "listen",
            profile: profile.map(|p| p.name.clone()),
            event,
            delivery_id: id,
            method,
            url: target,
            headers,
            body,
            valid: None,
            reason: Some(format!("given up by the relay: {why}")),
            duplicate: false,
            state: State::Failed,
            attempts: Vec::new(),
            arrival: None,
            attempt_of: None,
        })
        .await
    }
}
