//! A unified diff: hunk headers, old/new line numbers, added and removed
//! lines coloured; binary and oversized files as a one-line summary. With
//! `on_lines`, changed lines can be picked (click a line, shift-click for a
//! run) and staged, unstaged or discarded, a hunk at a time or the picked
//! ones.

use super::highlight;
use ai_desktop_api::git::{DiffLineKind, DiffSide, FileDiff, LineAction, LinePick};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// A changed line's name in a pick: removed lines by their old number,
/// added ones by their new number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Pick {
    Old(u32),
    New(u32),
}

impl Pick {
    fn of(kind: DiffLineKind, old: Option<u32>, new: Option<u32>) -> Option<Pick> {
        match kind {
            DiffLineKind::Added => new.map(Pick::New),
            DiffLineKind::Removed => old.map(Pick::Old),
            _ => None,
        }
    }

    fn test_id(self) -> String {
        match self {
            Pick::Old(n) => format!("diff-pick-old-{n}"),
            Pick::New(n) => format!("diff-pick-new-{n}"),
        }
    }
}

fn line_pick(picks: impl IntoIterator<Item = Pick>) -> LinePick {
    let mut p = LinePick::default();
    for pick in picks {
        match pick {
            Pick::Old(n) => p.old_lines.push(n),
            Pick::New(n) => p.new_lines.push(n),
        }
    }
    p
}

fn count_label(n: usize) -> String {
    if n == 1 {
        "1 line".into()
    } else {
        format!("{n} lines")
    }
}

#[component]
pub fn DiffView(
    diff: FileDiff,
    /// Makes lines pickable: called with what to do and the lines.
    #[prop(optional)]
    on_lines: Option<Callback<(LineAction, LinePick)>>,
) -> impl IntoView {
    let picked = RwSignal::new(BTreeSet::<Pick>::new());
    // The last line clicked, for shift-click runs.
    let anchor = StoredValue::new(None::<usize>);
    let side = diff.side;
    // Every changed line in order, for runs.
    let order: Vec<Pick> = diff
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter_map(|l| Pick::of(l.kind, l.old_line, l.new_line))
        .collect();
    let order = StoredValue::new(order);
    let click_line = move |pick: Pick, shift: bool| {
        let at = order.with_value(|o| o.iter().position(|p| *p == pick));
        match (shift, anchor.get_value(), at) {
            (true, Some(from), Some(to)) => {
                let (a, b) = (from.min(to), from.max(to));
                let run: Vec<Pick> = order.with_value(|o| o[a..=b].to_vec());
                picked.update(|s| s.extend(run));
            }
            _ => picked.update(|s| {
                if !s.remove(&pick) {
                    s.insert(pick);
                }
            }),
        }
        anchor.set_value(at);
    };
    let act = move |action: LineAction, picks: Vec<Pick>| {
        if let Some(cb) = on_lines {
            cb.run((action, line_pick(picks)));
        }
    };
    let (apply_word, apply_action) = match side {
        DiffSide::Unstaged => ("Stage", LineAction::Stage),
        DiffSide::Staged => ("Unstage", LineAction::Unstage),
    };
    let pickable = on_lines.is_some();
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
            {(pickable && summary.is_none()).then(|| view! {
                <div class="diff-toolbar small-text">
                    {move || {
                        let n = picked.with(BTreeSet::len);
                        if n == 0 {
                            view! { <span class="muted">"Click lines to pick them (shift-click for a run), or use a hunk's buttons."</span> }.into_any()
                        } else {
                            view! {
                                <span>{format!("{} picked", count_label(n))}</span>
                                <button type="button" class="button small primary" data-testid="diff-apply-picked"
                                    on:click=move |_| act(apply_action, picked.get_untracked().into_iter().collect())>
                                    {format!("{apply_word} {}", count_label(n))}
                                </button>
                                {(side == DiffSide::Unstaged).then(|| view! {
                                    <button type="button" class="button small danger" data-testid="diff-discard-picked"
                                        title="Takes them out of the file; Undo on the Git page puts them back"
                                        on:click=move |_| act(LineAction::Discard, picked.get_untracked().into_iter().collect())>
                                        {format!("Discard {}", count_label(n))}
                                    </button>
                                })}
                                <button type="button" class="button small" data-testid="diff-clear-picked"
                                    on:click=move |_| picked.set(BTreeSet::new())>"Clear"</button>
                            }.into_any()
                        }
                    }}
                </div>
            })}
            {match summary {
                Some(text) => view! { <div class="diff-summary muted" data-testid="diff-summary">{text}</div> }.into_any(),
                None => view! {
                    <table class="diff-table mono">
                        <tbody>
                            {diff
                                .hunks
                                .into_iter()
                                .enumerate()
                                .map(|(i, h)| {
                                    let hunk_picks: Vec<Pick> = h
                                        .lines
                                        .iter()
                                        .filter_map(|l| Pick::of(l.kind, l.old_line, l.new_line))
                                        .collect();
                                    let for_apply = hunk_picks.clone();
                                    let for_discard = hunk_picks;
                                    let header = view! {
                                        <tr class="diff-hunk"><td colspan="3">
                                            <span class="diff-hunk-head">
                                                <span class="truncate">{h.header}</span>
                                                {pickable.then(|| view! {
                                                    <span class="row-actions">
                                                        <button type="button" class="button tiny" data-testid=format!("diff-hunk-apply-{i}")
                                                            on:click=move |_| act(apply_action, for_apply.clone())>{format!("{apply_word} hunk")}</button>
                                                        {(side == DiffSide::Unstaged).then(|| view! {
                                                            <button type="button" class="button tiny danger" data-testid=format!("diff-hunk-discard-{i}")
                                                                title="Takes the hunk out of the file; Undo on the Git page puts it back"
                                                                on:click=move |_| act(LineAction::Discard, for_discard.clone())>"Discard hunk"</button>
                                                        })}
                                                    </span>
                                                })}
                                            </span>
                                        </td></tr>
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
                                            let pick = Pick::of(l.kind, l.old_line, l.new_line).filter(|_| pickable);
                                            let is_picked = move || pick.is_some_and(|p| picked.with(|s| s.contains(&p)));
                                            view! {
                                                <tr class=class class:pickable=pick.is_some() class:picked=is_picked
                                                    data-testid=pick.map(Pick::test_id)
                                                    aria-selected=move || pick.map(|_| is_picked().to_string())
                                                    on:click=move |ev: leptos::ev::MouseEvent| {
                                                        if let Some(p) = pick {
                                                            click_line(p, ev.shift_key());
                                                        }
                                                    }>
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
