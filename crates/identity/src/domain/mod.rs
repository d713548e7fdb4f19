//! Identity's pure rules: phones, one-time codes, tokens. No I/O here.

pub mod otp;
pub mod phone;
pub mod tokens;
pub mod user;
