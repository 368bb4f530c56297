//! The audit's check names, in a leaf module that imports nothing: what `--only`
//! takes, readable without the audit's runner.

/// Every check, in the order they run (`replayed-delivery` right after `valid`, so
/// that an oracle's count is not moved by the other checks' valid deliveries).
pub const CHECK_NAMES: [&str; 16] = [
    "valid",
    "replayed-delivery",
    "tampered-body",
    "wrong-secret",
    "missing-signature",
    "malformed-signature",
    "stale-timestamp",
    "future-timestamp",
    "multiple-signatures",
    "reserialized-json",
    "non-ascii-body",
    "other-scheme",
    "oversized-body",
    "slow-body",
    "signature-leak",
    "slow-answer",
];
