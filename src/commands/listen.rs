//! `hookctl listen`: the local receiver. Resolve (`settings::listen`) → the inbound
//! pipeline served locally or through a relay (`http::serve`, `relay::client`) →
//! the lines it feeds, rendered by `output::listen` on a thread of its own.

use crate::Exit;
use crate::cli::{GlobalArgs, ListenArgs};
use crate::hint::hinted;
use crate::http::client::{ClientOptions, HttpClient};
use crate::http::serve;
use crate::http::server::{Limits, Server};
use crate::inbound::{LineCounts, LineFeed, LineQueue, Receiver};
use crate::output::Event;
use crate::output::Output;
use crate::output::listen::{Listening, print_lines, report_relay, start_notes};
use crate::settings::listen::{ListenSettings, Serve, Serving, UiSetup};
use crate::settings::open_store;
use crate::store::BatchWriter;
use anyhow::{Context, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub fn run(g: &GlobalArgs, out: &Output, args: ListenArgs) -> Result<Exit> {
    match crate::settings::listen::resolve(g, args)? {
        ListenSettings::PrintToken { relay, channel } => print_token(out, &relay, channel),
        ListenSettings::Serve(s) => serve(g, out, *s),
    }
}

/// `--print-token`: the token this machine keeps for a relay channel.
fn print_token(out: &Output, relay: &reqwest::Url, channel: Option<String>) -> Result<Exit> {
    match crate::relay::client::kept_token(relay, channel.as_deref())? {
        Some((_, token)) => {
            out.bytes(format!("{token}\n").as_bytes())?;
            Ok(Exit::Success)
        }
        None => Err(hinted(
            format!(
                "this machine keeps no token for {} on {relay}",
                channel.map_or("a channel".to_string(), |c| format!("channel `{c}`")),
            ),
            "the token is kept by the `listen --relay` that made the channel, on its machine: run this there",
        )),
    }
}

/// What a serving `listen` shows besides its delivery lines.
struct Shown {
    profile: String,
    forward_to: Option<String>,
    store: Option<String>,
}

fn serve(g: &GlobalArgs, out: &Output, s: Serve) -> Result<Exit> {
    let Serve { receiver: cfg, how } = s;
    for w in &how.warnings {
        out.warn(w);
    }
    start_notes(out, &cfg.profiles, cfg.auto, how.fail_first, &cfg.routes);
    let store = open_store(g)?;
    let shown = Shown {
        profile: how.profile_label.clone(),
        forward_to: cfg.forward.as_ref().map(|u| u.to_string()),
        store: store.as_ref().map(|s| s.path().display().to_string()),
    };
    let seen = match &store {
        Some(s) => s
            .recent_incoming(crate::inbound::SEEN_WINDOW as u32)
            .context("could not read recent deliveries from the store")?,
        None => Default::default(),
    };
    // Idle connections kept to the app: as many as deliveries come at once through a
    // relay link, so that none is opened per delivery under load.
    let client = HttpClient::new(&ClientOptions {
        insecure: false,
        pool: 64,
        max_response: how.max_body,
    })?;
    let rt = serve::runtime()?;
    let writer = store
        .map(|st| BatchWriter::start_on(st, rt.handle()))
        .transpose()?;
    let (lines, feed) = LineQueue::new();
    let counts = Arc::clone(&feed.counts);
    let receiver = Arc::new(Receiver::new(cfg, writer, client, seen, lines));
    let served = rt.block_on(serve_until_done(out, how, &shown, &receiver, feed));
    // Whatever is still open is dropped with the runtime (a stuck connection task
    // cannot hold `listen` up); every delivery that was answered is already committed.
    rt.shutdown_timeout(Duration::from_secs(1));
    let (exit, printer_done) = served?;
    finish(out, receiver, printer_done, &counts)?;
    Ok(exit)
}

type Running<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// Serves until a `--wait-for` delivery is answered, `--timeout` passes, or a signal
/// says stop; then lets answers in flight go out.
async fn serve_until_done(
    out: &Output,
    how: Serving,
    shown: &Shown,
    receiver: &Arc<Receiver>,
    feed: LineFeed,
) -> Result<(Exit, std::sync::mpsc::Receiver<()>)> {
    // Set before the first line says the command is up.
    let stop = serve::stop_requested();
    let ui_url = match how.ui {
        Some(ui) => Some(start_ui(out, ui).await?),
        None => None,
    };
    // The printer has a thread of its own: a stdout nobody reads blocks it, not the
    // runtime, so deliveries are still answered and a signal still stops `listen`.
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
    let mut serving: Running<'_> = if let Some(cfg) = how.relay {
        start_printer()?;
        let relay_url = cfg.relay.to_string();
        let for_url = Arc::clone(receiver);
        Box::pin(crate::relay::client::run(
            cfg,
            Arc::clone(receiver),
            move |event| {
                if let crate::relay::client::Event::Connected { url, .. } = &event {
                    for_url.set_relay_url(url);
                }
                report_relay(
                    out,
                    &event,
                    &relay_url,
                    &shown.profile,
                    shown.forward_to.as_deref(),
                    shown.store.as_deref(),
                    ui_url.as_deref(),
                )
            },
        ))
    } else {
        let listener = tokio::net::TcpListener::bind((how.host.as_str(), how.port))
            .await
            .map_err(|e| {
                hinted(
                    format!("could not listen on {}:{}: {e}", how.host, how.port),
                    "pass another --port (0 picks a free one)",
                )
            })?;
        let addr = listener.local_addr()?;
        let (tls, made) = serve::tls(&how.tls, addr)?;
        // A certificate made for this run goes with it.
        _made_pem = made;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_path = receiver.base_path();
        let url = format!("{scheme}://{}{base_path}", serve::shown_addr(addr));
        // A scheme that signs the URL checks deliveries against this one when
        // --public-url names none (right for what is sent straight here).
        receiver.set_relay_url(&url);
        say_listening(out, &url, shown, tls.as_ref(), ui_url.as_deref())?;
        start_printer()?;
        let limits = Limits {
            max_body: how.max_body,
            read_timeout: how.read_timeout,
            bodies: None,
        };
        let (server, sd) = Server::new(
            listener,
            tls.map(|t| t.acceptor),
            Arc::clone(receiver),
            limits,
            how.max_connections,
        );
        shutdown = Some(sd);
        Box::pin(async move {
            server.run(|w| out.warn(w)).await;
            Ok(())
        })
    };
    let deadline = async {
        match how.wait_timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let exit = tokio::select! {
        r = &mut serving => match r {
            Ok(()) => Exit::Error,
            Err(e) => Err(e)?,
        },
        _ = receiver.done.notified() => Exit::Success,
        _ = deadline => {
            out.note(&format!(
                "no matching delivery within {}",
                humantime::format_duration(how.wait_timeout.unwrap_or_default())
            ));
            Exit::Negative
        }
        _ = stop => Exit::Interrupted,
    };
    // The accept loop goes (and with it the listening socket and the connection slot
    // it held); answers in flight go out, idle keep-alive connections close at once.
    drop(serving);
    if let Some(sd) = shutdown {
        sd.close(serve::GRACE).await;
    }
    Ok((exit, printer_done))
}

/// The inspector beside the listener; its URL.
async fn start_ui(out: &Output, ui: UiSetup) -> Result<String> {
    let on_warning = {
        let out = out.clone();
        Box::new(move |w: &crate::store::StoreWarning| crate::output::warning::render(&out, w))
    };
    let (url, serving) = crate::ui::start(
        "127.0.0.1",
        ui.port,
        ui.path,
        ui.profiles,
        ui.secrets,
        false,
        on_warning,
    )
    .await
    .map_err(|e| hinted(e.to_string(), "pass another --ui-port (0 picks a free one)"))?;
    tokio::spawn(serving);
    if !out.json {
        out.note(&format!("{} {url}", out.err().ok("inspector on")));
    }
    Ok(url)
}

/// The first line: where `listen` listens, and what it does with what comes.
fn say_listening(
    out: &Output,
    url: &str,
    shown: &Shown,
    tls: Option<&crate::http::tls::Tls>,
    ui_url: Option<&str>,
) -> Result<()> {
    if out.json {
        out.record(
            Event::Listening,
            &Listening {
                url,
                profile: Some(&shown.profile),
                forward_to: shown.forward_to.as_deref(),
                tls_fingerprint: tls.map(|t| t.fingerprint.as_str()),
                tls_cert: tls.map(|t| t.cert_path.display().to_string()),
                store: shown.store.as_deref(),
                ui_url,
                ..Listening::default()
            },
        )?;
        return Ok(());
    }
    let e = out.err();
    out.note(&format!(
        "{} {}  {}",
        e.ok("listening on"),
        e.strong(url),
        e.dim(&format!("profile {}", shown.profile))
    ));
    if let Some(f) = &shown.forward_to {
        out.note(&e.dim(&format!("forwarding to {f}")));
    }
    if let Some(t) = tls {
        out.note(&e.dim(&format!(
            "TLS certificate SHA-256 {}\n  PEM: {} (trust it with curl --cacert)",
            t.fingerprint,
            t.cert_path.display()
        )));
    }
    out.note(&e.dim("Ctrl-C to stop"));
    Ok(())
}

/// After serving: the store's last word, then the printer's, waited for while its
/// writes go through, up to two seconds; a stdout that is never read holds `listen`
/// up for half a second at most.
fn finish(
    out: &Output,
    receiver: Arc<Receiver>,
    printer_done: std::sync::mpsc::Receiver<()>,
    counts: &LineCounts,
) -> Result<()> {
    if let Some(receiver) = Arc::into_inner(receiver) {
        let finished = receiver.finish().context("the store failed")?;
        for w in finished.iter().flat_map(|f| &f.warnings) {
            crate::output::warning::render(out, w);
        }
        if let Some(f) = finished.filter(|f| f.unindexed > 0) {
            out.note(&format!(
                "{} committed to the store's journal but not yet indexed; the next hookctl command that opens the store indexes {}",
                crate::show::plural(f.unindexed, "delivery is", "deliveries are"),
                if f.unindexed == 1 { "it" } else { "them" }
            ));
        }
    }
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
    Ok(())
}
