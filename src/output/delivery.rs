//! How a delivery `send` or `simulate --to` makes is shown: a line before it, one a
//! attempt, and its result, or JSON Lines records; from the typed reports of
//! [`crate::outbound::deliver`].

use super::Event;
use super::{BodyJson, Output, escape, header_pairs, render_body};
use crate::envelope::retry::Decision;
use crate::http::client::{SendError, Sent};
use crate::outbound::{Plan, Prepared, Report};
use crate::store::State;
use anyhow::Result;
use serde::Serialize;
use std::time::Duration;

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

/// Renders the reports of one delivery.
pub struct DeliveryView<'o> {
    out: &'o Output,
    retry: bool,
    speed: f64,
}

impl<'o> DeliveryView<'o> {
    /// A view of a delivery attempted as `opts` says.
    pub fn new(out: &'o Output, opts: &crate::outbound::DeliverOptions) -> DeliveryView<'o> {
        DeliveryView {
            out,
            retry: opts.retry,
            speed: opts.speed,
        }
    }

    pub fn report(&self, r: Report<'_>) -> Result<()> {
        let out = self.out;
        match r {
            Report::Started {
                plan,
                prepared,
                stored,
            } => started(out, plan, prepared, stored),
            Report::Attempt {
                number,
                at_secs,
                result,
                decision,
            } => {
                if out.quiet && !out.json {
                    return Ok(());
                }
                attempt(
                    out, number, at_secs, result, decision, self.retry, self.speed,
                )
            }
            Report::Finished {
                plan,
                prepared,
                delivered,
                stored,
            } => finished(out, plan, prepared, delivered, stored),
        }
    }
}

/// The store's id is what `replay` and `deliveries show` take (the delivery id works
/// there too).
fn stored_note(stored: Option<i64>) -> String {
    stored.map(|n| format!("  store #{n}")).unwrap_or_default()
}

/// The delivery id as the receiver sees it; nothing for a profile that puts none on
/// the wire (HoverBot, Hover), whose receiver could never look it up.
fn wire_id(plan: &Plan, prepared: &Prepared) -> String {
    if crate::inbound::has_wire_id(&plan.profile) {
        format!("id {}", escape(&prepared.built.id))
    } else {
        String::new()
    }
}

fn started(out: &Output, plan: &Plan, prepared: &Prepared, stored: Option<i64>) -> Result<()> {
    if out.json || out.quiet {
        return Ok(());
    }
    let s = out.out();
    let ids = format!("{}{}", wire_id(plan, prepared), stored_note(stored));
    let ids = ids.trim_start();
    out.line(&format!(
        "{} {} {}  {} {}{}",
        s.dim("→"),
        plan.method,
        plan.url,
        plan.profile.name,
        escape(&prepared.built.event),
        if ids.is_empty() {
            String::new()
        } else {
            format!("  {}", s.dim(ids))
        }
    ))?;
    if out.verbose > 0 {
        for (n, v) in prepared.headers.iter() {
            out.line(&s.dim(&format!("  {n}: {}", escape(v))))?;
        }
    }
    Ok(())
}

/// What a relay's 202 for a held delivery means.
const QUEUED: &str = "queued by the relay, not yet at the app";

fn finished(
    out: &Output,
    plan: &Plan,
    prepared: &Prepared,
    d: &crate::outbound::Delivered,
    stored: Option<i64>,
) -> Result<()> {
    let s = out.out();
    let delivered = d.state == State::Delivered;
    let queued = d.state == State::Pending;
    if out.json {
        out.record(
            Event::Result,
            &ResultRecord {
                delivered,
                state: if queued { "queued" } else { d.state.as_str() },
                attempts: d.attempts,
                status: d.last.as_ref().ok().map(|s| s.status),
                profile: &plan.profile.name,
                event: &prepared.built.event,
                delivery_id: &prepared.built.id,
                url: plan.url.as_str(),
                response: d.last.as_ref().ok().map(|s| ResponseJson {
                    headers: header_pairs(&s.headers),
                    body: BodyJson::new(&s.body),
                }),
                stored,
            },
        )?;
    } else if out.quiet {
        // One line: the outcome, the event and where it is in the store.
        let outcome = match &d.last {
            Ok(sent) if delivered => s.ok(&format!("delivered {}", sent.status)),
            Ok(_) if queued => s.warn(QUEUED),
            Ok(sent) => s.fail(&format!("failed {}", sent.status)),
            Err(e) => s.fail(&format!("failed: {e}")),
        };
        let tries = if d.attempts > 1 {
            format!(
                " after {}",
                super::plural(d.attempts, "attempt", "attempts")
            )
        } else {
            String::new()
        };
        let ids = format!("{}{}", wire_id(plan, prepared), stored_note(stored));
        out.line(
            format!(
                "{outcome}{tries}  {} {}  {}",
                plan.profile.name,
                escape(&prepared.built.event),
                ids.trim_start()
            )
            .trim_end(),
        )?;
    } else if let Ok(sent) = &d.last {
        if out.verbose > 0 {
            for (n, v) in sent.headers.iter() {
                out.line(&s.dim(&format!("  {n}: {}", escape(v))))?;
            }
        }
        if !sent.body.is_empty() {
            out.line(&render_body(&sent.body, out.verbose > 0))?;
        }
    }
    Ok(())
}

fn attempt(
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
        Decision::Queued => ("queued", Some(QUEUED), None),
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
            Event::Attempt,
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
                crate::envelope::retry::at_speed(*after, speed).as_millis() as u64
            ))
        ),
        Decision::Retry { after, rule } => format!(
            "  → retry in {} ({rule})",
            humantime::format_duration(*after)
        ),
        Decision::GiveUp { rule } if retry => format!("  → gave up ({rule})"),
        Decision::Queued => format!("  → {QUEUED}"),
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
