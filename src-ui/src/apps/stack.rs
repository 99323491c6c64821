//! A repository's stack: the dialog (its steps in order, the services it
//! starts, up and down) and the card that shows a run started anywhere —
//! the tray, a deep link — as it goes.

use crate::components::clipboard;
use crate::components::dialog::Dialog;
use crate::components::toast::{use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::stack::{self, StackAction, StackRun, StackServices, StepState};
use ai_desktop_api::{events, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Which repository's stack dialog is open (the card stays out of its way).
#[derive(Clone, Copy)]
pub struct StackOpen(pub RwSignal<Option<i64>>);

pub fn provide() {
    provide_context(StackOpen(RwSignal::new(None)));
}

fn mark(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "○",
        StepState::Running => "…",
        StepState::Waiting => "⏳",
        StepState::Done => "✓",
        StepState::Skipped => "–",
        StepState::Failed => "✕",
    }
}

fn state_class(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "pending",
        StepState::Running | StepState::Waiting => "running",
        StepState::Done => "done",
        StepState::Skipped => "skipped",
        StepState::Failed => "failed",
    }
}

fn state_text(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "",
        StepState::Running => "starting…",
        StepState::Waiting => "waiting for health…",
        StepState::Done => "",
        StepState::Skipped => "",
        StepState::Failed => "failed",
    }
}

