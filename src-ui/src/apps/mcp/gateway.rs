//! The gateway: what other MCP clients on this machine may use (the Hub's
//! servers the user shares, the workshop's own tools), where they connect
//! (the client settings to paste, the token), each tool's rule, and the
//! calls they made. [`ApprovalHost`] asks the user about a client's call
//! on whatever page is open.

use super::*;
use ai_desktop_api::events::{
    Deleted, GATEWAY_APPROVAL, GATEWAY_APPROVAL_DONE, GATEWAY_CALL, GATEWAY_UPDATED,
};
use ai_desktop_api::gateway::{
    self, GatewayApproval, GatewayCall, GatewayDecision, GatewayRule, GatewaySettings,
    GatewayStatus,
};

fn rule_value(rule: GatewayRule) -> &'static str {
    match rule {
        GatewayRule::Ask => "ask",
        GatewayRule::Allow => "allow",
        GatewayRule::Deny => "deny",
    }
}

fn decision_text(decision: &str) -> &'static str {
    match decision {
        "asked" => "allowed by you",
        "session" => "allowed for this client",
        "rule" => "allowed by its rule",
        "denied" => "refused by you",
        "denied_by_rule" => "refused by its rule",
        "timed_out" => "not answered in time",
        _ => "—",
    }
}

