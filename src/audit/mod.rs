//! `hookctl audit`: attacks on one's own webhook endpoint, each graded.
//!
//! One valid delivery first: if the endpoint does not take it, nothing else can be
//! graded. Then each check sends crafted deliveries, built and signed by the same
//! [`Plan`] and sent by the same [`deliver`] as `send` uses (nothing recorded in the
//! store: audit traffic is not a delivery anyone wants replayed), except the two
//! checks about how a body arrives (`oversized-body`, `slow-body`), which need a
//! connection written by hand ([`raw`]). Each check gives its grade with what was
//! sent, what a sound receiver does, what came back, why it matters, how to fix it
//! and a command that reproduces it; rendering them is the caller's.

pub mod raw;

use crate::envelope::mac::{decode, encode};
use crate::envelope::profile::{Algorithm, Encoding};
use crate::envelope::secret::SecretEncoding;
use crate::envelope::{BuiltEvent, Catalog, HeaderList, Profile, Secret, SignInput};
use crate::http::client::{HttpClient, SendError, Sent};
use crate::outbound::{DeliverOptions, Plan, Prepared, deliver, set_path};
use crate::retry::{Decision, Outcome};
use crate::settings::now_unix;
use anyhow::{Context, Result, bail};
use base64::Engine as _;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Every check, in the order they run (`replayed-delivery` right after `valid`, so
/// that an oracle's count is not moved by the other checks' valid deliveries).
pub const CHECKS: [&str; 16] = [
    "valid",
    "replayed-delivery",
    "tampered-body",
    "wrong-secret",
    "missing-signature",
    "malformed-signature",
    "stale-timestamp",
    "future-timestamp",
    "multiple-signatures",
    "reserialized-json",
    "non-ascii-body",
    "other-scheme",
    "oversized-body",
    "slow-body",
    "signature-leak",
    "slow-answer",
];

/// The header every audit request carries, naming its check.
pub const TAG_HEADER: &str = "X-Hookctl-Audit";
/// `oversized-body`'s size.
pub const OVERSIZED: usize = 8 << 20;
/// `slow-body`: the body is trickled over this long; a sound receiver gives up
/// within [`SLOW_BODY_LIMIT`].
pub const SLOW_BODY_OVER: Duration = Duration::from_secs(15);
pub const SLOW_BODY_LIMIT: Duration = Duration::from_secs(10);
/// Text no receiver would have: a body field set to it must arrive as UTF-8.
const NON_ASCII: &str = "Zoë Ångström — 東京 🚀 «déjà vu»";

/// A check's grade; the order is the report card's (failures first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Fail,
    Warn,
    Pass,
    Skip,
}

impl Grade {
    pub fn name(self) -> &'static str {
        match self {
            Grade::Fail => "fail",
            Grade::Warn => "warn",
            Grade::Pass => "pass",
            Grade::Skip => "skip",
        }
    }
}

/// One graded check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub grade: Grade,
    /// One line: what happened.
    pub summary: String,
    pub sent: String,
    /// What a sound receiver does.
    pub expected: String,
    /// What came back.
    pub got: String,
    pub why: &'static str,
    pub fix: String,
    /// A command that sends it again.
    pub reproduce: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::output::ser_round3_opt"
    )]
    pub latency_ms: Option<f64>,
}

impl Check {
    /// Says what came back: the answer (or why there was none), its status and time.
    fn answered(&mut self, result: &Result<Sent, SendError>) {
        self.got = describe(result);
        self.status = status_of(result);
        self.latency_ms = result.as_ref().ok().map(|s| s.latency.as_secs_f64() * 1e3);
    }
}

/// The totals.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Totals {
    pub fn of(checks: &[Check]) -> Totals {
        let mut t = Totals::default();
        for c in checks {
            match c.grade {
                Grade::Pass => t.pass += 1,
                Grade::Warn => t.warn += 1,
                Grade::Fail => t.fail += 1,
                Grade::Skip => t.skip += 1,
            }
        }
        t
    }
}

/// Why each check matters.
fn why(name: &str) -> &'static str {
    match name {
        "valid" => "Every other check is measured against a delivery the endpoint takes.",
        "replayed-delivery" => {
            "Providers deliver at least once: a retry after a lost answer, or a captured request sent again inside the tolerance, arrives with an id already seen. Acting on it twice charges, emails or ships twice."
        }
        "tampered-body" => {
            "Only a signature over the exact bytes proves the body came from the provider unchanged; a handler that takes this one trusts anyone who can reach the URL."
        }
        "wrong-secret" => {
            "A signature made with any other key must fail; accepting it means the secret is not really checked (empty, a placeholder, or verification that fails open)."
        }
        "missing-signature" => {
            "An unsigned request is the simplest forgery; handlers that verify only when the header is present take it."
        }
        "malformed-signature" => {
            "A parser that throws on odd input answers 500, which providers retry; a comparison that stops at the shorter length takes a truncated signature."
        }
        "stale-timestamp" => {
            "The timestamp is signed so that a captured request cannot be replayed later; without the check it works for ever."
        }
        "future-timestamp" => {
            "A timestamp far ahead keeps a captured request replayable until then; real clocks agree within seconds."
        }
        "multiple-signatures" => {
            "During a secret rotation the provider signs with the old and the new secret at once; a handler that checks only the first signature, or fails on a version it does not know, refuses genuine deliveries during every rotation."
        }
        "reserialized-json" => {
            "A handler that parses the JSON and verifies it re-serialised (JSON.stringify(req.body), json.dumps(request.json)) signs other bytes than were sent: it works by luck on compact bodies and breaks when a provider changes its formatting."
        }
        "non-ascii-body" => {
            "A body decoded and re-encoded in another character set, or with \\u escapes, hashes differently; names, addresses and messages carry such text every day."
        }
        "other-scheme" => {
            "A handler that takes another algorithm or format than the provider's can be downgraded to a weaker MAC, or fooled with a signature meant for another integration."
        }
        "oversized-body" => {
            "A receiver that reads a body of any size before checking anything can be made to run out of memory by anyone who knows its URL."
        }
        "slow-body" => {
            "A few hundred connections that each trickle a body hold a receiver's workers or sockets for as long as it waits (slowloris)."
        }
        "signature-leak" => {
            "An answer that shows the expected signature lets anyone forge any body, one request at a time; a stack trace shows code, paths and versions."
        }
        "slow-answer" => {
            "The provider counts an answer that comes after its timeout as a failure and sends the delivery again: duplicate work, and in the end a disabled endpoint."
        }
        _ => "",
    }
}

/// How to fix a failing check (`{header}` and the like filled in by [`Audit::fix`]).
fn fix_text(name: &str) -> &'static str {
    match name {
        "valid" => "Check the URL, the profile and the secret.",
        "replayed-delivery" => {
            "Record each delivery id (unique) before acting on it; answer 2xx to an id seen before without acting again."
        }
        "tampered-body" | "non-ascii-body" | "reserialized-json" => {
            "Compute the HMAC over the raw body bytes exactly as received, before any parsing or decoding (express.raw(), request.get_data(), io.ReadAll(r.Body)), and compare in constant time."
        }
        "wrong-secret" => {
            "Load the endpoint's own signing secret, and refuse every request when it is missing rather than skip the check."
        }
        "missing-signature" => {
            "Treat a missing signature header as a failed verification, never as nothing to check."
        }
        "malformed-signature" => {
            "Parse the header defensively: decode the signature, check its length, then compare in constant time (hmac.compare_digest; crypto.timingSafeEqual after a length check); answer 400 or 401 to anything that does not parse."
        }
        "stale-timestamp" | "future-timestamp" => {
            "Refuse when the signed timestamp is further than the tolerance from now, in either direction."
        }
        "multiple-signatures" => {
            "Split the header into all its entries, skip versions you do not know, and accept when any known one matches."
        }
        "other-scheme" => {
            "Accept exactly the provider's scheme: the header, prefix, algorithm and encoding fixed in code, never taken from the request."
        }
        "oversized-body" => {
            "Limit the body's size in the server or framework (1 MiB is plenty for webhooks: nginx client_max_body_size, express.raw({ limit }), http.MaxBytesReader)."
        }
        "slow-body" => {
            "Set a read timeout for the request body (Node server.requestTimeout, Go http.Server.ReadTimeout, gunicorn --timeout, nginx client_body_timeout)."
        }
        "signature-leak" => {
            "Answer a rejection with a fixed message; log the details on the server only."
        }
        "slow-answer" => {
            "Acknowledge at once and do the work afterwards (a queue, a background job)."
        }
        _ => "",
    }
}

