//! `listen` and `deliveries` on the real binary: verification for every profile,
//! duplicates, forwarding byte-exact, routes, scripted answers, wait-for, TLS, limits,
//! and what survives a SIGKILL.

mod support;
use hookctl::envelope::{Catalog, Secret, SignInput};
use serde_json::Value;
use std::time::Duration;
use support::listener::{Listener, post, raw};
use support::server::{Reply, TestServer};
use support::{hookctl, indexed_store, json_lines, stderr, stdout};
use tempfile::TempDir;

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const HEX: &str = "00112233445566778899aabbccddeeff";

/// Whether two profiles sign alike: one verifies what the other signs.
fn same_scheme(a: &hookctl::envelope::Profile, b: &hookctl::envelope::Profile) -> bool {
    let (Some(x), Some(y)) = (&a.signature, &b.signature) else {
        return false;
    };
    x.signed.source() == y.signed.source()
        && x.value.source() == y.value.source()
        && x.algorithm == y.algorithm
        && x.encoding == y.encoding
        && x.secret == y.secret
        && x.secret_prefix == y.secret_prefix
}

/// A profile's first event, built and signed at `ts`.
fn signed(profile: &str, secret: &str, ts: i64) -> (Vec<(String, String)>, Vec<u8>, String) {
    let p = Catalog::builtin().get(profile).unwrap();
    let event = p.events.keys().next().unwrap().clone();
    let e = p.build_event(&event, None, None, ts).unwrap();
    let secrets = [Secret::new(secret, "test").unwrap()];
    let h = p
        .sign(
            &secrets,
            &SignInput {
                body: &e.body,
                event: Some(&event),
                id: &e.id,
                timestamp: ts,
                method: "POST",
                path: "/",
                vars: &e.vars,
            },
        )
        .unwrap();
    (
        h.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        e.body,
        event,
    )
}

fn now() -> i64 {
    hookctl::settings::now_unix()
}

#[test]
fn verifies_every_builtin_profile_valid_invalid_and_stale() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "--profile",
            "auto",
            "--secret",
            WHSEC,
            "--secret",
            "plain-secret",
            "--secret",
            HEX,
        ],
    );
    let mut expected = 0;
    // The HMAC profiles over a JSON body (tests/schemes.rs has the others).
    let catalog = Catalog::builtin();
    for p in catalog
        .all()
        .unwrap()
        .into_iter()
        .filter(support::hmac_over_body)
    {
        use hookctl::envelope::secret::SecretEncoding;
        let scheme = p.signature.clone().unwrap();
        let (secret, wrong) = match scheme.secret {
            SecretEncoding::Whsec => (WHSEC, "whsec_plJ3nmyCDGBKInavdOK15jsl"),
            SecretEncoding::Hex => (HEX, "ffeeddccbbaa99887766554433221100"),
            SecretEncoding::Base64 => ("plain-secret", "d3Jvbmcta2V5"),
            _ => ("plain-secret", "wrong"),
        };
        let (h, body, event) = signed(&p.name, secret, now());
        // `auto` tells profiles apart by their headers: where an earlier profile has
        // the same ones and the same scheme (Clerk's are Svix's), it is the one
        // reported; where its scheme differs, only trying each candidate could tell,
        // and this loop leaves that profile to the tests that name it.
        let mut list = hookctl::envelope::headers::HeaderList::new();
        for (n, v) in &h {
            list.push(n.clone(), v.clone());
        }
        let detected = catalog.detect(&list).unwrap().map(|d| d.name.clone());
        let reported = match detected {
            Some(d) if d == p.name => d,
            Some(d) if same_scheme(&catalog.get(&d).unwrap(), &p) => d,
            _ => continue,
        };
        let a = post(&l.addr, "/", &h, &body);
        assert_eq!(
            a.status,
            200,
            "{} valid: {}",
            p.name,
            String::from_utf8_lossy(&a.body)
        );
        let (h_bad, body_bad, _) = signed(&p.name, wrong, now());
        let a = post(&l.addr, "/", &h_bad, &body_bad);
        assert_eq!(a.status, 401, "{} invalid", p.name);
        expected += 2;
        let d = l.wait_deliveries(expected);
        let (ok, bad) = (&d[expected - 2], &d[expected - 1]);
        assert_eq!(
            (ok["valid"].as_bool(), ok["profile"].as_str()),
            (Some(true), Some(reported.as_str())),
            "{ok}"
        );
        if reported == p.name && (p.event_header().is_some() || p.event_path.is_some()) {
            assert_eq!(ok["event"].as_str(), Some(event.as_str()), "{ok}");
        }
        assert_eq!(bad["valid"], false);
        assert!(
            bad["reason"]
                .as_str()
                .unwrap()
                .contains("no signature matches"),
            "{bad}"
        );
        if scheme.tolerance.is_some() {
            let (h, body, _) = signed(&p.name, secret, now() - 3600);
            let a = post(&l.addr, "/", &h, &body);
            assert_eq!(a.status, 401, "{} stale", p.name);
            expected += 1;
            let d = l.wait_deliveries(expected);
            assert!(
                d[expected - 1]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("timestamp too old"),
                "{}",
                d[expected - 1]
            );
        }
    }
    // --accept-invalid answers 2xx but still says so
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "github",
            "--secret",
            "k",
            "--accept-invalid",
            "--status",
            "202",
        ],
    );
    let (h, body, _) = signed("github", "not-k", now());
    assert_eq!(post(&l.addr, "/", &h, &body).status, 202);
    assert_eq!(l.wait_deliveries(1)[0]["valid"], false);
}

