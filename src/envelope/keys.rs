//! Public and private keys for the asymmetric schemes (Ed25519, ECDSA P-256, RSA
//! PKCS#1 v1.5), read from PEM or from the forms providers hand out (Discord's hex,
//! Telnyx's base64, SendGrid's base64 SPKI). The cryptography is `ring`'s; the DER
//! structure of a public key is read with `spki`.

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair};
use std::fmt;

/// An asymmetric signature algorithm a profile names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsymAlg {
    Ed25519,
    /// ECDSA over P-256 with SHA-256, the signature DER-encoded (`SEQUENCE { r, s }`).
    EcdsaP256Der,
    /// The same, the signature as the fixed 64 bytes `r‖s` (JWS ES256 uses this).
    EcdsaP256Raw,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-1 (Amazon SNS signature version 1).
    RsaSha1,
}

/// What kind of key a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Ed25519,
    P256,
    Rsa,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "an Ed25519 key",
            KeyType::P256 => "an ECDSA P-256 key",
            KeyType::Rsa => "an RSA key",
        }
    }
}

impl AsymAlg {
    pub fn key_type(self) -> KeyType {
        match self {
            AsymAlg::Ed25519 => KeyType::Ed25519,
            AsymAlg::EcdsaP256Der | AsymAlg::EcdsaP256Raw => KeyType::P256,
            AsymAlg::RsaSha256 | AsymAlg::RsaSha1 => KeyType::Rsa,
        }
    }

    fn verifier(self) -> &'static dyn sig::VerificationAlgorithm {
        match self {
            AsymAlg::Ed25519 => &sig::ED25519,
            AsymAlg::EcdsaP256Der => &sig::ECDSA_P256_SHA256_ASN1,
            AsymAlg::EcdsaP256Raw => &sig::ECDSA_P256_SHA256_FIXED,
            AsymAlg::RsaSha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            AsymAlg::RsaSha1 => &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("{0}")]
    Malformed(String),
    #[error("the key ({origin}) is {got}, and profile `{profile}` needs {want}")]
    WrongType {
        origin: String,
        got: &'static str,
        want: &'static str,
        profile: String,
    },
    #[error("could not sign with the private key: {0}")]
    Sign(String),
}

const OID_ED25519: &str = "1.3.101.112";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

/// The largest key text taken (a 16384-bit RSA key in PEM is about 4 KiB).
const MAX_KEY_TEXT: usize = 64 * 1024;

/// A public key, ready to verify with.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_type: KeyType,
    /// What `ring` takes: Ed25519's 32 bytes, P-256's uncompressed point, or RSA's
    /// PKCS#1 `RSAPublicKey`.
    raw: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({:?}, {} bytes)",
            self.key_type,
            self.raw.len()
        )
    }
}

/// Decodes hex or base64 (standard or URL-safe, padded or not).
fn decode_text(text: &str) -> Option<Vec<u8>> {
    let t: String = text.split_whitespace().collect();
    if t.is_empty() {
        return None;
    }
    if t.len().is_multiple_of(2)
        && t.bytes().all(|b| b.is_ascii_hexdigit())
        && let Ok(b) = hex::decode(&t)
    {
        return Some(b);
    }
    super::secret::decode_base64(&t)
}

fn pem_blocks(text: &str) -> Result<Vec<pem::Pem>, KeyError> {
    pem::parse_many(text)
        .map_err(|e| KeyError::Malformed(format!("the key is not valid PEM ({e})")))
        .and_then(|blocks| {
            if blocks.is_empty() {
                Err(KeyError::Malformed("the PEM text holds no key".into()))
            } else {
                Ok(blocks)
            }
        })
}

