//! Writes a laid-out ladder as SVG. It decides nothing: every position, text and class
//! comes from the layout; this file holds the markup, the shapes of the small marks (a fold's
//! ticks, a loss cross, a state's dot) and how many decimals each number gets.
//!
//! Each segment is a `<g class="seg" data-seg-id data-flags>` (a contract: tests and the page
//! find arrows by these attributes).

use super::fixed::{px, whole, Fixed};
use super::layout::{
    Anchor, Arrow, ChartLayout, ErrorMark, Fate, Label, Ladder, PanelLayout, Shape, StateMark,
    StepLine, TimerBracket, Tip,
};
use super::{Esc, STYLE};
use std::fmt::Write as _;

/// How many hosts have a colour of their own (`host-0`... on a host's name and lifeline,
/// `from-0`... on the segments it sends); the next host takes the first colour again.
const HOST_COLOURS: usize = 3;

/// The SVG document of a laid-out ladder.
pub fn write(ladder: &Ladder) -> String {
    let mut svg = String::new();
    let (width, height) = (whole(ladder.width), whole(ladder.height));
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="ladder{}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}">"#,
        // A page sizes a wider ladder (charts beside it, panels side by side) by these.
        match ladder.shape {
            Shape::Single => "",
            Shape::Wide => " wide",
            Shape::Compare => " compare",
        },
        Esc(&ladder.description)
    );
    if ladder.standalone {
        let _ = write!(svg, "<style>{STYLE}</style>");
        let _ = write!(
            svg,
            r#"<rect class="paper" width="{width}" height="{height}"/>"#
        );
    }
    for (i, panel) in ladder.panels.iter().enumerate() {
        if let Some(at) = panel.offset {
            let _ = write!(
                svg,
                r#"<g class="panel" data-panel="{i}" transform="translate({} {})">"#,
                whole(at.x),
                whole(at.y)
            );
        }
        write_panel(
            &mut svg,
            panel,
            ladder.element_timing.as_deref().filter(|_| i == 0),
        );
        if panel.offset.is_some() {
            svg.push_str("</g>");
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A `<text>` of one class, at its point (x and y with one decimal).
fn text(svg: &mut String, class: &str, label: &Label) {
    let _ = write!(
        svg,
        r#"<text class="{class}" x="{}" y="{}">{}</text>"#,
        px(label.at.x),
        px(label.at.y),
        Esc(&label.text)
    );
}

/// A `<text>` in one of the header rows (a host's name, a chart's legend), whose height is
/// a whole number of pixels.
fn header_text(svg: &mut String, class: &str, label: &Label) {
    let _ = write!(
        svg,
        r#"<text class="{class}" x="{}" y="{}">{}</text>"#,
        px(label.at.x),
        whole(label.at.y),
        Esc(&label.text)
    );
}

fn anchor(a: Anchor) -> &'static str {
    match a {
        Anchor::Start => "start",
        Anchor::End => "end",
    }
}

/// One panel, in drawing order: what comes later sits on top (segments last but for the now
/// line and the charts).
fn write_panel(svg: &mut String, panel: &PanelLayout, element_timing: Option<&str>) {
    if let Some(title) = &panel.title {
        text(svg, "panel-title", title);
    }
    if let Some(warning) = &panel.warning {
        header_text(svg, "counterfactual", warning);
    }
    for (i, line) in panel.lifelines.iter().enumerate() {
        let colour = i % HOST_COLOURS;
        match element_timing.filter(|_| i == 0) {
            Some(name) => {
                let _ = write!(
                    svg,
                    r#"<text class="host-name host-{colour}" elementtiming="{}" x="{}" y="{}">{}</text>"#,
                    Esc(name),
                    px(line.name.at.x),
                    whole(line.name.at.y),
                    Esc(&line.name.text)
                );
            }
            None => header_text(svg, &format!("host-name host-{colour}"), &line.name),
        }
        header_text(svg, "host-addr", &line.addr);
        let x = line.x;
        let piece = |svg: &mut String, (top, bottom): (f64, f64)| {
            let (x, top, bottom) = (px(x), px(top), px(bottom));
            let _ = write!(
                svg,
                r#"<line class="lifeline host-{colour}" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>"#
            );
        };
        for (i, &(stop, start)) in line.break_marks.iter().enumerate() {
            piece(svg, line.pieces[i]);
            let (stop, start) = (px(stop), px(start));
            let _ = write!(
                svg,
                r#"<path class="break-mark" d="M{} {stop}l12 -5M{} {start}l12 -5"/>"#,
                px(x - 6.0),
                px(x - 6.0)
            );
        }
        if let Some(last) = line.pieces.last() {
            piece(svg, *last);
        }
    }
    for fold in &panel.folds {
        text(svg, "break-label", &fold.label);
    }
    if let Some(band) = &panel.flood {
        let _ = write!(
            svg,
            r#"<g class="flood-band"><rect x="{}" y="{}" width="{}" height="{}"/><text x="{}" y="{}">{}</text></g>"#,
            px(band.at.x),
            px(band.at.y),
            px(band.width),
            px(band.height),
            px(band.label.at.x),
            px(band.label.at.y),
            Esc(&band.label.text)
        );
    }
    write_times(svg, &panel.times);
    write_timers(svg, &panel.timers);
    write_states(svg, &panel.states);
    write_errors(svg, &panel.errors);
    for arrow in &panel.arrows {
        write_arrow(svg, arrow, true);
    }
    let later = &panel.later;
    if !later.is_empty() {
        // What has not happened yet: faded, and left out of what a screen reader or the
        // keyboard reaches (those follow what has happened).
        svg.push_str(r#"<g class="later" aria-hidden="true">"#);
        for fold in &later.folds {
            text(svg, "break-label", &fold.label);
        }
        write_times(svg, &later.times);
        write_timers(svg, &later.timers);
        write_states(svg, &later.states);
        write_errors(svg, &later.errors);
        for arrow in &later.arrows {
            write_arrow(svg, arrow, false);
        }
        svg.push_str("</g>");
    }
    if let Some(cut) = &panel.trace_cut {
        text(svg, "break-label", cut);
    }
    if let Some(now) = &panel.now {
        let _ = write!(
            svg,
            r#"<g class="now"><line x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}">{}</text></g>"#,
            px(now.x1),
            px(now.x2),
            px(now.label.at.x),
            px(now.label.at.y),
            Esc(&now.label.text),
            y = px(now.y),
        );
    }
    for chart in &panel.charts {
        write_chart(svg, chart);
    }
}

/// The clock on the left edge.
fn write_times(svg: &mut String, times: &[Label]) {
    for time in times {
        let _ = write!(
            svg,
            r#"<text class="time" x="{}" y="{}">{}</text>"#,
            whole(time.at.x),
            px(time.at.y),
            Esc(&time.text)
        );
    }
}

/// Timer brackets, each with its host and timer as data attributes.
fn write_timers(svg: &mut String, timers: &[TimerBracket]) {
    for t in timers {
        let _ = write!(
            svg,
            r#"<g class="timer{}" data-host="{}" data-timer="{}"><path d="M{} {}H{}V{}H{}"/><text x="{}" y="{}" text-anchor="{}">{}</text></g>"#,
            if t.armed { " armed" } else { "" },
            Esc(&t.host),
            t.timer,
            px(t.tick_x),
            px(t.top),
            px(t.x),
            px(t.bottom),
            px(t.tick_x),
            px(t.label.at.x),
            px(t.label.at.y),
            anchor(t.anchor),
            Esc(&t.label.text)
        );
    }
}

/// Errors applications saw, each its text beside the lifeline.
fn write_errors(svg: &mut String, errors: &[ErrorMark]) {
    for e in errors {
        let _ = write!(
            svg,
            r#"<g class="app-error" data-host="{}" data-call="{}" data-errno="{}"><text x="{}" y="{}" text-anchor="{}">{}</text></g>"#,
            Esc(&e.host),
            e.call,
            e.errno,
            px(e.label.at.x),
            px(e.label.at.y),
            anchor(e.anchor),
            Esc(&e.label.text)
        );
    }
}

/// State changes, each a dot on its lifeline and the state's name.
fn write_states(svg: &mut String, states: &[StateMark]) {
    for s in states {
        let _ = write!(
            svg,
            r#"<g class="state" data-host="{}" data-state="{}"><circle cx="{}" cy="{}" r="3.5"/><text x="{}" y="{}" text-anchor="{}">{}</text></g>"#,
            Esc(&s.host),
            s.state,
            px(s.at.x),
            px(s.at.y),
            px(s.label.at.x),
            px(s.label.at.y),
            anchor(s.anchor),
            Esc(&s.label.text)
        );
    }
}

/// A segment: a wide invisible line to click, the line, its head or cross, and its label.
/// One that has happened is `interactive`: it carries its segment's id (the contract) and
/// takes the keyboard focus; one still to come is only drawn.
fn write_arrow(svg: &mut String, a: &Arrow, interactive: bool) {
    let class = format_args!(
        "seg {} from-{}{}{}",
        a.family,
        a.sender % HOST_COLOURS,
        if a.retrans { " retrans" } else { "" },
        match a.fate {
            Fate::Delivered => "",
            Fate::InFlight => " in-flight",
            Fate::Lost => " lost",
        }
    );
    let _ = if interactive {
        write!(
            svg,
            r#"<g class="{class}" data-seg-id="{}" data-flags="{}" tabindex="0" aria-label="{}">"#,
            a.seg_id,
            a.flags,
            Esc(&a.description)
        )
    } else {
        write!(svg, r#"<g class="{class}" data-flags="{}">"#, a.flags)
    };
    let [x0, y0, x1, y1] = [a.from.x, a.from.y, a.to.x, a.to.y].map(px);
    let _ = write!(
        svg,
        r#"<line class="seg-hit" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/><line class="seg-line" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/>"#
    );
    let _ = write!(
        svg,
        r#"<circle class="seg-tail" cx="{x0}" cy="{y0}" r="2.6"/>"#
    );
    match a.tip {
        Tip::Cross(c) => {
            let _ = write!(
                svg,
                r#"<path class="seg-cross" d="M{} {}l10 10M{} {}l-10 10"/>"#,
                px(c.x - 5.0),
                px(c.y - 5.0),
                px(c.x + 5.0),
                px(c.y - 5.0)
            );
        }
        Tip::Head([tip, left, right]) => {
            let _ = write!(
                svg,
                r#"<path class="seg-head" d="M{} {}L{} {}L{} {}Z"/>"#,
                px(tip.x),
                px(tip.y),
                px(left.x),
                px(left.y),
                px(right.x),
                px(right.y)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="seg-label" x="{}" y="{}" transform="rotate({} {} {})">{}</text>"#,
        px(a.label.at.x),
        px(a.label.at.y),
        Fixed(a.angle, 2),
        px(a.pivot.x),
        px(a.pivot.y),
        Esc(&a.label.text)
    );
    svg.push_str("</g>");
}

/// A step line as a path.
fn steps(line: &StepLine) -> String {
    let mut d = format!("M{} {}", px(line.start.x), px(line.start.y));
    for p in &line.steps {
        let _ = write!(d, "V{}H{}", px(p.y), px(p.x));
    }
    let _ = write!(d, "V{}", px(line.bottom));
    d
}

/// A queue chart: its data as attributes, title and legends, axis and limit, two step lines.
fn write_chart(svg: &mut String, c: &ChartLayout) {
    let _ = write!(
        svg,
        r#"<g class="queue-chart" data-host="{}" data-listener="{}" data-syn-limit="{}" data-syn-peak="{}" data-accept-limit="{}" data-accept-peak="{}">"#,
        Esc(&c.host),
        Esc(&c.listener),
        c.syn_limit,
        c.syn_peak,
        c.accept_limit,
        c.accept_peak
    );
    header_text(svg, "queue-title", &c.title);
    header_text(svg, "queue-legend q-syn", &c.syn_legend);
    header_text(svg, "queue-legend q-accept", &c.accept_legend);
    let _ = write!(
        svg,
        r#"<line class="queue-axis" x1="{x0}" y1="{top}" x2="{x0}" y2="{bottom}"/><line class="queue-limit" x1="{xl}" y1="{top}" x2="{xl}" y2="{bottom}"/>"#,
        x0 = px(c.x0),
        xl = px(c.x_limit),
        top = px(c.top),
        bottom = px(c.bottom)
    );
    let _ = write!(
        svg,
        r#"<path class="q-syn" d="{}"/><path class="q-accept" d="{}"/>"#,
        steps(&c.syn),
        steps(&c.accept)
    );
    if let Some([syn, accept]) = &c.later {
        let _ = write!(
            svg,
            r#"<g class="later"><path class="q-syn" d="{}"/><path class="q-accept" d="{}"/></g>"#,
            steps(syn),
            steps(accept)
        );
    }
    svg.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::super::layout::{PanelLayout, Point};
    use super::super::runs::{preset, trace_of};
    use super::super::{render_compare_svg, render_svg, LadderOptions, Panel};
    use super::*;
    use crate::segment::Flags;
    use crate::time::Instant;

    fn at(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    fn label(x: f64, y: f64, text: &str) -> Label {
        Label {
            at: at(x, y),
            text: text.to_string(),
        }
    }

    /// A ladder of one panel holding only `arrows`.
    fn with_arrows(arrows: Vec<Arrow>) -> Ladder {
        Ladder {
            width: 720.0,
            height: 300.0,
            shape: Shape::Single,
            description: "two hosts".into(),
            standalone: false,
            element_timing: None,
            panels: vec![PanelLayout {
                offset: None,
                title: None,
                warning: None,
                lifelines: Vec::new(),
                folds: Vec::new(),
                flood: None,
                times: Vec::new(),
                timers: Vec::new(),
                states: Vec::new(),
                errors: Vec::new(),
                arrows,
                trace_cut: None,
                now: None,
                charts: Vec::new(),
                later: Default::default(),
            }],
        }
    }

    #[test]
    fn an_arrow_is_written_as_laid_out_with_its_contract_attributes() {
        let arrow = Arrow {
            seg_id: 7,
            flags: Flags::SYN.union(Flags::ACK),
            family: "syn",
            retrans: true,
            fate: Fate::Lost,
            sender: 1,
            from: at(570.0, 100.0),
            to: at(381.0, 155.25),
            nudge: 0.0,
            tip: Tip::Cross(at(381.0, 155.25)),
            label: label(475.5, 121.625, "SYN,ACK seq=0 ack=1"),
            angle: -16.29,
            pivot: at(475.5, 127.625),
            description: "SYN,ACK from <server> to client, lost".into(),
        };
        let svg = write(&with_arrows(vec![arrow]));
        assert_eq!(
            svg,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="ladder" viewBox="0 0 720 300" width="720" height="300" role="img" aria-label="two hosts">"#,
                r#"<g class="seg syn from-1 retrans lost" data-seg-id="7" data-flags="SYN,ACK" tabindex="0" aria-label="SYN,ACK from &lt;server&gt; to client, lost">"#,
                r#"<line class="seg-hit" x1="570.0" y1="100.0" x2="381.0" y2="155.2"/><line class="seg-line" x1="570.0" y1="100.0" x2="381.0" y2="155.2"/>"#,
                r#"<circle class="seg-tail" cx="570.0" cy="100.0" r="2.6"/>"#,
                r#"<path class="seg-cross" d="M376.0 150.2l10 10M386.0 150.2l-10 10"/>"#,
                r#"<text class="seg-label" x="475.5" y="121.6" transform="rotate(-16.29 475.5 127.6)">SYN,ACK seq=0 ack=1</text></g>"#,
                "</svg>"
            )
        );
    }

    #[test]
    fn every_segment_of_a_run_is_a_group_with_its_seg_id_and_flags() {
        let (trace, now) = preset("handshake");
        let svg = render_svg(&trace, now, &LadderOptions::standalone());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<style>") && svg.contains(r#"<rect class="paper""#));
        assert_eq!(svg.matches(r#"data-flags="SYN""#).count(), 1);
        assert_eq!(svg.matches(r#"data-flags="SYN,ACK""#).count(), 1);
        assert_eq!(svg.matches(r#"data-flags="ACK""#).count(), 1);
        for id in 1..=3 {
            assert_eq!(svg.matches(&format!(r#"data-seg-id="{id}""#)).count(), 1);
        }
        assert!(svg.contains(">SYN,ACK seq=0 ack=1<"));
    }

    #[test]
    fn each_host_has_a_colour_on_its_name_its_lifeline_and_the_segments_it_sends() {
        // Three hosts: the client (0), the server (1) and the attacker (2).
        let (trace, now) = preset("syn-flood");
        let svg = render_svg(&trace, now, &LadderOptions::default());
        for (k, name) in ["client", "server", "attacker"].iter().enumerate() {
            assert!(
                svg.contains(&format!(r#"<text class="host-name host-{k}" "#)),
                "{name}"
            );
            assert!(
                svg.contains(&format!(r#"<line class="lifeline host-{k}" "#)),
                "{name}"
            );
        }
        // Each arrow's class names its sender, and its tail dot sits on that sender's lifeline.
        let lifeline_x = |k: usize| {
            let rest = svg
                .split(&format!(r#"<line class="lifeline host-{k}" x1=""#))
                .nth(1)
                .unwrap();
            rest.split('"').next().unwrap().to_string()
        };
        let mut senders = [0; 3];
        for group in svg.split(r#"<g class="seg "#).skip(1) {
            let k: usize = group.split("from-").nth(1).unwrap()[..1].parse().unwrap();
            let tail = group
                .split(r#"<circle class="seg-tail" cx=""#)
                .nth(1)
                .unwrap();
            assert_eq!(tail.split('"').next().unwrap(), lifeline_x(k), "{group}");
            senders[k] += 1;
        }
        assert!(
            senders.iter().all(|&n| n > 0),
            "every host sends: {senders:?}"
        );
        // The SYN-ACKs go back to spoofed sources: sent by the server, drawn from its lifeline.
        assert!(svg.contains(r#"<g class="seg syn from-1"#));
    }

    #[test]
    fn states_timers_and_queue_charts_carry_their_data_attributes() {
        let (trace, now) = preset("syn-lost");
        let svg = render_svg(&trace, now, &LadderOptions::default());
        assert!(svg.contains(r#"<g class="state" data-host="client" data-state="SYN-SENT">"#));
        assert!(svg.contains(r#"<g class="timer" data-host="client" data-timer="syn-rto">"#));
        let (trace, now) = preset("syn-flood");
        let svg = render_svg(&trace, now, &LadderOptions::default());
        assert!(svg.contains(r#"class="ladder wide""#));
        assert!(svg.contains(r#"<g class="queue-chart" data-host="server" data-listener="server:80" data-syn-limit="17" data-syn-peak="17""#), "the queue chart");
    }

    #[test]
    fn an_error_an_application_saw_is_written_under_its_hosts_state_change() {
        // rst-closed-port: connect() fails with ECONNREFUSED as the client goes to CLOSED.
        let (trace, now) = preset("rst-closed-port");
        let svg = render_svg(&trace, now, &LadderOptions::default());
        let y_of = |marker: &str| -> f64 {
            let at = svg
                .find(marker)
                .unwrap_or_else(|| panic!("no {marker}: {svg}"));
            let rest = &svg[at..];
            let y = &rest[rest.find("<text").unwrap()..];
            let y = &y[y.find(" y=\"").unwrap() + 4..];
            y[..y.find('"').unwrap()].parse().unwrap()
        };
        let error = r#"<g class="app-error" data-host="client" data-call="error" data-errno="ECONNREFUSED">"#;
        assert!(svg.contains(&format!("{error}<text")), "{svg}");
        assert!(svg.contains(">ECONNREFUSED</text>"));
        let closed = r#"<g class="state" data-host="client" data-state="CLOSED">"#;
        assert_eq!(y_of(error), y_of(closed) + 13.0, "one line under CLOSED");
    }

    #[test]
    fn what_is_still_to_come_is_a_faded_group_no_keyboard_or_screen_reader_reaches() {
        let (whole, _) = preset("handshake");
        let panel = Panel {
            trace: &whole,
            now: Instant::ZERO,
            title: None,
            happened: Some(
                whole
                    .events
                    .iter()
                    .position(|e| matches!(e.kind, crate::trace::EventKind::Send(_)))
                    .unwrap()
                    + 1,
            ),
        };
        let svg = render_compare_svg(&[panel], &LadderOptions::default());
        let (before, later) = svg
            .split_once(r#"<g class="later" aria-hidden="true">"#)
            .expect("a later group");
        assert_eq!(
            before.matches("data-seg-id").count(),
            1,
            "the SYN has been sent"
        );
        assert_eq!(
            later.matches(r#"<g class="seg"#).count(),
            2,
            "SYN,ACK and ACK are to come"
        );
        assert!(!later.contains("data-seg-id") && !later.contains("tabindex"));
    }

    #[test]
    fn compared_panels_are_groups_and_their_text_is_escaped() {
        let (a, _) =
            trace_of("host a 10.0.0.1\nhost b 10.0.0.2\nb listen 80\nat 0s a connect b:80\n");
        let panel = |title: &str| Panel {
            trace: &a,
            now: Instant::ZERO,
            title: Some(title.to_string()),
            happened: None,
        };
        let svg = render_compare_svg(
            &[panel("one"), panel("<b>two</b>")],
            &LadderOptions::default(),
        );
        assert!(svg.contains(r#"class="ladder compare""#));
        assert!(svg.contains(r#"<g class="panel" data-panel="0" transform="translate(0 30)">"#));
        assert!(svg.contains(r#"<g class="panel" data-panel="1" transform="translate(720 30)">"#));
        assert!(svg.contains(">&lt;b&gt;two&lt;/b&gt;</text>"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            super::super::esc(r#"<img src=x onerror="a">&'"#),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }
}
