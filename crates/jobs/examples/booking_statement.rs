//! Prints the one statement jobs sends to create a booking (`store::bookings::CREATE`, parameters
//! `$1`…`$16`), so that `make bench-bookings` runs exactly it with pgbench as the database's own limit.

fn main() {
    println!("{}", hm_jobs::store::bookings::CREATE);
}