/// What the audit is given beyond the plan.
pub struct Options {
    /// Pause between requests.
    pub delay: Duration,
    pub insecure: bool,
    /// A GET that answers with the number of deliveries the receiver has processed.
    pub oracle: Option<reqwest::Url>,
    /// The checks to run (`valid` always runs).
    pub only: Vec<String>,
    /// The `hookctl send …` line that sends the plan's event, without its secret
    /// flags: each check's reproduction adds to it.
    pub send_line: String,
    /// How the secrets were given (`--secret-env NAME`…, never a secret), or nothing
    /// when they come from the environment or hookctl.toml.
    pub secret_flags: String,
    /// The `hookctl audit …` line, for the checks `send` cannot reproduce.
    pub audit_line: String,
}

/// What was sent in a rejected check, kept for `signature-leak`.
struct Probe {
    check: &'static str,
    /// The signature a receiver computes for this request, in the forms it might print.
    expected: Vec<String>,
    answer: Sent,
}

pub struct Audit {
    plan: Plan,
    client: HttpClient,
    opts: Options,
    probes: Vec<Probe>,
    /// The valid delivery and its answer.
    valid: Option<(Prepared, Sent)>,
    /// The oracle's count before the valid delivery.
    count_before: Option<u64>,
}

/// `401 Unauthorized in 3 ms`, `no answer within 10s`, …
pub fn describe(result: &Result<Sent, SendError>) -> String {
    match result {
        Ok(s) => format!("{} {} in {}", s.status, s.reason, millis(s.latency)).replace("  ", " "),
        Err(e) => e.to_string(),
    }
}

fn status_of(result: &Result<Sent, SendError>) -> Option<u16> {
    result.as_ref().ok().map(|s| s.status)
}

/// `3.2 ms`, `1.25 s`.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

fn secs(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs().max(1))).to_string()
}

fn size(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        crate::output::plural(n as u64, "byte", "bytes")
    }
}

/// How a request that must be refused was answered: 4xx passes; 2xx is `accepted`;
/// anything else (a 5xx, a redirect, no answer) is a warning.
fn grade_refusal(result: &Result<Sent, SendError>, accepted: Grade) -> (Grade, String) {
    match result {
        Ok(s) if (400..500).contains(&s.status) => (Grade::Pass, format!("refused ({})", s.status)),
        Ok(s) if (200..300).contains(&s.status) => (
            accepted,
            format!("accepted it ({} {})", s.status, s.reason).replace(" )", ")"),
        ),
        Ok(s) if s.status >= 500 => (
            Grade::Warn,
            format!(
                "answered {}: a failure, not a refusal (a crash on hostile input, and providers retry a 5xx)",
                s.status
            ),
        ),
        Ok(s) => (
            Grade::Warn,
            format!("answered {}: neither a refusal nor a success", s.status),
        ),
        Err(e) => (
            Grade::Warn,
            format!("no refusal: {e} (a sound receiver answers 4xx)"),
        ),
    }
}

