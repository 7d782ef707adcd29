//! The crate's integration tests, in one binary: one link instead of one per file.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod anonymous_slots;
mod audit;
mod bad_input;
mod cas_bounds;
mod certificates;
mod cli;
mod connection_limits;
mod contract;
mod delivery;
mod hardening_auth;
mod hardening_data;
mod hardening_domains;
mod hardening_roles;
mod hardening_secrets;
mod instances;
mod isolation;
mod language;
mod lost_password;
mod migrations;
mod monitoring;
mod notifications;
mod onboarding;
mod openapi;
mod outages;
mod people;
mod postgres;
mod pronote_net;
mod proxy_protocol;
mod readiness;
mod resume;
mod s3_blobs;
mod scale_out;
mod school_year;
mod september_base;
mod server_pronote;
mod uploads;
