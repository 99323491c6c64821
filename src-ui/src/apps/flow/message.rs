//! One message: the user's words (editable), or the agent's answer as
//! markdown (streamed in pieces) with its tool calls.

use super::*;

#[component]
pub(super) fn MessageView(
    m: FlowMessage,
    is_last: bool,
    /// Messages after this one (what an edit would drop).
    dropped: usize,
    live: Live,
    results: Memo<HashMap<(i64, String), FlowMessage>>,
    session_id: i64,
    on_resend: Callback<(i64, String, usize)>,
) -> impl IntoView {
    let toasts = use_toasts();
    let id = m.id;
    let nav = crate::apps::use_nav();
    // A new session with the conversation up to here; shown at once.
    let fork = move |_| {
        spawn_local(async move {
            match ipc::call(&flow::Fork {
                session_id,
                message_id: id,
            })
            .await
            {
                Ok(s) => {
                    toasts.success(format!("Forked into \"{}\"", s.title));
                    nav.show(crate::apps::Page::FlowBuilder, s.id);
                }
                Err(e) => toasts.error("Could not fork here", &e),
            }
        });
    };
    match m.role {
        FlowRole::User => {
            let editing = RwSignal::new(None::<String>);
            let content = m.content.clone();
            let attachments = m.attachments.clone();
            view! {
                <div class="message user" data-testid="flow-message-user">
                    {move || match editing.get() {
                        None => view! {
                            {(!content.is_empty()).then(|| view! { <div class="bubble">{content.clone()}</div> })}
                            {(!attachments.is_empty()).then(|| view! { <AttachmentList message_id=id list=attachments.clone()/> })}
                            <div class="message-actions">
                                <button class="link small-text" data-testid="flow-edit" on:click={
                                    let c = content.clone();
                                    move |_| editing.set(Some(c.clone()))
                                }>"Edit"</button>
                                <button class="link small-text" data-testid="flow-fork" title="A new session with the conversation up to here" on:click=fork>"Fork"</button>
                            </div>
                        }.into_any(),
                        Some(text) => view! {
                            <div class="bubble editing">
                                <textarea class="input" rows="3" data-testid="flow-edit-input" prop:value=text
                                    on:input=move |ev| editing.set(Some(event_target_value(&ev)))></textarea>
                                <div class="input-row end">
                                    <button class="button small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                    <button class="button small primary" data-testid="flow-edit-send"
                                        on:click=move |_| {
                                            let t = editing.get_untracked().unwrap_or_default();
                                            editing.set(None);
                                            on_resend.run((id, t, dropped));
                                        }>"Resend"</button>
                                </div>
                            </div>
                        }.into_any(),
                    }}
                </div>
            }
            .into_any()
        }
        _ => {
            let status = m.status;
            let streaming = status == MessageStatus::Streaming;
            // A streaming answer: its settled part is rendered once, in pieces
            // as it grows; only the rest is rendered again with each frame
            // (rendering the whole each time cost a long answer's page a core).
            let parts = RwSignal::new(Vec::<String>::new());
            let tail = RwSignal::new(String::new());
            if streaming {
                let settled = StoredValue::new(0usize);
                Effect::new(move |_| {
                    live.text.with(|t| {
                        let text = t.get(&id).map(String::as_str).unwrap_or("");
                        let mut done = settled.get_value();
                        if text.len() < done || !text.is_char_boundary(done) {
                            parts.set(Vec::new());
                            done = 0;
                        }
                        let cut = done + markdown::settled_len(&text[done..]);
                        if cut > done {
                            let html = markdown::render(&text[done..cut]);
                            parts.update(|p| p.push(html));
                            settled.set_value(cut);
                        }
                        tail.set(markdown::render(&text[cut..]));
                    })
                });
            }
            // A finished answer is rendered whole, once.
            // (Again once highlight.js is there, for its code blocks' colours.)
            let html = (!streaming && !m.content.is_empty()).then(|| {
                let content = m.content.clone();
                move || {
                    crate::components::highlight::ready();
                    markdown::render(&content)
                }
            });
            let first_at = move || {
                live.first_at
                    .with(|f| f.get(&id).map(|t| format!("{t:.0}")))
            };
            let retry = move |_| {
                spawn_local(async move {
                    if let Err(e) = ipc::call(&flow::Retry { session_id }).await {
                        toasts.error("Could not retry", &e);
                    }
                });
            };
            view! {
                <div class="message assistant" data-testid="flow-message-assistant" data-message-id=id
                    data-status=format!("{status:?}").to_lowercase() data-first-token-at=first_at>
                    {html.map(|html| view! {
                        <div class="markdown" data-testid="flow-answer" inner_html=html on:click=move |ev| markdown_click(ev, toasts)></div>
                    })}
                    {streaming.then(|| view! {
                        <div class="markdown" data-testid="flow-answer" on:click=move |ev| markdown_click(ev, toasts)>
                            <For each=move || parts.get().into_iter().enumerate() key=|(i, _)| *i
                                children=|(_, html)| view! { <div class="md-part" inner_html=html></div> }/>
                            <div class="md-part" inner_html=move || tail.get()></div>
                        </div>
                    })}
                    {streaming.then(|| view! { <span class="typing" aria-label="Answering"></span> })}
                    {m.tool_calls.iter().cloned().map(|call| view! {
                        <ToolCallCard call=call message_id=id session_id=session_id results=results/>
                    }).collect_view()}
                    {m.error.clone().map(|e| view! {
                        <div class="banner error" role="alert" data-testid="flow-error">
                            <span>{e}</span>
                            {(is_last && matches!(status, MessageStatus::Error | MessageStatus::Cancelled)).then(|| view! {
                                <button class="button small" data-testid="flow-retry" on:click=retry>"Retry"</button>
                            })}
                        </div>
                    })}
                    {m.model.clone().filter(|_| status == MessageStatus::Done).map(|model| {
                        let usage = m.usage.map(|u| usage_text(&u)).unwrap_or_default();
                        view! {
                            <div class="message-actions">
                                <span class="muted small-text" data-testid="flow-answer-meta">{model}{usage}</span>
                                <button class="link small-text" data-testid="flow-fork" title="A new session with the conversation up to here" on:click=fork>"Fork"</button>
                            </div>
                        }
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// ` · 1,234 in · 56 out tokens · $0.0004`: what an answer took, as the
/// provider reported it.
pub(super) fn usage_text(u: &ai_desktop_api::flow::TokenUsage) -> String {
    let mut text = format!(
        " · {} in · {} out tokens",
        thousands(u.input_tokens),
        thousands(u.output_tokens)
    );
    if let Some(cost) = u.cost {
        text.push_str(&format!(" · ${cost:.4}"));
    }
    text
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The files sent with a user message: images shown small (read when
/// shown), text files as their names.
#[component]
fn AttachmentList(
    message_id: i64,
    list: Vec<ai_desktop_api::flow::FlowAttachment>,
) -> impl IntoView {
    view! {
        <div class="attachments" data-testid="flow-attachments">
            {list.into_iter().enumerate().map(|(i, a)| {
                let about = format!("{} · {}", a.name, crate::format::bytes(a.size as f64));
                if a.mime.starts_with("image/") {
                    let src = RwSignal::new(None::<String>);
                    spawn_local(async move {
                        if let Ok(d) = ipc::call(&flow::Attachment { message_id, index: i as u32 }).await {
                            let _ = src.try_set(Some(format!("data:{};base64,{}", d.mime, d.data)));
                        }
                    });
                    let alt = a.name.clone();
                    view! {
                        <figure class="attachment image" title=about.clone() data-testid="flow-attachment">
                            {move || match src.get() {
                                Some(s) => view! { <img src=s alt=alt.clone()/> }.into_any(),
                                None => view! { <span class="spinner small"></span> }.into_any(),
                            }}
                            <figcaption class="small-text truncate">{a.name.clone()}</figcaption>
                        </figure>
                    }.into_any()
                } else {
                    view! {
                        <span class="chip attachment" title=about.clone() data-testid="flow-attachment">
                            <Svg icon=Icon::File/>{about.clone()}
                        </span>
                    }.into_any()
                }
            }).collect_view()}
        </div>
    }
}