#[test]
fn duplicates_are_flagged_and_fail_first_scripts_retries() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let store = store.to_str().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--store", store],
        &[
            "-p",
            "hyperleap",
            "--secret",
            "k",
            "--fail-first",
            "2",
            "--retry-after",
            "7",
        ],
    );
    let (h, body, _) = signed("hyperleap", "k", now());
    let answers: Vec<u16> = (0..3)
        .map(|_| post(&l.addr, "/", &h, &body).status)
        .collect();
    assert_eq!(answers, [503, 503, 200]);
    let first = post(&l.addr, "/", &h, &body);
    assert_eq!(first.status, 200, "after N failures the id is accepted");
    let d = l.wait_deliveries(4);
    assert_eq!(
        d.iter()
            .map(|x| x["attempt"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(
        d.iter()
            .map(|x| x["duplicate"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [false, true, true, true]
    );
    drop(l);
    // a restarted listener still knows the id
    let l = Listener::start(
        dir.path(),
        &["--store", store],
        &["-p", "hyperleap", "--secret", "k"],
    );
    let a = post(&l.addr, "/", &h, &body);
    assert_eq!(a.status, 200);
    assert_eq!(l.wait_deliveries(1)[0]["duplicate"], true);
    // a scripted failure carries Retry-After; --fail-rate 1 fails everything
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "hyperleap",
            "--secret",
            "k",
            "--fail-rate",
            "1",
            "--fail-status",
            "500",
            "--retry-after",
            "3",
        ],
    );
    let (h, body, _) = signed("hyperleap", "k", now());
    let a = post(&l.addr, "/", &h, &body);
    assert_eq!(a.status, 500);
    assert!(
        a.headers
            .iter()
            .any(|(n, v)| n == "retry-after" && v == "3")
    );
    // --delay holds the answer back
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "hyperleap", "--secret", "k", "--delay", "300ms"],
    );
    let t = std::time::Instant::now();
    assert_eq!(post(&l.addr, "/", &h, &body).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[test]
fn forwards_byte_exact_and_routes_by_event() {
    let dir = TempDir::new().unwrap();
    let app = TestServer::start(vec![
        Reply::status(201).header("X-App", "yes").body("made it"),
    ]);
    let other = TestServer::start(vec![Reply::status(202)]);
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "agentbot",
            "--secret",
            "k",
            "--path",
            "/hooks",
            "--forward-to",
            &format!("{}/app", other.url),
            "--route",
            &format!("ticket.*={}/tickets", app.url),
        ],
    );
    // a ticket event goes to the route, odd whitespace and non-UTF-8 bytes intact
    let p = Catalog::builtin().get("agentbot").unwrap();
    let body: Vec<u8> =
        b"{\"event\":\"ticket.created\",  \"data\" : {\"x\":\"\xff\xfe\"}}\n\n".to_vec();
    let secrets = [Secret::new("k", "t").unwrap()];
    let vars = p.render_vars(None, "", 0).unwrap();
    let h = p
        .sign(
            &secrets,
            &SignInput {
                body: &body,
                event: Some("ticket.created"),
                id: "d-1",
                timestamp: now(),
                method: "POST",
                path: "/",
                vars: &vars,
            },
        )
        .unwrap();
    let mut headers: Vec<(String, String)> = h
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    headers.push(("X-Rep".into(), "first".into()));
    headers.push(("X-Other".into(), "between".into()));
    headers.push(("X-Rep".into(), "second".into()));
    let a = post(&l.addr, "/hooks/sub/path?q=1&r=%20", &headers, &body);
    assert_eq!(a.status, 201, "the app's status goes back to the sender");
    assert_eq!(a.body, b"made it");
    assert!(a.headers.iter().any(|(n, v)| n == "x-app" && v == "yes"));
    let got = app.requests().pop().unwrap();
    assert_eq!(got.body, body, "byte-exact body");
    // A URL with a path is the exact target; the query comes along.
    assert_eq!(got.path, "/tickets?q=1&r=%20");
    let reps: Vec<&str> = got
        .headers
        .iter()
        .filter(|(n, _)| n == "x-rep")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        reps,
        ["first", "second"],
        "repeated headers keep their order"
    );
    assert_eq!(
        got.header("x-agentbot-signature"),
        h.get("X-Agentbot-Signature")
    );
    let d = &l.wait_deliveries(1)[0];
    assert_eq!(d["valid"], true);
    assert_eq!(d["status"], 201);
    assert!(
        d["forwarded_to"]
            .as_str()
            .unwrap()
            .ends_with("/tickets?q=1&r=%20")
    );

    // any other event goes to --forward-to
    let (h, body, _) = signed("agentbot", "k", now());
    assert_eq!(post(&l.addr, "/hooks", &h, &body).status, 202);
    assert_eq!(other.requests().len(), 1);
    assert_eq!(other.requests()[0].path, "/app");
    // outside --path: 404, nothing forwarded
    assert_eq!(post(&l.addr, "/elsewhere", &h, &body).status, 404);
    assert_eq!(other.requests().len(), 1);

    // an app that is down: 502 and a clear line, no hang
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "agentbot", "--secret", "k", "--forward-to", &down],
    );
    let a = post(&l.addr, "/", &h, &body);
    assert_eq!(a.status, 502);
    let d = &l.wait_deliveries(1)[0];
    assert!(
        d["forward_error"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{d}"
    );
}

