//! `hookctl init`: write a commented hookctl.toml. It asks where the secret comes
//! from, never for the secret itself, so no secret value can end up in the file.

use crate::Exit;
use crate::cli::{GlobalArgs, InitArgs};
use crate::output::Output;
use crate::settings::Config;
use crate::settings::init::{InitSettings, SecretSource};
use anyhow::{Context, Result};

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn run(g: &GlobalArgs, out: &Output, args: InitArgs) -> Result<Exit> {
    let s = crate::settings::init::resolve(g, args)?;
    write(&s)?;
    render(out, &s)
}

/// The file's text: the settings, with commented examples of what else it can say.
fn config_text(s: &InitSettings) -> String {
    let route_glob = match s.event.split_once('.') {
        Some((head, _)) => format!("{head}.*"),
        None => s.event.clone(),
    };
    let secret_block = match &s.source {
        SecretSource::Env(e) => format!("[secret]\n# The secret is read from this environment variable; it is never written here.\nenv = {}\n", toml_str(e)),
        SecretSource::File(f) => format!("[secret]\n# The secret is read from this file (one per line; keep it out of version control).\nfile = {}\n", toml_str(f)),
        SecretSource::Prompt => "# No [secret]: hookctl asks for the secret on the terminal (hidden).\n# [secret]\n# env = \"MY_WEBHOOK_SECRET\"\n".to_string(),
    };
    format!(
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
        profile = toml_str(&s.profile),
        name = s.profile,
        route = toml_str(&route_glob),
        event = toml_str(&s.event),
        port = s.port,
    )
}

/// Writes the file, once it is known to read back.
fn write(s: &InitSettings) -> Result<()> {
    let text = config_text(s);
    Config::parse(&text, "the generated file")
        .context("hookctl wrote a configuration it cannot read (a bug)")?;
    std::fs::write(&s.output, text)
        .with_context(|| format!("could not write `{}`", s.output.display()))
}

fn render(out: &Output, s: &InitSettings) -> Result<Exit> {
    out.note(&format!("wrote {}", s.output.display()));
    Ok(Exit::Success)
}
