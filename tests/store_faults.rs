//! The store under injected faults: what `listen` acknowledged is in the store,
//! under ids of its own, whatever failed on the way.

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::listener::post;
use support::{hookctl, json_lines, stderr};

/// `hookctl --json listen` whose writes past `fsize` bytes of any file fail with
/// EFBIG (`RLIMIT_FSIZE`, with SIGXFSZ ignored so the write returns the error): the
/// store's WAL, its main file and the journal each hit the limit in turn, as on a
/// full disk. Its address, and the child.
fn listen_with_file_size_limit(
    dir: &std::path::Path,
    store: &str,
    fsize: u64,
) -> (String, std::process::Child) {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hookctl"));
    cmd.current_dir(dir)
        .env_remove("HOOKCTL_SECRET")
        .env_remove("HOOKCTL_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["--store", store, "--json", "listen", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: fsize,
                rlim_max: fsize,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a listening line");
    let v: Value = serde_json::from_str(&first).unwrap();
    let url = v["data"]["url"].as_str().unwrap();
    let addr = url
        .split("://")
        .nth(1)
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    // The rest of its lines are drained by the thread, so it never blocks on stdout.
    std::thread::spawn(move || while rx.recv().is_ok() {});
    (addr, child)
}

#[test]
fn every_delivery_answered_2xx_is_in_the_store_when_writes_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    // Several limits, so that the WAL, the main file and the journal each run out
    // first in one of the runs.
    let mut acked_total = 0;
    let mut refused_total = 0;
    for (round, fsize) in [(0u32, 160 << 10), (1, 400 << 10), (2, 1 << 20)] {
        let (addr, mut child) = listen_with_file_size_limit(d, s, fsize);
        let pad = "x".repeat(1500);
        let mut acked = Vec::new();
        let until = Instant::now() + Duration::from_secs(60);
        for i in 0..400 {
            if Instant::now() > until {
                break;
            }
            let body = format!("{{\"round\":{round},\"n\":{i},\"pad\":\"{pad}\"}}");
            let a = post(&addr, "/hook", &[], body.as_bytes());
            if (200..300).contains(&a.status) {
                acked.push(format!("\"round\":{round},\"n\":{i},"));
            } else {
                refused_total += 1;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        acked_total += acked.len();

        // A healthy process indexes what the killed one left, and lists it all.
        let o = hookctl(d)
            .args([
                "--store",
                s,
                "--json",
                "deliveries",
                "list",
                "--limit",
                "100000",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let conn = rusqlite::Connection::open(&store).unwrap();
        let bodies: Vec<(i64, Vec<u8>)> = conn
            .prepare("SELECT id, body FROM deliveries")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut ids: Vec<i64> = bodies.iter().map(|(id, _)| *id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), bodies.len());
        let texts: Vec<String> = bodies
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        let missing: Vec<&String> = acked
            .iter()
            .filter(|m| texts.iter().filter(|t| t.contains(m.as_str())).count() != 1)
            .collect();
        assert!(
            missing.is_empty(),
            "round {round} (limit {fsize}): {} of {} deliveries answered 2xx are not in the store once: {:?}",
            missing.len(),
            acked.len(),
            &missing[..missing.len().min(5)]
        );
        let listed = json_lines(&o);
        assert!(listed.len() >= acked.len());
    }
    // The faults happened, and did not stop everything.
    assert!(acked_total > 0, "nothing was acknowledged");
    assert!(
        refused_total > 0,
        "no write failed: the limits are too large to test anything"
    );
}

/// The store holds bodies and their headers (`Authorization` among them): its files
/// are its user's alone, and so is a directory hookctl makes for it.
#[test]
fn the_store_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("made/by/hookctl/s.db");
    let app = support::server::TestServer::start(vec![support::server::Reply::status(200)]);
    let o = hookctl(d)
        .args(["--store", store.to_str().unwrap(), "send", "--to", &app.url])
        .args(["-p", "github", "-e", "push", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&store), 0o600);
    for side in ["s.db-wal", "s.db-shm"] {
        let p = store.with_file_name(side);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{side}");
        }
    }
    assert_eq!(mode(store.parent().unwrap()), 0o700);
    assert_eq!(mode(&d.join("made")), 0o700);
    // One an older hookctl made readable by others is made private when opened.
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = hookctl(d)
        .args(["--store", store.to_str().unwrap(), "deliveries", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(mode(&store), 0o600);
}

/// Ids read as a sequence: a load test beside a running `listen` in one store
/// leaves no gap of thousands, and the next delivery's id follows closely.
#[test]
fn ids_leave_no_gaps_of_thousands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("s.db");
    let s = store.to_str().unwrap();
    let l = support::listener::Listener::start(d, &["--store", s], &[]);
    let o = hookctl(d)
        .args([
            "--store", s, "send", "--to", &l.url, "-p", "github", "-e", "push",
        ])
        .args([
            "--secret",
            "k",
            "--count",
            "3000",
            "--concurrency",
            "16",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    l.wait_deliveries(3000);
    drop(l);
    let app = support::server::TestServer::start(vec![support::server::Reply::status(200)]);
    let o = hookctl(d)
        .args(["--store", s, "--json", "send", "--to", &app.url])
        .args(["-p", "github", "-e", "push", "--secret", "k"])
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let conn = rusqlite::Connection::open(&store).unwrap();
    let mut ids: Vec<i64> = conn
        .prepare("SELECT id FROM deliveries ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(ids.len() >= 6000, "{}", ids.len());
    ids.dedup();
    let widest = ids.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(widest <= 600, "a gap of {widest} ids");
}
