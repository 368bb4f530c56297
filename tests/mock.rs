//! `hookctl mock`: the real binary plays each provider against a reference app
//! written here (correct, or with one mistake), on loopback.

mod support;

use hookctl::envelope::secret::SecretKind;
use hookctl::envelope::{Catalog, HeaderList, Received, Secret, VerifyOptions};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use support::{hookctl, json_lines, stderr};

const SECRET: &str = "mock-test-secret-0123456789";

/// One mistake the reference app makes on purpose.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mistake {
    None,
    /// Answers the handshake after this long.
    Late(u64),
    /// Answers the handshake with this status.
    Status(u16),
    /// Zoom: the SHA-256 of the token instead of its HMAC.
    Sha256,
    /// Graph: the token as it came in the query string.
    Encoded,
    /// Dropbox: no `X-Content-Type-Options: nosniff`.
    NoNosniff,
    /// Dropbox: JSON content type.
    JsonContentType,
    /// Redirects the handshake elsewhere.
    Redirect,
    /// Accepts requests whose signature is wrong.
    AcceptsBadSignature,
    /// Events get a 500.
    EventsFail,
    /// Events get a 500 with `X-Slack-No-Retry: 1`.
    EventsFailNoRetry,
    /// X: the CRC answer in hex, not base64.
    HexCrc,
    /// Meta: echoes a wrong value.
    WrongEcho,
    /// Meta: does not check the verify token.
    AnyToken,
}

#[derive(Clone)]
struct App {
    profile: &'static str,
    mistake: Mistake,
    /// Discord: the public key (hex) to verify with.
    public_key: Option<String>,
}

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, n: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    }
    fn query(&self, name: &str) -> Option<String> {
        let q = self.path.split_once('?')?.1;
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
    fn raw_query(&self, name: &str) -> Option<String> {
        let q = self.path.split_once('?')?.1;
        q.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_string))
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

