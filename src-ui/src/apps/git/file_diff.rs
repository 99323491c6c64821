//! The diff of the file picked in the changes list, with its lines and
//! hunks staged, unstaged or discarded from the viewer, and the page's
//! *Undo* for the last discard.

use super::*;
use crate::components::diff_view::DiffView;
use ai_desktop_api::git::{FileDiff, LineAction, LinePick, UndoEntry};

/// The file whose diff is shown, and on which side.
#[derive(Clone, PartialEq, Debug)]
pub(super) struct OpenFile {
    pub path: String,
    pub side: DiffSide,
    /// It has changes on both sides (the panel offers both).
    pub both: bool,
}

/// The open file's diff; re-read whenever `version` moves (the page
/// reloaded, the files changed).
#[component]
pub(super) fn FileDiffPanel(
    repository_id: i64,
    open: RwSignal<Option<OpenFile>>,
    /// Moves when the repository's changes were read again.
    #[prop(into)]
    version: Signal<u32>,
    /// After a line action changed the index or the files.
    on_done: Callback<()>,
    /// A commit picked in the file's blame or history.
    on_commit: Callback<CommitInfo>,
) -> impl IntoView {
    let insight = RwSignal::new(None::<Insight>);
    let toasts = use_toasts();
    let diff = RwSignal::new(None::<Result<FileDiff, ApiError>>);
    let busy = RwSignal::new(false);
    let read = move || {
        let Some(file) = open.get_untracked() else {
            diff.set(None);
            return;
        };
        spawn_local(async move {
            let d = ipc::call(&git::Diff {
                repository_id,
                path: file.path.clone(),
                side: file.side,
            })
            .await;
            // Still the file asked for (another may have been picked
            // meanwhile), and changed: an equal diff keeps the view and
            // the lines picked in it.
            // (Nothing, if the page is gone.)
            let Some(same) = diff.try_with_untracked(|old| old.as_ref() == Some(&d)) else {
                return;
            };
            if !same
                && open
                    .try_get_untracked()
                    .flatten()
                    .is_some_and(|o| o.path == file.path && o.side == file.side)
            {
                diff.set(Some(d));
            }
        });
    };
    Effect::new(move |_| {
        open.track();
        version.track();
        read();
    });
    let on_lines = Callback::new(move |(action, lines): (LineAction, LinePick)| {
        let (Some(file), Some(Ok(shown))) = (open.get_untracked(), diff.get_untracked()) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&git::ApplyLines {
                repository_id,
                path: file.path.clone(),
                action,
                lines,
                fingerprint: shown.fingerprint.clone(),
            })
            .await;
            busy.set(false);
            match r {
                Ok(d) => {
                    if action == LineAction::Discard {
                        toasts.success(format!(
                            "Discarded from {}; Undo is next to Changes",
                            file.path
                        ));
                    }
                    diff.set(Some(Ok(d)));
                    on_done.try_run(());
                }
                Err(e) => {
                    let what = match action {
                        LineAction::Stage => "Not staged",
                        LineAction::Unstage => "Not unstaged",
                        LineAction::Discard => "Not discarded",
                    };
                    toasts.error(what, &e);
                    read();
                }
            }
        });
    });
    let set_side = move |side: DiffSide| {
        open.update(|o| {
            if let Some(o) = o {
                o.side = side;
            }
        });
    };
    view! {
        {move || open.get().map(|file| view! {
            <div class="panel" data-testid="git-file-diff" class:busy=move || busy.get()>
                <div class="panel-head">
                    <div class="panel-title small">{if file.side == DiffSide::Unstaged { "Unstaged changes" } else { "Staged changes" }}</div>
                    {file.both.then(|| view! {
                        <span class="segmented">
                            <button type="button" class="button small" class:active=file.side == DiffSide::Unstaged
                                data-testid="git-diff-side-unstaged" on:click=move |_| set_side(DiffSide::Unstaged)>"Unstaged"</button>
                            <button type="button" class="button small" class:active=file.side == DiffSide::Staged
                                data-testid="git-diff-side-staged" on:click=move |_| set_side(DiffSide::Staged)>"Staged"</button>
                        </span>
                    })}
                    <button type="button" class="button small" data-testid="git-file-blame" title="Who last changed each line"
                        on:click=move |_| insight.set(Some(Insight::Blame))>"Blame"</button>
                    <button type="button" class="button small" data-testid="git-file-history-open" title="The commits that changed this file"
                        on:click=move |_| insight.set(Some(Insight::History))>"History"</button>
                    <button type="button" class="button small" data-testid="git-diff-close" on:click=move |_| open.set(None)>"Close"</button>
                </div>
                {
                    let path = file.path.clone();
                    move || insight.get().is_some().then(|| view! {
                        <InsightDialog repository_id path=path.clone() view=insight
                            on_commit=Callback::new(move |c| { insight.set(None); on_commit.run(c); })/>
                    })
                }
                {move || match diff.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Reading the diff…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(d)) => view! { <DiffView diff=d on_lines/> }.into_any(),
                }}
            </div>
        })}
    }
}

/// *Undo* for the page's last undoable operation (a discard), shown while
/// there is one.
#[component]
pub(super) fn UndoButton(
    repository_id: i64,
    #[prop(into)] version: Signal<u32>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let last = RwSignal::new(None::<UndoEntry>);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            if let Ok(u) = ipc::call(&git::LastUndo { repository_id }).await {
                last.set(u);
            }
        });
    });
    let undo = move |_| {
        let Some(entry) = last.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call(&git::Undo {
                repository_id,
                id: entry.id,
            })
            .await
            {
                Ok(next) => {
                    toasts.success(format!("Undone: {}", entry.summary));
                    last.set(next);
                    on_done.try_run(());
                }
                Err(e) => toasts.error("Not undone", &e),
            }
        });
    };
    view! {
        {move || last.get().map(|u| view! {
            <button type="button" class="button small" data-testid="git-undo" title=u.summary.clone() on:click=undo>
                {format!("Undo: {}", u.summary)}
            </button>
        })}
    }
}
