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

/// This machine's `psql` (PostgreSQL 15's, installed by `.ci/setup --test`)
/// against a service: (succeeded, its output, trimmed).
pub fn psql(url: &str, sql: &str) -> (bool, String) {
    let out = Command::new("/usr/lib/postgresql/15/bin/psql")
        .args([
            url,
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql (postgresql-client-15)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .trim()
        .to_string(),
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

/// `valkey/valkey:8.0` made from this machine's redis-server, run as
/// `valkey-server` (Debian 12 has no Valkey; Valkey 8 speaks the same
/// protocol, takes the same options and writes the same RDB files), unless
/// present.
pub fn valkey_image() -> &'static str {
    const TAG: &str = "valkey/valkey:8.0";
    if !docker(&["image", "inspect", TAG]).0 {
        import_program(
            Path::new("/usr/bin/redis-server"),
            &["valkey-server"],
            TAG,
            false,
            &[r#"CMD ["valkey-server"]"#],
        );
    }
    "8.0"
}

/// `memcached:1.6` made from this machine's memcached (apt's), run as an
/// unprivileged user like the official image, unless present.
pub fn memcached_image() -> &'static str {
    const TAG: &str = "memcached:1.6";
    if !docker(&["image", "inspect", TAG]).0 {
        import_program(
            Path::new("/usr/bin/memcached"),
            &[],
            TAG,
            false,
            &["USER 11211", r#"CMD ["memcached"]"#],
        );
    }
    "1.6"
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
    import_program(Path::new("/usr/bin/redis-server"), &[], tag, shell, changes);
}

/// A rootfs of `binary` (also linked under the names `links` in its folder)
/// and its libraries (and busybox's sh and sleep when `shell`), imported as
/// `tag` with `changes`.
fn import_program(binary: &Path, links: &[&str], tag: &str, shell: bool, changes: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    assert!(
        binary.exists(),
        "{} is not installed (run .ci/setup --test)",
        binary.display()
    );
    let installed = root.join(binary.strip_prefix("/").unwrap());
    std::fs::create_dir_all(installed.parent().unwrap()).unwrap();
    std::fs::copy(binary, &installed).unwrap();
    add_libraries(root, [binary]);
    for link in links {
        std::os::unix::fs::symlink(
            installed.file_name().unwrap(),
            installed.with_file_name(link),
        )
        .unwrap();
    }
    for d in ["data", "tmp", "etc"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    if shell {
        add_busybox(root, &["sh", "sleep"]);
    }
    let mut all = vec!["ENV PATH=/usr/local/bin:/usr/bin:/bin", "WORKDIR /data"];
    all.extend_from_slice(changes);
    docker_import(root, tag, &all);
}

/// The entrypoint of the PostgreSQL image below: what the official image's
/// does for the app (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on
/// first start, password login from outside, trust on its own socket).
const POSTGRES_ENTRYPOINT: &str = r#"#!/bin/sh
set -e
export PATH=/usr/lib/postgresql/15/bin:/bin:/usr/bin
export PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "$POSTGRES_PASSWORD" > /tmp/pw
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pw     --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C > /tmp/initdb.log
  rm -f /tmp/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != "postgres" ]; then
    echo "CREATE DATABASE "$POSTGRES_DB";" | postgres --single -D "$PGDATA" -j postgres > /dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
"#;

/// `postgres:15` made from this machine's PostgreSQL 15 (Debian's server and
/// client programs, their libraries, share files and time zones), running
/// as uid 999 like the official image, unless present.
pub fn postgres_image() -> &'static str {
    const TAG: &str = "postgres:15";
    if docker(&["image", "inspect", TAG]).0 {
        return "15";
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let lib = Path::new("/usr/lib/postgresql/15");
    assert!(
        lib.join("bin/postgres").exists(),
        "PostgreSQL 15 is not installed (run .ci/setup --test)"
    );
    let copy_tree = |from: &Path| {
        let into = root.join(from.parent().unwrap().strip_prefix("/").unwrap());
        std::fs::create_dir_all(&into).unwrap();
        let status = Command::new("cp")
            .arg("-a")
            .arg(from)
            .arg(&into)
            .status()
            .unwrap();
        assert!(status.success(), "cp {}", from.display());
    };
    copy_tree(lib);
    copy_tree(Path::new("/usr/share/postgresql/15"));
    copy_tree(Path::new("/usr/share/zoneinfo"));
    // The libraries of every program.
    let programs = [lib.join("bin"), lib.join("lib")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()))
        .collect::<Vec<_>>();
    add_libraries(root, &programs);
    add_busybox(root, &["sh", "rm", "cat", "ls", "mkdir"]);
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh
postgres:x:999:999::/var/lib/postgresql:/bin/sh
",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/group"),
        "root:x:0:
postgres:x:999:
",
    )
    .unwrap();
    std::fs::write(root.join("entrypoint.sh"), POSTGRES_ENTRYPOINT).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("entrypoint.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    for (dir, mode) in [
        ("var/lib/postgresql/data", 0o700),
        ("var/run/postgresql", 0o2775),
        ("tmp", 0o1777),
    ] {
        let d = root.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    for dir in [
        "var/lib/postgresql",
        "var/lib/postgresql/data",
        "var/run/postgresql",
    ] {
        std::os::unix::fs::chown(root.join(dir), Some(999), Some(999)).unwrap();
    }
    docker_import(
        root,
        TAG,
        &[
            "ENV PATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin",
            "ENV TZ=UTC",
            "USER 999",
            r#"ENTRYPOINT ["/entrypoint.sh"]"#,
        ],
    );
    "15"
}

/// The entrypoint of the MariaDB image below: what the official image's does
/// for the app — on first start the system tables, `root` with
/// MARIADB_ROOT_PASSWORD from anywhere, MARIADB_DATABASE (the account and
/// database through `--init-file`, run once with full rights) — then the
/// server on every address of the container.
const MARIADB_ENTRYPOINT: &str = r#"#!/bin/sh
set -e
D=/var/lib/mysql
INIT=
if [ ! -d "$D/mysql" ]; then
  PW="${MARIADB_ROOT_PASSWORD:-$MYSQL_ROOT_PASSWORD}"
  DB="${MARIADB_DATABASE:-$MYSQL_DATABASE}"
  {
    echo "create database if not exists mysql;"
    echo "use mysql;"
    echo "SET @auth_root_socket=NULL;"
    cd /usr/share/mysql
    cat mysql_system_tables.sql mysql_performance_tables.sql mysql_system_tables_data.sql \
      fill_help_tables.sql maria_add_gis_sp_bootstrap.sql mysql_sys_schema.sql
  } | mariadbd --bootstrap --datadir="$D" --log-warnings=0 --enforce-storage-engine="" \
      --max_allowed_packet=8M --net_buffer_length=16K > /tmp/bootstrap.log 2>&1
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$PW';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$PW';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$DB" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$DB\`;"; fi
  } > /tmp/init.sql
  INIT=--init-file=/tmp/init.sql
