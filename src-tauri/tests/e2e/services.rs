//! The Services page: databases in Docker.

use crate::support::*;
use ai_desktop::testkit::*;
use ai_desktop_core::testkit::docker::psql;
use std::path::PathBuf;
use std::time::Duration;

#[test]
fn services_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    ai_desktop_core::testkit::docker::redis_image();
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("services");
    // A repository whose compose file has a Redis and an app built from source.
    let project = root.join("projects/shop");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("docker-compose.yml"),
        "services:\n  cache:\n    image: redis:7.2\n    ports: [\"6379:6379\"]\n  web:\n    build: .\n",
    )
    .unwrap();
    register_before_start(&data, "shop", &project);
    let prefix = format!("aide2e{}", std::process::id());
    let _cleanup = ai_desktop_core::testkit::docker::Cleanup(prefix.clone());
    let env = [
        ("HOME", home.display().to_string()),
        ("AI_DESKTOP_SERVICES_PREFIX", prefix.clone()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-services]");
    d.find("[data-testid=catalog-redis]");
    d.find("[data-testid=services-empty]");
    d.step("services-catalog");

    d.click("[data-testid=install-redis]");
    wait_text(d, "[data-testid=service-state-redis]", "Running");
    wait_text(d, "[data-testid=services-table]", "redis://:");
    wait_text(
        d,
        "[data-testid=service-logs]",
        "Ready to accept connections",
    );
    // Its live figures above the log (Docker's stats of the container).
    d.wait_until("the service's figures", || {
        let t = texts(d, "[data-testid=service-stats]").join(" ");
        (t.contains("CPU ") && t.contains(" processes") && !t.contains("memory 0.0 MB"))
            .then_some(())
    });
    d.step("services-redis-running");
    let (running, _) =
        ai_desktop_core::testkit::docker::docker(&["inspect", &format!("{prefix}-redis")]);
    assert!(running, "the container exists");
    // What the page shows works: the connection string reaches Redis, and
    // only with its password.
    let shown = texts(d, "[data-testid=services-table] td")
        .into_iter()
        .find(|t| t.starts_with("redis://:"))
        .expect("a connection string in the table");
    let (password, address) = shown
        .trim_start_matches("redis://:")
        .split_once('@')
        .expect("redis://:PASSWORD@HOST:PORT");
    let port: String = address
        .rsplit(':')
        .next()
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let address = format!("127.0.0.1:{port}");
    let ask = |commands: &str| -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(commands.as_bytes()).unwrap();
        let mut buf = [0u8; 256];
        let mut out = String::new();
        while out.matches("\r\n").count() < commands.matches("\r\n").count() / 2 {
            let n = s.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        out
    };
    assert!(ask("*1\r\n$4\r\nPING\r\n").starts_with("-NOAUTH"));
    let auth = format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
        password.len()
    );
    assert_eq!(ask(&auth), "+OK\r\n+PONG\r\n");

    // Its client, signed in, in a terminal tab (the password never typed).
    d.click("[data-testid=service-client-redis]");
    d.find("[data-testid=page-terminals]");
    d.find(".xterm-helper-textarea");
    // Enter as a keyboard sends it (redis-cli reads raw keys).
    type_in_terminal(d, "SET typed-in-the-tab yes\r");
    d.wait_until("redis-cli's answer", || {
        terminal_text(d)
            .lines()
            .any(|l| l.trim() == "OK")
            .then_some(())
    });
    d.step("services-redis-cli");
    let got = ask(&format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*2\r\n$3\r\nGET\r\n$16\r\ntyped-in-the-tab\r\n",
        password.len()
    ));
    assert!(got.contains("yes"), "the key set in the tab: {got}");
    d.click("[data-testid=nav-services]");

    // Removed behind the app's back: the page shows it as missing, live.
    ai_desktop_core::testkit::docker::docker(&["rm", "-f", &format!("{prefix}-redis")]);
    wait_text(d, "[data-testid=service-state-redis]", "Missing");
    d.step("services-missing");

    dismiss_toasts(d);
    d.click("[data-testid=service-uninstall-redis]");
    d.click("[data-testid=delete-data]");
    d.step("services-uninstall-dialog");
    d.click("[data-testid=confirm-uninstall]");
    d.find("[data-testid=services-empty]");
    let (volume, _) = ai_desktop_core::testkit::docker::docker(&[
        "volume",
        "inspect",
        &format!("{prefix}-redis-data"),
    ]);
    assert!(!volume, "the data volume was deleted as asked");

    // The repository's compose file: its Redis imported, its app said why not.
    d.click("[data-testid=compose-open]");
    wait_text(
        d,
        "[data-testid=compose-plan]",
        "Redis 7.2 → instance cache",
    );
    wait_text(
        d,
        "[data-testid=compose-service][data-name=web] [data-testid=compose-reason]",
        "built from source",
    );
    wait_text(d, "[data-testid=compose-plan]", "127.0.0.1 only");
    wait_text(d, "[data-testid=compose-import]", "Import 1");
    d.step("services-compose-plan");
    d.click("[data-testid=compose-import]");
    wait_text(d, "[data-testid=service-state-cache]", "Running");
    wait_text(d, ".toast", "Imported");
    d.step("services-compose-imported");
    let (running, _) =
        ai_desktop_core::testkit::docker::docker(&["inspect", &format!("{prefix}-cache")]);
    assert!(running, "the imported instance's container exists");
    d.call("DELETE", "", None);
}

