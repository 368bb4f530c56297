//! `hookctl deliveries`: what the store holds.

use crate::cli::{
    DeliveriesAction, DeliveriesArgs, DeliveryFilter, DeliveryState, DirectionArg, GlobalArgs,
};
use crate::output::Event;
use crate::output::{BodyJson, Output, escape};
use crate::settings::{require_store, rfc3339_ago};
use crate::store::{Filter, StoredDelivery};
use crate::{Exit, hinted};
use anyhow::Result;
use serde::Serialize;
use tabled::{Table, Tabled, settings::Style};

fn filter(f: &DeliveryFilter, limit: Option<u64>) -> Result<Filter> {
    Ok(Filter {
        state: f.status.map(|s| {
            match s {
                DeliveryState::Pending => "pending",
                DeliveryState::Delivered => "delivered",
                DeliveryState::Failed => "failed",
            }
            .to_string()
        }),
        event: f
            .event
            .as_deref()
            .map(crate::glob::EventGlob::new)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        direction: f
            .direction
            .map(|d| if d == DirectionArg::In { "in" } else { "out" }.to_string()),
        since: f
            .since
            .as_deref()
            .map(|s| rfc3339_ago(s, "--since"))
            .transpose()?,
        limit,
        profile: f.profile.clone(),
        ..Filter::default()
    })
}

#[derive(Tabled)]
struct Row {
    id: i64,
    time: String,
    dir: String,
    profile: String,
    event: String,
    #[tabled(rename = "delivery id")]
    delivery_id: String,
    valid: String,
    state: String,
    attempts: i64,
    last: String,
    mark: String,
}

/// The latest outcome, and what delivered it when the record itself did not.
fn outcome(d: &StoredDelivery) -> String {
    match d.fixed_by {
        Some(by) => format!("delivered (by #{by})"),
        None => d.state.clone(),
    }
}

/// What a delivery is marked with: a duplicate, a replay, held by a relay while its
/// `listen` was away.
fn mark(d: &StoredDelivery, held: bool) -> String {
    let mut marks = Vec::new();
    if d.duplicate {
        marks.push("duplicate".to_string());
    }
    if let Some(o) = d.replay_of {
        marks.push(format!("replay of #{o}"));
    }
    if held {
        marks.push("held by the relay".to_string());
    }
    marks.join(", ")
}

/// An answer's body for a terminal: at most 4 KiB of it.
fn answer_body(body: &[u8]) -> String {
    const MAX: usize = 4096;
    if body.len() <= MAX {
        return crate::show::render_body(body, false);
    }
    let text = String::from_utf8_lossy(&body[..MAX]);
    format!(
        "{}… ({} bytes in all; `--json` has it whole)",
        escape(text.trim_end_matches('\u{fffd}')),
        body.len()
    )
}

fn row(d: &StoredDelivery, held: bool) -> Row {
    Row {
        id: d.id,
        time: d
            .created_at
            .get(..19)
            .unwrap_or(&d.created_at)
            .replace('T', " "),
        dir: d.direction.clone(),
        profile: d.profile.clone().unwrap_or_default(),
        event: escape(d.event.as_deref().unwrap_or("")),
        delivery_id: escape(d.delivery_id.as_deref().unwrap_or("")),
        valid: match d.valid {
            Some(true) => "✓".into(),
            Some(false) => "✗".into(),
            None => "-".into(),
        },
        state: outcome(d),
        attempts: d.attempts,
        last: d
            .last_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into()),
        mark: mark(d, held),
    }
}

#[derive(Serialize)]
struct Full<'a> {
    #[serde(flatten)]
    delivery: &'a StoredDelivery,
    body: BodyJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts_detail: Option<Vec<AttemptJson<'a>>>,
    /// An export's body left out for its size (see `har::EXPORT_BODY_MAX`).
    #[serde(skip_serializing_if = "Option::is_none")]
    body_left_out_bytes: Option<u64>,
}

#[derive(Serialize)]
struct AttemptJson<'a> {
    #[serde(flatten)]
    attempt: &'a crate::store::StoredAttempt,
    response_body: Option<BodyJson>,
}

fn attempt_details(attempts: &[crate::store::StoredAttempt]) -> Vec<AttemptJson<'_>> {
    attempts
        .iter()
        .map(|a| AttemptJson {
            attempt: a,
            response_body: a.response_body.as_deref().map(BodyJson::new),
        })
        .collect()
}

