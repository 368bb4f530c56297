//! What the relay's framing costs: encoding and decoding a 1 KiB delivery with the
//! headers a provider sends, and its answer, per delivery.
//!
//!   cargo run --release --example wire_bench

use bytes::Bytes;
use hookctl::envelope::HeaderList;
use hookctl::relay::wire::{WireAnswer, WireRequest};
use std::time::Instant;

fn main() {
    let mut headers = HeaderList::new();
    for (n, v) in [
        ("Host", "relay.example.com"),
        (
            "User-Agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        ),
        ("Content-Type", "application/json; charset=utf-8"),
        (
            "Stripe-Signature",
            "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        ),
        ("Accept", "*/*; q=0.5, application/xml"),
        ("Cache-Control", "no-cache"),
        ("Content-Length", "1024"),
        ("X-Forwarded-For", "203.0.113.7"),
    ] {
        headers.push(n, v);
    }
    let req = WireRequest {
        seq: 1,
        held: 0,
        given_up: false,
        received_at: 1_700_000_000_000,
        note: String::new(),
        method: "POST".into(),
        target: "/webhooks/stripe?account=acct_1".into(),
        public_target: "/c/shop/webhooks/stripe?account=acct_1".into(),
        headers: headers.clone(),
        body: Bytes::from(vec![b'x'; 1024]),
    };
    let ans = WireAnswer {
        seq: 1,
        status: 200,
        headers: HeaderList::new(),
        body: Bytes::from_static(b"{\"received\":true}"),
    };
    let n = 200_000;
    let mut bytes = 0;
    let start = Instant::now();
    for i in 0..n {
        let mut r = req.clone();
        r.seq = i;
        let frame = r.encode();
        bytes += frame.len();
        let back = WireRequest::decode(&frame).unwrap();
        let a = WireAnswer {
            seq: back.seq,
            ..ans.clone()
        }
        .encode();
        bytes += a.len();
        std::hint::black_box(WireAnswer::decode(&a).unwrap());
    }
    let per = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!(
        "request + answer, encoded and decoded: {per:.2} us per delivery ({} bytes on the wire)",
        bytes / n as usize
    );
}
