//! Identity's pure rules: phones, one-time codes, tokens, eKYC. No I/O here.

pub mod ekyc;
pub mod otp;
pub mod phone;
pub mod tokens;
pub mod user;
