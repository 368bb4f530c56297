//! Signing secrets: kept out of every `Debug`/`Display`, turned into key bytes by the
//! profile's rule.

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a secret's text becomes the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretEncoding {
    /// The UTF-8 bytes of the text exactly as given (Stripe keeps `whsec_` in the key).
    Raw,
    /// Standard Webhooks: an optional `whsec_` prefix, then standard base64.
    Whsec,
    /// The whole text is base64.
    Base64,
    /// The whole text is hex.
    Hex,
    /// `whsec_` + base64 decoded as `whsec`; without the prefix, the text as it is
    /// (OpenAI's libraries).
    WhsecOrRaw,
}

impl SecretEncoding {
    pub const ALL: [SecretEncoding; 5] = [
        Self::Raw,
        Self::Whsec,
        Self::Base64,
        Self::Hex,
        Self::WhsecOrRaw,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Whsec => "whsec",
            Self::Base64 => "base64",
            Self::Hex => "hex",
            Self::WhsecOrRaw => "whsec-or-raw",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Raw => "the secret's text used as the key as it is",
            Self::Whsec => "the part after `whsec_` base64-decoded into the key",
            Self::Base64 => "the secret base64-decoded into the key",
            Self::Hex => "the secret hex-decoded into the key",
            Self::WhsecOrRaw => {
                "the part after `whsec_` base64-decoded into the key; without `whsec_`, the text as it is"
            }
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the secret {hint} is not valid {encoding} (the profile decodes secrets as {encoding})"
    )]
    NotDecodable {
        hint: String,
        encoding: &'static str,
    },
    #[error("the secret is empty")]
    Empty,
    #[error(
        "{what} ({source_}) is not a shared secret; this profile signs with a shared secret (--secret)"
    )]
    NotShared { what: &'static str, source_: String },
}

/// What a [`Secret`] holds: a shared secret (HMAC keys, tokens, `USER:PASSWORD`), or
/// one half of a key pair for the asymmetric schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Shared,
    /// `--public-key`: PEM, or the provider's own form (hex, base64, base64 SPKI).
    PublicKey,
    /// `--private-key`: PEM PKCS#8 (or an Ed25519 seed).
    PrivateKey,
}

/// A secret and where it came from. Its text never leaves this type except as key
/// bytes; `Debug` and `hint` show a short prefix at most.
#[derive(Clone)]
pub struct Secret {
    text: String,
    source: String,
    kind: SecretKind,
}

impl Secret {
    pub fn new(text: impl Into<String>, source: impl Into<String>) -> Result<Self, SecretError> {
        let text = text.into();
        if text.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            text,
            source: source.into(),
            kind: SecretKind::Shared,
        })
    }

    /// A public or private key given as a secret is (they travel the same way).
    pub fn key_text(
        text: impl Into<String>,
        source: impl Into<String>,
        kind: SecretKind,
    ) -> Result<Self, SecretError> {
        let mut s = Self::new(text, source)?;
        s.kind = kind;
        Ok(s)
    }

    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// The text itself, for the schemes that read it whole: a key's PEM, a token,
    /// `USER:PASSWORD`. Never print it.
    pub(crate) fn expose(&self) -> &str {
        &self.text
    }

    /// Where the secret came from, e.g. "--secret #1" or "environment variable `X`".
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A short, safe prefix: `whsec_Mf…` (a recognisable prefix plus at most 2
    /// characters, and nothing at all of a short secret).
    pub fn hint(&self) -> String {
        let known = ["whsec_", "sk_", "shpss_"]
            .iter()
            .find(|p| self.text.starts_with(**p))
            .map(|p| p.len())
            .unwrap_or(0);
        let shown = if self.text.chars().count() >= known + 12 {
            known + 2
        } else {
            known
        };
        let prefix: String = self.text.chars().take(shown).collect();
        format!("{prefix}…")
    }

    /// Whether `text` shows this secret: as given, or its key in hex or base64 (a
    /// secret shorter than 6 characters could be there by chance, and is not looked
    /// for).
    pub fn shown_in(&self, text: &str, encoding: SecretEncoding) -> bool {
        use base64::Engine as _;
        let mut forms = vec![self.text.clone()];
        if let Ok(key) = self.key(encoding) {
            forms.push(hex::encode(&key));
            forms.push(base64::engine::general_purpose::STANDARD.encode(&key));
        }
        forms
            .iter()
            .any(|f| f.len() >= 6 && text.contains(f.as_str()))
    }

    /// The key bytes under a decoding rule.
    pub fn key(&self, encoding: SecretEncoding) -> Result<Vec<u8>, SecretError> {
        self.key_after(encoding, &[])
    }

    /// The key bytes under a decoding rule, after taking off the first of `prefixes`
    /// that the text starts with (a `*` in one stands for one or more letters, digits
    /// or `_`).
    pub fn key_after(
        &self,
        encoding: SecretEncoding,
        prefixes: &[String],
    ) -> Result<Vec<u8>, SecretError> {
        match self.kind {
            SecretKind::Shared => {}
            SecretKind::PublicKey | SecretKind::PrivateKey => {
                return Err(SecretError::NotShared {
                    what: if self.kind == SecretKind::PublicKey {
                        "a public key"
                    } else {
                        "a private key"
                    },
                    source_: self.source.clone(),
                });
            }
        }
        let fail = || SecretError::NotDecodable {
            hint: format!("`{}` ({})", self.hint(), self.source),
            encoding: encoding.name(),
        };
        let text = prefixes
            .iter()
            .find_map(|p| strip_pattern(&self.text, p))
            .unwrap_or(&self.text);
        let key = match encoding {
            SecretEncoding::Raw => text.as_bytes().to_vec(),
            SecretEncoding::Whsec => {
                let b64 = text.strip_prefix("whsec_").unwrap_or(text);
                decode_secret_base64(b64).ok_or_else(fail)?
            }
            SecretEncoding::WhsecOrRaw => match text.strip_prefix("whsec_") {
                Some(b64) => decode_secret_base64(b64).ok_or_else(fail)?,
                None => text.as_bytes().to_vec(),
            },
            SecretEncoding::Base64 => decode_secret_base64(text).ok_or_else(fail)?,
            SecretEncoding::Hex => hex::decode(text.trim()).map_err(|_| fail())?,
        };
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(key)
    }
}

