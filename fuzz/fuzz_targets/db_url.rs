#![no_main]
//! `--db` values: telling a PostgreSQL URL from a file, reading its TLS wishes and showing
//! it in messages must never panic, and what is shown never holds the password — checked
//! against the password the PostgreSQL client itself reads from the URL.
use libfuzzer_sys::fuzz_target;
use mamori_store::{db::tls_wanted, is_postgres_url, redact_url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let url = format!("postgres://{text}");
    assert!(is_postgres_url(&url));
    let _ = tls_wanted(&url);
    let shown = redact_url(&url);
    let Ok(config) = url.parse::<postgres::Config>() else {
        return;
    };
    if config.get_password().is_some() {
        // Read back as the client reads it, the shown URL's password is the mask.
        let again = shown
            .parse::<postgres::Config>()
            .unwrap_or_else(|e| panic!("{url} -> {shown}: {e}"));
        assert_eq!(again.get_password(), Some(&b"***"[..]), "{url} -> {shown}");
        assert_eq!(again.get_user(), config.get_user(), "{url} -> {shown}");
    }
});
