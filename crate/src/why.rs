//! Why things happen: every trace event names one of these reasons, and, where a rule applies,
//! the RFC section it comes from (written `9293 §3.10.7.4` in the trace). The ids are stable:
//! the page, the articles and the tests refer to them. Each reason also carries one or two
//! sentences, in English and in Simplified Chinese, that explain it to a reader learning TCP
//! (the page's "why?" inspector shows them).

/// A stable reason id and the rule behind it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    pub id: &'static str,
    /// `"9293 §3.10.7.4"`, or `None` for behaviour no RFC prescribes (a Linux choice, a link).
    pub rfc: Option<&'static str>,
    /// What happened and why, in English: one or two short sentences.
    pub en: &'static str,
    /// The same explanation in Simplified Chinese.
    pub zh: &'static str,
}

/// A reason, as events carry it: one pointer to a static [`Reason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Why(&'static Reason);

impl Why {
    pub fn id(self) -> &'static str {
        self.0.id
    }
    pub fn rfc(self) -> Option<&'static str> {
        self.0.rfc
    }
    /// The explanation in English.
    pub fn en(self) -> &'static str {
        self.0.en
    }
    /// The explanation in Simplified Chinese.
    pub fn zh(self) -> &'static str {
        self.0.zh
    }
    /// The explanation in `lang`: Chinese for `"zh"`, English for anything else.
    pub fn text(self, lang: &str) -> &'static str {
        match lang {
            "zh" => self.0.zh,
            _ => self.0.en,
        }
    }
}

/// `rule!(NAME, "id", "9293 §3.10.1", "English.", "中文。")`, or `rule!(NAME, "id", "English.",
/// "中文。")` for a reason with no RFC.
macro_rules! rule {
    ($name:ident, $id:literal, $rfc:literal, $en:literal, $zh:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            rfc: Some($rfc),
            en: $en,
            zh: $zh,
        });
    };
    ($name:ident, $id:literal, $en:literal, $zh:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            rfc: None,
            en: $en,
            zh: $zh,
        });
    };
}

// Application calls (RFC 9293 §3.10.1 to §3.10.6).
rule!(ACTIVE_OPEN, "active-open", "9293 §3.10.1",
    "The application called connect(): TCP sends a SYN with its initial sequence number, starts the SYN retransmission timer and waits in SYN-SENT.",
    "应用调用了 connect()：TCP 发出携带初始序号的 SYN，启动 SYN 重传定时器，进入 SYN-SENT 状态等待回应。");
rule!(PASSIVE_OPEN, "passive-open", "9293 §3.10.1",
    "The server application listens on this port: the socket enters LISTEN and waits for a SYN. It sends nothing until one arrives.",
    "服务端应用在这个端口上监听：套接字进入 LISTEN 状态等待 SYN，在收到 SYN 之前不发送任何报文。");
rule!(SEND_CALL, "send-call", "9293 §3.10.2",
    "The application called send(): TCP sends the queued bytes in segments of at most one MSS, as far as the peer's window allows.",
    "应用调用了 send()：TCP 把排队的数据切成不超过 MSS 的报文段发出，发送量受对端通告窗口的限制。");
rule!(CLOSE_CALL, "close-call", "9293 §3.10.4",
    "The application called close(): TCP sends a FIN after any queued data and moves to FIN-WAIT-1, or to LAST-ACK if the peer has already closed.",
    "应用调用了 close()：TCP 在已排队的数据之后发出 FIN，进入 FIN-WAIT-1；如果对端已先关闭，则进入 LAST-ACK。");
rule!(SHUTDOWN_CALL, "shutdown-write", "9293 §3.10.4",
    "The application called shutdown(SHUT_WR), a half-close: TCP sends a FIN after any queued data, as close() does, but the application keeps reading.",
    "应用调用了 shutdown(SHUT_WR)，即半关闭：TCP 像 close() 一样在已排队的数据之后发出 FIN，但应用仍可继续读取数据。");
rule!(RECV_CALL, "recv-call", "9293 §3.10.3",
    "The application called recv(): it reads the bytes that arrived in order and were waiting in the receive buffer.",
    "应用调用了 recv()：读取已按序到达、暂存在接收缓冲区中的数据。");
rule!(UNREAD_DATA, "close-with-unread-data", "1122 §4.2.2.13",
    "close() was called with received data still unread: that data is lost, so TCP sends RST instead of FIN and goes straight to CLOSED.",
    "调用 close() 时还有已收到但未读取的数据：这些数据将被丢弃，因此 TCP 发送 RST 而不是 FIN，并直接进入 CLOSED。");
