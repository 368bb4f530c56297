//! A warning from below the commands (the store's, for now), rendered the one way:
//! `warning: …` on stderr, or with `--json` a `{"type":"warning","data":{…}}` record
//! with the same sentence as `message` beside the warning's own fields.

use super::Event;
use super::{Output, escape};
use serde::Serialize;
use std::fmt::Display;

/// A warning's JSON record: its sentence, then its kind and fields.
#[derive(Serialize)]
struct Record<'a, W: Serialize> {
    message: String,
    #[serde(flatten)]
    detail: &'a W,
}

/// Renders one warning. A warning that cannot be written (stdout closed under
/// `--json`) is dropped: it must not end the command, whose own output reports it.
pub fn render<W: Display + Serialize>(out: &Output, w: &W) {
    let message = w.to_string();
    if out.json {
        let _ = out.record(Event::Warning, &Record { message, detail: w });
    } else {
        out.warn(&escape(&message));
    }
}
