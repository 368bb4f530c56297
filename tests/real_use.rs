//! The second week of real use (issue 24): replay in a store `send` and `listen`
//! share, per-profile secrets, one meaning of "failed", exports that hold the answer,
//! `--fail-first` without a delivery id, and the papercuts a newcomer hit.

mod support;
use serde_json::Value;
use support::listener::Listener;
use support::server::{Reply, TestServer};
use support::{hookctl, json_lines, stderr, stdout};
use tempfile::TempDir;

const STRIPE: &str = "whsec_stripe_only_secret";
const GH: &str = "github-only-secret";
const HOVERBOT: &str = "hoverbot-only-secret";

/// Sends one event with `send`, recorded in `store`; its store id.
fn send(dir: &std::path::Path, store: &str, url: &str, profile: &str, secret: &str) -> i64 {
    let event = match profile {
        "stripe" => "payment_intent.succeeded",
        "github" => "ping",
        _ => "lead.qualified",
    };
    let o = hookctl(dir)
        .args([
            "--store", store, "--json", "send", "--to", url, "-p", profile, "-e", event,
        ])
        .args(["--secret", secret])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "fails once: {}", stderr(&o));
    let lines = json_lines(&o);
    let result = lines.iter().find(|l| l["type"] == "result").unwrap();
    result["data"]["stored"].as_i64().unwrap()
}

