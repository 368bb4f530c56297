//! The signing/envelope core, in-process: known-answer vectors, round trips for every
//! built-in profile and event, one reason per tampering, and `--explain`'s findings.

mod support;

use hookctl::envelope::explain::explain;
use hookctl::envelope::verify::Failure;
use hookctl::envelope::{Catalog, HeaderList, Profile, Received, Secret, SignInput, VerifyOptions};
use serde_json::Value;
use support::hmac_over_body;

fn vectors() -> Vec<Value> {
    let text = include_str!("data/vectors.json");
    let v: Value = serde_json::from_str(text).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

fn profile_for(scheme: &str) -> &'static str {
    match scheme {
        "standard-webhooks" => "standard",
        "svix" => "svix",
        "stripe" => "stripe",
        "github" => "github",
        "slack" => "slack",
        "shopify" => "shopify",
        other => panic!("no profile for scheme {other}"),
    }
}

fn secret(s: &str) -> Secret {
    Secret::new(s, "test").unwrap()
}

fn verify(
    p: &Profile,
    headers: &HeaderList,
    body: &[u8],
    secrets: &[Secret],
    now: i64,
) -> hookctl::envelope::Verification {
    let req = Received {
        method: "POST",
        path: "/",
        headers,
        body,
    };
    p.verify(
        &req,
        &VerifyOptions {
            secrets,
            now,
            tolerance: None,
        },
    )
    .unwrap()
}

#[test]
fn every_vector_gets_its_verdict() {
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for v in vectors() {
        let name = v["name"].as_str().unwrap();
        let profile = catalog
            .get(profile_for(v["scheme"].as_str().unwrap()))
            .unwrap();
        let mut headers = HeaderList::new();
        for (k, val) in v["expected_headers"].as_object().unwrap() {
            if k == "X-Hub-Signature" {
                continue; // the legacy SHA-1 header: checked in `github_sha1_header`
            }
            headers.push(k.clone(), val.as_str().unwrap());
        }
        let body = v["body"].as_str().unwrap().as_bytes();
        let now = v["verify_at"].as_i64().unwrap_or(0);
        let tolerance = v["tolerance"]
            .as_u64()
            .map(|t| Some(std::time::Duration::from_secs(t)));
        let secrets = [secret(v["secret"].as_str().unwrap())];
        let req = Received {
            method: "POST",
            path: "/",
            headers: &headers,
            body,
        };
        let verdict = profile
            .verify(
                &req,
                &VerifyOptions {
                    secrets: &secrets,
                    now,
                    tolerance,
                },
            )
            .unwrap();
        let expect_valid = v["expect"] == "valid";
        assert_eq!(verdict.valid, expect_valid, "{name}: {}", verdict.reason);
        checked += 1;
    }
    assert_eq!(checked, vectors().len());
    assert!(checked >= 16);
}

#[test]
fn signing_reproduces_every_valid_vector() {
    let catalog = Catalog::builtin();
    for v in vectors().into_iter().filter(|v| v["expect"] == "valid") {
        let name = v["name"].as_str().unwrap();
        let profile = catalog
            .get(profile_for(v["scheme"].as_str().unwrap()))
            .unwrap();
        let scheme = profile.signature.as_ref().unwrap();
        let expected = v["expected_headers"][&scheme.header].as_str().unwrap();
        let vars = profile.render_vars(None, "", 0).unwrap();
        let headers = profile
            .sign(
                &[secret(v["secret"].as_str().unwrap())],
                &SignInput {
                    body: v["body"].as_str().unwrap().as_bytes(),
                    event: Some("e"),
                    id: v["id"].as_str().unwrap_or("unused"),
                    timestamp: v["timestamp"].as_i64().unwrap_or(0),
                    method: "POST",
                    path: "/",
                    vars: &vars,
                },
            )
            .unwrap();
        let got = headers.get(&scheme.header).unwrap();
        if name.contains("rotation") {
            // The vector carries extra signatures; ours must be one of them.
            let sep = scheme.separator.as_deref().unwrap();
            let sig_part = got.rsplit(sep).next().unwrap();
            assert!(
                expected.split(sep).any(|p| p == sig_part),
                "{name}: {got} not in {expected}"
            );
        } else {
            assert_eq!(got, expected, "{name}");
        }
        // the bytes the profile signs are the ones the vector says are signed
        if let Some(signed) = v["signed_content"].as_str() {
            let ctx = hookctl::envelope::template::Ctx {
                id: v["id"].as_str(),
                timestamp: v["timestamp"].as_i64(),
                body: Some(v["body"].as_str().unwrap().as_bytes()),
                ..Default::default()
            };
            assert_eq!(
                scheme.signed.render_bytes(&ctx).unwrap(),
                signed.as_bytes(),
                "{name}"
            );
        }
    }
}

