//! Everything a command shows goes through here: stdout for data, stderr for
//! diagnostics; colour decided once per stream; JSON Lines with `--json`.

pub mod audit;
pub mod delivery;
pub mod har;
pub mod warning;

use crate::cli::{ColorChoice, GlobalArgs};
use base64::Engine;
use colored::Colorize;
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
    kind: &'a str,
    data: &'a T,
}

impl Output {
    pub fn new(g: &GlobalArgs) -> Output {
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
    pub fn record<T: Serialize>(&self, kind: &str, data: &T) -> io::Result<()> {
        let mut buf = Vec::new();
        Output::record_into(&mut buf, kind, data);
        self.bytes(&buf)
    }

    /// Appends one JSON Lines record to `buf`, for a caller that writes many at once.
    pub fn record_into<T: Serialize>(buf: &mut Vec<u8>, kind: &str, data: &T) {
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

/// A measured number rounded to three decimals (microseconds in a `_ms` field,
/// milliseconds in a `_secs` one): more digits are noise, and `0.6634190000000001`
/// helps nobody reading JSON.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Serialises an `f64` through [`round3`] (`#[serde(serialize_with = …)]`).
pub fn ser_round3<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round3(*x))
}

/// Serialises an `Option<f64>` through [`round3`].
pub fn ser_round3_opt<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&round3(*x)),
        None => s.serialize_none(),
    }
}

/// A word for a shell command line: as it is when it needs no quoting, else in
/// single quotes.
pub fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Shell-quotes for the printed curl command.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A shell command that writes `body` to its standard output exactly, to pipe into
/// the command that sends it. Text goes in single quotes, where no byte but `'` means
/// anything to the shell; anything else (bytes that are not UTF-8, a NUL, which no
/// shell word can hold) as base64. No here-document: a body line equal to its
/// delimiter would end it early, and what follows would run as commands.
pub fn shell_printer(body: &[u8]) -> String {
    use base64::Engine;
    match std::str::from_utf8(body) {
        Ok(text) if !text.contains('\0') => format!("printf '%s' {}", sh_quote(text)),
        _ => format!(
            "printf '%s' {} | base64 -d",
            sh_quote(&base64::engine::general_purpose::STANDARD.encode(body))
        ),
    }
}

/// The curl command that makes the same request. Every field is quoted: pasted into
/// a shell, it runs curl and nothing else, whatever the method, URL, headers or body
/// hold (they may come from anyone who can reach a public receiver).
pub fn curl_command(
    method: &str,
    url: &str,
    headers: &crate::envelope::HeaderList,
    body: &[u8],
) -> String {
    let mut cmd = String::new();
    if !body.is_empty() {
        cmd.push_str(&shell_printer(body));
        cmd.push_str(" |\n  ");
    }
    cmd.push_str(&format!("curl -X {} {}", sh_quote(method), sh_quote(url)));
    for (n, v) in headers.iter() {
        cmd.push_str(&format!(" \\\n  -H {}", sh_quote(&format!("{n}: {v}"))));
    }
    if !body.is_empty() {
        cmd.push_str(" \\\n  --data-binary @-");
    }
    cmd
}

/// Standard output's width when it is a terminal, else 100 columns.
pub fn terminal_width() -> usize {
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(100)
}

/// A response body for a person: pretty JSON when it is JSON, escaped text, or a note.
pub fn render_body(body: &[u8], full: bool) -> String {
    const MAX: usize = 4096;
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        return escape(&serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    match std::str::from_utf8(body) {
        Ok(text) if full || text.len() <= MAX => escape(text),
        Ok(text) => {
            let cut = (0..=MAX)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            format!(
                "{}… ({} bytes in all; -v shows everything)",
                escape(&text[..cut]),
                text.len()
            )
        }
        Err(_) => format!("({} bytes, not text)", body.len()),
    }
}

/// Escapes control characters so that untrusted text (headers, bodies) cannot drive
/// the terminal.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            // A header byte that is not UTF-8 (see `headers::ESCAPE_BASE`).
            c if (c as u32) >= crate::envelope::headers::ESCAPE_BASE => {
                let b = (c as u32 - crate::envelope::headers::ESCAPE_BASE) as u8;
                out.push_str(&format!("\\x{b:02x}"));
            }
            c if c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

/// Headers as ordered `[name, value]` pairs for JSON.
pub fn header_pairs(h: &crate::envelope::HeaderList) -> Vec<[&str; 2]> {
    h.iter().map(|(n, v)| [n, v]).collect()
}

/// A body for JSON output: `{"text":…}` when it is UTF-8, `{"base64":…}` otherwise.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BodyJson {
    Text(String),
    Base64(String),
}

impl BodyJson {
    pub fn new(bytes: &[u8]) -> BodyJson {
        match std::str::from_utf8(bytes) {
            Ok(s) => BodyJson::Text(s.to_string()),
            Err(_) => BodyJson::Base64(base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }
}

/// `n` and the noun that fits it: "1 delivery", "2 deliveries".
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A list of ids for a message: at most `max` of them, then how many more.
pub fn id_list(ids: &[i64], max: usize) -> String {
    let mut text: Vec<String> = ids.iter().take(max).map(|i| format!("#{i}")).collect();
    if ids.len() > max {
        text.push(format!("and {} more", ids.len() - max));
    }
    text.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("a\u{1b}[31mb\r"), "a\\u{1b}[31mb\\u{d}");
        assert_eq!(escape("line\nnext\tok é"), "line\nnext\tok é");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn bodies() {
        assert_eq!(BodyJson::new(b"hi"), BodyJson::Text("hi".into()));
        assert_eq!(BodyJson::new(&[0xff]), BodyJson::Base64("/w==".into()));
    }
}
