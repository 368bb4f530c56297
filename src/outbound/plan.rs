//! An event's plan (profile, secrets, data, target) made into signed requests: one
//! at a time, or a draft reused for load.

use crate::envelope::sign::{Scratch, Signer};
use crate::envelope::{BuiltEvent, GivenData, HeaderList, Profile, Secret, SignInput};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde_json::Value;

/// Everything needed to make (and re-make) the request for one event.
pub struct Plan {
    pub profile: Profile,
    pub secrets: Vec<Secret>,
    pub event: String,
    pub data: Option<GivenData>,
    /// A body sent byte for byte (`--body`) instead of one built from the catalogue.
    pub body: Option<Bytes>,
    pub patches: Vec<(String, Value)>,
    pub extra_headers: HeaderList,
    pub method: String,
    pub url: reqwest::Url,
    /// Deliberate faults, for testing a receiver.
    pub craft: Craft,
}

/// What `send` can do to a request on purpose, so that a receiver's handling of it
/// can be tried (and `audit`'s findings reproduced).
#[derive(Debug, Clone, Default)]
pub struct Craft {
    /// Pretty-print the JSON body before signing.
    pub pretty: bool,
    /// Fields changed after signing: the signature no longer matches.
    pub tamper: Vec<(String, Value)>,
    /// Leave the signature header out.
    pub unsigned: bool,
}

/// A JSON body pretty-printed with 2-space indents.
fn pretty(body: &[u8]) -> Result<Vec<u8>> {
    let v: Value = serde_json::from_slice(body).context("--pretty needs a JSON body")?;
    Ok(serde_json::to_vec_pretty(&v)?)
}

/// One request, ready to go.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub built: BuiltEvent,
    pub body: Bytes,
    pub headers: HeaderList,
}

/// One request made in place, its memory reused for the next (load mode).
#[derive(Debug, Default)]
pub struct Draft {
    pub built: BuiltEvent,
    pub headers: HeaderList,
    scratch: Scratch,
}

impl Plan {
    /// The path (and query) a scheme that signs the path sees.
    pub fn signed_path(&self) -> String {
        // A scheme that signs the URL signs the one the request goes to (`--to`).
        if self
            .profile
            .signature
            .as_ref()
            .is_some_and(|s| s.url_bound())
        {
            return self.url.to_string();
        }
        crate::http::path_and_query(&self.url)
    }

    /// Builds the event (fresh id and timestamp unless given), applies `--data` and
    /// `--set`, and signs it.
    pub fn prepare(&self, id: Option<String>, timestamp: i64) -> Result<Prepared> {
        let mut draft = Draft::default();
        let given_id = id.is_some();
        draft.built.id = id.unwrap_or_default();
        self.prepare_into(&self.signer()?, given_id, timestamp, &mut draft)?;
        // The body lives on in `body`; `built.body` would only be a second copy.
        let body = Bytes::from(std::mem::take(&mut draft.built.body));
        Ok(Prepared {
            built: draft.built,
            body,
            headers: draft.headers,
        })
    }

