//! The schemes beyond the HMAC over a body: key pairs (Ed25519, ECDSA, RSA), JWTs,
//! URL-bound and canonical-request schemes, tokens and Basic auth. Round trips for
//! every such built-in profile and event, tampering, bad keys and tokens, and the CLI
//! (`keygen`, `--private-key`, `--public-key`, `--url`, `--explain`, `listen
//! --public-url`).

mod support;

use base64::Engine;
use hookctl::envelope::keys::{self, KeyType, PrivateKey};
use hookctl::envelope::secret::SecretKind;
use hookctl::envelope::verify::Failure;
use hookctl::envelope::{Catalog, HeaderList, Profile, Received, Secret, SignInput, VerifyOptions};
use support::{hookctl, stdout};

const URL: &str = "https://hooks.example.com/provider/in?tenant=7";
const NOW: i64 = 1_775_399_400;

fn rsa_private() -> String {
    include_str!("data/rsa-test.key").to_string()
}

/// A signing key and its verifying counterpart, of the kind the profile takes.
fn key_pair_for(p: &Profile, n: u8) -> (Secret, Secret) {
    let scheme = p.signature.as_ref().unwrap();
    if !scheme.uses_key_pair() {
        let text = if scheme.algorithm == hookctl::envelope::profile::Algorithm::Basic {
            format!("hook-user:pa55word{n}")
        } else {
            format!("s3cr3t-for-tests-{n}")
        };
        let s = Secret::new(text, "test").unwrap();
        return (s.clone(), s);
    }
    let kind = scheme
        .algorithm
        .asym()
        .or_else(|| scheme.jwt.as_ref().and_then(|j| j.algorithms[0].asym()))
        .unwrap()
        .key_type();
    let private = match kind {
        KeyType::Rsa if n == 0 => rsa_private(),
        KeyType::Rsa => include_str!("data/rsa-test-2.key").to_string(),
        k => keys::to_pem("PRIVATE KEY", &keys::generate(k).unwrap()),
    };
    let public = PrivateKey::parse(&private).unwrap().public_key().unwrap();
    let public = keys::to_pem("PUBLIC KEY", &public.to_spki_der().unwrap());
    (
        Secret::key_text(private, "private", SecretKind::PrivateKey).unwrap(),
        Secret::key_text(public, "public", SecretKind::PublicKey).unwrap(),
    )
}

fn is_ours(p: &Profile) -> bool {
    match &p.signature {
        None => false,
        Some(s) => !s.algorithm.is_hmac() || s.url_bound() || s.canonical.is_some(),
    }
}

