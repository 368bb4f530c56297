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
    CONNECT_PATH, Control, PROTOCOL, PRUNE_PATH, STATUS_PATH, WireAnswer, WireRequest,
    decode_headers,
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
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};

/// The node's side of a cluster (`relay --nats`): what it serves for its links.
#[path = "cluster/node.rs"]
mod node;
pub use node::watch_owners;

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
    /// Bytes all held deliveries may take (headers and bodies), at most.
    pub queue_bytes: u64,
    /// Bytes one channel's held deliveries may take, at most.
    pub channel_bytes: u64,
    /// Client links at once, at most.
    pub max_links: usize,
    /// Channels one client address may make in an hour.
    pub create_per_hour: u32,
    /// How long a channel with no client and nothing held is kept.
    pub channel_idle: Option<Duration>,
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
/// Bytes of frames waiting to go out on one link, at most (or one delivery of
/// `--max-body`, if that is more): a client that does not read cannot make the
/// relay keep more for it. Past it, live deliveries are held.
const LINK_BYTES: usize = 16 << 20;
/// Bytes of request bodies being read or routed by all connections together, at
/// most (or one `--max-body` delivery, if that is more).
pub const BODIES_BYTES: usize = 64 << 20;
/// Bytes of frames waiting on all links together, at most (or one delivery of
/// `--max-body`, if that is more).
const ALL_LINKS_BYTES: usize = 64 << 20;

/// A message on its way to a client, with the room it takes on the link (given
/// back once it is written).
pub(crate) struct Frame {
    msg: Message,
    _room: Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)>,
}

impl From<Frame> for Message {
    fn from(f: Frame) -> Message {
        f.msg
    }
}

impl From<Message> for Frame {
    fn from(m: Message) -> Frame {
        Frame {
            msg: m,
            _room: None,
        }
    }
}

/// Runs `f`, which blocks on the store, without holding up the other tasks of a
/// multi-threaded runtime (one channel's flood of writes does not stall another's
/// live deliveries).
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
pub use super::MAX_CHANNELS;

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
    /// When it last had a client (Unix milliseconds).
    last_seen: i64,
    /// How many deliveries it holds (handed over or not).
    held: u64,
    /// Counts the times a link's end made held deliveries free for another (a
    /// cluster's hand-over then walks the queue from its start again).
    freed: u64,
}

impl Channel {
    fn new(token_hash: [u8; 32], rate: Option<f64>) -> Channel {
        Channel {
            token_hash,
            link: None,
            bucket: Bucket::new(rate),
            out: HashMap::new(),
            wake: Arc::new(Notify::new()),
            last_seen: now_ms(),
            held: 0,
            freed: 0,
        }
    }
}

/// Client addresses remembered for each per-address limit, at most (past it the
/// oldest half is forgotten).
const MAX_CREATORS: usize = 10_000;
/// Refused tokens and keys one client address may try in a minute.
const GUESSES_PER_MINUTE: u32 = 20;

/// Allowances by client address: (what is left, when last taken).
type Allowances = Mutex<HashMap<std::net::IpAddr, (f64, Instant)>>;

/// Whether `peer` has some allowance left (as [`take_allowance`] counts it),
/// taking none.
fn allowance_left(
    map: &Allowances,
    peer: Option<std::net::IpAddr>,
    burst: f64,
    rate: f64,
) -> Result<(), Duration> {
    let Some(ip) = peer else { return Ok(()) };
    let map = map.lock().expect("allowances lock");
    let Some((tokens, last)) = map.get(&ip) else {
        return Ok(());
    };
    let now = (tokens + last.elapsed().as_secs_f64() * rate).min(burst);
    if now >= 1.0 {
        Ok(())
    } else {
        Err(Duration::from_secs_f64((1.0 - now) / rate))
    }
}

/// Takes one from `peer`'s allowance (`burst` at most, given back at `rate` a
/// second); how long until there is one, if none is left.
fn take_allowance(
    map: &Allowances,
    peer: Option<std::net::IpAddr>,
    burst: f64,
    rate: f64,
) -> Result<(), Duration> {
    let Some(ip) = peer else { return Ok(()) };
    let now = Instant::now();
    let mut map = map.lock().expect("allowances lock");
    if map.len() >= MAX_CREATORS && !map.contains_key(&ip) {
        let mut by_age: Vec<(std::net::IpAddr, Instant)> =
            map.iter().map(|(k, v)| (*k, v.1)).collect();
        by_age.sort_by_key(|(_, t)| *t);
        for (k, _) in by_age.into_iter().take(MAX_CREATORS / 2) {
            map.remove(&k);
        }
    }
    let (tokens, last) = map.entry(ip).or_insert((burst, now));
    *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(burst);
    *last = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
    }
}

