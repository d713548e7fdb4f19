//! Wire types shared by every HunarMitra service: the event envelope, the payload of every event,
//! roles and the names of event types. Nothing here does I/O.

pub mod ekyc;
pub mod events;
pub mod roles;
pub mod skills;
pub mod tokens;

pub use ekyc::EkycStatus;
pub use events::Event;
pub use roles::Role;
