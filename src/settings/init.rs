//! `hookctl init`: what goes in the new hookctl.toml — from the flags, or asked on a
//! terminal. It asks where the secret comes from, never for the secret itself.

use crate::cli::{GlobalArgs, InitArgs};
use crate::hint::hinted;
use crate::settings::Config;
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where `hookctl` is to read the signing secret from.
pub enum SecretSource {
    Env(String),
    File(String),
    Prompt,
}

/// What `init` writes, and where.
pub struct InitSettings {
    pub output: PathBuf,
    pub profile: String,
    /// One of the profile's events, for the examples in the file.
    pub event: String,
    pub source: SecretSource,
    pub port: u16,
}

pub fn resolve(g: &GlobalArgs, args: InitArgs) -> Result<InitSettings> {
    if args.output.exists() && !args.force {
        return Err(hinted(
            format!(
                "`{}` exists already; nothing was written",
                args.output.display()
            ),
            "pass --force to overwrite it",
        ));
    }
    let config = Config::load(g.config.as_deref()).unwrap_or_default();
    let interactive =
        !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let profile = profile(&config, &args, interactive)?;
    let event = example_event(&config, &profile)?;
    let source = secret_source(&args, &profile, interactive)?;
    let port = match (args.port, interactive) {
        (Some(p), _) => p,
        (None, true) => dialoguer::Input::with_theme(&dialoguer::theme::SimpleTheme)
            .with_prompt("Port for `hookctl listen`")
            .default(4242u16)
            .interact_text()
            .context("could not ask for the port")?,
        (None, false) => 4242,
    };
    Ok(InitSettings {
        output: args.output,
        profile,
        event,
        source,
        port,
    })
}

/// `--profile`, or the one chosen from the catalogue, or `standard`.
fn profile(config: &Config, args: &InitArgs, interactive: bool) -> Result<String> {
    Ok(match (&args.profile, interactive) {
        (Some(p), _) => p.clone(),
        (None, true) => {
            let names = config.catalog.names();
            let labels: Vec<String> = config
                .catalog
                .all()?
                .iter()
                .map(|p| format!("{:<12} {}", p.name, p.description))
                .collect();
            let i = dialoguer::Select::with_theme(&dialoguer::theme::SimpleTheme)
                .with_prompt("Default profile")
                .items(&labels)
                .default(0)
                .interact()
                .context("could not ask for the profile")?;
            names[i].clone()
        }
        (None, false) => "standard".to_string(),
    })
}

/// One of the chosen profile's events (neither a test nor a handshake when it has
/// one), for the examples.
fn example_event(config: &Config, profile: &str) -> Result<String> {
    let chosen = config
        .catalog
        .get(profile)
        .context("could not use that profile")?;
    Ok(chosen
        .events
        .keys()
        .find(|e| !chosen.events[*e].test && !chosen.events[*e].handshake)
        .or(chosen.events.keys().next())
        .cloned()
        .unwrap_or_else(|| "EVENT".into()))
}

/// `--secret-env`, `--secret-file`, or asked on a terminal; else the profile's
/// usual variable.
fn secret_source(args: &InitArgs, profile: &str, interactive: bool) -> Result<SecretSource> {
    let theme = dialoguer::theme::SimpleTheme;
    let default_env = crate::settings::secret_env_name(profile);
    Ok(match (&args.secret_env, &args.secret_file, interactive) {
        (Some(e), _, _) => SecretSource::Env(e.clone()),
        (_, Some(f), _) => SecretSource::File(f.display().to_string()),
        (None, None, true) => {
            let choices = [
                "an environment variable",
                "a file",
                "ask for it each time (hidden prompt)",
            ];
            match dialoguer::Select::with_theme(&theme)
                .with_prompt("Where does the signing secret come from?")
                .items(&choices)
                .default(0)
                .interact()
                .context("could not ask for the secret source")?
            {
                0 => SecretSource::Env(
                    dialoguer::Input::with_theme(&theme)
                        .with_prompt("Environment variable")
                        .default(default_env)
                        .interact_text()
                        .context("could not ask for the variable")?,
                ),
                1 => SecretSource::File(
                    dialoguer::Input::with_theme(&theme)
                        .with_prompt("File (one secret per line)")
                        .default(".webhook-secret".to_string())
                        .interact_text()
                        .context("could not ask for the file")?,
                ),
                _ => SecretSource::Prompt,
            }
        }
        (None, None, false) => SecretSource::Env(default_env),
    })
}
