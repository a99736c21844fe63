//! Container image tarballs built here without a Docker daemon, checked by skopeo, and scanned.
//!
//! Layers are made by GNU tar (from real directory trees, with a real hard link, symlink and
//! fifo) and by the tar crate (a hard link into a lower layer); compressed with gzip and zstd;
//! assembled as `docker save` and as OCI layout tarballs with real sha256 digests.
//! Tools needed (Debian packages): openssl, tar, gzip, zstd, skopeo.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mamori_fs::image::{collect_image, is_image};
use mamori_fs::{Detector, FileInfo, Output, Progress, ScanOptions};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

// ------------------------------------------------------------------------------------------
// A detector that records what it was shown.

#[derive(Debug, Clone)]
struct Seen {
    container: Option<String>,
    path: String,
    name: String,
    size: u64,
    data: Vec<u8>,
}

struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Only files whose name ends so (all when empty).
    suffix: &'static str,
    max: u64,
}

impl Detector for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name.ends_with(self.suffix)
    }
    fn detect(&self, file: &FileInfo<'_>, data: &[u8], _out: &mut Output) {
        self.seen.lock().unwrap().push(Seen {
            container: file.container.map(str::to_string),
            path: file.path.to_string(),
            name: file.name.to_string(),
            size: file.size,
            data: data.to_vec(),
        });
    }
    fn max_size(&self) -> u64 {
        self.max
    }
}

struct Scan {
    seen: Vec<Seen>,
    warnings: Vec<String>,
    files: u64,
}

fn scan_with(path: &Path, suffix: &'static str, max: u64, threads: usize) -> Scan {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let dets: Vec<Box<dyn Detector>> = vec![Box::new(Recorder {
        seen: Arc::clone(&seen),
        suffix,
        max,
    })];
    let opts = ScanOptions {
        threads,
        ..Default::default()
    };
    let progress = Progress::default();
    let got = collect_image(path, &opts, &dets, &progress);
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_by(|a, b| (&a.container, &a.path).cmp(&(&b.container, &b.path)));
    Scan {
        seen,
        warnings: got.warnings.iter().map(|w| w.to_string()).collect(),
        files: got.files,
    }
}

fn scan(path: &Path) -> Scan {
    scan_with(path, "", 16 << 20, 0)
}

/// path → contents, for one container label.
fn files_of(s: &Scan, container: &str) -> BTreeMap<String, Vec<u8>> {
    s.seen
        .iter()
        .filter(|x| x.container.as_deref() == Some(container))
        .map(|x| {
            assert_eq!(
                x.size,
                x.data.len() as u64,
                "{}: size and bytes differ",
                x.path
            );
            assert_eq!(Some(x.name.as_str()), x.path.rsplit('/').next());
            (x.path.clone(), x.data.clone())
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// Tools and fixtures.

fn tool(cmd: &mut Command, package: &str) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} ({e}): install the Debian package `{package}`")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

/// A self-signed certificate made by openssl, PEM.
fn make_cert(dir: &Path) -> Vec<u8> {
    let (k, c) = (dir.join("k.pem"), dir.join("c.pem"));
    tool(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=t", "-days", "30",
                "-keyout",
            ])
            .arg(&k)
            .arg("-out")
            .arg(&c),
        "openssl",
    );
    fs::read(c).unwrap()
}

/// GNU tar of a directory's contents, entries named without `./`.
fn gnu_tar(dir: &Path, out: &Path) -> Vec<u8> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    tool(
        Command::new("tar")
            .args([
                "--format=gnu",
                "--numeric-owner",
                "--owner=0",
                "--group=0",
                "-cf",
            ])
            .arg(out)
            .arg("-C")
            .arg(dir)
            .args(&names),
        "tar",
    );
    fs::read(out).unwrap()
}

fn gzip(data: &[u8], dir: &Path) -> Vec<u8> {
    let p = dir.join("gz-in");
    fs::write(&p, data).unwrap();
    tool(Command::new("gzip").args(["-n", "-c"]).arg(&p), "gzip")
}

fn zstd(data: &[u8], dir: &Path) -> Vec<u8> {
    let p = dir.join("zstd-in");
    fs::write(&p, data).unwrap();
    tool(
        Command::new("zstd")
            .args(["-q", "-c", "--no-progress"])
            .arg(&p),
        "zstd",
    )
}

