// The event-bus tables of platform/migrations, as diesel print-schema writes them.

diesel::table! {
    outbox (id) {
        id -> Uuid,
        event_type -> Text,
        envelope -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    inbox (id) {
        id -> Uuid,
        event_type -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(inbox, outbox);
