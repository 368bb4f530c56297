//! The store's warnings reach the user through the output layer: a `warning:` line
//! on stderr, or a `warning` JSON Lines record with `--json`.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;
use support::listener::{Listener, post};
use support::{hookctl, json_lines, stderr};

/// A store whose journal was left behind by a `listen` that was killed, with its
/// first record damaged and its indexing progress forgotten, so that the next
/// command reads the journal again and finds the damage: the store and the journal.
fn store_with_a_damaged_journal(dir: &Path) -> (PathBuf, PathBuf) {
    let store = dir.join("s.db");
    let mut l = Listener::start(dir, &["--store", store.to_str().unwrap()], &[]);
    for i in 0..3 {
        // Answered only once the delivery is committed to the journal.
        let answer = post(&l.addr, "/hook", &[], format!(r#"{{"n":{i}}}"#).as_bytes());
        assert_eq!(answer.status, 200, "{}", l.stderr());
    }
    // Killed, it leaves its journal behind (a stopped `listen` removes it).
    l.child.kill().unwrap();
    l.child.wait().unwrap();
    let prefix = "s.db-inbox-";
    let journal = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.len() == prefix.len() + 16)
        })
        .expect("the killed listen left its journal");
    let name = journal.file_name().unwrap().to_str().unwrap().to_string();
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute("DELETE FROM journal_progress WHERE name = ?1", [&name])
        .unwrap();
    // A byte of the first record's payload (after the 16-byte header and the 8-byte
    // frame head) flipped: its checksum fails, the records after it are whole.
    let mut bytes = std::fs::read(&journal).unwrap();
    assert!(bytes.len() > 16 + 8 + 40, "the journal holds no record");
    bytes[16 + 8 + 40] ^= 0x20;
    std::fs::write(&journal, &bytes).unwrap();
    (store, journal)
}

fn kept_as(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap().to_os_string();
    name.push(".damaged");
    journal.with_file_name(name)
}

#[test]
fn a_damaged_journal_is_a_warning_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (store, journal) = store_with_a_damaged_journal(dir.path());
    let o = hookctl(dir.path())
        .args(["--store", store.to_str().unwrap(), "deliveries", "list"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let expected = format!(
        "warning: a journal of the store `{}` is damaged: 1 records and 0 bytes in it could not be read and are not in the store; every whole record after the damage is. The file is kept as `{}`\n",
        store.display(),
        kept_as(&journal).display()
    );
    assert!(err.contains(&expected), "{err}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    // The data on stdout is the table, not the warning.
    assert!(!support::stdout(&o).contains("damaged"));
    assert!(kept_as(&journal).exists() && !journal.exists());
    // Told once: the kept copy is not read again.
    let again = hookctl(dir.path())
        .args(["--store", store.to_str().unwrap(), "deliveries", "list"])
        .output()
        .unwrap();
    assert!(!stderr(&again).contains("warning"), "{}", stderr(&again));
}

#[test]
fn a_damaged_journal_is_a_warning_record_with_json() {
    let dir = tempfile::tempdir().unwrap();
    let (store, journal) = store_with_a_damaged_journal(dir.path());
    let o = hookctl(dir.path())
        .args([
            "--json",
            "--store",
            store.to_str().unwrap(),
            "deliveries",
            "list",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let records = json_lines(&o);
    assert_eq!(records[0]["type"], "warning", "{records:?}");
    let w = &records[0]["data"];
    assert_eq!(w["kind"], "journal_damaged");
    assert_eq!(
        (w["lost_records"].as_u64(), w["lost_bytes"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(w["store"], store.to_str().unwrap());
    assert_eq!(w["kept_as"], kept_as(&journal).to_str().unwrap());
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .starts_with("a journal of the store"),
        "{w}"
    );
    // The rest are the deliveries: every whole record after the damage is in the
    // store (the damaged first one too, if it was indexed before the kill).
    assert!(
        records[1..].iter().all(|r| r["type"] == "delivery"),
        "{records:?}"
    );
    let mut ids: Vec<u64> = records[1..]
        .iter()
        .map(|r| r["data"]["id"].as_u64().unwrap())
        .collect();
    ids.sort();
    assert!(ids == [2, 3] || ids == [1, 2, 3], "{ids:?}");
}

/// `GET path` on the inspector at `url`: status and body.
fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let u = reqwest::Url::parse(url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let a = support::listener::raw(&addr, req.as_bytes());
    (a.status, serde_json::from_slice(&a.body).unwrap())
}

/// The inspector tells its caller once (a `warning` record of `hookctl --json ui`)
/// and shows what it met at `/api/warnings`.
#[test]
fn the_inspector_shows_the_stores_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (store, journal) = store_with_a_damaged_journal(dir.path());
    // Not a journal, under a journal's name: met on every catch-up, left alone.
    let foreign = dir.path().join("s.db-inbox-ffffffffffffffff");
    std::fs::write(&foreign, [b'x'; 100]).unwrap();
    let ui = Listener::spawn(
        dir.path(),
        &["--store", store.to_str().unwrap()],
        &["ui", "--port", "0"],
        &[],
    );
    let url = ui.listening["data"]["url"].as_str().unwrap().to_string();
    let (status, shown) = get(&url, "/api/warnings");
    assert_eq!((status, shown), (200, serde_json::json!([])));
    // Reading the deliveries opens the store, which indexes the journal.
    let (status, list) = get(&url, "/api/deliveries");
    assert_eq!(status, 200, "{list}");
    let kinds = |records: &[serde_json::Value]| {
        let mut k: Vec<String> = records
            .iter()
            .filter(|v| v["type"] == "warning")
            .map(|v| v["data"]["kind"].as_str().unwrap().to_string())
            .collect();
        k.sort();
        k
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while kinds(&ui.lines()).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        kinds(&ui.lines()),
        ["foreign_file", "journal_damaged"],
        "{}",
        ui.stderr()
    );
    let (_, shown) = get(&url, "/api/warnings");
    let shown = shown.as_array().unwrap().clone();
    assert_eq!(shown.len(), 2, "{shown:?}");
    let damaged = shown
        .iter()
        .find(|w| w["kind"] == "journal_damaged")
        .unwrap();
    assert_eq!(damaged["kept_as"], kept_as(&journal).to_str().unwrap());
    assert!(
        damaged["message"]
            .as_str()
            .unwrap()
            .starts_with("a journal of the store"),
        "{damaged}"
    );
    let other = shown.iter().find(|w| w["kind"] == "foreign_file").unwrap();
    assert_eq!(other["path"], foreign.to_str().unwrap());
    // The foreign file is met again on each read, and not told again.
    for _ in 0..3 {
        assert_eq!(get(&url, "/api/deliveries").0, 200);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(kinds(&ui.lines()).len(), 2, "{:?}", ui.lines());
    assert!(foreign.exists());
}
