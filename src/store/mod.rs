//! The delivery store: every request hookctl makes or receives, and every attempt,
//! in an embedded SQLite database.
//!
//! WAL mode with a busy timeout lets several hookctl processes share one store. The
//! schema version lives in `PRAGMA user_version`; [`MIGRATIONS`] brings an older store
//! up to date, and a store from a newer hookctl is refused rather than damaged.
//! Signing secrets are never stored: only what travelled on the wire.

mod journal;
mod writer;

pub use journal::{CaughtUp, Damaged};
pub use writer::{Ack, BatchWriter, Finished};

use crate::envelope::HeaderList;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Schema migrations, in order; entry `i` takes a store from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    // `replay --failed` asks whether a replay delivered a delivery; only replays are
    // indexed, so recording an original costs nothing more.
    r#"
CREATE INDEX deliveries_by_replay_of ON deliveries(replay_of) WHERE replay_of IS NOT NULL;
"#,
    // `hookctl relay`: its channels (a token's SHA-256, never the token) and what it
    // holds for a channel whose client is away, oldest first.
    r#"
CREATE TABLE relay_channels (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE relay_queue (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    method       TEXT NOT NULL,
    target       TEXT NOT NULL,
    headers      BLOB NOT NULL,
    body         BLOB NOT NULL
);
CREATE INDEX relay_queue_by_channel ON relay_queue(channel, id);
"#,
    // The journal (`journal.rs`): delivery ids come from a counter every writer
    // takes them from, so that a journal's owner can hand them out before its
    // records are indexed; how far each journal is indexed (-1: wholly, done); and
    // the order rows arrive in the table (`seq`), which followers (`--follow`, the
    // inspector's feed) go by, since a journal's ids may be indexed after higher ones.
    r#"
CREATE TABLE id_counter (
    name  TEXT PRIMARY KEY,
    next  INTEGER NOT NULL
);
INSERT INTO id_counter (name, next) SELECT 'deliveries', COALESCE(MAX(id), 0) + 1 FROM deliveries;
CREATE TABLE journal_progress (
    name      TEXT PRIMARY KEY,
    position  INTEGER NOT NULL
);
ALTER TABLE deliveries ADD COLUMN seq INTEGER;
CREATE INDEX deliveries_by_seq ON deliveries(seq);
"#,
    // Relayed deliveries' arrivals: when the relay took each (Unix ms), the path its
    // sender used there, and whether the relay held it. Written with the delivery,
    // from its journal record (`verify --as-of-arrival`, `deliveries list`'s marks).
    r#"
CREATE TABLE IF NOT EXISTS relay_arrivals (
    delivery       INTEGER PRIMARY KEY,
    received_at    INTEGER NOT NULL,
    public_target  TEXT NOT NULL,
    held           INTEGER NOT NULL DEFAULT 0
);
"#,
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The oldest schema a read-only store can be read at as it is: every read goes by
/// the `seq` column migration 4 added (an older read-only store is refused with a
/// hint to open it once where it can be written).
const MIN_READABLE_VERSION: i64 = 4;

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
}

/// The largest body the store takes: SQLite holds a value, and the row around it, in
/// at most 1,000,000,000 bytes; this leaves room for the rest of the row.
pub const MAX_BODY: usize = 900 << 20;

