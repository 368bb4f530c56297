//! `hookctl replay`: recorded deliveries sent again.

use crate::cli::{GlobalArgs, ReplayArgs};
use crate::envelope::Secret;
use crate::envelope::profile::parse_duration;
use crate::envelope::{HeaderList, Profile};
use crate::http::client::{ClientOptions, HttpClient};
use crate::output::{Output, escape, id_list, plural};
use crate::settings::resolve_url;
use crate::settings::{Config, Given, SecretRequest, secrets_in_force};
use crate::settings::{require_store, rfc3339_ago};
use crate::store::{Store, StoredDelivery, now_rfc3339};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashMap;
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
    #[serde(serialize_with = "crate::show::ser_round3_opt")]
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

/// `--status` of `replay --failed`: the last answer's status, as a code, a class or
/// none at all.
enum StatusFilter {
    Code(u16),
    Class(u16),
    NoAnswer,
}

impl StatusFilter {
    fn parse(text: &str) -> Result<StatusFilter> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            hinted(
                format!("could not read --status `{}`", escape(text)),
                "give a status code (500), a class (5xx) or `none` (no answer at all)",
            )
        };
        if t == "none" {
            return Ok(StatusFilter::NoAnswer);
        }
        if let Some(c) = t.strip_suffix("xx") {
            return match c.parse::<u16>() {
                Ok(c @ 1..=5) => Ok(StatusFilter::Class(c)),
                _ => Err(bad()),
            };
        }
        match t.parse::<u16>() {
            Ok(c @ 100..=599) => Ok(StatusFilter::Code(c)),
            _ => Err(bad()),
        }
    }

    fn matches(&self, status: Option<u16>) -> bool {
        match (self, status) {
            (StatusFilter::Code(c), Some(s)) => *c == s,
            (StatusFilter::Class(c), Some(s)) => s / 100 == *c,
            (StatusFilter::NoAnswer, None) => true,
            _ => false,
        }
    }
}

fn direction_name(d: crate::cli::DirectionArg) -> &'static str {
    if d == crate::cli::DirectionArg::In {
        "in"
    } else {
        "out"
    }
}

/// The record an id given on the command line means. A store id is that row. A
/// provider's delivery id can match many (what `send` sent, what `listen` received,
/// retries, replays and the copies a replay left in a listening store): the original
/// is taken, i.e. not a replay, the sent record before a received one (it knows its
/// target), the oldest first; `--direction` narrows the choice. When several matched,
/// it says which it took and how to take another.
fn pick(store: &Store, key: &str, direction: Option<&str>, out: &Output) -> Result<StoredDelivery> {
    if let Ok(id) = key.trim().parse::<i64>()
        && let Some((d, _)) = store.get(id)?
    {
        return Ok(d);
    }
    let mut all = store.timeline(key)?;
    all.retain(|d| direction.is_none_or(|dir| d.direction == dir));
    all.sort_by_key(|d| (d.replay_of.is_some(), d.direction == "in", d.id));
    let Some(first) = all.first().cloned() else {
        return Err(hinted(
            format!(
                "no delivery `{}`{} in the store",
                escape(key),
                direction
                    .map(|d| format!(" with --direction {d}"))
                    .unwrap_or_default()
            ),
            "`hookctl deliveries list` shows store ids and delivery ids",
        ));
    };
    if all.len() > 1 {
        let others: Vec<i64> = all[1..].iter().map(|d| d.id).collect();
        out.note(&format!(
            "delivery id `{}` matches {}: took #{} ({} by {}{}); the others are {}. To take another, give its store id{}",
            escape(key),
            plural(all.len() as u64, "record", "records"),
            first.id,
            if first.direction == "out" { "sent" } else { "received" },
            first.source,
            first
                .replay_of
                .map(|o| format!(", a replay of #{o}"))
                .unwrap_or_default(),
            id_list(&others, 10),
            if direction.is_none() {
                ", or --direction in|out"
            } else {
                ""
            }
        ));
    }
    Ok(first)
}

