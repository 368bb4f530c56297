//! `hookctl audit` against receivers written here, on loopback: a sound one passes
//! every check, and each classic mistake fails the check that is about it.

mod support;
use hmac::{Hmac, Mac};
use hookctl::envelope::{Catalog, Profile, Received, Secret, VerifyOptions};
use hookctl::http::server::{Handler, Limits, Request, Response, Server};
use serde_json::Value;
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{hookctl, json_lines, stderr};
use tempfile::TempDir;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// How a receiver goes wrong, if it does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Verifies the raw body in constant time, checks the timestamp both ways,
    /// deduplicates by id, limits bodies to 1 MiB and waits 1 s for one.
    Sound,
    /// Answers 200 to everything.
    AcceptsAnything,
    /// Verifies the signature but not the timestamp's age.
    IgnoresTimestamp,
    /// Verifies the JSON re-serialised compactly, not the bytes sent.
    Reserializes,
    /// Sound, but its 401 says what the signature should have been (`{body}` schemes).
    LeaksSignature,
    /// Sound, but acts on every delivery, repeats included.
    NoDedup,
}

struct Receiver {
    kind: Kind,
    profile: Profile,
    secrets: Vec<Secret>,
    seen: Mutex<HashSet<String>>,
    processed: AtomicU64,
}

fn text(status: u16, body: String) -> Response {
    Response {
        status,
        headers: hookctl::envelope::HeaderList::new(),
        body: body.into(),
    }
}

impl Handler for Receiver {
    async fn handle(&self, req: Request) -> Response {
        if req.method == "GET" && req.target == "/count" {
            return text(200, self.processed.load(Ordering::SeqCst).to_string());
        }
        let body = match req.body {
            Ok(b) => b,
            Err(e) => return text(e.status(), e.to_string()),
        };
        let checked: Vec<u8> = match self.kind {
            Kind::Reserializes => match serde_json::from_slice::<Value>(&body) {
                Ok(v) => serde_json::to_vec(&v).unwrap(),
                Err(_) => return text(400, "not JSON".into()),
            },
            _ => body.to_vec(),
        };
        let verdict = self.profile.verify(
            &Received {
                method: &req.method,
                path: &req.target,
                headers: &req.headers,
                body: &checked,
            },
            &VerifyOptions {
                secrets: &self.secrets,
                now: hookctl::settings::now_unix(),
                tolerance: (self.kind == Kind::IgnoresTimestamp).then_some(None),
            },
        );
        let verdict = match verdict {
            Ok(v) => v,
            Err(e) => return text(500, e.to_string()),
        };
        if !verdict.valid && self.kind != Kind::AcceptsAnything {
            if self.kind == Kind::LeaksSignature {
                let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(&body);
                let expected = hex::encode(mac.finalize().into_bytes());
                return text(
                    401,
                    format!("signature mismatch: expected sha256={expected}"),
                );
            }
            return text(401, "invalid signature".into());
        }
        let id = verdict.id.unwrap_or_default();
        if self.seen.lock().unwrap().insert(id) || self.kind == Kind::NoDedup {
            self.processed.fetch_add(1, Ordering::SeqCst);
        }
        text(200, "ok".into())
    }
}