/// One client's WebSocket.
struct Link {
    id: u64,
    tx: mpsc::Sender<Frame>,
    /// Bytes that may still wait to go out on it, and on all links together.
    room: Arc<Semaphore>,
    all_room: Arc<Semaphore>,
    /// Since when a frame has found no room on it (a client that does not read).
    full_since: Mutex<Option<Instant>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<WireAnswer>>>,
    seq: AtomicU64,
    /// Another client took the channel over: what this one has is answered, then
    /// the link ends.
    replaced: std::sync::atomic::AtomicBool,
}

/// Where a delivery's channel is, as this relay sees it.
enum Here {
    /// Its link is on this relay, and nothing held waits before it.
    Link(Arc<Link>),
    /// Its link is here, behind held deliveries not yet handed over.
    Behind,
    /// No link here.
    Away,
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
    /// Room for a frame of `size` bytes, on this link and on all, if there is some
    /// now (else the link is noted as full).
    fn try_room(&self, size: usize) -> Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        let n = u32::try_from(size).unwrap_or(u32::MAX);
        let got = Arc::clone(&self.room)
            .try_acquire_many_owned(n)
            .ok()
            .and_then(|a| {
                Arc::clone(&self.all_room)
                    .try_acquire_many_owned(n)
                    .ok()
                    .map(|b| (a, b))
            });
        let mut full = self.full_since.lock().expect("full lock");
        match &got {
            Some(_) => *full = None,
            None => {
                full.get_or_insert_with(Instant::now);
            }
        }
        got
    }

    /// Room for a frame of `size` bytes, waited for.
    async fn room_for(&self, size: usize) -> Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        if let Some(r) = self.try_room(size) {
            return Some(r);
        }
        let n = u32::try_from(size).unwrap_or(u32::MAX);
        let a = Arc::clone(&self.room).acquire_many_owned(n).await.ok()?;
        let b = Arc::clone(&self.all_room)
            .acquire_many_owned(n)
            .await
            .ok()?;
        *self.full_since.lock().expect("full lock") = None;
        Some((a, b))
    }

    /// Whether frames have found no room on it for longer than `within`.
    fn stuck(&self, within: Duration) -> bool {
        self.full_since
            .lock()
            .expect("full lock")
            .is_some_and(|t| t.elapsed() > within)
    }

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
        let frame = req.encode();
        let Some(permit) = self.try_room(frame.len()) else {
            forget();
            return Err(LinkError::Busy);
        };
        match self.tx.try_send(Frame {
            msg: Message::Binary(frame.into()),
            _room: Some(permit),
        }) {
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
    /// Bytes each channel's held (and untold given-up) deliveries take.
    bytes: Mutex<HashMap<String, u64>>,
    bytes_total: AtomicU64,
    /// Channels made lately, by client address: (allowance left, when last taken).
    creators: Allowances,
    /// Refused tokens and keys lately, by client address.
    guesses: Allowances,
    /// Bytes that may still wait on all links together.
    all_links_room: Arc<Semaphore>,
    /// The cluster this relay is a node of (`--nats`); `None`: a single relay.
    cluster: Option<Arc<crate::relay::cluster::Cluster>>,
    /// The channels whose links this node holds in the cluster.
    serving: Mutex<HashMap<String, node::Serving>>,
    /// Bytes of deliveries from other nodes being handled at once.
    remote_room: Arc<Semaphore>,
}

/// Why a held delivery is given up when its time runs out.
const EXPIRED: &str = "held longer than the relay's --queue-ttl";

