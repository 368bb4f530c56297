//! `hookctl mock`: play a provider against the user's app and grade every step.

use crate::Exit;
use crate::cli::{GlobalArgs, MockArgs};
use crate::http::client::{ClientOptions, HttpClient};
use crate::mock::clock::Clock;
use crate::mock::engine::{Ctx, Grade, Report, Step};
use crate::mock::serve::{Server, serve};
use crate::output::Event;
use crate::output::Output;
use crate::settings::mock::MockSettings;
use crate::show::escape;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML of the graded steps, in the form `audit --junit` writes.
pub fn junit(profile: &str, url: &str, steps: &[Step]) -> String {
    let failures = steps.iter().filter(|s| s.grade == Grade::Fail).count();
    let suite = format!("hookctl mock {profile} ({url})");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"hookctl mock\" tests=\"{}\" failures=\"{failures}\" skipped=\"0\">",
        steps.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml(&suite),
        steps.len()
    );
    for s in steps {
        let time = s.latency_ms.unwrap_or(0.0) / 1e3;
        let _ = write!(
            out,
            "    <testcase classname=\"hookctl.mock.{}\" name=\"{}: {}\" time=\"{time:.3}\"",
            xml(profile),
            s.step,
            xml(&s.name)
        );
        if s.grade == Grade::Fail {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n    </testcase>",
                xml(&s.reason),
                xml(&s.reason)
            );
        } else {
            let _ = writeln!(out, "/>");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

pub fn run(g: &GlobalArgs, out: &Output, args: MockArgs) -> Result<Exit> {
    let s = crate::settings::mock::resolve(g, args)?;
    let report = step_report(out);
    let interrupted = play(&s, &report, |base| render_listening(out, &s, base))?;
    render(out, &s, &report.graded(), interrupted)
}

/// Where the steps go: rendered as they come, and kept for the summary.
fn step_report(out: &Output) -> Arc<Report> {
    let out = out.clone();
    Arc::new(Report {
        steps: Mutex::new(Vec::new()),
        tell: Box::new(move |s| render_step(&out, s)),
    })
}

/// One step: a JSON record, or a line (info lines left out with `--quiet`). A step
/// that cannot be written is dropped: the summary and the exit status still tell.
fn render_step(out: &Output, s: &Step) {
    if out.json {
        let _ = out.record(Event::Step, s);
        return;
    }
    if out.quiet && s.grade == Grade::Info {
        return;
    }
    let styles = out.out();
    let label = match s.grade {
        Grade::Pass => styles.ok("PASS"),
        Grade::Fail => styles.fail("FAIL"),
        Grade::Info => styles.dim("    "),
    };
    let at = styles.dim(&format!("{:>9}", clock_label(s.at_secs)));
    let line = if s.step == "provider" {
        // The reason names the provider already.
        format!("{at} {label} {:<12} {}", s.step, escape(&s.reason))
    } else {
        format!(
            "{at} {label} {:<12} {}: {}",
            s.step,
            escape(&s.name),
            escape(&s.reason)
        )
    };
    let _ = out.line(&line);
}

/// `+H:MM:SS` of virtual time.
fn clock_label(secs: f64) -> String {
    let t = secs.max(0.0) as u64;
    format!("+{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// Plays the provider: against `--to`, or serving its registration API (and playing
/// `--to` at once, when given too), until the play is over, `--once`'s first
/// registration's is, or Ctrl-C/SIGTERM. `listening` is told the API's base URL
/// once it is bound. Whether it was interrupted.
fn play(
    s: &MockSettings,
    report: &Arc<Report>,
    listening: impl FnOnce(&str) -> Result<()>,
) -> Result<bool> {
    let ctx = Ctx {
        profile: s.profile.clone(),
        secrets: s.secrets.clone(),
        verify_token: s.verify_token.clone(),
        events: s.events.clone(),
        client: HttpClient::new(&ClientOptions::new(s.insecure, 4))?,
        clock: Arc::new(Clock::new(s.speed)),
        probe_signature: s.probe_signature,
        report: Arc::clone(report),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let stop = crate::http::serve::stop_requested();
        match (&s.serve, &s.url) {
            (Some(addr), _) => serve_api(ctx, s, addr, listening, stop).await,
            (None, Some(url)) => tokio::select! {
                r = ctx.play(url, s.run_for, false) => r.map(|_| false),
                _ = stop => Ok(true),
            },
            // Settings name one or the other.
            (None, None) => Ok(false),
        }
    })
}

/// `--serve`: the registration API (and `--to`, played at once, when given too).
async fn serve_api(
    ctx: Ctx,
    s: &MockSettings,
    addr: &str,
    listening: impl FnOnce(&str) -> Result<()>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<bool> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    listening(&format!("http://{}", listener.local_addr()?))?;
    let (server, mut done) = Server::new(ctx, s.run_for);
    let (once, run_for, url) = (s.once, s.run_for, s.url.clone());
    let player = Arc::clone(&server);
    let first = async move {
        if let Some(url) = url {
            // With --to as well: that URL is played at once.
            let _ = player.ctx.play(&url, run_for, false).await;
            if once {
                return;
            }
        }
        if once {
            done.recv().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = serve(server, listener, std::future::pending::<()>()) => Ok(false),
        _ = first => Ok(false),
        _ = stop => Ok(true),
    }
}

fn render_listening(out: &Output, s: &MockSettings, base: &str) -> Result<()> {
    let name = &s.profile.name;
    if out.json {
        out.record(
            Event::Listening,
            &crate::output::listen::Listening {
                url: base,
                profile: Some(name),
                ..Default::default()
            },
        )?;
    } else {
        out.note(&format!(
            "mock {name}: serving the registration API and /_hookctl/clock on {base}"
        ));
    }
    Ok(())
}

/// The JUnit file (`--junit`) and the summary of the graded steps.
fn render(out: &Output, s: &MockSettings, graded: &[Step], interrupted: bool) -> Result<Exit> {
    let name = &s.profile.name;
    let failed = graded.iter().filter(|s| s.grade == Grade::Fail).count();
    if let Some(path) = &s.junit {
        let target = s.url.as_ref().map(|u| u.to_string()).unwrap_or_default();
        std::fs::write(path, junit(name, &target, graded))
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let summary = format!(
        "{} graded: {} pass, {failed} fail",
        crate::show::plural(graded.len() as u64, "step", "steps"),
        graded.len() - failed
    );
    if out.json {
        out.record(
            Event::Summary,
            &serde_json::json!({"profile": name, "steps": graded.len(), "failed": failed, "passed": graded.len() - failed}),
        )?;
    } else {
        out.note(&summary);
    }
    Ok(if interrupted {
        Exit::Interrupted
    } else if failed > 0 || graded.is_empty() && s.serve.is_none() {
        Exit::Negative
    } else {
        Exit::Success
    })
}
