//! `hookctl relay` and `listen --relay` on loopback: the whole path, byte for byte
//! and signed; tokens; the queue across restarts; every refusal.

mod support;
use hookctl::envelope::{Catalog, HeaderList, Secret, SignInput};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::listener::{Answer, Listener, raw};
use support::server::{RawServer, verifies};
use tempfile::TempDir;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A relay on a free port; `args` go after `relay`.
fn relay(dir: &TempDir, args: &[&str]) -> Listener {
    let store = dir.path().join("relay.db");
    let mut all = vec!["relay", "--bind", "127.0.0.1:0"];
    all.extend_from_slice(args);
    Listener::spawn(dir.path(), &["--store", store.to_str().unwrap()], &all, &[])
}

/// The same relay again, on the port it had (after a restart).
fn relay_on(dir: &TempDir, bind: &str, args: &[&str]) -> Listener {
    let store = dir.path().join("relay.db");
    let mut all = vec!["relay", "--bind", bind];
    all.extend_from_slice(args);
    // The old process's port may take a moment to be free.
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        if std::net::TcpListener::bind(bind).is_ok() || Instant::now() > until {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Listener::spawn(dir.path(), &["--store", store.to_str().unwrap()], &all, &[])
}

/// `listen --relay` holding `channel`, with its own store and config directory.
fn client(dir: &TempDir, relay: &Listener, channel: &str, args: &[&str]) -> Listener {
    client_env(dir, relay, channel, args, &[])
}

fn client_env(
    dir: &TempDir,
    relay: &Listener,
    channel: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Listener {
    let store = dir.path().join("listen.db");
    let mut all = vec!["listen", "--relay", &relay.url, "--channel", channel];
    all.extend_from_slice(args);
    Listener::spawn(dir.path(), &["--store", store.to_str().unwrap()], &all, env)
}

/// A request written by hand: `headers` in order, as given.
fn send(relay: &Listener, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        relay.addr
    )
    .into_bytes();
    for (n, v) in headers {
        req.extend(format!("{n}: {v}\r\n").bytes());
    }
    req.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes());
    req.extend(body);
    raw(&relay.addr, &req)
}

