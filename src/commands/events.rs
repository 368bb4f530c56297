//! `hookctl events`: each profile's event catalogue, and the exact body of one event.

use super::EventRow;
use crate::Exit;
use crate::cli::{EventsArgs, GlobalArgs};
use crate::envelope::Profile;
use crate::output::Event;
use crate::output::{BodyJson, Output};
use crate::settings::events::{EventsSettings, Show};
use anyhow::Result;
use serde::Serialize;
use tabled::{Table, Tabled, settings::Style};

#[derive(Tabled)]
struct Row {
    profile: String,
    event: String,
    description: String,
}

#[derive(Serialize)]
struct Shown<'a> {
    profile: &'a str,
    event: &'a str,
    id: &'a str,
    timestamp: i64,
    body: BodyJson,
}

pub fn run(g: &GlobalArgs, out: &Output, args: EventsArgs) -> Result<Exit> {
    match crate::settings::events::resolve(g, args)? {
        EventsSettings::List(profiles) => render_list(out, &profiles),
        EventsSettings::Show(s) => {
            let built = show(&s)?;
            render_show(out, &s, &built)
        }
    }
}

fn render_list(out: &Output, profiles: &[Profile]) -> Result<Exit> {
    if out.json {
        for p in profiles {
            for e in p.events.values() {
                out.record(
                    Event::Event,
                    &EventRow {
                        profile: &p.name,
                        event: &e.name,
                        description: &e.description,
                        test: e.test,
                        handshake: e.handshake,
                    },
                )?;
            }
        }
    } else {
        let rows: Vec<Row> = profiles
            .iter()
            .flat_map(|p| {
                p.events.values().map(|e| Row {
                    profile: p.name.clone(),
                    event: e.name.clone(),
                    description: match (e.test, e.handshake) {
                        (true, _) => format!("{} [test event]", e.description),
                        (_, true) => format!("{} [handshake]", e.description),
                        _ => e.description.clone(),
                    },
                })
            })
            .collect();
        out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
    }
    Ok(Exit::Success)
}

/// An event as built: its id and body (indented with `--pretty`).
struct Built {
    id: String,
    body: Vec<u8>,
}

fn show(s: &Show) -> Result<Built> {
    let built = s
        .profile
        .build_event(&s.event, None, s.id.clone(), s.timestamp)?;
    let body = if s.pretty {
        let v: serde_json::Value = serde_json::from_slice(&built.body)?;
        serde_json::to_vec_pretty(&v)?
    } else {
        built.body
    };
    Ok(Built { id: built.id, body })
}

fn render_show(out: &Output, s: &Show, built: &Built) -> Result<Exit> {
    if out.json {
        out.record(
            Event::Event,
            &Shown {
                profile: &s.profile.name,
                event: &s.event,
                id: &built.id,
                timestamp: s.timestamp,
                body: BodyJson::new(&built.body),
            },
        )?;
    } else {
        // The exact bytes when piped (`events show … > body.json`); a final newline
        // only for a person reading a terminal.
        out.bytes(&built.body)?;
        if out.stdout_is_terminal() {
            out.line("")?;
        }
    }
    Ok(Exit::Success)
}
