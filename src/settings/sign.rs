//! `hookctl sign`: the profile, its secrets, the body (or the event whose sample to
//! build) and the request's method, path and time, resolved.

use crate::cli::{GlobalArgs, SignArgs};
use crate::clock::now_unix;
use crate::envelope::{Profile, Secret};
use crate::hint::hinted;
use crate::settings::{Config, SecretRequest, read_input, signing_secrets};
use anyhow::Result;

/// What to sign.
pub enum Input {
    /// `--body`: these bytes.
    Body(Vec<u8>),
    /// No `--body`: this event's sample body, built (the event is in the profile).
    Sample(String),
}

/// What `sign` runs with.
pub struct SignSettings {
    pub profile: Profile,
    pub secrets: Vec<Secret>,
    pub input: Input,
    /// `--event`.
    pub event: Option<String>,
    /// `--id`.
    pub id: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    pub method: String,
    /// The path (or, with `--url`, the whole URL) the request goes to.
    pub target: String,
    /// `--explain`: say the bytes that were signed.
    pub explain: bool,
}

pub fn resolve(g: &GlobalArgs, args: SignArgs) -> Result<SignSettings> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &args.scheme)?;
    let stdin_used = args.body.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let secrets = signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config: &config,
            stdin_used,
        },
        &profile,
    )?;
    let timestamp = args.timestamp.unwrap_or_else(now_unix);
    let input = match (&args.body, &args.event) {
        (Some(path), _) => Input::Body(read_input(path)?),
        (None, None) => {
            return Err(hinted(
                "nothing to sign: give --body FILE (or - for standard input), or --event to sign its sample body",
                format!(
                    "`hookctl events --profile {}` lists the events",
                    profile.name
                ),
            ));
        }
        (None, Some(event)) => {
            profile.event(event).map_err(anyhow::Error::msg)?;
            Input::Sample(event.clone())
        }
    };
    let target = match &args.url {
        Some(url) => crate::settings::checked_url(url, "--url")?,
        None => args.path,
    };
    Ok(SignSettings {
        profile,
        secrets,
        input,
        event: args.event,
        id: args.id,
        timestamp,
        method: args.method,
        target,
        explain: args.explain,
    })
}
