//! mamori's migration planning (issue 5, groundwork): the systems register an organization
//! keeps in `mamori.toml`, and the policy profiles a plan is judged under.
//!
//! - [`register`] — systems with owner, criticality, how long their data must stay
//!   confidential, and their targets; `mamori init` writes [`register::EXAMPLE`].
//! - [`policy`] — built-in profiles (`ldp-2024`, `jp-gov-2035`, `nist-ir-8547`, `cnsa-2.0`,
//!   `eu-2030`) as data files with their sources; a user's own file works the same way.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod policy;
pub mod register;
