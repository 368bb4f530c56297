//! Relay nodes that share channels over NATS (`hookctl relay --nats URL,…`).
//!
//! Nodes never talk to each other directly. What one node needs of another goes
//! through NATS, in four places:
//!
//! - [`registry`]: the channels and their token hashes (KV bucket `<p>_channels`),
//!   and who holds each channel's link (KV bucket `<p>_owners`, one record per
//!   channel whose revision is the holder's epoch: newest wins by compare-and-swap);
//! - [`queue`]: the held queue, one JetStream subject per channel (`<p>.queue.CH`
//!   in stream `<P>_QUEUE`), bounded per channel and deduplicated by delivery id;
//! - [`live`]: a delivery taken by a node that does not hold the channel crosses to
//!   the node that does by request-reply on `<p>.deliver.CH`, and the app's answer
//!   comes back the same way;
//! - `<p>.ctl.CH` (hand-over: the old holder lets go before the new one drains) and
//!   `<p>.nudge.CH` (something was queued for the channel).
//!
//! Debian's nats-server 2.9 is enough; `create_key_value` of async-nats asks the
//! server for what 2.9 does not send, so the KV buckets are made as the streams they
//! are and opened with `get_key_value`.

pub mod live;
pub mod queue;
pub mod registry;

use anyhow::{Context, Result, bail};
use async_nats::jetstream;
use std::path::PathBuf;
use std::time::Duration;

/// How to reach the NATS servers, from `relay`'s flags.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub urls: Vec<String>,
    pub creds: Option<PathBuf>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub require_tls: bool,
    /// Subject and bucket prefix (`hookctl`): several relays may share a NATS.
    pub prefix: String,
    /// JetStream replicas for the queue and the buckets; `None`: 3 on a cluster of
    /// three servers or more, else 1.
    pub replicas: Option<usize>,
    /// This node's name (in `relay status` and the owners bucket).
    pub node: String,
}

/// What the queue keeps, from `relay`'s flags.
#[derive(Debug, Clone, Copy)]
pub struct QueueLimits {
    pub per_channel: u64,
    pub ttl: Duration,
    pub bytes: u64,
    pub max_body: usize,
}

/// How long a node waits at start for JetStream to be ready, at most.
const JETSTREAM_WAIT: Duration = Duration::from_secs(20);

/// Room a delivery's frame needs beyond its body (method, paths, headers).
pub const FRAME_ROOM: usize = 64 << 10;

/// A relay node's connection to the cluster.
pub struct Cluster {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub queue: queue::Queue,
    pub registry: registry::Registry,
    pub prefix: String,
    pub node: String,
    pub replicas: usize,
}

/// A prefix is one NATS token and part of a bucket name.
pub fn valid_prefix(p: &str) -> bool {
    (1..=32).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A name for this node: the host's, and a few random letters (two relays on one
/// host are two nodes).
pub fn default_node() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "relay".into());
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    let tail: String = (0..6)
        .map(|_| (b'a' + fastrand::u8(..26)) as char)
        .collect();
    format!("{host}-{tail}")
}

