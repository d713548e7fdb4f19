//! Jobs' rules, free of I/O.

pub mod job;
