//! Hostile input, third round: what an attacker or a fault could do to the parts
//! that are not the store (which `store_faults.rs` covers).

mod support;

use support::{hookctl, stderr};

/// A `*.localhost` name is this machine only when it resolves to loopback: one a
/// resolver sends to DNS is asked about like any other host, and with no terminal
/// to ask on, the audit stops before sending anything.
#[test]
fn a_localhost_name_that_is_not_loopback_is_not_trusted_by_its_spelling() {
    use std::net::ToSocketAddrs;
    let name = "hookctl-audit-test.localhost";
    let resolves_home = (name, 80)
        .to_socket_addrs()
        .map(|a| {
            let a: Vec<_> = a.collect();
            !a.is_empty() && a.iter().all(|a| a.ip().is_loopback())
        })
        .unwrap_or(false);
    if resolves_home {
        eprintln!("{name} resolves to loopback here: nothing to refuse");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let o = hookctl(dir.path())
        .args(["--no-store", "audit", "--to", &format!("http://{name}:9/")])
        .args(["-p", "github", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not this machine"), "{}", stderr(&o));
}

/// The 64 KiB head limit holds however the bytes arrive: in one write, or a few
/// bytes at a time.
#[test]
fn the_head_limit_holds_however_the_bytes_arrive() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let l = support::listener::Listener::start(dir.path(), &["--no-store"], &[]);
    let big = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        "a".repeat(100 << 10)
    );
    for chunk in [big.len(), 4096] {
        let mut s = std::net::TcpStream::connect(&l.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        for part in big.as_bytes().chunks(chunk) {
            if s.write_all(part).is_err() {
                break;
            }
        }
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let a = support::listener::parse_answer(&answer);
        assert_eq!(a.status, 431, "written {chunk} bytes at a time");
    }
    assert!(l.deliveries().is_empty(), "an oversized head was taken");
}