fn failed_ids(dir: &std::path::Path, store: &str) -> Vec<i64> {
    let o = hookctl(dir)
        .args(["--store", store, "--json", "deliveries", "list"])
        .args(["--status", "failed", "--limit", "1000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json_lines(&o)
        .iter()
        .map(|l| l["data"]["id"].as_i64().unwrap())
        .collect()
}

/// The README's replay example, in a store `send` and `listen` share across three
/// profiles with a secret each: a secret given for no profile re-signs one profile
/// only, `--dry-run` shows how each would be signed, the example as written
/// delivers Stripe's, secrets named per profile deliver the rest, and afterwards
/// nothing reads as failed.
#[test]
fn replay_in_a_shared_store_signs_each_profile_with_its_own_secret() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("shared.db");
    let s = store.to_str().unwrap();
    let env = [
        ("STRIPE_WEBHOOK_SECRET", STRIPE),
        ("GH_SECRET", GH),
        ("HOVERBOT_SECRET", HOVERBOT),
    ];
    // One listener for every profile, each first attempt failing.
    let l = Listener::spawn(
        dir.path(),
        &["--store", s],
        &[
            "listen",
            "--port",
            "0",
            "--fail-first",
            "1",
            "--secret-env",
            "stripe=STRIPE_WEBHOOK_SECRET",
            "--secret-env",
            "github=GH_SECRET",
            "--secret-env",
            "hoverbot=HOVERBOT_SECRET",
        ],
        &env,
    );
    let stripe = send(dir.path(), s, &l.url, "stripe", STRIPE);
    let github = send(dir.path(), s, &l.url, "github", GH);
    let hoverbot = send(dir.path(), s, &l.url, "hoverbot", HOVERBOT);
    let received = l.wait_deliveries(3);
    assert_eq!(received.len(), 3);
    assert!(
        received
            .iter()
            .all(|d| d["status"].as_u64().unwrap() >= 500 && d["valid"] == true),
        "{received:?}"
    );
    // HoverBot sends no delivery id: counted by its body, and said so at start.
    assert!(
        l.stderr().contains("--fail-first") && l.stderr().contains("hoverbot"),
        "{}",
        l.stderr()
    );
    let mut before = failed_ids(dir.path(), s);
    before.sort();
    assert!(
        [stripe, github, hoverbot]
            .iter()
            .all(|id| before.contains(id)),
        "{before:?}"
    );

    // A secret given for no profile, over three profiles: refused, nothing sent.
    let o = hookctl(dir.path())
        .envs(env)
        .args([
            "--store", s, "replay", "--failed", "--since", "1h", "--resign",
        ])
        .args(["--secret-env", "STRIPE_WEBHOOK_SECRET"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("no secret was given")
            && err.contains("github")
            && err.contains("hoverbot")
            && err.contains("nothing was sent")
            && err.contains("stripe=STRIPE_WEBHOOK_SECRET"),
        "{err}"
    );
    assert!(!err.contains(STRIPE), "no secret in output");

    // --dry-run: what, where and how, for each; still nothing sent.
    let o = hookctl(dir.path())
        .envs(env)
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "--failed",
            "--resign",
            "--dry-run",
        ])
        .args(["--secret-env", "stripe=STRIPE_WEBHOOK_SECRET"])
        .args(["--secret-env", "github=GH_SECRET"])
        .args(["--secret-env", "hoverbot=HOVERBOT_SECRET"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let planned: Vec<Value> = json_lines(&o)
        .into_iter()
        .map(|l| l["data"].clone())
        .collect();
    assert_eq!(planned.len(), 3, "{planned:?}");
    for (id, var) in [
        (stripe, "STRIPE_WEBHOOK_SECRET"),
        (github, "GH_SECRET"),
        (hoverbot, "HOVERBOT_SECRET"),
    ] {
        let p = planned.iter().find(|p| p["original"] == id).unwrap();
        assert_eq!(p["signing"], "re-signed");
        assert_eq!(p["url"].as_str().unwrap(), l.url.as_str());
        assert!(p["secret_from"][0].as_str().unwrap().contains(var), "{p}");
    }
    let o = hookctl(dir.path())
        .envs(env)
        .args(["--store", s, "replay", "--failed", "--dry-run"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("byte-exact")
            && stdout(&o).contains("dry run: 3 replays would be sent"),
        "{}",
        stdout(&o)
    );
    assert_eq!(l.deliveries().len(), 3, "a dry run sends nothing");

    // The README's example, as written there.
    let readme = include_str!("../README.md");
    let example =
        "hookctl replay --failed --since 1h -p stripe --resign --secret-env STRIPE_WEBHOOK_SECRET";
    assert!(
        readme.contains(example),
        "the README shows the example tested here"
    );
    let args: Vec<&str> = example.split(' ').skip(1).collect();
    let o = hookctl(dir.path())
        .envs(env)
        .args(["--store", s])
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 of 1 delivered"), "{}", stdout(&o));
    let got = l.wait_deliveries(4);
    assert_eq!(
        (
            got[3]["profile"].as_str(),
            got[3]["valid"].as_bool(),
            got[3]["status"].as_u64()
        ),
        (Some("stripe"), Some(true), Some(200)),
        "{}",
        got[3]
    );
    // Signed with Stripe's secret: `verify` with that one alone accepts it.
    let replay_id = got[3]["id"].as_i64().unwrap().to_string();
    let raw = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &replay_id, "--raw"])
        .output()
        .unwrap();
    let o = hookctl(dir.path())
        .args([
            "verify",
            "-p",
            "stripe",
            "--secret",
            STRIPE,
            "--request",
            "-",
        ])
        .write_stdin(raw.stdout)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // Secrets named per profile: the other two, each with its own.
    let o = hookctl(dir.path())
        .envs(env)
        .args(["--store", s, "--json", "replay", "--failed", "--resign"])
        .args(["--secret-env", "github=GH_SECRET"])
        .args(["--secret-env", "hoverbot=HOVERBOT_SECRET"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let replays = json_lines(&o);
    assert_eq!(replays.len(), 2);
    assert!(replays.iter().all(|r| r["data"]["delivered"] == true));
    let got = l.wait_deliveries(6);
    for d in &got[4..] {
        assert_eq!(
            (d["valid"].as_bool(), d["status"].as_u64()),
            (Some(true), Some(200)),
            "{d}"
        );
    }
    // HoverBot's replay was its body's second attempt.
    let hb = got[4..]
        .iter()
        .find(|d| d["profile"] == "hoverbot")
        .unwrap();
    assert_eq!(hb["attempt"], 2, "{hb}");
    assert!(hb["delivery_id"].is_null());

    // One meaning of failed: nothing is left, and the originals say what fixed them.
    assert_eq!(failed_ids(dir.path(), s), Vec::<i64>::new());
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "--failed", "--dry-run"])
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("no deliveries to replay"),
        "{}",
        stderr(&o)
    );
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &stripe.to_string()])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("state: delivered by #")
            && text.contains("(this record: failed)")
            && text.contains("replayed as #")
            && text.contains("the answer (attempt 1): 503")
            && text.contains("scripted failure"),
        "{text}"
    );
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "deliveries",
            "list",
            "--status",
            "delivered",
        ])
        .output()
        .unwrap();
    let d: Vec<Value> = json_lines(&o)
        .into_iter()
        .map(|l| l["data"].clone())
        .collect();
    let original = d.iter().find(|d| d["id"] == stripe).unwrap();
    assert_eq!(
        (original["state"].as_str(), original["outcome"].as_str()),
        (Some("failed"), Some("delivered"))
    );
    assert!(original["fixed_by"].is_i64());
}

