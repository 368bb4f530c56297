//! The signature itself: a valid delivery, then a body it does not cover, another
//! key, none at all, a malformed one, several at once, another scheme.

use super::{
    describe, grade_acceptance, grade_refusal, grade_refusals, signature_forms, status_of,
    whole_reason,
};
use crate::audit::{Audit, Check, Grade};
use crate::clock::now_unix;
use crate::envelope::mac::encode;
use crate::envelope::profile::Algorithm;
use crate::envelope::secret::SecretEncoding;
use crate::envelope::{Catalog, Profile, Secret};
use crate::http::client::{SendError, Sent};
use anyhow::Result;
use base64::Engine as _;
use std::time::Duration;

/// An RSA private key made once for the audit, and published with it: a key that is
/// certainly not the provider's (`ring` does not generate RSA keys).
const WRONG_RSA_KEY: &str = include_str!("wrong-rsa-key.pem");

/// A secret (or, for a key-pair scheme, a private key) that is not the endpoint's, in
/// the form the scheme reads it.
fn wrong_secret(scheme: &crate::envelope::profile::Scheme) -> Secret {
    use crate::envelope::keys::{self, KeyType};
    use crate::envelope::profile::Algorithm;
    use crate::envelope::secret::SecretKind;
    if scheme.uses_key_pair() {
        let kind = scheme
            .asym_alg()
            .map(|a| a.key_type())
            .unwrap_or(KeyType::Ed25519);
        let pem = match kind {
            KeyType::Rsa => WRONG_RSA_KEY.to_string(),
            k => keys::generate(k)
                .map(|der| keys::to_pem("PRIVATE KEY", &der))
                .unwrap_or_else(|_| WRONG_RSA_KEY.to_string()),
        };
        return Secret::key_text(pem, "the audit's wrong key", SecretKind::PrivateKey)
            .expect("a made-up key is never empty");
    }
    if scheme.algorithm == Algorithm::Basic {
        let user = format!(
            "not-the-endpoint:{}",
            hex::encode(fastrand::u64(..).to_le_bytes())
        );
        return Secret::new(user, "the audit's wrong secret").expect("never empty");
    }
    let encoding = scheme.secret;
    let mut bytes = [0u8; 24];
    fastrand::fill(&mut bytes);
    let text = match encoding {
        SecretEncoding::Raw => format!("not-the-endpoint-secret-{}", hex::encode(&bytes[..8])),
        SecretEncoding::Whsec | SecretEncoding::WhsecOrRaw => format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        SecretEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        SecretEncoding::Hex => hex::encode(bytes),
    };
    Secret::new(text, "the audit's wrong secret").expect("a made-up secret is never empty")
}

