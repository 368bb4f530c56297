//! `listen`'s flags, `[listen]` in hookctl.toml and the profiles → the receiver's
//! configuration and how it is served (locally or through a relay, TLS, limits,
//! the inspector beside it). Every check of what was typed happens here.

use super::{Config, SecretRequest, apply_scheme_args, secrets};
use crate::cli::{GlobalArgs, ListenArgs};
use crate::envelope::{Profile, Secret};
use crate::http::serve::TlsFrom;
use crate::inbound::{ReceiverConfig, Route, Script};
use crate::relay::client::ClientConfig;
use crate::show::escape;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::time::Duration;

pub enum ListenSettings {
    /// `--print-token`: the token this machine keeps for a relay channel.
    PrintToken {
        relay: reqwest::Url,
        channel: Option<String>,
    },
    Serve(Box<Serve>),
}

pub struct Serve {
    pub receiver: ReceiverConfig,
    pub how: Serving,
}

/// How the receiver is served.
pub struct Serving {
    /// `auto`, or the profile's name.
    pub profile_label: String,
    pub host: String,
    pub port: u16,
    pub tls: TlsFrom,
    pub max_body: usize,
    pub read_timeout: Duration,
    pub max_connections: usize,
    /// `--timeout` (with `--wait-for`): give up after this long.
    pub wait_timeout: Option<Duration>,
    /// `--relay`: served through a relay channel instead of a local port.
    pub relay: Option<ClientConfig>,
    /// `--ui`: the inspector beside the listener.
    pub ui: Option<UiSetup>,
    /// `--fail-first`, for the notes before the first delivery.
    pub fail_first: u32,
    pub warnings: Vec<String>,
}

/// The inspector beside the listener: every profile, to verify what others record.
pub struct UiSetup {
    pub path: PathBuf,
    pub profiles: Vec<Profile>,
    pub secrets: Vec<Secret>,
    pub port: u16,
}

