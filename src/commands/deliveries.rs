//! `hookctl deliveries`: what the store holds.

use crate::Exit;
use crate::cli::{DeliveriesArgs, GlobalArgs};
use crate::hint::hinted;
use crate::output::Event;
use crate::output::{BodyJson, Output, escape};
use crate::settings::deliveries::{Action, DeliveriesSettings};
use crate::store::{Filter, Store, StoreWarning, StoredAttempt, StoredDelivery};
use anyhow::{Context, Result};
use serde::Serialize;
use tabled::{Table, Tabled, settings::Style};

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
    attempt: &'a StoredAttempt,
    response_body: Option<BodyJson>,
}

fn attempt_details(attempts: &[StoredAttempt]) -> Vec<AttemptJson<'_>> {
    attempts
        .iter()
        .map(|a| AttemptJson {
            attempt: a,
            response_body: a.response_body.as_deref().map(BodyJson::new),
        })
        .collect()
}

pub fn run(g: &GlobalArgs, out: &Output, args: DeliveriesArgs) -> Result<Exit> {
    let DeliveriesSettings {
        store,
        path,
        action,
    } = crate::settings::deliveries::resolve(g, args)?;
    match action {
        Action::List { filter, follow } => {
            let listing = list(&store, &filter)?;
            render_list(out, &listing, follow)?;
            if !follow {
                return Ok(Exit::Success);
            }
            let f = Filter {
                limit: None,
                ..filter
            };
            render_follow(out, store, &path, f, listing.last)
        }
        Action::Show { id, raw } => render_show(out, &show(&store, &id)?, raw),
        Action::Export { filter, har: true } => export_har(out, &store, &filter),
        Action::Export { filter, .. } => export_ndjson(out, &store, &filter),
        Action::Prune { older_than, before } => {
            render_prune(out, &prune(&store, before)?, &older_than)
        }
    }
}

/// `deliveries list`: the deliveries the filter selects, and where the store stood.
struct Listing {
    /// The store's last sequence number before the list was read (`--follow` goes on
    /// from there).
    last: i64,
    list: Vec<StoredDelivery>,
    /// Which of them a relay held while their `listen` was away.
    held: std::collections::HashSet<i64>,
}

fn list(store: &Store, filter: &Filter) -> Result<Listing> {
    let last = store.last_seq()?;
    let list = store.list(filter)?;
    let held = if list.is_empty() {
        Default::default()
    } else {
        let ids: Vec<i64> = list.iter().map(|d| d.id).collect();
        store.relay_held_among(&ids)?
    };
    Ok(Listing { last, list, held })
}

fn render_list(out: &Output, l: &Listing, follow: bool) -> Result<()> {
    if out.json {
        for d in &l.list {
            out.record(Event::Delivery, d)?;
        }
    } else if l.list.is_empty() {
        if !follow {
            out.note("no deliveries");
        }
    } else {
        out.line(
            &Table::new(l.list.iter().map(|d| row(d, l.held.contains(&d.id))))
                .with(Style::sharp())
                .to_string(),
        )?;
    }
    Ok(())
}