rule!(CLOSE_IN_SYN_SENT, "close-in-syn-sent", "9293 §3.10.4",
    "The connection was closed in SYN-SENT, before the peer answered: there is nothing to tell it, so TCP stops retransmitting the SYN and goes to CLOSED.",
    "连接在 SYN-SENT 状态、对端尚未回应时被关闭：此时无需通知对端，TCP 停止重传 SYN，直接进入 CLOSED。");
rule!(ABORT_CALL, "abort-call", "9293 §3.10.5",
    "The application aborted the connection (like close() with SO_LINGER 0): TCP sends RST, except in SYN-SENT, CLOSING, LAST-ACK or TIME-WAIT, and goes to CLOSED at once.",
    "应用中止了连接（相当于把 SO_LINGER 设为 0 后调用 close()）：除 SYN-SENT、CLOSING、LAST-ACK、TIME-WAIT 外都会发送 RST，并立即进入 CLOSED。");
rule!(
    APP_CALL,
    "app-call",
    "The application made a socket call; what it caused follows in the trace.",
    "应用发起了一次套接字调用，它引起的变化见后续事件。"
);
rule!(NO_CONNECTION, "no-connection",
    "The application made a call, but it holds no connection (none was opened or accepted, or it already closed it): the call fails with ENOTCONN.",
    "应用发起了调用，但手上没有可用的连接（从未建立或 accept 过，或已经关闭）：调用以 ENOTCONN 失败。");

// Segment arrives (RFC 9293 §3.10.7).
rule!(CLOSED_PORT, "closed-port", "9293 §3.10.7.1",
    "No connection or listener owns this segment, so the host answers with RST: SEQ=SEG.ACK for an ACK, otherwise RST,ACK covering it. An RST is never answered.",
    "没有任何连接或监听套接字对应这个报文段，主机回以 RST：若报文带 ACK，RST 的序号取其确认号；否则回 RST,ACK 确认它。收到 RST 则从不回应。");
rule!(LISTEN_SYN, "syn-received", "9293 §3.10.7.2",
    "A SYN reached a listening port: the server puts a half-open connection in its SYN queue, answers with SYN,ACK and waits in SYN-RECEIVED for the final ACK.",
    "SYN 到达监听端口：服务端在 SYN 队列中建立一个半连接，回复 SYN,ACK，并在 SYN-RECEIVED 状态等待握手的最后一个 ACK。");
// LISTEN answers any acknowledgment with `<SEQ=SEG.ACK><CTL=RST>`.
rule!(LISTEN_ACK, "ack-in-listen", "9293 §3.10.7.2",
    "An ACK reached a listening port that has no connection for it (no half-open entry, no valid SYN cookie): the listener answers with RST, SEQ=SEG.ACK.",
    "一个 ACK 到达了监听端口，但找不到对应的连接（既没有半连接，也不是有效的 SYN cookie）：监听套接字回以 RST，其序号等于该 ACK 的确认号。");
rule!(SYNACK_RECEIVED, "synack-received", "9293 §3.10.7.3",
    "The SYN,ACK acknowledges our SYN: TCP stops the SYN timer, enters ESTABLISHED (connect() returns) and sends the final ACK of the handshake.",
    "收到的 SYN,ACK 确认了我方的 SYN：TCP 停止 SYN 重传定时器，进入 ESTABLISHED（connect() 返回），并发出三次握手的最后一个 ACK。");
rule!(SIMULTANEOUS_OPEN, "simultaneous-open", "9293 §3.10.7.3",
    "A SYN without ACK arrived in SYN-SENT: both ends opened at once. TCP moves to SYN-RECEIVED and sends SYN,ACK, repeating its own ISN and acknowledging the peer's.",
    "在 SYN-SENT 状态收到不带 ACK 的 SYN：双方同时发起了连接。TCP 转入 SYN-RECEIVED，发出 SYN,ACK，沿用自己的 ISN 并确认对方的 ISN。");
rule!(SYN_SENT_BAD_ACK, "unacceptable-ack", "9293 §3.10.7.3",
    "In SYN-SENT, this ACK does not acknowledge our SYN (it belongs to an old or another connection): TCP answers with RST, SEQ=SEG.ACK, and otherwise ignores it.",
    "在 SYN-SENT 状态下，这个 ACK 并未确认我方的 SYN（它属于旧的或别的连接）：TCP 回以序号等于其确认号的 RST，此外不做任何处理。");
