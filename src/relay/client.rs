//! `listen --relay`: one outbound WebSocket to a relay (so it works behind NAT), over
//! which deliveries arrive and go through `listen`'s own pipeline; the answers go
//! back the same way. The link is watched by heartbeats both ways and comes back by
//! itself, with jittered backoff, after a relay restart or a network change.

use super::server::{CLOSE_GOING_AWAY, CLOSE_KEY, CLOSE_REPLACED, CLOSE_TOKEN};
use super::wire::{CONNECT_PATH, Control, PROTOCOL, WireAnswer, WireRequest};
use crate::http::server::{Io, Relayed, Request};
use crate::inbound::{HeldOutcome, Receiver};
use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Deliveries handled at once over one link.
const IN_FLIGHT: usize = 256;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Reconnection waits grow from the first to the last, each with up to half again
/// of jitter.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

pub struct ClientConfig {
    /// The relay as it prints itself (`http(s)://host:port`). Its tokens are kept
    /// under this one's origin.
    pub relay: reqwest::Url,
    /// Other nodes of the same relay cluster (`--relay URL1,URL2`), tried in turn
    /// after it when a connection fails or a link is lost.
    pub also: Vec<reqwest::Url>,
    pub channel: Option<String>,
    /// The channel's token from the environment (`HOOKCTL_RELAY_TOKEN`), else the
    /// token file's.
    pub token: Option<String>,
    /// The operator's key, for a relay that makes channels only with it.
    pub key: Option<String>,
    pub insecure: bool,
    /// The largest delivery taken.
    pub max_body: usize,
    /// How much faster than real time held deliveries are tried again.
    pub speed: f64,
}

/// What the link does, for `listen` to say.
#[derive(Debug, Clone)]
pub enum Event {
    Connected {
        url: String,
        channel: String,
        /// Deliveries the relay held while no client was connected.
        queued: u64,
        first: bool,
    },
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// The relay gave up on a held delivery (`why`); it is recorded as `stored`.
    GivenUp {
        method: String,
        target: String,
        received_at_ms: i64,
        why: String,
        stored: Option<i64>,
    },
}

/// Where tokens are kept: `$XDG_CONFIG_HOME/hookctl/relay-tokens.json` (or the
/// platform's equivalent), readable by its owner only.
pub fn token_file() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("hookctl")
        .join("relay-tokens.json")
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Tokens {
    /// By relay origin: the channel last used, and each channel's token.
    #[serde(default)]
    relays: BTreeMap<String, RelayTokens>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RelayTokens {
    #[serde(default)]
    last: Option<String>,
    #[serde(default)]
    tokens: BTreeMap<String, String>,
}

fn origin(url: &reqwest::Url) -> String {
    url.origin().ascii_serialization()
}

/// The token file; none yet reads as empty. One that cannot be read is an error, not
/// something to write over (it holds the tokens of other channels too).
fn read_tokens() -> Result<Tokens> {
    let path = token_file();
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            crate::hint::hinted(
                format!("the relay token file `{}` is damaged: {e}", path.display()),
                "move it away (its channels' tokens are lost with it), or pass HOOKCTL_RELAY_TOKEN",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Tokens::default()),
        Err(e) => Err(anyhow::anyhow!(
            "could not read the relay token file `{}`: {e}",
            path.display()
        )),
    }
}

/// The channel to ask for and its token: as given, else the one last used with this
/// relay.
fn remembered(cfg: &ClientConfig) -> Result<(Option<String>, Option<String>)> {
    let tokens = read_tokens()?;
    let here = tokens.relays.get(&origin(&cfg.relay));
    let channel = cfg
        .channel
        .clone()
        .or_else(|| here.and_then(|r| r.last.clone()));
    let token = cfg.token.clone().or_else(|| {
        channel
            .as_ref()
            .and_then(|c| here.and_then(|r| r.tokens.get(c).cloned()))
    });
    Ok((channel, token))
}

