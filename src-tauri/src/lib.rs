//! AI Desktop's native side. `run` wires the domain modules into a Tauri app;
//! the modules themselves (`store`, `repos`, …) know nothing about Tauri and
//! are tested headless.

pub mod alerts;
pub mod autostart;
pub mod deeplink;
pub mod deployments;
pub mod doctor;
pub mod error;
pub mod events;
pub mod files;
pub mod flow;
pub mod git;
pub mod logging;
pub mod mcp;
pub mod notify;
pub mod procs;
pub mod repos;
pub mod secrets;
pub mod services;
pub mod shell;
pub mod store;
pub mod system;
pub mod terminal;
pub mod traymodel;
pub mod vscode;
pub mod workspace;

use shell::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

/// Overrides where the app keeps its data (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "AI_DESKTOP_DATA_DIR";

/// The data dir: `$AI_DESKTOP_DATA_DIR` if set, else the platform's app data
/// dir (`$XDG_DATA_HOME/dev.aidesktop.desktop` on Linux).
pub fn data_dir(platform_default: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform_default(),
    }
}

/// Without a tray, closing the window quits: managed processes are stopped
/// first when that is the remembered quit choice (no question is asked
/// here: a closing window is not the place for one).
fn quit_on_close(app: &tauri::App) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let handle = app.handle().clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::CloseRequested { api, .. } = event {
            let Some(state) = handle.try_state::<shell::AppState>() else {
                return;
            };
            let stop = state
                .store
                .setting::<String>(shell::tray::QUIT_SETTING)
                .ok()
                .flatten()
                .is_some_and(|c| c == "stop");
            if stop {
                api.prevent_close();
                let handle = handle.clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<shell::AppState>();
                    shell::tray::stop_everything(&state).await;
                    handle.exit(0);
                });
            }
        }
    });
}

/// When `run` began: the start of the app's own work (the start-up
/// benchmark measures from the process's spawn).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Time since `run` began (zero before it).
pub fn since_start() -> std::time::Duration {
    STARTED.get().map(|t| t.elapsed()).unwrap_or_default()
}

pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let log_dir = logging::init();

    let result = tauri::Builder::default()
        // First: a second launch hands its arguments (a deep link) to the
        // running app and exits (needs a D-Bus session bus on Linux).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            shell::tray::show_main_window(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_shell::init())
        // The main window's size, position and maximized state across
        // starts; not its visibility (started at login it stays hidden).
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .with_filter(|label| label == "main")
                .build(),
        )
        .setup(move |app| {
            let handle = app.handle().clone();
            // The main window is built here (not from the config alone) to
            // hold it to the app's own page and keep new windows out.
            shell::navigation::build_main_window(&handle)?;
            let dir = data_dir(|| handle.path().app_data_dir().ok())
                .ok_or("cannot find a folder for the app's data; set AI_DESKTOP_DATA_DIR")?;
            let store = match store::Store::open_in(&dir) {
                Ok(store) => Arc::new(store),
                Err(e) => {
                    // Say why in a window, not only on a terminal nobody sees.
                    let text = e.with_detail_text();
                    log::error!("cannot start: {text}");
                    shell::fatal_dialog(&handle, &text);
                    return Ok(());
                }
            };
            log::info!("data in {}", dir.display());
            let sink = Arc::new(shell::events::TauriEventSink::new(handle.clone()));
            let repos = Arc::new(repos::RepoRegistry::new(store.clone(), sink.clone()));
            let vscode = Arc::new(vscode::VsCodeManager::new(
                store.clone(),
                repos.clone(),
                sink.clone(),
                vscode::VsCodeConfig {
                    root: dir.join("vscode"),
                    env: vscode::inherited_env(),
                },
            ));
            let changes = Arc::new(git::ChangesFeed::new(repos.clone(), sink.clone()));
            let home = std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_default();
            let deployments = deployments::DeploymentManager::new(
                store.clone(),
                repos.clone(),
                sink.clone(),
                deployments::DeploymentsConfig {
                    root: dir.join("deployments"),
                    env: procs::user_env(),
                    default_pm2_home: std::env::var_os("PM2_HOME")
                        .map(std::path::PathBuf::from)
                        .unwrap_or_else(|| home.join(".pm2")),
                    docker_socket: deployments::discovery::socket_from_env(),
                    max_restarts: 10,
                },
            );
            let services = Arc::new(services::ServiceManager::new(
                store.clone(),
                dir.clone(),
                deployments::discovery::socket_from_env(),
                // Tests give theirs, so they never touch a developer's services.
                &std::env::var("AI_DESKTOP_SERVICES_PREFIX").unwrap_or_else(|_| "aidesktop".into()),
                sink.clone(),
            ));
            // Docker's events for our containers, and Docker going or coming back.
            tauri::async_runtime::spawn(services.clone().run_watch());
            // Status and metrics of deployments, only while there are some.
            tauri::async_runtime::spawn(deployments.clone().run_monitor());
            let mcp = mcp::McpHub::new(
                store.clone(),
                sink.clone(),
                mcp::McpConfig::new(procs::user_env()),
            );
            let flow = flow::FlowAgent::new(store.clone(), mcp.clone(), sink, dir.clone());
            // Servers an earlier run left behind lost their pipes: stop them
            // and start those servers afresh, without holding up the window.
            tauri::async_runtime::spawn({
                let mcp = mcp.clone();
                async move {
                    match mcp.reconcile().await {
                        Ok(ids) if !ids.is_empty() => {
                            log::info!("started {} MCP server(s) again", ids.len())
                        }
                        Ok(_) => {}
                        Err(e) => {
                            log::warn!("could not reconcile MCP servers: {}", e.with_detail_text())
                        }
                    }
                }
            });
            // Take back instances an earlier run left running (or forget dead ones).
            let adopted = tauri::async_runtime::block_on({
                let vscode = vscode.clone();
                async move { vscode.reconcile() }
            });
            match adopted {
                Ok(list) if !list.is_empty() => {
                    log::info!("re-adopted {} code-server instance(s)", list.len())
                }
                Ok(_) => {}
                Err(e) => log::warn!(
                    "could not reconcile code-server instances: {}",
                    e.with_detail_text()
                ),
            }
            let files_repos = repos.clone();
            let identity = Arc::new(git::identity::Identity::new(home.clone()));
            let workspaces = Arc::new(workspace::Workspaces::new(store.clone()));
            app.manage(AppState {
                store,
                repos,
                vscode,
                changes,
                mcp,
                deployments,
                services,
                flow,
                system: Arc::new(system::SystemMonitor::new()),
                terminals: Arc::new(terminal::TerminalManager::new()),
                git_ops: Arc::new(git::ops::GitOps::new(files_repos.clone(), identity.clone())),
                identity,
                git_sync: Arc::new(git::sync::GitSync::new(
                    files_repos.clone(),
                    workspaces.clone(),
                    home.clone(),
                )),
                files: Arc::new(files::FileBrowser::new(
                    files_repos,
                    workspaces.clone(),
                    std::env::var_os("XDG_DATA_HOME")
                        .map(PathBuf::from)
                        .filter(|p| p.is_absolute())
                        .unwrap_or_else(|| home.join(".local/share"))
                        .join("Trash"),
                )),
                workspaces,
                log_dir: log_dir.clone(),
                log_streams: Default::default(),
                data_dir: dir,
            });
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        shell::deeplink::handle(&handle, url.to_string());
                    }
                });
                if let Ok(Some(urls)) = app.deep_link().get_current() {
                    for url in urls {
                        shell::deeplink::handle(app.handle(), url.to_string());
                    }
                }
            }
            match shell::tray::build(&handle) {
                Ok(()) if shell::tray::can_show_tray() => {
                    // With a tray to bring it back, closing the window only hides it.
                    if let Some(window) = app.get_webview_window("main") {
                        // Started at login: to the tray, not in the user's face.
                        if std::env::args().any(|a| a == autostart::MINIMIZED_FLAG) {
                            let _ = window.hide();
                        }
                        let w = window.clone();
                        window.on_window_event(move |event| {
                            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                                api.prevent_close();
                                let _ = w.hide();
                            }
                        });
                    }
                }
                Ok(()) => {
                    log::warn!("no D-Bus session bus, so no tray icon; closing the window quits");
                    quit_on_close(app);
                }
                Err(e) => {
                    log::warn!("no tray icon ({e}); closing the window quits");
                    quit_on_close(app);
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            shell::commands::repos_list,
            shell::commands::repos_create,
            shell::commands::repos_update,
            shell::commands::repos_delete,
            shell::commands::repos_refresh_git,
            shell::commands::repos_inspect,
            shell::commands::app_info,
            shell::commands::app_painted,
            shell::commands::app_log,
            shell::vscode::vscode_status,
            shell::vscode::vscode_list,
            shell::vscode::vscode_start,
            shell::vscode::vscode_stop,
            shell::vscode::vscode_restart,
            shell::vscode::vscode_stop_all,
            shell::vscode::vscode_cleanup,
            shell::vscode::vscode_open,
            shell::vscode::vscode_logs,
            shell::vscode::vscode_set_binary,
            shell::vscode::vscode_changes,
            shell::vscode::vscode_watch,
            shell::vscode::vscode_diff,
            shell::mcp::mcp_list,
            shell::mcp::mcp_create,
            shell::mcp::mcp_update,
            shell::mcp::mcp_delete,
            shell::mcp::mcp_reveal,
            shell::mcp::mcp_duplicate,
            shell::mcp::mcp_import,
            shell::mcp::mcp_start,
            shell::mcp::mcp_stop,
            shell::mcp::mcp_restart,
            shell::mcp::mcp_tools,
            shell::mcp::mcp_resources,
            shell::mcp::mcp_read_resource,
            shell::mcp::mcp_prompts,
            shell::mcp::mcp_call_tool,
            shell::mcp::mcp_history,
            shell::mcp::mcp_clear_history,
            shell::mcp::mcp_logs,
            shell::deployments::deployments_status,
            shell::deployments::deployments_configure,
            shell::deployments::deployments_list,
            shell::deployments::deployments_suggest,
            shell::deployments::deployments_create,
            shell::deployments::deployments_update,
            shell::deployments::deployments_reveal,
            shell::deployments::deployments_start,
            shell::deployments::deployments_stop,
            shell::deployments::deployments_restart,
            shell::deployments::deployments_delete,
            shell::deployments::deployments_stop_all,
            shell::deployments::deployments_logs,
            shell::deployments::deployments_clear_logs,
            shell::deployments::deployments_services,
            shell::services::services_catalog,
            shell::services::services_overview,
            shell::services::services_install,
            shell::services::services_start,
            shell::services::services_stop,
            shell::services::services_restart,
            shell::services::services_uninstall,
            shell::services::services_logs,
            shell::flow::flow_settings,
            shell::flow::flow_save_settings,
            shell::flow::flow_test_connection,
            shell::flow::flow_models,
            shell::flow::flow_sessions,
            shell::flow::flow_create_session,
            shell::flow::flow_update_session,
            shell::flow::flow_archive_session,
            shell::flow::flow_delete_session,
            shell::flow::flow_messages,
            shell::flow::flow_send,
            shell::flow::flow_edit_message,
            shell::flow::flow_retry,
            shell::flow::flow_decide,
            shell::flow::flow_cancel,
            shell::flow::flow_grants,
            shell::flow::flow_revoke_grant,
            shell::flow::flow_watch,
            shell::system::system_watch,
            shell::system::system_snapshot,
            shell::system::pm2_processes,
            shell::system::pm2_act,
            shell::terminal::terminal_open,
            shell::terminal::terminal_list,
            shell::terminal::terminal_attach,
            shell::terminal::terminal_write,
            shell::terminal::terminal_resize,
            shell::terminal::terminal_read,
            shell::terminal::terminal_detach,
            shell::terminal::terminal_close,
            shell::git::git_identity,
            shell::git::git_set_identity,
            shell::git::ssh_keys,
            shell::git::ssh_generate,
            shell::git::ssh_test,
            shell::files::files_list,
            shell::files::files_mkdir,
            shell::files::files_rename,
            shell::files::files_trash,
            shell::files::files_read,
            shell::files::files_write,
            shell::commands::doctor_report,
            shell::commands::app_quit_choice,
            shell::commands::app_autostart,
            shell::commands::app_set_autostart,
            shell::commands::app_set_quit_choice,
            shell::commands::app_open_logs,
            shell::files::workspace_folders,
            shell::files::workspace_add,
            shell::files::workspace_remove,
            shell::git::git_state,
            shell::git::git_stashes,
            shell::git::git_stash_push,
            shell::git::git_stash_apply,
            shell::git::git_stash_drop,
            shell::git::git_tags,
            shell::git::git_create_tag,
            shell::git::git_delete_tag,
            shell::git::git_remotes,
            shell::git::git_add_remote,
            shell::git::git_remove_remote,
            shell::git::git_show,
            shell::git::git_reset,
            shell::git::git_fetch,
            shell::git::git_pull,
            shell::git::git_push,
            shell::git::git_merge,
            shell::git::git_rebase,
            shell::git::git_abort,
            shell::git::git_continue_rebase,
            shell::git::git_clone,
            shell::git::git_stage,
            shell::git::git_unstage,
            shell::git::git_commit,
            shell::git::git_log,
            shell::git::git_branches,
            shell::git::git_create_branch,
            shell::git::git_switch_branch,
            shell::git::git_delete_branch,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        log::error!("AI Desktop could not start: {e}");
        eprintln!("AI Desktop could not start: {e}");
        std::process::exit(1);
    }
}
