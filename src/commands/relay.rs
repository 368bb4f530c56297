//! `hookctl relay`: runs the relay ([`crate::relay::server`]).

use crate::cli::{ChannelsAction, GlobalArgs, OfflineArg, RelayAction, RelayArgs, RelayRemote};
use crate::envelope::profile::parse_duration;
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::server::{Limits, Server};
use crate::output::Event;
use crate::output::Output;
use crate::relay::server::{Offline, Relay, RelayConfig, RelayHandler, sha256};
use crate::settings::parse_size;
use crate::store::Store;
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Serialize)]
struct Listening<'a> {
    url: &'a str,
    bind: String,
    store: Option<String>,
    open: bool,
}

fn duration(text: &str, flag: &str) -> Result<Duration> {
    parse_duration(text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("could not read {flag}"))
}

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
fn prune(out: &Output, remote: &RelayRemote, idle: Option<&str>, names: &[String]) -> Result<Exit> {
    let idle_secs = idle
        .map(|t| duration(t, "--idle").map(|d| d.as_secs()))
        .transpose()?;
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

/// `--nats` and its credentials: how this node reaches its cluster (`None`: a
/// single relay). The password comes from the environment or a file, never a flag.
fn nats_options(n: &crate::cli::NatsArgs) -> Result<Option<crate::relay::cluster::Options>> {
    if n.nats.is_empty() {
        return Ok(None);
    }
    let secret = match &n.nats_password_file {
        Some(p) => Some(
            crate::settings::read_input(p)
                .with_context(|| format!("could not read --nats-password-file {}", p.display()))
                .map(|b| {
                    String::from_utf8_lossy(&b)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })?,
        ),
        None => std::env::var("HOOKCTL_NATS_PASSWORD").ok(),
    }
    .filter(|s| !s.is_empty());
    let (password, token) = match &n.nats_user {
        Some(_) => (secret, None),
        None => (None, secret),
    };
    Ok(Some(crate::relay::cluster::Options {
        urls: n
            .nats
            .iter()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect(),
        creds: n.nats_creds.clone(),
        user: n.nats_user.clone(),
        password,
        token,
        tls_ca: n.nats_tls_ca.clone(),
        tls_cert: n.nats_tls_cert.clone(),
        tls_key: n.nats_tls_key.clone(),
        require_tls: n.nats.iter().any(|u| u.starts_with("tls://")),
        prefix: n.nats_prefix.clone(),
        replicas: n.nats_replicas.map(usize::from),
        node: n
            .node_name
            .clone()
            .unwrap_or_else(crate::relay::cluster::default_node),
    }))
}

pub fn run(g: &GlobalArgs, out: &Output, args: RelayArgs) -> Result<Exit> {
    match &args.action {
        Some(RelayAction::Status { remote })
        | Some(RelayAction::Channels {
            action: ChannelsAction::List { remote },
        }) => return status(out, remote),
        Some(RelayAction::Channels {
            action:
                ChannelsAction::Prune {
                    remote,
                    idle,
                    names,
                },
        }) => return prune(out, remote, idle.as_deref(), names),
        None => {}
    }
    let mut max_body = parse_size(&args.max_body).context("could not read --max-body")?;
    let nats = nats_options(&args.nats)?;
    // A delivery crosses the link in one frame, its length a 32-bit number.
    if max_body > 1 << 30 {
        bail!("--max-body is at most 1GiB for a relay");
    }
    let queue_ttl = duration(&args.queue_ttl, "--queue-ttl")?;
    let queue_bytes = parse_size(&args.queue_bytes).context("could not read --queue-bytes")?;
    let channel_bytes =
        parse_size(&args.channel_bytes).context("could not read --channel-bytes")?;
    let channel_idle = duration(&args.channel_idle, "--channel-idle")?;
    let response_timeout = duration(&args.response_timeout, "--response-timeout")?;
    let heartbeat = duration(&args.heartbeat, "--heartbeat")?;
    let read_timeout = duration(&args.read_timeout, "--read-timeout")?;
    for (d, flag) in [
        (response_timeout, "--response-timeout"),
        (heartbeat, "--heartbeat"),
        (read_timeout, "--read-timeout"),
    ] {
        if d < Duration::from_millis(100) {
            bail!("{flag} must be at least 100ms");
        }
    }
    if let Some(r) = args.rate {
        crate::settings::check_range(r, 0.001..=1e7, "--rate")?;
    }
    let key = match (&args.key, &args.key_file) {
        (Some(k), _) => Some(k.trim().to_string()),
        (None, Some(path)) => Some(
            crate::settings::read_input(path)
                .with_context(|| format!("could not read --key-file {}", path.display()))
                .map(|b| {
                    String::from_utf8_lossy(&b)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })?,
        ),
        (None, None) => None,
    };
    if key.as_deref() == Some("") {
        bail!("the relay key is empty");
    }
    let max_connections = match args.max_connections {
        Some(0) => bail!("--max-connections must be at least 1"),
        Some(n) => n,
        None => crate::http::server::default_max_connections(),
    };
    let max_links = match args.max_links {
        Some(0) => bail!("--max-links must be at least 1"),
        Some(n) if n >= max_connections => {
            bail!(
                "--max-links must be below --max-connections ({max_connections}): senders need connections too"
            )
        }
        Some(n) => n,
        None => (max_connections / 2).max(1),
    };
    let store = match crate::settings::open_store(g)? {
        // A node keeps nothing another node needs in its own store.
        _ if nats.is_some() => Store::memory()?,
        Some(s) => s,
        None => {
            out.warn("--no-store: channels and held deliveries live in memory and are lost when the relay stops");
            Store::memory()?
        }
    };
    let store_path = (!g.no_store && nats.is_none()).then(|| store.path().display().to_string());
    if key.is_none() {
        out.warn("no --key: anyone who reaches this relay may create channels on it");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(8),
        )
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Set before the first line says the command is up (see `crate::sigterm`).
        let terminate = crate::sigterm();
        let listener = tokio::net::TcpListener::bind(&args.bind)
            .await
            .map_err(|e| {
                hinted(
                    format!("could not listen on {}: {e}", args.bind),
                    "pass another --bind (port 0 picks a free one)",
                )
            })?;
        let addr = listener.local_addr()?;
        // Reachable from elsewhere and open to all: only when asked for.
        if !addr.ip().is_loopback() && key.is_none() && !args.open {
            return Err(hinted(
                format!("the relay on {addr} can be reached from other machines, and has no --key: anyone could make channels on it"),
                "give it a key (--key-file PATH, or HOOKCTL_RELAY_KEY), or pass --open if that is what you want",
            ));
        }
        let cluster = match &nats {
            Some(o) => {
                let limits = crate::relay::cluster::QueueLimits {
                    per_channel: args.queue_max,
                    ttl: queue_ttl,
                    bytes: queue_bytes as u64,
                    max_body,
                };
                let c = crate::relay::cluster::Cluster::connect(o, limits)
                    .await
                    .map_err(|e| hinted(format!("{e:#}"), "is a nats-server with JetStream (-js) running at --nats?"))?;
                // A delivery crosses the cluster in one NATS message.
                if c.max_body() < max_body {
                    out.warn(&format!(
                        "the NATS servers take messages of {} bytes at most: deliveries above {} bytes are refused (413); raise max_payload in the NATS configuration to take up to --max-body",
                        c.client.server_info().max_payload,
                        c.max_body()
                    ));
                    max_body = c.max_body();
                }
                Some(Arc::new(c))
            }
            None => None,
        };
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(c), Some(k)) => Some(crate::http::tls::from_files(c, k)?),
            _ => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shown = if addr.ip().is_ipv6() {
            format!("[{}]:{}", addr.ip(), addr.port())
        } else {
            addr.to_string()
        };
        let public_url = match &args.public_url {
            Some(u) => {
                let url = crate::settings::resolve_url(u).context("could not read --public-url")?;
                url.as_str().trim_end_matches('/').to_string()
            }
            None => format!("{scheme}://{shown}"),
        };
        let mut own = vec![shown.clone(), format!("localhost:{}", addr.port())];
        if let Ok(u) = reqwest::Url::parse(&public_url) {
            own.push(crate::http::authority(&u));
        }
        let cfg = RelayConfig {
            public_url: public_url.clone(),
            own,
            max_body,
            rate: args.rate,
            queue_max: args.queue_max,
            queue_bytes: queue_bytes as u64,
            channel_bytes: channel_bytes as u64,
            max_links,
            create_per_hour: args.create_rate,
            channel_idle: Some(channel_idle).filter(|d| !d.is_zero()),
            queue_ttl,
            response_timeout,
            offline: match args.offline {
                OfflineArg::Queue => Offline::Queue,
                OfflineArg::Reject => Offline::Reject,
            },
            heartbeat,
            create_key: key.as_deref().map(|k| sha256(k.as_bytes())),
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
        if let Some(c) = &cluster {
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
        let channels = relay.channel_count();
        if out.json {
            out.record(
                Event::Listening,
                &Listening {
                    url: &public_url,
                    bind: shown.clone(),
                    store: store_path.clone(),
                    open: key.is_none(),
                },
            )?;
        } else {
            let e = out.err();
            out.note(&format!(
                "{} {}  {}",
                e.ok("relay on"),
                e.strong(&public_url),
                e.dim(&format!(
                    "({}; clients: hookctl listen --relay {public_url})",
                    crate::show::plural(channels as u64, "channel", "channels")
                ))
            ));
            out.note(&e.dim("Ctrl-C to stop"));
        }
        // Bodies being read, all connections together: a flood of large
        // deliveries waits for room instead of growing the relay's memory.
        let limits = Limits {
            max_body,
            read_timeout,
            bodies: Some(Arc::new(tokio::sync::Semaphore::new(
                crate::relay::server::BODIES_BYTES.max(max_body),
            ))),
        };
        let relay = Arc::new(relay);
        tokio::spawn(Arc::clone(&relay).maintain());
        if let Some(c) = &cluster {
            tokio::spawn(crate::relay::server::watch_owners(Arc::clone(&relay), Arc::clone(c)));
        }
        let handler = Arc::new(RelayHandler(Arc::clone(&relay)));
        let (server, shutdown) = Server::new(
            listener,
            tls.map(|t| t.acceptor),
            handler,
            limits,
            max_connections,
        );
        let serving = server.run(|w| out.warn(w));
        let exit = tokio::select! {
            _ = serving => Exit::Error,
            _ = tokio::signal::ctrl_c() => Exit::Interrupted,
            _ = terminate => Exit::Interrupted,
        };
        // Each client is told with a close frame and a reason, and connects again
        // when the relay is back.
        relay.shut_down(Duration::from_secs(2)).await;
        shutdown.close(Duration::from_secs(2)).await;
        Ok::<_, anyhow::Error>(exit)
    })
    .inspect(|_| rt.shutdown_timeout(Duration::from_secs(1)))
}
