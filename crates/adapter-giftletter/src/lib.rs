//! The giftletter adapter (filled in by its own issue).
