//! `hookctl replay`: recorded deliveries sent again.

use crate::cli::{GlobalArgs, ReplayArgs};
use crate::envelope::profile::parse_duration;
use crate::envelope::{HeaderList, Profile};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::resolve_url;
use crate::output::{Output, escape};
use crate::settings::{Config, SecretRequest, signing_secrets};
use crate::settings::{require_store, rfc3339_ago};
use crate::store::{Store, StoredDelivery, now_rfc3339};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde::Serialize;
use std::io::IsTerminal;
use std::time::Duration;
use tabled::{Table, Tabled, settings::Style};

#[derive(Serialize)]
struct Replayed {
    original: i64,
    id: Option<i64>,
    event: Option<String>,
    url: String,
    resigned: bool,
    edited: bool,
    status: Option<u16>,
    #[serde(serialize_with = "crate::output::ser_round3_opt")]
    latency_ms: Option<f64>,
    error: Option<String>,
    delivered: bool,
}

#[derive(Tabled)]
struct Row {
    original: i64,
    replay: String,
    event: String,
    url: String,
    result: String,
}

fn select(store: &Store, args: &ReplayArgs, out: &Output) -> Result<Vec<StoredDelivery>> {
    if !args.ids.is_empty() {
        return args
            .ids
            .iter()
            .map(|id| {
                store.find(id)?.map(|(d, _)| d).ok_or_else(|| {
                    hinted(
                        format!("no delivery `{}` in the store", crate::output::escape(id)),
                        "`hookctl deliveries list` shows store ids and delivery ids",
                    )
                })
            })
            .collect();
    }
    let since = args
        .since
        .as_deref()
        .map(|s| rfc3339_ago(s, "--since"))
        .transpose()?;
    let event = args
        .event
        .as_deref()
        .map(crate::glob::EventGlob::new)
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("could not read --event")?;
    let direction = args.direction.map(|d| {
        if d == crate::cli::DirectionArg::In {
            "in"
        } else {
            "out"
        }
    });
    let failed = store.failed_deliveries(direction, since.as_deref(), event.as_ref())?;
    if args.failed {
        return Ok(failed);
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !out.json {
        if failed.is_empty() {
            bail!("no failed deliveries to replay");
        }
        let shown: Vec<String> = failed
            .iter()
            .map(|d| {
                format!(
                    "{:>5}  {}  {}  {}",
                    d.id,
                    &d.created_at[..19.min(d.created_at.len())],
                    d.event.as_deref().unwrap_or("-"),
                    d.last_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into())
                )
            })
            .collect();
        let chosen = dialoguer::MultiSelect::with_theme(&dialoguer::theme::SimpleTheme)
            .with_prompt("Failed deliveries to send again (space selects, enter sends)")
            .items(&shown)
            .interact()
            .context("could not ask which deliveries to replay")?;
        return Ok(chosen.into_iter().map(|i| failed[i].clone()).collect());
    }
    Err(hinted(
        "nothing to replay: give delivery ids, or --failed",
        "`hookctl deliveries list --status failed` shows the failed ones",
    ))
}

fn edit(body: &[u8], id: i64) -> Result<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("hookctl-replay-{}-{id}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("body.json");
    std::fs::write(&file, body)?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .with_context(|| format!("could not start the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` failed ({status}); delivery {id} was not replayed");
    }
    let edited = std::fs::read(&file)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(edited)
}

/// One replay, made ready before any is sent.
struct Job<'a> {
    d: &'a StoredDelivery,
    url: reqwest::Url,
    headers: HeaderList,
    body: Vec<u8>,
    profile: Option<Profile>,
    timeout: Duration,
    edited: bool,
}

