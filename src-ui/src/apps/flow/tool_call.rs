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
            {match call.preview.clone() {
                // A change to files: the diff is what is approved.
                Some(diff) => view! {
                    <div class="muted small-text">{if pending { "The change, for you to approve" } else { "The change" }}</div>
                    <UnifiedDiff text=diff/>
                }.into_any(),
                None => view! {
                    <div class="muted small-text">"Arguments"</div>
                    <pre class="pre mono" data-testid="flow-tool-args">{pretty(&call.arguments)}</pre>
                }.into_any(),
            }}
            {call.checkpoint_id.map(|checkpoint| {
                let open = call.preview.clone().map(|diff| {
                    let Unified { title, first_new, .. } = read_unified(&diff);
                    view! { <OpenChange path=title line=first_new/> }
                });
                view! {
                    <div class="input-row checkpoint">
                        <UndoButton session_id=session_id checkpoint=checkpoint/>
                        {open}
                    </div>
                }
            })}
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

/// *Undo to here* for a change the agent made, while its checkpoint is
/// there; "Undone" once it is not.
#[component]
fn UndoButton(session_id: i64, checkpoint: i64) -> impl IntoView {
    let checkpoints = expect_context::<Checkpoints>();
    let asking = RwSignal::new(false);
    let here = move || {
        checkpoints
            .0
            .with(|list| list.iter().any(|c| c.id == checkpoint))
    };
    let later = move || {
        checkpoints
            .0
            .with(|list| list.iter().filter(|c| c.id >= checkpoint).count())
    };
    let undo = move || async move {
        let r = ipc::call(&flow::UndoTo {
            session_id,
            checkpoint_id: checkpoint,
        })
        .await;
        checkpoints.reload(session_id);
        let report = r?;
        let n = report.restored.len() + report.removed.len();
        Ok(format!(
            "Put back {n} file{} as {} before the change",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it was" } else { "they were" }
        ))
    };
    view! {
        <span class="input-row" data-testid="flow-checkpoint" data-checkpoint=checkpoint>
            {move || if here() {
                view! {
                    <span class="chip" title="The files as they were before this change are kept">"Checkpoint"</span>
                    <button class="button small" data-testid="flow-undo"
                        title="Puts every file the agent changed from here on back as it was before this change"
                        on:click=move |_| asking.set(true)>"Undo to here"</button>
                }.into_any()
            } else {
                view! { <span class="chip muted" data-testid="flow-undone">"Undone"</span> }.into_any()
            }}
            {move || asking.get().then(|| {
                let n = later();
                view! {
                    <ConfirmDialog title="Undo the agent's changes?".to_string() action="Undo"
                        run=undo on_close=Callback::new(move |_| asking.set(false))
                        test_id="flow-undo-dialog" confirm_id="flow-undo-confirm">
                        <p>{format!(
                            "{n} change{} the agent made from here on will be undone: each file goes back to exactly what it was before. If someone else changed one of those files since, nothing is undone and you are told which.",
                            if n == 1 { "" } else { "s" }
                        )}</p>
                    </ConfirmDialog>
                }
            })}
        </span>
    }
}

/// A unified diff (as `git diff` writes it), read for showing: the file,
/// the rows (class, old line, new line, text) and the first line it adds or
/// changes in the new file.
struct Unified {
    title: String,
    rows: Vec<(&'static str, String, String, String)>,
    first_new: Option<u32>,
}

fn read_unified(text: &str) -> Unified {
    let mut rows = Vec::new();
    let (mut old, mut new) = (0u32, 0u32);
    let mut title = String::new();
    let mut first_new = None;
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("+++ b/") {
            title = path.to_string();
            continue;
        }
        if line.starts_with("diff --git")
            || line.starts_with("index ")
            || line.starts_with("--- ")
            || line.starts_with("+++ ")
            || line.starts_with("new file mode")
        {
            continue;
        }
        if let Some(rest) = line.strip_prefix("@@ ") {
            // @@ -a,b +c,d @@
            let mut parts = rest.split(' ');
            let start = |p: Option<&str>| {
                p.and_then(|p| p[1..].split(',').next().and_then(|n| n.parse::<u32>().ok()))
                    .unwrap_or(1)
            };
            old = start(parts.next());
            new = start(parts.next());
            rows.push(("diff-hunk", String::new(), String::new(), line.to_string()));
            continue;
        }
        let (class, o, n) = match line.chars().next() {
            Some('+') => {
                new += 1;
                first_new.get_or_insert(new - 1);
                ("diff-add", String::new(), (new - 1).to_string())
            }
            Some('-') => {
                old += 1;
                ("diff-del", (old - 1).to_string(), String::new())
            }
            Some('\\') => ("diff-note", String::new(), String::new()),
            _ => {
                old += 1;
                new += 1;
                ("", (old - 1).to_string(), (new - 1).to_string())
            }
        };
        rows.push((class, o, n, line.to_string()));
    }
    Unified {
        title,
        rows,
        first_new,
    }
}

/// A unified diff as a table: line numbers, added and removed lines marked.
#[component]
fn UnifiedDiff(text: String) -> impl IntoView {
    let Unified { title, rows, .. } = read_unified(&text);
    view! {
        <div class="call-diff" data-testid="flow-tool-diff">
            <div class="diff-title mono">{title}</div>
            <table class="diff-table mono">
                {rows.into_iter().map(|(class, o, n, text)| view! {
                    <tr class=class>
                        {if class == "diff-hunk" {
                            view! { <td colspan="3">{text}</td> }.into_any()
                        } else {
                            view! {
                                <td class="ln">{o}</td>
                                <td class="ln">{n}</td>
                                <td class="code">{text}</td>
                            }.into_any()
                        }}
                    </tr>
                }).collect_view()}
            </table>
        </div>
    }
}

/// Opens a changed file in the session repository's VS Code at the change.
#[component]
fn OpenChange(path: String, line: Option<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let repository = expect_context::<SessionRepository>().0;
    let opening = RwSignal::new(false);
    let open = move |_| {
        let Some(repository_id) = repository.get_untracked() else {
            return;
        };
        let path = path.clone();
        opening.set(true);
        spawn_local(async move {
            let r = ipc::call(&ai_desktop_api::vscode::OpenFile {
                repository_id,
                path,
                line,
            })
            .await;
            opening.set(false);
            if let Err(e) = r {
                toasts.error("Could not open VS Code", &e);
            }
        });
    };
    view! {
        <button class="button small" data-testid="flow-open-change" disabled=move || opening.get() || repository.get().is_none()
            title="Opens the file in the repository's VS Code at the change" on:click=open>
            {move || if opening.get() { "Opening VS Code…" } else { "Open in VS Code" }}
        </button>
    }
}
