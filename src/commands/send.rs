//! `hookctl send`: a realistic, signed event to a URL — once, following the profile's
//! retry policy, or as load (`send_load`).

use super::header_pairs;
use crate::cli::{GlobalArgs, SendArgs};
use crate::envelope::profile::parse_duration;
use crate::envelope::sign::{Scratch, Signer};
use crate::envelope::{BuiltEvent, GivenData, HeaderList, Profile, Secret, SignInput};
use crate::http::client::{ClientOptions, HttpClient, SendError, Sent};
use crate::output::{BodyJson, Output, escape};
use crate::retry::{Decision, Outcome};
use crate::settings::{Config, SecretRequest, now_unix, open_store, read_input, signing_secrets};
use crate::store::{Direction, NewAttempt, NewDelivery, State, Store, now_rfc3339};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Everything needed to make (and re-make) the request for one event.
pub struct Plan {
    pub profile: Profile,
    pub secrets: Vec<Secret>,
    pub event: String,
    pub data: Option<GivenData>,
    /// A body sent byte for byte (`--body`) instead of one built from the catalogue.
    pub body: Option<Bytes>,
    pub patches: Vec<(String, Value)>,
    pub extra_headers: HeaderList,
    pub method: String,
    pub url: reqwest::Url,
}

/// One request, ready to go.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub built: BuiltEvent,
    pub body: Bytes,
    pub headers: HeaderList,
}

/// One request made in place, its memory reused for the next (load mode).
#[derive(Debug, Default)]
pub struct Draft {
    pub built: BuiltEvent,
    pub headers: HeaderList,
    scratch: Scratch,
}

impl Plan {
    /// The path (and query) a scheme that signs the path sees.
    pub fn signed_path(&self) -> String {
        crate::http::path_and_query(&self.url)
    }

    /// Builds the event (fresh id and timestamp unless given), applies `--data` and
    /// `--set`, and signs it.
    pub fn prepare(&self, id: Option<String>, timestamp: i64) -> Result<Prepared> {
        let mut draft = Draft::default();
        let given_id = id.is_some();
        draft.built.id = id.unwrap_or_default();
        self.prepare_into(&self.signer()?, given_id, timestamp, &mut draft)?;
        // The body lives on in `body`; `built.body` would only be a second copy.
        let body = Bytes::from(std::mem::take(&mut draft.built.body));
        Ok(Prepared {
            built: draft.built,
            body,
            headers: draft.headers,
        })
    }

    /// The profile's signing with the plan's secrets, keyed once.
    pub fn signer(&self) -> Result<Signer<'_>> {
        self.profile
            .signer(&self.secrets)
            .context("could not sign the event")
    }

    /// [`prepare`](Self::prepare) into `draft`, reusing its memory: what load mode
    /// does for every request. `draft.built.id` is kept when `given_id`.
    pub fn prepare_into(
        &self,
        signer: &Signer,
        given_id: bool,
        timestamp: i64,
        draft: &mut Draft,
    ) -> Result<()> {
        let p = &self.profile;
        if let Some(exact) = &self.body {
            let b = &mut draft.built;
            if !given_id {
                b.id = match p.body_event_and_id(exact).1 {
                    Some(id) => id,
                    None => p.new_id(timestamp)?,
                };
            }
            b.event.clone_from(&self.event);
            b.timestamp = timestamp;
            b.vars = p.render_vars(Some(&self.event), &b.id, timestamp)?;
            b.body.clear();
            b.body.extend_from_slice(exact);
        } else {
            p.build_event_into(
                &self.event,
                self.data.as_ref(),
                given_id,
                timestamp,
                &mut draft.built,
                &mut draft.scratch,
            )?;
        }
        // `--set` paths address the body as sent (as `events show` prints it); they
        // cannot be given with `--body`.
        if !self.patches.is_empty() {
            let mut body: Value =
                serde_json::from_slice(&draft.built.body).context("--set needs a JSON body")?;
            for (path, v) in &self.patches {
                set_path(&mut body, path, v.clone())
                    .with_context(|| format!("could not apply --set {path}"))?;
            }
            draft.built.body = crate::envelope::json::to_vec(&body);
        }
        self.sign_into(
            signer,
            &draft.built,
            &draft.built.body,
            timestamp,
            &mut draft.headers,
            &mut draft.scratch,
        )
    }

    /// Signs (again) at `timestamp`: the body and id stay, the signature is fresh.
    pub fn sign(&self, built: &BuiltEvent, body: &[u8], timestamp: i64) -> Result<HeaderList> {
        let mut headers = HeaderList::new();
        self.sign_into(
            &self.signer()?,
            built,
            body,
            timestamp,
            &mut headers,
            &mut Scratch::default(),
        )?;
        Ok(headers)
    }

    fn sign_into(
        &self,
        signer: &Signer,
        built: &BuiltEvent,
        body: &[u8],
        timestamp: i64,
        headers: &mut HeaderList,
        scratch: &mut Scratch,
    ) -> Result<()> {
        let path = self.signed_path();
        signer
            .sign_into(
                &SignInput {
                    body,
                    event: Some(&built.event),
                    id: &built.id,
                    timestamp,
                    method: &self.method,
                    path: &path,
                    vars: &built.vars,
                },
                headers,
                scratch,
            )
            .context("could not sign the event")?;
        for (n, v) in self.extra_headers.iter() {
            if headers.contains(n) {
                headers.set(n, v);
            } else {
                headers.push(n, v);
            }
        }
        Ok(())
    }
}

