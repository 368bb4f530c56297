//! The placeholder language of profiles.
//!
//! One small language serves every templated field of a profile: the delivery id
//! (`msg_{alnum:27}`), vars, the envelope and sample data (`{data}`, `{timestamp.rfc3339}`),
//! header values (`t={timestamp},v1={signature}`) and the signed content
//! (`{id}.{timestamp}.{body}`). Header templates are also read backwards: [`Template::capture`]
//! takes a received header value apart into the placeholders it was built from.
//!
//! `{{` and `}}` stand for literal braces.

use super::headers::HeaderList;
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// Unix seconds (`{timestamp}`, `{timestamp.unix}`).
    Unix,
    /// Unix milliseconds (`{timestamp.ms}`).
    UnixMs,
    /// RFC 3339 in UTC to the second (`{timestamp.rfc3339}`): `2026-04-05T14:30:00Z`.
    Rfc3339,
    /// An HTTP date (`{timestamp.http}`): `Sun, 05 Apr 2026 14:30:00 GMT`.
    Http,
}

/// One placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    Event,
    Id,
    Timestamp(TimeFormat),
    Data,
    Body,
    /// Base64 MD5 of the body (for a `Content-MD5` header).
    BodyMd5,
    Signature,
    Path,
    Method,
    /// The full URL the provider called (`--url`, `--public-url`, `send --to`).
    Url,
    /// The URL's query string, without the `?`.
    Query,
    /// Lower-case hex SHA-256 of the body, and of the URL (JWT claims bind them).
    BodySha256,
    BodySha256Base64,
    UrlSha256,
    /// The form fields of an `application/x-www-form-urlencoded` body, decoded, sorted
    /// by name (then value) and joined as name‖value (Twilio, Mandrill).
    FormSorted,
    Header(String),
    Var(String),
    /// A field of the received JSON body, by dotted path (`{json:code}`).
    Json(String),
    Uuid,
    Hex(usize),
    Alnum(usize),
}

impl Var {
    fn parse(name: &str) -> Option<Var> {
        use TimeFormat::*;
        Some(match name {
            "event" => Var::Event,
            "id" => Var::Id,
            "timestamp" | "timestamp.unix" => Var::Timestamp(Unix),
            "timestamp.ms" => Var::Timestamp(UnixMs),
            "timestamp.rfc3339" => Var::Timestamp(Rfc3339),
            "timestamp.http" => Var::Timestamp(Http),
            "data" => Var::Data,
            "body" => Var::Body,
            "body.md5" => Var::BodyMd5,
            "signature" => Var::Signature,
            "path" => Var::Path,
            "method" => Var::Method,
            "url" => Var::Url,
            "query" => Var::Query,
            "body.sha256" => Var::BodySha256,
            "body.sha256.base64" => Var::BodySha256Base64,
            "url.sha256" => Var::UrlSha256,
            "form.sorted" => Var::FormSorted,
            "uuid" => Var::Uuid,
            _ => {
                if let Some(h) = name.strip_prefix("header:") {
                    return (!h.is_empty()).then(|| Var::Header(h.to_string()));
                }
                if let Some(p) = name.strip_prefix("json:") {
                    return (!p.is_empty()).then(|| Var::Json(p.to_string()));
                }
                if let Some(v) = name.strip_prefix("vars.") {
                    return (!v.is_empty()).then(|| Var::Var(v.to_string()));
                }
                if let Some(n) = name.strip_prefix("hex:") {
                    return n
                        .parse()
                        .ok()
                        .filter(|n| (1..=256).contains(n))
                        .map(Var::Hex);
                }
                if let Some(n) = name.strip_prefix("alnum:") {
                    return n
                        .parse()
                        .ok()
                        .filter(|n| (1..=256).contains(n))
                        .map(Var::Alnum);
                }
                return None;
            }
        })
    }