rule!(REFUSED, "rst-in-syn-sent", "9293 §3.10.7.3",
    "An RST acknowledging our SYN arrived in SYN-SENT: the peer refuses the connection. connect() fails with ECONNREFUSED and the connection goes to CLOSED.",
    "在 SYN-SENT 状态收到确认了我方 SYN 的 RST：对端拒绝连接。connect() 以 ECONNREFUSED 失败，连接进入 CLOSED。");
rule!(OUT_OF_WINDOW, "out-of-window", "9293 §3.10.7.4",
    "The segment lies outside the receive window (a repeat of something already received, or a keepalive probe): TCP drops it and sends an ACK of RCV.NXT.",
    "报文段落在接收窗口之外（对方重发的、已经收到过的内容，或 keepalive 探测）：TCP 丢弃它，并回一个确认号为 RCV.NXT 的 ACK，告知自己期望的序号。");
rule!(RST_RECEIVED, "rst-received", "9293 §3.10.7.4",
    "An RST arrived with exactly the expected sequence number (RCV.NXT): TCP closes the connection at once; an application using it gets ECONNRESET (ECONNREFUSED while connecting).",
    "收到序号恰好等于 RCV.NXT 的 RST：TCP 立即关闭连接；仍在使用它的应用得到 ECONNRESET（若仍在连接过程中则为 ECONNREFUSED）。");
rule!(CHALLENGE_ACK_RST, "challenge-ack-rst", "5961 §3.2",
    "An RST inside the window but not exactly at RCV.NXT may be forged: TCP keeps the connection and sends a challenge ACK, which a peer that really reset answers with an exact RST.",
    "落在窗口内、但序号不恰好等于 RCV.NXT 的 RST 可能是伪造的：TCP 保留连接，只回一个 challenge ACK；如果对端确实已重置，会据此发来序号精确的 RST。");
rule!(CHALLENGE_ACK, "challenge-ack", "5961 §4.2",
    "A SYN on a synchronized connection may be forged, or a peer restarting: TCP ignores it and sends a challenge ACK, which a peer that really restarted answers with an RST.",
    "已同步的连接上收到 SYN，可能是伪造的，也可能是对端重启了：TCP 不予理会，只回一个 challenge ACK；如果对端确实已重启，会回一个 RST。");
rule!(HANDSHAKE_ACKED, "handshake-acked", "9293 §3.10.7.4",
    "The ACK acknowledges our SYN,ACK: the handshake is complete. The connection leaves SYN-RECEIVED for ESTABLISHED and, on a server, moves to the accept queue.",
    "这个 ACK 确认了我方的 SYN,ACK，握手完成：连接从 SYN-RECEIVED 进入 ESTABLISHED；在服务端，它从 SYN 队列移入 accept 队列。");
// Linux creates the connection from a valid SYN cookie in the returning ACK.
rule!(SYNCOOKIE_ACK, "syncookie-validated",
    "This ACK returns a valid SYN cookie (its ACK number minus one): the server rebuilds the connection from it, straight in ESTABLISHED, keeping only the MSS the cookie encoded.",
    "这个 ACK 带回了有效的 SYN cookie（确认号减一）：服务端据此重建连接，直接进入 ESTABLISHED；握手选项中只保留 cookie 编码的 MSS。");
rule!(SYN_RECEIVED_BAD_ACK, "unacceptable-ack", "9293 §3.10.7.4",
    "In SYN-RECEIVED, this ACK does not acknowledge our SYN,ACK: TCP answers with RST, SEQ=SEG.ACK, drops the segment and stays in SYN-RECEIVED.",
    "在 SYN-RECEIVED 状态下，这个 ACK 并未确认我方的 SYN,ACK：TCP 回以序号等于其确认号的 RST，丢弃该报文段，仍停留在 SYN-RECEIVED。");
rule!(ACK_OF_UNSENT, "ack-of-unsent", "9293 §3.10.7.4",
    "The segment acknowledges data we have not sent yet (SEG.ACK > SND.NXT): TCP drops it and answers with an ACK carrying its real sequence numbers.",
    "该报文段确认了我方尚未发送的数据（SEG.ACK > SND.NXT）：TCP 丢弃它，并回一个带有真实序号的 ACK。");
