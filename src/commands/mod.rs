//! One file per subcommand: load inputs, call the core, hand the result to the output
//! layer, return an exit status.

pub mod audit;
pub mod completions;
pub mod deliveries;
pub mod events;
pub mod init;
pub mod keygen;
pub mod listen;
pub mod man;
pub mod mock;
pub mod profiles;
pub mod relay;
pub mod replay;
pub mod send;
pub mod sign;
pub mod simulate;
pub mod ui;
pub mod verify;

use serde::Serialize;

pub use crate::show::header_pairs;

/// A profile's event, as listed.
#[derive(Debug, Serialize)]
pub struct EventRow<'a> {
    pub profile: &'a str,
    pub event: &'a str,
    pub description: &'a str,
    pub test: bool,
    pub handshake: bool,
}