/// The three layers of the test image (uncompressed tars), and the certificate in them.
struct Layers {
    l1: Vec<u8>,
    l2: Vec<u8>,
    l3: Vec<u8>,
    cert: Vec<u8>,
}

fn make_layers(work: &Path) -> Layers {
    let cert = make_cert(work);

    // Layer 1 (bottom), by GNU tar from a real tree.
    let r1 = work.join("l1");
    write(&r1, "etc/ssl/certs/cert.pem", &cert);
    write(&r1, "etc/old.txt", b"deleted above");
    write(&r1, "opt/app/conf.txt", b"v1");
    write(&r1, "var/cache/a.txt", b"hidden by opaque");
    write(&r1, "var/cache/sub/b.txt", b"hidden by opaque too");
    write(
        &r1,
        "data/dir-to-file/inner.txt",
        b"hidden: parent became a file",
    );
    write(&r1, "usr/bin/tool", b"tool bytes");
    fs::hard_link(r1.join("usr/bin/tool"), r1.join("usr/bin/tool-link")).unwrap();
    std::os::unix::fs::symlink("ssl/certs/cert.pem", r1.join("etc/link.pem")).unwrap();
    fs::create_dir_all(r1.join("run")).unwrap();
    tool(Command::new("mkfifo").arg(r1.join("run/fifo")), "coreutils");
    let l1 = gnu_tar(&r1, &work.join("l1.tar"));

    // Layer 2, by the tar crate: whiteout, opaque dir, replacement, a dir replaced by a
    // file, and a hard link whose target lives in layer 1.
    let mut b = tar::Builder::new(Vec::new());
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, data).unwrap();
    };
    file(&mut b, "etc/.wh.old.txt", b"");
    file(&mut b, "opt/app/conf.txt", b"v2");
    file(&mut b, "var/cache/.wh..wh..opq", b"");
    file(&mut b, "var/cache/new.txt", b"new in layer 2");
    file(&mut b, "data/dir-to-file", b"now a file");
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Link);
    h.set_size(0);
    h.set_mode(0o644);
    b.append_link(&mut h, "srv/cert-hardlink.pem", "etc/ssl/certs/cert.pem")
        .unwrap();
    let l2 = b.into_inner().unwrap();

    // Layer 3 (top), by GNU tar: whites out /usr/bin/tool (its hard link must stay).
    let r3 = work.join("l3");
    write(&r3, "usr/bin/.wh.tool", b"");
    write(&r3, "etc/motd", b"top layer");
    let l3 = gnu_tar(&r3, &work.join("l3.tar"));

    Layers { l1, l2, l3, cert }
}

/// What the final filesystem must hold.
fn expected(cert: &[u8]) -> BTreeMap<String, Vec<u8>> {
    [
        ("/etc/ssl/certs/cert.pem", cert),
        ("/srv/cert-hardlink.pem", cert),
        ("/opt/app/conf.txt", &b"v2"[..]),
        ("/var/cache/new.txt", b"new in layer 2"),
        ("/data/dir-to-file", b"now a file"),
        ("/usr/bin/tool-link", b"tool bytes"),
        ("/etc/motd", b"top layer"),
    ]
    .into_iter()
    .map(|(p, d)| (p.to_string(), d.to_vec()))
    .collect()
}

fn config_blob(diff_ids: &[&[u8]]) -> Vec<u8> {
    let ids: Vec<String> = diff_ids
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(l)))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": ids},
        "history": []
    }))
    .unwrap()
}

/// Pack `dir` into `out` with GNU tar, members listed in order (as `docker save` does).
fn pack(dir: &Path, out: &Path) {
    gnu_tar(dir, out);
}

