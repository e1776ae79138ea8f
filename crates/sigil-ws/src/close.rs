//! Close codes and close frames (RFC 6455 §5.5.1, §7.4), validated once, when built.

use crate::error::WsError;
use crate::frame::MAX_CONTROL_PAYLOAD;

/// Largest close reason: a close frame's payload is the 2-byte code plus the reason.
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// A close code an endpoint may put in a close frame: 1000–1003, 1007–1014 or
/// 3000–4999 (RFC 6455 §7.4 and the IANA registry). 1005 and 1006 only describe a
/// close locally and never travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseCode(u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: CloseCode = CloseCode(1000);

    /// The code, if it may be sent; any other integer is [`WsError::InvalidInput`].
    pub fn new(code: impl Into<i64>) -> Result<CloseCode, WsError> {
        let code = code.into();
        match u16::try_from(code) {
            Ok(c @ (1000..=1003 | 1007..=1014 | 3000..=4999)) => Ok(CloseCode(c)),
            _ => Err(WsError::InvalidInput(format!(
                "close code {code} may not be sent (use 1000-1003, 1007-1014 or 3000-4999)"
            ))),
        }
    }

    /// The numeric code.
    pub fn get(self) -> u16 {
        self.0
    }
}

/// The payload of a close frame we send: a code and a reason of at most
/// [`MAX_CLOSE_REASON`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    code: CloseCode,
    reason: String,
}

impl CloseFrame {
    /// A close frame with `code` and `reason`, checking both.
    pub fn new(code: impl Into<i64>, reason: &str) -> Result<CloseFrame, WsError> {
        let code = CloseCode::new(code)?;
        if reason.len() > MAX_CLOSE_REASON {
            return Err(WsError::InvalidInput(format!(
                "close reason longer than {MAX_CLOSE_REASON} bytes"
            )));
        }
        Ok(CloseFrame {
            code,
            reason: reason.to_string(),
        })
    }

    /// A close frame for a failure: `reason` is cut (on a character boundary) to fit.
    pub(crate) fn truncated(code: CloseCode, reason: &str) -> CloseFrame {
        let mut end = reason.len().min(MAX_CLOSE_REASON);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        CloseFrame {
            code,
            reason: reason[..end].to_string(),
        }
    }

    /// The close code.
    pub fn code(&self) -> CloseCode {
        self.code
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The frame payload: the code in two big-endian bytes, then the reason.
    pub fn payload(&self) -> Vec<u8> {
        let mut payload = Vec::with_capacity(2 + self.reason.len());
        payload.extend_from_slice(&self.code.0.to_be_bytes());
        payload.extend_from_slice(self.reason.as_bytes());
        payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for ok in [1000, 1003, 1007, 1014, 3000, 4999] {
            assert_eq!(CloseCode::new(ok).unwrap().get(), ok as u16);
        }
        for bad in [-1, 0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535, 70000] {
            let e = CloseCode::new(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("close code {bad} may not")), "{e}");
        }
    }

    #[test]
    fn frames() {
        let f = CloseFrame::new(4000, "bye").unwrap();
        assert_eq!(f.payload(), [0x0f, 0xa0, b'b', b'y', b'e']);
        assert!(CloseFrame::new(1000, &"x".repeat(123)).is_ok());
        let e = CloseFrame::new(1000, &"x".repeat(124)).unwrap_err();
        assert!(e.to_string().contains("123"), "{e}");
        assert!(CloseFrame::new(1005, "").is_err());
        let cut = CloseFrame::truncated(CloseCode::NORMAL, &"é".repeat(100));
        assert_eq!(cut.reason().len(), 122);
    }
}
