//! Payments (API §7.8–7.9). Cash first: with `ENABLE_PAYMENTS=false` creating a payment is 503
//! `payments_disabled` and webhooks are acknowledged untouched. Otherwise a booking's owner opens a
//! payment, and the gateway's webhook (HMAC-signed when `PAYMENT_WEBHOOK_SECRET` is set) moves it;
//! a completed payment pays the worker 80 % once, however often the webhook is delivered.

use super::RawBody;
use crate::domain::payment::{self, PaymentStatus};
use crate::error::{JobsError, Result};
use crate::store::payments::{self, Payment};
use crate::AppState;
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use hm_platform::auth::AuthUser;
use hm_platform::input::{parse, Decimal, FromInput, Input, Text};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

/// `POST /api/v1/payments/create/`
#[derive(Debug, Apiv2Schema)]
pub struct PaymentBody {
    pub booking_id: Uuid,
    /// Decimal (10,2), more than zero.
    pub amount: String,
    /// `razorpay`, `stripe` or `manual` (default).
    pub gateway: String,
}

impl FromInput for PaymentBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let booking_id = input.uuid("booking_id", true);
        let amount = input.decimal("amount", Decimal::new(2, 0.01, 99_999_999.99));
        let gateway = input.choice("gateway", &payment::GATEWAYS, Some("manual"));
        Some(PaymentBody {
            booking_id: booking_id?,
            amount: amount?,
            gateway: gateway?,
        })
    }
}

/// A payment just opened, and where the customer pays it.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct PaymentCreated {
    pub payment_id: Uuid,
    /// Decimal (10,2) as a string: `"450.00"`.
    pub amount: String,
    /// ISO 4217, `INR`.
    pub currency: String,
    /// `created`.
    pub status: String,
    /// The (mock) gateway's checkout page.
    pub checkout_url: String,
    pub message: String,
}

/// `POST /api/v1/payments/webhook/`: what the gateway reports, as JSON or a form.
#[derive(Debug, Apiv2Schema)]
pub struct WebhookBody {
    /// The payment's id.
    pub payment_id: String,
    /// `pending`, `completed` or `failed`.
    pub status: PaymentStatus,
    /// The gateway's own reference for the payment.
    pub gateway_reference: Option<String>,
}

/// The answer to a webhook: `payment_id` and `status` only when it changed the payment.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct WebhookAnswer {
    /// `Webhook processed`, `Payment already in this status` or `Acknowledged (payments disabled)`.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<Uuid>,
    /// The payment's new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl WebhookAnswer {
    fn message(message: &str) -> Self {
        WebhookAnswer {
            message: message.to_owned(),
            payment_id: None,
            status: None,
        }
    }
}

impl From<Payment> for PaymentCreated {
    fn from(created: Payment) -> Self {
        PaymentCreated {
            checkout_url: format!("https://mock-gateway.com/checkout/{}", created.id),
            payment_id: created.id,
            amount: created.amount,
            currency: created.currency,
            status: created.status.as_str().to_owned(),
            message: "Mock payment created (no real gateway integration)".to_owned(),
        }
    }
}

/// Open a payment for a booking (its owner or an admin). Signed-in callers only, then the feature
/// switch, then the body (API §7.8's order).
#[api_v2_operation(tags(Payments))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthUser,
    body: RawBody<PaymentBody>,
) -> Result<Reply<PaymentCreated, 201>> {
    if !state.enable_payments {
        return Err(JobsError::PaymentsDisabled);
    }
    let body: PaymentBody = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let (booking, amount, gateway) = (body.booking_id, &body.amount, &body.gateway);
    let created = payments::open(&mut conn, &auth, booking, amount, gateway).await?;
    Ok(Reply::json(PaymentCreated::from(created)))
}

/// What the webhook reports: 400 "payment_id and status required" without either.
async fn report(req: &HttpRequest, body: Bytes) -> Result<WebhookBody> {
    let content_type = req.headers().get(actix_web::http::header::CONTENT_TYPE);
    let mut input = Input::new(hm_platform::input::read_fields(content_type, body).await?);
    if !(input.has("payment_id") && input.has("status")) {
        return Err(JobsError::WebhookFieldsMissing);
    }
    let payment_id = input.text("payment_id", Text::required(100));
    let status = input.choice("status", &payment::REPORTED, None);
    let reference = input
        .text("gateway_reference", Text::optional(255))
        .filter(|r| !r.is_empty());
    input.finish()?;
    match (payment_id, status.as_deref().and_then(PaymentStatus::parse)) {
        (Some(payment_id), Some(status)) => Ok(WebhookBody {
            payment_id,
            status,
            gateway_reference: reference,
        }),
        _ => Err(JobsError::WebhookFieldsMissing),
    }
}

/// 401 unless the webhook is signed with `secret` (when one is set).
fn check_signature(req: &HttpRequest, secret: Option<&str>, body: &[u8]) -> Result<()> {
    let Some(secret) = secret else {
        return Ok(());
    };
    let signature = req
        .headers()
        .get(payment::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if payment::signature_valid(secret, body, signature) {
        Ok(())
    } else {
        Err(JobsError::InvalidSignature)
    }
}

/// The gateway reports a payment's status. Idempotent: the same status again changes nothing.
#[api_v2_operation(tags(Payments))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: RawBody<WebhookBody>,
) -> Result<Reply<WebhookAnswer>> {
    let body = body.0;
    if !state.enable_payments {
        return Ok(Reply::json(WebhookAnswer::message(
            "Acknowledged (payments disabled)",
        )));
    }
    check_signature(&req, state.webhook_secret.as_deref(), &body)?;
    let report = report(&req, body).await?;
    let id = Uuid::parse_str(&report.payment_id).map_err(|_| JobsError::PaymentNotFound)?;
    let reference = report.gateway_reference.as_deref();
    let mut conn = state.db.get().await?;
    let correlation = RequestId::of(&req);
    let changed = payments::settle(&mut conn, id, report.status, reference, correlation).await?;
    Ok(Reply::json(if changed {
        WebhookAnswer {
            message: "Webhook processed".to_owned(),
            payment_id: Some(id),
            status: Some(report.status.as_str().to_owned()),
        }
    } else {
        WebhookAnswer::message("Payment already in this status")
    }))
}
