#![no_main]
//! The LDAP StartTLS ExtendedResponse parser (BER) and the BER header reader on arbitrary
//! bytes.
use libfuzzer_sys::fuzz_target;
use mamori_net::starttls::{ber_header, ldap_result_name, parse_ldap_extended_response};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some((_, head, _))) = ber_header(data) {
        assert!(head <= 6 && head <= data.len());
    }
    if let Ok(r) = parse_ldap_extended_response(data) {
        let _ = ldap_result_name(r.result_code);
    }
});
