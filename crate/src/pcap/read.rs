//! Reading real captures (pcap and pcapng) into an observed trace.
