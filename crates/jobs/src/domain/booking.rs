//! Bookings (DOMAIN §4.3): the cash-first payment rule and the status machine, as tables.

pub const STATUSES: [&str; 7] = [
    "requested",
    "confirmed",
    "on_the_way",
    "arrived",
    "completed",
    "cancelled",
    "payment_pending",
];

pub const PAYMENT_METHODS: [&str; 3] = ["cash", "online", "none"];

pub const CASH_FALLBACK_NOTE: &str = "Online payments disabled - auto-converted to cash";

/// How a new booking is paid: `(payment_method, payment_status, payment_note)`.
pub fn payment_terms(
    requested: Option<&str>,
    payments_enabled: bool,
) -> (&'static str, &'static str, Option<&'static str>) {
    match requested {
        Some("online") if payments_enabled => ("online", "pending", None),
        Some("online") => ("cash", "n/a", Some(CASH_FALLBACK_NOTE)),
        Some("none") => ("none", "n/a", None),
        _ => ("cash", "n/a", None),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Owner,
    Worker,
    Contractor,
    Admin,
}

use Actor::{Admin, Contractor, Owner, Worker};

/// `(from, to, who)`: every move the machine allows besides cancelling (rules 4–9).
const MOVES: [(&str, &str, &[Actor]); 6] = [
    ("requested", "confirmed", &[Contractor, Admin, Owner]),
    ("confirmed", "on_the_way", &[Worker, Contractor, Admin]),
    ("confirmed", "payment_pending", &[Contractor, Admin]),
    ("on_the_way", "arrived", &[Worker]),
    ("arrived", "completed", &[Worker, Contractor, Admin]),
    ("payment_pending", "completed", &[Contractor, Admin]),
];

/// Who may cancel a booking that is not finished (rule 3).
const CANCELLERS: &[Actor] = &[Owner, Contractor, Admin];

pub fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "cancelled")
}

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
pub fn may_move(from: &str, to: &str, standing: Standing) -> bool {
    if from == to {
        return true;
    }
    if is_terminal(from) {
        return false;
    }
    if to == "cancelled" {
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
                    let got = may_move(from, to, one(actor));
                    assert_eq!(
                        got,
                        expected(from, to, actor),
                        "{from} -> {to} by {actor:?}"
                    );
                    allowed += usize::from(got && from != to);
                }
                assert_eq!(
                    may_move(from, to, Standing::default()),
                    from == to,
                    "{from} -> {to} by a stranger"
                );
            }
        }
        // 5 cancellable statuses × 3 cancellers + the 14 (move, actor) pairs of rules 4–9.
        assert_eq!(allowed, 15 + 14);
    }

    #[test]
    fn cash_first() {
        assert_eq!(payment_terms(None, false), ("cash", "n/a", None));
        assert_eq!(payment_terms(Some("cash"), true), ("cash", "n/a", None));
        assert_eq!(
            payment_terms(Some("online"), false),
            ("cash", "n/a", Some(CASH_FALLBACK_NOTE))
        );
        assert_eq!(
            payment_terms(Some("online"), true),
            ("online", "pending", None)
        );
        assert_eq!(payment_terms(Some("none"), false), ("none", "n/a", None));
    }
}
