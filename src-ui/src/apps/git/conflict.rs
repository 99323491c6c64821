//! The 3-way conflict editor: each conflict of a file with our version,
//! the common ancestor's and theirs side by side; take one side (or both)
//! per conflict, adjust the result, mark it resolved (written and staged).

use super::*;
use ai_desktop_api::git::{ConflictChunk, ConflictFile};

/// What a conflict is resolved with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Take {
    Ours,
    Theirs,
    Both,
}

fn assemble(file: &ConflictFile, picks: &[Option<Take>]) -> Option<String> {
    let mut out = String::new();
    let mut n = 0;
    for c in &file.chunks {
        match c {
            ConflictChunk::Same { text } => out.push_str(text),
            ConflictChunk::Conflict { ours, theirs, .. } => {
                match picks.get(n).copied().flatten()? {
                    Take::Ours => out.push_str(ours),
                    Take::Theirs => out.push_str(theirs),
                    Take::Both => {
                        out.push_str(ours);
                        out.push_str(theirs);
                    }
                }
                n += 1;
            }
        }
    }
    Some(out)
}

#[component]
pub(super) fn ConflictDialog(
    repository_id: i64,
    path: String,
    on_close: Callback<()>,
    on_resolved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let file = RwSignal::new(None::<Result<ConflictFile, ApiError>>);
    let picks = RwSignal::new(Vec::<Option<Take>>::new());
    let result = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    {
        let path = path.clone();
        spawn_local(async move {
            let f = ipc::call(&git::Conflict {
                repository_id,
                path,
            })
            .await;
            if let Ok(f) = &f {
                let n = f
                    .chunks
                    .iter()
                    .filter(|c| matches!(c, ConflictChunk::Conflict { .. }))
                    .count();
                picks.set(vec![None; n]);
            }
            file.set(Some(f));
        });
    }
    let pick = move |i: usize, take: Take| {
        picks.update(|p| p[i] = Some(take));
        if let Some(Ok(f)) = file.get_untracked() {
            if let Some(text) = assemble(&f, &picks.get_untracked()) {
                result.set(text);
            }
        }
    };
    let all_picked = move || picks.with(|p| !p.is_empty() && p.iter().all(Option::is_some));
    let save = {
        let path = path.clone();
        move |_| {
            let path = path.clone();
            busy.set(true);
            spawn_local(async move {
                let r = ipc::call(&git::Resolve {
                    repository_id,
                    path: path.clone(),
                    text: result.get_untracked(),
                })
                .await;
                busy.set(false);
                match r {
                    Ok(()) => {
                        toasts.success(format!("{path} resolved and staged"));
                        on_resolved.try_run(());
                        on_close.try_run(());
                    }
                    Err(e) => toasts.error("Not resolved", &e),
                }
            });
        }
    };
    view! {
        <Dialog title=format!("Resolve {path}") on_close test_id="git-conflict-dialog">
            {move || match file.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading the conflict…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                Some(Ok(f)) => {
                    let mut n = 0usize;
                    view! {
                        <div class="conflict-body">
                            {f.chunks.into_iter().map(|c| match c {
                                ConflictChunk::Same { text } => view! {
                                    <pre class="conflict-same mono">{text}</pre>
                                }.into_any(),
                                ConflictChunk::Conflict { ours, base, theirs } => {
                                    let i = n;
                                    n += 1;
                                    let chosen = move |t: Take| picks.with(|p| p.get(i).copied().flatten() == Some(t));
                                    view! {
                                        <div class="conflict" data-testid=format!("git-conflict-{i}")>
                                            <div class="conflict-side">
                                                <div class="conflict-head">"Ours (this branch)"
                                                    <button type="button" class="button tiny" class:primary=move || chosen(Take::Ours)
                                                        data-testid=format!("git-take-ours-{i}") on:click=move |_| pick(i, Take::Ours)>"Take"</button>
                                                </div>
                                                <pre class="mono">{ours}</pre>
                                            </div>
                                            <div class="conflict-side base">
                                                <div class="conflict-head">"Base (before both)"</div>
                                                <pre class="mono">{base}</pre>
                                            </div>
                                            <div class="conflict-side">
                                                <div class="conflict-head">"Theirs (merged in)"
                                                    <button type="button" class="button tiny" class:primary=move || chosen(Take::Theirs)
                                                        data-testid=format!("git-take-theirs-{i}") on:click=move |_| pick(i, Take::Theirs)>"Take"</button>
                                                </div>
                                                <pre class="mono">{theirs}</pre>
                                            </div>
                                            <button type="button" class="button tiny" class:primary=move || chosen(Take::Both)
                                                data-testid=format!("git-take-both-{i}") on:click=move |_| pick(i, Take::Both)>"Both, ours first"</button>
                                        </div>
                                    }.into_any()
                                }
                            }).collect_view()}
                            <div class="panel-title small">"Result"
                                <span class="muted small-text">{move || if all_picked() { "edit it if needed" } else { "take a side for each conflict" }}</span>
                            </div>
                            <textarea class="input mono conflict-result" rows="10" data-testid="git-conflict-result"
                                prop:value=move || result.get() on:input=move |ev| result.set(event_target_value(&ev))></textarea>
                        </div>
                    }.into_any()
                }
            }}
            <footer class="dialog-footer">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button primary" data-testid="git-conflict-save"
                    disabled=move || busy.get() || !all_picked() on:click=save>"Mark resolved"</button>
            </footer>
        </Dialog>
    }
}
