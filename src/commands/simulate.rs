//! `hookctl simulate`: a profile's retry policy as a timeline, or run for real.

use crate::cli::{GlobalArgs, SimulateArgs};
use crate::clock::now_unix;
use crate::envelope::HeaderList;
use crate::envelope::retry::{Outcome, Step, timeline};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::{DeliverOptions, Plan, deliver};
use crate::output::Event;
use crate::output::Output;
use crate::output::delivery::DeliveryView;
use crate::settings::resolve_url;
use crate::settings::{Config, SecretRequest, open_store, signing_secrets};
use crate::{Exit, hinted};
use anyhow::{Result, bail};
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
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &Default::default())?;
    if profile.retry.delays.is_empty() {
        out.note(&format!(
            "profile `{}`: the provider documents no retries, so a delivery gets one attempt (`hookctl profiles show {}` says more)",
            profile.name, profile.name
        ));
    }
    if let Some(to) = &args.to {
        if !args.responses.is_empty() || args.fail_first.is_some() || args.retry_after.is_some() {
            bail!(
                "--responses, --fail-first and --retry-after describe a simulated receiver; with --to the receiver's real answers count"
            );
        }
        crate::settings::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
        let url = resolve_url(to)?;
        let secrets = signing_secrets(
            &SecretRequest {
                args: &args.secrets,
                config: &config,
                stdin_used: false,
            },
            &profile,
        )?;
        let event = match &args.event {
            Some(e) => {
                profile.event(e).map_err(anyhow::Error::msg)?;
                e.clone()
            }
            None => profile
                .events
                .keys()
                .next()
                .cloned()
                .ok_or_else(|| hinted("the profile has no events", "pass --event"))?,
        };
        let timeout = profile.retry.timeout;
        let plan = Plan {
            profile,
            secrets,
            event,
            data: None,
            body: None,
            patches: Vec::new(),
            extra_headers: HeaderList::new(),
            method: "POST".into(),
            url,
            craft: Default::default(),
        };
        let prepared = plan.prepare(None, now_unix())?;
        let store = open_store(g)?;
        let client = HttpClient::new(&ClientOptions::new(false, 1))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let opts = DeliverOptions {
            timeout,
            retry: true,
            speed: args.speed,
            source: "simulate",
        };
        let view = DeliveryView::new(out, &opts);
        return rt
            .block_on(deliver(
                &plan,
                prepared,
                &client,
                store.as_ref(),
                &opts,
                &mut |r| view.report(r),
            ))?
            .exit(true);
    }

    let responses: Vec<Outcome> = args
        .responses
        .iter()
        .map(|r| {
            Outcome::parse(r).ok_or_else(|| {
                anyhow::anyhow!(
                    "--responses: `{r}` is not a status (100-599), `timeout` or `connection`"
                )
            })
        })
        .collect::<Result<_>>()?;
    let outcome = |n: usize| match (&args.fail_first, responses.as_slice()) {
        (Some(k), _) => {
            if n <= *k {
                Outcome::Status(500)
            } else {
                Outcome::Status(200)
            }
        }
        (None, []) => Outcome::Status(500),
        (None, list) => list[(n - 1).min(list.len() - 1)],
    };
    if args.retry_after.is_some() && !profile.retry.retry_after {
        out.warn(&format!(
            "profile `{}` does not honour Retry-After: its schedule is the same with or without --retry-after",
            profile.name
        ));
    }
    let (steps, delivered) = timeline(
        &profile.retry,
        outcome,
        args.retry_after.map(Duration::from_secs),
    );
    let last = steps.last().expect("a timeline has at least one attempt");
    let summary = Summary {
        profile: &profile.name,
        state: if delivered { "delivered" } else { "failed" },
        attempts: steps.len(),
        total_secs: last.at_secs,
    };
    if out.json {
        for s in &steps {
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
