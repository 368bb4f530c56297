//! Where profiles come from: the embedded built-ins and the user's `hookctl.toml`,
//! merged through `extends` and same-name overrides.

use super::headers::HeaderList;
use super::profile::{FieldError, Profile, ProfileDef};
use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("unknown profile `{name}`{}; known profiles: {}", super::did_you_mean(name, known.iter().map(String::as_str)), known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("profile `{profile}` ({origin}): {error}")]
    Invalid {
        profile: String,
        origin: String,
        error: FieldError,
    },
    #[error("profile `{profile}` ({origin}): {message}")]
    Format {
        profile: String,
        origin: String,
        message: String,
    },
    #[error("profile `{0}` extends itself (through {1})")]
    Cycle(String, String),
    #[error(
        "profile `{profile}`: its `extends` chain is over the limit of {MAX_EXTENDS} profiles ({chain} …)"
    )]
    TooDeep { profile: String, chain: String },
}

/// How many profiles one `extends` chain may pass through: far more than any real
/// hierarchy, and it keeps resolving every profile linear in the catalogue's size.
pub const MAX_EXTENDS: usize = 16;

/// The built-in profiles, in the order they are listed.
pub const BUILTIN: &[(&str, &str)] = &[
    ("hoverbot", include_str!("../profiles/hoverbot.toml")),
    ("hover", include_str!("../profiles/hover.toml")),
    ("agentbot", include_str!("../profiles/agentbot.toml")),
    ("hyperleap", include_str!("../profiles/hyperleap.toml")),
    ("convosphere", include_str!("../profiles/convosphere.toml")),
    ("standard", include_str!("../profiles/standard.toml")),
    ("svix", include_str!("../profiles/svix.toml")),
    ("stripe", include_str!("../profiles/stripe.toml")),
    ("github", include_str!("../profiles/github.toml")),
    ("slack", include_str!("../profiles/slack.toml")),
    ("shopify", include_str!("../profiles/shopify.toml")),
    // Asymmetric, JWT, URL-bound, token, Basic-auth and unsigned providers.
    ("discord", include_str!("../profiles/discord.toml")),
    ("telnyx", include_str!("../profiles/telnyx.toml")),
    ("sendgrid", include_str!("../profiles/sendgrid.toml")),
    ("kick", include_str!("../profiles/kick.toml")),
    ("wise", include_str!("../profiles/wise.toml")),
    ("netlify", include_str!("../profiles/netlify.toml")),
    ("vonage", include_str!("../profiles/vonage.toml")),
    ("messagebird", include_str!("../profiles/messagebird.toml")),
    ("livekit", include_str!("../profiles/livekit.toml")),
    ("plaid", include_str!("../profiles/plaid.toml")),
    ("twilio", include_str!("../profiles/twilio.toml")),
    (
        "twilio-sharedkey",
        include_str!("../profiles/twilio-sharedkey.toml"),
    ),
    ("square", include_str!("../profiles/square.toml")),
    ("mandrill", include_str!("../profiles/mandrill.toml")),
    ("plivo", include_str!("../profiles/plivo.toml")),
    ("trello", include_str!("../profiles/trello.toml")),
    ("hubspot", include_str!("../profiles/hubspot.toml")),
    ("cloudinary", include_str!("../profiles/cloudinary.toml")),
    ("contentful", include_str!("../profiles/contentful.toml")),
    ("gitlab", include_str!("../profiles/gitlab.toml")),
    ("telegram", include_str!("../profiles/telegram.toml")),
    ("huggingface", include_str!("../profiles/huggingface.toml")),
    ("cloudflare", include_str!("../profiles/cloudflare.toml")),
    ("okta", include_str!("../profiles/okta.toml")),
    ("postmark", include_str!("../profiles/postmark.toml")),
    ("chargebee", include_str!("../profiles/chargebee.toml")),
    ("pipedrive", include_str!("../profiles/pipedrive.toml")),
    ("bandwidth", include_str!("../profiles/bandwidth.toml")),
    ("auth0", include_str!("../profiles/auth0.toml")),
    ("brevo", include_str!("../profiles/brevo.toml")),
    ("bigcommerce", include_str!("../profiles/bigcommerce.toml")),
    ("datadog", include_str!("../profiles/datadog.toml")),
    ("freshdesk", include_str!("../profiles/freshdesk.toml")),
    ("mailchimp", include_str!("../profiles/mailchimp.toml")),
    ("clerk", include_str!("../profiles/clerk.toml")),
    ("resend", include_str!("../profiles/resend.toml")),
    ("openai", include_str!("../profiles/openai.toml")),
    ("replicate", include_str!("../profiles/replicate.toml")),
    ("anthropic", include_str!("../profiles/anthropic.toml")),
    (
        "gitlab-signing",
        include_str!("../profiles/gitlab-signing.toml"),
    ),
    ("calendly", include_str!("../profiles/calendly.toml")),
    ("circleci", include_str!("../profiles/circleci.toml")),
    ("mux", include_str!("../profiles/mux.toml")),
    ("workos", include_str!("../profiles/workos.toml")),
    ("elevenlabs", include_str!("../profiles/elevenlabs.toml")),
    ("sanity", include_str!("../profiles/sanity.toml")),
    ("paddle", include_str!("../profiles/paddle.toml")),
    ("inngest", include_str!("../profiles/inngest.toml")),
    ("zoom", include_str!("../profiles/zoom.toml")),
    ("msgraph", include_str!("../profiles/msgraph.toml")),
    ("twitch", include_str!("../profiles/twitch.toml")),
    ("webflow", include_str!("../profiles/webflow.toml")),
    ("zendesk", include_str!("../profiles/zendesk.toml")),
    ("box", include_str!("../profiles/box.toml")),
    ("close", include_str!("../profiles/close.toml")),
    ("customerio", include_str!("../profiles/customerio.toml")),
    ("frameio", include_str!("../profiles/frameio.toml")),
    ("bitbucket", include_str!("../profiles/bitbucket.toml")),
    ("meta", include_str!("../profiles/meta.toml")),
    ("jira", include_str!("../profiles/jira.toml")),
    ("intercom", include_str!("../profiles/intercom.toml")),
    ("linear", include_str!("../profiles/linear.toml")),
    ("pagerduty", include_str!("../profiles/pagerduty.toml")),
    ("persona", include_str!("../profiles/persona.toml")),
    ("sentry", include_str!("../profiles/sentry.toml")),
    (
        "lemonsqueezy",
        include_str!("../profiles/lemonsqueezy.toml"),
    ),
    ("razorpay", include_str!("../profiles/razorpay.toml")),
    ("recurly", include_str!("../profiles/recurly.toml")),
    ("gocardless", include_str!("../profiles/gocardless.toml")),
    ("hookdeck", include_str!("../profiles/hookdeck.toml")),
    ("onfido", include_str!("../profiles/onfido.toml")),
    ("checkout", include_str!("../profiles/checkout.toml")),
    ("coinbase", include_str!("../profiles/coinbase.toml")),
    ("dropbox", include_str!("../profiles/dropbox.toml")),
    ("notion", include_str!("../profiles/notion.toml")),
    ("nylas", include_str!("../profiles/nylas.toml")),
    ("calcom", include_str!("../profiles/calcom.toml")),
    ("vercel", include_str!("../profiles/vercel.toml")),
    ("vapi", include_str!("../profiles/vapi.toml")),
    ("airtable", include_str!("../profiles/airtable.toml")),
    ("asana", include_str!("../profiles/asana.toml")),
    ("segment", include_str!("../profiles/segment.toml")),
    ("mollie", include_str!("../profiles/mollie.toml")),
    ("woocommerce", include_str!("../profiles/woocommerce.toml")),
    ("line", include_str!("../profiles/line.toml")),
    ("typeform", include_str!("../profiles/typeform.toml")),
    ("docusign", include_str!("../profiles/docusign.toml")),
    ("quickbooks", include_str!("../profiles/quickbooks.toml")),
    ("xero", include_str!("../profiles/xero.toml")),
    ("twitter", include_str!("../profiles/twitter.toml")),
    ("hmac", include_str!("../profiles/hmac.toml")),
];

