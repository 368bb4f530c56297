//! `hookctl send --count N`: load mode. Every request is its own event (fresh id,
//! timestamp and signature); a summary of counts and latencies follows.

use crate::Exit;
use crate::cli::{GlobalArgs, LoadArgs};
use crate::envelope::profile::parse_duration;
use crate::envelope::{BuiltEvent, HeaderList};
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::conn::Conn;
use crate::outbound::{Draft, Plan, Prepared};
use crate::output::Output;
use crate::settings::{now_unix, open_store};
use crate::store::{BatchWriter, Direction, Recorded, RecordedAttempt, State, now_rfc3339};

/// The request rates `--rate` takes, per second.
const RATES: std::ops::RangeInclusive<f64> = 0.001..=10_000_000.0;
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
struct WorkerStats {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
    duplicates: u64,
}

#[derive(Serialize)]
struct Latency {
    #[serde(serialize_with = "crate::output::ser_round3")]
    p50: f64,
    #[serde(serialize_with = "crate::output::ser_round3")]
    p90: f64,
    #[serde(serialize_with = "crate::output::ser_round3")]
    p99: f64,
    #[serde(serialize_with = "crate::output::ser_round3")]
    max: f64,
}

#[derive(Serialize)]
struct Summary {
    sent: u64,
    ok: u64,
    non_2xx: u64,
    errors: u64,
    duplicates: u64,
    #[serde(serialize_with = "crate::output::ser_round3")]
    elapsed_secs: f64,
    #[serde(serialize_with = "crate::output::ser_round3")]
    rate: f64,
    latency_ms: Option<Latency>,
    statuses: BTreeMap<u16, u64>,
    error_kinds: BTreeMap<String, u64>,
    stored: Option<u64>,
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

pub fn run(
    g: &GlobalArgs,
    out: &Output,
    plan: Plan,
    load: &LoadArgs,
    timeout: Duration,
    insecure: bool,
) -> Result<Exit> {
    let duration = load
        .duration
        .as_deref()
        .map(|d| {
            parse_duration(d)
                .map_err(anyhow::Error::msg)
                .context("could not read --duration")
        })
        .transpose()?;
    let count = load.count.unwrap_or(u64::MAX);
    if count == 0 {
        bail!("--count must be at least 1");
    }
    if load.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    if !(0.0..=1.0).contains(&load.duplicate_rate) {
        bail!("--duplicate-rate is a share between 0 and 1");
    }
    if let Some(rate) = load.rate {
        crate::settings::check_range(rate, RATES, "--rate")?;
    }
    if load.shuffle && load.count.is_none() {
        bail!("--shuffle needs --count: the events are made up front, then reordered");
    }
    let store = open_store(g)?;
    let client = HttpClient::new(&ClientOptions::new(insecure, load.concurrency))?;
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
    let progress = (!out.json
        && !out.quiet
        && std::io::IsTerminal::is_terminal(&std::io::stderr()))
    .then(|| {
        let bar = match load.count {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} sent  {per_sec}  {elapsed_precise}  {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let start = Instant::now();
    let shared = Shared {
        plan,
        client,
        next: AtomicU64::new(0),
        count,
        deadline: duration.map(|d| start + d),
        start,
        rate: load.rate,
        duplicate_rate: load.duplicate_rate,
        timeout,
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
    let stored = shared
        .writer
        .map(BatchWriter::finish)
        .transpose()
        .context("could not record the deliveries")?
        .map(|f| {
            for w in &f.warnings {
                crate::output::warning::render(out, w);
            }
            f.written
        });
    let mut stats = Vec::new();
    for r in results {
        stats.push(r.context("a load worker failed")?);
    }
    summarise(out, stats, elapsed, stored)
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
                headers: crate::envelope::schemes::without_shared_secret(&sh.plan.profile, headers)
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

fn summarise(
    out: &Output,
    stats: Vec<WorkerStats>,
    elapsed: Duration,
    stored: Option<u64>,
) -> Result<Exit> {
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
    let summary = Summary {
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
    };
    if out.json {
        out.record("result", &summary)?;
    } else if out.quiet {
        out.line(&format!(
            "sent {} in {:.2} s ({:.0} req/s): 2xx {}, non-2xx {}, errors {}",
            summary.sent, secs, summary.rate, summary.ok, summary.non_2xx, summary.errors
        ))?;
    } else {
        let s = out.out();
        out.line(&format!(
            "sent {} in {:.2} s  ({:.0} req/s)",
            summary.sent, secs, summary.rate
        ))?;
        let ok_text = format!("2xx {}", summary.ok);
        out.line(&format!(
            "  {}   non-2xx {}   errors {}   duplicates {}",
            if summary.ok == summary.sent {
                s.ok(&ok_text)
            } else {
                ok_text
            },
            summary.non_2xx,
            summary.errors,
            summary.duplicates
        ))?;
        if let Some(l) = &summary.latency_ms {
            out.line(&format!(
                "  latency  p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
                l.p50, l.p90, l.p99, l.max
            ))?;
        }
        let hist: Vec<String> = summary
            .statuses
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        if !hist.is_empty() {
            out.line(&format!("  statuses {}", hist.join("   ")))?;
        }
        let errs: Vec<String> = summary
            .error_kinds
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        if !errs.is_empty() {
            out.line(&format!("  errors   {}", s.fail(&errs.join("   "))))?;
        }
        if let Some(n) = summary.stored {
            out.note(&s.dim(&format!(
                "recorded {} in the store",
                crate::output::plural(n, "delivery", "deliveries")
            )));
        }
    }
    Ok(if summary.ok == summary.sent && summary.sent > 0 {
        Exit::Success
    } else {
        Exit::Negative
    })
}
