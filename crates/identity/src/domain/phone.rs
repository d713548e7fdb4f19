use once_cell::sync::Lazy;
use regex::Regex;

/// `^\+?1?\d{9,15}$` (API §3.1): optional `+`, optional `1`, then 9–15 digits. Not normalised. The
/// digits are ASCII `0-9` only: `\d` of the `regex` crate is Unicode, and `+९१९८…` would name the same
/// number as `+9198…` under another spelling (a second account, a second OTP limit).
static PHONE: Lazy<Option<Regex>> = Lazy::new(|| Regex::new(r"^\+?1?[0-9]{9,15}$").ok());

pub const MAX_LEN: usize = 15;
pub const FORMAT_MESSAGE: &str =
    "Phone number must be entered in the format: '+999999999'. Up to 15 digits allowed.";

pub fn is_valid(phone: &str) -> bool {
    PHONE.as_ref().is_some_and(|re| re.is_match(phone))
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn accepts_the_spec_pattern_only() {
        for ok in [
            "+919876543210",
            "919876543210",
            "123456789",
            "+1123456789012345",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "+91 98765",
            "12345678",
            "+91987654321a",
            "++919876543210",
            "98765432101234567",
            "+९१९८५८८६१७६०",
            "+９１９８５８８６１７６０",
            "+٩١٩٨٥٨٨٦١٧٦٠",
            "+91985886176\u{0}",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