#[test]
fn github_sha1_header() {
    use hookctl::cli::{AlgorithmArg, SchemeArgs};
    let github = Catalog::builtin().get("github").unwrap();
    let sha1 = hookctl::settings::apply_scheme_args(
        github,
        &SchemeArgs {
            signature_header: Some("X-Hub-Signature".into()),
            signature_format: Some("sha1={signature}".into()),
            algorithm: Some(AlgorithmArg::HmacSha1),
            ..SchemeArgs::default()
        },
    )
    .unwrap();
    let mut h = HeaderList::new();
    h.push(
        "X-Hub-Signature",
        "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59",
    );
    let v = verify(
        &sha1,
        &h,
        b"Hello, World!",
        &[secret("It's a Secret to Everybody")],
        0,
    );
    assert!(v.valid, "{}", v.reason);
}

/// Every built-in profile, every event: build, sign, verify; then each tampering.
#[test]
fn round_trips_and_tampering_for_every_profile_and_event() {
    let catalog = Catalog::builtin();
    let now = 1_775_399_400;
    let mut events_checked = 0;
    // The HMAC profiles over a JSON body; the key-pair, JWT, token, Basic-auth,
    // URL-bound and unsigned ones have their own round trips in tests/schemes.rs.
    for p in catalog.all().unwrap().into_iter().filter(hmac_over_body) {
        let scheme = p.signature.clone().expect("every built-in signs");
        let secret = match scheme.secret {
            hookctl::envelope::secret::SecretEncoding::Whsec => {
                secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            }
            hookctl::envelope::secret::SecretEncoding::Hex => {
                secret("00112233445566778899aabbccddeeff")
            }
            hookctl::envelope::secret::SecretEncoding::Base64 => {
                secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            }
            _ => secret("s3cr3t-for-tests"),
        };
        assert!(!p.events.is_empty(), "{} has no events", p.name);
        // Some providers say the event nowhere in the request (Replicate's body is
        // the prediction itself).
        let names_event = p.event_header().is_some() || p.event_path.is_some();
        for event in p.events.keys() {
            let built = p.build_event(event, None, None, now).unwrap();
            // the body is compact JSON with the event name where the envelope puts it
            let json: Value = serde_json::from_slice(&built.body).unwrap();
            assert_eq!(serde_json::to_vec(&json).unwrap(), built.body);
            let headers = p
                .sign(
                    std::slice::from_ref(&secret),
                    &SignInput {
                        body: &built.body,
                        event: Some(event),
                        id: &built.id,
                        timestamp: now,
                        method: "POST",
                        path: "/hooks",
                        vars: &built.vars,
                    },
                )
                .unwrap();
            let req = |h: &HeaderList, b: &[u8]| -> hookctl::envelope::Verification {
                let r = Received {
                    method: "POST",
                    path: "/hooks",
                    headers: h,
                    body: b,
                };
                p.verify(
                    &r,
                    &VerifyOptions {
                        secrets: std::slice::from_ref(&secret),
                        now,
                        tolerance: None,
                    },
                )
                .unwrap()
            };
            let ok = req(&headers, &built.body);
            assert!(ok.valid, "{}/{event}: {}", p.name, ok.reason);
            assert_eq!(
                ok.event.as_deref(),
                names_event.then_some(event.as_str()),
                "{}/{event}: event not read back",
                p.name
            );
            if p.id_path.is_some() || p.headers.iter().any(|(_, t)| t.source() == "{id}") {
                assert_eq!(
                    ok.id.as_deref(),
                    Some(built.id.as_str()),
                    "{}/{event}",
                    p.name
                );
            }

            // a changed body byte
            let mut body = built.body.clone();
            let last = body.len() - 2;
            body[last] ^= 0x01;
            let f = req(&headers, &body).failure;
            assert!(
                matches!(
                    f,
                    Some(Failure::NoMatch { .. } | Failure::BodyDigestMismatch { .. })
                ),
                "{}/{event}: {f:?}",
                p.name
            );
            if p.name == "hover" {
                assert!(
                    matches!(f, Some(Failure::BodyDigestMismatch { .. })),
                    "{f:?}"
                );
            }

            // a changed signature character (keeps the encoding valid)
            let value = headers.get(&scheme.header).unwrap().to_string();
            let mut h = headers.clone();
            let flipped: String = {
                let mut c: Vec<char> = value.chars().collect();
                let i = c.len() - 3;
                c[i] = if c[i] == 'a' { 'b' } else { 'a' };
                c.into_iter().collect()
            };
            h.set(&scheme.header, flipped);
            assert!(
                matches!(req(&h, &built.body).failure, Some(Failure::NoMatch { .. })),
                "{}/{event}",
                p.name
            );

            // the signature header removed
            let h: HeaderList = headers
                .clone()
                .into_iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case(&scheme.header))
                .collect();
            assert!(
                matches!(
                    req(&h, &built.body).failure,
                    Some(Failure::MissingHeader { .. })
                ),
                "{}/{event}",
                p.name
            );

            // the signature header in the wrong format
            let mut h = headers.clone();
            h.set(&scheme.header, "garbage");
            let f = req(&h, &built.body).failure;
            assert!(
                matches!(
                    f,
                    Some(Failure::MalformedHeader { .. } | Failure::BadSignatureEncoding { .. })
                ),
                "{}/{event}: {f:?}",
                p.name
            );

            // stale and future timestamps, where the scheme has a tolerance
            if let Some(tol) = scheme.tolerance {
                let t = tol.as_secs() as i64;
                let r = Received {
                    method: "POST",
                    path: "/hooks",
                    headers: &headers,
                    body: &built.body,
                };
                let at = |n| {
                    p.verify(
                        &r,
                        &VerifyOptions {
                            secrets: std::slice::from_ref(&secret),
                            now: n,
                            tolerance: None,
                        },
                    )
                    .unwrap()
                };
                assert!(
                    at(now + t).valid,
                    "{}: the edge of the tolerance is valid",
                    p.name
                );
                assert_eq!(
                    at(now + t + 7).failure,
                    Some(Failure::TimestampTooOld {
                        age_secs: t + 7,
                        tolerance_secs: t as u64
                    })
                );
                if scheme.past_only {
                    assert!(at(now - t - 9).valid, "{}: past only", p.name);
                } else {
                    assert_eq!(
                        at(now - t - 9).failure,
                        Some(Failure::TimestampTooNew {
                            ahead_secs: t + 9,
                            tolerance_secs: t as u64
                        })
                    );
                }
                assert_eq!(at(now + t + 7).signature_matches, Some(true));
            }
            events_checked += 1;
        }
    }
    assert!(events_checked >= 50, "{events_checked}");
}

