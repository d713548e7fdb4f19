//! Sealing the last four Aadhaar digits at rest (DOMAIN §1.1, §1.5; spec/CONFIG.md `ENCRYPTION_KEY`).
//!
//! A value is sealed with AES-256-GCM (`ring::aead`) under the current key, with a fresh random 96-bit
//! nonce and the user's id as associated data, so a value copied onto another user's row does not open.
//! What is stored is `nonce (12 bytes) || ciphertext (4 bytes) || tag (16 bytes)` — 32 bytes — and, in
//! its own column, the id of the key that sealed it.
//!
//! Keys are in Fernet's format (url-safe base64 of 32 random bytes, as DOMAIN §1.5 names it and
//! `hm-identity gen-encryption-key` prints); all 32 bytes are the AES-256 key. A key's id is the first 8
//! bytes of the SHA-256 of those bytes, in hex (16 characters). `ENCRYPTION_KEY` is the key that seals;
//! `ENCRYPTION_KEYS_RETIRED` (comma-separated) are older keys that still open what they sealed. Rotation:
//! make a new key the current one, list the old one as retired, run `hm-identity reencrypt-ekyc`, then
//! drop the retired key. Neither a key nor a digit ever appears in `Debug` output or a log line.

use crate::domain::ekyc::{Last4, Stored};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;
use std::sync::Arc;
use uuid::Uuid;

/// Bytes of a key (AES-256).
pub const KEY_LEN: usize = 32;

/// Bytes of a sealed value: nonce, the four digits, the tag.
pub const SEALED_LEN: usize = NONCE_LEN + 4 + 16;

/// Fernet's alphabet (url-safe), padded when written; read with or without the padding.
const FERNET: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a key could not be read. Says nothing of the key itself (it may be close to a real one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not url-safe base64 at all.
    #[error("not url-safe base64 (Fernet format: `hm-identity gen-encryption-key` prints one)")]
    NotBase64,
    /// Base64 of this many bytes instead of 32.
    #[error(
        "decodes to {0} bytes, not 32 (Fernet format: `hm-identity gen-encryption-key` prints one)"
    )]
    WrongLength(usize),
}

/// Sealing or key generation failed: the system's random source gave nothing, or AES refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("eKYC encryption failed")]
pub struct CryptoError;

/// One AES-256-GCM key and its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct EncryptionKey {
    id: String,
    key: Arc<LessSafeKey>,
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl EncryptionKey {
    /// A key in Fernet's format: url-safe base64 (padding optional, surrounding whitespace ignored) of
    /// exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bytes = FERNET
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let raw: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        let digest = ring::digest::digest(&ring::digest::SHA256, &raw);
        let key =
            UnboundKey::new(&AES_256_GCM, &raw).map_err(|_| KeyError::WrongLength(raw.len()))?;
        Ok(EncryptionKey {
            id: hex::encode(&digest.as_ref()[..8]),
            key: Arc::new(LessSafeKey::new(key)),
        })
    }

    /// The key's id: the first 8 bytes of SHA-256 of the key, lowercase hex (16 characters). Stored in
    /// `users.aadhaar_key_id` beside each value it sealed.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A new random key in Fernet's format (44 characters, padded), for `ENCRYPTION_KEY`.
pub fn generate_key() -> Result<String, CryptoError> {
    let mut raw = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut raw)
        .map_err(|_| CryptoError)?;
    Ok(FERNET.encode(raw))
}

/// A value as stored: the sealed bytes and the id of the key that sealed them.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// `nonce || ciphertext || tag` ([`SEALED_LEN`] bytes when written by this module).
    pub bytes: Vec<u8>,
    /// [`EncryptionKey::id`] of the sealing key.
    pub key_id: String,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("bytes", &self.bytes.len())
            .field("key_id", &self.key_id)
            .finish()
    }
}

/// The keys identity holds: the current one, which seals, and the retired ones, which only open.
#[derive(Clone, Debug)]
pub struct Keyring {
    current: EncryptionKey,
    retired: Vec<EncryptionKey>,
}

