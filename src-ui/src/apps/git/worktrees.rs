//! Worktrees: a branch in a folder of its own, registered as a repository
//! of its own (its own VS Code, terminals, Git page), listed, added,
//! opened in VS Code and removed from the Git page.

use super::*;
use ai_desktop_api::git::WorktreeInfo;
use ai_desktop_api::vscode::{self, OpenTarget};

#[component]
pub(super) fn WorktreesTab(
    repository_id: i64,
    #[prop(into)] version: Signal<u32>,
) -> impl IntoView {
    let toasts = use_toasts();
    let list = RwSignal::new(None::<Result<Vec<WorktreeInfo>, ApiError>>);
    let branch = RwSignal::new(String::new());
    let create = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let ask = RwSignal::new(None::<Ask>);
    let load = move || {
        spawn_local(async move {
            list.set(Some(ipc::call(&git::Worktrees { repository_id }).await));
        });
    };
    Effect::new(move |_| {
        version.track();
        load();
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = branch.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&git::AddWorktree {
                repository_id,
                branch: name,
                create: create.get_untracked(),
            })
            .await;
            busy.set(false);
            match r {
                Ok(w) => {
                    toasts.success(format!(
                        "Worktree of {} in {}",
                        w.branch.unwrap_or_default(),
                        w.path
                    ));
                    branch.set(String::new());
                    load();
                }
                Err(e) => toasts.error("No worktree added", &e),
            }
        });
    };
    let open = move |id: i64| {
        spawn_local(async move {
            if let Err(e) = ipc::call(&vscode::Open {
                repository_id: id,
                target: OpenTarget::AppWindow,
            })
            .await
            {
                toasts.error("Could not open VS Code", &e);
            }
        });
    };
    let remove = move |name: String| {
        let n = name.clone();
        ask.set(Some(Ask::new(
            "Remove this worktree?",
            format!("The worktree {name} is removed: its VS Code stops, it leaves the repository list and its folder is deleted. Its branch stays. It is refused while it has uncommitted changes."),
            "Remove",
            move || {
                let name = n.clone();
                spawn_local(async move {
                    match ipc::call(&git::RemoveWorktree { repository_id, name: name.clone() }).await {
                        Ok(l) => {
                            toasts.success(format!("Removed the worktree {name}"));
                            list.set(Some(Ok(l)));
                        }
                        Err(e) => toasts.error("Not removed", &e),
                    }
                });
            },
        )));
    };
    view! {
        <ConfirmHost ask/>
        <form class="input-row" on:submit=add>
            <input class="input mono" placeholder="branch (e.g. feature/login)" data-testid="git-worktree-branch"
                prop:value=move || branch.get() on:input=move |ev| branch.set(event_target_value(&ev))/>
            <label class="check small-text" title="Create the branch from HEAD (off: check out a branch that exists)">
                <input type="checkbox" data-testid="git-worktree-new" prop:checked=move || create.get()
                    on:change=move |ev| create.set(event_target_checked(&ev))/>
                "new branch"
            </label>
            <button class="button" type="submit" data-testid="git-worktree-add"
                disabled=move || busy.get() || branch.with(|b| b.trim().is_empty())>"Add worktree"</button>
        </form>
        {move || match list.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Reading the worktrees…"</div> }.into_any(),
            Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
            Some(Ok(l)) if l.is_empty() => view! {
                <p class="muted" data-testid="git-worktrees-empty">"No worktrees. A worktree checks a branch out in a folder of its own, with its own VS Code, so two branches can be worked on side by side."</p>
            }.into_any(),
            Some(Ok(l)) => view! {
                <ul class="plain-list" data-testid="git-worktrees">
                    {l.into_iter().map(|w| {
                        let name = w.name.clone();
                        view! {
                            <li class="git-change" data-testid=format!("git-worktree-{}", w.name)>
                                <span class="mono">{w.branch.clone().unwrap_or_else(|| "(detached)".into())}</span>
                                <span class="mono muted small-text truncate" title=w.path.clone()>
                                    {w.path.clone()}
                                    {w.dirty.then_some(" · uncommitted changes")}
                                    {w.missing.then_some(" · folder missing")}
                                </span>
                                <span class="row-actions">
                                    {w.repository_id.map(|id| view! {
                                        <button class="button small" data-testid=format!("git-worktree-open-{}", w.name)
                                            title="Open its own VS Code" on:click=move |_| open(id)>"VS Code"</button>
                                    })}
                                    <button class="button small danger" data-testid=format!("git-worktree-remove-{}", w.name)
                                        on:click=move |_| remove(name.clone())>"Remove"</button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}
