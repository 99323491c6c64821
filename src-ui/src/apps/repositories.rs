//! Repositories: the registry every other module builds on. A table of the
//! registered folders, kept live by `repository:*` events, with add, edit,
//! refresh and delete.

use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::live_list::LiveList;
use crate::components::toast::{invalid, use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::repos::{
    self, NewRepository, RepoInspection, RepoKind, Repository, RepositoryPatch,
};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The registered repositories, shared by every page: loaded once by the
/// app frame and kept current by `repository:*` events.
pub type RepoList = LiveList<Repository>;

#[derive(Clone, PartialEq)]
enum Modal {
    Closed,
    Add,
    Edit(Repository),
    Delete(Repository),
    Stack(Repository),
    Timeline(Repository),
}

#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let list = expect_context::<RepoList>();
    let modal = RwSignal::new(Modal::Closed);
    let close = Callback::new(move |_| modal.set(Modal::Closed));

    view! {
        <section class="page" data-testid="page-repositories">
            <header class="page-header">
                <div>
                    <h1>"Repositories"</h1>
                    <p class="muted">
                        {move || match list.loaded() {
                            Some(items) if items.len() == 1 => "1 repository".to_string(),
                            Some(items) => format!("{} repositories", items.len()),
                            None => "The folders you work in.".to_string(),
                        }}
                    </p>
                </div>
                <button class="button primary" data-testid="add-repo" on:click=move |_| modal.set(Modal::Add)>
                    <Svg icon=Icon::Plus/>
                    "Add repository"
                </button>
            </header>
            {move || {
                if let Some(err) = list.error() {
                    return view! {
                        <div class="empty-state" data-testid="repos-error">
                            <h2>"Could not load repositories"</h2>
                            <p class="muted">{err.message}</p>
                            <button class="button" on:click=move |_| list.reload()>"Try again"</button>
                        </div>
                    }
                    .into_any();
                }
                match list.loaded() {
                    None => view! {
                        <div class="loading" data-testid="repos-loading">
                            <span class="spinner"></span>
                            "Loading repositories…"
                        </div>
                    }
                    .into_any(),
                    Some(items) if items.is_empty() => view! {
                        <div class="empty-state" data-testid="repos-empty">
                            <div class="empty-icon"><Svg icon=Icon::Folder/></div>
                            <h2>"No repositories yet"</h2>
                            <p class="muted">
                                "Register a project folder to open it in VS Code, deploy it, and run git on it."
                            </p>
                            <button class="button primary" on:click=move |_| modal.set(Modal::Add)>
                                "Add your first repository"
                            </button>
                        </div>
                    }
                    .into_any(),
                    Some(_) => view! { <RepoTable modal=modal/> }.into_any(),
                }
            }}
            {move || match modal.get() {
                Modal::Closed => ().into_any(),
                Modal::Add => view! { <RepoFormDialog existing=None on_close=close/> }.into_any(),
                Modal::Edit(repo) => {
                    view! { <RepoFormDialog existing=Some(repo) on_close=close/> }.into_any()
                }
                Modal::Delete(repo) => view! { <DeleteDialog repo=repo on_close=close/> }.into_any(),
                Modal::Stack(repo) => view! { <super::stack::StackDialog repository_id=repo.id name=repo.name.clone() on_close=close/> }.into_any(),
                Modal::Timeline(repo) => view! { <super::timeline::TimelineDialog repository_id=repo.id name=repo.name.clone() on_close=close/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RepoTable(modal: RwSignal<Modal>) -> impl IntoView {
    let list = expect_context::<RepoList>();
    let toasts = use_toasts();
    let refreshing = RwSignal::new(None::<i64>);
    // Ahead/behind and changed files, read for the listed repositories
    // whenever the list changes (100 at a time).
    let summaries = RwSignal::new(std::collections::HashMap::<
        i64,
        ai_desktop_api::git::GitSummary,
    >::new());
    let read_summaries = move |ids: Vec<i64>| {
        spawn_local(async move {
            for chunk in ids.chunks(100) {
                if let Ok(list) = ipc::call(&ai_desktop_api::git::Summaries {
                    ids: chunk.to_vec(),
                })
                .await
                {
                    summaries.update(|m| {
                        for s in list {
                            m.insert(s.repository_id, s);
                        }
                    });
                }
            }
        });
    };
    Effect::new(move |previous: Option<Vec<i64>>| {
        let ids: Vec<i64> = list.rows().iter().map(|r| r.id).collect();
        if previous.as_ref() != Some(&ids) {
            read_summaries(ids.clone());
        }
        ids
    });
    let refresh = move |id: i64| {
        refreshing.set(Some(id));
        spawn_local(async move {
            let result = ipc::call(&repos::RefreshGit { id }).await;
            read_summaries(vec![id]);
            refreshing.set(None);
            if let Err(e) = result {
                toasts.error("Could not read git information", &e);
            }
        });
    };

    view! {
        <div class="table-wrap">
            <table class="table repos-table" data-testid="repos-table">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Path"</th>
                        <th>"Branch"</th>
                        <th>"Remote"</th>
                        <th class="num">"Port"</th>
                        <th class="actions-col repo-actions"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.rows()
                        key=|r| (r.id, r.updated_at.clone(), r.name.clone(), r.branch.clone(), r.url.clone())
                        let:repo
                    >
                        {
                            let id = repo.id;
                            let edit_repo = repo.clone();
                            let delete_repo = repo.clone();
                            let stack_repo = repo.clone();
                            let timeline_repo = repo.clone();
                            view! {
                                <tr data-testid="repo-row" data-repo-id=id>
                                    <td>
                                        <div class="name-cell">
                                            <span class="repo-name" data-testid="repo-name">{repo.name.clone()}</span>
                                            <span class="badge">{repo.kind.label()}</span>
                                        </div>
                                    </td>
                                    <td class="mono truncate" title=repo.path.clone()>{repo.path.clone()}</td>
                                    <td>
                                        {repo.branch.clone().map(|b| view! { <span class="branch"><Svg icon=Icon::GitBranch/>{b}</span> }.into_any())
                                            .unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}
                                        {move || summaries.with(|m| m.get(&id).cloned()).map(|s| {
                                            let changed = s.counts.staged + s.counts.unstaged + s.counts.untracked + s.counts.conflicted;
                                            let mut parts = Vec::new();
                                            if s.upstream.is_some() && (s.ahead > 0 || s.behind > 0) {
                                                parts.push(format!("↑{} ↓{}", s.ahead, s.behind));
                                            }
                                            parts.push(if changed == 0 { "clean".to_string() } else { format!("{changed} changed") });
                                            view! {
                                                <span class="muted small-text repo-git-state" class:dirty={changed > 0}
                                                    data-testid="repo-git-state"
                                                    title=s.upstream.clone().map(|u| format!("against {u}")).unwrap_or_else(|| "no upstream".into())>
                                                    {format!(" {}", parts.join(" · "))}
                                                </span>
                                            }
                                        })}
                                    </td>
                                    <td class="mono truncate" title=repo.url.clone().unwrap_or_default()>
                                        {repo.url.clone().unwrap_or_else(|| "—".into())}
                                    </td>
                                    <td class="num mono">{repo.port}</td>
                                    <td class="actions">
                                        <button
                                            class="button small"
                                            title="Its services, deployments, VS Code and MCP servers, up or down as one"
                                            data-testid="repo-stack"
                                            on:click=move |_| modal.set(Modal::Stack(stack_repo.clone()))
                                        >
                                            "Stack"
                                        </button>
                                        <button
                                            class="icon-button"
                                            title="Timeline: its logs, git operations, deploys and agent calls, in order"
                                            aria-label="Timeline"
                                            data-testid="repo-timeline"
                                            on:click=move |_| modal.set(Modal::Timeline(timeline_repo.clone()))
                                        >
                                            <Svg icon=Icon::Clock/>
                                        </button>
                                        <button
                                            class="icon-button"
                                            title="Re-read branch and remote"
                                            aria-label="Refresh git information"
                                            class:spinning=move || refreshing.get() == Some(id)
                                            on:click=move |_| refresh(id)
                                        >
                                            <Svg icon=Icon::Refresh/>
                                        </button>
                                        <button
                                            class="icon-button"
                                            title="Edit"
                                            aria-label="Edit"
                                            data-testid="edit-repo"
                                            on:click=move |_| modal.set(Modal::Edit(edit_repo.clone()))
                                        >
                                            <Svg icon=Icon::Edit/>
                                        </button>
                                        <button
                                            class="icon-button danger"
                                            title="Remove from AI Desktop"
                                            aria-label="Remove"
                                            data-testid="delete-repo"
                                            on:click=move |_| modal.set(Modal::Delete(delete_repo.clone()))
                                        >
                                            <Svg icon=Icon::Trash/>
                                        </button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// Add (when `existing` is `None`) or edit a repository.
#[component]
fn RepoFormDialog(existing: Option<Repository>, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let editing = existing.clone();
    let path = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.path.clone())
            .unwrap_or_default(),
    );
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
    );
    let name_touched = RwSignal::new(existing.is_some());
    // "" means: detect from the folder.
    let kind = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.kind.as_str().to_string())
            .unwrap_or_default(),
    );
    let port = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.port.to_string())
            .unwrap_or_default(),
    );
    let mcp_profile = RwSignal::new(
        existing
            .as_ref()
            .and_then(|r| r.mcp_profile.clone())
            .unwrap_or_default(),
    );
    // The MCP profiles to choose from (only an existing repository has one).
    let profiles = RwSignal::new(Vec::<String>::new());
    if existing.is_some() {
        spawn_local(async move {
            if let Ok(list) = ipc::call(&ai_desktop_api::mcp::Profiles {}).await {
                let _ = profiles.try_set(list.into_iter().map(|p| p.name).collect());
            }
        });
    }
    let inspection = RwSignal::new(None::<RepoInspection>);
    // Kept apart from the submit error: an inspection that finishes after a
    // failed submit must not wipe that submit's message.
    let path_problem = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let inspect = move || {
        let p = path.get_untracked();
        if p.trim().is_empty() {
            inspection.set(None);
            path_problem.set(None);
            return;
        }
        spawn_local(async move {
            match ipc::call(&repos::Inspect { path: p }).await {
                Ok(info) => {
                    if name_touched.try_get_untracked() == Some(false) {
                        name.set(info.suggested_name.clone());
                    }
                    path_problem.set(None);
                    inspection.set(Some(info));
                }
                Err(e) => {
                    inspection.set(None);
                    path_problem.set(Some(e.message));
                }
            }
        });
    };

    let browse = move |_| {
        spawn_local(async move {
            match ipc::pick_folder("Choose the repository's folder").await {
                Ok(Some(chosen)) => {
                    path.set(chosen);
                    inspect();
                }
                Ok(None) => {}
                Err(e) => toasts.error("Could not open the folder picker", &e),
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let port_text = port.get_untracked();
        let port_value = match port_text.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    error.set(Some(invalid(format!("\"{t}\" is not a port number."))));
                    return;
                }
            },
        };
        let kind_value = RepoKind::parse(&kind.get_untracked());
        busy.set(true);
        error.set(None);
        let editing = editing.clone();
        spawn_local(async move {
            let result = match &editing {
                None => {
                    let input = NewRepository {
                        name: name.get_untracked(),
                        path: path.get_untracked(),
                        kind: kind_value,
                        port: port_value,
                    };
                    ipc::call(&repos::Create { input }).await
                }
                Some(current) => {
                    let new_path = path.get_untracked();
                    let input = RepositoryPatch {
                        name: Some(name.get_untracked()),
                        path: (new_path != current.path).then_some(new_path),
                        kind: kind_value,
                        // "Detect automatically" on an existing repository: detect again.
                        detect_kind: kind_value.is_none(),
                        port: port_value,
                    };
                    let saved = ipc::call(&repos::Update {
                        id: current.id,
                        input,
                    })
                    .await;
                    let chosen = mcp_profile.try_get_untracked().unwrap_or_default();
                    let chosen = (!chosen.is_empty()).then_some(chosen);
                    match saved {
                        Ok(_) if chosen != current.mcp_profile => {
                            ipc::call(&repos::SetMcpProfile {
                                id: current.id,
                                profile: chosen,
                            })
                            .await
                        }
                        other => other,
                    }
                }
            };
            busy.set(false);
            match result {
                Ok(repo) => {
                    toasts.success(if editing.is_some() {
                        format!("Saved {}", repo.name)
                    } else {
                        format!("Added {}", repo.name)
                    });
                    on_close.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let title = if existing.is_some() {
        "Edit repository"
    } else {
        "Add repository"
    };
    let detected_label = move || {
        inspection
            .get()
            .map(|i| format!("Detect automatically ({})", i.kind.label()))
            .unwrap_or_else(|| "Detect automatically".to_string())
    };

    view! {
        <Dialog title=title.to_string() on_close=on_close test_id="repo-dialog">
            <form class="form" on:submit=submit novalidate>
                <label class="field">
                    <span>"Folder"</span>
                    <div class="input-row">
                        <input
                            class="input mono"
                            data-testid="repo-path"
                            placeholder="/home/you/projects/app"
                            autofocus=true
                            prop:value=move || path.get()
                            on:input=move |ev| path.set(event_target_value(&ev))
                            on:change=move |_| inspect()
                        />
                        <button type="button" class="button" on:click=browse>"Browse…"</button>
                    </div>
                    {move || inspection.get().map(|i| view! {
                        <small class="hint" data-testid="repo-inspection">
                            {i.kind.label()}
                            {i.branch.map(|b| format!(" · branch {b}"))}
                            {i.url.map(|u| format!(" · {u}"))}
                            {(!i.is_git).then_some(" · not a git repository")}
                        </small>
                    })}
                    {move || path_problem.get().map(|p| view! {
                        <small class="hint hint-error" data-testid="path-problem">{p}</small>
                    })}
                </label>
                <label class="field">
                    <span>"Name"</span>
                    <input
                        class="input"
                        data-testid="repo-name-input"
                        prop:value=move || name.get()
                        on:input=move |ev| {
                            name_touched.set(true);
                            name.set(event_target_value(&ev));
                        }
                    />
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>"Type"</span>
                        <select
                            class="input"
                            data-testid="repo-kind"
                            prop:value=move || kind.get()
                            on:change=move |ev| kind.set(event_target_value(&ev))
                        >
                            <option value="">{detected_label}</option>
                            {RepoKind::ALL
                                .into_iter()
                                .map(|k| view! { <option value=k.as_str()>{k.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>"Port"</span>
                        <input
                            class="input mono"
                            data-testid="repo-port"
                            inputmode="numeric"
                            placeholder="Automatic (8100+)"
                            prop:value=move || port.get()
                            on:input=move |ev| port.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                {existing.is_some().then(|| view! {
                    <label class="field">
                        <span>"MCP profile of its VS Code"</span>
                        <select class="input" data-testid="repo-mcp-profile"
                            title="The tools of shared MCP servers its VS Code gets through the MCP gateway"
                            prop:value=move || mcp_profile.get()
                            on:change=move |ev| mcp_profile.set(event_target_value(&ev))>
                            <option value="">"The gateway's (MCP Hub → Gateway…)"</option>
                            {move || profiles.get().into_iter().map(|p| {
                                let chosen = mcp_profile.get_untracked() == p;
                                view! { <option value=p.clone() selected=chosen>{p.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="repo-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else if existing.is_some() { "Save" } else { "Add" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
fn DeleteDialog(repo: Repository, on_close: Callback<()>) -> impl IntoView {
    let id = repo.id;
    let name = repo.name.clone();
    let run = move || {
        let name = name.clone();
        async move {
            ipc::call(&repos::Delete { id }).await?;
            Ok(format!("Removed {name}"))
        }
    };
    view! {
        <ConfirmDialog title="Remove repository?".to_string() action="Remove" run on_close
            test_id="delete-dialog" confirm_id="confirm-delete">
            <p>
                "Remove " <strong>{repo.name.clone()}</strong> " from AI Desktop? "
                "The folder " <span class="mono">{repo.path.clone()}</span> " stays on disk, untouched."
            </p>
        </ConfirmDialog>
    }
}