impl Keyring {
    /// `current` seals; `retired` keys open what they sealed (a retired key equal to the current one is
    /// dropped, as are repeats).
    pub fn new(current: EncryptionKey, retired: Vec<EncryptionKey>) -> Self {
        let mut kept: Vec<EncryptionKey> = Vec::new();
        for key in retired {
            if key.id != current.id && kept.iter().all(|k| k.id != key.id) {
                kept.push(key);
            }
        }
        Keyring {
            current,
            retired: kept,
        }
    }

    /// The id of the key that seals now.
    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    /// The ids of the retired keys still accepted for opening.
    pub fn retired_ids(&self) -> impl Iterator<Item = &str> {
        self.retired.iter().map(EncryptionKey::id)
    }

    /// Seals `digits` for user `owner` under the current key (a fresh random nonce each time).
    pub fn seal(&self, owner: Uuid, digits: &Last4) -> Result<Sealed, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| CryptoError)?;
        let mut in_out = digits.as_str().as_bytes().to_vec();
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| CryptoError)?;
        let mut bytes = Vec::with_capacity(SEALED_LEN);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&in_out);
        Ok(Sealed {
            bytes,
            key_id: self.current.id.clone(),
        })
    }

    /// The digits in `sealed` for user `owner`; `None` when the key is not one this ring holds, the
    /// bytes were changed, or they were sealed for another user.
    pub fn open(&self, owner: Uuid, sealed: &Sealed) -> Option<Last4> {
        let key = std::iter::once(&self.current)
            .chain(&self.retired)
            .find(|k| k.id == sealed.key_id)?;
        if sealed.bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut in_out = body.to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(owner.as_bytes()), &mut in_out)
            .ok()?;
        std::str::from_utf8(plain).ok().and_then(Last4::parse_str)
    }

    /// Whether `sealed` was sealed by a key other than the current one (rotation has work to do).
    pub fn is_stale(&self, sealed: &Sealed) -> bool {
        sealed.key_id != self.current.id
    }
}