#[test]
fn wait_for_exits_on_a_match_or_times_out() {
    let dir = TempDir::new().unwrap();
    let mut l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "hyperleap",
            "--secret",
            "k",
            "--wait-for",
            "lead.*",
            "--timeout",
            "20s",
        ],
    );
    let p = Catalog::builtin().get("hyperleap").unwrap();
    let secrets = [Secret::new("k", "t").unwrap()];
    let send = |event: &str| {
        let e = p.build_event(event, None, None, now()).unwrap();
        let h = p
            .sign(
                &secrets,
                &SignInput {
                    body: &e.body,
                    event: Some(event),
                    id: &e.id,
                    timestamp: now(),
                    method: "POST",
                    path: "/",
                    vars: &e.vars,
                },
            )
            .unwrap();
        post(
            &l.addr,
            "/",
            &h.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
            &e.body,
        )
    };
    assert_eq!(send("conversation.started").status, 200);
    assert!(l.child.try_wait().unwrap().is_none(), "still waiting");
    assert_eq!(send("lead.captured").status, 200, "answered before exiting");
    assert_eq!(l.wait_exit(Duration::from_secs(10)), Some(0));

    let mut l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "hyperleap",
            "--secret",
            "k",
            "--wait-for",
            "lead.*",
            "--timeout",
            "300ms",
        ],
    );
    assert_eq!(l.wait_exit(Duration::from_secs(10)), Some(1));
}

