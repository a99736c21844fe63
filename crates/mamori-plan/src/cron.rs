//! Cron schedules (`cron = "0 3 * * 1-5"` in the register), as Vixie cron reads them: five
//! fields — minute, hour, day of month, month, day of week — each `*`, a number, a range
//! `a-b`, a step `*/n` or `a-b/n`, or a list of those; month and weekday names (`jan`,
//! `mon`); Sunday as 0 or 7; and `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
//! When both day fields are restricted a day matches either (as cron does). Times are UTC
//! moved by a fixed offset (`utc_offset = "+09:00"`), so "03:00" means 03:00 in Japan.
//!
//! ```
//! use mamori_plan::cron::Cron;
//! let c = Cron::parse("30 2 * * mon-fri").unwrap();
//! // Friday 2026-11-27 02:29 UTC → 02:30 the same day.
//! let t = 1_795_746_540; // 2026-11-27T02:29:00Z
//! assert_eq!(c.next_after(t, 0), Some(t + 60));
//! ```

use mamori_model::date::civil_from_days;

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Day of month restricted (not `*`).
    days_restricted: bool,
    /// Day of week restricted (not `*`).
    weekdays_restricted: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn value(s: &str, min: u32, max: u32, names: &[&str], name_base: u32) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + name_base);
    }
    let n: u32 = s.parse().map_err(|_| {
        format!(
            "{s:?} is not a number{}",
            if names.is_empty() { "" } else { " or a name" }
        )
    })?;
    if n < min || n > max {
        return Err(format!("{n} is outside {min}-{max}"));
    }
    Ok(n)
}

/// The set of one field: bit `v` for each allowed value `v`.
fn field(
    s: &str,
    min: u32,
    max: u32,
    names: &[&str],
    name_base: u32,
) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    let mut restricted = true;
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => {
                let st: u32 = st
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1 && *n <= max.max(1))
                    .ok_or_else(|| format!("step {st:?} is not a number from 1 to {max}"))?;
                (r, st)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            if step == 1 && s == "*" {
                restricted = false;
            }
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (
                value(a, min, max, names, name_base)?,
                value(b, min, max, names, name_base)?,
            );
            if a > b {
                return Err(format!("the range {range:?} runs backwards"));
            }
            (a, b)
        } else {
            let v = value(range, min, max, names, name_base)?;
            // `5/15` means from 5 to the end, every 15.
            (v, if step > 1 { max } else { v })
        };
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    if bits == 0 {
        return Err(format!("{s:?} allows no value"));
    }
    Ok((bits, restricted))
}

impl Cron {
    /// Parses five fields or an `@` name; the error says which field is wrong and why.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let t = text.trim();
        let expanded = match t.to_ascii_lowercase().as_str() {
            "@hourly" => "0 * * * *".to_string(),
            "@daily" | "@midnight" => "0 0 * * *".to_string(),
            "@weekly" => "0 0 * * 0".to_string(),
            "@monthly" => "0 0 1 * *".to_string(),
            "@yearly" | "@annually" => "0 0 1 1 *".to_string(),
            s if s.starts_with('@') => return Err(format!("{t:?} is not a known @ schedule")),
            _ => t.to_string(),
        };
        let f: Vec<&str> = expanded.split_whitespace().collect();
        if f.len() != 5 {
            return Err(format!(
                "{t:?} has {} fields; cron has five: minute hour day-of-month month day-of-week",
                f.len()
            ));
        }
        let named = |i: usize, r: Result<(u64, bool), String>| {
            let names = ["minute", "hour", "day of month", "month", "day of week"];
            r.map_err(|e| format!("{} field {:?}: {e}", names[i], f[i]))
        };
        let (minutes, _) = named(0, field(f[0], 0, 59, &[], 0))?;
        let (hours, _) = named(1, field(f[1], 0, 23, &[], 0))?;
        let (days, days_restricted) = named(2, field(f[2], 1, 31, &[], 0))?;
        let (months, _) = named(3, field(f[3], 1, 12, &MONTHS, 1))?;
        let (mut weekdays, weekdays_restricted) = named(4, field(f[4], 0, 7, &WEEKDAYS, 0))?;
        // Sunday is 0 and 7.
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        Ok(Cron {
            minutes,
            hours: hours as u32,
            days: days as u32,
            months: months as u16,
            weekdays: (weekdays & 0x7f) as u8,
            days_restricted,
            weekdays_restricted,
        })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let d = self.days & (1 << day) != 0;
        let w = self.weekdays & (1 << weekday) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => d || w,
            (true, false) => d,
            (false, true) => w,
            (false, false) => true,
        }
    }

    /// The first time strictly after `t` (seconds since 1970, UTC) the schedule fires, with
    /// its fields read at UTC + `offset_secs`. None when it never does within eight years
    /// (`0 0 30 2 *`).
    pub fn next_after(&self, t: i64, offset_secs: i64) -> Option<i64> {
        // Work in local minutes.
        let mut m = (t + offset_secs).div_euclid(60) + 1;
        let limit = m + 8 * 366 * 24 * 60;
        while m < limit {
            let days = m.div_euclid(24 * 60);
            let (_, month, day) = civil_from_days(days);
            let weekday = (days + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday
            if self.months & (1 << month) == 0 || !self.day_matches(day, weekday) {
                m = (days + 1) * 24 * 60;
                continue;
            }
            let minute_of_day = m.rem_euclid(24 * 60);
            let hour = (minute_of_day / 60) as u32;
            if self.hours & (1 << hour) == 0 {
                m = days * 24 * 60 + (hour as i64 + 1) * 60;
                continue;
            }
            if self.minutes & (1 << (minute_of_day % 60)) != 0 {
                return Some(m * 60 - offset_secs);
            }
            m += 1;
        }
        None
    }
}

