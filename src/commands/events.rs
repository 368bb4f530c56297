//! `hookctl events`: each profile's event catalogue, and the exact body of one event.

use super::EventRow;
use crate::cli::{EventsAction, EventsArgs, GlobalArgs};
use crate::clock::now_unix;
use crate::envelope::Profile;
use crate::output::Event;
use crate::output::{BodyJson, Output};
use crate::settings::Config;
use crate::{Exit, hinted};
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
    let config = Config::load(g.config.as_deref())?;
    let name = args.profile.as_deref().or(config.default_profile());
    match args.action.unwrap_or(EventsAction::List) {
        EventsAction::List => {
            let profiles = match name {
                Some(n) => vec![config.catalog.get(n)?],
                None => config.catalog.all()?,
            };
            if out.json {
                for p in &profiles {
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
        }
        EventsAction::Show {
            event,
            id,
            timestamp,
            pretty,
        } => {
            let profile = match name {
                Some(n) => config.catalog.get(n)?,
                None => owner_of(&config, &event)?,
            };
            profile.event(&event).map_err(anyhow::Error::msg)?;
            let ts = timestamp.unwrap_or_else(now_unix);
            let built = profile.build_event(&event, None, id, ts)?;
            let body = if pretty {
                let v: serde_json::Value = serde_json::from_slice(&built.body)?;
                serde_json::to_vec_pretty(&v)?
            } else {
                built.body.clone()
            };
            if out.json {
                out.record(
                    Event::Event,
                    &Shown {
                        profile: &profile.name,
                        event: &event,
                        id: &built.id,
                        timestamp: ts,
                        body: BodyJson::new(&body),
                    },
                )?;
            } else {
                // The exact bytes when piped (`events show … > body.json`); a final
                // newline only for a person reading a terminal.
                out.bytes(&body)?;
                if out.stdout_is_terminal() {
                    out.line("")?;
                }
            }
        }
    }
    Ok(Exit::Success)
}

/// The one profile that has an event, when no profile is named.
fn owner_of(config: &Config, event: &str) -> Result<Profile> {
    let mut owners: Vec<Profile> = config
        .catalog
        .all()?
        .into_iter()
        .filter(|p| p.events.contains_key(event))
        .collect();
    match owners.len() {
        1 => Ok(owners.remove(0)),
        0 => Err(hinted(
            format!("no profile has an event `{event}`"),
            "`hookctl events` lists every profile's events",
        )),
        _ => {
            let names: Vec<&str> = owners.iter().map(|p| p.name.as_str()).collect();
            Err(hinted(
                format!(
                    "several profiles have an event `{event}`: {}",
                    names.join(", ")
                ),
                "name one with --profile",
            ))
        }
    }
}
