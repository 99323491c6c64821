//! A list of records loaded by one command and kept current by an
//! `…:updated` / `…:deleted` event pair while its owner is mounted, with a
//! selection: every list page (repositories, deployments, MCP servers,
//! Flow sessions) is one.

use crate::ipc;
use ai_desktop_api::commands::Command;
use ai_desktop_api::events::Deleted;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use std::cmp::Ordering;
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;

/// What a live list needs to know of its records.
pub trait Listed: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static {
    fn record_id(&self) -> i64;
    /// The list's order (the same as the list command's).
    fn order(&self, other: &Self) -> Ordering;
}

/// Records listed by name, case-insensitively.
macro_rules! listed_by_name {
    ($($t:ty),*) => {$(
        impl Listed for $t {
            fn record_id(&self) -> i64 {
                self.id
            }
            fn order(&self, other: &Self) -> Ordering {
                self.name.to_lowercase().cmp(&other.name.to_lowercase())
            }
        }
    )*};
}

listed_by_name!(
    ai_desktop_api::mcp::McpServer,
    ai_desktop_api::deployments::Deployment,
    ai_desktop_api::repos::Repository
);

/// The most recently active first.
impl Listed for ai_desktop_api::flow::FlowSession {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn order(&self, other: &Self) -> Ordering {
        other
            .updated_at
            .cmp(&self.updated_at)
            .then(other.id.cmp(&self.id))
    }
}

pub struct LiveList<T: Send + Sync + 'static> {
    /// `None` until the first load answers.
    pub items: RwSignal<Option<Result<Vec<T>, ApiError>>>,
    pub selected: RwSignal<Option<i64>>,
    load: StoredValue<Loader<T>, LocalStorage>,
    fresh: ipc::Freshness,
}

/// Reads every record (the list command, built anew for each load).
type Loader<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Vec<T>, ApiError>>>>>;

impl<T: Send + Sync + 'static> Clone for LiveList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for LiveList<T> {}

impl<T: Listed> LiveList<T> {
    /// Loads the list with `list` (a command answering with every record)
    /// and follows `updated` (upsert) and `deleted` (remove, and unselect)
    /// until the calling component unmounts.
    pub fn start<C: Command<Output = Vec<T>> + Clone + 'static>(
        list: C,
        updated: &'static str,
        deleted: &'static str,
    ) -> Self {
        Self::start_with(move || list.clone(), updated, deleted, |_, _| true)
    }

    /// [`LiveList::start`] for a list that shows some of the records (a
    /// filter, a search): `list` builds the command from the page's
    /// current choices, and `belongs(record, already_listed)` says whether
    /// an updated record is (still) in it; one that is not is removed.
    pub fn start_with<C: Command<Output = Vec<T>> + 'static>(
        list: impl Fn() -> C + 'static,
        updated: &'static str,
        deleted: &'static str,
        belongs: impl Fn(&T, bool) -> bool + 'static,
    ) -> Self {
        let load: Loader<T> = Box::new(move || {
            let list = list();
            Box::pin(async move { ipc::call(&list).await })
        });
        let list: LiveList<T> = LiveList {
            items: RwSignal::new(None),
            selected: RwSignal::new(None),
            load: StoredValue::new_local(load),
            fresh: ipc::Freshness::new(),
        };
        let belongs = send_wrapper::SendWrapper::new(belongs);
        // The list is first read once both listeners are in place, and a
        // change heard while it is read makes it read again: a record saved
        // in between is not missed.
        let listening = std::rc::Rc::new(std::cell::Cell::new(0u8));
        let ready = move || {
            let listening = listening.clone();
            move || {
                listening.set(listening.get() + 1);
                if listening.get() == 2 {
                    list.reload();
                }
            }
        };
        ipc::listen_while_mounted_then(
            updated,
            move |item: T| {
                list.fresh.heard();
                list.items.update(|s| {
                    if let Some(Ok(items)) = s {
                        let at = items.iter().position(|x| x.record_id() == item.record_id());
                        match (at, belongs(&item, at.is_some())) {
                            (Some(i), true) => items[i] = item,
                            (Some(i), false) => {
                                items.remove(i);
                            }
                            (None, true) => items.push(item),
                            (None, false) => {}
                        }
                        items.sort_by(T::order);
                    }
                });
            },
            ready(),
        );
        ipc::listen_while_mounted_then(
            deleted,
            move |d: Deleted| {
                list.fresh.heard();
                list.items.update(|s| {
                    if let Some(Ok(items)) = s {
                        items.retain(|x| x.record_id() != d.id);
                    }
                });
                if list.selected.get_untracked() == Some(d.id) {
                    list.selected.set(None);
                }
            },
            ready(),
        );
        list
    }

    /// Loads again; selects the first record if none is selected (or the
    /// selected one is not in the list any more).
    pub fn reload(self) {
        self.fresh.load(move || async move {
            let Some(loading) = self.load.try_with_value(|load| load()) else {
                return;
            };
            let result = loading.await;
            if let Ok(items) = &result {
                // The view may be gone meanwhile: then nothing is kept.
                let Some(selected) = self.selected.try_get_untracked() else {
                    return;
                };
                let keep = selected.is_some_and(|id| items.iter().any(|x| x.record_id() == id));
                if !keep {
                    self.selected.try_set(items.first().map(|x| x.record_id()));
                }
            }
            self.items.try_set(Some(result));
        });
    }

    /// The loaded records (empty before the first load or after an error).
    pub fn rows(self) -> Vec<T> {
        match self.items.get() {
            Some(Ok(items)) => items,
            _ => Vec::new(),
        }
    }

    /// The loaded records; `None` before the first load or after an error.
    pub fn loaded(self) -> Option<Vec<T>> {
        match self.items.get() {
            Some(Ok(items)) => Some(items),
            _ => None,
        }
    }

    /// Why the last load failed.
    pub fn error(self) -> Option<ApiError> {
        self.items.with(|s| match s {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    }

    /// A selection of its own for a page showing this list (one shared by
    /// the app): the first record once the list is known, and another when
    /// the selected one is removed.
    pub fn selection(self) -> RwSignal<Option<i64>> {
        let selected = RwSignal::new(None::<i64>);
        Effect::new(move |_| {
            let Some(items) = self.loaded() else {
                return;
            };
            let current = selected.get_untracked();
            if current.is_none_or(|id| !items.iter().any(|r| r.record_id() == id)) {
                selected.set(items.first().map(|r| r.record_id()));
            }
        });
        selected
    }

    /// The selected record; a memo, so that other records' updates do not
    /// re-render (and reset) a detail pane built from it.
    pub fn current(self) -> Memo<Option<T>> {
        Memo::new(move |_| {
            let id = self.selected.get()?;
            self.items.with(|s| match s {
                Some(Ok(items)) => items.iter().find(|x| x.record_id() == id).cloned(),
                _ => None,
            })
        })
    }
}
