//! [`BatchWriter`]: records committed to a journal on the hot path, indexed into the
//! store's tables beside it (see `journal.rs`).

use super::journal::{self, Owned};
use super::warning;
use super::{
    Checkpointer, Recorded, Store, StoreError, StoreWarning, give_back_ids, now_rfc3339,
    reserve_ids, run_when_idle, yield_to_producers,
};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Told once a record is committed: its local id, or `None` when the write failed.
pub type Ack = tokio::sync::oneshot::Sender<Option<i64>>;

/// Acknowledgements on their way to the tasks waiting for them, and the records
/// they were for: dropped where they were made (on the runtime's thread, with
/// [`BatchWriter::start_on`]), since freeing memory another thread allocated costs
/// mimalloc more (3 to 4 % of `listen`'s core under load, `perf`).
type Acked = (Vec<(Ack, Option<i64>)>, Vec<Recorded>);

/// Journaled bytes not yet indexed past which the writer waits for the indexer
/// (appending again once the backlog is under [`BACKLOG_RESUME`]): a burst of about
/// 700,000 1 KiB deliveries is taken at the journal's pace, and load sustained past
/// that at the indexer's, instead of the backlog growing without bound.
const BACKLOG_MAX: u64 = 1 << 30;
const BACKLOG_RESUME: u64 = 768 << 20;
/// A journal indexed to its end and past this size is replaced by a new one.
const ROTATE_AT: u64 = 64 << 20;
/// Records per indexing transaction: short, so that other writers (and this
/// process's own id reservations) seldom wait for the store's lock.
const INDEX_BATCH: usize = 256;
/// How long a stopping writer goes on indexing; what is left is indexed by the next
/// hookctl command that opens the store.
const DRAIN: Duration = Duration::from_secs(2);
/// Ids reserved at a time, at most. What a writer reserved and did not use can be
/// handed back only while nobody took ids after it, so a block is a gap another
/// process's deliveries may leave in the ids: small, so that users see no gaps of
/// thousands. At 60k deliveries/s that is about 230 reservations a second, each a
/// short WAL commit (about 1 % of a core), mostly fetched ahead without waiting.
const MAX_BLOCK: i64 = 256;

/// What a [`BatchWriter`] did, once finished.
#[derive(Debug, Default, Clone)]
pub struct Finished {
    /// Records committed.
    pub written: u64,
    /// Of those, records left in the journal for the next command to index.
    pub unindexed: u64,
    /// What was not yet taken with [`BatchWriter::take_warnings`].
    pub warnings: Vec<StoreWarning>,
}

/// A background thread that commits records in batches, so that a hot path only
/// sends them down a channel. A record may carry an [`Ack`], answered once the batch
/// holding it is committed: `listen` acknowledges a delivery only then, and under
/// load many deliveries share one commit. A batch is committed by one append to this
/// process's journal; an indexer thread copies it into the store's tables. The
/// channel is bounded: a writer that falls behind makes the sending tasks wait
/// (without holding up their runtime's thread) instead of growing memory.
pub struct BatchWriter {
    tx: Option<tokio::sync::mpsc::Sender<(Recorded, Option<Ack>)>>,
    handle: Option<std::thread::JoinHandle<Result<Finished, StoreError>>>,
    shared: Arc<Shared>,
}

/// What the writer and the indexer share.
struct Shared {
    state: Mutex<Progress>,
    to_indexer: Condvar,
    to_writer: Condvar,
    /// The writer waits for the store's lock (for ids): the indexer, which on a busy
    /// core runs only when the core would be idle, commits what it has at once
    /// rather than keep the writer, and every delivery behind it, waiting.
    writer_waits: std::sync::atomic::AtomicBool,
}

/// A journal of this process and how far it is indexed.
struct Held {
    journal: Owned,
    indexed: u64,
}

