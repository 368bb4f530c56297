//! `hookctl keygen`: the profile's key type and public-key form, and the two files
//! to write (which must not exist, unless `--force`).

use crate::cli::{GlobalArgs, KeygenArgs};
use crate::envelope::keys::KeyType;
use crate::envelope::schemes::KeyForm;
use crate::hint::hinted;
use crate::settings::Config;
use anyhow::{Context, Result};
use std::path::PathBuf;

/// What `keygen` runs with.
pub struct KeygenSettings {
    pub profile: String,
    pub key_type: KeyType,
    /// The form the provider hands its public key out in.
    pub key_form: KeyForm,
    /// Where the private key goes (`PREFIX.key`).
    pub key_file: PathBuf,
    /// Where the public key goes (`PREFIX.pub`).
    pub pub_file: PathBuf,
}

pub fn resolve(g: &GlobalArgs, args: KeygenArgs) -> Result<KeygenSettings> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.catalog.get(&args.profile)?;
    let Some(scheme) = profile.signature.as_ref().filter(|s| s.uses_key_pair()) else {
        return Err(hinted(
            format!(
                "profile `{}` signs with a shared secret, not a key pair: there is no key to make",
                profile.name
            ),
            "keygen is for Ed25519, ECDSA, RSA and JWT ES256/RS256 profiles (`hookctl profiles` shows each one's scheme)",
        ));
    };
    let key_type = scheme
        .asym_alg()
        .map(|a| a.key_type())
        .context("the profile names no asymmetric algorithm")?;
    let prefix = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(&profile.name));
    let with_ext = |ext: &str| {
        let mut p = prefix.clone().into_os_string();
        p.push(ext);
        PathBuf::from(p)
    };
    let (key_file, pub_file) = (with_ext(".key"), with_ext(".pub"));
    for f in [&key_file, &pub_file] {
        if f.exists() && !args.force {
            return Err(hinted(
                format!("`{}` exists already; nothing was written", f.display()),
                "pass --force to overwrite it, or --output PREFIX for other names",
            ));
        }
    }
    Ok(KeygenSettings {
        key_form: scheme.key_form,
        profile: profile.name,
        key_type,
        key_file,
        pub_file,
    })
}
