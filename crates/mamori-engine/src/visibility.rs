//! A run narrowed to the systems a reader may see: what cannot be attributed to one of
//! them is left out. The dashboard, the API, exports and `mamori diff --system` narrow
//! the same way.

use std::path::PathBuf;

use anyhow::Result;
use mamori_model::{Location, ScanResult};
use mamori_plan::register::Register;
use mamori_store::views::Visible;

use crate::systems;

/// The register as last read, with what pages need from it.
pub struct Loaded {
    /// Its file.
    pub path: PathBuf,
    /// The systems.
    pub register: Register,
    /// Which system owns each place.
    pub attribution: mamori_plan::attribution::Attribution,
    /// When the file was changed (to notice edits).
    pub modified: Option<std::time::SystemTime>,
}

impl Loaded {
    /// Reads the register at `path` and where its systems' places are.
    pub fn load(path: &std::path::Path) -> Result<Loaded> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let register = Register::load(path)?;
        let t = systems::register_targets(path, &register, None, false)?;
        Ok(Loaded {
            path: path.to_path_buf(),
            attribution: mamori_plan::attribution::Attribution::new(t.owners),
            register,
            modified,
        })
    }
}

/// The system a run target belongs to (a path, or `scheme://host:port`).
pub fn system_of_target<'a>(loaded: &'a Loaded, target: &str) -> Option<&'a str> {
    loaded.attribution.system_of_path(target).or_else(|| {
        let bare = target.split_once("://").map(|(_, r)| r)?;
        loaded
            .attribution
            .system_of_path(bare.trim_end_matches('/'))
    })
}

/// `scan` narrowed to the systems `v` sees: what cannot be attributed to one of them is
/// left out.
pub fn narrow(mut scan: ScanResult, v: &Visible, loaded: Option<&Loaded>) -> ScanResult {
    if *v == Visible::All {
        return scan;
    }
    let Some(loaded) = loaded else {
        return ScanResult::default();
    };
    let sees = |loc: &Location| v.sees(loaded.attribution.system_of(loc));
    let all_targets = scan.targets.len();
    scan.targets.retain(|t| v.sees(system_of_target(loaded, t)));
    if scan.targets.len() != all_targets {
        // The run's totals count other systems' files too: unknown for this reader's part.
        scan.files = 0;
        scan.bytes = 0;
    }
    scan.assets.retain_mut(|a| narrow_asset(a, v, loaded));
    scan.findings.retain(|f| v.sees(f.system.as_deref()));
    scan.vulnerabilities.retain_mut(|x| only_visible(x, v));
    scan.components
        .retain_mut(|c| narrow_component(c, v, loaded));
    scan.warnings.retain(|w| sees(&Location::file(&w.path)));
    scan.endpoints
        .retain(|e| sees(&Location::file(&e.endpoint)));
    scan.distros.retain(|d| sees(&Location::file(&d.root)));
    scan
}

/// Keeps an asset's places in the systems `v` sees; false when none is left.
pub fn narrow_asset(a: &mut mamori_model::CryptoAsset, v: &Visible, loaded: &Loaded) -> bool {
    a.occurrences
        .retain(|o| v.sees(loaded.attribution.system_of(&o.location)));
    !a.occurrences.is_empty()
}

/// Keeps a component's places in the systems `v` sees; false when none is left.
pub fn narrow_component(c: &mut mamori_model::Component, v: &Visible, loaded: &Loaded) -> bool {
    c.occurrences
        .retain(|o| v.sees(loaded.attribution.system_of(&o.location)));
    !c.occurrences.is_empty()
}

/// Keeps a vulnerability's places in the systems `v` sees; when its own system is not one
/// of them, it takes the first visible place instead (no path of another system shows).
/// False when none is visible.
fn only_visible(x: &mut mamori_model::Vulnerability, v: &Visible) -> bool {
    x.systems.retain(|p| v.sees(Some(&p.system)));
    if v.sees(x.system.as_deref()) {
        return true;
    }
    match x.systems.first() {
        Some(p) => {
            x.system = Some(p.system.clone());
            x.location = p.location.clone();
            true
        }
        None => false,
    }
}
