//! Services against the real dockerd `.ci/setup --test` starts, with a Redis
//! image built locally (Debian's redis-server and its libraries in a rootfs,
//! imported under the catalog's image name), since nothing can be pulled.

use ai_desktop_api::services::{InstallRequest, RestoreMode, ServiceKind, ServiceState};
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::services::ServiceManager;
use ai_desktop_core::testkit::docker::{
    docker, mariadb_image, memcached_image, psql, rabbitmq_image, redis_image, valkey_image,
    Cleanup,
};
use ai_desktop_core::testkit::real_tools;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

const SOCKET: &str = "unix:///var/run/docker.sock";

/// The docker tests share container names within a prefix: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sends RESP commands, returns the raw replies.
fn redis(port: u16, commands: &[&[&str]]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut wire = String::new();
    for c in commands {
        wire.push_str(&format!("*{}\r\n", c.len()));
        for arg in *c {
            wire.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
    }
    s.write_all(wire.as_bytes()).unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 1024];
    // Read until every command answered (each reply ends with CRLF; enough here).
    while out.matches("\r\n").count()
        < commands.len() + commands.iter().filter(|c| c[0] == "GET").count()
    {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    out
}

fn manager(prefix: &str) -> (tempfile::TempDir, ServiceManager, Cleanup) {
    let tmp = tempfile::tempdir().unwrap();
    let m = ServiceManager::new(
        Arc::new(ai_desktop_core::store::Store::open_in(tmp.path()).unwrap()),
        tmp.path().to_path_buf(),
        SOCKET.into(),
        prefix,
        Arc::new(RecordingSink::default()),
    );
    (tmp, m, Cleanup(prefix.to_string()))
}

/// Memcached's text protocol: one request, the reply up to `end`.
fn memcached(port: u16, request: &str, end: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 1024];
    while !out.ends_with(end) {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    out
}

/// The MariaDB client on this machine against 127.0.0.1:`port` (the
/// password through the environment); its rows, tab-separated.
fn mariadb(port: u16, password: &str, sql: &str) -> (bool, String) {
    mariadb_as("root", port, password, sql)
}

pub(crate) fn mariadb_as(user: &str, port: u16, password: &str, sql: &str) -> (bool, String) {
    let out = std::process::Command::new("mariadb")
        .args(["-h", "127.0.0.1", "-P", &port.to_string(), "-u", user])
        .args(["--batch", "-N", "-e", sql])
        .env("MYSQL_PWD", password)
        .output()
        .expect("the mariadb client is installed (.ci/setup --test)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_backs_up_and_restores_a_database_into_a_new_one() {
    if !real_tools("dockerd and the mariadb client") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let version = mariadb_image();
    let prefix = format!("aidmaria{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);
    let db = services
        .install(
            InstallRequest {
                kind: ServiceKind::Mariadb,
                version: Some(version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(db.state, ServiceState::Running);
    let password = db
        .connection_string
        .trim_start_matches("mysql://root:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        db.connection_string,
        format!("mysql://root:{password}@127.0.0.1:{}/app", db.port)
    );
    // Its connection string works from outside, and only with the password.
    let (ok, out) = mariadb(
        db.port,
        &password,
        "CREATE TABLE app.orders (id INT PRIMARY KEY, item TEXT, total DECIMAL(8,2)); \
         INSERT INTO app.orders VALUES (1, 'tea', 3.50), (2, 'scones', 7.25), (3, 'jam', 4.10);",
    );
    assert!(ok, "{out}");
    assert!(!mariadb(db.port, "wrong", "SELECT 1").0);
    let checksum = |schema: &str| {
        let (ok, out) = mariadb(
            db.port,
            &password,
            &format!("CHECKSUM TABLE {schema}.orders EXTENDED"),
        );
        assert!(ok, "{out}");
        out.split_whitespace().nth(1).unwrap().to_string()
    };
    let before = checksum("app");

    // Backup: mariadb-dump's SQL, written whole.
    let file = tmp.path().join("app.sql");
    let told = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = told.clone();
    let report = services
        .backup_with(&db.id, &file, Some("app".into()), move |p| {
            seen.lock().unwrap().push(p)
        })
        .await
        .unwrap();
    // Progress was told as the dump was written.
    let frames = std::mem::take(&mut *told.lock().unwrap());
    assert!(!frames.is_empty());
    assert!(frames
        .iter()
        .all(|p| p.total.is_none() && p.bytes > 0 && p.bytes <= report.bytes));
    let dump = std::fs::read_to_string(&file).unwrap();
    assert!(dump.contains("CREATE TABLE `orders`"), "{dump}");
    assert!(report.what.contains("mariadb-dump"), "{}", report.what);
    assert_eq!(report.bytes, dump.len() as u64);

    // The data is lost; the restore brings it back into a new database.
    assert!(mariadb(db.port, &password, "DROP TABLE app.orders").0);
    let replace = services
        .restore(
            &db.id,
            &file,
            RestoreMode::Replace,
            Some("app".into()),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        replace.to_string().contains("restored into a new database"),
        "{replace}"
    );
    let seen = told.clone();
    let restored = services
        .restore_with(
            &db.id,
            &file,
            RestoreMode::Fresh,
            Some("app".into()),
            None,
            move |p| seen.lock().unwrap().push(p),
        )
        .await
        .unwrap();
    // …and as the file was fed, against its size.
    let frames = std::mem::take(&mut *told.lock().unwrap());
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(!frames.is_empty());
    assert!(frames
        .iter()
        .all(|p| p.total == Some(size) && p.bytes > 0 && p.bytes <= size));
    assert_eq!(restored.target, "app_restored");
    assert_eq!(
        checksum("app_restored"),
        before,
        "the same rows, byte for byte"
    );
    assert_eq!(
        services.databases(&db.id).await.unwrap(),
        ["app", "app_restored"]
    );

    // A file that is not a dump: the restore fails and leaves nothing behind.
    let bad = tmp.path().join("bad.sql");
    std::fs::write(&bad, "CREATE TABLE x (id INT);\nTHIS IS NOT SQL;\n").unwrap();
    let failed = services
        .restore(&db.id, &bad, RestoreMode::Fresh, Some("app".into()), None)
        .await
        .unwrap_err();
    assert!(failed.to_string().contains("removed again"), "{failed}");
    assert_eq!(
        services.databases(&db.id).await.unwrap(),
        ["app", "app_restored"]
    );
    // Its client is MariaDB's own, the password in the environment.
    let client = services
        .client_command(&db.id, false, "/usr/bin:/bin")
        .await
        .unwrap();
    assert!(client.program.ends_with("mariadb"), "{:?}", client.program);
    assert!(!client.args.iter().any(|a| a.contains(&password)));

    // A database for a repository, with a user that reaches it alone.
    let made = services
        .create_repo_database(&db.id, 7, "My Shop")
        .await
        .unwrap();
    assert_eq!(
        (made.database.as_str(), made.user.as_str()),
        ("my_shop", "my_shop")
    );
    let user_password = made
        .connection_string
        .trim_start_matches("mysql://my_shop:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        made.connection_string,
        format!(
            "mysql://my_shop:{user_password}@127.0.0.1:{}/my_shop",
            db.port
        )
    );
    let (ok, out) = mariadb_as(
        "my_shop",
        db.port,
        &user_password,
        "CREATE TABLE my_shop.carts (id INT); INSERT INTO my_shop.carts VALUES (1); \
         SELECT COUNT(*) FROM my_shop.carts;",
    );
    assert!(ok && out == "1", "{out}");
    let (ok, out) = mariadb_as(
        "my_shop",
        db.port,
        &user_password,
        "SELECT * FROM app_restored.orders",
    );
    assert!(!ok && out.contains("denied"), "{out}");
    // The agent's read-only query: rows as its user; a change refused by
    // the server (DML and DDL alike), a second statement before it runs.
    let rows = services
        .query_repo_database(
            7,
            None,
            "SELECT id, 'a;b' AS note FROM carts -- the carts\n",
        )
        .await
        .unwrap();
    assert_eq!(rows.text, "id\tnote\n1\ta;b");
    assert_eq!(
        (rows.database.as_str(), rows.user.as_str()),
        ("my_shop", "my_shop")
    );
    for sql in [
        "DELETE FROM carts",
        "DROP TABLE carts",
        "CREATE TABLE more (id INT)",
    ] {
        let err = services
            .query_repo_database(7, None, sql)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("READ ONLY"), "{sql}: {err}");
    }
    // One string to MySQL (the backslash escapes the quote): data, not a statement.
    let text = services
        .query_repo_database(7, None, "SELECT 'a\\'; DELETE FROM carts; -- ' AS s")
        .await
        .unwrap();
    assert_eq!(text.text, "s\na'; DELETE FROM carts; --");
    for sql in [
        "SELECT 1; DELETE FROM carts",
        "SELECT 1 /*! ; DELETE FROM carts */",
    ] {
        assert!(
            services.query_repo_database(7, None, sql).await.is_err(),
            "{sql}"
        );
    }
    let (ok, out) = mariadb_as(
        "my_shop",
        db.port,
        &user_password,
        "SELECT COUNT(*) FROM my_shop.carts; SHOW TABLES FROM my_shop",
    );
    assert!(ok && out == "1\ncarts", "{out}");
    assert!(services
        .query_repo_database(8, None, "SELECT 1")
        .await
        .unwrap_err()
        .to_string()
        .contains("no database of its own"));
    // Asked again for the same repository: the same one, nothing new.
    let again = services
        .create_repo_database(&db.id, 7, "My Shop")
        .await
        .unwrap();
    assert_eq!(again.connection_string, made.connection_string);
    services.uninstall(&db.id, true).await.unwrap();
}

/// Signs in to an AMQP 0-9-1 broker with PLAIN: true when it goes on to
/// Connection.Tune, false when it refuses.
fn amqp_signs_in(port: u16, user: &str, password: &str) -> bool {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
    let read_frame = |s: &mut TcpStream| -> Option<Vec<u8>> {
        let mut head = [0u8; 7];
        s.read_exact(&mut head).ok()?;
        let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
        let mut payload = vec![0u8; size + 1];
        s.read_exact(&mut payload).ok()?;
        payload.pop();
        Some(payload)
    };
    let start = read_frame(&mut s).unwrap();
    assert_eq!(&start[..4], [0, 10, 0, 10], "Connection.Start");
    let response = format!("\0{user}\0{password}");
    let mut payload = vec![0, 10, 0, 11, 0, 0, 0, 0, 5];
    payload.extend_from_slice(b"PLAIN");
    payload.extend_from_slice(&(response.len() as u32).to_be_bytes());
    payload.extend_from_slice(response.as_bytes());
    payload.push(5);
    payload.extend_from_slice(b"en_US");
    let mut frame = vec![1, 0, 0];
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(&payload);
    frame.push(0xCE);
    s.write_all(&frame).unwrap();
    matches!(read_frame(&mut s), Some(p) if p[..4] == [0, 10, 0, 30])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_answers_with_its_generated_password_across_restarts() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let version = rabbitmq_image();
    let prefix = format!("aidrmq{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);
    let mq = services
        .install(
            InstallRequest {
                kind: ServiceKind::Rabbitmq,
                version: Some(version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(mq.state, ServiceState::Running);
    let password = mq
        .connection_string
        .trim_start_matches("amqp://app:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        mq.connection_string,
        format!("amqp://app:{password}@127.0.0.1:{}", mq.port)
    );
    assert!(amqp_signs_in(mq.port, "app", &password));
    assert!(!amqp_signs_in(mq.port, "app", "wrong"));
    assert!(
        !amqp_signs_in(mq.port, "guest", "guest"),
        "no default guest from outside"
    );
    // Its user lives in its volume: still there after a restart.
    services.restart(&mq.id).await.unwrap();
    assert!(amqp_signs_in(mq.port, "app", &password));
    // Backups are not offered for it, saying so; nothing is written.
    let file = tmp.path().join("mq.bak");
    let refused = services.backup(&mq.id, &file, None).await.unwrap_err();
    assert!(refused.to_string().contains("not supported"), "{refused}");
    assert!(!file.exists());
    services.uninstall(&mq.id, true).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valkey_and_memcached_run_like_the_other_engines() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let valkey_version = valkey_image();
    let memcached_version = memcached_image();
    let prefix = format!("aidkv{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);

    // Valkey: its own server program, a password, data kept across a restart.
    let valkey = services
        .install(
            InstallRequest {
                kind: ServiceKind::Valkey,
                version: Some(valkey_version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(valkey.state, ServiceState::Running);
    assert_eq!(valkey.image, "valkey/valkey:8.0");
    let (_, cmd) = docker(&["inspect", "-f", "{{json .Config.Cmd}}", &valkey.container]);
    assert!(
        cmd.starts_with("[\"valkey-server\",\"--requirepass\""),
        "{cmd}"
    );
    let password = valkey
        .connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert!(valkey
        .connection_string
        .ends_with(&format!("@127.0.0.1:{}", valkey.port)));
    assert!(redis(valkey.port, &[&["PING"]]).starts_with("-NOAUTH"));
    assert_eq!(
        redis(valkey.port, &[&["AUTH", &password], &["SET", "k", "kept"]]),
        "+OK\r\n+OK\r\n"
    );
    services.restart(&valkey.id).await.unwrap();
    assert_eq!(
        redis(valkey.port, &[&["AUTH", &password], &["GET", "k"]]),
        "+OK\r\n$4\r\nkept\r\n"
    );
    // Backed up like Redis: an RDB snapshot.
    let file = tmp.path().join("valkey.rdb");
    let report = services.backup(&valkey.id, &file, None).await.unwrap();
    assert!(std::fs::read(&file).unwrap().starts_with(b"REDIS"));
    assert_eq!(report.bytes, std::fs::metadata(&file).unwrap().len());
    // Its client is valkey-cli, with the password in the environment.
    let client = services
        .client_command(&valkey.id, false, "/usr/bin:/bin")
        .await
        .unwrap();
    assert!(
        client.args.contains(&"valkey-cli".to_string()) || client.program.ends_with("valkey-cli")
    );
    assert!(client
        .env
        .iter()
        .any(|(k, v)| k == "REDISCLI_AUTH" && *v == password));

    // Memcached: no password, nothing kept, on loopback.
    let cache = services
        .install(
            InstallRequest {
                kind: ServiceKind::Memcached,
                version: Some(memcached_version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(cache.state, ServiceState::Running);
    assert_eq!(
        cache.connection_string,
        format!("memcached://127.0.0.1:{}", cache.port)
    );
    let (_, bindings) = docker(&[
        "inspect",
        "-f",
        "{{json .HostConfig.PortBindings}}",
        &cache.container,
    ]);
    assert!(bindings.contains("\"HostIp\":\"127.0.0.1\""), "{bindings}");
    assert_eq!(
        memcached(cache.port, "set greeting 0 0 5\r\nhello\r\n", "\r\n"),
        "STORED\r\n"
    );
    assert_eq!(
        memcached(cache.port, "get greeting\r\n", "END\r\n"),
        "VALUE greeting 0 5\r\nhello\r\nEND\r\n"
    );
    // What makes no sense for a cache is refused, saying why, changing nothing.
    let before = services.list().await.unwrap().len();
    let clone = services.clone_instance(&cache.id, None).await.unwrap_err();
    assert!(
        clone.to_string().contains("keeps nothing on disk"),
        "{clone}"
    );
    let backup = services
        .backup(&cache.id, &tmp.path().join("cache.bak"), None)
        .await
        .unwrap_err();
    assert!(matches!(backup, Error::InvalidInput(_)), "{backup}");
    assert!(!tmp.path().join("cache.bak").exists());
    let client = services
        .client_command(&cache.id, false, "/usr/bin:/bin")
        .await
        .unwrap_err();
    assert!(
        client.to_string().contains("has no client program"),
        "{client}"
    );
    assert_eq!(services.list().await.unwrap().len(), before);

    for id in [&valkey.id, &cache.id] {
        services.uninstall(id, true).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keeps_its_data_across_restart_and_reinstall() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    redis_image();
    let prefix = format!("aidtest{}", std::process::id());
    let (_tmp, services, _cleanup) = manager(&prefix);
    // Something else holds the standard port: the next free one is taken.
    let squatter = std::net::TcpListener::bind("127.0.0.1:6379").ok();
    let pulls = std::sync::Mutex::new(Vec::<String>::new());
    let installed = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |line| pulls.lock().unwrap().push(line),
        )
        .await
        .unwrap();
    drop(squatter);
    assert!(
        pulls.lock().unwrap().is_empty(),
        "the local image is used, no pull"
    );
    assert_eq!(installed.state, ServiceState::Running);
    assert_ne!(installed.port, 6379);
    assert_eq!(installed.image, "redis:7.2", "the local image, no pull");
    let port = installed.port;
    let password = installed
        .connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();

    // Without the password, nothing.
    assert!(redis(port, &[&["PING"]]).starts_with("-NOAUTH"));
    let reply = redis(port, &[&["AUTH", &password], &["SET", "greeting", "kept"]]);
    assert_eq!(reply, "+OK\r\n+OK\r\n");
    // Published on loopback only.
    let (_, inspect) = docker(&[
        "inspect",
        "-f",
        "{{json .HostConfig.PortBindings}}",
        &installed.container,
    ]);
    assert!(inspect.contains("\"HostIp\":\"127.0.0.1\""), "{inspect}");
    // And nothing answers on the machine's other addresses.
    let addresses = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .unwrap();
    for ip in String::from_utf8_lossy(&addresses.stdout).split_whitespace() {
        if let Ok(ip) = ip.parse::<std::net::IpAddr>() {
            let reached = TcpStream::connect_timeout(&(ip, port).into(), Duration::from_secs(2));
            assert!(reached.is_err(), "reachable on {ip}:{port}");
        }
    }

    // services.json lost (corrupt): kept aside, and the service is taken
    // back from Docker's labels with its port and password.
    std::fs::write(_tmp.path().join("services.json"), "{ garbage").unwrap();
    let listed = services.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].port, port);
    assert_eq!(listed[0].connection_string, installed.connection_string);
    let kept: Vec<_> = std::fs::read_dir(_tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
        .collect();
    assert_eq!(kept.len(), 1, "the corrupt file is kept as a backup");

    // Its output streams into the log.
    let logs = services.logs("redis").await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !logs
        .since(0)
        .iter()
        .any(|l| l.text.contains("Ready to accept connections"))
    {
        assert!(std::time::Instant::now() < deadline, "{:?}", logs.since(0));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A container that is not ours is listed, read-only.
    let foreign = format!("{prefix}-foreign");
    docker(&["run", "-d", "--name", &foreign, "redis:7.2"]);
    let overview = services.overview().await;
    assert!(overview.docker_available);
    assert_eq!(overview.installed.len(), 1);
    assert!(
        overview.foreign.iter().any(|c| c.name == foreign),
        "{:?}",
        overview.foreign
    );
    assert!(!overview
        .foreign
        .iter()
        .any(|c| c.name == installed.container));

    services.restart("redis").await.unwrap();
    let reply = redis(port, &[&["AUTH", &password], &["GET", "greeting"]]);
    assert!(reply.ends_with("$4\r\nkept\r\n"), "{reply:?}");

    // Uninstall keeping data, install again: the data (and its password) are back.
    services.uninstall("redis", false).await.unwrap();
    assert!(
        !docker(&["inspect", &installed.container]).0,
        "container removed"
    );
    assert!(
        docker(&["volume", "inspect", &installed.volume]).0,
        "volume kept"
    );
    let again = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: Some(port),
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    let reply = redis(again.port, &[&["AUTH", &password], &["GET", "greeting"]]);
    assert!(reply.ends_with("$4\r\nkept\r\n"), "{reply:?}");

    // Removed behind the app's back: shown as missing.
    docker(&["rm", "-f", &again.container]);
    let listed = services.list().await.unwrap();
    assert_eq!(listed[0].state, ServiceState::Missing);
    let err = services.start("redis").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");

    services.uninstall("redis", true).await.unwrap();
    assert!(
        !docker(&["volume", "inspect", &installed.volume]).0,
        "volume deleted"
    );
    assert!(services.list().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_without_a_registry_fails_with_a_clear_message_and_leaves_nothing() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let prefix = format!("aidtestpull{}", std::process::id());
    let (_tmp, services, _cleanup) = manager(&prefix);
    let lines = std::sync::Mutex::new(Vec::<String>::new());
    let err = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: Some("0.0.0-not-here".into()),
                port: None,
                name: None,
            },
            |l| lines.lock().unwrap().push(l),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Could not pull redis:0.0.0-not-here"),
        "{}",
        err.with_detail_text()
    );
    assert!(services.list().await.unwrap().is_empty());
    assert!(!docker(&["inspect", &format!("{prefix}-redis")]).0);
}

#[tokio::test]
async fn bad_input_and_an_absent_docker_are_refused() {
    if !real_tools("dockerd") {
        return;
    }
    // An unknown service or a port out of range never gets past the command's arguments.
    assert!(serde_json::from_str::<InstallRequest>(r#"{"kind":"oracle"}"#).is_err());
    assert!(serde_json::from_str::<InstallRequest>(r#"{"kind":"redis","port":70000}"#).is_err());
    let tmp = tempfile::tempdir().unwrap();
    let absent = ServiceManager::new(
        Arc::new(ai_desktop_core::store::Store::open_in(tmp.path()).unwrap()),
        tmp.path().to_path_buf(),
        format!("unix://{}/nothing.sock", tmp.path().display()),
        "aidtestabsent",
        Arc::new(RecordingSink::default()),
    );
    let err = absent.list().await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("apt install docker.io"), "{err}");
    let services = ServiceManager::new(
        Arc::new(ai_desktop_core::store::Store::open_in(tmp.path()).unwrap()),
        tmp.path().to_path_buf(),
        SOCKET.into(),
        "aidtestbad",
        Arc::new(RecordingSink::default()),
    );
    for version in ["7.2 ", "7.2; rm -rf /", "$(id)"] {
        let err = services
            .install(
                InstallRequest {
                    kind: ServiceKind::Redis,
                    version: Some(version.into()),
                    port: None,
                    name: None,
                },
                |_| {},
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{version}: {err:?}");
    }
    let err = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: Some(0),
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

/// A Docker socket that can be switched off: forwards to the real one.
struct DockerProxy {
    path: std::path::PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl DockerProxy {
    fn start(path: &std::path::Path) -> DockerProxy {
        let _ = std::fs::remove_file(path);
        let listener = tokio::net::UnixListener::bind(path).unwrap();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                tokio::spawn(async move {
                    if let Ok(mut daemon) =
                        tokio::net::UnixStream::connect("/var/run/docker.sock").await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut daemon).await;
                    }
                });
            }
        });
        DockerProxy {
            path: path.to_path_buf(),
            task,
        }
    }

    /// Docker "stops": the socket is gone and open connections with it.
    fn stop(self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_going_away_mid_run_makes_actions_unavailable_until_it_is_back() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    redis_image();
    let prefix = format!("aidtestgone{}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let tmp = tempfile::tempdir().unwrap();
    let socket_path = tmp.path().join("docker.sock");
    let proxy = DockerProxy::start(&socket_path);
    let services = ServiceManager::new(
        Arc::new(ai_desktop_core::store::Store::open_in(tmp.path()).unwrap()),
        tmp.path().to_path_buf(),
        format!("unix://{}", socket_path.display()),
        &prefix,
        Arc::new(RecordingSink::default()),
    );
    services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();

    proxy.stop();
    for result in [
        services.stop("redis").await.map(|_| ()),
        services.restart("redis").await.map(|_| ()),
        services.uninstall("redis", true).await,
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    }
    let overview = services.overview().await;
    assert!(!overview.docker_available);
    assert!(overview.message.unwrap().contains("not available"));

    // Back: everything is as it was (the uninstall above changed nothing).
    let _proxy = DockerProxy::start(&socket_path);
    let overview = services.overview().await;
    assert!(overview.docker_available);
    assert_eq!(overview.installed.len(), 1);
    assert_eq!(overview.installed[0].state, ServiceState::Running);
    services.uninstall("redis", true).await.unwrap();
}

/// Containers and volumes that carry the app's labels but that the app did
/// not make (a cloned repository's compose file can add the labels) are not
/// its services: never taken back, acted on, offered, or deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_alikes_with_our_labels_are_never_adopted_acted_on_or_deleted() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    redis_image();
    let prefix = format!("aidtestlbl{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);
    let name = format!("{prefix}-redis");
    let victim = format!("{prefix}-victim");
    let look_alike = |volume: &str| {
        let (ok, _) = docker(&[
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            "dev.aidesktop.service=redis",
            "--label",
            "dev.aidesktop.managed=true",
            "-v",
            &format!("{volume}:/data"),
            "-p",
            "127.0.0.1:0:6379",
            "redis:7.2",
            "redis-server",
            "--requirepass",
            "planted",
        ]);
        assert!(ok, "could not start the look-alike");
    };
    docker(&[
        "volume",
        "create",
        "--label",
        "dev.aidesktop.managed=true",
        &victim,
    ]);

    // Nothing installed; a look-alike with the app's name and labels appears
    // (and services.json is missing, as after a corrupt file): not taken back.
    look_alike(&victim);
    let overview = services.overview().await;
    assert!(overview.installed.is_empty(), "{:?}", overview.installed);
    assert!(
        overview.foreign.iter().any(|c| c.name == name),
        "{:?}",
        overview.foreign
    );
    let err = services.uninstall("redis", true).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(
        docker(&["volume", "inspect", &victim]).0,
        "its volume was deleted"
    );
    assert!(docker(&["inspect", &name]).0, "it was removed");
    docker(&["rm", "-f", &name]);

    // Installed for real; then the container is replaced behind the app's
    // back by a look-alike of the same name mounting someone else's volume.
    let installed = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    docker(&["rm", "-f", &name]);
    look_alike(&victim);
    let listed = services.list().await.unwrap();
    assert_eq!(
        listed[0].state,
        ServiceState::Missing,
        "the look-alike's state was shown"
    );
    let err = services.stop("redis").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let running = docker(&["inspect", "-f", "{{.State.Running}}", &name]).1;
    assert_eq!(running, "true", "the look-alike was stopped");
    // Uninstall with its data: the app's own volume goes; the look-alike
    // and the volume it mounts stay.
    services.uninstall("redis", true).await.unwrap();
    assert!(
        !docker(&["volume", "inspect", &installed.volume]).0,
        "our volume stayed"
    );
    assert!(docker(&["inspect", &name]).0, "the look-alike was removed");
    assert!(
        docker(&["volume", "inspect", &victim]).0,
        "its volume was deleted"
    );
    docker(&["rm", "-f", &name]);

    // A volume of the app's name that someone else made is not used, nor
    // deleted: install refuses and changes nothing.
    docker(&[
        "volume",
        "create",
        "--label",
        "dev.aidesktop.managed=true",
        &installed.volume,
    ]);
    let err = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("not made by AI Desktop"), "{err}");
    assert!(!docker(&["inspect", &name]).0, "a container was created");
    assert!(docker(&["volume", "inspect", &installed.volume]).0);
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_versions_run_side_by_side_each_with_its_own_data() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    redis_image();
    let older = ai_desktop_core::testkit::docker::slow_redis_image();
    let prefix = format!("aidtest{}", std::process::id());
    let (_tmp, services, _cleanup) = manager(&prefix);
    let first = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        (first.id.as_str(), first.title.as_str()),
        ("redis", "Redis")
    );
    let second = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: Some(older.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(second.id, "redis-7-0");
    assert_eq!(second.title, "Redis (redis-7-0)");
    assert_eq!(second.image, "redis:7.0");
    assert_eq!(second.container, format!("{prefix}-redis-7-0"));
    assert_ne!(first.port, second.port);
    assert_ne!(first.volume, second.volume);
    let pw = |s: &ai_desktop_api::services::InstalledService| {
        s.connection_string
            .trim_start_matches("redis://:")
            .split('@')
            .next()
            .unwrap()
            .to_string()
    };
    let (p1, p2) = (pw(&first), pw(&second));
    assert_ne!(p1, p2, "each instance its own password");
    redis(first.port, &[&["AUTH", &p1], &["SET", "which", "first"]]);
    redis(second.port, &[&["AUTH", &p2], &["SET", "which", "second"]]);
    assert!(redis(first.port, &[&["AUTH", &p1], &["GET", "which"]]).contains("first"));
    assert!(redis(second.port, &[&["AUTH", &p2], &["GET", "which"]]).contains("second"));
    // Its figures, as `docker stats` has them.
    let stats = services.stats("redis").await.unwrap();
    assert!(stats.memory_bytes > 500_000, "{stats:?}");
    assert!(stats.memory_limit > stats.memory_bytes, "{stats:?}");
    assert!(stats.pids >= 1, "{stats:?}");
    assert!(stats.net_rx > 0, "the commands it received: {stats:?}");
    assert!((0.0..=200.0).contains(&stats.cpu_percent), "{stats:?}");
    assert!(matches!(
        services.stats("nope").await.unwrap_err(),
        Error::NotFound(_)
    ));

    // A name of one's own; a taken or malformed one is refused, nothing made.
    let named = |name: &str| InstallRequest {
        kind: ServiceKind::Redis,
        version: None,
        port: None,
        name: Some(name.into()),
    };
    for bad in ["redis", "Cache", "a b", "-x", "x/../y"] {
        let before = services.list().await.unwrap().len();
        assert!(services.install(named(bad), |_| {}).await.is_err(), "{bad}");
        assert_eq!(services.list().await.unwrap().len(), before, "{bad}");
    }
    let cache = services.install(named("cache"), |_| {}).await.unwrap();
    assert_eq!(cache.title, "Redis (cache)");

    // Each is acted on by its id alone.
    services.stop("redis-7-0").await.unwrap();
    let listed = services.list().await.unwrap();
    let state = |id: &str| listed.iter().find(|s| s.id == id).unwrap().state;
    assert_eq!(state("redis-7-0"), ServiceState::Stopped);
    assert_eq!(state("redis"), ServiceState::Running);
    assert!(matches!(
        services.start("nope").await.unwrap_err(),
        Error::NotFound(_)
    ));
    for id in ["redis", "redis-7-0", "cache"] {
        services.uninstall(id, true).await.unwrap();
    }
    assert!(services.list().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_installs_and_answers_with_its_generated_password() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let version = ai_desktop_core::testkit::docker::postgres_image();
    let prefix = format!("aidtest{}", std::process::id());
    let (_tmp, services, _cleanup) = manager(&prefix);
    let pg = services
        .install(
            InstallRequest {
                kind: ServiceKind::Postgresql,
                version: Some(version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    let url = pg.connection_string.clone();
    assert!(url.starts_with("postgresql://postgres:"), "{url}");
    // Installed means ready: it answers at once.
    assert_eq!(
        psql(&url, "SELECT current_database()"),
        (true, "app".to_string())
    );
    let wrong = url.replace("postgres:", "postgres:x");
    assert!(!psql(&wrong, "SELECT 1").0, "a wrong password is refused");
    services.uninstall("postgresql", true).await.unwrap();
}

fn checksum(url: &str) -> String {
    let (ok, out) = psql(
        url,
        "SELECT count(*) || ' ' || md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM items",
    );
    assert!(ok, "{out}");
    out
}

fn with_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_backup_restores_the_same_rows_and_a_failed_restore_changes_nothing() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    let version = ai_desktop_core::testkit::docker::postgres_image();
    let prefix = format!("aidtest{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);
    let pg = services
        .install(
            InstallRequest {
                kind: ServiceKind::Postgresql,
                version: Some(version.into()),
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    let url = pg.connection_string.clone();
    let (ok, out) = psql(
        &url,
        "CREATE TABLE items (id int PRIMARY KEY, v text); \
         INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 20000) g;",
    );
    assert!(ok, "{out}");
    let before = checksum(&url);
    assert!(before.starts_with("20000 "), "{before}");

    let file = tmp.path().join("app.dump");
    let report = services.backup("postgresql", &file, None).await.unwrap();
    assert_eq!(report.bytes, std::fs::metadata(&file).unwrap().len());
    assert!(report.bytes > 100_000, "{report:?}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup is the data: private");
    }
    // The loss.
    assert!(psql(&url, "DROP TABLE items").0);

    // Into a fresh database: the rows come back there, app stays as it is.
    let fresh = services
        .restore("postgresql", &file, RestoreMode::Fresh, None, None)
        .await
        .unwrap();
    assert_eq!(fresh.target, "app_restored");
    assert_eq!(checksum(&with_db(&url, "app_restored")), before);
    assert!(!psql(&url, "SELECT 1 FROM items").0, "app untouched");

    // A broken file: refused, nothing new left behind.
    let broken = tmp.path().join("broken.dump");
    std::fs::write(&broken, b"PGDMP this is not a dump").unwrap();
    let dbs = services.databases("postgresql").await.unwrap();
    assert!(services
        .restore("postgresql", &broken, RestoreMode::Fresh, None, None)
        .await
        .is_err());
    assert_eq!(services.databases("postgresql").await.unwrap(), dbs);

    // In place: app has its rows again, the emptied one is kept aside.
    let replaced = services
        .restore("postgresql", &file, RestoreMode::Replace, None, None)
        .await
        .unwrap();
    assert_eq!(replaced.target, "app");
    assert_eq!(checksum(&url), before);
    let dbs = services.databases("postgresql").await.unwrap();
    assert!(
        dbs.iter().any(|d| d.starts_with("app_before_restore_")),
        "{dbs:?}"
    );
    // A failed backup leaves no file behind.
    let missing_db = tmp.path().join("none.dump");
    assert!(services
        .backup("postgresql", &missing_db, Some("no_such_db".into()))
        .await
        .is_err());
    assert!(!missing_db.exists());
    assert!(std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".partial")));
    // A clone of the whole instance (its files, owned by its user) answers
    // with the same rows, on its own port.
    let copy = services.clone_instance("postgresql", None).await.unwrap();
    let copy_url = copy.connection_string.clone();
    assert_ne!(copy_url, url);
    assert_eq!(checksum(&copy_url), before);
    assert!(psql(&copy_url, "DELETE FROM items WHERE id > 10").0);
    assert_eq!(checksum(&url), before, "the source is not the copy");
    services.uninstall("postgresql-copy", true).await.unwrap();
    services.uninstall("postgresql", true).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_starts_as_a_copy_and_then_goes_its_own_way_and_a_snapshot_restores() {
    if !real_tools("dockerd") {
        return;
    }
    let _serial = SERIAL.lock().await;
    redis_image();
    let prefix = format!("aidtest{}", std::process::id());
    let (tmp, services, _cleanup) = manager(&prefix);
    let source = services
        .install(
            InstallRequest {
                kind: ServiceKind::Redis,
                version: None,
                port: None,
                name: None,
            },
            |_| {},
        )
        .await
        .unwrap();
    let pw = source
        .connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    redis(
        source.port,
        &[&["AUTH", &pw], &["SET", "stage", "before the experiment"]],
    );

    let copy = services.clone_instance("redis", None).await.unwrap();
    assert_eq!(copy.id, "redis-copy");
    assert_eq!(copy.state, ServiceState::Running);
    assert_ne!(copy.port, source.port);
    assert!(
        redis(copy.port, &[&["AUTH", &pw], &["GET", "stage"]]).contains("before the experiment"),
        "the copy has the data (and the password it carries)"
    );
    // The experiment diverges; the source does not see it.
    redis(
        copy.port,
        &[&["AUTH", &pw], &["SET", "stage", "experiment"]],
    );
    assert!(
        redis(source.port, &[&["AUTH", &pw], &["GET", "stage"]]).contains("before the experiment")
    );
    let listed = services.list().await.unwrap();
    assert!(
        listed.iter().all(|s| s.state == ServiceState::Running),
        "the source runs again"
    );

    // A snapshot, a loss, and the snapshot restored into a new instance.
    let file = tmp.path().join("redis.rdb");
    let report = services.backup("redis", &file, None).await.unwrap();
    assert!(report.bytes > 0);
    assert!(
        std::fs::read(&file).unwrap().starts_with(b"REDIS"),
        "an RDB file"
    );
    redis(source.port, &[&["AUTH", &pw], &["FLUSHALL"]]);
    let restored = services
        .restore("redis", &file, RestoreMode::Fresh, None, None)
        .await
        .unwrap();
    assert_eq!(restored.target, "redis-restored");
    let new = services
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == "redis-restored")
        .unwrap();
    let new_pw = new
        .connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    assert!(
        redis(new.port, &[&["AUTH", &new_pw], &["GET", "stage"]]).contains("before the experiment"),
        "the snapshot's data"
    );
    assert!(
        redis(source.port, &[&["AUTH", &pw], &["EXISTS", "stage"]]).contains(":0"),
        "the source is as it was (flushed)"
    );
    // Replacing a running Redis is refused, nothing changes.
    assert!(services
        .restore("redis", &file, RestoreMode::Replace, None, None)
        .await
        .is_err());
    for id in ["redis", "redis-copy", "redis-restored"] {
        services.uninstall(id, true).await.unwrap();
    }
}
