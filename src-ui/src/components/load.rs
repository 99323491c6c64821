//! Loading the Leptos way: what a view shows is a `LocalResource` read
//! under `<Suspense>`, so the spinner, the error and the value come from one
//! place and a `refetch()` reloads it; the error, if any, is shown where it
//! happened, with its details.

use crate::components::toast::ErrorText;
use crate::ipc;
use ai_desktop_api::commands::Command;
use ai_desktop_api::ApiError;
use leptos::prelude::*;

/// A result loaded by an IPC call.
pub type Loading<T> = LocalResource<Result<T, ApiError>>;

/// Loads what the command `make` builds answers (again on `refetch()`, and
/// whenever a signal `make` reads changes).
pub fn resource<C>(make: impl Fn() -> C + 'static) -> Loading<C::Output>
where
    C: Command + 'static,
    C::Output: 'static,
{
    LocalResource::new(move || {
        let command = make();
        async move { ipc::call(&command).await }
    })
}

/// `show(value)` once `resource` has loaded, its error otherwise, and a
/// spinner saying `loading` until then (also while it reloads the first
/// time; later reloads keep the old view until the new value arrives).
pub fn loaded<T, V>(
    resource: Loading<T>,
    loading: &'static str,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=move || view! { <div class="loading"><span class="spinner"></span>{loading}</div> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