/// PostgreSQL installed from the catalog, backed up to a file, a table lost
/// and restored into a fresh database; then a clone running beside it.
#[test]
fn backups_restores_and_clones_through_the_real_window() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let version = ai_desktop_core::testkit::docker::postgres_image();
    let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_ai-desktop"));
    let Scene {
        shots,
        root,
        data,
        home,
        _tmp,
    } = scene("service-data");
    let prefix = format!("aide2eb{}", std::process::id());
    let _cleanup = ai_desktop_core::testkit::docker::Cleanup(prefix.clone());
    let project = root.join("projects/shop");
    git_fixture(&project);
    register_before_start(&data, "shop", &project);
    let env = [
        ("HOME", home.display().to_string()),
        ("AI_DESKTOP_SERVICES_PREFIX", prefix.clone()),
    ];
    let mut launched = launch(&app_bin, &data, &env);
    let d = &mut launched.driver;
    d.shots = shots.clone();

    d.click("[data-testid=nav-services]");
    d.find("[data-testid=install-version-postgresql]");
    d.script(&format!(
        "const s = document.querySelector('[data-testid=install-version-postgresql]'); \
         s.value = '{version}'; s.dispatchEvent(new Event('change'));"
    ));
    d.click("[data-testid=install-postgresql]");
    // Installed means it answers (the table says Running once Docker runs it).
    wait_text(d, ".toast", "PostgreSQL is installed and running");
    let url = texts(d, "[data-testid=services-table] td")
        .into_iter()
        .find(|t| t.starts_with("postgresql://"))
        .map(|t| t.trim_end_matches("Copy").to_string())
        .expect("a connection string in the table");
    let (ok, out) = psql(
        &url,
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric); \
         INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 5000) g;",
    );
    assert!(ok, "{out}");
    let sum = "SELECT count(*) || ' ' || sum(total) FROM orders";
    let before = psql(&url, sum).1;

    // Back up to a file typed in.
    let file = root.join("app.dump");
    d.click("[data-testid=service-more-postgresql] summary");
    d.click("[data-testid=service-backup-postgresql]");
    d.type_into("[data-testid=backup-path]", &file.display().to_string());
    d.step("backup-dialog");
    d.click("[data-testid=service-data-submit]");
    wait_text(d, ".toast", "Backed up database app");
    assert!(std::fs::metadata(&file).unwrap().len() > 10_000);
    assert!(psql(&url, "DROP TABLE orders").0, "the loss");

    // Restored into a fresh database: the rows are back there.
    d.click("[data-testid=service-more-postgresql] summary");
    d.click("[data-testid=service-restore-postgresql]");
    d.type_into("[data-testid=restore-path]", &file.display().to_string());
    d.type_into("[data-testid=restore-name]", "app_yesterday");
    d.step("restore-dialog");
    d.click("[data-testid=service-data-submit]");
    wait_text(d, ".toast", "Restored into the new database app_yesterday");
    let (base, _) = url.rsplit_once('/').unwrap();
    assert_eq!(psql(&format!("{base}/app_yesterday"), sum).1, before);
    assert!(!psql(&url, sum).0, "app itself untouched");
    d.step("restored");

    // A clone beside it, with the data as it is now.
    d.click("[data-testid=service-more-postgresql] summary");
    d.click("[data-testid=service-clone-postgresql]");
    d.type_into("[data-testid=clone-name]", "pg-experiment");
    d.click("[data-testid=service-data-submit]");
    // The dialog closes once the copy accepts connections ("Running" alone is
    // Docker's word: it comes while PostgreSQL still starts up).
    d.wait_until("the clone to be made", || {
        d.try_find("[data-testid=service-data-dialog]")
            .is_none()
            .then_some(())
    });
    wait_text(d, "[data-testid=service-state-pg-experiment]", "Running");
    wait_text(d, "[data-testid=service-state-postgresql]", "Running");
    let clone_url = texts(d, "[data-testid=service-row-pg-experiment] td")
        .into_iter()
        .find(|t| t.starts_with("postgresql://"))
        .map(|t| t.trim_end_matches("Copy").to_string())
        .expect("the clone's connection string");
    let (clone_base, _) = clone_url.rsplit_once('/').unwrap();
    assert_eq!(psql(&format!("{clone_base}/app_yesterday"), sum).1, before);
    d.step("cloned");

    // A database of its own for the repository shop.
    d.click("[data-testid=service-more-postgresql] summary");
    d.click("[data-testid=service-repo-db-postgresql]");
    d.click("[data-testid=repo-db-submit]");
    wait_text(
        d,
        "[data-testid=repo-db-made]",
        "Database shop with user shop",
    );
    let shop_url = texts(d, "[data-testid=repo-db-made] .mono")
        .into_iter()
        .next()
        .expect("its connection string");
    let (ok, out) = psql(
        &shop_url,
        "SELECT current_user || '@' || current_database()",
    );
    assert!(ok, "{out}");
    assert_eq!(out, "shop@shop");
    d.step("repo-database");
    d.call("DELETE", "", None);
}