    /// The name as written in a template.
    pub fn name(&self) -> String {
        match self {
            Var::Event => "event".into(),
            Var::Id => "id".into(),
            Var::Timestamp(TimeFormat::Unix) => "timestamp".into(),
            Var::Timestamp(TimeFormat::UnixMs) => "timestamp.ms".into(),
            Var::Timestamp(TimeFormat::Rfc3339) => "timestamp.rfc3339".into(),
            Var::Timestamp(TimeFormat::Http) => "timestamp.http".into(),
            Var::Data => "data".into(),
            Var::Body => "body".into(),
            Var::BodyMd5 => "body.md5".into(),
            Var::Signature => "signature".into(),
            Var::Path => "path".into(),
            Var::Method => "method".into(),
            Var::Url => "url".into(),
            Var::Query => "query".into(),
            Var::BodySha256 => "body.sha256".into(),
            Var::BodySha256Base64 => "body.sha256.base64".into(),
            Var::UrlSha256 => "url.sha256".into(),
            Var::FormSorted => "form.sorted".into(),
            Var::Header(h) => format!("header:{h}"),
            Var::Var(v) => format!("vars.{v}"),
            Var::Json(p) => format!("json:{p}"),
            Var::Uuid => "uuid".into(),
            Var::Hex(n) => format!("hex:{n}"),
            Var::Alnum(n) => format!("alnum:{n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Lit(String),
    Var(Var),
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("unknown placeholder `{{{name}}}` in `{template}`")]
    Unknown { name: String, template: String },
    #[error("unclosed `{{` in `{0}` (write `{{{{` for a literal brace)")]
    Unclosed(String),
    #[error("stray `}}` in `{0}` (write `}}}}` for a literal brace)")]
    Stray(String),
    #[error("placeholder `{{{0}}}` has no value here")]
    Missing(String),
    #[error("timestamp {0} cannot be written as a date")]
    BadTimestamp(i64),
}

/// An upper bound on a rendering's size: `fixed` bytes, plus `per_input` times the
/// longest outside value it takes in (the event name, the id, the data, a header).
/// Profiles are checked against such bounds when they compile, so that a chain of
/// vars that each double the last cannot ask for gigabytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SizeBound {
    pub fixed: u64,
    pub per_input: u64,
}

impl SizeBound {
    pub fn fixed(n: usize) -> SizeBound {
        SizeBound {
            fixed: n as u64,
            per_input: 0,
        }
    }

