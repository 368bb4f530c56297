//! The vectors `tools/oracles/asym_and_url.py` made against the providers' own
//! libraries (tests/data/oracles-asym-url.json), checked offline: every delivery a
//! library accepted, hookctl accepts; every one it refused (tampered, another URL,
//! another token), hookctl refuses.

use hookctl::envelope::secret::SecretKind;
use hookctl::envelope::{Catalog, HeaderList, Received, Secret, VerifyOptions};
use serde_json::Value;
use std::collections::BTreeSet;

#[test]
fn hookctl_agrees_with_each_providers_library_on_every_vector() {
    let doc: Value =
        serde_json::from_str(include_str!("data/oracles-asym-url.json")).expect("vectors");
    let catalog = Catalog::builtin();
    let mut providers = BTreeSet::new();
    let mut directions = BTreeSet::new();
    let vectors = doc["vectors"].as_array().unwrap();
    for v in vectors {
        let profile = catalog.get(v["profile"].as_str().unwrap()).unwrap();
        let mut headers = HeaderList::new();
        for h in v["headers"].as_array().unwrap() {
            headers.push(h[0].as_str().unwrap(), h[1].as_str().unwrap());
        }
        let keys: Vec<Secret> = v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let kind = match k["kind"].as_str().unwrap() {
                    "public" => SecretKind::PublicKey,
                    _ => SecretKind::Shared,
                };
                Secret::key_text(k["value"].as_str().unwrap(), "vector", kind).unwrap()
            })
            .collect();
        let body = v["body"].as_str().unwrap().as_bytes();
        let target = v["url"].as_str().unwrap_or("/");
        let verdict = profile
            .verify(
                &Received {
                    method: v["method"].as_str().unwrap(),
                    path: target,
                    headers: &headers,
                    body,
                },
                &VerifyOptions {
                    secrets: &keys,
                    now: v["now"].as_i64().unwrap(),
                    tolerance: None,
                },
            )
            .unwrap_or_else(|e| panic!("{} ({}): {e}", v["provider"], v["direction"]));
        assert_eq!(
            verdict.valid,
            v["valid"].as_bool().unwrap(),
            "{} ({}, {}): {}",
            v["provider"],
            v["direction"],
            v["oracle"],
            verdict.reason
        );
        providers.insert(v["provider"].as_str().unwrap().to_string());
        directions.insert(v["direction"].as_str().unwrap().to_string());
    }
    assert!(providers.len() >= 20, "{providers:?}");
    assert!(directions.contains("library-signed") && directions.contains("hookctl-signed"));
}