/// POSTs a signed GitHub delivery over HTTPS, trusting only `pem`; the status.
fn post_tls(url: &str, pem: &[u8]) -> u16 {
    let (h, body, _) = signed("github", "k", now());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(pem).unwrap()])
            .build()
            .unwrap();
        let mut req = client.post(url).body(body);
        for (n, v) in &h {
            req = req.header(n, v);
        }
        req.send().await.unwrap().status().as_u16()
    })
}

#[test]
fn tls_with_the_users_certificate_and_key() {
    let dir = TempDir::new().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "github",
            "--secret",
            "k",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(l.url.starts_with("https://"));
    assert_eq!(
        l.listening["data"]["tls_cert"].as_str().unwrap(),
        cert.to_str().unwrap()
    );
    assert_eq!(post_tls(&l.url, made.cert.pem().as_bytes()), 200);
    assert_eq!(l.wait_deliveries(1)[0]["valid"], true);
    // a key that is not a key: a clear error, exit 2
    std::fs::write(&key, "not a key").unwrap();
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "listen",
            "--port",
            "0",
            "-p",
            "github",
            "--secret",
            "k",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("could not read the private key"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn tls_with_a_client_that_trusts_the_printed_certificate() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "github", "--secret", "k", "--tls"],
    );
    assert!(l.url.starts_with("https://127.0.0.1:"));
    let pem = std::fs::read(l.listening["data"]["tls_cert"].as_str().unwrap()).unwrap();
    let fp = l.listening["data"]["tls_fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 32 * 3 - 1);
    assert_eq!(post_tls(&l.url, &pem), 200);
    assert_eq!(l.wait_deliveries(1)[0]["valid"], true);
    // The certificate made for the run goes with it.
    let mut l = l;
    let pem_path = l.listening["data"]["tls_cert"]
        .as_str()
        .unwrap()
        .to_string();
    unsafe {
        libc::kill(l.child.id() as i32, libc::SIGTERM);
    }
    assert_eq!(l.wait_exit(Duration::from_secs(10)), Some(130));
    assert!(
        !std::path::Path::new(&pem_path).exists(),
        "{pem_path} left behind"
    );
}

