//! The store's journal: where `listen` commits a delivery before answering it.
//!
//! Inserting a delivery into SQLite (a row with its body, an attempt row, three
//! indexes, a WAL commit) costs more CPU than receiving and verifying it. A process
//! that records under load (a [`super::BatchWriter`]) therefore appends each batch of
//! records to a journal file of its own with one `write`, and acknowledges them once
//! that write returns: from then on they are in the operating system's hands, as a
//! commit with `synchronous = NORMAL` is, and a killed process loses none of them. An
//! indexer thread, at the lowest priority, copies them into the SQLite tables beside
//! it; on a busy core it runs when the core would otherwise be idle.
//!
//! Any hookctl process that opens the store for writing (every command that reads it
//! included) indexes what journals it finds, so a reader sees every acknowledged
//! delivery, whether the journal's owner is still running or was killed. Each
//! journal's progress (how far it has been indexed) lives in the store, updated in the
//! same transaction as the rows it covers: a record is indexed exactly once, whoever
//! does it. The owner holds an exclusive `flock` on its journal for as long as it
//! runs; a journal nobody holds is an orphan, and whoever indexes it to the end
//! removes it.
//!
//! Delivery ids are handed out by the store (`id_counter`), a block at a time to a
//! journal's owner, so `listen` prints a delivery's id before it is indexed.
//!
//! ```text
//! file:   "hookctl-journal\x01" (16 bytes), then frames
//! frame:  u32 payload length, u32 CRC-32 of the payload, payload
//! record: u8 1, u64 id, u16 + created_at, u8 direction, u16 + source,
//!         opt profile, opt event, opt delivery id (u8 0/1, then u32 + bytes),
//!         u16 + method, u32 + url, headers, u64 + body, u8 valid (0 none, 1 no,
//!         2 yes), opt reason, u8 duplicate, u8 state, u32 attempt count, attempts
//! attempt: u32 number, u16 + started_at, u8 + u16 status, u8 + f64 latency,
//!         opt error, u8 + headers (response), u8 + u64 + bytes (response body)
//! record version 2: version 1's fields, then a relayed delivery's arrival:
//!         u64 received_at (Unix ms), u32 + public target, u8 held
//! record version 3: a further attempt at the delivery under its id: version 1's
//!         fields, then u8 0/1 and, for 1, the arrival as in version 2
//! ```
//!
//! A frame cut short or failing its checksum ends what can be read: it was being
//! written (a live journal) or never finished (a process killed in its `write`), and
//! was not acknowledged either way.

use super::{Direction, Recorded, RecordedAttempt, State, StoreError};
use crate::codec::{Malformed, Reader, put_bytes32, put_headers, put_text16};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 16] = b"hookctl-journal\x01";
pub(super) const HEADER_LEN: u64 = MAGIC.len() as u64;
const FRAME_HEAD: usize = 8;
/// The largest payload a frame may claim: a length past it is damage, not a record.
const MAX_PAYLOAD: usize = u32::MAX as usize;
/// What one indexing transaction reads at most, so that it holds the store's write
/// lock briefly.
const READ_CHUNK: usize = 8 << 20;

/// The journal files of the store at `db` are named `<db file name>-inbox-<hex>`.
pub(super) fn prefix(db: &Path) -> String {
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned());
    format!("{}-inbox-", name.unwrap_or_else(|| "hookctl.db".into()))
}

fn dir_of(db: &Path) -> PathBuf {
    match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads `buf.len()` bytes at `at` (a file this module alone reads through).
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    let mut f = file;
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(buf)
}

/// Appends one record as a frame; `false` (and nothing appended) for a record too
/// large for one (4 GiB).
pub(super) fn encode(out: &mut Vec<u8>, id: i64, created_at: &str, r: &Recorded) -> bool {
    let start = out.len();
    out.extend_from_slice(&[0; FRAME_HEAD]);
    // Version 2 is version 1 with a relayed delivery's arrival after its attempts;
    // version 3, a further attempt at the delivery under its id (see below).
    out.push(if r.attempt_of.is_some() {
        3
    } else if r.arrival.is_some() {
        2
    } else {
        1
    });
    out.extend_from_slice(&id.to_be_bytes());
    put_text16(out, created_at);
    out.push(match r.direction {
        Direction::In => 0,
        Direction::Out => 1,
    });
    put_text16(out, r.source);
    for o in [&r.profile, &r.event, &r.delivery_id] {
        put_opt(out, o.as_deref());
    }
    put_text16(out, &r.method);
    put_bytes32(out, r.url.as_bytes());
    put_headers(out, &r.headers);
    put_bytes64(out, &r.body);
    out.push(match r.valid {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    });
    put_opt(out, r.reason.as_deref());
    out.push(u8::from(r.duplicate));
    out.push(match r.state {
        State::Pending => 0,
        State::Delivered => 1,
        State::Failed => 2,
    });
    out.extend_from_slice(&(r.attempts.len() as u32).to_be_bytes());
    for a in &r.attempts {
        out.extend_from_slice(&a.number.to_be_bytes());
        put_text16(out, &a.started_at);
        out.push(u8::from(a.status.is_some()));
        out.extend_from_slice(&a.status.unwrap_or(0).to_be_bytes());
        out.push(u8::from(a.latency_ms.is_some()));
        out.extend_from_slice(&a.latency_ms.unwrap_or(0.0).to_be_bytes());
        put_opt(out, a.error.as_deref());
        out.push(u8::from(a.response_headers.is_some()));
        if let Some(h) = &a.response_headers {
            put_headers(out, h);
        }
        out.push(u8::from(a.response_body.is_some()));
        if let Some(b) = &a.response_body {
            put_bytes64(out, b);
        }
    }
    if r.attempt_of.is_some() {
        out.push(u8::from(r.arrival.is_some()));
    }
    if let Some(a) = &r.arrival {
        out.extend_from_slice(&a.received_at.to_be_bytes());
        put_bytes32(out, a.public_target.as_bytes());
        out.push(u8::from(a.held));
    }
    let payload = &out[start + FRAME_HEAD..];
    if payload.len() > MAX_PAYLOAD {
        out.truncate(start);
        return false;
    }
    let len = payload.len() as u32;
    let crc = crc32fast::hash(payload);
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_be_bytes());
    true
}

