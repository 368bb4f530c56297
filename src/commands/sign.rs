//! `hookctl sign`: the headers a profile adds to a body.

use super::header_pairs;
use crate::cli::{GlobalArgs, SignArgs};
use crate::clock::now_unix;
use crate::envelope::SignInput;
use crate::output::Event;
use crate::output::{BodyJson, Output};
use crate::settings::{Config, SecretRequest, read_input, signing_secrets};
use crate::{Exit, hinted};
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct Signature<'a> {
    profile: &'a str,
    event: Option<&'a str>,
    id: &'a str,
    timestamp: i64,
    headers: Vec<[&'a str; 2]>,
    /// Present when the body was built from the catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<BodyJson>,
}

pub fn run(g: &GlobalArgs, out: &Output, args: SignArgs) -> Result<Exit> {
    let config = Config::load(g.config.as_deref())?;
    let profile = config.profile(args.profile.as_deref(), &args.scheme)?;
    let stdin_used = args.body.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let secrets = signing_secrets(
        &SecretRequest {
            args: &args.secrets,
            config: &config,
            stdin_used,
        },
        &profile,
    )?;
    let timestamp = args.timestamp.unwrap_or_else(now_unix);
    let (body, built, event, id) = match &args.body {
        Some(path) => {
            let body = read_input(path)?;
            let (body_event, body_id) = profile.body_event_and_id(&body);
            let event = args.event.clone().or(body_event);
            let id = match args.id.clone().or(body_id) {
                Some(id) => id,
                None => profile.new_id(timestamp)?,
            };
            (body, false, event, id)
        }
        None => {
            let Some(event) = args.event.clone() else {
                return Err(hinted(
                    "nothing to sign: give --body FILE (or - for standard input), or --event to sign its sample body",
                    format!(
                        "`hookctl events --profile {}` lists the events",
                        profile.name
                    ),
                ));
            };
            profile.event(&event).map_err(anyhow::Error::msg)?;
            let e = profile.build_event(&event, None, args.id.clone(), timestamp)?;
            (e.body, true, Some(event), e.id)
        }
    };
    if event.is_none() {
        let left_out: Vec<&str> = profile
            .headers
            .iter()
            .filter(|(_, t)| t.uses(|v| *v == crate::envelope::template::Var::Event))
            .map(|(n, _)| n.as_str())
            .collect();
        if !left_out.is_empty() {
            out.warn(&format!(
                "no event name (none in the body): `{}` left out; pass --event NAME to include it",
                left_out.join("`, `")
            ));
        }
    }
    let vars = profile.render_vars(event.as_deref(), &id, timestamp)?;
    let target = match &args.url {
        Some(url) => crate::settings::checked_url(url, "--url")?,
        None => args.path.clone(),
    };
    let headers = profile
        .sign(
            &secrets,
            &SignInput {
                body: &body,
                event: event.as_deref(),
                id: &id,
                timestamp,
                method: &args.method,
                path: &target,
                vars: &vars,
            },
        )
        .map_err(|e| match e {
            crate::envelope::SignError::NoEvent(_) => hinted(
                format!("could not sign: {e}"),
                format!(
                    "pass --event NAME; `hookctl events --profile {}` lists them",
                    profile.name
                ),
            ),
            e => anyhow::Error::new(e).context("could not sign"),
        })?;
    if args.explain {
        let req = crate::envelope::Received {
            method: &args.method,
            path: &target,
            headers: &headers,
            body: &body,
        };
        if let Some(text) = crate::envelope::explain::signed_text(&profile, &req) {
            out.note(&format!("signed: {}", crate::show::escape(&text)));
        }
    }
    if out.json {
        out.record(
            Event::Signature,
            &Signature {
                profile: &profile.name,
                event: event.as_deref(),
                id: &id,
                timestamp,
                headers: header_pairs(&headers),
                body: built.then(|| BodyJson::new(&body)),
            },
        )?;
    } else {
        for (n, v) in headers.iter() {
            out.line(&format!("{n}: {v}"))?;
        }
        if built {
            out.line("")?;
            out.bytes(&body)?;
            out.line("")?;
        }
    }
    Ok(Exit::Success)
}