/// How long a statement waits for another connection's lock, unless told otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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

    /// Opens the store to record into, creating it and its directory if need be; a
    /// store that cannot be written is an error here, before anything is sent or
    /// received.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open_rw(path)?;
        store.check_writable()?;
        store.catch_up_or_say();
        Ok(store)
    }

    /// Indexes what the store's journals hold (see `journal.rs`): every delivery a
    /// running or killed `listen` acknowledged is then in the tables. Done on
    /// opening; a long-lived reader (the web inspector) does it again before it reads.
    /// A store that can only be read is left as it is.
    pub fn catch_up(&mut self) -> Result<CaughtUp, StoreError> {
        if self.is_memory() || self.is_read_only() {
            return Ok(CaughtUp::default());
        }
        let done = journal::catch_up(&mut self.conn, &self.file)?;
        if done.records > 0 {
            // What a journal held may be past the counter (written by an older hookctl).
            self.check_counter()?;
        }
        if done.too_big > 0 {
            eprintln!(
                "warning: {} records in a journal of the store `{}` are too large for SQLite (1 GB a value) and were not recorded",
                done.too_big,
                self.file.display()
            );
        }
        for d in &done.damaged {
            eprintln!(
                "warning: a journal of the store `{}` is damaged: {} records and {} bytes in it could not be read and are not in the store; every whole record after the damage is. The file is kept as `{}`",
                self.file.display(),
                d.records,
                d.bytes,
                d.kept.display()
            );
        }
        for f in &done.foreign {
            eprintln!(
                "warning: `{}` has the name of one of the store's journals but is not one (no journal header, no readable record); it was left alone",
                f.display()
            );
        }
        if done.renumbered > 0 {
            eprintln!(
                "warning: {} journaled deliveries of the store `{}` had ids that other deliveries held (a store written by an older hookctl after a failed write); both were kept, these under new ids",
                done.renumbered,
                self.file.display()
            );
        }
        if done.lost > 0 {
            eprintln!(
                "warning: {} bytes at the end of a journal of the store `{}` were not whole records (a write its process never finished, or damage); they were not recorded",
                done.lost,
                self.file.display()
            );
        }
        Ok(done)
    }

    /// [`Store::catch_up`] on opening: a journal that cannot be indexed now (the
    /// store's lock held past the busy timeout, say) leaves the store usable as it
    /// is, with a warning.
    fn catch_up_or_say(&mut self) {
        if let Err(e) = self.catch_up() {
            eprintln!("warning: {e}; what is not yet indexed is left for the next command");
        }
    }

    /// A store in memory, gone with the process (`relay --no-store`).
    pub fn memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| StoreError::Open {
            path: ":memory:".into(),
            detail: e.to_string(),
        })?;
        let mut store = Store {
            conn,
            file: PathBuf::from(":memory:"),
            busy: BUSY_TIMEOUT,
        };
        store.setup()?;
        Ok(store)
    }

    /// Opens the store to read what it holds: nothing is created. A store that does
    /// not exist reads as an empty one (held in memory); a read-only file is read
    /// as it is.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if !path.exists() {
            let conn = Connection::open_in_memory().map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
            let mut store = Store {
                conn,
                file: path.to_path_buf(),
                busy: BUSY_TIMEOUT,
            };
            store.setup()?;
            return Ok(store);
        }
        private_file(path);
        let mut store = Store::connect(
            path,
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if !store.is_read_only() {
            store.setup()?;
            store.check_counter()?;
            store.catch_up_or_say();
            return Ok(store);
        }
        match store.setup_read_only() {
            // A WAL store cannot be read where its `-shm` file cannot be made (a
            // read-only directory). Without a WAL file nothing is waiting to be
            // checkpointed, so the database file alone is the whole store: read it
            // as immutable.
            Err(StoreError::ReadOnly { .. } | StoreError::Sql { .. })
                if !wal_path(path).exists() =>
            {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let mut store = Store::connect(
                    path,
                    uri,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                store.setup_read_only()?;
                Ok(store)
            }
            Err(e) => Err(e),
            Ok(()) => Ok(store),
        }
    }

    /// A connection to `path` opened with `flags` (a path or an SQLite `file:` URI).
    fn connect(
        path: &Path,
        target: impl AsRef<Path>,
        flags: OpenFlags,
    ) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(target, flags).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Store {
            conn,
            file: path.to_path_buf(),
            busy: BUSY_TIMEOUT,
        })
    }

    /// Whether this is the empty stand-in for a store that does not exist (yet).
    pub fn is_memory(&self) -> bool {
        self.conn.path().is_none_or(str::is_empty)
    }

    /// Whether this connection can only read (the file, or its directory, is not
    /// writable).
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
    }

    /// Takes the write lock and lets it go: a store whose file, WAL or directory
    /// cannot be written fails here.
    fn check_writable(&self) -> Result<(), StoreError> {
        let read_only = |detail: String| StoreError::ReadOnly {
            path: self.file.display().to_string(),
            detail,
        };
        if self.is_read_only() {
            return Err(read_only("the file is read-only".into()));
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
            .map_err(|e| read_only(e.to_string()))
    }

    /// The store's schema version; one newer than this hookctl's is refused.
    fn schema_version(&self) -> Result<i64, StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.file.display().to_string(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(version)
    }

    /// What a read-only connection can check: the schema is ours and current.
    fn setup_read_only(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        let version = self.schema_version()?;
        if version < MIN_READABLE_VERSION {
            return Err(StoreError::ReadOnly {
                path: self.file.display().to_string(),
                detail: format!(
                    "it is read-only and needs upgrading from schema {version} to {MIN_READABLE_VERSION}; open it once where it can be written"
                ),
            });
        }
        self.check_ours()
    }

    fn open_rw(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
        }
        private_file(path);
        let mut store = Store::connect(
            path,
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // SQLite opens a file it may not write read-only, silently.
        if store.is_read_only() {
            return Err(StoreError::ReadOnly {
                path: shown,
                detail: "the file is read-only".into(),
            });
        }
        store.setup()?;
        store.check_counter()?;
        Ok(store)
    }

    /// Ids are handed out from the counter: it must be past every id taken.
    fn check_counter(&self) -> Result<(), StoreError> {
        match counter_past_every_id(&self.conn) {
            Ok(false) => Ok(()),
            Ok(true) => {
                eprintln!(
                    "warning: the id counter of the store `{}` was behind its deliveries (a write that failed in an older hookctl); it now starts after them",
                    self.file.display()
                );
                Ok(())
            }
            Err(e) => Err(self.err(e)),
        }
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(ReadOnly) => StoreError::ReadOnly {
                path: self.file.display().to_string(),
                detail: e.to_string(),
            },
            Some(NotADatabase | DatabaseCorrupt) => StoreError::Corrupt {
                path: self.file.display().to_string(),
                detail: e.to_string(),
            },
            _ => StoreError::Sql {
                path: self.file.display().to_string(),
                source: e,
            },
        }
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        // A new store gets 8 KiB pages (an existing one keeps its own): a commit then
        // writes half as many WAL frames, which halved the cost of recording a delivery
        // under load (`bench/store.sh`: 47 to 21 us at 32 per commit; 16 KiB pages
        // were no faster there and doubled the cost of a lone commit).
        self.conn
            .execute_batch("PRAGMA page_size = 8192")
            .map_err(|e| self.err(e))?;
        // The first statement that reads the file tells a foreign or damaged one.
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        // WAL with `synchronous = NORMAL`: a commit is in the OS's hands at once, so a
        // killed process loses nothing it committed, and only a checkpoint waits on
        // the disk. SQLite's automatic checkpoints wait for 16,384 pages of WAL here
        // (128 MiB with 8 KiB pages), not its default 1,000; a [`BatchWriter`]'s
        // indexer turns them off and makes them from a thread of its own
        // ([`Checkpointer`]). The WAL file is cut back to [`WAL_LIMIT`] after one.
        self.conn
            .execute_batch(&format!(
                "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
                 PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = {WAL_LIMIT};"
            ))
            .map_err(|e| self.err(e))?;
        let version = self.schema_version()?;
        if version < SCHEMA_VERSION {
            // IMMEDIATE: a deferred transaction that reads the version and then
            // writes cannot wait for another process migrating at the same moment
            // (SQLite answers "locked" at once rather than deadlock).
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| StoreError::Sql {
                    path: self.file.display().to_string(),
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
                        path: self.file.display().to_string(),
                        source: e,
                    })?;
            }
            tx.commit().map_err(|e| self.err(e))?;
        }
        self.check_ours()
    }

    /// A store whose tables are not ours is refused.
    fn check_ours(&self) -> Result<(), StoreError> {
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
                path: self.file.display().to_string(),
                detail: "it has no deliveries table".into(),
            });
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.file
    }

    /// How long a statement waits for another connection's lock (10 s by default).
    pub fn set_busy_timeout(&mut self, wait: Duration) -> Result<(), StoreError> {
        self.busy = wait;
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))
    }

    /// Records a delivery; its local id.
    pub fn insert_delivery(&self, d: &NewDelivery) -> Result<i64, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id = insert_delivery(&tx, d).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
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
    pub fn insert_batch(&mut self, batch: &[Recorded]) -> Result<Vec<i64>, StoreError> {
        let path = self.file.display().to_string();
        let sql = |e| StoreError::Sql {
            path: path.clone(),
            source: e,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let first = reserve_ids(&tx, batch.len() as i64).map_err(sql)?;
        let created_at = now_rfc3339();
        let mut ids = Vec::with_capacity(batch.len());
        for (r, id) in batch.iter().zip(first..) {
            match insert_entry(&tx, id, &created_at, r).map_err(sql)? {
                Entered::Renumbered(fresh) => ids.push(fresh),
                _ => ids.push(id),
            }
        }
        tx.commit().map_err(sql)?;
        Ok(ids)
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

/// Makes the store's directory (and its parents) if need be; a directory hookctl
/// makes is its user's alone (0700): the store holds bodies and their headers,
/// `Authorization` included.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// The store file is its user's alone (0600), and so are the WAL and shared-memory
/// files SQLite makes beside it (they take the database file's mode): a new store
/// is made so before SQLite opens it, and one an older hookctl made readable by
/// others is made private when its owner opens it.
fn private_file(path: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Failing here (a read-only directory) is for SQLite to report.
                let _ = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path);
            }
            Ok(m)
                if m.is_file()
                    && m.mode() & 0o077 != 0
                    && m.uid() == unsafe { libc::geteuid() } =>
            {
                let _ = std::fs::set_permissions(
                    path,
                    std::fs::Permissions::from_mode(m.mode() & 0o700),
                );
                for side in ["-wal", "-shm"] {
                    let mut p = path.as_os_str().to_os_string();
                    p.push(side);
                    if let Ok(m) = std::fs::metadata(&p) {
                        let _ = std::fs::set_permissions(
                            &p,
                            std::fs::Permissions::from_mode(m.mode() & 0o700),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
}

/// Takes `n` delivery ids from the store's counter; the first of them.
///
/// The ids are used (journaled, acknowledged) as soon as this returns, so it returns
/// only once the counter's move is committed: outside a transaction it makes one of
/// its own and checks its `COMMIT`. (A lone `UPDATE … RETURNING` commits when the
/// statement is reset, and an error there, a full disk say, is lost: the counter
/// stays behind and the same ids are handed out again.) Inside a transaction, the
/// caller's commit decides, and the caller uses the ids only if it succeeds.
fn reserve_ids(conn: &Connection, n: i64) -> rusqlite::Result<i64> {
    in_own_transaction(conn, || {
        let mut stmt = conn.prepare_cached(
            "UPDATE id_counter SET next = next + ?1 WHERE name = 'deliveries' RETURNING next - ?1",
        )?;
        let mut rows = stmt.query([n])?;
        let first: i64 = match rows.next()? {
            Some(row) => row.get(0)?,
            None => return Err(rusqlite::Error::QueryReturnedNoRows),
        };
        // Stepped to its end: a statement's own errors come at its last step.
        while rows.next()?.is_some() {}
        Ok(first)
    })
}

/// Runs `f` in a write transaction of its own, committed and checked, unless the
/// connection is in a transaction already (whose owner commits and checks).
fn in_own_transaction<T>(
    conn: &Connection,
    f: impl FnOnce() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    if !conn.is_autocommit() {
        return f();
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = f().and_then(|v| conn.execute_batch("COMMIT").map(|_| v));
    if done.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    done
}

/// Moves the id counter past every delivery the store holds, if it is not: a store
/// written by an older hookctl whose counter update was lost to a failed write would
/// otherwise hand out ids that are taken. Whether it had to.
fn counter_past_every_id(conn: &Connection) -> rusqlite::Result<bool> {
    let behind = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM deliveries)
                    >= (SELECT next FROM id_counter WHERE name = 'deliveries')",
            [],
            |r| r.get(0),
        )
    };
    if !behind(conn)? {
        return Ok(false);
    }
    in_own_transaction(conn, || {
        conn.execute(
            "UPDATE id_counter SET next = (SELECT COALESCE(MAX(id), 0) + 1 FROM deliveries)
             WHERE name = 'deliveries' AND next <= (SELECT COALESCE(MAX(id), 0) FROM deliveries)",
            [],
        )
        .map(|n| n > 0)
    })
}

/// Hands back ids `from..to` when nobody took any after them: a `listen` that
/// stops leaves no gap before the next delivery recorded.
fn give_back_ids(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<bool> {
    in_own_transaction(conn, || {
        conn.execute(
            "UPDATE id_counter SET next = ?1 WHERE name = 'deliveries' AND next = ?2",
            [from, to],
        )
        .map(|n| n == 1)
    })
}

fn insert_delivery(conn: &Connection, d: &NewDelivery) -> rusqlite::Result<i64> {
    let id = reserve_ids(conn, 1)?;
    if !insert_row(conn, id, &now_rfc3339(), d)? {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
            Some(format!(
                "delivery id {id} is taken: the store's id counter is behind"
            )),
        ));
    }
    Ok(id)
}

/// What became of a journal's record in the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entered {
    /// Under the id it was journaled with.
    AsJournaled,
    /// It was there already: a journal indexed again (a store put back from a copy
    /// beside a newer journal) is left as it is, attempts and all.
    AlreadyThere,
    /// Another record holds its id (a counter that went back: a failed write in an
    /// older hookctl). Both are kept: this one under a new id, the one given here.
    Renumbered(i64),
    /// A further attempt, added to the delivery under its id.
    AttemptAdded,
}