/// Standard Webhooks headers for `body`, as a provider sends them.
fn signed(body: &[u8], id: &str) -> Vec<(String, String)> {
    let p = Catalog::builtin().get("standard").unwrap();
    let headers: HeaderList = p
        .sign(
            &[Secret::new(SECRET, "test").unwrap()],
            &SignInput {
                body,
                event: Some("user.created"),
                id,
                timestamp: hookctl::settings::now_unix(),
                method: "POST",
                path: "/",
                vars: &Default::default(),
            },
        )
        .unwrap();
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn token_of(dir: &TempDir) -> String {
    let text =
        std::fs::read_to_string(dir.path().join("config/hookctl/relay-tokens.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let relays = v["relays"].as_object().unwrap();
    let (_, r) = relays.iter().next().unwrap();
    r["tokens"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn deliveries_cross_byte_exact_and_the_apps_answer_comes_back() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    let app = RawServer::start(&[
        b"HTTP/1.1 201 Created\r\nX-App: yes\r\nX-App: again\r\nContent-Length: 4\r\n\r\nmade",
    ]);
    let l = client(
        &dir,
        &r,
        "shop",
        &[
            "-p",
            "standard",
            "--secret",
            SECRET,
            "--forward-to",
            &app.url,
        ],
    );
    // The listening line names the public URL, the relay and the channel.
    assert_eq!(l.listening["data"]["url"], format!("{}/c/shop", r.url));
    assert_eq!(l.listening["data"]["channel"], "shop");
    let bodies: [(&str, &[u8]); 3] = [
        (
            "application/json",
            b"{\n  \"type\": \"user.created\",\n  \"data\": {\"name\": \"Zo\xc3\xab\"}\n}",
        ),
        ("application/x-www-form-urlencoded", b"a=1&b=%20two&a=3"),
        (
            "application/octet-stream",
            b"\x00\x01\xff\xfe binary \r\n\x00",
        ),
    ];
    for (i, (ctype, body)) in bodies.iter().enumerate() {
        let id = format!("msg_{i}");
        let mut headers: Vec<(String, String)> = vec![
            ("X-Dup".into(), "first".into()),
            ("content-TYPE".into(), ctype.to_string()),
        ];
        headers.extend(
            signed(body, &id)
                .into_iter()
                .filter(|(n, _)| n != "Content-Type"),
        );
        headers.push(("x-dup".into(), "second".into()));
        let h: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let a = send(&r, &format!("/c/shop/hooks/in?x={i}&x=again"), &h, body);
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.body, b"made");
        let apps: Vec<&str> = a
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-app"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(apps, ["yes", "again"]);
        let got = app.requests().pop().unwrap();
        assert_eq!(got.path, format!("/hooks/in?x={i}&x=again"));
        assert_eq!(&got.body, body);
        // Every header in order, repeats and name case kept.
        let head = String::from_utf8_lossy(&got.raw_head).to_string();
        let mut at = 0;
        for (n, v) in &headers {
            let line = format!("{n}: {v}\r\n");
            let found = head[at..]
                .find(&line)
                .unwrap_or_else(|| panic!("{line:?} in order in {head}"));
            at += found + line.len();
        }
        assert!(verifies("standard", SECRET, &got));
    }
    let lines = l.wait_deliveries(3);
    assert_eq!(lines.len(), 3);
    for d in &lines {
        assert_eq!(d["valid"], true, "{d}");
        assert!(d.get("held").is_none(), "{d}");
        assert_eq!(d["status"], 201);
    }
    // The token is kept for the owner only and never shown.
    let token = token_of(&dir);
    assert_eq!(token.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("config/hookctl/relay-tokens.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    for text in [
        l.stderr(),
        r.stderr(),
        format!("{:?}", l.lines()),
        format!("{:?}", r.lines()),
    ] {
        assert!(!text.contains(&token), "{text}");
        assert!(
            !text.contains("Zo\u{eb}"),
            "bodies are not the relay's to show: {text}"
        );
    }
}

#[test]
fn a_channel_needs_its_token_and_a_second_client_replaces_the_first() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    let mut first = client(&dir, &r, "team", &[]);
    // Someone else, with another token or none: refused, exit 2, said why.
    let other = TempDir::new().unwrap();
    for env in [vec![("HOOKCTL_RELAY_TOKEN", "0".repeat(64))], vec![]] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let o = support::hookctl(other.path())
            .env("XDG_CONFIG_HOME", other.path().join("config"))
            .envs(env)
            .args([
                "--json",
                "--no-store",
                "listen",
                "--relay",
                &r.url,
                "--channel",
                "team",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = support::stderr(&o);
        assert!(err.contains("refused") && err.contains("token"), "{err}");
    }
    // The same user again (same config directory, so the same token): takes over.
    let second = client(&dir, &r, "team", &[]);
    assert_eq!(second.listening["data"]["url"], format!("{}/c/team", r.url));
    assert_eq!(first.wait_exit(Duration::from_secs(10)), Some(2));
    let a = send(&r, "/c/team/", &[], b"{}");
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    // A damaged token file is said, not written over.
    let broken = TempDir::new().unwrap();
    std::fs::create_dir_all(broken.path().join("config/hookctl")).unwrap();
    std::fs::write(
        broken.path().join("config/hookctl/relay-tokens.json"),
        "{not json",
    )
    .unwrap();
    let o = support::hookctl(broken.path())
        .env("XDG_CONFIG_HOME", broken.path().join("config"))
        .args(["--no-store", "listen", "--relay", &r.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("damaged"),
        "{}",
        support::stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(broken.path().join("config/hookctl/relay-tokens.json")).unwrap(),
        "{not json"
    );
    // A CI job passes the token from the environment.
    let ci = TempDir::new().unwrap();
    let token = token_of(&dir);
    let third = client_env(&ci, &r, "team", &[], &[("HOOKCTL_RELAY_TOKEN", &token)]);
    assert_eq!(third.listening["data"]["channel"], "team");
}

#[test]
fn a_relay_with_a_key_makes_channels_only_for_those_who_give_it() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &["--key", "operator-key"]);
    let o = support::hookctl(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .args(["--no-store", "listen", "--relay", &r.url, "--channel", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("key"),
        "{}",
        support::stderr(&o)
    );
    let l = client_env(&dir, &r, "x", &[], &[("HOOKCTL_RELAY_KEY", "operator-key")]);
    assert_eq!(l.listening["data"]["channel"], "x");
    assert!(!r.stderr().contains("anyone"), "{}", r.stderr());
}

#[test]
fn held_deliveries_survive_a_client_and_a_relay_restart_in_order() {
    let dir = TempDir::new().unwrap();
    let mut r = relay(&dir, &[]);
    let bind = r.addr.clone();
    let l = client(&dir, &r, "away", &["-p", "standard", "--secret", SECRET]);
    drop(l);
    // No client: each delivery is held, answered 202 and marked.
    let mut ids = Vec::new();
    for i in 0..3 {
        let body = format!("{{\"n\":{i}}}");
        let id = format!("msg_held_{i}");
        let h = signed(body.as_bytes(), &id);
        let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let a = wait_for_status(&r, "/c/away/in", &h, body.as_bytes(), 202);
        assert_eq!(header(&a, "x-hookctl-queued"), Some("1"));
        ids.push(id);
    }
    // The relay restarts: what it held is still there.
    let _ = r.child.kill();
    let _ = r.child.wait();
    r = relay_on(&dir, &bind, &[]);
    let l = client(&dir, &r, "away", &["-p", "standard", "--secret", SECRET]);
    let got = l.wait_deliveries(3);
    let order: Vec<&str> = got
        .iter()
        .map(|d| d["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, ids, "handed over oldest first");
    assert!(
        got.iter().all(|d| d["valid"] == true && d["held"] == true),
        "{got:?}"
    );
    assert!(l.stderr().contains("3 deliveries held"), "{}", l.stderr());
    // Let go once answered: the relay's store holds none of them any more, and the
    // next client is told there is nothing held.
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while store.relay_queue_len("away").unwrap() > 0 {
        assert!(Instant::now() < until, "held deliveries were not let go");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(l);
    let _l = client(&dir, &r, "away", &["-p", "standard", "--secret", SECRET]);
    let connected = r
        .wait_line(|v| {
            v["type"] == "relay" && v["data"]["event"] == "connected" && v["data"]["queued"] == 0
        })
        .expect("the relay says the second client had nothing held");
    assert_eq!(connected["data"]["channel"], "away");
}

#[test]
fn a_delivery_in_flight_when_the_client_goes_is_held_not_lost() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    // The client takes 3 s to answer; it is gone before it does.
    let l = client(&dir, &r, "flaky", &["--delay", "3s"]);
    let addr = r.addr.clone();
    let sender = std::thread::spawn(move || {
        let req = format!(
            "POST /c/flaky/x HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}"
        );
        raw(&addr, req.as_bytes())
    });
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    drop(l);
    let a = sender.join().unwrap();
    // Known at once (not after heartbeats), and held.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(header(&a, "x-hookctl-queued"), Some("1"));
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    assert_eq!(store.relay_queue_len("flaky").unwrap(), 1);
}

/// Sends until the relay answers `status` (the client's going away takes a moment to
/// be seen), bounded.
fn wait_for_status(
    r: &Listener,
    path: &str,
    h: &[(&str, &str)],
    body: &[u8],
    status: u16,
) -> Answer {
    let until = Instant::now() + PATIENCE;
    loop {
        let a = send(r, path, h, body);
        if a.status == status || Instant::now() > until {
            assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
            return a;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_client_comes_back_after_the_relay_restarts_under_it() {
    let dir = TempDir::new().unwrap();
    let mut r = relay(&dir, &["--heartbeat", "500ms"]);
    let bind = r.addr.clone();
    let l = client(&dir, &r, "steady", &[]);
    let _ = r.child.kill();
    let _ = r.child.wait();
    assert!(
        l.wait_line(|v| v["type"] == "relay" && v["data"]["state"] == "disconnected")
            .is_some(),
        "{}",
        l.stderr()
    );
    r = relay_on(&dir, &bind, &["--heartbeat", "500ms"]);
    assert!(
        l.wait_line(|v| v["type"] == "relay" && v["data"]["state"] == "connected")
            .is_some(),
        "{}",
        l.stderr()
    );
    let a = send(&r, "/c/steady/after", &[], b"{}");
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(l.wait_deliveries(1)[0]["path"], "/after");
    assert!(l.stderr().contains("relay: disconnected"), "{}", l.stderr());
}

#[test]
fn refusals_404_413_429_503_504_and_no_proxying() {
    let dir = TempDir::new().unwrap();
    let r = relay(
        &dir,
        &[
            "--max-body",
            "1KiB",
            "--rate",
            "1",
            "--response-timeout",
            "1s",
            "--queue-max",
            "1",
        ],
    );
    assert_eq!(send(&r, "/c/nobody/x", &[], b"{}").status, 404);
    assert_eq!(send(&r, "/elsewhere", &[], b"{}").status, 404);
    let l = client(&dir, &r, "slow", &["--delay", "3s"]);
    // Over the body limit.
    assert_eq!(send(&r, "/c/slow/", &[], &[b'x'; 2048]).status, 413);
    // The client does not answer within the response timeout; a second delivery
    // within the same second is rate-limited, and told when to come back.
    let addr = r.addr.clone();
    let first = std::thread::spawn(move || {
        let req = format!(
            "POST /c/slow/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}"
        );
        raw(&addr, req.as_bytes())
    });
    std::thread::sleep(Duration::from_millis(200));
    let a = send(&r, "/c/slow/", &[], b"{}");
    assert_eq!(a.status, 429);
    assert!(header(&a, "retry-after").is_some());
    let a = first.join().unwrap();
    assert_eq!(a.status, 504, "{}", String::from_utf8_lossy(&a.body));
    drop(l);
    // No client: one held, then the queue is full.
    std::thread::sleep(Duration::from_millis(1100));
    let a = wait_for_status(&r, "/c/slow/", &[], b"{}", 202);
    assert_eq!(header(&a, "x-hookctl-queued"), Some("1"));
    std::thread::sleep(Duration::from_millis(1100));
    let a = send(&r, "/c/slow/", &[], b"{}");
    assert_eq!(a.status, 503);
    assert!(header(&a, "retry-after").is_some());
    // An absolute-form target for another host: the relay is no proxy.
    let req =
        "GET http://127.0.0.1:9/c/slow/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(&r.addr, req.as_bytes()).status, 400);
    // `/connect` is for `listen --relay` only.
    let plain = "GET /connect?channel=x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(&r.addr, plain.as_bytes()).status, 400);
    let upgrade = |channel: &str, protocol: &str| {
        format!(
            "GET /connect?channel={channel} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\nConnection: close\r\n\r\n"
        )
    };
    let a = raw(&r.addr, upgrade("No%20Way", "hookctl-relay.2").as_bytes());
    assert_eq!(a.status, 400);
    assert!(String::from_utf8_lossy(&a.body).contains("not a channel name"));
    // A client of another protocol version is told which one this relay speaks.
    let a = raw(&r.addr, upgrade("fine", "hookctl-relay.1").as_bytes());
    assert_eq!(a.status, 400);
    assert!(String::from_utf8_lossy(&a.body).contains("hookctl-relay.2"));
    // `--offline reject`: 503 with Retry-After at once.
    let dir2 = TempDir::new().unwrap();
    let r2 = relay(&dir2, &["--offline", "reject"]);
    drop(client(&dir2, &r2, "gone", &[]));
    let a = wait_for_status(&r2, "/c/gone/", &[], b"{}", 503);
    assert!(header(&a, "retry-after").is_some());
}

#[test]
fn over_tls_the_link_is_wss_and_senders_use_https() {
    let dir = TempDir::new().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let r = relay(
        &dir,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(r.url.starts_with("https://"), "{}", r.url);
    // Without -k the self-signed certificate is refused, and said so.
    let o = support::hookctl(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .args([
            "--no-store",
            "listen",
            "--relay",
            &r.url,
            "--channel",
            "secure",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("TLS"),
        "{}",
        support::stderr(&o)
    );
    let l = client(&dir, &r, "secure", &["-k", "-p", "github", "--secret", "k"]);
    assert!(
        l.listening["data"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let o = support::hookctl(dir.path())
        .args(["--no-store", "send", "-k", "--to"])
        .arg(format!("{}/c/secure/hooks", r.url))
        .args(["-p", "github", "-e", "push", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let got = l.wait_deliveries(1);
    assert_eq!(got[0]["valid"], true);
    assert_eq!(got[0]["path"], "/hooks");
}

/// Under load (five builders on two cores, each test's processes fsyncing), a
/// generous bound: these tests wait for events, the bound only stops a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// Waits (bounded by [`PATIENCE`]) until `n` delivery lines have arrived.
fn deliveries_within(l: &Listener, n: usize) -> Vec<Value> {
    let until = Instant::now() + PATIENCE;
    loop {
        let d = l.deliveries();
        if d.len() >= n || Instant::now() > until {
            return d;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (bounded by [`PATIENCE`]) until a line matches.
fn line_within(l: &Listener, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    let until = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = l.lines().into_iter().find(|v| pred(v)) {
            return Some(v);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `profile`'s headers for `body`, signed by `secret` as of `timestamp` for a
/// request to `path`.
fn signed_as(
    profile: &str,
    secret: &str,
    body: &[u8],
    id: &str,
    timestamp: i64,
    path: &str,
) -> Vec<(String, String)> {
    let p = Catalog::builtin().get(profile).unwrap();
    let event = p.events.keys().next().cloned();
    let vars = p.render_vars(event.as_deref(), id, timestamp).unwrap();
    let headers: HeaderList = p
        .sign(
            &[Secret::new(secret, "test").unwrap()],
            &SignInput {
                body,
                event: event.as_deref(),
                id,
                timestamp,
                method: "POST",
                path,
                vars: &vars,
            },
        )
        .unwrap();
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn pairs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

/// Waits (bounded) until the relay's store holds `n` deliveries for `channel`.
fn wait_held(dir: &TempDir, channel: &str, n: u64) {
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    let until = Instant::now() + PATIENCE;
    loop {
        let held = store.relay_queue_len(channel).unwrap();
        if held == n {
            return;
        }
        assert!(Instant::now() < until, "{held} held, not {n}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_held_delivery_is_judged_as_of_its_arrival_and_signed_paths_are_the_senders() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    drop(client(&dir, &r, "late", &[]));
    // Signed and taken by the relay six minutes ago (the relay's own record of when
    // it took them is moved back: a fake clock for the hold), past every profile's
    // five-minute tolerance by now.
    let then = hookctl::settings::now_unix() - 362;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let profiles = ["standard", "stripe", "svix", "slack"];
    for (i, p) in profiles.iter().enumerate() {
        let body = format!("{{\"n\":{i}}}");
        let h = signed_as(p, secret, body.as_bytes(), &format!("evt_{i}"), then, "/");
        let a = wait_for_status(&r, "/c/late/in", &pairs(&h), body.as_bytes(), 202);
        assert_eq!(header(&a, "x-hookctl-queued"), Some("1"));
    }
    let db = rusqlite::Connection::open(dir.path().join("relay.db")).unwrap();
    db.execute(
        "UPDATE relay_queue SET received_at = received_at - 360000",
        [],
    )
    .unwrap();
    let app = support::server::TestServer::start(vec![support::server::Reply::status(200)]);
    let l = client(
        &dir,
        &r,
        "late",
        &["--secret", secret, "--forward-to", &app.url],
    );
    let got = deliveries_within(&l, profiles.len());
    assert_eq!(got.len(), profiles.len(), "{}", l.stderr());
    for d in &got {
        assert_eq!(d["valid"], true, "{d}");
        assert_eq!(d["held"], true, "{d}");
        assert_eq!(d["held_outcome"], "delivered", "{d}");
        let reason = d["reason"].as_str().unwrap();
        assert!(reason.contains("before the relay took it"), "{reason}");
        assert!(reason.contains(" ago)"), "{reason}");
        assert!(d["relay_received_at"].is_string(), "{d}");
    }
    assert_eq!(app.requests().len(), profiles.len());
    wait_held(&dir, "late", 0);
    // The same rule for what is recorded: as of its arrival it verifies; as of now
    // it is too old.
    let listen_db = dir.path().join("listen.db");
    let verify = |extra: &[&str]| {
        support::hookctl(dir.path())
            .args([
                "--store",
                listen_db.to_str().unwrap(),
                "verify",
                "--secret",
                secret,
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    for d in &got {
        let id = d["id"].as_i64().unwrap().to_string();
        let o = verify(&["--as-of-arrival", &id]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{d}: {}{}",
            support::stdout(&o),
            support::stderr(&o)
        );
        assert!(support::stderr(&o).contains("as of its arrival"));
        let now = hookctl::settings::now_unix().to_string();
        let o = verify(&["--as-of-arrival", &id, "--now", &now]);
        assert_eq!(o.status.code(), Some(1), "{d}: {}", support::stdout(&o));
    }
    // `deliveries list` marks what the relay held, as it marks duplicates and replays.
    let o = support::hookctl(dir.path())
        .args(["--store", listen_db.to_str().unwrap(), "deliveries", "list"])
        .output()
        .unwrap();
    let table = support::stdout(&o);
    assert_eq!(
        table.matches("held by the relay").count(),
        got.len(),
        "{table}"
    );
    // Live, the same stale signature is judged as of now: refused, and the sender
    // (anyone) is told no more than that.
    let h = signed_as("standard", secret, b"{}", "evt_live", then, "/");
    let a = send(&r, "/c/late/in", &pairs(&h), b"{}");
    assert_eq!(a.status, 401);
    let said: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(
        said,
        serde_json::json!({"error": "timestamp out of tolerance"})
    );

    // Hover signs the path: the sender signed the relay's `/c/NAME/…`, the app gets
    // the path below the channel. Live and held.
    let hover_secret = "hover-hmac-secret";
    let hl = client(
        &dir,
        &r,
        "hov",
        &[
            "-p",
            "hover",
            "--secret",
            hover_secret,
            "--forward-to",
            &app.url,
        ],
    );
    let now = hookctl::settings::now_unix();
    let body = br#"{"event":"job-state-changed","job_id":1}"#;
    let h = signed_as("hover", hover_secret, body, "h1", now, "/c/hov/hooks?x=1");
    let a = send(&r, "/c/hov/hooks?x=1", &pairs(&h), body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(app.requests().last().unwrap().path, "/hooks?x=1");
    // The channel's own URL, as printed, with nothing after it.
    let h = signed_as("hover", hover_secret, body, "h2", now, "/c/hov");
    let a = send(&r, "/c/hov", &pairs(&h), body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    drop(hl);
    let h = signed_as("hover", hover_secret, body, "h3", now, "/c/hov/held");
    wait_for_status(&r, "/c/hov/held", &pairs(&h), body, 202);
    let hl = client(
        &dir,
        &r,
        "hov",
        &[
            "-p",
            "hover",
            "--secret",
            hover_secret,
            "--forward-to",
            &app.url,
        ],
    );
    let d = &deliveries_within(&hl, 1)[0];
    assert_eq!(d["valid"], true, "{d}");
    assert_eq!(d["held"], true, "{d}");
    assert_eq!(app.requests().last().unwrap().path, "/held");
    wait_held(&dir, "hov", 0);
    // Recorded, it verifies against the path its sender signed.
    let id = d["id"].as_i64().unwrap().to_string();
    let o = support::hookctl(dir.path())
        .args([
            "--store",
            listen_db.to_str().unwrap(),
            "verify",
            "--secret",
            hover_secret,
        ])
        .args(["--as-of-arrival", &id])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        support::stdout(&o),
        support::stderr(&o)
    );
}

#[test]
fn a_held_delivery_meets_a_down_app_and_is_tried_again_until_it_has_it() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    drop(client(&dir, &r, "down", &[]));
    let body = br#"{"type":"user.created"}"#;
    let h = signed(body, "msg_down");
    let a = wait_for_status(&r, "/c/down/in", &pairs(&h), body, 202);
    assert_eq!(header(&a, "x-hookctl-queued"), Some("1"));
    use support::server::{Reply, TestServer};
    // Down for three tries (503, 500, 429), then up.
    let app = TestServer::start(vec![
        Reply::status(503),
        Reply::status(500),
        Reply::status(429),
        Reply::status(204),
    ]);
    let l = client(
        &dir,
        &r,
        "down",
        &[
            "-p",
            "standard",
            "--secret",
            SECRET,
            "--forward-to",
            &app.url,
            "--speed",
            "1000",
        ],
    );
    let got = deliveries_within(&l, 4);
    let outcomes: Vec<&str> = got
        .iter()
        .map(|d| d["held_outcome"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        outcomes,
        ["retrying", "retrying", "retrying", "delivered"],
        "{got:?}"
    );
    for d in &got[..3] {
        assert!(d["next_try_in_ms"].as_u64().is_some(), "{d}");
        assert_eq!(d["delivery_id"], "msg_down");
        assert_eq!(d["duplicate"], false, "a retry is not a duplicate: {d}");
    }
    let attempts: Vec<u64> = got.iter().map(|d| d["attempt"].as_u64().unwrap()).collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
    wait_held(&dir, "down", 0);
    // Once, and no more.
    let statuses: Vec<u16> = got
        .iter()
        .map(|d| d["status"].as_u64().unwrap() as u16)
        .collect();
    assert_eq!(statuses, [503, 500, 429, 204]);
    assert_eq!(app.requests().len(), 4);
    // Recorded as the attempts of one delivery, which the last one delivered.
    let ids: Vec<i64> = got.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(ids.iter().all(|&i| i == ids[0]), "{ids:?}");
    let o = support::hookctl(dir.path())
        .args(["--store", dir.path().join("listen.db").to_str().unwrap()])
        .args(["--json", "deliveries", "list"])
        .output()
        .unwrap();
    let rows: Vec<Value> = support::json_lines(&o)
        .into_iter()
        .map(|l| l["data"].clone())
        .filter(|d| d["delivery_id"] == "msg_down")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["attempts"], 4, "{}", rows[0]);
    assert_eq!(rows[0]["state"], "delivered", "{}", rows[0]);
    assert_eq!(rows[0]["last_status"], 204, "{}", rows[0]);
    // An answer the provider would not retry (here no profile fits: a provider's
    // usual policy, which does not retry 410) is let go at once; so is a bad
    // signature, which time will not cure.
    drop(l);
    let mut forged = signed(body, "msg_forged");
    forged.retain(|(n, _)| !n.eq_ignore_ascii_case("webhook-signature"));
    forged.push((
        "webhook-signature".into(),
        "v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiAzMiBieXRlcyEhISE=".into(),
    ));
    wait_for_status(&r, "/c/down/in", &pairs(&forged), body, 202);
    let app = TestServer::start(vec![Reply::status(410)]);
    let l = client(
        &dir,
        &r,
        "down",
        &[
            "-p",
            "standard",
            "--secret",
            SECRET,
            "--forward-to",
            &app.url,
        ],
    );
    let d = &deliveries_within(&l, 1)[0];
    assert_eq!(d["held_outcome"], "refused", "{d}");
    assert_eq!(d["valid"], false, "{d}");
    wait_held(&dir, "down", 0);
    assert!(
        app.requests().is_empty(),
        "the forged one never reached the app"
    );
    drop(l);
    wait_for_status(&r, "/c/down/plain", &[], b"{}", 202);
    let l = client(&dir, &r, "down", &["--forward-to", &app.url]);
    let d = &deliveries_within(&l, 1)[0];
    assert_eq!(d["held_outcome"], "refused", "{d}");
    wait_held(&dir, "down", 0);
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn what_the_hold_outlives_is_given_up_recorded_and_told_with_its_replay_command() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &["--queue-ttl", "2s"]);
    drop(client(&dir, &r, "ttl", &[]));
    let body = br#"{"type":"user.created"}"#;
    let h = signed(body, "msg_expired");
    wait_for_status(&r, "/c/ttl/in", &pairs(&h), body, 202);
    // Nobody came for it within the hold: given up, and said.
    line_within(&r, |v| v["data"]["event"] == "expired").expect("the relay gives it up");
    wait_held(&dir, "ttl", 0);
    let l = client(&dir, &r, "ttl", &["--forward-to", "http://127.0.0.1:9/app"]);
    let told = line_within(&l, |v| {
        v["type"] == "relay" && v["data"]["state"] == "given_up"
    })
    .expect("the next listen is told");
    let id = told["data"]["id"].as_i64().expect("recorded");
    assert_eq!(
        told["data"]["replay"],
        format!("hookctl replay {id} --to http://127.0.0.1:9/app")
    );
    assert!(l.stderr().contains("was given up"), "{}", l.stderr());
    // Recorded as failed, with the delivery itself, for `replay` to send again.
    let o = support::hookctl(dir.path())
        .args(["--store", dir.path().join("listen.db").to_str().unwrap()])
        .args(["--json", "deliveries", "show", &id.to_string()])
        .output()
        .unwrap();
    let shown = support::stdout(&o);
    assert!(shown.contains("given up by the relay"), "{shown}");
    assert!(shown.contains("failed"), "{shown}");
    // Told once: the relay keeps the word that it was told.
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    let until = Instant::now() + PATIENCE;
    while !store.relay_untold("ttl", 10).unwrap().is_empty() {
        assert!(
            Instant::now() < until,
            "the relay was not told it was recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A held delivery whose app stays down is given up when the hold would end
    // before the next try, and the client says so.
    let h = signed(body, "msg_down_for_good");
    let app = support::server::TestServer::start(vec![support::server::Reply::status(503)]);
    drop(l);
    wait_for_status(&r, "/c/ttl/in", &pairs(&h), body, 202);
    let l = client(
        &dir,
        &r,
        "ttl",
        &[
            "-p",
            "standard",
            "--secret",
            SECRET,
            "--forward-to",
            &app.url,
        ],
    );
    let d = &deliveries_within(&l, 1)[0];
    assert_eq!(d["held_outcome"], "given_up", "{d}");
    assert!(
        d["held_note"].as_str().unwrap().contains("--queue-ttl"),
        "{d}"
    );
    wait_held(&dir, "ttl", 0);
}

#[test]
fn a_relay_killed_while_it_holds_and_while_one_is_tried_again_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let mut r = relay(&dir, &["--heartbeat", "500ms"]);
    let bind = r.addr.clone();
    drop(client(&dir, &r, "kill", &[]));
    let body = br#"{"type":"user.created"}"#;
    let ids = ["k0", "k1", "k2"];
    for id in ids {
        let h = signed(body, id);
        wait_for_status(&r, "/c/kill/in", &pairs(&h), body, 202);
    }
    use support::server::{Reply, TestServer};
    // The first try fails; the next comes two seconds later (Retry-After), by which
    // time the relay has been killed.
    let app = TestServer::start(vec![
        Reply::status(503).header("Retry-After", "2"),
        Reply::status(200),
    ]);
    let l = client(
        &dir,
        &r,
        "kill",
        &[
            "-p",
            "standard",
            "--secret",
            SECRET,
            "--forward-to",
            &app.url,
        ],
    );
    line_within(&l, |v| {
        v["type"] == "delivery" && v["data"]["held_outcome"] == "retrying"
    })
    .expect("one is being tried again");
    let _ = r.child.kill();
    let _ = r.child.wait();
    r = relay_on(&dir, &bind, &["--heartbeat", "500ms"]);
    let _ = &r;
    let until = Instant::now() + PATIENCE;
    loop {
        let ok: Vec<String> = l
            .deliveries()
            .iter()
            .filter(|d| d["held_outcome"] == "delivered")
            .map(|d| d["delivery_id"].as_str().unwrap().to_string())
            .collect();
        let mut unique = ok.clone();
        unique.sort();
        unique.dedup();
        if unique.len() == ids.len() {
            break;
        }
        assert!(Instant::now() < until, "delivered: {ok:?}; {}", l.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_held(&dir, "kill", 0);
    // Each reached the app with a 2xx answer.
    let answered_ok: Vec<String> = l
        .deliveries()
        .iter()
        .filter(|d| d["status"] == 200)
        .map(|d| d["delivery_id"].as_str().unwrap().to_string())
        .collect();
    for id in ids {
        assert!(answered_ok.iter().any(|x| x == id), "{id}: {answered_ok:?}");
    }
}

#[test]
fn a_second_listen_takes_over_without_doubles() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    use support::server::{Reply, TestServer};
    let slow = TestServer::start(vec![Reply::status(201).delay(Duration::from_secs(2))]);
    let mut first = client(&dir, &r, "twice", &["--forward-to", &slow.url]);
    let token = token_of(&dir);
    let addr = r.addr.clone();
    let sender = std::thread::spawn(move || {
        let req = format!(
            "POST /c/twice/x HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}"
        );
        raw(&addr, req.as_bytes())
    });
    // The delivery is at the first app when the second client takes over.
    let until = Instant::now() + PATIENCE;
    while slow.requests().is_empty() {
        assert!(Instant::now() < until, "the first app never got it");
        std::thread::sleep(Duration::from_millis(20));
    }
    let other = support::server::TestServer::start(vec![Reply::status(200)]);
    let dir2 = TempDir::new().unwrap();
    let store2 = dir2.path().join("listen.db");
    let second = Listener::spawn(
        dir2.path(),
        &["--store", store2.to_str().unwrap()],
        &[
            "listen",
            "--relay",
            &r.url,
            "--channel",
            "twice",
            "--forward-to",
            &other.url,
        ],
        &[("HOOKCTL_RELAY_TOKEN", &token)],
    );
    let a = sender.join().unwrap();
    assert_eq!(
        a.status,
        201,
        "the first app's answer: {}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(first.wait_exit(PATIENCE), Some(2));
    assert!(
        first.stderr().contains("took channel `twice` over"),
        "{}",
        first.stderr()
    );
    // Never held again for the new holder.
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    assert_eq!(store.relay_queue_len("twice").unwrap(), 0);
    let a = send(&r, "/c/twice/y", &[], b"{}");
    assert_eq!(a.status, 200);
    assert_eq!(other.requests().len(), 1, "only the new delivery");
    assert_eq!(slow.requests().len(), 1);
    drop(second);
}

#[test]
fn strangers_are_told_only_what_a_sender_must_know() {
    let dir = TempDir::new().unwrap();
    let app = support::server::TestServer::start(vec![support::server::Reply::status(201)]);
    let mut args = vec!["--forward-to", app.url.as_str()];
    let secrets: Vec<String> = (0..8)
        .map(|i| format!("whsec_{i}{}", &SECRET[7..]))
        .collect();
    for s in &secrets {
        args.extend(["--secret", s.as_str()]);
    }
    let l = Listener::start(dir.path(), &["--no-store"], &args);
    let body = br#"{"type":"user.created"}"#;
    // No signature at all, under auto with secrets: refused, not forwarded.
    let a = support::listener::post(&l.addr, "/", &[], body);
    assert_eq!(a.status, 401);
    let said: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(said, serde_json::json!({"error": "invalid signature"}));
    // A wrong one: no count of secrets, no profile, no expected value.
    let h = signed_as(
        "standard",
        "whsec_bm90IHRoZSBzZWNyZXQ=",
        body,
        "m1",
        hookctl::settings::now_unix(),
        "/",
    );
    let a = support::listener::post(&l.addr, "/", &h, body);
    assert_eq!(a.status, 401);
    let said: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(said, serde_json::json!({"error": "invalid signature"}));
    assert!(
        app.requests().is_empty(),
        "nothing unverified reached the app"
    );
    // The listener's own screen has the detail.
    let d = deliveries_within(&l, 2);
    assert!(
        d[0]["reason"].as_str().unwrap().contains("no profile fits"),
        "{:?}",
        d[0]
    );
    assert!(
        d[1]["reason"].as_str().unwrap().contains("8 secrets"),
        "{:?}",
        d[1]
    );
    // --accept-invalid lets it through, shown ✗.
    let l2 = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "--secret",
            SECRET,
            "--accept-invalid",
            "--forward-to",
            &app.url,
        ],
    );
    let a = support::listener::post(&l2.addr, "/", &[], body);
    assert_eq!(a.status, 201);
    assert_eq!(deliveries_within(&l2, 1)[0]["valid"], false);
    // The app down: the sender is not told its address.
    let l3 = Listener::start(
        dir.path(),
        &["--no-store"],
        &["--forward-to", "http://127.0.0.1:9/secret-app"],
    );
    let a = support::listener::post(&l3.addr, "/", &[], body);
    assert_eq!(a.status, 502);
    assert!(!String::from_utf8_lossy(&a.body).contains("127.0.0.1:9"));
    // The relay: an unknown channel is just that.
    let r = relay(&dir, &[]);
    let a = send(&r, "/c/nobody/x", &[], b"{}");
    assert_eq!(a.status, 404);
    let said: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(said, serde_json::json!({"error": "unknown channel"}));
}

#[test]
fn send_tells_queued_from_delivered_and_a_wrong_relay_url_fails_at_once() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    drop(client(&dir, &r, "empty", &[]));
    let store = dir.path().join("send.db");
    let to = format!("{}/c/empty/in", r.url);
    let send_one = |json: bool| {
        let mut c = support::hookctl(dir.path());
        c.args(["--store", store.to_str().unwrap()]);
        if json {
            c.arg("--json");
        }
        c.args(["send", "-p", "standard", "-e", "user.created"])
            .args(["--secret", SECRET, "--to", &to])
            .output()
            .unwrap()
    };
    let until = Instant::now() + PATIENCE;
    let result = loop {
        let o = send_one(true);
        let lines = support::json_lines(&o);
        let result = lines
            .iter()
            .find(|l| l["type"] == "result")
            .cloned()
            .unwrap();
        if result["data"]["state"] == "queued" || Instant::now() > until {
            assert_eq!(o.status.code(), Some(1), "not counted as delivered");
            break result;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(result["data"]["state"], "queued", "{result}");
    assert_eq!(result["data"]["delivered"], false);
    let o = send_one(false);
    assert!(
        support::stdout(&o).contains("queued by the relay, not yet at the app"),
        "{}",
        support::stdout(&o)
    );
    // A URL with no relay: exit 2 at once, naming it.
    let nothing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = nothing.local_addr().unwrap().port();
    drop(nothing);
    let url = format!("http://127.0.0.1:{port}");
    for wrong in [
        url.clone(),
        support::server::TestServer::start(vec![support::server::Reply::status(404)]).url,
    ] {
        // Bounded: a `listen` that retried for ever would be killed, and fail this.
        let o = support::hookctl(dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .args(["--no-store", "listen", "--relay", &wrong])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
        assert!(
            support::stderr(&o).contains(&wrong),
            "{}",
            support::stderr(&o)
        );
    }
}

#[test]
fn tokens_status_and_a_relay_stopped_by_sigterm() {
    let dir = TempDir::new().unwrap();
    let mut r = relay(&dir, &["--key", "k3y"]);
    let bind = r.addr.clone();
    let l = client_env(&dir, &r, "mine", &[], &[("HOOKCTL_RELAY_KEY", "k3y")]);
    // The token, printed for a CI secret: the one this machine keeps.
    let o = support::hookctl(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .args([
            "listen",
            "--relay",
            &r.url,
            "--channel",
            "mine",
            "--print-token",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    assert_eq!(support::stdout(&o).trim(), token_of(&dir));
    // Elsewhere, with no token: told where it lives and how to pass it.
    let other = TempDir::new().unwrap();
    let o = support::hookctl(other.path())
        .env("XDG_CONFIG_HOME", other.path().join("config"))
        .env_remove("HOOKCTL_RELAY_TOKEN")
        .args([
            "--no-store",
            "listen",
            "--relay",
            &r.url,
            "--channel",
            "mine",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("HOOKCTL_RELAY_TOKEN"),
        "{}",
        support::stderr(&o)
    );
    // The refusal is logged with the address it came from; an address that keeps
    // guessing is told to wait.
    let refused = line_within(&r, |v| v["data"]["event"] == "refused").expect("logged");
    assert_eq!(refused["data"]["from"], "127.0.0.1");
    let guess = format!(
        "GET /connect?channel=mine HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: hookctl-relay.2\r\nAuthorization: Bearer {}\r\n\r\n",
        r.addr,
        "0".repeat(64)
    );
    let statuses: Vec<u16> = (0..25)
        .map(|_| raw(&r.addr, guess.as_bytes()).status)
        .collect();
    assert!(statuses[..19].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    // The relay's state, behind its key.
    let status = |key: &str| {
        support::hookctl(dir.path())
            .args(["--json", "relay", "status", "--relay", &r.url, "--key", key])
            .output()
            .unwrap()
    };
    let o = status("k3y");
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let v = &support::json_lines(&o)[0]["data"];
    let mine = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "mine")
        .unwrap();
    assert_eq!(mine["connected"], true);
    assert_eq!(mine["held"], 0);
    assert_eq!(status("wrong").status.code(), Some(2));
    let a = send(&r, "/status", &[], b"");
    assert_ne!(a.status, 200);
    // SIGTERM: the link is closed with a reason; listen says so and comes back.
    unsafe {
        libc::kill(r.child.id() as i32, libc::SIGTERM);
    }
    assert!(r.wait_exit(PATIENCE).is_some());
    let lost = line_within(&l, |v| {
        v["type"] == "relay" && v["data"]["state"] == "disconnected"
    })
    .expect("listen saw the relay go");
    assert_eq!(
        lost["data"]["reason"], "the relay is shutting down",
        "{lost}"
    );
    r = relay_on(&dir, &bind, &["--key", "k3y"]);
    assert!(
        line_within(&l, |v| v["type"] == "relay"
            && v["data"]["state"] == "connected")
        .is_some(),
        "{}",
        l.stderr()
    );
    assert_eq!(send(&r, "/c/mine/", &[], b"{}").status, 200);
}

#[test]
fn held_bytes_are_capped_per_channel_and_in_all_and_unknown_channels_are_refused_unread() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &["--channel-bytes", "1KiB", "--queue-bytes", "1500B"]);
    for c in ["a", "b", "c"] {
        drop(client(&dir, &r, c, &[]));
    }
    let body = vec![b'x'; 600];
    wait_for_status(&r, "/c/a/", &[], &body, 202);
    // The channel's cap: a second one would pass 1 KiB.
    let a = send(&r, "/c/a/", &[], &body);
    assert_eq!(a.status, 503);
    assert!(String::from_utf8_lossy(&a.body).contains("channel's queue is full"));
    assert!(header(&a, "retry-after").is_some());
    // The relay's cap: a third channel has room of its own, but not the relay.
    wait_for_status(&r, "/c/b/", &[], &body, 202);
    let a = send(&r, "/c/c/", &[], &body);
    assert_eq!(a.status, 503);
    assert!(String::from_utf8_lossy(&a.body).contains("relay's queue is full"));
    // Once handed over and answered, the room is back.
    let l = client(&dir, &r, "a", &[]);
    deliveries_within(&l, 1);
    wait_held(&dir, "a", 0);
    drop(l);
    wait_for_status(&r, "/c/c/", &[], &body, 202);
    // A delivery for an unknown channel is refused on its head: the relay never
    // reads the gigabyte it announces.
    let mut s = std::net::TcpStream::connect(&r.addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"POST /c/nobody/x HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let a = support::listener::parse_answer(&buf);
    assert_eq!(a.status, 404);
}

#[test]
fn the_channel_namespace_is_bounded_and_kept_tidy() {
    let dir = TempDir::new().unwrap();
    let r = relay(
        &dir,
        &[
            "--key",
            "k3y",
            "--create-rate",
            "2",
            "--channel-idle",
            "2s",
            "--max-links",
            "2",
            "--max-connections",
            "50",
        ],
    );
    let key = [("HOOKCTL_RELAY_KEY", "k3y")];
    // A third client, for a channel of its own, run to its end.
    let third = || {
        support::hookctl(dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("HOOKCTL_RELAY_KEY", "k3y")
            .args([
                "--no-store",
                "listen",
                "--relay",
                &r.url,
                "--channel",
                "three",
            ])
            .output()
            .unwrap()
    };
    let one = client_env(&dir, &r, "one", &[], &key);
    let two = client_env(&dir, &r, "two", &[], &key);
    // Links have a cap of their own, below the connections senders need.
    let o = third();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("--max-links"),
        "{}",
        support::stderr(&o)
    );
    assert_eq!(send(&r, "/c/one/", &[], b"{}").status, 200);
    drop(two);
    // Two channels an hour from one address: the third is refused.
    let o = third();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("--create-rate"),
        "{}",
        support::stderr(&o)
    );
    // `two`, unused for --channel-idle and holding nothing, is deleted; `one`,
    // connected, stays.
    let gone = line_within(&r, |v| {
        v["data"]["event"] == "deleted" && v["data"]["channel"] == "two"
    })
    .expect("the unused channel is deleted");
    assert_eq!(gone["data"]["dropped"], 0);
    assert_eq!(send(&r, "/c/two/", &[], b"{}").status, 404);
    assert_eq!(send(&r, "/c/one/", &[], b"{}").status, 200);
    // The operator deletes a channel by name, with what it holds.
    drop(one);
    wait_for_status(&r, "/c/one/", &[], b"{}", 202);
    let o = support::hookctl(dir.path())
        .args([
            "relay", "channels", "prune", "--relay", &r.url, "--key", "k3y", "one",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    assert!(
        support::stdout(&o).contains("deleted one and the 1 deliveries it held"),
        "{}",
        support::stdout(&o)
    );
    let o = support::hookctl(dir.path())
        .args([
            "--json", "relay", "channels", "list", "--relay", &r.url, "--key", "k3y",
        ])
        .output()
        .unwrap();
    let v = &support::json_lines(&o)[0]["data"];
    assert!(v["channels"].as_array().unwrap().is_empty(), "{v}");
    // `/connect` in absolute form is no link.
    let abs = format!(
        "GET http://{}/connect?channel=x HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: hookctl-relay.2\r\nConnection: close\r\n\r\n",
        r.addr, r.addr
    );
    assert_eq!(raw(&r.addr, abs.as_bytes()).status, 400);
    // Reachable from elsewhere with no key: only with --open.
    let o = support::hookctl(dir.path())
        .args(["--no-store", "relay", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("--open"),
        "{}",
        support::stderr(&o)
    );
}

#[test]
fn a_client_that_reads_nothing_is_dropped_and_what_it_was_sent_is_held() {
    use std::io::{Read, Write};
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &["--heartbeat", "500ms", "--response-timeout", "3s"]);
    // A link made by hand: it pings, so it looks alive, and never reads again.
    let mut s = std::net::TcpStream::connect(&r.addr).unwrap();
    s.write_all(
        format!(
            "GET /connect?channel=park HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: hookctl-relay.2\r\n\r\n",
            r.addr
        )
        .as_bytes(),
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pinger = {
        let mut s = s.try_clone().unwrap();
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            // A masked, empty ping, as a client sends it.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if s.write_all(&[0x89, 0x80, 1, 2, 3, 4]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    line_within(&r, |v| {
        v["data"]["event"] == "connected" && v["data"]["channel"] == "park"
    })
    .expect("the link is up");
    // More than the link may keep waiting for it (16 MiB), at once.
    let senders: Vec<_> = (0..48)
        .map(|_| {
            let addr = r.addr.clone();
            std::thread::spawn(move || {
                let body = vec![b'x'; 1 << 20];
                let req = format!(
                    "POST /c/park/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let mut all = req.into_bytes();
                all.extend_from_slice(&body);
                raw(&addr, &all).status
            })
        })
        .collect();
    let statuses: Vec<u16> = senders.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        statuses.iter().all(|s| *s == 202 || *s == 504),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&202),
        "the full link's deliveries are held: {statuses:?}"
    );
    line_within(&r, |v| v["data"]["event"] == "not_reading")
        .expect("the link that reads nothing is dropped");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = pinger.join();
    let store = hookctl::store::Store::open_existing(&dir.path().join("relay.db")).unwrap();
    let held = store.relay_queue_len("park").unwrap();
    assert_eq!(held, statuses.iter().filter(|s| **s == 202).count() as u64);
}

#[test]
fn a_relay_url_that_never_answers_is_given_up_on_not_waited_for() {
    // Accepts connections and says nothing, in plain TCP and where TLS is expected.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().take(2) {
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(25));
    });
    let dir = TempDir::new().unwrap();
    for scheme in ["http", "https"] {
        let url = format!("{scheme}://{addr}");
        let o = support::hookctl(dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .args(["--no-store", "listen", "--relay", &url])
            .timeout(PATIENCE)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
        assert!(
            support::stderr(&o).contains("within 10s"),
            "{}",
            support::stderr(&o)
        );
    }
    drop(keep);
}

#[test]
fn a_clients_101_never_turns_a_senders_connection_into_a_link() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    let _l = client(&dir, &r, "sly", &["--status", "101"]);
    let req = format!(
        "POST /c/sly/ HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 2\r\n\r\n{{}}",
        r.addr
    );
    let a = raw(&r.addr, req.as_bytes());
    assert_eq!(a.status, 502, "{}", String::from_utf8_lossy(&a.body));
    let links = r
        .lines()
        .iter()
        .filter(|v| v["data"]["event"] == "connected")
        .count();
    assert_eq!(links, 1, "only the client's own link");
}

#[test]
fn a_live_delivery_waits_its_turn_behind_held_ones() {
    let dir = TempDir::new().unwrap();
    let r = relay(&dir, &[]);
    drop(client(&dir, &r, "ord", &[]));
    // More held than a client is handed at once (256).
    let n = 300;
    wait_for_status(&r, "/c/ord/0", &[], b"{}", 202);
    for i in 1..n {
        assert_eq!(send(&r, &format!("/c/ord/{i}"), &[], b"{}").status, 202);
    }
    let l = client(&dir, &r, "ord", &["--delay", "10ms"]);
    line_within(&l, |v| v["type"] == "delivery").expect("the hand-over began");
    // Live, while the backlog is being handed over: held behind it, not ahead.
    let a = send(&r, "/c/ord/live", &[], b"{}");
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let got = deliveries_within(&l, n + 1);
    let paths: Vec<&str> = got.iter().map(|d| d["path"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..n)
        .map(|i| format!("/{i}"))
        .chain(["/live".to_string()])
        .collect();
    assert_eq!(paths, expected);
}
