//! Tests on real binaries.