/// The worst of several refusals, and each answer's short form.
fn grade_refusals(
    results: &[(String, Result<Sent, SendError>)],
    accepted: Grade,
) -> (Grade, String) {
    let graded: Vec<(Grade, String)> = results
        .iter()
        .map(|(label, r)| {
            let (g, s) = grade_refusal(r, accepted);
            (g, format!("{label}: {s}"))
        })
        .collect();
    let worst = graded.iter().map(|(g, _)| *g).min().unwrap_or(Grade::Skip);
    let summary = if worst == Grade::Pass {
        format!(
            "refused all {} ({})",
            results.len(),
            results
                .iter()
                .filter_map(|(_, r)| status_of(r).map(|s| s.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        graded
            .iter()
            .filter(|(g, _)| *g == worst)
            .map(|(_, s)| s.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    (worst, summary)
}

/// How a request that must be taken was answered: 2xx passes, anything else fails.
fn grade_acceptance(result: &Result<Sent, SendError>) -> (Grade, String) {
    match result {
        Ok(s) if (200..300).contains(&s.status) => {
            (Grade::Pass, format!("accepted ({})", s.status))
        }
        Ok(s) => (
            Grade::Fail,
            format!("refused a genuine delivery ({} {})", s.status, s.reason).replace(" )", ")"),
        ),
        Err(e) => (Grade::Fail, format!("no answer to a genuine delivery: {e}")),
    }
}

/// Every leaf of a JSON value with its dotted path (keys holding dots left out, as
/// `--set` could not address them).
fn leaves(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    let child = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if !k.contains('.') && !k.is_empty() {
                    leaves(c, &child(k), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                leaves(c, &child(&i.to_string()), out);
            }
        }
        other => out.push((path.to_string(), other.clone())),
    }
}

fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Keys that hold the envelope's own bookkeeping, left alone when a value is changed.
fn is_bookkeeping(path: &str) -> bool {
    let k = last_key(path).to_ascii_lowercase();
    [
        "id",
        "type",
        "event",
        "eventtype",
        "timestamp",
        "created",
        "deliveryid",
        "object",
    ]
    .contains(&k.as_str())
}

/// A value of the body changed (not only its spacing): an amount above all. The
/// changed body, what was done, and the field and its new value when it was one.
fn tamper(body: &[u8]) -> (Vec<u8>, String, Option<(String, Value)>) {
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        let mut all = Vec::new();
        leaves(&json, "", &mut all);
        let pick = all
            .iter()
            .find(|(p, v)| v.is_number() && last_key(p).to_ascii_lowercase().contains("amount"))
            .or_else(|| {
                all.iter()
                    .find(|(p, v)| v.is_number() && !is_bookkeeping(p))
            })
            .or_else(|| {
                all.iter()
                    .find(|(p, v)| v.is_string() && !is_bookkeeping(p))
            })
            .or_else(|| all.iter().find(|(_, v)| v.is_boolean()));
        if let Some((path, old)) = pick {
            let new = match old {
                Value::Number(n) => match n.as_i64() {
                    Some(0) => Value::from(100),
                    Some(i) => Value::from(i.saturating_mul(100)),
                    None => Value::from(n.as_f64().unwrap_or(0.0) * 100.0 + 1.0),
                },
                Value::String(s) => Value::String(format!("{s}-tampered")),
                Value::Bool(b) => Value::Bool(!b),
                other => other.clone(),
            };
            let told = format!("`{path}` changed from {old} to {new}");
            if set_path(&mut json, path, new.clone()).is_ok() {
                return (
                    crate::envelope::json::to_vec(&json),
                    told,
                    Some((path.clone(), new)),
                );
            }
        }
    }
    let mut out = body.to_vec();
    match out.iter().rposition(u8::is_ascii_alphanumeric) {
        Some(i) => {
            out[i] = if out[i] == b'a' { b'b' } else { b'a' };
            (out, format!("byte {i} of the body changed"), None)
        }
        None => {
            out.push(b'!');
            (out, "one byte added to the body".into(), None)
        }
    }
}

/// The body with a text field set to non-ASCII text (or one added).
fn with_non_ascii(body: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut json = serde_json::from_slice::<Value>(body).ok()?;
    let mut all = Vec::new();
    leaves(&json, "", &mut all);
    let texty = [
        "name",
        "message",
        "reply",
        "description",
        "title",
        "text",
        "comment",
    ];
    let path = all
        .iter()
        .find(|(p, v)| v.is_string() && texty.contains(&last_key(p).to_ascii_lowercase().as_str()))
        .or_else(|| {
            all.iter()
                .find(|(p, v)| v.is_string() && p.starts_with("data.") && !is_bookkeeping(p))
        })
        .or_else(|| {
            all.iter()
                .find(|(p, v)| v.is_string() && !is_bookkeeping(p))
        })
        .map(|(p, _)| p.clone())
        .or_else(|| json.is_object().then(|| "note".to_string()))?;
    set_path(&mut json, &path, Value::String(NON_ASCII.into())).ok()?;
    Some((crate::envelope::json::to_vec(&json), path))
}

/// An RSA private key made once for the audit, and published with it: a key that is
/// certainly not the provider's (`ring` does not generate RSA keys).
const WRONG_RSA_KEY: &str = include_str!("wrong-rsa-key.pem");

/// A secret (or, for a key-pair scheme, a private key) that is not the endpoint's, in
/// the form the scheme reads it.
fn wrong_secret(scheme: &crate::envelope::profile::Scheme) -> Secret {
    use crate::envelope::keys::{self, KeyType};
    use crate::envelope::profile::Algorithm;
    use crate::envelope::secret::SecretKind;
    if scheme.uses_key_pair() {
        let kind = scheme
            .asym_alg()
            .map(|a| a.key_type())
            .unwrap_or(KeyType::Ed25519);
        let pem = match kind {
            KeyType::Rsa => WRONG_RSA_KEY.to_string(),
            k => keys::generate(k)
                .map(|der| keys::to_pem("PRIVATE KEY", &der))
                .unwrap_or_else(|_| WRONG_RSA_KEY.to_string()),
        };
        return Secret::key_text(pem, "the audit's wrong key", SecretKind::PrivateKey)
            .expect("a made-up key is never empty");
    }
    if scheme.algorithm == Algorithm::Basic {
        let user = format!(
            "not-the-endpoint:{}",
            hex::encode(fastrand::u64(..).to_le_bytes())
        );
        return Secret::new(user, "the audit's wrong secret").expect("never empty");
    }
    let encoding = scheme.secret;
    let mut bytes = [0u8; 24];
    fastrand::fill(&mut bytes);
    let text = match encoding {
        SecretEncoding::Raw => format!("not-the-endpoint-secret-{}", hex::encode(&bytes[..8])),
        SecretEncoding::Whsec | SecretEncoding::WhsecOrRaw => format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        SecretEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        SecretEncoding::Hex => hex::encode(bytes),
    };
    Secret::new(text, "the audit's wrong secret").expect("a made-up secret is never empty")
}

/// The forms a receiver might print a signature in: as received, hex, base64.
fn signature_forms(encoding: Encoding, signatures: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in signatures {
        out.push(s.clone());
        if let Some(bytes) = decode(encoding, s) {
            out.push(hex::encode(&bytes));
            out.push(base64::engine::general_purpose::STANDARD.encode(&bytes));
            out.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        }
    }
    out.retain(|s| s.len() >= 16);
    out.sort();
    out.dedup();
    out
}

/// Text of a stack trace in an answer, from the usual runtimes.
const TRACE_MARKS: [&str; 10] = [
    "Traceback (most recent call last)",
    "panicked at",
    "goroutine 1 [",
    "Exception in thread",
    "\n    at ",
    "\tat ",
    "node_modules/",
    "site-packages/",
    "Stack trace:",
    "stacktrace",
];

/// A receiver's reason as a stop message shows it: whole up to 1,000 characters (its
/// most useful part is often at the end: "…expected signature for secret whsec_…"),
/// its runs of white space made one space.
fn whole_reason(text: &str) -> String {
    const MAX: usize = 1000;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        flat
    } else {
        format!(
            "{}… ({} characters in all)",
            flat.chars().take(MAX).collect::<String>(),
            flat.chars().count()
        )
    }
}

impl Audit {
    pub fn new(plan: Plan, client: HttpClient, opts: Options) -> Result<Audit> {
        if plan.profile.signature.is_none() {
            bail!(
                "profile `{}` signs nothing: there is no signature to audit",
                plan.profile.name
            );
        }
        if plan.secrets.is_empty() {
            return Err(crate::settings::no_secret_error());
        }
        Ok(Audit {
            plan,
            client,
            opts,
            probes: Vec::new(),
            valid: None,
            count_before: None,
        })
    }

    fn scheme(&self) -> &crate::envelope::profile::Scheme {
        self.plan
            .profile
            .signature
            .as_ref()
            .expect("checked in Audit::new")
    }

    fn header(&self) -> &str {
        &self.scheme().header
    }

    /// Runs the valid delivery, then each chosen check, telling `each` as each ends.
    /// An endpoint that does not take the valid delivery is an error.
    pub async fn run(&mut self, each: &mut dyn FnMut(&Check) -> Result<()>) -> Result<Vec<Check>> {
        let mut done = Vec::new();
        if self.opts.oracle.is_some() {
            self.count_before = Some(
                self.read_oracle()
                    .await
                    .context("could not read --oracle-url before the audit")?,
            );
        }
        let first = self.valid().await?;
        each(&first)?;
        done.push(first);
        for name in CHECKS.iter().skip(1) {
            if !self.opts.only.is_empty() && !self.opts.only.iter().any(|o| o == name) {
                continue;
            }
            let check = self.check(name).await?;
            each(&check)?;
            done.push(check);
        }
        Ok(done)
    }

    async fn check(&mut self, name: &'static str) -> Result<Check> {
        match name {
            "replayed-delivery" => self.replayed().await,
            "tampered-body" => self.tampered().await,
            "wrong-secret" => self.wrong_secret().await,
            "missing-signature" => self.missing().await,
            "malformed-signature" => self.malformed().await,
            "stale-timestamp" => self.timestamp(false).await,
            "future-timestamp" => self.timestamp(true).await,
            "multiple-signatures" => self.multiple().await,
            "reserialized-json" => self.reserialized().await,
            "non-ascii-body" => self.non_ascii().await,
            "other-scheme" => self.other_scheme().await,
            "oversized-body" => self.oversized().await,
            "slow-body" => self.slow_body().await,
            "signature-leak" => self.leak().await,
            "slow-answer" => Ok(self.slow_answer()),
            other => bail!("no check is called `{other}`"),
        }
    }

    fn new_check(&self, name: &'static str, grade: Grade, summary: String) -> Check {
        let p = &self.plan.profile;
        let fix = fix_text(name)
            .replace("{header}", self.header())
            .replace("{profile}", &p.name);
        Check {
            name,
            grade,
            summary,
            sent: String::new(),
            expected: String::new(),
            got: String::new(),
            why: why(name),
            fix,
            reproduce: self.send_line(),
            status: None,
            latency_ms: None,
        }
    }

    fn skip(&self, name: &'static str, why: String) -> Check {
        let mut c = self.new_check(name, Grade::Skip, why.clone());
        c.got = why;
        c.reproduce = String::new();
        c
    }

    /// The send line with the endpoint's secrets.
    fn send_line(&self) -> String {
        format!("{} {}", self.opts.send_line, self.opts.secret_flags)
            .trim_end()
            .to_string()
    }

    fn send_with(&self, extra: &str) -> String {
        format!("{} {extra}", self.send_line())
    }

    /// A made-up secret in the form the scheme reads, for the reproductions.
    fn made_up_secret(&self) -> &'static str {
        match self.scheme().secret {
            SecretEncoding::Whsec | SecretEncoding::WhsecOrRaw => {
                "whsec_bm90LXRoZS1lbmRwb2ludC1zZWNyZXQ="
            }
            SecretEncoding::Base64 => "bm90LXRoZS1lbmRwb2ludC1zZWNyZXQ=",
            SecretEncoding::Hex => "6e6f742d7468652d656e64706f696e74",
            SecretEncoding::Raw => "not-the-endpoint-secret",
        }
    }

    fn audit_only(&self, name: &str) -> String {
        format!(
            "{} --only {name} {}",
            self.opts.audit_line, self.opts.secret_flags
        )
        .trim_end()
        .to_string()
    }

    /// A fresh delivery of the plan's event, signed at `timestamp`, tagged for `check`.
    fn prepare(&mut self, check: &str, timestamp: i64) -> Result<Prepared> {
        self.plan.extra_headers.set(TAG_HEADER, check);
        self.plan.prepare(None, timestamp)
    }

    /// The headers `profile` (this plan's, or another) signs `body` with, the plan's
    /// extra headers (the tag) added.
    fn sign_as(
        &self,
        profile: &Profile,
        secrets: &[Secret],
        built: &BuiltEvent,
        body: &[u8],
        timestamp: i64,
    ) -> Result<HeaderList> {
        let path = self.plan.signed_path();
        let mut headers = profile.sign(
            secrets,
            &SignInput {
                body,
                event: Some(&built.event),
                id: &built.id,
                timestamp,
                method: &self.plan.method,
                path: &path,
                vars: &built.vars,
            },
        )?;
        for (n, v) in self.plan.extra_headers.iter() {
            headers.set(n, v);
        }
        Ok(headers)
    }

    /// The signatures the profile's header holds in `headers`.
    fn signatures_in(&self, headers: &HeaderList) -> Vec<String> {
        self.plan
            .profile
            .parse_headers(self.scheme(), headers)
            .map(|p| p.signatures.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    }

    /// The signature a sound receiver computes for `body` (what must never be shown).
    fn expected_for(&self, built: &BuiltEvent, body: &[u8], timestamp: i64) -> Vec<String> {
        let headers = self
            .sign_as(
                &self.plan.profile,
                &self.plan.secrets,
                built,
                body,
                timestamp,
            )
            .unwrap_or_default();
        signature_forms(self.scheme().encoding, &self.signatures_in(&headers))
    }

    /// Sends one request through the outbound pipeline, then pauses.
    async fn send(&self, prepared: Prepared, timeout: Duration) -> Result<Result<Sent, SendError>> {
        let opts = DeliverOptions {
            timeout,
            retry: false,
            speed: 1.0,
            source: "audit",
        };
        let delivered = deliver(&self.plan, prepared, &self.client, None, &opts, &mut |_| {
            Ok(())
        })
        .await?;
        tokio::time::sleep(self.opts.delay).await;
        Ok(delivered.last)
    }

    /// Sends one request over a connection written by hand, at `pace`, then pauses.
    async fn send_paced(
        &self,
        headers: &HeaderList,
        body: &[u8],
        pace: raw::Pace,
        wait: Duration,
    ) -> Result<raw::RawOutcome, String> {
        let outcome = raw::exchange(
            &self.plan.method,
            &self.plan.url,
            self.opts.insecure,
            headers,
            body,
            pace,
            wait,
        )
        .await;
        tokio::time::sleep(self.opts.delay).await;
        outcome
    }

    /// How long a request that should be refused at once may take.
    fn timeout(&self) -> Duration {
        self.plan.profile.retry.timeout
    }

    /// Sends a request that must be refused; keeps its answer for `signature-leak`.
    async fn probe(
        &mut self,
        check: &'static str,
        prepared: Prepared,
        expected: Vec<String>,
    ) -> Result<Result<Sent, SendError>> {
        let result = self.send(prepared, self.timeout()).await?;
        if let Ok(sent) = &result {
            self.probes.push(Probe {
                check,
                expected,
                answer: sent.clone(),
            });
        }
        Ok(result)
    }

    async fn read_oracle(&self) -> Result<u64> {
        let url = self.opts.oracle.as_ref().expect("called with an oracle");
        let mut tag = HeaderList::new();
        tag.push(TAG_HEADER, "oracle");
        let sent = self
            .client
            .send("GET", url, &tag, Bytes::new(), Duration::from_secs(5))
            .await?;
        if !(200..300).contains(&sent.status) {
            bail!("{url} answered {} {}", sent.status, sent.reason);
        }
        let text = String::from_utf8_lossy(&sent.body);
        text.trim().parse::<u64>().with_context(|| {
            format!(
                "{url} answered `{}`, not a count of deliveries",
                crate::envelope::verify::preview(text.trim())
            )
        })
    }

    /// Reads the oracle until it is past `than` or `within` has passed; the last count.
    async fn oracle_past(&self, than: u64, within: Duration) -> Result<u64> {
        let until = Instant::now() + within;
        loop {
            let n = self.read_oracle().await?;
            if n > than || Instant::now() >= until {
                return Ok(n);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn valid(&mut self) -> Result<Check> {
        let prepared = self.prepare("valid", now_unix())?;
        let pt = self.timeout();
        // Long enough to measure an answer slower than the provider waits.
        let wait = (pt * 2).max(pt + Duration::from_secs(5));
        let result = self.send(prepared.clone(), wait).await?;
        let p = &self.plan.profile;
        let sent = match &result {
            Ok(s) if (200..300).contains(&s.status) => s.clone(),
            Ok(s) => {
                let body = String::from_utf8_lossy(&s.body);
                let said = if body.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::output::escape(&whole_reason(&body)))
                };
                let hint = match s.status {
                    401 | 403 => format!(
                        "the endpoint refuses a delivery signed as `{}` signs it: is the secret the endpoint's, and is `{}` the provider it expects? (`hookctl send` with the same flags sends one to try)",
                        p.name, p.name
                    ),
                    404 | 405 => "nothing takes deliveries at that path: check the URL".to_string(),
                    _ => "the endpoint must take a genuine delivery before anything else can be graded".to_string(),
                };
                return Err(crate::hinted(
                    format!(
                        "the valid delivery was answered {} {}{said}: nothing else can be graded",
                        s.status, s.reason
                    ),
                    hint,
                ));
            }
            Err(e) => {
                let hint = e
                    .hint()
                    .unwrap_or("the endpoint must answer a genuine delivery before anything else can be graded");
                return Err(crate::hinted(
                    format!("the valid delivery was not answered: {e}"),
                    hint,
                ));
            }
        };
        let mut c = self.new_check("valid", Grade::Pass, format!("accepted ({})", sent.status));
        c.sent = format!(
            "a `{}` delivery (id {}), signed as `{}` signs it",
            prepared.built.event, prepared.built.id, p.name
        );
        c.expected = "2xx".into();
        c.answered(&result);
        self.valid = Some((prepared, sent));
        Ok(c)
    }

    async fn replayed(&mut self) -> Result<Check> {
        let name = "replayed-delivery";
        let (mut again, _) = self.valid.clone().expect("valid ran first");
        let id = again.built.id.clone();
        again.headers.set(TAG_HEADER, name);
        // The count after the valid delivery, if there is an oracle.
        let counted = match self.count_before {
            Some(before) => Some((
                before,
                self.oracle_past(before, Duration::from_secs(2)).await?,
            )),
            None => None,
        };
        let result = self.send(again, self.timeout()).await?;
        let mut c = self.new_check(name, Grade::Skip, String::new());
        c.sent = format!("the valid delivery again, byte for byte (the same id, {id})");
        c.expected = "a 2xx answer, and the delivery not acted on a second time".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!("--id {}", crate::output::shell_word(&id)));
        let retried = match &result {
            Ok(s) => matches!(
                self.plan
                    .profile
                    .retry
                    .decide(1, &Outcome::Status(s.status), None),
                Decision::Retry { .. }
            ),
            Err(e) => !matches!(
                self.plan.profile.retry.decide(1, &e.outcome(), None),
                Decision::Delivered
            ),
        };
        let answer_note = if retried {
            Some(format!(
                "answered {}: `{}` would send it again and again, as a failure",
                status_of(&result).map_or_else(|| "nothing".to_string(), |s| s.to_string()),
                self.plan.profile.name
            ))
        } else {
            None
        };
        match counted {
            None => {
                c.grade = if retried { Grade::Warn } else { Grade::Skip };
                c.summary = answer_note.unwrap_or_else(|| {
                    "answered; whether it was acted on twice cannot be seen from outside (pass --oracle-url)".into()
                });
            }
            Some((before, after_valid)) if after_valid <= before => {
                c.grade = Grade::Warn;
                c.summary = format!(
                    "the oracle's count did not move for the valid delivery ({before} → {after_valid}), so it cannot tell"
                );
            }
            Some((_, after_valid)) => {
                let after = self
                    .oracle_past(after_valid, Duration::from_secs(1))
                    .await?;
                c.got = format!("{}; the oracle counted {after_valid} → {after}", c.got);
                if after > after_valid {
                    c.grade = Grade::Fail;
                    c.summary =
                        format!("processed it again: the count went from {after_valid} to {after}");
                } else {
                    c.grade = if retried { Grade::Warn } else { Grade::Pass };
                    c.summary = answer_note.unwrap_or_else(|| "not processed again".into());
                }
            }
        }
        Ok(c)
    }

    async fn tampered(&mut self) -> Result<Check> {
        let name = "tampered-body";
        use crate::envelope::profile::Algorithm;
        if matches!(self.scheme().algorithm, Algorithm::Token | Algorithm::Basic) {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` authenticates with {}, which does not cover the body",
                    self.plan.profile.name,
                    self.scheme().algorithm.name()
                ),
            ));
        }
        let mut prepared = self.prepare(name, now_unix())?;
        let (body, told, field) = tamper(&prepared.body);
        let expected = self.expected_for(&prepared.built, &body, prepared.built.timestamp);
        prepared.body = Bytes::from(body);
        let result = self.probe(name, prepared, expected).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery signed, then {told}; the signature headers kept");
        c.expected = "4xx: the signature no longer matches the body".into();
        c.answered(&result);
        c.reproduce = match field {
            Some((path, new)) => {
                let text = match new {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                self.send_with(&format!(
                    "--tamper {}",
                    crate::output::shell_word(&format!("{path}={text}"))
                ))
            }
            None => self.audit_only(name),
        };
        Ok(c)
    }

    async fn wrong_secret(&mut self) -> Result<Check> {
        let name = "wrong-secret";
        let result = self.send_wrong_secret(name).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = "a delivery signed with a secret that is not the endpoint's".into();
        c.expected = "4xx".into();
        c.answered(&result);
        c.reproduce = self.wrong_secret_line();
        Ok(c)
    }

    fn wrong_secret_line(&self) -> String {
        format!("{} --secret {}", self.opts.send_line, self.made_up_secret())
    }

    async fn send_wrong_secret(&mut self, check: &'static str) -> Result<Result<Sent, SendError>> {
        let mut prepared = self.prepare(check, now_unix())?;
        let wrong = wrong_secret(self.scheme());
        let ts = prepared.built.timestamp;
        let expected = signature_forms(
            self.scheme().encoding,
            &self.signatures_in(&prepared.headers),
        );
        prepared.headers = self.sign_as(
            &self.plan.profile,
            &[wrong],
            &prepared.built,
            &prepared.body,
            ts,
        )?;
        self.probe(check, prepared, expected).await
    }

    async fn missing(&mut self) -> Result<Check> {
        let name = "missing-signature";
        let mut prepared = self.prepare(name, now_unix())?;
        let header = self.header().to_string();
        let expected = signature_forms(
            self.scheme().encoding,
            &self.signatures_in(&prepared.headers),
        );
        prepared.headers = prepared
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(&header))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let result = self.probe(name, prepared, expected).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery without its `{header}` header");
        c.expected = "4xx".into();
        if self.scheme().optional {
            c.expected.push_str(&format!(
                " (`{}` leaves the header out when no secret is set; an endpoint that has one must require it)",
                self.plan.profile.name
            ));
        }
        c.answered(&result);
        c.reproduce = self.send_with("--unsigned");
        Ok(c)
    }

    async fn malformed(&mut self) -> Result<Check> {
        let name = "malformed-signature";
        let header = self.header().to_string();
        let mut results = Vec::new();
        let mut first_value = None;
        type Change = fn(&str) -> String;
        let variants: [(&str, Change); 3] = [
            ("empty", |_| String::new()),
            ("not in its encoding", |s| "*".repeat(s.len())),
            ("cut to half", |s| s[..s.len() / 2].to_string()),
        ];
        for (label, change) in variants {
            let mut prepared = self.prepare(name, now_unix())?;
            let expected = signature_forms(
                self.scheme().encoding,
                &self.signatures_in(&prepared.headers),
            );
            let Some(value) = prepared.headers.get(&header).map(str::to_string) else {
                return Ok(self.skip(name, format!("the profile sent no `{header}` header")));
            };
            let mut bad = value.clone();
            for sig in self.signatures_in(&prepared.headers) {
                bad = bad.replace(&sig, &change(&sig));
            }
            first_value.get_or_insert_with(|| bad.clone());
            prepared.headers.set(&header, bad);
            let r = self.probe(name, prepared, expected).await?;
            results.push((label.to_string(), r));
        }
        let (grade, summary) = grade_refusals(&results, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "three deliveries whose `{header}` signature is empty, written in characters outside {}, and cut to half its length",
            self.scheme().encoding.name()
        );
        c.expected = "4xx for each".into();
        c.got = results
            .iter()
            .map(|(l, r)| format!("{l}: {}", describe(r)))
            .collect::<Vec<_>>()
            .join("; ");
        c.status = results.iter().find_map(|(_, r)| status_of(r));
        c.reproduce = self.send_with(&format!(
            "-H {}",
            crate::output::shell_word(&format!("{header}: {}", first_value.unwrap_or_default()))
        ));
        Ok(c)
    }

    async fn timestamp(&mut self, future: bool) -> Result<Check> {
        let name = if future {
            "future-timestamp"
        } else {
            "stale-timestamp"
        };
        let p = &self.plan.profile;
        if !p.timestamped() {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` signs no timestamp, so a request cannot be dated",
                    p.name
                ),
            ));
        }
        let Some(tolerance) = self.scheme().tolerance else {
            return Ok(self.skip(
                name,
                format!("`{}` sets no tolerance for its timestamp", p.name),
            ));
        };
        // Well beyond the tolerance: twice it, and at least a minute past it.
        let off = (tolerance * 2).max(tolerance + Duration::from_secs(60));
        let off_secs = i64::try_from(off.as_secs()).unwrap_or(i64::MAX / 2);
        let now = now_unix();
        let ts = if future {
            now.saturating_add(off_secs)
        } else {
            now.saturating_sub(off_secs)
        };
        let prepared = self.prepare(name, ts)?;
        let expected = Vec::new(); // the signature sent is the right one
        let result = self.probe(name, prepared, expected).await?;
        // A timestamp ahead is the lesser risk: only a skewed provider makes one.
        let accepted = if future { Grade::Warn } else { Grade::Fail };
        let (grade, summary) = grade_refusal(&result, accepted);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a delivery signed {} {} (the tolerance is {})",
            secs(off),
            if future { "ahead" } else { "ago" },
            secs(tolerance)
        );
        c.expected = "4xx: the timestamp is outside the tolerance".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!(
            "--timestamp {}{}s",
            if future { "+" } else { "-" },
            off_secs
        ));
        Ok(c)
    }

    async fn multiple(&mut self) -> Result<Check> {
        let name = "multiple-signatures";
        let scheme = self.scheme().clone();
        let Some(sep) = scheme.separator.clone() else {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` puts one signature in `{}`",
                    self.plan.profile.name, scheme.header
                ),
            ));
        };
        let mut prepared = self.prepare(name, now_unix())?;
        let ts = prepared.built.timestamp;
        // A signature made with another secret first, then the genuine one(s), then
        // an entry of a version no one knows.
        let mut secrets = vec![wrong_secret(&scheme)];
        secrets.extend(self.plan.secrets.iter().cloned());
        let mut headers = self.sign_as(
            &self.plan.profile,
            &secrets,
            &prepared.built,
            &prepared.body,
            ts,
        )?;
        let mut value = headers.get(&scheme.header).unwrap_or_default().to_string();
        let item = scheme
            .items
            .iter()
            .find(|t| t.uses(|v| *v == crate::envelope::template::Var::Signature))
            .map(|t| t.source().to_string())
            .unwrap_or_default();
        let prefix = item.split("{signature}").next().unwrap_or_default();
        let unknown = prefix
            .strip_prefix('v')
            .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
            .filter(|rest| rest.len() < prefix.len() - 1);
        let mut told = "a signature made with another secret, then the valid one".to_string();
        if let Some(rest) = unknown {
            let mut junk = [0u8; 32];
            fastrand::fill(&mut junk);
            value.push_str(&sep);
            value.push_str(&format!("v9{rest}{}", encode(scheme.encoding, &junk)));
            told.push_str(", then an entry of an unknown version (`v9`)");
        }
        headers.set(&scheme.header, value);
        prepared.headers = headers;
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery whose `{}` holds {told}", scheme.header);
        c.expected = "2xx: one valid signature is enough, and unknown versions are ignored".into();
        c.answered(&result);
        // Flags give secrets in order: the made-up one first, then the endpoint's.
        c.reproduce = if self.opts.secret_flags.is_empty() {
            self.audit_only(name)
        } else {
            format!(
                "{} --secret {} {}",
                self.opts.send_line,
                self.made_up_secret(),
                self.opts.secret_flags
            )
        };
        Ok(c)
    }

    async fn reserialized(&mut self) -> Result<Check> {
        let name = "reserialized-json";
        let mut prepared = self.prepare(name, now_unix())?;
        let Ok(json) = serde_json::from_slice::<Value>(&prepared.body) else {
            return Ok(self.skip(name, "the profile's body is not JSON".into()));
        };
        let pretty = serde_json::to_vec_pretty(&json).context("could not pretty-print the body")?;
        let ts = prepared.built.timestamp;
        prepared.headers = self.plan.sign(&prepared.built, &pretty, ts)?;
        prepared.body = Bytes::from(pretty);
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent = "a delivery whose JSON is pretty-printed (2-space indents), signed over exactly those bytes".into();
        c.expected = "2xx: the signature is over the bytes sent, however they are spaced".into();
        c.answered(&result);
        c.reproduce = self.send_with("--pretty");
        Ok(c)
    }

    async fn non_ascii(&mut self) -> Result<Check> {
        let name = "non-ascii-body";
        let mut prepared = self.prepare(name, now_unix())?;
        let Some((body, path)) = with_non_ascii(&prepared.body) else {
            return Ok(self.skip(name, "the profile's body is not a JSON object".into()));
        };
        let ts = prepared.built.timestamp;
        prepared.headers = self.plan.sign(&prepared.built, &body, ts)?;
        prepared.body = Bytes::from(body);
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent =
            format!("a delivery with `{path}` set to \"{NON_ASCII}\", signed over its UTF-8 bytes");
        c.expected = "2xx".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!(
            "--set {}",
            crate::output::shell_word(&format!("{path}={NON_ASCII}"))
        ));
        Ok(c)
    }

    async fn other_scheme(&mut self) -> Result<Check> {
        let name = "other-scheme";
        let scheme = self.scheme().clone();
        let mut variants: Vec<(String, Profile)> = Vec::new();
        // A downgrade: the same scheme with HMAC-SHA1, its prefix saying so.
        if scheme.algorithm != Algorithm::HmacSha1 {
            let mut weaker = self.plan.profile.clone();
            if let Some(s) = weaker.signature.as_mut() {
                s.algorithm = Algorithm::HmacSha1;
            }
            variants.push(("HMAC-SHA1 instead".into(), weaker));
        }
        // Another provider's format over the same body, with the same secret.
        let catalog = Catalog::builtin();
        let mine = (
            scheme.value.source().to_string(),
            scheme.signed.source().to_string(),
            scheme.algorithm,
            scheme.encoding,
        );
        for other in ["github", "standard", "stripe", "slack", "shopify"] {
            let Ok(p) = catalog.get(other) else { continue };
            let Some(s) = &p.signature else { continue };
            let theirs = (
                s.value.source().to_string(),
                s.signed.source().to_string(),
                s.algorithm,
                s.encoding,
            );
            if theirs != mine && p.signer(&self.plan.secrets).is_ok() {
                variants.push((format!("`{other}`'s format"), p));
                break;
            }
        }
        let mut results = Vec::new();
        let mut told = Vec::new();
        let mut first = None;
        for (label, profile) in &variants {
            let mut prepared = self.prepare(name, now_unix())?;
            let ts = prepared.built.timestamp;
            // The other profile's own vars (its headers may use them); a profile that
            // cannot sign this delivery is left out.
            let mut built = prepared.built.clone();
            if profile.name != self.plan.profile.name {
                match profile.render_vars(Some(&built.event), &built.id, ts) {
                    Ok(vars) => built.vars = vars,
                    Err(_) => continue,
                }
            }
            let Ok(theirs) = self.sign_as(profile, &self.plan.secrets, &built, &prepared.body, ts)
            else {
                continue;
            };
            let their_header = &profile.signature.as_ref().expect("signed").header;
            let Some(mut value) = theirs.get(their_header).map(str::to_string) else {
                continue;
            };
            if profile.name == self.plan.profile.name {
                value = value
                    .replace("sha256=", "sha1=")
                    .replace("sha512=", "sha1=");
            }
            let expected = signature_forms(scheme.encoding, &self.signatures_in(&prepared.headers));
            told.push(format!(
                "{label} (`{}`)",
                crate::envelope::verify::preview(&value)
            ));
            first.get_or_insert_with(|| value.clone());
            prepared.headers.set(&scheme.header, value);
            let r = self.probe(name, prepared, expected).await?;
            results.push((label.clone(), r));
        }
        if results.is_empty() {
            return Ok(self.skip(name, "no other scheme could sign with this secret".into()));
        }
        let (grade, summary) = grade_refusals(&results, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "the same body signed with the same secret in another scheme, in `{}`: {}",
            scheme.header,
            told.join("; ")
        );
        c.expected = "4xx for each: only the provider's own scheme is taken".into();
        c.got = results
            .iter()
            .map(|(l, r)| format!("{l}: {}", describe(r)))
            .collect::<Vec<_>>()
            .join("; ");
        c.status = results.iter().find_map(|(_, r)| status_of(r));
        c.reproduce = if scheme.algorithm != Algorithm::HmacSha1 {
            self.send_with("--algorithm hmac-sha1")
        } else {
            self.audit_only(name)
        };
        Ok(c)
    }

    async fn oversized(&mut self) -> Result<Check> {
        let name = "oversized-body";
        let prepared = self.prepare(name, now_unix())?;
        // The event's own body, padded to 8 MiB inside the JSON, validly signed: only
        // its size is wrong.
        let mut body = prepared.body.to_vec();
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(mut m)) => {
                m.insert("padding".into(), Value::String(String::new()));
                let base = crate::envelope::json::to_vec(&Value::Object(m.clone())).len();
                m.insert(
                    "padding".into(),
                    Value::String("x".repeat(OVERSIZED.saturating_sub(base))),
                );
                body = crate::envelope::json::to_vec(&Value::Object(m));
            }
            _ => body.resize(OVERSIZED.max(body.len()), b' '),
        }
        let ts = prepared.built.timestamp;
        let headers = self.plan.sign(&prepared.built, &body, ts)?;
        let outcome = self
            .send_paced(&headers, &body, raw::Pace::Fast, self.timeout())
            .await;
        let total = body.len();
        let (grade, summary, got, status) = match &outcome {
            Err(e) => (
                Grade::Warn,
                format!("could not send it: {e}"),
                e.clone(),
                None,
            ),
            Ok(o) => {
                let read_all = o.written >= total;
                let after = format!("after {} of {} was written", size(o.written), size(total));
                match &o.ended {
                    raw::Ended::Answered(a) if a.status == 413 => (
                        Grade::Pass,
                        format!("refused (413) {after}"),
                        format!("413 {} {after}", a.reason),
                        Some(413),
                    ),
                    raw::Ended::Answered(a) if (200..300).contains(&a.status) => (
                        Grade::Fail,
                        format!("took all {} and answered {}", size(total), a.status),
                        format!("{} {} {after}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Answered(a) if (400..500).contains(&a.status) && !read_all => (
                        Grade::Pass,
                        format!("refused ({}) {after}", a.status),
                        format!("{} {} {after}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Answered(a) => (
                        Grade::Warn,
                        format!(
                            "read all {} before answering {}: the limit should come first (413)",
                            size(total),
                            a.status
                        ),
                        format!("{} {} {after}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Closed(d) if !read_all => (
                        Grade::Pass,
                        format!("cut off {after}"),
                        format!("{d}, {after}"),
                        None,
                    ),
                    raw::Ended::Closed(d) => (
                        Grade::Warn,
                        format!("read all {} and closed without an answer", size(total)),
                        d.clone(),
                        None,
                    ),
                    raw::Ended::TimedOut if read_all => (
                        Grade::Warn,
                        format!("no answer within {} of the last byte", secs(self.timeout())),
                        format!("no answer {after}"),
                        None,
                    ),
                    raw::Ended::TimedOut => (
                        Grade::Warn,
                        format!(
                            "stopped reading {after}, but neither answered nor closed the connection"
                        ),
                        format!("no answer {after}"),
                        None,
                    ),
                    raw::Ended::Unreadable(d) => (
                        Grade::Skip,
                        format!("could not read the answer: {d}"),
                        format!("{d} {after}"),
                        None,
                    ),
                }
            }
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a validly signed {} body, written as fast as it was read",
            size(total)
        );
        c.expected = "413, or the connection cut, before it is all read".into();
        c.got = got;
        c.status = status;
        c.reproduce = self.audit_only(name);
        Ok(c)
    }

    async fn slow_body(&mut self) -> Result<Check> {
        let name = "slow-body";
        let prepared = self.prepare(name, now_unix())?;
        let total = prepared.body.len();
        let pace = raw::Pace::Trickle {
            over: SLOW_BODY_OVER,
            pieces: 30,
        };
        let outcome = self
            .send_paced(&prepared.headers, &prepared.body, pace, SLOW_BODY_LIMIT)
            .await;
        // A receiver whose timeout is the limit itself answers a moment after it.
        let limit = SLOW_BODY_LIMIT + Duration::from_secs(1);
        let (grade, summary, got, status) = match &outcome {
            Err(e) => (
                Grade::Warn,
                format!("could not send it: {e}"),
                e.clone(),
                None,
            ),
            Ok(o) => {
                let when = format!("after {:.1} s", o.at.as_secs_f64());
                let complete = o.written >= total;
                match &o.ended {
                    raw::Ended::Answered(a) if (200..300).contains(&a.status) => (
                        Grade::Fail,
                        format!(
                            "waited for the whole trickle and answered {} {when}",
                            a.status
                        ),
                        format!("{} {} {when}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Answered(a) if o.at <= limit && !complete => (
                        Grade::Pass,
                        format!("gave up ({}) {when}", a.status),
                        format!("{} {} {when}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Closed(d) if o.at <= limit && !complete => (
                        Grade::Pass,
                        format!("cut it off {when}"),
                        format!("{d} {when}"),
                        None,
                    ),
                    raw::Ended::Answered(a) => (
                        Grade::Warn,
                        format!(
                            "gave up only {when} ({}): a sound receiver stops waiting within {}",
                            a.status,
                            secs(SLOW_BODY_LIMIT)
                        ),
                        format!("{} {} {when}", a.status, a.reason),
                        Some(a.status),
                    ),
                    raw::Ended::Closed(d) => (
                        Grade::Warn,
                        format!(
                            "cut it off only {when}: a sound receiver stops waiting within {}",
                            secs(SLOW_BODY_LIMIT)
                        ),
                        format!("{d} {when}"),
                        None,
                    ),
                    raw::Ended::TimedOut => (
                        Grade::Fail,
                        format!(
                            "took the whole {}-second trickle and still had not answered {} later",
                            SLOW_BODY_OVER.as_secs(),
                            secs(SLOW_BODY_LIMIT)
                        ),
                        format!("no answer {when}"),
                        None,
                    ),
                    raw::Ended::Unreadable(d) => (
                        Grade::Skip,
                        format!("could not read the answer: {d}"),
                        format!("{d} {when}"),
                        None,
                    ),
                }
            }
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a validly signed {}-byte body trickled over {} s",
            total,
            SLOW_BODY_OVER.as_secs()
        );
        c.expected = format!(
            "cut off, or answered 4xx, within {} s",
            SLOW_BODY_LIMIT.as_secs()
        );
        c.got = got;
        c.status = status;
        c.reproduce = self.audit_only(name);
        Ok(c)
    }

    async fn leak(&mut self) -> Result<Check> {
        let name = "signature-leak";
        // One refusal of its own, so that the check stands alone (`--only`).
        let _ = self.send_wrong_secret(name).await?;
        let key_encoding = self.scheme().secret;
        // Every leak is listed, each kind of each answer once.
        let mut leaks: Vec<(Grade, String)> = Vec::new();
        for probe in &self.probes {
            let a = &probe.answer;
            let mut text = String::from_utf8_lossy(&a.body).into_owned();
            for (n, v) in a.headers.iter() {
                text.push('\n');
                text.push_str(n);
                text.push_str(": ");
                text.push_str(v);
            }
            // JSON may escape `/` (PHP does), which base64 holds.
            let text = text.replace("\\/", "/");
            let lower = text.to_ascii_lowercase();
            let shows = |needle: &str| {
                text.contains(needle) || lower.contains(&needle.to_ascii_lowercase())
            };
            let (check, status) = (probe.check, a.status);
            if self
                .plan
                .secrets
                .iter()
                .any(|s| s.shown_in(&text, key_encoding))
            {
                leaks.push((
                    Grade::Fail,
                    format!("the {status} answer to `{check}` shows the signing secret"),
                ));
            }
            if let Some(sig) = probe.expected.iter().find(|s| shows(s)) {
                leaks.push((
                    Grade::Fail,
                    format!(
                        "the {status} answer to `{check}` shows the expected signature ({}…)",
                        sig.chars().take(8).collect::<String>()
                    ),
                ));
            }
            if let Some(mark) = TRACE_MARKS.iter().find(|m| text.contains(*m)) {
                leaks.push((
                    Grade::Warn,
                    format!(
                        "the {status} answer to `{check}` holds a stack trace (`{}`)",
                        mark.trim()
                    ),
                ));
            }
        }
        let refusals = self
            .probes
            .iter()
            .filter(|p| !(200..300).contains(&p.answer.status))
            .count();
        let searched = crate::output::plural(self.probes.len() as u64, "answer", "answers");
        let (grade, summary) = if !leaks.is_empty() {
            let grade = if leaks.iter().any(|(g, _)| *g == Grade::Fail) {
                Grade::Fail
            } else {
                Grade::Warn
            };
            let shown: Vec<&str> = leaks.iter().map(|(_, s)| s.as_str()).collect();
            (grade, shown.join("; "))
        } else if refusals == 0 {
            // Nothing was refused, so no refusal could say too much: the forgery
            // checks already failed for that.
            (
                Grade::Skip,
                format!(
                    "the receiver refused none of the {} requests it should have refused, so there was no refusal to search (the checks that sent them fail for that)",
                    self.probes.len()
                ),
            )
        } else {
            (
                Grade::Pass,
                format!(
                    "{} {} nothing {} should not",
                    crate::output::plural(refusals as u64, "refusal", "refusals"),
                    if refusals == 1 { "shows" } else { "show" },
                    if refusals == 1 { "it" } else { "they" }
                ),
            )
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = "nothing more than one delivery signed with a wrong secret; the answers to every refused request are searched for the expected signature, the secret and stack traces".into();
        c.expected = "a refusal that says no more than that the signature is not valid".into();
        c.got = format!("{searched} searched, {refusals} of them refusals");
        c.reproduce = self.wrong_secret_line();
        Ok(c)
    }

    fn slow_answer(&self) -> Check {
        let name = "slow-answer";
        let (_, sent) = self.valid.as_ref().expect("valid ran first");
        let waits = self.timeout();
        let took = sent.latency;
        let p = &self.plan.profile.name;
        let (grade, summary) = if took > waits {
            (
                Grade::Fail,
                format!(
                    "answered in {}, after `{p}` stops waiting ({})",
                    millis(took),
                    secs(waits)
                ),
            )
        } else if took > waits / 2 {
            (
                Grade::Warn,
                format!(
                    "answered in {}, more than half of the {} `{p}` waits",
                    millis(took),
                    secs(waits)
                ),
            )
        } else {
            (
                Grade::Pass,
                format!("answered in {} (`{p}` waits {})", millis(took), secs(waits)),
            )
        };
        let mut c = self.new_check(name, grade, summary);
        c.sent = "nothing more: the valid delivery, timed".into();
        c.expected = format!("2xx well within the {} `{p}` waits", secs(waits));
        c.got = format!("{} {} in {}", sent.status, sent.reason, millis(took));
        c.status = Some(sent.status);
        c.latency_ms = Some(took.as_secs_f64() * 1e3);
        c.reproduce = self.send_with(&format!("--timeout {}", secs(waits).replace(' ', "")));
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_changes_an_amount_not_the_spacing() {
        let (body, told, field) =
            tamper(br#"{"id":"evt_1","data":{"object":{"amount":2000,"currency":"usd"}}}"#);
        assert_eq!(
            field,
            Some(("data.object.amount".into(), Value::from(200000)))
        );
        assert_eq!(
            body,
            br#"{"id":"evt_1","data":{"object":{"amount":200000,"currency":"usd"}}}"#
        );
        assert_eq!(told, "`data.object.amount` changed from 2000 to 200000");
        // No number: a text field, not the id.
        let (body, told, _) = tamper(br#"{"id":"a","name":"Ada"}"#);
        assert_eq!(body, br#"{"id":"a","name":"Ada-tampered"}"#);
        assert!(told.contains("`name`"));
        // Not JSON: a byte.
        let (body, _, field) = tamper(b"a=1&b=2");
        assert!(field.is_none());
        assert_eq!(body, b"a=1&b=a");
    }

    #[test]
    fn non_ascii_goes_into_a_text_field() {
        let (body, path) = with_non_ascii(br#"{"type":"x","data":{"name":"Jane","n":1}}"#).unwrap();
        assert_eq!(path, "data.name");
        assert!(std::str::from_utf8(&body).unwrap().contains(NON_ASCII));
        assert!(with_non_ascii(b"[1,2]").is_none());
    }

    #[test]
    fn signature_forms_cover_both_encodings() {
        let forms = signature_forms(Encoding::Hex, &["00ff".repeat(8)]);
        assert!(forms.contains(&"00ff".repeat(8)));
        assert!(forms.iter().any(|f| f.starts_with("AP8A")));
        // Too short to be told from chance: left out.
        assert!(signature_forms(Encoding::Hex, &["00ff".into()]).is_empty());
    }

    #[test]
    fn refusals_grade_by_status_class() {
        let sent = |status| {
            Ok(Sent {
                status,
                reason: String::new(),
                headers: HeaderList::new(),
                body: Bytes::new(),
                latency: Duration::from_millis(1),
            })
        };
        assert_eq!(grade_refusal(&sent(401), Grade::Fail).0, Grade::Pass);
        assert_eq!(grade_refusal(&sent(200), Grade::Fail).0, Grade::Fail);
        assert_eq!(grade_refusal(&sent(200), Grade::Warn).0, Grade::Warn);
        assert_eq!(grade_refusal(&sent(500), Grade::Fail).0, Grade::Warn);
        let timeout: Result<Sent, SendError> = Err(SendError::Timeout(Duration::from_secs(1)));
        assert_eq!(grade_refusal(&timeout, Grade::Fail).0, Grade::Warn);
        let (g, s) = grade_refusals(
            &[
                ("a".into(), sent(401)),
                ("b".into(), sent(500)),
                ("c".into(), sent(200)),
            ],
            Grade::Fail,
        );
        assert_eq!(g, Grade::Fail);
        assert!(s.starts_with("c: accepted"), "{s}");
        assert_eq!(grade_acceptance(&sent(204)).0, Grade::Pass);
        assert_eq!(grade_acceptance(&sent(401)).0, Grade::Fail);
    }
}
