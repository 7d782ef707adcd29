//! Which domain names a school may give its controller and schedules.
//!
//! A school types a single name (`lycee-hugo`), reached at `lycee-hugo.<public zone>`; typing the
//! full name inside the zone (`lycee-hugo.<zone>`) is the same host and is stored as the single
//! name. Any other full name is accepted only when it is, or is under, a domain the provider's
//! staff verified for that school (`hostingd verify-domain`). Uniqueness is decided on the host.

use hosting_api::validate;

use crate::fault::{Fault, FaultResult};
use crate::rules::{DomainProblem, Refusal};

/// A domain name as the service stores and serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointName {
    /// What is stored and shown as the domain: a single name inside the zone, or a full name.
    pub domain: String,
    /// The host PRONOTE clients connect to.
    pub host: String,
    /// True for a full name outside the zone, which needs a verified domain.
    pub needs_verification: bool,
}

/// The host of a stored domain: a single name lives in `zone`.
pub fn host_of(zone: &str, domain: &str) -> String {
    if domain.contains('.') {
        domain.to_string()
    } else {
        format!("{domain}.{zone}")
    }
}

/// True when `name` is `domain` or a name under it.
pub fn is_within(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

fn not_allowed(name: &str, zone: &str, why: DomainProblem) -> Fault {
    Fault::from(Refusal::DomainNotAllowed {
        name: name.to_string(),
        zone: zone.to_string(),
        why,
    })
}

/// Checks the syntax of `typed` and where it lives; a full name outside the zone comes back
/// with `needs_verification`, for [`ensure_verified`].
pub fn classify(zone: &str, typed: &str) -> FaultResult<EndpointName> {
    let name = validate::domain(typed)?;
    let single = |label: &str| EndpointName {
        domain: label.to_string(),
        host: format!("{label}.{zone}"),
        needs_verification: false,
    };
    if !name.contains('.') {
        let endpoint = single(&name);
        if endpoint.host.len() > 253 {
            return Err(not_allowed(&name, zone, DomainProblem::TooLong));
        }
        return Ok(endpoint);
    }
    if is_within(zone, &name) {
        return Err(not_allowed(&name, zone, DomainProblem::OfTheService));
    }
    if let Some(label) = name.strip_suffix(&format!(".{zone}")) {
        if label.contains('.') {
            return Err(not_allowed(&name, zone, DomainProblem::Dotted));
        }
        if validate::RESERVED_LABELS.contains(&label) {
            return Err(not_allowed(&name, zone, DomainProblem::Reserved));
        }
        return Ok(single(label));
    }
    Ok(EndpointName {
        domain: name.clone(),
        host: name,
        needs_verification: true,
    })
}

/// Accepts a full name outside the zone only when it is within one of `verified` (the
/// account's verified domains).
pub fn ensure_verified(zone: &str, name: &EndpointName, verified: &[String]) -> FaultResult<()> {
    if !name.needs_verification || verified.iter().any(|d| is_within(&name.host, d)) {
        return Ok(());
    }
    Err(not_allowed(&name.host, zone, DomainProblem::NotVerified))
}

/// Checks a domain the operator is about to verify for an account: a full name, outside the
/// public zone and not containing it.
pub fn verifiable(zone: &str, typed: &str) -> Result<String, String> {
    let name = validate::domain(typed).map_err(|e| e.message)?;
    if !name.contains('.') {
        return Err(format!(
            "{name} is a single name: verify a full domain name such as lycee-hugo.fr"
        ));
    }
    if is_within(&name, zone) || is_within(zone, &name) {
        return Err(format!(
            "{name} overlaps the public zone {zone}: names in the zone need no verification"
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ZONE: &str = "hosting.example.org";

    #[test]
    fn single_names_and_full_names_in_the_zone_are_the_same_host() {
        let single = classify(ZONE, "Lycee-Hugo").unwrap();
        let full = classify(ZONE, "lycee-hugo.hosting.example.org.").unwrap();
        assert_eq!(single, full);
        assert_eq!(single.domain, "lycee-hugo");
        assert_eq!(single.host, "lycee-hugo.hosting.example.org");
        assert!(!single.needs_verification);
    }

    #[test]
    fn names_of_the_zone_itself_and_deeper_names_are_refused() {
        for typed in [
            "hosting.example.org",
            "example.org",
            "www.lycee-hugo.hosting.example.org",
        ] {
            let error = classify(ZONE, typed).unwrap_err();
            assert!(
                matches!(error.refusal(), Some(Refusal::DomainNotAllowed { .. })),
                "{typed}: {error}"
            );
        }
    }

    #[test]
    fn the_services_own_and_conventional_names_are_kept() {
        // A single name is refused by the shared rule, before the service is asked.
        for typed in ["www", "API", "mail", "console"] {
            let refused = classify(ZONE, typed).unwrap_err();
            assert!(
                matches!(&refused, Fault::Invalid(e) if e.code == "reserved_domain"),
                "{typed}: {refused:?}"
            );
        }
        for typed in ["www.hosting.example.org", "Status.hosting.example.org"] {
            let refused = classify(ZONE, typed).unwrap_err();
            assert!(
                matches!(
                    refused,
                    Fault::Store(crate::store::StoreError::Refused(
                        Refusal::DomainNotAllowed {
                            why: DomainProblem::Reserved,
                            ..
                        }
                    ))
                ),
                "{typed}: {refused:?}"
            );
        }
        // A school's own domain may have www in it; names that only start with one are fine.
        assert!(classify(ZONE, "www.lycee-hugo.fr").is_ok());
        assert!(classify(ZONE, "www-lycee").is_ok());
    }

    #[test]
    fn foreign_names_need_a_verified_domain() {
        let name = classify(ZONE, "edt.lycee-hugo.fr").unwrap();
        assert!(name.needs_verification);
        assert!(ensure_verified(ZONE, &name, &[]).is_err());
        assert!(ensure_verified(ZONE, &name, &["hugo.fr".to_string()]).is_err());
        assert!(ensure_verified(ZONE, &name, &["lycee-hugo.fr".to_string()]).is_ok());
        assert!(ensure_verified(ZONE, &name, &["edt.lycee-hugo.fr".to_string()]).is_ok());
    }

    #[test]
    fn what_an_operator_may_verify() {
        assert_eq!(verifiable(ZONE, "Lycee-Hugo.FR").unwrap(), "lycee-hugo.fr");
        assert!(verifiable(ZONE, "lycee").is_err());
        assert!(verifiable(ZONE, "example.org").is_err());
        assert!(verifiable(ZONE, "x.hosting.example.org").is_err());
    }
}
