//! `completions/` and `man/` must match what the clap definitions render now, and
//! `docs/providers.md` what the built-in profiles say.
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
    check(
        &root.join("docs").join("providers.md"),
        hookctl::providers_doc::providers_doc().as_bytes(),
        &mut stale,
    );
    assert!(
        stale.is_empty(),
        "stale generated files: {}\nrefresh them with: HOOKCTL_BLESS=1 cargo test --test generated",
        stale.join(", ")
    );
}

/// The commands `docs/providers.md` shows for each provider work as shown: the
/// example secret decodes under the profile's rule and the event is in its catalogue.
#[test]
fn provider_page_examples_are_valid() {
    use hookctl::providers_doc::{example_event, example_secret_for};
    for p in hookctl::envelope::Catalog::builtin().all().unwrap() {
        let Some(scheme) = &p.signature else { continue };
        let Some(text) = example_secret_for(&p, scheme) else {
            continue;
        };
        let secret = hookctl::envelope::Secret::new(text, "docs").unwrap();
        if p.scheme_family().starts_with("hmac-") {
            scheme.key(&secret).unwrap();
        }
        let event = example_event(&p).unwrap();
        assert!(p.events.contains_key(event), "{}", p.name);
    }
    // and one of them, run for real
    let dir = tempfile::TempDir::new().unwrap();
    let o = assert_cmd::Command::cargo_bin("hookctl")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("HOOKCTL_CONFIG")
        .args([
            "sign",
            "-p",
            "close",
            "-e",
            "lead.created",
            "--secret",
            "00112233445566778899aabbccddeeff",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
