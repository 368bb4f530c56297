//! Grading a reply to a handshake: PASS, or FAIL with the precise reason.

use super::{Form, Handshake, ReplyDef};
use crate::envelope::HeaderList;
use serde_json::Value;
use std::time::Duration;

/// What came back (the parts grading reads).
pub struct Reply<'a> {
    pub status: u16,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
    pub latency: Duration,
}

/// What the challenge was, for the diagnosis.
pub struct Asked<'a> {
    pub challenge: &'a str,
    /// The challenge as it went in the query string (URL-encoded), if it did.
    pub encoded: Option<&'a str>,
    pub answer: &'a str,
    /// The HMAC bytes, when the answer is one.
    pub mac: Option<&'a [u8]>,
    /// The challenge is the secret: never shown.
    pub secret: bool,
}

/// The media type of a Content-Type value, lower-case, without parameters.
fn media(v: &str) -> String {
    v.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Up to 60 characters of an untrusted text, for a message.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    format!("{:?}", s)
}

fn value_for(v: &Value, asked: &Asked) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.replace("{answer}", asked.answer)
                .replace("{challenge}", asked.challenge),
        ),
        other => other.clone(),
    }
}

fn at_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, k| match cur {
        Value::Object(o) => o.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The outcome of one form: `Ok` when it passes, else what is wrong and how close
/// it came (2: only the content type or a header is wrong; 1: the body's shape is
/// right but the value is not; 0: not this form at all).
fn try_form(
    r: &ReplyDef,
    reply: &Reply,
    asked: &Asked,
    provider: &str,
) -> Result<(), (u8, String)> {
    let text = String::from_utf8_lossy(reply.body);
    let got_ct = reply.headers.get("Content-Type").map(media);
    // The value the form carries, checked against what it must carry.
    let body_check: Result<(), (u8, String)> = match r.form {
        Form::Any => Ok(()),
        Form::Text => {
            let t = text.trim_end_matches(['\r', '\n']);
            if t == asked.answer {
                Ok(())
            } else {
                Err((1, wrong_value(t, asked, provider, "the body")))
            }
        }
        Form::Header => {
            let name = r.name.as_deref().unwrap_or("");
            match reply.headers.get(name) {
                Some(v) if v.trim() == asked.answer => Ok(()),
                Some(v) => Err((
                    1,
                    wrong_value(v.trim(), asked, provider, &format!("the `{name}` header")),
                )),
                None => Err((
                    0,
                    format!(
                        "{provider} wants the challenge echoed in a `{name}` reply header; there is none"
                    ),
                )),
            }
        }
        Form::Json => match serde_json::from_slice::<Value>(reply.body) {
            Err(_) => Err((
                0,
                format!(
                    "the reply is not JSON; {provider} wants a JSON object with {}",
                    field_list(r)
                ),
            )),
            Ok(v) => {
                let mut res = Ok(());
                for (path, want) in &r.fields {
                    let want = value_for(want, asked);
                    match at_path(&v, path) {
                        Some(got) if *got == want => {}
                        Some(Value::String(got)) if want.is_string() => {
                            res = Err((
                                1,
                                wrong_value(
                                    got,
                                    &Asked {
                                        answer: want.as_str().unwrap_or(""),
                                        ..*asked
                                    },
                                    provider,
                                    &format!("`{path}`"),
                                ),
                            ));
                            break;
                        }
                        Some(got) => {
                            res = Err((
                                1,
                                format!(
                                    "{provider} wants `{path}` to be {}; it is {}",
                                    shown_json(&want, asked),
                                    shown(&got.to_string())
                                ),
                            ));
                            break;
                        }
                        None => {
                            res = Err((
                                0,
                                format!(
                                    "the JSON reply has no `{path}`; {provider} wants {}",
                                    field_list(r)
                                ),
                            ));
                            break;
                        }
                    }
                }
                res
            }
        },
        Form::Form => {
            let pairs: Vec<(String, String)> =
                form_urlencoded::parse(reply.body).into_owned().collect();
            let mut res = Ok(());
            for (k, want) in &r.fields {
                let want = value_for(want, asked);
                let want = want
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| want.to_string());
                match pairs.iter().find(|(n, _)| n == k) {
                    Some((_, v)) if *v == want => {}
                    Some((_, v)) => {
                        res = Err((
                            1,
                            wrong_value(
                                v,
                                &Asked {
                                    answer: &want,
                                    ..*asked
                                },
                                provider,
                                &format!("`{k}`"),
                            ),
                        ));
                        break;
                    }
                    None => {
                        res = Err((0, format!("the form reply has no `{k}`")));
                        break;
                    }
                }
            }
            res
        }
    };
    body_check?;
    if let Some(ct) = &r.content_type
        && got_ct.as_deref() != Some(ct.as_str())
    {
        return Err((
            2,
            format!(
                "the body is right but {provider} needs `Content-Type: {ct}`; the reply has {}",
                got_ct
                    .map(|c| format!("`{c}`"))
                    .unwrap_or_else(|| "none".into())
            ),
        ));
    }
    for (n, v) in &r.headers {
        match reply.headers.get(n) {
            Some(got) if got.trim().eq_ignore_ascii_case(v) => {}
            _ => {
                return Err((
                    2,
                    format!("the body is right but {provider} needs `{n}: {v}` on the reply"),
                ));
            }
        }
    }
    Ok(())
}

