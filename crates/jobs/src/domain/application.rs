//! Job applications (DOMAIN §4.2): their statuses and who decides them.

use std::fmt;

/// An application's status, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    Applied,
    Accepted,
    Declined,
}

impl ApplicationStatus {
    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Applied => "applied",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Declined => "declined",
        }
    }

    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Applied,
            ApplicationStatus::Accepted,
            ApplicationStatus::Declined,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is done with an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline,
}

impl Decision {
    /// The verb, as refusals say it.
    pub fn verb(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Decline => "decline",
        }
    }

    /// The application's status once decided.
    pub fn outcome(self) -> ApplicationStatus {
        match self {
            Decision::Accept => ApplicationStatus::Accepted,
            Decision::Decline => ApplicationStatus::Declined,
        }
    }
}

/// What the caller is to an application (several may hold at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub applicant: bool,
    pub poster: bool,
    pub admin: bool,
}

impl Standing {
    /// The applicant, the job's poster and admins decide an application.
    pub fn may_decide(self) -> bool {
        self.applicant || self.poster || self.admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_decisions_name_their_outcome() {
        for name in ["applied", "accepted", "declined"] {
            assert_eq!(
                ApplicationStatus::parse(name).map(|s| s.as_str()),
                Some(name)
            );
        }
        assert_eq!(ApplicationStatus::parse("open"), None);
        assert_eq!(Decision::Accept.outcome(), ApplicationStatus::Accepted);
        assert_eq!(Decision::Decline.outcome().to_string(), "declined");
        assert_eq!(Decision::Decline.verb(), "decline");
    }

    #[test]
    fn the_applicant_the_poster_and_admins_decide() {
        assert!(!Standing::default().may_decide());
        for standing in [
            Standing {
                applicant: true,
                ..Standing::default()
            },
            Standing {
                poster: true,
                ..Standing::default()
            },
            Standing {
                admin: true,
                ..Standing::default()
            },
        ] {
            assert!(standing.may_decide());
        }
    }
}