rule!(FIN_ACKED, "fin-acked", "9293 §3.10.7.4",
    "The peer acknowledged our FIN: FIN-WAIT-1 moves to FIN-WAIT-2, CLOSING to TIME-WAIT, and LAST-ACK to CLOSED.",
    "对端确认了我方的 FIN：FIN-WAIT-1 转入 FIN-WAIT-2，CLOSING 转入 TIME-WAIT，LAST-ACK 则进入 CLOSED。");
rule!(DATA_RECEIVED, "data-received", "9293 §3.10.7.4",
    "Data arrived in order: RCV.NXT advances and the bytes are ready for the application. TCP acknowledges at once in the quick-ACK start and for every second segment.",
    "数据按序到达：RCV.NXT 前移，数据可供应用读取。在连接初期的 quick-ACK 阶段，以及每收到两个报文段时，TCP 立即回 ACK。");
rule!(FIN_RECEIVED, "fin-received", "9293 §3.10.7.4",
    "The peer's FIN arrived after all its data: TCP acknowledges it, recv() returns 0 (end of stream), and the state moves to CLOSE-WAIT, CLOSING or TIME-WAIT.",
    "对端的 FIN 在其全部数据之后到达：TCP 确认它，recv() 返回 0（数据流结束），状态转入 CLOSE-WAIT、CLOSING 或 TIME-WAIT。");
rule!(TIME_WAIT_FIN, "time-wait-fin", "9293 §3.10.7.4",
    "The peer's FIN arrived again in TIME-WAIT, so our last ACK was lost (or is late): TCP acknowledges the FIN again and restarts the TIME-WAIT timer.",
    "在 TIME-WAIT 状态又收到了对端的 FIN，说明我方最后的 ACK 丢失了（或迟到了）：TCP 再次确认这个 FIN，并重新开始 TIME-WAIT 计时。");
rule!(DATA_AFTER_CLOSE, "data-after-close", "1122 §4.2.2.13",
    "New data arrived after the application called close(): nobody will read it, so TCP sends RST to tell the peer it was lost, and goes to CLOSED.",
    "应用调用 close() 之后又有新数据到达：已无人读取，TCP 发送 RST 告知对端数据丢失，并进入 CLOSED。");
rule!(OUT_OF_ORDER, "out-of-order", "5681 §4.2",
    "The segment arrived after a gap: TCP keeps it for later and at once sends a duplicate ACK of RCV.NXT, telling the sender where the missing bytes start.",
    "报文段越过空缺提前到达：TCP 先把它存起来，并立即发送确认号仍为 RCV.NXT 的重复 ACK，告诉发送方缺失的数据从哪里开始。");
rule!(GAP_FILLED, "gap-filled", "5681 §4.2",
    "The segment fills all or part of the gap before data held out of order: RCV.NXT advances over what is now contiguous, and TCP acknowledges at once.",
    "该报文段填补了乱序数据之前的全部或部分空缺：RCV.NXT 越过现已连续的数据，TCP 立即发送 ACK。");
rule!(DELAYED_ACK, "delayed-ack", "9293 §3.8.6.3",
    "TCP holds back the ACK for a single data segment, hoping to send it with data; if the delayed-ACK timer (40 ms on Linux) fires first, the ACK goes out alone.",
    "只收到一个数据段时，TCP 暂缓发送 ACK，希望能捎带在数据上；若延迟确认定时器（Linux 为 40 ms）先到期，就单独发送 ACK。");
// Linux answers a repeated SYN on a half-open connection with its SYN,ACK (tcp_check_req).
rule!(DUPLICATE_SYN, "duplicate-syn",
    "The client's SYN arrived again while the connection is half-open, so the SYN,ACK was probably lost: Linux resends the SYN,ACK at once and restarts its retransmission timer.",
    "半连接期间又收到了客户端的同一个 SYN，说明 SYN,ACK 很可能丢了：Linux 立即重发 SYN,ACK，并重新启动重传定时器。");
rule!(ALL_ACKED, "all-acked", "6298 §5.2",
    "Everything sent has been acknowledged (SND.UNA = SND.NXT): TCP stops the retransmission timer.",
    "已发送的数据全部得到确认（SND.UNA = SND.NXT）：TCP 停止重传定时器。");
