//! A signature scheme as a profile compiles it: which headers, which templates, which
//! algorithm and key, and the JWT and canonical-content forms. What is done with one
//! (signing, checking) is in `schemes`, `sign` and `verify`.

use super::field::FieldError;
use super::keys::AsymAlg;
use super::mac::{Algorithm, Encoding};
use super::secret::{Secret, SecretEncoding, SecretError};
use super::template::TimeFormat;
use super::template::{Template, Var};
use super::units::parse_duration;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A compiled signature scheme.
#[derive(Debug, Clone)]
pub struct Scheme {
    /// The header that carries the signature (the first, when several do).
    pub header: String,
    /// Further headers that each carry one signature, made with the next secret
    /// (Box's `-primary`/`-secondary`, DocuSign's `-1`, `-2`, …), with their
    /// templates; a request needs only one of them.
    pub more_headers: Vec<(String, Template)>,
    /// That header's whole template.
    pub value: Template,
    /// The template of each item, when the header is a list.
    pub items: Vec<Template>,
    pub separator: Option<String>,
    pub signed: Template,
    pub algorithm: Algorithm,
    pub encoding: Encoding,
    pub secret: SecretEncoding,
    pub tolerance: Option<Duration>,
    pub optional: bool,
    pub jwt: Option<JwtScheme>,
    pub canonical: Option<Canonical>,
    pub key_form: KeyForm,
    pub secret_prefix: Vec<String>,
    pub past_only: bool,
    /// Where the body carries the timestamp, and in which format.
    pub timestamp_field: Option<(Vec<String>, TimeFormat)>,
}

impl Scheme {
    /// Whether signing takes a private key and verifying a public one (rather than
    /// one shared secret for both).
    pub fn uses_key_pair(&self) -> bool {
        self.algorithm.asym().is_some()
            || self
                .jwt
                .as_ref()
                .is_some_and(|j| j.algorithms.iter().any(|a| a.asym().is_some()))
    }

    /// The asymmetric algorithm signing uses: the scheme's own, or its JWT's first.
    pub fn asym_alg(&self) -> Option<super::keys::AsymAlg> {
        self.algorithm
            .asym()
            .or_else(|| self.jwt.as_ref().and_then(|j| j.algorithms.first()?.asym()))
    }

    /// Whether the signed content includes the URL the provider called.
    pub fn url_bound(&self) -> bool {
        self.signed.uses(|v| matches!(v, Var::Url | Var::UrlSha256))
            || matches!(self.canonical, Some(Canonical::Twilio | Canonical::PlivoV3))
            || self.jwt.as_ref().is_some_and(|j| j.url_bound())
    }

    /// Every header that carries a signature, the first one first.
    pub fn carriers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.header.as_str())
            .chain(self.more_headers.iter().map(|(n, _)| n.as_str()))
    }

    /// The key a secret gives under this scheme: its prefix taken off, then decoded.
    pub fn key(&self, secret: &Secret) -> Result<Vec<u8>, SecretError> {
        secret.key_after(self.secret, &self.secret_prefix)
    }
}

/// A named canonicalisation of the signed content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Canonical {
    /// Twilio: the full URL, then each form field (decoded, sorted) as name‖value;
    /// a URL that carries `bodySHA256` (a JSON body) is signed alone, and that
    /// parameter must be the body's SHA-256.
    Twilio,
    /// Contentful: `METHOD\nPATH?QUERY\nname:value;…\nBODY` over the headers that
    /// `x-contentful-signed-headers` names, lower-cased.
    Contentful,
    /// Plivo's V3 signature of a POST: the URL without its query, then `?` and the
    /// query's fields sorted (`k=v&…`), `.` when there are both, the form fields
    /// sorted as name‖value, then `.` and `X-Plivo-Signature-V3-Nonce`.
    PlivoV3,
}

impl Canonical {
    pub fn name(self) -> &'static str {
        match self {
            Canonical::Twilio => "twilio",
            Canonical::Contentful => "contentful",
            Canonical::PlivoV3 => "plivo-v3",
        }
    }
}

/// The form a provider hands its public key out in (what `keygen` writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyForm {
    /// PEM SubjectPublicKeyInfo.
    #[default]
    Pem,
    /// The raw key in hex (Discord).
    Hex,
    /// The raw key in base64 (Telnyx).
    Base64,
    /// DER SubjectPublicKeyInfo in base64 (SendGrid).
    SpkiBase64,
}

/// A JWS algorithm a profile accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum JwtAlg {
    HS256,
    HS384,
    HS512,
    ES256,
    RS256,
}

