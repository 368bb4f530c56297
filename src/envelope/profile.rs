//! The profile format (a provider's webhook contract as data) and its compiled form.
//!
//! A profile is a TOML table. Built-in profiles are files in `src/profiles/`; a user
//! adds or overrides one under `[profiles.NAME]` in `hookctl.toml`, in the same format.
//! `extends = "other"` starts from another profile and deep-merges the table over it.

pub use super::field::FieldError;
use super::field::field_err;
use super::headers::HeaderList;
pub use super::mac::{Algorithm, Encoding};
use super::retry::{RetryDef, RetryPolicy};
pub use super::scheme::Scheme;
use super::secret::SecretEncoding;
use super::template::{JsonTemplate, Segment, SizeBound, Template, TemplateError, TimeFormat, Var};
pub use super::units::{MAX_DURATION, parse_duration};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A profile exactly as written in TOML. Every field is optional so that an override
/// can name only what it changes; [`Profile::compile`] checks what must be there.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDef {
    /// Another profile this one starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the contract comes from (docs, seed file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Readings chosen where the provider's docs leave a detail open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Template of a fresh delivery id, e.g. `msg_{alnum:27}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Values rendered once per event, usable as `{vars.NAME}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub vars: Map<String, Value>,
    /// The body as a JSON template over `{data}`, `{event}`, `{id}`, … Absent: the
    /// body is the event's data object itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Map<String, Value>>,
    /// Dotted path of the event name in the body, when the envelope does not say it
    /// with a plain `"{event}"` field (e.g. Slack's `event.type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_path: Option<String>,
    /// Header name → value template, in the order they are sent.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureDef>,
    /// How the body travels: `json` (the default) or `form`
    /// (`application/x-www-form-urlencoded`, each top-level field a parameter; a
    /// nested value goes as its JSON text, as Mandrill's `mandrill_events`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryDef>,
    /// How the provider makes an endpoint prove itself (`hookctl mock` plays it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake: Option<super::handshake::HandshakeDef>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub events: IndexMap<String, EventDef>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureDef {
    /// Template of the signed bytes, e.g. `{id}.{timestamp}.{body}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<Algorithm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// How the secret's text becomes the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretEncoding>,
    /// When the signature header holds a list (several signatures, or `t=…,v1=…`):
    /// what separates the items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// How far the signed timestamp may be from now (`5m`); absent or `0`: not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<String>,
    /// The provider sends no signature when no secret is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// With `algorithm = "jwt"`: the JWT's algorithms and claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<super::scheme::JwtDef>,
    /// A named canonicalisation for what no template can say (`twilio`, `contentful`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<super::scheme::Canonical>,
    /// The form the provider hands its public key out in, which `keygen` writes
    /// (`hex`, `base64`, `spki-base64`, `pem`); `verify` reads any of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<super::scheme::KeyForm>,
    /// Prefixes taken off the secret's text before it is decoded (the first that
    /// fits): `"v1,whsec_"`; a `*` stands for one or more letters, digits or `_`
    /// (`"signkey-*-"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_prefix: Vec<String>,
    /// The tolerance applies to the past only: a timestamp ahead of the clock passes
    /// (Stripe's, Mux's and WorkOS's libraries check only the age).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub past_only: Option<bool>,
    /// Dotted path of a body field that carries the timestamp, when no header does
    /// (Linear's `webhookTimestamp`); its format is the placeholder the envelope
    /// puts there (`"{timestamp.ms}"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_field: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Sample data; strings may use placeholders (`{uuid}`, `{vars.x}`, `{timestamp.rfc3339}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// The provider's "send test event" / endpoint check.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// A delivery the receiver must answer to complete a handshake (e.g. Hover's code).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub handshake: bool,
    /// How to complete the handshake, shown by `listen` when it arrives; a template
    /// that may read the received body (`{json:code}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyFormat {
    #[default]
    Json,
    Form,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub description: String,
    pub data: JsonTemplate,
    pub test: bool,
    pub handshake: bool,
    pub complete: Option<Template>,
}

