//! Settings: the Doctor (what each module needs and whether this machine
//! has it), where the app keeps its data and logs, and which PM2 it drives.

use crate::components::load::{loaded, resource};
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::app;
use ai_desktop_api::deployments;
use ai_desktop_api::deployments::Pm2Status;
use ai_desktop_api::system::{AppInfo, ToolCheck};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let toasts = use_toasts();
    let info = RwSignal::new(None::<AppInfo>);
    spawn_local(async move {
        match ipc::call(&app::Info {}).await {
            Ok(i) => info.set(Some(i)),
            Err(e) => toasts.error("Could not read the app's settings", &e),
        }
    });
    view! {
        <section class="page" data-testid="page-settings">
            <header class="page-header">
                <div>
                    <h1>"Settings"</h1>
                    <p class="muted">"What this machine has for each module, and about this installation."</p>
                </div>
            </header>
            <Doctor/>
            <QuitChoice/>
            <Show when=move || info.with(Option::is_some) fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || info.get().map(|i| view! {
                    <dl class="facts">
                        <dt>"Version"</dt><dd>{i.version}</dd>
                        <dt>"Data folder"</dt><dd class="mono" data-testid="data-dir">{i.data_dir}</dd>
                        <dt>"Database"</dt><dd class="mono">{i.database}</dd>
                        <dt>"Schema version"</dt><dd>{i.schema_version}</dd>
                    </dl>
                })}
            </Show>
            <Pm2Settings/>
        </section>
    }
}

