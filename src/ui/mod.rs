//! `hookctl ui` (and `listen --ui`): the web inspector over the store.
//!
//! A page and a JSON API on loopback: every delivery as it is recorded (by any
//! hookctl process writing the same store), its verdict and why, and replay from the
//! page. It is served by hyper (a page needs no header order kept, and the live feed
//! is a streamed Server-Sent Events body). What keeps it safe on a developer's
//! machine:
//! - a `Host` that is not the bound address or `localhost` is refused (403), so a
//!   page on another site cannot reach it by DNS rebinding;
//! - a request that changes anything needs this run's token (which only the page
//!   holds) in `X-Hookctl-Token` and an `Origin` that is the inspector's own;
//! - the page runs only its own script (Content-Security-Policy), and shows every
//!   header and body as text.
//!
//! Bound to an address other machines can reach (`ui --host 0.0.0.0`), anyone who
//! can reach the port could send a `Host` of `localhost` and read the page. There
//! the token is not in the page: `hookctl` prints it once, in the URL's fragment
//! (which a browser never sends), the page keeps it for the tab, and every API
//! request, reads included, needs it (a header, or `token=` for the feed and the
//! exports, which a browser fetches by URL). Without it the inspector is not a way
//! to read deliveries or to re-sign them with the user's secrets.

use crate::envelope::verify::{Received, VerifyOptions};
use crate::envelope::{Profile, Secret};
use crate::http::client::HttpClient;
use crate::show::BodyJson;
use crate::store::{Filter, Store, StoreWarning, StoredDelivery};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper::{Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const INDEX: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const APP_CSS: &str = include_str!("app.css");

/// The page may run its own script and style, and nothing else.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// Deliveries one list answer holds, at most.
const MAX_LIST: u64 = 1000;
/// How often the live feed looks for new deliveries.
const FEED_EVERY: Duration = Duration::from_millis(250);
/// Bodies shown by the API, at most (a bigger one is cut, and says so).
const MAX_SHOWN_BODY: usize = 1 << 20;
/// The largest request body the API takes (an edited delivery body).
const MAX_REQUEST: usize = 8 << 20;
/// An export holds the newest this many deliveries.
const MAX_EXPORT: u64 = 10_000;
/// Exports written at once, at most.
const MAX_EXPORTS: usize = 2;
/// How long an export waits for its reader to take the next piece.
const EXPORT_STALL: Duration = Duration::from_secs(60);
/// Live feeds open at once, at most.
const MAX_FEEDS: usize = 64;

pub struct UiConfig {
    pub store: PathBuf,
    pub profiles: Vec<Profile>,
    pub secrets: Vec<Secret>,
    /// `host:port` forms a request's `Host` may take.
    pub hosts: Vec<String>,
    /// `http://host:port` forms an `Origin` may take.
    pub origins: Vec<String>,
    pub token: String,
    /// Reachable from other machines: the token is not served in the page, and
    /// every API request needs it.
    pub guarded: bool,
    pub client: HttpClient,
}

pub struct Ui {
    cfg: UiConfig,
    reader: Mutex<Option<Store>>,
    feeds: Arc<tokio::sync::Semaphore>,
    exports: Arc<tokio::sync::Semaphore>,
    warned: Arc<Warned>,
}

/// What the inspector's caller does with a store warning (renders it).
pub type OnWarning = Box<dyn Fn(&StoreWarning) + Send + Sync>;

/// The store's warnings the inspector met: each told once to its caller as it comes,
/// and kept (at most [`MAX_WARNINGS`]) for the page (`GET /api/warnings`).
struct Warned {
    kept: Mutex<Vec<StoreWarning>>,
    tell: OnWarning,
}

/// Distinct store warnings the inspector keeps.
const MAX_WARNINGS: usize = 64;

impl Warned {
    /// Takes what `store` gathered; a warning met before (a foreign file under a
    /// journal's name is met on every catch-up) is not told again.
    fn take_from(&self, store: &mut Store) {
        let fresh = store.take_warnings();
        if fresh.is_empty() {
            return;
        }
        let mut new = Vec::new();
        {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            for w in fresh {
                if !kept.contains(&w) && kept.len() < MAX_WARNINGS {
                    kept.push(w.clone());
                    new.push(w);
                }
            }
        }
        // Told with the lock let go: telling writes to a stream that may be slow.
        for w in &new {
            (self.tell)(w);
        }
    }

    /// The warnings kept, each with its sentence as `message`.
    fn shown(&self) -> Vec<serde_json::Value> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter()
            .map(|w| {
                let mut v = serde_json::to_value(w).unwrap_or_default();
                v["message"] = w.to_string().into();
                v
            })
            .collect()
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn full(status: StatusCode, ctype: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).boxed());
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("content-type", ctype.parse().expect("a content type"));
    h.insert("cache-control", "no-store".parse().expect("fixed"));
    h.insert("x-content-type-options", "nosniff".parse().expect("fixed"));
    h.insert("referrer-policy", "no-referrer".parse().expect("fixed"));
    h.insert("content-security-policy", CSP.parse().expect("fixed"));
    r
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    full(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    json_response(status, &json!({ "error": message }))
}

/// A new per-run token: 128 random bits.
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system gives random bytes");
    hex::encode(b)
}

