//! PRONOTE.net's rules: who may be published, when the delegation may change, the inactivity
//! time, and what a CAS address must look like.

use reqwest::Url;

use super::Refusal;

/// Minutes of inactivity before a webspace logs its user out: the default, and the bounds.
pub const DEFAULT_INACTIVITY: u32 = 20;
/// The shortest inactivity time.
pub const MIN_INACTIVITY: u32 = 5;
/// The longest inactivity time.
pub const MAX_INACTIVITY: u32 = 240;

/// A schedule may be published only with the Campus.net licence.
pub fn check_publish(schedule: &str, licence: bool, published: bool) -> Result<(), Refusal> {
    if published && !licence {
        return Err(Refusal::CampusNetLicenceRequired {
            schedule: schedule.to_string(),
        });
    }
    Ok(())
}

/// The delegation changes only while the publication is stopped, like the vendor's.
pub fn check_delegation_change(schedule: &str, published: bool) -> Result<(), Refusal> {
    if published {
        return Err(Refusal::PublicationRunning {
            schedule: schedule.to_string(),
        });
    }
    Ok(())
}

/// An inactivity time within the bounds.
pub fn check_inactivity(minutes: u32) -> Result<u32, Refusal> {
    if (MIN_INACTIVITY..=MAX_INACTIVITY).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Refusal::InvalidInactivity { given: minutes })
    }
}

/// A CAS server's address: https, a host, no query, fragment or credentials; written without
/// its trailing `/` (pages are `<cas_url>/login` and `<cas_url>/serviceValidate`).
pub fn parse_cas_url(text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refusal::InvalidCasUrl {
            why: "The address of the CAS server is empty.",
        });
    }
    let url = Url::parse(text).map_err(|_| Refusal::InvalidCasUrl {
        why: "This is not a web address.",
    })?;
    if url.scheme() != "https" {
        return Err(Refusal::InvalidCasUrl {
            why: "The address must start with https:// (the ENT's logins must not cross the network in clear).",
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::InvalidCasUrl {
            why: "The address has no server name.",
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Refusal::InvalidCasUrl {
            why: "The address must not hold ? or #.",
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::InvalidCasUrl {
            why: "The address must not hold a user name or a password.",
        });
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_licensed_schedule_is_published() {
        assert!(check_publish("planning01", true, true).is_ok());
        assert!(check_publish("planning01", false, false).is_ok());
        assert_eq!(
            check_publish("planning01", false, true),
            Err(Refusal::CampusNetLicenceRequired {
                schedule: "planning01".into()
            })
        );
    }

    #[test]
    fn delegation_waits_for_the_publication_to_stop() {
        assert!(check_delegation_change("planning02", false).is_ok());
        assert!(matches!(
            check_delegation_change("planning02", true),
            Err(Refusal::PublicationRunning { .. })
        ));
    }

    #[test]
    fn inactivity_is_bounded() {
        assert_eq!(check_inactivity(20), Ok(20));
        assert_eq!(check_inactivity(5), Ok(5));
        assert_eq!(check_inactivity(240), Ok(240));
        assert!(check_inactivity(4).is_err());
        assert!(check_inactivity(241).is_err());
    }

    #[test]
    fn cas_addresses_are_https_servers_without_extras() {
        assert_eq!(
            parse_cas_url(" https://cas.example.org/cas/ ").unwrap(),
            "https://cas.example.org/cas"
        );
        assert_eq!(
            parse_cas_url("https://cas.example.org:8443").unwrap(),
            "https://cas.example.org:8443"
        );
        for bad in [
            "",
            "cas.example.org",
            "http://cas.example.org/cas",
            "https://cas.example.org/cas?x=1",
            "https://cas.example.org/cas#a",
            "https://user:pw@cas.example.org/cas",
            "ftp://cas.example.org",
        ] {
            assert!(
                matches!(parse_cas_url(bad), Err(Refusal::InvalidCasUrl { .. })),
                "{bad}"
            );
        }
    }
}
