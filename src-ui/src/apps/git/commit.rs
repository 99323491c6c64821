//! A commit's message and diff, and resetting the branch to it.

use super::*;

pub(super) fn patch_lines(patch: &str) -> impl IntoView {
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
pub(super) fn CommitDialog(
    repository_id: i64,
    commit: CommitInfo,
    on_close: Callback<()>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let id = commit.id.clone();
    let detail = resource({
        let id = id.clone();
        move || git::Show {
            repository_id,
            id: id.clone(),
        }
    });
    let ask = RwSignal::new(None::<Ask>);
    // Signed? Verified (checked only in a trusted repository)?
    let signature = RwSignal::new(None::<ai_desktop_api::git::SignatureStatus>);
    {
        let id = commit.id.clone();
        spawn_local(async move {
            if let Ok(s) = ipc::call(&git::Signature { repository_id, id }).await {
                signature.set(Some(s));
            }
        });
    }
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
                            on_reset.try_run(());
                            on_close.try_run(());
                        }
                        Err(e) => toasts.error("Not reset", &e),
                    }
                });
            },
        )));
    };
    let reset2 = reset.clone();
    let reset3 = reset.clone();
    // Cherry-pick or revert this commit on the current branch.
    let busy = RwSignal::new(false);
    let apply = {
        let id = commit.id.clone();
        move |revert: bool| {
            let id = id.clone();
            busy.set(true);
            spawn_local(async move {
                let r = if revert {
                    ipc::call(&git::Revert { repository_id, id }).await
                } else {
                    ipc::call(&git::CherryPick { repository_id, id }).await
                };
                busy.set(false);
                super::sync::report(
                    toasts,
                    if revert {
                        "Not reverted"
                    } else {
                        "Not cherry-picked"
                    },
                    &r,
                );
                if r.is_ok() {
                    on_reset.run(());
                    on_close.run(());
                }
            });
        }
    };
    let apply2 = apply.clone();
    let rebasing = RwSignal::new(false);
    let base = commit.clone();
    view! {
        {move || rebasing.get().then(|| view! {
            <RebaseDialog repository_id base=base.clone()
                on_close=Callback::new(move |_| rebasing.set(false))
                on_done=Callback::new(move |_| { on_reset.run(()); on_close.run(()); })/>
        })}
        <Dialog title=format!("Commit {}", commit.short_id) on_close=on_close test_id="git-commit-dialog">
            <ConfirmHost ask/>
            <div class="dialog-body commit-detail">
                    {move || signature.get().and_then(|s| {
                    use ai_desktop_api::git::SignatureStatus as S;
                    let (class, text) = match s {
                        S::Unsigned => return None,
                        S::SignedUnchecked => ("muted", "Signed · not checked (checking runs the program the repository's config names; trust the repository to check)".to_string()),
                        S::Verified { signer } => ("sig-good", format!("Signed · verified: {signer}")),
                        S::Unverified { reason } => ("sig-bad", format!("Signed · not verified: {reason}")),
                    };
                    Some(view! { <p class=format!("small-text {class}") data-testid="git-signature">{text}</p> })
                })}
                {loaded(detail, "Reading the commit…", |d| view! {
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
                })}
            </div>
            <footer class="dialog-footer commit-actions">
                <div class="action-group">
                    <span class="group-label">"Onto the current branch"</span>
                    <div class="group-buttons">
                        <button class="button" data-testid="git-cherry-pick" disabled=move || busy.get()
                            title="Apply this commit's change to the current branch as a new commit"
                            on:click=move |_| apply(false)>"Cherry-pick"</button>
                        <button class="button" data-testid="git-revert" disabled=move || busy.get()
                            title="Make a new commit that undoes this commit's change"
                            on:click=move |_| apply2(true)>"Revert"</button>
                    </div>
                </div>
                <div class="action-group">
                    <span class="group-label">"The commits after it"</span>
                    <div class="group-buttons">
                        <button class="button" data-testid="git-rebase-here"
                            title="Reorder, reword, squash or drop the commits after this one"
                            on:click=move |_| rebasing.set(true)>"Rebase…"</button>
                    </div>
                </div>
                <div class="action-group">
                    <span class="group-label">"Reset the current branch here"</span>
                    <div class="group-buttons">
                        <button class="button" title="The branch moves here; later commits' changes stay staged"
                            on:click=move |_| reset(ResetMode::Soft)>"Soft"</button>
                        <button class="button" title="The branch moves here; later commits' changes stay in your files, unstaged"
                            on:click=move |_| reset2(ResetMode::Mixed)>"Mixed"</button>
                        <button class="button danger" data-testid="git-reset-hard"
                            title="The branch moves here and your files with it (asks first)"
                            on:click=move |_| reset3(ResetMode::Hard)>"Hard…"</button>
                    </div>
                </div>
            </footer>
        </Dialog>
    }
}
