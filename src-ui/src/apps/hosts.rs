//! Hosts: dev boxes reached over SSH with the user's keys and
//! `~/.ssh/config`. Adding one shows where ssh connects and the host key's
//! fingerprint; a key no known_hosts file has must be accepted first. Each
//! host shows what it has (its Doctor) and can be checked again.

use super::settings::ToolsTable;
use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::load::resource;
use crate::components::status::StatusPill;
use crate::components::toast::{use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::files::{EntryKind, FileEntry, FileText};
use ai_desktop_api::git;
use ai_desktop_api::hosts::{self, Host, HostEditor, HostEditorState, HostKeyScan, NewHost};
use ai_desktop_api::vscode::OpenTarget;
use ai_desktop_api::{ApiError, ErrorCode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};

#[component]
pub fn HostsPage() -> impl IntoView {
    let list = resource(|| hosts::List {});
    let adding = RwSignal::new(false);
    let deleting = RwSignal::new(None::<Host>);
    let refetch = Callback::new(move |_: ()| list.refetch());
    view! {
        <section class="page" data-testid="page-hosts">
            <header class="page-header">
                <div>
                    <h1>"Hosts"</h1>
                    <p class="muted">"Dev boxes you reach with ssh: your keys, your agent and your ~/.ssh/config."</p>
                </div>
                <div class="header-actions">
                    <button class="button primary" data-testid="host-add-open" on:click=move |_| adding.set(true)>
                        <Svg icon=Icon::Plus/>"Add host…"
                    </button>
                </div>
            </header>
            {move || match list.get() {
                None => view! { <div class="loading" data-testid="hosts-loading"><span class="spinner"></span>"Loading hosts…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e test_id="hosts-error"/> }.into_any(),
                Some(Ok(l)) if l.is_empty() => view! {
                    <div class="empty-state" data-testid="hosts-empty">
                        <div class="empty-icon"><Svg icon=Icon::Server/></div>
                        <h2>"No hosts yet"</h2>
                        <p class="muted">"Add a machine you reach with ssh — user@host, or a Host alias of ~/.ssh/config — to see what it has."</p>
                        <button class="button primary" on:click=move |_| adding.set(true)>"Add your first host"</button>
                    </div>
                }.into_any(),
                Some(Ok(l)) => view! {
                    <div class="host-list" data-testid="hosts">
                        {l.into_iter().map(|h| view! { <HostCard host=h on_changed=refetch on_delete=Callback::new(move |h| deleting.set(Some(h)))/> }).collect_view()}
                    </div>
                }.into_any(),
            }}
            {move || adding.get().then(|| view! {
                <AddHostDialog on_close=Callback::new(move |_| adding.set(false)) on_added=refetch/>
            })}
            {move || deleting.get().map(|h| {
                let id = h.id;
                let name = h.name.clone();
                let run = move || {
                    let name = name.clone();
                    async move {
                        ipc::call(&hosts::Delete { id }).await?;
                        list.refetch();
                        Ok(format!("{name} removed"))
                    }
                };
                view! {
                    <ConfirmDialog title="Remove host?".to_string() action="Remove" run
                        on_close=Callback::new(move |_| deleting.set(None))
                        test_id="host-delete-dialog" confirm_id="host-delete-yes">
                        <p>"Remove " <strong>{h.name.clone()}</strong> " from AI Desktop? Nothing on the host changes; the host key the app remembered for it is forgotten."</p>
                    </ConfirmDialog>
                }
            })}
        </section>
    }
}

#[component]
fn HostCard(host: Host, on_changed: Callback<()>, on_delete: Callback<Host>) -> impl IntoView {
    let toasts = use_toasts();
    let id = host.id;
    let check = Action::new_local(move |_: &()| async move {
        match ipc::call(&hosts::Check { id }).await {
            Ok(h) => {
                toasts.success(format!("{} checked", h.name));
                on_changed.try_run(());
            }
            Err(e) => {
                toasts.error("The host could not be checked", &e);
                // The host is marked unreachable: show it.
                on_changed.try_run(());
            }
        }
    });
    let checking = check.pending();
    let install = Action::new_local(move |_: &()| async move {
        match ipc::call(&hosts::InstallCodeServer { host_id: id }).await {
            Ok(h) => {
                toasts.success(format!("code-server installed on {}", h.name));
                on_changed.try_run(());
            }
            Err(e) => toasts.error("code-server could not be installed", &e),
        }
    });
    let installing = install.pending();
    let no_code_server = host
        .report
        .as_ref()
        .is_some_and(|r| r.tools.iter().any(|t| t.name == "code-server" && !t.found));
    let address = format!("{}@{}:{}", host.user, host.host_name, host.host_port);
    let for_delete = host.clone();
    view! {
        <div class="panel host-card" data-testid="host">
            <div class="panel-title">
                <span data-testid="host-name">{host.name.clone()}</span>
                <span class="row-actions">
                    <button class="button small" data-testid="host-check" disabled=move || checking.get()
                        on:click=move |_| { check.dispatch(()); }>
                        {move || if checking.get() { "Checking…" } else { "Check again" }}
                    </button>
                    <button class="button small danger" data-testid="host-delete"
                        on:click=move |_| on_delete.run(for_delete.clone())>"Remove…"</button>
                </span>
            </div>
            {host.unreachable.clone().map(|why| view! {
                <p class="banner warn" data-testid="host-unreachable">
                    {format!("Unreachable at {}: {why}", host.unreachable_at.clone().unwrap_or_default().replace('T', " ").chars().take(19).collect::<String>())}
                </p>
            })}
            <dl class="facts">
                <dt>"Connects to"</dt><dd class="mono" data-testid="host-address">{address}</dd>
                <dt>"Key"</dt><dd class="mono">{host.key.as_ref().map_or_else(|| "the agent / ssh's defaults".to_string(), |k| format!("~/.ssh/{k}"))}</dd>
                <dt>"Host key"</dt><dd class="mono" data-testid="host-fingerprint">{host.fingerprint.clone()}</dd>
                {host.report.as_ref().map(|r| view! {
                    <dt>"System"</dt><dd class="mono" data-testid="host-system">{r.system.clone()}</dd>
                    <dt>"Checked"</dt><dd data-testid="host-checked">{format!("{} · answered in {} ms", r.checked_at.replace('T', " ").chars().take(19).collect::<String>(), r.answered_ms)}</dd>
                })}
            </dl>
            {host.report.map(|r| {
                // The table is folded away once everything is there: the
                // repositories are what the card is used for.
                let missing: Vec<String> = r.tools.iter().filter(|t| !t.found).map(|t| t.name.clone()).collect();
                let found: Vec<String> = r.tools.iter().filter(|t| t.found)
                    .map(|t| match &t.version { Some(v) => format!("{} {v}", t.name), None => t.name.clone() })
                    .collect();
                let summary = if missing.is_empty() {
                    format!("All {} tools found: {}", found.len(), found.join(" · "))
                } else {
                    format!("{} of {} tools found; missing: {}", found.len(), r.tools.len(), missing.join(", "))
                };
                view! {
                    <details class="host-tools" open=!missing.is_empty()>
                        <summary data-testid="host-tools-summary">{summary}</summary>
                        <ToolsTable tools=r.tools prefix="host-tool" test_id="host-tools"/>
                    </details>
                }
            })}
            {no_code_server.then(|| view! {
                <div class="banner host-banner" data-testid="host-code-server-missing">
                    <span>"code-server is not on this host: its repositories cannot open in VS Code yet."</span>
                    <button class="button small primary" data-testid="host-install-code-server" disabled=move || installing.get()
                        title="npm install code-server@4.116.0 into ~/.local/share/aidesktop there (needs Node 22; no root)"
                        on:click=move |_| { install.dispatch(()); }>
                        {move || if installing.get() { "Installing… (npm, a few minutes)" } else { "Install code-server there" }}
                    </button>
                </div>
            })}
            <HostRepositories host_id=id/>
            <super::host_deploy::HostDeploymentsPanel host_id=id/>
        </div>
    }
}

/// The git working trees added on a host: each one's changes, a file's
/// diff and the last commits, read there over ssh.
#[component]
fn HostRepositories(host_id: i64) -> impl IntoView {
    let toasts = use_toasts();
    let list = resource(move || hosts::Repositories { host_id });
    let path = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let adding = RwSignal::new(false);
    let open = RwSignal::new(None::<i64>);
    let browsing = RwSignal::new(None::<i64>);
    // Each repository's editor there, kept live by its events.
    let editors = RwSignal::new(HashMap::<i64, HostEditor>::new());
    let editor_busy = RwSignal::new(HashSet::<i64>::new());
    let load_editors = move || {
        spawn_local(async move {
            if let Ok(list) = ipc::call(&hosts::Editors { host_id }).await {
                let _ = editors.try_set(list.into_iter().map(|e| (e.id, e)).collect());
            }
        });
    };
    ipc::listen_while_mounted_then(
        ai_desktop_api::events::HOST_EDITOR_UPDATED,
        move |e: HostEditor| {
            if e.host_id == host_id {
                editors.update(|m| {
                    m.insert(e.id, e);
                });
            }
        },
        load_editors,
    );
    let open_editor = move |id: i64, target: OpenTarget| {
        editor_busy.update(|b| {
            b.insert(id);
        });
        spawn_local(async move {
            let r = ipc::call(&hosts::OpenEditor { id, target }).await;
            let _ = editor_busy.try_update(|b| b.remove(&id));
            if let Err(e) = r {
                toasts.error("Could not open VS Code on the host", &e);
            }
        });
    };
    let stop_editor = move |id: i64| {
        editor_busy.update(|b| {
            b.insert(id);
        });
        spawn_local(async move {
            let r = ipc::call(&hosts::StopEditor { id }).await;
            let _ = editor_busy.try_update(|b| b.remove(&id));
            match r {
                Ok(_) => toasts.success("VS Code stopped on the host"),
                Err(e) => toasts.error("Could not stop VS Code on the host", &e),
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        adding.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&hosts::AddRepository {
                host_id,
                path: path.get_untracked(),
            })
            .await;
            let _ = adding.try_set(false);
            match r {
                Ok(repo) => {
                    toasts.success(format!("{} added", repo.name));
                    path.set(String::new());
                    open.set(Some(repo.id));
                    list.refetch();
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    // The whole stack: the host's stopped services, the repository's apps
    // there, then its editor.
    let stack = move |id: i64, up: bool| {
        editor_busy.update(|b| {
            b.insert(id);
        });
        spawn_local(async move {
            let done = if up {
                ipc::call(&hosts::StackUp {
                    id,
                    target: OpenTarget::AppWindow,
                })
                .await
                .map(|r| {
                    let mut started: Vec<String> = r.services;
                    started.extend(r.apps);
                    if started.is_empty() {
                        "Everything was running; VS Code opened".to_string()
                    } else {
                        format!("Started {} and VS Code", started.join(", "))
                    }
                })
            } else {
                ipc::call(&hosts::StackDown { id }).await.map(|apps| {
                    if apps.is_empty() {
                        "VS Code stopped (no app was running)".to_string()
                    } else {
                        format!("Stopped {} and VS Code", apps.join(", "))
                    }
                })
            };
            let _ = editor_busy.try_update(|b| b.remove(&id));
            match done {
                Ok(m) => toasts.success(m),
                Err(e) => toasts.error(
                    if up {
                        "The stack did not start"
                    } else {
                        "The stack did not stop"
                    },
                    &e,
                ),
            }
        });
    };
    let remove = move |id: i64, name: String| {
        spawn_local(async move {
            match ipc::call(&hosts::RemoveRepository { id }).await {
                Ok(()) => {
                    toasts.success(format!("{name} removed (the folder stays on the host)"));
                    list.refetch();
                }
                Err(e) => toasts.error("The repository could not be removed", &e),
            }
        });
    };
    view! {
        <h3 class="section-title">"Repositories on this host"</h3>
        {move || match list.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Loading…"</div> }.into_any(),
            Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
            Some(Ok(l)) if l.is_empty() => view! {
                <p class="muted small-text" data-testid="host-repos-empty">"None yet: add a git working tree by its folder on the host."</p>
            }.into_any(),
            Some(Ok(l)) => view! {
                <ul class="host-repos" data-testid="host-repos">
                    {l.into_iter().map(|r| {
                        let id = r.id;
                        let name = r.name.clone();
                        let editor = move || editors.with(|m| m.get(&id).cloned());
                        let editor_state = move || editor().map(|e| e.state).unwrap_or(HostEditorState::Stopped);
                        let busy = move || editor_busy.with(|b| b.contains(&id));
                        view! {
                            <li data-testid="host-repo">
                                <div class="host-repo-row">
                                    <span><strong>{r.name.clone()}</strong>" "<span class="mono muted small-text">{r.path.clone()}</span></span>
                                    <span class="row-actions">
                                        {move || {
                                            let e = editor();
                                            let text = match (editor_state(), e.as_ref().and_then(|e| e.port)) {
                                                (HostEditorState::Running, Some(port)) => format!("VS Code running there · :{port}"),
                                                (s, _) => format!("VS Code: {}", crate::components::status::Status::label(s)),
                                            };
                                            view! {
                                                <span data-testid=format!("host-editor-state-{id}") title=e.and_then(|e| e.error).unwrap_or_default()>
                                                    <StatusPill state=editor_state() text/>
                                                </span>
                                            }
                                        }}
                                        {move || busy().then(|| view! { <span class="spinner"></span> })}
                                        <button class="button small primary" data-testid=format!("host-editor-open-{id}") disabled=busy
                                            title="Start VS Code on the host if needed and open it here, signed in"
                                            on:click=move |_| open_editor(id, OpenTarget::AppWindow)>
                                            {move || if busy() && editor_state() != HostEditorState::Running { "Opening…" } else { "Open in VS Code" }}
                                        </button>
                                        {move || (editor_state() == HostEditorState::Running).then(|| view! {
                                            <button class="button small" title="Open in the system browser" disabled=busy
                                                on:click=move |_| open_editor(id, OpenTarget::Browser)>"Browser"</button>
                                            <button class="button small" data-testid=format!("host-editor-stop-{id}") disabled=busy
                                                on:click=move |_| stop_editor(id)>"Stop VS Code"</button>
                                        })}
                                        <button class="button small" data-testid=format!("host-stack-up-{id}") disabled=busy
                                            title="Start the host's stopped services, this repository's apps there, then VS Code"
                                            on:click=move |_| stack(id, true)>"Start all"</button>
                                        <button class="button small" data-testid=format!("host-stack-down-{id}") disabled=busy
                                            title="Stop this repository's apps there and VS Code (the host's services keep running)"
                                            on:click=move |_| stack(id, false)>"Stop all"</button>
                                        <button class="button small" data-testid="host-repo-open"
                                            on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                                            {move || if open.get() == Some(id) { "Hide changes" } else { "Changes" }}
                                        </button>
                                        <button class="button small" data-testid="host-repo-browse"
                                            on:click=move |_| browsing.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                                            {move || if browsing.get() == Some(id) { "Hide files" } else { "Files" }}
                                        </button>
                                        <button class="button small" data-testid="host-repo-remove"
                                            on:click=move |_| remove(id, name.clone())>"Remove"</button>
                                    </span>
                                </div>
                                {move || editor().and_then(|e| e.error.filter(|_| matches!(e.state, HostEditorState::Failed | HostEditorState::Unreachable))).map(|why| view! {
                                    <p class="hint-error small-text" data-testid=format!("host-editor-error-{id}")>{why}</p>
                                })}
                                {move || (open.get() == Some(id)).then(|| view! { <RemoteChanges id=id/> })}
                                {move || (browsing.get() == Some(id)).then(|| view! { <RemoteFiles id=id/> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <form class="field-row host-repo-add" on:submit=add>
            <input class="input mono" data-testid="host-repo-path" placeholder="/home/me/project"
                prop:value=path on:input=move |ev| path.set(event_target_value(&ev))/>
            <button type="submit" class="button" data-testid="host-repo-add" disabled=move || adding.get()>
                {move || if adding.get() { "Adding…" } else { "Add repository" }}
            </button>
        </form>
        {move || error.get().map(|e| view! { <ErrorText error=e test_id="host-repo-error"/> })}
    }
}

/// A host repository's changed files (a click shows the file's diff) and
/// its last commits.
#[component]
fn RemoteChanges(id: i64) -> impl IntoView {
    let changes = resource(move || hosts::Changes { id });
    let log = resource(move || hosts::Log { id });
    let diff = RwSignal::new(None::<(String, Result<String, ApiError>)>);
    let show = move |path: String, staged: bool| {
        spawn_local(async move {
            let r = ipc::call(&hosts::Diff {
                id,
                path: path.clone(),
                staged,
            })
            .await;
            let _ = diff.try_set(Some((path, r)));
        });
    };
    view! {
        <div class="host-repo-detail" data-testid="host-repo-detail">
            <div class="row-actions">
                <button class="button small" data-testid="host-repo-refresh"
                    on:click=move |_| { changes.refetch(); log.refetch(); }>"Refresh"</button>
            </div>
            {move || match changes.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading git status there…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e test_id="host-repo-changes-error"/> }.into_any(),
                Some(Ok(c)) => {
                    let summary = format!(
                        "On {} · {} staged, {} unstaged, {} untracked{}",
                        c.branch.clone().unwrap_or_else(|| "no branch".into()),
                        c.counts.staged, c.counts.unstaged, c.counts.untracked,
                        if c.truncated { " (list cut)" } else { "" }
                    );
                    view! {
                        <p class="small-text" data-testid="host-repo-summary">{summary}</p>
                        {c.files.is_empty().then(|| view! { <p class="muted small-text" data-testid="host-repo-clean">"Nothing changed."</p> })}
                        <ul class="host-files" data-testid="host-repo-files">
                            {c.files.into_iter().map(|f| {
                                let staged_only = f.unstaged.is_none() && f.staged.is_some();
                                let state = match (f.staged, f.unstaged) {
                                    (_, Some(ai_desktop_api::git::ChangeKind::Untracked)) => "untracked",
                                    (Some(_), Some(_)) => "staged + unstaged",
                                    (Some(_), None) => "staged",
                                    _ => "unstaged",
                                };
                                let path = f.path.clone();
                                view! {
                                    <li>
                                        <button class="link mono" data-testid="host-repo-file"
                                            on:click=move |_| show(path.clone(), staged_only)>{f.path.clone()}</button>
                                        " "<span class="chip">{state}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || diff.get().map(|(path, r)| match r {
                Ok(text) if text.trim().is_empty() => view! {
                    <p class="muted small-text" data-testid="host-repo-diff">{format!("{path}: no diff to show (a new file: git knows nothing of it yet).")}</p>
                }.into_any(),
                Ok(text) => view! {
                    <table class="diff-table mono" data-testid="host-repo-diff">
                        <tbody>
                            {text.lines().map(|l| {
                                let class = if l.starts_with('+') && !l.starts_with("+++") { "diff-add" }
                                    else if l.starts_with('-') && !l.starts_with("---") { "diff-del" } else { "" };
                                view! { <tr class=class><td class="code">{l.to_string()}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Err(e) => view! { <ErrorText error=e test_id="host-repo-diff-error"/> }.into_any(),
            })}
            <h4 class="small-text muted">"Last commits"</h4>
            {move || match log.get() {
                None => view! { <p class="muted small-text">"Reading the log…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                Some(Ok(l)) => view! {
                    <ul class="host-log small-text" data-testid="host-repo-log">
                        {l.into_iter().map(|c| view! {
                            <li><span class="mono">{c.short_id}</span>" "{c.summary}<span class="muted">{format!(" — {}", c.author)}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn AddHostDialog(on_close: Callback<()>, on_added: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let destination = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    // The host's key as scanned: the second step.
    let scanned = RwSignal::new(None::<HostKeyScan>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let keys = resource(|| git::SshKeys {});
    let parse_port = move || -> Result<Option<u16>, ApiError> {
        let p = port.get_untracked();
        let p = p.trim();
        if p.is_empty() {
            return Ok(None);
        }
        p.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("\"{p}\" is not a port: give a number from 1 to 65535."),
                )
            })
    };
    // Anything changed in the form: the scan no longer says what will be added.
    let edited = move || {
        scanned.set(None);
        error.set(None);
    };
    let scan = move || {
        let port = match parse_port() {
            Ok(p) => p,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&hosts::Scan {
                destination: destination.get_untracked(),
                port,
            })
            .await;
            busy.set(false);
            match r {
                Ok(s) => scanned.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let add = move || {
        let Some(s) = scanned.get_untracked() else {
            return;
        };
        let port = match parse_port() {
            Ok(p) => p,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let input = NewHost {
                name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
                destination: destination.get_untracked(),
                port,
                key: Some(key.get_untracked()).filter(|k| !k.is_empty()),
                trust_fingerprint: (!s.known).then(|| s.fingerprint.clone()),
            };
            let r = ipc::call(&hosts::Add { input }).await;
            let _ = busy.try_set(false);
            match r {
                Ok(h) => {
                    toasts.success(format!("{} added", h.name));
                    on_added.try_run(());
                    on_close.try_run(());
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Dialog title="Add a host".to_string() on_close=on_close test_id="host-add-dialog">
            <form class="form dialog-body" on:submit=move |ev| {
                ev.prevent_default();
                if scanned.with_untracked(Option::is_some) { add() } else { scan() }
            }>
                <div class="field-row">
                    <label class="field">
                        <span>"Host"</span>
                        <input class="input mono" data-testid="host-destination" placeholder="me@devbox.example.org or a ~/.ssh/config alias"
                            prop:value=destination on:input=move |ev| { destination.set(event_target_value(&ev)); edited(); }/>
                    </label>
                    <label class="field narrow">
                        <span>"Port"</span>
                        <input class="input mono" data-testid="host-port" placeholder="config or 22" inputmode="numeric"
                            prop:value=port on:input=move |ev| { port.set(event_target_value(&ev)); edited(); }/>
                    </label>
                </div>
                <div class="field-row">
                    <label class="field">
                        <span>"Key"</span>
                        <select class="input" data-testid="host-key" prop:value=move || key.get()
                            on:change=move |ev| { key.set(event_target_value(&ev)); edited(); }>
                            <option value="">"The agent and ssh's defaults"</option>
                            {move || keys.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|k| view! {
                                <option value=k.name.clone()>{format!("~/.ssh/{}", k.name)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>"Name"</span>
                        <input class="input" data-testid="host-name-input" placeholder="The host, if empty"
                            prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                </div>
                {move || scanned.get().map(|s| view! {
                    <div class=if s.known { "panel" } else { "banner warn" } data-testid="host-key-scan">
                        <p>{format!("ssh connects to {}@{}:{}. Its {} key:", s.user, s.host_name, s.port, s.key_type)}</p>
                        <p class="mono" data-testid="host-key-fingerprint">{s.fingerprint.clone()}</p>
                        <p class="small-text">{if s.known {
                            "This key is already in a known_hosts file.".to_string()
                        } else {
                            "First connection: compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there) before you trust it.".to_string()
                        }}</p>
                    </div>
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="host-add-next" disabled=move || busy.get()>
                        {move || match (busy.get(), scanned.get()) {
                            (true, None) => "Looking…",
                            (true, Some(_)) => "Connecting…",
                            (false, None) => "Continue",
                            (false, Some(s)) if s.known => "Add host",
                            (false, Some(_)) => "Trust this key and add",
                        }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

/// A host repository's folders and text files, read there (nothing outside
/// the repository; links out are refused by the app).
#[component]
fn RemoteFiles(id: i64) -> impl IntoView {
    let path = RwSignal::new(String::new());
    let entries = RwSignal::new(None::<Result<Vec<FileEntry>, ApiError>>);
    let file = RwSignal::new(None::<Result<FileText, ApiError>>);
    Effect::new(move |_| {
        let p = path.get();
        entries.set(None);
        spawn_local(async move {
            let r = ipc::call(&hosts::Files {
                id,
                path: p.clone(),
            })
            .await;
            // A later folder's answer wins.
            if path.try_get_untracked().as_ref() == Some(&p) {
                let _ = entries.try_set(Some(r));
            }
        });
    });
    let read = move |p: String| {
        file.set(None);
        spawn_local(async move {
            let r = ipc::call(&hosts::ReadFile { id, path: p }).await;
            let _ = file.try_set(Some(r));
        });
    };
    let crumbs = move || {
        let p = path.get();
        let mut out = vec![(String::new(), "top".to_string())];
        let mut at = String::new();
        for part in p.split('/').filter(|s| !s.is_empty()) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            out.push((at.clone(), part.to_string()));
        }
        out
    };
    view! {
        <div class="host-repo-detail" data-testid="host-files">
            <p class="small-text host-crumbs" data-testid="host-files-path">
                {move || crumbs().into_iter().map(|(to, label)| view! {
                    <button class="link" on:click=move |_| { file.set(None); path.set(to.clone()); }>{label}</button>" / "
                }).collect_view()}
            </p>
            {move || match entries.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Listing…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e test_id="host-files-error"/> }.into_any(),
                Some(Ok(l)) if l.is_empty() => view! { <p class="muted small-text">"This folder is empty."</p> }.into_any(),
                Some(Ok(l)) => view! {
                    <ul class="host-files" data-testid="host-files-list">
                        {l.into_iter().map(|e| {
                            let to = e.path.clone();
                            let (mark, size) = match e.kind {
                                EntryKind::Dir => ("▸ ", String::new()),
                                EntryKind::Symlink => ("↗ ", String::new()),
                                EntryKind::File => ("", format!(" {} B", e.size)),
                            };
                            let kind = e.kind;
                            view! {
                                <li>
                                    <button class="link mono" data-testid="host-file"
                                        on:click=move |_| match kind {
                                            EntryKind::Dir => { file.set(None); path.set(to.clone()); }
                                            _ => read(to.clone()),
                                        }>{format!("{mark}{}", e.name)}</button>
                                    <span class="muted small-text">{size}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || file.get().map(|r| match r {
                Ok(f) => view! {
                    <p class="small-text mono">{f.path.clone()}</p>
                    <pre class="file-view mono" data-testid="host-file-text">{f.text}</pre>
                }.into_any(),
                Err(e) => view! { <ErrorText error=e test_id="host-file-error"/> }.into_any(),
            })}
        </div>
    }
}
