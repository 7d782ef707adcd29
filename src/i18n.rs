//! Text a person reads, from the Fluent files `assets/locales/{en,fr}.ftl`, formatted by
//! `fluent-bundle` so that plurals and other selectors are the translator's business
//! (`{ $minutes -> [one] … *[other] … }`), not the code's. The language defaults to the
//! system's and can be switched at once.

use std::fmt;
use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentError, FluentResource, FluentValue};
use fluent_syntax::ast;
use hosting_api::validate::ValidationError;
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

use crate::model::Failure;

#[cfg(test)]
mod tests;

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

impl Language {
    /// Every language, in the order the switcher shows them.
    pub const ALL: [Language; 2] = [Language::Fr, Language::En];

    /// The language of the system (French for `fr*`, English otherwise).
    pub fn from_system() -> Language {
        match sys_locale::get_locale() {
            Some(locale) if locale.to_lowercase().starts_with("fr") => Language::Fr,
            _ => Language::En,
        }
    }

    /// The name of the language, in that language.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "Français",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Language::En => "en.ftl",
            Language::Fr => "fr.ftl",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Language::En => include_str!("../assets/locales/en.ftl"),
            Language::Fr => include_str!("../assets/locales/fr.ftl"),
        }
    }

    /// The guide's pages (the Assistance panel), kept apart from the console's texts.
    fn guide_source(self) -> &'static str {
        match self {
            Language::En => include_str!("../assets/locales/guide/en.ftl"),
            Language::Fr => include_str!("../assets/locales/guide/fr.ftl"),
        }
    }

    /// The identifier that picks the plural rules (French `one` covers 0 and 1).
    fn identifier(self) -> LanguageIdentifier {
        let tag = match self {
            Language::En => "en",
            Language::Fr => "fr",
        };
        // Both tags are valid; the plural tests would catch a fallback to "und".
        tag.parse().unwrap_or_default()
    }
}

/// The parsed messages of one language, shared by every `Texts` of that language.
struct Catalog {
    bundle: FluentBundle<FluentResource>,
    /// The message identifiers, in file order.
    keys: Vec<String>,
}

/// Parses `source` into a catalog; the problems found (syntax errors, a key given twice) name
/// the file, the line and the key, and the entries around them still load.
fn load(language: Language, file_name: &str, source: &str) -> (Catalog, Vec<String>) {
    let mut problems = Vec::new();
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            for error in errors {
                // The entry's first line names the key; the error itself may be lines below
                // (a placeable may span lines).
                let entry_start = error.slice.as_ref().map_or(error.pos.start, |s| s.start);
                let line = line_of(source, entry_start);
                let key = key_at(source, entry_start).unwrap_or("?");
                let mut problem = format!("{file_name} line {line}, key `{key}`: {error}");
                let error_line = line_of(source, error.pos.start);
                if error_line != line {
                    problem.push_str(&format!(" (at line {error_line})"));
                }
                problems.push(problem);
            }
            resource
        }
    };
    let keys: Vec<String> = resource
        .entries()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect();
    let mut bundle = FluentBundle::new_concurrent(vec![language.identifier()]);
    // Unicode isolation marks would show as boxes or stray spaces in egui labels.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        for error in errors {
            problems.push(match &error {
                FluentError::Overriding { id, .. } => {
                    let lines: Vec<String> = source
                        .lines()
                        .enumerate()
                        .filter(|(_, line)| key_of_line(line) == Some(id.as_str()))
                        .map(|(index, _)| (index + 1).to_string())
                        .collect();
                    format!(
                        "{file_name} lines {}, key `{id}`: given twice",
                        lines.join(", ")
                    )
                }
                other => format!("{file_name}: {other}"),
            });
        }
    }
    (Catalog { bundle, keys }, problems)
}