rule!(NEW_DATA_ACKED, "new-data-acked", "6298 §5.3",
    "An ACK covers new data while more is still unacknowledged: TCP restarts the retransmission timer with the current RTO.",
    "ACK 确认了新的数据，但仍有数据未被确认：TCP 以当前 RTO 重新启动重传定时器。");

// Timeouts (RFC 9293 §3.10.8, RFC 6298).
rule!(DATA_SENT, "data-sent", "6298 §5.1",
    "A segment with data or a FIN left while the retransmission timer was not running: TCP starts it with the current RTO.",
    "一个携带数据或 FIN 的报文段发出时，重传定时器尚未运行：TCP 以当前 RTO 启动它。");
rule!(RTO_EXPIRED, "rto-expired", "6298 §5.4",
    "The retransmission timer expired: TCP resends the oldest unacknowledged segment (SYN, SYN,ACK, data or FIN), doubles the RTO (not for Linux's first SYN retries) and restarts the timer.",
    "重传定时器到期：TCP 重发最早一个未被确认的报文段（SYN、SYN,ACK、数据或 FIN），将 RTO 加倍（Linux 最初几次 SYN 重传除外），并重启定时器。");
rule!(RETRIES_EXHAUSTED, "retries-exhausted", "1122 §4.2.3.5",
    "The segment was retransmitted as often as allowed (tcp_syn_retries for a SYN, tcp_retries2 for data) with no ACK: TCP gives up without RST, and the application gets ETIMEDOUT.",
    "报文段已重传到上限（SYN 由 tcp_syn_retries 决定，数据由 tcp_retries2 决定）仍未得到确认：TCP 放弃连接，不发送 RST，应用收到 ETIMEDOUT。");
rule!(SYNACK_RETRIES_EXHAUSTED, "synack-retries-exhausted",
    "The SYN,ACK was retransmitted tcp_synack_retries times without a final ACK: Linux silently removes the half-open connection from the SYN queue.",
    "SYN,ACK 已重传 tcp_synack_retries 次仍未等到最后的 ACK：Linux 悄悄地把这个半连接从 SYN 队列中删除，不通知任何一方。");
rule!(TIME_WAIT_ENTERED, "time-wait", "9293 §3.10.7.4",
    "The connection enters TIME-WAIT and starts its timer (60 s on Linux, 2 MSL in the RFC), to re-acknowledge a repeated FIN and let old duplicates of this connection die out.",
    "连接进入 TIME-WAIT 并启动定时器（Linux 为 60 秒，RFC 规定为 2 MSL），以便再次确认对端重传的 FIN，并让这个连接的旧报文在网络中消亡。");
rule!(TIME_WAIT_EXPIRED, "time-wait-expired", "9293 §3.10.8",
    "The TIME-WAIT timer expired: the connection is deleted and goes to CLOSED, and its address and port pair can be used again.",
    "TIME-WAIT 定时器到期：连接被删除并进入 CLOSED，它的地址和端口组合可以再次使用。");
rule!(FIN_WAIT_2_ORPHANED, "fin-wait-2-orphaned",
    "Our FIN was acknowledged after the application closed the socket, so the connection is an orphan: Linux gives it tcp_fin_timeout (60 s) in FIN-WAIT-2 to get the peer's FIN.",
    "我方 FIN 已被确认，而应用已关闭套接字，这个连接成了孤儿连接：Linux 只允许它在 FIN-WAIT-2 等待对端的 FIN 至多 tcp_fin_timeout（60 秒）。");
rule!(FIN_WAIT_2_TIMEOUT, "fin-wait-2-timeout",
    "The orphaned connection waited tcp_fin_timeout in FIN-WAIT-2 without the peer's FIN: TCP gives up on it, sends RST and goes to CLOSED.",
    "孤儿连接在 FIN-WAIT-2 等待了 tcp_fin_timeout 仍未收到对端的 FIN：TCP 放弃等待，发送 RST 并进入 CLOSED。");
rule!(CONNECTION_CLOSED, "connection-closed",
    "The connection reached CLOSED: any timer still armed is cancelled, since nothing is left to retransmit, acknowledge or probe.",
    "连接已进入 CLOSED：仍在运行的定时器全部取消，因为已没有需要重传、确认或探测的内容。");
rule!(KEEPALIVE_IDLE, "keepalive-idle", "1122 §4.2.3.6",
    "Keepalive (SO_KEEPALIVE) watches an idle connection: once nothing has arrived for tcp_keepalive_time (2 h on Linux), TCP starts probing the peer.",
    "keepalive（SO_KEEPALIVE）监视空闲的连接：若在 tcp_keepalive_time（Linux 为 2 小时）内没有收到任何报文，TCP 开始探测对端。");