/// How often `--follow` looks for new deliveries.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// What `--follow` finds as it goes.
enum Followed<'a> {
    Delivery(&'a StoredDelivery),
    /// What the store had to say, told once.
    Warning(&'a StoreWarning),
}

/// `deliveries list --follow`: each delivery recorded after `last`, handed to `each`
/// as it comes, oldest first, until interrupted. A store that does not exist yet is
/// opened once some command has made it.
fn follow(
    mut store: Store,
    path: &std::path::Path,
    mut f: Filter,
    mut last: i64,
    mut each: impl FnMut(Followed<'_>) -> Result<()>,
) -> Result<Exit> {
    let mut told = Vec::new();
    loop {
        std::thread::sleep(FOLLOW_EVERY);
        if !store.path().exists() {
            continue;
        }
        if store.is_memory() {
            store = Store::open_existing(path).context("could not open the delivery store")?;
        }
        store.catch_up()?;
        // Told once: a foreign file under a journal's name is met on every round.
        for w in store.take_warnings() {
            if !told.contains(&w) && told.len() < 64 {
                each(Followed::Warning(&w))?;
                told.push(w);
            }
        }
        f.after_seq = Some(last);
        let mut fresh = store.list(&f)?;
        fresh.reverse();
        for d in &fresh {
            last = last.max(d.seq);
            each(Followed::Delivery(d))?;
        }
    }
}

/// One line (or JSON record) for each delivery as `--follow` finds it.
fn render_follow(
    out: &Output,
    store: Store,
    path: &std::path::Path,
    f: Filter,
    last: i64,
) -> Result<Exit> {
    if !out.json {
        out.note(&out.err().dim("following; Ctrl-C to stop"));
    }
    follow(store, path, f, last, |found| {
        let d = match found {
            Followed::Delivery(d) => d,
            Followed::Warning(w) => {
                crate::output::warning::render(out, w);
                return Ok(());
            }
        };
        if out.json {
            return Ok(out.record(Event::Delivery, d)?);
        }
        let r = row(d, false);
        Ok(out.line(&format!(
            "{:>5}  {}  {:<3}  {}  {}  {}  {}  {}  {}",
            r.id, r.time, r.dir, r.profile, r.event, r.delivery_id, r.valid, r.state, r.last
        ))?)
    })
}

/// `deliveries show`: one delivery, its attempts, and the replays of it.
struct Shown {
    delivery: StoredDelivery,
    attempts: Vec<StoredAttempt>,
    replays: Vec<i64>,
}

fn show(store: &Store, id: &str) -> Result<Shown> {
    let Some((delivery, attempts)) = store.find(id)? else {
        return Err(hinted(
            format!("no delivery `{}` in the store", escape(id)),
            "`hookctl deliveries list` shows store ids and delivery ids",
        ));
    };
    let replays = store.replays_of(delivery.id)?;
    Ok(Shown {
        delivery,
        attempts,
        replays,
    })
}

fn render_show(out: &Output, shown: &Shown, raw: bool) -> Result<Exit> {
    let d = &shown.delivery;
    if raw {
        out.bytes(&raw_request(d)?)?;
    } else if out.json {
        let detail = attempt_details(&shown.attempts);
        out.record(
            Event::Delivery,
            &Full {
                delivery: d,
                body: BodyJson::new(&d.body),
                attempts_detail: Some(detail),
                body_left_out_bytes: None,
            },
        )?;
    } else {
        render_delivery(out, d, &shown.replays)?;
        render_attempts(out, d, &shown.attempts)?;
    }
    Ok(Exit::Success)
}

/// The request as it travelled, for `hookctl verify --request -`. A received
/// delivery records its path; a sent one its whole URL.
fn raw_request(d: &StoredDelivery) -> Result<Vec<u8>> {
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
    crate::http::h1::write_request(&mut text, &line, &d.headers, &d.body)
        .map_err(|e| anyhow::anyhow!("could not write delivery {} as a request: {e}", d.id))?;
    Ok(text)
}

/// A delivery for a terminal: what, verdict, state, headers and body.
fn render_delivery(out: &Output, d: &StoredDelivery, replays: &[i64]) -> Result<()> {
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
    if !replays.is_empty() {
        out.line(&format!(
            "replayed as {}",
            crate::show::id_list(replays, 20)
        ))?;
    }
    out.line(&s.dim("headers:"))?;
    for (n, v) in d.headers.iter() {
        out.line(&format!("  {n}: {}", escape(v)))?;
    }
    out.line(&s.dim("body:"))?;
    out.line(&crate::show::render_body(&d.body, true))?;
    Ok(())
}

/// A delivery's attempts for a terminal, and the last answer as the app (or the
/// receiver) gave it.
fn render_attempts(out: &Output, d: &StoredDelivery, attempts: &[StoredAttempt]) -> Result<()> {
    let s = out.out();
    for a in attempts {
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
    Ok(())
}

/// One delivery as an export reads it: whole, with its attempts, or with its body
/// left out for its size (how many bytes it had).
struct Exported {
    delivery: StoredDelivery,
    attempts: Vec<StoredAttempt>,
    left_out: Option<u64>,
}

/// `deliveries export`: each delivery the filter selects, handed to `each` a delivery
/// at a time; the first error `each` returns stops the export and is returned.
fn export(
    store: &Store,
    filter: &Filter,
    mut each: impl FnMut(Exported) -> Result<()>,
) -> Result<()> {
    let mut failed = None;
    store.each_delivery(
        filter,
        None,
        crate::output::har::EXPORT_BODY_MAX,
        |delivery, attempts, left_out| match each(Exported {
            delivery,
            attempts,
            left_out,
        }) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        },
    )?;
    failed.map_or(Ok(()), Err)
}

/// `deliveries export --har`: one HAR file, written an entry at a time.
fn export_har(out: &Output, store: &Store, filter: &Filter) -> Result<Exit> {
    use crate::output::har;
    out.line(&har::stream_start())?;
    let mut first = true;
    export(store, filter, |e| {
        let verdict = match e.delivery.valid {
            Some(true) => "valid",
            Some(false) => "invalid",
            None => "unchecked",
        };
        let mut entry = har::entry(&e.delivery, &e.attempts, verdict);
        if let Some(bytes) = e.left_out {
            har::body_left_out(&mut entry, bytes);
        }
        let sep = if first { "" } else { "," };
        first = false;
        Ok(out.line(&format!("{sep}{entry}"))?)
    })?;
    out.line(&har::stream_end())?;
    Ok(Exit::Success)
}

/// `deliveries export`: NDJSON, a delivery a line.
fn export_ndjson(out: &Output, store: &Store, filter: &Filter) -> Result<Exit> {
    export(store, filter, |e| {
        let line = serde_json::to_string(&Full {
            delivery: &e.delivery,
            body: BodyJson::new(&e.delivery.body),
            attempts_detail: Some(attempt_details(&e.attempts)),
            body_left_out_bytes: e.left_out,
        })?;
        Ok(out.line(&line)?)
    })?;
    Ok(Exit::Success)
}

/// `deliveries prune`: how many were deleted, and whether the file gave the space back.
struct Pruned {
    deleted: usize,
    /// The RFC 3339 time they were older than.
    before: String,
    compacted: bool,
}

fn prune(store: &Store, before: String) -> Result<Pruned> {
    let (deleted, compacted) = store.prune(&before)?;
    Ok(Pruned {
        deleted,
        before,
        compacted,
    })
}

fn render_prune(out: &Output, p: &Pruned, older_than: &str) -> Result<Exit> {
    if !p.compacted {
        out.warn("another process holds the store open: the space freed is reused by new deliveries but not given back to the file system yet");
    }
    if out.json {
        out.record(
            Event::Pruned,
            &serde_json::json!({"deleted": p.deleted, "before": p.before, "compacted": p.compacted}),
        )?;
    } else {
        out.line(&format!(
            "deleted {} older than {older_than}",
            crate::show::plural(p.deleted as u64, "delivery", "deliveries")
        ))?;
    }
    Ok(Exit::Success)
}
