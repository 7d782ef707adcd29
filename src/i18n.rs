//! Text a person reads, from `assets/locales/{en,fr}.ftl`: `key = value` lines (Fluent's simple
//! messages), with `{ $name }` placeholders. The language defaults to the system's and can be
//! switched at once.

use std::collections::HashMap;

use hosting_api::validate::ValidationError;
use serde::{Deserialize, Serialize};

use crate::model::Failure;

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

    fn source(self) -> &'static str {
        match self {
            Language::En => include_str!("../assets/locales/en.ftl"),
            Language::Fr => include_str!("../assets/locales/fr.ftl"),
        }
    }
}

/// The messages of one language.
#[derive(Debug, Clone)]
pub struct Texts {
    language: Language,
    messages: HashMap<String, String>,
}

/// Parses `key = value` lines; indented lines continue the previous value; `#` starts a comment.
fn parse(source: &str) -> HashMap<String, String> {
    let mut messages = HashMap::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            current = None;
            continue;
        }
        if line.starts_with(' ')
            && let Some(key) = &current
            && let Some(value) = messages.get_mut(key)
        {
            let value: &mut String = value;
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(line.trim());
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let key = key.trim().to_string();
            messages.insert(key.clone(), value.trim().to_string());
            current = Some(key);
        }
    }
    messages
}

impl Texts {
    /// The messages of `language`.
    pub fn new(language: Language) -> Texts {
        Texts {
            language,
            messages: parse(language.source()),
        }
    }

    /// The language of these messages.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `key`; the key itself when it is missing (a test checks that none is).
    pub fn get(&self, key: &str) -> String {
        self.messages
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The message `key` with `{ $name }` placeholders replaced.
    pub fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key);
        for (name, value) in args {
            text = text.replace(&format!("{{ ${name} }}"), value);
        }
        text
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
        Failure {
            message: self.with(&key, &[("minutes", &minutes)]),
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
        self.messages.contains_key(key)
    }

    /// Every key.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.messages.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let en = Texts::new(Language::En);
        let fr = Texts::new(Language::Fr);
        let missing_fr: Vec<_> = en.keys().filter(|k| !fr.has(k)).collect();
        let missing_en: Vec<_> = fr.keys().filter(|k| !en.has(k)).collect();
        assert!(missing_fr.is_empty(), "missing in fr.ftl: {missing_fr:?}");
        assert!(missing_en.is_empty(), "missing in en.ftl: {missing_en:?}");
        assert!(en.keys().count() > 50);
    }

    #[test]
    fn placeholders_and_continuations() {
        let parsed = parse("a = Hello { $name }\nb = one\n  two\n# c = no\n");
        assert_eq!(parsed["a"], "Hello { $name }");
        assert_eq!(parsed["b"], "one\ntwo");
        assert!(!parsed.contains_key("c"));
        let texts = Texts {
            language: Language::En,
            messages: parsed,
        };
        assert_eq!(texts.with("a", &[("name", "Jeanne")]), "Hello Jeanne");
    }
}
