//! HMAC over the profile's algorithms, with constant-time comparison.

use super::profile::{Algorithm, Encoding};
use base64::Engine;
use hmac::{Hmac, Mac};

/// A finished MAC computation that can be read out or compared in constant time.
#[derive(Clone)]
pub enum MacState {
    Sha256(Hmac<sha2::Sha256>),
    Sha1(Hmac<sha1::Sha1>),
    Sha512(Hmac<sha2::Sha512>),
}

impl MacState {
    pub fn new(algorithm: Algorithm, key: &[u8], message: &[u8]) -> MacState {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        macro_rules! mk {
            ($v:ident, $h:ty) => {{
                let mut m = <Hmac<$h>>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(message);
                MacState::$v(m)
            }};
        }
        match algorithm {
            Algorithm::HmacSha256 => mk!(Sha256, sha2::Sha256),
            Algorithm::HmacSha1 => mk!(Sha1, sha1::Sha1),
            Algorithm::HmacSha512 => mk!(Sha512, sha2::Sha512),
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
    match encoding {
        Encoding::Hex => {
            // `hex::encode` goes a char at a time; a MAC is at most 64 bytes.
            let mut buf = [0u8; 128];
            let text = &mut buf[..bytes.len().min(64) * 2];
            match hex::encode_to_slice(&bytes[..text.len() / 2], text) {
                Ok(()) if bytes.len() <= 64 => String::from_utf8_lossy(text).into_owned(),
                _ => hex::encode(bytes),
            }
        }
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// Decodes a received signature; hex is accepted in either case.
pub fn decode(encoding: Encoding, text: &str) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Hex => hex::decode(text.trim()).ok(),
        Encoding::Base64 => super::secret::decode_base64(text),
    }
    .filter(|b| !b.is_empty())
}