/// A profile ready to sign and verify with.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub source: String,
    pub notes: Vec<String>,
    /// Where the definition came from: `built-in`, or a config file's path.
    pub origin: String,
    pub id: Template,
    pub vars: Vec<(String, JsonTemplate)>,
    pub envelope: Option<JsonTemplate>,
    pub headers: Vec<(String, Template)>,
    pub signature: Option<Scheme>,
    pub body_format: BodyFormat,
    pub retry: RetryPolicy,
    pub handshake: Option<super::handshake::Handshake>,
    pub events: IndexMap<String, Event>,
    /// Where the event name, delivery id and timestamp sit in the body, if they do.
    pub event_path: Option<Vec<String>>,
    pub id_path: Option<Vec<String>>,
    /// The merged definition, for `profiles show`.
    pub def: ProfileDef,
}

fn tpl(field: &str, source: &str) -> Result<Template, FieldError> {
    Template::parse(source).map_err(|e| field_err(field, e.to_string()))
}

fn json_tpl(field: &str, value: &Value) -> Result<JsonTemplate, FieldError> {
    JsonTemplate::compile(value).map_err(|e: TemplateError| field_err(field, e.to_string()))
}

/// The most a var, header, envelope or event sample of a profile may render to of its
/// own (1 MiB), and how many times it may take in an outside value.
pub const MAX_RENDERED: u64 = 1 << 20;
pub const MAX_INPUT_USES: u64 = 16;

fn check_bound(field: &str, b: SizeBound) -> Result<(), FieldError> {
    if b.fixed > MAX_RENDERED {
        let shown = if b.fixed == u64::MAX {
            "more than 2^64".to_string()
        } else {
            b.fixed.to_string()
        };
        return Err(field_err(
            field,
            format!(
                "may render to {shown} bytes, over the limit of {MAX_RENDERED} (1 MiB); a var used more than once in another doubles each time"
            ),
        ));
    }
    if b.per_input > MAX_INPUT_USES {
        return Err(field_err(
            field,
            format!(
                "uses the event name, id, data or a header {} times over (through its vars), over the limit of {MAX_INPUT_USES}",
                b.per_input
            ),
        ));
    }
    Ok(())
}

