//! Notifications' rules, free of I/O.

pub mod messages;
pub mod timeline;
