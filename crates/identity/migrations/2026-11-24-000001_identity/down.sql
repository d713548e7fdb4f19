DROP TABLE refresh_tokens;
DROP TABLE otp_logs;
DROP TABLE users;
