//! Captures: any run written as a pcap file that Wireshark opens ([`write`]), and real pcap or
//! pcapng captures read back as an observed trace ([`read`]). Both speak the classic formats
//! of <https://www.tcpdump.org/manpages/pcap-savefile.5.html> and, for reading, pcapng
//! (IETF draft-ietf-opsawg-pcapng).

pub mod read;
mod write;

pub use write::write;

/// LINKTYPE_ETHERNET: each record is an Ethernet II frame.
const LINKTYPE_ETHERNET: u32 = 1;
/// The EtherType of IPv4.
const ETHERTYPE_IPV4: u16 = 0x0800;
