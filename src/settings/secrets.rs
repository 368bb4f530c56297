//! Secrets and keys: flags, environment, `hookctl.toml`, a hidden prompt, in that
//! order; never shown whole.

use super::config::Config;
use crate::cli::SecretArgs;
use crate::envelope::catalog::valid_name;
use crate::envelope::{Catalog, Secret};
use crate::hint::hinted;
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::path::Path;

/// Everything that asks for a secret goes through here.
pub struct SecretRequest<'a> {
    pub args: &'a SecretArgs,
    pub config: &'a Config,
    /// Whether standard input already carries the body (no prompt then).
    pub stdin_used: bool,
}

/// The environment variable the README, the help and `hookctl init` suggest for a
/// profile's secret: `STRIPE_WEBHOOK_SECRET` (as Stripe's own tools name it),
/// `GH_SECRET`, `HL_SECRET`, else the profile's name in capitals and `_SECRET`
/// (`AGENTBOT_SECRET`).
pub fn secret_env_name(profile: &str) -> String {
    match profile {
        "stripe" => "STRIPE_WEBHOOK_SECRET".into(),
        "github" => "GH_SECRET".into(),
        "hyperleap" => "HL_SECRET".into(),
        p => format!("{}_SECRET", p.to_uppercase().replace('-', "_")),
    }
}

/// A secret flag's value split into the profile it is given for, when it names one:
/// `stripe=STRIPE_WEBHOOK_SECRET`. Only a known profile's name counts, so a secret
/// that happens to hold `=` is not mistaken for one.
fn scoped<'a>(text: &'a str, catalog: &Catalog) -> (Option<&'a str>, &'a str) {
    match text.split_once('=') {
        Some((p, rest)) if valid_name(p) && catalog.get(p).is_ok() => (Some(p), rest),
        _ => (None, text),
    }
}

/// The secrets in force for every profile at once (verifying whatever comes in):
/// flags first (scoped or not), then `HOOKCTL_SECRET`, then hookctl.toml's `[secret]`,
/// then a hidden prompt on a terminal. An empty list when none is found and none could
/// be asked for; the caller decides whether that is an error.
pub fn secrets(req: &SecretRequest) -> Result<Vec<Secret>> {
    Ok(secrets_in_force(req, None)?.0)
}

/// Where a profile's secrets came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    /// Named for this profile: `--secret-env stripe=NAME`, `[secret.profiles] stripe`.
    ForProfile,
    /// Given for no profile in particular (`--secret-env NAME`, `HOOKCTL_SECRET`,
    /// `[secret]`, the prompt).
    ForAny,
}

/// The secrets for `profile` (or, for `None`, every secret the flags give) and how
/// they were given. Order: flags named for the profile, then flags for no profile,
/// then `HOOKCTL_SECRET`, then `[secret.profiles]` for it, then `[secret]`, then a
/// hidden prompt on a terminal (unless `stdin_used`).
pub fn secrets_in_force(
    req: &SecretRequest,
    profile: Option<&str>,
) -> Result<(Vec<Secret>, Given)> {
    let catalog = &req.config.catalog;
    let args = req.args;
    let (mut named, mut any) = (Vec::new(), Vec::new());
    let mut put = |scope: Option<&str>, s: Vec<Secret>| match (scope, profile) {
        (Some(p), Some(want)) if p == want => named.extend(s),
        (Some(_), Some(_)) => {}
        _ => any.extend(s),
    };
    for (i, text) in args.secret.iter().enumerate() {
        let (scope, value) = scoped(text, catalog);
        let s = Secret::new(value, format!("--secret #{}", i + 1))
            .context("could not use the secret given with --secret")?;
        put(scope, vec![s]);
    }
    for text in &args.secret_env {
        // `=` is never part of a variable's name: what comes before it names a profile.
        let (scope, name) = scoped(text, catalog);
        if scope.is_none()
            && let Some((p, _)) = text.split_once('=')
            && valid_name(p)
            && !looks_like_a_secret(p)
        {
            return Err(hinted(
                format!("could not load the signing secret (--secret-env): no profile `{p}`"),
                "--secret-env takes NAME or PROFILE=NAME; `hookctl profiles` lists the profiles",
            ));
        }
        put(scope, vec![secret_from_env(name, "--secret-env")?]);
    }
    for text in &args.secret_file {
        let (scope, path) = match text.to_str().map(|t| scoped(t, catalog)) {
            Some((Some(p), path)) => (Some(p), Path::new(path)),
            _ => (None, text.as_path()),
        };
        put(scope, secrets_from_file(path, "--secret-file")?);
    }
    // Keys (`--private-key`, `--public-key`) are given for no profile in particular.
    put(None, keys(args)?);
    if !named.is_empty() {
        return Ok((named, Given::ForProfile));
    }
    if !any.is_empty() {
        return Ok((any, Given::ForAny));
    }
    if let Ok(v) = std::env::var("HOOKCTL_SECRET")
        && !v.is_empty()
    {
        return Ok((
            vec![Secret::new(v, "environment variable `HOOKCTL_SECRET`")?],
            Given::ForAny,
        ));
    }
    let cfg = &req.config.file.secret;
    let origin = req
        .config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let base = req
        .config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    if let Some(p) = profile
        && let Some(src) = cfg.profiles.get(p)
    {
        let via = format!("`secret.profiles.{p}` in {origin}");
        if let Some(name) = &src.env {
            return Ok((vec![secret_from_env(name, &via)?], Given::ForProfile));
        }
        if let Some(path) = &src.file {
            return Ok((
                secrets_from_file(&base.join(path), &via)?,
                Given::ForProfile,
            ));
        }
    }
    if let Some(name) = &cfg.env {
        return Ok((
            vec![secret_from_env(name, &format!("`secret.env` in {origin}"))?],
            Given::ForAny,
        ));
    }
    if let Some(path) = &cfg.file {
        return Ok((
            secrets_from_file(&base.join(path), &format!("`secret.file` in {origin}"))?,
            Given::ForAny,
        ));
    }
    if !req.stdin_used && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let text = dialoguer::Password::new()
            .with_prompt(match profile {
                Some(p) => format!("Signing secret for {p} (hidden)"),
                None => "Signing secret (hidden)".to_string(),
            })
            .interact()
            .context("could not read the secret from the terminal")?;
        if !text.is_empty() {
            return Ok((
                vec![Secret::new(text, "the terminal prompt")?],
                Given::ForAny,
            ));
        }
    }
    Ok((Vec::new(), Given::ForAny))
}

