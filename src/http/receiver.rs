//! The receiving side of `listen`: one delivery in, verified, recorded, answered —
//! with a scripted response or the app's own, when forwarded.

use super::client::{HttpClient, SendError};
use super::server::{Handler, Relayed, Request, Response};
use crate::clock::now_unix;
use crate::envelope::catalog::detect_among;
use crate::envelope::template::Ctx;
use crate::envelope::{HeaderList, Profile, Received, Secret, VerifyOptions};
use crate::glob::EventGlob;
use crate::show::BodyJson;
use crate::store::{BatchWriter, Direction, Recorded, RecordedAttempt, State, now_rfc3339};
use bytes::Bytes;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
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

/// The URL a provider called to reach `path` under `base` (listen's `--path`), given
/// the public URL that stands for `base`.
/// `scheme://host[:port]` of a URL, if it is one.
fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{}://{host}:{p}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    })
}

pub fn public_target(public: &str, base: &str, path: &str) -> String {
    let rest = path
        .strip_prefix(base.trim_end_matches('/'))
        .filter(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
        .unwrap_or(path);
    if rest.is_empty() || rest == "/" {
        return public.to_string();
    }
    format!("{}{rest}", public.trim_end_matches('/'))
}

/// Held deliveries whose store id a `listen` remembers, for adding later attempts to
/// them; past it, the memory starts afresh (an attempt then gets a row of its own).
const HELD_IDS: usize = 100_000;

/// How many delivery ids `listen` remembers for telling duplicates: the most recent
/// ones, from the store at start and then as they arrive. A long session with many
/// distinct ids keeps a window of them, not every id it ever saw.
pub const SEEN_WINDOW: usize = 100_000;

/// Attempts per delivery id, over the last [`SEEN_WINDOW`] distinct ids.
struct Seen {
    counts: HashMap<Arc<str>, u32>,
    order: VecDeque<Arc<str>>,
}

impl Seen {
    /// From ids already seen, oldest first (the first to leave the window).
    fn new(recent: Vec<(String, u32)>) -> Seen {
        let mut seen = Seen {
            counts: HashMap::with_capacity(recent.len()),
            order: VecDeque::with_capacity(recent.len()),
        };
        for (id, n) in recent {
            let id: Arc<str> = id.into();
            seen.order.push_back(Arc::clone(&id));
            seen.counts.insert(id, n);
        }
        seen.trim();
        seen
    }

    /// Counts one more attempt of `id`; which attempt this is.
    fn attempt(&mut self, id: &str) -> u32 {
        if let Some(n) = self.counts.get_mut(id) {
            *n += 1;
            return *n;
        }
        let id: Arc<str> = id.into();
        self.order.push_back(Arc::clone(&id));
        self.counts.insert(id, 1);
        self.trim();
        1
    }

    fn trim(&mut self) {
        while self.order.len() > SEEN_WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.counts.remove(&old);
            }
        }
    }
}

type Resp = Response;

/// One delivery as it came in, admitted: the request less its transport.
struct Delivery {
    method: String,
    path: String,
    headers: HeaderList,
    body: Bytes,
}

/// What tells a delivery without an id on the wire from another: a hash of its body
/// (none for an empty body, which tells nothing apart).
fn body_key(body: &[u8]) -> Option<String> {
    use sha2::Digest;
    if body.is_empty() {
        return None;
    }
    let digest = sha2::Sha256::digest(body);
    Some(format!("body:{}", hex::encode(&digest[..16])))
}

/// Whether a profile's deliveries carry an id a receiver can read (a header or a
/// field of the envelope).
pub fn has_wire_id(p: &Profile) -> bool {
    p.id_header().is_some() || p.id_path.is_some()
}

fn json_response(status: u16, value: serde_json::Value) -> Resp {
    Response::json(status, &value)
}

impl Handler for Receiver {
    fn handle(&self, req: Request) -> impl std::future::Future<Output = Response> + Send {
        Receiver::handle(self, req)
    }
}

