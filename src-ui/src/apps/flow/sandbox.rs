//! A session's sandbox, under its toolbar: the branch and worktree it works
//! in, what it changed, its VS Code and database copies; *Merge* (commit
//! what is left, then merge the branch on the Git page) and *Discard*.

use super::*;
use ai_desktop_api::flow::SandboxStatus;
use ai_desktop_api::vscode::{self, OpenTarget};

#[derive(Clone, Copy, PartialEq)]
enum SandboxModal {
    Closed,
    Merge,
    Discard,
}

#[component]
pub(super) fn SandboxBar(
    id: i64,
    session: Memo<Option<FlowSession>>,
    /// Read again when it changes (the conversation moved on).
    changed: Signal<usize>,
) -> impl IntoView {
    let toasts = use_toasts();
    let status = RwSignal::new(None::<Result<SandboxStatus, ApiError>>);
    let modal = RwSignal::new(SandboxModal::Closed);
    let active = Memo::new(move |_| {
        session.with(|s| {
            s.as_ref()
                .and_then(|s| s.sandbox.as_ref())
                .is_some_and(|b| !b.discarded)
        })
    });
    let load = move || {
        spawn_local(async move {
            let r = ipc::call(&flow::Sandbox { session_id: id }).await;
            let _ = status.try_set(Some(r));
        });
    };
    Effect::new(move |_| {
        changed.track();
        if active.get() {
            load();
        }
    });
    let open_editor = move |repository_id: i64| {
        spawn_local(async move {
            if let Err(e) = ipc::call(&vscode::Open {
                repository_id,
                target: OpenTarget::AppWindow,
            })
            .await
            {
                toasts.error("Could not open the sandbox's VS Code", &e);
            }
        });
    };
    move || {
        let sandbox = session.get().and_then(|s| s.sandbox)?;
        if sandbox.discarded {
            return Some(
                view! {
                    <div class="sandbox-bar muted" data-testid="flow-sandbox-discarded">
                        <Svg icon=Icon::GitBranch/>
                        {format!("Its sandbox ({}) was discarded.", sandbox.branch)}
                    </div>
                }
                .into_any(),
            );
        }
        let origin = sandbox
            .origin_name
            .clone()
            .unwrap_or_else(|| "a removed repository".into());
        Some(view! {
            <div class="sandbox-bar" data-testid="flow-sandbox">
                <Svg icon=Icon::GitBranch/>
                <span>"Sandbox of "<strong>{origin}</strong>" on "<code data-testid="flow-sandbox-branch">{sandbox.branch.clone()}</code></span>
                {move || match status.get() {
                    None => view! { <span class="muted"><span class="spinner small"></span>"Reading the sandbox…"</span> }.into_any(),
                    Some(Err(e)) => view! { <span class="form-error">{e.message}</span> }.into_any(),
                    Some(Ok(s)) => {
                        let mut parts = vec![
                            format!("{} changed file(s)", s.changed_files),
                            format!("{} commit(s) to merge", s.commits_ahead),
                        ];
                        parts.push(match s.editor_port {
                            Some(port) => format!("VS Code on {port}"),
                            None => "VS Code stopped".into(),
                        });
                        if !s.databases.is_empty() {
                            parts.push(format!("copy of {}", s.databases.join(", ")));
                        }
                        let repository_id = s.repository_id;
                        view! {
                            <span class="muted" data-testid="flow-sandbox-status">{parts.join(" · ")}</span>
                            <span class="spacer"></span>
                            <button class="button small" data-testid="flow-sandbox-editor"
                                title="Open the sandbox's worktree in its own VS Code"
                                on:click=move |_| open_editor(repository_id)>"Open in VS Code"</button>
                        }.into_any()
                    }
                }}
                <button class="button small primary" data-testid="flow-sandbox-merge"
                    disabled=move || !matches!(status.get(), Some(Ok(_)))
                    on:click=move |_| modal.set(SandboxModal::Merge)>"Merge…"</button>
                <button class="button small danger" data-testid="flow-sandbox-discard"
                    on:click=move |_| modal.set(SandboxModal::Discard)>"Discard…"</button>
                {move || {
                    let close = Callback::new(move |_| modal.set(SandboxModal::Closed));
                    let title = session.get_untracked().map(|s| s.title).unwrap_or_default();
                    match (modal.get(), status.get_untracked()) {
                        (SandboxModal::Merge, Some(Ok(s))) => view! {
                            <MergeSandboxDialog status=s title=title on_close=close/>
                        }.into_any(),
                        (SandboxModal::Discard, s) => view! {
                            <DiscardSandboxDialog id=id status=s.and_then(Result::ok) on_close=close/>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                }}
            </div>
        }
        .into_any())
    }
}

/// Commits what the sandbox has not committed, then shows the repository
/// on the Git page with the sandbox's branch chosen to merge.
#[component]
fn MergeSandboxDialog(
    status: SandboxStatus,
    title: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let nav = crate::apps::use_nav();
    let message = RwSignal::new(title);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let changed = status.changed_files;
    let session_id = status.session_id;
    let (origin_id, branch) = (status.origin_id, status.branch.clone());
    let merge = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let branch = branch.clone();
        spawn_local(async move {
            let r = ipc::call(&flow::CommitSandbox {
                session_id,
                message: message.get_untracked(),
            })
            .await;
            let _ = busy.try_set(false);
            match r {
                Ok(s) if s.commits_ahead == 0 => {
                    toasts.success(format!(
                        "{branch} has nothing the repository lacks: nothing to merge."
                    ));
                    on_close.try_run(());
                }
                Ok(_) => {
                    on_close.try_run(());
                    nav.merge_on_git_page(origin_id, branch);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Dialog title="Merge the sandbox".to_string() on_close=on_close test_id="flow-sandbox-merge-dialog">
            {if changed > 0 {
                view! {
                    <p>{format!("{changed} file(s) in the sandbox are not committed. They are committed on {} with this message; then the Git page shows the repository with the branch chosen to merge.", status.branch)}</p>
                    <label class="field">
                        <span>"Commit message"</span>
                        <textarea class="input" rows="3" data-testid="flow-sandbox-message"
                            prop:value=move || message.get()
                            on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                    </label>
                }.into_any()
            } else {
                view! {
                    <p>{format!("Everything in the sandbox is committed ({} commit(s) on {}). The Git page shows the repository with the branch chosen to merge.", status.commits_ahead, status.branch)}</p>
                }.into_any()
            }}
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="flow-sandbox-error"/> })}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button primary" data-testid="flow-sandbox-merge-confirm" disabled=move || busy.get()
                    on:click=move |_| merge()>
                    {move || if busy.get() { "Committing…" } else if changed > 0 { "Commit and merge…" } else { "Merge…" }}
                </button>
            </footer>
        </Dialog>
    }
}

#[component]
fn DiscardSandboxDialog(
    id: i64,
    status: Option<SandboxStatus>,
    on_close: Callback<()>,
) -> impl IntoView {
    let run = move || async move {
        let s = ipc::call(&flow::DiscardSandbox { session_id: id }).await?;
        Ok(format!(
            "Discarded the sandbox {}",
            s.sandbox.map(|b| b.branch).unwrap_or_default()
        ))
    };
    let lines = status.map(|s| {
        let mut lines = vec![format!(
            "its worktree {}{}",
            s.path,
            if s.changed_files > 0 {
                format!(
                    ", with {} file(s) not committed — they are lost",
                    s.changed_files
                )
            } else {
                String::new()
            }
        )];
        lines.push(format!(
            "its branch {}{}",
            s.branch,
            if s.commits_ahead > 0 {
                format!(
                    " with {} commit(s) not merged (Undo on the Git page brings the branch back)",
                    s.commits_ahead
                )
            } else {
                String::new()
            }
        ));
        lines.push("its VS Code".to_string());
        for d in s.databases {
            lines.push(format!("the database copy {d}"));
        }
        lines
    });
    view! {
        <ConfirmDialog title="Discard the sandbox?".to_string() action="Discard" run on_close
            test_id="flow-sandbox-discard-dialog" confirm_id="flow-sandbox-discard-confirm">
            <p>"These go; the conversation stays:"</p>
            <ul class="plain-list">
                {lines.unwrap_or_default().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </ConfirmDialog>
    }
}
