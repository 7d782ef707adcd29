//! The audit view: who sees what, the filters, the pages and the CSV export.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestService, assert_api_error};
use hosting_api::{AuditQuery, ScheduleUpdate};

fn query(action: Option<&str>) -> AuditQuery {
    AuditQuery {
        action: action.map(str::to_string),
        ..AuditQuery::default()
    }
}

#[tokio::test]
async fn the_manager_sees_everything_a_superadministrator_their_own_and_their_schedules() {
    let service = TestService::start().await;
    let s = common::files::school(&service, "Lycee Audit").await;
    let schedules = s.manager.schedules().await.unwrap();
    let planning02 = schedules[1].id;
    let users = s.manager.users().await.unwrap();
    let spr = users
        .iter()
        .find(|u| u.username == format!("spr{}", s.account_id))
        .unwrap();
    // The superadministrator is in planning01's Administration profile only.
    s.manager
        .set_profile_members(s.schedule_id, "Administration", &[spr.id])
        .await
        .unwrap();
    // The manager changes planning02, with a value a spreadsheet would take for a formula.
    s.manager
        .update_schedule(
            planning02,
            &ScheduleUpdate {
                domain: Some("lycee-audit-p2".to_string()),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .unwrap();
    s.client
        .update_schedule(
            s.schedule_id,
            &ScheduleUpdate {
                name: Some("=cmd|' /C calc'!A0".to_string()),
                ..ScheduleUpdate::default()
            },
        )
        .await
        .ok();

    let everything = s.manager.audit(&AuditQuery::default()).await.unwrap();
    let all = &everything.records;
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert!(
        all.iter()
            .any(|r| r.actor == "operator" && r.action == "account.provisioned")
    );
    assert!(all.iter().any(|r| r.actor.starts_with("superadmin:")));
    let p2 = all
        .iter()
        .find(|r| r.schedule_id == Some(planning02) && r.actor == "manager")
        .unwrap();
    assert_eq!(p2.schedule_name.as_deref(), Some("planning02"));
    assert!(p2.workstation_name.is_some() && p2.source_addr.is_some());

    // The superadministrator: their own actions, and those on planning01; not the manager's
    // change of planning02, nor the provider's.
    let own = s
        .client
        .audit(&AuditQuery::default())
        .await
        .unwrap()
        .records;
    let label = format!("superadmin:spr{}", s.account_id);
    assert!(!own.is_empty());
    assert!(
        own.iter()
            .all(|r| r.actor == label || r.schedule_id == Some(s.schedule_id)),
        "{own:?}"
    );
    assert!(
        own.iter()
            .any(|r| r.actor == "manager" && r.schedule_id == Some(s.schedule_id))
    );
    assert!(
        !own.iter()
            .any(|r| r.schedule_id == Some(planning02) && r.actor == "manager")
    );

    // Filters: a kind of actions, an actor, days.
    let sessions = s.manager.audit(&query(Some("session."))).await.unwrap();
    assert!(!sessions.records.is_empty());
    assert!(
        sessions
            .records
            .iter()
            .all(|r| r.action.starts_with("session."))
    );
    let by_actor = s
        .manager
        .audit(&AuditQuery {
            actor: Some(label.clone()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(by_actor.records.iter().all(|r| r.actor == label));
    let today = hostingd::rules::school_year::iso(service.clock.today());
    let tomorrow =
        hostingd::rules::school_year::iso(service.clock.today() + time::Duration::days(1));
    let on_day = |since: &str, until: &str| AuditQuery {
        since: Some(since.to_string()),
        until: Some(until.to_string()),
        ..AuditQuery::default()
    };
    assert_eq!(
        s.manager
            .audit(&on_day(&today, &today))
            .await
            .unwrap()
            .records
            .len(),
        all.len().min(200)
    );
    assert!(
        s.manager
            .audit(&on_day(&tomorrow, &tomorrow))
            .await
            .unwrap()
            .records
            .is_empty()
    );
    assert_api_error(
        s.manager.audit(&on_day("28/11", &today)).await,
        422,
        "invalid_date",
    );

    // Pages.
    let first = s
        .manager
        .audit(&AuditQuery {
            limit: Some(3),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(first.records.len(), 3);
    let next = s
        .manager
        .audit(&AuditQuery {
            limit: Some(3),
            before_id: first.next_before_id,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(next.records[0].id, all[3].id);

    // CSV: a header, one line a record, quoted, formulas defused.
    let csv =
        String::from_utf8(s.manager.audit_csv(&AuditQuery::default()).await.unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0].trim_start_matches('\u{feff}'),
        "at,actor,workstation,action,schedule,source_address,before,after,detail"
    );
    assert!(lines.len() > all.len(), "a line a record and the header");
    assert!(!csv.contains(",=cmd") && !csv.contains("\n=cmd"), "{csv}");
    let own_csv =
        String::from_utf8(s.client.audit_csv(&AuditQuery::default()).await.unwrap()).unwrap();
    assert!(!own_csv.contains("account.provisioned"));
}