    /// The profile's signing with the plan's secrets, keyed once.
    pub fn signer(&self) -> Result<Signer<'_>> {
        self.profile
            .signer(&self.secrets)
            .context("could not sign the event")
    }

    /// [`prepare`](Self::prepare) into `draft`, reusing its memory: what load mode
    /// does for every request. `draft.built.id` is kept when `given_id`.
    pub fn prepare_into(
        &self,
        signer: &Signer,
        given_id: bool,
        timestamp: i64,
        draft: &mut Draft,
    ) -> Result<()> {
        let p = &self.profile;
        if let Some(exact) = &self.body {
            let b = &mut draft.built;
            if !given_id {
                b.id = match p.body_event_and_id(exact).1 {
                    Some(id) => id,
                    None => p.new_id(timestamp)?,
                };
            }
            b.event.clone_from(&self.event);
            b.timestamp = timestamp;
            b.vars = p.render_vars(Some(&self.event), &b.id, timestamp)?;
            b.body.clear();
            b.body.extend_from_slice(exact);
        } else {
            p.build_event_into(
                &self.event,
                self.data.as_ref(),
                given_id,
                timestamp,
                &mut draft.built,
                &mut draft.scratch,
            )?;
        }
        // `--set` paths address the body as sent (as `events show` prints it); they
        // cannot be given with `--body`.
        if !self.patches.is_empty() {
            let mut body: Value =
                serde_json::from_slice(&draft.built.body).context("--set needs a JSON body")?;
            for (path, v) in &self.patches {
                set_path(&mut body, path, v.clone())
                    .with_context(|| format!("could not apply --set {path}"))?;
            }
            draft.built.body = crate::envelope::json::to_vec(&body);
        }
        if self.craft.pretty {
            draft.built.body = pretty(&draft.built.body)?;
        }
        self.sign_into(
            signer,
            &draft.built,
            &draft.built.body,
            timestamp,
            &mut draft.headers,
            &mut draft.scratch,
        )?;
        if !self.craft.tamper.is_empty() {
            let mut body: Value =
                serde_json::from_slice(&draft.built.body).context("--tamper needs a JSON body")?;
            for (path, v) in &self.craft.tamper {
                set_path(&mut body, path, v.clone())
                    .with_context(|| format!("could not apply --tamper {path}"))?;
            }
            draft.built.body = crate::envelope::json::to_vec(&body);
            if self.craft.pretty {
                draft.built.body = pretty(&draft.built.body)?;
            }
        }
        Ok(())
    }

    /// Signs (again) at `timestamp`: the body and id stay, the signature is fresh.
    pub fn sign(&self, built: &BuiltEvent, body: &[u8], timestamp: i64) -> Result<HeaderList> {
        let mut headers = HeaderList::new();
        self.sign_into(
            &self.signer()?,
            built,
            body,
            timestamp,
            &mut headers,
            &mut Scratch::default(),
        )?;
        Ok(headers)
    }

    fn sign_into(
        &self,
        signer: &Signer,
        built: &BuiltEvent,
        body: &[u8],
        timestamp: i64,
        headers: &mut HeaderList,
        scratch: &mut Scratch,
    ) -> Result<()> {
        let path = self.signed_path();
        signer
            .sign_into(
                &SignInput {
                    body,
                    event: Some(&built.event),
                    id: &built.id,
                    timestamp,
                    method: &self.method,
                    path: &path,
                    vars: &built.vars,
                },
                headers,
                scratch,
            )
            .context("could not sign the event")?;
        if self.craft.unsigned
            && let Some(scheme) = &self.profile.signature
        {
            *headers = headers
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case(&scheme.header))
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
        }
        for (n, v) in self.extra_headers.iter() {
            if headers.contains(n) {
                headers.set(n, v);
            } else {
                headers.push(n, v);
            }
        }
        Ok(())
    }
}

/// Sets a dotted path in a JSON value, creating objects on the way.
pub fn set_path(target: &mut Value, path: &str, value: Value) -> Result<()> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let mut cur = target;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            bail!("`{path}` has an empty key");
        }
        let last = i + 1 == keys.len();
        cur = match cur {
            Value::Object(map) => {
                if last {
                    map.insert(key.to_string(), value);
                    return Ok(());
                }
                map.entry(key.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            Value::Array(items) => {
                let idx: usize = key
                    .parse()
                    .with_context(|| format!("`{key}` in `{path}` is not an array index"))?;
                let len = items.len();
                let slot = items.get_mut(idx).with_context(|| {
                    format!("index {idx} in `{path}` is past the end ({len} items)")
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            other => {
                let kind = match other {
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                };
                let through = if i == 0 {
                    "the body".to_string()
                } else {
                    format!("`{}`", keys[..i].join("."))
                };
                bail!("{through} is {kind}, not an object, so `{path}` cannot go through it")
            }
        };
    }
    Ok(())
}