impl Profile {
    /// Checks a merged definition and compiles its templates.
    pub fn compile(name: &str, origin: &str, def: ProfileDef) -> Result<Profile, FieldError> {
        let id = tpl("id", def.id.as_deref().unwrap_or("{uuid}"))?;
        if id.uses(|v| matches!(v, Var::Id | Var::Data | Var::Body | Var::Signature)) {
            return Err(field_err(
                "id",
                "an id cannot refer to itself, the data, the body or the signature",
            ));
        }
        let vars = def
            .vars
            .iter()
            .map(|(k, v)| Ok((k.clone(), json_tpl(&format!("vars.{k}"), v)?)))
            .collect::<Result<Vec<_>, FieldError>>()?;
        // A var is rendered once per event, in order: it may use the ones before it.
        for (i, (name, t)) in vars.iter().enumerate() {
            for used in t.templates().iter().flat_map(|t| t.segments()) {
                if let Segment::Var(Var::Var(other)) = used
                    && !vars[..i].iter().any(|(n, _)| n == other)
                {
                    return Err(field_err(
                        format!("vars.{name}"),
                        format!("`{{vars.{other}}}` is not a var defined before this one"),
                    ));
                }
            }
        }
        // Bounded before anything renders: a var, header, envelope or sample may render
        // at most MAX_RENDERED bytes of its own, and take in an outside value (the event
        // name, the data) at most MAX_INPUT_USES times.
        let mut bounds: HashMap<&str, SizeBound> = HashMap::new();
        for (name, t) in &vars {
            let b = t.text_bound(&|n| bounds.get(n).copied().unwrap_or_default());
            check_bound(&format!("vars.{name}"), b)?;
            bounds.insert(name, b);
        }
        let var_bound = |n: &str| bounds.get(n).copied().unwrap_or_default();
        let envelope = def
            .envelope
            .as_ref()
            .map(|e| json_tpl("envelope", &Value::Object(e.clone())))
            .transpose()?;
        if let Some(env) = &envelope {
            check_bound("envelope", env.size_bound(&var_bound))?;
            if env.path_of(&|v| *v == Var::Data).is_none()
                && !matches!(env, JsonTemplate::Object(f) if f.iter().any(|(k, _)| k == "..."))
            {
                return Err(field_err(
                    "envelope",
                    "the envelope must place the event's data somewhere: a field `\"{data}\"` (or `\"...\" = \"{data}\"` to splice it in)",
                ));
            }
        }
        let mut headers = Vec::new();
        for (name, value) in &def.headers {
            HeaderList::parse_line(&format!("{name}: x"))
                .map_err(|_| field_err(format!("headers.{name}"), "not a valid header name"))?;
            let t = tpl(&format!("headers.{name}"), value)?;
            check_bound(&format!("headers.{name}"), t.size_bound(&var_bound))?;
            if t.uses(|v| matches!(v, Var::Body | Var::Data)) {
                return Err(field_err(
                    format!("headers.{name}"),
                    "a header cannot contain the body; use `{body.md5}` for a digest",
                ));
            }
            headers.push((name.clone(), t));
        }
        let signature = match &def.signature {
            None => {
                if headers
                    .iter()
                    .any(|(_, t)| t.uses(|v| *v == Var::Signature))
                {
                    return Err(field_err(
                        "signature",
                        "a header uses `{signature}` but the profile has no [signature] table",
                    ));
                }
                None
            }
            Some(sig) => Some(compile_scheme(sig, &headers, envelope.as_ref())?),
        };
        let retry = RetryPolicy::compile(def.retry.as_ref())
            .map_err(|(f, m)| field_err(format!("retry.{f}"), m))?;
        let handshake = def
            .handshake
            .as_ref()
            .map(|h| super::handshake::Handshake::compile(h, name))
            .transpose()
            .map_err(|(f, m)| field_err(f, m))?;
        let mut events = IndexMap::new();
        for (ename, e) in &def.events {
            let data = e.data.clone().unwrap_or_else(|| Value::Object(Map::new()));
            let field = format!("events.\"{ename}\".data");
            let data = json_tpl(&field, &data)?;
            check_bound(&field, data.size_bound(&var_bound))?;
            events.insert(
                ename.clone(),
                Event {
                    name: ename.clone(),
                    description: e.description.clone(),
                    data,
                    test: e.test,
                    handshake: e.handshake,
                    complete: e
                        .complete
                        .as_deref()
                        .map(|c| tpl(&format!("events.\"{ename}\".complete"), c))
                        .transpose()?,
                },
            );
        }
        let event_path = match &def.event_path {
            Some(p) if p.is_empty() => return Err(field_err("event_path", "must not be empty")),
            Some(p) => Some(p.split('.').map(str::to_string).collect()),
            None => envelope
                .as_ref()
                .and_then(|e| e.path_of(&|v| *v == Var::Event)),
        };
        let id_path = envelope
            .as_ref()
            .and_then(|e| e.path_of(&|v| *v == Var::Id));
        Ok(Profile {
            name: name.to_string(),
            description: def.description.clone().unwrap_or_default(),
            source: def.source.clone().unwrap_or_default(),
            notes: def.notes.clone(),
            origin: origin.to_string(),
            id,
            vars,
            envelope,
            headers,
            signature,
            body_format: def.body.unwrap_or_default(),
            retry,
            handshake,
            events,
            event_path,
            id_path,
            def,
        })
    }

    /// The header that names the event, if the profile has one.
    pub fn event_header(&self) -> Option<&str> {
        self.header_of(&Var::Event)
    }

    /// The header that carries the delivery id, if the profile has one.
    pub fn id_header(&self) -> Option<&str> {
        self.header_of(&Var::Id)
    }

    fn header_of(&self, var: &Var) -> Option<&str> {
        self.headers
            .iter()
            .find(|(_, t)| t.sole_var() == Some(var))
            .map(|(n, _)| n.as_str())
    }

