//! Request and response bodies of identity's endpoints.

use crate::domain::phone;
use crate::domain::user::{User, SIGNUP_ROLES};
use hm_platform::input::{FromInput, Input, Text};
use paperclip::actix::Apiv2Schema;
use serde::Serialize;
use uuid::Uuid;

/// `POST /api/v1/auth/request-otp/`
#[derive(Debug, Apiv2Schema)]
pub struct RequestOtpBody {
    /// `+919876543210`: optional `+`, optional `1`, then 9–15 digits.
    pub phone: String,
    /// `worker` (default), `contractor` or `employer`; used only when the login creates the user.
    pub role: Option<String>,
}

impl FromInput for RequestOtpBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let phone = input.text("phone", Text::required(phone::MAX_LEN));
        if let Some(p) = &phone {
            if !phone::is_valid(p) {
                input.error("phone", phone::FORMAT_MESSAGE);
            }
        }
        let role = input.choice("role", &SIGNUP_ROLES, Some("worker"));
        Some(RequestOtpBody {
            phone: phone?,
            role,
        })
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct RequestOtpResponse {
    pub request_id: Uuid,
    /// Seconds the code stays valid.
    pub ttl: u64,
    pub message: String,
    pub is_existing_user: bool,
    /// Only when the server runs with `DEBUG=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_otp: Option<String>,
}

/// `POST /api/v1/auth/verify-otp/`
#[derive(Debug, Apiv2Schema)]
pub struct VerifyOtpBody {
    pub request_id: Uuid,
    /// The 4–6 digit code from the SMS.
    pub otp: String,
}

impl FromInput for VerifyOtpBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let request_id = input.uuid("request_id", true);
        let otp = input.text("otp", Text::required(6).min(4));
        Some(VerifyOtpBody {
            request_id: request_id?,
            otp: otp?,
        })
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct UserBody {
    pub id: Uuid,
    pub phone: Option<String>,
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub is_phone_verified: bool,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        UserBody {
            id: u.id,
            phone: u.phone.clone(),
            role: u.role.to_string(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            is_phone_verified: u.is_phone_verified,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct LoginResponse {
    pub access: String,
    pub refresh: String,
    pub user: UserBody,
    pub is_new_user: bool,
    pub profile_exists: bool,
}

/// `POST /api/v1/auth/refresh/` and `POST /api/v1/auth/logout/`
#[derive(Debug, Apiv2Schema)]
pub struct RefreshBody {
    pub refresh: String,
}

impl FromInput for RefreshBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        input
            .text("refresh", Text::required(4096))
            .map(|refresh| RefreshBody { refresh })
    }
}

#[derive(Debug, Apiv2Schema)]
pub struct LogoutBody {
    /// The refresh token to revoke; optional.
    pub refresh: Option<String>,
}

impl FromInput for LogoutBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let refresh = input
            .text("refresh", Text::optional(4096))
            .filter(|r| !r.is_empty());
        Some(LogoutBody { refresh })
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
}

/// `POST /api/v1/auth/admin/login/`
#[derive(Debug, Apiv2Schema)]
pub struct AdminLoginBody {
    pub email: String,
    pub password: String,
}

impl FromInput for AdminLoginBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let email = input.text("email", Text::required(254));
        let password = input.text("password", Text::required(256));
        Some(AdminLoginBody {
            email: email?,
            password: password?,
        })
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AdminLoginResponse {
    pub access: String,
    pub refresh: String,
    pub user: MeBody,
}

/// `GET /api/v1/auth/me/`
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct MeBody {
    pub id: Uuid,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub language_preference: String,
    pub is_phone_verified: bool,
    pub is_active: bool,
    pub is_staff: bool,
    pub profile_exists: bool,
    pub date_joined: String,
}

impl MeBody {
    pub fn new(u: &User, date_joined: String) -> Self {
        MeBody {
            id: u.id,
            phone: u.phone.clone(),
            email: u.email.clone(),
            role: u.role.to_string(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            language_preference: u.language_preference.clone(),
            is_phone_verified: u.is_phone_verified,
            is_active: u.is_active,
            is_staff: u.is_staff,
            profile_exists: u.profile_exists(),
            date_joined,
        }
    }
}