impl PublicKey {
    /// Reads a public key: PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`), or hex or base64 of
    /// a raw Ed25519 key (32 bytes), a raw P-256 point (65 bytes), or SPKI DER.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let text = text.trim();
        if text.len() > MAX_KEY_TEXT {
            return Err(KeyError::Malformed(format!(
                "the key is {} bytes long, over the limit of {MAX_KEY_TEXT}",
                text.len()
            )));
        }
        if text.starts_with("-----BEGIN") {
            let block = pem_blocks(text)?.remove(0);
            return match block.tag() {
                "PUBLIC KEY" => Self::from_spki(block.contents()),
                "RSA PUBLIC KEY" => Self::rsa_pkcs1(block.contents()),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Err(KeyError::Malformed(
                    "this is a private key; verifying takes the public key (`openssl pkey -pubout` gives it), and --private-key is for signing".into(),
                )),
                "CERTIFICATE" => Err(KeyError::Malformed(
                    "this is a certificate; give its public key (`openssl x509 -pubkey -noout -in CERT`)".into(),
                )),
                other => Err(KeyError::Malformed(format!(
                    "a PEM `{other}` block is not a public key; expected `PUBLIC KEY`"
                ))),
            };
        }
        let bytes = decode_text(text).ok_or_else(|| {
            KeyError::Malformed("the public key is neither PEM nor hex nor base64".into())
        })?;
        match bytes.as_slice() {
            b if b.len() == 32 => Ok(PublicKey {
                key_type: KeyType::Ed25519,
                raw: bytes,
            }),
            [4, rest @ ..] if rest.len() == 64 => Ok(PublicKey {
                key_type: KeyType::P256,
                raw: bytes,
            }),
            [0x30, ..] => {
                Self::from_spki(&bytes).or_else(|e| Self::rsa_pkcs1(&bytes).map_err(|_| e))
            }
            _ => Err(KeyError::Malformed(format!(
                "a public key of {} bytes is none of: a raw Ed25519 key (32 bytes), a raw P-256 point (65 bytes), DER SubjectPublicKeyInfo",
                bytes.len()
            ))),
        }
    }

    fn rsa_pkcs1(der: &[u8]) -> Result<PublicKey, KeyError> {
        // `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`;
        // ring checks the numbers when it verifies.
        use spki::der::Decode;
        use spki::der::asn1::{SequenceOf, UintRef};
        match SequenceOf::<UintRef<'_>, 2>::from_der(der) {
            Ok(seq) if seq.len() == 2 => {}
            _ => {
                return Err(KeyError::Malformed(
                    "the RSA public key is not DER `RSAPublicKey`".into(),
                ));
            }
        }
        Ok(PublicKey {
            key_type: KeyType::Rsa,
            raw: der.to_vec(),
        })
    }

    /// Reads DER SubjectPublicKeyInfo.
    pub fn from_spki(der: &[u8]) -> Result<PublicKey, KeyError> {
        use spki::der::Decode;
        let info = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|e| {
            KeyError::Malformed(format!(
                "the public key is not valid DER SubjectPublicKeyInfo ({e})"
            ))
        })?;
        let bits = info.subject_public_key.as_bytes().ok_or_else(|| {
            KeyError::Malformed("the public key's bit string is not whole bytes".into())
        })?;
        let oid = info.algorithm.oid.to_string();
        let key_type = match oid.as_str() {
            OID_ED25519 if bits.len() == 32 => KeyType::Ed25519,
            OID_EC => {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<spki::ObjectIdentifier>().ok())
                    .map(|o| o.to_string());
                if curve.as_deref() != Some(OID_P256) {
                    return Err(KeyError::Malformed(format!(
                        "the EC public key is on curve {}, not P-256",
                        curve.unwrap_or_else(|| "(unnamed)".into())
                    )));
                }
                if bits.len() != 65 || bits[0] != 4 {
                    return Err(KeyError::Malformed(
                        "the P-256 public key is not an uncompressed point".into(),
                    ));
                }
                KeyType::P256
            }
            OID_RSA => KeyType::Rsa,
            other => {
                return Err(KeyError::Malformed(format!(
                    "a public key of algorithm {other} is none of Ed25519, ECDSA P-256, RSA (or a malformed one)"
                )));
            }
        };
        Ok(PublicKey {
            key_type,
            raw: bits.to_vec(),
        })
    }

    /// Whether `signature` is this key's over `message` (`ring` checks the key's and
    /// the signature's structure; a truncated or malformed one is simply not valid).
    pub fn verify(&self, alg: AsymAlg, message: &[u8], signature: &[u8]) -> bool {
        alg.key_type() == self.key_type
            && sig::UnparsedPublicKey::new(alg.verifier(), &self.raw)
                .verify(message, signature)
                .is_ok()
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        use spki::der::{Encode, asn1::BitString};
        let (oid, params) = match self.key_type {
            KeyType::Ed25519 => (OID_ED25519, None),
            KeyType::P256 => (OID_EC, Some(OID_P256)),
            KeyType::Rsa => (OID_RSA, Some("null")),
        };
        let bad = |e: spki::der::Error| KeyError::Malformed(e.to_string());
        let parameters = match params {
            None => None,
            Some("null") => Some(spki::der::Any::from(spki::der::asn1::Null)),
            Some(o) => Some(
                spki::der::Any::encode_from(&spki::ObjectIdentifier::new_unwrap(o)).map_err(bad)?,
            ),
        };
        spki::SubjectPublicKeyInfoOwned {
            algorithm: spki::AlgorithmIdentifierOwned {
                oid: spki::ObjectIdentifier::new_unwrap(oid),
                parameters,
            },
            subject_public_key: BitString::from_bytes(&self.raw).map_err(bad)?,
        }
        .to_der()
        .map_err(bad)
    }

    /// The raw bytes (Ed25519's 32, P-256's point).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

