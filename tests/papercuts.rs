//! The first week of real use: what a new user stumbled on, on the real binary.

mod support;

use support::listener::{Listener, post};
use support::{hookctl, stderr, stdout};
use tempfile::TempDir;

#[test]
fn without_a_secret_listen_still_reads_the_delivery_id() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "standard", "--fail-first", "1"],
    );
    let headers = [
        ("webhook-id".to_string(), "same".to_string()),
        ("webhook-timestamp".to_string(), "1700000000".to_string()),
        ("webhook-signature".to_string(), "v1,AAAA".to_string()),
    ];
    let answers: Vec<u16> = (0..3)
        .map(|_| post(&l.addr, "/", &headers, br#"{"type":"x.y","data":{}}"#).status)
        .collect();
    assert_eq!(
        answers,
        [503, 200, 200],
        "--fail-first works without a secret"
    );
    let d = l.wait_deliveries(3);
    let ids: Vec<&str> = d
        .iter()
        .map(|x| x["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["same"; 3]);
    let attempts: Vec<u64> = d.iter().map(|x| x["attempt"].as_u64().unwrap()).collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert_eq!(d[2]["duplicate"], true);
    assert_eq!(d[0]["event"], "x.y");
}

#[test]
fn ids_from_the_store_or_the_provider_and_quiet_send() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let o = hookctl(dir.path())
        .args(["--store", s, "-q", "send", "--to", "http://127.0.0.1:9/"])
        .args([
            "-p",
            "github",
            "-e",
            "push",
            "--secret",
            "k",
            "--id",
            "gh-delivery-7",
        ])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "-q: one result line: {text}");
    assert!(text.contains("store #1"), "{text}");
    assert!(text.contains("gh-delivery-7"), "{text}");
    // Both ids find it.
    for key in ["1", "gh-delivery-7"] {
        let o = hookctl(dir.path())
            .args(["--store", s, "deliveries", "show", key])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).starts_with("delivery 1 "), "{}", stdout(&o));
    }
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no delivery `nope`"), "{}", stderr(&o));
}