pub fn resolve(g: &GlobalArgs, args: ListenArgs) -> Result<ListenSettings> {
    if args.print_token {
        let first = args.relay.as_deref().unwrap_or_default().split(',').next();
        let relay = super::resolve_url(first.unwrap_or_default().trim())
            .context("could not read --relay")?;
        return Ok(ListenSettings::PrintToken {
            relay,
            channel: args.channel,
        });
    }
    super::check_range(args.speed, crate::envelope::retry::SPEEDS, "--speed")?;
    let config = Config::load(g.config.as_deref())?;
    let wanted = args
        .profile
        .as_deref()
        .or(config.default_profile())
        .unwrap_or("auto")
        .to_string();
    let auto = wanted == "auto";
    let profiles = if auto {
        config
            .catalog
            .all()?
            .into_iter()
            .filter(|p| p.signature.is_some())
            .collect()
    } else {
        vec![config.profile(Some(&wanted), &args.scheme)?]
    };
    if auto && (args.scheme.signature_header.is_some() || args.scheme.signed.is_some()) {
        bail!("the scheme overrides need a named --profile, not auto");
    }
    let profiles = profiles
        .into_iter()
        .map(|p| apply_scheme_args(p, &Default::default()))
        .collect::<Result<Vec<_>>>()?;
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used: false,
    })?;
    let mut warnings = Vec::new();
    if secrets.is_empty() {
        warnings.push(
            "no secret given: deliveries are shown and recorded but not verified".to_string(),
        );
    }
    let mut routes = Vec::new();
    for (glob, url) in config
        .file
        .listen
        .routes
        .iter()
        .map(|(g, u)| (g.clone(), u.clone()))
        .chain(args.routes.iter().map(|r| {
            let (g, u) = r.split_once('=').unwrap_or((r.as_str(), ""));
            (g.to_string(), u.to_string())
        }))
    {
        if glob.is_empty() || url.is_empty() {
            bail!(
                "--route `{glob}={url}` is not EVENT_GLOB=URL (e.g. 'ticket.*=http://localhost:3000/tickets')"
            );
        }
        routes.push(Route {
            glob: crate::glob::EventGlob::new(&glob)
                .map_err(anyhow::Error::msg)
                .context("could not read a route")?,
            url: super::resolve_url(&url).context("could not read a route")?,
        });
    }
    let forward = args
        .forward_to
        .as_deref()
        .map(super::resolve_url)
        .transpose()
        .context("could not read --forward-to")?;
    if !(0.0..=1.0).contains(&args.fail_rate) {
        bail!("--fail-rate is a share between 0 and 1");
    }
    for code in [args.status, args.fail_status] {
        if !(100..=599).contains(&code) {
            bail!("{code} is not an HTTP status");
        }
    }
    // 0 turns the check off.
    let tolerance = args.tolerance.map(|d| Some(d).filter(|d| !d.is_zero()));
    let max_body = args.max_body;
    // SQLite keeps a body (and the row around it) in at most 1,000,000,000 bytes.
    if !g.no_store && max_body > crate::store::MAX_BODY {
        bail!(
            "--max-body is at most 900MiB while recording (the store keeps a body in one SQLite value); add --no-store for more"
        );
    }
    let wait_timeout = args.timeout;
    let read_timeout = args.read_timeout;
    if read_timeout.is_zero() {
        bail!("--read-timeout must be more than 0");
    }
    // The provider gives up after its per-attempt timeout anyway; auto has no one
    // provider to ask.
    let forward_timeout = match args.forward_timeout {
        Some(d) if d.is_zero() => bail!("--forward-timeout must be more than 0"),
        Some(d) => d,
        None if auto => Duration::from_secs(10),
        None => profiles[0].retry.timeout,
    };
    let max_connections = match args.max_connections {
        Some(0) => bail!("--max-connections must be at least 1"),
        Some(n) => n,
        None => crate::http::server::default_max_connections(),
    };
    let host = args
        .host
        .clone()
        .or(config.file.listen.host.clone())
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = args.port.or(config.file.listen.port).unwrap_or(4242);
    let mut base_path = args
        .path
        .clone()
        .or(config.file.listen.path.clone())
        .unwrap_or_else(|| "/".into());
    if !base_path.starts_with('/') {
        base_path.insert(0, '/');
    }
    let profile_label = if auto {
        "auto".to_string()
    } else {
        profiles[0].name.clone()
    };
    // Only for hints: a profile elsewhere in hookctl.toml that does not compile is
    // not this command's concern.
    let others = if auto {
        Vec::new()
    } else {
        config
            .catalog
            .names()
            .iter()
            .filter(|n| **n != profiles[0].name)
            .filter_map(|n| config.catalog.get(n).ok())
            .filter(|p| p.signature.is_some())
            .collect()
    };
    // The inspector beside the listener: every profile, to verify what others record.
    let ui_setup = if args.ui {
        let path = super::store_path(g, "--ui")?;
        Some(UiSetup {
            path,
            profiles: config.catalog.all()?,
            secrets: secrets.clone(),
            port: args.ui_port,
        })
    } else {
        None
    };
    let receiver = ReceiverConfig {
        profiles,
        others,
        auto,
        secrets,
        tolerance,
        base_path: base_path.clone(),
        forward: forward.clone(),
        routes,
        script: Script {
            status: args.status,
            fail_first: args.fail_first,
            fail_rate: args.fail_rate,
            fail_status: args.fail_status,
            delay: args.delay,
            retry_after: args.retry_after,
        },
        accept_invalid: args.accept_invalid,
        forward_timeout,
        wait_for: args
            .wait_for
            .as_deref()
            .map(crate::glob::EventGlob::new)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("could not read --wait-for")?,
        verbose: g.verbose > 0,
        public_url: args
            .public_url
            .as_deref()
            .map(|u| super::checked_url(u, "--public-url"))
            .transpose()?,
    };
    let tls = match (&args.tls_cert, &args.tls_key, args.tls) {
        (Some(c), Some(k), _) => TlsFrom::Files {
            cert: c.clone(),
            key: k.clone(),
        },
        (_, _, true) => TlsFrom::SelfSigned,
        _ => TlsFrom::Off,
    };
    if args.relay.is_some() && max_body > 1 << 30 {
        bail!("--max-body is at most 1GiB with --relay (a delivery crosses the link in one frame)");
    }
    let relay = match &args.relay {
        Some(u) => Some(crate::relay::client::ClientConfig {
            // Nodes of one relay cluster, comma-separated: tried in turn.
            relay: super::resolve_url(u.split(',').next().unwrap_or_default().trim())
                .context("could not read --relay")?,
            also: u
                .split(',')
                .skip(1)
                .map(|n| super::resolve_url(n.trim()).context("could not read --relay"))
                .collect::<Result<_>>()?,
            channel: match &args.channel {
                Some(c) if !crate::relay::server::valid_channel(c) => bail!(
                    "--channel `{}` is not a channel name (1 to 63 lowercase letters, digits and dashes)",
                    escape(c)
                ),
                c => c.clone(),
            },
            token: std::env::var("HOOKCTL_RELAY_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
            key: args.relay_key.clone(),
            insecure: args.insecure,
            max_body,
            speed: args.speed,
        }),
        None => None,
    };

    Ok(ListenSettings::Serve(Box::new(Serve {
        receiver,
        how: Serving {
            profile_label,
            host,
            port,
            tls,
            max_body,
            read_timeout,
            max_connections,
            wait_timeout,
            relay,
            ui: ui_setup,
            fail_first: args.fail_first,
            warnings,
        },
    })))
}
