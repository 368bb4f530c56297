//! The type of every JSON Lines record hookctl writes (`{"type":…,"data":…}`), in
//! one place: a consumer reads this list, not string literals scattered over the
//! commands. Each record's data is a typed value of the pipeline that made it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A server is up: `listen`, `relay`, `ui` and `mock --serve` (one shape,
    /// `output::listen::Listening`).
    Listening,
    /// A delivery `listen` received, or one a store listing shows.
    Delivery,
    /// Delivery lines `listen` could not show (stdout not read fast enough).
    Dropped,
    /// One attempt of a delivery `send` or `simulate --to` made.
    Attempt,
    /// How a command's work ended: a sent delivery, a load run, an audit.
    Result,
    /// The relay link's state, or a relay's own log line.
    Relay,
    /// `relay status`.
    RelayStatus,
    /// What `prune` removed (the store, or a relay's channels).
    Pruned,
    /// A replay that was sent (`replay`).
    Replay,
    /// A replay that would be sent (`replay --dry-run`).
    Planned,
    /// The request `send --dry-run` would send.
    Request,
    /// The headers `sign` made.
    Signature,
    /// A verdict of `verify`.
    Verification,
    /// One check of `audit`.
    Check,
    /// One step of `mock`.
    Step,
    /// `mock`'s tally.
    Summary,
    /// An event of a profile (`events`).
    Event,
    /// A profile (`profiles`).
    Profile,
    /// A key pair made (`keygen`).
    Keygen,
    /// A man page written (`man`).
    Man,
    /// Something the user should know that did not stop the command.
    Warning,
}

impl Event {
    /// The record's `type`.
    pub fn name(self) -> &'static str {
        match self {
            Event::Listening => "listening",
            Event::Delivery => "delivery",
            Event::Dropped => "dropped",
            Event::Attempt => "attempt",
            Event::Result => "result",
            Event::Relay => "relay",
            Event::RelayStatus => "relay_status",
            Event::Pruned => "pruned",
            Event::Replay => "replay",
            Event::Planned => "planned",
            Event::Request => "request",
            Event::Signature => "signature",
            Event::Verification => "verification",
            Event::Check => "check",
            Event::Step => "step",
            Event::Summary => "summary",
            Event::Event => "event",
            Event::Profile => "profile",
            Event::Keygen => "keygen",
            Event::Man => "man",
            Event::Warning => "warning",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_the_name_serde_gives() {
        for e in [
            Event::Listening,
            Event::RelayStatus,
            Event::Event,
            Event::Warning,
        ] {
            assert_eq!(serde_json::to_value(e).unwrap(), e.name());
        }
    }
}
