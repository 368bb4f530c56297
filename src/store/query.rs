//! Reading deliveries back: lists and filters, one delivery whole, exports a page
//! at a time, timelines, what `replay --failed` takes, pruning.

use super::{Store, StoreError, journal};
use crate::envelope::HeaderList;
use rusqlite::OptionalExtension;
use std::collections::HashMap;

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
    #[serde(serialize_with = "crate::show::ser_round3_opt")]
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
    #[serde(serialize_with = "crate::show::ser_round3_opt")]
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
