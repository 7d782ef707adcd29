//! The webspaces a schedule's endpoint serves while its webspaces are published (PRONOTE.net):
//! `/professeur.html`, `/parent.html`, `/eleve.html` and `/viescolaire.html`. Each page is read
//! from the database at each request, so a change in the console applies at once. An
//! unpublished space answers `503` with a page that says so. With delegated authentication a
//! page sends its visitor to the ENT's CAS login, and the ticket it brings back is validated
//! (CAS 2.0, `serviceValidate`) on the page itself or on `/cas/validate`.
//!
//! These pages stand in for PRONOTE.net's: they name the school, the schedule and the space and
//! show who logged in, but open no session.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hosting_api::pronote_net::{DelegationMode, Webspace};
use reqwest::Url;

use crate::cas::CasAnswer;
use crate::store::{RunningSchedule, Store, StoreResult};
use crate::texts::{Arg, Language, Texts};

/// What every page of one endpoint knows.
#[derive(Clone)]
pub struct Site {
    /// The database.
    pub store: Store,
    /// The client of the schools' CAS servers.
    pub cas: std::sync::Arc<crate::cas::CasClient>,
    /// The schedule.
    pub schedule_id: i64,
    /// `https://<host>:<port>`, the origin of the pages (the CAS `service` addresses).
    pub origin: String,
    /// The password checks of the Clients' sessions.
    pub passwords: std::sync::Arc<crate::auth::Passwords>,
}

impl Site {
    /// The schedule's server as it runs now; `None` once it is shut down (the handlers answer
    /// `404 server_stopped`, see `http::endpoint::running`).
    pub async fn running(&self) -> StoreResult<Option<RunningSchedule>> {
        self.store.running_schedule(self.schedule_id).await
    }
}

/// The pages of the webspaces, besides the endpoint's status route.
pub fn routes() -> Router<Site> {
    let mut router = Router::new().route("/cas/validate", get(validate));
    for space in Webspace::ALL {
        router = router.route(
            &format!("/{}", space.page()),
            get(move |site, headers, query| page(site, headers, query, space)),
        );
    }
    router
}

/// The query of a page or of `/cas/validate`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    ticket: Option<String>,
    space: Option<String>,
}

/// The visitor's language: its `Accept-Language` ranked by quality (`q`, 1 when absent; `q=0`
/// means "not this one"), then negotiated by `fluent-langneg` against the service's languages
/// (`de, en;q=0.8` gives English: German is not offered); French when nothing matches.
pub(crate) fn language(headers: &HeaderMap) -> Language {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Language::Fr;
    };
    let mut ranked: Vec<(f32, usize, unic_langid::LanguageIdentifier)> = value
        .split(',')
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let id = tag.parse().ok()?;
            (quality > 0.0).then_some((quality, order, id))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let requested: Vec<unic_langid::LanguageIdentifier> =
        ranked.into_iter().map(|(_, _, id)| id).collect();
    let available: [unic_langid::LanguageIdentifier; 2] =
        [unic_langid::langid!("fr"), unic_langid::langid!("en")];
    let chosen = fluent_langneg::negotiate_languages(
        &requested,
        &available,
        None,
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    match chosen.first().map(|id| id.language.as_str()) {
        Some("en") => Language::En,
        _ => Language::Fr,
    }
}

/// Text made safe for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: a title and paragraphs, every text escaped here.
fn html(status: StatusCode, language: Language, title: &str, lines: &[String]) -> Response {
    let body: String = lines
        .iter()
        .map(|line| format!("<p>{}</p>\n", escape(line)))
        .collect();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n",
        lang = language.code(),
        title = escape(title),
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn space_name(texts: &Texts, space: Webspace) -> String {
    texts.get(&format!("webspace-{}", space.as_str()), &[])
}

async fn page(
    State(site): State<Site>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
    space: Webspace,
) -> Response {
    answer(&site, &headers, space, query.ticket.as_deref(), false).await
}

/// `/cas/validate?ticket=…&space=professeur`: validates a ticket issued for a space's page
/// (the teachers' by default).
async fn validate(
    State(site): State<Site>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    let space = query
        .space
        .as_deref()
        .and_then(Webspace::from_page)
        .unwrap_or(Webspace::Teachers);
    answer(&site, &headers, space, query.ticket.as_deref(), true).await
}

/// The page said when the publication cannot be read.
fn unavailable(language: Language) -> Response {
    let texts = Texts::new(language);
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        language,
        &texts.get("webspace-unavailable-title", &[]),
        &[texts.get("webspace-unavailable", &[])],
    )
}

/// The page said when the endpoint answers as many requests as it may (its load shedding):
/// `503` with `Retry-After`, at once.
pub(crate) fn busy(headers: &HeaderMap, retry_after_seconds: u64) -> Response {
    let mut page = unavailable(language(headers));
    if let Ok(value) = header::HeaderValue::from_str(&retry_after_seconds.to_string()) {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}

/// The redirection to the CAS server's login, which brings the person back to `service` with a
/// ticket.
fn to_cas_login(cas_url: &str, service: &str, language: Language, texts: &Texts) -> Response {
    match Url::parse_with_params(&format!("{cas_url}/login"), [("service", service)]) {
        Ok(login) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, login.to_string()),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
        )
            .into_response(),
        Err(_) => html(
            StatusCode::BAD_GATEWAY,
            language,
            &texts.get("webspace-cas-unreachable-title", &[]),
            &[texts.get(
                "webspace-cas-unreachable",
                &[("why", Arg::Text("invalid address"))],
            )],
        ),
    }
}