rule!(KEEPALIVE_PROBE, "keepalive-probe", "1122 §4.2.3.6",
    "The connection has been idle too long: TCP sends a keepalive probe, an ACK with SEQ=SND.UNA-1 that a live peer must answer, and repeats it every tcp_keepalive_intvl (75 s).",
    "连接空闲太久：TCP 发送 keepalive 探测，即序号为 SND.UNA-1 的 ACK，存活的对端必须回应；无应答时每隔 tcp_keepalive_intvl（75 秒）再探测一次。");
// Linux gives up after `tcp_keepalive_probes` unanswered probes.
rule!(KEEPALIVE_EXHAUSTED, "keepalive-exhausted",
    "tcp_keepalive_probes probes (9 on Linux) went unanswered: TCP declares the peer dead, sends RST, and the application gets ETIMEDOUT.",
    "连续 tcp_keepalive_probes 个探测（Linux 为 9 个）都没有回应：TCP 认定对端已失联，发送 RST，应用收到 ETIMEDOUT。");

// Counterfactual modes, for teaching: not real TCP.
rule!(TWO_WAY_HANDSHAKE, "counterfactual-two-way-handshake",
    "Not real TCP: in this counterfactual mode the handshake ends after SYN and SYN,ACK, so the connection is ESTABLISHED without a third segment, even for an old duplicate SYN.",
    "这不是真实的 TCP：在这个假设模式中，握手在 SYN 和 SYN,ACK 之后即告结束，不需要第三个报文段就进入 ESTABLISHED，旧的重复 SYN 也能打开连接。");
rule!(NO_TIME_WAIT, "counterfactual-no-time-wait",
    "Not real TCP: in this counterfactual mode the closing side acknowledges the FIN and goes straight to CLOSED, skipping TIME-WAIT, so a repeated FIN meets an RST.",
    "这不是真实的 TCP：在这个假设模式中，主动关闭的一方确认 FIN 后直接进入 CLOSED，跳过 TIME-WAIT，于是对端重传的 FIN 只会换来 RST。");

// Hosts.
rule!(HOST_CRASH, "host-crash",
    "The host crashed: its connections and listeners vanish without sending anything, and until it reboots, segments sent to it are lost and its applications cannot run.",
    "主机崩溃：它的连接和监听套接字全部消失，不发出任何报文；在重启之前，发给它的报文段都会丢失，应用也无法运行。");
rule!(HOST_REBOOT, "host-reboot",
    "The host rebooted: it has forgotten every connection without a word, and its servers listen again. A segment for an old connection now meets an RST.",
    "主机重启：原有的连接全部被悄无声息地遗忘，服务重新开始监听。此后再收到属于旧连接的报文段，会回以 RST。");

// Listening sockets (Linux's SYN queue, accept queue and SYN cookies).
rule!(SYN_QUEUE_FULL, "syn-queue-full",
    "The listener's SYN queue is full (or nearly full, with SYN cookies off): Linux drops the SYN without an answer, and the client will retransmit it.",
    "监听套接字的 SYN 队列已满（或在未启用 SYN cookie 时接近上限）：Linux 直接丢弃 SYN，不作任何回应，客户端稍后会重传。");
rule!(ACCEPT_QUEUE_FULL, "accept-queue-full",
    "The accept queue is full because the application is not calling accept() fast enough: Linux drops this SYN or final handshake ACK, and a later retransmission tries again.",
    "accept 队列已满，因为应用没有及时调用 accept()：Linux 丢弃这个 SYN 或握手的最后一个 ACK，等之后的重传再试一次。");
// tcp_abort_on_overflow = 1: the connection is reset instead of waiting.
rule!(ACCEPT_QUEUE_OVERFLOW, "accept-queue-overflow",
    "The accept queue is full and tcp_abort_on_overflow is 1: instead of dropping the handshake's final ACK, the server forgets the connection and answers with RST.",
    "accept 队列已满且 tcp_abort_on_overflow 为 1：服务端不再丢弃握手的最后一个 ACK，而是直接丢掉这个连接，并回以 RST。");
