//! The licences reserved for the schedules' Administration groups: all the schedules' together
//! at most the contract's simultaneous Administrative connections.

use super::Refusal;

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
