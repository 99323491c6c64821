//! A list of records loaded by one command and kept current by an
//! `…:updated` / `…:deleted` event pair while the page is mounted, with the
//! page's selection (MCP servers, deployments …).

use crate::ipc;
use ai_desktop_api::commands::Command;
use ai_desktop_api::events::Deleted;
use ai_desktop_api::ApiError;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

use leptos::task::spawn_local;
use serde::de::DeserializeOwned;

/// What a live list needs to know of its records.
pub trait Listed: Clone + PartialEq + DeserializeOwned + Send + Sync + 'static {
    fn record_id(&self) -> i64;
    /// The list is ordered by this (case-insensitively).
    fn sort_key(&self) -> &str;
}

impl Listed for ai_desktop_api::mcp::McpServer {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self) -> &str {
        &self.name
    }
}

impl Listed for ai_desktop_api::deployments::Deployment {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self) -> &str {
        &self.name
    }
}

pub struct LiveList<T: Send + Sync + 'static> {
    /// `None` until the first load answers.
    pub items: RwSignal<Option<Result<Vec<T>, ApiError>>>,
    pub selected: RwSignal<Option<i64>>,
    load: StoredValue<Loader<T>, LocalStorage>,
}

/// Reads every record (the list command).
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
        let load: Loader<T> = Box::new(move || {
            let list = list.clone();
            Box::pin(async move { ipc::call(&list).await })
        });
        let list: LiveList<T> = LiveList {
            items: RwSignal::new(None),
            selected: RwSignal::new(None),
            load: StoredValue::new_local(load),
        };
        ipc::listen_while_mounted(updated, move |item: T| {
            list.items.update(|s| {
                if let Some(Ok(items)) = s {
                    match items.iter_mut().find(|x| x.record_id() == item.record_id()) {
                        Some(existing) => *existing = item,
                        None => items.push(item),
                    }
                    items.sort_by_key(|x| x.sort_key().to_lowercase());
                }
            });
        });
        ipc::listen_while_mounted(deleted, move |d: Deleted| {
            list.items.update(|s| {
                if let Some(Ok(items)) = s {
                    items.retain(|x| x.record_id() != d.id);
                }
            });
            if list.selected.get_untracked() == Some(d.id) {
                list.selected.set(None);
            }
        });
        list.reload();
        list
    }

    /// Loads again; selects the first record if none is selected.
    pub fn reload(self) {
        let Some(loading) = self.load.try_with_value(|load| load()) else {
            return;
        };
        spawn_local(async move {
            let result = loading.await;
            if let Ok(items) = &result {
                if self.selected.get_untracked().is_none() {
                    self.selected.set(items.first().map(|x| x.record_id()));
                }
            }
            self.items.set(Some(result));
        });
    }

    /// The loaded records (empty before the first load or after an error).
    pub fn rows(self) -> Vec<T> {
        match self.items.get() {
            Some(Ok(items)) => items,
            _ => Vec::new(),
        }
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