fi
exec mariadbd --datadir="$D" --bind-address=0.0.0.0 --port=3306 \
  --socket=/run/mysqld/mysqld.sock $INIT
"#;

/// `mariadb:10.11` made from this machine's MariaDB (Debian's server,
/// client and dump programs, their libraries and share files), running as
/// uid 999 like the official image, unless present.
pub fn mariadb_image() -> &'static str {
    const TAG: &str = "mariadb:10.11";
    if docker(&["image", "inspect", TAG]).0 {
        return "10.11";
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let programs = [
        "/usr/sbin/mariadbd",
        "/usr/bin/mariadb",
        "/usr/bin/mariadb-dump",
        "/usr/bin/mariadb-admin",
    ];
    assert!(
        Path::new(programs[0]).exists(),
        "MariaDB is not installed (run .ci/setup --test)"
    );
    for program in programs {
        let dest = root.join(program.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(program, &dest).unwrap();
    }
    add_libraries(root, programs);
    std::fs::create_dir_all(root.join("usr/share")).unwrap();
    let status = Command::new("cp")
        .args(["-a", "/usr/share/mysql"])
        .arg(root.join("usr/share"))
        .status()
        .unwrap();
    assert!(status.success(), "cp /usr/share/mysql");
    add_busybox(root, &["sh", "cat", "ls", "mkdir", "rm"]);
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nmysql:x:999:999::/var/lib/mysql:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\nmysql:x:999:\n").unwrap();
    std::fs::write(root.join("entrypoint.sh"), MARIADB_ENTRYPOINT).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("entrypoint.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    for (dir, mode) in [
        ("var/lib/mysql", 0o755),
        ("run/mysqld", 0o755),
        ("tmp", 0o1777),
    ] {
        let d = root.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode)).unwrap();
        if dir != "tmp" {
            std::os::unix::fs::chown(&d, Some(999), Some(999)).unwrap();
        }
    }
    docker_import(
        root,
        TAG,
        &[
            "ENV PATH=/usr/sbin:/usr/bin:/bin",
            "ENV TZ=UTC",
            "USER 999",
            r#"ENTRYPOINT ["/entrypoint.sh"]"#,
        ],
    );
    "10.11"
}

