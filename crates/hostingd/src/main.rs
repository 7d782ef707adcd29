//! `hostingd`: the hosting service and the provider's operator commands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use hostingd::store::{NewAccount, Store};
use hostingd::{Clock, ServeConfig, operator};

#[derive(Parser)]
#[command(
    name = "hostingd",
    version,
    about = "The hosting service of the hosting console"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the operator commands find the database.
#[derive(clap::Args)]
struct StoreArgs {
    /// Directory of the service's data.
    #[arg(long, env = "HOSTINGD_DATA_DIR", default_value = "hostingd-data")]
    data_dir: PathBuf,
    /// Database URL; default: `sqlite://<data-dir>/hostingd.db`.
    #[arg(long, env = "HOSTINGD_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// File holding the database URL, read and trimmed.
    #[arg(
        long,
        env = "HOSTINGD_DATABASE_URL_FILE",
        conflicts_with = "database_url"
    )]
    database_url_file: Option<PathBuf>,
}

impl StoreArgs {
    async fn open(&self) -> anyhow::Result<Store> {
        let mut config = ServeConfig::local(self.data_dir.clone());
        config.database_url = self.database_url.clone();
        config.database_url_file = self.database_url_file.clone();
        hostingd::open_operator_store(&config, Clock::default()).await
    }
}

/// The configuration of `serve` is large, and parsed once.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Runs the service.
    Serve(ServeConfig),
    /// Prints the OpenAPI document of the API (what `/v1/openapi.json` serves), for tools that
    /// read the contract from a file.
    Openapi,
    /// Creates an account and sends its logins (e-mail: hosting and invoice numbers; SMS: password).
    Provision {
        #[command(flatten)]
        store: StoreArgs,
        /// Name of the school.
        #[arg(long)]
        school: String,
        /// The hosting manager's e-mail address.
        #[arg(long)]
        email: String,
        /// The hosting manager's mobile phone number.
        #[arg(long)]
        phone: String,
        /// Last day of the contract (YYYY-MM-DD); default: 31 August of next year.
        #[arg(long)]
        contract_ends_on: Option<String>,
        /// The language of the account's e-mails and SMS: `fr` or `en` (the hosting manager can
        /// change it in My account).
        #[arg(long, default_value = "fr", value_parser = parse_language)]
        language: hosting_api::types::Language,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists the e-mails and SMS of the outbox; `--failed` those that failed (waiting for their
    /// next attempt, or given up); `--retry ID` or `--retry-all` re-queues them for now.
    Outbox {
        #[command(flatten)]
        store: StoreArgs,
        /// One JSON object a line: channel, recipient, subject, body (empty once delivered or,
        /// for a secret, given up), attempts, last error, next attempt, given up.
        #[arg(long)]
        json: bool,
        /// Only the messages that failed at least once and are not delivered.
        #[arg(long)]
        failed: bool,
        /// Re-queues this failed message for an attempt now.
        #[arg(long, conflicts_with_all = ["retry_all", "failed", "json"])]
        retry: Option<i64>,
        /// Re-queues every failed message for an attempt now.
        #[arg(long, conflicts_with_all = ["failed", "json"])]
        retry_all: bool,
    },
    /// Gives an account a new console password, sent by SMS, and ends the sessions opened
    /// with the old one (the manager's workstations log in again).
    ResetPassword {
        #[command(flatten)]
        store: StoreArgs,
        /// The account's hosting number.
        hosting_number: String,
    },
    /// Lets a school use its own domain (and the names under it) for its controller and
    /// schedules, once you checked that the school owns it. The endpoint CA is issued again with
    /// the domain among its name constraints when a schedule's server starts next.
    VerifyDomain {
        #[command(flatten)]
        store: StoreArgs,
        /// The public zone the service runs with (its --public-zone).
        #[arg(
            long,
            env = "HOSTINGD_PUBLIC_ZONE",
            default_value = "hosting.localhost"
        )]
        public_zone: String,
        /// The account's hosting number.
        hosting_number: String,
        /// The full domain name, e.g. lycee-hugo.fr.
        domain: String,
    },
    /// Gives an account a new invoice number (after a leak), sent by e-mail; the old one is
    /// refused at once. Installed workstations keep working.
    RotateInvoice {
        #[command(flatten)]
        store: StoreArgs,
        /// The account's hosting number.
        hosting_number: String,
    },
    /// The provider's releases: the yearly upgrade of the schools.
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// The price list of the pro-forma invoices.
    #[command(subcommand)]
    Prices(PricesCommand),
    /// A school's contract.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Revokes a workstation's certificate.
    RevokeWorkstation {
        #[command(flatten)]
        store: StoreArgs,
        /// The workstation id (see the console's Workstations panel).
        id: i64,
    },
}

/// `hostingd release …`.
#[derive(Subcommand)]
enum ReleaseCommand {
    /// Publishes a release: from --prerelease-from a school may move to it at once; otherwise
    /// it chooses a day of --window in My account (default: the first day), and is upgraded
    /// that day. Publishing a version again changes its days (until a school was upgraded).
    Publish {
        #[command(flatten)]
        store: StoreArgs,
        /// The version, e.g. 2027.
        #[arg(long)]
        version: String,
        /// First day of the pre-release (YYYY-MM-DD), e.g. 2027-07-01.
        #[arg(long)]
        prerelease_from: String,
        /// The days a school may choose, FIRST..LAST, e.g. 2027-08-21..2027-08-24.
        #[arg(long)]
        window: String,
    },
    /// Lists the published releases.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
}

