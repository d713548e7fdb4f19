//! How many sockets each user holds on this replica, so one client (a reconnect loop, a script) cannot
//! take a replica's sockets for itself (`WS_MAX_PER_USER`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The sockets per user on this replica.
pub struct Seats {
    held: Mutex<HashMap<Uuid, usize>>,
    per_user: usize,
}

/// One socket's seat; dropping it frees the seat.
pub struct Seat {
    seats: Arc<Seats>,
    user: Uuid,
}

impl Seats {
    pub fn new(per_user: usize) -> Arc<Seats> {
        Arc::new(Seats {
            held: Mutex::new(HashMap::new()),
            per_user: per_user.max(1),
        })
    }

    /// A seat for one more socket of `user`, or `None` when they hold `per_user` already.
    pub fn take(self: &Arc<Self>, user: Uuid) -> Option<Seat> {
        let mut held = self.held.lock().ok()?;
        let count = held.entry(user).or_insert(0);
        if *count >= self.per_user {
            return None;
        }
        *count += 1;
        Some(Seat {
            seats: self.clone(),
            user,
        })
    }

    /// Sockets `user` holds here.
    pub fn of(&self, user: Uuid) -> usize {
        self.held
            .lock()
            .map(|h| h.get(&user).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let Ok(mut held) = self.seats.held.lock() {
            if let Some(count) = held.get_mut(&self.user) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&self.user);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_holds_at_most_their_seats_and_gets_them_back() {
        let seats = Seats::new(2);
        let (amit, ravi) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let first = seats.take(amit);
        let second = seats.take(amit);
        assert!(first.is_some() && second.is_some());
        assert!(seats.take(amit).is_none());
        assert!(seats.take(ravi).is_some(), "another user is not affected");
        drop(first);
        assert_eq!(seats.of(amit), 1);
        assert!(seats.take(amit).is_some());
        drop(second);
        assert_eq!(seats.of(ravi), 0);
    }
}