impl Cluster {
    /// Connects, and makes the queue stream and the buckets if this is the first node.
    pub async fn connect(opts: &Options, limits: QueueLimits) -> Result<Cluster> {
        if !valid_prefix(&opts.prefix) {
            bail!(
                "--nats-prefix `{}` must be 1 to 32 lowercase letters, digits, `_` or `-`",
                opts.prefix
            );
        }
        let mut co = async_nats::ConnectOptions::new()
            .name(format!("hookctl-relay {}", opts.node))
            .ping_interval(Duration::from_secs(10))
            .connection_timeout(Duration::from_secs(5))
            .request_timeout(Some(Duration::from_secs(10)))
            // A burst of deliveries for one channel waits here, not without bound.
            .subscription_capacity(4096)
            .client_capacity(4096);
        if let Some(path) = &opts.creds {
            co = co.credentials_file(path).await.with_context(|| {
                format!(
                    "could not read the NATS credentials file {}",
                    path.display()
                )
            })?;
        }
        match (&opts.user, &opts.password) {
            (Some(u), Some(p)) => co = co.user_and_password(u.clone(), p.clone()),
            (Some(_), None) => bail!(
                "--nats-user needs a password: set HOOKCTL_NATS_PASSWORD or pass --nats-password-file"
            ),
            _ => {}
        }
        if let Some(t) = &opts.token {
            co = co.token(t.clone());
        }
        if let Some(ca) = &opts.tls_ca {
            co = co.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let (Some(c), Some(k)) = (&opts.tls_cert, &opts.tls_key) {
            co = co.add_client_certificate(c.clone(), k.clone());
        }
        if opts.require_tls {
            co = co.require_tls(true);
        }
        let urls: Vec<async_nats::ServerAddr> = opts
            .urls
            .iter()
            .map(|u| {
                u.parse::<async_nats::ServerAddr>()
                    .with_context(|| format!("could not read the NATS URL `{u}`"))
            })
            .collect::<Result<_>>()?;
        let client = tokio::time::timeout(Duration::from_secs(15), co.connect(urls))
            .await
            .map_err(|_| anyhow::anyhow!("no NATS server answered within 15s"))?
            .map_err(|e| anyhow::anyhow!("could not connect to NATS: {e}"))?;
        let replicas = match opts.replicas {
            Some(n) => n,
            None => default_replicas(&client).await,
        };
        let js = jetstream::new(client.clone());
        // A cluster just started may still be electing its JetStream leader: the
        // stream and buckets are tried again for a while before giving up.
        let until = std::time::Instant::now() + JETSTREAM_WAIT;
        let (queue, registry) = loop {
            let tried = async {
                let q = queue::Queue::open(&js, &opts.prefix, replicas, limits)
                    .await
                    .context("could not open the held queue in JetStream (is JetStream enabled on the NATS servers?)")?;
                let r = registry::Registry::open(&js, &opts.prefix, replicas)
                    .await
                    .context("could not open the channel buckets in JetStream")?;
                anyhow::Ok((q, r))
            }
            .await;
            match tried {
                Ok(x) => break x,
                Err(e) if std::time::Instant::now() > until => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        };
        Ok(Cluster {
            client,
            js,
            registry,
            prefix: opts.prefix.clone(),
            node: opts.node.clone(),
            replicas: queue.replicas().max(1),
            queue,
        })
    }

    /// The largest delivery body that crosses NATS in one message.
    pub fn max_body(&self) -> usize {
        self.client
            .server_info()
            .max_payload
            .saturating_sub(FRAME_ROOM)
    }

    pub fn subject(&self, what: &str, channel: &str) -> String {
        format!("{}.{what}.{channel}", self.prefix)
    }

    /// Whether the node is connected to a NATS server now.
    pub fn connected(&self) -> bool {
        matches!(
            self.client.connection_state(),
            async_nats::connection::State::Connected
        )
    }

    /// "Something was queued for `channel`": its holder drains it now.
    pub async fn nudge(&self, channel: &str) {
        let _ = self
            .client
            .publish(self.subject("nudge", channel), bytes::Bytes::new())
            .await;
    }

    /// What `relay status` shows of the cluster.
    pub async fn status(&self) -> serde_json::Value {
        let info = self.client.server_info();
        let owners = self.registry.owners().await.unwrap_or_default();
        serde_json::json!({
            "node": self.node,
            "nats_connected": self.connected(),
            "nats_server": info.server_name,
            "nats_version": info.version,
            "nats_servers_known": info.connect_urls.len().max(1),
            "max_payload": info.max_payload,
            "replicas": self.replicas,
            "prefix": self.prefix,
            "owners": owners.into_iter().map(|(c, o)| serde_json::json!({"channel": c, "node": o.node, "epoch": o.epoch})).collect::<Vec<_>>(),
        })
    }
}

/// Three replicas on a cluster of three servers or more, else one. The servers a
/// client is told of (this one among them) arrive as the cluster's routes form: a
/// clustered server is given a few seconds to name three.
async fn default_replicas(client: &async_nats::Client) -> usize {
    let until = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let info = client.server_info();
        if info.connect_urls.len() >= 3 {
            return 3;
        }
        if info.cluster.is_none() || std::time::Instant::now() > until {
            return 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The JetStream error code of an error, if it carries one.
pub(crate) fn js_code(e: &(dyn std::error::Error + 'static)) -> Option<u64> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(j) = err.downcast_ref::<jetstream::Error>() {
            return Some(j.error_code().0);
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_node_names() {
        assert!(valid_prefix("hookctl"));
        assert!(valid_prefix("team_a-2"));
        for bad in ["", "Caps", "a.b", "a*", "a>", "a b", &"x".repeat(33)] {
            assert!(!valid_prefix(bad), "{bad}");
        }
        let n = default_node();
        assert!(n.len() > 7 && n.is_ascii(), "{n}");
        assert_ne!(n, default_node());
    }
}
