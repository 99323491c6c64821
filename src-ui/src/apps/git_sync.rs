//! The Git page's second half: fetch / pull / push with live progress, a
//! merge or rebase under way (conflicted files, abort, continue), merge and
//! rebase, stashes, tags, remotes, a commit's diff with reset, and clone.

use crate::components::confirm::{Ask, ConfirmHost};
use crate::components::dialog::Dialog;
use crate::components::toast::{use_toasts, Toasts};
use crate::ipc;
use ai_desktop_api::files;
use ai_desktop_api::git;
use ai_desktop_api::git::{
    BranchInfo, CloneRequest, CommitDetail, CommitInfo, GitProgress, PullMode, RemoteInfo,
    RepoState, ResetMode, StashInfo, SyncOutcome, SyncResult, TagInfo,
};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn progress_text(p: &GitProgress) -> String {
    let mut s = p.stage.clone();
    if p.total > 0 {
        s.push_str(&format!(" {}/{}", p.current, p.total));
    }
    if p.bytes > 0 {
        s.push_str(&format!(" · {}", super::system::bytes(p.bytes as f64)));
    }
    if let Some(m) = &p.message {
        s.push_str(&format!(" · {m}"));
    }
    s
}

fn report(toasts: Toasts, what: &str, r: &Result<SyncResult, ApiError>) {
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
pub fn SyncBar(
    repo: RwSignal<Option<i64>>,
    version: RwSignal<u32>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(None::<&'static str>);
    let progress = RwSignal::new(None::<GitProgress>);
    let state = RwSignal::new(RepoState::Clean);
    let conflicted = RwSignal::new(Vec::<String>::new());
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
            view! {
                <div class="banner warn" data-testid="git-under-way">
                    <strong>{if rebase { "A rebase is under way" } else { "A merge is under way" }}</strong>
                    <p>{if rebase {
                        "Resolve the conflicted files, stage them, then Continue — or Abort to go back."
                    } else {
                        "Resolve the conflicted files, stage them and commit — or Abort to go back."
                    }}</p>
                    {move || (!conflicted.get().is_empty()).then(|| view! {
                        <ul class="plain-list mono" data-testid="git-conflicted">
                            {conflicted.get().into_iter().map(|f| view! { <li>"⚠ "{f}</li> }).collect_view()}
                        </ul>
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
pub fn JoinBranches(
    repo: RwSignal<Option<i64>>,
    branches: RwSignal<Vec<BranchInfo>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let other = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
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
                    view! { <option value=n.clone()>{n.clone()}</option> }
                }).collect_view()}
            </select>
            <button class="button" data-testid="git-merge" disabled=move || busy.get() || other.with(String::is_empty)
                title="Merge it into the current branch" on:click=move |_| run(false)>"Merge"</button>
            <button class="button" data-testid="git-rebase" disabled=move || busy.get() || other.with(String::is_empty)
                title="Rebase the current branch onto it" on:click=move |_| run(true)>"Rebase onto"</button>
        </div>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Stashes,
    Tags,
    Remotes,
}

/// Stashes, tags and remotes of the selected repository.
#[component]
pub fn RefsPanel(
    repo: RwSignal<Option<i64>>,
    version: RwSignal<u32>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let tab = RwSignal::new(Tab::Stashes);
    let stashes = RwSignal::new(Vec::<StashInfo>::new());
    let tags = RwSignal::new(Vec::<TagInfo>::new());
    let remotes = RwSignal::new(Vec::<RemoteInfo>::new());
    let text = RwSignal::new(String::new());
    let text2 = RwSignal::new(String::new());
    let untracked = RwSignal::new(true);
    let ask = RwSignal::new(None::<Ask>);
    Effect::new(move |_| {
        version.track();
        let Some(repository_id) = repo.get() else {
            return;
        };
        spawn_local(async move {
            if let Ok(s) = ipc::call(&git::Stashes { repository_id }).await {
                stashes.set(s);
            }
            if let Ok(t) = ipc::call(&git::Tags { repository_id }).await {
                tags.set(t);
            }
            if let Ok(r) = ipc::call(&git::Remotes { repository_id }).await {
                remotes.set(r);
            }
        });
    });
    // One call shape for every action here: what to do, what to say.
    let act = move |op: RefOp, what: &'static str| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let r = match op {
                RefOp::StashPush {
                    message,
                    include_untracked,
                } => ipc::call(&git::StashPush {
                    repository_id,
                    message,
                    include_untracked,
                })
                .await
                .map(|s| stashes.set(s)),
                RefOp::StashApply { index, pop } => ipc::call(&git::StashApply {
                    repository_id,
                    index,
                    pop,
                })
                .await
                .map(|s| stashes.set(s)),
                RefOp::StashDrop { index } => ipc::call(&git::StashDrop {
                    repository_id,
                    index,
                })
                .await
                .map(|s| stashes.set(s)),
                RefOp::CreateTag { name, message } => ipc::call(&git::CreateTag {
                    repository_id,
                    name,
                    message,
                })
                .await
                .map(|t| tags.set(t)),
                RefOp::DeleteTag { name } => ipc::call(&git::DeleteTag {
                    repository_id,
                    name,
                })
                .await
                .map(|t| tags.set(t)),
                RefOp::AddRemote { name, url } => ipc::call(&git::AddRemote {
                    repository_id,
                    name,
                    url,
                })
                .await
                .map(|r| remotes.set(r)),
                RefOp::RemoveRemote { name } => ipc::call(&git::RemoveRemote {
                    repository_id,
                    name,
                })
                .await
                .map(|r| remotes.set(r)),
            };
            match r {
                Ok(()) => {
                    text.set(String::new());
                    text2.set(String::new());
                    toasts.success(what);
                    on_done.run(());
                }
                Err(e) => toasts.error(&format!("{what}: not done"), &e),
            }
        });
    };
    view! {
        <div class="panel" data-testid="git-refs">
            <ConfirmHost ask/>
            <div class="tabs compact" role="tablist">
                <button class="tab" class:active=move || tab.get() == Tab::Stashes data-testid="git-tab-stashes" on:click=move |_| tab.set(Tab::Stashes)>
                    {move || format!("Stashes ({})", stashes.with(Vec::len))}</button>
                <button class="tab" class:active=move || tab.get() == Tab::Tags data-testid="git-tab-tags" on:click=move |_| tab.set(Tab::Tags)>
                    {move || format!("Tags ({})", tags.with(Vec::len))}</button>
                <button class="tab" class:active=move || tab.get() == Tab::Remotes data-testid="git-tab-remotes" on:click=move |_| tab.set(Tab::Remotes)>
                    {move || format!("Remotes ({})", remotes.with(Vec::len))}</button>
            </div>
            {move || match tab.get() {
                Tab::Stashes => view! {
                    <form class="input-row" on:submit=move |ev| { ev.prevent_default();
                        act(RefOp::StashPush { message: text.get_untracked(), include_untracked: untracked.get_untracked() }, "Changes stashed"); }>
                        <input class="input" placeholder="What these changes are (optional)" data-testid="git-stash-message"
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        <label class="check"><input type="checkbox" prop:checked=move || untracked.get() on:change=move |ev| untracked.set(event_target_checked(&ev))/>"new files too"</label>
                        <button class="button" type="submit" data-testid="git-stash-push">"Stash changes"</button>
                    </form>
                    {move || if stashes.with(Vec::is_empty) {
                        view! { <p class="muted">"No stashes. Stash puts uncommitted changes aside and cleans the working tree."</p> }.into_any()
                    } else {
                        view! { <ul class="plain-list" data-testid="git-stashes">
                            {stashes.get().into_iter().map(|s| {
                                let i = s.index;
                                view! { <li class="git-change">
                                    <span class="mono muted">{format!("stash@{{{i}}}")}</span>
                                    <span class="truncate">{s.message.clone()}</span>
                                    <span class="row-actions">
                                        <button class="button small" on:click=move |_| act(RefOp::StashApply { index: i, pop: false }, "Stash applied")>"Apply"</button>
                                        <button class="button small" on:click=move |_| act(RefOp::StashApply { index: i, pop: true }, "Stash applied and dropped")>"Pop"</button>
                                        <button class="button small danger" on:click=move |_| ask.set(Some(Ask::new(
                                            "Drop this stash?", format!("stash@{{{i}}} and its changes are lost."), "Drop",
                                            move || act(RefOp::StashDrop { index: i }, "Stash dropped"))))>"Drop"</button>
                                    </span>
                                </li> }
                            }).collect_view()}
                        </ul> }.into_any()
                    }}
                }.into_any(),
                Tab::Tags => view! {
                    <form class="input-row" on:submit=move |ev| { ev.prevent_default();
                        act(RefOp::CreateTag { name: text.get_untracked(), message: text2.get_untracked() }, "Tagged"); }>
                        <input class="input mono" placeholder="v1.0.0" data-testid="git-tag-name"
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        <input class="input" placeholder="Message (makes an annotated tag)"
                            prop:value=move || text2.get() on:input=move |ev| text2.set(event_target_value(&ev))/>
                        <button class="button" type="submit" data-testid="git-tag-create">"Tag HEAD"</button>
                    </form>
                    {move || if tags.with(Vec::is_empty) {
                        view! { <p class="muted">"No tags yet."</p> }.into_any()
                    } else {
                        view! { <ul class="plain-list" data-testid="git-tags">
                            {tags.get().into_iter().map(|t| {
                                let n = t.name.clone();
                                view! { <li class="git-change">
                                    <span class="mono">{t.name.clone()}</span>
                                    <span class="muted small-text truncate">{format!("{} {}", &t.target[..7.min(t.target.len())], t.message.clone().unwrap_or_default())}</span>
                                    <button class="button small danger" on:click=move |_| {
                                        let n = n.clone();
                                        ask.set(Some(Ask::new("Delete this tag?", format!("The tag {n} is deleted here (not on remotes)."), "Delete",
                                            move || act(RefOp::DeleteTag { name: n.clone() }, "Tag deleted"))))
                                    }>"Delete"</button>
                                </li> }
                            }).collect_view()}
                        </ul> }.into_any()
                    }}
                }.into_any(),
                Tab::Remotes => view! {
                    <form class="input-row" on:submit=move |ev| { ev.prevent_default();
                        act(RefOp::AddRemote { name: text.get_untracked(), url: text2.get_untracked() }, "Remote added"); }>
                        <input class="input mono small-input" placeholder="origin" data-testid="git-remote-name"
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        <input class="input mono" placeholder="git@github.com:you/repo.git" data-testid="git-remote-url"
                            prop:value=move || text2.get() on:input=move |ev| text2.set(event_target_value(&ev))/>
                        <button class="button" type="submit" data-testid="git-remote-add">"Add remote"</button>
                    </form>
                    {move || if remotes.with(Vec::is_empty) {
                        view! { <p class="muted">"No remotes: add one to push and pull."</p> }.into_any()
                    } else {
                        view! { <ul class="plain-list" data-testid="git-remotes">
                            {remotes.get().into_iter().map(|r| {
                                let n = r.name.clone();
                                view! { <li class="git-change">
                                    <span class="mono">{r.name.clone()}</span>
                                    <span class="mono muted small-text truncate">{r.url.clone()}</span>
                                    <button class="button small danger" on:click=move |_| {
                                        let n = n.clone();
                                        ask.set(Some(Ask::new("Remove this remote?", format!("The remote {n} and its remote-tracking branches are removed from this repository."), "Remove",
                                            move || act(RefOp::RemoveRemote { name: n.clone() }, "Remote removed"))))
                                    }>"Remove"</button>
                                </li> }
                            }).collect_view()}
                        </ul> }.into_any()
                    }}
                }.into_any(),
            }}
        </div>
    }
}

