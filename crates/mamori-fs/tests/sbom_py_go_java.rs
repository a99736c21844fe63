//! Python, Go and Java components, through the real walker.
//!
//! Fixtures (see the README.md of each folder under tests/fixtures/sbom/) were made by pip,
//! Poetry, uv and pipenv, or taken from public repositories; Go programs are built here with
//! `go build` (from a file-based module proxy, offline) and checked against
//! `go version -m`; go.mod files are written by `go mod init`/`go mod edit` and checked
//! against `go mod edit -json`; archives are built with `javac`/`jar` and checked against
//! what `jar xf` extracts and `sha1sum` computes. A missing tool fails the test naming the
//! Debian package that provides it.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::sbom::{golang, maven, python};
use mamori_fs::{collect, Collected, Detector, FileInfo, Output, Progress, ScanOptions};
use mamori_model::ComponentObservation;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom")
        .join(rel)
}

fn scan(p: &Path) -> Collected {
    collect(p, &ScanOptions::default(), &Progress::default())
}

fn by(c: &Collected, detector: &str) -> Vec<ComponentObservation> {
    c.components
        .iter()
        .filter(|o| o.occurrence.detector == detector)
        .cloned()
        .collect()
}

fn find<'a>(v: &'a [ComponentObservation], purl: &str) -> &'a ComponentObservation {
    v.iter()
        .find(|o| o.component.purl == purl)
        .unwrap_or_else(|| {
            panic!(
                "{purl} missing; have {:?}",
                v.iter().map(|o| &o.component.purl).collect::<Vec<_>>()
            )
        })
}

fn purls(v: &[ComponentObservation]) -> BTreeSet<String> {
    v.iter().map(|o| o.component.purl.clone()).collect()
}

fn text_of(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).unwrap()
}

#[path = "common/tools.rs"]
mod tools;
use tools::command as run;

