//! `hookctl replay`: recorded deliveries sent again, failed ones first of all.
//! Resolve (`settings::replay`) → the jobs (edited, re-signed) → `outbound::replay`
//! sends and records them → render.

use crate::Exit;
use crate::cli::{GlobalArgs, ReplayArgs};
use crate::envelope::{HeaderList, Profile, Secret};
use crate::http::client::{ClientOptions, HttpClient};
use crate::outbound::replay::{Job, Replayed};
use crate::output::Event;
use crate::output::{Output, escape, plural};
use crate::settings::replay::ReplaySettings;
use crate::settings::resolve_url;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use tabled::{Table, Tabled, settings::Style};

#[derive(Tabled)]
struct Row {
    original: i64,
    replay: String,
    event: String,
    url: String,
    result: String,
}

pub fn run(g: &GlobalArgs, out: &Output, args: ReplayArgs) -> Result<Exit> {
    let s = crate::settings::replay::resolve(g, args)?;
    for n in &s.notes {
        out.note(n);
    }
    if s.chosen.is_empty() {
        out.note("no deliveries to replay");
        return Ok(Exit::Success);
    }
    for w in &s.warnings {
        out.warn(w);
    }
    let (jobs, warnings) = jobs(&s)?;
    for w in &warnings {
        out.warn(w);
    }
    if s.dry_run {
        show_plan(out, &jobs, &s.resigned)?;
        return Ok(Exit::Success);
    }
    let client = HttpClient::new(&ClientOptions::new(s.insecure, s.concurrency))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let store = s.record.then_some(&s.store);
    let results = rt.block_on(crate::outbound::replay::send_all(
        &jobs,
        &client,
        s.concurrency,
        store,
    ))?;
    render(out, &results)
}

/// Each chosen delivery made ready to send: its target, headers, body (edited if
/// asked) and signature (re-signed if asked); and what to warn of first.
fn jobs(s: &ReplaySettings) -> Result<(Vec<Job<'_>>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut warned = std::collections::HashSet::new();
    let mut jobs: Vec<Job> = Vec::with_capacity(s.chosen.len());
    for d in &s.chosen {
        let url = match (&s.to, d.direction.as_str()) {
            (Some(u), _) => u.clone(),
            _ => resolve_url(&d.url)?,
        };
        let profile: Option<Profile> =
            match s.profile.as_deref().or(d.profile.as_deref()) {
                Some(name) => match s.resigned.get(name) {
                    Some((p, _)) => Some(p.clone()),
                    None => Some(s.config.catalog.get(name).with_context(|| {
                        format!("could not load the profile of delivery {}", d.id)
                    })?),
                },
                None => None,
            };
        // In order, less what belonged to the original connection.
        let mut headers: HeaderList = crate::http::forwardable(&d.headers);
        let original = d.body.clone();
        let body = if s.edit && !s.dry_run {
            edit(&original, d.id)?
        } else {
            original.clone()
        };
        let edited = body != original;
        if s.resign {
            let p = profile
                .as_ref()
                .expect("resign_secrets refused a delivery without a profile");
            let secrets = s.resigned.get(&p.name).map(|(_, s)| &s[..]).unwrap_or(&[]);
            crate::outbound::replay::resign(&mut headers, d, p, secrets, &url, &body)?;
        } else if let Some(p) = profile.as_ref().filter(|p| p.signature.is_some()) {
            if p.timestamped() && warned.insert(p.name.clone()) {
                warnings.push(format!("profile `{}` signs a timestamp: a receiver that checks it will reject a byte-exact replay as stale; --resign signs it afresh", p.name));
            }
            if edited {
                warnings.push(format!(
                    "the body of delivery {} changed but its signature did not: pass --resign",
                    d.id
                ));
            }
        }
        let timeout = match s.timeout {
            Some(t) => t,
            None => profile
                .as_ref()
                .map(|p| p.retry.timeout)
                .unwrap_or(Duration::from_secs(30)),
        };
        jobs.push(Job {
            d,
            url,
            headers,
            body,
            profile,
            timeout,
            edited,
            resign: s.resign,
        });
    }
    Ok((jobs, warnings))
}

