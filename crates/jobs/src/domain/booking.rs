//! Bookings (DOMAIN §4.3): the statuses, the cash-first payment rule and the status machine, as tables.

use std::fmt;

/// A booking's status, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    Requested,
    Confirmed,
    OnTheWay,
    Arrived,
    Completed,
    Cancelled,
    PaymentPending,
}

impl BookingStatus {
    /// Every status, in the order of [`STATUSES`].
    pub const ALL: [BookingStatus; 7] = [
        BookingStatus::Requested,
        BookingStatus::Confirmed,
        BookingStatus::OnTheWay,
        BookingStatus::Arrived,
        BookingStatus::Completed,
        BookingStatus::Cancelled,
        BookingStatus::PaymentPending,
    ];

    /// The status as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::OnTheWay => "on_the_way",
            BookingStatus::Arrived => "arrived",
            BookingStatus::Completed => "completed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::PaymentPending => "payment_pending",
        }
    }

    /// The status this name is, if any.
    pub fn parse(s: &str) -> Option<BookingStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Finished: nothing moves it any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, BookingStatus::Completed | BookingStatus::Cancelled)
    }

    /// The customer may still change the details (before a worker is on the way).
    pub fn is_editable(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Confirmed)
    }

    /// The status once a worker is assigned: a requested booking becomes confirmed.
    pub fn after_assign(self) -> BookingStatus {
        match self {
            BookingStatus::Requested => BookingStatus::Confirmed,
            other => other,
        }
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The statuses' names, for input choices: the contract's vocabulary (a test keeps [`BookingStatus`] in
/// step with it).
pub use hm_contracts::events::BOOKING_STATUSES as STATUSES;

/// How a booking is paid (DOMAIN §4.3), stored as its name: `cash`, `online` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Cash,
    Online,
    None,
}

impl PaymentMethod {
    /// Every method as stored, for input choices.
    pub const NAMES: [&'static str; 3] = ["cash", "online", "none"];

    /// The method as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Online => "online",
            PaymentMethod::None => "none",
        }
    }

    /// The method this name is, if any.
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        match s {
            "cash" => Some(PaymentMethod::Cash),
            "online" => Some(PaymentMethod::Online),
            "none" => Some(PaymentMethod::None),
            _ => None,
        }
    }
}

/// Where a booking's payment stands (DOMAIN §4.3), stored as its name: `pending` (online, not yet
/// paid), `paid`, `failed`, or `n/a` (cash or no payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingPayment {
    Pending,
    Paid,
    Failed,
    NotApplicable,
}

impl BookingPayment {
    /// Every state as stored, for filter choices.
    pub const NAMES: [&'static str; 4] = ["pending", "paid", "failed", "n/a"];

    /// The state as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingPayment::Pending => "pending",
            BookingPayment::Paid => "paid",
            BookingPayment::Failed => "failed",
            BookingPayment::NotApplicable => "n/a",
        }
    }

    /// The state this name is, if any.
    pub fn parse(s: &str) -> Option<BookingPayment> {
        match s {
            "pending" => Some(BookingPayment::Pending),
            "paid" => Some(BookingPayment::Paid),
            "failed" => Some(BookingPayment::Failed),
            "n/a" => Some(BookingPayment::NotApplicable),
            _ => None,
        }
    }
}

/// How a booking may be paid: [`PaymentMethod::NAMES`].
pub const PAYMENT_METHODS: [&str; 3] = PaymentMethod::NAMES;

/// The note of a booking asked to be paid online while online payments are off.
pub const CASH_FALLBACK_NOTE: &str = "Online payments disabled - auto-converted to cash";

/// How a new booking is paid: the cash-first rule's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentTerms {
    pub method: PaymentMethod,
    pub status: BookingPayment,
    /// Why the method is not the one asked for, if it is not.
    pub note: Option<&'static str>,
}

/// How a new booking is paid (DOMAIN §4.3, cash first): online only while online payments are on
/// (else cash, with [`CASH_FALLBACK_NOTE`]); cash when nothing is asked for.
pub fn payment_terms(requested: Option<PaymentMethod>, payments_enabled: bool) -> PaymentTerms {
    use BookingPayment::{NotApplicable, Pending};
    let (method, status, note) = match requested {
        Some(PaymentMethod::Online) if payments_enabled => (PaymentMethod::Online, Pending, None),
        Some(PaymentMethod::Online) => {
            (PaymentMethod::Cash, NotApplicable, Some(CASH_FALLBACK_NOTE))
        }
        Some(PaymentMethod::None) => (PaymentMethod::None, NotApplicable, None),
        Some(PaymentMethod::Cash) | None => (PaymentMethod::Cash, NotApplicable, None),
    };
    PaymentTerms {
        method,
        status,
        note,
    }
}

/// What the caller is to the booking; several may hold at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub owner: bool,
    pub assigned_worker: bool,
    /// Any user whose role is `contractor`.
    pub contractor: bool,
    pub admin: bool,
}

impl Standing {
    /// The owner, the assigned worker and admins see a booking; to anyone else it does not exist.
    pub fn may_see(self) -> bool {
        self.owner || self.assigned_worker || self.admin
    }

    /// Contractors and admins give bookings to workers.
    pub fn may_assign(self) -> bool {
        self.contractor || self.admin
    }

