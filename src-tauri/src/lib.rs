//! AI Desktop's desktop side: the Tauri app. `run` opens the core's
//! [`App`] (everything the app does lives in `ai_desktop_core`) and wires it
//! to the window: the commands (one file per command prefix in
//! [`commands`]), events to the page ([`events`]), the tray, deep links,
//! the window policy and log streams.

pub mod commands;
pub mod deeplink;
pub mod events;
pub mod logs;
pub mod navigation;
pub mod state;
#[cfg(feature = "e2e")]
pub mod testkit;
pub mod tray;

use ai_desktop_core::{data_dir, App, Config};
use state::AppState;
use std::sync::Arc;
use tauri::Manager;

/// Closing the main window: with a tray icon up, it only hides (the tray
/// brings it back); without one the app quits, managed processes stopped
/// first when that is the remembered quit choice (no question is asked
/// here: a closing window is not the place for one).
fn on_close(app: &tauri::App) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let handle = app.handle().clone();
    let w = window.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::CloseRequested { api, .. } = event {
            if tray::is_up() {
                api.prevent_close();
                let _ = w.hide();
                state::main_window_shown(&handle, false);
                return;
            }
            let Some(state) = handle.try_state::<AppState>() else {
                return;
            };
            let stop = state.quit_stops().ok().flatten() == Some(true);
            if stop {
                api.prevent_close();
                let handle = handle.clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<AppState>();
                    state.stop_everything().await;
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
    let log_dir = ai_desktop_core::logging::init();
    // Tauri's tokio runtime is current on the main thread too, so libraries
    // that pick a runtime by looking (zbus, for the single-instance plugin's
    // bus connection) use its blocking pool, whose idle threads end, instead
    // of async-io's, whose idle thread wakes twice a second for good.
    let tauri::async_runtime::RuntimeHandle::Tokio(runtime) = tauri::async_runtime::handle();
    let _current = runtime.enter();

    let result = tauri::Builder::default()
        // First: a second launch hands its arguments (a deep link) to the
        // running app and exits (needs a D-Bus session bus on Linux).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
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
            let setup_began = since_start();
            let handle = app.handle().clone();
            let dir = data_dir(|| handle.path().app_data_dir().ok())
                .ok_or("cannot find a folder for the app's data; set AI_DESKTOP_DATA_DIR")?;
            let sink = Arc::new(events::TauriEventSink::new(handle.clone()));
            let core = match App::open(Config::from_env(dir.clone(), log_dir.clone()), sink) {
                Ok(core) => core,
                Err(e) => {
                    // Say why in a window, not only on a terminal nobody sees.
                    let text = e.with_detail_text();
                    log::error!("cannot start: {text}");
                    state::fatal_dialog(&handle, &text);
                    return Ok(());
                }
            };
            log::info!("data in {}", dir.display());
            core.mcp
                .set_browser(Arc::new(navigation::DesktopBrowser(handle.clone())));
            core.gateway
                .set_editor_opener(navigation::editor_opener(handle.clone()));
            let opened = since_start();
            // On Tauri's tokio runtime: instances an earlier run left are
            // taken back now, the background loops start.
            tauri::async_runtime::block_on(async { core.start() });
            let started = since_start();
            app.manage(AppState {
                app: core,
                log_streams: Default::default(),
            });
            // The main window is built here (not from the config alone) to
            // hold it to the app's own page and keep new windows out; and
            // last, once the main thread's own work is done. A window shown
            // before that gets its first draw while its web process waits on
            // this busy thread, and WebKit's draw then blocks for its 500 ms
            // timeout for a frame that cannot come: the slow half of a
            // bimodal start (docs/development.md, "Start-up"). For the same
            // reason the tray icon comes once the first frame is on screen.
            navigation::build_main_window(&handle)?;
            log::info!(
                "setup from {} ms: store open {} ms, started {} ms, window {} ms",
                setup_began.as_millis(),
                (opened - setup_began).as_millis(),
                (started - opened).as_millis(),
                (since_start() - started).as_millis(),
            );
            on_close(app);
            // Started at login: to the tray, not in the user's face.
            // (It paints nothing hidden: the tray icon comes now.)
            if std::env::args().any(|a| a == ai_desktop_core::autostart::MINIMIZED_FLAG) {
                if tray::ensure_here(app.handle()) {
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.hide();
                        state::main_window_shown(app.handle(), false);
                    }
                }
            } else {
                tray::ensure_after(app.handle(), std::time::Duration::from_secs(3));
            }
            follow_color_scheme(app.handle());
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        deeplink::handle(&handle, url.to_string());
                    }
                });
                if let Ok(Some(urls)) = app.deep_link().get_current() {
                    for url in urls {
                        deeplink::handle(app.handle(), url.to_string());
                    }
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::repos::repos_list,
            commands::repos::repos_create,
            commands::repos::repos_update,
            commands::repos::repos_delete,
            commands::repos::repos_refresh_git,
            commands::repos::repos_set_trusted,
            commands::repos::repos_set_mcp_profile,
            commands::repos::repos_inspect,
            commands::app::app_info,
            commands::app::app_painted,
            commands::app::app_log,
            commands::vscode::vscode_status,
            commands::vscode::vscode_list,
            commands::vscode::vscode_start,
            commands::vscode::vscode_stop,
            commands::vscode::vscode_restart,
            commands::vscode::vscode_stop_all,
            commands::vscode::vscode_cleanup,
            commands::vscode::vscode_open,
            commands::vscode::vscode_open_file,
            commands::vscode::vscode_logs,
            commands::vscode::vscode_set_binary,
            commands::mcp::mcp_list,
            commands::mcp::mcp_create,
            commands::mcp::mcp_update,
            commands::mcp::mcp_delete,
            commands::mcp::mcp_reveal,
            commands::mcp::mcp_duplicate,
            commands::mcp::mcp_import,
            commands::mcp::mcp_start,
            commands::mcp::mcp_stop,
            commands::mcp::mcp_restart,
            commands::mcp::mcp_tools,
            commands::mcp::mcp_resources,
            commands::mcp::mcp_read_resource,
            commands::mcp::mcp_prompts,
            commands::mcp::mcp_call_tool,
            commands::mcp::mcp_history,
            commands::mcp::mcp_clear_history,
            commands::mcp::mcp_elicitations,
            commands::mcp::mcp_sign_out,
            commands::mcp::mcp_profiles,
            commands::mcp::mcp_save_profile,
            commands::mcp::mcp_send_request,
            commands::mcp::mcp_saved_requests,
            commands::mcp::mcp_save_request,
            commands::mcp::mcp_subscribe,
            commands::mcp::mcp_resource_templates,
            commands::mcp::mcp_read_template,
            commands::mcp::mcp_wire,
            commands::mcp::mcp_export,
            commands::mcp::mcp_get_prompt,
            commands::mcp::mcp_set_tool_enabled,
            commands::mcp::mcp_answer_elicitation,
            commands::mcp::mcp_logs,
            commands::gateway::gateway_status,
            commands::gateway::gateway_configure,
            commands::gateway::gateway_set_rule,
            commands::gateway::gateway_token,
            commands::gateway::gateway_rotate_token,
            commands::gateway::gateway_client_config,
            commands::gateway::gateway_approvals,
            commands::gateway::gateway_answer,
            commands::gateway::gateway_history,
            commands::gateway::gateway_clear_history,
            commands::deployments::deployments_status,
            commands::deployments::deployments_configure,
            commands::deployments::deployments_list,
            commands::deployments::deployments_watch,
            commands::deployments::deployments_metrics,
            commands::deployments::deployments_suggest,
            commands::deployments::deployments_create,
            commands::deployments::deployments_update,
            commands::deployments::deployments_reveal,
            commands::deployments::deployments_start,
            commands::deployments::deployments_stop,
            commands::deployments::deployments_restart,
            commands::deployments::deployments_deploy,
            commands::deployments::deployments_runs,
            commands::deployments::deployments_open_url,
            commands::deployments::deployments_reload,
            commands::deployments::deployments_delete,
            commands::deployments::deployments_stop_all,
            commands::deployments::deployments_logs,
            commands::deployments::deployments_clear_logs,
            commands::deployments::deployments_services,
            commands::services::services_catalog,
            commands::services::services_overview,
            commands::services::services_clone,
            commands::services::services_backup,
            commands::services::services_restore,
            commands::services::services_databases,
            commands::services::services_forward,
            commands::services::services_compose_plan,
            commands::services::services_compose_import,
            commands::services::services_terminal,
            commands::services::services_stats,
            commands::services::services_create_database,
            commands::services::services_repo_databases,
            commands::stack::stack_plan,
            commands::stack::stack_up,
            commands::stack::stack_down,
            commands::stack::stack_runs,
            commands::stack::stack_services,
            commands::stack::stack_set_services,
            commands::stack::stack_timeline,
            commands::services::services_install,
            commands::services::services_start,
            commands::services::services_stop,
            commands::services::services_restart,
            commands::services::services_uninstall,
            commands::services::services_logs,
            commands::flow::flow_settings,
            commands::flow::flow_save_settings,
            commands::flow::flow_test_connection,
            commands::flow::flow_models,
            commands::flow::flow_sessions,
            commands::flow::flow_create_session,
            commands::flow::flow_update_session,
            commands::flow::flow_archive_session,
            commands::flow::flow_delete_session,
            commands::flow::flow_messages,
            commands::flow::flow_send,
            commands::flow::flow_edit_message,
            commands::flow::flow_retry,
            commands::flow::flow_decide,
            commands::flow::flow_cancel,
            commands::flow::flow_grants,
            commands::flow::flow_revoke_grant,
            commands::flow::flow_checkpoints,
            commands::flow::flow_undo_to,
            commands::flow::flow_fix_crash,
            commands::flow::flow_recipes,
            commands::flow::flow_save_recipe,
            commands::flow::flow_delete_recipe,
            commands::flow::flow_run_recipe,
            commands::flow::flow_fork,
            commands::flow::flow_export,
            commands::flow::flow_attachment,
            commands::flow::flow_make_sandbox,
            commands::flow::flow_sandbox,
            commands::flow::flow_commit_sandbox,
            commands::flow::flow_discard_sandbox,
            commands::flow::flow_watch,
            commands::system::system_watch,
            commands::system::system_snapshot,
            commands::pm2::pm2_processes,
            commands::pm2::pm2_act,
            commands::terminals::terminals_open,
            commands::terminals::terminals_list,
            commands::terminals::terminals_attach,
            commands::terminals::terminals_write,
            commands::terminals::terminals_resize,
            commands::terminals::terminals_read,
            commands::terminals::terminals_detach,
            commands::terminals::terminals_close,
            commands::git::git_identity,
            commands::git::git_set_identity,
            commands::ssh::ssh_keys,
            commands::ssh::ssh_generate,
            commands::ssh::ssh_test,
            commands::hosts::hosts_list,
            commands::hosts::hosts_deployments,
            commands::hosts::hosts_stack_up,
            commands::hosts::hosts_stack_down,
            commands::hosts::hosts_deploy,
            commands::hosts::hosts_deployment_act,
            commands::hosts::hosts_deployment_delete,
            commands::hosts::hosts_deployment_logs,
            commands::hosts::hosts_deployment_forward,
            commands::hosts::hosts_editors,
            commands::hosts::hosts_open_editor,
            commands::hosts::hosts_stop_editor,
            commands::hosts::hosts_install_code_server,
            commands::hosts::hosts_scan,
            commands::hosts::hosts_add,
            commands::hosts::hosts_check,
            commands::hosts::hosts_delete,
            commands::hosts::hosts_repositories,
            commands::hosts::hosts_add_repository,
            commands::hosts::hosts_remove_repository,
            commands::hosts::hosts_changes,
            commands::hosts::hosts_diff,
            commands::hosts::hosts_log,
            commands::hosts::hosts_files,
            commands::hosts::hosts_read_file,
            commands::files::files_list,
            commands::files::files_mkdir,
            commands::files::files_rename,
            commands::files::files_trash,
            commands::files::files_read,
            commands::files::files_write,
            commands::doctor::doctor_report,
            commands::app::app_quit_choice,
            commands::app::app_autostart,
            commands::app::app_set_autostart,
            commands::app::app_set_quit_choice,
            commands::app::app_open_logs,
            commands::workspaces::workspaces_folders,
            commands::workspaces::workspaces_add,
            commands::workspaces::workspaces_remove,
            commands::git::git_changes,
            commands::git::git_watch,
            commands::git::git_diff,
            commands::git::git_state,
            commands::git::git_stashes,
            commands::git::git_stash_push,
            commands::git::git_stash_apply,
            commands::git::git_stash_drop,
            commands::git::git_tags,
            commands::git::git_create_tag,
            commands::git::git_delete_tag,
            commands::git::git_remotes,
            commands::git::git_add_remote,
            commands::git::git_remove_remote,
            commands::git::git_show,
            commands::git::git_reset,
            commands::git::git_fetch,
            commands::git::git_pull,
            commands::git::git_push,
            commands::git::git_merge,
            commands::git::git_rebase,
            commands::git::git_abort,
            commands::git::git_continue_rebase,
            commands::git::git_clone,
            commands::git::git_stage,
            commands::git::git_unstage,
            commands::git::git_apply_lines,
            commands::git::git_last_undo,
            commands::git::git_draft_message,
            commands::git::git_summaries,
            commands::git::git_search_history,
            commands::git::git_rebase_commits,
            commands::git::git_rebase_interactive,
            commands::git::git_conflict,
            commands::git::git_resolve,
            commands::git::git_worktrees,
            commands::git::git_add_worktree,
            commands::git::git_remove_worktree,
            commands::git::git_signature,
            commands::git::git_cherry_pick,
            commands::git::git_revert,
            commands::git::git_blame,
            commands::git::git_file_history,
            commands::git::git_rename_branch,
            commands::git::git_graph,
            commands::git::git_discard_file,
            commands::git::git_amend,
            commands::git::git_undo,
            commands::git::git_commit,
            commands::git::git_log,
            commands::git::git_branches,
            commands::git::git_create_branch,
            commands::git::git_switch_branch,
            commands::git::git_delete_branch,
        ])
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|app, event| {
                if let tauri::RunEvent::Exit = event {
                    // Tool calls already answered are written before the
                    // process ends.
                    if let Some(state) = app.try_state::<AppState>() {
                        state.mcp.flush_history();
                        // No shared ssh connection outlives the app.
                        state.hosts.disconnect_all();
                        // Nor a forward to an editor on a host (the editor
                        // there is taken back at the next start).
                        state.host_editors.end_forwards();
                        // Nor one to a host's Docker or services.
                        state.host_engines.end_forwards();
                        state.host_deploys.end_forwards();
                    }
                }
            })
        });
    if let Err(e) = result {
        log::error!("AI Desktop could not start: {e}");
        eprintln!("AI Desktop could not start: {e}");
        std::process::exit(1);
    }
}

/// Light or dark as the desktop prefers, followed from its portal's signal
/// (no thread, no polling); without a session bus or a portal the GTK
/// theme decides.
fn follow_color_scheme(handle: &tauri::AppHandle) {
    use ai_desktop_core::appearance::{self, ColorScheme};
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        let followed = appearance::follow(None, move |scheme| {
            log::info!("the desktop's colour scheme: {scheme:?}");
            handle.set_theme(match scheme {
                ColorScheme::Dark => Some(tauri::Theme::Dark),
                ColorScheme::Light => Some(tauri::Theme::Light),
                ColorScheme::Default => None,
            });
        })
        .await;
        if let Err(e) = followed {
            log::info!("not following the desktop's colour scheme: {e}");
        }
    });
}
