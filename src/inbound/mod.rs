//! The inbound pipeline: one delivery in → admit → inspect → answer → record → a
//! line for the renderer. Fed alike by the local HTTP server (`listen`) and by the
//! relay client (`listen --relay`); prints nothing.

mod answer;
mod held;
mod inspect;
mod lines;
mod record;

use answer::json_response;
pub use answer::{climbs_out, forward_url};
use held::HELD_IDS;
use held::origin_of;
pub use held::{HeldOutcome, public_target};
pub use inspect::{SEEN_WINDOW, has_wire_id};
use inspect::{Seen, public_refusal};
pub use lines::{
    DeliveryLine, LineCounts, LineFeed, LineQueue, MAX_QUEUED_BYTES, MAX_QUEUED_LINES,
};

use crate::envelope::{HeaderList, Profile, Secret};
use crate::glob::EventGlob;
use crate::http::client::HttpClient;
use crate::http::server::{Handler, Request, Response};
use crate::store::{BatchWriter, now_rfc3339};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Responses scripted to exercise a sender's retries.
#[derive(Debug, Clone)]
pub struct Script {
    /// Status of an accepted delivery.
    pub status: u16,
    /// Fail the first N attempts of each delivery id.
    pub fail_first: u32,
    /// Fail this share of deliveries at random.
    pub fail_rate: f64,
    /// The status of a scripted failure.
    pub fail_status: u16,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// `Retry-After` (seconds) on scripted failures.
    pub retry_after: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub glob: EventGlob,
    pub url: reqwest::Url,
}

pub struct ReceiverConfig {
    /// The profile, or every profile for `--profile auto`.
    pub profiles: Vec<Profile>,
    /// With a named profile, the others that sign: to say whose a delivery looks like
    /// when it is not that profile's.
    pub others: Vec<Profile>,
    pub auto: bool,
    pub secrets: Vec<Secret>,
    pub tolerance: Option<Option<Duration>>,
    pub base_path: String,
    pub forward: Option<reqwest::Url>,
    pub routes: Vec<Route>,
    pub script: Script,
    pub accept_invalid: bool,
    /// How long the app may take to answer a forwarded delivery (then 504).
    pub forward_timeout: Duration,
    /// Stop after answering the first valid delivery whose event matches.
    pub wait_for: Option<EventGlob>,
    /// Keep headers and bodies in the printed deliveries (`-v`).
    pub verbose: bool,
    /// The public URL the provider calls (`--public-url`), for schemes that sign it.
    pub public_url: Option<String>,
}

pub struct Receiver {
    cfg: ReceiverConfig,
    writer: Option<BatchWriter>,
    client: HttpClient,
    /// Delivery id → attempts seen (this run, plus recent ones from the store).
    seen: Mutex<Seen>,
    /// A relay's held deliveries (by when the relay took each, and a hash of its
    /// path: a key of fixed size, whatever a sender puts in the path) → the store id
    /// its first attempt was recorded under: a later attempt is added to that
    /// delivery. This run's, at most [`HELD_IDS`].
    held_ids: Mutex<HashMap<(i64, u64), i64>>,
    seq: AtomicU64,
    lines: LineQueue,
    /// Set once a `--wait-for` delivery has been answered.
    pub matched: AtomicBool,
    pub done: tokio::sync::Notify,
    /// The public URL when `--public-url` names none: a relay channel's URL, or the
    /// listener's own.
    relay_url: std::sync::RwLock<Option<String>>,
}

pub(crate) type Resp = Response;

/// One delivery as it came in, admitted: the request less its transport.
struct Delivery {
    method: String,
    path: String,
    headers: HeaderList,
    body: Bytes,
}

impl Handler for Receiver {
    fn handle(&self, req: Request) -> impl std::future::Future<Output = Response> + Send {
        Receiver::handle(self, req)
    }
}

impl Receiver {
    pub fn new(
        cfg: ReceiverConfig,
        writer: Option<BatchWriter>,
        client: HttpClient,
        seen: Vec<(String, u32)>,
        lines: LineQueue,
    ) -> Receiver {
        Receiver {
            cfg,
            writer,
            client,
            seen: Mutex::new(Seen::new(seen)),
            held_ids: Mutex::new(HashMap::new()),
            seq: AtomicU64::new(0),
            lines,
            matched: AtomicBool::new(false),
            done: tokio::sync::Notify::new(),
            relay_url: std::sync::RwLock::new(None),
        }
    }

    /// A relay channel's public URL once connected, or the listener's own once bound:
    /// what URL-signing schemes check deliveries against when `--public-url` names
    /// none.
    /// Where deliveries are taken (`--path`).
    pub fn base_path(&self) -> &str {
        &self.cfg.base_path
    }

    pub fn set_relay_url(&self, url: &str) {
        if let Ok(mut u) = self.relay_url.write() {
            *u = Some(url.to_string());
        }
    }

