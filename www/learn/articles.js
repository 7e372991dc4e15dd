// The articles, in reading order: the navigation, the pager and the language switch are built
// from this list (and the tests walk it).
export const ARTICLES = [
  { slug: "handshake", blurb: { en: "What the three segments carry, why it takes three, and the queues a listener keeps.", zh: "三个报文段各带了什么，为什么是三次，以及监听方维护的两个队列。" }, en: "The three-way handshake", zh: "三次握手" },
  { slug: "close", blurb: { en: "FIN, half-close, CLOSE-WAIT, TIME-WAIT and why it lasts, simultaneous close.", zh: "FIN、半关闭、CLOSE-WAIT、TIME-WAIT 为何存在又持续多久，以及同时关闭。" }, en: "Closing a connection", zh: "关闭连接" },
  { slug: "loss", blurb: { en: "A lost SYN, SYN,ACK or final ACK, and the retry schedules of real stacks.", zh: "SYN、SYN,ACK 或最后一个 ACK 丢了会怎样，真实协议栈的重传时间表。" }, en: "When segments are lost", zh: "报文段丢失时" },
  { slug: "syn-flood", blurb: { en: "The attack, what it looks like from the server, and what each defence costs.", zh: "这种攻击是什么、在服务器上看起来什么样，以及每种防御的代价。" }, en: "SYN flood, the queues and SYN cookies", zh: "SYN 洪泛、两个队列与 SYN Cookie" },
  { slug: "keepalive", blurb: { en: "Probing an idle connection, and one connection for many HTTP requests.", zh: "探测空闲连接，以及让多个 HTTP 请求共用一条连接。" }, en: "Keepalive and persistent connections", zh: "保活与持久连接" },
  { slug: "resets", blurb: { en: "Every way a connection meets an RST, what the application is told, and which resets are believed.", zh: "连接遇到 RST 的各种情形、应用各自得到什么错误，以及什么样的 RST 才会被接受。" }, en: "Resets (RST)", zh: "RST：连接被重置" },
  { slug: "giving-up", blurb: { en: "How long TCP tries before it says a connection is dead: the SYN, the SYN,ACK, data, orphans and idle connections.", zh: "TCP 要重试多久才认定连接已死：SYN、SYN,ACK、数据、孤儿连接与空闲连接。" }, en: "Giving up", zh: "何时放弃" },
  { slug: "restart", blurb: { en: "Why a restarted server's bind() fails with EADDRINUSE, what SO_REUSEADDR changes, and why TIME-WAIT is not the thing to shorten.", zh: "重启后的服务器为什么 bind() 报 EADDRINUSE，SO_REUSEADDR 到底改变了什么，以及为什么不该去缩短 TIME-WAIT。" }, en: "Restarting a server", zh: "重启服务器" },
  { slug: "segment", blurb: { en: "Every header field of a real segment, and the seq/ack arithmetic.", zh: "一个真实报文段的每个首部字段，以及序号与确认号的算法。" }, en: "The segment, field by field", zh: "报文段的每一个字段" },
  { slug: "capture", blurb: { en: "A real Linux capture read segment by segment: options, relative numbers, ACKs, timestamps and the close, beside the model.", zh: "逐个报文段读一份真实的 Linux 抓包：选项、相对序号、确认、时间戳与关闭，再和模型对照。" }, en: "Reading a real capture", zh: "读懂真实抓包" },
  { slug: "states", blurb: { en: "All eleven states, lit up as a connection moves through them.", zh: "全部十一个状态，连接经过时逐一点亮。" }, en: "The state machine", zh: "状态机" },
  { slug: "myths", blurb: { en: "Claims that popular posts repeat, checked against a current stack.", zh: "流行文章反复出现的说法，拿现代协议栈逐一核对。" }, en: "Myths and facts", zh: "流传的说法与事实" },
  { slug: "embed", blurb: { en: "One snippet for Hexo, mdBook, Docusaurus, VitePress or plain HTML.", zh: "一段代码放进 Hexo、mdBook、Docusaurus、VitePress 或普通 HTML。" }, en: "Put a playground in your docs", zh: "把演示嵌入你的文档" },
];

export const LANGS = { en: "English", zh: "中文" };
