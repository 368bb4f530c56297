//! `hookctl simulate`: the profile and, offline, what the simulated receiver answers;
//! with `--to`, the plan, store and options of a live run.

use crate::cli::{GlobalArgs, SimulateArgs};
use crate::envelope::retry::Outcome;
use crate::envelope::{HeaderList, Profile};
use crate::hint::hinted;
use crate::outbound::{DeliverOptions, Plan};
use crate::settings::{Config, SecretRequest, open_store, resolve_url, signing_secrets};
use anyhow::{Result, bail};
use std::time::Duration;

/// What `simulate` runs with.
pub struct SimulateSettings {
    /// Said before anything else (a profile without retries).
    pub notes: Vec<String>,
    /// Warned about before the timeline.
    pub warnings: Vec<String>,
    pub mode: Mode,
}

pub enum Mode {
    /// The schedule as a timeline, against a simulated receiver.
    Offline(Box<Offline>),
    /// The schedule run for real against `--to`, each attempt signed afresh.
    Live(Box<Live>),
}

pub struct Offline {
    pub profile: Profile,
    /// What each attempt meets.
    pub receiver: Receiver,
    /// The Retry-After a 429 or 503 carries.
    pub retry_after: Option<Duration>,
}

/// The simulated receiver's answers.
pub enum Receiver {
    /// `--fail-first N`: N failures (500), then a 200.
    FailFirst(usize),
    /// `--responses`, in order, the last repeating (500 every time when none).
    Responses(Vec<Outcome>),
}

impl Receiver {
    /// What attempt `n` (from 1) meets.
    pub fn outcome(&self, n: usize) -> Outcome {
        match self {
            Receiver::FailFirst(k) if n <= *k => Outcome::Status(500),
            Receiver::FailFirst(_) => Outcome::Status(200),
            Receiver::Responses(list) => match list.last() {
                None => Outcome::Status(500),
                Some(last) => list.get(n.saturating_sub(1)).copied().unwrap_or(*last),
            },
        }
    }
}

pub struct Live {
    pub plan: Plan,
    pub store: Option<crate::store::Store>,
    pub opts: DeliverOptions,
}

pub fn resolve(g: &GlobalArgs, args: SimulateArgs) -> Result<SimulateSettings> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &Default::default())?;
    let mut notes = Vec::new();
    if profile.retry.delays.is_empty() {
        notes.push(format!(
            "profile `{}`: the provider documents no retries, so a delivery gets one attempt (`hookctl profiles show {}` says more)",
            profile.name, profile.name
        ));
    }
    let mut warnings = Vec::new();
    let mode = match &args.to {
        Some(to) => Mode::Live(Box::new(live(g, &args, &config, profile, to)?)),
        None => {
            if args.retry_after.is_some() && !profile.retry.retry_after {
                warnings.push(format!(
                    "profile `{}` does not honour Retry-After: its schedule is the same with or without --retry-after",
                    profile.name
                ));
            }
            Mode::Offline(Box::new(Offline {
                receiver: receiver(&args)?,
                retry_after: args.retry_after.map(Duration::from_secs),
                profile,
            }))
        }
    };
    Ok(SimulateSettings {
        notes,
        warnings,
        mode,
    })
}

fn receiver(args: &SimulateArgs) -> Result<Receiver> {
    if let Some(k) = args.fail_first {
        return Ok(Receiver::FailFirst(k));
    }
    let responses = args
        .responses
        .iter()
        .map(|r| {
            Outcome::parse(r).ok_or_else(|| {
                anyhow::anyhow!(
                    "--responses: `{r}` is not a status (100-599), `timeout` or `connection`"
                )
            })
        })
        .collect::<Result<_>>()?;
    Ok(Receiver::Responses(responses))
}

fn live(
    g: &GlobalArgs,
    args: &SimulateArgs,
    config: &Config,
    profile: Profile,
    to: &str,
) -> Result<Live> {
    if !args.responses.is_empty() || args.fail_first.is_some() || args.retry_after.is_some() {
        bail!(
            "--responses, --fail-first and --retry-after describe a simulated receiver; with --to the receiver's real answers count"
        );
    }
    crate::settings::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
    let url = resolve_url(to)?;
    let secrets = signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config,
            stdin_used: false,
        },
        &profile,
    )?;
    let event = match &args.event {
        Some(e) => {
            profile.event(e).map_err(anyhow::Error::msg)?;
            e.clone()
        }
        None => profile
            .events
            .keys()
            .next()
            .cloned()
            .ok_or_else(|| hinted("the profile has no events", "pass --event"))?,
    };
    let opts = DeliverOptions {
        timeout: profile.retry.timeout,
        retry: true,
        speed: args.speed,
        source: "simulate",
    };
    let plan = Plan {
        profile,
        secrets,
        event,
        data: None,
        body: None,
        patches: Vec::new(),
        extra_headers: HeaderList::new(),
        method: "POST".into(),
        url,
        craft: Default::default(),
    };
    Ok(Live {
        plan,
        store: open_store(g)?,
        opts,
    })
}
