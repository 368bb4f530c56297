//! A receiver written as a seed's sample verification code accepts every event
//! `hookctl sign` produces for that profile, and rejects a tampered one.
//! Needs `node` and `python3` on PATH (both are part of the machine's toolchain).

mod support;
use serde_json::{Value, json};
use support::{hookctl, json_lines, stderr};
use tempfile::TempDir;

/// Every event of a profile signed by hookctl, plus one tampered copy (expected false).
fn cases(dir: &TempDir, profile: &str, secret: &str) -> (Vec<Value>, Vec<bool>) {
    let o = hookctl(dir.path())
        .args(["--json", "events", "--profile", profile])
        .output()
        .unwrap();
    let events: Vec<String> = json_lines(&o)
        .iter()
        .map(|l| l["data"]["event"].as_str().unwrap().to_string())
        .collect();
    assert!(!events.is_empty());
    let mut cases = Vec::new();
    let mut expect = Vec::new();
    for e in &events {
        let o = hookctl(dir.path())
            .args([
                "--json", "sign", "-p", profile, "--event", e, "--secret", secret,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let d = &json_lines(&o)[0]["data"];
        cases.push(json!({"profile": profile, "secret": secret, "headers": d["headers"], "body": d["body"]["text"]}));
        expect.push(true);
    }
    let mut tampered = cases[0].clone();
    // rename the first key: the body no longer matches what was signed
    let body = tampered["body"].as_str().unwrap().replacen('"', "\"x", 1);
    tampered["body"] = json!(body);
    cases.push(tampered);
    expect.push(false);
    (cases, expect)
}

fn run(program: &str, script: &str, cases: &[Value]) -> Vec<bool> {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_vec(cases).unwrap()).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(script);
    let o = std::process::Command::new(program)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("could not run `{program}` (needed by this test): {e}"));
    assert!(
        o.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn seed_sample_receivers_accept_what_hookctl_signs() {
    let dir = TempDir::new().unwrap();
    for (profile, secret) in [
        ("hoverbot", "hb_secret_123"),
        ("agentbot", "ab-signing-secret"),
        ("hyperleap", "hl_whsec_5f2a"),
    ] {
        let (cases, expect) = cases(&dir, profile, secret);
        assert_eq!(
            run("node", "seed_receivers.js", &cases),
            expect,
            "{profile} (Node sample)"
        );
        if profile == "hyperleap" {
            assert_eq!(
                run("python3", "seed_receiver.py", &cases),
                expect,
                "{profile} (Python sample)"
            );
        }
    }
}
