//! The body's bytes: a value changed, the JSON re-serialised, non-ASCII text.

use super::{grade_acceptance, grade_refusal, leaves};
use crate::audit::{Audit, Check, Grade};
use crate::clock::now_unix;
use crate::outbound::set_path;
use anyhow::{Context, Result};
use bytes::Bytes;
use serde_json::Value;

/// Text no receiver would have: a body field set to it must arrive as UTF-8.
const NON_ASCII: &str = "Zoë Ångström — 東京 🚀 «déjà vu»";

fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Keys that hold the envelope's own bookkeeping, left alone when a value is changed.
fn is_bookkeeping(path: &str) -> bool {
    let k = last_key(path).to_ascii_lowercase();
    [
        "id",
        "type",
        "event",
        "eventtype",
        "timestamp",
        "created",
        "deliveryid",
        "object",
    ]
    .contains(&k.as_str())
}

/// A value of the body changed (not only its spacing): an amount above all. The
/// changed body, what was done, and the field and its new value when it was one.
fn tamper(body: &[u8]) -> (Vec<u8>, String, Option<(String, Value)>) {
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        let mut all = Vec::new();
        leaves(&json, "", &mut all);
        let pick = all
            .iter()
            .find(|(p, v)| v.is_number() && last_key(p).to_ascii_lowercase().contains("amount"))
            .or_else(|| {
                all.iter()
                    .find(|(p, v)| v.is_number() && !is_bookkeeping(p))
            })
            .or_else(|| {
                all.iter()
                    .find(|(p, v)| v.is_string() && !is_bookkeeping(p))
            })
            .or_else(|| all.iter().find(|(_, v)| v.is_boolean()));
        if let Some((path, old)) = pick {
            let new = match old {
                Value::Number(n) => match n.as_i64() {
                    Some(0) => Value::from(100),
                    Some(i) => Value::from(i.saturating_mul(100)),
                    None => Value::from(n.as_f64().unwrap_or(0.0) * 100.0 + 1.0),
                },
                Value::String(s) => Value::String(format!("{s}-tampered")),
                Value::Bool(b) => Value::Bool(!b),
                other => other.clone(),
            };
            let told = format!("`{path}` changed from {old} to {new}");
            if set_path(&mut json, path, new.clone()).is_ok() {
                return (
                    crate::envelope::json::to_vec(&json),
                    told,
                    Some((path.clone(), new)),
                );
            }
        }
    }
    let mut out = body.to_vec();
    match out.iter().rposition(u8::is_ascii_alphanumeric) {
        Some(i) => {
            out[i] = if out[i] == b'a' { b'b' } else { b'a' };
            (out, format!("byte {i} of the body changed"), None)
        }
        None => {
            out.push(b'!');
            (out, "one byte added to the body".into(), None)
        }
    }
}

/// The body with a text field set to non-ASCII text (or one added).
fn with_non_ascii(body: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut json = serde_json::from_slice::<Value>(body).ok()?;
    let mut all = Vec::new();
    leaves(&json, "", &mut all);
    let texty = [
        "name",
        "message",
        "reply",
        "description",
        "title",
        "text",
        "comment",
    ];
    let path = all
        .iter()
        .find(|(p, v)| v.is_string() && texty.contains(&last_key(p).to_ascii_lowercase().as_str()))
        .or_else(|| {
            all.iter()
                .find(|(p, v)| v.is_string() && p.starts_with("data.") && !is_bookkeeping(p))
        })
        .or_else(|| {
            all.iter()
                .find(|(p, v)| v.is_string() && !is_bookkeeping(p))
        })
        .map(|(p, _)| p.clone())
        .or_else(|| json.is_object().then(|| "note".to_string()))?;
    set_path(&mut json, &path, Value::String(NON_ASCII.into())).ok()?;
    Some((crate::envelope::json::to_vec(&json), path))
}

