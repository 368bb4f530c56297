//! Load: every request its own event (fresh id, timestamp and signature), sent by
//! `concurrency` workers on up to four single-threaded runtimes, optionally paced,
//! shuffled or repeated; counts and latencies summed up at the end. Prints nothing:
//! the caller renders the `Summary` (and may pass a progress bar to tick).

use crate::clock::now_unix;
use crate::envelope::{BuiltEvent, HeaderList};
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::conn::Conn;
use crate::outbound::{Draft, Plan, Prepared};
use crate::store::{BatchWriter, Direction, Recorded, RecordedAttempt, State, Store, now_rfc3339};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a load run is told to do, checked by `settings::send`.
#[derive(Debug, Clone)]
pub struct Load {
    /// How many requests (`None`: until `duration` ends).
    pub count: Option<u64>,
    pub duration: Option<Duration>,
    pub concurrency: usize,
    /// Requests per second over all workers.
    pub rate: Option<f64>,
    /// The share of requests that repeat an earlier one (same id and signature).
    pub duplicate_rate: f64,
    /// Make every request first, then send them in a shuffled order.
    pub shuffle: bool,
    pub timeout: Duration,
    pub insecure: bool,
}

#[derive(Default)]
struct WorkerStats {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
    duplicates: u64,
}

#[derive(Serialize)]
pub struct Latency {
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub p50: f64,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub p90: f64,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub p99: f64,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub max: f64,
}

#[derive(Serialize)]
pub struct Summary {
    pub sent: u64,
    pub ok: u64,
    pub non_2xx: u64,
    pub errors: u64,
    pub duplicates: u64,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub elapsed_secs: f64,
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub rate: f64,
    pub latency_ms: Option<Latency>,
    pub statuses: BTreeMap<u16, u64>,
    pub error_kinds: BTreeMap<String, u64>,
    pub stored: Option<u64>,
    /// What the store had to say while recording, for the caller to render.
    #[serde(skip)]
    pub warnings: Vec<crate::store::StoreWarning>,
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1] as f64 / 1000.0
}

/// A pre-made request for `--shuffle`, and whether it repeats an earlier one.
type Slot = std::sync::Mutex<Option<(Prepared, bool)>>;

/// What the workers share.
struct Shared {
    plan: Plan,
    client: HttpClient,
    next: AtomicU64,
    count: u64,
    deadline: Option<Instant>,
    start: Instant,
    rate: Option<f64>,
    duplicate_rate: f64,
    timeout: Duration,
    queue: Option<Vec<Slot>>,
    writer: Option<BatchWriter>,
    progress: Option<indicatif::ProgressBar>,
}

/// Runs the load and sums it up. `progress` is ticked once per request sent.
pub fn run(
    plan: Plan,
    load: &Load,
    store: Option<Store>,
    progress: Option<indicatif::ProgressBar>,
) -> Result<Summary> {
    let count = load.count.unwrap_or(u64::MAX);
    let client = HttpClient::new(&ClientOptions::new(load.insecure, load.concurrency))?;
    // --shuffle: make every request first (duplicates included), then reorder them.
    let queue = if load.shuffle {
        let mut made: Vec<(Prepared, bool)> = Vec::with_capacity(count as usize);
        for i in 0..count {
            if i > 0 && fastrand::f64() < load.duplicate_rate {
                let (p, _) = made[fastrand::usize(..made.len())].clone();
                made.push((p, true));
            } else {
                made.push((plan.prepare(None, now_unix())?, false));
            }
        }
        fastrand::shuffle(&mut made);
        Some(
            made.into_iter()
                .map(|m| std::sync::Mutex::new(Some(m)))
                .collect(),
        )
    } else {
        None
    };
    let start = Instant::now();
    let shared = Shared {
        plan,
        client,
        next: AtomicU64::new(0),
        count,
        deadline: load.duration.map(|d| start + d),
        start,
        rate: load.rate,
        duplicate_rate: load.duplicate_rate,
        timeout: load.timeout,
        queue,
        writer: store.map(BatchWriter::start).transpose()?,
        progress,
    };
    // One single-threaded runtime per OS thread, each driving its share of the
    // workers: no work stealing, no cross-thread wake-ups on the hot path.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(load.concurrency)
        .min(4);
    let shared = Arc::new(shared);
    let results: Vec<Result<WorkerStats>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let sh = Arc::clone(&shared);
                let workers =
                    load.concurrency / threads + usize::from(t < load.concurrency % threads);
                scope.spawn(move || -> Vec<Result<WorkerStats>> {
                    let rt = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(e) => return vec![Err(e.into())],
                    };
                    rt.block_on(async {
                        let tasks: Vec<_> = (0..workers)
                            .map(|_| tokio::spawn(worker(Arc::clone(&sh))))
                            .collect();
                        let mut out = Vec::new();
                        for t in tasks {
                            out.push(t.await.map_err(anyhow::Error::from).and_then(|r| r));
                        }
                        out
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![Err(anyhow::anyhow!("a load thread panicked"))])
            })
            .collect()
    });
    let elapsed = start.elapsed();
    let shared = Arc::into_inner(shared).expect("every worker has finished");
    if let Some(p) = &shared.progress {
        p.finish_and_clear();
    }
    let finished = shared
        .writer
        .map(BatchWriter::finish)
        .transpose()
        .context("could not record the deliveries")?;
    let mut stats = Vec::new();
    for r in results {
        stats.push(r.context("a load worker failed")?);
    }
    let stored = finished.as_ref().map(|f| f.written);
    let mut summary = summarise(stats, elapsed, stored);
    summary.warnings = finished.map(|f| f.warnings).unwrap_or_default();
    Ok(summary)
}

