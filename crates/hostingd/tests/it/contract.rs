//! Renewing the hosting contract: pro-forma invoices made by a superadministrator from the
//! operator's price list (numbered, priced, kept as the PDF that was issued, read back here with
//! a PDF parser), and the reminders of the contract's end walked on the service clock.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestService, assert_api_error};
use hosting_api::{ProformaRequest, ScheduleUpdate};
use hostingd::store::ContractChange;
use time::Duration;

fn request(start: &str, years: u8) -> ProformaRequest {
    ProformaRequest {
        period_start: start.to_string(),
        years,
        language: Some("fr".to_string()),
    }
}

/// The text of every page of a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).unwrap()
}

async fn price_list(service: &TestService) {
    for (item, amount, vat) in [
        ("hosting", "1450.00", "20"),
        ("administration_licence", "120.50", "20"),
        ("campus_net_licence", "300", "5.5"),
    ] {
        hostingd::operator::set_price(service.store(), item, amount, "EUR", vat, "2020-01-01")
            .await
            .unwrap();
    }
}

fn iso(date: time::Date) -> String {
    hostingd::rules::school_year::iso(date)
}

#[tokio::test]
async fn a_superadministrator_makes_numbered_proformas_whose_pdf_names_the_school_and_period() {
    let service = TestService::start().await;
    let s = common::files::school(&service, "Lycee Emile Zola").await;
    let logins_hosting = service
        .store()
        .account_by_id(s.account_id)
        .await
        .unwrap()
        .hosting_number;
    let today = service.clock.today();
    let start = today + Duration::days(30);

    // No price list yet: refused, nothing recorded.
    let audit = service.audit_count(s.account_id).await;
    assert_api_error(
        s.client.make_proforma(&request(&iso(start), 1)).await,
        409,
        "no_price_list",
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    price_list(&service).await;

    // Only a superadministrator.
    for result in [
        s.manager
            .make_proforma(&request(&iso(start), 1))
            .await
            .map(|_| ()),
        s.manager.proformas().await.map(|_| ()),
        s.manager.proforma_pdf(1).await.map(|_| ()),
    ] {
        assert_api_error(result, 403, "superadmin_only");
    }
    // A period of 1 to 3 years, starting near today, on a real day.
    for (start, years, code) in [
        (iso(start), 0, "invalid_contract_period"),
        (iso(start), 4, "invalid_contract_period"),
        (
            iso(today + Duration::days(800)),
            1,
            "invalid_contract_period",
        ),
        ("31/08/2027".to_string(), 1, "invalid_date"),
    ] {
        assert_api_error(
            s.client.make_proforma(&request(&start, years)).await,
            422,
            code,
        );
    }
    assert_eq!(service.audit_count(s.account_id).await, audit);

    // Two licences and a Campus.net licence on planning01: three priced lines.
    hostingd::operator::set_contract(
        service.store(),
        &logins_hosting,
        &ContractChange {
            administration_licences: Some(2),
            ..ContractChange::default()
        },
    )
    .await
    .unwrap();
    for schedule in s.manager.schedules().await.unwrap() {
        s.manager
            .update_schedule(
                schedule.id,
                &ScheduleUpdate {
                    campus_net_licence: Some(schedule.id == s.schedule_id),
                    ..ScheduleUpdate::default()
                },
            )
            .await
            .unwrap();
    }
    let first = s
        .client
        .make_proforma(&request(&iso(start), 2))
        .await
        .unwrap();
    let year = today.year();
    assert_eq!(first.number, format!("PF-{year}-000001"));
    assert_eq!(first.period_start, iso(start));
    let end = start.replace_year(start.year() + 2).unwrap() - Duration::days(1);
    assert_eq!(first.period_end, iso(end));
    // 2 × 1450 + 4 × 120.50 + 2 × 300, with 20 % and 5.5 % VAT.
    assert_eq!(first.total_excl_cents, 290_000 + 48_200 + 60_000);
    assert_eq!(
        first.total_incl_cents,
        398_200 + (338_200 * 200 + 500) / 1000 + (60_000 * 55 + 500) / 1000
    );
    let pdf = s.client.proforma_pdf(first.id).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    let day = |d: time::Date| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year());
    for expected in [
        logins_hosting.as_str(),
        "Lycee Emile Zola",
        &first.number,
        &format!("du {} au {}", day(start), day(end)),
        "Facture pro forma",
        "Licence Campus.net de planning01",
        "Total TTC",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
    }
    // The same document each time.
    assert_eq!(s.client.proforma_pdf(first.id).await.unwrap(), pdf);

    // Numbers follow each other; the list is newest first; English on request.
    let mut english = request(&iso(start), 1);
    english.language = Some("en".to_string());
    let second = s.client.make_proforma(&english).await.unwrap();
    assert_eq!(second.number, format!("PF-{year}-000002"));
    let text = pdf_text(&s.client.proforma_pdf(second.id).await.unwrap());
    assert!(
        text.contains("Pro-forma invoice") && text.contains("Total including tax"),
        "{text}"
    );
    let listed = s.client.proformas().await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.number.clone()).collect::<Vec<_>>(),
        [second.number.clone(), first.number.clone()]
    );
    let log = service.store().audit_log(s.account_id).await.unwrap();
    let made: Vec<_> = log
        .iter()
        .filter(|e| e.action == "contract.proforma")
        .collect();
    assert_eq!(made.len(), 2);
    assert!(made[0].actor.starts_with("superadmin:"));
}

