//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod backoffice;
pub mod devices;
pub mod notifications;
pub mod pushes;
pub mod refs;
pub mod sms_log;
pub mod timeline;
