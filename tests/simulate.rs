//! `simulate`: every built-in profile's schedule pinned, the stop rules, Retry-After,
//! and a real run against a scripted `hookctl listen`.

mod support;
use serde_json::Value;
use support::listener::Listener;
use support::{hookctl, json_lines, stderr};
use tempfile::TempDir;

fn timeline(args: &[&str]) -> (Vec<Value>, Value) {
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["--json", "simulate"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    let attempts = lines
        .iter()
        .filter(|l| l["type"] == "attempt")
        .map(|l| l["data"].clone())
        .collect();
    (attempts, lines.last().unwrap()["data"].clone())
}

fn delays(attempts: &[Value]) -> Vec<u64> {
    attempts
        .iter()
        .skip(1)
        .map(|a| a["delay_secs"].as_f64().unwrap() as u64)
        .collect()
}

#[test]
fn every_builtin_schedule_is_pinned() {
    let expected: &[(&str, &[u64])] = &[
        // seed 000: retries after 2 s, 8 s, 32 s (read as three retries)
        ("hoverbot", &[2, 8, 32]),
        // seed 002: immediately, then ~1 min, ~5 min, ~30 min, ~3 h after the previous one
        ("agentbot", &[60, 300, 1800, 10800]),
        // seed 003: 1 s, 4 s, 16 s between retries (read as three retries)
        ("hyperleap", &[1, 4, 16]),
        // seed 004: 1, 2, 4, 8, 16 minutes, at most 5 retries
        ("convosphere", &[60, 120, 240, 480, 960]),
        ("standard", &[5, 300, 1800, 7200, 18000, 36000, 36000]),
        ("svix", &[5, 300, 1800, 7200, 18000, 36000, 36000]),
        ("stripe", &[3600, 7200, 14400, 28800, 57600, 86400, 86400]),
        ("github", &[]),
        ("slack", &[1, 60, 300]),
        ("shopify", &[10, 30, 60, 120, 300, 900, 1800, 10800]),
        ("hmac", &[10, 60, 600]),
        ("hover", &[]),
    ];
    for (profile, want) in expected {
        let (attempts, result) = timeline(&["-p", profile]);
        assert_eq!(delays(&attempts), *want, "{profile}");
        assert_eq!(
            result["state"], "failed",
            "{profile}: every attempt fails by default"
        );
        assert_eq!(result["attempts"], want.len() + 1);
        assert_eq!(
            result["total_secs"].as_f64().unwrap() as u64,
            want.iter().sum::<u64>(),
            "{profile}"
        );
        let last = attempts.last().unwrap();
        assert_eq!(last["decision"], "gave up");
        // A provider without retries says so rather than "after 1 attempts".
        let rule = last["rule"].as_str().unwrap();
        if want.is_empty() {
            assert_eq!(rule, "the profile has no retries", "{profile}");
        } else {
            assert!(rule.contains("no retries left"), "{last}");
        }
    }
}

#[test]
fn stop_rules_and_retry_after() {
    // convosphere: 4xx other than 429 stops, 429 and 5xx continue
    let (a, r) = timeline(&["-p", "convosphere", "--responses", "500,429,404"]);
    assert_eq!(
        a.iter()
            .map(|x| x["decision"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["retry", "retry", "gave up"]
    );
    assert_eq!(a[2]["rule"], "404 is not retried");
    assert_eq!(r["state"], "failed");
    // hyperleap retries every non-2xx, a 404 included
    let (a, _) = timeline(&["-p", "hyperleap", "--responses", "404,200"]);
    assert_eq!(a[0]["decision"], "retry");
    assert_eq!(a[1]["decision"], "delivered");
    // a timeout uses up the attempt's time: hyperleap's 10 s, then the 1 s delay
    let (a, _) = timeline(&["-p", "hyperleap", "--responses", "timeout,200"]);
    assert_eq!(a[1]["at_secs"], 11.0);
    // --fail-first N: N failures, then delivered
    let (a, r) = timeline(&["-p", "agentbot", "--fail-first", "2"]);
    assert_eq!(a.len(), 3);
    assert_eq!(r["state"], "delivered");
    assert_eq!(r["total_secs"], 360.0);
    // Retry-After honoured where the profile says so (standard), ignored elsewhere
    let (a, _) = timeline(&[
        "-p",
        "standard",
        "--responses",
        "429,200",
        "--retry-after",
        "42",
    ]);
    assert_eq!(a[1]["delay_secs"], 42.0);
    assert!(
        a[0]["rule"]
            .as_str()
            .unwrap()
            .contains("Retry-After honoured")
    );
    let (a, _) = timeline(&[
        "-p",
        "convosphere",
        "--responses",
        "429,200",
        "--retry-after",
        "42",
    ]);
    assert_eq!(a[1]["delay_secs"], 60.0);
    // a bad outcome is an error
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["simulate", "-p", "hoverbot", "--responses", "500,nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`nope` is not a status"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_real_run_against_a_scripted_listener() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "hyperleap", "--secret", "k", "--fail-first", "2"],
    );
    let store = dir.path().join("s.db");
    let o = hookctl(dir.path())
        .args([
            "--store",
            store.to_str().unwrap(),
            "--json",
            "simulate",
            "-p",
            "hyperleap",
            "--to",
            &l.url,
            "--speed",
            "100",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    let attempts: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "attempt")
        .map(|l| &l["data"])
        .collect();
    assert_eq!(
        attempts
            .iter()
            .map(|a| a["status"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [503, 503, 200]
    );
    assert_eq!(
        attempts
            .iter()
            .map(|a| a["decision"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["retry", "retry", "delivered"]
    );
    let received = l.wait_deliveries(3);
    assert!(
        received.iter().all(|d| d["valid"] == true),
        "each attempt is signed afresh and verifies"
    );
    let conn = rusqlite::Connection::open(&store).unwrap();
    let (source, state, n): (String, String, i64) = conn
        .query_row(
            "SELECT source, state, (SELECT COUNT(*) FROM attempts) FROM deliveries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (source.as_str(), state.as_str(), n),
        ("simulate", "delivered", 3)
    );
}
