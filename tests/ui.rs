//! The web inspector: its API on loopback, and the page in a real headless Chromium
//! driven over WebDriver (Debian's `chromium` and `chromium-driver`, which `.ci/run`
//! installs). On a machine without them the browser tests say so and pass, unless
//! `HOOKCTL_REQUIRE_BROWSER=1` (set by `.ci/run`) makes a missing browser a failure.

mod support;
use serde_json::{Value, json};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::listener::Listener;
use tempfile::TempDir;

const SECRET: &str = "whsec_c2VjcmV0LWtleS0xMjM0NTY3ODkw";

/// `hookctl ui` on a free port over the store in `dir`.
fn inspector(dir: &TempDir) -> Listener {
    let store = dir.path().join("s.db");
    Listener::spawn(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["ui", "--port", "0", "--secret", SECRET],
        &[],
    )
}

/// `hookctl listen` on a free port, recording into the same store.
fn listener(dir: &TempDir, extra: &[&str]) -> Listener {
    let store = dir.path().join("s.db");
    let mut args = vec!["-p", "standard", "--secret", SECRET];
    args.extend_from_slice(extra);
    Listener::start(dir.path(), &["--store", store.to_str().unwrap()], &args)
}

/// `hookctl send` to `url` (not recorded), with extra flags.
fn send(dir: &TempDir, url: &str, extra: &[&str]) {
    let o = support::hookctl(dir.path())
        .args([
            "--no-store",
            "send",
            "--to",
            url,
            "-p",
            "standard",
            "-e",
            "user.created",
        ])
        .args(["--secret", SECRET])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        support::stderr(&o)
    );
}

fn get(url: &str, host: Option<&str>) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let u = reqwest::Url::parse(url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        host.unwrap_or(&addr)
    );
    let a = support::listener::raw(&addr, req.as_bytes());
    (a.status, a.headers, a.body)
}

fn post(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let u = reqwest::Url::parse(url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let mut req = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        u.path(),
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    let a = support::listener::raw(&addr, req.as_bytes());
    (
        a.status,
        serde_json::from_slice(&a.body).unwrap_or(Value::Null),
    )
}

/// The page's token, as the page holds it.
fn token_of(base: &str) -> String {
    let (_, _, page) = get(base, None);
    let page = String::from_utf8(page).unwrap();
    let at = page.find("name=\"hookctl-token\" content=\"").unwrap() + 30;
    page[at..at + 32].to_string()
}

fn deliveries(base: &str) -> Vec<Value> {
    let (status, _, body) = get(&format!("{base}api/deliveries"), None);
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_api_lists_shows_and_replays_and_refuses_strangers() {
    let dir = TempDir::new().unwrap();
    let l = listener(&dir, &["--ui", "--ui-port", "0"]);
    let base = l.listening["data"]["ui_url"].as_str().unwrap().to_string();
    send(&dir, &l.url, &[]);
    send(&dir, &l.url, &["--tamper", "data.name=Mallory"]);
    let list = wait_until("two deliveries", || {
        let d = deliveries(&base);
        (d.len() == 2).then_some(d)
    });
    // Newest first, each with its verdict in one word.
    assert_eq!(list[0]["verdict"], "invalid");
    assert_eq!(list[1]["verdict"], "valid");
    let id = list[0]["id"].as_i64().unwrap();
    let (status, headers, body) = get(&format!("{base}api/deliveries/{id}"), None);
    assert_eq!(status, 200);
    let shown: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(shown["check"]["valid"], false);
    assert!(shown["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(
        shown["commands"]["curl"]
            .as_str()
            .unwrap()
            .contains("curl -X 'POST'")
    );
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "content-security-policy" && v.contains("script-src 'self'"))
    );
    // Another Host (DNS rebinding): refused.
    let (status, _, _) = get(&format!("{base}api/deliveries"), Some("evil.example:80"));
    assert_eq!(status, 403);
    // A change without the token, or from another origin: refused.
    let replay = format!("{base}api/deliveries/{id}/replay");
    let origin = base.trim_end_matches('/').to_string();
    let token = token_of(&base);
    let ask = json!({"mode": "resign", "to": l.url}).to_string();
    assert_eq!(post(&replay, &[("Origin", &origin)], &ask).0, 403);
    assert_eq!(
        post(
            &replay,
            &[
                ("X-Hookctl-Token", &token),
                ("Origin", "http://evil.example")
            ],
            &ask
        )
        .0,
        403
    );
    assert_eq!(post(&replay, &[("X-Hookctl-Token", &token)], &ask).0, 403);
    // With both: re-signed, it is valid this time, and recorded as a replay.
    let (status, out) = post(
        &replay,
        &[("X-Hookctl-Token", &token), ("Origin", &origin)],
        &ask,
    );
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["delivered"], true, "{out}");
    assert_eq!(out["resigned"], true);
    let list = wait_until("the replay and what it delivered", || {
        let d = deliveries(&base);
        (d.len() == 4).then_some(d)
    });
    assert!(list.iter().any(|d| d["replay_of"] == id));
    assert!(
        list.iter().filter(|d| d["verdict"] == "valid").count() >= 2,
        "{list:?}"
    );
    // Exports.
    let (status, _, ndjson) = get(&format!("{base}api/export.ndjson"), None);
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(ndjson).unwrap().lines().count(), 4);
    let (status, _, har) = get(&format!("{base}api/export.har"), None);
    assert_eq!(status, 200);
    let har: Value = serde_json::from_slice(&har).unwrap();
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 4);
}

