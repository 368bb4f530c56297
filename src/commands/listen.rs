//! `hookctl listen`: the local receiver.

use crate::cli::{GlobalArgs, ListenArgs};
use crate::envelope::profile::parse_duration;
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::receiver::{
    DeliveryLine, LineFeed, LineQueue, Receiver, ReceiverConfig, Route, Script,
};
use crate::http::server::{Limits, Server};
use crate::output::{Output, escape};
use crate::settings::{Config, SecretRequest, apply_scheme_args, open_store, parse_size, secrets};
use crate::store::BatchWriter;
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Serialize)]
struct Listening<'a> {
    url: &'a str,
    profile: &'a str,
    forward_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_fingerprint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_cert: Option<String>,
    store: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relay: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ui_url: Option<&'a str>,
}

/// Says what the relay link does: the first connection is the `listening` line (the
/// channel's public URL); later ones, and every loss, are `relay` lines.
fn report_relay(
    out: &Output,
    event: &crate::relay::client::Event,
    relay: &str,
    profile: &str,
    forward_to: Option<&str>,
    store: Option<&str>,
    ui_url: Option<&str>,
) {
    use crate::relay::client::Event;
    let e = out.err();
    match event {
        Event::Connected {
            url,
            channel,
            queued,
            first,
        } => {
            if *first && out.json {
                let _ = out.record(
                    "listening",
                    &Listening {
                        url,
                        profile,
                        forward_to,
                        tls_fingerprint: None,
                        tls_cert: None,
                        store,
                        relay: Some(relay),
                        channel: Some(channel),
                        ui_url,
                    },
                );
            } else if out.json {
                let _ = out.record(
                    "relay",
                    &serde_json::json!({"state": "connected", "relay": relay, "channel": channel, "url": url, "queued": queued}),
                );
            }
            if out.json {
                // The records above say it.
            } else if *first {
                out.note(&format!(
                    "{} {}  {}",
                    e.ok("listening on"),
                    e.strong(url),
                    e.dim(&format!(
                        "through {relay}, channel {channel}, profile {profile}"
                    ))
                ));
                if let Some(f) = forward_to {
                    out.note(&e.dim(&format!("forwarding to {f}")));
                }
                out.note(&e.dim("Ctrl-C to stop"));
            } else {
                out.note(&format!(
                    "{} {}",
                    e.ok("relay: connected again"),
                    e.dim(url)
                ));
            }
            if *queued > 0 {
                out.warn(&e.warn(&format!(
                    "relay: {} held while no client was connected {} now, oldest first",
                    crate::output::plural(*queued, "delivery", "deliveries"),
                    if *queued == 1 { "comes" } else { "come" }
                )));
            }
        }
        Event::GivenUp {
            method,
            target,
            received_at_ms,
            why,
            stored,
        } => {
            let since = crate::relay::server::rfc3339_ms(*received_at_ms);
            let again = match (stored, forward_to) {
                (Some(id), Some(f)) => format!("hookctl replay {id} --to {f}"),
                (Some(id), None) => format!("hookctl replay {id} --to URL"),
                (None, _) => "(not recorded: --no-store)".to_string(),
            };
            if out.json {
                let _ = out.record(
                    "relay",
                    &serde_json::json!({"state": "given_up", "relay": relay, "method": method, "path": target, "received_at": since, "reason": why, "id": stored, "replay": again}),
                );
            }
            out.warn(&format!(
                "relay: {} {} held since {since} was given up ({}); send it again: {again}",
                escape(method),
                escape(target),
                escape(why)
            ));
        }
        Event::Disconnected { reason, retry_in } => {
            if out.json {
                let _ = out.record(
                    "relay",
                    &serde_json::json!({"state": "disconnected", "relay": relay, "reason": reason, "retry_in_ms": retry_in.as_millis() as u64}),
                );
            }
            out.warn(&format!(
                "relay: disconnected ({reason}); connecting again in {:.1}s",
                retry_in.as_secs_f64()
            ));
        }
    }
}

fn duration(text: Option<&str>, flag: &str) -> Result<Option<Duration>> {
    text.map(|t| {
        parse_duration(t)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("could not read {flag}"))
    })
    .transpose()
}

