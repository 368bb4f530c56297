//! Binary HTTP (the `bhttp` crate) on the delivery `examples/wire_bench.rs` measures.
use bhttp::{Message, Mode};
use std::io::Cursor;
use std::time::Instant;
fn main() {
    let headers: Vec<(&str, &str)> = vec![
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
    ];
    let body = vec![b'x'; 1024];
    let n = 200_000;
    let mut bytes = 0;
    let mut case_kept = true;
    let start = Instant::now();
    for _ in 0..n {
        let mut m = Message::request(
            b"POST".to_vec(),
            b"https".to_vec(),
            b"relay.example.com".to_vec(),
            b"/webhooks/stripe?account=acct_1".to_vec(),
        );
        for (k, v) in &headers {
            m.put_header(k.as_bytes(), v.as_bytes());
        }
        m.write_content(&body);
        let mut out = Vec::new();
        m.write_bhttp(Mode::KnownLength, &mut out).unwrap();
        bytes += out.len();
        let back = Message::read_bhttp(&mut Cursor::new(&out[..])).unwrap();
        case_kept &= back
            .header()
            .fields()
            .iter()
            .any(|f| f.name() == b"Stripe-Signature");
        let mut a = Message::response(bhttp::StatusCode::try_from(200u16).unwrap());
        a.write_content(b"{\"received\":true}");
        let mut aout = Vec::new();
        a.write_bhttp(Mode::KnownLength, &mut aout).unwrap();
        bytes += aout.len();
        std::hint::black_box(Message::read_bhttp(&mut Cursor::new(&aout[..])).unwrap());
    }
    let per = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!("bhttp request + answer, encoded and decoded: {per:.2} us per delivery ({} bytes); header name case kept: {case_kept}", bytes / n);
}