    pub fn plus(self, o: SizeBound) -> SizeBound {
        SizeBound {
            fixed: self.fixed.saturating_add(o.fixed),
            per_input: self.per_input.saturating_add(o.per_input),
        }
    }
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

/// The values placeholders take. Anything left `None` is an error if used.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ctx<'a> {
    pub event: Option<&'a str>,
    pub id: Option<&'a str>,
    pub timestamp: Option<i64>,
    /// The timestamp exactly as received, and its format: verification signs these
    /// bytes rather than a re-formatted number.
    pub raw_timestamp: Option<(&'a str, TimeFormat)>,
    pub data: Option<&'a Value>,
    /// `data` already serialised (compact), when the same data is used many times.
    pub data_json: Option<&'a [u8]>,
    pub body: Option<&'a [u8]>,
    pub signature: Option<&'a str>,
    pub path: Option<&'a str>,
    pub method: Option<&'a str>,
    pub headers: Option<&'a HeaderList>,
    pub vars: Option<&'a Map<String, Value>>,
    /// The received body, parsed, for `{json:PATH}`.
    pub json: Option<&'a Value>,
}

impl Template {
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut lit = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if matches!(chars.peek(), Some((_, '{'))) => {
                    chars.next();
                    lit.push('{');
                }
                '}' if matches!(chars.peek(), Some((_, '}'))) => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let rest = &source[i + 1..];
                    let end = rest
                        .find('}')
                        .ok_or_else(|| TemplateError::Unclosed(source.to_string()))?;
                    let name = &rest[..end];
                    let var = Var::parse(name).ok_or_else(|| TemplateError::Unknown {
                        name: name.to_string(),
                        template: source.to_string(),
                    })?;
                    if !lit.is_empty() {
                        segments.push(Segment::Lit(std::mem::take(&mut lit)));
                    }
                    segments.push(Segment::Var(var));
                    for _ in 0..=name.chars().count() {
                        chars.next();
                    }
                }
                '}' => return Err(TemplateError::Stray(source.to_string())),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            segments.push(Segment::Lit(lit));
        }
        Ok(Template {
            source: source.to_string(),
            segments,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the template uses a placeholder.
    pub fn uses(&self, pred: impl Fn(&Var) -> bool) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Var(v) if pred(v)))
    }

    /// An upper bound on the text this renders to, given one for each var it uses.
    pub fn size_bound(&self, var: &dyn Fn(&str) -> SizeBound) -> SizeBound {
        let mut b = SizeBound::default();
        for seg in &self.segments {
            b = b.plus(match seg {
                Segment::Lit(s) => SizeBound::fixed(s.len()),
                Segment::Var(v) => match v {
                    Var::Var(name) => var(name),
                    Var::Uuid => SizeBound::fixed(36),
                    Var::Hex(n) | Var::Alnum(n) => SizeBound::fixed(*n),
                    Var::Timestamp(_) => SizeBound::fixed(64),
                    Var::BodyMd5 => SizeBound::fixed(24),
                    Var::BodySha256 | Var::UrlSha256 => SizeBound::fixed(64),
                    Var::BodySha256Base64 => SizeBound::fixed(44),
                    // What comes from outside: the event name, the id, the data, a
                    // header, the body, a path, a signature.
                    _ => SizeBound {
                        fixed: 0,
                        per_input: 1,
                    },
                },
            });
        }
        b
    }

    /// The placeholder if the template is exactly one placeholder.
    pub fn sole_var(&self) -> Option<&Var> {
        match self.segments.as_slice() {
            [Segment::Var(v)] => Some(v),
            _ => None,
        }
    }

    /// Renders to bytes (the body may be any bytes).
    pub fn render_bytes(&self, ctx: &Ctx) -> Result<Vec<u8>, TemplateError> {
        let mut out = Vec::new();
        self.render_bytes_into(ctx, &mut out)?;
        Ok(out)
    }

    /// Appends the rendering to `out`; the body goes in as it is, bytes and all.
    pub fn render_bytes_into(&self, ctx: &Ctx, out: &mut Vec<u8>) -> Result<(), TemplateError> {
        let mut text = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.extend_from_slice(s.as_bytes()),
                Segment::Var(Var::Body) => {
                    out.extend_from_slice(ctx.body.ok_or_else(|| missing(&Var::Body))?)
                }
                Segment::Var(v) => {
                    text.clear();
                    render_var(v, ctx, &mut text)?;
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        Ok(())
    }

    /// Renders to text; a non-UTF-8 `{body}` is replaced lossily (header values only).
    pub fn render(&self, ctx: &Ctx) -> Result<String, TemplateError> {
        let mut out = String::new();
        self.render_into(ctx, &mut out)?;
        Ok(out)
    }

    /// Appends the rendering to `out` (as [`render`](Self::render) gives it).
    pub fn render_into(&self, ctx: &Ctx, out: &mut String) -> Result<(), TemplateError> {
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Var(v) => render_var(v, ctx, out)?,
            }
        }
        Ok(())
    }

    /// Takes a rendered value apart: the text each placeholder stood for, or `None`
    /// when the literal parts do not match. A placeholder runs to the next literal.
    pub fn capture<'v>(&self, value: &'v str) -> Option<Vec<(&Var, &'v str)>> {
        let mut rest = value;
        let mut out = Vec::new();
        let mut segs = self.segments.iter().peekable();
        while let Some(seg) = segs.next() {
            match seg {
                Segment::Lit(l) => rest = rest.strip_prefix(l.as_str())?,
                Segment::Var(v) => {
                    let end = match segs.peek() {
                        Some(Segment::Lit(next)) => rest.find(next.as_str())?,
                        Some(Segment::Var(_)) => return None,
                        None => rest.len(),
                    };
                    out.push((v, &rest[..end]));
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(out)
    }
}

fn missing(v: &Var) -> TemplateError {
    TemplateError::Missing(v.name())
}

/// Appends a placeholder's value to `out`.
fn render_var(v: &Var, ctx: &Ctx, out: &mut String) -> Result<(), TemplateError> {
    fn need<'s>(o: Option<&'s str>, v: &Var) -> Result<&'s str, TemplateError> {
        o.ok_or_else(|| missing(v))
    }
    match v {
        Var::Event => out.push_str(need(ctx.event, v)?),
        Var::Id => out.push_str(need(ctx.id, v)?),
        Var::Signature => out.push_str(need(ctx.signature, v)?),
        Var::Path => out.push_str(path_part(need(ctx.path, v)?)),
        Var::Method => out.push_str(need(ctx.method, v)?),
        Var::Url => out.push_str(need(ctx.path.filter(|p| is_absolute(p)), v)?),
        Var::Query => {
            let url = need(ctx.path, v)?;
            let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
            out.push_str(q.split_once('#').map(|(q, _)| q).unwrap_or(q));
        }
        Var::BodySha256 | Var::BodySha256Base64 => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(ctx.body.ok_or_else(|| missing(v))?);
            if *v == Var::BodySha256 {
                out.push_str(&hex::encode(digest));
            } else {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode_string(digest, out);
            }
        }
        Var::UrlSha256 => {
            use sha2::Digest;
            let url = need(ctx.path.filter(|p| is_absolute(p)), v)?;
            out.push_str(&hex::encode(sha2::Sha256::digest(url)));
        }
        Var::FormSorted => {
            let body = ctx.body.ok_or_else(|| missing(v))?;
            for (k, val) in sorted_form(body) {
                out.push_str(&k);
                out.push_str(&val);
            }
        }
        Var::Timestamp(f) => match ctx.raw_timestamp {
            Some((raw, rf)) if rf == *f => out.push_str(raw),
            _ => write_time(ctx.timestamp.ok_or_else(|| missing(v))?, *f, out)?,
        },
        Var::Data => match ctx.data_json {
            Some(json) => out.push_str(&String::from_utf8_lossy(json)),
            None => {
                let data = ctx.data.ok_or_else(|| missing(v))?;
                out.push_str(&String::from_utf8_lossy(&super::json::to_vec(data)));
            }
        },
        Var::Body => out.push_str(&String::from_utf8_lossy(
            ctx.body.ok_or_else(|| missing(v))?,
        )),
        Var::BodyMd5 => {
            use base64::Engine;
            use md5::Digest;
            let body = ctx.body.ok_or_else(|| missing(v))?;
            base64::engine::general_purpose::STANDARD.encode_string(md5::Md5::digest(body), out)
        }
        Var::Header(h) => out.push_str(need(ctx.headers.and_then(|hs| hs.get(h)), v)?),
        Var::Var(name) => match ctx.vars.and_then(|vs| vs.get(name)) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&String::from_utf8_lossy(&super::json::to_vec(other))),
            None => return Err(missing(v)),
        },
        Var::Json(path) => match ctx
            .json
            .and_then(|j| path.split('.').try_fold(j, |v, k| v.get(k)))
        {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => {
                let _ = write!(out, "{other}");
            }
            None => return Err(missing(v)),
        },
        Var::Uuid => {
            let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
            out.push_str(
                id.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer()),
            );
        }
        Var::Hex(n) => random_from(b"0123456789abcdef", *n, out),
        Var::Alnum(n) => random_from(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            *n,
            out,
        ),
    }
    Ok(())
}