/// What a user should know before the first delivery: the routes in force (from
/// hookctl.toml and --route, first match wins), and how `--fail-first` counts the
/// attempts of a profile that sends no delivery id.
/// Notes on stderr, with `--json` too.
fn start_notes(
    out: &Output,
    profiles: &[crate::envelope::Profile],
    auto: bool,
    fail_first: u32,
    routes: &[Route],
) {
    let e = out.err();
    for r in routes {
        out.note(&e.dim(&format!("route {} → {}", escape(r.glob.as_str()), r.url)));
    }
    if fail_first > 0 {
        let without: Vec<&str> = profiles
            .iter()
            .filter(|p| !crate::http::receiver::has_wire_id(p))
            .map(|p| p.name.as_str())
            .collect();
        if !without.is_empty() {
            out.note(&e.dim(&format!(
                "--fail-first: {} no delivery id on the wire, so {} counted by a hash of the body (a retry sends the same body)",
                if auto {
                    format!("{} send", without.join(", "))
                } else {
                    format!("{} sends", without.join(", "))
                },
                if without.len() == 1 && !auto { "its attempts are" } else { "their attempts are" }
            )));
        }
    }
}

pub fn run(g: &GlobalArgs, out: &Output, args: ListenArgs) -> Result<Exit> {
    if args.print_token {
        let first = args.relay.as_deref().unwrap_or_default().split(',').next();
        let url = crate::outbound::resolve_url(first.unwrap_or_default().trim())
            .context("could not read --relay")?;
        return match crate::relay::client::kept_token(&url, args.channel.as_deref())? {
            Some((_, token)) => {
                out.bytes(format!("{token}\n").as_bytes())?;
                Ok(Exit::Success)
            }
            None => Err(hinted(
                format!(
                    "this machine keeps no token for {} on {url}",
                    args.channel
                        .as_deref()
                        .map_or("a channel".to_string(), |c| format!("channel `{c}`")),
                ),
                "the token is kept by the `listen --relay` that made the channel, on its machine: run this there",
            )),
        };
    }
    crate::settings::check_range(args.speed, crate::retry::SPEEDS, "--speed")?;
    let config = Config::load(g.config.as_deref())?;
    let wanted = args
        .profile
        .as_deref()
        .or(config.default_profile())
        .unwrap_or("auto")
        .to_string();
    let auto = wanted == "auto";
    let profiles = if auto {
        config
            .catalog
            .all()?
            .into_iter()
            .filter(|p| p.signature.is_some())
            .collect()
    } else {
        vec![config.profile(Some(&wanted), &args.scheme)?]
    };
    if auto && (args.scheme.signature_header.is_some() || args.scheme.signed.is_some()) {
        bail!("the scheme overrides need a named --profile, not auto");
    }
    let profiles = profiles
        .into_iter()
        .map(|p| apply_scheme_args(p, &Default::default()))
        .collect::<Result<Vec<_>>>()?;
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used: false,
    })?;
    if secrets.is_empty() {
        out.warn("no secret given: deliveries are shown and recorded but not verified");
    }
    let mut routes = Vec::new();
    for (glob, url) in config
        .file
        .listen
        .routes
        .iter()
        .map(|(g, u)| (g.clone(), u.clone()))
        .chain(args.routes.iter().map(|r| {
            let (g, u) = r.split_once('=').unwrap_or((r.as_str(), ""));
            (g.to_string(), u.to_string())
        }))
    {
        if glob.is_empty() || url.is_empty() {
            bail!(
                "--route `{glob}={url}` is not EVENT_GLOB=URL (e.g. 'ticket.*=http://localhost:3000/tickets')"
            );
        }
        routes.push(Route {
            glob: crate::glob::EventGlob::new(&glob)
                .map_err(anyhow::Error::msg)
                .context("could not read a route")?,
            url: crate::outbound::resolve_url(&url).context("could not read a route")?,
        });
    }
    let forward = args
        .forward_to
        .as_deref()
        .map(crate::outbound::resolve_url)
        .transpose()
        .context("could not read --forward-to")?;
    if !(0.0..=1.0).contains(&args.fail_rate) {
        bail!("--fail-rate is a share between 0 and 1");
    }
    for code in [args.status, args.fail_status] {
        if !(100..=599).contains(&code) {
            bail!("{code} is not an HTTP status");
        }
    }
    let tolerance = args
        .tolerance
        .as_deref()
        .map(|t| {
            parse_duration(t)
                .map_err(anyhow::Error::msg)
                .context("could not read --tolerance")
                .map(|d| Some(d).filter(|d| !d.is_zero()))
        })
        .transpose()?;
    let max_body = parse_size(&args.max_body).context("could not read --max-body")?;
    // SQLite keeps a body (and the row around it) in at most 1,000,000,000 bytes.
    if !g.no_store && max_body > crate::store::MAX_BODY {
        bail!(
            "--max-body is at most 900MiB while recording (the store keeps a body in one SQLite value); add --no-store for more"
        );
    }
    let wait_timeout = duration(args.timeout.as_deref(), "--timeout")?;
    let read_timeout =
        duration(Some(&args.read_timeout), "--read-timeout")?.unwrap_or(Duration::from_secs(10));
    if read_timeout.is_zero() {
        bail!("--read-timeout must be more than 0");
    }
    // The provider gives up after its per-attempt timeout anyway; auto has no one
    // provider to ask.
    let forward_timeout = match duration(args.forward_timeout.as_deref(), "--forward-timeout")? {
        Some(d) if d.is_zero() => bail!("--forward-timeout must be more than 0"),
        Some(d) => d,
        None if auto => Duration::from_secs(10),
        None => profiles[0].retry.timeout,
    };
    let max_connections = match args.max_connections {
        Some(0) => bail!("--max-connections must be at least 1"),
        Some(n) => n,
        None => crate::http::server::default_max_connections(),
    };
    let host = args
        .host
        .clone()
        .or(config.file.listen.host.clone())
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = args.port.or(config.file.listen.port).unwrap_or(4242);
    let mut base_path = args
        .path
        .clone()
        .or(config.file.listen.path.clone())
        .unwrap_or_else(|| "/".into());
    if !base_path.starts_with('/') {
        base_path.insert(0, '/');
    }
    let profile_label = if auto {
        "auto".to_string()
    } else {
        profiles[0].name.clone()
    };
    // Only for hints: a profile elsewhere in hookctl.toml that does not compile is
    // not this command's concern.
    let others = if auto {
        Vec::new()
    } else {
        config
            .catalog
            .names()
            .iter()
            .filter(|n| **n != profiles[0].name)
            .filter_map(|n| config.catalog.get(n).ok())
            .filter(|p| p.signature.is_some())
            .collect()
    };
    // The inspector beside the listener: every profile, to verify what others record.
    let ui_setup = if args.ui {
        let path = crate::settings::store_path(g, "--ui")?;
        Some((path, config.catalog.all()?, secrets.clone()))
    } else {
        None
    };
    start_notes(out, &profiles, auto, args.fail_first, &routes);
    let cfg = ReceiverConfig {
        profiles,
        others,
        auto,
        secrets,
        tolerance,
        base_path: base_path.clone(),
        forward: forward.clone(),
        routes,
        script: Script {
            status: args.status,
            fail_first: args.fail_first,
            fail_rate: args.fail_rate,
            fail_status: args.fail_status,
            delay: duration(args.delay.as_deref(), "--delay")?,
            retry_after: args.retry_after,
        },
        accept_invalid: args.accept_invalid,
        forward_timeout,
        wait_for: args
            .wait_for
            .as_deref()
            .map(crate::glob::EventGlob::new)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("could not read --wait-for")?,
        verbose: out.verbose > 0,
        public_url: args
            .public_url
            .as_deref()
            .map(|u| crate::settings::checked_url(u, "--public-url"))
            .transpose()?,
    };
    let store = open_store(g)?;
    let store_path = store.as_ref().map(|s| s.path().display().to_string());
    let seen = match &store {
        Some(s) => s
            .recent_incoming(crate::http::receiver::SEEN_WINDOW as u32)
            .context("could not read recent deliveries from the store")?,
        None => Default::default(),
    };
    // Idle connections kept to the app: as many as deliveries come at once through a
    // relay link, so that none is opened per delivery under load.
    let client = HttpClient::new(&ClientOptions {
        insecure: false,
        pool: 64,
        max_response: max_body,
    })?;
    // As many threads as the cores this process may run on (taskset is respected).
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    let writer = store
        .map(|s| BatchWriter::start_on(s, rt.handle()))
        .transpose()?;
    let (lines, feed) = LineQueue::new();
    let receiver = Receiver::new(cfg, writer, client, seen, lines);
    let receiver = Arc::new(receiver);
    let counts = Arc::clone(&feed.counts);

    if args.relay.is_some() && max_body > 1 << 30 {
        bail!("--max-body is at most 1GiB with --relay (a delivery crosses the link in one frame)");
    }
    let relay = match &args.relay {
        Some(u) => Some(crate::relay::client::ClientConfig {
            // Nodes of one relay cluster, comma-separated: tried in turn.
            relay: crate::outbound::resolve_url(u.split(',').next().unwrap_or_default().trim())
                .context("could not read --relay")?,
            also: u
                .split(',')
                .skip(1)
                .map(|n| crate::outbound::resolve_url(n.trim()).context("could not read --relay"))
                .collect::<Result<_>>()?,
            channel: match &args.channel {
                Some(c) if !crate::relay::server::valid_channel(c) => bail!(
                    "--channel `{}` is not a channel name (1 to 63 lowercase letters, digits and dashes)",
                    escape(c)
                ),
                c => c.clone(),
            },
            token: std::env::var("HOOKCTL_RELAY_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
            key: args.relay_key.clone(),
            insecure: args.insecure,
            max_body,
            speed: args.speed,
        }),
        None => None,
    };

    let served = rt.block_on(async {
        // SIGTERM (a service manager, `kill`) stops the listener like Ctrl-C does.
        let terminate = crate::sigterm();
        let ui_url = match ui_setup {
            Some((path, profiles, secrets)) => {
                let (url, serving) =
                    crate::ui::start("127.0.0.1", args.ui_port, path, profiles, secrets, false)
                        .await
                        .map_err(|e| hinted(e.to_string(), "pass another --ui-port (0 picks a free one)"))?;
                tokio::spawn(serving);
                if !out.json {
                    out.note(&format!("{} {url}", out.err().ok("inspector on")));
                }
                Some(url)
            }
            None => None,
        };
        // The printer has a thread of its own: a stdout nobody reads blocks it, not
        // the runtime, so deliveries are still answered and a signal still stops
        // `listen`.
        let (printed, printer_done) = std::sync::mpsc::channel();
        let printer_out = out.clone();
        let start_printer = move || {
            std::thread::Builder::new()
                .name("printer".into())
                .spawn(move || {
                    print_lines(&printer_out, feed);
                    let _ = printed.send(());
                })
                .map(|_| ())
                .context("could not start the printer thread")
        };
        let mut shutdown = None;
        let mut _made_pem = None;
        let mut serving: std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + '_>> =
            if let Some(cfg) = relay {
                start_printer()?;
                let relay_url = cfg.relay.to_string();
                let label = profile_label.clone();
                let forward_to = forward.as_ref().map(|u| u.to_string());
                let store_path = store_path.clone();
                let ui_url = ui_url.clone();
                let for_url = Arc::clone(&receiver);
                Box::pin(crate::relay::client::run(cfg, Arc::clone(&receiver), move |event| {
                    if let crate::relay::client::Event::Connected { url, .. } = &event {
                        for_url.set_relay_url(url);
                    }
                    report_relay(out, &event, &relay_url, &label, forward_to.as_deref(), store_path.as_deref(), ui_url.as_deref())
                }))
            } else {
                let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await.map_err(|e| {
                    hinted(format!("could not listen on {host}:{port}: {e}"), "pass another --port (0 picks a free one)")
                })?;
                let addr = listener.local_addr()?;
                let tls = match (&args.tls_cert, &args.tls_key, args.tls) {
                    (Some(c), Some(k), _) => Some(crate::http::tls::from_files(c, k)?),
                    (_, _, true) => Some(crate::http::tls::self_signed(&std::env::temp_dir().join(format!("hookctl-listen-{}.pem", addr.port())))?),
                    _ => None,
                };
                // A certificate made for this run goes with it.
                _made_pem = tls.as_ref().filter(|_| args.tls_cert.is_none()).map(|t| RemoveOnDrop(t.cert_path.clone()));
                let scheme = if tls.is_some() { "https" } else { "http" };
                let shown_host = if addr.ip().is_ipv6() { format!("[{}]", addr.ip()) } else { addr.ip().to_string() };
                let url = format!("{scheme}://{shown_host}:{}{}", addr.port(), base_path);
                // A scheme that signs the URL checks deliveries against this one when
                // --public-url names none (right for what is sent straight here).
                receiver.set_relay_url(&url);
                let cert = tls.as_ref().map(|t| t.cert_path.display().to_string());
                if out.json {
                    out.record(
                        "listening",
                        &Listening {
                            url: &url,
                            profile: &profile_label,
                            forward_to: forward.as_ref().map(|u| u.as_str()),
                            tls_fingerprint: tls.as_ref().map(|t| t.fingerprint.as_str()),
                            tls_cert: cert.clone(),
                            store: store_path.as_deref(),
                            relay: None,
                            channel: None,
                            ui_url: ui_url.as_deref(),
                        },
                    )?;
                } else {
                    let e = out.err();
                    out.note(&format!("{} {}  {}", e.ok("listening on"), e.strong(&url), e.dim(&format!("profile {profile_label}"))));
                    if let Some(f) = &forward {
                        out.note(&e.dim(&format!("forwarding to {f}")));
                    }
                    if let Some(t) = &tls {
                        out.note(&e.dim(&format!("TLS certificate SHA-256 {}\n  PEM: {} (trust it with curl --cacert)", t.fingerprint, t.cert_path.display())));
                    }
                    out.note(&e.dim("Ctrl-C to stop"));
                }
                start_printer()?;
                let acceptor = tls.map(|t| t.acceptor);
                let limits = Limits { max_body, read_timeout, bodies: None };
                let (server, sd) = Server::new(listener, acceptor, Arc::clone(&receiver), limits, max_connections);
                shutdown = Some(sd);
                Box::pin(async move {
                    server.run(|w| out.warn(w)).await;
                    Ok(())
                })
            };
        let deadline = async {
            match wait_timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);
        tokio::pin!(terminate);
        let exit = tokio::select! {
            r = &mut serving => match r {
                Ok(()) => Exit::Error,
                Err(e) => Err(e)?,
            },
            _ = receiver.done.notified() => Exit::Success,
            _ = &mut deadline => {
                out.note(&format!("no matching delivery within {}", humantime::format_duration(wait_timeout.unwrap_or_default())));
                Exit::Negative
            }
            _ = tokio::signal::ctrl_c() => Exit::Interrupted,
            _ = &mut terminate => Exit::Interrupted,
        };
        // The accept loop goes (and with it the listening socket and the connection
        // slot it held); answers in flight go out, idle keep-alive connections close
        // at once.
        drop(serving);
        if let Some(sd) = shutdown {
            sd.close(Duration::from_secs(2)).await;
        }
        Ok::<_, anyhow::Error>((exit, printer_done))
    });
    // Whatever is still open is dropped with the runtime (a stuck connection task
    // cannot hold `listen` up); every delivery that was answered is already committed.
    rt.shutdown_timeout(Duration::from_secs(1));
    let (exit, printer_done) = served?;
    if let Some(receiver) = Arc::into_inner(receiver) {
        let finished = receiver.finish().context("the store failed")?;
        if let Some(f) = finished.filter(|f| f.unindexed > 0) {
            out.note(&format!(
                "{} committed to the store's journal but not yet indexed; the next hookctl command that opens the store indexes {}",
                crate::output::plural(f.unindexed, "delivery is", "deliveries are"),
                if f.unindexed == 1 { "it" } else { "them" }
            ));
        }
    }
    // The printer ends once the receiver's queue has closed and it has printed the
    // rest. It is waited for while its writes go through, up to two seconds; a stdout
    // that is never read holds `listen` up for half a second at most.
    let give_up = std::time::Instant::now() + Duration::from_secs(2);
    let mut written = counts.written.load(Ordering::Relaxed);
    while printer_done
        .recv_timeout(Duration::from_millis(500))
        .is_err_and(|e| e == std::sync::mpsc::RecvTimeoutError::Timeout)
    {
        let now = counts.written.load(Ordering::Relaxed);
        if now == written || std::time::Instant::now() >= give_up {
            break;
        }
        written = now;
    }
    let dropped = counts.dropped.load(Ordering::Relaxed);
    if dropped > 0 {
        out.warn(&format!(
            "{dropped} delivery lines were not shown: stdout was not read fast enough (the store holds every delivery: `hookctl deliveries list`)"
        ));
    }
    Ok(exit)
}
/// Removes a file when dropped (a certificate made for one run).
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Lines are written at most every [`PRINT_EVERY`]: the first after a quiet spell
/// goes out at once, and under load each write carries every line queued meanwhile.
const PRINT_EVERY: Duration = Duration::from_millis(10);

