//! Every command the README and `docs/*.md` show works as shown.
//!
//! The convention (also in docs/contributing.md): commands live in fenced blocks.
//! In a ```` ```sh ```` block every line that is not a `#` comment is a command; in a
//! ```` ```console ```` block the lines that start with `$ ` are, and the others are
//! their output. A trailing `\` continues a command on the next line. A command that
//! ends in `# exit N` is expected to exit N (a deliberate "invalid", say); any
//! other is expected to exit 0. The line before a fence may say how its block is
//! checked, in an HTML comment (invisible on GitHub):
//!
//! - nothing: each command runs, in order, in one sandbox per file (a temp dir as
//!   home and working directory, its own store, test secrets in the `*_SECRET`
//!   variables the docs use). `http://localhost:3000` is a `hookctl listen` the test
//!   starts as "your app", verifying with those secrets; `--relay
//!   https://hooks.example.com` names a `hookctl relay` it starts.
//! - `<!-- examples: serve -->`: commands that serve until stopped (`listen`, `ui`,
//!   `relay`): each must still be running after a second, and is then stopped.
//!   Ports become 0 (`--port 0`, `--ui-port 0`, `--bind 127.0.0.1:0`), so nothing
//!   clashes.
//! - `<!-- examples: parse-only: REASON -->`: cannot run here (a public host, your
//!   own app, a twenty-second audit); the reason is required.
//!
//! Whatever the mode, every `hookctl …` in a command (after a pipe too) is parsed by
//! hookctl's own clap definition, so an unknown flag or a bad value fails with the
//! file and line.

mod support;

use clap::Parser;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::listener::Listener;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Run,
    Serve,
    ParseOnly,
}

#[derive(Debug, Clone)]
struct Example {
    /// `README.md:42`
    at: String,
    command: String,
    expect: i32,
    mode: Mode,
}

/// The secrets the docs' commands name, with test values.
const SECRETS: &[(&str, &str)] = &[
    ("STRIPE_WEBHOOK_SECRET", "whsec_test_secret"),
    ("AGENTBOT_SECRET", "agentbot-test-secret"),
    ("GH_SECRET", "github-test-secret"),
    ("HL_SECRET", "hyperleap-test-secret"),
    ("SLACK_SIGNING_SECRET", "slack-test-secret"),
    ("WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The examples of one Markdown file, by the convention above.
fn examples(file: &Path) -> Result<Vec<Example>, String> {
    let name = file.strip_prefix(root()).unwrap().display().to_string();
    examples_in(&name, &std::fs::read_to_string(file).unwrap())
}

fn examples_in(name: &str, text: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let mut block: Option<(String, Mode)> = None;
    let mut marker = None;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if let Some(fence) = trimmed.strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some((fence.trim().to_string(), marker.take().unwrap_or(Mode::Run))),
            };
            if block.is_none()
                && let Some((start, _)) = pending.take()
            {
                return Err(format!("{name}:{start}: a `\\` continues past the block"));
            }
            continue;
        }
        let Some((lang, mode)) = &block else {
            if let Some(m) = trimmed.strip_prefix("<!-- examples:") {
                let m = m.trim_end_matches("-->").trim();
                marker = Some(match m {
                    "serve" => Mode::Serve,
                    _ if m
                        .strip_prefix("parse-only:")
                        .is_some_and(|r| !r.trim().is_empty()) =>
                    {
                        Mode::ParseOnly
                    }
                    _ => return Err(format!("{name}:{n}: unknown marker `{trimmed}`")),
                });
            } else if !trimmed.is_empty() {
                marker = None;
            }
            continue;
        };
        let command_line = match (lang.as_str(), &pending) {
            (_, Some(_)) => Some(line),
            ("sh" | "bash" | "shell", None) => {
                (!trimmed.is_empty() && !trimmed.starts_with('#')).then_some(line)
            }
            ("console", None) => line.strip_prefix("$ "),
            _ => None,
        };
        let Some(part) = command_line else { continue };
        let (start, mut command) = pending.take().unwrap_or((n, String::new()));
        match part.trim_end().strip_suffix('\\') {
            Some(head) => {
                command.push_str(head);
                command.push(' ');
                pending = Some((start, command));
            }
            None => {
                command.push_str(part.trim());
                let expect = command
                    .rsplit_once("# exit ")
                    .and_then(|(_, c)| {
                        let digits: String = c.chars().take_while(char::is_ascii_digit).collect();
                        digits.parse().ok()
                    })
                    .unwrap_or(0);
                out.push(Example {
                    at: format!("{name}:{start}"),
                    command,
                    expect,
                    mode: *mode,
                });
            }
        }
    }
    Ok(out)
}

