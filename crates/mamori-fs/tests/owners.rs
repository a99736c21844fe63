//! Which installed OS package owns the file a crypto asset is found in, on root file systems
//! made here by the real package managers: dpkg installing a `.deb` that dpkg-deb built
//! (into a merged-/usr root, where the package's `/lib/…` lands in `usr/lib/…`), rpm
//! installing an rpm that rpmbuild built, and Alpine's real `installed` database with files
//! put where it lists them; scanned on disk and as a container image, then judged by
//! mamori-assess: the package's places give one `package-…` finding, the user's own places
//! (and `/etc`) keep theirs.
//! Tools needed (Debian packages): dpkg, rpm, openssl, tar.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_assess::{assess, merge, Policy};
use mamori_fs::{collect, Collected, Only, Progress, ScanOptions};
use mamori_model::{Finding, Severity};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/tools.rs"]
mod tools;
use tools::command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sbom");

const MD5_CALL: &[u8] =
    b"import hashlib\n\n\ndef digest(b):\n    return hashlib.md5(b).hexdigest()\n";

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

/// A `.deb` built by dpkg-deb: `files` are (absolute path, content); `conffiles` among them.
fn deb(
    work: &Path,
    name: &str,
    version: &str,
    files: &[(&str, &[u8])],
    conffiles: &[&str],
) -> PathBuf {
    let dir = work.join(format!("deb-{name}"));
    write(
        &dir.join("DEBIAN/control"),
        format!(
            "Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: mamori tests <t@example.org>\nDescription: test package\n"
        )
        .as_bytes(),
    );
    if !conffiles.is_empty() {
        write(
            &dir.join("DEBIAN/conffiles"),
            (conffiles.join("\n") + "\n").as_bytes(),
        );
    }
    for (p, data) in files {
        write(&dir.join(p.trim_start_matches('/')), data);
    }
    let out = work.join(format!("{name}.deb"));
    command(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "--build"])
            .arg(&dir)
            .arg(&out),
        "dpkg",
    );
    out
}

/// An empty Debian 12 root with merged /usr (`lib`, `bin` → `usr/…`) and a dpkg database.
fn debian_root(work: &Path) -> PathBuf {
    let root = work.join("rootfs");
    for d in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
        "usr/lib",
        "usr/bin",
        "etc",
    ] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
    std::os::unix::fs::symlink("usr/bin", root.join("bin")).unwrap();
    fs::write(
        root.join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    root
}

/// dpkg installs `debs` into `root`.
fn dpkg_install(root: &Path, debs: &[PathBuf]) {
    command(
        Command::new("dpkg")
            .arg(format!("--root={}", root.display()))
            .args(["--force-script-chrootless", "--log=/dev/null", "-i"])
            .args(debs),
        "dpkg",
    );
}

/// A Debian root with the package `mamori-demo` 1.2-3 (MD5 in its Python module, in a file
/// it installs under `/lib`, and in a conffile under `/etc`) and the user's own code calling
/// MD5 in `/opt/app` and `/home/u`.
fn debian_with_demo(work: &Path) -> PathBuf {
    let root = debian_root(work);
    let pkg = deb(
        work,
        "mamori-demo",
        "1.2-3",
        &[
            (
                "/usr/lib/python3/dist-packages/mamori_demo/legacy.py",
                MD5_CALL,
            ),
            ("/lib/mamori-demo/tool.py", MD5_CALL),
            ("/etc/mamori-demo/settings.py", MD5_CALL),
        ],
        &["/etc/mamori-demo/settings.py"],
    );
    dpkg_install(&root, &[pkg]);
    write(&root.join("opt/app/x.py"), MD5_CALL);
    write(&root.join("home/u/y.py"), MD5_CALL);
    root
}

fn scan(target: &Path, only: Only) -> Collected {
    let opts = ScanOptions {
        only,
        ..Default::default()
    };
    collect(target, &opts, &Progress::default())
}

/// (path relative to `root`, owning package name) of every MD5 occurrence, sorted.
fn md5_places(got: &Collected, root: &str) -> Vec<(String, Option<String>)> {
    let mut v: Vec<(String, Option<String>)> = got
        .observations
        .iter()
        .filter(|o| o.asset.id == "alg:MD5")
        .map(|o| {
            let p = &o.occurrence.location.path;
            (
                p.strip_prefix(root).unwrap_or(p).to_string(),
                o.occurrence.package.as_ref().map(|p| p.name.clone()),
            )
        })
        .collect();
    v.sort();
    v
}