/// Every profile known: built-ins, then the user's.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    user: IndexMap<String, toml::Table>,
    user_origin: String,
}

/// Tables an override restates in full instead of merging: their order and what they
/// leave out matter.
const REPLACED: [&str; 2] = ["headers", "envelope"];

/// Deep-merges `over` into `base` (an override only names what it changes), except
/// for the [`REPLACED`] tables at the top level.
fn merge(base: &mut toml::Table, over: &toml::Table) {
    merge_at(base, over, true);
}

fn merge_at(base: &mut toml::Table, over: &toml::Table, top: bool) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if !(top && REPLACED.contains(&k.as_str())) =>
            {
                merge_at(b, o, false)
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Catalog {
    /// The built-ins plus the `[profiles.*]` tables of a config file (already checked
    /// against the format by the config loader).
    pub fn new(user: IndexMap<String, toml::Table>, user_origin: impl Into<String>) -> Catalog {
        Catalog {
            user,
            user_origin: user_origin.into(),
        }
    }

    pub fn builtin() -> Catalog {
        Catalog::default()
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        for n in self.user.keys() {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        names
    }

    fn raw(
        &self,
        name: &str,
        chain: &mut Vec<String>,
    ) -> Result<(toml::Table, String), ProfileError> {
        if chain.iter().any(|c| c == name) {
            return Err(ProfileError::Cycle(name.to_string(), chain.join(" → ")));
        }
        if chain.len() >= MAX_EXTENDS {
            return Err(ProfileError::TooDeep {
                profile: chain[0].clone(),
                chain: chain[..4].join(" → "),
            });
        }
        chain.push(name.to_string());
        let builtin = BUILTIN.iter().find(|(n, _)| *n == name);
        let (mut table, origin) = match self.user.get(name) {
            Some(user) => {
                let parent = user.get("extends").and_then(|v| v.as_str());
                let mut base = match (parent, builtin) {
                    (Some(p), _) => self.raw(p, chain)?.0,
                    (None, Some((_, text))) => parse_builtin(name, text)?,
                    (None, None) => toml::Table::new(),
                };
                merge(&mut base, user);
                (base, self.user_origin.clone())
            }
            None => match builtin {
                Some((_, text)) => {
                    let own = parse_builtin(name, text)?;
                    match own.get("extends").and_then(|v| v.as_str()) {
                        Some(p) => {
                            let mut base = self.raw(p, chain)?.0;
                            merge(&mut base, &own);
                            (base, "built-in".to_string())
                        }
                        None => (own, "built-in".to_string()),
                    }
                }
                None => {
                    return Err(ProfileError::Unknown {
                        name: name.to_string(),
                        known: self.names(),
                    });
                }
            },
        };
        table.remove("extends");
        chain.pop();
        Ok((table, origin))
    }

    /// One profile, merged and compiled.
    pub fn get(&self, name: &str) -> Result<Profile, ProfileError> {
        let (table, origin) = self.raw(name, &mut Vec::new())?;
        let def = ProfileDef::deserialize(toml::Value::Table(table)).map_err(|e| {
            ProfileError::Format {
                profile: name.to_string(),
                origin: origin.clone(),
                message: e.message().to_string(),
            }
        })?;
        Profile::compile(name, &origin, def).map_err(|error| ProfileError::Invalid {
            profile: name.to_string(),
            origin,
            error,
        })
    }

    pub fn all(&self) -> Result<Vec<Profile>, ProfileError> {
        self.names().iter().map(|n| self.get(n)).collect()
    }

    /// The profiles a request could be detected as, compiled, in the catalogue's
    /// order: every profile of [`Catalog::all`] except built-ins whose signature
    /// header the request does not carry. Those are told from their embedded text
    /// without compiling them (compiling all ~100 is most of what `verify` without
    /// `--profile` would cost), so [`candidates_among`] over this list finds exactly
    /// what it finds over [`Catalog::all`]. The user's profiles, and built-ins the
    /// user's config touches, are always compiled.
    pub fn fitting(&self, headers: &HeaderList) -> Result<Vec<Profile>, ProfileError> {
        let mut out = Vec::new();
        for name in self.names() {
            let skip = match self.carriers_hint(&name) {
                Some(carriers) => !carriers.iter().any(|c| headers.contains(c)),
                None => false,
            };
            if !skip {
                out.push(self.get(&name)?);
            }
        }
        Ok(out)
    }

    /// Every name a built-in's signature could be carried under, read from its
    /// text and that of the built-ins it extends (a superset: any `"Name" = "…"` line
    /// of a `[headers]` table holding `{signature`). `None` when that cannot be told
    /// without compiling: a user profile, a built-in the user's config changes or
    /// extends through, headers written in a form the scan does not read.
    fn carriers_hint(&self, name: &str) -> Option<Vec<&'static str>> {
        let mut names = Vec::new();
        let mut at = name;
        for _ in 0..MAX_EXTENDS {
            if self.user.contains_key(at) {
                return None;
            }
            let (_, text) = BUILTIN.iter().find(|(n, _)| *n == at)?;
            let mut parent = None;
            let mut section = String::new();
            for line in text.lines() {
                let t = line.trim();
                if t.starts_with('[') && !t.starts_with("[[") && t.ends_with(']') {
                    section = t[1..t.len() - 1].replace(' ', "");
                    continue;
                }
                if section.is_empty() {
                    if let Some(rest) = t.strip_prefix("extends") {
                        parent = Some(quoted_value(rest)?);
                    }
                    // `headers = {…}` or `headers.X = …`: not the form the scan reads.
                    if t.starts_with("headers") {
                        return None;
                    }
                } else if section == "headers" && line.contains("{signature") {
                    names.push(assigned_key(line)?);
                }
            }
            match parent {
                Some(p) => at = p,
                None => return Some(names),
            }
        }
        None
    }

    /// The profile whose signature header a request carries; with several, the one
    /// whose other headers fit best (built-ins first on a tie).
    pub fn detect(&self, headers: &HeaderList) -> Result<Option<Profile>, ProfileError> {
        Ok(detect_among(&self.fitting(headers)?, headers).cloned())
    }
}

/// The value of a ` = "text"` line (an `extends`), when it is that simple.
fn quoted_value(rest: &str) -> Option<&str> {
    let v = rest.trim_start().strip_prefix('=')?.trim();
    let v = v.strip_prefix('"')?.strip_suffix('"')?;
    (!v.contains(['"', '\\'])).then_some(v)
}

/// The key of a `"Name" = "value"` or `Name = "value"` line, when it is that simple.
fn assigned_key(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let (key, rest) = match line.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"')?,
        None => line.split_at(line.find([' ', '='])?),
    };
    if key.is_empty() || key.contains('\\') || key.contains('.') && !line.starts_with('"') {
        return None;
    }
    rest.trim_start().starts_with('=').then_some(key)
}

