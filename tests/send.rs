//! `send` on the real binary against scripted receivers on 127.0.0.1:0: seed fidelity
//! field by field, retry policies, load-mode counts, errors, dry runs and the store.

mod support;
use serde_json::Value;
use std::time::{Duration, Instant};
use support::server::{Captured, RawServer, Reply, TestServer, verifies};
use support::{hookctl, json_lines, stderr, stdout};
use tempfile::TempDir;

fn send(dir: &TempDir, url: &str, args: &[&str]) -> std::process::Output {
    hookctl(dir.path())
        .args(["--no-store", "--json", "send", "--to", url])
        .args(args)
        .output()
        .unwrap()
}

fn body(c: &Captured) -> Value {
    serde_json::from_slice(&c.body).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn is_rfc3339_z(v: &Value) -> bool {
    let s = v.as_str().unwrap();
    s.len() == 20 && s.ends_with('Z') && humantime::parse_rfc3339(s).is_ok()
}

#[test]
fn every_seed_profile_sends_what_its_seed_describes() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    let url = format!("{}/webhooks/in", server.url);
    let cases: [(&str, &[&str]); 5] = [
        (
            "hoverbot",
            &[
                "lead.qualified",
                "conversation.escalated",
                "conversation.completed",
                "conversation.feedback",
                "guardrail.triggered",
            ],
        ),
        (
            "agentbot",
            &[
                "conversation.created",
                "conversation.closed",
                "message.created",
                "conversation.needs_human",
                "ticket.created",
                "ticket.updated",
            ],
        ),
        (
            "hyperleap",
            &[
                "lead.captured",
                "conversation.started",
                "conversation.message",
                "conversation.reply",
            ],
        ),
        (
            "convosphere",
            &[
                "message.created",
                "message.completed",
                "conversation.started",
                "conversation.ended",
                "user.feedback",
                "error.occurred",
                "webhook.test",
            ],
        ),
        ("hover", &["webhook-verification-code", "job-state-changed"]),
    ];
    let secret = "seed-secret";
    let mut expected = 0;
    for (profile, events) in cases {
        for event in events {
            let o = send(
                &dir,
                &url,
                &["-p", profile, "-e", event, "--secret", secret],
            );
            assert_eq!(
                o.status.code(),
                Some(0),
                "{profile} {event}: {}",
                stderr(&o)
            );
            expected += 1;
            let c = server.requests().pop().unwrap();
            assert_eq!(server.requests().len(), expected);
            assert_eq!(c.method, "POST");
            assert_eq!(c.path, "/webhooks/in");
            assert_eq!(c.header("content-type"), Some("application/json"));
            assert!(verifies(profile, secret, &c));
            let b = body(&c);
            let result = json_lines(&o).last().unwrap()["data"].clone();
            let id = result["delivery_id"].as_str().unwrap();
            match profile {
                "hoverbot" => {
                    assert_eq!(
                        keys(&b),
                        [
                            "event",
                            "timestamp",
                            "workspaceId",
                            "conversationId",
                            "data"
                        ]
                    );
                    assert_eq!(b["event"], *event);
                    assert!(is_rfc3339_z(&b["timestamp"]));
                    assert!(b["conversationId"].as_str().unwrap().starts_with("conv_"));
                    let sig = c.header("x-hoverbot-signature").unwrap();
                    assert!(sig.starts_with("sha256=") && sig.len() == 71, "{sig}");
                    if *event == "lead.qualified" {
                        assert_eq!(
                            keys(&b["data"]),
                            [
                                "email",
                                "qualificationScore",
                                "intent",
                                "metadata",
                                "conversationUrl"
                            ]
                        );
                        assert!(b["data"]["qualificationScore"].is_u64());
                        assert!(
                            b["data"]["conversationUrl"]
                                .as_str()
                                .unwrap()
                                .ends_with(b["conversationId"].as_str().unwrap())
                        );
                    }
                }
                "agentbot" => {
                    assert_eq!(keys(&b), ["event", "timestamp", "site_id", "data"]);
                    assert_eq!(c.header("x-agentbot-event"), Some(*event));
                    assert_eq!(b["event"], *event);
                    assert_eq!(c.header("x-agentbot-delivery-id"), Some(id));
                    let sig = c.header("x-agentbot-signature").unwrap();
                    let (t, v1) = sig.split_once(',').unwrap();
                    assert!(
                        t.strip_prefix("t=").unwrap().parse::<i64>().is_ok()
                            && v1.starts_with("v1=")
                            && v1.len() == 67,
                        "{sig}"
                    );
                    if *event == "message.created" {
                        assert_eq!(
                            keys(&b["data"]),
                            [
                                "conversation_id",
                                "message_id",
                                "sender_type",
                                "body",
                                "visitor_email",
                                "visitor_name"
                            ]
                        );
                    }
                }
                "hyperleap" => {
                    assert_eq!(
                        keys(&b),
                        [
                            "eventType",
                            "chatbotId",
                            "chatbotName",
                            "organizationId",
                            "timestamp",
                            "deliveryId",
                            "data"
                        ]
                    );
                    assert_eq!(c.header("x-hyperleap-event"), Some(*event));
                    assert_eq!(b["eventType"], *event);
                    assert_eq!(c.header("x-hyperleap-delivery-id"), Some(id));
                    assert_eq!(b["deliveryId"], id);
                    assert!(
                        uuid::Uuid::parse_str(id).is_ok()
                            && uuid::Uuid::parse_str(b["chatbotId"].as_str().unwrap()).is_ok()
                    );
                    assert!(is_rfc3339_z(&b["timestamp"]));
                    let data_keys: &[&str] = match *event {
                        "lead.captured" => &[
                            "name",
                            "email",
                            "phone",
                            "companyName",
                            "externalUserLoginId",
                            "tags",
                        ],
                        "conversation.started" => &["conversationId", "externalUserId", "metadata"],
                        "conversation.message" => &["conversationId", "message"],
                        _ => &["conversationId", "messageId", "userMessage", "reply"],
                    };
                    assert_eq!(keys(&b["data"]), data_keys);
                    // header order as the seed lists it
                    let names: Vec<&str> = c
                        .headers
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .filter(|n| n.starts_with("x-hyperleap"))
                        .collect();
                    assert_eq!(
                        names,
                        [
                            "x-hyperleap-event",
                            "x-hyperleap-delivery-id",
                            "x-hyperleap-signature"
                        ]
                    );
                }
                "convosphere" => {
                    assert_eq!(keys(&b), ["id", "event", "created_at", "agent_id", "data"]);
                    assert_eq!(c.header("x-convosphere-event"), Some(*event));
                    assert_eq!(b["id"], id);
                }
                "hover" => {
                    assert_eq!(b["event"], *event);
                    if *event == "webhook-verification-code" {
                        assert_eq!(keys(&b), ["event", "code", "webhook_id"]);
                        assert!(uuid::Uuid::parse_str(b["code"].as_str().unwrap()).is_ok());
                        assert!(b["webhook_id"].is_u64());
                    }
                    assert!(
                        c.header("authorization")
                            .unwrap()
                            .starts_with("APIAuth 12344:")
                    );
                    assert!(c.header("content-md5").is_some() && c.header("date").is_some());
                }
                _ => unreachable!(),
            }
        }
    }
}

