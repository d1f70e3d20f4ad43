//! How long a waiting citizen should expect to wait.
//!
//! A first, plain estimate: the people ahead, shared among the counters that serve the
//! field, each taking the field's typical service time (today's recent mean once the day
//! has some, the configured figure before that).

/// Minutes until a ticket with `ahead` people before it is called.
pub fn wait_minutes(ahead: u32, counters: u32, service_minutes: f64) -> u32 {
    if ahead == 0 {
        return 0;
    }
    let counters = f64::from(counters.max(1));
    let minutes = f64::from(ahead) * service_minutes.max(0.5) / counters;
    minutes.ceil().min(f64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_of_the_queue_waits_nothing() {
        assert_eq!(wait_minutes(0, 2, 10.0), 0);
    }

    #[test]
    fn people_ahead_are_shared_among_counters() {
        assert_eq!(wait_minutes(6, 2, 10.0), 30);
        assert_eq!(wait_minutes(5, 2, 3.0), 8);
        // No counter open yet: counted as one.
        assert_eq!(wait_minutes(3, 0, 4.0), 12);
    }
}
