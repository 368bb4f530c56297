//! `relay`'s flags → what a relay (or a node of a cluster) serves with: every
//! limit checked, the key read, the NATS options gathered. Every check of what was
//! typed happens here.

use crate::cli::{ChannelsAction, GlobalArgs, OfflineArg, RelayAction, RelayArgs, RelayRemote};
use crate::http::serve::TlsFrom;
use crate::relay::server::Offline;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use std::time::Duration;

pub enum RelaySettings {
    /// `relay status`, `relay channels list`: ask a running relay.
    Status {
        remote: RelayRemote,
    },
    /// `relay channels prune`.
    Prune {
        remote: RelayRemote,
        idle: Option<Duration>,
        names: Vec<String>,
    },
    Serve(Box<Serve>),
}

pub struct Serve {
    pub bind: String,
    pub public_url: Option<reqwest::Url>,
    pub tls: TlsFrom,
    /// Reachable from other machines without a key, as asked (`--open`).
    pub open: bool,
    /// Who may make channels (`--key`, `--key-file`).
    pub key: Option<String>,
    pub max_body: usize,
    pub rate: Option<f64>,
    pub queue_max: u64,
    pub queue_ttl: Duration,
    pub queue_bytes: u64,
    pub channel_bytes: u64,
    pub max_links: usize,
    pub create_per_hour: u32,
    pub channel_idle: Option<Duration>,
    pub response_timeout: Duration,
    pub offline: Offline,
    pub heartbeat: Duration,
    pub read_timeout: Duration,
    pub max_connections: usize,
    /// `--nats`: a node of a cluster.
    pub nats: Option<crate::relay::cluster::Options>,
    /// Channels and held deliveries: the store, or memory (`--no-store`, a node);
    /// taken by the relay when it starts.
    pub store: Option<Store>,
    /// The store's path, when it is a file.
    pub store_path: Option<String>,
    pub warnings: Vec<String>,
}

pub fn resolve(g: &GlobalArgs, args: RelayArgs) -> Result<RelaySettings> {
    match args.action {
        Some(RelayAction::Status { remote })
        | Some(RelayAction::Channels {
            action: ChannelsAction::List { remote },
        }) => return Ok(RelaySettings::Status { remote }),
        Some(RelayAction::Channels {
            action:
                ChannelsAction::Prune {
                    remote,
                    idle,
                    names,
                },
        }) => {
            let idle = idle
                .as_deref()
                .map(|t| {
                    crate::envelope::units::parse_duration(t)
                        .map_err(anyhow::Error::msg)
                        .context("could not read --idle")
                })
                .transpose()?;
            return Ok(RelaySettings::Prune {
                remote,
                idle,
                names,
            });
        }
        None => {}
    }
    let nats = nats_options(&args.nats)?;
    // A delivery crosses the link in one frame, its length a 32-bit number.
    if args.max_body > 1 << 30 {
        bail!("--max-body is at most 1GiB for a relay");
    }
    for (d, flag) in [
        (args.response_timeout, "--response-timeout"),
        (args.heartbeat, "--heartbeat"),
        (args.read_timeout, "--read-timeout"),
    ] {
        if d < Duration::from_millis(100) {
            bail!("{flag} must be at least 100ms");
        }
    }
    if let Some(r) = args.rate {
        super::check_range(r, 0.001..=1e7, "--rate")?;
    }
    let key = match (&args.key, &args.key_file) {
        (Some(k), _) => Some(k.trim().to_string()),
        (None, Some(path)) => Some(first_line(path, "--key-file")?),
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
    let public_url = args
        .public_url
        .as_deref()
        .map(|u| super::resolve_url(u).context("could not read --public-url"))
        .transpose()?;
    let mut warnings = Vec::new();
    let store = match super::open_store(g)? {
        // A node keeps nothing another node needs in its own store.
        _ if nats.is_some() => Store::memory()?,
        Some(s) => s,
        None => {
            warnings.push("--no-store: channels and held deliveries live in memory and are lost when the relay stops".to_string());
            Store::memory()?
        }
    };
    let store_path = (!g.no_store && nats.is_none()).then(|| store.path().display().to_string());
    if key.is_none() {
        warnings
            .push("no --key: anyone who reaches this relay may create channels on it".to_string());
    }
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => TlsFrom::Files { cert, key },
        _ => TlsFrom::Off,
    };
    Ok(RelaySettings::Serve(Box::new(Serve {
        bind: args.bind,
        public_url,
        tls,
        open: args.open,
        key,
        max_body: args.max_body,
        rate: args.rate,
        queue_max: args.queue_max,
        queue_ttl: args.queue_ttl,
        queue_bytes: args.queue_bytes as u64,
        channel_bytes: args.channel_bytes as u64,
        max_links,
        create_per_hour: args.create_rate,
        channel_idle: Some(args.channel_idle).filter(|d| !d.is_zero()),
        response_timeout: args.response_timeout,
        offline: match args.offline {
            OfflineArg::Queue => Offline::Queue,
            OfflineArg::Reject => Offline::Reject,
        },
        heartbeat: args.heartbeat,
        read_timeout: args.read_timeout,
        max_connections,
        nats,
        store: Some(store),
        store_path,
        warnings,
    })))
}

/// A file's first line, trimmed: a key or a password kept in a file.
fn first_line(path: &std::path::Path, flag: &str) -> Result<String> {
    super::read_input(path)
        .with_context(|| format!("could not read {flag} {}", path.display()))
        .map(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
}

/// `--nats` and its credentials: how this node reaches its cluster (`None`: a
/// single relay). The password comes from the environment or a file, never a flag.
fn nats_options(n: &crate::cli::NatsArgs) -> Result<Option<crate::relay::cluster::Options>> {
    if n.nats.is_empty() {
        return Ok(None);
    }
    let secret = match &n.nats_password_file {
        Some(p) => Some(first_line(p, "--nats-password-file")?),
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
