//! Building an event's body from the catalogue and signing bodies.

use super::headers::HeaderList;
use super::mac::{MacState, encode, encode_into};
use super::profile::Profile;
use super::secret::{Secret, SecretError};
use super::template::{Ctx, JsonTemplate, SPLICE_KEY, TemplateError, Var};
use serde_json::{Map, Value};

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error("profile `{0}` signs with a secret, and none was given")]
    NoSecret(String),
    #[error("profile `{0}` has no signature scheme")]
    Unsigned(String),
    #[error(
        "profile `{profile}` carries one signature in `{header}`; sign with one secret, not {count}"
    )]
    OneSignatureOnly {
        profile: String,
        header: String,
        count: usize,
    },
    #[error("profile `{profile}`: {message}")]
    Key { profile: String, message: String },
    #[error(
        "profile `{profile}` carries one signature in each of {headers}: give at most {max} secrets, not {count}"
    )]
    TooManySecrets {
        profile: String,
        headers: String,
        max: usize,
        count: usize,
    },
    #[error("the event name is needed: profile `{0}` signs it")]
    NoEvent(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("profile `{profile}`: {error}")]
    Template {
        profile: String,
        error: TemplateError,
    },
}

/// An event made from the catalogue (or the user's data), ready to sign and send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuiltEvent {
    pub event: String,
    pub id: String,
    pub timestamp: i64,
    pub vars: Map<String, Value>,
    pub body: Vec<u8>,
}

/// Buffers reused from one event to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    json: Vec<u8>,
    /// The signed content, when it is more than the body.
    signed: Vec<u8>,
}

/// Data the user gives an event (`send --data`), serialised once: load mode builds
/// thousands of events around the same data.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenData {
    value: Value,
    json: Vec<u8>,
}

impl GivenData {
    pub fn new(value: Value) -> GivenData {
        let json = super::json::to_vec(&value);
        GivenData { value, json }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// What a signature is computed over, besides the secrets.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    pub body: &'a [u8],
    pub event: Option<&'a str>,
    pub id: &'a str,
    pub timestamp: i64,
    pub method: &'a str,
    pub path: &'a str,
    pub vars: &'a Map<String, Value>,
}

impl Profile {
    fn tpl_err(&self, error: TemplateError) -> SignError {
        SignError::Template {
            profile: self.name.clone(),
            error,
        }
    }

    /// A fresh delivery id in the profile's format.
    pub fn new_id(&self, timestamp: i64) -> Result<String, SignError> {
        let ctx = Ctx {
            timestamp: Some(timestamp),
            ..Ctx::default()
        };
        self.id.render(&ctx).map_err(|e| self.tpl_err(e))
    }

    /// Renders the profile's vars (fresh random values each call).
    pub fn render_vars(
        &self,
        event: Option<&str>,
        id: &str,
        timestamp: i64,
    ) -> Result<Map<String, Value>, SignError> {
        let mut vars = Map::new();
        self.render_vars_into(event, id, timestamp, &mut vars, &mut String::new())?;
        Ok(vars)
    }

    /// [`render_vars`](Self::render_vars) into `vars`, in place when it holds the
    /// same names from the last event: a constant is not copied again, and a text is
    /// rendered over the old one's memory. (In place is sound because a var may only
    /// use the vars before it, which `Profile::compile` checks.)
    fn render_vars_into(
        &self,
        event: Option<&str>,
        id: &str,
        timestamp: i64,
        vars: &mut Map<String, Value>,
        text: &mut String,
    ) -> Result<(), SignError> {
        let in_place =
            vars.len() == self.vars.len() && vars.keys().zip(&self.vars).all(|(k, (n, _))| k == n);
        if !in_place {
            vars.clear();
        }
        for (name, t) in &self.vars {
            let ctx = Ctx {
                event,
                id: Some(id),
                timestamp: Some(timestamp),
                vars: Some(vars),
                ..Ctx::default()
            };
            if in_place {
                match t {
                    JsonTemplate::Lit(v) if vars.get(name) == Some(v) => continue,
                    JsonTemplate::Str(tpl) if t.renders_text() => {
                        text.clear();
                        tpl.render_into(&ctx, text).map_err(|e| self.tpl_err(e))?;
                        match vars.get_mut(name) {
                            Some(Value::String(s)) => {
                                s.clear();
                                s.push_str(text);
                            }
                            Some(other) => *other = Value::String(text.clone()),
                            None => {
                                vars.insert(name.clone(), Value::String(text.clone()));
                            }
                        }
                        continue;
                    }
                    _ => {}
                }
            }
            let v = t.render(&ctx).map_err(|e| self.tpl_err(e))?;
            if let (true, Some(old)) = (in_place, vars.get_mut(name)) {
                *old = v;
            } else {
                vars.insert(name.clone(), v);
            }
        }
        Ok(())
    }