    /// Looks an event up, with a list of the known ones on failure.
    pub fn event(&self, name: &str) -> Result<&Event, String> {
        self.events.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.events.keys().map(String::as_str).collect();
            format!(
                "profile `{}` has no event `{name}`{}; it has: {}",
                self.name,
                super::did_you_mean(name, known.iter().copied()),
                known.join(", ")
            )
        })
    }

    /// A one-line description of the signature, e.g.
    /// `Stripe-Signature: t={timestamp},v1={signature}; hex HMAC-SHA256 of "{timestamp}.{body}"`.
    pub fn signature_summary(&self) -> String {
        match &self.signature {
            None => "unsigned".to_string(),
            Some(s) if matches!(s.algorithm, Algorithm::Token | Algorithm::Basic) => {
                format!(
                    "{}: {} — {}",
                    s.header,
                    s.value.source(),
                    s.algorithm.name()
                )
            }
            Some(s) if s.algorithm == Algorithm::Jwt => {
                let j = s.jwt.as_ref();
                let algs: Vec<&str> = j
                    .map(|j| j.algorithms.iter().map(|a| a.name()).collect())
                    .unwrap_or_default();
                let claims: Vec<String> = j
                    .map(|j| {
                        j.claims
                            .iter()
                            .map(|(n, t)| format!("{n}={}", t.source()))
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "{}: {} — JWT {} with {}{}",
                    s.header,
                    s.value.source(),
                    algs.join("/"),
                    claims.join(", "),
                    s.tolerance
                        .map(|t| format!(", tolerance {}", humantime::format_duration(t)))
                        .unwrap_or_default()
                )
            }
            Some(s) if s.canonical.is_some() => format!(
                "{}: {} — {} {} of the `{}` canonical request{}",
                s.header,
                s.value.source(),
                s.encoding.name(),
                s.algorithm.name(),
                s.canonical.map(|c| c.name()).unwrap_or_default(),
                s.tolerance
                    .map(|t| format!(", tolerance {}", humantime::format_duration(t)))
                    .unwrap_or_default()
            ),
            Some(s) => format!(
                "{}: {} — {} {} of \"{}\"{}",
                s.header,
                s.value.source(),
                s.encoding.name(),
                s.algorithm.name(),
                s.signed.source(),
                s.tolerance
                    .map(|t| format!(", tolerance {}", humantime::format_duration(t)))
                    .unwrap_or_default()
            ),
        }
    }

    /// The family of its signature scheme, as the profile format names the
    /// algorithm (`hmac-sha256`, …), or `none` for a profile that does not sign.
    pub fn scheme_family(&self) -> String {
        match &self.signature {
            Some(s) => serde_json::to_value(s.algorithm)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| s.algorithm.name().to_ascii_lowercase()),
            None => "none".to_string(),
        }
    }

    /// Reads a dotted path out of a JSON body.
    pub fn body_field<'a>(body: &'a Value, path: &[String]) -> Option<&'a Value> {
        path.iter().try_fold(body, |v, key| v.get(key))
    }
}