/// [`Catalog::detect`] over profiles already compiled (`listen` detects per request).
pub fn detect_among<'a>(profiles: &'a [Profile], headers: &HeaderList) -> Option<&'a Profile> {
    candidates_among(profiles, headers).into_iter().next()
}

/// Every profile whose signature header the request carries in that profile's
/// format, best fit first (the most of its other headers present; built-ins first on
/// a tie). Several may fit: GitHub, Bitbucket and Meta share `X-Hub-Signature*` with
/// different algorithms, and many token profiles read `Authorization`. The header
/// name alone never decides between them: verifying with the secrets given does.
pub fn candidates_among<'a>(profiles: &'a [Profile], headers: &HeaderList) -> Vec<&'a Profile> {
    let mut found: Vec<(usize, &Profile)> = Vec::new();
    for p in profiles {
        let Some(scheme) = &p.signature else { continue };
        let Some(value) = headers.get(&scheme.header) else {
            continue;
        };
        let fits = scheme.items.iter().any(|t| {
            value
                .split(scheme.separator.as_deref().unwrap_or("\u{0}"))
                .any(|part| t.capture(part.trim()).is_some())
        });
        if !fits {
            continue;
        }
        found.push((fit_score(p, headers), p));
    }
    // Stable: on a tie the catalogue's order stands.
    found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    found.into_iter().map(|(_, p)| p).collect()
}

