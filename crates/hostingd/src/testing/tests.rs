use super::*;

#[test]
fn the_password_is_read_from_the_sms() {
    assert_eq!(
        password_in_sms(
            "Hosting console password: AbCd-1234-EfGh\nIt cannot be changed: keep it safe."
        ),
        "AbCd-1234-EfGh"
    );
    assert_eq!(
        password_in_sms(
            "Mot de passe de la console d'hébergement : AbCd-1234-EfGh\nConservez-le : précieux."
        ),
        "AbCd-1234-EfGh"
    );
}
