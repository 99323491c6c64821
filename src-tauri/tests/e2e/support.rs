//! What more than one page's tests use.

use std::path::Path;

pub fn db_rows(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, path FROM repositories ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn git_fixture(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let repo =
        git2::Repository::init_opts(dir, git2::RepositoryInitOptions::new().initial_head("main"))
            .unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"shop-api","scripts":{"start":"node ."}}"#,
    )
    .unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("package.json")).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("E2E", "e2e@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .unwrap();
    repo.remote("origin", "git@example.com:team/shop-api.git")
        .unwrap();
}

/// The end-to-end tests share X displays and ports: one at a time.
pub static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn recorded_instance(db: &Path, repo: i64) -> Option<u32> {
    let conn = rusqlite::Connection::open(db).ok()?;
    conn.query_row(
        "SELECT pid FROM supervised_processes WHERE kind = 'code-server' AND owner_id = ?1",
        [repo],
        |r| r.get(0),
    )
    .ok()
}

/// Files (sorted) a recording "browser" wrote: one line per target it was
/// asked to open.
pub fn opened(record: &Path) -> Vec<String> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Picks the option shown as `text` in the `<select>` at `css`, with the
/// change event a user's pick fires (WebDriver cannot open a native list).
pub fn choose(d: &ai_desktop::testkit::Driver, css: &str, text: &str) {
    d.wait_until("the option in the list", || {
        ai_desktop::testkit::texts(d, &format!("{css} option"))
            .iter()
            .any(|o| o == text)
            .then_some(())
    });
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "const s = document.querySelector(arguments[0]);
                       s.value = [...s.options].find(o => o.textContent === arguments[1]).value;
                       s.dispatchEvent(new Event('change'));",
            "args": [css, text],
        })),
    );
}

/// Picks the option whose value is `value` in the `<select>` at `css`, the
/// way a user's pick reaches the page (see [`choose`]).
pub fn choose_value(d: &ai_desktop::testkit::Driver, css: &str, value: &str) {
    d.find(&format!("{css} option[value='{value}']"));
    d.call(
        "POST",
        "/execute/sync",
        Some(serde_json::json!({
            "script": "const s = document.querySelector(arguments[0]);
                       s.value = arguments[1];
                       s.dispatchEvent(new Event('change'));",
            "args": [css, value],
        })),
    );
}

/// The Flow page's provider set up in its settings dialog as a user does:
/// the protocol picked if given, the loopback provider's address, its
/// model and key; saved, and the "needs a provider" banner gone.
pub fn set_up_provider(
    d: &mut ai_desktop::testkit::Driver,
    protocol: Option<&str>,
    url: &str,
    key: Option<&str>,
) {
    d.click("[data-testid=nav-flow]");
    d.click("[data-testid=flow-settings]");
    if let Some(protocol) = protocol {
        choose(d, "[data-testid=flow-protocol]", protocol);
    }
    d.type_into("[data-testid=flow-base-url]", url);
    d.type_into(
        "[data-testid=flow-settings-model]",
        ai_desktop_core::testkit::llm::MODEL,
    );
    if let Some(key) = key {
        d.type_into("[data-testid=flow-api-key]", key);
    }
    if protocol.is_some() {
        d.step("flow-provider-protocol");
    }
    d.click("[data-testid=flow-settings-save]");
    d.wait_until("the provider banner to go", || {
        d.try_find("[data-testid=flow-needs-provider]")
            .is_none()
            .then_some(())
    });
    ai_desktop::testkit::dismiss_toasts(d);
}
