//! `completions/` and `man/` must match what the clap definitions render now.
//! Refresh them with `HOOKCTL_BLESS=1 cargo test --test generated`.

use clap::CommandFactory;
use std::path::Path;

fn check(path: &Path, fresh: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("HOOKCTL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(old) if old == fresh => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn cli_definition_is_consistent() {
    hookctl::cli::Cli::command().debug_assert();
}

#[test]
fn completions_and_man_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (shell, file) in hookctl::generate::SHELLS {
        check(
            &root.join("completions").join(file),
            &hookctl::generate::completion(shell),
            &mut stale,
        );
    }
    let pages = hookctl::generate::man_pages();
    for (name, page) in &pages {
        check(&root.join("man").join(name), page, &mut stale);
    }
    // no page left over from a removed subcommand
    if std::env::var_os("HOOKCTL_BLESS").is_none() {
        for entry in std::fs::read_dir(root.join("man")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !pages.iter().any(|(n, _)| *n == name) {
                stale.push(format!("man/{name} (no such command any more)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {}\nrefresh them with: HOOKCTL_BLESS=1 cargo test --test generated",
        stale.join(", ")
    );
}