#[test]
fn oversized_malformed_and_slow_requests_do_not_stop_the_listener() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let l = Listener::start(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &[
            "-p",
            "github",
            "--secret",
            "k",
            "--max-body",
            "1KiB",
            "--read-timeout",
            "500ms",
        ],
    );
    let big = vec![b'x'; 4096];
    assert_eq!(post(&l.addr, "/", &[], &big).status, 413);
    // chunked, no length given up front: the limit still holds
    let mut chunked =
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        chunked.extend(b"400\r\n");
        chunked.extend(vec![b'y'; 1024]);
        chunked.extend(b"\r\n");
    }
    chunked.extend(b"0\r\n\r\n");
    assert_eq!(raw(&l.addr, &chunked).status, 413);
    assert_eq!(raw(&l.addr, b"GARBAGE\r\n\r\n").status, 400);
    // a body that never finishes: 408 after --read-timeout
    let truncated = raw(
        &l.addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
    );
    assert_eq!(truncated.status, 408);
    // still serving, and nothing half-written was recorded
    let (h, body, _) = signed("github", "k", now());
    assert_eq!(post(&l.addr, "/", &h, &body).status, 200);
    let conn = indexed_store(dir.path(), &store);
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn handshakes_and_test_events_are_recognised() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "hover", "--secret", "hover-secret"],
    );
    let p = Catalog::builtin().get("hover").unwrap();
    let e = p
        .build_event("webhook-verification-code", None, None, now())
        .unwrap();
    let secrets = [Secret::new("hover-secret", "t").unwrap()];
    let h = p
        .sign(
            &secrets,
            &SignInput {
                body: &e.body,
                event: Some("webhook-verification-code"),
                id: &e.id,
                timestamp: now(),
                method: "POST",
                path: "/",
                vars: &e.vars,
            },
        )
        .unwrap();
    let headers: Vec<(String, String)> = h
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(post(&l.addr, "/", &headers, &e.body).status, 200);
    let d = &l.wait_deliveries(1)[0];
    assert_eq!(d["valid"], true, "{d}");
    let body: serde_json::Value = serde_json::from_slice(&e.body).unwrap();
    let code = body["code"].as_str().unwrap();
    assert!(
        d["handshake"]
            .as_str()
            .unwrap()
            .contains(&format!("/api/v2/webhooks/{code}/verify")),
        "{d}"
    );

    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "convosphere", "--secret", "k"],
    );
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &l.url,
            "-p",
            "convosphere",
            "-e",
            "webhook.test",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(l.wait_deliveries(1)[0]["test"], true);
}

#[test]
fn sigkill_loses_no_delivery_that_was_answered_2xx() {
    let dir = TempDir::new().unwrap();
    let listen_store = dir.path().join("listen.db");
    let send_store = dir.path().join("send.db");
    let mut l = Listener::start(
        dir.path(),
        &["--store", listen_store.to_str().unwrap()],
        &["-p", "github", "--secret", "k"],
    );
    let sender = std::process::Command::new(assert_cmd::cargo::cargo_bin("hookctl"))
        .current_dir(dir.path())
        .args([
            "--store",
            send_store.to_str().unwrap(),
            "--json",
            "send",
            "--to",
            &l.url,
            "-p",
            "github",
            "-e",
            "push",
            "--secret",
            "k",
            "--count",
            "3000",
            "-c",
            "8",
            "--timeout",
            "2s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // kill -9 the listener while the load runs
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while l.deliveries().len() < 300 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    l.child.kill().unwrap();
    l.child.wait().unwrap();
    let out = sender.wait_with_output().unwrap();
    let summary: Value = serde_json::from_slice(
        out.stdout
            .split(|b| *b == b'\n')
            .find(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();
    let ok = summary["data"]["ok"].as_u64().unwrap();
    assert!(ok >= 300, "{summary}");
    assert!(
        summary["data"]["errors"].as_u64().unwrap() > 0,
        "the listener died mid-run: {summary}"
    );
    // every delivery the sender saw answered 2xx is in the listener's store
    let sent = rusqlite::Connection::open(&send_store).unwrap();
    let mut answered: Vec<String> = sent
        .prepare("SELECT delivery_id FROM deliveries WHERE state = 'delivered'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(answered.len() as u64, ok);
    let got = indexed_store(dir.path(), &listen_store);
    let mut stored: Vec<String> = got
        .prepare("SELECT delivery_id FROM deliveries WHERE state = 'delivered'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    answered.sort();
    stored.sort();
    let missing: Vec<&String> = answered
        .iter()
        .filter(|id| stored.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} answered deliveries are missing from the store",
        missing.len()
    );
}

#[test]
fn deliveries_list_show_export_and_prune() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "agentbot", "--secret", "k"],
    );
    for event in ["ticket.created", "ticket.updated", "message.created"] {
        let o = hookctl(dir.path())
            .args([
                "--store", s, "send", "--to", &l.url, "-p", "agentbot", "-e", event, "--secret",
                "k",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    l.wait_deliveries(3);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "deliveries",
            "list",
            "--event",
            "ticket.*",
            "--direction",
            "in",
        ])
        .output()
        .unwrap();
    let rows = json_lines(&o);
    assert_eq!(
        rows.iter()
            .map(|r| r["data"]["event"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["ticket.updated", "ticket.created"]
    );
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "deliveries",
            "list",
            "--direction",
            "out",
            "--status",
            "delivered",
        ])
        .output()
        .unwrap();
    assert_eq!(json_lines(&o).len(), 3);
    let id = rows[0]["data"]["id"].as_i64().unwrap().to_string();
    // show --raw is a request `verify --request -` accepts
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &id, "--raw"])
        .output()
        .unwrap();
    let v = hookctl(dir.path())
        .args(["verify", "--request", "-", "--secret", "k"])
        .write_stdin(o.stdout)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &id])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("verdict: ✓ valid") && stdout(&o).contains("attempt 1"),
        "{}",
        stdout(&o)
    );
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "export"])
        .output()
        .unwrap();
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l["body"]["text"].is_string()));
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", "9999"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "prune", "--older-than", "1h"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("deleted 0"));
    std::thread::sleep(Duration::from_millis(1100));
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "prune", "--older-than", "1s"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("deleted 6"), "{}", stdout(&o));
}

