use super::*;

#[test]
fn windows_are_distinct_and_below_the_ephemeral_ports() {
    let first = port_window();
    let second = port_window();
    assert_eq!(first.clone().count(), 100);
    assert!(
        second.start() > first.end() || second.end() < first.start(),
        "{first:?} {second:?}"
    );
    assert!(*first.start() >= FIRST_PORT && *first.end() < 32768);
}

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
