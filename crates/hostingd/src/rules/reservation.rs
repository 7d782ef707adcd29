//! The licences reserved for the schedules' Administration groups: all the schedules' together
//! at most the contract's simultaneous Administrative connections; and who a schedule's server
//! admits when a Client connects ([`admit`]).

use super::Refusal;

/// One schedule's share of the contract's licences, as a connection is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// Licences it reserves for its Administration group.
    pub reserved: i64,
    /// Connections of members of its Administration group now.
    pub administration_in_use: i64,
}

impl Seats {
    /// Reserved seats its Administration group does not fill now.
    fn unfilled(self) -> i64 {
        (self.reserved - self.administration_in_use).max(0)
    }
}

/// Whether a Client may connect to schedule `here` (one of `schedules`), the account's Clients
/// holding `in_use` of the contract's `contract_licences` now. A member of that schedule's
/// Administration group may take its own reserved seats and the free ones; anyone else only
/// the seats nobody reserves. Refused with who holds the rest.
pub fn admit(
    contract_licences: i64,
    in_use: i64,
    schedules: &[Seats],
    here: usize,
    administration: bool,
    schedule: &str,
) -> Result<(), Refusal> {
    let free = contract_licences - in_use;
    if free <= 0 {
        return Err(Refusal::LicencesInUse { contract_licences });
    }
    let kept: i64 = schedules
        .iter()
        .enumerate()
        .filter(|(index, _)| !(administration && *index == here))
        .map(|(_, seats)| seats.unfilled())
        .sum();
    if free <= kept {
        return Err(Refusal::SeatsReserved {
            schedule: schedule.to_string(),
            free,
        });
    }
    Ok(())
}

/// Checks a reservation of `reserved` licences for one schedule, the other schedules holding
/// `elsewhere`, against the contract's `contract_licences`.
pub fn check(reserved: i64, elsewhere: i64, contract_licences: i64) -> Result<(), Refusal> {
    if reserved.saturating_add(elsewhere) > contract_licences {
        return Err(Refusal::TooManyReserved {
            contract_licences,
            elsewhere,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seats(reserved: i64, administration_in_use: i64) -> Seats {
        Seats {
            reserved,
            administration_in_use,
        }
    }

    #[test]
    fn reserved_seats_are_kept_for_the_administration_group() {
        // 5 licences, 2 reserved here and nobody in: 3 for anyone, then only the group.
        let here = [seats(2, 0), seats(0, 0)];
        assert_eq!(admit(5, 2, &here, 0, false, "planning01"), Ok(()));
        assert_eq!(
            admit(5, 3, &here, 0, false, "planning01"),
            Err(Refusal::SeatsReserved {
                schedule: "planning01".to_string(),
                free: 2
            })
        );
        assert_eq!(admit(5, 3, &here, 0, true, "planning01"), Ok(()));
        assert_eq!(admit(5, 4, &here, 0, true, "planning01"), Ok(()));
        assert_eq!(
            admit(5, 5, &here, 0, true, "planning01"),
            Err(Refusal::LicencesInUse {
                contract_licences: 5
            })
        );
        // A reservation filled by its group keeps nothing more.
        let filled = [seats(2, 2), seats(0, 0)];
        assert_eq!(admit(5, 4, &filled, 1, false, "planning02"), Ok(()));
        // Another schedule's reservation is kept from this schedule's group too.
        let elsewhere = [seats(0, 0), seats(3, 0)];
        assert_eq!(
            admit(5, 2, &elsewhere, 0, true, "planning01"),
            Err(Refusal::SeatsReserved {
                schedule: "planning01".to_string(),
                free: 3
            })
        );
        // No contract: nobody.
        assert_eq!(
            admit(0, 0, &[seats(0, 0)], 0, true, "planning01"),
            Err(Refusal::LicencesInUse {
                contract_licences: 0
            })
        );
    }

    #[test]
    fn a_reservation_fits_within_the_contract() {
        assert_eq!(check(0, 0, 0), Ok(()));
        assert_eq!(check(5, 0, 5), Ok(()));
        assert_eq!(check(2, 3, 5), Ok(()));
        assert_eq!(
            check(6, 0, 5),
            Err(Refusal::TooManyReserved {
                contract_licences: 5,
                elsewhere: 0
            })
        );
        // Another schedule holds 3 of the 5: this one may reserve 2, not 3.
        assert_eq!(
            check(3, 3, 5),
            Err(Refusal::TooManyReserved {
                contract_licences: 5,
                elsewhere: 3
            })
        );
    }
}
