// @generated automatically by Diesel CLI.

diesel::table! {
    analytics_daily_aggregates (id) {
        id -> Uuid,
        date -> Date,
        #[max_length = 50]
        event_type -> Varchar,
        #[max_length = 20]
        source -> Varchar,
        count -> Int8,
        unique_users -> Int8,
        unique_anonymous -> Int8,
        meta -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    analytics_events (created_at, id) {
        id -> Uuid,
        created_at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        #[max_length = 255]
        anonymous_id -> Nullable<Varchar>,
        #[max_length = 50]
        event_type -> Varchar,
        #[max_length = 20]
        source -> Varchar,
        payload -> Jsonb,
        ip_address -> Nullable<Inet>,
        #[max_length = 500]
        user_agent -> Nullable<Varchar>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(analytics_daily_aggregates, analytics_events,);
