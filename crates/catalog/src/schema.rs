// @generated automatically by Diesel CLI.

diesel::table! {
    app_banners (id) {
        id -> Uuid,
        #[max_length = 200]
        title -> Varchar,
        #[max_length = 300]
        subtitle -> Varchar,
        #[max_length = 500]
        image_s3_key -> Varchar,
        action -> Jsonb,
        display_order -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    faqs (id) {
        id -> Uuid,
        #[max_length = 255]
        question -> Varchar,
        answer -> Text,
        #[max_length = 5]
        lang -> Varchar,
        sort_order -> Int4,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    feature_flags (id) {
        id -> Uuid,
        #[max_length = 64]
        key -> Varchar,
        enabled -> Bool,
        description -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    help_pages (id) {
        id -> Uuid,
        #[max_length = 100]
        slug -> Varchar,
        #[max_length = 255]
        title -> Varchar,
        content_html -> Text,
        #[max_length = 5]
        lang -> Varchar,
        is_active -> Bool,
        sort_order -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    media_objects (id) {
        id -> Uuid,
        #[max_length = 255]
        key -> Varchar,
        #[max_length = 500]
        url -> Varchar,
        #[max_length = 32]
        file_type -> Varchar,
        file_size -> Int8,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    promo_banners (id) {
        id -> Uuid,
        #[max_length = 255]
        title -> Varchar,
        #[max_length = 500]
        image_url -> Varchar,
        #[max_length = 500]
        link -> Nullable<Varchar>,
        #[max_length = 50]
        slot -> Varchar,
        priority -> Int4,
        active -> Bool,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    services (id) {
        id -> Uuid,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 120]
        slug -> Varchar,
        #[max_length = 100]
        title_en -> Varchar,
        #[max_length = 100]
        title_hi -> Varchar,
        #[max_length = 50]
        category -> Varchar,
        description -> Text,
        #[max_length = 500]
        icon_s3_key -> Varchar,
        is_active -> Bool,
        display_order -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        aliases -> Array<Text>,
        auto_created -> Bool,
        requested_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    themes (id) {
        id -> Uuid,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 7]
        primary_color -> Varchar,
        #[max_length = 7]
        accent_color -> Varchar,
        #[max_length = 7]
        background_color -> Varchar,
        #[max_length = 500]
        logo_s3_key -> Varchar,
        #[max_length = 500]
        hero_image_s3_key -> Varchar,
        fonts -> Jsonb,
        metadata -> Jsonb,
        active -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    translations (id) {
        id -> Uuid,
        #[max_length = 255]
        key -> Varchar,
        #[max_length = 2]
        lang -> Varchar,
        value -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    app_banners,
    faqs,
    feature_flags,
    help_pages,
    media_objects,
    promo_banners,
    services,
    themes,
    translations,
);
