//! mamori's migration planning: from an inventory to a post-quantum migration plan per
//! system, under a policy.
//!
//! - [`register`] — systems with owner, criticality, how long their data must stay
//!   confidential, and their targets; `mamori init` writes [`register::EXAMPLE`].
//! - [`policy`] — built-in profiles (`ldp-2024`, `jp-gov-2035`, `nist-ir-8547`, `cnsa-2.0`,
//!   `eu-2030`) as data files with their sources; a user's own file works the same way.
//! - [`attribution`] — which system a file, image or service belongs to.
//! - [`assess`] — every asset judged per system; per system Mosca's inequality, a
//!   priority P1–P4, a deadline and a crypto-agility score, with reasons.
//! - [`roadmap`] — located actions in waves, by priority and dependency.
//! - [`plan`] — all of it for one run, with progress over the runs before.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod assess;
pub mod attribution;
pub mod cron;
pub mod plan;
pub mod policy;
pub mod register;
pub mod roadmap;
