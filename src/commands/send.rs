//! `hookctl send`: one event, correctly signed, once, with the provider's
//! retry policy, as a batch, or as load. Resolve (`settings::send`) → the outbound
//! pipeline → render.

use super::header_pairs;
use crate::Exit;
use crate::cli::{GlobalArgs, SendArgs};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::load::Summary;
use crate::outbound::{DeliverOptions, Plan, Prepared, deliver};
use crate::output::Event;
use crate::output::delivery::DeliveryView;
use crate::output::{BodyJson, Output};
use crate::settings::open_store;
use crate::settings::send::{Mode, SendSettings};
use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Serialize)]
struct DryRun<'a> {
    method: &'a str,
    url: &'a str,
    headers: Vec<[&'a str; 2]>,
    body: BodyJson,
    curl: String,
}

pub fn run(g: &GlobalArgs, out: &Output, args: SendArgs) -> Result<Exit> {
    let s = crate::settings::send::resolve(g, args)?;
    for w in &s.warnings {
        out.warn(w);
    }
    match s.mode {
        Mode::DryRun { ref id, timestamp } => {
            let prepared = s.plan.prepare(id.clone(), timestamp)?;
            render_dry_run(out, &s.plan, &prepared)
        }
        Mode::Once {
            retry,
            ref id,
            timestamp,
        } => {
            let prepared = s.plan.prepare(id.clone(), timestamp)?;
            once(g, out, &s, prepared, retry)
        }
        Mode::Batch { count, width } => batch(g, out, &s, count, width),
        Mode::Load(ref load) => {
            let summary = crate::outbound::load::run(
                s.plan,
                load,
                open_store(g)?,
                progress(out, load.count),
            )?;
            render_load(out, &summary)
        }
    }
}

fn options(s: &SendSettings, retry: bool) -> DeliverOptions {
    DeliverOptions {
        timeout: s.timeout,
        retry,
        speed: s.speed,
        source: "send",
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// One event, with the profile's retries when asked.
fn once(
    g: &GlobalArgs,
    out: &Output,
    s: &SendSettings,
    prepared: Prepared,
    retry: bool,
) -> Result<Exit> {
    let store = open_store(g)?;
    let client = HttpClient::new(&ClientOptions::new(s.insecure, 1))?;
    let opts = options(s, retry);
    let view = DeliveryView::new(out, &opts);
    let delivered = runtime()?.block_on(deliver(
        &s.plan,
        prepared,
        &client,
        store.as_ref(),
        &opts,
        &mut |r| view.report(r),
    ))?;
    super::delivered_exit(delivered, retry)
}

/// `--count N --retry`: N events through the retry policy, then a summary line.
fn batch(g: &GlobalArgs, out: &Output, s: &SendSettings, count: u64, width: usize) -> Result<Exit> {
    let store = open_store(g)?;
    let client = HttpClient::new(&ClientOptions::new(s.insecure, width))?;
    let opts = options(s, true);
    let view = DeliveryView::new(out, &opts);
    let tally = runtime()?.block_on(crate::outbound::batch::deliver_many(
        &s.plan,
        count,
        width,
        &client,
        store.as_ref(),
        &opts,
        &|r| view.report(r),
    ))?;
    if !out.json {
        let st = out.out();
        let text = format!(
            "{}: {} delivered, {} failed",
            crate::show::plural(count, "event", "events"),
            tally.delivered,
            tally.failed
        );
        out.line(&if tally.failed == 0 {
            st.ok(&text)
        } else {
            st.fail(&text)
        })?;
    }
    Ok(if tally.failed == 0 {
        Exit::Success
    } else {
        Exit::Negative
    })
}

/// The request exactly as it would travel (stdout) and as a curl command (stderr).
fn render_dry_run(out: &Output, plan: &Plan, prepared: &Prepared) -> Result<Exit> {
    let curl = crate::show::curl_command(
        &plan.method,
        plan.url.as_str(),
        &prepared.headers,
        &prepared.body,
    );
    if out.json {
        out.record(
            Event::Request,
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
    Ok(Exit::Success)
}

/// A progress bar on a terminal, for load mode.
fn progress(out: &Output, count: Option<u64>) -> Option<indicatif::ProgressBar> {
    (!out.json && !out.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())).then(|| {
        let bar = match count {
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
    })
}

/// Load mode's summary: counts, latencies, statuses, errors.
fn render_load(out: &Output, summary: &Summary) -> Result<Exit> {
    for w in &summary.warnings {
        crate::output::warning::render(out, w);
    }
    let secs = summary.elapsed_secs;
    if out.json {
        out.record(Event::Result, summary)?;
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
                crate::show::plural(n, "delivery", "deliveries")
            )));
        }
    }
    Ok(if summary.ok == summary.sent && summary.sent > 0 {
        Exit::Success
    } else {
        Exit::Negative
    })
}
