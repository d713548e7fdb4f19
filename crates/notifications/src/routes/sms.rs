//! Twilio's delivery reports (`StatusCallback`): accepted only with a valid `X-Twilio-Signature`, they
//! record how each OTP message fared.

use crate::error::Result;
use crate::sms::{DeliveryReport, ReportError};
use crate::store::sms_log;
use crate::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use hm_platform::reply::Reply;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web};

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
#[api_v2_operation(tags(Notifications))]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<Reply<204>> {
    let forbidden = || ApiError::error(StatusCode::FORBIDDEN, "Invalid Twilio signature");
    let token = state.twilio_auth_token.as_deref().ok_or_else(forbidden)?;
    let signature = req
        .headers()
        .get("x-twilio-signature")
        .map(|v| v.as_bytes());
    let report = DeliveryReport::verify(token, &public_host(&req), req.path(), signature, body)
        .await
        .map_err(|e| match e {
            ReportError::BadSignature => forbidden(),
            ReportError::Malformed => ApiError::error(
                StatusCode::BAD_REQUEST,
                "Expected MessageSid and a known MessageStatus",
            ),
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
