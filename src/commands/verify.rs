//! `hookctl verify`: is this request genuine, and if not, why.

use crate::cli::{GlobalArgs, VerifyArgs};
use crate::envelope::catalog::{Detected, detect_verified};
use crate::envelope::explain::{Finding, explain};
use crate::envelope::profile::parse_duration;
use crate::envelope::{HeaderList, Received, Verification, VerifyOptions};
use crate::output::{Output, escape};
use crate::rawhttp;
use crate::settings::{
    Config, SecretRequest, apply_scheme_args, no_key_error, now_unix, read_input, secrets,
};
use crate::{Exit, hinted};
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
    let config = Config::load(g.config.as_deref())?;
    let mut headers = HeaderList::new();
    let mut arrival = None;
    let mut stored_profile = None;
    let (mut method, mut path, body, stdin_used) = match (&args.request, &args.body) {
        _ if args.as_of_arrival.is_some() => {
            let key = args.as_of_arrival.as_deref().unwrap_or_default();
            let store = crate::settings::require_store(g, "--as-of-arrival")?;
            let Some((d, _)) = store.find(key)? else {
                return Err(hinted(
                    format!("no delivery `{}` in the store", escape(key)),
                    "`hookctl deliveries list` shows store ids and delivery ids",
                ));
            };
            let (at, path) = match store.relay_arrival(d.id)? {
                Some((ms, public)) => (ms.div_euclid(1000), public),
                None => {
                    let at = humantime::parse_rfc3339_weak(&d.created_at)
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .and_then(|t| i64::try_from(t.as_secs()).ok())
                        .with_context(|| format!("delivery {} has no time of arrival", d.id))?;
                    let path = match reqwest::Url::parse(&d.url) {
                        Ok(u) => crate::http::path_and_query(&u),
                        Err(_) => d.url.clone(),
                    };
                    (at, path)
                }
            };
            arrival = Some(at);
            stored_profile = d.profile.clone();
            headers = d.headers;
            (d.method, path, d.body, false)
        }
        (Some(file), _) => {
            let raw = read_input(file)?;
            let req = rawhttp::parse(&raw)
                .with_context(|| format!("could not read the request in `{}`", file.display()))?;
            headers = req.headers;
            (req.method, req.path, req.body, file.as_os_str() == "-")
        }
        (None, Some(file)) => (
            String::from("POST"),
            String::from("/"),
            read_input(file)?,
            file.as_os_str() == "-",
        ),
        (None, None) => {
            return Err(hinted(
                "nothing to verify: give --body FILE (with -H headers) or --request FILE",
                "`-` reads standard input, e.g. `… --body - < payload.json`",
            ));
        }
    };
    for h in &args.headers {
        // `-H @FILE` reads `Name: value` lines from a file (what `sign` prints), up to
        // the first blank line.
        if let Some(file) = h.strip_prefix('@') {
            let text = read_input(std::path::Path::new(file))?;
            let text = String::from_utf8(text)
                .with_context(|| format!("the headers in `{file}` are not UTF-8"))?;
            for line in text.lines().take_while(|l| !l.trim().is_empty()) {
                let (n, v) = HeaderList::parse_line(line)
                    .with_context(|| format!("could not read the headers in `{file}`"))?;
                headers.push(n, v);
            }
            continue;
        }
        let (n, v) = HeaderList::parse_line(h).context("could not read a -H header")?;
        headers.push(n, v);
    }
    if let Some(m) = &args.method {
        method = m.clone();
    }
    if let Some(p) = &args.path {
        path = p.clone();
    }
    if let Some(url) = &args.url {
        path = crate::settings::checked_url(url, "--url")?;
    }
    let wanted = args
        .profile
        .as_deref()
        .or(stored_profile.as_deref())
        .or(config.default_profile())
        .unwrap_or("auto");
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used,
    })?;
    let tolerance = match &args.tolerance {
        None => None,
        Some(t) => Some(
            Some(
                parse_duration(t)
                    .map_err(anyhow::Error::msg)
                    .context("could not read --tolerance")?,
            )
            .filter(|d| !d.is_zero()),
        ),
    };
    let opts = VerifyOptions {
        secrets: &secrets,
        now: args.now.or(arrival).unwrap_or_else(now_unix),
        tolerance,
    };
    let req = Received {
        method: &method,
        path: &path,
        headers: &headers,
        body: &body,
    };
    let profile = if wanted == "auto" {
        // Only the profiles the headers could fit are compiled.
        let all = config.catalog.fitting(&headers)?;
        if secrets.is_empty()
            && let Some(p) = crate::envelope::catalog::detect_among(&all, &headers)
        {
            return Err(no_key_error(p, false));
        }
        let p = match detect_verified(&all, &req, &opts) {
            Detected::None => {
                let looked: Vec<String> = config
                    .catalog
                    .all()?
                    .iter()
                    .filter_map(|p| p.signature.as_ref().map(|s| s.header.clone()))
                    .collect();
                return Err(hinted(
                    "could not detect the profile: the request has no signature header hookctl knows",
                    format!(
                        "looked for {}; name the profile with --profile",
                        looked.join(", ")
                    ),
                ));
            }
            Detected::One { profile, tried } => {
                let how = if tried.is_empty() {
                    "detected from the headers".to_string()
                } else {
                    format!(
                        "the headers fit {}; only {} verified with the secrets given",
                        tried.join(", "),
                        profile.name
                    )
                };
                out.note(&out.err().dim(&format!("profile: {} ({how})", profile.name)));
                profile.clone()
            }
            Detected::Ambiguous { verified, tried } => {
                let what = if verified.is_empty() {
                    "none verified with the secrets given".to_string()
                } else {
                    format!("several verified ({})", verified.join(", "))
                };
                return Err(hinted(
                    format!(
                        "could not tell the profile: the headers fit {}, and {what}",
                        tried.join(", ")
                    ),
                    "a header's name does not say which algorithm signed; name the profile with --profile",
                ));
            }
        };
        apply_scheme_args(p, &args.scheme)?
    } else {
        config.profile(Some(wanted), &args.scheme)?
    };
    if secrets.is_empty() {
        return Err(no_key_error(&profile, false));
    }
    let verdict = profile.verify(&req, &opts).context("could not verify")?;
    if let Some(at) = arrival.filter(|_| args.now.is_none()) {
        out.note(&out.err().dim(&format!(
            "judged as of its arrival, {}",
            crate::relay::server::rfc3339_ms(at.saturating_mul(1000))
        )));
    }
    let findings = if args.explain {
        let all = config.catalog.all()?;
        Some(explain(&profile, &all, &req, &opts, &verdict))
    } else {
        None
    };
    if out.json {
        out.record(
            "verification",
            &Report {
                verification: &verdict,
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
