//! The Redis rate limits of `hm_platform::redis` against the real Redis: `count_within` counts an
//! action in every counter or in none, `uncount` gives a count back, and an unreachable Redis lets the
//! action go ahead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_platform::redis::{count_within, pool, uncount, Keys};
use hm_platform::testing::{redis_prefix, redis_url};
use std::time::Duration;

#[tokio::test]
async fn count_within_counts_in_every_counter_or_in_none() {
    let redis = pool(&redis_url(), 2).unwrap();
    let keys = Keys::new(redis_prefix("platform"));
    let (phone, ip, other_phone) = (keys.key("phone"), keys.key("ip"), keys.key("other"));
    let minute = Duration::from_secs(60);
    let both = [(phone.as_str(), 1), (ip.as_str(), 2)];
    assert_eq!(count_within(&redis, &both, minute).await, None);
    // The phone's limit is reached: refused, and the IP's counter is not counted.
    assert_eq!(count_within(&redis, &both, minute).await, Some(0));
    let other = [(other_phone.as_str(), 1), (ip.as_str(), 2)];
    assert_eq!(count_within(&redis, &other, minute).await, None);
    // Now the IP's limit is reached whatever the phone.
    let third = keys.key("third");
    let third = [(third.as_str(), 1), (ip.as_str(), 2)];
    assert_eq!(count_within(&redis, &third, minute).await, Some(1));
    // A count given back makes room again, and a counter never goes below zero.
    uncount(&redis, &[phone.as_str(), ip.as_str()]).await;
    uncount(&redis, &[phone.as_str()]).await;
    assert_eq!(count_within(&redis, &both, minute).await, None);
    assert_eq!(count_within(&redis, &both, minute).await, Some(0));
}

#[tokio::test]
async fn a_counter_lives_for_its_window_and_redis_down_lets_actions_through() {
    let redis = pool(&redis_url(), 2).unwrap();
    let keys = Keys::new(redis_prefix("platform"));
    let key = keys.key("short");
    let limit = [(key.as_str(), 1)];
    let window = Duration::from_millis(300);
    assert_eq!(count_within(&redis, &limit, window).await, None);
    assert_eq!(count_within(&redis, &limit, window).await, Some(0));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(count_within(&redis, &limit, window).await, None);

    // Nothing listens on port 9: every action goes ahead.
    let down = pool("redis://127.0.0.1:9/0", 1).unwrap();
    for _ in 0..3 {
        assert_eq!(count_within(&down, &limit, window).await, None);
    }
    uncount(&down, &[key.as_str()]).await;
}