/// A `docker save` tarball (classic layout `<id>/layer.tar`) with two images:
/// `example/full:1` (layers 1, 2, 3; layer 2 gzip, layer 3 zstd) and `example/base:2`, whose
/// only layer is a symlink to the first image's bottom layer, as docker writes shared layers.
fn docker_save(work: &Path, ls: &Layers) -> PathBuf {
    let root = work.join("docker");
    let blobs = [ls.l1.clone(), gzip(&ls.l2, work), zstd(&ls.l3, work)];
    let mut layer_names = Vec::new();
    for (i, b) in blobs.iter().enumerate() {
        let id = sha256_hex(format!("layer{i}").as_bytes());
        write(&root, &format!("{id}/VERSION"), b"1.0");
        write(&root, &format!("{id}/json"), br#"{"id":"x"}"#);
        write(&root, &format!("{id}/layer.tar"), b);
        layer_names.push(format!("{id}/layer.tar"));
    }
    let base_id = sha256_hex(b"base-layer");
    fs::create_dir_all(root.join(&base_id)).unwrap();
    std::os::unix::fs::symlink(
        format!("../{}", layer_names[0]),
        root.join(format!("{base_id}/layer.tar")),
    )
    .unwrap();
    let cfg_full = config_blob(&[&ls.l1, &ls.l2, &ls.l3]);
    let cfg_base = config_blob(&[&ls.l1]);
    let (hf, hb) = (sha256_hex(&cfg_full), sha256_hex(&cfg_base));
    write(&root, &format!("{hf}.json"), &cfg_full);
    write(&root, &format!("{hb}.json"), &cfg_base);
    let manifest = serde_json::json!([
        {"Config": format!("{hf}.json"), "RepoTags": ["example/full:1"], "Layers": layer_names},
        {"Config": format!("{hb}.json"), "RepoTags": ["example/base:2"], "Layers": [format!("{base_id}/layer.tar")]}
    ]);
    write(
        &root,
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    write(
        &root,
        "repositories",
        format!(r#"{{"example/full":{{"1":"{hf}"}}}}"#).as_bytes(),
    );
    let out = work.join("docker-save.tar");
    pack(&root, &out);
    out
}

fn put_blob(root: &Path, data: &[u8]) -> (String, usize) {
    let hex = sha256_hex(data);
    write(root, &format!("blobs/sha256/{hex}"), data);
    (format!("sha256:{hex}"), data.len())
}

fn descriptor(media: &str, (digest, size): &(String, usize)) -> serde_json::Value {
    serde_json::json!({"mediaType": media, "digest": digest, "size": size})
}

const GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const ZST: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// An OCI image layout in a tar: index.json → image index (linux/arm64 first, then
/// linux/amd64) → manifests; the amd64 image has the three layers (gzip, gzip, zstd).
fn oci_archive(work: &Path, ls: &Layers) -> PathBuf {
    let root = work.join("oci");
    write(&root, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    let manifest = |root: &Path, layers: Vec<serde_json::Value>, cfg: &[u8]| {
        let cfg = put_blob(root, cfg);
        let m = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": descriptor(CONFIG, &cfg),
            "layers": layers
        });
        put_blob(root, &serde_json::to_vec(&m).unwrap())
    };
    let l1 = put_blob(&root, &gzip(&ls.l1, work));
    let l2 = put_blob(&root, &gzip(&ls.l2, work));
    let l3 = put_blob(&root, &zstd(&ls.l3, work));
    let amd = manifest(
        &root,
        vec![
            descriptor(GZ, &l1),
            descriptor(GZ, &l2),
            descriptor(ZST, &l3),
        ],
        &config_blob(&[&ls.l1, &ls.l2, &ls.l3]),
    );
    // The arm64 variant: one layer whose file must never be seen.
    let r = work.join("arm");
    write(&r, "arch.txt", b"arm64");
    let arm_tar = gnu_tar(&r, &work.join("arm.tar"));
    let arm_layer = put_blob(&root, &gzip(&arm_tar, work));
    let arm = manifest(
        &root,
        vec![descriptor(GZ, &arm_layer)],
        &config_blob(&[&arm_tar]),
    );
    let mut d_arm = descriptor(MANIFEST, &arm);
    d_arm["platform"] = serde_json::json!({"os": "linux", "architecture": "arm64"});
    let mut d_amd = descriptor(MANIFEST, &amd);
    d_amd["platform"] = serde_json::json!({"os": "linux", "architecture": "amd64"});
    let idx =
        serde_json::json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [d_arm, d_amd]});
    let idx = put_blob(&root, &serde_json::to_vec(&idx).unwrap());
    let mut top = descriptor(INDEX, &idx);
    top["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "example/oci:3"});
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [top]});
    write(&root, "index.json", &serde_json::to_vec(&index).unwrap());
    let out = work.join("oci.tar");
    pack(&root, &out);
    out
}

