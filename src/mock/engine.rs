//! The mock's engine: the handshake, the bad-signature probe, events with the
//! provider's retries on the virtual clock, re-validation, and the grades.

use super::clock::Clock;
use super::grade::{Asked, Reply, grade};
use super::{Confirm, Handshake, Kind, Values, answer_for, fill, fill_json, human};
use crate::clock::now_unix;
use crate::envelope::retry::{Decision, Outcome};
use crate::envelope::{GivenData, HeaderList, Profile, Secret};
use crate::http::client::{HttpClient, SendError, Sent};
use crate::outbound::Plan;
use bytes::Bytes;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Pass,
    Fail,
    /// Not graded: an attempt, a decision, what the provider does.
    Info,
}

/// One line of the mock's report.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// `handshake`, `revalidation`, `probe`, `event`, `attempt`, `provider`, `registration`.
    pub step: &'static str,
    pub name: String,
    pub grade: Grade,
    pub reason: String,
    /// Virtual seconds since the mock started.
    #[serde(serialize_with = "crate::show::ser_round3")]
    pub at_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::show::ser_round3_opt"
    )]
    pub latency_ms: Option<f64>,
}

/// Where the steps go: told as they happen (to whoever renders them), and kept for
/// the summary and JUnit.
pub struct Report {
    pub steps: Mutex<Vec<Step>>,
    /// Told each step as it happens.
    pub tell: Box<dyn Fn(&Step) + Send + Sync>,
}

/// Steps kept at most (a long `--serve` run): the oldest info lines go first.
const MAX_STEPS: usize = 10_000;

impl Report {
    pub fn push(&self, s: Step) {
        (self.tell)(&s);
        let mut steps = self.steps.lock().expect("report lock");
        if steps.len() >= MAX_STEPS
            && let Some(i) = steps.iter().position(|x| x.grade == Grade::Info)
        {
            steps.remove(i);
        }
        if steps.len() < MAX_STEPS {
            steps.push(s);
        }
    }

    pub fn failed(&self) -> usize {
        self.steps
            .lock()
            .expect("report lock")
            .iter()
            .filter(|s| s.grade == Grade::Fail)
            .count()
    }

    pub fn graded(&self) -> Vec<Step> {
        self.steps
            .lock()
            .expect("report lock")
            .iter()
            .filter(|s| s.grade != Grade::Info)
            .cloned()
            .collect()
    }
}

/// Everything a run needs.
#[derive(Clone)]
pub struct Ctx {
    pub profile: Profile,
    pub secrets: Vec<Secret>,
    pub verify_token: String,
    pub events: Vec<(String, Option<GivenData>)>,
    pub client: HttpClient,
    pub clock: Arc<Clock>,
    pub probe_signature: bool,
    pub report: Arc<Report>,
}

fn io_step(step: &'static str, name: &str, grade: Grade, reason: String, at: Duration) -> Step {
    Step {
        step,
        name: name.to_string(),
        grade,
        reason,
        at_secs: at.as_secs_f64(),
        status: None,
        latency_ms: None,
    }
}

/// Whether headers hold `name`, case-insensitively; set it either way.
fn put(headers: &mut HeaderList, name: &str, value: &str) {
    if headers.contains(name) {
        headers.set(name, value);
    } else {
        headers.push(name, value);
    }
}

/// The same text with one character changed to another of its kind (a digit to a
/// digit, a letter to a letter), so that an encoded signature keeps its form.
fn corrupt(v: &str) -> String {
    let mut chars: Vec<char> = v.chars().collect();
    // After a `sha256=`-style prefix, not in a base64 value's trailing padding.
    let body_len = v.trim_end_matches('=').chars().count();
    let start = v
        .find('=')
        .filter(|i| *i + 1 < body_len)
        .map(|i| i + 1)
        .unwrap_or(0);
    let i = start + (body_len.saturating_sub(start)) / 2;
    if let Some(c) = chars.get_mut(i) {
        *c = match *c {
            '0' => '1',
            '0'..='9' => '0',
            'a' => 'b',
            'a'..='z' => 'a',
            'A' => 'B',
            'A'..='Z' => 'A',
            _ => 'A',
        };
    }
    chars.into_iter().collect()
}

impl Ctx {
    fn provider(&self) -> String {
        self.profile
            .handshake
            .as_ref()
            .map(|h| h.provider.clone())
            .unwrap_or_else(|| self.profile.name.clone())
    }

    fn redirects(&self) -> u8 {
        self.profile.handshake.as_ref().map_or(0, |h| h.redirects)
    }

