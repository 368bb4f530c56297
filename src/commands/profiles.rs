//! `hookctl profiles`: the provider contracts hookctl knows.

use crate::Exit;
use crate::cli::{GlobalArgs, ProfilesArgs};
use crate::envelope::Profile;
use crate::output::Event;
use crate::output::Output;
use crate::settings::profiles::{List, ProfilesSettings};
use anyhow::{Context, Result};
use serde::Serialize;
use tabled::{Table, Tabled, settings::Style};

#[derive(Serialize, Tabled)]
struct Row {
    name: String,
    scheme: String,
    #[tabled(rename = "signature header")]
    signature_header: String,
    events: usize,
    #[tabled(skip)]
    origin: String,
    description: String,
}

/// The profiles the filter picks.
fn picked(l: List) -> Vec<Profile> {
    let (scheme, search) = (&l.scheme, &l.search);
    l.all
        .into_iter()
        .filter(|p| {
            let family = p.scheme_family();
            scheme
                .as_ref()
                .is_none_or(|w| family == *w || family.starts_with(&format!("{w}-")))
        })
        .filter(|p| {
            search.as_ref().is_none_or(|s| {
                p.name.to_lowercase().contains(s) || p.description.to_lowercase().contains(s)
            })
        })
        .collect()
}

/// The table of profiles, fitted to `width` columns: the description gives way first.
fn table(rows: Vec<Row>, width: usize) -> String {
    use tabled::settings::{Width, peaker::Priority};
    let user_defined = rows.iter().any(|r| r.origin != "built-in");
    let mut rows = rows;
    if user_defined {
        for r in &mut rows {
            if r.origin != "built-in" {
                r.name = format!("{} *", r.name);
            }
        }
    }
    let mut t = Table::new(rows);
    t.with(Style::sharp());
    t.with(
        Width::truncate(width.max(60))
            .suffix("…")
            .priority(Priority::max(true)),
    );
    let mut text = t.to_string();
    if user_defined {
        text.push_str("\n* defined or changed in the configuration file");
    }
    text
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
        scheme: p.scheme_family(),
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
    match crate::settings::profiles::resolve(g, args)? {
        ProfilesSettings::List(l) => render_list(out, &picked(l)),
        ProfilesSettings::Show(p) => render_show(out, &p),
    }
}

fn render_list(out: &Output, picked: &[Profile]) -> Result<Exit> {
    let rows: Vec<Row> = picked.iter().map(row).collect();
    if out.json {
        for r in &rows {
            out.record(Event::Profile, r)?;
        }
    } else if rows.is_empty() {
        out.line("no profile matches")?;
    } else {
        out.line(&table(rows, crate::output::terminal_width()))?;
    }
    Ok(Exit::Success)
}

fn render_show(out: &Output, p: &Profile) -> Result<Exit> {
    if out.json {
        out.record(
            Event::Profile,
            &Shown {
                name: &p.name,
                origin: &p.origin,
                signature: p.signature_summary(),
                def: &p.def,
            },
        )?;
        return Ok(Exit::Success);
    }
    // Notes are long prose: written as multi-line strings, wrapped, with the same
    // value (a line-ending backslash joins the lines back).
    let mut def = p.def.clone();
    let notes = std::mem::take(&mut def.notes);
    let mut text = toml::to_string(&def).context("could not render the profile as TOML")?;
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