/// Whether a request target is in absolute form (`https://host/path?q`): the full URL
/// the provider called, which `{url}` stands for. (`sign --url`, `verify --url`,
/// `listen --public-url` and `send --to` give one.)
pub fn is_absolute(target: &str) -> bool {
    let t = target.as_bytes();
    t.len() > 8
        && (t[..7].eq_ignore_ascii_case(b"http://") || t[..8].eq_ignore_ascii_case(b"https://"))
}

/// The path (and query) of a request target, in absolute form or not.
pub fn path_part(target: &str) -> &str {
    if !is_absolute(target) {
        return target;
    }
    let after = &target[target.find("//").map_or(0, |i| i + 2)..];
    match after.find(['/', '?']) {
        Some(i) if after[i..].starts_with('/') => &after[i..],
        Some(i) => &after[i..],
        None => "/",
    }
}

/// The fields of a form-encoded body, decoded, sorted by name and then value.
pub fn sorted_form(body: &[u8]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    fields.sort();
    fields
}

/// Appends `n` characters drawn uniformly from `alphabet` (ASCII). Ids need to be
/// unique, not secret: a per-thread generator seeded from the OS is enough, and far
/// cheaper than a system call per id under load.
fn random_from(alphabet: &[u8], n: usize, out: &mut String) {
    out.extend((0..n).map(|_| char::from(alphabet[fastrand::usize(..alphabet.len())])));
}

