//! The service's settings that the handlers and the jobs read.

use std::ops::RangeInclusive;

/// The service's settings that the handlers and the jobs need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of workstation certificates, in days.
    pub cert_lifetime_days: u32,
    /// Ports for controllers and schedules.
    pub port_range: RangeInclusive<u16>,
    /// DNS zone of the connection details.
    pub public_zone: String,
    /// Largest upload, in bytes.
    pub max_upload_bytes: u64,
    /// Seconds an unfinished upload is kept.
    pub upload_expiry_seconds: u64,
    /// Space of each account, in bytes.
    pub account_quota_bytes: u64,
    /// Safeguards.
    pub safeguards: crate::jobs::SafeguardPolicy,
    /// The days of the year-end archive and of the new base of September.
    pub year: crate::jobs::YearDays,
    /// The provider's name, on the documents the service makes.
    pub provider_name: String,
    /// Days before a contract's end the manager is e-mailed, largest first.
    pub contract_reminder_days: Vec<i64>,
}

impl Settings {
    /// The host PRONOTE clients connect to for `domain`: the domain itself when it is a full
    /// name, otherwise the domain inside the service's zone.
    pub fn host_for(&self, domain: &str) -> String {
        crate::domains::host_of(&self.public_zone, domain)
    }

    /// The space of each account, in bytes, as the store counts it.
    pub fn quota(&self) -> i64 {
        i64::try_from(self.account_quota_bytes).unwrap_or(i64::MAX)
    }
}