rule!(SYNCOOKIE_SENT, "syncookie-sent", "4987 §3.6",
    "The SYN queue is full (or cookies are always on): the server answers with a SYN,ACK whose sequence number is a SYN cookie, and keeps no state for this SYN.",
    "SYN 队列已满（或配置为始终使用 cookie）：服务端回复的 SYN,ACK 以 SYN cookie 作为序号，且不为这个 SYN 保存任何状态。");
rule!(QUEUE_CHANGED, "queue-changed",
    "The listener's queues changed: the SYN queue holds half-open connections, the accept queue established ones waiting for accept().",
    "监听套接字的队列发生了变化：SYN 队列存放半连接，accept 队列存放已建立、等待 accept() 取走的连接。");
rule!(ACCEPT_CALL, "accept-call",
    "The application called accept(): it takes the oldest established connection from the accept queue. No segment is sent.",
    "应用调用了 accept()：从 accept 队列中取出最早建立的连接，此过程不发送任何报文。");
rule!(ACCEPT_EMPTY, "accept-nothing-waiting",
    "The application called accept(), but no established connection is waiting in the accept queue: the call fails with EAGAIN.",
    "应用调用了 accept()，但 accept 队列中没有已建立的连接：调用以 EAGAIN 失败。");
// The server application answers a request (`reply=N`).
rule!(SERVER_REPLY, "server-reply",
    "The server application (reply=N) answers each request with N bytes, closes when its client has closed, and with close=after-reply closes after each answer, like HTTP/1.0.",
    "服务端应用（reply=N）对每个请求回复 N 字节，在客户端关闭后随之关闭；若设置了 close=after-reply，则像 HTTP/1.0 那样每次回复后就关闭。");

// Attackers.
rule!(FLOOD_SYN, "syn-flood", "4987 §2",
    "An attacker sends SYNs from spoofed source addresses and never completes the handshakes, to fill the server's SYN queue with half-open connections.",
    "攻击者用伪造的源地址发送大量 SYN，却从不完成握手，企图用半连接塞满服务端的 SYN 队列。");

// The network between hosts.
rule!(LINK_DELIVERY, "link-delivery",
    "The segment reached this host after crossing the link: the link's one-way delay, plus any jitter or extra delay the scenario adds.",
    "报文段穿过链路到达了这台主机：用时为链路的单向时延，加上可能的抖动或场景额外设置的延迟。");
rule!(LINK_LOSS, "link-loss",
    "The link lost this segment at random (the link's loss= chance): it dies halfway and the receiver never sees it.",
    "链路按 loss= 设定的概率随机丢掉了这个报文段：它在半路消失，接收方永远收不到。");
rule!(NO_ROUTE, "no-route",
    "No link leads from this host to the destination address (for example a spoofed address nobody uses), so the segment is lost as it leaves.",
    "从这台主机到目的地址没有链路（例如无人使用的伪造地址），报文段一发出就丢失了。");
rule!(UNPLUGGED, "unplugged",
    "The host's cable is unplugged: every segment it sends or should receive is lost, but its connections do not know it and keep their state and timers.",
    "主机的网线被拔掉了：它发出或应收到的报文段都会丢失，但它的连接对此一无所知，状态和定时器照常保留。");
rule!(REPLUGGED, "replugged",
    "The host's cable is plugged in again: segments reach it and leave it once more, and connections whose timers have not given up carry on.",
    "主机的网线重新插上：报文段又能正常收发，定时器尚未放弃的连接可以继续工作。");
// A `drop` statement of the scenario took this segment.
rule!(FAULT_DROP, "fault-drop",
    "A drop statement in the scenario matched this segment, so the network discards it halfway along the link, as if it were lost.",
    "场景中的一条 drop 语句匹配了这个报文段，网络在链路中途将其丢弃，效果如同丢包。");

// Captures read back: what a real network did, not the simulator.
rule!(CAPTURED, "captured",
    "This segment was seen in a real capture, not simulated: its header is exactly as recorded, and its send and arrival times are estimated from where the capture was taken.",
    "这个报文段来自真实的抓包，而不是模拟出来的：报文头与抓包记录完全一致，发送和到达时间则是根据抓包位置推算的。");

