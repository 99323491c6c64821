//! VS Code: a code-server per repository. The table shows each repository's
//! instance (kept live by `vscode:updated`), with start/stop/open; the
//! selected repository shows its instance's log tail and its working-tree
//! changes (live through `git:changes`) with a diff viewer.

use crate::apps::repositories::RepoList;
use crate::apps::Lifecycle;
use crate::components::diff_view::DiffView;
use crate::components::icons::{Icon, Svg};
use crate::components::log_view::{LogFollower, LogPanel};
use crate::components::status::{Status, StatusPill};
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::git;
use ai_desktop_api::git::{ChangeKind, DiffSide, FileChange, FileDiff, RepoChanges};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::vscode;
use ai_desktop_api::vscode::{CodeServerInstance, CodeServerStatus, InstanceState, OpenTarget};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};

#[component]
pub fn VsCodePage() -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let status = RwSignal::new(None::<Result<CodeServerStatus, ApiError>>);
    let instances = RwSignal::new(HashMap::<i64, CodeServerInstance>::new());
    let busy = RwSignal::new(HashSet::<i64>::new());
    let selected = RwSignal::new(None::<i64>);
    super::use_nav().follow_focus(super::Page::VsCode, selected);
    let logs = LogFollower::new();
    let changes = RwSignal::new(None::<Result<RepoChanges, ApiError>>);
    let diff = RwSignal::new(None::<Result<FileDiff, ApiError>>);
    on_cleanup(move || {
        spawn_local(async move {
            let _ = ipc::call(&git::Watch {
                repository_id: None,
            })
            .await;
        });
    });

    let load_status = move || {
        spawn_local(async move {
            status.set(Some(ipc::call(&vscode::Status {}).await));
        });
    };
    load_status();
    spawn_local(async move {
        match ipc::call(&vscode::List {}).await {
            Ok(list) => instances.set(list.into_iter().map(|i| (i.repository_id, i)).collect()),
            Err(e) => toasts.error("Could not load VS Code instances", &e),
        }
    });
    ipc::listen_while_mounted(events::VSCODE_UPDATED, move |i: CodeServerInstance| {
        let id = i.repository_id;
        let before = instances.with_untracked(|m| m.get(&id).map(|x| x.state));
        // A new process has a new log (created once it is spawned, so
        // subscribe again when it runs too; the history is replayed).
        let follow = before != Some(i.state)
            && matches!(i.state, InstanceState::Starting | InstanceState::Running);
        instances.update(|m| {
            m.insert(id, i);
        });
        if follow && selected.get_untracked() == Some(id) {
            logs.follow(vscode::Logs {
                repository_id: id,
                from: None,
            });
        }
    });
    ipc::listen_while_mounted(events::GIT_CHANGES, move |c: RepoChanges| {
        if selected.get_untracked() == Some(c.repository_id) {
            changes.set(Some(Ok(c)));
        }
    });

    // Selecting a repository: its logs, its changes, and a watch on its files.
    Effect::new(move |_| {
        let Some(id) = selected.get() else {
            return;
        };
        diff.set(None);
        changes.set(None);
        logs.follow(vscode::Logs {
            repository_id: id,
            from: None,
        });
        spawn_local(async move {
            let loaded = ipc::call(&git::Changes { repository_id: id }).await;
            if selected.try_get_untracked().flatten() == Some(id) {
                changes.set(Some(loaded));
            }
            if let Err(e) = ipc::call(&git::Watch {
                repository_id: Some(id),
            })
            .await
            {
                toasts.error("Changes will not update live", &e);
            }
        });
    });
    // Select the first repository once they are known.
    Effect::new(move |_| {
        if selected.get_untracked().is_none() {
            if let Some(first) = repos.loaded().and_then(|r| r.first().map(|r| r.id)) {
                selected.set(Some(first));
            }
        }
    });

    let act = move |id: i64, op: Lifecycle, done: &'static str| {
        busy.update(|b| {
            b.insert(id);
        });
        spawn_local(async move {
            let result = match op {
                Lifecycle::Start => ipc::call(&vscode::Start { repository_id: id }).await,
                Lifecycle::Stop => ipc::call(&vscode::Stop { repository_id: id }).await,
                Lifecycle::Restart => ipc::call(&vscode::Restart { repository_id: id }).await,
            };
            busy.update(|b| {
                b.remove(&id);
            });
            match result {
                Ok(i) => {
                    instances.update(|m| {
                        m.insert(id, i);
                    });
                    toasts.success(done);
                }
                Err(e) => toasts.error("VS Code", &e),
            }
        });
    };
    let open = move |id: i64, target: OpenTarget| {
        busy.update(|b| {
            b.insert(id);
        });
        spawn_local(async move {
            let result = ipc::call(&vscode::Open {
                repository_id: id,
                target,
            })
            .await;
            busy.update(|b| {
                b.remove(&id);
            });
            if let Err(e) = result {
                toasts.error("Could not open VS Code", &e);
            }
        });
    };
    let stop_all = move |_| {
        spawn_local(async move {
            match ipc::call(&vscode::StopAll {}).await {
                Ok(list) => toasts.success(format!("Stopped {} instance(s)", list.len())),
                Err(e) => toasts.error("Could not stop everything", &e),
            }
        });
    };
    let cleanup = move |_| {
        spawn_local(async move {
            match ipc::call(&vscode::Cleanup {}).await {
                Ok(r) => toasts.success(format!(
                    "Cleanup: {} stray process(es) stopped, {} old folder(s) removed",
                    r.killed_pids.len(),
                    r.removed_dirs.len()
                )),
                Err(e) => toasts.error("Cleanup failed", &e),
            }
        });
    };
    let show_diff = move |path: String, side: DiffSide| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        spawn_local(async move {
            diff.set(Some(
                ipc::call(&git::Diff {
                    repository_id: id,
                    path,
                    side,
                })
                .await,
            ));
        });
    };

    view! {
        <section class="page wide" data-testid="page-vscode">
            <header class="page-header">
                <div>
                    <h1>"VS Code"</h1>
                    <p class="muted">
                        {move || match status.get() {
                            Some(Ok(s)) if s.installed => format!(
                                "code-server {} · one per repository, on 127.0.0.1 with its own password",
                                s.version.unwrap_or_default()
                            ),
                            Some(_) => "code-server is not available".to_string(),
                            None => "Checking for code-server…".to_string(),
                        }}
                        {move || (status.with(Option::is_some) && !matches!(status.get(), Some(Ok(ref s)) if s.installed)).then(|| view! { " · " <super::settings::DoctorLink/> })}
                    </p>
                </div>
                <div class="header-actions">
                    <button class="button" data-testid="vscode-cleanup" on:click=cleanup>"Clean up"</button>
                    <button class="button" data-testid="vscode-stop-all" on:click=stop_all>"Stop all"</button>
                </div>
            </header>
            {move || match status.get() {
                Some(Ok(s)) if !s.installed => view! { <MissingBanner status=s on_saved=Callback::new(move |_| load_status())/> }.into_any(),
                Some(Err(e)) => view! { <div class="banner error">{e.message}</div> }.into_any(),
                _ => ().into_any(),
            }}
            {move || match repos.loaded() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading repositories…"</div> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="vscode-empty">
                        <div class="empty-icon"><Svg icon=Icon::Code/></div>
                        <h2>"No repositories yet"</h2>
                        <p class="muted">"Add a repository on the Repositories page; each gets its own VS Code here."</p>
                    </div>
                }.into_any(),
                Some(list) => view! {
                    <InstanceTable list=list instances=instances busy=busy selected=selected act=act open=open/>
                }.into_any(),
            }}
            {move || selected.get().map(|id| {
                let name = repos.rows().into_iter().find(|x| x.id == id).map(|x| x.name).unwrap_or_default();
                view! {
                    <div class="detail-grid">
                        <LogPanel title=format!("Output · {name}") logs test_id="vscode-logs"
                            empty="No output yet. Start the instance to see code-server's log here."/>
                        <div class="panel" data-testid="changes-panel">
                            <ChangesPanel changes=changes on_pick=show_diff/>
                        </div>
                    </div>
                    {move || diff.get().map(|d| match d {
                        Ok(d) => view! { <div class="panel"><DiffView diff=d/></div> }.into_any(),
                        Err(e) => view! { <div class="banner error">{e.message}</div> }.into_any(),
                    })}
                }
            })}
        </section>
    }
}

