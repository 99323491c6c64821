//! A service instance's data: clone it into a new instance, back it up to a
//! file, restore a file (into something new unless asked otherwise).

use crate::components::dialog::Dialog;
use crate::components::toast::{invalid, use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::services::{self, InstalledService, RestoreMode, ServiceKind};
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Which data dialog is open.
#[derive(Clone, PartialEq)]
pub enum DataAction {
    Clone(InstalledService),
    Backup(InstalledService),
    Restore(InstalledService),
    Database(InstalledService),
}

/// Whether the app backs up and restores this kind.
pub fn restorable(kind: ServiceKind) -> bool {
    matches!(
        kind,
        ServiceKind::Postgresql
            | ServiceKind::Mysql
            | ServiceKind::Mariadb
            | ServiceKind::Redis
            | ServiceKind::Valkey
    )
}

/// Whether its backups are of one database, chosen by name.
fn has_databases(kind: ServiceKind) -> bool {
    kind == ServiceKind::Postgresql || kind.is_mysql_like()
}

fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.0} kB", (bytes as f64 / 1000.0).ceil())
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// A path field with a *Choose…* button for the native picker.
#[component]
fn PathField(
    label: &'static str,
    path: RwSignal<String>,
    save: bool,
    default_name: String,
    test_id: &'static str,
) -> impl IntoView {
    let toasts = use_toasts();
    let choose = move |_| {
        let default_name = default_name.clone();
        spawn_local(async move {
            let picked = if save {
                ipc::pick_save_path(label, &default_name).await
            } else {
                ipc::pick_file(label).await
            };
            match picked {
                Ok(Some(p)) => path.set(p),
                Ok(None) => {}
                Err(e) => toasts.error("Could not open the file picker", &e),
            }
        });
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <div class="input-row">
                <input class="input mono" data-testid=test_id placeholder="/home/you/backups/…" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/>
                <button type="button" class="button" on:click=choose>"Choose…"</button>
            </div>
        </label>
    }
}

