//! mamori's scan engine: everything between "scan these" and a stored run, for every
//! caller — the command line (`mamori scan`), the server's workers (which run it in a
//! child `mamori scan --job N`, so a scan's memory is never the server's), and the
//! capabilities still to come (the sharing hub, `mamori check`, the IoT survey).
//!
//! - [`scan::run`] takes a typed [`scan::ScanRequest`] (targets named or taken from the
//!   systems register, what to collect, how to probe, VEX, the vulnerability database, the
//!   store) and returns a typed [`scan::ScanOutcome`] (the [`mamori_model::ScanResult`],
//!   the run it was stored as, timings), reporting progress through
//!   [`scan::Progress`] counters and [`scan::Event`]s.
//! - [`systems`] is the register at work: each system's targets, which system owns a place,
//!   findings per system, policies, schedules, and the plan of a stored run.
//! - [`visibility`] narrows a run to the systems a reader may see.
//!
//! ```no_run
//! use mamori_engine::scan::{run, Progress, ScanRequest, Targets};
//! let req = ScanRequest {
//!     targets: Targets::Named {
//!         targets: vec!["/etc/ssl".into()],
//!         targets_file: None,
//!     },
//!     store: None,
//!     ..ScanRequest::default()
//! };
//! let out = run(&req, &Progress::default(), &|_| {}).unwrap().expect("a scan");
//! println!("{} findings", out.result.findings.len());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod scan;
pub mod systems;
pub mod visibility;

pub use visibility::Loaded;
