//! Text for people and for JSON, with no I/O: escaping untrusted text, shell
//! quoting, numbers rounded for JSON, plurals. Every layer may use it; it uses
//! nothing of hookctl but the header list's escape convention.

use base64::Engine;
use serde::Serialize;

pub use crate::envelope::units::{round3, ser_round3, ser_round3_opt};

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
        cmd.push_str(&format!(" \\\n  -H {}", header_word(&format!("{n}: {v}"))));
    }
    if !body.is_empty() {
        cmd.push_str(" \\\n  --data-binary @-");
    }
    cmd
}

/// A header line as one shell word. A line with bytes that are not UTF-8 (held as
/// `headers::ESCAPE_BASE` code points) is written by `printf` from octal escapes, so
/// the shell hands curl those bytes exactly; any other line is single-quoted.
fn header_word(line: &str) -> String {
    if !line
        .chars()
        .any(|c| crate::envelope::headers::escaped_byte(c).is_some())
    {
        return sh_quote(line);
    }
    let mut format = String::new();
    for c in line.chars() {
        match crate::envelope::headers::escaped_byte(c) {
            Some(b) => format.push_str(&format!("\\{b:03o}")),
            None if c == '%' => format.push_str("%%"),
            None if c == '\\' => format.push_str("\\\\"),
            None => format.push(c),
        }
    }
    format!("\"$(printf {})\"", sh_quote(&format))
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

    #[test]
    fn a_curl_command_hands_curl_header_bytes_that_are_not_utf8_exactly() {
        let raw: &[u8] = b"caf\xe9 100% \\ 'q'";
        let mut headers = crate::envelope::HeaderList::new();
        headers.push(
            "X-Latin1",
            crate::envelope::headers::value_from_bytes(raw).into_owned(),
        );
        headers.push("X-Plain", "it's");
        let cmd = curl_command("POST", "http://127.0.0.1:9/x", &headers, b"");
        let dir = std::env::temp_dir().join(format!("hookctl-curl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("args");
        // curl stands in as a function that writes its arguments, NUL-separated.
        let script = format!(
            "curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{}'; }}\n{cmd}\n",
            out.display()
        );
        let ran = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .status()
            .unwrap();
        assert!(ran.success(), "{cmd}");
        let args = std::fs::read(&out).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let args: Vec<&[u8]> = args.split(|b| *b == 0).collect();
        let mut want = b"X-Latin1: ".to_vec();
        want.extend_from_slice(raw);
        assert!(args.contains(&&want[..]), "{cmd}\n{args:?}");
        assert!(args.contains(&&b"X-Plain: it's"[..]), "{cmd}");
    }
}
