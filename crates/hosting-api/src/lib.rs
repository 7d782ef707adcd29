//! The wire contract of the hosting service, shared by `hostingd` and the console: request and
//! response types, validation rules with errors that say what to fix, TLS helpers for the
//! workstation identity, and a typed async client.

pub mod activation;
pub mod audit;
pub mod bases;
pub mod client;
pub mod contract;
mod download;
pub mod endpoint;
pub mod error_code;
pub mod file_hash;
pub mod monitoring;
pub mod notifications;
pub mod paths;
pub mod pronote_net;
pub mod safeguards;
pub mod schema;
pub mod school_year;
pub mod secret;
pub mod tls;
pub mod tus;
pub mod types;
pub mod uploads;
pub mod validate;

pub use audit::*;
pub use bases::*;
pub use client::{Client, ClientError, ClientResult};
pub use contract::*;
pub use endpoint::EndpointStatus;
pub use error_code::ErrorCode;
pub use file_hash::FileHash;
pub use monitoring::*;
pub use notifications::*;
pub use pronote_net::*;
pub use safeguards::*;
pub use school_year::*;
pub use secret::Secret;
pub use tls::{ClientIdentity, ServerTrust, WorkstationKey};
pub use tus::{TransferProgress, TusError, TusOptions};
pub use types::*;
pub use uploads::*;