/// Bound where other machines can reach it, the inspector is no signing oracle and
/// no window on the store: the page holds no token, and every API request needs
/// the one printed at start, whatever `Host` it claims.
#[test]
fn off_loopback_every_request_needs_the_token_printed_at_start() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let l = listener(&dir, &[]);
    send(&dir, &l.url, &[]);
    let ui = Listener::spawn(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["ui", "--host", "0.0.0.0", "--port", "0", "--secret", SECRET],
        &[],
    );
    let url = ui.listening["data"]["url"].as_str().unwrap();
    let (shown, token) = url
        .split_once("#token=")
        .expect("the URL carries the token");
    assert_eq!(token.len(), 32);
    assert!(ui.stderr().contains("other machines"), "{}", ui.stderr());
    let port = reqwest::Url::parse(shown).unwrap().port().unwrap();
    // As a machine on the LAN reaches it: by address, or claiming `localhost`.
    let base = format!("http://127.0.0.1:{port}/");
    for host in [
        None,
        Some(format!("localhost:{port}")),
        Some("192.0.2.7:80".to_string()),
    ] {
        let (status, _, page) = get(&base, host.as_deref());
        assert_eq!(status, 200);
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.contains("name=\"hookctl-token\" content=\"\""),
            "the page holds a token"
        );
        assert!(!page.contains(token));
        for api in [
            "api/deliveries",
            "api/deliveries/1",
            "api/export.har",
            "api/events",
        ] {
            let (status, _, _) = get(&format!("{base}{api}"), host.as_deref());
            assert_eq!(status, 401, "{api} without the token");
        }
    }
    let (status, _, body) = get(&format!("{base}api/deliveries?token={token}"), None);
    assert_eq!(status, 200);
    let list: Vec<Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(list.len(), 1);
    let id = list[0]["id"].as_i64().unwrap();
    let (status, _, _) = get(
        &format!(
            "{base}api/deliveries/{id}?token={}{}",
            if token.starts_with('0') { '1' } else { '0' },
            &token[1..]
        ),
        None,
    );
    assert_eq!(status, 401, "a wrong token");
    // A replay re-signs with the user's secret: the token and the page's own origin.
    let replay = format!("{base}api/deliveries/{id}/replay");
    let ask = json!({"mode": "resign", "to": l.url}).to_string();
    let origin = format!("http://127.0.0.1:{port}");
    assert_eq!(post(&replay, &[("Origin", &origin)], &ask).0, 401);
    assert_eq!(
        post(
            &replay,
            &[
                ("X-Hookctl-Token", token),
                ("Origin", "http://evil.example")
            ],
            &ask
        )
        .0,
        403
    );
    let (status, out) = post(
        &replay,
        &[("X-Hookctl-Token", token), ("Origin", &origin)],
        &ask,
    );
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["delivered"], true, "{out}");
}

