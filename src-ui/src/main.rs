//! AI Desktop's UI: a Leptos CSR app. The desktop app (src-tauri) hosts it in a webview and
//! talks to it only through `ipc`.

mod apps;
mod components;
mod format;
mod ipc;

use apps::repositories::{RepoList, RepositoriesPage};
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

/// With the `split` feature, every page but Repositories (the one the window
/// opens on) is its own piece of wasm, fetched and compiled the first time it
/// is shown (`.ci/build-ui` splits the module at these functions): the
/// window's start compiles only the frame and its first page.
mod pages {
    use crate::apps;
    use leptos::prelude::*;

    #[cfg_attr(feature = "split", lazy)]
    pub fn vscode() -> AnyView {
        view! { <apps::vscode::VsCodePage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn mcp() -> AnyView {
        view! { <apps::mcp::McpPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn deployments() -> AnyView {
        view! { <apps::deployments::DeploymentsPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn services() -> AnyView {
        view! { <apps::services::ServicesPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn flow() -> AnyView {
        view! { <apps::flow::FlowPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn system() -> AnyView {
        view! { <apps::system::SystemPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn terminals() -> AnyView {
        view! { <apps::terminals::TerminalsPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn git() -> AnyView {
        view! { <apps::git::GitPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn files() -> AnyView {
        view! { <apps::files::FilesPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn hosts() -> AnyView {
        view! { <apps::hosts::HostsPage/> }.into_any()
    }

    #[cfg_attr(feature = "split", lazy)]
    pub fn settings() -> AnyView {
        view! { <apps::settings::SettingsPage/> }.into_any()
    }
}

/// A page from [`pages`]: nothing until its piece of wasm is in (fetched from
/// the app's own files at the page's first visit; at once after), then the
/// page.
#[cfg(feature = "split")]
fn lazy_page(load: impl std::future::Future<Output = AnyView> + 'static) -> AnyView {
    Suspend::new(send_wrapper::SendWrapper::new(load)).into_any()
}

#[cfg(not(feature = "split"))]
fn lazy_page(page: AnyView) -> AnyView {
    page
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
    // The page on screen changes only when another page is asked for: going
    // to the page already shown (a fork, a link to a record) must not build
    // it again — the page follows `Nav::show`'s focus itself, and a page
    // built again would throw away its state while its tasks still run.
    let shown = Memo::new(move |_| page.get());
    let palette = RwSignal::new(false);
    // "Open Doctor" on an error that says a tool is missing.
    toasts.set_doctor(Callback::new(move |_| apps::settings::open_doctor(nav)));
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
                {move || match shown.get() {
                    Page::Repositories => view! { <RepositoriesPage/> }.into_any(),
                    Page::VsCode => lazy_page(pages::vscode()),
                    Page::McpHub => lazy_page(pages::mcp()),
                    Page::Deployments => lazy_page(pages::deployments()),
                    Page::Services => lazy_page(pages::services()),
                    Page::FlowBuilder => lazy_page(pages::flow()),
                    Page::System => lazy_page(pages::system()),
                    Page::Terminals => lazy_page(pages::terminals()),
                    Page::Git => lazy_page(pages::git()),
                    Page::Files => lazy_page(pages::files()),
                    Page::Hosts => lazy_page(pages::hosts()),
                    Page::Settings => lazy_page(pages::settings()),
                }}
            </main>
            <components::palette::CommandPalette open=palette/>
            <apps::mcp::elicitation::ElicitationHost/>
            <apps::mcp::gateway::ApprovalHost/>
            <apps::stack::StackHost/>
        </div>
    }
}