/// A delivery as the list shows it: `deliveries list --json`'s object, plus the
/// verdict in one word.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    d: &'a StoredDelivery,
    /// The page follows the feed by this (see `StoredDelivery::seq`).
    seq: i64,
    verdict: &'static str,
}

impl<'a> Row<'a> {
    fn new(d: &'a StoredDelivery) -> Row<'a> {
        Row {
            d,
            seq: d.seq,
            verdict: verdict(d),
        }
    }
}

fn verdict(d: &StoredDelivery) -> &'static str {
    match d.valid {
        Some(true) => "valid",
        Some(false) => "invalid",
        None => "unchecked",
    }
}

#[derive(Serialize)]
struct Attempt<'a> {
    #[serde(flatten)]
    a: &'a crate::store::StoredAttempt,
    response_body: Option<BodyJson>,
}

#[derive(Deserialize)]
struct ReplayAsk {
    /// `exact` or `resign`.
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    to: Option<String>,
    /// An edited body (text), signed afresh.
    #[serde(default)]
    body: Option<String>,
}

impl Ui {
    pub fn new(cfg: UiConfig, on_warning: OnWarning) -> Ui {
        Ui {
            cfg,
            reader: Mutex::new(None),
            feeds: Arc::new(tokio::sync::Semaphore::new(MAX_FEEDS)),
            exports: Arc::new(tokio::sync::Semaphore::new(MAX_EXPORTS)),
            warned: Arc::new(Warned {
                kept: Mutex::new(Vec::new()),
                tell: on_warning,
            }),
        }
    }

    /// Runs `f` on a reader of the store, opened when first needed (a store that
    /// does not exist yet reads as empty, and is looked for again next time).
    fn read<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, String> {
        let mut slot = self
            .reader
            .lock()
            .map_err(|_| "the store reader failed".to_string())?;
        if slot.is_none() || slot.as_ref().is_some_and(|s| s.is_memory()) {
            *slot = Some(Store::open_existing(&self.cfg.store).map_err(|e| e.to_string())?);
        }
        let store = slot.as_mut().expect("opened above");
        let caught_up = store.catch_up();
        self.warned.take_from(store);
        caught_up.map_err(|e| e.to_string())?;
        f(store).map_err(|e| e.to_string())
    }

