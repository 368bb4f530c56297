//! `replay`'s flags and the store → the deliveries chosen, where they go, and the
//! secrets each profile is re-signed with. Every check of what was typed, and every
//! refusal before anything is sent, happens here.

use super::{
    Config, Given, SecretRequest, require_store, resolve_url, rfc3339_ago, secrets_in_force,
};
use crate::cli::{GlobalArgs, ReplayArgs};
use crate::envelope::{Profile, Secret};
use crate::hint::hinted;
use crate::show::{escape, id_list, plural};
use crate::store::{Store, StoredDelivery};
use anyhow::{Context, Result, bail};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

pub struct ReplaySettings {
    pub config: Config,
    pub store: Store,
    /// What is sent again, in the order chosen; empty when nothing was left to send.
    pub chosen: Vec<StoredDelivery>,
    /// `--to`: where every replay goes (else each sent delivery's own URL).
    pub to: Option<reqwest::Url>,
    /// By profile name: the profile and the secrets it is re-signed with (`--resign`).
    pub resigned: HashMap<String, (Profile, Vec<Secret>)>,
    /// `--timeout`, else each profile's.
    pub timeout: Option<Duration>,
    pub profile: Option<String>,
    pub concurrency: usize,
    pub resign: bool,
    pub edit: bool,
    pub dry_run: bool,
    pub insecure: bool,
    /// Whether the replays are recorded (not on a read-only store, not in a dry run).
    pub record: bool,
    /// Said before anything is sent.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn resolve(g: &GlobalArgs, args: ReplayArgs) -> Result<ReplaySettings> {
    let config = Config::load(g.config.as_deref())?;
    let store = require_store(g, "replay")?;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let mut chosen = select(&store, &args, g.json, &mut notes)?;
    let to = args.to.as_deref().map(resolve_url).transpose()?;
    // `--failed` without a target and without --direction takes what it can send:
    // the received deliveries with no sent copy are left out, and said so.
    if args.failed && to.is_none() && args.direction.is_none() {
        let received: Vec<i64> = chosen
            .iter()
            .filter(|d| d.direction != "out")
            .map(|d| d.id)
            .collect();
        if !received.is_empty() {
            notes.push(format!(
                "left out {} received by `listen` with no sent copy ({}): they have no target of their own; pass --to URL to send them to your app",
                plural(received.len() as u64, "failed delivery", "failed deliveries"),
                id_list(&received, 10)
            ));
            chosen.retain(|d| d.direction == "out");
        }
    }
    // Said before anything is sent: a received delivery has no target of its own.
    let received: Vec<i64> = chosen
        .iter()
        .filter(|d| d.direction != "out")
        .map(|d| d.id)
        .collect();
    if to.is_none() && !received.is_empty() {
        return Err(hinted(
            format!(
                "{} received by `listen` ({}), so without a target of their own",
                if received.len() == 1 {
                    "a delivery was"
                } else {
                    "deliveries were"
                },
                id_list(&received, 10)
            ),
            "pass --to URL (your app), or --direction out for the ones you sent",
        ));
    }
    let resigned = if args.resign && !chosen.is_empty() {
        resign_secrets(&chosen, &args, &config)?
    } else {
        HashMap::new()
    };
    let record = !store.is_read_only() && !args.dry_run;
    if store.is_read_only() && !args.dry_run && !chosen.is_empty() {
        warnings.push(format!(
            "the store `{}` is read-only: the replays are sent but not recorded",
            store.path().display()
        ));
    }
    let timeout = args.timeout;
    Ok(ReplaySettings {
        config,
        store,
        chosen,
        to,
        resigned,
        timeout,
        profile: args.profile,
        concurrency: args.concurrency.max(1),
        resign: args.resign,
        edit: args.edit,
        dry_run: args.dry_run,
        insecure: args.insecure,
        record,
        notes,
        warnings,
    })
}

/// `--status` of `replay --failed`: the last answer's status, as a code, a class or
/// none at all.
enum StatusFilter {
    Code(u16),
    Class(u16),
    NoAnswer,
}