fn put_opt(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            put_bytes32(out, t.as_bytes());
        }
    }
}

fn put_bytes64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A record read back: its id, when it was made, and the record.
struct Entry {
    id: i64,
    created_at: String,
    record: Recorded,
}

fn text(bytes: &[u8]) -> Result<String, Malformed> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Malformed("a text field is not UTF-8"))
}

fn opt(r: &mut Reader) -> Result<Option<String>, Malformed> {
    match r.u8()? {
        0 => Ok(None),
        _ => text(r.bytes32()?).map(Some),
    }
}

fn bytes64<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Malformed> {
    let n = usize::try_from(r.u64()?).map_err(|_| Malformed("a length is too large"))?;
    r.take(n)
}

fn decode(payload: &[u8]) -> Result<Entry, Malformed> {
    let mut r = Reader(payload);
    let version = r.u8()?;
    if !matches!(version, 1..=3) {
        return Err(Malformed("an unknown record version"));
    }
    let id = r.u64()? as i64;
    let created_at = r.text16()?;
    let direction = match r.u8()? {
        0 => Direction::In,
        _ => Direction::Out,
    };
    // The sources hookctl records under; anything else is not ours.
    let source = match r.text16()?.as_str() {
        "listen" => "listen",
        "send" => "send",
        "replay" => "replay",
        "simulate" => "simulate",
        _ => return Err(Malformed("an unknown source")),
    };
    let profile = opt(&mut r)?;
    let event = opt(&mut r)?;
    let delivery_id = opt(&mut r)?;
    let method = r.text16()?;
    let url = text(r.bytes32()?)?;
    let headers = r.headers()?;
    let body = bytes::Bytes::copy_from_slice(bytes64(&mut r)?);
    let valid = match r.u8()? {
        0 => None,
        1 => Some(false),
        _ => Some(true),
    };
    let reason = opt(&mut r)?;
    let duplicate = r.u8()? != 0;
    let state = match r.u8()? {
        0 => State::Pending,
        1 => State::Delivered,
        _ => State::Failed,
    };
    let n = r.u32()? as usize;
    if n > r.0.len() / 16 {
        return Err(Malformed("the attempt count is more than the record holds"));
    }
    let mut attempts = Vec::with_capacity(n);
    for _ in 0..n {
        let number = r.u32()?;
        let started_at = r.text16()?;
        let has_status = r.u8()? != 0;
        let status = r.u16()?;
        let has_latency = r.u8()? != 0;
        let latency = f64::from_bits(r.u64()?);
        let error = opt(&mut r)?;
        let response_headers = match r.u8()? {
            0 => None,
            _ => Some(r.headers()?),
        };
        let response_body = match r.u8()? {
            0 => None,
            _ => Some(bytes::Bytes::copy_from_slice(bytes64(&mut r)?)),
        };
        attempts.push(RecordedAttempt {
            number,
            started_at,
            status: has_status.then_some(status),
            latency_ms: has_latency.then_some(latency),
            error,
            response_headers,
            response_body,
        });
    }
    let has_arrival = match version {
        2 => true,
        3 => r.u8()? != 0,
        _ => false,
    };
    let arrival = if has_arrival {
        Some(super::RelayArrival {
            received_at: r.u64()? as i64,
            public_target: text(r.bytes32()?)?,
            held: r.u8()? != 0,
        })
    } else {
        None
    };
    r.end()?;
    Ok(Entry {
        id,
        created_at,
        record: Recorded {
            direction,
            source,
            profile,
            event,
            delivery_id,
            method,
            url,
            headers,
            body,
            valid,
            reason,
            duplicate,
            state,
            attempts,
            arrival,
            attempt_of: (version == 3).then_some(id),
        },
    })
}