/// `rabbitmq:3.10` made from this machine's RabbitMQ (Debian's server, its
/// Erlang runtime and their libraries; busybox for the scripts), run as
/// uid 999 with its data in /var/lib/rabbitmq like the official image,
/// unless present. RabbitMQ itself reads RABBITMQ_DEFAULT_USER / _PASS.
pub fn rabbitmq_image() -> &'static str {
    const TAG: &str = "rabbitmq:3.10";
    if docker(&["image", "inspect", TAG]).0 {
        return "3.10";
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let trees = [Path::new("/usr/lib/erlang"), Path::new("/usr/lib/rabbitmq")];
    assert!(
        trees[1].exists(),
        "RabbitMQ is not installed (run .ci/setup --test)"
    );
    std::fs::create_dir_all(root.join("usr/lib")).unwrap();
    for tree in trees {
        let status = Command::new("cp")
            .arg("-a")
            .arg(tree)
            .arg(root.join("usr/lib"))
            .status()
            .unwrap();
        assert!(status.success(), "cp {}", tree.display());
    }
    // The libraries of every program and NIF in them.
    let mut elves = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = trees.iter().map(|t| t.to_path_buf()).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file()
                && std::fs::read(&path).is_ok_and(|b| b.starts_with(b"\x7fELF"))
            {
                elves.push(path);
            }
        }
    }
    add_libraries(root, &elves);
    // Busybox for the scripts, with every applet they might call.
    add_busybox(root, &[]);
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nrabbitmq:x:999:999::/var/lib/rabbitmq:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\nrabbitmq:x:999:\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    for (dir, mode) in [
        ("var/lib/rabbitmq", 0o755),
        ("var/log/rabbitmq", 0o755),
        ("tmp", 0o1777),
    ] {
        let d = root.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode)).unwrap();
        if dir != "tmp" {
            std::os::unix::fs::chown(&d, Some(999), Some(999)).unwrap();
        }
    }
    docker_import(
        root,
        TAG,
        &[
            "ENV PATH=/usr/lib/rabbitmq/bin:/usr/lib/erlang/bin:/usr/bin:/bin",
            "ENV HOME=/var/lib/rabbitmq",
            "ENV RABBITMQ_LOGS=-",
            "ENV RABBITMQ_MNESIA_BASE=/var/lib/rabbitmq/mnesia",
            "USER 999",
            "WORKDIR /var/lib/rabbitmq",
            r#"CMD ["rabbitmq-server"]"#,
        ],
    );
    "3.10"
}

/// `root` as the image `tag` (owners kept by number), with Dockerfile-like `changes`.
fn docker_import(root: &Path, tag: &str, changes: &[&str]) {
    let mut tar = Command::new("tar")
        .args(["-C", root.to_str().unwrap(), "--numeric-owner", "-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut args = vec!["import"];
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

/// Busybox in `root/bin` with `applets` linked to it (all of them when empty).
fn add_busybox(root: &Path, applets: &[&str]) {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy("/bin/busybox", bin.join("busybox")).expect("busybox-static is installed");
    let all: Vec<String> = if applets.is_empty() {
        let list = Command::new("/bin/busybox").arg("--list").output().unwrap();
        String::from_utf8_lossy(&list.stdout)
            .lines()
            .filter(|a| *a != "busybox")
            .map(str::to_string)
            .collect()
    } else {
        applets.iter().map(|a| a.to_string()).collect()
    };
    for applet in all {
        let _ = std::os::unix::fs::symlink("busybox", bin.join(applet));
    }
}

/// Copies into `root` the shared libraries `programs` load (as `ldd` finds
/// them, following links to the real files).
fn add_libraries<P: AsRef<Path>>(root: &Path, programs: impl IntoIterator<Item = P>) {
    let mut libs = std::collections::BTreeSet::new();
    for program in programs {
        let out = Command::new("ldd").arg(program.as_ref()).output().unwrap();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            // "libx.so => /lib/…/libx.so (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            if let Some(path) = line.split_whitespace().find(|w| w.starts_with('/')) {
                libs.insert(path.to_string());
            }
        }
    }
    for f in libs {
        let dest = root.join(f.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

/// A tiny local image (busybox), since nothing can be pulled here.
pub fn busybox_image() -> &'static str {
    const IMAGE: &str = "aidesktop-test/busybox:latest";
    let tmp = tempfile::tempdir().unwrap();
    add_busybox(tmp.path(), &["sh", "sleep"]);
    docker_import(tmp.path(), IMAGE, &[r#"CMD ["/bin/sleep","3600"]"#]);
    IMAGE
}
