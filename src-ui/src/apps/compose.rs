//! *Import compose file…* on the Services page: a repository's compose file
//! read as a plan (which services become instances and what changes, which
//! cannot and why), the importable ones ticked, then installed one by one
//! and made the services of the repository's stack.

use crate::components::dialog::Dialog;
use crate::components::toast::{use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::services::{self, ComposePlan};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ComposeDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<crate::apps::repositories::RepoList>();
    let repository = RwSignal::new(repos.rows().first().map(|r| r.id));
    let plan = RwSignal::new(None::<ComposePlan>);
    let picked = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<ApiError>);
    let reading = RwSignal::new(false);
    let importing = RwSignal::new(false);
    let read = move |repository_id: i64| {
        plan.set(None);
        error.set(None);
        reading.set(true);
        spawn_local(async move {
            let answer = ipc::call(&services::ReadCompose { repository_id }).await;
            let _ = reading.try_set(false);
            match answer {
                Ok(p) => {
                    let _ = picked.try_set(
                        p.services
                            .iter()
                            .filter(|s| s.importable)
                            .map(|s| s.name.clone())
                            .collect(),
                    );
                    let _ = plan.try_set(Some(p));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    if let Some(id) = repository.get_untracked() {
        read(id);
    }
    let import = move |_| {
        let Some(repository_id) = repository.get_untracked() else {
            return;
        };
        let names = picked.get_untracked();
        importing.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = ipc::call(&services::ImportCompose {
                repository_id,
                names,
            })
            .await;
            let _ = importing.try_set(false);
            match answer {
                Ok(done) => {
                    let made: Vec<String> =
                        done.installed.iter().map(|s| s.title.clone()).collect();
                    if made.is_empty() {
                        toasts.success("Nothing was imported".to_string());
                    } else {
                        toasts.success(format!("Imported {}", made.join(", ")));
                    }
                    on_done.try_run(());
                    on_close.try_run(());
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                    on_done.try_run(());
                    read(repository_id);
                }
            }
        });
    };
    view! {
        <Dialog title="Import a compose file".to_string() on_close=on_close test_id="compose-dialog">
            <p class="muted">"A repository's docker-compose.yml (or compose.yaml): its databases and caches become instances here — on 127.0.0.1, with new passwords and volumes of their own — and the services of the repository's stack. What the app does not run is listed with why."</p>
            {move || repos.rows().is_empty().then(|| view! {
                <p class="muted" data-testid="compose-no-repos">"Add a repository first (Repositories page)."</p>
            })}
            <label class="field">
                <span>"Repository"</span>
                <select class="input" data-testid="compose-repo"
                    prop:value=move || repository.get().map(|r| r.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let id = event_target_value(&ev).parse().ok();
                        repository.set(id);
                        if let Some(id) = id { read(id); }
                    }>
                    {move || repos.rows().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            {move || reading.get().then(|| view! { <div class="loading"><span class="spinner"></span>"Reading the compose file…"</div> })}
            {move || plan.get().map(|p| view! {
                <p class="small-text muted">{format!("From {}:", p.file)}</p>
                <ul class="plain-list compose-plan" data-testid="compose-plan">
                    {p.services.into_iter().map(|s| {
                        let name = s.name.clone();
                        let toggle_name = name.clone();
                        let checked_name = name.clone();
                        let what = match (&s.kind, &s.instance) {
                            (Some(k), Some(i)) => format!("{} {} → instance {i}", k.label(), s.version.clone().unwrap_or_else(|| "(newest)".into())),
                            _ => s.image.clone().unwrap_or_default(),
                        };
                        view! {
                            <li class="compose-item" class:blocked=!s.importable data-testid="compose-service" data-name=name.clone()>
                                <label class="check">
                                    <input type="checkbox" disabled=!s.importable
                                        prop:checked=move || picked.with(|p| p.contains(&checked_name))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let n = toggle_name.clone();
                                            picked.update(|p| { p.retain(|x| *x != n); if on { p.push(n); } });
                                        }/>
                                    <strong>{name.clone()}</strong>
                                    <span class="muted small-text">{what}</span>
                                </label>
                                {s.reason.map(|r| view! { <div class="small-text compose-reason" data-testid="compose-reason">{r}</div> })}
                                {(!s.notes.is_empty()).then(|| view! {
                                    <ul class="small-text muted compose-notes">
                                        {s.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                                    </ul>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {move || error.get().map(|e| view! { <ErrorText error=e test_id="compose-error"/> })}
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button primary" data-testid="compose-import"
                    disabled=move || importing.get() || picked.with(Vec::is_empty)
                    on:click=import>
                    {move || if importing.get() { "Importing… (each until it answers)".to_string() } else { format!("Import {}", picked.with(Vec::len)) }}
                </button>
            </footer>
        </Dialog>
    }
}
