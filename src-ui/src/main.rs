//! AI Desktop's UI: a Leptos CSR app. The desktop app (src-tauri) hosts it in a webview and
//! talks to it only through `ipc`.

mod apps;
mod components;
mod format;
mod ipc;

use apps::deployments::DeploymentsPage;
use apps::files::FilesPage;
use apps::flow::FlowPage;
use apps::git::GitPage;
use apps::hosts::HostsPage;
use apps::mcp::McpPage;
use apps::repositories::{RepoList, RepositoriesPage};
use apps::services::ServicesPage;
use apps::settings::SettingsPage;
use apps::system::SystemPage;
use apps::terminals::TerminalsPage;
use apps::vscode::VsCodePage;
use apps::Page;
use components::icons::Svg;
use components::toast::ToastHost;
use leptos::prelude::*;

fn main() {
    let ready_ms = ipc::page_clock();
    // First, so that a panic while mounting reaches the log file too.
    ipc::forward_console_to_log();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    ipc::report_first_paint(ready_ms, ipc::page_clock());
}

#[component]
fn App() -> impl IntoView {
    view! {
        <ToastHost>
            <AppFrame/>
        </ToastHost>
    }
}

#[component]
fn AppFrame() -> impl IntoView {
    provide_context(RepoList::start(
        ai_desktop_api::repos::List {},
        ai_desktop_api::events::REPOSITORY_UPDATED,
        ai_desktop_api::events::REPOSITORY_DELETED,
    ));
    let toasts = components::toast::use_toasts();
    ipc::listen(
        ai_desktop_api::events::DEEP_LINK_REFUSED,
        move |r: ai_desktop_api::events::DeepLinkRefused| {
            toasts.error(
                "Link refused",
                &ai_desktop_api::ApiError::new(ai_desktop_api::ErrorCode::InvalidInput, r.message),
            )
        },
    );
    let nav = apps::Nav::new();
    provide_context(nav);
    // A session started outside the window (a notification's Ask the agent).
    ipc::listen(
        ai_desktop_api::events::SHOW_SESSION,
        move |s: ai_desktop_api::events::ShowSession| nav.show(Page::FlowBuilder, s.session_id),
    );
    apps::stack::provide();
    let page = nav.page;
    let palette = RwSignal::new(false);
    // "Open Doctor" on an error that says a tool is missing.
    toasts.set_doctor(Callback::new(move |_| {
        page.set(Page::Settings);
        // Once the page is on screen, bring the Doctor into view.
        set_timeout(
            || {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("doctor"))
                {
                    el.scroll_into_view();
                }
            },
            std::time::Duration::from_millis(50),
        );
    }));
    view! {
        <div class="app">
            <nav class="sidebar" aria-label="Modules">
                <div class="brand">
                    <img src="icon.png" alt="" width="28" height="28"/>
                    <span>"AI Desktop"</span>
                </div>
                <ul>
                    {Page::ALL
                        .into_iter()
                        .map(|p| view! {
                            <li>
                                <button
                                    class="nav-item"
                                    class:active=move || page.get() == p
                                    data-testid=format!("nav-{}", p.slug())
                                    aria-current=move || (page.get() == p).then_some("page")
                                    on:click=move |_| page.set(p)
                                >
                                    <Svg icon=p.icon()/>
                                    <span>{p.label()}</span>
                                </button>
                            </li>
                        })
                        .collect_view()}
                </ul>
                <button class="nav-item palette-open" data-testid="palette-open" title="Find a page, record or action"
                    on:click=move |_| palette.set(true)>
                    <span>"Search…"</span>
                    <kbd>"Ctrl+K"</kbd>
                </button>
            </nav>
            <main class="content">
                {move || match page.get() {
                    Page::Repositories => view! { <RepositoriesPage/> }.into_any(),
                    Page::VsCode => view! { <VsCodePage/> }.into_any(),
                    Page::McpHub => view! { <McpPage/> }.into_any(),
                    Page::Deployments => view! { <DeploymentsPage/> }.into_any(),
                    Page::Services => view! { <ServicesPage/> }.into_any(),
                    Page::FlowBuilder => view! { <FlowPage/> }.into_any(),
                    Page::System => view! { <SystemPage/> }.into_any(),
                    Page::Terminals => view! { <TerminalsPage/> }.into_any(),
                    Page::Git => view! { <GitPage/> }.into_any(),
                    Page::Files => view! { <FilesPage/> }.into_any(),
                    Page::Hosts => view! { <HostsPage/> }.into_any(),
                    Page::Settings => view! { <SettingsPage/> }.into_any(),
                }}
            </main>
            <components::palette::CommandPalette open=palette/>
            <apps::mcp::elicitation::ElicitationHost/>
            <apps::mcp::gateway::ApprovalHost/>
            <apps::stack::StackHost/>
        </div>
    }
}