fn detect_bytes(d: &dyn Detector, path: &str, data: &[u8]) -> Output {
    let name = path.rsplit('/').next().unwrap_or(path);
    let f = FileInfo {
        path,
        name,
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    let mut out = Output::default();
    if d.wants(&f, &data[..data.len().min(mamori_fs::HEAD_LEN)]) {
        d.detect(&f, data, &mut out);
    }
    out
}

// ------------------------------------------------------------------------------------------
// Python

#[test]
fn installed_venv_matches_pip_list() {
    let c = scan(&fixture("python/venv-site-packages"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::INSTALLED);
    // pip's own view of that venv.
    let list: Vec<BTreeMap<String, String>> = serde_json::from_str(
        &std::fs::read_to_string(fixture("python/venv-pip-list.json")).unwrap(),
    )
    .unwrap();
    let want: BTreeSet<(String, String)> = list
        .iter()
        .map(|e| (e["name"].clone(), e["version"].clone()))
        .collect();
    let have: BTreeSet<(String, String)> = got
        .iter()
        .map(|o| {
            (
                o.component.name.clone(),
                o.component.version.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(have, want);
    assert_eq!(got.len(), 14);
    for o in &got {
        assert_eq!(o.component.ecosystem, "PyPI");
    }
    let lic = |p: &str| find(&got, p).component.license.clone();
    assert_eq!(lic("pkg:pypi/attrs@26.1.0").as_deref(), Some("MIT"));
    assert_eq!(
        lic("pkg:pypi/packaging@26.4").as_deref(),
        Some("Apache-2.0 OR BSD-2-Clause")
    );
    assert_eq!(
        lic("pkg:pypi/certifi@2026.10.19.post1").as_deref(),
        Some("MPL-2.0")
    );
    assert_eq!(
        lic("pkg:pypi/requests@2.34.2").as_deref(),
        Some("Apache-2.0")
    );
    // setuptools 65.5.0 declares no License field, only the MIT classifier.
    assert_eq!(lic("pkg:pypi/setuptools@65.5.0").as_deref(), Some("MIT"));
    // Jinja2 3.1.6: only "BSD License" (which BSD is not said).
    assert_eq!(lic("pkg:pypi/jinja2@3.1.6"), None);
    let pyyaml = find(&got, "pkg:pypi/pyyaml@6.0.4");
    assert_eq!(pyyaml.component.name, "PyYAML");
    // Requires-Dist edges within the venv (extras-only requirements are not edges).
    let deps = |p: &str| -> BTreeSet<String> {
        find(&got, p)
            .component
            .dependencies
            .iter()
            .cloned()
            .collect()
    };
    assert_eq!(
        deps("pkg:pypi/requests@2.34.2"),
        [
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.3",
            "pkg:pypi/idna@3.20",
            "pkg:pypi/urllib3@2.8.0",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    assert_eq!(
        deps("pkg:pypi/jinja2@3.1.6"),
        ["pkg:pypi/markupsafe@3.0.4".to_string()].into()
    );
    assert!(deps("pkg:pypi/urllib3@2.8.0").is_empty());
    assert!(deps("pkg:pypi/setuptools@65.5.0").is_empty());
}

#[test]
fn installed_debian_egg_info() {
    let c = scan(&fixture("python/dist-packages"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::INSTALLED);
    assert_eq!(
        purls(&got),
        [
            "pkg:pypi/cryptography@38.0.4",
            "pkg:pypi/six@1.16.0",
            "pkg:pypi/wsgiref@0.1.2"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    let lic = |p: &str| find(&got, p).component.license.clone();
    assert_eq!(
        lic("pkg:pypi/cryptography@38.0.4").as_deref(),
        Some("BSD-3-Clause OR Apache-2.0")
    );
    assert_eq!(lic("pkg:pypi/six@1.16.0").as_deref(), Some("MIT"));
    // Not SPDX: the declared text is kept.
    assert_eq!(lic("pkg:pypi/wsgiref@0.1.2").as_deref(), Some("PSF or ZPL"));
}

#[test]
fn poetry_lock_v1_and_v2() {
    let c = scan(&fixture("python/poetry-v1"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let v1 = by(&c, python::POETRY);
    assert_eq!(v1.len(), 9);
    let dev: BTreeSet<String> = v1
        .iter()
        .filter(|o| o.component.dev)
        .map(|o| o.component.name.clone())
        .collect();
    assert_eq!(
        dev,
        [
            "colorama",
            "iniconfig",
            "packaging",
            "pluggy",
            "pygments",
            "pytest"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    let click = find(&v1, "pkg:pypi/click@8.5.1");
    assert!(!click.component.dev);
    // [metadata.files]: the wheel and the sdist.
    let h: Vec<&str> = click
        .component
        .hashes
        .iter()
        .map(|h| h.value.as_str())
        .collect();
    assert_eq!(
        h,
        [
            "8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37",
            "9bbfada76703fd1d784b83eea012e3e8c6a001a876543ef104fa56aaaeb072b4"
        ]
    );
    assert!(click.component.hashes.iter().all(|h| h.alg == "SHA-256"));
    let pytest = find(&v1, "pkg:pypi/pytest@9.2.0");
    assert_eq!(
        pytest.component.dependencies,
        [
            "pkg:pypi/colorama@0.4.6",
            "pkg:pypi/iniconfig@2.3.1",
            "pkg:pypi/packaging@26.4",
            "pkg:pypi/pluggy@1.7.0",
            "pkg:pypi/pygments@2.21.0"
        ]
    );
    assert_eq!(
        find(&v1, "pkg:pypi/python-dateutil@4.0.0")
            .component
            .dependencies,
        ["pkg:pypi/tzdata@2026.6"]
    );

    let c = scan(&fixture("python/poetry-v2"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let v2 = by(&c, python::POETRY);
    assert_eq!(v2.len(), 10);
    assert_eq!(v2.iter().filter(|o| o.component.dev).count(), 6);
    let attrs = find(&v2, "pkg:pypi/attrs@26.1.0");
    assert!(!attrs.component.dev);
    assert_eq!(attrs.component.hashes.len(), 2);
    assert_eq!(
        attrs.component.hashes[1].value,
        "d03ceb89cb322a8fd706d4fb91940737b6642aa36998fe130a9bc96c985eff32"
    );
    assert_eq!(
        find(&v2, "pkg:pypi/pytest@9.2.0")
            .component
            .dependencies
            .len(),
        5
    );
}

#[test]
fn uv_lock_roots_dev_and_hashes() {
    let c = scan(&fixture("python/uv"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::UV);
    // 11 packages, the virtual project itself not a component.
    assert_eq!(got.len(), 10);
    assert!(!purls(&got).iter().any(|p| p.contains("lockdemo")));
    let direct: BTreeSet<&str> = got
        .iter()
        .filter(|o| o.component.direct == Some(true))
        .map(|o| o.component.name.as_str())
        .collect();
    assert_eq!(
        direct,
        ["attrs", "click", "pytest", "python-dateutil"].into()
    );
    assert!(got.iter().all(|o| o.component.direct.is_some()));
    let dev: BTreeSet<&str> = got
        .iter()
        .filter(|o| o.component.dev)
        .map(|o| o.component.name.as_str())
        .collect();
    assert_eq!(
        dev,
        [
            "colorama",
            "iniconfig",
            "packaging",
            "pluggy",
            "pygments",
            "pytest"
        ]
        .into()
    );
    let tz = find(&got, "pkg:pypi/tzdata@2026.6");
    assert_eq!(tz.component.direct, Some(false));
    assert!(!tz.component.dev);
    // sdist + wheel.
    assert_eq!(tz.component.hashes.len(), 2);
    assert_eq!(
        find(&got, "pkg:pypi/pytest@9.2.0").component.dependencies,
        [
            "pkg:pypi/colorama@0.4.6",
            "pkg:pypi/iniconfig@2.3.1",
            "pkg:pypi/packaging@26.4",
            "pkg:pypi/pluggy@1.7.0",
            "pkg:pypi/pygments@2.21.0"
        ]
    );
}

#[test]
fn pipfile_lock_default_develop_index() {
    let c = scan(&fixture("python/pipenv"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::PIPENV);
    assert_eq!(got.len(), 9);
    let dev: BTreeSet<&str> = got
        .iter()
        .filter(|o| o.component.dev)
        .map(|o| o.component.name.as_str())
        .collect();
    assert_eq!(
        dev,
        ["iniconfig", "packaging", "pluggy", "pygments", "pytest"].into()
    );
    // The Pipfile names attrs, click, python-dateutil and pytest: those carry `index`.
    let direct: BTreeSet<&str> = got
        .iter()
        .filter(|o| o.component.direct == Some(true))
        .map(|o| o.component.name.as_str())
        .collect();
    assert_eq!(
        direct,
        ["attrs", "click", "pytest", "python-dateutil"].into()
    );
    let click = find(&got, "pkg:pypi/click@8.5.1");
    assert_eq!(click.component.hashes.len(), 2);
    assert_eq!(
        click.component.hashes[0].value,
        "8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37"
    );
}

#[test]
fn pdm_lock_groups_extras_edges() {
    let c = scan(&fixture("python/pdm"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::PDM);
    // 22 entries, one of them the `coverage[toml]` variant of coverage.
    assert_eq!(got.len(), 21);
    assert!(got.iter().all(|o| o.component.dev), "every group is dev");
    let cov = find(&got, "pkg:pypi/pytest-cov@5.0.0");
    assert_eq!(
        cov.component.dependencies,
        ["pkg:pypi/coverage@7.4.4", "pkg:pypi/pytest@8.1.1"]
    );
    let pylint = find(&got, "pkg:pypi/pylint@3.1.0");
    // dill appears twice (two markers): one edge.
    assert_eq!(pylint.component.dependencies.len(), 7);
    assert_eq!(
        find(&got, "pkg:pypi/watchdog@4.0.0").component.hashes.len(),
        17
    );
    assert_eq!(
        find(&got, "pkg:pypi/mypy-extensions@1.0.0").component.name,
        "mypy-extensions"
    );
}

#[test]
fn requirements_compiled_and_frozen() {
    let c = scan(&fixture("python/requirements"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, python::REQUIREMENTS);
    let compiled: Vec<&ComponentObservation> = got
        .iter()
        .filter(|o| o.occurrence.location.path.ends_with("/requirements.txt"))
        .collect();
    let frozen: Vec<&ComponentObservation> = got
        .iter()
        .filter(|o| {
            o.occurrence
                .location
                .path
                .ends_with("requirements-freeze.txt")
        })
        .collect();
    // requirements.in has no pins: nothing from it.
    assert_eq!(compiled.len() + frozen.len(), got.len());
    assert_eq!(
        compiled.len(),
        text_of("python/requirements/requirements.txt")
            .lines()
            .filter(|l| l.contains("==") && !l.starts_with(' ') && !l.starts_with('#'))
            .count()
    );
    assert_eq!(compiled.len(), 16);
    assert_eq!(frozen.len(), 12);
    assert!(got.iter().all(|o| o.component.direct == Some(true)));
    let cn = compiled
        .iter()
        .find(|o| o.component.purl == "pkg:pypi/charset-normalizer@3.5.3")
        .unwrap();
    // The file lists the hashes of every charset-normalizer artifact.
    let text = std::fs::read_to_string(fixture("python/requirements/requirements.txt")).unwrap();
    let block: String = text
        .split("charset-normalizer==3.5.3")
        .nth(1)
        .unwrap()
        .split("# via")
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        cn.component.hashes.len(),
        block.matches("--hash=sha256:").count()
    );
    assert!(cn.component.hashes.len() > 50);
    let colorama = compiled
        .iter()
        .find(|o| o.component.name == "colorama")
        .unwrap();
    let line = colorama.occurrence.location.line.unwrap() as usize;
    assert!(text
        .lines()
        .nth(line - 1)
        .unwrap()
        .starts_with("colorama==0.4.6 ; sys_platform == 'win32'"));
    assert!(colorama
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("sys_platform"));
    let jinja = frozen
        .iter()
        .find(|o| o.component.name == "Jinja2")
        .unwrap();
    assert_eq!(jinja.component.purl, "pkg:pypi/jinja2@3.1.6");
    assert!(jinja.component.hashes.is_empty());
}

#[test]
fn python_malformed_inputs_warn() {
    let d = python::PythonDetector::default();
    for (path, data) in [
        ("/x/poetry.lock", &b"[[package]]\nname = 1\n"[..]),
        ("/x/uv.lock", b"[[package]\nname="),
        ("/x/pdm.lock", b"package = 3"),
        ("/x/Pipfile.lock", b"{\"default\": [1,2]}"),
        ("/x/requirements.txt", b"\xff\xfe\x00"),
        (
            "/s/a-1.dist-info/METADATA",
            b"Metadata-Version: 2.1\nSummary: x\n",
        ),
    ] {
        let out = detect_bytes(&d, path, data);
        assert!(out.components.is_empty(), "{path}");
        assert_eq!(out.warnings.len(), 1, "{path}: {:?}", out.warnings);
        assert!(out.warnings[0].message.len() > 5);
    }
    // Requirements with nothing pinned: nothing, and no warning.
    let out = detect_bytes(
        &d,
        "/x/requirements-dev.txt",
        b"-r base.txt\nflask>=2\n-e .\n",
    );
    assert!(out.components.is_empty() && out.warnings.is_empty());
    // Truncated lockfile: a warning, never a panic.
    let real = std::fs::read(fixture("python/uv/uv.lock")).unwrap();
    for cut in [10, real.len() / 3, real.len() / 2] {
        let _ = detect_bytes(&d, "/x/uv.lock", &real[..cut]);
    }
}

/// A site-packages directory of 100+ distributions: the scan takes well under 0.3 s.
#[test]
fn many_installed_distributions_are_fast() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("python/venv-site-packages");
    // 14 real dist-info directories, each copied under 9 names (126 distributions).
    let mut n = 0;
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let meta = std::fs::read_to_string(e.path().join("METADATA")).unwrap();
        let base = e.file_name().to_string_lossy().to_string();
        let (name, rest) = base.split_once('-').unwrap();
        for k in 0..9 {
            let new_name = format!("{name}{k}");
            let d = dir.path().join(format!("{new_name}-{rest}"));
            std::fs::create_dir(&d).unwrap();
            let m = meta.replacen("\nName: ", &format!("\nName: {k}"), 1);
            std::fs::write(d.join("METADATA"), m).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 126);
    let t = std::time::Instant::now();
    let c = scan(dir.path());
    let took = t.elapsed();
    assert_eq!(by(&c, python::INSTALLED).len(), 126);
    eprintln!("126 distributions scanned in {took:?}");
    // Generous for a debug build on a loaded 2-core machine.
    assert!(took.as_secs_f64() < 3.0, "{took:?}");
}

// ------------------------------------------------------------------------------------------
// Go

#[test]
fn go_mod_fixtures() {
    let c = scan(&fixture("go/modtool"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, golang::GO_MOD);
    // 10 requires + the module itself; `go`, `toolchain` and `exclude` name none.
    assert_eq!(got.len(), 11);
    assert!(!purls(&got).iter().any(|p| p.contains("stdlib")));
    let project = find(&got, "pkg:golang/example.com/my/module");
    assert_eq!(project.component.version, None);
    assert_eq!(project.component.dependencies.len(), 6);
    // Module replacement: the replacement is what is built.
    let set = find(
        &got,
        "pkg:golang/github.com/shoenig/go-set/v2@v2.0.0-alpha3",
    );
    assert_eq!(set.component.name, "github.com/shoenig/go-set/v2");
    assert_eq!(set.component.direct, Some(true));
    assert!(set
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("replaces github.com/hashicorp/go-set/v2 v2.0.0-alpha.2"));
    let xmod = find(&got, "pkg:golang/golang.org/x/mod@v1.0.0-alpha.1");
    assert_eq!(xmod.occurrence.location.line, Some(22));
    // Local replacement: the required module stays, said to be replaced.
    let api = find(&got, "pkg:golang/internal.com/api@v0.0.0");
    assert!(api.occurrence.context.as_deref().unwrap().contains("./api"));
    let indirect: BTreeSet<&str> = got
        .iter()
        .filter(|o| o.component.direct == Some(false))
        .map(|o| o.component.name.as_str())
        .collect();
    assert_eq!(
        indirect,
        [
            "example.com/more/stuff",
            "example.com/something/else",
            "github.com/google/go-cmp",
            "github.com/shoenig/regexplus"
        ]
        .into()
    );
    assert!(got.iter().all(|o| o.component.ecosystem == "Go"));

    let c = scan(&fixture("go/minio-s3"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, golang::GO_MOD);
    assert_eq!(got.len(), 5);
    let minio = find(&got, "pkg:golang/github.com/minio/minio-go/v7@v7.0.10");
    assert!(minio
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("replaced by local directory ../.."));
    find(
        &got,
        "pkg:golang/golang.org/x/crypto@v0.0.0-20220314234659-1baeb1ce4c0b",
    );
}

/// A module in a file-based module proxy (the layout `GOPROXY=file://` reads).
fn proxy_module(proxy: &Path, path: &str, version: &str, declared: &str, code: &str) {
    use std::io::Write;
    let d = proxy.join(path).join("@v");
    std::fs::create_dir_all(&d).unwrap();
    let gomod = format!("module {declared}\n\ngo 1.19\n");
    std::fs::write(
        d.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-01T00:00:00Z\"}}"),
    )
    .unwrap();
    std::fs::write(d.join(format!("{version}.mod")), &gomod).unwrap();
    let mut z =
        zip::ZipWriter::new(std::fs::File::create(d.join(format!("{version}.zip"))).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    z.start_file(format!("{path}@{version}/go.mod"), o).unwrap();
    z.write_all(gomod.as_bytes()).unwrap();
    z.start_file(format!("{path}@{version}/lib.go"), o).unwrap();
    z.write_all(code.as_bytes()).unwrap();
    z.finish().unwrap();
    std::fs::write(d.join("list"), format!("{version}\n")).unwrap();
}

fn go(dir: &Path, work: &Path, args: &[&str]) -> String {
    run(
        Command::new("go")
            .args(args)
            .current_dir(dir)
            .env(
                "GOPROXY",
                format!("file://{}", work.join("proxy").display()),
            )
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPATH", work.join("gopath"))
            .env("GOCACHE", work.join("cache"))
            .env("GOTOOLCHAIN", "local"),
        "golang-go",
    )
}

/// A `dep` line of `go version -m`: path, version, and its `=>` replacement.
type GoDep = (String, String, Option<(String, String)>);

#[test]
fn go_binary_and_go_mod_built_here() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path();
    let proxy = w.join("proxy");
    proxy_module(
        &proxy,
        "example.com/greet",
        "v1.0.0",
        "example.com/greet",
        "package greet\n\nfunc Hello() string { return \"hello\" }\n",
    );
    // A fork that replaces it (declaring the path it replaces, as Go requires).
    proxy_module(
        &proxy,
        "example.com/greetfork",
        "v1.1.0",
        "example.com/greet",
        "package greet\n\nfunc Hello() string { return \"hello, fork\" }\n",
    );
    proxy_module(
        &proxy,
        "example.com/util",
        "v0.2.0",
        "example.com/util",
        "package util\n\nfunc N() int { return 2 }\n",
    );
    let local = w.join("local");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(
        local.join("go.mod"),
        "module example.com/local\n\ngo 1.19\n",
    )
    .unwrap();
    std::fs::write(
        local.join("local.go"),
        "package local\n\nfunc L() string { return \"l\" }\n",
    )
    .unwrap();
    let app = w.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n\t\"example.com/local\"\n\t\"example.com/util\"\n)\n\nfunc main() { fmt.Println(greet.Hello(), util.N(), local.L()) }\n",
    )
    .unwrap();
    go(&app, w, &["mod", "init", "example.com/app"]);
    go(
        &app,
        w,
        &[
            "mod",
            "edit",
            "-require=example.com/greet@v1.0.0",
            "-require=example.com/util@v0.2.0",
            "-require=example.com/local@v0.0.0",
            "-replace=example.com/greet=example.com/greetfork@v1.1.0",
            "-replace=example.com/local=../local",
        ],
    );
    go(&app, w, &["build", "-trimpath", "-o", "app", "."]);

    // go.mod, against `go mod edit -json`.
    let json: serde_json::Value =
        serde_json::from_str(&go(&app, w, &["mod", "edit", "-json"])).unwrap();
    let gomod = std::fs::read(app.join("go.mod")).unwrap();
    let out = detect_bytes(&golang::GoModDetector, "/w/app/go.mod", &gomod);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let requires = json["Require"].as_array().unwrap();
    assert_eq!(out.components.len(), requires.len() + 1);
    for r in requires {
        let path = r["Path"].as_str().unwrap();
        let version = r["Version"].as_str().unwrap();
        let indirect = r["Indirect"].as_bool().unwrap_or(false);
        let rep = json["Replace"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["Old"]["Path"] == path);
        let (want_path, want_version) = match rep {
            Some(x) if x["New"]["Version"].is_string() => (
                x["New"]["Path"].as_str().unwrap().to_string(),
                x["New"]["Version"].as_str().unwrap().to_string(),
            ),
            _ => (path.to_string(), version.to_string()),
        };
        let c = out
            .components
            .iter()
            .find(|o| o.component.name == want_path)
            .unwrap_or_else(|| panic!("{want_path}"));
        assert_eq!(c.component.version.as_deref(), Some(want_version.as_str()));
        assert_eq!(c.component.direct, Some(!indirect));
    }

    // The binary, against `go version -m`.
    let exe = app.join("app");
    let m = go(&app, w, &["version", "-m", "app"]);
    let toolchain = m
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let mut deps: Vec<GoDep> = Vec::new();
    let mut main_mod = None;
    for l in m.lines().skip(1) {
        let f: Vec<&str> = l.trim_start_matches('\t').split('\t').collect();
        match f.as_slice() {
            ["mod", p, v, ..] => main_mod = Some((p.to_string(), v.to_string())),
            ["dep", p, v, ..] => deps.push((p.to_string(), v.to_string(), None)),
            ["=>", p, v, ..] => {
                if let Some(last) = deps.last_mut() {
                    last.2 = Some((p.to_string(), v.to_string()));
                }
            }
            _ => {}
        }
    }
    assert_eq!(deps.len(), 3, "{m}");
    let data = std::fs::read(&exe).unwrap();
    let c = scan(&exe);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, golang::GO_BINARY);
    assert_eq!(got.len(), deps.len() + 2, "{got:?}");
    let stdlib = find(
        &got,
        &format!("pkg:golang/stdlib@{}", toolchain.trim_start_matches("go")),
    );
    assert_eq!(stdlib.component.ecosystem, "Go");
    assert_eq!(stdlib.component.name, "stdlib");
    let (mp, mv) = main_mod.unwrap();
    assert_eq!(mv, "(devel)");
    let main = find(&got, &format!("pkg:golang/{mp}"));
    assert_eq!(main.component.version, None);
    for (p, v, rep) in &deps {
        let purl = match rep {
            // A module replacement: what is built; a directory one keeps the module.
            Some((rp, rv)) if !rv.is_empty() && rv != "(devel)" => format!("pkg:golang/{rp}@{rv}"),
            _ => format!("pkg:golang/{p}@{v}"),
        };
        let o = find(&got, &purl);
        assert!(
            o.component.hashes.is_empty(),
            "h1: sums are not file hashes"
        );
        if let Some((rp, _)) = rep {
            assert!(o
                .occurrence
                .context
                .as_deref()
                .unwrap()
                .contains(rp.as_str()));
        }
    }
    find(&got, "pkg:golang/example.com/greetfork@v1.1.0");
    find(&got, "pkg:golang/example.com/util@v0.2.0");
    find(&got, "pkg:golang/example.com/local@v0.0.0");
    // Located at the build-info header.
    let off = got[0].occurrence.location.offset.unwrap() as usize;
    assert!(data[off..].starts_with(b"\xff Go buildinf:"));
}

#[test]
fn go_malformed_inputs() {
    let d = golang::GoModDetector;
    let out = detect_bytes(&d, "/x/go.mod", b"\xff\xfe");
    assert_eq!(out.warnings.len(), 1);
    let out = detect_bytes(&d, "/x/go.mod", b"// nothing here\n");
    assert_eq!(out.warnings.len(), 1);
    assert!(out.components.is_empty());
    let out = detect_bytes(
        &d,
        "/x/go.mod",
        b"module m/x\nrequire (\n\ta.com/b\n\t\"unterminated v1\nreplace => \n",
    );
    assert!(!out.warnings.is_empty());
}

// ------------------------------------------------------------------------------------------
// Maven and Gradle

#[test]
fn pom_files_from_gson() {
    let c = scan(&fixture("maven/gson-proto"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, maven::POM);
    // 8 dependencies + the project.
    assert_eq!(got.len(), 9);
    let project = find(&got, "pkg:maven/com.google.code.gson/proto@2.14.1-SNAPSHOT");
    assert_eq!(project.component.name, "com.google.code.gson:proto");
    assert_eq!(project.component.dependencies.len(), 8);
    // ${project.parent.version} and ${protobufVersion}.
    find(&got, "pkg:maven/com.google.code.gson/gson@2.14.1-SNAPSHOT");
    let pb = find(&got, "pkg:maven/com.google.protobuf/protobuf-java@4.35.1");
    assert!(!pb.component.dev);
    assert_eq!(pb.component.direct, Some(true));
    let util = find(
        &got,
        "pkg:maven/com.google.protobuf/protobuf-java-util@4.35.1",
    );
    assert!(util.component.dev);
    // Versions managed by the parent POM (another file): no version.
    let junit = find(&got, "pkg:maven/junit/junit");
    assert_eq!(junit.component.version, None);
    assert!(junit.component.dev);
    assert_eq!(got.iter().filter(|o| o.component.dev).count(), 5);

    let c = scan(&fixture("maven/gson"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, maven::POM);
    let text = std::fs::read_to_string(fixture("maven/gson/pom.xml")).unwrap();
    // Plugin dependencies (proguard) are not project dependencies.
    assert!(text.contains("proguard-base"));
    assert!(!purls(&got).iter().any(|p| p.contains("proguard")));
    let project = got
        .iter()
        .find(|o| o.component.name == "com.google.code.gson:gson")
        .unwrap();
    assert_eq!(project.component.dependencies.len(), got.len() - 1);

    let c = scan(&fixture("maven/gson-parent"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, maven::POM);
    assert_eq!(got.len(), 1, "the parent only manages versions");
    assert_eq!(got[0].component.name, "com.google.code.gson:gson-parent");
}

#[test]
fn gradle_lockfile_from_public_repo() {
    let c = scan(&fixture("maven/gradle-maybe"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let got = by(&c, maven::GRADLE);
    assert_eq!(got.len(), 45);
    assert_eq!(got.iter().filter(|o| o.component.dev).count(), 15);
    let mockito = find(&got, "pkg:maven/org.mockito/mockito-core@4.11.0");
    assert!(mockito.component.dev);
    let jsr = find(&got, "pkg:maven/com.google.code.findbugs/jsr305@3.0.2");
    assert!(!jsr.component.dev);
    assert_eq!(jsr.occurrence.location.line, Some(4));
    assert!(got.iter().all(|o| o.component.ecosystem == "Maven"));
}

#[test]
fn maven_malformed_inputs() {
    let d = maven::MavenDetector;
    let out = detect_bytes(&d, "/x/pom.xml", b"<project><a></b></project>");
    assert_eq!(out.warnings.len(), 1);
    let out = detect_bytes(&d, "/x/pom.xml", b"not xml at all");
    assert_eq!(out.warnings.len(), 1);
    let out = detect_bytes(&d, "/x/gradle.lockfile", b"a:b\n\xff");
    assert_eq!(out.warnings.len(), 1);
    let out = detect_bytes(&d, "/x/gradle.lockfile", b"a:b\nc:d:1=x\n");
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.components.len(), 1);
    let real = std::fs::read(fixture("maven/gson/pom.xml")).unwrap();
    for cut in [1, 100, real.len() / 2, real.len() - 3] {
        let _ = detect_bytes(&d, "/x/pom.xml", &real[..cut]);
    }
}

// ------------------------------------------------------------------------------------------
// Java archives

fn sha1sum(p: &Path) -> String {
    run(Command::new("sha1sum").arg(p), "coreutils")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// `pom.properties` of a jar, as `jar xf` extracts it.
fn pom_properties(jar: &Path, work: &Path) -> Vec<BTreeMap<String, String>> {
    let d = work.join(format!("x-{}", jar.file_name().unwrap().to_string_lossy()));
    std::fs::create_dir_all(&d).unwrap();
    run(
        Command::new("jar").arg("xf").arg(jar).current_dir(&d),
        "openjdk-17-jdk-headless",
    );
    let mut out = Vec::new();
    let maven = d.join("META-INF/maven");
    let Ok(groups) = std::fs::read_dir(&maven) else {
        return out;
    };
    for g in groups.flatten() {
        for a in std::fs::read_dir(g.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(a.path().join("pom.properties")).unwrap();
            out.push(
                text.lines()
                    .filter(|l| !l.starts_with('#'))
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect(),
            );
        }
    }
    out
}

#[test]
fn real_debian_jars() {
    let tmp = tempfile::tempdir().unwrap();
    for (jar, want) in [
        (
            "plexus-cipher.jar",
            "pkg:maven/org.codehaus.plexus/plexus-cipher@2.0",
        ),
        (
            "javax.annotation-api.jar",
            "pkg:maven/org.apache.geronimo.specs/geronimo-annotation_1.3_spec@1.3",
        ),
    ] {
        let p = fixture(&format!("maven/jars/{jar}"));
        let props = pom_properties(&p, tmp.path());
        assert_eq!(props.len(), 1);
        let want_from_jar = format!(
            "pkg:maven/{}/{}@{}",
            props[0]["groupId"], props[0]["artifactId"], props[0]["version"]
        );
        assert_eq!(want_from_jar, want);
        let c = scan(&p);
        let got = by(&c, maven::JAR);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].component.purl, want);
        assert_eq!(got[0].component.hashes.len(), 1);
        assert_eq!(got[0].component.hashes[0].alg, "SHA-1");
        assert_eq!(got[0].component.hashes[0].value, sha1sum(&p));
        assert_eq!(got[0].occurrence.location.path, p.display().to_string());
    }
    // Manifest only: inferred, and without a groupId not a Maven purl.
    let p = fixture("maven/jars/javax.inject.jar");
    assert!(pom_properties(&p, tmp.path()).is_empty());
    let got = by(&scan(&p), maven::JAR);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].component.purl, "pkg:generic/javax.inject@1.0.0");
    assert!(got[0]
        .occurrence
        .context
        .as_deref()
        .unwrap()
        .contains("inferred from MANIFEST.MF"));
    assert_eq!(got[0].component.hashes[0].value, sha1sum(&p));
}

#[test]
fn nested_archives_built_here() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path();
    // A library jar built with javac/jar, with Maven metadata and a manifest.
    let src = w.join("lib/src/com/example");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("Util.java"),
        "package com.example;\npublic class Util { public static int n() { return 1; } }\n",
    )
    .unwrap();
    let classes = w.join("lib/classes");
    run(
        Command::new("javac")
            .arg("-d")
            .arg(&classes)
            .arg(src.join("Util.java")),
        "openjdk-17-jdk-headless",
    );
    let meta = classes.join("META-INF/maven/com.example/util");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("pom.properties"),
        "#Created by hand for the test\ngroupId=com.example\nartifactId=util\nversion=1.4.2\n",
    )
    .unwrap();
    let util_jar = w.join("util-1.4.2.jar");
    run(
        Command::new("jar")
            .arg("cf")
            .arg(&util_jar)
            .arg("-C")
            .arg(&classes)
            .arg("."),
        "openjdk-17-jdk-headless",
    );
    // A WAR holding it and two real Debian jars; an EAR holding the WAR.
    let war_dir = w.join("war");
    let lib = war_dir.join("WEB-INF/lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::copy(&util_jar, lib.join("util-1.4.2.jar")).unwrap();
    for j in ["plexus-cipher.jar", "javax.inject.jar"] {
        std::fs::copy(fixture(&format!("maven/jars/{j}")), lib.join(j)).unwrap();
    }
    let war = w.join("ear/app.war");
    std::fs::create_dir_all(w.join("ear")).unwrap();
    run(
        Command::new("jar")
            .arg("cf")
            .arg(&war)
            .arg("-C")
            .arg(&war_dir)
            .arg("."),
        "openjdk-17-jdk-headless",
    );
    let ear = w.join("app.ear");
    run(
        Command::new("jar")
            .arg("cf")
            .arg(&ear)
            .arg("-C")
            .arg(w.join("ear"))
            .arg("."),
        "openjdk-17-jdk-headless",
    );

    let c = scan(&war);
    let got = by(&c, maven::JAR);
    assert_eq!(got.len(), 3, "{got:?}");
    let u = find(&got, "pkg:maven/com.example/util@1.4.2");
    assert_eq!(
        u.occurrence.location.path,
        format!("{}!/WEB-INF/lib/util-1.4.2.jar", war.display())
    );
    assert_eq!(u.component.hashes[0].value, sha1sum(&util_jar));
    let pc = find(&got, "pkg:maven/org.codehaus.plexus/plexus-cipher@2.0");
    assert_eq!(
        pc.component.hashes[0].value,
        sha1sum(&fixture("maven/jars/plexus-cipher.jar"))
    );

    let c = scan(&ear);
    let got = by(&c, maven::JAR);
    assert_eq!(got.len(), 3, "{got:?}");
    let pc = find(&got, "pkg:maven/org.codehaus.plexus/plexus-cipher@2.0");
    assert_eq!(
        pc.occurrence.location.path,
        format!("{}!/app.war!/WEB-INF/lib/plexus-cipher.jar", ear.display())
    );
    find(&got, "pkg:generic/javax.inject@1.0.0");
}
