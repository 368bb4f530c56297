//! Answer: the scripted response, or the app's own when the delivery is forwarded;
//! and where a forwarded delivery may go.

use super::*;
use crate::envelope::HeaderList;
use crate::http::client::SendError;
use crate::http::server::Response;
use bytes::Bytes;
use std::time::Instant;

pub(super) fn json_response(status: u16, value: serde_json::Value) -> Resp {
    Response::json(status, &value)
}

impl Receiver {
    pub(super) fn route_for(&self, event: Option<&str>) -> Option<&reqwest::Url> {
        event
            .and_then(|e| self.cfg.routes.iter().find(|r| r.glob.matches(e)))
            .map(|r| &r.url)
            .or(self.cfg.forward.as_ref())
    }

    /// The answer: 401 for a bad signature, a scripted failure, the app's own answer
    /// when forwarded, or the scripted success.
    pub(super) async fn answer(
        &self,
        d: &Delivery,
        line: &mut DeliveryLine,
        failure: Option<&crate::envelope::Failure>,
    ) -> Resp {
        let s = &self.cfg.script;
        if let Some(delay) = s.delay {
            tokio::time::sleep(delay).await;
        }
        if line.valid == Some(false) && !self.cfg.accept_invalid {
            json_response(401, serde_json::json!({"error": public_refusal(failure)}))
        } else if line.attempt <= s.fail_first
            || (s.fail_rate > 0.0 && fastrand::f64() < s.fail_rate)
        {
            let mut r = json_response(
                s.fail_status,
                serde_json::json!({"error": "scripted failure (hookctl listen)"}),
            );
            if let Some(ra) = s.retry_after {
                r.headers.push("retry-after", ra.to_string());
            }
            r
        } else if let Some(url) = self.route_for(line.event.as_deref()).cloned() {
            self.forward(line, &url, &d.method, &d.path, &d.headers, d.body.clone())
                .await
        } else {
            let mut headers = HeaderList::with_capacity(1);
            headers.push("content-type", "application/json");
            Response {
                status: s.status,
                headers,
                body: Bytes::from_static(b"{\"received\":true}"),
            }
        }
    }

    pub(super) fn reject(
        &self,
        mut line: DeliveryLine,
        started: Instant,
        status: u16,
        reason: String,
    ) -> Resp {
        line.status = status;
        line.reason = reason.clone();
        line.latency_ms = started.elapsed().as_secs_f64() * 1e3;
        self.lines.send(line);
        json_response(status, serde_json::json!({"error": reason}))
    }

    /// Passes the request on, byte-exact, and returns the app's answer: 502 when the
    /// app cannot be reached or its answer is over `--max-body`, 504 when it does not
    /// answer within `--forward-timeout`.
    pub(super) async fn forward(
        &self,
        line: &mut DeliveryLine,
        base: &reqwest::Url,
        method: &str,
        path: &str,
        headers: &HeaderList,
        body: Bytes,
    ) -> Resp {
        let Some(url) = forward_url(base, path) else {
            line.forward_error = Some("the path leaves the --forward-to URL".into());
            return json_response(
                400,
                serde_json::json!({"error": "the path leaves the URL it is forwarded to"}),
            );
        };
        line.forwarded_to = Some(url.to_string());
        let fwd = crate::http::forwardable(headers);
        match self
            .client
            .send(method, &url, &fwd, body, self.cfg.forward_timeout)
            .await
        {
            Ok(sent) => Response {
                status: sent.status,
                headers: crate::http::forwardable_answer(&sent.headers),
                body: sent.body,
            },
            Err(e) => {
                line.forward_error = Some(e.to_string());
                let (status, error) = match &e {
                    SendError::Timeout(_) => (504, "the app did not answer in time"),
                    _ => (502, "the app did not answer"),
                };
                // The detail (the app's address, the system's error) stays on the
                // listener's screen and in its store.
                json_response(status, serde_json::json!({"error": error}))
            }
        }
    }
}

/// Whether a request path has a `.` or `..` segment, written plainly, percent-encoded
/// (`%2e%2e`) or after a backslash: a URL parser would resolve it and climb out of
/// the base the delivery is forwarded to.
pub fn climbs_out(path: &str) -> bool {
    path.split(['/', '\\']).any(|seg| {
        // Each dot is `.` or `%2e` (either case): one or two of them, nothing else.
        let mut rest = seg.as_bytes();
        let mut dots = 0;
        while !rest.is_empty() && dots < 3 {
            if rest[0] == b'.' {
                rest = &rest[1..];
            } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2e") {
                rest = &rest[3..];
            } else {
                return false;
            }
            dots += 1;
        }
        rest.is_empty() && (1..=2).contains(&dots)
    })
}

/// The URL a delivery to `path` (path and query, as received) goes to. A URL with a
/// path (`http://localhost:3000/webhooks`) is the exact target, as Stripe CLI's
/// `--forward-to` is; a bare origin (`http://localhost:3000`) takes the path as
/// received. The request's query, if it has one, replaces the URL's. `None` for a
/// path with a `.` or `..` segment, which a URL parser would resolve.
pub fn forward_url(base: &reqwest::Url, path: &str) -> Option<reqwest::Url> {
    let (p, q) = path
        .split_once('?')
        .map_or((path, None), |(p, q)| (p, Some(q)));
    if climbs_out(p) {
        return None;
    }
    let mut url = base.clone();
    if matches!(base.path(), "" | "/") {
        url.set_path(p);
    }
    if let Some(q) = q {
        url.set_query(Some(q));
    }
    // The path never names another host (`//evil.example/x` stays a path).
    (url.origin() == base.origin()).then_some(url)
}
