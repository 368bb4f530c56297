//! `hookctl ui`: the store to show, the profiles and secrets to judge and re-sign
//! with, and where to serve the inspector.

use crate::cli::{GlobalArgs, UiArgs};
use crate::envelope::{Profile, Secret};
use crate::settings::{Config, SecretRequest, secrets, store_path};
use anyhow::Result;
use std::path::PathBuf;

/// What `ui` runs with.
pub struct UiSettings {
    /// The store's path (the inspector opens it itself).
    pub store: PathBuf,
    pub profiles: Vec<Profile>,
    pub secrets: Vec<Secret>,
    pub host: String,
    pub port: u16,
    /// Open the inspector in a browser once it is up.
    pub open: bool,
    /// Accept any TLS certificate when replaying.
    pub insecure: bool,
    /// Said before the inspector starts.
    pub warnings: Vec<String>,
}

pub fn resolve(g: &GlobalArgs, args: UiArgs) -> Result<UiSettings> {
    let store = store_path(g, "the inspector")?;
    let config = Config::load(g.config.as_deref())?;
    let profiles = config.catalog.all()?;
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used: false,
    })?;
    let mut warnings = Vec::new();
    if secrets.is_empty() {
        warnings.push(
            "no secret given: verdicts are the recorded ones, and replays cannot be re-signed"
                .to_string(),
        );
    }
    let ip: Result<std::net::IpAddr, _> = args.host.parse();
    if !ip.is_ok_and(|ip| ip.is_loopback()) && args.host != "localhost" {
        warnings.push(format!(
            "the inspector on {} can be reached from other machines: it shows every delivery, bodies included, to whoever has the URL below (it carries this run's token; keep it to yourself)",
            args.host
        ));
    }
    Ok(UiSettings {
        store,
        profiles,
        secrets,
        host: args.host,
        port: args.port,
        open: args.open,
        insecure: args.insecure,
        warnings,
    })
}
