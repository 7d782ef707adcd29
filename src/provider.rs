//! `provider.toml`: the hosting provider's settings that its package of the console carries
//! (service address and CA fingerprint, the provider's name, where the console is downloaded,
//! support contacts). A console that finds one starts on the provider's service, never on the
//! built-in demonstration service. The first file found wins: next to the program, then the
//! system's configuration directory, then the user's.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::i18n::Texts;
use crate::settings::ServerChoice;

/// The name of the file.
pub const FILE_NAME: &str = "provider.toml";

/// The directory name of the console in the system's and the user's configuration directories.
pub const APP_DIR: &str = "hosting-console";

/// The provider's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Who the provider is and where its console is downloaded.
    #[serde(default)]
    pub provider: Identity,
    /// The provider's hosting service.
    pub service: Service,
    /// How a school reaches the provider's support.
    #[serde(default)]
    pub support: Support,
}

/// `[provider]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The provider's name, shown in the top bar and the window title.
    pub name: Option<String>,
    /// Where the console is downloaded (on the connection sheet of step 6).
    pub download_url: Option<String>,
}

/// `[service]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// `https://host:port`.
    pub url: String,
    /// SHA-256 fingerprint of the provider's CA, as `hostingd serve` prints it.
    pub ca_fingerprint: String,
}

/// `[support]`: every entry is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// Telephone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Web page.
    pub web: Option<String>,
    /// Opening hours, in the provider's words.
    pub hours: Option<String>,
}

impl Support {
    /// Whether no contact is given.
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none() && self.web.is_none() && self.hours.is_none()
    }
}

/// What is wrong with a `provider.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file cannot be read.
    Unreadable(String),
    /// Not TOML, a missing or unknown entry: the parser's words and the line.
    Syntax {
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// The parser's message (English).
        detail: String,
    },
    /// `[service] url` is not an `https://` address.
    Url(String),
    /// `[service] ca_fingerprint` is not 64 hexadecimal digits.
    Fingerprint(String),
    /// A link (`download_url`, `[support] web`) is not an `https://` address: the entry and
    /// its value.
    Link(&'static str, String),
}

/// A `provider.toml` that cannot be used: where it is and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub problem: Problem,
}

impl ProviderError {
    /// The sentence shown in the window, in the person's language.
    pub fn message(&self, t: &Texts) -> String {
        let path = self.path.display().to_string();
        match &self.problem {
            Problem::Unreadable(detail) => t.with(
                "provider-error-unreadable",
                &[("path", &path), ("detail", detail)],
            ),
            Problem::Syntax { line, detail } => t.with(
                "provider-error-syntax",
                &[
                    ("path", &path),
                    (
                        "line",
                        &line.map_or_else(|| "?".to_string(), |l| l.to_string()),
                    ),
                    ("detail", detail),
                ],
            ),
            Problem::Url(url) => t.with("provider-error-url", &[("path", &path), ("url", url)]),
            Problem::Fingerprint(value) => t.with(
                "provider-error-fingerprint",
                &[("path", &path), ("value", value)],
            ),
            Problem::Link(key, value) => t.with(
                "provider-error-link",
                &[("path", &path), ("key", key), ("value", value)],
            ),
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.problem {
            Problem::Unreadable(detail) => write!(f, "{path} cannot be read: {detail}"),
            Problem::Syntax { line, detail } => {
                write!(f, "{path}, line {}: {detail}", line.unwrap_or(0))
            }
            Problem::Url(url) => write!(f, "{path}: [service] url {url:?} is not https://"),
            Problem::Fingerprint(value) => {
                write!(
                    f,
                    "{path}: [service] ca_fingerprint {value:?} is not a SHA-256"
                )
            }
            Problem::Link(key, value) => write!(f, "{path}: {key} {value:?} is not https://"),
        }
    }
}

impl std::error::Error for ProviderError {}

impl Provider {
    /// Parses and checks the text of a `provider.toml`.
    pub fn parse(text: &str) -> Result<Provider, Problem> {
        let mut provider: Provider = toml::from_str(text).map_err(|error| Problem::Syntax {
            line: error.span().map(|span| line_of(text, span.start)),
            detail: error.message().trim().to_string(),
        })?;
        let url = provider.service.url.trim();
        let host = url.strip_prefix("https://").unwrap_or_default();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(Problem::Url(provider.service.url.clone()));
        }
        provider.service.url = url.trim_end_matches('/').to_string();
        provider.service.ca_fingerprint =
            hosting_api::tls::normalise_fingerprint(&provider.service.ca_fingerprint)
                .ok_or_else(|| Problem::Fingerprint(provider.service.ca_fingerprint.clone()))?;
        // Empty entries are as good as absent: the neutral texts show instead.
        for value in [
            &mut provider.provider.name,
            &mut provider.provider.download_url,
            &mut provider.support.phone,
            &mut provider.support.email,
            &mut provider.support.web,
            &mut provider.support.hours,
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *value = None;
            }
        }
        // The links a school follows are https: a plain http page could be swapped on the way.
        for (key, value) in [
            ("download_url", &provider.provider.download_url),
            ("[support] web", &provider.support.web),
        ] {
            if let Some(link) = value
                && !link
                    .trim()
                    .strip_prefix("https://")
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
            {
                return Err(Problem::Link(key, link.clone()));
            }
        }
        Ok(provider)
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Provider, ProviderError> {
        let error = |problem| ProviderError {
            path: path.to_path_buf(),
            problem,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| error(Problem::Unreadable(e.to_string())))?;
        Provider::parse(&text).map_err(error)
    }

