//! Analytics' pure rules (DOMAIN §6, API §12): what an event is and how it is measured, which days a
//! report covers, how a row reads in the export. No I/O.

pub mod event;
pub mod report;
