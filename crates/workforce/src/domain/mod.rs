//! Workforce's rules, free of I/O.

pub mod attendance;
pub mod export;
pub mod geo;
pub mod kiosks;
pub mod sites;
pub mod skills;
pub mod workers;

use uuid::Uuid;

/// Who is asking: a user, and whether they are an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: Uuid,
    pub admin: bool,
}
