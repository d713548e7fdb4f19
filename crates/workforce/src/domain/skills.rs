//! A worker's skills (DOMAIN §2.1): names compared as `hm_contracts::skills::key` makes them, and the
//! daily allowance of new ones.

/// New skills (names no service matched) one user may ask for in a day: a skill list is not a way to
/// write arbitrary text into the catalog.
pub const NEW_SKILLS_PER_DAY: usize = 5;

/// The names once each (by key), in the order first given.
pub fn distinct(names: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    for name in names {
        let key = hm_contracts::skills::key(name);
        if !wanted.iter().any(|w| hm_contracts::skills::key(w) == key) {
            wanted.push(name.clone());
        }
    }
    wanted
}

/// Whether the new skills `new` (names) keep a user within [`NEW_SKILLS_PER_DAY`], given the keys they
/// asked for today already.
pub fn within_daily_allowance<'a>(
    asked_today: &[String],
    new: impl IntoIterator<Item = &'a String>,
) -> bool {
    let mut asked = asked_today.to_vec();
    for key in new.into_iter().map(|name| hm_contracts::skills::key(name)) {
        if !asked.contains(&key) {
            asked.push(key);
        }
    }
    asked.len() <= NEW_SKILLS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn names_are_taken_once_by_key_in_order() {
        let given = names(&["Plumber", "electrician", "plumber"]);
        assert_eq!(distinct(&given), names(&["Plumber", "electrician"]));
    }

    #[test]
    fn at_most_five_new_skills_a_day() {
        let asked: Vec<String> = names(&["a", "b", "c", "d"])
            .iter()
            .map(|n| hm_contracts::skills::key(n))
            .collect();
        assert!(within_daily_allowance(&asked, &names(&["e", "a"])));
        assert!(!within_daily_allowance(&asked, &names(&["e", "f"])));
    }
}
