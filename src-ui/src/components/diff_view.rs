//! A unified diff: hunk headers, old/new line numbers, added and removed
//! lines coloured; binary and oversized files as a one-line summary.

use super::highlight;
use ai_desktop_api::git::{DiffLineKind, FileDiff};
use leptos::prelude::*;

#[component]
pub fn DiffView(diff: FileDiff) -> impl IntoView {
    highlight::load();
    let language = highlight::language_for_path(&diff.path).unwrap_or_default();
    let title = match &diff.old_path {
        Some(old) => format!("{old} → {}", diff.path),
        None => diff.path.clone(),
    };
    let summary = if diff.binary {
        Some("Binary file: contents are not shown.".to_string())
    } else if diff.too_large {
        Some(format!(
            "Too large to show here (+{} −{}). Open it in VS Code.",
            diff.additions, diff.deletions
        ))
    } else if diff.hunks.is_empty() {
        Some("No changes on this side.".to_string())
    } else {
        None
    };
    view! {
        <div class="diff" data-testid="diff-view">
            <div class="diff-title mono">
                <span class="truncate">{title}</span>
                <span class="diff-stats">
                    <span class="added">{format!("+{}", diff.additions)}</span>
                    " "
                    <span class="removed">{format!("−{}", diff.deletions)}</span>
                </span>
            </div>
            {match summary {
                Some(text) => view! { <div class="diff-summary muted" data-testid="diff-summary">{text}</div> }.into_any(),
                None => view! {
                    <table class="diff-table mono">
                        <tbody>
                            {diff
                                .hunks
                                .into_iter()
                                .map(|h| {
                                    let header = view! {
                                        <tr class="diff-hunk"><td colspan="3">{h.header}</td></tr>
                                    };
                                    let lines = h
                                        .lines
                                        .into_iter()
                                        .map(|l| {
                                            let (class, sign) = match l.kind {
                                                DiffLineKind::Added => ("diff-add", "+"),
                                                DiffLineKind::Removed => ("diff-del", "-"),
                                                DiffLineKind::NoNewline => ("diff-note", ""),
                                                DiffLineKind::Context => ("", " "),
                                            };
                                            view! {
                                                <tr class=class>
                                                    <td class="ln">{l.old_line.map(|n| n.to_string())}</td>
                                                    <td class="ln">{l.new_line.map(|n| n.to_string())}</td>
                                                    <CodeCell sign text=l.text language=language.clone()/>
                                                </tr>
                                            }
                                        })
                                        .collect_view();
                                    view! { {header} {lines} }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            }}
        </div>
    }
}

/// One line of code: its sign, then the text, coloured line by line once
/// highlight.js is there (a construct spanning lines is coloured per line).
#[component]
fn CodeCell(sign: &'static str, text: String, language: String) -> impl IntoView {
    view! {
        <td class="code">
            {sign}
            {move || {
                highlight::ready();
                match highlight::html(&text, &language) {
                    Some(h) => view! { <span class="hljs" inner_html=h></span> }.into_any(),
                    None => text.clone().into_any(),
                }
            }}
        </td>
    }
}
