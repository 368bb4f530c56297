//! Everything a command shows goes through here: stdout for data, stderr for
//! diagnostics; colour decided once per stream; JSON Lines with `--json`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod audit;
pub mod delivery;
pub mod event;
pub mod har;
pub mod listen;
pub mod warning;

use colored::Colorize;
pub use event::Event;
use serde::Serialize;
use std::io::{self, IsTerminal, Write};

#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    out: Styles,
    err: Styles,
}

/// Semantic styles for one stream.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    color: bool,
}

impl Styles {
    fn paint(&self, s: &str, f: impl Fn(&str) -> colored::ColoredString) -> String {
        if self.color {
            f(s).to_string()
        } else {
            s.to_string()
        }
    }
    pub fn ok(&self, s: &str) -> String {
        self.paint(s, |s| s.green().bold())
    }
    pub fn fail(&self, s: &str) -> String {
        self.paint(s, |s| s.red().bold())
    }
    pub fn warn(&self, s: &str) -> String {
        self.paint(s, |s| s.yellow())
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint(s, |s| s.dimmed())
    }
    pub fn strong(&self, s: &str) -> String {
        self.paint(s, |s| s.bold())
    }
}

/// When to use colour (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What `Output` needs to know from the command line.
#[derive(Debug, Clone, Copy)]
pub struct OutputOptions {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: ColorChoice,
}

/// Whether standard error gets colour: the one rule, also for the error `main` reports.
pub fn stderr_color(choice: ColorChoice) -> bool {
    decide(choice, io::stderr().is_terminal())
}

fn decide(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// One JSON Lines record.
#[derive(Serialize)]
struct Record<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: Event,
    data: &'a T,
}

impl Output {
    pub fn new(g: OutputOptions) -> Output {
        let out = decide(g.color, io::stdout().is_terminal());
        let err = decide(g.color, io::stderr().is_terminal());
        if out || err {
            colored::control::set_override(true);
        }
        Output {
            json: g.json,
            quiet: g.quiet,
            verbose: g.verbose,
            out: Styles { color: out },
            err: Styles { color: err },
        }
    }

    /// Styles for stdout.
    pub fn out(&self) -> Styles {
        self.out
    }

    /// Styles for stderr.
    pub fn err(&self) -> Styles {
        self.err
    }

    pub fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// A JSON Lines record on stdout.
    pub fn record<T: Serialize>(&self, kind: Event, data: &T) -> io::Result<()> {
        let mut buf = Vec::new();
        Output::record_into(&mut buf, kind, data);
        self.bytes(&buf)
    }

    /// Appends one JSON Lines record to `buf`, for a caller that writes many at once.
    pub fn record_into<T: Serialize>(buf: &mut Vec<u8>, kind: Event, data: &T) {
        serde_json::to_writer(&mut *buf, &Record { kind, data })
            .expect("a record always serialises into memory");
        buf.push(b'\n');
    }

    /// A line of data on stdout.
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Raw bytes on stdout (a body exactly as it is).
    pub fn bytes(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A note on stderr, unless `-q`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    pub fn warn(&self, text: &str) {
        let _ = writeln!(io::stderr().lock(), "{} {text}", self.err.warn("warning:"));
    }
}

/// Standard output's width when it is a terminal, else 100 columns.
pub fn terminal_width() -> usize {
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(100)
}

pub use crate::show::{
    BodyJson, curl_command, escape, header_pairs, id_list, plural, render_body, round3, ser_round3,
    ser_round3_opt, shell_printer, shell_word,
};