fn skopeo_inspect(reference: &str) -> serde_json::Value {
    let out = tool(
        Command::new("skopeo").args(["inspect", "--raw", reference]),
        "skopeo",
    );
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("skopeo output is not JSON: {e}"))
}

fn skopeo_config(reference: &str) -> serde_json::Value {
    let out = tool(
        Command::new("skopeo").args(["inspect", "--config", reference]),
        "skopeo",
    );
    serde_json::from_slice(&out).unwrap()
}

// ------------------------------------------------------------------------------------------
// Tests.

#[test]
fn docker_save_tarball_final_filesystem() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = docker_save(work.path(), &ls);

    // A real tool agrees this is an image, with our three layers.
    let r = format!("docker-archive:{}:example/full:1", tarball.display());
    let cfg = skopeo_config(&r);
    assert_eq!(cfg["rootfs"]["diff_ids"].as_array().map(Vec::len), Some(3));
    let m = skopeo_inspect(&r);
    assert_eq!(m["layers"].as_array().map(Vec::len), Some(3), "{m}");

    assert!(is_image(&tarball));
    for threads in [1, 3] {
        let s = scan_with(&tarball, "", 16 << 20, threads);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let shown = tarball.display().to_string();
        let full = files_of(&s, &format!("{shown}@example/full:1"));
        assert_eq!(full, expected(&ls.cert));
        // The second image is the bottom layer alone (reached through a symlink).
        let base = files_of(&s, &format!("{shown}@example/base:2"));
        let names: Vec<&str> = base.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "/data/dir-to-file/inner.txt",
                "/etc/old.txt",
                "/etc/ssl/certs/cert.pem",
                "/opt/app/conf.txt",
                "/usr/bin/tool",
                "/usr/bin/tool-link",
                "/var/cache/a.txt",
                "/var/cache/sub/b.txt",
            ]
        );
        assert_eq!(base["/opt/app/conf.txt"], b"v1");
        assert_eq!(base["/usr/bin/tool-link"], b"tool bytes");
        assert_eq!(s.files, (full.len() + base.len()) as u64);
    }
    // The walker's entry point recognizes the tarball and reads it the same way.
    let got = mamori_fs::collect(&tarball, &ScanOptions::default(), &Progress::default());
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert_eq!(got.files, expected(&ls.cert).len() as u64 + 8);
}

#[test]
fn oci_archive_final_filesystem_amd64_chosen() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = oci_archive(work.path(), &ls);

    // skopeo reads our layout and picks the amd64 manifest with three layers.
    let r = format!("oci-archive:{}", tarball.display());
    let m = skopeo_inspect(&r);
    assert_eq!(m["mediaType"], INDEX, "{m}");
    let cfg = skopeo_config(&r);
    assert_eq!(cfg["architecture"], "amd64");
    assert_eq!(cfg["rootfs"]["diff_ids"].as_array().map(Vec::len), Some(3));

    assert!(is_image(&tarball));
    let s = scan(&tarball);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let shown = format!("{}@example/oci:3", tarball.display());
    assert_eq!(files_of(&s, &shown), expected(&ls.cert));
    assert!(s
        .seen
        .iter()
        .all(|x| x.container.as_deref() == Some(shown.as_str())));
}

#[test]
fn certificate_reaches_a_selective_detector_with_its_image_path() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = oci_archive(work.path(), &ls);
    let s = scan_with(&tarball, ".pem", 16 << 20, 2);
    let paths: Vec<(&str, u64)> = s.seen.iter().map(|x| (x.path.as_str(), x.size)).collect();
    let n = ls.cert.len() as u64;
    assert_eq!(
        paths,
        [
            ("/etc/ssl/certs/cert.pem", n),
            ("/srv/cert-hardlink.pem", n)
        ]
    );
    assert!(s.seen.iter().all(|x| x.data == ls.cert));
    assert!(ls.cert.starts_with(b"-----BEGIN CERTIFICATE-----"));
    // Every regular file was still examined (its head), though only the .pem ones were read.
    assert_eq!(s.files, expected(&ls.cert).len() as u64);

    // A detector that reads less than the certificate's size is told so, not given a part.
    let s = scan_with(&tarball, ".pem", 100, 1);
    assert!(s.seen.is_empty());
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert!(s
        .warnings
        .iter()
        .all(|w| w.contains("larger than the recorder detector reads")));
}