#[tokio::test]
async fn the_manager_is_reminded_60_30_and_7_days_before_the_end_once_each() {
    let service = TestService::start_with(|c| c.job_interval_seconds = 86_400).await;
    let logins = service.provision("Lycee Rappel").await;
    let late = service.provision("Lycee Tardif").await;
    let today = service.clock.today();
    let ends = today + Duration::days(100);
    let set_end = |hosting: String, end: time::Date| {
        let store = service.store().clone();
        async move {
            hostingd::operator::set_contract(
                &store,
                &hosting,
                &ContractChange {
                    ends_on: Some(iso(end)),
                    ..ContractChange::default()
                },
            )
            .await
            .unwrap();
        }
    };
    set_end(logins.hosting_number.clone(), ends).await;
    // Already inside 60 and 30 days: one e-mail, not two.
    set_end(late.hosting_number.clone(), today + Duration::days(20)).await;
    let reminders = |account_id: i64| {
        let store = service.store().clone();
        async move {
            store
                .outbox(Some(account_id))
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject.starts_with("Your hosting contract ends"))
                .collect::<Vec<_>>()
        }
    };
    let run = || async { service.service.run_jobs().await.unwrap().contract_reminders };
    // Only a superadministrator with console access can renew: alice is told too.
    let (manager, _) = service.manager(&late).await;
    common::roles::superadmin(&service, &manager, &late, "alice").await;

    assert_eq!(run().await, 1, "the late contract, once");
    assert_eq!(run().await, 0);
    let told = reminders(late.account_id).await;
    let mut recipients: Vec<&str> = told.iter().map(|m| m.recipient.as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    assert!(recipients.contains(&"alice@school.fr"), "{recipients:?}");
    assert!(told.iter().all(|m| m.body.contains("in 20 days")));

    for (days_before, sent) in [(61, 0), (60, 1), (45, 0), (30, 1), (5, 1), (1, 0)] {
        service
            .clock
            .advance_to_day(ends - Duration::days(days_before), 9);
        assert_eq!(run().await, sent, "{days_before} days before");
        assert_eq!(run().await, 0, "{days_before} days before, again");
    }
    let sent = reminders(logins.account_id).await;
    assert_eq!(sent.len(), 3);
    // In the account's language only.
    assert!(sent[0].body.contains("in 60 days") && !sent[0].body.contains("jours"));
    assert!(
        sent[2].body.contains("in 5 days"),
        "7 days was passed: said on day 5"
    );

    // Renewed: a new end, the reminders start again for it.
    let renewed = ends + Duration::days(365);
    set_end(logins.hosting_number.clone(), renewed).await;
    service
        .clock
        .advance_to_day(renewed - Duration::days(60), 9);
    assert_eq!(run().await, 1);
    assert_eq!(reminders(logins.account_id).await.len(), 4);
}

