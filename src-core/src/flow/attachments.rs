//! Files sent with a user message. A text file's text goes to the model
//! inside the message, named; an image goes as a picture (OpenAI's
//! `image_url` part with a data URL, Anthropic's base64 `image` block). What
//! a file is comes from its bytes, never its name: PNG, JPEG, GIF and WebP
//! by their signatures, text when it is UTF-8 without NUL bytes; anything
//! else is refused with why, before anything is stored.

use crate::error::{Error, Result};
use ai_desktop_api::flow::{AttachmentInput, FlowAttachment};
use base64::Engine;

/// Files per message, at most.
pub const MAX_FILES: usize = 10;
/// Bytes of one text file, at most (a model's context is the real limit).
pub const MAX_TEXT: usize = 256 * 1024;
/// Bytes of one image, at most (Anthropic's limit per image).
pub const MAX_IMAGE: usize = 5 * 1024 * 1024;
/// Bytes of one message's files together, at most.
pub const MAX_TOTAL: usize = 20 * 1024 * 1024;

/// An attachment checked: what the message lists, and its bytes.
pub(super) struct Checked {
    pub meta: FlowAttachment,
    pub data: Vec<u8>,
}

/// The image type of `bytes` by its signature, if it is one models take.
pub fn image_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn bad(message: String) -> Error {
    Error::InvalidInput(message)
}

/// Checks what the page sent: names, sizes, kinds; nothing is stored when
/// one file is refused.
pub(super) fn check(inputs: &[AttachmentInput]) -> Result<Vec<Checked>> {
    if inputs.len() > MAX_FILES {
        return Err(bad(format!(
            "At most {MAX_FILES} files go with one message; this one has {}.",
            inputs.len()
        )));
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        // The file's own name, not a path the page may have been given.
        let name = input
            .name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(bad(format!(
                "\"{}\" is not a file name to attach (one line, at most 200 characters).",
                input.name.chars().take(60).collect::<String>()
            )));
        }
        let data = base64::engine::general_purpose::STANDARD
            .decode(input.data.trim())
            .map_err(|_| {
                bad(format!(
                    "{name} did not arrive whole (its data is not base64)."
                ))
            })?;
        if data.is_empty() {
            return Err(bad(format!("{name} is empty.")));
        }
        total += data.len();
        if total > MAX_TOTAL {
            return Err(bad(format!(
                "The files of one message may hold {} MB together; these hold more.",
                MAX_TOTAL / (1024 * 1024)
            )));
        }
        let mime = match image_mime(&data) {
            Some(mime) => {
                if data.len() > MAX_IMAGE {
                    return Err(bad(format!(
                        "{name} is {:.1} MB; images may be {} MB at most.",
                        data.len() as f64 / (1024.0 * 1024.0),
                        MAX_IMAGE / (1024 * 1024)
                    )));
                }
                mime
            }
            None => {
                if std::str::from_utf8(&data).is_err() || data.contains(&0) {
                    return Err(bad(format!(
                        "{name} is neither text nor a PNG, JPEG, GIF or WebP image."
                    )));
                }
                if data.len() > MAX_TEXT {
                    return Err(bad(format!(
                        "{name} is {} KB; text files may be {} KB at most.",
                        data.len() / 1024,
                        MAX_TEXT / 1024
                    )));
                }
                "text/plain"
            }
        };
        out.push(Checked {
            meta: FlowAttachment {
                name,
                mime: mime.to_string(),
                size: data.len() as u64,
            },
            data,
        });
    }
    Ok(out)
}

/// A text file as it goes to the model, after the message's text.
pub(super) fn text_block(name: &str, text: &str) -> String {
    format!(
        "<file name=\"{}\">\n{}\n</file>",
        name.replace('"', "'"),
        text.trim_end()
    )
}

/// Bytes as base64 (what the APIs and the page take).
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, bytes: &[u8]) -> AttachmentInput {
        AttachmentInput {
            name: name.into(),
            data: encode(bytes),
        }
    }

    #[test]
    fn kinds_come_from_the_bytes_and_bad_files_are_refused_with_why() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let ok = check(&[
            input("notes.md", "# Notes\nçà\n".as_bytes()),
            // A PNG named .txt is an image; a path is cut to its name.
            input("/home/u/shot.txt", png),
            input("c.webp", b"RIFF\0\0\0\0WEBPVP8 "),
        ])
        .unwrap();
        let metas: Vec<_> = ok
            .iter()
            .map(|c| (c.meta.name.as_str(), c.meta.mime.as_str()))
            .collect();
        assert_eq!(
            metas,
            [
                ("notes.md", "text/plain"),
                ("shot.txt", "image/png"),
                ("c.webp", "image/webp")
            ]
        );
        assert_eq!(ok[1].data, png);
        for (inputs, why) in [
            (vec![input("a.bin", b"\0\x01\x02")], "neither text nor"),
            (vec![input("latin1.txt", b"caf\xe9")], "neither text nor"),
            (vec![input("empty.txt", b"")], "is empty"),
            (vec![input("", b"x")], "not a file name"),
            (
                vec![input("big.txt", &vec![b'a'; MAX_TEXT + 1])],
                "256 KB at most",
            ),
            (
                (0..11).map(|i| input(&format!("{i}.txt"), b"x")).collect(),
                "At most 10",
            ),
            (
                vec![AttachmentInput {
                    name: "x.txt".into(),
                    data: "%%%".into(),
                }],
                "not base64",
            ),
        ] {
            let e = check(&inputs)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
    }
}
