//! Git: a repository's changes, commits, branches and history (with
//! fetch/pull/push, merge/rebase, stashes, tags and remotes from
//! `git_sync.rs`), cloning, who you are to git, and your SSH keys.

use super::git_sync::{CloneDialog, CommitDialog, JoinBranches, RefsPanel, SyncBar};
use super::repositories::RepoList;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::git;
use ai_desktop_api::git::{BranchInfo, CommitInfo, GitIdentity, NewSshKey, SshKey, SshTestResult};
use ai_desktop_api::git::{ChangeKind, RepoChanges};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn GitPage() -> impl IntoView {
    let cloning = RwSignal::new(false);
    let repos = expect_context::<RepoList>();
    let selection = repos.selection();
    view! {
        <section class="page" data-testid="page-git">
            <header class="page-header">
                <div>
                    <h1>"Git"</h1>
                    <p class="muted">"Stage, commit, branch, sync and merge in your repositories; your identity for commits; the SSH keys git uses to reach your hosts."</p>
                </div>
                <button class="button primary" data-testid="git-clone" on:click=move |_| cloning.set(true)>"Clone…"</button>
            </header>
            {move || cloning.get().then(|| view! {
                <CloneDialog on_close=Callback::new(move |_| cloning.set(false))
                    on_cloned=Callback::new(move |r: ai_desktop_api::repos::Repository| selection.set(Some(r.id)))/>
            })}
            <RepoPanel repo=selection/>
            <IdentityPanel/>
            <SshKeysPanel/>
        </section>
    }
}

