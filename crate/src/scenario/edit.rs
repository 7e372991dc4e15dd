//! Edits of a scenario's syntax tree, as a reader's session makes them: a parameter set on a
//! host, a fault added, the profile changed. Each changes the tree; the text is what `print`
//! makes of it afterwards, so an edited scenario stays canonical and `parse(print(s)) == s`.

use super::{Fault, Scenario, SetDecl};
use crate::profile::Profile;

impl Scenario {
    /// `set HOST.NAME VALUE`, replacing an earlier setting of the same parameter on that host.
    pub fn set_param(&mut self, host: &str, name: &str, value: &str) {
        self.sets.retain(|s| !(s.host == host && s.name == name));
        self.sets.push(SetDecl {
            host: host.to_string(),
            name: name.to_string(),
            value: value.to_string(),
        });
    }

    /// One more fault statement, after the others.
    pub fn add_fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    /// The same scenario under another profile (`profile classic`).
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// The first host (in the order declared) with a listening port that is not `except`,
    /// and its lowest such port: where a reader's connect or flood goes.
    pub fn listening_host(&self, except: Option<&str>) -> Option<(&str, u16)> {
        self.hosts
            .iter()
            .filter(|h| Some(h.name.as_str()) != except)
            .find_map(|h| {
                let ports = self.listens.iter().filter(|l| l.host == h.name);
                Some((h.name.as_str(), ports.map(|l| l.port).min()?))
            })
    }

    /// The statement `print` writes for one fault: `drop server->client nth=1 flags=SYN,ACK`.
    pub fn fault_line(fault: &Fault) -> String {
        let mut one = Scenario::new();
        one.faults.push(fault.clone());
        last_line(one.print())
    }
}

fn last_line(text: String) -> String {
    text.lines().last().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::FaultEffect;

    const TWO: &str = "host client 10.0.0.1\nhost server 10.0.0.2\nhost backup 10.0.0.3\n\
        link client server delay=1ms\nbackup listen 443\nserver listen 8080\nserver listen 80\n\
        set server.syncookies 0\nset server.mss 1000\n";

    #[test]
    fn a_setting_replaces_the_same_one_and_the_text_follows() {
        let mut s = Scenario::parse(TWO).unwrap();
        s.set_param("server", "syncookies", "1");
        let text = s.print();
        assert!(
            text.contains("set server.mss 1000\nset server.syncookies 1\n"),
            "{text}"
        );
        assert!(!text.contains("syncookies 0"));
        assert_eq!(Scenario::parse(&text).unwrap(), s);
    }

    #[test]
    fn the_listening_host_is_the_first_declared_one_at_its_lowest_port() {
        let s = Scenario::parse(TWO).unwrap();
        assert_eq!(s.listening_host(None), Some(("server", 80)));
        assert_eq!(s.listening_host(Some("server")), Some(("backup", 443)));
        assert_eq!(s.listening_host(Some("client")), Some(("server", 80)));
        assert_eq!(Scenario::new().listening_host(None), None);
    }

    #[test]
    fn one_statement_is_printed_as_the_scenario_prints_it() {
        let fault = Fault {
            effect: FaultEffect::Drop,
            from: "server".into(),
            to: "client".into(),
            nth: Some(1),
            flags: None,
            len: Some(0),
        };
        assert_eq!(
            Scenario::fault_line(&fault),
            "drop server->client nth=1 len=0"
        );
    }
}
