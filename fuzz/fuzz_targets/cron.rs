#![no_main]
//! Cron schedules and UTC offsets from the register: parsing must never panic, and the next
//! time of any schedule that parses must come out (or not) without overflow or a loop that
//! does not end, from any start time.
use libfuzzer_sys::fuzz_target;
use mamori_plan::cron::{parse_utc_offset, Cron};

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let start = i64::from_le_bytes(data[..8].try_into().unwrap_or_default()) % 10_000_000_000;
    let Ok(text) = std::str::from_utf8(&data[8..]) else {
        return;
    };
    let (expr, offset) = text.split_once('|').unwrap_or((text, "+00:00"));
    let offset = parse_utc_offset(offset).unwrap_or(0);
    if let Ok(c) = Cron::parse(expr) {
        if let Some(next) = c.next_after(start, offset) {
            assert!(next > start);
        }
    }
});
