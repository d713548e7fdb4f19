//! The job status machine (DOMAIN §4.1) and who may move it.

use std::fmt;

/// A job's status, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Open,
    Assigned,
    InProgress,
    Completed,
    Cancelled,
}

/// The statuses' names, for input choices.
pub const STATUSES: [&str; 5] = ["open", "assigned", "in_progress", "completed", "cancelled"];

impl JobStatus {
    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<JobStatus> {
        Some(match s {
            "open" => JobStatus::Open,
            "assigned" => JobStatus::Assigned,
            "in_progress" => JobStatus::InProgress,
            "completed" => JobStatus::Completed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Open => "open",
            JobStatus::Assigned => "assigned",
            JobStatus::InProgress => "in_progress",
            JobStatus::Completed => "completed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Workers apply, and an application is accepted, only while the job is open.
    pub fn accepts_applications(self) -> bool {
        self == JobStatus::Open
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller is to the job (several may hold at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub poster: bool,
    pub assigned_worker: bool,
    pub admin: bool,
}

/// Whether `standing` may move a job from `from` to `to` directly. `open → assigned` happens only by
/// accepting an application, never by an edit.
pub fn may_move(from: JobStatus, to: JobStatus, standing: Standing) -> bool {
    use JobStatus::*;
    let Standing {
        poster,
        assigned_worker,
        admin,
    } = standing;
    match (from, to) {
        (Assigned, InProgress) | (InProgress, Completed) => assigned_worker || poster || admin,
        (Open | Assigned | InProgress, Cancelled) => poster || admin,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTER: Standing = Standing {
        poster: true,
        assigned_worker: false,
        admin: false,
    };
    const WORKER: Standing = Standing {
        poster: false,
        assigned_worker: true,
        admin: false,
    };
    const ADMIN: Standing = Standing {
        poster: false,
        assigned_worker: false,
        admin: true,
    };
    const NOBODY: Standing = Standing {
        poster: false,
        assigned_worker: false,
        admin: false,
    };

    /// Every pair of statuses against every kind of caller: exactly the table of DOMAIN §4.1.
    #[test]
    fn every_transition_is_allowed_or_refused_as_the_table_says() {
        let allowed = [
            ("assigned", "in_progress", [true, true, true]),
            ("in_progress", "completed", [true, true, true]),
            ("open", "cancelled", [true, false, true]),
            ("assigned", "cancelled", [true, false, true]),
            ("in_progress", "cancelled", [true, false, true]),
        ];
        for from in STATUSES {
            for to in STATUSES {
                let (f, t) = (
                    JobStatus::parse(from).unwrap_or(JobStatus::Open),
                    JobStatus::parse(to).unwrap_or(JobStatus::Open),
                );
                let expected = allowed
                    .iter()
                    .find(|(a, b, _)| *a == from && *b == to)
                    .map(|(_, _, who)| *who)
                    .unwrap_or([false, false, false]);
                let got = [
                    may_move(f, t, POSTER),
                    may_move(f, t, WORKER),
                    may_move(f, t, ADMIN),
                ];
                assert_eq!(got, expected, "{from} -> {to}");
                assert!(!may_move(f, t, NOBODY), "{from} -> {to} for nobody");
            }
        }
        assert_eq!(JobStatus::parse("done"), None);
        assert_eq!(JobStatus::InProgress.as_str(), "in_progress");
    }

    #[test]
    fn statuses_are_stored_by_their_names_and_only_open_jobs_take_applications() {
        for name in STATUSES {
            let status = JobStatus::parse(name).unwrap_or(JobStatus::Open);
            assert_eq!(status.as_str(), name);
            assert_eq!(status.to_string(), name);
            assert_eq!(status.accepts_applications(), name == "open");
        }
    }
}
