//! A file's blame (who last changed each line, virtualized) and its history
//! (the commits that changed it, following renames), in one dialog opened
//! from the file's diff; a commit opens its diff.

use super::*;
use crate::components::dialog::Dialog;
use ai_desktop_api::git::Blame;

const ROW_PX: f64 = 18.0;
const VIEW_PX: f64 = 440.0;
const OVERSCAN: usize = 20;

/// Which view the dialog shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Insight {
    Blame,
    History,
}

#[component]
pub(super) fn InsightDialog(
    repository_id: i64,
    path: String,
    view: RwSignal<Option<Insight>>,
    on_commit: Callback<CommitInfo>,
) -> impl IntoView {
    let blame = RwSignal::new(None::<Result<Blame, ApiError>>);
    let history = RwSignal::new(None::<Result<Vec<CommitInfo>, ApiError>>);
    let p = path.clone();
    Effect::new(move |_| {
        let path = p.clone();
        match view.get() {
            Some(Insight::Blame) if blame.with_untracked(Option::is_none) => {
                spawn_local(async move {
                    blame.set(Some(
                        ipc::call(&git::BlameFile {
                            repository_id,
                            path,
                        })
                        .await,
                    ));
                });
            }
            Some(Insight::History) if history.with_untracked(Option::is_none) => {
                spawn_local(async move {
                    history.set(Some(
                        ipc::call(&git::FileHistory {
                            repository_id,
                            path,
                            limit: 500,
                        })
                        .await,
                    ));
                });
            }
            _ => {}
        }
    });
    let scroll_top = RwSignal::new(0.0_f64);
    let pane = NodeRef::<leptos::html::Div>::new();
    let open_commit = move |c: &ai_desktop_api::git::BlameCommit| {
        on_commit.run(CommitInfo {
            id: c.id.clone(),
            short_id: c.short_id.clone(),
            summary: c.summary.clone(),
            author: c.author.clone(),
            email: String::new(),
            time: c.time,
            parents: Vec::new(),
        });
    };
    let title = format!("Blame and history · {path}");
    view! {
        <Dialog title on_close=Callback::new(move |_| view.set(None)) test_id="git-insight">
            <div class="segmented">
                <button type="button" class="button small" class:active=move || view.get() == Some(Insight::Blame)
                    data-testid="git-insight-blame" on:click=move |_| view.set(Some(Insight::Blame))>"Blame"</button>
                <button type="button" class="button small" class:active=move || view.get() == Some(Insight::History)
                    data-testid="git-insight-history" on:click=move |_| view.set(Some(Insight::History))>"History"</button>
            </div>
            {move || match view.get() {
                Some(Insight::Blame) => match blame.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Blaming…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(b)) => {
                        let total = b.lines.len();
                        let b = StoredValue::new(b);
                        let visible = move || {
                            let first = ((scroll_top.get() / ROW_PX) as usize).saturating_sub(OVERSCAN);
                            let last = (first + (VIEW_PX / ROW_PX) as usize + 2 * OVERSCAN).min(total);
                            (first..last).collect::<Vec<_>>()
                        };
                        view! {
                            <div class="blame-view mono" node_ref=pane data-testid="git-blame"
                                style:height=format!("{}px", (total as f64 * ROW_PX).min(VIEW_PX))
                                on:scroll=move |_| if let Some(el) = pane.get() { scroll_top.set(f64::from(el.scroll_top())); }>
                                <div style:height=format!("{}px", total as f64 * ROW_PX) style:position="relative">
                                    <For each=visible key=|n| *n children=move |n| {
                                        let (line, commit, starts) = b.with_value(|b| {
                                            let l = &b.lines[n];
                                            let starts = n == 0 || b.lines[n - 1].commit != l.commit;
                                            (l.text.clone(), b.commits[l.commit as usize].clone(), starts)
                                        });
                                        let uncommitted = commit.short_id == "uncommitted";
                                        let label = starts.then(|| if uncommitted {
                                            "Not committed yet".to_string()
                                        } else {
                                            format!("{} {} · {}", commit.short_id, commit.author, when(commit.time))
                                        });
                                        let title = format!("{} — {}", commit.short_id, commit.summary);
                                        view! {
                                            <div class="blame-row" class:hunk-start=starts style:top=format!("{}px", n as f64 * ROW_PX)>
                                                <span class="blame-who" class:clickable=!uncommitted title=title
                                                    on:click=move |_| if !uncommitted { open_commit(&commit) }>{label}</span>
                                                <span class="ln">{n + 1}</span>
                                                <span class="blame-text">{line}</span>
                                            </div>
                                        }
                                    }/>
                                </div>
                            </div>
                        }.into_any()
                    }
                },
                Some(Insight::History) => match history.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Reading the history…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No commit has this file yet."</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <ul class="plain-list file-history" data-testid="git-file-history">
                            {list.into_iter().map(|c| view! { <CommitLine commit=c on_pick=on_commit/> }).collect_view()}
                        </ul>
                    }.into_any(),
                },
                None => ().into_any(),
            }}
        </Dialog>
    }
}
