//! Settings: where the app keeps its data, and which PM2 it drives.

use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::commands;
use ai_desktop_api::deployments::Pm2Status;
use ai_desktop_api::system::AppInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let toasts = use_toasts();
    let info = RwSignal::new(None::<AppInfo>);
    spawn_local(async move {
        match ipc::invoke0::<AppInfo>(commands::APP_INFO).await {
            Ok(i) => info.set(Some(i)),
            Err(e) => toasts.error("Could not read the app's settings", &e),
        }
    });
    view! {
        <section class="page" data-testid="page-settings">
            <header class="page-header">
                <div>
                    <h1>"Settings"</h1>
                    <p class="muted">"About this installation."</p>
                </div>
            </header>
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
        if let Ok(s) = ipc::invoke0::<Pm2Status>(commands::DEPLOYMENTS_STATUS).await {
            status.set(Some(s));
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[derive(Serialize)]
        struct Args {
            binary: Option<String>,
            home: Option<String>,
        }
        let args = Args {
            binary: Some(binary.get_untracked()).filter(|b| !b.trim().is_empty()),
            home: Some(home.get_untracked()).filter(|h| !h.trim().is_empty()),
        };
        spawn_local(async move {
            match ipc::invoke::<_, Pm2Status>(commands::DEPLOYMENTS_CONFIGURE, &args).await {
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
