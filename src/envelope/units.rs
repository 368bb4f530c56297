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

/// Parses a size such as `5MiB`, `512KiB`, `10MB`, `2k` or a number of bytes. A
/// size past what this machine can count is refused, not wrapped.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 5MiB, 512KiB, 1048576)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (use B, KB, KiB, MB, MiB, GB, GiB)"
            ));
        }
    };
    let bytes = n * mult;
    if !bytes.is_finite() || bytes >= usize::MAX as f64 {
        return Err(format!("`{text}` is larger than this machine can count"));
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("5MiB"), Ok(5 << 20));
        assert_eq!(parse_size("2k"), Ok(2000));
        assert_eq!(parse_size(" 1048576 "), Ok(1 << 20));
        assert!(
            parse_size("5 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_size("MiB").unwrap_err().contains("not a size"));
        assert!(
            parse_size("99999999999999999999GiB")
                .unwrap_err()
                .contains("larger")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(
            parse_duration("200years")
                .unwrap_err()
                .contains("100 years")
        );
    }
}
