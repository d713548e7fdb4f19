//! OTP challenges and the request-otp rate limits, in Redis (DOMAIN §1.2). Each multi-key decision is one
//! Lua script, so concurrent requests cannot both slip under a limit or both consume one code.

use crate::domain::otp::{Failure, Limited};
use deadpool_redis::redis::{self, AsyncCommands, Script};
use deadpool_redis::Connection;
use hm_platform::redis::Keys;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use uuid::Uuid;

/// A code sent to a phone, kept as its hash until it is used, burned or expires.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub phone: String,
    pub otp_hash: String,
    pub role: String,
}

/// The request-otp limits (`OTP_RATE_LIMIT_*`).
pub struct Limits {
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_ip_hour: u32,
}

/// Checks the three counters and, if all are under their limits, counts this request in each.
/// Windows are fixed and start at the first counted request (incrementing keeps the TTL).
static RESERVE: Lazy<Script> = Lazy::new(|| {
    Script::new(
        r"
        local limits = {tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])}
        local ttls = {60, 3600, 3600}
        for i = 1, 3 do
            if tonumber(redis.call('GET', KEYS[i]) or '0') >= limits[i] then return i end
        end
        for i = 1, 3 do
            if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ttls[i]) end
        end
        return 0
        ",
    )
});

/// Gives back a reserved slot (the SMS could not be handed over, so the request did not count).
static RELEASE: Lazy<Script> = Lazy::new(|| {
    Script::new(
        r"
        for i = 1, #KEYS do
            if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
        end
        return 0
        ",
    )
});

/// Counts a failed attempt on a live challenge; burns it at the limit. -1 = no such challenge.
static FAIL: Lazy<Script> = Lazy::new(|| {
    Script::new(
        r"
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        if n >= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
        return n
        ",
    )
});

fn limit_keys(keys: &Keys, phone: &str, ip: &str) -> [String; 3] {
    [
        keys.key(format_args!("rate:otp:min:{phone}")),
        keys.key(format_args!("rate:otp:hour:{phone}")),
        keys.key(format_args!("rate:otp:ip:{ip}")),
    ]
}

fn challenge_key(keys: &Keys, request_id: Uuid) -> String {
    keys.key(format_args!("otp:{request_id}"))
}

/// Counts this request against the limits unless one is reached: the limit reached, if any.
pub async fn reserve(
    conn: &mut Connection,
    keys: &Keys,
    phone: &str,
    ip: &str,
    limits: &Limits,
) -> redis::RedisResult<Option<Limited>> {
    let [min, hour, per_ip] = limit_keys(keys, phone, ip);
    let verdict: i64 = RESERVE
        .key(min)
        .key(hour)
        .key(per_ip)
        .arg(limits.per_minute)
        .arg(limits.per_hour)
        .arg(limits.per_ip_hour)
        .invoke_async(conn)
        .await?;
    Ok(match verdict {
        1 => Some(Limited::Minute),
        2 => Some(Limited::Hour),
        3 => Some(Limited::Ip),
        _ => None,
    })
}

/// Gives back the slot [`reserve`] took.
pub async fn release(
    conn: &mut Connection,
    keys: &Keys,
    phone: &str,
    ip: &str,
) -> redis::RedisResult<()> {
    let [min, hour, per_ip] = limit_keys(keys, phone, ip);
    RELEASE
        .key(min)
        .key(hour)
        .key(per_ip)
        .invoke_async::<i64>(conn)
        .await
        .map(|_| ())
}

/// Keeps the challenge for `ttl_secs`.
pub async fn store(
    conn: &mut Connection,
    keys: &Keys,
    request_id: Uuid,
    challenge: &Challenge,
    ttl_secs: u64,
) -> redis::RedisResult<()> {
    let key = challenge_key(keys, request_id);
    redis::pipe()
        .atomic()
        .hset_multiple(
            &key,
            &[
                ("phone", challenge.phone.as_str()),
                ("otp_hash", challenge.otp_hash.as_str()),
                ("role", challenge.role.as_str()),
                ("attempts", "0"),
            ],
        )
        .expire(&key, i64::try_from(ttl_secs).unwrap_or(300))
        .query_async::<()>(conn)
        .await
}

/// The live challenge of `request_id`, if any.
pub async fn load(
    conn: &mut Connection,
    keys: &Keys,
    request_id: Uuid,
) -> redis::RedisResult<Option<Challenge>> {
    let mut fields: HashMap<String, String> = conn.hgetall(challenge_key(keys, request_id)).await?;
    let (Some(phone), Some(otp_hash)) = (fields.remove("phone"), fields.remove("otp_hash")) else {
        return Ok(None);
    };
    Ok(Some(Challenge {
        phone,
        otp_hash,
        role: fields.remove("role").unwrap_or_default(),
    }))
}

/// Consumes the challenge; `true` only for the one caller that actually removed it.
pub async fn consume(
    conn: &mut Connection,
    keys: &Keys,
    request_id: Uuid,
) -> redis::RedisResult<bool> {
    let removed: i64 = conn.del(challenge_key(keys, request_id)).await?;
    Ok(removed == 1)
}

/// Removes the challenge (its code could not be sent).
pub async fn discard(
    conn: &mut Connection,
    keys: &Keys,
    request_id: Uuid,
) -> redis::RedisResult<()> {
    consume(conn, keys, request_id).await.map(|_| ())
}

/// Counts a wrong code on the challenge; burns it at `max_attempts`.
pub async fn record_failure(
    conn: &mut Connection,
    keys: &Keys,
    request_id: Uuid,
    max_attempts: u32,
) -> redis::RedisResult<Failure> {
    let attempts: i64 = FAIL
        .key(challenge_key(keys, request_id))
        .arg(max_attempts)
        .invoke_async(conn)
        .await?;
    Ok(match attempts {
        n if n < 0 => Failure::Gone,
        n if n >= i64::from(max_attempts) => Failure::Burned,
        _ => Failure::Counted,
    })
}
