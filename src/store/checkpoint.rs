//! Keeping the tables up with the journals: indexing what they hold on opening, the
//! id counter kept past every id, and the checkpointer that copies the WAL back into
//! the database beside a [`super::BatchWriter`].

use super::schema::{WAL_LIMIT, in_own_transaction};
use super::{CaughtUp, Store, StoreError, StoreWarning, journal};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

impl Store {
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
        for w in warnings_of(&done, &self.file) {
            self.warn(w);
        }
        Ok(done)
    }

    /// [`Store::catch_up`] on opening: a journal that cannot be indexed now (the
    /// store's lock held past the busy timeout, say) leaves the store usable as it
    /// is, with a warning.
    pub(super) fn catch_up_or_warn(&mut self) {
        if let Err(e) = self.catch_up() {
            self.warn(StoreWarning::NotIndexed {
                error: e.to_string(),
            });
        }
    }

    /// Ids are handed out from the counter: it must be past every id taken.
    pub(super) fn check_counter(&mut self) -> Result<(), StoreError> {
        match counter_past_every_id(&self.conn) {
            Ok(false) => Ok(()),
            Ok(true) => {
                self.warn(StoreWarning::CounterBehind {
                    store: self.file.clone(),
                });
                Ok(())
            }
            Err(e) => Err(self.err(e)),
        }
    }
}

/// What a catch-up of the store at `store` has to tell, in the order it is told.
fn warnings_of(done: &CaughtUp, store: &Path) -> Vec<StoreWarning> {
    let mut out: Vec<StoreWarning> = done
        .unreadable
        .iter()
        .map(|(path, error)| StoreWarning::JournalUnreadable {
            path: path.clone(),
            error: error.clone(),
        })
        .collect();
    if done.too_big > 0 {
        out.push(StoreWarning::TooBig {
            store: store.to_path_buf(),
            records: done.too_big,
        });
    }
    out.extend(done.damaged.iter().map(|d| StoreWarning::JournalDamaged {
        store: store.to_path_buf(),
        lost_records: d.records,
        lost_bytes: d.bytes,
        kept_as: d.kept.clone(),
    }));
    out.extend(
        done.foreign
            .iter()
            .map(|f| StoreWarning::ForeignFile { path: f.clone() }),
    );
    if done.renumbered > 0 {
        out.push(StoreWarning::Renumbered {
            store: store.to_path_buf(),
            deliveries: done.renumbered,
        });
    }
    if done.lost > 0 {
        out.push(StoreWarning::TornTail {
            store: store.to_path_buf(),
            bytes: done.lost,
        });
    }
    out
}

/// Moves the id counter past every delivery the store holds, if it is not: a store
/// written by an older hookctl whose counter update was lost to a failed write would
/// otherwise hand out ids that are taken. Whether it had to.
pub(super) fn counter_past_every_id(conn: &Connection) -> rusqlite::Result<bool> {
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

/// How often the checkpointer looks for newly committed WAL frames.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Copies the WAL back into the database from a thread and connection of its own,
/// while a [`BatchWriter`]'s indexer (the "writer" below) inserts.
///
/// A checkpoint writes every page the WAL holds into the database file and waits for
/// the disk twice (`fsync`). Made by the connection that inserts (SQLite's automatic
/// checkpoints), that wait stalled it, and cost more than the inserts: 29 against
/// 14 us per `listen` record on this project's test machine, when `listen` inserted
/// before answering. A `PASSIVE` checkpoint on another connection runs beside the
/// writer, which keeps appending to the WAL meanwhile.
pub(super) struct Checkpointer {
    committed: Arc<AtomicU64>,
    stop: std::sync::mpsc::Sender<()>,
    handle: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    /// `None` when a second connection cannot be opened: the writer's own
    /// connection then keeps SQLite's automatic checkpoints.
    pub(super) fn start(store: &Store) -> Option<Checkpointer> {
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

    pub(super) fn committed(&self) {
        self.committed.fetch_add(1, Ordering::Release);
    }

    /// Makes a last checkpoint and waits for it.
    pub(super) fn finish(self) {
        drop(self.stop);
        let _ = self.handle.join();
    }
}

/// Lowers the calling thread's scheduling priority, so that on a busy core (`listen`
/// pinned to one CPU, or a laptop under load) the threads that queue records run
/// first and the writer wakes to a whole burst, which then shares one commit, rather
/// than to one record at a time. With a core of its own the writer is not held back.
pub(super) fn yield_to_producers() {
    lower_priority(10);
}

/// Puts the calling thread in the idle scheduling class: it runs only when nothing
/// else on its core would (Linux's `SCHED_IDLE`; elsewhere, the lowest nice value).
pub(super) fn run_when_idle() {
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
