//! Faults that single out one segment of a run: the inspector's Drop, Delay and Duplicate,
//! and the Act bar's "lose the next segment". Each is a fault statement for the scenario,
//! counted as the simulator counts matching segments, so that a replay hits exactly that one.

use crate::scenario::{Fault, FaultEffect, Scenario};
use crate::time::Duration;
use crate::trace::{SegId, Sent, Trace};

/// What the inspector's buttons do: lose it, hold it back a second, or deliver it twice
/// (the copy 100 ms after the original).
pub fn effect_named(name: &str) -> Result<FaultEffect, String> {
    match name {
        "drop" => Ok(FaultEffect::Drop),
        "delay" => Ok(FaultEffect::Delay(Duration::from_secs(1))),
        "dup" => Ok(FaultEffect::Duplicate(Duration::from_millis(100))),
        _ => Err(format!("a fault is drop, delay or dup, not `{name}`")),
    }
}

/// The fault that hits exactly this segment: `drop A->B nth=N flags=F len=L`, where N counts
/// the segments from A to B with the same flags and length up to this one, as faults count
/// them. `None` for a segment not between two of the scenario's hosts.
pub fn fault_for(trace: &Trace, seg_id: SegId, effect: FaultEffect) -> Option<Fault> {
    let sent = || trace.sent_segments().map(|(_, s)| s);
    let this = sent().find(|s| s.id == seg_id)?;
    let (from, to) = (trace.host_of(this.src)?, trace.host_of(this.dst)?);
    let key = |s: &Sent| (s.src, s.dst, s.seg.flags, s.seg.len);
    // Segment ids are unique: the ones before this are the ones sent before it.
    let before = sent().take_while(|s| s.id != seg_id);
    let nth = 1 + before.filter(|s| key(s) == key(this)).count() as u32;
    Some(Fault {
        effect,
        from: trace.hosts[from].name.clone(),
        to: trace.hosts[to].name.clone(),
        nth: Some(nth),
        flags: Some(this.seg.flags),
        len: Some(this.seg.len),
    })
}

/// The fault that loses the next segment `host` sends to its peer: the host its latest
/// segment went to, or else the first host linked to it. `None` if it has no peer.
pub fn lose_next(trace: &Trace, scenario: &Scenario, host: &str) -> Option<Fault> {
    let h = trace.hosts.iter().position(|x| x.name == host)?;
    let addr = trace.hosts[h].addr;
    let sends = || {
        (trace.sent_segments())
            .map(|(_, s)| s)
            .filter(move |s| s.src == addr)
    };
    let peer = sends()
        .filter_map(|s| trace.host_of(s.dst))
        .next_back()
        .map(|p| trace.hosts[p].name.clone())
        .or_else(|| {
            scenario.links.iter().find_map(|l| {
                (l.a == host)
                    .then(|| l.b.clone())
                    .or_else(|| (l.b == host).then(|| l.a.clone()))
            })
        })?;
    let peer_addr = trace.hosts.iter().find(|x| x.name == peer)?.addr;
    let sent = sends().filter(|s| s.dst == peer_addr).count() as u32;
    Some(Fault {
        effect: FaultEffect::Drop,
        from: host.to_string(),
        to: peer,
        nth: Some(sent + 1),
        flags: None,
        len: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Preset;
    use crate::sim::Sim;
    use crate::trace::EventKind;

    fn run(scenario: &Scenario) -> Sim {
        let mut sim = Sim::new(scenario);
        sim.run_to_end();
        sim
    }

    fn dropped(sim: &Sim) -> Vec<SegId> {
        (sim.trace().events.iter())
            .filter_map(|e| {
                let EventKind::Drop { seg_id, .. } = e.kind else {
                    return None;
                };
                Some(seg_id)
            })
            .collect()
    }

    #[test]
    fn the_fault_for_a_segment_hits_that_segment_and_no_other() {
        let scenario = Scenario::parse(Preset::find("data-transfer").unwrap().text).unwrap();
        let sim = run(&scenario);
        let trace = sim.trace();
        // The server's second bare ACK.
        let server = trace.hosts[1].addr;
        let target = (trace.sent_segments())
            .filter(|(_, s)| s.src == server && s.seg.flags.to_string() == "ACK")
            .nth(1)
            .map(|(_, s)| s.id)
            .unwrap();
        let fault = fault_for(trace, target, FaultEffect::Drop).unwrap();
        assert_eq!(
            (fault.from.as_str(), fault.to.as_str(), fault.nth),
            ("server", "client", Some(2))
        );
        let mut faulty = scenario.clone();
        faulty.add_fault(fault);
        // Segment ids are handed out in send order, and nothing differs before the drop.
        assert_eq!(dropped(&run(&faulty)), vec![target]);
        assert_eq!(fault_for(trace, 99_999, FaultEffect::Drop), None);
    }

    #[test]
    fn losing_the_next_segment_counts_what_the_host_already_sent_its_peer() {
        let scenario = Scenario::parse(Preset::find("handshake").unwrap().text).unwrap();
        let mut sim = Sim::new(&scenario);
        sim.step();
        sim.step();
        // The client has sent its SYN; the next segment it sends its peer is the final ACK.
        let fault = lose_next(sim.trace(), &scenario, "client").unwrap();
        assert_eq!(
            (
                fault.from.as_str(),
                fault.to.as_str(),
                fault.nth,
                fault.flags
            ),
            ("client", "server", Some(2), None)
        );
        // Before anything was sent, the peer is the host at the other end of its link.
        let quiet = Sim::new(&scenario);
        let fault = lose_next(quiet.trace(), &scenario, "server").unwrap();
        assert_eq!((fault.to.as_str(), fault.nth), ("client", Some(1)));
        assert_eq!(lose_next(quiet.trace(), &scenario, "nobody"), None);
    }

    #[test]
    fn the_inspector_buttons_name_their_effects() {
        assert_eq!(effect_named("drop"), Ok(FaultEffect::Drop));
        assert_eq!(
            effect_named("delay"),
            Ok(FaultEffect::Delay(Duration::from_secs(1)))
        );
        assert_eq!(
            effect_named("dup"),
            Ok(FaultEffect::Duplicate(Duration::from_millis(100)))
        );
        assert_eq!(
            effect_named("burn").unwrap_err(),
            "a fault is drop, delay or dup, not `burn`"
        );
    }
}
