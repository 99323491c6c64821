//! Services: PostgreSQL, MySQL, MariaDB, MongoDB, Redis, Valkey, RabbitMQ and
//! Memcached in Docker (or imported from a compose file), any number of
//! instances each (versions side by side). Catalog cards with install (pull
//! progress streamed), the installed instances kept live by
//! `service:updated` (status, port, connection string to copy, actions,
//! logs), and other containers listed read-only. Without Docker, a banner
//! says what to do and the page recovers by itself when Docker answers.
//! With hosts added, a picker points the whole page at a host's engine
//! (its socket forwarded over ssh): the same catalog and actions there, its
//! ports forwarded here on demand.

use crate::apps::service_data::{restorable, DataAction, DataDialog};
use crate::apps::Lifecycle;
use crate::components::confirm::ConfirmDialog;
use crate::components::log_view::{LogFollower, LogPanel};
use crate::components::status::StatusPill;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::hosts::{self, Host};
use ai_desktop_api::services;
use ai_desktop_api::services::{
    CatalogEntry, InstallRequest, InstalledService, ServiceKind, ServiceState, ServicesOverview,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let toasts = use_toasts();
    let overview = RwSignal::new(None::<ServicesOverview>);
    let catalog = RwSignal::new(Vec::<CatalogEntry>::new());
    let selected = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let uninstalling = RwSignal::new(None::<InstalledService>);
    let data_action = RwSignal::new(None::<DataAction>);
    let composing = RwSignal::new(false);
    // Whose engine the page shows: None this computer's, else a host's.
    let target = RwSignal::new(None::<i64>);
    let host_list = RwSignal::new(Vec::<Host>::new());
    let load = move || {
        let host = target.get_untracked();
        spawn_local(async move {
            match ipc::call(&services::Overview { host }).await {
                // An answer for an engine no longer shown is dropped.
                Ok(o) if Some(o.host) == target.try_get_untracked() => {
                    if selected.try_get_untracked() == Some(None) {
                        selected.set(o.installed.first().map(|s| s.id.clone()));
                    }
                    overview.set(Some(o));
                }
                Ok(_) => {}
                Err(e) => toasts.error("Could not ask Docker", &e),
            }
        });
    };
    load();
    spawn_local(async move {
        if let Ok(list) = ipc::call(&hosts::List {}).await {
            host_list.set(list);
        }
    });
    let choose_target = move |value: String| {
        let host = value.parse::<i64>().ok();
        if host == target.get_untracked() {
            return;
        }
        target.set(host);
        selected.set(None);
        overview.set(None);
        load();
    };
    let place = move || {
        target.get().and_then(|id| {
            host_list.with(|l| l.iter().find(|h| h.id == id).map(|h| h.name.clone()))
        })
    };
    spawn_local(async move {
        if let Ok(c) = ipc::call(&services::Catalog {}).await {
            catalog.set(c);
        }
    });
    ipc::listen_while_mounted(events::SERVICE_UPDATED, move |o: ServicesOverview| {
        if o.host != target.get_untracked() {
            return;
        }
        let selected_gone = selected
            .get_untracked()
            .is_none_or(|k| !o.installed.iter().any(|s| s.id == k));
        if selected_gone {
            selected.set(o.installed.first().map(|s| s.id.clone()));
        }
        overview.set(Some(o));
    });
    let act = move |id: String, title: String, op: Lifecycle, done: &'static str| {
        busy.set(Some(id.clone()));
        let host = target.get_untracked();
        spawn_local(async move {
            let result = match op {
                Lifecycle::Start => ipc::call(&services::Start { id, host }).await,
                Lifecycle::Stop => ipc::call(&services::Stop { id, host }).await,
                Lifecycle::Restart => ipc::call(&services::Restart { id, host }).await,
            };
            busy.set(None);
            match result {
                Ok(_) => toasts.success(format!("{title} {done}")),
                Err(e) => toasts.error(&title, &e),
            }
        });
    };
    // A terminal tab with its client (or a shell inside it), shown on the Terminals page.
    let nav = super::use_nav();
    let open_terminal = move |id: String, shell: bool| {
        spawn_local(async move {
            let args = services::Terminal {
                id,
                shell,
                cols: 100,
                rows: 30,
            };
            match ipc::call(&args).await {
                Ok(t) => nav.show(super::Page::Terminals, i64::from(t.id)),
                Err(e) => toasts.error("Could not open a terminal", &e),
            }
        });
    };
    // A host's service reached from here: its port forwarded.
    let forward = move |id: String, title: String| {
        let Some(host) = target.get_untracked() else {
            return;
        };
        busy.set(Some(id.clone()));
        spawn_local(async move {
            let result = ipc::call(&services::Forward { host, id }).await;
            busy.set(None);
            match result {
                Ok(s) => toasts.success(format!(
                    "{title} answers here on 127.0.0.1:{}",
                    s.forwarded_port.unwrap_or_default()
                )),
                Err(e) => toasts.error(&format!("{title} was not forwarded"), &e),
            }
        });
    };
    let installed =
        move || overview.with(|o| o.as_ref().map(|o| o.installed.clone()).unwrap_or_default());

    // A memo, so that the log pane is rebuilt only when another service is
    // chosen, not on every status change.
    let shown_logs = Memo::new(move |_| {
        let id = selected.get()?;
        installed()
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| (s.id, s.title))
    });

    view! {
        <section class="page wide" data-testid="page-services">
            <header class="page-header">
                <div>
                    <h1>"Services"</h1>
                    <p class="muted" data-testid="services-subtitle">{move || match place() {
                        None => "Databases and caches in Docker, on 127.0.0.1 only, with generated passwords and their data in named volumes.".to_string(),
                        Some(name) => format!("Databases and caches in Docker on {name}, on its 127.0.0.1 only, reached from here through the app's ssh forwards."),
                    }}</p>
                </div>
                <div class="header-actions">
                    {move || (!host_list.get().is_empty()).then(|| view! {
                        <label class="engine-picker">
                            <span class="muted small-text">"Engine"</span>
                            <select class="input" data-testid="services-target" title="Whose Docker the page shows"
                                prop:value=move || target.get().map(|t| t.to_string()).unwrap_or_default()
                                on:change=move |ev| choose_target(event_target_value(&ev))>
                                <option value="">"This computer"</option>
                                {host_list.get().into_iter().map(|h| view! {
                                    <option value=h.id.to_string() title=h.destination.clone()>{h.name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    })}
                    {move || target.get().is_none().then(|| view! {
                        <button class="button" data-testid="compose-open" title="Import the databases of a repository's docker-compose.yml" on:click=move |_| composing.set(true)>"Import compose file…"</button>
                    })}
                    <button class="button" on:click=move |_| load()>"Refresh"</button>
                </div>
            </header>
            {move || composing.get().then(|| view! {
                <super::compose::ComposeDialog on_close=Callback::new(move |_| composing.set(false)) on_done=Callback::new(move |_| load())/>
            })}
            {move || match overview.get() {
                None => view! { <div class="loading"><span class="spinner"></span>{move || match place() {
                    None => "Asking Docker…".to_string(),
                    Some(name) => format!("Reaching Docker on {name}…"),
                }}</div> }.into_any(),
                Some(o) if !o.docker_available => view! {
                    <div class="banner warn" data-testid="docker-banner">
                        <strong>{move || match place() {
                            None => "Docker is not available.".to_string(),
                            Some(name) => format!("Docker on {name} cannot be reached."),
                        }}</strong>
                        <p>{o.message.unwrap_or_default()}</p>
                        <button class="button" on:click=move |_| load()>"Try again"</button>
                        " " <super::settings::DoctorLink/>
                    </div>
                }.into_any(),
                Some(o) => view! {
                    {o.message.map(|m| view! { <div class="banner error">{m}</div> })}
                    <div class="catalog" data-testid="catalog">
                        {move || catalog.get().into_iter().map(|entry| {
                            let kind = entry.kind;
                            view! { <CatalogCard entry=entry host=target.get_untracked() installed=Signal::derive(move || installed().iter().filter(|s| s.kind == kind).count())/> }
                        }).collect_view()}
                    </div>
                    {if o.installed.is_empty() {
                        view! { <p class="muted" data-testid="services-empty">"Nothing installed yet: pick a service above."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="table services-table" data-testid="services-table">
                                    <thead><tr><th>"Service"</th><th>"Status"</th><th class="num">"Port"</th><th>"Connection string"</th><th class="wide-actions"></th></tr></thead>
                                    <tbody>
                                        {o.installed.into_iter().map(|s| {
                                            let id = StoredValue::new(s.id.clone());
                                            let title = StoredValue::new(s.title.clone());
                                            let running = s.state == ServiceState::Running;
                                            let connection = s.connection_string.clone();
                                            let for_dialog = s.clone();
                                            let act = move |op, done| act(id.get_value(), title.get_value(), op, done);
                                            let on_host = o.host.is_some();
                                            let forwarded = s.forwarded_port;
                                            view! {
                                                <tr class:selected=move || selected.get() == Some(id.get_value()) on:click=move |_| selected.set(Some(id.get_value())) data-testid=format!("service-row-{}", s.id)>
                                                    <td><div class="repo-name">{s.title.clone()}</div><div class="muted small-text mono">{format!("{} · {}", s.image, s.volume)}</div></td>
                                                    <td data-testid=format!("service-state-{}", s.id)>
                                                        <span title=(s.state == ServiceState::Missing).then_some("Its container was removed outside the app. Uninstall, then install again: kept data comes back.")>
                                                            <StatusPill state=s.state/>
                                                        </span>
                                                    </td>
                                                    <td class="num mono" data-testid=format!("service-port-{}", s.id)>
                                                        {s.port}
                                                        {on_host.then(|| match forwarded {
                                                            Some(here) => view! { <div class="muted small-text nowrap" title="Forwarded to this computer by the app">{format!("here :{here}")}</div> }.into_any(),
                                                            None => view! {
                                                                <div><button class="button small" data-testid=format!("service-forward-{}", s.id)
                                                                    title="Reach it from this computer: its port forwarded over ssh to 127.0.0.1 here"
                                                                    disabled=!running
                                                                    on:click=move |ev| { ev.stop_propagation(); forward(id.get_value(), title.get_value()); }>"Forward here"</button></div>
                                                            }.into_any(),
                                                        })}
                                                    </td>
                                                    <td>
                                                        <div class="connection-cell">
                                                            <span class="mono small-text truncate connection" title=connection.clone()>{connection.clone()}</span>
                                                            <button class="button small" on:click=move |ev| { ev.stop_propagation(); crate::components::clipboard::copy(connection.clone(), "Connection string", toasts); }>"Copy"</button>
                                                        </div>
                                                    </td>
                                                    <td class="actions" on:click=|ev| ev.stop_propagation()>
                                                        {move || (busy.get() == Some(id.get_value())).then(|| view! { <span class="spinner"></span> })}
                                                        {if running {
                                                            view! {
                                                                <button class="button small" on:click=move |_| act(Lifecycle::Restart, "restarted")>"Restart"</button>
                                                                <button class="button small" data-testid=format!("service-stop-{}", s.id) on:click=move |_| act(Lifecycle::Stop, "stopped")>"Stop"</button>
                                                            }.into_any()
                                                        } else {
                                                            view! { <button class="button small primary" data-testid=format!("service-start-{}", s.id) on:click=move |_| act(Lifecycle::Start, "started")>"Start"</button> }.into_any()
                                                        }}
                                                        {
                                                            let (c, b, r, db) = (s.clone(), s.clone(), s.clone(), s.clone());
                                                            let restorable = restorable(s.kind);
                                                            view! {
                                                                {client_name(s.kind).filter(|_| !on_host).map(|client| view! {
                                                                    <button class="button small" title="Its client, signed in, in a terminal tab" data-testid=format!("service-client-{}", s.id) on:click=move |_| open_terminal(id.get_value(), false)>{client}</button>
                                                                })}
                                                                <details class="row-menu" data-testid=format!("service-more-{}", s.id)>
                                                                    <summary class="button small" title="Shell, clone, backups, databases">"More ▾"</summary>
                                                                    <div class="row-menu-items" on:click=move |ev| {
                                                                        // A choice closes the menu.
                                                                        use wasm_bindgen::JsCast;
                                                                        if let Some(d) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.parent_element()) {
                                                                            let _ = d.remove_attribute("open");
                                                                        }
                                                                    }>
                                                                        {(!on_host).then(|| view! {
                                                                            <button class="menu-item" title="A shell inside its container" data-testid=format!("service-shell-{}", s.id) on:click=move |_| open_terminal(id.get_value(), true)>"Shell"</button>
                                                                        })}
                                                                        {s.kind.keeps_data().then(|| view! {
                                                                            <button class="menu-item" title="A new instance with a copy of its data" data-testid=format!("service-clone-{}", s.id) on:click=move |_| data_action.set(Some(DataAction::Clone(c.clone())))>"Clone…"</button>
                                                                        })}
                                                                        {restorable.then(|| view! {
                                                                            <button class="menu-item" data-testid=format!("service-backup-{}", s.id) on:click=move |_| data_action.set(Some(DataAction::Backup(b.clone())))>"Back up…"</button>
                                                                            <button class="menu-item" data-testid=format!("service-restore-{}", s.id) on:click=move |_| data_action.set(Some(DataAction::Restore(r.clone())))>"Restore…"</button>
                                                                        })}
                                                                        {(!on_host && (s.kind == ServiceKind::Postgresql || s.kind.is_mysql_like())).then(|| view! {
                                                                            <button class="menu-item" title="A database and user of its own for a repository" data-testid=format!("service-repo-db-{}", s.id) on:click=move |_| data_action.set(Some(DataAction::Database(db.clone())))>"Database for a repository…"</button>
                                                                        })}
                                                                    </div>
                                                                </details>
                                                            }
                                                        }
                                                        <button class="button small danger" data-testid=format!("service-uninstall-{}", s.id) on:click=move |_| uninstalling.set(Some(for_dialog.clone()))>"Uninstall"</button>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    {(!o.foreign.is_empty()).then(|| view! {
                        <div class="panel" data-testid="foreign">
                            <div class="panel-title">"Other containers (not managed by AI Desktop; shown, never changed)"</div>
                            <ul class="plain-list">
                                {o.foreign.into_iter().map(|c| view! {
                                    <li><strong>{c.name}</strong>" "<span class="mono small-text muted">{c.image}</span>" "<span class="chip">{c.state}</span>" "<span class="mono small-text">{c.ports.join(", ")}</span></li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                }.into_any(),
            }}
            {move || shown_logs.get().map(|(id, title)| view! { <ServiceLogs id=id title=title host=target.get_untracked()/> })}
            {move || uninstalling.get().map(|s| view! { <UninstallDialog service=s host=target.get_untracked() on_close=Callback::new(move |_| uninstalling.set(None))/> })}
            {move || data_action.get().map(|a| view! { <DataDialog action=a host=target.get_untracked() on_close=Callback::new(move |_| data_action.set(None))/> })}
        </section>
    }
}

/// The client a kind is opened in (Memcached has none).
fn client_name(kind: ServiceKind) -> Option<&'static str> {
    Some(match kind {
        ServiceKind::Postgresql => "psql",
        ServiceKind::Redis => "redis-cli",
        ServiceKind::Valkey => "valkey-cli",
        ServiceKind::Mysql => "mysql",
        ServiceKind::Mariadb => "mariadb",
        ServiceKind::Mongodb => "mongosh",
        ServiceKind::Memcached | ServiceKind::Rabbitmq => return None,
    })
}

#[component]
fn CatalogCard(entry: CatalogEntry, host: Option<i64>, installed: Signal<usize>) -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(entry.versions.first().cloned().unwrap_or_default());
    let port = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let installing = RwSignal::new(false);
    let progress = RwSignal::new(String::new());
    let kind = entry.kind;
    let install = move |_| {
        let port_value = match port.get_untracked().trim() {
            "" => None,
            t => match t.parse::<u16>() {
                Ok(p) => Some(p),
                Err(_) => {
                    toasts.error(
                        "Install",
                        &ai_desktop_api::ApiError::new(
                            ai_desktop_api::ErrorCode::InvalidInput,
                            format!("\"{t}\" is not a port number (1–65535)."),
                        ),
                    );
                    return;
                }
            },
        };
        let install = services::Install {
            request: InstallRequest {
                kind,
                version: Some(version.get_untracked()),
                port: port_value,
                name: Some(name.get_untracked().trim().to_string()).filter(|n| !n.is_empty()),
            },
            host,
        };
        installing.set(true);
        progress.set("Preparing…".into());
        spawn_local(async move {
            let result =
                ipc::call_streaming(&install, move |line: String| progress.set(line)).await;
            installing.set(false);
            progress.set(String::new());
            match result {
                Ok(s) => {
                    name.set(String::new());
                    toasts.success(format!("{} is installed and running", s.title))
                }
                Err(e) => toasts.error(&format!("{} was not installed", kind.label()), &e),
            }
        });
    };
    view! {
        <div class="card" data-testid=format!("catalog-{}", kind.as_str())>
            <div class="card-head">
                <strong>{entry.label.clone()}</strong>
                <span class="muted small-text mono">{format!("{} · port {}", entry.image, entry.default_port)}</span>
            </div>
            <div class="field-row">
                <select class="input" data-testid=format!("install-version-{}", kind.as_str()) prop:value=move || version.get() on:change=move |ev| version.set(event_target_value(&ev))>
                    {entry.versions.iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                </select>
                <input class="input mono" placeholder=format!("{} or next free", entry.default_port) prop:value=port on:input=move |ev| port.set(event_target_value(&ev))/>
            </div>
            {move || (installed.get() > 0).then(|| view! {
                <input class="input mono" data-testid=format!("install-name-{}", kind.as_str())
                    placeholder=format!("name of another instance, e.g. {}-2", kind.as_str())
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
            })}
            <div class="row-between">
                <span class="muted small-text">{move || match installed.get() { 0 => String::new(), 1 => "1 installed".into(), n => format!("{n} installed") }}</span>
                <button class="button primary small" data-testid=format!("install-{}", kind.as_str()) disabled=move || installing.get() on:click=install>
                    {move || if installing.get() { "Installing…" } else if installed.get() > 0 { "Add another" } else { "Install" }}
                </button>
            </div>
            {move || installing.get().then(|| view! { <div class="muted small-text mono truncate" data-testid="install-progress">{move || progress.get()}</div> })}
        </div>
    }
}

#[component]
fn ServiceLogs(id: String, title: String, host: Option<i64>) -> impl IntoView {
    let stats = RwSignal::new(None::<Result<services::ServiceStats, String>>);
    // Its figures every 2 s while it is shown (the loop ends with the view).
    let alive = StoredValue::new(());
    let asked = id.clone();
    spawn_local(async move {
        while alive.try_get_value().is_some() {
            let r = ipc::call(&services::Stats {
                id: asked.clone(),
                host,
            })
            .await
            .map_err(|e| e.message);
            if alive.try_get_value().is_none() {
                return;
            }
            stats.set(Some(r));
            ipc::sleep(2000).await;
        }
    });
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1_048_576.0);
    view! {
        <div class="muted small-text mono service-stats" data-testid="service-stats">
            {move || match stats.get() {
                None => "Reading its figures…".to_string(),
                Some(Err(e)) => e,
                Some(Ok(s)) => format!(
                    "CPU {:.1}% · memory {} of {} · net ↓{} ↑{} · disk read {} written {} · {} processes",
                    s.cpu_percent, mb(s.memory_bytes), mb(s.memory_limit), mb(s.net_rx), mb(s.net_tx),
                    mb(s.disk_read), mb(s.disk_write), s.pids
                ),
            }}
        </div>
        <LogPanel title=format!("Logs · {title}") logs=LogFollower::of(services::Logs { id, from: None, host })
            test_id="service-logs" empty="No output yet."/>
    }
}

#[component]
fn UninstallDialog(
    service: InstalledService,
    host: Option<i64>,
    on_close: Callback<()>,
) -> impl IntoView {
    let delete_data = RwSignal::new(false);
    let id = service.id.clone();
    let title = service.title.clone();
    let done = title.clone();
    let run = move || {
        let args = services::Uninstall {
            id: id.clone(),
            delete_data: delete_data.get_untracked(),
            host,
        };
        let done = done.clone();
        async move {
            ipc::call(&args).await?;
            Ok(format!("{done} uninstalled"))
        }
    };
    view! {
        <ConfirmDialog title=format!("Uninstall {title}?") action="Uninstall" run on_close
            test_id="uninstall-dialog" confirm_id="confirm-uninstall">
            <p>"The container " <span class="mono">{service.container.clone()}</span> " is removed. Its data stays in the volume "
               <span class="mono">{service.volume.clone()}</span> " for a later install, unless you tick:"</p>
            <label class="check">
                <input type="checkbox" data-testid="delete-data" prop:checked=move || delete_data.get() on:change=move |ev| delete_data.set(event_target_checked(&ev))/>
                "Also delete its data (cannot be undone)"
            </label>
        </ConfirmDialog>
    }
}
