//! Event-name globs (`--route`, `--wait-for`, `replay --event`): `*` any run of
//! characters, `?` one character, `[abc]` a set, `{a,b}` alternatives, compiled once
//! by `globset` (into a regular expression).
//!
//! A match costs at most the name's length times the pattern's in the worst case (a
//! hand-written backtracking matcher took a minute per delivery on a 4 MB event name
//! against a 10,000-character pattern, and an automaton does no better on that
//! pattern). Event names are short, so a name over [`MAX_EVENT_NAME`] bytes matches
//! no glob at all: that keeps every match within a bound a sender cannot raise.

use globset::{GlobBuilder, GlobMatcher};

/// The longest event name a glob is matched against; longer ones match nothing.
pub const MAX_EVENT_NAME: usize = 1024;

/// A compiled event-name glob.
#[derive(Debug, Clone)]
pub struct EventGlob {
    text: String,
    matcher: GlobMatcher,
}

impl EventGlob {
    /// Compiles `pattern`; the error says what is wrong with it.
    pub fn new(pattern: &str) -> Result<EventGlob, String> {
        let glob = GlobBuilder::new(pattern)
            // Event names are not paths: `*` crosses `/` and `.` alike.
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("`{pattern}` is not a glob: {}", e.kind()))?;
        Ok(EventGlob {
            text: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `name` matches; a name over [`MAX_EVENT_NAME`] bytes never does.
    pub fn matches(&self, name: &str) -> bool {
        name.len() <= MAX_EVENT_NAME && self.matcher.is_match(name)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        EventGlob::new(p).unwrap().matches(t)
    }

    #[test]
    fn matches_event_names() {
        assert!(m("ticket.*", "ticket.created"));
        assert!(m("*", "anything"));
        assert!(m("*", ""));
        assert!(m("a?c", "abc"));
        assert!(!m("ticket.*", "message.created"));
        assert!(m("*.created", "message.created"));
        assert!(!m("a*b", "acd"));
        assert!(m("repo/*", "repo/a/b"));
        assert!(m("{push,pull_request}", "push"));
        assert!(EventGlob::new("[a").is_err());
    }

    #[test]
    fn a_hostile_name_is_not_matched_past_the_limit() {
        // `*` then 10,000 literal characters against a 4 MB name that almost matches
        // everywhere: a backtracking matcher does 4 * 10^10 steps.
        let pattern = format!("*{}b", "a".repeat(10_000));
        let glob = EventGlob::new(&pattern).unwrap();
        assert!(!glob.matches(&"a".repeat(4 << 20)));
        assert!(!glob.matches(&format!("{}b", "a".repeat(4 << 20))));
        // At the limit the pattern still works as written.
        let short = EventGlob::new(&format!("*{}b", "a".repeat(100))).unwrap();
        assert!(short.matches(&format!("{}b", "a".repeat(MAX_EVENT_NAME - 1))));
        assert!(!short.matches(&"a".repeat(MAX_EVENT_NAME)));
        assert!(!short.matches(&format!("{}b", "a".repeat(MAX_EVENT_NAME))));
    }
}
