//! TLS knowledge: cipher suites, named groups, signature schemes, protocol versions (IANA).
