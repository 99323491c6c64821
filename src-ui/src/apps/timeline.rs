//! A repository's timeline: what its deployments, services, VS Code and MCP
//! servers wrote, its git operations, its agents' tool calls and its stack
//! runs, in one time-ordered list with filters by source, a search and
//! *errors only*. While *Follow* is on it is read again every 2 s (only
//! while the dialog is open) and stays scrolled to the newest line.

use crate::components::dialog::Dialog;
use crate::components::toast::ErrorText;
use crate::format::{clock, day};
use crate::ipc;
use ai_desktop_api::stack::{self, TimelinePage, TimelineQuery, TimelineSource};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Lines asked for per read.
const SHOWN: u32 = 1_000;
/// How often a followed timeline is read again.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

fn source_class(s: TimelineSource) -> &'static str {
    match s {
        TimelineSource::Deployment => "deployment",
        TimelineSource::Service => "service",
        TimelineSource::Editor => "editor",
        TimelineSource::Mcp => "mcp",
        TimelineSource::Git => "git",
        TimelineSource::Agent => "agent",
        TimelineSource::Stack => "stack",
    }
}

#[component]
pub fn TimelineDialog(repository_id: i64, name: String, on_close: Callback<()>) -> impl IntoView {
    // Empty: every source.
    let sources = RwSignal::new(Vec::<TimelineSource>::new());
    let text = RwSignal::new(String::new());
    let errors_only = RwSignal::new(false);
    let follow = RwSignal::new(true);
    let page = RwSignal::new(None::<TimelinePage>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    // Answers to older questions (filters changed since) are dropped.
    let asked = StoredValue::new(0u64);
    let list = NodeRef::<leptos::html::Ol>::new();

    let load = move || {
        let query = TimelineQuery {
            sources: sources.get_untracked(),
            text: text.get_untracked(),
            errors_only: errors_only.get_untracked(),
            since_ms: None,
            limit: SHOWN,
        };
        asked.update_value(|n| *n += 1);
        let mine = asked.get_value();
        loading.set(true);
        spawn_local(async move {
            let answer = ipc::call(&stack::Timeline {
                repository_id,
                query,
            })
            .await;
            if asked.try_get_value() != Some(mine) {
                return;
            }
            let _ = loading.try_set(false);
            match answer {
                Ok(p) => {
                    let _ = error.try_set(None);
                    // Unchanged (the usual answer while following): nothing redrawn.
                    if page.try_with_untracked(|old| old.as_ref() == Some(&p)) != Some(false) {
                        return;
                    }
                    let _ = page.try_set(Some(p));
                    if follow.try_get_untracked() == Some(true) {
                        // After the list is drawn: to the newest line.
                        request_animation_frame(move || {
                            if let Some(el) = list.try_get_untracked().flatten() {
                                el.set_scroll_top(el.scroll_height());
                            }
                        });
                    }
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    // Read at once and again whenever a filter changes.
    Effect::new(move |_| {
        sources.track();
        text.track();
        errors_only.track();
        load();
    });
    let timer = set_interval_with_handle(
        move || {
            if follow.get_untracked() && !loading.get_untracked() {
                load();
            }
        },
        FOLLOW_EVERY,
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });

    let toggle = move |s: TimelineSource| {
        sources.update(|list| {
            if list.contains(&s) {
                list.retain(|x| *x != s);
            } else {
                list.push(s);
            }
        })
    };
    let filtered = move || {
        !sources.with(Vec::is_empty) || !text.with(|t| t.trim().is_empty()) || errors_only.get()
    };

    view! {
        <Dialog title=format!("Timeline of {name}") on_close=on_close test_id="timeline-dialog">
            <div class="toolbar timeline-toolbar">
                <div class="chips" role="group" aria-label="Sources">
                    <button class="chip" type="button" class:active=move || sources.with(Vec::is_empty)
                        data-testid="timeline-all" on:click=move |_| sources.set(Vec::new())>"All"</button>
                    {TimelineSource::ALL.into_iter().map(|s| view! {
                        <button class=format!("chip tl-{}", source_class(s)) type="button"
                            class:active=move || sources.with(|l| l.contains(&s))
                            aria-pressed=move || sources.with(|l| l.contains(&s)).to_string()
                            data-testid=format!("timeline-source-{}", source_class(s))
                            on:click=move |_| toggle(s)>{s.label()}</button>
                    }).collect_view()}
                </div>
                <input class="input small-input" type="search" placeholder="Search the lines"
                    data-testid="timeline-search"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))/>
                <label class="check small-text">
                    <input type="checkbox" data-testid="timeline-errors" prop:checked=move || errors_only.get()
                        on:change=move |ev| errors_only.set(event_target_checked(&ev))/>
                    "Errors only"
                </label>
                <label class="check small-text" title="Read again every 2 seconds and keep the newest line in view">
                    <input type="checkbox" data-testid="timeline-follow" prop:checked=move || follow.get()
                        on:change=move |ev| follow.set(event_target_checked(&ev))/>
                    "Follow"
                </label>
                {move || loading.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            </div>
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="timeline-error"/> })}
            {move || page.with(|p| p.as_ref().map(|p| p.gaps.clone())).filter(|g| !g.is_empty()).map(|gaps| view! {
                <div class="banner warn small-text" data-testid="timeline-gaps">
                    {gaps.into_iter().map(|g| view! {
                        <div>{format!("{} ({}) could not be read: {}", g.source.label(), g.name, g.reason)}</div>
                    }).collect_view()}
                </div>
            })}
            {move || match page.get() {
                None => view! {
                    <div class="loading" data-testid="timeline-loading"><span class="spinner"></span>"Reading the timeline…"</div>
                }.into_any(),
                Some(p) if p.entries.is_empty() => view! {
                    <p class="muted empty-note" data-testid="timeline-empty">
                        {if filtered() {
                            "No line matches these filters."
                        } else {
                            "Nothing yet: start its stack, deploy it or commit, and what happens shows here."
                        }}
                    </p>
                }.into_any(),
                Some(p) => {
                    let shown = p.entries.len() as u64;
                    let more = (p.matched > shown).then(|| format!("The newest {shown} of {} lines", p.matched));
                    let mut last_day = String::new();
                    view! {
                        {more.map(|m| view! { <p class="muted small-text" data-testid="timeline-more">{m}</p> })}
                        <ol class="timeline" node_ref=list data-testid="timeline-list">
                            {p.entries.into_iter().map(|e| {
                                let date = day(e.at_ms);
                                let new_day = (date != last_day).then(|| date.clone());
                                last_day = date.clone();
                                view! {
                                    {new_day.map(|d| view! { <li class="tl-day muted small-text">{d}</li> })}
                                    <li class="tl-row" class:error=e.error data-testid="timeline-entry"
                                        data-source=source_class(e.source)>
                                        <span class="mono muted small-text" title=date>{clock(e.at_ms)}</span>
                                        <span class=format!("tl-badge tl-{}", source_class(e.source))>{e.source.label()}</span>
                                        <span class="tl-name truncate" title=e.name.clone()>{e.name.clone()}</span>
                                        <span class="tl-text mono">{e.text}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| load()>"Refresh"</button>
                <button class="button primary" on:click=move |_| on_close.run(())>"Close"</button>
            </footer>
        </Dialog>
    }
}
