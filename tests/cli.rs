//! `sign`, `verify`, `profiles`, `events`, `init` and `completions` on the real binary.

mod support;
use serde_json::Value;
use support::{hookctl, json_lines, stderr, stdout};
use tempfile::TempDir;

const STRIPE_BODY: &str = "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\",\n  \"data\": { \"object\": { \"id\": \"rdr_123\", \"object\": \"terminal.reader\" } }\n}";
const STRIPE_SIG: &str =
    "t=12345,v1=07b1ede164afb7b5de91267ffa656f568c65d6e0783ce0ac55ee094643578eda";

fn dir_with_body(body: &[u8]) -> TempDir {
    let d = TempDir::new().unwrap();
    std::fs::write(d.path().join("body"), body).unwrap();
    d
}

#[test]
fn sign_prints_the_known_answer_and_verify_accepts_it() {
    let d = dir_with_body(STRIPE_BODY.as_bytes());
    let o = hookctl(d.path())
        .args([
            "sign",
            "--profile",
            "stripe",
            "--secret",
            "whsec_test_secret",
            "--timestamp",
            "12345",
            "--body",
            "body",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l == format!("Stripe-Signature: {STRIPE_SIG}")),
        "{}",
        stdout(&o)
    );

    let o = hookctl(d.path())
        .args([
            "verify",
            "--profile",
            "stripe",
            "--secret",
            "whsec_test_secret",
            "--now",
            "12345",
            "--body",
            "body",
        ])
        .args(["-H", &format!("Stripe-Signature: {STRIPE_SIG}")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("✓ valid"), "{}", stdout(&o));
}

#[test]
fn verify_exit_codes_and_json() {
    let d = dir_with_body(STRIPE_BODY.as_bytes());
    let run = |now: &str, sig: &str| {
        hookctl(d.path())
            .args([
                "--json",
                "verify",
                "--secret",
                "whsec_test_secret",
                "--now",
                now,
                "--body",
                "body",
            ])
            .args(["-H", &format!("Stripe-Signature: {sig}")])
            .output()
            .unwrap()
    };
    let o = run("12345", STRIPE_SIG);
    assert_eq!(o.status.code(), Some(0));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "verification");
    let data = &lines[0]["data"];
    assert_eq!(data["valid"], true);
    assert_eq!(data["profile"], "stripe");
    assert_eq!(data["event"], Value::Null);
    assert_eq!(data["id"], "evt_test_webhook");
    assert_eq!(data["timestamp"], 12345);
    assert!(stderr(&o).contains("detected"), "{}", stderr(&o));

    let o = run("12646", STRIPE_SIG);
    assert_eq!(o.status.code(), Some(1));
    let data = &json_lines(&o)[0]["data"];
    assert_eq!(data["valid"], false);
    assert_eq!(data["failure"]["code"], "timestamp_too_old");
    assert_eq!(data["failure"]["age_secs"], 301);
    assert!(
        data["reason"]
            .as_str()
            .unwrap()
            .contains("1s beyond the 5m tolerance"),
        "{data}"
    );

    let o = run("12345", &STRIPE_SIG.replace("07b1", "17b1"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o)[0]["data"]["failure"]["code"], "no_match");

    let o = run("12345", "v1=abc");
    assert_eq!(o.status.code(), Some(1));
    let data = &json_lines(&o)[0]["data"];
    assert_eq!(data["failure"]["code"], "malformed_header", "{data}");
    assert!(
        data["reason"]
            .as_str()
            .unwrap()
            .contains("t={timestamp},v1={signature}")
    );

    let o = run("12345", "t=yesterday,v1=abc");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        json_lines(&o)[0]["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("unix seconds")
    );
}

