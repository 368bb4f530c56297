//! Snapshots of what users read: `--help` of every command and subcommand (the list
//! taken from the clap tree itself), and the human output of the main commands run
//! against real servers on loopback.
//!
//! Run without colour (`NO_COLOR`, `TERM=dumb`) at a fixed width (`COLUMNS=100`), in
//! a temporary folder, with every environment variable the CLI reads removed, so the
//! text does not depend on the machine. Help is compared as it is; in the output of
//! commands, only what truly varies from run to run is replaced ([`redact`]):
//! loopback ports, times of day and dates, durations measured, UUIDs and the
//! temporary folder. (Ports are replaced in place: a table column holding one keeps
//! the width of the 5-digit ephemeral ports Linux hands out.)
//!
//! A snapshot that no longer matches fails the test: insta writes the new text next
//! to the old one (`.snap.new`, or nothing under `CI`) and the assertion fails. After
//! a deliberate change to help or output, review and accept with `cargo insta
//! review`, or run `INSTA_UPDATE=always cargo test --test snapshots` and read the
//! diff before committing.

mod support;

use clap::CommandFactory;
use std::path::Path;
use std::process::Output;
use support::listener::{Listener, raw};
use support::server::{Reply, TestServer};
use tempfile::TempDir;

/// Every environment variable the CLI reads (clap's `env = …`), plus those that
/// change the look of output.
fn cli_env() -> Vec<String> {
    fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if let Some(name) = arg.get_env() {
                out.push(name.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut names = Vec::new();
    walk(&hookctl::cli::Cli::command(), &mut names);
    names.extend(
        [
            "HOOKCTL_SECRET",
            "HOOKCTL_CONFIG",
            "HOOKCTL_STORE",
            "HOOKCTL_RELAY_TOKEN",
            "HOOKCTL_RELAY_KEY",
            "EDITOR",
            "VISUAL",
            "CLICOLOR_FORCE",
        ]
        .map(String::from),
    );
    names.sort();
    names.dedup();
    names
}

/// `hookctl ARGS` in `dir`, as a user at a 100-column terminal without colour would
/// run it (the output is piped, so no progress bars either).
fn hookctl(dir: &Path, args: &[&str]) -> Output {
    let mut c = support::hookctl(dir);
    for name in cli_env() {
        c.env_remove(name);
    }
    c.env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env("COLUMNS", "100")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(args)
        .output()
        .unwrap()
}

/// What a run printed, as a user reads it: standard output, then standard error
/// under a marker (when there is any), then the exit code.
fn shown(o: &Output) -> String {
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr);
    if !err.is_empty() {
        text.push_str("--- stderr ---\n");
        text.push_str(&err);
    }
    text.push_str(&format!("--- exit {} ---\n", o.status.code().unwrap_or(-1)));
    text
}

/// Runs `body` with the filters that replace what varies from run to run, and only
/// that: the temporary folder, loopback ports, times of day and dates, measured
/// durations, UUIDs.
fn redact<R>(dir: &Path, body: impl FnOnce() -> R) -> R {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&dir.display().to_string()), "[DIR]");
    settings.add_filter(r"(127\.0\.0\.1|localhost):\d{2,5}", "$1:[PORT]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
        "[TIME]",
    );
    settings.add_filter(r"\b\d{2}:\d{2}:\d{2}(\.\d{3})?\b", "[CLOCK]");
    settings.add_filter(r"\b\d+(\.\d+)?\s?(ms|µs)\b", "[DURATION]");
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[UUID]",
    );
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(body)
}

/// Every command path under `hookctl`, parents first: `["send"]`, `["deliveries"]`,
/// `["deliveries", "list"]`, … (hidden ones left out).
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&hookctl::cli::Cli::command(), &[], &mut out);
    out
}

#[test]
fn help_of_every_command() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let paths = command_paths();
    // The walk finds the whole tree, nested subcommands included.
    assert!(paths.len() > 20, "{paths:?}");
    assert!(paths.contains(&vec!["deliveries".to_string(), "show".to_string()]));
    // Help is the same text on every machine: nothing to redact.
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let top = hookctl(d, &["--help"]);
        assert!(top.status.success());
        insta::assert_snapshot!("help", shown(&top));
        // `hookctl help` is the same page.
        assert_eq!(shown(&hookctl(d, &["help"])), shown(&top));
        for path in &paths {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push("--help");
            let o = hookctl(d, &args);
            assert!(o.status.success(), "{path:?}: {}", shown(&o));
            let page = shown(&o);
            insta::assert_snapshot!(format!("help-{}", path.join("-")), page);
            // Rules a re-blessed snapshot could break unseen: the global flags
            // under their own heading on every page, and the store's flags only on
            // the pages of commands that use it.
            let global = &page[page.find("\nGlobal options:\n").expect(&page)..];
            assert!(
                global.contains("--json") && global.contains("--config"),
                "{page}"
            );
            let top = path[0].as_str();
            if (STORE_USERS.contains(&top) && path.len() == 1) || path == &["deliveries", "list"] {
                assert!(
                    page.contains("--no-store"),
                    "{path:?} uses the store: {page}"
                );
            }
            if NO_STORE.contains(&top) {
                assert!(!page.contains("--store"), "{path:?} does not use the store");
            }
        }
    });
}

/// Commands that record in or read from the store, and those that do not.
const STORE_USERS: [&str; 7] = [
    "send",
    "listen",
    "replay",
    "ui",
    "simulate",
    "relay",
    "deliveries",
];
const NO_STORE: [&str; 8] = [
    "sign",
    "verify",
    "audit",
    "profiles",
    "events",
    "init",
    "completions",
    "man",
];

