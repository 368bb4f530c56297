//! The audit's report: a card on the terminal (failures first), JUnit XML for CI and
//! Markdown for a pull request. Everything that came from the endpoint is untrusted
//! text and is escaped for where it goes.

use super::{Styles, escape};
use crate::audit::{Check, Grade, Totals};
use std::fmt::Write as _;

/// What was audited, for the reports' headings.
pub struct Subject<'a> {
    pub url: &'a str,
    pub profile: &'a str,
    pub event: &'a str,
}

/// One line of untrusted text: controls escaped, line breaks made spaces.
fn one_line(text: &str) -> String {
    escape(&text.replace(['\n', '\r', '\t'], " "))
}

fn label(s: &Styles, grade: Grade) -> String {
    let text = format!("{:<4}", grade.name().to_uppercase());
    match grade {
        Grade::Fail => s.fail(&text),
        Grade::Warn => s.warn(&text),
        Grade::Pass => s.ok(&text),
        Grade::Skip => s.dim(&text),
    }
}

/// The checks with failures first, then warnings, passes and skips, each group in
/// the order they ran.
pub fn ordered(checks: &[Check]) -> Vec<&Check> {
    let mut v: Vec<&Check> = checks.iter().collect();
    v.sort_by_key(|c| c.grade);
    v
}

fn totals_line(t: &Totals, n: usize) -> String {
    format!(
        "{}: {} pass, {} warn, {} fail, {} skip",
        super::plural(n as u64, "check", "checks"),
        t.pass,
        t.warn,
        t.fail,
        t.skip
    )
}

/// The report card for a terminal: a line per check, and for each failure and
/// warning what was sent, expected and got, why it matters, the fix and a command
/// that reproduces it.
pub fn card(s: &Styles, subject: &Subject, checks: &[Check], width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        s.strong(&format!(
            "Audit of {} as `{}` ({})",
            one_line(subject.url),
            subject.profile,
            subject.event
        ))
    );
    let indent = " ".repeat(6);
    let wrap_at = width.clamp(60, 120);
    let _ = writeln!(out);
    let mut detailed = false;
    for (i, c) in ordered(checks).into_iter().enumerate() {
        let full = matches!(c.grade, Grade::Fail | Grade::Warn);
        // A block of details stands apart from the lines around it.
        if i > 0 && (full || detailed) {
            let _ = writeln!(out);
        }
        detailed = full;
        let _ = writeln!(
            out,
            "{}  {:<20} {}",
            label(s, c.grade),
            c.name,
            one_line(&c.summary)
        );
        if !full {
            continue;
        }
        let rows = [
            ("sent", c.sent.as_str()),
            ("expected", c.expected.as_str()),
            ("got", c.got.as_str()),
            ("why", c.why),
            ("fix", c.fix.as_str()),
        ];
        for (name, text) in rows {
            if text.is_empty() {
                continue;
            }
            let first = format!("{indent}{} ", s.dim(&format!("{name:<9}")));
            let rest = " ".repeat(indent.len() + 10);
            let opts = textwrap::Options::new(wrap_at)
                .initial_indent(&first)
                .subsequent_indent(&rest);
            let _ = writeln!(out, "{}", textwrap::fill(&one_line(text), opts));
        }
        if !c.reproduce.is_empty() {
            let _ = writeln!(
                out,
                "{indent}{} {}",
                s.dim(&format!("{:<9}", "try")),
                one_line(&c.reproduce)
            );
        }
    }
    let t = Totals::of(checks);
    let line = totals_line(&t, checks.len());
    let _ = write!(
        out,
        "\n{}",
        if t.fail > 0 {
            s.fail(&line)
        } else if t.warn > 0 {
            s.warn(&line)
        } else {
            s.ok(&line)
        }
    );
    out
}

/// Text for XML: the five special characters escaped, and characters XML 1.0 cannot
/// hold at all (most controls) written as `\u{…}`.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                out.extend(c.escape_unicode())
            }
            c if (c as u32) >= crate::envelope::headers::ESCAPE_BASE => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