fn patch_lines(patch: &str) -> impl IntoView {
    patch
        .lines()
        .map(|l| {
            let class = if l.starts_with("@@") {
                "diff-hunk"
            } else if l.starts_with('+') && !l.starts_with("+++") {
                "diff-add"
            } else if l.starts_with('-') && !l.starts_with("---") {
                "diff-del"
            } else {
                ""
            };
            view! { <tr class=class><td class="code mono">{l.to_string()}</td></tr> }
        })
        .collect_view()
}

/// A commit's message and diff; reset the branch to it (with confirmation).
#[component]
pub fn CommitDialog(
    repository_id: i64,
    commit: CommitInfo,
    on_close: Callback<()>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let detail = RwSignal::new(None::<Result<CommitDetail, ApiError>>);
    let id = commit.id.clone();
    spawn_local({
        let id = id.clone();
        async move {
            detail.set(Some(ipc::call(&git::Show { repository_id, id }).await));
        }
    });
    let ask = RwSignal::new(None::<Ask>);
    let short = commit.short_id.clone();
    let reset = move |mode: ResetMode| {
        let (label, warning) = match mode {
            ResetMode::Soft => ("soft", "The branch moves here; the changes of later commits stay staged."),
            ResetMode::Mixed => ("mixed", "The branch moves here; the changes of later commits stay in your files, unstaged."),
            ResetMode::Hard => ("hard", "The branch moves here and every uncommitted change, and every change of later commits, is discarded from your files."),
        };
        let id = id.clone();
        ask.set(Some(Ask::new(
            format!("Reset ({label}) to {short}?"),
            warning,
            "Reset",
            move || {
                let id = id.clone();
                spawn_local(async move {
                    match ipc::call(&git::Reset {
                        repository_id,
                        id,
                        mode,
                    })
                    .await
                    {
                        Ok(_) => {
                            toasts.success(format!("Reset ({label}) done"));
                            on_reset.run(());
                            on_close.run(());
                        }
                        Err(e) => toasts.error("Not reset", &e),
                    }
                });
            },
        )));
    };
    let reset2 = reset.clone();
    let reset3 = reset.clone();
    view! {
        <Dialog title=format!("Commit {}", commit.short_id) on_close=on_close test_id="git-commit-dialog">
            <ConfirmHost ask/>
            <div class="dialog-body commit-detail">
                {move || match detail.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Reading the commit…"</div> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                    Some(Ok(d)) => view! {
                        <p class="muted small-text">{format!("{} <{}> · {}", d.commit.author, d.commit.email, d.commit.id)}</p>
                        <pre class="commit-message" data-testid="git-commit-message">{d.message.clone()}</pre>
                        {d.truncated.then(|| view! { <p class="muted">"A very large commit: part of it is left out."</p> })}
                        {d.files.into_iter().map(|f| view! {
                            <div class="diff-file">
                                <div class="diff-title"><span class="mono">{f.path.clone()}</span><span class="muted">{f.status.clone()}</span></div>
                                {if f.binary {
                                    view! { <p class="muted">"Binary file"</p> }.into_any()
                                } else {
                                    view! { <table class="diff-table"><tbody>{patch_lines(&f.patch)}</tbody></table> }.into_any()
                                }}
                            </div>
                        }).collect_view()}
                    }.into_any(),
                }}
            </div>
            <footer class="dialog-footer">
                <span class="muted small-text">"Reset the current branch to this commit:"</span>
                <button class="button" on:click=move |_| reset(ResetMode::Soft)>"Soft"</button>
                <button class="button" on:click=move |_| reset2(ResetMode::Mixed)>"Mixed"</button>
                <button class="button danger" data-testid="git-reset-hard" on:click=move |_| reset3(ResetMode::Hard)>"Hard…"</button>
            </footer>
        </Dialog>
    }
}

