//! Media uploads (API §4.11): images and audio as `multipart/form-data` with a `file` part, checked for
//! presence, extension and content type (in that order) and size, stored in object storage; presigned
//! direct uploads when storage is S3; and `/media/{key}` when files are stored locally.

use crate::domain::media::{self, content_type_of, Kind, Refused, AUDIO, IMAGE};
use crate::error::{CatalogError, Result};
use crate::store::media::{self as objects, MediaObject};
use crate::AppState;
use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use bytes::BytesMut;
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use hm_platform::auth::AuthUser;
use hm_platform::input::{FromInput, Input, Text, Valid};
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema, OperationModifier};
use paperclip::v2::models::{
    DataType, DataTypeFormat, DefaultOperationRaw, DefaultSchemaRaw, Either, MediaRange, Parameter,
    ParameterIn,
};
use paperclip::v2::schema::Apiv2Schema as Schema;
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;

/// The refusal of a file `kind` does not take.
fn refusal(kind: &'static Kind, refused: Refused) -> CatalogError {
    match refused {
        Refused::Extension(provided) => CatalogError::FileTypeNotAllowed { kind, provided },
        Refused::MediaType(provided) => CatalogError::MediaTypeNotAllowed { kind, provided },
    }
}

/// [`media::admit`], refused as a [`CatalogError`].
fn admit(kind: &'static Kind, filename: &str, content_type: &str) -> Result<(String, String)> {
    media::admit(kind, filename, content_type).map_err(|r| refusal(kind, r))
}

/// A multipart body, documented as a form with one `file` part.
pub struct Upload(Multipart);

impl FromRequest for Upload {
    type Error = CatalogError;
    type Future = LocalBoxFuture<'static, Result<Self>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        let multipart = Multipart::from_request(req, payload);
        Box::pin(async move {
            if !is_multipart {
                return Err(CatalogError::NoFile);
            }
            multipart
                .await
                .map(Upload)
                .map_err(|_| CatalogError::NoFile)
        })
    }
}

impl Schema for Upload {}

impl OperationModifier for Upload {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        op.consumes = Some(BTreeSet::from([MediaRange(
            actix_web::mime::MULTIPART_FORM_DATA,
        )]));
        op.parameters.push(Either::Right(Parameter {
            in_: ParameterIn::FormData,
            name: "file".into(),
            required: true,
            data_type: Some(paperclip::v2::models::DataType::File),
            ..Default::default()
        }));
    }
}

/// A received file: its name, declared type and bytes.
struct Received {
    filename: String,
    content_type: String,
    ext: String,
    bytes: bytes::Bytes,
}

/// Reads the `file` part, checking it against `kind` before reading its bytes, within `limit` bytes.
async fn receive(upload: Upload, kind: &'static Kind, limit: usize) -> Result<Received> {
    let Upload(mut multipart) = upload;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| CatalogError::NoFile)?;
        if field.name() != Some("file") {
            continue;
        }
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or("")
            .to_owned();
        let content_type = field
            .content_type()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let (ext, content_type) = admit(kind, &filename, &content_type)?;
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| CatalogError::UploadInterrupted)?;
            if bytes.len() + chunk.len() > limit {
                return Err(CatalogError::FileTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(CatalogError::EmptyFile);
        }
        return Ok(Received {
            filename,
            content_type,
            ext,
            bytes: bytes.freeze(),
        });
    }
    Err(CatalogError::NoFile)
}

/// A stored audio file.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct AudioUpload {
    /// Its public URL; `null` when storage has none.
    pub url: Option<String>,
    /// Always `audio`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The stored name: a UUID and the extension, e.g. `….mp3`.
    pub filename: String,
}

/// `POST /api/v1/media/audio/`: store an audio file.
#[api_v2_operation(tags(Media))]
pub async fn upload_audio(
    state: web::Data<AppState>,
    _auth: AuthUser,
    upload: Upload,
) -> Result<Reply<AudioUpload, 201>> {
    let file = receive(upload, &AUDIO, state.config.max_upload_bytes).await?;
    let name = format!("{}{}", Uuid::new_v4(), file.ext);
    let key = format!("{}{name}", AUDIO.prefix);
    state
        .storage
        .put(&key, file.bytes, &file.content_type)
        .await?;
    tracing::info!(key, original = %file.filename, "audio stored");
    Ok(Reply::json(AudioUpload {
        url: state.storage.public_url(&key),
        kind: "audio".into(),
        filename: name,
    }))
}

/// A stored image, recorded as a media object.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ImageUpload {
    pub id: Uuid,
    /// Its public URL (empty when storage has none).
    pub url: String,
    /// The checked media type, e.g. `image/png`.
    pub file_type: String,
    /// Bytes.
    pub file_size: i64,
}