    /// The assigned worker and admins post the worker's live position (API §7.7).
    pub fn may_track(self) -> bool {
        self.assigned_worker || self.admin
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Owner,
    Worker,
    Contractor,
    Admin,
}

use Actor::{Admin, Contractor, Owner, Worker};

/// `(from, to, who)`: every move the machine allows besides cancelling (rules 4–9).
const MOVES: [(BookingStatus, BookingStatus, &[Actor]); 6] = [
    (
        BookingStatus::Requested,
        BookingStatus::Confirmed,
        &[Contractor, Admin, Owner],
    ),
    (
        BookingStatus::Confirmed,
        BookingStatus::OnTheWay,
        &[Worker, Contractor, Admin],
    ),
    (
        BookingStatus::Confirmed,
        BookingStatus::PaymentPending,
        &[Contractor, Admin],
    ),
    (BookingStatus::OnTheWay, BookingStatus::Arrived, &[Worker]),
    (
        BookingStatus::Arrived,
        BookingStatus::Completed,
        &[Worker, Contractor, Admin],
    ),
    (
        BookingStatus::PaymentPending,
        BookingStatus::Completed,
        &[Contractor, Admin],
    ),
];

/// Who may cancel a booking that is not finished (rule 3).
const CANCELLERS: &[Actor] = &[Owner, Contractor, Admin];

fn holds(standing: Standing, who: &[Actor]) -> bool {
    who.iter().any(|actor| match actor {
        Owner => standing.owner,
        Worker => standing.assigned_worker,
        Contractor => standing.contractor,
        Admin => standing.admin,
    })
}

/// Whether `standing` may move a booking from `from` to `to` (DOMAIN §4.3, in its order). The same
/// status is allowed to anyone who sees the booking (a no-op).
pub fn may_move(from: BookingStatus, to: BookingStatus, standing: Standing) -> bool {
    if from == to {
        return true;
    }
    if from.is_terminal() {
        return false;
    }
    if to == BookingStatus::Cancelled {
        return holds(standing, CANCELLERS);
    }
    MOVES
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .is_some_and(|(_, _, who)| holds(standing, who))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(actor: Actor) -> Standing {
        Standing {
            owner: actor == Owner,
            assigned_worker: actor == Worker,
            contractor: actor == Contractor,
            admin: actor == Admin,
        }
    }

    fn status(name: &str) -> BookingStatus {
        BookingStatus::parse(name).unwrap_or(BookingStatus::Requested)
    }

    /// Every pair of statuses for every kind of caller, against the rules written out once more.
    #[test]
    fn every_transition_is_allowed_or_refused_as_the_rules_say() {
        let expected = |from: &str, to: &str, actor: Actor| -> bool {
            if from == to {
                return true;
            }
            if from == "completed" || from == "cancelled" {
                return false;
            }
            matches!(
                (from, to, actor),
                (_, "cancelled", Owner | Contractor | Admin)
                    | ("requested", "confirmed", Owner | Contractor | Admin)
                    | ("confirmed", "on_the_way", Worker | Contractor | Admin)
                    | ("confirmed", "payment_pending", Contractor | Admin)
                    | ("on_the_way", "arrived", Worker)
                    | ("arrived", "completed", Worker | Contractor | Admin)
                    | ("payment_pending", "completed", Contractor | Admin)
            )
        };
        let mut allowed = 0;
        for from in STATUSES {
            for to in STATUSES {
                for actor in [Owner, Worker, Contractor, Admin] {
                    let got = may_move(status(from), status(to), one(actor));
                    assert_eq!(
                        got,
                        expected(from, to, actor),
                        "{from} -> {to} by {actor:?}"
                    );
                    allowed += usize::from(got && from != to);
                }
                assert_eq!(
                    may_move(status(from), status(to), Standing::default()),
                    from == to,
                    "{from} -> {to} by a stranger"
                );
            }
        }
        // 5 cancellable statuses × 3 cancellers + the 14 (move, actor) pairs of rules 4–9.
        assert_eq!(allowed, 15 + 14);
    }

    #[test]
    fn statuses_are_stored_by_their_names() {
        let names: Vec<&str> = BookingStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, STATUSES);
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!(BookingStatus::parse("done"), None);
    }

    #[test]
    fn edits_assignment_and_visibility() {
        let editable: Vec<BookingStatus> = BookingStatus::ALL
            .into_iter()
            .filter(|s| s.is_editable())
            .collect();
        assert_eq!(
            editable,
            [BookingStatus::Requested, BookingStatus::Confirmed]
        );
        assert_eq!(
            BookingStatus::Requested.after_assign(),
            BookingStatus::Confirmed
        );
        assert_eq!(
            BookingStatus::Arrived.after_assign(),
            BookingStatus::Arrived
        );
        assert!(one(Owner).may_see() && one(Worker).may_see() && one(Admin).may_see());
        assert!(!one(Contractor).may_see());
        assert!(one(Contractor).may_assign() && one(Admin).may_assign());
        assert!(!one(Owner).may_assign() && !one(Worker).may_assign());
    }

    #[test]
    fn cash_first() {
        let terms = |requested: Option<&str>, enabled| {
            let t = payment_terms(requested.and_then(PaymentMethod::parse), enabled);
            (t.method.as_str(), t.status.as_str(), t.note)
        };
        assert_eq!(terms(None, false), ("cash", "n/a", None));
        assert_eq!(terms(Some("cash"), true), ("cash", "n/a", None));
        assert_eq!(
            terms(Some("online"), false),
            ("cash", "n/a", Some(CASH_FALLBACK_NOTE))
        );
        assert_eq!(terms(Some("online"), true), ("online", "pending", None));
        assert_eq!(terms(Some("none"), false), ("none", "n/a", None));
    }

    #[test]
    fn payment_names_read_back_as_stored() {
        for name in PaymentMethod::NAMES {
            assert_eq!(
                PaymentMethod::parse(name).map(PaymentMethod::as_str),
                Some(name)
            );
        }
        for name in BookingPayment::NAMES {
            assert_eq!(
                BookingPayment::parse(name).map(BookingPayment::as_str),
                Some(name)
            );
        }
    }
}
