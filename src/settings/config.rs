//! `hookctl.toml`: its model, where it is found, and the profiles it makes known.

use super::scheme::apply_scheme_args;
use crate::cli::SchemeArgs;
use crate::envelope::catalog::valid_name;
use crate::envelope::profile::ProfileDef;
use crate::envelope::{Catalog, Profile};
use crate::hint::hinted;
use anyhow::{Context, Result};
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_NAME: &str = "hookctl.toml";

/// `hookctl.toml`, checked field by field so that a mistake is reported with its line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile commands use when `--profile` is not given.
    pub profile: Option<String>,
    #[serde(default)]
    pub secret: SecretConfig,
    #[serde(default)]
    pub listen: ListenConfig,
    #[serde(default)]
    pub send: SendConfig,
    #[serde(default)]
    pub profiles: IndexMap<String, ProfileDef>,
}

/// `[send]`: what `send` (and `simulate --to`) uses when its flags do not say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendConfig {
    /// The URL to send to (`--to`).
    pub to: Option<String>,
    /// The profile (`--profile`), before the top-level `profile`.
    pub profile: Option<String>,
    /// The event (`--event`).
    pub event: Option<String>,
}

/// Where the secret comes from when no flag says. Never the secret itself.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretConfig {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
    /// `[secret.profiles]`: a source per profile (`stripe = { env = "STRIPE_WEBHOOK_SECRET" }`),
    /// used for that profile before `env`/`file` above.
    #[serde(default)]
    pub profiles: IndexMap<String, SecretSource>,
}

/// One profile's secret source in `[secret.profiles]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    /// Event glob → URL to forward to.
    #[serde(default)]
    pub routes: IndexMap<String, String>,
}

/// The configuration in force and the profiles it makes known.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub file: ConfigFile,
    pub catalog: Catalog,
}

/// The nearest `hookctl.toml` in `dir` or a folder above it.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_NAME))
        .find(|p| p.is_file())
}

impl Config {
    /// Loads `explicit`, else the nearest `hookctl.toml`, else nothing.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => std::env::current_dir().ok().and_then(|d| find_config(&d)),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read the configuration file `{shown}`"))?;
        Config::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        let bad = || format!("the configuration file `{origin}` is not valid");
        let file: ConfigFile = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))
            .with_context(bad)?;
        let table: toml::Table = text.parse().with_context(bad)?;
        let mut user = IndexMap::new();
        if let Some(toml::Value::Table(profiles)) = table.get("profiles") {
            for (name, def) in profiles {
                if !valid_name(name) {
                    return Err(hinted(
                        format!("{}: profile name `{name}` is not valid", bad()),
                        "profile names use lower-case letters, digits, `-` and `_`",
                    ));
                }
                if let toml::Value::Table(t) = def {
                    user.insert(name.clone(), t.clone());
                }
            }
        }
        Ok(Config {
            path: Some(PathBuf::from(origin)),
            catalog: Catalog::new(user, origin),
            file,
        })
    }

    /// The profile to use: the one named, else the configured default.
    pub fn profile(&self, name: Option<&str>, scheme: &SchemeArgs) -> Result<Profile> {
        let name = match name.or(self.file.profile.as_deref()) {
            Some(n) => n,
            None => {
                return Err(hinted(
                    "no profile given",
                    "pass `--profile NAME` (`hookctl profiles` lists them) or set `profile` in hookctl.toml (`hookctl init`)",
                ));
            }
        };
        let profile = self
            .catalog
            .get(name)
            .context("could not load the profile")?;
        apply_scheme_args(profile, scheme)
    }

    pub fn default_profile(&self) -> Option<&str> {
        self.file.profile.as_deref()
    }
}