/// A journal's record, under the id it was given when it was journaled.
fn insert_entry(
    conn: &Connection,
    id: i64,
    created_at: &str,
    r: &Recorded,
) -> rusqlite::Result<Entered> {
    let d = r.delivery();
    if r.attempt_of.is_some() && add_attempts_to(conn, id, r)? {
        return Ok(Entered::AttemptAdded);
    }
    let entered = if insert_row(conn, id, created_at, &d)? {
        Entered::AsJournaled
    } else if same_record(conn, id, created_at, &d)? {
        return Ok(Entered::AlreadyThere);
    } else {
        counter_past_every_id(conn)?;
        let fresh = reserve_ids(conn, 1)?;
        if !insert_row(conn, fresh, created_at, &d)? {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                Some(format!(
                    "delivery ids {id} and {fresh} are both taken: the store's id counter is behind"
                )),
            ));
        }
        Entered::Renumbered(fresh)
    };
    let at = match entered {
        Entered::Renumbered(fresh) => fresh,
        _ => id,
    };
    for a in &r.attempts {
        add_attempt(conn, at, &a.as_new())?;
    }
    if let Some(a) = &r.arrival {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO relay_arrivals (delivery, received_at, public_target, held) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![at, a.received_at, a.public_target, a.held])?;
    }
    Ok(entered)
}

/// Adds a further attempt's record to the delivery under `id`, if there is one
/// (`false`: none, and the record is to be a row of its own). An attempt it has
/// already (a journal indexed again) is not added twice.
fn add_attempts_to(conn: &Connection, id: i64, r: &Recorded) -> rusqlite::Result<bool> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = ?1)")?
        .query_row([id], |row| row.get(0))?;
    if !exists {
        return Ok(false);
    }
    for a in &r.attempts {
        let had: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM attempts WHERE delivery = ?1 AND number = ?2)",
            )?
            .query_row(params![id, a.number], |row| row.get(0))?;
        if !had {
            add_attempt(conn, id, &a.as_new())?;
        }
    }
    conn.prepare_cached("UPDATE deliveries SET state = ?1, valid = ?2, reason = ?3 WHERE id = ?4")?
        .execute(params![r.state.as_str(), r.valid, r.reason, id])?;
    Ok(true)
}

/// Whether the delivery under `id` is the record `d` (indexed before), not another.
fn same_record(
    conn: &Connection,
    id: i64,
    created_at: &str,
    d: &NewDelivery,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = ?1 AND created_at = ?2
             AND method = ?3 AND url = ?4 AND body IS ?5 AND delivery_id IS ?6)",
    )?
    .query_row(
        params![id, created_at, d.method, d.url, d.body, d.delivery_id],
        |r| r.get(0),
    )
}

/// Whether the row was inserted (`false`: its id was taken).
fn insert_row(
    conn: &Connection,
    id: i64,
    created_at: &str,
    d: &NewDelivery,
) -> rusqlite::Result<bool> {
    let n = conn.prepare_cached(
        "INSERT OR IGNORE INTO deliveries (id, created_at, direction, source, profile, event, delivery_id, method, url, headers, body, valid, reason, duplicate, replay_of, state, seq)
         VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM deliveries))",
    )?
    .execute(params![
            created_at,
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
            id,
        ],
    )?;
    Ok(n == 1)
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

/// How often the checkpointer looks for newly committed WAL frames.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// The WAL a [`Checkpointer`] lets grow before it makes the writer start it afresh;
/// also what the WAL file is cut back to (`journal_size_limit`).
const WAL_LIMIT: i64 = 64 << 20;