/// The steps of a run (or plan), in order.
#[component]
fn Steps(run: Signal<Option<StackRun>>) -> impl IntoView {
    move || {
        run.get().map(|run| {
            view! {
                <ul class="stack-steps" data-testid="stack-steps">
                    {run.steps.into_iter().map(|s| {
                        let detail = s.detail.clone().unwrap_or_else(|| {
                            if s.waits_for.is_empty() || s.state != StepState::Pending {
                                state_text(s.state).to_string()
                            } else {
                                format!("after {}", s.waits_for.join(", "))
                            }
                        });
                        view! {
                            <li class=state_class(s.state) data-testid="stack-step" data-state=format!("{:?}", s.state).to_lowercase()>
                                <span class="mark">{mark(s.state)}</span>
                                <span>
                                    <strong>{s.label.clone()}</strong>
                                    <div class="muted small-text detail">{detail}</div>
                                </span>
                                <span class="muted small-text mono">{s.elapsed_ms.map(|ms| format!("{:.1} s", ms as f64 / 1000.0))}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// The stack of one repository.
#[component]
pub fn StackDialog(repository_id: i64, name: String, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let open = expect_context::<StackOpen>().0;
    open.set(Some(repository_id));
    on_cleanup(move || open.set(None));
    let run = RwSignal::new(None::<StackRun>);
    let error = RwSignal::new(None::<ApiError>);
    let services = RwSignal::new(None::<StackServices>);
    let load_plan = move || {
        spawn_local(async move {
            // A run of this session (even one going on) shows as it stands.
            let latest = ipc::call(&stack::Runs {})
                .await
                .ok()
                .and_then(|runs| runs.into_iter().find(|r| r.repository_id == repository_id));
            let shown = match latest {
                Some(r) if !r.finished => Ok(r),
                _ => ipc::call(&stack::Plan { repository_id }).await,
            };
            match shown {
                Ok(r) => run.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let load_services = move || {
        spawn_local(async move {
            if let Ok(s) = ipc::call(&stack::Services { repository_id }).await {
                services.set(Some(s));
            }
        });
    };
    load_plan();
    load_services();
    ipc::listen_while_mounted(events::STACK_PROGRESS, move |r: StackRun| {
        if r.repository_id == repository_id {
            run.set(Some(r));
        }
    });
    let running = Memo::new(move |_| {
        run.with(|r| {
            r.as_ref().is_some_and(|r| {
                !r.finished && r.steps.iter().any(|s| s.state != StepState::Pending)
            })
        })
    });
    let go = move |action: StackAction| {
        error.set(None);
        spawn_local(async move {
            let result = match action {
                StackAction::Up => ipc::call(&stack::Up { repository_id }).await,
                StackAction::Down => ipc::call(&stack::Down { repository_id }).await,
            };
            match result {
                Ok(r) => {
                    if r.ok {
                        toasts.success(match action {
                            StackAction::Up => format!(
                                "The stack of {} is up ({:.1} s)",
                                r.repository_name,
                                r.elapsed_ms as f64 / 1000.0
                            ),
                            StackAction::Down => {
                                format!("The stack of {} is down", r.repository_name)
                            }
                        });
                    }
                    run.set(Some(r));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let choose = move |kinds: Option<Vec<String>>| {
        spawn_local(async move {
            match ipc::call(&stack::SetServices {
                repository_id,
                services: kinds,
            })
            .await
            {
                Ok(s) => {
                    services.set(Some(s));
                    load_plan();
                }
                Err(e) => toasts.error("Could not choose the services", &e),
            }
        });
    };
    let link = format!(
        "aidesktop://stack?repo={}&action=up",
        name.replace('%', "%25")
            .replace('&', "%26")
            .replace(' ', "%20")
            .replace('#', "%23")
    );
    let copy_link = link.clone();
    view! {
        <Dialog title=format!("Stack of {name}") on_close=on_close test_id="stack-dialog">
            <p class="muted">"Its services, then its deployments (each once what it needs is healthy), its VS Code and the MCP servers of its MCP profile. Stop goes the other way and keeps a service another repository's running deployment uses."</p>
            {move || run.get().filter(|r| r.finished && !r.ok).and_then(|r| r.error).map(|e| view! {
                <div class="banner error" data-testid="stack-error">{e}</div>
            })}
            <Steps run=run.into()/>
            {move || run.with(|r| r.as_ref().is_some_and(|r| r.steps.is_empty())).then(|| view! {
                <p class="muted" data-testid="stack-empty">"Nothing to start yet: add a deployment for this repository (its services come with it)."</p>
            })}
            {move || services.get().map(|s| {
                let automatic = s.chosen.is_none();
                let chosen = s.chosen.clone().unwrap_or_else(|| s.derived.clone());
                let installed = s.installed.clone();
                view! {
                    <div class="field">
                        <span>"Services it starts"</span>
                        <div class="check-list" data-testid="stack-services">
                            <label>
                                <input type="checkbox" prop:checked=automatic data-testid="stack-services-auto"
                                    on:change=move |ev| choose(if event_target_checked(&ev) { None } else { Some(chosen.clone()) })/>
                                "Those its deployments' environment points at"
                            </label>
                            {(!automatic).then(|| {
                                let picked = s.chosen.clone().unwrap_or_default();
                                installed.into_iter().map(|choice| {
                                    let on = picked.contains(&choice.id);
                                    let picked = picked.clone();
                                    let k = choice.id.clone();
                                    view! {
                                        <label>
                                            <input type="checkbox" prop:checked=on on:change=move |ev| {
                                                let mut next = picked.clone();
                                                next.retain(|x| *x != k);
                                                if event_target_checked(&ev) { next.push(k.clone()); }
                                                choose(Some(next));
                                            }/>
                                            {choice.title.clone()}
                                        </label>
                                    }
                                }).collect_view()
                            })}
                        </div>
                        {s.installed.is_empty().then(|| view! { <small class="hint">"No services installed (Services page)."</small> })}
                    </div>
                }
            })}
            <div class="field">
                <span>"Link (for a script or a bookmark)"</span>
                <div class="input-row">
                    <code class="mono small-text truncate" data-testid="stack-link">{link}</code>
                    <button class="button small" type="button" on:click=move |_| clipboard::copy(copy_link.clone(), "The link", toasts)>"Copy"</button>
                </div>
            </div>
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="stack-form-error"/> })}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Close"</button>
                <button class="button" data-testid="stack-down" disabled=move || running.get() on:click=move |_| go(StackAction::Down)>"Stop stack"</button>
                <button class="button primary" data-testid="stack-up" disabled=move || running.get() on:click=move |_| go(StackAction::Up)>
                    {move || if running.get() { "Working…" } else { "Start stack" }}
                </button>
            </footer>
        </Dialog>
    }
}

/// A run started anywhere, shown as it goes (unless its dialog is open); a
/// failed one stays until closed, a finished one goes after a few seconds.
#[component]
pub fn StackHost() -> impl IntoView {
    let open = expect_context::<StackOpen>().0;
    let shown = RwSignal::new(None::<StackRun>);
    let generation = StoredValue::new(0u64);
    ipc::listen(events::STACK_PROGRESS, move |r: StackRun| {
        let finished_ok = r.finished && r.ok;
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        shown.set(Some(r));
        if finished_ok {
            set_timeout(
                move || {
                    if generation.try_get_value() == Some(mine) {
                        shown.set(None);
                    }
                },
                std::time::Duration::from_secs(4),
            );
        }
    });
    move || {
        let r = shown.get()?;
        if open.get() == Some(r.repository_id) {
            return None;
        }
        let title = format!(
            "{} the stack of {}",
            match (r.action, r.finished) {
                (StackAction::Up, false) => "Starting",
                (StackAction::Down, false) => "Stopping",
                (StackAction::Up, true) => "Started",
                (StackAction::Down, true) => "Stopped",
            },
            r.repository_name
        );
        let error = r.error.clone();
        let run = Signal::derive(move || shown.get());
        Some(view! {
            <div class="stack-card" role="status" data-testid="stack-card">
                <div class="row-between">
                    <strong>{title}</strong>
                    <button class="icon-button" aria-label="Close" title="Close" on:click=move |_| shown.set(None)>"×"</button>
                </div>
                {error.map(|e| view! { <div class="banner error small-text" data-testid="stack-card-error">{e}</div> })}
                <Steps run=run/>
            </div>
        })
    }
}
