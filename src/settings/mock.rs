//! `hookctl mock`: the provider to play, where the app is (or the address to serve
//! the registration API on), its secrets, events and clock, checked.

use crate::cli::{GlobalArgs, MockArgs};
use crate::envelope::{GivenData, Profile, Secret};
use crate::hint::hinted;
use crate::mock::{Answer, Confirm};
use crate::settings::{Config, SecretRequest, read_data, signing_secrets};
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::time::Duration;

/// What `mock` runs with.
pub struct MockSettings {
    pub profile: Profile,
    /// Empty when a registration brings its own.
    pub secrets: Vec<Secret>,
    pub verify_token: String,
    /// The events to send after the handshake, the first with `--data`'s data.
    pub events: Vec<(String, Option<GivenData>)>,
    /// `--to`: the app's URL.
    pub url: Option<reqwest::Url>,
    /// `--serve`: the address to serve the registration API on.
    pub serve: Option<String>,
    pub once: bool,
    /// `--for`: virtual time to go on playing for after the events.
    pub run_for: Option<Duration>,
    pub speed: f64,
    pub probe_signature: bool,
    pub insecure: bool,
    pub junit: Option<PathBuf>,
}

pub fn resolve(g: &GlobalArgs, args: MockArgs) -> Result<MockSettings> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(Some(&args.profile), &Default::default())?;
    crate::settings::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
    let run_for = args
        .run_for
        .as_deref()
        .map(crate::envelope::profile::parse_duration)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--for: {e}"))?;
    let via_api = check_where(&profile, &args)?;
    let needs_secret = profile
        .handshake
        .as_ref()
        .is_some_and(|h| h.challenge == "secret" || h.answer != Answer::Echo);
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
    let events = events(&profile, &args)?;
    let url = args
        .to
        .as_deref()
        .map(crate::settings::resolve_url)
        .transpose()?;
    Ok(MockSettings {
        profile,
        secrets,
        verify_token: args.verify_token,
        events,
        url,
        serve: args.serve,
        once: args.once,
        run_for,
        speed: args.speed,
        probe_signature: args.probe_signature,
        insecure: args.insecure,
        junit: args.junit,
    })
}

/// Checks that the app is named the way the provider learns it: `--to`, or a
/// registration on `--serve`'s API (the only way for a provider confirmed through
/// its API). Whether it is the API's way.
fn check_where(profile: &Profile, args: &MockArgs) -> Result<bool> {
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
    Ok(via_api)
}

/// `--event`s, checked against the profile; `--data` goes to the first (the first
/// of the catalogue's events but the handshake's when none is named).
fn events(profile: &Profile, args: &MockArgs) -> Result<Vec<(String, Option<GivenData>)>> {
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
    Ok(events)
}
