//! `hosting-console`: opens the console window. With a `provider.toml` (next to the program,
//! in the system's or the user's configuration directory) it opens on the provider's service;
//! with none, on the built-in local demonstration service.
// On Windows, a released console opens its window only, without a console window beside it
// (`--help` and `--version` still print when the output goes to a pipe or a file, e.g.
// `hosting-console.exe --version | more`).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::path::{Path, PathBuf};
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

fn main() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let data_dir = data_dir(cli.data_dir.clone())?;
    start_log(&data_dir)?;
    // Read before the hook is installed: a crash of this start is shown at the next one.
    let crash_report = hosting_console::crash::take_not_shown(&data_dir);
    hosting_console::crash::install(data_dir.clone());
    if cli.crash_test {
        panic!("crash test asked for with --crash-test");
    }
    let provider = provider(cli.provider.as_deref());
    let server = server_choice(cli.server, cli.ca)?;
    tracing::info!(
        data_dir = %data_dir.display(),
        version = env!("CARGO_PKG_VERSION"),
        "console starting"
    );
    let mut options = ConsoleOptions::new(
        data_dir,
        KeystoreChoice::Platform,
        hosting_console::platform::workstation::name(),
    );
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
    let mut native = eframe::NativeOptions {
        viewport: viewport(title),
        // Where the window's size, the language and the service chosen are remembered: where
        // they were before the app id became fr.hosting.console (eframe names its folder after
        // the app id), so that an update keeps them.
        persistence_path: eframe::storage_dir("hosting-console").map(|dir| dir.join("app.ron")),
        ..Default::default()
    };
    if let eframe::egui_wgpu::WgpuSetup::CreateNew(setup) = &mut native.wgpu_options.wgpu_setup {
        setup.native_adapter_selector = Some(hosting_console::platform::renderer::selector());
    }
    eframe::run_native(
        "hosting-console",
        native,
        Box::new(move |cc| Ok(Box::new(ConsoleApp::new(cc, options)?))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}

/// The directory given, or the user's data directory for the console; made if missing, and
/// owner-only (Unix).
fn data_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let data_dir = match given {
        Some(dir) => dir,
        None => hosting_console::platform::default_data_dir()
            .context("no home directory: give --data-dir")?,
    };
    hosting_console::platform::owner_only::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    Ok(data_dir)
}

/// Sends the log to the rotating file in `data_dir`.
fn start_log(data_dir: &Path) -> anyhow::Result<()> {
    let log = hosting_console::logs::RotatingLog::open_in(data_dir)
        .context("cannot open the log file")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hosting_console=info,hostingd=info,warn".into()),
        )
        .with_ansi(false)
        .with_writer(Mutex::new(log))
        .init();
    Ok(())
}

/// The provider's settings (the file given, or the one found), said in the log.
fn provider(given: Option<&Path>) -> ProviderSetting {
    let provider = match given {
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
    provider
}

/// The service given on the command line: its CA pinned by fingerprint, or read from a PEM file.
fn server_choice(
    server: Option<String>,
    ca: Option<String>,
) -> anyhow::Result<Option<ServerChoice>> {
    let (Some(url), Some(ca)) = (server, ca) else {
        return Ok(None);
    };
    if let Some(fingerprint) = hosting_api::tls::normalise_fingerprint(&ca) {
        return Ok(Some(ServerChoice::RemotePinned { url, fingerprint }));
    }
    let ca_pem =
        std::fs::read_to_string(&ca).with_context(|| format!("cannot read the CA file {ca}"))?;
    hosting_api::tls::certificates_from_pem(&ca_pem)
        .context("the CA file holds no PEM certificate")?;
    Ok(Some(ServerChoice::Remote { url, ca_pem }))
}

/// The window: its title, size and icon.
fn viewport(title: String) -> egui::ViewportBuilder {
    let viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("fr.hosting.console")
        .with_inner_size([1100.0, 760.0])
        .with_min_inner_size([720.0, 520.0]);
    match hosting_console::theme::icon() {
        Some(icon) => viewport.with_icon(icon),
        None => viewport,
    }
}
