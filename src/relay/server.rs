//! `hookctl relay`: public URLs (`…/c/NAME/…`) whose deliveries reach a `listen`
//! that holds the channel over one outbound WebSocket.
//!
//! Requests are read by the same HTTP/1.1 server as `listen`'s, so a delivery's
//! headers cross in order and its body byte for byte. A channel's name lets anyone
//! send to it; subscribing needs its token (256 random bits, kept as a SHA-256). With
//! no client connected (or its link full) a delivery is held in the store and
//! answered 202, then handed over in order as soon as a client can take it. A held
//! delivery is let go only when `listen` says how it ended (the app had it, or
//! refused it for good), or moved to the given-up table when the queue TTL ends
//! first; the next `listen` on the channel is told of what was given up, with the
//! delivery itself so that it can be sent again. The relay never makes a request
//! of its own.

use super::wire::{
    CONNECT_PATH, Control, PROTOCOL, STATUS_PATH, WireAnswer, WireRequest, decode_headers,
};
use crate::envelope::HeaderList;
use crate::http::server::{Handler, Request, Response, Upgraded};
use crate::store::Store;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use sha2::Digest;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};

/// What happens to a delivery for a channel whose client is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offline {
    /// Held in the store, answered 202, handed over when the client is back.
    Queue,
    /// Answered 503 with `Retry-After`.
    Reject,
}

pub struct RelayConfig {
    /// What clients are told the relay is, without a trailing slash.
    pub public_url: String,
    /// `host:port` forms that are this relay (an absolute-form request for any other
    /// is refused: the relay is no proxy).
    pub own: Vec<String>,
    pub max_body: usize,
    /// Deliveries per channel per second.
    pub rate: Option<f64>,
    pub queue_max: u64,
    pub queue_ttl: Duration,
    pub response_timeout: Duration,
    pub offline: Offline,
    pub heartbeat: Duration,
    /// The key that creating a channel needs (its SHA-256), if the operator set one.
    pub create_key: Option<[u8; 32]>,
}

/// Close codes a refused client is told (and `listen` turns into a message).
pub const CLOSE_TOKEN: u16 = 4401;
pub const CLOSE_KEY: u16 = 4403;
pub const CLOSE_REPLACED: u16 = 4409;
/// WebSocket's "going away": the relay is stopping.
pub const CLOSE_GOING_AWAY: u16 = 1001;

/// Frames waiting to go out on one link, at most.
const LINK_QUEUE: usize = 1024;
/// Deliveries in flight on one link at once, at most.
const MAX_IN_FLIGHT: usize = 4096;
/// Held deliveries out with one client (handed over, not yet settled), at most.
const MAX_HELD_OUT: usize = 256;
/// Channels one relay keeps, at most (an open relay cannot be made to grow without
/// bound by clients that each make one).
pub const MAX_CHANNELS: usize = 100_000;

pub fn sha256(text: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(text).into()
}

/// A channel name: 1 to 63 lowercase letters, digits and dashes.
pub fn valid_channel(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn random_name() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..12)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

/// 256 random bits from the operating system, as hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: Option<f64>) -> Bucket {
        Bucket {
            tokens: rate.unwrap_or(0.0).max(1.0),
            last: Instant::now(),
        }
    }

    /// Takes one delivery's worth; when there is none, how long until there is.
    fn take(&mut self, rate: f64) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = rate.max(1.0);
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

struct Channel {
    token_hash: [u8; 32],
    link: Option<Arc<Link>>,
    bucket: Bucket,
    /// Held deliveries handed over and not yet settled: held id → the link that has
    /// it (no other link is given it meanwhile).
    out: HashMap<i64, u64>,
    /// Woken when there is something new to hand over.
    wake: Arc<Notify>,
}

impl Channel {
    fn new(token_hash: [u8; 32], rate: Option<f64>) -> Channel {
        Channel {
            token_hash,
            link: None,
            bucket: Bucket::new(rate),
            out: HashMap::new(),
            wake: Arc::new(Notify::new()),
        }
    }
}