    /// Builds an event: fresh (or given) id and timestamp, the catalogue's sample data
    /// (or `data`), wrapped in the envelope and serialised compactly — the form a
    /// receiver that re-serialises the parsed body (`JSON.stringify`) reproduces.
    pub fn build_event(
        &self,
        event: &str,
        data: Option<&GivenData>,
        id: Option<String>,
        timestamp: i64,
    ) -> Result<BuiltEvent, SignError> {
        let given_id = id.is_some();
        let mut built = BuiltEvent {
            id: id.unwrap_or_default(),
            ..BuiltEvent::default()
        };
        self.build_event_into(
            event,
            data,
            given_id,
            timestamp,
            &mut built,
            &mut Scratch::default(),
        )?;
        Ok(built)
    }

    /// [`build_event`](Self::build_event) into `built`, reusing its memory (load mode
    /// builds thousands of events one after another). `built.id` is kept when
    /// `given_id`.
    pub fn build_event_into(
        &self,
        event: &str,
        data: Option<&GivenData>,
        given_id: bool,
        timestamp: i64,
        built: &mut BuiltEvent,
        scratch: &mut Scratch,
    ) -> Result<(), SignError> {
        built.event.clear();
        built.event.push_str(event);
        built.timestamp = timestamp;
        if !given_id {
            built.id.clear();
            let ctx = Ctx {
                timestamp: Some(timestamp),
                ..Ctx::default()
            };
            self.id
                .render_into(&ctx, &mut built.id)
                .map_err(|e| self.tpl_err(e))?;
        }
        self.render_vars_into(
            Some(event),
            &built.id,
            timestamp,
            &mut built.vars,
            &mut scratch.text,
        )?;
        let ctx = Ctx {
            event: Some(event),
            id: Some(&built.id),
            timestamp: Some(timestamp),
            vars: Some(&built.vars),
            ..Ctx::default()
        };
        // The catalogue's sample is written straight to JSON, unless the envelope
        // splices it (that needs the value).
        let splices = matches!(&self.envelope,
            Some(JsonTemplate::Object(f)) if f.iter().any(|(k, _)| k == SPLICE_KEY));
        let sample_value;
        let (data, data_json) = match (data, self.events.get(event)) {
            (Some(d), _) => (Some(&d.value), Some(d.json.as_slice())),
            (None, Some(e)) if !splices => {
                scratch.json.clear();
                e.data
                    .write_with(&ctx, &mut scratch.json, &mut scratch.text)
                    .map_err(|e| self.tpl_err(e))?;
                (None, Some(scratch.json.as_slice()))
            }
            (None, e) => {
                sample_value = match e {
                    Some(e) => e.data.render(&ctx).map_err(|e| self.tpl_err(e))?,
                    None => Value::Object(Map::new()),
                };
                (Some(&sample_value), None)
            }
        };
        built.body.clear();
        let ctx = Ctx {
            data,
            data_json,
            ..ctx
        };
        match (&self.envelope, data_json, data) {
            (Some(env), _, _) => env
                .write_with(&ctx, &mut built.body, &mut scratch.text)
                .map_err(|e| self.tpl_err(e))?,
            (None, Some(json), _) => built.body.extend_from_slice(json),
            (None, None, data) => super::json::write(&mut built.body, &data),
        }
        if self.body_format == super::profile::BodyFormat::Form {
            built.body = form_body(&built.body);
        }
        Ok(())
    }

