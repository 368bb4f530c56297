//! The delivery store: every request hookctl makes or receives, and every attempt,
//! in an embedded SQLite database.
//!
//! WAL mode with a busy timeout lets several hookctl processes share one store. The
//! schema version lives in `PRAGMA user_version`; [`MIGRATIONS`] brings an older store
//! up to date, and a store from a newer hookctl is refused rather than damaged.
//! Signing secrets are never stored: only what travelled on the wire.

use crate::envelope::HeaderList;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};
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
    #[error("the store `{path}` failed: {source}")]
    Sql {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
}

/// Schema migrations, in order; entry `i` takes a store from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    source        TEXT NOT NULL,
    profile       TEXT,
    event         TEXT,
    delivery_id   TEXT,
    method        TEXT NOT NULL,
    url           TEXT NOT NULL,
    headers       TEXT NOT NULL,
    body          BLOB NOT NULL,
    valid         INTEGER,
    reason        TEXT,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    duplicate     INTEGER NOT NULL DEFAULT 0,
    replay_of     INTEGER REFERENCES deliveries(id) ON DELETE SET NULL
);
CREATE INDEX deliveries_by_delivery_id ON deliveries(delivery_id);
CREATE INDEX deliveries_by_created ON deliveries(created_at);
CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY,
    delivery         INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    request_headers  TEXT,
    status           INTEGER,
    latency_ms       REAL,
    error            TEXT,
    response_headers TEXT,
    response_body    BLOB
);
CREATE INDEX attempts_by_delivery ON attempts(delivery);
"#];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

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
    path: String,
}

/// RFC 3339 with milliseconds, UTC.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

fn headers_json(h: &HeaderList) -> String {
    serde_json::to_string(h).expect("headers always serialise")
}

impl Store {
    /// `$XDG_DATA_HOME/hookctl/hookctl.db` or the platform's equivalent.
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("hookctl")
            .join("hookctl.db")
    }

    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Open {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        let mut store = Store { conn, path: shown };
        store.setup()?;
        Ok(store)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            },
            _ => StoreError::Sql {
                path: self.path.clone(),
                source: e,
            },
        }
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| self.err(e))?;
        // The first statement that reads the file tells a foreign or damaged one.
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            let tx = self.conn.transaction().map_err(|e| StoreError::Sql {
                path: self.path.clone(),
                source: e,
            })?;
            // Another process may have migrated meanwhile: re-read inside the transaction.
            let current: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap_or(version);
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
                tx.execute_batch(sql)
                    .and_then(|_| tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1)))
                    .map_err(|e| StoreError::Sql {
                        path: self.path.clone(),
                        source: e,
                    })?;
            }
            tx.commit().map_err(|e| self.err(e))?;
        }
        // A store whose tables are not ours.
        let ours: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if ours.is_none() {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: "it has no deliveries table".into(),
            });
        }
        Ok(())
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Records a delivery; its local id.
    pub fn insert_delivery(&self, d: &NewDelivery) -> Result<i64, StoreError> {
        insert_delivery(&self.conn, d).map_err(|e| self.err(e))
    }

    pub fn add_attempt(&self, delivery: i64, a: &NewAttempt) -> Result<(), StoreError> {
        add_attempt(&self.conn, delivery, a).map_err(|e| self.err(e))
    }

    pub fn set_state(&self, delivery: i64, state: State) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE deliveries SET state = ?1 WHERE id = ?2",
                params![state.as_str(), delivery],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records many deliveries, each with its attempts and final state, in one
    /// transaction (load mode, and later `listen` under load).
    pub fn insert_batch(&mut self, batch: &[Recorded]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |e| StoreError::Sql {
            path: path.clone(),
            source: e,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        for r in batch {
            let id = insert_delivery(&tx, &r.delivery()).map_err(sql)?;
            for a in &r.attempts {
                add_attempt(&tx, id, &a.as_new()).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// How many deliveries the store holds.
    pub fn count(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn insert_delivery(conn: &Connection, d: &NewDelivery) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO deliveries (created_at, direction, source, profile, event, delivery_id, method, url, headers, body, valid, reason, duplicate, replay_of, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
            now_rfc3339(),
            match d.direction {
                Direction::In => "in",
                Direction::Out => "out",
            },
            d.source,
            d.profile,
            d.event,
            d.delivery_id,
            d.method,
            d.url,
            headers_json(d.headers),
            d.body,
            d.valid,
            d.reason,
            d.duplicate,
            d.replay_of,
            d.state.as_str(),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn add_attempt(conn: &Connection, delivery: i64, a: &NewAttempt) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO attempts (delivery, number, started_at, request_headers, status, latency_ms, error, response_headers, response_body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
            delivery,
            a.number,
            a.started_at,
            a.request_headers.map(headers_json),
            a.status,
            a.latency_ms,
            a.error,
            a.response_headers.map(headers_json),
            a.response_body,
        ],
    )?;
    Ok(())
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

/// A background thread that writes records in batched transactions, so that a hot
/// path only sends them down a channel. The channel is bounded: a writer that falls
/// behind slows the senders down instead of growing memory. `finish` waits for everything to be written.
pub struct BatchWriter {
    tx: Option<std::sync::mpsc::SyncSender<Recorded>>,
    handle: Option<std::thread::JoinHandle<Result<u64, StoreError>>>,
}

impl BatchWriter {
    pub fn start(mut store: Store) -> BatchWriter {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Recorded>(4096);
        let handle = std::thread::spawn(move || {
            let mut written = 0u64;
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < 2048 {
                    match rx.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                store.insert_batch(&batch)?;
                written += batch.len() as u64;
            }
            Ok(written)
        });
        BatchWriter {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    /// Queues a record; `false` if the writer has stopped (its error comes from `finish`).
    pub fn send(&self, r: Recorded) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(r).is_ok())
    }

    /// Waits until every queued record is written; how many were.
    pub fn finish(mut self) -> Result<u64, StoreError> {
        drop(self.tx.take());
        self.handle
            .take()
            .expect("finish runs once")
            .join()
            .unwrap_or_else(|_| panic!("the store writer thread panicked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
