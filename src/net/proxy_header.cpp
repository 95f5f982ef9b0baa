// parse_proxy_header: see proxy_header.h. The section numbers are those
// of HAProxy's proxy-protocol.txt.
#include "net/proxy_header.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <vector>

namespace postern::net {
namespace {

using Status = ProxyParse::Status;

// 2.2: the twelve bytes that open a v2 header (they cannot start any
// request of a text protocol: "\r\n\r\n\0\r\nQUIT\n").
constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::string_view kV1Prefix = "PROXY ";
// Both forms are longer than this (v1's shortest is "PROXY UNKNOWN\r\n", 15
// bytes): the driver may read it before knowing which one comes.
constexpr std::size_t kFirstRead = 8;

ProxyParse need(std::size_t n) {
  ProxyParse p;
  p.wanted = n;
  return p;
}

ProxyParse invalid(std::string problem) {
  ProxyParse p;
  p.status = Status::invalid;
  p.problem = std::move(problem);
  return p;
}

ProxyParse complete(std::size_t length, ProxyHeader header) {
  ProxyParse p;
  p.status = Status::complete;
  p.length = length;
  p.header = std::move(header);
  return p;
}

bool starts_like(std::string_view input, std::string_view prefix) {
  auto n = std::min(input.size(), prefix.size());
  return input.substr(0, n) == prefix.substr(0, n);
}

// The address as text from its bytes (4 or 16), an IPv4-mapped IPv6 one
// as IPv4, as net::peer_of() names a socket's peer.
std::string address_text(const unsigned char* bytes, int family) {
  static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == AF_INET6 && std::equal(kMapped.begin(), kMapped.end(), bytes)) {
    bytes += kMapped.size();
    family = AF_INET;
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, text, sizeof text);
  return text;
}

// A v1 address of `family`, canonical; nullopt when it is not one.
std::optional<std::string> v1_address(std::string_view field, int family) {
  if (field.empty() || field.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::array<unsigned char, 16> bytes{};
  std::string text(field);
  if (inet_pton(family, text.c_str(), bytes.data()) != 1) return std::nullopt;
  return address_text(bytes.data(), family);
}

// 2.1: a port is a decimal number from 0 to 65535.
std::optional<std::uint16_t> v1_port(std::string_view field) {
  if (field.empty() || field.size() > 5) return std::nullopt;
  if (!std::all_of(field.begin(), field.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  unsigned value = 0;
  std::from_chars(field.data(), field.data() + field.size(), value);
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    auto space = line.find(' ');
    fields.push_back(line.substr(0, space));
    if (space == std::string_view::npos) return fields;
    line.remove_prefix(space + 1);
  }
}

// 2.1: "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP sport SP dport, or
// "PROXY UNKNOWN" followed by anything (ignored); `line` without its CRLF.
ProxyParse parse_v1_line(std::string_view line, std::size_t length) {
  ProxyHeader h;
  h.version = 1;
  auto rest = line.substr(kV1Prefix.size());
  if (rest == "UNKNOWN" || rest.starts_with("UNKNOWN ")) {
    h.local = true;
    return complete(length, std::move(h));
  }
  auto fields = split_spaces(rest);
  if (fields.size() != 5) return invalid("v1: expected 5 fields after PROXY");
  int family = fields[0] == "TCP4" ? AF_INET : fields[0] == "TCP6" ? AF_INET6 : 0;
  if (family == 0) return invalid("v1: the protocol is not TCP4, TCP6 or UNKNOWN");
  auto source = v1_address(fields[1], family);
  auto destination = v1_address(fields[2], family);
  if (!source || !destination) return invalid("v1: an address is not one of the protocol's");
  auto source_port = v1_port(fields[3]);
  auto destination_port = v1_port(fields[4]);
  if (!source_port || !destination_port) return invalid("v1: a port is not from 0 to 65535");
  h.source = ProxyEndpoint{*source, *source_port};
  h.destination = ProxyEndpoint{*destination, *destination_port};
  return complete(length, std::move(h));
}

// v1: the line up to CRLF, at most 107 bytes. Reads at most two bytes at a
// time, so that it never reads past the CRLF: one when the last byte is
// the CR.
ProxyParse parse_v1(std::string_view input) {
  auto window = input.substr(0, kProxyV1MaxLength);
  auto lf = window.find('\n');
  auto cr = window.find('\r');
  if (lf != std::string_view::npos) {
    if (cr == std::string_view::npos || cr + 1 != lf) return invalid("v1: a line feed without CR");
    return parse_v1_line(window.substr(0, cr), lf + 1);
  }
  if (cr != std::string_view::npos && cr + 1 != window.size())
    return invalid("v1: a CR not followed by a line feed");
  if (window.size() >= kProxyV1MaxLength) return invalid("v1: no CRLF within 107 bytes");
  if (cr != std::string_view::npos) return need(1);
  return need(std::min<std::size_t>(2, kProxyV1MaxLength - window.size()));
}

std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// 2.2: the fixed 16 bytes, then `len` bytes of addresses and TLVs (the
// TLVs are not used: none carries what the gateway needs).
ProxyParse parse_v2(std::string_view input) {
  if (input.size() < kProxyV2FixedLength) return need(kProxyV2FixedLength - input.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  if ((bytes[12] >> 4) != 2) return invalid("v2: the version is not 2");
  unsigned command = bytes[12] & 0x0f;
  if (command > 1) return invalid("v2: the command is neither LOCAL nor PROXY");
  unsigned family = bytes[13] >> 4;
  unsigned transport = bytes[13] & 0x0f;
  if (family > 3 || transport > 2) return invalid("v2: unknown address family or protocol");
  std::size_t length = kProxyV2FixedLength + be16(bytes + 14);
  if (input.size() < length) return need(length - input.size());

  ProxyHeader h;
  h.version = 2;
  const auto* block = bytes + kProxyV2FixedLength;
  std::size_t block_length = length - kProxyV2FixedLength;
  // LOCAL: the proxy's own connection (a health check); the rest is ignored.
  if (command == 0) {
    h.local = true;
    return complete(length, std::move(h));
  }
  // The listener is a stream one: a datagram's header is a mistake.
  if (transport == 2) return invalid("v2: a datagram (UDP) header on a TCP listener");
  int af = family == 1 ? AF_INET : family == 2 ? AF_INET6 : 0;
  // UNSPEC or AF_UNIX, or no transport named: no IP client to name.
  if (af == 0 || transport == 0) {
    h.local = true;
    return complete(length, std::move(h));
  }
  std::size_t address_bytes = af == AF_INET ? 4 : 16;
  if (block_length < 2 * address_bytes + 4)
    return invalid("v2: the length is too short for the addresses");
  h.source = ProxyEndpoint{address_text(block, af), be16(block + 2 * address_bytes)};
  h.destination =
      ProxyEndpoint{address_text(block + address_bytes, af), be16(block + 2 * address_bytes + 2)};
  return complete(length, std::move(h));
}

}  // namespace

ProxyParse parse_proxy_header(std::string_view input) {
  bool v2 = starts_like(input, kV2Signature);
  bool v1 = starts_like(input, kV1Prefix);
  if (!v1 && !v2) return invalid("not a PROXY protocol header");
  if (input.size() < kFirstRead) return need(kFirstRead - input.size());
  return v2 ? parse_v2(input) : parse_v1(input);
}

}  // namespace postern::net