/// A page of `space`, or the validation of the ticket brought back for it.
async fn answer(
    site: &Site,
    headers: &HeaderMap,
    space: Webspace,
    ticket: Option<&str>,
    validating: bool,
) -> Response {
    let language = language(headers);
    let view = match site.store.webspace_view(site.schedule_id).await {
        Ok(Some(view)) => view,
        other => {
            if let Err(error) = other {
                tracing::error!(schedule = site.schedule_id, %error, "a webspace page could not be read");
            }
            return unavailable(language);
        }
    };
    let publication = &view.publication;
    let service = format!("{}/{}", site.origin, space.page());
    // The CAS call waits outside of any text formatting (`Texts` stays on this side of it).
    let cas = match (publication.delegation, &publication.cas_url) {
        (DelegationMode::Cas, Some(url)) => Some(url.clone()),
        _ => None,
    };
    let published = view.running && publication.published && publication.webspaces.get(space);
    let validated = match (&cas, ticket, published) {
        (Some(cas_url), Some(ticket), true) => {
            Some(site.cas.validate(cas_url, &service, ticket).await)
        }
        _ => None,
    };
    let texts = Texts::new(language);
    let name = space_name(&texts, space);
    let args = [
        ("space", Arg::Text(&name)),
        ("schedule", Arg::Text(&view.schedule_name)),
        ("school", Arg::Text(&view.school_name)),
    ];
    if !published {
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            language,
            &texts.get("webspace-not-published-title", &[]),
            &[texts.get("webspace-not-published", &args)],
        );
    }
    let heading = texts.get("webspace-heading", &args);
    let school = view.school_name.clone();
    let inactivity = texts.get(
        "webspace-inactivity",
        &[(
            "minutes",
            Arg::Number(i64::from(publication.inactivity_minutes)),
        )],
    );
    match (cas, validated) {
        (None, _) if validating => html(
            StatusCode::NOT_FOUND,
            language,
            &texts.get("webspace-no-delegation-title", &[]),
            &[texts.get("webspace-no-delegation", &args)],
        ),
        (None, _) => html(StatusCode::OK, language, &heading, &[school, inactivity]),
        (Some(cas_url), None) => to_cas_login(&cas_url, &service, language, &texts),
        (Some(_), Some(Ok(CasAnswer::User { user, display_name }))) => {
            let who = display_name.unwrap_or(user);
            let logged_in = texts.get("webspace-logged-in", &[("name", Arg::Text(&who))]);
            html(
                StatusCode::OK,
                language,
                &heading,
                &[school, logged_in, inactivity],
            )
        }
        (Some(_), Some(Ok(CasAnswer::Refused { code, .. }))) => {
            ticket_refused(language, &texts, &code)
        }
        (Some(_), Some(Err(why))) => cas_unreachable(site.schedule_id, language, &texts, &why),
    }
}

/// The page of a ticket the CAS server refused (its `code`).
fn ticket_refused(language: Language, texts: &Texts, code: &str) -> Response {
    html(
        StatusCode::FORBIDDEN,
        language,
        &texts.get("webspace-ticket-refused-title", &[]),
        &[texts.get("webspace-ticket-refused", &[("code", Arg::Text(code))])],
    )
}

/// The page of a ticket the CAS server could not be asked about (`why`).
fn cas_unreachable(schedule_id: i64, language: Language, texts: &Texts, why: &str) -> Response {
    tracing::warn!(schedule = schedule_id, %why, "a CAS ticket could not be validated");
    html(
        StatusCode::BAD_GATEWAY,
        language,
        &texts.get("webspace-cas-unreachable-title", &[]),
        &[texts.get("webspace-cas-unreachable", &[("why", Arg::Text(why))])],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape(r#"<script>"Lycée" & 'co'</script>"#),
            "&lt;script&gt;&quot;Lycée&quot; &amp; &#39;co&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_visitors_first_language_chooses() {
        let mut headers = HeaderMap::new();
        assert_eq!(language(&headers), Language::Fr);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "en-GB,en;q=0.9,fr;q=0.8".parse().unwrap(),
        );
        assert_eq!(language(&headers), Language::En);
        headers.insert(header::ACCEPT_LANGUAGE, "fr-FR;q=1, en".parse().unwrap());
        assert_eq!(language(&headers), Language::Fr);
        // A language the service does not offer is passed over; the qualities rank the rest.
        for (accept, expected) in [
            ("de, en;q=0.8", Language::En),
            ("de-CH, fr;q=0.5, en;q=0.9", Language::En),
            ("en;q=0.2, fr-BE;q=0.3", Language::Fr),
            ("en;q=0, fr;q=0.1", Language::Fr),
            ("*", Language::Fr),
            ("es", Language::Fr),
        ] {
            headers.insert(header::ACCEPT_LANGUAGE, accept.parse().unwrap());
            assert_eq!(language(&headers), expected, "{accept}");
        }
    }
}