pub fn format_time(ts: i64, f: TimeFormat) -> Result<String, TemplateError> {
    let mut out = String::new();
    write_time(ts, f, &mut out)?;
    Ok(out)
}

/// Appends a timestamp in a format.
pub fn write_time(ts: i64, f: TimeFormat, out: &mut String) -> Result<(), TemplateError> {
    let _ = match f {
        TimeFormat::Unix => write!(out, "{ts}"),
        TimeFormat::UnixMs => write!(out, "{}", ts.saturating_mul(1000)),
        TimeFormat::Rfc3339 => write!(
            out,
            "{}",
            humantime::format_rfc3339_seconds(system_time(ts)?)
        ),
        TimeFormat::Http => write!(out, "{}", httpdate::HttpDate::from(system_time(ts)?)),
    };
    Ok(())
}

/// Reads a timestamp written in a format; `None` when it is not one.
pub fn parse_time(text: &str, f: TimeFormat) -> Option<i64> {
    let text = text.trim();
    let from_system = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
    };
    match f {
        TimeFormat::Unix => text.parse().ok(),
        TimeFormat::UnixMs => text.parse::<i64>().ok().map(|ms| ms.div_euclid(1000)),
        TimeFormat::Rfc3339 => humantime::parse_rfc3339_weak(text)
            .ok()
            .and_then(from_system),
        TimeFormat::Http => httpdate::parse_http_date(text).ok().and_then(from_system),
    }
}

fn system_time(ts: i64) -> Result<SystemTime, TemplateError> {
    u64::try_from(ts)
        .ok()
        .filter(|&s| s < 253_402_300_800) // year 10000
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .ok_or(TemplateError::BadTimestamp(ts))
}