/// Copies the WAL back into the database from a thread and connection of its own,
/// while a [`BatchWriter`]'s indexer (the "writer" below) inserts.
///
/// A checkpoint writes every page the WAL holds into the database file and waits for
/// the disk twice (`fsync`). Made by the connection that inserts (SQLite's automatic
/// checkpoints), that wait stalled it, and cost more than the inserts: 29 against
/// 14 us per `listen` record on this project's test machine, when `listen` inserted
/// before answering. A `PASSIVE` checkpoint on another connection runs beside the
/// writer, which keeps appending to the WAL meanwhile.
struct Checkpointer {
    committed: Arc<AtomicU64>,
    stop: std::sync::mpsc::Sender<()>,
    handle: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    /// `None` when a second connection cannot be opened: the writer's own
    /// connection then keeps SQLite's automatic checkpoints.
    fn start(store: &Store) -> Option<Checkpointer> {
        let conn = Connection::open_with_flags(
            &store.file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // Only a RESTART checkpoint waits, holding the writer back meanwhile: for
        // readers of other processes to leave the WAL, never long (it gives up and
        // tries again next round).
        conn.busy_timeout(Duration::from_millis(100)).ok()?;
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).ok()?;
        store
            .conn
            .execute_batch("PRAGMA wal_autocheckpoint = 0")
            .ok()?;
        let committed = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let seen = Arc::clone(&committed);
        let spawned = std::thread::Builder::new()
            .name("checkpointer".into())
            .spawn(move || {
                yield_to_producers();
                let mut done = 0;
                loop {
                    let last = matches!(
                        stopped.recv_timeout(CHECKPOINT_EVERY),
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
                    );
                    let now = seen.load(Ordering::Acquire);
                    if now != done {
                        // A failure (a reader holding old frames, a busy lock) is harmless:
                        // the next round copies what this one could not.
                        let frames: i64 = conn
                            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
                            .unwrap_or(0);
                        // Under sustained load the writer never finds the WAL wholly copied
                        // back, so it never starts it afresh, and the WAL would grow for as
                        // long as the load lasts. Past the limit, a RESTART checkpoint
                        // holds the writer back for the little that is left to copy, and
                        // its next commit begins the WAL again.
                        if frames.saturating_mul(page_size) > WAL_LIMIT {
                            let _ =
                                conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                        }
                        done = now;
                    }
                    if last {
                        return;
                    }
                }
            });
        Some(Checkpointer {
            committed,
            stop,
            handle: spawned.ok()?,
        })
    }

    fn committed(&self) {
        self.committed.fetch_add(1, Ordering::Release);
    }

    /// Makes a last checkpoint and waits for it.
    fn finish(self) {
        drop(self.stop);
        let _ = self.handle.join();
    }
}

/// Lowers the calling thread's scheduling priority, so that on a busy core (`listen`
/// pinned to one CPU, or a laptop under load) the threads that queue records run
/// first and the writer wakes to a whole burst, which then shares one commit, rather
/// than to one record at a time. With a core of its own the writer is not held back.
fn yield_to_producers() {
    lower_priority(10);
}

/// Puts the calling thread in the idle scheduling class: it runs only when nothing
/// else on its core would (Linux's `SCHED_IDLE`; elsewhere, the lowest nice value).
fn run_when_idle() {
    #[cfg(target_os = "linux")]
    // SAFETY: a plain system call on the calling thread (0), with a valid parameter;
    // a failure leaves it in its class, where the nice value below still applies.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
    }
    lower_priority(19);
}

/// Sets the calling thread's nice value (10: below everything that answers; 19:
/// only what would otherwise leave the core idle).
fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; a failure leaves the priority
    // as it was, which only costs batching.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// A delivery with its attempts, and the size of a body left out for it.
type Capped = (StoredDelivery, Vec<StoredAttempt>, Option<u64>);

/// A delivery as read back for `deliveries`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredDelivery {
    pub id: i64,
    /// Where it came in the table's order of arrival (0 for a row from before it
    /// was kept).
    #[serde(skip)]
    pub seq: i64,
    pub created_at: String,
    pub direction: String,
    pub source: String,
    pub profile: Option<String>,
    pub event: Option<String>,
    pub delivery_id: Option<String>,
    pub method: String,
    pub url: String,
    pub headers: HeaderList,
    #[serde(skip)]
    pub body: Vec<u8>,
    pub valid: Option<bool>,
    pub reason: Option<String>,
    pub state: String,
    pub duplicate: bool,
    pub replay_of: Option<i64>,
    pub attempts: i64,
    pub last_status: Option<u16>,
    /// The last attempt's time to its answer.
    #[serde(serialize_with = "crate::output::ser_round3_opt")]
    pub last_latency_ms: Option<f64>,
    /// For one that failed or is pending: the record that delivered it since (a
    /// replay of it, or another record of its delivery id), if any.
    pub fixed_by: Option<i64>,
    /// The latest outcome of the delivery, its replays and every record of its
    /// delivery id counted: `delivered` once any of them was, else its own state.
    /// `replay --failed` and `deliveries list --status` go by this.
    pub outcome: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredAttempt {
    pub number: u32,
    pub started_at: String,
    pub request_headers: Option<HeaderList>,
    pub status: Option<u16>,
    #[serde(serialize_with = "crate::output::ser_round3_opt")]
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    pub response_headers: Option<HeaderList>,
    #[serde(skip)]
    pub response_body: Option<Vec<u8>>,
}

/// What `deliveries list/export/prune` select.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<String>,
    /// A glob over event names (`ticket.*`).
    pub event: Option<crate::glob::EventGlob>,
    pub direction: Option<String>,
    /// RFC 3339 lower bound on `created_at`.
    pub since: Option<String>,
    pub limit: Option<u64>,
    /// Only this profile's deliveries.
    pub profile: Option<String>,
    /// Only deliveries recorded after this store id (`--follow`).
    /// Only rows that arrived after this one (by `seq`), oldest last as ever.
    pub after_seq: Option<i64>,
    /// Leave the bodies out (read as empty): for lists that do not show them.
    pub without_bodies: bool,
    /// Only ids above / below these (an export's pages).
    pub after_id: Option<i64>,
    pub before_id: Option<i64>,
    /// Oldest first (by id), instead of newest first.
    pub oldest_first: bool,
}

const DELIVERY_COLUMNS: &str = "d.id, d.created_at, d.direction, d.source, d.profile, d.event, d.delivery_id, d.method, d.url, d.headers, d.body, d.valid, d.reason, d.state, d.duplicate, d.replay_of,
    (SELECT COUNT(*) FROM attempts a WHERE a.delivery = d.id),
    (SELECT a.status FROM attempts a WHERE a.delivery = d.id ORDER BY a.number DESC LIMIT 1),
    (SELECT a.latency_ms FROM attempts a WHERE a.delivery = d.id ORDER BY a.number DESC LIMIT 1),
    COALESCE(d.seq, 0),
    CASE WHEN d.state = 'delivered' THEN NULL ELSE (FIXED_BY) END";

/// The record that delivered a delivery its own attempts did not: the first of its
/// replays that was delivered, else the first other record of its delivery id that
/// was (a retry `send` made, the copy `listen` received and answered 2xx). A record
/// without a delivery id (what `listen` got from HoverBot or Hover, which send none)
/// is matched by its profile and body instead, in Rust ([`BodyIndex`]): in SQL that
/// match has no index to use and costs a scan per record.
const FIXED_BY: &str = "COALESCE(
        (SELECT MIN(r.id) FROM deliveries r WHERE r.replay_of = d.id AND r.state = 'delivered'),
        (SELECT MIN(r.id) FROM deliveries r WHERE d.delivery_id IS NOT NULL AND r.delivery_id = d.delivery_id AND r.id <> d.id AND r.state = 'delivered'))";

