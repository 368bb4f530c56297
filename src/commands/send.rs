//! `hookctl send`: a realistic, signed event to a URL — once, following the profile's
//! retry policy, or as load (`send_load`).

use super::header_pairs;
use crate::cli::{GlobalArgs, SendArgs};
use crate::envelope::profile::parse_duration;
use crate::envelope::{GivenData, HeaderList, Profile};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::{Craft, DeliverOptions, Plan, deliver, resolve_url};
use crate::output::delivery::DeliveryView;
use crate::output::{BodyJson, Output};
use crate::settings::{Config, SecretRequest, now_unix, open_store, read_input, signing_secrets};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

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

/// Warns about a `--set` path the event's body does not have (it is added, which is
/// seldom what was meant), naming the nearest field that it does have.
fn warn_new_fields(out: &Output, plan: &Plan) -> Result<()> {
    if plan.patches.is_empty() {
        return Ok(());
    }
    let sample = plan
        .profile
        .build_event(&plan.event, plan.data.as_ref(), None, now_unix())?;
    let Ok(body) = serde_json::from_slice::<Value>(&sample.body) else {
        return Ok(());
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
            out.warn(&format!(
                "--set {path}: the `{}` body has no such field, so it is added{hint}",
                plan.event
            ));
        }
    }
    Ok(())
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

/// `--data`: inline JSON, `-`, or a file.
fn read_data(arg: &str) -> Result<Value> {
    let t = arg.trim_start();
    let bytes = if t.starts_with('{') || t.starts_with('[') {
        arg.as_bytes().to_vec()
    } else {
        read_input(std::path::Path::new(arg))
            .context("could not read --data (inline JSON, a file, or -)")?
    };
    serde_json::from_slice(&bytes).context("--data is not JSON")
}