/// A receiver on a loopback port, served from a thread of its own for the test's life.
fn start(kind: Kind, profile: &str) -> String {
    let receiver = Receiver {
        kind,
        profile: Catalog::builtin().get(profile).unwrap(),
        secrets: vec![Secret::new(SECRET, "test").unwrap()],
        seen: Mutex::default(),
        processed: AtomicU64::new(0),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let (server, _shutdown) = Server::new(
                listener,
                None,
                Arc::new(receiver),
                Limits {
                    max_body: 1 << 20,
                    read_timeout: Duration::from_secs(1),
                    bodies: None,
                },
                64,
            );
            server.run(|_| {}).await;
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    format!("http://{addr}")
}

struct Audited {
    code: i32,
    grades: BTreeMap<String, String>,
    checks: Vec<Value>,
    result: Value,
    stderr: String,
}

/// Runs `hookctl --json audit` against `base` with the test's secret, and `/count`
/// as the oracle.
fn audit(profile: &str, base: &str, extra: &[&str]) -> Audited {
    audit_with(profile, base, extra, true)
}

fn audit_with(profile: &str, base: &str, extra: &[&str], oracle: bool) -> Audited {
    let dir = TempDir::new().unwrap();
    let to = format!("{base}/hooks?src=audit");
    let oracle_url = format!("{base}/count");
    let mut args = vec![
        "--json",
        "--no-store",
        "audit",
        "--to",
        &to,
        "-p",
        profile,
        "--secret-env",
        "AUDIT_SECRET",
        "--delay",
        "5ms",
    ];
    if oracle {
        args.extend(["--oracle-url", &oracle_url]);
    }
    args.extend_from_slice(extra);
    let o = hookctl(dir.path())
        .env("AUDIT_SECRET", SECRET)
        .timeout(Duration::from_secs(120))
        .args(&args)
        .output()
        .unwrap();
    let lines = json_lines(&o);
    let checks: Vec<Value> = lines
        .iter()
        .filter(|l| l["type"] == "check")
        .map(|l| l["data"].clone())
        .collect();
    let grades = checks
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["grade"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let result = lines
        .iter()
        .find(|l| l["type"] == "result")
        .map(|l| l["data"].clone())
        .unwrap_or(Value::Null);
    Audited {
        code: o.status.code().unwrap_or(-1),
        grades,
        checks,
        result,
        stderr: stderr(&o),
    }
}

/// The checks a profile's scheme has no such thing for.
fn skipped_for(profile: &str) -> Vec<&'static str> {
    let p = Catalog::builtin().get(profile).unwrap();
    let scheme = p.signature.as_ref().unwrap();
    let mut out = Vec::new();
    if !p.timestamped() || scheme.tolerance.is_none() {
        out.extend(["stale-timestamp", "future-timestamp"]);
    }
    if scheme.separator.is_none() {
        out.push("multiple-signatures");
    }
    out
}

fn assert_sound(profile: &str) {
    let base = start(Kind::Sound, profile);
    let a = audit(profile, &base, &[]);
    assert_eq!(a.code, 0, "{profile}: {:#?}\n{}", a.checks, a.stderr);
    assert_eq!(a.grades.len(), 16, "{profile}: every check reported");
    let skips = skipped_for(profile);
    for (name, grade) in &a.grades {
        let want = if skips.contains(&name.as_str()) {
            "skip"
        } else {
            "pass"
        };
        assert_eq!(grade, want, "{profile} {name}: {:#?}", a.checks);
    }
    assert_eq!(a.result["fail"], 0);
    assert_eq!(a.result["warn"], 0);
    assert_eq!(a.result["pass"], 16 - skips.len());
    assert_eq!(a.result["skip"], skips.len());
    // Every check says what it sent, expected and got, why, how to fix it, and how to
    // reproduce it (a skip needs only to say why).
    for c in &a.checks {
        for field in ["name", "grade", "summary", "why", "fix"] {
            assert!(
                c[field].as_str().is_some_and(|s| !s.is_empty()),
                "{profile}: {field} in {c}"
            );
        }
        if c["grade"] != "skip" {
            for field in ["sent", "expected", "got", "reproduce"] {
                assert!(
                    c[field].as_str().is_some_and(|s| !s.is_empty()),
                    "{profile}: {field} in {c}"
                );
            }
        }
        // The secret never appears, in any field.
        assert!(!c.to_string().contains(SECRET), "{c}");
    }
}

#[test]
fn a_sound_receiver_passes_every_check_standard_stripe_github() {
    for p in ["standard", "stripe", "github"] {
        assert_sound(p);
    }
}

#[test]
fn a_sound_receiver_passes_every_check_for_the_seed_profiles() {
    for p in ["hyperleap", "agentbot", "convosphere", "hover", "hoverbot"] {
        assert_sound(p);
    }
}

const SIGNATURE_CHECKS: &str =
    "tampered-body,wrong-secret,missing-signature,malformed-signature,other-scheme";

#[test]
fn a_receiver_that_accepts_anything_fails_the_signature_checks() {
    for p in ["standard", "github", "agentbot"] {
        let base = start(Kind::AcceptsAnything, p);
        let a = audit(
            p,
            &base,
            &["--only", &format!("{SIGNATURE_CHECKS},stale-timestamp")],
        );
        assert_eq!(a.code, 1, "{p}: {}", a.stderr);
        for name in SIGNATURE_CHECKS.split(',') {
            assert_eq!(a.grades[name], "fail", "{p} {name}: {:#?}", a.checks);
        }
        let stale = if skipped_for(p).contains(&"stale-timestamp") {
            "skip"
        } else {
            "fail"
        };
        assert_eq!(a.grades["stale-timestamp"], stale, "{p}");
        assert_eq!(a.grades["valid"], "pass");
        // A failing check tells how to send it again with `hookctl send`.
        let tampered = a
            .checks
            .iter()
            .find(|c| c["name"] == "tampered-body")
            .unwrap();
        let line = tampered["reproduce"].as_str().unwrap();
        assert!(line.starts_with("hookctl send --to "), "{line}");
        assert!(line.contains("--tamper "), "{line}");
        assert!(line.contains("--secret-env AUDIT_SECRET"), "{line}");
    }
}

#[test]
fn a_receiver_that_ignores_the_timestamp_fails_stale_timestamp_only() {
    for p in ["stripe", "standard"] {
        let base = start(Kind::IgnoresTimestamp, p);
        let a = audit(p, &base, &[]);
        assert_eq!(a.code, 1, "{p}: {}", a.stderr);
        let failed: Vec<&String> = a
            .grades
            .iter()
            .filter(|(_, g)| *g == "fail")
            .map(|(n, _)| n)
            .collect();
        assert_eq!(failed, ["stale-timestamp"], "{p}: {:#?}", a.checks);
        // A timestamp ahead is the lesser risk: a warning.
        assert_eq!(a.grades["future-timestamp"], "warn", "{p}");
        assert_eq!(a.result["fail"], 1);
    }
}

#[test]
fn a_receiver_that_verifies_reserialized_json_fails_reserialized_json() {
    for p in ["github", "standard"] {
        let base = start(Kind::Reserializes, p);
        let a = audit(p, &base, &[]);
        assert_eq!(a.code, 1, "{p}: {}", a.stderr);
        let failed: Vec<&String> = a
            .grades
            .iter()
            .filter(|(_, g)| *g != "pass" && *g != "skip")
            .map(|(n, _)| n)
            .collect();
        assert_eq!(failed, ["reserialized-json"], "{p}: {:#?}", a.checks);
    }
}

#[test]
fn a_receiver_that_shows_the_expected_signature_fails_signature_leak() {
    for p in ["github", "hyperleap"] {
        let base = start(Kind::LeaksSignature, p);
        let a = audit(p, &base, &["--only", "tampered-body,signature-leak"]);
        assert_eq!(a.code, 1, "{p}: {}", a.stderr);
        assert_eq!(a.grades["tampered-body"], "pass");
        assert_eq!(a.grades["signature-leak"], "fail", "{:#?}", a.checks);
        let leak = a
            .checks
            .iter()
            .find(|c| c["name"] == "signature-leak")
            .unwrap();
        assert!(
            leak["summary"]
                .as_str()
                .unwrap()
                .contains("expected signature"),
            "{leak}"
        );
    }
}

#[test]
fn a_receiver_that_acts_on_a_repeat_fails_replayed_delivery_through_the_oracle() {
    let base = start(Kind::NoDedup, "standard");
    let a = audit("standard", &base, &["--only", "replayed-delivery"]);
    assert_eq!(a.code, 1, "{}", a.stderr);
    assert_eq!(a.grades["replayed-delivery"], "fail", "{:#?}", a.checks);
    let c = &a.checks[1];
    assert!(c["summary"].as_str().unwrap().contains("1 to 2"), "{c}");
    // Without an oracle the check can only be informational.
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .env("AUDIT_SECRET", SECRET)
        .args(["--json", "--no-store", "audit", "--to"])
        .arg(format!("{base}/hooks"))
        .args([
            "-p",
            "standard",
            "--secret-env",
            "AUDIT_SECRET",
            "--delay",
            "0s",
        ])
        .args(["--only", "replayed-delivery"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines[1]["data"]["grade"], "skip");
    assert!(
        lines[1]["data"]["summary"]
            .as_str()
            .unwrap()
            .contains("--oracle-url")
    );
}

#[test]
fn an_endpoint_that_refuses_the_valid_delivery_stops_the_audit() {
    let base = start(Kind::Sound, "stripe");
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["--no-store", "audit", "--to"])
        .arg(format!("{base}/hooks"))
        .args([
            "-p",
            "stripe",
            "--secret",
            "whsec_not_the_one",
            "--delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("the valid delivery was answered 401"), "{err}");
    assert!(err.contains("hint:") && err.contains("secret"), "{err}");
    assert!(!err.contains("whsec_not_the_one"), "{err}");
    // Nothing listens: exit 2, and said why.
    let o = hookctl(dir.path())
        .args(["--no-store", "audit", "--to", "http://127.0.0.1:9/hooks"])
        .args(["-p", "stripe", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not answered"), "{}", stderr(&o));
}

#[test]
fn a_host_that_is_not_this_machine_needs_yes() {
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["--no-store", "audit", "--to", "https://hooks.example.com/x"])
        .args(["-p", "github", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("is not this machine"), "{err}");
    assert!(err.contains("--yes"), "{err}");
}

#[test]
fn reports_for_a_terminal_junit_and_markdown() {
    let base = start(Kind::AcceptsAnything, "github");
    let dir = TempDir::new().unwrap();
    let junit = dir.path().join("audit.xml");
    let md = dir.path().join("audit.md");
    let o = hookctl(dir.path())
        .env("AUDIT_SECRET", SECRET)
        .args(["--no-store", "audit", "--to"])
        .arg(format!("{base}/hooks"))
        .args([
            "-p",
            "github",
            "--secret-env",
            "AUDIT_SECRET",
            "--delay",
            "0s",
        ])
        .args(["--only", "tampered-body,missing-signature,non-ascii-body"])
        .arg("--junit")
        .arg(&junit)
        .arg("--markdown")
        .arg(&md)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let card = support::stdout(&o);
    // Failures first, each with its details; passes on a line of their own.
    let fail_at = card.find("FAIL  tampered-body").expect(&card);
    let pass_at = card.find("PASS  valid").expect(&card);
    assert!(fail_at < pass_at, "{card}");
    for row in ["sent ", "expected ", "got ", "why ", "fix ", "try "] {
        assert!(card.contains(row), "{row} in {card}");
    }
    assert!(
        card.contains("4 checks: 2 pass, 0 warn, 2 fail, 0 skip"),
        "{card}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"4\" failures=\"2\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 2, "{xml}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("| ❌ fail | `tampered-body` |"), "{text}");
    assert!(text.contains("### fail `missing-signature`"), "{text}");
    assert!(text.contains("**Reproduce:**"), "{text}");
    assert!(!xml.contains(SECRET) && !text.contains(SECRET) && !card.contains(SECRET));
}

#[test]
fn warnings_fail_the_run_with_fail_on_warn() {
    // A receiver that ignores the timestamp only warns about one signed ahead.
    let base = start(Kind::IgnoresTimestamp, "stripe");
    let a = audit("stripe", &base, &["--only", "future-timestamp"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.grades["future-timestamp"], "warn");
    let a = audit(
        "stripe",
        &base,
        &["--only", "future-timestamp", "--fail-on", "warn"],
    );
    assert_eq!(a.code, 1, "{}", a.stderr);
}

#[test]
fn every_request_is_tagged_with_its_check() {
    let server = support::server::TestServer::start(vec![support::server::Reply::status(200)]);
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["--json", "--no-store", "audit", "--to"])
        .arg(format!("{}/hooks", server.url))
        .args(["-p", "github", "--secret", "k", "--delay", "0s"])
        .args(["--only", "tampered-body,malformed-signature"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let tags: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("x-hookctl-audit").unwrap_or("").to_string())
        .collect();
    assert_eq!(
        tags,
        [
            "valid",
            "tampered-body",
            "malformed-signature",
            "malformed-signature",
            "malformed-signature"
        ]
    );
}

#[test]
fn a_stack_trace_in_a_refusal_is_a_warning_and_a_slow_answer_is_graded_by_the_timeout() {
    use support::server::{Reply, TestServer};
    // The valid delivery is taken; every request after it gets a Python traceback.
    let server = TestServer::start(vec![
        Reply::status(200),
        Reply::status(401).body(
            "Traceback (most recent call last):\n  File \"app.py\", line 9, in hook\nValueError: bad signature",
        ),
    ]);
    let a = audit_with("github", &server.url, &["--only", "signature-leak"], false);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.grades["signature-leak"], "warn", "{:#?}", a.checks);
    assert!(
        a.checks[1]["summary"]
            .as_str()
            .unwrap()
            .contains("stack trace")
    );
    // Convosphere waits 5 s: an answer after 2.6 s is more than half of it.
    let slow = TestServer::start(vec![Reply::status(200).delay(Duration::from_millis(2600))]);
    let a = audit_with("convosphere", &slow.url, &["--only", "slow-answer"], false);
    assert_eq!(a.grades["slow-answer"], "warn", "{:#?}", a.checks);
    let c = &a.checks[1];
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("more than half of the 5s"),
        "{c}"
    );
    assert!(c["latency_ms"].as_f64().unwrap() >= 2600.0, "{c}");
}

#[test]
fn the_hand_written_checks_work_over_tls_too() {
    // `listen --tls` makes a self-signed certificate: -k accepts it, for the
    // ordinary requests (reqwest) and the hand-paced ones alike.
    let dir = TempDir::new().unwrap();
    let l = support::listener::Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "github",
            "--secret",
            SECRET,
            "--tls",
            "--read-timeout",
            "1s",
            "--max-body",
            "1MiB",
        ],
    );
    assert!(l.url.starts_with("https://"));
    let o = hookctl(dir.path())
        .env("AUDIT_SECRET", SECRET)
        .args(["--json", "--no-store", "audit", "-k", "--to", &l.url])
        .args([
            "-p",
            "github",
            "--secret-env",
            "AUDIT_SECRET",
            "--delay",
            "0s",
        ])
        .args(["--only", "tampered-body,oversized-body,slow-body"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    for l in lines.iter().filter(|l| l["type"] == "check") {
        assert_eq!(l["data"]["grade"], "pass", "{l}");
    }
    assert_eq!(lines.last().unwrap()["data"]["pass"], 4);
}