/// The keys of `--private-key`, `--public-key` and their `-env` forms, as secrets of
/// their kind (they travel the same way; a scheme takes the kind it needs).
fn keys(args: &SecretArgs) -> Result<Vec<Secret>> {
    use crate::envelope::secret::SecretKind;
    let mut out = Vec::new();
    let text_of = |bytes: Vec<u8>, what: &str| -> Result<String> {
        String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{what} is not text (give the key as PEM, hex or base64)"))
    };
    for path in &args.private_key {
        let shown = shown_name(&path.display().to_string());
        let what = format!("--private-key `{shown}`");
        let bytes = read_key_file(path).with_context(|| format!("could not read {what}"))?;
        out.push(Secret::key_text(
            text_of(bytes, &what)?,
            what,
            SecretKind::PrivateKey,
        )?);
    }
    for name in &args.private_key_env {
        let s = secret_from_env(name, "--private-key-env")?;
        out.push(Secret::key_text(
            s.expose().to_string(),
            s.source().to_string(),
            SecretKind::PrivateKey,
        )?);
    }
    for (i, given) in args.public_key.iter().enumerate() {
        let path = Path::new(given);
        let (text, what) = if !given.trim_start().starts_with("-----") && path.is_file() {
            let what = format!("--public-key `{}`", shown_name(given));
            let bytes = read_key_file(path).with_context(|| format!("could not read {what}"))?;
            (text_of(bytes, &what)?, what)
        } else {
            (given.clone(), format!("--public-key #{}", i + 1))
        };
        // A file may hold several keys (a rotation): PEM blocks, or one a line.
        let keys = split_keys(&text);
        let several = keys.len() > 1;
        for (k, key) in keys.into_iter().enumerate() {
            let source = if several {
                format!("{what} key {}", k + 1)
            } else {
                what.clone()
            };
            out.push(Secret::key_text(key, source, SecretKind::PublicKey)?);
        }
    }
    for name in &args.public_key_env {
        let s = secret_from_env(name, "--public-key-env")?;
        out.push(Secret::key_text(
            s.expose().to_string(),
            s.source().to_string(),
            SecretKind::PublicKey,
        )?);
    }
    Ok(out)
}

/// The keys in a text: each PEM block, or else each non-empty line that is not a
/// comment; the text whole when it is neither.
fn split_keys(text: &str) -> Vec<String> {
    if text.matches("-----BEGIN").count() > 1
        && let Ok(blocks) = pem::parse_many(text)
        && blocks.len() > 1
    {
        return blocks
            .iter()
            .map(|b| crate::envelope::keys::to_pem(b.tag(), b.contents()))
            .collect();
    }
    if !text.contains("-----BEGIN") {
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        if lines.len() > 1 {
            return lines;
        }
    }
    vec![text.to_string()]
}

/// A key file (or `-`), at most 1 MiB: a key is a few KiB, and a path to something
/// endless (`/dev/zero`) must not fill the memory.
fn read_key_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    const MAX: u64 = 1 << 20;
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path)?)
    };
    reader.take(MAX + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX {
        bail!("it is over 1 MiB, far more than any key");
    }
    Ok(bytes)
}

