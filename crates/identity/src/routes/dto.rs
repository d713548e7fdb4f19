//! Request and response bodies of identity's endpoints.

use crate::domain::ekyc::{self, Last4, Last4Error};
use crate::domain::phone;
use crate::domain::user::{User, SIGNUP_ROLES};
use hm_platform::input::{FromInput, Input, Text};
use paperclip::actix::Apiv2Schema;
use paperclip::v2::models::DataType;
use paperclip::v2::schema::TypedData;
use serde::Serialize;
use serde_json::{Map, Value};
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

/// `POST /api/v1/auth/users/{user_id}/ekyc/upload/` (API §3.5).
#[derive(Debug, Apiv2Schema)]
pub struct EkycUploadBody {
    /// The last four digits of the Aadhaar number, as a string of exactly four ASCII digits (`"1234"`);
    /// never the whole number.
    pub aadhaar_last4: Last4,
}

impl EkycUploadBody {
    /// The body from the submitted `fields` (any of the three encodings), read only once the user and the
    /// caller's rights are checked: `domain::ekyc::Last4::from_field`.
    pub fn read(fields: &Map<String, Value>) -> Result<Self, Last4Error> {
        Last4::from_field(fields.get(ekyc::FIELD))
            .map(|aadhaar_last4| EkycUploadBody { aadhaar_last4 })
    }
}

/// Documented as a string (the digits are never rendered unmasked).
impl TypedData for Last4 {
    fn data_type() -> DataType {
        DataType::String
    }
}

/// The answer to an eKYC upload.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EkycUploaded {
    /// `success`.
    pub status: String,
    /// `eKYC data uploaded successfully`.
    pub message: String,
    /// `ocr_scanned`.
    pub ekyc_status: String,
    /// `XXXX-` and the four digits.
    pub aadhaar_masked: String,
}

impl EkycUploaded {
    /// The answer for `user` as stored after the upload of `digits` (shown masked).
    pub fn new(user: &User, digits: &Last4) -> Self {
        EkycUploaded {
            status: "success".to_owned(),
            message: "eKYC data uploaded successfully".to_owned(),
            ekyc_status: user.ekyc_status.to_string(),
            aadhaar_masked: digits.masked(),
        }
    }
}

/// `GET /api/v1/auth/users/{user_id}/ekyc/status/` (API §3.6).
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct EkycStatusBody {
    /// `none`, `ocr_scanned` or `verified`.
    pub ekyc_status: String,
    /// Only when digits are stored: `XXXX-1234`, or `XXXX-****` when they cannot be decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadhaar_masked: Option<String>,
}
