//! Git: a repository's changes, commits, branches and history, fetch /
//! pull / push, merge and rebase, stashes, tags and remotes, cloning, who
//! you are to git, and your SSH keys; one file per concept.

use super::repositories::RepoList;
use crate::components::confirm::{Ask, ConfirmHost};
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::load::{loaded, resource};
use crate::components::toast::{use_toasts, ErrorText, Toasts};
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::files;
use ai_desktop_api::git;
use ai_desktop_api::git::{
    BranchInfo, ChangeKind, CloneRequest, CommitInfo, DiffSide, GitProgress, NewSshKey, PullMode,
    RemoteInfo, RepoChanges, RepoState, ResetMode, StashInfo, SyncOutcome, SyncResult, TagInfo,
};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

mod changes;
mod clone;
mod commit;
mod conflict;
mod file_diff;
mod history;
mod identity;
mod insight;
mod keys;
mod rebase;
mod refs;
mod sync;
mod worktrees;

use changes::*;
use clone::*;
use commit::*;
use conflict::*;
use file_diff::*;
use history::*;
use identity::*;
use insight::*;
use keys::*;
use rebase::*;
use refs::*;
use sync::*;
use worktrees::*;

#[component]
pub fn GitPage() -> impl IntoView {
    let cloning = RwSignal::new(false);
    let repos = expect_context::<RepoList>();
    let selection = repos.selection();
    super::use_nav().follow_focus(super::Page::Git, selection);
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