/// `POST /api/v1/media/upload/`: store an image and record it as a media object.
#[api_v2_operation(tags(Media))]
pub async fn upload_image(
    state: web::Data<AppState>,
    auth: AuthUser,
    upload: Upload,
) -> Result<Reply<ImageUpload, 201>> {
    let file = receive(upload, &IMAGE, state.config.max_upload_bytes).await?;
    let key = format!("{}{}{}", IMAGE.prefix, Uuid::new_v4(), file.ext);
    let size = file.bytes.len() as i64;
    state
        .storage
        .put(&key, file.bytes, &file.content_type)
        .await?;
    let object = MediaObject {
        id: Uuid::new_v4(),
        url: state.storage.public_url(&key).unwrap_or_default(),
        key,
        file_type: file.content_type,
        file_size: size,
        uploaded_by: Some(auth.id),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let mut conn = state.db.get().await?;
    objects::insert(&mut conn, &object).await?;
    Ok(Reply::json(ImageUpload {
        id: object.id,
        url: object.url,
        file_type: object.file_type,
        file_size: object.file_size,
    }))
}

/// `POST /api/v1/media/presign/`
#[derive(Debug, Apiv2Schema)]
pub struct PresignBody {
    /// `image` or `audio`
    pub kind: String,
    /// The file's name, for its extension.
    pub filename: String,
    pub content_type: String,
}

impl FromInput for PresignBody {
    fn from_input(input: &mut Input) -> Option<Self> {
        let kind = input.choice("kind", &["image", "audio"], None);
        let filename = input.text("filename", Text::required(255));
        let content_type = input.text("content_type", Text::required(100));
        Some(PresignBody {
            kind: kind?,
            filename: filename?,
            content_type: content_type?,
        })
    }
}

const PRESIGN_LIFETIME: Duration = Duration::from_secs(900);

/// The headers the direct upload must send.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct PresignHeaders {
    /// The content type the URL was signed for.
    #[serde(rename = "Content-Type")]
    pub content_type: String,
}

/// Where and how to upload a file directly, and the public URL it will have.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct PresignedUpload {
    /// The object key the file will have.
    pub key: String,
    /// Always `PUT`.
    pub method: String,
    pub upload_url: String,
    pub headers: PresignHeaders,
    pub url: Option<String>,
    /// Seconds the upload URL stays valid.
    pub expires_in: u64,
}

/// A URL to PUT the file to directly (object storage only), and the public URL it will have.
#[api_v2_operation(tags(Media))]
pub async fn presign(
    state: web::Data<AppState>,
    _auth: AuthUser,
    body: Valid<PresignBody>,
) -> Result<Reply<PresignedUpload>> {
    let kind = if body.kind == "audio" { &AUDIO } else { &IMAGE };
    let (ext, _) = admit(kind, &body.filename, &body.content_type)?;
    let key = format!("{}{}{ext}", kind.prefix, Uuid::new_v4());
    let Some(upload_url) = state
        .storage
        .presign_put(&key, &body.content_type, PRESIGN_LIFETIME)
        .await?
    else {
        return Err(CatalogError::DirectUploadUnavailable);
    };
    let url = state.storage.public_url(&key);
    let Valid(body) = body;
    Ok(Reply::json(PresignedUpload {
        key,
        method: "PUT".into(),
        upload_url,
        headers: PresignHeaders {
            content_type: body.content_type,
        },
        url,
        expires_in: PRESIGN_LIFETIME.as_secs(),
    }))
}

/// The bytes of a stored file, in the content type its extension names.
#[derive(Debug)]
pub struct MediaFile;

impl Schema for MediaFile {
    fn description() -> &'static str {
        "The file's bytes."
    }

    fn raw_schema() -> DefaultSchemaRaw {
        DefaultSchemaRaw {
            data_type: Some(DataType::String),
            format: Some(DataTypeFormat::Binary),
            ..Default::default()
        }
    }
}

/// `GET /media/{key}`: a locally stored object (`USE_S3=false`).
#[api_v2_operation(
    tags(Media),
    produces = "image/png, image/jpeg, image/webp, image/svg+xml, audio/mpeg, audio/wav, audio/mp4, font/woff, font/woff2, application/json, application/octet-stream"
)]
pub async fn serve_local(
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<Reply<MediaFile>> {
    let path = state
        .storage
        .local_path(&key)
        .ok_or(CatalogError::NotFound)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| CatalogError::NotFound)?;
    Ok(Reply::build(|res| {
        res.content_type(content_type_of(&key))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(bytes)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_platform::error::ServiceFailure;
    use serde_json::json;

    #[test]
    fn uploads_are_checked_by_extension_then_type() {
        assert_eq!(
            admit(&AUDIO, "Song.MP3", "audio/mpeg").ok(),
            Some((".mp3".to_owned(), "audio/mpeg".to_owned()))
        );
        // Parameters are not the type: what is stored is the checked type alone.
        assert_eq!(
            admit(&IMAGE, "a.png", "Image/PNG; name=\"holiday-photo.png\"").ok(),
            Some((".png".to_owned(), "image/png".to_owned()))
        );
        let e = admit(&AUDIO, "notes.txt", "text/plain")
            .err()
            .map(|e| e.answer().json_body().cloned());
        assert_eq!(
            e.flatten(),
            Some(
                json!({"error": "Invalid file type. Allowed: .mp3, .wav, .m4a", "provided": ".txt"})
            )
        );
        let e = admit(&IMAGE, "a.png", "text/plain")
            .err()
            .map(|e| e.answer().json_body().cloned());
        assert_eq!(
            e.flatten(),
            Some(
                json!({"error": "Invalid image mime type. Allowed: jpg, jpeg, png, webp", "provided": "text/plain"})
            )
        );
        assert_eq!(content_type_of("static/logo.png"), "image/png");
    }
}