/// Every reason, in the order this file defines them (two share `unacceptable-ack`).
pub const ALL: &[Why] = &[
    ACTIVE_OPEN,
    PASSIVE_OPEN,
    SEND_CALL,
    CLOSE_CALL,
    SHUTDOWN_CALL,
    RECV_CALL,
    UNREAD_DATA,
    CLOSE_IN_SYN_SENT,
    ABORT_CALL,
    APP_CALL,
    NO_CONNECTION,
    CLOSED_PORT,
    LISTEN_SYN,
    LISTEN_ACK,
    SYNACK_RECEIVED,
    SIMULTANEOUS_OPEN,
    SYN_SENT_BAD_ACK,
    REFUSED,
    OUT_OF_WINDOW,
    RST_RECEIVED,
    CHALLENGE_ACK_RST,
    CHALLENGE_ACK,
    HANDSHAKE_ACKED,
    SYNCOOKIE_ACK,
    SYN_RECEIVED_BAD_ACK,
    ACK_OF_UNSENT,
    FIN_ACKED,
    DATA_RECEIVED,
    FIN_RECEIVED,
    TIME_WAIT_FIN,
    DATA_AFTER_CLOSE,
    OUT_OF_ORDER,
    GAP_FILLED,
    DELAYED_ACK,
    DUPLICATE_SYN,
    ALL_ACKED,
    NEW_DATA_ACKED,
    DATA_SENT,
    RTO_EXPIRED,
    RETRIES_EXHAUSTED,
    SYNACK_RETRIES_EXHAUSTED,
    TIME_WAIT_ENTERED,
    TIME_WAIT_EXPIRED,
    FIN_WAIT_2_ORPHANED,
    FIN_WAIT_2_TIMEOUT,
    CONNECTION_CLOSED,
    KEEPALIVE_IDLE,
    KEEPALIVE_PROBE,
    KEEPALIVE_EXHAUSTED,
    TWO_WAY_HANDSHAKE,
    NO_TIME_WAIT,
    HOST_CRASH,
    HOST_REBOOT,
    SYN_QUEUE_FULL,
    ACCEPT_QUEUE_FULL,
    ACCEPT_QUEUE_OVERFLOW,
    SYNCOOKIE_SENT,
    QUEUE_CHANGED,
    ACCEPT_CALL,
    ACCEPT_EMPTY,
    SERVER_REPLY,
    FLOOD_SYN,
    LINK_DELIVERY,
    LINK_LOSS,
    NO_ROUTE,
    UNPLUGGED,
    REPLUGGED,
    FAULT_DROP,
    CAPTURED,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SOURCE: &str = include_str!("why.rs");

    /// The id (the first string literal) of every `rule!` invocation, in file order.
    fn ids_in_source() -> Vec<&'static str> {
        SOURCE
            .split("\nrule!(")
            .skip(1)
            .map(|rule| rule.split('"').nth(1).expect("a rule has an id"))
            .collect()
    }

    #[test]
    fn all_lists_every_rule_in_file_order() {
        assert_eq!(ALL.len(), SOURCE.matches("\nrule!(").count());
        let ids: Vec<&str> = ALL.iter().map(|w| w.id()).collect();
        assert_eq!(ids, ids_in_source());
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a, b, "{} is listed twice", a.id());
            }
        }
    }

    #[test]
    fn ids_are_unique_except_unacceptable_ack() {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for why in ALL {
            *count.entry(why.id()).or_default() += 1;
        }
        for (id, n) in count {
            let expected = if id == "unacceptable-ack" { 2 } else { 1 };
            assert_eq!(n, expected, "id {id} is used by {n} rules");
        }
        assert_eq!(SYN_SENT_BAD_ACK.id(), SYN_RECEIVED_BAD_ACK.id());
    }

    #[test]
    fn every_reason_explains_itself_in_both_languages() {
        for why in ALL {
            let (id, en, zh) = (why.id(), why.en(), why.zh());
            assert!(!en.trim().is_empty(), "{id}: no English");
            assert!(!zh.trim().is_empty(), "{id}: no Chinese");
            assert!(
                en.ends_with('.'),
                "{id}: English must end with a period: {en}"
            );
            assert!(zh.ends_with('。'), "{id}: Chinese must end with 。: {zh}");
            assert!(en.chars().count() < 240, "{id}: English too long: {en}");
            assert!(en.is_ascii(), "{id}: English should be plain ASCII: {en}");
            // Full-width punctuation in Chinese ("SYN,ACK" keeps its comma).
            assert!(
                !zh.contains([':', ';']),
                "{id}: half-width punctuation: {zh}"
            );
            assert_eq!(why.text("en"), en);
            assert_eq!(why.text("zh"), zh);
            assert_eq!(why.text("fr"), en);
        }
    }
}
