//! Turning file bytes into text without losing anything or panicking.

/// Result of decoding a file from disk.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    Utf8(String),
    /// Not valid UTF-8: read as Latin-1 (ISO 8859-1), which every byte string is.
    Latin1(String),
    /// Contains NUL bytes: a binary file, not text.
    Binary,
}

impl Decoded {
    pub fn text(self) -> Option<String> {
        match self {
            Decoded::Utf8(s) | Decoded::Latin1(s) => Some(s),
            Decoded::Binary => None,
        }
    }
}

/// Decodes file contents: UTF-8 (a BOM is dropped), else Latin-1; NUL bytes mean binary.
pub fn decode(bytes: &[u8]) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Decoded::Binary;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded::Utf8(s.to_owned()),
        Err(_) => Decoded::Latin1(bytes.iter().map(|&b| b as char).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_latin1_and_binary() {
        assert_eq!(decode("café".as_bytes()), Decoded::Utf8("café".into()));
        assert_eq!(decode(b"caf\xe9"), Decoded::Latin1("café".into()));
        assert_eq!(decode(b"\xEF\xBB\xBFx"), Decoded::Utf8("x".into()));
        assert_eq!(decode(b"\x7fELF\0\0"), Decoded::Binary);
    }
}
