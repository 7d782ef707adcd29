//! Activating a base: a schedule's server starts with the base opened on it, once the schedule
//! has a domain (so a port); every change of a base (load, create, open, restore) needs the
//! server shut down first. Completing a base with a companion does not (see
//! `Store::add_companion`).

use hosting_api::ServerState;

use super::Refusal;
use crate::store::ScheduleRow;

/// A change that needs the schedule's server shut down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Loading uploaded files as a base.
    LoadingBase,
    /// Creating an empty base.
    CreatingBase,
    /// Opening a base on the server.
    OpeningBase,
    /// Opening a safeguard as a new base.
    OpeningSafeguard,
}

/// Refuses `change` while the server of `schedule` runs.
pub fn ensure_stopped(
    schedule: &str,
    server_state: ServerState,
    change: Change,
) -> Result<(), Refusal> {
    if server_state == ServerState::Running {
        return Err(Refusal::ServerRunning {
            schedule: schedule.to_string(),
            change,
        });
    }
    Ok(())
}

/// Refuses a shut-down of a server that is not running.
pub fn ensure_running(schedule: &str, server_state: ServerState) -> Result<(), Refusal> {
    if server_state != ServerState::Running {
        return Err(Refusal::AlreadyStopped {
            schedule: schedule.to_string(),
        });
    }
    Ok(())
}

/// The base that activation puts into service: the schedule's server is shut down, the
/// schedule has a port, and a base is open on it.
pub fn base_to_activate(schedule: &ScheduleRow) -> Result<i64, Refusal> {
    if schedule.server_state == ServerState::Running {
        return Err(Refusal::AlreadyRunning {
            schedule: schedule.name.clone(),
        });
    }
    if schedule.port.is_none() {
        return Err(Refusal::ScheduleNotConfigured {
            schedule: schedule.name.clone(),
        });
    }
    schedule.open_base_id.ok_or_else(|| Refusal::NoOpenBase {
        schedule: schedule.name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(state: ServerState, port: Option<i64>, open: Option<i64>) -> ScheduleRow {
        ScheduleRow {
            id: 1,
            name: "planning01".to_string(),
            campus_net_licence: false,
            time_zone: "Europe/Paris".to_string(),
            server_state: state,
            active_base_id: None,
            open_base_id: open,
            administration_reserved: 0,
            domain: port.map(|_| "lycee".to_string()),
            port,
        }
    }

    #[test]
    fn an_open_base_of_a_configured_stopped_schedule_is_activated() {
        assert_eq!(
            base_to_activate(&schedule(ServerState::Stopped, Some(4443), Some(7))),
            Ok(7)
        );
    }

    #[test]
    fn activation_is_refused_in_order_running_unconfigured_nothing_open() {
        let name = "planning01".to_string();
        assert_eq!(
            base_to_activate(&schedule(ServerState::Running, None, None)),
            Err(Refusal::AlreadyRunning {
                schedule: name.clone()
            })
        );
        assert_eq!(
            base_to_activate(&schedule(ServerState::Stopped, None, Some(7))),
            Err(Refusal::ScheduleNotConfigured {
                schedule: name.clone()
            })
        );
        assert_eq!(
            base_to_activate(&schedule(ServerState::Stopped, Some(4443), None)),
            Err(Refusal::NoOpenBase { schedule: name })
        );
    }

    #[test]
    fn changes_of_a_base_need_the_server_shut_down() {
        assert_eq!(
            ensure_stopped("p", ServerState::Stopped, Change::LoadingBase),
            Ok(())
        );
        assert_eq!(
            ensure_stopped("p", ServerState::Running, Change::OpeningSafeguard),
            Err(Refusal::ServerRunning {
                schedule: "p".to_string(),
                change: Change::OpeningSafeguard
            })
        );
        assert_eq!(ensure_running("p", ServerState::Running), Ok(()));
        assert!(ensure_running("p", ServerState::Stopped).is_err());
    }
}
