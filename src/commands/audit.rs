//! `hookctl audit`: the attacks of [`crate::audit`] against the user's own endpoint,
//! reported on the terminal, as JSON lines, JUnit XML or Markdown.

use crate::audit::{Audit, CHECKS, Grade, Options, Totals};
use crate::cli::{AuditArgs, FailOn, GlobalArgs, SchemeArgs, SecretArgs};
use crate::envelope::HeaderList;
use crate::envelope::profile::parse_duration;
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::{Craft, Plan};
use crate::output::audit::{Subject, card, junit, markdown};
use crate::output::{Output, shell_word};
use crate::settings::resolve_url;
use crate::settings::{Config, SecretRequest, signing_secrets};
use crate::{Exit, hinted};
use anyhow::{Context, Result, bail};
use clap::ValueEnum as _;
use std::io::IsTerminal;
use std::time::Duration;

/// Whether a URL's host is this machine: a loopback address, or a name every
/// address of which is one. A name is resolved, not trusted by its spelling:
/// `foo.localhost` should be loopback (RFC 6761) but a resolver may send it to DNS.
fn is_loopback(url: &reqwest::Url) -> bool {
    use std::net::ToSocketAddrs;
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let port = url.port_or_known_default().unwrap_or(80);
            match (bare, port).to_socket_addrs() {
                Ok(addrs) => {
                    let addrs: Vec<_> = addrs.collect();
                    !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
                }
                Err(_) => false,
            }
        }
    }
}

/// How the secrets were given, as flags that give them again (no secret's text: a
/// literal `--secret` becomes a placeholder).
fn secret_flags(a: &SecretArgs) -> String {
    let mut out = Vec::new();
    out.extend(a.secret.iter().map(|_| "--secret '<secret>'".to_string()));
    out.extend(
        a.secret_env
            .iter()
            .map(|n| format!("--secret-env {}", shell_word(n))),
    );
    out.extend(
        a.secret_file
            .iter()
            .map(|p| format!("--secret-file {}", shell_word(&p.display().to_string()))),
    );
    out.join(" ")
}

/// The scheme overrides given, as flags.
fn scheme_flags(a: &SchemeArgs) -> String {
    let mut out = Vec::new();
    let mut push = |flag: &str, v: Option<String>| {
        if let Some(v) = v {
            out.push(format!("--{flag} {}", shell_word(&v)));
        }
    };
    let name = |v: Option<clap::builder::PossibleValue>| v.map(|p| p.get_name().to_string());
    push("signature-header", a.signature_header.clone());
    push("signature-format", a.signature_format.clone());
    push("signed", a.signed.clone());
    push(
        "algorithm",
        name(a.algorithm.and_then(|v| v.to_possible_value())),
    );
    push(
        "encoding",
        name(a.encoding.and_then(|v| v.to_possible_value())),
    );
    push(
        "secret-encoding",
        name(a.secret_encoding.and_then(|v| v.to_possible_value())),
    );
    out.join(" ")
}

pub fn run(g: &GlobalArgs, out: &Output, args: AuditArgs) -> Result<Exit> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &args.scheme)?;
    let url = resolve_url(&args.to)?;
    let oracle = args
        .oracle_url
        .as_deref()
        .map(resolve_url)
        .transpose()
        .context("could not read --oracle-url")?;
    let delay = parse_duration(&args.delay)
        .map_err(anyhow::Error::msg)
        .context("could not read --delay")?;
    if delay > Duration::from_secs(60) {
        bail!("--delay is at most 1m");
    }
    let event = match &args.event {
        Some(e) => {
            profile.event(e).map_err(anyhow::Error::msg)?;
            e.clone()
        }
        None => profile
            .events
            .values()
            .find(|e| !e.handshake)
            .or_else(|| profile.events.values().next())
            .map(|e| e.name.clone())
            .ok_or_else(|| anyhow::anyhow!("profile `{}` has no events to send", profile.name))?,
    };
    let mut extra_headers = HeaderList::new();
    for h in &args.headers {
        let (n, v) = HeaderList::parse_line(h).context("could not read a -H header")?;
        extra_headers.push(n, v);
    }
    let secrets = signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config: &config,
            stdin_used: false,
        },
        &profile,
    )?;
    if !is_loopback(&url) && !args.yes {
        let ask = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        if !ask {
            return Err(hinted(
                format!(
                    "`{}` is not this machine: audit sends it forged, stale, 8 MiB and trickled requests",
                    url.host_str().unwrap_or_default()
                ),
                "audit only endpoints you run; pass --yes to go ahead without being asked",
            ));
        }
        let go = dialoguer::Confirm::new()
            .with_prompt(format!(
                "Audit {url}? It receives forged, stale, 8 MiB and trickled requests"
            ))
            .default(false)
            .interact()
            .context("could not ask for confirmation")?;
        if !go {
            bail!("audit not confirmed: nothing was sent");
        }
    }
    let mut common = format!(
        "--to {} -p {} -e {}",
        shell_word(url.as_str()),
        shell_word(&profile.name),
        shell_word(&event)
    );
    let scheme = scheme_flags(&args.scheme);
    if !scheme.is_empty() {
        common.push(' ');
        common.push_str(&scheme);
    }
    for h in &args.headers {
        common.push_str(&format!(" -H {}", shell_word(h)));
    }
    if args.insecure {
        common.push_str(" -k");
    }
    let only: Vec<String> = args.only.clone();
    let plan = Plan {
        profile,
        secrets,
        event: event.clone(),
        data: None,
        body: None,
        patches: Vec::new(),
        extra_headers,
        method: "POST".into(),
        url: url.clone(),
        craft: Craft::default(),
    };
    // Answers are kept for `signature-leak`: a megabyte of each is plenty.
    let mut client_opts = ClientOptions::new(args.insecure, 1);
    client_opts.max_response = 1 << 20;
    let client = HttpClient::new(&client_opts)?;
    let profile_name = plan.profile.name.clone();
    let opts = Options {
        delay,
        insecure: args.insecure,
        oracle,
        only: only.clone(),
        send_line: format!("hookctl send {common}"),
        secret_flags: secret_flags(&args.secrets),
        audit_line: format!("hookctl audit {common}"),
    };
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
            out.record("check", c)?;
        }
        Ok(())
    }));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let checks = checks?;
    let subject = Subject {
        url: url.as_str(),
        profile: &profile_name,
        event: &event,
    };
    let totals = Totals::of(&checks);
    let warn_fails = args.fail_on == FailOn::Warn;
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&subject, &checks, warn_fails))
            .with_context(|| format!("could not write --junit {}", path.display()))?;
    }
    if let Some(path) = &args.markdown {
        std::fs::write(path, markdown(&subject, &checks))
            .with_context(|| format!("could not write --markdown {}", path.display()))?;
    }
    if out.json {
        out.record("result", &totals)?;
    } else if out.quiet {
        out.line(&format!(
            "{} pass, {} warn, {} fail, {} skip",
            totals.pass, totals.warn, totals.fail, totals.skip
        ))?;
    } else {
        let width = crate::output::terminal_width();
        out.line(&card(&out.out(), &subject, &checks, width))?;
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