/// How often `--follow` looks for new deliveries.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// `deliveries list --follow`: each delivery recorded after `last`, as it comes, one
/// line (or JSON record) each, oldest first, until interrupted. A store that does not
/// exist yet is opened once some command has made it.
fn follow_store(
    g: &GlobalArgs,
    out: &Output,
    mut store: crate::store::Store,
    mut f: crate::store::Filter,
    mut last: i64,
) -> Result<Exit> {
    if !out.json {
        out.note(&out.err().dim("following; Ctrl-C to stop"));
    }
    let mut told = Vec::new();
    loop {
        std::thread::sleep(FOLLOW_EVERY);
        if !store.path().exists() {
            continue;
        }
        if store.is_memory() {
            store = require_store(g, "deliveries")?;
        }
        store.catch_up()?;
        // Told once: a foreign file under a journal's name is met on every round.
        for w in store.take_warnings() {
            if !told.contains(&w) && told.len() < 64 {
                crate::output::warning::render(out, &w);
                told.push(w);
            }
        }
        f.after_seq = Some(last);
        let mut fresh = store.list(&f)?;
        fresh.reverse();
        for d in &fresh {
            last = last.max(d.seq);
            if out.json {
                out.record(Event::Delivery, d)?;
            } else {
                let r = row(d, false);
                out.line(&format!(
                    "{:>5}  {}  {:<3}  {}  {}  {}  {}  {}  {}",
                    r.id,
                    r.time,
                    r.dir,
                    r.profile,
                    r.event,
                    r.delivery_id,
                    r.valid,
                    r.state,
                    r.last
                ))?;
            }
        }
    }
}

