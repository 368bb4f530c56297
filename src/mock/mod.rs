//! `hookctl mock`: play a provider against the user's app. A profile's `[handshake]`
//! table (`crate::envelope::handshake`, compiled with the profile) says how the
//! provider makes an endpoint prove itself; this module works out the answers and
//! grades replies (pure), `engine` sends and schedules on a virtual clock.

pub mod clock;
pub mod engine;
pub mod grade;
pub mod serve;

pub use crate::envelope::handshake::*;

use serde_json::Value;
use std::time::Duration;

/// The answer a correct reply carries for `challenge`, keyed with `key`.
pub fn answer_for(h: &Handshake, challenge: &str, key: &[u8]) -> String {
    let body = match h.answer {
        Answer::Echo => challenge.to_string(),
        Answer::HmacSha256Hex => hex::encode(hmac256(key, challenge.as_bytes())),
        Answer::HmacSha256Base64 => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(hmac256(key, challenge.as_bytes()))
        }
    };
    format!("{}{body}", h.answer_prefix)
}

pub fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// Replaces the placeholders of a handshake's strings.
pub fn fill(text: &str, vals: &Values) -> String {
    text.replace("{challenge}", &vals.challenge)
        .replace("{verify_token}", &vals.verify_token)
        .replace("{uuid}", &vals.uuid)
        .replace("{timestamp.ms}", &vals.now_ms.to_string())
        .replace("{timestamp}", &(vals.now_ms / 1000).to_string())
}

/// What a handshake's templates may say.
pub struct Values {
    pub challenge: String,
    pub verify_token: String,
    pub uuid: String,
    pub now_ms: i64,
}

/// A handshake body with its placeholders filled.
pub fn fill_json(v: &Value, vals: &Values) -> Value {
    match v {
        Value::String(s) if s == "{timestamp}" => Value::from(vals.now_ms / 1000),
        Value::String(s) if s == "{timestamp.ms}" => Value::from(vals.now_ms),
        Value::String(s) => Value::String(fill(s, vals)),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill_json(x, vals)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), fill_json(x, vals)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `3s`, `1.2s`, `72h` for a message.
pub fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{} ms", d.as_millis());
    }
    if d < Duration::from_secs(60) && d.subsec_millis() != 0 {
        return format!("{:.1} s", d.as_secs_f64());
    }
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}
