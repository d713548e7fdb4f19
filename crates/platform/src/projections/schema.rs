// @generated automatically by Diesel CLI.

diesel::table! {
    service_refs (id) {
        id -> Uuid,
        #[max_length = 120]
        slug -> Varchar,
        #[max_length = 100]
        name -> Varchar,
        #[max_length = 100]
        title_en -> Varchar,
        is_active -> Bool,
        display_order -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        aliases -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    user_refs (id) {
        id -> Uuid,
        #[max_length = 15]
        phone -> Varchar,
        #[max_length = 20]
        role -> Varchar,
        #[max_length = 50]
        first_name -> Varchar,
        #[max_length = 50]
        last_name -> Varchar,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        #[max_length = 16]
        ekyc_status -> Varchar,
    }
}

diesel::allow_tables_to_appear_in_same_query!(service_refs, user_refs,);
