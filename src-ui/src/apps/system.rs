//! System: what the machine is doing (sampled every second, only while this
//! page is open) and every PM2 process with its actions.

use crate::components::confirm::ConfirmDialog;
use crate::components::toast::{use_toasts, ErrorText};
use crate::format::{bytes, duration};
use crate::ipc;
use ai_desktop_api::system;
use ai_desktop_api::system::{Pm2Action, Pm2ProcessInfo, SystemSnapshot};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, VecDeque};

/// Samples kept for the charts (one a second).
const HISTORY: usize = 60;

/// A small line chart of `values` scaled to `max` (or their own maximum).
fn sparkline(values: &[f64], max: Option<f64>, class: &'static str) -> impl IntoView {
    let (w, h) = (240.0, 48.0);
    let top = max
        .unwrap_or_else(|| values.iter().cloned().fold(0.0, f64::max))
        .max(1e-9);
    let step = w / (HISTORY - 1) as f64;
    let offset = (HISTORY - values.len().min(HISTORY)) as f64 * step;
    let points: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1} ",
                offset + i as f64 * step,
                h - (v / top).clamp(0.0, 1.0) * (h - 2.0) - 1.0
            )
        })
        .collect();
    view! {
        <svg class=format!("spark {class}") viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" aria-hidden="true">
            <polyline points=points fill="none" stroke-width="1.5" vector-effect="non-scaling-stroke"/>
        </svg>
    }
}

fn bar(used: f64, total: f64) -> impl IntoView {
    let pct = if total > 0.0 {
        used / total * 100.0
    } else {
        0.0
    };
    let class = if pct > 90.0 { "meter hot" } else { "meter" };
    view! { <div class=class><div class="meter-fill" style=format!("width: {pct:.1}%")></div></div> }
}

