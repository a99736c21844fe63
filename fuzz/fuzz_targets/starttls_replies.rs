#![no_main]
//! The STARTTLS reply parsers fed arbitrary server bytes: SMTP and FTP multi-line replies
//! (line by line, as the async reader hands them over), IMAP response lines and their
//! capability lists, POP3 status and multi-line lines.
use libfuzzer_sys::fuzz_target;
use mamori_net::starttls::{
    imap_capabilities, parse_code_line, parse_imap_line, pop3_multiline, pop3_status, sanitize,
    CodeReplyParser,
};

fuzz_target!(|data: &[u8]| {
    for ftp in [false, true] {
        let mut parser = CodeReplyParser::new(ftp);
        for line in data.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match parser.line(line) {
                Ok(None) => {}
                Ok(Some(reply)) => {
                    assert!(!reply.lines.is_empty());
                    break;
                }
                Err(_) => break,
            }
        }
    }
    for line in data.split(|&b| b == b'\n') {
        let _ = parse_code_line(line);
        if let Some(l) = parse_imap_line(line) {
            let _ = imap_capabilities(&l);
        }
        let _ = pop3_status(line);
        let _ = pop3_multiline(line);
    }
    let _ = sanitize(data, 300);
});
