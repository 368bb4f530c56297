//! A delivery sent again, and timestamps outside the tolerance.

use super::{grade_refusal, secs, status_of};
use crate::audit::{Audit, Check, Grade, TAG_HEADER};
use crate::clock::now_unix;
use crate::envelope::retry::{Decision, Outcome};
use anyhow::Result;
use std::time::Duration;

impl Audit {
    pub(in crate::audit) async fn replayed(&mut self) -> Result<Check> {
        let name = "replayed-delivery";
        let (mut again, _) = self.valid.clone().expect("valid ran first");
        let id = again.built.id.clone();
        again.headers.set(TAG_HEADER, name);
        // The count after the valid delivery, if there is an oracle.
        let counted = match self.count_before {
            Some(before) => Some((
                before,
                self.oracle_past(before, Duration::from_secs(2)).await?,
            )),
            None => None,
        };
        let result = self.send(again, self.timeout()).await?;
        let mut c = self.new_check(name, Grade::Skip, String::new());
        c.sent = format!("the valid delivery again, byte for byte (the same id, {id})");
        c.expected = "a 2xx answer, and the delivery not acted on a second time".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!("--id {}", crate::show::shell_word(&id)));
        let retried = match &result {
            Ok(s) => matches!(
                self.plan
                    .profile
                    .retry
                    .decide(1, &Outcome::Status(s.status), None),
                Decision::Retry { .. }
            ),
            Err(e) => !matches!(
                self.plan.profile.retry.decide(1, &e.outcome(), None),
                Decision::Delivered
            ),
        };
        let answer_note = if retried {
            Some(format!(
                "answered {}: `{}` would send it again and again, as a failure",
                status_of(&result).map_or_else(|| "nothing".to_string(), |s| s.to_string()),
                self.plan.profile.name
            ))
        } else {
            None
        };
        match counted {
            None => {
                c.grade = if retried { Grade::Warn } else { Grade::Skip };
                c.summary = answer_note.unwrap_or_else(|| {
                    "answered; whether it was acted on twice cannot be seen from outside (pass --oracle-url)".into()
                });
            }
            Some((before, after_valid)) if after_valid <= before => {
                c.grade = Grade::Warn;
                c.summary = format!(
                    "the oracle's count did not move for the valid delivery ({before} → {after_valid}), so it cannot tell"
                );
            }
            Some((_, after_valid)) => {
                let after = self
                    .oracle_past(after_valid, Duration::from_secs(1))
                    .await?;
                c.got = format!("{}; the oracle counted {after_valid} → {after}", c.got);
                if after > after_valid {
                    c.grade = Grade::Fail;
                    c.summary =
                        format!("processed it again: the count went from {after_valid} to {after}");
                } else {
                    c.grade = if retried { Grade::Warn } else { Grade::Pass };
                    c.summary = answer_note.unwrap_or_else(|| "not processed again".into());
                }
            }
        }
        Ok(c)
    }

    pub(in crate::audit) async fn timestamp(&mut self, future: bool) -> Result<Check> {
        let name = if future {
            "future-timestamp"
        } else {
            "stale-timestamp"
        };
        let p = &self.plan.profile;
        if !p.timestamped() {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` signs no timestamp, so a request cannot be dated",
                    p.name
                ),
            ));
        }
        let Some(tolerance) = self.scheme().tolerance else {
            return Ok(self.skip(
                name,
                format!("`{}` sets no tolerance for its timestamp", p.name),
            ));
        };
        // Well beyond the tolerance: twice it, and at least a minute past it.
        let off = (tolerance * 2).max(tolerance + Duration::from_secs(60));
        let off_secs = i64::try_from(off.as_secs()).unwrap_or(i64::MAX / 2);
        let now = now_unix();
        let ts = if future {
            now.saturating_add(off_secs)
        } else {
            now.saturating_sub(off_secs)
        };
        let prepared = self.prepare(name, ts)?;
        let expected = Vec::new(); // the signature sent is the right one
        let result = self.probe(name, prepared, expected).await?;
        // A timestamp ahead is the lesser risk: only a skewed provider makes one.
        let accepted = if future { Grade::Warn } else { Grade::Fail };
        let (grade, summary) = grade_refusal(&result, accepted);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "a delivery signed {} {} (the tolerance is {})",
            secs(off),
            if future { "ahead" } else { "ago" },
            secs(tolerance)
        );
        c.expected = "4xx: the timestamp is outside the tolerance".into();
        c.answered(&result);
        c.reproduce = self.send_with(&format!(
            "--timestamp {}{}s",
            if future { "+" } else { "-" },
            off_secs
        ));
        Ok(c)
    }
}