/// Delivered records without a delivery id, by profile and a hash of the body, ids
/// ascending: what delivered a failed record of the same body later (as `listen
/// --fail-first` counts attempts of such a delivery by its body). Built once per
/// query that needs it, from one pass over those records.
struct BodyIndex(HashMap<(Option<String>, u64), Vec<i64>>);

fn body_hash(body: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    h.finish()
}

/// The columns of a delivery as read back, with its latest outcome.
fn delivery_columns() -> String {
    DELIVERY_COLUMNS.replace("FIXED_BY", FIXED_BY)
}

fn parse_headers(text: Option<String>) -> Option<HeaderList> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn delivery_row(r: &rusqlite::Row) -> rusqlite::Result<StoredDelivery> {
    let fixed_by: Option<i64> = r.get(20)?;
    let state: String = r.get(13)?;
    Ok(StoredDelivery {
        id: r.get(0)?,
        created_at: r.get(1)?,
        direction: r.get(2)?,
        source: r.get(3)?,
        profile: r.get(4)?,
        event: r.get(5)?,
        delivery_id: r.get(6)?,
        method: r.get(7)?,
        url: r.get(8)?,
        headers: parse_headers(r.get(9)?).unwrap_or_default(),
        body: r.get(10)?,
        valid: r.get(11)?,
        reason: r.get(12)?,
        duplicate: r.get(14)?,
        replay_of: r.get(15)?,
        attempts: r.get(16)?,
        last_status: r.get(17)?,
        last_latency_ms: r.get(18)?,
        seq: r.get(19)?,
        fixed_by,
        outcome: if fixed_by.is_some() {
            "delivered".to_string()
        } else {
            state.clone()
        },
        state,
    })
}

/// The WAL file beside a store.
fn wal_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// A path as the path of an SQLite `file:` URI (`%`, `?` and `#` escaped).
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

impl Store {
    /// Deliveries, newest first, as the filter selects.
    pub fn list(&self, f: &Filter) -> Result<Vec<StoredDelivery>, StoreError> {
        let columns = if f.without_bodies {
            delivery_columns().replacen("d.body", "X''", 1)
        } else {
            delivery_columns()
        };
        let mut sql = format!("SELECT {columns} FROM deliveries d WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        // The latest outcome (see `StoredDelivery::outcome`), not the record's own;
        // a record without a delivery id is decided below, by its body.
        if let Some(s) = &f.state {
            args.push(s.clone());
            let n = args.len();
            if s == "delivered" {
                sql.push_str(&format!(
                    " AND (d.state = ?{n} OR {FIXED_BY} IS NOT NULL OR d.delivery_id IS NULL)"
                ));
            } else {
                sql.push_str(&format!(" AND d.state = ?{n} AND {FIXED_BY} IS NULL"));
            }
        }
        if let Some(d) = &f.direction {
            args.push(d.clone());
            sql.push_str(&format!(" AND d.direction = ?{}", args.len()));
        }
        if let Some(since) = &f.since {
            args.push(since.clone());
            sql.push_str(&format!(" AND d.created_at >= ?{}", args.len()));
        }
        if let Some(p) = &f.profile {
            args.push(p.clone());
            sql.push_str(&format!(" AND d.profile = ?{}", args.len()));
        }
        if let Some(id) = f.after_id {
            args.push(id.to_string());
            sql.push_str(&format!(" AND d.id > CAST(?{} AS INTEGER)", args.len()));
        }
        if let Some(id) = f.before_id {
            args.push(id.to_string());
            sql.push_str(&format!(" AND d.id < CAST(?{} AS INTEGER)", args.len()));
        }
        if f.oldest_first {
            sql.push_str(" ORDER BY d.id ASC");
        } else if let Some(seq) = f.after_seq {
            args.push(seq.to_string());
            sql.push_str(&format!(" AND d.seq > CAST(?{} AS INTEGER)", args.len()));
            sql.push_str(" ORDER BY d.seq DESC");
        } else {
            sql.push_str(" ORDER BY d.id DESC");
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), delivery_row)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        let mut index = None;
        for row in rows {
            let mut d = row.map_err(|e| self.err(e))?;
            if let Some(g) = &f.event
                && !d.event.as_deref().is_some_and(|e| g.matches(e))
            {
                continue;
            }
            self.rescue(&mut d, &mut index)?;
            if f.state.as_ref().is_some_and(|s| *s != d.outcome) {
                continue;
            }
            out.push(d);
            if f.limit.is_some_and(|l| out.len() as u64 >= l) {
                break;
            }
        }
        Ok(out)
    }

