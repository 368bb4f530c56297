//! What `listen` shows: the `listening` record (one shape for listen, relay and
//! ui), the relay link's events, the notes before the first delivery, and one line
//! per delivery, written from a thread of its own.

use super::{Output, escape};
use crate::inbound::{DeliveryLine, LineFeed, Route};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The `listening` record of `listen`, `relay` and `ui`: where it listens, and what
/// it does with what comes.
#[derive(Serialize, Default)]
pub struct Listening<'a> {
    pub url: &'a str,
    pub profile: Option<&'a str>,
    pub forward_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<String>,
    pub store: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui_url: Option<&'a str>,
    /// The relay's bind address (`relay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// Whether a relay takes channels without a key (`relay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
}

/// Says what the relay link does: the first connection is the `listening` line (the
/// channel's public URL); later ones, and every loss, are `relay` lines.
pub fn report_relay(
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
                    super::Event::Listening,
                    &Listening {
                        url,
                        profile: Some(profile),
                        forward_to,
                        store,
                        relay: Some(relay),
                        channel: Some(channel),
                        ui_url,
                        ..Listening::default()
                    },
                );
            } else if out.json {
                let _ = out.record(
                    super::Event::Relay,
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
                    crate::show::plural(*queued, "delivery", "deliveries"),
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
                    super::Event::Relay,
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
                    super::Event::Relay,
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

/// What a user should know before the first delivery: the routes in force (from
/// hookctl.toml and --route, first match wins), and how `--fail-first` counts the
/// attempts of a profile that sends no delivery id.
/// Notes on stderr, with `--json` too.
pub fn start_notes(
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
            .filter(|p| !crate::inbound::has_wire_id(p))
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

/// Lines are written at most every [`PRINT_EVERY`]: the first after a quiet spell
/// goes out at once, and under load each write carries every line queued meanwhile.
const PRINT_EVERY: Duration = Duration::from_millis(10);

pub fn print_lines(out: &Output, feed: LineFeed) {
    let mut reported = 0;
    let mut last_report: Option<std::time::Instant> = None;
    // Ends when the receiver, and with it the queue's sending end, is gone.
    while let Ok(first) = feed.rx.recv() {
        let mut text = Vec::new();
        for (line, size) in std::iter::once(first).chain(feed.rx.try_iter()) {
            feed.counts.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            if out.json {
                Output::record_into(&mut text, super::Event::Delivery, &line);
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
                    super::Event::Dropped,
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

pub fn render(out: &Output, l: &DeliveryLine) -> String {
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
            crate::show::BodyJson::Text(t) => crate::show::render_body(t.as_bytes(), true),
            crate::show::BodyJson::Base64(b) => {
                format!("({} bytes, not text; base64 {b})", b.len() * 3 / 4)
            }
        };
        for l in shown.lines() {
            text.push_str(&format!("\n    {l}"));
        }
    }
    text
}