pub fn run(g: &GlobalArgs, out: &Output, args: DeliveriesArgs) -> Result<Exit> {
    let store = require_store(g, "deliveries")?;
    match args.action.unwrap_or(DeliveriesAction::List {
        filter: DeliveryFilter::default(),
        limit: 50,
        follow: false,
    }) {
        DeliveriesAction::List {
            filter: f,
            limit,
            follow,
        } => {
            let last = store.last_seq()?;
            let list = store.list(&filter(&f, Some(limit))?)?;
            if out.json {
                for d in &list {
                    out.record(Event::Delivery, d)?;
                }
            } else if list.is_empty() {
                if !follow {
                    out.note("no deliveries");
                }
            } else {
                let ids: Vec<i64> = list.iter().map(|d| d.id).collect();
                let held = store.relay_held_among(&ids)?;
                out.line(
                    &Table::new(list.iter().map(|d| row(d, held.contains(&d.id))))
                        .with(Style::sharp())
                        .to_string(),
                )?;
            }
            if follow {
                return follow_store(g, out, store, filter(&f, None)?, last);
            }
        }
        DeliveriesAction::Show { id, raw } => {
            let Some((d, attempts)) = store.find(&id)? else {
                return Err(hinted(
                    format!("no delivery `{}` in the store", escape(&id)),
                    "`hookctl deliveries list` shows store ids and delivery ids",
                ));
            };
            if raw {
                // The request as it travelled, for `hookctl verify --request -`.
                // A received delivery records its path; a sent one its whole URL.
                let url = reqwest::Url::parse(&d.url).ok();
                let path = url.as_ref().map(crate::http::path_and_query);
                let host = url.as_ref().map(crate::http::authority);
                let line = crate::http::h1::RequestLine {
                    method: &d.method,
                    target: path.as_deref().unwrap_or(&d.url),
                    host: host.as_deref(),
                    close: false,
                };
                let mut text = Vec::new();
                crate::http::h1::write_request(&mut text, &line, &d.headers, &d.body).map_err(
                    |e| anyhow::anyhow!("could not write delivery {} as a request: {e}", d.id),
                )?;
                out.bytes(&text)?;
            } else if out.json {
                let detail = attempt_details(&attempts);
                out.record(
                    Event::Delivery,
                    &Full {
                        delivery: &d,
                        body: BodyJson::new(&d.body),
                        attempts_detail: Some(detail),
                        body_left_out_bytes: None,
                    },
                )?;
            } else {
                let s = out.out();
                out.line(&format!(
                    "{} {}  {} {}",
                    s.strong(&format!("delivery {}", d.id)),
                    d.created_at,
                    d.direction,
                    d.source
                ))?;
                out.line(&format!("{} {}", d.method, escape(&d.url)))?;
                for (label, v) in [
                    ("profile", &d.profile),
                    ("event", &d.event),
                    ("delivery id", &d.delivery_id),
                ] {
                    if let Some(v) = v {
                        out.line(&format!("{label}: {}", escape(v)))?;
                    }
                }
                let verdict = match d.valid {
                    Some(true) => s.ok("✓ valid"),
                    Some(false) => s.fail(&format!(
                        "✗ invalid: {}",
                        escape(d.reason.as_deref().unwrap_or(""))
                    )),
                    None => s.dim("not verified"),
                };
                out.line(&format!(
                    "verdict: {verdict}   state: {}{}",
                    match d.fixed_by {
                        Some(by) => format!("delivered by #{by} (this record: {})", d.state),
                        None => d.state.clone(),
                    },
                    if d.duplicate { "   duplicate" } else { "" }
                ))?;
                if let Some(o) = d.replay_of {
                    out.line(&format!("replay of #{o}"))?;
                }
                let replays = store.replays_of(d.id)?;
                if !replays.is_empty() {
                    out.line(&format!(
                        "replayed as {}",
                        crate::show::id_list(&replays, 20)
                    ))?;
                }
                out.line(&s.dim("headers:"))?;
                for (n, v) in d.headers.iter() {
                    out.line(&format!("  {n}: {}", escape(v)))?;
                }
                out.line(&s.dim("body:"))?;
                out.line(&crate::show::render_body(&d.body, true))?;
                for a in &attempts {
                    let what = match (a.status, &a.error) {
                        (Some(st), _) => st.to_string(),
                        (None, Some(e)) => escape(e),
                        _ => "-".into(),
                    };
                    out.line(&format!(
                        "attempt {}  {}  {what}{}",
                        a.number,
                        a.started_at,
                        a.latency_ms
                            .map(|l| format!("  {l:.1} ms"))
                            .unwrap_or_default()
                    ))?;
                }
                // The last answer, as the app (or the receiver) gave it.
                if let Some(a) = attempts.iter().rev().find(|a| a.status.is_some()) {
                    let what = if d.direction == "in" {
                        "answered"
                    } else {
                        "the answer"
                    };
                    out.line(&s.dim(&format!(
                        "{what} (attempt {}): {}",
                        a.number,
                        a.status.map(|s| s.to_string()).unwrap_or_default()
                    )))?;
                    for (n, v) in a.response_headers.iter().flat_map(|h| h.iter()).take(100) {
                        out.line(&format!("  {n}: {}", escape(v)))?;
                    }
                    match a.response_body.as_deref() {
                        Some(b) if !b.is_empty() => out.line(&answer_body(b))?,
                        _ => out.line(&s.dim("(no body)"))?,
                    }
                }
            }
        }
        DeliveriesAction::Export {
            filter: f,
            har: true,
        } => {
            // Oldest first, as a browser's HAR is; written an entry at a time.
            use crate::output::har;
            let mut sel = filter(&f, None)?;
            sel.oldest_first = true;
            out.line(&har::stream_start())?;
            let mut first = true;
            let mut failed = None;
            store.each_delivery(&sel, None, har::EXPORT_BODY_MAX, |d, attempts, left_out| {
                let verdict = match d.valid {
                    Some(true) => "valid",
                    Some(false) => "invalid",
                    None => "unchecked",
                };
                let mut entry = har::entry(&d, &attempts, verdict);
                if let Some(bytes) = left_out {
                    har::body_left_out(&mut entry, bytes);
                }
                let sep = if first { "" } else { "," };
                first = false;
                match out.line(&format!("{sep}{entry}")) {
                    Ok(()) => true,
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                }
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            out.line(&har::stream_end())?;
        }
        DeliveriesAction::Export { filter: f, .. } => {
            let mut failed = None;
            store.each_delivery(
                &filter(&f, None)?,
                None,
                crate::output::har::EXPORT_BODY_MAX,
                |d, attempts, left_out| {
                    let detail = attempt_details(&attempts);
                    let line = serde_json::to_string(&Full {
                        delivery: &d,
                        body: BodyJson::new(&d.body),
                        attempts_detail: Some(detail),
                        body_left_out_bytes: left_out,
                    });
                    match line
                        .map_err(anyhow::Error::from)
                        .and_then(|l| Ok(out.line(&l)?))
                    {
                        Ok(()) => true,
                        Err(e) => {
                            failed = Some(e);
                            false
                        }
                    }
                },
            )?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        DeliveriesAction::Prune { older_than } => {
            let before = rfc3339_ago(&older_than, "--older-than")?;
            let (n, compacted) = store.prune(&before)?;
            if !compacted {
                out.warn("another process holds the store open: the space freed is reused by new deliveries but not given back to the file system yet");
            }
            if out.json {
                out.record(
                    Event::Pruned,
                    &serde_json::json!({"deleted": n, "before": before, "compacted": compacted}),
                )?;
            } else {
                out.line(&format!(
                    "deleted {} older than {older_than}",
                    crate::show::plural(n as u64, "delivery", "deliveries")
                ))?;
            }
        }
    }
    Ok(Exit::Success)
}
