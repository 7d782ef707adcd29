use std::collections::BTreeSet;

use fluent_syntax::ast;

use super::*;
use hosting_api::ErrorCode;

/// Texts over an ad-hoc source, for the loader's own tests.
fn texts_of(source: &str) -> (Texts, Vec<String>) {
    let (catalog, problems) = load(Language::En, "test.ftl", source);
    let texts = Texts {
        language: Language::En,
        catalog: Arc::new(catalog),
    };
    (texts, problems)
}

/// The variables a message references, and whether it selects a variant on one.
#[derive(Default)]
struct References {
    variables: BTreeSet<String>,
    selectors: BTreeSet<String>,
}

impl References {
    fn of(texts: &Texts, key: &str) -> References {
        let mut references = References::default();
        if let Some(pattern) = texts
            .catalog
            .bundle
            .get_message(key)
            .and_then(|m| m.value())
        {
            references.pattern(pattern);
        }
        references
    }

    fn pattern(&mut self, pattern: &ast::Pattern<&str>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                self.expression(expression);
            }
        }
    }

    fn expression(&mut self, expression: &ast::Expression<&str>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                if let ast::InlineExpression::VariableReference { id } = selector {
                    self.selectors.insert(id.name.to_string());
                }
                self.inline(selector);
                for variant in variants {
                    self.pattern(&variant.value);
                }
            }
            ast::Expression::Inline(inline) => self.inline(inline),
        }
    }

    fn inline(&mut self, inline: &ast::InlineExpression<&str>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                self.variables.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => self.expression(expression),
            ast::InlineExpression::FunctionReference { arguments, .. }
            | ast::InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                for argument in &arguments.positional {
                    self.inline(argument);
                }
                for named in &arguments.named {
                    self.inline(&named.value);
                }
            }
            _ => {}
        }
    }
}

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
fn locale_files_parse() {
    for language in Language::ALL {
        let (catalog, problems) = load(language, language.file_name(), language.source());
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(catalog.keys.len() > 50, "{language:?}");
        let (guide, problems) = load(language, "guide", language.guide_source());
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(guide.keys.len() >= 30, "{language:?}");
    }
}

#[test]
fn a_broken_entry_names_its_key_and_line() {
    let (texts, problems) = texts_of("a = fine\nb = Hello { $name\nc = still here\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("test.ftl line 2, key `b`:"),
        "{problems:?}"
    );
    assert!(problems[0].ends_with("(at line 3)"), "{problems:?}");
    // The entries around the broken one still load.
    assert_eq!(texts.get("a"), "fine");
    assert_eq!(texts.get("c"), "still here");
    assert_eq!(texts.get("b"), "b");

    let (_, problems) = texts_of("a = one\n# a comment\na = two\n");
    assert_eq!(problems, ["test.ftl lines 1, 3, key `a`: given twice"]);
}