/// `+09:00`, `-05:30`, `Z` → seconds east of UTC.
pub fn parse_utc_offset(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s == "+00:00" || s == "-00:00" {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if (0..=14).contains(&h) && (0..60).contains(&m) {
        Some(sign * (h * 3600 + m * 60))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_model::date::days_from_civil;

    fn unix(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60
    }

    #[test]
    fn next_times_follow_cron() {
        let at = |y, mo, d, h, mi| unix(y, mo, d, h, mi);
        // Every day at 03:00 UTC.
        let c = Cron::parse("0 3 * * *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 11, 26, 2, 59), 0),
            Some(at(2026, 11, 26, 3, 0))
        );
        assert_eq!(
            c.next_after(at(2026, 11, 26, 3, 0), 0),
            Some(at(2026, 11, 27, 3, 0))
        );
        // 03:00 in Japan is 18:00 UTC the day before.
        assert_eq!(
            c.next_after(at(2026, 11, 26, 12, 0), 9 * 3600),
            Some(at(2026, 11, 26, 18, 0))
        );
        // Weekdays at 02:30: Friday 2026-11-27, then Monday 2026-11-30.
        let c = Cron::parse("30 2 * * mon-fri").unwrap();
        assert_eq!(
            c.next_after(at(2026, 11, 27, 3, 0), 0),
            Some(at(2026, 11, 30, 2, 30))
        );
        // Every 15 minutes.
        let c = Cron::parse("*/15 * * * *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 1, 1, 0, 14), 0),
            Some(at(2026, 1, 1, 0, 15))
        );
        assert_eq!(
            c.next_after(at(2026, 1, 1, 0, 59), 0),
            Some(at(2026, 1, 1, 1, 0))
        );
        // Both day fields restricted: either matches (the 1st, or any Sunday).
        let c = Cron::parse("0 0 1 * sun").unwrap();
        assert_eq!(
            c.next_after(at(2026, 11, 26, 0, 0), 0),
            Some(at(2026, 11, 29, 0, 0))
        );
        assert_eq!(
            c.next_after(at(2026, 11, 29, 0, 0), 0),
            Some(at(2026, 12, 1, 0, 0))
        );
        // Sunday as 7; names; leap day.
        assert_eq!(
            Cron::parse("0 0 * * 7").unwrap(),
            Cron::parse("0 0 * * 0").unwrap()
        );
        let c = Cron::parse("0 12 29 feb *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 3, 1, 0, 0), 0),
            Some(at(2028, 2, 29, 12, 0))
        );
        assert_eq!(Cron::parse("0 0 30 2 *").unwrap().next_after(0, 0), None);
        assert_eq!(
            Cron::parse("@daily").unwrap(),
            Cron::parse("0 0 * * *").unwrap()
        );
        // `5/20` is 5, 25, 45.
        let c = Cron::parse("5/20 * * * *").unwrap();
        assert_eq!(
            c.next_after(at(2026, 1, 1, 0, 26), 0),
            Some(at(2026, 1, 1, 0, 45))
        );
    }

    #[test]
    fn mistakes_name_the_field() {
        for (text, says) in [
            ("0 3 * *", "has 4 fields"),
            ("60 * * * *", "minute field"),
            ("0 24 * * *", "hour field"),
            ("0 0 0 * *", "day of month field"),
            ("0 0 * 13 *", "month field"),
            ("0 0 * * 8", "day of week field"),
            ("0 0 * * fry", "not a number or a name"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"),
            ("@often", "not a known"),
        ] {
            let e = Cron::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        assert_eq!(parse_utc_offset("+09:00"), Some(32_400));
        assert_eq!(parse_utc_offset("-05:30"), Some(-19_800));
        assert_eq!(parse_utc_offset("Z"), Some(0));
        assert_eq!(parse_utc_offset("9"), None);
        assert_eq!(parse_utc_offset("+25:00"), None);
    }
}
