//! A profile's `[handshake]`: how a provider makes an endpoint prove itself before
//! it sends events (where the challenge goes, which replies pass, the deadline,
//! re-validation). Data of the profile format, compiled with it; `hookctl mock`
//! (`crate::mock`) plays it against an app and grades the replies.

use super::units::parse_duration;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

/// `[handshake]` as written in a profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HandshakeDef {
    /// What sort of check: `echo-body-field`, `hmac-token`, `query-echo`,
    /// `header-echo`, `out-of-band-code`, `crc-periodic`, `signature-probe`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// The provider's name in grades ("Slack gives up at 3 s").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `GET` or `POST` (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// What the challenge is made of: `alnum:N`, `digits:N`, `uuid`, `graph` (an opaque
    /// text that needs URL-encoding) or `secret` (the signing secret itself, as
    /// Asana's `X-Hook-Secret` and Notion's verification token become the key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Query parameters of the challenge request; values may say `{challenge}`,
    /// `{verify_token}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    /// Headers of the challenge request, over the profile's.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// The JSON body; a string that is exactly `{timestamp}` or `{timestamp.ms}`
    /// becomes a number, `{challenge}` and `{uuid}` are replaced in any string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Whether the challenge request is signed with the profile's scheme
    /// [default: when it has a body].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
    /// What the reply must carry: `echo` (the challenge, URL-decoded), or the
    /// challenge's `hmac-sha256-hex` / `hmac-sha256-base64` keyed with the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Text before the answer (`sha256=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_prefix: Option<String>,
    /// The reply forms that pass (any one of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply: Vec<ReplyDef>,
    /// Statuses that pass [default: 200].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<u16>,
    /// How long the provider waits for the reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// How often the provider checks again (`72h`, `1h`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revalidate: Option<String>,
    /// How many redirects the provider follows [default: 0, none].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirects: Option<u8>,
    /// After the handshake, a request with an invalid signature is sent and must get
    /// this status (Discord's and Xero's 401).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<u16>,
    /// What the provider does when the check fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_fail: Option<String>,
    /// What the provider does when an event is never delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_give_up: Option<String>,
    /// For `out-of-band-code`: how the code comes back: `api` (the user calls the
    /// registration API, Hover) or `user` (pasted in the provider's UI, Notion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Confirm>,
    /// A dotted path of the event body where the secret travels (Graph's
    /// `clientState`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_in_body: Option<String>,
    /// Headers added to a retried attempt; values may say `{attempt}` (retries so
    /// far) and `{reason}` (Slack's `X-Slack-Retry-Num`, `X-Slack-Retry-Reason`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub retry_headers: IndexMap<String, String>,
    /// After the handshake, the same challenge with a wrong `{verify_token}` is sent
    /// and must get this status (Meta's 403; any 4xx passes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_probe: Option<u16>,
    /// A reply header by which the app asks for no retry of a failed delivery
    /// (Slack's `X-Slack-No-Retry: 1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_retry_header: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    EchoBodyField,
    HmacToken,
    QueryEcho,
    HeaderEcho,
    OutOfBandCode,
    CrcPeriodic,
    SignatureProbe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    #[default]
    Echo,
    HmacSha256Hex,
    HmacSha256Base64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confirm {
    Api,
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// The body is the answer.
    Text,
    /// A JSON object whose `fields` hold the given values.
    Json,
    /// `application/x-www-form-urlencoded` with the `fields`.
    Form,
    /// A reply header `name` holds the answer.
    Header,
    /// Any body: the status (and headers) are what count.
    Any,
}

/// One reply form that passes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyDef {
    pub form: Form,
    /// The media type the reply must have (`text/plain`); absent: any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Reply headers that must be there with these values.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// For `json` and `form`: field (dotted path) → value; `"{answer}"` and
    /// `"{challenge}"` stand for those, other values are literal.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub fields: Map<String, Value>,
    /// For `header`: the header's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A compiled handshake.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub kind: Kind,
    pub provider: String,
    pub method: String,
    pub challenge: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub signed: bool,
    pub answer: Answer,
    pub answer_prefix: String,
    pub reply: Vec<ReplyDef>,
    pub status: Vec<u16>,
    pub deadline: Duration,
    pub revalidate: Option<Duration>,
    pub redirects: u8,
    pub probe: Option<u16>,
    pub on_fail: String,
    pub on_give_up: Option<String>,
    pub confirm: Option<Confirm>,
    pub secret_in_body: Option<String>,
    pub retry_headers: Vec<(String, String)>,
    pub no_retry_header: Option<String>,
    pub token_probe: Option<u16>,
}

