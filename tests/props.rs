//! Property tests: the parsers that read what strangers send, and the templates that
//! render what profiles say, never panic on any input; each answer is a value or an
//! error, and what should round-trip does.

use hookctl::envelope::headers::{value_from_bytes, value_to_bytes};
use hookctl::envelope::template::{Ctx, Template};
use hookctl::envelope::{Catalog, HeaderList, Received, VerifyOptions};
use proptest::prelude::*;

/// Bytes that look like HTTP often enough to get past the first line.
fn http_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"POST / HTTP/1.1\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"Content-Length: ".to_vec()),
        Just(b"Transfer-Encoding: chunked\r\n".to_vec()),
        Just(b"FFFFFFFFFFFFFFFF\r\n".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        Just(b"X-Hub-Signature-256: sha256=".to_vec()),
        "[0-9a-fA-F;: ]{0,20}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..24),
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn raw_requests_parse_or_are_refused(bytes in http_like()) {
        if let Ok(r) = hookctl::http::request_file::parse(&bytes) {
            // A parsed body is never longer than what followed the head.
            prop_assert!(r.body.len() <= bytes.len());
        }
    }

    #[test]
    fn durations_parse_within_the_limit_or_are_refused(text in "[0-9a-z .]{0,24}") {
        if let Ok(d) = hookctl::envelope::profile::parse_duration(&text) {
            prop_assert!(d <= hookctl::envelope::profile::MAX_DURATION);
        }
    }

    #[test]
    fn huge_duration_numbers_are_refused(n in 3_155_760_001u64.., unit in "(s|m|h|d|y|)") {
        let text = format!("{n}{unit}");
        prop_assert!(hookctl::envelope::profile::parse_duration(&text).is_err());
    }

    #[test]
    fn sizes_parse_or_are_refused(text in "[0-9.eE+-]{0,24}(B|KiB|MB|GiB|k|x)?") {
        let _ = hookctl::settings::parse_size(&text);
    }

    #[test]
    fn templates_parse_and_render_or_are_refused(source in "[{}a-z.:0-9 ]{0,40}") {
        if let Ok(t) = Template::parse(&source) {
            let headers = HeaderList::new();
            let ctx = Ctx {
                event: Some("e"),
                id: Some("i"),
                timestamp: Some(i64::MAX),
                body: Some(b"b"),
                headers: Some(&headers),
                ..Ctx::default()
            };
            let _ = t.render(&ctx);
            let _ = t.render(&Ctx::default());
        }
    }

    #[test]
    fn header_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let text = value_from_bytes(&bytes);
        let back = value_to_bytes(&text);
        prop_assert_eq!(&*back, &bytes[..]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every built-in profile's signature header, given anything at all: valid,
    /// invalid or an error, never a panic.
    #[test]
    fn every_profiles_signature_header_reads_anything(
        value in prop_oneof![
            "[ -~]{0,80}",
            "t=[0-9-]{0,22},v1=[0-9a-f]{0,70}",
            "v1,[A-Za-z0-9+/=]{0,60}( v1,[A-Za-z0-9+/=]{0,10})?",
            "sha(1|256)=[0-9a-fA-F]{0,70}",
            "APIAuth [ -~]{0,40}",
        ],
        timestamp in "[0-9-]{0,24}",
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let secrets = [hookctl::envelope::Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "test").unwrap()];
        for p in Catalog::builtin().all().unwrap() {
            if p.signature.is_none() {
                continue;
            }
            let mut headers = HeaderList::new();
            for (name, _) in &p.headers {
                headers.push(name.clone(), value.clone());
            }
            headers.push(scheme_header(&p), value.clone());
            for name in ["webhook-timestamp", "svix-timestamp", "X-Slack-Request-Timestamp", "Date", "Content-MD5"] {
                headers.push(name, timestamp.clone());
            }
            let received = Received { method: "POST", path: "/", headers: &headers, body: &body };
            let opts = VerifyOptions { secrets: &secrets, now: 1_700_000_000, tolerance: None };
            let _ = p.verify(&received, &opts);
        }
    }
}

/// The header a profile's signature goes in.
fn scheme_header(p: &hookctl::envelope::Profile) -> String {
    p.headers
        .iter()
        .find(|(_, t)| t.uses(|v| *v == hookctl::envelope::template::Var::Signature))
        .map(|(n, _)| n.clone())
        .unwrap_or_else(|| "X-Signature".into())
}
