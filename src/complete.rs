//! Dynamic shell completion (`source <(COMPLETE=bash hookctl)`): the command tree
//! with candidates for profile and event names, which come from the built-in
//! catalogue and the nearest hookctl.toml. Attached here, at start-up, so that the
//! clap definitions in `cli` import nothing that reads configuration.

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

/// The whole command tree, with the dynamic candidates attached to every argument
/// that names a profile (`profile`, `profiles show NAME`) or an event (`event`).
pub fn command() -> clap::Command {
    attach(crate::cli::Cli::command())
}

fn attach(mut cmd: clap::Command) -> clap::Command {
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .filter_map(|a| {
            let id = a.get_id().as_str();
            let names = a.get_value_names().unwrap_or_default();
            let profile = id == "profile" || names.iter().any(|n| n.as_str() == "PROFILE");
            let event = id == "event";
            (profile || event).then(|| (id.to_string(), profile))
        })
        .collect();
    for (id, profile) in ids {
        cmd = cmd.mut_arg(id, |a| {
            if profile {
                a.add(ArgValueCandidates::new(profile_candidates))
            } else {
                a.add(ArgValueCandidates::new(event_candidates))
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, attach);
    }
    cmd
}

/// The profiles known here (built-in, and the nearest hookctl.toml's), for the shell.
pub fn profile_candidates() -> Vec<CompletionCandidate> {
    let Ok(config) = crate::settings::Config::load(None) else {
        return Vec::new();
    };
    let mut out = vec![
        CompletionCandidate::new("auto").help(Some("detect the provider from the headers".into())),
    ];
    for name in config.catalog.names() {
        let help = config.catalog.get(&name).ok().map(|p| p.description.into());
        out.push(CompletionCandidate::new(name).help(help));
    }
    out
}

/// The profile named on the command line being completed (`-p NAME`, `-pNAME`,
/// `--profile NAME`, `--profile=NAME`). The shell runs `hookctl -- hookctl WORDS…`
/// (COMPLETE set), so the words are this process's own arguments after `--`.
fn profile_on_line(words: &[String]) -> Option<String> {
    let mut last = None;
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        if w == "-p" || w == "--profile" {
            last = it.peek().map(|v| v.to_string());
        } else if let Some(v) = w.strip_prefix("--profile=") {
            last = Some(v.to_string());
        } else if let Some(v) = w
            .strip_prefix("-p")
            .filter(|v| !v.is_empty() && !w.starts_with("--"))
        {
            last = Some(v.to_string());
        }
    }
    last.filter(|p| !p.is_empty() && p != "auto")
}

/// The events to offer: the chosen profile's (`-p` on the line being completed, else
/// hookctl.toml's `[send].profile` or `profile`), or every profile's when none is.
pub fn event_candidates() -> Vec<CompletionCandidate> {
    let Ok(config) = crate::settings::Config::load(None) else {
        return Vec::new();
    };
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let chosen = profile_on_line(&words)
        .or_else(|| config.file.send.profile.clone())
        .or_else(|| config.file.profile.clone())
        .and_then(|p| config.catalog.get(&p).ok());
    let profiles: Vec<crate::envelope::Profile> = match chosen {
        Some(p) => vec![p],
        None => config
            .catalog
            .names()
            .iter()
            .filter_map(|n| config.catalog.get(n).ok())
            .collect(),
    };
    let mut seen = std::collections::BTreeMap::new();
    for p in profiles {
        for e in p.events.values() {
            seen.entry(e.name.clone())
                .or_insert_with(|| format!("{}: {}", p.name, e.description));
        }
    }
    seen.into_iter()
        .map(|(name, help)| CompletionCandidate::new(name).help(Some(help.into())))
        .collect()
}