async fn worker(sh: Arc<Shared>) -> Result<WorkerStats> {
    let mut stats = WorkerStats::default();
    let mut recent: Vec<Prepared> = Vec::new();
    let mut conn = (sh.plan.url.scheme() == "http").then(|| Conn::new(&sh.plan.url));
    // Fresh events are made in one draft, its memory reused from one to the next.
    let signer = sh.plan.signer()?;
    let mut draft = Draft::default();
    let mut held: Prepared;
    loop {
        let i = sh.next.fetch_add(1, Ordering::Relaxed);
        if i >= sh.count || sh.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if let Some(rate) = sh.rate {
            // Within RATES and a bounded count, so the offset is finite and in range.
            let offset = Duration::try_from_secs_f64(i as f64 / rate)
                .unwrap_or(crate::envelope::profile::MAX_DURATION);
            let Some(at) = sh.start.checked_add(offset) else {
                break;
            };
            if sh.deadline.is_some_and(|d| at >= d) {
                break;
            }
            tokio::time::sleep_until(at.into()).await;
        }
        let (built, headers, body, duplicate): (&BuiltEvent, &HeaderList, &[u8], bool) =
            match &sh.queue {
                Some(q) => {
                    let (p, duplicate) = q[i as usize]
                        .lock()
                        .expect("queue lock")
                        .take()
                        .expect("each slot is taken once");
                    held = p;
                    if duplicate && sh.plan.profile.timestamped() {
                        held.headers = sh.plan.sign(&held.built, &held.body, now_unix())?;
                    }
                    (&held.built, &held.headers, &held.body, duplicate)
                }
                None if !recent.is_empty() && fastrand::f64() < sh.duplicate_rate => {
                    held = recent[fastrand::usize(..recent.len())].clone();
                    if sh.plan.profile.timestamped() {
                        held.headers = sh.plan.sign(&held.built, &held.body, now_unix())?;
                    }
                    (&held.built, &held.headers, &held.body, true)
                }
                None => {
                    sh.plan
                        .prepare_into(&signer, false, now_unix(), &mut draft)?;
                    if sh.duplicate_rate > 0.0 {
                        if recent.len() >= 64 {
                            recent.swap_remove(fastrand::usize(..recent.len()));
                        }
                        let b = &draft.built;
                        recent.push(Prepared {
                            // The body goes in `body` alone, as `Plan::prepare` leaves it.
                            built: BuiltEvent {
                                event: b.event.clone(),
                                id: b.id.clone(),
                                timestamp: b.timestamp,
                                vars: b.vars.clone(),
                                body: Vec::new(),
                            },
                            body: Bytes::copy_from_slice(&b.body),
                            headers: draft.headers.clone(),
                        });
                    }
                    (&draft.built, &draft.headers, &draft.built.body, false)
                }
            };
        if duplicate {
            stats.duplicates += 1;
        }
        let started_at = sh.writer.as_ref().map(|_| now_rfc3339());
        let result = match conn.as_mut() {
            Some(c) => {
                c.send(
                    &sh.plan.method,
                    headers,
                    body,
                    sh.timeout,
                    sh.writer.is_some(),
                )
                .await
            }
            None => {
                sh.client
                    .send(
                        &sh.plan.method,
                        &sh.plan.url,
                        headers,
                        Bytes::copy_from_slice(body),
                        sh.timeout,
                    )
                    .await
            }
        };
        let mut attempt = RecordedAttempt {
            number: 1,
            started_at: started_at.unwrap_or_default(),
            ..RecordedAttempt::default()
        };
        let state = match &result {
            Ok(sent) => {
                stats
                    .latencies_us
                    .push(sent.latency.as_micros().min(u32::MAX as u128) as u32);
                *stats.statuses.entry(sent.status).or_default() += 1;
                attempt.status = Some(sent.status);
                attempt.latency_ms = Some(sent.latency.as_secs_f64() * 1e3);
                if (200..300).contains(&sent.status) {
                    State::Delivered
                } else {
                    State::Failed
                }
            }
            Err(e) => {
                let kind = match e {
                    crate::http::client::SendError::Timeout(_) => "timeout",
                    crate::http::client::SendError::Connect { .. } => "connection",
                    crate::http::client::SendError::Tls { .. } => "tls",
                    crate::http::client::SendError::Other { .. } => "other",
                };
                *stats.errors.entry(kind.to_string()).or_default() += 1;
                attempt.error = Some(e.to_string());
                State::Failed
            }
        };
        if let Some(w) = &sh.writer {
            let rec = Recorded {
                direction: Direction::Out,
                source: "send",
                profile: Some(sh.plan.profile.name.clone()),
                event: Some(built.event.clone()),
                delivery_id: Some(built.id.clone()),
                method: sh.plan.method.clone(),
                url: sh.plan.url.to_string(),
                // A token or password is not recorded.
                headers: crate::envelope::profile::without_shared_secret(&sh.plan.profile, headers)
                    .unwrap_or_else(|| headers.clone()),
                body: Bytes::copy_from_slice(body),
                valid: None,
                reason: None,
                duplicate,
                state,
                attempts: vec![attempt],
                arrival: None,
                attempt_of: None,
            };
            if !w.send(rec).await {
                bail!("the store writer stopped");
            }
        }
        if let Some(p) = &sh.progress {
            p.inc(1);
        }
    }
    Ok(stats)
}

