// @generated automatically by Diesel CLI.

diesel::table! {
    availability_transitions (id) {
        id -> Uuid,
        profile_id -> Uuid,
        at -> Timestamptz,
        is_available -> Bool,
        was_available -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    bookings (id) {
        id -> Uuid,
        user_id -> Uuid,
        worker_id -> Nullable<Uuid>,
        service_id -> Uuid,
        #[max_length = 512]
        address -> Varchar,
        lat -> Nullable<Numeric>,
        lng -> Nullable<Numeric>,
        preferred_time -> Nullable<Timestamptz>,
        notes -> Nullable<Text>,
        estimated_price -> Nullable<Numeric>,
        #[max_length = 32]
        status -> Varchar,
        eta_minutes -> Nullable<Int4>,
        #[max_length = 200]
        tracking_url -> Nullable<Varchar>,
        #[max_length = 8]
        payment_method -> Varchar,
        #[max_length = 16]
        payment_status -> Varchar,
        payment_note -> Nullable<Text>,
        last_location -> Nullable<Jsonb>,
        last_location_time -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contractor_refs (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    dispatch_workers (profile_id) {
        profile_id -> Uuid,
        user_id -> Uuid,
        lat -> Nullable<Float8>,
        lng -> Nullable<Float8>,
        is_available -> Bool,
        rating -> Float8,
        service_ids -> Array<Nullable<Uuid>>,
        profile_at -> Nullable<Timestamptz>,
        location_at -> Nullable<Timestamptz>,
        availability_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_verified -> Bool,
        last_seen -> Nullable<Timestamptz>,
        history_available -> Bool,
    }
}

diesel::table! {
    emergency_dispatch_logs (id) {
        id -> Uuid,
        emergency_id -> Uuid,
        worker_id -> Uuid,
        attempt_time -> Timestamptz,
        #[max_length = 20]
        status -> Varchar,
        response_time -> Nullable<Timestamptz>,
        raw_response -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    emergency_requests (id) {
        id -> Uuid,
        created_by -> Nullable<Uuid>,
        #[max_length = 20]
        contact_phone -> Varchar,
        site_id -> Nullable<Uuid>,
        location_lat -> Numeric,
        location_lng -> Numeric,
        address_text -> Text,
        service_id -> Nullable<Uuid>,
        service_description -> Text,
        #[max_length = 10]
        urgency_level -> Varchar,
        #[max_length = 20]
        status -> Varchar,
        assigned_worker_id -> Nullable<Uuid>,
        assigned_contractor_id -> Nullable<Uuid>,
        metadata -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    job_applications (id) {
        id -> Uuid,
        job_id -> Uuid,
        worker_id -> Uuid,
        worker_user_id -> Uuid,
        #[max_length = 20]
        status -> Varchar,
        applied_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        poster_id -> Uuid,
        contractor_id -> Nullable<Uuid>,
        service_id -> Uuid,
        #[max_length = 200]
        title -> Varchar,
        description -> Text,
        #[max_length = 20]
        status -> Varchar,
        #[max_length = 255]
        location -> Varchar,
        latitude -> Nullable<Numeric>,
        longitude -> Nullable<Numeric>,
        budget -> Nullable<Numeric>,
        assigned_worker_id -> Nullable<Uuid>,
        scheduled_date -> Nullable<Timestamptz>,
        completion_date -> Nullable<Timestamptz>,
        #[max_length = 500]
        instruction_audio_url -> Nullable<Varchar>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        booking_id -> Uuid,
        amount -> Numeric,
        #[max_length = 3]
        currency -> Varchar,
        #[max_length = 20]
        gateway -> Varchar,
        #[max_length = 20]
        status -> Varchar,
        #[max_length = 255]
        gateway_reference -> Nullable<Varchar>,
        metadata -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    payouts (id) {
        id -> Uuid,
        worker_id -> Uuid,
        payment_id -> Nullable<Uuid>,
        amount -> Numeric,
        #[max_length = 3]
        currency -> Varchar,
        #[max_length = 20]
        status -> Varchar,
        #[max_length = 255]
        gateway_reference -> Nullable<Varchar>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site_assignment_counts (site_id) {
        site_id -> Uuid,
        contractor_id -> Uuid,
        active_assignments -> Int8,
        as_of -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site_day_stats (id) {
        id -> Uuid,
        site_id -> Uuid,
        day -> Date,
        contractor_id -> Uuid,
        present -> Int8,
        as_of -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site_refs (id) {
        id -> Uuid,
        contractor_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        is_active -> Bool,
        as_of -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    unread_counts (user_id) {
        user_id -> Uuid,
        unread -> Int8,
        as_of -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    worker_refs (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        profile -> Nullable<Jsonb>,
    }
}

diesel::joinable!(availability_transitions -> worker_refs (profile_id));
diesel::joinable!(dispatch_workers -> worker_refs (profile_id));
diesel::joinable!(emergency_dispatch_logs -> emergency_requests (emergency_id));
diesel::joinable!(emergency_dispatch_logs -> worker_refs (worker_id));
diesel::joinable!(emergency_requests -> contractor_refs (assigned_contractor_id));
diesel::joinable!(emergency_requests -> site_refs (site_id));
diesel::joinable!(emergency_requests -> worker_refs (assigned_worker_id));
diesel::joinable!(job_applications -> jobs (job_id));
diesel::joinable!(payments -> bookings (booking_id));
diesel::joinable!(payouts -> payments (payment_id));

diesel::allow_tables_to_appear_in_same_query!(
    availability_transitions,
    bookings,
    contractor_refs,
    dispatch_workers,
    emergency_dispatch_logs,
    emergency_requests,
    job_applications,
    jobs,
    payments,
    payouts,
    site_assignment_counts,
    site_day_stats,
    site_refs,
    unread_counts,
    worker_refs,
);
