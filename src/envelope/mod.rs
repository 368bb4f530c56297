//! The signing/envelope core: profiles, templates, secrets, signing, verification and
//! the explanation of failures, retry policies, durations. Pure: no I/O, no printing, no async. Bodies are bytes.

pub mod catalog;
pub mod explain;
pub mod field;
pub mod handshake;
pub mod headers;
pub mod json;
pub mod keys;
pub mod mac;
pub mod outcome;
pub mod profile;
pub mod retry;
pub mod scheme;
pub mod schemes;
pub mod secret;
pub mod sign;
pub mod template;
pub mod units;
pub mod verify;

pub use catalog::{Catalog, ProfileError};
pub use headers::HeaderList;
pub use profile::Profile;
pub use secret::Secret;
pub use sign::{BuiltEvent, GivenData, SignError, SignInput};
pub use verify::{Failure, Received, Verification, VerifyError, VerifyOptions};

/// The known name nearest to a mistyped one, when it is near enough to be what was
/// meant: `did you mean …?`.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(typed, k), k))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// ` (did you mean `x`?)`, or nothing.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(typed, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}
