//! How a body arrives, on a connection written by hand: too large, too slowly.

use super::{secs, size};
use crate::audit::{Audit, Check, Grade, OVERSIZED, SLOW_BODY_LIMIT, SLOW_BODY_OVER, raw};
use crate::clock::now_unix;
use anyhow::Result;
use serde_json::Value;
use std::time::Duration;

impl Audit {
    pub(in crate::audit) async fn oversized(&mut self) -> Result<Check> {
        let name = "oversized-body";
        let prepared = self.prepare(name, now_unix())?;
        // The event's own body, padded to 8 MiB inside the JSON, validly signed: only
        // its size is wrong.
        let mut body = prepared.body.to_vec();
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(mut m)) => {
                m.insert("padding".into(), Value::String(String::new()));
                let base = crate::envelope::json::to_vec(&Value::Object(m.clone())).len();
                m.insert(
                    "padding".into(),
                    Value::String("x".repeat(OVERSIZED.saturating_sub(base))),
                );
                body = crate::envelope::json::to_vec(&Value::Object(m));
            }
            _ => body.resize(OVERSIZED.max(body.len()), b' '),
        }
        let ts = prepared.built.timestamp;
        let headers = self.plan.sign(&prepared.built, &body, ts)?;
        let outcome = self
            .send_paced(&headers, &body, raw::Pace::Fast, self.timeout())
            .await;
        let total = body.len();
        let (grade, summary, got, status) =
            grade_raw(&outcome, |o| grade_oversized(o, total, self.timeout()));
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a validly signed {} body, written as fast as it was read",
            size(total)
        );
        c.expected = "413, or the connection cut, before it is all read".into();
        c.got = got;
        c.status = status;
        c.reproduce = self.audit_only(name);
        Ok(c)
    }

    pub(in crate::audit) async fn slow_body(&mut self) -> Result<Check> {
        let name = "slow-body";
        let prepared = self.prepare(name, now_unix())?;
        let total = prepared.body.len();
        let pace = raw::Pace::Trickle {
            over: SLOW_BODY_OVER,
            pieces: 30,
        };
        let outcome = self
            .send_paced(&prepared.headers, &prepared.body, pace, SLOW_BODY_LIMIT)
            .await;
        let (grade, summary, got, status) = grade_raw(&outcome, |o| grade_slow_body(o, total));
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a validly signed {}-byte body trickled over {} s",
            total,
            SLOW_BODY_OVER.as_secs()
        );
        c.expected = format!(
            "cut off, or answered 4xx, within {} s",
            SLOW_BODY_LIMIT.as_secs()
        );
        c.got = got;
        c.status = status;
        c.reproduce = self.audit_only(name);
        Ok(c)
    }
}

/// A raw exchange's grade, one-line summary, what came back, and its status.
type Graded = (Grade, String, String, Option<u16>);

/// Grades what came of a request written by hand with `grade`; one that could not
/// be sent is a warning.
fn grade_raw(
    outcome: &Result<raw::RawOutcome, String>,
    grade: impl FnOnce(&raw::RawOutcome) -> Graded,
) -> Graded {
    match outcome {
        Err(e) => (
            Grade::Warn,
            format!("could not send it: {e}"),
            e.clone(),
            None,
        ),
        Ok(o) => grade(o),
    }
}

/// How `oversized-body` went: a 413 or a cut before the whole body was read passes;
/// taking it all and answering 2xx fails.
fn grade_oversized(o: &raw::RawOutcome, total: usize, timeout: Duration) -> Graded {
    let read_all = o.written >= total;
    let after = format!("after {} of {} was written", size(o.written), size(total));
    match &o.ended {
        raw::Ended::Answered(a) if a.status == 413 => (
            Grade::Pass,
            format!("refused (413) {after}"),
            format!("413 {} {after}", a.reason),
            Some(413),
        ),
        raw::Ended::Answered(a) if (200..300).contains(&a.status) => (
            Grade::Fail,
            format!("took all {} and answered {}", size(total), a.status),
            format!("{} {} {after}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Answered(a) if (400..500).contains(&a.status) && !read_all => (
            Grade::Pass,
            format!("refused ({}) {after}", a.status),
            format!("{} {} {after}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Answered(a) => (
            Grade::Warn,
            format!(
                "read all {} before answering {}: the limit should come first (413)",
                size(total),
                a.status
            ),
            format!("{} {} {after}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Closed(d) if !read_all => (
            Grade::Pass,
            format!("cut off {after}"),
            format!("{d}, {after}"),
            None,
        ),
        raw::Ended::Closed(d) => (
            Grade::Warn,
            format!("read all {} and closed without an answer", size(total)),
            d.clone(),
            None,
        ),
        raw::Ended::TimedOut if read_all => (
            Grade::Warn,
            format!("no answer within {} of the last byte", secs(timeout)),
            format!("no answer {after}"),
            None,
        ),
        raw::Ended::TimedOut => (
            Grade::Warn,
            format!("stopped reading {after}, but neither answered nor closed the connection"),
            format!("no answer {after}"),
            None,
        ),
        raw::Ended::Unreadable(d) => (
            Grade::Skip,
            format!("could not read the answer: {d}"),
            format!("{d} {after}"),
            None,
        ),
    }
}

/// How `slow-body` went: giving up within [`SLOW_BODY_LIMIT`] (and a second) passes;
/// waiting for the whole trickle and taking it fails.
fn grade_slow_body(o: &raw::RawOutcome, total: usize) -> Graded {
    // A receiver whose timeout is the limit itself answers a moment after it.
    let limit = SLOW_BODY_LIMIT + Duration::from_secs(1);
    let when = format!("after {:.1} s", o.at.as_secs_f64());
    let complete = o.written >= total;
    match &o.ended {
        raw::Ended::Answered(a) if (200..300).contains(&a.status) => (
            Grade::Fail,
            format!(
                "waited for the whole trickle and answered {} {when}",
                a.status
            ),
            format!("{} {} {when}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Answered(a) if o.at <= limit && !complete => (
            Grade::Pass,
            format!("gave up ({}) {when}", a.status),
            format!("{} {} {when}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Closed(d) if o.at <= limit && !complete => (
            Grade::Pass,
            format!("cut it off {when}"),
            format!("{d} {when}"),
            None,
        ),
        raw::Ended::Answered(a) => (
            Grade::Warn,
            format!(
                "gave up only {when} ({}): a sound receiver stops waiting within {}",
                a.status,
                secs(SLOW_BODY_LIMIT)
            ),
            format!("{} {} {when}", a.status, a.reason),
            Some(a.status),
        ),
        raw::Ended::Closed(d) => (
            Grade::Warn,
            format!(
                "cut it off only {when}: a sound receiver stops waiting within {}",
                secs(SLOW_BODY_LIMIT)
            ),
            format!("{d} {when}"),
            None,
        ),
        raw::Ended::TimedOut => (
            Grade::Fail,
            format!(
                "took the whole {}-second trickle and still had not answered {} later",
                SLOW_BODY_OVER.as_secs(),
                secs(SLOW_BODY_LIMIT)
            ),
            format!("no answer {when}"),
            None,
        ),
        raw::Ended::Unreadable(d) => (
            Grade::Skip,
            format!("could not read the answer: {d}"),
            format!("{d} {when}"),
            None,
        ),
    }
}
