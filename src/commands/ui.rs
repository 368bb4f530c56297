//! `hookctl ui`: the web inspector ([`crate::ui`]) over the store.

use crate::Exit;
use crate::cli::{GlobalArgs, UiArgs};
use crate::output::Event;
use crate::output::Output;
use crate::settings::{Config, SecretRequest, secrets, store_path};
use crate::ui::{open_browser, start};
use anyhow::Result;
use std::time::Duration;

pub fn run(g: &GlobalArgs, out: &Output, args: UiArgs) -> Result<Exit> {
    let path = store_path(g, "the inspector")?;
    let config = Config::load(g.config.as_deref())?;
    let profiles = config.catalog.all()?;
    let secrets = secrets(&SecretRequest {
        args: &args.secrets,
        config: &config,
        stdin_used: false,
    })?;
    if secrets.is_empty() {
        out.warn(
            "no secret given: verdicts are the recorded ones, and replays cannot be re-signed",
        );
    }
    let ip: Result<std::net::IpAddr, _> = args.host.parse();
    if !ip.is_ok_and(|ip| ip.is_loopback()) && args.host != "localhost" {
        out.warn(&format!(
            "the inspector on {} can be reached from other machines: it shows every delivery, bodies included, to whoever has the URL below (it carries this run's token; keep it to yourself)",
            args.host
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Set before the first line says the command is up (see `crate::sigterm`).
        let terminate = crate::sigterm();
        let (url, serving) = start(
            &args.host,
            args.port,
            path.clone(),
            profiles,
            secrets,
            args.insecure,
            {
                let out = out.clone();
                Box::new(move |w| crate::output::warning::render(&out, w))
            },
        )
        .await?;
        if out.json {
            out.record(
                Event::Listening,
                &serde_json::json!({"url": url, "store": path.display().to_string()}),
            )?;
        } else {
            let e = out.err();
            out.note(&format!(
                "{} {}  {}",
                e.ok("inspector on"),
                e.strong(&url),
                e.dim(&format!("store {}", path.display()))
            ));
            out.note(&e.dim("Ctrl-C to stop"));
        }
        if args.open {
            open_browser(out, &url);
        }
        tokio::select! {
            () = serving => {}
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
        }
        Ok::<_, anyhow::Error>(())
    })?;
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(Exit::Interrupted)
}