#[component]
pub fn SystemPage() -> impl IntoView {
    let toasts = use_toasts();
    let latest = RwSignal::new(None::<SystemSnapshot>);
    let cpu_history = RwSignal::new(VecDeque::<f64>::new());
    let net_history = RwSignal::new(HashMap::<String, VecDeque<f64>>::new());
    spawn_local(async move {
        let r = ipc::call_streaming(&system::Watch { active: true }, move |s: SystemSnapshot| {
            cpu_history.update(|h| {
                h.push_back(s.cpu_total as f64);
                while h.len() > HISTORY {
                    h.pop_front();
                }
            });
            net_history.update(|all| {
                for n in &s.networks {
                    let h = all.entry(n.interface.clone()).or_default();
                    h.push_back(n.rx_per_sec + n.tx_per_sec);
                    while h.len() > HISTORY {
                        h.pop_front();
                    }
                }
            });
            latest.set(Some(s));
        })
        .await;
        if let Err(e) = r {
            toasts.error("Could not watch the system", &e);
        }
    });
    // Leaving the page stops the sampling: a closed page costs nothing.
    on_cleanup(move || {
        spawn_local(async move {
            let _ = ipc::call_streaming(&system::Watch { active: false }, |_| {}).await;
        });
    });

    view! {
        <section class="page wide" data-testid="page-system">
            <header class="page-header">
                <div>
                    <h1>"System"</h1>
                    <p class="muted" data-testid="system-host">
                        {move || latest.get().map(|s| format!("{} · up {} · load {:.2} {:.2} {:.2}",
                            s.hostname.clone().unwrap_or_else(|| "this machine".into()), duration(s.uptime_secs),
                            s.load[0], s.load[1], s.load[2])).unwrap_or_else(|| "Sampling…".into())}
                    </p>
                </div>
            </header>
            {move || match latest.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Reading the machine…"</div> }.into_any(),
                Some(s) => view! {
                    <div class="stat-grid">
                        <div class="panel stat" data-testid="system-cpu">
                            <div class="panel-title">"CPU"<span class="stat-value" data-testid="system-cpu-total">{format!("{:.0}%", s.cpu_total)}</span></div>
                            {move || sparkline(&cpu_history.get().into_iter().collect::<Vec<_>>(), Some(100.0), "cpu")}
                            <div class="cores">
                                {s.cpus.iter().enumerate().map(|(i, c)| view! {
                                    <div class="core" title=format!("core {i}: {c:.0}%")>
                                        <div class="core-fill" style=format!("height: {:.0}%", c.clamp(0.0, 100.0))></div>
                                    </div>
                                }).collect_view()}
                            </div>
                            <div class="muted small-text">{format!("{} logical cores", s.cpus.len())}</div>
                        </div>
                        <div class="panel stat" data-testid="system-memory">
                            <div class="panel-title">"Memory"<span class="stat-value">{format!("{} / {}", bytes(s.memory_used as f64), bytes(s.memory_total as f64))}</span></div>
                            {bar(s.memory_used as f64, s.memory_total as f64)}
                            <div class="muted small-text">{format!("{} available", bytes(s.memory_available as f64))}</div>
                            <div class="panel-title small">"Swap"<span class="stat-value">{if s.swap_total == 0 { "none".to_string() } else { format!("{} / {}", bytes(s.swap_used as f64), bytes(s.swap_total as f64)) }}</span></div>
                            {bar(s.swap_used as f64, s.swap_total as f64)}
                        </div>
                        <div class="panel stat" data-testid="system-disks">
                            <div class="panel-title">"Disks"</div>
                            {s.disks.iter().map(|d| {
                                let used = d.total.saturating_sub(d.available);
                                view! {
                                    <div class="disk">
                                        <div class="row-between"><span class="mono">{d.mount_point.clone()}</span>
                                            <span class="muted small-text">{format!("{} of {} · {}", bytes(used as f64), bytes(d.total as f64), d.file_system)}</span></div>
                                        {bar(used as f64, d.total as f64)}
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                        <div class="panel stat" data-testid="system-network">
                            <div class="panel-title">"Network"</div>
                            {s.networks.iter().filter(|n| n.rx_total + n.tx_total > 0).map(|n| {
                                let name = n.interface.clone();
                                view! {
                                    <div class="net">
                                        <div class="row-between"><span class="mono">{n.interface.clone()}</span>
                                            <span class="muted small-text">{format!("↓ {}/s · ↑ {}/s", bytes(n.rx_per_sec), bytes(n.tx_per_sec))}</span></div>
                                        {move || sparkline(&net_history.with(|h| h.get(&name).map(|v| v.iter().copied().collect::<Vec<f64>>()).unwrap_or_default()), None, "net")}
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                    <div class="panel table-wrap" data-testid="system-top">
                        <div class="panel-title">"Top processes"</div>
                        <table class="table top-table">
                            <thead><tr><th>"PID"</th><th>"Name"</th><th class="num">"CPU"</th><th class="num">"Memory"</th></tr></thead>
                            <tbody>
                                {s.top.iter().map(|p| view! {
                                    <tr><td class="mono">{p.pid}</td><td>{p.name.clone()}</td>
                                        <td class="num mono">{format!("{:.1}%", p.cpu)}</td>
                                        <td class="num mono">{bytes(p.memory as f64)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Pm2Processes/>
        </section>
    }
}

#[component]
fn Pm2Processes() -> impl IntoView {
    let toasts = use_toasts();
    let list = RwSignal::new(None::<Result<Vec<Pm2ProcessInfo>, ApiError>>);
    let busy = RwSignal::new(None::<u32>);
    let confirm = RwSignal::new(None::<Pm2ProcessInfo>);
    let alive = RwSignal::new(true);
    let load = move || {
        spawn_local(async move {
            let r = ipc::call(&system::Pm2Processes {}).await;
            if alive.try_get_untracked() == Some(true) {
                list.set(Some(r));
            }
        });
    };
    load();
    // PM2's figures every 10 s while the page is open (and right after an
    // action): each `pm2 jlist` is a node process costing ~0.18 s of CPU.
    let handle = set_interval_with_handle(load, std::time::Duration::from_secs(10)).ok();
    on_cleanup(move || {
        alive.set(false);
        if let Some(h) = handle {
            h.clear();
        }
    });
    let act = move |pm_id: u32, action: Pm2Action| {
        busy.set(Some(pm_id));
        spawn_local(async move {
            let r = ipc::call(&system::Pm2Act { pm_id, action }).await;
            busy.set(None);
            match r {
                Ok(l) => list.set(Some(Ok(l))),
                Err(e) => toasts.error("PM2", &e),
            }
        });
    };
    view! {
        <div class="panel table-wrap" data-testid="system-pm2">
            <div class="panel-title">"PM2 processes"<span class="muted small-text">"every process of this PM2, not only deployments"</span></div>
            {move || match list.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Asking PM2…"</div> }.into_any(),
                Some(Err(e)) => view! { <ErrorText error=e test_id="pm2-unavailable"/> }.into_any(),
                Some(Ok(l)) if l.is_empty() => view! { <p class="muted" data-testid="pm2-empty">"PM2 runs no processes."</p> }.into_any(),
                Some(Ok(l)) => view! {
                    <table class="table pm2-table" data-testid="pm2-table">
                        <thead><tr><th>"id"</th><th>"Name"</th><th>"Status"</th><th class="num">"CPU"</th><th class="num">"Memory"</th><th class="num">"Restarts"</th><th></th></tr></thead>
                        <tbody>
                            {l.into_iter().map(|p| {
                                let id = p.pm_id;
                                let online = p.status == "online";
                                let ours = p.deployment_id.is_some();
                                let copy = p.clone();
                                let class = match p.status.as_str() { "online" => "running", "errored" => "failed", "launching" => "starting", _ => "stopped" };
                                view! {
                                    <tr data-testid=format!("pm2-row-{}", p.name)>
                                        <td class="mono">{id}</td>
                                        <td><span class="repo-name">{p.name.clone()}</span>
                                            {ours.then(|| view! { <span class="chip">"deployment"</span> })}
                                            <div class="muted small-text truncate mono">{p.script.clone().unwrap_or_default()}</div></td>
                                        <td><span class=format!("status {class}")>{p.status.clone()}</span></td>
                                        <td class="num mono">{if online { format!("{:.1}%", p.cpu) } else { "—".into() }}</td>
                                        <td class="num mono">{if online { bytes(p.memory as f64) } else { "—".into() }}</td>
                                        <td class="num mono">{p.restarts}</td>
                                        <td class="actions">
                                            {move || if busy.get() == Some(id) { view! { <span class="spinner"></span> }.into_any() } else { ().into_any() }}
                                            {if online {
                                                view! {
                                                    <button class="button small" data-testid=format!("pm2-restart-{id}") on:click=move |_| act(id, Pm2Action::Restart)>"Restart"</button>
                                                    <button class="button small" on:click=move |_| act(id, Pm2Action::Reload)>"Reload"</button>
                                                    <button class="button small" data-testid=format!("pm2-stop-{id}") on:click=move |_| act(id, Pm2Action::Stop)>"Stop"</button>
                                                }.into_any()
                                            } else {
                                                view! { <button class="button small primary" data-testid=format!("pm2-start-{id}") on:click=move |_| act(id, Pm2Action::Start)>"Start"</button> }.into_any()
                                            }}
                                            <button class="button small danger" disabled=ours data-testid=format!("pm2-delete-{id}")
                                                title=if ours { "A deployment: delete it on the Deployments page" } else { "Remove it from PM2" }
                                                on:click=move |_| confirm.set(Some(copy.clone()))>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || confirm.get().map(|p| {
                let id = p.pm_id;
                let close = Callback::new(move |_| confirm.set(None));
                let name = p.name.clone();
                let run = move || {
                    let name = name.clone();
                    async move {
                        let l = ipc::call(&system::Pm2Act { pm_id: id, action: Pm2Action::Delete }).await?;
                        list.set(Some(Ok(l)));
                        Ok(format!("{name} deleted from PM2"))
                    }
                };
                view! {
                    <ConfirmDialog title=format!("Delete {} from PM2?", p.name) action="Delete" run on_close=close
                        test_id="pm2-delete-dialog" confirm_id="pm2-confirm-delete">
                        <p>"PM2 stops it and forgets it. Its files stay where they are."</p>
                    </ConfirmDialog>
                }
            })}
        </div>
    }
}
