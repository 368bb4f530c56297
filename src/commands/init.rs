//! `hookctl init`: write a commented hookctl.toml. It asks where the secret comes
//! from, never for the secret itself, so no secret value can end up in the file.

use crate::cli::{GlobalArgs, InitArgs};
use crate::output::Output;
use crate::settings::Config;
use crate::{Exit, hinted};
use anyhow::{Context, Result};
use std::io::IsTerminal;

enum SecretSource {
    Env(String),
    File(String),
    Prompt,
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn run(g: &GlobalArgs, out: &Output, args: InitArgs) -> Result<Exit> {
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
    let theme = dialoguer::theme::SimpleTheme;
    let names = config.catalog.names();

    let profile = match (&args.profile, interactive) {
        (Some(p), _) => p.clone(),
        (None, true) => {
            let labels: Vec<String> = config
                .catalog
                .all()?
                .iter()
                .map(|p| format!("{:<12} {}", p.name, p.description))
                .collect();
            let i = dialoguer::Select::with_theme(&theme)
                .with_prompt("Default profile")
                .items(&labels)
                .default(0)
                .interact()
                .context("could not ask for the profile")?;
            names[i].clone()
        }
        (None, false) => "standard".to_string(),
    };
    let chosen = config
        .catalog
        .get(&profile)
        .context("could not use that profile")?;
    // The examples below use one of the chosen profile's events.
    let event = chosen
        .events
        .keys()
        .find(|e| !chosen.events[*e].test && !chosen.events[*e].handshake)
        .or(chosen.events.keys().next())
        .cloned()
        .unwrap_or_else(|| "EVENT".into());
    let route_glob = match event.split_once('.') {
        Some((head, _)) => format!("{head}.*"),
        None => event.clone(),
    };

    let default_env = crate::settings::secret_env_name(&profile);
    let source = match (&args.secret_env, &args.secret_file, interactive) {
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
                        .default(default_env.clone())
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
    };

    let port = match (args.port, interactive) {
        (Some(p), _) => p,
        (None, true) => dialoguer::Input::with_theme(&theme)
            .with_prompt("Port for `hookctl listen`")
            .default(4242u16)
            .interact_text()
            .context("could not ask for the port")?,
        (None, false) => 4242,
    };

    let secret_block = match &source {
        SecretSource::Env(e) => format!("[secret]\n# The secret is read from this environment variable; it is never written here.\nenv = {}\n", toml_str(e)),
        SecretSource::File(f) => format!("[secret]\n# The secret is read from this file (one per line; keep it out of version control).\nfile = {}\n", toml_str(f)),
        SecretSource::Prompt => "# No [secret]: hookctl asks for the secret on the terminal (hidden).\n# [secret]\n# env = \"MY_WEBHOOK_SECRET\"\n".to_string(),
    };
    let text = format!(
        "# hookctl configuration (written by `hookctl init`).\n\
         # Flags override this file; HOOKCTL_SECRET overrides [secret].\n\n\
         # The profile commands use when --profile is not given (`hookctl profiles` lists them).\n\
         profile = {profile}\n\n\
         {secret_block}\n\
         [listen]\n\
         host = \"127.0.0.1\"\n\
         port = {port}\n\
         path = \"/\"\n\n\
         # Route deliveries to your app by event name (`listen --route` does the same):\n\
         # [listen.routes]\n\
         # {route} = \"http://localhost:3000/webhooks\"\n\n\
         # What `hookctl send` uses when --to, --profile or --event are not given:\n\
         # [send]\n\
         # to = \"http://localhost:3000/webhooks\"\n\
         # event = {event}\n\n\
         # Add or change a provider in the same format as the built-ins\n\
         # (`hookctl profiles show {name}` prints one):\n\
         # [profiles.{name}]\n\
         # [profiles.{name}.signature]\n\
         # tolerance = \"10m\"\n",
        profile = toml_str(&profile),
        name = profile,
        route = toml_str(&route_glob),
        event = toml_str(&event),
    );
    Config::parse(&text, "the generated file")
        .context("hookctl wrote a configuration it cannot read (a bug)")?;
    std::fs::write(&args.output, text)
        .with_context(|| format!("could not write `{}`", args.output.display()))?;
    out.note(&format!("wrote {}", args.output.display()));
    Ok(Exit::Success)
}
