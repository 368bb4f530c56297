//! The receiving side of `listen`: one delivery in, verified, recorded, answered —
//! with a scripted response or the app's own, when forwarded.

use super::client::HttpClient;
use crate::envelope::catalog::detect_among;
use crate::envelope::template::Ctx;
use crate::envelope::{HeaderList, Profile, Received, Secret, VerifyOptions};
use crate::output::BodyJson;
use crate::settings::now_unix;
use crate::store::{
    BatchWriter, Direction, Recorded, RecordedAttempt, State, glob_match, now_rfc3339,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Responses scripted to exercise a sender's retries.
#[derive(Debug, Clone)]
pub struct Script {
    /// Status of an accepted delivery.
    pub status: u16,
    /// Fail the first N attempts of each delivery id.
    pub fail_first: u32,
    /// Fail this share of deliveries at random.
    pub fail_rate: f64,
    /// The status of a scripted failure.
    pub fail_status: u16,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// `Retry-After` (seconds) on scripted failures.
    pub retry_after: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub glob: String,
    pub url: reqwest::Url,
}

pub struct ReceiverConfig {
    /// The profile, or every profile for `--profile auto`.
    pub profiles: Vec<Profile>,
    pub auto: bool,
    pub secrets: Vec<Secret>,
    pub tolerance: Option<Option<Duration>>,
    pub base_path: String,
    pub forward: Option<reqwest::Url>,
    pub routes: Vec<Route>,
    pub script: Script,
    pub accept_invalid: bool,
    pub max_body: usize,
    pub body_timeout: Duration,
    pub forward_timeout: Duration,
    /// Stop after answering the first valid delivery whose event matches.
    pub wait_for: Option<String>,
    /// Keep headers and bodies in the printed deliveries (`-v`).
    pub verbose: bool,
}

/// What `listen` shows for each request.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryLine {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub path: String,
    pub profile: Option<String>,
    pub event: Option<String>,
    pub delivery_id: Option<String>,
    /// `None`: not checked (no secret, or no profile fits).
    pub valid: Option<bool>,
    pub reason: String,
    pub status: u16,
    pub latency_ms: f64,
    pub duplicate: bool,
    pub attempt: u32,
    pub test: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_error: Option<String>,
    /// The delivery's id in the store.
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<[String; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyJson>,
}

pub struct Receiver {
    cfg: ReceiverConfig,
    writer: Option<BatchWriter>,
    client: HttpClient,
    /// Delivery id → attempts seen (this run, plus recent ones from the store).
    seen: Mutex<Seen>,
    seq: AtomicU64,
    lines: tokio::sync::mpsc::UnboundedSender<DeliveryLine>,
    /// Set once a `--wait-for` delivery has been answered.
    pub matched: AtomicBool,
    pub done: tokio::sync::Notify,
}

/// How many delivery ids `listen` remembers for telling duplicates: the most recent
/// ones, from the store at start and then as they arrive. A long session with many
/// distinct ids keeps a window of them, not every id it ever saw.
pub const SEEN_WINDOW: usize = 100_000;

/// Attempts per delivery id, over the last [`SEEN_WINDOW`] distinct ids.
struct Seen {
    counts: HashMap<Arc<str>, u32>,
    order: VecDeque<Arc<str>>,
}

impl Seen {
    /// From ids already seen, oldest first (the first to leave the window).
    fn new(recent: Vec<(String, u32)>) -> Seen {
        let mut seen = Seen {
            counts: HashMap::with_capacity(recent.len()),
            order: VecDeque::with_capacity(recent.len()),
        };
        for (id, n) in recent {
            let id: Arc<str> = id.into();
            seen.order.push_back(Arc::clone(&id));
            seen.counts.insert(id, n);
        }
        seen.trim();
        seen
    }

    /// Counts one more attempt of `id`; which attempt this is.
    fn attempt(&mut self, id: &str) -> u32 {
        if let Some(n) = self.counts.get_mut(id) {
            *n += 1;
            return *n;
        }
        let id: Arc<str> = id.into();
        self.order.push_back(Arc::clone(&id));
        self.counts.insert(id, 1);
        self.trim();
        1
    }

    fn trim(&mut self) {
        while self.order.len() > SEEN_WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.counts.remove(&old);
            }
        }
    }
}

