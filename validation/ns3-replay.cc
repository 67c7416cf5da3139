// ns3-replay.cc - the packet-level reference for strata's transfer models:
// replays an uplink and a downlink bandwidth trace on one ns-3
// point-to-point link (the rate set at every trace step), with the given
// propagation delay, and runs a sequence of request/response exchanges
// over real ns-3 TCP (NewReno or Cubic), one persistent connection or a
// new connection per request.  Writes one line per exchange:
//     index start_s end_s latency_s
// (latency = last response byte received - request start; nan when it did
// not finish) and, on stderr, the packets the link queues dropped (0 means
// the loss-free assumption held).
//
// Usage: ns3-replay --up=TRACE --down=TRACE --rtt-ms=R --requests=FILE
//                   [--tcp=NewReno|Cubic] [--conn=reused|new]
//                   [--mss=1448] [--init-cwnd=10] [--out=FILE]
// TRACE: "time_s mbps" per line, optional "# duration_s: D" (the period;
// default: the last time plus the median step); the trace loops.  Rates
// must be > 0 (a zero rate cannot be a device rate).  FILE: one exchange
// per line, "start_s up_bytes down_bytes", starts non-decreasing.
//
// Trace rates are payload (goodput) rates, as strata reads them: the
// device rate is scaled by (MSS + 54) / MSS for the TCP/IP/PPP headers.
// Receivers ACK every segment (DelAckCount 1, as Linux's quick-ack does
// in slow start); queues are large so that nothing is dropped, and the
// receive buffer caps the window at 4 MB.
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

struct Trace
{
    std::vector<double> t, bps;
    double period = 0;
};

struct Exchange
{
    double start;
    uint64_t up, down;
    double end = NAN;
};

[[noreturn]] void Fail(const std::string& msg)
{
    std::cerr << "ns3-replay: " << msg << "\n";
    std::exit(2);
}

Trace ReadTrace(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        Fail(path + ": cannot open");
    Trace tr;
    std::string line;
    for (int no = 1; std::getline(in, line); no++)
    {
        double d;
        if (std::sscanf(line.c_str(), "# duration_s: %lf", &d) == 1)
        {
            tr.period = d;
            continue;
        }
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream ls(line);
        double t, mbps;
        if (!(ls >> t >> mbps) || !(mbps > 0) ||
            (!tr.t.empty() && !(t > tr.t.back())))
            Fail(path + ":" + std::to_string(no) +
                 ": expected 'time_s mbps' with increasing time and rate > 0");
        tr.t.push_back(t);
        tr.bps.push_back(mbps * 1e6);
    }
    if (tr.t.empty())
        Fail(path + ": no samples");
    if (!(tr.period > tr.t.back() - tr.t.front()))
    {
        std::vector<double> steps;
        for (size_t i = 1; i < tr.t.size(); i++)
            steps.push_back(tr.t[i] - tr.t[i - 1]);
        std::sort(steps.begin(), steps.end());
        double med = steps.empty() ? 1.0 : steps[steps.size() / 2];
        tr.period = tr.t.back() - tr.t.front() + med;
    }
    return tr;
}

std::vector<Exchange> ReadRequests(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        Fail(path + ": cannot open");
    std::vector<Exchange> ex;
    std::string line;
    for (int no = 1; std::getline(in, line); no++)
    {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream ls(line);
        Exchange e;
        if (!(ls >> e.start >> e.up >> e.down) || e.up == 0 || e.down == 0 ||
            (!ex.empty() && e.start < ex.back().start))
            Fail(path + ":" + std::to_string(no) +
                 ": expected 'start_s up_bytes down_bytes', starts in order");
        ex.push_back(e);
    }
    if (ex.empty())
        Fail(path + ": no requests");
    return ex;
}

// Sets the device's rate at every step of the looping trace until `until`.
void ScheduleRates(Ptr<PointToPointNetDevice> dev, const Trace& tr, double scale,
                   double until)
{
    for (double base = 0; base < until; base += tr.period)
        for (size_t i = 0; i < tr.t.size(); i++)
        {
            double at = base + tr.t[i] - tr.t.front();
            if (at >= until)
                break;
            DataRate r(static_cast<uint64_t>(std::llround(tr.bps[i] * scale)));
            Simulator::Schedule(Seconds(at), [dev, r]() { dev->SetDataRate(r); });
        }
}