fn remember(relay: &reqwest::Url, channel: &str, token: Option<&str>) -> Result<()> {
    let path = token_file();
    let mut tokens = read_tokens()?;
    let here = tokens.relays.entry(origin(relay)).or_default();
    here.last = Some(channel.to_string());
    if let Some(t) = token {
        here.tokens.insert(channel.to_string(), t.to_string());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create `{}`", dir.display()))?;
    }
    let text = serde_json::to_vec_pretty(&tokens)?;
    let tmp = path.with_extension("json.tmp");
    {
        use std::io::Write as _;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("could not write `{}`", tmp.display()))?;
        f.write_all(&text)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)
        .with_context(|| format!("could not write `{}`", path.display()))?;
    Ok(())
}

/// Why a connection attempt failed: for good, or for now.
enum Failed {
    Fatal(String),
    /// For good, with advice.
    Hinted(String, String),
    Retry(String),
}

type Ws = WebSocketStream<Box<dyn Io>>;

async fn connect(
    cfg: &ClientConfig,
    url: &reqwest::Url,
    channel: Option<&str>,
    token: Option<&str>,
) -> Result<Ws, Failed> {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| Failed::Retry(format!("could not reach {url} within 10s")))?
    .map_err(|e| Failed::Retry(format!("could not connect to {url}: {e}")))?;
    let _ = tcp.set_nodelay(true);
    let io: Box<dyn Io> = if url.scheme() == "https" {
        let connector = crate::http::tls::connector(cfg.insecure)
            .map_err(|e| Failed::Fatal(format!("{e:#}")))?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| Failed::Fatal(format!("`{url}` has no usable host name for TLS: {e}")))?;
        Box::new(
            tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp))
                .await
                .map_err(|_| {
                    Failed::Retry(format!(
                        "the TLS handshake with {url} did not finish within 10s"
                    ))
                })?
                .map_err(|e| Failed::Fatal(format!("TLS handshake with {url} failed: {e}")))?,
        )
    } else {
        Box::new(tcp)
    };
    let ws_scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    let mut target = format!(
        "{ws_scheme}://{}{}",
        crate::http::authority(url),
        CONNECT_PATH
    );
    if let Some(c) = channel {
        target.push_str(&format!("?channel={c}"));
    }
    let mut req = target
        .into_client_request()
        .map_err(|e| Failed::Fatal(format!("`{url}` cannot be connected to: {e}")))?;
    let h = req.headers_mut();
    h.insert("Sec-WebSocket-Protocol", HeaderValue::from_static(PROTOCOL));
    if let Some(t) = token {
        let v = HeaderValue::from_str(&format!("Bearer {t}"))
            .map_err(|_| Failed::Fatal("the relay token is not a header value".into()))?;
        h.insert("Authorization", v);
    }
    if let Some(k) = &cfg.key {
        let v = HeaderValue::from_str(k)
            .map_err(|_| Failed::Fatal("the relay key is not a header value".into()))?;
        h.insert("X-Hookctl-Relay-Key", v);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(cfg.max_body + (1 << 20)))
        .max_frame_size(Some(cfg.max_body + (1 << 20)));
    let upgrade = tokio_tungstenite::client_async_with_config(req, io, Some(config));
    let Ok(upgraded) = tokio::time::timeout(CONNECT_TIMEOUT, upgrade).await else {
        return Err(Failed::Retry(format!(
            "{url} did not answer the link's upgrade within 10s"
        )));
    };
    match upgraded {
        Ok((ws, _)) => Ok(ws),
        Err(WsError::Http(resp)) => {
            let status = resp.status().as_u16();
            let said = resp
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_default();
            let msg = format!(
                "the relay refused the link ({status}){}",
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::show::escape(&said))
                }
            );
            if status == 401 {
                Err(Failed::Hinted(
                    msg,
                    format!(
                        "a channel's token is kept in {} on the machine that made it; elsewhere (CI) pass it in HOOKCTL_RELAY_TOKEN (`hookctl listen --relay {url} --channel NAME --print-token` prints it there)",
                        token_file().display()
                    ),
                ))
            } else if status == 404 && said.is_empty() {
                Err(Failed::Hinted(
                    msg,
                    format!(
                        "`{url}` does not look like a hookctl relay (`hookctl relay` prints the URL to give)"
                    ),
                ))
            } else if (400..500).contains(&status) && status != 429 {
                Err(Failed::Fatal(msg))
            } else {
                Err(Failed::Retry(msg))
            }
        }
        Err(e) => Err(Failed::Retry(format!("the link to {url} failed: {e}"))),
    }
}