impl JwtAlg {
    pub fn name(self) -> &'static str {
        match self {
            JwtAlg::HS256 => "HS256",
            JwtAlg::HS384 => "HS384",
            JwtAlg::HS512 => "HS512",
            JwtAlg::ES256 => "ES256",
            JwtAlg::RS256 => "RS256",
        }
    }

    pub fn asym(self) -> Option<AsymAlg> {
        match self {
            JwtAlg::ES256 => Some(AsymAlg::EcdsaP256Raw),
            JwtAlg::RS256 => Some(AsymAlg::RsaSha256),
            _ => None,
        }
    }
}

/// `[signature.jwt]` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JwtDef {
    /// The algorithms accepted; signing uses the first. Anything else, `none` above
    /// all, is refused.
    #[serde(default)]
    pub algorithms: Vec<JwtAlg>,
    /// Claim name → template of its value, e.g. `sha256 = "{body.sha256}"`. Each must
    /// be in the token with that value; one over the body may be left out of a token
    /// for an empty body, and one from `{vars.…}` (an account id) is made when
    /// signing but not checked.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub claims: IndexMap<String, String>,
    /// Time claims made when signing: `iat`, `nbf`, `exp`, `jti` [default: `iat`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<Vec<String>>,
    /// `exp` minus `iat` when signing [default: 5m].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<String>,
    /// Clock skew allowed on `exp` and `nbf` [default: 0].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leeway: Option<String>,
}

/// A compiled `[signature.jwt]`.
#[derive(Debug, Clone)]
pub struct JwtScheme {
    pub algorithms: Vec<JwtAlg>,
    pub claims: Vec<(String, Template)>,
    pub issue: Vec<String>,
    pub lifetime: Duration,
    pub leeway: Duration,
}

impl JwtScheme {
    pub fn url_bound(&self) -> bool {
        self.claims
            .iter()
            .any(|(_, t)| t.uses(|v| matches!(v, Var::Url | Var::UrlSha256)))
    }
}

/// The largest JWT read (bigger ones are refused before decoding).
pub const MAX_JWT: usize = 16 * 1024;

const TIME_CLAIMS: [&str; 4] = ["iat", "nbf", "exp", "jti"];

fn ferr(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: message.into(),
    }
}

pub fn compile_jwt(
    algorithm: Algorithm,
    def: Option<&JwtDef>,
) -> Result<Option<JwtScheme>, FieldError> {
    let def = match (algorithm, def) {
        (Algorithm::Jwt, Some(d)) => d,
        (Algorithm::Jwt, None) => {
            return Err(ferr(
                "signature.jwt",
                "missing: `algorithm = \"jwt\"` needs a [signature.jwt] table with `algorithms = [\"HS256\"]` and its claims",
            ));
        }
        (_, Some(_)) => {
            return Err(ferr(
                "signature.jwt",
                "only read with `algorithm = \"jwt\"`",
            ));
        }
        (_, None) => return Ok(None),
    };
    if def.algorithms.is_empty() {
        return Err(ferr(
            "signature.jwt.algorithms",
            "name at least one of HS256, HS384, HS512, ES256, RS256",
        ));
    }
    if def.algorithms.iter().any(|a| a.asym().is_some())
        && def.algorithms.iter().any(|a| a.asym().is_none())
    {
        return Err(ferr(
            "signature.jwt.algorithms",
            "mix no HMAC algorithm (HS*) with a public-key one (ES256, RS256): a key cannot serve both",
        ));
    }
    let mut claims = Vec::new();
    for (name, src) in &def.claims {
        let field = format!("signature.jwt.claims.{name}");
        let t = Template::parse(src).map_err(|e| ferr(&field, e.to_string()))?;
        if t.uses(|v| {
            matches!(
                v,
                Var::Signature | Var::Data | Var::Uuid | Var::Hex(_) | Var::Alnum(_)
            )
        }) {
            return Err(ferr(
                &field,
                "a claim is checked on receipt: it may use {body.sha256}, {url}, {url.sha256}, {id}, {event}, {header:NAME}, {vars.NAME} and text",
            ));
        }
        claims.push((name.clone(), t));
    }
    let issue = def.issue.clone().unwrap_or_else(|| vec!["iat".into()]);
    if let Some(bad) = issue.iter().find(|c| !TIME_CLAIMS.contains(&c.as_str())) {
        return Err(ferr(
            "signature.jwt.issue",
            format!("`{bad}` is none of iat, nbf, exp, jti"),
        ));
    }
    let dur = |field: &str, v: &Option<String>, default: Duration| match v {
        None => Ok(default),
        Some(t) => parse_duration(t).map_err(|m| ferr(field, m)),
    };
    Ok(Some(JwtScheme {
        algorithms: def.algorithms.clone(),
        claims,
        issue,
        lifetime: dur(
            "signature.jwt.lifetime",
            &def.lifetime,
            Duration::from_secs(300),
        )?,
        leeway: dur("signature.jwt.leeway", &def.leeway, Duration::ZERO)?,
    }))
}
