#![no_main]
//! The stdin guard: any byte stream yields frames the transport can decode, and never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut reader = std::io::BufReader::new(bytes);
    while let Some(frame) = scholia::server::framing::next_frame(&mut reader) {
        let text = std::str::from_utf8(&frame).expect("header is ASCII");
        let (header, body) = text.split_once("\r\n\r\n").expect("framed");
        let length: usize = header.trim_start_matches("Content-Length: ").parse().unwrap();
        assert_eq!(length, body.len());
        let value: serde_json::Value = serde_json::from_str(body).expect("body is JSON");
        assert!(value.is_object());
    }
});
