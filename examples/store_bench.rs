//! The store's write path alone, for `bench/store.sh`: records like the ones `listen`
//! makes (1 KiB body, GitHub's headers, one attempt) written by `Store::insert_batch`
//! in batches of the given size, into a fresh store.
//!
//!   cargo run --release --example store_bench -- PATH BATCH [RECORDS]
//! prints `us_per_record N`.
//!
//! `floor` as BATCH measures SQLite itself instead, through the same library: one row
//! per record (the same body and headers, as a blob and a text) in a table with no
//! index, 32 per commit, with no checkpoint during the run.

use hookctl::envelope::HeaderList;
use hookctl::store::{Direction, Recorded, RecordedAttempt, State, Store, now_rfc3339};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(batch)) = (args.next(), args.next()) else {
        return Err("usage: store_bench PATH BATCH [RECORDS]".into());
    };
    let records: usize = args.next().map_or(Ok(20_000), |n| n.parse())?;
    if batch == "floor" {
        return floor(&path, records);
    }
    let batch: usize = batch.parse()?;
    let mut store = Store::open(std::path::Path::new(&path))?;
    let mut headers = HeaderList::new();
    for (n, v) in [
        ("host", "127.0.0.1:4242"),
        ("content-type", "application/json"),
        ("x-github-event", "push"),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        (
            "x-hub-signature-256",
            "sha256=3b7b9a1c3c0f4f4b0d5e0b8f6e8f2c5a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a",
        ),
        ("content-length", "1024"),
    ] {
        headers.push(n, v);
    }
    let mut answer = HeaderList::new();
    answer.push("content-type", "application/json");
    let record = Recorded {
        direction: Direction::In,
        source: "listen",
        profile: Some("github".into()),
        event: Some("push".into()),
        delivery_id: Some("72d3162e-cc78-11e3-81ab-4c9367dc0958".into()),
        method: "POST".into(),
        url: "/".into(),
        headers,
        body: bytes::Bytes::from(vec![b'x'; 1024]),
        valid: Some(true),
        reason: None,
        duplicate: false,
        state: State::Delivered,
        attempts: vec![RecordedAttempt {
            number: 1,
            started_at: now_rfc3339(),
            status: Some(200),
            latency_ms: Some(0.1),
            error: None,
            response_headers: Some(answer),
            response_body: Some(bytes::Bytes::from_static(b"{\"received\":true}")),
        }],
        arrival: None,
        attempt_of: None,
    };
    let started = std::time::Instant::now();
    let mut written = 0;
    while written < records {
        let chunk: Vec<Recorded> = (0..batch).map(|_| record.clone()).collect();
        store.insert_batch(&chunk)?;
        written += batch;
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / written as f64;
    println!("us_per_record {micros:.1}");
    Ok(())
}

/// The cost of one bare SQLite row of a record's size.
fn floor(path: &str, records: usize) -> Result<(), Box<dyn std::error::Error>> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (id INTEGER PRIMARY KEY, headers TEXT, body BLOB);",
    )?;
    let headers = "h".repeat(400);
    let body = vec![b'x'; 1024];
    let started = std::time::Instant::now();
    let mut written = 0;
    while written < records {
        let tx = conn.unchecked_transaction()?;
        for _ in 0..32 {
            conn.prepare_cached("INSERT INTO t (headers, body) VALUES (?1, ?2)")?
                .execute(rusqlite::params![headers, body])?;
        }
        tx.commit()?;
        written += 32;
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / written as f64;
    println!("us_per_record {micros:.1}");
    Ok(())
}
