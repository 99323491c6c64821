//! A repository's stack and its services' data, against real dockerd, PM2,
//! node and code-server, in one run:
//!
//! - stack up and down of a repository with 2 services (PostgreSQL 15 and
//!   Redis, the images the tests build locally) and 2 deployments (`api`
//!   named by both services' URLs, `web` after `api`, each behind an HTTP
//!   health check) plus its code-server: the time of each step and in all;
//! - backup and restore throughput: the app's PostgreSQL backup (pg_dump
//!   inside the container, streamed to a file) and restore (into a fresh
//!   database, pg_restore fed the file) vs the engine's own programs run
//!   directly through `docker exec`; the same for MariaDB (mariadb-dump,
//!   the client fed the SQL); the app's Redis snapshot vs `redis-cli --rdb`.
//!
//! `cargo bench -p ai-desktop-core --features testkit --bench stack` writes `bench/stack.md`.

use ai_desktop_api::deployments::{DeploymentInput, HealthCheck};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_api::services::{InstallRequest, RestoreMode, ServiceKind};
use ai_desktop_api::stack::StackRun;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::testkit::docker as support;
use ai_desktop_core::{App, Config};
use common::{median, ms};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const CYCLES: usize = 3;
const RUNS: usize = 3;
const ROWS: u32 = 1_000_000;
const KEYS: u32 = 200_000;

const SERVER_JS: &str = "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n";

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn psql(url: &str, sql: &str) {
    let (ok, out) = support::psql(url, sql);
    assert!(ok, "{out}");
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / d.as_secs_f64()
}