/// What to say when a profile has nothing to sign or verify with.
pub fn no_key_error(profile: &crate::envelope::Profile, signing: bool) -> anyhow::Error {
    match &profile.signature {
        Some(s) if !s.algorithm.is_hmac() => hinted(
            format!(
                "profile `{}` has no key to {} with",
                profile.name,
                if signing { "sign" } else { "verify" }
            ),
            format!(
                "it {} with {}{}",
                if signing { "signs" } else { "verifies" },
                crate::envelope::schemes::key_needed(s, signing),
                if s.uses_key_pair() && signing {
                    let rsa = s
                        .asym_alg()
                        .is_some_and(|a| a.key_type() == crate::envelope::keys::KeyType::Rsa);
                    if rsa {
                        "; make a test key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem`".to_string()
                    } else {
                        format!("; `hookctl keygen -p {}` makes a test pair", profile.name)
                    }
                } else {
                    String::new()
                }
            ),
        ),
        _ => no_secret_error(),
    }
}

/// The secrets for signing with `profile`: an error when it signs and none was found
/// (a profile whose signature is optional signs nothing then).
pub fn signing_secrets(
    req: &SecretRequest,
    profile: &crate::envelope::Profile,
) -> Result<Vec<Secret>> {
    let (found, _) = secrets_in_force(req, Some(&profile.name))?;
    if found.is_empty() && profile.signature.as_ref().is_some_and(|s| !s.optional) {
        return Err(no_key_error(profile, true));
    }
    Ok(found)
}

pub fn no_secret_error() -> anyhow::Error {
    hinted(
        "no signing secret: none of --secret, --secret-env, --secret-file, HOOKCTL_SECRET or hookctl.toml's [secret] gave one",
        "pass `--secret-env NAME` or `--secret-file PATH`, or set HOOKCTL_SECRET",
    )
}

/// Whether text given where a name goes (`--secret-env NAME`, `--secret-file PATH`)
/// looks like a secret typed there by mistake: a known secret prefix, base64 padding,
/// or a long run that mixes cases and digits (or is all hex). Such text is shown as a
/// short prefix, never whole.
pub fn looks_like_a_secret(text: &str) -> bool {
    if ["whsec_", "sk_", "shpss_", "xoxb-", "ghp_"]
        .iter()
        .any(|p| text.starts_with(p))
        || text.contains('=')
        || text.contains('+')
        || text.chars().any(char::is_whitespace)
    {
        return true;
    }
    text.split(['/', '.', '-', '_']).any(|part| {
        let n = part.chars().count();
        let upper = part.chars().any(|c| c.is_ascii_uppercase());
        let lower = part.chars().any(|c| c.is_ascii_lowercase());
        let digit = part.chars().any(|c| c.is_ascii_digit());
        (n >= 16 && upper && lower && digit)
            || (n >= 32 && (upper as u8 + lower as u8 + digit as u8) >= 2)
            || (n >= 24 && part.chars().all(|c| c.is_ascii_hexdigit()))
    })
}

/// A name or path as an error may show it: whole, or as a short prefix when it looks
/// like a secret.
fn shown_name(text: &str) -> String {
    if looks_like_a_secret(text) {
        Secret::new(text, "").map_or_else(|_| "…".into(), |s| s.hint())
    } else {
        text.to_string()
    }
}

fn secret_from_env(name: &str, via: &str) -> Result<Secret> {
    if name.is_empty() {
        bail!("could not load the signing secret ({via}): the variable's name is empty");
    }
    // A variable that exists is used, whatever its name looks like.
    if std::env::var_os(name).is_none() && looks_like_a_secret(name) {
        return Err(hinted(
            format!(
                "could not load the signing secret ({via}): `{}` is not an environment variable's name",
                shown_name(name)
            ),
            "--secret-env takes the NAME of a variable that holds the secret; pass the secret itself with --secret, or export it and name the variable",
        ));
    }
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v, format!("environment variable `{name}`"))?),
        Ok(_) => Err(hinted(
            format!("could not load the signing secret ({via})"),
            format!("environment variable `{name}` is empty; export it with the secret"),
        )),
        Err(_) => Err(hinted(
            format!(
                "could not load the signing secret ({via}): environment variable `{name}` is not set"
            ),
            format!("export {name}=… or pass `--secret-file PATH`"),
        )),
    }
}

fn secrets_from_file(path: &Path, via: &str) -> Result<Vec<Secret>> {
    let shown = shown_name(&path.display().to_string());
    let text = std::fs::read_to_string(path).map_err(|e| {
        let message =
            format!("could not load the signing secret ({via}): could not read `{shown}`: {e}");
        if looks_like_a_secret(&path.display().to_string()) {
            hinted(
                message,
                "--secret-file takes the PATH of a file that holds the secret; pass the secret itself with --secret",
            )
        } else {
            anyhow::Error::msg(message)
        }
    })?;
    let secrets: Vec<Secret> = text
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| Secret::new(l, format!("file `{shown}` line {}", i + 1)))
        .collect::<Result<_, _>>()?;
    if secrets.is_empty() {
        bail!("could not load the signing secret ({via}): `{shown}` holds no secret");
    }
    Ok(secrets)
}
