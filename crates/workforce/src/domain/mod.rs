//! Workforce's rules, free of I/O.

pub mod geo;