fn resp(status: u16, ct: &str, body: impl Into<Vec<u8>>) -> Resp {
    Resp {
        status,
        headers: vec![("Content-Type".into(), ct.into())],
        body: body.into(),
        delay: Duration::ZERO,
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    hookctl::mock::hmac256(key, msg)
}

fn b64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

impl App {
    fn verifies(&self, r: &Req) -> bool {
        let p = Catalog::builtin().get(self.profile).unwrap();
        if p.signature.is_none() {
            return true;
        }
        let headers: HeaderList = r.headers.iter().cloned().collect();
        let secret = match &self.public_key {
            Some(k) => {
                Secret::key_text(k.clone(), "test".to_string(), SecretKind::PublicKey).unwrap()
            }
            None => Secret::new(SECRET, "test").unwrap(),
        };
        let v = p.verify(
            &Received {
                method: &r.method,
                path: &r.path,
                headers: &headers,
                body: &r.body,
            },
            &VerifyOptions {
                secrets: &[secret],
                now: hookctl::settings::now_unix(),
                tolerance: None,
            },
        );
        v.map(|v| v.valid).unwrap_or(false)
    }

    /// The handshake's answer, or None for an ordinary delivery.
    fn handshake(&self, r: &Req) -> Option<Resp> {
        let m = self.mistake;
        let j = r.json();
        let text = |s: String| resp(200, "text/plain; charset=utf-8", s);
        Some(match self.profile {
            "slack" if j["type"] == "url_verification" => {
                text(j["challenge"].as_str().unwrap().to_string())
            }
            "zoom" if j["event"] == "endpoint.url_validation" => {
                let t = j["payload"]["plainToken"].as_str().unwrap();
                let enc = if m == Mistake::Sha256 {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(t.as_bytes()))
                } else {
                    hex::encode(hmac(SECRET.as_bytes(), t.as_bytes()))
                };
                resp(
                    200,
                    "application/json",
                    json!({"plainToken": t, "encryptedToken": enc}).to_string(),
                )
            }
            "twitter" if r.query("crc_token").is_some() => {
                let mac = hmac(SECRET.as_bytes(), r.query("crc_token").unwrap().as_bytes());
                let token = if m == Mistake::HexCrc {
                    format!("sha256={}", hex::encode(mac))
                } else {
                    format!("sha256={}", b64(&mac))
                };
                resp(
                    200,
                    "application/json",
                    json!({"response_token": token}).to_string(),
                )
            }
            "msgraph" if r.query("validationToken").is_some() => {
                if m == Mistake::Encoded {
                    text(r.raw_query("validationToken").unwrap())
                } else {
                    text(r.query("validationToken").unwrap())
                }
            }
            "dropbox" if r.query("challenge").is_some() => {
                let c = r.query("challenge").unwrap();
                let mut a = resp(
                    200,
                    if m == Mistake::JsonContentType {
                        "application/json"
                    } else {
                        "text/plain"
                    },
                    c,
                );
                if m != Mistake::NoNosniff {
                    a.headers
                        .push(("X-Content-Type-Options".into(), "nosniff".into()));
                }
                a
            }
            "meta" if r.query("hub.mode").is_some() => {
                if m != Mistake::AnyToken
                    && r.query("hub.verify_token").as_deref() != Some("app-verify-token")
                {
                    return Some(resp(403, "text/plain", "bad token"));
                }
                let c = r.query("hub.challenge").unwrap();
                text(if m == Mistake::WrongEcho {
                    format!("{c}0")
                } else {
                    c
                })
            }
            "twitch"
                if r.header("Twitch-Eventsub-Message-Type")
                    == Some("webhook_callback_verification") =>
            {
                if !self.verifies(r) {
                    return Some(resp(403, "text/plain", ""));
                }
                text(j["challenge"].as_str().unwrap().to_string())
            }
            "asana" if r.header("X-Hook-Secret").is_some() => {
                let mut a = resp(200, "text/plain", "");
                a.headers.push((
                    "X-Hook-Secret".into(),
                    r.header("X-Hook-Secret").unwrap().into(),
                ));
                a
            }
            "okta" if r.header("X-Okta-Verification-Challenge").is_some() => resp(
                200,
                "application/json",
                json!({"verification": r.header("X-Okta-Verification-Challenge").unwrap()})
                    .to_string(),
            ),
            "discord" if j["type"] == 1 => {
                if m != Mistake::AcceptsBadSignature && !self.verifies(r) {
                    return Some(resp(401, "text/plain", "invalid request signature"));
                }
                resp(200, "application/json", r#"{"type":1}"#)
            }
            "xero" if j["events"] == json!([]) => {
                if m != Mistake::AcceptsBadSignature && !self.verifies(r) {
                    return Some(resp(401, "text/plain", ""));
                }
                resp(200, "text/plain", "")
            }
            "notion" if j.get("verification_token").is_some() => resp(200, "text/plain", ""),
            _ => return None,
        })
    }

    fn answer(&self, r: &Req) -> Resp {
        if let Some(mut a) = self.handshake(r) {
            match self.mistake {
                Mistake::Late(ms) => a.delay = Duration::from_millis(ms),
                Mistake::Status(s) => a.status = s,
                Mistake::Redirect => {
                    a.status = 302;
                    a.headers.push(("Location".into(), "/elsewhere".into()));
                }
                _ => {}
            }
            return a;
        }
        if self.profile == "hover" {
            return resp(200, "text/plain", "ok");
        }
        if self.mistake != Mistake::AcceptsBadSignature && !self.verifies(r) {
            return resp(401, "text/plain", "bad signature");
        }
        if self.mistake == Mistake::EventsFail {
            return resp(500, "text/plain", "down");
        }
        if self.mistake == Mistake::EventsFailNoRetry {
            let mut a = resp(500, "text/plain", "down");
            a.headers.push(("X-Slack-No-Retry".into(), "1".into()));
            return a;
        }
        if self.profile == "msgraph" {
            let ok = r.json()["value"][0]["clientState"] == SECRET;
            return resp(if ok { 202 } else { 403 }, "text/plain", "");
        }
        resp(200, "text/plain", "ok")
    }
}

/// The reference app on 127.0.0.1:0; every request it read is sent on the channel.
fn start(app: App) -> (String, mpsc::Receiver<Req>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    let app = Arc::new(app);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let app = Arc::clone(&app);
            let tx = tx.clone();
            std::thread::spawn(move || serve_conn(stream, &app, &tx));
        }
    });
    (url, rx)
}