#[component]
fn IdentityPanel() -> impl IntoView {
    let toasts = use_toasts();
    let loaded = RwSignal::new(None::<Result<GitIdentity, ApiError>>);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    spawn_local(async move {
        let r = ipc::call(&git::Identity {}).await;
        if let Ok(i) = &r {
            name.set(i.name.clone().unwrap_or_default());
            email.set(i.email.clone().unwrap_or_default());
        }
        loaded.set(Some(r));
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let r = ipc::call(&git::SetIdentity {
                name: name.get_untracked(),
                email: email.get_untracked(),
            })
            .await;
            saving.set(false);
            match r {
                Ok(i) => {
                    toasts.success("Git identity saved");
                    loaded.set(Some(Ok(i)));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="panel" data-testid="git-identity">
            <div class="panel-title">"Identity"
                <span class="muted small-text mono">{move || match loaded.get() { Some(Ok(i)) => i.config_file, _ => String::new() }}</span>
            </div>
            {move || match loaded.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading your git configuration…"</div> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                Some(Ok(_)) => view! {
                    <form class="form" on:submit=save novalidate>
                        <div class="field-row">
                            <label class="field"><span>"Name"</span>
                                <input class="input" data-testid="git-name" placeholder="Ada Lovelace" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                            <label class="field"><span>"Email"</span>
                                <input class="input" data-testid="git-email" placeholder="ada@example.org" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                        </div>
                        {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="git-identity-error">{e}</p> })}
                        <div><button class="button primary" type="submit" data-testid="git-identity-save" disabled=move || saving.get()>
                            {move || if saving.get() { "Saving…" } else { "Save" }}</button></div>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn SshKeysPanel() -> impl IntoView {
    let toasts = use_toasts();
    let keys = RwSignal::new(None::<Result<Vec<SshKey>, ApiError>>);
    let generating = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            keys.set(Some(ipc::call(&git::SshKeys {}).await));
        });
    };
    load();
    let copy = move |text: String| crate::components::clipboard::copy(text, "Public key", toasts);
    let host = RwSignal::new(String::from("git@github.com"));
    let test_key = RwSignal::new(String::new());
    let testing = RwSignal::new(false);
    let result = RwSignal::new(None::<SshTestResult>);
    let test = move |_| {
        testing.set(true);
        result.set(None);
        spawn_local(async move {
            let key = Some(test_key.get_untracked()).filter(|k| !k.is_empty());
            let r = ipc::call(&git::SshTest {
                host: host.get_untracked(),
                key,
            })
            .await;
            testing.set(false);
            match r {
                Ok(r) => result.set(Some(r)),
                Err(e) => toasts.error("Could not test", &e),
            }
        });
    };
    view! {
        <div class="panel" data-testid="ssh-keys">
            <div class="panel-title">"SSH keys"
                <button class="button small primary" data-testid="ssh-generate" on:click=move |_| generating.set(true)><Svg icon=Icon::Plus/>"New key"</button>
            </div>
            {move || match keys.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading ~/.ssh…"</div> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="ssh-empty">"No keys in ~/.ssh yet. Make one, then add its public key to your git host."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="plain-list" data-testid="ssh-list">
                        {list.into_iter().map(|k| {
                            let public = k.public_key.clone();
                            view! {
                                <li class="ssh-key" data-testid=format!("ssh-key-{}", k.name)>
                                    <div>
                                        <strong class="mono">{k.name.clone()}</strong>" "
                                        <span class="chip">{k.algorithm.clone()}</span>
                                        {(!k.has_private).then(|| view! { <span class="chip">"public only"</span> })}
                                        <div class="muted small-text mono">{k.fingerprint.clone()}" · "{k.comment.clone()}</div>
                                    </div>
                                    <button class="button small" on:click=move |_| copy(public.clone())>"Copy public key"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <div class="panel-title small">"Test a host"</div>
            <div class="input-row">
                <input class="input mono" data-testid="ssh-host" prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev))/>
                <select class="input small-input" prop:value=move || test_key.get() on:change=move |ev| test_key.set(event_target_value(&ev))>
                    <option value="">"ssh's default keys"</option>
                    {move || match keys.get() { Some(Ok(l)) => l.into_iter().filter(|k| k.has_private).map(|k| view! { <option value=k.name.clone()>{k.name.clone()}</option> }).collect_view().into_any(), _ => ().into_any() }}
                </select>
                <button class="button" data-testid="ssh-test" disabled=move || testing.get() on:click=test>{move || if testing.get() { "Testing…" } else { "Test" }}</button>
            </div>
            <p class="hint">"Runs ssh -T without prompts (15 s at most). A host seen for the first time is remembered in ~/.ssh/known_hosts."</p>
            {move || result.get().map(|r| view! {
                <pre class=if r.authenticated { "banner pre" } else { "banner error pre" } data-testid="ssh-test-result">
                    {if r.authenticated { "The host accepted the key.\n" } else { "Not accepted.\n" }}{r.output}
                </pre>
            })}
            {move || generating.get().then(|| view! {
                <GenerateDialog on_close=Callback::new(move |_| generating.set(false)) on_done=Callback::new(move |_| load())/>
            })}
        </div>
    }
}

#[component]
fn GenerateDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::from("id_ed25519"));
    let comment = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let input = NewSshKey {
            name: name.get_untracked(),
            comment: comment.get_untracked(),
            passphrase: Some(passphrase.get_untracked()).filter(|p| !p.is_empty()),
        };
        spawn_local(async move {
            let r = ipc::call(&git::SshGenerate { input }).await;
            busy.set(false);
            match r {
                Ok(k) => {
                    toasts.success(format!("Made {}", k.name));
                    on_done.run(());
                    on_close.run(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <Dialog title="New SSH key (ed25519)".to_string() on_close=on_close test_id="ssh-dialog">
            <form class="form" on:submit=submit novalidate>
                <label class="field"><span>"File name in ~/.ssh"</span>
                    <input class="input mono" data-testid="ssh-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Comment"</span>
                    <input class="input" data-testid="ssh-comment" placeholder="you@this-machine" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Passphrase (optional)"</span>
                    <input class="input" type="password" autocomplete="new-password" data-testid="ssh-passphrase" prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                    <small class="hint">"Made inside the app: the passphrase never appears on a command line. An existing file is never replaced."</small></label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="form-error">{e}</p> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="ssh-submit" disabled=move || busy.get()>{move || if busy.get() { "Making…" } else { "Make key" }}</button>
                </footer>
            </form>
        </Dialog>
    }
}

fn kind_letter(k: Option<ChangeKind>) -> &'static str {
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
fn RepoPanel(repo: RwSignal<Option<i64>>) -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let changes = RwSignal::new(None::<Result<RepoChanges, ApiError>>);
    let branches = RwSignal::new(Vec::<BranchInfo>::new());
    let log = RwSignal::new(Vec::<CommitInfo>::new());
    let message = RwSignal::new(String::new());
    let new_branch = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let shown = RwSignal::new(None::<CommitInfo>);
    let reload = move || {
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        version.update(|v| *v += 1);
        spawn_local(async move {
            changes.set(Some(ipc::call(&git::Changes { repository_id }).await));
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
        reload();
        spawn_local(async move {
            let _ = ipc::call(&git::Watch { repository_id }).await;
        });
    });
    ipc::listen_while_mounted(events::GIT_CHANGES, move |c: RepoChanges| {
        if Some(c.repository_id) == repo.get_untracked() {
            changes.set(Some(Ok(c)));
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
    let commit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repository_id) = repo.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&git::Commit {
                repository_id,
                message: message.get_untracked(),
            })
            .await;
            busy.set(false);
            match r {
                Ok(c) => {
                    toasts.success(format!("Committed {} {}", c.short_id, c.summary));
                    message.set(String::new());
                    reload();
                }
                Err(e) => toasts.error("Not committed", &e),
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
            <div class="panel-title">"Repository"
                <select class="input small-input" data-testid="git-repo-select"
                    prop:value=move || repo.get().map(|id| id.to_string()).unwrap_or_default()
                    on:change=move |ev| repo.set(event_target_value(&ev).parse().ok())>
                    {move || repos.items.get().unwrap_or_default().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name}</option> }).collect_view()}
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
                Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                Some(Ok(c)) => view! {
                    <div class="git-grid">
                        <div>
                            <div class="panel-title small">"Changes"<span class="muted small-text">{c.branch.clone().map(|b| format!("on {b}"))}</span></div>
                            {if c.files.is_empty() {
                                view! { <p class="muted" data-testid="git-clean">"Nothing to commit: the working tree is clean."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list" data-testid="git-changes">
                                        {c.files.into_iter().map(|f| {
                                            let staged = f.staged.is_some() && f.unstaged.is_none();
                                            let path = f.path.clone();
                                            view! {
                                                <li class="git-change" data-testid=format!("git-change-{}", f.path)>
                                                    <span class="mono change-kinds">{kind_letter(f.staged)}{kind_letter(f.unstaged)}</span>
                                                    <span class="mono truncate">{f.path.clone()}</span>
                                                    <button class="button small" data-testid=format!("git-toggle-{}", f.path)
                                                        on:click=move |_| stage(path.clone(), staged)>{if staged { "Unstage" } else { "Stage" }}</button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <form class="form commit-box" on:submit=commit>
                                <textarea class="input" rows="2" data-testid="git-message" placeholder="Commit message"
                                    prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                                <div><button class="button primary" type="submit" data-testid="git-commit"
                                    disabled=move || busy.get() || message.with(|m| m.trim().is_empty())>"Commit staged changes"</button></div>
                            </form>
                        </div>
                        <div>
                            <div class="panel-title small">"Branches"</div>
                            <ul class="plain-list" data-testid="git-branches">
                                {move || branches.get().into_iter().map(|b| {
                                    let n1 = b.name.clone();
                                    let n2 = b.name.clone();
                                    view! {
                                        <li class="git-change">
                                            <span class="mono">{if b.current { "● " } else { "  " }}{b.name.clone()}</span>
                                            <span class="muted small-text">{b.upstream.clone().map(|u| format!("{u} ↑{} ↓{}", b.ahead, b.behind))}</span>
                                            {(!b.current).then(|| view! {
                                                <span class="row-actions">
                                                    <button class="button small" on:click=move |_| branch_op(BranchOp::Switch, n1.clone())>"Switch"</button>
                                                    <button class="button small danger" on:click=move |_| branch_op(BranchOp::Delete, n2.clone())>"Delete"</button>
                                                </span>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <form class="input-row" on:submit=move |ev| { ev.prevent_default(); branch_op(BranchOp::Create, new_branch.get_untracked()); }>
                                <input class="input mono" placeholder="new-branch" data-testid="git-new-branch" prop:value=move || new_branch.get() on:input=move |ev| new_branch.set(event_target_value(&ev))/>
                                <button class="button" type="submit">"Create and switch"</button>
                            </form>
                            <JoinBranches repo branches on_done=Callback::new(move |_| reload())/>
                            <div class="panel-title small">"History"<span class="muted small-text">"click a commit for its diff"</span></div>
                            <ul class="plain-list" data-testid="git-log">
                                {move || log.get().into_iter().map(|c| {
                                    let open = c.clone();
                                    view! {
                                        <li class="git-commit clickable" on:click=move |_| shown.set(Some(open.clone()))><span class="mono muted">{c.short_id.clone()}</span>" "<span>{c.summary.clone()}</span>
                                            <span class="muted small-text">{format!(" — {}{}", c.author, if c.parents.len() > 1 { " (merge)" } else { "" })}</span></li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    </div>
                }.into_any(),
            }}
        </div>
        <RefsPanel repo version on_done=Callback::new(move |_| reload())/>
    }
}

/// What the branch list's buttons do.
#[derive(Clone, Copy)]
enum BranchOp {
    Create,
    Switch,
    Delete,
}