    /// The service the console uses.
    pub fn server(&self) -> ServerChoice {
        ServerChoice::RemotePinned {
            url: self.service.url.clone(),
            fingerprint: self.service.ca_fingerprint.clone(),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// The provider the console was started with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProviderSetting {
    /// No `provider.toml`: the built-in demonstration service, with its Mailbox.
    #[default]
    Demonstration,
    /// The provider's settings, and the file they came from.
    Found {
        /// The file.
        path: PathBuf,
        /// Its settings.
        provider: Box<Provider>,
    },
    /// A `provider.toml` that cannot be used: the console says what to fix and starts no
    /// service (a provider's package must never open the demonstration).
    Broken(ProviderError),
}

impl ProviderSetting {
    /// The provider, when its file was usable.
    pub fn provider(&self) -> Option<&Provider> {
        match self {
            ProviderSetting::Found { provider, .. } => Some(provider),
            _ => None,
        }
    }

    /// Whether the demonstration service may be offered (no `provider.toml` at all).
    pub fn allows_demonstration(&self) -> bool {
        matches!(self, ProviderSetting::Demonstration)
    }

    /// The file at `path`, which must exist (given on the command line).
    pub fn from_file(path: &Path) -> ProviderSetting {
        match Provider::load(path) {
            Ok(provider) => ProviderSetting::Found {
                path: path.to_path_buf(),
                provider: Box::new(provider),
            },
            Err(error) => ProviderSetting::Broken(error),
        }
    }

    /// The first of `candidates` that exists; the demonstration when none does.
    pub fn first_of(candidates: &[PathBuf]) -> ProviderSetting {
        candidates
            .iter()
            .find(|path| path.exists())
            .map_or(ProviderSetting::Demonstration, |path| {
                ProviderSetting::from_file(path)
            })
    }

    /// Looks for `provider.toml` where a package puts it, in order.
    pub fn find() -> ProviderSetting {
        ProviderSetting::first_of(&candidates())
    }
}

/// Where `provider.toml` is looked for, in order: next to the program (in a macOS bundle, its
/// `Resources` too), the system's configuration directory, the user's.
///
/// On Windows the system's directory (`%ProgramData%\hosting-console`) comes first: the
/// per-user installer puts the program and its `provider.toml` in the user's own
/// `%LocalAppData%\Programs`, which any program of that user can write, while a file that an
/// administrator deployed in `%ProgramData%` is read-only for users. A school that wants the
/// provider's address and CA pin out of the user's reach puts them there (installer/README.md).
pub fn candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if cfg!(target_os = "windows")
        && let Some(dir) = system_config_dir()
    {
        paths.push(dir.join(FILE_NAME));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        paths.push(dir.join(FILE_NAME));
        if cfg!(target_os = "macos") {
            paths.push(dir.join("../Resources").join(FILE_NAME));
        }
    }
    if !cfg!(target_os = "windows")
        && let Some(dir) = system_config_dir()
    {
        paths.push(dir.join(FILE_NAME));
    }
    if let Some(dirs) = directories::ProjectDirs::from("fr", "hosting", APP_DIR) {
        paths.push(dirs.config_dir().join(FILE_NAME));
    }
    paths
}

/// The system's configuration directory of the console: `/etc/hosting-console` on Linux,
/// `/Library/Application Support/hosting-console` on macOS, `%ProgramData%\hosting-console`
/// on Windows.
pub fn system_config_dir() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        std::env::var_os("ProgramData").map(|dir| PathBuf::from(dir).join(APP_DIR))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support").join(APP_DIR))
    } else {
        Some(PathBuf::from("/etc").join(APP_DIR))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    const FINGERPRINT: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    fn full() -> String {
        format!(
            r#"
[provider]
name = "Hébergement Académique"
download_url = "https://provider.example/console"

[service]
url = "https://hosting.provider.example:8443/"
ca_fingerprint = "{FINGERPRINT}"

[support]
phone = "01 23 45 67 89"
email = "support@provider.example"
hours = ""
"#
        )
    }

    #[test]
    fn a_full_file_gives_the_service_and_the_contacts() {
        let provider = Provider::parse(&full()).unwrap();
        assert_eq!(
            provider.provider.name.as_deref(),
            Some("Hébergement Académique")
        );
        assert_eq!(
            provider.support.email.as_deref(),
            Some("support@provider.example")
        );
        assert_eq!(provider.support.hours, None, "an empty entry is absent");
        assert_eq!(
            provider.server(),
            ServerChoice::RemotePinned {
                url: "https://hosting.provider.example:8443".to_string(),
                fingerprint: FINGERPRINT.replace(':', "").to_lowercase(),
            }
        );
    }

    #[test]
    fn only_the_service_is_required() {
        let text =
            format!("[service]\nurl = \"https://h:1\"\nca_fingerprint = \"{FINGERPRINT}\"\n");
        let provider = Provider::parse(&text).unwrap();
        assert_eq!(provider.provider, Identity::default());
        assert!(provider.support.is_empty());
    }

    #[test]
    fn problems_say_what_to_fix_and_where() {
        let missing = Provider::parse("[provider]\nname = \"P\"\n").unwrap_err();
        assert!(
            matches!(&missing, Problem::Syntax { detail, .. } if detail.contains("service")),
            "{missing:?}"
        );
        let typo = full().replace("phone =", "telephone =");
        match Provider::parse(&typo).unwrap_err() {
            Problem::Syntax { line, detail } => {
                assert_eq!(line, Some(11));
                assert!(detail.contains("telephone"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let http = full().replace("https://hosting", "http://hosting");
        assert!(matches!(Provider::parse(&http), Err(Problem::Url(_))));
        let plain_download = full().replace(
            "https://provider.example/console",
            "http://provider.example/console",
        );
        assert!(matches!(
            Provider::parse(&plain_download),
            Err(Problem::Link("download_url", v)) if v == "http://provider.example/console"
        ));
        let plain_web = full().replace("hours = \"\"", "web = \"http://provider.example/help\"");
        assert!(matches!(
            Provider::parse(&plain_web),
            Err(Problem::Link("[support] web", _))
        ));
        let short = full().replace(FINGERPRINT, "AB:CD");
        assert!(matches!(Provider::parse(&short), Err(Problem::Fingerprint(v)) if v == "AB:CD"));
        let broken = full().replace("[support]", "[support");
        assert!(matches!(
            Provider::parse(&broken),
            Err(Problem::Syntax { line: Some(10), .. })
        ));
    }

    #[test]
    fn the_error_is_a_sentence_in_both_languages_with_the_file_and_the_line() {
        let error = ProviderError {
            path: PathBuf::from("/etc/hosting-console/provider.toml"),
            problem: Problem::Syntax {
                line: Some(7),
                detail: "unknown field `telephone`".to_string(),
            },
        };
        for language in Language::ALL {
            let text = error.message(&Texts::new(language));
            assert!(
                text.contains("/etc/hosting-console/provider.toml"),
                "{text}"
            );
            assert!(text.contains('7') && text.contains("telephone"), "{text}");
        }
    }

    #[test]
    fn the_first_file_found_wins_and_a_broken_one_is_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let beside = dir.path().join("beside.toml");
        let system = dir.path().join("system.toml");
        let user = dir.path().join("user.toml");
        let candidates = [beside.clone(), system.clone(), user.clone()];
        assert_eq!(
            ProviderSetting::first_of(&candidates),
            ProviderSetting::Demonstration
        );
        std::fs::write(&user, full().replace("Académique", "User")).unwrap();
        std::fs::write(&system, full().replace("Académique", "System")).unwrap();
        let found = ProviderSetting::first_of(&candidates);
        assert_eq!(
            found.provider().unwrap().provider.name.as_deref(),
            Some("Hébergement System")
        );
        assert!(!found.allows_demonstration());
        std::fs::write(&beside, "[service]\n").unwrap();
        let broken = ProviderSetting::first_of(&candidates);
        assert!(
            matches!(&broken, ProviderSetting::Broken(e) if e.path == beside),
            "{broken:?}"
        );
        assert!(!broken.allows_demonstration());
    }

    #[test]
    fn the_system_file_is_under_etc_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(candidates().contains(&PathBuf::from("/etc/hosting-console/provider.toml")));
        }
    }

    /// On Windows (the tests run under Wine on the CI machine), %ProgramData% comes before the
    /// program's folder, which the per-user installer puts where the user's programs write.
    #[test]
    fn on_windows_the_administrators_file_comes_first() {
        let found = candidates();
        let beside = std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .join(FILE_NAME);
        let beside_at = found.iter().position(|path| *path == beside).unwrap();
        let system = system_config_dir().unwrap().join(FILE_NAME);
        let system_at = found.iter().position(|path| *path == system).unwrap();
        if cfg!(target_os = "windows") {
            let program_data = std::env::var_os("ProgramData").unwrap();
            assert!(system.starts_with(&program_data), "{}", system.display());
            assert!(system_at < beside_at, "{found:?}");
        } else {
            assert!(beside_at < system_at, "{found:?}");
        }
        // The user's own file always comes last.
        let user = directories::ProjectDirs::from("fr", "hosting", APP_DIR).unwrap();
        assert_eq!(found.last().unwrap(), &user.config_dir().join(FILE_NAME));
    }
}