fn serve_conn(stream: TcpStream, app: &App, tx: &mpsc::Sender<Req>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let req = Req {
        method,
        path,
        headers,
        body,
    };
    let a = app.answer(&req);
    let _ = tx.send(req);
    if !a.delay.is_zero() {
        std::thread::sleep(a.delay);
    }
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        a.status,
        a.body.len()
    );
    for (n, v) in &a.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&a.body);
}

/// Runs `hookctl --json mock PROFILE --to URL ARGS…`; the steps and exit code.
fn mock(profile: &'static str, mistake: Mistake, args: &[&str]) -> (Vec<Value>, i32, String) {
    let (lines, code, err, _) = mock_rx(profile, mistake, args);
    (lines, code, err)
}

/// [`mock`], and what the app received.
fn mock_rx(
    profile: &'static str,
    mistake: Mistake,
    args: &[&str],
) -> (Vec<Value>, i32, String, Vec<Req>) {
    let dir = tempfile::tempdir().unwrap();
    let mut public_key = None;
    let mut extra: Vec<String> = Vec::new();
    if profile == "discord" {
        let o = hookctl(dir.path())
            .args(["keygen", "-p", "discord"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        public_key = Some(
            std::fs::read_to_string(dir.path().join("discord.pub"))
                .unwrap()
                .trim()
                .to_string(),
        );
        extra.extend(["--private-key".into(), "discord.key".into()]);
    } else {
        extra.extend(["--secret".into(), SECRET.into()]);
    }
    if profile == "meta" && !args.contains(&"--verify-token") {
        extra.extend(["--verify-token".into(), "app-verify-token".into()]);
    }
    let (url, rx) = start(App {
        profile,
        mistake,
        public_key,
    });
    let o = hookctl(dir.path())
        .timeout(Duration::from_secs(60))
        .args(["--json", "mock", profile, "--to", &url])
        .args(&extra)
        .args(args)
        .output()
        .unwrap();
    let lines = json_lines(&o);
    (
        lines,
        o.status.code().unwrap_or(-1),
        stderr(&o),
        rx.try_iter().collect(),
    )
}

fn graded(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["type"] == "step" && l["data"]["grade"] != "info")
        .collect()
}

fn failures(lines: &[Value]) -> Vec<String> {
    graded(lines)
        .into_iter()
        .filter(|l| l["data"]["grade"] == "fail")
        .map(|l| l["data"]["reason"].as_str().unwrap().to_string())
        .collect()
}

const ALL: &[&str] = &[
    "slack", "zoom", "twitter", "msgraph", "dropbox", "meta", "twitch", "asana", "okta", "discord",
    "xero", "notion",
];

#[test]
fn a_correct_app_passes_every_provider() {
    for p in ALL {
        let (lines, code, err) = mock(p, Mistake::None, &["--probe-signature"]);
        assert_eq!(failures(&lines), Vec::<String>::new(), "{p}: {err}");
        assert_eq!(code, 0, "{p}: {err}");
        let steps = graded(&lines);
        assert!(
            steps.iter().any(|s| s["data"]["step"] == "handshake"),
            "{p}: no handshake step in {lines:?}"
        );
        assert!(
            steps.iter().any(|s| s["data"]["step"] == "event"),
            "{p}: no event step"
        );
    }
}

/// Each wrong reply fails with its own reason, and exits 1.
#[test]
fn each_wrong_reply_fails_with_its_own_reason() {
    let cases: &[(&str, Mistake, &str)] = &[
        ("slack", Mistake::Late(3400), "Slack gives up at 3s"),
        (
            "slack",
            Mistake::Status(500),
            "answered 500; Slack needs 200",
        ),
        ("zoom", Mistake::Sha256, "you sent the SHA-256 of the token"),
        (
            "msgraph",
            Mistake::Encoded,
            "Graph wants the URL-decoded token",
        ),
        (
            "dropbox",
            Mistake::NoNosniff,
            "needs `X-Content-Type-Options: nosniff`",
        ),
        (
            "dropbox",
            Mistake::JsonContentType,
            "needs `Content-Type: text/plain`",
        ),
        (
            "twitch",
            Mistake::Redirect,
            "Twitch does not follow redirects",
        ),
        (
            "discord",
            Mistake::AcceptsBadSignature,
            "accepted a delivery with an invalid signature",
        ),
        (
            "xero",
            Mistake::AcceptsBadSignature,
            "accepted a delivery with an invalid signature",
        ),
        (
            "twitter",
            Mistake::HexCrc,
            "wrong encoding: X wants it in base64, not hex",
        ),
        ("meta", Mistake::WrongEcho, "Meta wants"),
        (
            "meta",
            Mistake::AnyToken,
            "answered 200 to a wrong verify token; Meta wants 403",
        ),
        ("okta", Mistake::Status(204), "answered 204; Okta needs 200"),
    ];
    for (p, m, reason) in cases {
        let (lines, code, err) = mock(p, *m, &[]);
        let f = failures(&lines);
        assert_eq!(code, 1, "{p} {m:?}: {err}");
        assert!(
            f.iter().any(|r| r.contains(reason)),
            "{p} {m:?}: want a failure saying {reason:?}, got {f:?}"
        );
    }
}

/// Slack follows up to 2 redirects; more is `too_many_redirects`. A failed handshake
/// sends no events.
#[test]
fn a_failed_handshake_stops_events() {
    let (lines, code, _) = mock("twitch", Mistake::Redirect, &[]);
    assert_eq!(code, 1);
    assert!(!lines.iter().any(|l| l["data"]["step"] == "event"));
    assert!(lines.iter().any(|l| {
        l["data"]["step"] == "provider"
            && l["data"]["reason"]
                .as_str()
                .unwrap()
                .contains("webhook_callback_verification_failed")
    }));
}

/// Retries happen at the provider's times on the virtual clock: Slack's ~1 s, 1 min,
/// 5 min, with X-Slack-Retry-Num; Zoom's 5, 20 and 60 minutes.
#[test]
fn retry_timings_on_the_virtual_clock() {
    let (lines, code, err) = mock(
        "slack",
        Mistake::EventsFail,
        &["--event", "message", "--speed", "200"],
    );
    assert_eq!(code, 1, "{err}");
    let at: Vec<f64> = lines
        .iter()
        .filter(|l| l["data"]["step"] == "attempt")
        .map(|l| l["data"]["at_secs"].as_f64().unwrap())
        .collect();
    assert_eq!(at.len(), 4, "{lines:?}");
    for (got, want) in at.iter().zip([0.0, 1.0, 61.0, 361.0]) {
        assert!(
            *got >= want && *got < want + 20.0,
            "attempt at {got}, want {want}: {at:?}"
        );
    }
    let last = failures(&lines).pop().unwrap();
    assert!(
        last.contains("not delivered") && last.contains("no retries left after 4 attempts"),
        "{last}"
    );

    let (lines, _, err) = mock(
        "zoom",
        Mistake::EventsFail,
        &["--event", "meeting.started", "--speed", "2000"],
    );
    let at: Vec<f64> = lines
        .iter()
        .filter(|l| l["data"]["step"] == "attempt")
        .map(|l| l["data"]["at_secs"].as_f64().unwrap())
        .collect();
    assert_eq!(at.len(), 4, "{err}");
    for (got, want) in at.iter().zip([0.0, 300.0, 1500.0, 5100.0]) {
        assert!(
            *got >= want && *got < want + 60.0,
            "attempt at {got}, want {want}: {at:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l["data"]["reason"] == "Zoom retries meeting.started in 20m (5xx retries)"),
        "{lines:?}"
    );
}

/// `--for` keeps the provider re-validating on the virtual clock: X's CRC every hour.
#[test]
fn revalidation_on_the_virtual_clock() {
    let (lines, code, err) = mock(
        "twitter",
        Mistake::None,
        &[
            "--event",
            "tweet_create_events",
            "--speed",
            "3600",
            "--for",
            "3h",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let at: Vec<f64> = lines
        .iter()
        .filter(|l| l["data"]["step"] == "revalidation")
        .map(|l| l["data"]["at_secs"].as_f64().unwrap())
        .collect();
    assert_eq!(at.len(), 3, "{lines:?}");
    for (got, want) in at.iter().zip([3600.0, 7200.0, 10800.0]) {
        assert!(*got >= want && *got < want + 120.0, "{at:?}");
    }
}

fn call(addr: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let a = support::listener::raw(addr, req.as_bytes());
    (
        a.status,
        serde_json::from_slice(&a.body).unwrap_or(Value::Null),
    )
}

/// Hover, exactly as its docs say: register, get the code at the URL, nothing else
/// until the code comes back with PUT …/verify; a new code on request; then events
/// signed with the webhook's hmac_secret.
#[test]
fn hover_registration_flow_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (url, rx) = start(App {
        profile: "hover",
        mistake: Mistake::None,
        public_key: None,
    });
    let mut mock = support::listener::Listener::spawn(
        dir.path(),
        &[],
        &["mock", "hover", "--serve", "127.0.0.1:0", "--once"],
        &[],
    );
    let addr = mock.addr.clone();
    let (status, hook) = call(
        &addr,
        "POST",
        "/api/v2/webhooks",
        &json!({"webhook": {"url": url, "content_type": "json"}}).to_string(),
    );
    assert_eq!(status, 201, "{hook}");
    for k in [
        "id",
        "owner_type",
        "owner_id",
        "url",
        "created_at",
        "updated_at",
        "verified_at",
        "hmac_secret",
        "last_error",
        "content_type",
    ] {
        assert!(hook.get(k).is_some(), "no {k} in {hook}");
    }
    assert_eq!(hook["verified_at"], Value::Null);
    assert_eq!(hook["url"], url.as_str());
    let id = hook["id"].as_u64().unwrap();
    let secret = hook["hmac_secret"].as_str().unwrap().to_string();
    let wait = Duration::from_secs(10);
    let first = rx.recv_timeout(wait).expect("the verification code");
    let j = first.json();
    assert_eq!(j["event"], "webhook-verification-code");
    assert_eq!(j["webhook_id"], id);
    let code = j["code"].as_str().unwrap().to_string();
    // A wrong code is refused, and nothing else arrives before verification.
    let (status, _) = call(&addr, "PUT", "/api/v2/webhooks/not-the-code/verify", "");
    assert_eq!(status, 404);
    // A new code on request; the old one no longer verifies.
    let (status, _) = call(
        &addr,
        "POST",
        &format!("/api/v2/webhooks/{id}/request_verification"),
        "",
    );
    assert_eq!(status, 200);
    let second = rx.recv_timeout(wait).expect("a new code");
    let new_code = second.json()["code"].as_str().unwrap().to_string();
    assert_ne!(new_code, code);
    assert_eq!(
        call(&addr, "PUT", &format!("/api/v2/webhooks/{code}/verify"), "").0,
        404
    );
    assert!(rx.try_recv().is_err(), "an event before verification");
    let (status, verified) = call(
        &addr,
        "PUT",
        &format!("/api/v2/webhooks/{new_code}/verify"),
        "",
    );
    assert_eq!(status, 200);
    assert!(verified["verified_at"].is_string(), "{verified}");
    let event = rx.recv_timeout(wait).expect("an event after verification");
    assert_eq!(event.json()["event"], "job-state-changed");
    // Signed with the webhook's own secret, the webhook id in the Authorization header.
    let c = support::server::Captured {
        method: event.method.clone(),
        path: event.path.clone(),
        headers: event.headers.clone(),
        body: event.body.clone(),
        raw_head: Vec::new(),
    };
    assert!(support::server::verifies("hover", &secret, &c));
    assert!(
        event
            .header("Authorization")
            .unwrap()
            .starts_with(&format!("APIAuth {id}:"))
    );
    assert_eq!(
        mock.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        mock.stderr()
    );
}

/// The clock's control endpoint moves time: Zoom's 72 h re-validation comes at once.
#[test]
fn the_control_endpoint_advances_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _rx) = start(App {
        profile: "zoom",
        mistake: Mistake::None,
        public_key: None,
    });
    let mock = support::listener::Listener::spawn(
        dir.path(),
        &[],
        &[
            "mock",
            "zoom",
            "--to",
            &url,
            "--secret",
            SECRET,
            "--event",
            "meeting.started",
            "--serve",
            "127.0.0.1:0",
            "--for",
            "144h",
        ],
        &[],
    );
    let addr = mock.addr.clone();
    mock.wait_line(|l| l["data"]["step"] == "event")
        .expect("the event");
    let (status, now) = call(&addr, "POST", "/_hookctl/clock/advance?by=72h", "");
    assert_eq!(status, 200);
    assert!(now["now_secs"].as_f64().unwrap() >= 72.0 * 3600.0);
    let r = mock
        .wait_line(|l| l["data"]["step"] == "revalidation")
        .expect("a re-validation");
    assert_eq!(r["data"]["grade"], "pass", "{r}");
    assert!(r["data"]["at_secs"].as_f64().unwrap() >= 72.0 * 3600.0);
    assert_eq!(
        call(&addr, "POST", "/_hookctl/clock/advance?by=soon", "").0,
        400
    );
}

/// The research note's known-answer vectors (computed independently with openssl).
#[test]
fn known_answer_vectors() {
    let x = Catalog::builtin().get("twitter").unwrap();
    let h = x.handshake.as_ref().unwrap();
    assert_eq!(
        hookctl::mock::answer_for(
            h,
            "9b4507b3-9040-4669-9ca3-6b94edb50553",
            b"z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
        ),
        "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="
    );
    let zoom = Catalog::builtin().get("zoom").unwrap();
    assert_eq!(
        hookctl::mock::answer_for(
            zoom.handshake.as_ref().unwrap(),
            "qgg8vlvZRS6UYooatFL8Aw",
            b"ZOOM_SECRET_TOKEN_EXAMPLE"
        ),
        "e74233cbac8d66a9ad5c742f0bbf14d736246d5e7240520000f2a7e4ffbd5beb"
    );
    // Dropbox signs the body with the app secret, hex, no timestamp.
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, br#"{"delta": {"users": [12345]}}"#).unwrap();
    let o = hookctl(dir.path())
        .args(["sign", "-p", "dropbox", "--secret", "the_secret", "--body"])
        .arg(&body)
        .output()
        .unwrap();
    assert!(
        support::stdout(&o)
            .contains("0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529"),
        "{}{}",
        support::stdout(&o),
        stderr(&o)
    );
}

/// X, Microsoft Graph and Slack: the create call runs the handshake while it is in
/// flight and answers in the provider's shape; a failing app gets the provider's error.
#[test]
fn provider_shaped_create_calls() {
    type Case = (&'static str, &'static str, fn(&str) -> Value, u16, u16);
    let cases: &[Case] = &[
        ("twitter", "/2/webhooks", |u| json!({"url": u}), 200, 400),
        (
            "msgraph",
            "/v1.0/subscriptions",
            |u| json!({"changeType": "created", "notificationUrl": u, "resource": "me/messages", "clientState": SECRET}),
            201,
            400,
        ),
        (
            "slack",
            "/api/apps.manifest.update",
            |u| json!({"manifest": {"settings": {"event_subscriptions": {"request_url": u}}}}),
            200,
            200,
        ),
        (
            "asana",
            "/api/1.0/webhooks",
            |u| json!({"data": {"resource": "12345", "target": u}}),
            201,
            400,
        ),
    ];
    for (p, path, body, ok, bad) in cases {
        for mistake in [Mistake::None, Mistake::Status(500)] {
            let dir = tempfile::tempdir().unwrap();
            let (url, rx) = start(App {
                profile: p,
                mistake,
                public_key: None,
            });
            let mut mock = support::listener::Listener::spawn(
                dir.path(),
                &[],
                &[
                    "mock",
                    p,
                    "--serve",
                    "127.0.0.1:0",
                    "--once",
                    "--secret",
                    SECRET,
                ],
                &[],
            );
            let (status, answer) = call(&mock.addr.clone(), "POST", path, &body(&url).to_string());
            let first = rx
                .recv_timeout(Duration::from_secs(5))
                .expect("the handshake");
            if mistake == Mistake::None {
                assert_eq!(status, *ok, "{p}: {answer}");
                assert_ne!(answer["ok"], false, "{p}: {answer}");
                let event = rx.recv_timeout(Duration::from_secs(10)).expect("an event");
                assert_ne!(event.body, first.body);
                assert_eq!(
                    mock.wait_exit(Duration::from_secs(20)),
                    Some(0),
                    "{p}: {}",
                    mock.stderr()
                );
            } else {
                assert_eq!(status, *bad, "{p}: {answer}");
                if *p == "slack" {
                    assert_eq!(answer["ok"], false);
                }
                assert_eq!(
                    mock.wait_exit(Duration::from_secs(20)),
                    Some(1),
                    "{p}: {}",
                    mock.stderr()
                );
            }
        }
    }
}

/// Through the relay: the handshake and the events travel relay → `listen --relay` →
/// the app, and back, within Slack's deadline.
#[test]
fn slack_through_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let relay = support::listener::Listener::spawn(
        dir.path(),
        &["--no-store"],
        &["relay", "--bind", "127.0.0.1:0"],
        &[],
    );
    let (app, _rx) = start(App {
        profile: "slack",
        mistake: Mistake::None,
        public_key: None,
    });
    let client = support::listener::Listener::spawn(
        dir.path(),
        &["--no-store"],
        &[
            "listen",
            "--relay",
            &relay.url,
            "--channel",
            "slackapp",
            "--forward-to",
            &app,
        ],
        &[],
    );
    let public = client.listening["data"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let o = hookctl(dir.path())
        .args([
            "--json",
            "mock",
            "slack",
            "--to",
            &format!("{public}/slack/events"),
            "--secret",
            SECRET,
        ])
        .output()
        .unwrap();
    let lines = json_lines(&o);
    assert_eq!(failures(&lines), Vec::<String>::new(), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
    assert!(
        graded(&lines)
            .iter()
            .any(|s| s["data"]["step"] == "handshake" && s["data"]["grade"] == "pass")
    );
    assert!(
        graded(&lines)
            .iter()
            .filter(|s| s["data"]["step"] == "event")
            .count()
            >= 3
    );
}

/// Bad input is an error (exit 2) with the reason, never a hang.
#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["mock", "zoom", "--to", "http://127.0.0.1:9/"],
            "no signing secret",
        ),
        (&["mock", "slack"], "--to URL"),
        (
            &[
                "mock",
                "slack",
                "--to",
                "http://127.0.0.1:9/",
                "--secret",
                "s",
                "--speed",
                "0",
            ],
            "--speed",
        ),
        (
            &[
                "mock",
                "slack",
                "--to",
                "http://127.0.0.1:9/",
                "--secret",
                "s",
                "--for",
                "soon",
            ],
            "--for",
        ),
        (
            &["mock", "hover", "--to", "http://127.0.0.1:9/"],
            "registration API",
        ),
        (&["mock", "nosuch", "--to", "http://127.0.0.1:9/"], "nosuch"),
        (
            &[
                "mock",
                "slack",
                "--to",
                "http://127.0.0.1:9/",
                "--secret",
                "s",
                "-e",
                "nosuch",
            ],
            "nosuch",
        ),
        (
            &["mock", "slack", "--serve", "256.0.0.1:0", "--secret", "s"],
            "could not listen",
        ),
    ];
    for (args, says) in cases {
        let o = hookctl(dir.path()).args(*args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

/// A wrong verify token gets Meta's 403 and a hint; `--junit` writes the graded steps.
#[test]
fn meta_verify_token_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("mock.xml");
    let (lines, code, _) = mock(
        "meta",
        Mistake::None,
        &[
            "--verify-token",
            "other",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let f = failures(&lines);
    assert!(
        f[0].contains("answered 403; Meta needs 200") && f[0].contains("--verify-token"),
        "{f:?}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuites name=\"hookctl mock\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"answered 403; Meta needs 200"),
        "{xml}"
    );
    // The secret is in no output.
    assert!(!xml.contains(SECRET));
    assert!(!lines.iter().any(|l| l.to_string().contains(SECRET)));
}

/// Asana's handshake carries the secret itself: a wrong echo never shows it.
#[test]
fn a_secret_challenge_is_never_shown() {
    let (lines, code, err) = mock("asana", Mistake::Status(201), &[]);
    assert_eq!(code, 1);
    assert!(
        !lines.iter().any(|l| l.to_string().contains(SECRET)),
        "{lines:?}"
    );
    assert!(!err.contains(SECRET));
}

/// Graph retries a failing notification for up to 4 hours.
#[test]
fn graph_retries_for_four_hours() {
    let (lines, code, err) = mock(
        "msgraph",
        Mistake::EventsFail,
        &["-e", "created", "--speed", "5000"],
    );
    assert_eq!(code, 1, "{err}");
    let at: Vec<f64> = lines
        .iter()
        .filter(|l| l["data"]["step"] == "attempt")
        .map(|l| l["data"]["at_secs"].as_f64().unwrap())
        .collect();
    assert_eq!(at.len(), 9, "{lines:?}");
    let last = *at.last().unwrap();
    assert!((14_400.0..14_400.0 + 300.0).contains(&last), "{at:?}");
    assert!(
        failures(&lines)
            .last()
            .unwrap()
            .contains("Graph drops the notification after 4 hours")
    );
}

/// Slack's retries say which they are and why; `X-Slack-No-Retry: 1` stops them.
#[test]
fn slack_retry_headers_and_no_retry() {
    let (_, _, err, got) = mock_rx(
        "slack",
        Mistake::EventsFail,
        &["-e", "message", "--speed", "1000"],
    );
    let events: Vec<&Req> = got
        .iter()
        .filter(|r| r.json()["type"] == "event_callback")
        .collect();
    assert_eq!(events.len(), 4, "{err}");
    assert_eq!(events[0].header("X-Slack-Retry-Num"), None);
    assert_eq!(events[1].header("X-Slack-Retry-Num"), Some("1"));
    assert_eq!(events[3].header("X-Slack-Retry-Num"), Some("3"));
    assert_eq!(events[1].header("X-Slack-Retry-Reason"), Some("http_error"));
    let (lines, code, _, got) = mock_rx("slack", Mistake::EventsFailNoRetry, &["-e", "message"]);
    assert_eq!(code, 1);
    assert_eq!(
        got.iter()
            .filter(|r| r.json()["type"] == "event_callback")
            .count(),
        1
    );
    assert!(
        failures(&lines)[0].contains("the app asked for no retry (X-Slack-No-Retry: 1)"),
        "{lines:?}"
    );
}

/// Twitch: creating a subscription answers 202 at once; the verification follows,
/// signed with the subscription's own secret, then the events.
#[test]
fn twitch_subscription_is_verified_after_the_202() {
    let dir = tempfile::tempdir().unwrap();
    let (url, rx) = start(App {
        profile: "twitch",
        mistake: Mistake::None,
        public_key: None,
    });
    let mut mock = support::listener::Listener::spawn(
        dir.path(),
        &[],
        &[
            "mock",
            "twitch",
            "--serve",
            "127.0.0.1:0",
            "--once",
            "-e",
            "channel.follow",
        ],
        &[],
    );
    let body = json!({"type": "channel.follow", "version": "2", "condition": {"broadcaster_user_id": "1337"}, "transport": {"method": "webhook", "callback": url, "secret": SECRET}});
    let (status, answer) = call(
        &mock.addr.clone(),
        "POST",
        "/helix/eventsub/subscriptions",
        &body.to_string(),
    );
    assert_eq!(status, 202, "{answer}");
    assert_eq!(
        answer["data"][0]["status"],
        "webhook_callback_verification_pending"
    );
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        first.header("Twitch-Eventsub-Message-Type"),
        Some("webhook_callback_verification")
    );
    let event = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        event.header("Twitch-Eventsub-Message-Type"),
        Some("notification")
    );
    assert_eq!(
        mock.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        mock.stderr()
    );
}
