//! What verification takes and gives: the received request, the options, the verdict
//! and each reason a request fails. Shared by `verify` and the schemes it checks.

use super::headers::HeaderList;
use super::secret::Secret;
use super::template::TimeFormat;
use serde::Serialize;
use std::time::Duration;

/// A received request, as far as verification cares.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
}

/// How to verify: the secrets to try, the clock, and the tolerance.
#[derive(Debug, Clone)]
pub struct VerifyOptions<'a> {
    pub secrets: &'a [Secret],
    /// Unix seconds taken as now.
    pub now: i64,
    /// `None`: the profile's tolerance; `Some(None)`: do not check; `Some(Some(d))`: d.
    pub tolerance: Option<Option<Duration>>,
}

/// Why a request does not verify. Each kind of tampering has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Failure {
    MissingHeader {
        header: String,
    },
    BodyDigestMismatch {
        header: String,
    },
    MalformedHeader {
        header: String,
        expected: String,
        got: String,
    },
    BadSignatureEncoding {
        header: String,
        encoding: String,
    },
    TimestampTooOld {
        age_secs: i64,
        tolerance_secs: u64,
    },
    TimestampTooNew {
        ahead_secs: i64,
        tolerance_secs: u64,
    },
    NoMatch {
        signatures: usize,
        secrets: usize,
    },
    /// A JWT-carried signature refused before or after its signature was checked.
    Jwt {
        reason: String,
    },
    /// The scheme signs the URL the provider called, and none was given.
    NeedsUrl,
}

impl Failure {
    pub fn code(&self) -> &'static str {
        match self {
            Failure::MissingHeader { .. } => "missing_header",
            Failure::BodyDigestMismatch { .. } => "body_digest_mismatch",
            Failure::MalformedHeader { .. } => "malformed_header",
            Failure::BadSignatureEncoding { .. } => "bad_signature_encoding",
            Failure::TimestampTooOld { .. } => "timestamp_too_old",
            Failure::TimestampTooNew { .. } => "timestamp_too_new",
            Failure::NoMatch { .. } => "no_match",
            Failure::Jwt { .. } => "jwt_invalid",
            Failure::NeedsUrl => "url_needed",
        }
    }
}

fn dur(secs: u64) -> String {
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::MissingHeader { header } => write!(f, "missing header `{header}`"),
            Failure::BodyDigestMismatch { header } => {
                write!(
                    f,
                    "the body does not match its digest in `{header}`: it was changed after signing"
                )
            }
            Failure::MalformedHeader {
                header,
                expected,
                got,
            } => {
                write!(
                    f,
                    "malformed header `{header}`: expected `{expected}`, got `{got}`"
                )
            }
            Failure::BadSignatureEncoding { header, encoding } => {
                write!(f, "the signature in `{header}` is not valid {encoding}")
            }
            Failure::TimestampTooOld {
                age_secs,
                tolerance_secs,
            } => write!(
                f,
                "timestamp too old: signed {} ago, {} beyond the {} tolerance",
                dur(*age_secs as u64),
                dur(*age_secs as u64 - tolerance_secs),
                dur(*tolerance_secs)
            ),
            Failure::TimestampTooNew {
                ahead_secs,
                tolerance_secs,
            } => write!(
                f,
                "timestamp too new: signed {} in the future, {} beyond the {} tolerance",
                dur(*ahead_secs as u64),
                dur(*ahead_secs as u64 - tolerance_secs),
                dur(*tolerance_secs)
            ),
            Failure::NoMatch {
                signatures,
                secrets,
            } => write!(
                f,
                "no signature matches: {signatures} signature{} checked against {secrets} secret{}",
                if *signatures == 1 { "" } else { "s" },
                if *secrets == 1 { "" } else { "s" },
            ),
            Failure::Jwt { reason } => write!(f, "{reason}"),
            Failure::NeedsUrl => write!(
                f,
                "the profile signs the URL the provider called: give it with --url (verify) or --public-url (listen)"
            ),
        }
    }
}

/// The verdict, with what could be read from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub valid: bool,
    /// A sentence: why it is valid or not.
    pub reason: String,
    pub profile: String,
    pub event: Option<String>,
    pub id: Option<String>,
    pub timestamp: Option<i64>,
    /// 1-based index of the secret that matched.
    pub matched_secret: Option<usize>,
    /// Whether the signature itself matched, even if the timestamp check failed.
    pub signature_matches: Option<bool>,
    pub failure: Option<Failure>,
}

/// What the profile's headers say about a request, read through their templates.
#[derive(Debug, Clone, Default)]
pub struct Parsed<'a> {
    pub event: Option<String>,
    pub id: Option<String>,
    pub timestamp: Option<(i64, &'a str, TimeFormat)>,
    pub signatures: Vec<&'a str>,
}

pub fn time_format_name(f: TimeFormat) -> &'static str {
    match f {
        TimeFormat::Unix => "unix seconds",
        TimeFormat::UnixMs => "unix milliseconds",
        TimeFormat::Rfc3339 => "RFC 3339",
        TimeFormat::Http => "an HTTP date",
    }
}

/// A header value cut short for messages.
pub fn preview(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}
