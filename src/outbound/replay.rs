//! A recorded delivery sent again: re-signing it, and recording the replay linked to
//! its original. Shared by `hookctl replay` and the web inspector.

use crate::clock::now_unix;
use crate::envelope::{HeaderList, Profile, Secret, SignInput};
use crate::http::client::{SendError, Sent};
use crate::store::{Direction, NewAttempt, NewDelivery, State, Store, StoredDelivery};
use anyhow::{Context, Result};

/// Signs `body` afresh (a new timestamp, the delivery id kept) and puts the profile's
/// headers over `headers`, in place where they are already, at the end where not.
pub fn resign(
    headers: &mut HeaderList,
    d: &StoredDelivery,
    p: &Profile,
    secrets: &[Secret],
    url: &reqwest::Url,
    body: &[u8],
) -> Result<()> {
    let id = match &d.delivery_id {
        Some(id) => id.clone(),
        None => p.new_id(now_unix())?,
    };
    let vars = p.render_vars(d.event.as_deref(), &id, now_unix())?;
    let path = crate::http::path_and_query(url);
    let fresh = p
        .sign(
            secrets,
            &SignInput {
                body,
                event: d.event.as_deref(),
                id: &id,
                timestamp: now_unix(),
                method: &d.method,
                path: &path,
                vars: &vars,
            },
        )
        .with_context(|| format!("could not re-sign delivery {}", d.id))?;
    for (n, v) in fresh.iter() {
        if headers.contains(n) {
            headers.set(n, v);
        } else {
            headers.push(n, v);
        }
    }
    Ok(())
}

/// Records a replay of `d` and its one attempt; the replay's store id.
#[allow(clippy::too_many_arguments)]
pub fn record(
    store: &Store,
    d: &StoredDelivery,
    profile: Option<&str>,
    url: &reqwest::Url,
    headers: &HeaderList,
    body: &[u8],
    started_at: String,
    result: &Result<Sent, SendError>,
) -> Result<i64> {
    let delivered = matches!(result, Ok(s) if (200..300).contains(&s.status));
    let (status, latency, error) = match result {
        Ok(s) => (Some(s.status), Some(s.latency.as_secs_f64() * 1e3), None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let id = store
        .insert_delivery(&NewDelivery {
            direction: Direction::Out,
            source: "replay",
            profile,
            event: d.event.as_deref(),
            delivery_id: d.delivery_id.as_deref(),
            method: &d.method,
            url: url.as_str(),
            headers,
            body,
            valid: None,
            reason: None,
            duplicate: false,
            replay_of: Some(d.id),
            state: if delivered {
                State::Delivered
            } else {
                State::Failed
            },
        })
        .context("could not record the replay")?;
    store
        .add_attempt(
            id,
            &NewAttempt {
                number: 1,
                started_at,
                request_headers: Some(headers),
                status,
                latency_ms: latency,
                error: error.as_deref(),
                response_headers: result.as_ref().ok().map(|s| &s.headers),
                response_body: result.as_ref().ok().map(|s| &s.body[..]),
            },
        )
        .context("could not record the replay")?;
    Ok(id)
}
