//! `hookctl mock`: play a provider against the user's app and grade every step.

use crate::cli::{GlobalArgs, MockArgs};
use crate::envelope::GivenData;
use crate::http::client::{ClientOptions, HttpClient};
use crate::mock::Confirm;
use crate::mock::clock::Clock;
use crate::mock::engine::{Ctx, Grade, Report, Step};
use crate::mock::serve::{Server, serve};
use crate::output::Event;
use crate::output::Output;
use crate::settings::{Config, SecretRequest, read_input, signing_secrets};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// `--data`: inline JSON, `-`, or a file.
fn read_data(arg: &str) -> Result<serde_json::Value> {
    let t = arg.trim_start();
    let bytes = if t.starts_with('{') || t.starts_with('[') {
        arg.as_bytes().to_vec()
    } else {
        read_input(std::path::Path::new(arg))
            .context("could not read --data (inline JSON, a file, or -)")?
    };
    serde_json::from_slice(&bytes).context("--data is not JSON")
}

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
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(Some(&args.profile), &Default::default())?;
    crate::settings::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
    let run_for = args
        .run_for
        .as_deref()
        .map(crate::envelope::profile::parse_duration)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--for: {e}"))?;
    let via_api = profile
        .handshake
        .as_ref()
        .is_some_and(|h| h.confirm == Some(Confirm::Api));
    if args.to.is_none() && args.serve.is_none() {
        bail!(hinted(
            "say where the app is: --to URL",
            "or --serve ADDR, to serve the provider's registration API that names it"
        ));
    }
    if via_api && args.serve.is_none() {
        let p = profile
            .handshake
            .as_ref()
            .map(|h| h.provider.as_str())
            .unwrap_or("");
        return Err(hinted(
            format!(
                "{p}'s webhook is verified through its registration API (the code goes back with a PUT)"
            ),
            format!(
                "run `hookctl mock {} --serve 127.0.0.1:0` and register the app's URL with it",
                profile.name
            ),
        ));
    }
    if via_api && args.to.is_some() {
        bail!(hinted(
            format!(
                "`{}` learns the app's URL from its registration API, not from --to",
                profile.name
            ),
            "leave --to out and register the URL with POST /api/v2/webhooks on the --serve address",
        ));
    }
    let needs_secret = profile
        .handshake
        .as_ref()
        .is_some_and(|h| h.challenge == "secret" || h.answer != crate::mock::Answer::Echo);
    let secrets = match signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config: &config,
            stdin_used: args.data.as_deref() == Some("-"),
        },
        &profile,
    ) {
        Ok(s) => s,
        // A registration may bring its own (Hover's hmac_secret, Twitch's
        // transport.secret, Graph's clientState).
        Err(_) if via_api || (args.serve.is_some() && args.to.is_none()) => Vec::new(),
        Err(e) => return Err(e),
    };
    if needs_secret && secrets.is_empty() && args.to.is_some() {
        bail!(hinted(
            format!("`{}`'s handshake is keyed with the secret", profile.name),
            "pass --secret-env NAME (or --secret, --secret-file)"
        ));
    }
    for e in &args.event {
        profile.event(e).map_err(anyhow::Error::msg)?;
    }
    let data = args
        .data
        .as_deref()
        .map(read_data)
        .transpose()?
        .map(GivenData::new);
    let mut events: Vec<(String, Option<GivenData>)> =
        args.event.iter().map(|e| (e.clone(), None)).collect();
    if let Some(d) = data {
        if events.is_empty() {
            let first = profile
                .events
                .values()
                .find(|e| !e.handshake)
                .map(|e| e.name.clone())
                .ok_or_else(|| {
                    hinted(
                        "the profile has no events to give --data to",
                        "pass --event",
                    )
                })?;
            events.push((first, None));
        }
        events[0].1 = Some(d);
    }
    let url = args
        .to
        .as_deref()
        .map(crate::settings::resolve_url)
        .transpose()?;
    let report = Arc::new(Report {
        steps: Mutex::new(Vec::new()),
        json: out.json,
        quiet: out.quiet,
        styles: out.out(),
    });
    let ctx = Ctx {
        profile,
        secrets,
        verify_token: args.verify_token.clone(),
        events,
        client: HttpClient::new(&ClientOptions::new(args.insecure, 4))?,
        clock: Arc::new(Clock::new(args.speed)),
        probe_signature: args.probe_signature,
        report: Arc::clone(&report),
    };
    let name = ctx.profile.name.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let target = url.as_ref().map(|u| u.to_string()).unwrap_or_default();
    let interrupted = rt.block_on(async {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let term = crate::sigterm();
        let stop = async move {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term => {}
            }
        };
        match &args.serve {
            None => {
                let url = url.clone().expect("checked above");
                tokio::select! {
                    r = ctx.play(&url, run_for, false) => r.map(|_| false),
                    _ = stop => Ok(true),
                }
            }
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("could not listen on {addr}"))?;
                let local = listener.local_addr()?;
                let base = format!("http://{local}");
                if out.json {
                    out.record(
                        Event::Listening,
                        &serde_json::json!({"url": base, "profile": name}),
                    )?;
                } else {
                    out.note(&format!(
                        "mock {name}: serving the registration API and /_hookctl/clock on {base}"
                    ));
                }
                let (server, mut done) = Server::new(ctx, run_for);
                let once = args.once;
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
        }
    })?;
    let graded = report.graded();
    let failed = graded.iter().filter(|s| s.grade == Grade::Fail).count();
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&name, &target, &graded))
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
    } else if failed > 0 || graded.is_empty() && args.serve.is_none() {
        Exit::Negative
    } else {
        Exit::Success
    })
}
