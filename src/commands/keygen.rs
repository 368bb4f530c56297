//! `hookctl keygen`: a test key pair for a profile that signs with one, the public
//! half in the form the provider hands out (Discord's hex, Telnyx's base64, SendGrid's
//! base64 SPKI, PEM). The private key goes to a file readable by its owner only, never
//! to the terminal.

use crate::Exit;
use crate::cli::{GlobalArgs, KeygenArgs};
use crate::envelope::keys::{self, KeyType, PrivateKey};
use crate::envelope::schemes::KeyForm;
use crate::output::Event;
use crate::output::Output;
use crate::settings::keygen::KeygenSettings;
use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Serialize)]
struct Generated<'a> {
    profile: &'a str,
    key_type: &'a str,
    private_key_file: String,
    public_key_file: String,
    public_key: &'a str,
}

pub fn run(g: &GlobalArgs, out: &Output, args: KeygenArgs) -> Result<Exit> {
    let s = crate::settings::keygen::resolve(g, args)?;
    let public_text = keygen(&s)?;
    render(out, &s, &public_text)
}

/// Makes the key pair and writes both files; the public key's text.
fn keygen(s: &KeygenSettings) -> Result<String> {
    let der = keys::generate(s.key_type).map_err(|e| anyhow::anyhow!("{e}"))?;
    let private_pem = keys::to_pem("PRIVATE KEY", &der);
    let public = PrivateKey::parse(&private_pem)
        .and_then(|k| k.public_key())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let spki = public.to_spki_der().map_err(|e| anyhow::anyhow!("{e}"))?;
    let raw_form = s.key_type == KeyType::Ed25519;
    let public_text = match s.key_form {
        KeyForm::Hex if raw_form => hex::encode(public.raw()),
        KeyForm::Base64 if raw_form => keys::b64(public.raw()),
        KeyForm::SpkiBase64 => keys::b64(&spki),
        _ => keys::to_pem("PUBLIC KEY", &spki).trim_end().to_string(),
    };
    write_private(&s.key_file, private_pem.as_bytes())
        .with_context(|| format!("could not write `{}`", s.key_file.display()))?;
    std::fs::write(&s.pub_file, format!("{public_text}\n"))
        .with_context(|| format!("could not write `{}`", s.pub_file.display()))?;
    Ok(public_text)
}

fn render(out: &Output, s: &KeygenSettings, public_text: &str) -> Result<Exit> {
    let (key_file, pub_file) = (&s.key_file, &s.pub_file);
    if out.json {
        out.record(
            Event::Keygen,
            &Generated {
                profile: &s.profile,
                key_type: s.key_type.name(),
                private_key_file: key_file.display().to_string(),
                public_key_file: pub_file.display().to_string(),
                public_key: public_text,
            },
        )?;
    } else {
        out.line(&format!(
            "test key pair for `{}` ({}):",
            s.profile,
            s.key_type.name()
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
        out.line(public_text)?;
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