    fn host_ok(&self, req: &Request<hyper::body::Incoming>) -> bool {
        // Guarded, any name may reach it (a LAN address, a host name): the token,
        // which no other page can read, keeps DNS rebinding out.
        if self.cfg.guarded {
            return true;
        }
        req.headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| self.cfg.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)))
    }

    /// Whether the request carries this run's token: in `X-Hookctl-Token`, or (for
    /// what a browser fetches by URL: the feed, an export) as `token=` in the query.
    fn has_token(&self, req: &Request<hyper::body::Incoming>) -> bool {
        let given = req
            .headers()
            .get("x-hookctl-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                url_pairs(req.uri().query().unwrap_or(""))
                    .into_iter()
                    .find(|(k, _)| k == "token")
                    .map(|(_, v)| v)
            });
        given.is_some_and(|t| {
            use subtle::ConstantTimeEq;
            bool::from(t.as_bytes().ct_eq(self.cfg.token.as_bytes()))
        })
    }

    fn may_change(&self, req: &Request<hyper::body::Incoming>) -> Result<(), &'static str> {
        let token = req
            .headers()
            .get("x-hookctl-token")
            .and_then(|v| v.to_str().ok());
        if !token.is_some_and(|t| {
            use subtle::ConstantTimeEq;
            bool::from(t.as_bytes().ct_eq(self.cfg.token.as_bytes()))
        }) {
            return Err("this needs the page's token (X-Hookctl-Token)");
        }
        let origin = req.headers().get("origin").and_then(|v| v.to_str().ok());
        let own = |o: &str| {
            if self.cfg.guarded {
                // The page's own origin is whatever name it was reached by.
                let host = req.headers().get("host").and_then(|h| h.to_str().ok());
                host.is_some_and(|h| o.eq_ignore_ascii_case(&format!("http://{h}")))
            } else {
                self.cfg.origins.iter().any(|ok| ok.eq_ignore_ascii_case(o))
            }
        };
        if !origin.is_some_and(own) {
            return Err("this needs a request from the inspector's own page (Origin)");
        }
        Ok(())
    }

    pub async fn handle(
        self: Arc<Self>,
        req: Request<hyper::body::Incoming>,
    ) -> Result<Response<Body>, Infallible> {
        if !self.host_ok(&req) {
            return Ok(error(
                StatusCode::FORBIDDEN,
                "this inspector answers to its own address only",
            ));
        }
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let method = req.method().clone();
        if self.cfg.guarded && path.starts_with("/api/") && !self.has_token(&req) {
            return Ok(error(
                StatusCode::UNAUTHORIZED,
                "this inspector can be reached from other machines: open it with the URL hookctl printed when it started (it carries the token)",
            ));
        }
        let resp = match (&method, path.as_str()) {
            (&Method::GET, "/") | (&Method::GET, "/index.html") => full(
                StatusCode::OK,
                "text/html; charset=utf-8",
                INDEX.replace(
                    "{{TOKEN}}",
                    if self.cfg.guarded {
                        ""
                    } else {
                        &self.cfg.token
                    },
                ),
            ),
            (&Method::GET, "/app.js") => {
                full(StatusCode::OK, "text/javascript; charset=utf-8", APP_JS)
            }
            (&Method::GET, "/app.css") => full(StatusCode::OK, "text/css; charset=utf-8", APP_CSS),
            (&Method::GET, "/api/deliveries") => self.list(&query),
            (&Method::GET, "/api/events") => self.feed(&query),
            (&Method::GET, "/api/warnings") => json_response(StatusCode::OK, &self.warned.shown()),
            (&Method::GET, "/api/export.ndjson") => self.export(false),
            (&Method::GET, "/api/export.har") => self.export(true),
            (_, p) if p.starts_with("/api/deliveries/") => {
                let rest = &p["/api/deliveries/".len()..];
                match (rest.split_once('/'), &method) {
                    (None, &Method::GET) => match rest.parse::<i64>() {
                        Ok(id) => self.show(id),
                        Err(_) => error(StatusCode::NOT_FOUND, "no such delivery"),
                    },
                    (Some((id, "replay")), &Method::POST) => {
                        match (id.parse::<i64>(), self.may_change(&req)) {
                            (_, Err(why)) => error(StatusCode::FORBIDDEN, why),
                            (Ok(id), Ok(())) => self.replay(id, req).await,
                            (Err(_), _) => error(StatusCode::NOT_FOUND, "no such delivery"),
                        }
                    }
                    _ => error(StatusCode::METHOD_NOT_ALLOWED, "not here"),
                }
            }
            _ => error(StatusCode::NOT_FOUND, "not here"),
        };
        Ok(resp)
    }

    fn list(&self, query: &str) -> Response<Body> {
        let mut f = Filter::default();
        let mut limit = 200;
        for (k, v) in url_pairs(query) {
            match k.as_str() {
                "limit" => limit = v.parse().unwrap_or(200).clamp(1, MAX_LIST),
                "after" => f.after_seq = v.parse().ok(),
                "profile" if !v.is_empty() => f.profile = Some(v),
                "direction" if v == "in" || v == "out" => f.direction = Some(v),
                "state" if !v.is_empty() => f.state = Some(v),
                _ => {}
            }
        }
        f.limit = Some(limit);
        f.without_bodies = true;
        // How many the store holds in all, so the page can say it shows a window.
        match self.read(|s| Ok((s.list(&f)?, s.count()?))) {
            Ok((list, total)) => {
                let rows: Vec<Row> = list.iter().map(Row::new).collect();
                let mut r = json_response(StatusCode::OK, &rows);
                r.headers_mut().insert("x-total-count", total.into());
                r
            }
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e),
        }
    }

    fn show(&self, id: i64) -> Response<Body> {
        let found = match self.read(|s| s.get(id)) {
            Ok(f) => f,
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e),
        };
        let Some((d, attempts)) = found else {
            return error(StatusCode::NOT_FOUND, "no such delivery");
        };
        // Every delivery with the same delivery id: the retry timeline.
        let timeline = d
            .delivery_id
            .as_deref()
            .map(|key| self.read(|s| s.timeline(key)).unwrap_or_default())
            .unwrap_or_default();
        let (check, findings) = self.verify(&d);
        let shown = if d.body.len() > MAX_SHOWN_BODY {
            &d.body[..MAX_SHOWN_BODY]
        } else {
            &d.body[..]
        };
        let attempts: Vec<Attempt> = attempts
            .iter()
            .map(|a| Attempt {
                a,
                response_body: a
                    .response_body
                    .as_deref()
                    .map(|b| BodyJson::new(&b[..b.len().min(MAX_SHOWN_BODY)])),
            })
            .collect();
        json_response(
            StatusCode::OK,
            &json!({
                "delivery": Row::new(&d),
                "body": BodyJson::new(shown),
                "body_size": d.body.len(),
                "body_cut": d.body.len() > MAX_SHOWN_BODY,
                "attempts_detail": attempts,
                "check": check,
                "findings": findings,
                "timeline": timeline.iter().map(Row::new).collect::<Vec<_>>(),
                "commands": commands(&d),
            }),
        )
    }

    /// The verdict again, with the secrets this inspector was given, and
    /// `--explain`'s findings when it fails.
    fn verify(
        &self,
        d: &StoredDelivery,
    ) -> (serde_json::Value, Vec<crate::envelope::explain::Finding>) {
        let Some(p) = d
            .profile
            .as_deref()
            .and_then(|n| self.cfg.profiles.iter().find(|p| p.name == n))
            .filter(|p| p.signature.is_some())
        else {
            return (
                json!({"checked": false, "reason": "no profile with a signature scheme for this delivery"}),
                Vec::new(),
            );
        };
        if self.cfg.secrets.is_empty() {
            return (
                json!({"checked": false, "reason": "the inspector was given no secret"}),
                Vec::new(),
            );
        }
        let path = reqwest::Url::parse(&d.url)
            .map(|u| crate::http::path_and_query(&u))
            .unwrap_or_else(|_| d.url.clone());
        let received = Received {
            method: &d.method,
            path: &path,
            headers: &d.headers,
            body: &d.body,
        };
        // As of when it was received: a stale timestamp is no reason to doubt it now.
        let at = humantime::parse_rfc3339_weak(&d.created_at)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|t| t.as_secs() as i64)
            .unwrap_or_else(crate::clock::now_unix);
        let opts = VerifyOptions {
            secrets: &self.cfg.secrets,
            now: at,
            tolerance: None,
        };
        match p.verify(&received, &opts) {
            Ok(v) => {
                let findings = if v.valid {
                    Vec::new()
                } else {
                    crate::envelope::explain::explain(p, &self.cfg.profiles, &received, &opts, &v)
                };
                (
                    json!({"checked": true, "valid": v.valid, "reason": v.reason}),
                    findings,
                )
            }
            Err(e) => (
                json!({"checked": false, "reason": e.to_string()}),
                Vec::new(),
            ),
        }
    }

    /// A Server-Sent Events feed: each delivery recorded after `after` (or after
    /// the newest when the feed opens), as it comes, and a comment every 15 s.
    fn feed(&self, query: &str) -> Response<Body> {
        let Ok(permit) = Arc::clone(&self.feeds).try_acquire_owned() else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many live feeds are open",
            );
        };
        let after: Option<i64> = url_pairs(query)
            .into_iter()
            .find(|(k, _)| k == "after")
            .and_then(|(_, v)| v.parse().ok());
        let store = self.cfg.store.clone();
        let warned = Arc::clone(&self.warned);
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        tokio::spawn(async move {
            let _permit = permit;
            let mut reader: Option<Store> = None;
            let mut last = after;
            let mut quiet = 0u32;
            if tx
                .send(Bytes::from_static(b"retry: 1000\n: hookctl\n\n"))
                .await
                .is_err()
            {
                return;
            }
            loop {
                if reader.as_ref().is_none_or(|s| s.is_memory()) {
                    reader = Store::open_existing(&store).ok();
                }
                let mut fresh = Vec::new();
                if let Some(s) = &mut reader {
                    let _ = s.catch_up();
                    warned.take_from(s);
                    let mut f = Filter::default();
                    match last {
                        Some(seq) => f.after_seq = Some(seq),
                        None => {
                            // Where the feed starts: after the newest there is now.
                            last = Some(s.last_seq().unwrap_or(0));
                            continue;
                        }
                    }
                    f.limit = Some(500);
                    f.without_bodies = true;
                    fresh = s.list(&f).unwrap_or_default();
                    fresh.reverse();
                }
                for d in &fresh {
                    last = Some(d.seq);
                    let data = serde_json::to_string(&Row::new(d)).unwrap_or_default();
                    let event = format!("event: delivery\nid: {}\ndata: {data}\n\n", d.seq);
                    if tx.send(Bytes::from(event)).await.is_err() {
                        return;
                    }
                }
                quiet = if fresh.is_empty() { quiet + 1 } else { 0 };
                if quiet * FEED_EVERY.as_millis() as u32 >= 15_000 {
                    quiet = 0;
                    if tx
                        .send(Bytes::from_static(b": still here\n\n"))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                tokio::time::sleep(FEED_EVERY).await;
                // A page that went away ends its feed at once.
                if tx.is_closed() {
                    return;
                }
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
        });
        let mut r = Response::new(BodyExt::boxed(StreamBody::new(stream)));
        let h = r.headers_mut();
        h.insert("content-type", "text/event-stream".parse().expect("fixed"));
        h.insert("cache-control", "no-store".parse().expect("fixed"));
        h.insert("x-content-type-options", "nosniff".parse().expect("fixed"));
        r
    }

    /// The newest [`MAX_EXPORT`] deliveries, oldest first, as NDJSON or HAR: written
    /// a delivery at a time from a reader of its own into a small channel, so that
    /// what the export holds in memory is one delivery (a body over
    /// `har::EXPORT_BODY_MAX` is left out, and said so) whatever the store holds, and
    /// a reader that stops reading stops the export. [`MAX_EXPORTS`] at once.
    fn export(&self, har: bool) -> Response<Body> {
        use crate::output::har as h;
        let Ok(permit) = Arc::clone(&self.exports).try_acquire_owned() else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "another export is being written: try again when it is done",
            );
        };
        let store = match Store::open_existing(&self.cfg.store) {
            Ok(mut s) => {
                self.warned.take_from(&mut s);
                s
            }
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(2);
        let rt = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // A reader that stops reading for EXPORT_STALL ends the export (its answer
            // is cut short), so that it cannot hold an export's place for ever.
            let send = |chunk: Bytes| rt.block_on(tx.send_timeout(chunk, EXPORT_STALL)).is_ok();
            let f = Filter {
                oldest_first: true,
                ..Filter::default()
            };
            if har && !send(Bytes::from(h::stream_start())) {
                return;
            }
            let mut first = true;
            let mut reading = true;
            let _ = store.each_delivery(
                &f,
                Some(MAX_EXPORT),
                h::EXPORT_BODY_MAX,
                |d, attempts, left_out| {
                    let mut text = if har {
                        let mut entry = h::entry(&d, &attempts, verdict(&d));
                        if let Some(bytes) = left_out {
                            h::body_left_out(&mut entry, bytes);
                        }
                        let sep = if first { "" } else { "," };
                        format!("{sep}{entry}")
                    } else {
                        let mut line =
                            json!({"delivery": Row::new(&d), "body": BodyJson::new(&d.body)});
                        if let Some(bytes) = left_out {
                            line["body_left_out_bytes"] = json!(bytes);
                        }
                        line.to_string()
                    };
                    first = false;
                    text.push('\n');
                    reading = send(Bytes::from(text));
                    reading
                },
            );
            if har && reading {
                send(Bytes::from(h::stream_end()));
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|chunk| (Ok::<_, Infallible>(Frame::data(chunk)), rx))
        });
        let (ctype, name) = if har {
            ("application/json", "hookctl-deliveries.har")
        } else {
            ("application/x-ndjson", "hookctl-deliveries.ndjson")
        };
        let mut r = Response::new(BodyExt::boxed(StreamBody::new(stream)));
        let hd = r.headers_mut();
        hd.insert("content-type", ctype.parse().expect("fixed"));
        hd.insert(
            "content-disposition",
            format!("attachment; filename=\"{name}\"")
                .parse()
                .expect("fixed"),
        );
        hd.insert("x-content-type-options", "nosniff".parse().expect("fixed"));
        hd.insert("cache-control", "no-store".parse().expect("fixed"));
        r
    }

    async fn replay(&self, id: i64, req: Request<hyper::body::Incoming>) -> Response<Body> {
        let body = match http_body_util::Limited::new(req.into_body(), MAX_REQUEST)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => return error(StatusCode::PAYLOAD_TOO_LARGE, "the request is over 8 MiB"),
        };
        let ask: ReplayAsk = if body.is_empty() {
            ReplayAsk {
                mode: None,
                to: None,
                body: None,
            }
        } else {
            match serde_json::from_slice(&body) {
                Ok(a) => a,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        &format!("not a replay request: {e}"),
                    );
                }
            }
        };
        let found = match self.read(|s| s.get(id)) {
            Ok(f) => f,
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e),
        };
        let Some((d, _)) = found else {
            return error(StatusCode::NOT_FOUND, "no such delivery");
        };
        let url = match ask.to.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => match crate::settings::resolve_url(t.trim()) {
                Ok(u) => u,
                Err(e) => return error(StatusCode::BAD_REQUEST, &format!("{e:#}")),
            },
            None if d.direction == "out" => match reqwest::Url::parse(&d.url) {
                Ok(u) => u,
                Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
            },
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "this delivery was received, so it has no target of its own: give one",
                );
            }
        };
        let edited = ask.body.is_some();
        let new_body = ask
            .body
            .map(String::into_bytes)
            .unwrap_or_else(|| d.body.clone());
        let resign = edited || ask.mode.as_deref() == Some("resign");
        let mut headers = crate::http::forwardable(&d.headers);
        let profile = d
            .profile
            .as_deref()
            .and_then(|n| self.cfg.profiles.iter().find(|p| p.name == n));
        if resign {
            let Some(p) = profile.filter(|p| p.signature.is_some()) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "this delivery has no profile to sign with",
                );
            };
            if self.cfg.secrets.is_empty() {
                return error(
                    StatusCode::BAD_REQUEST,
                    "the inspector was given no secret to sign with",
                );
            }
            if let Err(e) = crate::outbound::replay::resign(
                &mut headers,
                &d,
                p,
                &self.cfg.secrets,
                &url,
                &new_body,
            ) {
                return error(StatusCode::BAD_REQUEST, &format!("{e:#}"));
            }
        }
        let job = crate::outbound::replay::Job {
            d: &d,
            url,
            headers,
            body: new_body,
            profile: profile.cloned(),
            timeout: profile
                .map(|p| p.retry.timeout)
                .unwrap_or(Duration::from_secs(30)),
            edited,
            resign,
        };
        let (started_at, result) = crate::outbound::replay::send_one(&job, &self.cfg.client).await;
        let mut replayed = crate::outbound::replay::outcome(&job, &result);
        let recorded = Store::open(&self.cfg.store)
            .map(|mut s| {
                self.warned.take_from(&mut s);
                s
            })
            .map_err(anyhow::Error::from)
            .and_then(|s| crate::outbound::replay::record_job(&s, &job, started_at, &result));
        let record_error = match recorded {
            Ok(id) => {
                replayed.id = Some(id);
                None
            }
            Err(e) => Some(format!("{e:#}")),
        };
        let mut answer = serde_json::to_value(&replayed).unwrap_or_default();
        answer["record_error"] = json!(record_error);
        json_response(StatusCode::OK, &answer)
    }
}