// Sends n bytes of zeros (the buffers are sized so that this never blocks).
void SendBytes(Ptr<Socket> s, uint64_t n)
{
    while (n > 0)
    {
        uint32_t k = static_cast<uint32_t>(std::min<uint64_t>(n, 1 << 20));
        if (s->Send(Create<Packet>(k)) < 0)
            Fail("send buffer full; raise SndBufSize");
        n -= k;
    }
}

uint64_t Drain(Ptr<Socket> s)
{
    uint64_t got = 0;
    while (Ptr<Packet> p = s->Recv())
        got += p->GetSize();
    return got;
}

// Both ends' view of the exchanges one connection carries, in order.
struct Conn
{
    std::vector<size_t> reqs;
    size_t next = 0;   // first exchange not yet complete at this end
    uint64_t got = 0;  // bytes received towards exchange `next`
};

struct Replay
{
    std::vector<Exchange> ex;
    bool reused = true;
    Ptr<Node> client, server;
    Ipv4Address server_addr;
    std::map<Ptr<Socket>, Conn> server_conns;
    size_t accepted = 0;
    Ptr<Socket> shared;  // the persistent client connection
    Conn shared_conn;

    void ServerRecv(Ptr<Socket> s)
    {
        Conn& c = server_conns[s];
        c.got += Drain(s);
        while (c.next < c.reqs.size() && c.got >= ex[c.reqs[c.next]].up)
        {
            c.got -= ex[c.reqs[c.next]].up;
            SendBytes(s, ex[c.reqs[c.next]].down);
            c.next++;
        }
    }

    void Accept(Ptr<Socket> s, const Address&)
    {
        Conn c;
        if (reused)
            for (size_t i = 0; i < ex.size(); i++)
                c.reqs.push_back(i);
        else
            c.reqs.push_back(accepted);
        accepted++;
        server_conns[s] = c;
        s->SetRecvCallback(MakeCallback(&Replay::ServerRecv, this));
    }

    void ClientRecv(Conn* c, Ptr<Socket> s)
    {
        c->got += Drain(s);
        while (c->next < c->reqs.size() && c->got >= ex[c->reqs[c->next]].down)
        {
            c->got -= ex[c->reqs[c->next]].down;
            ex[c->reqs[c->next]].end = Simulator::Now().GetSeconds();
            c->next++;
        }
        if (!reused && c->next == c->reqs.size())
            s->Close();
    }

    Ptr<Socket> Open(Conn* c, size_t first_send)
    {
        Ptr<Socket> s = Socket::CreateSocket(client, TcpSocketFactory::GetTypeId());
        s->Bind();
        s->SetRecvCallback([this, c](Ptr<Socket> k) { ClientRecv(c, k); });
        s->SetConnectCallback(
            [this, first_send](Ptr<Socket> k) {
                if (first_send < ex.size())
                    SendBytes(k, ex[first_send].up);
            },
            [](Ptr<Socket>) { Fail("connection refused"); });
        s->Connect(InetSocketAddress(server_addr, 9));
        return s;
    }

    void Start()
    {
        Ptr<Socket> l = Socket::CreateSocket(server, TcpSocketFactory::GetTypeId());
        l->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9));
        l->Listen();
        l->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                             MakeCallback(&Replay::Accept, this));
        if (reused)
        {
            for (size_t i = 0; i < ex.size(); i++)
                shared_conn.reqs.push_back(i);
            // Opened at time 0 (once the stack has started), then idle.
            Simulator::ScheduleNow([this]() { shared = Open(&shared_conn, ex.size()); });
            for (size_t i = 0; i < ex.size(); i++)
                Simulator::Schedule(Seconds(ex[i].start),
                                    [this, i]() { SendBytes(shared, ex[i].up); });
            return;
        }
        for (size_t i = 0; i < ex.size(); i++)
            Simulator::Schedule(Seconds(ex[i].start), [this, i]() {
                Conn* c = new Conn;  // lives as long as the run
                c->reqs.push_back(i);
                Open(c, i);
            });
    }
};

uint64_t g_drops = 0;

void CountDrop(Ptr<const Packet>)
{
    g_drops++;
}

void CountQdiscDrop(Ptr<const QueueDiscItem>)
{
    g_drops++;
}

} // namespace

