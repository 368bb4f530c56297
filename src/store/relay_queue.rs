//! The relay's tables: channels, the deliveries it holds for a client that is away,
//! what it gave up on, and the arrivals `listen --relay` recorded.

use super::{Store, StoreError, now_rfc3339};
use rusqlite::{OptionalExtension, params};

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
