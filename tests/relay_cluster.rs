//! Relay nodes that share channels over NATS, on loopback: a real three-server NATS
//! cluster (nats-server with `--cluster` routes and JetStream in a temporary
//! directory, on free ports), two or three `hookctl relay --nats` nodes, `listen
//! --relay` and an app. Deliveries cross nodes byte for byte; a channel changes
//! node; relay nodes and a NATS server are killed under load; whatever a node
//! answered 202 reaches the app.
//!
//! Needs `nats-server` (Debian's package; `.ci/run` installs it). Without it each
//! test says so and passes nothing off as tested.

mod support;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::listener::{Answer, Listener, raw};
use support::server::{RawServer, Reply, TestServer};
use tempfile::TempDir;

const PATIENCE: Duration = Duration::from_secs(20);
const KEY: &str = "cluster-operator-key";

fn nats_server() -> Option<&'static str> {
    [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
}

/// Skips a test (loudly) where nats-server is not installed.
macro_rules! need_nats {
    () => {
        if nats_server().is_none() {
            eprintln!(
                "SKIPPED: nats-server is not installed (apt-get install nats-server); the cluster is not tested"
            );
            return;
        }
    };
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A NATS cluster of three servers with JetStream, on loopback.
struct Nats {
    servers: Vec<Option<Child>>,
    ports: Vec<u16>,
    dir: TempDir,
}

impl Nats {
    /// Starts three servers (`max_payload` in bytes, the server's default if
    /// `None`) and waits (bounded) until JetStream has its leader.
    fn start(max_payload: Option<usize>) -> Nats {
        let dir = TempDir::new().unwrap();
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let route_list = routes
            .iter()
            .map(|p| format!("nats-route://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut servers = Vec::new();
        for i in 0..3 {
            let store = dir.path().join(format!("n{i}"));
            let conf = dir.path().join(format!("n{i}.conf"));
            let payload = max_payload
                .map(|p| format!("max_payload: {p}\n"))
                .unwrap_or_default();
            std::fs::write(
                &conf,
                format!(
                    "server_name: n{i}\nlisten: 127.0.0.1:{}\n{payload}ping_interval: \"2s\"\njetstream {{ store_dir: \"{}\" }}\ncluster {{ name: hk, listen: 127.0.0.1:{}, routes: [{route_list}] }}\n",
                    ports[i],
                    store.display(),
                    routes[i]
                ),
            )
            .unwrap();
            servers.push(Some(Nats::spawn(&dir, i, &conf)));
        }
        let nats = Nats {
            servers,
            ports,
            dir,
        };
        nats.wait_ready();
        nats
    }

    fn spawn(dir: &TempDir, i: usize, conf: &std::path::Path) -> Child {
        let log = std::fs::File::create(dir.path().join(format!("n{i}.log"))).unwrap();
        Command::new(nats_server().unwrap())
            .arg("-c")
            .arg(conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    fn logs(&self) -> String {
        (0..3)
            .map(|i| {
                std::fs::read_to_string(self.dir.path().join(format!("n{i}.log")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn wait_ready(&self) {
        let until = Instant::now() + PATIENCE;
        while !self
            .logs()
            .contains("JetStream cluster new metadata leader")
        {
            assert!(
                Instant::now() < until,
                "no JetStream leader: {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every server's URL, comma-separated.
    fn urls(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("nats://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Kills server `i` outright.
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.servers[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        for i in 0..3 {
            self.kill(i);
        }
    }
}

/// A relay node on a free port (or `bind`), in the cluster.
fn node(dir: &TempDir, nats: &str, bind: &str, args: &[&str]) -> Listener {
    let mut all = vec![
        "relay",
        "--bind",
        bind,
        "--nats",
        nats,
        "--key",
        KEY,
        "--node-name",
    ];
    let name = format!("node-{}", free_port());
    all.push(&name);
    all.extend_from_slice(args);
    Listener::spawn(dir.path(), &["--no-store"], &all, &[])
}

/// `listen --relay URLS` for `channel`, forwarding to `app`, with its own store.
fn listen(dir: &TempDir, urls: &str, channel: &str, app: &str, env: &[(&str, &str)]) -> Listener {
    let store = dir.path().join("listen.db");
    Listener::spawn(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &[
            "listen",
            "--relay",
            urls,
            "--channel",
            channel,
            "--relay-key",
            KEY,
            "--forward-to",
            app,
        ],
        env,
    )
}

/// The token `listen` kept for the channel it made.
fn token_of(dir: &TempDir) -> String {
    let text =
        std::fs::read_to_string(dir.path().join("config/hookctl/relay-tokens.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let (_, r) = v["relays"].as_object().unwrap().iter().next().unwrap();
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

fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut req =
        format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
    for (n, v) in headers {
        req.extend(format!("{n}: {v}\r\n").bytes());
    }
    req.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes());
    req.extend(body);
    raw(addr, &req)
}

/// POSTs with a bounded wait; `None` when the node is gone (refused or reset).
fn try_post(addr: &str, path: &str, body: &[u8]) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend(body);
    s.write_all(&req).ok()?;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let line = String::from_utf8_lossy(&buf);
    line.split_whitespace().nth(1)?.parse().ok()
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The bodies an app got, counted.
fn bodies(app: &TestServer) -> HashMap<Vec<u8>, usize> {
    let mut m = HashMap::new();
    for r in app.requests() {
        *m.entry(r.body).or_insert(0) += 1;
    }
    m
}

/// Waits (bounded) until every body in `want` has reached one of `apps`; the ones
/// that never did.
fn wait_all_reached(
    apps: &[&TestServer],
    want: &HashSet<Vec<u8>>,
    within: Duration,
) -> Vec<String> {
    let until = Instant::now() + within;
    loop {
        let got: HashSet<Vec<u8>> = apps.iter().flat_map(|a| bodies(a).into_keys()).collect();
        let missing: Vec<String> = want
            .iter()
            .filter(|b| !got.contains(*b))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        if missing.is_empty() || Instant::now() > until {
            return missing;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits (bounded) until `node`'s log has a line matching.
fn node_logged(n: &Listener, pred: impl Fn(&Value) -> bool) -> bool {
    n.wait_line(|l| l["type"] == "relay" && pred(&l["data"]))
        .is_some()
}

/// Sends `count` deliveries (bodies `{tag}-{i}`) to the nodes in turn from
/// `threads` threads; each body with the status it got (`None`: no answer).
fn load(
    addrs: &[String],
    channel: &str,
    tag: &str,
    count: usize,
    threads: usize,
    pause: Duration,
) -> Vec<(Vec<u8>, Option<u16>)> {
    let out = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let addrs = addrs.to_vec();
            let out = Arc::clone(&out);
            let channel = channel.to_string();
            let tag = tag.to_string();
            std::thread::spawn(move || {
                for i in (t..count).step_by(threads) {
                    let body = format!("{tag}-{i}").into_bytes();
                    let addr = &addrs[i % addrs.len()];
                    let status = try_post(addr, &format!("/c/{channel}/in"), &body);
                    out.lock().unwrap().push((body, status));
                    std::thread::sleep(pause);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    Arc::try_unwrap(out).unwrap().into_inner().unwrap()
}

/// What was accepted (the app's 2xx or the relay's 202) must reach an app.
fn accepted(sent: &[(Vec<u8>, Option<u16>)]) -> HashSet<Vec<u8>> {
    sent.iter()
        .filter(|(_, s)| s.is_some_and(|s| (200..300).contains(&s)))
        .map(|(b, _)| b.clone())
        .collect()
}

/// How many got each answer (for the test's log).
fn tally(what: &str, sent: &[(Vec<u8>, Option<u16>)]) {
    let mut m = std::collections::BTreeMap::new();
    for (_, s) in sent {
        *m.entry(*s).or_insert(0) += 1;
    }
    eprintln!("{what}: {m:?}");
}

fn count(sent: &[(Vec<u8>, Option<u16>)], status: u16) -> usize {
    sent.iter().filter(|(_, s)| *s == Some(status)).count()
}

#[test]
fn a_delivery_entering_at_another_node_reaches_the_app_byte_exact_with_its_answer() {
    need_nats!();
    let nats = Nats::start(Some(8 << 20));
    let dir = TempDir::new().unwrap();
    let a = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let b = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let app = RawServer::start(&[
        b"HTTP/1.1 201 Created\r\nX-App: yes\r\nx-APP: again\r\nContent-Length: 4\r\n\r\nmade",
    ]);
    let ldir = TempDir::new().unwrap();
    let l = listen(&ldir, &a.url, "shop", &app.url, &[]);
    assert_eq!(l.listening["data"]["channel"], "shop");
    let body: &[u8] = b"\x00\x01\xff binary \r\n{\"name\":\"Zo\xc3\xab\"}";
    let headers = [
        ("X-Dup", "first"),
        ("content-TYPE", "application/octet-stream"),
        ("X-Signature", "t=1,v1=abc"),
        ("x-dup", "second"),
    ];
    // Through the node that does not hold the channel, then the one that does.
    for (i, entry) in [&b, &a].into_iter().enumerate() {
        let got = post(
            &entry.addr,
            &format!("/c/shop/hooks/in?x={i}&x=again"),
            &headers,
            body,
        );
        assert_eq!(got.status, 201, "{}", String::from_utf8_lossy(&got.body));
        assert_eq!(got.body, b"made");
        let apps: Vec<&str> = got
            .headers
            .iter()
            .filter(|(n, _)| n == "x-app")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(apps, ["yes", "again"], "the app's headers, in order");
        let at = app.requests().pop().unwrap();
        assert_eq!(at.path, format!("/hooks/in?x={i}&x=again"));
        assert_eq!(at.body, body);
        let head = String::from_utf8_lossy(&at.raw_head).to_string();
        let mut from = 0;
        for (n, v) in headers {
            let line = format!("{n}: {v}\r\n");
            let found = head[from..]
                .find(&line)
                .unwrap_or_else(|| panic!("{line:?} in order in {head}"));
            from += found + line.len();
        }
    }
    assert_eq!(app.requests().len(), 2);
    // An unknown channel is unknown at every node.
    assert_eq!(post(&b.addr, "/c/nobody/x", &[], b"{}").status, 404);
    // `relay status` at the other node shows both nodes' view: this node, the
    // cluster, and the channel held at node A.
    let out = support::hookctl(dir.path())
        .args(["--json", "relay", "status", "--relay", &b.url, "--key", KEY])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let v = &support::json_lines(&out)[0]["data"];
    assert!(v["node"].as_str().unwrap().starts_with("node-"), "{v}");
    assert_eq!(v["cluster"]["nats_connected"], true, "{v}");
    assert_eq!(v["cluster"]["replicas"], 3, "{v}");
    let shop = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "shop")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(shop["connected"], true);
    assert_eq!(shop["here"], false);
    let holder = shop["node"].as_str().unwrap();
    assert!(holder.starts_with("node-") && holder != v["node"], "{v}");
    let human = support::hookctl(dir.path())
        .args(["relay", "status", "--relay", &b.url, "--key", KEY])
        .output()
        .unwrap();
    let text = support::stdout(&human);
    assert!(text.contains("cluster: NATS n"), "{text}");
    drop(l);
}

#[test]
fn a_channel_moves_to_a_listen_on_another_node_with_nothing_at_both_apps_and_nothing_lost() {
    need_nats!();
    let nats = Nats::start(Some(8 << 20));
    let dir = TempDir::new().unwrap();
    let a = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let b = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let first_app = TestServer::start(vec![Reply::status(200).delay(Duration::from_millis(30))]);
    let second_app = TestServer::start(vec![Reply::status(200)]);
    let d1 = TempDir::new().unwrap();
    let mut first = listen(&d1, &a.url, "moving", &first_app.url, &[]);
    let token = token_of(&d1);
    // Deliveries keep coming through both nodes while the channel changes hands.
    let addrs = vec![a.addr.clone(), b.addr.clone()];
    let sender =
        std::thread::spawn(move || load(&addrs, "moving", "h", 120, 2, Duration::from_millis(10)));
    std::thread::sleep(Duration::from_millis(400));
    let d2 = TempDir::new().unwrap();
    let second = listen(
        &d2,
        &b.url,
        "moving",
        &second_app.url,
        &[("HOOKCTL_RELAY_TOKEN", &token)],
    );
    let sent = sender.join().unwrap();
    tally("hand-over", &sent);
    // The first `listen` was told, as on one relay, and stops.
    assert_eq!(first.wait_exit(PATIENCE), Some(2));
    assert!(
        first.stderr().contains("took channel `moving` over"),
        "{}",
        first.stderr()
    );
    let want = accepted(&sent);
    let missing = wait_all_reached(&[&first_app, &second_app], &want, PATIENCE);
    assert!(
        missing.is_empty(),
        "answered 2xx/202 but never at an app: {missing:?}"
    );
    let one = bodies(&first_app);
    let two = bodies(&second_app);
    let both: Vec<_> = one.keys().filter(|b| two.contains_key(*b)).collect();
    assert!(both.is_empty(), "at both apps: {both:?}");
    assert!(
        !one.is_empty() && !two.is_empty(),
        "each app had some: {} / {}",
        one.len(),
        two.len()
    );
    // Nothing answered but 2xx, 202, or 504 (outcome unknown, never 202).
    for (b, s) in &sent {
        assert!(
            matches!(s, Some(200) | Some(202) | Some(504)),
            "{}: {s:?}",
            String::from_utf8_lossy(b)
        );
    }
    // Now the channel is the second listen's, from either node.
    let n = second_app.requests().len();
    assert_eq!(post(&a.addr, "/c/moving/after", &[], b"after").status, 200);
    assert_eq!(second_app.requests().len(), n + 1);
    assert!(node_logged(&b, |d| d["event"] == "taken_over"
        || d["event"] == "handover_timeout"));
    drop(second);
}

#[test]
fn nodes_killed_lose_nothing_answered_202_and_a_listen_moves_to_the_next_node() {
    need_nats!();
    let nats = Nats::start(Some(8 << 20));
    let dir = TempDir::new().unwrap();
    // A delivery in flight at a node that dies is answered 504 once the response
    // timeout has passed: short here.
    let fast = ["--response-timeout", "2s"];
    let mut a = node(&dir, &nats.urls(), "127.0.0.1:0", &fast);
    let mut b = node(&dir, &nats.urls(), "127.0.0.1:0", &fast);
    let c = node(&dir, &nats.urls(), "127.0.0.1:0", &fast);
    let all = format!("{},{},{}", a.url, b.url, c.url);
    let app = TestServer::start(vec![Reply::status(200)]);
    let ldir = TempDir::new().unwrap();
    drop(listen(&ldir, &all, "kept", &app.url, &[]));
    // Held by node A while the channel's listen is away; then A is killed.
    let mut held = HashSet::new();
    let until = Instant::now() + PATIENCE;
    for i in 0..5 {
        let body = format!("held-{i}").into_bytes();
        loop {
            // The old link's claim goes when the node sees the link end.
            let got = post(&a.addr, "/c/kept/x", &[], &body);
            if got.status == 202 {
                assert_eq!(header(&got, "x-hookctl-queued"), Some("1"));
                break;
            }
            assert!(Instant::now() < until, "{}", got.status);
            std::thread::sleep(Duration::from_millis(50));
        }
        held.insert(body);
    }
    a.child.kill().unwrap();
    let _ = a.child.wait();
    // The listen finds A gone, takes the next node (B), and gets what A held.
    let l = listen(&ldir, &all, "kept", &app.url, &[]);
    assert!(
        l.listening["data"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&b.url),
        "{}",
        l.listening
    );
    let missing = wait_all_reached(&[&app], &held, PATIENCE);
    assert!(missing.is_empty(), "held by the killed node: {missing:?}");
    // Deliveries keep entering at C while B, which holds the channel, is killed:
    // the listen moves to C by itself.
    let addrs = vec![c.addr.clone()];
    let sender =
        std::thread::spawn(move || load(&addrs, "kept", "k", 120, 2, Duration::from_millis(10)));
    std::thread::sleep(Duration::from_millis(300));
    b.child.kill().unwrap();
    let _ = b.child.wait();
    let sent = sender.join().unwrap();
    tally("holding node killed", &sent);
    let want = accepted(&sent);
    let missing = wait_all_reached(&[&app], &want, PATIENCE);
    assert!(
        missing.is_empty(),
        "answered 2xx/202 ({} and {}) but never at the app: {missing:?}",
        count(&sent, 200),
        count(&sent, 202)
    );
    for (body, s) in &sent {
        assert!(
            matches!(s, Some(200) | Some(202) | Some(504)),
            "{}: {s:?}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(
        l.wait_line(|x| x["type"] == "relay"
            && x["data"]["state"] == "connected"
            && x["data"]["url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&c.url)))
            .is_some(),
        "{:?}\n{}",
        l.lines(),
        l.stderr()
    );
    // Node A comes back on its port while C keeps serving: both deliver.
    let a2 = node(&dir, &nats.urls(), &a.addr, &fast);
    for entry in [&a2, &c] {
        let n = app.requests().len();
        let got = post(&entry.addr, "/c/kept/again", &[], b"again");
        assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
        assert_eq!(app.requests().len(), n + 1);
    }
    drop(l);
}

#[test]
fn a_nats_server_killed_under_load_loses_nothing_answered_202() {
    need_nats!();
    let mut nats = Nats::start(Some(8 << 20));
    let dir = TempDir::new().unwrap();
    let a = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let b = node(&dir, &nats.urls(), "127.0.0.1:0", &[]);
    let app = TestServer::start(vec![Reply::status(200)]);
    // The channel exists; its listen is away for the first half, so that half is
    // held in JetStream while a NATS server dies.
    let ldir = TempDir::new().unwrap();
    drop(listen(&ldir, &a.url, "load", &app.url, &[]));
    let addrs = vec![a.addr.clone(), b.addr.clone()];
    let sender = {
        let addrs = addrs.clone();
        std::thread::spawn(move || load(&addrs, "load", "q", 160, 4, Duration::from_millis(5)))
    };
    std::thread::sleep(Duration::from_millis(300));
    nats.kill(1);
    let mut sent = sender.join().unwrap();
    let token = token_of(&ldir);
    let l = listen(
        &ldir,
        &format!("{},{}", b.url, a.url),
        "load",
        &app.url,
        &[("HOOKCTL_RELAY_TOKEN", &token)],
    );
    sent.extend(load(&addrs, "load", "live", 60, 4, Duration::ZERO));
    tally("NATS server killed", &sent);
    let want = accepted(&sent);
    assert!(count(&sent, 202) > 0, "some were held");
    let missing = wait_all_reached(&[&app], &want, PATIENCE);
    assert!(
        missing.is_empty(),
        "{} answered 202 and {} answered 200, but these never reached the app: {missing:?}",
        count(&sent, 202),
        count(&sent, 200)
    );
    for (b, s) in &sent {
        // 503: JetStream did not confirm it in time; never a 202 without it.
        assert!(
            matches!(s, Some(200) | Some(202) | Some(503) | Some(504)),
            "{}: {s:?}",
            String::from_utf8_lossy(b)
        );
    }
    drop(l);
}

#[test]
fn a_full_channel_queue_answers_503_at_every_node_and_a_body_nats_cannot_carry_413() {
    need_nats!();
    // NATS's default max_payload (1 MB): the nodes take smaller deliveries.
    let nats = Nats::start(None);
    let dir = TempDir::new().unwrap();
    let a = node(&dir, &nats.urls(), "127.0.0.1:0", &["--queue-max", "3"]);
    let b = node(&dir, &nats.urls(), "127.0.0.1:0", &["--queue-max", "3"]);
    assert!(
        a.stderr().contains("max_payload") || b.stderr().contains("max_payload"),
        "{}",
        a.stderr()
    );
    let app = TestServer::start(vec![Reply::status(200)]);
    let ldir = TempDir::new().unwrap();
    drop(listen(&ldir, &a.url, "small", &app.url, &[]));
    let until = Instant::now() + PATIENCE;
    let mut held = 0;
    while held < 3 {
        let got = post(&b.addr, "/c/small/x", &[], format!("n{held}").as_bytes());
        match got.status {
            202 => held += 1,
            // The old link's claim is let go a moment after it ends.
            _ => assert!(Instant::now() < until, "{}", got.status),
        }
    }
    for entry in [&a, &b] {
        let full = post(&entry.addr, "/c/small/x", &[], b"one too many");
        assert_eq!(full.status, 503, "{}", String::from_utf8_lossy(&full.body));
        assert!(header(&full, "retry-after").is_some());
        assert!(String::from_utf8_lossy(&full.body).contains("queue is full"));
    }
    let big = vec![b'x'; 1 << 20];
    let got = post(&a.addr, "/c/small/x", &[], &big);
    assert_eq!(got.status, 413, "{}", String::from_utf8_lossy(&got.body));
    // The three held ones reach the app, in order, and the queue is empty after.
    let token = token_of(&ldir);
    let l = listen(
        &ldir,
        &b.url,
        "small",
        &app.url,
        &[("HOOKCTL_RELAY_TOKEN", &token)],
    );
    let want: HashSet<Vec<u8>> = (0..3).map(|i| format!("n{i}").into_bytes()).collect();
    assert!(wait_all_reached(&[&app], &want, PATIENCE).is_empty());
    let order: Vec<Vec<u8>> = app.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(order, vec![b"n0".to_vec(), b"n1".to_vec(), b"n2".to_vec()]);
    let until = Instant::now() + PATIENCE;
    loop {
        let got = post(&a.addr, "/c/small/x", &[], b"live");
        if got.status == 200 {
            break;
        }
        assert!(Instant::now() < until, "{}", got.status);
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(l);
}

#[test]
fn a_node_that_cannot_reach_nats_or_lacks_a_password_says_so_and_stops() {
    // No NATS server needed: nothing listens on the port.
    let dir = TempDir::new().unwrap();
    let port = free_port();
    let out = support::hookctl(dir.path())
        .args(["--no-store", "relay", "--bind", "127.0.0.1:0", "--nats"])
        .arg(format!("nats://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("could not connect to NATS"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let out = support::hookctl(dir.path())
        .env_remove("HOOKCTL_NATS_PASSWORD")
        .args(["--no-store", "relay", "--bind", "127.0.0.1:0", "--nats"])
        .arg(format!("nats://127.0.0.1:{port}"))
        .args(["--nats-user", "relay"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("HOOKCTL_NATS_PASSWORD"),
        "{}",
        support::stderr(&out)
    );
    // A flag that only a node takes, without --nats, is refused.
    let out = support::hookctl(dir.path())
        .args(["relay", "--nats-prefix", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A password given in the environment never shows in output.
    let out = support::hookctl(dir.path())
        .env("HOOKCTL_NATS_PASSWORD", "s3cret-nats-pass")
        .args(["--no-store", "relay", "--bind", "127.0.0.1:0", "--nats"])
        .arg(format!("nats://127.0.0.1:{port}"))
        .args(["--nats-user", "relay"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert!(!all.contains("s3cret-nats-pass"), "{all}");
}

#[test]
fn the_queue_keeps_a_delivery_once_per_id_in_order_until_it_is_let_go() {
    need_nats!();
    use hookctl::relay::cluster::{Cluster, Options, QueueLimits};
    use hookctl::relay::wire::WireRequest;
    let nats = Nats::start(None);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = Options {
            urls: nats.urls().split(',').map(str::to_string).collect(),
            prefix: "qtest".into(),
            node: "unit".into(),
            ..Default::default()
        };
        let limits = QueueLimits {
            per_channel: 2,
            ttl: Duration::from_secs(3600),
            bytes: 1 << 20,
            max_body: 1 << 16,
        };
        let c = tokio::time::timeout(PATIENCE, Cluster::connect(&opts, limits))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.replicas, 3);
        let wire = |n: u8| WireRequest {
            seq: 0,
            held: 0,
            given_up: false,
            received_at: 1,
            note: String::new(),
            method: "POST".into(),
            target: "/".into(),
            public_target: "/c/ch/".into(),
            headers: Default::default(),
            body: bytes::Bytes::from(vec![n; 3]),
        };
        // The same delivery id twice is one message (a publish tried again).
        let first = c.queue.enqueue("ch", "id-1", &wire(1)).await.unwrap();
        assert_eq!(
            c.queue.enqueue("ch", "id-1", &wire(1)).await.unwrap(),
            first
        );
        assert_eq!(c.queue.count("ch").await.unwrap(), 1);
        let second = c.queue.enqueue("ch", "id-2", &wire(2)).await.unwrap();
        // Full at --queue-max: refused, not dropped to make room; another channel
        // still takes deliveries.
        assert!(matches!(
            c.queue.enqueue("ch", "id-3", &wire(3)).await,
            Err(hookctl::relay::cluster::queue::QueueError::Full)
        ));
        c.queue.enqueue("other", "id-4", &wire(4)).await.unwrap();
        // In order, and each stays until it is let go.
        let (s1, w1) = c.queue.next("ch", 1).await.unwrap().unwrap();
        assert_eq!((s1, w1.body.to_vec()), (first, vec![1; 3]));
        let (s2, _) = c.queue.next("ch", s1 + 1).await.unwrap().unwrap();
        assert_eq!(s2, second);
        assert!(c.queue.next("ch", s2 + 1).await.unwrap().is_none());
        c.queue.remove(s1).await.unwrap();
        c.queue.remove(s1).await.unwrap();
        assert_eq!(c.queue.count("ch").await.unwrap(), 1);
        assert_eq!(c.queue.next("ch", 1).await.unwrap().unwrap().0, second);
        // Channels and claims: a name is taken once; the newest claim wins.
        assert!(c.registry.create("ch", &[7; 32]).await.unwrap());
        assert!(!c.registry.create("ch", &[8; 32]).await.unwrap());
        assert_eq!(c.registry.channel("ch").await.unwrap(), Some([7; 32]));
        let (e1, before) = c.registry.claim("ch", "n1", 1).await.unwrap();
        assert!(before.is_none());
        let (e2, before) = c.registry.claim("ch", "n2", 2).await.unwrap();
        assert_eq!(before.unwrap().node, "n1");
        assert!(e2 > e1);
        // The old holder's release does not undo the new claim.
        c.registry.release("ch", e1).await;
        assert_eq!(c.registry.owner("ch").await.unwrap().unwrap().node, "n2");
        c.registry.release("ch", e2).await;
        assert!(c.registry.owner("ch").await.unwrap().is_none());
    });
}
