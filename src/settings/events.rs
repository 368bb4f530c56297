//! `hookctl events`: which profiles' catalogues to list, or which event to show.

use crate::cli::{EventsAction, EventsArgs, GlobalArgs};
use crate::clock::now_unix;
use crate::envelope::Profile;
use crate::hint::hinted;
use crate::settings::Config;
use anyhow::Result;

/// What `events` runs with.
pub enum EventsSettings {
    /// The events of these profiles.
    List(Vec<Profile>),
    /// One event's body, built.
    Show(Box<Show>),
}

pub struct Show {
    /// The profile named, or the one that has the event; it has the event.
    pub profile: Profile,
    pub event: String,
    pub id: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// Indent the JSON.
    pub pretty: bool,
}

pub fn resolve(g: &GlobalArgs, args: EventsArgs) -> Result<EventsSettings> {
    let config = Config::load(g.config.as_deref())?;
    let name = args.profile.as_deref().or(config.default_profile());
    Ok(match args.action.unwrap_or(EventsAction::List) {
        EventsAction::List => EventsSettings::List(match name {
            Some(n) => vec![config.catalog.get(n)?],
            None => config.catalog.all()?,
        }),
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
            EventsSettings::Show(Box::new(Show {
                profile,
                event,
                id,
                timestamp: timestamp.unwrap_or_else(now_unix),
                pretty,
            }))
        }
    })
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
