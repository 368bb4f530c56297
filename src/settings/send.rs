//! `send`'s flags, `[send]` in hookctl.toml and the profile → the plan and the mode
//! it runs in (once, dry run, a batch with retries, load). Every check of what was
//! typed happens here.

use super::{Config, SecretRequest, read_input, resolve_url, signing_secrets};
use crate::cli::{GlobalArgs, SendArgs};
use crate::clock::now_unix;
use crate::envelope::profile::parse_duration;
use crate::envelope::{GivenData, HeaderList, Profile};
use crate::hint::hinted;
use crate::outbound::load::Load;
use crate::outbound::{Craft, Plan};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde_json::Value;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// The request rates `--rate` takes, per second.
const RATES: std::ops::RangeInclusive<f64> = 0.001..=10_000_000.0;

pub struct SendSettings {
    pub plan: Plan,
    pub mode: Mode,
    /// How long one attempt may take: `--timeout`, else the profile's.
    pub timeout: Duration,
    pub speed: f64,
    pub insecure: bool,
    /// Said before anything is sent (a `--set` path the body lacks).
    pub warnings: Vec<String>,
}

pub enum Mode {
    /// One event, with the profile's retries when `retry`.
    Once {
        retry: bool,
        id: Option<String>,
        timestamp: i64,
    },
    /// The request as it would travel; nothing sent.
    DryRun {
        id: Option<String>,
        timestamp: i64,
    },
    /// `--count N --retry`: N events, each through the retry policy, `width` at once.
    Batch {
        count: u64,
        width: usize,
    },
    Load(Load),
}

pub fn resolve(g: &GlobalArgs, args: SendArgs) -> Result<SendSettings> {
    let config = Config::load(g.config.as_deref())?;
    // Flags first, then `[send]` in hookctl.toml.
    let defaults = &config.file.send;
    let profile = config.profile(
        args.profile.as_deref().or(defaults.profile.as_deref()),
        &args.scheme,
    )?;
    let to = args
        .to
        .as_deref()
        .or(defaults.to.as_deref())
        .ok_or_else(|| {
            hinted(
                "no URL to send to",
                "pass --to URL, or set `to` under [send] in hookctl.toml",
            )
        })?;
    let url = resolve_url(to)?;
    let stdin_used =
        args.data.as_deref() == Some("-") || args.body.as_deref() == Some(Path::new("-"));
    let secrets = signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config: &config,
            stdin_used,
        },
        &profile,
    )?;
    let body = args
        .body
        .as_deref()
        .map(|p| read_input(p).map(Bytes::from))
        .transpose()
        .context("could not read --body")?;
    // A body of one's own names its event, or --event does.
    let event = match (&body, &args.event) {
        (Some(b), None) => profile.body_event_and_id(b).0.ok_or_else(|| {
            hinted(
                "--body: no event name in the body",
                format!(
                    "pass --event NAME (profile `{}` names it in a header)",
                    profile.name
                ),
            )
        })?,
        (Some(_), Some(e)) => e.clone(),
        (None, given) => pick_event(
            g.json,
            &profile,
            given.clone().or_else(|| defaults.event.clone()),
        )?,
    };
    let mut extra_headers = HeaderList::new();
    for (n, v) in &args.headers {
        extra_headers.push(n, v);
    }
    if !crate::envelope::headers::is_token(&args.method) {
        bail!(
            "--method `{}` is not an HTTP method",
            args.method.escape_debug()
        );
    }
    let timeout = match args.timeout {
        Some(t) => t,
        None => profile.retry.timeout,
    };
    let plan = Plan {
        profile,
        secrets,
        event,
        body,
        data: args
            .data
            .as_deref()
            .map(super::read_data)
            .transpose()?
            .map(GivenData::new),
        patches: args
            .set
            .iter()
            .map(|s| parse_set(s))
            .collect::<Result<_>>()?,
        extra_headers,
        method: args.method.to_uppercase(),
        url,
        craft: Craft {
            pretty: args.pretty,
            tamper: args
                .tamper
                .iter()
                .map(|s| parse_set(s).context("could not read --tamper"))
                .collect::<Result<_>>()?,
            unsigned: args.unsigned,
        },
    };
    crate::settings::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
    let warnings = new_field_warnings(&plan)?;
    let load = &args.load;
    let mode = if let (Some(count), true) = (load.count, args.retry) {
        if load.rate.is_some() || load.duplicate_rate > 0.0 || load.shuffle || args.id.is_some() {
            bail!(
                "--rate, --duplicate-rate, --shuffle and --id are load mode's; with --retry each event is sent as one `send --retry` sends it"
            );
        }
        if count == 0 {
            bail!("--count must be at least 1");
        }
        Mode::Batch {
            count,
            width: load.concurrency.max(1),
        }
    } else if load.count.is_some() || load.duration.is_some() {
        Mode::Load(load_settings(load, timeout, args.insecure)?)
    } else {
        let timestamp = match &args.timestamp {
            Some(when) => parse_when(when)?,
            None => now_unix(),
        };
        let id = args.id.clone();
        if args.dry_run {
            Mode::DryRun { id, timestamp }
        } else {
            Mode::Once {
                retry: args.retry,
                id,
                timestamp,
            }
        }
    };
    Ok(SendSettings {
        plan,
        mode,
        timeout,
        speed: args.speed,
        insecure: args.insecure,
        warnings,
    })
}

