//! Hostile input, on the real binary: nothing panics or hangs, memory and time stay
//! bounded, forwarding stays where it was told to go, the store copes with adverse
//! conditions, and a secret typed where a name goes is not echoed.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::listener::{Listener, post, raw};
use support::server::{RawServer, Reply, TestServer};
use support::{hookctl, indexed_store, stderr, stdout};
use tempfile::TempDir;

/// Exit 2, no panic, and stderr names `what`.
fn refused(o: &std::process::Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(what), "`{what}` not in: {err}");
}

#[test]
fn huge_numbers_are_refused_not_panicked_on() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // A chunk size near 2^64 in a raw request.
    std::fs::write(
        d.join("r.http"),
        b"POST / HTTP/1.1\r\nX-Hub-Signature-256: sha256=00\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
    )
    .unwrap();
    let o = hookctl(d)
        .args(["verify", "--secret", "k", "--request", "r.http"])
        .output()
        .unwrap();
    refused(&o, "0xFFFFFFFFFFFFFFFF");

    let to = ["--to", "http://127.0.0.1:9/", "-p", "github", "-e", "push"];
    let cases: [(&[&str], &str); 5] = [
        (
            &["--count", "2", "--duration", "500000000000y"],
            "100 years",
        ),
        (&["--retry", "--speed", "1e-300"], "--speed 1e-300"),
        (&["--count", "2", "--rate", "1e-300"], "--rate 1e-300"),
        (&["--retry", "--speed", "NaN"], "--speed"),
        (&["--timeout", "18446744073709551615"], "100 years"),
    ];
    for (args, what) in cases {
        let o = hookctl(d)
            .args(["--no-store", "send", "--secret", "k"])
            .args(to)
            .args(args)
            .output()
            .unwrap();
        refused(&o, what);
    }
    let o = hookctl(d)
        .args([
            "--no-store",
            "simulate",
            "-p",
            "github",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "k",
            "--speed",
            "1e-300",
        ])
        .output()
        .unwrap();
    refused(&o, "--speed 1e-300");

    // In a profile file.
    std::fs::write(
        d.join("hookctl.toml"),
        "[profiles.github.retry]\ntimeout = \"18446744073709551615\"\n",
    )
    .unwrap();
    let o = hookctl(d)
        .args(["simulate", "-p", "github"])
        .output()
        .unwrap();
    refused(&o, "retry.timeout");
    std::fs::remove_file(d.join("hookctl.toml")).unwrap();

    // A tolerance that would wrap called a fresh signature too old.
    let signed = hookctl(d)
        .args(["sign", "-p", "stripe", "--secret", "k", "--body", "-"])
        .write_stdin("{}")
        .output()
        .unwrap();
    std::fs::write(d.join("h.txt"), &signed.stdout).unwrap();
    let o = hookctl(d)
        .args(["verify", "-H", "@h.txt", "--body", "-", "--secret", "k"])
        .args(["--tolerance", "300000000000y"])
        .write_stdin("{}")
        .output()
        .unwrap();
    refused(&o, "100 years");
    let o = hookctl(d)
        .args(["verify", "-H", "@h.txt", "--body", "-", "--secret", "k"])
        .args(["--tolerance", "99y"])
        .write_stdin("{}")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_error_with_stderr_unwritable_exits_2() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("bad.db"), b"junk junk junk junk").unwrap();
    let o = Command::new(assert_cmd::cargo::cargo_bin("hookctl"))
        .current_dir(dir.path())
        .args(["deliveries", "list", "--store", "bad.db"])
        .stderr(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn load_mode_survives_chunk_sizes_that_wrap() {
    let app = RawServer::start(&[
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
        b"FFFFFFFFFFFFFFFE\r\nabcdef\r\n0\r\n\r\n",
    ]);
    let dir = TempDir::new().unwrap();
    let o = hookctl(dir.path())
        .args(["--no-store", "--json", "send", "--to", &app.url])
        .args([
            "-p", "github", "-e", "push", "--secret", "k", "--count", "2",
        ])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let result = stdout(&o);
    assert!(result.contains("\"errors\":2"), "{result}");
}

fn write_profile(dir: &std::path::Path, text: &str) {
    std::fs::write(dir.join("hookctl.toml"), text).unwrap();
}

#[test]
fn profiles_cannot_ask_for_unbounded_memory_or_time() {
    let dir = TempDir::new().unwrap();
    // 40 vars that each double the one before: 2^40 bytes.
    let mut toml =
        String::from("[profiles.boom]\nextends = \"hmac\"\n[profiles.boom.vars]\nv0 = \"xy\"\n");
    for i in 1..40 {
        toml.push_str(&format!(
            "v{i} = \"{{vars.v{}}}{{vars.v{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    write_profile(dir.path(), &toml);
    let o = hookctl(dir.path())
        .args([
            "send",
            "-p",
            "boom",
            "-e",
            "ping",
            "--secret",
            "k",
            "--dry-run",
        ])
        .args(["--to", "http://127.0.0.1:9/"])
        .output()
        .unwrap();
    refused(&o, "profile `boom`");
    refused(&o, "vars.v19");
    refused(&o, "1 MiB");

    // A 5,000-link extends chain: refused at once, naming the limit.
    let mut toml = String::from("[profiles.p0]\nextends = \"hmac\"\n");
    for i in 1..5000 {
        toml.push_str(&format!("[profiles.p{i}]\nextends = \"p{}\"\n", i - 1));
    }
    write_profile(dir.path(), &toml);
    let started = Instant::now();
    let o = hookctl(dir.path())
        .args([
            "send",
            "-p",
            "p4999",
            "-e",
            "ping",
            "--secret",
            "k",
            "--dry-run",
        ])
        .args(["--to", "http://127.0.0.1:9/"])
        .output()
        .unwrap();
    refused(&o, "profile `p4999`");
    refused(&o, "`extends` chain is over the limit of 16");
    // Not a speed test: quadratic resolution took over 20 s.
    assert!(started.elapsed() < Duration::from_secs(15));
    // A chain within the limit still works.
    let o = hookctl(dir.path())
        .args([
            "send",
            "-p",
            "p10",
            "-e",
            "ping",
            "--secret",
            "k",
            "--dry-run",
        ])
        .args(["--to", "http://127.0.0.1:9/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn forwarding_refuses_dot_segments_and_passes_headers_as_they_came() {
    let app = RawServer::start(&[
        b"HTTP/1.1 201 Created\r\nX-R: 1\r\nX-S: 2\r\nX-R: 3\r\nConnection: close, X-Hop\r\nX-Hop: h\r\nContent-Length: 2\r\n\r\nok",
    ]);
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    // A bare origin: the path goes on as received.
    let l = Listener::start(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["--path", "/hooks", "--forward-to", &app.url],
    );
    for path in [
        "/hooks/../../admin",
        "/hooks/%2e%2e/%2E%2E/admin",
        "/hooks/.%2e/admin",
        "/hooks/..\\..\\admin",
    ] {
        let a = post(&l.addr, path, &[], b"{}");
        assert_eq!(a.status, 400, "{path}");
    }
    assert!(app.requests().is_empty(), "nothing reached the app");

    let request = b"POST /hooks/a/b?q=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-B: 2\r\nX-A: 3\r\nX-Latin: caf\xe9\r\nConnection: close, X-Hop-Only\r\nX-Hop-Only: gone\r\nContent-Length: 2\r\n\r\nhi";
    let a = raw(&l.addr, request);
    assert_eq!(a.status, 201);
    let names: Vec<&str> = a.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[1..4],
        ["x-r", "x-s", "x-r"],
        "the app's answer in order"
    );
    assert!(!names.contains(&"x-hop"), "{names:?}");
    let got = app.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/hooks/a/b?q=1");
    let head = &got[0].raw_head;
    let at = |needle: &[u8]| {
        head.windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {}", String::from_utf8_lossy(head)))
    };
    assert!(at(b"X-A: 1\r\n") < at(b"X-B: 2\r\n"));
    assert!(at(b"X-B: 2\r\n") < at(b"X-A: 3\r\n"));
    at(b"X-Latin: caf\xe9\r\n");
    assert!(!String::from_utf8_lossy(head).contains("X-Hop-Only"));

    // `replay` sends what was recorded the same way.
    let replayed = RawServer::start(&[b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]);
    let id = l.wait_deliveries(5).last().unwrap()["id"].as_i64().unwrap();
    let o = hookctl(dir.path())
        .args([
            "--store",
            store.to_str().unwrap(),
            "replay",
            &id.to_string(),
        ])
        .args(["--to", &replayed.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let head = &replayed.requests()[0].raw_head;
    let text = String::from_utf8_lossy(head).into_owned();
    let (a1, b2, a3) = (
        text.find("X-A: 1").unwrap(),
        text.find("X-B: 2").unwrap(),
        text.find("X-A: 3").unwrap(),
    );
    assert!(a1 < b2 && b2 < a3, "{text}");
    assert!(head.windows(13).any(|w| w == b"X-Latin: caf\xe9"), "{text}");
    assert!(!text.contains("X-Hop-Only"), "{text}");
}

#[test]
fn the_apps_answer_is_bounded_in_size_and_time() {
    let big: &'static [u8] = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n{}",
            "x".repeat(4096)
        )
        .into_bytes()
        .into_boxed_slice(),
    );
    let pieces: &'static [&'static [u8]] = Box::leak(vec![big].into_boxed_slice());
    let app = RawServer::start(pieces);
    let dir = TempDir::new().unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["--forward-to", &app.url, "--max-body", "1KiB"],
    );
    let a = post(&l.addr, "/", &[], b"{}");
    assert_eq!(a.status, 502);
    let line = &l.wait_deliveries(1)[0];
    assert!(
        line["forward_error"]
            .as_str()
            .unwrap()
            .contains("over the 1024-byte limit"),
        "{line}"
    );

    // A hanging app: 504 after --forward-timeout, not a fixed 30 s.
    let slow = TestServer::start(vec![Reply::status(200).delay(Duration::from_secs(5))]);
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["--forward-to", &slow.url, "--forward-timeout", "300ms"],
    );
    let started = Instant::now();
    assert_eq!(post(&l.addr, "/", &[], b"{}").status, 504);
    assert!(started.elapsed() < Duration::from_secs(4));
    // With a named profile and no flag, the profile's per-attempt timeout applies
    // (the provider gives up then anyway).
    std::fs::write(
        dir.path().join("hookctl.toml"),
        "[profiles.quick]\nextends = \"github\"\n[profiles.quick.retry]\ntimeout = \"400ms\"\n",
    )
    .unwrap();
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &["-p", "quick", "--forward-to", &slow.url],
    );
    let started = Instant::now();
    assert_eq!(post(&l.addr, "/", &[], b"{}").status, 504);
    assert!(started.elapsed() < Duration::from_secs(4));
    let line = &l.wait_deliveries(1)[0];
    assert_eq!(line["forward_error"], "no answer within 400ms", "{line}");
}

/// CPU time (user + system) of a process so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn connections_are_capped_and_served_again_when_they_close() {
    let dir = TempDir::new().unwrap();
    let l = Listener::start(dir.path(), &["--no-store"], &["--max-connections", "4"]);
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&l.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // A fifth connection is accepted by the kernel but not served yet.
    let mut fifth = TcpStream::connect(&l.addr).unwrap();
    fifth
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
        )
        .unwrap();
    fifth
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(fifth.read(&mut buf).is_err(), "served past the cap");
    let before = cpu_ticks(l.child.id());
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        cpu_ticks(l.child.id()) - before < 30,
        "the listener spins while at the cap"
    );
    drop(idle);
    fifth
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = fifth.read_to_end(&mut answer);
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
}

