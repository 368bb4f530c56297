//! One file per subcommand: resolve its settings, run a pipeline, hand the result
//! to the output layer, return an exit status.

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

use crate::Exit;
use crate::http::client::SendError;
use crate::outbound::Delivered;
use crate::store::State;
use serde::Serialize;

/// The exit status of a delivery `send` or `simulate --to` made: 0 delivered, 1 not;
/// a single attempt that could not be made at all (not a timeout) is an error, with
/// advice where the failure has a usual cause.
pub fn delivered_exit(d: Delivered, retry: bool) -> anyhow::Result<Exit> {
    match d.last {
        Err(e) if !retry && !matches!(e, SendError::Timeout(_)) => {
            let hint = e.hint();
            let err = anyhow::Error::new(e);
            Err(match hint {
                Some(h) => err.context(crate::hint::Hinted {
                    message: "the event was not delivered".into(),
                    hint: h.into(),
                }),
                None => err.context("the event was not delivered"),
            })
        }
        _ if d.state == State::Delivered => Ok(Exit::Success),
        // Held by a relay (`Pending`): not at the app yet, so not counted as delivered.
        _ => Ok(Exit::Negative),
    }
}

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
