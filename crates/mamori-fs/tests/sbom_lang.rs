//! Lockfile and manifest detectors on real files (see tests/fixtures/sbom/*/README.md for
//! how each was made). Expected values come from the files themselves (counted by hand)
//! or from the tools' own views saved beside them.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::{sbom, FileInfo, Output, ReadOther};
use mamori_model::Component;
use std::collections::BTreeSet;
use std::path::Path;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sbom");

/// Disk access for the detectors that read the manifest beside a lockfile.
struct Disk;
impl ReadOther for Disk {
    fn read(&self, path: &str, limit: u64) -> Option<Vec<u8>> {
        let mut v = std::fs::read(path).ok()?;
        v.truncate(usize::try_from(limit).ok()?);
        Some(v)
    }
    fn glob(&self, _pattern: &str) -> Vec<String> {
        Vec::new()
    }
}

/// Runs every SBOM detector that wants `rel` (relative to the fixtures) on it.
fn scan_as(rel: &str, shown_name: Option<&str>, fs: bool) -> Output {
    let path = format!("{FIX}/{rel}");
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let name = shown_name.unwrap_or_else(|| Path::new(rel).file_name().unwrap().to_str().unwrap());
    let path = match shown_name {
        Some(n) => format!("{}/{n}", Path::new(&path).parent().unwrap().display()),
        None => path,
    };
    let info = FileInfo {
        path: &path,
        name,
        size: data.len() as u64,
        container: None,
        fs: if fs { Some(&Disk) } else { None },
    };
    let head = &data[..data.len().min(mamori_fs::HEAD_LEN)];
    let mut out = Output::default();
    let mut n = 0;
    for d in sbom::detectors() {
        if d.wants(&info, head) {
            n += 1;
            d.detect(&info, &data, &mut out);
        }
    }
    assert!(n > 0, "no detector wants {rel}");
    out
}

fn scan(rel: &str) -> Output {
    scan_as(rel, None, true)
}

fn comps(out: &Output) -> Vec<&Component> {
    out.components.iter().map(|c| &c.component).collect()
}

fn find<'a>(out: &'a Output, purl: &str) -> &'a Component {
    let all: Vec<_> = comps(out).into_iter().filter(|c| c.purl == purl).collect();
    assert!(
        !all.is_empty(),
        "{purl} not in {:#?}",
        comps(out).iter().map(|c| &c.purl).collect::<Vec<_>>()
    );
    all[0]
}

fn purls(out: &Output) -> BTreeSet<String> {
    comps(out).iter().map(|c| c.purl.clone()).collect()
}

