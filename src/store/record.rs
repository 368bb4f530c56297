//! Writing deliveries and attempts into the tables: ids taken from the store's
//! counter, rows inserted, and a journal's records entered under the ids they were
//! journaled with.

use super::checkpoint::counter_past_every_id;
use super::schema::in_own_transaction;
use super::{Direction, NewAttempt, NewDelivery, Recorded, State, Store, StoreError, now_rfc3339};
use crate::envelope::HeaderList;
use rusqlite::{Connection, params};

fn headers_json(h: &HeaderList) -> String {
    serde_json::to_string(h).expect("headers always serialise")
}

impl Store {
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
}

/// Takes `n` delivery ids from the store's counter; the first of them.
///
/// The ids are used (journaled, acknowledged) as soon as this returns, so it returns
/// only once the counter's move is committed: outside a transaction it makes one of
/// its own and checks its `COMMIT`. (A lone `UPDATE … RETURNING` commits when the
/// statement is reset, and an error there, a full disk say, is lost: the counter
/// stays behind and the same ids are handed out again.) Inside a transaction, the
/// caller's commit decides, and the caller uses the ids only if it succeeds.
pub(super) fn reserve_ids(conn: &Connection, n: i64) -> rusqlite::Result<i64> {
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

/// Hands back ids `from..to` when nobody took any after them: a `listen` that
/// stops leaves no gap before the next delivery recorded.
pub(super) fn give_back_ids(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<bool> {
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
pub(super) fn insert_entry(
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
