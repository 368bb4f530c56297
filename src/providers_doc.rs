//! `docs/providers.md`, written from the profiles themselves: a table of every
//! built-in provider, then a section for each (headers, signed content, tolerance,
//! retries, handshake, events, commands to try). A test checks the committed copy
//! against this (`HOOKCTL_BLESS=1 cargo test --test generated` refreshes it), so a
//! profile added or changed shows up there without anyone editing the page.

use crate::envelope::profile::Scheme;
use crate::envelope::secret::SecretEncoding;
use crate::envelope::template::Var;
use crate::envelope::{Catalog, Profile};
use std::fmt::Write;
use std::time::Duration;

/// Profiles that are not a real provider's: left out of the page.
const NOT_PROVIDERS: [&str; 1] = ["hmac"];

/// The page, from the built-in catalogue.
pub fn providers_doc() -> String {
    let profiles: Vec<Profile> = Catalog::builtin()
        .all()
        .expect("the built-in profiles compile (a test checks it)")
        .into_iter()
        .filter(|p| !NOT_PROVIDERS.contains(&p.name.as_str()))
        .collect();
    let mut out = String::new();
    out.push_str("# Providers\n\n");
    out.push_str(
        "<!-- Generated from src/profiles/*.toml by src/providers_doc.rs; do not edit.\n     \
         Refresh with: HOOKCTL_BLESS=1 cargo test --test generated -->\n\n",
    );
    let _ = writeln!(
        out,
        "hookctl has {} built-in provider profiles. Each is data (`src/profiles/NAME.toml`); \
         `hookctl profiles show NAME` prints one in the format `hookctl.toml` takes, and \
         `hookctl profiles --scheme FAMILY` or `--search TEXT` narrows the list. \
         [oracles.md](oracles.md) says which are checked against which library.\n",
        profiles.len()
    );
    out.push_str("| profile | provider | scheme | signature header | tolerance | retries |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for p in &profiles {
        let _ = writeln!(
            out,
            "| [`{n}`](#{n}) | {} | {} | {} | {} | {} |",
            cell(&p.description),
            p.scheme_family(),
            p.signature
                .as_ref()
                .map(|s| format!("`{}`", cell(&s.header)))
                .unwrap_or_else(|| "—".into()),
            cell(&tolerance_short(p)),
            cell(&retries_short(p)),
            n = p.name,
        );
    }
    for p in &profiles {
        section(&mut out, p);
    }
    out
}

/// A table cell: pipes escaped, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn tolerance_short(p: &Profile) -> String {
    match p
        .signature
        .as_ref()
        .and_then(|s| s.tolerance.map(|t| (s, t)))
    {
        None => "none".into(),
        Some((s, t)) if s.past_only => format!("{} (past only)", dur(t)),
        Some((_, t)) => format!("±{}", dur(t)),
    }
}

fn retries_short(p: &Profile) -> String {
    match p.retry.delays.len() {
        0 => "none".into(),
        n => format!("{n} over {}", dur(p.retry.delays.iter().sum())),
    }
}

/// Where the signed timestamp comes from.
fn timestamp_source(p: &Profile, s: &Scheme) -> Option<String> {
    if let Some((path, _)) = &s.timestamp_field {
        return Some(format!("the body field `{}`", path.join(".")));
    }
    p.headers
        .iter()
        .find(|(_, t)| t.uses(|v| matches!(v, Var::Timestamp(_))))
        .map(|(n, _)| format!("`{n}`"))
}

/// A secret the profile's rule decodes, for the examples.
pub fn example_secret(s: &Scheme) -> String {
    let body = match s.secret {
        SecretEncoding::Whsec | SecretEncoding::WhsecOrRaw => {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        }
        SecretEncoding::Hex => "00112233445566778899aabbccddeeff",
        SecretEncoding::Base64 => "c2VjcmV0LWZvci10aGUtZG9jcw==",
        SecretEncoding::Raw => "my-signing-secret",
    };
    match s.secret_prefix.first() {
        Some(prefix) => format!("{}{body}", prefix.replace('*', "test")),
        None => body.to_string(),
    }
}

/// A `--secret` for the examples, for the families that take one: the HMACs and
/// keyed hashes (a secret the profile's rule decodes), a shared token, or Basic
/// auth's `USER:PASSWORD`. The others need key material: no example.
pub fn example_secret_for(p: &Profile, s: &Scheme) -> Option<String> {
    let family = p.scheme_family();
    if family.starts_with("hmac-") || family.starts_with("keyed-") {
        Some(example_secret(s))
    } else if family == "token" {
        Some("my-shared-token".to_string())
    } else if family == "basic" {
        Some("hookctl:my-password".to_string())
    } else {
        None
    }
}

/// The event the examples send: the first that is not a handshake.
pub fn example_event(p: &Profile) -> Option<&str> {
    p.events
        .values()
        .find(|e| !e.handshake)
        .or_else(|| p.events.values().next())
        .map(|e| e.name.as_str())
}

fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn section(out: &mut String, p: &Profile) {
    let _ = writeln!(out, "\n## {}\n", p.name);
    let _ = writeln!(out, "{}\n", p.description);
    if !p.source.is_empty() {
        let _ = writeln!(out, "- **Source**: {}", p.source);
    }
    out.push_str("- **Headers**:");
    for (name, t) in &p.headers {
        let _ = write!(out, " `{name}: {}`", t.source());
    }
    out.push('\n');
    match &p.signature {
        None => out.push_str("- **Signature**: none\n"),
        Some(s) => {
            let carriers: Vec<String> = s.carriers().map(|c| format!("`{c}`")).collect();
            let _ = writeln!(
                out,
                "- **Signature**: {} {} in {}{}",
                s.encoding.name(),
                s.algorithm.name(),
                carriers.join(" or "),
                match &s.separator {
                    Some(sep) => format!(", a list separated by `{sep}`"),
                    None => String::new(),
                }
            );
            let _ = writeln!(out, "- **Signed content**: `{}`", s.signed.source());
            let family = p.scheme_family();
            let symmetric = family.starts_with("hmac-") || family.starts_with("keyed-");
            let mut key = if symmetric {
                s.secret.describe().to_string()
            } else {
                "see the notes (this scheme's key is not an HMAC secret)".to_string()
            };
            if !s.secret_prefix.is_empty() {
                let prefixes: Vec<String> =
                    s.secret_prefix.iter().map(|x| format!("`{x}`")).collect();
                key = format!("{} taken off, then {key}", prefixes.join(" or "));
            }
            let _ = writeln!(out, "- **Key**: {key}");
            let tolerance = match s.tolerance {
                None => "none: the timestamp is not checked".to_string(),
                Some(t) => format!(
                    "{}{}{}",
                    dur(t),
                    if s.past_only {
                        " into the past; a timestamp ahead of the clock passes"
                    } else {
                        " either way"
                    },
                    timestamp_source(p, s)
                        .map(|src| format!(", read from {src}"))
                        .unwrap_or_default()
                ),
            };
            let _ = writeln!(out, "- **Tolerance**: {tolerance}");
        }
    }
    let retries = if p.retry.delays.is_empty() {
        format!(
            "none simulated (see the notes); one attempt with a {} timeout",
            dur(p.retry.timeout)
        )
    } else {
        let delays: Vec<String> = p.retry.delays.iter().map(|d| dur(*d)).collect();
        format!(
            "{} retries, after {}; {} timeout per attempt",
            delays.len(),
            delays.join(", "),
            dur(p.retry.timeout)
        )
    };
    let _ = writeln!(out, "- **Retries**: {retries}");
    let handshakes: Vec<String> = p
        .events
        .values()
        .filter(|e| e.handshake)
        .map(|e| format!("the `{}` event: {}", e.name, e.description))
        .collect();
    let noted = p
        .notes
        .iter()
        .any(|n| n.to_lowercase().contains("handshake"));
    let handshake = match (handshakes.is_empty(), noted) {
        (false, _) => handshakes.join("; "),
        (true, true) => "yes, see the notes".to_string(),
        (true, false) => "none".to_string(),
    };
    let _ = writeln!(out, "- **Handshake**: {handshake}");
    let events: Vec<String> = p.events.keys().map(|e| format!("`{e}`")).collect();
    let _ = writeln!(out, "- **Events**: {}", events.join(", "));
    if !p.notes.is_empty() {
        out.push_str("- **Notes**:\n");
        for n in &p.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    let example = p
        .signature
        .as_ref()
        .and_then(|s| Some((example_secret_for(p, s)?, example_event(p)?)));
    if example.is_none() {
        let _ = write!(
            out,
            "\n```sh\n\
             # the whole definition, and the events it can send\n\
             hookctl profiles show {n}\n\
             hookctl events -p {n}\n\
             ```\n",
            n = p.name
        );
    }
    if let Some((secret, event)) = example {
        let secret = shell_word(&secret);
        let event = shell_word(event);
        // A URL-bound scheme signs the URL the provider calls (`send` signs its `--to`).
        let url = match p.signature.as_ref().is_some_and(|s| s.url_bound()) {
            true => " --url https://example.com/webhooks",
            false => "",
        };
        let _ = write!(
            out,
            "\n```sh\n\
             # a signed sample delivery, printed\n\
             hookctl sign -p {n} -e {event} --secret {secret}{url}\n\
             ```\n\n\
             Receive and verify on port 4242; then, from another terminal, send one:\n\n\
             <!-- examples: parse-only: two terminals, the first serving until stopped -->\n\
             ```sh\n\
             hookctl listen -p {n} --secret {secret}\n\
             hookctl send -p {n} -e {event} --secret {secret} --to http://127.0.0.1:4242/\n\
             ```\n",
            n = p.name,
        );
    }
}