/// `text` without a leading `pattern`, where a `*` in the pattern stands for one or
/// more ASCII letters, digits or `_`.
fn strip_pattern<'t>(text: &'t str, pattern: &str) -> Option<&'t str> {
    let mut rest = text;
    let mut parts = pattern.split('*');
    rest = rest.strip_prefix(parts.next()?)?;
    for literal in parts {
        let word = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if word == 0 {
            return None;
        }
        // The shortest word after which the literal follows.
        let at = (1..=word).find(|&i| rest[i..].starts_with(literal))?;
        rest = &rest[at + literal.len()..];
    }
    Some(rest)
}

/// Standard or URL-safe base64, padded or not (a signature in a header).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    decode_base64_with(text, false)
}

/// A secret's base64, as the official Standard Webhooks libraries take it: Python's
/// adds `==` and decodes leniently, so a secret that lost its padding, or whose last
/// character carries stray low bits, is read the same way here.
fn decode_secret_base64(text: &str) -> Option<Vec<u8>> {
    decode_base64_with(text, true)
}

fn decode_base64_with(text: &str, lenient: bool) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let cfg = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(lenient);
    let text = text.trim();
    GeneralPurpose::new(&base64::alphabet::STANDARD, cfg)
        .decode(text)
        .or_else(|_| GeneralPurpose::new(&base64::alphabet::URL_SAFE, cfg).decode(text))
        .ok()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} from {})", self.hint(), self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_secret() {
        let s = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "test").unwrap();
        assert_eq!(s.hint(), "whsec_Mf…");
        assert!(!format!("{s:?}").contains("KQ9r8"));
        let short = Secret::new("hush", "test").unwrap();
        assert_eq!(short.hint(), "…");
    }

    #[test]
    fn strips_prefixes() {
        let s = Secret::new("signkey-prod-0a1b2c", "t").unwrap();
        let p = ["signkey-*-".to_string()];
        assert_eq!(s.key_after(SecretEncoding::Raw, &p).unwrap(), b"0a1b2c");
        assert_eq!(s.key_after(SecretEncoding::Hex, &p).unwrap(), [10, 27, 44]);
        let other = Secret::new("plain", "t").unwrap();
        assert_eq!(other.key_after(SecretEncoding::Raw, &p).unwrap(), b"plain");
        let supa = Secret::new("v1,whsec_dGVzdA==", "t").unwrap();
        let p = ["v1,whsec_".to_string()];
        assert_eq!(supa.key_after(SecretEncoding::Base64, &p).unwrap(), b"test");
        let openai = Secret::new("whsec_dGVzdA==", "t").unwrap();
        assert_eq!(openai.key(SecretEncoding::WhsecOrRaw).unwrap(), b"test");
        let bare = Secret::new("dGVzdA==", "t").unwrap();
        assert_eq!(bare.key(SecretEncoding::WhsecOrRaw).unwrap(), b"dGVzdA==");
    }

    #[test]
    fn decodes_keys() {
        let s = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "t").unwrap();
        assert_eq!(s.key(SecretEncoding::Whsec).unwrap().len(), 24);
        assert_eq!(s.key(SecretEncoding::Raw).unwrap(), s.text.as_bytes());
        let bare = Secret::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "t").unwrap();
        assert_eq!(
            bare.key(SecretEncoding::Whsec).unwrap(),
            s.key(SecretEncoding::Whsec).unwrap()
        );
        // Unpadded, and with stray low bits in the last character: read as the
        // standardwebhooks Python library reads it (`b64decode(secret + "==")`).
        let unpadded = Secret::new("whsec_dGVzdB", "t").unwrap();
        assert_eq!(unpadded.key(SecretEncoding::Whsec).unwrap(), b"test");
        let bad = Secret::new("not base64!!", "--secret").unwrap();
        let err = bad.key(SecretEncoding::Base64).unwrap_err().to_string();
        assert!(
            err.contains("--secret") && !err.contains("base64!!"),
            "{err}"
        );
    }
}
