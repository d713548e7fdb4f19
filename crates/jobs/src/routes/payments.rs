//! Payments (API §7.8–7.9). Cash first: with `ENABLE_PAYMENTS=false` creating a payment is 503
//! `payments_disabled` and webhooks are acknowledged untouched. Otherwise a booking's owner opens a
//! payment, and the gateway's webhook (HMAC-signed when `PAYMENT_WEBHOOK_SECRET` is set) moves it;
//! a completed payment pays the worker 80 % once, however often the webhook is delivered.

use super::RawBody;
use crate::domain::payment;
use crate::error::{JobsError, Result};
use crate::events::SOURCE;
use crate::store::bookings;
use crate::store::payments::{self, Payment};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_contracts::events::{types, PaymentChanged};
use hm_contracts::Event;
use hm_platform::auth::AuthUser;
use hm_platform::events::enqueue;
use hm_platform::input::{parse, Decimal, FromInput, Input, Text};
use hm_platform::reply::Reply;
use hm_platform::telemetry::RequestId;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::Serialize;
use uuid::Uuid;

fn error(status: StatusCode, message: impl Into<String>) -> JobsError {
    ApiError::error(status, message).into()
}

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
    pub status: String,
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

fn payments_disabled() -> JobsError {
    ApiError::coded(
        StatusCode::SERVICE_UNAVAILABLE,
        "Online payments are currently disabled. Please use cash payment method.",
        "payments_disabled",
    )
    .into()
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
        return Err(payments_disabled());
    }
    let body: PaymentBody = parse(&req, body.0).await?;
    let mut conn = state.db.get().await?;
    let booking = bookings::by_id(&mut conn, body.booking_id)
        .await?
        .ok_or_else(|| ApiError::no_match("Booking"))?;
    if booking.user_id != auth.id && !auth.is_admin() {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Only booking owner can create payment.",
        ));
    }
    let created = payments::create(&mut conn, booking.id, &body.amount, &body.gateway).await?;
    Ok(Reply::json(PaymentCreated {
        payment_id: created.id,
        amount: created.amount,
        currency: created.currency,
        status: created.status,
        checkout_url: format!("https://mock-gateway.com/checkout/{}", created.id),
        message: "Mock payment created (no real gateway integration)".to_owned(),
    }))
}

/// What the webhook reports: 400 "payment_id and status required" without either.
async fn report(req: &HttpRequest, body: Bytes) -> Result<WebhookBody> {
    let content_type = req.headers().get(actix_web::http::header::CONTENT_TYPE);
    let mut input = Input::new(hm_platform::input::read_fields(content_type, body).await?);
    let (payment_id, status) = match (input.has("payment_id"), input.has("status")) {
        (true, true) => (
            input.text("payment_id", Text::required(100)),
            input.choice("status", &payment::REPORTED, None),
        ),
        _ => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "payment_id and status required",
            ))
        }
    };
    let reference = input
        .text("gateway_reference", Text::optional(255))
        .filter(|r| !r.is_empty());
    input.finish()?;
    match (payment_id, status) {
        (Some(payment_id), Some(status)) => Ok(WebhookBody {
            payment_id,
            status,
            gateway_reference: reference,
        }),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "payment_id and status required",
        )),
    }
}

fn outcome(
    p: &Payment,
    status: &str,
    payout: Option<String>,
    correlation: Option<String>,
) -> Event<PaymentChanged> {
    let kind = if status == "completed" {
        types::PAYMENT_SUCCEEDED
    } else {
        types::PAYMENT_FAILED
    };
    Event::new(
        SOURCE,
        kind,
        correlation,
        PaymentChanged {
            payment_id: p.id,
            booking_id: p.booking_id,
            user_id: p.user_id,
            worker_id: p.worker_id,
            amount: p.amount.clone(),
            currency: p.currency.clone(),
            status: status.to_owned(),
            payout_amount: payout,
        },
    )
}

/// The gateway reports a payment's status. Idempotent: the same status again changes nothing.
#[api_v2_operation(tags(Payments))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: RawBody<WebhookBody>,
) -> Result<Reply<WebhookAnswer>> {
    let RawBody(body, _) = body;
    if !state.enable_payments {
        return Ok(Reply::json(WebhookAnswer::message(
            "Acknowledged (payments disabled)",
        )));
    }
    if let Some(secret) = &state.webhook_secret {
        let signature = req
            .headers()
            .get(payment::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !payment::signature_valid(secret, &body, signature) {
            return Err(error(StatusCode::UNAUTHORIZED, "Invalid signature"));
        }
    }
    let WebhookBody {
        payment_id,
        status,
        gateway_reference: reference,
    } = report(&req, body).await?;
    let not_found = || error(StatusCode::NOT_FOUND, "Payment not found");
    let id = Uuid::parse_str(&payment_id).map_err(|_| not_found())?;
    let correlation = RequestId::of(&req);
    let reported = status.clone();
    let mut conn = state.db.get().await?;
    let conn: &mut AsyncPgConnection = &mut conn;
    let changed = conn
        .transaction(|conn| {
            async move {
                let current = payments::lock(conn, id).await?.ok_or_else(not_found)?;
                if current.status == status {
                    return Ok(false);
                }
                if !payment::may_move(&current.status, &status) {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "Invalid payment status transition from {} to {status}.",
                            current.status
                        ),
                    ));
                }
                payments::set_status(conn, &current, &status, reference.as_deref()).await?;
                if status != "pending" {
                    let payout = match (status.as_str(), current.worker_id) {
                        ("completed", Some(worker)) => {
                            payments::create_payout(conn, &current, worker).await?
                        }
                        _ => None,
                    };
                    enqueue(conn, outcome(&current, &status, payout, correlation)).await?;
                }
                Ok::<_, JobsError>(true)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Reply::json(if changed {
        WebhookAnswer {
            message: "Webhook processed".to_owned(),
            payment_id: Some(id),
            status: Some(reported),
        }
    } else {
        WebhookAnswer::message("Payment already in this status")
    }))
}