impl StatusFilter {
    fn parse(text: &str) -> Result<StatusFilter> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            hinted(
                format!("could not read --status `{}`", escape(text)),
                "give a status code (500), a class (5xx) or `none` (no answer at all)",
            )
        };
        if t == "none" {
            return Ok(StatusFilter::NoAnswer);
        }
        if let Some(c) = t.strip_suffix("xx") {
            return match c.parse::<u16>() {
                Ok(c @ 1..=5) => Ok(StatusFilter::Class(c)),
                _ => Err(bad()),
            };
        }
        match t.parse::<u16>() {
            Ok(c @ 100..=599) => Ok(StatusFilter::Code(c)),
            _ => Err(bad()),
        }
    }

    fn matches(&self, status: Option<u16>) -> bool {
        match (self, status) {
            (StatusFilter::Code(c), Some(s)) => *c == s,
            (StatusFilter::Class(c), Some(s)) => s / 100 == *c,
            (StatusFilter::NoAnswer, None) => true,
            _ => false,
        }
    }
}

fn direction_name(d: crate::cli::DirectionArg) -> &'static str {
    if d == crate::cli::DirectionArg::In {
        "in"
    } else {
        "out"
    }
}

/// The record an id given on the command line means. A store id is that row. A
/// provider's delivery id can match many (what `send` sent, what `listen` received,
/// retries, replays and the copies a replay left in a listening store): the original
/// is taken, i.e. not a replay, the sent record before a received one (it knows its
/// target), the oldest first; `--direction` narrows the choice. When several matched,
/// it says which it took and how to take another.
fn pick(
    store: &Store,
    key: &str,
    direction: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<StoredDelivery> {
    if let Ok(id) = key.trim().parse::<i64>()
        && let Some((d, _)) = store.get(id)?
    {
        return Ok(d);
    }
    let mut all = store.timeline(key)?;
    all.retain(|d| direction.is_none_or(|dir| d.direction == dir));
    all.sort_by_key(|d| (d.replay_of.is_some(), d.direction == "in", d.id));
    let Some(first) = all.first().cloned() else {
        return Err(hinted(
            format!(
                "no delivery `{}`{} in the store",
                escape(key),
                direction
                    .map(|d| format!(" with --direction {d}"))
                    .unwrap_or_default()
            ),
            "`hookctl deliveries list` shows store ids and delivery ids",
        ));
    };
    if all.len() > 1 {
        let others: Vec<i64> = all[1..].iter().map(|d| d.id).collect();
        notes.push(format!(
            "delivery id `{}` matches {}: took #{} ({} by {}{}); the others are {}. To take another, give its store id{}",
            escape(key),
            plural(all.len() as u64, "record", "records"),
            first.id,
            if first.direction == "out" { "sent" } else { "received" },
            first.source,
            first
                .replay_of
                .map(|o| format!(", a replay of #{o}"))
                .unwrap_or_default(),
            id_list(&others, 10),
            if direction.is_none() {
                ", or --direction in|out"
            } else {
                ""
            }
        ));
    }
    Ok(first)
}

fn select(
    store: &Store,
    args: &ReplayArgs,
    json: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<StoredDelivery>> {
    let direction = args.direction.map(direction_name);
    if !args.ids.is_empty() {
        return args
            .ids
            .iter()
            .map(|id| pick(store, id, direction, notes))
            .collect();
    }
    let since = args
        .since
        .as_deref()
        .map(|s| rfc3339_ago(s, "--since"))
        .transpose()?;
    let event = args
        .event
        .as_deref()
        .map(crate::glob::EventGlob::new)
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("could not read --event")?;
    let status = args
        .status
        .as_deref()
        .map(StatusFilter::parse)
        .transpose()?;
    let mut failed = store.failed_deliveries(direction, since.as_deref(), event.as_ref())?;
    failed.retain(|d| {
        args.profile
            .as_deref()
            .is_none_or(|p| d.profile.as_deref() == Some(p))
            && status.as_ref().is_none_or(|s| s.matches(d.last_status))
    });
    if args.failed {
        return Ok(failed);
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !json {
        if failed.is_empty() {
            bail!("no failed deliveries to replay");
        }
        let shown: Vec<String> = failed
            .iter()
            .map(|d| {
                format!(
                    "{:>5}  {}  {}  {}",
                    d.id,
                    &d.created_at[..19.min(d.created_at.len())],
                    d.event.as_deref().unwrap_or("-"),
                    d.last_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into())
                )
            })
            .collect();
        let chosen = dialoguer::MultiSelect::with_theme(&dialoguer::theme::SimpleTheme)
            .with_prompt("Failed deliveries to send again (space selects, enter sends)")
            .items(&shown)
            .interact()
            .context("could not ask which deliveries to replay")?;
        return Ok(chosen.into_iter().map(|i| failed[i].clone()).collect());
    }
    Err(hinted(
        "nothing to replay: give delivery ids, or --failed",
        "`hookctl deliveries list --status failed` shows the failed ones",
    ))
}

/// The secrets each profile of the chosen deliveries is re-signed with. A secret
/// named for a profile (`--secret-env stripe=NAME`, `[secret.profiles]`) is used for
/// that profile only. One given for no profile in particular is used for one profile
/// only too: the `--profile` given, or the one every chosen delivery has. Any other
/// profile with a signature and no secret of its own is refused before anything is
/// sent, so no delivery goes out signed with another provider's secret.
fn resign_secrets(
    chosen: &[StoredDelivery],
    args: &ReplayArgs,
    config: &Config,
) -> Result<HashMap<String, (Profile, Vec<Secret>)>> {
    let mut by_profile: IndexMap<String, Vec<i64>> = IndexMap::new();
    let mut none = Vec::new();
    for d in chosen {
        match args.profile.as_deref().or(d.profile.as_deref()) {
            Some(p) => by_profile.entry(p.to_string()).or_default().push(d.id),
            None => none.push(d.id),
        }
    }
    if !none.is_empty() {
        return Err(hinted(
            format!(
                "{} no profile to re-sign with: {}",
                if none.len() == 1 {
                    "a delivery has"
                } else {
                    "deliveries have"
                },
                id_list(&none, 10)
            ),
            "pass --profile NAME",
        ));
    }
    let unscoped_for = match (&args.profile, by_profile.len()) {
        (Some(p), _) => Some(p.clone()),
        (None, 1) => by_profile.keys().next().cloned(),
        _ => None,
    };
    let mut found = HashMap::new();
    let mut missing: Vec<String> = Vec::new();
    for (name, ids) in &by_profile {
        let p = config
            .catalog
            .get(name)
            .with_context(|| format!("could not load the profile of delivery {}", ids[0]))?;
        if p.signature.is_none() {
            found.insert(name.clone(), (p, Vec::new()));
            continue;
        }
        let mine = unscoped_for.as_deref() == Some(name);
        let (secrets, given) = secrets_in_force(
            &SecretRequest {
                args: &args.secrets,
                config,
                // Asked for on a terminal only for the one profile a secret given
                // for none can be meant for.
                stdin_used: !mine,
            },
            Some(name),
        )?;
        if secrets.is_empty() && mine {
            return Err(crate::settings::no_secret_error());
        }
        if secrets.is_empty() || (given == Given::ForAny && !mine) {
            missing.push(format!("{name} ({})", id_list(ids, 5)));
            continue;
        }
        found.insert(name.clone(), (p, secrets));
    }
    if !missing.is_empty() {
        return Err(hinted(
            format!(
                "--resign: no secret was given for {}: {}; nothing was sent",
                if missing.len() == 1 {
                    "this profile"
                } else {
                    "these profiles"
                },
                missing.join(", ")
            ),
            "a secret given for no profile signs one profile only (the --profile given, or the only one chosen); name the profile for each, e.g. `--secret-env stripe=STRIPE_WEBHOOK_SECRET`, or `[secret.profiles]` in hookctl.toml, or narrow the choice with --profile NAME",
        ));
    }
    Ok(found)
}
