//! `hookctl sign`: the headers a profile adds to a body.

use super::header_pairs;
use crate::Exit;
use crate::cli::{GlobalArgs, SignArgs};
use crate::envelope::{HeaderList, SignInput};
use crate::hint::hinted;
use crate::output::Event;
use crate::output::{BodyJson, Output};
use crate::settings::sign::{Input, SignSettings};
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
    let s = crate::settings::sign::resolve(g, args)?;
    let body = body(&s)?;
    render_left_out(out, &body);
    let headers = sign(&s, &body)?;
    render(out, &s, &body, &headers)
}

/// The body to sign, with the event and id it goes with.
struct Body<'a> {
    bytes: std::borrow::Cow<'a, [u8]>,
    /// Built from the catalogue (and so printed after the headers).
    built: bool,
    event: Option<String>,
    id: String,
    /// Headers that name the event, left out for want of one.
    left_out: Vec<String>,
}

/// `--body`'s bytes (the event and id from the flags, else from the body, else a
/// fresh id), or the event's sample.
fn body(s: &SignSettings) -> Result<Body<'_>> {
    let profile = &s.profile;
    let (bytes, built, event, id) = match &s.input {
        Input::Body(bytes) => {
            let (body_event, body_id) = profile.body_event_and_id(bytes);
            let event = s.event.clone().or(body_event);
            let id = match s.id.clone().or(body_id) {
                Some(id) => id,
                None => profile.new_id(s.timestamp)?,
            };
            (bytes.into(), false, event, id)
        }
        Input::Sample(event) => {
            let e = profile.build_event(event, None, s.id.clone(), s.timestamp)?;
            (e.body.into(), true, Some(event.clone()), e.id)
        }
    };
    let left_out = match event {
        Some(_) => Vec::new(),
        None => profile
            .headers
            .iter()
            .filter(|(_, t)| t.uses(|v| *v == crate::envelope::template::Var::Event))
            .map(|(n, _)| n.clone())
            .collect(),
    };
    Ok(Body {
        bytes,
        built,
        event,
        id,
        left_out,
    })
}

/// The headers the profile adds to the body.
fn sign(s: &SignSettings, body: &Body) -> Result<HeaderList> {
    let profile = &s.profile;
    let vars = profile.render_vars(body.event.as_deref(), &body.id, s.timestamp)?;
    profile
        .sign(
            &s.secrets,
            &SignInput {
                body: &body.bytes,
                event: body.event.as_deref(),
                id: &body.id,
                timestamp: s.timestamp,
                method: &s.method,
                path: &s.target,
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
        })
}

fn render_left_out(out: &Output, body: &Body) {
    if !body.left_out.is_empty() {
        out.warn(&format!(
            "no event name (none in the body): `{}` left out; pass --event NAME to include it",
            body.left_out.join("`, `")
        ));
    }
}

fn render(out: &Output, s: &SignSettings, body: &Body, headers: &HeaderList) -> Result<Exit> {
    if s.explain {
        let req = crate::envelope::Received {
            method: &s.method,
            path: &s.target,
            headers,
            body: &body.bytes,
        };
        if let Some(text) = crate::envelope::explain::signed_text(&s.profile, &req) {
            out.note(&format!("signed: {}", crate::show::escape(&text)));
        }
    }
    if out.json {
        out.record(
            Event::Signature,
            &Signature {
                profile: &s.profile.name,
                event: body.event.as_deref(),
                id: &body.id,
                timestamp: s.timestamp,
                headers: header_pairs(headers),
                body: body.built.then(|| BodyJson::new(&body.bytes)),
            },
        )?;
    } else {
        for (n, v) in headers.iter() {
            out.line(&format!("{n}: {v}"))?;
        }
        if body.built {
            out.line("")?;
            out.bytes(&body.bytes)?;
            out.line("")?;
        }
    }
    Ok(Exit::Success)
}