/// How a link ended.
enum Ended {
    Lost(String),
    Replaced,
}

/// Held deliveries this `listen` works on, across its links: the ones being tried
/// (a relay that hands one over again meanwhile is not answered twice), and how
/// recent ones ended (said again if the relay asks again, having missed it).
struct Held {
    active: HashSet<u64>,
    settled: HashMap<u64, String>,
    order: VecDeque<u64>,
    /// The link now open, for a held delivery's word that outlives its link.
    link: Option<mpsc::Sender<Message>>,
    /// The relay's hold (`--queue-ttl`), as its welcome said.
    queue_ttl_ms: i64,
}

/// How many settled held deliveries are remembered.
const SETTLED_KEPT: usize = 10_000;

impl Held {
    /// Notes how a held delivery ended; the link to say it on, if one is open.
    fn settle(&mut self, id: u64, text: &str) -> Option<mpsc::Sender<Message>> {
        self.active.remove(&id);
        if self.settled.insert(id, text.to_string()).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > SETTLED_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.settled.remove(&old);
            }
        }
        self.link.clone()
    }
}

/// Notes how a held delivery ended and tells the relay (waiting for room on the
/// link: a word lost here would keep the delivery out with this client until the
/// link ends). With no link open, the relay hands it over again later and is told
/// then.
async fn settle(held: &Mutex<Held>, id: u64, text: String) {
    let link = held.lock().expect("held lock").settle(id, &text);
    if let Some(tx) = link {
        let _ = tx.send(Message::Text(text.into())).await;
    }
}

fn settled_text(held: u64, outcome: &str, status: Option<u16>, reason: Option<String>) -> String {
    serde_json::to_string(&Control::Settled {
        held,
        outcome: outcome.to_string(),
        status,
        reason,
    })
    .expect("serialises")
}

/// What a link needs to serve deliveries.
struct LinkCtx<'a> {
    receiver: &'a Arc<Receiver>,
    held: &'a Arc<Mutex<Held>>,
    /// Held deliveries' first attempts, in order.
    first: &'a mpsc::Sender<WireRequest>,
    on: &'a (dyn Fn(Event) + Send + Sync),
}

/// One attempt at a held delivery.
async fn try_held(
    receiver: &Receiver,
    req: &WireRequest,
    attempt: u32,
    ttl_ms: i64,
    speed: f64,
) -> Option<HeldOutcome> {
    let received_at_ms = i64::try_from(req.received_at).unwrap_or(i64::MAX);
    receiver
        .handle_relayed(Request {
            method: req.method.clone(),
            target: req.target.clone(),
            headers: req.headers.clone(),
            body: Ok(req.body.clone()),
            authority: None,
            peer: None,
            relayed: Some(Relayed {
                held: true,
                received_at_ms,
                public_target: req.public_target.clone(),
                attempt,
                hold_until_ms: received_at_ms.saturating_add(ttl_ms),
                speed,
            }),
        })
        .await
        .1
}

/// Tells the relay how a held delivery ended.
async fn settle_held(held: &Mutex<Held>, id: u64, outcome: Option<HeldOutcome>) {
    let text = match outcome {
        Some(HeldOutcome::Delivered { status }) => {
            settled_text(id, "delivered", Some(status), None)
        }
        Some(HeldOutcome::Refused { status, reason }) => {
            settled_text(id, "refused", Some(status), Some(reason))
        }
        Some(HeldOutcome::GiveUp { status, reason }) => {
            settled_text(id, "given_up", Some(status), Some(reason))
        }
        Some(HeldOutcome::Retry { .. }) | None => settled_text(id, "delivered", None, None),
    };
    settle(held, id, text).await;
}

