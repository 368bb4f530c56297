//! Flags + environment + `hookctl.toml` + profiles → what a command runs with.
//! Every check of what the user typed happens here (exit 2), so that the pipelines
//! below get typed values and never see a flag.

pub mod audit;
pub mod config;
pub mod deliveries;
pub mod events;
pub mod init;
pub mod keygen;
pub mod listen;
pub mod mock;
pub mod profiles;
pub mod relay;
pub mod replay;
pub mod scheme;
pub mod secrets;
pub mod send;
pub mod sign;
pub mod simulate;
pub mod store;
pub mod ui;
pub mod values;
pub mod verify;

pub use config::*;
pub use scheme::*;
pub use secrets::*;
pub use store::*;
pub use values::*;

// Until audit takes the clock from `crate::clock` itself.
pub use crate::clock::now_unix;
