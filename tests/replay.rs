//! `replay`: byte-exact and re-signed, chosen by id or `--failed`, recorded and linked.

mod support;
use support::listener::Listener;
use support::server::{Reply, TestServer, verifies};
use support::{hookctl, json_lines, stderr};
use tempfile::TempDir;

#[test]
fn byte_exact_replays_of_sent_and_received_deliveries() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    // a send that failed...
    let down = TestServer::start(vec![Reply::status(500)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "send",
            "--to",
            &down.url,
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let sent = down.requests().pop().unwrap();
    // ...replayed to a working app: the same bytes, the same signature
    let app = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "1",
            "--to",
            &format!("{}/in", app.url),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0]["data"];
    assert_eq!(
        (
            r["original"].as_i64(),
            r["delivered"].as_bool(),
            r["resigned"].as_bool()
        ),
        (Some(1), Some(true), Some(false))
    );
    let got = app.requests().pop().unwrap();
    assert_eq!(got.body, sent.body);
    assert_eq!(
        got.header("x-hyperleap-signature"),
        sent.header("x-hyperleap-signature")
    );
    assert_eq!(
        got.header("x-hyperleap-delivery-id"),
        sent.header("x-hyperleap-delivery-id")
    );
    assert!(verifies("hyperleap", "k", &got));
    // recorded and linked to its original
    let conn = rusqlite::Connection::open(&store).unwrap();
    let (source, replay_of, state): (String, i64, String) = conn
        .query_row(
            "SELECT source, replay_of, state FROM deliveries WHERE id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (source.as_str(), replay_of, state.as_str()),
        ("replay", 1, "delivered")
    );
    // --failed: the original was delivered by its replay, so nothing is left
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "--failed", "--to", &app.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("no deliveries to replay"),
        "{}",
        stderr(&o)
    );

    // a delivery received by listen has no target of its own
    let l = Listener::start(
        dir.path(),
        &["--store", s],
        &["-p", "hyperleap", "--secret", "k", "--status", "500"],
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
            "conversation.message",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let id = l.wait_deliveries(1)[0]["id"].as_i64().unwrap().to_string();
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", &id])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --to URL"), "{}", stderr(&o));
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "--json",
            "replay",
            "--failed",
            "--event",
            "conversation.*",
            "--to",
            &app.url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0]["data"]["original"].as_i64().unwrap().to_string(),
        id
    );
    assert!(
        verifies("hyperleap", "k", &app.requests().pop().unwrap()),
        "a received delivery replays byte-exact too"
    );

    // a replay that fails is exit 1; an unknown id is exit 2
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "1", "--to", &down.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "999"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn resign_makes_a_stale_timestamped_delivery_verify_again() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let down = TestServer::start(vec![Reply::status(503)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "send",
            "--to",
            &down.url,
            "-p",
            "agentbot",
            "-e",
            "ticket.created",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "agentbot", "--secret", "k", "--tolerance", "1s"],
    );
    // byte-exact: stale, and said so before sending
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "1", "--to", &l.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("signs a timestamp") && stderr(&o).contains("--resign"),
        "{}",
        stderr(&o)
    );
    assert!(
        l.wait_deliveries(1)[0]["reason"]
            .as_str()
            .unwrap()
            .contains("timestamp too old")
    );
    // re-signed: a fresh timestamp, the same delivery id and body
    let o = hookctl(dir.path())
        .args([
            "--store", s, "replay", "1", "--to", &l.url, "--resign", "--secret", "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = l.wait_deliveries(2);
    assert_eq!(d[1]["valid"], true);
    assert_eq!(d[1]["delivery_id"], d[0]["delivery_id"]);
    // --resign needs the secret
    let o = hookctl(dir.path())
        .args(["--store", s, "replay", "1", "--to", &l.url, "--resign"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no signing secret"), "{}", stderr(&o));
}

#[test]
fn edit_changes_the_body_before_sending() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let s = store.to_str().unwrap();
    let down = TestServer::start(vec![Reply::status(500)]);
    let o = hookctl(dir.path())
        .args([
            "--store",
            s,
            "send",
            "--to",
            &down.url,
            "-p",
            "hyperleap",
            "-e",
            "lead.captured",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let app = TestServer::start(vec![Reply::status(200)]);
    let o = hookctl(dir.path())
        .env("EDITOR", "sed -i s/Jane/Joan/")
        .env_remove("VISUAL")
        .args([
            "--store", s, "replay", "1", "--to", &app.url, "--edit", "--resign", "--secret", "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = app.requests().pop().unwrap();
    assert!(String::from_utf8_lossy(&got.body).contains("Joan Smith"));
    assert!(
        verifies("hyperleap", "k", &got),
        "re-signed over the edited body"
    );
    // edited without --resign: warned that the signature no longer fits
    let o = hookctl(dir.path())
        .env("EDITOR", "sed -i s/Jane/June/")
        .env_remove("VISUAL")
        .args(["--store", s, "replay", "1", "--to", &app.url, "--edit"])
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("changed but its signature did not"),
        "{}",
        stderr(&o)
    );
}
