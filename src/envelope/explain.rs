//! `verify --explain`: which classic mistake makes a signature fail.
//!
//! The search runs over a small grid — variants of the body (re-serialised JSON,
//! trailing newline), of the key (each secret decoding), the algorithm, the signed
//! content (every built-in scheme's template) and the signature's encoding — and
//! reports the match that differs from the profile in the fewest ways. A request that
//! verifies as a whole under another profile is reported as such.

use super::mac::{MacState, decode};
use super::profile::{Algorithm, Profile};
use super::secret::SecretEncoding;
use super::verify::{Failure, Received, Verification, VerifyOptions, signed_with};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable code: `body_reserialized`, `trailing_newline`, `secret_encoding`,
    /// `signature_encoding`, `algorithm`, `signed_content`, `other_profile`,
    /// `rotated_secret`, `stale_timestamp`, `missing_prefix`, `signed_string`,
    /// `other_url`, `url_needed`, `unexplained`.
    pub mistake: &'static str,
    pub message: String,
}

fn finding(mistake: &'static str, message: String) -> Finding {
    Finding { mistake, message }
}

/// A body variant: what was done to it (nothing, for the body as received), each
/// step a mistake code and its description.
struct BodyVariant {
    steps: Vec<(&'static str, String)>,
    bytes: Vec<u8>,
}

/// Python's `json.dumps` default separators: `", "` and `": "`.
struct PythonStyle;

impl serde_json::ser::Formatter for PythonStyle {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn with_formatter<F: serde_json::ser::Formatter>(v: &Value, f: F) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, f);
    v.serialize(&mut ser)
        .expect("a JSON value always serialises");
    out
}

fn body_variants(body: &[u8]) -> Vec<BodyVariant> {
    let mut out = vec![BodyVariant {
        steps: Vec::new(),
        bytes: body.to_vec(),
    }];
    let mut push = |steps: Vec<(&'static str, String)>, bytes: Vec<u8>| {
        if !out.iter().any(|b| b.bytes == bytes) {
            out.push(BodyVariant { steps, bytes });
        }
    };
    let added = (
        "trailing_newline",
        "with a trailing newline added (the request has none)".to_string(),
    );
    let removed = (
        "trailing_newline",
        "without the trailing newline the request has".to_string(),
    );
    let with_nl = |b: &[u8]| [b, b"\n"].concat();
    // The simplest explanations first: a newline before any re-serialisation.
    push(vec![added.clone()], with_nl(body));
    let stripped = body
        .strip_suffix(b"\n")
        .map(|s| s.strip_suffix(b"\r").unwrap_or(s));
    if let Some(s) = stripped {
        push(vec![removed], s.to_vec());
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        let pretty4 = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let variants: [(&str, Vec<u8>); 6] = [
            (
                "re-serialised as compact JSON (JSON.stringify, json.dumps with separators)",
                serde_json::to_vec(&json).unwrap_or_default(),
            ),
            (
                "re-serialised as pretty JSON with 2-space indents",
                serde_json::to_vec_pretty(&json).unwrap_or_default(),
            ),
            (
                "re-serialised as pretty JSON with 4-space indents",
                with_formatter(&json, pretty4),
            ),
            (
                "re-serialised with Python's default `json.dumps` spacing (\", \" and \": \")",
                with_formatter(&json, PythonStyle),
            ),
            (
                "re-serialised as compact JSON with the keys sorted",
                serde_json::to_vec(&sorted(&json)).unwrap_or_default(),
            ),
            (
                "re-serialised as pretty JSON with the keys sorted",
                serde_json::to_vec_pretty(&sorted(&json)).unwrap_or_default(),
            ),
        ];
        for (label, bytes) in &variants {
            push(
                vec![("body_reserialized", label.to_string())],
                bytes.clone(),
            );
        }
        // Both at once: re-serialised, and a newline added on the way (a file saved
        // by an editor, `echo`, a shell redirect).
        for (label, bytes) in &variants {
            push(
                vec![
                    ("body_reserialized", label.to_string()),
                    (
                        "trailing_newline",
                        "and with a trailing newline".to_string(),
                    ),
                ],
                with_nl(bytes),
            );
        }
    }
    out
}

struct Match {
    cost: usize,
    findings: Vec<Finding>,
}

