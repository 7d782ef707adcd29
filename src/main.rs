//! The hosting console. This first version starts the built-in local hosting service (hostingd in
//! this process, data under the user's data directory), provisions a demo account on first start
//! and shows its mailbox, so that the real onboarding flow can be walked with the typed client.
//! The desktop window (wizard and panels) builds on this.

use anyhow::Context;
use hostingd::store::NewAccount;
use hostingd::{Clock, ServeConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let dirs = directories::ProjectDirs::from("fr", "hosting", "hosting-console")
        .context("no home directory: cannot place the console's data")?;
    let data_dir = dirs.data_dir().join("local-service");
    let mut config = ServeConfig::local(data_dir.clone());
    config.listen = "127.0.0.1:0".parse()?;
    let service = hostingd::start(config, Clock::default()).await?;
    let store = &service.state.store;
    if store
        .outbox(None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_empty()
    {
        let demo = NewAccount {
            school_name: "Lycée de démonstration".to_string(),
            email: "manager@demo-school.fr".to_string(),
            phone: "+33600000000".to_string(),
            contract_ends_on: "2027-08-31".to_string(),
        };
        hostingd::operator::provision(store, &service.state.passwords, &demo)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!("Local hosting service: {}", service.base_url());
    println!("Data: {}", data_dir.display());
    println!(
        "CA fingerprint (SHA-256): {}",
        service.state.pki.ca_fingerprint()
    );
    println!("\nMailbox of the demo account:");
    for message in store
        .outbox(None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!(
            "--- {} to {}: {}\n{}",
            message.channel, message.recipient, message.subject, message.body
        );
    }
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    service.shutdown().await
}