/// The GitHub sample push, signed as of a fixed time with a fixed id.
const FIXED: [&str; 10] = [
    "-p",
    "github",
    "-e",
    "push",
    "--secret",
    "k",
    "--id",
    "d1",
    "--timestamp",
    "1700000000",
];

#[test]
fn sign_and_verify() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    std::fs::write(d.join("body.json"), br#"{"id":"evt_1","type":"ping"}"#).unwrap();
    std::fs::write(
        d.join("newline.json"),
        b"{\"id\":\"evt_1\",\"type\":\"ping\"}\n",
    )
    .unwrap();
    let stripe = [
        "-p",
        "stripe",
        "--secret",
        "whsec_dGVzdA==",
        "--id",
        "d1",
        "--timestamp",
        "1700000000",
        "--body",
        "body.json",
    ];
    redact(d, || {
        let mut args = vec!["sign"];
        args.extend(stripe);
        let signed = hookctl(d, &args);
        insta::assert_snapshot!("sign", shown(&signed));
        std::fs::write(d.join("headers.txt"), &signed.stdout).unwrap();
        let verify = |body: &str, now: &str, extra: &[&str]| {
            let mut args = vec![
                "verify",
                "-p",
                "stripe",
                "--secret",
                "whsec_dGVzdA==",
                "-H",
                "@headers.txt",
                "--now",
                now,
                "--body",
                body,
            ];
            args.extend_from_slice(extra);
            hookctl(d, &args)
        };
        let ok = verify("body.json", "1700000010", &[]);
        assert_eq!(ok.status.code(), Some(0));
        insta::assert_snapshot!("verify-valid", shown(&ok));
        let bad = verify("newline.json", "1700000010", &["--explain"]);
        assert_eq!(bad.status.code(), Some(1));
        insta::assert_snapshot!("verify-invalid-explained", shown(&bad));
        let stale = verify("body.json", "1700009999", &[]);
        assert_eq!(stale.status.code(), Some(1));
        insta::assert_snapshot!("verify-stale", shown(&stale));
    });
}

#[test]
fn send_to_a_receiver_and_its_dry_run() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let app = TestServer::start(vec![
        Reply::status(503).body("busy"),
        Reply::status(200).body("ok"),
    ]);
    redact(d, || {
        let mut args = vec!["--no-store", "send", "--to", app.url.as_str()];
        args.extend(FIXED);
        let failed = hookctl(d, &args);
        assert_eq!(failed.status.code(), Some(1));
        insta::assert_snapshot!("send-503", shown(&failed));
        let sent = hookctl(d, &args);
        assert_eq!(sent.status.code(), Some(0));
        insta::assert_snapshot!("send-200", shown(&sent));
        assert_eq!(app.requests().len(), 2);
        args.push("--dry-run");
        let dry = hookctl(d, &args);
        assert_eq!(dry.status.code(), Some(0));
        insta::assert_snapshot!("send-dry-run", shown(&dry));
    });
}

#[test]
fn simulate_offline_timelines() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    redact(d, || {
        for (name, args) in [
            ("simulate-stripe", &["simulate", "-p", "stripe"][..]),
            (
                "simulate-github-fail-first",
                &["simulate", "-p", "github", "--fail-first", "2"][..],
            ),
            (
                "simulate-shopify-429",
                &[
                    "simulate",
                    "-p",
                    "shopify",
                    "--responses",
                    "429,timeout,200",
                    "--retry-after",
                    "30",
                ][..],
            ),
        ] {
            let o = hookctl(d, args);
            insta::assert_snapshot!(name, shown(&o));
        }
    });
}

#[test]
fn profiles_list_and_show() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    redact(d, || {
        let list = hookctl(d, &["profiles", "list"]);
        assert!(list.status.success());
        insta::assert_snapshot!("profiles-list", shown(&list));
        let show = hookctl(d, &["profiles", "show", "github"]);
        assert!(show.status.success());
        insta::assert_snapshot!("profiles-show-github", shown(&show));
    });
}

#[test]
fn deliveries_and_replay_after_a_listen_run() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    let l = Listener::start(d, &["--store", s], &["--secret", "k"]);
    // One valid GitHub delivery (as `send` makes it), one forged.
    let mut args = vec![
        "--no-store",
        "send",
        "--dry-run",
        "--to",
        l.url.as_str(),
        "-H",
        "Connection: close",
    ];
    let mut forged = args.clone();
    args.extend(FIXED);
    let request = hookctl(d, &args).stdout;
    assert_eq!(raw(&l.addr, &request).status, 200);
    forged.extend(FIXED.map(|a| if a == "d1" { "d2" } else { a }));
    forged.extend(["--tamper", "ref=refs/heads/evil"]);
    let forged = hookctl(d, &forged).stdout;
    assert_eq!(raw(&l.addr, &forged).status, 401);
    assert_eq!(l.wait_deliveries(2).len(), 2);
    let app = TestServer::start(vec![Reply::status(200)]);
    redact(d, || {
        let list = hookctl(d, &["--store", s, "deliveries", "list"]);
        assert!(list.status.success());
        insta::assert_snapshot!("deliveries-list", shown(&list));
        let show = hookctl(d, &["--store", s, "deliveries", "show", "d1"]);
        assert!(show.status.success());
        insta::assert_snapshot!("deliveries-show", shown(&show));
        let replay = hookctl(
            d,
            &["--store", s, "replay", "d1", "--to", &app.url, "--dry-run"],
        );
        assert!(replay.status.success());
        insta::assert_snapshot!("replay-dry-run", shown(&replay));
    });
    assert!(app.requests().is_empty(), "a dry run sends nothing");
}
