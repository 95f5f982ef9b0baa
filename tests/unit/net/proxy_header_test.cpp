// The PROXY protocol header parser (src/net/proxy_header.h): HAProxy's
// examples of both versions, what must be refused, the bytes it asks for
// (never past the header), and a randomized robustness run over mutated
// headers with the invariants of proxy_header_check.h.
#include "net/proxy_header.h"

#include <gtest/gtest.h>

#include <random>

#include "proxy_header_check.h"
#include "support/mutator.h"

namespace postern::net {
namespace {

using Status = ProxyParse::Status;

const std::string kSignature{"\r\n\r\n\0\r\nQUIT\n", 12};

// A v2 header: command (0 LOCAL, 1 PROXY), family and protocol byte, and
// the address block (and TLVs).
std::string v2(unsigned char command, unsigned char family, const std::string& block) {
  std::string out = kSignature;
  out += static_cast<char>(0x20 | command);
  out += static_cast<char>(family);
  out += static_cast<char>(block.size() >> 8);
  out += static_cast<char>(block.size() & 0xff);
  return out + block;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

// 203.0.113.7:51234 -> 10.0.0.11:2525, and a TLV (PP2_TYPE_ALPN "h2").
const std::string kInet = bytes({203, 0, 113, 7, 10, 0, 0, 11, 0xc8, 0x22, 0x09, 0xdd});

ProxyParse parse_ok(std::string_view input) {
  EXPECT_EQ(test::proxy_parse_problem(input), std::nullopt);
  return parse_proxy_header(input);
}

TEST(ProxyHeaderTest, V1Tcp4LeavesWhatFollows) {
  std::string line = "PROXY TCP4 203.0.113.7 10.0.0.11 51234 2525\r\n";
  auto p = parse_ok(line + "EHLO x\r\n");
  ASSERT_EQ(p.status, Status::complete);
  EXPECT_EQ(p.length, line.size());
  EXPECT_EQ(p.header.version, 1);
  EXPECT_FALSE(p.header.local);
  EXPECT_EQ(p.header.source->address, "203.0.113.7");
  EXPECT_EQ(p.header.source->port, 51234);
  EXPECT_EQ(p.header.destination->address, "10.0.0.11");
  EXPECT_EQ(p.header.destination->port, 2525);
}

TEST(ProxyHeaderTest, V1Tcp6AndUnknown) {
  auto p = parse_ok("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n");
  ASSERT_EQ(p.status, Status::complete);
  EXPECT_EQ(p.header.source->address, "2001:db8::1");
  EXPECT_EQ(p.header.source->port, 65535);
  // An IPv4 client of a dual-stack proxy: named as IPv4, as peer_of() does.
  p = parse_ok("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n");
  ASSERT_EQ(p.status, Status::complete);
  EXPECT_EQ(p.header.source->address, "192.0.2.1");
  // UNKNOWN: the rest of the line is ignored, the connection's own
  // endpoints are used.
  for (std::string_view line : {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"}) {
    p = parse_ok(line);
    ASSERT_EQ(p.status, Status::complete) << line;
    EXPECT_TRUE(p.header.local);
    EXPECT_FALSE(p.header.source);
  }
}

TEST(ProxyHeaderTest, V1Refusals) {
  for (std::string_view line : {
           "PROXY TCP4 203.0.113.7 10.0.0.11 51234 65536\r\n",  // port too large
           "PROXY TCP4 203.0.113.7 10.0.0.11 -1 25\r\n",
           "PROXY TCP4 203.0.113.7 10.0.0.11  25\r\n",   // an empty field
           "PROXY TCP4 2001:db8::1 10.0.0.11 1 25\r\n",  // IPv6 under TCP4
           "PROXY TCP4 203.0.113.256 10.0.0.11 1 25\r\n",
           "PROXY UDP4 203.0.113.7 10.0.0.11 1 25\r\n",
           "PROXY TCP4 203.0.113.7 10.0.0.11 1 25 extra\r\n",
           "PROXY TCP4 203.0.113.7 10.0.0.11 1 25\n",  // LF without CR
           "PROXY TCP4 203.0.113.7\r10.0.0.11 1 25\r\n",
           "proxy TCP4 203.0.113.7 10.0.0.11 1 25\r\n",
           "EHLO client.example\r\n",
           "GET / HTTP/1.1\r\n",
       }) {
    auto p = parse_proxy_header(line);
    EXPECT_EQ(p.status, Status::invalid) << line;
    EXPECT_FALSE(p.problem.empty());
    EXPECT_EQ(test::proxy_parse_problem(line), std::nullopt);
  }
  // 107 bytes without a CRLF.
  std::string long_line = "PROXY UNKNOWN " + std::string(100, 'x') + "\r\n";
  EXPECT_EQ(parse_proxy_header(long_line).status, Status::invalid);
  std::string longest = "PROXY UNKNOWN " + std::string(91, 'x') + "\r\n";
  ASSERT_EQ(longest.size(), kProxyV1MaxLength);
  EXPECT_EQ(parse_proxy_header(longest).status, Status::complete);
}

TEST(ProxyHeaderTest, V2ProxyInetWithTlvs) {
  std::string tlv = bytes({0x01, 0x00, 0x02, 'h', '2'});
  auto header = v2(1, 0x11, kInet + tlv);
  auto p = parse_ok(header + "GET / HTTP/1.1\r\n");
  ASSERT_EQ(p.status, Status::complete);
  EXPECT_EQ(p.length, header.size());
  EXPECT_EQ(p.header.version, 2);
  EXPECT_EQ(p.header.source->address, "203.0.113.7");
  EXPECT_EQ(p.header.source->port, 51234);
  EXPECT_EQ(p.header.destination->address, "10.0.0.11");
  EXPECT_EQ(p.header.destination->port, 2525);
}

TEST(ProxyHeaderTest, V2Inet6LocalUnspecAndUnix) {
  std::string block(36, '\0');
  block[0] = 0x20, block[1] = 0x01, block[2] = 0x0d, block[3] = static_cast<char>(0xb8);
  block[15] = 1;                       // 2001:db8::1
  block[31] = 1;                       // ::1
  block[32] = 0x01, block[33] = 0x00;  // port 256
  block[34] = 0x00, block[35] = 0x19;  // port 25
  auto p = parse_ok(v2(1, 0x21, block));
  ASSERT_EQ(p.status, Status::complete);
  EXPECT_EQ(p.header.source->address, "2001:db8::1");
  EXPECT_EQ(p.header.source->port, 256);
  EXPECT_EQ(p.header.destination->address, "::1");
  // LOCAL (HAProxy's health checks), whatever follows; UNSPEC; AF_UNIX.
  for (const auto& header :
       {v2(0, 0x00, ""), v2(0, 0x11, kInet), v2(1, 0x00, ""), v2(1, 0x31, std::string(216, 'p'))}) {
    p = parse_ok(header);
    ASSERT_EQ(p.status, Status::complete);
    EXPECT_TRUE(p.header.local);
    EXPECT_EQ(p.length, header.size());
  }
}

TEST(ProxyHeaderTest, V2Refusals) {
  auto bad_version = v2(1, 0x11, kInet);
  bad_version[12] = 0x11;
  for (const auto& header : {
           bad_version, v2(2, 0x11, kInet),   // command 2
           v2(1, 0x12, kInet),                // UDP on a TCP listener
           v2(1, 0x41, kInet),                // family 4
           v2(1, 0x13, kInet),                // protocol 3
           v2(1, 0x11, kInet.substr(0, 11)),  // too short for the addresses
           v2(1, 0x21, kInet),                // too short for IPv6
       }) {
    EXPECT_EQ(parse_proxy_header(header).status, Status::invalid);
    EXPECT_EQ(test::proxy_parse_problem(header), std::nullopt);
  }
}

TEST(ProxyHeaderTest, AsksOnlyForBytesOfTheHeader) {
  EXPECT_EQ(parse_proxy_header("").wanted, 8u);
  EXPECT_EQ(parse_proxy_header("PRO").wanted, 5u);
  EXPECT_EQ(parse_proxy_header(std::string_view(kSignature.data(), 5)).wanted, 3u);
  EXPECT_EQ(parse_proxy_header(std::string_view(kSignature.data(), 9)).wanted, 7u);
  auto header = v2(1, 0x11, kInet);
  EXPECT_EQ(parse_proxy_header(header.substr(0, 16)).wanted, kInet.size());
  EXPECT_EQ(parse_proxy_header("PROXY TCP4 1").wanted, 2u);
  EXPECT_EQ(parse_proxy_header("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r").wanted, 1u);
  // Not a header from the first byte that differs.
  EXPECT_EQ(parse_proxy_header("PROXX").status, Status::invalid);
  EXPECT_EQ(parse_proxy_header("\r\n\r\nX").status, Status::invalid);
}

// Bytes that matter to the format, and both versions' seeds.
constexpr char kAlphabetBytes[] =
    "PROXY TCP46UNKOW.:0123456789abcdef\r\n\0QUIT\x11\x21\x20\x21\xff";
constexpr std::string_view kAlphabet{kAlphabetBytes, sizeof kAlphabetBytes - 1};

TEST(ProxyHeaderTest, RandomizedRobustness) {
  const std::vector<std::string> seeds = {
      "PROXY TCP4 203.0.113.7 10.0.0.11 51234 2525\r\nEHLO x\r\n",
      "PROXY TCP6 2001:db8::1 ::1 65535 0\r\n",
      "PROXY UNKNOWN\r\n",
      v2(1, 0x11, kInet + bytes({0x01, 0x00, 0x02, 'h', '2'})) + "GET /",
      v2(0, 0x00, ""),
      v2(1, 0x21, std::string(36, '\x01')),
  };
  std::mt19937 rng(20261207);
  postern::test::Mutator mutator(rng, kAlphabet, seeds);
  int complete = 0;
  for (int i = 0; i < 50000; ++i) {
    auto input = i % 5 == 0 ? mutator.bytes(120) : mutator.mutated_seed();
    auto problem = test::proxy_parse_problem(input);
    ASSERT_EQ(problem, std::nullopt) << testing::PrintToString(input);
    complete += parse_proxy_header(input).status == Status::complete;
  }
  // The mutations keep reaching valid headers, not only refusals.
  EXPECT_GT(complete, 1000);
}

}  // namespace
}  // namespace postern::net