/// The pm2 binary and PM2_HOME the Deployments module uses.
#[component]
fn Pm2Settings() -> impl IntoView {
    let toasts = use_toasts();
    let status = RwSignal::new(None::<Pm2Status>);
    let binary = RwSignal::new(String::new());
    let home = RwSignal::new(String::new());
    spawn_local(async move {
        if let Ok(s) = ipc::call(&deployments::Status {}).await {
            status.set(Some(s));
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = deployments::Configure {
            binary: Some(binary.get_untracked()).filter(|b| !b.trim().is_empty()),
            home: Some(home.get_untracked()).filter(|h| !h.trim().is_empty()),
        };
        spawn_local(async move {
            match ipc::call(&args).await {
                Ok(s) => {
                    toasts.success(if s.installed {
                        "PM2 settings saved"
                    } else {
                        "Saved, but PM2 is still not found"
                    });
                    status.set(Some(s));
                }
                Err(e) => toasts.error("PM2 settings were not saved", &e),
            }
        });
    };
    view! {
        <h2 class="section-title">"PM2 (Deployments)"</h2>
        <form class="form panel" on:submit=save data-testid="pm2-settings">
            <p class="muted">
                {move || match status.get() {
                    Some(s) if s.installed => format!("Using PM2 {} at {} with PM2_HOME {}.", s.version.unwrap_or_default(), s.binary.unwrap_or_default(), s.pm2_home),
                    Some(s) => format!("PM2 not found. Install it with: {}", s.install_hint),
                    None => "Checking for PM2…".to_string(),
                }}
            </p>
            <div class="field-row">
                <label class="field">
                    <span>"pm2 program"</span>
                    <input class="input mono" placeholder="Found on PATH" prop:value=binary on:input=move |ev| binary.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"PM2_HOME"</span>
                    <input class="input mono" placeholder="~/.pm2 (yours)" prop:value=home on:input=move |ev| home.set(event_target_value(&ev))/>
                </label>
            </div>
            <div><button type="submit" class="button">"Save"</button></div>
        </form>
    }
}

/// Finds git, node, npx, pm2, code-server, docker (and its daemon), ssh, with
/// versions; says what each is for and how to install what is missing.
#[component]
pub fn Doctor() -> impl IntoView {
    let toasts = use_toasts();
    let report = resource(|| app::Doctor {});
    // Checking again keeps the table until the new report is in.
    let check = Action::new_local(move |_: &()| async move {
        report.set(Some(ipc::call(&app::Doctor {}).await));
    });
    let checking = check.pending();
    let open_logs = move |_| {
        spawn_local(async move {
            if let Err(e) = ipc::call(&app::OpenLogs {}).await {
                toasts.error("Could not open the logs folder", &e);
            }
        });
    };
    view! {
        <div class="panel" id="doctor" data-testid="doctor">
            <div class="panel-title">"Doctor"
                <span class="row-actions">
                    <button class="button small" data-testid="doctor-open-logs" on:click=open_logs>"Open logs folder"</button>
                    <button class="button small" data-testid="doctor-check" disabled=move || checking.get() on:click=move |_| { check.dispatch(()); }>
                        {move || if checking.get() { "Checking…" } else { "Check again" }}</button>
                </span>
            </div>
            {loaded(report, "Looking for git, node, pm2, code-server, docker…", move |r| {
                    let missing = r.tools.iter().filter(|t| !t.found).count();
                    view! {
                        <p class=if missing == 0 { "muted" } else { "banner warn" } data-testid="doctor-summary">
                            {if missing == 0 { "Everything the modules need is here.".to_string() } else { format!("{missing} missing: the modules that need them say so; the commands below install them.") }}
                        </p>
                        <ToolsTable tools=r.tools prefix="doctor" test_id="doctor-table"/>
                        <p class="muted small-text">"Logs: "<span class="mono" data-testid="doctor-log-dir">{r.log_dir.unwrap_or_else(|| "standard error only".into())}</span></p>
                    }.into_any()
            })}
        </div>
    }
}

/// Programs as a Doctor found them (here or on a host): version, what needs
/// them, and how to install what is missing. Rows are `<prefix>-<name>`.
#[component]
pub fn ToolsTable(
    tools: Vec<ToolCheck>,
    prefix: &'static str,
    test_id: &'static str,
) -> impl IntoView {
    view! {
        <table class="table doctor-table" data-testid=test_id>
            <thead><tr><th>"Program"</th><th>"Version"</th><th>"Needed by"</th><th>"Status"</th></tr></thead>
            <tbody>
                {tools.into_iter().map(|t| {
                    let row_id = format!("{prefix}-{}", t.name.replace(' ', "-"));
                    view! {
                        <tr data-testid=row_id>
                            <td class="mono">{t.name.clone()}<div class="muted small-text">{t.path.clone()}</div></td>
                            <td class="mono">{t.version.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="small-text">{t.needed_by.join(", ")}</td>
                            <td>{if t.found {
                                view! { <span class="chip git-added">"found"</span> }.into_any()
                            } else {
                                view! {
                                    <span class="chip git-deleted">"missing"</span>
                                    <div class="small-text muted">{t.detail.clone()}</div>
                                    <div class="small-text">"Install: "<code class="mono">{t.install.clone()}</code></div>
                                }.into_any()
                            }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "Open the Doctor": for a module's "not available" state.
#[component]
pub fn DoctorLink() -> impl IntoView {
    let nav = use_context::<super::Nav>();
    view! {
        <button class="link" data-testid="doctor-link" on:click=move |_| {
            if let Some(nav) = nav { open_doctor(nav); }
        }>"Open the Doctor"</button>
    }
}

/// Shows the Settings page with its Doctor in view. The page may first have
/// to arrive (its piece of wasm is fetched when it is first shown): the
/// Doctor is looked for every 50 ms, for up to 3 s.
pub fn open_doctor(nav: super::Nav) {
    nav.go(super::Page::Settings);
    spawn_local(async {
        for _ in 0..60 {
            ipc::sleep(50).await;
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("doctor"))
            {
                el.scroll_into_view();
                return;
            }
        }
    });
}

/// What Quit does with the processes the app manages (asked at the first quit).
#[component]
fn QuitChoice() -> impl IntoView {
    let toasts = use_toasts();
    let choice = RwSignal::new(String::new());
    spawn_local(async move {
        if let Ok(c) = ipc::call(&app::QuitChoice {}).await {
            choice.set(c.unwrap_or_default());
        }
    });
    let change = move |value: String| {
        spawn_local(async move {
            let arg = app::SetQuitChoice {
                choice: Some(value.clone()).filter(|v| !v.is_empty()),
            };
            match ipc::call(&arg).await {
                Ok(c) => {
                    choice.set(c.unwrap_or_default());
                    toasts.success("Saved");
                }
                Err(e) => toasts.error("Not saved", &e),
            }
        });
    };
    let autostart = RwSignal::new(None::<bool>);
    spawn_local(async move {
        if let Ok(on) = ipc::call(&app::Autostart {}).await {
            autostart.set(Some(on));
        }
    });
    let set_autostart = move |enabled: bool| {
        spawn_local(async move {
            match ipc::call(&app::SetAutostart { enabled }).await {
                Ok(on) => {
                    autostart.set(Some(on));
                    toasts.success(if on {
                        "AI Desktop starts when you log in"
                    } else {
                        "AI Desktop no longer starts at login"
                    });
                }
                Err(e) => toasts.error("Not changed", &e),
            }
        });
    };
    view! {
        <div class="panel" data-testid="quit-choice">
            <div class="panel-title">"Starting and quitting"</div>
            <label class="check" data-testid="autostart">
                <input type="checkbox" data-testid="autostart-toggle" disabled=move || autostart.get().is_none()
                    prop:checked=move || autostart.get().unwrap_or(false)
                    on:change=move |ev| set_autostart(event_target_checked(&ev))/>
                "Start AI Desktop when I log in (to the tray)"
            </label>
            <label class="field"><span>"Code-servers, deployments, services and MCP servers the app manages"</span>
                <select class="input" data-testid="quit-choice-select" prop:value=move || choice.get()
                    on:change=move |ev| change(event_target_value(&ev))>
                    <option value="">"Ask the next time"</option>
                    <option value="stop">"Stop them"</option>
                    <option value="leave">"Leave them running"</option>
                </select></label>
        </div>
    }
}
