//! The little of tar that moving one file in and out of a container takes
//! (Docker's archive endpoints speak tar): one regular file written as an
//! archive, and the first regular file of an archive read out as it streams.

use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

const BLOCK: usize = 512;

/// A ustar header for a regular file.
pub fn header(name: &str, size: u64, mode: u32, uid: u32, gid: u32) -> [u8; BLOCK] {
    entry(name, size, mode, uid, gid, b'0')
}

/// A ustar header for a folder.
pub fn folder(name: &str, mode: u32, uid: u32, gid: u32) -> [u8; BLOCK] {
    entry(name, 0, mode, uid, gid, b'5')
}

/// The zeros that fill a file of `size` bytes to its last block.
pub fn padding(size: u64) -> Vec<u8> {
    vec![0u8; (BLOCK - (size as usize % BLOCK)) % BLOCK]
}

/// Appends a file (owned by uid/gid 999, as the engines' images run) to
/// an archive being made.
pub fn push_file(archive: &mut Vec<u8>, name: &str, bytes: &[u8]) {
    archive.extend_from_slice(&header(name, bytes.len() as u64, 0o644, 999, 999));
    archive.extend_from_slice(bytes);
    archive.extend_from_slice(&padding(bytes.len() as u64));
}

/// The two empty blocks that end an archive.
pub fn end() -> [u8; 2 * BLOCK] {
    [0u8; 2 * BLOCK]
}

fn entry(name: &str, size: u64, mode: u32, uid: u32, gid: u32, kind: u8) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let name = name.as_bytes();
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    let octal = |h: &mut [u8; BLOCK], at: usize, width: usize, value: u64| {
        let text = format!("{value:0w$o}\0", w = width - 1);
        h[at..at + width].copy_from_slice(text.as_bytes());
    };
    octal(&mut h, 100, 8, u64::from(mode));
    octal(&mut h, 108, 8, u64::from(uid));
    octal(&mut h, 116, 8, u64::from(gid));
    octal(&mut h, 124, 12, size);
    octal(&mut h, 136, 12, 0);
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    // The checksum is computed with its own field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

/// What ends an archive after a file of `size` bytes: the padding of its
/// last block and two empty blocks.
pub fn trailer(size: u64) -> Vec<u8> {
    let pad = (BLOCK - (size as usize % BLOCK)) % BLOCK;
    vec![0u8; pad + 2 * BLOCK]
}

fn field_number(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// Writes the first regular file of the archive `stream` into `out`;
/// returns its size. Extended headers before it are skipped.
pub async fn first_file<S, E, W>(mut stream: S, out: &mut W) -> Result<u64, String>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
    W: AsyncWrite + Unpin,
{
    let mut buf: Vec<u8> = Vec::new();
    // Fills `buf` to at least `n` bytes; false at the archive's end.
    async fn fill<S, E>(stream: &mut S, buf: &mut Vec<u8>, n: usize) -> Result<bool, String>
    where
        S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        while buf.len() < n {
            match stream.next().await {
                Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(format!("reading the archive: {e}")),
                None => return Ok(false),
            }
        }
        Ok(true)
    }
    loop {
        if !fill(&mut stream, &mut buf, BLOCK).await? {
            return Err("the archive holds no file".into());
        }
        let head: Vec<u8> = buf.drain(..BLOCK).collect();
        if head.iter().all(|b| *b == 0) {
            return Err("the archive holds no file".into());
        }
        let size = field_number(&head[124..136]).ok_or("a broken archive header")?;
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        match head[156] {
            b'0' | 0 => {
                let mut left = size;
                while left > 0 {
                    if buf.is_empty() && !fill(&mut stream, &mut buf, 1).await? {
                        return Err("the archive ended inside the file".into());
                    }
                    let take = (left as usize).min(buf.len());
                    out.write_all(&buf[..take])
                        .await
                        .map_err(|e| format!("writing the file: {e}"))?;
                    buf.drain(..take);
                    left -= take as u64;
                }
                out.flush()
                    .await
                    .map_err(|e| format!("writing the file: {e}"))?;
                return Ok(size);
            }
            _ => {
                // An extended header, a directory …: skipped.
                let skip = padded as usize;
                if !fill(&mut stream, &mut buf, skip).await? {
                    return Err("the archive ended early".into());
                }
                buf.drain(..skip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_goes_in_and_comes_out_the_same_in_odd_pieces() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut archive = Vec::new();
        archive.extend_from_slice(&header("dump.rdb", data.len() as u64, 0o644, 0, 0));
        archive.extend_from_slice(&data);
        archive.extend_from_slice(&trailer(data.len() as u64));
        assert_eq!(archive.len() % 512, 0);
        // GNU tar reads what is written.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.tar"), &archive).unwrap();
        let listed = std::process::Command::new("tar")
            .args(["-tvf", "a.tar"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(listed.status.success(), "{listed:?}");
        assert!(String::from_utf8_lossy(&listed.stdout).contains("70000"));
        let chunks: Vec<Result<bytes::Bytes, String>> = archive
            .chunks(333)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        let mut out = Vec::new();
        let size = first_file(futures_util::stream::iter(chunks), &mut out)
            .await
            .unwrap();
        assert_eq!(size, 70_000);
        assert_eq!(out, data);
        let empty: Vec<Result<bytes::Bytes, String>> = vec![Ok(vec![0u8; 1024].into())];
        assert!(
            first_file(futures_util::stream::iter(empty), &mut Vec::new())
                .await
                .is_err()
        );
    }
}