fn summarise(stats: Vec<WorkerStats>, elapsed: Duration, stored: Option<u64>) -> Summary {
    let mut lat: Vec<u32> = Vec::new();
    let mut statuses = BTreeMap::new();
    let mut errors = BTreeMap::new();
    let mut duplicates = 0;
    for s in stats {
        lat.extend(s.latencies_us);
        for (k, v) in s.statuses {
            *statuses.entry(k).or_insert(0) += v;
        }
        for (k, v) in s.errors {
            *errors.entry(k).or_insert(0) += v;
        }
        duplicates += s.duplicates;
    }
    lat.sort_unstable();
    let ok: u64 = statuses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum();
    let answered: u64 = statuses.values().sum();
    let error_count: u64 = errors.values().sum();
    let sent = answered + error_count;
    let secs = elapsed.as_secs_f64();
    Summary {
        sent,
        ok,
        non_2xx: answered - ok,
        errors: error_count,
        duplicates,
        elapsed_secs: secs,
        rate: if secs > 0.0 { sent as f64 / secs } else { 0.0 },
        latency_ms: (!lat.is_empty()).then(|| Latency {
            p50: percentile(&lat, 50.0),
            p90: percentile(&lat, 90.0),
            p99: percentile(&lat, 99.0),
            max: *lat.last().expect("not empty") as f64 / 1000.0,
        }),
        statuses,
        error_kinds: errors,
        stored,
        warnings: Vec::new(),
    }
}