type Resp = hyper::Response<Full<Bytes>>;

fn json_response(status: u16, value: serde_json::Value) -> Resp {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .expect("a valid status and header")
}

impl Receiver {
    pub fn new(
        cfg: ReceiverConfig,
        writer: Option<BatchWriter>,
        client: HttpClient,
        seen: Vec<(String, u32)>,
        lines: tokio::sync::mpsc::UnboundedSender<DeliveryLine>,
    ) -> Receiver {
        Receiver {
            cfg,
            writer,
            client,
            seen: Mutex::new(Seen::new(seen)),
            seq: AtomicU64::new(0),
            lines,
            matched: AtomicBool::new(false),
            done: tokio::sync::Notify::new(),
        }
    }

    /// Stops the store writer, after everything queued is written.
    pub fn finish(self) -> Result<Option<u64>, crate::store::StoreError> {
        self.writer.map(BatchWriter::finish).transpose()
    }

    fn route_for(&self, event: Option<&str>) -> Option<&reqwest::Url> {
        event
            .and_then(|e| self.cfg.routes.iter().find(|r| glob_match(&r.glob, e)))
            .map(|r| &r.url)
            .or(self.cfg.forward.as_ref())
    }

    /// Handles one request; never fails (every problem is a response).
    pub async fn handle(&self, req: hyper::Request<hyper::body::Incoming>) -> Resp {
        let started = Instant::now();
        let time = now_rfc3339();
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let method = req.method().to_string();
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let mut line = DeliveryLine {
            seq,
            time,
            method: method.clone(),
            path: path.clone(),
            profile: None,
            event: None,
            delivery_id: None,
            valid: None,
            reason: String::new(),
            status: 0,
            latency_ms: 0.0,
            duplicate: false,
            attempt: 1,
            test: false,
            handshake: None,
            forwarded_to: None,
            forward_error: None,
            id: None,
            headers: None,
            body: None,
        };
        let base = self.cfg.base_path.trim_end_matches('/');
        let bare_path = req.uri().path();
        let under_base = bare_path
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if !under_base {
            return self.reject(
                line,
                started,
                404,
                format!("not under {}", self.cfg.base_path),
            );
        }
        let headers = super::header_list(req.headers());
        let declared = req
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.cfg.max_body) {
            return self.reject(
                line,
                started,
                413,
                format!("body over the {}-byte limit", self.cfg.max_body),
            );
        }
        let body = match tokio::time::timeout(
            self.cfg.body_timeout,
            Limited::new(req.into_body(), self.cfg.max_body).collect(),
        )
        .await
        {
            Ok(Ok(b)) => b.to_bytes(),
            Ok(Err(e))
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some() =>
            {
                return self.reject(
                    line,
                    started,
                    413,
                    format!("body over the {}-byte limit", self.cfg.max_body),
                );
            }
            Ok(Err(e)) => {
                return self.reject(line, started, 400, format!("could not read the body: {e}"));
            }
            Err(_) => {
                return self.reject(line, started, 408, "the body did not arrive in time".into());
            }
        };
        if self.cfg.verbose {
            line.headers = Some(
                headers
                    .iter()
                    .map(|(n, v)| [n.to_string(), v.to_string()])
                    .collect(),
            );
            line.body = Some(BodyJson::new(&body));
        }