#[test]
fn non_utf8_and_empty_bodies_sign_and_verify() {
    let p = Catalog::builtin().get("stripe").unwrap();
    let s = [secret("whsec_test_secret")];
    let vars = p.render_vars(None, "x", 1).unwrap();
    for body in [&b""[..], &b"\xff\xfe\x00binary\x80"[..]] {
        let h = p
            .sign(
                &s,
                &SignInput {
                    body,
                    event: None,
                    id: "x",
                    timestamp: 100,
                    method: "POST",
                    path: "/",
                    vars: &vars,
                },
            )
            .unwrap();
        assert!(verify(&p, &h, body, &s, 100).valid);
    }
}

#[test]
fn hyperleap_omits_the_signature_without_a_secret() {
    let p = Catalog::builtin().get("hyperleap").unwrap();
    let e = p.build_event("lead.captured", None, None, 1).unwrap();
    let h = p
        .sign(
            &[],
            &SignInput {
                body: &e.body,
                event: Some("lead.captured"),
                id: &e.id,
                timestamp: 1,
                method: "POST",
                path: "/",
                vars: &e.vars,
            },
        )
        .unwrap();
    let names: Vec<&str> = h.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "X-Hyperleap-Event",
            "X-Hyperleap-Delivery-Id"
        ]
    );
    assert_eq!(h.get("X-Hyperleap-Delivery-Id"), Some(e.id.as_str()));
    let body: Value = serde_json::from_slice(&e.body).unwrap();
    assert_eq!(body["deliveryId"], e.id.as_str());
}