#[test]
fn no_store_beats_the_environment() {
    let dir = TempDir::new().unwrap();
    let env_store = dir.path().join("env.db");
    let o = hookctl(dir.path())
        .env("HOOKCTL_STORE", &env_store)
        .args([
            "--no-store",
            "send",
            "--to",
            "http://127.0.0.1:9/",
            "--dry-run",
        ])
        .args(["-p", "github", "-e", "push", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!env_store.exists());
}

#[test]
fn a_dry_run_is_a_request_verify_accepts() {
    let dir = TempDir::new().unwrap();
    for (profile, event) in [
        ("github", "push"),
        ("stripe", "invoice.paid"),
        ("hover", "webhook-verification-code"),
        ("agentbot", "message.created"),
    ] {
        let o = hookctl(dir.path())
            .args(["send", "--to", "http://127.0.0.1:9/hooks?x=1", "--dry-run"])
            .args(["-p", profile, "-e", event, "--secret", "k"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains("curl"), "the curl command is on stderr");
        std::fs::write(dir.path().join("req.http"), &o.stdout).unwrap();
        let v = hookctl(dir.path())
            .args([
                "verify",
                "--request",
                "req.http",
                "--secret",
                "k",
                "-p",
                profile,
            ])
            .output()
            .unwrap();
        assert_eq!(v.status.code(), Some(0), "{profile}: {}", stdout(&v));
    }
}

#[test]
fn sign_without_an_event_leaves_out_the_event_header_and_says_so() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("b.json"), br#"{"action":"opened"}"#).unwrap();
    let o = hookctl(dir.path())
        .args(["sign", "-p", "github", "--secret", "k", "--body", "b.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`X-GitHub-Event` left out"),
        "{}",
        stderr(&o)
    );
    let headers = stdout(&o);
    assert!(!headers.contains("X-GitHub-Event"), "{headers}");
    std::fs::write(dir.path().join("h.txt"), &headers).unwrap();
    let v = hookctl(dir.path())
        .args([
            "verify", "-H", "@h.txt", "--body", "b.json", "--secret", "k",
        ])
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    // With the event in the body, the header is there.
    std::fs::write(
        dir.path().join("e.json"),
        br#"{"eventType":"lead.captured","deliveryId":"d-9","data":{}}"#,
    )
    .unwrap();
    let o = hookctl(dir.path())
        .args([
            "sign",
            "-p",
            "hyperleap",
            "--secret",
            "k",
            "--body",
            "e.json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("X-Hyperleap-Event: lead.captured"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("X-Hyperleap-Delivery-Id: d-9"),
        "{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
}

#[test]
fn replay_failed_takes_each_delivery_id_once_and_not_the_ones_a_retry_delivered() {
    use support::server::{Reply, TestServer};
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    // One store for `send` and `listen`, as a developer has it.
    let failing = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "hyperleap", "--secret", "k", "--status", "500"],
    );
    for id in ["a", "b", "c"] {
        let o = hookctl(dir.path())
            .args([
                "--store",
                s,
                "send",
                "--to",
                &failing.url,
                "-p",
                "hyperleap",
                "-e",
                "lead.captured",
            ])
            .args(["--secret", "k", "--id", id])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
    failing.wait_deliveries(3);
    drop(failing);
    // `d` fails once, then a retry delivers it.
    let flaky = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "hyperleap", "--secret", "k", "--fail-first", "1"],
    );
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "send",
            "--to",
            &flaky.url,
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
        ])
        .args(["--secret", "k", "--id", "d", "--retry", "--speed", "100000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    flaky.wait_deliveries(2);
    drop(flaky);

    // Received ones alone have no target: refused before anything is sent.
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "--failed", "--direction", "in"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--to"), "{}", stderr(&o));

    let app = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .args([
            "--store", s, "--json", "replay", "--failed", "--to", &app.url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut got: Vec<String> = app
        .requests()
        .iter()
        .map(|r| r.header("x-hyperleap-delivery-id").unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(
        got,
        ["a", "b", "c"],
        "each failed delivery id once, `d` not at all"
    );
    // Delivered now: nothing is left to replay.
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "--failed", "--to", &app.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(app.requests().len(), 3);
}

/// Every body hookctl builds is what `JSON.stringify(JSON.parse(body))` gives back, so
/// a receiver that verifies the re-serialised body (Agentbot's own sample does)
/// accepts it: every event of every profile, and hostile numbers through `--set`,
/// `--data` and the catalogue. Checked with node itself.
#[test]
fn bodies_are_what_json_stringify_writes() {
    let dir = TempDir::new().unwrap();
    let list = hookctl(dir.path())
        .args(["--json", "events"])
        .output()
        .unwrap();
    let mut bodies: Vec<String> = Vec::new();
    for line in stdout(&list).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (p, e) = (
            v["data"]["profile"].as_str().unwrap(),
            v["data"]["event"].as_str().unwrap(),
        );
        // Form-encoded profiles (Twilio, Mandrill, Mailchimp) send no JSON.
        let form = hookctl::envelope::Catalog::builtin()
            .get(p)
            .is_ok_and(|p| p.body_format == hookctl::envelope::profile::BodyFormat::Form);
        if form {
            continue;
        }
        let o = hookctl(dir.path())
            .args(["events", "show", e, "-p", p])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{p} {e}: {}", stderr(&o));
        bodies.push(stdout(&o).trim_end_matches('\n').to_string());
    }
    assert!(
        bodies.len() > 40,
        "every event of every profile: {}",
        bodies.len()
    );
    let hostile = [
        "1.0",
        "1e3",
        "-0",
        "12345678901234567890",
        "0.1",
        "1e21",
        "5e-324",
        "-1.5E+300",
    ];
    for n in hostile {
        for args in [
            vec!["--set".to_string(), format!("data.confidence={n}")],
            vec![
                "--data".to_string(),
                format!("{{\"n\":{n},\"list\":[{n}]}}"),
            ],
        ] {
            let o = hookctl(dir.path())
                .args([
                    "send",
                    "--to",
                    "http://127.0.0.1:9/",
                    "--dry-run",
                    "-p",
                    "agentbot",
                ])
                .args(["-e", "message.created", "--secret", "k"])
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
            let raw = stdout(&o);
            let body = raw.split("\r\n\r\n").nth(1).unwrap().to_string();
            bodies.push(body);
        }
    }
    std::fs::write(
        dir.path().join("bodies.json"),
        serde_json::to_vec(&bodies).unwrap(),
    )
    .unwrap();
    let check = "const bodies = JSON.parse(require('fs').readFileSync('bodies.json', 'utf8'));
        const bad = bodies.filter(b => JSON.stringify(JSON.parse(b)) !== b);
        if (bad.length) { console.log(JSON.stringify(bad.slice(0, 3))); process.exit(1); }
        console.log(bodies.length);";
    let o = std::process::Command::new("node")
        .current_dir(dir.path())
        .args(["-e", check])
        .output()
        .expect("node runs (the tests need it)");
    assert!(
        o.status.success(),
        "JSON.stringify disagrees: {}",
        stdout(&o)
    );
    assert_eq!(stdout(&o).trim(), bodies.len().to_string());
}

#[test]
fn send_body_sends_the_file_byte_for_byte_signed() {
    let dir = TempDir::new().unwrap();
    let app = support::server::TestServer::start(vec![support::server::Reply::status(200)]);
    let exact = b"{ \"eventType\" : \"lead.captured\", \"deliveryId\": \"d-1\", \"n\": 1.0 }\n";
    std::fs::write(dir.path().join("b.json"), exact).unwrap();
    let o = hookctl(dir.path())
        .args(["--no-store", "send", "--to", &app.url, "-p", "hyperleap"])
        .args(["--secret", "k", "--body", "b.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = &app.requests()[0];
    assert_eq!(got.body, exact);
    assert_eq!(got.header("x-hyperleap-event"), Some("lead.captured"));
    assert_eq!(got.header("x-hyperleap-delivery-id"), Some("d-1"));
    assert!(support::server::verifies("hyperleap", "k", got));
}

#[test]
fn mistakes_get_suggestions() {
    let dir = TempDir::new().unwrap();
    let run = |args: &[&str]| {
        let o = hookctl(dir.path()).args(args).output().unwrap();
        (o.status.code(), stderr(&o))
    };
    let to = ["--to", "http://127.0.0.1:9/", "--secret", "k", "--dry-run"];
    let (code, err) = run(&[&["send", "-p", "githb", "-e", "push"][..], &to].concat());
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `github`?"), "{err}");
    let (_, err) = run(&[&["send", "-p", "github", "-e", "psh"][..], &to].concat());
    assert!(err.contains("did you mean `push`?"), "{err}");
    let (_, err) = run(&[
        "send",
        "--to",
        "localhost:4343",
        "-p",
        "github",
        "-e",
        "push",
        "--secret",
        "k",
    ]);
    assert!(err.contains("`http://localhost:4343`"), "{err}");
    let (_, err) = run(&["lisen"]);
    assert!(err.contains("'listen'"), "{err}");
    let (code, err) = run(&["simulate", "-p", "github", "--retry-after", "5"]);
    assert_eq!(code, Some(0));
    assert!(err.contains("does not honour Retry-After"), "{err}");
    let (code, err) = run(&[
        &[
            "send",
            "-p",
            "agentbot",
            "-e",
            "message.created",
            "--set",
            "data.visitor_nam=x",
        ][..],
        &to,
    ]
    .concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("did you mean `data.visitor_name`?"), "{err}");
}

#[test]
fn plain_verify_gives_every_reason_that_holds() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("b.json"), b"{}").unwrap();
    let o = hookctl(dir.path())
        .args(["sign", "-p", "stripe", "--secret", "k", "--body", "b.json"])
        .args(["--timestamp", "1600000000"])
        .output()
        .unwrap();
    std::fs::write(dir.path().join("h.txt"), &o.stdout).unwrap();
    let o = hookctl(dir.path())
        .args([
            "verify", "-H", "@h.txt", "--body", "b.json", "--secret", "other",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("timestamp too old"), "{text}");
    assert!(text.contains("signature does not match"), "{text}");
}

#[test]
fn tls_and_provider_mix_ups_are_explained() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "stripe", "--secret", "k", "--tls"],
    );
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &l.url,
            "-p",
            "stripe",
            "-e",
            "invoice.paid",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-k/--insecure"), "{}", stderr(&o));
    // A GitHub delivery to a Stripe listener: the line says whose it looks like.
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "-k",
            "--to",
            &l.url,
            "-p",
            "github",
            "-e",
            "push",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let d = l.wait_deliveries(1);
    let reason = d.last().unwrap()["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("fit profile `github`"), "{reason}");
}

#[test]
fn help_and_man_pages_read_and_copy_well() {
    let dir = TempDir::new().unwrap();
    let help = stdout(
        &hookctl(dir.path())
            .args(["send", "--help"])
            .output()
            .unwrap(),
    );
    // The sections and defaults each page shows are in tests/snapshots.rs; what
    // stays here are rules a re-blessed snapshot could break unseen.
    let examples = &help[help.find("Examples:").unwrap()..];
    for line in examples.lines() {
        assert!(line.chars().count() <= 80, "an example line wraps: {line}");
    }
    let man = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man/hookctl-verify.1"),
    )
    .unwrap();
    assert!(man.contains(".SH EXAMPLES\n.nh\n.nf\n"), "{man}");
    assert!(!man.contains("EXTRA"));
    assert!(man.contains("X\\-Hub\\-Signature\\-256"));
}

#[test]
fn profile_notes_wrap_and_keep_their_value() {
    let dir = TempDir::new().unwrap();
    for p in ["hover", "hoverbot", "agentbot", "convosphere", "hyperleap"] {
        let text = stdout(
            &hookctl(dir.path())
                .args(["profiles", "show", p])
                .output()
                .unwrap(),
        );
        let json = stdout(
            &hookctl(dir.path())
                .args(["--json", "profiles", "show", p])
                .output()
                .unwrap(),
        );
        let want: serde_json::Value = serde_json::from_str(&json).unwrap();
        let want = &want["data"]["notes"];
        assert!(want.as_array().is_some_and(|n| !n.is_empty()), "{p}");
        let parsed: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}\n{text}"));
        let got = serde_json::to_value(&parsed["notes"]).unwrap();
        assert_eq!(&got, want, "{p}");
        let notes = &text[text.find("notes = [").unwrap()..];
        let notes = &notes[..notes.find("\n]").unwrap()];
        for line in notes.lines() {
            assert!(line.chars().count() <= 100, "{p}: {line}");
        }
    }
}

