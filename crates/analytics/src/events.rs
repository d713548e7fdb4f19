//! What analytics publishes and consumes: nothing. Its events come from the apps over HTTP (API §12.1);
//! it announces none and keeps no projection (a user id is stored as sent in the token).

/// The routing keys analytics' queue is bound to: none.
pub const CONSUMED: [&str; 0] = [];
