//! Opening the store: its file and directory made private, SQLite's pragmas, the
//! schema's migrations, and the checks that refuse a foreign, damaged or newer store.

use super::{Store, StoreError};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The WAL the checkpointer lets grow before it makes the writer start it afresh;
/// also what the WAL file is cut back to (`journal_size_limit`).
pub(super) const WAL_LIMIT: i64 = 64 << 20;

/// Schema migrations, in order; entry `i` takes a store from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
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

/// How long a statement waits for another connection's lock, unless told otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
        store.catch_up_or_warn();
        Ok(store)
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
            warnings: Vec::new(),
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
                warnings: Vec::new(),
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
            store.catch_up_or_warn();
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
            warnings: Vec::new(),
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
    pub(super) fn schema_version(&self) -> Result<i64, StoreError> {
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

    pub(super) fn open_rw(path: &Path) -> Result<Store, StoreError> {
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

    pub(super) fn err(&self, e: rusqlite::Error) -> StoreError {
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

/// Runs `f` in a write transaction of its own, committed and checked, unless the
/// connection is in a transaction already (whose owner commits and checks).
pub(super) fn in_own_transaction<T>(
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