fn details(c: &Check) -> String {
    format!(
        "sent: {}\nexpected: {}\ngot: {}\nwhy: {}\nfix: {}\nreproduce: {}",
        c.sent, c.expected, c.got, c.why, c.fix, c.reproduce
    )
}

/// A JUnit XML report: one test case per check; a failure (and a warning, with
/// `--fail-on warn`) is a `<failure>`, a skip is `<skipped>`.
pub fn junit(subject: &Subject, checks: &[Check], warn_fails: bool) -> String {
    let failing = |g: Grade| g == Grade::Fail || (warn_fails && g == Grade::Warn);
    let failures = checks.iter().filter(|c| failing(c.grade)).count();
    let skipped = checks.iter().filter(|c| c.grade == Grade::Skip).count();
    let suite = format!("hookctl audit {} ({})", subject.url, subject.profile);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"hookctl audit\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        checks.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        xml(&suite),
        checks.len()
    );
    for c in checks {
        let time = c.latency_ms.unwrap_or(0.0) / 1e3;
        let _ = write!(
            out,
            "    <testcase classname=\"hookctl.audit.{}\" name=\"{}\" time=\"{time:.3}\"",
            xml(subject.profile),
            c.name
        );
        match c.grade {
            g if failing(g) => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&c.summary),
                    g.name(),
                    xml(&details(c))
                );
            }
            Grade::Skip => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&c.summary)
                );
            }
            Grade::Warn => {
                let _ = writeln!(
                    out,
                    ">\n      <system-out>warning: {}\n{}</system-out>\n    </testcase>",
                    xml(&c.summary),
                    xml(&details(c))
                );
            }
            _ => {
                let _ = writeln!(out, "/>");
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text for a Markdown table cell or line: no line breaks, `|` and markup escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        if matches!(
            c,
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Code in Markdown: fenced by more backticks than it holds.
fn md_code(text: &str) -> String {
    let text = one_line(text);
    let mut run = 0;
    let mut longest = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// A Markdown report: a table of every check, then the failures and warnings in full.
pub fn markdown(subject: &Subject, checks: &[Check]) -> String {
    let t = Totals::of(checks);
    let mut out = format!(
        "## Webhook audit: {} as `{}`\n\n{} (event `{}`).\n\n| | Check | Result |\n|---|---|---|\n",
        md(subject.url),
        md(subject.profile),
        totals_line(&t, checks.len()),
        md(subject.event),
    );
    for c in ordered(checks) {
        let mark = match c.grade {
            Grade::Fail => "❌ fail",
            Grade::Warn => "⚠️ warn",
            Grade::Pass => "✅ pass",
            Grade::Skip => "➖ skip",
        };
        let _ = writeln!(out, "| {mark} | `{}` | {} |", c.name, md(&c.summary));
    }
    for c in ordered(checks) {
        if !matches!(c.grade, Grade::Fail | Grade::Warn) {
            continue;
        }
        let _ = write!(
            out,
            "\n### {} `{}`\n\n- **Sent:** {}\n- **Expected:** {}\n- **Got:** {}\n- **Why it matters:** {}\n- **Fix:** {}\n",
            c.grade.name(),
            c.name,
            md(&c.sent),
            md(&c.expected),
            md(&c.got),
            md(c.why),
            md(&c.fix)
        );
        if !c.reproduce.is_empty() {
            let _ = writeln!(out, "- **Reproduce:** {}", md_code(&c.reproduce));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_markdown_escape_what_came_back() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1b}"
        );
        assert_eq!(md("a|b `c` <img>"), "a\\|b \\`c\\` \\<img\\>");
        assert_eq!(md_code("echo `x`"), "`` echo `x` ``");
        assert_eq!(one_line("a\nb\u{1b}"), "a b\\u{1b}");
    }
}