/// One client's WebSocket.
struct Link {
    id: u64,
    tx: mpsc::Sender<Message>,
    pending: Mutex<HashMap<u64, oneshot::Sender<WireAnswer>>>,
    seq: AtomicU64,
    /// Another client took the channel over: what this one has is answered, then
    /// the link ends.
    replaced: std::sync::atomic::AtomicBool,
}

enum LinkError {
    /// The link ended before the answer came.
    Gone,
    /// No answer within the response timeout.
    Timeout,
    /// Too much is waiting on the link already.
    Busy,
}

impl Link {
    async fn exchange(
        &self,
        mut req: WireRequest,
        timeout: Duration,
    ) -> Result<WireAnswer, LinkError> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        req.seq = seq;
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.pending.lock().expect("pending lock");
            if pending.len() >= MAX_IN_FLIGHT {
                return Err(LinkError::Busy);
            }
            pending.insert(seq, tx);
        }
        let forget = || {
            self.pending.lock().expect("pending lock").remove(&seq);
        };
        match self.tx.try_send(Message::Binary(req.encode().into())) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                forget();
                return Err(LinkError::Busy);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                forget();
                return Err(LinkError::Gone);
            }
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(LinkError::Gone),
            Err(_) => {
                forget();
                Err(LinkError::Timeout)
            }
        }
    }
}

/// What the relay tells its operator: a line of text and a JSON record.
pub type Log = Box<dyn Fn(&str, serde_json::Value) + Send + Sync>;

pub struct Relay {
    cfg: RelayConfig,
    store: Mutex<Store>,
    channels: Mutex<HashMap<String, Channel>>,
    next_link: AtomicU64,
    last_expiry: AtomicI64,
    log: Log,
    /// Every link, by id, until it ends (for closing them all on shutdown).
    links: Mutex<HashMap<u64, Arc<Link>>>,
    /// Notified when the last link ends.
    no_links: Notify,
}

/// Why a held delivery is given up when its time runs out.
const EXPIRED: &str = "held longer than the relay's --queue-ttl";

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

const DAY_MS: i64 = 86_400_000;

/// Unix milliseconds as RFC 3339.
pub(crate) fn rfc3339_ms(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({ "error": message }))
}

fn with_retry_after(mut r: Response, secs: u64) -> Response {
    r.headers.push("Retry-After", secs.max(1).to_string());
    r
}

/// The query parameter `name` of a target.
fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let q = target.split_once('?')?.1;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderList) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Whether a claim of `name` with these headers would be allowed: `Ok(true)` for
/// an existing channel whose token was given, `Ok(false)` for a new one.
enum Claim {
    Existing,
    New,
}

impl Relay {
    pub fn new(
        cfg: RelayConfig,
        store: Store,
        log: Log,
    ) -> Result<Relay, crate::store::StoreError> {
        if !store.is_read_only() {
            store.relay_prepare()?;
        }
        let mut channels = HashMap::new();
        for (name, hash) in store.relay_channels()? {
            let mut token_hash = [0u8; 32];
            if hex::decode_to_slice(&hash, &mut token_hash).is_ok() {
                channels.insert(name, Channel::new(token_hash, cfg.rate));
            }
        }
        Ok(Relay {
            cfg,
            store: Mutex::new(store),
            channels: Mutex::new(channels),
            next_link: AtomicU64::new(0),
            last_expiry: AtomicI64::new(0),
            log,
            links: Mutex::default(),
            no_links: Notify::new(),
        })
    }

