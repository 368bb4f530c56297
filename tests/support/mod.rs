//! Shared helpers for tests that drive the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

pub mod listener;
pub mod server;

/// `hookctl` in a clean environment: no secret or config from the caller, no colour,
/// run in `dir` so no stray hookctl.toml is picked up.
pub fn hookctl(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("hookctl").unwrap();
    c.current_dir(dir)
        .env_remove("HOOKCTL_SECRET")
        .env_remove("HOOKCTL_CONFIG")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(30));
    c
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses JSON Lines.
pub fn json_lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The store at `path` as SQLite holds it once hookctl has indexed its journals
/// (what `listen` committed and a reading command brings into the tables): a
/// connection for the test's own queries.
pub fn indexed_store(dir: &Path, path: &Path) -> rusqlite::Connection {
    hookctl(dir)
        .args([
            "--store",
            path.to_str().unwrap(),
            "deliveries",
            "list",
            "--limit",
            "1",
        ])
        .assert()
        .success();
    rusqlite::Connection::open(path).unwrap()
}

/// A profile that signs a JSON body with an HMAC and a shared secret, without the URL
/// (the family most round-trip tests cover; tests/schemes.rs has the others).
pub fn hmac_over_body(p: &hookctl::envelope::Profile) -> bool {
    p.body_format == hookctl::envelope::profile::BodyFormat::Json
        && p.signature
            .as_ref()
            .is_some_and(|s| s.algorithm.is_hmac() && !s.url_bound() && s.canonical.is_none())
}