        // Which profile, and is it genuine?
        let profile = if self.cfg.auto {
            detect_among(&self.cfg.profiles, &headers)
        } else {
            self.cfg.profiles.first()
        };
        let received = Received {
            method: &method,
            path: &path,
            headers: &headers,
            body: &body,
        };
        if let Some(p) = profile {
            line.profile = Some(p.name.clone());
            if p.signature.is_some() && !self.cfg.secrets.is_empty() {
                let opts = VerifyOptions {
                    secrets: &self.cfg.secrets,
                    now: now_unix(),
                    tolerance: self.cfg.tolerance,
                };
                match p.verify(&received, &opts) {
                    Ok(v) => {
                        line.valid = Some(v.valid);
                        line.reason = v.reason;
                        line.event = v.event;
                        line.delivery_id = v.id;
                    }
                    Err(e) => {
                        line.valid = Some(false);
                        line.reason = e.to_string();
                    }
                }
            } else {
                line.reason = if p.signature.is_none() {
                    "the profile signs nothing".into()
                } else {
                    "not checked: no secret given".into()
                };
            }
            if line.event.is_none() || line.delivery_id.is_none() {
                let (e, i) = p.body_event_and_id(&body);
                let from_header = p
                    .event_header()
                    .and_then(|h| headers.get(h))
                    .map(str::to_string);
                line.event = line.event.take().or(e).or(from_header);
                line.delivery_id = line.delivery_id.take().or(i);
            }
            if let Some(def) = line.event.as_deref().and_then(|e| p.events.get(e)) {
                line.test = def.test;
                if def.handshake {
                    let json = serde_json::from_slice(&body).ok();
                    let ctx = Ctx {
                        json: json.as_ref(),
                        ..Ctx::default()
                    };
                    line.handshake = Some(match &def.complete {
                        Some(t) => t
                            .render(&ctx)
                            .unwrap_or_else(|e| format!("(could not read the handshake: {e})")),
                        None => "answer it to complete the handshake".into(),
                    });
                }
            }
        } else {
            line.reason = "no profile fits the headers".into();
        }

        // Seen before?
        if let Some(id) = &line.delivery_id {
            let n = self.seen.lock().expect("seen lock").attempt(id);
            line.attempt = n;
            line.duplicate = n > 1;
        }

