//! The Resources tab: the server's resources, read one, watch one (its
//! changes re-read it); its resource templates.

use super::*;

#[component]
pub(super) fn ResourcesTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let resources = resource(move || mcp::Resources { id });
    // Reading one: an Action (its value is what the last read answered).
    let open = Action::new_local(move |uri: &String| {
        let read = mcp::ReadResource {
            id,
            uri: uri.clone(),
        };
        async move { ipc::call(&read).await }
    });
    // Reading one of a template, its variables filled in.
    let open_template = Action::new_local(
        move |(uri_template, values): &(String, std::collections::BTreeMap<String, String>)| {
            let read = mcp::ReadTemplate {
                id,
                uri_template: uri_template.clone(),
                values: values.clone(),
            };
            async move { ipc::call(&read).await }
        },
    );
    // The newest read is shown: reading a plain resource forgets a template's.
    Effect::new(move |_| {
        if open.version().get() > 0 {
            open_template.value().set(None);
        }
    });
    // Watched resources, and when each last changed.
    let toasts = use_toasts();
    let watched = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let changed = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let watch = move |uri: String, on: bool| {
        spawn_local(async move {
            match ipc::call(&mcp::Subscribe {
                id,
                uri: uri.clone(),
                subscribe: on,
            })
            .await
            {
                Ok(()) => {
                    let _ = watched.try_update(|w| {
                        if on {
                            w.insert(uri);
                        } else {
                            w.remove(&uri);
                        }
                    });
                }
                Err(e) => toasts.error("Not watched", &e),
            }
        });
    };
    ipc::listen_while_mounted(
        events::MCP_RESOURCE_UPDATED,
        move |u: ai_desktop_api::mcp::McpResourceUpdated| {
            if u.server_id != id || !watched.with_untracked(|w| w.contains(&u.uri)) {
                return;
            }
            let at = js_sys::Date::new_0();
            let time = format!(
                "{:02}:{:02}:{:02}",
                at.get_hours(),
                at.get_minutes(),
                at.get_seconds()
            );
            changed.update(|c| {
                c.insert(u.uri.clone(), time);
            });
            // The one on screen is read again.
            let shown = open.value().with_untracked(|v| {
                v.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|c| c.uri.clone())
            });
            if shown.as_deref() == Some(u.uri.as_str()) {
                open.dispatch(u.uri);
            }
        },
    );
    // Leaving the tab stops the watching.
    on_cleanup(move || {
        for uri in watched.try_get_untracked().unwrap_or_default() {
            spawn_local(async move {
                let _ = ipc::call(&mcp::Subscribe {
                    id,
                    uri,
                    subscribe: false,
                })
                .await;
            });
        }
    });
    view! {
        {loaded(resources, "Asking for resources…", move |list| {
            if list.is_empty() {
                return view! { <p class="muted">"This server offers no resources."</p> }.into_any();
            }
            view! {
                <ul class="plain-list" data-testid="resource-list">
                    {list.into_iter().map(|r| {
                        let uri = r.uri.clone();
                        let (u1, u2, u3) = (r.uri.clone(), r.uri.clone(), r.uri.clone());
                        view! {
                            <li>
                                <button class="link" on:click=move |_| { open.dispatch(uri.clone()); }>{r.name.clone()}</button>
                                <label class="check small-text watch-toggle" title="Watch: the server tells when it changes, and the shown copy is read again">
                                    <input type="checkbox" data-testid=format!("resource-watch-{}", r.name)
                                        prop:checked=move || watched.with(|w| w.contains(&u1))
                                        on:change=move |ev| watch(u2.clone(), event_target_checked(&ev))/>
                                    "Watch"
                                </label>
                                {move || changed.with(|c| c.get(&u3).cloned()).map(|t| view! {
                                    <span class="chip" data-testid="resource-changed">{format!("changed {t}")}</span>
                                })}
                                <span class="mono small-text muted">" "{r.uri.clone()}</span>
                                {r.mime_type.clone().map(|m| view! { <span class="chip">{m}</span> })}
                                {r.description.clone().map(|d| view! { <div class="muted small-text">{d}</div> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
        <Templates id open_template/>
        {move || (open.pending().get() || open_template.pending().get()).then(|| view! { <div class="loading"><span class="spinner"></span>"Reading…"</div> })}
        {move || open_template.value().get().or_else(|| open.value().get()).map(|o| match o {
            Ok(c) => view! {
                <div class="call-result" data-testid="resource-contents">
                    <div class="mono small-text">{c.uri.clone()}</div>
                    {c.contents.into_iter().map(content_view).collect_view()}
                </div>
            }.into_any(),
            Err(error) => view! { <ErrorText error/> }.into_any(),
        })}
    }
    .into_any()
}

type TemplateRead = Action<
    (String, std::collections::BTreeMap<String, String>),
    Result<ai_desktop_api::mcp::ResourceContents, ApiError>,
>;

/// The server's resource templates, each with a field per variable.
#[component]
fn Templates(id: i64, open_template: TemplateRead) -> impl IntoView {
    let templates = resource(move || mcp::ResourceTemplates { id });
    view! {
        {loaded(templates, "Asking for resource templates…", move |list| {
            if list.is_empty() {
                return ().into_any();
            }
            view! {
                <h3 class="panel-title small">"Templates"</h3>
                <ul class="plain-list" data-testid="template-list">
                    {list.into_iter().map(|t| {
                        let values = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
                        let template = t.uri_template.clone();
                        let slug: String = t.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
                        view! {
                            <li>
                                <form class="template-row" data-testid=format!("template-{slug}")
                                    on:submit=move |ev| { ev.prevent_default(); open_template.dispatch((template.clone(), values.get_untracked())); }>
                                    <div>
                                        <strong>{t.title.clone().unwrap_or(t.name.clone())}</strong>
                                        <span class="mono small-text muted">" "{t.uri_template.clone()}</span>
                                        {t.description.clone().map(|d| view! { <div class="muted small-text">{d}</div> })}
                                    </div>
                                    <div class="input-row">
                                        {t.parameters.iter().map(|p| {
                                            let key = p.clone();
                                            view! {
                                                <input class="input small-input mono" required placeholder=p.clone()
                                                    data-testid=format!("template-arg-{p}")
                                                    on:input=move |ev| { let v = event_target_value(&ev); values.update(|m| { m.insert(key.clone(), v); }); }/>
                                            }
                                        }).collect_view()}
                                        <button type="submit" class="button small" data-testid="template-read">"Read"</button>
                                    </div>
                                </form>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
    }
}
