//! Completion scripts and man pages, rendered from the clap definitions. The copies in
//! `completions/` and `man/` are checked against these by a test
//! (`HOOKCTL_BLESS=1 cargo test --test generated` refreshes them).

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;

pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "hookctl.bash"),
    (Shell::Zsh, "_hookctl"),
    (Shell::Fish, "hookctl.fish"),
    (Shell::PowerShell, "_hookctl.ps1"),
    (Shell::Elvish, "hookctl.elv"),
];

pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hookctl", &mut out);
    out
}

/// `(file name, page)` for hookctl and each subcommand, nested ones included.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, "hookctl", &mut pages);
    pages
}

fn collect(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    // The examples get a section of their own, unfilled and unhyphenated, so that
    // each command reads as it is typed; clap_mangen would fill `after_help` into a
    // paragraph called EXTRA.
    let examples = crate::cli::EXAMPLES
        .iter()
        .find(|(n, _)| Some(*n) == name.strip_prefix("hookctl-"))
        .map(|(_, e)| *e);
    let mut page_cmd = cmd.clone().name(name.to_string());
    // `help` has no page of its own: it is not listed as one to see.
    if page_cmd.find_subcommand("help").is_some() {
        page_cmd = page_cmd.mut_subcommand("help", |s| s.hide(true));
    }
    let page_cmd = if examples.is_some() {
        page_cmd.after_help("")
    } else {
        page_cmd
    };
    let man = clap_mangen::Man::new(page_cmd);
    let mut buf = Vec::new();
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut buf)?;
        man.render_name_section(&mut buf)?;
        man.render_synopsis_section(&mut buf)?;
        man.render_description_section(&mut buf)?;
        man.render_options_section(&mut buf)?;
        if cmd.get_subcommands().any(|s| s.get_name() != "help") {
            man.render_subcommands_section(&mut buf)?;
        }
        if let (None, Some(notes)) = (examples, cmd.get_after_help()) {
            buf.extend_from_slice(b".SH NOTES\n");
            for line in notes.to_string().lines() {
                buf.extend_from_slice(b".PP\n");
                buf.extend_from_slice(roff_text(line).as_bytes());
                buf.push(b'\n');
            }
        }
        if let Some(examples) = examples {
            buf.extend_from_slice(b".SH EXAMPLES\n.nh\n.nf\n");
            // The `--help` block less its title and indent; a blank line before each
            // example but the first (continuation lines are indented further).
            for (i, line) in examples.lines().skip(1).enumerate() {
                let line = line.strip_prefix("  ").unwrap_or(line);
                if i > 0 && !line.starts_with(' ') {
                    buf.extend_from_slice(b"\n");
                }
                buf.extend_from_slice(roff_text(line).as_bytes());
                buf.push(b'\n');
            }
            buf.extend_from_slice(b".fi\n.hy\n");
        }
        Ok(())
    })();
    rendered.expect("rendering into memory cannot fail");
    pages.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// Text for a roff line: backslashes and dashes escaped, a leading `.` or `'` guarded.
fn roff_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    if line.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            c => out.push(c),
        }
    }
    out
}

/// The profiles known here (built-in, and the nearest hookctl.toml's), for the shell.
pub fn profile_candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    let Ok(config) = crate::settings::Config::load(None) else {
        return Vec::new();
    };
    let mut out = vec![
        clap_complete::engine::CompletionCandidate::new("auto")
            .help(Some("detect the provider from the headers".into())),
    ];
    for name in config.catalog.names() {
        let help = config.catalog.get(&name).ok().map(|p| p.description.into());
        out.push(clap_complete::engine::CompletionCandidate::new(name).help(help));
    }
    out
}

/// The profile named on the command line being completed (`-p NAME`, `-pNAME`,
/// `--profile NAME`, `--profile=NAME`). The shell runs `hookctl -- hookctl WORDS…`
/// (COMPLETE set), so the words are this process's own arguments after `--`.
fn profile_on_line(words: &[String]) -> Option<String> {
    let mut last = None;
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        if w == "-p" || w == "--profile" {
            last = it.peek().map(|v| v.to_string());
        } else if let Some(v) = w.strip_prefix("--profile=") {
            last = Some(v.to_string());
        } else if let Some(v) = w
            .strip_prefix("-p")
            .filter(|v| !v.is_empty() && !w.starts_with("--"))
        {
            last = Some(v.to_string());
        }
    }
    last.filter(|p| !p.is_empty() && p != "auto")
}

/// The events to offer: the chosen profile's (`-p` on the line being completed, else
/// hookctl.toml's `[send].profile` or `profile`), or every profile's when none is.
pub fn event_candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    let Ok(config) = crate::settings::Config::load(None) else {
        return Vec::new();
    };
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let chosen = profile_on_line(&words)
        .or_else(|| config.file.send.profile.clone())
        .or_else(|| config.file.profile.clone())
        .and_then(|p| config.catalog.get(&p).ok());
    let profiles: Vec<crate::envelope::Profile> = match chosen {
        Some(p) => vec![p],
        None => config
            .catalog
            .names()
            .iter()
            .filter_map(|n| config.catalog.get(n).ok())
            .collect(),
    };
    let mut seen = std::collections::BTreeMap::new();
    for p in profiles {
        for e in p.events.values() {
            seen.entry(e.name.clone())
                .or_insert_with(|| format!("{}: {}", p.name, e.description));
        }
    }
    seen.into_iter()
        .map(|(name, help)| {
            clap_complete::engine::CompletionCandidate::new(name).help(Some(help.into()))
        })
        .collect()
}
