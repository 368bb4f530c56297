//! `hookctl ui`: the web inspector ([`crate::ui`]) over the store.

use crate::Exit;
use crate::cli::{GlobalArgs, UiArgs};
use crate::output::Event;
use crate::output::Output;
use crate::settings::ui::UiSettings;
use crate::ui::{OnWarning, open_browser, start};
use anyhow::Result;
use std::time::Duration;

pub fn run(g: &GlobalArgs, out: &Output, args: UiArgs) -> Result<Exit> {
    let s = crate::settings::ui::resolve(g, args)?;
    render_warnings(out, &s);
    serve(&s, warning_renderer(out), |url| {
        render_listening(out, &s, url)
    })?;
    Ok(Exit::Interrupted)
}

fn render_warnings(out: &Output, s: &UiSettings) {
    for w in &s.warnings {
        out.warn(w);
    }
}

/// What renders the store's warnings as the inspector meets them.
fn warning_renderer(out: &Output) -> OnWarning {
    let out = out.clone();
    Box::new(move |w| crate::output::warning::render(&out, w))
}

/// Serves the inspector until Ctrl-C or SIGTERM; the store's warnings go to
/// `on_warning`, and `listening` is told its URL once it is up.
fn serve(
    s: &UiSettings,
    on_warning: OnWarning,
    listening: impl FnOnce(&str) -> Result<()>,
) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Set before the first line says the command is up.
        let stop = crate::http::serve::stop_requested();
        let (url, serving) = start(
            &s.host,
            s.port,
            s.store.clone(),
            s.profiles.clone(),
            s.secrets.clone(),
            s.insecure,
            on_warning,
        )
        .await?;
        listening(&url)?;
        tokio::select! {
            () = serving => {}
            () = stop => {}
        }
        Ok::<_, anyhow::Error>(())
    })?;
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// The inspector's URL, and the browser opened on it with `--open`.
fn render_listening(out: &Output, s: &UiSettings, url: &str) -> Result<()> {
    let path = &s.store;
    if out.json {
        out.record(
            Event::Listening,
            &crate::output::listen::Listening {
                url,
                store: Some(&path.display().to_string()),
                ..Default::default()
            },
        )?;
    } else {
        let e = out.err();
        out.note(&format!(
            "{} {}  {}",
            e.ok("inspector on"),
            e.strong(url),
            e.dim(&format!("store {}", path.display()))
        ));
        out.note(&e.dim("Ctrl-C to stop"));
    }
    if s.open {
        open_browser(out, url);
    }
    Ok(())
}
