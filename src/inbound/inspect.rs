//! Admit and inspect: which profile a delivery is, whether it verifies, which
//! event and id it carries, whether it is a repeat; and what of it is masked.

use super::*;
use crate::clock::now_unix;
use crate::envelope::catalog::detect_among;
use crate::envelope::template::Ctx;
use crate::envelope::{HeaderList, Profile, Received, VerifyOptions};
use crate::http::server::Relayed;
use crate::show::BodyJson;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// How many delivery ids `listen` remembers for telling duplicates: the most recent
/// ones, from the store at start and then as they arrive. A long session with many
/// distinct ids keeps a window of them, not every id it ever saw.
pub const SEEN_WINDOW: usize = 100_000;

/// Attempts per delivery id, over the last [`SEEN_WINDOW`] distinct ids.
pub(super) struct Seen {
    counts: HashMap<Arc<str>, u32>,
    order: VecDeque<Arc<str>>,
}

impl Seen {
    /// From ids already seen, oldest first (the first to leave the window).
    pub(super) fn new(recent: Vec<(String, u32)>) -> Seen {
        let mut seen = Seen {
            counts: HashMap::with_capacity(recent.len()),
            order: VecDeque::with_capacity(recent.len()),
        };
        for (id, n) in recent {
            let id: Arc<str> = id.into();
            seen.order.push_back(Arc::clone(&id));
            seen.counts.insert(id, n);
        }
        seen.trim();
        seen
    }

    /// Counts one more attempt of `id`; which attempt this is.
    pub(super) fn attempt(&mut self, id: &str) -> u32 {
        if let Some(n) = self.counts.get_mut(id) {
            *n += 1;
            return *n;
        }
        let id: Arc<str> = id.into();
        self.order.push_back(Arc::clone(&id));
        self.counts.insert(id, 1);
        self.trim();
        1
    }

    pub(super) fn trim(&mut self) {
        while self.order.len() > SEEN_WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.counts.remove(&old);
            }
        }
    }
}

/// What tells a delivery without an id on the wire from another: a hash of its body
/// (none for an empty body, which tells nothing apart).
pub(super) fn body_key(body: &[u8]) -> Option<String> {
    use sha2::Digest;
    if body.is_empty() {
        return None;
    }
    let digest = sha2::Sha256::digest(body);
    Some(format!("body:{}", hex::encode(&digest[..16])))
}

/// Whether a profile's deliveries carry an id a receiver can read (a header or a
/// field of the envelope).
pub fn has_wire_id(p: &Profile) -> bool {
    p.id_header().is_some() || p.id_path.is_some()
}

/// What a sender is told of a refused signature: no more than it must know (how
/// many secrets were tried, or which values were expected, stay on the
/// listener's screen and in its store).
pub(super) fn public_refusal(failure: Option<&crate::envelope::Failure>) -> &'static str {
    match failure {
        Some(crate::envelope::Failure::TimestampTooOld { .. })
        | Some(crate::envelope::Failure::TimestampTooNew { .. }) => "timestamp out of tolerance",
        _ => "invalid signature",
    }
}

pub(super) fn secs_text(secs: i64) -> String {
    humantime::format_duration(Duration::from_secs(secs.unsigned_abs())).to_string()
}