/// `replay ID` with a provider's delivery id takes the original (the one `send`
/// made), says which of the records it took and how to take another, and
/// `--direction` chooses among them.
#[test]
fn replay_by_delivery_id_takes_the_original_and_says_so() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "github", "--secret", GH, "--fail-first", "1"],
    );
    let o = hookctl(dir.path())
        .args([
            "--store", s, "--json", "send", "--to", &l.url, "-p", "github", "-e", "ping",
            "--secret", GH,
        ])
        .args(["--id", "7d5e-original"])
        .output()
        .unwrap();
    let sent = json_lines(&o)
        .iter()
        .find(|l| l["type"] == "result")
        .unwrap()["data"]["stored"]
        .as_i64()
        .unwrap();
    let received = l.wait_deliveries(1)[0]["id"].as_i64().unwrap();
    // A replay, which the listener records too: four records of one delivery id.
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", &sent.to_string()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    l.wait_deliveries(2);
    let app = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "7d5e-original",
            "--dry-run",
            "--to",
            &app.url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["data"]["original"], sent);
    let err = stderr(&o);
    assert!(
        err.contains("matches 4 records")
            && err.contains(&format!("took #{sent}"))
            && err.contains("--direction in|out"),
        "{err}"
    );
    // The hint works as written.
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "7d5e-original",
            "--direction",
            "in",
            "--dry-run",
            "--to",
            &app.url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["data"]["original"], received);
    assert!(app.requests().is_empty());
}

