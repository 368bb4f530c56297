//! `hookctl verify`: is this request genuine, and if not, why.

use crate::Exit;
use crate::cli::{GlobalArgs, VerifyArgs};
use crate::envelope::Verification;
use crate::envelope::explain::{Finding, explain};
use crate::output::Event;
use crate::output::{Output, escape};
use crate::settings::verify::VerifySettings;
use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    verification: &'a Verification,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanations: Option<&'a [Finding]>,
}

pub fn run(g: &GlobalArgs, out: &Output, args: VerifyArgs) -> Result<Exit> {
    let s = crate::settings::verify::resolve(g, args)?;
    render_detected(out, &s);
    let judged = verify(&s)?;
    render(out, &s, &judged)
}

/// A verdict, and with `--explain` what may have gone wrong.
struct Judged {
    verdict: Verification,
    findings: Option<Vec<Finding>>,
}

fn verify(s: &VerifySettings) -> Result<Judged> {
    let (req, opts) = (s.received(), s.options());
    let verdict = s.profile.verify(&req, &opts).context("could not verify")?;
    let findings = s
        .explain
        .as_deref()
        .map(|all| explain(&s.profile, all, &req, &opts, &verdict));
    Ok(Judged { verdict, findings })
}

/// Which profile was detected, and how (before the verdict, or an error verifying).
fn render_detected(out: &Output, s: &VerifySettings) {
    if let Some(how) = &s.detected {
        out.note(
            &out.err()
                .dim(&format!("profile: {} ({how})", s.profile.name)),
        );
    }
}

fn render(out: &Output, s: &VerifySettings, judged: &Judged) -> Result<Exit> {
    if let Some(at) = s.as_of_arrival {
        out.note(&out.err().dim(&format!(
            "judged as of its arrival, {}",
            crate::relay::server::rfc3339_ms(at.saturating_mul(1000))
        )));
    }
    let (verdict, findings) = (&judged.verdict, &judged.findings);
    if out.json {
        out.record(
            Event::Verification,
            &Report {
                verification: verdict,
                explanations: findings.as_deref(),
            },
        )?;
    } else {
        let s = out.out();
        let mut facts = vec![verdict.profile.clone()];
        facts.extend(verdict.event.iter().map(|e| escape(e)));
        facts.extend(verdict.id.iter().map(|i| escape(i)));
        let facts = s.dim(&format!("({})", facts.join(", ")));
        if verdict.valid {
            out.line(&format!("{} {} {facts}", s.ok("✓ valid:"), verdict.reason))?;
        } else {
            out.line(&format!(
                "{} {} {facts}",
                s.fail("✗ invalid:"),
                escape(&verdict.reason)
            ))?;
        }
        for f in findings.iter().flatten() {
            out.line(&format!("  {} {}", s.warn("explain:"), escape(&f.message)))?;
        }
    }
    Ok(if verdict.valid {
        Exit::Success
    } else {
        Exit::Negative
    })
}
