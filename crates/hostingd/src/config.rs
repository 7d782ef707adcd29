//! Configuration of `hostingd serve`: every flag can also come from the environment.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;

/// How the service runs.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "HOSTINGD_LISTEN", default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Directory for the SQLite database, the CA and the server certificate.
    #[arg(long, env = "HOSTINGD_DATA_DIR", default_value = "hostingd-data")]
    pub data_dir: PathBuf,
    /// Name of this instance among those sharing one database, in every log line and audit
    /// record; default: the host name and the process id.
    #[arg(long, env = "HOSTINGD_INSTANCE_ID", value_parser = crate::instance::parse)]
    pub instance_id: Option<String>,
    /// Database URL; default: `sqlite://<data-dir>/hostingd.db`. A PostgreSQL URL holds its
    /// password and is visible in `ps` when given as a flag: prefer `--database-url-file`.
    #[arg(long, env = "HOSTINGD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// File holding the database URL (with its password), read at start and trimmed: it stays
    /// out of `ps` and of the environment.
    #[arg(
        long,
        env = "HOSTINGD_DATABASE_URL_FILE",
        conflicts_with = "database_url"
    )]
    pub database_url_file: Option<PathBuf>,
    /// Server certificate chain (PEM) of the provider; default: made and signed by the service CA.
    #[arg(long, env = "HOSTINGD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of `--tls-cert`.
    #[arg(long, env = "HOSTINGD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA certificate (PEM) that signs workstation certificates; default: the service's own CA.
    #[arg(long, env = "HOSTINGD_CA_CERT", requires = "ca_key")]
    pub ca_cert: Option<PathBuf>,
    /// Private key (PEM) of `--ca-cert`.
    #[arg(long, env = "HOSTINGD_CA_KEY", requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,
    /// Extra DNS names for the server certificate the service makes (localhost is always in it).
    #[arg(
        long = "server-name",
        env = "HOSTINGD_SERVER_NAMES",
        value_delimiter = ','
    )]
    pub server_names: Vec<String>,
    /// Lifetime of workstation certificates, in days.
    #[arg(long, env = "HOSTINGD_CERT_LIFETIME_DAYS", default_value_t = 365)]
    pub cert_lifetime_days: u32,
    /// Ports given to controllers and schedules, e.g. `20000-29999`.
    #[arg(long, env = "HOSTINGD_PORT_RANGE", default_value = "20000-29999", value_parser = parse_port_range)]
    pub port_range: RangeInclusive<u16>,
    /// DNS zone of the connection details: a domain `x` is reached at `x.<zone>`.
    #[arg(
        long,
        env = "HOSTINGD_PUBLIC_ZONE",
        default_value = "hosting.localhost"
    )]
    pub public_zone: String,
    /// Password hashes computed at once (each takes 19 MiB); default: the number of cores.
    #[arg(long, env = "HOSTINGD_MAX_CONCURRENT_HASHES")]
    pub max_concurrent_hashes: Option<usize>,
    /// SMTP server URL for e-mails, e.g. `smtps://user:pass@smtp.example.org`; unset: e-mails stay in the outbox.
    /// Visible in `ps` when given as a flag: prefer `--smtp-url-file`.
    #[arg(long, env = "HOSTINGD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// File holding the SMTP server URL (with its credentials), read at start and trimmed: the
    /// credentials stay out of `ps` and of the environment.
    #[arg(long, env = "HOSTINGD_SMTP_URL_FILE", conflicts_with = "smtp_url")]
    pub smtp_url_file: Option<PathBuf>,
    /// Sender address of e-mails.
    #[arg(
        long,
        env = "HOSTINGD_SMTP_FROM",
        default_value = "Hosting <no-reply@hosting.localhost>"
    )]
    pub smtp_from: String,
    /// Directory of the blob storage (uploads, bases, safeguards); default: `<data-dir>/blobs`.
    #[arg(long, env = "HOSTINGD_BLOB_DIR", conflicts_with = "blob_store")]
    pub blob_dir: Option<PathBuf>,
    /// Blob storage as a URL: `file:///absolute/path` or `s3://bucket/optional/prefix` (an
    /// S3-compatible bucket, reached with the AWS_ENDPOINT, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ALLOW_HTTP variables); default: `<data-dir>/blobs`.
    /// Checked at start, and never repeated in an error (a mistaken URL may carry a credential).
    #[arg(long, env = "HOSTINGD_BLOB_STORE", hide_env_values = true)]
    pub blob_store: Option<String>,
    /// Largest file that can be uploaded, in bytes.
    #[arg(
        long,
        env = "HOSTINGD_MAX_UPLOAD_BYTES",
        default_value_t = 20_000_000_000
    )]
    pub max_upload_bytes: u64,
    /// Hours an unfinished upload is kept.
    #[arg(long, env = "HOSTINGD_UPLOAD_EXPIRY_HOURS", default_value_t = 72)]
    pub upload_expiry_hours: u64,
    /// Space of each account (bases, safeguards, uploads), in bytes.
    #[arg(
        long,
        env = "HOSTINGD_ACCOUNT_QUOTA_BYTES",
        default_value_t = 200_000_000_000
    )]
    pub account_quota_bytes: u64,
    /// Minutes between two safeguards of a running schedule.
    #[arg(
        long,
        env = "HOSTINGD_SAFEGUARD_INTERVAL_MINUTES",
        default_value_t = 60
    )]
    pub safeguard_interval_minutes: u64,
    /// Safeguards kept: the newest N.
    #[arg(long, env = "HOSTINGD_SAFEGUARD_KEEP_LAST", default_value_t = 24)]
    pub safeguard_keep_last: usize,
    /// Safeguards kept: the newest of each of the last N days.
    #[arg(long, env = "HOSTINGD_SAFEGUARD_KEEP_DAILY", default_value_t = 7)]
    pub safeguard_keep_daily: usize,
    /// Safeguards kept: the newest of each of the last N weeks.
    #[arg(long, env = "HOSTINGD_SAFEGUARD_KEEP_WEEKLY", default_value_t = 5)]
    pub safeguard_keep_weekly: usize,
    /// The provider's name, printed on the pro-forma invoices.
    #[arg(
        long,
        env = "HOSTINGD_PROVIDER_NAME",
        default_value = "Hosting provider"
    )]
    pub provider_name: String,
    /// The provider's page where schools download the console, given in every logins e-mail
    /// and on the connection sheet; default: the service's own neutral page, `/console`.
    #[arg(long, env = "HOSTINGD_CONSOLE_DOWNLOAD_URL", value_parser = parse_download_url)]
    pub console_download_url: Option<String>,
    /// Days before a contract's end the hosting manager is e-mailed, e.g. 60,30,7.
    #[arg(long, env = "HOSTINGD_CONTRACT_REMINDER_DAYS", value_delimiter = ',', default_values_t = [60, 30, 7])]
    pub contract_reminder_days: Vec<u32>,
    /// The day (MM-DD, UTC) each schedule's active base is archived as the base of the school
    /// year that ends.
    #[arg(long, env = "HOSTINGD_YEAR_END_ARCHIVE", default_value = "07-31")]
    pub year_end_archive: crate::rules::school_year::MonthDay,
    /// The day (MM-DD, UTC) a schedule with no base put online since the archive gets a new
    /// empty base, opened and activated.
    #[arg(long, env = "HOSTINGD_NEW_BASE_DATE", default_value = "08-31")]
    pub new_base_date: crate::rules::school_year::MonthDay,
    /// Seconds between two runs of the jobs (safeguards, expiry).
    #[arg(long, env = "HOSTINGD_JOB_INTERVAL_SECONDS", default_value_t = 30)]
    pub job_interval_seconds: u64,
    /// Seconds a schedule's endpoint lease lasts: with several instances over one database, the
    /// longest an endpoint stays unanswered after its instance dies is this and a third.
    #[arg(long, env = "HOSTINGD_ENDPOINT_LEASE_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub endpoint_lease_seconds: u64,
    /// Address the schedules' endpoints listen on; default: the address of `--listen`.
    #[arg(long, env = "HOSTINGD_SCHEDULE_BIND")]
    pub schedule_bind: Option<std::net::IpAddr>,
    /// SMS gateway URL (HTTP POST of `{"to","text"}`); unset: SMS stay in the outbox.
    #[arg(long, env = "HOSTINGD_SMS_URL", hide_env_values = true)]
    pub sms_url: Option<String>,
    /// File holding the SMS gateway URL (when it carries credentials), read at start and trimmed.
    #[arg(long, env = "HOSTINGD_SMS_URL_FILE", conflicts_with = "sms_url")]
    pub sms_url_file: Option<PathBuf>,
    /// Bearer token of the SMS gateway. Visible in `ps` when given as a flag: prefer
    /// `--sms-token-file`.
    #[arg(long, env = "HOSTINGD_SMS_TOKEN", hide_env_values = true)]
    pub sms_token: Option<String>,
    /// File holding the bearer token of the SMS gateway, read at start and trimmed.
    #[arg(long, env = "HOSTINGD_SMS_TOKEN_FILE", conflicts_with = "sms_token")]
    pub sms_token_file: Option<PathBuf>,
    /// The TCP balancers in front of the service, `CIDR[,CIDR…]` (e.g. `10.0.0.0/24`): their
    /// connections (to the API and to the schedules' endpoints) start with a PROXY protocol
    /// header (v1 or v2, HAProxy's `send-proxy-v2`) naming the client, whose address is then the
    /// one rate limits, lock-outs and the audit use. A header from any other peer is refused, and
    /// so is a connection from these networks without one. Unset: no balancer.
    #[arg(long, env = "HOSTINGD_PROXY_PROTOCOL_FROM",
          value_parser = crate::proxy_protocol::TrustedProxies::parse)]
    pub proxy_protocol_from: Option<crate::proxy_protocol::TrustedProxies>,
    /// Where to serve Prometheus metrics (`/metrics`, plain HTTP, e.g. `10.0.0.11:9464`): a
    /// separate listener for the provider's network, never the API's port. Unset: none.
    #[arg(long, env = "HOSTINGD_METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// How log lines are written: `text` (a line a person reads) or `json` (one object a line,
    /// for a log collector). Every line names the instance; the request log gives each request's
    /// method, route template, status, latency and source address, never a token or a body.
    #[arg(long, env = "HOSTINGD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Seconds that requests in flight may take to finish at a planned stop (SIGTERM, Ctrl-C)
    /// before their connections are closed.
    #[arg(long, env = "HOSTINGD_SHUTDOWN_GRACE_SECONDS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=600))]
    pub shutdown_grace_seconds: u64,
    /// The longest wait, in seconds, between two attempts to deliver an e-mail or an SMS (the
    /// wait starts at 5 s and doubles at each failure, with jitter).
    #[arg(long, env = "HOSTINGD_OUTBOX_MAX_RETRY_SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(5..=86_400))]
    pub outbox_max_retry_seconds: u64,
    /// Hours after which an e-mail or SMS still undelivered is given up (logged at error, listed
    /// by `hostingd outbox --failed`, re-queued by `hostingd outbox --retry`).
    #[arg(long, env = "HOSTINGD_OUTBOX_GIVE_UP_HOURS", default_value_t = 72,
          value_parser = clap::value_parser!(u64).range(1..=2_160))]
    pub outbox_give_up_hours: u64,
    /// Extra CA certificates (PEM) trusted for the schools' CAS servers (delegated
    /// authentication), besides the system's.
    #[arg(long, env = "HOSTINGD_CAS_CA_FILE")]
    pub cas_ca_file: Option<PathBuf>,
    /// Lets a school's CAS address name a loopback, private or link-local address, on any port.
    /// Off by default: the school chooses the address, and the service must not reach into its
    /// own network for it, nor knock on ports other than HTTPS's (443, 8443).
    #[arg(long, env = "HOSTINGD_CAS_ALLOW_PRIVATE_ADDRESSES")]
    pub cas_allow_private_addresses: bool,
    /// Rate limits, hashing queue, timeouts and keep-alives.
    #[command(flatten)]
    pub limits: crate::limits::LimitsConfig,
}