fn field_list(r: &ReplyDef) -> String {
    let names: Vec<String> = r.fields.keys().map(|k| format!("`{k}`")).collect();
    names.join(" and ")
}

fn shown_json(v: &Value, asked: &Asked) -> String {
    if asked.secret {
        return "the value sent".into();
    }
    v.to_string()
}

/// Why `got` is not the answer: the usual mistakes named.
fn wrong_value(got: &str, asked: &Asked, provider: &str, place: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    if got.is_empty() {
        return format!(
            "{place} is empty; {provider} wants the {}",
            what_answer(asked)
        );
    }
    if asked.secret {
        return format!("{place} does not hold the value {provider} sent");
    }
    if let Some(enc) = asked.encoded
        && got == enc
        && enc != asked.challenge
    {
        return format!(
            "{provider} wants the URL-decoded token; {place} holds it still URL-encoded"
        );
    }
    if got == asked.challenge && asked.answer != asked.challenge {
        return format!(
            "{place} echoes the token itself; {provider} wants {}",
            what_answer(asked)
        );
    }
    let sha = sha2::Sha256::digest_of(asked.challenge.as_bytes());
    if got.ends_with(&hex::encode(&sha)) || got.ends_with(&b64.encode(&sha)) {
        return format!(
            "{provider}'s answer is {}; you sent the SHA-256 of the token",
            what_answer(asked)
        );
    }
    // The right HMAC in the other encoding.
    if let Some(mac) = asked.mac {
        let (h, b) = (hex::encode(mac), b64.encode(mac));
        let bare = got.trim_start_matches("sha256=").trim_start_matches("v0=");
        if bare == h && !asked.answer.ends_with(&h) {
            return format!("right HMAC, wrong encoding: {provider} wants it in base64, not hex");
        }
        if bare == b && !asked.answer.ends_with(&b) {
            return format!("right HMAC, wrong encoding: {provider} wants it in hex, not base64");
        }
    }
    if asked.answer.ends_with(got) && asked.answer != got {
        let prefix = &asked.answer[..asked.answer.len() - got.len()];
        return format!("{provider} wants the answer prefixed with `{prefix}`; {place} lacks it");
    }
    format!(
        "{place} is {}; {provider} wants {}",
        shown(got),
        shown(asked.answer)
    )
}

fn what_answer(asked: &Asked) -> String {
    if asked.answer == asked.challenge {
        "challenge echoed".into()
    } else if asked.answer.len() == 64 && hex::decode(asked.answer).is_ok() {
        "HMAC-SHA256(secret, token) in hex".into()
    } else {
        "HMAC-SHA256(secret, token) in base64".into()
    }
}

trait DigestOf {
    fn digest_of(b: &[u8]) -> Vec<u8>;
}
impl DigestOf for sha2::Sha256 {
    fn digest_of(b: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        sha2::Sha256::digest(b).to_vec()
    }
}