    /// Stops the store writer, after everything queued is written.
    pub fn finish(self) -> Result<Option<crate::store::Finished>, crate::store::StoreError> {
        self.writer.map(BatchWriter::finish).transpose()
    }

    /// Handles one request; never fails (every problem is a response). The steps:
    /// admit (path, body), inspect (profile, verdict, event, id, duplicate), answer
    /// (script or forward), record (before the answer goes out), show.
    pub async fn handle(&self, req: Request) -> Resp {
        self.handle_relayed(req).await.0
    }

    /// [`Receiver::handle`], with, for a delivery a relay holds, how the attempt
    /// ended and what comes next (said on its line too).
    pub async fn handle_relayed(&self, req: Request) -> (Resp, Option<HeldOutcome>) {
        let started = Instant::now();
        let time = now_rfc3339();
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let Request {
            method,
            target: path,
            headers,
            body,
            relayed,
            ..
        } = req;
        let held = relayed.as_ref().is_some_and(|r| r.held);
        let mut line = DeliveryLine {
            seq,
            time,
            method: method.clone(),
            path: path.clone(),
            profile: None,
            event: None,
            delivery_id: None,
            valid: None,
            reason: String::new(),
            status: 0,
            latency_ms: 0.0,
            duplicate: false,
            attempt: 1,
            test: false,
            held,
            relay_received_at: relayed
                .as_ref()
                .map(|r| crate::relay::server::rfc3339_ms(r.received_at_ms)),
            held_outcome: None,
            next_try_in_ms: None,
            held_note: None,
            handshake: None,
            forwarded_to: None,
            forward_error: None,
            id: None,
            headers: None,
            body: None,
        };
        let body = match self.admit(&path, body) {
            Ok(b) => b,
            Err((status, reason)) => {
                let outcome = relayed
                    .as_ref()
                    .filter(|r| r.held)
                    .map(|_| HeldOutcome::Refused {
                        status,
                        reason: reason.clone(),
                    });
                return (self.reject(line, started, status, reason), outcome);
            }
        };
        let d = Delivery {
            method,
            path,
            headers,
            body,
        };
        let failure = self.inspect(&d, &mut line, relayed.as_ref());
        let response = self.answer(&d, &mut line, failure.as_ref()).await;
        line.status = response.status;
        let response = self
            .record(d, &mut line, response, started, relayed.as_ref())
            .await;
        let outcome = relayed
            .as_ref()
            .filter(|r| r.held)
            .map(|r| self.held_outcome(&mut line, &response, r));
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        let matched = self.cfg.wait_for.as_ref().is_some_and(|g| {
            line.valid == Some(true) && line.event.as_deref().is_some_and(|e| g.matches(e))
        });
        self.lines.send(line);
        if matched && !self.matched.swap(true, Ordering::SeqCst) {
            self.done.notify_one();
        }
        (response, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_told_however_written() {
        for climbs in [
            "/a/../b",
            "/./x",
            "/%2e%2e/x",
            "/%2E./x",
            "/.%2e",
            "\\..\\x",
            "/a/%2e",
        ] {
            assert!(climbs_out(climbs), "{climbs}");
        }
        for stays in [
            "/a/b",
            "/.../x",
            "/..a",
            "/%2e%2e%2e",
            "/%2f..x",
            "/%%2e2e",
            "/.well-known",
            "/",
        ] {
            assert!(!climbs_out(stays), "{stays}");
        }
    }

    #[test]
    fn forwarding_goes_where_it_was_told() {
        // A URL with a path is the exact target; the query comes along.
        let base = reqwest::Url::parse("http://app:3000/webhooks").unwrap();
        let to = |p: &str| forward_url(&base, p).map(|u| u.to_string());
        assert_eq!(
            to("/hooks/a/b?x=1").as_deref(),
            Some("http://app:3000/webhooks?x=1")
        );
        assert_eq!(to("/").as_deref(), Some("http://app:3000/webhooks"));
        // A bare origin takes the path as received.
        let origin = reqwest::Url::parse("http://app:3000").unwrap();
        let at = |p: &str| forward_url(&origin, p).map(|u| u.to_string());
        assert_eq!(
            at("/hooks/a?x=1").as_deref(),
            Some("http://app:3000/hooks/a?x=1")
        );
        assert_eq!(
            at("//evil.example/x").as_deref(),
            Some("http://app:3000//evil.example/x")
        );
        for bad in [
            "/hooks/../../admin",
            "/hooks/%2e%2e/%2E%2E/admin",
            "/hooks/.%2e/admin",
            "/hooks/a/..",
            "/hooks/..\\..\\admin",
            "/hooks/./x",
        ] {
            assert_eq!(at(bad), None, "{bad}");
            assert_eq!(to(bad), None, "{bad}");
        }
        // A `..` inside a name is not a segment.
        assert_eq!(
            at("/hooks/a..b").as_deref(),
            Some("http://app:3000/hooks/a..b")
        );
    }
}