#[test]
fn several_secrets_sign_a_rotation_list_and_each_verifies() {
    let p = Catalog::builtin().get("standard").unwrap();
    let old = secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let new = secret("whsec_plJ3nmyCDGBKInavdOK15jsl");
    let vars = p.render_vars(None, "msg_1", 5).unwrap();
    let h = p
        .sign(
            &[old.clone(), new.clone()],
            &SignInput {
                body: b"{}",
                event: None,
                id: "msg_1",
                timestamp: 5,
                method: "POST",
                path: "/",
                vars: &vars,
            },
        )
        .unwrap();
    assert_eq!(h.get("webhook-signature").unwrap().split(' ').count(), 2);
    let v = verify(
        &p,
        &h,
        b"{}",
        &[secret("whsec_AAAAAAAAAAAAAAAAAAAAAAAA"), new],
        5,
    );
    assert!(v.valid);
    assert_eq!(v.matched_secret, Some(2));
    // one header, one signature: several secrets are refused
    let gh = Catalog::builtin().get("github").unwrap();
    let vars = gh.render_vars(Some("ping"), "1", 5).unwrap();
    let err = gh
        .sign(
            &[old.clone(), old],
            &SignInput {
                body: b"{}",
                event: Some("ping"),
                id: "1",
                timestamp: 5,
                method: "POST",
                path: "/",
                vars: &vars,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("one signature"), "{err}");
}

// ---- --explain ----

struct Case {
    profile: &'static str,
    secret: &'static str,
    signed_body: Vec<u8>,
    sent_body: Vec<u8>,
}

fn explain_case(
    c: &Case,
    sign_with: Option<&str>,
    tweak: impl Fn(&mut HeaderList),
) -> Vec<&'static str> {
    let catalog = Catalog::builtin();
    let all = catalog.all().unwrap();
    let p = catalog.get(c.profile).unwrap();
    let signer = catalog.get(sign_with.unwrap_or(c.profile)).unwrap();
    let vars = signer.render_vars(Some("ping"), "msg_x", 1000).unwrap();
    let mut h = signer
        .sign(
            &[secret(c.secret)],
            &SignInput {
                body: &c.signed_body,
                event: Some("ping"),
                id: "msg_x",
                timestamp: 1000,
                method: "POST",
                path: "/",
                vars: &vars,
            },
        )
        .unwrap();
    tweak(&mut h);
    let secrets = [secret(c.secret)];
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: &c.sent_body,
    };
    let opts = VerifyOptions {
        secrets: &secrets,
        now: 1000,
        tolerance: None,
    };
    let v = p.verify(&req, &opts).unwrap();
    explain(&p, &all, &req, &opts, &v)
        .iter()
        .map(|f| f.mistake)
        .collect()
}

const COMPACT: &str = r#"{"b":1,"a":{"c":[1,2]}}"#;

fn case(profile: &'static str, secret: &'static str, signed: &str, sent: &str) -> Case {
    Case {
        profile,
        secret,
        signed_body: signed.as_bytes().to_vec(),
        sent_body: sent.as_bytes().to_vec(),
    }
}

#[test]
fn explain_names_a_reserialised_body() {
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(COMPACT).unwrap()).unwrap();
    // signed compact, received pretty (a proxy re-indented it) and the reverse
    assert_eq!(
        explain_case(&case("github", "k", COMPACT, &pretty), None, |_| {}),
        ["body_reserialized"]
    );
    assert_eq!(
        explain_case(&case("stripe", "whsec_k", &pretty, COMPACT), None, |_| {}),
        ["body_reserialized"]
    );
    // key order changed
    assert_eq!(
        explain_case(
            &case("github", "k", r#"{"a":{"c":[1,2]},"b":1}"#, COMPACT),
            None,
            |_| {}
        ),
        ["body_reserialized"]
    );
    // Python's json.dumps spacing
    assert_eq!(
        explain_case(
            &case("github", "k", r#"{"b": 1, "a": {"c": [1, 2]}}"#, COMPACT),
            None,
            |_| {}
        ),
        ["body_reserialized"]
    );
}

#[test]
fn explain_names_a_reserialised_body_with_a_newline() {
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(COMPACT).unwrap())
        .unwrap()
        + "\n";
    assert_eq!(
        explain_case(
            &case("agentbot", "k", &format!("{COMPACT}\n"), &pretty),
            None,
            |_| {}
        ),
        ["body_reserialized", "trailing_newline"]
    );
}

#[test]
fn explain_names_a_trailing_newline() {
    let with_nl = format!("{COMPACT}\n");
    assert_eq!(
        explain_case(&case("slack", "k", &with_nl, COMPACT), None, |_| {}),
        ["trailing_newline"]
    );
    assert_eq!(
        explain_case(&case("slack", "k", COMPACT, &with_nl), None, |_| {}),
        ["trailing_newline"]
    );
}