/// A private key, ready to sign with.
pub enum PrivateKey {
    Ed25519(sig::Ed25519KeyPair),
    /// PKCS#8; the key pair is made for the signature form wanted.
    P256(Vec<u8>),
    Rsa(sig::RsaKeyPair),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?})", self.key_type())
    }
}

impl PrivateKey {
    /// Reads a private key: PEM PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`),
    /// or hex or base64 of an Ed25519 seed (32 bytes, or NaCl's 64 seed‖public).
    pub fn parse(text: &str) -> Result<PrivateKey, KeyError> {
        let text = text.trim();
        if text.len() > MAX_KEY_TEXT {
            return Err(KeyError::Malformed(format!(
                "the key is {} bytes long, over the limit of {MAX_KEY_TEXT}",
                text.len()
            )));
        }
        if text.starts_with("-----BEGIN") {
            let block = pem_blocks(text)?
                .into_iter()
                .find(|b| b.tag().contains("PRIVATE KEY"))
                .ok_or_else(|| {
                    KeyError::Malformed(
                        "the PEM text holds no private key (signing takes the private half: `-----BEGIN PRIVATE KEY-----`)".into(),
                    )
                })?;
            return match block.tag() {
                "PRIVATE KEY" => Self::from_pkcs8(block.contents()),
                "RSA PRIVATE KEY" => sig::RsaKeyPair::from_der(block.contents())
                    .map(PrivateKey::Rsa)
                    .map_err(|e| {
                        KeyError::Malformed(format!("the RSA private key is not usable ({e})"))
                    }),
                "EC PRIVATE KEY" => Self::from_pkcs8(&sec1_to_pkcs8(block.contents())?),
                other => Err(KeyError::Malformed(format!(
                    "a PEM `{other}` block is not read; give an unencrypted PKCS#8 `PRIVATE KEY`"
                ))),
            };
        }
        let bytes = decode_text(text).ok_or_else(|| {
            KeyError::Malformed("the private key is neither PEM nor hex nor base64".into())
        })?;
        match bytes.len() {
            32 | 64 => {
                let pair = sig::Ed25519KeyPair::from_seed_unchecked(&bytes[..32])
                    .map_err(|e| KeyError::Malformed(format!("not an Ed25519 seed ({e})")))?;
                if bytes.len() == 64 && pair.public_key().as_ref() != &bytes[32..] {
                    return Err(KeyError::Malformed(
                        "the 64-byte Ed25519 key's second half is not the public key of its first"
                            .into(),
                    ));
                }
                Ok(PrivateKey::Ed25519(pair))
            }
            _ if bytes.first() == Some(&0x30) => Self::from_pkcs8(&bytes),
            n => Err(KeyError::Malformed(format!(
                "a private key of {n} bytes is neither an Ed25519 seed (32 bytes) nor PKCS#8 DER"
            ))),
        }
    }

    fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, KeyError> {
        if let Ok(k) = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Ok(PrivateKey::Ed25519(k));
        }
        let rng = SystemRandom::new();
        if sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng).is_ok() {
            return Ok(PrivateKey::P256(der.to_vec()));
        }
        match sig::RsaKeyPair::from_pkcs8(der) {
            Ok(k) => Ok(PrivateKey::Rsa(k)),
            Err(e) => Err(KeyError::Malformed(format!(
                "the PKCS#8 private key is none of Ed25519, ECDSA P-256, RSA of 2048 bits or more ({e})"
            ))),
        }
    }

    pub fn key_type(&self) -> KeyType {
        match self {
            PrivateKey::Ed25519(_) => KeyType::Ed25519,
            PrivateKey::P256(_) => KeyType::P256,
            PrivateKey::Rsa(_) => KeyType::Rsa,
        }
    }

    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        let raw = match self {
            PrivateKey::Ed25519(k) => k.public_key().as_ref().to_vec(),
            PrivateKey::P256(der) => self
                .ecdsa(der, AsymAlg::EcdsaP256Der)?
                .public_key()
                .as_ref()
                .to_vec(),
            PrivateKey::Rsa(k) => k.public().as_ref().to_vec(),
        };
        Ok(PublicKey {
            key_type: self.key_type(),
            raw,
        })
    }

    fn ecdsa(&self, der: &[u8], alg: AsymAlg) -> Result<sig::EcdsaKeyPair, KeyError> {
        let signing = match alg {
            AsymAlg::EcdsaP256Raw => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            _ => &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
        };
        sig::EcdsaKeyPair::from_pkcs8(signing, der, &SystemRandom::new())
            .map_err(|e| KeyError::Malformed(format!("the P-256 private key is not usable ({e})")))
    }

    /// Signs `message`; the key must be of the algorithm's type (checked by the caller
    /// with a message naming the profile; checked again here).
    pub fn sign(&self, alg: AsymAlg, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match (self, alg) {
            (PrivateKey::Ed25519(k), AsymAlg::Ed25519) => Ok(k.sign(message).as_ref().to_vec()),
            (PrivateKey::P256(der), AsymAlg::EcdsaP256Der | AsymAlg::EcdsaP256Raw) => self
                .ecdsa(der, alg)?
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| KeyError::Sign(e.to_string())),
            (PrivateKey::Rsa(_), AsymAlg::RsaSha1) => Err(KeyError::Sign(
                "RSA with SHA-1 is verified, not signed, here".into(),
            )),
            (PrivateKey::Rsa(k), AsymAlg::RsaSha256) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&sig::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|e| KeyError::Sign(e.to_string()))?;
                Ok(out)
            }
            _ => Err(KeyError::Sign(format!(
                "the key is {}, not {}",
                self.key_type().name(),
                alg.key_type().name()
            ))),
        }
    }
}

/// Wraps a SEC1 `ECPrivateKey` (`openssl ecparam -genkey` writes one) for P-256 in
/// PKCS#8, which `ring` reads.
fn sec1_to_pkcs8(sec1: &[u8]) -> Result<Vec<u8>, KeyError> {
    use spki::der::{Encode, Tag, asn1::OctetStringRef};
    let bad = |e: spki::der::Error| {
        KeyError::Malformed(format!("the `EC PRIVATE KEY` is not usable ({e})"))
    };
    let algorithm = spki::AlgorithmIdentifierOwned {
        oid: spki::ObjectIdentifier::new_unwrap(OID_EC),
        parameters: Some(
            spki::der::Any::encode_from(&spki::ObjectIdentifier::new_unwrap(OID_P256))
                .map_err(bad)?,
        ),
    };
    let mut content = 0u8.to_der().map_err(bad)?;
    content.extend(algorithm.to_der().map_err(bad)?);
    content.extend(
        OctetStringRef::new(sec1)
            .map_err(bad)?
            .to_der()
            .map_err(bad)?,
    );
    spki::der::Any::new(Tag::Sequence, content)
        .map_err(bad)?
        .to_der()
        .map_err(bad)
}