impl ServeConfig {
    /// A configuration for a service in `data_dir` listening on a free loopback port.
    pub fn local(data_dir: PathBuf) -> ServeConfig {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            instance_id: None,
            database_url: None,
            database_url_file: None,
            tls_cert: None,
            tls_key: None,
            ca_cert: None,
            ca_key: None,
            server_names: Vec::new(),
            cert_lifetime_days: 365,
            port_range: 20000..=29999,
            public_zone: "hosting.localhost".to_string(),
            max_concurrent_hashes: None,
            smtp_url: None,
            smtp_url_file: None,
            smtp_from: "Hosting <no-reply@hosting.localhost>".to_string(),
            sms_url: None,
            sms_url_file: None,
            sms_token: None,
            sms_token_file: None,
            proxy_protocol_from: None,
            log_format: LogFormat::Text,
            metrics_listen: None,
            shutdown_grace_seconds: 20,
            outbox_max_retry_seconds: 900,
            outbox_give_up_hours: 72,
            blob_dir: None,
            blob_store: None,
            max_upload_bytes: 20_000_000_000,
            upload_expiry_hours: 72,
            account_quota_bytes: 200_000_000_000,
            safeguard_interval_minutes: 60,
            safeguard_keep_last: 24,
            safeguard_keep_daily: 7,
            safeguard_keep_weekly: 5,
            job_interval_seconds: 30,
            provider_name: "Hosting provider".to_string(),
            console_download_url: None,
            contract_reminder_days: vec![60, 30, 7],
            year_end_archive: crate::rules::school_year::MonthDay {
                month: time::Month::July,
                day: 31,
            },
            new_base_date: crate::rules::school_year::MonthDay {
                month: time::Month::August,
                day: 31,
            },
            endpoint_lease_seconds: 30,
            schedule_bind: None,
            cas_ca_file: None,
            cas_allow_private_addresses: false,
            limits: crate::limits::LimitsConfig::default(),
        }
    }

    /// The blob directory, when the blobs are in a local directory.
    pub fn blob_dir(&self) -> Option<PathBuf> {
        match self.blob_location() {
            Ok(crate::blobs::BlobLocation::Local(dir)) => Some(dir),
            Ok(crate::blobs::BlobLocation::S3 { .. }) | Err(_) => None,
        }
    }

    /// Where the blobs are: `--blob-store`, else `--blob-dir`, else `<data-dir>/blobs`. A
    /// `--blob-store` that is no valid URL is an error saying what to write.
    pub fn blob_location(&self) -> anyhow::Result<crate::blobs::BlobLocation> {
        match &self.blob_store {
            Some(url) => url.parse().map_err(|error: String| anyhow::anyhow!(error)),
            None => Ok(crate::blobs::BlobLocation::Local(
                self.blob_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("blobs")),
            )),
        }
    }

    /// The service's own page of the console's download: on its first server name (else
    /// `localhost`) and its port.
    pub fn own_download_page(&self) -> String {
        let host = self
            .server_names
            .first()
            .map_or("localhost", String::as_str);
        match self.listen.port() {
            0 | 443 => format!("https://{host}{}", hosting_api::paths::CONSOLE_PAGE),
            port => format!("https://{host}:{port}{}", hosting_api::paths::CONSOLE_PAGE),
        }
    }

    /// The database URL of `--database-url` or `--database-url-file`, if one is given.
    pub fn given_database_url(&self) -> anyhow::Result<Option<String>> {
        flag_or_file(&self.database_url, &self.database_url_file, "database-url")
    }

    /// The database URL of `--database-url`, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("hostingd.db").display()
            )
        })
    }
}

