//! Twilio's delivery reports (`StatusCallback`): accepted only with a valid `X-Twilio-Signature`, they
//! record how each OTP message fared.

use crate::error::{NotificationsError, Result};
use crate::sms::{DeliveryReport, ReportError};
use crate::store::sms_log;
use crate::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use hm_platform::reply::{NoBody, Reply};
use paperclip::actix::{api_v2_operation, web, OperationModifier};
use paperclip::v2::models::{DataType, DefaultOperationRaw, Either, Parameter, ParameterIn};
use paperclip::v2::schema::Apiv2Schema;

/// Twilio's `StatusCallback` form (`application/x-www-form-urlencoded`), taken raw: its signature covers
/// the fields exactly as sent. Documented as the form fields the service reads (Twilio sends more).
#[derive(Debug)]
pub struct StatusCallback(pub web::Bytes);

impl FromRequest for StatusCallback {
    type Error = <web::Bytes as FromRequest>::Error;
    type Future =
        futures_util::future::LocalBoxFuture<'static, std::result::Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move { bytes.await.map(StatusCallback) })
    }
}

impl Apiv2Schema for StatusCallback {}

impl OperationModifier for StatusCallback {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        let field = |name: &str, required: bool, description: &str, choices: &[&str]| {
            Either::Right(Parameter {
                in_: ParameterIn::FormData,
                name: name.into(),
                required,
                description: Some(description.into()),
                data_type: Some(DataType::String),
                enum_: choices.iter().map(|c| (*c).into()).collect(),
                ..Default::default()
            })
        };
        // paperclip's OpenAPI 3 form schema keeps `required` of the first field only, hence "(required)".
        op.parameters.extend([
            field(
                "MessageSid",
                true,
                "The message's SID, as Twilio answered the send (required, at most 64 characters).",
                &[],
            ),
            field(
                "MessageStatus",
                true,
                "The message's delivery status (required).",
                &crate::sms::REPORTED_STATUSES,
            ),
            field(
                "ErrorCode",
                false,
                "Twilio's error code, for an undelivered or failed message.",
                &[],
            ),
        ]);
    }
}

/// The host Twilio called: the one the gateway was called at, else this service's.
fn public_host(req: &HttpRequest) -> String {
    req.headers()
        .get("x-forwarded-host")
        .or_else(|| req.headers().get(header::HOST))
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// 204 once recorded (also for a message this service did not send: Twilio need not retry).
#[api_v2_operation(tags(Notifications), consumes = "application/x-www-form-urlencoded")]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: StatusCallback,
) -> Result<Reply<NoBody, 204>> {
    let body = body.0;
    let token = state
        .twilio_auth_token
        .as_deref()
        .ok_or(NotificationsError::InvalidSignature)?;
    let signature = req
        .headers()
        .get("x-twilio-signature")
        .map(|v| v.as_bytes());
    let report = DeliveryReport::verify(token, &public_host(&req), req.path(), signature, body)
        .await
        .map_err(|e| match e {
            ReportError::BadSignature => NotificationsError::InvalidSignature,
            ReportError::Malformed => NotificationsError::MalformedReport,
        })?;
    let mut conn = state.db.get().await?;
    let n = sms_log::report_delivery(
        &mut conn,
        &report.message_sid,
        &report.status,
        report.error_code.as_deref(),
    )
    .await?;
    if n == 0 {
        tracing::info!(sid = %report.message_sid, "delivery report for an unknown message");
    }
    Ok(Reply::empty())
}
