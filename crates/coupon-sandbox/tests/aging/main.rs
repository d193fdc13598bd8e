//! Ageing a campaign over real HTTP on loopback (`POST /_sandbox/age`, `GET
//! /_sandbox/records/{vendor}`): every section changes what the vendor's own endpoints
//! answer, the records count cancels, and bad input is refused naming its field.

mod giftimbiz;
mod giftishow;
mod giftletter;
mod input;
mod support;