    fn secret_text(&self) -> Option<&str> {
        self.secrets.first().map(|s| s.expose())
    }

    /// The event a handshake's signature names (the catalogue's handshake event).
    fn handshake_event(&self) -> String {
        self.profile
            .events
            .values()
            .find(|e| e.handshake)
            .or_else(|| self.profile.events.values().next())
            .map(|e| e.name.clone())
            .unwrap_or_else(|| "handshake".into())
    }

    /// Sends, following redirects as the provider does. The answer, or the redirect
    /// the provider would not follow (with its Location), or the failure.
    async fn send(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &HeaderList,
        body: Bytes,
        timeout: Duration,
    ) -> (Result<Sent, SendError>, Option<String>) {
        let mut url = url.clone();
        for hop in 0..=self.redirects() {
            let res = self
                .client
                .send(method, &url, headers, body.clone(), timeout)
                .await;
            let Ok(sent) = &res else { return (res, None) };
            if !(300..400).contains(&sent.status) {
                return (res, None);
            }
            let loc = sent.headers.get("Location").unwrap_or("").to_string();
            if hop == self.redirects() {
                return (res, Some(loc));
            }
            match url.join(&loc) {
                Ok(next) => url = next,
                Err(_) => return (res, Some(loc)),
            }
        }
        unreachable!("the loop returns on its last hop")
    }

    fn redirect_reason(&self, status: u16, loc: &str) -> String {
        let p = self.provider();
        let n = self.redirects();
        if n == 0 {
            format!(
                "answered {status} (a redirect to {}); {p} does not follow redirects",
                crate::show::escape(loc)
            )
        } else {
            format!("more than {n} redirects; {p} gives up (too many redirects)")
        }
    }

    /// Plays the handshake against `url`; `step` is `handshake` or `revalidation`.
    /// Returns whether it passed.
    pub async fn handshake(&self, url: &reqwest::Url, step: &'static str) -> anyhow::Result<bool> {
        let Some(h) = &self.profile.handshake else {
            return Ok(true);
        };
        let p = &h.provider;
        let challenge =
            super::make_challenge(&h.challenge, self.secret_text()).map_err(anyhow::Error::msg)?;
        let vals = Values {
            challenge: challenge.clone(),
            verify_token: self.verify_token.clone(),
            uuid: uuid::Uuid::new_v4().to_string(),
            now_ms: now_unix().saturating_mul(1000),
        };
        let mut target = url.clone();
        let mut encoded = None;
        if !h.query.is_empty() {
            let mut q = target.query_pairs_mut();
            for (k, v) in &h.query {
                let v = fill(v, &vals);
                if v.contains(&challenge) {
                    encoded = Some(
                        form_urlencoded::byte_serialize(challenge.as_bytes()).collect::<String>(),
                    );
                }
                q.append_pair(k, &v);
            }
        }
        let body = match &h.body {
            Some(b) => Bytes::from(serde_json::to_vec(&fill_json(b, &vals))?),
            None => Bytes::new(),
        };
        let mut headers = if h.signed {
            let plan = self.plan(
                &target,
                self.handshake_event(),
                None,
                Some(body.clone()),
                &h.method,
            );
            plan.prepare(None, now_unix())?.headers
        } else {
            let mut hl = HeaderList::new();
            if !body.is_empty() {
                hl.push("Content-Type", "application/json");
            }
            hl
        };
        for (n, v) in &h.headers {
            put(&mut headers, n, &fill(v, &vals));
        }
        let key = match (
            h.answer,
            self.profile.signature.as_ref(),
            self.secrets.first(),
        ) {
            (super::Answer::Echo, ..) => Vec::new(),
            (_, Some(scheme), Some(s)) => scheme.key(s)?,
            (_, _, Some(s)) => s.expose().as_bytes().to_vec(),
            _ => anyhow::bail!("{p}'s handshake is keyed with the secret: pass --secret"),
        };
        let answer = answer_for(h, &challenge, &key);
        let mac =
            (h.answer != super::Answer::Echo).then(|| super::hmac256(&key, challenge.as_bytes()));
        let grace = h.deadline.min(Duration::from_secs(5));
        let (res, redirect) = self
            .send(&h.method, &target, &headers, body, h.deadline + grace)
            .await;
        let name = format!("{p} {}", kind_label(h.kind));
        let at = self.clock.now();
        let mut s = io_step(step, &name, Grade::Pass, String::new(), at);
        let verdict = match &res {
            Err(SendError::Timeout(_)) => Err(format!(
                "no answer within {}; {p} gives up at {}",
                human(h.deadline + grace),
                human(h.deadline)
            )),
            Err(e) => Err(format!("{e}; {p} cannot reach the URL")),
            Ok(sent) => {
                s.status = Some(sent.status);
                s.latency_ms = Some(sent.latency.as_secs_f64() * 1e3);
                match redirect {
                    Some(loc) => Err(self.redirect_reason(sent.status, &loc)),
                    None => grade(
                        h,
                        &Reply {
                            status: sent.status,
                            headers: &sent.headers,
                            body: &sent.body,
                            latency: sent.latency,
                        },
                        &Asked {
                            challenge: &challenge,
                            encoded: encoded.as_deref(),
                            answer: &answer,
                            mac: mac.as_deref(),
                            secret: h.challenge == "secret",
                        },
                    ),
                }
            }
        };
        let passed = verdict.is_ok();
        match verdict {
            Ok(detail) => s.reason = detail,
            Err(why) => {
                s.grade = Grade::Fail;
                s.reason = why;
            }
        }
        self.report.push(s);
        if passed
            && step == "handshake"
            && let Some(want) = h.token_probe
        {
            self.token_probe(url, h, want).await;
        }
        if !passed {
            self.report.push(io_step(
                "provider",
                p,
                Grade::Info,
                h.on_fail.clone(),
                self.clock.now(),
            ));
        } else if h.kind == Kind::OutOfBandCode && h.confirm == Some(Confirm::User) {
            self.report.push(io_step(
                "provider",
                p,
                Grade::Info,
                "the token is pasted in the provider's UI to finish; the mock takes it as done"
                    .into(),
                self.clock.now(),
            ));
        }
        Ok(passed)
    }