/// An `https://` (or `http://`) address without spaces.
pub fn parse_download_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty() && !rest.starts_with('/') && !url.contains(char::is_whitespace) =>
        {
            Ok(url.to_string())
        }
        _ => Err(format!(
            "{url:?} is not a web address: write the page's full address, e.g. https://provider.example/console"
        )),
    }
}

/// A secret given either in a flag or in a file (read now, trimmed); both is an error.
fn flag_or_file(
    value: &Option<String>,
    file: &Option<PathBuf>,
    flag: &str,
) -> anyhow::Result<Option<String>> {
    match (value, file) {
        (Some(_), Some(_)) => {
            anyhow::bail!("give either --{flag} or --{flag}-file, not both")
        }
        (Some(value), None) => Ok(Some(value.clone())),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read --{flag}-file {}: {e}", path.display())
            })?;
            let value = text.trim();
            if value.is_empty() {
                anyhow::bail!("--{flag}-file {} is empty", path.display());
            }
            Ok(Some(value.to_string()))
        }
        (None, None) => Ok(None),
    }
}

impl ServeConfig {
    /// The SMTP URL, from `--smtp-url` or `--smtp-url-file`.
    pub fn smtp_url(&self) -> anyhow::Result<Option<String>> {
        flag_or_file(&self.smtp_url, &self.smtp_url_file, "smtp-url")
    }