pub(crate) use crate::clock::now_ms;

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
        let cfg_max_body = cfg.max_body;
        let bytes: HashMap<String, u64> = store.relay_bytes()?.into_iter().collect();
        let bytes_total = bytes.values().sum();
        let seen: HashMap<String, i64> = store.relay_last_seen()?.into_iter().collect();
        let held: HashMap<String, u64> = store.relay_queue_counts()?.into_iter().collect();
        let mut channels = HashMap::new();
        for (name, hash) in store.relay_channels()? {
            let mut token_hash = [0u8; 32];
            if hex::decode_to_slice(&hash, &mut token_hash).is_ok() {
                let mut ch = Channel::new(token_hash, cfg.rate);
                // Unknown (a store from before it was kept): from now.
                if let Some(t) = seen.get(&name) {
                    ch.last_seen = *t;
                }
                ch.held = held.get(&name).copied().unwrap_or(0);
                channels.insert(name, ch);
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
            bytes: Mutex::new(bytes),
            bytes_total: AtomicU64::new(bytes_total),
            creators: Mutex::default(),
            guesses: Mutex::default(),
            all_links_room: Arc::new(Semaphore::new(
                ALL_LINKS_BYTES.max(cfg_max_body + (1 << 20)),
            )),
            cluster: None,
            serving: Mutex::default(),
            remote_room: Arc::new(Semaphore::new(
                node::REMOTE_BYTES.max(cfg_max_body + (1 << 20)),
            )),
        })
    }

    /// Takes one channel creation from `peer`'s allowance (`--create-rate` an hour,
    /// all of it at once at most); how long until there is one, if none is left.
    fn take_creation(&self, peer: Option<std::net::IpAddr>) -> Result<(), Duration> {
        let per_hour = f64::from(self.cfg.create_per_hour.max(1));
        take_allowance(&self.creators, peer, per_hour, per_hour / 3600.0)
    }

    /// Counts a refused token or key from `peer` (logged with the address); past
    /// [`GUESSES_PER_MINUTE`], how long until it may try again.
    fn refused_claim(
        &self,
        peer: Option<std::net::IpAddr>,
        name: &str,
        why: &str,
    ) -> Result<(), Duration> {
        let from = peer.map_or("an unknown address".to_string(), |p| p.to_string());
        (self.log)(
            &format!("channel {name}: a link from {from} was refused ({why})"),
            json!({"event": "refused", "channel": name, "from": peer.map(|p| p.to_string()), "reason": why}),
        );
        let n = f64::from(GUESSES_PER_MINUTE);
        take_allowance(&self.guesses, peer, n, n / 60.0)
    }

    /// Deletes channels with no client, nothing held and nothing to tell, unused
    /// for `--channel-idle`: their names are free again.
    fn prune_idle(&self) {
        let Some(idle) = self.cfg.channel_idle else {
            return;
        };
        // Another node may hold the channel: a node knows only its own links.
        if self.cluster.is_some() {
            return;
        }
        let before = now_ms().saturating_sub(i64::try_from(idle.as_millis()).unwrap_or(i64::MAX));
        let gone = self.unused_since(before);
        for name in gone {
            self.delete_channel(&name, "unused for --channel-idle");
        }
    }

    /// Channels with no client, nothing out, held or untold, last used before
    /// `before` (Unix milliseconds).
    fn unused_since(&self, before: i64) -> Vec<String> {
        let bytes = self.bytes.lock().expect("bytes lock");
        self.channels
            .lock()
            .expect("channels lock")
            .iter()
            .filter(|(n, c)| {
                c.link.is_none()
                    && c.out.is_empty()
                    && c.last_seen < before
                    && !bytes.contains_key(*n)
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Deletes a channel and what it holds; how many held deliveries went with it
    /// (`None` when it has a client or the store failed).
    fn delete_channel(&self, name: &str, why: &str) -> Option<u64> {
        {
            let mut channels = self.channels.lock().expect("channels lock");
            match channels.get(name) {
                Some(c) if c.link.is_none() => {
                    channels.remove(name);
                }
                _ => return None,
            }
        }
        let dropped = self.store(|s| s.relay_delete_channel(name)).ok()?;
        if let Some(n) = self.bytes.lock().expect("bytes lock").remove(name) {
            let _ = self
                .bytes_total
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                    Some(t.saturating_sub(n))
                });
        }
        (self.log)(
            &format!(
                "channel {name} deleted ({why}){}",
                if dropped > 0 {
                    format!(
                        ", with {}",
                        crate::show::plural(dropped, "held delivery", "held deliveries")
                    )
                } else {
                    String::new()
                }
            ),
            json!({"event": "deleted", "channel": name, "reason": why, "dropped": dropped}),
        );
        Some(dropped)
    }

    /// `POST /channels/prune` (behind the key): deletes the channels named, or those
    /// unused for `idle_secs` that hold nothing.
    fn prune_answer(&self, req: &Request) -> Response {
        if let Err(r) = self.check_key(req) {
            return r;
        }
        #[derive(serde::Deserialize)]
        struct Prune {
            #[serde(default)]
            channels: Vec<String>,
            idle_secs: Option<u64>,
        }
        let Ok(body) = req.body.as_ref() else {
            return error(400, "the request's body could not be read");
        };
        let Ok(p) = serde_json::from_slice::<Prune>(body) else {
            return error(400, "expected {\"channels\":[…]} or {\"idle_secs\":N}");
        };
        let mut names = p.channels;
        if let Some(secs) = p.idle_secs {
            let before = now_ms()
                .saturating_sub(i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX));
            names.extend(self.unused_since(before));
        }
        let mut deleted = Vec::new();
        let mut kept = Vec::new();
        for name in names {
            match self.delete_channel(&name, "pruned by the operator") {
                Some(dropped) => deleted.push(json!({"channel": name, "dropped": dropped})),
                None => kept.push(json!({"channel": name, "why": "unknown, or a client holds it"})),
            }
        }
        Response::json(200, &json!({"deleted": deleted, "kept": kept}))
    }

    /// Whether the request gives the relay's key (`Err`: the answer if not).
    fn check_key(&self, req: &Request) -> Result<(), Response> {
        let Some(key) = &self.cfg.create_key else {
            return Err(error(
                404,
                "this relay has no --key: its operator's endpoints are served only behind one",
            ));
        };
        let given = req
            .headers
            .get("x-hookctl-relay-key")
            .or_else(|| bearer(&req.headers));
        if given.is_none_or(|k| sha256(k.trim().as_bytes()) != *key) {
            return Err(error(403, "this needs the relay's key"));
        }
        Ok(())
    }

    /// Works with the store off the runtime's threads.
    fn store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        blocking(|| f(&self.store.lock().expect("store lock")))
    }

    /// Takes `n` bytes for a channel's held delivery, if the caps allow; which cap
    /// is reached if not.
    fn take_bytes(&self, name: &str, n: u64) -> Result<(), &'static str> {
        let mut bytes = self.bytes.lock().expect("bytes lock");
        let here = bytes.get(name).copied().unwrap_or(0);
        if here.saturating_add(n) > self.cfg.channel_bytes {
            return Err("this channel's queue is full");
        }
        if self.bytes_total.load(Ordering::SeqCst).saturating_add(n) > self.cfg.queue_bytes {
            return Err("the relay's queue is full");
        }
        bytes.insert(name.to_string(), here.saturating_add(n));
        self.bytes_total.fetch_add(n, Ordering::SeqCst);
        Ok(())
    }

    /// Gives `n` bytes of a channel's back.
    fn free_bytes(&self, name: &str, n: u64) {
        if n == 0 {
            return;
        }
        let mut bytes = self.bytes.lock().expect("bytes lock");
        if let Some(here) = bytes.get_mut(name) {
            let freed = n.min(*here);
            *here -= freed;
            let _ = self
                .bytes_total
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                    Some(t.saturating_sub(freed))
                });
            if *here == 0 {
                bytes.remove(name);
            }
        }
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
        let expired = self.store(|store| {
            let _ = store.relay_prune_told(now.saturating_sub(DAY_MS));
            store.relay_expire(now.saturating_sub(ttl), EXPIRED, now)
        });
        if let Ok(n) = expired
            && n > 0
        {
            self.count_held();
            (self.log)(
                &format!(
                    "{} given up (held longer than --queue-ttl); each channel's next client is told",
                    crate::show::plural(n as u64, "held delivery", "held deliveries")
                ),
                json!({"event": "expired", "deliveries": n}),
            );
            for ch in self.channels.lock().expect("channels lock").values() {
                ch.wake.notify_one();
            }
        }
    }

    /// Runs the relay's own upkeep (the queue TTL, unused channels) until the
    /// process ends.
    pub async fn maintain(self: Arc<Self>) {
        let shortest = self
            .cfg
            .channel_idle
            .map_or(self.cfg.queue_ttl, |i| i.min(self.cfg.queue_ttl));
        let every = (shortest / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            self.expire();
            self.prune_idle();
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
            let _ = l.tx.try_send(Message::Text(text.clone().into()).into());
            let _ = l.tx.try_send(
                Message::Close(Some(CloseFrame {
                    code: CloseCode::from(CLOSE_GOING_AWAY),
                    reason: "the relay is shutting down".into(),
                }))
                .into(),
            );
        }
        drop(links);
        let _ = tokio::time::timeout(within, idle).await;
    }

    /// What `GET /status` answers (behind the key).
    pub fn status(&self) -> Result<serde_json::Value, crate::store::StoreError> {
        let now = now_ms();
        let rows = self.store(|s| s.relay_status(now.saturating_sub(DAY_MS)))?;
        let channels = self.channels.lock().expect("channels lock");
        let list: Vec<serde_json::Value> = rows
            .into_iter()
            .map(|r| {
                let ch = channels.get(&r.channel);
                let connected = ch.is_some_and(|c| c.link.is_some());
                let unused_secs = ch
                    .filter(|c| c.link.is_none())
                    .map(|c| now.saturating_sub(c.last_seen).max(0) / 1000);
                json!({
                    "channel": r.channel,
                    "connected": connected,
                    "held": r.held,
                    "oldest_held_at": r.oldest_held_at.map(rfc3339_ms),
                    "oldest_held_secs": r.oldest_held_at.map(|t| now.saturating_sub(t).max(0) / 1000),
                    "given_up_last_day": r.given_up_last_day,
                    "given_up_untold": r.given_up_untold,
                    "unused_secs": unused_secs,
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
        if let Err(r) = self.check_key(req) {
            return r;
        }
        match self.status() {
            Ok(v) => Response::json(200, &v),
            Err(e) => {
                (self.log)(
                    &format!("status: the store failed: {e}"),
                    json!({"event": "store_error", "error": e.to_string()}),
                );
                error(500, "the relay's store failed (its log says why)")
            }
        }
    }

    fn connect_answer(&self, req: &Request) -> Response {
        let h = &req.headers;
        let is_ws = req.method == "GET"
            && h.get("upgrade")
                .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
        let Some(key) = h
            .get("sec-websocket-key")
            .filter(|_| is_ws && req.authority.is_none())
        else {
            return error(400, "connect with `hookctl listen --relay URL`");
        };
        if self.links.lock().expect("links lock").len() >= self.cfg.max_links {
            return with_retry_after(
                error(
                    503,
                    "this relay holds as many client links as it takes (--max-links)",
                ),
                30,
            );
        }
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
        // An address that keeps giving wrong tokens or keys is told to wait.
        let n = f64::from(GUESSES_PER_MINUTE);
        if let Err(wait) = allowance_left(&self.guesses, req.peer, n, n / 60.0) {
            return with_retry_after(
                error(
                    429,
                    "too many refused tokens or keys from this address: wait",
                ),
                wait.as_secs_f64().ceil() as u64,
            );
        }
        match self.check_claim(&name, h) {
            Err((status, _, message)) if status == 401 || status == 403 => {
                let _ = self.refused_claim(req.peer, &name, &message);
                return error(status, &message);
            }
            Err((status, _, message)) => return error(status, &message),
            Ok(Claim::New) => {
                if let Err(wait) = self.take_creation(req.peer) {
                    return with_retry_after(
                        error(
                            429,
                            "this address has made as many channels as it may for now (--create-rate)",
                        ),
                        wait.as_secs_f64().ceil() as u64,
                    );
                }
            }
            Ok(Claim::Existing) => {}
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
                // A node cut off from its cluster asks a load balancer to pass it by.
                if let Some(c) = &self.cluster
                    && !c.connected()
                {
                    return with_retry_after(error(503, "this relay node has lost NATS"), 5);
                }
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
        {
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
        }
        let wire = WireRequest {
            seq: 0,
            held: 0,
            given_up: false,
            received_at: u64::try_from(now_ms()).unwrap_or(0),
            note: String::new(),
            method: req.method,
            target: below,
            public_target: req.target.clone(),
            headers: req.headers,
            body,
        };
        self.route(name, wire, crate::relay::cluster::live::new_id(), false)
            .await
    }

    /// Gives a delivery to the channel's link on this relay, else (in a cluster) to
    /// the node that holds the channel, else holds it. `from_node`: it came from
    /// another node, which already asked the cluster.
    async fn route(&self, name: &str, wire: WireRequest, id: String, from_node: bool) -> Response {
        let here = {
            let channels = self.channels.lock().expect("channels lock");
            let Some(ch) = channels.get(name) else {
                return error(404, "unknown channel");
            };
            match &ch.link {
                // Held deliveries not yet handed over go first: a live one waits its
                // turn behind them (held too), so the app gets them in order.
                Some(l) if ch.held <= ch.out.len() as u64 => Here::Link(Arc::clone(l)),
                Some(_) => Here::Behind,
                None => Here::Away,
            }
        };
        match here {
            Here::Link(link) => {
                if let Some(r) = self.exchange_here(&link, &wire).await {
                    return r;
                }
            }
            Here::Behind => {}
            Here::Away => {
                if let Some(c) = self.cluster.as_ref().filter(|_| !from_node)
                    && let Some(r) = node::across(self, c, name, &id, &wire).await
                {
                    return r;
                }
            }
        }
        self.offline(name, wire, &id).await
    }

    /// A live delivery over this relay's link: the answer for its sender, or `None`
    /// when it is to be held.
    async fn exchange_here(&self, link: &Link, wire: &WireRequest) -> Option<Response> {
        match link.exchange(wire.clone(), self.cfg.response_timeout).await {
            // An informational answer (101 above all) would hand the sender's
            // connection to whoever answered: never relayed.
            Ok(a) if a.status < 200 => Some(error(
                502,
                "the channel's client answered with an informational status, which is not relayed",
            )),
            Ok(a) => Some(Response {
                status: a.status,
                headers: crate::http::forwardable_answer(&a.headers),
                body: a.body,
            }),
            Err(LinkError::Timeout) => Some(error(
                504,
                &format!(
                    "the channel's client did not answer within {}",
                    humantime::format_duration(self.cfg.response_timeout)
                ),
            )),
            // The link is full: held, and handed over as soon as it has room.
            Err(LinkError::Busy) => None,
            // The channel changed hands while the old client had it: that
            // client's app may have it, so it is not held again for the new one.
            Err(LinkError::Gone) if link.replaced.load(Ordering::SeqCst) => Some(error(
                504,
                "the channel's client changed while it had this delivery; whether its app got it is not known",
            )),
            // Gone while it was on its way: held like any other.
            Err(LinkError::Gone) => None,
        }
    }

    async fn offline(&self, name: &str, wire: WireRequest, id: &str) -> Response {
        if self.cfg.offline == Offline::Reject {
            return with_retry_after(error(503, "no client is connected to this channel"), 30);
        }
        if let Some(c) = &self.cluster {
            return node::hold(self, c, name, id, &wire).await;
        }
        let now = i64::try_from(wire.received_at).unwrap_or(i64::MAX);
        self.expire();
        let headers = super::wire::encode_headers(&wire.headers);
        let size = (headers.len() + wire.body.len()) as u64;
        if let Err(full) = self.take_bytes(name, size) {
            return with_retry_after(error(503, full), 60);
        }
        let held = self.store(|store| {
            match store.relay_queue_len(name) {
                Ok(n) if n >= self.cfg.queue_max => return Ok(None),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
            store
                .relay_enqueue(&crate::store::NewHeld {
                    channel: name,
                    method: &wire.method,
                    target: &wire.target,
                    public_target: &wire.public_target,
                    headers: &headers,
                    body: &wire.body,
                    received_at: now,
                })
                .map(Some)
        });
        match held {
            Ok(None) => {
                self.free_bytes(name, size);
                with_retry_after(error(503, "this channel's queue is full"), 60)
            }
            Ok(Some(_)) => {
                if let Some(ch) = self.channels.lock().expect("channels lock").get_mut(name) {
                    ch.held += 1;
                    ch.wake.notify_one();
                }
                let mut r = Response::json(202, &json!({ "queued": true }));
                r.headers.push("X-Hookctl-Queued", "1");
                r
            }
            // The detail (a file's path, the system's error) is the operator's.
            Err(e) => {
                self.free_bytes(name, size);
                (self.log)(
                    &format!("channel {name}: could not hold a delivery: {e}"),
                    json!({"event": "store_error", "channel": name, "error": e.to_string()}),
                );
                with_retry_after(error(503, "the relay could not hold this delivery"), 60)
            }
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
        let (tx, rx) = mpsc::channel::<Frame>(LINK_QUEUE);
        let link = Arc::new(Link {
            id: self.next_link.fetch_add(1, Ordering::Relaxed) + 1,
            tx,
            room: Arc::new(Semaphore::new(
                LINK_BYTES.max(self.cfg.max_body + (1 << 20)),
            )),
            all_room: Arc::clone(&self.all_links_room),
            full_since: Mutex::default(),
            pending: Mutex::default(),
            seq: AtomicU64::new(0),
            replaced: Default::default(),
        });
        let claimed = match &self.cluster {
            Some(c) => node::claim(self, c, &name, &req.headers, &link).await,
            None => self.claim(&name, &req.headers, &link),
        };
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
            let _ = old.tx.try_send(Message::Text(replaced.into()).into());
        }
        let queued = match &self.cluster {
            // The holder elsewhere lets go first; then this node serves the channel.
            Some(c) => node::take_over(self, c, &name, &link).await,
            None => self.store(|s| s.relay_queue_len(&name)).unwrap_or(0),
        };
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
            if let Some(c) = &self.cluster {
                node::let_go(self, c, &name, link.id).await;
            }
            return;
        }
        self.seen(&name);
        (self.log)(
            &format!(
                "channel {name}: client connected{}{}",
                if token.is_some() {
                    " (new channel)"
                } else {
                    ""
                },
                if queued > 0 {
                    format!(
                        ", {} to hand over",
                        crate::show::plural(queued, "held delivery", "held deliveries")
                    )
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
            async move {
                match relay.cluster.clone() {
                    Some(c) => node::hand_over(&relay, &c, &name, &link).await,
                    None => relay.hand_over(&name, &link).await,
                }
            }
        });
        // Anything from the client shows it is alive; two heartbeats of silence
        // mean the link is dead.
        loop {
            // A client that keeps the link alive but does not read what it is sent
            // holds room it will never give back: the link goes, and what it had is
            // held for the next one.
            if link.stuck(heartbeat * 2) {
                (self.log)(
                    &format!("channel {name}: the client reads nothing it is sent: link dropped"),
                    json!({"event": "not_reading", "channel": name}),
                );
                break;
            }
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
                        match &self.cluster {
                            Some(c) => {
                                node::settle(
                                    self,
                                    c,
                                    &name,
                                    link.id,
                                    held,
                                    &outcome,
                                    status,
                                    reason.as_deref(),
                                )
                                .await
                            }
                            None => self.settle(
                                &name,
                                link.id,
                                held,
                                &outcome,
                                status,
                                reason.as_deref(),
                            ),
                        }
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
        if let Some(c) = &self.cluster {
            node::let_go(self, c, &name, link.id).await;
        }
        self.seen(&name);
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
                .store(|s| s.relay_create_channel(name, &hex::encode(hash)))
                .map_err(|e| {
                    (self.log)(
                        &format!("channel {name}: could not be made: {e}"),
                        json!({"event": "store_error", "channel": name, "error": e.to_string()}),
                    );
                    (1011, "the relay could not make the channel".to_string())
                })?;
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
                ch.freed += 1;
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
        if !self.settle_out(name, link, id) {
            return;
        }
        let now = now_ms();
        // A delivery whose time ran out while its client was trying it is in the
        // given-up table already: the client's word settles that too.
        let done = self.store(|store| match outcome {
            "told" => store.relay_told(id, now),
            "given_up" => store
                .relay_give_up(id, reason.unwrap_or("given up by the client"), now, true)
                .and_then(|a| Ok(a.unwrap_or(0) + store.relay_told(id, now)?)),
            _ => store
                .relay_dequeue(id)
                .and_then(|a| Ok(a + store.relay_unforget(id)?)),
        });
        if let Ok(freed) = &done {
            self.free_bytes(name, *freed);
            if outcome != "told" {
                self.count_held_of(name);
            }
        }
        if let Err(e) = done {
            (self.log)(
                &format!("channel {name}: the store failed to settle held delivery {id}: {e}"),
                json!({"event": "store_error", "channel": name, "error": e.to_string()}),
            );
            return;
        }
        if outcome != "told" {
            self.log_let_go(name, id, outcome, status, reason);
        }
    }

    /// Takes a held delivery that a client settled off its link's list; false when
    /// that link was not the one given it (a stale word from an old link about a
    /// delivery now with another is not taken).
    /// Logs a held delivery let go otherwise than delivered: given up, or refused.
    pub(crate) fn log_let_go(
        &self,
        name: &str,
        id: i64,
        outcome: &str,
        status: Option<u16>,
        reason: Option<&str>,
    ) {
        if outcome == "delivered" {
            return;
        }
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

    fn settle_out(&self, name: &str, link: u64, id: i64) -> bool {
        let mut channels = self.channels.lock().expect("channels lock");
        let Some(ch) = channels.get_mut(name) else {
            return false;
        };
        match ch.out.get(&id) {
            Some(l) if *l == link => {
                ch.out.remove(&id);
                // Room for one more on this link.
                ch.wake.notify_one();
                true
            }
            _ => false,
        }
    }

    /// Counts again what every channel holds (after the TTL gave some up).
    fn count_held(&self) {
        let Ok(counts) = self.store(|s| s.relay_queue_counts()) else {
            return;
        };
        let counts: HashMap<String, u64> = counts.into_iter().collect();
        for (name, ch) in self.channels.lock().expect("channels lock").iter_mut() {
            ch.held = counts.get(name).copied().unwrap_or(0);
        }
    }

    /// Counts again what one channel holds.
    fn count_held_of(&self, name: &str) {
        if let Ok(n) = self.store(|s| s.relay_queue_len(name))
            && let Some(ch) = self.channels.lock().expect("channels lock").get_mut(name)
        {
            ch.held = n;
        }
    }

    /// Notes that a channel has (or just had) a client.
    fn seen(&self, name: &str) {
        let now = now_ms();
        if let Some(ch) = self.channels.lock().expect("channels lock").get_mut(name) {
            ch.last_seen = now;
        }
        let _ = self.store(|s| s.relay_touch_channel(name, now));
    }

    /// Takes back a delivery marked out that could not be sent.
    fn put_back(&self, name: &str, id: i64) {
        if let Some(ch) = self.channels.lock().expect("channels lock").get_mut(name) {
            ch.out.remove(&id);
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
            // Ids by the page, each delivery's body read only when it goes out: what
            // the relay keeps in memory for a hand-over is one delivery, plus what
            // waits on the link (bounded in bytes).
            let untold = self
                .store(|s| s.relay_untold_ids(name, 64))
                .unwrap_or_default();
            for id in untold {
                match self.take_out(name, id, link.id) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => break,
                }
                let Ok(Some(g)) = self.store(|s| s.relay_untold_one(id)) else {
                    self.put_back(name, id);
                    continue;
                };
                if !self.send_held(name, link, g.queued, true, g.reason).await {
                    return;
                }
            }
            let mut after = 0;
            'pages: loop {
                let ids = match self.store(|s| s.relay_queued_ids(name, after, 256)) {
                    Ok(b) => b,
                    Err(_) => break,
                };
                if ids.is_empty() {
                    break;
                }
                for id in ids {
                    after = id;
                    match self.take_out(name, id, link.id) {
                        Some(true) => {}
                        Some(false) => continue,
                        None => break 'pages,
                    }
                    let Ok(Some(q)) = self.store(|s| s.relay_held(id)) else {
                        self.put_back(name, id);
                        continue;
                    };
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
        self.send_wire(link, req).await
    }

    /// Sends a held delivery's frame over a link, waiting for room; false when the
    /// link is gone.
    async fn send_wire(&self, link: &Link, req: WireRequest) -> bool {
        let frame = req.encode();
        // Waits for room on the link (the client reads at its own pace).
        let permit = tokio::select! {
            p = link.room_for(frame.len()) => match p {
                Some(p) => p,
                None => return false,
            },
            _ = link.tx.closed() => return false,
        };
        link.tx
            .send(Frame {
                msg: Message::Binary(frame.into()),
                _room: Some(permit),
            })
            .await
            .is_ok()
    }
}

/// The relay as an HTTP handler: `/connect` for clients, `/c/NAME/…` for senders.
pub struct RelayHandler(pub Arc<Relay>);

impl Handler for RelayHandler {
    async fn handle(&self, req: Request) -> Response {
        let path = req.target.split('?').next().unwrap_or_default();
        if let Some(c) = &self.0.cluster {
            // A channel made on another node is looked up in the cluster's registry.
            let name = if path == CONNECT_PATH {
                query_param(&req.target, "channel")
            } else {
                path.strip_prefix("/c/")
                    .map(|r| &r[..r.find('/').unwrap_or(r.len())])
            };
            if let Some(name) = name.filter(|n| valid_channel(n)) {
                node::look_up(&self.0, c, name).await;
            }
            if path == STATUS_PATH && req.method == "GET" {
                if let Err(r) = self.0.check_key(&req) {
                    return r;
                }
                return node::status_answer(&self.0, c).await;
            }
            if path == PRUNE_PATH && req.method == "POST" {
                return error(
                    501,
                    "a relay in a cluster does not prune channels yet: delete the channel's key from the channels bucket",
                );
            }
        }
        if path == CONNECT_PATH {
            return self.0.connect_answer(&req);
        }
        if path == STATUS_PATH && req.method == "GET" {
            return self.0.status_answer(&req);
        }
        if path == PRUNE_PATH && req.method == "POST" {
            return self.0.prune_answer(&req);
        }
        self.0.ingress(req).await
    }

    /// Only `/connect` becomes a link.
    async fn upgrade(&self, req: Request, io: Upgraded) {
        let path = req.target.split('?').next().unwrap_or_default();
        if path == CONNECT_PATH {
            self.0.link(req, io).await
        }
    }

    /// A delivery for an unknown channel is refused before its body is read.
    fn before_body(&self, _method: &str, target: &str, _headers: &HeaderList) -> Option<Response> {
        let rest = target.strip_prefix("/c/")?;
        let name = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
        let known = self
            .0
            .channels
            .lock()
            .expect("channels lock")
            .contains_key(name);
        // A node of a cluster looks an unknown name up in the registry first
        // (after the head; the body waits within the relay's bounds).
        (!known && self.0.cluster.is_none()).then(|| error(404, "unknown channel"))
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
