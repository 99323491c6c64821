//! The command palette (Ctrl+K): finds any page, repository, deployment,
//! service, MCP server, Flow session or recipe by a few letters of its name and
//! runs its main actions. It also lists the keyboard shortcuts.

use crate::apps::repositories::RepoList;
use crate::apps::{use_nav, Page};
use crate::components::dialog::Dialog;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::deployments::{self, DeploymentStatus};
use ai_desktop_api::mcp::{self, McpState};
use ai_desktop_api::services::{self, ServiceState};
use ai_desktop_api::vscode::{self, OpenTarget};
use ai_desktop_api::{flow, ApiError};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// Shown at most (the rest are a few more letters away).
const SHOWN: usize = 40;

/// One thing the palette can do.
#[derive(Clone)]
struct Entry {
    /// What it does, e.g. "Open shop in VS Code".
    label: String,
    /// What it acts on: "Page", "Repository" …
    kind: &'static str,
    /// Its keyboard shortcut, if it has one.
    keys: Option<String>,
    run: Callback<()>,
}

/// Alt+1 … Alt+9, Alt+0 go to the first ten pages.
fn page_key(i: usize) -> Option<String> {
    (i < 10).then(|| format!("Alt+{}", (i + 1) % 10))
}

/// Whether every word of `query` is in the entry's text.
fn matches(entry: &Entry, words: &[String]) -> bool {
    let text = format!("{} {}", entry.label, entry.kind).to_lowercase();
    words.iter().all(|w| text.contains(w.as_str()))
}

/// The palette and the app's global shortcuts; mounted once by the frame.
#[component]
pub fn CommandPalette(
    /// Whether the palette is open (the sidebar's *Search* button opens it).
    open: RwSignal<bool>,
) -> impl IntoView {
    let nav = use_nav();
    let _ = window_event_listener(ev::keydown, move |ev| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && key.eq_ignore_ascii_case("k") {
            ev.prevent_default();
            open.update(|o| *o = !*o);
        } else if ev.alt_key() && !ev.ctrl_key() && !ev.meta_key() {
            // Alt+digit: the page in that place of the sidebar.
            if let Some(d) = key
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .filter(|_| key.len() == 1)
            {
                let i = if d == 0 { 9 } else { d as usize - 1 };
                if let Some(p) = Page::ALL.get(i) {
                    ev.prevent_default();
                    open.set(false);
                    nav.go(*p);
                }
            }
        }
    });
    move || {
        open.get()
            .then(|| view! { <Palette on_close=Callback::new(move |_| open.set(false))/> })
    }
}

