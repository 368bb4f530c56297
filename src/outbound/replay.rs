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

/// One replay, made ready before any is sent.
pub struct Job<'a> {
    pub d: &'a StoredDelivery,
    pub url: reqwest::Url,
    pub headers: HeaderList,
    pub body: Vec<u8>,
    pub profile: Option<Profile>,
    pub timeout: std::time::Duration,
    pub edited: bool,
    pub resign: bool,
}

/// How one replay went.
#[derive(Debug, serde::Serialize)]
pub struct Replayed {
    pub original: i64,
    /// The replay's store id, when it was recorded.
    pub id: Option<i64>,
    pub event: Option<String>,
    pub url: String,
    pub resigned: bool,
    pub edited: bool,
    pub status: Option<u16>,
    #[serde(serialize_with = "crate::envelope::units::ser_round3_opt")]
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    pub delivered: bool,
}

/// Sends every job, up to `concurrency` at once, and records each (when `store` is
/// given) in the order given, whatever order the answers came in.
pub async fn send_all(
    jobs: &[Job<'_>],
    client: &crate::http::client::HttpClient,
    concurrency: usize,
    store: Option<&Store>,
) -> Result<Vec<Replayed>> {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, job) in jobs.iter().enumerate() {
        let (client, slots) = (client.clone(), std::sync::Arc::clone(&slots));
        let sending = send_one(job, &client);
        set.spawn(async move {
            let _slot = slots.acquire_owned().await;
            let (started_at, result) = sending.await;
            (i, started_at, result)
        });
    }
    let mut sent = Vec::with_capacity(jobs.len());
    while let Some(done) = set.join_next().await {
        sent.push(done.context("a replay task failed")?);
    }
    sent.sort_by_key(|(i, _, _)| *i);
    let mut results = Vec::with_capacity(jobs.len());
    for (job, (_, started_at, result)) in jobs.iter().zip(sent) {
        results.push(finish(job, started_at, &result, store)?);
    }
    Ok(results)
}

/// Sends one job: when it started, and how it went.
pub fn send_one(
    job: &Job<'_>,
    client: &crate::http::client::HttpClient,
) -> impl std::future::Future<Output = (String, Result<Sent, SendError>)> + Send + 'static {
    let client = client.clone();
    let (method, url, headers) = (job.d.method.clone(), job.url.clone(), job.headers.clone());
    let (body, timeout) = (bytes::Bytes::from(job.body.clone()), job.timeout);
    async move {
        let started_at = crate::store::now_rfc3339();
        let result = client.send(&method, &url, &headers, body, timeout).await;
        (started_at, result)
    }
}

/// One replay's result, recorded when `store` is given.
pub fn finish(
    job: &Job<'_>,
    started_at: String,
    result: &Result<Sent, SendError>,
    store: Option<&Store>,
) -> Result<Replayed> {
    let mut replayed = outcome(job, result);
    if let Some(store) = store {
        replayed.id = Some(record_job(store, job, started_at, result)?);
    }
    Ok(replayed)
}

/// How a replay went, before it is recorded.
pub fn outcome(job: &Job<'_>, result: &Result<Sent, SendError>) -> Replayed {
    let delivered = matches!(result, Ok(s) if (200..300).contains(&s.status));
    let (status, latency_ms, error) = match result {
        Ok(s) => (Some(s.status), Some(s.latency.as_secs_f64() * 1e3), None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    Replayed {
        original: job.d.id,
        id: None,
        event: job.d.event.clone(),
        url: job.url.to_string(),
        resigned: job.resign,
        edited: job.edited,
        status,
        latency_ms,
        error,
        delivered,
    }
}

/// Records a replay job and its one attempt; a token or password is not recorded.
pub fn record_job(
    store: &Store,
    job: &Job<'_>,
    started_at: String,
    result: &Result<Sent, SendError>,
) -> Result<i64> {
    let masked = job
        .profile
        .as_ref()
        .and_then(|p| crate::envelope::profile::without_shared_secret(p, &job.headers));
    record(
        store,
        job.d,
        job.profile.as_ref().map(|p| p.name.as_str()),
        &job.url,
        masked.as_ref().unwrap_or(&job.headers),
        &job.body,
        started_at,
        result,
    )
}
