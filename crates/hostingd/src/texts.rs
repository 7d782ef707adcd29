//! What the service writes to people (the pro-forma invoice, the reminders of a contract's end)
//! in French or English, through Fluent: plurals and selectors live in
//! `assets/locales/{en,fr}.ftl`, not in code.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

/// A language the service writes in: the wire's (an account's language is one of them).
pub use hosting_api::types::Language;

/// `fr` or `en` (or `en-GB`, as a browser says it); anything else is French.
pub fn language_of(code: Option<&str>) -> Language {
    match code.map(|c| c.trim().to_ascii_lowercase()) {
        Some(code) if code == "en" || code.starts_with("en-") => Language::En,
        _ => Language::Fr,
    }
}

fn source(language: Language) -> &'static str {
    match language {
        Language::Fr => include_str!("../assets/locales/fr.ftl"),
        Language::En => include_str!("../assets/locales/en.ftl"),
    }
}

/// An argument of a message: a text, or a number (which chooses plural forms).
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// A text.
    Text(&'a str),
    /// A number.
    Number(i64),
}

/// The messages of one language.
pub struct Texts {
    bundle: FluentBundle<FluentResource>,
}

impl Texts {
    /// The messages of `language`. The files are part of the binary and checked by the tests,
    /// so a broken entry is a build defect; it is logged and left out.
    pub fn new(language: Language) -> Texts {
        let resource = FluentResource::try_new(source(language).to_string()).unwrap_or_else(
            |(resource, errors)| {
                tracing::error!(?errors, "the service's locale file has broken entries");
                resource
            },
        );
        let id: unic_langid::LanguageIdentifier = language
            .code()
            .parse()
            .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
        let mut bundle = FluentBundle::new(vec![id]);
        // Plain text (a PDF, an e-mail): no Unicode isolation marks around arguments.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(?errors, "the service's locale file has duplicate entries");
        }
        Texts { bundle }
    }

    /// The message `key` with `args`; the key itself when it is missing (a test checks that
    /// none is).
    pub fn get(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(*text)),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "a message was formatted with errors");
        }
        text.into_owned()
    }

    /// The keys of the messages.
    pub fn keys(language: Language) -> Vec<String> {
        let resource = FluentResource::try_new(source(language).to_string())
            .unwrap_or_else(|(resource, _)| resource);
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// A day `YYYY-MM-DD` as people write it: `01/09/2027`.
pub fn day(date: time::Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// An amount in cents: `1 450,00 €` in French, `€1,450.00` in English (other currencies keep
/// their code: `1 450,00 CHF`, `CHF 1,450.00`).
pub fn amount(language: Language, cents: i64, currency: &str) -> String {
    let negative = cents < 0;
    let cents = cents.unsigned_abs();
    let (units, rest) = (cents / 100, cents % 100);
    let digits = units.to_string();
    let separator = match language {
        Language::Fr => '\u{202f}',
        Language::En => ',',
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    let symbol = match currency {
        "EUR" => "€",
        other => other,
    };
    match language {
        Language::Fr => format!("{sign}{grouped},{rest:02}\u{a0}{symbol}"),
        Language::En if symbol == "€" => format!("{sign}€{grouped}.{rest:02}"),
        Language::En => format!("{sign}{symbol} {grouped}.{rest:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages_and_they_format() {
        let fr = Texts::keys(Language::Fr);
        let en = Texts::keys(Language::En);
        assert_eq!(fr, en);
        assert!(fr.len() > 15);
        for language in Language::ALL {
            FluentResource::try_new(source(language).to_string())
                .unwrap_or_else(|(_, errors)| panic!("{language:?}: {errors:?}"));
            let texts = Texts::new(language);
            for key in Texts::keys(language) {
                let args = [
                    ("start", Arg::Text("01/09/2027")),
                    ("end", Arg::Text("31/08/2028")),
                    ("years", Arg::Number(2)),
                    ("count", Arg::Number(3)),
                    ("schedule", Arg::Text("planning01")),
                    ("rate", Arg::Text("20")),
                    ("date", Arg::Text("31/08/2027")),
                    ("school", Arg::Text("Lycée Hugo")),
                    ("days", Arg::Number(30)),
                    ("invoice", Arg::Text("0123456789")),
                    ("hosting", Arg::Text("123456789012")),
                    ("from", Arg::Text("2026")),
                    ("to", Arg::Text("2027")),
                    ("reason", Arg::Text("a reason")),
                    ("space", Arg::Text("Parents")),
                    ("minutes", Arg::Number(20)),
                    ("name", Arg::Text("Jeanne Dupont")),
                    ("code", Arg::Text("INVALID_TICKET")),
                    ("why", Arg::Text("no answer in 10 seconds")),
                    ("provider", Arg::Text("Hosting provider")),
                    ("download", Arg::Text("https://provider.example/console")),
                    ("password", Arg::Text("Abcdefgh123456")),
                    ("who", Arg::Text("manager")),
                    ("username", Arg::Text("jdupont")),
                    ("at", Arg::Text("2027-01-01T08:00:00Z")),
                    ("fingerprint", Arg::Text("ab:cd")),
                    ("workstation", Arg::Text("Manager PC")),
                    ("members", Arg::Text("alice, bob")),
                    ("members_count", Arg::Number(2)),
                    ("added", Arg::Text("bob")),
                    ("added_count", Arg::Number(1)),
                    ("removed", Arg::Text("")),
                    ("removed_count", Arg::Number(0)),
                ];
                let text = texts.get(&key, &args);
                assert!(
                    !text.contains('{') && text != key,
                    "{language:?} {key}: {text}"
                );
            }
        }
    }

    #[test]
    fn plurals_and_amounts() {
        let fr = Texts::new(Language::Fr);
        let en = Texts::new(Language::En);
        let years = |t: &Texts, n| t.get("proforma-item-hosting", &[("years", Arg::Number(n))]);
        assert!(years(&fr, 1).ends_with("1 an"));
        assert!(years(&fr, 2).ends_with("2 ans"));
        assert!(years(&en, 1).ends_with("1 year"));
        assert!(years(&en, 3).ends_with("3 years"));
        assert_eq!(
            amount(Language::Fr, 145_000, "EUR"),
            "1\u{202f}450,00\u{a0}€"
        );
        assert_eq!(amount(Language::En, 145_000, "EUR"), "€1,450.00");
        assert_eq!(amount(Language::En, 123_456_789, "CHF"), "CHF 1,234,567.89");
        assert_eq!(amount(Language::Fr, 5, "EUR"), "0,05\u{a0}€");
        assert_eq!(language_of(Some("en-GB")), Language::En);
        assert_eq!(language_of(None), Language::Fr);
        assert_eq!(day(time::macros::date!(2027 - 09 - 01)), "01/09/2027");
    }
}