#[test]
fn json_numbers_carry_no_noise() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(dir.path(), &["--no-store"], &[]);
    post(&l.addr, "/", &[], b"{}");
    let d = l.wait_deliveries(1);
    let ms = d[0]["latency_ms"].to_string();
    let decimals = ms.split('.').nth(1).map_or(0, str::len);
    assert!(decimals <= 3, "{ms}");
}

#[test]
fn send_defaults_from_hookctl_toml_and_deliveries_by_profile_and_followed() {
    use support::server::{Reply, TestServer};
    let dir = TempDir::new().unwrap();
    let app = TestServer::start(vec![Reply::status(200)]);
    std::fs::write(
        dir.path().join("hookctl.toml"),
        format!(
            "[send]\nto = \"{}/hooks\"\nprofile = \"github\"\nevent = \"push\"\n",
            app.url
        ),
    )
    .unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    // `deliveries list --follow` started before anything exists: it waits for the store.
    let mut follow = std::process::Command::new(assert_cmd::cargo::cargo_bin("hookctl"))
        .current_dir(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "deliveries",
            "list",
            "--follow",
            "-p",
            "github",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let o = hookctl(dir.path())
        .args(["--store", s, "send", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(app.requests()[0].path, "/hooks");
    assert_eq!(app.requests()[0].header("x-github-event"), Some("push"));
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "send",
            "--secret",
            "k",
            "-p",
            "stripe",
            "-e",
            "invoice.paid",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "deliveries",
            "list",
            "--profile",
            "stripe",
        ])
        .output()
        .unwrap();
    let listed = stdout(&o);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("\"stripe\""), "{listed}");
    // The follower saw the github delivery, and only it.
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let seen = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_default();
    // Nothing else comes: the stripe delivery is not this follower's.
    let more = rx.recv_timeout(std::time::Duration::from_millis(700)).ok();
    let _ = follow.kill();
    let _ = follow.wait();
    assert_eq!(more, None);
    assert!(seen.contains("\"github\""), "{seen}");
    assert!(!seen.contains("\"stripe\""), "{seen}");
}