#[test]
fn the_feed_streams_what_another_process_records() {
    let dir = TempDir::new().unwrap();
    let ui = inspector(&dir);
    let l = listener(&dir, &[]);
    let base = ui.url.clone();
    let u = reqwest::Url::parse(&base).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let mut feed = TcpStream::connect(&addr).unwrap();
    feed.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    use std::io::{Read, Write};
    // From the start of the store, so that the delivery is in it whenever it lands.
    write!(
        feed,
        "GET /api/events?after=0 HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    send(&dir, &l.url, &[]);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let until = Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&got).contains("event: delivery") && Instant::now() < until {
        let n = feed.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(text.contains("event: delivery"), "{text}");
    assert!(text.contains("\"verdict\":\"valid\""), "{text}");
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver, when it and Chromium are installed. Without them the test is
/// skipped with a message (so `cargo test` passes on a bare machine), unless
/// `HOOKCTL_REQUIRE_BROWSER=1` asks for the browser tests to fail instead.
fn chromedriver() -> Option<Driver> {
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(bin) = bin.filter(|_| std::path::Path::new(CHROMIUM).exists()) else {
        let why = format!(
            "the browser tests need {CHROMIUM} and chromedriver (Debian: apt-get install chromium chromium-driver; .ci/run does)"
        );
        assert!(
            std::env::var_os("HOOKCTL_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
            "{why}, and HOOKCTL_REQUIRE_BROWSER=1 requires them"
        );
        // Past the test harness's capture, so a plain `cargo test` shows it.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: {why}");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("chromedriver", || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    })
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1680,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a headless Chromium session")
}

/// Polls a script in the page until it returns something truthy, bounded.
async fn until_js(c: &fantoccini::Client, what: &str, script: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        if !(v.is_null() || v == false || v == 0 || v == "") {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_deliveries_appear_live_with_verdicts_and_replay_from_the_page() {
    let Some(driver) = chromedriver() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let ui = inspector(&dir);
    let l = listener(&dir, &[]);
    let c = browser(&driver, &dir.path().join("chromium")).await;
    c.goto(&ui.url).await.unwrap();
    until_js(
        &c,
        "the live badge",
        "return document.getElementById('live').dataset.state === 'connected'",
    )
    .await;
    // Sent while the page is open: a valid one, a tampered one, and one whose body
    // would run script if it were shown as markup.
    send(&dir, &l.url, &[]);
    send(&dir, &l.url, &["--tamper", "data.name=Mallory"]);
    send(
        &dir,
        &l.url,
        &[
            "--set",
            "data.name=<img src=x onerror=\"document.title='pwned'\">",
        ],
    );
    until_js(
        &c,
        "three rows",
        "return document.querySelectorAll('#rows tr').length === 3",
    )
    .await;
    let verdicts = c
        .execute(
            "return [...document.querySelectorAll('#rows tr')].map(r => r.dataset.verdict)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(verdicts, json!(["valid", "invalid", "valid"]));
    // Each row carries its store id.
    let ids = c
        .execute(
            "return [...document.querySelectorAll('#rows tr')].map(r => Number(r.dataset.id))",
            vec![],
        )
        .await
        .unwrap();
    let ids: Vec<i64> = serde_json::from_value(ids).unwrap();
    assert_eq!(ids.len(), 3);
    // The hostile body shows as text and runs nothing.
    c.goto(&format!("{}#/deliveries/{}", ui.url, ids[0]))
        .await
        .unwrap();
    until_js(&c, "the body", "return document.getElementById('body') && document.getElementById('body').textContent.includes('onerror')").await;
    let title = c.title().await.unwrap();
    assert_eq!(title, "hookctl inspector");
    let imgs = c
        .execute(
            "return document.querySelectorAll('#detail img').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(imgs, json!(0));
    // The tampered one: replay it re-signed to the listener, from the page.
    c.goto(&format!("{}#/deliveries/{}", ui.url, ids[1]))
        .await
        .unwrap();
    until_js(
        &c,
        "the replay form",
        &format!(
            "return document.getElementById('detail').dataset.id === '{}'",
            ids[1]
        ),
    )
    .await;
    let target = c
        .find(fantoccini::Locator::Css("#detail input.target"))
        .await
        .unwrap();
    target.send_keys(&l.url).await.unwrap();
    c.find(fantoccini::Locator::Id("replay-resign"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = until_js(&c, "the replay's result", "return document.getElementById('replay-result').textContent.startsWith('✓') && document.getElementById('replay-result').textContent").await;
    assert!(
        result.as_str().unwrap().contains("answered 200"),
        "{result}"
    );
    // It adds a valid row (the listener's), and the replay's own.
    until_js(
        &c,
        "the new valid row",
        "return document.querySelectorAll('#rows tr[data-verdict=valid]').length >= 3",
    )
    .await;
    if let Ok(path) = std::env::var("HOOKCTL_SCREENSHOT") {
        c.goto(&format!("{}#/deliveries/{}", ui.url, ids[1]))
            .await
            .unwrap();
        until_js(
            &c,
            "the detail",
            "return !!document.getElementById('replay-resign')",
        )
        .await;
        std::fs::write(path, c.screenshot().await.unwrap()).unwrap();
    }
    c.close().await.unwrap();
}

/// Off loopback, in a real browser: the page opened by the printed URL takes the
/// token from the fragment, clears it from the address bar, and works (list, live
/// feed, exports); opened without it, it says how to get in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_off_loopback_the_printed_url_opens_the_page() {
    let Some(driver) = chromedriver() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    let ui = Listener::spawn(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["ui", "--host", "0.0.0.0", "--port", "0", "--secret", SECRET],
        &[],
    );
    let l = listener(&dir, &[]);
    let printed = ui.listening["data"]["url"].as_str().unwrap().to_string();
    let port = reqwest::Url::parse(&printed).unwrap().port().unwrap();
    let fragment = printed.split_once('#').unwrap().1.to_string();
    let opened = format!("http://127.0.0.1:{port}/#{fragment}");
    let c = browser(&driver, &dir.path().join("chromium")).await;
    c.goto(&format!("http://127.0.0.1:{port}/")).await.unwrap();
    until_js(
        &c,
        "the note that the token is needed",
        "return document.getElementById('empty').textContent.includes('printed')",
    )
    .await;
    c.goto(&opened).await.unwrap();
    until_js(
        &c,
        "the live badge",
        "return document.getElementById('live').dataset.state === 'connected'",
    )
    .await;
    assert_eq!(
        c.execute("return location.hash", vec![]).await.unwrap(),
        json!(""),
        "the token stays in the address bar"
    );
    send(&dir, &l.url, &[]);
    until_js(
        &c,
        "the delivery, live",
        "return document.querySelectorAll('#rows tr').length === 1",
    )
    .await;
    let export = c
        .execute(
            "return document.querySelector(\"nav a[href*='export.har']\").href",
            vec![],
        )
        .await
        .unwrap();
    assert!(export.as_str().unwrap().contains("token="), "{export}");
    c.close().await.unwrap();
}

/// At 1400 px with the detail pane open, the verdict, status, latency and attempts
/// columns stay in view; a header's name is never broken mid-word; and a store
/// larger than the page's window says it shows the newest 1,000 of all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_the_list_keeps_its_columns_beside_the_detail() {
    let Some(driver) = chromedriver() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("s.db");
    // 1,002 deliveries with a long header name, by load mode into one store.
    let app = Listener::start(dir.path(), &["--no-store"], &[]);
    let o = support::hookctl(dir.path())
        .args(["--store", store.to_str().unwrap(), "send", "--to", &app.url])
        .args(["-p", "standard", "-e", "user.created", "--secret", SECRET])
        .args([
            "-H",
            "X-A-Rather-Long-Request-Header-Name-From-The-Sender: v",
        ])
        .args(["--count", "1002", "-c", "8"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let ui = inspector(&dir);
    let c = browser(&driver, &dir.path().join("chromium")).await;
    c.set_window_size(1400, 900).await.unwrap();
    c.goto(&ui.url).await.unwrap();
    let count = until_js(
        &c,
        "the count",
        "return document.querySelectorAll('#rows tr').length === 1000 && document.getElementById('count').textContent",
    )
    .await;
    assert_eq!(count, "the newest 1,000 of 1,002 deliveries");
    let first = c
        .execute(
            "return document.querySelector('#rows tr').dataset.id",
            vec![],
        )
        .await
        .unwrap();
    c.goto(&format!(
        "{}#/deliveries/{}",
        ui.url,
        first.as_str().unwrap()
    ))
    .await
    .unwrap();
    until_js(
        &c,
        "the detail",
        "return !!document.getElementById('replay-resign')",
    )
    .await;
    let out_of_view = c
        .execute(
            "const wrap = document.getElementById('table-wrap').getBoundingClientRect();
             const row = document.querySelector('#rows tr');
             return ['verdict', 'status', 'latency', 'attempts']
               .filter((k) => row.querySelector('td.' + k).getBoundingClientRect().right > wrap.right + 0.5);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        out_of_view,
        json!([]),
        "columns hidden behind the detail pane"
    );
    let broken = c
        .execute(
            "return [...document.querySelectorAll('#detail table.headers td.name')].filter((td) => {
               const r = document.createRange(); r.selectNodeContents(td);
               return r.getClientRects().length > 1;
             }).map((td) => td.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(broken, json!([]), "header names broken across lines");
    let names = c
        .execute(
            "return document.querySelectorAll('#detail table.headers td.name').length",
            vec![],
        )
        .await
        .unwrap();
    assert!(names.as_u64().unwrap() > 3, "{names}");
    c.close().await.unwrap();
}