/// A fresh key pair of a type, as PKCS#8 DER (RSA keys are not generated: `ring`
/// does not make them).
pub fn generate(key_type: KeyType) -> Result<Vec<u8>, KeyError> {
    let rng = SystemRandom::new();
    let doc = match key_type {
        KeyType::Ed25519 => sig::Ed25519KeyPair::generate_pkcs8(&rng),
        KeyType::P256 => {
            sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        }
        KeyType::Rsa => {
            return Err(KeyError::Malformed(
                "RSA key pairs are not generated here; make one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`".into(),
            ));
        }
    }
    .map_err(|e| KeyError::Sign(e.to_string()))?;
    Ok(doc.as_ref().to_vec())
}

/// PEM text of DER under a tag.
pub fn to_pem(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// Base64 (standard, padded).
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_round_trip_in_every_form() {
        let der = generate(KeyType::Ed25519).unwrap();
        let private = PrivateKey::parse(&to_pem("PRIVATE KEY", &der)).unwrap();
        let public = private.public_key().unwrap();
        let msg = b"1700000000{\"type\":1}";
        let s = private.sign(AsymAlg::Ed25519, msg).unwrap();
        for form in [
            hex::encode(public.raw()),
            b64(public.raw()),
            b64(&public.to_spki_der().unwrap()),
            to_pem("PUBLIC KEY", &public.to_spki_der().unwrap()),
        ] {
            let k = PublicKey::parse(&form).unwrap();
            assert!(k.verify(AsymAlg::Ed25519, msg, &s), "{form}");
            assert!(!k.verify(AsymAlg::Ed25519, b"other", &s));
            assert!(!k.verify(AsymAlg::EcdsaP256Der, msg, &s));
        }
    }

    #[test]
    fn p256_der_and_raw() {
        let der = generate(KeyType::P256).unwrap();
        let private = PrivateKey::parse(&b64(&der)).unwrap();
        let public =
            PublicKey::parse(&b64(&private.public_key().unwrap().to_spki_der().unwrap())).unwrap();
        let d = private.sign(AsymAlg::EcdsaP256Der, b"m").unwrap();
        let r = private.sign(AsymAlg::EcdsaP256Raw, b"m").unwrap();
        assert_eq!(r.len(), 64);
        assert!(public.verify(AsymAlg::EcdsaP256Der, b"m", &d));
        assert!(public.verify(AsymAlg::EcdsaP256Raw, b"m", &r));
        // Truncated DER, empty, garbage: not valid, no panic.
        assert!(!public.verify(AsymAlg::EcdsaP256Der, b"m", &d[..d.len() - 3]));
        assert!(!public.verify(AsymAlg::EcdsaP256Der, b"m", &[]));
        assert!(!public.verify(AsymAlg::EcdsaP256Raw, b"m", &d));
    }

    #[test]
    fn openssl_s_traditional_forms_are_read() {
        // `openssl ecparam -genkey` (SEC1) and `openssl genrsa -traditional` (PKCS#1).
        let ec = PrivateKey::parse(include_str!("../../tests/data/p256-sec1.pem")).unwrap();
        let sig = ec.sign(AsymAlg::EcdsaP256Der, b"m").unwrap();
        assert!(
            ec.public_key()
                .unwrap()
                .verify(AsymAlg::EcdsaP256Der, b"m", &sig)
        );
        let rsa = PrivateKey::parse(include_str!("../../tests/data/rsa-pkcs1.pem")).unwrap();
        let public = PublicKey::parse(include_str!("../../tests/data/rsa-pkcs1.pub")).unwrap();
        let sig = rsa.sign(AsymAlg::RsaSha256, b"m").unwrap();
        assert!(public.verify(AsymAlg::RsaSha256, b"m", &sig));
        assert!(!public.verify(AsymAlg::RsaSha256, b"n", &sig));
    }

    #[test]
    fn bad_keys_are_clear_errors() {
        for bad in [
            "",
            "zz",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----",
            "MCowBQYDK2VwAyEA",
            &"ab".repeat(40_000),
            "3082",
        ] {
            assert!(PublicKey::parse(bad).is_err(), "{bad:.40}");
            assert!(PrivateKey::parse(bad).is_err(), "{bad:.40}");
        }
        let e = PublicKey::parse(&to_pem("PRIVATE KEY", &generate(KeyType::Ed25519).unwrap()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("private key"), "{e}");
    }
}