    /// Whether the signature depends on the time, so each attempt is signed afresh.
    pub fn timestamped(&self) -> bool {
        use super::template::Var;
        let ts = |v: &Var| matches!(v, Var::Timestamp(_));
        // Directly, or through a header it signs (Hover's `Date`).
        self.signature
            .as_ref()
            .is_some_and(|s| s.signed.uses(ts) || self.headers.iter().any(|(_, t)| t.uses(ts)))
    }

    /// The headers the profile adds to a body, in the profile's order, signed with
    /// every secret given (several secrets give several signatures where the header
    /// holds a list, as during a key rotation).
    pub fn sign(&self, secrets: &[Secret], input: &SignInput) -> Result<HeaderList, SignError> {
        let mut headers = HeaderList::with_capacity(self.headers.len() + 1);
        self.signer(secrets)?
            .sign_into(input, &mut headers, &mut Scratch::default())?;
        Ok(headers)
    }

    /// The profile's signing with these secrets, made into keys once.
    pub fn signer(&self, secrets: &[Secret]) -> Result<Signer<'_>, SignError> {
        let Some(scheme) = &self.signature else {
            return Ok(Signer {
                profile: self,
                keys: Vec::new(),
                alt: Vec::new(),
            });
        };
        if secrets.is_empty() && !scheme.optional {
            if !scheme.algorithm.is_hmac() {
                return Err(SignError::Key {
                    profile: self.name.clone(),
                    message: format!(
                        "no key given: it signs with {}",
                        super::schemes::key_needed(scheme, true)
                    ),
                });
            }
            return Err(SignError::NoSecret(self.name.clone()));
        }
        let max = 1 + scheme.more_headers.len();
        if max > 1 && secrets.len() > max {
            return Err(SignError::TooManySecrets {
                profile: self.name.clone(),
                headers: scheme
                    .carriers()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                max,
                count: secrets.len(),
            });
        }
        if secrets.len() > max && scheme.separator.is_none() {
            return Err(SignError::OneSignatureOnly {
                profile: self.name.clone(),
                header: scheme.header.clone(),
                count: secrets.len(),
            });
        }
        if !scheme.algorithm.is_hmac() {
            let alt =
                super::schemes::signing_keys(&self.name, scheme, secrets).map_err(|message| {
                    SignError::Key {
                        profile: self.name.clone(),
                        message,
                    }
                })?;
            return Ok(Signer {
                profile: self,
                keys: Vec::new(),
                alt,
            });
        }
        let keys = secrets
            .iter()
            .map(|s| Ok(MacState::keyed(scheme.algorithm, &scheme.key(s)?)))
            .collect::<Result<_, SignError>>()?;
        Ok(Signer {
            profile: self,
            keys,
            alt: Vec::new(),
        })
    }
}

/// Why a URL-signing scheme cannot sign without a URL.
const NEEDS_URL: &str =
    "it signs the URL the provider calls: give it (`sign --url URL`; `send` signs its `--to`)";

/// A JSON object's fields as a form body (`a=1&b=x`); a nested value goes as its
/// JSON text. Anything but an object gives an empty form.
pub fn form_body(json: &[u8]) -> Vec<u8> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(json) else {
        return Vec::new();
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &map {
        match v {
            Value::String(s) => form.append_pair(k, s),
            Value::Null => form.append_pair(k, ""),
            other => form.append_pair(k, &other.to_string()),
        };
    }
    form.finish().into_bytes()
}

/// A profile with its secrets made into keyed MACs: what signs every event of a run.
#[derive(Clone)]
pub struct Signer<'p> {
    profile: &'p Profile,
    /// One per secret; none for an unsigned profile or an optional scheme left unsigned.
    keys: Vec<MacState>,
    /// The same for a scheme other than HMAC (a key pair, a token, a JWT).
    alt: Vec<super::schemes::AltKey>,
}