/// Sets a dotted path in a JSON value, creating objects on the way.
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

pub fn set_path(target: &mut Value, path: &str, value: Value) -> Result<()> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let mut cur = target;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            bail!("`{path}` has an empty key");
        }
        let last = i + 1 == keys.len();
        cur = match cur {
            Value::Object(map) => {
                if last {
                    map.insert(key.to_string(), value);
                    return Ok(());
                }
                map.entry(key.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            Value::Array(items) => {
                let idx: usize = key
                    .parse()
                    .with_context(|| format!("`{key}` in `{path}` is not an array index"))?;
                let len = items.len();
                let slot = items.get_mut(idx).with_context(|| {
                    format!("index {idx} in `{path}` is past the end ({len} items)")
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            _ => bail!("`{path}` goes through a value that is not an object"),
        };
    }
    Ok(())
}

/// `host[:port]` of a URL, as a `Host` header gives it.
fn authority(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("localhost");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// `PATH=VALUE` → path and typed value (JSON if it parses, else text).
pub fn parse_set(text: &str) -> Result<(String, Value)> {
    let Some((path, raw)) = text.split_once('=') else {
        bail!("--set `{text}` is not PATH=VALUE (e.g. data.email=ada@example.com)");
    };
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((path.trim().to_string(), value))
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

/// Shell-quotes for the printed curl command.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn curl_command(method: &str, url: &str, headers: &HeaderList, body: &[u8]) -> String {
    let mut cmd = format!("curl -X {method} {}", sh_quote(url));
    for (n, v) in headers.iter() {
        cmd.push_str(&format!(" \\\n  -H {}", sh_quote(&format!("{n}: {v}"))));
    }
    match std::str::from_utf8(body) {
        Ok(text) => cmd.push_str(&format!(" \\\n  --data-binary {}", sh_quote(text))),
        Err(_) => cmd.push_str(
            " \\\n  --data-binary @body.bin  # the body is not text: save it to body.bin first",
        ),
    }
    cmd
}

#[derive(Serialize)]
struct DryRun<'a> {
    method: &'a str,
    url: &'a str,
    headers: Vec<[&'a str; 2]>,
    body: BodyJson,
    curl: String,
}

#[derive(Serialize)]
struct AttemptRecord<'a> {
    attempt: u32,
    #[serde(serialize_with = "crate::output::ser_round3")]
    at_secs: f64,
    status: Option<u16>,
    #[serde(serialize_with = "crate::output::ser_round3_opt")]
    latency_ms: Option<f64>,
    error: Option<String>,
    outcome: String,
    decision: &'a str,
    rule: Option<&'a str>,
    #[serde(serialize_with = "crate::output::ser_round3_opt")]
    retry_in_secs: Option<f64>,
}

#[derive(Serialize)]
struct ResultRecord<'a> {
    delivered: bool,
    state: &'a str,
    attempts: u32,
    status: Option<u16>,
    profile: &'a str,
    event: &'a str,
    delivery_id: &'a str,
    url: &'a str,
    response: Option<ResponseJson<'a>>,
    stored: Option<i64>,
}

#[derive(Serialize)]
struct ResponseJson<'a> {
    headers: Vec<[&'a str; 2]>,
    body: BodyJson,
}

pub fn resolve_url(to: &str) -> Result<reqwest::Url> {
    // `localhost:4343` parses as a URL of scheme `localhost`: say what was meant.
    let suggest =
        || (!to.contains("://")).then(|| format!("write it with its scheme: `http://{to}`"));
    let url = match reqwest::Url::parse(to) {
        Ok(u) => u,
        Err(e) => {
            let msg = format!("`{to}` is not a URL ({e})");
            return Err(match suggest() {
                Some(h) => hinted(msg, h),
                None => anyhow::Error::msg(msg),
            });
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        let msg = format!("`{to}`: only http:// and https:// URLs can be sent to");
        return Err(match suggest() {
            Some(h) => hinted(msg, h),
            None => anyhow::Error::msg(msg),
        });
    }
    Ok(url)
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
    };
    crate::settings::check_range(args.speed, crate::retry::SPEEDS, "--speed")?;
    warn_new_fields(out, &plan)?;
    if let (Some(count), true) = (args.load.count, args.retry) {
        return retry_many(g, out, &plan, &args, count, timeout);
    }
    if args.load.count.is_some() || args.load.duration.is_some() {
        return super::send_load::run(g, out, plan, &args.load, timeout, args.insecure);
    }
    let prepared = plan.prepare(args.id.clone(), now_unix())?;
    if args.dry_run {
        let curl = curl_command(
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
            let mut text = format!(
                "{} {} HTTP/1.1\r\nHost: {}\r\n",
                plan.method,
                crate::http::path_and_query(&plan.url),
                authority(&plan.url)
            )
            .into_bytes();
            for (n, v) in prepared.headers.iter() {
                if !n.eq_ignore_ascii_case("content-length") && !n.eq_ignore_ascii_case("host") {
                    text.extend_from_slice(n.as_bytes());
                    text.extend_from_slice(b": ");
                    text.extend_from_slice(&crate::envelope::headers::value_to_bytes(v));
                    text.extend_from_slice(b"\r\n");
                }
            }
            text.extend(format!("Content-Length: {}\r\n\r\n", prepared.body.len()).bytes());
            text.extend_from_slice(&prepared.body);
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
    rt.block_on(deliver(
        out,
        &plan,
        prepared,
        &client,
        store.as_ref(),
        timeout,
        args.retry,
        args.speed,
        "send",
    ))
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
    rt.block_on(async {
        type Pending<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Exit>> + 'a>>;
        let mut in_flight: Vec<Pending<'_>> = Vec::with_capacity(width);
        let mut started = 0u64;
        loop {
            while in_flight.len() < width && started < count {
                let prepared = plan.prepare(None, now_unix())?;
                in_flight.push(Box::pin(deliver(
                    out,
                    plan,
                    prepared,
                    &client,
                    store.as_ref(),
                    timeout,
                    true,
                    args.speed,
                    "send",
                )));
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
        let text = format!("{count} events: {delivered} delivered, {failed} failed");
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

/// Sends one prepared event, with retries when asked; prints and records each attempt.
#[allow(clippy::too_many_arguments)]
pub async fn deliver(
    out: &Output,
    plan: &Plan,
    mut prepared: Prepared,
    client: &HttpClient,
    store: Option<&Store>,
    timeout: Duration,
    retry: bool,
    speed: f64,
    source: &'static str,
) -> Result<Exit> {
    let profile = &plan.profile;
    let stored = match store {
        Some(s) => Some(
            s.insert_delivery(&NewDelivery {
                direction: Direction::Out,
                source,
                profile: Some(&profile.name),
                event: Some(&prepared.built.event),
                delivery_id: Some(&prepared.built.id),
                method: &plan.method,
                url: plan.url.as_str(),
                headers: &prepared.headers,
                body: &prepared.body,
                valid: None,
                reason: None,
                duplicate: false,
                replay_of: None,
                state: State::Pending,
            })
            .context("could not record the delivery")?,
        ),
        None => None,
    };
    let s = out.out();
    // The store's id is what `replay` and `deliveries show` take (the delivery id
    // works there too).
    let stored_note = stored.map(|n| format!("  store #{n}")).unwrap_or_default();
    if !out.json && !out.quiet {
        out.line(&format!(
            "{} {} {}  {} {}  {}",
            s.dim("→"),
            plan.method,
            plan.url,
            profile.name,
            escape(&prepared.built.event),
            s.dim(&format!("id {}{stored_note}", escape(&prepared.built.id)))
        ))?;
        if out.verbose > 0 {
            for (n, v) in prepared.headers.iter() {
                out.line(&s.dim(&format!("  {n}: {}", escape(v))))?;
            }
        }
    }
    let first = std::time::Instant::now();
    let mut attempt = 1u32;
    let (last, state): (Result<Sent, SendError>, State) = loop {
        if attempt > 1 && profile.timestamped() {
            prepared.headers = plan.sign(&prepared.built, &prepared.body, now_unix())?;
        }
        let started_at = now_rfc3339();
        let at_secs = first.elapsed().as_secs_f64();
        let result = client
            .send(
                &plan.method,
                &plan.url,
                &prepared.headers,
                prepared.body.clone(),
                timeout,
            )
            .await;
        let (outcome, retry_after) = match &result {
            Ok(sent) => (Outcome::Status(sent.status), sent.retry_after()),
            Err(e) => (e.outcome(), None),
        };
        let decision = if retry {
            profile
                .retry
                .decide(attempt as usize, &outcome, retry_after)
        } else if outcome.is_success() {
            Decision::Delivered
        } else {
            Decision::GiveUp {
                rule: "sent once (--retry follows the profile's policy)".into(),
            }
        };
        if let (Some(s), Some(id)) = (store, stored) {
            let (status, latency, error, rh, rb) = match &result {
                Ok(sent) => (
                    Some(sent.status),
                    Some(sent.latency.as_secs_f64() * 1e3),
                    None,
                    Some(&sent.headers),
                    Some(&sent.body[..]),
                ),
                Err(e) => (None, None, Some(e.to_string()), None, None),
            };
            s.add_attempt(
                id,
                &NewAttempt {
                    number: attempt,
                    started_at,
                    request_headers: Some(&prepared.headers),
                    status,
                    latency_ms: latency,
                    error: error.as_deref(),
                    response_headers: rh,
                    response_body: rb,
                },
            )
            .context("could not record the attempt")?;
        }
        if !out.quiet || out.json {
            show_attempt(out, attempt, at_secs, &result, &decision, retry, speed)?;
        }
        match decision {
            Decision::Delivered => break (result, State::Delivered),
            Decision::GiveUp { .. } => break (result, State::Failed),
            Decision::Retry { after, .. } => {
                tokio::time::sleep(crate::retry::at_speed(after, speed)).await;
                attempt += 1;
            }
        }
    };
    if let (Some(s), Some(id)) = (store, stored) {
        s.set_state(id, state)
            .context("could not record the delivery's state")?;
    }
    let delivered = state == State::Delivered;
    if out.json {
        out.record(
            "result",
            &ResultRecord {
                delivered,
                state: state.as_str(),
                attempts: attempt,
                status: last.as_ref().ok().map(|s| s.status),
                profile: &profile.name,
                event: &prepared.built.event,
                delivery_id: &prepared.built.id,
                url: plan.url.as_str(),
                response: last.as_ref().ok().map(|s| ResponseJson {
                    headers: header_pairs(&s.headers),
                    body: BodyJson::new(&s.body),
                }),
                stored,
            },
        )?;
    } else if out.quiet {
        // One line: the outcome, the event and where it is in the store.
        let outcome = match &last {
            Ok(sent) if delivered => s.ok(&format!("delivered {}", sent.status)),
            Ok(sent) => s.fail(&format!("failed {}", sent.status)),
            Err(e) => s.fail(&format!("failed: {e}")),
        };
        let tries = if attempt > 1 {
            format!(" after {attempt} attempts")
        } else {
            String::new()
        };
        out.line(&format!(
            "{outcome}{tries}  {} {}  id {}{stored_note}",
            profile.name,
            escape(&prepared.built.event),
            escape(&prepared.built.id)
        ))?;
    } else if let Ok(sent) = &last {
        if out.verbose > 0 {
            for (n, v) in sent.headers.iter() {
                out.line(&s.dim(&format!("  {n}: {}", escape(v))))?;
            }
        }
        if !sent.body.is_empty() {
            out.line(&render_body(&sent.body, out.verbose > 0))?;
        }
    }
    match last {
        Err(e) if !retry && !matches!(e, SendError::Timeout(_)) => {
            let hint = e.hint();
            let err = anyhow::Error::new(e);
            Err(match hint {
                Some(h) => err.context(crate::Hinted {
                    message: "the event was not delivered".into(),
                    hint: h.into(),
                }),
                None => err.context("the event was not delivered"),
            })
        }
        _ if delivered => Ok(Exit::Success),
        _ => Ok(Exit::Negative),
    }
}

fn show_attempt(
    out: &Output,
    attempt: u32,
    at_secs: f64,
    result: &Result<Sent, SendError>,
    decision: &Decision,
    retry: bool,
    speed: f64,
) -> Result<()> {
    let (decision_name, rule, retry_in) = match decision {
        Decision::Delivered => ("delivered", None, None),
        Decision::GiveUp { rule } => ("gave up", Some(rule.as_str()), None),
        Decision::Retry { after, rule } => {
            ("retry", Some(rule.as_str()), Some(after.as_secs_f64()))
        }
    };
    if out.json {
        let (status, latency, error, outcome) = match result {
            Ok(s) => (
                Some(s.status),
                Some(s.latency.as_secs_f64() * 1e3),
                None,
                s.status.to_string(),
            ),
            Err(e) => (None, None, Some(e.to_string()), e.outcome().label()),
        };
        out.record(
            "attempt",
            &AttemptRecord {
                attempt,
                at_secs,
                status,
                latency_ms: latency,
                error,
                outcome,
                decision: decision_name,
                rule,
                retry_in_secs: retry_in,
            },
        )?;
        return Ok(());
    }
    let s = out.out();
    let what = match result {
        Ok(sent) => {
            let text = format!("{} {}", sent.status, sent.reason);
            let text = if (200..300).contains(&sent.status) {
                s.ok(&text)
            } else {
                s.fail(&text)
            };
            format!("{text}  {:.1} ms", sent.latency.as_secs_f64() * 1e3)
        }
        Err(e) => s.fail(&e.to_string()),
    };
    let prefix = if retry {
        format!("attempt {attempt}  ")
    } else {
        String::new()
    };
    let next = match decision {
        Decision::Retry { after, rule } if speed != 1.0 => format!(
            "  → retry in {} ({rule}; {} at --speed {speed})",
            humantime::format_duration(Duration::from_secs(after.as_secs())),
            humantime::format_duration(Duration::from_millis(
                crate::retry::at_speed(*after, speed).as_millis() as u64
            ))
        ),
        Decision::Retry { after, rule } => format!(
            "  → retry in {} ({rule})",
            humantime::format_duration(*after)
        ),
        Decision::GiveUp { rule } if retry => format!("  → gave up ({rule})"),
        _ => String::new(),
    };
    out.line(&format!(
        "{}{prefix}{} {what}{}",
        s.dim(""),
        s.dim("←"),
        s.dim(&next)
    ))?;
    Ok(())
}

/// A response body for a person: pretty JSON when it is JSON, escaped text, or a note.
pub fn render_body(body: &[u8], full: bool) -> String {
    const MAX: usize = 4096;
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return escape(&serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    match std::str::from_utf8(body) {
        Ok(text) if full || text.len() <= MAX => escape(text),
        Ok(text) => {
            let cut = (0..=MAX)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            format!(
                "{}… ({} bytes in all; -v shows everything)",
                escape(&text[..cut]),
                text.len()
            )
        }
        Err(_) => format!("({} bytes, not text)", body.len()),
    }
}
