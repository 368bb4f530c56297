//! The request as it travels, written by the one HTTP/1 writer: `send --dry-run`
//! prints it, a listening hookctl records it, `deliveries show --raw` gives it back
//! and `verify --request` reads it, byte for byte, header bytes that are not UTF-8
//! included.

mod support;

use support::listener::{Listener, raw};
use support::{hookctl, json_lines, stderr};
use tempfile::TempDir;

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The store id of the newest delivery.
fn newest(dir: &std::path::Path, store: &str) -> String {
    let o = hookctl(dir)
        .args([
            "--store",
            store,
            "--json",
            "deliveries",
            "list",
            "--limit",
            "1",
        ])
        .output()
        .unwrap();
    json_lines(&o)[0]["data"]["id"]
        .as_i64()
        .unwrap()
        .to_string()
}

fn show_raw(dir: &std::path::Path, store: &str, id: &str) -> Vec<u8> {
    let o = hookctl(dir)
        .args(["--store", store, "deliveries", "show", id, "--raw"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    o.stdout
}

#[test]
fn a_non_utf8_header_travels_byte_exact_through_dry_run_listen_and_show_raw() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    let l = Listener::start(d, &["--store", s], &[]);
    // Bytes 0xE9 and 0xE8 (Latin-1 é, è), given as the escapes hookctl keeps them in.
    let o = hookctl(d)
        .args([
            "--no-store",
            "send",
            "--dry-run",
            "-p",
            "github",
            "-e",
            "push",
        ])
        .args([
            "--secret",
            "k",
            "--to",
            &format!("{}/hooks?x=1", l.url.trim_end_matches('/')),
        ])
        .args([
            "-H",
            "X-Name: caf\u{10FFE9} cr\u{10FFE8}me",
            "-H",
            "Connection: close",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let dry = o.stdout;
    assert!(
        find(&dry, b"\r\nX-Name: caf\xe9 cr\xe8me\r\n"),
        "{}",
        String::from_utf8_lossy(&dry)
    );
    assert!(
        dry.starts_with(b"POST /hooks?x=1 HTTP/1.1\r\nHost: 127.0.0.1:"),
        "{}",
        String::from_utf8_lossy(&dry)
    );

    // What --dry-run printed, sent as it is: the listener records it, and show --raw
    // gives back the same bytes.
    assert_eq!(raw(&l.addr, &dry).status, 200);
    assert_eq!(l.wait_deliveries(1).len(), 1);
    let shown = show_raw(d, s, &newest(d, s));
    assert_eq!(
        String::from_utf8_lossy(&shown),
        String::from_utf8_lossy(&dry)
    );
    assert_eq!(shown, dry);

    // And `verify --request -` reads it back, bytes and signature intact.
    let v = hookctl(d)
        .args(["verify", "--request", "-", "--secret", "k", "-p", "github"])
        .write_stdin(shown)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
}

#[test]
fn a_chunked_delivery_shows_as_one_framed_request() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    let l = Listener::start(d, &["--store", s], &[]);
    let request = b"POST /c HTTP/1.1\r\nHost: x\r\nX-Raw: \xff\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\n{\"a\r\n5\r\n\":1}\n\r\n0\r\nX-Trailer: t\r\n\r\n";
    assert_eq!(raw(&l.addr, request).status, 200);
    assert_eq!(l.wait_deliveries(1).len(), 1);
    let shown = show_raw(d, s, &newest(d, s));
    // The body as decoded, framed by its length: no `Transfer-Encoding` left to
    // contradict it.
    assert_eq!(
        String::from_utf8_lossy(&shown),
        "POST /c HTTP/1.1\r\nHost: x\r\nX-Raw: \u{FFFD}\r\nConnection: close\r\nContent-Length: 8\r\n\r\n{\"a\":1}\n"
    );
    assert!(find(&shown, b"\r\nX-Raw: \xff\r\n"));
    let r = hookctl::http::request_file::parse(&shown).unwrap();
    assert_eq!(r.body, b"{\"a\":1}\n");
}
