use chrono::{DateTime, Utc};
use hm_contracts::{EkycStatus, Role};
use std::str::FromStr;
use uuid::Uuid;

/// A user as identity's rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub phone: Option<String>,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub language_preference: String,
    pub is_phone_verified: bool,
    pub is_active: bool,
    pub is_staff: bool,
    pub has_worker_profile: bool,
    pub has_contractor_profile: bool,
    /// DOMAIN §1.5; the digits themselves are never part of a `User`.
    pub ekyc_status: EkycStatus,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// `profile_exists` of verify-otp (API §3.2).
    pub fn profile_exists(&self) -> bool {
        match self.role {
            Role::Worker => self.has_worker_profile,
            Role::Contractor => self.has_contractor_profile,
            _ => false,
        }
    }
}

/// Roles a phone user may ask for at sign-up; `admin` only comes from the back office.
pub const SIGNUP_ROLES: [&str; 3] = ["worker", "contractor", "employer"];

pub fn parse_role(s: &str) -> Role {
    Role::from_str(s).unwrap_or(Role::Worker)
}

/// An admin may change anything of a user but their own activation off: the back office would lock them
/// out. Whether `patch_is_active` from admin `actor` may be applied to `target`.
pub fn may_set_activation(actor: Uuid, target: Uuid, patch_is_active: Option<bool>) -> bool {
    !(actor == target && patch_is_active == Some(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_cannot_deactivate_themself() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(!may_set_activation(me, me, Some(false)));
        assert!(may_set_activation(me, me, Some(true)));
        assert!(may_set_activation(me, me, None));
        assert!(may_set_activation(me, other, Some(false)));
    }
}
