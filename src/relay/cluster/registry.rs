//! Two KV buckets every node reads: the channels (name → token hash) and who holds
//! each channel's link (name → node; the record's revision is the holder's epoch).
//!
//! async-nats' `create_key_value` asks the server for account details nats-server
//! 2.9 does not send, so a bucket is made as the stream it is (`KV_<bucket>`, as
//! the KV layout has it) and opened with `get_key_value`.

use async_nats::jetstream::{self, kv, stream};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

pub struct Registry {
    channels: kv::Store,
    owners: kv::Store,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChannelRecord {
    token_sha256: String,
    created_ms: i64,
}

/// Who holds a channel's link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Owner {
    pub node: String,
    pub link: u64,
    pub since_ms: i64,
    /// The record's revision (not stored: KV gives it).
    #[serde(skip)]
    pub epoch: u64,
}

/// How many times a claim is tried against others' at once, at most.
const CLAIM_TRIES: usize = 32;

async fn bucket(
    js: &jetstream::Context,
    name: &str,
    replicas: usize,
    history: i64,
) -> anyhow::Result<kv::Store> {
    if let Ok(s) = js.get_key_value(name).await {
        return Ok(s);
    }
    let config = stream::Config {
        name: format!("KV_{name}"),
        subjects: vec![format!("$KV.{name}.>")],
        max_messages_per_subject: history,
        max_message_size: 64 << 10,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    };
    // Another node may make it at the same time: either way it is there after.
    let _ = js.create_stream(config).await;
    Ok(js.get_key_value(name).await?)
}

impl Registry {
    pub async fn open(
        js: &jetstream::Context,
        prefix: &str,
        replicas: usize,
    ) -> anyhow::Result<Registry> {
        let p = prefix.replace('-', "_");
        Ok(Registry {
            channels: bucket(js, &format!("{p}_channels"), replicas, 1).await?,
            owners: bucket(js, &format!("{p}_owners"), replicas, 1).await?,
        })
    }

    /// Makes a channel with a token hash; false when the name is taken.
    pub async fn create(&self, channel: &str, token_sha256: &[u8; 32]) -> Result<bool, String> {
        let rec = ChannelRecord {
            token_sha256: hex::encode(token_sha256),
            created_ms: crate::clock::now_ms(),
        };
        let value = Bytes::from(serde_json::to_vec(&rec).map_err(|e| e.to_string())?);
        match self.channels.create(channel, value).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }

    /// A channel's token hash, if the channel exists.
    pub async fn channel(&self, channel: &str) -> Result<Option<[u8; 32]>, String> {
        let got = self
            .channels
            .get(channel)
            .await
            .map_err(|e| e.to_string())?;
        Ok(got.and_then(|v| parse_channel(&v)))
    }

    /// Every channel with its token hash (at most `limit`).
    pub async fn all(&self, limit: usize) -> Result<Vec<(String, [u8; 32])>, String> {
        use futures_util::TryStreamExt;
        let mut keys = self.channels.keys().await.map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        while let Some(k) = keys.try_next().await.map_err(|e| e.to_string())? {
            names.push(k);
            if names.len() >= limit {
                break;
            }
        }
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            if let Some(h) = self.channel(&n).await? {
                out.push((n, h));
            }
        }
        Ok(out)
    }

    /// Takes a channel's link for this node (newest wins): the new epoch, and the
    /// holder it replaced.
    pub async fn claim(
        &self,
        channel: &str,
        node: &str,
        link: u64,
    ) -> Result<(u64, Option<Owner>), String> {
        let me = Owner {
            node: node.to_string(),
            link,
            since_ms: crate::clock::now_ms(),
            epoch: 0,
        };
        let value = Bytes::from(serde_json::to_vec(&me).map_err(|e| e.to_string())?);
        for _ in 0..CLAIM_TRIES {
            let before = self
                .owners
                .entry(channel)
                .await
                .map_err(|e| e.to_string())?;
            let live = before
                .as_ref()
                .filter(|e| e.operation == kv::Operation::Put)
                .and_then(|e| parse_owner(&e.value, e.revision));
            let tried = match &before {
                Some(e) => self
                    .owners
                    .update(channel, value.clone(), e.revision)
                    .await
                    .map_err(|e| e.kind() == kv::UpdateErrorKind::WrongLastRevision),
                None => self
                    .owners
                    .create(channel, value.clone())
                    .await
                    .map_err(|e| e.kind() == kv::CreateErrorKind::AlreadyExists),
            };
            match tried {
                Ok(rev) => return Ok((rev, live)),
                // Another claim came first: read it and try again.
                Err(true) => continue,
                Err(false) => return Err("the owners bucket did not take the claim".into()),
            }
        }
        Err("the channel is being claimed by too many clients at once".into())
    }

    /// The channel's holder now.
    pub async fn owner(&self, channel: &str) -> Result<Option<Owner>, String> {
        let e = self
            .owners
            .entry(channel)
            .await
            .map_err(|e| e.to_string())?;
        Ok(e.filter(|e| e.operation == kv::Operation::Put)
            .and_then(|e| parse_owner(&e.value, e.revision)))
    }

    /// Lets the channel go, if this epoch still holds it.
    pub async fn release(&self, channel: &str, epoch: u64) {
        let _ = self
            .owners
            .delete_expect_revision(channel, Some(epoch))
            .await;
    }

    /// Claims as they are written: (channel, the new holder, or `None` for a
    /// channel let go).
    pub async fn watch_owners(
        &self,
    ) -> Result<impl futures_util::Stream<Item = (String, Option<Owner>)> + use<>, String> {
        use futures_util::StreamExt;
        let w = self.owners.watch_all().await.map_err(|e| e.to_string())?;
        Ok(w.take_while(|e| std::future::ready(e.is_ok()))
            .filter_map(|e| async move {
                let e = e.ok()?;
                let owner = (e.operation == kv::Operation::Put)
                    .then(|| parse_owner(&e.value, e.revision))
                    .flatten();
                Some((e.key, owner))
            }))
    }

    /// Every channel's holder.
    pub async fn owners(&self) -> Result<Vec<(String, Owner)>, String> {
        use futures_util::TryStreamExt;
        let mut keys = self.owners.keys().await.map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        while let Some(k) = keys.try_next().await.map_err(|e| e.to_string())? {
            names.push(k);
            if names.len() >= crate::relay::MAX_CHANNELS {
                break;
            }
        }
        let mut out = Vec::new();
        for n in names {
            if let Some(o) = self.owner(&n).await? {
                out.push((n, o));
            }
        }
        Ok(out)
    }
}

fn parse_channel(v: &[u8]) -> Option<[u8; 32]> {
    let rec: ChannelRecord = serde_json::from_slice(v).ok()?;
    let mut h = [0u8; 32];
    hex::decode_to_slice(&rec.token_sha256, &mut h).ok()?;
    Some(h)
}

fn parse_owner(v: &[u8], revision: u64) -> Option<Owner> {
    let mut o: Owner = serde_json::from_slice(v).ok()?;
    o.epoch = revision;
    Some(o)
}
