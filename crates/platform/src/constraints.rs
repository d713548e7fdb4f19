//! How a violated database constraint is answered (issue #15). Every "one per …" rule is decided by the
//! database (a unique constraint or index), not by a check before the write, so two concurrent requests
//! cannot both pass; the loser's violation is answered here with the endpoint's 400, the same body the
//! rule gives when there is no race. Each service lists its rules once, next to its tables
//! (`store::CONSTRAINTS`), and names them in its [`crate::server::ServiceInfo`]; every error type of
//! every service maps a database error through [`answer`].

use crate::error::{ApiError, FieldErrors};
use actix_web::http::StatusCode;
use diesel::result::{DatabaseErrorKind, Error};
use std::sync::RwLock;

/// What a client is told when its write violates the constraint `name`.
#[derive(Debug, Clone, Copy)]
pub struct Constraint {
    /// The constraint's or unique index's name in PostgreSQL, e.g. `worker_profiles_user_id_key`.
    pub name: &'static str,
    pub answer: Answer,
}

/// The 400 body of a violated constraint.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Shape V: `{"<field>": ["<message>"]}` (DRF's unique validators: `<entity> with this <field>
    /// already exists.`).
    Field(&'static str, &'static str),
    /// Shape E: `{"error": "<message>"}`, where the endpoint's own refusal has that shape.
    Error(&'static str),
}

impl Constraint {
    /// `name`'s violation answers 400 `{"<field>": ["<message>"]}`.
    pub const fn field(name: &'static str, field: &'static str, message: &'static str) -> Self {
        Constraint {
            name,
            answer: Answer::Field(field, message),
        }
    }

    /// `name`'s violation answers 400 `{"error": "<message>"}`.
    pub const fn error(name: &'static str, message: &'static str) -> Self {
        Constraint {
            name,
            answer: Answer::Error(message),
        }
    }

    fn to_api(self) -> ApiError {
        match self.answer {
            Answer::Field(field, message) => ApiError::fields(FieldErrors::single(field, message)),
            Answer::Error(message) => ApiError::error(StatusCode::BAD_REQUEST, message),
        }
    }
}

/// The rules of every service served by this process (one in production; tests may run several).
static RULES: RwLock<Vec<&'static [Constraint]>> = RwLock::new(Vec::new());

/// Makes `rules` known to [`answer`]; registering the same list again changes nothing.
pub fn register(rules: &'static [Constraint]) {
    if rules.is_empty() {
        return;
    }
    if let Ok(mut all) = RULES.write() {
        if !all.iter().any(|known| std::ptr::eq(*known, rules)) {
            all.push(rules);
        }
    }
}

fn rule(name: &str) -> Option<Constraint> {
    let all = RULES.read().ok()?;
    all.iter()
        .flat_map(|rules| rules.iter())
        .find(|c| c.name == name)
        .copied()
}

/// The answer to a database error: a violated unique, check or foreign-key constraint is the client's
/// input meeting a rule, so a 400 (the registered body, or a generic one that names no internals while
/// the log names the constraint to register); anything else is a 500 with its cause logged.
pub fn answer(e: &Error) -> ApiError {
    let Error::DatabaseError(kind, info) = e else {
        return ApiError::internal(e);
    };
    let generic = match kind {
        DatabaseErrorKind::UniqueViolation => "A record with these values already exists.",
        DatabaseErrorKind::CheckViolation => "Invalid data.",
        DatabaseErrorKind::ForeignKeyViolation => "A referenced object does not exist.",
        _ => return ApiError::internal(e),
    };
    let name = info.constraint_name().unwrap_or("");
    match rule(name) {
        Some(c) => c.to_api(),
        None => {
            // Still the client's input meeting a rule, so a 400; but a rule without its own answer is
            // ours to fix, so it is logged as an error.
            tracing::error!(constraint = name, error = %e, "constraint without a registered answer");
            ApiError::fields(FieldErrors::single("non_field_errors", generic))
        }
    }
}

/// The rules whose constraint or unique index does not exist in `conn`'s database: a misspelt name would
/// silently fall back to the generic answer, so a service refuses to start with one
/// ([`crate::server::Foundation::start`]).
pub async fn missing(
    conn: &mut diesel_async::AsyncPgConnection,
    rules: &[Constraint],
) -> Result<Vec<&'static str>, Error> {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    // Raw SQL: the catalog (pg_constraint, pg_indexes) is no table of the service's schema.rs.
    let known: Vec<String> = diesel::sql_query(
        "SELECT conname::text AS name FROM pg_constraint \
         UNION SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()",
    )
    .load::<Name>(conn)
    .await?
    .into_iter()
    .map(|n| n.name)
    .collect();
    Ok(rules
        .iter()
        .map(|c| c.name)
        .filter(|name| !known.iter().any(|k| k == name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Info(&'static str);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            "duplicate key value violates unique constraint"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.0)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn violation(kind: DatabaseErrorKind, name: &'static str) -> Error {
        Error::DatabaseError(kind, Box::new(Info(name)))
    }

    static RULES_UNDER_TEST: [Constraint; 2] = [
        Constraint::error(
            "test_profiles_user_id_key",
            "Profile already exists for this user.",
        ),
        Constraint::field(
            "test_kiosks_device_key",
            "device",
            "kiosk with this device already exists.",
        ),
    ];

    #[test]
    fn violations_get_the_registered_400_or_a_generic_one() {
        register(&RULES_UNDER_TEST);
        register(&RULES_UNDER_TEST);
        let body = |e: Error| {
            let api = answer(&e);
            (api.status().as_u16(), api.json_body().cloned())
        };
        assert_eq!(
            body(violation(
                DatabaseErrorKind::UniqueViolation,
                "test_profiles_user_id_key"
            )),
            (
                400,
                Some(json!({"error": "Profile already exists for this user."}))
            )
        );
        assert_eq!(
            body(violation(
                DatabaseErrorKind::UniqueViolation,
                "test_kiosks_device_key"
            )),
            (
                400,
                Some(json!({"device": ["kiosk with this device already exists."]}))
            )
        );
        assert_eq!(
            body(violation(
                DatabaseErrorKind::CheckViolation,
                "unknown_check"
            )),
            (400, Some(json!({"non_field_errors": ["Invalid data."]})))
        );
        assert_eq!(body(Error::NotFound).0, 500);
        assert_eq!(
            body(violation(DatabaseErrorKind::SerializationFailure, "x")).0,
            500
        );
    }
}
