//! The rules of mamori's domain that are not storage: how a finding or vulnerability moves
//! through its lifecycle across runs and by people's acts ([`lifecycle`]: `reconcile` turns
//! what a run saw into status changes, `apply` checks and applies an act), and who may do
//! what ([`users`]: roles, grants, password and name rules, token digests). Everything
//! here is a pure function of its inputs; `mamori-store` applies it inside its
//! transactions and keeps the result, and re-exports both modules for its callers.
#![deny(missing_docs)]

pub mod lifecycle;
pub mod users;
