//! Stashes, tags and remotes of the selected repository.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Stashes,
    Tags,
    Remotes,
    Worktrees,
}

/// Stashes, tags and remotes of the selected repository.
#[component]
pub(super) fn RefsPanel(
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
                <button class="tab" class:active=move || tab.get() == Tab::Worktrees data-testid="git-tab-worktrees" on:click=move |_| tab.set(Tab::Worktrees)>
                    "Worktrees"</button>
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
                                        <button class="button small danger" data-testid=format!("git-stash-drop-{i}") on:click=move |_| ask.set(Some(Ask::new(
                                            "Drop this stash?", format!("stash@{{{i}}} leaves the list. Undo (next to Changes) puts it back while git still keeps it."), "Drop",
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
                Tab::Worktrees => match repo.get() {
                    Some(repository_id) => view! { <WorktreesTab repository_id version/> }.into_any(),
                    None => ().into_any(),
                },
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

/// What the stashes, tags and remotes tabs do.
#[derive(Clone)]
pub(super) enum RefOp {
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
