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
