//! A delivery as a HAR 1.2 entry (the inspector's "Export HAR", `deliveries export
//! --har`): the request with an absolute URL, and the answer as it was recorded.
//!
//! Decisions where HAR and the store do not meet:
//! - A received delivery records its path; its URL is made absolute from the
//!   recorded `Host` header, with the scheme from `X-Forwarded-Proto` when a proxy
//!   (or the relay) said it, else `http` (the store does not keep whether `listen`
//!   ran with TLS). Without a `Host` it stays as recorded.
//! - The answer is the last attempt's that got one: status, headers and body. An
//!   entry whose every attempt failed without an answer has status 0 and the error in
//!   `response._error` and the comment, as browsers write a failed request.
//! - Timings: the store keeps one figure per attempt, the time to the whole answer,
//!   which goes in `wait`; `send` and `receive` are 0.

use crate::store::{StoredAttempt, StoredDelivery};
use base64::Engine;
use serde_json::{Value, json};

/// The request's URL, absolute where the record allows.
pub fn absolute_url(d: &StoredDelivery) -> String {
    if d.url.contains("://") {
        return d.url.clone();
    }
    let Some(host) = d
        .headers
        .get("host")
        .map(str::trim)
        .filter(|h| !h.is_empty())
    else {
        return d.url.clone();
    };
    let scheme = match d.headers.get("x-forwarded-proto").map(str::trim) {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let path = if d.url.starts_with('/') {
        d.url.as_str()
    } else {
        "/"
    };
    format!("{scheme}://{host}{path}")
}

fn pairs(h: Option<&crate::envelope::HeaderList>) -> Vec<Value> {
    h.map(|h| {
        h.iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    })
    .unwrap_or_default()
}

/// A body as HAR's `text` (and `encoding` when it is not UTF-8).
fn content(body: &[u8], mime: &str) -> Value {
    match std::str::from_utf8(body) {
        Ok(t) => json!({"size": body.len(), "mimeType": mime, "text": t}),
        Err(_) => json!({
            "size": body.len(),
            "mimeType": mime,
            "text": base64::engine::general_purpose::STANDARD.encode(body),
            "encoding": "base64",
        }),
    }
}

/// One HAR entry for a delivery and its attempts.
pub fn entry(d: &StoredDelivery, attempts: &[StoredAttempt], verdict: &str) -> Value {
    let answered = attempts.iter().rev().find(|a| a.status.is_some());
    let last = answered.or(attempts.last());
    let url = absolute_url(d);
    let query: Vec<Value> = reqwest::Url::parse(&url)
        .map(|u| {
            u.query_pairs()
                .map(|(n, v)| json!({"name": n, "value": v}))
                .collect()
        })
        .unwrap_or_default();
    let request_headers = last
        .and_then(|a| a.request_headers.as_ref())
        .unwrap_or(&d.headers);
    let wait = last.and_then(|a| a.latency_ms).unwrap_or(0.0).max(0.0);
    let response = match answered {
        Some(a) => {
            let status = a.status.unwrap_or(0);
            let body = a.response_body.as_deref().unwrap_or_default();
            let mime = a
                .response_headers
                .as_ref()
                .and_then(|h| h.get("content-type"))
                .unwrap_or("");
            json!({
                "status": status,
                "statusText": reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or(""),
                "httpVersion": "HTTP/1.1",
                "headers": pairs(a.response_headers.as_ref()),
                "cookies": [],
                "content": content(body, mime),
                "redirectURL": a.response_headers.as_ref().and_then(|h| h.get("location")).unwrap_or(""),
                "headersSize": -1,
                "bodySize": body.len(),
            })
        }
        None => json!({
            "status": 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": last.and_then(|a| a.error.clone()),
        }),
    };
    json!({
        "startedDateTime": last.map(|a| a.started_at.as_str()).unwrap_or(&d.created_at),
        "time": wait,
        "request": {
            "method": d.method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": pairs(Some(request_headers)),
            "queryString": query,
            "cookies": [],
            "headersSize": -1,
            "bodySize": d.body.len(),
            "postData": content(&d.body, d.headers.get("content-type").unwrap_or("")),
        },
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": wait, "receive": 0},
        "comment": format!(
            "hookctl store id {}; {} by {}; verdict {verdict}; {}{}",
            d.id,
            if d.direction == "in" { "received" } else { "sent" },
            d.source,
            d.outcome,
            d.replay_of.map(|o| format!("; replay of #{o}")).unwrap_or_default()
        ),
    })
}

/// The HAR document around `entries`.
pub fn document(entries: Vec<Value>) -> Value {
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "hookctl", "version": env!("CARGO_PKG_VERSION")},
        "entries": entries,
    }})
}

/// A body larger than this is left out of an export (said so in the entry): an
/// export holds one delivery at a time in memory, whatever the store holds.
/// `deliveries show ID --raw` gives such a body whole.
pub const EXPORT_BODY_MAX: usize = 16 << 20;

/// The document's text before its entries, for a HAR written an entry at a time:
/// this, then the entries separated by commas, then [`STREAM_END`].
pub fn stream_start() -> String {
    let whole = document(Vec::new()).to_string();
    let cut = whole
        .rfind("[]")
        .expect("the empty document ends with its entries");
    format!("{}[", &whole[..cut])
}

/// What closes [`stream_start`]'s document.
pub fn stream_end() -> String {
    let whole = document(Vec::new()).to_string();
    let cut = whole
        .rfind("[]")
        .expect("the empty document ends with its entries");
    whole[cut + 1..].to_string()
}

/// An entry whose request body was left out of the export: its size, and why.
pub fn body_left_out(entry: &mut Value, bytes: u64) {
    entry["request"]["bodySize"] = json!(bytes);
    entry["request"]["postData"]["text"] = json!("");
    entry["request"]["postData"]["comment"] = json!(format!(
        "the body ({bytes} bytes) is over the export's {} MiB a body: `hookctl deliveries show ID --raw` gives it whole",
        EXPORT_BODY_MAX >> 20
    ));
}