    /// The challenge again with a wrong verify token: the app must refuse it (Meta).
    async fn token_probe(&self, url: &reqwest::Url, h: &Handshake, want: u16) {
        let vals = Values {
            challenge: super::make_challenge(&h.challenge, None).unwrap_or_default(),
            verify_token: format!("wrong-{}", uuid::Uuid::new_v4().simple()),
            uuid: uuid::Uuid::new_v4().to_string(),
            now_ms: now_unix().saturating_mul(1000),
        };
        let mut target = url.clone();
        {
            let mut q = target.query_pairs_mut();
            for (k, v) in &h.query {
                q.append_pair(k, &fill(v, &vals));
            }
        }
        let mut headers = HeaderList::new();
        for (n, v) in &h.headers {
            put(&mut headers, n, &fill(v, &vals));
        }
        let p = &h.provider;
        let (res, _) = self
            .send(&h.method, &target, &headers, Bytes::new(), h.deadline)
            .await;
        let mut s = io_step(
            "probe",
            &format!("{p} wrong verify token"),
            Grade::Pass,
            String::new(),
            self.clock.now(),
        );
        match &res {
            Ok(sent) => {
                s.status = Some(sent.status);
                s.latency_ms = Some(sent.latency.as_secs_f64() * 1e3);
                if (400..500).contains(&sent.status) {
                    s.reason = format!("refused with {}", sent.status);
                } else {
                    s.grade = Grade::Fail;
                    s.reason = format!(
                        "answered {} to a wrong verify token; {p} wants {want}: anyone who knows the URL could subscribe it",
                        sent.status
                    );
                }
            }
            Err(e) => {
                s.grade = Grade::Fail;
                s.reason = e.to_string();
            }
        }
        self.report.push(s);
    }

    fn plan(
        &self,
        url: &reqwest::Url,
        event: String,
        data: Option<GivenData>,
        body: Option<Bytes>,
        method: &str,
    ) -> Plan {
        let patches = match (
            self.profile
                .handshake
                .as_ref()
                .and_then(|h| h.secret_in_body.clone()),
            self.secret_text(),
            &body,
        ) {
            (Some(path), Some(s), None) => vec![(path, serde_json::Value::String(s.to_string()))],
            _ => Vec::new(),
        };
        Plan {
            profile: self.profile.clone(),
            secrets: self.secrets.clone(),
            event,
            data,
            body,
            patches,
            extra_headers: HeaderList::new(),
            method: method.to_string(),
            url: url.clone(),
            craft: Default::default(),
        }
    }

