//! What an answer gives away (the expected signature, a stack trace), and how long
//! it takes.

use super::{millis, secs};
use crate::audit::{Audit, Check, Grade};
use anyhow::Result;

/// Text of a stack trace in an answer, from the usual runtimes.
const TRACE_MARKS: [&str; 10] = [
    "Traceback (most recent call last)",
    "panicked at",
    "goroutine 1 [",
    "Exception in thread",
    "\n    at ",
    "\tat ",
    "node_modules/",
    "site-packages/",
    "Stack trace:",
    "stacktrace",
];

impl Audit {
    pub(in crate::audit) async fn leak(&mut self) -> Result<Check> {
        let name = "signature-leak";
        // One refusal of its own, so that the check stands alone (`--only`).
        let _ = self.send_wrong_secret(name).await?;
        let key_encoding = self.scheme().secret;
        // Every leak is listed, each kind of each answer once.
        let mut leaks: Vec<(Grade, String)> = Vec::new();
        for probe in &self.probes {
            let a = &probe.answer;
            let mut text = String::from_utf8_lossy(&a.body).into_owned();
            for (n, v) in a.headers.iter() {
                text.push('\n');
                text.push_str(n);
                text.push_str(": ");
                text.push_str(v);
            }
            // JSON may escape `/` (PHP does), which base64 holds.
            let text = text.replace("\\/", "/");
            let lower = text.to_ascii_lowercase();
            let shows = |needle: &str| {
                text.contains(needle) || lower.contains(&needle.to_ascii_lowercase())
            };
            let (check, status) = (probe.check, a.status);
            if self
                .plan
                .secrets
                .iter()
                .any(|s| s.shown_in(&text, key_encoding))
            {
                leaks.push((
                    Grade::Fail,
                    format!("the {status} answer to `{check}` shows the signing secret"),
                ));
            }
            if let Some(sig) = probe.expected.iter().find(|s| shows(s)) {
                leaks.push((
                    Grade::Fail,
                    format!(
                        "the {status} answer to `{check}` shows the expected signature ({}…)",
                        sig.chars().take(8).collect::<String>()
                    ),
                ));
            }
            if let Some(mark) = TRACE_MARKS.iter().find(|m| text.contains(*m)) {
                leaks.push((
                    Grade::Warn,
                    format!(
                        "the {status} answer to `{check}` holds a stack trace (`{}`)",
                        mark.trim()
                    ),
                ));
            }
        }
        let refusals = self
            .probes
            .iter()
            .filter(|p| !(200..300).contains(&p.answer.status))
            .count();
        let searched = crate::show::plural(self.probes.len() as u64, "answer", "answers");
        let (grade, summary) = if !leaks.is_empty() {
            let grade = if leaks.iter().any(|(g, _)| *g == Grade::Fail) {
                Grade::Fail
            } else {
                Grade::Warn
            };
            let shown: Vec<&str> = leaks.iter().map(|(_, s)| s.as_str()).collect();
            (grade, shown.join("; "))
        } else if refusals == 0 {
            // Nothing was refused, so no refusal could say too much: the forgery
            // checks already failed for that.
            (
                Grade::Skip,
                format!(
                    "the receiver refused none of the {} requests it should have refused, so there was no refusal to search (the checks that sent them fail for that)",
                    self.probes.len()
                ),
            )
        } else {
            (
                Grade::Pass,
                format!(
                    "{} {} nothing {} should not",
                    crate::show::plural(refusals as u64, "refusal", "refusals"),
                    if refusals == 1 { "shows" } else { "show" },
                    if refusals == 1 { "it" } else { "they" }
                ),
            )
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = "nothing more than one delivery signed with a wrong secret; the answers to every refused request are searched for the expected signature, the secret and stack traces".into();
        c.expected = "a refusal that says no more than that the signature is not valid".into();
        c.got = format!("{searched} searched, {refusals} of them refusals");
        c.reproduce = self.wrong_secret_line();
        Ok(c)
    }

    pub(in crate::audit) fn slow_answer(&self) -> Check {
        let name = "slow-answer";
        let (_, sent) = self.valid.as_ref().expect("valid ran first");
        let waits = self.timeout();
        let took = sent.latency;
        let p = &self.plan.profile.name;
        let (grade, summary) = if took > waits {
            (
                Grade::Fail,
                format!(
                    "answered in {}, after `{p}` stops waiting ({})",
                    millis(took),
                    secs(waits)
                ),
            )
        } else if took > waits / 2 {
            (
                Grade::Warn,
                format!(
                    "answered in {}, more than half of the {} `{p}` waits",
                    millis(took),
                    secs(waits)
                ),
            )
        } else {
            (
                Grade::Pass,
                format!("answered in {} (`{p}` waits {})", millis(took), secs(waits)),
            )
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = "nothing more: the valid delivery, timed".into();
        c.expected = format!("2xx well within the {} `{p}` waits", secs(waits));
        c.got = format!("{} {} in {}", sent.status, sent.reason, millis(took));
        c.status = Some(sent.status);
        c.latency_ms = Some(took.as_secs_f64() * 1e3);
        c.reproduce = self.send_with(&format!("--timeout {}", secs(waits).replace(' ', "")));
        c
    }
}
