//! A provider's retry policy, and the decisions it makes attempt by attempt.
//!
//! Shared by `send --retry`, `simulate` and `replay`. Pure: it decides, the caller waits.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `[retry]` as written in a profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RetryDef {
    /// Delay before each retry, counted from the previous attempt: `["2s", "8s", "32s"]`
    /// is three retries after the first attempt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delays: Vec<String>,
    /// How long one attempt may take before it counts as a timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Outcomes that are retried: status classes (`5xx`, `4xx`), exact statuses
    /// (`429`), `timeout`, `connection`. Any other non-2xx outcome stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry_on: Vec<String>,
    /// Whether a `Retry-After` header sets the next delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Class(u16),
    Status(u16),
    Timeout,
    Connection,
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "timeout" => Some(Rule::Timeout),
            "connection" => Some(Rule::Connection),
            _ if t.len() == 3 && t.ends_with("xx") => t[..1]
                .parse()
                .ok()
                .filter(|c| (1..=5).contains(c))
                .map(Rule::Class),
            _ => t
                .parse()
                .ok()
                .filter(|s| (100..=599).contains(s))
                .map(Rule::Status),
        }
    }

    fn matches(self, outcome: &Outcome) -> bool {
        match (self, outcome) {
            (Rule::Class(c), Outcome::Status(s)) => s / 100 == c,
            (Rule::Status(x), Outcome::Status(s)) => x == *s,
            (Rule::Timeout, Outcome::Timeout) => true,
            (Rule::Connection, Outcome::Connection) => true,
            _ => false,
        }
    }

    pub fn label(self) -> String {
        match self {
            Rule::Class(c) => format!("{c}xx"),
            Rule::Status(s) => s.to_string(),
            Rule::Timeout => "timeout".into(),
            Rule::Connection => "connection".into(),
        }
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Status(u16),
    Timeout,
    Connection,
}

impl Outcome {
    pub fn parse(text: &str) -> Option<Outcome> {
        match text.trim().to_ascii_lowercase().as_str() {
            "timeout" => Some(Outcome::Timeout),
            "connection" | "conn" | "refused" => Some(Outcome::Connection),
            t => t
                .parse()
                .ok()
                .filter(|s| (100..=599).contains(s))
                .map(Outcome::Status),
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Status(s) if (200..300).contains(s))
    }

    pub fn label(&self) -> String {
        match self {
            Outcome::Status(s) => s.to_string(),
            Outcome::Timeout => "timeout".into(),
            Outcome::Connection => "connection error".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    /// Retry after this delay; `rule` says why.
    Retry {
        after: Duration,
        rule: String,
    },
    /// No more attempts; `rule` says why.
    GiveUp {
        rule: String,
    },
    /// A `hookctl relay` took it and holds it for its client: not yet at the app,
    /// and not to be sent again (the relay hands it over when it can).
    Queued,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub delays: Vec<Duration>,
    pub timeout: Duration,
    pub retry_on: Vec<Rule>,
    pub retry_after: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            delays: Vec::new(),
            timeout: Duration::from_secs(30),
            retry_on: vec![
                Rule::Class(5),
                Rule::Status(429),
                Rule::Timeout,
                Rule::Connection,
            ],
            retry_after: false,
        }
    }
}

/// The fastest and slowest `--speed` taken: a thousand times slower to a million
/// times faster than real time.
pub const SPEEDS: std::ops::RangeInclusive<f64> = 0.001..=1_000_000.0;

/// `after` as it passes at `speed` (within [`SPEEDS`]), saturating at
/// [`MAX_DURATION`](super::units::MAX_DURATION).
pub fn at_speed(after: Duration, speed: f64) -> Duration {
    let max = super::units::MAX_DURATION;
    Duration::try_from_secs_f64(after.as_secs_f64() / speed)
        .unwrap_or(max)
        .min(max)
}