async fn run() {
    support::redis_image();
    let pg_version = support::postgres_image();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let prefix = format!("aidbenchstack{}", std::process::id());
    let _cleanup = support::Cleanup(prefix.clone());
    let config = Config::isolated(&root, &prefix);
    let _pm2 = ai_desktop_core::testkit::Pm2Daemon {
        env: config.user_env.clone(),
        home: config.default_pm2_home.clone(),
    };
    let app = App::open(config, std::sync::Arc::new(RecordingSink::default())).unwrap();
    let install = |kind, version: Option<&str>| InstallRequest {
        kind,
        version: version.map(str::to_string),
        port: Some(free_port()),
        name: None,
    };
    let pg = app
        .services
        .install(install(ServiceKind::Postgresql, Some(pg_version)), |_| {})
        .await
        .unwrap();
    let redis = app
        .services
        .install(install(ServiceKind::Redis, None), |_| {})
        .await
        .unwrap();

    // The repository: two apps behind health checks.
    let dir = root.join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("server.js"), SERVER_JS).unwrap();
    let repo = app
        .repos
        .create(NewRepository {
            name: "shop".into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap();
    let health = Some(HealthCheck {
        path: "/".into(),
        interval_secs: 30,
        ..Default::default()
    });
    let api = app
        .deployments
        .create(DeploymentInput {
            repository_id: repo.id,
            name: "api".into(),
            port: Some(free_port()),
            instances: 1,
            start_command: Some("node server.js".into()),
            env: BTreeMap::from([
                ("DATABASE_URL".into(), pg.connection_string.clone()),
                ("REDIS_URL".into(), redis.connection_string.clone()),
            ]),
            health_check: health.clone(),
            ..Default::default()
        })
        .unwrap();
    app.deployments
        .create(DeploymentInput {
            repository_id: repo.id,
            name: "web".into(),
            port: Some(free_port()),
            instances: 1,
            start_command: Some("node server.js".into()),
            depends_on: vec![api.id],
            health_check: health,
            ..Default::default()
        })
        .unwrap();

    // Everything down first; then up/down cycles.
    let first_down = app.stack.down(repo.id).await.unwrap();
    assert!(first_down.ok, "{first_down:#?}");
    let (mut ups, mut downs) = (Vec::new(), Vec::new());
    let mut last_up: Option<StackRun> = None;
    for _ in 0..CYCLES {
        let t = Instant::now();
        let up = app.stack.up(repo.id).await.unwrap();
        ups.push(t.elapsed());
        assert!(up.ok, "{up:#?}");
        let t = Instant::now();
        let down = app.stack.down(repo.id).await.unwrap();
        downs.push(t.elapsed());
        assert!(down.ok, "{down:#?}");
        last_up = Some(up);
    }
    let steps: String = last_up
        .unwrap()
        .steps
        .iter()
        .map(|s| {
            format!(
                "| {} | {} | {} |\n",
                s.label,
                s.elapsed_ms.map(|m| format!("{m} ms")).unwrap_or_default(),
                s.detail.clone().unwrap_or_default()
            )
        })
        .collect();

    // Data: PostgreSQL.
    app.services.start("postgresql").await.unwrap();
    app.services.start("redis").await.unwrap();
    psql(
        &pg.connection_string,
        &format!(
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, note text); \
             INSERT INTO items SELECT g, 'item ' || g, g * 0.37, md5(g::text) || md5((g+1)::text) \
             FROM generate_series(1, {ROWS}) g;"
        ),
    );
    let container = pg.container.clone();
    let (mut app_dump, mut cli_dump, mut app_restore, mut cli_restore) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut dump_bytes = 0;
    for i in 0..RUNS {
        let file = root.join(format!("app{i}.dump"));
        let t = Instant::now();
        let report = app
            .services
            .backup("postgresql", &file, None)
            .await
            .unwrap();
        app_dump.push(t.elapsed());
        dump_bytes = report.bytes;

        let cli_file = root.join(format!("cli{i}.dump"));
        let t = Instant::now();
        let out = std::fs::File::create(&cli_file).unwrap();
        let status = std::process::Command::new("docker")
            .args([
                "exec", &container, "pg_dump", "-U", "postgres", "-Fc", "-d", "app",
            ])
            .stdout(out)
            .status()
            .unwrap();
        cli_dump.push(t.elapsed());
        assert!(status.success());

        let t = Instant::now();
        app.services
            .restore(
                "postgresql",
                &file,
                RestoreMode::Fresh,
                None,
                Some(format!("app_r{i}")),
            )
            .await
            .unwrap();
        app_restore.push(t.elapsed());

        let db = format!("cli_r{i}");
        let t = Instant::now();
        assert!(support::docker(&["exec", &container, "createdb", "-U", "postgres", &db]).0);
        let status = std::process::Command::new("docker")
            .args([
                "exec",
                "-i",
                &container,
                "pg_restore",
                "-U",
                "postgres",
                "--no-owner",
                "--exit-on-error",
                "-d",
                &db,
            ])
            .stdin(std::fs::File::open(&cli_file).unwrap())
            .status()
            .unwrap();
        cli_restore.push(t.elapsed());
        assert!(status.success());
    }

    // Data: MariaDB (its own instance, out of the stack).
    let maria_version = support::mariadb_image();
    let maria = app
        .services
        .install(install(ServiceKind::Mariadb, Some(maria_version)), |_| {})
        .await
        .unwrap();
    let maria_pw = maria
        .connection_string
        .trim_start_matches("mysql://root:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    let maria_sql = |sql: &str, stdin: Option<&std::path::Path>| {
        let mut c = std::process::Command::new("docker");
        c.args(["exec", "-i", "-e"])
            .arg(format!("MYSQL_PWD={maria_pw}"))
            .args([&maria.container, "mariadb", "-uroot"]);
        match stdin {
            Some(file) => {
                c.arg(sql).stdin(std::fs::File::open(file).unwrap());
            }
            None => {
                c.args(["-e", sql]);
            }
        }
        let status = c.status().unwrap();
        assert!(status.success(), "{sql}");
    };
    maria_sql(
        &format!(
            "SET SESSION max_recursive_iterations = {ROWS}; \
             CREATE TABLE app.items (id int PRIMARY KEY, name text, price decimal(12,2), note text); \
             INSERT INTO app.items WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ROWS}) \
             SELECT n, CONCAT('item ', n), n * 0.37, CONCAT(MD5(n), MD5(n + 1)) FROM g;"
        ),
        None,
    );
    let (mut m_app_dump, mut m_cli_dump, mut m_app_restore, mut m_cli_restore) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut m_bytes = 0;
    for i in 0..RUNS {
        let file = root.join(format!("app{i}.sql"));
        let t = Instant::now();
        m_bytes = app
            .services
            .backup(&maria.id, &file, None)
            .await
            .unwrap()
            .bytes;
        m_app_dump.push(t.elapsed());

        let cli_file = root.join(format!("cli{i}.sql"));
        let t = Instant::now();
        let status = std::process::Command::new("docker")
            .args(["exec", "-e"])
            .arg(format!("MYSQL_PWD={maria_pw}"))
            .args([
                &maria.container,
                "mariadb-dump",
                "-uroot",
                "--single-transaction",
                "--routines",
                "--triggers",
                "--events",
                "app",
            ])
            .stdout(std::fs::File::create(&cli_file).unwrap())
            .status()
            .unwrap();
        m_cli_dump.push(t.elapsed());
        assert!(status.success());

        let t = Instant::now();
        app.services
            .restore(
                &maria.id,
                &file,
                RestoreMode::Fresh,
                None,
                Some(format!("app_r{i}")),
            )
            .await
            .unwrap();
        m_app_restore.push(t.elapsed());

        let db = format!("cli_r{i}");
        let t = Instant::now();
        maria_sql(&format!("CREATE DATABASE {db}"), None);
        maria_sql(&db, Some(&cli_file));
        m_cli_restore.push(t.elapsed());
    }
    app.services.stop(&maria.id).await.unwrap();

    // Data: Redis.
    let pw = redis
        .connection_string
        .trim_start_matches("redis://:")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    {
        let mut load = std::process::Command::new("redis-cli")
            .args([
                "-p",
                &redis.port.to_string(),
                "--no-auth-warning",
                "-a",
                &pw,
                "--pipe",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        let mut stdin = load.stdin.take().unwrap();
        for k in 0..KEYS {
            let value = format!("value of key {k} with some padding to make it a realistic size");
            write!(
                stdin,
                "*3\r\n$3\r\nSET\r\n${}\r\nkey:{k}\r\n${}\r\n{value}\r\n",
                format!("key:{k}").len(),
                value.len()
            )
            .unwrap();
        }
        drop(stdin);
        assert!(load.wait().unwrap().success());
    }
    let (mut app_rdb, mut cli_rdb) = (Vec::new(), Vec::new());
    let mut rdb_bytes = 0;
    for i in 0..RUNS {
        let file = root.join(format!("app{i}.rdb"));
        let t = Instant::now();
        rdb_bytes = app
            .services
            .backup("redis", &file, None)
            .await
            .unwrap()
            .bytes;
        app_rdb.push(t.elapsed());
        let cli_file = root.join(format!("cli{i}.rdb"));
        let t = Instant::now();
        let status = std::process::Command::new("redis-cli")
            .args([
                "-p",
                &redis.port.to_string(),
                "--no-auth-warning",
                "-a",
                &pw,
                "--rdb",
            ])
            .arg(&cli_file)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        cli_rdb.push(t.elapsed());
        assert!(status.success());
    }

    let (u, d) = (median(&ups), median(&downs));
    let (ad, cd, ar, cr) = (
        median(&app_dump),
        median(&cli_dump),
        median(&app_restore),
        median(&cli_restore),
    );
    let (arb, crb) = (median(&app_rdb), median(&cli_rdb));
    let (mad, mcd, mar, mcr) = (
        median(&m_app_dump),
        median(&m_cli_dump),
        median(&m_app_restore),
        median(&m_cli_restore),
    );
    let row = |what: &str, bytes: u64, app: Duration, cli: Duration| {
        format!(
            "| {what} | {} ({:.1} MB/s) | {} ({:.1} MB/s) | {:.2} |\n",
            ms(app),
            mb_per_s(bytes, app),
            ms(cli),
            mb_per_s(bytes, cli),
            app.as_secs_f64() / cli.as_secs_f64()
        )
    };
    let maria_rows = format!(
        "{}{}",
        row(
            "MariaDB backup (app: mariadb-dump in the container streamed to a file; ref: `docker exec … mariadb-dump > file`)",
            m_bytes,
            mad,
            mcd
        ),
        row(
            "MariaDB restore into a fresh database (app: CREATE DATABASE + the client fed the SQL; ref: the same two through `docker exec -i`)",
            m_bytes,
            mar,
            mcr
        )
    );
    let report = format!(
        "# A repository's stack and its services' data\n\n\
         Machine: {}. Real dockerd (PostgreSQL 15 and Redis images built locally), PM2, node and code-server.\n\n\
         ## Stack up and down\n\n\
         Repository *shop*: 2 services (PostgreSQL, Redis: each started and asked until it answers), \
         2 deployments (`api` named by both services' URLs, `web` after `api`; each started and its \
         HTTP health check passed) and its code-server (until `/healthz` answers). \
         Median of {CYCLES} cycles from everything stopped.\n\n\
         | what | median | runs |\n|---|---|---|\n\
         | stack up (services → api → web → VS Code) | {} | {} |\n\
         | stack down (reverse order) | {} | {} |\n\n\
         The steps of the last up:\n\n| step | took | said |\n|---|---|---|\n{steps}\n\
         ## Backup and restore throughput\n\n\
         PostgreSQL: a table of {ROWS} rows; the dump is {:.1} MB (custom format). MariaDB 10.11: \
         the same {ROWS} rows, a {:.1} MB SQL dump. Redis: {KEYS} keys, a {:.1} MB snapshot. Medians of {RUNS}, the app and the engine's own program interleaved.\n\n\
         | what | app | engine's program directly | ratio (time) |\n|---|---|---|---|\n\
         | PostgreSQL backup (app: pg_dump in the container streamed to a file; ref: `docker exec … pg_dump -Fc > file`) | {} ({:.1} MB/s) | {} ({:.1} MB/s) | {:.2} |\n\
         | PostgreSQL restore into a fresh database (app: createdb + pg_restore fed the file; ref: `docker exec createdb` + `docker exec -i … pg_restore < file`) | {} ({:.1} MB/s) | {} ({:.1} MB/s) | {:.2} |\n\
         {maria_rows}\
         | Redis snapshot (app: SAVE, then dump.rdb copied out of the container; ref: `redis-cli --rdb`) | {} ({:.1} MB/s) | {} ({:.1} MB/s) | {:.2} |\n",
        common::machine(),
        ms(u),
        ups.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", "),
        ms(d),
        downs.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", "),
        dump_bytes as f64 / 1e6,
        m_bytes as f64 / 1e6,
        rdb_bytes as f64 / 1e6,
        ms(ad),
        mb_per_s(dump_bytes, ad),
        ms(cd),
        mb_per_s(dump_bytes, cd),
        ad.as_secs_f64() / cd.as_secs_f64(),
        ms(ar),
        mb_per_s(dump_bytes, ar),
        ms(cr),
        mb_per_s(dump_bytes, cr),
        ar.as_secs_f64() / cr.as_secs_f64(),
        ms(arb),
        mb_per_s(rdb_bytes, arb),
        ms(crb),
        mb_per_s(rdb_bytes, crb),
        arb.as_secs_f64() / crb.as_secs_f64(),
    );
    let _ = app.stack.down(repo.id).await;
    common::publish("stack", &report);
}