#[test]
fn replay_sends_in_parallel_with_c() {
    use std::io::{Read, Write};
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    for i in 0..4 {
        let o = hookctl(dir.path())
            .args([
                "--store",
                s,
                "send",
                "--to",
                "http://127.0.0.1:9/",
                "-p",
                "github",
            ])
            .args(["-e", "push", "--secret", "k", "--id", &format!("p-{i}")])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
    }
    // A receiver that answers only once all four requests are in: replays sent one
    // at a time would never get there (and its wait is bounded).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut held = Vec::new();
        while held.len() < 4 && std::time::Instant::now() < until {
            match listener.accept() {
                Ok((mut c, _)) => {
                    c.set_nonblocking(false).unwrap();
                    c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                        .unwrap();
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        let n = c.read(&mut chunk).unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    held.push(c);
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        let all = held.len();
        for mut c in held {
            let _ =
                c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
        all
    });
    let o = hookctl(dir.path())
        .args([
            "--store", s, "--json", "replay", "--failed", "--to", &url, "-c", "4",
        ])
        .output()
        .unwrap();
    assert_eq!(server.join().unwrap(), 4, "all four were in flight at once");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let originals: Vec<i64> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["data"]["original"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(originals, [1, 2, 3, 4], "shown in the order chosen");
}

#[test]
fn count_with_retry_takes_each_event_through_the_policy() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "hyperleap", "--secret", "k", "--fail-first", "1"],
    );
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &l.url,
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
        ])
        .args([
            "--secret", "k", "--count", "3", "-c", "3", "--retry", "--speed", "100000",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("3 events: 3 delivered, 0 failed"),
        "{}",
        stdout(&o)
    );
    let d = l.wait_deliveries(6);
    assert_eq!(d.len(), 6, "two attempts of each of three events");
    let mut ids: Vec<&str> = d
        .iter()
        .map(|x| x["delivery_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[test]
fn the_shell_completes_profile_and_event_names() {
    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("hookctl.toml"),
        "[profiles.acme]\nextends = \"github\"\ndescription = \"Acme's hooks\"\n",
    )
    .unwrap();
    let complete = |words: &[&str]| {
        let o = hookctl(dir.path())
            .env("COMPLETE", "fish")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        stdout(&o)
    };
    let profiles = complete(&["hookctl", "send", "-p", "ac"]);
    assert!(profiles.contains("acme\tAcme's hooks"), "{profiles}");
    let events = complete(&["hookctl", "send", "-e", "pu"]);
    assert!(events.contains("push\t"), "{events}");
    assert!(events.contains("pull_request\t"), "{events}");
}