/// Is this word where a command's words end (a pipe, a list, a redirection)?
fn ends_words(w: &str) -> bool {
    matches!(w, "|" | "||" | "&&" | ";" | "&")
        || w.starts_with('>')
        || w.starts_with('<')
        || w.starts_with("2>")
        || w.starts_with("1>")
}

/// Every hookctl command line in a shell command, as argv: after pipes too, and
/// `cargo run … -- ARGS` as hookctl ARGS. `COMPLETE=… hookctl` (the completion
/// engine, not the command line) is left out.
fn hookctl_argvs(command: &str) -> Result<Vec<Vec<String>>, String> {
    let words = shlex::split(command).ok_or("unbalanced quotes")?;
    let mut argvs = Vec::new();
    let mut segment: Vec<String> = Vec::new();
    let mut flush = |segment: &mut Vec<String>| {
        let assigns = segment.iter().take_while(|w| is_assignment(w)).count();
        let completing = segment[..assigns]
            .iter()
            .any(|w| w.starts_with("COMPLETE="));
        let rest = &segment[assigns..];
        let rest = match rest.first().map(String::as_str) {
            Some("sudo") => &rest[1..],
            _ => rest,
        };
        if rest.first().is_some_and(|w| w == "hookctl") && !completing {
            argvs.push(rest.to_vec());
        } else if rest.first().is_some_and(|w| w == "cargo")
            && rest.get(1).is_some_and(|w| w == "run")
            && let Some(dash) = rest.iter().position(|w| w == "--")
        {
            let mut argv = vec!["hookctl".to_string()];
            argv.extend_from_slice(&rest[dash + 1..]);
            argvs.push(argv);
        }
        segment.clear();
    };
    for w in words {
        if matches!(w.as_str(), "|" | "||" | "&&" | ";" | "&") {
            flush(&mut segment);
        } else if ends_words(&w) {
            // What follows a redirection (its target, `2>&1`) is no argument.
            segment.push(String::from("\0"));
        } else {
            segment.push(w);
        }
    }
    flush(&mut segment);
    Ok(argvs
        .into_iter()
        .map(|a| a.into_iter().take_while(|w| w != "\0").collect())
        .collect())
}

fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Parses a hookctl argv with hookctl's clap definition; `--help`/`--version` pass.
fn parses(argv: &[String]) -> Result<(), String> {
    match hookctl::cli::Cli::try_parse_from(argv) {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e.render().to_string()),
    }
}