/// Explains a verdict. `all` is every profile known, for the cross-profile checks.
pub fn explain(
    profile: &Profile,
    all: &[Profile],
    req: &Received,
    opts: &VerifyOptions,
    verdict: &Verification,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(scheme) = &profile.signature else {
        return out;
    };
    // A scheme over the URL: the exact bytes signed, and whether another form of the
    // URL (behind a proxy, a tunnel) is the one the provider signed.
    if scheme.url_bound() {
        // No URL given: the request's Host header says where it went.
        if !verdict.valid
            && !super::template::is_absolute(req.path)
            && let Some(host) = req.headers.get("Host")
        {
            let relaxed = VerifyOptions {
                tolerance: Some(None),
                ..opts.clone()
            };
            for scheme_word in ["https", "http"] {
                let url = format!("{scheme_word}://{}{}", host.trim(), req.path);
                let r = Received { path: &url, ..*req };
                if profile.verify(&r, &relaxed).is_ok_and(|v| v.valid) {
                    out.push(finding(
                        "other_url",
                        format!(
                            "the signature matches the URL `{url}` (the request's Host and path): pass `--url {url}`"
                        ),
                    ));
                    return out;
                }
            }
        }
        if matches!(verdict.failure, Some(Failure::NeedsUrl)) {
            out.push(finding(
                "url_needed",
                "the profile signs the URL the provider called, and none was given (nor does the Host header give one that matches): pass `--url` with the public URL".to_string(),
            ));
            return out;
        }
        if let Some(text) = signed_text(profile, req) {
            out.push(finding(
                "signed_string",
                format!("the signed string is {text:?}"),
            ));
        }
        if !verdict.valid
            && let Some(f) = other_url(profile, req, opts)
        {
            out.push(f);
            return out;
        }
    }
    if !scheme.algorithm.is_hmac() && !verdict.valid {
        // The mistakes below are the HMAC ones; what is left is the verdict's reason.
        let message = if matches!(verdict.failure, Some(Failure::NoMatch { .. })) {
            let hint = if scheme.uses_key_pair() {
                "the public key given is not the pair of the key that signed, or the signed content differs"
            } else {
                "the secret given is not the one the sender used, or the signed content differs"
            };
            format!("{}: {hint}", verdict.reason)
        } else {
            verdict.reason.clone()
        };
        out.push(finding("unexplained", message));
        return out;
    }
    if verdict.valid {
        if let Some(i) = verdict.matched_secret.filter(|&i| i > 1) {
            out.push(finding("rotated_secret", format!(
                "signed with secret {i} of {} ({}), not the first: the sender uses the rotated secret; retire the older ones once nothing signs with them",
                opts.secrets.len(),
                opts.secrets[i - 1].source()
            )));
        }
        return out;
    }
    if verdict.signature_matches == Some(true)
        && let Some(Failure::TimestampTooOld { .. } | Failure::TimestampTooNew { .. }) =
            &verdict.failure
    {
        out.push(finding("stale_timestamp", "the signature itself is right; only the timestamp is out of tolerance: an old delivery replayed as it was (re-sign it: `replay --resign`), or a clock that is off".to_string()));
        return out;
    }
    // The whole request under another profile.
    let relaxed = VerifyOptions {
        tolerance: Some(None),
        ..opts.clone()
    };
    for other in all.iter().filter(|p| p.name != profile.name) {
        if let Ok(v) = other.verify(req, &relaxed)
            && v.valid
        {
            out.push(finding("other_profile", format!(
                    "this request verifies as profile `{}` ({}): it was signed for that profile; use `--profile {}`",
                    other.name, other.description, other.name
                )));
            return out;
        }
    }
    // What the request says, under this profile.
    let parsed = match profile.parse_headers(scheme, req.headers) {
        Ok(p) => p,
        Err(Failure::MalformedHeader { header, .. }) => {
            if let Some(value) = req.headers.get(&header) {
                let content = profile
                    .signed_content(scheme, req, &Default::default())
                    .ok();
                let matches = content.is_some_and(|c| {
                    opts.secrets
                        .iter()
                        .filter_map(|s| scheme.key(s).ok())
                        .any(|k| {
                            let mac = MacState::new(scheme.algorithm, &k, &c);
                            decode(scheme.encoding, value).is_some_and(|b| mac.matches(&b))
                        })
                });
                if matches {
                    out.push(finding("missing_prefix", format!(
                        "the signature is right but the header lacks its format: `{header}` should read `{}`",
                        scheme.value.source()
                    )));
                    return out;
                }
            }
            out.push(finding("unexplained", "the signature header does not have the profile's format, and the request does not verify under any other profile".to_string()));
            return out;
        }
        Err(_) => {
            out.push(finding("unexplained", "a header the profile needs is missing, and the request does not verify under any other profile".to_string()));
            return out;
        }
    };
    let bodies = body_variants(req.body);
    let mut templates = vec![(scheme.signed.clone(), None::<String>)];
    for p in all {
        if let Some(s) = &p.signature
            && !templates
                .iter()
                .any(|(t, _)| t.source() == s.signed.source())
        {
            templates.push((s.signed.clone(), Some(p.name.clone())));
        }
    }
    let mut algorithms = vec![scheme.algorithm];
    algorithms.extend(Algorithm::ALL.iter().filter(|a| **a != scheme.algorithm));
    let encodings = [scheme.encoding, scheme.encoding.other()];
    let mut keys: Vec<(Option<SecretEncoding>, Vec<u8>)> = Vec::new();
    for s in opts.secrets {
        let mut decodings = vec![scheme.secret];
        decodings.extend(SecretEncoding::ALL.iter().filter(|e| **e != scheme.secret));
        for e in decodings {
            if let Ok(k) = s.key(e) {
                keys.push((Some(e).filter(|e| *e != scheme.secret), k));
            }
        }
    }
    let mut best: Option<Match> = None;
    let mut tried = 0usize;
    for (ti, (t, owner)) in templates.iter().enumerate() {
        for body in &bodies {
            let swapped = Received {
                body: &body.bytes,
                ..*req
            };
            let Ok(content) = signed_with(t, &swapped, &parsed) else {
                continue;
            };
            for &alg in &algorithms {
                for (kenc, key) in &keys {
                    tried += 1;
                    let mac = MacState::new(alg, key, &content);
                    for &enc in &encodings {
                        let hit = parsed
                            .signatures
                            .iter()
                            .filter_map(|s| decode(enc, s))
                            .any(|b| mac.matches(&b));
                        if !hit {
                            continue;
                        }
                        let cost = usize::from(ti > 0)
                            + body.steps.len()
                            + usize::from(alg != scheme.algorithm)
                            + usize::from(kenc.is_some())
                            + usize::from(enc != scheme.encoding);
                        if best.as_ref().is_some_and(|b| b.cost <= cost) {
                            continue;
                        }
                        let mut f = Vec::new();
                        if !body.steps.is_empty() {
                            let how: Vec<&str> =
                                body.steps.iter().map(|(_, l)| l.as_str()).collect();
                            let text = format!(
                                "the signature matches the body {}: the bytes signed are not the bytes sent; sign and verify the raw body exactly as it travels",
                                how.join(", ")
                            );
                            for (i, (code, _)) in body.steps.iter().enumerate() {
                                let message = if i == 0 {
                                    text.clone()
                                } else {
                                    format!("(same mismatch) {}", body.steps[i].1)
                                };
                                f.push(finding(code, message));
                            }
                        }
                        if let Some(e) = kenc {
                            f.push(finding(
                                "secret_encoding",
                                format!(
                                    "the signature was made with {}, but profile `{}` takes {}",
                                    e.describe(),
                                    profile.name,
                                    scheme.secret.describe()
                                ),
                            ));
                        }
                        if alg != scheme.algorithm {
                            f.push(finding(
                                "algorithm",
                                format!(
                                    "the signature is {}; profile `{}` uses {}",
                                    alg.name(),
                                    profile.name,
                                    scheme.algorithm.name()
                                ),
                            ));
                        }
                        if ti > 0 {
                            let whose = owner
                                .as_ref()
                                .map(|o| format!(" (how profile `{o}` signs)"))
                                .unwrap_or_default();
                            f.push(finding(
                                if owner.is_some() {
                                    "other_profile"
                                } else {
                                    "signed_content"
                                },
                                format!(
                                    "the signature covers \"{}\"{whose}; profile `{}` signs \"{}\"",
                                    t.source(),
                                    profile.name,
                                    scheme.signed.source()
                                ),
                            ));
                        }
                        if enc != scheme.encoding {
                            f.push(finding(
                                "signature_encoding",
                                format!(
                                    "the signature is written in {}; profile `{}` expects {}",
                                    enc.name(),
                                    profile.name,
                                    scheme.encoding.name()
                                ),
                            ));
                        }
                        best = Some(Match { cost, findings: f });
                    }
                }
            }
        }
    }
    match best {
        Some(m) => out.extend(m.findings),
        None => out.push(finding("unexplained", format!(
            "none of the usual mistakes explains it ({tried} combinations of re-serialised bodies, trailing newlines, secret decodings, algorithms, signed contents and hex/base64 tried): most likely the secret is not the one the sender signed with"
        ))),
    }
    out
}

