#![no_main]
//! Places and dates a reader or a stored run can hand the server (issue 14): a path of any
//! spelling must normalize without panicking, to a form that normalizes to itself, is
//! attributed exactly as the spelling it came from, and has no `.`, `..` or empty segment
//! left; a `YYYY-MM-DD` that parses must be a real day that prints back the same.
use libfuzzer_sys::fuzz_target;
use mamori_plan::attribution::{normalize, Attribution};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let a = Attribution::new([
        ("/srv/a".to_string(), "a".to_string()),
        ("/srv/a/b".to_string(), "ab".to_string()),
        ("/srv/c/".to_string(), "c".to_string()),
        ("/".to_string(), "root".to_string()),
    ]);
    let n = normalize(text);
    assert_eq!(normalize(&n), n, "normalize is idempotent");
    if n.starts_with('/') {
        assert!(
            n == "/" || n[1..].split('/').all(|s| !s.is_empty() && s != "." && s != ".."),
            "{text:?} -> {n:?}"
        );
    }
    assert_eq!(a.system_of_path(text), a.system_of_path(&n), "{text:?}");
    if let Some(days) = mamori_model::date::parse_ymd(text) {
        assert_eq!(mamori_model::date::ymd(days), text[..10], "{text:?}");
    }
});
