//! The history graph: every commit of the repository's branches with its
//! lanes, virtualized (only the rows in view are in the page) and read in
//! pages as the view scrolls, so a 100,000-commit history scrolls like a
//! short one.

use super::*;
use ai_desktop_api::git::GraphRow;
use std::collections::{BTreeMap, BTreeSet};

const ROW_PX: f64 = 26.0;
const VIEW_PX: f64 = 390.0;
const OVERSCAN: usize = 12;
/// Rows read per call.
const PAGE: u32 = 200;
const LANE_PX: f64 = 14.0;
/// Lanes drawn at most (wider histories are cut at the right).
const MAX_LANES: u16 = 16;
/// Lane colours (classes `lane-0` …).
const COLOURS: u16 = 8;

fn lane_x(lane: u16) -> f64 {
    f64::from(lane) * LANE_PX + LANE_PX / 2.0
}

/// "3 h ago", "2 d ago", or the date for older ones.
pub(super) fn when(secs: i64) -> String {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let d = (now - secs).max(0);
    match d {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", d / 60),
        3600..=86_399 => format!("{} h ago", d / 3600),
        86_400..=2_592_000 => format!("{} d ago", d / 86_400),
        _ => {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
            format!(
                "{}-{:02}-{:02}",
                date.get_full_year(),
                date.get_month() + 1,
                date.get_date()
            )
        }
    }
}

/// A commit in a plain list (search results, a file's history): short id,
/// summary, author and when; a click opens it.
#[component]
pub(super) fn CommitLine(commit: CommitInfo, on_pick: Callback<CommitInfo>) -> impl IntoView {
    let pick = commit.clone();
    view! {
        <li class="git-commit clickable" on:click=move |_| on_pick.run(pick.clone())>
            <span class="mono muted">{commit.short_id.clone()}</span>" "
            <span>{commit.summary.clone()}</span>
            <span class="muted small-text">{format!(" — {} · {}", commit.author, when(commit.time))}</span>
        </li>
    }
}

/// One row's lanes as SVG lines and its commit's dot.
fn lanes_svg(r: &GraphRow, width: u16) -> impl IntoView {
    let w = f64::from(width.clamp(1, MAX_LANES)) * LANE_PX;
    let (top, mid, bottom) = (0.0, ROW_PX / 2.0, ROW_PX);
    let col = r.column;
    let line = |x1: f64, y1: f64, x2: f64, y2: f64, lane: u16| {
        view! {
            <line x1=x1 y1=y1 x2=x2 y2=y2 class=format!("lane-{}", lane % COLOURS)/>
        }
    };
    let mut lines = Vec::new();
    for &l in &r.through {
        lines.push(line(lane_x(l), top, lane_x(l), bottom, l));
    }
    for &l in &r.up {
        lines.push(line(lane_x(l), top, lane_x(col), mid, l));
    }
    for &l in &r.down {
        lines.push(line(lane_x(col), mid, lane_x(l), bottom, l));
    }
    let merge = r.commit.parents.len() > 1;
    view! {
        <svg class="graph-lanes" width=w height=ROW_PX viewBox=format!("0 0 {w} {ROW_PX}") aria-hidden="true">
            {lines}
            <circle cx=lane_x(col) cy=mid r=if merge { 3.0 } else { 4.0 }
                class=format!("dot lane-{}", col % COLOURS) class:merge=merge/>
        </svg>
    }
}

/// The rows the page should hold: those in view and [`OVERSCAN`] around
/// them, of a history of `total` rows, the view scrolled to `scroll_top`.
/// A history now shorter than where the view is (a reset, a deleted
/// branch; the pane scrolls back only at its next frame) wants its end.
fn rows_wanted(scroll_top: f64, total: u32) -> std::ops::Range<u32> {
    let in_view = (VIEW_PX / ROW_PX) as u32;
    let around = OVERSCAN as u32;
    let first = ((scroll_top / ROW_PX) as u32)
        .saturating_sub(around)
        .min(total.saturating_sub(in_view + around));
    let last = (first + in_view + 2 * around).min(total);
    first..last
}

