//! Durations as users write them, and measured numbers as JSON shows them.

use std::time::Duration;

/// The longest duration hookctl takes anywhere (a timeout, a tolerance, a delay):
/// 100 years. Anything longer is a typo, and would overflow the clock's arithmetic.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Parses a duration like `5m`, `300s`, `1h 30m` or a bare number of seconds, at most
/// [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let d = match t.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(t).map_err(|e| {
            format!("`{text}` is not a duration ({e}); expected e.g. `300`, `5m`, `1h 30m`")
        })?,
    };
    if d > MAX_DURATION {
        return Err(format!("`{text}` is longer than the limit of 100 years"));
    }
    Ok(d)
}

/// A measured number rounded to three decimals (microseconds in a `_ms` field,
/// milliseconds in a `_secs` one): more digits are noise, and `0.6634190000000001`
/// helps nobody reading JSON.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Serialises an `f64` through [`round3`] (`#[serde(serialize_with = …)]`).
pub fn ser_round3<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round3(*x))
}

/// Serialises an `Option<f64>` through [`round3`].
pub fn ser_round3_opt<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&round3(*x)),
        None => s.serialize_none(),
    }
}
