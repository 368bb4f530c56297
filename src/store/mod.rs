//! The delivery store: every request hookctl makes or receives, and every attempt,
//! in an embedded SQLite database.
//!
//! WAL mode with a busy timeout lets several hookctl processes share one store. The
//! schema version lives in `PRAGMA user_version`; `schema.rs`'s migrations bring an
//! older store up to date, and a store from a newer hookctl is refused rather than
//! damaged. Signing secrets are never stored: only what travelled on the wire.
//!
//! By action: `schema.rs` opens a store (files, pragmas, migrations); `record.rs`
//! writes rows; `journal.rs` and `writer.rs` take records on the hot path and
//! `checkpoint.rs` indexes them into the tables; `query.rs` reads deliveries back;
//! `relay_queue.rs` holds the relay's tables. The store prints nothing: what a
//! reader should be told is a [`StoreWarning`], handed out by
//! [`Store::take_warnings`].

mod checkpoint;
mod journal;
mod query;
mod record;
mod relay_queue;
mod schema;
mod warning;
mod writer;

pub use journal::{CaughtUp, Damaged};
pub use query::{Filter, StoredAttempt, StoredDelivery};
pub use relay_queue::{GivenUp, NewHeld, Queued, RelayChannelStatus};
pub use schema::SCHEMA_VERSION;
pub use warning::StoreWarning;
pub use writer::{Ack, BatchWriter, Finished};

use crate::envelope::HeaderList;
use checkpoint::{Checkpointer, run_when_idle, yield_to_producers};
use record::{Entered, give_back_ids, insert_entry, reserve_ids};
use rusqlite::Connection;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store `{path}` is not a hookctl store or is damaged ({detail})")]
    Corrupt { path: String, detail: String },
    #[error(
        "the store `{path}` was written by a newer hookctl (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("could not open the store `{path}`: {detail}")]
    Open { path: String, detail: String },
    #[error("the store `{path}` cannot be written: {detail}")]
    ReadOnly { path: String, detail: String },
    #[error("the store `{path}` failed: {source}")]
    Sql {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
}

/// A delivery to record.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub direction: Direction,
    /// `send`, `listen`, `replay`, `simulate`.
    pub source: &'a str,
    pub profile: Option<&'a str>,
    pub event: Option<&'a str>,
    pub delivery_id: Option<&'a str>,
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
    pub valid: Option<bool>,
    pub reason: Option<&'a str>,
    pub duplicate: bool,
    pub replay_of: Option<i64>,
    /// The state it starts in (`pending` while attempts go on).
    pub state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// One attempt to record.
#[derive(Debug, Clone, Default)]
pub struct NewAttempt<'a> {
    pub number: u32,
    pub started_at: String,
    pub request_headers: Option<&'a HeaderList>,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub error: Option<&'a str>,
    pub response_headers: Option<&'a HeaderList>,
    pub response_body: Option<&'a [u8]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Delivered,
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Delivered => "delivered",
            State::Failed => "failed",
        }
    }
}

pub struct Store {
    conn: Connection,
    file: PathBuf,
    /// How long a statement waits for another connection's lock.
    busy: Duration,
    /// What the caller is to be told, until it takes them ([`Store::take_warnings`]).
    warnings: Vec<StoreWarning>,
}

impl Store {
    /// The warnings gathered since they were last taken (opening and indexing the
    /// journals), oldest first, for the caller to render: the store prints nothing.
    pub fn take_warnings(&mut self) -> Vec<StoreWarning> {
        std::mem::take(&mut self.warnings)
    }

    /// Keeps a warning for the caller (at most [`warning::MAX_KEPT`] wait).
    fn warn(&mut self, w: StoreWarning) {
        warning::keep(&mut self.warnings, w);
    }
}

/// The largest body the store takes: SQLite holds a value, and the row around it, in
/// at most 1,000,000,000 bytes; this leaves room for the rest of the row.
pub const MAX_BODY: usize = 900 << 20;