fn no_warnings(out: &Output) {
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

const MS200_SHA512: &str = "4e9a7ad0fe885090d3b8eabfe59f1c76c93326e8dfc2a7ce4e4af02308fb211212a679099d3e92c89e0f08f9c63281630bd75d85a979295218b40b7dee2c74e4";

// ---------------------------------------------------------------- Cargo

#[test]
fn cargo_v1_and_v2_same_crates_same_checksums() {
    let v1 = scan("cargo/v1/Cargo.lock");
    let v2 = scan("cargo/v2/Cargo.lock");
    no_warnings(&v1);
    no_warnings(&v2);
    assert_eq!(v1.components.len(), 4);
    assert_eq!(purls(&v1), purls(&v2));
    for out in [&v1, &v2] {
        let app = find(out, "pkg:cargo/app@0.1.0");
        assert_eq!(
            app.ecosystem, "",
            "the project is not matched against advisories"
        );
        assert_eq!(app.direct, None);
        assert_eq!(
            app.dependencies,
            [
                "pkg:cargo/hex@0.4.3",
                "pkg:cargo/itoa@0.4.8",
                "pkg:cargo/itoa@1.0.1"
            ]
        );
        let hex = find(out, "pkg:cargo/hex@0.4.3");
        assert_eq!(hex.ecosystem, "crates.io");
        assert_eq!(hex.direct, Some(true));
        // v1: from the [metadata] table; v2: on the package.
        assert_eq!(hex.hashes[0].alg, "SHA-256");
        assert_eq!(
            hex.hashes[0].value,
            "7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70"
        );
    }
    assert!(v1.components[0]
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("v1"));
    assert!(v2.components[0]
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("v2"));
}

#[test]
fn cargo_v3_v4_workspace_matches_cargo_tree() {
    let tree = std::fs::read_to_string(format!("{FIX}/cargo/v4/cargo-tree.txt")).unwrap();
    for rel in ["cargo/v3/Cargo.lock", "cargo/v4/Cargo.lock"] {
        let out = scan(rel);
        no_warnings(&out);
        // 22 [[package]] entries (counted in the file); cargo tree shows those built on linux.
        assert_eq!(out.components.len(), 22, "{rel}");
        let all = purls(&out);
        for line in tree.lines().filter(|l| !l.is_empty()) {
            let mut it = line.split_whitespace();
            let (n, v) = (
                it.next().unwrap(),
                it.next().unwrap().trim_start_matches('v'),
            );
            assert!(all.contains(&format!("pkg:cargo/{n}@{v}")), "{rel}: {line}");
        }
        for root in ["pkg:cargo/app@0.1.0", "pkg:cargo/util@0.1.0"] {
            assert_eq!(find(&out, root).direct, None);
            assert_eq!(find(&out, root).ecosystem, "");
        }
        // "getrandom 0.1.16" entries resolve to the right one of the two versions.
        assert!(find(&out, "pkg:cargo/rand@0.7.3")
            .dependencies
            .contains(&"pkg:cargo/getrandom@0.1.16".to_string()));
        assert!(find(&out, "pkg:cargo/util@0.1.0")
            .dependencies
            .contains(&"pkg:cargo/getrandom@0.2.17".to_string()));
        assert_eq!(find(&out, "pkg:cargo/getrandom@0.2.17").direct, Some(true));
        assert_eq!(find(&out, "pkg:cargo/getrandom@0.1.16").direct, Some(false));
        assert_eq!(find(&out, "pkg:cargo/memchr@2.8.3").direct, Some(true));
        assert_eq!(
            find(&out, "pkg:cargo/wasi@0.9.0%2Bwasi-snapshot-preview1")
                .version
                .as_deref(),
            Some("0.9.0+wasi-snapshot-preview1")
        );
        let app = out
            .components
            .iter()
            .find(|c| c.component.name == "app")
            .unwrap();
        assert_eq!(app.occurrence.location.line, Some(6));
    }
}

// ---------------------------------------------------------------- npm

/// (name, version) pairs of `npm ls --all --json`, links and not-installed ones left out.
fn npm_ls(v: &serde_json::Value, acc: &mut BTreeSet<String>) {
    if let Some(deps) = v.get("dependencies").and_then(|d| d.as_object()) {
        for (name, d) in deps {
            let local = d
                .get("resolved")
                .and_then(|r| r.as_str())
                .is_some_and(|r| r.starts_with("file:"));
            if let (Some(ver), false) = (d.get("version").and_then(|x| x.as_str()), local) {
                let (ns, n) = match name.split_once('/') {
                    Some((s, n)) => (format!("%40{}/", &s[1..]), n.to_string()),
                    None => (String::new(), name.clone()),
                };
                acc.insert(format!("pkg:npm/{ns}{n}@{ver}"));
            }
            npm_ls(d, acc);
        }
    }
}

#[test]
fn npm_v2_v3_shrinkwrap_match_npm_ls() {
    let ls: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{FIX}/npm/v3/npm-ls.json")).unwrap())
            .unwrap();
    let mut want = BTreeSet::new();
    npm_ls(&ls, &mut want);
    assert_eq!(want.len(), 8);
    // fsevents is in the lock (optional, darwin only) but not installed on linux.
    want.insert("pkg:npm/fsevents@2.3.3".into());
    for rel in [
        "npm/v2/package-lock.json",
        "npm/v3/package-lock.json",
        "npm/shrinkwrap/npm-shrinkwrap.json",
    ] {
        let out = scan(rel);
        no_warnings(&out);
        assert_eq!(purls(&out), want, "{rel}");
        assert_eq!(out.components.len(), 9, "{rel}");
        assert_eq!(
            find(&out, "pkg:npm/debug@4.3.4").dependencies,
            ["pkg:npm/ms@2.1.2"]
        );
        assert_eq!(find(&out, "pkg:npm/debug@4.3.4").direct, Some(true));
        assert_eq!(find(&out, "pkg:npm/ms@2.1.2").direct, Some(false));
        // Declared by the workspace packages/helper.
        assert_eq!(find(&out, "pkg:npm/ms@2.1.3").direct, Some(true));
        let semver = find(&out, "pkg:npm/semver@7.5.4");
        assert!(semver.dev && semver.direct == Some(true));
        assert_eq!(semver.license.as_deref(), Some("ISC"));
        assert!(find(&out, "pkg:npm/yallist@4.0.0").dev);
        assert!(!find(&out, "pkg:npm/ms@2.0.0").dev);
        let ms = find(&out, "pkg:npm/ms@2.0.0");
        assert_eq!(
            (ms.hashes[0].alg.as_str(), ms.hashes[0].value.as_str()),
            ("SHA-512", MS200_SHA512)
        );
        assert_eq!(ms.ecosystem, "npm");
        assert_eq!(
            find(&out, "pkg:npm/%40sindresorhus/is@4.6.0").name,
            "@sindresorhus/is"
        );
    }
}

#[test]
fn npm_v1_nested_and_manifest() {
    let out = scan("npm/v1/package-lock.json");
    no_warnings(&out);
    // 7 top-level entries + ms 2.1.2 nested under debug.
    assert_eq!(out.components.len(), 8);
    assert_eq!(
        find(&out, "pkg:npm/debug@4.3.4").dependencies,
        ["pkg:npm/ms@2.1.2"]
    );
    assert_eq!(
        find(&out, "pkg:npm/semver@7.5.4").dependencies,
        ["pkg:npm/lru-cache@6.0.0"]
    );
    assert_eq!(find(&out, "pkg:npm/ms@2.0.0").direct, Some(true));
    assert_eq!(find(&out, "pkg:npm/ms@2.1.2").direct, Some(false));
    assert!(find(&out, "pkg:npm/lru-cache@6.0.0").dev);
    // Without the package.json beside it, directness is unknown.
    let out = scan_as("npm/v1/package-lock.json", None, false);
    assert_eq!(find(&out, "pkg:npm/ms@2.0.0").direct, None);
}

#[test]
fn npm_installed_tree() {
    let out = scan("npm/installed/node_modules/.package-lock.json");
    no_warnings(&out);
    assert_eq!(out.components.len(), 8);
    assert!(comps(&out).iter().all(|c| c.direct.is_none()));
    let mut seen = BTreeSet::new();
    for rel in [
        "npm/installed/node_modules/debug/node_modules/ms/package.json",
        "npm/installed/node_modules/debug/package.json",
        "npm/installed/node_modules/ms/package.json",
        "npm/installed/node_modules/semver/package.json",
        "npm/installed/node_modules/lru-cache/package.json",
        "npm/installed/node_modules/@sindresorhus/is/package.json",
        "npm/installed/node_modules/yallist/package.json",
    ] {
        let out = scan(rel);
        no_warnings(&out);
        assert_eq!(out.components.len(), 1, "{rel}");
        let c = &out.components[0].component;
        assert!(c.license.is_some(), "{rel}");
        seen.insert(c.purl.clone());
    }
    let ls: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{FIX}/npm/v3/npm-ls.json")).unwrap())
            .unwrap();
    let mut want = BTreeSet::new();
    npm_ls(&ls, &mut want);
    // npm ls also lists ms 2.1.3 under the workspace (packages/helper/node_modules, not copied).
    want.remove("pkg:npm/ms@2.1.3");
    assert_eq!(seen, want);
    // A package.json deeper inside a package (test fixtures) is not a package.
    let data = b"{\"name\":\"fixture\",\"version\":\"1.0.0\"}";
    let info = FileInfo {
        path: "p/node_modules/resolve/test/resolver/baz/package.json",
        name: "package.json",
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    assert!(sbom::detectors().iter().all(|d| !d.wants(&info, data)));
    // The project's own package.json is not a component either.
    let info = FileInfo {
        path: "p/package.json",
        ..info
    };
    assert!(sbom::detectors().iter().all(|d| !d.wants(&info, data)));
}

// ---------------------------------------------------------------- yarn

#[test]
fn yarn_classic() {
    let out = scan("yarn/classic/yarn.lock");
    no_warnings(&out);
    assert_eq!(out.components.len(), 8);
    let debug = out
        .components
        .iter()
        .find(|c| c.component.name == "debug")
        .unwrap();
    assert_eq!(debug.occurrence.location.line, Some(10));
    assert_eq!(debug.component.dependencies, ["pkg:npm/ms@2.1.2"]);
    assert_eq!(find(&out, "pkg:npm/ms@2.0.0").hashes[0].value, MS200_SHA512);
    assert_eq!(find(&out, "pkg:npm/ms@2.0.0").direct, Some(true));
    assert_eq!(find(&out, "pkg:npm/ms@2.1.2").direct, Some(false));
    assert!(find(&out, "pkg:npm/yallist@4.0.0").dev);
    assert!(!find(&out, "pkg:npm/ms@2.1.2").dev);
}

#[test]
fn yarn_berry() {
    let out = scan("yarn/berry/yarn.lock");
    no_warnings(&out);
    // 30 resolutions, less the workspace and the patch of fsevents.
    assert_eq!(out.components.len(), 28);
    assert!(!purls(&out).iter().any(|p| p.contains("mamori-npm-fixture")));
    assert_eq!(
        find(&out, "pkg:npm/debug@4.3.4").dependencies,
        ["pkg:npm/ms@2.1.2"]
    );
    assert_eq!(find(&out, "pkg:npm/debug@4.3.4").direct, Some(true));
    assert_eq!(find(&out, "pkg:npm/node-gyp@13.1.0").direct, Some(false));
    assert!(find(&out, "pkg:npm/semver@7.5.4").dev);
    assert!(!find(&out, "pkg:npm/semver@7.8.6").dev);
    assert!(find(&out, "pkg:npm/fsevents@2.3.3")
        .dependencies
        .contains(&"pkg:npm/node-gyp@13.1.0".to_string()));
}

// ---------------------------------------------------------------- pnpm

#[test]
fn pnpm_5_6_9_agree() {
    let v9 = scan("pnpm/v9/pnpm-lock.yaml");
    for rel in [
        "pnpm/v5/pnpm-lock.yaml",
        "pnpm/v6/pnpm-lock.yaml",
        "pnpm/v9/pnpm-lock.yaml",
    ] {
        let out = scan(rel);
        no_warnings(&out);
        // 14 entries under `packages` in each file.
        assert_eq!(out.components.len(), 14, "{rel}");
        assert_eq!(purls(&out), purls(&v9), "{rel}");
        let rd = find(&out, "pkg:npm/react-dom@18.2.0");
        assert_eq!(rd.direct, Some(true));
        assert_eq!(
            rd.dependencies,
            [
                "pkg:npm/loose-envify@1.4.0",
                "pkg:npm/react@18.2.0",
                "pkg:npm/scheduler@0.23.2"
            ]
        );
        assert_eq!(
            find(&out, "pkg:npm/ms@2.1.3").direct,
            Some(true),
            "{rel}: workspace dep"
        );
        assert_eq!(find(&out, "pkg:npm/scheduler@0.23.2").direct, Some(false));
        assert!(find(&out, "pkg:npm/lru-cache@6.0.0").dev, "{rel}");
        assert!(!find(&out, "pkg:npm/js-tokens@4.0.0").dev, "{rel}");
        assert_eq!(find(&out, "pkg:npm/ms@2.0.0").hashes[0].value, MS200_SHA512);
    }
}

// ---------------------------------------------------------------- Ruby

#[test]
fn gemfile_lock() {
    let out = scan("ruby/Gemfile.lock");
    no_warnings(&out);
    // 1 GIT + 7 GEM specs; the PATH gem (myapp) is the project.
    assert_eq!(out.components.len(), 8);
    assert!(!purls(&out).iter().any(|p| p.contains("myapp")));
    let s = find(&out, "pkg:gem/sinatra@3.0.5");
    assert_eq!(s.ecosystem, "RubyGems");
    assert_eq!(s.direct, Some(true));
    assert_eq!(s.dependencies.len(), 4);
    assert_eq!(find(&out, "pkg:gem/rack-test@2.0.2").direct, Some(true));
    assert_eq!(
        find(&out, "pkg:gem/rack@2.2.22").direct,
        Some(true),
        "declared by the gemspec"
    );
    assert_eq!(find(&out, "pkg:gem/tilt@2.0.11").direct, Some(false));
    let git = comps(&out)
        .into_iter()
        .find(|c| c.name == "gitgem")
        .unwrap();
    assert!(
        git.purl.contains("vcs_url=")
            && git
                .purl
                .contains("611a77a99b0e9d1042c5425deba4b38a52d24f2f")
    );
    assert_eq!(git.dependencies, ["pkg:gem/tilt@2.0.11"]);
}

// ---------------------------------------------------------------- PHP

#[test]
fn composer_real_project() {
    let out = scan("php/slim/composer.lock");
    no_warnings(&out);
    assert_eq!(out.components.len(), 23);
    let direct: BTreeSet<_> = comps(&out)
        .iter()
        .filter(|c| c.direct == Some(true))
        .map(|c| c.name.clone())
        .collect();
    // composer.json `require`.
    assert_eq!(direct.len(), 6);
    assert!(direct.contains("slim/slim"));
    let s = find(&out, "pkg:composer/slim/slim@3.12.3");
    assert_eq!(s.ecosystem, "Packagist");
    assert_eq!(s.dependencies.len(), 4, "php and ext-* are not packages");
    assert_eq!(
        find(&out, "pkg:composer/phpmailer/phpmailer@v6.5.1")
            .license
            .as_deref(),
        Some("LGPL-2.1-only")
    );
    assert!(
        comps(&out).iter().all(|c| c.hashes.is_empty()),
        "empty shasum is no hash"
    );
    let inst = scan("php/slim/vendor/composer/installed.json");
    no_warnings(&inst);
    assert_eq!(purls(&inst), purls(&out));
    assert!(inst.components[0]
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("Composer 2"));
}

#[test]
fn composer_made_here() {
    let out = scan("php/acme/composer.lock");
    no_warnings(&out);
    assert_eq!(out.components.len(), 3);
    let a = find(&out, "pkg:composer/acme/alpha@1.2.0");
    assert_eq!(a.license.as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(a.dependencies, ["pkg:composer/acme/beta@2.1.0"]);
    let b = find(&out, "pkg:composer/acme/beta@2.1.0");
    assert_eq!(b.hashes[0].alg, "SHA-1");
    assert_eq!(
        b.hashes[0].value,
        "a60ab9707a169847de890f8e045b8e3684a5ab74"
    );
    assert_eq!(b.direct, Some(false));
    let d = find(&out, "pkg:composer/acme/devtool@0.3.0");
    assert!(d.dev && d.direct == Some(true));
}

#[test]
fn composer_installed_dev_names() {
    let out = scan("php/acme/vendor/composer/installed.json");
    no_warnings(&out);
    assert_eq!(out.components.len(), 3);
    assert!(find(&out, "pkg:composer/acme/devtool@0.3.0").dev);
    assert!(!find(&out, "pkg:composer/acme/alpha@1.2.0").dev);
}

// ---------------------------------------------------------------- .NET

#[test]
fn nuget_packages_lock() {
    let out = scan("dotnet/lock/packages.lock.json");
    no_warnings(&out);
    // 17 distinct packages over net8.0 and its three runtime identifiers.
    assert_eq!(out.components.len(), 17);
    let direct: BTreeSet<_> = comps(&out)
        .iter()
        .filter(|c| c.direct == Some(true))
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        direct,
        BTreeSet::from(["ConsoleTableExt".to_string(), "PiperSharp".to_string()])
    );
    let p = find(&out, "pkg:nuget/PiperSharp@1.0.5");
    assert_eq!(p.ecosystem, "NuGet");
    assert_eq!(p.dependencies.len(), 5);
    let c = find(&out, "pkg:nuget/ConsoleTableExt@3.3.0");
    assert_eq!(c.hashes[0].alg, "SHA-512");
    assert!(c.hashes[0]
        .value
        .starts_with("910d4fee680341bbc40d71add6c85e39"));
    assert_eq!(c.hashes[0].value.len(), 128);
}

#[test]
fn dotnet_deps_json() {
    let out = scan("dotnet/deps/Python.Runtime.deps.json");
    no_warnings(&out);
    // 10 libraries, one of them the project itself.
    assert_eq!(out.components.len(), 9);
    assert!(!purls(&out).iter().any(|p| p.contains("Python.Runtime")));
    let direct: BTreeSet<_> = comps(&out)
        .iter()
        .filter(|c| c.direct == Some(true))
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(direct.len(), 3);
    assert!(direct.contains("System.Reflection.Emit"));
    let m = find(&out, "pkg:nuget/System.Memory@4.6.3");
    assert_eq!(m.dependencies.len(), 3);
    assert!(m.hashes[0]
        .value
        .starts_with("a9d7033a09c5658e34f90f7cefa2541e"));
}

// ---------------------------------------------------------------- malformed input

#[test]
fn truncated_and_garbage_files_warn_and_never_panic() {
    let files = [
        ("cargo/v4/Cargo.lock", "Cargo.lock"),
        ("npm/v3/package-lock.json", "package-lock.json"),
        ("npm/v1/package-lock.json", "package-lock.json"),
        (
            "npm/installed/node_modules/debug/package.json",
            "package.json",
        ),
        ("yarn/berry/yarn.lock", "yarn.lock"),
        ("pnpm/v9/pnpm-lock.yaml", "pnpm-lock.yaml"),
        ("php/acme/composer.lock", "composer.lock"),
        ("php/acme/vendor/composer/installed.json", "installed.json"),
        ("dotnet/lock/packages.lock.json", "packages.lock.json"),
        (
            "dotnet/deps/Python.Runtime.deps.json",
            "Python.Runtime.deps.json",
        ),
    ];
    let dets = sbom::detectors();
    for (rel, name) in files {
        let full = std::fs::read(format!("{FIX}/{rel}")).unwrap();
        let path = format!("{FIX}/{rel}");
        for data in [
            full[..full.len() / 2].to_vec(),
            b"\x00\xff\xfe garbage {[".to_vec(),
            b"{\"name\": 3, \"packages\": 3, \"dependencies\": [1], \"libraries\": 1}".to_vec(),
        ] {
            let info = FileInfo {
                path: &path,
                name,
                size: data.len() as u64,
                container: None,
                fs: None,
            };
            let mut out = Output::default();
            let mut wanted = 0;
            for d in &dets {
                if d.wants(&info, &data) {
                    wanted += 1;
                    d.detect(&info, &data, &mut out);
                }
            }
            assert_eq!(wanted, 1, "{rel}");
            assert!(
                !out.warnings.is_empty(),
                "{rel}: no warning for {:?}",
                String::from_utf8_lossy(&data[..data.len().min(40)])
            );
            assert!(out.warnings.iter().all(|w| w.path == path), "{rel}");
        }
    }
    // Text formats read line by line: a broken classic yarn.lock and a Gemfile.lock with no section.
    for (name, data) in [
        ("yarn.lock", &b"  version \"1\"\n"[..]),
        ("Gemfile.lock", b"\xff\xfe"),
        ("Gemfile.lock", b"hello\n"),
    ] {
        let info = FileInfo {
            path: name,
            name,
            size: data.len() as u64,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        for d in &dets {
            if d.wants(&info, data) {
                d.detect(&info, data, &mut out);
            }
        }
        assert_eq!(out.warnings.len(), 1, "{name}");
        assert_eq!(out.warnings[0].path, name);
    }
}

/// Speed on a real `node_modules` (not committed): `MAMORI_NODE_MODULES=/path/to/project
/// cargo test -p mamori-fs --test sbom_lang node_modules_speed -- --ignored --nocapture`.
#[test]
#[ignore = "needs a real npm install; set MAMORI_NODE_MODULES"]
fn node_modules_speed() {
    let root = std::env::var("MAMORI_NODE_MODULES").expect("MAMORI_NODE_MODULES");
    let start = std::time::Instant::now();
    let dets = sbom::detectors();
    let mut out = Output::default();
    let mut files = 0usize;
    let mut stack = vec![std::path::PathBuf::from(&root)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let path = p.to_string_lossy().to_string();
            let name = e.file_name().to_string_lossy().to_string();
            let info = FileInfo {
                path: &path,
                name: &name,
                size: 0,
                container: None,
                fs: None,
            };
            let wanting: Vec<_> = dets.iter().filter(|d| d.wants(&info, b"")).collect();
            if wanting.is_empty() {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            files += 1;
            for d in wanting {
                d.detect(&info, &data, &mut out);
            }
        }
    }
    let t = start.elapsed();
    println!(
        "{root}: {files} files read, {} components, {} warnings in {:?}",
        out.components.len(),
        out.warnings.len(),
        t
    );
}

/// A package's own development lockfile shipped inside `node_modules` lists what its authors
/// installed, not what is installed here: only the installed manifests count.
#[test]
fn lockfiles_inside_installed_packages_are_not_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("node_modules/better-opn");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        br#"{"name": "better-opn", "version": "3.0.2", "license": "MIT"}"#,
    )
    .unwrap();
    std::fs::copy(
        format!("{FIX}/yarn/classic/yarn.lock"),
        pkg.join("yarn.lock"),
    )
    .unwrap();
    std::fs::copy(
        format!("{FIX}/npm/v3/package-lock.json"),
        pkg.join("package-lock.json"),
    )
    .unwrap();
    let opts = mamori_fs::ScanOptions {
        only: mamori_fs::Only::Software,
        ..Default::default()
    };
    let got = mamori_fs::collect(dir.path(), &opts, &mamori_fs::Progress::default());
    let purls: BTreeSet<&str> = got
        .components
        .iter()
        .map(|c| c.component.purl.as_str())
        .collect();
    assert_eq!(purls, BTreeSet::from(["pkg:npm/better-opn@3.0.2"]));
    // The same lockfile at the project's top is inventory.
    std::fs::copy(
        format!("{FIX}/yarn/classic/yarn.lock"),
        dir.path().join("yarn.lock"),
    )
    .unwrap();
    let got = mamori_fs::collect(dir.path(), &opts, &mamori_fs::Progress::default());
    assert!(got.components.len() > 1);
}
