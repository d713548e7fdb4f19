//! How a skill's name is compared, everywhere (DOMAIN §2.1, ARCHITECTURE §12.2): trimmed, inner
//! whitespace collapsed, lower-cased. `"  PLUMBING "`, `"Plumbing"` and `"plumbing"` are one key; a
//! service matches a key by its name, slug, an alias or its English title.

/// The comparison key of a skill or service name.
pub fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_compare_trimmed_collapsed_and_lower_cased() {
        assert_eq!(super::key("  PLUMBING "), "plumbing");
        assert_eq!(super::key("Tile   Worker"), "tile worker");
        assert_eq!(super::key("\tElectrician\n"), "electrician");
        assert_eq!(super::key(""), "");
    }
}