fn print_lines(out: &Output, feed: LineFeed) {
    let mut reported = 0;
    let mut last_report: Option<std::time::Instant> = None;
    // Ends when the receiver, and with it the queue's sending end, is gone.
    while let Ok(first) = feed.rx.recv() {
        let mut text = Vec::new();
        for (line, size) in std::iter::once(first).chain(feed.rx.try_iter()) {
            feed.counts.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            if out.json {
                Output::record_into(&mut text, "delivery", &line);
            } else {
                text.extend(render(out, &line).bytes());
                text.push(b'\n');
            }
        }
        let dropped = feed.counts.dropped.load(Ordering::Relaxed);
        // Said at most once a second.
        if dropped > reported && last_report.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            let lines = dropped - reported;
            reported = dropped;
            last_report = Some(std::time::Instant::now());
            if out.json {
                Output::record_into(
                    &mut text,
                    "dropped",
                    &serde_json::json!({"lines": lines, "total": dropped}),
                );
            }
            out.warn(&format!(
                "{lines} delivery lines dropped ({dropped} in all): stdout is not read fast enough; the store holds every delivery"
            ));
        }
        // A closed stdout is not a reason to stop answering deliveries.
        let _ = out.bytes(&text);
        feed.counts.written.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(PRINT_EVERY);
    }
}

