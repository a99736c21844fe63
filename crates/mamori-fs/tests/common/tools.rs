//! Running the real tools that make test fixtures; shared by the crate's unit tests
//! (`config::testutil`) and its integration tests (`#[path]`-included).

/// Run a real tool that makes a fixture; its standard output. A missing tool fails the
/// test naming the Debian package that provides it.
pub fn command(cmd: &mut std::process::Command, package: &str) -> String {
    let prog = format!("{:?}", cmd.get_program());
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{prog} not runnable ({e}): install the Debian package {package}")
    });
    assert!(
        out.status.success(),
        "{prog} failed (is the Debian package {package} installed?):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
