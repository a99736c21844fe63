//! Civil dates without a time library: days since 1970-01-01 to and from year, month and
//! day (Howard Hinnant's `days_from_civil` / `civil_from_days`), and the ISO forms mamori
//! stores (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`).
//!
//! ```
//! use mamori_model::date;
//! assert_eq!(date::days_from_civil(1970, 1, 1), 0);
//! assert_eq!(date::civil_from_days(19_723), (2024, 1, 1));
//! assert_eq!(date::parse_ymd("2026-11-26T00:00:00Z").map(date::ymd).as_deref(), Some("2026-11-26"));
//! assert_eq!(date::format_unix(86_400 + 61), "1970-01-02T00:01:01Z");
//! ```

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The date at the start of `s` (`YYYY-MM-DD…`) as days since 1970-01-01; `None` when it is
/// not a date.
pub fn parse_ymd(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    // Digits only: `+999-01-01` and `-001-…` are no dates, though Rust parses `+999`.
    if !digits(0..4) || !digits(5..7) || !digits(8..10) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then(|| days_from_civil(y, m, d))
}

/// Days in month `m` (1–12) of year `y` (Gregorian).
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD` of a day count.
pub fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A Unix time as RFC 3339 UTC (`1970-01-01T00:00:00Z`).
pub fn format_unix(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        ymd(secs.div_euclid(86_400)),
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parse `YYYY-MM-DDTHH:MM:SSZ` (what mamori stores) into a Unix time.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_eras_and_leap_days() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(ymd(parse_ymd("2028-02-28").unwrap() + 1), "2028-02-29");
        assert_eq!(ymd(parse_ymd("2100-02-28").unwrap() + 1), "2100-03-01");
        assert_eq!(parse_ymd("2026-13-01"), None);
        assert_eq!(parse_ymd("2026/11/01"), None);
    }

    #[test]
    fn only_real_calendar_dates_are_dates() {
        for bad in [
            "2030-02-30",
            "2030-02-29",
            "2100-02-29",
            "2026-04-31",
            "2026-00-10",
            "2026-01-00",
            "+999-01-01",
            "-001-01-01",
            "2026-+1-01",
            "2026-01-+1",
            " 2026-01-01",
            "2026-1-01",
        ] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
        }
        for good in [
            "2028-02-29",
            "2000-02-29",
            "2026-12-31",
            "9999-12-31",
            "2026-12-07T10:00:00Z",
        ] {
            assert!(parse_ymd(good).is_some(), "{good}");
        }
    }
}
