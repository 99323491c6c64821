//! A deployment's deploys (build → start → health), newest first, with a
//! redeploy of any earlier commit (a rollback), and the health chip the
//! table shows.

use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::deployments::{self, DeployOutcome, DeployRun, DeploySource, Deployment};
use ai_desktop_api::{events, ApiError, ErrorCode};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a click on *Deploy* (or *Redeploy* of a run) asks.
pub type DeployRequest = (i64, Option<String>);

/// `2026-11-30T15:52:26.988Z` → `2026-11-30 15:52:26 UTC`.
fn when(rfc3339: &str) -> String {
    match rfc3339.get(..19) {
        Some(t) => format!("{} UTC", t.replacen('T', " ", 1)),
        None => rfc3339.to_string(),
    }
}

pub fn short(commit: &str) -> String {
    commit.chars().take(8).collect()
}

fn outcome_label(o: DeployOutcome) -> (&'static str, &'static str) {
    match o {
        DeployOutcome::Running => ("running", "chip"),
        DeployOutcome::Online => ("online", "chip ok"),
        DeployOutcome::BuildFailed => ("build failed", "chip bad"),
        DeployOutcome::StartFailed => ("start failed", "chip bad"),
        DeployOutcome::Unhealthy => ("unhealthy", "chip bad"),
    }
}

/// Runs a deploy and says how it ended (a failed build or health check is
/// an error toast with what it said).
pub fn run_deploy(
    (id, commit): DeployRequest,
    busy: RwSignal<Option<i64>>,
    done: impl Fn() + 'static,
) {
    let toasts = use_toasts();
    busy.set(Some(id));
    spawn_local(async move {
        let result = ipc::call(&deployments::Deploy { id, commit }).await;
        busy.set(None);
        match result {
            Ok(run) if run.outcome == DeployOutcome::Online => {
                let what = run
                    .commit_id
                    .as_deref()
                    .map(|c| format!(" {}", short(c)))
                    .unwrap_or_default();
                toasts.success(format!("Deployed{what}"));
            }
            Ok(run) => {
                let (label, _) = outcome_label(run.outcome);
                let error = ApiError::new(ErrorCode::Failed, format!("The deploy ended: {label}."));
                let error = match run.message {
                    Some(m) => error.with_detail(m),
                    None => error,
                };
                toasts.error("Deploy", &error);
            }
            Err(e) => toasts.error("Deploy", &e),
        }
        done();
    });
}

/// The health check's last answer, as a chip (nothing without a check).
#[component]
pub fn HealthChip(deployment: Memo<Option<Deployment>>) -> impl IntoView {
    move || {
        deployment.with(|d| {
            let d = d.as_ref()?;
            crate::components::health::health_chip(
                d.health_check.as_ref(),
                d.health.as_ref(),
                format!("deploy-health-{}", d.id),
            )
        })
    }
}

/// The deployment's deploys, kept current while shown.
#[component]
pub fn DeployHistory(
    id: i64,
    busy: RwSignal<Option<i64>>,
    on_deploy: Callback<DeployRequest>,
) -> impl IntoView {
    let runs = RwSignal::new(None::<Result<Vec<DeployRun>, ApiError>>);
    let load = move || {
        spawn_local(async move {
            runs.set(Some(ipc::call(&deployments::Runs { id }).await));
        })
    };
    load();
    // A deploy's end (and any change of the deployment) updates the list.
    ipc::listen_while_mounted(events::DEPLOYMENT_UPDATED, move |d: Deployment| {
        if d.id == id {
            load();
        }
    });
    view! {
        <div class="panel" data-testid="deploy-history">
            <div class="panel-head">
                <div class="panel-title">"Deploys"</div>
                <button class="button small primary" data-testid="deploy-deploy-here"
                    disabled=move || busy.get() == Some(id)
                    title="Build (if it has a build step) and start the working tree, waiting for its health check"
                    on:click=move |_| on_deploy.run((id, None))>
                    {move || if busy.get() == Some(id) { "Deploying…" } else { "Deploy working tree" }}
                </button>
            </div>
            {move || match runs.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading…"</div> }.into_any(),
                Some(Err(e)) => view! { <p class="muted">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" data-testid="deploy-history-empty">
                        "No deploys yet. A deploy builds the app (its build step), starts it and waits for its health check; each one is kept here with its commit, so you can go back to it."
                    </p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="plain-list history-list">
                        {list.into_iter().enumerate().map(|(i, r)| {
                            let (label, class) = outcome_label(r.outcome);
                            let commit = r.commit_id.clone();
                            let again = commit.clone();
                            let from = match r.source {
                                DeploySource::WorkingTree => "working tree",
                                DeploySource::Commit => "commit",
                            };
                            view! {
                                <li data-testid=format!("deploy-run-{i}")>
                                    <div class="row-between">
                                        <span>
                                            <span class=class data-testid="deploy-run-outcome">{label}</span>" "
                                            {commit.as_deref().map(|c| view! { <span class="mono">{short(c)}</span>" " })}
                                            <span>{r.commit_summary.clone().unwrap_or_default()}</span>
                                        </span>
                                        {again.map(|c| view! {
                                            <button class="button small" data-testid=format!("deploy-redeploy-{i}")
                                                title="Build and run this commit from a clean copy (your working tree is not touched)"
                                                disabled=move || busy.get() == Some(id)
                                                on:click=move |_| on_deploy.run((id, Some(c.clone())))>"Redeploy"</button>
                                        })}
                                    </div>
                                    <div class="muted small-text">
                                        {format!("{} · from the {from}{} · {}", when(&r.started_at),
                                            r.branch.as_deref().map(|b| format!(" ({b})")).unwrap_or_default(),
                                            if r.env_names.is_empty() { "no variables".to_string() } else { format!("env {}", r.env_names.join(", ")) })}
                                    </div>
                                    {r.message.clone().filter(|_| r.outcome != DeployOutcome::Online).map(|m| view! {
                                        <pre class="pre small-text" data-testid="deploy-run-message">{m}</pre>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}