impl Audit {
    pub(in crate::audit) async fn valid(&mut self) -> Result<Check> {
        let prepared = self.prepare("valid", now_unix())?;
        let pt = self.timeout();
        // Long enough to measure an answer slower than the provider waits.
        let wait = (pt * 2).max(pt + Duration::from_secs(5));
        let result = self.send(prepared.clone(), wait).await?;
        let p = &self.plan.profile;
        let sent = match &result {
            Ok(s) if (200..300).contains(&s.status) => s.clone(),
            Ok(s) => {
                let body = String::from_utf8_lossy(&s.body);
                let said = if body.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::show::escape(&whole_reason(&body)))
                };
                let hint = match s.status {
                    401 | 403 => format!(
                        "the endpoint refuses a delivery signed as `{}` signs it: is the secret the endpoint's, and is `{}` the provider it expects? (`hookctl send` with the same flags sends one to try)",
                        p.name, p.name
                    ),
                    404 | 405 => "nothing takes deliveries at that path: check the URL".to_string(),
                    _ => "the endpoint must take a genuine delivery before anything else can be graded".to_string(),
                };
                return Err(crate::hint::hinted(
                    format!(
                        "the valid delivery was answered {} {}{said}: nothing else can be graded",
                        s.status, s.reason
                    ),
                    hint,
                ));
            }
            Err(e) => {
                let hint = e
                    .hint()
                    .unwrap_or("the endpoint must answer a genuine delivery before anything else can be graded");
                return Err(crate::hint::hinted(
                    format!("the valid delivery was not answered: {e}"),
                    hint,
                ));
            }
        };
        let mut c = self.new_check("valid", Grade::Pass, format!("accepted ({})", sent.status));
        c.sent = format!(
            "a `{}` delivery (id {}), signed as `{}` signs it",
            prepared.built.event, prepared.built.id, p.name
        );
        c.expected = "2xx".into();
        c.answered(&result);
        self.valid = Some((prepared, sent));
        Ok(c)
    }

    pub(in crate::audit) async fn wrong_secret(&mut self) -> Result<Check> {
        let name = "wrong-secret";
        let result = self.send_wrong_secret(name).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = "a delivery signed with a secret that is not the endpoint's".into();
        c.expected = "4xx".into();
        c.answered(&result);
        c.reproduce = self.wrong_secret_line();
        Ok(c)
    }

    pub(in crate::audit) fn wrong_secret_line(&self) -> String {
        format!("{} --secret {}", self.opts.send_line, self.made_up_secret())
    }

    pub(in crate::audit) async fn send_wrong_secret(
        &mut self,
        check: &'static str,
    ) -> Result<Result<Sent, SendError>> {
        let mut prepared = self.prepare(check, now_unix())?;
        let wrong = wrong_secret(self.scheme());
        let ts = prepared.built.timestamp;
        let expected = signature_forms(
            self.scheme().encoding,
            &self.signatures_in(&prepared.headers),
        );
        prepared.headers = self.sign_as(
            &self.plan.profile,
            &[wrong],
            &prepared.built,
            &prepared.body,
            ts,
        )?;
        self.probe(check, prepared, expected).await
    }

    pub(in crate::audit) async fn missing(&mut self) -> Result<Check> {
        let name = "missing-signature";
        let mut prepared = self.prepare(name, now_unix())?;
        let header = self.header().to_string();
        let expected = signature_forms(
            self.scheme().encoding,
            &self.signatures_in(&prepared.headers),
        );
        prepared.headers = prepared
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(&header))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let result = self.probe(name, prepared, expected).await?;
        let (grade, summary) = grade_refusal(&result, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery without its `{header}` header");
        c.expected = "4xx".into();
        if self.scheme().optional {
            c.expected.push_str(&format!(
                " (`{}` leaves the header out when no secret is set; an endpoint that has one must require it)",
                self.plan.profile.name
            ));
        }
        c.answered(&result);
        c.reproduce = self.send_with("--unsigned");
        Ok(c)
    }

    pub(in crate::audit) async fn malformed(&mut self) -> Result<Check> {
        let name = "malformed-signature";
        let header = self.header().to_string();
        let mut results = Vec::new();
        let mut first_value = None;
        type Change = fn(&str) -> String;
        let variants: [(&str, Change); 3] = [
            ("empty", |_| String::new()),
            ("not in its encoding", |s| "*".repeat(s.len())),
            ("cut to half", |s| s[..s.len() / 2].to_string()),
        ];
        for (label, change) in variants {
            let mut prepared = self.prepare(name, now_unix())?;
            let expected = signature_forms(
                self.scheme().encoding,
                &self.signatures_in(&prepared.headers),
            );
            let Some(value) = prepared.headers.get(&header).map(str::to_string) else {
                return Ok(self.skip(name, format!("the profile sent no `{header}` header")));
            };
            let mut bad = value.clone();
            for sig in self.signatures_in(&prepared.headers) {
                bad = bad.replace(&sig, &change(&sig));
            }
            first_value.get_or_insert_with(|| bad.clone());
            prepared.headers.set(&header, bad);
            let r = self.probe(name, prepared, expected).await?;
            results.push((label.to_string(), r));
        }
        let (grade, summary) = grade_refusals(&results, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "three deliveries whose `{header}` signature is empty, written in characters outside {}, and cut to half its length",
            self.scheme().encoding.name()
        );
        c.expected = "4xx for each".into();
        c.got = results
            .iter()
            .map(|(l, r)| format!("{l}: {}", describe(r)))
            .collect::<Vec<_>>()
            .join("; ");
        c.status = results.iter().find_map(|(_, r)| status_of(r));
        c.reproduce = self.send_with(&format!(
            "-H {}",
            crate::show::shell_word(&format!("{header}: {}", first_value.unwrap_or_default()))
        ));
        Ok(c)
    }

    pub(in crate::audit) async fn multiple(&mut self) -> Result<Check> {
        let name = "multiple-signatures";
        let scheme = self.scheme().clone();
        let Some(sep) = scheme.separator.clone() else {
            return Ok(self.skip(
                name,
                format!(
                    "`{}` puts one signature in `{}`",
                    self.plan.profile.name, scheme.header
                ),
            ));
        };
        let mut prepared = self.prepare(name, now_unix())?;
        let ts = prepared.built.timestamp;
        // A signature made with another secret first, then the genuine one(s), then
        // an entry of a version no one knows.
        let mut secrets = vec![wrong_secret(&scheme)];
        secrets.extend(self.plan.secrets.iter().cloned());
        let mut headers = self.sign_as(
            &self.plan.profile,
            &secrets,
            &prepared.built,
            &prepared.body,
            ts,
        )?;
        let mut value = headers.get(&scheme.header).unwrap_or_default().to_string();
        let item = scheme
            .items
            .iter()
            .find(|t| t.uses(|v| *v == crate::envelope::template::Var::Signature))
            .map(|t| t.source().to_string())
            .unwrap_or_default();
        let prefix = item.split("{signature}").next().unwrap_or_default();
        let unknown = prefix
            .strip_prefix('v')
            .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
            .filter(|rest| rest.len() < prefix.len() - 1);
        let mut told = "a signature made with another secret, then the valid one".to_string();
        if let Some(rest) = unknown {
            let mut junk = [0u8; 32];
            fastrand::fill(&mut junk);
            value.push_str(&sep);
            value.push_str(&format!("v9{rest}{}", encode(scheme.encoding, &junk)));
            told.push_str(", then an entry of an unknown version (`v9`)");
        }
        headers.set(&scheme.header, value);
        prepared.headers = headers;
        let result = self.send(prepared, self.timeout()).await?;
        let (grade, summary) = grade_acceptance(&result);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!("a delivery whose `{}` holds {told}", scheme.header);
        c.expected = "2xx: one valid signature is enough, and unknown versions are ignored".into();
        c.answered(&result);
        // Flags give secrets in order: the made-up one first, then the endpoint's.
        c.reproduce = if self.opts.secret_flags.is_empty() {
            self.audit_only(name)
        } else {
            format!(
                "{} --secret {} {}",
                self.opts.send_line,
                self.made_up_secret(),
                self.opts.secret_flags
            )
        };
        Ok(c)
    }

    pub(in crate::audit) async fn other_scheme(&mut self) -> Result<Check> {
        let name = "other-scheme";
        let scheme = self.scheme().clone();
        let mut variants: Vec<(String, Profile)> = Vec::new();
        // A downgrade: the same scheme with HMAC-SHA1, its prefix saying so.
        if scheme.algorithm != Algorithm::HmacSha1 {
            let mut weaker = self.plan.profile.clone();
            if let Some(s) = weaker.signature.as_mut() {
                s.algorithm = Algorithm::HmacSha1;
            }
            variants.push(("HMAC-SHA1 instead".into(), weaker));
        }
        // Another provider's format over the same body, with the same secret.
        let catalog = Catalog::builtin();
        let mine = (
            scheme.value.source().to_string(),
            scheme.signed.source().to_string(),
            scheme.algorithm,
            scheme.encoding,
        );
        for other in ["github", "standard", "stripe", "slack", "shopify"] {
            let Ok(p) = catalog.get(other) else { continue };
            let Some(s) = &p.signature else { continue };
            let theirs = (
                s.value.source().to_string(),
                s.signed.source().to_string(),
                s.algorithm,
                s.encoding,
            );
            if theirs != mine && p.signer(&self.plan.secrets).is_ok() {
                variants.push((format!("`{other}`'s format"), p));
                break;
            }
        }
        let mut results = Vec::new();
        let mut told = Vec::new();
        let mut first = None;
        for (label, profile) in &variants {
            let mut prepared = self.prepare(name, now_unix())?;
            let ts = prepared.built.timestamp;
            // The other profile's own vars (its headers may use them); a profile that
            // cannot sign this delivery is left out.
            let mut built = prepared.built.clone();
            if profile.name != self.plan.profile.name {
                match profile.render_vars(Some(&built.event), &built.id, ts) {
                    Ok(vars) => built.vars = vars,
                    Err(_) => continue,
                }
            }
            let Ok(theirs) = self.sign_as(profile, &self.plan.secrets, &built, &prepared.body, ts)
            else {
                continue;
            };
            let their_header = &profile.signature.as_ref().expect("signed").header;
            let Some(mut value) = theirs.get(their_header).map(str::to_string) else {
                continue;
            };
            if profile.name == self.plan.profile.name {
                value = value
                    .replace("sha256=", "sha1=")
                    .replace("sha512=", "sha1=");
            }
            let expected = signature_forms(scheme.encoding, &self.signatures_in(&prepared.headers));
            told.push(format!(
                "{label} (`{}`)",
                crate::envelope::verify::preview(&value)
            ));
            first.get_or_insert_with(|| value.clone());
            prepared.headers.set(&scheme.header, value);
            let r = self.probe(name, prepared, expected).await?;
            results.push((label.clone(), r));
        }
        if results.is_empty() {
            return Ok(self.skip(name, "no other scheme could sign with this secret".into()));
        }
        let (grade, summary) = grade_refusals(&results, Grade::Fail);
        let mut c = self.new_check(name, grade, summary);
        c.sent = format!(
            "the same body signed with the same secret in another scheme, in `{}`: {}",
            scheme.header,
            told.join("; ")
        );
        c.expected = "4xx for each: only the provider's own scheme is taken".into();
        c.got = results
            .iter()
            .map(|(l, r)| format!("{l}: {}", describe(r)))
            .collect::<Vec<_>>()
            .join("; ");
        c.status = results.iter().find_map(|(_, r)| status_of(r));
        c.reproduce = if scheme.algorithm != Algorithm::HmacSha1 {
            self.send_with("--algorithm hmac-sha1")
        } else {
            self.audit_only(name)
        };
        Ok(c)
    }
}
