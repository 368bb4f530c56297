//! The signature schemes beyond the HMACs: keyed hashes, Ed25519, ECDSA, RSA, JWTs,
//! shared tokens and Basic auth, and the named canonicalisations that no template can
//! say (Twilio's URL with `bodySHA256`, Contentful's canonical request).
//!
//! The HMAC paths in `sign` and `verify` stay as they are; a scheme of another
//! algorithm branches here for its keys, its signature and its check.

use super::headers::HeaderList;
use super::keys::{KeyError, PrivateKey, PublicKey};
use super::mac::Algorithm;
use super::mac::{decode, encode};
use super::outcome::{Failure, Parsed, Received};
pub use super::scheme::{
    Canonical, JwtAlg, JwtDef, JwtScheme, KeyForm, MAX_JWT, Scheme, compile_jwt,
};
use super::secret::{Secret, SecretKind};
use super::template::{Ctx, TemplateError, Var, is_absolute, sorted_form};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Digest;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// What the scheme names as its key, for messages.
pub fn key_needed(scheme: &Scheme, signing: bool) -> String {
    if scheme.uses_key_pair() {
        let kind = scheme
            .asym_alg()
            .map(|a| a.key_type().name())
            .unwrap_or("a key");
        if signing {
            format!("{kind}'s private half: pass --private-key FILE (PEM, PKCS#8)")
        } else {
            format!("{kind}'s public half, as the provider shows it: pass --public-key FILE|VALUE")
        }
    } else if scheme.algorithm == Algorithm::Basic {
        "a user and password: pass --secret USER:PASSWORD".to_string()
    } else {
        "a shared secret: pass --secret-env NAME or --secret-file PATH".to_string()
    }
}

/// A key a scheme other than HMAC signs with.
#[derive(Clone)]
pub enum AltKey {
    Shared(Vec<u8>),
    Private(Arc<PrivateKey>),
}

/// Errors while making keys or signatures, as text for `SignError::Key`.
pub fn signing_keys(
    profile: &str,
    scheme: &Scheme,
    secrets: &[Secret],
) -> Result<Vec<AltKey>, String> {
    let mut out = Vec::new();
    for s in secrets {
        if scheme.uses_key_pair() {
            if s.kind() == SecretKind::PublicKey {
                return Err(format!(
                    "a public key ({}) cannot sign; profile `{profile}` signs with {}",
                    s.source(),
                    key_needed(scheme, true)
                ));
            }
            let key = PrivateKey::parse(s.expose())
                .map_err(|e| format!("could not read the private key ({}): {e}", s.source()))?;
            let want = scheme.asym_alg().map(|a| a.key_type());
            if let Some(want) = want
                && want != key.key_type()
            {
                return Err(KeyError::WrongType {
                    origin: s.source().to_string(),
                    got: key.key_type().name(),
                    want: want.name(),
                    profile: profile.to_string(),
                }
                .to_string());
            }
            out.push(AltKey::Private(Arc::new(key)));
            continue;
        }
        let key = match scheme.algorithm {
            Algorithm::Token => s.key(super::secret::SecretEncoding::Raw),
            Algorithm::Basic => {
                let k = s.key(super::secret::SecretEncoding::Raw);
                if let Ok(k) = &k
                    && !k.contains(&b':')
                {
                    return Err(format!(
                        "profile `{profile}` uses Basic auth: the secret ({}) must be USER:PASSWORD",
                        s.source()
                    ));
                }
                k
            }
            _ => s.key(scheme.secret),
        }
        .map_err(|e| e.to_string())?;
        out.push(AltKey::Shared(key));
    }
    Ok(out)
}

