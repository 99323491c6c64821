//! Key/value rows whose values are masked until shown: environment
//! variables, HTTP headers.

use crate::components::icons::{Icon, Svg};
use leptos::prelude::*;

/// Key/value rows with masked values (env vars, headers).
#[component]
pub fn SecretPairs(
    pairs: RwSignal<Vec<(String, String)>>,
    key_label: &'static str,
    test_id: &'static str,
) -> impl IntoView {
    let revealed = RwSignal::new(false);
    // Rows are re-created only when one is added or removed, not on every
    // keystroke (which would take the focus out of the field being typed in).
    let count = Memo::new(move |_| pairs.with(|p| p.len()));
    view! {
        <div class="pairs" data-testid=test_id>
            {move || {
                (0..count.get()).map(|i| {
                    let key = move || pairs.with(|p| p.get(i).map(|x| x.0.clone()).unwrap_or_default());
                    let value = move || pairs.with(|p| p.get(i).map(|x| x.1.clone()).unwrap_or_default());
                    view! {
                        <div class="input-row">
                            <input class="input mono" placeholder=key_label prop:value=key
                                on:input=move |ev| pairs.update(|p| if let Some(x) = p.get_mut(i) { x.0 = event_target_value(&ev) })/>
                            <input class="input mono" placeholder="value" autocomplete="off"
                                prop:type=move || if revealed.get() { "text" } else { "password" }
                                prop:value=value
                                on:input=move |ev| pairs.update(|p| if let Some(x) = p.get_mut(i) { x.1 = event_target_value(&ev) })/>
                            <button type="button" class="icon-button danger" aria-label="Remove" on:click=move |_| pairs.update(|p| { if i < p.len() { p.remove(i); } })>
                                <Svg icon=Icon::Trash/>
                            </button>
                        </div>
                    }
                }).collect_view()
            }}
            <div class="toolbar">
                <button type="button" class="button small" on:click=move |_| pairs.update(|p| p.push((String::new(), String::new())))>"Add"</button>
                {move || (count.get() > 0).then(|| view! {
                    <button type="button" class="button small" on:click=move |_| revealed.update(|r| *r = !*r)>
                        {move || if revealed.get() { "Hide values" } else { "Show values" }}
                    </button>
                })}
            </div>
        </div>
    }
}
