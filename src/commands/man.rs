//! `hookctl man`: the man pages, written where `man` finds them.
//!
//! The default is `man/` under the user's data directory (`~/.local/share/man` on
//! Linux): man-db searches it for a user whose PATH holds `~/.local/bin`, where
//! `cargo install` and most user installs put binaries. A page already there is
//! replaced; nothing else in the directory is touched.

use crate::Exit;
use crate::cli::ManArgs;
use crate::output::Event;
use crate::output::{Output, plural};
use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Serialize)]
struct Installed {
    dir: String,
    pages: usize,
}

pub fn run(out: &Output, args: ManArgs) -> Result<Exit> {
    let root = match args.dir {
        Some(d) => d,
        None => dirs::data_dir()
            .context("could not find the user's data directory: pass --dir DIR")?
            .join("man"),
    };
    let section = root.join("man1");
    std::fs::create_dir_all(&section)
        .with_context(|| format!("could not make `{}`", section.display()))?;
    let pages = crate::generate::man_pages();
    for (name, page) in &pages {
        let path = section.join(name);
        std::fs::write(&path, page)
            .with_context(|| format!("could not write `{}`", path.display()))?;
    }
    if out.json {
        out.record(
            Event::Man,
            &Installed {
                dir: section.display().to_string(),
                pages: pages.len(),
            },
        )?;
    } else {
        out.line(&format!(
            "wrote {} to {}",
            plural(pages.len() as u64, "man page", "man pages"),
            section.display()
        ))?;
        out.note(&out.err().dim(&format!(
            "`man hookctl` finds them when {} is on MANPATH (or ~/.local/bin on PATH); try `man -M {} hookctl`",
            root.display(),
            root.display()
        )));
    }
    Ok(Exit::Success)
}