impl Signer<'_> {
    /// Writes the profile's headers for `input` into `headers`, replacing what it held
    /// and reusing its memory.
    pub fn sign_into(
        &self,
        input: &SignInput,
        headers: &mut HeaderList,
        scratch: &mut Scratch,
    ) -> Result<(), SignError> {
        let p = self.profile;
        let ctx = Ctx {
            event: input.event,
            id: Some(input.id),
            timestamp: Some(input.timestamp),
            body: Some(input.body),
            path: Some(input.path),
            method: Some(input.method),
            vars: Some(input.vars),
            ..Ctx::default()
        };
        // Without an event name, the headers that carry it are left out (`sign` says
        // so); only a signature over the name cannot be made without it.
        let no_event = input.event.is_none();
        let is_event = |v: &Var| *v == Var::Event;
        if no_event
            && p.signature
                .as_ref()
                .is_some_and(|s| s.signed.uses(is_event) || s.value.uses(is_event))
        {
            return Err(SignError::NoEvent(p.name.clone()));
        }
        // Every header but the signature's, rendered over the strings already there.
        let mut n = 0;
        let mut sig_slot = None;
        // Further signature headers: where each goes, counted among the headers sent.
        let mut more_slots: Vec<(usize, &super::template::Template, &str)> = Vec::new();
        for (name, t) in &p.headers {
            if t.uses(|v| *v == Var::Signature) {
                match sig_slot {
                    None => sig_slot = Some(n),
                    Some(_) => more_slots.push((n + 1 + more_slots.len(), t, name)),
                }
                continue;
            }
            if no_event && t.uses(is_event) {
                continue;
            }
            t.render_into(&ctx, headers.reuse(n, name))
                .map_err(|e| p.tpl_err(e))?;
            n += 1;
        }
        let scheme = match &p.signature {
            // An optional scheme with no secret goes unsigned.
            Some(scheme) if !self.keys.is_empty() || !self.alt.is_empty() => scheme,
            _ => {
                headers.truncate(n);
                return Ok(());
            }
        };
        // Entries past `n` are left from the last request, to be reused; a signature
        // over headers must not see them.
        if scheme.signed.uses(|v| matches!(v, Var::Header(_))) {
            headers.truncate(n);
        }
        // Most schemes sign the body alone: no need for a copy of it.
        let content: &[u8] = if let Some(c) = scheme.canonical {
            // It may read the headers: only this request's.
            headers.truncate(n);
            scratch.signed =
                super::schemes::canonical_content(c, input.method, input.path, headers, input.body)
                    .map_err(|f| SignError::Key {
                        profile: p.name.clone(),
                        message: match f {
                            super::verify::Failure::NeedsUrl => NEEDS_URL.to_string(),
                            f => format!("could not make the signed content: {f}"),
                        },
                    })?;
            &scratch.signed
        } else if scheme.signed.sole_var() == Some(&Var::Body) {
            input.body
        } else {
            scratch.signed.clear();
            // `{json:PATH}` reads the body's fields.
            let json = scheme
                .signed
                .uses(|v| matches!(v, Var::Json(_)))
                .then(|| serde_json::from_slice::<Value>(input.body).ok())
                .flatten();
            scheme
                .signed
                .render_bytes_into(
                    &Ctx {
                        headers: Some(headers),
                        json: json.as_ref(),
                        ..ctx
                    },
                    &mut scratch.signed,
                )
                .map_err(|e| match e {
                    TemplateError::Missing(v) if v.starts_with("url") => SignError::Key {
                        profile: p.name.clone(),
                        message: NEEDS_URL.to_string(),
                    },
                    e => p.tpl_err(e),
                })?;
            &scratch.signed
        };
        if !self.alt.is_empty() {
            let json = scheme
                .jwt
                .as_ref()
                .is_some_and(|j| {
                    j.claims
                        .iter()
                        .any(|(_, t)| t.uses(|v| matches!(v, Var::Json(_))))
                })
                .then(|| serde_json::from_slice::<Value>(input.body).ok())
                .flatten();
            let c = Ctx {
                headers: Some(headers),
                json: json.as_ref(),
                ..ctx
            };
            let sigs = self
                .alt
                .iter()
                .map(|k| super::schemes::signature_text(scheme, k, content, &c))
                .collect::<Result<Vec<String>, String>>()
                .map_err(|message| SignError::Key {
                    profile: p.name.clone(),
                    message,
                })?;
            let mut value = String::new();
            match &scheme.separator {
                None => {
                    let c = Ctx {
                        signature: Some(&sigs[0]),
                        ..ctx
                    };
                    scheme
                        .value
                        .render_into(&c, &mut value)
                        .map_err(|e| p.tpl_err(e))?;
                }
                Some(sep) => {
                    let mut first = true;
                    for item in &scheme.items {
                        let per_key = item.uses(|v| *v == Var::Signature);
                        for sig in sigs.iter().take(if per_key { sigs.len() } else { 1 }) {
                            if !first {
                                value.push_str(sep);
                            }
                            first = false;
                            let c = Ctx {
                                signature: Some(sig),
                                ..ctx
                            };
                            item.render_into(&c, &mut value).map_err(|e| p.tpl_err(e))?;
                        }
                    }
                }
            }
            headers.truncate(n);
            headers.reuse(n, &scheme.header).push_str(&value);
            headers.truncate(n + 1);
            headers.move_last_to(sig_slot.unwrap_or(n));
            return Ok(());
        }
        let mac = |key: &MacState| {
            let mut m = key.clone();
            m.update(content);
            m
        };
        let slot = sig_slot.expect("a scheme always has a carrier header");
        match (&scheme.separator, &self.keys[..]) {
            // The header holds the signature alone (the common case): no rendering.
            (None, [key]) if scheme.value.sole_var() == Some(&Var::Signature) => {
                let mut buf = [0; 64];
                let bytes = mac(key).finish(&mut buf);
                encode_into(scheme.encoding, bytes, headers.reuse(n, &scheme.header));
            }
            (None, [key, ..]) => {
                let signature = encode(scheme.encoding, &mac(key).bytes());
                let c = Ctx {
                    signature: Some(&signature),
                    ..ctx
                };
                let value = headers.reuse(n, &scheme.header);
                scheme
                    .value
                    .render_into(&c, value)
                    .map_err(|e| p.tpl_err(e))?;
            }
            (Some(sep), keys) => {
                // A list: each item in the profile's order, one per key where the
                // item holds the signature.
                let mut signature = String::new();
                let value = headers.reuse(n, &scheme.header);
                let mut first = true;
                for item in &scheme.items {
                    let per_key = item.uses(|v| *v == Var::Signature);
                    for key in keys.iter().take(if per_key { keys.len() } else { 1 }) {
                        if !first {
                            value.push_str(sep);
                        }
                        first = false;
                        let mut c = ctx;
                        if per_key {
                            let mut buf = [0; 64];
                            signature.clear();
                            encode_into(scheme.encoding, mac(key).finish(&mut buf), &mut signature);
                            c.signature = Some(&signature);
                        }
                        item.render_into(&c, value).map_err(|e| p.tpl_err(e))?;
                    }
                }
            }
            (None, []) => unreachable!("an empty key list returned above"),
        }
        // The signature's header goes to its place in the profile's order.
        headers.truncate(n + 1);
        headers.move_last_to(slot);
        // The k-th further header with the (k+1)-th secret; none without one.
        for ((at, t, name), key) in more_slots.into_iter().zip(&self.keys[1..]) {
            let signature = encode(scheme.encoding, &mac(key).bytes());
            let c = Ctx {
                signature: Some(&signature),
                ..ctx
            };
            let len = headers.len();
            t.render_into(&c, headers.reuse(len, name))
                .map_err(|e| p.tpl_err(e))?;
            headers.move_last_to(at);
        }
        Ok(())
    }
}