impl Receiver {
    /// The headers with a shared token or password masked: the one the delivery's
    /// profile reads, or, for a delivery that fits another profile's token or Basic
    /// auth, that one. `None` when nothing needs masking.
    pub(super) fn masked(
        &self,
        profile: Option<&str>,
        valid: Option<bool>,
        headers: &HeaderList,
    ) -> Option<HeaderList> {
        use crate::envelope::profile::without_shared_secret;
        let own_profile =
            profile.and_then(|name| self.cfg.profiles.iter().find(|p| p.name == name));
        let own = own_profile.and_then(|p| without_shared_secret(p, headers));
        // A delivery its profile verified is that profile's: nothing else to look for
        // (and load mode pays nothing more).
        if valid == Some(true) {
            return own;
        }
        let headers = own.as_ref().unwrap_or(headers);
        // Another profile's token, in a header the profile in use does not read (so
        // that, say, Hover's `Authorization` signature is kept as it came).
        let reads = |name: &str| {
            own_profile.is_some_and(|p| p.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        let other = crate::envelope::catalog::candidates_among(&self.cfg.others, headers)
            .into_iter()
            .chain(crate::envelope::catalog::candidates_among(
                &self.cfg.profiles,
                headers,
            ))
            .filter(|p| p.signature.as_ref().is_some_and(|s| !reads(&s.header)))
            .find_map(|p| without_shared_secret(p, headers));
        other.or(own)
    }

    /// The body, if the request may come in: under `--path`, no dot segments, and a
    /// body that arrived whole and within the limits.
    pub(super) fn admit(
        &self,
        path: &str,
        body: Result<Bytes, crate::http::server::BodyError>,
    ) -> Result<Bytes, (u16, String)> {
        let base = self.cfg.base_path.trim_end_matches('/');
        let bare_path = path.split('?').next().unwrap_or_default();
        let under_base = bare_path
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if !under_base {
            return Err((404, format!("not under {}", self.cfg.base_path)));
        }
        if climbs_out(bare_path) {
            return Err((400, "the path has a `.` or `..` segment".into()));
        }
        body.map_err(|e| (e.status(), e.to_string()))
    }

    /// What the delivery is: its profile, whether it is genuine, its event and id,
    /// whether it was seen before.
    pub(super) fn inspect(
        &self,
        d: &Delivery,
        line: &mut DeliveryLine,
        relayed: Option<&Relayed>,
    ) -> Option<crate::envelope::Failure> {
        let mut failure = None;
        if self.cfg.verbose {
            line.headers = Some(
                d.headers
                    .iter()
                    .map(|(n, v)| [n.to_string(), v.to_string()])
                    .collect(),
            );
            line.body = Some(BodyJson::new(&d.body));
        }

        // Which profile, and is it genuine?
        // The URL (or path) the provider signed. Through a relay: the path its sender
        // used there (`/c/NAME/…`, with its query), on the relay's public URL, not
        // the one `listen` forwards to its app. Behind a proxy: `--public-url`'s.
        let public = self
            .cfg
            .public_url
            .clone()
            .or_else(|| self.relay_url.read().ok().and_then(|u| u.clone()));
        let target = match relayed {
            Some(r) => Some(match public.as_deref().and_then(origin_of) {
                Some(origin) => format!("{origin}{}", r.public_target),
                None => r.public_target.clone(),
            }),
            None => public.map(|u| public_target(&u, &self.cfg.base_path, &d.path)),
        };
        let received = Received {
            method: &d.method,
            path: target.as_deref().unwrap_or(&d.path),
            headers: &d.headers,
            body: &d.body,
        };
        // A delivery the relay held is judged as of when the relay took it; a live
        // one as of now.
        let now = now_unix();
        let held_at = relayed
            .filter(|r| r.held)
            .map(|r| r.received_at_ms.div_euclid(1000));
        // With several candidates (headers that several providers share), the one
        // that verifies with the secrets given; a header's name never decides.
        let profile = if self.cfg.auto {
            let opts = VerifyOptions {
                secrets: &self.cfg.secrets,
                now: held_at.unwrap_or(now),
                tolerance: self.cfg.tolerance,
            };
            match crate::envelope::catalog::detect_verified(&self.cfg.profiles, &received, &opts) {
                crate::envelope::catalog::Detected::One { profile, .. } => Some(profile),
                _ => detect_among(&self.cfg.profiles, &d.headers),
            }
        } else {
            self.cfg.profiles.first()
        };
        if let Some(p) = profile {
            line.profile = Some(p.name.clone());
            if self.cfg.verbose
                && let Some(masked) = self.masked(Some(&p.name), None, &d.headers)
            {
                line.headers = Some(
                    masked
                        .iter()
                        .map(|(n, v)| [n.to_string(), v.to_string()])
                        .collect(),
                );
            }
            if p.signature.is_some() && !self.cfg.secrets.is_empty() {
                let opts = VerifyOptions {
                    secrets: &self.cfg.secrets,
                    now: held_at.unwrap_or(now),
                    tolerance: self.cfg.tolerance,
                };
                match p.verify(&received, &opts) {
                    Ok(v) => {
                        line.valid = Some(v.valid);
                        line.reason = v.reason;
                        if let (Some(at), Some(ts)) = (held_at, v.timestamp) {
                            let before = at.saturating_sub(ts);
                            line.reason.push_str(&format!(
                                " (signed {} {} the relay took it, {} ago)",
                                secs_text(before),
                                if before >= 0 { "before" } else { "after" },
                                secs_text(now.saturating_sub(at))
                            ));
                        }
                        failure = v.failure.clone();
                        line.event = v.event;
                        line.delivery_id = v.id;
                        // Another provider's delivery: say whose it looks like.
                        if matches!(
                            v.failure,
                            Some(crate::envelope::Failure::MissingHeader { .. })
                        ) && let Some(other) = detect_among(&self.cfg.others, &d.headers)
                        {
                            line.reason.push_str(&format!(
                                " (the headers fit profile `{}`: is --profile right?)",
                                other.name
                            ));
                        }
                    }
                    Err(e) => {
                        line.valid = Some(false);
                        line.reason = e.to_string();
                    }
                }
            } else {
                line.reason = if p.signature.is_none() {
                    "the profile signs nothing".into()
                } else {
                    "not checked: no secret given".into()
                };
            }
            if line.event.is_none() || line.delivery_id.is_none() {
                let (e, i) = p.body_event_and_id(&d.body);
                // Read whenever the profile says where they are: without a secret
                // too, so that duplicates and --fail-first still work.
                let header = |name: Option<&str>| {
                    name.and_then(|h| d.headers.get(h))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                line.event = line.event.take().or(e).or(header(p.event_header()));
                line.delivery_id = line.delivery_id.take().or(header(p.id_header())).or(i);
            }
            if let Some(def) = line.event.as_deref().and_then(|e| p.events.get(e)) {
                line.test = def.test;
                if def.handshake {
                    let json = serde_json::from_slice(&d.body).ok();
                    let ctx = Ctx {
                        json: json.as_ref(),
                        ..Ctx::default()
                    };
                    line.handshake = Some(match &def.complete {
                        Some(t) => t
                            .render(&ctx)
                            .unwrap_or_else(|e| format!("(could not read the handshake: {e})")),
                        None => "answer it to complete the handshake".into(),
                    });
                }
            }
        } else if !self.cfg.secrets.is_empty() {
            // With secrets given, what no profile can verify is not let in.
            line.valid = Some(false);
            line.reason =
                "no profile fits the headers: it carries no signature hookctl knows".into();
        } else {
            line.reason = "no profile fits the headers".into();
        }

        // Seen before? A profile that puts no delivery id on the wire (HoverBot,
        // Hover) is counted by its body: a retry sends the same bytes again (only
        // the signature and its timestamp are new), so `--fail-first` and the
        // duplicate mark still work. The key stays out of `delivery_id`: it is
        // not an id the provider sent. (A held delivery tried again is the same
        // delivery, not a duplicate the provider sent.)
        let key = line.delivery_id.clone().or_else(|| body_key(&d.body));
        if let Some(id) = &key {
            let n = self.seen.lock().expect("seen lock").attempt(id);
            line.attempt = n;
            line.duplicate = n > 1 && relayed.is_none_or(|r| r.attempt <= 1);
        }
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_told_over_a_window_of_recent_ids() {
        // From the store, oldest first.
        let mut seen = Seen::new(vec![("older".to_string(), 1), ("old".to_string(), 2)]);
        assert_eq!(seen.attempt("old"), 3);
        assert_eq!(seen.attempt("a"), 1);
        assert_eq!(seen.attempt("a"), 2);
        // Fill the window, then one more id pushes out the oldest; memory stays bounded.
        for i in 0..SEEN_WINDOW - 3 {
            seen.attempt(&format!("id-{i}"));
        }
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        seen.attempt("new");
        assert_eq!(seen.counts.len(), SEEN_WINDOW);
        assert_eq!(seen.order.len(), SEEN_WINDOW);
        assert_eq!(seen.attempt("old"), 4, "the newer id from the store stays");
        assert_eq!(seen.attempt("older"), 1, "the oldest id left the window");
        assert_eq!(seen.attempt(&format!("id-{}", SEEN_WINDOW - 4)), 2);
    }
}
