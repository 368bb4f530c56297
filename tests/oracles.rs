//! The known-answer vectors `tools/oracles/hmac.py` made against the providers' own
//! libraries (`tests/data/oracles-hmac.json`), checked offline: hookctl verifies what
//! the libraries signed and what they accepted from hookctl, rejects every tampered
//! copy, and still signs those deliveries byte for byte as it did then.

use hookctl::envelope::headers::HeaderList;
use hookctl::envelope::{Catalog, Received, Secret, SignInput, VerifyOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn vectors() -> Vec<Value> {
    let text = include_str!("data/oracles-hmac.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn headers(v: &Value) -> HeaderList {
    let mut h = HeaderList::new();
    for pair in v["headers"].as_array().unwrap() {
        h.push(
            pair[0].as_str().unwrap().to_string(),
            pair[1].as_str().unwrap().to_string(),
        );
    }
    h
}

#[test]
fn every_oracle_vector_verifies_as_the_library_said() {
    let catalog = Catalog::builtin();
    let mut directions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for v in vectors() {
        let name = v["profile"].as_str().unwrap();
        let p = catalog.get(name).unwrap();
        let h = headers(&v);
        let body = v["body"].as_str().unwrap().as_bytes();
        let secret = Secret::new(v["secret"].as_str().unwrap(), "vector").unwrap();
        let got = p
            .verify(
                &Received {
                    method: "POST",
                    path: "/",
                    headers: &h,
                    body,
                },
                &VerifyOptions {
                    secrets: std::slice::from_ref(&secret),
                    now: v["now"].as_i64().unwrap(),
                    tolerance: None,
                },
            )
            .unwrap();
        let want = v["expect"] == "valid";
        assert_eq!(
            got.valid, want,
            "{name} ({}, {}): {}",
            v["direction"], v["oracle"], got.reason
        );
        if !want {
            assert_eq!(
                got.failure.as_ref().map(|f| f.code()),
                Some("no_match"),
                "{name}: {}",
                got.reason
            );
        }
        directions
            .entry(name.to_string())
            .or_default()
            .insert(v["direction"].as_str().unwrap().to_string());
    }
    // Both directions, each with its tampered copy, for every profile checked.
    assert!(directions.len() >= 50, "{}", directions.len());
    for (name, d) in &directions {
        assert_eq!(d.len(), 4, "{name}: {d:?}");
    }
}

#[test]
fn hookctl_still_signs_what_the_libraries_accepted() {
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for v in vectors() {
        if v["direction"] != "hookctl-signed" {
            continue;
        }
        let p = catalog.get(v["profile"].as_str().unwrap()).unwrap();
        let scheme = p.signature.clone().unwrap();
        let (event, id, ts) = (
            v["event"].as_str().unwrap(),
            v["id"].as_str().unwrap(),
            v["now"].as_i64().unwrap(),
        );
        let vars = p.render_vars(Some(event), id, ts).unwrap();
        let secret = Secret::new(v["secret"].as_str().unwrap(), "vector").unwrap();
        let signed = p
            .sign(
                &[secret],
                &SignInput {
                    body: v["body"].as_str().unwrap().as_bytes(),
                    event: Some(event),
                    id,
                    timestamp: ts,
                    method: "POST",
                    path: "/",
                    vars: &vars,
                },
            )
            .unwrap();
        let recorded = headers(&v);
        for carrier in scheme.carriers() {
            assert_eq!(
                signed.get(carrier),
                recorded.get(carrier),
                "{}: `{carrier}`",
                p.name
            );
        }
        checked += 1;
    }
    assert!(checked >= 100, "{checked}");
}
