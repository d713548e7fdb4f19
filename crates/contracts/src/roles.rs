use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role of a user (DOMAIN §1.1). `admin` is only ever granted by the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Worker,
    Contractor,
    Employer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Worker, Role::Contractor, Role::Employer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Contractor => "contractor",
            Role::Employer => "employer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}