/// A journal this process writes, locked for as long as it is held.
pub(super) struct Owned {
    pub(super) file: File,
    pub(super) path: PathBuf,
    pub(super) name: String,
    /// Bytes written, the header included; every one of them a whole frame.
    pub(super) len: u64,
    /// Set when a failed append could not be undone: later frames would follow
    /// damage no reader gets past, so nothing more is appended.
    broken: bool,
}

impl Owned {
    /// A new, empty journal beside the store at `db`. It is made under a name no
    /// reader looks at, locked, and only then renamed into place, so that no reader
    /// ever finds it unlocked and takes it for an orphan.
    pub(super) fn create(db: &Path) -> std::io::Result<Owned> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(std::io::Error::other)?;
        let name = format!("{}{}", prefix(db), hex::encode(random));
        let dir = dir_of(db);
        let path = dir.join(&name);
        let temp = dir.join(format!(".{name}.new"));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        let made = file
            .try_lock()
            .map_err(std::io::Error::other)
            .and_then(|_| file.write_all(MAGIC))
            .and_then(|_| std::fs::rename(&temp, &path));
        if let Err(e) = made {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
        Ok(Owned {
            file,
            path,
            name,
            len: HEADER_LEN,
            broken: false,
        })
    }

    /// Whether a failed write could not be undone, so nothing more is appended.
    pub(super) fn is_broken(&self) -> bool {
        self.broken
    }

    /// Appends whole frames with one write. A write that fails part way is undone,
    /// so that the journal holds whole frames only.
    pub(super) fn append(&mut self, frames: &[u8]) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other(
                "an earlier failed write to the journal could not be undone",
            ));
        }
        let mut at = &self.file;
        let result = at
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| at.write_all(frames));
        match result {
            Ok(()) => {
                self.len += frames.len() as u64;
                Ok(())
            }
            Err(e) => {
                if self.file.set_len(self.len).is_err() {
                    self.broken = true;
                }
                Err(e)
            }
        }
    }
}

/// How one indexing transaction went.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Indexed {
    /// Records indexed by this transaction.
    pub records: usize,
    /// How far the journal is indexed now.
    pub position: u64,
    /// The journal is wholly indexed and done with (an orphan, indexed to its end).
    pub finished: bool,
    /// Bytes after the last whole frame of an orphan: a write its process never
    /// finished (nothing acknowledged), or damage at its end.
    pub lost: u64,
    /// Records passed over because SQLite cannot hold them.
    pub too_big: usize,
    /// Damage found (in an orphan): frames whose checksum failed or whose record
    /// could not be read, passed over one by one ...
    pub damaged_records: usize,
    /// ... and bytes passed over to find the next whole frame after a damaged
    /// length or header.
    pub damaged_bytes: u64,
    /// Records whose id another record held, stored under new ids.
    pub renumbered: usize,
}

impl Indexed {
    pub(super) fn damaged(&self) -> bool {
        self.damaged_records > 0 || self.damaged_bytes > 0
    }
}

/// The smallest payload a record can have (its version byte and id, at least).
const MIN_PAYLOAD: usize = 9;
/// How many bytes one search for the next whole frame checksums at most, so that a
/// journal full of damage costs bounded time.
const RESYNC_BUDGET: u64 = 256 << 20;

/// Whether a whole, readable frame starts at `at`: its payload length, if so.
fn frame_at(file: &File, at: u64, size: u64, budget: &mut u64) -> Option<usize> {
    use std::os::unix::fs::FileExt;
    let mut head = [0u8; FRAME_HEAD + 1];
    file.read_exact_at(&mut head, at).ok()?;
    let len = u32::from_be_bytes(head[..4].try_into().ok()?) as usize;
    let crc = u32::from_be_bytes(head[4..8].try_into().ok()?);
    if !matches!(head[FRAME_HEAD], 1..=3)
        || len < MIN_PAYLOAD
        || (len as u64) > size.saturating_sub(at + FRAME_HEAD as u64)
        || (len as u64) > *budget
    {
        return None;
    }
    *budget -= len as u64;
    let mut payload = vec![0u8; len];
    file.read_exact_at(&mut payload, at + FRAME_HEAD as u64)
        .ok()?;
    (crc32fast::hash(&payload) == crc && decode(&payload).is_ok()).then_some(len)
}