/// The command lines that send or check a delivery again.
fn commands(d: &StoredDelivery) -> serde_json::Value {
    use crate::show::shell_word;
    let target = if d.direction == "out" {
        d.url.clone()
    } else {
        "http://localhost:3000/webhooks".into()
    };
    let curl = crate::show::curl_command(
        &d.method,
        &target,
        &crate::http::forwardable(&d.headers),
        &d.body,
    );
    let mut send = format!(
        "{} |\n  hookctl send --to {}",
        crate::show::shell_printer(&d.body),
        shell_word(&target)
    );
    if let Some(p) = &d.profile {
        send.push_str(&format!(" -p {}", shell_word(p)));
    }
    if let Some(e) = &d.event {
        send.push_str(&format!(" -e {}", shell_word(e)));
    }
    send.push_str(" --body -");
    let mut verify = format!(
        "hookctl deliveries show {} --raw | hookctl verify --request -",
        d.id
    );
    if let Some(p) = &d.profile {
        verify.push_str(&format!(" -p {}", shell_word(p)));
    }
    verify.push_str(" --explain");
    json!({"curl": curl, "send": send, "verify": verify})
}

/// `a=1&b=x%20y` as decoded pairs.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Connections served at once, at most; more wait in the backlog.
const MAX_CONNECTIONS: usize = 256;