fn keyed_hash(alg: Algorithm, content: &[u8], key: &[u8]) -> Vec<u8> {
    if alg == Algorithm::KeyedSha1 {
        let mut h = sha1::Sha1::new();
        h.update(content);
        h.update(key);
        h.finalize().to_vec()
    } else {
        let mut h = sha2::Sha256::new();
        h.update(content);
        h.update(key);
        h.finalize().to_vec()
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hmac_of(alg: JwtAlg, key: &[u8], msg: &[u8]) -> Vec<u8> {
    const ANY: &str = "HMAC takes any key length";
    match alg {
        JwtAlg::HS384 => {
            let mut m = Hmac::<sha2::Sha384>::new_from_slice(key).expect(ANY);
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        JwtAlg::HS512 => {
            let mut m = Hmac::<sha2::Sha512>::new_from_slice(key).expect(ANY);
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).expect(ANY);
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
    }
}

/// The signature text (as the header carries it) for one key.
pub fn signature_text(
    scheme: &Scheme,
    key: &AltKey,
    content: &[u8],
    ctx: &Ctx,
) -> Result<String, String> {
    match (scheme.algorithm, key) {
        (Algorithm::KeyedSha1 | Algorithm::KeyedSha256, AltKey::Shared(k)) => Ok(encode(
            scheme.encoding,
            &keyed_hash(scheme.algorithm, content, k),
        )),
        (Algorithm::Token, AltKey::Shared(k)) => Ok(String::from_utf8_lossy(k).into_owned()),
        (Algorithm::Basic, AltKey::Shared(k)) => {
            Ok(base64::engine::general_purpose::STANDARD.encode(k))
        }
        (Algorithm::Jwt, key) => jwt_sign(scheme, key, ctx),
        (alg, AltKey::Private(k)) => {
            let a = alg
                .asym()
                .ok_or_else(|| format!("{} does not sign with a private key", alg.name()))?;
            let sig = k.sign(a, content).map_err(|e| e.to_string())?;
            Ok(encode(scheme.encoding, &sig))
        }
        (alg, AltKey::Shared(_)) => Err(format!(
            "{} signs with a private key (--private-key), not a shared secret",
            alg.name()
        )),
    }
}

fn jwt_sign(scheme: &Scheme, key: &AltKey, ctx: &Ctx) -> Result<String, String> {
    let jwt = scheme.jwt.as_ref().ok_or("no [signature.jwt]")?;
    let alg = jwt.algorithms[0];
    let header = serde_json::json!({"alg": alg.name(), "typ": "JWT"});
    let mut claims = Map::new();
    for (name, t) in &jwt.claims {
        // A claim over the body is left out for an empty body (MessageBird's rule).
        let over_body =
            t.uses(|v| matches!(v, Var::BodySha256 | Var::BodySha256Base64 | Var::Body));
        if over_body && ctx.body.is_some_and(<[u8]>::is_empty) {
            continue;
        }
        let v = t.render(ctx).map_err(|e| match e {
            TemplateError::Missing(n) if n.starts_with("url") => {
                "its JWT binds the URL the provider calls: give it (`sign --url URL`; `send` signs its `--to`)".to_string()
            }
            e => e.to_string(),
        })?;
        claims.insert(name.clone(), Value::String(v));
    }
    let ts = ctx.timestamp.unwrap_or_default();
    for c in &jwt.issue {
        let v = match c.as_str() {
            "iat" | "nbf" => Value::from(ts),
            "exp" => Value::from(
                ts.saturating_add(i64::try_from(jwt.lifetime.as_secs()).unwrap_or(i64::MAX)),
            ),
            _ => Value::String(
                ctx.id
                    .map_or_else(|| uuid::Uuid::new_v4().to_string(), |id| id.to_string()),
            ),
        };
        claims.insert(c.clone(), v);
    }
    let signing_input = format!(
        "{}.{}",
        b64url(&super::json::to_vec(&header)),
        b64url(&super::json::to_vec(&Value::Object(claims)))
    );
    let sig = match (alg.asym(), key) {
        (None, AltKey::Shared(k)) => hmac_of(alg, k, signing_input.as_bytes()),
        (Some(a), AltKey::Private(k)) => k
            .sign(a, signing_input.as_bytes())
            .map_err(|e| e.to_string())?,
        (None, AltKey::Private(_)) => {
            return Err(format!("{} signs with a shared secret", alg.name()));
        }
        (Some(_), AltKey::Shared(_)) => {
            return Err(format!("{} signs with a private key", alg.name()));
        }
    };
    Ok(format!("{signing_input}.{}", b64url(&sig)))
}

/// A key a scheme other than HMAC verifies with.
enum VerifyKey {
    Shared(Vec<u8>),
    Public(PublicKey),
}

/// The keys to verify with, one per secret given (`None` where one does not fit the
/// scheme); `Err` when none fits, saying what the profile needs.
fn verification_keys(
    profile: &str,
    scheme: &Scheme,
    secrets: &[Secret],
) -> Result<Vec<Option<VerifyKey>>, String> {
    let mut first_err = None;
    let mut keys = Vec::new();
    for s in secrets {
        let k = if scheme.uses_key_pair() {
            let parsed = match s.kind() {
                SecretKind::PrivateKey => {
                    PrivateKey::parse(s.expose()).and_then(|k| k.public_key())
                }
                _ => PublicKey::parse(s.expose()),
            };
            let want = scheme.asym_alg().map(|a| a.key_type());
            match parsed {
                Ok(k) if Some(k.key_type) == want => Ok(VerifyKey::Public(k)),
                Ok(k) => Err(KeyError::WrongType {
                    origin: s.source().to_string(),
                    got: k.key_type.name(),
                    want: want.map_or("another key", |w| w.name()),
                    profile: profile.to_string(),
                }
                .to_string()),
                Err(e) => Err(format!("the key ({}): {e}", s.source())),
            }
        } else if s.kind() != SecretKind::Shared {
            Err(format!(
                "profile `{profile}` verifies with a shared secret, not a key pair ({} is a key)",
                s.source()
            ))
        } else {
            let enc = match scheme.algorithm {
                Algorithm::Token | Algorithm::Basic => super::secret::SecretEncoding::Raw,
                _ => scheme.secret,
            };
            s.key(enc).map(VerifyKey::Shared).map_err(|e| e.to_string())
        };
        match k {
            Ok(k) => keys.push(Some(k)),
            Err(e) => {
                first_err.get_or_insert(e);
                keys.push(None);
            }
        }
    }
    if keys.iter().all(Option::is_none) {
        let e = first_err.unwrap_or_else(|| "no key given".into());
        return Err(format!(
            "{e}; profile `{profile}` verifies with {}",
            key_needed(scheme, false)
        ));
    }
    Ok(keys)
}

/// What a check found: the secret that matched (1-based), and the time the token
/// says it was made (a JWT's `iat`).
#[derive(Debug, Default)]
pub struct Checked {
    pub matched: Option<usize>,
    pub timestamp: Option<i64>,
}

/// Checks a request under a scheme other than HMAC. The outer `Err` is a key that
/// cannot be used (an error, as for a secret that does not decode); the inner one a
/// verdict.
pub fn check(
    profile: &str,
    scheme: &Scheme,
    req: &Received,
    parsed: &Parsed,
    content: &[u8],
    secrets: &[Secret],
    now: i64,
) -> Result<Result<Checked, Failure>, String> {
    let keys = verification_keys(profile, scheme, secrets)?;
    if scheme.algorithm == Algorithm::Jwt {
        return Ok(check_jwt(scheme, req, parsed, &keys, now));
    }
    let matched = match scheme.algorithm {
        Algorithm::Token => keys.iter().position(|k| {
            matches!(k, Some(VerifyKey::Shared(key)) if parsed.signatures.iter().any(|s| bool::from(s.trim().as_bytes().ct_eq(key))))
        }),
        Algorithm::Basic => {
            let given: Vec<Vec<u8>> = parsed
                .signatures
                .iter()
                .filter_map(|s| base64::engine::general_purpose::STANDARD.decode(s.trim()).ok())
                .collect();
            if given.is_empty() {
                return Ok(Err(Failure::BadSignatureEncoding {
                    header: scheme.header.clone(),
                    encoding: "base64 (Basic auth)".into(),
                }));
            }
            keys.iter().position(|k| {
                matches!(k, Some(VerifyKey::Shared(key)) if given.iter().any(|g| bool::from(g.as_slice().ct_eq(key))))
            })
        }
        alg => {
            let candidates: Vec<Vec<u8>> = parsed
                .signatures
                .iter()
                .filter_map(|s| decode(scheme.encoding, s))
                .collect();
            if candidates.is_empty() {
                return Ok(Err(Failure::BadSignatureEncoding {
                    header: scheme.header.clone(),
                    encoding: scheme.encoding.name().to_string(),
                }));
            }
            keys.iter().position(|k| match (k, alg.asym()) {
                (Some(VerifyKey::Public(key)), Some(a)) => {
                    candidates.iter().any(|c| key.verify(a, content, c))
                }
                (Some(VerifyKey::Shared(key)), None) => {
                    let want = keyed_hash(alg, content, key);
                    candidates
                        .iter()
                        .any(|c| bool::from(c.as_slice().ct_eq(&want)))
                }
                _ => false,
            })
        }
    };
    Ok(Ok(Checked {
        matched: matched.map(|i| i + 1),
        timestamp: None,
    }))
}

fn jwt_fail(reason: impl Into<String>) -> Failure {
    Failure::Jwt {
        reason: reason.into(),
    }
}

fn claim_number(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

fn check_jwt(
    scheme: &Scheme,
    req: &Received,
    parsed: &Parsed,
    keys: &[Option<VerifyKey>],
    now: i64,
) -> Result<Checked, Failure> {
    let Some(jwt) = &scheme.jwt else {
        return Err(jwt_fail("the profile has no [signature.jwt]"));
    };
    let token = parsed.signatures.first().map(|s| s.trim()).unwrap_or("");
    if token.len() > MAX_JWT {
        return Err(jwt_fail(format!(
            "the JWT is {} bytes, over the limit of {MAX_JWT}",
            token.len()
        )));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err(jwt_fail(format!(
            "not a JWT: {} parts separated by `.`, where a signed JWT has 3",
            parts.len()
        )));
    };
    let decode_part = |part: &str, what: &str| -> Result<Value, Failure> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|_| jwt_fail(format!("the JWT's {what} is not base64url")))?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| jwt_fail(format!("the JWT's {what} is not JSON ({e})")))?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(jwt_fail(format!("the JWT's {what} is not a JSON object")))
        }
    };
    let header = decode_part(h, "header")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg.eq_ignore_ascii_case("none") || alg.is_empty() {
        return Err(jwt_fail(
            "the JWT is unsigned (`alg` is `none` or missing): refused",
        ));
    }
    let accepted: Vec<&str> = jwt.algorithms.iter().map(|a| a.name()).collect();
    let Some(jalg) = jwt.algorithms.iter().copied().find(|a| a.name() == alg) else {
        return Err(jwt_fail(format!(
            "the JWT is signed with `{}`, and the profile accepts only {}",
            super::outcome::preview(alg),
            accepted.join(", ")
        )));
    };
    let Ok(sig) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim_end_matches('='))
    else {
        return Err(jwt_fail("the JWT's signature is not base64url"));
    };
    let signing_input = &token[..h.len() + 1 + p.len()];
    let matched = keys.iter().position(|k| match (k, jalg.asym()) {
        (Some(VerifyKey::Shared(key)), None) => {
            bool::from(hmac_of(jalg, key, signing_input.as_bytes()).ct_eq(&sig))
        }
        (Some(VerifyKey::Public(key)), Some(a)) => key.verify(a, signing_input.as_bytes(), &sig),
        _ => false,
    });
    let Some(i) = matched else {
        return Ok(Checked::default());
    };
    let claims = decode_part(p, "payload")?;
    let body_json = jwt
        .claims
        .iter()
        .any(|(_, t)| t.uses(|v| matches!(v, Var::Json(_))))
        .then(|| serde_json::from_slice::<Value>(req.body).ok())
        .flatten();
    let ctx = Ctx {
        json: body_json.as_ref(),
        id: parsed.id.as_deref(),
        event: parsed.event.as_deref(),
        body: Some(req.body),
        path: Some(req.path),
        method: Some(req.method),
        headers: Some(req.headers),
        ..Ctx::default()
    };
    for (name, t) in &jwt.claims {
        // A claim from the profile's vars (an account id) is made when signing but
        // cannot be known on receipt: it is not checked.
        if t.uses(|v| matches!(v, Var::Var(_))) {
            continue;
        }
        let want = t.render(&ctx).map_err(|e| match e {
            TemplateError::Missing(n) if n.starts_with("url") => Failure::NeedsUrl,
            e => jwt_fail(format!("claim `{name}`: {e}")),
        })?;
        let over_body =
            t.uses(|v| matches!(v, Var::BodySha256 | Var::BodySha256Base64 | Var::Body));
        let got = match claims.get(name) {
            None if over_body && req.body.is_empty() => continue,
            None => return Err(jwt_fail(format!("the JWT has no `{name}` claim"))),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if got != want {
            let what = if over_body {
                "the body's digest: the body was changed after signing".to_string()
            } else if t.uses(|v| matches!(v, Var::Url | Var::UrlSha256)) {
                format!(
                    "the URL's: the token was made for another URL than `{}`",
                    super::outcome::preview(req.path)
                )
            } else {
                format!("`{}`", super::outcome::preview(&want))
            };
            return Err(jwt_fail(format!("claim `{name}` does not match {what}")));
        }
    }
    let leeway = i64::try_from(jwt.leeway.as_secs()).unwrap_or(i64::MAX);
    if let Some(exp) = claims.get("exp").and_then(claim_number)
        && now > exp.saturating_add(leeway)
    {
        return Err(jwt_fail(format!(
            "the JWT expired {}s ago (exp {exp})",
            now.saturating_sub(exp)
        )));
    }
    if let Some(nbf) = claims.get("nbf").and_then(claim_number)
        && now.saturating_add(leeway) < nbf
    {
        return Err(jwt_fail(format!(
            "the JWT is not valid for another {}s (nbf {nbf})",
            nbf.saturating_sub(now)
        )));
    }
    Ok(Checked {
        matched: Some(i + 1),
        timestamp: claims.get("iat").and_then(claim_number),
    })
}

