#![no_main]
//! The systems register (`mamori.toml`) and policy profile files a user writes: parsing must
//! never panic, and a plan made from any register that parses must not either.
use libfuzzer_sys::fuzz_target;
use mamori_model::ScanResult;
use mamori_plan::assess::Settings;
use mamori_plan::attribution::Attribution;
use mamori_plan::plan::{build, Inputs};
use mamori_plan::policy::Policy;
use mamori_plan::register::Register;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Policy::parse(text, Path::new("fuzz-policy.toml")) {
        let _ = p.deadline_for_security(112);
    }
    let Ok(reg) = Register::parse(text, Path::new("/fuzz/mamori.toml")) else {
        return;
    };
    let owners = reg
        .systems
        .iter()
        .flat_map(|s| s.targets.iter().map(|t| (t.clone(), s.id.clone())))
        .collect::<Vec<_>>();
    let policy = Policy::builtin("ldp-2024").expect("built-in");
    let _ = build(
        Inputs {
            register: &reg,
            attribution: &Attribution::new(owners),
            settings: Settings {
                crqc_year: reg.plan.crqc_year.unwrap_or(policy.crqc_year),
                policy,
                year: 2026,
            },
            current: (None, ScanResult::default()),
        },
        std::iter::empty(),
    );
});