    /// A request with an invalid signature: it must be refused (Discord's and Xero's
    /// 401; any 4xx with `--probe-signature`).
    pub async fn probe(&self, url: &reqwest::Url) -> anyhow::Result<()> {
        let want = self.profile.handshake.as_ref().and_then(|h| h.probe);
        if want.is_none() && !self.probe_signature {
            return Ok(());
        }
        let Some(scheme) = &self.profile.signature else {
            return Ok(());
        };
        let p = self.provider();
        let event = match &self.profile.handshake {
            Some(h) if h.probe.is_some() => self.handshake_event(),
            _ => self.first_event(),
        };
        let plan = self.plan(url, event, None, None, "POST");
        let mut prepared = plan.prepare(None, now_unix())?;
        let Some(v) = prepared.headers.get(&scheme.header).map(str::to_string) else {
            return Ok(());
        };
        prepared.headers.set(&scheme.header, corrupt(&v));
        let timeout = self.profile.retry.timeout;
        let (res, _) = self
            .send("POST", url, &prepared.headers, prepared.body, timeout)
            .await;
        let mut s = io_step(
            "probe",
            &format!("{p} invalid signature"),
            Grade::Pass,
            String::new(),
            self.clock.now(),
        );
        match &res {
            Ok(sent) => {
                s.status = Some(sent.status);
                s.latency_ms = Some(sent.latency.as_secs_f64() * 1e3);
                let ok = match want {
                    Some(w) => sent.status == w,
                    None => (400..500).contains(&sent.status),
                };
                if ok {
                    s.reason = format!("refused with {}", sent.status);
                } else if (200..300).contains(&sent.status) {
                    s.grade = Grade::Fail;
                    let then = self
                        .profile
                        .handshake
                        .as_ref()
                        .filter(|h| h.probe.is_some())
                        .map(|h| format!(": {}", h.on_fail))
                        .unwrap_or_default();
                    s.reason = format!(
                        "accepted a delivery with an invalid signature (answered {}){then}",
                        sent.status
                    );
                } else {
                    s.grade = Grade::Fail;
                    s.reason = match want {
                        Some(w) => format!(
                            "answered {} to an invalid signature; {p} wants {w}",
                            sent.status
                        ),
                        None => format!(
                            "answered {} to an invalid signature; a 4xx refuses it",
                            sent.status
                        ),
                    };
                }
            }
            Err(e) => {
                s.grade = Grade::Fail;
                s.reason = format!("{e}");
            }
        }
        self.report.push(s);
        Ok(())
    }

    fn first_event(&self) -> String {
        self.profile
            .events
            .values()
            .find(|e| !e.handshake)
            .or_else(|| self.profile.events.values().next())
            .map(|e| e.name.clone())
            .unwrap_or_default()
    }

    /// The events to send: the ones asked for, else every catalogue event that is
    /// not a handshake.
    pub fn event_list(&self) -> Vec<(String, Option<GivenData>)> {
        if !self.events.is_empty() {
            return self.events.clone();
        }
        self.profile
            .events
            .values()
            .filter(|e| !e.handshake)
            .map(|e| (e.name.clone(), None))
            .collect()
    }

