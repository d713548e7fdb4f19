// @generated automatically by Diesel CLI.

diesel::table! {
    otp_logs (id) {
        id -> Uuid,
        #[max_length = 15]
        phone -> Varchar,
        request_id -> Uuid,
        action -> Text,
        ip_address -> Nullable<Inet>,
        user_agent -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        #[max_length = 64]
        jti -> Varchar,
        user_id -> Uuid,
        family_id -> Uuid,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        #[max_length = 64]
        replaced_by -> Nullable<Varchar>,
        issued_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        #[max_length = 15]
        phone -> Nullable<Varchar>,
        role -> Text,
        #[max_length = 5]
        language_preference -> Varchar,
        #[max_length = 50]
        first_name -> Varchar,
        #[max_length = 50]
        last_name -> Varchar,
        #[max_length = 254]
        email -> Nullable<Varchar>,
        #[max_length = 500]
        profile_picture -> Varchar,
        is_phone_verified -> Bool,
        is_active -> Bool,
        is_staff -> Bool,
        is_superuser -> Bool,
        password -> Text,
        has_worker_profile -> Bool,
        has_contractor_profile -> Bool,
        last_login -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        aadhaar_last4_encrypted -> Nullable<Bytea>,
        aadhaar_key_id -> Nullable<Text>,
        ekyc_status -> Text,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(otp_logs, refresh_tokens, users,);