/// The 1-based line of byte `offset`.
fn line_of(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// The key of the entry that holds byte `offset`: the nearest `key =` line at or before it.
fn key_at(source: &str, offset: usize) -> Option<&str> {
    let line_end = source
        .get(offset..)?
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    source[..line_end].lines().rev().find_map(key_of_line)
}

/// `Some(key)` when `line` starts a message (`key = …`).
fn key_of_line(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim_end();
    let mut chars = key.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(key)
}

/// The catalog of `language` (its guide's with `guide`), parsed once per process.
fn catalog(language: Language, guide: bool) -> Arc<Catalog> {
    static CATALOGS: [OnceLock<Arc<Catalog>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match (language, guide) {
        (Language::En, false) => &CATALOGS[0],
        (Language::Fr, false) => &CATALOGS[1],
        (Language::En, true) => &CATALOGS[2],
        (Language::Fr, true) => &CATALOGS[3],
    };
    slot.get_or_init(|| {
        let (name, source) = if guide {
            (
                format!("guide/{}", language.file_name()),
                language.guide_source(),
            )
        } else {
            (language.file_name().to_string(), language.source())
        };
        let (catalog, problems) = load(language, &name, source);
        // The test `locale_files_parse` keeps this empty; a broken entry shows its key.
        for problem in problems {
            tracing::error!("{problem}");
        }
        Arc::new(catalog)
    })
    .clone()
}

/// An argument as Fluent sees it: a number when the text is one exactly as written (so that
/// `[one]`/`[other]` select on it), else the text itself (`08`, a hosting number with leading
/// zeros, or a French decimal `1,5` stay as they are).
fn argument(value: &str) -> FluentValue<'_> {
    let numeric = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    if numeric
        && let Ok(number) = value.parse::<FluentNumber>()
        && number.as_string() == value
    {
        return FluentValue::Number(number);
    }
    FluentValue::from(value)
}

/// The messages of one language; cheap to clone.
#[derive(Clone)]
pub struct Texts {
    language: Language,
    catalog: Arc<Catalog>,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts")
            .field("language", &self.language)
            .field("messages", &self.catalog.keys.len())
            .finish()
    }
}

impl Texts {
    /// The messages of `language`.
    pub fn new(language: Language) -> Texts {
        Texts {
            language,
            catalog: catalog(language, false),
        }
    }

    /// The pages of the guide in `language` (`guide-<page>-title`, `guide-<page>-body`).
    pub fn guide(language: Language) -> Texts {
        Texts {
            language,
            catalog: catalog(language, true),
        }
    }

    /// The language of these messages.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `key`; the key itself when it is missing (a test checks that none is).
    pub fn get(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with its `{ $name }` arguments; an argument that is a number selects
    /// the plural form (`{ $count -> [one] … *[other] … }`).
    pub fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, argument(value));
        }
        self.format(key, Some(&fluent_args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &self.catalog.bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            // A missing argument shows as `{$name}`; the test `every_message_formats` keeps
            // the files and the call sites in step.
            tracing::debug!(key, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }

    /// A failure in this language: the sentence of its code when the locale has one
    /// (`error-<code>`), else the service's own sentence.
    pub fn failure(&self, failure: &Failure) -> Failure {
        let key = format!("error-{}", failure.code.as_str());
        if !self.has(&key) {
            return failure.clone();
        }
        let minutes = failure
            .retry_after_seconds
            .map(|s| s.div_ceil(60).max(1).to_string())
            .unwrap_or_else(|| "15".to_string());
        let mut message = self.with(&key, &[("minutes", &minutes)]);
        // What only the service can say (why the ENT's server did not answer): kept as a
        // detail, in the service's words.
        if matches!(
            failure.code,
            hosting_api::ErrorCode::CasUnreachable | hosting_api::ErrorCode::InvalidCasUrl
        ) && !failure.message.is_empty()
        {
            message = format!(
                "{message} {}",
                self.with("failure-detail", &[("detail", &failure.message)])
            );
        }
        Failure {
            message,
            ..failure.clone()
        }
    }

    /// A broken rule in this language (`rule-<code>`), else the rule's own sentence.
    pub fn rule(&self, error: &ValidationError) -> String {
        let key = format!("rule-{}", error.code);
        if self.has(&key) {
            self.get(&key)
        } else {
            error.message.clone()
        }
    }

    /// Whether `key` exists.
    pub fn has(&self, key: &str) -> bool {
        self.catalog.bundle.has_message(key)
    }

    /// Every key.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.catalog.keys.iter()
    }
}