#[test]
fn out_of_file_descriptors_backs_off_and_recovers() {
    use std::os::unix::process::CommandExt;
    let dir = TempDir::new().unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hookctl"));
    cmd.current_dir(dir.path())
        .args(["--no-store", "--json", "listen", "--port", "0"])
        .args(["--max-connections", "1000"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 64,
                rlim_max: 64,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let mut first = String::new();
    {
        use std::io::BufRead;
        let mut out = std::io::BufReader::new(child.stdout.as_mut().unwrap());
        out.read_line(&mut first).unwrap();
    }
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let addr = v["data"]["url"].as_str().unwrap()[7..]
        .trim_end_matches('/')
        .to_string();
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| {
            TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(300)).ok()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(child.id());
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(child.id()) - before;
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    let a = post(&addr, "/", &[], b"{}");
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        spent < 30,
        "the accept loop spins: {spent} ticks in a second"
    );
    assert_eq!(a.status, 200);
    assert!(
        stderr(&out).contains("out of file descriptors"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unread_stdout_drops_lines_not_deliveries_and_signals_still_stop_listen() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("hookctl"))
        .current_dir(dir.path())
        .args(["--store", store.to_str().unwrap(), "-v", "--json", "listen"])
        .args(["--port", "0", "-p", "hmac", "--secret", "k"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the first line only, then never again.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = Vec::new();
    let mut byte = [0u8];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    let v: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let url = v["data"]["url"].as_str().unwrap().to_string();
    let n = 20_000;
    let o = hookctl(dir.path())
        .timeout(Duration::from_secs(120))
        .args([
            "--no-store",
            "send",
            "--to",
            &url,
            "-p",
            "hmac",
            "-e",
            "ping",
        ])
        .args(["--secret", "k", "--count", &n.to_string(), "-c", "8", "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rss_kib: u64 = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .trim()
        .trim_end_matches(" kB")
        .parse()
        .unwrap();
    assert!(rss_kib < 200 * 1024, "RSS {rss_kib} KiB");
    let started = Instant::now();
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let mut code = None;
    while started.elapsed() < Duration::from_secs(5) {
        if let Some(s) = child.try_wait().unwrap() {
            code = s.code();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, Some(130), "listen did not stop on SIGTERM");
    assert!(started.elapsed() < Duration::from_secs(3));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("not shown"), "{err}");
    drop(stdout);
    let conn = indexed_store(dir.path(), &store);
    let recorded: i64 = conn
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, n, "every delivery is in the store");
}

#[test]
fn a_hostile_event_name_does_not_stall_routing() {
    let dir = TempDir::new().unwrap();
    let pattern = format!("*{}b", "a".repeat(10_000));
    let route = format!("{pattern}=http://127.0.0.1:9/");
    let l = Listener::start(
        dir.path(),
        &["--no-store"],
        &[
            "-p",
            "hmac",
            "--route",
            &route,
            "--route",
            "short.*=http://127.0.0.1:9/",
        ],
    );
    // An event name of 4 MB (hmac reads it from the body's `event`).
    let body = format!("{{\"event\":\"{}b\"}}", "a".repeat(4 << 20));
    let started = Instant::now();
    for _ in 0..3 {
        // Too long to be an event name a glob matches: not routed, answered 200.
        assert_eq!(post(&l.addr, "/", &[], body.as_bytes()).status, 200);
    }
    // Not a speed test: the backtracking matcher took a minute per delivery.
    assert!(started.elapsed() < Duration::from_secs(20));
    // Routes still work: a matching event goes to its (unreachable) URL: 502.
    let a = post(&l.addr, "/", &[], br#"{"event":"short.x"}"#);
    assert_eq!(a.status, 502);
}

#[test]
fn a_secret_typed_where_a_name_goes_is_not_echoed() {
    let dir = TempDir::new().unwrap();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    for flag in ["--secret-env", "--secret-file"] {
        let o = hookctl(dir.path())
            .args(["sign", "-p", "standard", flag, secret, "--body", "-"])
            .write_stdin("{}")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2));
        assert!(!err.contains(secret), "{err}");
        assert!(!err.contains("MfKQ9r8GKYqr"), "{err}");
        assert!(err.contains("whsec_"), "a short prefix is shown: {err}");
    }
    // A plain name is still shown whole.
    let o = hookctl(dir.path())
        .args([
            "sign",
            "-p",
            "standard",
            "--secret-env",
            "MY_HOOK_SECRET",
            "--body",
            "-",
        ])
        .write_stdin("{}")
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("`MY_HOOK_SECRET` is not set"),
        "{}",
        stderr(&o)
    );
}

/// Runs hookctl as `nobody` when the tests run as root (root writes any file), so
/// that a read-only file is read-only to it. The binary is copied into `dir` (which
/// `nobody` can enter), since the build folder may not be open to other users.
fn as_unprivileged(dir: &std::path::Path) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("hookctl");
    let mut c = if unsafe { libc::geteuid() } == 0 {
        let copy = dir.join("hookctl-copy");
        if !copy.exists() {
            std::fs::copy(&bin, &copy).unwrap();
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(copy);
        c
    } else {
        Command::new(bin)
    };
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

#[test]
fn the_store_under_adverse_conditions() {
    use std::os::unix::fs::PermissionsExt;
    // In /tmp, which any user may enter, whatever TMPDIR says.
    let dir = tempfile::Builder::new().tempdir_in("/tmp").unwrap();
    let d = dir.path();
    // Reading commands create nothing.
    let o = hookctl(d)
        .args(["deliveries", "list", "--store", "new/dir/x.db"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!d.join("new").exists(), "a reading command made the store");

    // A store with a failed delivery in it, made read-only (file and directory).
    let sdir = d.join("ro");
    std::fs::create_dir(&sdir).unwrap();
    let store = sdir.join("s.db");
    let app = TestServer::start(vec![Reply::status(500)]);
    let o = hookctl(d)
        .args(["--store", store.to_str().unwrap(), "send", "--to", &app.url])
        .args(["-p", "github", "-e", "push", "--secret", "k"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&sdir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let s = store.to_str().unwrap();
    for args in [
        vec!["deliveries", "list", "--store", s],
        vec!["deliveries", "show", "1", "--store", s],
        vec!["deliveries", "export", "--store", s],
    ] {
        let o = as_unprivileged(d).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("push"), "{args:?}: {}", stdout(&o));
    }
    // replay --failed selects from it, sends, and says it cannot record.
    let o = as_unprivileged(d)
        .args(["--store", s, "replay", "--failed", "--to", &app.url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(app.requests().len(), 2, "the replay was sent");
    // listen on a store it cannot write: exit 2 at start.
    let o = as_unprivileged(d)
        .args(["--store", s, "listen", "--port", "0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be written"), "{}", stderr(&o));
    std::fs::set_permissions(&sdir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();

    // prune gives the space back.
    let pruned = d.join("p.db");
    let data = format!("{{\"pad\":\"{}\"}}", "x".repeat(4000));
    let o = hookctl(d)
        .args([
            "--store",
            pruned.to_str().unwrap(),
            "send",
            "--to",
            &app.url,
        ])
        .args([
            "-p", "github", "-e", "push", "--secret", "k", "--count", "500",
        ])
        .args(["--data", &data, "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let size = |p: &std::path::Path| {
        let wal = std::path::PathBuf::from(format!("{}-wal", p.display()));
        std::fs::metadata(p).unwrap().len() + std::fs::metadata(wal).map_or(0, |m| m.len())
    };
    let before = size(&pruned);
    assert!(before > 1_000_000, "{before}");
    let o = hookctl(d)
        .args(["--store", pruned.to_str().unwrap(), "deliveries", "prune"])
        .args(["--older-than", "0s"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = size(&pruned);
    assert!(after < before / 10, "{before} → {after}");
}
