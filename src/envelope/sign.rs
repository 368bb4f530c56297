//! Building an event's body from the catalogue and signing bodies.

use super::headers::HeaderList;
use super::mac::{MacState, encode};
use super::profile::Profile;
use super::secret::{Secret, SecretError};
use super::template::{Ctx, TemplateError, Var};
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
    #[error("the event name is needed: profile `{0}` names the event in a header")]
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
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltEvent {
    pub event: String,
    pub id: String,
    pub timestamp: i64,
    pub vars: Map<String, Value>,
    pub body: Vec<u8>,
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
        let json = serde_json::to_vec(&value).expect("a JSON value always serialises");
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
        for (name, t) in &self.vars {
            let ctx = Ctx {
                event,
                id: Some(id),
                timestamp: Some(timestamp),
                vars: Some(&vars),
                ..Ctx::default()
            };
            let v = t.render(&ctx).map_err(|e| self.tpl_err(e))?;
            vars.insert(name.clone(), v);
        }
        Ok(vars)
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
        let id = match id {
            Some(id) => id,
            None => self.new_id(timestamp)?,
        };
        let vars = self.render_vars(Some(event), &id, timestamp)?;
        let ctx = Ctx {
            event: Some(event),
            id: Some(&id),
            timestamp: Some(timestamp),
            vars: Some(&vars),
            ..Ctx::default()
        };
        let sample;
        let (data, data_json) = match data {
            Some(d) => (&d.value, Some(d.json.as_slice())),
            None => {
                sample = match self.events.get(event) {
                    Some(e) => e.data.render(&ctx).map_err(|e| self.tpl_err(e))?,
                    None => Value::Object(Map::new()),
                };
                (&sample, None)
            }
        };
        let body = self.wrap(&Ctx {
            data: Some(data),
            data_json,
            ..ctx
        })?;
        Ok(BuiltEvent {
            event: event.to_string(),
            id,
            timestamp,
            vars,
            body,
        })
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

    /// The body: the data in the profile's envelope, as compact JSON.
    fn wrap(&self, ctx: &Ctx) -> Result<Vec<u8>, SignError> {
        let mut body = Vec::with_capacity(256 + ctx.data_json.map_or(0, <[u8]>::len));
        match (&self.envelope, ctx.data_json, ctx.data) {
            (Some(env), _, _) => env.write(ctx, &mut body).map_err(|e| self.tpl_err(e))?,
            (None, Some(json), _) => body.extend_from_slice(json),
            (None, None, data) => serde_json::to_writer(&mut body, &data)
                .expect("a JSON value always serialises into memory"),
        }
        Ok(body)
    }

    /// The headers the profile adds to a body, in the profile's order, signed with
    /// every secret given (several secrets give several signatures where the header
    /// holds a list, as during a key rotation).
    pub fn sign(&self, secrets: &[Secret], input: &SignInput) -> Result<HeaderList, SignError> {
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
        let needs_event = self
            .headers
            .iter()
            .any(|(_, t)| t.uses(|v| *v == Var::Event));
        if needs_event && input.event.is_none() {
            return Err(SignError::NoEvent(self.name.clone()));
        }
        let mut headers = HeaderList::new();
        let mut sig_slot = None;
        for (name, t) in &self.headers {
            if t.uses(|v| *v == Var::Signature) {
                sig_slot = Some(headers.len());
                continue;
            }
            headers.push(name.clone(), t.render(&ctx).map_err(|e| self.tpl_err(e))?);
        }
        let Some(scheme) = &self.signature else {
            return Ok(headers);
        };
        if secrets.is_empty() {
            if scheme.optional {
                return Ok(headers);
            }
            return Err(SignError::NoSecret(self.name.clone()));
        }
        if secrets.len() > 1 && scheme.separator.is_none() {
            return Err(SignError::OneSignatureOnly {
                profile: self.name.clone(),
                header: scheme.header.clone(),
                count: secrets.len(),
            });
        }
        // Most schemes sign the body alone: no need for a copy of it.
        let rendered;
        let signed: &[u8] = if scheme.signed.sole_var() == Some(&Var::Body) {
            input.body
        } else {
            rendered = scheme
                .signed
                .render_bytes(&Ctx {
                    headers: Some(&headers),
                    ..ctx
                })
                .map_err(|e| self.tpl_err(e))?;
            &rendered
        };
        let mut signatures = Vec::new();
        for s in secrets {
            let key = s.key(scheme.secret)?;
            signatures.push(encode(
                scheme.encoding,
                &MacState::new(scheme.algorithm, &key, signed).bytes(),
            ));
        }
        let value = match &scheme.separator {
            None => scheme
                .value
                .render(&Ctx {
                    signature: Some(&signatures[0]),
                    ..ctx
                })
                .map_err(|e| self.tpl_err(e))?,
            Some(sep) => {
                let mut items = Vec::new();
                for item in &scheme.items {
                    if item.uses(|v| *v == Var::Signature) {
                        for sig in &signatures {
                            let c = Ctx {
                                signature: Some(sig),
                                ..ctx
                            };
                            items.push(item.render(&c).map_err(|e| self.tpl_err(e))?);
                        }
                    } else {
                        items.push(item.render(&ctx).map_err(|e| self.tpl_err(e))?);
                    }
                }
                items.join(sep)
            }
        };
        let slot = sig_slot.expect("a scheme always has a carrier header");
        headers.insert(slot, scheme.header.clone(), value);
        Ok(headers)
    }
}