struct Progress {
    /// Oldest first; the last is the one appended to. An earlier one is retired
    /// (marked done and removed) once indexed to its end.
    journals: std::collections::VecDeque<Held>,
    /// Journaled bytes not yet indexed.
    backlog: u64,
    /// Records journaled and not yet indexed.
    pending: u64,
    stopping: bool,
    /// The indexer has stopped: nobody will shrink the backlog.
    indexer_gone: bool,
    /// What the caller is to be told ([`BatchWriter::take_warnings`]).
    warnings: Vec<StoreWarning>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Delivery ids taken from the store's counter a block at a time. A block holds
/// about a tenth of a second's worth at the pace the last one went: one id at a time for a
/// delivery now and then (so `listen`'s ids and those of a `send` beside it follow
/// each other), up to [`MAX_BLOCK`] under load. Under load the next block is fetched
/// while half of the current one is left, without waiting for the store's lock, so
/// that the writer seldom waits on another connection.
struct Ids {
    next: i64,
    end: i64,
    spare: Option<(i64, i64)>,
    /// The size of the current block, and when it was taken.
    block: i64,
    since: Instant,
}

impl Ids {
    fn new() -> Ids {
        Ids {
            next: 0,
            end: 0,
            spare: None,
            block: 0,
            since: Instant::now(),
        }
    }

    /// How many ids last about a tenth of a second, going by the current block.
    fn pace(&self) -> i64 {
        let lasted = self.since.elapsed().as_secs_f64().max(1e-6);
        ((self.block as f64 / lasted / 10.0) as i64).clamp(1, MAX_BLOCK)
    }

    fn take(&mut self, store: &Store, shared: &Shared) -> rusqlite::Result<i64> {
        if self.next == self.end {
            let (first, end) = match self.spare.take() {
                Some(spare) => spare,
                None => {
                    let n = self.pace();
                    shared.writer_waits.store(true, Ordering::Release);
                    let first = reserve_ids(&store.conn, n);
                    shared.writer_waits.store(false, Ordering::Release);
                    let first = first?;
                    (first, first + n)
                }
            };
            (self.next, self.end, self.block, self.since) =
                (first, end, end - first, Instant::now());
        }
        let id = self.next;
        self.next += 1;
        Ok(id)
    }

    fn fetch_ahead(&mut self, store: &Store) {
        if self.spare.is_some() || self.block < 64 || self.end - self.next >= self.block / 2 {
            return;
        }
        let n = self.block;
        let _ = store.conn.busy_timeout(Duration::ZERO);
        if let Ok(first) = reserve_ids(&store.conn, n) {
            self.spare = Some((first, first + n));
        }
        let _ = store.conn.busy_timeout(store.busy);
    }

    /// Hands back what is unused, when nobody has taken ids since.
    fn give_back(self, store: &Store) {
        if let Some((a, b)) = self.spare
            && !give_back_ids(&store.conn, a, b).unwrap_or(false)
        {
            return;
        }
        let _ = give_back_ids(&store.conn, self.next, self.end);
    }
}

impl BatchWriter {
    /// A writer whose acknowledgements go straight from its thread.
    pub fn start(store: Store) -> Result<BatchWriter, StoreError> {
        BatchWriter::spawn(store, None)
    }

    /// A writer whose acknowledgements are handed, a committed batch at a time, to a
    /// task on `rt` that passes them on: the runtime is woken once per commit, and
    /// wakes its waiting tasks itself, instead of the writer waking (and, on a shared
    /// core, yielding to) each one in turn.
    pub fn start_on(store: Store, rt: &tokio::runtime::Handle) -> Result<BatchWriter, StoreError> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Acked>();
        rt.spawn(async move {
            while let Some((acks, spent)) = rx.recv().await {
                for (ack, id) in acks {
                    let _ = ack.send(id);
                }
                drop(spent);
            }
        });
        BatchWriter::spawn(store, Some(tx))
    }