fn md5_findings(got: &Collected) -> Vec<Finding> {
    let assets = merge(got.observations.clone());
    assess(&assets, &Policy::default())
        .into_iter()
        .filter(|f| f.asset_id == "alg:MD5")
        .collect()
}

#[test]
fn dpkg_owned_python_is_the_packages_and_the_users_code_stays_the_users() {
    let work = tempfile::tempdir().unwrap();
    let root = debian_with_demo(work.path());
    let r = root.display().to_string();
    let got = scan(&root, Only::Both);
    let demo = Some("mamori-demo".to_string());
    assert_eq!(
        md5_places(&got, &r),
        vec![
            // A conffile is configuration: the user's.
            ("/etc/mamori-demo/settings.py".to_string(), None),
            ("/home/u/y.py".to_string(), None),
            ("/opt/app/x.py".to_string(), None),
            ("/usr/lib/mamori-demo/tool.py".to_string(), demo.clone()),
            (
                "/usr/lib/python3/dist-packages/mamori_demo/legacy.py".to_string(),
                demo.clone()
            ),
        ]
    );
    let owner = got
        .observations
        .iter()
        .find_map(|o| o.occurrence.package.as_deref())
        .unwrap();
    assert_eq!(owner.version, "1.2-3");
    assert_eq!(owner.root, r);
    // The purl is the SBOM's, distro attached.
    assert_eq!(
        owner.purl,
        "pkg:deb/debian/mamori-demo@1.2-3?arch=all&distro=debian-12"
    );
    assert!(got
        .components
        .iter()
        .any(|c| c.component.purl == owner.purl));

    let f = md5_findings(&got);
    assert_eq!(f.len(), 2, "{f:#?}");
    let user = f
        .iter()
        .find(|f| f.code == "crypto-broken-algorithm")
        .unwrap();
    assert_eq!(user.severity, Severity::High);
    assert_eq!(
        user.location.path,
        format!("{r}/etc/mamori-demo/settings.py")
    );
    assert_eq!(user.location.line, Some(5));
    assert_eq!(user.other_locations, 2, "the user's three places");
    assert!(user.package.is_none());
    let pkg = f
        .iter()
        .find(|f| f.code == "package-crypto-broken-algorithm")
        .unwrap();
    assert_eq!(pkg.severity, Severity::Low);
    assert_eq!(
        pkg.location.path,
        format!("{r}/usr/lib/mamori-demo/tool.py")
    );
    assert_eq!(
        pkg.location.line, None,
        "no line: the key survives an upgrade"
    );
    assert_eq!(pkg.other_locations, 1, "the package's two places");
    assert_eq!(pkg.args["package"], "mamori-demo");
    assert_eq!(pkg.args["package_version"], "1.2-3");
    assert_eq!(pkg.package.as_ref().unwrap().name, "mamori-demo");
    assert!(pkg.message.contains("mamori-demo 1.2-3"), "{}", pkg.message);
    assert!(pkg.message.contains("MD5"), "{}", pkg.message);

    // Without the user's files, the package's MD5 gives no finding of the user's.
    for p in ["opt/app/x.py", "home/u/y.py", "etc/mamori-demo/settings.py"] {
        fs::remove_file(root.join(p)).unwrap();
    }
    let f = md5_findings(&scan(&root, Only::Both));
    let codes: Vec<&str> = f.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["package-crypto-broken-algorithm"]);
}

#[test]
fn dpkg_ownership_holds_in_a_crypto_only_scan() {
    let work = tempfile::tempdir().unwrap();
    let root = debian_with_demo(work.path());
    let got = scan(&root, Only::Crypto);
    let owned = md5_places(&got, &root.display().to_string())
        .into_iter()
        .filter(|(_, o)| o.is_some())
        .count();
    assert_eq!(owned, 2);
}

