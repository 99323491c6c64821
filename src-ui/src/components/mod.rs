//! Widgets shared by the module views.

pub mod clipboard;
pub mod confirm;
pub mod content;
pub mod dialog;
pub mod diff_view;
pub mod health;
pub mod highlight;
pub mod icons;
pub mod live_list;
pub mod load;
pub mod log_view;
pub mod markdown;
pub mod palette;
pub mod schema_form;
pub mod script;
pub mod secret_pairs;
pub mod status;
pub mod terminal_view;
pub mod toast;
