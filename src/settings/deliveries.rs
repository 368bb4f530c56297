//! `hookctl deliveries`: which store, which sub-action, and its filter, typed.

use crate::cli::{
    DeliveriesAction, DeliveriesArgs, DeliveryFilter, DeliveryState, DirectionArg, GlobalArgs,
};
use crate::settings::{require_store, rfc3339_ago, store_path};
use crate::store::{Filter, Store};
use anyhow::Result;

/// What `deliveries` runs with: the store opened, and one sub-action.
pub struct DeliveriesSettings {
    pub store: Store,
    /// The store's path, to open it again once some command has made it (`--follow`).
    pub path: std::path::PathBuf,
    pub action: Action,
}

/// A sub-action with its values checked.
pub enum Action {
    List {
        filter: Filter,
        /// Then each new delivery the filter (less its limit) selects, until Ctrl-C.
        follow: bool,
    },
    Show {
        id: String,
        raw: bool,
    },
    Export {
        filter: Filter,
        har: bool,
    },
    Prune {
        /// As typed, for the report.
        older_than: String,
        /// The RFC 3339 time it stands for.
        before: String,
    },
}

pub fn resolve(g: &GlobalArgs, args: DeliveriesArgs) -> Result<DeliveriesSettings> {
    let store = require_store(g, "deliveries")?;
    let path = store_path(g, "deliveries")?;
    let action = match args.action.unwrap_or(DeliveriesAction::List {
        filter: DeliveryFilter::default(),
        limit: 50,
        follow: false,
    }) {
        DeliveriesAction::List {
            filter: f,
            limit,
            follow,
        } => Action::List {
            filter: filter(&f, Some(limit))?,
            follow,
        },
        DeliveriesAction::Show { id, raw } => Action::Show { id, raw },
        DeliveriesAction::Export { filter: f, har } => {
            let mut filter = filter(&f, None)?;
            // Oldest first, as a browser's HAR is.
            filter.oldest_first = har;
            Action::Export { filter, har }
        }
        DeliveriesAction::Prune { older_than } => Action::Prune {
            before: rfc3339_ago(&older_than, "--older-than")?,
            older_than,
        },
    };
    Ok(DeliveriesSettings {
        store,
        path,
        action,
    })
}

/// The store's filter for the flags that choose deliveries.
fn filter(f: &DeliveryFilter, limit: Option<u64>) -> Result<Filter> {
    Ok(Filter {
        state: f.status.map(|s| {
            match s {
                DeliveryState::Pending => "pending",
                DeliveryState::Delivered => "delivered",
                DeliveryState::Failed => "failed",
            }
            .to_string()
        }),
        event: f
            .event
            .as_deref()
            .map(crate::glob::EventGlob::new)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        direction: f
            .direction
            .map(|d| if d == DirectionArg::In { "in" } else { "out" }.to_string()),
        since: f
            .since
            .as_deref()
            .map(|s| rfc3339_ago(s, "--since"))
            .transpose()?,
        limit,
        profile: f.profile.clone(),
        ..Filter::default()
    })
}
