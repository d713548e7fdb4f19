//! Identity's persistence: diesel-async queries per aggregate, and the OTP challenges in Redis.

pub mod backoffice;
pub mod challenges;
pub mod otp_logs;
pub mod refresh_tokens;
pub mod users;