int main(int argc, char* argv[])
{
    std::string up_path, down_path, req_path, out_path, tcp = "NewReno", conn = "reused";
    double rtt_ms = -1;
    uint32_t mss = 1448, init_cwnd = 10;
    CommandLine cmd(__FILE__);
    cmd.AddValue("up", "uplink trace (client to server)", up_path);
    cmd.AddValue("down", "downlink trace (server to client)", down_path);
    cmd.AddValue("rtt-ms", "round-trip propagation delay, ms", rtt_ms);
    cmd.AddValue("requests", "exchanges: start_s up_bytes down_bytes", req_path);
    cmd.AddValue("tcp", "NewReno or Cubic", tcp);
    cmd.AddValue("conn", "reused (one connection) or new (one per request)", conn);
    cmd.AddValue("mss", "segment size, bytes", mss);
    cmd.AddValue("init-cwnd", "initial window, segments", init_cwnd);
    cmd.AddValue("out", "output file (default stdout)", out_path);
    cmd.Parse(argc, argv);
    if (up_path.empty() || down_path.empty() || req_path.empty() || !(rtt_ms >= 0))
        Fail("--up, --down, --requests and --rtt-ms are required");
    if (tcp != "NewReno" && tcp != "Cubic")
        Fail("--tcp must be NewReno or Cubic, not '" + tcp + "'");
    if (conn != "reused" && conn != "new")
        Fail("--conn must be reused or new, not '" + conn + "'");

    Trace up = ReadTrace(up_path), down = ReadTrace(down_path);
    Replay rp;
    rp.ex = ReadRequests(req_path);
    rp.reused = conn == "reused";
    double until = rp.ex.back().start + 600;

    Config::SetDefault("ns3::TcpL4Protocol::SocketType",
                       TypeIdValue(TypeId::LookupByName("ns3::Tcp" + tcp)));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(mss));
    Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(init_cwnd));
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(1));
    // Send buffers never block the application; the receive buffer caps
    // the window at 4 MB, about what Linux's default tcp_rmem maximum
    // (6 MB) advertises.  Without a cap a reused connection's window grows
    // without bound (ns-3 does not restart it after idle), the link queue
    // holds tens of seconds of data and spurious timeouts stall it.
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(64u << 20));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(4u << 20));

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetChannelAttribute("Delay", TimeValue(Seconds(rtt_ms / 2000.0)));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("100000p"));
    NetDeviceContainer devs = p2p.Install(nodes);
    InternetStackHelper stack;
    stack.Install(nodes);
    TrafficControlHelper tch;
    tch.SetRootQueueDisc("ns3::FifoQueueDisc", "MaxSize", StringValue("100000p"));
    QueueDiscContainer qdiscs = tch.Install(devs);
    Ipv4AddressHelper addr;
    addr.SetBase("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);
    for (uint32_t i = 0; i < 2; i++)
    {
        DynamicCast<PointToPointNetDevice>(devs.Get(i))
            ->GetQueue()
            ->TraceConnectWithoutContext("Drop", MakeCallback(&CountDrop));
        qdiscs.Get(i)->TraceConnectWithoutContext("Drop", MakeCallback(&CountQdiscDrop));
    }

    double wire = (mss + 54.0) / mss;  // TCP with timestamps 32 + IP 20 + PPP 2
    ScheduleRates(DynamicCast<PointToPointNetDevice>(devs.Get(0)), up, wire, until);
    ScheduleRates(DynamicCast<PointToPointNetDevice>(devs.Get(1)), down, wire, until);

    rp.client = nodes.Get(0);
    rp.server = nodes.Get(1);
    rp.server_addr = ifs.GetAddress(1);
    rp.Start();
    Simulator::Stop(Seconds(until));
    Simulator::Run();
    Simulator::Destroy();

    std::ofstream file;
    if (!out_path.empty())
    {
        file.open(out_path);
        if (!file)
            Fail(out_path + ": cannot write");
    }
    std::ostream& out = out_path.empty() ? std::cout : file;
    char buf[128];
    for (size_t i = 0; i < rp.ex.size(); i++)
    {
        const Exchange& e = rp.ex[i];
        std::snprintf(buf, sizeof buf, "%zu %.9f %.9f %.9f\n", i, e.start, e.end,
                      e.end - e.start);
        out << buf;
    }
    std::cerr << "ns3-replay: " << g_drops << " packets dropped\n";
    return 0;
}
