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
    let page_cmd = cmd.clone().name(name.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page_cmd)
        .render(&mut buf)
        .expect("rendering into memory cannot fail");
    pages.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}
