use super::*;

#[test]
fn service_ips() {
    assert_eq!(
        service_ip("https://127.0.0.1:8443"),
        Some(std::net::IpAddr::from([127, 0, 0, 1]))
    );
    assert_eq!(
        service_ip("https://localhost:8443/"),
        Some(std::net::IpAddr::from([127, 0, 0, 1]))
    );
    assert!(service_ip("https://[::1]:8443").is_some());
    assert_eq!(service_ip("https://hosting.example.org"), None);
}

#[test]
fn segments_are_encoded() {
    assert_eq!(encode_segment("Administration"), "Administration");
    assert_eq!(encode_segment("Vie scolaire"), "Vie%20scolaire");
    assert_eq!(encode_segment("a/b"), "a%2Fb");
}
