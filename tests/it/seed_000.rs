//! The provider's page "New customer: First steps for the hosting manager"
//! (`../shared/seeds/000_*.txt`), steps 1 to 6 in their order, each click of the page done
//! through the console (no helper hides one), with the page's words in the comments, as the
//! hosting manager. Where the console spares a click the page has (a window to close with OK),
//! the comment says so.
#![allow(clippy::unwrap_used)]

use egui::accesskit::{Role, Toggled};
use egui_kittest::kittest::{NodeT, Queryable};

use crate::common::{self, Person, SUPERADMIN_PASSWORD, Service};

fn toggled(person: &Person<'_>, label: &str) -> Option<Toggled> {
    person
        .harness
        .get_by_role_and_label(Role::CheckBox, label)
        .accesskit_node()
        .toggled()
}

#[test]
fn first_steps_for_the_hosting_manager() {
    let service = Service::start();
    // "Step No. 1: Reception of connection information. ... an invoice number in an initial
    // email. A second email is then sent to provide them with the hosting number. ... you will
    // receive the password for the hosting console via a SMS." (read from the service's outbox)
    let logins = service.provision("Lycee Jean Jaures");
    assert_eq!(logins.hosting_number.len(), 12);
    assert_eq!(logins.invoice_number.len(), 10);
    assert_eq!(logins.password.chars().count(), 14);

    // "Step No. 2: Connection to hosting console. ... double-click on the shortcut installed on
    // your desktop."
    let dir = tempfile::tempdir().unwrap();
    let mut person = Person::on(dir.path(), service.choice());
    // "Select I log in as | hosting manager."
    person.wait_for("hosting manager");
    person.click_role(Role::RadioButton, "hosting manager");
    // "Enter the hosting number (12 digits, sent by e-mail) and the hosting console password
    // (14 characters, sent by SMS), then click on the button Connect to the hosting console."
    person.fill("Hosting number", &logins.hosting_number);
    person.fill("Password", &logins.password);
    person.click("Connect to the hosting console");
    // "In the next window, enter the invoice number (10 digits, sent by e-mail), then click on
    // the button Install the certificate."
    person.wait_for("Invoice number");
    person.fill("Invoice number", &logins.invoice_number);
    person.click("Install the certificate");
    // "A window confirms that the certificate has been installed. Click on the button Connect
    // to the hosting console." The console connects at once; the licence follows.
    // "Tick I accept the License Agreement, then click on the button Accept."
    person.wait_for("I accept the License Agreement");
    person.click("I accept the License Agreement");
    person.click("Accept");

    // "Step No. 3: Configuration of schedules. In the panel Configuration of the console, enter
    // a domain name. We recommend that you enter the name of your school."
    person.wait_for("Step 3: Configuration of schedules");
    person.fill("Controller domain name", "jaures");
    // "Confirm the association of the domain name with the controller by clicking on Yes."
    person.click("Confirm the controller's domain");
    person.wait_for("Yes");
    person.click("Yes");
    // "The consideration of the domain name is accompanied by an associated port number. These
    // two elements will constitute the connection details to the controller." (No window to
    // close with OK: the details are shown in place.)
    person.wait_for_text("jaures.hosting.localhost, port");
    for schedule in ["planning01", "planning02"] {
        // "If necessary, change the name of the first schedule (default name: planning01)."
        assert_eq!(
            person.value_of(&format!("Name of {schedule}")).as_deref(),
            Some(schedule)
        );
        // "Leave ticked the box Activate a PRONOTE Campus.net license."
        assert_eq!(
            toggled(
                &person,
                &format!("Activate a PRONOTE Campus.net licence for {schedule}")
            ),
            Some(Toggled::True)
        );
        // "Enter the name of the associated domain. Confirm the association of the domain name
        // with the schedule by clicking on Yes." "Proceed in the same way for the second
        // schedule."
        person.fill(
            &format!("Domain name of {schedule}"),
            &format!("jaures-{schedule}"),
        );
        person.click(&format!("Confirm {schedule}"));
        person.wait_for("Yes");
        person.click("Yes");
        // "The domain name is accompanied by an associated port number."
        person.wait_for_text(&format!("jaures-{schedule}.hosting.localhost, port"));
    }
    person.wait_enabled("Next");
    person.click("Next");

    // "Step No. 4: Creation of the first superadministrator. ... Create the superadministrator
    // by entering: the first name, the surname, the username, the password (to be confirmed).
    // Click on the button Create the superadministrator."
    person.wait_for("Step 4: First superadministrator");
    person.fill("First name", "Jeanne");
    person.fill("Surname", "Dupont");
    person.fill("Username", "jdupont");
    person.fill("Password", SUPERADMIN_PASSWORD);
    person.fill("Password confirmation", SUPERADMIN_PASSWORD);
    person.click("Create the superadministrator");
    // "To authorize the superadministrator to also access the console, first enter a valid
    // e-mail address, then tick the column." (Here, in the next step's form.)
    person.wait_for("Step 5: Administration profile");
    assert_eq!(toggled(&person, "Console access"), Some(Toggled::False));
    person.fill("E-mail address", "jeanne.dupont@lycee-jaures.fr");
    person.click_role(Role::CheckBox, "Console access");

    // "Step No. 5: Assigning the superadministrator to an Administration profile ... for the
    // concerned schedule. ... tick the superadministrator, then validate."
    assert_eq!(
        toggled(&person, "Administration of planning01"),
        Some(Toggled::True)
    );
    person.click("Validate");

    // "Step No. 6: Transmission of connection information to the superadministrator ... the
    // address to download and install the hosting console, the hosting number, the invoice
    // number, your username (chosen in step 4), your password (chosen in step 4)."
    person.wait_for("Step 6: Transmission");
    person.click("Include the password in the sheet");
    person.click("Save as PDF…");
    person.wait_for_text("The connection sheet was saved");
    let sheet = common::pdf_text(&dir.path().join("connection-sheet.pdf"));
    let download = service.store().console_download_url().to_string();
    for needle in [
        download.as_str(),
        &logins.hosting_number,
        &logins.invoice_number,
        "jdupont",
        SUPERADMIN_PASSWORD,
    ] {
        assert!(
            !needle.is_empty() && sheet.contains(needle),
            "{needle:?} missing from the sheet: {sheet:?}"
        );
    }
    person.click("Finish");

    // "From the panel Controller of the console, click on the tab List of users. The
    // superadministrator is now visible."
    person.wait_for("Controller");
    person.click("Controller");
    person.click("List of users");
    person.wait_for("Edit jdupont");
    let users = service
        .runtime
        .block_on(service.store().users(logins.account_id))
        .unwrap();
    let jdupont = users.iter().find(|u| u.username == "jdupont").unwrap();
    assert!(jdupont.superadmin && jdupont.console_access);
}
