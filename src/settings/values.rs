//! Values a user types: files or standard input, numbers in range, sizes, times
//! ago, URLs.

use crate::hint::hinted;
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("could not read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("could not read `{}`", path.display()))
}

/// Checks a user's number against the range a flag takes (which also refuses NaN and
/// the infinities): exit 2 with the flag, the value and the range.
pub fn check_range(value: f64, range: std::ops::RangeInclusive<f64>, flag: &str) -> Result<()> {
    if !range.contains(&value) {
        let shown = if value != 0.0 && value.is_finite() && !(1e-3..1e9).contains(&value.abs()) {
            format!("{value:e}")
        } else {
            format!("{value}")
        };
        bail!(
            "{flag} {shown} is out of range: it takes {} to {}",
            range.start(),
            range.end()
        );
    }
    Ok(())
}

/// A size such as `5MiB`, `512KiB`, `10MB`, `2k` or a number of bytes.
pub fn parse_size(text: &str) -> Result<usize> {
    crate::envelope::units::parse_size(text).map_err(anyhow::Error::msg)
}

/// The RFC 3339 time `text` (a duration) before now, for `--since` and `--older-than`.
pub fn rfc3339_ago(text: &str, flag: &str) -> Result<String> {
    let d = crate::envelope::profile::parse_duration(text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("could not read {flag}"))?;
    let at = std::time::SystemTime::now()
        .checked_sub(d)
        .unwrap_or(std::time::UNIX_EPOCH);
    Ok(humantime::format_rfc3339_millis(at).to_string())
}

/// A URL given for a scheme that signs it (`--url`, `--public-url`): http(s), whole.
pub fn checked_url(url: &str, flag: &str) -> Result<String> {
    let parsed =
        url::Url::parse(url).map_err(|e| anyhow::anyhow!("{flag} `{url}` is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        bail!("{flag} `{url}` is not an http:// or https:// URL");
    }
    // As given, byte for byte: the provider signed the text it had, not a normal form.
    Ok(url.to_string())
}

pub fn resolve_url(to: &str) -> Result<reqwest::Url> {
    // `localhost:4343` parses as a URL of scheme `localhost`: say what was meant.
    let suggest =
        || (!to.contains("://")).then(|| format!("write it with its scheme: `http://{to}`"));
    let url = match reqwest::Url::parse(to) {
        Ok(u) => u,
        Err(e) => {
            let msg = format!("`{to}` is not a URL ({e})");
            return Err(match suggest() {
                Some(h) => hinted(msg, h),
                None => anyhow::Error::msg(msg),
            });
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        let msg = format!("`{to}`: only http:// and https:// URLs can be sent to");
        return Err(match suggest() {
            Some(h) => hinted(msg, h),
            None => anyhow::Error::msg(msg),
        });
    }
    Ok(url)
}

/// `--data`: inline JSON, `-`, or a file.
pub fn read_data(arg: &str) -> Result<serde_json::Value> {
    let t = arg.trim_start();
    let bytes = if t.starts_with('{') || t.starts_with('[') {
        arg.as_bytes().to_vec()
    } else {
        read_input(std::path::Path::new(arg))
            .context("could not read --data (inline JSON, a file, or -)")?
    };
    serde_json::from_slice(&bytes).context("--data is not JSON")
}
