//! Deployments: repositories' apps under PM2. A table kept live by
//! `deployment:updated` / `deployment:deleted` (status, CPU, memory,
//! restarts), create/edit/delete dialogs, and for the selected deployment
//! its logs (follow, search, clear), its deploys (build, start, health;
//! redeploy an earlier commit) and the Docker services whose connection
//! strings can be added to its environment with one click.

use crate::apps::deploy_history::{run_deploy, DeployHistory, DeployRequest, HealthChip};
use crate::apps::repositories::RepoList;
use crate::apps::Lifecycle;
use crate::components::confirm::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::health::{HealthFields, HealthForm};
use crate::components::icons::{Icon, Svg};
use crate::components::live_list::LiveList;
use crate::components::log_view::{LogFollower, LogPanel};
use crate::components::secret_pairs::SecretPairs;
use crate::components::status::StatusPill;
use crate::components::toast::{invalid, use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::deployments;
use ai_desktop_api::deployments::{
    DeployMode, Deployment, DeploymentInput, DeploymentStatus, DiscoveredService, Pm2Status,
    ServiceDiscovery, StartSuggestion,
};
use ai_desktop_api::events;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

#[derive(Clone, PartialEq)]
enum Modal {
    Closed,
    Add,
    Edit(Deployment),
    Delete(Deployment),
}

#[component]
pub fn DeploymentsPage() -> impl IntoView {
    let toasts = use_toasts();
    let status = RwSignal::new(None::<Pm2Status>);
    let list = LiveList::start(
        deployments::List {},
        events::DEPLOYMENT_UPDATED,
        events::DEPLOYMENT_DELETED,
    );
    super::use_nav().follow_focus(super::Page::Deployments, list.selected);
    let items = list.items;
    let selected = list.selected;
    let busy = RwSignal::new(None::<i64>);
    let modal = RwSignal::new(Modal::Closed);

    let load_status = move || {
        spawn_local(async move {
            if let Ok(s) = ipc::call(&deployments::Status {}).await {
                status.set(Some(s));
            }
        });
    };
    load_status();
    // CPU and memory are sampled only while this page is open.
    let watch = |active: bool| {
        spawn_local(async move {
            let _ = ipc::call(&deployments::Watch { active }).await;
        })
    };
    watch(true);
    on_cleanup(move || watch(false));
    // The figures are pulled (a read waits for a change), at most once per
    // painted frame and not at all while the window is hidden; the read
    // loop ends with the page.
    let open = StoredValue::new(());
    spawn_local(async move {
        let mut since = 0;
        while open.try_get_value().is_some() {
            let Ok(frame) = ipc::call(&deployments::Metrics { since }).await else {
                return;
            };
            since = frame.version;
            if open.try_get_value().is_none() {
                return;
            }
            list.items.update(|items| {
                if let Some(Ok(items)) = items {
                    for d in items.iter_mut() {
                        if let Some(m) = frame.items.iter().find(|m| m.id == d.id) {
                            d.cpu = m.cpu;
                            d.memory = m.memory;
                        }
                    }
                }
            });
            ipc::next_animation_frame().await;
        }
    });
    let load = move || list.reload();

    let act = move |id: i64, op: Lifecycle, done: &'static str| {
        busy.set(Some(id));
        spawn_local(async move {
            let result = match op {
                Lifecycle::Start => ipc::call(&deployments::Start { id }).await,
                Lifecycle::Stop => ipc::call(&deployments::Stop { id }).await,
                Lifecycle::Restart => ipc::call(&deployments::Restart { id }).await,
            };
            busy.set(None);
            match result {
                Ok(d) => toasts.success(format!("{} {done}", d.name)),
                Err(e) => toasts.error("Deployment", &e),
            }
        });
    };
    let deploy = Callback::new(move |request: DeployRequest| run_deploy(request, busy, || ()));
    let stop_all = move |_| {
        spawn_local(async move {
            match ipc::call(&deployments::StopAll {}).await {
                Ok(list) => toasts.success(format!("Stopped {} deployment(s)", list.len())),
                Err(e) => toasts.error("Could not stop everything", &e),
            }
        });
    };
    let close = Callback::new(move |_| modal.set(Modal::Closed));
    let current = list.current();

    view! {
        <section class="page wide" data-testid="page-deployments">
            <header class="page-header">
                <div>
                    <h1>"Deployments"</h1>
                    <p class="muted">
                        {move || match status.get() {
                            Some(s) if s.installed => format!("PM2 {} · PM2_HOME {}", s.version.unwrap_or_default(), s.pm2_home),
                            Some(_) => "PM2 is not available".to_string(),
                            None => "Your repositories' apps, run by PM2.".to_string(),
                        }}
                        {move || status.get().filter(|s| !s.installed).map(|_| view! { " · " <super::settings::DoctorLink/> })}
                    </p>
                </div>
                <div class="header-actions">
                    <button class="button" data-testid="deploy-stop-all" on:click=stop_all>"Stop all"</button>
                    <button class="button primary" data-testid="deploy-add" on:click=move |_| modal.set(Modal::Add)>
                        <Svg icon=Icon::Plus/>"New deployment"
                    </button>
                </div>
            </header>
            {move || status.get().filter(|s| !s.installed).map(|s| view! {
                <Pm2Missing status=s on_saved=Callback::new(move |_| { load_status(); load(); })/>
            })}
            {move || match items.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading deployments…"</div> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="empty-state">
                        <h2>"Could not load deployments"</h2>
                        <p class="muted">{e.message}</p>
                        <button class="button" on:click=move |_| load()>"Try again"</button>
                    </div>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="deploy-empty">
                        <div class="empty-icon"><Svg icon=Icon::Rocket/></div>
                        <h2>"Nothing deployed yet"</h2>
                        <p class="muted">"Run a repository's app under PM2: the start command is detected from package.json (or suggested for Rust and Python), PORT is set for it, and its logs and metrics show here."</p>
                        <button class="button primary" on:click=move |_| modal.set(Modal::Add)>"New deployment"</button>
                    </div>
                }.into_any(),
                Some(Ok(_)) => view! {
                    <DeploymentTable list=list selected=selected busy=busy act=act deploy=deploy modal=modal/>
                }.into_any(),
            }}
            {move || current.get().map(|d| view! {
                <div class="detail-grid">
                    <LogsPanel id=d.id name=d.name.clone() error=d.error.clone()/>
                    <div class="stack-column">
                        <DeployHistory id=d.id busy=busy on_deploy=deploy/>
                        <ServicesPanel deployment=d/>
                    </div>
                </div>
            })}
            {move || match modal.get() {
                Modal::Closed => ().into_any(),
                Modal::Add => view! { <DeploymentDialog existing=None on_close=close on_saved=Callback::new(move |id| selected.set(Some(id)))/> }.into_any(),
                Modal::Edit(d) => view! { <DeploymentDialog existing=Some(d) on_close=close on_saved=Callback::new(|_| ())/> }.into_any(),
                Modal::Delete(d) => view! { <DeleteDialog deployment=d on_close=close/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Pm2Missing(status: Pm2Status, on_saved: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let path = RwSignal::new(String::new());
    let save = move |_| {
        let value = path.get_untracked();
        spawn_local(async move {
            let args = deployments::Configure {
                binary: (!value.trim().is_empty()).then_some(value),
                home: None,
            };
            match ipc::call(&args).await {
                Ok(_) => {
                    on_saved.try_run(());
                }
                Err(e) => toasts.error("That path was not accepted", &e),
            }
        });
    };
    view! {
        <div class="banner warn" data-testid="pm2-missing">
            <strong>"PM2 is not installed."</strong>
            <p>"Install it with: " <code class="mono">{status.install_hint.clone()}</code></p>
            <div class="input-row">
                <input class="input mono" placeholder="/path/to/pm2" prop:value=path on:input=move |ev| path.set(event_target_value(&ev))/>
                <button class="button" on:click=save>"Use this path"</button>
            </div>
        </div>
    }
}

#[component]
fn DeploymentTable(
    list: LiveList<Deployment>,
    selected: RwSignal<Option<i64>>,
    busy: RwSignal<Option<i64>>,
    act: impl Fn(i64, Lifecycle, &'static str) + Copy + Send + Sync + 'static,
    deploy: Callback<DeployRequest>,
    modal: RwSignal<Modal>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table deploy-table" data-testid="deploy-table">
                <thead><tr>
                    <th>"Deployment"</th><th>"Status"</th><th class="num">"Port"</th><th class="num">"CPU"</th>
                    <th class="num">"Memory"</th><th class="num">"Restarts"</th><th class="wide-actions"></th>
                </tr></thead>
                <tbody>
                    // Rows keyed by id; each row's cells follow its record,
                    // so a metrics tick updates a few texts, not the row.
                    <For each=move || list.rows().into_iter().map(|d| d.id) key=|id| *id let:id>
                        {
                            let row = Memo::new(move |_| list.items.with(|s| match s {
                                Some(Ok(items)) => items.iter().find(|d| d.id == id).cloned(),
                                _ => None,
                            }));
                            let field = move |f: fn(&Deployment) -> String| move || row.with(|d| d.as_ref().map(f).unwrap_or_default());
                            // Memos: the action buttons change with the state, not with each tick.
                            let status = Memo::new(move |_| row.with(|d| d.as_ref().map(|d| d.status)).unwrap_or(DeploymentStatus::Stopped));
                            let running = Memo::new(move |_| matches!(status.get(), DeploymentStatus::Online | DeploymentStatus::Launching));
                            let with_row = move |f: fn(Deployment) -> Modal| move |_| if let Some(d) = row.get_untracked() { modal.set(f(d)) };
                            view! {
                                <tr class:selected=move || selected.get() == Some(id) on:click=move |_| selected.set(Some(id)) data-testid=format!("deploy-row-{id}")>
                                    <td>
                                        <div class="repo-name" data-testid="deploy-name">{field(|d| d.name.clone())}</div>
                                        <div class="muted small-text truncate mono" title=field(|d| d.start_command.clone())>{field(|d| format!("{} · {}", d.repository_name, d.start_command))}</div>
                                        {move || row.with(|d| d.as_ref().and_then(|d| d.url.clone())).map(|url| view! {
                                            <button class="link small-text mono deploy-url" data-testid=format!("deploy-url-{id}") title=format!("Open {url} in your web browser")
                                                on:click=move |ev| { ev.stop_propagation(); open_url(id); }>{format!("{} ↗", url.trim_start_matches("http://").trim_end_matches('/'))}</button>
                                        })}
                                    </td>
                                    <td data-testid=format!("deploy-status-{id}")>
                                        {move || view! { <StatusPill state=status.get()/> }}
                                        {move || row.with(|d| d.as_ref().filter(|d| d.mode == DeployMode::Cluster).map(|d| d.instances)).map(|n| view! { <span class="chip">{format!("cluster × {n}")}</span> })}
                                        <HealthChip deployment=row/>
                                        {move || row.with(|d| d.as_ref().and_then(|d| d.release_commit.clone())).map(|c| view! {
                                            <span class="chip mono" title="It runs this commit from a clean copy (a redeploy of an earlier commit); Deploy working tree goes back">{format!("@ {}", crate::apps::deploy_history::short(&c))}</span>
                                        })}
                                        {move || row.with(|d| d.as_ref().and_then(|d| d.auto_deploy_branch.clone())).map(|b| view! {
                                            <span class="chip" data-testid=format!("deploy-auto-{id}") title="Each new commit of this branch is deployed as it comes">{format!("⟳ {b}")}</span>
                                        })}
                                    </td>
                                    <td class="num mono">{field(|d| d.port.to_string())}</td>
                                    <td class="num mono">{move || if running.get() { field(|d| format!("{:.1}%", d.cpu))() } else { "—".into() }}</td>
                                    <td class="num mono">{move || if running.get() { field(|d| crate::format::megabytes(d.memory))() } else { "—".into() }}</td>
                                    <td class="num mono">{field(|d| d.restarts.to_string())}</td>
                                    <td class="actions" on:click=|ev| ev.stop_propagation()>
                                        {move || (busy.get() == Some(id)).then(|| view! { <span class="spinner"></span> })}
                                        <button class="button small" data-testid=format!("deploy-deploy-{id}")
                                            title="Build (its build step) and (re)start it from the working tree, waiting for its health check; a failed build leaves what runs running"
                                            disabled=move || busy.get() == Some(id)
                                            on:click=move |_| deploy.run((id, None))>"Deploy"</button>
                                        {move || if running.get() {
                                            view! {
                                                {move || row.with(|d| d.as_ref().is_some_and(|d| d.mode == DeployMode::Cluster)).then(|| view! {
                                                    <button class="button small" data-testid=format!("deploy-reload-{id}") title="Replace its instances one at a time, without downtime (the app should finish its requests on SIGINT)" on:click=move |_| reload(id)>"Reload"</button>
                                                })}
                                                <button class="button small" on:click=move |_| act(id, Lifecycle::Restart, "restarted")>"Restart"</button>
                                                <button class="button small" data-testid=format!("deploy-stop-{id}") on:click=move |_| act(id, Lifecycle::Stop, "stopped")>"Stop"</button>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <button class="button small primary" data-testid=format!("deploy-start-{id}") on:click=move |_| act(id, Lifecycle::Start, "started")>"Start"</button>
                                            }.into_any()
                                        }}
                                        <button class="icon-button" title="Edit" aria-label="Edit" data-testid=format!("deploy-edit-{id}") on:click=with_row(Modal::Edit)><Svg icon=Icon::Edit/></button>
                                        <button class="icon-button danger" title="Delete" aria-label="Delete" data-testid=format!("deploy-delete-{id}") on:click=with_row(Modal::Delete)><Svg icon=Icon::Trash/></button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// Reloads a cluster-mode deployment without downtime.
fn reload(id: i64) {
    let toasts = use_toasts();
    spawn_local(async move {
        match ipc::call(&deployments::Reload { id }).await {
            Ok(d) => toasts.success(format!("{} reloaded", d.name)),
            Err(e) => toasts.error("Reload", &e),
        }
    });
}

/// Opens a deployment's local domain in the web browser.
fn open_url(id: i64) {
    let toasts = use_toasts();
    spawn_local(async move {
        if let Err(e) = ipc::call(&deployments::OpenUrl { id }).await {
            toasts.error("Could not open its address", &e);
        }
    });
}

#[component]
fn LogsPanel(id: i64, name: String, error: Option<String>) -> impl IntoView {
    let toasts = use_toasts();
    // Crash → fix: a Flow session about this crash, then the Flow page on it.
    let asking = RwSignal::new(false);
    let nav = super::use_nav();
    let ask = move || {
        asking.set(true);
        spawn_local(async move {
            let r = ipc::call(&ai_desktop_api::flow::FixCrash { deployment_id: id }).await;
            asking.set(false);
            match r {
                Ok(session) => nav.show(super::Page::FlowBuilder, session.id),
                Err(e) => toasts.error("Could not ask the agent", &e),
            }
        });
    };
    let clear = Callback::new(move |_| {
        spawn_local(async move {
            match ipc::call(&deployments::ClearLogs { id }).await {
                Ok(()) => toasts.success("Logs cleared"),
                Err(e) => toasts.error("Could not clear the logs", &e),
            }
        });
    });
    view! {
        <LogPanel title=format!("Logs · {name}") logs=LogFollower::of(deployments::Logs { id, from: None })
            on_clear=clear test_id="deploy-logs" search_id="deploy-log-search"
            empty="No output yet. The app's stdout and stderr (PM2's out and err logs) show here.">
            {error.map(|e| view! {
                <pre class="banner error pre" data-testid="deploy-error">{e}</pre>
                <div class="input-row">
                    <button class="button small primary" data-testid="deploy-ask-agent" disabled=move || asking.get()
                        title="A Flow session in this repository, told the errors, what changed since the last healthy start, the environment's variable names (not their values) and the services"
                        on:click=move |_| ask()>
                        {move || if asking.get() { "Asking…" } else { "Ask the agent to fix it" }}
                    </button>
                </div>
            })}
        </LogPanel>
    }
}

#[component]
fn ServicesPanel(deployment: Deployment) -> impl IntoView {
    let toasts = use_toasts();
    let found = RwSignal::new(None::<ServiceDiscovery>);
    let load = move || {
        spawn_local(async move {
            if let Ok(d) = ipc::call(&deployments::Services {}).await {
                found.set(Some(d));
            }
        });
    };
    load();
    let deployment = StoredValue::new(deployment);
    let inject = move |service: DiscoveredService| {
        let Some(url) = service.connection_string.clone() else {
            return;
        };
        let d = deployment.get_value();
        let mut input = DeploymentInput::from(&d);
        input.env.insert(service.env_var.clone(), url);
        spawn_local(async move {
            match ipc::call(&deployments::Update { id: d.id, input }).await {
                Ok(saved) => toasts.success(format!(
                    "{} set for {}; restart it to apply",
                    service.env_var, saved.name
                )),
                Err(e) => toasts.error("Could not add the variable", &e),
            }
        });
    };
    view! {
        <div class="panel" data-testid="deploy-services">
            <div class="panel-head">
                <div class="panel-title">"Services (Docker)"</div>
                <button class="button small" on:click=move |_| load()>"Refresh"</button>
            </div>
            {move || match found.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Asking Docker…"</div> }.into_any(),
                Some(d) if !d.docker_available => view! {
                    <p class="muted" data-testid="docker-unavailable">{d.message.unwrap_or_else(|| "Docker not available.".into())}</p>
                }.into_any(),
                Some(d) if d.services.is_empty() => view! {
                    <p class="muted">"No databases yet. Services you install on the Services page appear here with their connection strings."</p>
                }.into_any(),
                Some(d) => view! {
                    <ul class="plain-list">
                        {d.services.into_iter().map(|s| {
                            let s2 = s.clone();
                            view! {
                                <li>
                                    <strong>{s.container.clone()}</strong>" "<span class="chip">{s.kind.clone()}</span>
                                    {(!s.running).then(|| view! { <span class="muted small-text">" (stopped)"</span> })}
                                    {s.connection_string.clone().map(|c| { let title = c.clone(); view! { <div class="mono small-text truncate" title=title>{c}</div> } })}
                                    {s.connection_string.is_some().then(|| view! {
                                        <button class="button small" on:click=move |_| inject(s2.clone())>{format!("Use as {}", s.env_var)}</button>
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

/// Create (when `existing` is `None`) or edit a deployment.
#[component]
fn DeploymentDialog(
    existing: Option<Deployment>,
    on_close: Callback<()>,
    on_saved: Callback<i64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<RepoList>();
    let editing = existing.as_ref().map(|d| d.id);
    let e = existing;
    let repository = RwSignal::new(e.as_ref().map(|d| d.repository_id).or_else(|| {
        repos.items.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok()?.first().map(|r| r.id))
        })
    }));
    let name = RwSignal::new(e.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let port = RwSignal::new(e.as_ref().map(|d| d.port.to_string()).unwrap_or_default());
    let domain = RwSignal::new(
        e.as_ref()
            .and_then(|d| d.domain.clone())
            .unwrap_or_default(),
    );
    let mode = RwSignal::new(e.as_ref().map(|d| d.mode).unwrap_or_default());
    let instances = RwSignal::new(e.as_ref().map(|d| d.instances).unwrap_or(2).to_string());
    let command = RwSignal::new(
        e.as_ref()
            .map(|d| d.start_command.clone())
            .unwrap_or_default(),
    );
    let env = RwSignal::new(
        e.as_ref()
            .map(|d| d.env.clone().into_iter().collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let build = RwSignal::new(
        e.as_ref()
            .and_then(|d| d.build_command.clone())
            .unwrap_or_default(),
    );
    let health = HealthForm::new(e.as_ref().and_then(|d| d.health_check.as_ref()));
    let depends_on = RwSignal::new(e.as_ref().map(|d| d.depends_on.clone()).unwrap_or_default());
    let options = e
        .as_ref()
        .map(|d| d.pm2_options.clone())
        .unwrap_or_default();
    let watch = RwSignal::new(options.watch);
    let ignore = RwSignal::new(options.ignore_watch.join("\n"));
    let max_memory = RwSignal::new(
        options
            .max_memory_mb
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let cron = RwSignal::new(options.cron_restart.clone().unwrap_or_default());
    let log_cap = RwSignal::new(
        options
            .log_max_mb
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let delay = RwSignal::new(
        options
            .restart_delay_ms
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let backoff = RwSignal::new(options.exp_backoff);
    // The repository's other deployments, which this one may wait for.
    let siblings = RwSignal::new(Vec::<(i64, i64, String)>::new());
    spawn_local(async move {
        if let Ok(list) = ipc::call(&deployments::List {}).await {
            siblings.set(
                list.into_iter()
                    .filter(|d| Some(d.id) != editing)
                    .map(|d| (d.id, d.repository_id, d.name))
                    .collect(),
            );
        }
    });
    let suggestion = RwSignal::new(None::<StartSuggestion>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let auto_branch = RwSignal::new(
        e.as_ref()
            .and_then(|d| d.auto_deploy_branch.clone())
            .unwrap_or_default(),
    );
    let branches = RwSignal::new(Vec::<String>::new());
    let was_running = e
        .as_ref()
        .is_some_and(|d| d.status == DeploymentStatus::Online);

    // The suggestion follows the chosen repository.
    Effect::new(move |_| {
        let Some(repository_id) = repository.get() else {
            return;
        };
        spawn_local(async move {
            if let Ok(s) = ipc::call(&deployments::Suggest { repository_id }).await {
                suggestion.set(Some(s));
            }
            // Not a git repository: no branches, nothing to follow.
            let names = ipc::call(&ai_desktop_api::git::Branches { repository_id })
                .await
                .map(|list| list.into_iter().map(|b| b.name).collect())
                .unwrap_or_default();
            let _ = branches.try_set(names);
        });
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(repository_id) = repository.get_untracked() else {
            error.set(Some(invalid(
                "Choose a repository (add one on the Repositories page first).",
            )));
            return;
        };
        let port_value = match port.get_untracked().trim() {
            "" => None,
            t => match t.parse::<u16>() {
                Ok(p) => Some(p),
                Err(_) => {
                    error.set(Some(invalid(format!(
                        "\"{t}\" is not a port number (1–65535)."
                    ))));
                    return;
                }
            },
        };
        let instances_value = if mode.get_untracked() == DeployMode::Cluster {
            match instances.get_untracked().trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    error.set(Some(invalid("Instances must be a number.")));
                    return;
                }
            }
        } else {
            1
        };
        let health_check = match health.read() {
            Ok(c) => c,
            Err(e) => return error.set(Some(invalid(e))),
        };
        let optional_number = |text: String, what: &str| -> Result<Option<u32>, ApiError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| invalid(format!("{what} must be a whole number."))),
            }
        };
        let max_memory_mb =
            match optional_number(max_memory.get_untracked(), "Restart on memory (MB)") {
                Ok(n) => n,
                Err(e) => return error.set(Some(e)),
            };
        let restart_delay_ms = match optional_number(delay.get_untracked(), "The restart delay") {
            Ok(n) => n,
            Err(e) => return error.set(Some(e)),
        };
        let log_max_mb = match optional_number(log_cap.get_untracked(), "The log cap (MB)") {
            Ok(n) => n,
            Err(e) => return error.set(Some(e)),
        };
        let pm2_options = ai_desktop_api::deployments::Pm2Options {
            watch: watch.get_untracked(),
            ignore_watch: ignore.get_untracked().lines().map(str::to_string).collect(),
            max_memory_mb,
            cron_restart: Some(cron.get_untracked()),
            restart_delay_ms,
            exp_backoff: backoff.get_untracked(),
            log_max_mb,
        };
        let own: Vec<i64> = siblings.with_untracked(|s| {
            s.iter()
                .filter(|(_, r, _)| *r == repository_id)
                .map(|(id, _, _)| *id)
                .collect()
        });
        let input = DeploymentInput {
            repository_id,
            pm2_options,
            build_command: Some(build.get_untracked()),
            health_check,
            // Only those of the chosen repository (the choice may have changed).
            depends_on: depends_on
                .get_untracked()
                .into_iter()
                .filter(|id| own.contains(id))
                .collect(),
            name: name.get_untracked(),
            port: port_value,
            domain: Some(domain.get_untracked()),
            mode: mode.get_untracked(),
            instances: instances_value,
            env: env
                .get_untracked()
                .into_iter()
                .filter(|(k, v): &(String, String)| !(k.trim().is_empty() && v.is_empty()))
                .map(|(k, v)| (k.trim().to_string(), v))
                .collect::<BTreeMap<_, _>>(),
            start_command: Some(command.get_untracked()),
            auto_deploy_branch: Some(auto_branch.get_untracked()),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match editing {
                None => ipc::call(&deployments::Create { input }).await,
                Some(id) => ipc::call(&deployments::Update { id, input }).await,
            };
            busy.set(false);
            match result {
                Ok(d) => {
                    toasts.success(match (editing, was_running) {
                        (None, _) => format!("Created {} on port {}", d.name, d.port),
                        (Some(_), true) => format!("Saved {}; restart it to apply", d.name),
                        (Some(_), false) => format!("Saved {}", d.name),
                    });
                    on_saved.run(d.id);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Saved values are fetched one at a time, only when asked for.
    let reveal_env = Callback::new(move |(i, key): (usize, String)| {
        let Some(id) = editing else { return };
        spawn_local(async move {
            let args = deployments::Reveal {
                id,
                key: key.clone(),
            };
            match ipc::call(&args).await {
                Ok(value) => env.update(|p| {
                    if let Some(row) = p.get_mut(i).filter(|r| r.0 == key) {
                        row.1 = value;
                    }
                }),
                Err(e) => toasts.error("Could not show the value", &e),
            }
        });
    });
    let title = if editing.is_some() {
        "Edit deployment"
    } else {
        "New deployment"
    };
    view! {
        <Dialog title=title.to_string() on_close=on_close test_id="deploy-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field-row">
                    <label class="field">
                        <span>"Repository"</span>
                        <select class="input" data-testid="deploy-repo"
                            prop:value=move || repository.get().map(|r| r.to_string()).unwrap_or_default()
                            on:change=move |ev| repository.set(event_target_value(&ev).parse().ok())>
                            {move || repos.rows().into_iter().map(|r| view! {
                                <option value=r.id.to_string()>{r.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>"Name"</span>
                        <input class="input" data-testid="deploy-name-input" autofocus=true prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                </div>
                <label class="field">
                    <span>"Start command"</span>
                    <input class="input mono" data-testid="deploy-command"
                        placeholder=move || suggestion.get().and_then(|s| s.command).map(|c| format!("{c} (detected)")).unwrap_or_else(|| "e.g. node server.js".into())
                        prop:value=move || command.get() on:input=move |ev| command.set(event_target_value(&ev))/>
                    {move || suggestion.get().map(|s| {
                        let use_it = s.command.clone();
                        view! {
                            <small class="hint" data-testid="deploy-suggestion">
                                {if s.needs_confirmation { "Suggested: " } else { "Detected: " }}
                                {s.source.clone()}
                                {use_it.map(|c| view! { " " <button type="button" class="link" on:click=move |_| command.set(c.clone())>"Use it"</button> })}
                            </small>
                        }
                    })}
                    <small class="hint">"Run as one program with its arguments, never through a shell; paths must stay inside the repository. Empty: the detected command."</small>
                </label>
                <label class="field">
                    <span>"Build step (optional)"</span>
                    <textarea class="input mono" rows="2" data-testid="deploy-build"
                        placeholder=move || suggestion.get().and_then(|s| s.build_command).map(|c| c.replace('\n', " ; ")).unwrap_or_else(|| "e.g. npm ci".into())
                        prop:value=move || build.get() on:input=move |ev| build.set(event_target_value(&ev))></textarea>
                    {move || suggestion.get().and_then(|s| s.build_command).map(|c| {
                        let shown = c.replace('\n', " then ");
                        view! {
                            <small class="hint" data-testid="deploy-build-suggestion">
                                "Suggested: " <span class="mono">{shown}</span>" "
                                <button type="button" class="link" on:click=move |_| build.set(c.clone())>"Use it"</button>
                            </small>
                        }
                    })}
                    <small class="hint">"Runs before each deploy, one command per line, in the folder it runs from; its output goes to the log. A failed build leaves what runs running."</small>
                </label>
                <label class="field">
                    <span>"Deploy new commits of"</span>
                    <select class="input" data-testid="deploy-auto-branch" prop:value=move || auto_branch.get()
                        on:change=move |ev| auto_branch.set(event_target_value(&ev))>
                        <option value="">"No branch (deploy when asked)"</option>
                        {move || {
                            let mut names = branches.get();
                            let chosen = auto_branch.get();
                            if !chosen.is_empty() && !names.contains(&chosen) {
                                names.push(chosen);
                            }
                            names.into_iter().map(|b| view! { <option value=b.clone()>{b.clone()}</option> }).collect_view()
                        }}
                    </select>
                    <small class="hint">"Each new commit of the branch (yours, a pull, a merge) is built and started from a clean copy of it; your working tree is not touched. Commits made while the app is closed are not deployed by themselves."</small>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>"Port"</span>
                        <input class="input mono" data-testid="deploy-port" inputmode="numeric" placeholder="Next free from 3000" prop:value=move || port.get() on:input=move |ev| port.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Mode"</span>
                        <select class="input" prop:value=move || mode.get().as_str() on:change=move |ev| mode.set(DeployMode::parse(&event_target_value(&ev)).unwrap_or_default())>
                            <option value="fork">"Fork (one process)"</option>
                            <option value="cluster">"Cluster (Node.js)"</option>
                        </select>
                    </label>
                    {move || (mode.get() == DeployMode::Cluster).then(|| view! {
                        <label class="field">
                            <span>"Instances"</span>
                            <input class="input mono" inputmode="numeric" prop:value=move || instances.get() on:input=move |ev| instances.set(event_target_value(&ev))/>
                        </label>
                    })}
                </div>
                <label class="field">
                    <span>"Domain (optional)"</span>
                    <input class="input" data-testid="deploy-domain" placeholder="shop.localhost" prop:value=move || domain.get() on:input=move |ev| domain.set(event_target_value(&ev))/>
                    <small class="hint">"A name ending in .localhost is served by the app (http://shop.localhost:7380/ reaches this app, no root or hosts file needed); other names are only noted."</small>
                </label>
                <HealthFields form=health prefix="deploy"/>
                {move || {
                    let repo = repository.get();
                    let own: Vec<(i64, String)> = siblings.with(|s| s.iter().filter(|(_, r, _)| Some(*r) == repo).map(|(id, _, n)| (*id, n.clone())).collect());
                    (!own.is_empty()).then(|| view! {
                        <div class="field">
                            <span>"In the repository's stack, start after"</span>
                            <div class="check-list" data-testid="deploy-depends">
                                {own.into_iter().map(|(id, name)| view! {
                                    <label>
                                        <input type="checkbox" prop:checked=move || depends_on.with(|d| d.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                depends_on.update(|d| { d.retain(|x| *x != id); if on { d.push(id); } });
                                            }/>
                                        {name}
                                    </label>
                                }).collect_view()}
                            </div>
                            <small class="hint">"It starts only once these are healthy."</small>
                        </div>
                    })
                }}
                <details class="field" data-testid="deploy-pm2-options">
                    <summary>"PM2 options: watch, memory, schedule, restart delay"</summary>
                    <label class="check">
                        <input type="checkbox" data-testid="deploy-watch" prop:checked=move || watch.get() on:change=move |ev| watch.set(event_target_checked(&ev))/>
                        "Restart when a file of its folder changes"
                    </label>
                    {move || watch.get().then(|| view! {
                        <label class="field">
                            <span>"Ignore (globs, one per line; node_modules and .git always are)"</span>
                            <textarea class="input mono" rows="2" data-testid="deploy-ignore" prop:value=move || ignore.get() on:input=move |ev| ignore.set(event_target_value(&ev))></textarea>
                        </label>
                    })}
                    <div class="field-row">
                        <label class="field">
                            <span>"Restart above (MB)"</span>
                            <input class="input mono" inputmode="numeric" data-testid="deploy-max-memory" placeholder="no limit" prop:value=move || max_memory.get() on:input=move |ev| max_memory.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>"Restart on a schedule (cron)"</span>
                            <input class="input mono" data-testid="deploy-cron" placeholder="e.g. 0 3 * * *" prop:value=move || cron.get() on:input=move |ev| cron.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <div class="field-row">
                        <label class="field">
                            <span>"Delay before a restart after a crash (ms)"</span>
                            <input class="input mono" inputmode="numeric" data-testid="deploy-restart-delay" placeholder="none" prop:value=move || delay.get() on:input=move |ev| delay.set(event_target_value(&ev))/>
                        </label>
                        <label class="check">
                            <input type="checkbox" data-testid="deploy-backoff" prop:checked=move || backoff.get() on:change=move |ev| backoff.set(event_target_checked(&ev))/>
                            "Wait longer after each crash in a row"
                        </label>
                    </div>
                    <small class="hint">"With a delay or backoff, PM2 shows an app it gave up on as restarting rather than errored."</small>
                    <label class="field">
                        <span>"Cap each log file at (MB)"</span>
                        <input class="input mono" inputmode="numeric" data-testid="deploy-log-cap" placeholder="50" prop:value=move || log_cap.get() on:input=move |ev| log_cap.set(event_target_value(&ev))/>
                        <small class="hint">"Past it, the file's content is kept as out.log.1 (or err.log.1, replacing the one before) and the file starts over."</small>
                    </label>
                </details>
                <div class="field">
                    <span>"Environment variables (PORT is set for you)"</span>
                    <SecretPairs pairs=env key_label="NAME" test_id="deploy-env" reveal=reveal_env/>
                </div>
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="form-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="deploy-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else if editing.is_some() { "Save" } else { "Create" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
fn DeleteDialog(deployment: Deployment, on_close: Callback<()>) -> impl IntoView {
    let id = deployment.id;
    let name = deployment.name.clone();
    let run = move || {
        let name = name.clone();
        async move {
            ipc::call(&deployments::Delete { id }).await?;
            Ok(format!("Deleted {name}"))
        }
    };
    view! {
        <ConfirmDialog title="Delete deployment?".to_string() action="Delete" run on_close
            test_id="deploy-delete-dialog" confirm_id="deploy-confirm-delete">
            <p>
                "Delete " <strong>{deployment.name.clone()}</strong> "? Its PM2 process ("
                <span class="mono">{deployment.pm2_name.clone()}</span>
                ") is stopped and removed with its logs. The repository is not touched."
            </p>
        </ConfirmDialog>
    }
}
