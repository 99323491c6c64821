//! Settings: for now, where the app keeps its data.

use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::commands;
use ai_desktop_api::system::AppInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
        </section>
    }
}