fn select(store: &Store, args: &ReplayArgs, out: &Output) -> Result<Vec<StoredDelivery>> {
    let direction = args.direction.map(direction_name);
    if !args.ids.is_empty() {
        return args
            .ids
            .iter()
            .map(|id| pick(store, id, direction, out))
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
    let status = args
        .status
        .as_deref()
        .map(StatusFilter::parse)
        .transpose()?;
    let mut failed = store.failed_deliveries(direction, since.as_deref(), event.as_ref())?;
    failed.retain(|d| {
        args.profile
            .as_deref()
            .is_none_or(|p| d.profile.as_deref() == Some(p))
            && status.as_ref().is_none_or(|s| s.matches(d.last_status))
    });
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
    resign: bool,
}

/// How one replay is signed, for `--dry-run` and the refusal of a wrong secret.
#[derive(Serialize)]
struct Planned {
    original: i64,
    event: Option<String>,
    profile: Option<String>,
    method: String,
    url: String,
    /// `byte-exact` (the recorded signature) or `re-signed`.
    signing: &'static str,
    /// Where the secret it is re-signed with comes from (never the secret).
    secret_from: Vec<String>,
}

#[derive(Tabled)]
struct PlanRow {
    original: i64,
    event: String,
    profile: String,
    to: String,
    signing: String,
}

/// The secrets each profile of the chosen deliveries is re-signed with. A secret
/// named for a profile (`--secret-env stripe=NAME`, `[secret.profiles]`) is used for
/// that profile only. One given for no profile in particular is used for one profile
/// only too: the `--profile` given, or the one every chosen delivery has. Any other
/// profile with a signature and no secret of its own is refused before anything is
/// sent, so no delivery goes out signed with another provider's secret.
fn resign_secrets(
    chosen: &[StoredDelivery],
    args: &ReplayArgs,
    config: &Config,
) -> Result<HashMap<String, (Profile, Vec<Secret>)>> {
    let mut by_profile: IndexMap<String, Vec<i64>> = IndexMap::new();
    let mut none = Vec::new();
    for d in chosen {
        match args.profile.as_deref().or(d.profile.as_deref()) {
            Some(p) => by_profile.entry(p.to_string()).or_default().push(d.id),
            None => none.push(d.id),
        }
    }
    if !none.is_empty() {
        return Err(hinted(
            format!(
                "{} no profile to re-sign with: {}",
                if none.len() == 1 {
                    "a delivery has"
                } else {
                    "deliveries have"
                },
                id_list(&none, 10)
            ),
            "pass --profile NAME",
        ));
    }
    let unscoped_for = match (&args.profile, by_profile.len()) {
        (Some(p), _) => Some(p.clone()),
        (None, 1) => by_profile.keys().next().cloned(),
        _ => None,
    };
    let mut found = HashMap::new();
    let mut missing: Vec<String> = Vec::new();
    for (name, ids) in &by_profile {
        let p = config
            .catalog
            .get(name)
            .with_context(|| format!("could not load the profile of delivery {}", ids[0]))?;
        if p.signature.is_none() {
            found.insert(name.clone(), (p, Vec::new()));
            continue;
        }
        let mine = unscoped_for.as_deref() == Some(name);
        let (secrets, given) = secrets_in_force(
            &SecretRequest {
                args: &args.secrets,
                config,
                // Asked for on a terminal only for the one profile a secret given
                // for none can be meant for.
                stdin_used: !mine,
            },
            Some(name),
        )?;
        if secrets.is_empty() && mine {
            return Err(crate::settings::no_secret_error());
        }
        if secrets.is_empty() || (given == Given::ForAny && !mine) {
            missing.push(format!("{name} ({})", id_list(ids, 5)));
            continue;
        }
        found.insert(name.clone(), (p, secrets));
    }
    if !missing.is_empty() {
        return Err(hinted(
            format!(
                "--resign: no secret was given for {}: {}; nothing was sent",
                if missing.len() == 1 {
                    "this profile"
                } else {
                    "these profiles"
                },
                missing.join(", ")
            ),
            "a secret given for no profile signs one profile only (the --profile given, or the only one chosen); name the profile for each, e.g. `--secret-env stripe=STRIPE_WEBHOOK_SECRET`, or `[secret.profiles]` in hookctl.toml, or narrow the choice with --profile NAME",
        ));
    }
    Ok(found)
}

fn show_plan(
    out: &Output,
    jobs: &[Job],
    resigned: &HashMap<String, (Profile, Vec<Secret>)>,
) -> Result<()> {
    let planned: Vec<Planned> = jobs
        .iter()
        .map(|j| {
            let profile = j.profile.as_ref().map(|p| p.name.clone());
            let secret_from = profile
                .as_ref()
                .and_then(|p| resigned.get(p))
                .map(|(_, s)| s.iter().map(|s| s.source().to_string()).collect())
                .unwrap_or_default();
            Planned {
                original: j.d.id,
                event: j.d.event.clone(),
                profile,
                method: j.d.method.clone(),
                url: j.url.to_string(),
                signing: if j.resign { "re-signed" } else { "byte-exact" },
                secret_from,
            }
        })
        .collect();
    if out.json {
        for p in &planned {
            out.record("planned", p)?;
        }
        return Ok(());
    }
    let rows: Vec<PlanRow> = planned
        .iter()
        .map(|p| PlanRow {
            original: p.original,
            event: escape(p.event.as_deref().unwrap_or("-")),
            profile: p.profile.clone().unwrap_or_else(|| "-".into()),
            to: format!("{} {}", p.method, p.url),
            signing: if p.signing == "re-signed" {
                if p.secret_from.is_empty() {
                    "re-signed (the profile signs nothing)".to_string()
                } else {
                    format!("re-signed with {}", p.secret_from.join(", "))
                }
            } else {
                "byte-exact, as recorded".into()
            },
        })
        .collect();
    out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
    out.line(&format!(
        "dry run: {} would be sent; nothing was",
        plural(planned.len() as u64, "replay", "replays")
    ))?;
    Ok(())
}

pub fn run(g: &GlobalArgs, out: &Output, args: ReplayArgs) -> Result<Exit> {
    let config = Config::load(g.config.as_deref())?;
    let store = require_store(g, "replay")?;
    let mut chosen = select(&store, &args, out)?;
    let to = args.to.as_deref().map(resolve_url).transpose()?;
    // `--failed` without a target and without --direction takes what it can send:
    // the received deliveries with no sent copy are left out, and said so.
    if args.failed && to.is_none() && args.direction.is_none() {
        let received: Vec<i64> = chosen
            .iter()
            .filter(|d| d.direction != "out")
            .map(|d| d.id)
            .collect();
        if !received.is_empty() {
            out.note(&format!(
                "left out {} received by `listen` with no sent copy ({}): they have no target of their own; pass --to URL to send them to your app",
                plural(received.len() as u64, "failed delivery", "failed deliveries"),
                id_list(&received, 10)
            ));
            chosen.retain(|d| d.direction == "out");
        }
    }
    if chosen.is_empty() {
        out.note("no deliveries to replay");
        return Ok(Exit::Success);
    }
    // Said before anything is sent: a received delivery has no target of its own.
    let received: Vec<i64> = chosen
        .iter()
        .filter(|d| d.direction != "out")
        .map(|d| d.id)
        .collect();
    if to.is_none() && !received.is_empty() {
        return Err(hinted(
            format!(
                "{} received by `listen` ({}), so without a target of their own",
                if received.len() == 1 {
                    "a delivery was"
                } else {
                    "deliveries were"
                },
                id_list(&received, 10)
            ),
            "pass --to URL (your app), or --direction out for the ones you sent",
        ));
    }
    let resigned = if args.resign {
        resign_secrets(&chosen, &args, &config)?
    } else {
        HashMap::new()
    };
    let record = !store.is_read_only() && !args.dry_run;
    if store.is_read_only() && !args.dry_run {
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
            _ => resolve_url(&d.url)?,
        };
        let profile: Option<Profile> =
            match args.profile.as_deref().or(d.profile.as_deref()) {
                Some(name) => match resigned.get(name) {
                    Some((p, _)) => Some(p.clone()),
                    None => Some(config.catalog.get(name).with_context(|| {
                        format!("could not load the profile of delivery {}", d.id)
                    })?),
                },
                None => None,
            };
        // In order, less what belonged to the original connection.
        let mut headers: HeaderList = crate::http::forwardable(&d.headers);
        let original = d.body.clone();
        let body = if args.edit && !args.dry_run {
            edit(&original, d.id)?
        } else {
            original.clone()
        };
        let edited = body != original;
        if args.resign {
            let p = profile
                .as_ref()
                .expect("resign_secrets refused a delivery without a profile");
            let secrets = resigned.get(&p.name).map(|(_, s)| &s[..]).unwrap_or(&[]);
            crate::outbound::replay::resign(&mut headers, d, p, secrets, &url, &body)?;
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
            resign: args.resign,
        });
    }
    if args.dry_run {
        show_plan(out, &jobs, &resigned)?;
        return Ok(Exit::Success);
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
                .and_then(|p| crate::envelope::profile::without_shared_secret(p, headers));
            Some(crate::outbound::replay::record(
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
