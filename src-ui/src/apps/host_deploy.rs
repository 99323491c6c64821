//! A host's deployments: its repositories' apps run under the host's own
//! PM2, shown as that PM2 reports them (status, CPU, memory, restarts),
//! with their port forwarded here on demand, their health check's last
//! answer, their output there, and a form to deploy one more. Kept live by `host-deployments:updated` and,
//! while shown, by a read every 5 s through the forwarded RPC socket.

use crate::components::confirm::ConfirmDialog;
use crate::components::health::{health_chip, HealthFields, HealthForm};
use crate::components::status::StatusPill;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::deployments::DeploymentStatus;
use ai_desktop_api::hosts::{
    self, HostDeployment, HostDeploymentAction, HostDeploymentInput, HostDeployments,
    HostRepository,
};
use ai_desktop_api::ErrorCode;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// `KEY=value` lines into a map; a line without `=` is refused.
fn parse_env(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| format!("\"{line}\" is not KEY=value."))?;
        out.insert(k.trim().to_string(), v.to_string());
    }
    Ok(out)
}

#[component]
pub fn HostDeploymentsPanel(host_id: i64) -> impl IntoView {
    let toasts = use_toasts();
    let state = RwSignal::new(None::<HostDeployments>);
    let repos = RwSignal::new(Vec::<HostRepository>::new());
    let busy = RwSignal::new(None::<i64>);
    let logs = RwSignal::new(None::<(i64, String)>);
    // Output followed: read again every 2 s while it is shown and ticked.
    let follow = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match ipc::call(&hosts::Deployments { host_id }).await {
                Ok(s) => {
                    let _ = state.try_set(Some(s));
                }
                Err(e) => toasts.error("Could not read the host's deployments", &e),
            }
        });
    };
    ipc::listen_while_mounted_then(
        ai_desktop_api::events::HOST_DEPLOYMENTS_UPDATED,
        move |s: HostDeployments| {
            if s.host_id == host_id {
                state.set(Some(s));
            }
        },
        load,
    );
    spawn_local(async move {
        if let Ok(list) = ipc::call(&hosts::Repositories { host_id }).await {
            let _ = repos.try_set(list);
        }
    });
    // Figures while shown (one RPC over the forward, no process there).
    let alive = StoredValue::new(());
    spawn_local(async move {
        loop {
            ipc::sleep(5000).await;
            if alive.try_get_value().is_none() {
                return;
            }
            let has_any = state
                .try_with_untracked(|s| s.as_ref().is_some_and(|s| !s.deployments.is_empty()))
                .unwrap_or(false);
            if has_any {
                if let Ok(s) = ipc::call(&hosts::Deployments { host_id }).await {
                    let _ = state.try_set(Some(s));
                }
            }
        }
    });
    let act = move |d: HostDeployment, action: HostDeploymentAction| {
        busy.set(Some(d.id));
        spawn_local(async move {
            let r = ipc::call(&hosts::DeploymentAct { id: d.id, action }).await;
            let _ = busy.try_set(None);
            let done = match action {
                HostDeploymentAction::Start => "started",
                HostDeploymentAction::Stop => "stopped",
                HostDeploymentAction::Restart => "restarted",
            };
            match r {
                Ok(_) => toasts.success(format!("{} {done} on the host", d.name)),
                Err(e) => toasts.error(&d.name, &e),
            }
        });
    };
    let forward = move |d: HostDeployment| {
        busy.set(Some(d.id));
        spawn_local(async move {
            let r = ipc::call(&hosts::DeploymentForward { id: d.id }).await;
            let _ = busy.try_set(None);
            match r {
                Ok(f) => toasts.success(format!(
                    "{} answers here on http://127.0.0.1:{}/",
                    d.name,
                    f.forwarded_port.unwrap_or_default()
                )),
                Err(e) => toasts.error(&format!("{} was not forwarded", d.name), &e),
            }
        });
    };
    // Deleting asks first: it removes the app from PM2 there with its folder.
    let deleting = RwSignal::new(None::<HostDeployment>);
    let delete = move |d: HostDeployment| deleting.set(Some(d));
    let show_logs = move |d: HostDeployment| {
        spawn_local(async move {
            match ipc::call(&hosts::DeploymentLogs { id: d.id }).await {
                Ok(text) => {
                    let _ = logs.try_set(Some((d.id, text)));
                }
                Err(e) => toasts.error("Could not read its output there", &e),
            }
        });
    };
    spawn_local(async move {
        loop {
            ipc::sleep(2000).await;
            if alive.try_get_value().is_none() {
                return;
            }
            let shown = logs
                .try_with_untracked(|l| l.as_ref().map(|(id, _)| *id))
                .flatten();
            let (Some(id), Some(true)) = (shown, follow.try_get_untracked()) else {
                continue;
            };
            if let Ok(text) = ipc::call(&hosts::DeploymentLogs { id }).await {
                // Only if the same output is still shown.
                if logs
                    .try_with_untracked(|l| l.as_ref().map(|(i, _)| *i))
                    .flatten()
                    == Some(id)
                {
                    let _ = logs.try_set(Some((id, text)));
                }
            }
        }
    });
    view! {
        <div class="panel host-deployments" data-testid=format!("host-deployments-{host_id}")>
            <div class="panel-title">"Deployments there (the host's PM2)"</div>
            {move || match state.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Asking PM2 there…"</div> }.into_any(),
                Some(s) => {
                    let unreachable = s.unreachable.is_some();
                    view! {
                    {s.unreachable.clone().map(|why| view! { <div class="banner warn" data-testid="host-deployments-unreachable">{why}</div> })}
                    {if s.deployments.is_empty() {
                        view! { <p class="muted small-text" data-testid="host-deployments-empty">"Nothing deployed on this host yet."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap"><table class="table">
                                <thead><tr><th>"App"</th><th>"Status"</th><th class="num">"Port"</th><th class="num">"CPU"</th><th class="num">"Memory"</th><th class="num">"Restarts"</th><th></th></tr></thead>
                                <tbody>
                                    {s.deployments.into_iter().map(|d| {
                                        let online = d.status == DeploymentStatus::Online;
                                        let (a, b, c, e, f) = (d.clone(), d.clone(), d.clone(), d.clone(), d.clone());
                                        let id = d.id;
                                        view! {
                                            <tr data-testid=format!("host-deployment-{}", d.name)>
                                                <td><div class="repo-name">{d.name.clone()}</div><div class="muted small-text mono">{format!("{} · {}", d.repository_name, d.start_command)}</div></td>
                                                <td data-testid=format!("host-deployment-status-{}", d.name)>
                                                    {if unreachable {
                                                        view! { <span title="The host cannot be reached: this is what its PM2 said last"><StatusPill state=DeploymentStatus::Launching text=format!("Unreachable · last {}", crate::components::status::Status::label(d.status))/></span> }.into_any()
                                                    } else {
                                                        view! { <StatusPill state=d.status/> }.into_any()
                                                    }}
                                                    " "{health_chip(d.health_check.as_ref(), d.health.as_ref(), format!("host-deployment-health-{}", d.name))}
                                                </td>
                                                <td class="num mono" data-testid=format!("host-deployment-port-{}", d.name)>
                                                    {d.port}
                                                    {match d.forwarded_port {
                                                        Some(here) => view! { <div class="muted small-text nowrap">{format!("here :{here}")}</div> }.into_any(),
                                                        None => view! {
                                                            <div><button class="button small" data-testid=format!("host-deployment-forward-{}", d.name) disabled=!online
                                                                title="Reach it from this computer: its port forwarded over ssh"
                                                                on:click=move |_| forward(a.clone())>"Forward here"</button></div>
                                                        }.into_any(),
                                                    }}
                                                </td>
                                                <td class="num mono">{format!("{:.1}%", d.cpu)}</td>
                                                <td class="num mono nowrap">{format!("{:.1} MB", d.memory as f64 / 1_048_576.0)}</td>
                                                <td class="num mono">{d.restarts}</td>
                                                <td class="actions">
                                                    {move || (busy.get() == Some(id)).then(|| view! { <span class="spinner"></span> })}
                                                    {if online {
                                                        view! {
                                                            <button class="button small" data-testid=format!("host-deployment-restart-{}", d.name) on:click=move |_| act(b.clone(), HostDeploymentAction::Restart)>"Restart"</button>
                                                            <button class="button small" data-testid=format!("host-deployment-stop-{}", d.name) on:click=move |_| act(c.clone(), HostDeploymentAction::Stop)>"Stop"</button>
                                                        }.into_any()
                                                    } else {
                                                        view! { <button class="button small primary" data-testid=format!("host-deployment-start-{}", d.name) on:click=move |_| act(b.clone(), HostDeploymentAction::Start)>"Start"</button> }.into_any()
                                                    }}
                                                    <button class="button small" data-testid=format!("host-deployment-logs-{}", d.name) on:click=move |_| show_logs(e.clone())>"Output"</button>
                                                    <button class="button small danger" data-testid=format!("host-deployment-delete-{}", d.name) on:click=move |_| delete(f.clone())>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any()
                    }}
                    }.into_any()
                }
            }}
            {move || logs.get().map(|(id, text)| view! {
                <div class="host-deployment-logs">
                    <div class="row-between">
                        <span class="muted small-text">{format!("Output there (deployment {id}), last lines")}</span>
                        <span class="inline-field">
                            <label class="check" title="Read its output there again every 2 s">
                                <input type="checkbox" data-testid="host-deployment-output-follow" prop:checked=move || follow.get() on:change=move |ev| follow.set(event_target_checked(&ev))/>
                                "Follow"
                            </label>
                            <button class="button small" on:click=move |_| { logs.set(None); follow.set(false); }>"Close"</button>
                        </span>
                    </div>
                    <pre class="mono small-text" data-testid="host-deployment-output">{if text.trim().is_empty() { "No output yet.".to_string() } else { text }}</pre>
                </div>
            })}
            <DeployForm host_id repos/>
            {move || deleting.get().map(|d| view! {
                <DeleteHostApp deployment=d on_close=Callback::new(move |_| deleting.set(None))/>
            })}
        </div>
    }
}

#[component]
fn DeleteHostApp(deployment: HostDeployment, on_close: Callback<()>) -> impl IntoView {
    let id = deployment.id;
    let name = deployment.name.clone();
    let run = move || {
        let name = name.clone();
        async move {
            ipc::call(&hosts::DeploymentDelete { id }).await?;
            Ok(format!("{name} deleted from the host's PM2"))
        }
    };
    view! {
        <ConfirmDialog title="Delete the app on the host?".to_string() action="Delete" run on_close
            test_id="host-deployment-delete-dialog" confirm_id="host-deployment-confirm-delete">
            <p>
                "Delete " <strong>{deployment.name.clone()}</strong> " on the host? Its PM2 process there ("
                <span class="mono">{deployment.pm2_name.clone()}</span>
                ") is stopped and removed with its output and settings there, and its forward here ends. The repository there is not touched."
            </p>
        </ConfirmDialog>
    }
}

#[component]
fn DeployForm(host_id: i64, repos: RwSignal<Vec<HostRepository>>) -> impl IntoView {
    let toasts = use_toasts();
    let repo = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let command = RwSignal::new("npm start".to_string());
    let port = RwSignal::new("3000".to_string());
    let env = RwSignal::new(String::new());
    let health = HealthForm::new(None);
    let error = RwSignal::new(None::<String>);
    let deploying = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let repository_id = match repo
            .get_untracked()
            .parse::<i64>()
            .ok()
            .or_else(|| repos.with_untracked(|r| r.first().map(|r| r.id)))
        {
            Some(id) => id,
            None => {
                error.set(Some("Add a repository on this host first.".into()));
                return;
            }
        };
        let Ok(port_value) = port.get_untracked().trim().parse::<u16>() else {
            error.set(Some(format!(
                "\"{}\" is not a port number (1–65535).",
                port.get_untracked().trim()
            )));
            return;
        };
        let env_map = match parse_env(&env.get_untracked()) {
            Ok(m) => m,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let health_check = match health.read() {
            Ok(c) => c,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let input = HostDeploymentInput {
            repository_id,
            name: name.get_untracked().trim().to_string(),
            start_command: command.get_untracked(),
            port: port_value,
            env: env_map,
            health_check,
        };
        deploying.set(true);
        spawn_local(async move {
            let r = ipc::call(&hosts::Deploy { input }).await;
            let _ = deploying.try_set(false);
            match r {
                Ok(d) => {
                    toasts.success(format!("{} runs on the host's PM2", d.name));
                    name.set(String::new());
                    env.set(String::new());
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.message.clone()));
                    if e.code != ErrorCode::InvalidInput {
                        toasts.error("Not deployed", &e);
                    }
                }
            }
        });
    };
    view! {
        <details class="host-deploy-form" data-testid="host-deploy-open" on:toggle=move |_| {
            // Repositories added since the page opened are offered too.
            spawn_local(async move {
                if let Ok(list) = ipc::call(&hosts::Repositories { host_id }).await {
                    let _ = repos.try_set(list);
                }
            });
        }>
            <summary class="button small">"Deploy an app here…"</summary>
            <form class="form host-deploy" on:submit=submit>
                <div class="field-row">
                    <label class="field"><span>"Repository"</span>
                        <select class="input" data-testid="host-deploy-repo" prop:value=move || repo.get() on:change=move |ev| repo.set(event_target_value(&ev))>
                            {move || repos.get().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field"><span>"Name"</span><input class="input" data-testid="host-deploy-name" placeholder="web" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
                </div>
                <div class="field-row">
                    <label class="field"><span>"Start command"</span><input class="input mono" data-testid="host-deploy-command" prop:value=command on:input=move |ev| command.set(event_target_value(&ev))/></label>
                    <label class="field narrow"><span>"Port there"</span><input class="input mono" data-testid="host-deploy-port" prop:value=port on:input=move |ev| port.set(event_target_value(&ev))/></label>
                </div>
                <label class="field"><span>"Environment (KEY=value per line; sent to the host, where it runs)"</span>
                    <textarea class="input mono" rows="2" data-testid="host-deploy-env" prop:value=env on:input=move |ev| env.set(event_target_value(&ev))></textarea>
                </label>
                <HealthFields form=health prefix="host-deploy"/>
                <small class="hint">"Asked through a forward of its port here, while PM2 there says it is online."</small>
                {move || error.get().map(|e| view! { <p class="form-error" data-testid="host-deploy-error">{e}</p> })}
                <div><button type="submit" class="button primary small" data-testid="host-deploy-submit" disabled=move || deploying.get()>
                    {move || if deploying.get() { "Deploying…" } else { "Deploy" }}
                </button></div>
            </form>
        </details>
    }
}
