#![no_main]
//! `classify`: what a bare host:port speaks, from the first bytes its server sent.
use libfuzzer_sys::fuzz_target;
use mamori_net::starttls::{classify, Sniffed};

fuzz_target!(|data: &[u8]| {
    match classify(data) {
        Sniffed::Tls => assert!(data.is_empty()),
        Sniffed::Ssh { bytes } => assert_eq!(bytes, data),
        Sniffed::Greeting { kinds, .. } => assert!(!kinds.is_empty()),
        Sniffed::Other { .. } => {}
    }
});
