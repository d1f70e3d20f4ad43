//! The staffing planner: how many counters of which field to open in which hour.
//!
//! - [`forecast`]: arrivals per field and hour of a coming day from the same weekdays of
//!   the last weeks (closed days, the days around Tết and month ends handled, bookings
//!   made added), handling times and patience from the hall's own visits.
//! - [`erlang`]: the queueing formulas, Erlang C (nobody gives up) and Erlang A (citizens
//!   give up after a patience), as the first answer for one field and one hour.
//! - [`simulate`]: a hall's day in memory, counters per hour as a plan says, calling by the
//!   hall's own rule: the check of the first answer, shared counters included.
//! - [`staffing`]: the counters to open per field and hour: Erlang's first answer, fields
//!   that can share a counter, then corrected on the simulated day until it holds.
//!
//! No I/O and no clock: the hall's history comes in as the figures' visits, and every
//! random draw of the simulator comes from a seed.

pub mod erlang;
pub mod forecast;
pub mod simulate;
pub mod staffing;
