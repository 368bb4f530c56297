//! What the store has to tell whoever uses it, as values: the store prints nothing.
//! A [`Store`](super::Store) collects them as it opens and indexes
//! ([`Store::take_warnings`](super::Store::take_warnings)), a
//! [`BatchWriter`](super::BatchWriter) as its indexer runs; the caller renders them
//! (a `warning:` line on stderr, or a `warning` record with `--json`).

use serde::{Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// Most warnings a store or writer keeps until they are taken: a reader that never
/// takes them (and catches up for hours) holds no more than this.
pub(super) const MAX_KEPT: usize = 64;

/// Something about the store a user should know, that did not stop the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreWarning {
    /// A journal's records too large for SQLite (1 GB a value), passed over.
    TooBig {
        #[serde(serialize_with = "lossy")]
        store: PathBuf,
        records: usize,
    },
    /// A damaged journal: what could not be read from it, and where it is kept.
    JournalDamaged {
        #[serde(serialize_with = "lossy")]
        store: PathBuf,
        lost_records: usize,
        lost_bytes: u64,
        #[serde(serialize_with = "lossy")]
        kept_as: PathBuf,
    },
    /// A file under a journal's name that is not a journal, left alone.
    ForeignFile {
        #[serde(serialize_with = "lossy")]
        path: PathBuf,
    },
    /// A journal that cannot be opened (another user's, say).
    JournalUnreadable {
        #[serde(serialize_with = "lossy")]
        path: PathBuf,
        error: String,
    },
    /// Journaled deliveries whose ids other deliveries held, kept under new ids.
    Renumbered {
        #[serde(serialize_with = "lossy")]
        store: PathBuf,
        deliveries: usize,
    },
    /// Bytes at the end of an orphaned journal that were not whole records.
    TornTail {
        #[serde(serialize_with = "lossy")]
        store: PathBuf,
        bytes: u64,
    },
    /// The id counter was behind the deliveries, and was moved past them.
    CounterBehind {
        #[serde(serialize_with = "lossy")]
        store: PathBuf,
    },
    /// The journals could not be indexed on opening; the store is used as it is.
    NotIndexed { error: String },
}

/// A path as text, whatever its bytes (serde refuses a path that is not UTF-8).
fn lossy<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

impl fmt::Display for StoreWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreWarning::TooBig { store, records } => write!(
                f,
                "{records} records in a journal of the store `{}` are too large for SQLite (1 GB a value) and were not recorded",
                store.display()
            ),
            StoreWarning::JournalDamaged {
                store,
                lost_records,
                lost_bytes,
                kept_as,
            } => write!(
                f,
                "a journal of the store `{}` is damaged: {lost_records} records and {lost_bytes} bytes in it could not be read and are not in the store; every whole record after the damage is. The file is kept as `{}`",
                store.display(),
                kept_as.display()
            ),
            StoreWarning::ForeignFile { path } => write!(
                f,
                "`{}` has the name of one of the store's journals but is not one (no journal header, no readable record); it was left alone",
                path.display()
            ),
            StoreWarning::JournalUnreadable { path, error } => write!(
                f,
                "the journal `{}` cannot be read ({error}); what it holds is not in the store yet",
                path.display()
            ),
            StoreWarning::Renumbered { store, deliveries } => write!(
                f,
                "{deliveries} journaled deliveries of the store `{}` had ids that other deliveries held (a store written by an older hookctl after a failed write); both were kept, these under new ids",
                store.display()
            ),
            StoreWarning::TornTail { store, bytes } => write!(
                f,
                "{bytes} bytes at the end of a journal of the store `{}` were not whole records (a write its process never finished, or damage); they were not recorded",
                store.display()
            ),
            StoreWarning::CounterBehind { store } => write!(
                f,
                "the id counter of the store `{}` was behind its deliveries (a write that failed in an older hookctl); it now starts after them",
                store.display()
            ),
            StoreWarning::NotIndexed { error } => write!(
                f,
                "{error}; what is not yet indexed is left for the next command"
            ),
        }
    }
}

/// Adds `w` to `kept` unless [`MAX_KEPT`] are waiting; renumbered deliveries of one
/// store are counted in one warning.
pub(super) fn keep(kept: &mut Vec<StoreWarning>, w: StoreWarning) {
    if let StoreWarning::Renumbered { store, deliveries } = &w
        && let Some(StoreWarning::Renumbered { deliveries: n, .. }) = kept
            .iter_mut()
            .find(|k| matches!(k, StoreWarning::Renumbered { store: s, .. } if s == store))
    {
        *n = n.saturating_add(*deliveries);
        return;
    }
    if kept.len() < MAX_KEPT {
        kept.push(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_reads_as_a_sentence_and_serialises_with_its_kind() {
        let w = StoreWarning::JournalDamaged {
            store: "/s/hookctl.db".into(),
            lost_records: 1,
            lost_bytes: 7,
            kept_as: "/s/j.damaged".into(),
        };
        assert!(w.to_string().starts_with(
            "a journal of the store `/s/hookctl.db` is damaged: 1 records and 7 bytes"
        ));
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            serde_json::json!({"kind": "journal_damaged", "store": "/s/hookctl.db",
                "lost_records": 1, "lost_bytes": 7, "kept_as": "/s/j.damaged"})
        );
    }

    #[test]
    fn warnings_kept_are_bounded_and_renumbered_ones_add_up() {
        let mut kept = Vec::new();
        for _ in 0..3 {
            keep(
                &mut kept,
                StoreWarning::Renumbered {
                    store: "s".into(),
                    deliveries: 2,
                },
            );
        }
        assert_eq!(
            kept,
            [StoreWarning::Renumbered {
                store: "s".into(),
                deliveries: 6
            }]
        );
        for i in 0..200 {
            keep(
                &mut kept,
                StoreWarning::NotIndexed {
                    error: i.to_string(),
                },
            );
        }
        assert_eq!(kept.len(), MAX_KEPT);
    }

    /// A path that is not UTF-8 still serialises (lossily) rather than failing.
    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_serialises() {
        use std::os::unix::ffi::OsStrExt;
        let w = StoreWarning::ForeignFile {
            path: std::ffi::OsStr::from_bytes(b"/s/\xff").into(),
        };
        assert!(serde_json::to_string(&w).unwrap().contains("/s/\u{fffd}"));
    }
}
