//! Which store a command records in or reads, and how it is opened.

use crate::hint::{Hinted, hinted};
use anyhow::{Context, Result};

/// The store to record in: `--store`, `HOOKCTL_STORE`, or the default; none with
/// `--no-store`.
pub fn open_store(g: &crate::cli::GlobalArgs) -> Result<Option<crate::store::Store>> {
    if g.no_store {
        return Ok(None);
    }
    let path = g
        .store
        .clone()
        .unwrap_or_else(crate::store::Store::default_path);
    let opened = crate::store::Store::open(&path).map_err(|e| {
        let corrupt = matches!(e, crate::store::StoreError::Corrupt { .. });
        let err = anyhow::Error::new(e).context("could not open the delivery store");
        if corrupt {
            err.context(Hinted {
                message: "the delivery store is unusable; nothing was sent".into(),
                hint: "move the file away, or pass --store PATH or --no-store".into(),
            })
        } else {
            err
        }
    })?;
    Ok(Some(with_warnings_shown(g, opened)))
}

/// Renders what the store had to say on opening (see `store::StoreWarning`).
fn with_warnings_shown(
    g: &crate::cli::GlobalArgs,
    mut store: crate::store::Store,
) -> crate::store::Store {
    let warnings = store.take_warnings();
    if !warnings.is_empty() {
        let out = crate::output::Output::new(g.output_options());
        for w in &warnings {
            crate::output::warning::render(&out, w);
        }
    }
    store
}

/// The store, for commands that only read or replay what it holds.
/// The store's path, for a command that only reads it (or shows it, as the web
/// inspector does); an error with `--no-store`.
pub fn store_path(g: &crate::cli::GlobalArgs, what: &str) -> Result<std::path::PathBuf> {
    if g.no_store {
        return Err(hinted(
            format!("{what} reads the store: --no-store leaves nothing to read"),
            "drop --no-store, or name one with --store PATH",
        ));
    }
    Ok(g.store
        .clone()
        .unwrap_or_else(crate::store::Store::default_path))
}

pub fn require_store(g: &crate::cli::GlobalArgs, what: &str) -> Result<crate::store::Store> {
    if g.no_store {
        return Err(hinted(
            format!("{what} reads the store: --no-store leaves nothing to read"),
            "drop --no-store, or name one with --store PATH",
        ));
    }
    let path = g
        .store
        .clone()
        .unwrap_or_else(crate::store::Store::default_path);
    let store =
        crate::store::Store::open_existing(&path).context("could not open the delivery store")?;
    Ok(with_warnings_shown(g, store))
}
