// @generated automatically by Diesel CLI.

diesel::table! {
    attendance (id) {
        id -> Uuid,
        worker_id -> Uuid,
        kiosk_id -> Nullable<Uuid>,
        #[max_length = 20]
        method -> Varchar,
        #[max_length = 64]
        device_id -> Nullable<Varchar>,
        timestamp -> Timestamptz,
        date -> Date,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    attendance_logs (id) {
        id -> Uuid,
        worker_id -> Uuid,
        kiosk_id -> Uuid,
        check_in -> Timestamptz,
        check_out -> Nullable<Timestamptz>,
        notes -> Text,
        distance_m -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contractor_profiles (id) {
        id -> Uuid,
        user_id -> Uuid,
        #[max_length = 200]
        company_name -> Varchar,
        #[max_length = 100]
        license_number -> Varchar,
        #[max_length = 15]
        gst_number -> Varchar,
        address -> Text,
        #[max_length = 100]
        city -> Varchar,
        #[max_length = 100]
        state -> Varchar,
        #[max_length = 10]
        postal_code -> Varchar,
        #[max_length = 200]
        website -> Varchar,
        experience_years -> Int4,
        rating -> Numeric,
        total_projects -> Int4,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    job_refs (id) {
        id -> Uuid,
        poster_id -> Uuid,
        contractor_id -> Nullable<Uuid>,
        #[max_length = 20]
        status -> Varchar,
        as_of -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    kiosks (id) {
        id -> Uuid,
        contractor_id -> Nullable<Uuid>,
        site_id -> Nullable<Uuid>,
        #[max_length = 100]
        device_uuid -> Varchar,
        #[max_length = 200]
        location_name -> Varchar,
        address -> Text,
        latitude -> Nullable<Numeric>,
        longitude -> Nullable<Numeric>,
        geofence_radius_m -> Int4,
        is_active -> Bool,
        #[max_length = 64]
        token_hash -> Varchar,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site_assignments (id) {
        id -> Uuid,
        site_id -> Uuid,
        worker_id -> Uuid,
        assigned_by -> Nullable<Uuid>,
        assigned_at -> Timestamptz,
        #[max_length = 100]
        role_on_site -> Varchar,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    site_attendance (id) {
        id -> Uuid,
        site_id -> Uuid,
        worker_id -> Uuid,
        attendance_date -> Date,
        #[max_length = 20]
        status -> Varchar,
        checkin_time -> Nullable<Timestamptz>,
        checkout_time -> Nullable<Timestamptz>,
        marked_by -> Nullable<Uuid>,
        notes -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sites (id) {
        id -> Uuid,
        contractor_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        address -> Text,
        lat -> Nullable<Numeric>,
        lng -> Nullable<Numeric>,
        #[max_length = 20]
        phone -> Varchar,
        is_active -> Bool,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        metadata -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    skill_requests (id) {
        id -> Uuid,
        worker_id -> Uuid,
        user_id -> Uuid,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 100]
        name_key -> Varchar,
        position -> Int2,
        service_id -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
        dropped_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    worker_profiles (id) {
        id -> Uuid,
        user_id -> Uuid,
        is_available -> Bool,
        availability_updated_at -> Nullable<Timestamptz>,
        latitude -> Nullable<Numeric>,
        longitude -> Nullable<Numeric>,
        #[max_length = 20]
        availability_status -> Varchar,
        rating -> Numeric,
        total_jobs_completed -> Int4,
        price_amount -> Nullable<Numeric>,
        #[max_length = 3]
        price_currency -> Varchar,
        #[max_length = 16]
        price_type -> Varchar,
        min_charge -> Nullable<Numeric>,
        bio -> Text,
        experience_years -> Int4,
        #[max_length = 500]
        intro_audio_url -> Nullable<Varchar>,
        is_verified -> Bool,
        last_seen -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        rating_count -> Int4,
    }
}

diesel::table! {
    worker_services (worker_id, service_id) {
        worker_id -> Uuid,
        service_id -> Uuid,
        position -> Int2,
    }
}

diesel::joinable!(attendance -> kiosks (kiosk_id));
diesel::joinable!(attendance_logs -> kiosks (kiosk_id));
diesel::joinable!(kiosks -> contractor_profiles (contractor_id));
diesel::joinable!(kiosks -> sites (site_id));
diesel::joinable!(site_assignments -> sites (site_id));
diesel::joinable!(site_assignments -> worker_profiles (worker_id));
diesel::joinable!(site_attendance -> sites (site_id));
diesel::joinable!(site_attendance -> worker_profiles (worker_id));
diesel::joinable!(sites -> contractor_profiles (contractor_id));
diesel::joinable!(skill_requests -> worker_profiles (worker_id));
diesel::joinable!(worker_services -> worker_profiles (worker_id));

diesel::allow_tables_to_appear_in_same_query!(
    attendance,
    attendance_logs,
    contractor_profiles,
    job_refs,
    kiosks,
    site_assignments,
    site_attendance,
    sites,
    skill_requests,
    worker_profiles,
    worker_services,
);
