//! `--signature-header` and the other scheme flags, applied to a profile.

use crate::cli::{AlgorithmArg, EncodingArg, SchemeArgs, SecretEncodingArg};
use crate::envelope::Profile;
use crate::envelope::profile::{Algorithm, Encoding, ProfileDef, SignatureDef};
use crate::envelope::secret::SecretEncoding;
use anyhow::{Result, bail};

/// Applies `--signature-header` & co. to a profile.
pub fn apply_scheme_args(profile: Profile, args: &SchemeArgs) -> Result<Profile> {
    let changes = args.signature_header.is_some()
        || args.signature_format.is_some()
        || args.signed.is_some()
        || args.algorithm.is_some()
        || args.encoding.is_some()
        || args.secret_encoding.is_some();
    if !changes {
        return Ok(profile);
    }
    let mut def: ProfileDef = profile.def.clone();
    let sig = def.signature.get_or_insert_with(|| SignatureDef {
        signed: Some("{body}".into()),
        ..SignatureDef::default()
    });
    if let Some(s) = &args.signed {
        sig.signed = Some(s.clone());
    }
    if let Some(a) = args.algorithm {
        sig.algorithm = Some(match a {
            AlgorithmArg::HmacSha256 => Algorithm::HmacSha256,
            AlgorithmArg::HmacSha1 => Algorithm::HmacSha1,
            AlgorithmArg::HmacSha512 => Algorithm::HmacSha512,
        });
    }
    if let Some(e) = args.encoding {
        sig.encoding = Some(match e {
            EncodingArg::Hex => Encoding::Hex,
            EncodingArg::Base64 => Encoding::Base64,
            EncodingArg::Base64url => Encoding::Base64Url,
        });
    }
    if let Some(e) = args.secret_encoding {
        sig.secret = Some(match e {
            SecretEncodingArg::Raw => SecretEncoding::Raw,
            SecretEncodingArg::Whsec => SecretEncoding::Whsec,
            SecretEncodingArg::Base64 => SecretEncoding::Base64,
            SecretEncodingArg::Hex => SecretEncoding::Hex,
            SecretEncodingArg::WhsecOrRaw => SecretEncoding::WhsecOrRaw,
        });
    }
    if args.signature_header.is_some() || args.signature_format.is_some() {
        let at = def
            .headers
            .iter()
            .position(|(_, v)| v.contains("{signature}"));
        let (old_name, old_value) = match at {
            Some(i) => {
                let (k, v) = def
                    .headers
                    .shift_remove_index(i)
                    .expect("index from position");
                (Some(k), Some(v))
            }
            None => (None, None),
        };
        let name = args
            .signature_header
            .clone()
            .or(old_name)
            .unwrap_or_else(|| "X-Signature".into());
        let value = args
            .signature_format
            .clone()
            .or(old_value)
            .unwrap_or_else(|| "{signature}".into());
        if !value.contains("{signature}") {
            bail!("--signature-format must contain `{{signature}}`, e.g. 'sha256={{signature}}'");
        }
        let at = at.unwrap_or(def.headers.len()).min(def.headers.len());
        def.headers.shift_insert(at, name, value);
    }
    Profile::compile(
        &profile.name,
        &format!("{} + command-line overrides", profile.origin),
        def,
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "the scheme overrides do not fit profile `{}`: {e}",
            profile.name
        )
    })
}
