use crate::schema::media_objects;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_objects)]
pub struct MediaObject {
    pub id: Uuid,
    pub key: String,
    pub url: String,
    pub file_type: String,
    pub file_size: i64,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, object: &MediaObject) -> QueryResult<()> {
    diesel::insert_into(media_objects::table)
        .values(object)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<MediaObject>> {
    media_objects::table
        .find(id)
        .select(MediaObject::as_select())
        .first(conn)
        .await
        .optional()
}
