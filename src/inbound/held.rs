//! Deliveries a relay held while this listener was away: the URL they were sent to,
//! and how each attempt ends for the relay.

use super::*;
use crate::http::server::Relayed;
use std::time::Duration;

/// `scheme://host[:port]` of a URL, if it is one.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{}://{host}:{p}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    })
}

/// The URL a provider called to reach `path` under `base` (listen's `--path`), given
/// the public URL that stands for `base`.
pub fn public_target(public: &str, base: &str, path: &str) -> String {
    let rest = path
        .strip_prefix(base.trim_end_matches('/'))
        .filter(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
        .unwrap_or(path);
    if rest.is_empty() || rest == "/" {
        return public.to_string();
    }
    format!("{}{rest}", public.trim_end_matches('/'))
}

/// Held deliveries whose store id a `listen` remembers, for adding later attempts to
/// them; past it, the memory starts afresh (an attempt then gets a row of its own).
pub(super) const HELD_IDS: usize = 100_000;

/// How an attempt at a held delivery ended, for the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeldOutcome {
    /// The app answered 2xx: the relay lets it go.
    Delivered { status: u16 },
    /// An answer time will not change (a bad signature, a status the profile's
    /// provider would not retry): the relay lets it go.
    Refused { status: u16, reason: String },
    /// Try again after this long (the app is down, or answered 5xx, 429, late).
    Retry { after: Duration },
    /// The relay's hold ends before the next try.
    GiveUp { status: u16, reason: String },
}

/// The schedule held deliveries are tried on when their profile has none: a
/// provider's usual one, its last delay repeated until the relay's hold ends.
const HELD_SCHEDULE: [Duration; 6] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
    Duration::from_secs(1800),
    Duration::from_secs(3600),
];

impl Receiver {
    /// What the relay is to do with a held delivery after this attempt: the
    /// profile's retry policy decides which answers are tried again and when (a
    /// provider's usual schedule when the profile has none), until the relay's
    /// hold ends.
    pub(super) fn held_outcome(
        &self,
        line: &mut DeliveryLine,
        response: &Resp,
        r: &Relayed,
    ) -> HeldOutcome {
        let status = response.status;
        let outcome = if line.valid == Some(false) && !self.cfg.accept_invalid {
            HeldOutcome::Refused {
                status,
                reason: format!("refused by listen: {}", line.reason),
            }
        } else {
            let policy = line
                .profile
                .as_deref()
                .and_then(|n| self.cfg.profiles.iter().find(|p| p.name == n))
                .map(|p| p.retry.clone())
                .unwrap_or_default();
            let tried = match (&line.forward_error, status) {
                (Some(_), 504) => crate::envelope::retry::Outcome::Timeout,
                (Some(_), 502) => crate::envelope::retry::Outcome::Connection,
                _ => crate::envelope::retry::Outcome::Status(status),
            };
            let n = usize::try_from(r.attempt.max(1) - 1).unwrap_or(0);
            let delay = if policy.delays.is_empty() {
                HELD_SCHEDULE[n.min(HELD_SCHEDULE.len() - 1)]
            } else {
                policy.delays[n.min(policy.delays.len() - 1)]
            };
            let retry_after = response
                .headers
                .get("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let mut once = policy;
            once.delays = vec![delay];
            match once.decide(1, &tried, retry_after) {
                crate::envelope::retry::Decision::Delivered => HeldOutcome::Delivered { status },
                crate::envelope::retry::Decision::Queued => HeldOutcome::Delivered { status },
                crate::envelope::retry::Decision::GiveUp { rule } => HeldOutcome::Refused {
                    status,
                    reason: format!("the app answered {}: {rule}", tried.label()),
                },
                crate::envelope::retry::Decision::Retry { after, .. } => {
                    let after = crate::envelope::retry::at_speed(after, r.speed);
                    let next = crate::relay::server::now_ms()
                        .saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
                    if next > r.hold_until_ms {
                        HeldOutcome::GiveUp {
                            status,
                            reason: format!(
                                "the app answered {} on attempt {}, and the relay's hold (--queue-ttl) ends before the next try",
                                tried.label(),
                                r.attempt
                            ),
                        }
                    } else {
                        HeldOutcome::Retry { after }
                    }
                }
            }
        };
        match &outcome {
            HeldOutcome::Delivered { .. } => line.held_outcome = Some("delivered"),
            HeldOutcome::Refused { reason, .. } => {
                line.held_outcome = Some("refused");
                line.held_note = Some(reason.clone());
            }
            HeldOutcome::Retry { after } => {
                line.held_outcome = Some("retrying");
                line.next_try_in_ms = Some(u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
            }
            HeldOutcome::GiveUp { reason, .. } => {
                line.held_outcome = Some("given_up");
                line.held_note = Some(reason.clone());
            }
        }
        outcome
    }
}