#[test]
fn explain_names_the_secret_decoding() {
    // A sender that keyed Standard Webhooks with the literal `whsec_…` text.
    let v = vectors()
        .into_iter()
        .find(|v| v["name"] == "sw-pitfall-secret-not-decoded")
        .unwrap();
    let catalog = Catalog::builtin();
    let p = catalog.get("standard").unwrap();
    let mut h = HeaderList::new();
    for (k, val) in v["expected_headers"].as_object().unwrap() {
        h.push(k.clone(), val.as_str().unwrap());
    }
    let secrets = [secret(v["secret"].as_str().unwrap())];
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: v["body"].as_str().unwrap().as_bytes(),
    };
    let opts = VerifyOptions {
        secrets: &secrets,
        now: 1614265330,
        tolerance: None,
    };
    let verdict = p.verify(&req, &opts).unwrap();
    let f = explain(&p, &catalog.all().unwrap(), &req, &opts, &verdict);
    assert_eq!(
        f.iter().map(|f| f.mistake).collect::<Vec<_>>(),
        ["secret_encoding"]
    );
    assert!(f[0].message.contains("as it is"), "{}", f[0].message);

    // And the reverse: Stripe keyed with the decoded secret.
    let v = vectors()
        .into_iter()
        .find(|v| v["name"] == "stripe-pitfall-secret-decoded")
        .unwrap();
    let p = catalog.get("stripe").unwrap();
    let mut h = HeaderList::new();
    for (k, val) in v["expected_headers"].as_object().unwrap() {
        h.push(k.clone(), val.as_str().unwrap());
    }
    let secrets = [secret(v["secret"].as_str().unwrap())];
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: v["body"].as_str().unwrap().as_bytes(),
    };
    let opts = VerifyOptions {
        secrets: &secrets,
        now: 1700000000,
        tolerance: None,
    };
    let verdict = p.verify(&req, &opts).unwrap();
    let f = explain(&p, &catalog.all().unwrap(), &req, &opts, &verdict);
    assert_eq!(
        f.iter().map(|f| f.mistake).collect::<Vec<_>>(),
        ["secret_encoding"],
        "{f:?}"
    );
}

