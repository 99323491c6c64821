//! Terminals: tabs of shells opened in a repository's folder (or home). A
//! tab keeps running while another is shown or the page is left; showing it
//! again replays its recent output.

use super::repositories::RepoList;
use crate::components::icons::{Icon, Svg};
use crate::components::terminal_view::TerminalView;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::terminal;
use ai_desktop_api::terminal::TerminalInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn TerminalsPage() -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let tabs = RwSignal::new(None::<Vec<TerminalInfo>>);
    let active = RwSignal::new(None::<u32>);
    let folder = RwSignal::new(String::from("home"));
    let opening = RwSignal::new(false);
    // A tab opened elsewhere (a service's client) is shown when asked for.
    let focus = RwSignal::new(None::<i64>);
    super::use_nav().follow_focus(super::Page::Terminals, focus);
    spawn_local(async move {
        match ipc::call(&terminal::List {}).await {
            Ok(list) => {
                let wanted = focus
                    .try_get_untracked()
                    .flatten()
                    .and_then(|f| list.iter().find(|t| i64::from(t.id) == f).map(|t| t.id));
                active.set(wanted.or(list.last().map(|t| t.id)));
                tabs.set(Some(list));
            }
            Err(e) => {
                tabs.set(Some(Vec::new()));
                toasts.error("Could not list the terminals", &e);
            }
        }
    });
    // Tabs opened or closed elsewhere (the agent's commands, a service's
    // client) come and go here too; the tab on screen stays chosen.
    ipc::listen_while_mounted(events::TERMINALS_CHANGED, move |_: serde_json::Value| {
        spawn_local(async move {
            let Ok(list) = ipc::call(&terminal::List {}).await else {
                return;
            };
            let _ = tabs.try_update(|l| {
                let l = l.get_or_insert_with(Vec::new);
                l.retain(|t| list.iter().any(|n| n.id == t.id));
                for t in list {
                    if !l.iter().any(|o| o.id == t.id) {
                        l.push(t);
                    }
                }
                let now = active.try_get_untracked().flatten();
                let gone = now.is_some_and(|a| !l.iter().any(|t| t.id == a));
                if gone || now.is_none() {
                    active.set(l.last().map(|t| t.id));
                }
            });
        });
    });
    let open = move || {
        if opening.get_untracked() {
            return;
        }
        opening.set(true);
        let repository_id = folder.get_untracked().parse::<i64>().ok();
        spawn_local(async move {
            let r = ipc::call(&terminal::Open {
                repository_id,
                cols: 100,
                rows: 30,
            })
            .await;
            opening.set(false);
            match r {
                Ok(t) => {
                    active.set(Some(t.id));
                    // The list may have it already (told by the event).
                    tabs.update(|l| {
                        let l = l.get_or_insert_with(Vec::new);
                        if !l.iter().any(|o| o.id == t.id) {
                            l.push(t);
                        }
                    });
                }
                Err(e) => toasts.error("Could not open a terminal", &e),
            }
        });
    };
    let close = move |id: u32| {
        spawn_local(async move {
            match ipc::call(&terminal::Close { id }).await {
                Ok(()) => {
                    tabs.update(|l| {
                        if let Some(l) = l {
                            l.retain(|t| t.id != id);
                            if active.try_get_untracked().flatten() == Some(id) {
                                active.set(l.last().map(|t| t.id));
                            }
                        }
                    });
                }
                Err(e) => toasts.error("Could not close the terminal", &e),
            }
        });
    };
    let exited = move |id: u32, code: Option<i32>| {
        let known = tabs.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.iter().find(|t| t.id == id))
                .is_some_and(|t| !t.running)
        });
        if !known {
            tabs.update(|l| {
                if let Some(t) = l.as_mut().and_then(|l| l.iter_mut().find(|t| t.id == id)) {
                    t.running = false;
                    t.exit_code = code;
                }
            });
        }
    };

    view! {
        <section class="page wide" data-testid="page-terminals">
            <header class="page-header">
                <div>
                    <h1>"Terminals"</h1>
                    <p class="muted">"Your shell, in a repository's folder. Ctrl+Shift+C copies the selection; Ctrl+V pastes."</p>
                </div>
                <div class="header-actions">
                    <select class="input small-input" data-testid="terminal-folder"
                        prop:value=move || folder.get() on:change=move |ev| folder.set(event_target_value(&ev))>
                        <option value="home">"Home folder"</option>
                        {move || repos.rows().into_iter().map(|r| view! {
                            <option value=r.id.to_string()>{r.name}</option>
                        }).collect_view()}
                    </select>
                    <button class="button primary" data-testid="terminal-new" disabled=move || opening.get() on:click=move |_| open()>
                        <Svg icon=Icon::Plus/>"New terminal"
                    </button>
                </div>
            </header>
            {move || match tabs.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading terminals…"</div> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="terminals-empty">
                        <div class="empty-icon"><Svg icon=Icon::Terminal/></div>
                        <h2>"No terminals open"</h2>
                        <p class="muted">"Choose a folder and open a terminal. Closing its tab ends the shell and everything it started."</p>
                        <button class="button primary" on:click=move |_| open()>"New terminal"</button>
                    </div>
                }.into_any(),
                Some(list) => view! {
                    <div class="terminal-panel">
                        <nav class="tabs terminal-tabs" role="tablist" data-testid="terminal-tabs">
                            {list.into_iter().map(|t| {
                                let id = t.id;
                                view! {
                                    <div class="tab terminal-tab" class:active=move || active.get() == Some(id) class:exited=!t.running
                                        data-testid=format!("terminal-tab-{id}") on:click=move |_| active.set(Some(id))>
                                        <span title=t.cwd.clone()>{t.title.clone()}</span>
                                        {(!t.running).then(|| view! { <span class="muted small-text">{format!(" (exited {})", t.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "—".into()))}</span> })}
                                        <button class="icon-button" aria-label="Close terminal" data-testid=format!("terminal-close-{id}")
                                            on:click=move |ev| { ev.stop_propagation(); close(id); }>"×"</button>
                                    </div>
                                }
                            }).collect_view()}
                        </nav>
                    </div>
                }.into_any(),
            }}
            // Apart from the tab bar, so that a tab's state changing does not
            // rebuild the emulator on screen.
            {move || active.get().map(|id| view! {
                <TerminalView id=id on_exit=Callback::new(move |code| exited(id, code))/>
            })}
        </section>
    }
}