/// Tries a held delivery again, after `wait`, until it is settled: the app has it,
/// it is refused for good, or the relay's hold ends first.
async fn retry_held(
    receiver: Arc<Receiver>,
    held: Arc<Mutex<Held>>,
    req: WireRequest,
    mut wait: Duration,
    ttl_ms: i64,
    speed: f64,
) {
    let mut attempt = 2u32;
    loop {
        tokio::time::sleep(wait).await;
        match try_held(&receiver, &req, attempt, ttl_ms, speed).await {
            Some(HeldOutcome::Retry { after }) => {
                wait = after;
                attempt = attempt.saturating_add(1);
            }
            other => return settle_held(&held, req.held, other).await,
        }
    }
}

/// Takes each held delivery's first attempt in the order the relay hands them
/// over (oldest first); one that is to be tried again goes on by itself.
async fn first_attempts(
    receiver: Arc<Receiver>,
    held: Arc<Mutex<Held>>,
    mut rx: mpsc::Receiver<WireRequest>,
    speed: f64,
) {
    while let Some(req) = rx.recv().await {
        let ttl_ms = held.lock().expect("held lock").queue_ttl_ms;
        match try_held(&receiver, &req, 1, ttl_ms, speed).await {
            Some(HeldOutcome::Retry { after }) => {
                tokio::spawn(retry_held(
                    Arc::clone(&receiver),
                    Arc::clone(&held),
                    req,
                    after,
                    ttl_ms,
                    speed,
                ));
            }
            other => settle_held(&held, req.held, other).await,
        }
    }
}

/// Serves deliveries over one link until it ends.
async fn serve(ws: Ws, ctx: &LinkCtx<'_>, heartbeat: Duration) -> Ended {
    let (sink, mut stream) = ws.split();
    let (tx, rx) = mpsc::channel::<Message>(IN_FLIGHT * 2);
    let writer = tokio::spawn(super::write_link(sink, rx, heartbeat));
    ctx.held.lock().expect("held lock").link = Some(tx.clone());
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let ended = loop {
        let next = tokio::time::timeout(heartbeat * 2, stream.next()).await;
        match next {
            Ok(Some(Ok(Message::Binary(frame)))) => {
                let req = match WireRequest::decode(&frame) {
                    Ok(r) => r,
                    Err(e) => break Ended::Lost(e.to_string()),
                };
                if req.held != 0 {
                    take_held(ctx, &tx, req).await;
                    continue;
                }
                let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
                    break Ended::Lost("closed".into());
                };
                let handler = Arc::clone(ctx.receiver);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    let resp = handler
                        .handle(Request {
                            method: req.method,
                            target: req.target,
                            headers: req.headers,
                            body: Ok(req.body),
                            authority: None,
                            peer: None,
                            relayed: Some(Relayed {
                                held: false,
                                received_at_ms: i64::try_from(req.received_at).unwrap_or(0),
                                public_target: req.public_target,
                                attempt: 1,
                                hold_until_ms: 0,
                                speed: 1.0,
                            }),
                        })
                        .await;
                    let answer = WireAnswer {
                        seq: req.seq,
                        status: resp.status,
                        headers: resp.headers,
                        body: resp.body,
                    };
                    let _ = tx.send(Message::Binary(answer.encode().into())).await;
                });
            }
            Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<Control>(&text) {
                Ok(Control::Replaced) => break Ended::Replaced,
                Ok(Control::ShuttingDown) => {
                    break Ended::Lost("the relay is shutting down".into());
                }
                _ => {}
            },
            Ok(Some(Ok(Message::Close(frame)))) => {
                let code = frame.as_ref().map(|f| u16::from(f.code));
                if code == Some(CLOSE_REPLACED) {
                    break Ended::Replaced;
                }
                if code == Some(CLOSE_GOING_AWAY) {
                    break Ended::Lost("the relay is shutting down".into());
                }
                break Ended::Lost("the relay closed the link".into());
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => break Ended::Lost(format!("the link failed: {e}")),
            Ok(None) => break Ended::Lost("the relay closed the link".into()),
            Err(_) => {
                break Ended::Lost(format!(
                    "no heartbeat from the relay in {}",
                    humantime::format_duration(heartbeat * 2)
                ));
            }
        }
    };
    {
        let mut held = ctx.held.lock().expect("held lock");
        if held.link.as_ref().is_some_and(|l| l.same_channel(&tx)) {
            held.link = None;
        }
    }
    if matches!(ended, Ended::Replaced) {
        // The deliveries this client already has are answered (its app's answer
        // goes back to their senders) before the link closes; bounded by the
        // longest a forwarded delivery may take.
        let _ = tokio::time::timeout(
            Duration::from_secs(120),
            slots.acquire_many(IN_FLIGHT as u32),
        )
        .await;
        drop(tx);
        let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    } else {
        drop(tx);
        writer.abort();
    }
    ended
}

