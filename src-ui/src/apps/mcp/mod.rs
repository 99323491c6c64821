//! MCP Hub: the registered MCP servers (kept live by `mcp:updated` /
//! `mcp:deleted`), add/edit/import dialogs, and for the selected server its
//! tools (call one through a form generated from its schema, or raw JSON),
//! resources, prompts, live log and call history.

use crate::apps::Lifecycle;
use crate::components::confirm::ConfirmDialog;
use crate::components::content::content_view;
use crate::components::dialog::Dialog;
use crate::components::icons::{Icon, Svg};
use crate::components::live_list::LiveList;
use crate::components::load::{loaded, resource};
use crate::components::log_view::{LogFollower, LogPanel};
use crate::components::schema_form::{self, FieldSpec, SchemaFields};
use crate::components::secret_pairs::SecretPairs;
use crate::components::status::{Status, StatusDot, StatusPill};
use crate::components::toast::{invalid, use_toasts, ErrorText};
use crate::ipc;
use ai_desktop_api::events;
use ai_desktop_api::mcp;
use ai_desktop_api::mcp::{
    ImportReport, McpCall, McpServer, McpServerInput, McpState, McpTool, McpTransport,
};
use ai_desktop_api::secrets::SecretPart;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

mod dialogs;
pub mod elicitation;
pub mod gateway;
mod history;
mod logs;
mod prompts;
mod protocol;
mod resources;
mod tools;

use dialogs::*;
use gateway::GatewayDialog;
use history::*;
use logs::*;
use prompts::*;
use protocol::*;
use resources::*;
use tools::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Tools,
    Resources,
    Prompts,
    Logs,
    History,
    Protocol,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Tools,
        Tab::Resources,
        Tab::Prompts,
        Tab::Logs,
        Tab::History,
        Tab::Protocol,
    ];
    fn label(self) -> &'static str {
        match self {
            Tab::Tools => "Tools",
            Tab::Resources => "Resources",
            Tab::Prompts => "Prompts",
            Tab::Logs => "Logs",
            Tab::History => "History",
            Tab::Protocol => "Protocol",
        }
    }
    fn slug(self) -> &'static str {
        match self {
            Tab::Tools => "tools",
            Tab::Resources => "resources",
            Tab::Prompts => "prompts",
            Tab::Logs => "logs",
            Tab::History => "history",
            Tab::Protocol => "protocol",
        }
    }
}

#[derive(Clone, PartialEq)]
enum Modal {
    Closed,
    Add,
    Edit(McpServer),
    Import,
    Export,
    Profiles,
    Gateway,
    Delete(McpServer),
}

#[component]
pub fn McpPage() -> impl IntoView {
    let toasts = use_toasts();
    let list = LiveList::start(mcp::List {}, events::MCP_UPDATED, events::MCP_DELETED);
    super::use_nav().follow_focus(super::Page::McpHub, list.selected);
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
                    <button class="button" data-testid="mcp-profiles" title="Named sets of servers and their tools, for Flow sessions"
                        on:click=move |_| modal.set(Modal::Profiles)>"Profiles…"</button>
                    <button class="button" data-testid="mcp-gateway" title="Let other MCP clients on this computer use these servers and AI Desktop's own tools"
                        on:click=move |_| modal.set(Modal::Gateway)>"Gateway…"</button>
                    <button class="button" data-testid="mcp-export" title="The servers as the mcpServers JSON other MCP clients read"
                        on:click=move |_| modal.set(Modal::Export)>"Export…"</button>
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
                Modal::Export => view! { <ExportDialog on_close=close/> }.into_any(),
                Modal::Profiles => view! { <ProfilesDialog on_close=close/> }.into_any(),
                Modal::Gateway => view! { <GatewayDialog on_close=close/> }.into_any(),
                Modal::Delete(s) => view! { <DeleteDialog server=s on_close=close/> }.into_any(),
            }}
        </section>
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
                            <StatusDot state=server.state/>
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
    let disabled = server.disabled_tools.clone();
    view! {
        <div class="panel detail" data-testid="mcp-detail">
            <div class="detail-head">
                <div>
                    <h2 class="detail-name">{server.name.clone()}</h2>
                    <div class="muted mono small-text truncate" title=summary(&server)>{summary(&server)}</div>
                    {server.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                </div>
                <StatusPill state=server.state test_id="mcp-state"
                    text=format!("{}{}", server.state.label(), server.pid.map(|p| format!(" · pid {p}")).unwrap_or_default())/>
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
            {(!server.auth.is_empty() || server.signed_in).then(|| view! { <AuthSteps server=server.clone()/> })}
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
                Tab::Tools => view! { <ToolsTab id=id running=running disabled=disabled.clone()/> }.into_any(),
                Tab::Resources => view! { <ResourcesTab id=id running=running/> }.into_any(),
                Tab::Prompts => view! { <PromptsTab id=id running=running/> }.into_any(),
                Tab::Logs => view! { <LogsTab id=id/> }.into_any(),
                Tab::History => view! { <HistoryTab id=id/> }.into_any(),
                Tab::Protocol => view! { <ProtocolTab id=id/> }.into_any(),
            }}
        </div>
    }
}

/// The server's OAuth sign-in, stage by stage, and signing out.
#[component]
fn AuthSteps(server: McpServer) -> impl IntoView {
    use ai_desktop_api::mcp::{McpAuthStage, McpStepState};
    let toasts = use_toasts();
    let id = server.id;
    let sign_out = move |_| {
        spawn_local(async move {
            match ipc::call(&mcp::SignOut { id }).await {
                Ok(_) => toasts
                    .success("Signed out: the tokens are forgotten; the next start signs in again"),
                Err(e) => toasts.error("Not signed out", &e),
            }
        });
    };
    view! {
        <div class="auth-steps" data-testid="mcp-auth">
            <div class="panel-title small">"Sign-in (OAuth)"
                {server.signed_in.then(|| view! {
                    <span class="muted small-text" data-testid="mcp-signed-in">"signed in · tokens kept in the app's data folder"</span>
                    <button class="button small" data-testid="mcp-sign-out" on:click=sign_out
                        title="Forget the tokens; the next start signs in again">"Sign out"</button>
                })}
            </div>
            <ol class="plain-list">
                {server.auth.iter().map(|step| {
                    let (mark, class) = match step.state {
                        McpStepState::Running => ("…", "muted"),
                        McpStepState::Done => ("✓", "sig-good"),
                        McpStepState::Failed => ("✗", "sig-bad"),
                    };
                    let name = match step.stage {
                        McpAuthStage::Discovery => "Find the authorization server",
                        McpAuthStage::Registration => "Register AI Desktop with it",
                        McpAuthStage::Browser => "Sign in in the browser",
                        McpAuthStage::Token => "Exchange the code for tokens",
                    };
                    let slug = serde_json::to_value(step.stage).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    view! {
                        <li class="auth-step" data-testid=format!("mcp-auth-{slug}") data-state=format!("{:?}", step.state).to_lowercase()>
                            <span class=format!("auth-mark {class}")>{mark}</span>
                            <span>{name}</span>
                            {step.detail.clone().map(|d| view! { <span class="muted small-text"> " — " {d}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}

fn not_running() -> AnyView {
    view! { <p class="muted" data-testid="mcp-not-running">"Start the server to see what it offers."</p> }
        .into_any()
}