fn pick_event(out: &Output, profile: &Profile, given: Option<String>) -> Result<String> {
    if let Some(e) = given {
        profile.event(&e).map_err(anyhow::Error::msg)?;
        return Ok(e);
    }
    let names: Vec<&String> = profile.events.keys().collect();
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !out.json {
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

#[derive(Serialize)]
struct DryRun<'a> {
    method: &'a str,
    url: &'a str,
    headers: Vec<[&'a str; 2]>,
    body: BodyJson,
    curl: String,
}

pub fn run(g: &GlobalArgs, out: &Output, args: SendArgs) -> Result<Exit> {
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
            out,
            &profile,
            given.clone().or_else(|| defaults.event.clone()),
        )?,
    };
    let mut extra_headers = HeaderList::new();
    for h in &args.headers {
        let (n, v) = HeaderList::parse_line(h).context("could not read a -H header")?;
        extra_headers.push(n, v);
    }
    if !crate::envelope::headers::is_token(&args.method) {
        bail!(
            "--method `{}` is not an HTTP method",
            args.method.escape_debug()
        );
    }
    let timeout = match &args.timeout {
        Some(t) => parse_duration(t)
            .map_err(anyhow::Error::msg)
            .context("could not read --timeout")?,
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
            .map(read_data)
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
    crate::settings::check_range(args.speed, crate::retry::SPEEDS, "--speed")?;
    warn_new_fields(out, &plan)?;
    if let (Some(count), true) = (args.load.count, args.retry) {
        return retry_many(g, out, &plan, &args, count, timeout);
    }
    if args.load.count.is_some() || args.load.duration.is_some() {
        return super::send_load::run(g, out, plan, &args.load, timeout, args.insecure);
    }
    let timestamp = match &args.timestamp {
        Some(when) => parse_when(when)?,
        None => now_unix(),
    };
    let prepared = plan.prepare(args.id.clone(), timestamp)?;
    if args.dry_run {
        let curl = crate::output::curl_command(
            &plan.method,
            plan.url.as_str(),
            &prepared.headers,
            &prepared.body,
        );
        if out.json {
            out.record(
                "request",
                &DryRun {
                    method: &plan.method,
                    url: plan.url.as_str(),
                    headers: header_pairs(&prepared.headers),
                    body: BodyJson::new(&prepared.body),
                    curl,
                },
            )?;
        } else {
            // Standard output is the request exactly as it would travel, so that
            // `send --dry-run > req.http; hookctl verify --request req.http` works
            // (and `nc` can send it); the curl command goes to stderr.
            let mut text = Vec::new();
            let line = crate::http::h1::RequestLine {
                method: &plan.method,
                target: &crate::http::path_and_query(&plan.url),
                host: Some(&crate::http::authority(&plan.url)),
                close: false,
            };
            crate::http::h1::write_request(&mut text, &line, &prepared.headers, &prepared.body)
                .context("could not write the request")?;
            if out.stdout_is_terminal() {
                text.push(b'\n');
            }
            out.bytes(&text)?;
            out.note(&format!(
                "{}\n{curl}",
                out.err().dim("# the same request with curl:")
            ));
        }
        return Ok(Exit::Success);
    }
    let store = open_store(g)?;
    let client = HttpClient::new(&ClientOptions::new(args.insecure, 1))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let opts = DeliverOptions {
        timeout,
        retry: args.retry,
        speed: args.speed,
        source: "send",
    };
    let view = DeliveryView::new(out, &opts);
    rt.block_on(deliver(
        &plan,
        prepared,
        &client,
        store.as_ref(),
        &opts,
        &mut |r| view.report(r),
    ))?
    .exit(args.retry)
}

/// `send --count N --retry`: N events, each taken through the profile's retry policy
/// as a single `send --retry` takes one, up to `-c` at once; a summary at the end.
fn retry_many(
    g: &GlobalArgs,
    out: &Output,
    plan: &Plan,
    args: &SendArgs,
    count: u64,
    timeout: Duration,
) -> Result<Exit> {
    let load = &args.load;
    if load.rate.is_some() || load.duplicate_rate > 0.0 || load.shuffle || args.id.is_some() {
        bail!(
            "--rate, --duplicate-rate, --shuffle and --id are load mode's; with --retry each event is sent as one `send --retry` sends it"
        );
    }
    if count == 0 {
        bail!("--count must be at least 1");
    }
    let store = open_store(g)?;
    let width = load.concurrency.max(1);
    let client = HttpClient::new(&ClientOptions::new(args.insecure, width))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut delivered, mut failed) = (0u64, 0u64);
    let opts = DeliverOptions {
        timeout,
        retry: true,
        speed: args.speed,
        source: "send",
    };
    rt.block_on(async {
        type Pending<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Exit>> + 'a>>;
        let mut in_flight: Vec<Pending<'_>> = Vec::with_capacity(width);
        let mut started = 0u64;
        loop {
            while in_flight.len() < width && started < count {
                let prepared = plan.prepare(None, now_unix())?;
                let view = DeliveryView::new(out, &opts);
                let (client, store, opts) = (&client, store.as_ref(), &opts);
                in_flight.push(Box::pin(async move {
                    deliver(plan, prepared, client, store, opts, &mut |r| view.report(r))
                        .await?
                        .exit(true)
                }));
                started += 1;
            }
            if in_flight.is_empty() {
                return Ok::<_, anyhow::Error>(());
            }
            // Wait for any of them (one task, so the store's connection is shared).
            let done: Vec<(usize, Result<Exit>)> = std::future::poll_fn(|cx| {
                let ready: Vec<(usize, Result<Exit>)> = in_flight
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, f)| match f.as_mut().poll(cx) {
                        std::task::Poll::Ready(r) => Some((i, r)),
                        std::task::Poll::Pending => None,
                    })
                    .collect();
                if ready.is_empty() {
                    std::task::Poll::Pending
                } else {
                    std::task::Poll::Ready(ready)
                }
            })
            .await;
            for (i, result) in done.into_iter().rev() {
                drop(in_flight.swap_remove(i));
                match result? {
                    Exit::Success => delivered += 1,
                    _ => failed += 1,
                }
            }
        }
    })?;
    if !out.json {
        let s = out.out();
        let text = format!(
            "{}: {delivered} delivered, {failed} failed",
            crate::output::plural(count, "event", "events")
        );
        out.line(&if failed == 0 {
            s.ok(&text)
        } else {
            s.fail(&text)
        })?;
    }
    Ok(if failed == 0 {
        Exit::Success
    } else {
        Exit::Negative
    })
}