    fn spawn(
        mut store: Store,
        acknowledger: Option<tokio::sync::mpsc::UnboundedSender<Acked>>,
    ) -> Result<BatchWriter, StoreError> {
        let failed_journal = |e: std::io::Error| StoreError::Open {
            path: store.file.display().to_string(),
            detail: format!("could not make its journal beside it: {e}"),
        };
        let journal = Owned::create(&store.file).map_err(failed_journal)?;
        let indexer_store = Store::open_rw(&store.file)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(Progress {
                journals: [Held {
                    indexed: journal::HEADER_LEN,
                    journal,
                }]
                .into(),
                backlog: 0,
                pending: 0,
                stopping: false,
                indexer_gone: false,
                warnings: store.take_warnings(),
            }),
            to_indexer: Condvar::new(),
            to_writer: Condvar::new(),
            writer_waits: false.into(),
        });
        let indexer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("store-indexer".into())
                .spawn(move || index(indexer_store, &shared))
                .map_err(|e| StoreError::Open {
                    path: store.file.display().to_string(),
                    detail: format!("could not start its indexer: {e}"),
                })?
        };
        let acknowledge = move |acked: Acked| match &acknowledger {
            Some(to) => {
                let _ = to.send(acked);
            }
            None => {
                for (ack, id) in acked.0 {
                    let _ = ack.send(id);
                }
            }
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Recorded, Option<Ack>)>(4096);
        let path = store.file.clone();
        let shared_writer = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                yield_to_producers();
                let mut ids = Ids::new();
                let mut written = 0u64;
                let mut frames = Vec::new();
                // A batch that cannot be committed (a full disk, the store's lock held
                // past the busy timeout for new ids) is acknowledged as not recorded, and
                // the writer goes on with the next one: a passing failure must not stop
                // recording for good. The first failure is what `finish` reports.
                let mut failed = None;
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < 2048 {
                        match rx.try_recv() {
                            Ok(r) => batch.push(r),
                            Err(_) => break,
                        }
                    }
                    if !wait_for_backlog(&shared) {
                        failed.get_or_insert(StoreError::Open {
                            path: store.file.display().to_string(),
                            detail: format!(
                                "its indexer made no progress for {} s with {} MiB waiting",
                                STALLED.as_secs(),
                                BACKLOG_MAX >> 20
                            ),
                        });
                        acknowledge(settle(batch, |_| None));
                        continue;
                    }
                    let created_at = now_rfc3339();
                    frames.clear();
                    // Each record's id, or `None` when it could not be journaled.
                    let mut given: Vec<Option<i64>> = Vec::with_capacity(batch.len());
                    let mut count = 0u64;
                    for (record, _) in &batch {
                        // A further attempt goes under its delivery's id.
                        let id = match record
                            .attempt_of
                            .map_or_else(|| ids.take(&store, &shared), Ok)
                        {
                            Ok(id) => id,
                            Err(e) => {
                                failed.get_or_insert(store.err(e));
                                break;
                            }
                        };
                        let framed = journal::encode(&mut frames, id, &created_at, record);
                        count += u64::from(framed);
                        given.push(framed.then_some(id));
                    }
                    let committed = {
                        let mut st = shared.lock();
                        let current = st.journals.back_mut().expect("a journal is always held");
                        let appended = current.journal.append(&frames);
                        // Full, or no longer appendable after a write that failed
                        // and could not be undone.
                        let full = current.journal.len >= ROTATE_AT || current.journal.is_broken();
                        if appended.is_ok() {
                            st.pending += count;
                            st.backlog += frames.len() as u64;
                            shared.to_indexer.notify_one();
                        }
                        // A long load goes on in a new journal, so that each can be
                        // removed once indexed; one that cannot be made is no failure.
                        if full && let Ok(fresh) = Owned::create(&store.file) {
                            st.journals.push_back(Held {
                                indexed: journal::HEADER_LEN,
                                journal: fresh,
                            });
                        }
                        appended
                    };
                    let ok = match committed {
                        Ok(()) => {
                            written += count;
                            true
                        }
                        Err(e) => {
                            failed.get_or_insert(StoreError::Open {
                                path: store.file.display().to_string(),
                                detail: format!("could not write to its journal: {e}"),
                            });
                            false
                        }
                    };
                    let mut given = given.into_iter();
                    acknowledge(settle(batch, |_| given.next().flatten().filter(|_| ok)));
                    // A batch with a large body leaves a large buffer: not kept.
                    if frames.capacity() > 16 << 20 {
                        frames = Vec::new();
                    }
                    ids.fetch_ahead(&store);
                }
                {
                    let mut st = shared.lock();
                    st.stopping = true;
                    shared.to_indexer.notify_one();
                }
                let unindexed = indexer.join().unwrap_or(u64::MAX);
                ids.give_back(&store);
                match failed {
                    Some(e) => Err(e),
                    None => Ok(Finished {
                        written,
                        unindexed: unindexed.min(written),
                        warnings: std::mem::take(&mut shared.lock().warnings),
                    }),
                }
            });
        let handle = match spawned {
            Ok(h) => h,
            Err(e) => {
                shared_writer.lock().stopping = true;
                shared_writer.to_indexer.notify_one();
                return Err(StoreError::Open {
                    path: path.display().to_string(),
                    detail: format!("could not start its writer: {e}"),
                });
            }
        };
        Ok(BatchWriter {
            tx: Some(tx),
            handle: Some(handle),
            shared: shared_writer,
        })
    }

    /// Queues a record, waiting while the queue is full; `false` if the writer has
    /// stopped (its error comes from `finish`).
    pub async fn send(&self, r: Recorded) -> bool {
        match &self.tx {
            Some(tx) => tx.send((r, None)).await.is_ok(),
            None => false,
        }
    }

    /// Queues a record and waits until it is committed: its local id, or `None` when
    /// it could not be written.
    pub async fn send_acked(&self, r: Recorded) -> Option<i64> {
        let (ack, done) = tokio::sync::oneshot::channel();
        let tx = self.tx.as_ref()?;
        tx.send((r, Some(ack))).await.ok()?;
        done.await.ok().flatten()
    }

    /// The warnings the writer gathered since they were last taken (its indexer's),
    /// for the caller to render; the rest come with [`Finished`].
    pub fn take_warnings(&self) -> Vec<StoreWarning> {
        std::mem::take(&mut self.shared.lock().warnings)
    }

    /// Waits until every queued record is committed, and indexes what it can within
    /// a couple of seconds.
    pub fn finish(mut self) -> Result<Finished, StoreError> {
        drop(self.tx.take());
        self.handle
            .take()
            .expect("finish runs once")
            .join()
            .unwrap_or_else(|_| panic!("the store writer thread panicked"))
    }
}