    /// Gives up what has been held longer than the queue TTL, at most once a
    /// second; wakes the channels, so that a connected client is told.
    fn expire(&self) {
        let now = now_ms();
        if now - self.last_expiry.load(Ordering::Relaxed) < 1000 {
            return;
        }
        self.last_expiry.store(now, Ordering::Relaxed);
        let ttl = i64::try_from(self.cfg.queue_ttl.as_millis()).unwrap_or(i64::MAX);
        let expired = {
            let store = self.store.lock().expect("store lock");
            let _ = store.relay_prune_told(now.saturating_sub(DAY_MS));
            store.relay_expire(now.saturating_sub(ttl), EXPIRED, now)
        };
        if let Ok(n) = expired
            && n > 0
        {
            (self.log)(
                &format!(
                    "{n} held deliveries given up (held longer than --queue-ttl); each channel's next client is told"
                ),
                json!({"event": "expired", "deliveries": n}),
            );
            for ch in self.channels.lock().expect("channels lock").values() {
                ch.wake.notify_one();
            }
        }
    }

    /// Runs the relay's own upkeep (the queue TTL) until the process ends.
    pub async fn maintain(self: Arc<Self>) {
        let every = (self.cfg.queue_ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            self.expire();
        }
    }

    /// Closes every link with a reason (the relay is stopping) and waits, up to
    /// `within`, for them to end.
    pub async fn shut_down(&self, within: Duration) {
        let links: Vec<Arc<Link>> = self
            .links
            .lock()
            .expect("links lock")
            .values()
            .cloned()
            .collect();
        if links.is_empty() {
            return;
        }
        let idle = self.no_links.notified();
        tokio::pin!(idle);
        idle.as_mut().enable();
        let text = serde_json::to_string(&Control::ShuttingDown).expect("serialises");
        for l in &links {
            let _ = l.tx.try_send(Message::Text(text.clone().into()));
            let _ = l.tx.try_send(Message::Close(Some(CloseFrame {
                code: CloseCode::from(CLOSE_GOING_AWAY),
                reason: "the relay is shutting down".into(),
            })));
        }
        drop(links);
        let _ = tokio::time::timeout(within, idle).await;
    }

    /// What `GET /status` answers (behind the key).
    pub fn status(&self) -> Result<serde_json::Value, crate::store::StoreError> {
        let now = now_ms();
        let rows = self
            .store
            .lock()
            .expect("store lock")
            .relay_status(now.saturating_sub(DAY_MS))?;
        let channels = self.channels.lock().expect("channels lock");
        let list: Vec<serde_json::Value> = rows
            .into_iter()
            .map(|r| {
                let connected = channels.get(&r.channel).is_some_and(|c| c.link.is_some());
                json!({
                    "channel": r.channel,
                    "connected": connected,
                    "held": r.held,
                    "oldest_held_at": r.oldest_held_at.map(rfc3339_ms),
                    "oldest_held_secs": r.oldest_held_at.map(|t| now.saturating_sub(t).max(0) / 1000),
                    "given_up_last_day": r.given_up_last_day,
                    "given_up_untold": r.given_up_untold,
                })
            })
            .collect();
        Ok(json!({
            "relay": "hookctl",
            "protocol": PROTOCOL,
            "queue_ttl_secs": self.cfg.queue_ttl.as_secs(),
            "channels": list,
        }))
    }

    pub fn channel_count(&self) -> usize {
        self.channels.lock().expect("channels lock").len()
    }

    fn check_claim(&self, name: &str, headers: &HeaderList) -> Result<Claim, (u16, u16, String)> {
        let channels = self.channels.lock().expect("channels lock");
        match channels.get(name) {
            Some(ch) => match bearer(headers) {
                Some(t) if sha256(t.as_bytes()) == ch.token_hash => Ok(Claim::Existing),
                Some(_) => Err((401, CLOSE_TOKEN, format!("the token given for channel `{name}` is not its token"))),
                None => Err((401, CLOSE_TOKEN, format!("channel `{name}` exists: its token is needed to listen on it"))),
            },
            None if channels.len() >= MAX_CHANNELS => Err((
                503,
                1013,
                format!("this relay holds {MAX_CHANNELS} channels, its most: no more can be made"),
            )),
            None => match &self.cfg.create_key {
                Some(key)
                    if headers
                        .get("x-hookctl-relay-key")
                        .is_none_or(|k| sha256(k.trim().as_bytes()) != *key) =>
                {
                    Err((403, CLOSE_KEY, "this relay makes channels only for those who give its key (--relay-key, HOOKCTL_RELAY_KEY)".into()))
                }
                _ => Ok(Claim::New),
            },
        }
    }

