//! `hookctl relay`: runs the relay ([`crate::relay::server`]), alone or as a node of
//! a cluster over NATS, and asks a running one for its state. Resolve
//! (`settings::relay`) → serve through the shared shell (`http::serve`) → render.

use crate::Exit;
use crate::cli::{GlobalArgs, RelayArgs, RelayRemote};
use crate::hint::hinted;
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::serve;
use crate::http::server::{Limits, Server};
use crate::output::Event;
use crate::output::Output;
use crate::output::listen::Listening;
use crate::relay::cluster::Cluster;
use crate::relay::server::{Relay, RelayConfig, RelayHandler, sha256};
use crate::settings::relay::{RelaySettings, Serve};
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use std::time::Duration;

/// Asks a running relay, as its operator, at `path` (with a JSON body: a POST); its
/// JSON answer.
fn ask(
    remote: &RelayRemote,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<serde_json::Value> {
    let base = crate::settings::resolve_url(&remote.relay).context("could not read --relay")?;
    let Some(key) = remote
        .key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Err(hinted(
            "this needs the relay's key",
            "pass --key, or set HOOKCTL_RELAY_KEY",
        ));
    };
    let url = base.join(path).context("could not read --relay")?;
    let client = HttpClient::new(&ClientOptions::new(remote.insecure, 1))?;
    let mut headers = crate::envelope::HeaderList::new();
    headers.push("X-Hookctl-Relay-Key", key);
    let (method, bytes) = match body {
        Some(b) => {
            headers.push("Content-Type", "application/json");
            ("POST", bytes::Bytes::from(serde_json::to_vec(&b)?))
        }
        None => ("GET", bytes::Bytes::new()),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sent = rt
        .block_on(client.send(method, &url, &headers, bytes, Duration::from_secs(10)))
        .map_err(|e| {
            hinted(
                format!("could not reach the relay at {base}: {e}"),
                "is `hookctl relay` running there?",
            )
        })?;
    let answer: serde_json::Value = serde_json::from_slice(&sent.body).map_err(|_| {
        hinted(
            format!("{base} answered {} with no JSON", sent.status),
            "is it a hookctl relay?",
        )
    })?;
    if sent.status != 200 {
        let said = answer["error"].as_str().unwrap_or("no reason given");
        bail!(
            "the relay refused ({}): {}",
            sent.status,
            crate::show::escape(said)
        );
    }
    Ok(answer)
}

/// `hookctl relay channels prune`.
fn prune(
    out: &Output,
    remote: &RelayRemote,
    idle: Option<Duration>,
    names: &[String],
) -> Result<Exit> {
    let idle_secs = idle.map(|d| d.as_secs());
    let answer = ask(
        remote,
        crate::relay::wire::PRUNE_PATH,
        Some(serde_json::json!({"channels": names, "idle_secs": idle_secs})),
    )?;
    if out.json {
        out.record(Event::Pruned, &answer)?;
        return Ok(Exit::Success);
    }
    let deleted = answer["deleted"].as_array().cloned().unwrap_or_default();
    for d in &deleted {
        let dropped = d["dropped"].as_u64().unwrap_or(0);
        out.line(&format!(
            "deleted {}{}",
            crate::show::escape(d["channel"].as_str().unwrap_or_default()),
            if dropped > 0 {
                format!(" and the {dropped} deliveries it held")
            } else {
                String::new()
            }
        ))?;
    }
    for k in answer["kept"].as_array().into_iter().flatten() {
        out.warn(&format!(
            "kept {}: {}",
            crate::show::escape(k["channel"].as_str().unwrap_or_default()),
            crate::show::escape(k["why"].as_str().unwrap_or_default())
        ));
    }
    if deleted.is_empty() {
        out.note("no channel deleted");
    }
    Ok(Exit::Success)
}

/// `hookctl relay status`: asks a running relay for its state (`GET /status`).
fn status(out: &Output, remote: &RelayRemote) -> Result<Exit> {
    let body = ask(remote, crate::relay::wire::STATUS_PATH, None)?;
    if out.json {
        out.record(Event::RelayStatus, &body)?;
        return Ok(Exit::Success);
    }
    let s = out.out();
    let channels = body["channels"].as_array().cloned().unwrap_or_default();
    if let Some(c) = body.get("cluster").filter(|c| c.is_object()) {
        out.line(&format!(
            "node {}  cluster: NATS {} ({}){}, {} JetStream replicas, {} channels held by nodes",
            crate::output::escape(c["node"].as_str().unwrap_or_default()),
            crate::output::escape(c["nats_server"].as_str().unwrap_or_default()),
            crate::output::escape(c["nats_version"].as_str().unwrap_or_default()),
            if c["nats_connected"] == true {
                ""
            } else {
                " disconnected"
            },
            c["replicas"].as_u64().unwrap_or(0),
            c["owners"].as_array().map_or(0, |o| o.len()),
        ))?;
    }
    out.line(&s.dim(&format!(
        "{}; held deliveries are kept {}",
        crate::show::plural(channels.len() as u64, "channel", "channels"),
        humantime::format_duration(Duration::from_secs(
            body["queue_ttl_secs"].as_u64().unwrap_or(0)
        ))
    )))?;
    for c in channels {
        let name = crate::show::escape(c["channel"].as_str().unwrap_or_default());
        let state = if c["connected"] == true {
            s.ok("connected")
        } else {
            s.warn("away")
        };
        let held = c["held"].as_u64().unwrap_or(0);
        let oldest = c["oldest_held_secs"]
            .as_i64()
            .map(|secs| {
                format!(
                    ", the oldest for {}",
                    humantime::format_duration(Duration::from_secs(secs.unsigned_abs()))
                )
            })
            .unwrap_or_default();
        let state = match c["node"].as_str() {
            Some(n) => format!("{state} (node {})", crate::output::escape(n)),
            None => state.to_string(),
        };
        let given = c["given_up_last_day"].as_u64().unwrap_or(0);
        let untold = c["given_up_untold"].as_u64().unwrap_or(0);
        out.line(&format!(
            "{name}  {state}  {held} held{oldest}  {given} given up in the last day{}",
            if untold > 0 {
                format!(" ({untold} not yet told to a client)")
            } else {
                String::new()
            }
        ))?;
    }
    Ok(Exit::Success)
}

pub fn run(g: &GlobalArgs, out: &Output, args: RelayArgs) -> Result<Exit> {
    match crate::settings::relay::resolve(g, args)? {
        RelaySettings::Status { remote } => status(out, &remote),
        RelaySettings::Prune {
            remote,
            idle,
            names,
        } => prune(out, &remote, idle, &names),
        RelaySettings::Serve(s) => {
            for w in &s.warnings {
                out.warn(w);
            }
            let rt = serve::runtime()?;
            rt.block_on(serve_until_stopped(out, *s))
                .inspect(|_| rt.shutdown_timeout(Duration::from_secs(1)))
        }
    }
}

/// Binds, connects the cluster when there is one, says where the relay is, and
/// serves until a signal says stop; then tells every link, and lets answers in
/// flight go out.
async fn serve_until_stopped(out: &Output, mut s: Serve) -> Result<Exit> {
    // Set before the first line says the command is up.
    let stop = serve::stop_requested();
    let listener = tokio::net::TcpListener::bind(&s.bind).await.map_err(|e| {
        hinted(
            format!("could not listen on {}: {e}", s.bind),
            "pass another --bind (port 0 picks a free one)",
        )
    })?;
    let addr = listener.local_addr()?;
    // Reachable from elsewhere and open to all: only when asked for.
    if !addr.ip().is_loopback() && s.key.is_none() && !s.open {
        return Err(hinted(
            format!(
                "the relay on {addr} can be reached from other machines, and has no --key: anyone could make channels on it"
            ),
            "give it a key (--key-file PATH, or HOOKCTL_RELAY_KEY), or pass --open if that is what you want",
        ));
    }
    let cluster = match s.nats.take() {
        Some(o) => Some(connect(out, &o, &mut s).await?),
        None => None,
    };
    let (tls, _) = serve::tls(&s.tls, addr)?;
    let shown = serve::shown_addr(addr);
    let public_url = match &s.public_url {
        Some(u) => u.as_str().trim_end_matches('/').to_string(),
        None => format!("{}://{shown}", if tls.is_some() { "https" } else { "http" }),
    };
    let mut own = vec![shown.clone(), format!("localhost:{}", addr.port())];
    if let Ok(u) = reqwest::Url::parse(&public_url) {
        own.push(crate::http::authority(&u));
    }
    let store = s.store.take().context("the relay's store is taken once")?;
    let relay = relay(out, &s, store, public_url.clone(), own, cluster.as_ref()).await?;
    say_listening(out, &s, &public_url, &shown, relay.channel_count())?;
    // Bodies being read, all connections together: a flood of large deliveries
    // waits for room instead of growing the relay's memory.
    let limits = Limits {
        max_body: s.max_body,
        read_timeout: s.read_timeout,
        bodies: Some(Arc::new(tokio::sync::Semaphore::new(
            crate::relay::server::BODIES_BYTES.max(s.max_body),
        ))),
    };
    let relay = Arc::new(relay);
    tokio::spawn(Arc::clone(&relay).maintain());
    if let Some(c) = &cluster {
        tokio::spawn(crate::relay::server::watch_owners(
            Arc::clone(&relay),
            Arc::clone(c),
        ));
    }
    let handler = Arc::new(RelayHandler(Arc::clone(&relay)));
    let (server, shutdown) = Server::new(
        listener,
        tls.map(|t| t.acceptor),
        handler,
        limits,
        s.max_connections,
    );
    let exit = tokio::select! {
        _ = server.run(|w| out.warn(w)) => Exit::Error,
        _ = stop => Exit::Interrupted,
    };
    // Each client is told with a close frame and a reason, and connects again when
    // the relay is back.
    relay.shut_down(serve::GRACE).await;
    shutdown.close(serve::GRACE).await;
    Ok(exit)
}

/// This node's cluster over NATS. A delivery crosses it in one NATS message, so
/// `--max-body` comes down to what the servers take, with a warning.
async fn connect(
    out: &Output,
    o: &crate::relay::cluster::Options,
    s: &mut Serve,
) -> Result<Arc<Cluster>> {
    let limits = crate::relay::cluster::QueueLimits {
        per_channel: s.queue_max,
        ttl: s.queue_ttl,
        bytes: s.queue_bytes,
        max_body: s.max_body,
    };
    let c = Cluster::connect(o, limits).await.map_err(|e| {
        hinted(
            format!("{e:#}"),
            "is a nats-server with JetStream (-js) running at --nats?",
        )
    })?;
    if c.max_body() < s.max_body {
        out.warn(&format!(
            "the NATS servers take messages of {} bytes at most: deliveries above {} bytes are refused (413); raise max_payload in the NATS configuration to take up to --max-body",
            c.client.server_info().max_payload,
            c.max_body()
        ));
        s.max_body = c.max_body();
    }
    Ok(Arc::new(c))
}

/// The relay, its log rendered as it writes it, and (on a node) the cluster's
/// channels read.
async fn relay(
    out: &Output,
    s: &Serve,
    store: crate::store::Store,
    public_url: String,
    own: Vec<String>,
    cluster: Option<&Arc<Cluster>>,
) -> Result<Relay> {
    let cfg = RelayConfig {
        public_url,
        own,
        max_body: s.max_body,
        rate: s.rate,
        queue_max: s.queue_max,
        queue_bytes: s.queue_bytes,
        channel_bytes: s.channel_bytes,
        max_links: s.max_links,
        create_per_hour: s.create_per_hour,
        channel_idle: s.channel_idle,
        queue_ttl: s.queue_ttl,
        response_timeout: s.response_timeout,
        offline: s.offline,
        heartbeat: s.heartbeat,
        create_key: s.key.as_deref().map(|k| sha256(k.as_bytes())),
    };
    let log_out = out.clone();
    let mut relay = Relay::new(
        cfg,
        store,
        Box::new(move |text, record| {
            if log_out.json {
                let _ = log_out.record(Event::Relay, &record);
            } else {
                log_out.note(&log_out.err().dim(text));
            }
        }),
    )?;
    if let Some(c) = cluster {
        relay = relay.with_cluster(Arc::clone(c));
        relay
            .load_cluster_channels()
            .await
            .map_err(|e| anyhow::anyhow!("could not read the cluster's channels: {e}"))?;
        out.note(&format!(
            "node {} of a cluster over NATS ({}, {} JetStream replicas)",
            c.node,
            c.client.server_info().server_name,
            c.replicas
        ));
    }
    Ok(relay)
}

/// The first line: where the relay is, and how clients reach it.
fn say_listening(
    out: &Output,
    s: &Serve,
    public_url: &str,
    bind: &str,
    channels: usize,
) -> Result<()> {
    if out.json {
        return Ok(out.record(
            Event::Listening,
            &Listening {
                url: public_url,
                store: s.store_path.as_deref(),
                bind: Some(bind.to_string()),
                open: Some(s.key.is_none()),
                ..Listening::default()
            },
        )?);
    }
    let e = out.err();
    out.note(&format!(
        "{} {}  {}",
        e.ok("relay on"),
        e.strong(public_url),
        e.dim(&format!(
            "({}; clients: hookctl listen --relay {public_url})",
            crate::show::plural(channels as u64, "channel", "channels")
        ))
    ));
    out.note(&e.dim("Ctrl-C to stop"));
    Ok(())
}
