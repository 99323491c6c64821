//! MCP Hub: the registered MCP servers (kept live by `mcp:updated` /
//! `mcp:deleted`), add/edit/import dialogs, and for the selected server its
//! tools (call one through a form generated from its schema, or raw JSON),
//! resources, prompts, live log and call history.

use crate::apps::Lifecycle;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::live_list::LiveList;
use crate::components::log_view::{LogFollower, LogView};
use crate::components::schema_form::{self, FieldSpec, SchemaFields};
use crate::components::secret_pairs::SecretPairs;
use crate::components::toast::use_toasts;
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::mcp;
use ai_desktop_api::mcp::{
    ImportReport, McpCall, McpContent, McpPrompt, McpResource, McpServer, McpServerInput, McpState,
    McpTool, McpTransport, ResourceContents,
};
use ai_desktop_api::secrets::SecretPart;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Tools,
    Resources,
    Prompts,
    Logs,
    History,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Tools,
        Tab::Resources,
        Tab::Prompts,
        Tab::Logs,
        Tab::History,
    ];
    fn label(self) -> &'static str {
        match self {
            Tab::Tools => "Tools",
            Tab::Resources => "Resources",
            Tab::Prompts => "Prompts",
            Tab::Logs => "Logs",
            Tab::History => "History",
        }
    }
    fn slug(self) -> &'static str {
        match self {
            Tab::Tools => "tools",
            Tab::Resources => "resources",
            Tab::Prompts => "prompts",
            Tab::Logs => "logs",
            Tab::History => "history",
        }
    }
}

#[derive(Clone, PartialEq)]
enum Modal {
    Closed,
    Add,
    Edit(McpServer),
    Import,
    Delete(McpServer),
}

#[component]
pub fn McpPage() -> impl IntoView {
    let toasts = use_toasts();
    let list = LiveList::start(mcp::List {}, events::MCP_UPDATED, events::MCP_DELETED);
    let servers = list.items;
    let selected = list.selected;
    let load = move || list.reload();
    let busy = RwSignal::new(None::<i64>);
    let modal = RwSignal::new(Modal::Closed);

    let act = move |id: i64, op: Lifecycle, done: &'static str| {
        busy.set(Some(id));
        spawn_local(async move {
            let result = match op {
                Lifecycle::Start => ipc::call(&mcp::Start { id }).await,
                Lifecycle::Stop => ipc::call(&mcp::Stop { id }).await,
                Lifecycle::Restart => ipc::call(&mcp::Restart { id }).await,
            };
            busy.set(None);
            match result {
                Ok(server) => toasts.success(format!("{} {done}", server.name)),
                Err(e) => toasts.error("MCP server", &e),
            }
        });
    };
    let duplicate = move |id: i64| {
        spawn_local(async move {
            match ipc::call(&mcp::Duplicate { id }).await {
                Ok(copy) => {
                    selected.set(Some(copy.id));
                    toasts.success(format!("Created {}", copy.name));
                }
                Err(e) => toasts.error("Could not duplicate", &e),
            }
        });
    };
    let close = Callback::new(move |_| modal.set(Modal::Closed));
    let current = list.current();
    // Kept here so that the open tab survives the server's state changes.
    let tab = RwSignal::new(Tab::Tools);

    view! {
        <section class="page wide" data-testid="page-mcp">
            <header class="page-header">
                <div>
                    <h1>"MCP Hub"</h1>
                    <p class="muted">
                        {move || match servers.get() {
                            Some(Ok(list)) => {
                                let running = list.iter().filter(|s| s.state == McpState::Running).count();
                                format!("{} server(s) · {running} running", list.len())
                            }
                            _ => "Model Context Protocol servers: their tools, resources and prompts.".to_string(),
                        }}
                    </p>
                </div>
                <div class="header-actions">
                    <button class="button" data-testid="mcp-import" on:click=move |_| modal.set(Modal::Import)>"Import…"</button>
                    <button class="button primary" data-testid="mcp-add" on:click=move |_| modal.set(Modal::Add)>
                        <Svg icon=Icon::Plus/>"Add server"
                    </button>
                </div>
            </header>
            {move || match servers.get() {
                None => view! { <div class="loading"><span class="spinner"></span>"Loading MCP servers…"</div> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="empty-state">
                        <h2>"Could not load MCP servers"</h2>
                        <p class="muted">{e.message}</p>
                        <button class="button" on:click=move |_| load()>"Try again"</button>
                    </div>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="mcp-empty">
                        <div class="empty-icon"><Svg icon=Icon::Plug/></div>
                        <h2>"No MCP servers yet"</h2>
                        <p class="muted">"Add one (for example npx with -y @modelcontextprotocol/server-everything), or import the mcpServers section of a Claude Desktop config."</p>
                        <div class="header-actions center">
                            <button class="button" on:click=move |_| modal.set(Modal::Import)>"Import…"</button>
                            <button class="button primary" on:click=move |_| modal.set(Modal::Add)>"Add server"</button>
                        </div>
                    </div>
                }.into_any(),
                Some(Ok(_)) => view! {
                    <div class="split">
                        <ServerList list=list selected=selected busy=busy act=act/>
                        {move || match current.get() {
                            None => view! { <div class="panel muted">"Select a server."</div> }.into_any(),
                            Some(server) => view! {
                                <ServerDetail server=server tab=tab busy=busy act=act
                                    on_edit=Callback::new(move |s| modal.set(Modal::Edit(s)))
                                    on_delete=Callback::new(move |s| modal.set(Modal::Delete(s)))
                                    on_duplicate=Callback::new(duplicate)/>
                            }.into_any(),
                        }}
                    </div>
                }.into_any(),
            }}
            {move || match modal.get() {
                Modal::Closed => ().into_any(),
                Modal::Add => view! { <ServerDialog existing=None on_close=close on_saved=Callback::new(move |id| selected.set(Some(id)))/> }.into_any(),
                Modal::Edit(s) => view! { <ServerDialog existing=Some(s) on_close=close on_saved=Callback::new(|_| ())/> }.into_any(),
                Modal::Import => view! { <ImportDialog on_close=close/> }.into_any(),
                Modal::Delete(s) => view! { <DeleteDialog server=s on_close=close/> }.into_any(),
            }}
        </section>
    }
}