#[component]
pub(super) fn GatewayDialog(on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let status = RwSignal::new(None::<Result<GatewayStatus, ApiError>>);
    let draft = RwSignal::new(None::<GatewaySettings>);
    let port_text = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let servers = resource(|| mcp::List {});
    let profiles = resource(|| mcp::Profiles {});
    let config = RwSignal::new(None::<String>);
    let show_config = RwSignal::new(false);
    let history = RwSignal::new(None::<Result<Vec<GatewayCall>, ApiError>>);

    let take = move |s: GatewayStatus| {
        if draft.get_untracked().is_none() {
            port_text.set(s.settings.port.to_string());
            draft.set(Some(s.settings.clone()));
        }
        let _ = status.try_set(Some(Ok(s)));
    };
    spawn_local(async move {
        match ipc::call(&gateway::Status {}).await {
            Ok(s) => take(s),
            Err(e) => {
                let _ = status.try_set(Some(Err(e)));
            }
        }
    });
    let load_history = move || {
        spawn_local(async move {
            let r = ipc::call(&gateway::History {}).await;
            let _ = history.try_set(Some(r));
        })
    };
    load_history();
    ipc::listen_while_mounted(GATEWAY_UPDATED, move |s: GatewayStatus| {
        let _ = status.try_set(Some(Ok(s)));
    });
    ipc::listen_while_mounted(GATEWAY_CALL, move |c: GatewayCall| {
        let _ = history.try_update(|h| {
            if let Some(Ok(list)) = h {
                list.insert(0, c);
            }
        });
    });

    let save = move |_| {
        let Some(mut settings) = draft.get_untracked() else {
            return;
        };
        match port_text.get_untracked().trim().parse::<u16>() {
            Ok(p) => settings.port = p,
            Err(_) => {
                toasts.error(
                    "Gateway",
                    &invalid("The port is a number from 1024 to 65535."),
                );
                return;
            }
        }
        saving.set(true);
        spawn_local(async move {
            let r = ipc::call(&gateway::Configure {
                settings: settings.clone(),
            })
            .await;
            let _ = saving.try_set(false);
            match r {
                Ok(s) => {
                    let _ = draft.try_set(Some(s.settings.clone()));
                    let running = s.running;
                    let _ = status.try_set(Some(Ok(s)));
                    let _ = config.try_set(None);
                    toasts.success(if running {
                        "The gateway is serving"
                    } else {
                        "The gateway is off"
                    });
                }
                Err(e) => toasts.error("Gateway not changed", &e),
            }
        });
    };
    let reveal_config = move |_| {
        if show_config.get_untracked() {
            show_config.set(false);
            return;
        }
        spawn_local(async move {
            match ipc::call(&gateway::ClientConfig {}).await {
                Ok(c) => {
                    let _ = config.try_set(Some(c));
                    let _ = show_config.try_set(true);
                }
                Err(e) => toasts.error("Client settings", &e),
            }
        });
    };
    let copy_config = move |_| {
        spawn_local(async move {
            match ipc::call(&gateway::ClientConfig {}).await {
                Ok(c) => crate::components::clipboard::copy(c, "The client settings", toasts),
                Err(e) => toasts.error("Client settings", &e),
            }
        });
    };
    let rotate = move |_| {
        spawn_local(async move {
            match ipc::call(&gateway::RotateToken {}).await {
                Ok(_) => {
                    let _ = config.try_set(None);
                    let _ = show_config.try_set(false);
                    toasts.success("New token: clients with the old one are refused now");
                }
                Err(e) => toasts.error("Token not changed", &e),
            }
        });
    };
    let set_rule = move |name: String, rule: GatewayRule| {
        spawn_local(async move {
            match ipc::call(&gateway::SetRule { name, rule }).await {
                Ok(s) => {
                    let _ = status.try_set(Some(Ok(s)));
                }
                Err(e) => toasts.error("Rule not changed", &e),
            }
        });
    };
    let clear = move |_| {
        spawn_local(async move {
            match ipc::call(&gateway::ClearHistory {}).await {
                Ok(()) => {
                    let _ = history.try_set(Some(Ok(Vec::new())));
                }
                Err(e) => toasts.error("History not cleared", &e),
            }
        });
    };

    let edit = move |f: &dyn Fn(&mut GatewaySettings)| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };

    view! {
        <Dialog title="MCP gateway".to_string() on_close=on_close test_id="gateway-dialog">
            <div class="dialog-body gateway">
                <p class="muted">"One local endpoint through which other MCP clients on this computer (Claude Code, Cursor, VS Code, a repository's code-server) use the servers you share here and AI Desktop's own tools. Only your user's programs holding the token get in; each call follows its rule below and is kept in the history."</p>
                {move || match status.get() {
                    None => view! { <div class="loading"><span class="spinner"></span>"Loading…"</div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(s)) => {
                        let line = match (&s.url, &s.error) {
                            (Some(url), _) => format!("Serving at {url}"),
                            (None, Some(e)) => format!("Not serving: {e}"),
                            (None, None) => "Off".to_string(),
                        };
                        view! {
                            <p class="gateway-state" data-testid="gateway-state">
                                <span class=format!("dot {}", if s.running { "running" } else if s.error.is_some() { "failed" } else { "stopped" })></span>
                                {line}
                            </p>
                        }.into_any()
                    }
                }}
                {move || draft.get().map(|d| {
                    let chosen = d.server_ids.clone();
                    view! {
                        <fieldset class="gateway-settings">
                            <label class="check">
                                <input type="checkbox" data-testid="gateway-enabled" prop:checked=d.enabled
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|s| s.enabled = on) }/>
                                "Serve the gateway (also after AI Desktop restarts)"
                            </label>
                            <label class="field inline">
                                <span>"Port"</span>
                                <input class="input narrow" inputmode="numeric" data-testid="gateway-port"
                                    prop:value=move || port_text.get() on:input=move |ev| port_text.set(event_target_value(&ev))/>
                            </label>
                            <label class="check">
                                <input type="checkbox" data-testid="gateway-workshop" prop:checked=d.workshop
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|s| s.workshop = on) }/>
                                "AI Desktop's own tools (repositories, deployments, services, editors)"
                            </label>
                            <label class="check" title="Writes the gateway into each repository's VS Code MCP servers (User/mcp.json of its code-server), keeping yours">
                                <input type="checkbox" data-testid="gateway-editors" prop:checked=d.editors
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|s| s.editors = on) }/>
                                "Add it to each repository's VS Code"
                            </label>
                            <div class="field">
                                <span>"Servers to share (their tools that are turned on)"</span>
                                {loaded(servers, "Loading servers…", move |list| {
                                    if list.is_empty() {
                                        return view! { <p class="muted small-text">"No servers in the Hub yet."</p> }.into_any();
                                    }
                                    let chosen = chosen.clone();
                                    list.into_iter().map(|srv| {
                                        let id = srv.id;
                                        let on = chosen.contains(&id);
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" data-testid=format!("gateway-server-{}", srv.name) prop:checked=on
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        edit(&|s| {
                                                            s.server_ids.retain(|x| *x != id);
                                                            if on { s.server_ids.push(id); }
                                                        })
                                                    }/>
                                                {srv.name.clone()}
                                            </label>
                                        }
                                    }).collect_view().into_any()
                                })}
                            </div>
                            <label class="field inline">
                                <span>"Profile"</span>
                                {loaded(profiles, "…", move |list| {
                                    let current = d.profile.clone().unwrap_or_default();
                                    view! {
                                        <select class="input" data-testid="gateway-profile" prop:value=current
                                            on:change=move |ev| { let v = event_target_value(&ev); edit(&|s| s.profile = (!v.is_empty()).then(|| v.clone())) }>
                                            <option value="">"None (every tool turned on)"</option>
                                            {list.into_iter().map(|p| view! { <option value=p.name.clone()>{p.name.clone()}</option> }).collect_view()}
                                        </select>
                                    }.into_any()
                                })}
                            </label>
                            <button class="button primary" data-testid="gateway-save" disabled=move || saving.get() on:click=save>
                                {move || if saving.get() { "Applying…" } else { "Apply" }}
                            </button>
                        </fieldset>
                    }
                })}
                <h3>"Connect a client"</h3>
                <p class="muted small-text">"Paste this into the client's MCP settings (the mcpServers entry of Claude Desktop, Cursor, Claude Code or VS Code). It holds the token: keep it private."</p>
                <div class="toolbar">
                    <button class="button small" data-testid="gateway-show-config" on:click=reveal_config>
                        {move || if show_config.get() { "Hide settings" } else { "Show settings" }}
                    </button>
                    <button class="button small" data-testid="gateway-copy-config" on:click=copy_config>"Copy settings"</button>
                    <button class="button small" data-testid="gateway-rotate" title="Clients with the old token are refused from now on"
                        on:click=rotate>"New token"</button>
                </div>
                {move || (show_config.get()).then(|| config.get().map(|c| view! {
                    <textarea class="input mono" rows="9" readonly data-testid="gateway-config" prop:value=c></textarea>
                }))}
                <h3>"Tools and their rules"</h3>
                {move || match status.get() {
                    Some(Ok(s)) if s.tools.is_empty() => view! {
                        <p class="muted" data-testid="gateway-tools-empty">"No tools offered: turn the gateway on and share AI Desktop's tools or a server."</p>
                    }.into_any(),
                    Some(Ok(s)) => view! {
                        <table class="table gateway-tools" data-testid="gateway-tools">
                            <thead><tr><th>"Tool"</th><th>"From"</th><th>"Calls"</th></tr></thead>
                            <tbody>
                                {s.tools.into_iter().map(|t| {
                                    let name = t.name.clone();
                                    view! {
                                        <tr data-testid=format!("gateway-tool-{}", t.name)>
                                            <td>
                                                <span class="mono">{t.name.clone()}</span>
                                                {t.read_only.then(|| view! { <span class="chip">"reads only"</span> })}
                                                <div class="muted small-text truncate" title=t.description.clone()>{t.description.clone()}</div>
                                            </td>
                                            <td>{t.server.clone()}</td>
                                            <td>
                                                <select class="input" data-testid=format!("gateway-rule-{}", t.name) prop:value=rule_value(t.rule)
                                                    on:change=move |ev| {
                                                        let rule = match event_target_value(&ev).as_str() {
                                                            "allow" => GatewayRule::Allow,
                                                            "deny" => GatewayRule::Deny,
                                                            _ => GatewayRule::Ask,
                                                        };
                                                        set_rule(name.clone(), rule);
                                                    }>
                                                    <option value="ask">"Ask me"</option>
                                                    <option value="allow">"Always allow"</option>
                                                    <option value="deny">"Never allow"</option>
                                                </select>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    _ => ().into_any(),
                }}
                <h3>"Calls"</h3>
                <div class="toolbar">
                    <button class="button small" on:click=move |_| load_history()>"Refresh"</button>
                    <button class="button small" data-testid="gateway-clear-history" on:click=clear>"Clear history"</button>
                </div>
                {move || match history.get() {
                    None => view! { <div class="loading"><span class="spinner"></span></div> }.into_any(),
                    Some(Err(e)) => view! { <ErrorText error=e/> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="muted" data-testid="gateway-history-empty">"No calls yet."</p>
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <ul class="plain-list" data-testid="gateway-history">
                            {list.into_iter().map(|c| {
                                let ok = c.error.is_none() && !c.is_error;
                                view! {
                                    <li>
                                        <details>
                                            <summary>
                                                <span class="mono">{c.tool.clone()}</span>
                                                <span class=format!("chip {}", if ok { "staged" } else { "conflict" })>{decision_text(&c.decision)}</span>
                                                <span class="muted small-text">{format!(" {} · {:.0} ms · {}", c.client, c.duration_ms, c.created_at)}</span>
                                                <div class="small-text truncate gateway-call-summary">{c.summary.clone()}</div>
                                            </summary>
                                            <pre class="mono small-text">{serde_json::to_string_pretty(&c.arguments).unwrap_or_default()}</pre>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
            <footer class="dialog-footer">
                <button class="button" on:click=move |_| on_close.run(())>"Close"</button>
            </footer>
        </Dialog>
    }
}

/// Asks the user about clients' calls, one at a time, on any page.
#[component]
pub fn ApprovalHost() -> impl IntoView {
    let open = RwSignal::new(Vec::<GatewayApproval>::new());
    spawn_local(async move {
        if let Ok(list) = ipc::call(&gateway::Approvals {}).await {
            open.set(list);
        }
    });
    ipc::listen(GATEWAY_APPROVAL, move |a: GatewayApproval| {
        open.update(|l| {
            if !l.iter().any(|o| o.id == a.id) {
                l.push(a);
            }
        })
    });
    ipc::listen(GATEWAY_APPROVAL_DONE, move |d: Deleted| {
        open.update(|l| l.retain(|o| o.id != d.id))
    });
    move || {
        open.with(|l| l.first().cloned())
            .map(|a| view! { <ApprovalCard approval=a open/> })
    }
}

#[component]
fn ApprovalCard(approval: GatewayApproval, open: RwSignal<Vec<GatewayApproval>>) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let id = approval.id;
    let answer = move |decision: GatewayDecision| {
        busy.set(true);
        spawn_local(async move {
            let r = ipc::call(&gateway::Answer { id, decision }).await;
            let _ = busy.try_set(false);
            if let Err(e) = r {
                toasts.error("Not answered", &e);
            }
            let _ = open.try_update(|l| l.retain(|o| o.id != id));
        });
    };
    let minutes = approval.timeout_secs.div_ceil(60);
    let client = approval.client.clone();
    view! {
        <Dialog title=format!("{} wants to use a tool", approval.client)
            on_close=Callback::new(move |_| answer(GatewayDecision::Deny)) test_id="gateway-approval">
            <div class="dialog-body">
                <p data-testid="gateway-approval-tool">
                    <span class="mono">{approval.tool.clone()}</span>
                    <span class="muted">{format!(" of {}", approval.server)}</span>
                </p>
                <p class="muted small-text">{approval.description.clone()}</p>
                <pre class="mono small-text" data-testid="gateway-approval-arguments">{approval.arguments.clone()}</pre>
                <p class="muted small-text">{format!("Through the MCP gateway. Refused if not answered within {minutes} min.")}</p>
            </div>
            <footer class="dialog-footer">
                <button class="button danger" data-testid="gateway-deny" disabled=move || busy.get()
                    on:click=move |_| answer(GatewayDecision::Deny)>"Deny"</button>
                <button class="button" data-testid="gateway-allow-session" disabled=move || busy.get()
                    title=format!("Allow this tool's calls from {client} until the gateway stops")
                    on:click=move |_| answer(GatewayDecision::Session)>"Allow for this client"</button>
                <button class="button primary" data-testid="gateway-allow-once" disabled=move || busy.get()
                    on:click=move |_| answer(GatewayDecision::Once)>"Allow once"</button>
            </footer>
        </Dialog>
    }
}
