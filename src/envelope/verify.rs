//! Verifying a received request against a profile, with the reason when it fails.

use super::headers::HeaderList;
use super::mac::{MacState, decode};
pub use super::outcome::{
    Failure, Parsed, Received, Verification, VerifyOptions, preview, time_format_name,
};
use super::profile::{Profile, Scheme};
use super::secret::SecretError;
use super::template::{Ctx, TimeFormat, Var, parse_time};

/// Reads what a header template captures; `Err` when the value does not fit it.
fn read_header<'a>(
    parsed: &mut Parsed<'a>,
    name: &str,
    value: &'a str,
    items: &[super::template::Template],
    separator: Option<&str>,
) -> Result<(), Failure> {
    let parts: Vec<&str> = match separator {
        Some(sep) => value
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            // Several lists side by side, space-separated (Persona during a secret
            // rotation: `t=…,v1=… t=…,v1=…`): a part whose every word is an item is
            // read word by word.
            .flat_map(|p| {
                let words: Vec<&str> = p.split_whitespace().collect();
                let split = words.len() > 1
                    && words
                        .iter()
                        .all(|w| items.iter().any(|t| t.capture(w).is_some()));
                if split { words } else { vec![p] }
            })
            .collect(),
        None => vec![value],
    };
    let mut fitted = false;
    for part in parts {
        for item in items {
            let Some(caps) = item.capture(part) else {
                continue;
            };
            // A timestamp that does not parse: in a list whose items are bare values
            // (Recurly's `<ms>,<hex>`), the part may be another item; only when none
            // takes it is the timestamp malformed.
            let bad_time = caps.iter().find_map(|(var, text)| match var {
                Var::Timestamp(f) if parse_time(text, *f).is_none() => Some((*f, *text)),
                _ => None,
            });
            if let Some((f, text)) = bad_time {
                let bare = item.sole_var().is_some() && separator.is_some();
                let last = items.last().is_some_and(|l| std::ptr::eq(item, l));
                if bare && !last {
                    continue;
                }
                return Err(Failure::MalformedHeader {
                    header: name.to_string(),
                    expected: format!("a timestamp as {}", time_format_name(f)),
                    got: preview(text),
                });
            }
            fitted = true;
            for (var, text) in caps {
                match var {
                    Var::Signature => parsed.signatures.push(text),
                    Var::Event => parsed.event = Some(text.to_string()),
                    Var::Id => parsed.id = Some(text.to_string()),
                    Var::Timestamp(f) => {
                        if let Some(ts) = parse_time(text, *f) {
                            parsed.timestamp = Some((ts, text, *f));
                        }
                    }
                    _ => {}
                }
            }
            break;
        }
    }
    if fitted {
        Ok(())
    } else {
        let expected = match separator {
            Some(sep) => items
                .iter()
                .map(|t| t.source())
                .collect::<Vec<_>>()
                .join(sep),
            None => items
                .iter()
                .map(|t| t.source())
                .collect::<Vec<_>>()
                .join(" or "),
        };
        Err(Failure::MalformedHeader {
            header: name.to_string(),
            expected,
            got: preview(value),
        })
    }
}