/// The offset of the next whole, readable frame after `from`, if one is found
/// within the search's budget.
fn resync(file: &File, from: u64, size: u64) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    let mut budget = RESYNC_BUDGET;
    let mut window = vec![0u8; 1 << 20];
    let mut base = from + 1;
    while base + (FRAME_HEAD as u64) < size && budget > 0 {
        let n = ((size - base) as usize).min(window.len());
        file.read_exact_at(&mut window[..n], base).ok()?;
        // Each offset whose head and version byte are in the window.
        let last = n - FRAME_HEAD;
        for i in 0..last {
            // A cheap look first: the record's version byte after a plausible length.
            let len = u64::from(u32::from_be_bytes(window[i..i + 4].try_into().ok()?));
            let at = base + i as u64;
            if matches!(window[i + FRAME_HEAD], 1..=3)
                && len >= MIN_PAYLOAD as u64
                && len <= size - at - FRAME_HEAD as u64
                && frame_at(file, at, size, &mut budget).is_some()
            {
                return Some(at);
            }
        }
        base += last as u64;
    }
    None
}

/// Indexes up to `max` records of the journal `file` (named `name`) from where the
/// store says its indexing got to, in one transaction that also moves that mark on.
/// `orphan`: nobody writes to it any more, so what follows its last whole frame
/// never will be a frame, and once indexed to that point it is finished. `yield_lock`
/// is asked after each record: `true` commits what is done at once, for another
/// connection waiting on the store's lock.
///
/// Damage in an orphan loses only what it touched: a frame whose checksum fails
/// but whose length holds is passed over and counted; after a length that cannot
/// be right, the next whole frame is searched for and indexing goes on from there.
/// (In a live journal anything unreadable ends what is read for now: it may be a
/// write in progress.)
pub(super) fn index(
    conn: &mut Connection,
    file: &File,
    name: &str,
    max: usize,
    orphan: bool,
    yield_lock: &dyn Fn() -> bool,
) -> Result<Indexed, IndexError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mark: Option<i64> = tx
        .query_row(
            "SELECT position FROM journal_progress WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    let size = file.metadata()?.len();
    let mut done = Indexed::default();
    let start = match mark {
        Some(p) if p < 0 => {
            return Ok(Indexed {
                finished: true,
                ..Indexed::default()
            });
        }
        Some(p) => p as u64,
        None => {
            let mut head = [0u8; MAGIC.len()];
            match read_at(file, &mut head, 0) {
                Ok(()) if &head == MAGIC => HEADER_LEN,
                // Not yet whole (its owner is writing it) or not a journal: nothing
                // to index from it.
                _ if !orphan => return Ok(Indexed::default()),
                // A damaged header before whole frames: a journal still, read from
                // its first frame (or the first whole one after it).
                _ => {
                    let mut budget = RESYNC_BUDGET;
                    let first = if frame_at(file, HEADER_LEN, size, &mut budget).is_some() {
                        HEADER_LEN
                    } else {
                        resync(file, HEADER_LEN, size).ok_or(IndexError::Foreign)?
                    };
                    done.damaged_bytes += first;
                    first
                }
            }
        }
    };
    let mut position = start;
    // Records indexed, and frames read (damaged ones too).
    let mut records = 0;
    let mut frames = 0;
    let mut buf = Vec::new();
    let mut whole = true;
    // Frames are read in order through one buffer: a seek here, then about one read
    // a megabyte, rather than two reads a frame.
    let mut from = file;
    from.seek(SeekFrom::Start(start))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, from);
    while frames < max && position < size && position - start < READ_CHUNK as u64 {
        // One frame: its head, then its payload.
        let mut head = [0u8; FRAME_HEAD];
        let has_head = reader.read_exact(&mut head).is_ok();
        let len = u32::from_be_bytes(head[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_be_bytes(head[4..].try_into().expect("4 bytes"));
        // Whether the whole frame its head claims is in the file.
        let fits = has_head && (len as u64) <= size.saturating_sub(position + FRAME_HEAD as u64);
        let mut entered = false;
        if fits {
            buf.resize(len, 0);
            // A frame whose checksum holds but whose record cannot be read was
            // written by something else than this hookctl: damage too.
            if reader.read_exact(&mut buf).is_ok()
                && crc32fast::hash(&buf) == crc
                && let Ok(entry) = decode(&buf)
            {
                entered = true;
                match super::insert_entry(&tx, entry.id, &entry.created_at, &entry.record) {
                    Ok(super::Entered::Renumbered(_)) => done.renumbered += 1,
                    Ok(_) => {}
                    // A record SQLite cannot hold (over its 1 GB limit for a value)
                    // would stop the journal for good: it is passed over, and said so.
                    Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::TooBig) => {
                        done.too_big += 1;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if !entered {
            if !orphan {
                // Perhaps a write in progress: read again later.
                whole = false;
                break;
            }
            let next = position + (FRAME_HEAD + len) as u64;
            let mut budget = RESYNC_BUDGET;
            if fits && (next == size || frame_at(file, next, size, &mut budget).is_some()) {
                // Its length holds (the next frame starts right after it, or the
                // file ends there): this one record is lost to damage.
                done.damaged_records += 1;
                position = next;
                frames += 1;
                reader.seek(SeekFrom::Start(position))?;
                continue;
            }
            // Its length cannot be right: on from the next whole frame. None after
            // it is a last write its process never finished (or damage at the end),
            // counted as lost bytes.
            match resync(file, position, size) {
                Some(next) => {
                    done.damaged_bytes += next - position;
                    position = next;
                    reader.seek(SeekFrom::Start(position))?;
                    continue;
                }
                None => {
                    whole = false;
                    break;
                }
            }
        }
        position += (FRAME_HEAD + len) as u64;
        records += 1;
        frames += 1;
        if buf.capacity() > READ_CHUNK {
            buf = Vec::new();
        }
        if yield_lock() {
            break;
        }
    }
    let finished = orphan && (position >= size || !whole);
    if records == 0 && !finished && !done.damaged() {
        // Nothing new: the transaction ends without writing.
        return Ok(Indexed {
            position,
            ..Indexed::default()
        });
    }
    tx.execute(
        "INSERT INTO journal_progress (name, position) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        params![name, if finished { -1 } else { position as i64 }],
    )?;
    tx.commit()?;
    Ok(Indexed {
        records,
        position,
        finished,
        lost: if finished {
            size.saturating_sub(position)
        } else {
            0
        },
        ..done
    })
}

/// Marks a journal wholly indexed, before its owner removes it.
pub(super) fn mark_done(conn: &mut Connection, name: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO journal_progress (name, position) VALUES (?1, -1)
         ON CONFLICT (name) DO UPDATE SET position = -1",
        [name],
    )
    .map(|_| ())
}

/// Forgets the progress of journals wholly indexed and gone from the disk.
pub(super) fn forget_removed(conn: &Connection, db: &Path) -> rusqlite::Result<()> {
    let dir = dir_of(db);
    let done: Vec<String> = conn
        .prepare("SELECT name FROM journal_progress WHERE position < 0")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in done {
        if !dir.join(&name).exists() {
            conn.execute("DELETE FROM journal_progress WHERE name = ?1", [&name])?;
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub(super) enum IndexError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is not a hookctl journal")]
    Foreign,
}

impl IndexError {
    pub(super) fn into_store(self, path: &Path) -> StoreError {
        let path = path.display().to_string();
        match self {
            IndexError::Sql(source) => StoreError::Sql { path, source },
            other => StoreError::Open {
                path,
                detail: format!("its journal could not be indexed: {other}"),
            },
        }
    }
}

/// What [`catch_up`] did.
#[derive(Debug, Default, Clone)]
pub struct CaughtUp {
    pub records: usize,
    /// Bytes of orphaned journals that were not whole records (see [`Indexed::lost`]).
    pub lost: u64,
    /// Records too large for SQLite, passed over.
    pub too_big: usize,
    /// Records whose id another record held, stored under new ids.
    pub renumbered: usize,
    /// Damaged journals: each kept under a name of its own, with the records and
    /// bytes that could not be read from it.
    pub damaged: Vec<Damaged>,
    /// Files under a journal's name that are not journals, left alone.
    pub foreign: Vec<PathBuf>,
    /// Journals that could not be opened (another user's, say), with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// A journal with damage: what was lost, and where the file is kept.
#[derive(Debug, Clone)]
pub struct Damaged {
    pub kept: PathBuf,
    pub records: usize,
    pub bytes: u64,
}

/// Where a damaged journal is kept: beside it, under a name no indexer reads.
fn damaged_copy(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".damaged");
    path.with_file_name(name)
}

/// Indexes every journal of the store at `db`: those of running processes up to
/// what they have written, orphans to their end (and then removes them).
pub(super) fn catch_up(conn: &mut Connection, db: &Path) -> Result<CaughtUp, StoreError> {
    let prefix = prefix(db);
    let dir = dir_of(db);
    let mut done = CaughtUp::default();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(done);
    };
    let all: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    // A journal being made (`Owned::create`) whose process died before renaming it:
    // empty but for its header, nobody's, and older than a minute (one made this
    // moment is not locked yet).
    let stale = |f: &File| {
        f.metadata().and_then(|m| m.modified()).is_ok_and(|t| {
            t.elapsed()
                .is_ok_and(|age| age > std::time::Duration::from_secs(60))
        })
    };
    for temp in all
        .iter()
        .filter(|n| n.starts_with(&format!(".{prefix}")) && n.ends_with(".new"))
    {
        let path = dir.join(temp);
        if std::fs::File::open(&path).is_ok_and(|f| stale(&f) && f.try_lock().is_ok()) {
            let _ = std::fs::remove_file(&path);
        }
    }
    let mut names: Vec<String> = all
        .into_iter()
        .filter(|n| n.starts_with(&prefix) && n.len() == prefix.len() + 16)
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let file = match std::fs::OpenOptions::new().read(true).open(&path) {
            Ok(f) => f,
            // Removed meanwhile by whoever finished it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            // Another user's, say: what it holds cannot be read from here, and the
            // rest of the store still can.
            Err(e) => {
                done.unreadable.push((path, e.to_string()));
                continue;
            }
        };
        let orphan = file.try_lock().is_ok();
        // A look without the store's lock first: a journal with nothing new (the
        // common case, a running `listen` that is keeping up) costs no write.
        let mark: Option<i64> = conn
            .query_row(
                "SELECT position FROM journal_progress WHERE name = ?1",
                [&name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| IndexError::Sql(e).into_store(&path))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if !orphan && mark.is_some_and(|p| p < 0 || p as u64 >= size) {
            continue;
        }
        let mut damage: Option<Damaged> = None;
        loop {
            let step = match index(conn, &file, &name, 4096, orphan, &|| false) {
                Ok(step) => step,
                // Something else under a journal's name: left alone, and said so.
                Err(IndexError::Foreign) => {
                    done.foreign.push(path.clone());
                    break;
                }
                Err(e) => return Err(e.into_store(&path)),
            };
            done.records += step.records;
            done.lost += step.lost;
            done.too_big += step.too_big;
            done.renumbered += step.renumbered;
            if step.damaged() {
                // The damaged file is kept whole under another name before anything
                // is removed: a link, so that it survives whatever happens next.
                let kept = damaged_copy(&path);
                if damage.is_none() && !kept.exists() {
                    let _ = std::fs::hard_link(&path, &kept)
                        .or_else(|_| std::fs::copy(&path, &kept).map(|_| ()));
                }
                let d = damage.get_or_insert(Damaged {
                    kept,
                    records: 0,
                    bytes: 0,
                });
                d.records += step.damaged_records;
                d.bytes += step.damaged_bytes;
            }
            if step.finished {
                // Indexed to its end and marked so: removing it now loses nothing,
                // and a removal that does not happen (a crash) is done next time.
                if orphan {
                    let _ = std::fs::remove_file(&path);
                }
                break;
            }
            if step.records == 0 && !step.damaged() {
                break;
            }
        }
        done.damaged.extend(damage);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::super::{Store, tests::incoming};
    use super::*;

    fn count(store: &Store) -> i64 {
        store.count().unwrap()
    }

    fn journals(db: &Path) -> Vec<String> {
        let prefix = prefix(db);
        let mut names: Vec<String> = std::fs::read_dir(dir_of(db))
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(&prefix))
            .collect();
        names.sort();
        names
    }

    /// A record round-trips through its frame: every field, headers in order with
    /// their case, bytes that are not UTF-8.
    #[test]
    fn a_record_round_trips() {
        let mut r = incoming(300);
        r.headers.push("X-Mixed-Case", "a");
        r.headers.push("x-mixed-case", "b");
        r.headers.push(
            "X-Raw",
            crate::envelope::headers::value_from_bytes(b"caf\xe9"),
        );
        r.valid = Some(false);
        r.reason = Some("bad signature".into());
        r.duplicate = true;
        r.attempts.push(RecordedAttempt {
            number: 3,
            started_at: "2026-11-30T00:00:00Z".into(),
            status: Some(401),
            latency_ms: Some(1.25),
            error: None,
            response_headers: Some(r.headers.clone()),
            response_body: Some(bytes::Bytes::from_static(b"{}")),
        });
        let mut out = Vec::new();
        assert!(encode(&mut out, 42, "when", &r));
        let e = decode(&out[FRAME_HEAD..]).unwrap();
        assert_eq!((e.id, e.created_at.as_str()), (42, "when"));
        assert_eq!(format!("{:?}", e.record), format!("{r:?}"));
    }

    /// What a killed process journaled is indexed by the next one to open the store,
    /// under the ids it was given, exactly once; a frame it never finished writing is
    /// counted as lost, and the orphan is removed.
    #[test]
    fn an_orphan_is_indexed_once_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        drop(Store::open(&db).unwrap());
        let mut j = Owned::create(&db).unwrap();
        let mut frames = Vec::new();
        for id in [7, 8, 9] {
            encode(&mut frames, id, "t", &incoming(1000));
        }
        j.append(&frames).unwrap();
        // A write cut short by the kill: half a frame.
        let mut torn = Vec::new();
        encode(&mut torn, 10, "t", &incoming(1000));
        j.append(&torn[..torn.len() / 2]).unwrap();
        assert_eq!(journals(&db).len(), 1);
        drop(j); // the process is gone: its lock with it

        let mut store = Store::open_rw(&db).unwrap();
        let done = store.catch_up().unwrap();
        assert_eq!((done.records, done.lost), (3, (torn.len() / 2) as u64));
        assert_eq!(count(&store), 3);
        for id in [7, 8, 9] {
            assert!(store.get(id).unwrap().is_some(), "id {id} missing");
        }
        assert!(journals(&db).is_empty(), "the orphan was not removed");
        // Opening again indexes nothing twice.
        drop(store);
        let store = Store::open(&db).unwrap();
        assert_eq!(count(&store), 3);
    }

    /// A running writer's journal is indexed by readers up to what it has written,
    /// each record once however many read it, and is left in place.
    #[test]
    fn a_live_journal_is_indexed_as_it_grows_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        drop(Store::open(&db).unwrap());
        let mut j = Owned::create(&db).unwrap();
        let mut frames = Vec::new();
        encode(&mut frames, 1, "t", &incoming(10));
        j.append(&frames).unwrap();
        let mut a = Store::open(&db).unwrap();
        let mut b = Store::open(&db).unwrap();
        assert_eq!(count(&a), 1);
        assert_eq!(b.catch_up().unwrap().records, 0);
        frames.clear();
        encode(&mut frames, 2, "t", &incoming(10));
        encode(&mut frames, 3, "t", &incoming(10));
        j.append(&frames).unwrap();
        assert_eq!(b.catch_up().unwrap().records, 2);
        assert_eq!(a.catch_up().unwrap().records, 0);
        assert_eq!(count(&a), 3);
        assert_eq!(journals(&db).len(), 1, "a live journal was removed");
    }

    /// A journal whose process died while making it (before its rename) is removed;
    /// one being made (locked, or made this moment) is not.
    #[test]
    fn a_journal_left_half_made_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        drop(Store::open(&db).unwrap());
        let made = |name: &str, age: u64| {
            let path = dir.path().join(format!(".{}{name}.new", prefix(&db)));
            std::fs::write(&path, MAGIC).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age))
                .unwrap();
            (path, f)
        };
        let (dead, _) = made("00000000000000aa", 120);
        let (held, f) = made("00000000000000bb", 120);
        f.try_lock().unwrap();
        let (fresh, _) = made("00000000000000cc", 0);
        drop(Store::open(&db).unwrap());
        assert!(!dead.exists());
        assert!(held.exists(), "one being made was removed");
        assert!(fresh.exists(), "one made this moment was removed");
    }

    /// An orphan of `n` records (ids 1..=n) with `damage` done to its bytes; the
    /// store, its journal's path, and each frame's offset.
    fn damaged_orphan(
        dir: &Path,
        n: i64,
        damage: impl FnOnce(&mut Vec<u8>, &[usize]),
    ) -> (PathBuf, PathBuf) {
        let db = dir.join("s.db");
        drop(Store::open(&db).unwrap());
        let j = Owned::create(&db).unwrap();
        let path = j.path.clone();
        let mut bytes = MAGIC.to_vec();
        let mut starts = Vec::new();
        for id in 1..=n {
            starts.push(bytes.len());
            encode(&mut bytes, id, "t", &incoming(200 + id as usize));
        }
        damage(&mut bytes, &starts);
        std::fs::write(&path, &bytes).unwrap();
        drop(j);
        (db, path)
    }

    fn ids(store: &Store) -> Vec<i64> {
        let mut stmt = store
            .connection()
            .prepare("SELECT id FROM deliveries ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// A byte flipped in one record's payload loses that record alone: every later
    /// one is indexed, the damage is counted, and the file is kept, not deleted.
    #[test]
    fn a_flipped_payload_byte_loses_one_record() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = damaged_orphan(dir.path(), 50, |b, starts| b[starts[20] + 40] ^= 0x10);
        let mut store = Store::open_rw(&db).unwrap();
        let done = store.catch_up().unwrap();
        assert_eq!(done.records, 49);
        assert_eq!(done.damaged.len(), 1);
        assert_eq!((done.damaged[0].records, done.damaged[0].bytes), (1, 0));
        assert_eq!(done.lost, 0);
        let expected: Vec<i64> = (1..=50).filter(|&i| i != 21).collect();
        assert_eq!(ids(&store), expected);
        assert!(!path.exists());
        let kept = damaged_copy(&path);
        assert!(kept.exists(), "the damaged journal was deleted");
        // The kept copy is not read again as a journal.
        drop(store);
        let store = Store::open(&db).unwrap();
        assert_eq!(count(&store), 49);
    }

    /// A damaged length: the reader finds the next whole frame and goes on from it.
    #[test]
    fn a_damaged_length_is_passed_and_reading_resynchronises() {
        let dir = tempfile::tempdir().unwrap();
        for (case, flip) in [("huge", 0x80u8), ("short", 0x01)] {
            let d = dir.path().join(case);
            std::fs::create_dir(&d).unwrap();
            let (db, _) = damaged_orphan(&d, 30, |b, starts| b[starts[10] + 2] ^= flip);
            let mut store = Store::open_rw(&db).unwrap();
            let done = store.catch_up().unwrap();
            let expected: Vec<i64> = (1..=30).filter(|&i| i != 11).collect();
            assert_eq!(ids(&store), expected, "{case}");
            assert_eq!(done.damaged.len(), 1, "{case}");
            assert!(
                done.damaged[0].bytes > 0 || done.damaged[0].records == 1,
                "{case}"
            );
        }
    }

    /// A damaged header before whole frames: a journal still, read whole and kept.
    #[test]
    fn a_damaged_header_is_read_past() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = damaged_orphan(dir.path(), 5, |b, _| b[3] ^= 0xff);
        let mut store = Store::open_rw(&db).unwrap();
        let done = store.catch_up().unwrap();
        assert_eq!(ids(&store), vec![1, 2, 3, 4, 5]);
        assert_eq!(done.damaged.len(), 1);
        assert!(damaged_copy(&path).exists());
    }

    /// An empty journal, and one whose recorded progress is past its end, count no
    /// lost bytes (no underflow) and are finished.
    #[test]
    fn counts_do_not_underflow() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = damaged_orphan(dir.path(), 0, |_, _| {});
        let mut store = Store::open_rw(&db).unwrap();
        let done = store.catch_up().unwrap();
        assert_eq!((done.records, done.lost), (0, 0));
        assert!(!path.exists());
        let (db, path) = damaged_orphan(&dir.path().join("x"), 2, |_, _| {});
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut store = Store::open_rw(&db).unwrap();
        store
            .connection()
            .execute(
                "INSERT INTO journal_progress (name, position) VALUES (?1, 1000000)",
                [&name],
            )
            .unwrap();
        let done = store.catch_up().unwrap();
        assert_eq!((done.records, done.lost), (0, 0));
    }

    /// A further attempt (record version 3) is added to its delivery, whose state it
    /// sets; the arrival rides along; one whose delivery is not there is a row of its
    /// own.
    #[test]
    fn a_further_attempt_joins_its_delivery() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        drop(Store::open(&db).unwrap());
        let mut j = Owned::create(&db).unwrap();
        let attempt = |n: u32, status: u16| RecordedAttempt {
            number: n,
            started_at: "t".into(),
            status: Some(status),
            ..RecordedAttempt::default()
        };
        let arrival = Some(crate::store::RelayArrival {
            received_at: 1_700_000_000_000,
            public_target: "/c/x/in".into(),
            held: true,
        });
        let mut first = incoming(10);
        first.state = State::Failed;
        first.attempts = vec![attempt(1, 503)];
        first.arrival = arrival.clone();
        let mut again = first.clone();
        again.state = State::Delivered;
        again.attempts = vec![attempt(2, 204)];
        again.attempt_of = Some(7);
        let mut lone = again.clone();
        lone.attempt_of = Some(9);
        let mut frames = Vec::new();
        encode(&mut frames, 7, "t", &first);
        encode(&mut frames, 7, "t", &again);
        encode(&mut frames, 9, "t", &lone);
        let len = u32::from_be_bytes(frames[..4].try_into().unwrap()) as usize;
        let e = decode(&frames[FRAME_HEAD..FRAME_HEAD + len]).unwrap();
        assert_eq!(e.record.arrival, arrival);
        j.append(&frames).unwrap();
        drop(j);
        let mut store = Store::open_rw(&db).unwrap();
        store.catch_up().unwrap();
        assert_eq!(ids(&store), vec![7, 9]);
        let (d, attempts) = store.get(7).unwrap().unwrap();
        assert_eq!(d.state, "delivered");
        assert_eq!(
            attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
            vec![Some(503), Some(204)]
        );
        assert_eq!(store.relay_held_among(&[7, 9]).unwrap().len(), 2);
    }

    /// Something else under a journal's name stops nobody from opening the store.
    #[test]
    fn a_foreign_file_under_a_journal_name_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        drop(Store::open(&db).unwrap());
        let stray = dir.path().join(format!("{}0123456789abcdef", prefix(&db)));
        std::fs::write(&stray, b"not a journal at all").unwrap();
        let mut store = Store::open(&db).unwrap();
        assert_eq!(count(&store), 0);
        assert!(stray.exists());
        // ... and is reported, not passed over in silence.
        assert_eq!(store.catch_up().unwrap().foreign, vec![stray.clone()]);
    }

    /// Ids a writer reserved and did not use go back when nobody took any since, so
    /// a short `listen` leaves no gap before the next record.
    #[test]
    fn unused_ids_are_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let writer = super::super::BatchWriter::start(Store::open(&db).unwrap()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for want in 1..=3 {
            assert_eq!(rt.block_on(writer.send_acked(incoming(5))), Some(want));
        }
        let finished = writer.finish().unwrap();
        assert_eq!((finished.written, finished.unindexed), (3, 0));
        assert!(
            journals(&db).is_empty(),
            "a wholly indexed journal was left"
        );
        let store = Store::open(&db).unwrap();
        let mut h = crate::envelope::HeaderList::new();
        h.push("a", "b");
        let id = store
            .insert_delivery(&super::super::NewDelivery {
                direction: Direction::Out,
                source: "send",
                profile: None,
                event: None,
                delivery_id: None,
                method: "POST",
                url: "http://x/",
                headers: &h,
                body: b"{}",
                valid: None,
                reason: None,
                duplicate: false,
                replay_of: None,
                state: State::Pending,
            })
            .unwrap();
        assert_eq!(id, 4);
    }
}
