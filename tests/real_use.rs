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
        .args(["--store", store, "--json", "send", "--to", url, "-p", profile, "-e", event])
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
        .args(["--store", s, "replay", "--failed", "--since", "1h", "--resign"])
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
        .args(["--store", s, "--json", "replay", "--failed", "--resign", "--dry-run"])
        .args(["--secret-env", "stripe=STRIPE_WEBHOOK_SECRET"])
        .args(["--secret-env", "github=GH_SECRET"])
        .args(["--secret-env", "hoverbot=HOVERBOT_SECRET"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let planned: Vec<Value> = json_lines(&o).into_iter().map(|l| l["data"].clone()).collect();
    assert_eq!(planned.len(), 3, "{planned:?}");
    for (id, var) in [
        (stripe, "STRIPE_WEBHOOK_SECRET"),
        (github, "GH_SECRET"),
        (hoverbot, "HOVERBOT_SECRET"),
    ] {
        let p = planned.iter().find(|p| p["original"] == id).unwrap();
        assert_eq!(p["signing"], "re-signed");
        assert_eq!(p["url"].as_str().unwrap(), l.url.as_str());
        assert!(
            p["secret_from"][0].as_str().unwrap().contains(var),
            "{p}"
        );
    }
    let o = hookctl(dir.path())
        .envs(env)
        .args(["--store", s, "replay", "--failed", "--dry-run"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("byte-exact") && stdout(&o).contains("dry run: 3 replays would be sent"), "{}", stdout(&o));
    assert_eq!(l.deliveries().len(), 3, "a dry run sends nothing");

    // The README's example, as written there.
    let readme = include_str!("../README.md");
    let example = "hookctl replay --failed --since 1h -p stripe --resign --secret-env STRIPE_WEBHOOK_SECRET";
    assert!(readme.contains(example), "the README shows the example tested here");
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
        (got[3]["profile"].as_str(), got[3]["valid"].as_bool(), got[3]["status"].as_u64()),
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
        .args(["verify", "-p", "stripe", "--secret", STRIPE, "--request", "-"])
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
        assert_eq!((d["valid"].as_bool(), d["status"].as_u64()), (Some(true), Some(200)), "{d}");
    }
    // HoverBot's replay was its body's second attempt.
    let hb = got[4..].iter().find(|d| d["profile"] == "hoverbot").unwrap();
    assert_eq!(hb["attempt"], 2, "{hb}");
    assert!(hb["delivery_id"].is_null());

    // One meaning of failed: nothing is left, and the originals say what fixed them.
    assert_eq!(failed_ids(dir.path(), s), Vec::<i64>::new());
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "--failed", "--dry-run"])
        .output()
        .unwrap();
    assert!(stderr(&o).contains("no deliveries to replay"), "{}", stderr(&o));
    let o = hookctl(dir.path())
        .args(["--store", s, "deliveries", "show", &stripe.to_string()])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("state: delivered by #")
            && text.contains("(this record: failed)")
            && text.contains("replayed as #")
            && text.contains("the answer (attempt 1): 500")
            && text.contains("scripted failure"),
        "{text}"
    );
    let o = hookctl(dir.path())
        .args(["--store", s, "--json", "deliveries", "list", "--status", "delivered"])
        .output()
        .unwrap();
    let d: Vec<Value> = json_lines(&o).into_iter().map(|l| l["data"].clone()).collect();
    let original = d.iter().find(|d| d["id"] == stripe).unwrap();
    assert_eq!((original["state"].as_str(), original["outcome"].as_str()), (Some("failed"), Some("delivered")));
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
    let l = Listener::start(dir.path(), &["--store", s], &["-p", "github", "--secret", GH, "--fail-first", "1"]);
    let o = hookctl(dir.path())
        .args(["--store", s, "--json", "send", "--to", &l.url, "-p", "github", "-e", "ping", "--secret", GH])
        .args(["--id", "7d5e-original"])
        .output()
        .unwrap();
    let sent = json_lines(&o).iter().find(|l| l["type"] == "result").unwrap()["data"]["stored"].as_i64().unwrap();
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
        .args(["--store", s, "--json", "replay", "7d5e-original", "--dry-run", "--to", &app.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["data"]["original"], sent);
    let err = stderr(&o);
    assert!(
        err.contains("matches 4 records") && err.contains(&format!("took #{sent}")) && err.contains("--direction in|out"),
        "{err}"
    );
    // The hint works as written.
    let o = hookctl(dir.path())
        .args(["--store", s, "--json", "replay", "7d5e-original", "--direction", "in", "--dry-run", "--to", &app.url])
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
    let profiles = hookctl(dir.path()).args(["--json", "profiles"]).output().unwrap();
    let names: Vec<String> = json_lines(&profiles)
        .iter()
        .map(|p| p["data"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    let mut no_retries = Vec::new();
    for p in &names {
        let o = hookctl(dir.path())
            .args(["--no-store", "simulate", "-p", p, "--to", &l.url, "--speed", "10000"])
            .args(["--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
            .output()
            .unwrap();
        if stderr(&o).contains("documents no retries") {
            // A provider that documents no retries (Hover, GitHub): one attempt,
            // and said so.
            no_retries.push(p.clone());
            assert_eq!(o.status.code(), Some(1), "{p}: {}{}", stdout(&o), stderr(&o));
            assert!(stderr(&o).contains("documents no retries"), "{}", stderr(&o));
            assert!(stdout(&o).contains("the profile has no retries"), "{}", stdout(&o));
        } else {
            assert_eq!(o.status.code(), Some(0), "{p}: {}{}", stdout(&o), stderr(&o));
            assert!(!stdout(&o).contains("1 attempts"), "{}", stdout(&o));
        }
    }
    no_retries.sort();
    assert_eq!(no_retries, ["github", "hover"]);
    let o = hookctl(dir.path())
        .args(["--no-store", "send", "-p", "hoverbot", "-e", "lead.qualified", "--to", &l.url, "--secret", "k"])
        .output()
        .unwrap();
    let first = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert!(first.contains("hoverbot") && !first.contains(" id "), "{first}");
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
    s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}").unwrap();
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
    assert!(!head.contains("date:") && !head.contains("content-length:"), "{head}");
    assert!(text.ends_with("\r\n\r\nok"), "{text}");
}
