#![no_main]
//! `--db` values: telling a PostgreSQL URL from a file, reading its TLS wishes and showing
//! it in messages must never panic, and what is shown never holds the password.
use libfuzzer_sys::fuzz_target;
use mamori_store::{db::tls_wanted, is_postgres_url, redact_url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let url = format!("postgres://{text}");
    let _ = is_postgres_url(&url);
    let _ = tls_wanted(&url);
    let shown = redact_url(&url);
    // A password given as user:PASSWORD@host is shown as *** and nothing else of it.
    let rest = &url["postgres://".len()..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if let Some((user, _)) = authority.rsplit_once('@') {
        if let Some((name, password)) = user.split_once(':') {
            if !password.is_empty() {
                let shown_user = shown
                    .trim_start_matches("postgres://")
                    .split(['/', '?', '#'])
                    .next()
                    .and_then(|a| a.rsplit_once('@'))
                    .map(|(u, _)| u)
                    .unwrap_or("");
                assert_eq!(shown_user, format!("{name}:***"), "{url} -> {shown}");
            }
        }
    }
});
