//! The identity binary: `serve` (default), `migrate`, `seed`, `create-admin`, `gen-key`.

use clap::{Parser, Subcommand};
use diesel_async::AsyncConnection;
use hm_identity::config::IdentityConfig;
use hm_platform::config::load_dotenv;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hm-identity", about = "HunarMitra identity service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Create the database if needed and apply pending migrations.
    Migrate,
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
    /// Delete refresh tokens past their expiry.
    PurgeTokens,
}

#[tokio::main]
async fn main() -> ExitCode {
    load_dotenv();
    let cli = Cli::parse();
    if let Some(Command::GenKey) = cli.command {
        return match hm_platform::auth::SigningKey::generate() {
            Ok(key) => {
                print!("{}", key.pem());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        };
    }
    let config = match IdentityConfig::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    hm_platform::server::init_logging(config.common.log_json, config.common.debug);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Seed => seed(&config).await,
        Command::CreateAdmin { email, password } => create_admin(&config, &email, password).await,
        Command::PurgeTokens => purge(&config).await,
        Command::GenKey => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("hm-identity: {message}");
    ExitCode::FAILURE
}

async fn serve(config: IdentityConfig) -> Result<(), String> {
    let app = hm_identity::build(config)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: &IdentityConfig) -> Result<(), String> {
    hm_platform::server::migrate_command(
        &config.common,
        hm_identity::MIGRATIONS,
        &hm_identity::events::CONSUMED,
    )
    .await
}

async fn connect(config: &IdentityConfig) -> Result<diesel_async::AsyncPgConnection, String> {
    diesel_async::AsyncPgConnection::establish(&config.common.database_url)
        .await
        .map_err(|e| e.to_string())
}

async fn seed(config: &IdentityConfig) -> Result<(), String> {
    let mut conn = connect(config).await?;
    let created = hm_identity::seed::run(&mut conn).await?;
    println!("identity: {created} demo user(s) created");
    Ok(())
}

async fn create_admin(
    config: &IdentityConfig,
    email: &str,
    password: String,
) -> Result<(), String> {
    if !email.contains('@') || email.len() > 254 {
        return Err("--email must be an email address".into());
    }
    if password.chars().count() < 8 {
        return Err("--password must have at least 8 characters".into());
    }
    let hash = hm_identity::passwords::hash(password).await?;
    let mut conn = connect(config).await?;
    let (id, created) = hm_identity::store::users::upsert_admin(&mut conn, email, &hash)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "identity: admin {email} ({id}) {}",
        if created { "created" } else { "updated" }
    );
    Ok(())
}

async fn purge(config: &IdentityConfig) -> Result<(), String> {
    let mut conn = connect(config).await?;
    let n = hm_identity::store::refresh_tokens::delete_expired(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    println!("identity: {n} expired refresh token(s) deleted");
    Ok(())
}