/// `hostingd prices …`.
#[derive(Subcommand)]
enum PricesCommand {
    /// Sets the price of an item from a day on: the pro-formas of periods starting that day or
    /// later use it.
    Set {
        #[command(flatten)]
        store: StoreArgs,
        /// hosting (per school and year), administration_licence (per licence and year) or
        /// campus_net_licence (per schedule and year).
        #[arg(long)]
        item: String,
        /// Amount excluding tax, e.g. 1450.00.
        #[arg(long)]
        amount: String,
        /// Three-letter currency code.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// VAT rate in percent, e.g. 20.
        #[arg(long, default_value = "20")]
        vat: String,
        /// First day (YYYY-MM-DD) the price applies.
        #[arg(long)]
        from: String,
    },
    /// Lists the price list.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
}

/// `hostingd contract …`.
#[derive(Subcommand)]
enum ContractCommand {
    /// Records a school's contract: after a renewal is paid, its new end (the reminders of the
    /// end start again for it).
    Set {
        #[command(flatten)]
        store: StoreArgs,
        /// The account's hosting number.
        hosting_number: String,
        /// Kind of contract, e.g. hosting.
        #[arg(long)]
        kind: Option<String>,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        starts_on: Option<String>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        ends_on: Option<String>,
        /// Simultaneous connections in Administrative mode.
        #[arg(long)]
        administration_licences: Option<u32>,
    },
}

fn default_contract_end() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!("{}-08-31", today.year() + 1)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut format = hostingd::config::LogFormat::Text;
    if let Command::Serve(config) = &cli.command {
        hostingd::instance::init(config.instance_id.as_deref());
        format = config.log_format;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "hostingd=info,warn".into());
    match format {
        hostingd::config::LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_timer(hostingd::instance::TimeAndInstance)
            .init(),
        // The timestamp names the instance as in text; the request lines also have it as a field.
        hostingd::config::LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_timer(hostingd::instance::TimeAndInstance)
            .init(),
    }
    // Everything this process creates (database, WAL, keys, blobs) is owner-only.
    hostingd::private_files::owner_only_umask();
    run(cli.command).await
}

/// A refusal or failure of an operator's command, in the service's sentence.
fn said(fault: hostingd::fault::Fault) -> anyhow::Error {
    anyhow::anyhow!("{}", hostingd::http::sentence(fault))
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(config) => serve(config).await,
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&hostingd::http::openapi_document())?
            );
            Ok(())
        }
        Command::Provision {
            store,
            school,
            email,
            phone,
            contract_ends_on,
            language,
            json,
        } => {
            let account = NewAccount {
                school_name: school,
                email,
                phone,
                contract_ends_on: contract_ends_on.unwrap_or_else(default_contract_end),
                language,
            };
            provision(&store.open().await?, &account, json).await
        }
        Command::Outbox {
            store,
            json,
            failed,
            retry,
            retry_all,
        } => {
            let store = store.open().await?;
            if retry.is_some() || retry_all {
                let done = store
                    .requeue_messages(retry)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("{}", hostingd::operator::requeued_report(&done, retry));
                Ok(())
            } else {
                print_outbox(&store, json, failed).await
            }
        }
        Command::Release(command) => release(command).await,
        Command::Prices(command) => prices(command).await,
        other => account_command(other).await,
    }
}

/// The commands about one account: its password, its invoice number, a domain, its contract, a
/// workstation.
async fn account_command(command: Command) -> anyhow::Result<()> {
    match command {
        Command::ResetPassword {
            store,
            hosting_number,
        } => {
            let store = store.open().await?;
            let passwords = hostingd::auth::Passwords::new(1)?;
            operator::reset_password(&store, &passwords, &hosting_number)
                .await
                .map_err(said)?;
            println!(
                "a new password was sent by SMS (see the outbox); the sessions opened with the old one have ended"
            );
            Ok(())
        }
        Command::RotateInvoice {
            store,
            hosting_number,
        } => {
            operator::rotate_invoice(&store.open().await?, &hosting_number)
                .await
                .map_err(said)?;
            println!(
                "a new invoice number was sent by e-mail (see the outbox); the old one is refused"
            );
            Ok(())
        }
        Command::VerifyDomain {
            store,
            public_zone,
            hosting_number,
            domain,
        } => {
            let store = store.open().await?;
            let domain = operator::verify_domain(&store, &hosting_number, &domain, &public_zone)
                .await
                .map_err(said)?;
            println!(
                "{domain} verified for {hosting_number}: the school may now use it and the names under it; PRONOTE clients that connect to them need the endpoint CA issued from now on (GET /v1/endpoint-ca)"
            );
            Ok(())
        }
        Command::Contract(ContractCommand::Set {
            store,
            hosting_number,
            kind,
            starts_on,
            ends_on,
            administration_licences,
        }) => {
            let change = hostingd::store::ContractChange {
                kind,
                starts_on,
                ends_on,
                administration_licences: administration_licences.map(i64::from),
            };
            operator::set_contract(&store.open().await?, &hosting_number, &change)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("the contract of {hosting_number} is recorded");
            Ok(())
        }
        Command::RevokeWorkstation { store, id } => {
            operator::revoke_workstation(&store.open().await?, id)
                .await
                .map_err(said)?;
            println!("workstation {id} revoked");
            Ok(())
        }
        _ => unreachable!("run() handles the other commands"),
    }
}