    /// Delivers one event with the provider's retries, each attempt signed afresh;
    /// the wait between attempts passes on the virtual clock.
    pub async fn deliver(
        &self,
        url: &reqwest::Url,
        event: &str,
        data: Option<GivenData>,
    ) -> anyhow::Result<bool> {
        let p = self.provider();
        let plan = self.plan(url, event.to_string(), data, None, "POST");
        let prepared = plan.prepare(None, now_unix())?;
        let policy = &self.profile.retry;
        let mut history: Vec<String> = Vec::new();
        let mut first = String::new();
        for attempt in 1..=policy.max_attempts() {
            let mut headers = if attempt == 1 {
                prepared.headers.clone()
            } else {
                plan.sign(&prepared.built, &prepared.body, now_unix())?
            };
            if attempt > 1
                && let Some(h) = &self.profile.handshake
            {
                let reason = history.last().cloned().unwrap_or_default();
                for (n, v) in &h.retry_headers {
                    let v = v
                        .replace("{attempt}", &(attempt - 1).to_string())
                        .replace("{reason}", &reason);
                    put(&mut headers, n, &v);
                }
            }
            let (res, redirect) = self
                .send("POST", url, &headers, prepared.body.clone(), policy.timeout)
                .await;
            let (outcome, text, retry_after) = match &res {
                Ok(sent) => (
                    Outcome::Status(sent.status),
                    match &redirect {
                        Some(loc) => self.redirect_reason(sent.status, loc),
                        None => format!("answered {} in {}", sent.status, human(sent.latency)),
                    },
                    sent.retry_after(),
                ),
                Err(e) => (e.outcome(), e.to_string(), None),
            };
            if attempt == 1 {
                first.clone_from(&text);
            }
            history.push(match outcome {
                Outcome::Timeout => "http_timeout".to_string(),
                Outcome::Connection => "connection_failed".to_string(),
                Outcome::Status(s) if (300..400).contains(&s) => "too_many_redirects".to_string(),
                Outcome::Status(_) => "http_error".to_string(),
            });
            let mut s = io_step(
                "attempt",
                &format!("{event} #{attempt}"),
                Grade::Info,
                text.clone(),
                self.clock.now(),
            );
            if let Ok(sent) = &res {
                s.status = Some(sent.status);
                s.latency_ms = Some(sent.latency.as_secs_f64() * 1e3);
            }
            self.report.push(s);
            let outcome = if redirect.is_some() {
                Outcome::Status(502)
            } else {
                outcome
            };
            let no_retry = match (
                &res,
                self.profile
                    .handshake
                    .as_ref()
                    .and_then(|h| h.no_retry_header.as_deref()),
            ) {
                (Ok(sent), Some(name)) if !outcome.is_success() => sent
                    .headers
                    .get(name)
                    .is_some_and(|v| v.trim() == "1")
                    .then(|| name.to_string()),
                _ => None,
            };
            let decision = match no_retry {
                Some(name) => Decision::GiveUp {
                    rule: format!("the app asked for no retry ({name}: 1)"),
                },
                None => policy.decide(attempt, &outcome, retry_after),
            };
            match decision {
                Decision::Delivered => {
                    let (grade, reason) = if attempt == 1 {
                        (Grade::Pass, format!("delivered, {text}"))
                    } else {
                        (
                            Grade::Fail,
                            format!(
                                "delivered only on attempt {attempt}; the first attempt {first}"
                            ),
                        )
                    };
                    self.report
                        .push(io_step("event", event, grade, reason, self.clock.now()));
                    return Ok(attempt == 1);
                }
                Decision::Retry { after, rule } => {
                    self.report.push(io_step(
                        "provider",
                        &p,
                        Grade::Info,
                        format!("{p} retries {event} in {} ({rule})", human(after)),
                        self.clock.now(),
                    ));
                    let at = self.clock.now().saturating_add(after);
                    self.clock.sleep_until(at).await;
                }
                // A `hookctl relay` answered 202 and holds it for its client: the
                // provider takes that as delivered, but the app has not had it.
                Decision::Queued => {
                    self.report.push(io_step(
                        "event",
                        event,
                        Grade::Fail,
                        format!(
                            "queued by a hookctl relay, not yet at the app ({text}); {p} takes the 202 as delivered and sends it no more"
                        ),
                        self.clock.now(),
                    ));
                    return Ok(false);
                }
                Decision::GiveUp { rule } => {
                    let then = self
                        .profile
                        .handshake
                        .as_ref()
                        .and_then(|h| h.on_give_up.clone())
                        .unwrap_or_else(|| format!("{p} drops the event"));
                    self.report.push(io_step(
                        "event",
                        event,
                        Grade::Fail,
                        format!("not delivered: {text}; {rule}; {then}"),
                        self.clock.now(),
                    ));
                    return Ok(false);
                }
            }
        }
        Ok(false)
    }

    /// The whole play against one URL: handshake, probe, events, then re-validation
    /// until `run_for` of virtual time has passed.
    pub async fn play(
        &self,
        url: &reqwest::Url,
        run_for: Option<Duration>,
        skip_handshake: bool,
    ) -> anyhow::Result<()> {
        let started = self.clock.now();
        if !skip_handshake && !self.handshake(url, "handshake").await? {
            // What the provider does then (`on_fail`) is said; no events follow.
            return Ok(());
        }
        self.probe(url).await?;
        for (event, data) in self.event_list() {
            self.deliver(url, &event, data).await?;
        }
        let (Some(run_for), Some(period)) = (
            run_for,
            self.profile.handshake.as_ref().and_then(|h| h.revalidate),
        ) else {
            return Ok(());
        };
        let end = started.saturating_add(run_for);
        let mut next = started.saturating_add(period);
        while next <= end {
            self.clock.sleep_until(next).await;
            self.handshake(url, "revalidation").await?;
            next = next.saturating_add(period);
        }
        Ok(())
    }
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::EchoBodyField => "challenge",
        Kind::HmacToken => "token check",
        Kind::QueryEcho => "challenge",
        Kind::HeaderEcho => "secret echo",
        Kind::OutOfBandCode => "verification code",
        Kind::CrcPeriodic => "CRC check",
        Kind::SignatureProbe => "endpoint check",
    }
}