fn state_class(state: McpState) -> &'static str {
    match state {
        McpState::Running => "running",
        McpState::Starting | McpState::Stopping => "starting",
        McpState::Failed => "failed",
        McpState::Stopped => "stopped",
    }
}

fn state_label(state: McpState) -> &'static str {
    match state {
        McpState::Running => "Running",
        McpState::Starting => "Starting…",
        McpState::Stopping => "Stopping…",
        McpState::Failed => "Failed",
        McpState::Stopped => "Stopped",
    }
}

fn summary(server: &McpServer) -> String {
    match server.transport {
        McpTransport::Stdio => {
            let mut s = server.command.clone();
            for a in &server.args {
                s.push(' ');
                s.push_str(a);
            }
            s
        }
        McpTransport::Http => server.url.clone().unwrap_or_default(),
    }
}

#[component]
fn ServerList(
    list: LiveList<McpServer>,
    selected: RwSignal<Option<i64>>,
    busy: RwSignal<Option<i64>>,
    act: impl Fn(i64, Lifecycle, &'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let items = move || list.rows();
    view! {
        <ul class="server-list" data-testid="mcp-list">
            <For each=items key=|s| (s.id, s.state, s.name.clone(), s.command.clone(), s.url.clone(), s.args.clone()) let:server>
                {
                    let id = server.id;
                    let running = matches!(server.state, McpState::Running | McpState::Starting);
                    view! {
                        <li class="server-item" class:selected=move || selected.get() == Some(id)
                            data-testid=format!("mcp-server-{id}") on:click=move |_| selected.set(Some(id))>
                            <span class=format!("dot {}", state_class(server.state)) title=state_label(server.state)></span>
                            <div class="server-text">
                                <div class="repo-name">{server.name.clone()}</div>
                                <div class="muted truncate mono small-text">{summary(&server)}</div>
                            </div>
                            <div on:click=|ev| ev.stop_propagation()>
                                {move || if busy.get() == Some(id) {
                                    view! { <span class="spinner"></span> }.into_any()
                                } else if running {
                                    view! { <button class="button small" data-testid=format!("mcp-stop-{id}") on:click=move |_| act(id, Lifecycle::Stop, "stopped")>"Stop"</button> }.into_any()
                                } else {
                                    view! { <button class="button small primary" data-testid=format!("mcp-start-{id}") on:click=move |_| act(id, Lifecycle::Start, "is running")>"Start"</button> }.into_any()
                                }}
                            </div>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

#[component]
fn ServerDetail(
    server: McpServer,
    tab: RwSignal<Tab>,
    busy: RwSignal<Option<i64>>,
    act: impl Fn(i64, Lifecycle, &'static str) + Copy + Send + Sync + 'static,
    on_edit: Callback<McpServer>,
    on_delete: Callback<McpServer>,
    on_duplicate: Callback<i64>,
) -> impl IntoView {
    let id = server.id;
    let running = server.state == McpState::Running;
    let is_busy = move || busy.get() == Some(id);
    let info = server.server_info.clone();
    let edit_copy = server.clone();
    let delete_copy = server.clone();
    view! {
        <div class="panel detail" data-testid="mcp-detail">
            <div class="detail-head">
                <div>
                    <h2 class="detail-name">{server.name.clone()}</h2>
                    <div class="muted mono small-text truncate" title=summary(&server)>{summary(&server)}</div>
                    {server.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                </div>
                <span class=format!("status {}", state_class(server.state)) data-testid="mcp-state">
                    {state_label(server.state)}
                    {server.pid.map(|p| format!(" · pid {p}"))}
                </span>
            </div>
            <div class="toolbar">
                {if running {
                    view! {
                        <button class="button small" data-testid="mcp-detail-stop" disabled=is_busy on:click=move |_| act(id, Lifecycle::Stop, "stopped")>"Stop"</button>
                        <button class="button small" disabled=is_busy on:click=move |_| act(id, Lifecycle::Restart, "restarted")>"Restart"</button>
                    }.into_any()
                } else {
                    view! {
                        <button class="button small primary" data-testid="mcp-detail-start" disabled=is_busy on:click=move |_| act(id, Lifecycle::Start, "is running")>"Start"</button>
                    }.into_any()
                }}
                <button class="button small" data-testid="mcp-edit" on:click=move |_| on_edit.run(edit_copy.clone())>"Edit"</button>
                <button class="button small" data-testid="mcp-duplicate" on:click=move |_| on_duplicate.run(id)>"Duplicate"</button>
                <button class="button small danger" data-testid="mcp-delete" on:click=move |_| on_delete.run(delete_copy.clone())>"Delete"</button>
                {move || is_busy().then(|| view! { <span class="spinner"></span> })}
            </div>
            {server.error.clone().map(|e| view! { <pre class="banner error pre" data-testid="mcp-error">{e}</pre> })}
            {info.map(|i| view! {
                <p class="muted small-text" data-testid="mcp-info">
                    {format!("{} {}", i.title.clone().unwrap_or(i.name.clone()), i.version)}
                    {format!(" · protocol {}", i.protocol_version)}
                    {server.restarts.gt(&0).then(|| format!(" · restarted {} time(s)", server.restarts))}
                </p>
            })}
            <nav class="tabs" role="tablist">
                {Tab::ALL.into_iter().map(|t| view! {
                    <button class="tab" role="tab" class:active=move || tab.get() == t
                        data-testid=format!("tab-{}", t.slug()) on:click=move |_| tab.set(t)>{t.label()}</button>
                }).collect_view()}
            </nav>
            {move || match tab.get() {
                Tab::Tools => view! { <ToolsTab id=id running=running/> }.into_any(),
                Tab::Resources => view! { <ResourcesTab id=id running=running/> }.into_any(),
                Tab::Prompts => view! { <PromptsTab id=id running=running/> }.into_any(),
                Tab::Logs => view! { <LogsTab id=id/> }.into_any(),
                Tab::History => view! { <HistoryTab id=id/> }.into_any(),
            }}
        </div>
    }
}

fn not_running() -> AnyView {
    view! { <p class="muted" data-testid="mcp-not-running">"Start the server to see what it offers."</p> }
        .into_any()
}

#[component]
fn ToolsTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let tools = RwSignal::new(None::<Result<Vec<McpTool>, ApiError>>);
    let chosen = RwSignal::new(None::<String>);
    spawn_local(async move {
        let result = ipc::call(&mcp::Tools { id }).await;
        if let Ok(list) = &result {
            if chosen.get_untracked().is_none() {
                chosen.set(list.first().map(|t| t.name.clone()));
            }
        }
        tools.set(Some(result));
    });
    view! {
        {move || match tools.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Asking for tools…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"This server offers no tools."</p> }.into_any(),
            Some(Ok(list)) => {
                let for_pick = list.clone();
                view! {
                    <div class="tools">
                        <ul class="tool-list" data-testid="tool-list">
                            {for_pick.into_iter().map(|t| {
                                let name = t.name.clone();
                                let name2 = t.name.clone();
                                view! {
                                    <li class="tool-item" class:selected=move || chosen.get().as_deref() == Some(name.as_str())
                                        data-testid=format!("tool-{}", t.name) on:click=move |_| chosen.set(Some(name2.clone()))>
                                        <div class="mono">{t.name.clone()}</div>
                                        <div class="muted small-text truncate">{t.description.clone().unwrap_or_default()}</div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {move || {
                            let name = chosen.get()?;
                            let tool = list.iter().find(|t| t.name == name)?.clone();
                            Some(view! { <ToolCaller id=id tool=tool/> })
                        }}
                    </div>
                }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn ToolCaller(id: i64, tool: McpTool) -> impl IntoView {
    let fields: Vec<FieldSpec> = schema_form::fields_of(&tool.input_schema);
    let values = RwSignal::new(schema_form::default_values(&fields));
    let raw_mode = RwSignal::new(false);
    let raw = RwSignal::new(String::new());
    let raw_error = RwSignal::new(None::<String>);
    let calling = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<McpCall, ApiError>>);
    let fields_for_build = StoredValue::new(fields.clone());
    let name = tool.name.clone();
    let schema_text = serde_json::to_string_pretty(&tool.input_schema).unwrap_or_default();

    let to_raw = move |_| {
        let args = fields_for_build
            .with_value(|f| schema_form::build_arguments(f, &values.get_untracked()));
        raw.set(serde_json::to_string_pretty(&args).unwrap_or_else(|_| "{}".into()));
        raw_mode.set(true);
    };
    let call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if calling.get_untracked() {
            return;
        }
        let arguments = if raw_mode.get_untracked() {
            match serde_json::from_str::<serde_json::Value>(&raw.get_untracked()) {
                Ok(v) => v,
                Err(e) => {
                    raw_error.set(Some(format!("Not valid JSON: {e}")));
                    return;
                }
            }
        } else {
            fields_for_build
                .with_value(|f| schema_form::build_arguments(f, &values.get_untracked()))
        };
        raw_error.set(None);
        calling.set(true);
        let tool = name.clone();
        spawn_local(async move {
            let outcome = ipc::call(&mcp::CallTool {
                id,
                tool,
                arguments,
            })
            .await;
            calling.set(false);
            // A refusal shows under the form, where the arguments are.
            result.set(Some(outcome));
        });
    };
    view! {
        <div class="tool-caller" data-testid="tool-caller">
            <h3 class="mono">{tool.name.clone()}</h3>
            {tool.title.clone().map(|t| view! { <div class="muted">{t}</div> })}
            <p class="tool-description">{tool.description.clone().unwrap_or_else(|| "No description.".into())}</p>
            <form class="form" on:submit=call novalidate data-testid="tool-form">
                {move || if raw_mode.get() {
                    view! {
                        <label class="field">
                            <span>"Arguments (JSON)"</span>
                            <textarea class="input mono" rows="8" data-testid="raw-args" prop:value=move || raw.get()
                                on:input=move |ev| raw.set(event_target_value(&ev))></textarea>
                        </label>
                        {move || raw_error.get().map(|e| view! { <p class="form-error">{e}</p> })}
                    }.into_any()
                } else {
                    view! { <SchemaFields fields=fields.clone() values=values/> }.into_any()
                }}
                <div class="toolbar">
                    <button type="submit" class="button primary" data-testid="call-tool" disabled=move || calling.get()>
                        {move || if calling.get() { "Calling…" } else { "Call tool" }}
                    </button>
                    {move || if raw_mode.get() {
                        view! { <button type="button" class="button small" on:click=move |_| raw_mode.set(false)>"Use the form"</button> }.into_any()
                    } else {
                        view! { <button type="button" class="button small" data-testid="raw-mode" on:click=to_raw>"Edit as JSON"</button> }.into_any()
                    }}
                </div>
            </form>
            <details class="schema">
                <summary class="muted">"Input schema"</summary>
                <pre class="pre mono">{schema_text}</pre>
            </details>
            {move || result.get().map(|r| match r {
                Ok(call) => view! { <CallResult call=call/> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="call-refused">{e.message}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn CallResult(call: McpCall) -> impl IntoView {
    let (class, label) = match (&call.error, call.is_error) {
        (Some(_), _) => ("failed", "Call failed"),
        (None, true) => ("failed", "The tool reported an error"),
        (None, false) => ("running", "Result"),
    };
    view! {
        <div class="call-result" class:is-error=call.is_error || call.error.is_some() data-testid="call-result">
            <div class="call-head">
                <span class=format!("status {class}")>{label}</span>
                <span class="muted small-text">{format!("{:.1} ms", call.duration_ms)}</span>
            </div>
            {call.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
            {call.content.into_iter().map(content_view).collect_view()}
            {call.structured_content.map(|s| view! {
                <div class="muted small-text">"Structured content"</div>
                <pre class="pre mono">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre>
            })}
        </div>
    }
}

/// Text that is JSON is shown pretty-printed.
pub(crate) fn pretty(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
            return serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string());
        }
    }
    text.to_string()
}

pub(crate) fn content_view(content: McpContent) -> AnyView {
    match content {
        McpContent::Text { text } => {
            view! { <pre class="pre content-text" data-testid="content-text">{pretty(&text)}</pre> }
                .into_any()
        }
        McpContent::Image { data, mime_type } => view! {
            <img class="content-image" alt="Image returned by the tool" src=format!("data:{mime_type};base64,{data}")/>
        }
        .into_any(),
        McpContent::Audio { data, mime_type } => view! {
            <audio controls=true src=format!("data:{mime_type};base64,{data}")></audio>
        }
        .into_any(),
        McpContent::Resource {
            uri,
            mime_type,
            text,
            blob,
        } => view! {
            <div class="content-resource">
                <div class="mono small-text">{uri}{mime_type.map(|m| format!(" · {m}"))}</div>
                {text.map(|t| view! { <pre class="pre">{pretty(&t)}</pre> })}
                {blob.map(|b| view! { <div class="muted small-text">{format!("{} bytes of binary data (base64)", b.len() * 3 / 4)}</div> })}
            </div>
        }
        .into_any(),
        McpContent::ResourceLink {
            uri,
            name,
            description,
            ..
        } => view! {
            <div class="content-resource">
                <strong>{name}</strong>" "<span class="mono small-text">{uri}</span>
                {description.map(|d| view! { <div class="muted small-text">{d}</div> })}
            </div>
        }
        .into_any(),
        McpContent::Other { json } => {
            view! { <pre class="pre mono">{serde_json::to_string_pretty(&json).unwrap_or_default()}</pre> }
                .into_any()
        }
    }
}

#[component]
fn ResourcesTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let resources = RwSignal::new(None::<Result<Vec<McpResource>, ApiError>>);
    let opened = RwSignal::new(None::<Result<ResourceContents, ApiError>>);
    spawn_local(async move {
        resources.set(Some(ipc::call(&mcp::Resources { id }).await));
    });
    let open = move |uri: String| {
        spawn_local(async move {
            opened.set(Some(ipc::call(&mcp::ReadResource { id, uri }).await));
        });
    };
    view! {
        {move || match resources.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Asking for resources…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"This server offers no resources."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="plain-list" data-testid="resource-list">
                    {list.into_iter().map(|r| {
                        let uri = r.uri.clone();
                        view! {
                            <li>
                                <button class="link" on:click=move |_| open(uri.clone())>{r.name.clone()}</button>
                                <span class="mono small-text muted">" "{r.uri.clone()}</span>
                                {r.mime_type.clone().map(|m| view! { <span class="chip">{m}</span> })}
                                {r.description.clone().map(|d| view! { <div class="muted small-text">{d}</div> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        {move || opened.get().map(|o| match o {
            Ok(c) => view! {
                <div class="call-result" data-testid="resource-contents">
                    <div class="mono small-text">{c.uri.clone()}</div>
                    {c.contents.into_iter().map(content_view).collect_view()}
                </div>
            }.into_any(),
            Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
        })}
    }
    .into_any()
}

#[component]
fn PromptsTab(id: i64, running: bool) -> impl IntoView {
    if !running {
        return not_running();
    }
    let prompts = RwSignal::new(None::<Result<Vec<McpPrompt>, ApiError>>);
    spawn_local(async move {
        prompts.set(Some(ipc::call(&mcp::Prompts { id }).await));
    });
    view! {
        {move || match prompts.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Asking for prompts…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"This server offers no prompts."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="plain-list" data-testid="prompt-list">
                    {list.into_iter().map(|p| view! {
                        <li>
                            <strong class="mono">{p.name.clone()}</strong>
                            {p.description.clone().map(|d| view! { <div class="muted">{d}</div> })}
                            {(!p.arguments.is_empty()).then(|| view! {
                                <div class="small-text">
                                    "Arguments: "
                                    {p.arguments.iter().map(|a| format!("{}{}", a.name, if a.required { " *" } else { "" })).collect::<Vec<_>>().join(", ")}
                                </div>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
    .into_any()
}

#[component]
fn LogsTab(id: i64) -> impl IntoView {
    let logs = LogFollower::new();
    logs.follow(mcp::Logs { id, from: None });
    view! {
        <LogView lines=logs.lines empty="No output yet. A server's stderr (and any stdout that is not JSON-RPC) shows here."/>
    }
}

#[component]
fn HistoryTab(id: i64) -> impl IntoView {
    let toasts = use_toasts();
    let history = RwSignal::new(None::<Result<Vec<McpCall>, ApiError>>);
    let load = move || {
        spawn_local(async move {
            history.set(Some(ipc::call(&mcp::History { id }).await));
        });
    };
    load();
    let clear = move |_| {
        spawn_local(async move {
            match ipc::call(&mcp::ClearHistory { id }).await {
                Ok(()) => {
                    toasts.success("History cleared");
                    load();
                }
                Err(e) => toasts.error("Could not clear the history", &e),
            }
        });
    };
    view! {
        <div class="toolbar">
            <button class="button small" on:click=move |_| load()>"Refresh"</button>
            <button class="button small" on:click=clear>"Clear history"</button>
        </div>
        {move || match history.get() {
            None => view! { <div class="loading"><span class="spinner"></span>"Loading…"</div> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="history-empty">"No calls yet. Calls made from the Tools tab (and later by agents) are kept here."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="plain-list" data-testid="history-list">
                    {list.into_iter().map(|c| {
                        let outcome = if c.error.is_some() { "failed" } else if c.is_error { "tool error" } else { "ok" };
                        let args = serde_json::to_string(&c.arguments).unwrap_or_default();
                        view! {
                            <li>
                                <details>
                                    <summary>
                                        <span class="mono">{c.tool.clone()}</span>
                                        <span class=format!("chip {}", if outcome == "ok" { "staged" } else { "conflict" })>{outcome}</span>
                                        <span class="muted small-text">{format!(" {:.1} ms · {}", c.duration_ms, c.created_at)}</span>
                                        <div class="mono small-text truncate muted">{args}</div>
                                    </summary>
                                    <CallResult call=c.clone()/>
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// Add (when `existing` is `None`) or edit a server.
#[component]
fn ServerDialog(
    existing: Option<McpServer>,
    on_close: Callback<()>,
    on_saved: Callback<i64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let editing = existing.as_ref().map(|s| s.id);
    let e = existing;
    let name = RwSignal::new(e.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.description.clone())
            .unwrap_or_default(),
    );
    let transport = RwSignal::new(e.as_ref().map(|s| s.transport).unwrap_or_default());
    let command = RwSignal::new(e.as_ref().map(|s| s.command.clone()).unwrap_or_default());
    let args = RwSignal::new(e.as_ref().map(|s| s.args.join("\n")).unwrap_or_default());
    let env = RwSignal::new(
        e.as_ref()
            .map(|s| s.env.clone().into_iter().collect())
            .unwrap_or_default(),
    );
    let cwd = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.working_directory.clone())
            .unwrap_or_default(),
    );
    let url = RwSignal::new(e.as_ref().and_then(|s| s.url.clone()).unwrap_or_default());
    let headers = RwSignal::new(
        e.as_ref()
            .map(|s| s.headers.clone().into_iter().collect())
            .unwrap_or_default(),
    );
    let auto_restart = RwSignal::new(e.as_ref().is_some_and(|s| s.auto_restart));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let was_running = e.as_ref().is_some_and(|s| s.state == McpState::Running);

    let browse = move |_| {
        spawn_local(async move {
            match ipc::pick_folder("Working directory of the server").await {
                Ok(Some(dir)) => cwd.set(dir),
                Ok(None) => {}
                Err(e) => toasts.error("Could not open the folder picker", &e),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let to_map = |pairs: Vec<(String, String)>| -> BTreeMap<String, String> {
            pairs
                .into_iter()
                .filter(|(k, v)| !(k.trim().is_empty() && v.is_empty()))
                .map(|(k, v)| (k.trim().to_string(), v))
                .collect()
        };
        let input = McpServerInput {
            name: name.get_untracked(),
            description: Some(description.get_untracked()),
            transport: transport.get_untracked(),
            command: command.get_untracked(),
            args: args
                .get_untracked()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
            env: to_map(env.get_untracked()),
            working_directory: Some(cwd.get_untracked()),
            url: Some(url.get_untracked()),
            headers: to_map(headers.get_untracked()),
            auto_restart: auto_restart.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match editing {
                None => ipc::call(&mcp::Create { input }).await,
                Some(id) => ipc::call(&mcp::Update { id, input }).await,
            };
            busy.set(false);
            match result {
                Ok(server) => {
                    toasts.success(match (editing, was_running) {
                        (None, _) => format!("Added {}", server.name),
                        (Some(_), true) => format!("Saved {}; restart it to apply", server.name),
                        (Some(_), false) => format!("Saved {}", server.name),
                    });
                    on_saved.run(server.id);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    // Saved values are fetched one at a time, only when asked for.
    let reveal_in = move |pairs: RwSignal<Vec<(String, String)>>, part: SecretPart| {
        Callback::new(move |(i, key): (usize, String)| {
            let Some(id) = editing else { return };
            spawn_local(async move {
                let args = mcp::Reveal {
                    id,
                    part,
                    key: key.clone(),
                };
                match ipc::call(&args).await {
                    Ok(value) => pairs.update(|p| {
                        if let Some(row) = p.get_mut(i).filter(|r| r.0 == key) {
                            row.1 = value;
                        }
                    }),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let reveal_env = reveal_in(env, SecretPart::Env);
    let reveal_header = reveal_in(headers, SecretPart::Header);
    let title = if editing.is_some() {
        "Edit MCP server"
    } else {
        "Add MCP server"
    };
    view! {
        <Dialog title=title.to_string() on_close=on_close test_id="mcp-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field-row">
                    <label class="field">
                        <span>"Name"</span>
                        <input class="input" data-testid="mcp-name" autofocus=true prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Transport"</span>
                        <select class="input" data-testid="mcp-transport"
                            prop:value=move || transport.get().as_str()
                            on:change=move |ev| transport.set(McpTransport::parse(&event_target_value(&ev)).unwrap_or_default())>
                            <option value="stdio">"Local program (stdio)"</option>
                            <option value="http">"URL (streamable HTTP)"</option>
                        </select>
                    </label>
                </div>
                <label class="field">
                    <span>"Description"</span>
                    <input class="input" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                </label>
                {move || if transport.get() == McpTransport::Stdio {
                    view! {
                        <label class="field">
                            <span>"Command"</span>
                            <input class="input mono" data-testid="mcp-command" placeholder="npx" prop:value=move || command.get() on:input=move |ev| command.set(event_target_value(&ev))/>
                            <small class="hint">"One program: a name on PATH or an absolute path. It is run directly, never through a shell."</small>
                        </label>
                        <label class="field">
                            <span>"Arguments, one per line"</span>
                            <textarea class="input mono" rows="3" data-testid="mcp-args" placeholder="-y\n@modelcontextprotocol/server-everything" prop:value=move || args.get() on:input=move |ev| args.set(event_target_value(&ev))></textarea>
                        </label>
                        <div class="field">
                            <span>"Environment variables"</span>
                            <SecretPairs pairs=env key_label="NAME" test_id="mcp-env" reveal=reveal_env/>
                        </div>
                        <label class="field">
                            <span>"Working directory (optional)"</span>
                            <div class="input-row">
                                <input class="input mono" placeholder="Your home folder" prop:value=move || cwd.get() on:input=move |ev| cwd.set(event_target_value(&ev))/>
                                <button type="button" class="button" on:click=browse>"Browse…"</button>
                            </div>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label class="field">
                            <span>"URL"</span>
                            <input class="input mono" data-testid="mcp-url" placeholder="http://127.0.0.1:3001/mcp" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                        </label>
                        <div class="field">
                            <span>"Headers"</span>
                            <SecretPairs pairs=headers key_label="Header" test_id="mcp-headers" reveal=reveal_header/>
                        </div>
                    }.into_any()
                }}
                <label class="check">
                    <input type="checkbox" prop:checked=move || auto_restart.get() on:change=move |ev| auto_restart.set(event_target_checked(&ev))/>
                    "Restart it when it crashes (gives up after 5 quick crashes)"
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="form-error">{e}</p> })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button primary" data-testid="mcp-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else if editing.is_some() { "Save" } else { "Add" }}
                    </button>
                </footer>
            </form>
        </Dialog>
    }
}

#[component]
fn ImportDialog(on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let text = RwSignal::new(String::new());
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let read_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        if file.size() > 1024.0 * 1024.0 {
            error.set(Some(
                "That file is larger than 1 MiB; an mcpServers file is much smaller.".into(),
            ));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => {
                    text.set(v.as_string().unwrap_or_default());
                    error.set(None);
                }
                Err(_) => error.set(Some("Could not read that file.".into())),
            }
        });
    };
    let import = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = ipc::call(&mcp::Import {
                json: text.get_untracked(),
            })
            .await;
            busy.set(false);
            match result {
                Ok(r) => {
                    if !r.imported.is_empty() {
                        toasts.success(format!("Imported {} server(s)", r.imported.len()));
                    }
                    report.set(Some(r));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <Dialog title="Import MCP servers".to_string() on_close=on_close test_id="mcp-import-dialog">
            <div class="form">
                <p class="muted">"Paste a Claude Desktop config (its \"mcpServers\" object is read) or choose the file. Servers whose name is taken are left alone."</p>
                <textarea class="input mono" rows="10" data-testid="import-text"
                    placeholder="{\n  \"mcpServers\": {\n    \"everything\": { \"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-everything\"] }\n  }\n}"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <label class="field">
                    <span>"Or choose a file"</span>
                    <input type="file" accept=".json,application/json" on:change=read_file/>
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {move || report.get().map(|r| view! {
                    <div class="import-report" data-testid="import-report">
                        <p><strong>{format!("{} imported", r.imported.len())}</strong>{r.imported.iter().map(|s| format!(" · {}", s.name)).collect::<String>()}</p>
                        {(!r.refused.is_empty()).then(|| view! {
                            <p><strong>{format!("{} refused", r.refused.len())}</strong></p>
                            <ul class="plain-list">
                                {r.refused.iter().map(|x| view! { <li><span class="mono">{x.name.clone()}</span>": "{x.reason.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                    </div>
                })}
                <footer class="dialog-footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                    <button type="button" class="button primary" data-testid="import-submit" disabled=move || busy.get() || text.with(|t| t.trim().is_empty()) on:click=import>
                        {move || if busy.get() { "Importing…" } else { "Import" }}
                    </button>
                </footer>
            </div>
        </Dialog>
    }
}

#[component]
fn DeleteDialog(server: McpServer, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let id = server.id;
    let name = server.name.clone();
    let confirm = move |_| {
        busy.set(true);
        let name = name.clone();
        spawn_local(async move {
            let result = ipc::call(&mcp::Delete { id }).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    toasts.success(format!("Deleted {name}"));
                    on_close.run(());
                }
                Err(e) => toasts.error("Could not delete the server", &e),
            }
        });
    };
    view! {
        <Dialog title="Delete MCP server?".to_string() on_close=on_close test_id="mcp-delete-dialog">
            <p>
                "Delete " <strong>{server.name.clone()}</strong> "? "
                {(server.state == McpState::Running).then_some("It is running and will be stopped. ")}
                "Its call history goes with it."
            </p>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button danger" data-testid="mcp-confirm-delete" disabled=move || busy.get() on:click=confirm>"Delete"</button>
            </footer>
        </Dialog>
    }
}