fn compile_scheme(
    sig: &SignatureDef,
    headers: &[(String, Template)],
    envelope: Option<&JsonTemplate>,
) -> Result<Scheme, FieldError> {
    let carriers: Vec<&(String, Template)> = headers
        .iter()
        .filter(|(_, t)| t.uses(|v| *v == Var::Signature))
        .collect();
    let (header, value) = match carriers.first() {
        Some(one) => (one.0.clone(), one.1.clone()),
        None => {
            return Err(field_err(
                "headers",
                "no header carries the signature: give one header a value with `{signature}`, e.g. \"sha256={signature}\"",
            ));
        }
    };
    let more_headers: Vec<(String, Template)> = carriers[1..]
        .iter()
        .map(|(n, t)| (n.clone(), t.clone()))
        .collect();
    let separator = sig.separator.clone().filter(|s| !s.is_empty());
    if !more_headers.is_empty() && separator.is_some() {
        return Err(field_err(
            "signature.separator",
            "several headers carry `{signature}`: each holds one signature, so there is no list to separate",
        ));
    }
    for p in &sig.secret_prefix {
        if p.is_empty() || p.starts_with('*') || p.contains("**") {
            return Err(field_err(
                "signature.secret_prefix",
                format!(
                    "`{p}` is not a prefix: it must be non-empty, and a `*` must follow other text"
                ),
            ));
        }
    }
    let items = match &separator {
        Some(sep) => value
            .source()
            .split(sep.as_str())
            .map(|item| tpl(&format!("headers.{header}"), item))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![value.clone()],
    };
    for item in &items {
        let vars = item
            .segments()
            .iter()
            .filter(|s| matches!(s, super::template::Segment::Var(_)))
            .count();
        if item.uses(|v| *v == Var::Signature)
            && vars > 1
            && item.uses(|v| matches!(v, Var::Timestamp(_)))
        {
            return Err(field_err(
                format!("headers.{header}"),
                "put the timestamp and the signature in separate items (set signature.separator)",
            ));
        }
    }
    let algorithm = sig.algorithm.unwrap_or(Algorithm::HmacSha256);
    let needs_signed = !matches!(
        algorithm,
        Algorithm::Token | Algorithm::Basic | Algorithm::Jwt
    ) && sig.canonical.is_none();
    let default_signed = (!needs_signed).then_some("{body}");
    let signed_src = sig.signed.as_deref().or(default_signed).ok_or_else(|| {
        field_err(
            "signature.signed",
            "missing: say which bytes are signed, e.g. \"{body}\" or \"{timestamp}.{body}\"",
        )
    })?;
    let signed = tpl("signature.signed", signed_src)?;
    if signed.uses(|v| {
        matches!(
            v,
            Var::Signature | Var::Data | Var::Uuid | Var::Hex(_) | Var::Alnum(_)
        )
    }) {
        return Err(field_err(
            "signature.signed",
            "the signed content may use {body}, {id}, {timestamp…}, {event}, {path}, {method}, {url}, {query}, {form.sorted}, {body.sha256}, {json:PATH}, {header:NAME} and {vars.NAME}",
        ));
    }
    let timestamp_field = match sig.timestamp_field.as_deref() {
        None => None,
        Some(path) => {
            let want: Vec<String> = path.split('.').map(str::to_string).collect();
            let found = [
                TimeFormat::Unix,
                TimeFormat::UnixMs,
                TimeFormat::Rfc3339,
                TimeFormat::Http,
            ]
            .into_iter()
            .find(|f| {
                envelope.and_then(|e| e.path_of(&|v| *v == Var::Timestamp(*f)))
                    == Some(want.clone())
            });
            if signed.uses(|v| matches!(v, Var::Timestamp(_))) {
                return Err(field_err(
                    "signature.timestamp_field",
                    "a timestamp read from the body cannot also be in the signed content; sign `{body}`",
                ));
            }
            match found {
                Some(f) => Some((want, f)),
                None => {
                    return Err(field_err(
                        "signature.timestamp_field",
                        format!(
                            "the envelope must put a timestamp placeholder at `{path}` (e.g. `\"{{timestamp.ms}}\"`)"
                        ),
                    ));
                }
            }
        }
    };
    let tolerance = match sig.tolerance.as_deref() {
        None => None,
        Some(t) => Some(parse_duration(t).map_err(|m| field_err("signature.tolerance", m))?)
            .filter(|d| !d.is_zero()),
    };
    let jwt = super::scheme::compile_jwt(algorithm, sig.jwt.as_ref())?;
    Ok(Scheme {
        header,
        more_headers,
        value,
        items,
        separator,
        signed,
        algorithm,
        encoding: sig.encoding.unwrap_or(Encoding::Hex),
        secret: sig.secret.unwrap_or(SecretEncoding::Raw),
        tolerance,
        optional: sig.optional.unwrap_or(false),
        jwt,
        canonical: sig.canonical,
        key_form: sig.public_key.unwrap_or_default(),
        secret_prefix: sig.secret_prefix.clone(),
        past_only: sig.past_only.unwrap_or(false),
        timestamp_field,
    })
}
/// What stands for a shared token or password in what hookctl records and shows.
pub const REDACTED: &str = "[the shared secret, not recorded]";

/// The headers as hookctl records and shows them: under a token or Basic-auth scheme
/// the header that carries the shared secret is masked (an HMAC signature is not a
/// secret, a token is). `None` when nothing needs masking.
pub fn without_shared_secret(profile: &Profile, headers: &HeaderList) -> Option<HeaderList> {
    let scheme = profile.signature.as_ref()?;
    if !matches!(scheme.algorithm, Algorithm::Token | Algorithm::Basic)
        || !headers.contains(&scheme.header)
    {
        return None;
    }
    let masked = scheme
        .value
        .render(&super::template::Ctx {
            signature: Some(REDACTED),
            ..super::template::Ctx::default()
        })
        .unwrap_or_else(|_| REDACTED.to_string());
    Some(
        headers
            .iter()
            .map(|(n, v)| {
                let v = if n.eq_ignore_ascii_case(&scheme.header) {
                    masked.clone()
                } else {
                    v.to_string()
                };
                (n.to_string(), v)
            })
            .collect(),
    )
}
