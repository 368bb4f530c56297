//! `hookctl listen`: the local receiver.

use crate::cli::{GlobalArgs, ListenArgs};
use crate::envelope::profile::parse_duration;
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::receiver::{DeliveryLine, Receiver, ReceiverConfig, Route, Script};
use crate::output::{Output, escape};
use crate::settings::{Config, SecretRequest, apply_scheme_args, open_store, parse_size, secrets};
use crate::store::BatchWriter;
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use std::sync::Arc;
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
}

fn duration(text: Option<&str>, flag: &str) -> Result<Option<Duration>> {
    text.map(|t| {
        parse_duration(t)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("could not read {flag}"))
    })
    .transpose()
}

pub fn run(g: &GlobalArgs, out: &Output, args: ListenArgs) -> Result<Exit> {
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
            glob,
            url: crate::commands::send::resolve_url(&url).context("could not read a route")?,
        });
    }
    let forward = args
        .forward_to
        .as_deref()
        .map(crate::commands::send::resolve_url)
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
    let wait_timeout = duration(args.timeout.as_deref(), "--timeout")?;
    let read_timeout =
        duration(Some(&args.read_timeout), "--read-timeout")?.unwrap_or(Duration::from_secs(10));
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
    let cfg = ReceiverConfig {
        profiles,
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
        max_body,
        body_timeout: read_timeout,
        forward_timeout: Duration::from_secs(30),
        wait_for: args.wait_for.clone(),
        verbose: out.verbose > 0,
    };
    let store = open_store(g)?;
    let store_path = store.as_ref().map(|s| s.path().display().to_string());
    let seen = match &store {
        Some(s) => s
            .recent_incoming(crate::http::receiver::SEEN_WINDOW as u32)
            .context("could not read recent deliveries from the store")?,
        None => Default::default(),
    };
    let client = HttpClient::new(&ClientOptions {
        insecure: false,
        pool: 16,
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
    let writer = store.map(|s| BatchWriter::start_on(s, rt.handle()));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let receiver = Arc::new(Receiver::new(cfg, writer, client, seen, tx));

    let exit = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await.map_err(|e| {
            hinted(format!("could not listen on {host}:{port}: {e}"), "pass another --port (0 picks a free one)")
        })?;
        let addr = listener.local_addr()?;
        let tls = match (&args.tls_cert, &args.tls_key, args.tls) {
            (Some(c), Some(k), _) => Some(crate::http::tls::from_files(c, k)?),
            (_, _, true) => Some(crate::http::tls::self_signed(&std::env::temp_dir().join(format!("hookctl-listen-{}.pem", addr.port())))?),
            _ => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shown_host = if addr.ip().is_ipv6() { format!("[{}]", addr.ip()) } else { addr.ip().to_string() };
        let url = format!("{scheme}://{shown_host}:{}{}", addr.port(), base_path);
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
        let (stop_printer, printer_stop) = tokio::sync::oneshot::channel();
        let printer = tokio::spawn(print_lines(out.clone(), rx, printer_stop));
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let acceptor = tls.map(|t| t.acceptor);
        let deadline = async {
            match wait_timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);
        // SIGTERM (a service manager, `kill`) stops the listener like Ctrl-C does.
        let terminate = async {
            #[cfg(unix)]
            if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                s.recv().await;
                return;
            }
            std::future::pending::<()>().await
        };
        tokio::pin!(terminate);
        let exit = loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let receiver = Arc::clone(&receiver);
                    let acceptor = acceptor.clone();
                    let watcher = graceful.watcher();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| {
                            let receiver = Arc::clone(&receiver);
                            async move { Ok::<_, std::convert::Infallible>(receiver.handle(req).await) }
                        });
                        let mut builder = hyper::server::conn::http1::Builder::new();
                        builder.timer(TokioTimer::new()).header_read_timeout(read_timeout);
                        match acceptor {
                            Some(a) => {
                                let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), a.accept(stream)).await else { return };
                                let _ = watcher.watch(builder.serve_connection(TokioIo::new(tls), svc)).await;
                            }
                            None => {
                                let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), svc)).await;
                            }
                        }
                    });
                }
                _ = receiver.done.notified() => break Exit::Success,
                _ = &mut deadline => {
                    out.note(&format!("no matching delivery within {}", humantime::format_duration(wait_timeout.unwrap_or_default())));
                    break Exit::Negative;
                }
                _ = tokio::signal::ctrl_c() => break Exit::Interrupted,
                _ = &mut terminate => break Exit::Interrupted,
            }
        };
        // Let answers in flight go out, but do not wait on idle keep-alive connections.
        let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
        drop(listener);
        // Every handler that answered has queued its line: print them all, then stop.
        let _ = stop_printer.send(());
        let _ = tokio::time::timeout(Duration::from_secs(2), printer).await;
        Ok::<_, anyhow::Error>(exit)
    });
    // Dropping the runtime ends idle connections, and with them their hold on the
    // receiver; every delivery that was answered is already committed.
    drop(rt);
    if let Some(receiver) = Arc::into_inner(receiver) {
        receiver.finish().context("the store failed")?;
    }
    exit
}

/// Lines are written at most every [`PRINT_EVERY`]: the first after a quiet spell
/// goes out at once, and under load each write carries every line queued meanwhile.
const PRINT_EVERY: Duration = Duration::from_millis(10);

async fn print_lines(
    out: Output,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<DeliveryLine>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let write = |rx: &mut tokio::sync::mpsc::UnboundedReceiver<DeliveryLine>,
                 first: Option<DeliveryLine>| {
        let mut text = Vec::new();
        for line in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            if out.json {
                Output::record_into(&mut text, "delivery", &line);
            } else {
                text.extend(render(&out, &line).bytes());
                text.push(b'\n');
            }
        }
        let _ = out.bytes(&text);
    };
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some(line) => write(&mut rx, Some(line)),
                None => return,
            },
            _ = &mut stop => return write(&mut rx, None),
        }
        tokio::select! {
            _ = tokio::time::sleep(PRINT_EVERY) => {}
            _ = &mut stop => return write(&mut rx, None),
        }
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
            crate::output::BodyJson::Text(t) => {
                crate::commands::send::render_body(t.as_bytes(), true)
            }
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