/// How an attempt at a held delivery ended, for the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeldOutcome {
    /// The app answered 2xx: the relay lets it go.
    Delivered { status: u16 },
    /// An answer time will not change (a bad signature, a status the profile's
    /// provider would not retry): the relay lets it go.
    Refused { status: u16, reason: String },
    /// Try again after this long (the app is down, or answered 5xx, 429, late).
    Retry { after: Duration },
    /// The relay's hold ends before the next try.
    GiveUp { status: u16, reason: String },
}

/// The schedule held deliveries are tried on when their profile has none: a
/// provider's usual one, its last delay repeated until the relay's hold ends.
const HELD_SCHEDULE: [Duration; 6] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
    Duration::from_secs(1800),
    Duration::from_secs(3600),
];

/// What a sender is told of a refused signature: no more than it must know (how
/// many secrets were tried, or which values were expected, stay on the
/// listener's screen and in its store).
fn public_refusal(failure: Option<&crate::envelope::Failure>) -> &'static str {
    match failure {
        Some(crate::envelope::Failure::TimestampTooOld { .. })
        | Some(crate::envelope::Failure::TimestampTooNew { .. }) => "timestamp out of tolerance",
        _ => "invalid signature",
    }
}

fn secs_text(secs: i64) -> String {
    humantime::format_duration(Duration::from_secs(secs.unsigned_abs())).to_string()
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

    /// The headers with a shared token or password masked: the one the delivery's
    /// profile reads, or, for a delivery that fits another profile's token or Basic
    /// auth, that one. `None` when nothing needs masking.
    fn masked(
        &self,
        profile: Option<&str>,
        valid: Option<bool>,
        headers: &HeaderList,
    ) -> Option<HeaderList> {
        use crate::envelope::profile::without_shared_secret;
        let own_profile =
            profile.and_then(|name| self.cfg.profiles.iter().find(|p| p.name == name));
        let own = own_profile.and_then(|p| without_shared_secret(p, headers));
        // A delivery its profile verified is that profile's: nothing else to look for
        // (and load mode pays nothing more).
        if valid == Some(true) {
            return own;
        }
        let headers = own.as_ref().unwrap_or(headers);
        // Another profile's token, in a header the profile in use does not read (so
        // that, say, Hover's `Authorization` signature is kept as it came).
        let reads = |name: &str| {
            own_profile.is_some_and(|p| p.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        let other = crate::envelope::catalog::candidates_among(&self.cfg.others, headers)
            .into_iter()
            .chain(crate::envelope::catalog::candidates_among(
                &self.cfg.profiles,
                headers,
            ))
            .filter(|p| p.signature.as_ref().is_some_and(|s| !reads(&s.header)))
            .find_map(|p| without_shared_secret(p, headers));
        other.or(own)
    }

    /// A relay channel's public URL once connected, or the listener's own once bound:
    /// what URL-signing schemes check deliveries against when `--public-url` names
    /// none.
    pub fn set_relay_url(&self, url: &str) {
        if let Ok(mut u) = self.relay_url.write() {
            *u = Some(url.to_string());
        }
    }

    /// Stops the store writer, after everything queued is written.
    pub fn finish(self) -> Result<Option<crate::store::Finished>, crate::store::StoreError> {
        self.writer.map(BatchWriter::finish).transpose()
    }

    fn route_for(&self, event: Option<&str>) -> Option<&reqwest::Url> {
        event
            .and_then(|e| self.cfg.routes.iter().find(|r| r.glob.matches(e)))
            .map(|r| &r.url)
            .or(self.cfg.forward.as_ref())
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

    /// What the relay is to do with a held delivery after this attempt: the
    /// profile's retry policy decides which answers are tried again and when (a
    /// provider's usual schedule when the profile has none), until the relay's
    /// hold ends.
    fn held_outcome(&self, line: &mut DeliveryLine, response: &Resp, r: &Relayed) -> HeldOutcome {
        let status = response.status;
        let outcome = if line.valid == Some(false) && !self.cfg.accept_invalid {
            HeldOutcome::Refused {
                status,
                reason: format!("refused by listen: {}", line.reason),
            }
        } else {
            let policy = line
                .profile
                .as_deref()
                .and_then(|n| self.cfg.profiles.iter().find(|p| p.name == n))
                .map(|p| p.retry.clone())
                .unwrap_or_default();
            let tried = match (&line.forward_error, status) {
                (Some(_), 504) => crate::envelope::retry::Outcome::Timeout,
                (Some(_), 502) => crate::envelope::retry::Outcome::Connection,
                _ => crate::envelope::retry::Outcome::Status(status),
            };
            let n = usize::try_from(r.attempt.max(1) - 1).unwrap_or(0);
            let delay = if policy.delays.is_empty() {
                HELD_SCHEDULE[n.min(HELD_SCHEDULE.len() - 1)]
            } else {
                policy.delays[n.min(policy.delays.len() - 1)]
            };
            let retry_after = response
                .headers
                .get("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let mut once = policy;
            once.delays = vec![delay];
            match once.decide(1, &tried, retry_after) {
                crate::envelope::retry::Decision::Delivered => HeldOutcome::Delivered { status },
                crate::envelope::retry::Decision::Queued => HeldOutcome::Delivered { status },
                crate::envelope::retry::Decision::GiveUp { rule } => HeldOutcome::Refused {
                    status,
                    reason: format!("the app answered {}: {rule}", tried.label()),
                },
                crate::envelope::retry::Decision::Retry { after, .. } => {
                    let after = crate::envelope::retry::at_speed(after, r.speed);
                    let next = crate::relay::server::now_ms()
                        .saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
                    if next > r.hold_until_ms {
                        HeldOutcome::GiveUp {
                            status,
                            reason: format!(
                                "the app answered {} on attempt {}, and the relay's hold (--queue-ttl) ends before the next try",
                                tried.label(),
                                r.attempt
                            ),
                        }
                    } else {
                        HeldOutcome::Retry { after }
                    }
                }
            }
        };
        match &outcome {
            HeldOutcome::Delivered { .. } => line.held_outcome = Some("delivered"),
            HeldOutcome::Refused { reason, .. } => {
                line.held_outcome = Some("refused");
                line.held_note = Some(reason.clone());
            }
            HeldOutcome::Retry { after } => {
                line.held_outcome = Some("retrying");
                line.next_try_in_ms = Some(u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
            }
            HeldOutcome::GiveUp { reason, .. } => {
                line.held_outcome = Some("given_up");
                line.held_note = Some(reason.clone());
            }
        }
        outcome
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

    /// The body, if the request may come in: under `--path`, no dot segments, and a
    /// body that arrived whole and within the limits.
    fn admit(
        &self,
        path: &str,
        body: Result<Bytes, super::server::BodyError>,
    ) -> Result<Bytes, (u16, String)> {
        let base = self.cfg.base_path.trim_end_matches('/');
        let bare_path = path.split('?').next().unwrap_or_default();
        let under_base = bare_path
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if !under_base {
            return Err((404, format!("not under {}", self.cfg.base_path)));
        }
        if climbs_out(bare_path) {
            return Err((400, "the path has a `.` or `..` segment".into()));
        }
        body.map_err(|e| (e.status(), e.to_string()))
    }

    /// What the delivery is: its profile, whether it is genuine, its event and id,
    /// whether it was seen before.
    fn inspect(
        &self,
        d: &Delivery,
        line: &mut DeliveryLine,
        relayed: Option<&Relayed>,
    ) -> Option<crate::envelope::Failure> {
        let mut failure = None;
        if self.cfg.verbose {
            line.headers = Some(
                d.headers
                    .iter()
                    .map(|(n, v)| [n.to_string(), v.to_string()])
                    .collect(),
            );
            line.body = Some(BodyJson::new(&d.body));
        }

        // Which profile, and is it genuine?
        // The URL (or path) the provider signed. Through a relay: the path its sender
        // used there (`/c/NAME/…`, with its query), on the relay's public URL, not
        // the one `listen` forwards to its app. Behind a proxy: `--public-url`'s.
        let public = self
            .cfg
            .public_url
            .clone()
            .or_else(|| self.relay_url.read().ok().and_then(|u| u.clone()));
        let target = match relayed {
            Some(r) => Some(match public.as_deref().and_then(origin_of) {
                Some(origin) => format!("{origin}{}", r.public_target),
                None => r.public_target.clone(),
            }),
            None => public.map(|u| public_target(&u, &self.cfg.base_path, &d.path)),
        };
        let received = Received {
            method: &d.method,
            path: target.as_deref().unwrap_or(&d.path),
            headers: &d.headers,
            body: &d.body,
        };
        // A delivery the relay held is judged as of when the relay took it; a live
        // one as of now.
        let now = now_unix();
        let held_at = relayed
            .filter(|r| r.held)
            .map(|r| r.received_at_ms.div_euclid(1000));
        // With several candidates (headers that several providers share), the one
        // that verifies with the secrets given; a header's name never decides.
        let profile = if self.cfg.auto {
            let opts = VerifyOptions {
                secrets: &self.cfg.secrets,
                now: held_at.unwrap_or(now),
                tolerance: self.cfg.tolerance,
            };
            match crate::envelope::catalog::detect_verified(&self.cfg.profiles, &received, &opts) {
                crate::envelope::catalog::Detected::One { profile, .. } => Some(profile),
                _ => detect_among(&self.cfg.profiles, &d.headers),
            }
        } else {
            self.cfg.profiles.first()
        };
        if let Some(p) = profile {
            line.profile = Some(p.name.clone());
            if self.cfg.verbose
                && let Some(masked) = self.masked(Some(&p.name), None, &d.headers)
            {
                line.headers = Some(
                    masked
                        .iter()
                        .map(|(n, v)| [n.to_string(), v.to_string()])
                        .collect(),
                );
            }
            if p.signature.is_some() && !self.cfg.secrets.is_empty() {
                let opts = VerifyOptions {
                    secrets: &self.cfg.secrets,
                    now: held_at.unwrap_or(now),
                    tolerance: self.cfg.tolerance,
                };
                match p.verify(&received, &opts) {
                    Ok(v) => {
                        line.valid = Some(v.valid);
                        line.reason = v.reason;
                        if let (Some(at), Some(ts)) = (held_at, v.timestamp) {
                            let before = at.saturating_sub(ts);
                            line.reason.push_str(&format!(
                                " (signed {} {} the relay took it, {} ago)",
                                secs_text(before),
                                if before >= 0 { "before" } else { "after" },
                                secs_text(now.saturating_sub(at))
                            ));
                        }
                        failure = v.failure.clone();
                        line.event = v.event;
                        line.delivery_id = v.id;
                        // Another provider's delivery: say whose it looks like.
                        if matches!(
                            v.failure,
                            Some(crate::envelope::Failure::MissingHeader { .. })
                        ) && let Some(other) = detect_among(&self.cfg.others, &d.headers)
                        {
                            line.reason.push_str(&format!(
                                " (the headers fit profile `{}`: is --profile right?)",
                                other.name
                            ));
                        }
                    }
                    Err(e) => {
                        line.valid = Some(false);
                        line.reason = e.to_string();
                    }
                }
            } else {
                line.reason = if p.signature.is_none() {
                    "the profile signs nothing".into()
                } else {
                    "not checked: no secret given".into()
                };
            }
            if line.event.is_none() || line.delivery_id.is_none() {
                let (e, i) = p.body_event_and_id(&d.body);
                // Read whenever the profile says where they are: without a secret
                // too, so that duplicates and --fail-first still work.
                let header = |name: Option<&str>| {
                    name.and_then(|h| d.headers.get(h))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                line.event = line.event.take().or(e).or(header(p.event_header()));
                line.delivery_id = line.delivery_id.take().or(header(p.id_header())).or(i);
            }
            if let Some(def) = line.event.as_deref().and_then(|e| p.events.get(e)) {
                line.test = def.test;
                if def.handshake {
                    let json = serde_json::from_slice(&d.body).ok();
                    let ctx = Ctx {
                        json: json.as_ref(),
                        ..Ctx::default()
                    };
                    line.handshake = Some(match &def.complete {
                        Some(t) => t
                            .render(&ctx)
                            .unwrap_or_else(|e| format!("(could not read the handshake: {e})")),
                        None => "answer it to complete the handshake".into(),
                    });
                }
            }
        } else if !self.cfg.secrets.is_empty() {
            // With secrets given, what no profile can verify is not let in.
            line.valid = Some(false);
            line.reason =
                "no profile fits the headers: it carries no signature hookctl knows".into();
        } else {
            line.reason = "no profile fits the headers".into();
        }

        // Seen before? A profile that puts no delivery id on the wire (HoverBot,
        // Hover) is counted by its body: a retry sends the same bytes again (only
        // the signature and its timestamp are new), so `--fail-first` and the
        // duplicate mark still work. The key stays out of `delivery_id`: it is
        // not an id the provider sent. (A held delivery tried again is the same
        // delivery, not a duplicate the provider sent.)
        let key = line.delivery_id.clone().or_else(|| body_key(&d.body));
        if let Some(id) = &key {
            let n = self.seen.lock().expect("seen lock").attempt(id);
            line.attempt = n;
            line.duplicate = n > 1 && relayed.is_none_or(|r| r.attempt <= 1);
        }
        failure
    }

    /// The answer: 401 for a bad signature, a scripted failure, the app's own answer
    /// when forwarded, or the scripted success.
    async fn answer(
        &self,
        d: &Delivery,
        line: &mut DeliveryLine,
        failure: Option<&crate::envelope::Failure>,
    ) -> Resp {
        let s = &self.cfg.script;
        if let Some(delay) = s.delay {
            tokio::time::sleep(delay).await;
        }
        if line.valid == Some(false) && !self.cfg.accept_invalid {
            json_response(401, serde_json::json!({"error": public_refusal(failure)}))
        } else if line.attempt <= s.fail_first
            || (s.fail_rate > 0.0 && fastrand::f64() < s.fail_rate)
        {
            let mut r = json_response(
                s.fail_status,
                serde_json::json!({"error": "scripted failure (hookctl listen)"}),
            );
            if let Some(ra) = s.retry_after {
                r.headers.push("retry-after", ra.to_string());
            }
            r
        } else if let Some(url) = self.route_for(line.event.as_deref()).cloned() {
            self.forward(line, &url, &d.method, &d.path, &d.headers, d.body.clone())
                .await
        } else {
            let mut headers = HeaderList::with_capacity(1);
            headers.push("content-type", "application/json");
            Response {
                status: s.status,
                headers,
                body: Bytes::from_static(b"{\"received\":true}"),
            }
        }
    }

    /// Records the delivery and its answer before the answer goes out; an answer the
    /// store could not take becomes 503, so that the sender tries again.
    async fn record(
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

    fn reject(
        &self,
        mut line: DeliveryLine,
        started: Instant,
        status: u16,
        reason: String,
    ) -> Resp {
        line.status = status;
        line.reason = reason.clone();
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        self.lines.send(line);
        json_response(status, serde_json::json!({"error": reason}))
    }

    /// Passes the request on, byte-exact, and returns the app's answer: 502 when the
    /// app cannot be reached or its answer is over `--max-body`, 504 when it does not
    /// answer within `--forward-timeout`.
    async fn forward(
        &self,
        line: &mut DeliveryLine,
        base: &reqwest::Url,
        method: &str,
        path: &str,
        headers: &HeaderList,
        body: Bytes,
    ) -> Resp {
        let Some(url) = forward_url(base, path) else {
            line.forward_error = Some("the path leaves the --forward-to URL".into());
            return json_response(
                400,
                serde_json::json!({"error": "the path leaves the URL it is forwarded to"}),
            );
        };
        line.forwarded_to = Some(url.to_string());
        let fwd = super::forwardable(headers);
        match self
            .client
            .send(method, &url, &fwd, body, self.cfg.forward_timeout)
            .await
        {
            Ok(sent) => Response {
                status: sent.status,
                headers: super::forwardable_answer(&sent.headers),
                body: sent.body,
            },
            Err(e) => {
                line.forward_error = Some(e.to_string());
                let (status, error) = match &e {
                    SendError::Timeout(_) => (504, "the app did not answer in time"),
                    _ => (502, "the app did not answer"),
                };
                // The detail (the app's address, the system's error) stays on the
                // listener's screen and in its store.
                json_response(status, serde_json::json!({"error": error}))
            }
        }
    }
}

/// Whether a request path has a `.` or `..` segment, written plainly, percent-encoded
/// (`%2e%2e`) or after a backslash: a URL parser would resolve it and climb out of
/// the base the delivery is forwarded to.
pub fn climbs_out(path: &str) -> bool {
    path.split(['/', '\\']).any(|seg| {
        // Each dot is `.` or `%2e` (either case): one or two of them, nothing else.
        let mut rest = seg.as_bytes();
        let mut dots = 0;
        while !rest.is_empty() && dots < 3 {
            if rest[0] == b'.' {
                rest = &rest[1..];
            } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2e") {
                rest = &rest[3..];
            } else {
                return false;
            }
            dots += 1;
        }
        rest.is_empty() && (1..=2).contains(&dots)
    })
}

/// The URL a delivery to `path` (path and query, as received) goes to. A URL with a
/// path (`http://localhost:3000/webhooks`) is the exact target, as Stripe CLI's
/// `--forward-to` is; a bare origin (`http://localhost:3000`) takes the path as
/// received. The request's query, if it has one, replaces the URL's. `None` for a
/// path with a `.` or `..` segment, which a URL parser would resolve.
pub fn forward_url(base: &reqwest::Url, path: &str) -> Option<reqwest::Url> {
    let (p, q) = path
        .split_once('?')
        .map_or((path, None), |(p, q)| (p, Some(q)));
    if climbs_out(p) {
        return None;
    }
    let mut url = base.clone();
    if matches!(base.path(), "" | "/") {
        url.set_path(p);
    }
    if let Some(q) = q {
        url.set_query(Some(q));
    }
    // The path never names another host (`//evil.example/x` stays a path).
    (url.origin() == base.origin()).then_some(url)
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

    #[test]
    fn duplicates_are_told_over_a_window_of_recent_ids() {
        // From the store, oldest first.
        let mut seen = Seen::new(vec![("older".to_string(), 1), ("old".to_string(), 2)]);
        assert_eq!(seen.attempt("old"), 3);
        assert_eq!(seen.attempt("a"), 1);
        assert_eq!(seen.attempt("a"), 2);
        // Fill the window, then one more id pushes out the oldest; memory stays bounded.
        for i in 0..SEEN_WINDOW - 3 {
            seen.attempt(&format!("id-{i}"));
        }
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        seen.attempt("new");
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        assert_eq!(seen.order.len(), SEEN_WINDOW);
        assert_eq!(seen.attempt("old"), 4, "the newer id from the store stays");
        assert_eq!(seen.attempt("older"), 1, "the oldest id left the window");
        assert_eq!(seen.attempt(&format!("id-{}", SEEN_WINDOW - 4)), 2);
    }
}