/// The README's recipe, `simulate --to` against `listen --fail-first 2`, delivers for
/// every profile, those without a delivery id on the wire too; `send -p hoverbot`
/// prints no id its receiver could never see.
#[test]
fn fail_first_works_for_every_profile() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(dir.path(), &["--no-store"], &["--fail-first", "2"]);
    let profiles = hookctl(dir.path())
        .args(["--json", "profiles"])
        .output()
        .unwrap();
    // The profiles signed with a shared secret over the body (the key-pair, JWT,
    // URL-bound, token and Basic-auth ones take other credentials: tests/schemes.rs).
    let catalog = hookctl::envelope::Catalog::builtin();
    let names: Vec<(String, &str)> = json_lines(&profiles)
        .iter()
        .map(|p| p["data"]["name"].as_str().unwrap().to_string())
        .filter_map(|name| {
            use hookctl::envelope::secret::SecretEncoding;
            let p = catalog.get(&name).ok()?;
            if !support::hmac_over_body(&p) {
                return None;
            }
            let s = p.signature.as_ref()?;
            // A secret in the form the profile decodes.
            let secret = match s.secret {
                SecretEncoding::Hex => "00112233445566778899aabbccddeeff",
                SecretEncoding::Base64 => "c2VjcmV0LWtleS0xMjM0NTY3ODkw",
                _ => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            };
            Some((name, secret))
        })
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    let mut no_retries = Vec::new();
    for (p, secret) in &names {
        let o = hookctl(dir.path())
            .args([
                "--no-store",
                "simulate",
                "-p",
                p,
                "--to",
                &l.url,
                "--speed",
                "10000",
            ])
            .args(["--secret", secret])
            .output()
            .unwrap();
        if stderr(&o).contains("documents no retries") {
            // A provider that documents no retries (Hover, GitHub): one attempt,
            // and said so.
            no_retries.push(p.clone());
            assert_eq!(
                o.status.code(),
                Some(1),
                "{p}: {}{}",
                stdout(&o),
                stderr(&o)
            );
            assert!(
                stderr(&o).contains("documents no retries"),
                "{}",
                stderr(&o)
            );
            assert!(
                stdout(&o).contains("the profile has no retries"),
                "{}",
                stdout(&o)
            );
        } else {
            assert_eq!(
                o.status.code(),
                Some(0),
                "{p}: {}{}",
                stdout(&o),
                stderr(&o)
            );
            assert!(!stdout(&o).contains("1 attempts"), "{}", stdout(&o));
        }
    }
    // Exactly the profiles whose providers document no retries said so.
    no_retries.sort();
    let mut expected: Vec<String> = names
        .iter()
        .filter(|(n, _)| catalog.get(n).unwrap().retry.delays.is_empty())
        .map(|(n, _)| n.clone())
        .collect();
    expected.sort();
    assert_eq!(no_retries, expected);
    assert!(no_retries.iter().any(|n| n == "github") && no_retries.iter().any(|n| n == "hover"));
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "-p",
            "hoverbot",
            "-e",
            "lead.qualified",
            "--to",
            &l.url,
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    let first = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains("hoverbot") && !first.contains(" id "),
        "{first}"
    );
}

/// An app's answer comes back through `listen --forward-to` with its own header
/// names, spelling and order: its `Date` where it put it, its `Content-Length` too.
#[test]
fn forwarded_answers_keep_the_apps_headers() {
    let dir = TempDir::new().unwrap();
    let app = support::server::RawServer::start(&[
        b"HTTP/1.1 200 OK\r\nX-App-First: 1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    ]);
    let l = Listener::start(dir.path(), &["--no-store"], &["--forward-to", &app.url]);
    let mut s = std::net::TcpStream::connect(&l.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    use std::io::{Read, Write};
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let head = text.split("\r\n\r\n").next().unwrap();
    let lines: Vec<&str> = head.lines().skip(1).collect();
    assert_eq!(
        &lines[..4],
        [
            "X-App-First: 1",
            "Date: Mon, 01 Jan 2024 00:00:00 GMT",
            "Content-Type: text/plain",
            "Content-Length: 2"
        ],
        "{head}"
    );
    assert!(
        !head.contains("date:") && !head.contains("content-length:"),
        "{head}"
    );
    assert!(text.ends_with("\r\n\r\nok"), "{text}");
}

/// The HAR export holds the answer: absolute URLs (a received delivery's from its
/// `Host`), each answer's status, headers, body and time; `deliveries show` prints
/// the app's answer and the replay links; `deliveries list` marks replays.
#[test]
fn exports_and_show_hold_the_answer() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let app = TestServer::start(vec![
        Reply::status(201)
            .header("X-App-Trace", "trace-77")
            .header("Content-Type", "application/json")
            .body("{\"stored\":\"yes\"}"),
    ]);
    let l = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "github", "--secret", GH, "--forward-to", &app.url],
    );
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "send",
            "--to",
            &format!("{}hooks?x=1", l.url),
        ])
        .args(["-p", "github", "-e", "ping", "--secret", GH])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sent = json_lines(&o)
        .iter()
        .find(|l| l["type"] == "result")
        .unwrap()["data"]["stored"]
        .as_i64()
        .unwrap();
    let received = l.wait_deliveries(1)[0]["id"].as_i64().unwrap();
    // A replay of the sent one, so that it has a link.
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", &sent.to_string()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    l.wait_deliveries(2);

    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "export", "--har"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let har: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{har}");
    for e in entries {
        let url = e["request"]["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "absolute: {url}");
        assert_eq!(e["response"]["status"], 201, "{e}");
        assert_eq!(e["response"]["statusText"], "Created");
        assert!(
            e["response"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["name"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("x-app-trace")
                    && h["value"] == "trace-77"),
            "{e}"
        );
        assert_eq!(e["response"]["content"]["text"], "{\"stored\":\"yes\"}");
        assert_eq!(e["response"]["content"]["mimeType"], "application/json");
        assert!(e["timings"]["wait"].as_f64().unwrap() > 0.0);
        assert_eq!(e["time"], e["timings"]["wait"]);
    }
    let first_in = entries
        .iter()
        .find(|e| {
            e["comment"]
                .as_str()
                .unwrap()
                .contains(&format!("store id {received};"))
        })
        .unwrap();
    assert_eq!(
        first_in["request"]["url"].as_str().unwrap(),
        format!("{}hooks?x=1", l.url)
    );
    assert_eq!(first_in["request"]["queryString"][0]["name"], "x");

    // show: the answer and the links
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &sent.to_string()])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("the answer (attempt 1): 201")
            && text.to_ascii_lowercase().contains("x-app-trace: trace-77")
            && text.contains("\"stored\": \"yes\"")
            && text.contains("replayed as #"),
        "{text}"
    );
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &received.to_string()])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("answered (attempt 1): 201"),
        "{}",
        stdout(&o)
    );
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "list"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains(&format!("replay of #{sent}")),
        "{}",
        stdout(&o)
    );
}