/// `hostingd release …`.
async fn release(command: ReleaseCommand) -> anyhow::Result<()> {
    match command {
        ReleaseCommand::Publish {
            store,
            version,
            prerelease_from,
            window,
        } => {
            let store = store.open().await?;
            let release = operator::publish_release(&store, &version, &prerelease_from, &window)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "release {} published: pre-release from {}, upgrade window {}..{}",
                release.version,
                prerelease_from.trim(),
                window.split("..").next().unwrap_or_default().trim(),
                window.split("..").nth(1).unwrap_or_default().trim()
            );
            Ok(())
        }
        ReleaseCommand::List { store, json } => {
            for release in store.open().await?.releases().await? {
                if json {
                    println!("{}", serde_json::to_string(&release)?);
                } else {
                    println!(
                        "{}\tpre-release from {}\twindow {}..{}",
                        release.version,
                        release.prerelease_from,
                        release.window_start,
                        release.window_end
                    );
                }
            }
            Ok(())
        }
    }
}

/// `hostingd prices …`.
async fn prices(command: PricesCommand) -> anyhow::Result<()> {
    match command {
        PricesCommand::Set {
            store,
            item,
            amount,
            currency,
            vat,
            from,
        } => {
            let store = store.open().await?;
            let price = operator::set_price(&store, &item, &amount, &currency, &vat, &from)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} costs {}.{:02} {} excluding tax (VAT {}.{} %) from {}",
                price.item,
                price.amount_cents / 100,
                price.amount_cents % 100,
                price.currency,
                price.vat_per_mille / 10,
                price.vat_per_mille % 10,
                price.valid_from
            );
            Ok(())
        }
        PricesCommand::List { store, json } => {
            for price in store.open().await?.prices().await? {
                if json {
                    println!("{}", serde_json::to_string(&price)?);
                } else {
                    println!(
                        "{}\tfrom {}\t{}.{:02} {}\tVAT {}.{} %",
                        price.item,
                        price.valid_from,
                        price.amount_cents / 100,
                        price.amount_cents % 100,
                        price.currency,
                        price.vat_per_mille / 10,
                        price.vat_per_mille % 10
                    );
                }
            }
            Ok(())
        }
    }
}

/// Runs the service until SIGTERM (systemd, a container runtime) or Ctrl-C, then stops as
/// [`hostingd::RunningService::shutdown`] says and exits 0. The "listening" line is what scripts
/// and tests wait for.
async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let service = hostingd::start(config, Clock::default()).await?;
    println!("hostingd listening on {}", service.base_url());
    println!(
        "CA fingerprint (SHA-256): {}",
        service.state.pki.ca_fingerprint()
    );
    println!("instance {}", hostingd::instance::id());
    let signal = stop_signal().await?;
    println!("stopping ({signal})");
    tracing::info!(signal, "stopping");
    service.shutdown().await?;
    println!("stopped");
    Ok(())
}

/// Waits for a request to stop: SIGTERM or SIGINT (Ctrl-C) on Unix, Ctrl-C elsewhere.
async fn stop_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.map(|()| "SIGINT").map_err(Into::into),
            _ = terminate.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("Ctrl-C")
    }
}

/// Creates an account; its logins go to the outbox.
async fn provision(store: &Store, account: &NewAccount, json: bool) -> anyhow::Result<()> {
    let passwords = hostingd::auth::Passwords::new(1)?;
    let provisioned = operator::provision(store, &passwords, account)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!("{}", serde_json::to_string(&provisioned)?);
    } else {
        println!(
            "account created: hosting number {}, invoice number {}",
            provisioned.hosting_number, provisioned.invoice_number
        );
        println!("the e-mail and the SMS with the password are in the outbox");
    }
    Ok(())
}

/// Prints the messages of the outbox (`failed`: those that failed and are not delivered); a
/// delivered one, or a secret given up, shows only its metadata.
async fn print_outbox(store: &Store, json: bool, failed: bool) -> anyhow::Result<()> {
    let messages = if failed {
        store.failed_messages().await
    } else {
        store.outbox(None).await
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    for message in messages {
        if json {
            println!("{}", serde_json::to_string(&message)?);
        } else {
            println!("{}", hostingd::operator::outbox_entry(&message));
        }
    }
    Ok(())
}

/// `fr` or `en`.
fn parse_language(code: &str) -> Result<hosting_api::types::Language, String> {
    hosting_api::types::Language::parse(code)
        .ok_or_else(|| format!("{code:?} is not a language of the service: write fr or en"))
}