#[test]
fn explain_names_hex_versus_base64() {
    // Signed as Shopify does (base64) but put where GitHub expects hex: shows as a
    // hex-decoding failure, explained as the other encoding.
    let found = explain_case(
        &case("github", "k", COMPACT, COMPACT),
        Some("github"),
        |h| {
            let hexsig = h
                .get("X-Hub-Signature-256")
                .unwrap()
                .trim_start_matches("sha256=")
                .to_string();
            let raw = hex::decode(hexsig).unwrap();
            use base64::Engine;
            h.set(
                "X-Hub-Signature-256",
                format!(
                    "sha256={}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ),
            );
        },
    );
    assert_eq!(found, ["signature_encoding"]);
}

#[test]
fn explain_names_another_profile() {
    // A Svix-signed request checked as Standard Webhooks: the headers differ.
    assert_eq!(
        explain_case(
            &case(
                "standard",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                COMPACT,
                COMPACT
            ),
            Some("svix"),
            |_| {}
        ),
        ["other_profile"]
    );
    // A hyperleap-signed body checked as hoverbot: same scheme, another header.
    assert_eq!(
        explain_case(
            &case("hoverbot", "k", COMPACT, COMPACT),
            Some("hyperleap"),
            |_| {}
        ),
        ["other_profile"]
    );
    // Stripe's header name, but signed over `{id}.{timestamp}.{body}` like Standard Webhooks
    let found = explain_case(
        &case("agentbot", "k", COMPACT, COMPACT),
        Some("agentbot"),
        |h| {
            let signed = format!("msg_x.1000.{COMPACT}");
            use hmac::Mac;
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
            m.update(signed.as_bytes());
            let sig = hex::encode(m.finalize().into_bytes());
            h.set("X-Agentbot-Signature", format!("t=1000,v1={sig}"));
        },
    );
    assert_eq!(found, ["other_profile"]);
}

#[test]
fn explain_names_a_rotated_secret_and_a_stale_replay() {
    let catalog = Catalog::builtin();
    let p = catalog.get("stripe").unwrap();
    let vars = p.render_vars(None, "x", 1000).unwrap();
    let h = p
        .sign(
            &[secret("whsec_new")],
            &SignInput {
                body: b"{}",
                event: None,
                id: "x",
                timestamp: 1000,
                method: "POST",
                path: "/",
                vars: &vars,
            },
        )
        .unwrap();
    let secrets = [secret("whsec_old"), secret("whsec_new")];
    let req = Received {
        method: "POST",
        path: "/",
        headers: &h,
        body: b"{}",
    };
    let opts = VerifyOptions {
        secrets: &secrets,
        now: 1000,
        tolerance: None,
    };
    let v = p.verify(&req, &opts).unwrap();
    assert!(v.valid);
    let f = explain(&p, &catalog.all().unwrap(), &req, &opts, &v);
    assert_eq!(
        f.iter().map(|f| f.mistake).collect::<Vec<_>>(),
        ["rotated_secret"]
    );

    let opts = VerifyOptions {
        secrets: &secrets,
        now: 5000,
        tolerance: None,
    };
    let v = p.verify(&req, &opts).unwrap();
    let f = explain(&p, &catalog.all().unwrap(), &req, &opts, &v);
    assert_eq!(
        f.iter().map(|f| f.mistake).collect::<Vec<_>>(),
        ["stale_timestamp"]
    );
}

#[test]
fn explain_says_when_nothing_fits() {
    let found = explain_case(&case("github", "right", COMPACT, COMPACT), None, |h| {
        h.set("X-Hub-Signature-256", format!("sha256={}", "ab".repeat(32)));
    });
    assert_eq!(found, ["unexplained"]);
}

#[test]
fn auto_detection_picks_the_profile_from_headers() {
    let catalog = Catalog::builtin();
    for name in [
        "stripe",
        "github",
        "slack",
        "shopify",
        "standard",
        "svix",
        "agentbot",
        "hyperleap",
        "hoverbot",
        "convosphere",
        "hover",
    ] {
        let p = catalog.get(name).unwrap();
        let ev = p.events.keys().next().unwrap().clone();
        let e = p.build_event(&ev, None, None, 1000).unwrap();
        let s = if name == "standard" || name == "svix" {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        } else {
            "k"
        };
        let h = p
            .sign(
                &[secret(s)],
                &SignInput {
                    body: &e.body,
                    event: Some(&ev),
                    id: &e.id,
                    timestamp: 1000,
                    method: "POST",
                    path: "/",
                    vars: &e.vars,
                },
            )
            .unwrap();
        assert_eq!(
            catalog.detect(&h).unwrap().map(|p| p.name),
            Some(name.to_string())
        );
    }
    assert!(catalog.detect(&HeaderList::new()).unwrap().is_none());
}

/// Load mode makes every request in one reused `Draft`. Whatever the draft held
/// before (another profile's headers, a longer body, a signature elsewhere in the
/// order), the request must be the one a fresh `Plan::prepare` makes from the same
/// random draws; and the body must be the bytes of the value tree the templates
/// render, serialised (the slower path this writer replaced).
#[test]
fn a_reused_draft_makes_what_a_fresh_prepare_makes() {
    use hookctl::envelope::GivenData;
    use hookctl::envelope::template::Ctx;
    use hookctl::outbound::{Draft, Plan};
    let now = 1_775_399_400;
    // Valid as raw text, hex and base64 alike, so every profile's encoding takes it.
    let key = secret("00112233445566778899aabbccddeeff");
    let mut draft = Draft::default();
    let mut checked = 0;
    for (round, p) in Catalog::builtin()
        .all()
        .unwrap()
        .into_iter()
        .filter(hmac_over_body)
        .enumerate()
    {
        for (k, event) in p.events.keys().enumerate() {
            let given =
                (k % 2 == 1).then(|| GivenData::new(serde_json::json!({"n": k, "s": "\"q\""})));
            let mut extra = HeaderList::new();
            if k % 3 == 2 {
                extra.push("X-Extra", format!("e{k}"));
            }
            if k % 4 == 3 {
                // -H over one of the profile's own headers
                extra.push("content-type", "text/plain");
            }
            let plan = Plan {
                profile: p.clone(),
                secrets: vec![key.clone()],
                event: event.clone(),
                body: None,
                data: given.clone(),
                patches: vec![],
                extra_headers: extra,
                method: "POST".into(),
                url: "http://127.0.0.1:9/hooks?x=1".parse().unwrap(),
                craft: Default::default(),
            };
            let seed = (round * 1000 + k) as u64;
            fastrand::seed(seed);
            plan.prepare_into(&plan.signer().unwrap(), false, now, &mut draft)
                .unwrap();
            fastrand::seed(seed);
            let fresh = plan.prepare(None, now).unwrap();
            let what = format!("{}/{event}", p.name);
            assert_eq!(draft.built.id, fresh.built.id, "{what}");
            assert_eq!(draft.built.event, fresh.built.event, "{what}");
            assert_eq!(draft.built.vars, fresh.built.vars, "{what}");
            assert_eq!(draft.built.body, &fresh.body[..], "{what}");
            assert_eq!(draft.headers, fresh.headers, "{what}");

            // The oracle for the body: the value tree, serialised.
            fastrand::seed(seed);
            let id = p.new_id(now).unwrap();
            let vars = p.render_vars(Some(event), &id, now).unwrap();
            let ctx = Ctx {
                event: Some(event),
                id: Some(&id),
                timestamp: Some(now),
                vars: Some(&vars),
                ..Ctx::default()
            };
            let sample;
            let data = match &given {
                Some(g) => g.value(),
                None => {
                    sample = p.events[event].data.render(&ctx).unwrap();
                    &sample
                }
            };
            let ctx = Ctx {
                data: Some(data),
                ..ctx
            };
            let tree = match &p.envelope {
                Some(env) => env.render(&ctx).unwrap(),
                None => data.clone(),
            };
            assert_eq!(
                String::from_utf8_lossy(&draft.built.body),
                String::from_utf8(hookctl::envelope::json::to_vec(&tree)).unwrap(),
                "{what}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} events");
}

/// Secrets whose base64 lost its padding (or carries stray low bits in its last
/// character) sign as the standardwebhooks Python library (1.1.0) signs with them:
/// these signatures are its own `Webhook(secret).sign("msg_1", 1700000000, "{}")`.
#[test]
fn unpadded_whsec_secrets_sign_as_the_official_library_does() {
    let profile = Catalog::builtin().get("standard").unwrap();
    let vars = profile.render_vars(None, "", 0).unwrap();
    for (secret_text, expected) in [
        (
            "whsec_dGVzdB",
            "v1,eKz7HZuFOf10lKa1mJNAK+day2D2tBwSFXr/dvOgJEU=",
        ),
        (
            "whsec_c2VjcmV0LWtleS0x",
            "v1,pqDVtEEGWTe7i8HXt+n0tQst9fhrLjKsKxGVFthYghA=",
        ),
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "v1,x5lVgj0b/JJJaUYaa1+6I5J/EECcryrPlFN4VrkmI94=",
        ),
    ] {
        let headers = profile
            .sign(
                &[secret(secret_text)],
                &SignInput {
                    body: b"{}",
                    event: Some("e"),
                    id: "msg_1",
                    timestamp: 1_700_000_000,
                    method: "POST",
                    path: "/",
                    vars: &vars,
                },
            )
            .unwrap();
        assert_eq!(
            headers.get("webhook-signature"),
            Some(expected),
            "{secret_text}"
        );
    }
}

/// Persona, while a secret rotates, sends two space-separated `t=…,v1=…` sets in one
/// header: either secret verifies.
#[test]
fn space_separated_lists_are_read_set_by_set() {
    use hmac::Mac;
    let p = Catalog::builtin().get("persona").unwrap();
    let body = br#"{"data":{"type":"event"}}"#;
    let sig = |key: &[u8]| {
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        m.update(b"1700000000.");
        m.update(body);
        hex::encode(m.finalize().into_bytes())
    };
    let mut h = HeaderList::new();
    h.push(
        "Persona-Signature",
        format!(
            "t=1700000000,v1={} t=1700000000,v1={}",
            sig(b"old"),
            sig(b"new")
        ),
    );
    for (key, valid) in [("old", true), ("new", true), ("other", false)] {
        let v = p
            .verify(
                &Received {
                    method: "POST",
                    path: "/",
                    headers: &h,
                    body,
                },
                &VerifyOptions {
                    secrets: &[secret(key)],
                    now: 1_700_000_000,
                    tolerance: None,
                },
            )
            .unwrap();
        assert_eq!(v.valid, valid, "{key}: {}", v.reason);
    }
}

/// Linear's freshness comes from the body: a body that is not JSON, lacks the field,
/// or holds something else there is refused with the reason, never a panic; a stale
/// one is too old.
#[test]
fn a_timestamp_in_the_body_is_read_with_care() {
    use hmac::Mac;
    let p = Catalog::builtin().get("linear").unwrap();
    let now = 1_700_000_000;
    let check = |body: &[u8]| {
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
        m.update(body);
        let mut h = HeaderList::new();
        h.push("Linear-Signature", hex::encode(m.finalize().into_bytes()));
        p.verify(
            &Received {
                method: "POST",
                path: "/",
                headers: &h,
                body,
            },
            &VerifyOptions {
                secrets: &[secret("k")],
                now,
                tolerance: None,
            },
        )
        .unwrap()
    };
    let ok = check(format!(r#"{{"webhookTimestamp":{}}}"#, now * 1000 + 5).as_bytes());
    assert!(ok.valid, "{}", ok.reason);
    assert_eq!(ok.timestamp, Some(now));
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    for (body, code) in [
        (b"not json".to_vec(), "missing_header"),
        (br#"{"other":1}"#.to_vec(), "missing_header"),
        (
            br#"{"webhookTimestamp":"soon"}"#.to_vec(),
            "malformed_header",
        ),
        (br#"{"webhookTimestamp":1e400}"#.to_vec(), "missing_header"),
        (
            br#"{"webhookTimestamp":99999999999999999999999999}"#.to_vec(),
            "malformed_header",
        ),
        (deep.into_bytes(), "missing_header"),
        (
            format!(r#"{{"webhookTimestamp":{}}}"#, (now - 120) * 1000).into_bytes(),
            "timestamp_too_old",
        ),
    ] {
        let v = check(&body);
        assert!(!v.valid);
        assert_eq!(
            v.failure.as_ref().map(|f| f.code()),
            Some(code),
            "{}: {}",
            String::from_utf8_lossy(&body[..body.len().min(40)]),
            v.reason
        );
        assert_eq!(v.signature_matches, Some(true));
    }
}

/// Box and DocuSign carry one signature a header: the k-th with the k-th secret,
/// none without it; any one matching any secret verifies.
#[test]
fn several_signature_headers_take_one_secret_each() {
    let now = 1_775_399_400;
    for (name, first, second) in [
        ("box", "box-signature-primary", "box-signature-secondary"),
        (
            "docusign",
            "X-DocuSign-Signature-1",
            "X-DocuSign-Signature-2",
        ),
    ] {
        let p = Catalog::builtin().get(name).unwrap();
        let event = p.events.keys().next().unwrap().clone();
        let built = p.build_event(&event, None, None, now).unwrap();
        let sign = |secrets: &[Secret]| {
            p.sign(
                secrets,
                &SignInput {
                    body: &built.body,
                    event: Some(&event),
                    id: &built.id,
                    timestamp: now,
                    method: "POST",
                    path: "/",
                    vars: &built.vars,
                },
            )
            .unwrap()
        };
        let verify = |h: &HeaderList, s: &str| {
            p.verify(
                &Received {
                    method: "POST",
                    path: "/",
                    headers: h,
                    body: &built.body,
                },
                &VerifyOptions {
                    secrets: &[secret(s)],
                    now,
                    tolerance: None,
                },
            )
            .unwrap()
        };
        let one = sign(&[secret("primary-key")]);
        assert!(
            one.get(first).is_some() && one.get(second).is_none(),
            "{name}"
        );
        let two = sign(&[secret("primary-key"), secret("secondary-key")]);
        assert_ne!(two.get(first), two.get(second), "{name}");
        // the headers stay in the profile's order
        let names: Vec<&str> = two.iter().map(|(n, _)| n).collect();
        let at = |h: &str| names.iter().position(|n| *n == h).unwrap();
        assert_eq!(at(second), at(first) + 1, "{name}: {names:?}");
        for key in ["primary-key", "secondary-key"] {
            assert!(verify(&two, key).valid, "{name}/{key}");
        }
        assert!(!verify(&two, "other").valid, "{name}");
        // only the second header, a secret for it: still valid
        let only_second: HeaderList = two
            .clone()
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(first))
            .collect();
        assert!(verify(&only_second, "secondary-key").valid, "{name}");
        // neither: the reason names them
        let neither: HeaderList = two
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(first) && !n.eq_ignore_ascii_case(second))
            .collect();
        let v = verify(&neither, "primary-key");
        assert!(
            v.reason.contains(first) && v.reason.contains(second),
            "{}",
            v.reason
        );
    }
    // more secrets than headers: refused with the reason
    let p = Catalog::builtin().get("box").unwrap();
    let err = p
        .signer(&[secret("a"), secret("b"), secret("c")])
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("3"), "{err}");
}
