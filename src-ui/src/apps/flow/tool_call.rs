//! A tool call in a conversation: the tool's description, its arguments,
//! its result, and Allow/Deny while it waits for the user.

use super::*;

pub(super) fn call_status(status: ToolCallStatus) -> (&'static str, &'static str) {
    match status {
        ToolCallStatus::Pending => ("waiting", "Waiting for you"),
        ToolCallStatus::Approved => ("starting", "Approved"),
        ToolCallStatus::Running => ("starting", "Running…"),
        ToolCallStatus::Done => ("running", "Done"),
        ToolCallStatus::Denied => ("stopped", "Denied"),
        ToolCallStatus::Invalid => ("failed", "Not run"),
        ToolCallStatus::Cancelled => ("stopped", "Stopped"),
    }
}

#[component]
pub(super) fn ToolCallCard(
    call: FlowToolCall,
    message_id: i64,
    session_id: i64,
    results: Memo<HashMap<(i64, String), FlowMessage>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let deciding = RwSignal::new(false);
    let call_id = call.id.clone();
    let decide = move |decision: ToolDecision| {
        let call_id = call_id.clone();
        deciding.set(true);
        spawn_local(async move {
            let r = ipc::call(&flow::Decide {
                session_id,
                message_id,
                call_id,
                decision,
            })
            .await;
            deciding.set(false);
            if let Err(e) = r {
                toasts.error("Could not decide", &e);
            }
        });
    };
    let (class, label) = call_status(call.status);
    let title = match (&call.server_name, &call.tool) {
        (Some(server), Some(tool)) => format!("{server} · {tool}"),
        _ => call.name.clone(),
    };
    let pending = call.status == ToolCallStatus::Pending;
    let id_for_result = call.id.clone();
    let result = move || {
        results.with(|r| {
            r.get(&(message_id, id_for_result.clone()))
                .and_then(|m| m.tool_result.clone())
        })
    };
    let d1 = decide.clone();
    let d2 = decide.clone();
    let d3 = decide;
    view! {
        <div class="tool-call" class:pending=pending data-testid="flow-tool-call" data-call-status=label>
            <div class="call-head">
                <strong class="mono">{title}</strong>
                <span class=format!("status {class}")>{label}</span>
                {call.auto_approved.then(|| view! { <span class="chip">"always allowed"</span> })}
            </div>
            {call.changed_since_allowed.then(|| view! {
                <p class="banner warn small-text" data-testid="flow-tool-changed">"This tool changed since you allowed it (its description or inputs are different). Look again before you approve."</p>
            })}
            {call.description.clone().filter(|d| !d.is_empty()).map(|d| view! { <p class="tool-description">{d}</p> })}
            <div class="muted small-text">"Arguments"</div>
            <pre class="pre mono" data-testid="flow-tool-args">{pretty(&call.arguments)}</pre>
            {call.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
            {pending.then(|| view! {
                <div class="input-row" data-testid="flow-approval">
                    <button class="button small primary" data-testid="flow-approve" disabled=move || deciding.get() on:click=move |_| d1(ToolDecision::Approve)>"Approve"</button>
                    <button class="button small" data-testid="flow-always" disabled=move || deciding.get() on:click=move |_| d2(ToolDecision::AlwaysAllow)>"Always allow in this session"</button>
                    <button class="button small danger" data-testid="flow-deny" disabled=move || deciding.get() on:click=move |_| d3(ToolDecision::Deny)>"Deny"</button>
                </div>
            })}
            {move || result().map(|r| view! {
                <div class="call-result" class:is-error=r.is_error || r.error.is_some() data-testid="flow-tool-result">
                    <div class="call-head">
                        <span class="muted small-text">{if r.error.is_some() { "Not run" } else if r.is_error { "The tool reported an error" } else { "Result" }}</span>
                        {r.duration_ms.map(|d| view! { <span class="muted small-text">{format!("{d:.1} ms")}</span> })}
                    </div>
                    {r.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
                    {r.content.into_iter().map(content_view).collect_view()}
                    {r.structured_content.map(|s| view! { <pre class="pre mono">{serde_json::to_string_pretty(&s).unwrap_or_default()}</pre> })}
                </div>
            })}
        </div>
    }
}