fn sign(p: &Profile, key: &Secret, body: &[u8], event: &str, id: &str, url: &str) -> HeaderList {
    let vars = p.render_vars(Some(event), id, NOW).unwrap();
    p.sign(
        std::slice::from_ref(key),
        &SignInput {
            body,
            event: Some(event),
            id,
            timestamp: NOW,
            method: "POST",
            path: url,
            vars: &vars,
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", p.name))
}

fn check(
    p: &Profile,
    key: &Secret,
    h: &HeaderList,
    body: &[u8],
    url: &str,
) -> hookctl::envelope::Verification {
    p.verify(
        &Received {
            method: "POST",
            path: url,
            headers: h,
            body,
        },
        &VerifyOptions {
            secrets: std::slice::from_ref(key),
            now: NOW,
            tolerance: None,
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", p.name))
}

#[test]
fn every_key_pair_jwt_url_token_and_basic_profile_round_trips_and_refuses_tampering() {
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for p in catalog.all().unwrap().into_iter().filter(is_ours) {
        let (signing, verifying) = key_pair_for(&p, 0);
        let (_, other) = key_pair_for(&p, 1);
        let scheme = p.signature.clone().unwrap();
        assert!(!p.events.is_empty(), "{} has no events", p.name);
        for event in p.events.keys() {
            let built = p.build_event(event, None, None, NOW).unwrap();
            let h = sign(&p, &signing, &built.body, event, &built.id, URL);
            let ok = check(&p, &verifying, &h, &built.body, URL);
            assert!(ok.valid, "{}/{event}: {}", p.name, ok.reason);

            // A changed body: refused (a token or Basic auth does not cover the body).
            let mut body = built.body.clone();
            let at = body.len() / 2;
            body[at] ^= 0x01;
            let bad = check(&p, &verifying, &h, &body, URL);
            let covers_body = !matches!(
                scheme.algorithm,
                hookctl::envelope::profile::Algorithm::Token
                    | hookctl::envelope::profile::Algorithm::Basic
            );
            assert_eq!(
                bad.valid, !covers_body,
                "{}/{event}: {}",
                p.name, bad.reason
            );

            // Another key (or secret): refused.
            let wrong = check(&p, &other, &h, &built.body, URL);
            assert!(!wrong.valid, "{}/{event}: another key verified", p.name);

            // A URL-bound scheme under another URL: refused, and explained.
            if scheme.url_bound() {
                let http = URL.replacen("https://", "http://", 1);
                let v = check(&p, &verifying, &h, &built.body, &http);
                assert!(!v.valid, "{}/{event}: verified under {http}", p.name);
                let req = Received {
                    method: "POST",
                    path: &http,
                    headers: &h,
                    body: &built.body,
                };
                let opts = VerifyOptions {
                    secrets: std::slice::from_ref(&verifying),
                    now: NOW,
                    tolerance: None,
                };
                let f = hookctl::envelope::explain::explain(&p, &[], &req, &opts, &v);
                assert!(
                    f.iter()
                        .any(|f| f.mistake == "other_url" && f.message.contains(URL)),
                    "{}/{event}: {f:?}",
                    p.name
                );
                assert!(f.iter().any(|f| f.mistake == "signed_string"), "{f:?}");
                // And without any URL: a reason that says to give one.
                let v = check(&p, &verifying, &h, &built.body, "/provider/in?tenant=7");
                assert!(!v.valid);
                assert!(
                    matches!(v.failure, Some(Failure::NeedsUrl)) || v.reason.contains("--url"),
                    "{}: {}",
                    p.name,
                    v.reason
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} events checked");
}

fn jwt(header: &str, claims: &str, key: &[u8]) -> String {
    use hmac::Mac;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let input = format!("{}.{}", b(header), b(claims));
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(input.as_bytes());
    format!(
        "{input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
    )
}

fn netlify_verdict(token: &str, body: &[u8]) -> hookctl::envelope::Verification {
    let p = Catalog::builtin().get("netlify").unwrap();
    let mut h = HeaderList::new();
    h.push("X-Webhook-Signature", token);
    check(&p, &Secret::new("jws-secret", "t").unwrap(), &h, body, "/")
}

#[test]
fn jwts_with_alg_none_another_algorithm_a_wrong_claim_or_hostile_size_are_refused_with_reasons() {
    use sha2::Digest;
    let body = br#"{"id":"d1","state":"ready"}"#;
    let sha = hex::encode(sha2::Sha256::digest(body));
    let claims = format!(r#"{{"iss":"netlify","sha256":"{sha}"}}"#);
    let good = jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, b"jws-secret");
    assert!(netlify_verdict(&good, body).valid);

    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let none = format!("{}.{}.", b(r#"{"alg":"none"}"#), b(&claims));
    let v = netlify_verdict(&none, body);
    assert!(
        !v.valid && v.reason.contains("alg") && v.reason.contains("none"),
        "{}",
        v.reason
    );

    let other = jwt(r#"{"alg":"HS512"}"#, &claims, b"jws-secret");
    let v = netlify_verdict(&other, body);
    assert!(
        !v.valid && v.reason.contains("HS512") && v.reason.contains("HS256"),
        "{}",
        v.reason
    );

    let wrong_iss = jwt(
        r#"{"alg":"HS256"}"#,
        &claims.replace("netlify", "evil"),
        b"jws-secret",
    );
    let v = netlify_verdict(&wrong_iss, body);
    assert!(!v.valid && v.reason.contains("iss"), "{}", v.reason);

    let v = netlify_verdict(&good, br#"{"id":"d1","state":"error"}"#);
    assert!(
        !v.valid && v.reason.contains("changed after signing"),
        "{}",
        v.reason
    );

    let huge = format!("{}.{}.x", b(r#"{"alg":"HS256"}"#), "A".repeat(100_000));
    let v = netlify_verdict(&huge, body);
    assert!(!v.valid && v.reason.contains("limit"), "{}", v.reason);

    let deep = format!(
        r#"{{"iss":"netlify","x":{}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let v = netlify_verdict(&jwt(r#"{"alg":"HS256"}"#, &deep, b"jws-secret"), body);
    assert!(!v.valid, "{}", v.reason);

    for garbage in ["", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.e30"] {
        let v = netlify_verdict(garbage, body);
        assert!(!v.valid, "{garbage}: {}", v.reason);
    }
}

#[test]
fn malformed_or_wrong_type_keys_and_truncated_signatures_are_clear_errors_or_verdicts() {
    let catalog = Catalog::builtin();
    let sendgrid = catalog.get("sendgrid").unwrap();
    let (private, public) = key_pair_for(&sendgrid, 0);
    let built = sendgrid.build_event("delivered", None, None, NOW).unwrap();
    let h = sign(
        &sendgrid,
        &private,
        &built.body,
        "delivered",
        &built.id,
        "/",
    );
    assert!(check(&sendgrid, &public, &h, &built.body, "/").valid);

    // A truncated DER signature: an invalid verdict, no panic.
    let sig = h.get("X-Twilio-Email-Event-Webhook-Signature").unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(sig)
        .unwrap();
    let mut cut = HeaderList::new();
    for (n, v) in h.iter() {
        if n == "X-Twilio-Email-Event-Webhook-Signature" {
            cut.push(
                n,
                base64::engine::general_purpose::STANDARD.encode(&der[..der.len() - 5]),
            );
        } else {
            cut.push(n, v);
        }
    }
    assert!(!check(&sendgrid, &public, &cut, &built.body, "/").valid);

    fn opts(s: &Secret) -> VerifyOptions<'_> {
        VerifyOptions {
            secrets: std::slice::from_ref(s),
            now: NOW,
            tolerance: None,
        }
    }
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: &built.body,
    };
    // An Ed25519 key for an ECDSA profile: an error that names both.
    let ed = keys::to_pem("PRIVATE KEY", &keys::generate(KeyType::Ed25519).unwrap());
    let ed_pub = PrivateKey::parse(&ed).unwrap().public_key().unwrap();
    let ed_pub = Secret::key_text(
        hex::encode(ed_pub.raw()),
        "--public-key #1",
        SecretKind::PublicKey,
    )
    .unwrap();
    let e = sendgrid
        .verify(&req, &opts(&ed_pub))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Ed25519") && e.contains("ECDSA P-256") && e.contains("--public-key"),
        "{e}"
    );
    // Garbage: an error, not a panic.
    for bad in [
        "",
        "not a key",
        "MCowBQYDK2VwAyEA",
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",
    ] {
        if let Ok(s) = Secret::key_text(bad, "--public-key #1", SecretKind::PublicKey) {
            assert!(sendgrid.verify(&req, &opts(&s)).is_err(), "{bad}");
        }
    }
    // A shared secret where a key pair is needed, and a key where a secret is.
    let e = sendgrid
        .sign(
            &[Secret::key_text(
                hex::encode([7u8; 32]),
                "--public-key #1",
                SecretKind::PublicKey,
            )
            .unwrap()],
            &SignInput {
                body: b"{}",
                event: None,
                id: "x",
                timestamp: NOW,
                method: "POST",
                path: "/",
                vars: &Default::default(),
            },
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("public key") && e.contains("--private-key"),
        "{e}"
    );
    let gh = catalog.get("github").unwrap();
    assert!(gh.verify(&req, &opts(&public)).is_err());
}

#[test]
fn keygen_sign_and_verify_on_the_command_line_with_the_providers_key_forms() {
    let dir = tempfile::tempdir().unwrap();
    for (profile, event, form) in [
        ("discord", "ping", 64usize),
        ("telnyx", "message.received", 44),
        ("sendgrid", "delivered", 124),
    ] {
        let out = hookctl(dir.path())
            .args(["--no-store", "keygen", "-p", profile])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::stderr(&out));
        let public = std::fs::read_to_string(dir.path().join(format!("{profile}.pub"))).unwrap();
        assert_eq!(public.trim().len(), form, "{profile}: {public}");
        assert!(
            !stdout(&out).contains("PRIVATE"),
            "the private key is never printed"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(format!("{profile}.key")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{profile}.key is readable by others");
        }
        let out = hookctl(dir.path())
            .args(["--no-store", "--json", "sign", "-p", profile, "-e", event])
            .args(["--private-key", &format!("{profile}.key")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::stderr(&out));
        let rec = &support::json_lines(&out)[0]["data"];
        let body = rec["body"]["text"].as_str().unwrap().to_string();
        std::fs::write(dir.path().join("body.json"), &body).unwrap();
        let mut verify = hookctl(dir.path());
        verify.args(["--no-store", "verify", "-p", profile, "--body", "body.json"]);
        verify.args([
            "--public-key",
            public.trim(),
            "--now",
            &rec["timestamp"].to_string(),
        ]);
        for h in rec["headers"].as_array().unwrap() {
            verify.args([
                "-H",
                &format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()),
            ]);
        }
        let out = verify.output().unwrap();
        assert!(
            out.status.success(),
            "{profile}: {}{}",
            stdout(&out),
            support::stderr(&out)
        );
        assert!(stdout(&out).contains("valid"), "{}", stdout(&out));
    }
    // A profile with a key pair and no key says which flag it needs.
    let out = hookctl(dir.path())
        .args(["--no-store", "sign", "-p", "kick", "-e", "channel.followed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = support::stderr(&out);
    assert!(e.contains("--private-key") && e.contains("RSA"), "{e}");
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "discord",
            "--body",
            "body.json",
        ])
        .args([
            "-H",
            "X-Signature-Ed25519: 00",
            "-H",
            "X-Signature-Timestamp: 1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("--public-key"),
        "{}",
        support::stderr(&out)
    );
    // keygen refuses a shared-secret profile.
    let out = hookctl(dir.path())
        .args(["--no-store", "keygen", "-p", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_prints_the_signed_string_and_names_the_url_that_matches() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("body.txt"),
        "From=%2B14155550111&Body=Hi+there&To=%2B14155550100",
    )
    .unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "--json",
            "sign",
            "-p",
            "twilio",
            "--secret",
            "auth-token",
        ])
        .args([
            "--body",
            "body.txt",
            "--url",
            "https://public.example.com/sms",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let rec = &support::json_lines(&out)[0]["data"];
    let sig = rec["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "X-Twilio-Signature")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_string();
    // Checked behind a TLS-terminating proxy, at the local URL.
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "twilio",
            "--secret",
            "auth-token",
        ])
        .args([
            "--body",
            "body.txt",
            "-H",
            &format!("X-Twilio-Signature: {sig}"),
        ])
        .args(["--url", "http://public.example.com/sms", "--explain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(r#"the signed string is "http://public.example.com/smsBodyHi thereFrom+14155550111To+14155550100""#), "{text}");
    assert!(
        text.contains("https://public.example.com/sms") && text.contains("http vs https"),
        "{text}"
    );
    // A captured request with no --url: the Host header gives the URL that matches.
    let raw = format!(
        "POST /sms HTTP/1.1\r\nHost: public.example.com\r\nX-Twilio-Signature: {sig}\r\nContent-Length: {}\r\n\r\n{}",
        std::fs::read(dir.path().join("body.txt")).unwrap().len(),
        std::fs::read_to_string(dir.path().join("body.txt")).unwrap()
    );
    std::fs::write(dir.path().join("req.http"), raw).unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "twilio",
            "--secret",
            "auth-token",
        ])
        .args(["--request", "req.http", "--explain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("pass `--url https://public.example.com/sms`"),
        "{}",
        stdout(&out)
    );
    // With the public URL: valid.
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "twilio",
            "--secret",
            "auth-token",
        ])
        .args([
            "--body",
            "body.txt",
            "-H",
            &format!("X-Twilio-Signature: {sig}"),
        ])
        .args(["--url", "https://public.example.com/sms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
}

#[test]
fn listen_checks_url_bound_deliveries_against_the_public_url() {
    use support::listener::{Listener, post};
    let dir = tempfile::tempdir().unwrap();
    let p = Catalog::builtin().get("square").unwrap();
    let key = Secret::new("sq-signature-key", "t").unwrap();
    let public = "https://abc.tunnel.example";
    let built = p.build_event("payment.created", None, None, NOW).unwrap();
    let h = sign(
        &p,
        &key,
        &built.body,
        "payment.created",
        &built.id,
        &format!("{public}/square"),
    );
    let pairs: Vec<(String, String)> = h
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "square",
            "--secret",
            "sq-signature-key",
            "--public-url",
            public,
        ],
    );
    let a = post(&l.addr, "/square", &pairs, &built.body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let d = l.wait_deliveries(1);
    assert_eq!(d[0]["valid"], true, "{:?}", d[0]);
    // The same delivery signed for another URL is refused.
    let h2 = sign(
        &p,
        &key,
        &built.body,
        "payment.created",
        &built.id,
        "https://other.example/square",
    );
    let pairs: Vec<(String, String)> = h2
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let a = post(&l.addr, "/square", &pairs, &built.body);
    assert_eq!(a.status, 401, "{}", String::from_utf8_lossy(&a.body));
}

#[test]
fn auto_detection_tries_every_profile_the_headers_fit_and_never_guesses() {
    let dir = tempfile::tempdir().unwrap();
    // A profile of the user's that shares GitHub's header with another algorithm, as
    // Bitbucket and Meta share `X-Hub-Signature*`.
    std::fs::write(
        dir.path().join("hookctl.toml"),
        "[profiles.hub512]\nextends = \"github\"\ndescription = \"GitHub's header, HMAC-SHA512\"\n[profiles.hub512.signature]\nalgorithm = \"hmac-sha512\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("body.json"),
        r#"{"zen":"Keep it logically awesome."}"#,
    )
    .unwrap();
    for (signer, other) in [("github", "hub512"), ("hub512", "github")] {
        let out = hookctl(dir.path())
            .args([
                "--no-store",
                "--json",
                "sign",
                "-p",
                signer,
                "--secret",
                "k3y",
                "--body",
                "body.json",
                "-e",
                "ping",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::stderr(&out));
        let rec = &support::json_lines(&out)[0]["data"];
        let verify = |secret: &str| {
            let mut c = hookctl(dir.path());
            c.args([
                "--no-store",
                "verify",
                "--body",
                "body.json",
                "--secret",
                secret,
            ]);
            for h in rec["headers"].as_array().unwrap() {
                c.args([
                    "-H",
                    &format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap()),
                ]);
            }
            c.output().unwrap()
        };
        let out = verify("k3y");
        assert!(out.status.success(), "{}", support::stderr(&out));
        let note = support::stderr(&out);
        assert!(
            note.contains(&format!("profile: {signer}"))
                && note.contains(other)
                && note.contains(&format!("only {signer} verified")),
            "{note}"
        );
        // With a secret that verifies neither: no pick, the candidates named.
        let out = verify("not-it");
        assert_eq!(out.status.code(), Some(2));
        let e = support::stderr(&out);
        assert!(
            e.contains("github") && e.contains("hub512") && e.contains("none verified"),
            "{e}"
        );
    }
    // A JWT in `Authorization` fits every profile that reads that header; only the
    // one whose scheme verifies is taken.
    let p = Catalog::builtin().get("vonage").unwrap();
    let built = p.build_event("inbound", None, None, NOW).unwrap();
    let key = Secret::new("vonage-signature-secret", "t").unwrap();
    let h = sign(&p, &key, &built.body, "inbound", &built.id, "/");
    let all = Catalog::builtin().all().unwrap();
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: &built.body,
    };
    let opts = VerifyOptions {
        secrets: std::slice::from_ref(&key),
        now: NOW,
        tolerance: None,
    };
    match hookctl::envelope::catalog::detect_verified(&all, &req, &opts) {
        hookctl::envelope::catalog::Detected::One { profile, tried } => {
            assert_eq!(profile.name, "vonage");
            assert!(tried.len() > 1, "{tried:?}");
        }
        _ => panic!("vonage not singled out"),
    }
}

#[test]
fn send_signs_with_a_private_key_and_its_to_url_and_listen_verifies_them() {
    use support::listener::Listener;
    let dir = tempfile::tempdir().unwrap();
    let out = hookctl(dir.path())
        .args(["--no-store", "keygen", "-p", "discord"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(dir.path().join("discord.pub")).unwrap();
    // Ed25519: send signs with the private key, listen checks with the public one.
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "discord", "--public-key", public.trim()],
    );
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &l.url,
            "-p",
            "discord",
            "-e",
            "application_command",
        ])
        .args(["--private-key", "discord.key"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let d = l.wait_deliveries(1);
    assert_eq!(d[0]["valid"], true, "{:?}", d[0]);
    // Twilio signs the URL: send signs its --to, and listen, given no --public-url,
    // checks against its own URL.
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "twilio", "--secret", "auth-token"],
    );
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            &format!("{}/sms?tenant=7", l.url.trim_end_matches('/')),
        ])
        .args([
            "-p",
            "twilio",
            "-e",
            "incoming_message",
            "--secret",
            "auth-token",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let d = l.wait_deliveries(1);
    assert_eq!(d[0]["valid"], true, "{:?}", d[0]);
}

#[test]
fn audit_forges_with_another_key_for_key_pair_profiles_and_skips_body_checks_for_tokens() {
    use support::listener::Listener;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kick.key"), rsa_private()).unwrap();
    let public = PrivateKey::parse(&rsa_private())
        .unwrap()
        .public_key()
        .unwrap();
    let public = keys::to_pem("PUBLIC KEY", &public.to_spki_der().unwrap());
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "kick", "--public-key", &public],
    );
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "--json",
            "audit",
            "--to",
            &l.url,
            "-p",
            "kick",
            "--private-key",
            "kick.key",
        ])
        .args([
            "--only",
            "tampered-body,wrong-secret,missing-signature",
            "--delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        support::stderr(&out)
    );
    let grades: Vec<(String, String)> = support::json_lines(&out)
        .iter()
        .filter(|l| l["type"] == "check")
        .map(|l| {
            (
                l["data"]["name"].as_str().unwrap_or("").to_string(),
                l["data"]["grade"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        grades
            .iter()
            .any(|(c, g)| c == "wrong-secret" && g == "pass"),
        "{grades:?}"
    );
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "gitlab", "--secret", "tok"],
    );
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "audit",
            "--to",
            &l.url,
            "-p",
            "gitlab",
            "--secret",
            "tok",
        ])
        .args(["--only", "tampered-body,wrong-secret", "--delay", "0s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("SKIP  tampered-body"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn under_listen_relay_the_channel_url_is_the_url_checked() {
    use support::listener::{Listener, post};
    let dir = tempfile::tempdir().unwrap();
    let relay_store = dir.path().join("relay.db");
    let relay = Listener::spawn(
        dir.path(),
        &["--store", relay_store.to_str().unwrap()],
        &["relay", "--bind", "127.0.0.1:0"],
        &[],
    );
    let listen_store = dir.path().join("listen.db");
    let l = Listener::spawn(
        dir.path(),
        &["--store", listen_store.to_str().unwrap()],
        &[
            "listen",
            "--relay",
            &relay.url,
            "--channel",
            "sq",
            "-p",
            "square",
            "--secret",
            "sq-key",
        ],
        &[],
    );
    let channel_url = l.listening["data"]["url"].as_str().unwrap().to_string();
    let p = Catalog::builtin().get("square").unwrap();
    let key = Secret::new("sq-key", "t").unwrap();
    let built = p.build_event("payment.created", None, None, NOW).unwrap();
    let signed_for = format!("{}/square", channel_url.trim_end_matches('/'));
    let h = sign(
        &p,
        &key,
        &built.body,
        "payment.created",
        &built.id,
        &signed_for,
    );
    let pairs: Vec<(String, String)> = h
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let path = format!(
        "{}/square",
        channel_url
            .split_once("/c/")
            .map(|(_, c)| format!("/c/{c}"))
            .unwrap()
            .trim_end_matches('/')
    );
    let a = post(&relay.addr, &path, &pairs, &built.body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let d = l.wait_deliveries(1);
    assert_eq!(d[0]["valid"], true, "{:?}", d[0]);
}

#[test]
fn keys_come_from_standard_input_and_the_environment_as_secrets_do() {
    let dir = tempfile::tempdir().unwrap();
    let private = keys::to_pem("PRIVATE KEY", &keys::generate(KeyType::P256).unwrap());
    let public = PrivateKey::parse(&private).unwrap().public_key().unwrap();
    let spki = keys::b64(&public.to_spki_der().unwrap());
    std::fs::write(dir.path().join("body.json"), r#"[{"event":"open"}]"#).unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "sign",
            "-p",
            "sendgrid",
            "--body",
            "body.json",
            "--private-key",
            "-",
        ])
        .write_stdin(private.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let headers = stdout(&out);
    assert!(!headers.contains("PRIVATE"), "{headers}");
    std::fs::write(dir.path().join("headers.txt"), &headers).unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "sendgrid",
            "-H",
            "@headers.txt",
            "--body",
            "body.json",
        ])
        .args(["--public-key-env", "SENDGRID_KEY"])
        .env("SENDGRID_KEY", &spki)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        support::stderr(&out)
    );
    // Two public keys, the second the right one (a rotation): valid, and says which.
    let other = PrivateKey::parse(&keys::to_pem(
        "PRIVATE KEY",
        &keys::generate(KeyType::P256).unwrap(),
    ))
    .unwrap()
    .public_key()
    .unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "sendgrid",
            "-H",
            "@headers.txt",
            "--body",
            "body.json",
        ])
        .args([
            "--public-key",
            &keys::b64(&other.to_spki_der().unwrap()),
            "--public-key",
            &spki,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("public key 2 of 2"),
        "{}",
        stdout(&out)
    );
    // One file with both keys, one a line: the same.
    std::fs::write(
        dir.path().join("keys.txt"),
        format!("{}\n{spki}\n", keys::b64(&other.to_spki_der().unwrap())),
    )
    .unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "sendgrid",
            "-H",
            "@headers.txt",
            "--body",
            "body.json",
        ])
        .args(["--public-key", "keys.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("keys.txt` key 2"), "{}", stdout(&out));
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    /// Text that looks like keys and JWTs often enough to get past the first checks.
    fn key_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("-----BEGIN PUBLIC KEY-----\n".to_string()),
            Just("-----END PUBLIC KEY-----\n".to_string()),
            Just("-----BEGIN PRIVATE KEY-----\n".to_string()),
            Just("-----BEGIN EC PRIVATE KEY-----\n".to_string()),
            Just("MCowBQYDK2VwAyEA".to_string()),
            Just("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".to_string()),
            Just("eyJhbGciOiJIUzI1NiJ9".to_string()),
            Just("eyJhbGciOiJub25lIn0".to_string()),
            Just(".".to_string()),
            "[A-Za-z0-9+/=_-]{0,64}",
            "[0-9a-f]{0,130}",
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        #[test]
        fn keys_tokens_and_signatures_from_strangers_never_panic(
            key in key_like(),
            value in key_like(),
            body in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let _ = PrivateKey::parse(&key);
            let _ = keys::PublicKey::parse(&key);
            let catalog = Catalog::builtin();
            for p in catalog.all().unwrap().into_iter().filter(is_ours) {
                let s = p.signature.as_ref().unwrap();
                let mut h = HeaderList::new();
                for (name, _) in &p.headers {
                    h.push(name.clone(), value.clone());
                }
                h.push(s.header.clone(), format!("Bearer {value}"));
                h.push("X-Plivo-Signature-V3-Nonce", value.clone());
                h.push("x-contentful-signed-headers", value.clone());
                for kind in [SecretKind::PublicKey, SecretKind::PrivateKey, SecretKind::Shared] {
                    let Ok(secret) = Secret::key_text(key.clone(), "prop", kind) else { continue };
                    let _ = p.verify(
                        &Received { method: "POST", path: URL, headers: &h, body: &body },
                        &VerifyOptions { secrets: std::slice::from_ref(&secret), now: NOW, tolerance: None },
                    );
                }
            }
        }
    }
}

#[test]
fn a_token_or_password_is_not_recorded_or_shown() {
    use support::listener::{Listener, post};
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let store = store.to_str().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--store", store, "-v"],
        &["-p", "gitlab", "--secret", "glpat-very-secret-token"],
    );
    let p = Catalog::builtin().get("gitlab").unwrap();
    let key = Secret::new("glpat-very-secret-token", "t").unwrap();
    let built = p.build_event("Push Hook", None, None, NOW).unwrap();
    let h = sign(&p, &key, &built.body, "Push Hook", &built.id, "/");
    let pairs: Vec<(String, String)> = h
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let a = post(&l.addr, "/", &pairs, &built.body);
    assert_eq!(a.status, 200);
    let d = l.wait_deliveries(1);
    assert_eq!(d[0]["valid"], true);
    assert!(!d[0].to_string().contains("very-secret"), "{}", d[0]);
    // send records what it sent, the token masked.
    let out = hookctl(dir.path())
        .args([
            "--store",
            store,
            "send",
            "--to",
            &l.url,
            "-p",
            "postmark",
            "-e",
            "Delivery",
            "--secret",
            "hook:pa55-very-secret",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
    let out = hookctl(dir.path())
        .args(["--store", store, "deliveries", "export"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("X-Gitlab-Token") && text.contains("not recorded"),
        "{text}"
    );
    assert!(!text.contains("very-secret"), "{text}");
    let basic = base64::engine::general_purpose::STANDARD.encode("hook:pa55-very-secret");
    assert!(!text.contains(&basic), "{text}");
}

#[test]
fn a_users_profile_can_sign_the_method_query_and_json_fields() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hookctl.toml"),
        r#"[profiles.fields]
description = "signs {method}, {query} and two body fields"
[profiles.fields.headers]
"X-Sig" = "{signature}"
[profiles.fields.signature]
signed = "{method}\n{query}\n{json:event.time}:{json:event.type}"
algorithm = "hmac-sha256"
encoding = "hex"
[profiles.fields.events.tick]
data = { event = { time = 1700000000, type = "tick" } }
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("body.json"),
        r#"{"event":{"time":1700000000,"type":"tick"},"other":1}"#,
    )
    .unwrap();
    let sign = |url: &str, method: &str| {
        let out = hookctl(dir.path())
            .args([
                "--no-store",
                "--json",
                "sign",
                "-p",
                "fields",
                "--secret",
                "k",
                "--body",
                "body.json",
            ])
            .args(["--url", url, "--method", method, "--explain"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::stderr(&out));
        // --explain prints the signed bytes, the method first.
        let note = support::stderr(&out);
        assert!(note.contains(&format!("signed: {method}")), "{note}");
        support::json_lines(&out)[0]["data"]["headers"][0][1]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a = sign("https://x.example/h?a=1&b=2", "POST");
    assert_ne!(
        a,
        sign("https://x.example/h?a=1&b=3", "POST"),
        "the query is signed"
    );
    assert_ne!(
        a,
        sign("https://x.example/h?a=1&b=2", "PUT"),
        "the method is signed"
    );
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "fields",
            "--secret",
            "k",
            "--body",
            "body.json",
        ])
        .args([
            "-H",
            &format!("X-Sig: {a}"),
            "--url",
            "https://other.example/z?a=1&b=2",
        ])
        .output()
        .unwrap();
    // The host is not signed, the query and the body's fields are.
    assert!(out.status.success(), "{}", stdout(&out));
    std::fs::write(
        dir.path().join("body.json"),
        r#"{"event":{"time":1700000000,"type":"tock"},"other":1}"#,
    )
    .unwrap();
    let out = hookctl(dir.path())
        .args([
            "--no-store",
            "verify",
            "-p",
            "fields",
            "--secret",
            "k",
            "--body",
            "body.json",
        ])
        .args([
            "-H",
            &format!("X-Sig: {a}"),
            "--url",
            "https://x.example/h?a=1&b=2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}