/// What the scheme signed for this request, as text: the signed bytes (lossy UTF-8),
/// or a JWT's header and claims.
pub fn signed_text(profile: &Profile, req: &Received) -> Option<String> {
    let scheme = profile.signature.as_ref()?;
    let parsed = profile.parse_headers(scheme, req.headers).ok();
    if scheme.algorithm == Algorithm::Jwt {
        use base64::Engine;
        let token = parsed.as_ref()?.signatures.first()?.trim();
        let parts: Vec<String> = token
            .split('.')
            .take(2)
            .filter_map(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .collect();
        return Some(format!("JWT {}", parts.join(".")));
    }
    let content = profile
        .signed_content(scheme, req, &parsed.unwrap_or_default())
        .ok()?;
    Some(String::from_utf8_lossy(&content).into_owned())
}

/// The URLs a provider may have signed instead of `url`: the other scheme, the
/// default port written or not, the path with leading segments dropped (a prefix a
/// proxy or relay adds) and with a trailing slash added or dropped.
fn url_variants(url: &str) -> Vec<(String, &'static str)> {
    let Ok(u) = url::Url::parse(url) else {
        return Vec::new();
    };
    let Some(host) = u.host_str() else {
        return Vec::new();
    };
    let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
    let path = u.path().to_string();
    let mut paths = vec![(path.clone(), "")];
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for i in 1..segments.len() {
        paths.push((format!("/{}", segments[i..].join("/")), "a path prefix"));
    }
    if let Some(p) = path.strip_suffix('/').filter(|p| !p.is_empty()) {
        paths.push((p.to_string(), "a trailing slash"));
    } else {
        paths.push((format!("{path}/"), "a trailing slash"));
    }
    let mut out = Vec::new();
    for scheme in ["https", "http"] {
        let default = if scheme == "https" { 443 } else { 80 };
        let ports: Vec<(String, &'static str)> = match u.port() {
            Some(p) if p != default => vec![(format!(":{p}"), "")],
            _ => vec![
                (String::new(), ""),
                (format!(":{default}"), "the default port"),
            ],
        };
        for (port, port_why) in &ports {
            for (p, path_why) in &paths {
                let v = format!("{scheme}://{host}{port}{p}{query}");
                if v == url {
                    continue;
                }
                let why = if scheme != u.scheme() {
                    "http vs https (a TLS-terminating proxy)"
                } else if !port_why.is_empty() {
                    port_why
                } else if !path_why.is_empty() {
                    path_why
                } else {
                    "the port"
                };
                out.push((v, why));
            }
        }
    }
    out
}

/// A finding when the request verifies under another form of its URL.
fn other_url(profile: &Profile, req: &Received, opts: &VerifyOptions) -> Option<Finding> {
    if !super::template::is_absolute(req.path) {
        return None;
    }
    let relaxed = VerifyOptions {
        tolerance: Some(None),
        ..opts.clone()
    };
    for (variant, why) in url_variants(req.path) {
        let r = Received {
            path: &variant,
            ..*req
        };
        if profile.verify(&r, &relaxed).is_ok_and(|v| v.valid) {
            return Some(finding(
                "other_url",
                format!(
                    "the signature matches the same request under the URL `{variant}`, not `{}`: they differ by {why}; the provider signed the URL it called, so give that one (`verify --url`, `listen --public-url`)",
                    req.path
                ),
            ));
        }
    }
    None
}
