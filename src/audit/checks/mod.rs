//! The audit's checks, by family: the signature itself ([`signature`]), replays and
//! timestamps ([`replay`]), the body's bytes ([`body`]), how a body arrives
//! ([`transport`]) and what an answer gives away or how long it takes ([`answers`]).
//! Here: what every check uses to send a request and grade its answer.

mod answers;
mod body;
mod replay;
mod signature;
mod transport;

use super::{Audit, Grade, Probe, TAG_HEADER, raw};
use crate::envelope::mac::decode;
use crate::envelope::profile::Encoding;
use crate::envelope::secret::SecretEncoding;
use crate::envelope::{BuiltEvent, HeaderList, Profile, Secret, SignInput};
use crate::http::client::{SendError, Sent};
use crate::outbound::{DeliverOptions, Prepared, deliver};
use anyhow::{Context, Result, bail};
use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;
use std::time::{Duration, Instant};

/// `401 Unauthorized in 3 ms`, `no answer within 10s`, …
pub fn describe(result: &Result<Sent, SendError>) -> String {
    match result {
        Ok(s) => format!("{} {} in {}", s.status, s.reason, millis(s.latency)).replace("  ", " "),
        Err(e) => e.to_string(),
    }
}

pub(super) fn status_of(result: &Result<Sent, SendError>) -> Option<u16> {
    result.as_ref().ok().map(|s| s.status)
}

/// `3.2 ms`, `1.25 s`.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

pub(super) fn secs(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs().max(1))).to_string()
}

pub(super) fn size(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        crate::show::plural(n as u64, "byte", "bytes")
    }
}

/// How a request that must be refused was answered: 4xx passes; 2xx is `accepted`;
/// anything else (a 5xx, a redirect, no answer) is a warning.
pub(super) fn grade_refusal(result: &Result<Sent, SendError>, accepted: Grade) -> (Grade, String) {
    match result {
        Ok(s) if (400..500).contains(&s.status) => (Grade::Pass, format!("refused ({})", s.status)),
        Ok(s) if (200..300).contains(&s.status) => (
            accepted,
            format!("accepted it ({} {})", s.status, s.reason).replace(" )", ")"),
        ),
        Ok(s) if s.status >= 500 => (
            Grade::Warn,
            format!(
                "answered {}: a failure, not a refusal (a crash on hostile input, and providers retry a 5xx)",
                s.status
            ),
        ),
        Ok(s) => (
            Grade::Warn,
            format!("answered {}: neither a refusal nor a success", s.status),
        ),
        Err(e) => (
            Grade::Warn,
            format!("no refusal: {e} (a sound receiver answers 4xx)"),
        ),
    }
}