/// Serves the inspector on `listener` until the future is dropped.
pub async fn serve(ui: Arc<Ui>, listener: tokio::net::TcpListener) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let ui = Arc::clone(&ui);
        tokio::spawn(async move {
            let _permit = permit;
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper::service::service_fn(move |req| Arc::clone(&ui).handle(req));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(io, service)
                .await;
        });
    }
}

/// The `Host` and `Origin` forms an inspector bound to `addr` answers to.
pub fn own_names(addr: std::net::SocketAddr) -> (Vec<String>, Vec<String>) {
    let port = addr.port();
    let ip = if addr.ip().is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let mut hosts = vec![format!("{ip}:{port}"), format!("localhost:{port}")];
    if addr.ip().is_unspecified() {
        hosts.push(format!("127.0.0.1:{port}"));
        hosts.push(format!("[::1]:{port}"));
    }
    let origins = hosts.iter().map(|h| format!("http://{h}")).collect();
    (hosts, origins)
}

/// Binds the inspector; its URL and the server, ready to run on the caller's runtime.
pub async fn start(
    host: &str,
    port: u16,
    store: std::path::PathBuf,
    profiles: Vec<crate::envelope::Profile>,
    secrets: Vec<crate::envelope::Secret>,
    insecure: bool,
    on_warning: OnWarning,
) -> anyhow::Result<(String, impl std::future::Future<Output = ()> + use<>)> {
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| {
            crate::hint::hinted(
                format!("could not serve the inspector on {host}:{port}: {e}"),
                "pass another --port (0 picks a free one)",
            )
        })?;
    let addr = listener.local_addr()?;
    let (hosts, origins) = own_names(addr);
    let shown = if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        hosts[0].clone()
    };
    let guarded = !addr.ip().is_loopback();
    let token = new_token();
    // Guarded, the URL carries the token in its fragment: the one place it is given.
    let url = if guarded {
        format!("http://{shown}/#token={token}")
    } else {
        format!("http://{shown}/")
    };
    let ui = Arc::new(Ui::new(
        UiConfig {
            store,
            profiles,
            secrets,
            hosts,
            origins,
            token,
            guarded,
            client: HttpClient::new(&crate::http::client::ClientOptions::new(insecure, 4))?,
        },
        on_warning,
    ));
    Ok((url, serve(ui, listener)))
}