#[component]
pub(super) fn HistoryGraph(
    repository_id: i64,
    /// Moves when the refs may have moved (a commit, a switch, a pull …).
    #[prop(into)]
    version: Signal<u32>,
    on_pick: Callback<CommitInfo>,
) -> impl IntoView {
    // Rows laid out so far, and whether that is the whole history (more
    // come as the pages further down are read).
    let total = RwSignal::new(None::<u32>);
    let exact = RwSignal::new(false);
    let layout = StoredValue::new(0u32);
    let width = RwSignal::new(1u16);
    let rows = RwSignal::new(BTreeMap::<u32, GraphRow>::new());
    let error = RwSignal::new(None::<ApiError>);
    let scroll_top = RwSignal::new(0.0_f64);
    // Pages asked for and not answered yet, and the layout they belong to.
    let asked = StoredValue::new(BTreeSet::<u32>::new());
    let generation = StoredValue::new(0u32);

    let fetch = move |page: u32| {
        if !asked.try_update_value(|a| a.insert(page)).unwrap_or(false) {
            return;
        }
        let gen = generation.get_value();
        spawn_local(async move {
            let r = ipc::call(&git::Graph {
                repository_id,
                offset: page * PAGE,
                limit: PAGE,
            })
            .await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match r {
                Ok(p) => {
                    // Another layout than the rows we hold: start over with it.
                    if layout.get_value() != p.layout {
                        if total.get_untracked().is_some() {
                            rows.set(BTreeMap::new());
                            asked.set_value(BTreeSet::from([page]));
                        }
                        layout.set_value(p.layout);
                    }
                    total.set(Some(p.total));
                    exact.set(p.exact);
                    width.set(p.width);
                    rows.update(|m| {
                        for (i, r) in p.rows.into_iter().enumerate() {
                            m.insert(p.offset + i as u32, r);
                        }
                    });
                    error.set(None);
                }
                Err(e) => {
                    asked.update_value(|a| {
                        a.remove(&page);
                    });
                    error.set(Some(e));
                }
            }
        });
    };
    // Read again from the top when the refs may have moved.
    Effect::new(move |_| {
        version.track();
        generation.update_value(|g| *g += 1);
        asked.set_value(BTreeSet::new());
        rows.set(BTreeMap::new());
        total.set(None);
        fetch(0);
    });
    let visible = move || {
        let Some(total) = total.get() else {
            return Vec::new();
        };
        let std::ops::Range {
            start: first,
            end: last,
        } = rows_wanted(scroll_top.get(), total);
        // The pages these rows are on, read if missing.
        if first < last {
            for page in first / PAGE..=(last - 1) / PAGE {
                if !rows.with_untracked(|m| m.contains_key(&(page * PAGE))) {
                    fetch(page);
                }
            }
        }
        rows.with(|m| {
            m.range(first..last)
                .map(|(i, r)| (*i, r.clone()))
                .collect::<Vec<_>>()
        })
    };
    // A search of the history shows its results instead of the graph.
    let field = RwSignal::new("message".to_string());
    let term = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Result<Vec<CommitInfo>, ApiError>>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = term.get_untracked().trim().to_string();
        if t.is_empty() {
            found.set(None);
            return;
        }
        let mut query = ai_desktop_api::git::HistoryQuery::default();
        match field.get_untracked().as_str() {
            "author" => query.author = t,
            "path" => query.path = t,
            "content" => query.content = t,
            _ => query.message = t,
        }
        spawn_local(async move {
            found.set(Some(
                ipc::call(&git::SearchHistory {
                    repository_id,
                    query,
                })
                .await,
            ));
        });
    };
    let pane = NodeRef::<leptos::html::Div>::new();
    let on_scroll = move |_| {
        if let Some(el) = pane.get() {
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    view! {
        <div class="panel" data-testid="git-history">
            <div class="panel-head">
                <div class="panel-title small">"History"
                    <span class="muted small-text">
                        {move || total.get().map(|t| format!("{t}{} commits · click one for its diff", if exact.get() { "" } else { "+" }))}
                    </span>
                </div>
                <form class="input-row history-search" on:submit=search>
                    <select class="input small-input" aria-label="Search in" data-testid="git-search-field"
                        prop:value=move || field.get() on:change=move |ev| field.set(event_target_value(&ev))>
                        <option value="message">"Message"</option>
                        <option value="author">"Author"</option>
                        <option value="path">"Path"</option>
                        <option value="content">"Changed text"</option>
                    </select>
                    <input class="input small-input" type="search" placeholder="Search the history" data-testid="git-search"
                        prop:value=move || term.get() on:input=move |ev| {
                            term.set(event_target_value(&ev));
                            if term.with_untracked(String::is_empty) { found.set(None); }
                        }/>
                </form>
            </div>
            {move || found.get().map(|r| match r {
                Err(e) => view! { <ErrorText error=e/> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="git-search-results">"No commit matches."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="plain-list" data-testid="git-search-results">
                        {list.into_iter().map(|c| view! { <CommitLine commit=c on_pick/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            {move || error.get().map(|e| view! { <ErrorText error=e/> })}
            {move || (total.get().is_none() && error.with(Option::is_none)).then(|| view! {
                <div class="loading"><span class="spinner"></span>"Reading the history…"</div>
            })}
            {move || (total.get() == Some(0)).then(|| view! {
                <p class="muted" data-testid="git-history-empty">"No commits yet."</p>
            })}
            <div class="graph-view" node_ref=pane on:scroll=on_scroll data-testid="git-log"
                style:display=move || if found.with(Option::is_some) { "none" } else { "" }
                style:height=move || format!("{}px", (total.get().unwrap_or(0) as f64 * ROW_PX).min(VIEW_PX))>
                <div style:height=move || format!("{}px", total.get().unwrap_or(0) as f64 * ROW_PX) style:position="relative">
                    <For
                        each=visible
                        key=|(i, r)| (*i, r.commit.id.clone())
                        children=move |(i, r)| {
                            let pick = r.commit.clone();
                            view! {
                                <div class="graph-row git-commit clickable" style:top=format!("{}px", f64::from(i) * ROW_PX)
                                    title=format!("{} — {} <{}>", r.commit.id, r.commit.author, r.commit.email)
                                    on:click=move |_| on_pick.run(pick.clone())>
                                    {lanes_svg(&r, width.get_untracked())}
                                    <span class="mono muted">{r.commit.short_id.clone()}</span>
                                    {r.refs.iter().map(|label| {
                                        let class = if label.starts_with("HEAD") {
                                            "ref-badge head"
                                        } else if label.starts_with("tag: ") {
                                            "ref-badge tag"
                                        } else {
                                            "ref-badge"
                                        };
                                        view! { <span class=class>{label.clone()}</span> }
                                    }).collect_view()}
                                    <span class="truncate graph-summary">{r.commit.summary.clone()}</span>
                                    <span class="muted small-text nowrap">{format!("{} · {}", r.commit.author, when(r.commit.time))}</span>
                                </div>
                            }
                        }
                    />
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_wanted_are_those_in_view_and_around_them() {
        let in_view = (VIEW_PX / ROW_PX) as u32;
        let around = OVERSCAN as u32;
        assert_eq!(rows_wanted(0.0, 1000), 0..in_view + 2 * around);
        let at = 500.0 * ROW_PX;
        assert_eq!(rows_wanted(at, 1000), 500 - around..500 + in_view + around);
        assert_eq!(rows_wanted(0.0, 3), 0..3);
        assert_eq!(rows_wanted(0.0, 0), 0..0);
    }

    /// The history got shorter (a reset, a deleted branch) while the view
    /// was scrolled far down, before the pane's own scroll follows: what is
    /// wanted is still a range (a `BTreeMap::range` panics on a reversed
    /// one, and a panic ends the page), and it is the new history's end.
    #[test]
    fn a_history_shorter_than_the_scrolled_view_wants_its_end() {
        let bottom_of_450 = (450.0 - VIEW_PX / ROW_PX) * ROW_PX;
        for total in [0, 1, 11, 40, 200] {
            let wanted = rows_wanted(bottom_of_450, total);
            assert!(wanted.start <= wanted.end, "{total}: {wanted:?}");
            assert_eq!(wanted.end, total, "{total}: {wanted:?}");
            let rows: std::collections::BTreeMap<u32, ()> = (0..total).map(|i| (i, ())).collect();
            assert_eq!(rows.range(wanted.clone()).count(), wanted.len());
        }
        assert_eq!(rows_wanted(bottom_of_450, 11), 0..11);
    }
}