/// The worst of several refusals, and each answer's short form.
pub(super) fn grade_refusals(
    results: &[(String, Result<Sent, SendError>)],
    accepted: Grade,
) -> (Grade, String) {
    let graded: Vec<(Grade, String)> = results
        .iter()
        .map(|(label, r)| {
            let (g, s) = grade_refusal(r, accepted);
            (g, format!("{label}: {s}"))
        })
        .collect();
    let worst = graded.iter().map(|(g, _)| *g).min().unwrap_or(Grade::Skip);
    let summary = if worst == Grade::Pass {
        format!(
            "refused all {} ({})",
            results.len(),
            results
                .iter()
                .filter_map(|(_, r)| status_of(r).map(|s| s.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        graded
            .iter()
            .filter(|(g, _)| *g == worst)
            .map(|(_, s)| s.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    (worst, summary)
}

/// How a request that must be taken was answered: 2xx passes, anything else fails.
pub(super) fn grade_acceptance(result: &Result<Sent, SendError>) -> (Grade, String) {
    match result {
        Ok(s) if (200..300).contains(&s.status) => {
            (Grade::Pass, format!("accepted ({})", s.status))
        }
        Ok(s) => (
            Grade::Fail,
            format!("refused a genuine delivery ({} {})", s.status, s.reason).replace(" )", ")"),
        ),
        Err(e) => (Grade::Fail, format!("no answer to a genuine delivery: {e}")),
    }
}

/// The forms a receiver might print a signature in: as received, hex, base64.
pub(super) fn signature_forms(encoding: Encoding, signatures: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in signatures {
        out.push(s.clone());
        if let Some(bytes) = decode(encoding, s) {
            out.push(hex::encode(&bytes));
            out.push(base64::engine::general_purpose::STANDARD.encode(&bytes));
            out.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        }
    }
    out.retain(|s| s.len() >= 16);
    out.sort();
    out.dedup();
    out
}

/// Every leaf of a JSON value with its dotted path (keys holding dots left out, as
/// `--set` could not address them).
pub(super) fn leaves(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    let child = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if !k.contains('.') && !k.is_empty() {
                    leaves(c, &child(k), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                leaves(c, &child(&i.to_string()), out);
            }
        }
        other => out.push((path.to_string(), other.clone())),
    }
}

/// A receiver's reason as a stop message shows it: whole up to 1,000 characters (its
/// most useful part is often at the end: "…expected signature for secret whsec_…"),
/// its runs of white space made one space.
pub(super) fn whole_reason(text: &str) -> String {
    const MAX: usize = 1000;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        flat
    } else {
        format!(
            "{}… ({} characters in all)",
            flat.chars().take(MAX).collect::<String>(),
            flat.chars().count()
        )
    }
}

impl Audit {
    /// The send line with the endpoint's secrets.
    pub(in crate::audit) fn send_line(&self) -> String {
        format!("{} {}", self.opts.send_line, self.opts.secret_flags)
            .trim_end()
            .to_string()
    }

    pub(in crate::audit) fn send_with(&self, extra: &str) -> String {
        format!("{} {extra}", self.send_line())
    }

    /// A made-up secret in the form the scheme reads, for the reproductions.
    pub(in crate::audit) fn made_up_secret(&self) -> &'static str {
        match self.scheme().secret {
            SecretEncoding::Whsec | SecretEncoding::WhsecOrRaw => {
                "whsec_bm90LXRoZS1lbmRwb2ludC1zZWNyZXQ="
            }
            SecretEncoding::Base64 => "bm90LXRoZS1lbmRwb2ludC1zZWNyZXQ=",
            SecretEncoding::Hex => "6e6f742d7468652d656e64706f696e74",
            SecretEncoding::Raw => "not-the-endpoint-secret",
        }
    }

    pub(in crate::audit) fn audit_only(&self, name: &str) -> String {
        format!(
            "{} --only {name} {}",
            self.opts.audit_line, self.opts.secret_flags
        )
        .trim_end()
        .to_string()
    }

    /// A fresh delivery of the plan's event, signed at `timestamp`, tagged for `check`.
    pub(in crate::audit) fn prepare(&mut self, check: &str, timestamp: i64) -> Result<Prepared> {
        self.plan.extra_headers.set(TAG_HEADER, check);
        self.plan.prepare(None, timestamp)
    }

    /// The headers `profile` (this plan's, or another) signs `body` with, the plan's
    /// extra headers (the tag) added.
    pub(in crate::audit) fn sign_as(
        &self,
        profile: &Profile,
        secrets: &[Secret],
        built: &BuiltEvent,
        body: &[u8],
        timestamp: i64,
    ) -> Result<HeaderList> {
        let path = self.plan.signed_path();
        let mut headers = profile.sign(
            secrets,
            &SignInput {
                body,
                event: Some(&built.event),
                id: &built.id,
                timestamp,
                method: &self.plan.method,
                path: &path,
                vars: &built.vars,
            },
        )?;
        for (n, v) in self.plan.extra_headers.iter() {
            headers.set(n, v);
        }
        Ok(headers)
    }

    /// The signatures the profile's header holds in `headers`.
    pub(in crate::audit) fn signatures_in(&self, headers: &HeaderList) -> Vec<String> {
        self.plan
            .profile
            .parse_headers(self.scheme(), headers)
            .map(|p| p.signatures.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    }

    /// The signature a sound receiver computes for `body` (what must never be shown).
    pub(in crate::audit) fn expected_for(
        &self,
        built: &BuiltEvent,
        body: &[u8],
        timestamp: i64,
    ) -> Vec<String> {
        let headers = self
            .sign_as(
                &self.plan.profile,
                &self.plan.secrets,
                built,
                body,
                timestamp,
            )
            .unwrap_or_default();
        signature_forms(self.scheme().encoding, &self.signatures_in(&headers))
    }

    /// Sends one request through the outbound pipeline, then pauses.
    pub(in crate::audit) async fn send(
        &self,
        prepared: Prepared,
        timeout: Duration,
    ) -> Result<Result<Sent, SendError>> {
        let opts = DeliverOptions {
            timeout,
            retry: false,
            speed: 1.0,
            source: "audit",
        };
        let delivered = deliver(&self.plan, prepared, &self.client, None, &opts, &mut |_| {
            Ok(())
        })
        .await?;
        tokio::time::sleep(self.opts.delay).await;
        Ok(delivered.last)
    }

    /// Sends one request over a connection written by hand, at `pace`, then pauses.
    pub(in crate::audit) async fn send_paced(
        &self,
        headers: &HeaderList,
        body: &[u8],
        pace: raw::Pace,
        wait: Duration,
    ) -> Result<raw::RawOutcome, String> {
        let outcome = raw::exchange(
            &self.plan.method,
            &self.plan.url,
            self.opts.insecure,
            headers,
            body,
            pace,
            wait,
        )
        .await;
        tokio::time::sleep(self.opts.delay).await;
        outcome
    }

    /// How long a request that should be refused at once may take.
    pub(in crate::audit) fn timeout(&self) -> Duration {
        self.plan.profile.retry.timeout
    }

    /// Sends a request that must be refused; keeps its answer for `signature-leak`.
    pub(in crate::audit) async fn probe(
        &mut self,
        check: &'static str,
        prepared: Prepared,
        expected: Vec<String>,
    ) -> Result<Result<Sent, SendError>> {
        let result = self.send(prepared, self.timeout()).await?;
        if let Ok(sent) = &result {
            self.probes.push(Probe {
                check,
                expected,
                answer: sent.clone(),
            });
        }
        Ok(result)
    }

    pub(in crate::audit) async fn read_oracle(&self) -> Result<u64> {
        let url = self.opts.oracle.as_ref().expect("called with an oracle");
        let mut tag = HeaderList::new();
        tag.push(TAG_HEADER, "oracle");
        let sent = self
            .client
            .send("GET", url, &tag, Bytes::new(), Duration::from_secs(5))
            .await?;
        if !(200..300).contains(&sent.status) {
            bail!("{url} answered {} {}", sent.status, sent.reason);
        }
        let text = String::from_utf8_lossy(&sent.body);
        text.trim().parse::<u64>().with_context(|| {
            format!(
                "{url} answered `{}`, not a count of deliveries",
                crate::envelope::verify::preview(text.trim())
            )
        })
    }

    /// Reads the oracle until it is past `than` or `within` has passed; the last count.
    pub(in crate::audit) async fn oracle_past(&self, than: u64, within: Duration) -> Result<u64> {
        let until = Instant::now() + within;
        loop {
            let n = self.read_oracle().await?;
            if n > than || Instant::now() >= until {
                return Ok(n);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_forms_cover_both_encodings() {
        let forms = signature_forms(Encoding::Hex, &["00ff".repeat(8)]);
        assert!(forms.contains(&"00ff".repeat(8)));
        assert!(forms.iter().any(|f| f.starts_with("AP8A")));
        // Too short to be told from chance: left out.
        assert!(signature_forms(Encoding::Hex, &["00ff".into()]).is_empty());
    }

    #[test]
    fn refusals_grade_by_status_class() {
        let sent = |status| {
            Ok(Sent {
                status,
                reason: String::new(),
                headers: HeaderList::new(),
                body: Bytes::new(),
                latency: Duration::from_millis(1),
            })
        };
        assert_eq!(grade_refusal(&sent(401), Grade::Fail).0, Grade::Pass);
        assert_eq!(grade_refusal(&sent(200), Grade::Fail).0, Grade::Fail);
        assert_eq!(grade_refusal(&sent(200), Grade::Warn).0, Grade::Warn);
        assert_eq!(grade_refusal(&sent(500), Grade::Fail).0, Grade::Warn);
        let timeout: Result<Sent, SendError> = Err(SendError::Timeout(Duration::from_secs(1)));
        assert_eq!(grade_refusal(&timeout, Grade::Fail).0, Grade::Warn);
        let (g, s) = grade_refusals(
            &[
                ("a".into(), sent(401)),
                ("b".into(), sent(500)),
                ("c".into(), sent(200)),
            ],
            Grade::Fail,
        );
        assert_eq!(g, Grade::Fail);
        assert!(s.starts_with("c: accepted"), "{s}");
        assert_eq!(grade_acceptance(&sent(204)).0, Grade::Pass);
        assert_eq!(grade_acceptance(&sent(401)).0, Grade::Fail);
    }
}