pub fn run(g: &GlobalArgs, out: &Output, args: ReplayArgs) -> Result<Exit> {
    let config = Config::load(g.config.as_deref())?;
    let store = require_store(g, "replay")?;
    let chosen = select(&store, &args, out)?;
    if chosen.is_empty() {
        out.note("no deliveries to replay");
        return Ok(Exit::Success);
    }
    let to = args.to.as_deref().map(resolve_url).transpose()?;
    // Said before anything is sent: a received delivery has no target of its own.
    let received: Vec<String> = chosen
        .iter()
        .filter(|d| d.direction != "out")
        .map(|d| d.id.to_string())
        .collect();
    if to.is_none() && !received.is_empty() {
        return Err(hinted(
            format!(
                "{} received by `listen` (store id {}), so without a target of their own",
                if received.len() == 1 {
                    "a delivery was"
                } else {
                    "deliveries were"
                },
                received.join(", ")
            ),
            "pass --to URL (your app), or --direction out for the ones you sent",
        ));
    }
    let record = !store.is_read_only();
    if !record {
        out.warn(&format!(
            "the store `{}` is read-only: the replays are sent but not recorded",
            store.path().display()
        ));
    }
    let client = HttpClient::new(&ClientOptions::new(args.insecure, args.concurrency.max(1)))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut results = Vec::new();
    let mut warned = std::collections::HashSet::new();
    let mut jobs: Vec<Job> = Vec::with_capacity(chosen.len());
    for d in &chosen {
        let url = match (&to, d.direction.as_str()) {
            (Some(u), _) => u.clone(),
            (None, "out") => resolve_url(&d.url)?,
            (None, _) => {
                return Err(hinted(
                    format!(
                        "delivery {} was received by `listen`, so it has no target of its own",
                        d.id
                    ),
                    "pass --to URL",
                ));
            }
        };
        let profile: Option<Profile> = match args.profile.as_deref().or(d.profile.as_deref()) {
            Some(name) => Some(
                config
                    .catalog
                    .get(name)
                    .with_context(|| format!("could not load the profile of delivery {}", d.id))?,
            ),
            None => None,
        };
        // In order, less what belonged to the original connection.
        let mut headers: HeaderList = crate::http::forwardable(&d.headers);
        let original = d.body.clone();
        let body = if args.edit {
            edit(&original, d.id)?
        } else {
            original.clone()
        };
        let edited = body != original;
        if args.resign {
            let Some(p) = &profile else {
                return Err(hinted(
                    format!("delivery {} has no profile to re-sign with", d.id),
                    "pass --profile NAME",
                ));
            };
            let secrets = signing_secrets(
                &SecretRequest {
                    args: &args.secrets,
                    config: &config,
                    stdin_used: false,
                },
                p,
            )?;
            crate::replay::resign(&mut headers, d, p, &secrets, &url, &body)?;
        } else if let Some(p) = profile.as_ref().filter(|p| p.signature.is_some()) {
            if p.timestamped() && warned.insert(p.name.clone()) {
                out.warn(&format!("profile `{}` signs a timestamp: a receiver that checks it will reject a byte-exact replay as stale; --resign signs it afresh", p.name));
            }
            if edited {
                out.warn(&format!(
                    "the body of delivery {} changed but its signature did not: pass --resign",
                    d.id
                ));
            }
        }
        let timeout = match &args.timeout {
            Some(t) => parse_duration(t)
                .map_err(anyhow::Error::msg)
                .context("could not read --timeout")?,
            None => profile
                .as_ref()
                .map(|p| p.retry.timeout)
                .unwrap_or(Duration::from_secs(30)),
        };
        jobs.push(Job {
            d,
            url,
            headers,
            body,
            profile,
            timeout,
            edited,
        });
    }
    // Sent up to --concurrency at once; recorded and shown in the order chosen.
    let sent = rt.block_on(async {
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for (i, job) in jobs.iter().enumerate() {
            let (client, slots) = (client.clone(), std::sync::Arc::clone(&slots));
            let (method, url, headers) =
                (job.d.method.clone(), job.url.clone(), job.headers.clone());
            let (body, timeout) = (Bytes::from(job.body.clone()), job.timeout);
            set.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let started_at = now_rfc3339();
                (
                    i,
                    started_at,
                    client.send(&method, &url, &headers, body, timeout).await,
                )
            });
        }
        let mut sent = Vec::with_capacity(jobs.len());
        while let Some(done) = set.join_next().await {
            sent.push(done.expect("a replay task does not panic"));
        }
        sent.sort_by_key(|(i, _, _)| *i);
        sent
    });
    for (job, (_, started_at, result)) in jobs.iter().zip(sent) {
        let Job {
            d,
            url,
            headers,
            body,
            profile,
            edited,
            ..
        } = job;
        let edited = *edited;
        let delivered = matches!(&result, Ok(s) if (200..300).contains(&s.status));
        let (status, latency, error) = match &result {
            Ok(s) => (Some(s.status), Some(s.latency.as_secs_f64() * 1e3), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        let id = if record {
            // A token or password is not recorded.
            let masked = profile
                .as_ref()
                .and_then(|p| crate::envelope::schemes::without_shared_secret(p, headers));
            Some(crate::replay::record(
                &store,
                d,
                profile.as_ref().map(|p| p.name.as_str()),
                url,
                masked.as_ref().unwrap_or(headers),
                body,
                started_at,
                &result,
            )?)
        } else {
            None
        };
        let r = Replayed {
            original: d.id,
            id,
            event: d.event.clone(),
            url: url.to_string(),
            resigned: args.resign,
            edited,
            status,
            latency_ms: latency,
            error,
            delivered,
        };
        if out.json {
            out.record("replay", &r)?;
        }
        results.push(r);
    }
    if !out.json {
        let s = out.out();
        let rows: Vec<Row> = results
            .iter()
            .map(|r| Row {
                original: r.original,
                replay: r.id.map(|i| i.to_string()).unwrap_or_default(),
                event: escape(r.event.as_deref().unwrap_or("-")),
                url: r.url.clone(),
                result: match (&r.status, &r.error) {
                    (Some(st), _) => format!(
                        "{st}{}",
                        r.latency_ms
                            .map(|l| format!("  {l:.1} ms"))
                            .unwrap_or_default()
                    ),
                    (None, Some(e)) => e.clone(),
                    _ => "-".into(),
                },
            })
            .collect();
        if !out.quiet {
            out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
        }
        let ok = results.iter().filter(|r| r.delivered).count();
        let text = format!("{ok} of {} delivered", results.len());
        out.line(&if ok == results.len() {
            s.ok(&text)
        } else {
            s.fail(&text)
        })?;
    }
    Ok(if results.iter().all(|r| r.delivered) {
        Exit::Success
    } else {
        Exit::Negative
    })
}
