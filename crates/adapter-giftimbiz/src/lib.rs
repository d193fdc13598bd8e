//! The giftimbiz adapter (filled in by its own issue).
