#![no_main]
//! The TLS first-flight reader (records, ServerHello / HelloRetryRequest, Certificate,
//! alerts) fed arbitrary server bytes in arbitrary pieces; the ServerKeyExchange parser and
//! the certificate analysis applied to what a server sends; also the target-list parser.
use libfuzzer_sys::fuzz_target;
use mamori_net::tls::{parse_certificate_list, parse_server_hello, FlightReader, Progress};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the piece size, so fragmentation across reads is explored too.
    let (step, rest) = match data.split_first() {
        Some((s, r)) => (usize::from(*s).max(1), r),
        None => (1, data),
    };
    let mut reader = FlightReader::new();
    let mut finished = false;
    for piece in rest.chunks(step) {
        if reader.feed(piece) != Progress::NeedMore {
            finished = true;
            break;
        }
    }
    if !finished {
        let _ = reader.eof();
    }
    let _ = parse_server_hello(rest);
    let _ = parse_certificate_list(rest);
    for kx in ["ECDHE", "DHE"] {
        for v in [mamori_net::tls::TLS10, mamori_net::tls::TLS12] {
            let _ = mamori_net::tls::ske::parse(rest, kx, v);
        }
    }
    // certificates served by a hostile server go through the disk scan's analysis
    let _ = mamori_fs::certs::analyse(rest, "tls");
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = mamori_net::target::parse_targets_file(text, None);
    }
});
