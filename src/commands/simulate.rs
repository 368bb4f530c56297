//! `hookctl simulate`: a profile's retry policy as a timeline, or run for real.

use crate::Exit;
use crate::cli::{GlobalArgs, SimulateArgs};
use crate::clock::now_unix;
use crate::envelope::retry::{Step, timeline};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::{Delivered, Report, deliver};
use crate::output::Event;
use crate::output::Output;
use crate::output::delivery::DeliveryView;
use crate::settings::simulate::{Live, Mode, Offline, SimulateSettings};
use anyhow::Result;
use serde::Serialize;
use std::time::Duration;
use tabled::{Table, Tabled, settings::Style};

#[derive(Tabled)]
struct Row {
    attempt: usize,
    at: String,
    #[tabled(rename = "after")]
    delay: String,
    outcome: String,
    decision: String,
}

#[derive(Serialize)]
struct Summary<'a> {
    profile: &'a str,
    state: &'a str,
    attempts: usize,
    #[serde(serialize_with = "crate::show::ser_round3")]
    total_secs: f64,
}

fn secs(s: f64) -> String {
    if s == 0.0 {
        return "0s".into();
    }
    humantime::format_duration(Duration::from_millis((s * 1000.0).round() as u64)).to_string()
}

pub fn run(g: &GlobalArgs, out: &Output, args: SimulateArgs) -> Result<Exit> {
    let s = crate::settings::simulate::resolve(g, args)?;
    render_notes(out, &s);
    match &s.mode {
        Mode::Offline(o) => render_timeline(out, o, &offline(o)),
        Mode::Live(live) => {
            let view = DeliveryView::new(out, &live.opts);
            super::delivered_exit(run_live(live, &mut |r| view.report(r))?, true)
        }
    }
}

fn render_notes(out: &Output, s: &SimulateSettings) {
    for n in &s.notes {
        out.note(n);
    }
    for w in &s.warnings {
        out.warn(w);
    }
}

/// The schedule against the simulated receiver: every attempt, and whether one
/// delivered.
struct Timeline {
    steps: Vec<Step>,
    delivered: bool,
}

fn offline(o: &Offline) -> Timeline {
    let (steps, delivered) = timeline(&o.profile.retry, |n| o.receiver.outcome(n), o.retry_after);
    Timeline { steps, delivered }
}

/// The schedule for real: one delivery through the attempt loop, each attempt
/// reported to `report` as it goes.
fn run_live(live: &Live, report: &mut dyn FnMut(Report<'_>) -> Result<()>) -> Result<Delivered> {
    let prepared = live.plan.prepare(None, now_unix())?;
    let client = HttpClient::new(&ClientOptions::new(false, 1))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(deliver(
        &live.plan,
        prepared,
        &client,
        live.store.as_ref(),
        &live.opts,
        report,
    ))
}

fn render_timeline(out: &Output, o: &Offline, t: &Timeline) -> Result<Exit> {
    let (profile, steps, delivered) = (&o.profile, &t.steps, t.delivered);
    let Some(last) = steps.last() else {
        // A timeline has at least one attempt.
        return Ok(Exit::Success);
    };
    let summary = Summary {
        profile: &profile.name,
        state: if delivered { "delivered" } else { "failed" },
        attempts: steps.len(),
        total_secs: last.at_secs,
    };
    if out.json {
        for s in steps {
            out.record(Event::Attempt, s)?;
        }
        out.record(Event::Result, &summary)?;
    } else {
        let rows: Vec<Row> = steps.iter().map(row).collect();
        if !out.quiet {
            out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
        }
        let st = out.out();
        let verdict = if delivered {
            st.ok("delivered")
        } else {
            st.fail("failed")
        };
        out.line(&format!(
            "{verdict} after {}, {} after the first  {}",
            crate::show::plural(steps.len() as u64, "attempt", "attempts"),
            secs(last.at_secs),
            st.dim(&format!(
                "(profile {}: timeout {} per attempt)",
                profile.name,
                humantime::format_duration(profile.retry.timeout)
            ))
        ))?;
    }
    // Showing a schedule is not a delivery: the timeline itself is the result.
    Ok(Exit::Success)
}

fn row(s: &Step) -> Row {
    Row {
        attempt: s.attempt,
        at: secs(s.at_secs),
        delay: if s.attempt == 1 {
            "-".into()
        } else {
            secs(s.delay_secs)
        },
        outcome: s.outcome.clone(),
        decision: match &s.rule {
            Some(r) => format!("{} ({r})", s.decision),
            None => s.decision.clone(),
        },
    }
}