#[test]
fn hyperleap_sends_no_signature_without_a_secret() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(204)]);
    let o = send(
        &dir,
        &server.url,
        &["-p", "hyperleap", "-e", "conversation.message"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = server.requests().pop().unwrap();
    assert!(c.header("x-hyperleap-signature").is_none());
    assert!(c.header("x-hyperleap-delivery-id").is_some());
}

#[test]
fn data_set_and_headers_change_the_event() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "k",
            "--set",
            "data.email=ada@example.com",
            "--set",
            "data.tags=[\"vip\"]",
            "--set",
            "data.phone=null",
            "--set",
            "chatbotName=Sales Bot",
            "-H",
            "X-Extra: 1",
            "-H",
            "Content-Type: application/json; charset=utf-8",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = server.requests().pop().unwrap();
    let b = body(&c);
    assert_eq!(b["data"]["email"], "ada@example.com");
    assert_eq!(b["data"]["tags"], serde_json::json!(["vip"]));
    assert_eq!(b["data"]["phone"], Value::Null);
    assert_eq!(b["chatbotName"], "Sales Bot");
    assert_eq!(c.header("x-extra"), Some("1"));
    assert_eq!(
        c.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(
        verifies("hyperleap", "k", &c),
        "the signature covers the changed body"
    );

    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
            "--data",
            "{\"zen\":\"custom\"}",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        body(&server.requests().pop().unwrap()),
        serde_json::json!({"zen": "custom"})
    );

    let o = send(
        &dir,
        &server.url,
        &[
            "-p", "github", "-e", "ping", "--secret", "k", "--set", "nokey",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("PATH=VALUE"));
}

#[test]
fn retries_follow_the_profile_policy() {
    let dir = TempDir::new().unwrap();
    // hyperleap: 1 s, 4 s, 16 s; two failures then success, at 100x speed
    let server = TestServer::start(vec![
        Reply::status(503),
        Reply::status(500),
        Reply::status(200),
    ]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "k",
            "--retry",
            "--speed",
            "100",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    let attempts: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "attempt")
        .map(|l| &l["data"])
        .collect();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["decision"], "retry");
    assert_eq!(attempts[0]["retry_in_secs"], 1.0);
    assert_eq!(attempts[1]["retry_in_secs"], 4.0);
    assert_eq!(attempts[2]["decision"], "delivered");
    assert_eq!(lines.last().unwrap()["data"]["attempts"], 3);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let ids: Vec<&str> = reqs
        .iter()
        .map(|r| r.header("x-hyperleap-delivery-id").unwrap())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "a retry keeps the delivery id"
    );

    // a timestamped scheme is re-signed on every attempt; each attempt verifies
    let server = TestServer::start(vec![Reply::status(502), Reply::status(200)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "agentbot",
            "-e",
            "ticket.created",
            "--secret",
            "k",
            "--retry",
            "--speed",
            "120",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for c in server.requests() {
        assert!(verifies("agentbot", "k", &c));
    }

    // convosphere: a 404 stops at once
    let server = TestServer::start(vec![Reply::status(404)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "convosphere",
            "-e",
            "user.feedback",
            "--secret",
            "k",
            "--retry",
            "--speed",
            "1000",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let a = &json_lines(&o)[0]["data"];
    assert_eq!(a["decision"], "gave up");
    assert_eq!(a["rule"], "404 is not retried");
    assert_eq!(server.requests().len(), 1);

    // ... a 429 retries, and exhausting the schedule fails the delivery (6 attempts)
    let server = TestServer::start(vec![Reply::status(429)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "convosphere",
            "-e",
            "user.feedback",
            "--secret",
            "k",
            "--retry",
            "--speed",
            "6000",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(server.requests().len(), 6);
    let last = json_lines(&o).last().unwrap()["data"].clone();
    assert_eq!(last["state"], "failed");

    // standard honours Retry-After
    let server = TestServer::start(vec![
        Reply::status(429).header("Retry-After", "2"),
        Reply::status(200),
    ]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "standard",
            "-e",
            "user.created",
            "--secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "--retry",
            "--speed",
            "100",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["data"]["retry_in_secs"], 2.0);
}

#[test]
fn failures_have_the_right_exit_code_and_message() {
    let dir = TempDir::new().unwrap();
    // a port nothing listens on
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &url,
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("could not connect to"),
        "{}",
        stderr(&o)
    );

    // TLS to a server that speaks plain HTTP
    let server = TestServer::start(vec![Reply::status(200)]);
    let https = server.url.replace("http://", "https://");
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &https,
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("TLS handshake"), "{}", stderr(&o));

    // a slow receiver: the per-attempt timeout is a failed delivery
    let server = TestServer::start(vec![
        Reply::status(200).delay(std::time::Duration::from_secs(3)),
    ]);
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &server.url,
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
            "--timeout",
            "200ms",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("no answer within 200ms"),
        "{}",
        stdout(&o)
    );

    // a 4xx, with its body shown
    let server = TestServer::start(vec![
        Reply::status(400).body("{\"error\":\"bad signature\"}"),
    ]);
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &server.url,
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("400 Bad Request")
            && stdout(&o).contains("\"error\": \"bad signature\""),
        "{}",
        stdout(&o)
    );

    // not a URL, an unknown event
    let o = hookctl(dir.path())
        .args([
            "send", "--to", "ftp://x", "-p", "github", "-e", "ping", "--secret", "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = hookctl(dir.path())
        .args([
            "send",
            "--to",
            &server.url,
            "-p",
            "github",
            "-e",
            "nope",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("has no event `nope`"), "{}", stderr(&o));
    // no event and no terminal: a clear error listing the events
    let o = hookctl(dir.path())
        .args(["send", "--to", &server.url, "-p", "github", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("pass --event") && stderr(&o).contains("push"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn load_mode_counts_are_exact() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "stripe",
            "-e",
            "invoice.paid",
            "--secret",
            "whsec_x",
            "--count",
            "300",
            "-c",
            "8",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0]["data"];
    assert_eq!(
        (r["sent"].as_u64(), r["ok"].as_u64(), r["errors"].as_u64()),
        (Some(300), Some(300), Some(0))
    );
    assert_eq!(r["statuses"]["200"], 300);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 300);
    let mut ids: Vec<String> = reqs
        .iter()
        .map(|c| body(c)["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300, "every event is distinct");
    assert!(reqs.iter().all(|c| verifies("stripe", "whsec_x", c)));
    assert!(r["latency_ms"]["p50"].as_f64().unwrap() <= r["latency_ms"]["max"].as_f64().unwrap());

    // duplicates keep their delivery id; shuffled or not, the count is exact
    for extra in [&[][..], &["--shuffle"][..]] {
        let server = TestServer::start(vec![Reply::status(200)]);
        let mut args = vec![
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "k",
            "--count",
            "200",
            "-c",
            "4",
            "--duplicate-rate",
            "0.3",
        ];
        args.extend_from_slice(extra);
        let o = send(&dir, &server.url, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let r = &json_lines(&o)[0]["data"];
        let dups = r["duplicates"].as_u64().unwrap();
        assert!(dups > 10 && dups < 120, "about 30% duplicates: {dups}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 200);
        let mut ids: Vec<&str> = reqs
            .iter()
            .map(|c| c.header("x-hyperleap-delivery-id").unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len() as u64, 200 - dups);
    }

    // non-2xx answers make the run a failure
    let server = TestServer::start(vec![Reply::status(200), Reply::status(500)]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p", "github", "-e", "ping", "--secret", "k", "--count", "5", "-c", "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = &json_lines(&o)[0]["data"];
    assert_eq!(
        (r["ok"].as_u64(), r["non_2xx"].as_u64()),
        (Some(1), Some(4))
    );
}

/// Load mode's settings are checked before anything is sent: each bad one is a usage
/// error (exit 2) that names its flag, and the receiver sees nothing.
#[test]
fn load_mode_refuses_bad_settings() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    for (bad, flag) in [
        (&["--count", "0"][..], "--count"),
        (&["--count", "5", "-c", "0"][..], "--concurrency"),
        (
            &["--count", "5", "--duplicate-rate", "1.5"][..],
            "--duplicate-rate",
        ),
        (&["--count", "5", "--rate", "0"][..], "--rate"),
        (&["--duration", "1s", "--shuffle"][..], "--shuffle"),
        (&["--duration", "soon"][..], "--duration"),
        (&["--count", "5", "--method", "BA D"][..], "--method"),
    ] {
        let mut args = vec!["-p", "github", "-e", "ping", "--secret", "k"];
        args.extend_from_slice(bad);
        let o = send(&dir, &server.url, &args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{bad:?}: {}", stderr(&o));
    }
    assert_eq!(server.requests().len(), 0);
}

/// Each request in load mode has the whole `--timeout` to itself: two slow answers
/// in a row, each inside it, are not timed out together; one past it is, and the next
/// request gets a fresh connection and a fresh deadline.
#[test]
fn load_mode_times_out_each_request_on_its_own() {
    let dir = TempDir::new().unwrap();
    let slow = |ms| Reply::status(200).delay(Duration::from_millis(ms));
    let server = TestServer::start(vec![
        Reply::status(200),
        slow(300),
        slow(300),
        slow(3000),
        Reply::status(200),
    ]);
    let started = Instant::now();
    let o = send(
        &dir,
        &server.url,
        &[
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
            "--count",
            "6",
            "-c",
            "1",
            "--timeout",
            "500ms",
        ],
    );
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = &json_lines(&o)[0]["data"];
    assert_eq!(
        (r["sent"].as_u64(), r["ok"].as_u64(), r["errors"].as_u64()),
        (Some(6), Some(5), Some(1)),
        "{r}"
    );
    assert_eq!(r["error_kinds"]["timeout"], 1, "{r}");
    // 0.3 + 0.3 + 0.5 s of waiting, not the 3 s answer.
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(server.requests().len(), 6);
}

/// Load mode's own HTTP/1.1 client against answers framed every way a server may
/// frame them, each arriving in pieces.
#[test]
fn load_mode_reads_every_framing_of_an_answer() {
    let dir = TempDir::new().unwrap();
    let framings: [(&str, &'static [&'static [u8]]); 5] = [
        (
            "content-length",
            &[
                b"HTTP/1.1 200 OK\r\nContent-Le",
                b"ngth: 5\r\n\r\nhe",
                b"llo",
            ],
        ),
        (
            "chunked, with an extension and a trailer",
            &[
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nhel\r",
                b"\n2\r\nlo\r\n0\r\nX-Trailer: 1\r\n",
                b"\r\n",
            ],
        ),
        (
            "an interim 100 Continue first",
            &[
                b"HTTP/1.1 100 Continue\r\n\r\n",
                b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n",
            ],
        ),
        (
            "no length: the body runs to the close",
            &[b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhel", b"lo"],
        ),
        ("204 with no body", &[b"HTTP/1.1 204 No Content\r\n\r\n"]),
    ];
    for (what, answer) in framings {
        let server = RawServer::start(answer);
        let o = send(
            &dir,
            &server.url,
            &[
                "-p", "github", "-e", "push", "--secret", "k", "--count", "6", "-c", "2",
            ],
        );
        let r = &json_lines(&o)[0]["data"];
        assert_eq!(o.status.code(), Some(0), "{what}: {r} {}", stderr(&o));
        assert_eq!(
            (r["ok"].as_u64(), r["errors"].as_u64()),
            (Some(6), Some(0)),
            "{what}"
        );
        let reqs = server.requests();
        assert_eq!(reqs.len(), 6, "{what}");
        for c in reqs {
            assert_eq!(
                (c.method.as_str(), c.path.as_str()),
                ("POST", "/"),
                "{what}"
            );
            assert!(verifies("github", "k", &c), "{what}");
        }
    }

    // An answer that is not HTTP is an error of its own, counted, not a hang.
    let server = RawServer::start(&[b"SMTP ready\r\n\r\n"]);
    let o = send(
        &dir,
        &server.url,
        &[
            "-p", "github", "-e", "push", "--secret", "k", "--count", "3", "-c", "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = &json_lines(&o)[0]["data"];
    assert_eq!(
        (r["ok"].as_u64(), r["errors"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );
}

#[test]
fn dry_run_prints_the_request_and_a_working_curl_command() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &format!("{}/h?x=1", server.url),
            "-p",
            "slack",
            "-e",
            "app_mention",
            "--secret",
            "slack-secret",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(server.requests().is_empty(), "a dry run sends nothing");
    let text = stdout(&o);
    let host = server.url.trim_start_matches("http://");
    assert!(
        text.starts_with(&format!(
            "POST /h?x=1 HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nX-Slack-Request-Timestamp: "
        )),
        "{text}"
    );
    // Standard output is the request alone; the curl command is on stderr.
    assert!(!text.contains("curl"), "{text}");
    let err = stderr(&o);
    let curl = err[err.find("printf '%s'").unwrap()..].trim_end();
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok()
    {
        let run = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{curl} -s -o /dev/null"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let c = server.requests().pop().expect("curl sent the request");
        assert!(verifies("slack", "slack-secret", &c));
    }
}

#[test]
fn the_store_records_every_attempt_and_a_corrupt_store_stops_early() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("store.db");
    let server = TestServer::start(vec![Reply::status(503), Reply::status(200).body("thanks")]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            db.to_str().unwrap(),
            "send",
            "--to",
            &server.url,
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "very-secret-value",
            "--retry",
            "--speed",
            "100",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (dir_, event, state, headers, body): (String, String, String, String, Vec<u8>) = conn
        .query_row(
            "SELECT direction, event, state, headers, body FROM deliveries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (dir_.as_str(), event.as_str(), state.as_str()),
        ("out", "lead.captured", "delivered")
    );
    assert_eq!(body, server.requests()[0].body);
    assert!(headers.contains("X-Hyperleap-Signature"));
    let attempts: Vec<(i64, Option<i64>, Option<Vec<u8>>)> = conn
        .prepare("SELECT number, status, response_body FROM attempts ORDER BY number")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        attempts,
        vec![
            (1, Some(503), Some(vec![])),
            (2, Some(200), Some(b"thanks".to_vec()))
        ]
    );
    // no secret in the store
    let raw = std::fs::read(&db).unwrap();
    assert!(!raw.windows(17).any(|w| w == b"very-secret-value"));

    // load mode records every request
    let server = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            db.to_str().unwrap(),
            "send",
            "--to",
            &server.url,
            "-p",
            "github",
            "-e",
            "push",
            "--secret",
            "k",
            "--count",
            "150",
            "-c",
            "4",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM deliveries WHERE event = 'push'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 150);

    // a corrupt store: exit 2, a clear message, nothing sent
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, vec![0x42; 4096]).unwrap();
    let server = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .env("HOOKCTL_STORE", &bad)
        .args([
            "send",
            "--to",
            &server.url,
            "-p",
            "github",
            "-e",
            "ping",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a hookctl store or is damaged")
            && stderr(&o).contains("nothing was sent"),
        "{}",
        stderr(&o)
    );
    assert!(server.requests().is_empty());
    assert_eq!(
        std::fs::read(&bad).unwrap(),
        vec![0x42; 4096],
        "the file is left as it was"
    );
}

/// `send --dry-run` with the given flags, then `verify --request` on what it printed:
/// (verify's exit code, its output, the request).
fn dry_run_then_verify(profile: &str, flags: &[&str]) -> (i32, String, String) {
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            "http://127.0.0.1:9/hooks",
            "-p",
            profile,
        ])
        .args([
            "--secret",
            "whsec_c2VjcmV0LWtleS0xMjM0NTY3ODkw",
            "--dry-run",
        ])
        .args(flags)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let request = stdout(&o);
    std::fs::write(dir.path().join("req.http"), &request).unwrap();
    let v = hookctl(dir.path())
        .args(["verify", "--request", "req.http", "-p", profile])
        .args(["--secret", "whsec_c2VjcmV0LWtleS0xMjM0NTY3ODkw"])
        .output()
        .unwrap();
    (
        v.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&v), stderr(&v)),
        request,
    )
}

#[test]
fn send_makes_the_faults_a_receiver_must_refuse() {
    // Changed after signing: the signature no longer matches.
    let (code, said, req) =
        dry_run_then_verify("github", &["-e", "push", "--tamper", "ref=refs/heads/evil"]);
    assert_eq!(code, 1, "{said}");
    assert!(req.contains(r#""ref":"refs/heads/evil""#), "{req}");
    // Without the signature header.
    let (code, said, req) = dry_run_then_verify("github", &["-e", "push", "--unsigned"]);
    assert_eq!(code, 1, "{said}");
    assert!(
        !req.to_ascii_lowercase().contains("x-hub-signature-256"),
        "{req}"
    );
    assert!(said.contains("X-Hub-Signature-256"), "{said}");
    // Signed ten minutes ago, or ahead: outside Stripe's five minutes.
    let (code, said, _) =
        dry_run_then_verify("stripe", &["-e", "invoice.paid", "--timestamp", "-10m"]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("too old"), "{said}");
    let (code, said, _) =
        dry_run_then_verify("stripe", &["-e", "invoice.paid", "--timestamp", "+10m"]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("too new"), "{said}");
    let (_, _, req) = dry_run_then_verify(
        "stripe",
        &["-e", "invoice.paid", "--timestamp", "1700000000"],
    );
    assert!(req.contains("t=1700000000,v1="), "{req}");
}

#[test]
fn send_pretty_signs_the_pretty_bytes() {
    let (code, said, req) = dry_run_then_verify("standard", &["-e", "user.created", "--pretty"]);
    assert_eq!(code, 0, "{said}");
    assert!(req.contains("{\n  \""), "{req}");
    // With --tamper too: pretty, and changed after signing.
    let (code, _, req) = dry_run_then_verify(
        "standard",
        &[
            "-e",
            "user.created",
            "--pretty",
            "--tamper",
            "data.name=Mallory",
        ],
    );
    assert_eq!(code, 1);
    assert!(req.contains("\"name\": \"Mallory\""), "{req}");
}

#[test]
fn send_timestamp_says_what_it_takes() {
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args([
            "send",
            "--to",
            "http://127.0.0.1:9/",
            "-p",
            "stripe",
            "--secret",
            "k",
        ])
        .args([
            "-e",
            "invoice.paid",
            "--dry-run",
            "--timestamp",
            "yesterday",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("not Unix seconds or ±DURATION"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // Huge offsets saturate rather than overflow.
    let o = hookctl(dir.path())
        .args([
            "send",
            "--to",
            "http://127.0.0.1:9/",
            "-p",
            "stripe",
            "--secret",
            "k",
        ])
        .args(["-e", "invoice.paid", "--dry-run", "--timestamp", "-99y"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("outside 1970 to 9999"),
        "{}",
        stderr(&o)
    );
}
