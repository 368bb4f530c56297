//! HTTP plumbing shared by the commands: the client (send, replay, forward).

pub mod client;
pub mod conn;
pub mod receiver;
pub mod tls;
