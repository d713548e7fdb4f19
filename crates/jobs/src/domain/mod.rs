//! Jobs' rules, free of I/O.

pub mod application;
pub mod booking;
pub mod dashboard;
pub mod dispatch;
pub mod emergency;
pub mod job;
pub mod payment;
pub mod tracking;