fn render(out: &Output, l: &DeliveryLine) -> String {
    let s = out.out();
    let time = l.time.get(11..19).unwrap_or(&l.time);
    let mut what = vec![escape(&format!("{} {}", l.method, l.path))];
    if let Some(p) = &l.profile {
        what.push(p.clone());
    }
    if let Some(e) = &l.event {
        what.push(s.strong(&escape(e)));
    }
    if let Some(id) = &l.delivery_id {
        what.push(s.dim(&escape(id)));
    }
    let verdict = match l.valid {
        // Held: when it was signed, and when the relay took it.
        Some(true) if l.held => s.ok(&format!("✓ {}", escape(&l.reason))),
        Some(true) => s.ok("✓"),
        Some(false) => s.fail(&format!("✗ {}", escape(&l.reason))),
        None if l.status >= 400 && l.profile.is_none() => s.fail(&escape(&l.reason)),
        None => s.warn(&format!("? {}", escape(&l.reason))),
    };
    let status = if (200..300).contains(&l.status) {
        s.ok(&l.status.to_string())
    } else {
        s.fail(&l.status.to_string())
    };
    let mut text = format!("{} {}  {verdict}  → {status}", s.dim(time), what.join("  "));
    if let Some(to) = &l.forwarded_to {
        match &l.forward_error {
            Some(e) => text.push_str(&s.fail(&format!(" (app down: {})", escape(e)))),
            None => text.push_str(&s.dim(&format!(" from {}", escape(to)))),
        }
    }
    text.push_str(&s.dim(&format!("  {:.1} ms", l.latency_ms)));
    if l.duplicate {
        text.push_str(&s.warn(&format!("  duplicate (attempt {})", l.attempt)));
    }
    if l.test {
        text.push_str(&s.warn("  [test event]"));
    }
    if l.held {
        let mut note = "held by the relay".to_string();
        if l.attempt > 1 {
            note.push_str(&format!(", attempt {}", l.attempt));
        }
        match (l.held_outcome, &l.held_note, l.next_try_in_ms) {
            (Some("retrying"), _, Some(ms)) => note.push_str(&format!(
                "; next try in {}",
                humantime::format_duration(Duration::from_millis(ms.max(1000) / 1000 * 1000))
            )),
            (Some("refused"), Some(why), _) => note.push_str(&format!("; let go: {why}")),
            (Some("given_up"), Some(why), _) => note.push_str(&format!("; given up: {why}")),
            _ => {}
        }
        text.push_str(&s.warn(&format!("  [{}]", escape(&note))));
    }
    if let Some(h) = &l.handshake {
        text.push_str(&format!(
            "\n  {} {}",
            s.warn("handshake:"),
            s.strong(&escape(h))
        ));
    }
    if let Some(headers) = &l.headers {
        for [n, v] in headers {
            text.push_str(&s.dim(&format!("\n    {n}: {}", escape(v))));
        }
    }
    if let Some(body) = &l.body {
        let shown = match body {
            crate::output::BodyJson::Text(t) => crate::output::render_body(t.as_bytes(), true),
            crate::output::BodyJson::Base64(b) => {
                format!("({} bytes, not text; base64 {b})", b.len() * 3 / 4)
            }
        };
        for l in shown.lines() {
            text.push_str(&format!("\n    {l}"));
        }
    }
    text
}