/// Each record's acknowledgement with what `id_of` says of it, and the records.
fn settle(
    batch: Vec<(Recorded, Option<Ack>)>,
    mut id_of: impl FnMut(&Recorded) -> Option<i64>,
) -> Acked {
    let mut acks = Vec::with_capacity(batch.len());
    let mut spent = Vec::with_capacity(batch.len());
    for (record, ack) in batch {
        let id = id_of(&record);
        if let Some(ack) = ack {
            acks.push((ack, id));
        }
        spent.push(record);
    }
    (acks, spent)
}

/// How long the writer waits on an indexer that makes no progress before it answers
/// what comes as not recorded (the store failing, say) rather than hang.
const STALLED: Duration = Duration::from_secs(30);

/// Holds the writer back while the journal's backlog is over [`BACKLOG_MAX`], until
/// the indexer has brought it under [`BACKLOG_RESUME`]; `false` when the indexer has
/// made no progress for [`STALLED`].
fn wait_for_backlog(shared: &Shared) -> bool {
    let mut st = shared.lock();
    if st.backlog <= BACKLOG_MAX {
        return true;
    }
    let mut last = (st.backlog, Instant::now());
    while !st.indexer_gone && st.backlog > BACKLOG_RESUME {
        if st.backlog < last.0 {
            last = (st.backlog, Instant::now());
        } else if last.1.elapsed() >= STALLED {
            return false;
        }
        st = shared
            .to_writer
            .wait_timeout(st, Duration::from_millis(100))
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    true
}

/// The indexer thread: copies journaled records into the store's tables, at the
/// lowest priority, oldest journal first, until the writer stops and it has caught
/// up (or [`DRAIN`] has passed). How many records it left unindexed.
fn index(mut store: Store, shared: &Shared) -> u64 {
    run_when_idle();
    let checkpointer = Checkpointer::start(&store);
    // The oldest journal's name and a handle to read it by.
    let mut file: Option<(String, std::fs::File)> = None;
    let mut deadline: Option<Instant> = None;
    let left = loop {
        let (name, path, stopping, retired) = {
            let mut st = shared.lock();
            loop {
                let caught_up = st
                    .journals
                    .front()
                    .is_some_and(|h| h.indexed >= h.journal.len);
                if caught_up && st.journals.len() > 1 {
                    break;
                }
                if !caught_up || st.stopping {
                    break;
                }
                st = shared
                    .to_indexer
                    .wait_timeout(st, Duration::from_secs(1))
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            let front = st.journals.front().expect("a journal is always held");
            if front.indexed >= front.journal.len {
                if st.journals.len() > 1 {
                    (
                        String::new(),
                        Default::default(),
                        st.stopping,
                        st.journals.pop_front(),
                    )
                } else {
                    break 0;
                }
            } else {
                (
                    front.journal.name.clone(),
                    front.journal.path.clone(),
                    st.stopping,
                    None,
                )
            }
        };
        if let Some(old) = retired {
            retire(&mut store, &old.journal);
            continue;
        }
        if stopping {
            let until = *deadline.get_or_insert_with(|| Instant::now() + DRAIN);
            if Instant::now() >= until {
                break shared.lock().pending;
            }
        }
        if file.as_ref().is_none_or(|(n, _)| *n != name) {
            match std::fs::File::open(&path) {
                Ok(f) => file = Some((name.clone(), f)),
                Err(_) => break shared.lock().pending,
            }
        }
        let (_, f) = file.as_ref().expect("opened above");
        let yield_lock = || shared.writer_waits.load(Ordering::Acquire);
        // The writer wants the store's lock: it gets it before the next transaction.
        while yield_lock() {
            std::thread::sleep(Duration::from_micros(200));
        }
        match journal::index(&mut store.conn, f, &name, INDEX_BATCH, false, &yield_lock) {
            Ok(step) => {
                if step.renumbered > 0 {
                    warning::keep(
                        &mut shared.lock().warnings,
                        StoreWarning::Renumbered {
                            store: store.file.clone(),
                            deliveries: step.renumbered,
                        },
                    );
                }
                if let Some(c) = &checkpointer {
                    c.committed();
                }
                let mut st = shared.lock();
                if let Some(front) = st.journals.front_mut().filter(|h| h.journal.name == name) {
                    let moved = step.position.saturating_sub(front.indexed);
                    front.indexed = front.indexed.max(step.position);
                    st.backlog = st.backlog.saturating_sub(moved);
                    st.pending = st.pending.saturating_sub(step.records as u64);
                    shared.to_writer.notify_one();
                }
            }
            // Another connection holding the store's lock past the busy timeout,
            // a full disk: nothing is lost (the records stay journaled); try again.
            Err(_) => {
                if stopping {
                    break shared.lock().pending;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    };
    let done: Vec<Owned> = {
        let mut st = shared.lock();
        st.indexer_gone = true;
        shared.to_writer.notify_all();
        // Journals wholly indexed are retired; the rest stay for the next command
        // that opens the store (their locks go with this process).
        let mut done = Vec::new();
        while st.journals.len() > usize::from(!st.stopping)
            && st
                .journals
                .front()
                .is_some_and(|h| h.indexed >= h.journal.len)
        {
            done.extend(st.journals.pop_front().map(|h| h.journal));
        }
        done
    };
    for old in &done {
        retire(&mut store, old);
    }
    if let Some(c) = checkpointer {
        c.finish();
    }
    left
}

/// Marks a wholly indexed journal done, then removes it.
fn retire(store: &mut Store, old: &Owned) {
    if journal::mark_done(&mut store.conn, &old.name).is_ok() {
        let _ = std::fs::remove_file(&old.path);
    }
}