#[component]
fn Palette(on_close: Callback<()>) -> impl IntoView {
    let nav = use_nav();
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let entries = RwSignal::new(Vec::<Entry>::new());

    // Runs `work` (its message or error is a toast), then closes: the
    // entries belong to the palette, gone once it closes.
    let act = move |work: Callback<(), ()>| {
        work.run(());
        on_close.run(());
    };
    fn call<F, Fut>(
        toasts: crate::components::toast::Toasts,
        failed: &'static str,
        f: F,
    ) -> Callback<()>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, ApiError>> + 'static,
    {
        Callback::new(move |_| {
            let work = f();
            spawn_local(async move {
                match work.await {
                    Ok(m) => toasts.success(m),
                    Err(e) => toasts.error(failed, &e),
                }
            });
        })
    }

    // Pages and repositories are known at once; the rest is read on opening.
    let mut first: Vec<Entry> = Page::ALL
        .into_iter()
        .enumerate()
        .map(|(i, p)| Entry {
            label: format!("Go to {}", p.label()),
            kind: "Page",
            keys: page_key(i),
            run: Callback::new(move |_| nav.go(p)),
        })
        .collect();
    for r in repos.rows() {
        let (id, name) = (r.id, r.name.clone());
        first.push(Entry {
            label: format!("Open {name} in VS Code"),
            kind: "Repository",
            keys: None,
            run: call(toasts, "Could not open VS Code", move || {
                let name = name.clone();
                async move {
                    ipc::call(&vscode::Open {
                        repository_id: id,
                        target: OpenTarget::AppWindow,
                    })
                    .await?;
                    Ok(format!("Opening {name} in VS Code"))
                }
            }),
        });
        first.push(Entry {
            label: format!("Show {} in VS Code Manager", r.name),
            kind: "Repository",
            keys: None,
            run: Callback::new(move |_| nav.show(Page::VsCode, id)),
        });
    }
    entries.set(first);

    spawn_local(async move {
        let mut more = Vec::new();
        if let Ok(list) = ipc::call(&deployments::List {}).await {
            for d in list {
                let (id, name) = (d.id, d.name.clone());
                let running = matches!(
                    d.status,
                    DeploymentStatus::Online | DeploymentStatus::Launching
                );
                let n = name.clone();
                more.push(if running {
                    Entry {
                        label: format!("Stop {name}"),
                        kind: "Deployment",
                        keys: None,
                        run: call(toasts, "Could not stop", move || {
                            let n = n.clone();
                            async move {
                                ipc::call(&deployments::Stop { id }).await?;
                                Ok(format!("{n} stopped"))
                            }
                        }),
                    }
                } else {
                    Entry {
                        label: format!("Start {name}"),
                        kind: "Deployment",
                        keys: None,
                        run: call(toasts, "Could not start", move || {
                            let n = n.clone();
                            async move {
                                ipc::call(&deployments::Start { id }).await?;
                                Ok(format!("{n} started"))
                            }
                        }),
                    }
                });
                let n = name.clone();
                more.push(Entry {
                    label: format!("Restart {name}"),
                    kind: "Deployment",
                    keys: None,
                    run: call(toasts, "Could not restart", move || {
                        let n = n.clone();
                        async move {
                            ipc::call(&deployments::Restart { id }).await?;
                            Ok(format!("{n} restarted"))
                        }
                    }),
                });
                more.push(Entry {
                    label: format!("Show {name}"),
                    kind: "Deployment",
                    keys: None,
                    run: Callback::new(move |_| nav.show(Page::Deployments, id)),
                });
            }
        }
        if let Ok(o) = ipc::call(&services::Overview { host: None }).await {
            for s in o.installed {
                let (id, title) = (s.id.clone(), s.title.clone());
                let running = matches!(s.state, ServiceState::Running | ServiceState::Starting);
                more.push(Entry {
                    label: format!("{} {title}", if running { "Stop" } else { "Start" }),
                    kind: "Service",
                    keys: None,
                    run: call(toasts, "The service did not change", move || {
                        let (id, title) = (id.clone(), title.clone());
                        async move {
                            if running {
                                ipc::call(&services::Stop { id, host: None }).await?;
                                Ok(format!("{title} stopped"))
                            } else {
                                ipc::call(&services::Start { id, host: None }).await?;
                                Ok(format!("{title} started"))
                            }
                        }
                    }),
                });
            }
        }
        if let Ok(list) = ipc::call(&mcp::List {}).await {
            for s in list {
                let (id, name) = (s.id, s.name.clone());
                let running = matches!(s.state, McpState::Running | McpState::Starting);
                let n = name.clone();
                more.push(Entry {
                    label: format!(
                        "{} MCP server {name}",
                        if running { "Stop" } else { "Start" }
                    ),
                    kind: "MCP server",
                    keys: None,
                    run: call(toasts, "The MCP server did not change", move || {
                        let n = n.clone();
                        async move {
                            if running {
                                ipc::call(&mcp::Stop { id }).await?;
                                Ok(format!("{n} stopped"))
                            } else {
                                ipc::call(&mcp::Start { id }).await?;
                                Ok(format!("{n} started"))
                            }
                        }
                    }),
                });
                more.push(Entry {
                    label: format!("Show MCP server {name}"),
                    kind: "MCP server",
                    keys: None,
                    run: Callback::new(move |_| nav.show(Page::McpHub, id)),
                });
            }
        }
        if let Ok(list) = ipc::call(&flow::Sessions {
            archived: false,
            query: None,
        })
        .await
        {
            for s in list {
                let id = s.id;
                more.push(Entry {
                    label: format!("Open session {}", s.title),
                    kind: "Flow session",
                    keys: None,
                    run: Callback::new(move |_| nav.show(Page::FlowBuilder, id)),
                });
            }
        }
        if let Ok(list) = ipc::call(&flow::Recipes {}).await {
            for r in list {
                let (id, name) = (r.id, r.name.clone());
                more.push(Entry {
                    label: format!("Run recipe {name}"),
                    kind: "Flow recipe",
                    keys: None,
                    run: Callback::new(move |_| {
                        let name = name.clone();
                        spawn_local(async move {
                            match ipc::call(&flow::RunRecipe { id }).await {
                                Ok(s) => {
                                    toasts.success(format!("{name} is running"));
                                    nav.show(Page::FlowBuilder, s.id);
                                }
                                Err(e) => toasts.error(&format!("Could not run {name}"), &e),
                            }
                        });
                    }),
                });
            }
        }
        // The palette may be closed by now.
        let _ = entries.try_update(|e| e.extend(more));
    });

    let shown = Signal::derive(move || {
        let words: Vec<String> =
            query.with(|q| q.split_whitespace().map(str::to_lowercase).collect());
        entries.with(|e| {
            e.iter()
                .filter(|x| matches(x, &words))
                .take(SHOWN)
                .cloned()
                .enumerate()
                .collect::<Vec<_>>()
        })
    });
    // The highlighted entry stays in range as the list narrows.
    Effect::new(move |_| {
        let n = shown.with(Vec::len);
        if active.get_untracked() >= n {
            active.set(n.saturating_sub(1));
        }
    });
    let run_active = move || {
        let chosen = shown.with_untracked(|s| s.get(active.get_untracked()).map(|(_, e)| e.run));
        if let Some(run) = chosen {
            act(run);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            let n = shown.with_untracked(Vec::len);
            if n > 0 {
                active.update(|a| *a = (*a + 1) % n);
            }
        }
        "ArrowUp" => {
            ev.prevent_default();
            let n = shown.with_untracked(Vec::len);
            if n > 0 {
                active.update(|a| *a = (*a + n - 1) % n);
            }
        }
        "Enter" => {
            ev.prevent_default();
            run_active();
        }
        _ => {}
    };

    view! {
        <Dialog title="Go to or run…".to_string() on_close test_id="palette">
            <input class="input palette-input" type="search" data-testid="palette-input"
                placeholder="A page, repository, deployment, service, MCP server or session"
                aria-label="Search pages, records and actions"
                aria-controls="palette-list"
                prop:value=query
                on:input=move |ev| { query.set(event_target_value(&ev)); active.set(0); }
                on:keydown=on_key/>
            <ul class="palette-list" id="palette-list" role="listbox" aria-label="Results">
                <For each=move || shown.get() key=|(i, e)| (*i, e.label.clone()) let:item>
                    {
                        let (i, e) = item;
                        let run = e.run;
                        view! {
                            <li role="option" class="palette-item" data-testid="palette-item"
                                class:active=move || active.get() == i
                                aria-selected=move || (active.get() == i).to_string()
                                on:mousemove=move |_| if active.get_untracked() != i { active.set(i) }
                                on:click=move |_| act(run)>
                                <span class="palette-label">{e.label.clone()}</span>
                                <span class="muted small-text">{e.kind}</span>
                                {e.keys.clone().map(|k| view! { <kbd>{k}</kbd> })}
                            </li>
                        }
                    }
                </For>
                <Show when=move || shown.with(Vec::is_empty)>
                    <li class="muted palette-empty" data-testid="palette-empty">"Nothing matches."</li>
                </Show>
            </ul>
            <footer class="palette-keys muted small-text">
                <span><kbd>"Ctrl+K"</kbd>" this palette"</span>
                <span><kbd>"↑"</kbd><kbd>"↓"</kbd>" choose"</span>
                <span><kbd>"Enter"</kbd>" run"</span>
                <span><kbd>"Esc"</kbd>" close"</span>
                <span><kbd>"Alt+1"</kbd>"…"<kbd>"Alt+0"</kbd>" pages"</span>
            </footer>
        </Dialog>
    }
}