/// A JSON document with templates in its strings, compiled once.
///
/// A string that is exactly one placeholder takes the placeholder's JSON type
/// (`"{data}"` becomes the data object, `"{timestamp}"` a number, `"{vars.n}"` the
/// var's value); other strings are interpolated. An object key `"..."` whose value is
/// `"{data}"` splices the data object's fields in at that place.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonTemplate {
    Lit(Value),
    Str(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

pub const SPLICE_KEY: &str = "...";

impl JsonTemplate {
    /// Compiles a JSON document; any part without placeholders becomes one constant
    /// (`{{` and `}}` in its strings already read as braces).
    pub fn compile(value: &Value) -> Result<JsonTemplate, TemplateError> {
        let lit = |t: &JsonTemplate| match t {
            JsonTemplate::Lit(v) => Some(v.clone()),
            _ => None,
        };
        Ok(match value {
            Value::String(s) => {
                let t = Template::parse(s)?;
                let mut text = String::new();
                for seg in &t.segments {
                    match seg {
                        Segment::Lit(l) => text.push_str(l),
                        Segment::Var(_) => return Ok(JsonTemplate::Str(t)),
                    }
                }
                JsonTemplate::Lit(Value::String(text))
            }
            Value::Array(items) => {
                let items: Vec<JsonTemplate> = items
                    .iter()
                    .map(JsonTemplate::compile)
                    .collect::<Result<_, _>>()?;
                match items.iter().map(lit).collect::<Option<Vec<Value>>>() {
                    Some(values) => JsonTemplate::Lit(Value::Array(values)),
                    None => JsonTemplate::Array(items),
                }
            }
            Value::Object(map) => {
                let fields: Vec<(String, JsonTemplate)> = map
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), JsonTemplate::compile(v)?)))
                    .collect::<Result<_, TemplateError>>()?;
                let constant = !map.contains_key(SPLICE_KEY)
                    && fields
                        .iter()
                        .all(|(_, v)| matches!(v, JsonTemplate::Lit(_)));
                if constant {
                    JsonTemplate::Lit(Value::Object(
                        fields
                            .iter()
                            .filter_map(|(k, v)| Some((k.clone(), lit(v)?)))
                            .collect(),
                    ))
                } else {
                    JsonTemplate::Object(fields)
                }
            }
            other => JsonTemplate::Lit(other.clone()),
        })
    }

    pub fn render(&self, ctx: &Ctx) -> Result<Value, TemplateError> {
        Ok(match self {
            JsonTemplate::Lit(v) => v.clone(),
            JsonTemplate::Str(t) => match t.sole_var() {
                Some(Var::Data) => ctx.data.cloned().ok_or_else(|| missing(&Var::Data))?,
                Some(v @ Var::Timestamp(TimeFormat::Unix)) => {
                    Value::from(ctx.timestamp.ok_or_else(|| missing(v))?)
                }
                Some(v @ Var::Timestamp(TimeFormat::UnixMs)) => Value::from(
                    ctx.timestamp
                        .ok_or_else(|| missing(v))?
                        .saturating_mul(1000),
                ),
                Some(Var::Var(name)) => ctx
                    .vars
                    .and_then(|vs| vs.get(name))
                    .cloned()
                    .ok_or_else(|| TemplateError::Missing(format!("vars.{name}")))?,
                _ => Value::String(t.render(ctx)?),
            },
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(ctx))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(fields) => {
                let mut map = Map::new();
                for (k, v) in fields {
                    let rendered = v.render(ctx)?;
                    match (k.as_str(), rendered) {
                        (SPLICE_KEY, Value::Object(inner)) => map.extend(inner),
                        (SPLICE_KEY, Value::Null) => {}
                        (_, rendered) => {
                            map.insert(k.clone(), rendered);
                        }
                    }
                }
                Value::Object(map)
            }
        })
    }

    /// Writes what [`render`](Self::render) gives, as compact JSON, without building
    /// the value: the bytes `json::to_vec(&self.render(ctx)?)` would be. (Load
    /// mode builds every event this way.)
    pub fn write(&self, ctx: &Ctx, out: &mut Vec<u8>) -> Result<(), TemplateError> {
        self.write_with(ctx, out, &mut String::new())
    }

    /// [`write`](Self::write), rendering strings through `text`, a buffer the caller
    /// keeps from one event to the next.
    pub fn write_with(
        &self,
        ctx: &Ctx,
        out: &mut Vec<u8>,
        text: &mut String,
    ) -> Result<(), TemplateError> {
        fn put<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
            super::json::write(out, v);
        }
        // Keys and rendered ids rarely need escaping: check before serde does it.
        fn put_str(out: &mut Vec<u8>, s: &str) {
            if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
                put(out, s);
            } else {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
        }
        match self {
            JsonTemplate::Lit(v) => put(out, v),
            JsonTemplate::Str(t) => match (t.sole_var(), ctx.data_json) {
                (Some(Var::Data), Some(json)) => out.extend_from_slice(json),
                (Some(Var::Data), None) => put(out, ctx.data.ok_or_else(|| missing(&Var::Data))?),
                (Some(v @ Var::Timestamp(f @ (TimeFormat::Unix | TimeFormat::UnixMs))), _) => {
                    let ts = ctx.timestamp.ok_or_else(|| missing(v))?;
                    let n = if *f == TimeFormat::UnixMs {
                        ts.saturating_mul(1000)
                    } else {
                        ts
                    };
                    let _ = std::io::Write::write_fmt(out, format_args!("{n}"));
                }
                (Some(Var::Var(name)), _) => put(
                    out,
                    ctx.vars
                        .and_then(|vs| vs.get(name))
                        .ok_or_else(|| TemplateError::Missing(format!("vars.{name}")))?,
                ),
                _ => {
                    text.clear();
                    t.render_into(ctx, text)?;
                    put_str(out, text);
                }
            },
            JsonTemplate::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_with(ctx, out, text)?;
                }
                out.push(b']');
            }
            // A spliced object may repeat a key: only the value tree merges those.
            JsonTemplate::Object(fields) if fields.iter().any(|(k, _)| k == SPLICE_KEY) => {
                put(out, &self.render(ctx)?)
            }
            JsonTemplate::Object(fields) => {
                out.push(b'{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    put_str(out, k);
                    out.push(b':');
                    v.write_with(ctx, out, text)?;
                }
                out.push(b'}');
            }
        }
        Ok(())
    }

    /// Whether this renders to a JSON string: a string template that is not a
    /// single typed placeholder (`{data}`, `{timestamp}`, `{timestamp.ms}`, `{vars.x}`).
    pub fn renders_text(&self) -> bool {
        match self {
            JsonTemplate::Str(t) => !matches!(
                t.sole_var(),
                Some(
                    Var::Data | Var::Timestamp(TimeFormat::Unix | TimeFormat::UnixMs) | Var::Var(_)
                )
            ),
            _ => false,
        }
    }

    /// The JSON path of the first string that is exactly the given placeholder.
    pub fn path_of(&self, want: &dyn Fn(&Var) -> bool) -> Option<Vec<String>> {
        match self {
            JsonTemplate::Str(t) => t.sole_var().filter(|v| want(v)).map(|_| Vec::new()),
            JsonTemplate::Object(fields) => fields.iter().find_map(|(k, v)| {
                v.path_of(want).map(|mut p| {
                    p.insert(0, k.clone());
                    p
                })
            }),
            _ => None,
        }
    }

    /// An upper bound on the JSON text this renders to (a string's own text may grow
    /// six times when escaped), given one for each var it uses.
    pub fn size_bound(&self, var: &dyn Fn(&str) -> SizeBound) -> SizeBound {
        match self {
            JsonTemplate::Lit(v) => SizeBound::fixed(v.to_string().len()),
            JsonTemplate::Str(t) => {
                let b = t.size_bound(var);
                // Escaping counts against the fixed part; an outside value is counted
                // once per use, its own size being bounded where it comes in.
                SizeBound {
                    fixed: b.fixed.saturating_mul(6).saturating_add(2),
                    per_input: b.per_input,
                }
            }
            JsonTemplate::Array(items) => items
                .iter()
                .fold(SizeBound::fixed(2 + items.len()), |b, i| {
                    b.plus(i.size_bound(var))
                }),
            JsonTemplate::Object(fields) => fields.iter().fold(SizeBound::fixed(2), |b, (k, v)| {
                b.plus(SizeBound::fixed(k.len() * 6 + 4))
                    .plus(v.size_bound(var))
            }),
        }
    }

    /// An upper bound on the text `{vars.NAME}` puts in a string: a string as it is,
    /// anything else as JSON.
    pub fn text_bound(&self, var: &dyn Fn(&str) -> SizeBound) -> SizeBound {
        match self {
            JsonTemplate::Str(t) => t.size_bound(var),
            other => other.size_bound(var),
        }
    }

    /// Every template string in the tree.
    pub fn templates(&self) -> Vec<&Template> {
        match self {
            JsonTemplate::Lit(_) => Vec::new(),
            JsonTemplate::Str(t) => vec![t],
            JsonTemplate::Array(items) => items.iter().flat_map(|i| i.templates()).collect(),
            JsonTemplate::Object(fields) => {
                fields.iter().flat_map(|(_, v)| v.templates()).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_renders() {
        let t = Template::parse("t={timestamp},v1={signature} {{x}}").unwrap();
        let ctx = Ctx {
            timestamp: Some(12),
            signature: Some("ab"),
            ..Ctx::default()
        };
        assert_eq!(t.render(&ctx).unwrap(), "t=12,v1=ab {x}");
        assert!(matches!(
            Template::parse("{nope}"),
            Err(TemplateError::Unknown { .. })
        ));
        assert!(matches!(
            Template::parse("{id"),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            Template::parse("a}b"),
            Err(TemplateError::Stray(_))
        ));
        assert_eq!(
            Template::parse("{event}").unwrap().render(&Ctx::default()),
            Err(TemplateError::Missing("event".into()))
        );
    }

    #[test]
    fn captures() {
        let t = Template::parse("APIAuth {vars.who}:{signature}").unwrap();
        let got = t.capture("APIAuth 42:abc=").unwrap();
        assert_eq!(got[0].1, "42");
        assert_eq!(got[1].1, "abc=");
        assert!(t.capture("Bearer x").is_none());
        let t = Template::parse("sha256={signature}").unwrap();
        assert_eq!(t.capture("sha256=").unwrap()[0].1, "");
    }

    #[test]
    fn times() {
        assert_eq!(
            format_time(1775399400, TimeFormat::Rfc3339).unwrap(),
            "2026-04-05T14:30:00Z"
        );
        let http = format_time(1775399400, TimeFormat::Http).unwrap();
        assert_eq!(http, "Sun, 05 Apr 2026 14:30:00 GMT");
        assert_eq!(parse_time(&http, TimeFormat::Http), Some(1775399400));
        assert_eq!(
            parse_time("2026-04-05T14:30:00Z", TimeFormat::Rfc3339),
            Some(1775399400)
        );
        assert!(format_time(-1, TimeFormat::Rfc3339).is_err());
    }

    #[test]
    fn json_templates_are_typed_and_splice() {
        let tpl = JsonTemplate::compile(&json!({
            "event": "{event}", "n": "{timestamp}", "when": "at {timestamp}",
            "...": "{data}", "v": "{vars.x}"
        }))
        .unwrap();
        let data = json!({"a": 1});
        let mut vars = Map::new();
        vars.insert("x".into(), json!(7));
        let ctx = Ctx {
            event: Some("e"),
            timestamp: Some(5),
            data: Some(&data),
            vars: Some(&vars),
            ..Ctx::default()
        };
        assert_eq!(
            tpl.render(&ctx).unwrap().to_string(),
            r#"{"event":"e","n":5,"when":"at 5","a":1,"v":7}"#
        );
        assert_eq!(
            tpl.path_of(&|v| *v == Var::Event),
            Some(vec!["event".into()])
        );
    }

    #[test]
    fn constant_parts_compile_to_one_value_with_braces_read() {
        let tpl = JsonTemplate::compile(&json!({
            "fixed": {"a": "x {{y}}", "list": [1, "{{"]},
            "id": "{id}",
            "...": {"b": 2}
        }))
        .unwrap();
        let JsonTemplate::Object(fields) = &tpl else {
            panic!("{tpl:?}")
        };
        assert_eq!(
            fields[0].1,
            JsonTemplate::Lit(json!({"a": "x {y}", "list": [1, "{"]}))
        );
        assert!(matches!(fields[1].1, JsonTemplate::Str(_)));
        // A splice is kept as a splice even when constant.
        let spliced = JsonTemplate::compile(&json!({"...": {"b": 2}, "c": 3})).unwrap();
        assert!(matches!(spliced, JsonTemplate::Object(_)), "{spliced:?}");
        let ctx = Ctx {
            id: Some("i"),
            ..Ctx::default()
        };
        assert_eq!(spliced.render(&ctx).unwrap(), json!({"b": 2, "c": 3}));
        assert_eq!(
            tpl.render(&ctx).unwrap().to_string(),
            r#"{"fixed":{"a":"x {y}","list":[1,"{"]},"id":"i","b":2}"#
        );
    }

    #[test]
    fn writing_gives_the_bytes_of_the_rendered_value() {
        let data = json!({"name": "Ada \"Lovelace\"\n", "list": [1, 2.5, null], "é": true});
        let data_json = crate::envelope::json::to_vec(&data);
        let mut vars = Map::new();
        vars.insert("x".into(), json!({"k": [1]}));
        let docs = [
            json!({"id": "{id}", "t": "{timestamp}", "ms": "{timestamp.ms}",
                   "iso": "{timestamp.rfc3339}", "data": "{data}", "text": "d={data}",
                   "v": "{vars.x}", "nested": [{"a": ["{event}", 1, null, "lit\t"]}], "e": {}}),
            // A splice that repeats a key: the later value wins, in the first place.
            json!({"id": "{id}", "name": "x", "...": "{data}", "tail": []}),
            json!("{data}"),
            json!([]),
        ];
        for doc in docs {
            let tpl = JsonTemplate::compile(&doc).unwrap();
            for json in [None, Some(data_json.as_slice())] {
                let ctx = Ctx {
                    event: Some("a.b"),
                    id: Some("evt_1"),
                    timestamp: Some(1_700_000_000),
                    data: Some(&data),
                    data_json: json,
                    vars: Some(&vars),
                    ..Ctx::default()
                };
                let mut written = Vec::new();
                tpl.write(&ctx, &mut written).unwrap();
                let rendered = crate::envelope::json::to_vec(&tpl.render(&ctx).unwrap());
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(rendered).unwrap(),
                    "{doc}"
                );
            }
        }
    }

    #[test]
    fn random_ids_have_the_right_shape() {
        let t = Template::parse("msg_{alnum:27}").unwrap();
        let a = t.render(&Ctx::default()).unwrap();
        let b = t.render(&Ctx::default()).unwrap();
        assert_eq!(a.len(), 31);
        assert_ne!(a, b);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
