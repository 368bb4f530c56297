//! HMAC over the profile's algorithms, with constant-time comparison.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    HmacSha256,
    HmacSha1,
    HmacSha512,
    /// SHA-1 / SHA-256 of the signed content followed by the key: a keyed hash, not
    /// an HMAC (Cloudinary).
    KeyedSha1,
    KeyedSha256,
    Ed25519,
    /// ECDSA P-256 with SHA-256, the signature DER-encoded (SendGrid).
    EcdsaP256Sha256,
    /// The same, the signature as the 64 bytes `r‖s`.
    EcdsaP256Sha256Raw,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Kick), and with SHA-1 (verify only).
    RsaPkcs1Sha256,
    RsaPkcs1Sha1,
    /// The signature header carries the shared secret itself (GitLab, Telegram).
    Token,
    /// HTTP Basic auth: the secret is `USER:PASSWORD` (Postmark).
    Basic,
    /// A JWT (JWS compact) carries the signature; see `[signature.jwt]`.
    Jwt,
}

impl Algorithm {
    /// The HMACs, which `--explain` tries in turn.
    pub const ALL: [Algorithm; 3] = [Self::HmacSha256, Self::HmacSha1, Self::HmacSha512];
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha256 => "HMAC-SHA256",
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha512 => "HMAC-SHA512",
            Self::KeyedSha1 => "SHA-1 (keyed hash)",
            Self::KeyedSha256 => "SHA-256 (keyed hash)",
            Self::Ed25519 => "Ed25519",
            Self::EcdsaP256Sha256 => "ECDSA P-256 SHA-256 (DER)",
            Self::EcdsaP256Sha256Raw => "ECDSA P-256 SHA-256 (raw r‖s)",
            Self::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
            Self::RsaPkcs1Sha1 => "RSA PKCS#1 v1.5 SHA-1",
            Self::Token => "shared token",
            Self::Basic => "Basic auth",
            Self::Jwt => "JWT",
        }
    }

    /// Whether this is one of the HMACs (the fast paths of signing and verifying).
    pub fn is_hmac(self) -> bool {
        matches!(self, Self::HmacSha256 | Self::HmacSha1 | Self::HmacSha512)
    }

    /// The asymmetric algorithm, if it is one.
    pub fn asym(self) -> Option<super::keys::AsymAlg> {
        use super::keys::AsymAlg;
        Some(match self {
            Self::Ed25519 => AsymAlg::Ed25519,
            Self::EcdsaP256Sha256 => AsymAlg::EcdsaP256Der,
            Self::EcdsaP256Sha256Raw => AsymAlg::EcdsaP256Raw,
            Self::RsaPkcs1Sha256 => AsymAlg::RsaSha256,
            Self::RsaPkcs1Sha1 => AsymAlg::RsaSha1,
            _ => return None,
        })
    }

    /// The scheme family, as `profiles` lists it.
    pub fn family(self) -> &'static str {
        match self {
            Self::HmacSha256 | Self::HmacSha1 | Self::HmacSha512 => "hmac",
            Self::KeyedSha1 | Self::KeyedSha256 => "keyed-hash",
            Self::Ed25519 => "ed25519",
            Self::EcdsaP256Sha256 | Self::EcdsaP256Sha256Raw => "ecdsa",
            Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha1 => "rsa",
            Self::Token => "token",
            Self::Basic => "basic",
            Self::Jwt => "jwt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Hex,
    Base64,
    /// URL-safe base64 without padding (Sanity); both alphabets are read.
    #[serde(rename = "base64url")]
    Base64Url,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Self::Hex => "hex",
            Self::Base64 => "base64",
            Self::Base64Url => "base64url",
        }
    }
    pub fn other(self) -> Encoding {
        match self {
            Self::Hex => Self::Base64,
            Self::Base64 | Self::Base64Url => Self::Hex,
        }
    }
}

/// A finished MAC computation that can be read out or compared in constant time.
#[derive(Clone)]
pub enum MacState {
    Sha256(Hmac<sha2::Sha256>),
    Sha1(Hmac<sha1::Sha1>),
    Sha512(Hmac<sha2::Sha512>),
}

impl MacState {
    pub fn new(algorithm: Algorithm, key: &[u8], message: &[u8]) -> MacState {
        let mut m = MacState::keyed(algorithm, key);
        m.update(message);
        m
    }

    /// A MAC keyed and fed nothing yet: clone it for each message, and the key's
    /// blocks are not hashed again.
    pub fn keyed(algorithm: Algorithm, key: &[u8]) -> MacState {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        const ANY: &str = "HMAC takes any key length";
        match algorithm {
            Algorithm::HmacSha1 => MacState::Sha1(Hmac::new_from_slice(key).expect(ANY)),
            Algorithm::HmacSha512 => MacState::Sha512(Hmac::new_from_slice(key).expect(ANY)),
            // The other algorithms never come here: signing and verifying branch to
            // `schemes` for them first.
            _ => MacState::Sha256(Hmac::new_from_slice(key).expect(ANY)),
        }
    }

    pub fn update(&mut self, message: &[u8]) {
        match self {
            MacState::Sha256(m) => m.update(message),
            MacState::Sha1(m) => m.update(message),
            MacState::Sha512(m) => m.update(message),
        }
    }

    /// Finishes into `buf`: the MAC's bytes.
    pub fn finish(self, buf: &mut [u8; 64]) -> &[u8] {
        fn put<'b>(buf: &'b mut [u8; 64], mac: &[u8]) -> &'b [u8] {
            buf[..mac.len()].copy_from_slice(mac);
            &buf[..mac.len()]
        }
        match self {
            MacState::Sha256(m) => put(buf, &m.finalize().into_bytes()),
            MacState::Sha1(m) => put(buf, &m.finalize().into_bytes()),
            MacState::Sha512(m) => put(buf, &m.finalize().into_bytes()),
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        match self.clone() {
            MacState::Sha256(m) => m.finalize().into_bytes().to_vec(),
            MacState::Sha1(m) => m.finalize().into_bytes().to_vec(),
            MacState::Sha512(m) => m.finalize().into_bytes().to_vec(),
        }
    }

    /// Constant-time comparison with a received signature's bytes.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        match self.clone() {
            MacState::Sha256(m) => m.verify_slice(candidate).is_ok(),
            MacState::Sha1(m) => m.verify_slice(candidate).is_ok(),
            MacState::Sha512(m) => m.verify_slice(candidate).is_ok(),
        }
    }
}

pub fn encode(encoding: Encoding, bytes: &[u8]) -> String {
    let mut out = String::new();
    encode_into(encoding, bytes, &mut out);
    out
}

/// Appends the encoded signature to `out`.
pub fn encode_into(encoding: Encoding, bytes: &[u8], out: &mut String) {
    match encoding {
        Encoding::Hex => {
            // `hex::encode` goes a char at a time; a MAC is at most 64 bytes.
            for chunk in bytes.chunks(64) {
                let mut buf = [0u8; 128];
                let text = &mut buf[..chunk.len() * 2];
                hex::encode_to_slice(chunk, text).expect("the buffer is twice the chunk");
                out.push_str(std::str::from_utf8(text).expect("hex is ASCII"));
            }
        }
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode_string(bytes, out),
        Encoding::Base64Url => {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(bytes, out)
        }
    }
}

/// Decodes a received signature; hex is accepted in either case.
pub fn decode(encoding: Encoding, text: &str) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Hex => hex::decode(text.trim()).ok(),
        Encoding::Base64 | Encoding::Base64Url => super::secret::decode_base64(text),
    }
    .filter(|b| !b.is_empty())
}