/// A pro-forma's PDF is made outside the service's write lock (issue 23): while it renders,
/// another change of the service commits; a document that cannot be made leaves a gap in the
/// numbers, never a number given twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_proforma_renders_outside_the_write_lock() {
    let t = TestService::start().await;
    let logins = t.provision("Lycee Verrou").await;
    let store = t.store().clone();
    let actor = hostingd::store::Actor::service(logins.account_id);
    let draft = hostingd::store::ProformaDraft {
        period_start: "2027-09-01".to_string(),
        period_end: "2028-08-31".to_string(),
        total_excl_cents: 100_000,
        total_incl_cents: 120_000,
        currency: "EUR".to_string(),
        language: "en".to_string(),
    };
    let (written, wait) = std::sync::mpsc::channel::<()>();
    let other = store.clone();
    let issued = store
        .issue_proforma(&actor, 2027, &draft, move |number| {
            // While rendering: another write of the service goes through, on another thread.
            let handle = tokio::runtime::Handle::current();
            std::thread::spawn(move || {
                handle
                    .block_on(other.set_service_setting("probe", "written"))
                    .unwrap();
                written.send(()).unwrap();
            });
            wait.recv_timeout(std::time::Duration::from_secs(10))
                .map_err(|_| "the other write waited for the rendering".to_string())?;
            Ok(format!("%PDF {number}").into_bytes())
        })
        .await
        .unwrap();
    assert_eq!(issued.number, "PF-2027-000001");
    // A rendering that fails: nothing recorded, and its number is not given again.
    assert!(
        store
            .issue_proforma(&actor, 2027, &draft, |_| Err("no font".to_string()))
            .await
            .is_err()
    );
    let next = store
        .issue_proforma(&actor, 2027, &draft, |n| Ok(n.as_bytes().to_vec()))
        .await
        .unwrap();
    assert_eq!(next.number, "PF-2027-000003");
    assert_eq!(store.proformas(logins.account_id).await.unwrap().len(), 2);
}

/// At most `PROFORMAS_PER_DAY` pro-formas a day per account (issue 23): the next one answers
/// `429 proforma_limit_reached` until the next day of the service's clock (`Retry-After`), and
/// makes nothing; another school is not held back, and the next day the school makes one again.
#[tokio::test]
async fn an_account_makes_at_most_twenty_proformas_a_day() {
    use hostingd::renewal::PROFORMAS_PER_DAY;
    use hostingd::store::{Actor, ProformaDraft};
    let service = TestService::start().await;
    let s = common::files::school(&service, "Lycee Vingt").await;
    price_list(&service).await;
    // Noon of a day of the service's clock: twelve hours until the next.
    let day = service.clock.today() + Duration::days(1);
    service.clock.advance_to_day(day, 12);
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    let draft = ProformaDraft {
        period_start: iso(day + Duration::days(30)),
        period_end: iso(day + Duration::days(394)),
        total_excl_cents: 100_000,
        total_incl_cents: 120_000,
        currency: "EUR".to_string(),
        language: "fr".to_string(),
    };
    let quick = |n: &str| -> Result<Vec<u8>, String> { Ok(n.as_bytes().to_vec()) };
    let store = service.store();
    for _ in 1..PROFORMAS_PER_DAY {
        store
            .issue_proforma(&Actor::service(s.account_id), day.year(), &draft, quick)
            .await
            .unwrap();
    }
    let ask = request(&iso(day + Duration::days(30)), 1);
    s.client.make_proforma(&ask).await.unwrap();

    let audit = service.audit_count(s.account_id).await;
    let refused = s.client.make_proforma(&ask).await;
    let retry_after = match &refused {
        Err(hosting_api::ClientError::Api {
            retry_after_seconds,
            ..
        }) => *retry_after_seconds,
        other => panic!("{other:?}"),
    };
    // Until the next midnight of the service's clock, which runs on from noon while the test
    // works (a few seconds, a minute at most on a busy machine).
    let retry_after = retry_after.expect("a Retry-After");
    assert!(
        (12 * 3600 - 60..=12 * 3600).contains(&retry_after),
        "{retry_after} s is not the time until midnight"
    );
    let message = assert_api_error(refused, 429, "proforma_limit_reached");
    assert!(
        message.contains("20") && message.contains("tomorrow"),
        "{message}"
    );
    assert_eq!(service.audit_count(s.account_id).await, audit);
    let made = s.client.proformas().await.unwrap();
    assert_eq!(made.len(), usize::try_from(PROFORMAS_PER_DAY).unwrap());
    // The store refuses it too, whoever asks.
    assert!(
        store
            .issue_proforma(&Actor::service(s.account_id), day.year(), &draft, quick)
            .await
            .is_err()
    );

    // Another school makes its own.
    let other = service.provision("Lycee Autre").await;
    store
        .issue_proforma(&Actor::service(other.account_id), day.year(), &draft, quick)
        .await
        .unwrap();
    // The next day, the school makes one again.
    service.clock.advance_to_day(day + Duration::days(1), 0);
    s.client.login(common::SUPERADMIN_PASSWORD).await.unwrap();
    s.client.make_proforma(&ask).await.unwrap();
}
