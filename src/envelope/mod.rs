//! The signing/envelope core: profiles, templates, secrets, signing, verification and
//! the explanation of failures. Pure: no I/O, no printing, no async. Bodies are bytes.

pub mod catalog;
pub mod explain;
pub mod headers;
pub mod json;
pub mod mac;
pub mod profile;
pub mod secret;
pub mod sign;
pub mod template;
pub mod verify;

pub use catalog::{Catalog, ProfileError};
pub use headers::HeaderList;
pub use profile::Profile;
pub use secret::Secret;
pub use sign::{BuiltEvent, GivenData, SignError, SignInput};
pub use verify::{Failure, Received, Verification, VerifyError, VerifyOptions};