        // The answer.
        let s = &self.cfg.script;
        if let Some(d) = s.delay {
            tokio::time::sleep(d).await;
        }
        let mut response = if line.valid == Some(false) && !self.cfg.accept_invalid {
            json_response(
                401,
                serde_json::json!({"error": "invalid signature", "reason": line.reason}),
            )
        } else if line.attempt <= s.fail_first
            || (s.fail_rate > 0.0 && fastrand::f64() < s.fail_rate)
        {
            let mut r = json_response(
                s.fail_status,
                serde_json::json!({"error": "scripted failure (hookctl listen)"}),
            );
            if let Some(ra) = s.retry_after {
                r.headers_mut().insert("retry-after", ra.into());
            }
            r
        } else if let Some(url) = self.route_for(line.event.as_deref()).cloned() {
            self.forward(&mut line, &url, &method, &path, &headers, body.clone())
                .await
        } else {
            hyper::Response::builder()
                .status(s.status)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(b"{\"received\":true}")))
                .expect("a valid status")
        };
        line.status = response.status().as_u16();

        // Recorded before it is acknowledged.
        if let Some(w) = &self.writer {
            let rh = super::header_list(response.headers());
            let record = Recorded {
                direction: Direction::In,
                source: "listen",
                profile: line.profile.clone(),
                event: line.event.clone(),
                delivery_id: line.delivery_id.clone(),
                method: method.clone(),
                url: path.clone(),
                headers,
                body,
                valid: line.valid,
                reason: Some(line.reason.clone()).filter(|r| !r.is_empty()),
                duplicate: line.duplicate,
                state: if (200..300).contains(&line.status) {
                    State::Delivered
                } else {
                    State::Failed
                },
                attempts: vec![RecordedAttempt {
                    number: line.attempt,
                    started_at: line.time.clone(),
                    status: Some(line.status),
                    latency_ms: Some(started.elapsed().as_secs_f64() * 1e3),
                    error: line.forward_error.clone(),
                    response_headers: Some(rh),
                    response_body: Some(
                        response
                            .body()
                            .clone()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default(),
                    ),
                }],
            };
            match w.send_acked(record).await {
                Some(id) => line.id = Some(id),
                None => {
                    response = json_response(
                        503,
                        serde_json::json!({"error": "hookctl could not record the delivery"}),
                    );
                    line.status = 503;
                    line.reason = format!("{}; NOT RECORDED: the store failed", line.reason);
                }
            }
        }
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        let matched = self.cfg.wait_for.as_ref().is_some_and(|g| {
            line.valid == Some(true) && line.event.as_deref().is_some_and(|e| glob_match(g, e))
        });
        let _ = self.lines.send(line);
        if matched && !self.matched.swap(true, Ordering::SeqCst) {
            self.done.notify_one();
        }
        response
    }

    fn reject(
        &self,
        mut line: DeliveryLine,
        started: Instant,
        status: u16,
        reason: String,
    ) -> Resp {
        line.status = status;
        line.reason = reason.clone();
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        let _ = self.lines.send(line);
        json_response(status, serde_json::json!({"error": reason}))
    }

    /// Passes the request on, byte-exact, and returns the app's answer (502 when the
    /// app cannot be reached).
    async fn forward(
        &self,
        line: &mut DeliveryLine,
        base: &reqwest::Url,
        method: &str,
        path: &str,
        headers: &HeaderList,
        body: Bytes,
    ) -> Resp {
        let mut url = base.clone();
        let prefix = self.cfg.base_path.trim_end_matches('/');
        let (p, q) = path
            .split_once('?')
            .map_or((path, None), |(p, q)| (p, Some(q)));
        let suffix = p.strip_prefix(prefix).unwrap_or(p).trim_start_matches('/');
        if !suffix.is_empty() {
            let joined = format!("{}/{suffix}", url.path().trim_end_matches('/'));
            url.set_path(&joined);
        }
        if let Some(q) = q {
            url.set_query(Some(q));
        }
        line.forwarded_to = Some(url.to_string());
        let fwd: HeaderList = headers
            .iter()
            .filter(|(n, _)| !super::is_hop_by_hop(n))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        match self
            .client
            .send(method, &url, &fwd, body, self.cfg.forward_timeout)
            .await
        {
            Ok(sent) => {
                let mut b = hyper::Response::builder().status(sent.status);
                for (n, v) in sent.headers.iter() {
                    if !super::is_hop_by_hop(n) {
                        b = b.header(n, v);
                    }
                }
                b.body(Full::new(sent.body)).unwrap_or_else(|e| json_response(502, serde_json::json!({"error": format!("the app's answer could not be passed on: {e}")})))
            }
            Err(e) => {
                line.forward_error = Some(e.to_string());
                json_response(
                    502,
                    serde_json::json!({"error": "the app did not answer", "detail": e.to_string()}),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_told_over_a_window_of_recent_ids() {
        // From the store, oldest first.
        let mut seen = Seen::new(vec![("older".to_string(), 1), ("old".to_string(), 2)]);
        assert_eq!(seen.attempt("old"), 3);
        assert_eq!(seen.attempt("a"), 1);
        assert_eq!(seen.attempt("a"), 2);
        // Fill the window, then one more id pushes out the oldest; memory stays bounded.
        for i in 0..SEEN_WINDOW - 3 {
            seen.attempt(&format!("id-{i}"));
        }
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        seen.attempt("new");
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        assert_eq!(seen.order.len(), SEEN_WINDOW);
        assert_eq!(seen.attempt("old"), 4, "the newer id from the store stays");
        assert_eq!(seen.attempt("older"), 1, "the oldest id left the window");
        assert_eq!(seen.attempt(&format!("id-{}", SEEN_WINDOW - 4)), 2);
    }
}
