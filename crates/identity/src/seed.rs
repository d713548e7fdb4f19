//! `hm-identity seed`: the demo users of spec/CONFIG.md §4.2, created once (get-or-create by phone).

use crate::passwords;
use crate::store::users::{self, NewPhoneUser};
use diesel_async::AsyncPgConnection;
use hm_contracts::Role;
use hm_platform::cli::SeedError;

pub struct DemoUser {
    pub phone: &'static str,
    pub role: Role,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub language: &'static str,
}

pub const DEMO_USERS: [DemoUser; 4] = [
    DemoUser {
        phone: "+919876543210",
        role: Role::Worker,
        first_name: "Raju",
        last_name: "Kumar",
        language: "hi",
    },
    DemoUser {
        phone: "+919876543211",
        role: Role::Contractor,
        first_name: "Vikram",
        last_name: "Singh",
        language: "en",
    },
    DemoUser {
        phone: "+919876543212",
        role: Role::Worker,
        first_name: "Sunil",
        last_name: "Yadav",
        language: "mr",
    },
    DemoUser {
        phone: "+919000000001",
        role: Role::Employer,
        first_name: "Amit",
        last_name: "Verma",
        language: "en",
    },
];

/// Creates the demo users that do not exist yet; returns how many were created. New users are announced
/// with `identity.user.registered` like any other sign-up, existing ones re-announced with
/// `identity.user.updated`, so a service whose projection started after them still learns them.
pub async fn run(conn: &mut AsyncPgConnection) -> Result<usize, SeedError> {
    let password = passwords::hash("demo1234".into())
        .await
        .map_err(|e| SeedError::Step(Box::new(e)))?;
    let mut created = 0;
    for demo in &DEMO_USERS {
        let made = users::get_or_create_announced(
            conn,
            NewPhoneUser {
                phone: demo.phone,
                role: demo.role,
                first_name: demo.first_name,
                last_name: demo.last_name,
                language_preference: demo.language,
                is_phone_verified: true,
                password_hash: &password,
            },
        )
        .await?;
        created += usize::from(made);
    }
    Ok(created)
}
