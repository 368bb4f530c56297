//! The receiving side of `listen`: one delivery in, verified, recorded, answered —
//! with a scripted response or the app's own, when forwarded.

use super::client::{HttpClient, SendError};
use super::server::{Handler, Request, Response};
use crate::envelope::catalog::detect_among;
use crate::envelope::template::Ctx;
use crate::envelope::{HeaderList, Profile, Received, Secret, VerifyOptions};
use crate::glob::EventGlob;
use crate::output::BodyJson;
use crate::settings::now_unix;
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
    #[serde(serialize_with = "crate::output::ser_round3")]
    pub latency_ms: f64,
    pub duplicate: bool,
    pub attempt: u32,
    pub test: bool,
    /// A relay held it while no client was connected.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
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

fn json_response(status: u16, value: serde_json::Value) -> Resp {
    Response::json(status, &value)
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
        use crate::envelope::schemes::without_shared_secret;
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
        let started = Instant::now();
        let time = now_rfc3339();
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let Request {
            method,
            target: path,
            headers,
            body,
            held,
            ..
        } = req;
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
            handshake: None,
            forwarded_to: None,
            forward_error: None,
            id: None,
            headers: None,
            body: None,
        };
        let body = match self.admit(&path, body) {
            Ok(b) => b,
            Err((status, reason)) => return self.reject(line, started, status, reason),
        };
        let d = Delivery {
            method,
            path,
            headers,
            body,
        };
        self.inspect(&d, &mut line);
        let response = self.answer(&d, &mut line).await;
        line.status = response.status;
        let response = self.record(d, &mut line, response, started).await;
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        let matched = self.cfg.wait_for.as_ref().is_some_and(|g| {
            line.valid == Some(true) && line.event.as_deref().is_some_and(|e| g.matches(e))
        });
        self.lines.send(line);
        if matched && !self.matched.swap(true, Ordering::SeqCst) {
            self.done.notify_one();
        }
        response
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
    fn inspect(&self, d: &Delivery, line: &mut DeliveryLine) {
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
        let public = self
            .cfg
            .public_url
            .clone()
            .or_else(|| self.relay_url.read().ok().and_then(|u| u.clone()));
        let target = public.map(|u| public_target(&u, &self.cfg.base_path, &d.path));
        let received = Received {
            method: &d.method,
            path: target.as_deref().unwrap_or(&d.path),
            headers: &d.headers,
            body: &d.body,
        };
        // With several candidates (headers that several providers share), the one
        // that verifies with the secrets given; a header's name never decides.
        let profile = if self.cfg.auto {
            let opts = VerifyOptions {
                secrets: &self.cfg.secrets,
                now: now_unix(),
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
                    now: now_unix(),
                    tolerance: self.cfg.tolerance,
                };
                match p.verify(&received, &opts) {
                    Ok(v) => {
                        line.valid = Some(v.valid);
                        line.reason = v.reason;
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
        } else {
            line.reason = "no profile fits the headers".into();
        }

        // Seen before?
        if let Some(id) = &line.delivery_id {
            let n = self.seen.lock().expect("seen lock").attempt(id);
            line.attempt = n;
            line.duplicate = n > 1;
        }
    }

    /// The answer: 401 for a bad signature, a scripted failure, the app's own answer
    /// when forwarded, or the scripted success.
    async fn answer(&self, d: &Delivery, line: &mut DeliveryLine) -> Resp {
        let s = &self.cfg.script;
        if let Some(delay) = s.delay {
            tokio::time::sleep(delay).await;
        }
        if line.valid == Some(false) && !self.cfg.accept_invalid {
            json_response(
                401,
                serde_json::json!({"error": "invalid signature", "reason": line.reason}),
            )
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
    ) -> Resp {
        if let Some(w) = &self.writer {
            let rh = response.headers.clone();
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
            };
            match w.send_acked(record).await {
                Some(id) => line.id = Some(id),
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
                headers: super::forwardable(&sent.headers),
                body: sent.body,
            },
            Err(e) => {
                line.forward_error = Some(e.to_string());
                let (status, error) = match &e {
                    SendError::Timeout(_) => (504, "the app did not answer in time"),
                    _ => (502, "the app did not answer"),
                };
                json_response(
                    status,
                    serde_json::json!({"error": error, "detail": e.to_string()}),
                )
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