/// What a user's stored value (`sealed`, for user `owner`) comes to with the keys at hand: nothing
/// stored, the digits, or unreadable (no keys configured, an unknown key, changed bytes).
pub fn read(keyring: Option<&Keyring>, owner: Uuid, sealed: Option<&Sealed>) -> Stored {
    match (sealed, keyring) {
        (None, _) => Stored::Nothing,
        (Some(sealed), Some(ring)) => ring
            .open(owner, sealed)
            .map_or(Stored::Unreadable, Stored::Readable),
        (Some(_), None) => Stored::Unreadable,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key() -> EncryptionKey {
        EncryptionKey::parse(&generate_key().unwrap()).unwrap()
    }

    fn last4(s: &str) -> Last4 {
        Last4::parse_str(s).unwrap()
    }

    #[test]
    fn k1_sealing_1234_gives_other_bytes_that_open_to_1234() {
        let ring = Keyring::new(key(), vec![]);
        let owner = Uuid::new_v4();
        let sealed = ring.seal(owner, &last4("1234")).unwrap();
        assert_ne!(sealed.bytes, b"1234");
        assert_eq!(sealed.bytes.len(), SEALED_LEN);
        assert_eq!(ring.open(owner, &sealed).unwrap().as_str(), "1234");
    }

    #[test]
    fn k2_the_sealed_bytes_never_hold_the_digits() {
        let ring = Keyring::new(key(), vec![]);
        let owner = Uuid::new_v4();
        for _ in 0..200 {
            let sealed = ring.seal(owner, &last4("5678")).unwrap();
            assert!(!sealed.bytes.windows(4).any(|w| w == b"5678"));
            assert!(!String::from_utf8_lossy(&sealed.bytes).contains("5678"));
        }
    }

    #[test]
    fn each_sealing_has_its_own_nonce() {
        let ring = Keyring::new(key(), vec![]);
        let owner = Uuid::new_v4();
        let a = ring.seal(owner, &last4("2468")).unwrap();
        let b = ring.seal(owner, &last4("2468")).unwrap();
        assert_ne!(a.bytes[..NONCE_LEN], b.bytes[..NONCE_LEN]);
        assert_ne!(a.bytes, b.bytes);
    }

    #[test]
    fn a_value_opens_only_for_its_user_untouched_and_under_a_known_key() {
        let ring = Keyring::new(key(), vec![]);
        let owner = Uuid::new_v4();
        let sealed = ring.seal(owner, &last4("2468")).unwrap();
        assert!(
            ring.open(Uuid::new_v4(), &sealed).is_none(),
            "copied to another user"
        );
        let mut tampered = sealed.clone();
        tampered.bytes[NONCE_LEN] ^= 1;
        assert!(ring.open(owner, &tampered).is_none(), "tampered");
        let mut cut = sealed.clone();
        cut.bytes.truncate(NONCE_LEN);
        assert!(ring.open(owner, &cut).is_none(), "truncated");
        let unknown = Sealed {
            key_id: "0000000000000000".into(),
            ..sealed.clone()
        };
        assert!(ring.open(owner, &unknown).is_none(), "unknown key id");
        let other = Keyring::new(key(), vec![]);
        let forged = Sealed {
            key_id: other.current_id().to_owned(),
            ..sealed
        };
        assert!(other.open(owner, &forged).is_none(), "another key");
    }

    #[test]
    fn read_tells_nothing_readable_and_unreadable_apart() {
        let ring = Keyring::new(key(), vec![]);
        let owner = Uuid::new_v4();
        let sealed = ring.seal(owner, &last4("4321")).unwrap();
        assert_eq!(read(Some(&ring), owner, None), Stored::Nothing);
        assert_eq!(
            read(Some(&ring), owner, Some(&sealed)).masked().as_deref(),
            Some("XXXX-4321")
        );
        assert_eq!(read(None, owner, Some(&sealed)), Stored::Unreadable);
        assert_eq!(
            read(Some(&ring), Uuid::new_v4(), Some(&sealed)),
            Stored::Unreadable
        );
    }

    #[test]
    fn retired_keys_open_what_they_sealed_and_the_current_one_seals() {
        let (old, new) = (key(), key());
        let before = Keyring::new(old.clone(), vec![]);
        let owner = Uuid::new_v4();
        let sealed = before.seal(owner, &last4("7890")).unwrap();
        let after = Keyring::new(new.clone(), vec![old.clone(), new.clone(), old.clone()]);
        assert_eq!(after.retired_ids().collect::<Vec<_>>(), [old.id()]);
        assert!(after.is_stale(&sealed));
        assert_eq!(after.open(owner, &sealed).unwrap().as_str(), "7890");
        let resealed = after.seal(owner, &last4("7890")).unwrap();
        assert_eq!(resealed.key_id, new.id());
        assert!(!after.is_stale(&resealed));
    }

    #[test]
    fn keys_are_read_in_fernet_format_and_named_by_their_fingerprint() {
        // 32 bytes 0..=31, url-safe base64 with and without padding.
        let raw: Vec<u8> = (0u8..32).collect();
        let text = FERNET.encode(&raw);
        assert_eq!(text.len(), 44);
        let a = EncryptionKey::parse(&text).unwrap();
        let b = EncryptionKey::parse(text.trim_end_matches('=')).unwrap();
        assert_eq!(a.id(), b.id());
        let digest = ring::digest::digest(&ring::digest::SHA256, &raw);
        assert_eq!(a.id(), hex::encode(&digest.as_ref()[..8]));
        assert_eq!(a.id().len(), 16);
        assert_eq!(
            EncryptionKey::parse("not a key!").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            EncryptionKey::parse(&FERNET.encode([7u8; 16])).unwrap_err(),
            KeyError::WrongLength(16)
        );
        let generated = generate_key().unwrap();
        assert_eq!(generated.len(), 44);
        assert!(generated
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
    }

    #[test]
    fn debug_output_never_shows_a_key_or_the_digits() {
        let text = generate_key().unwrap();
        let key = EncryptionKey::parse(&text).unwrap();
        let ring = Keyring::new(key.clone(), vec![key.clone()]);
        let sealed = ring.seal(Uuid::new_v4(), &last4("1357")).unwrap();
        let shown = format!("{key:?} {ring:?} {sealed:?} {:?}", last4("1357"));
        assert!(!shown.contains(&text) && !shown.contains(text.trim_end_matches('=')));
        assert!(!shown.contains("1357"), "{shown}");
        assert!(shown.contains(key.id()));
    }
}
