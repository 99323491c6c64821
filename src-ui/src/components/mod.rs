//! Widgets shared by the module views.

pub mod dialog;
pub mod icons;
pub mod toast;