/// The content a named canonicalisation signs.
pub fn canonical_content(
    c: Canonical,
    method: &str,
    target: &str,
    headers: &HeaderList,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    match c {
        Canonical::Twilio => {
            if !is_absolute(target) {
                return Err(Failure::NeedsUrl);
            }
            let mut out = target.as_bytes().to_vec();
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let digest = form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "bodySHA256")
                .map(|(_, v)| v.into_owned());
            match digest {
                Some(d) => {
                    if !d.eq_ignore_ascii_case(&hex::encode(sha2::Sha256::digest(body))) {
                        return Err(Failure::BodyDigestMismatch {
                            header: "bodySHA256 (in the URL)".into(),
                        });
                    }
                }
                None => {
                    // As Twilio's validators: each name once, each of its values once.
                    let mut fields = sorted_form(body);
                    fields.dedup();
                    for (k, v) in fields {
                        out.extend_from_slice(k.as_bytes());
                        out.extend_from_slice(v.as_bytes());
                    }
                }
            }
            Ok(out)
        }
        Canonical::PlivoV3 => {
            if !is_absolute(target) {
                return Err(Failure::NeedsUrl);
            }
            let nonce = headers.get("X-Plivo-Signature-V3-Nonce").ok_or_else(|| {
                Failure::MissingHeader {
                    header: "X-Plivo-Signature-V3-Nonce".into(),
                }
            })?;
            let no_fragment = target.split('#').next().unwrap_or(target);
            let (base, query) = no_fragment.split_once('?').unwrap_or((no_fragment, ""));
            let query = sorted_form(query.as_bytes())
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&");
            let params = sorted_form(body);
            let mut out = base.to_string();
            if !query.is_empty() || !params.is_empty() {
                out.push('?');
                out.push_str(&query);
            }
            if !query.is_empty() && !params.is_empty() {
                out.push('.');
            }
            for (k, v) in params {
                out.push_str(&k);
                out.push_str(&v);
            }
            out.push('.');
            out.push_str(nonce);
            Ok(out.into_bytes())
        }
        Canonical::Contentful => {
            let names = headers.get("x-contentful-signed-headers").ok_or_else(|| {
                Failure::MissingHeader {
                    header: "x-contentful-signed-headers".into(),
                }
            })?;
            // As Contentful's toolkit canonicalises: header names lower-cased and
            // sorted, values trimmed; the signed-headers value is the sorted list
            // itself and the timestamp its number written again.
            let mut names: Vec<String> = names
                .split(',')
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect();
            for must in ["x-contentful-signed-headers", "x-contentful-timestamp"] {
                if !names.iter().any(|n| n == must) {
                    names.push(must.to_string());
                }
            }
            names.sort();
            names.dedup();
            let mut signed: Vec<String> = Vec::new();
            for n in &names {
                let v = match n.as_str() {
                    "x-contentful-signed-headers" => names.join(","),
                    _ => {
                        let v = headers
                            .get(n)
                            .ok_or_else(|| Failure::MissingHeader { header: n.clone() })?
                            .trim();
                        if n == "x-contentful-timestamp" {
                            let digits: String =
                                v.chars().take_while(char::is_ascii_digit).collect();
                            digits.parse::<u64>().map(|t| t.to_string()).map_err(|_| {
                                Failure::MalformedHeader {
                                    header: n.clone(),
                                    expected: "a timestamp in milliseconds".into(),
                                    got: super::outcome::preview(v),
                                }
                            })?
                        } else {
                            v.to_string()
                        }
                    }
                };
                signed.push(format!("{n}:{v}"));
            }
            let mut out = format!(
                "{}\n{}\n{}\n",
                method,
                contentful_path(super::template::path_part(target)),
                signed.join(";")
            )
            .into_bytes();
            out.extend_from_slice(body);
            Ok(out)
        }
    }
}

/// The path as Contentful's toolkit writes it: the query (up to a second `?`) escaped
/// as Node's `querystring.escape` does, then the whole as `encodeURI` does.
fn contentful_path(target: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    const URI: &AsciiSet = &COMPONENT
        .remove(b';')
        .remove(b',')
        .remove(b'/')
        .remove(b'?')
        .remove(b':')
        .remove(b'@')
        .remove(b'&')
        .remove(b'=')
        .remove(b'+')
        .remove(b'$')
        .remove(b'#');
    let mut parts = target.split('?');
    let path = parts.next().unwrap_or("");
    let query = parts.next().unwrap_or("");
    let whole = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", utf8_percent_encode(query, COMPONENT))
    };
    utf8_percent_encode(&whole, URI).to_string()
}
