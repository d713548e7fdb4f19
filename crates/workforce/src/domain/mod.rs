//! Workforce's rules, free of I/O.

pub mod export;
pub mod geo;