/// How many of a profile's own headers a request carries: how well it fits.
fn fit_score(p: &Profile, headers: &HeaderList) -> usize {
    p.headers
        .iter()
        .filter(|(n, _)| headers.contains(n))
        .count()
}

/// What `--profile auto` makes of a request: the one candidate that verifies with
/// the secrets given, or, with none or several verifying, the candidates and their
/// verdicts, for the caller to report without picking.
pub enum Detected<'a> {
    None,
    /// One candidate (the headers single it out), or the only one that verified.
    One {
        profile: &'a Profile,
        /// The other candidates tried, when the headers fit several.
        tried: Vec<&'a str>,
    },
    /// Several fit, and not exactly one verified.
    Ambiguous {
        verified: Vec<&'a str>,
        tried: Vec<&'a str>,
    },
}

/// Detects a request's profile honestly: by the headers when they single one out,
/// else by trying each candidate with the secrets given.
pub fn detect_verified<'a>(
    profiles: &'a [Profile],
    req: &super::verify::Received,
    opts: &super::verify::VerifyOptions,
) -> Detected<'a> {
    let candidates = candidates_among(profiles, req.headers);
    match candidates.as_slice() {
        [] => Detected::None,
        [one] => Detected::One {
            profile: one,
            tried: Vec::new(),
        },
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.name.as_str()).collect();
            let verified: Vec<&Profile> = many
                .iter()
                .copied()
                .filter(|p| p.verify(req, opts).is_ok_and(|v| v.valid))
                .collect();
            // Several verified (one scheme under several names, as GitHub's and
            // Meta's): the one whose own headers the request carries more of than any
            // other's (`X-GitHub-Event`) is the one; a tie is left undecided.
            let best = verified
                .iter()
                .map(|p| fit_score(p, req.headers))
                .max()
                .unwrap_or(0);
            let top: Vec<&Profile> = verified
                .iter()
                .copied()
                .filter(|p| fit_score(p, req.headers) == best)
                .collect();
            match (verified.as_slice(), top.as_slice()) {
                ([one], _) | (_, [one]) => Detected::One {
                    profile: one,
                    tried: names,
                },
                _ => Detected::Ambiguous {
                    verified: verified.iter().map(|p| p.name.as_str()).collect(),
                    tried: names,
                },
            }
        }
    }
}

