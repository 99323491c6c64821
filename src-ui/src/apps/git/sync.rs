//! Fetch, pull and push with live progress; a merge or rebase under way
//! (conflicted files, abort, continue); merging and rebasing branches.

use super::*;

pub(super) fn progress_text(p: &GitProgress) -> String {
    let mut s = p.stage.clone();
    if p.total > 0 {
        s.push_str(&format!(" {}/{}", p.current, p.total));
    }
    if p.bytes > 0 {
        s.push_str(&format!(" · {}", crate::format::bytes(p.bytes as f64)));
    }
    if let Some(m) = &p.message {
        s.push_str(&format!(" · {m}"));
    }
    s
}

pub(super) fn report(toasts: Toasts, what: &str, r: &Result<SyncResult, ApiError>) {
    match r {
        Ok(r) if r.outcome == SyncOutcome::Conflicts => toasts.error(
            what,
            &ApiError::new(ai_desktop_api::ErrorCode::Conflict, r.message.clone()),
        ),
        Ok(r) => toasts.success(r.message.clone()),
        Err(e) => toasts.error(what, e),
    }
}

/// Fetch, pull, push with progress; the merge or rebase under way, if any.
#[component]
pub(super) fn SyncBar(
    repo: RwSignal<Option<i64>>,
    version: RwSignal<u32>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(None::<&'static str>);
    let progress = RwSignal::new(None::<GitProgress>);
    let state = RwSignal::new(RepoState::Clean);
    let conflicted = RwSignal::new(Vec::<String>::new());
    // The conflicted file open in the 3-way editor.
    let resolving = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        version.track();
        let Some(repository_id) = repo.get() else {
            return;
        };
        spawn_local(async move {
            if let Ok(s) = ipc::call(&git::State { repository_id }).await {
                state.set(s.state);
                conflicted.set(s.conflicted);
            }
        });
    });
    let remote_op = move |what: &'static str, op: RemoteOp| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        busy.set(Some(what));
        progress.set(None);
        spawn_local(async move {
            let show = move |p: GitProgress| progress.set(Some(p));
            let r = match op {
                RemoteOp::Fetch => {
                    let fetch = git::Fetch {
                        repository_id,
                        remote: None,
                    };
                    ipc::call_streaming(&fetch, show).await
                }
                RemoteOp::Pull(mode) => {
                    let pull = git::Pull {
                        repository_id,
                        mode,
                    };
                    ipc::call_streaming(&pull, show).await
                }
                RemoteOp::Push => {
                    let push = git::Push {
                        repository_id,
                        remote: None,
                    };
                    ipc::call_streaming(&push, show).await
                }
            };
            busy.set(None);
            progress.set(None);
            if let Ok(res) = &r {
                conflicted.set(res.conflicted.clone());
            }
            report(toasts, &format!("{what} failed"), &r);
            on_done.run(());
        });
    };
    let finish = move |abort: bool| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        busy.set(Some(if abort { "Abort" } else { "Continue" }));
        spawn_local(async move {
            if abort {
                match ipc::call(&git::Abort { repository_id }).await {
                    Ok(_) => toasts.success("Aborted: the branch is as it was before"),
                    Err(e) => toasts.error("Not aborted", &e),
                }
            } else {
                let r = ipc::call(&git::ContinueRebase { repository_id }).await;
                if let Ok(res) = &r {
                    conflicted.set(res.conflicted.clone());
                }
                report(toasts, "The rebase did not continue", &r);
            }
            busy.set(None);
            on_done.run(());
        });
    };
    view! {
        <div class="sync-bar" data-testid="git-sync">
            <button class="button" data-testid="git-fetch" disabled=move || busy.get().is_some() || repo.get().is_none()
                on:click=move |_| remote_op("Fetch", RemoteOp::Fetch)>"Fetch"</button>
            <button class="button" data-testid="git-pull" title="Fast-forward only: refuses when the branches have diverged"
                disabled=move || busy.get().is_some() || repo.get().is_none()
                on:click=move |_| remote_op("Pull", RemoteOp::Pull(PullMode::FastForwardOnly))>"Pull"</button>
            <button class="button" data-testid="git-pull-merge" title="Merges when the branches have diverged"
                disabled=move || busy.get().is_some() || repo.get().is_none()
                on:click=move |_| remote_op("Pull", RemoteOp::Pull(PullMode::Merge))>"Pull (merge)"</button>
            <button class="button primary" data-testid="git-push" disabled=move || busy.get().is_some() || repo.get().is_none()
                on:click=move |_| remote_op("Push", RemoteOp::Push)>"Push"</button>
            {move || busy.get().map(|what| view! {
                <span class="sync-progress" data-testid="git-progress">
                    <span class="spinner"></span>
                    {move || progress.get().map(|p| progress_text(&p)).unwrap_or_else(|| format!("{what}…"))}
                    {move || progress.get().filter(|p| p.total > 0).map(|p| view! {
                        <progress max=p.total.to_string() value=p.current.to_string()></progress>
                    })}
                </span>
            })}
        </div>
        {move || (state.get() != RepoState::Clean).then(|| {
            let rebase = state.get() == RepoState::Rebase;
            let what = match state.get() {
                RepoState::Rebase => "A rebase is under way",
                RepoState::CherryPick => "A cherry-pick is under way",
                RepoState::Revert => "A revert is under way",
                RepoState::Merge => "A merge is under way",
                _ => "A git operation is under way",
            };
            view! {
                <div class="banner warn" data-testid="git-under-way">
                    <strong>{what}</strong>
                    <p>{move || match (rebase, conflicted.with(Vec::is_empty)) {
                        (true, true) => "Stopped at a commit to edit: change its files and stage them, then Continue (they go into that commit) — or Abort to go back.",
                        (true, false) => "Resolve the conflicted files, stage them, then Continue — or Abort to go back.",
                        (false, _) => "Resolve the conflicted files, stage them and commit — or Abort to go back.",
                    }}</p>
                    {move || (!conflicted.get().is_empty()).then(|| view! {
                        <ul class="plain-list mono" data-testid="git-conflicted">
                            {conflicted.get().into_iter().map(|f| {
                                let path = f.clone();
                                view! {
                                    <li class="git-change">"⚠ "{f.clone()}
                                        <button class="button small" data-testid=format!("git-resolve-{f}")
                                            title="Take a side for each conflict in the 3-way editor"
                                            on:click=move |_| resolving.set(Some(path.clone()))>"Resolve…"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    {move || resolving.get().zip(repo.get()).map(|(path, repository_id)| view! {
                        <ConflictDialog repository_id path
                            on_close=Callback::new(move |_| resolving.set(None))
                            on_resolved=Callback::new(move |_| { version.update(|v| *v += 1); on_done.run(()); })/>
                    })}
                    <div class="row-actions">
                        {rebase.then(|| view! {
                            <button class="button" data-testid="git-continue" on:click=move |_| finish(false)>"Continue"</button>
                        })}
                        <button class="button danger" data-testid="git-abort" on:click=move |_| finish(true)>"Abort"</button>
                    </div>
                </div>
            }
        })}
    }
}

/// Merge a branch into the current one, or rebase the current one onto it.
#[component]
pub(super) fn JoinBranches(
    repo: RwSignal<Option<i64>>,
    branches: RwSignal<Vec<BranchInfo>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let other = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // A branch another page asked to merge here (a Flow sandbox's), once
    // this repository's branches include it.
    let nav = crate::apps::use_nav();
    Effect::new(move |_| {
        let Some((asked_repo, asked)) = nav.merge.get() else {
            return;
        };
        if repo.get() == Some(asked_repo) && branches.with(|l| l.iter().any(|b| b.name == asked)) {
            other.set(asked);
            nav.merge.set(None);
        }
    });
    let run = move |rebase: bool| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        let name = other.get_untracked();
        if name.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = if rebase {
                ipc::call(&git::Rebase {
                    repository_id,
                    onto: name,
                })
                .await
            } else {
                ipc::call(&git::Merge {
                    repository_id,
                    branch: name,
                })
                .await
            };
            busy.set(false);
            report(
                toasts,
                if rebase { "Not rebased" } else { "Not merged" },
                &r,
            );
            on_done.run(());
        });
    };
    view! {
        <div class="input-row join-row" data-testid="git-join">
            <select class="input" data-testid="git-join-branch" prop:value=move || other.get()
                on:change=move |ev| other.set(event_target_value(&ev))>
                <option value="">"Merge or rebase with…"</option>
                {move || branches.get().into_iter().filter(|b| !b.current).map(|b| {
                    let n = b.name.clone();
                    // Chosen again when the list is redrawn (a branch list refresh).
                    let chosen = n.clone();
                    view! { <option value=n.clone() selected=move || other.with(|o| *o == chosen)>{n.clone()}</option> }
                }).collect_view()}
            </select>
            <button class="button" data-testid="git-merge" disabled=move || busy.get() || other.with(String::is_empty)
                title="Merge it into the current branch" on:click=move |_| run(false)>"Merge"</button>
            <button class="button" data-testid="git-rebase" disabled=move || busy.get() || other.with(String::is_empty)
                title="Rebase the current branch onto it" on:click=move |_| run(true)>"Rebase onto"</button>
        </div>
    }
}

/// A remote operation of the sync bar.
#[derive(Clone, Copy)]
pub(super) enum RemoteOp {
    Fetch,
    Pull(PullMode),
    Push,
}
