//! One repository: its changes with stage/unstage, a commit box, branches
//! and the log.

use super::*;

pub(super) fn kind_letter(k: Option<ChangeKind>) -> &'static str {
    match k {
        Some(ChangeKind::Added) => "A",
        Some(ChangeKind::Modified) => "M",
        Some(ChangeKind::Deleted) => "D",
        Some(ChangeKind::Renamed) => "R",
        Some(ChangeKind::TypeChanged) => "T",
        Some(ChangeKind::Untracked) => "?",
        None => "",
    }
}

/// One repository: its changes with stage/unstage, a commit box, branches, the log.
#[component]
pub(super) fn RepoPanel(repo: RwSignal<Option<i64>>) -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let changes = RwSignal::new(None::<Result<RepoChanges, ApiError>>);
    let ask = RwSignal::new(None::<Ask>);
    let branches = RwSignal::new(Vec::<BranchInfo>::new());
    let log = RwSignal::new(Vec::<CommitInfo>::new());
    let message = RwSignal::new(String::new());
    let new_branch = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let shown = RwSignal::new(None::<CommitInfo>);
    // The file whose diff is open, and a count of the change list's reads
    // (the diff and the undo button read again with it).
    let open = RwSignal::new(None::<OpenFile>);
    let read_count = RwSignal::new(0u32);
    let reload = move || {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        version.update(|v| *v += 1);
        spawn_local(async move {
            changes.set(Some(ipc::call(&git::Changes { repository_id }).await));
            read_count.update(|v| *v += 1);
            if let Ok(b) = ipc::call(&git::Branches { repository_id }).await {
                branches.set(b);
            }
            if let Ok(l) = ipc::call(&git::Log {
                repository_id,
                limit: 20,
            })
            .await
            {
                log.set(l);
            }
        });
    };
    // The selected repository's changes follow its files (the VS Code page's feed).
    Effect::new(move |_| {
        let repository_id = repo.get();
        open.set(None);
        reload();
        spawn_local(async move {
            let _ = ipc::call(&git::Watch { repository_id }).await;
        });
    });
    // The open diff follows the list: its sides as they are now, closed
    // once the file has no changes left.
    Effect::new(move |_| {
        changes.with(|c| {
            let (Some(Ok(c)), Some(o)) = (c, open.get_untracked()) else {
                return;
            };
            let next = c.files.iter().find(|f| f.path == o.path).map(|f| {
                let both = f.staged.is_some() && f.unstaged.is_some();
                let side = match (both, f.unstaged.is_some()) {
                    (true, _) => o.side,
                    (false, true) => DiffSide::Unstaged,
                    (false, false) => DiffSide::Staged,
                };
                OpenFile {
                    path: o.path.clone(),
                    side,
                    both,
                }
            });
            if next.as_ref() != Some(&o) {
                open.set(next);
            }
        });
    });
    ipc::listen_while_mounted(events::GIT_CHANGES, move |c: RepoChanges| {
        if Some(c.repository_id) == repo.get_untracked() {
            changes.set(Some(Ok(c)));
            read_count.update(|v| *v += 1);
        }
    });
    on_cleanup(move || {
        spawn_local(async move {
            let _ = ipc::call(&git::Watch {
                repository_id: None,
            })
            .await;
        });
    });
    let stage = move |path: String, staged: bool| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let paths = vec![path];
            let result = if staged {
                ipc::call(&git::Unstage {
                    repository_id,
                    paths,
                })
                .await
            } else {
                ipc::call(&git::Stage {
                    repository_id,
                    paths,
                })
                .await
            };
            match result {
                Ok(()) => reload(),
                Err(e) => toasts.error("Git", &e),
            }
        });
    };
    // Amending replaces the last commit instead of adding one.
    let amend = RwSignal::new(false);
    // A trusted repository's hooks run on commits, unless skipped for one.
    let skip_hooks = RwSignal::new(false);
    let trusted = move || {
        repo.get()
            .and_then(|id| repos.rows().into_iter().find(|r| r.id == id))
            .is_some_and(|r| r.trusted)
    };
    let set_trusted = move |on: bool| {
        let Some(id) = repo.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call(&ai_desktop_api::repos::SetTrusted { id, trusted: on }).await {
                Ok(_) => {
                    // The list follows the repository's update event.
                    toasts.success(if on {
                        "Trusted: its hooks run on commits, it signs as your git config says, and ssh remotes go through your ssh setup"
                    } else {
                        "Not trusted: commits run no hook, are not signed, and ssh remotes do not use ~/.ssh/config"
                    });
                }
                Err(e) => toasts.error("Not changed", &e),
            }
        });
    };
    let do_commit = move || {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        busy.set(true);
        let amending = amend.get_untracked();
        spawn_local(async move {
            let text = message.get_untracked();
            let r = if amending {
                ipc::call(&git::Amend {
                    repository_id,
                    message: text,
                })
                .await
            } else {
                ipc::call(&git::Commit {
                    repository_id,
                    message: text,
                    skip_hooks: skip_hooks.get_untracked(),
                })
                .await
            };
            busy.set(false);
            match r {
                Ok(c) => {
                    let verb = if amending {
                        "Amended into"
                    } else {
                        "Committed"
                    };
                    toasts.success(format!("{verb} {} {}", c.short_id, c.summary));
                    message.set(String::new());
                    amend.set(false);
                    skip_hooks.set(false);
                    reload();
                }
                Err(e) => toasts.error(
                    if amending {
                        "Not amended"
                    } else {
                        "Not committed"
                    },
                    &e,
                ),
            }
        });
    };
    let commit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The last commit is on the upstream already: amending rewrites
        // what others may have; ask first.
        let pushed = amend.get_untracked()
            && branches.with_untracked(|b| {
                b.iter()
                    .any(|b| b.current && b.upstream.is_some() && b.ahead == 0)
            });
        if pushed {
            ask.set(Some(Ask::new(
                "Amend a pushed commit?",
                "The last commit is on the upstream branch already. Amending replaces it here; pushing afterwards needs a force push, and others who have it keep the old one.",
                "Amend",
                do_commit,
            )));
        } else {
            do_commit();
        }
    };
    // A message drafted by the Flow Builder's agent from the staged diff.
    let drafting = RwSignal::new(false);
    let draft = move |_| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        drafting.set(true);
        spawn_local(async move {
            let r = ipc::call(&git::DraftMessage { repository_id }).await;
            drafting.set(false);
            match r {
                Ok(m) => message.set(m),
                Err(e) => toasts.error("No draft", &e),
            }
        });
    };
    let discard_file = move |path: String| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        let p = path.clone();
        ask.set(Some(Ask::new(
            "Discard the changes?",
            format!("The unstaged changes to {path} are thrown away (an untracked file is removed). Undo, next to Changes, brings them back."),
            "Discard",
            move || {
                let path = p.clone();
                spawn_local(async move {
                    match ipc::call(&git::DiscardFile { repository_id, path: path.clone() }).await {
                        Ok(()) => {
                            toasts.success(format!("Discarded the changes to {path}"));
                            reload();
                        }
                        Err(e) => toasts.error("Not discarded", &e),
                    }
                });
            },
        )));
    };
    // The branch being renamed in place, and its new name as typed.
    let renaming = RwSignal::new(None::<String>);
    let rename_to = RwSignal::new(String::new());
    let rename = move |name: String, new_name: String| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call(&git::RenameBranch {
                repository_id,
                name: name.clone(),
                new_name: new_name.trim().to_string(),
            })
            .await
            {
                Ok(b) => {
                    toasts.success(format!("Renamed {name} to {}", new_name.trim()));
                    branches.set(b);
                    renaming.set(None);
                    reload();
                }
                Err(e) => toasts.error("Not renamed", &e),
            }
        });
    };
    let branch_op = move |op: BranchOp, name: String| {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let result = match op {
                BranchOp::Create => {
                    ipc::call(&git::CreateBranch {
                        repository_id,
                        name,
                        checkout: true,
                    })
                    .await
                }
                BranchOp::Switch => {
                    ipc::call(&git::SwitchBranch {
                        repository_id,
                        name,
                    })
                    .await
                }
                BranchOp::Delete => {
                    ipc::call(&git::DeleteBranch {
                        repository_id,
                        name,
                    })
                    .await
                }
            };
            match result {
                Ok(b) => {
                    branches.set(b);
                    new_branch.set(String::new());
                    reload();
                }
                Err(e) => toasts.error("Branch", &e),
            }
        });
    };
    view! {
        <div class="panel" data-testid="git-repo">
            <ConfirmHost ask/>
            <div class="panel-title">"Repository"
                <label class="check small-text trust-toggle"
                    title="A repository's own config and hooks can name any program. Trusted: commits from here run its hooks (pre-commit, commit-msg, husky, lint-staged) and sign as your git config says, and fetch, pull and push of ssh remotes go through git and your own ssh (host aliases, ports and keys of ~/.ssh/config). Not trusted: nothing it names runs.">
                    <input type="checkbox" data-testid="git-trusted" prop:checked=trusted
                        on:change=move |ev| set_trusted(event_target_checked(&ev))/>
                    "Trusted (hooks, signing, your ssh config)"
                </label>
                <select class="input small-input" data-testid="git-repo-select"
                    prop:value=move || repo.get().map(|id| id.to_string()).unwrap_or_default()
                    on:change=move |ev| repo.set(event_target_value(&ev).parse().ok())>
                    {move || repos.rows().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name}</option> }).collect_view()}
                </select>
            </div>
            <SyncBar repo version on_done=Callback::new(move |_| reload())/>
            {move || shown.get().zip(repo.get()).map(|(c, repository_id)| view! {
                <CommitDialog repository_id commit=c on_close=Callback::new(move |_| shown.set(None))
                    on_reset=Callback::new(move |_| reload())/>
            })}
            {move || match changes.get() {
                None if repo.get().is_none() => view! { <p class="muted">"Register a repository to work with it here."</p> }.into_any(),
                None => view! { <div class="loading"><span class="spinner"></span>"Reading the repository…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                Some(Ok(c)) => view! {
                    <div class="git-grid">
                        <div>
                            <div class="panel-title small">"Changes"<span class="muted small-text">{c.branch.clone().map(|b| format!("on {b}"))}</span>
                                {move || repo.get().map(|repository_id| view! {
                                    <UndoButton repository_id version=read_count on_done=Callback::new(move |_| reload())/>
                                })}
                            </div>
                            {if c.files.is_empty() {
                                view! { <p class="muted" data-testid="git-clean">"Nothing to commit: the working tree is clean."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list" data-testid="git-changes">
                                        {c.files.into_iter().map(|f| {
                                            let staged = f.staged.is_some() && f.unstaged.is_none();
                                            let path = f.path.clone();
                                            let file = OpenFile {
                                                path: f.path.clone(),
                                                side: if f.unstaged.is_some() { DiffSide::Unstaged } else { DiffSide::Staged },
                                                both: f.staged.is_some() && f.unstaged.is_some(),
                                            };
                                            let this = f.path.clone();
                                            let is_open = move || open.with(|o| o.as_ref().is_some_and(|o| o.path == this));
                                            view! {
                                                <li class="git-change" class:selected=is_open data-testid=format!("git-change-{}", f.path)>
                                                    <span class="mono change-kinds">{kind_letter(f.staged)}{kind_letter(f.unstaged)}</span>
                                                    <button type="button" class="link mono truncate" title="Show the diff"
                                                        data-testid=format!("git-open-{}", f.path)
                                                        on:click=move |_| open.set(Some(file.clone()))>{f.path.clone()}</button>
                                                    <span class="row-actions">
                                                        {f.unstaged.is_some().then(|| {
                                                            let path = f.path.clone();
                                                            view! {
                                                                <button class="button small danger" data-testid=format!("git-discard-{}", f.path)
                                                                    title="Throw away the unstaged changes (Undo brings them back)"
                                                                    on:click=move |_| discard_file(path.clone())>"Discard"</button>
                                                            }
                                                        })}
                                                        <button class="button small" data-testid=format!("git-toggle-{}", f.path)
                                                            on:click=move |_| stage(path.clone(), staged)>{if staged { "Unstage" } else { "Stage" }}</button>
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <form class="form commit-box" on:submit=commit>
                                <textarea class="input" rows="2" data-testid="git-message"
                                    placeholder=move || if amend.get() {
                                        log.with(|l| l.first().map(|c| format!("New message (empty: keep “{}”)", c.summary)).unwrap_or_default())
                                    } else {
                                        "Commit message".to_string()
                                    }
                                    prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                                <div class="commit-actions">
                                    <button class="button primary" type="submit" data-testid="git-commit"
                                        disabled=move || busy.get() || (!amend.get() && message.with(|m| m.trim().is_empty()))>
                                        {move || if amend.get() { "Amend last commit" } else { "Commit staged changes" }}
                                    </button>
                                    {move || (trusted() && !amend.get()).then(|| view! {
                                        <label class="check small-text" title="Commit without running the repository's hooks this once">
                                            <input type="checkbox" data-testid="git-skip-hooks" prop:checked=move || skip_hooks.get()
                                                on:change=move |ev| skip_hooks.set(event_target_checked(&ev))/>
                                            "Skip hooks"
                                        </label>
                                    })}
                                    <button type="button" class="button small" data-testid="git-draft"
                                        title="The Flow Builder's agent drafts a message from the staged diff; edit it, then commit"
                                        disabled=move || drafting.get()
                                        on:click=draft>
                                        {move || if drafting.get() { "Drafting…" } else { "Draft message" }}
                                    </button>
                                    <label class="check small-text" title="Replace the last commit with one of what is staged now (and the new message, if any)">
                                        <input type="checkbox" data-testid="git-amend" prop:checked=move || amend.get()
                                            disabled=move || log.with(Vec::is_empty)
                                            on:change=move |ev| amend.set(event_target_checked(&ev))/>
                                        "Amend"
                                    </label>
                                </div>
                            </form>
                        </div>
                        <div>
                            <div class="panel-title small">"Branches"</div>
                            <ul class="plain-list" data-testid="git-branches">
                                {move || branches.get().into_iter().map(|b| {
                                    let n1 = b.name.clone();
                                    let n2 = b.name.clone();
                                    let n3 = b.name.clone();
                                    let this = b.name.clone();
                                    if renaming.get().as_deref() == Some(b.name.as_str()) {
                                        let from = b.name.clone();
                                        return view! {
                                            <li class="git-change">
                                                <form class="input-row rename-row" on:submit=move |ev| {
                                                    ev.prevent_default();
                                                    rename(from.clone(), rename_to.get_untracked());
                                                }>
                                                    <input class="input mono small-input" data-testid="git-rename-input" aria-label="New branch name"
                                                        prop:value=move || rename_to.get() on:input=move |ev| rename_to.set(event_target_value(&ev))/>
                                                    <button class="button small primary" type="submit" data-testid="git-rename-save">"Rename"</button>
                                                    <button class="button small" type="button" on:click=move |_| renaming.set(None)>"Cancel"</button>
                                                </form>
                                            </li>
                                        }.into_any();
                                    }
                                    view! {
                                        <li class="git-change">
                                            <span class="mono">{if b.current { "● " } else { "  " }}{b.name.clone()}</span>
                                            <span class="muted small-text">{b.upstream.clone().map(|u| format!("{u} ↑{} ↓{}", b.ahead, b.behind))}</span>
                                            <span class="row-actions">
                                                <button class="button small" data-testid=format!("git-rename-branch-{}", b.name) title="Rename this branch"
                                                    on:click=move |_| { rename_to.set(n3.clone()); renaming.set(Some(this.clone())); }>"Rename"</button>
                                                {(!b.current).then(|| view! {
                                                    <button class="button small" data-testid=format!("git-switch-branch-{}", b.name) on:click=move |_| branch_op(BranchOp::Switch, n1.clone())>"Switch"</button>
                                                    <button class="button small danger" data-testid=format!("git-delete-branch-{}", b.name) on:click=move |_| {
                                                        let n = n2.clone();
                                                        ask.set(Some(Ask::new(
                                                            "Delete this branch?",
                                                            format!("The branch {n} is deleted from this repository (not from remotes). It is refused if it has commits the current branch does not have. Undo, next to Changes, brings it back."),
                                                            "Delete",
                                                            move || branch_op(BranchOp::Delete, n.clone()),
                                                        )));
                                                    }>"Delete"</button>
                                                })}
                                            </span>
                                        </li>
                                    }.into_any()
                                }).collect_view()}
                            </ul>
                            <form class="input-row" on:submit=move |ev| { ev.prevent_default(); branch_op(BranchOp::Create, new_branch.get_untracked()); }>
                                <input class="input mono" placeholder="new-branch" data-testid="git-new-branch" prop:value=move || new_branch.get() on:input=move |ev| new_branch.set(event_target_value(&ev))/>
                                <button class="button" type="submit">"Create and switch"</button>
                            </form>
                            <JoinBranches repo branches on_done=Callback::new(move |_| reload())/>
                        </div>
                    </div>
                }.into_any(),
            }}
        </div>
        {move || repo.get().map(|repository_id| view! {
            <FileDiffPanel repository_id open version=read_count on_done=Callback::new(move |_| reload())
                on_commit=Callback::new(move |c| shown.set(Some(c)))/>
            <HistoryGraph repository_id version on_pick=Callback::new(move |c| shown.set(Some(c)))/>
        })}
        <RefsPanel repo version on_done=Callback::new(move |_| reload())/>
    }
}

/// What the branch list's buttons do.
#[derive(Clone, Copy)]
pub(super) enum BranchOp {
    Create,
    Switch,
    Delete,
}
