//! An ordered header list that keeps repeats and original spelling.
//!
//! A `HashMap` would lose repeated headers and their order; webhook tooling must not
//! (svix-cli's relay lost repeated headers that way).

use serde::{Deserialize, Serialize};

/// Headers in the order they were given, names as spelled, repeats kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderList(Vec<(String, String)>);

/// A `Name: value` line that could not be read as a header.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum HeaderLineError {
    #[error("malformed header `{0}`: expected `Name: value`")]
    NoColon(String),
    #[error(
        "malformed header `{0}`: the name is empty or has characters a header name cannot have"
    )]
    BadName(String),
    #[error("malformed header `{0}`: the value has control characters")]
    BadValue(String),
}

impl HeaderList {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// The value of entry `i`, emptied, under `name`, keeping the strings' memory
    /// (an entry is added when `i` is the length; `i` is at most the length). For
    /// lists rewritten once per request, entry by entry from the first;
    /// [`truncate`](Self::truncate) drops what is left over.
    pub fn reuse(&mut self, i: usize, name: &str) -> &mut String {
        if i == self.0.len() {
            self.0.push((name.to_string(), String::new()));
        }
        let (n, v) = &mut self.0[i];
        if n != name {
            n.clear();
            n.push_str(name);
        }
        v.clear();
        v
    }

    /// Moves the last entry to position `at`, shifting the ones after it.
    pub fn move_last_to(&mut self, at: usize) {
        let len = self.0.len();
        if at < len {
            self.0[at..].rotate_right(1);
        }
    }

    pub fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Puts a header at position `at` (the end, when past it).
    pub fn insert(&mut self, at: usize, name: impl Into<String>, value: impl Into<String>) {
        self.0
            .insert(at.min(self.0.len()), (name.into(), value.into()));
    }

    /// Replaces every header of that name (case-insensitive) by one, at the first
    /// one's place, or appends it.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.0[i].1 = value;
                let mut k = 0;
                self.0.retain(|(n, _)| {
                    k += 1;
                    k - 1 == i || !n.eq_ignore_ascii_case(name)
                });
            }
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads one `Name: value` line (as given to `-H` or found in a raw request).
    pub fn parse_line(line: &str) -> Result<(String, String), HeaderLineError> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some((name, value)) = line.split_once(':') else {
            return Err(HeaderLineError::NoColon(line.to_string()));
        };
        if !is_token(name) {
            return Err(HeaderLineError::BadName(line.to_string()));
        }
        let value = value.trim_matches(|c| c == ' ' || c == '\t');
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(HeaderLineError::BadValue(line.to_string()));
        }
        Ok((name.to_string(), value.to_string()))
    }
}

impl FromIterator<(String, String)> for HeaderList {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for HeaderList {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Header values travel as bytes, and a few senders put bytes in them that are not
/// UTF-8 (Latin-1 names, say). hookctl keeps every value as text, so that signing and
/// verifying stay simple, and carries such bytes through unchanged by a reversible
/// mapping, as Python's `surrogateescape` does: a byte that is not part of valid UTF-8
/// becomes the code point `ESCAPE_BASE + byte`, in a private-use plane that no header
/// holds in practice (a value that does hold one is escaped byte by byte too, so that
/// bytes → text → bytes is always the identity). [`value_to_bytes`] undoes it when the
/// value goes back on the wire; `escape` in `show` shows such bytes as `\xNN`.
pub const ESCAPE_BASE: u32 = 0x10_FF00;

/// The byte a code point stands for, when it is one of the escaped ones.
pub fn escaped_byte(c: char) -> Option<u8> {
    let c = c as u32;
    (ESCAPE_BASE..=ESCAPE_BASE + 0xFF)
        .contains(&c)
        .then(|| (c - ESCAPE_BASE) as u8)
}

fn escape_byte(b: u8) -> char {
    char::from_u32(ESCAPE_BASE + b as u32).expect("a private-use code point")
}

/// A header value's bytes as text (see [`ESCAPE_BASE`]).
pub fn value_from_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    // U+10FF00 and above start with 0xF4 in UTF-8; without that byte valid UTF-8
    // stands for itself.
    if !bytes.contains(&0xF4)
        && let Ok(s) = std::str::from_utf8(bytes)
    {
        return s.into();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if escaped_byte(c).is_some() {
                let mut buf = [0; 4];
                out.extend(c.encode_utf8(&mut buf).bytes().map(escape_byte));
            } else {
                out.push(c);
            }
        }
        out.extend(chunk.invalid().iter().map(|&b| escape_byte(b)));
    }
    out.into()
}

/// A header value as bytes on the wire: [`value_from_bytes`] undone.
pub fn value_to_bytes(value: &str) -> std::borrow::Cow<'_, [u8]> {
    if !value.as_bytes().contains(&0xF4) {
        return value.as_bytes().into();
    }
    let mut out = Vec::with_capacity(value.len());
    for c in value.chars() {
        match escaped_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.into()
}

/// Whether `text` is an RFC 9110 token (`tchar`s, at least one): what a header name
/// or a method must be.
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_repeats() {
        let mut h = HeaderList::new();
        h.push("X-A", "1");
        h.push("x-b", "2");
        h.push("X-a", "3");
        assert_eq!(h.get("x-A"), Some("1"));
        assert_eq!(h.get_all("x-a").collect::<Vec<_>>(), ["1", "3"]);
        h.set("X-A", "9");
        assert_eq!(h.iter().collect::<Vec<_>>(), [("X-A", "9"), ("x-b", "2")]);
    }

    #[test]
    fn bytes_that_are_not_utf8_survive_the_round_trip() {
        let cases: [&[u8]; 6] = [
            b"plain",
            b"caf\xe9",
            b"\xff\xfe\x00x",
            "\u{10FF41} stands for itself".as_bytes(),
            b"\xf4\x8f\xbc",
            "é ü".as_bytes(),
        ];
        for bytes in cases {
            let text = value_from_bytes(bytes);
            assert_eq!(&*value_to_bytes(&text), bytes, "{bytes:?}");
        }
        assert_eq!(value_from_bytes(b"caf\xe9"), "caf\u{10FFE9}");
        assert!(matches!(
            value_from_bytes(b"ascii"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn parses_lines() {
        assert_eq!(
            HeaderList::parse_line("X-Sig:  sha256=ab \r").unwrap(),
            ("X-Sig".into(), "sha256=ab".into())
        );
        assert!(matches!(
            HeaderList::parse_line("nocolon"),
            Err(HeaderLineError::NoColon(_))
        ));
        assert!(matches!(
            HeaderList::parse_line("bad name: v"),
            Err(HeaderLineError::BadName(_))
        ));
        assert!(matches!(
            HeaderList::parse_line(": v"),
            Err(HeaderLineError::BadName(_))
        ));
        assert!(matches!(
            HeaderList::parse_line("X: a\u{1b}b"),
            Err(HeaderLineError::BadValue(_))
        ));
    }
}
