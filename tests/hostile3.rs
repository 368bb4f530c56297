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

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The inspector's export holds one delivery at a time, whatever the store holds:
/// 80 MiB of bodies export in a bounded peak, a body over the export's limit is
/// left out and said so, and a reader that never reads holds nothing more.
#[test]
fn exports_stream_in_bounded_memory() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    let l = support::listener::Listener::start(d, &["--store", s], &["--max-body", "40MiB"]);
    let big = d.join("big.json");
    let text = format!("{{\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    std::fs::write(&big, &text).unwrap();
    let huge = d.join("huge.json");
    std::fs::write(&huge, format!("{{\"pad\":\"{}\"}}", "y".repeat(20 << 20))).unwrap();
    for (body, count) in [(&big, "40"), (&huge, "1")] {
        let o = hookctl(d)
            .args([
                "--no-store",
                "send",
                "--to",
                &l.url,
                "-p",
                "github",
                "-e",
                "push",
            ])
            .args([
                "--secret",
                "k",
                "--body",
                body.to_str().unwrap(),
                "--count",
                count,
            ])
            .args(["-c", "2", "-q"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    l.wait_deliveries(41);
    drop(l);
    // Indexed before the inspector starts: what is measured is the export alone.
    support::indexed_store(d, &store);
    let ui = support::listener::Listener::spawn(d, &["--store", s], &["ui", "--port", "0"], &[]);
    let before = peak_rss_kib(ui.child.id());
    // A reader that asks and never reads.
    let mut stalled = std::net::TcpStream::connect(&ui.addr).unwrap();
    write!(
        stalled,
        "GET /api/export.har HTTP/1.1\r\nHost: {}\r\n\r\n",
        ui.addr
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    for har in [false, true] {
        let path = if har {
            "api/export.har"
        } else {
            "api/export.ndjson"
        };
        let mut s = std::net::TcpStream::connect(&ui.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            ui.addr
        )
        .unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        let head_end = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8_lossy(&all[..head_end]).to_string();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        // Chunked: the body is the chunks' data.
        let body = support::listener::dechunk(&all[head_end..]);
        let body = String::from_utf8(body).unwrap();
        if har {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            let entries = v["log"]["entries"].as_array().unwrap();
            assert_eq!(entries.len(), 41);
            let left = entries
                .iter()
                .filter(|e| {
                    e["request"]["postData"]["comment"]
                        .as_str()
                        .is_some_and(|c| c.contains("over the export"))
                })
                .count();
            assert_eq!(left, 1, "the 20 MiB body is left out and said so");
        } else {
            let lines: Vec<serde_json::Value> = body
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(lines.len(), 41);
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| l["body_left_out_bytes"].is_u64())
                    .count(),
                1
            );
        }
    }
    let after = peak_rss_kib(ui.child.id());
    // 100 MiB of bodies went out (the old export held them all, and their JSON); the
    // peak grew by a few deliveries' worth for each of the two exports at most.
    assert!(
        after.saturating_sub(before) < 64 << 10,
        "peak RSS grew from {before} KiB to {after} KiB"
    );
    drop(stalled);
}

/// A receiver whose answers `audit` cannot read (a flood of headers) gets no pass
/// for them: the check is skipped, and says why; a merely long answer (90 headers)
/// is read and graded.
#[test]
fn audit_grades_an_unreadable_answer_as_skipped_not_passed() {
    use std::io::{BufRead, BufReader, Read, Write};
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    // Answers whatever comes with `413` and 90 headers for a large body, else `200`
    // with `flood` headers; one connection at a time, for a bounded time.
    let serve = |server: std::net::TcpListener, flood: usize| {
        std::thread::spawn(move || {
            server.set_nonblocking(false).unwrap();
            for stream in server.incoming().take(8) {
                let Ok(mut s) = stream else { break };
                s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let (status, n) = if length > 1 << 20 {
                    (413, flood)
                } else {
                    (200, 3)
                };
                if length <= 1 << 20 {
                    let mut body = vec![0u8; length];
                    let _ = r.read_exact(&mut body);
                }
                let mut answer =
                    format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n");
                for i in 0..n {
                    answer.push_str(&format!("X-Flood-{i}: {}\r\n", "v".repeat(20)));
                }
                answer.push_str("\r\n");
                let _ = s.write_all(answer.as_bytes());
            }
        })
    };
    let t = serve(server, 300);
    let dir = tempfile::tempdir().unwrap();
    let o = hookctl(dir.path())
        .args([
            "--json",
            "--no-store",
            "audit",
            "--to",
            &format!("http://{addr}/hooks"),
        ])
        .args([
            "-p",
            "github",
            "--secret",
            "k",
            "--delay",
            "0s",
            "--only",
            "oversized-body",
        ])
        .output()
        .unwrap();
    let lines = support::json_lines(&o);
    let check = lines
        .iter()
        .find(|l| l["data"]["name"] == "oversized-body")
        .unwrap_or_else(|| panic!("{}\n{}", support::stdout(&o), stderr(&o)));
    assert_eq!(check["data"]["grade"], "skip", "{check}");
    assert!(
        check["data"]["summary"]
            .as_str()
            .unwrap()
            .contains("more than 128 headers"),
        "{check}"
    );
    drop(t);
}