impl RetryPolicy {
    /// Compiles `[retry]`; on error, the field and what was expected.
    pub fn compile(def: Option<&RetryDef>) -> Result<RetryPolicy, (String, String)> {
        let Some(def) = def else {
            return Ok(RetryPolicy::default());
        };
        let dur = |field: &str, text: &str| {
            super::units::parse_duration(text).map_err(|m| (field.to_string(), m))
        };
        let delays = def
            .delays
            .iter()
            .map(|d| dur("delays", d))
            .collect::<Result<Vec<_>, _>>()?;
        let timeout = match &def.timeout {
            Some(t) => dur("timeout", t)?,
            None => RetryPolicy::default().timeout,
        };
        if timeout.is_zero() {
            return Err(("timeout".into(), "must be more than 0".into()));
        }
        let retry_on = if def.retry_on.is_empty() {
            RetryPolicy::default().retry_on
        } else {
            def.retry_on
                .iter()
                .map(|r| {
                    Rule::parse(r).ok_or_else(|| {
                        ("retry_on".to_string(), format!("`{r}` is not an outcome; expected `5xx`, `4xx`, a status such as `429`, `timeout` or `connection`"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(RetryPolicy {
            delays,
            timeout,
            retry_on,
            retry_after: def.retry_after.unwrap_or(false),
        })
    }

    /// Attempts in all: the first plus one per delay.
    pub fn max_attempts(&self) -> usize {
        self.delays.len() + 1
    }

    /// The decision after attempt `attempt` (1-based) came to `outcome`.
    pub fn decide(
        &self,
        attempt: usize,
        outcome: &Outcome,
        retry_after: Option<Duration>,
    ) -> Decision {
        if outcome.is_success() {
            return Decision::Delivered;
        }
        let Some(rule) = self.retry_on.iter().find(|r| r.matches(outcome)) else {
            return Decision::GiveUp {
                rule: format!("{} is not retried", outcome.label()),
            };
        };
        let Some(delay) = self.delays.get(attempt.saturating_sub(1)) else {
            return Decision::GiveUp {
                rule: if self.delays.is_empty() {
                    "the profile has no retries".to_string()
                } else {
                    // (Spelled out here: the policy is core, below `output`.)
                    format!(
                        "no retries left after {attempt} {}",
                        if attempt == 1 { "attempt" } else { "attempts" }
                    )
                },
            };
        };
        match retry_after.filter(|_| self.retry_after) {
            Some(ra) => Decision::Retry {
                // A receiver's number: bounded like every duration hookctl takes.
                after: ra.min(super::units::MAX_DURATION),
                rule: format!("{} retries; Retry-After honoured", rule.label()),
            },
            None => Decision::Retry {
                after: *delay,
                rule: format!("{} retries", rule.label()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(delays: &[&str], retry_on: &[&str]) -> RetryPolicy {
        RetryPolicy::compile(Some(&RetryDef {
            delays: delays.iter().map(|s| s.to_string()).collect(),
            timeout: Some("5s".into()),
            retry_on: retry_on.iter().map(|s| s.to_string()).collect(),
            retry_after: Some(true),
        }))
        .unwrap()
    }

    #[test]
    fn decides() {
        let p = policy(&["1m", "2m"], &["5xx", "429", "timeout"]);
        assert_eq!(p.max_attempts(), 3);
        assert_eq!(
            p.decide(1, &Outcome::Status(204), None),
            Decision::Delivered
        );
        assert!(
            matches!(p.decide(1, &Outcome::Status(503), None), Decision::Retry { after, .. } if after == Duration::from_secs(60))
        );
        assert!(
            matches!(p.decide(2, &Outcome::Status(429), Some(Duration::from_secs(7))), Decision::Retry { after, .. } if after == Duration::from_secs(7))
        );
        assert!(matches!(
            p.decide(1, &Outcome::Status(404), None),
            Decision::GiveUp { .. }
        ));
        assert!(matches!(
            p.decide(1, &Outcome::Connection, None),
            Decision::GiveUp { .. }
        ));
        assert!(matches!(
            p.decide(3, &Outcome::Timeout, None),
            Decision::GiveUp { .. }
        ));
    }

    #[test]
    fn rejects_bad_rules() {
        let err = RetryPolicy::compile(Some(&RetryDef {
            retry_on: vec!["6xx".into()],
            ..RetryDef::default()
        }))
        .unwrap_err();
        assert_eq!(err.0, "retry_on");
    }
}

/// One attempt of a simulated schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Step {
    pub attempt: usize,
    /// Seconds since the first attempt started.
    #[serde(serialize_with = "super::units::ser_round3")]
    pub at_secs: f64,
    /// Seconds waited before this attempt (0 for the first).
    #[serde(serialize_with = "super::units::ser_round3")]
    pub delay_secs: f64,
    pub outcome: String,
    /// `retry`, `delivered` or `gave up`.
    pub decision: String,
    /// The rule that decided.
    pub rule: Option<String>,
}

/// The timeline a policy produces for a sequence of outcomes (`outcome(n)` for attempt
/// n, 1-based). A timed-out attempt uses up the policy's timeout before the decision;
/// other attempts are taken as instant. `retry_after` is what a 429 or 503 asks for.
pub fn timeline(
    policy: &RetryPolicy,
    mut outcome: impl FnMut(usize) -> Outcome,
    retry_after: Option<Duration>,
) -> (Vec<Step>, bool) {
    let mut steps = Vec::new();
    let mut at = 0.0;
    let mut delay = 0.0;
    for attempt in 1.. {
        let o = outcome(attempt);
        let asks = retry_after.filter(|_| matches!(o, Outcome::Status(429 | 503)));
        let d = policy.decide(attempt, &o, asks);
        let (decision, rule, next) = match &d {
            Decision::Delivered => ("delivered", None, None),
            Decision::GiveUp { rule } => ("gave up", Some(rule.clone()), None),
            Decision::Retry { after, rule } => {
                ("retry", Some(rule.clone()), Some(after.as_secs_f64()))
            }
            // `decide` never queues: only a relay's answer does.
            Decision::Queued => ("queued", None, None),
        };
        steps.push(Step {
            attempt,
            at_secs: at,
            delay_secs: delay,
            outcome: o.label(),
            decision: decision.into(),
            rule,
        });
        let Some(next) = next else {
            return (steps, d == Decision::Delivered);
        };
        if o == Outcome::Timeout {
            at += policy.timeout.as_secs_f64();
        }
        at += next;
        delay = next;
    }
    unreachable!("a policy has finitely many delays")
}

#[cfg(test)]
mod timeline_tests {
    use super::*;

    #[test]
    fn a_timeout_uses_up_the_attempt_time() {
        let p = RetryPolicy::compile(Some(&RetryDef {
            delays: vec!["1s".into(), "4s".into()],
            timeout: Some("10s".into()),
            ..RetryDef::default()
        }))
        .unwrap();
        let (steps, ok) = timeline(
            &p,
            |n| {
                if n == 1 {
                    Outcome::Timeout
                } else {
                    Outcome::Status(500)
                }
            },
            None,
        );
        assert!(!ok);
        assert_eq!(
            steps.iter().map(|s| s.at_secs).collect::<Vec<_>>(),
            [0.0, 11.0, 15.0]
        );
        assert_eq!(steps[2].decision, "gave up");
    }
}