    /// Each delivery `f` selects, with its attempts, a delivery at a time: what an
    /// export reads, in memory bounded whatever the store holds (a page of rows
    /// without bodies, then one delivery whole). `newest`: only that many of the
    /// newest. A body over `body_cap` bytes is left out (read as empty) and its size
    /// passed on. `each` returns `false` to stop (the reader went away). How many
    /// were passed.
    pub fn each_delivery(
        &self,
        f: &Filter,
        newest: Option<u64>,
        body_cap: usize,
        mut each: impl FnMut(StoredDelivery, Vec<StoredAttempt>, Option<u64>) -> bool,
    ) -> Result<u64, StoreError> {
        const PAGE: u64 = 128;
        let mut page = Filter {
            without_bodies: true,
            limit: Some(PAGE),
            after_seq: None,
            ..f.clone()
        };
        // Oldest first from the first of the newest `n`: found a page at a time.
        if let (Some(n), true) = (newest, f.oldest_first) {
            let mut seen = 0u64;
            let mut back = Filter {
                oldest_first: false,
                before_id: None,
                ..page.clone()
            };
            let mut first = None;
            'find: loop {
                let rows = self.list(&back)?;
                for d in &rows {
                    seen += 1;
                    first = Some(d.id);
                    if seen >= n {
                        break 'find;
                    }
                }
                match rows.last() {
                    Some(d) if rows.len() as u64 == PAGE => back.before_id = Some(d.id),
                    _ => break,
                }
            }
            match first {
                Some(id) => page.after_id = Some(id - 1),
                None => return Ok(0),
            }
        }
        let mut passed = 0u64;
        loop {
            let rows = self.list(&page)?;
            for d in &rows {
                if newest.is_some_and(|n| passed >= n) {
                    return Ok(passed);
                }
                let Some((whole, attempts, omitted)) = self.get_capped(d.id, body_cap)? else {
                    continue;
                };
                passed += 1;
                if !each(whole, attempts, omitted) {
                    return Ok(passed);
                }
            }
            match rows.last() {
                Some(d) if rows.len() as u64 == PAGE => {
                    if page.oldest_first {
                        page.after_id = Some(d.id);
                    } else {
                        page.before_id = Some(d.id);
                    }
                }
                _ => return Ok(passed),
            }
        }
    }

    /// [`Store::get`], with a body over `cap` bytes left out: its size instead.
    fn get_capped(&self, id: i64, cap: usize) -> Result<Option<Capped>, StoreError> {
        let size: Option<i64> = self
            .conn
            .query_row(
                "SELECT length(body) FROM deliveries WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(size) = size else { return Ok(None) };
        let size = size.max(0) as u64;
        if size <= cap as u64 {
            return Ok(self.get(id)?.map(|(d, a)| (d, a, None)));
        }
        let Some(d) = self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM deliveries d WHERE d.id = ?1",
                    delivery_columns().replacen("d.body", "X''", 1)
                ),
                [id],
                delivery_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
        else {
            return Ok(None);
        };
        // (Not `rescue`d: that matches records by their body, which is left out.)
        Ok(Some((d, self.attempts_of(id)?, Some(size))))
    }

    /// The `seq` of the last row to arrive (0 for none): where a follower starts.
    pub fn last_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM deliveries", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    /// A delivery by its store id or, failing that, by the provider's delivery id (the
    /// newest record of it that is not a replay).
    /// Every delivery with this delivery id (its attempts, repeats and replays in
    /// every direction), oldest first, at most 1,000.
    pub fn timeline(&self, key: &str) -> Result<Vec<StoredDelivery>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM deliveries d WHERE d.delivery_id = ?1 ORDER BY d.id LIMIT 1000",
                delivery_columns()
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map([key], delivery_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    pub fn find(
        &self,
        key: &str,
    ) -> Result<Option<(StoredDelivery, Vec<StoredAttempt>)>, StoreError> {
        if let Ok(id) = key.trim().parse::<i64>()
            && let Some(found) = self.get(id)?
        {
            return Ok(Some(found));
        }
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM deliveries WHERE delivery_id = ?1 ORDER BY replay_of IS NOT NULL, id DESC LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match id {
            Some(id) => self.get(id),
            None => Ok(None),
        }
    }

    pub fn get(&self, id: i64) -> Result<Option<(StoredDelivery, Vec<StoredAttempt>)>, StoreError> {
        let d = self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM deliveries d WHERE d.id = ?1",
                    delivery_columns()
                ),
                [id],
                delivery_row,
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(mut d) = d else { return Ok(None) };
        self.rescue(&mut d, &mut None)?;
        Ok(Some((d, self.attempts_of(id)?)))
    }

    /// A delivery's attempts, in order.
    fn attempts_of(&self, id: i64) -> Result<Vec<StoredAttempt>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT number, started_at, request_headers, status, latency_ms, error, response_headers, response_body FROM attempts WHERE delivery = ?1 ORDER BY number")
            .map_err(|e| self.err(e))?;
        let attempts = stmt
            .query_map([id], |r| {
                Ok(StoredAttempt {
                    number: r.get(0)?,
                    started_at: r.get(1)?,
                    request_headers: parse_headers(r.get(2)?),
                    status: r.get(3)?,
                    latency_ms: r.get(4)?,
                    error: r.get(5)?,
                    response_headers: parse_headers(r.get(6)?),
                    response_body: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(attempts)
    }

    /// For a record without a delivery id that was not delivered: the later record of
    /// its profile and body that was, if any, as its `fixed_by` (see [`BodyIndex`]).
    fn rescue(
        &self,
        d: &mut StoredDelivery,
        index: &mut Option<BodyIndex>,
    ) -> Result<(), StoreError> {
        if d.delivery_id.is_some() || d.fixed_by.is_some() || d.state == "delivered" {
            return Ok(());
        }
        if index.is_none() {
            let mut by: HashMap<(Option<String>, u64), Vec<i64>> = HashMap::new();
            let mut stmt = self
                .conn
                .prepare("SELECT id, profile, body FROM deliveries WHERE delivery_id IS NULL AND state = 'delivered' ORDER BY id")
                .map_err(|e| self.err(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let id: i64 = r.get(0).map_err(|e| self.err(e))?;
                let profile: Option<String> = r.get(1).map_err(|e| self.err(e))?;
                let body = r.get_ref(2).map_err(|e| self.err(e))?;
                let hash = body_hash(body.as_blob().unwrap_or_default());
                by.entry((profile, hash)).or_default().push(id);
            }
            *index = Some(BodyIndex(by));
        }
        let body = if d.body.is_empty() {
            // Listed without bodies: this one's is read alone.
            self.conn
                .query_row("SELECT body FROM deliveries WHERE id = ?1", [d.id], |r| {
                    r.get::<_, Vec<u8>>(0)
                })
                .map_err(|e| self.err(e))?
        } else {
            d.body.clone()
        };
        if body.is_empty() {
            return Ok(());
        }
        let key = (d.profile.clone(), body_hash(&body));
        if let Some(by) = index
            .as_ref()
            .and_then(|i| i.0.get(&key))
            .and_then(|ids| ids.iter().find(|&&i| i > d.id))
        {
            d.fixed_by = Some(*by);
            d.outcome = "delivered".into();
        }
        Ok(())
    }

    /// The store ids of the replays of delivery `id`, oldest first, at most 100.
    pub fn replays_of(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM deliveries WHERE replay_of = ?1 ORDER BY id LIMIT 100")
            .map_err(|e| self.err(e))?;
        stmt.query_map([id], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(|e| self.err(e))
    }

    /// Deletes deliveries created before `before` (RFC 3339); how many.
    /// Deletes deliveries recorded before `before` (and their attempts), then gives
    /// the space back to the file system: the file is rewritten (`VACUUM`) and the WAL
    /// cut to nothing. How many were deleted, and whether the space was given back
    /// (another process holding the store open can keep it from being).
    pub fn prune(&self, before: &str) -> Result<(usize, bool), StoreError> {
        journal::forget_removed(&self.conn, &self.file).map_err(|e| self.err(e))?;
        let n = self
            .conn
            .execute("DELETE FROM deliveries WHERE created_at < ?1", [before])
            .map_err(|e| self.err(e))?;
        let compacted = n > 0
            && self.conn.execute_batch("VACUUM").is_ok()
            && self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_ok_and(|busy| busy == 0);
        Ok((n, compacted || n == 0))
    }

    /// Delivery ids received lately, with how often each came, oldest first: `listen`
    /// flags a repeat as a duplicate across restarts too.
    pub fn recent_incoming(&self, limit: u32) -> Result<Vec<(String, u32)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT delivery_id, COUNT(*) FROM deliveries WHERE direction = 'in' AND delivery_id IS NOT NULL GROUP BY delivery_id ORDER BY MAX(id) DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut recent = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        recent.reverse();
        Ok(recent)
    }

    /// What `replay --failed` sends again, oldest first: one record per delivery id
    /// (the one `send` made, which knows its target, over the one `listen` received),
    /// taken only when no attempt of that delivery id, in either direction and by
    /// any replay, was delivered. Replays themselves are not taken again.
    pub fn failed_deliveries(
        &self,
        direction: Option<&str>,
        since: Option<&str>,
        event: Option<&crate::glob::EventGlob>,
    ) -> Result<Vec<StoredDelivery>, StoreError> {
        let sql = format!(
            "SELECT {} FROM deliveries d
             WHERE d.state = 'failed' AND d.replay_of IS NULL
               AND (?1 IS NULL OR d.direction = ?1)
               AND (?2 IS NULL OR d.created_at >= ?2)
               AND {FIXED_BY} IS NULL
             ORDER BY d.id",
            delivery_columns()
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![direction, since], delivery_row)
            .map_err(|e| self.err(e))?;
        let mut out: Vec<StoredDelivery> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut index = None;
        for row in rows {
            let mut d = row.map_err(|e| self.err(e))?;
            if event.is_some_and(|g| !d.event.as_deref().is_some_and(|e| g.matches(e))) {
                continue;
            }
            self.rescue(&mut d, &mut index)?;
            if d.fixed_by.is_some() {
                continue;
            }
            match d.delivery_id.clone() {
                Some(id) => match at.get(&id) {
                    // Seen: keep the one that knows where it was going.
                    Some(&i) => {
                        if out[i].direction == "in" && d.direction == "out" {
                            out[i] = d;
                        }
                    }
                    None => {
                        at.insert(id, out.len());
                        out.push(d);
                    }
                },
                None => out.push(d),
            }
        }
        Ok(out)
    }
}

/// When a relay took a delivery `listen --relay` recorded, the path its sender used
/// there, and whether it was held: what `verify --as-of-arrival` judges it by. Its
/// rows come with the delivery's journal record (schema 5's `relay_arrivals`); a
/// read-only store older than that has no such table, and reads as having none.
impl Store {
    /// Notes a relayed delivery's arrival (`received_at`: Unix milliseconds).
    /// Which of `ids` a relay held before handing them over (for `deliveries list`'s
    /// marks).
    pub fn relay_held_among(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let has: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('relay_arrivals') WHERE name = 'held'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let mut held = std::collections::HashSet::new();
        if has == 0 || ids.is_empty() {
            return Ok(held);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT held FROM relay_arrivals WHERE delivery = ?1")
            .map_err(|e| self.err(e))?;
        for &id in ids {
            let h: Option<bool> = stmt
                .query_row([id], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))?;
            if h == Some(true) {
                held.insert(id);
            }
        }
        Ok(held)
    }

    /// A relayed delivery's arrival: Unix milliseconds and the sender's path.
    pub fn relay_arrival(&self, delivery: i64) -> Result<Option<(i64, String)>, StoreError> {
        let has: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'relay_arrivals'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if has == 0 {
            return Ok(None);
        }
        self.conn
            .query_row(
                "SELECT received_at, public_target FROM relay_arrivals WHERE delivery = ?1",
                params![delivery],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

/// A delivery for the relay to hold.
#[derive(Debug, Clone, Copy)]
pub struct NewHeld<'a> {
    pub channel: &'a str,
    pub method: &'a str,
    /// The path and query below the channel.
    pub target: &'a str,
    /// The path and query its sender used (`/c/NAME/…`).
    pub public_target: &'a str,
    /// [`crate::relay::wire::encode_headers`]' bytes.
    pub headers: &'a [u8],
    pub body: &'a [u8],
    /// Unix milliseconds.
    pub received_at: i64,
}

/// A delivery the relay holds for a channel whose client is away.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    /// Unix milliseconds.
    pub received_at: i64,
    pub method: String,
    pub target: String,
    /// The path and query its sender used (`/c/NAME/…`); `None` for one held by a
    /// hookctl that did not keep it.
    pub public_target: Option<String>,
    /// [`crate::relay::wire::encode_headers`]' bytes.
    pub headers: Vec<u8>,
    pub body: Vec<u8>,
}

/// A held delivery, from a row of `id, received_at, method, target, headers, body,
/// public_target`.
fn queued_row(r: &rusqlite::Row) -> rusqlite::Result<Queued> {
    Ok(Queued {
        id: r.get(0)?,
        received_at: r.get(1)?,
        method: r.get(2)?,
        target: r.get(3)?,
        headers: r.get(4)?,
        body: r.get(5)?,
        public_target: r.get(6)?,
    })
}

/// A given-up delivery, from a held one's row followed by `reason, given_up_at`.
fn given_up_row(r: &rusqlite::Row) -> rusqlite::Result<GivenUp> {
    Ok(GivenUp {
        queued: queued_row(r)?,
        reason: r.get(7)?,
        given_up_at: r.get(8)?,
    })
}

/// The relay's tables.
impl Store {
    /// Every channel and its token's hash.
    pub fn relay_channels(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, token_hash FROM relay_channels")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// Makes a channel; false when the name is taken.
    pub fn relay_create_channel(&self, name: &str, token_hash: &str) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO relay_channels (name, token_hash, created_at) VALUES (?1, ?2, ?3)",
                params![name, token_hash, now_rfc3339()],
            )
            .map(|n| n == 1)
            .map_err(|e| self.err(e))
    }

    /// Holds a delivery; committed when this returns.
    pub fn relay_enqueue(&self, h: &NewHeld) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO relay_queue (channel, received_at, method, target, headers, body, public_target) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![h.channel, h.received_at, h.method, h.target, h.headers, h.body, h.public_target],
            )
            .map(|_| self.conn.last_insert_rowid())
            .map_err(|e| self.err(e))
    }

    /// How many deliveries each channel holds (those that hold any).
    pub fn relay_queue_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT channel, count(*) FROM relay_queue GROUP BY channel")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// How many deliveries are held for a channel.
    pub fn relay_queue_len(&self, channel: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM relay_queue WHERE channel = ?1",
                params![channel],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// The oldest held deliveries of a channel after id `after`, at most `limit`.
    pub fn relay_queued(
        &self,
        channel: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Queued>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, received_at, method, target, headers, body, public_target FROM relay_queue
                 WHERE channel = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![channel, after, limit], queued_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// Lets a delivery go once its client has answered it; the bytes freed.
    pub fn relay_dequeue(&self, id: i64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "DELETE FROM relay_queue WHERE id = ?1 RETURNING length(headers) + length(body)",
                params![id],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// Forgets that a delivery was given up: its client had it after all (it was
    /// being tried when its time ran out); the bytes freed.
    pub fn relay_unforget(&self, id: i64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "DELETE FROM relay_given_up WHERE id = ?1 RETURNING length(headers) + length(body)",
                params![id],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// The bytes each channel's held and untold given-up deliveries take.
    pub fn relay_bytes(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT channel, sum(n) FROM (
                    SELECT channel, length(headers) + length(body) AS n FROM relay_queue
                    UNION ALL
                    SELECT channel, length(headers) + length(body) FROM relay_given_up WHERE told_at IS NULL
                 ) GROUP BY channel",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// The ids of a channel's held deliveries after `after`, oldest first (their
    /// bodies are read one at a time, by [`Store::relay_held`]).
    pub fn relay_queued_ids(
        &self,
        channel: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM relay_queue WHERE channel = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![channel, after, limit], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// One held delivery, if it is still held.
    pub fn relay_held(&self, id: i64) -> Result<Option<Queued>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, received_at, method, target, headers, body, public_target FROM relay_queue WHERE id = ?1",
                params![id],
                queued_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Gives up what was received before `before` (Unix milliseconds), recording it
    /// as given up (see [`Store::relay_give_up`]); how many.
    pub fn relay_expire(&self, before: i64, reason: &str, now: i64) -> Result<usize, StoreError> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM relay_queue WHERE received_at < ?1 ORDER BY id")
                .map_err(|e| self.err(e))?;
            stmt.query_map(params![before], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.err(e))?
        };
        let mut n = 0;
        for id in ids {
            n += usize::from(self.relay_give_up(id, reason, now, false)?.is_some());
        }
        Ok(n)
    }
}

/// A held delivery the relay gave up on, kept until a `listen` on its channel has
/// been told (and a day after, for `relay status`).
#[derive(Debug, Clone)]
pub struct GivenUp {
    pub queued: Queued,
    pub reason: String,
    /// Unix milliseconds.
    pub given_up_at: i64,
}

/// What `relay status` says of one channel.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelayChannelStatus {
    pub channel: String,
    pub held: u64,
    /// Unix milliseconds of the oldest held delivery.
    pub oldest_held_at: Option<i64>,
    pub given_up_last_day: u64,
    pub given_up_untold: u64,
}

/// The relay's record of what it gave up. Its table is made by the relay that uses
/// it ([`Store::relay_prepare`]), not by a schema migration: it concerns only a
/// relay's store, and a store without it reads the same to every hookctl.
impl Store {
    /// Makes the table of given-up deliveries if the store has none yet.
    pub fn relay_prepare(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS relay_given_up (
                    id           INTEGER PRIMARY KEY,
                    channel      TEXT NOT NULL,
                    received_at  INTEGER NOT NULL,
                    given_up_at  INTEGER NOT NULL,
                    reason       TEXT NOT NULL,
                    told_at      INTEGER,
                    method       TEXT NOT NULL,
                    target       TEXT NOT NULL,
                    headers      BLOB NOT NULL,
                    body         BLOB NOT NULL,
                    public_target TEXT
                );
                CREATE INDEX IF NOT EXISTS relay_given_up_by_channel ON relay_given_up(channel, id);",
            )
            .map_err(|e| self.err(e))?;
        // The sender's own path, which a relay before this one did not keep.
        self.relay_add_column("relay_queue", "public_target", "TEXT")?;
        // When each channel last had a client (unused channels are deleted).
        self.relay_add_column("relay_channels", "last_seen", "INTEGER")
    }

    /// Adds a column to one of the relay's tables if it has none of that name.
    fn relay_add_column(&self, table: &str, column: &str, kind: &str) -> Result<(), StoreError> {
        let has: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
                params![table, column],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))?;
        if !has {
            self.conn
                .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// When each channel last had a client (Unix milliseconds), where known.
    pub fn relay_last_seen(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, last_seen FROM relay_channels WHERE last_seen IS NOT NULL")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// Notes that a channel has (or just had) a client.
    pub fn relay_touch_channel(&self, name: &str, now: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE relay_channels SET last_seen = ?2 WHERE name = ?1",
                params![name, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Deletes a channel, with what it holds and what it gave up: how many held and
    /// untold given-up deliveries went with it.
    pub fn relay_delete_channel(&self, name: &str) -> Result<u64, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let held = tx
            .execute("DELETE FROM relay_queue WHERE channel = ?1", params![name])
            .map_err(|e| self.err(e))?;
        let untold = tx
            .execute(
                "DELETE FROM relay_given_up WHERE channel = ?1 AND told_at IS NULL",
                params![name],
            )
            .map_err(|e| self.err(e))?;
        tx.execute(
            "DELETE FROM relay_given_up WHERE channel = ?1",
            params![name],
        )
        .map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM relay_channels WHERE name = ?1", params![name])
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((held + untold) as u64)
    }

    /// Moves a held delivery to the given-up table, in one transaction; `None` when
    /// it is no longer held. `told`: a `listen` already knows (it gave up itself),
    /// so the delivery itself is not kept: the bytes freed.
    pub fn relay_give_up(
        &self,
        id: i64,
        reason: &str,
        now: i64,
        told: bool,
    ) -> Result<Option<u64>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let n = tx
            .execute(
                "INSERT OR IGNORE INTO relay_given_up (id, channel, received_at, given_up_at, reason, told_at, method, target, headers, body, public_target)
                 SELECT id, channel, received_at, ?2, ?3, ?4, method, target,
                        CASE WHEN ?4 IS NULL THEN headers ELSE x'' END,
                        CASE WHEN ?4 IS NULL THEN body ELSE x'' END, public_target
                 FROM relay_queue WHERE id = ?1",
                params![id, now, reason, told.then_some(now)],
            )
            .map_err(|e| self.err(e))?;
        let freed: Option<i64> = tx
            .query_row(
                "DELETE FROM relay_queue WHERE id = ?1 RETURNING length(headers) + length(body)",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((n == 1).then(|| {
            if told {
                freed.unwrap_or(0).max(0) as u64
            } else {
                0
            }
        }))
    }

    /// Given-up deliveries of a channel no `listen` has been told of yet, oldest first.
    pub fn relay_untold(&self, channel: &str, limit: u32) -> Result<Vec<GivenUp>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, received_at, method, target, headers, body, public_target, reason, given_up_at
                 FROM relay_given_up WHERE channel = ?1 AND told_at IS NULL ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![channel, limit], given_up_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// The ids of a channel's given-up deliveries no `listen` has been told of.
    pub fn relay_untold_ids(&self, channel: &str, limit: u32) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM relay_given_up WHERE channel = ?1 AND told_at IS NULL ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![channel, limit], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))
    }

    /// One given-up delivery no `listen` has been told of yet.
    pub fn relay_untold_one(&self, id: i64) -> Result<Option<GivenUp>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, received_at, method, target, headers, body, public_target, reason, given_up_at
                 FROM relay_given_up WHERE id = ?1 AND told_at IS NULL",
                params![id],
                given_up_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A `listen` has recorded a given-up delivery: its body goes; the row stays a
    /// day for `relay status`. The bytes freed.
    pub fn relay_told(&self, id: i64, now: i64) -> Result<u64, StoreError> {
        let held: Option<i64> = self
            .conn
            .query_row(
                "SELECT length(headers) + length(body) FROM relay_given_up WHERE id = ?1 AND told_at IS NULL",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        self.conn
            .execute(
                "UPDATE relay_given_up SET told_at = ?2, headers = x'', body = x'' WHERE id = ?1",
                params![id, now],
            )
            .map(|_| held.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// Forgets given-up deliveries told before `before` (Unix milliseconds).
    pub fn relay_prune_told(&self, before: i64) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "DELETE FROM relay_given_up WHERE told_at IS NOT NULL AND told_at < ?1",
                params![before],
            )
            .map_err(|e| self.err(e))
    }

    /// Every channel's held and given-up counts; `since` (Unix milliseconds) bounds
    /// "the last day".
    pub fn relay_status(&self, since: i64) -> Result<Vec<RelayChannelStatus>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.name,
                    (SELECT count(*) FROM relay_queue q WHERE q.channel = c.name),
                    (SELECT min(received_at) FROM relay_queue q WHERE q.channel = c.name),
                    (SELECT count(*) FROM relay_given_up g WHERE g.channel = c.name AND g.given_up_at >= ?1),
                    (SELECT count(*) FROM relay_given_up g WHERE g.channel = c.name AND g.told_at IS NULL)
                 FROM relay_channels c ORDER BY c.name",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![since], |r| {
            Ok(RelayChannelStatus {
                channel: r.get(0)?,
                held: r.get::<_, i64>(1)?.max(0) as u64,
                oldest_held_at: r.get(2)?,
                given_up_last_day: r.get::<_, i64>(3)?.max(0) as u64,
                given_up_untold: r.get::<_, i64>(4)?.max(0) as u64,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
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