/// RFC 3339 with milliseconds, UTC.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// An owned record for batched writing.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub direction: Direction,
    pub source: &'static str,
    pub profile: Option<String>,
    pub event: Option<String>,
    pub delivery_id: Option<String>,
    pub method: String,
    pub url: String,
    pub headers: HeaderList,
    pub body: bytes::Bytes,
    pub valid: Option<bool>,
    pub reason: Option<String>,
    pub duplicate: bool,
    pub state: State,
    pub attempts: Vec<RecordedAttempt>,
    /// Through a relay: when it took the delivery, and how.
    pub arrival: Option<RelayArrival>,
    /// A further attempt at the delivery recorded under this id (a relay's held
    /// delivery tried again): its attempts are added to that one, whose state becomes
    /// this record's, instead of a row of its own.
    pub attempt_of: Option<i64>,
}

/// A relayed delivery's arrival: when the relay took it (Unix milliseconds), the
/// path its sender used there, whether the relay held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayArrival {
    pub received_at: i64,
    pub public_target: String,
    pub held: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RecordedAttempt {
    pub number: u32,
    pub started_at: String,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    pub response_headers: Option<HeaderList>,
    pub response_body: Option<bytes::Bytes>,
}

impl RecordedAttempt {
    fn as_new(&self) -> NewAttempt<'_> {
        NewAttempt {
            number: self.number,
            started_at: self.started_at.clone(),
            request_headers: None,
            status: self.status,
            latency_ms: self.latency_ms,
            error: self.error.as_deref(),
            response_headers: self.response_headers.as_ref(),
            response_body: self.response_body.as_deref(),
        }
    }
}