#[test]
fn gzip_compressed_tarball_is_read() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = docker_save(work.path(), &ls);
    let gz = work.path().join("image.tar.gz");
    fs::write(&gz, gzip(&fs::read(&tarball).unwrap(), work.path())).unwrap();
    assert!(is_image(&gz));
    let s = scan(&gz);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let full = files_of(&s, &format!("{}@example/full:1", gz.display()));
    assert_eq!(full, expected(&ls.cert));
}

#[test]
fn ordinary_tarballs_and_files_are_not_images() {
    let work = tempfile::tempdir().unwrap();
    let d = work.path().join("src");
    write(
        &d,
        "manifest.json",
        br#"{"name":"a web extension","version":"1"}"#,
    );
    write(&d, "index.json", b"{}");
    let t = work.path().join("plain.tar");
    gnu_tar(&d, &t);
    assert!(!is_image(&t));
    let gz = work.path().join("plain.tar.gz");
    fs::write(&gz, gzip(&fs::read(&t).unwrap(), work.path())).unwrap();
    assert!(!is_image(&gz));
    let junk = work.path().join("junk.bin");
    fs::write(&junk, vec![0x5au8; 3000]).unwrap();
    assert!(!is_image(&junk));
    assert!(!is_image(&work.path().join("does-not-exist")));
    // Scanning one anyway gives a warning, not a panic.
    let s = scan(&junk);
    assert!(s.seen.is_empty());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("not a tar"), "{:?}", s.warnings);
}

/// Rewrite the docker-save fixture with `edit` applied to its directory, and scan it.
fn broken_docker(
    edit: impl FnOnce(&Path, &[String]),
) -> (Scan, PathBuf, Layers, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = docker_save(work.path(), &ls);
    let root = work.path().join("docker");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let layers: Vec<String> = manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    edit(&root, &layers);
    fs::remove_file(&tarball).unwrap();
    pack(&root, &tarball);
    let s = scan(&tarball);
    (s, tarball, ls, work)
}

#[test]
fn missing_layer_is_a_warning_and_the_others_are_read() {
    let (s, tarball, ls, _w) = broken_docker(|root, layers| {
        fs::remove_file(root.join(&layers[1])).unwrap();
    });
    let label = format!("{}@example/full:1", tarball.display());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with(&label), "{:?}", s.warnings);
    assert!(s.warnings[0].contains("layer 2 of 3"), "{:?}", s.warnings);
    assert!(
        s.warnings[0].contains("missing from the tarball"),
        "{:?}",
        s.warnings
    );
    // Layers 1 and 3 still apply: layer 3's whiteout hides /usr/bin/tool.
    let full = files_of(&s, &label);
    assert_eq!(full["/etc/ssl/certs/cert.pem"], ls.cert);
    assert_eq!(full["/opt/app/conf.txt"], b"v1");
    assert!(!full.contains_key("/usr/bin/tool"));
    assert!(full.contains_key("/etc/motd"));
}

#[test]
fn corrupt_gzip_layer_is_a_warning() {
    let (s, tarball, _ls, _w) = broken_docker(|root, layers| {
        let p = root.join(&layers[1]);
        let mut gz = fs::read(&p).unwrap();
        let mid = gz.len() / 2;
        for b in &mut gz[mid..] {
            *b ^= 0x55;
        }
        fs::write(&p, gz).unwrap();
    });
    let label = format!("{}@example/full:1", tarball.display());
    assert!(
        s.warnings
            .iter()
            .any(|w| w.starts_with(&label) && w.contains("layer 2 of 3") && w.contains("gzip")),
        "{:?}",
        s.warnings
    );
    let full = files_of(&s, &label);
    // The top layer and the bottom one were read regardless.
    assert!(full.contains_key("/etc/motd"));
    assert!(full.contains_key("/etc/ssl/certs/cert.pem"));
}

#[test]
fn invalid_manifest_is_a_warning() {
    let (s, tarball, _ls, _w) = broken_docker(|root, _| {
        write(
            root,
            "manifest.json",
            b"[{\"Config\": 12, \"Layers\": [3]}]",
        );
    });
    assert!(s.seen.is_empty());
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with(&tarball.display().to_string()));
    assert!(s.warnings[0].contains("manifest.json"), "{:?}", s.warnings);
}