#[test]
fn dpkg_ownership_inside_a_container_image() {
    let work = tempfile::tempdir().unwrap();
    let root = debian_with_demo(work.path());
    let image = docker_save(work.path(), &root);
    let got = scan(&image, Only::Both);
    // A tagged image is named by its tag.
    let container = format!("{}@example/debian:12", image.display());
    let places = md5_places(&got, "");
    let demo = Some("mamori-demo".to_string());
    assert_eq!(
        places,
        vec![
            ("/etc/mamori-demo/settings.py".to_string(), None),
            ("/home/u/y.py".to_string(), None),
            ("/opt/app/x.py".to_string(), None),
            ("/usr/lib/mamori-demo/tool.py".to_string(), demo.clone()),
            (
                "/usr/lib/python3/dist-packages/mamori_demo/legacy.py".to_string(),
                demo
            ),
        ]
    );
    for o in got.observations.iter().filter(|o| o.asset.id == "alg:MD5") {
        assert_eq!(
            o.occurrence.location.container.as_deref(),
            Some(container.as_str())
        );
        if let Some(p) = &o.occurrence.package {
            assert_eq!(p.root, "/");
        }
    }
    let f = md5_findings(&got);
    let mut codes: Vec<(&str, Severity)> =
        f.iter().map(|f| (f.code.as_str(), f.severity)).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("crypto-broken-algorithm", Severity::High),
            ("package-crypto-broken-algorithm", Severity::Low)
        ]
    );
}

fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A one-layer `docker save` tarball of `root`, made with GNU tar (symlinks kept as links).
fn docker_save(work: &Path, root: &Path) -> PathBuf {
    let layer = work.join("layer.tar");
    command(
        Command::new("tar")
            .args([
                "--format=gnu",
                "--numeric-owner",
                "--owner=0",
                "--group=0",
                "-cf",
            ])
            .arg(&layer)
            .arg("-C")
            .arg(root)
            .arg("."),
        "tar",
    );
    let layer_bytes = fs::read(&layer).unwrap();
    let img = work.join("image");
    let id = sha256_hex(b"layer");
    write(&img.join(format!("{id}/layer.tar")), &layer_bytes);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", sha256_hex(&layer_bytes))]},
        "history": []
    }))
    .unwrap();
    let cfg = format!("{}.json", sha256_hex(&config));
    write(&img.join(&cfg), &config);
    let manifest = serde_json::json!([
        {"Config": cfg, "RepoTags": ["example/debian:12"], "Layers": [format!("{id}/layer.tar")]}
    ]);
    write(
        &img.join("manifest.json"),
        &serde_json::to_vec(&manifest).unwrap(),
    );
    let out = work.join("image.tar");
    command(
        Command::new("tar")
            .args(["--format=gnu", "-cf"])
            .arg(&out)
            .arg("-C")
            .arg(&img)
            .args(["manifest.json", &cfg, &id]),
        "tar",
    );
    out
}