    /// The channel a `/connect` asks for: its `channel` parameter, or a fresh name.
    fn wanted_channel(target: &str) -> Result<String, String> {
        match query_param(target, "channel") {
            Some(n) if valid_channel(n) => Ok(n.to_string()),
            Some(n) => Err(format!(
                "`{}` is not a channel name (1 to 63 lowercase letters, digits and dashes)",
                crate::envelope::verify::preview(n)
            )),
            None => Ok(random_name()),
        }
    }

    /// `GET /status`: the relay's state, for those who give its key.
    fn status_answer(&self, req: &Request) -> Response {
        let Some(key) = &self.cfg.create_key else {
            return error(
                404,
                "this relay has no --key: its status is shown only behind one",
            );
        };
        let given = req
            .headers
            .get("x-hookctl-relay-key")
            .or_else(|| bearer(&req.headers));
        if given.is_none_or(|k| sha256(k.trim().as_bytes()) != *key) {
            return error(403, "the relay's status needs its key");
        }
        match self.status() {
            Ok(v) => Response::json(200, &v),
            Err(e) => error(500, &format!("the relay's store failed: {e}")),
        }
    }

    fn connect_answer(&self, req: &Request) -> Response {
        let h = &req.headers;
        let is_ws = req.method == "GET"
            && h.get("upgrade")
                .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
        let Some(key) = h.get("sec-websocket-key").filter(|_| is_ws) else {
            return error(400, "connect with `hookctl listen --relay URL`");
        };
        if !h
            .get("sec-websocket-protocol")
            .is_some_and(|p| p.split(',').any(|p| p.trim() == PROTOCOL))
        {
            return error(
                400,
                &format!("this relay speaks {PROTOCOL}: use a hookctl of the same version"),
            );
        }
        let name = match Self::wanted_channel(&req.target) {
            Ok(n) => n,
            Err(e) => return error(400, &e),
        };
        if let Err((status, _, message)) = self.check_claim(&name, h) {
            return error(status, &message);
        }
        let mut headers = HeaderList::new();
        headers.push("Upgrade", "websocket");
        headers.push("Connection", "Upgrade");
        headers.push(
            "Sec-WebSocket-Accept",
            tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes()),
        );
        headers.push("Sec-WebSocket-Protocol", PROTOCOL);
        Response {
            status: 101,
            headers,
            body: Bytes::new(),
        }
    }

    /// A delivery for a channel.
    async fn ingress(&self, req: Request) -> Response {
        if let Some(a) = &req.authority
            && !self.cfg.own.iter().any(|o| o.eq_ignore_ascii_case(a))
        {
            return error(
                400,
                "this relay is not a proxy: it takes deliveries for its own channels only",
            );
        }
        let Some(rest) = req.target.strip_prefix("/c/") else {
            if req.target == "/" || req.target == "/healthz" {
                return Response::json(200, &json!({ "relay": "hookctl", "protocol": PROTOCOL }));
            }
            return error(404, "not a channel's URL (they look like /c/NAME/…)");
        };
        let cut = rest.find(['/', '?']).unwrap_or(rest.len());
        let name = &rest[..cut];
        let below = match &rest[cut..] {
            "" => "/".to_string(),
            r if r.starts_with('?') => format!("/{r}"),
            r => r.to_string(),
        };
        let body = match req.body {
            Ok(b) => b,
            Err(e) => return error(e.status(), &e.to_string()),
        };
        let link = {
            let mut channels = self.channels.lock().expect("channels lock");
            let Some(ch) = channels.get_mut(name) else {
                return error(404, "unknown channel");
            };
            if let Some(rate) = self.cfg.rate
                && let Err(wait) = ch.bucket.take(rate)
            {
                return with_retry_after(
                    error(429, "this channel's rate limit is reached"),
                    wait.as_secs_f64().ceil() as u64,
                );
            }
            ch.link.clone()
        };
        let received_at = now_ms();
        let wire = WireRequest {
            seq: 0,
            held: 0,
            given_up: false,
            received_at: u64::try_from(received_at).unwrap_or(0),
            note: String::new(),
            method: req.method,
            target: below,
            public_target: req.target.clone(),
            headers: req.headers,
            body,
        };
        if let Some(link) = link {
            match link.exchange(wire.clone(), self.cfg.response_timeout).await {
                Ok(a) => {
                    return Response {
                        status: a.status,
                        headers: crate::http::forwardable(&a.headers),
                        body: a.body,
                    };
                }
                Err(LinkError::Timeout) => {
                    return error(
                        504,
                        &format!(
                            "the channel's client did not answer within {}",
                            humantime::format_duration(self.cfg.response_timeout)
                        ),
                    );
                }
                // The link is full: held, and handed over as soon as it has room.
                Err(LinkError::Busy) => {}
                // The channel changed hands while the old client had it: that
                // client's app may have it, so it is not held again for the new one.
                Err(LinkError::Gone) if link.replaced.load(Ordering::SeqCst) => {
                    return error(
                        504,
                        "the channel's client changed while it had this delivery; whether its app got it is not known",
                    );
                }
                // Gone while it was on its way: held like any other.
                Err(LinkError::Gone) => {}
            }
        }
        self.offline(name, wire, received_at)
    }

    fn offline(&self, name: &str, wire: WireRequest, now: i64) -> Response {
        if self.cfg.offline == Offline::Reject {
            return with_retry_after(error(503, "no client is connected to this channel"), 30);
        }
        self.expire();
        let store = self.store.lock().expect("store lock");
        match store.relay_queue_len(name) {
            Ok(n) if n >= self.cfg.queue_max => {
                return with_retry_after(error(503, "this channel's queue is full"), 60);
            }
            Ok(_) => {}
            Err(e) => return error(500, &format!("the relay's store failed: {e}")),
        }
        let headers = super::wire::encode_headers(&wire.headers);
        match store.relay_enqueue(&crate::store::NewHeld {
            channel: name,
            method: &wire.method,
            target: &wire.target,
            public_target: &wire.public_target,
            headers: &headers,
            body: &wire.body,
            received_at: now,
        }) {
            Ok(_) => {
                drop(store);
                if let Some(ch) = self.channels.lock().expect("channels lock").get(name) {
                    ch.wake.notify_one();
                }
                let mut r = Response::json(202, &json!({ "queued": true }));
                r.headers.push("X-Hookctl-Queued", "1");
                r
            }
            Err(e) => error(500, &format!("the relay's store failed: {e}")),
        }
    }

    /// A client's link, from the upgrade to its end.
    async fn link(self: &Arc<Self>, req: Request, io: Upgraded) {
        let config = WebSocketConfig::default()
            .max_message_size(Some(self.cfg.max_body + (1 << 20)))
            .max_frame_size(Some(self.cfg.max_body + (1 << 20)));
        let mut ws =
            WebSocketStream::from_partially_read(io.io, io.read, Role::Server, Some(config)).await;
        let Ok(name) = Self::wanted_channel(&req.target) else {
            return;
        };
        // The claim, again and for good: the answer to the upgrade was a promise.
        let (tx, rx) = mpsc::channel(LINK_QUEUE);
        let link = Arc::new(Link {
            id: self.next_link.fetch_add(1, Ordering::Relaxed) + 1,
            tx,
            pending: Mutex::default(),
            seq: AtomicU64::new(0),
            replaced: Default::default(),
        });
        let claimed = self.claim(&name, &req.headers, &link);
        let (token, old) = match claimed {
            Ok(t) => t,
            Err((code, reason)) => {
                let _ = ws
                    .send(Message::Close(Some(CloseFrame {
                        code: CloseCode::from(code),
                        reason: reason.into(),
                    })))
                    .await;
                return;
            }
        };
        // The old client is told; it answers what it already has, then closes.
        if let Some(old) = old {
            old.replaced.store(true, Ordering::SeqCst);
            let replaced = serde_json::to_string(&Control::Replaced).expect("serialises");
            let _ = old.tx.try_send(Message::Text(replaced.into()));
        }
        let queued = self
            .store
            .lock()
            .expect("store lock")
            .relay_queue_len(&name)
            .unwrap_or(0);
        let welcome = Control::Welcome {
            version: 1,
            channel: name.clone(),
            url: format!("{}/c/{name}", self.cfg.public_url),
            token: token.clone(),
            heartbeat_ms: u64::try_from(self.cfg.heartbeat.as_millis()).unwrap_or(u64::MAX),
            queued,
            queue_ttl_ms: u64::try_from(self.cfg.queue_ttl.as_millis()).unwrap_or(u64::MAX),
        };
        let text = serde_json::to_string(&welcome).expect("serialises");
        if ws.send(Message::Text(text.into())).await.is_err() {
            self.unlink(&name, link.id);
            return;
        }
        (self.log)(
            &format!(
                "channel {name}: client connected{}{}",
                if token.is_some() {
                    " (new channel)"
                } else {
                    ""
                },
                if queued > 0 {
                    format!(", {queued} held deliveries to hand over")
                } else {
                    String::new()
                }
            ),
            json!({"event": "connected", "channel": name, "new": token.is_some(), "queued": queued}),
        );
        self.links
            .lock()
            .expect("links lock")
            .insert(link.id, Arc::clone(&link));
        let (sink, mut stream) = ws.split();
        let heartbeat = self.cfg.heartbeat;
        let writer = tokio::spawn(super::write_link(sink, rx, heartbeat));
        let handover = tokio::spawn({
            let relay = Arc::clone(self);
            let link = Arc::clone(&link);
            let name = name.clone();
            async move { relay.hand_over(&name, &link).await }
        });
        // Anything from the client shows it is alive; two heartbeats of silence
        // mean the link is dead.
        loop {
            let next = tokio::time::timeout(heartbeat * 2, stream.next()).await;
            match next {
                Ok(Some(Ok(Message::Binary(frame)))) => match WireAnswer::decode(&frame) {
                    Ok(answer) => {
                        let waiting = link
                            .pending
                            .lock()
                            .expect("pending lock")
                            .remove(&answer.seq);
                        if let Some(w) = waiting {
                            let _ = w.send(answer);
                        }
                    }
                    Err(_) => break,
                },
                Ok(Some(Ok(Message::Text(text)))) => {
                    if let Ok(Control::Settled {
                        held,
                        outcome,
                        status,
                        reason,
                    }) = serde_json::from_str::<Control>(&text)
                    {
                        self.settle(&name, link.id, held, &outcome, status, reason.as_deref());
                    }
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => break,
                Ok(Some(Ok(_))) => {}
                Err(_) => {
                    (self.log)(
                        &format!(
                            "channel {name}: no sign of the client in two heartbeats: link dropped"
                        ),
                        json!({"event": "timeout", "channel": name}),
                    );
                    break;
                }
            }
        }
        self.unlink(&name, link.id);
        handover.abort();
        // In-flight deliveries fail over to the queue.
        link.pending.lock().expect("pending lock").clear();
        {
            let mut links = self.links.lock().expect("links lock");
            links.remove(&link.id);
            if links.is_empty() {
                self.no_links.notify_waiters();
            }
        }
        drop(link);
        let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
        (self.log)(
            &format!("channel {name}: client disconnected"),
            json!({"event": "disconnected", "channel": name}),
        );
    }

    /// Makes the link the channel's, creating the channel if need be: the new token
    /// (for a new channel) and the link it replaced.
    #[allow(clippy::type_complexity)]
    fn claim(
        &self,
        name: &str,
        headers: &HeaderList,
        link: &Arc<Link>,
    ) -> Result<(Option<String>, Option<Arc<Link>>), (u16, String)> {
        let claim = self
            .check_claim(name, headers)
            .map_err(|(_, code, m)| (code, m))?;
        let mut channels = self.channels.lock().expect("channels lock");
        let mut token = None;
        if matches!(claim, Claim::New) {
            if channels.contains_key(name) {
                return Err((CLOSE_TOKEN, format!("channel `{name}` was just taken")));
            }
            let t = new_token();
            let hash = sha256(t.as_bytes());
            let made = self
                .store
                .lock()
                .expect("store lock")
                .relay_create_channel(name, &hex::encode(hash))
                .map_err(|e| (1011, format!("the relay's store failed: {e}")))?;
            if !made {
                return Err((CLOSE_TOKEN, format!("channel `{name}` was just taken")));
            }
            channels.insert(name.to_string(), Channel::new(hash, self.cfg.rate));
            token = Some(t);
        }
        let ch = channels.get_mut(name).expect("claimed above");
        Ok((token, ch.link.replace(Arc::clone(link))))
    }

    /// The link has ended: the channel is no longer its, and what it had out goes
    /// to the next client.
    fn unlink(&self, name: &str, id: u64) {
        if let Some(ch) = self.channels.lock().expect("channels lock").get_mut(name) {
            if ch.link.as_ref().is_some_and(|l| l.id == id) {
                ch.link = None;
            }
            let before = ch.out.len();
            ch.out.retain(|_, l| *l != id);
            if ch.out.len() != before {
                ch.wake.notify_one();
            }
        }
    }

    /// A client says how a held delivery ended.
    fn settle(
        &self,
        name: &str,
        link: u64,
        held: u64,
        outcome: &str,
        status: Option<u16>,
        reason: Option<&str>,
    ) {
        let Ok(id) = i64::try_from(held) else { return };
        {
            let mut channels = self.channels.lock().expect("channels lock");
            let Some(ch) = channels.get_mut(name) else {
                return;
            };
            // Only what this link was given (a stale word from an old link about a
            // delivery now with another is not taken).
            match ch.out.get(&id) {
                Some(l) if *l == link => {
                    ch.out.remove(&id);
                    // Room for one more on this link.
                    ch.wake.notify_one();
                }
                _ => return,
            }
        }
        let now = now_ms();
        let store = self.store.lock().expect("store lock");
        // A delivery whose time ran out while its client was trying it is in the
        // given-up table already: the client's word settles that too.
        let done = match outcome {
            "told" => store.relay_told(id, now),
            "given_up" => store
                .relay_give_up(id, reason.unwrap_or("given up by the client"), now, true)
                .and_then(|_| store.relay_told(id, now)),
            _ => store
                .relay_dequeue(id)
                .and_then(|_| store.relay_unforget(id)),
        };
        drop(store);
        if let Err(e) = done {
            (self.log)(
                &format!("channel {name}: the store failed to settle held delivery {id}: {e}"),
                json!({"event": "store_error", "channel": name, "error": e.to_string()}),
            );
            return;
        }
        if outcome != "delivered" && outcome != "told" {
            (self.log)(
                &format!(
                    "channel {name}: held delivery {id} {}{}{}",
                    if outcome == "given_up" {
                        "given up"
                    } else {
                        "refused"
                    },
                    status.map(|s| format!(" ({s})")).unwrap_or_default(),
                    reason.map(|r| format!(": {r}")).unwrap_or_default()
                ),
                json!({"event": outcome, "channel": name, "held": id, "status": status, "reason": reason}),
            );
        }
    }

    /// Marks a held delivery as out with `link`; false when another link has it or
    /// this one has its most out.
    fn take_out(&self, name: &str, id: i64, link: u64) -> Option<bool> {
        let mut channels = self.channels.lock().expect("channels lock");
        let ch = channels.get_mut(name)?;
        if ch.out.contains_key(&id) {
            return Some(false);
        }
        if ch.out.values().filter(|l| **l == link).count() >= MAX_HELD_OUT {
            return None;
        }
        ch.out.insert(id, link);
        Some(true)
    }

    /// Hands the channel's held deliveries over, oldest first, for as long as the
    /// link lasts: what was held before it came, and whatever is held while it is
    /// connected (its link full) as soon as there is room. First the given-up
    /// deliveries the channel's client has not been told of.
    async fn hand_over(&self, name: &str, link: &Link) {
        let Some(wake) = self
            .channels
            .lock()
            .expect("channels lock")
            .get(name)
            .map(|c| Arc::clone(&c.wake))
        else {
            return;
        };
        loop {
            let woken = wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let untold = self
                .store
                .lock()
                .expect("store lock")
                .relay_untold(name, 64)
                .unwrap_or_default();
            for g in untold {
                match self.take_out(name, g.queued.id, link.id) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => break,
                }
                if !self.send_held(name, link, g.queued, true, g.reason).await {
                    return;
                }
            }
            let mut after = 0;
            'pages: loop {
                let batch = match self
                    .store
                    .lock()
                    .expect("store lock")
                    .relay_queued(name, after, 64)
                {
                    Ok(b) => b,
                    Err(_) => break,
                };
                if batch.is_empty() {
                    break;
                }
                for q in batch {
                    after = q.id;
                    match self.take_out(name, q.id, link.id) {
                        Some(true) => {}
                        Some(false) => continue,
                        None => break 'pages,
                    }
                    if !self.send_held(name, link, q, false, String::new()).await {
                        return;
                    }
                }
            }
            tokio::select! {
                _ = &mut woken => {}
                _ = link.tx.closed() => return,
            }
        }
    }

    /// Sends one held delivery over a link; false when the link is gone.
    async fn send_held(
        &self,
        name: &str,
        link: &Link,
        q: crate::store::Queued,
        given_up: bool,
        note: String,
    ) -> bool {
        let headers = decode_headers(&q.headers).unwrap_or_default();
        let req = WireRequest {
            seq: link.seq.fetch_add(1, Ordering::Relaxed) + 1,
            held: u64::try_from(q.id).unwrap_or(0),
            given_up,
            received_at: u64::try_from(q.received_at).unwrap_or(0),
            note,
            method: q.method,
            public_target: q
                .public_target
                .unwrap_or_else(|| format!("/c/{name}{}", q.target)),
            target: q.target,
            headers,
            body: Bytes::from(q.body),
        };
        link.tx
            .send(Message::Binary(req.encode().into()))
            .await
            .is_ok()
    }
}

