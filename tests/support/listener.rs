//! Runs `hookctl --json listen --port 0 …` and talks to it over raw TCP.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Listener {
    pub child: Child,
    pub url: String,
    pub addr: String,
    pub listening: Value,
    lines: Arc<Mutex<Vec<Value>>>,
    errors: Arc<Mutex<String>>,
}

impl Listener {
    /// Starts a listener in `dir`; `args` go after `listen`, `global` before it.
    pub fn start(dir: &std::path::Path, global: &[&str], args: &[&str]) -> Listener {
        let mut all = vec!["listen", "--port", "0"];
        all.extend_from_slice(args);
        Listener::spawn(dir, global, &all, &[])
    }

    /// Runs `hookctl --json COMMAND…` in `dir` with `env` set, and waits (bounded)
    /// for its first line, a `listening` record.
    pub fn spawn(
        dir: &std::path::Path,
        global: &[&str],
        command: &[&str],
        env: &[(&str, &str)],
    ) -> Listener {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hookctl"))
            .current_dir(dir)
            .env_remove("HOOKCTL_SECRET")
            .env_remove("HOOKCTL_CONFIG")
            .env_remove("HOOKCTL_RELAY_TOKEN")
            .env_remove("HOOKCTL_RELAY_KEY")
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .envs(env.iter().copied())
            .args(global)
            .arg("--json")
            .args(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let errors = Arc::new(Mutex::new(String::new()));
        let err_sink = Arc::clone(&errors);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut e = err_sink.lock().unwrap();
                e.push_str(&line);
                e.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            let mut first = true;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if first {
                    let _ = tx.send(v);
                    first = false;
                } else {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let listening = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                panic!(
                    "no listening line from {command:?}; stderr: {}",
                    errors.lock().unwrap()
                )
            });
        assert_eq!(listening["type"], "listening");
        let url = listening["data"]["url"].as_str().unwrap().to_string();
        let addr = url
            .split("://")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Listener {
            child,
            url,
            addr,
            listening,
            lines,
            errors,
        }
    }

    /// Every line after the first, as it came.
    pub fn lines(&self) -> Vec<Value> {
        self.lines.lock().unwrap().clone()
    }

    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.errors.lock().unwrap().clone()
    }

    /// Waits (bounded) until a line matches.
    pub fn wait_line(&self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(l) = self.lines().into_iter().find(|l| pred(l)) {
                return Some(l);
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Delivery lines so far.
    pub fn deliveries(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l["type"] == "delivery")
            .map(|l| l["data"].clone())
            .collect()
    }

    /// Waits (bounded) until `n` delivery lines have arrived.
    pub fn wait_deliveries(&self, n: usize) -> Vec<Value> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let d = self.deliveries();
            if d.len() >= n || Instant::now() > until {
                return d;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (bounded) for the process to exit; its code.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Sends raw bytes and reads the answer (the connection is closed by the request).
pub fn raw(addr: &str, request: &[u8]) -> Answer {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_answer(&buf)
}

pub fn parse_answer(buf: &[u8]) -> Answer {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    if let Some((_, n)) = headers.iter().find(|(n, _)| n == "content-length") {
        body.truncate(n.parse().unwrap());
    } else if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// The data of a chunked body (as far as it came whole).
pub fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..nl]).unwrap_or("");
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < nl + 2 + n {
            break;
        }
        body.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
        rest = &rest[(nl + 4 + n).min(rest.len())..];
    }
    body
}

/// POSTs a body with headers, `Connection: close`.
pub fn post(addr: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Answer {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (n, v) in headers {
        req.extend(format!("{n}: {v}\r\n").bytes());
    }
    req.extend(b"\r\n");
    req.extend(body);
    raw(addr, &req)
}