fn edit(body: &[u8], id: i64) -> Result<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("hookctl-replay-{}-{id}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("body.json");
    std::fs::write(&file, body)?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .with_context(|| format!("could not start the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` failed ({status}); delivery {id} was not replayed");
    }
    let edited = std::fs::read(&file)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(edited)
}

/// How one replay is signed, for `--dry-run` and the refusal of a wrong secret.
#[derive(Serialize)]
struct Planned {
    original: i64,
    event: Option<String>,
    profile: Option<String>,
    method: String,
    url: String,
    /// `byte-exact` (the recorded signature) or `re-signed`.
    signing: &'static str,
    /// Where the secret it is re-signed with comes from (never the secret).
    secret_from: Vec<String>,
}

#[derive(Tabled)]
struct PlanRow {
    original: i64,
    event: String,
    profile: String,
    to: String,
    signing: String,
}

fn show_plan(
    out: &Output,
    jobs: &[Job],
    resigned: &HashMap<String, (Profile, Vec<Secret>)>,
) -> Result<()> {
    let planned: Vec<Planned> = jobs
        .iter()
        .map(|j| {
            let profile = j.profile.as_ref().map(|p| p.name.clone());
            let secret_from = profile
                .as_ref()
                .and_then(|p| resigned.get(p))
                .map(|(_, s)| s.iter().map(|s| s.source().to_string()).collect())
                .unwrap_or_default();
            Planned {
                original: j.d.id,
                event: j.d.event.clone(),
                profile,
                method: j.d.method.clone(),
                url: j.url.to_string(),
                signing: if j.resign { "re-signed" } else { "byte-exact" },
                secret_from,
            }
        })
        .collect();
    if out.json {
        for p in &planned {
            out.record(Event::Planned, p)?;
        }
        return Ok(());
    }
    let rows: Vec<PlanRow> = planned
        .iter()
        .map(|p| PlanRow {
            original: p.original,
            event: escape(p.event.as_deref().unwrap_or("-")),
            profile: p.profile.clone().unwrap_or_else(|| "-".into()),
            to: format!("{} {}", p.method, p.url),
            signing: if p.signing == "re-signed" {
                if p.secret_from.is_empty() {
                    "re-signed (the profile signs nothing)".to_string()
                } else {
                    format!("re-signed with {}", p.secret_from.join(", "))
                }
            } else {
                "byte-exact, as recorded".into()
            },
        })
        .collect();
    out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
    out.line(&format!(
        "dry run: {} would be sent; nothing was",
        plural(planned.len() as u64, "replay", "replays")
    ))?;
    Ok(())
}

/// The replays: a table and a count, or one `replay` record each.
fn render(out: &Output, results: &[Replayed]) -> Result<Exit> {
    if out.json {
        for r in results {
            out.record(Event::Replay, r)?;
        }
    }
    if !out.json {
        let s = out.out();
        let rows: Vec<Row> = results
            .iter()
            .map(|r| Row {
                original: r.original,
                replay: r.id.map(|i| i.to_string()).unwrap_or_default(),
                event: escape(r.event.as_deref().unwrap_or("-")),
                url: r.url.clone(),
                result: match (&r.status, &r.error) {
                    (Some(st), _) => format!(
                        "{st}{}",
                        r.latency_ms
                            .map(|l| format!("  {l:.1} ms"))
                            .unwrap_or_default()
                    ),
                    (None, Some(e)) => e.clone(),
                    _ => "-".into(),
                },
            })
            .collect();
        if !out.quiet {
            out.line(&Table::new(rows).with(Style::sharp()).to_string())?;
        }
        let ok = results.iter().filter(|r| r.delivered).count();
        let text = format!("{ok} of {} delivered", results.len());
        out.line(&if ok == results.len() {
            s.ok(&text)
        } else {
            s.fail(&text)
        })?;
    }
    Ok(if results.iter().all(|r| r.delivered) {
        Exit::Success
    } else {
        Exit::Negative
    })
}
