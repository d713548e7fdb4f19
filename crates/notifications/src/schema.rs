// @generated automatically by Diesel CLI.

diesel::table! {
    booking_refs (id) {
        id -> Uuid,
        user_id -> Uuid,
        worker_user_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    devices (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        #[max_length = 10]
        platform -> Varchar,
        #[max_length = 500]
        registration_token -> Varchar,
        last_seen -> Timestamptz,
        is_active -> Bool,
        metadata -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        #[max_length = 255]
        title -> Varchar,
        message -> Text,
        data -> Jsonb,
        #[sql_name = "type"]
        #[max_length = 32]
        type_ -> Varchar,
        is_read -> Bool,
        #[max_length = 16]
        channel -> Varchar,
        metadata -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outgoing_pushes (id) {
        id -> Uuid,
        notification_id -> Nullable<Uuid>,
        device_id -> Uuid,
        payload -> Jsonb,
        provider_response -> Jsonb,
        #[max_length = 10]
        status -> Varchar,
        attempts -> Int4,
        last_attempt_at -> Nullable<Timestamptz>,
        next_attempt_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sms_log (id) {
        id -> Uuid,
        request_id -> Uuid,
        #[max_length = 32]
        phone -> Varchar,
        #[max_length = 16]
        provider -> Varchar,
        attempt -> Int4,
        #[max_length = 16]
        status -> Varchar,
        error -> Nullable<Text>,
        #[max_length = 64]
        provider_message_id -> Nullable<Varchar>,
        #[max_length = 16]
        delivery_status -> Nullable<Varchar>,
        #[max_length = 16]
        delivery_error_code -> Nullable<Varchar>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    timeline_events (id) {
        id -> Uuid,
        booking_id -> Nullable<Uuid>,
        job_id -> Nullable<Uuid>,
        related_user_id -> Nullable<Uuid>,
        #[max_length = 32]
        event_type -> Varchar,
        #[max_length = 255]
        actor_display -> Varchar,
        payload -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(outgoing_pushes -> devices (device_id));
diesel::joinable!(outgoing_pushes -> notifications (notification_id));

diesel::allow_tables_to_appear_in_same_query!(
    booking_refs,
    devices,
    notifications,
    outgoing_pushes,
    sms_log,
    timeline_events,
);
