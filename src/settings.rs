//! Flags + environment + `hookctl.toml` + profiles → what a command runs with.

use crate::cli::{AlgorithmArg, EncodingArg, SchemeArgs, SecretArgs, SecretEncodingArg};
use crate::envelope::catalog::valid_name;
use crate::envelope::profile::{Algorithm, Encoding, ProfileDef, SignatureDef};
use crate::envelope::secret::SecretEncoding;
use crate::envelope::{Catalog, Profile, Secret};
use crate::{Hinted, hinted};
use anyhow::{Context, Result, bail};
use indexmap::IndexMap;
use serde::Deserialize;
use std::io::{IsTerminal, Read};
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

/// Applies `--signature-header` & co. to a profile.
pub fn apply_scheme_args(profile: Profile, args: &SchemeArgs) -> Result<Profile> {
    let changes = args.signature_header.is_some()
        || args.signature_format.is_some()
        || args.signed.is_some()
        || args.algorithm.is_some()
        || args.encoding.is_some()
        || args.secret_encoding.is_some();
    if !changes {
        return Ok(profile);
    }
    let mut def: ProfileDef = profile.def.clone();
    let sig = def.signature.get_or_insert_with(|| SignatureDef {
        signed: Some("{body}".into()),
        ..SignatureDef::default()
    });
    if let Some(s) = &args.signed {
        sig.signed = Some(s.clone());
    }
    if let Some(a) = args.algorithm {
        sig.algorithm = Some(match a {
            AlgorithmArg::HmacSha256 => Algorithm::HmacSha256,
            AlgorithmArg::HmacSha1 => Algorithm::HmacSha1,
            AlgorithmArg::HmacSha512 => Algorithm::HmacSha512,
        });
    }
    if let Some(e) = args.encoding {
        sig.encoding = Some(match e {
            EncodingArg::Hex => Encoding::Hex,
            EncodingArg::Base64 => Encoding::Base64,
            EncodingArg::Base64url => Encoding::Base64Url,
        });
    }
    if let Some(e) = args.secret_encoding {
        sig.secret = Some(match e {
            SecretEncodingArg::Raw => SecretEncoding::Raw,
            SecretEncodingArg::Whsec => SecretEncoding::Whsec,
            SecretEncodingArg::Base64 => SecretEncoding::Base64,
            SecretEncodingArg::Hex => SecretEncoding::Hex,
            SecretEncodingArg::WhsecOrRaw => SecretEncoding::WhsecOrRaw,
        });
    }
    if args.signature_header.is_some() || args.signature_format.is_some() {
        let at = def
            .headers
            .iter()
            .position(|(_, v)| v.contains("{signature}"));
        let (old_name, old_value) = match at {
            Some(i) => {
                let (k, v) = def
                    .headers
                    .shift_remove_index(i)
                    .expect("index from position");
                (Some(k), Some(v))
            }
            None => (None, None),
        };
        let name = args
            .signature_header
            .clone()
            .or(old_name)
            .unwrap_or_else(|| "X-Signature".into());
        let value = args
            .signature_format
            .clone()
            .or(old_value)
            .unwrap_or_else(|| "{signature}".into());
        if !value.contains("{signature}") {
            bail!("--signature-format must contain `{{signature}}`, e.g. 'sha256={{signature}}'");
        }
        let at = at.unwrap_or(def.headers.len()).min(def.headers.len());
        def.headers.shift_insert(at, name, value);
    }
    Profile::compile(
        &profile.name,
        &format!("{} + command-line overrides", profile.origin),
        def,
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "the scheme overrides do not fit profile `{}`: {e}",
            profile.name
        )
    })
}

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

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("could not read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("could not read `{}`", path.display()))
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

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
        let out = crate::output::Output::new(g);
        for w in &warnings {
            crate::output::warning::render(&out, w);
        }
    }
    store
}

/// Checks a user's number against the range a flag takes (which also refuses NaN and
/// the infinities): exit 2 with the flag, the value and the range.
pub fn check_range(value: f64, range: std::ops::RangeInclusive<f64>, flag: &str) -> Result<()> {
    if !range.contains(&value) {
        let shown = if value != 0.0 && value.is_finite() && !(1e-3..1e9).contains(&value.abs()) {
            format!("{value:e}")
        } else {
            format!("{value}")
        };
        bail!(
            "{flag} {shown} is out of range: it takes {} to {}",
            range.start(),
            range.end()
        );
    }
    Ok(())
}

/// A size such as `5MiB`, `512KiB`, `10MB`, `2k` or a number of bytes.
pub fn parse_size(text: &str) -> Result<usize> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .with_context(|| format!("`{text}` is not a size (e.g. 5MiB, 512KiB, 1048576)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => bail!("`{text}`: unknown unit `{other}` (use B, KB, KiB, MB, MiB, GB, GiB)"),
    };
    Ok((n * mult) as usize)
}

/// The RFC 3339 time `text` (a duration) before now, for `--since` and `--older-than`.
pub fn rfc3339_ago(text: &str, flag: &str) -> Result<String> {
    let d = crate::envelope::profile::parse_duration(text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("could not read {flag}"))?;
    let at = std::time::SystemTime::now()
        .checked_sub(d)
        .unwrap_or(std::time::UNIX_EPOCH);
    Ok(humantime::format_rfc3339_millis(at).to_string())
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

/// A URL given for a scheme that signs it (`--url`, `--public-url`): http(s), whole.
pub fn checked_url(url: &str, flag: &str) -> Result<String> {
    let parsed =
        url::Url::parse(url).map_err(|e| anyhow::anyhow!("{flag} `{url}` is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        bail!("{flag} `{url}` is not an http:// or https:// URL");
    }
    // As given, byte for byte: the provider signed the text it had, not a normal form.
    Ok(url.to_string())
}
