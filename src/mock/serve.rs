//! `mock --serve`: the provider's registration API (Hover's exactly as its docs say;
//! the minimal create call of X, Microsoft Graph and Slack; a generic one for every
//! profile) and the control endpoints of the virtual clock.

use super::engine::{Ctx, Grade, Step};
use crate::envelope::{GivenData, Secret};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// The largest request body the API reads.
const MAX_BODY: usize = 64 * 1024;
/// The most registrations kept.
const MAX_HOOKS: usize = 1000;

#[derive(Debug, Clone)]
struct Hook {
    id: u64,
    url: String,
    secret: String,
    code: String,
    created_at: String,
    updated_at: String,
    verified_at: Option<String>,
}

impl Hook {
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "owner_type": "Org",
            "owner_id": 492855,
            "url": self.url,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "verified_at": self.verified_at,
            "hmac_secret": self.secret,
            "last_error": null,
            "content_type": "json",
        })
    }
}

pub struct Server {
    pub ctx: Ctx,
    pub run_for: Option<Duration>,
    hooks: Mutex<Vec<Hook>>,
    next_id: AtomicU64,
    /// A play finished (for `--once`).
    done: mpsc::UnboundedSender<()>,
}

type Resp = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: Value) -> Resp {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

fn now_text() -> String {
    crate::store::now_rfc3339()
}

/// A fresh Hover-style secret: 64 random bytes in base64.
fn new_secret() -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..64).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn parse_url(text: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Server {
    pub fn new(ctx: Ctx, run_for: Option<Duration>) -> (Arc<Server>, mpsc::UnboundedReceiver<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Arc::new(Server {
                ctx,
                run_for,
                hooks: Mutex::new(Vec::new()),
                next_id: AtomicU64::new(12344),
                done: tx,
            }),
            rx,
        )
    }

    fn step(&self, name: &str, grade: Grade, reason: String) {
        self.ctx.report.push(Step {
            step: "registration",
            name: name.to_string(),
            grade,
            reason,
            at_secs: self.ctx.clock.now().as_secs_f64(),
            status: None,
            latency_ms: None,
        });
    }

    /// The context for one registration: its own secret (Hover's `hmac_secret`,
    /// Graph's `clientState`) and webhook id.
    fn ctx_for(&self, secret: Option<&str>, webhook_id: Option<u64>) -> Ctx {
        let mut ctx = self.ctx.clone();
        if let Some(s) = secret
            && let Ok(s) = Secret::new(s, "registration")
        {
            ctx.secrets = vec![s];
        }
        if let Some(id) = webhook_id {
            for (name, t) in ctx.profile.vars.iter_mut() {
                if name == "webhook_id"
                    && let Ok(v) = crate::envelope::template::JsonTemplate::compile(&json!(id))
                {
                    *t = v;
                }
            }
        }
        ctx
    }

    /// Sends the events to a URL that passed (in the background).
    fn play_later(self: &Arc<Self>, ctx: Ctx, url: reqwest::Url) {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(e) = ctx.play(&url, me.run_for, true).await {
                me.step("play", Grade::Fail, format!("{e:#}"));
            }
            let _ = me.done.send(());
        });
    }

    /// Hover: posts a fresh verification code to the hook's URL.
    fn send_code(self: &Arc<Self>, hook: &Hook) {
        let me = Arc::clone(self);
        let hook = hook.clone();
        tokio::spawn(async move {
            let Some(url) = parse_url(&hook.url) else {
                return;
            };
            let ctx = me.ctx_for(Some(&hook.secret), Some(hook.id));
            let data = GivenData::new(json!({"code": hook.code, "webhook_id": hook.id}));
            let ok = ctx
                .deliver(&url, "webhook-verification-code", Some(data))
                .await;
            if let Err(e) = ok {
                me.step("verification code", Grade::Fail, format!("{e:#}"));
            }
        });
    }

    pub async fn handle(
        self: Arc<Self>,
        req: Request<hyper::body::Incoming>,
    ) -> Result<Resp, std::convert::Infallible> {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let body = match http_body_util::Limited::new(req.into_body(), MAX_BODY)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return Ok(reply(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    json!({"error": format!("the body is over {MAX_BODY} bytes")}),
                ));
            }
        };
        let json_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let hover = self
            .ctx
            .profile
            .handshake
            .as_ref()
            .is_some_and(|h| h.confirm == Some(super::Confirm::Api));
        let name = self.ctx.profile.name.clone();
        Ok(match (method.as_str(), parts.as_slice()) {
            ("POST", ["_hookctl", "clock", "advance"]) => {
                let by = form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "by")
                    .map(|(_, v)| v.into_owned());
                match by.as_deref().map(crate::envelope::profile::parse_duration) {
                    Some(Ok(d)) => {
                        let now = self.ctx.clock.advance(d);
                        reply(StatusCode::OK, json!({"now_secs": now.as_secs_f64()}))
                    }
                    Some(Err(e)) => reply(StatusCode::BAD_REQUEST, json!({"error": e})),
                    None => reply(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "say how far: ?by=72h"}),
                    ),
                }
            }
            ("GET", ["_hookctl", "clock"]) => reply(
                StatusCode::OK,
                json!({"now_secs": self.ctx.clock.now().as_secs_f64()}),
            ),
            ("GET", ["_hookctl", "state"]) => {
                let hooks: Vec<Value> = self
                    .hooks
                    .lock()
                    .expect("hooks")
                    .iter()
                    .map(|h| json!({"id": h.id, "url": h.url, "verified": h.verified_at.is_some()}))
                    .collect();
                reply(
                    StatusCode::OK,
                    json!({"profile": name, "registrations": hooks, "steps": self.ctx.report.graded(), "failed": self.ctx.report.failed()}),
                )
            }
            ("POST", ["_hookctl", "registrations"]) => {
                let url = json_body.get("url").and_then(Value::as_str).unwrap_or("");
                self.register_sync(url, None).await
            }
            // Hover, as its docs say.
            ("POST", ["api", "v2", "webhooks"]) if hover => {
                // JSON, or the form parameters a Rails API also takes (`webhook[url]=…`).
                let form_url = form_urlencoded::parse(&body)
                    .chain(form_urlencoded::parse(query.as_bytes()))
                    .find(|(k, _)| k == "webhook[url]")
                    .map(|(_, v)| v.into_owned());
                let url = json_body
                    .pointer("/webhook/url")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or(form_url)
                    .unwrap_or_default();
                let url = url.as_str();
                if parse_url(url).is_none() {
                    return Ok(reply(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        json!({"errors": {"url": ["is not a valid http(s) URL"]}}),
                    ));
                }
                let mut hooks = self.hooks.lock().expect("hooks");
                if hooks.len() >= MAX_HOOKS {
                    return Ok(reply(
                        StatusCode::TOO_MANY_REQUESTS,
                        json!({"error": "too many webhooks"}),
                    ));
                }
                let now = now_text();
                let hook = Hook {
                    id: self.next_id.fetch_add(1, Ordering::Relaxed),
                    url: url.to_string(),
                    secret: self
                        .ctx
                        .secrets
                        .first()
                        .map(|s| s.expose().to_string())
                        .unwrap_or_else(new_secret),
                    code: uuid::Uuid::new_v4().to_string(),
                    created_at: now.clone(),
                    updated_at: now,
                    verified_at: None,
                };
                hooks.push(hook.clone());
                drop(hooks);
                self.step(
                    &format!("webhook {}", hook.id),
                    Grade::Info,
                    format!(
                        "registered {}; posting its verification code",
                        crate::show::escape(url)
                    ),
                );
                self.send_code(&hook);
                reply(StatusCode::CREATED, hook.json())
            }
            ("GET", ["api", "v2", "webhooks"]) if hover => {
                let list: Vec<Value> = self
                    .hooks
                    .lock()
                    .expect("hooks")
                    .iter()
                    .map(Hook::json)
                    .collect();
                reply(StatusCode::OK, Value::Array(list))
            }
            ("PUT", ["api", "v2", "webhooks", code, "verify"]) if hover => {
                let mut hooks = self.hooks.lock().expect("hooks");
                let Some(hook) = hooks.iter_mut().find(|h| h.code == *code) else {
                    drop(hooks);
                    self.step(
                        "verify",
                        Grade::Info,
                        "PUT with an unknown code: 404".into(),
                    );
                    return Ok(reply(
                        StatusCode::NOT_FOUND,
                        json!({"error": "no webhook has this verification code"}),
                    ));
                };
                let first = hook.verified_at.is_none();
                let now = now_text();
                hook.verified_at.get_or_insert(now.clone());
                hook.updated_at = now;
                let hook = hook.clone();
                drop(hooks);
                if first {
                    self.step(
                        &format!("webhook {}", hook.id),
                        Grade::Pass,
                        "verified with its code; events may be sent now".into(),
                    );
                    if let Some(url) = parse_url(&hook.url) {
                        self.play_later(self.ctx_for(Some(&hook.secret), Some(hook.id)), url);
                    }
                }
                reply(StatusCode::OK, hook.json())
            }
            ("POST", ["api", "v2", "webhooks", id, "request_verification"]) if hover => {
                let mut hooks = self.hooks.lock().expect("hooks");
                let Some(hook) = hooks.iter_mut().find(|h| h.id.to_string() == *id) else {
                    return Ok(reply(
                        StatusCode::NOT_FOUND,
                        json!({"error": "no such webhook"}),
                    ));
                };
                hook.code = uuid::Uuid::new_v4().to_string();
                hook.updated_at = now_text();
                let hook = hook.clone();
                drop(hooks);
                self.send_code(&hook);
                reply(StatusCode::OK, hook.json())
            }
            ("DELETE", ["api", "v2", "webhooks", id]) if hover => {
                self.hooks
                    .lock()
                    .expect("hooks")
                    .retain(|h| h.id.to_string() != *id);
                reply(StatusCode::NO_CONTENT, Value::Null)
            }
            // X: registering a webhook runs the CRC check while the call is in flight.
            ("POST", ["2", "webhooks"]) if name == "twitter" => {
                let url = json_body.get("url").and_then(Value::as_str).unwrap_or("");
                if let Some(u) = parse_url(url)
                    && (u.scheme() != "https" || u.port().is_some())
                {
                    self.step("X URL", Grade::Info, "X requires an https URL without a port; in production this one would be refused".into());
                }
                self.register_sync(url, None).await
            }
            // Microsoft Graph: the validation runs while POST /subscriptions is in flight.
            ("POST", ["subscriptions"] | ["v1.0", "subscriptions"]) if name == "msgraph" => {
                let url = json_body
                    .get("notificationUrl")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let state = json_body
                    .get("clientState")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                self.register_sync(&url, state.as_deref()).await
            }
            // Slack: saving a Request URL in the app's manifest sends url_verification.
            ("POST", ["api", "apps.manifest.update"]) if name == "slack" => {
                let url = json_body
                    .pointer("/manifest/settings/event_subscriptions/request_url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                self.register_sync(url, None).await
            }
            // Asana: the handshake runs while POST /webhooks is in flight.
            ("POST", ["api", "1.0", "webhooks"]) if name == "asana" => {
                let url = json_body
                    .pointer("/data/target")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                self.register_sync(url, None).await
            }
            // Twitch: 202 at once, the verification follows.
            ("POST", ["helix", "eventsub", "subscriptions"]) if name == "twitch" => {
                let url = json_body
                    .pointer("/transport/callback")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let secret = json_body
                    .pointer("/transport/secret")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let Some(target) = parse_url(&url) else {
                    return Ok(reply(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "Bad Request", "status": 400, "message": "invalid transport.callback"}),
                    ));
                };
                let ctx = self.ctx_for(secret.as_deref(), None);
                let me = Arc::clone(&self);
                tokio::spawn(async move {
                    if let Err(e) = ctx.play(&target, me.run_for, false).await {
                        me.step("play", Grade::Fail, format!("{e:#}"));
                    }
                    let _ = me.done.send(());
                });
                let kind = json_body.get("type").cloned().unwrap_or(Value::Null);
                reply(
                    StatusCode::ACCEPTED,
                    json!({"data": [{"id": uuid::Uuid::new_v4().to_string(), "status": "webhook_callback_verification_pending", "type": kind, "version": json_body.get("version"), "condition": json_body.get("condition"), "transport": {"method": "webhook", "callback": url}, "created_at": now_text(), "cost": 1}], "total": 1, "total_cost": 1, "max_total_cost": 10000}),
                )
            }
            _ => reply(
                StatusCode::NOT_FOUND,
                json!({"error": format!("no route {method} {path} for the {name} mock")}),
            ),
        })
    }

    /// Runs the handshake while the registration call waits (as X, Graph, Slack and
    /// Asana do), answers in the provider's shape, then sends the events.
    async fn register_sync(self: &Arc<Self>, url: &str, secret: Option<&str>) -> Resp {
        let Some(target) = parse_url(url) else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "the URL is not a valid http(s) URL"}),
            );
        };
        let ctx = self.ctx_for(secret, None);
        let passed = match ctx.handshake(&target, "handshake").await {
            Ok(p) => p,
            Err(e) => {
                return reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": format!("{e:#}")}),
                );
            }
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let name = self.ctx.profile.name.as_str();
        if passed {
            self.play_later(ctx, target);
        } else {
            let _ = self.done.send(());
        }
        match (name, passed) {
            ("twitter", true) => reply(
                StatusCode::OK,
                json!({"data": {"id": id.to_string(), "url": url, "valid": true, "created_at": now_text()}}),
            ),
            ("twitter", false) => reply(
                StatusCode::BAD_REQUEST,
                json!({"errors": [{"message": "CRC validation failed", "url": url}]}),
            ),
            ("msgraph", true) => reply(
                StatusCode::CREATED,
                json!({"id": uuid::Uuid::new_v4().to_string(), "notificationUrl": url, "clientState": secret, "expirationDateTime": null}),
            ),
            ("msgraph", false) => reply(
                StatusCode::BAD_REQUEST,
                json!({"error": {"code": "ValidationError", "message": "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request."}}),
            ),
            ("slack", true) => reply(StatusCode::OK, json!({"ok": true})),
            ("asana", true) => reply(
                StatusCode::CREATED,
                json!({"data": {"gid": id.to_string(), "resource_type": "webhook", "active": true, "target": url}}),
            ),
            ("asana", false) => reply(
                StatusCode::BAD_REQUEST,
                json!({"errors": [{"message": "The remote server did not respond with the handshake secret."}]}),
            ),
            ("slack", false) => reply(
                StatusCode::OK,
                json!({"ok": false, "error": "invalid_manifest", "errors": [{"message": "request_url failed verification", "pointer": "/settings/event_subscriptions/request_url"}]}),
            ),
            (_, p) => reply(
                if p {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                },
                json!({"id": id, "url": url, "verified": p}),
            ),
        }
    }
}

/// Serves until `stop` resolves.
pub async fn serve(
    server: Arc<Server>,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    let slots = Arc::new(tokio::sync::Semaphore::new(64));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut stop => return,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            let _permit = permit;
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper::service::service_fn(move |req| Arc::clone(&server).handle(req));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(io, service)
                .await;
        });
    }
}
