//! `audit`'s flags and the profile → the plan of the event it sends and the
//! options of the run: every check of what was typed, and the consent to audit an
//! endpoint that is not this machine, happen here.

use super::{Config, SecretRequest, resolve_url, signing_secrets};
use crate::audit::Options;
use crate::cli::{AuditArgs, FailOn, GlobalArgs, SchemeArgs, SecretArgs};
use crate::envelope::HeaderList;
use crate::hint::hinted;
use crate::outbound::{Craft, Plan};
use crate::show::shell_word;
use anyhow::{Context, Result, bail};
use clap::ValueEnum as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

pub struct AuditSettings {
    pub plan: Plan,
    pub opts: Options,
    pub url: reqwest::Url,
    pub event: String,
    pub insecure: bool,
    /// `--only`: the checks to run (all when empty).
    pub only: Vec<String>,
    pub junit: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    /// `--fail-on warn`: a warning fails the run too.
    pub warn_fails: bool,
}

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

pub fn resolve(g: &GlobalArgs, args: AuditArgs) -> Result<AuditSettings> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &args.scheme)?;
    let url = resolve_url(&args.to)?;
    let oracle = args
        .oracle_url
        .as_deref()
        .map(resolve_url)
        .transpose()
        .context("could not read --oracle-url")?;
    let delay = args.delay;
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
    for (n, v) in &args.headers {
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
    if profile.signature.is_some() && secrets.is_empty() {
        return Err(super::no_secret_error());
    }
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
    for (n, v) in &args.headers {
        common.push_str(&format!(" -H {}", shell_word(&format!("{n}: {v}"))));
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
    let opts = Options {
        delay,
        insecure: args.insecure,
        oracle,
        only: only.clone(),
        send_line: format!("hookctl send {common}"),
        secret_flags: secret_flags(&args.secrets),
        audit_line: format!("hookctl audit {common}"),
    };
    Ok(AuditSettings {
        plan,
        opts,
        url,
        event,
        insecure: args.insecure,
        only,
        junit: args.junit,
        markdown: args.markdown,
        warn_fails: args.fail_on == FailOn::Warn,
    })
}