/// Clone a repository into a workspace folder; it is registered when done.
#[component]
pub fn CloneDialog(on_close: Callback<()>, on_cloned: Callback<Repository>) -> impl IntoView {
    let toasts = use_toasts();
    let workspaces = RwSignal::new(None::<Result<Vec<String>, ApiError>>);
    let url = RwSignal::new(String::new());
    let workspace = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<GitProgress>);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        let r = ipc::call(&files::WorkspaceFolders {}).await;
        if let Ok(list) = &r {
            if let Some(first) = list.first() {
                workspace.set(first.clone());
            }
        }
        workspaces.set(Some(r));
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        progress.set(None);
        let request = CloneRequest {
            url: url.get_untracked(),
            workspace: workspace.get_untracked(),
            name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        spawn_local(async move {
            let clone = git::CloneRepo { request };
            let r = ipc::call_streaming(&clone, move |p| progress.set(Some(p))).await;
            busy.set(false);
            match r {
                Ok(repo) => {
                    toasts.success(format!("Cloned and registered {}", repo.name));
                    on_cloned.run(repo);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <Dialog title="Clone a repository".to_string() on_close=on_close test_id="git-clone-dialog">
            <form class="form dialog-body" on:submit=submit novalidate>
                <label class="field"><span>"URL"</span>
                    <input class="input mono" data-testid="clone-url" placeholder="git@github.com:owner/repo.git or https://…"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/></label>
                {move || match workspaces.get() {
                    None => view! { <div class="loading"><span class="spinner"></span></div> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="banner warn" data-testid="clone-no-workspace">"Add a workspace folder on the Files page first: clones go into one."</p>
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <div class="field-row">
                            <label class="field"><span>"Into"</span>
                                <select class="input" data-testid="clone-workspace" prop:value=move || workspace.get()
                                    on:change=move |ev| workspace.set(event_target_value(&ev))>
                                    {list.into_iter().map(|w| view! { <option value=w.clone()>{w.clone()}</option> }).collect_view()}
                                </select></label>
                            <label class="field"><span>"Folder name"</span>
                                <input class="input mono" data-testid="clone-name" placeholder="from the URL"
                                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                        </div>
                    }.into_any(),
                }}
                {move || progress.get().map(|p| view! {
                    <div class="sync-progress" data-testid="clone-progress">
                        {progress_text(&p)}
                        {(p.total > 0).then(|| view! { <progress max=p.total.to_string() value=p.current.to_string()></progress> })}
                    </div>
                })}
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="clone-error">{e}</p> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="clone-submit"
                        disabled=move || busy.get() || url.with(|u| u.trim().is_empty()) || workspace.with(String::is_empty)>
                        {move || if busy.get() { "Cloning…" } else { "Clone" }}</button>
                </footer>
            </form>
        </Dialog>
    }
}

/// A remote operation of the sync bar.
#[derive(Clone, Copy)]
enum RemoteOp {
    Fetch,
    Pull(PullMode),
    Push,
}

/// What the stashes, tags and remotes tabs do.
#[derive(Clone)]
enum RefOp {
    StashPush {
        message: String,
        include_untracked: bool,
    },
    StashApply {
        index: usize,
        pop: bool,
    },
    StashDrop {
        index: usize,
    },
    CreateTag {
        name: String,
        message: String,
    },
    DeleteTag {
        name: String,
    },
    AddRemote {
        name: String,
        url: String,
    },
    RemoveRemote {
        name: String,
    },
}
