//! The licences reserved for a schedule's Administration group: at most the contract's
//! simultaneous Administrative connections.

use super::Refusal;

/// Checks a reservation of `reserved` licences against the contract's `contract_licences`.
pub fn check(reserved: i64, contract_licences: i64) -> Result<(), Refusal> {
    if reserved > contract_licences {
        return Err(Refusal::TooManyReserved { contract_licences });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reservation_fits_within_the_contract() {
        assert_eq!(check(0, 0), Ok(()));
        assert_eq!(check(5, 5), Ok(()));
        assert_eq!(
            check(6, 5),
            Err(Refusal::TooManyReserved {
                contract_licences: 5
            })
        );
    }
}