    /// The SMS gateway URL, from `--sms-url` or `--sms-url-file`.
    pub fn sms_url(&self) -> anyhow::Result<Option<String>> {
        flag_or_file(&self.sms_url, &self.sms_url_file, "sms-url")
    }

    /// The balancers of `--proxy-protocol-from` (none when unset), for the API and the
    /// schedules' endpoints alike.
    pub fn trusted_proxies(&self) -> crate::proxy_protocol::TrustedProxies {
        self.proxy_protocol_from.clone().unwrap_or_default()
    }

    /// How the outbox tries failed deliveries again.
    pub fn retry_policy(&self) -> crate::store::RetryPolicy {
        crate::store::RetryPolicy {
            max_interval: i64::try_from(self.outbox_max_retry_seconds).unwrap_or(i64::MAX),
            give_up_after: i64::try_from(self.outbox_give_up_hours)
                .unwrap_or(i64::MAX)
                .saturating_mul(3600),
            ..crate::store::RetryPolicy::default()
        }
    }

    /// The SMS gateway token, from `--sms-token` or `--sms-token-file`.
    pub fn sms_token(&self) -> anyhow::Result<Option<String>> {
        flag_or_file(&self.sms_token, &self.sms_token_file, "sms-token")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// A line a person reads.
    Text,
    /// One JSON object a line.
    Json,
}

/// Parses `LOW-HIGH`.
pub fn parse_port_range(value: &str) -> Result<RangeInclusive<u16>, String> {
    let (low, high) = value.split_once('-').ok_or_else(|| {
        format!("write the port range as LOW-HIGH, e.g. 20000-29999 (got {value:?})")
    })?;
    let low: u16 = low
        .trim()
        .parse()
        .map_err(|_| format!("{low:?} is not a port"))?;
    let high: u16 = high
        .trim()
        .parse()
        .map_err(|_| format!("{high:?} is not a port"))?;
    if low == 0 || low > high {
        return Err(format!("the port range {value} is empty or starts at 0"));
    }
    Ok(low..=high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range("20000-20010").unwrap(), 20000..=20010);
        assert!(parse_port_range("20010-20000").is_err());
        assert!(parse_port_range("abc").is_err());
    }

    #[test]
    fn secrets_come_from_a_flag_or_a_trimmed_file_not_both() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  secret-token\n").unwrap();
        let mut config = ServeConfig::local(dir.path().to_path_buf());
        config.sms_token_file = Some(file.clone());
        assert_eq!(config.sms_token().unwrap().as_deref(), Some("secret-token"));
        config.sms_token = Some("other".to_string());
        let error = config.sms_token().unwrap_err().to_string();
        assert!(
            error.contains("not both") && !error.contains("secret-token"),
            "{error}"
        );
        std::fs::write(&file, "\n").unwrap();
        config.sms_token = None;
        assert!(config.sms_token().is_err());
    }
}