impl Audit {
    pub(in crate::audit) async fn tampered(&mut self) -> Result<Check> {
        let name = "tampered-body";
        use crate::envelope::profile::Algorithm;
        if matches!(self.scheme().algorithm, Algorithm::Token | Algorithm::Basic) {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` authenticates with {}, which does not cover the body",
                    self.plan.profile.name,
                    self.scheme().algorithm.name()
                ),
            ));
        }
        let mut prepared = self.prepare(name, now_unix())?;
        let (body, told, field) = tamper(&prepared.body);
        let expected = self.expected_for(&prepared.built, &body, prepared.built.timestamp);
        prepared.body = Bytes::from(body);
        let result = self.probe(name, prepared, expected).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery signed, then {told}; the signature headers kept");
        c.expected = "4xx: the signature no longer matches the body".into();
        c.answered(&result);
        c.reproduce = match field {
            Some((path, new)) => {
                let text = match new {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                self.send_with(&format!(
                    "--tamper {}",
                    crate::show::shell_word(&format!("{path}={text}"))
                ))
            }
            None => self.audit_only(name),
        };
        Ok(c)
    }

    pub(in crate::audit) async fn reserialized(&mut self) -> Result<Check> {
        let name = "reserialized-json";
        let mut prepared = self.prepare(name, now_unix())?;
        let Ok(json) = serde_json::from_slice::<Value>(&prepared.body) else {
            return Ok(self.skip(name, "the profile's body is not JSON".into()));
        };
        let pretty = serde_json::to_vec_pretty(&json).context("could not pretty-print the body")?;
        let ts = prepared.built.timestamp;
        prepared.headers = self.plan.sign(&prepared.built, &pretty, ts)?;
        prepared.body = Bytes::from(pretty);
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent = "a delivery whose JSON is pretty-printed (2-space indents), signed over exactly those bytes".into();
        c.expected = "2xx: the signature is over the bytes sent, however they are spaced".into();
        c.answered(&result);
        c.reproduce = self.send_with("--pretty");
        Ok(c)
    }

    pub(in crate::audit) async fn non_ascii(&mut self) -> Result<Check> {
        let name = "non-ascii-body";
        let mut prepared = self.prepare(name, now_unix())?;
        let Some((body, path)) = with_non_ascii(&prepared.body) else {
            return Ok(self.skip(name, "the profile's body is not a JSON object".into()));
        };
        let ts = prepared.built.timestamp;
        prepared.headers = self.plan.sign(&prepared.built, &body, ts)?;
        prepared.body = Bytes::from(body);
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent =
            format!("a delivery with `{path}` set to \"{NON_ASCII}\", signed over its UTF-8 bytes");
        c.expected = "2xx".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!(
            "--set {}",
            crate::show::shell_word(&format!("{path}={NON_ASCII}"))
        ));
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tampering_changes_an_amount_not_the_spacing() {
        let (body, told, field) =
            tamper(br#"{"id":"evt_1","data":{"object":{"amount":2000,"currency":"usd"}}}"#);
        assert_eq!(
            field,
            Some(("data.object.amount".into(), Value::from(200000)))
        );
        assert_eq!(
            body,
            br#"{"id":"evt_1","data":{"object":{"amount":200000,"currency":"usd"}}}"#
        );
        assert_eq!(told, "`data.object.amount` changed from 2000 to 200000");
        // No number: a text field, not the id.
        let (body, told, _) = tamper(br#"{"id":"a","name":"Ada"}"#);
        assert_eq!(body, br#"{"id":"a","name":"Ada-tampered"}"#);
        assert!(told.contains("`name`"));
        // Not JSON: a byte.
        let (body, _, field) = tamper(b"a=1&b=2");
        assert!(field.is_none());
        assert_eq!(body, b"a=1&b=a");
    }

    #[test]
    fn non_ascii_goes_into_a_text_field() {
        let (body, path) = with_non_ascii(br#"{"type":"x","data":{"name":"Jane","n":1}}"#).unwrap();
        assert_eq!(path, "data.name");
        assert!(std::str::from_utf8(&body).unwrap().contains(NON_ASCII));
        assert!(with_non_ascii(b"[1,2]").is_none());
    }
}
