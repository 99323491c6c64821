//! Docker helpers shared by the tests that need a real dockerd (started by
//! `.ci/setup --test`): the CLI, and a Redis image built locally.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the docker CLI: (succeeded, trimmed stdout).
pub fn docker(args: &[&str]) -> (bool, String) {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// Removes every container and volume whose name starts with `prefix-` when dropped.
pub struct Cleanup(pub String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (_, names) = docker(&["ps", "-aq", "--filter", &format!("name={}-", self.0)]);
        for id in names.lines() {
            docker(&["rm", "-f", id]);
        }
        let (_, vols) = docker(&[
            "volume",
            "ls",
            "-q",
            "--filter",
            &format!("name={}-", self.0),
        ]);
        for v in vols.lines() {
            docker(&["volume", "rm", "-f", v]);
        }
    }
}

/// `redis:7.2` made from this machine's redis-server (apt's), unless present.
pub fn redis_image() {
    if docker(&["image", "inspect", "redis:7.2"]).0 {
        return;
    }
    import_redis("redis:7.2", false, &[r#"CMD ["redis-server"]"#]);
}

/// `redis:7.0`: the same redis-server behind a shell that waits 5 s before
/// starting it (each time the container starts), for a service that takes
/// a while to be healthy.
pub fn slow_redis_image() -> &'static str {
    const TAG: &str = "redis:7.0";
    if !docker(&["image", "inspect", TAG]).0 {
        import_redis(
            TAG,
            true,
            &[
                r#"ENTRYPOINT ["/bin/sh", "-c", "sleep 5; exec \"$@\"", "slow-redis"]"#,
                r#"CMD ["redis-server"]"#,
            ],
        );
    }
    "7.0"
}

/// A rootfs of redis-server and its libraries (and busybox's sh and sleep
/// when `shell`), imported as `tag` with `changes`.
fn import_redis(tag: &str, shell: bool, changes: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let binary = Path::new("/usr/bin/redis-server");
    assert!(
        binary.exists(),
        "redis-server is not installed (run .ci/setup --test)"
    );
    let mut files = vec![binary.to_path_buf()];
    let ldd = Command::new("ldd").arg(binary).output().unwrap();
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        // "libx.so => /lib/…/libx.so (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
        if let Some(path) = line.split_whitespace().find(|w| w.starts_with('/')) {
            files.push(path.into());
        }
    }
    for f in &files {
        let dest = root.join(f.strip_prefix("/").unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        // Follow symlinks: copy the real file under the linked name.
        std::fs::copy(f, &dest).unwrap();
    }
    for d in ["data", "tmp", "etc"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    if shell {
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox-static is installed");
        for applet in ["sh", "sleep"] {
            std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
        }
    }
    let mut tar = Command::new("tar")
        .args(["-C", root.to_str().unwrap(), "-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut args = vec![
        "import",
        "--change",
        "ENV PATH=/usr/local/bin:/usr/bin:/bin",
        "--change",
        "WORKDIR /data",
    ];
    for c in changes {
        args.extend(["--change", c]);
    }
    args.extend(["-", tag]);
    let status = Command::new("docker")
        .args(&args)
        .stdin(tar.stdout.take().unwrap())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(
        tar.wait().unwrap().success() && status.success(),
        "docker import"
    );
}

/// A tiny local image (busybox), since nothing can be pulled here.
pub fn busybox_image() -> &'static str {
    const IMAGE: &str = "aidesktop-test/busybox:latest";
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox-static is installed");
    for applet in ["sh", "sleep"] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
    }
    let mut tar = std::process::Command::new("tar")
        .args(["-C", tmp.path().to_str().unwrap(), "-c", "."])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = std::process::Command::new("docker")
        .args([
            "import",
            "--change",
            r#"CMD ["/bin/sleep","3600"]"#,
            "-",
            IMAGE,
        ])
        .stdin(tar.stdout.take().unwrap())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(tar.wait().unwrap().success(), "tar of the rootfs");
    assert!(status.success(), "docker import");
    IMAGE
}
