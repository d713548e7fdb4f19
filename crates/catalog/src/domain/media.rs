//! What an upload may be (API §4.11): per kind, the extensions and media types it takes, checked in
//! that order.

/// What one kind of upload accepts, and the refusals' messages.
#[derive(Debug)]
pub struct Kind {
    pub extensions: &'static [&'static str],
    pub types: &'static [&'static str],
    pub bad_extension: &'static str,
    pub bad_type: &'static str,
    /// Where its objects are stored.
    pub prefix: &'static str,
}

/// Audio files.
pub const AUDIO: Kind = Kind {
    extensions: &[".mp3", ".wav", ".m4a"],
    types: &[
        "audio/mpeg",
        "audio/mp3",
        "audio/wav",
        "audio/wave",
        "audio/x-wav",
        "audio/m4a",
        "audio/mp4",
    ],
    bad_extension: "Invalid file type. Allowed: .mp3, .wav, .m4a",
    bad_type: "Invalid audio mime type. Allowed: mp3, wav, m4a",
    prefix: "audio/uploads/",
};

/// Images.
pub const IMAGE: Kind = Kind {
    extensions: &[".jpg", ".jpeg", ".png", ".webp"],
    types: &["image/jpeg", "image/jpg", "image/png", "image/webp"],
    bad_extension: "Invalid file type. Allowed: .jpg, .jpeg, .png, .webp",
    bad_type: "Invalid image mime type. Allowed: jpg, jpeg, png, webp",
    prefix: "media/images/",
};

/// Why an upload is refused: what was provided.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// The file name's (lower-cased) extension.
    Extension(String),
    /// The declared content type, as sent.
    MediaType(String),
}

/// The lower-cased extension of a file name, with its dot; empty when it has none.
pub fn extension(filename: &str) -> String {
    filename
        .rfind('.')
        .map(|i| filename[i..].to_ascii_lowercase())
        .unwrap_or_default()
}

/// The file's extension and its media type (lower-cased, without parameters: what is stored and served),
/// or why `kind` does not take the name or the type.
pub fn admit(kind: &Kind, filename: &str, content_type: &str) -> Result<(String, String), Refused> {
    let ext = extension(filename);
    if !kind.extensions.contains(&ext.as_str()) {
        return Err(Refused::Extension(ext));
    }
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !kind.types.contains(&mime.as_str()) {
        return Err(Refused::MediaType(content_type.to_owned()));
    }
    Ok((ext, mime))
}

/// The content type a stored file is served in, by its extension.
pub fn content_type_of(key: &str) -> &'static str {
    match extension(key).as_str() {
        ".png" => "image/png",
        ".jpg" | ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".svg" => "image/svg+xml",
        ".mp3" => "audio/mpeg",
        ".wav" => "audio/wav",
        ".m4a" => "audio/mp4",
        ".woff" => "font/woff",
        ".woff2" => "font/woff2",
        ".json" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_types() {
        assert_eq!(
            admit(&AUDIO, "notes.txt", "text/plain"),
            Err(Refused::Extension(".txt".into()))
        );
        assert_eq!(
            admit(&IMAGE, "a.png", "text/plain"),
            Err(Refused::MediaType("text/plain".into()))
        );
        assert_eq!(extension("archive"), "");
        assert_eq!(content_type_of("a/b.WOFF2"), "font/woff2");
    }
}