/// A held delivery handed over: worked on (once, however often it comes), or its
/// end said again; a given-up one is recorded and acknowledged.
async fn take_held(ctx: &LinkCtx<'_>, tx: &mpsc::Sender<Message>, req: WireRequest) {
    let said = {
        let mut held = ctx.held.lock().expect("held lock");
        if let Some(text) = held.settled.get(&req.held) {
            Some(text.clone())
        } else if held.active.contains(&req.held) {
            return;
        } else {
            if !req.given_up {
                held.active.insert(req.held);
            }
            None
        }
    };
    if let Some(text) = said {
        let _ = tx.send(Message::Text(text.into())).await;
        return;
    }
    if req.given_up {
        let stored = ctx
            .receiver
            .record_given_up(
                req.method.clone(),
                req.target.clone(),
                req.headers.clone(),
                req.body.clone(),
                &req.note,
            )
            .await;
        (ctx.on)(Event::GivenUp {
            method: req.method,
            target: req.target,
            received_at_ms: i64::try_from(req.received_at).unwrap_or(0),
            why: req.note,
            stored,
        });
        let text = settled_text(req.held, "told", None, None);
        settle(ctx.held, req.held, text).await;
        return;
    }
    let _ = ctx.first.send(req).await;
}

/// Holds the channel until told to stop (the caller drops this future) or until it
/// cannot go on: a token or key refused, another client taking the channel over,
/// or a first connection that fails (a wrong URL is said at once, not retried).
pub async fn run(
    cfg: ClientConfig,
    receiver: Arc<Receiver>,
    on: impl Fn(Event) + Send + Sync,
) -> Result<()> {
    let (mut channel, mut token) = remembered(&cfg)?;
    let mut wait = BACKOFF_FIRST;
    let mut first = true;
    let held = Arc::new(Mutex::new(Held {
        active: HashSet::new(),
        settled: HashMap::new(),
        order: VecDeque::new(),
        link: None,
        queue_ttl_ms: i64::MAX,
    }));
    let (first_tx, first_rx) = mpsc::channel(1024);
    // Ends with this future's runtime.
    tokio::spawn(first_attempts(
        Arc::clone(&receiver),
        Arc::clone(&held),
        first_rx,
        cfg.speed,
    ));
    let urls: Vec<&reqwest::Url> = std::iter::once(&cfg.relay).chain(&cfg.also).collect();
    // Which of them is tried next, and how many failed in a row.
    let mut at = 0usize;
    let mut failures = 0usize;
    loop {
        let url = urls[at % urls.len()];
        let failed = match connect(&cfg, url, channel.as_deref(), token.as_deref()).await {
            Err(Failed::Fatal(m)) => bail!(m),
            Err(Failed::Hinted(m, h)) => return Err(crate::hint::hinted(m, h)),
            // A first connection tries each node once before it gives up.
            Err(Failed::Retry(_)) if first && failures + 1 < urls.len() => {
                failures += 1;
                at += 1;
                continue;
            }
            Err(Failed::Retry(m)) if first => {
                return Err(crate::hint::hinted(
                    m,
                    format!(
                        "is `{}` a hookctl relay, and is it up? (`hookctl relay` prints the URL to give; once connected, `listen` reconnects by itself)",
                        cfg.relay
                    ),
                ));
            }
            Err(Failed::Retry(m)) => m,
            Ok(mut ws) => {
                let hello = tokio::time::timeout(CONNECT_TIMEOUT, ws.next()).await;
                match hello {
                    Ok(Some(Ok(Message::Text(text)))) => {
                        match serde_json::from_str::<Control>(&text) {
                            Ok(Control::Welcome {
                                channel: c,
                                url,
                                token: new,
                                heartbeat_ms,
                                queued,
                                queue_ttl_ms,
                                ..
                            }) => {
                                if new.is_some() || channel.as_deref() != Some(&c) {
                                    remember(&cfg.relay, &c, new.as_deref())
                                        .context("could not keep the channel's token")?;
                                }
                                if new.is_some() {
                                    token = new;
                                }
                                channel = Some(c.clone());
                                wait = BACKOFF_FIRST;
                                failures = 0;
                                on(Event::Connected {
                                    url,
                                    channel: c,
                                    queued,
                                    first,
                                });
                                first = false;
                                let heartbeat =
                                    Duration::from_millis(heartbeat_ms.clamp(100, 600_000));
                                held.lock().expect("held lock").queue_ttl_ms =
                                    i64::try_from(queue_ttl_ms)
                                        .ok()
                                        .filter(|t| *t > 0)
                                        .unwrap_or(i64::MAX);
                                let ctx = LinkCtx {
                                    receiver: &receiver,
                                    held: &held,
                                    first: &first_tx,
                                    on: &on,
                                };
                                match serve(ws, &ctx, heartbeat).await {
                                    Ended::Replaced => bail!(
                                        "another `listen` took channel `{}` over: this one stops",
                                        channel.as_deref().unwrap_or_default()
                                    ),
                                    Ended::Lost(m) => m,
                                }
                            }
                            _ => format!(
                                "the relay said something this hookctl does not know: {}",
                                crate::envelope::verify::preview(&text)
                            ),
                        }
                    }
                    Ok(Some(Ok(Message::Close(Some(f))))) => {
                        let code = u16::from(f.code);
                        if code == CLOSE_TOKEN || code == CLOSE_KEY {
                            bail!(
                                "the relay refused the link: {}",
                                crate::show::escape(&f.reason)
                            );
                        }
                        format!(
                            "the relay closed the link: {}",
                            crate::show::escape(&f.reason)
                        )
                    }
                    Ok(_) => "the relay closed the link before welcoming it".to_string(),
                    Err(_) => "the relay did not welcome the link within 10s".to_string(),
                }
            }
        };
        if first {
            return Err(crate::hint::hinted(
                failed,
                format!("is `{}` a hookctl relay of this version?", cfg.relay),
            ));
        }
        // The next node in turn (a node that went away is not tried first again).
        at += 1;
        failures += 1;
        let jitter = wait.mul_f64(fastrand::f64() * 0.5);
        // Each node is tried once at the first wait before the waits grow.
        let retry_in = if failures < urls.len() {
            BACKOFF_FIRST
        } else {
            wait + jitter
        };
        on(Event::Disconnected {
            reason: failed,
            retry_in,
        });
        tokio::time::sleep(retry_in).await;
        wait = (wait * 2).min(BACKOFF_MAX);
    }
}

/// The token this machine keeps for a channel of a relay (the one last used when
/// `channel` is `None`): `(channel, token)`.
pub fn kept_token(relay: &reqwest::Url, channel: Option<&str>) -> Result<Option<(String, String)>> {
    let tokens = read_tokens()?;
    let Some(here) = tokens.relays.get(&origin(relay)) else {
        return Ok(None);
    };
    let Some(c) = channel.map(str::to_string).or_else(|| here.last.clone()) else {
        return Ok(None);
    };
    Ok(here.tokens.get(&c).map(|t| (c, t.clone())))
}
