//! The identity binary: `serve` (default), `migrate` (hm_platform::cli), `seed`, `create-admin`,
//! `gen-key`, `gen-encryption-key`, `reencrypt-ekyc`, `purge-tokens`.

use clap::Subcommand;
use hm_identity::config::IdentityConfig;
use hm_identity::Identity;
use hm_platform::cli::{self, CommandError, Commands};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the demo users of the seed data (idempotent).
    Seed,
    /// Create an admin account, or reset its password if it exists.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, env = "ADMIN_PASSWORD")]
        password: String,
    },
    /// Print a new Ed25519 private key (PEM) for JWT_PRIVATE_KEY_PEM / JWT_PRIVATE_KEY_FILE.
    GenKey,
    /// Print a new eKYC encryption key (Fernet format: url-safe base64 of 32 random bytes) for
    /// ENCRYPTION_KEY.
    GenEncryptionKey,
    /// Re-encrypt every stored Aadhaar value sealed under a retired key (ENCRYPTION_KEYS_RETIRED) with
    /// the current ENCRYPTION_KEY, in batches, one transaction each; prints how many.
    ReencryptEkyc,
    /// Delete refresh tokens past their expiry.
    PurgeTokens,
}

impl Commands<IdentityConfig> for Command {
    fn without_config(&self) -> Option<Result<(), CommandError>> {
        match self {
            Command::GenKey => Some(
                hm_platform::auth::SigningKey::generate()
                    .map(|key| print!("{}", key.pem()))
                    .map_err(CommandError::service),
            ),
            Command::GenEncryptionKey => Some(
                hm_identity::ekyc::generate_key()
                    .map(|key| println!("{key}"))
                    .map_err(CommandError::service),
            ),
            _ => None,
        }
    }

    async fn run(self, config: IdentityConfig) -> Result<(), CommandError> {
        match self {
            Command::Seed => {
                let mut conn = cli::connect(&config.common).await?;
                let created = hm_identity::seed::run(&mut conn).await?;
                println!("identity: {created} demo user(s) created");
            }
            Command::CreateAdmin { email, password } => {
                create_admin(&config, &email, password).await?
            }
            Command::GenKey | Command::GenEncryptionKey => {} // without_config
            Command::ReencryptEkyc => {
                let keyring = config.encryption.as_ref().ok_or_else(|| {
                    CommandError::Usage(
                        "ENCRYPTION_KEY is not set: nothing to re-encrypt with".into(),
                    )
                })?;
                let mut conn = cli::connect(&config.common).await?;
                let done = hm_identity::store::ekyc::reencrypt(&mut conn, keyring)
                    .await
                    .map_err(CommandError::service)?;
                println!(
                    "identity: {} eKYC value(s) re-encrypted with key {}",
                    done.rewritten,
                    keyring.current_id()
                );
                if done.unreadable > 0 {
                    println!(
                        "identity: {} eKYC value(s) under a key no longer configured were left as they are",
                        done.unreadable
                    );
                }
            }
            Command::PurgeTokens => {
                let mut conn = cli::connect(&config.common).await?;
                let n = hm_identity::store::refresh_tokens::delete_expired(&mut conn).await?;
                println!("identity: {n} expired refresh token(s) deleted");
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    cli::main::<Identity, Command>()
}

async fn create_admin(
    config: &IdentityConfig,
    email: &str,
    password: String,
) -> Result<(), CommandError> {
    if !email.contains('@') || email.len() > 254 {
        return Err(CommandError::Usage(
            "--email must be an email address".into(),
        ));
    }
    if password.chars().count() < 8 {
        return Err(CommandError::Usage(
            "--password must have at least 8 characters".into(),
        ));
    }
    let hash = hm_identity::passwords::hash(password)
        .await
        .map_err(CommandError::service)?;
    let mut conn = cli::connect(&config.common).await?;
    let (id, created) = hm_identity::store::users::upsert_admin(&mut conn, email, &hash).await?;
    println!(
        "identity: admin {email} ({id}) {}",
        if created { "created" } else { "updated" }
    );
    Ok(())
}
