//! `hookctl verify`: the request to judge, the secrets, the clock and the profile
//! (named, or detected from the request), resolved.

use crate::cli::{GlobalArgs, VerifyArgs};
use crate::clock::now_unix;
use crate::envelope::catalog::{Detected, detect_verified};
use crate::envelope::profile::parse_duration;
use crate::envelope::{HeaderList, Profile, Received, Secret, VerifyOptions};
use crate::hint::hinted;
use crate::http::request_file;
use crate::settings::{
    Config, SecretRequest, apply_scheme_args, no_key_error, read_input, secrets,
};
use crate::show::escape;
use anyhow::{Context, Result};
use std::time::Duration;

/// What `verify` runs with.
pub struct VerifySettings {
    pub method: String,
    /// The path (or, with `--url`, the whole URL) the request was sent to.
    pub path: String,
    pub headers: HeaderList,
    pub body: Vec<u8>,
    pub secrets: Vec<Secret>,
    /// Unix seconds taken as now.
    pub now: i64,
    /// `None`: the profile's tolerance; `Some(None)`: do not check; `Some(Some(d))`: d.
    pub tolerance: Option<Option<Duration>>,
    pub profile: Profile,
    /// How the profile was detected, when it was (`--profile` not given).
    pub detected: Option<String>,
    /// With `--as-of-arrival` and no `--now`: the arrival (Unix seconds) judged as of.
    pub as_of_arrival: Option<i64>,
    /// With `--explain`: every profile, to explain a failure against.
    pub explain: Option<Vec<Profile>>,
}

impl VerifySettings {
    pub fn received(&self) -> Received<'_> {
        Received {
            method: &self.method,
            path: &self.path,
            headers: &self.headers,
            body: &self.body,
        }
    }

    pub fn options(&self) -> VerifyOptions<'_> {
        VerifyOptions {
            secrets: &self.secrets,
            now: self.now,
            tolerance: self.tolerance,
        }
    }
}

/// The request as read, before `-H`, `--method`, `--path` and `--url` apply.
struct Request {
    method: String,
    path: String,
    headers: HeaderList,
    body: Vec<u8>,
    /// Whether standard input carried it (no prompt for a secret then).
    stdin_used: bool,
    /// A stored delivery's arrival (Unix seconds) and profile.
    arrival: Option<i64>,
    stored_profile: Option<String>,
}

pub fn resolve(g: &GlobalArgs, args: VerifyArgs) -> Result<VerifySettings> {
    let config = Config::load(g.config.as_deref())?;
    let mut r = request(g, &args)?;
    add_headers(&mut r.headers, &args.headers)?;
    if let Some(m) = &args.method {
        r.method = m.clone();
    }
    if let Some(p) = &args.path {
        r.path = p.clone();
    }
    if let Some(url) = &args.url {
        r.path = crate::settings::checked_url(url, "--url")?;
    }
    let wanted = args
        .profile
        .as_deref()
        .or(r.stored_profile.as_deref())
        .or(config.default_profile())
        .unwrap_or("auto");
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used: r.stdin_used,
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
    let now = args.now.or(r.arrival).unwrap_or_else(now_unix);
    let (profile, detected) = if wanted == "auto" {
        // Only the profiles the headers could fit are compiled.
        let all = config.catalog.fitting(&r.headers)?;
        let req = Received {
            method: &r.method,
            path: &r.path,
            headers: &r.headers,
            body: &r.body,
        };
        let opts = VerifyOptions {
            secrets: &secrets,
            now,
            tolerance,
        };
        let (profile, how) = detect(&config, &all, &req, &opts)?;
        (apply_scheme_args(profile, &args.scheme)?, Some(how))
    } else {
        (config.profile(Some(wanted), &args.scheme)?, None)
    };
    if secrets.is_empty() {
        return Err(no_key_error(&profile, false));
    }
    let explain = if args.explain {
        Some(config.catalog.all()?)
    } else {
        None
    };
    Ok(VerifySettings {
        method: r.method,
        path: r.path,
        headers: r.headers,
        body: r.body,
        secrets,
        now,
        tolerance,
        profile,
        detected,
        as_of_arrival: r.arrival.filter(|_| args.now.is_none()),
        explain,
    })
}

/// The request to judge: a stored delivery's, a raw request's, or a body's.
fn request(g: &GlobalArgs, args: &VerifyArgs) -> Result<Request> {
    if let Some(key) = &args.as_of_arrival {
        return stored(g, key);
    }
    let headers = HeaderList::new();
    let (arrival, stored_profile) = (None, None);
    match (&args.request, &args.body) {
        (Some(file), _) => {
            let raw = read_input(file)?;
            let req = request_file::parse(&raw)
                .with_context(|| format!("could not read the request in `{}`", file.display()))?;
            Ok(Request {
                method: req.method,
                path: req.path,
                headers: req.headers,
                body: req.body,
                stdin_used: file.as_os_str() == "-",
                arrival,
                stored_profile,
            })
        }
        (None, Some(file)) => Ok(Request {
            method: String::from("POST"),
            path: String::from("/"),
            headers,
            body: read_input(file)?,
            stdin_used: file.as_os_str() == "-",
            arrival,
            stored_profile,
        }),
        (None, None) => Err(hinted(
            "nothing to verify: give --body FILE (with -H headers) or --request FILE",
            "`-` reads standard input, e.g. `… --body - < payload.json`",
        )),
    }
}

/// `--as-of-arrival ID`: a stored delivery, with the time it arrived (at the relay,
/// when one held it) and the path it arrived at.
fn stored(g: &GlobalArgs, key: &str) -> Result<Request> {
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
    Ok(Request {
        method: d.method,
        path,
        headers: d.headers,
        body: d.body,
        stdin_used: false,
        arrival: Some(at),
        stored_profile: d.profile,
    })
}

/// `-H` headers, in order. `-H @FILE` reads `Name: value` lines from a file (what
/// `sign` prints), up to the first blank line.
fn add_headers(headers: &mut HeaderList, given: &[String]) -> Result<()> {
    for h in given {
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
    Ok(())
}

/// The profile a request's headers (and, when they fit several, the secrets given)
/// single out, and how it was found.
fn detect(
    config: &Config,
    all: &[Profile],
    req: &Received,
    opts: &VerifyOptions,
) -> Result<(Profile, String)> {
    if opts.secrets.is_empty()
        && let Some(p) = crate::envelope::catalog::detect_among(all, req.headers)
    {
        return Err(no_key_error(p, false));
    }
    match detect_verified(all, req, opts) {
        Detected::None => {
            // Every header hookctl knows, not only the ones that were tried.
            let looked: Vec<String> = config
                .catalog
                .all()?
                .iter()
                .filter_map(|p| p.signature.as_ref().map(|s| s.header.clone()))
                .collect();
            Err(hinted(
                "could not detect the profile: the request has no signature header hookctl knows",
                format!(
                    "looked for {}; name the profile with --profile",
                    looked.join(", ")
                ),
            ))
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
            Ok((profile.clone(), how))
        }
        Detected::Ambiguous { verified, tried } => {
            let what = if verified.is_empty() {
                "none verified with the secrets given".to_string()
            } else {
                format!("several verified ({})", verified.join(", "))
            };
            Err(hinted(
                format!(
                    "could not tell the profile: the headers fit {}, and {what}",
                    tried.join(", ")
                ),
                "a header's name does not say which algorithm signed; name the profile with --profile",
            ))
        }
    }
}
