//! Printed tickets: a ticket in, the ESC/POS byte stream out, and the transports
//! that carry it to a thermal printer. Knows nothing of HTTP or the database.
//!
//! Empty for now: the hall server comes first.
