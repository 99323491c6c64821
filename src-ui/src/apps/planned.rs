//! Pages of modules that are not built yet: each says what it will do, so the
//! sidebar already shows the whole product.

use super::Page;
use crate::components::icons::Svg;
use leptos::prelude::*;

fn plan(page: Page) -> (&'static str, &'static [&'static str]) {
    match page {
        Page::Git => (
            "Git for every repository, without leaving the app.",
            &[
                "Status, stage, commit, branches, stash, tags, remotes",
                "Fetch, pull and push with your SSH keys",
                "Git identity and SSH key management",
            ],
        ),
        Page::Repositories
        | Page::VsCode
        | Page::Deployments
        | Page::Services
        | Page::McpHub
        | Page::FlowBuilder
        | Page::System
        | Page::Terminals
        | Page::Settings => ("", &[]),
    }
}

#[component]
pub fn PlannedPage(page: Page) -> impl IntoView {
    let (summary, features) = plan(page);
    view! {
        <section class="page" data-testid=format!("page-{}", page.slug())>
            <header class="page-header">
                <div>
                    <h1>{page.label()}</h1>
                    <p class="muted">{summary}</p>
                </div>
            </header>
            <div class="empty-state">
                <div class="empty-icon"><Svg icon=page.icon()/></div>
                <h2>"Coming soon"</h2>
                <p class="muted">"This module is planned. It will offer:"</p>
                <ul class="plan-list">
                    {features.iter().map(|f| view! { <li>{*f}</li> }).collect_view()}
                </ul>
            </div>
        </section>
    }
}