impl Profile {
    /// Reads the profile's headers out of a request: signature(s), timestamp, id, event.
    pub fn parse_headers<'a>(
        &self,
        scheme: &Scheme,
        headers: &'a HeaderList,
    ) -> Result<Parsed<'a>, Failure> {
        let mut parsed = Parsed::default();
        // With several signature headers, any one of them will do.
        let several = !scheme.more_headers.is_empty();
        for (name, t) in &self.headers {
            let carries = scheme.carriers().any(|c| name.eq_ignore_ascii_case(c));
            let useful =
                carries || t.uses(|v| matches!(v, Var::Timestamp(_) | Var::Id | Var::Event));
            if !useful {
                continue;
            }
            let values: Vec<&str> = headers.get_all(name).collect();
            if values.is_empty() {
                let needed = (carries && !several)
                    || (t.uses(|v| matches!(v, Var::Timestamp(_)))
                        && scheme.signed.uses(|v| matches!(v, Var::Timestamp(_))))
                    || (t.uses(|v| *v == Var::Id) && scheme.signed.uses(|v| *v == Var::Id));
                if needed {
                    return Err(Failure::MissingHeader {
                        header: name.clone(),
                    });
                }
                continue;
            }
            for value in values {
                if carries && !several {
                    read_header(
                        &mut parsed,
                        name,
                        value,
                        &scheme.items,
                        scheme.separator.as_deref(),
                    )?;
                } else {
                    read_header(&mut parsed, name, value, std::slice::from_ref(t), None)?;
                }
            }
        }
        // What the signed content needs must have been found in the headers.
        let needs = [
            (
                scheme.signed.uses(|v| matches!(v, Var::Timestamp(_)))
                    && parsed.timestamp.is_none()
                    && scheme.timestamp_field.is_none(),
                true,
            ),
            (
                scheme.signed.uses(|v| *v == Var::Id) && parsed.id.is_none(),
                false,
            ),
        ];
        for (missing, is_time) in needs {
            if !missing {
                continue;
            }
            let provider = self.headers.iter().find(|(_, t)| {
                t.uses(|v| {
                    if is_time {
                        matches!(v, Var::Timestamp(_))
                    } else {
                        *v == Var::Id
                    }
                })
            });
            if let Some((name, t)) = provider {
                return Err(match headers.get(name) {
                    Some(got) => Failure::MalformedHeader {
                        header: name.clone(),
                        expected: t.source().to_string(),
                        got: preview(got),
                    },
                    None => Failure::MissingHeader {
                        header: name.clone(),
                    },
                });
            }
        }
        if parsed.signatures.is_empty() && several {
            return Err(Failure::MissingHeader {
                header: scheme.carriers().collect::<Vec<_>>().join("` or `"),
            });
        }
        if parsed.signatures.is_empty() {
            return Err(Failure::MalformedHeader {
                header: scheme.header.clone(),
                expected: scheme.value.source().to_string(),
                got: preview(headers.get(&scheme.header).unwrap_or_default()),
            });
        }
        Ok(parsed)
    }

    /// The event name and delivery id the body carries, where the envelope puts them.
    pub fn body_event_and_id(&self, body: &[u8]) -> (Option<String>, Option<String>) {
        if self.event_path.is_none() && self.id_path.is_none() {
            return (None, None);
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
            return (None, None);
        };
        let get = |p: &Option<Vec<String>>| {
            p.as_ref()
                .and_then(|p| Profile::body_field(&json, p))
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
        };
        (get(&self.event_path), get(&self.id_path))
    }

    /// The bytes the scheme signs for this request.
    pub fn signed_content(
        &self,
        scheme: &Scheme,
        req: &Received,
        parsed: &Parsed,
    ) -> Result<Vec<u8>, Failure> {
        if let Some(c) = scheme.canonical {
            return super::schemes::canonical_content(
                c,
                req.method,
                req.path,
                req.headers,
                req.body,
            );
        }
        signed_with(&scheme.signed, req, parsed).map_err(|missing| {
            if missing.starts_with("(the url") {
                Failure::NeedsUrl
            } else {
                Failure::MissingHeader { header: missing }
            }
        })
    }

    /// Verifies a request. `Err` only for a secret that cannot be decoded under the
    /// profile's rule or a profile without a signature scheme; every property of the
    /// request itself is a [`Verification`].
    pub fn verify(
        &self,
        req: &Received,
        opts: &VerifyOptions,
    ) -> Result<Verification, VerifyError> {
        let mut v = self.verify_headers_first(req, opts)?;
        // What the headers did not say, the body may (parsed only then, and once).
        let wants_event = v.event.is_none() && self.event_path.is_some();
        let wants_id = v.id.is_none() && self.id_path.is_some();
        if wants_event || wants_id {
            let (event, id) = self.body_event_and_id(req.body);
            v.event = v.event.or(event);
            v.id = v.id.or(id);
        }
        Ok(v)
    }

    fn verify_headers_first(
        &self,
        req: &Received,
        opts: &VerifyOptions,
    ) -> Result<Verification, VerifyError> {
        let scheme = self
            .signature
            .as_ref()
            .ok_or_else(|| VerifyError::Unsigned(self.name.clone()))?;
        if opts.secrets.is_empty() {
            return Err(VerifyError::NoSecret);
        }
        // A secret that does not decode under this scheme (a `whsec_` one given for a
        // raw-text scheme, say, when one listener serves several providers) is
        // skipped; only when none decodes is that an error.
        let hmac = scheme.algorithm.is_hmac();
        let decoded: Vec<Result<Vec<u8>, SecretError>> = if hmac {
            opts.secrets.iter().map(|s| scheme.key(s)).collect()
        } else {
            // The other schemes read their keys in `schemes::check`.
            Vec::new()
        };
        if let Some(Err(first)) = decoded
            .iter()
            .find(|k| k.is_err())
            .filter(|_| decoded.iter().all(|k| k.is_err()))
        {
            return Err(first.clone().into());
        }
        let keys: Vec<Option<Vec<u8>>> = decoded.into_iter().map(Result::ok).collect();
        let mut v = Verification {
            valid: false,
            reason: String::new(),
            profile: self.name.clone(),
            event: None,
            id: None,
            timestamp: None,
            matched_secret: None,
            signature_matches: None,
            failure: None,
        };
        let fail = |mut v: Verification, f: Failure| {
            v.reason = f.to_string();
            // Every reason that holds: a stale timestamp is often not the only one.
            let timestamp = matches!(
                f,
                Failure::TimestampTooOld { .. } | Failure::TimestampTooNew { .. }
            );
            if timestamp && v.signature_matches == Some(false) {
                v.reason
                    .push_str("; and the signature does not match with any secret given");
            }
            v.failure = Some(f);
            Ok(v)
        };
        let mut parsed = match self.parse_headers(scheme, req.headers) {
            Ok(p) => p,
            Err(f) => return fail(v, f),
        };

        v.event = parsed.event.clone();
        v.id = parsed.id.clone();
        v.timestamp = parsed.timestamp.map(|t| t.0);
        // A signed digest header (e.g. Content-MD5) must match the body it stands for.
        for (name, t) in &self.headers {
            if t.uses(|v| *v == Var::BodyMd5) {
                let want = t
                    .render(&Ctx {
                        body: Some(req.body),
                        ..Ctx::default()
                    })
                    .ok();
                let got = req.headers.get(name);
                if got.is_some() && want.as_deref() != got {
                    return fail(
                        v,
                        Failure::BodyDigestMismatch {
                            header: name.clone(),
                        },
                    );
                }
            }
        }
        let content = match self.signed_content(scheme, req, &parsed) {
            Ok(c) => c,
            Err(f) => return fail(v, f),
        };
        let mut timestamp = parsed.timestamp.map(|t| t.0);
        if !hmac {
            match super::schemes::check(
                &self.name,
                scheme,
                req,
                &parsed,
                &content,
                opts.secrets,
                opts.now,
            )
            .map_err(VerifyError::Key)?
            {
                Ok(checked) => {
                    v.matched_secret = checked.matched;
                    if checked.timestamp.is_some() {
                        timestamp = checked.timestamp;
                        v.timestamp = timestamp;
                    }
                }
                Err(f) => {
                    v.signature_matches = Some(matches!(f, Failure::Jwt { .. }));
                    return fail(v, f);
                }
            }
        }
        let candidates: Vec<Vec<u8>> = if hmac {
            parsed
                .signatures
                .iter()
                .filter_map(|s| decode(scheme.encoding, s))
                .collect()
        } else {
            Vec::new()
        };
        if hmac && candidates.is_empty() {
            return fail(
                v,
                Failure::BadSignatureEncoding {
                    header: scheme.header.clone(),
                    encoding: scheme.encoding.name().to_string(),
                },
            );
        }
        if hmac {
            v.matched_secret = keys.iter().position(|key| {
                key.as_ref().is_some_and(|key| {
                    let mac = MacState::new(scheme.algorithm, key, &content);
                    candidates.iter().any(|c| mac.matches(c))
                })
            });
            v.matched_secret = v.matched_secret.map(|i| i + 1);
        }
        v.signature_matches = Some(v.matched_secret.is_some());
        // A timestamp in the body is read once the body is known to be the signed one.
        if let (None, Some((path, format)), true) = (
            &parsed.timestamp,
            &scheme.timestamp_field,
            v.matched_secret.is_some(),
        ) {
            match body_timestamp(req.body, path, *format) {
                Ok(ts) => {
                    parsed.timestamp = Some(ts);
                    v.timestamp = Some(ts.0);
                    timestamp = Some(ts.0);
                }
                Err(f) => return fail(v, f),
            }
        }
        let tolerance = opts.tolerance.unwrap_or(scheme.tolerance);
        if let (Some(tol), Some(ts)) = (tolerance, timestamp) {
            let tol_secs = tol.as_secs();
            let tol_i64 = i64::try_from(tol_secs).unwrap_or(i64::MAX);
            let age = opts.now.saturating_sub(ts);
            if age > tol_i64 {
                return fail(
                    v,
                    Failure::TimestampTooOld {
                        age_secs: age,
                        tolerance_secs: tol_secs,
                    },
                );
            }
            if !scheme.past_only && age.saturating_neg() > tol_i64 {
                return fail(
                    v,
                    Failure::TimestampTooNew {
                        ahead_secs: age.saturating_neg(),
                        tolerance_secs: tol_secs,
                    },
                );
            }
        }
        match v.matched_secret {
            Some(i) => {
                v.valid = true;
                let what = if scheme.uses_key_pair() {
                    "public key"
                } else {
                    "secret"
                };
                v.reason = if opts.secrets.len() > 1 {
                    format!(
                        "signature matches {what} {i} of {} ({})",
                        opts.secrets.len(),
                        opts.secrets[i - 1].source()
                    )
                } else {
                    "signature matches".to_string()
                };
                Ok(v)
            }
            None => {
                let f = Failure::NoMatch {
                    signatures: parsed.signatures.len(),
                    secrets: opts.secrets.len(),
                };
                let mut v = fail(v, f)?;
                if scheme.uses_key_pair() {
                    // What was given is a public key, not a secret.
                    v.reason = v.reason.replace(" secret", " public key");
                }
                Ok(v)
            }
        }
    }
}