/// Opens `url` in the desktop's browser; says so when it cannot.
pub fn open_browser(out: &crate::output::Output, url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if started.is_err() {
        out.warn(&format!(
            "could not open a browser ({opener}): open {url} yourself"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::HeaderList;

    /// Runs `script` in bash in `dir`, with `curl` and `hookctl` replaced by stubs
    /// that log their arguments and standard input; what the stubs logged.
    fn run_pasted(dir: &std::path::Path, script: &str) -> String {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for tool in ["curl", "hookctl"] {
            let stub = bin.join(tool);
            std::fs::write(
                &stub,
                format!(
                    "#!/bin/bash\n{{ printf '%s' '{tool}'; printf ' [%s]' \"$@\"; printf '\\n<'; cat; printf '>\\n'; }} >> \"$STUB_LOG\"\n"
                ),
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let log = dir.join("log");
        let _ = std::fs::remove_file(&log);
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("STUB_LOG", &log)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default()).into_owned()
    }

    fn hostile(method: &str, body: &[u8]) -> StoredDelivery {
        let mut headers = HeaderList::new();
        headers.push("Content-Type", "application/json");
        headers.push(
            "X-Note",
            "it's'; touch pwned-header; echo '$(touch pwned-sub)`touch pwned-bt`",
        );
        StoredDelivery {
            id: 7,
            seq: 7,
            created_at: "2026-12-05T00:00:00Z".into(),
            direction: "in".into(),
            source: "listen".into(),
            profile: Some("github".into()),
            event: Some("push".into()),
            delivery_id: None,
            method: method.into(),
            url: "/hooks?x='$(touch pwned-url)'".into(),
            headers,
            body: body.to_vec(),
            valid: None,
            reason: None,
            state: "received".into(),
            duplicate: false,
            replay_of: None,
            attempts: 1,
            last_status: Some(200),
            last_latency_ms: None,
            fixed_by: None,
            outcome: "received".into(),
        }
    }

    /// Commands copied from deliveries that a stranger sent, pasted into a shell, run
    /// the copied tool with the delivery's exact bytes and nothing else.
    #[test]
    fn copied_commands_run_nothing_but_what_they_say() {
        let dir = tempfile::tempdir().unwrap();
        let bodies: Vec<Vec<u8>> = vec![
            b"{\"a\":1}\nHOOKCTL_BODY\ntouch pwned-heredoc\nEOF\ntouch pwned-eof\n".to_vec(),
            b"'; touch pwned-quote; echo '\n$(touch pwned-sub2) `touch pwned-bt2` \\\n".to_vec(),
            b"bin\x00ary\xff\xfe; touch pwned-bin".to_vec(),
            b"-X GET --output pwned-opt".to_vec(),
            Vec::new(),
        ];
        for method in ["POST", "POST&touch pwned-method&", "X';touch pwned-m2;'"] {
            for body in &bodies {
                let d = hostile(method, body);
                let c = commands(&d);
                for key in ["curl", "send", "verify"] {
                    let script = c[key].as_str().unwrap();
                    let log = run_pasted(dir.path(), script);
                    let tool = if key == "curl" { "curl" } else { "hookctl" };
                    assert!(log.starts_with(tool), "{key}: {log}\n{script}");
                    if key != "verify" {
                        // Exactly one command ran, and it got the body exactly.
                        assert_eq!(
                            log.matches('\n').count(),
                            2 + body.iter().filter(|&&b| b == b'\n').count(),
                            "{key}: {log}"
                        );
                        let mut expected = b"<".to_vec();
                        expected.extend_from_slice(body);
                        expected.extend_from_slice(b">\n");
                        let bytes = std::fs::read(dir.path().join("log")).unwrap();
                        assert!(
                            bytes.ends_with(&expected),
                            "{key}: the body did not arrive exactly\n{script}"
                        );
                    }
                    if key == "curl" {
                        assert!(log.contains(&format!("[-X] [{method}]")), "{log}");
                    }
                    let pwned: Vec<String> = std::fs::read_dir(dir.path())
                        .unwrap()
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.starts_with("pwned"))
                        .collect();
                    assert!(pwned.is_empty(), "{key} ran {pwned:?}:\n{script}");
                }
            }
        }
    }
}
