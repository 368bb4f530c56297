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

mod checks;
pub mod names;
pub mod raw;

pub use checks::{describe, millis};

use crate::http::client::{HttpClient, SendError, Sent};
use crate::outbound::{Plan, Prepared};
use anyhow::{Context, Result, bail};
use checks::status_of;
use serde::Serialize;
use std::time::Duration;

pub use names::CHECK_NAMES as CHECKS;

/// The header every audit request carries, naming its check.
pub const TAG_HEADER: &str = "X-Hookctl-Audit";
/// `oversized-body`'s size.
pub const OVERSIZED: usize = 8 << 20;
/// `slow-body`: the body is trickled over this long; a sound receiver gives up
/// within [`SLOW_BODY_LIMIT`].
pub const SLOW_BODY_OVER: Duration = Duration::from_secs(15);
pub const SLOW_BODY_LIMIT: Duration = Duration::from_secs(10);

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
        serialize_with = "crate::show::ser_round3_opt"
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

impl Audit {
    pub fn new(plan: Plan, client: HttpClient, opts: Options) -> Result<Audit> {
        if plan.profile.signature.is_none() {
            bail!(
                "profile `{}` signs nothing: there is no signature to audit",
                plan.profile.name
            );
        }
        // Refused with advice where the secrets are resolved (`settings::audit`).
        if plan.secrets.is_empty() {
            bail!("no signing secret to audit with");
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
}