impl Recorded {
    fn delivery(&self) -> NewDelivery<'_> {
        NewDelivery {
            direction: self.direction,
            source: self.source,
            profile: self.profile.as_deref(),
            event: self.event.as_deref(),
            delivery_id: self.delivery_id.as_deref(),
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
            valid: self.valid,
            reason: self.reason.as_deref(),
            duplicate: self.duplicate,
            replay_of: None,
            state: self.state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::schema::MIGRATIONS;
    use super::*;

    /// A `listen`-like record with a body of `size` bytes.
    pub(crate) fn incoming(size: usize) -> Recorded {
        Recorded {
            direction: Direction::In,
            source: "listen",
            profile: None,
            event: Some("push".into()),
            delivery_id: Some("d1".into()),
            method: "POST".into(),
            url: "/".into(),
            headers: HeaderList::new(),
            body: bytes::Bytes::from(vec![b'x'; size]),
            valid: None,
            reason: None,
            duplicate: false,
            state: State::Delivered,
            attempts: Vec::new(),
            arrival: None,
            attempt_of: None,
        }
    }

    /// Records written by a [`BatchWriter`] reach the database file itself while the
    /// writer is busy: records keep coming every 10 ms, so the writer is never idle,
    /// and the WAL stays far below SQLite's own checkpoint threshold. Only the
    /// checkpointer beside the writer copies them back.
    #[test]
    fn the_batch_writer_checkpoints_beside_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let writer = BatchWriter::start(Store::open(&path).unwrap()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let empty = std::fs::metadata(&path).unwrap().len();
        let record = incoming(4096);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut sent = 0;
        // 50 records of 4 KiB in the database file itself.
        while std::fs::metadata(&path).unwrap().len() < empty + 200 * 1024 {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint while the writer was busy ({sent} records sent, {} bytes)",
                std::fs::metadata(&path).unwrap().len()
            );
            assert!(rt.block_on(writer.send(record.clone())));
            sent += 1;
            std::thread::sleep(Duration::from_millis(10));
        }
        let finished = writer.finish().unwrap();
        assert_eq!((finished.written, finished.unindexed), (sent, 0));
        assert!(std::fs::metadata(&path).unwrap().len() >= empty + sent * 4096);
        let n: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as u64, sent);
    }

    /// A batch that cannot be written is acknowledged as not recorded, and the writer
    /// records the next ones; `finish` reports the failure.
    #[test]
    fn the_batch_writer_outlives_a_failed_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        store.set_busy_timeout(Duration::from_millis(100)).unwrap();
        let writer = BatchWriter::start(store).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let record = incoming(2);
        // Another process holds the write lock past the writer's busy timeout.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        assert_eq!(rt.block_on(writer.send_acked(record.clone())), None);
        other.execute_batch("ROLLBACK").unwrap();
        let id = rt.block_on(writer.send_acked(record.clone()));
        assert!(id.is_some(), "the writer stopped after one failed commit");
        assert!(matches!(writer.finish(), Err(StoreError::Sql { .. })));
        let n: i64 = other
            .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    /// A store from before the journal (schema 3) is brought up to date on opening:
    /// its rows keep their ids, new ones follow them, and followers start after them.
    #[test]
    fn a_schema_3_store_is_migrated_and_its_ids_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "PRAGMA user_version = 3;
                 INSERT INTO deliveries (id, created_at, direction, source, method, url, headers, body, state)
                 VALUES (41, '2026-01-01T00:00:00Z', 'in', 'listen', 'POST', '/', '[]', X'', 'delivered');",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let old = store.list(&Filter::default()).unwrap();
        assert_eq!((old.len(), old[0].id, old[0].seq), (1, 41, 0));
        assert_eq!(store.last_seq().unwrap(), 0);
        let w = BatchWriter::start(Store::open(&path).unwrap()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(w.send_acked(incoming(3))), Some(42));
        w.finish().unwrap();
        store.catch_up().unwrap();
        let new = store
            .list(&Filter {
                after_seq: Some(0),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(new.iter().map(|d| d.id).collect::<Vec<_>>(), [42]);
        assert!(new[0].seq > 0);
    }

    #[test]
    fn migrates_records_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("s.db");
        let store = Store::open(&path).unwrap();
        let mut h = HeaderList::new();
        h.push("X-A", "1");
        h.push("X-A", "2");
        let id = store
            .insert_delivery(&NewDelivery {
                direction: Direction::Out,
                source: "send",
                profile: Some("github"),
                event: Some("ping"),
                delivery_id: Some("d1"),
                method: "POST",
                url: "http://127.0.0.1/x",
                headers: &h,
                body: b"\xff\x00",
                valid: None,
                reason: None,
                duplicate: false,
                replay_of: None,
                state: State::Pending,
            })
            .unwrap();
        store
            .add_attempt(
                id,
                &NewAttempt {
                    number: 1,
                    started_at: now_rfc3339(),
                    status: Some(200),
                    ..NewAttempt::default()
                },
            )
            .unwrap();
        store.set_state(id, State::Delivered).unwrap();
        drop(store);
        // reopening keeps everything and does not migrate twice
        let store = Store::open(&path).unwrap();
        let (headers, body, state): (String, Vec<u8>, String) = store
            .connection()
            .query_row("SELECT headers, body, state FROM deliveries", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(headers, r#"[["X-A","1"],["X-A","2"]]"#);
        assert_eq!(body, b"\xff\x00");
        assert_eq!(state, "delivered");

        let (d, attempts) = store.get(1).unwrap().unwrap();
        assert_eq!(
            (d.event.as_deref(), d.attempts, d.last_status),
            (Some("ping"), 1, Some(200))
        );
        assert_eq!(attempts.len(), 1);
        assert_eq!(
            store
                .list(&Filter {
                    event: Some(crate::glob::EventGlob::new("p*").unwrap()),
                    ..Filter::default()
                })
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .list(&Filter {
                    event: Some(crate::glob::EventGlob::new("x*").unwrap()),
                    ..Filter::default()
                })
                .unwrap()
                .len(),
            0
        );
        // A list that shows no bodies reads none.
        let all = store.list(&Filter::default()).unwrap();
        assert!(all.iter().any(|d| !d.body.is_empty()));
        let light = store
            .list(&Filter {
                without_bodies: true,
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(light.len(), all.len());
        assert!(light.iter().all(|d| d.body.is_empty()));
        assert_eq!(light[0].headers, all[0].headers);
        assert_eq!(store.prune("9999-01-01T00:00:00Z").unwrap(), (1, true));
        assert!(store.get(1).unwrap().is_none());

        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
        assert!(matches!(
            Store::open(&junk),
            Err(StoreError::Corrupt { .. })
        ));

        store
            .connection()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        drop(store);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