#[test]
fn every_hookctl_command_shown_in_the_docs_parses() {
    let mut failures = String::new();
    let mut count = 0;
    for file in doc_files() {
        let list = match examples(&file) {
            Ok(l) => l,
            Err(e) => {
                writeln!(failures, "{e}").unwrap();
                continue;
            }
        };
        for ex in list {
            match hookctl_argvs(&ex.command) {
                Err(e) => writeln!(failures, "{}: {e}: {}", ex.at, ex.command).unwrap(),
                Ok(argvs) => {
                    for argv in argvs {
                        count += 1;
                        if let Err(e) = parses(&argv) {
                            writeln!(failures, "{}: {}\n{e}", ex.at, ex.command).unwrap();
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
    // The README alone shows far more; a convention that stopped finding them fails.
    assert!(
        count > 60,
        "only {count} hookctl commands found in the docs"
    );
}

/// The words of a serving command with its ports made 0, shell-quoted again.
fn on_port_zero(command: &str) -> String {
    let mut words = shlex::split(command).unwrap();
    let mut i = 0;
    let mut has_port = false;
    while i < words.len() {
        match words[i].as_str() {
            "--port" | "--ui-port" if i + 1 < words.len() => {
                words[i + 1] = "0".into();
                has_port |= words[i] == "--port";
            }
            "--bind" | "--serve" if i + 1 < words.len() => {
                words[i + 1] = "127.0.0.1:0".into();
                has_port = true;
            }
            "--relay" => has_port = true,
            _ => {}
        }
        i += 1;
    }
    let sub = words.iter().skip(1).find(|w| !w.starts_with('-'));
    if !has_port && matches!(sub.map(String::as_str), Some("listen" | "ui")) {
        words.push("--port".into());
        words.push("0".into());
    }
    // `listen --ui` serves the inspector on a port of its own.
    if words.iter().any(|w| w == "--ui") && !words.iter().any(|w| w == "--ui-port") {
        words.push("--ui-port".into());
        words.push("0".into());
    }
    shlex::try_join(words.iter().map(String::as_str)).unwrap()
}

/// Runs one file's examples in a sandbox, as one bash script: every command is
/// followed by a check of its exit code that names its line.
fn run_file(file: &Path, app: &str, relay: &str, bin_dir: &Path) -> Result<usize, String> {
    let list: Vec<Example> = examples(file)?
        .into_iter()
        .filter(|e| e.mode != Mode::ParseOnly)
        .collect();
    if list.is_empty() {
        return Ok(0);
    }
    let sandbox = TempDir::new().unwrap();
    let mut script = String::from(
        "set -o pipefail\n\
         check() { rc=$?; if [ \"$rc\" -ne \"$2\" ]; then echo \"@@ $1: exit $rc, expected $2\"; exit 1; fi; }\n",
    );
    for ex in &list {
        let command = ex.command.replace("http://localhost:3000", app).replace(
            "--relay https://hooks.example.com",
            &format!("--relay {relay}"),
        );
        writeln!(script, "echo \"@@ {}\"", ex.at).unwrap();
        match ex.mode {
            Mode::Run => writeln!(script, "{command}\ncheck {} {}", ex.at, ex.expect),
            Mode::Serve => writeln!(
                script,
                "timeout -s INT -k 5 1 {}\ncheck {} 124",
                on_port_zero(&command),
                ex.at
            ),
            Mode::ParseOnly => unreachable!(),
        }
        .unwrap();
    }
    let home = sandbox.path();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(home)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("HOOKCTL_STORE", home.join("store.db"))
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .envs(SECRETS.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    if out.status.success() {
        return Ok(list.len());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("@@ ") && l.contains("expected"))
        .unwrap_or("the script stopped");
    let tail: Vec<&str> = stdout.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{}\n--- stdout (end) ---\n{}\n--- stderr ---\n{}",
        failed.trim_start_matches("@@ "),
        tail.join("\n"),
        stderr.lines().rev().take(15).collect::<Vec<_>>().join("\n")
    ))
}

#[test]
fn the_docs_examples_that_can_run_offline_run() {
    let dir = TempDir::new().unwrap();
    // "Your app": a listener verifying with every secret the docs use.
    let secrets = dir.path().join("secrets");
    let text: String = SECRETS.iter().map(|(_, v)| format!("{v}\n")).collect();
    std::fs::write(&secrets, text).unwrap();
    let app = Listener::spawn(
        dir.path(),
        &["--no-store"],
        &[
            "listen",
            "--port",
            "0",
            "--secret-file",
            secrets.to_str().unwrap(),
        ],
        &[],
    );
    let app_url = app.url.trim_end_matches('/').to_string();
    let bin_dir = dir.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hookctl"), bin_dir.join("hookctl")).unwrap();

    let results: Vec<(PathBuf, Result<usize, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = doc_files()
            .into_iter()
            .map(|f| {
                let (app_url, bin_dir, dir) = (&app_url, &bin_dir, dir.path());
                s.spawn(move || {
                    // A relay of its own for each file: two files may show the same
                    // channel name, and a channel is its maker's.
                    let relay = Listener::spawn(
                        dir,
                        &["--no-store"],
                        &["relay", "--bind", "127.0.0.1:0"],
                        &[],
                    );
                    let relay_url = relay.url.trim_end_matches('/').to_string();
                    let r = run_file(&f, app_url, &relay_url, bin_dir);
                    (f, r)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut failures = String::new();
    let mut ran = 0;
    for (_, r) in results {
        match r {
            Ok(n) => ran += n,
            Err(e) => writeln!(failures, "{e}\n").unwrap(),
        }
    }
    assert!(failures.is_empty(), "{failures}");
    assert!(ran > 25, "only {ran} examples ran");
}

#[test]
fn the_convention_reads_what_it_says() {
    let got = examples_in(
        "x.md",
        "text\n```sh\n# a comment\nhookctl profiles   # the providers\nhookctl send --to http://x \\\n  -p stripe\n```\n\
         <!-- examples: serve -->\n```console\n$ hookctl listen\nlistening\n```\n\
         <!-- examples: parse-only: a public host -->\n```sh\nhookctl verify --body x # exit 1: invalid\n```\n```toml\nhookctl = 1\n```\n",
    )
    .unwrap();
    let got: Vec<(&str, &str, i32, Mode)> = got
        .iter()
        .map(|e| {
            (
                e.at.rsplit(':').next().unwrap(),
                e.command.as_str(),
                e.expect,
                e.mode,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("4", "hookctl profiles   # the providers", 0, Mode::Run),
            ("5", "hookctl send --to http://x  -p stripe", 0, Mode::Run),
            ("10", "hookctl listen", 0, Mode::Serve),
            (
                "15",
                "hookctl verify --body x # exit 1: invalid",
                1,
                Mode::ParseOnly
            ),
        ]
    );
    let argvs =
        hookctl_argvs("hookctl sign -p stripe --body e.json | tee h.txt > /dev/null").unwrap();
    assert_eq!(
        argvs,
        [["hookctl", "sign", "-p", "stripe", "--body", "e.json"]]
    );
    let argvs =
        hookctl_argvs("hookctl deliveries show 1 --raw | hookctl verify --request -").unwrap();
    assert_eq!(argvs.len(), 2);
    assert!(
        hookctl_argvs("echo 'source <(COMPLETE=bash hookctl)' >> ~/.bashrc")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        hookctl_argvs("cargo run --release -- profiles").unwrap(),
        [["hookctl", "profiles"]]
    );
    // A flag clap does not know is caught, with clap's own words.
    let bad = parses(&["hookctl".into(), "verify".into(), "--no-such-flag".into()]).unwrap_err();
    assert!(bad.contains("--no-such-flag"), "{bad}");
    assert!(
        parses(&[
            "hookctl".into(),
            "send".into(),
            "--count".into(),
            "many".into()
        ])
        .is_err()
    );
    assert_eq!(
        on_port_zero("hookctl relay --bind 0.0.0.0:8080 --open"),
        "hookctl relay --bind 127.0.0.1:0 --open"
    );
    assert_eq!(on_port_zero("hookctl ui"), "hookctl ui --port 0");
    assert_eq!(
        on_port_zero("hookctl listen -p stripe --ui"),
        "hookctl listen -p stripe --ui --port 0 --ui-port 0"
    );
}
