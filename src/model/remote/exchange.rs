//! One HTTP exchange on a thread of its own, relayed line by line over a channel, so
//! the caller can give up on a silent server at once (timeout, cancellation). When
//! the caller drops the receiver, the thread stops at the next line and its dropped
//! response closes the connection.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use ureq::Agent;

/// Longest line relayed; a whole JSON answer can be one line.
const MAX_LINE: u64 = 16 << 20;

/// Lines buffered ahead of the caller.
const QUEUE: usize = 256;

pub enum Event {
    /// The response's status, and whether its body is an event stream.
    Head {
        status: u16,
        event_stream: bool,
    },
    /// One line of the body, without its line ending.
    Line(String),
    End,
    /// No response: the request could not be sent or answered.
    Failed(ureq::Error),
    /// The body broke off.
    Broken(io::Error),
}

pub struct Post {
    pub agent: Agent,
    pub url: String,
    pub api_key: Option<String>,
    pub body: Vec<u8>,
}

/// Starts the exchange; its events end with `End`, `Failed` or `Broken`.
pub fn start(post: Post) -> io::Result<Receiver<Event>> {
    let (events, receiver) = sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("scholia-remote-generator".into())
        .spawn(move || run(post, &events))?;
    Ok(receiver)
}

fn run(post: Post, events: &SyncSender<Event>) {
    let mut request = post
        .agent
        .post(&post.url)
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream, application/json");
    if let Some(key) = &post.api_key {
        request = request.header("Authorization", &format!("Bearer {key}"));
    }
    let response = match request.send(&post.body[..]) {
        Ok(response) => response,
        Err(e) => {
            let _ = events.send(Event::Failed(e));
            return;
        }
    };
    let event_stream = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    let head = Event::Head { status: response.status().as_u16(), event_stream };
    if events.send(head).is_err() {
        return;
    }
    let mut body = BufReader::new(response.into_body().into_reader());
    let last = loop {
        match read_line(&mut body) {
            Ok(Some(line)) => {
                if events.send(Event::Line(line)).is_err() {
                    return;
                }
            }
            Ok(None) => break Event::End,
            Err(e) => break Event::Broken(e),
        }
    };
    let _ = events.send(last);
}

/// The next line without `\n` or `\r\n`; `None` at the end of the body.
fn read_line(body: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    body.take(MAX_LINE + 1).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() as u64 > MAX_LINE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "a line longer than 16 MiB"));
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_their_endings_and_the_last_may_lack_one() {
        let mut body = BufReader::new("a\r\nb\n\nc".as_bytes());
        let mut lines = Vec::new();
        while let Some(line) = read_line(&mut body).unwrap() {
            lines.push(line);
        }
        assert_eq!(lines, ["a", "b", "", "c"]);
    }
}