/// The relay as an HTTP handler: `/connect` for clients, `/c/NAME/…` for senders.
pub struct RelayHandler(pub Arc<Relay>);

impl Handler for RelayHandler {
    async fn handle(&self, req: Request) -> Response {
        let path = req.target.split('?').next().unwrap_or_default();
        if path == CONNECT_PATH {
            return self.0.connect_answer(&req);
        }
        if path == STATUS_PATH && req.method == "GET" {
            return self.0.status_answer(&req);
        }
        self.0.ingress(req).await
    }

    async fn upgrade(&self, req: Request, io: Upgraded) {
        self.0.link(req, io).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tokens_and_buckets() {
        assert!(valid_channel("my-app-2"));
        for bad in ["", "Caps", "a/b", "a.b", &"x".repeat(64)] {
            assert!(!valid_channel(bad), "{bad}");
        }
        assert!(valid_channel(&random_name()));
        let t = new_token();
        assert_eq!(t.len(), 64, "256 bits in hex");
        assert_ne!(t, new_token());
        let mut b = Bucket::new(Some(2.0));
        assert!(b.take(2.0).is_ok());
        assert!(b.take(2.0).is_ok());
        let wait = b.take(2.0).unwrap_err();
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
        assert_eq!(
            query_param("/connect?x=1&channel=abc", "channel"),
            Some("abc")
        );
        assert_eq!(query_param("/connect", "channel"), None);
    }
}