/// The timestamp a JSON body carries at `path` (a number or a string in `format`).
fn body_timestamp(
    body: &[u8],
    path: &[String],
    format: TimeFormat,
) -> Result<(i64, &'static str, TimeFormat), Failure> {
    let field = format!("{} (body field)", path.join("."));
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Failure::MissingHeader {
            header: field.clone(),
        })?;
    let value = Profile::body_field(&json, path).ok_or_else(|| Failure::MissingHeader {
        header: field.clone(),
    })?;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    let ts = parse_time(&text, format).ok_or_else(|| Failure::MalformedHeader {
        header: field,
        expected: format!("a timestamp as {}", time_format_name(format)),
        got: preview(&text),
    })?;
    // The raw text is only needed where the signed content holds the timestamp,
    // which a body field's never is apart from the body itself.
    Ok((ts, "", format))
}

/// Renders a signed-content template from what a request carries; `Err` names a
/// missing header.
pub fn signed_with(
    t: &super::template::Template,
    req: &Received,
    parsed: &Parsed,
) -> Result<Vec<u8>, String> {
    let json = t
        .uses(|v| matches!(v, Var::Json(_)))
        .then(|| serde_json::from_slice::<serde_json::Value>(req.body).ok())
        .flatten();
    let ctx = Ctx {
        json: json.as_ref(),
        event: parsed.event.as_deref(),
        id: parsed.id.as_deref(),
        timestamp: parsed.timestamp.map(|t| t.0),
        raw_timestamp: parsed.timestamp.map(|t| (t.1, t.2)),
        body: Some(req.body),
        path: Some(req.path),
        method: Some(req.method),
        headers: Some(req.headers),
        ..Ctx::default()
    };
    t.render_bytes(&ctx).map_err(|e| match e {
        super::template::TemplateError::Missing(name) => match name.strip_prefix("header:") {
            Some(h) => h.to_string(),
            None => format!("(the {name} the signature covers)"),
        },
        other => other.to_string(),
    })
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("profile `{0}` has no signature scheme to verify")]
    Unsigned(String),
    #[error("no secret to verify with")]
    NoSecret,
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("{0}")]
    Key(String),
}
