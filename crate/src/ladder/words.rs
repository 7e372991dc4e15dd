//! The ladder's words in the reader's language: English, or Simplified Chinese for a
//! `lang` of `zh`. Flags, state and timer names, numbers and units stay as TCP and Linux
//! write them, in both.

use crate::trace::FloodSummary;

pub struct Words {
    /// After an attacker's address: its lifeline stands for every address it spoofs.
    pub spoofed_sources: &'static str,
    /// After the length of a folded gap: nothing happened in it, or only a slow segment
    /// crossed it.
    pub idle: &'static str,
    pub later: &'static str,
    /// After a keepalive probe's label.
    pub keepalive: &'static str,
    /// After a timer bracket's name: when the armed timer will fire.
    pub due: &'static str,
    /// Between the descriptions of two compared runs.
    pub compared_with: &'static str,
    /// A queue chart's title and legends.
    pub queues: fn(&str) -> String,
    pub syn_queue_peak: &'static str,
    pub accept_queue_peak: &'static str,
    /// An arrow for screen readers: its label, sender, receiver, and whether it was lost.
    pub arrow: fn(&str, &str, &str, bool) -> String,
    /// The whole ladder for screen readers: its hosts and how many segments it draws.
    pub diagram: fn(&[&str], usize) -> String,
    pub flood_band: fn(&FloodSummary) -> String,
    pub counterfactual: fn(&str) -> String,
    /// A trace that kept its first events and counted the rest.
    pub trace_cut: fn(usize, u64) -> String,
}

pub static EN: Words = Words {
    spoofed_sources: "spoofed sources",
    idle: "idle",
    later: "later",
    keepalive: "keepalive",
    due: "due",
    compared_with: "Compared with",
    queues: |listener| format!("{listener} queues"),
    syn_queue_peak: "SYN queue, peak",
    accept_queue_peak: "accept queue, peak",
    arrow: |label, from, to, lost| {
        format!(
            "{label} from {from} to {to}{}",
            if lost { ", lost" } else { "" }
        )
    },
    diagram: |hosts, segments| {
        format!(
            "Ladder diagram between {}: {segments} segments",
            hosts.join(" and ")
        )
    },
    flood_band: |f| {
        format!(
            "+{} more flood segments, counted, not drawn: {} SYN, {} SYN,ACK, {} RST",
            f.segments, f.syns, f.synacks, f.rsts
        )
    },
    counterfactual: |modes| format!("Counterfactual ({modes}): not real TCP"),
    trace_cut: |kept, counted| {
        format!(
            "The trace keeps its first {kept} events; {counted} later ones were counted, not kept."
        )
    },
};

pub static ZH: Words = Words {
    spoofed_sources: "伪造的源地址",
    idle: "空闲",
    later: "之后",
    keepalive: "保活探测",
    due: "到期于",
    compared_with: "对比",
    queues: |listener| format!("{listener} 的队列"),
    syn_queue_peak: "SYN 队列，峰值",
    accept_queue_peak: "accept 队列，峰值",
    arrow: |label, from, to, lost| {
        format!(
            "{label}，从 {from} 到 {to}{}",
            if lost { "，丢失" } else { "" }
        )
    },
    diagram: |hosts, segments| format!("{} 之间的时序图：{segments} 个报文段", hosts.join("、")),
    flood_band: |f| {
        format!(
            "另有 {} 个洪泛报文段只计数、未画出：SYN {} 个，SYN,ACK {} 个，RST {} 个",
            f.segments, f.syns, f.synacks, f.rsts
        )
    },
    counterfactual: |modes| format!("反事实模式（{modes}）：不是真实的 TCP"),
    trace_cut: |kept, counted| {
        format!("记录只保留前 {kept} 个事件；之后的 {counted} 个只计数、未保留。")
    },
};

/// The words for a `lang`: Chinese for `zh` (and `zh-CN`...), English for anything else.
pub fn for_lang(lang: &str) -> &'static Words {
    if lang
        .get(..2)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("zh"))
    {
        &ZH
    } else {
        &EN
    }
}
