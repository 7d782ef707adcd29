//! `hosting-console`: opens the console window. With a `provider.toml` (next to the program,
//! in the system's or the user's configuration directory) it opens on the provider's service;
//! with none, on the built-in local demonstration service.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use clap::Parser;
use hosting_console::backend::KeystoreChoice;
use hosting_console::provider::ProviderSetting;
use hosting_console::settings::ServerChoice;
use hosting_console::shortcut::ShortcutOffer;
use hosting_console::{ConsoleApp, ConsoleOptions};

#[derive(Parser)]
#[command(name = "hosting-console", version, about = "The hosting console")]
struct Cli {
    /// Address of a provider's hosting service, e.g. https://hosting.example.org:8443.
    #[arg(long, env = "HOSTING_CONSOLE_SERVER", requires = "ca")]
    server: Option<String>,
    /// The provider's CA: a PEM file, or its SHA-256 fingerprint (64 hex digits) to pin.
    #[arg(long, env = "HOSTING_CONSOLE_CA", requires = "server")]
    ca: Option<String>,
    /// Where the console keeps its log and the local hosting service's data.
    #[arg(long, env = "HOSTING_CONSOLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The provider's settings file, instead of looking for provider.toml next to the program,
    /// then in the system's and the user's configuration directories.
    #[arg(long, env = "HOSTING_CONSOLE_PROVIDER")]
    provider: Option<PathBuf>,
    /// Panics once the log and the crash report are set up (to check the crash report).
    #[arg(long, hide = true)]
    crash_test: bool,
}

fn workstation_name() -> String {
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "Workstation".to_string())
}

fn main() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => directories::ProjectDirs::from("fr", "hosting", "hosting-console")
            .context("no home directory: give --data-dir")?
            .data_dir()
            .to_path_buf(),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let log = hosting_console::logs::RotatingLog::open_in(&data_dir)
        .context("cannot open the log file")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hosting_console=info,hostingd=info,warn".into()),
        )
        .with_ansi(false)
        .with_writer(Mutex::new(log))
        .init();
    // Read before the hook is installed: a crash of this start is shown at the next one.
    let crash_report = hosting_console::crash::take_not_shown(&data_dir);
    hosting_console::crash::install(data_dir.clone());
    if cli.crash_test {
        panic!("crash test asked for with --crash-test");
    }
    let provider = match &cli.provider {
        Some(path) => ProviderSetting::from_file(path),
        None => ProviderSetting::find(),
    };
    match &provider {
        ProviderSetting::Demonstration => {
            tracing::info!("no provider.toml: the built-in demonstration service")
        }
        ProviderSetting::Found { path, provider } => tracing::info!(
            path = %path.display(),
            url = %provider.service.url,
            "provider settings"
        ),
        ProviderSetting::Broken(error) => tracing::error!(%error, "provider.toml cannot be used"),
    }
    let server = match (cli.server, cli.ca) {
        (Some(url), Some(ca)) => match hosting_api::tls::normalise_fingerprint(&ca) {
            Some(fingerprint) => Some(ServerChoice::RemotePinned { url, fingerprint }),
            None => {
                let ca_pem = std::fs::read_to_string(&ca)
                    .with_context(|| format!("cannot read the CA file {ca}"))?;
                hosting_api::tls::certificates_from_pem(&ca_pem)
                    .context("the CA file holds no PEM certificate")?;
                Some(ServerChoice::Remote { url, ca_pem })
            }
        },
        _ => None,
    };
    tracing::info!(
        data_dir = %data_dir.display(),
        version = env!("CARGO_PKG_VERSION"),
        "console starting"
    );
    let mut options = ConsoleOptions::new(data_dir, KeystoreChoice::Platform, workstation_name());
    options.server = server;
    let title = match provider.provider().and_then(|p| p.provider.name.as_deref()) {
        Some(name) => format!("Hosting console – {name}"),
        None => "Hosting console".to_string(),
    };
    options.provider = provider;
    options.crash_report = crash_report;
    options.shortcut = ShortcutOffer::find();
    options.first_frame_report = std::env::var_os("HOSTING_CONSOLE_FIRST_FRAME_REPORT")
        .map(|path| (started, PathBuf::from(path)));
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("hosting-console")
        .with_inner_size([1100.0, 760.0])
        .with_min_inner_size([720.0, 520.0]);
    if let Some(icon) = hosting_console::theme::icon() {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "hosting-console",
        native,
        Box::new(move |cc| Ok(Box::new(ConsoleApp::new(cc, options)?))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
