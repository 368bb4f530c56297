//! The relay's side of a cluster: what a node does for the channels whose links it
//! holds (serve `<p>.deliver.CH`, drain `<p>.queue.CH`, let go when another node
//! takes a channel over) and for deliveries whose channel is held elsewhere.
//!
//! A child of `relay::server` (it works on the relay's own state); the NATS side
//! is in [`crate::relay::cluster`].

use super::*;
use crate::relay::cluster::Cluster;
use crate::relay::cluster::live::{self, Outcome};
use crate::relay::cluster::queue::QueueError;
use tokio::sync::watch;

/// How long a node taking a channel over waits for the old holder to let go (its
/// client answers what it has, then closes). Below `listen`'s 10 s wait for the
/// welcome.
const HANDOVER_WAIT: Duration = Duration::from_secs(5);
/// A whole take-over (claim, hand-over, subscriptions, the queue's count), at most:
/// below `listen`'s 10 s wait for its welcome.
const TAKE_OVER: Duration = Duration::from_secs(8);
/// The claim's part of it, and the parts kept for subscribing and counting.
const CLAIM_WAIT: Duration = Duration::from_secs(3);
const SERVE_WAIT: Duration = Duration::from_millis(1500);
/// How long a delivery waits for JetStream to store it, at most.
const HOLD_WAIT: Duration = Duration::from_secs(5);
const COUNT_WAIT: Duration = Duration::from_millis(500);
/// How often a holder looks at its channel's queue without being nudged (a nudge
/// lost while NATS reconnected).
const RESCAN: Duration = Duration::from_secs(2);
/// Bytes of deliveries from other nodes being handled at once, at most.
pub(super) const REMOTE_BYTES: usize = 64 << 20;

/// A channel whose link this node holds.
pub(super) struct Serving {
    link: u64,
    /// The owners record's revision this node wrote.
    epoch: u64,
    /// deliver, nudge, ctl.
    tasks: Vec<tokio::task::AbortHandle>,
    /// Dropped when the node lets the channel go (a hand-over waiting ends).
    _ended: watch::Sender<()>,
    ended: watch::Receiver<()>,
}

impl Relay {
    /// Makes this relay a node of a cluster.
    pub fn with_cluster(mut self, c: Arc<Cluster>) -> Relay {
        self.cluster = Some(c);
        self
    }

    /// Reads the cluster's channels into this node's memory; how many there are.
    pub async fn load_cluster_channels(&self) -> Result<usize, String> {
        let Some(c) = &self.cluster else {
            return Ok(self.channel_count());
        };
        let all = c.registry.all(MAX_CHANNELS).await?;
        let mut channels = self.channels.lock().expect("channels lock");
        for (name, hash) in all {
            channels
                .entry(name)
                .or_insert_with(|| Channel::new(hash, self.cfg.rate));
        }
        Ok(channels.len())
    }
}