#[test]
fn malformed_input_is_exit_2_with_a_clear_message() {
    let d = dir_with_body(b"{}");
    let o = hookctl(d.path())
        .args([
            "verify",
            "-p",
            "github",
            "--secret",
            "k",
            "--body",
            "body",
            "-H",
            "no colon here",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("malformed header `no colon here`: expected `Name: value`"),
        "{}",
        stderr(&o)
    );

    let o = hookctl(d.path())
        .args([
            "verify",
            "-p",
            "github",
            "--secret",
            "k",
            "--body",
            "missing-file",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("could not read `missing-file`"),
        "{}",
        stderr(&o)
    );

    let o = hookctl(d.path())
        .args(["verify", "-p", "nosuch", "--secret", "k", "--body", "body"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown profile `nosuch`; known profiles: hoverbot"),
        "{}",
        stderr(&o)
    );

    let o = hookctl(d.path())
        .args([
            "verify",
            "--secret",
            "k",
            "--body",
            "body",
            "-H",
            "X-Other: 1",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("could not detect the profile"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint:"), "{}", stderr(&o));

    std::fs::write(
        d.path().join("req.http"),
        b"POST / HTTP/1.1\r\nContent-Length: 99\r\n\r\n{}",
    )
    .unwrap();
    let o = hookctl(d.path())
        .args([
            "verify",
            "-p",
            "github",
            "--secret",
            "k",
            "--request",
            "req.http",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truncated request"), "{}", stderr(&o));

    let o = hookctl(d.path())
        .args([
            "verify",
            "-p",
            "standard",
            "--secret",
            "not base64 at all!",
            "--body",
            "body",
            "-H",
            "webhook-id: a",
            "-H",
            "webhook-timestamp: 1",
            "-H",
            "webhook-signature: v1,AAAA",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not valid whsec"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("at all"),
        "the secret leaked: {}",
        stderr(&o)
    );
}

#[test]
fn secret_errors_name_the_source_tried() {
    let d = dir_with_body(b"{}");
    let o = hookctl(d.path())
        .args(["sign", "-p", "github", "--event", "ping"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no signing secret"), "{}", stderr(&o));

    let o = hookctl(d.path())
        .args([
            "sign",
            "-p",
            "github",
            "--event",
            "ping",
            "--secret-env",
            "HOOKCTL_TEST_UNSET",
        ])
        .env_remove("HOOKCTL_TEST_UNSET")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("environment variable `HOOKCTL_TEST_UNSET` is not set"),
        "{}",
        stderr(&o)
    );

    let o = hookctl(d.path())
        .args([
            "sign",
            "-p",
            "github",
            "--event",
            "ping",
            "--secret-file",
            "nope.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--secret-file") && stderr(&o).contains("nope.txt"),
        "{}",
        stderr(&o)
    );

    // HOOKCTL_SECRET and a secret file both work; the file may hold several (rotation).
    std::fs::write(
        d.path().join("secrets"),
        "# old then new\nold-secret\nnew-secret\n",
    )
    .unwrap();
    let o = hookctl(d.path())
        .args([
            "--json",
            "sign",
            "-p",
            "standard",
            "--event",
            "user.created",
            "--secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hookctl(d.path())
        .env("HOOKCTL_SECRET", "from-env")
        .args(["sign", "-p", "github", "--event", "ping"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn secrets_never_appear_in_output() {
    let secret = "whsec_VerySecretValueThatMustNotLeak0123456789";
    let d = dir_with_body(b"{\"a\":1}");
    for args in [
        vec![
            "--json",
            "-v",
            "sign",
            "-p",
            "stripe",
            "--event",
            "invoice.paid",
            "--secret",
            secret,
        ],
        vec![
            "-v", "sign", "-p", "stripe", "--body", "body", "--secret", secret,
        ],
        vec![
            "--json",
            "verify",
            "-p",
            "stripe",
            "--body",
            "body",
            "--explain",
            "--secret",
            secret,
            "-H",
            "Stripe-Signature: t=1,v1=00",
        ],
        vec![
            "verify",
            "-p",
            "stripe",
            "--body",
            "body",
            "--explain",
            "--secret",
            secret,
            "--secret",
            "whsec_other",
            "-H",
            "Stripe-Signature: t=1,v1=00",
        ],
    ] {
        let o = hookctl(d.path()).args(&args).output().unwrap();
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("VerySecret"), "leaked with {args:?}: {all}");
    }
}

#[test]
fn raw_request_files_and_auto_detection() {
    let d = TempDir::new().unwrap();
    let o = hookctl(d.path())
        .args([
            "--json", "sign", "-p", "github", "--event", "push", "--secret", "k",
        ])
        .output()
        .unwrap();
    let rec = &json_lines(&o)[0]["data"];
    let mut raw = b"POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for h in rec["headers"].as_array().unwrap() {
        raw.extend(format!("{}: {}\r\n", h[0].as_str().unwrap(), h[1].as_str().unwrap()).bytes());
    }
    let body = rec["body"]["text"].as_str().unwrap();
    raw.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).bytes());
    std::fs::write(d.path().join("req.http"), &raw).unwrap();
    let o = hookctl(d.path())
        .args(["--json", "verify", "--request", "req.http", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = &json_lines(&o)[0]["data"];
    assert_eq!(v["profile"], "github");
    assert_eq!(v["event"], "push");
    assert_eq!(v["id"], rec["id"]);

    // headers from a file, as `sign` prints them
    let o = hookctl(d.path())
        .args([
            "sign", "-p", "github", "--secret", "k", "--body", "-", "--event", "ping",
        ])
        .write_stdin("{\"zen\":1}")
        .output()
        .unwrap();
    std::fs::write(d.path().join("headers.txt"), &o.stdout).unwrap();
    std::fs::write(d.path().join("ping.json"), "{\"zen\":1}").unwrap();
    let o = hookctl(d.path())
        .args([
            "verify",
            "-H",
            "@headers.txt",
            "--body",
            "ping.json",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(d.path().join("bad.txt"), "X-Hub-Signature-256 sha256=00\n").unwrap();
    let o = hookctl(d.path())
        .args([
            "verify",
            "-H",
            "@bad.txt",
            "--body",
            "ping.json",
            "--secret",
            "k",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("could not read the headers in `bad.txt`"),
        "{}",
        stderr(&o)
    );

    // the same request through standard input
    let o = hookctl(d.path())
        .args(["verify", "--request", "-", "--secret", "k"])
        .write_stdin(raw)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn explain_on_the_command_line() {
    let d = dir_with_body(b"{\"b\":1,\"a\":2}\n");
    // signed without the newline the file has
    let o = hookctl(d.path())
        .args([
            "sign",
            "-p",
            "slack",
            "--secret",
            "k",
            "--timestamp",
            "1000",
            "--body",
            "-",
        ])
        .write_stdin("{\"b\":1,\"a\":2}")
        .output()
        .unwrap();
    let sig_headers: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with("X-Slack"))
        .map(str::to_string)
        .collect();
    assert_eq!(sig_headers.len(), 2, "{}", stdout(&o));
    let mut cmd = hookctl(d.path());
    cmd.args([
        "verify",
        "-p",
        "slack",
        "--secret",
        "k",
        "--now",
        "1000",
        "--body",
        "body",
        "--explain",
    ]);
    for h in &sig_headers {
        cmd.args(["-H", h]);
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("✗ invalid: no signature matches"), "{out}");
    assert!(
        out.contains("explain: the signature matches the body without the trailing newline"),
        "{out}"
    );
}

#[test]
fn non_utf8_and_empty_bodies() {
    for body in [&b"\xff\xfe\x00\x80 binary"[..], &b""[..]] {
        let d = dir_with_body(body);
        let o = hookctl(d.path())
            .args([
                "--json",
                "sign",
                "-p",
                "shopify",
                "--event",
                "orders/create",
                "--secret",
                "hush",
                "--body",
                "body",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let rec = &json_lines(&o)[0]["data"];
        let mut cmd = hookctl(d.path());
        cmd.args([
            "verify", "-p", "shopify", "--secret", "hush", "--body", "body",
        ]);
        for h in rec["headers"].as_array().unwrap() {
            cmd.args([
                "-H",
                &format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()),
            ]);
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

#[test]
fn events_show_prints_the_exact_body() {
    let d = TempDir::new().unwrap();
    let o = hookctl(d.path())
        .args([
            "events",
            "show",
            "lead.captured",
            "--profile",
            "hyperleap",
            "--id",
            "d9e0f1a2-0000-4000-8000-000000000001",
            "--timestamp",
            "1757932200",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let body = text.as_str();
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        body,
        "compact, as sent, no newline when piped"
    );
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
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
    assert_eq!(v["eventType"], "lead.captured");
    assert_eq!(v["timestamp"], "2025-09-15T10:30:00Z");
    assert_eq!(v["deliveryId"], "d9e0f1a2-0000-4000-8000-000000000001");
    let data_keys: Vec<&str> = v["data"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        data_keys,
        [
            "name",
            "email",
            "phone",
            "companyName",
            "externalUserLoginId",
            "tags"
        ]
    );

    // an event two profiles share needs --profile
    let o = hookctl(d.path())
        .args(["events", "show", "conversation.started"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("hyperleap, convosphere"),
        "{}",
        stderr(&o)
    );

    let o = hookctl(d.path())
        .args(["--json", "events", "--profile", "agentbot"])
        .output()
        .unwrap();
    let names: Vec<String> = json_lines(&o)
        .iter()
        .map(|l| l["data"]["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "conversation.created",
            "conversation.closed",
            "message.created",
            "conversation.needs_human",
            "ticket.created",
            "ticket.updated"
        ]
    );
}

#[test]
fn a_bad_profile_in_the_config_names_file_field_and_expectation() {
    let d = TempDir::new().unwrap();
    let cfg = d.path().join("hookctl.toml");
    std::fs::write(
        &cfg,
        "[profiles.acme]\nextends = \"github\"\n[profiles.acme.signature]\nalgorithm = \"md5\"\n",
    )
    .unwrap();
    let o = hookctl(d.path()).args(["profiles"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("hookctl.toml")
            && e.contains("algorithm")
            && e.contains("hmac-sha256")
            && e.contains("line 4"),
        "{e}"
    );

    std::fs::write(&cfg, "[profiles.acme]\nextends = \"github\"\n[profiles.acme.signature]\nalgoritm = \"hmac-sha1\"\n").unwrap();
    let e = stderr(&hookctl(d.path()).args(["profiles"]).output().unwrap());
    assert!(
        e.contains("unknown field `algoritm`") && e.contains("expected one of"),
        "{e}"
    );

    // `sign -p acme` under a config: its exit code and what it said.
    let sign_under = |config: &str| {
        std::fs::write(&cfg, config).unwrap();
        let o = hookctl(d.path())
            .args(["sign", "-p", "acme", "--event", "ping", "--secret", "k"])
            .output()
            .unwrap();
        (o.status.code(), stderr(&o))
    };
    let (code, e) = sign_under(
        "[profiles.acme]\nextends = \"github\"\n[profiles.acme.signature]\ntolerance = \"soon\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        e.contains("profile `acme`")
            && e.contains("signature.tolerance")
            && e.contains("not a duration"),
        "{e}"
    );

    let (_, e) = sign_under("[profiles.acme]\n[profiles.acme.headers]\n\"X-Sig\" = \"{sig}\"\n");
    assert!(
        e.contains("headers.X-Sig") && e.contains("unknown placeholder `{sig}`"),
        "{e}"
    );

    // A var uses only the vars before it: each event renders them in order.
    let (code, e) = sign_under(
        "[profiles.acme]\nextends = \"github\"\n[profiles.acme.vars]\nlabel = \"{vars.later}\"\nlater = \"x\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        e.contains("vars.label") && e.contains("`{vars.later}` is not a var defined before"),
        "{e}"
    );

    std::fs::write(&cfg, "profile = [oops\n").unwrap();
    let o = hookctl(d.path()).args(["profiles"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not valid"), "{}", stderr(&o));
}

#[test]
fn user_profiles_extend_and_override_in_the_same_format() {
    let d = TempDir::new().unwrap();
    std::fs::write(
        d.path().join("hookctl.toml"),
        "profile = \"acme\"\n\n[profiles.acme]\nextends = \"github\"\ndescription = \"Acme's GitHub-like hooks\"\n[profiles.acme.signature]\nencoding = \"base64\"\n[profiles.acme.events.\"widget.made\"]\ndata = { widget = \"{uuid}\" }\n\n[profiles.stripe.signature]\ntolerance = \"10m\"\n",
    )
    .unwrap();
    let o = hookctl(d.path())
        .args(["--json", "profiles"])
        .output()
        .unwrap();
    let rows = json_lines(&o);
    let acme = rows
        .iter()
        .find(|r| r["data"]["name"] == "acme")
        .expect("acme listed");
    assert!(
        acme["data"]["origin"]
            .as_str()
            .unwrap()
            .ends_with("hookctl.toml")
    );
    assert_eq!(acme["data"]["events"], 8);
    // default profile from the config; the override's base64 encoding is used
    let o = hookctl(d.path())
        .args(["--json", "sign", "--event", "widget.made", "--secret", "k"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let rec = &json_lines(&o)[0]["data"];
    assert_eq!(rec["profile"], "acme");
    let sig = rec["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "X-Hub-Signature-256")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sig.starts_with("sha256=") && sig.ends_with('='), "{sig}");
    // the built-in stripe profile, overridden: the tolerance changes, nothing else
    let o = hookctl(d.path())
        .args(["--json", "profiles", "show", "stripe"])
        .output()
        .unwrap();
    let data = &json_lines(&o)[0]["data"];
    assert_eq!(data["signature"]["tolerance"], "10m");
    assert_eq!(data["signature"]["secret"], "raw");
}

#[test]
fn profiles_show_prints_a_definition_hookctl_toml_accepts() {
    let d = TempDir::new().unwrap();
    let o = hookctl(d.path())
        .args(["profiles", "show", "agentbot"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let table: toml::Table = stdout(&o).parse().unwrap();
    let mut profiles = toml::Table::new();
    profiles.insert("copy".into(), toml::Value::Table(table));
    let mut cfg = toml::Table::new();
    cfg.insert("profiles".into(), toml::Value::Table(profiles));
    std::fs::write(
        d.path().join("hookctl.toml"),
        toml::to_string(&cfg).unwrap(),
    )
    .unwrap();
    let sign = |p: &str| {
        let o = hookctl(d.path())
            .args([
                "sign",
                "-p",
                p,
                "--secret",
                "k",
                "--timestamp",
                "1700000000",
                "--id",
                "fixed",
                "--event",
                "ticket.created",
                "--body",
                "-",
            ])
            .write_stdin("{\"same\":true}")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(sign("copy"), sign("agentbot"));
}

#[test]
fn init_writes_a_config_and_refuses_to_overwrite() {
    let d = TempDir::new().unwrap();
    let o = hookctl(d.path())
        .env("HOOKCTL_SECRET", "a-secret-value-xyz")
        .args(["init", "--yes", "--profile", "agentbot", "--port", "5000"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.path().join("hookctl.toml")).unwrap();
    assert!(text.contains("profile = \"agentbot\""), "{text}");
    assert!(text.contains("env = \"AGENTBOT_SECRET\""), "{text}");
    assert!(text.contains("port = 5000"));
    assert!(!text.contains("a-secret-value-xyz"));
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() >= 5,
        "commented: {text}"
    );

    let o = hookctl(d.path())
        .args(["init", "--yes", "--profile", "stripe"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.path().join("hookctl.toml")).unwrap(),
        text,
        "unchanged"
    );

    let o = hookctl(d.path())
        .args([
            "init",
            "--yes",
            "--profile",
            "stripe",
            "--secret-file",
            "secret.txt",
            "--force",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.path().join("hookctl.toml")).unwrap();
    assert!(text.contains("file = \"secret.txt\""), "{text}");
    // and the written file works: the secret comes from the file it names
    std::fs::write(d.path().join("secret.txt"), "whsec_from_file\n").unwrap();
    let o = hookctl(d.path())
        .args(["sign", "--event", "invoice.paid"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Stripe-Signature: t="));

    let o = hookctl(d.path())
        .args(["init", "--yes", "--profile", "nosuch", "-o", "other.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!d.path().join("other.toml").exists());
}

#[test]
fn completions_and_colour() {
    let d = TempDir::new().unwrap();
    let o = hookctl(d.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("_hookctl()"),
        "bash completion function"
    );

    let body = dir_with_body(b"{}");
    let run = |color: &str| {
        hookctl(body.path())
            .env_remove("NO_COLOR")
            .args([
                "--color",
                color,
                "verify",
                "-p",
                "github",
                "--secret",
                "k",
                "--body",
                "body",
                "-H",
                "X-Hub-Signature-256: sha256=00",
            ])
            .output()
            .unwrap()
    };
    assert!(stdout(&run("always")).contains('\u{1b}'));
    assert!(
        !stdout(&run("auto")).contains('\u{1b}'),
        "not a terminal: no colour"
    );
    assert!(!stdout(&run("never")).contains('\u{1b}'));
}

#[test]
fn untrusted_header_text_is_escaped() {
    let d = dir_with_body(b"{}");
    let o = hookctl(d.path())
        .args([
            "verify",
            "-p",
            "stripe",
            "--secret",
            "k",
            "--body",
            "body",
            "-H",
            "Stripe-Signature: \u{202e}t=1,v1=00",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        !stdout(&o).contains('\u{202e}') && stdout(&o).contains("\\u{202e}"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn profiles_list_their_scheme_family_and_filter_by_it_and_by_text() {
    let d = TempDir::new().unwrap();
    let list = |args: &[&str]| {
        let o = hookctl(d.path())
            .args(["--json", "profiles"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        json_lines(&o)
            .iter()
            .map(|r| {
                (
                    r["data"]["name"].as_str().unwrap().to_string(),
                    r["data"]["scheme"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let all = list(&[]);
    assert!(all.len() >= 60, "{}", all.len());
    let sha1 = list(&["--scheme", "hmac-sha1"]);
    assert!(sha1.iter().any(|(n, _)| n == "intercom"), "{sha1:?}");
    assert!(sha1.iter().all(|(_, s)| s == "hmac-sha1"), "{sha1:?}");
    assert_eq!(
        sha1.len(),
        all.iter().filter(|(_, s)| s == "hmac-sha1").count()
    );
    // a prefix takes every family it starts; `list` takes the same filters
    let hmac = list(&["list", "--scheme", "HMAC"]);
    assert_eq!(
        hmac.len(),
        all.iter().filter(|(_, s)| s.starts_with("hmac-")).count()
    );
    // the text is looked for in names and descriptions, in any case
    let found = list(&["--search", "VIDEO"]);
    assert!(found.iter().any(|(n, _)| n == "mux"), "{found:?}");
    assert!(found.len() < all.len() / 4, "{found:?}");
    let both = list(&["--scheme", "hmac-sha1", "--search", "deploy"]);
    assert!(both.iter().any(|(n, _)| n == "vercel"), "{both:?}");
    assert!(both.iter().all(|(_, s)| s == "hmac-sha1"), "{both:?}");
    assert!(list(&["--search", "no-such-provider-anywhere"]).is_empty());
    // an unknown family is an error that names the known ones
    let o = hookctl(d.path())
        .args(["profiles", "--scheme", "hmac-sha2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("hmac-sha256"), "{}", stderr(&o));
    // the table fits the width it is given and says the scheme of each row
    let o = hookctl(d.path()).args(["profiles"]).output().unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("hmac-sha1") && text.contains("intercom"),
        "{text}"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
}
