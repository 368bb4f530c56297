//! `hookctl audit`: an endpoint put through forged, stale, oversized and slow
//! deliveries. Resolve (`settings::audit`) → `audit::Audit` runs the checks,
//! reporting each → the card, JUnit or Markdown.

use crate::Exit;
use crate::audit::{Audit, CHECKS, Check, Grade, Totals};
use crate::cli::{AuditArgs, GlobalArgs};
use crate::http::client::{ClientOptions, HttpClient};
use crate::output::Event;
use crate::output::Output;
use crate::output::audit::{Subject, card, junit, markdown};
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::time::Duration;

pub fn run(g: &GlobalArgs, out: &Output, args: AuditArgs) -> Result<Exit> {
    let s = crate::settings::audit::resolve(g, args)?;
    let profile = s.plan.profile.name.clone();
    let checks = checks(out, s.plan, s.opts, s.insecure, &s.only)?;
    let subject = Subject {
        url: s.url.as_str(),
        profile: &profile,
        event: &s.event,
    };
    write_reports(&s.junit, &s.markdown, s.warn_fails, &subject, &checks)?;
    render(out, &subject, &checks, s.warn_fails)
}

/// Runs the checks, each one's record as it ends (`--json`), with a progress bar on
/// a terminal: they take a while (`slow-body` up to 25 s).
fn checks(
    out: &Output,
    plan: crate::outbound::Plan,
    opts: crate::audit::Options,
    insecure: bool,
    only: &[String],
) -> Result<Vec<Check>> {
    // Answers are kept for `signature-leak`: a megabyte of each is plenty.
    let mut client_opts = ClientOptions::new(insecure, 1);
    client_opts.max_response = 1 << 20;
    let client = HttpClient::new(&client_opts)?;
    let mut audit = Audit::new(plan, client, opts)?;
    let total = 1 + CHECKS
        .iter()
        .skip(1)
        .filter(|c| only.is_empty() || only.iter().any(|o| o == *c))
        .count();
    // Progress on a terminal: the checks take a while (`slow-body` up to 25 s).
    let bar = if !out.json && !out.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}")
                .expect("a fixed template"),
        );
        b.enable_steady_tick(Duration::from_millis(120));
        b.set_message("valid");
        Some(b)
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let checks = rt.block_on(audit.run(&mut |c| {
        if let Some(b) = &bar {
            b.inc(1);
            let next = CHECKS
                .iter()
                .skip_while(|n| **n != c.name)
                .skip(1)
                .find(|n| only.is_empty() || only.iter().any(|o| o == **n));
            if let Some(n) = next {
                b.set_message(*n);
            }
        }
        if out.json {
            out.record(Event::Check, c)?;
        }
        Ok(())
    }));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    checks
}

/// `--junit` and `--markdown` files.
fn write_reports(
    junit_path: &Option<std::path::PathBuf>,
    markdown_path: &Option<std::path::PathBuf>,
    warn_fails: bool,
    subject: &Subject,
    checks: &[Check],
) -> Result<()> {
    if let Some(path) = junit_path {
        std::fs::write(path, junit(subject, checks, warn_fails))
            .with_context(|| format!("could not write --junit {}", path.display()))?;
    }
    if let Some(path) = markdown_path {
        std::fs::write(path, markdown(subject, checks))
            .with_context(|| format!("could not write --markdown {}", path.display()))?;
    }
    Ok(())
}

fn render(out: &Output, subject: &Subject, checks: &[Check], warn_fails: bool) -> Result<Exit> {
    let totals = Totals::of(checks);
    if out.json {
        out.record(Event::Result, &totals)?;
    } else if out.quiet {
        out.line(&format!(
            "{} pass, {} warn, {} fail, {} skip",
            totals.pass, totals.warn, totals.fail, totals.skip
        ))?;
    } else {
        let width = crate::output::terminal_width();
        out.line(&card(&out.out(), subject, checks, width))?;
    }
    let failed = checks
        .iter()
        .any(|c| c.grade == Grade::Fail || (warn_fails && c.grade == Grade::Warn));
    Ok(if failed {
        Exit::Negative
    } else {
        Exit::Success
    })
}