/// Words: `--store` after the command, plurals, the inspector's port flag named,
/// routes listed at start, `init`'s names, `--set` through a non-object, no
/// `hookctl-help(1)`, and `hookctl man --dir`. (What each `--help` says — global flags
/// under their own heading, `--store` only where the store is used — is in
/// tests/snapshots.rs.)
#[test]
fn help_and_words() {
    let dir = TempDir::new().unwrap();
    // --store after a store command works, and wins; HOOKCTL_STORE is the fall-back.
    let store = dir.path().join("after.db");
    let o = hookctl(dir.path())
        .env("HOOKCTL_STORE", dir.path().join("env.db"))
        .args([
            "deliveries",
            "list",
            "--store",
            store.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Plurals.
    let o = hookctl(dir.path())
        .args(["simulate", "-p", "github", "--fail-first", "1"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("after 1 attempt,"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("1 attempts"), "{}", stdout(&o));
    // The inspector's port taken: --ui-port is named.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = hookctl(dir.path())
        .args([
            "--store",
            store.to_str().unwrap(),
            "listen",
            "--port",
            "0",
            "--ui",
            "--ui-port",
            &port,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--ui-port"), "{}", stderr(&o));
    // Routes listed at start.
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["--route", "ticket.*=http://127.0.0.1:9/tickets"],
    );
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !l
        .stderr()
        .contains("route ticket.* → http://127.0.0.1:9/tickets")
    {
        assert!(std::time::Instant::now() < until, "{}", l.stderr());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(l);
    // init: the README's names, the profile's events.
    for (p, var) in [
        ("github", "GH_SECRET"),
        ("agentbot", "AGENTBOT_SECRET"),
        ("stripe", "STRIPE_WEBHOOK_SECRET"),
    ] {
        let out = dir.path().join(format!("{p}.toml"));
        let o = hookctl(dir.path())
            .args(["init", "--yes", "--profile", p, "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(&format!("env = \"{var}\"")), "{text}");
        let event = text
            .lines()
            .find_map(|l| l.strip_prefix("# event = \""))
            .unwrap()
            .trim_end_matches('"');
        let events = hookctl(dir.path())
            .args(["--json", "events", "-p", p])
            .output()
            .unwrap();
        assert!(
            json_lines(&events)
                .iter()
                .any(|l| l["data"]["event"] == event),
            "{p}: {event}"
        );
        assert!(
            !text.contains("lead.captured") || p == "hyperleap",
            "{text}"
        );
    }
    // --set through a non-object: one clear error, no warning before it.
    let o = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "-p",
            "agentbot",
            "-e",
            "ticket.created",
            "--to",
            "http://127.0.0.1:9/",
        ])
        .args(["--secret", "k", "--set", "data.ticket_id.x=1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(!err.contains("warning"), "{err}");
    assert!(
        err.contains("`data.ticket_id` is a string, not an object"),
        "{err}"
    );
    // Man pages: no hookctl-help(1); `hookctl man --dir` installs them all.
    let o = hookctl(dir.path())
        .args(["man", "--dir", dir.path().join("m").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.path().join("m/man1/hookctl.1")).unwrap();
    assert!(
        page.contains("hookctl\\-replay(1)") && !page.contains("hookctl\\-help"),
        "{page}"
    );
    assert!(dir.path().join("m/man1/hookctl-deliveries-list.1").exists());
    assert!(stdout(&o).contains("man pages to"), "{}", stdout(&o));
}

/// `hookctl send -p agentbot -e <TAB>` offers Agentbot's events only.
#[test]
fn event_completion_follows_the_chosen_profile() {
    let dir = TempDir::new().unwrap();
    let complete = |words: &[&str]| {
        let o = hookctl(dir.path())
            .env("COMPLETE", "fish")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        let mut names: Vec<String> = stdout(&o)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let events = |p: &str| {
        let o = hookctl(dir.path())
            .args(["--json", "events", "-p", p])
            .output()
            .unwrap();
        let mut names: Vec<String> = json_lines(&o)
            .iter()
            .map(|l| l["data"]["event"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let agentbot = complete(&["hookctl", "send", "-p", "agentbot", "-e", ""]);
    assert_eq!(agentbot, events("agentbot"));
    assert_eq!(agentbot.len(), 6);
    assert_eq!(
        complete(&["hookctl", "send", "--profile=github", "-e", ""]),
        events("github")
    );
    let all = complete(&["hookctl", "send", "-e", ""]);
    assert!(all.len() > 40, "{}", all.len());
}

/// `signature-leak` against a receiver that refused nothing says so; every leak
/// found is listed; the stop message keeps the receiver's reason whole.
#[test]
fn audit_words() {
    let dir = TempDir::new().unwrap();
    let run = |url: &str| {
        let o = hookctl(dir.path())
            .env("AUDIT_SECRET", "a-long-audit-secret-1234")
            .args(["--json", "--no-store", "audit", "--to", url, "-p", "github"])
            .args([
                "--secret-env",
                "AUDIT_SECRET",
                "--delay",
                "5ms",
                "--only",
                "signature-leak",
            ])
            .output()
            .unwrap();
        let check = json_lines(&o)
            .into_iter()
            .map(|l| l["data"].clone())
            .find(|d| d["name"] == "signature-leak");
        (o, check)
    };
    let lax = TestServer::start(vec![Reply::status(200)]);
    let (_, c) = run(&lax.url);
    let c = c.unwrap();
    assert_eq!(c["grade"], "skip", "{c}");
    assert!(
        c["summary"].as_str().unwrap().contains("refused none"),
        "{c}"
    );
    let leaky = TestServer::start(vec![
        Reply::status(200),
        Reply::status(401).body(
            "Traceback (most recent call last):\n  File \"app.py\", line 9\nValueError: bad signature for secret a-long-audit-secret-1234",
        ),
    ]);
    let (_, c) = run(&leaky.url);
    let c = c.unwrap();
    let summary = c["summary"].as_str().unwrap();
    assert_eq!(c["grade"], "fail", "{c}");
    assert!(
        summary.contains("shows the signing secret") && summary.contains("stack trace"),
        "{summary}"
    );
    assert!(!summary.contains("a-long-audit-secret-1234"));
    let reason = format!(
        "{} the secret you want is the endpoint's own, not the test one",
        "padding ".repeat(12)
    );
    let refuses = TestServer::start(vec![Reply::status(401).body(&reason)]);
    let (o, _) = run(&refuses.url);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not the test one"), "{}", stderr(&o));
}

/// Through the relay too: the app's answer comes back with its own header names,
/// case and order.
#[test]
fn relayed_answers_keep_the_apps_headers() {
    let dir = TempDir::new().unwrap();
    let app = support::server::RawServer::start(&[
        b"HTTP/1.1 202 Accepted\r\nX-App-First: 1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    ]);
    let relay_store = dir.path().join("relay.db");
    let r = Listener::spawn(
        dir.path(),
        &["--store", relay_store.to_str().unwrap()],
        &["relay", "--bind", "127.0.0.1:0"],
        &[],
    );
    let _client = Listener::spawn(
        dir.path(),
        &["--no-store"],
        &[
            "listen",
            "--relay",
            &r.url,
            "--channel",
            "shop",
            "--forward-to",
            &app.url,
        ],
        &[],
    );
    use std::io::{Read, Write};
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let head = loop {
        let mut s = std::net::TcpStream::connect(&r.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let req = format!(
            "POST /c/shop/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}",
            r.addr
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf).to_string();
        // 202 from the app (the relay's own 202 for a held delivery has no X-App-First).
        if text.contains("X-App-First") || std::time::Instant::now() > until {
            break text.split("\r\n\r\n").next().unwrap().to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let lines: Vec<&str> = head.lines().skip(1).collect();
    assert!(
        lines.starts_with(&[
            "X-App-First: 1",
            "Date: Mon, 01 Jan 2024 00:00:00 GMT",
            "Content-Length: 2"
        ]),
        "{head}"
    );
    assert!(
        !head.contains("date:") && !head.contains("content-length:"),
        "{head}"
    );
}

/// `[secret.profiles]` in hookctl.toml gives a profile its own secret, used for that
/// profile only, and named where `replay --dry-run` says how it would sign.
#[test]
fn hookctl_toml_gives_each_profile_its_secret() {
    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("hookctl.toml"),
        "[secret.profiles]\ngithub = { env = \"GH_SECRET\" }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("body.json"), "{\"zen\":\"hi\"}").unwrap();
    let sign = |extra: &[&str]| {
        hookctl(dir.path())
            .env("GH_SECRET", GH)
            .args([
                "--json",
                "sign",
                "--body",
                "body.json",
                "--id",
                "d1",
                "-e",
                "ping",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let from_config = sign(&["-p", "github"]);
    assert_eq!(
        from_config.status.code(),
        Some(0),
        "{}",
        stderr(&from_config)
    );
    let given = sign(&["-p", "github", "--secret", GH]);
    assert_eq!(
        json_lines(&from_config)[0]["data"]["headers"],
        json_lines(&given)[0]["data"]["headers"]
    );
    // Not for another profile.
    let o = sign(&["-p", "stripe"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no signing secret"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(GH));
    // replay --dry-run names it.
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let down = TestServer::start(vec![Reply::status(500)]);
    let o = hookctl(dir.path())
        .env("GH_SECRET", GH)
        .args([
            "--store", s, "send", "--to", &down.url, "-p", "github", "-e", "ping",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = hookctl(dir.path())
        .env("GH_SECRET", GH)
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "--failed",
            "--resign",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let planned = &json_lines(&o)[0]["data"];
    assert!(
        planned["secret_from"][0]
            .as_str()
            .unwrap()
            .contains("GH_SECRET"),
        "{planned}"
    );
}
