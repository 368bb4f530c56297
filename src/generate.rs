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
