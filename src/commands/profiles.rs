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
                // Notes are long prose: written as multi-line strings, wrapped, with the
                // same value (a line-ending backslash joins the lines back).
                let mut def = p.def.clone();
                let notes = std::mem::take(&mut def.notes);
                let mut text =
                    toml::to_string(&def).context("could not render the profile as TOML")?;
                if !notes.is_empty() {
                    let at = text
                        .find("\nid = ")
                        .or_else(|| text.find("\n\n"))
                        .map_or(text.len(), |i| i + 1);
                    text.insert_str(at, &notes_toml(&notes));
                }
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

/// The widest a line of a note is written.
const NOTE_WIDTH: usize = 88;

/// `notes = [...]` as TOML with each note a multi-line basic string, wrapped at
/// spaces; every line but the last ends in a backslash, which TOML reads as joining
/// it to the next with the spaces between left out, so the value is the note as it is.
fn notes_toml(notes: &[String]) -> String {
    let mut out = String::from("notes = [\n");
    for note in notes {
        let mut escaped = String::with_capacity(note.len());
        for c in note.chars() {
            match c {
                '\\' => escaped.push_str("\\\\"),
                '"' => escaped.push_str("\\\""),
                c if c.is_control() => escaped.push_str(&format!("\\u{:04X}", c as u32)),
                c => escaped.push(c),
            }
        }
        out.push_str("  \"\"\"\\\n");
        let mut line = String::new();
        for word in escaped.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > NOTE_WIDTH - 4 {
                // The space stays on this line, before the backslash.
                out.push_str(&format!("  {line} \\\n"));
                line.clear();
            } else if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&format!("  {line}\"\"\",\n"));
    }
    out.push_str("]\n");
    out
}