/// Grades a reply to a challenge: `Ok(detail)` or `Err(reason)`.
pub fn grade(h: &Handshake, reply: &Reply, asked: &Asked) -> Result<String, String> {
    let p = &h.provider;
    if reply.latency > h.deadline {
        return Err(format!(
            "answered after {}; {p} gives up at {}",
            super::human(reply.latency),
            super::human(h.deadline)
        ));
    }
    if !h.status.contains(&reply.status) {
        let want: Vec<String> = h.status.iter().map(|s| s.to_string()).collect();
        let hint =
            if reply.status == 403 && h.query.iter().any(|(_, v)| v.contains("{verify_token}")) {
                " (does the app expect another verify token? pass --verify-token)"
            } else {
                ""
            };
        return Err(format!(
            "answered {}; {p} needs {}{hint}",
            reply.status,
            want.join(" or ")
        ));
    }
    if h.reply.is_empty() {
        return Ok(format!(
            "answered {} in {}",
            reply.status,
            super::human(reply.latency)
        ));
    }
    let mut best: Option<(u8, String)> = None;
    for r in &h.reply {
        match try_form(r, reply, asked, p) {
            Ok(()) => {
                return Ok(format!(
                    "answered {} ({}) in {}",
                    reply.status,
                    form_name(r.form),
                    super::human(reply.latency)
                ));
            }
            Err((score, why)) => {
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, why));
                }
            }
        }
    }
    Err(best.map(|b| b.1).unwrap_or_default())
}

fn form_name(f: Form) -> &'static str {
    match f {
        Form::Text => "text",
        Form::Json => "JSON",
        Form::Form => "form",
        Form::Header => "header",
        Form::Any => "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Catalog;

    fn reason(profile: &str, status: u16, ct: &str, body: &str, challenge: &str) -> String {
        let p = Catalog::builtin().get(profile).unwrap();
        let h = p.handshake.as_ref().unwrap();
        let key = b"k";
        let answer = super::super::answer_for(h, challenge, key);
        let mac = super::super::hmac256(key, challenge.as_bytes());
        let mut headers = HeaderList::new();
        headers.push("Content-Type", ct);
        let r = Reply {
            status,
            headers: &headers,
            body: body.as_bytes(),
            latency: Duration::from_millis(5),
        };
        let asked = Asked {
            challenge,
            encoded: None,
            answer: &answer,
            mac: Some(&mac),
            secret: false,
        };
        grade(h, &r, &asked).unwrap_err()
    }

    #[test]
    fn names_the_usual_mistakes() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mac = crate::mock::hmac256(b"k", b"tok");
        // X without its prefix.
        let body = format!(r#"{{"response_token":"{}"}}"#, b64.encode(&mac));
        let r = reason("twitter", 200, "application/json", &body, "tok");
        assert!(r.contains("prefixed with `sha256=`"), "{r}");
        // Zoom: the token itself, and the HMAC in base64.
        let r = reason(
            "zoom",
            200,
            "application/json",
            r#"{"plainToken":"tok","encryptedToken":"tok"}"#,
            "tok",
        );
        assert!(r.contains("echoes the token itself"), "{r}");
        let body = format!(
            r#"{{"plainToken":"tok","encryptedToken":"{}"}}"#,
            b64.encode(&mac)
        );
        let r = reason("zoom", 200, "application/json", &body, "tok");
        assert!(r.contains("wants it in hex, not base64"), "{r}");
        // Not JSON at all; Okta's field missing.
        let r = reason("zoom", 200, "text/plain", "tok", "tok");
        assert!(r.contains("not JSON"), "{r}");
        let r = reason(
            "okta",
            200,
            "application/json",
            r#"{"challenge":"tok"}"#,
            "tok",
        );
        assert!(r.contains("has no `verification`"), "{r}");
        // Asana: no header echoed.
        let r = reason("asana", 200, "text/plain", "", "tok");
        assert!(r.contains("`X-Hook-Secret` reply header"), "{r}");
        // Discord: another type.
        let r = reason("discord", 200, "application/json", r#"{"type":4}"#, "tok");
        assert!(r.contains("`type` to be 1"), "{r}");
    }
}