fn load_settings(load: &crate::cli::LoadArgs, timeout: Duration, insecure: bool) -> Result<Load> {
    let duration = load.duration;
    if load.count == Some(0) {
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
    Ok(Load {
        count: load.count,
        duration,
        concurrency: load.concurrency,
        rate: load.rate,
        duplicate_rate: load.duplicate_rate,
        shuffle: load.shuffle,
        timeout,
        insecure,
    })
}

/// Every dotted path of a JSON body's fields, as `--set` addresses them.
fn field_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    let mut visit = |key: String, child: &Value| {
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        out.push(path.clone());
        field_paths(child, &path, out);
    };
    match v {
        Value::Object(map) => map.iter().for_each(|(k, c)| visit(k.clone(), c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| visit(i.to_string(), c)),
        _ => {}
    }
}

/// Warnings about a `--set` path the event's body does not have (it is added, which is
/// seldom what was meant), naming the nearest field that it does have.
fn new_field_warnings(plan: &Plan) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if plan.patches.is_empty() {
        return Ok(warnings);
    }
    let sample = plan
        .profile
        .build_event(&plan.event, plan.data.as_ref(), None, now_unix())?;
    let Ok(body) = serde_json::from_slice::<Value>(&sample.body) else {
        return Ok(warnings);
    };
    let mut paths = Vec::new();
    field_paths(&body, "", &mut paths);
    // A path that cannot be set fails here, once, before any warning about it.
    let mut probe = body.clone();
    for (path, value) in &plan.patches {
        crate::outbound::set_path(&mut probe, path, value.clone())
            .with_context(|| format!("could not apply --set {path}"))?;
    }
    for (path, _) in &plan.patches {
        if !paths.iter().any(|p| p == path) {
            let hint = crate::envelope::did_you_mean(path, paths.iter().map(String::as_str));
            warnings.push(format!(
                "--set {path}: the `{}` body has no such field, so it is added{hint}",
                plan.event
            ));
        }
    }
    Ok(warnings)
}

/// `PATH=VALUE` → path and typed value (JSON if it parses, else text).
pub fn parse_set(text: &str) -> Result<(String, Value)> {
    let Some((path, raw)) = text.split_once('=') else {
        bail!("--set `{text}` is not PATH=VALUE (e.g. data.email=ada@example.com)");
    };
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((path.trim().to_string(), value))
}

/// `--timestamp`: Unix seconds, or `-DURATION`/`+DURATION` from now.
fn parse_when(text: &str) -> Result<i64> {
    let t = text.trim();
    let read = |d: &str| {
        parse_duration(d)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--timestamp `{t}`: not Unix seconds or ±DURATION"))
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    };
    let now = now_unix();
    let when = if let Some(d) = t.strip_prefix('-') {
        now.saturating_sub(read(d)?)
    } else if let Some(d) = t.strip_prefix('+') {
        now.saturating_add(read(d)?)
    } else {
        t.parse::<i64>().map_err(|_| {
            hinted(
                format!("--timestamp `{t}` is not Unix seconds or ±DURATION"),
                "e.g. --timestamp 1700000000, --timestamp -10m (signed ten minutes ago), --timestamp +1h",
            )
        })?
    };
    // 1970 to the end of 9999: what every scheme's format can write.
    if !(0..=253_402_300_799).contains(&when) {
        bail!("--timestamp `{t}` falls outside 1970 to 9999");
    }
    Ok(when)
}

fn pick_event(json: bool, profile: &Profile, given: Option<String>) -> Result<String> {
    if let Some(e) = given {
        profile.event(&e).map_err(anyhow::Error::msg)?;
        return Ok(e);
    }
    let names: Vec<&String> = profile.events.keys().collect();
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !json {
        let labels: Vec<String> = profile
            .events
            .values()
            .map(|e| format!("{:<28} {}", e.name, e.description))
            .collect();
        let i = dialoguer::Select::with_theme(&dialoguer::theme::SimpleTheme)
            .with_prompt(format!("Event to send ({})", profile.name))
            .items(&labels)
            .default(0)
            .interact()
            .context("could not ask for the event")?;
        return Ok(names[i].clone());
    }
    Err(hinted(
        "no event given",
        format!(
            "pass --event; profile `{}` has: {}",
            profile.name,
            names
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}
