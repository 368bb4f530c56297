//! The attempt loop: one delivery sent, recorded, and tried again as its profile's
//! retry policy says, reporting each step as a typed `Report` for the caller to
//! render.

use super::plan::{Plan, Prepared};
use crate::clock::now_unix;
use crate::envelope::retry::{Decision, Outcome};
use crate::http::client::{HttpClient, SendError, Sent};
use crate::store::{Direction, NewAttempt, NewDelivery, State, Store, now_rfc3339};
use anyhow::{Context, Result};
use std::time::Duration;

/// How one delivery is attempted.
#[derive(Debug, Clone, Copy)]
pub struct DeliverOptions {
    pub timeout: Duration,
    /// Follow the profile's retry policy (else one attempt).
    pub retry: bool,
    /// How much faster than real time the retry delays pass.
    pub speed: f64,
    /// Which command recorded it (`send`, `simulate`).
    pub source: &'static str,
}

/// What the attempt loop reports as it goes, for the caller to render.
pub enum Report<'a> {
    /// Before the first attempt, once the delivery is recorded (`stored`: its id).
    Started {
        plan: &'a Plan,
        prepared: &'a Prepared,
        stored: Option<i64>,
    },
    /// One attempt's result and what the policy made of it.
    Attempt {
        number: u32,
        at_secs: f64,
        result: &'a Result<Sent, SendError>,
        decision: &'a Decision,
    },
    /// The end: delivered or not, after how many attempts.
    Finished {
        plan: &'a Plan,
        prepared: &'a Prepared,
        delivered: &'a Delivered,
        stored: Option<i64>,
    },
}

/// How a delivery ended.
pub struct Delivered {
    /// `Pending` for a delivery a relay holds (see [`Decision::Queued`]).
    pub state: State,
    pub attempts: u32,
    /// The last attempt's answer, or why it had none.
    pub last: Result<Sent, SendError>,
}

/// Sends one prepared event, with retries when asked (re-signing a timestamped scheme
/// for each attempt), recording the delivery and each attempt in the store, and
/// reporting each step to `report`.
pub async fn deliver(
    plan: &Plan,
    mut prepared: Prepared,
    client: &HttpClient,
    store: Option<&Store>,
    opts: &DeliverOptions,
    report: &mut dyn FnMut(Report<'_>) -> Result<()>,
) -> Result<Delivered> {
    let profile = &plan.profile;
    // A token or password is not recorded.
    let masked = crate::envelope::profile::without_shared_secret(profile, &prepared.headers);
    let stored = match store {
        Some(s) => Some(
            s.insert_delivery(&NewDelivery {
                direction: Direction::Out,
                source: opts.source,
                profile: Some(&profile.name),
                event: Some(&prepared.built.event),
                delivery_id: Some(&prepared.built.id),
                method: &plan.method,
                url: plan.url.as_str(),
                headers: masked.as_ref().unwrap_or(&prepared.headers),
                body: &prepared.body,
                valid: None,
                reason: None,
                duplicate: false,
                replay_of: None,
                state: State::Pending,
            })
            .context("could not record the delivery")?,
        ),
        None => None,
    };
    report(Report::Started {
        plan,
        prepared: &prepared,
        stored,
    })?;
    let first = std::time::Instant::now();
    let mut attempt = 1u32;
    let (last, state): (Result<Sent, SendError>, State) = loop {
        if attempt > 1 && profile.timestamped() {
            prepared.headers = plan.sign(&prepared.built, &prepared.body, now_unix())?;
        }
        let started_at = now_rfc3339();
        let at_secs = first.elapsed().as_secs_f64();
        let result = client
            .send(
                &plan.method,
                &plan.url,
                &prepared.headers,
                prepared.body.clone(),
                opts.timeout,
            )
            .await;
        let (outcome, retry_after) = match &result {
            Ok(sent) => (Outcome::Status(sent.status), sent.retry_after()),
            Err(e) => (e.outcome(), None),
        };
        let decision = if matches!(&result, Ok(sent) if sent.queued_by_relay()) {
            Decision::Queued
        } else if opts.retry {
            profile
                .retry
                .decide(attempt as usize, &outcome, retry_after)
        } else if outcome.is_success() {
            Decision::Delivered
        } else {
            Decision::GiveUp {
                rule: "sent once (--retry follows the profile's policy)".into(),
            }
        };
        if let (Some(s), Some(id)) = (store, stored) {
            let (status, latency, error, rh, rb) = match &result {
                Ok(sent) => (
                    Some(sent.status),
                    Some(sent.latency.as_secs_f64() * 1e3),
                    None,
                    Some(&sent.headers),
                    Some(&sent.body[..]),
                ),
                Err(e) => (None, None, Some(e.to_string()), None, None),
            };
            s.add_attempt(
                id,
                &NewAttempt {
                    number: attempt,
                    started_at,
                    request_headers: Some(
                        crate::envelope::profile::without_shared_secret(profile, &prepared.headers)
                            .as_ref()
                            .unwrap_or(&prepared.headers),
                    ),
                    status,
                    latency_ms: latency,
                    error: error.as_deref(),
                    response_headers: rh,
                    response_body: rb,
                },
            )
            .context("could not record the attempt")?;
        }
        report(Report::Attempt {
            number: attempt,
            at_secs,
            result: &result,
            decision: &decision,
        })?;
        match decision {
            Decision::Delivered => break (result, State::Delivered),
            Decision::GiveUp { .. } => break (result, State::Failed),
            Decision::Queued => break (result, State::Pending),
            Decision::Retry { after, .. } => {
                tokio::time::sleep(crate::envelope::retry::at_speed(after, opts.speed)).await;
                attempt += 1;
            }
        }
    };
    if let (Some(s), Some(id)) = (store, stored) {
        s.set_state(id, state)
            .context("could not record the delivery's state")?;
    }
    let delivered = Delivered {
        state,
        attempts: attempt,
        last,
    };
    report(Report::Finished {
        plan,
        prepared: &prepared,
        delivered: &delivered,
        stored,
    })?;
    Ok(delivered)
}