#[test]
fn truncated_tarball_is_a_warning() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = oci_archive(work.path(), &ls);
    let bytes = fs::read(&tarball).unwrap();
    // Where index.json's data lies (GNU tar packed it after the blobs).
    let mut ar = tar::Archive::new(fs::File::open(&tarball).unwrap());
    let index_at = ar
        .entries_with_seek()
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.path_bytes().as_ref() == b"index.json")
        .map(|e| e.raw_file_position() + e.size() / 2)
        .unwrap() as usize;
    // Cut inside index.json, inside the blobs, inside the first entry.
    for cut in [index_at, bytes.len() / 2 + 7, 700] {
        let t = work.path().join(format!("cut-{cut}.tar"));
        fs::write(&t, &bytes[..cut]).unwrap();
        let s = scan(&t);
        assert!(!s.warnings.is_empty(), "cut at {cut}: no warning");
        assert!(
            s.warnings
                .iter()
                .all(|w| w.starts_with(&t.display().to_string())),
            "{:?}",
            s.warnings
        );
    }
}

#[test]
fn truncated_layer_is_a_warning() {
    let (s, tarball, _ls, _w) = broken_docker(|root, layers| {
        // The plain bottom layer loses its second half.
        let p = root.join(&layers[0]);
        let t = fs::read(&p).unwrap();
        fs::write(&p, &t[..t.len() / 2 + 100]).unwrap();
    });
    let label = format!("{}@example/full:1", tarball.display());
    assert!(
        s.warnings
            .iter()
            .any(|w| w.starts_with(&label) && w.contains("layer 1 of 3")),
        "{:?}",
        s.warnings
    );
    assert!(files_of(&s, &label).contains_key("/etc/motd"));
}

#[test]
fn docker25_layout_uses_manifest_json_and_its_tags() {
    // Docker 25+ `docker save`: an OCI layout plus a manifest.json naming blobs/sha256/<hex>.
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let oci = oci_archive(work.path(), &ls);
    let root = work.path().join("oci");
    let blob = |data: &[u8]| format!("blobs/sha256/{}", sha256_hex(data));
    let cfg = config_blob(&[&ls.l1, &ls.l2, &ls.l3]);
    let layers = [
        blob(&gzip(&ls.l1, work.path())),
        blob(&gzip(&ls.l2, work.path())),
        blob(&zstd(&ls.l3, work.path())),
    ];
    for l in &layers {
        assert!(root.join(l).is_file(), "{l} not in the layout");
    }
    let manifest = serde_json::json!([
        {"Config": blob(&cfg), "RepoTags": ["example/d25:latest"], "Layers": layers}
    ]);
    write(
        &root,
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    fs::remove_file(&oci).unwrap();
    let tarball = work.path().join("d25.tar");
    pack(&root, &tarball);

    let r = format!("docker-archive:{}", tarball.display());
    let c = skopeo_config(&r);
    assert_eq!(c["rootfs"]["diff_ids"].as_array().map(Vec::len), Some(3));

    assert!(is_image(&tarball));
    let s = scan(&tarball);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let label = format!("{}@example/d25:latest", tarball.display());
    assert_eq!(files_of(&s, &label), expected(&ls.cert));
    assert_eq!(s.seen.len(), expected(&ls.cert).len());
}

#[test]
fn excludes_apply_to_paths_inside_the_image() {
    let work = tempfile::tempdir().unwrap();
    let ls = make_layers(work.path());
    let tarball = oci_archive(work.path(), &ls);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let dets: Vec<Box<dyn Detector>> = vec![Box::new(Recorder {
        seen: Arc::clone(&seen),
        suffix: "",
        max: 16 << 20,
    })];
    let opts = ScanOptions {
        excludes: vec!["*.txt".into(), "/usr".into()],
        ..Default::default()
    };
    let got = collect_image(&tarball, &opts, &dets, &Progress::default());
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let mut paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.path.clone())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/data/dir-to-file",
            "/etc/motd",
            "/etc/ssl/certs/cert.pem",
            "/srv/cert-hardlink.pem"
        ]
    );
}