#[component]
pub fn DataDialog(
    action: DataAction,
    /// Whose engine (None: this computer's).
    host: Option<i64>,
    on_close: Callback<()>,
) -> impl IntoView {
    if let DataAction::Database(s) = action {
        return view! { <DatabaseDialog service=s on_close=on_close/> }.into_any();
    }
    let toasts = use_toasts();
    let (service, title) = match &action {
        DataAction::Clone(s) => (s.clone(), format!("Clone {}", s.title)),
        DataAction::Backup(s) => (s.clone(), format!("Back up {}", s.title)),
        DataAction::Restore(s) | DataAction::Database(s) => {
            (s.clone(), format!("Restore into {}", s.title))
        }
    };
    let id = StoredValue::new(service.id.clone());
    let kind = service.kind;
    let name = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let database = RwSignal::new("app".to_string());
    let databases = RwSignal::new(Vec::<String>::new());
    let mode = RwSignal::new(RestoreMode::Fresh);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let progress = RwSignal::new(None::<services::DataProgress>);
    if has_databases(kind) && !matches!(action, DataAction::Clone(_)) {
        spawn_local(async move {
            let args = services::Databases {
                id: id.get_value(),
                host,
            };
            if let Ok(list) = ipc::call(&args).await {
                databases.set(list);
            }
        });
    }
    let which = match &action {
        DataAction::Clone(_) => 0,
        DataAction::Backup(_) => 1,
        DataAction::Restore(_) | DataAction::Database(_) => 2,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let p = path.get_untracked().trim().to_string();
        if which != 0 && p.is_empty() {
            error.set(Some(invalid("Choose a file.")));
            return;
        }
        let n = Some(name.get_untracked().trim().to_string()).filter(|n| !n.is_empty());
        let db = has_databases(kind).then(|| database.get_untracked());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let id = id.get_value();
            let done = match which {
                0 => ipc::call(&services::Clone { id, name: n, host })
                    .await
                    .map(|s| format!("{} is a copy, running on port {}", s.title, s.port)),
                1 => ipc::call_streaming(
                    &services::Backup {
                        id,
                        path: p,
                        database: db,
                        host,
                    },
                    move |f| {
                        let _ = progress.try_set(Some(f));
                    },
                )
                .await
                .map(|r| {
                    format!(
                        "Backed up {} ({}) in {:.1} s",
                        r.what,
                        size(r.bytes),
                        r.millis as f64 / 1000.0
                    )
                }),
                _ => ipc::call_streaming(
                    &services::Restore {
                        id,
                        path: p,
                        mode: mode.get_untracked(),
                        database: db,
                        name: n,
                        host,
                    },
                    move |f| {
                        let _ = progress.try_set(Some(f));
                    },
                )
                .await
                .map(|r| r.message),
            };
            busy.set(false);
            match done {
                Ok(message) => {
                    toasts.success(message);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let default_name = format!(
        "{}.{}",
        service.id,
        if kind.is_redis_like() {
            "rdb"
        } else if kind.is_mysql_like() {
            "sql"
        } else {
            "dump"
        }
    );
    view! {
        <Dialog title=title on_close=on_close test_id="service-data-dialog">
            <form class="form" on:submit=submit novalidate>
                {match which {
                    0 => view! {
                        <p class="muted">"A new instance with a copy of this one's data (and its password), on a port of its own; the experiment can go its own way. This one stops for the copy and starts again."</p>
                        <label class="field">
                            <span>"Name of the copy (optional)"</span>
                            <input class="input mono" data-testid="clone-name" placeholder=format!("{}-copy", service.id) prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        </label>
                    }.into_any(),
                    1 => view! {
                        <p class="muted">{match kind {
                            k if k.is_redis_like() => "Its snapshot (RDB), taken now.",
                            ServiceKind::Mysql => "A mysqldump of one database (SQL, taken in one transaction).",
                            ServiceKind::Mariadb => "A mariadb-dump of one database (SQL, taken in one transaction).",
                            _ => "A pg_dump of one database (custom format, for pg_restore).",
                        }}</p>
                        <PathField label="Backup file" path=path save=true default_name=default_name.clone() test_id="backup-path"/>
                    }.into_any(),
                    _ => view! {
                        <PathField label="Backup file" path=path save=false default_name=default_name.clone() test_id="restore-path"/>
                        {(kind == ServiceKind::Postgresql).then(|| view! {
                            <div class="field">
                                <span>"Where"</span>
                                <label class="check"><input type="radio" name="mode" prop:checked=move || mode.get() == RestoreMode::Fresh on:change=move |_| mode.set(RestoreMode::Fresh)/>"Into a new database (the original is not touched)"</label>
                                <label class="check"><input type="radio" name="mode" data-testid="restore-replace" prop:checked=move || mode.get() == RestoreMode::Replace on:change=move |_| mode.set(RestoreMode::Replace)/>"In place of the database (it is kept, renamed)"</label>
                            </div>
                        })}
                        {(kind.is_redis_like()).then(|| view! {
                            <p class="muted">"The snapshot starts a new instance; this one is not touched."</p>
                        })}
                        {(kind.is_mysql_like()).then(|| view! {
                            <p class="muted">"The dump goes into a new database; the one it was taken from is not touched."</p>
                        })}
                        {move || (mode.get() == RestoreMode::Fresh).then(|| view! {
                            <label class="field">
                                <span>{if kind.is_redis_like() { "Name of the new instance (optional)" } else { "Name of the new database (optional)" }}</span>
                                <input class="input mono" data-testid="restore-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                            </label>
                        })}
                    }.into_any(),
                }}
                {(has_databases(kind) && which != 0).then(|| view! {
                    <label class="field">
                        <span>{match (which, kind) {
                            (1, _) => "Database",
                            (_, ServiceKind::Postgresql) => "Database it was taken from (and replaces)",
                            _ => "Database it was taken from",
                        }}</span>
                        <input class="input mono" list="service-dbs" data-testid="backup-database" prop:value=move || database.get() on:input=move |ev| database.set(event_target_value(&ev))/>
                        <datalist id="service-dbs">
                            {move || databases.get().into_iter().map(|d| view! { <option value=d.clone()/> }).collect_view()}
                        </datalist>
                    </label>
                })}
                {move || busy.get().then(|| progress.get()).flatten().map(|p| view! {
                    <div class="data-progress" data-testid="service-data-progress">
                        {match p.total.filter(|t| *t > 0) {
                            Some(total) => view! {
                                <progress max=total.to_string() value=p.bytes.to_string()></progress>
                                <span class="small-text muted">{format!("{} of {}", size(p.bytes), size(total))}</span>
                            }.into_any(),
                            None => view! { <span class="small-text muted">{format!("{} written", size(p.bytes))}</span> }.into_any(),
                        }}
                    </div>
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="service-data-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="service-data-submit" disabled=move || busy.get()>
                        {move || match (busy.get(), which) {
                            (true, 0) => "Copying…",
                            (true, 1) => "Backing up…",
                            (true, _) => "Restoring…",
                            (false, 0) => "Clone",
                            (false, 1) => "Back up",
                            (false, _) => "Restore",
                        }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
    .into_any()
}

/// A database and a user of its own for one repository.
#[component]
fn DatabaseDialog(service: InstalledService, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let repos = expect_context::<crate::apps::repositories::RepoList>();
    let repository = RwSignal::new(repos.rows().first().map(|r| r.id));
    let use_it = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let made = RwSignal::new(None::<services::RepoDatabase>);
    let id = StoredValue::new(service.id.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repository_id) = repository.get_untracked() else {
            error.set(Some(invalid("Add a repository first (Repositories page).")));
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let args = services::CreateDatabase {
                id: id.get_value(),
                repository_id,
                use_it: use_it.get_untracked(),
            };
            let r = ipc::call(&args).await;
            busy.set(false);
            match r {
                Ok(d) => made.set(Some(d)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title=format!("A database for a repository in {}", service.title) on_close=on_close test_id="repo-db-dialog">
            <form class="form" on:submit=submit novalidate>
                <p class="muted">"A database named after the repository, and a user of its own that can reach that database and nothing else (it cannot make databases or users)."</p>
                <label class="field">
                    <span>"Repository"</span>
                    <select class="input" data-testid="repo-db-repo"
                        prop:value=move || repository.get().map(|r| r.to_string()).unwrap_or_default()
                        on:change=move |ev| repository.set(event_target_value(&ev).parse().ok())>
                        {move || repos.rows().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="repo-db-use" prop:checked=move || use_it.get() on:change=move |ev| use_it.set(event_target_checked(&ev))/>
                    "Give its deployments the connection string as DATABASE_URL (at their next start)"
                </label>
                {move || made.get().map(|d| {
                    let url = d.connection_string.clone();
                    view! {
                        <div class="banner" data-testid="repo-db-made">
                            <strong>{format!("Database {} with user {}", d.database, d.user)}</strong>
                            <div class="input-row">
                                <span class="mono small-text truncate">{url.clone()}</span>
                                <button type="button" class="button small" on:click=move |_| crate::components::clipboard::copy(url.clone(), "Connection string", toasts)>"Copy"</button>
                            </div>
                            {(!d.deployments_updated.is_empty()).then(|| view! {
                                <p class="small-text">{format!("DATABASE_URL set on: {}", d.deployments_updated.join(", "))}</p>
                            })}
                        </div>
                    }
                })}
                {move || error.get().map(|e| view! { <ErrorText error=e test_id="repo-db-error"/> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                    <button type="submit" class="button primary" data-testid="repo-db-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Making…" } else { "Make the database" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}