#[component]
fn MissingBanner(status: CodeServerStatus, on_saved: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let path = RwSignal::new(status.configured_path.clone().unwrap_or_default());
    let save = move |_| {
        let value = path.get_untracked();
        spawn_local(async move {
            let arg = vscode::SetBinary {
                path: (!value.trim().is_empty()).then_some(value),
            };
            match ipc::call(&arg).await {
                Ok(s) if s.installed => {
                    toasts.success("code-server found");
                    on_saved.try_run(());
                }
                Ok(_) => {
                    on_saved.try_run(());
                }
                Err(e) => toasts.error("That path was not accepted", &e),
            }
        });
    };
    view! {
        <div class="banner warn" data-testid="vscode-missing">
            <strong>"code-server is not installed."</strong>
            <p>"Install it with: " <code class="mono">{status.install_hint.clone()}</code></p>
            <div class="input-row">
                <input class="input mono" placeholder="/path/to/code-server" prop:value=path on:input=move |ev| path.set(event_target_value(&ev))/>
                <button class="button" on:click=save>"Use this path"</button>
            </div>
        </div>
    }
}

#[component]
fn InstanceTable(
    list: Vec<Repository>,
    instances: RwSignal<HashMap<i64, CodeServerInstance>>,
    busy: RwSignal<HashSet<i64>>,
    selected: RwSignal<Option<i64>>,
    act: impl Fn(i64, Lifecycle, &'static str) + Copy + Send + Sync + 'static,
    open: impl Fn(i64, OpenTarget) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="vscode-table">
                <thead><tr><th>"Repository"</th><th>"Instance"</th><th class="actions-col wide-actions"></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|repo| {
                        let id = repo.id;
                        let state = move || instances.with(|m| m.get(&id).cloned());
                        let is_busy = move || busy.with(|b| b.contains(&id));
                        let running = move || state().is_some_and(|i| i.state == InstanceState::Running);
                        view! {
                            <tr class:selected=move || selected.get() == Some(id) on:click=move |_| selected.set(Some(id)) data-testid=format!("vscode-row-{id}")>
                                <td><div class="repo-name">{repo.name.clone()}</div><div class="muted truncate mono">{repo.path.clone()}</div></td>
                                <td data-testid=format!("vscode-state-{id}")>{move || state_badge(state())}</td>
                                <td class="actions" on:click=|ev| ev.stop_propagation()>
                                    {move || if is_busy() { view! { <span class="spinner"></span> }.into_any() } else { ().into_any() }}
                                    {move || if running() {
                                        view! {
                                            <button class="button small primary" data-testid=format!("vscode-open-{id}") on:click=move |_| open(id, OpenTarget::AppWindow)>"Open"</button>
                                            <button class="button small" title="Open in the system browser" on:click=move |_| open(id, OpenTarget::Browser)>"Browser"</button>
                                            <button class="button small" title="Restart" on:click=move |_| act(id, Lifecycle::Restart, "VS Code restarted")>"Restart"</button>
                                            <button class="button small" data-testid=format!("vscode-stop-{id}") on:click=move |_| act(id, Lifecycle::Stop, "VS Code stopped")>"Stop"</button>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <button class="button small primary" data-testid=format!("vscode-start-{id}") disabled=is_busy on:click=move |_| act(id, Lifecycle::Start, "VS Code is ready")>"Start"</button>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn state_badge(instance: Option<CodeServerInstance>) -> impl IntoView {
    let Some(i) = instance else {
        return view! { <StatusPill state=InstanceState::Stopped/> }.into_any();
    };
    let text = match i.state {
        InstanceState::Running => format!("Running on :{}", i.port.unwrap_or(0)),
        s => s.label().to_string(),
    };
    view! {
        <StatusPill state=i.state text/>
        {i.error.map(|e| view! { <div class="muted small-text truncate" title=e.clone()>{e.clone()}</div> })}
    }
    .into_any()
}

#[component]
fn ChangesPanel(
    changes: RwSignal<Option<Result<RepoChanges, ApiError>>>,
    on_pick: impl Fn(String, DiffSide) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || match changes.get() {
        None => {
            view! { <div class="loading"><span class="spinner"></span>"Reading changes…"</div> }
                .into_any()
        }
        Some(Err(e)) => {
            view! { <div class="panel-title">"Changes"</div><p class="muted">{e.message}</p> }
                .into_any()
        }
        Some(Ok(c)) => {
            let title = format!(
                "Changes · {} · {} staged · {} unstaged · {} untracked{}",
                c.branch.clone().unwrap_or_else(|| "no branch".into()),
                c.counts.staged,
                c.counts.unstaged,
                c.counts.untracked,
                if c.counts.conflicted > 0 {
                    format!(" · {} conflicted", c.counts.conflicted)
                } else {
                    String::new()
                }
            );
            if c.files.is_empty() {
                return view! { <div class="panel-title">{title}</div><p class="muted" data-testid="changes-clean">"Working tree clean."</p> }.into_any();
            }
            view! {
                <div class="panel-title" data-testid="changes-title">{title}</div>
                <ul class="change-list">
                    {c.files.into_iter().map(|f| change_row(f, on_pick)).collect_view()}
                </ul>
                {c.truncated.then(|| view! { <p class="muted">"Only the first 5,000 entries are listed."</p> })}
            }.into_any()
        }
    }
}

fn change_row(
    f: FileChange,
    on_pick: impl Fn(String, DiffSide) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let letter = |k: Option<ChangeKind>| match k {
        Some(ChangeKind::Added) => "A",
        Some(ChangeKind::Modified) => "M",
        Some(ChangeKind::Deleted) => "D",
        Some(ChangeKind::Renamed) => "R",
        Some(ChangeKind::TypeChanged) => "T",
        Some(ChangeKind::Untracked) => "U",
        None => "",
    };
    let path = f.path.clone();
    let path2 = f.path.clone();
    let label = match &f.old_path {
        Some(old) => format!("{old} → {}", f.path),
        None => f.path.clone(),
    };
    let title = label.clone();
    view! {
        <li class="change" data-testid="change-row">
            <span class="change-path mono truncate" title=title>{label}</span>
            {f.conflicted.then(|| view! { <span class="chip conflict">"conflict"</span> })}
            {f.staged.map(|k| view! {
                <button class="chip staged" title="Show the staged diff" on:click=move |_| on_pick(path.clone(), DiffSide::Staged)>{letter(Some(k))}" staged"</button>
            })}
            {f.unstaged.or(f.conflicted.then_some(ChangeKind::Modified)).map(|k| view! {
                <button class="chip unstaged" data-testid="show-diff" title="Show the working-tree diff" on:click=move |_| on_pick(path2.clone(), DiffSide::Unstaged)>{letter(Some(k))}</button>
            })}
        </li>
    }
}
