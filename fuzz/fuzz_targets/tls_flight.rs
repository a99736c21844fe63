#![no_main]
//! The TLS first-flight reader (records, ServerHello / HelloRetryRequest, Certificate,
//! alerts) fed arbitrary server bytes in arbitrary pieces; also the target-list parser.
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
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = mamori_net::target::parse_targets_file(text, None);
    }
});
