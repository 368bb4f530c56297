//! `hookctl profiles`: the provider contracts hookctl knows.

use crate::Exit;
use crate::cli::{GlobalArgs, ProfilesAction, ProfilesArgs};
use crate::envelope::Profile;
use crate::output::Output;
use crate::settings::Config;
use anyhow::{Context, Result};
use serde::Serialize;
use tabled::{Table, Tabled, settings::Style};

#[derive(Serialize, Tabled)]
struct Row {
    name: String,
    #[tabled(rename = "signature header")]
    signature_header: String,
    events: usize,
    origin: String,
    description: String,
}

#[derive(Serialize)]
struct Shown<'a> {
    name: &'a str,
    origin: &'a str,
    signature: String,
    #[serde(flatten)]
    def: &'a crate::envelope::profile::ProfileDef,
}

fn row(p: &Profile) -> Row {
    Row {
        name: p.name.clone(),
        signature_header: p
            .signature
            .as_ref()
            .map(|s| s.header.clone())
            .unwrap_or_else(|| "-".into()),
        events: p.events.len(),
        origin: p.origin.clone(),
        description: p.description.clone(),
    }
}

pub fn run(g: &GlobalArgs, out: &Output, args: ProfilesArgs) -> Result<Exit> {
    let config = Config::load(g.config.as_deref())?;
    match args.action.unwrap_or(ProfilesAction::List) {
        ProfilesAction::List => {
            let rows: Vec<Row> = config.catalog.all()?.iter().map(row).collect();
            if out.json {
                for r in &rows {
                    out.record("profile", r)?;
                }
            } else {
                out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
            }
        }
        ProfilesAction::Show { name } => {
            let p = config.catalog.get(&name)?;
            if out.json {
                out.record(
                    "profile",
                    &Shown {
                        name: &p.name,
                        origin: &p.origin,
                        signature: p.signature_summary(),
                        def: &p.def,
                    },
                )?;
            } else {
                let text =
                    toml::to_string(&p.def).context("could not render the profile as TOML")?;
                out.line(&format!(
                    "# profile `{}` ({})\n# signature: {}\n# To change it, copy what you need under [profiles.{}] in hookctl.toml.\n\n{}",
                    p.name,
                    p.origin,
                    p.signature_summary(),
                    p.name,
                    text.trim_end()
                ))?;
            }
        }
    }
    Ok(Exit::Success)
}
