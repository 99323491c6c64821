//! The interactive rebase editor: the commits after a chosen one, oldest
//! first, each picked, reworded, stopped at for editing, squashed, fixed up
//! or dropped, and
//! reordered with ↑/↓ (or Alt+↑/↓ on a focused row); run to completion or
//! stopped on conflicts with the page's banner.

use super::*;
use ai_desktop_api::git::{RebaseAction, RebaseStep};

#[derive(Clone, PartialEq, Debug)]
struct Row {
    commit: CommitInfo,
    action: RebaseAction,
    message: String,
}

fn action_name(a: RebaseAction) -> &'static str {
    match a {
        RebaseAction::Pick => "pick",
        RebaseAction::Reword => "reword",
        RebaseAction::Squash => "squash",
        RebaseAction::Fixup => "fixup",
        RebaseAction::Drop => "drop",
        RebaseAction::Edit => "edit",
    }
}

fn parse_action(s: &str) -> RebaseAction {
    match s {
        "reword" => RebaseAction::Reword,
        "squash" => RebaseAction::Squash,
        "fixup" => RebaseAction::Fixup,
        "drop" => RebaseAction::Drop,
        "edit" => RebaseAction::Edit,
        _ => RebaseAction::Pick,
    }
}

#[component]
pub(super) fn RebaseDialog(
    repository_id: i64,
    base: CommitInfo,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let rows = RwSignal::new(None::<Result<Vec<Row>, ApiError>>);
    let busy = RwSignal::new(false);
    {
        let id = base.id.clone();
        spawn_local(async move {
            let r = ipc::call(&git::RebaseCommits {
                repository_id,
                base: id,
            })
            .await;
            rows.set(Some(r.map(|list| {
                list.into_iter()
                    .map(|c| Row {
                        message: c.summary.clone(),
                        commit: c,
                        action: RebaseAction::Pick,
                    })
                    .collect()
            })));
        });
    }
    let move_row = move |i: usize, up: bool| {
        rows.update(|r| {
            if let Some(Ok(r)) = r {
                let j = if up { i.checked_sub(1) } else { Some(i + 1) };
                if let Some(j) = j.filter(|j| *j < r.len()) {
                    r.swap(i, j);
                }
            }
        });
    };
    // Drag and drop: the row being dragged, moved to where it is dropped.
    let dragged = StoredValue::new(None::<usize>);
    let move_to = move |from: usize, to: usize| {
        rows.update(|r| {
            if let Some(Ok(r)) = r {
                if from < r.len() && to < r.len() && from != to {
                    let row = r.remove(from);
                    r.insert(to, row);
                }
            }
        });
    };
    let set_row = move |i: usize, f: Box<dyn FnOnce(&mut Row)>| {
        rows.update(|r| {
            if let Some(Ok(r)) = r {
                if let Some(row) = r.get_mut(i) {
                    f(row);
                }
            }
        });
    };
    let start = {
        let base_id = base.id.clone();
        move |_| {
            let Some(Ok(list)) = rows.get_untracked() else {
                return;
            };
            let plan: Vec<RebaseStep> = list
                .into_iter()
                .map(|r| RebaseStep {
                    id: r.commit.id,
                    action: r.action,
                    message: (r.action == RebaseAction::Reword).then_some(r.message),
                })
                .collect();
            let base = base_id.clone();
            busy.set(true);
            spawn_local(async move {
                let r = ipc::call(&git::RebaseInteractive {
                    repository_id,
                    base,
                    plan,
                })
                .await;
                busy.set(false);
                super::sync::report(toasts, "Not rebased", &r);
                if r.is_ok() {
                    on_done.try_run(());
                    on_close.try_run(());
                }
            });
        }
    };
    view! {
        <Dialog title=format!("Rebase the commits after {}", base.short_id) on_close test_id="git-rebase-dialog">
            <p class="muted small-text">"Oldest first. Reorder by dragging a row, with ↑/↓, or Alt+↑/↓ on a row; squash and fixup meld a commit into the one above it; edit stops there so you can change its files, then Continue."</p>
            {move || match rows.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading the commits…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"Nothing after this commit to rebase."</p> }.into_any(),
                Some(Ok(list)) => {
                    let n = list.len();
                    view! {
                        <ol class="plain-list rebase-plan" data-testid="git-rebase-plan">
                            {list.into_iter().enumerate().map(|(i, r)| {
                                let reword = r.action == RebaseAction::Reword;
                                view! {
                                    <li class="rebase-row" class:dropped=r.action == RebaseAction::Drop tabindex="0"
                                        data-testid=format!("git-rebase-row-{i}")
                                        draggable="true"
                                        on:dragstart=move |_| dragged.set_value(Some(i))
                                        on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                                        on:drop=move |ev: leptos::ev::DragEvent| {
                                            ev.prevent_default();
                                            if let Some(from) = dragged.get_value() {
                                                move_to(from, i);
                                            }
                                            dragged.set_value(None);
                                        }
                                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                            if ev.alt_key() && (ev.key() == "ArrowUp" || ev.key() == "ArrowDown") {
                                                ev.prevent_default();
                                                move_row(i, ev.key() == "ArrowUp");
                                            }
                                        }>
                                        <select class="input small-input" data-testid=format!("git-rebase-action-{i}")
                                            prop:value=action_name(r.action)
                                            on:change=move |ev| {
                                                let a = parse_action(&event_target_value(&ev));
                                                set_row(i, Box::new(move |row| row.action = a));
                                            }>
                                            {["pick", "reword", "edit", "squash", "fixup", "drop"].into_iter().map(|a| view! { <option value=a>{a}</option> }).collect_view()}
                                        </select>
                                        <span class="mono muted">{r.commit.short_id.clone()}</span>
                                        {if reword {
                                            view! {
                                                <input class="input small-input rebase-message" data-testid=format!("git-rebase-message-{i}")
                                                    prop:value=r.message.clone()
                                                    on:change=move |ev| {
                                                        let m = event_target_value(&ev);
                                                        set_row(i, Box::new(move |row| row.message = m));
                                                    }/>
                                            }.into_any()
                                        } else {
                                            view! { <span class="truncate">{r.commit.summary.clone()}</span> }.into_any()
                                        }}
                                        <span class="row-actions">
                                            <button type="button" class="button tiny" aria-label="Move up" disabled=i == 0
                                                data-testid=format!("git-rebase-up-{i}") on:click=move |_| move_row(i, true)>"↑"</button>
                                            <button type="button" class="button tiny" aria-label="Move down" disabled=i + 1 == n
                                                data-testid=format!("git-rebase-down-{i}") on:click=move |_| move_row(i, false)>"↓"</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <footer class="dialog-footer">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button primary" data-testid="git-rebase-start"
                    disabled=move || busy.get() || !rows.with(|r| matches!(r, Some(Ok(l)) if !l.is_empty()))
                    on:click=start>"Rebase"</button>
            </footer>
        </Dialog>
    }
}