impl Handshake {
    /// Checks `[handshake]`; on error, the field and what was expected.
    pub fn compile(def: &HandshakeDef, profile: &str) -> Result<Handshake, (String, String)> {
        let err = |f: &str, m: String| (format!("handshake.{f}"), m);
        let kind = def.kind.ok_or_else(|| {
            err("kind", "is required: `echo-body-field`, `hmac-token`, `query-echo`, `header-echo`, `out-of-band-code`, `crc-periodic` or `signature-probe`".into())
        })?;
        let dur = |f: &str, t: &Option<String>| -> Result<Option<Duration>, (String, String)> {
            t.as_deref()
                .map(|t| parse_duration(t).map_err(|m| err(f, m)))
                .transpose()
        };
        let deadline = dur("deadline", &def.deadline)?.unwrap_or(Duration::from_secs(10));
        if deadline.is_zero() || deadline > Duration::from_secs(600) {
            return Err(err(
                "deadline",
                "must be more than 0 and at most 10 minutes".into(),
            ));
        }
        let revalidate = dur("revalidate", &def.revalidate)?;
        if revalidate.is_some_and(|r| r < Duration::from_secs(1)) {
            return Err(err("revalidate", "must be at least 1s".into()));
        }
        let method = def.method.clone().unwrap_or_else(|| "POST".into());
        if !matches!(method.as_str(), "GET" | "POST" | "PUT") {
            return Err(err("method", format!("`{method}`: expected GET or POST")));
        }
        let challenge = def.challenge.clone().unwrap_or_else(|| "alnum:22".into());
        make_challenge(&challenge, None).map_err(|m| err("challenge", m))?;
        if kind != Kind::OutOfBandCode && kind != Kind::SignatureProbe && def.reply.is_empty() {
            return Err(err(
                "reply",
                "needs at least one [[handshake.reply]] form".into(),
            ));
        }
        for r in &def.reply {
            if r.form == Form::Header && r.name.is_none() {
                return Err(err("reply", "a `header` form needs `name`".into()));
            }
        }
        let status = if def.status.is_empty() {
            vec![200]
        } else {
            def.status.clone()
        };
        if let Some(s) = status
            .iter()
            .chain(def.probe.iter())
            .find(|s| !(100..=599).contains(*s))
        {
            return Err(err("status", format!("{s} is not an HTTP status")));
        }
        let provider = def.provider.clone().unwrap_or_else(|| profile.to_string());
        Ok(Handshake {
            kind,
            method,
            challenge,
            query: def
                .query
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            headers: def
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            signed: def.signed.unwrap_or(def.body.is_some()),
            body: def.body.clone(),
            answer: def.answer.unwrap_or_default(),
            answer_prefix: def.answer_prefix.clone().unwrap_or_default(),
            reply: def.reply.clone(),
            status,
            deadline,
            revalidate,
            redirects: def.redirects.unwrap_or(0).min(10),
            probe: def.probe,
            on_fail: def
                .on_fail
                .clone()
                .unwrap_or_else(|| format!("{provider} does not accept the URL")),
            on_give_up: def.on_give_up.clone(),
            confirm: def.confirm,
            secret_in_body: def.secret_in_body.clone(),
            retry_headers: def
                .retry_headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            no_retry_header: def.no_retry_header.clone(),
            token_probe: def.token_probe,
            provider,
        })
    }
}

/// The text Microsoft Graph sends as a validation token (it needs URL-encoding).
const GRAPH_TOKEN: &str =
    "Validation: Testing client application reachability for subscription Request-Id: ";

/// A fresh challenge of the form `spec` says; `secret` is the signing secret's text.
pub fn make_challenge(spec: &str, secret: Option<&str>) -> Result<String, String> {
    let (name, n) = match spec.split_once(':') {
        Some((a, b)) => (
            a,
            Some(
                b.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| format!("`{spec}`: the length must be 1 to 256"))?,
            ),
        ),
        None => (spec, None),
    };
    let pick = |set: &[u8], n: usize| -> String {
        (0..n)
            .map(|_| set[fastrand::usize(..set.len())] as char)
            .collect()
    };
    Ok(match (name, n) {
        ("alnum", Some(n)) => pick(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            n,
        ),
        ("digits", Some(n)) => {
            let mut s = pick(b"123456789", 1);
            s.push_str(&pick(b"0123456789", n - 1));
            s
        }
        ("uuid", None) => uuid::Uuid::new_v4().to_string(),
        ("graph", None) => format!("{GRAPH_TOKEN}{}", uuid::Uuid::new_v4()),
        ("secret", None) => secret.unwrap_or("").to_string(),
        _ => {
            return Err(format!(
                "`{spec}`: expected `alnum:N`, `digits:N`, `uuid`, `graph` or `secret`"
            ));
        }
    })
}