/// Watches the owners bucket for as long as the relay runs: a channel this node
/// serves that another node claimed is let go at once, even when the other node's
/// ask (`ctl`) did not reach this one (it was cut off, or stopped, for a while).
pub async fn watch_owners(relay: Arc<Relay>, c: Arc<Cluster>) {
    use futures_util::StreamExt;
    loop {
        match c.registry.watch_owners().await {
            Ok(w) => {
                tokio::pin!(w);
                while let Some((name, owner)) = w.next().await {
                    let Some(o) = owner.filter(|o| o.node != c.node) else {
                        continue;
                    };
                    let mine = relay
                        .serving
                        .lock()
                        .expect("serving lock")
                        .get(&name)
                        .filter(|s| s.epoch < o.epoch)
                        .map(|s| s.link);
                    if let Some(link) = mine {
                        let_go_link(&relay, &name, link);
                    }
                }
            }
            Err(e) => log_error(&relay, "*", "could not watch the owners bucket", &e),
        }
        // The watch ended (NATS reconnected): again, after a moment.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn log_error(relay: &Relay, name: &str, what: &str, e: &str) {
    (relay.log)(
        &format!("channel {name}: {what}: {e}"),
        json!({"event": "cluster_error", "channel": name, "what": what, "error": e}),
    );
}

/// Knows a channel made on another node (looked up in the registry).
pub(super) async fn look_up(relay: &Relay, c: &Cluster, name: &str) {
    if relay
        .channels
        .lock()
        .expect("channels lock")
        .contains_key(name)
    {
        return;
    }
    if let Ok(Some(hash)) = c.registry.channel(name).await {
        let mut channels = relay.channels.lock().expect("channels lock");
        if channels.len() < MAX_CHANNELS {
            channels
                .entry(name.to_string())
                .or_insert_with(|| Channel::new(hash, relay.cfg.rate));
        }
    }
}

/// [`Relay::claim`] for a node: a new channel is made in the registry, where its
/// name is taken once for the whole cluster.
#[allow(clippy::type_complexity)]
pub(super) async fn claim(
    relay: &Relay,
    c: &Cluster,
    name: &str,
    headers: &HeaderList,
    link: &Arc<Link>,
) -> Result<(Option<String>, Option<Arc<Link>>), (u16, String)> {
    let claim = relay
        .check_claim(name, headers)
        .map_err(|(_, code, m)| (code, m))?;
    if matches!(claim, Claim::Existing) {
        return relay.claim(name, headers, link);
    }
    let token = new_token();
    let hash = sha256(token.as_bytes());
    match c.registry.create(name, &hash).await {
        Ok(true) => {}
        Ok(false) => return Err((CLOSE_TOKEN, format!("channel `{name}` was just taken"))),
        Err(e) => {
            log_error(relay, name, "could not be made in the registry", &e);
            return Err((1011, "the relay could not make the channel".to_string()));
        }
    }
    let mut channels = relay.channels.lock().expect("channels lock");
    let ch = channels
        .entry(name.to_string())
        .or_insert_with(|| Channel::new(hash, relay.cfg.rate));
    ch.token_hash = hash;
    Ok((Some(token), ch.link.replace(Arc::clone(link))))
}

/// Takes the channel over for `link` in the cluster: the newest claim wins, the
/// node that held it lets go (its client is told, answers what it has and
/// closes), then this node serves the channel. How many deliveries it holds.
pub(super) async fn take_over(
    relay: &Arc<Relay>,
    c: &Arc<Cluster>,
    name: &str,
    link: &Arc<Link>,
) -> u64 {
    // All of it within TAKE_OVER (the client waits 10 s for its welcome), even while
    // JetStream elects a new leader after a NATS server died.
    let deadline = tokio::time::Instant::now() + TAKE_OVER;
    let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
    let (epoch, before) =
        match tokio::time::timeout(CLAIM_WAIT, claim_retrying(c, name, link.id)).await {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => {
                log_error(relay, name, "the claim was not recorded", &e);
                (0, None)
            }
            Err(_) => {
                log_error(
                    relay,
                    name,
                    "the claim was not recorded",
                    "JetStream did not answer in time",
                );
                (0, None)
            }
        };
    let here = {
        let mut serving = relay.serving.lock().expect("serving lock");
        match serving.get_mut(name) {
            // The old link was this node's: it was told already.
            Some(s) => {
                s.link = link.id;
                s.epoch = epoch;
                true
            }
            None => false,
        }
    };
    if !here {
        if let Some(old) = before {
            let wait = HANDOVER_WAIT.min(left().saturating_sub(SERVE_WAIT + COUNT_WAIT));
            let started = Instant::now();
            let asked = c
                .client
                .send_request(
                    c.subject("ctl", name),
                    async_nats::Request::new()
                        .payload(epoch.to_string().into())
                        .timeout(Some(wait.max(Duration::from_millis(100)))),
                )
                .await;
            if let Err(e) = &asked
                && e.kind() == async_nats::client::RequestErrorKind::TimedOut
            {
                (relay.log)(
                    &format!(
                        "channel {name}: node {} did not let go within {}: taken over anyway",
                        old.node,
                        humantime::format_duration(wait)
                    ),
                    json!({"event": "handover_timeout", "channel": name, "from": old.node}),
                );
            } else if asked.is_ok()
                || asked.as_ref().is_err_and(|e| {
                    // It had let go already (its owners watch saw this claim first).
                    e.kind() == async_nats::client::RequestErrorKind::NoResponders
                })
            {
                (relay.log)(
                    &format!(
                        "channel {name}: taken over from node {} in {} ms",
                        old.node,
                        started.elapsed().as_millis()
                    ),
                    json!({"event": "taken_over", "channel": name, "from": old.node}),
                );
            }
        }
        match tokio::time::timeout(
            left().saturating_sub(COUNT_WAIT),
            serve(relay, c, name, link.id, epoch),
        )
        .await
        {
            Ok(Ok(())) => {}
            Ok(Err(e)) => log_error(relay, name, "could not subscribe in NATS", &e),
            Err(_) => log_error(
                relay,
                name,
                "could not subscribe in NATS",
                "no answer in time",
            ),
        }
        // A newer claim that asked before this node listened on ctl: let go now
        // (looked at after the welcome; the owners watch catches it too).
        if epoch != 0 {
            let (relay, c, name, id) =
                (Arc::clone(relay), Arc::clone(c), name.to_string(), link.id);
            tokio::spawn(async move {
                if let Ok(Ok(Some(o))) =
                    tokio::time::timeout(CLAIM_WAIT, c.registry.owner(&name)).await
                    && o.epoch != epoch
                {
                    let_go_link(&relay, &name, id);
                }
            });
        }
    }
    let n = tokio::time::timeout(left().max(Duration::from_millis(100)), c.queue.count(name))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    if let Some(ch) = relay.channels.lock().expect("channels lock").get_mut(name) {
        ch.held = n;
    }
    n
}

/// [`Registry::claim`], tried again while JetStream cannot answer (a leader being
/// elected); the caller bounds it.
async fn claim_retrying(
    c: &Cluster,
    name: &str,
    link: u64,
) -> Result<(u64, Option<crate::relay::cluster::registry::Owner>), String> {
    loop {
        match c.registry.claim(name, &c.node, link).await {
            Ok(x) => return Ok(x),
            Err(e) if e.contains("too many clients") => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Subscribes this node to the channel's deliveries, nudges and hand-over asks.
async fn serve(
    relay: &Arc<Relay>,
    c: &Arc<Cluster>,
    name: &str,
    link: u64,
    epoch: u64,
) -> Result<(), String> {
    let sub = |what: &'static str| {
        let c = Arc::clone(c);
        let subject = c.subject(what, name);
        async move { c.client.subscribe(subject).await.map_err(|e| e.to_string()) }
    };
    let mut deliver = sub("deliver").await?;
    let mut nudge = sub("nudge").await?;
    let mut ctl = sub("ctl").await?;
    // The servers know of this node's interest before anything is drained.
    c.client.flush().await.map_err(|e| e.to_string())?;
    let d = tokio::spawn({
        let relay = Arc::clone(relay);
        let c = Arc::clone(c);
        let name = name.to_string();
        async move {
            while let Some(msg) = deliver.next().await {
                answer_remote(&relay, &c, &name, msg);
            }
        }
    });
    let n = tokio::spawn({
        let relay = Arc::clone(relay);
        let name = name.to_string();
        async move {
            while nudge.next().await.is_some() {
                if let Some(ch) = relay.channels.lock().expect("channels lock").get_mut(&name) {
                    ch.held += 1;
                    ch.wake.notify_one();
                }
            }
        }
    });
    let k = tokio::spawn({
        let relay = Arc::clone(relay);
        let c = Arc::clone(c);
        let name = name.to_string();
        async move {
            while let Some(msg) = ctl.next().await {
                asked_to_let_go(&relay, &c, &name, msg).await;
            }
        }
    });
    let (tx, rx) = watch::channel(());
    relay.serving.lock().expect("serving lock").insert(
        name.to_string(),
        Serving {
            link,
            epoch,
            tasks: vec![d.abort_handle(), n.abort_handle(), k.abort_handle()],
            _ended: tx,
            ended: rx,
        },
    );
    Ok(())
}

/// A delivery another node took for a channel whose link is here: delivered as if
/// it had come here, and whatever this node would have answered goes back.
fn answer_remote(relay: &Arc<Relay>, c: &Arc<Cluster>, name: &str, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else {
        return;
    };
    let size = u32::try_from(msg.payload.len()).unwrap_or(u32::MAX);
    let room = Arc::clone(&relay.remote_room).try_acquire_many_owned(size.max(1));
    let relay = Arc::clone(relay);
    let c = Arc::clone(c);
    let name = name.to_string();
    tokio::spawn(async move {
        let answer = match (room, live::decode_request(&msg.payload)) {
            (Err(_), _) => with_retry_after(error(503, "the relay is busy"), 1),
            (Ok(_room), Some((id, wire))) => relay.route(&name, wire, id, true).await,
            (Ok(_), None) => error(502, "a node sent a malformed delivery"),
        };
        let mut frame = WireAnswer {
            seq: 0,
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
        }
        .encode();
        if frame.len() > c.client.max_payload() {
            let e = error(
                502,
                "the app's answer is larger than the cluster carries (NATS max_payload)",
            );
            frame = WireAnswer {
                seq: 0,
                status: e.status,
                headers: e.headers,
                body: e.body,
            }
            .encode();
        }
        let _ = c.client.publish(reply, frame.into()).await;
    });
}

/// Another node took the channel over (its claim's epoch in the message): this
/// node's client is told and answers what it has; the ask is answered once its
/// link has ended.
async fn asked_to_let_go(
    relay: &Arc<Relay>,
    c: &Arc<Cluster>,
    name: &str,
    msg: async_nats::Message,
) {
    let Some(reply) = msg.reply.clone() else {
        return;
    };
    let theirs: u64 = std::str::from_utf8(&msg.payload)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let mine = relay
        .serving
        .lock()
        .expect("serving lock")
        .get(name)
        .map(|s| (s.epoch, s.link, s.ended.clone()));
    let Some((epoch, link, mut ended)) = mine else {
        let _ = c.client.publish(reply, "released".into()).await;
        return;
    };
    if epoch >= theirs {
        let _ = c.client.publish(reply, "newer".into()).await;
        return;
    }
    let_go_link(relay, name, link);
    let c = Arc::clone(c);
    tokio::spawn(async move {
        let _ = tokio::time::timeout(HANDOVER_WAIT, ended.changed()).await;
        let _ = c.client.publish(reply, "released".into()).await;
    });
}

/// This node no longer serves the channel's deliveries: its link is told it was
/// replaced (it answers what it has, then closes).
fn let_go_link(relay: &Relay, name: &str, link: u64) {
    if let Some(s) = relay.serving.lock().expect("serving lock").get(name) {
        // deliver and nudge; ctl stays until the link ends.
        for t in s.tasks.iter().take(2) {
            t.abort();
        }
    }
    let old = {
        let mut channels = relay.channels.lock().expect("channels lock");
        let Some(ch) = channels.get_mut(name) else {
            return;
        };
        match &ch.link {
            Some(l) if l.id == link => ch.link.take(),
            _ => None,
        }
    };
    if let Some(old) = old {
        old.replaced.store(true, Ordering::SeqCst);
        let replaced = serde_json::to_string(&Control::Replaced).expect("serialises");
        let _ = old.tx.try_send(Message::Text(replaced.into()).into());
        (relay.log)(
            &format!("channel {name}: another node took the channel over"),
            json!({"event": "replaced", "channel": name}),
        );
    }
}

/// The link has ended: the node stops serving the channel and lets the claim go
/// (if no newer one replaced it).
pub(super) async fn let_go(relay: &Relay, c: &Cluster, name: &str, link: u64) {
    let gone = {
        let mut serving = relay.serving.lock().expect("serving lock");
        match serving.get(name) {
            Some(s) if s.link == link => serving.remove(name),
            _ => None,
        }
    };
    if let Some(s) = gone {
        for t in &s.tasks {
            t.abort();
        }
        c.registry.release(name, s.epoch).await;
    }
}

/// A delivery whose channel has no link here: to the node that holds it.
/// `None`: no node does (hold it).
pub(super) async fn across(
    relay: &Relay,
    c: &Cluster,
    name: &str,
    id: &str,
    wire: &WireRequest,
) -> Option<Response> {
    let timeout = relay.cfg.response_timeout + Duration::from_secs(1);
    match c.deliver(name, id, wire, timeout).await {
        Outcome::Answered(a) => Some(Response {
            status: a.status,
            headers: a.headers,
            body: a.body,
        }),
        Outcome::NoHolder => None,
        Outcome::Unknown => Some(error(
            504,
            "the relay node holding the channel did not answer in time; whether the app got this delivery is not known",
        )),
        Outcome::TooBig => Some(error(
            413,
            "this delivery is larger than the relay's cluster carries (NATS max_payload)",
        )),
        Outcome::Unavailable(e) => {
            log_error(relay, name, "could not reach the cluster", &e);
            Some(with_retry_after(
                error(503, "the relay could not reach its cluster"),
                5,
            ))
        }
    }
}

/// Holds a delivery in the cluster's queue: 202 once JetStream has stored it.
pub(super) async fn hold(
    relay: &Relay,
    c: &Cluster,
    name: &str,
    id: &str,
    wire: &WireRequest,
) -> Response {
    // Bounded while NATS reconnects or JetStream elects a leader: past it the
    // sender is told 503 (never 202 without JetStream's word).
    let held = tokio::time::timeout(HOLD_WAIT, c.queue.enqueue(name, id, wire))
        .await
        .unwrap_or_else(|_| {
            Err(QueueError::Unavailable(
                "JetStream did not confirm the delivery in time".into(),
            ))
        });
    match held {
        Ok(_) => {
            c.nudge(name).await;
            let mut r = Response::json(202, &json!({ "queued": true }));
            r.headers.push("X-Hookctl-Queued", "1");
            r
        }
        Err(QueueError::Full) => with_retry_after(error(503, "this channel's queue is full"), 60),
        Err(QueueError::TooBig) => error(
            413,
            "this delivery is larger than the relay's cluster carries (NATS max_payload)",
        ),
        Err(QueueError::Unavailable(e)) => {
            log_error(relay, name, "could not hold a delivery", &e);
            with_retry_after(error(503, "the relay could not hold this delivery"), 5)
        }
    }
}

/// Hands the channel's queue over to the link, oldest first, for as long as it
/// lasts (as [`Relay::hand_over`] does with the store).
pub(super) async fn hand_over(relay: &Relay, c: &Cluster, name: &str, link: &Link) {
    let Some((wake, mut freed)) = relay
        .channels
        .lock()
        .expect("channels lock")
        .get(name)
        .map(|ch| (Arc::clone(&ch.wake), ch.freed))
    else {
        return;
    };
    let mut cursor = 1u64;
    loop {
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if let Some(ch) = relay.channels.lock().expect("channels lock").get(name)
            && ch.freed != freed
        {
            // Another link's deliveries are free again: from the start.
            freed = ch.freed;
            cursor = 1;
        }
        loop {
            match c.queue.next(name, cursor).await {
                Ok(Some((seq, mut wire))) => {
                    let Ok(id) = i64::try_from(seq) else { return };
                    match relay.take_out(name, id, link.id) {
                        Some(true) => {}
                        Some(false) => {
                            cursor = seq + 1;
                            continue;
                        }
                        None => break,
                    }
                    cursor = seq + 1;
                    wire.seq = link.seq.fetch_add(1, Ordering::Relaxed) + 1;
                    wire.held = seq;
                    if !relay.send_wire(link, wire).await {
                        relay.put_back(name, id);
                        return;
                    }
                }
                Ok(None) => {
                    // All of it is out: live deliveries need not wait behind it.
                    if let Some(ch) = relay.channels.lock().expect("channels lock").get_mut(name) {
                        ch.held = ch.out.len() as u64;
                    }
                    break;
                }
                Err(e) => {
                    log_error(relay, name, "could not read the queue", &e);
                    break;
                }
            }
        }
        tokio::select! {
            _ = &mut woken => {}
            _ = link.tx.closed() => return,
            _ = tokio::time::sleep(RESCAN) => {}
        }
    }
}

/// A client says how a held delivery ended: it leaves the cluster's queue.
#[allow(clippy::too_many_arguments)]
pub(super) async fn settle(
    relay: &Relay,
    c: &Cluster,
    name: &str,
    link: u64,
    held: u64,
    outcome: &str,
    status: Option<u16>,
    reason: Option<&str>,
) {
    let Ok(id) = i64::try_from(held) else { return };
    if !relay.settle_out(name, link, id) {
        return;
    }
    if outcome == "told" {
        return;
    }
    if let Err(e) = c.queue.remove(held).await {
        log_error(relay, name, "could not let a held delivery go", &e);
        return;
    }
    if let Some(ch) = relay.channels.lock().expect("channels lock").get_mut(name) {
        ch.held = ch.held.saturating_sub(1);
    }
    relay.log_let_go(name, id, outcome, status, reason);
}

/// `GET /status` of a node: its channels as the cluster sees them.
pub(super) async fn status_answer(relay: &Relay, c: &Cluster) -> Response {
    let _ = relay.load_cluster_channels().await;
    let counts = c.queue.counts_all().await.unwrap_or_default();
    let owners: HashMap<String, String> = c
        .registry
        .owners()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(ch, o)| (ch, o.node))
        .collect();
    let mut list: Vec<serde_json::Value> = {
        let channels = relay.channels.lock().expect("channels lock");
        channels
            .iter()
            .map(|(name, ch)| {
                json!({
                    "channel": name,
                    "connected": owners.contains_key(name),
                    "node": owners.get(name),
                    "here": ch.link.is_some(),
                    "held": counts.get(name).copied().unwrap_or(0),
                    "given_up_last_day": 0,
                    "given_up_untold": 0,
                })
            })
            .collect()
    };
    list.sort_by(|a, b| a["channel"].as_str().cmp(&b["channel"].as_str()));
    Response::json(
        200,
        &json!({
            "relay": "hookctl",
            "protocol": PROTOCOL,
            "queue_ttl_secs": relay.cfg.queue_ttl.as_secs(),
            "node": c.node,
            "cluster": c.status().await,
            "channels": list,
        }),
    )
}
