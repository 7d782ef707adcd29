//! The guide inside the console: one page per task of the provider's onboarding, written for
//! this product, in French and English (`assets/locales/guide/`), each with the panel where the
//! task is done; searched by title and text, without regard to case or accents.

use unicode_normalization::UnicodeNormalization;

use crate::i18n::Texts;
use crate::panels::{
    PanelId, ServerTab, Target, account, audit, configuration, controller, pronote_net, server,
    workstations,
};

/// A page of the guide: its id (`guide-<id>-title`, `guide-<id>-body`) and where its task is
/// done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Identifier.
    pub id: &'static str,
    /// The panel (and tab) of the task; none for a page about the window itself.
    pub target: Option<Target>,
}

const fn page(id: &'static str, panel: PanelId, tab: Option<ServerTab>) -> Page {
    Page {
        id,
        target: Some(Target {
            panel,
            tab,
            schedule: None,
        }),
    }
}

/// Every page, in the order of the school's year of work.
pub const PAGES: [Page; 15] = [
    page("schedules", configuration::ID, None),
    page("users", controller::ID, None),
    page("workstations", workstations::ID, None),
    page("load-base", server::ID, Some(ServerTab::ActiveBase)),
    page("other-bases", server::ID, Some(ServerTab::OtherBases)),
    page("empty-base", server::ID, Some(ServerTab::ActiveBase)),
    page("safeguard", server::ID, Some(ServerTab::Safeguards)),
    page("licences", server::ID, Some(ServerTab::Monitoring)),
    page("previous-years", server::ID, Some(ServerTab::Years)),
    page("upgrade", account::ID, None),
    page("contract", account::ID, None),
    page("publish", pronote_net::ID, None),
    page("delegate", pronote_net::ID, None),
    page("audit", audit::ID, None),
    Page {
        id: "notifications",
        target: None,
    },
];

impl Page {
    /// Its title in `guide`'s language.
    pub fn title(&self, guide: &Texts) -> String {
        guide.get(&format!("guide-{}-title", self.id))
    }

    /// Its text in `guide`'s language.
    pub fn body(&self, guide: &Texts) -> String {
        guide.get(&format!("guide-{}-body", self.id))
    }
}

/// Text folded for searching: lower case, without accents (`Élève` → `eleve`).
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The pages whose title or text hold every word of `query`, titles first; every page for an
/// empty query.
pub fn search(guide: &Texts, query: &str) -> Vec<Page> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_string).collect();
    let mut in_title = Vec::new();
    let mut in_body = Vec::new();
    for page in PAGES {
        let title = fold(&page.title(guide));
        let body = fold(&page.body(guide));
        if words.iter().all(|w| title.contains(w.as_str())) {
            in_title.push(page);
        } else if words
            .iter()
            .all(|w| title.contains(w.as_str()) || body.contains(w.as_str()))
        {
            in_body.push(page);
        }
    }
    in_title.extend(in_body);
    in_title
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn every_page_has_a_title_and_a_text_in_both_languages() {
        for language in Language::ALL {
            let guide = Texts::guide(language);
            let keys: Vec<&String> = guide.keys().collect();
            assert_eq!(keys.len(), PAGES.len() * 2, "{language:?}: {keys:?}");
            for page in PAGES {
                let title = page.title(&guide);
                let body = page.body(&guide);
                assert!(!title.starts_with("guide-"), "{language:?} {}", page.id);
                assert!(body.len() > 200, "{language:?} {}", page.id);
                assert!(!body.contains('{'), "{language:?} {}", page.id);
                // Paragraphs survive the file's indentation.
                assert!(body.contains("\n\n"), "{language:?} {}", page.id);
            }
        }
        let ids = |language| {
            Texts::guide(language)
                .keys()
                .cloned()
                .collect::<Vec<String>>()
        };
        assert_eq!(ids(Language::En), ids(Language::Fr));
    }

    #[test]
    fn search_folds_case_and_accents() {
        assert_eq!(fold("Élèves DÉLÉGUÉS à l'ENT"), "eleves delegues a l'ent");
        let fr = Texts::guide(Language::Fr);
        let found = search(&fr, "ent cas");
        assert_eq!(found.first().map(|p| p.id), Some("delegate"), "{found:?}");
        let found = search(&fr, "DELEGATION");
        assert!(found.iter().any(|p| p.id == "delegate"), "{found:?}");
        let found = search(&fr, "SAUVEGARDE");
        assert!(found.iter().any(|p| p.id == "safeguard"), "{found:?}");
        let en = Texts::guide(Language::En);
        assert_eq!(search(&en, "").len(), PAGES.len());
        assert!(search(&en, "zzzz nothing").is_empty());
        // Every word must be there.
        let both = search(&en, "safeguard download");
        assert!(both.iter().all(|p| {
            let text = fold(&format!("{} {}", p.title(&en), p.body(&en)));
            text.contains("safeguard") && text.contains("download")
        }));
    }
}
