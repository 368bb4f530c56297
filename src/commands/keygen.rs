//! `hookctl keygen`: a test key pair for a profile that signs with one, the public
//! half in the form the provider hands out (Discord's hex, Telnyx's base64, SendGrid's
//! base64 SPKI, PEM). The private key goes to a file readable by its owner only, never
//! to the terminal.

use crate::cli::{GlobalArgs, KeygenArgs};
use crate::envelope::keys::{self, KeyType, PrivateKey};
use crate::envelope::schemes::KeyForm;
use crate::output::Event;
use crate::output::Output;
use crate::settings::Config;
use crate::{Exit, hinted};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
struct Generated<'a> {
    profile: &'a str,
    key_type: &'a str,
    private_key_file: String,
    public_key_file: String,
    public_key: &'a str,
}

pub fn run(g: &GlobalArgs, out: &Output, args: KeygenArgs) -> Result<Exit> {
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
    let der = keys::generate(key_type).map_err(|e| anyhow::anyhow!("{e}"))?;
    let private_pem = keys::to_pem("PRIVATE KEY", &der);
    let public = PrivateKey::parse(&private_pem)
        .and_then(|k| k.public_key())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let spki = public.to_spki_der().map_err(|e| anyhow::anyhow!("{e}"))?;
    let raw_form = key_type == KeyType::Ed25519;
    let public_text = match scheme.key_form {
        KeyForm::Hex if raw_form => hex::encode(public.raw()),
        KeyForm::Base64 if raw_form => keys::b64(public.raw()),
        KeyForm::SpkiBase64 => keys::b64(&spki),
        _ => keys::to_pem("PUBLIC KEY", &spki).trim_end().to_string(),
    };
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
    write_private(&key_file, private_pem.as_bytes())
        .with_context(|| format!("could not write `{}`", key_file.display()))?;
    std::fs::write(&pub_file, format!("{public_text}\n"))
        .with_context(|| format!("could not write `{}`", pub_file.display()))?;
    if out.json {
        out.record(
            Event::Keygen,
            &Generated {
                profile: &profile.name,
                key_type: key_type.name(),
                private_key_file: key_file.display().to_string(),
                public_key_file: pub_file.display().to_string(),
                public_key: &public_text,
            },
        )?;
    } else {
        out.line(&format!(
            "test key pair for `{}` ({}):",
            profile.name,
            key_type.name()
        ))?;
        out.line(&format!(
            "  private key: {} (sign and send take it: --private-key {})",
            key_file.display(),
            key_file.display()
        ))?;
        out.line(&format!(
            "  public key:  {} (verify and listen take it: --public-key {})",
            pub_file.display(),
            pub_file.display()
        ))?;
        out.line(&public_text)?;
    }
    Ok(Exit::Success)
}

/// Writes a file only its owner may read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)
}