#[test]
fn placeholders_multiline_values_and_missing_keys() {
    let (texts, problems) = texts_of(
        "a = Hello { $name }\nb =\n    one\n    two\n# c = no\nd = { $n } B at { $port }\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(texts.with("a", &[("name", "Jeanne")]), "Hello Jeanne");
    assert_eq!(texts.get("b"), "one\ntwo");
    assert!(!texts.has("c"));
    assert_eq!(texts.get("c"), "c");
    assert_eq!(texts.keys().collect::<Vec<_>>(), ["a", "b", "d"]);
    // Numbers keep their text: no grouping, no lost decimals, no lost leading zeros.
    assert_eq!(
        texts.with("d", &[("n", "1.50"), ("port", "8443")]),
        "1.50 B at 8443"
    );
    assert_eq!(
        texts.with("d", &[("n", "012345678901"), ("port", "08")]),
        "012345678901 B at 08"
    );
    assert_eq!(
        texts.with("d", &[("n", "1,5"), ("port", "-3")]),
        "1,5 B at -3"
    );
}

#[test]
fn arguments_that_are_numbers_become_fluent_numbers() {
    assert!(matches!(argument("5"), FluentValue::Number(_)));
    assert!(matches!(argument("1.5"), FluentValue::Number(_)));
    assert!(matches!(argument("08"), FluentValue::String(_)));
    assert!(matches!(argument("1,5"), FluentValue::String(_)));
    assert!(matches!(argument("inf"), FluentValue::String(_)));
    assert!(matches!(argument(""), FluentValue::String(_)));
}

/// Every message formats without a Fluent error, whatever plausible argument it is given: a
/// missing argument, an unknown message or a selector without a default would show here.
#[test]
fn every_message_formats() {
    for language in Language::ALL {
        let texts = Texts::new(language);
        let bundle = &texts.catalog.bundle;
        for key in texts.keys() {
            let references = References::of(&texts, key);
            for value in ["0", "1", "5", "1.5", "Jeanne"] {
                let mut args = FluentArgs::new();
                for name in &references.variables {
                    args.set(name.as_str(), argument(value));
                }
                let pattern = bundle.get_message(key).and_then(|m| m.value());
                let Some(pattern) = pattern else {
                    panic!("{language:?} {key}: no value");
                };
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(
                    errors.is_empty(),
                    "{language:?} {key} with {value}: {errors:?}"
                );
                assert!(
                    !text.contains(['{', '}', '\u{2068}', '\u{2069}']),
                    "{language:?} {key}: {text}"
                );
            }
        }
    }
}

/// Each plural message, its selector, and its text with 1 and with 5 (other arguments: `X`).
const PLURALS: &[(Language, &str, &str, &str, &str)] = &[
    (
        Language::En,
        "error-locked_out",
        "minutes",
        "Too many failed attempts on this account. Wait 1 minute, then try again.",
        "Too many failed attempts on this account. Wait 5 minutes, then try again.",
    ),
    (
        Language::Fr,
        "error-locked_out",
        "minutes",
        "Trop de tentatives échouées sur ce compte. Attendez 1 minute, puis réessayez.",
        "Trop de tentatives échouées sur ce compte. Attendez 5 minutes, puis réessayez.",
    ),
    (Language::En, "user-count", "count", "1 user", "5 users"),
    (
        Language::Fr,
        "user-count",
        "count",
        "1 utilisateur",
        "5 utilisateurs",
    ),
    (
        Language::En,
        "reserved-too-many",
        "count",
        "At most 1: the licence of the contract.",
        "At most 5: the licences of the contract.",
    ),
    (
        Language::Fr,
        "reserved-too-many",
        "count",
        "Au plus 1 : la licence du contrat.",
        "Au plus 5 : les licences du contrat.",
    ),
    (
        Language::En,
        "offer",
        "count",
        "Transfer left unfinished last time: X.",
        "Transfers left unfinished last time: X.",
    ),
    (
        Language::Fr,
        "offer",
        "count",
        "Transfert non terminé la dernière fois : X.",
        "Transferts non terminés la dernière fois : X.",
    ),
    (
        Language::En,
        "offer-resume",
        "count",
        "Resume it",
        "Resume them",
    ),
    (
        Language::Fr,
        "offer-resume",
        "count",
        "Le reprendre",
        "Les reprendre",
    ),
    (
        Language::En,
        "offer-forget",
        "count",
        "Forget it",
        "Forget them",
    ),
    (
        Language::Fr,
        "offer-forget",
        "count",
        "L'oublier",
        "Les oublier",
    ),
    (
        Language::En,
        "account-contract-ends-in",
        "days",
        "X (in 1 day)",
        "X (in 5 days)",
    ),
    (
        Language::Fr,
        "account-contract-ends-in",
        "days",
        "X (dans 1 jour)",
        "X (dans 5 jours)",
    ),
    (
        Language::En,
        "upgrade-planned",
        "days",
        "The upgrade to version X is planned on X, in 1 day.",
        "The upgrade to version X is planned on X, in 5 days.",
    ),
    (
        Language::Fr,
        "upgrade-planned",
        "days",
        "La mise à jour vers la version X est prévue le X, dans 1 jour.",
        "La mise à jour vers la version X est prévue le X, dans 5 jours.",
    ),
    (
        Language::En,
        "account-certificate-until-soon",
        "days",
        "Valid until X: it ends in 1 day.",
        "Valid until X: it ends in 5 days.",
    ),
    (
        Language::Fr,
        "account-certificate-until-soon",
        "days",
        "Valable jusqu'au X : il prend fin dans 1 jour.",
        "Valable jusqu'au X : il prend fin dans 5 jours.",
    ),
    (
        Language::En,
        "renewal-years-value",
        "years",
        "1 year",
        "5 years",
    ),
    (
        Language::Fr,
        "renewal-years-value",
        "years",
        "1 an",
        "5 ans",
    ),
];

fn render(texts: &Texts, key: &str, selector: &str, count: &str) -> String {
    let others: Vec<String> = References::of(texts, key)
        .variables
        .into_iter()
        .filter(|name| name != selector)
        .collect();
    let mut args = vec![(selector, count)];
    args.extend(others.iter().map(|name| (name.as_str(), "X")));
    texts.with(key, &args)
}

#[test]
fn plural_messages_pick_the_right_form() {
    for &(language, key, selector, one, other) in PLURALS {
        let texts = Texts::new(language);
        assert_eq!(
            render(&texts, key, selector, "1"),
            one,
            "{language:?} {key}"
        );
        assert_eq!(
            render(&texts, key, selector, "5"),
            other,
            "{language:?} {key}"
        );
        let zero = render(&texts, key, selector, "0");
        match language {
            // French says "0 minute", English "0 minutes".
            Language::Fr => assert_eq!(zero, one.replace('1', "0"), "{key}"),
            Language::En => assert_eq!(zero, other.replace('5', "0"), "{key}"),
        }
    }
    // Every message that selects on a number is in the table above.
    for language in Language::ALL {
        let texts = Texts::new(language);
        let selecting: BTreeSet<&str> = texts
            .keys()
            .filter(|key| !References::of(&texts, key).selectors.is_empty())
            .map(String::as_str)
            .collect();
        let tested: BTreeSet<&str> = PLURALS
            .iter()
            .filter(|row| row.0 == language)
            .map(|row| row.1)
            .collect();
        assert_eq!(selecting, tested, "{language:?}");
    }
}

#[test]
fn failures_are_translated_by_code() {
    let fr = Texts::new(Language::Fr);
    let revoked = Failure::new(
        ErrorCode::ThisWorkstationRevoked,
        "The certificate of this workstation was revoked.",
    );
    assert!(
        fr.failure(&revoked)
            .message
            .starts_with("Vous avez révoqué le certificat de ce poste."),
    );
    let locked = |seconds| Failure {
        retry_after_seconds: Some(seconds),
        ..Failure::new(ErrorCode::LockedOut, "Too many attempts.")
    };
    assert!(
        fr.failure(&locked(45))
            .message
            .contains("Attendez 1 minute,")
    );
    assert!(
        fr.failure(&locked(290))
            .message
            .contains("Attendez 5 minutes,")
    );
    let en = Texts::new(Language::En);
    assert!(en.failure(&locked(60)).message.contains("Wait 1 minute,"));
    // A code the console does not know keeps the service's sentence.
    let unknown = Failure::new(ErrorCode::from("from_a_newer_service"), "Something new.");
    assert_eq!(fr.failure(&unknown).message, "Something new.");
    // Why the ENT's server did not answer, only the service can say: kept as a detail.
    let cas = Failure::new(
        ErrorCode::CasUnreachable,
        "The CAS server does not answer at https://cas.example/cas/login: its certificate is not trusted by the hosting service.",
    );
    let shown = fr.failure(&cas).message;
    assert!(shown.starts_with("Le serveur CAS ne répond pas"), "{shown}");
    assert!(shown.contains("its certificate is not trusted"), "{shown}");
}

/// Every known code, the service's and the console's own, has a sentence in each language, so
/// the French UI never shows the English sentence written beside the code, and the French
/// sentence is not the English one copied.
#[test]
fn every_error_code_has_a_sentence_in_both_languages() {
    let en = Texts::new(Language::En);
    for language in Language::ALL {
        let texts = Texts::new(language);
        for code in ErrorCode::ALL {
            let key = format!("error-{}", code.as_str());
            assert!(texts.has(&key), "{language:?}: no {key}");
            let failure = crate::model::Failure::new(code.clone(), "An English sentence.");
            let message = texts.failure(&failure).message;
            assert_ne!(message, failure.message, "{language:?} {code}");
            // Without a Retry-After, `failure` waits 15 minutes (only `locked_out` says so); the
            // CAS codes add the service's detail after the sentence.
            assert!(
                message.starts_with(&texts.with(&key, &[("minutes", "15")])),
                "{language:?} {code}"
            );
            if language != Language::En {
                assert_ne!(message, en.failure(&failure).message, "{language:?} {code}");
            }
        }
    }
}

#[test]
fn texts_are_cheap_to_share() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Texts>();
    let texts = Texts::new(Language::Fr);
    assert!(Arc::ptr_eq(
        &texts.catalog,
        &Texts::new(Language::Fr).catalog
    ));
}

#[test]
fn the_hosting_manager_has_the_seeds_name_everywhere_in_french() {
    // Seed 000: « Je me connecte en tant que : responsable de l'hébergement ». The console, its
    // guide and the service's e-mails say it the same way.
    let sources = [
        ("assets/locales/fr.ftl", Language::Fr.source()),
        ("assets/locales/guide/fr.ftl", Language::Fr.guide_source()),
        (
            "crates/hostingd/assets/locales/fr.ftl",
            include_str!("../../crates/hostingd/assets/locales/fr.ftl"),
        ),
    ];
    for (name, source) in sources {
        let lower = source.to_lowercase();
        assert!(
            !lower.contains("gestionnaire"),
            "{name} calls the hosting manager « gestionnaire »"
        );
        assert!(
            name.contains("guide") || lower.contains("responsable de l'hébergement"),
            "{name} never names the hosting manager"
        );
    }
}