#[test]
fn rpm_owned_python_is_the_packages() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let spec = w.join("demo.spec");
    fs::write(
        &spec,
        "Name: mamori-rpmdemo\nVersion: 2.0\nRelease: 1.fx\nSummary: demo\nLicense: MIT\nBuildArch: noarch\n\
         %description\ndemo\n\
         %install\n\
         mkdir -p %{buildroot}/usr/share/mamori-rpmdemo %{buildroot}/etc/mamori-rpmdemo\n\
         printf 'import hashlib\\nx = hashlib.md5(b\"a\").hexdigest()\\n' > %{buildroot}/usr/share/mamori-rpmdemo/legacy.py\n\
         cp %{buildroot}/usr/share/mamori-rpmdemo/legacy.py %{buildroot}/usr/share/mamori-rpmdemo/other.py\n\
         cp %{buildroot}/usr/share/mamori-rpmdemo/legacy.py %{buildroot}/etc/mamori-rpmdemo/app.py\n\
         %files\n/usr/share/mamori-rpmdemo\n%config /etc/mamori-rpmdemo/app.py\n",
    )
    .unwrap();
    command(
        Command::new("rpmbuild")
            .arg("--define")
            .arg(format!("_topdir {}", w.join("top").display()))
            .arg("-bb")
            .arg(&spec),
        "rpm",
    );
    let rpm = fs::read_dir(w.join("top/RPMS/noarch"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let root = w.join("rootfs");
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(
        root.join("etc/os-release"),
        "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n",
    )
    .unwrap();
    let rpm_args = |extra: &[&str]| {
        let mut c = Command::new("rpm");
        c.arg("--root")
            .arg(&root)
            .args(["--define", "_db_backend sqlite", "--dbpath", "/var/lib/rpm"])
            .args(extra);
        c
    };
    command(&mut rpm_args(&["--initdb"]), "rpm");
    command(
        rpm_args(&["-i", "--nodeps", "--noscripts"]).arg(&rpm),
        "rpm",
    );
    assert!(root.join("var/lib/rpm/rpmdb.sqlite").exists());
    write(&root.join("srv/app/x.py"), MD5_CALL);
    let r = root.display().to_string();
    let got = scan(&root, Only::Both);
    let rpmdemo = Some("mamori-rpmdemo".to_string());
    assert_eq!(
        md5_places(&got, &r),
        vec![
            ("/etc/mamori-rpmdemo/app.py".to_string(), None),
            ("/srv/app/x.py".to_string(), None),
            (
                "/usr/share/mamori-rpmdemo/legacy.py".to_string(),
                rpmdemo.clone()
            ),
            ("/usr/share/mamori-rpmdemo/other.py".to_string(), rpmdemo),
        ]
    );
    let owner = got
        .observations
        .iter()
        .find_map(|o| o.occurrence.package.as_deref())
        .unwrap();
    assert_eq!(owner.version, "2.0-1.fx");
    assert_eq!(
        owner.purl,
        "pkg:rpm/rocky/mamori-rpmdemo@2.0-1.fx?arch=noarch&distro=rocky-9.3"
    );
    let f = md5_findings(&got);
    let mut got_codes: Vec<(&str, Severity, u32)> = f
        .iter()
        .map(|f| (f.code.as_str(), f.severity, f.other_locations))
        .collect();
    got_codes.sort();
    assert_eq!(
        got_codes,
        [
            ("crypto-broken-algorithm", Severity::High, 1),
            ("package-crypto-broken-algorithm", Severity::Low, 1)
        ]
    );
}

/// An RSA-1024 public key in PEM, made by openssl.
fn weak_public_key(work: &Path) -> Vec<u8> {
    let k = work.join("k.pem");
    let p = work.join("p.pem");
    command(
        Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
                "-out",
            ])
            .arg(&k),
        "openssl",
    );
    command(
        Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&k)
            .arg("-out")
            .arg(&p),
        "openssl",
    );
    fs::read(p).unwrap()
}

#[test]
fn apk_owned_keys_are_the_packages_and_etc_stays_the_users() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("alpine");
    write(
        &root.join("lib/apk/db/installed"),
        &fs::read(format!("{FIXTURES}/apk/installed")).unwrap(),
    );
    write(
        &root.join("etc/os-release"),
        &fs::read(format!("{FIXTURES}/apk/os-release")).unwrap(),
    );
    // Both places are in the `R:` lines of alpine-keys 2.3-r1; the one under /etc is the
    // user's (the keys apk trusts are the user's choice).
    let owned = "usr/share/apk/keys/alpine-devel@lists.alpinelinux.org-4a6a0840.rsa.pub";
    let trusted = "etc/apk/keys/alpine-devel@lists.alpinelinux.org-524d27bb.rsa.pub";
    write(&root.join(owned), &weak_public_key(work.path()));
    write(&root.join(trusted), &weak_public_key(work.path()));
    let r = root.display().to_string();
    let got = scan(&root, Only::Both);
    let keys: Vec<(String, Option<String>, Option<String>)> = {
        let mut v: Vec<_> = got
            .observations
            .iter()
            .filter(|o| o.asset.id.starts_with("key:"))
            .map(|o| {
                let p = o.occurrence.package.as_deref();
                (
                    o.occurrence
                        .location
                        .path
                        .strip_prefix(&r)
                        .unwrap()
                        .to_string(),
                    p.map(|p| p.name.clone()),
                    p.map(|p| p.purl.clone()),
                )
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        keys,
        vec![
            (format!("/{trusted}"), None, None),
            (
                format!("/{owned}"),
                Some("alpine-keys".into()),
                Some("pkg:apk/alpine/alpine-keys@2.3-r1?arch=armv7&distro=alpine-3.14.0".into())
            ),
        ]
    );
    let assets = merge(got.observations.clone());
    let f: Vec<(String, Severity, String)> = assess(&assets, &Policy::default())
        .into_iter()
        .filter(|f| f.code.ends_with("key-weak"))
        .map(|f| {
            (
                f.code,
                f.severity,
                f.location.path.strip_prefix(&r).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        f,
        vec![
            (
                "key-weak".to_string(),
                Severity::High,
                format!("/{trusted}")
            ),
            (
                "package-key-weak".to_string(),
                Severity::Low,
                format!("/{owned}")
            ),
        ]
    );
}
