//! hm-workforce: worker and contractor profiles, nearby search, sites, kiosks and attendance.
//! (Issue #5, in progress: the data model and the nearby search with its benchmark are here; the HTTP
//! service, events and the rest of the issue follow.)

pub mod domain;
pub mod store;

use hm_platform::db::{self, EmbeddedMigrations};

pub const MIGRATIONS: EmbeddedMigrations = db::embed_migrations!("migrations");