fn parse_builtin(name: &str, text: &str) -> Result<toml::Table, ProfileError> {
    text.parse::<toml::Table>()
        .map_err(|e| ProfileError::Format {
            profile: name.to_string(),
            origin: "built-in".to_string(),
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{Secret, SignInput};

    /// The prefilter reads every built-in, and never leaves out a header a compiled
    /// profile signs under: what makes `fitting` find what `all` finds.
    #[test]
    fn every_builtin_signature_header_is_seen_without_compiling() {
        let catalog = Catalog::builtin();
        for p in catalog.all().unwrap() {
            let hint = catalog
                .carriers_hint(&p.name)
                .unwrap_or_else(|| panic!("{}: the prefilter cannot read it", p.name));
            for carrier in p.signature.iter().flat_map(|s| s.carriers()) {
                assert!(
                    hint.iter().any(|h| h.eq_ignore_ascii_case(carrier)),
                    "{}: `{carrier}` not among {hint:?}",
                    p.name
                );
            }
        }
    }

    /// Detection over the prefiltered list is detection over every profile: the same
    /// candidates in the same order, for a request signed by each built-in and for
    /// one carrying every built-in's signature header.
    #[test]
    fn fitting_finds_the_same_candidates_as_all() {
        let catalog = Catalog::builtin();
        let all = catalog.all().unwrap();
        let names = |ps: Vec<&Profile>| ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let mut every = HeaderList::new();
        let mut signed = 0;
        for p in &all {
            for carrier in p.signature.iter().flat_map(|s| s.carriers()) {
                every.push(carrier, "sha256=00");
            }
            let Some(ev) = p.events.keys().next() else {
                continue;
            };
            let Ok(e) = p.build_event(ev, None, None, 1000) else {
                continue;
            };
            let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "test").unwrap();
            let Ok(h) = p.sign(
                &[secret],
                &SignInput {
                    body: &e.body,
                    event: Some(ev),
                    id: &e.id,
                    timestamp: 1000,
                    method: "POST",
                    path: "/",
                    vars: &e.vars,
                },
            ) else {
                continue;
            };
            signed += 1;
            let fit = catalog.fitting(&h).unwrap();
            assert!(fit.len() < all.len() / 2, "{}: {} fit", p.name, fit.len());
            assert_eq!(
                names(candidates_among(&fit, &h)),
                names(candidates_among(&all, &h)),
                "{}",
                p.name
            );
        }
        assert!(signed > 50, "only {signed} built-ins signed");
        let fit = catalog.fitting(&every).unwrap();
        assert_eq!(
            names(candidates_among(&fit, &every)),
            names(candidates_among(&all, &every))
        );
        assert!(catalog.fitting(&HeaderList::new()).unwrap().is_empty());
    }

    /// The user's profiles, and built-ins their config changes, are always compiled.
    #[test]
    fn user_profiles_are_never_prefiltered() {
        let mut user = IndexMap::new();
        user.insert(
            "github".to_string(),
            "[signature]\ntolerance = \"1m\""
                .parse::<toml::Table>()
                .unwrap(),
        );
        let catalog = Catalog::new(user, "hookctl.toml");
        assert!(catalog.carriers_hint("github").is_none());
        assert!(catalog.carriers_hint("stripe").is_some());
        let fit = catalog.fitting(&HeaderList::new()).unwrap();
        assert_eq!(names_of(&fit), ["github"]);
    }

    fn names_of(ps: &[Profile]) -> Vec<&str> {
        ps.iter().map(|p| p.name.as_str()).collect()
    }
}
