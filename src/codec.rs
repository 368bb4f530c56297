//! The length-prefixed binary layout that the relay's wire frames and the store's
//! journal share: every integer big-endian, text and bytes prefixed by their length,
//! headers as a count and then each name and value (names keep their case, values
//! their bytes: one that was not UTF-8 comes back as it went).

use crate::envelope::HeaderList;
use crate::envelope::headers::{value_from_bytes, value_to_bytes};

/// Why bytes could not be read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// Appends headers: a `u32` count, then per header a `u16` name and a `u32` value.
pub fn put_headers(out: &mut Vec<u8>, headers: &HeaderList) {
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    for (n, v) in headers.iter() {
        let v = value_to_bytes(v);
        out.extend_from_slice(&(n.len().min(u16::MAX as usize) as u16).to_be_bytes());
        out.extend_from_slice(&n.as_bytes()[..n.len().min(u16::MAX as usize)]);
        put_bytes32(out, &v);
    }
}

/// Appends text of at most 65,535 bytes (longer is cut, on a character boundary).
pub fn put_text16(out: &mut Vec<u8>, text: &str) {
    let mut n = text.len().min(u16::MAX as usize);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&text.as_bytes()[..n]);
}

/// Appends bytes of at most 4 GiB less one (callers bound what they hold far below).
pub fn put_bytes32(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len().min(u32::MAX as usize);
    out.extend_from_slice(&(n as u32).to_be_bytes());
    out.extend_from_slice(&bytes[..n]);
}

/// A cursor over bytes written with the `put_` functions.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if self.0.len() < n {
            return Err(Malformed("it ends early"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    pub fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from_be_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    pub fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub fn u64(&mut self) -> Result<u64, Malformed> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    pub fn text16(&mut self) -> Result<String, Malformed> {
        let n = self.u16()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| Malformed("a name is not text"))
    }
    pub fn bytes32(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub fn headers(&mut self) -> Result<HeaderList, Malformed> {
        let n = self.u32()? as usize;
        // Each header takes six bytes at least: a count past that is a lie.
        if n > self.0.len() / 6 {
            return Err(Malformed("the header count is more than it holds"));
        }
        let mut h = HeaderList::with_capacity(n);
        for _ in 0..n {
            let name = self.text16()?;
            let value = value_from_bytes(self.bytes32()?).into_owned();
            h.push(name, value);
        }
        Ok(h)
    }
    pub fn end(&self) -> Result<(), Malformed> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Malformed("bytes follow its end"))
        }
    }
}