/// The store keeps a body in one SQLite value (at most 1 GB): `listen` says so at
/// start rather than take bodies it could not record.
#[test]
fn a_max_body_the_store_cannot_hold_is_refused_at_start() {
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args([
            "--store",
            "s.db",
            "listen",
            "--port",
            "0",
            "--max-body",
            "1GiB",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("at most 900MiB while recording"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--no-store"), "{}", stderr(&o));
    // Without the store nothing stands in the way.
    let l = Listener::start(dir.path(), &["--no-store"], &["--max-body", "1GiB"]);
    assert!(l.url.starts_with("http://127.0.0.1:"), "{}", l.url);
    let (h, body, _) = signed("github", "k", now());
    assert_eq!(post(&l.addr, "/", &h, &body).status, 200);
}

/// A SIGTERM right after the `listening` line (a service manager, a script) stops
/// `listen` the graceful way: its handler is set before that line is written.
#[test]
fn sigterm_right_after_listening_is_graceful() {
    let dir = TempDir::new().unwrap();
    for _ in 0..5 {
        let mut l = Listener::start(dir.path(), &["--no-store"], &[]);
        unsafe {
            libc::kill(l.child.id() as i32, libc::SIGTERM);
        }
        assert_eq!(l.wait_exit(Duration::from_secs(10)), Some(130));
    }
}

/// What `listen` committed is in the store for every other command at once, under
/// the ids `listen` printed, while it runs (its journal indexed by the reader) and
/// after it stops (its journal indexed and removed).
#[test]
fn deliveries_are_readable_at_once_under_the_ids_listen_printed() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let mut l = Listener::start(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["-p", "github", "--secret", "k"],
    );
    for _ in 0..3 {
        let (h, body, _) = signed("github", "k", now());
        assert_eq!(post(&l.addr, "/", &h, &body).status, 200);
    }
    let printed: Vec<i64> = l
        .wait_deliveries(3)
        .iter()
        .map(|d| d["id"].as_i64().expect("an id"))
        .collect();
    let listed = |dir: &std::path::Path| -> Vec<i64> {
        let o = hookctl(dir)
            .args([
                "--store",
                store.to_str().unwrap(),
                "--json",
                "deliveries",
                "list",
            ])
            .output()
            .unwrap();
        let mut ids: Vec<i64> = json_lines(&o)
            .iter()
            .map(|d| d["data"]["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(listed(dir.path()), printed, "while listen runs");
    unsafe {
        libc::kill(l.child.id() as i32, libc::SIGTERM);
    }
    assert_eq!(l.wait_exit(Duration::from_secs(10)), Some(130));
    let journals: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("-inbox-"))
        .collect();
    assert!(journals.is_empty(), "left behind: {journals:?}");
    assert_eq!(listed(dir.path()), printed, "after it stopped");
}
